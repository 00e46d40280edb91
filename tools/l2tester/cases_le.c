/* l2tester's LE cases: LE/CFC, LE credit based connections (Vol 3 Part A 4.22-4.24, 10.1).
 * Each case plays the lower tester of L2CAP.TS and checks every byte the IUT sends (lt.h). */
#include <stdio.h>
#include <string.h>

#include "tools/l2tester/cases.h"

#define TCID 0x0040 /* the tester's CID */

/* An LE Credit Based Connection Response with every field given. */
static bool want_le_rsp(struct lt *t, const struct lt_pdu *p, uint8_t id, uint16_t dcid, uint16_t mtu, uint16_t mps,
			uint16_t credits, uint16_t result)
{
	uint8_t w[14] = {0x15, id, 0x0A, 0x00};
	lt_put16(w + 4, dcid);
	lt_put16(w + 6, mtu);
	lt_put16(w + 8, mps);
	lt_put16(w + 10, credits);
	lt_put16(w + 12, result);
	return lt_is(t, p, w, 14, "the IUT's LE Credit Based Connection Response");
}

/* Send an LE Credit Based Connection Request (MTU 100, MPS 50, 5 credits): the response or NULL. */
static const struct lt_pdu *le_req(struct lt *t, uint8_t id, uint16_t spsm, uint16_t scid)
{
	uint8_t d[10];
	lt_put16(d, spsm);
	lt_put16(d + 2, scid);
	lt_put16(d + 4, 100);
	lt_put16(d + 6, 50);
	lt_put16(d + 8, 5);
	lt_send_sig(t, 0x14, id, d, 10);
	return lt_expect_sig(t, 0x15, 5000);
}

/* The IUT listens on t->psm with these options and the tester opens a channel to it: the IUT's
 * CID, or 0 (verdict set). */
static uint16_t tester_opens_cr(struct lt *t, const char *opts, uint16_t credits)
{
	if (!lt_iut(t, NULL, 0, "listen psm=%u transport=le mode=le%s%s", t->psm, *opts ? " " : "", opts))
		return 0;
	struct lt_le_conn rq = {.spsm = t->psm, .cid = TCID, .mtu = 100, .mps = 50, .credits = credits}, rsp;
	if (!lt_le_connect(t, &rq, &rsp))
		return 0;
	if (rsp.result != 0)
		return lt_inconclusive(t, "the IUT refused the channel (result 0x%04x)", rsp.result), 0;
	if (rsp.cid < 0x0040 || rsp.cid > 0x007F)
		return lt_fail(t, "the IUT's DCID 0x%04x is outside the LE dynamic range 0x0040-0x007F", rsp.cid), 0;
	return rsp.cid;
}

/* The same, the tester granting 5 credits. */
static uint16_t tester_opens(struct lt *t, const char *opts)
{
	return tester_opens_cr(t, opts, 5);
}

/* The next K-frame on our CID must be exactly sdu_len (none if < 0) + data. */
static bool expect_kframe(struct lt *t, int sdu_len, const char *data)
{
	const struct lt_pdu *p = lt_next_on(t, TCID, 3000);
	if (!p)
		return lt_fail(t, "no K-frame with '%s' from the IUT on our CID 0x%04x", data, TCID);
	uint8_t w[2 + 64];
	size_t k = 0, n = strlen(data);
	if (sdu_len >= 0) {
		lt_put16(w, (uint16_t)sdu_len);
		k = 2;
	}
	memcpy(w + k, data, n);
	return lt_is(t, p, w, k + n, "the IUT's K-frame");
}

/* L2CAP/LE/CFC/BV-02-C: the IUT's request carries the SPSM, a dynamic SCID and the MTU, MPS and
 * credits its application set; a success response opens the channel with the peer's values. */
static void cfc_bv02(struct lt *t)
{
	char a[18];
	if (!lt_iut(t, NULL, 0, "connect addr=%s transport=le-public psm=128 mode=le mtu=512 mps=100 credits=7",
		    l2k_addr_str(&t->tst_addr, a)))
		return;
	const struct lt_pdu *p = lt_expect_sig(t, 0x14, 5000);
	if (!p)
		return;
	uint16_t scid = p->len >= 8 ? lt_get16(p->data + 6) : 0;
	uint8_t want[14] = {0x14, p->data[1], 0x0A, 0x00, 0x80, 0x00, 0, 0, 0x00, 0x02, 0x64, 0x00, 0x07, 0x00};
	lt_put16(want + 6, scid);
	if (!lt_is(t, p, want, 14, "the IUT's LE Credit Based Connection Request"))
		return;
	if (scid < 0x0040 || scid > 0x007F)
		return (void)lt_fail(t, "the IUT's SCID 0x%04x is outside the LE dynamic range", scid);
	static const uint8_t rsp[10] = {0x45, 0x00, 0xC8, 0x00, 0x30, 0x00, 0x04, 0x00, 0x00, 0x00};
	lt_send_sig(t, 0x15, p->data[1], rsp, 10);
	if (lt_iut_wait_open(t, 1, 3000, "the channel open") &&
	    (t->obs.peer_mtu != 200 || t->obs.mtu != 512 || t->obs.peer_mps != 48 || t->obs.mps != 100))
		lt_fail(t, "the IUT's channel has MTU %u / peer MTU %u, MPS %u / peer MPS %u; expected 512 / 200, 100 / 48",
			t->obs.mtu, t->obs.peer_mtu, t->obs.mps, t->obs.peer_mps);
}

/* L2CAP/LE/CFC/BV-03-C: a valid incoming request is accepted: success with the IUT's CID, MTU,
 * MPS and initial credits (those its application set: 300, 60, 9). */
static void cfc_bv03(struct lt *t)
{
	if (!lt_iut(t, NULL, 0, "listen psm=%u transport=le mode=le mtu=300 mps=60 credits=9", t->psm))
		return;
	uint8_t id = lt_ident(t);
	const struct lt_pdu *p = le_req(t, id, t->psm, TCID);
	if (!p)
		return;
	uint16_t dcid = p->len >= 6 ? lt_get16(p->data + 4) : 0;
	if (!want_le_rsp(t, p, id, dcid, 300, 60, 9, 0x0000))
		return;
	if (dcid < 0x0040 || dcid > 0x007F)
		return (void)lt_fail(t, "the IUT's DCID 0x%04x is outside the LE dynamic range", dcid);
	if (lt_iut_wait_open(t, 1, 3000, "the channel open") && (t->obs.peer_mtu != 100 || t->obs.peer_mps != 50))
		lt_fail(t, "the IUT's application sees peer MTU %u / MPS %u, not our 100 / 50", t->obs.peer_mtu,
			t->obs.peer_mps);
}

/* L2CAP/LE/CFC/BV-05-C: a request for an SPSM the IUT does not serve is refused "SPSM not
 * supported" with DCID, MTU, MPS and credits 0; SPSM 0 (reserved) too. */
static void cfc_bv05(struct lt *t)
{
	uint8_t id = lt_ident(t);
	const struct lt_pdu *p = le_req(t, id, 0x00F1, TCID);
	if (!p || !want_le_rsp(t, p, id, 0, 0, 0, 0, 0x0002))
		return;
	id = lt_ident(t);
	p = le_req(t, id, 0x0000, TCID);
	if (p)
		want_le_rsp(t, p, id, 0, 0, 0, 0, 0x0002);
}

/* L2CAP/LE/CFC/BV-06-C: the IUT sends only while it has credits: with 1 credit one K-frame of
 * three queued SDUs goes; a Flow Control Credit Indication of 2 releases the other two. */
static void cfc_bv06(struct lt *t)
{
	uint16_t icid = tester_opens_cr(t, "", 1);
	if (!icid || !lt_iut_wait_open(t, 1, 3000, "the channel open"))
		return;
	int c = t->obs.chan;
	if (!lt_iut(t, NULL, 0, "send chan=%d hex=6f6e65", c) || !lt_iut(t, NULL, 0, "send chan=%d hex=74776f", c) ||
	    !lt_iut(t, NULL, 0, "send chan=%d hex=7468726565", c))
		return;
	if (!expect_kframe(t, 3, "one") || !lt_quiet(t, 1000))
		return;
	static const uint8_t ci[4] = {0x40, 0x00, 0x02, 0x00};
	lt_send_sig(t, 0x16, lt_ident(t), ci, 4);
	if (expect_kframe(t, 3, "two") && expect_kframe(t, 5, "three"))
		lt_quiet(t, 500);
}

/* L2CAP/LE/CFC/BV-08-C: the IUT closes an LE channel with a Disconnection Request (DCID the
 * peer's CID, SCID its own) and finishes on the response. */
static void cfc_bv08(struct lt *t)
{
	uint16_t icid = tester_opens(t, "");
	if (!icid || !lt_iut_wait_open(t, 1, 3000, "the channel open"))
		return;
	if (!lt_iut(t, NULL, 0, "disconnect chan=%d", t->obs.chan))
		return;
	const struct lt_pdu *p = lt_expect_sig(t, 0x06, 3000);
	if (!p)
		return;
	uint8_t want[8] = {0x06, p->data[1], 0x04, 0x00};
	lt_put16(want + 4, TCID);
	lt_put16(want + 6, icid);
	if (!lt_is(t, p, want, 8, "the IUT's Disconnection Request"))
		return;
	lt_send_sig(t, 0x07, p->data[1], want + 4, 4);
	if (lt_iut_wait_closed(t, 1, 3000, "the channel closed") && strcmp(t->obs.reason, "local"))
		lt_fail(t, "the IUT's application saw the close as '%s', not 'local'", t->obs.reason);
}

/* L2CAP/LE/CFC/BV-09-C: the IUT answers the tester's Disconnection Request with the same CIDs
 * and releases the channel: the same request opens a channel again. */
static void cfc_bv09(struct lt *t)
{
	uint16_t icid = tester_opens(t, "");
	if (!icid)
		return;
	uint8_t d[4];
	lt_put16(d, icid);
	lt_put16(d + 2, TCID);
	uint8_t id = lt_ident(t);
	lt_send_sig(t, 0x06, id, d, 4);
	const struct lt_pdu *p = lt_expect_sig(t, 0x07, 3000);
	uint8_t want[8] = {0x07, id, 0x04, 0x00, d[0], d[1], d[2], d[3]};
	if (!p || !lt_is(t, p, want, 8, "the IUT's Disconnection Response"))
		return;
	struct lt_le_conn rq = {.spsm = t->psm, .cid = TCID, .mtu = 100, .mps = 50, .credits = 5}, rsp;
	if (lt_le_connect(t, &rq, &rsp) && rsp.result != 0)
		lt_fail(t, "a new request with the released CID was refused (0x%04x)", rsp.result);
}

/* L2CAP/LE/CFC/BV-23-C: a Disconnection Request naming a DCID the IUT does not have is answered
 * Command Reject "invalid CID in request" with both CIDs; the right DCID with a wrong SCID too. */
static void cfc_bv23(struct lt *t)
{
	uint16_t icid = tester_opens(t, "");
	if (!icid)
		return;
	uint8_t d[4] = {0x7E, 0x00, 0x40, 0x00};
	if (icid == 0x007E)
		d[0] = 0x7D;
	lt_send_sig(t, 0x06, 0x2B, d, 4);
	const struct lt_pdu *p = lt_expect_sig(t, 0x01, 3000);
	uint8_t want[10] = {0x01, 0x2B, 0x06, 0x00, 0x02, 0x00, d[0], d[1], d[2], d[3]};
	if (!p || !lt_is(t, p, want, 10, "the IUT's Command Reject"))
		return;
	lt_put16(d, icid);
	lt_put16(d + 2, 0x0055);
	lt_send_sig(t, 0x06, 0x2C, d, 4);
	p = lt_expect_sig(t, 0x01, 3000);
	uint8_t want2[10] = {0x01, 0x2C, 0x06, 0x00, 0x02, 0x00, d[0], d[1], d[2], d[3]};
	if (!p || !lt_is(t, p, want2, 10, "the IUT's Command Reject"))
		return;
	if (t->iut->events) {
		lt_run(t, 50);
		if (t->obs.closed)
			lt_fail(t, "the IUT closed its channel on a request that named another");
	}
}

const struct lt_case lt_cases_le[] = {
    {"L2CAP/LE/CFC/BV-02-C", "LE/CFC", LT_LE, "IUT connects (MTU 512, MPS 100, 7 credits)", cfc_bv02, NULL},
    {"L2CAP/LE/CFC/BV-03-C", "LE/CFC", LT_LE, "IUT listens (MTU 300, MPS 60, 9 credits)", cfc_bv03, NULL},
    {"L2CAP/LE/CFC/BV-05-C", "LE/CFC", LT_LE, "IUT answers (SPSM 0x00F1 not served)", cfc_bv05, NULL},
    {"L2CAP/LE/CFC/BV-06-C", "LE/CFC", LT_LE, "IUT listens, sends 3 SDUs with 1 credit", cfc_bv06, NULL},
    {"L2CAP/LE/CFC/BV-08-C", "LE/CFC", LT_LE, "IUT listens, disconnects", cfc_bv08, NULL},
    {"L2CAP/LE/CFC/BV-09-C", "LE/CFC", LT_LE, "IUT listens", cfc_bv09, NULL},
    {"L2CAP/LE/CFC/BV-23-C", "LE/CFC", LT_LE, "IUT listens", cfc_bv23, NULL},
    {NULL, NULL, LT_ANY, NULL, NULL, NULL},
};
