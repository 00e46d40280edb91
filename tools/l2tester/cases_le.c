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

/* L2CAP/COS/CED/BI-05-C: an LE Credit Based Connection Request whose basic-header length is wrong
 * (claiming fewer or more octets than sent) gets no response and opens no channel; the good
 * request after it is answered success. */
static void ced_bi05(struct lt *t)
{
	if (!lt_iut(t, NULL, 0, "listen psm=%u transport=le mode=le", t->psm))
		return;
	uint8_t f[4 + 14] = {0, 0, 0x05, 0x00, 0x14, 0x51, 0x0A, 0x00, 0, 0, 0x40, 0x00,
			     0x64, 0x00, 0x40, 0x00, 0x05, 0x00};
	lt_put16(f + 8, t->psm);
	lt_put16(f, 12);
	lt_send_acl(t, 0x0, f, sizeof(f));
	lt_run(t, 20);
	lt_put16(f, 16);
	lt_send_acl(t, 0x0, f, sizeof(f));
	if (!lt_quiet_sig(t, 300))
		return;
	if (t->iut->events && t->obs.opened)
		return (void)lt_fail(t, "the IUT opened a channel on a request with a wrong length");
	lt_put16(f, 14);
	f[5] = 0x52;
	lt_send_acl(t, 0x0, f, sizeof(f));
	const struct lt_pdu *p = lt_expect_sig(t, 0x15, 3000);
	if (!p)
		return;
	if (p->len != 14 || p->data[1] != 0x52 || lt_get16(p->data + 12) != 0)
		return (void)lt_fail(t, "the good request was not answered success with its identifier 0x52");
	lt_iut_wait_open(t, 1, 3000, "the channel open");
}

/* L2CAP/COS/CED/BI-29-C: after the IUT asked for a credit based channel, a response with an
 * identifier it never used and a duplicate response (other values) are discarded, as is a stray
 * Disconnection Response: the channel stays as the first response made it. */
static void ced_bi29(struct lt *t)
{
	char a[18];
	if (!lt_iut(t, NULL, 0, "connect addr=%s transport=le-public psm=%u mode=le", l2k_addr_str(&t->tst_addr, a),
		    t->psm))
		return;
	const struct lt_pdu *p = lt_expect_sig(t, 0x14, 5000);
	if (!p || p->len != 14)
		return (void)(p && lt_fail(t, "LE Credit Based Connection Request of %zu octets", p->len));
	uint8_t id = p->data[1];
	uint16_t scid = lt_get16(p->data + 6);
	static const uint8_t rsp[10] = {0x40, 0x00, 0x64, 0x00, 0x40, 0x00, 0x03, 0x00, 0x00, 0x00};
	lt_send_sig(t, 0x15, (uint8_t)(id ^ 0x80), rsp, 10);
	if (!lt_quiet_sig(t, 1000))
		return;
	if (t->iut->events && t->obs.opened)
		return (void)lt_fail(t, "the IUT opened the channel on a response with a wrong identifier");
	lt_send_sig(t, 0x15, id, rsp, 10);
	if (!lt_iut_wait_open(t, 1, 3000, "the channel open"))
		return;
	static const uint8_t dup[10] = {0x41, 0x00, 0x17, 0x00, 0x17, 0x00, 0x09, 0x00, 0x00, 0x00};
	lt_send_sig(t, 0x15, id, dup, 10);
	uint8_t d[4] = {0x40, 0x00, 0, 0};
	lt_put16(d + 2, scid);
	lt_send_sig(t, 0x07, 0x7B, d, 4);
	if (!lt_quiet(t, 1000))
		return;
	if (t->obs.closed || t->obs.peer_mtu != 100 || t->obs.peer_mps != 64)
		return (void)lt_fail(t, "the duplicate or stray responses changed the channel (closed %d, peer MTU %u)",
				     t->obs.closed, t->obs.peer_mtu);
	/* the channel is the first response's: our CID 0x0040, 3 credits: 3 K-frames go, not a 4th */
	int c = t->obs.chan;
	for (int i = 0; i < 4; i++)
		if (!lt_iut(t, NULL, 0, "send chan=%d hex=%02x", c, i))
			return;
	for (int i = 0; i < 3; i++) {
		char one[2] = {(char)i, 0};
		const struct lt_pdu *k = lt_next_on(t, TCID, 3000);
		uint8_t w[3] = {0x01, 0x00, (uint8_t)one[0]};
		if (!k)
			return (void)lt_fail(t, "K-frame %d of the 3 credits did not come on CID 0x0040", i + 1);
		if (!lt_is(t, k, w, 3, "the IUT's K-frame"))
			return;
	}
	lt_quiet(t, 500);
}

/* An SMP Security Request (peripheral) or Pairing Request (central): the IUT raising the
 * security a refusal 0x0005 / 0x0008 said it lacks (Vol 3 Part H 3.5.1, 3.6.7). */
static bool smp_raise(const struct lt_pdu *q)
{
	return q->cid == 0x0006 && ((q->len == 2 && q->data[0] == 0x0B) || (q->len == 7 && q->data[0] == 0x01));
}

/* The IUT asks for a channel and the tester refuses it with result: no channel, the IUT's
 * application hears "refused" with that result, and the IUT sends nothing more.  After 0x0005 /
 * 0x0008 (insufficient authentication / encryption) the IUT may instead raise the security and
 * keep the request pending (Vol 3 Part A 4.23 lets it connect again once it has): an SMP
 * Security or Pairing Request is then a fair answer, before or after the close. */
static void iut_refused(struct lt *t, uint16_t result)
{
	char a[18];
	if (!lt_iut(t, NULL, 0, "connect addr=%s transport=le-public psm=%u mode=le", l2k_addr_str(&t->tst_addr, a),
		    t->psm))
		return;
	const struct lt_pdu *p = lt_expect_sig(t, 0x14, 5000);
	if (!p)
		return;
	uint8_t d[10] = {0};
	lt_put16(d + 8, result);
	lt_send_sig(t, 0x15, p->data[1], d, 10);
	bool sec = result == 0x0005 || result == 0x0008, raised = false;
	uint8_t smp = 0;
	if (sec && t->iut->events) {
		for (int i = 0; i < 30 && !t->obs.closed && !raised; i++) {
			const struct lt_pdu *q = lt_next(t, 100);
			if (q && smp_raise(q)) {
				raised = true;
				smp = q->data[0];
			}
			else if (q)
				return (void)lt_fail(t, "expected the channel refused or an SMP Security / Pairing Request, got "
							"a frame on cid 0x%04x (%zu octets)", q->cid, q->len);
		}
		if (raised && !t->obs.closed) {
			lt_logf(t, "(the IUT raises the security: SMP %s; its request stays pending)",
				smp == 0x0B ? "Security Request" : "Pairing Request");
			if (t->obs.opened)
				lt_fail(t, "the IUT's application saw the refused channel open");
			return;
		}
	}
	if (!lt_iut_wait_closed(t, 1, 3000, "the refused channel closed"))
		return;
	if (t->obs.opened || strcmp(t->obs.reason, "refused") || t->obs.result != result)
		return (void)lt_fail(t, "the IUT's application saw '%s' result %d (opened %d), not 'refused' result %u",
				     t->obs.reason, t->obs.result, t->obs.opened, result);
	if (!sec) {
		lt_quiet(t, 1000);
		return;
	}
	for (const struct lt_pdu *q; (q = lt_next(t, 1000)) != NULL;) {
		if (smp_raise(q)) {
			lt_logf(t, "(the IUT starts raising the security: SMP %s)",
				q->data[0] == 0x0B ? "Security Request" : "Pairing Request");
			continue;
		}
		return (void)lt_fail(t, "expected no frame from the IUT but SMP Security / Pairing Request, got one on "
					"cid 0x%04x (%zu octets)", q->cid, q->len);
	}
}

/* L2CAP/LE/CFC/BV-01-C: a peer without LE CoC answers the request with Command Reject: the IUT
 * creates no channel. */
static void cfc_bv01(struct lt *t)
{
	char a[18];
	if (!lt_iut(t, NULL, 0, "connect addr=%s transport=le-public psm=%u mode=le", l2k_addr_str(&t->tst_addr, a),
		    t->psm))
		return;
	const struct lt_pdu *p = lt_expect_sig(t, 0x14, 5000);
	if (!p)
		return;
	static const uint8_t rej[2] = {0x00, 0x00};
	lt_send_sig(t, 0x01, p->data[1], rej, 2);
	if (!lt_iut_wait_closed(t, 1, 3000, "the rejected channel closed"))
		return;
	if (t->obs.opened || strcmp(t->obs.reason, "refused"))
		return (void)lt_fail(t, "the IUT's application saw '%s' (opened %d), not 'refused'", t->obs.reason,
				     t->obs.opened);
	lt_quiet(t, 1000);
}

static void cfc_bv04(struct lt *t)
{
	iut_refused(t, 0x0002);
}
static void cfc_bv10(struct lt *t)
{
	iut_refused(t, 0x0005);
}
static void cfc_bv12(struct lt *t)
{
	iut_refused(t, 0x0006);
}
static void cfc_bv14(struct lt *t)
{
	iut_refused(t, 0x0007);
}
static void cfc_bv16(struct lt *t)
{
	iut_refused(t, 0x0004);
}
static void cfc_bv18(struct lt *t)
{
	iut_refused(t, 0x0009);
}
static void cfc_bv19(struct lt *t)
{
	iut_refused(t, 0x000A);
}
static void cfc_bv21(struct lt *t)
{
	iut_refused(t, 0x000B);
}
static void cfc_bv22(struct lt *t)
{
	iut_refused(t, 0x0002);
}
static void cfc_bv24(struct lt *t)
{
	iut_refused(t, 0x0008);
}

/* L2CAP/LE/CFC/BV-13-C: a server whose application does not authorize the peer refuses with
 * 0x0006 "insufficient authorization" and DCID, MTU, MPS, credits 0. */
static void cfc_bv13(struct lt *t)
{
	if (!lt_iut(t, NULL, 0, "listen psm=%u transport=le mode=le accept=6", t->psm))
		return;
	uint8_t id = lt_ident(t);
	const struct lt_pdu *p = le_req(t, id, t->psm, TCID);
	if (p && want_le_rsp(t, p, id, 0, 0, 0, 0, 0x0006) && t->iut->events) {
		lt_run(t, 50);
		if (t->obs.opened)
			lt_fail(t, "the IUT's application saw a channel open");
	}
}

/* L2CAP/LE/CFC/BV-20-C: a second request reusing an SCID already in use is refused 0x000A; an
 * SCID outside the LE dynamic range is refused 0x0009. */
static void cfc_bv20(struct lt *t)
{
	if (!tester_opens(t, ""))
		return;
	uint8_t id = lt_ident(t);
	const struct lt_pdu *p = le_req(t, id, t->psm, TCID);
	if (!p || !want_le_rsp(t, p, id, 0, 0, 0, 0, 0x000A))
		return;
	id = lt_ident(t);
	p = le_req(t, id, t->psm, 0x0080);
	if (!p || !want_le_rsp(t, p, id, 0, 0, 0, 0, 0x0009))
		return;
	id = lt_ident(t);
	p = le_req(t, id, t->psm, 0x0004);
	if (!p || !want_le_rsp(t, p, id, 0, 0, 0, 0, 0x0009))
		return;
	if (t->iut->events) {
		lt_run(t, 50);
		if (t->obs.opened != 1)
			lt_fail(t, "the IUT's application saw %d channels open, not 1", t->obs.opened);
	}
}

/* The next LE signaling command must be Command Reject "not understood" with this identifier. */
static bool not_understood(struct lt *t, uint8_t ident)
{
	const struct lt_pdu *p = lt_expect_sig(t, 0x01, 3000);
	uint8_t want[6] = {0x01, ident, 0x02, 0x00, 0x00, 0x00};
	return p && lt_is(t, p, want, 6, "the IUT's Command Reject");
}

/* L2CAP/LE/REJ/BI-01-C: an unknown LE signaling command is answered Command Reject "not
 * understood" with its identifier. */
static void rej_bi01(struct lt *t)
{
	static const uint8_t d[4] = {1, 2, 3, 4};
	lt_send_sig(t, 0x1F, 0x11, d, 4);
	if (not_understood(t, 0x11))
		lt_quiet_sig(t, 500);
}

/* L2CAP/LE/REJ/BI-02-C: reserved codes (0x00, 0x0C-0x11 of withdrawn AMP, 0x1B, 0xFF) and the
 * BR/EDR-only commands (Connection, Configuration, Echo, Information Requests) are rejected
 * "not understood" on the LE signaling channel, each with its own identifier. */
static void rej_bi02(struct lt *t)
{
	static const uint8_t codes[] = {0x00, 0x0C, 0x0E, 0x11, 0x1B, 0xFF, 0x02, 0x04, 0x08, 0x0A};
	static const uint8_t d[4] = {0x01, 0x00, 0x40, 0x00};
	for (size_t i = 0; i < sizeof(codes); i++) {
		uint8_t id = (uint8_t)(0x20 + i);
		lt_send_sig(t, codes[i], id, d, codes[i] == 0x0A ? 2 : 4);
		if (!not_understood(t, id))
			return;
	}
	lt_quiet_sig(t, 500);
}

/* L2CAP/COS/CED/BI-09-C: an LE Credit Based Connection Request whose Length runs past the C-frame
 * gets Command Reject "not understood", and no channel. */
static void ced_bi09(struct lt *t)
{
	if (!lt_iut(t, NULL, 0, "listen psm=%u transport=le mode=le", t->psm))
		return;
	uint8_t rq[14] = {0x14, 0x83, 0x0E, 0x00, 0, 0, 0x40, 0x00, 0x64, 0x00, 0x40, 0x00, 0x05, 0x00};
	lt_put16(rq + 4, t->psm);
	lt_send(t, 0x0005, rq, sizeof(rq));
	if (not_understood(t, 0x83) && lt_quiet_sig(t, 500) && t->iut->events && t->obs.opened)
		lt_fail(t, "the IUT opened a channel");
}

/* L2CAP/COS/CED/BI-13-C: an LE Credit Based Connection Request with a short Length (9) and the
 * last octet stray: Command Reject "not understood", no channel. */
static void ced_bi13(struct lt *t)
{
	if (!lt_iut(t, NULL, 0, "listen psm=%u transport=le mode=le", t->psm))
		return;
	uint8_t rq[14] = {0x14, 0xB3, 0x09, 0x00, 0, 0, 0x40, 0x00, 0x64, 0x00, 0x40, 0x00, 0x05, 0x00};
	lt_put16(rq + 4, t->psm);
	lt_send(t, 0x0005, rq, sizeof(rq));
	if (not_understood(t, 0xB3) && lt_quiet_sig(t, 500) && t->iut->events && t->obs.opened)
		lt_fail(t, "the IUT opened a channel");
}

/* L2CAP/COS/CED/BI-16-C: a truncated LE Credit Based Connection Request (alone, or after a
 * complete command in the same C-frame, where LE allows one command) creates no channel: the
 * first is rejected, the second frame's first command answered and the rest ignored. */
static void ced_bi16(struct lt *t)
{
	if (!lt_iut(t, NULL, 0, "listen psm=%u transport=le mode=le", t->psm))
		return;
	uint8_t alone[10] = {0x14, 0xC5, 0x0A, 0x00, 0, 0, 0x40, 0x00, 0x64, 0x00};
	lt_put16(alone + 4, t->psm);
	lt_send(t, 0x0005, alone, sizeof(alone));
	if (!not_understood(t, 0xC5))
		return;
	uint8_t two[18] = {0x06, 0xC6, 0x04, 0x00, 0x41, 0x00, 0x42, 0x00, 0x14, 0xC7, 0x0A, 0x00, 0, 0, 0x40, 0x00, 0x64, 0x00};
	lt_put16(two + 12, t->psm);
	lt_send(t, 0x0005, two, sizeof(two));
	const struct lt_pdu *p = lt_expect_sig(t, 0x01, 3000);
	static const uint8_t want[10] = {0x01, 0xC6, 0x06, 0x00, 0x02, 0x00, 0x41, 0x00, 0x42, 0x00};
	if (p && lt_is(t, p, want, 10, "the IUT's Command Reject") && lt_quiet_sig(t, 500) && t->iut->events &&
	    t->obs.opened)
		lt_fail(t, "the IUT opened a channel");
}

/* L2CAP/COS/CED/BI-17-C: a truncated LE Disconnection Request gets Command Reject and the open
 * channel it names stays open. */
static void ced_bi17(struct lt *t)
{
	uint16_t icid = tester_opens(t, "");
	if (!icid)
		return;
	uint8_t d[6] = {0x06, 0xC8, 0x04, 0x00, 0, 0};
	lt_put16(d + 4, icid);
	lt_send(t, 0x0005, d, sizeof(d));
	if (not_understood(t, 0xC8) && lt_quiet_sig(t, 500) && t->iut->events && t->obs.closed)
		lt_fail(t, "the IUT closed the channel a truncated request named");
}

/* A Connection Parameter Update Request from the tester. */
static void cpu_req(struct lt *t, uint8_t id, uint16_t imin, uint16_t imax, uint16_t lat, uint16_t to)
{
	uint8_t d[8];
	lt_put16(d, imin);
	lt_put16(d + 2, imax);
	lt_put16(d + 4, lat);
	lt_put16(d + 6, to);
	lt_send_sig(t, 0x12, id, d, 8);
}

static bool expect_cpu_rsp(struct lt *t, uint8_t id, uint16_t result)
{
	const struct lt_pdu *p = lt_expect_sig(t, 0x13, 3000);
	uint8_t want[6] = {0x13, id, 0x02, 0x00, 0, 0};
	lt_put16(want + 4, result);
	return p && lt_is(t, p, want, 6, "the IUT's Connection Parameter Update Response");
}

/* L2CAP/LE/CPU/BV-01-C: a peripheral IUT asks for new parameters with a well-formed Connection
 * Parameter Update Request (interval 30-50 ms, latency 2, timeout 5.12 s). */
static void cpu_bv01(struct lt *t)
{
	char a[18];
	if (!lt_iut(t, NULL, 0, "conn-update addr=%s transport=le-public min=24 max=40 latency=2 timeout=512",
		    l2k_addr_str(&t->tst_addr, a)))
		return;
	const struct lt_pdu *p = lt_expect_sig(t, 0x12, 3000);
	if (!p)
		return;
	uint8_t want[12] = {0x12, p->data[1], 0x08, 0x00, 0x18, 0x00, 0x28, 0x00, 0x02, 0x00, 0x00, 0x02};
	if (!lt_is(t, p, want, 12, "the IUT's Connection Parameter Update Request"))
		return;
	if (p->data[1] == 0)
		return (void)lt_fail(t, "identifier 0 (never used, 4)");
	static const uint8_t ok[2] = {0, 0};
	lt_send_sig(t, 0x13, p->data[1], ok, 2);
	lt_quiet_sig(t, 1000);
}

/* L2CAP/LE/CPU/BV-02-C: a central IUT accepts valid parameters (result 0x0000). */
static void cpu_bv02(struct lt *t)
{
	cpu_req(t, 0x41, 0x0010, 0x0020, 0x0000, 0x0123);
	expect_cpu_rsp(t, 0x41, 0x0000);
}

/* L2CAP/LE/CPU/BI-01-C: a central IUT rejects illegal values (result 0x0001): interval under
 * 7.5 ms, min above max, latency over 499, timeout out of range or not above
 * (1 + latency) * interval_max * 2; a legal request after them is accepted. */
static void cpu_bi01(struct lt *t)
{
	static const uint16_t bad[][4] = {
	    {0x0005, 0x0020, 0, 0x0100}, {0x0030, 0x0020, 0, 0x0100}, {0x0010, 0x0C81, 0, 0x0C80},
	    {0x0010, 0x0020, 500, 0x0C80}, {0x0010, 0x0020, 0, 0x0009}, {0x0010, 0x0020, 0, 0x0C81},
	    {0x0100, 0x0100, 3, 0x0100},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t id = (uint8_t)(0x50 + i);
		cpu_req(t, id, bad[i][0], bad[i][1], bad[i][2], bad[i][3]);
		if (!expect_cpu_rsp(t, id, 0x0001))
			return;
	}
	cpu_req(t, 0x5F, 0x0010, 0x0020, 4, 0x0100);
	expect_cpu_rsp(t, 0x5F, 0x0000);
}

/* L2CAP/LE/CPU/BI-02-C: a peripheral IUT answers a Connection Parameter Update Request with
 * Command Reject "not understood" (4.20: only the central acts on it). */
static void cpu_bi02(struct lt *t)
{
	cpu_req(t, 0x61, 0x0010, 0x0020, 0x0000, 0x0100);
	if (not_understood(t, 0x61))
		lt_quiet_sig(t, 500);
}

/* The IUT listens (opts) if listen, and the tester opens a channel from tcid with its MTU 512,
 * MPS tmps and tcr credits, waiting for the IUT's application to see it open: the IUT's CID,
 * or 0 (verdict set). */
static uint16_t cfc_open(struct lt *t, bool listen, const char *opts, uint16_t tcid, uint16_t tmps, uint16_t tcr)
{
	if (listen && !lt_iut(t, NULL, 0, "listen psm=%u transport=le mode=le%s%s", t->psm, *opts ? " " : "", opts))
		return 0;
	int opened = t->obs.opened;
	struct lt_le_conn rq = {.spsm = t->psm, .cid = tcid, .mtu = 512, .mps = tmps, .credits = tcr}, rsp;
	if (!lt_le_connect(t, &rq, &rsp))
		return 0;
	if (rsp.result != 0)
		return lt_inconclusive(t, "the IUT refused the channel (result 0x%04x)", rsp.result), 0;
	if (!lt_iut_wait_open(t, opened + 1, 3000, "the channel open"))
		return 0;
	return rsp.cid;
}

/* The next PDU on cid must be exactly [sdu_len] + data. */
static bool kframe_on(struct lt *t, uint16_t cid, int sdu_len, const uint8_t *data, size_t n)
{
	const struct lt_pdu *p = lt_next_on(t, cid, 3000);
	if (!p)
		return lt_fail(t, "no K-frame from the IUT on CID 0x%04x", cid);
	uint8_t w[2 + 256];
	size_t k = 0;
	if (sdu_len >= 0) {
		lt_put16(w, (uint16_t)sdu_len);
		k = 2;
	}
	memcpy(w + k, data, n);
	return lt_is(t, p, w, k + n, "the IUT's K-frame");
}

static void hexs(char *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

/* L2CAP/COS/CFC/BV-01-C: an SDU of 60 octets to a peer with MPS 23 goes as three K-frames: SDU
 * length + 21, 23, 16; nothing more. */
static void cfc_cos_bv01(struct lt *t)
{
	if (!cfc_open(t, true, "", TCID, 23, 10))
		return;
	uint8_t b[60];
	char h[121];
	for (int i = 0; i < 60; i++)
		b[i] = (uint8_t)(i ^ 0x5A);
	hexs(h, b, 60);
	if (!lt_iut(t, NULL, 0, "send chan=%d hex=%s", t->obs.chan, h))
		return;
	if (kframe_on(t, TCID, 60, b, 21) && kframe_on(t, TCID, -1, b + 21, 23) && kframe_on(t, TCID, -1, b + 44, 16))
		lt_quiet(t, 300);
}

/* L2CAP/COS/CFC/BV-02-C: a small SDU goes in one unsegmented K-frame. */
static void cfc_cos_bv02(struct lt *t)
{
	if (!cfc_open(t, true, "", TCID, 23, 10) || !lt_iut(t, NULL, 0, "send chan=%d hex=68656c6c6f", t->obs.chan))
		return;
	if (kframe_on(t, TCID, 5, (const uint8_t *)"hello", 5))
		lt_quiet(t, 300);
}

/* L2CAP/COS/CFC/BV-03-C: a 150-octet SDU in seven K-frames with only 4 initial credits: the IUT
 * returns credits while the SDU is in progress and delivers it whole. */
static void cfc_cos_bv03(struct lt *t)
{
	uint16_t icid = cfc_open(t, true, "mtu=200 mps=23 credits=4", TCID, 23, 10);
	if (!icid)
		return;
	uint8_t b[150];
	for (int i = 0; i < 150; i++)
		b[i] = (uint8_t)(i * 3 + 1);
	int credits = 4;
	size_t off = 0;
	while (off < sizeof(b)) {
		if (!credits) {
			const struct lt_pdu *p = lt_expect_sig(t, 0x16, 3000);
			if (!p)
				return;
			if (p->len != 8 || lt_get16(p->data + 4) != icid || lt_get16(p->data + 6) == 0)
				return (void)lt_fail(t, "the Flow Control Credit Indication is not for CID 0x%04x or gives none", icid);
			credits += lt_get16(p->data + 6);
			continue;
		}
		if (off == 0) {
			lt_send_kframe(t, icid, 150, b, 21);
			off = 21;
		} else {
			size_t k = sizeof(b) - off < 23 ? sizeof(b) - off : 23;
			lt_send_kframe(t, icid, -1, b + off, k);
			off += k;
		}
		credits--;
		lt_run(t, 1);
	}
	if (!lt_iut_wait_sdus(t, 1, 3000, "the 150-octet SDU"))
		return;
	if (t->obs.len != 150 || memcmp(t->obs.data, b, 150) || t->obs.closed)
		lt_fail(t, "the IUT's application got %zu octets (closed %d), not our 150", t->obs.len, t->obs.closed);
}

/* L2CAP/COS/CFC/BV-04-C: an SDU carried in a single K-frame is delivered. */
static void cfc_cos_bv04(struct lt *t)
{
	uint16_t icid = cfc_open(t, true, "", TCID, 23, 10);
	if (!icid)
		return;
	lt_send_kframe(t, icid, 7, (const uint8_t *)"payload", 7);
	if (lt_iut_wait_sdus(t, 1, 3000, "our SDU") && (t->obs.len != 7 || memcmp(t->obs.data, "payload", 7)))
		lt_fail(t, "the IUT's application got %zu octets, not 'payload'", t->obs.len);
}

/* L2CAP/COS/CFC/BV-05-C: two channels on one SPSM keep interleaved streams apart both ways. */
static void cfc_cos_bv05(struct lt *t)
{
	uint16_t ia = cfc_open(t, true, "mtu=200 mps=23 credits=10", 0x0040, 23, 10);
	int ca = t->obs.chan;
	uint16_t ib = ia ? cfc_open(t, false, "", 0x0041, 23, 10) : 0;
	int cb = t->obs.chan;
	if (!ia || !ib)
		return;
	if (ia == ib || ca == cb || ca <= 0 || ca >= 8 || cb <= 0 || cb >= 8)
		return (void)lt_fail(t, "the two channels share a CID (0x%04x) or a chan", ia);
	uint8_t x[40], y[40];
	for (int i = 0; i < 40; i++) {
		x[i] = (uint8_t)('A' + i % 26);
		y[i] = (uint8_t)('a' + i % 26);
	}
	lt_send_kframe(t, ia, 40, x, 21);
	lt_send_kframe(t, ib, 40, y, 21);
	lt_send_kframe(t, ia, -1, x + 21, 19);
	lt_send_kframe(t, ib, -1, y + 21, 19);
	if (!lt_iut_wait_sdus(t, 2, 3000, "both SDUs"))
		return;
	if (t->obs.per[ca].len != 40 || memcmp(t->obs.per[ca].d, x, 40) || t->obs.per[cb].len != 40 ||
	    memcmp(t->obs.per[cb].d, y, 40))
		return (void)lt_fail(t, "the interleaved SDUs were mixed up between the channels");
	if (lt_iut(t, NULL, 0, "send chan=%d hex=746f2d62", cb))
		kframe_on(t, 0x0041, 4, (const uint8_t *)"to-b", 4);
}

/* The IUT must send exactly this Disconnection Request for the channel (DCID our CID, SCID its
 * own); the tester confirms and the IUT's application hears "protocol". */
static bool violation_disconnects(struct lt *t, uint16_t icid, const char *what)
{
	const struct lt_pdu *p = lt_next_on(t, 0x0005, 3000);
	if (!p || p->len < 4 || p->data[0] != 0x06)
		return lt_fail(t, "the IUT did not disconnect after %s", what);
	uint8_t want[8] = {0x06, p->data[1], 0x04, 0x00, 0x40, 0x00, 0, 0};
	lt_put16(want + 6, icid);
	if (!lt_is(t, p, want, 8, "the IUT's Disconnection Request"))
		return false;
	uint8_t d[4] = {0x40, 0x00, 0, 0};
	lt_put16(d + 2, icid);
	lt_send_sig(t, 0x07, p->data[1], d, 4);
	if (!lt_iut_wait_closed(t, 1, 3000, "the channel closed"))
		return false;
	if (strcmp(t->obs.reason, "protocol"))
		return lt_fail(t, "the IUT's application saw the close as '%s', not 'protocol'", t->obs.reason);
	return true;
}

/* L2CAP/LE/CFC/BV-07-C: the IUT hands out credits as it consumes K-frames (Flow Control Credit
 * Indications naming its CID), so the tester can send far past the initial 4. */
static void lecfc_bv07(struct lt *t)
{
	uint16_t icid = cfc_open(t, true, "mtu=100 mps=50 credits=4", TCID, 50, 10);
	if (!icid)
		return;
	int credits = 4, sent = 0, indications = 0;
	while (sent < 20) {
		if (credits == 0) {
			const struct lt_pdu *p = lt_expect_sig(t, 0x16, 3000);
			if (!p)
				return;
			if (p->len != 8 || lt_get16(p->data + 4) != icid || lt_get16(p->data + 6) == 0)
				return (void)lt_fail(t, "the Flow Control Credit Indication is not for CID 0x%04x or gives none", icid);
			credits += lt_get16(p->data + 6);
			indications++;
			continue;
		}
		uint8_t b[4] = {(uint8_t)sent, 1, 2, 3};
		lt_send_kframe(t, icid, 4, b, 4);
		credits--;
		sent++;
		lt_run(t, 1);
	}
	if (lt_iut_wait_sdus(t, 20, 3000, "our 20 SDUs") && (indications < 4 || t->obs.closed))
		lt_fail(t, "%d credit indications (4 at least expected), closed %d", indications, t->obs.closed);
}

/* L2CAP/LE/CFC/BI-01-C: credits that would take the IUT's count past 65535 make it disconnect. */
static void lecfc_bi01(struct lt *t)
{
	uint16_t icid = cfc_open(t, true, "", TCID, 50, 65000);
	if (!icid)
		return;
	static const uint8_t ok[4] = {0x40, 0x00, 0x17, 0x02}, over[4] = {0x40, 0x00, 0x01, 0x00};
	lt_send_sig(t, 0x16, 0x32, ok, 4); /* +535: exactly 65535 */
	if (!lt_quiet_sig(t, 500))
		return;
	lt_send_sig(t, 0x16, 0x33, over, 4);
	violation_disconnects(t, icid, "credits past 65535");
}

/* L2CAP/LE/CFC/BV-26-C: an SDU length over the IUT's MTU (100) makes it disconnect. */
static void lecfc_bv26(struct lt *t)
{
	uint16_t icid = cfc_open(t, true, "mtu=100 mps=50 credits=10", TCID, 50, 10);
	uint8_t b[40] = {0};
	if (!icid)
		return;
	lt_send_kframe(t, icid, 101, b, 40);
	if (violation_disconnects(t, icid, "an SDU length of 101 over its MTU of 100") && t->obs.sdus)
		lt_fail(t, "the IUT's application received an SDU");
}

/* L2CAP/LE/CFC/BV-27-C: a K-frame whose payload is over the IUT's MPS (50: 2 + 49 octets) makes it
 * disconnect; one of exactly 50 is fine. */
static void lecfc_bv27(struct lt *t)
{
	uint16_t icid = cfc_open(t, true, "mtu=100 mps=50 credits=10", TCID, 50, 10);
	uint8_t b[49] = {0};
	if (!icid)
		return;
	lt_send_kframe(t, icid, 48, b, 48);
	if (!lt_iut_wait_sdus(t, 1, 3000, "a K-frame of exactly the MPS"))
		return;
	lt_send_kframe(t, icid, 60, b, 49);
	if (violation_disconnects(t, icid, "a K-frame of 51 octets over its MPS of 50") && t->obs.sdus != 1)
		lt_fail(t, "the IUT's application received %d SDUs, not 1", t->obs.sdus);
}

/* L2CAP/LE/CFC/BV-28-C: continuation K-frames adding up past the SDU length make the IUT
 * disconnect; nothing of that SDU is delivered. */
static void lecfc_bv28(struct lt *t)
{
	uint16_t icid = cfc_open(t, true, "mtu=100 mps=50 credits=10", TCID, 50, 10);
	uint8_t b[48] = {0};
	if (!icid)
		return;
	lt_send_kframe(t, icid, 60, b, 48);
	lt_send_kframe(t, icid, -1, b, 13); /* 48 + 13 = 61 > 60 */
	if (violation_disconnects(t, icid, "segments adding up to 61 for an SDU of 60") && t->obs.sdus)
		lt_fail(t, "the IUT's application received an SDU");
}

/* L2CAP/LE/CFC/BV-30-C: an LE Credit Based Connection Request split over two ACL fragments is
 * rebuilt and answered success. */
static void lecfc_bv30(struct lt *t)
{
	if (!lt_iut(t, NULL, 0, "listen psm=%u transport=le mode=le", t->psm))
		return;
	uint8_t f[18] = {0x0E, 0x00, 0x05, 0x00, 0x14, 0x34, 0x0A, 0x00, 0, 0, 0x40, 0x00, 0x64, 0x00, 0x32, 0x00, 0x05, 0x00};
	lt_put16(f + 8, t->psm);
	lt_send_acl(t, 0x0, f, 9);
	if (!lt_quiet_sig(t, 300))
		return;
	lt_send_acl(t, 0x1, f + 9, 9);
	const struct lt_pdu *p = lt_expect_sig(t, 0x15, 3000);
	if (!p)
		return;
	if (p->len != 14 || p->data[1] != 0x34 || lt_get16(p->data + 12) != 0)
		return (void)lt_fail(t, "the split request was not answered success with its identifier 0x34");
	lt_iut_wait_open(t, 1, 3000, "the channel open");
}

/* L2CAP/LE/CFC/BV-31-C: a K-frame delivered in two ACL fragments is recombined and its SDU passed
 * up whole. */
static void lecfc_bv31(struct lt *t)
{
	uint16_t icid = cfc_open(t, true, "mtu=100 mps=50 credits=10", TCID, 50, 10);
	if (!icid)
		return;
	uint8_t f[4 + 2 + 30];
	lt_put16(f, 32);
	lt_put16(f + 2, icid);
	lt_put16(f + 4, 30);
	for (int i = 0; i < 30; i++)
		f[6 + i] = (uint8_t)(0x30 + i);
	lt_send_acl(t, 0x0, f, 7);
	lt_send_acl(t, 0x1, f + 7, sizeof(f) - 7);
	if (lt_iut_wait_sdus(t, 1, 3000, "the K-frame in two fragments") && (t->obs.len != 30 || memcmp(t->obs.data, f + 6, 30)))
		lt_fail(t, "the IUT's application got %zu octets, not our 30", t->obs.len);
}

/* L2CAP/LE/CFC/BV-32-C: SDUs around the MPS (23): 21 fits one K-frame with its SDU length, 22
 * and 23 need two, 44/45/46 two or three; the IUT takes them all, keeps the channel, and segments
 * its own the same way for a peer MPS of 23. */
static void lecfc_bv32(struct lt *t)
{
	uint16_t icid = cfc_open(t, true, "mtu=200 mps=23 credits=40", TCID, 23, 40);
	if (!icid)
		return;
	int c = t->obs.chan;
	static const size_t sizes[] = {21, 22, 23, 44, 45, 46};
	uint8_t b[64];
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i + 1);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i], off = n < 21 ? n : 21;
		lt_send_kframe(t, icid, (int)n, b, off);
		while (off < n) {
			size_t k = n - off < 23 ? n - off : 23;
			lt_send_kframe(t, icid, -1, b + off, k);
			off += k;
		}
		if (!lt_iut_wait_sdus(t, (int)i + 1, 3000, "our SDU"))
			return;
		if (t->obs.len != n || memcmp(t->obs.data, b, n))
			return (void)lt_fail(t, "the IUT's application got %zu octets for our %zu", t->obs.len, n);
	}
	if (t->obs.closed)
		return (void)lt_fail(t, "the IUT closed the channel");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		char h[2 * 64 + 1];
		hexs(h, b, n);
		if (!lt_iut(t, NULL, 0, "send chan=%d hex=%s", c, h) || !kframe_on(t, TCID, (int)n, b, 21))
			return;
		for (size_t off = 21; off < n; off += 23)
			if (!kframe_on(t, TCID, -1, b + off, n - off < 23 ? n - off : 23))
				return;
	}
	lt_quiet(t, 300);
}

/* L2CAP/LE/CFC/BV-29-C: the IUT takes its Source CIDs from the LE dynamic range 0x0040-0x007F,
 * a different one for each channel (4 channels). */
static void lecfc_bv29(struct lt *t)
{
	char a[18];
	uint16_t seen[4];
	l2k_addr_str(&t->tst_addr, a);
	for (int i = 0; i < 4; i++) {
		if (!lt_iut(t, NULL, 0, "connect addr=%s transport=le-public psm=%u mode=le", a, t->psm))
			return;
		const struct lt_pdu *p = lt_expect_sig(t, 0x14, 5000);
		if (!p)
			return;
		if (p->len != 14)
			return (void)lt_fail(t, "LE Credit Based Connection Request of %zu octets", p->len);
		uint16_t scid = lt_get16(p->data + 6);
		if (scid < 0x0040 || scid > 0x007F)
			return (void)lt_fail(t, "SCID 0x%04x is outside the LE dynamic range 0x0040-0x007F", scid);
		for (int k = 0; k < i; k++)
			if (seen[k] == scid)
				return (void)lt_fail(t, "SCID 0x%04x used twice", scid);
		seen[i] = scid;
		uint8_t d[10] = {0};
		lt_put16(d, (uint16_t)(TCID + i));
		lt_put16(d + 2, 100);
		lt_put16(d + 4, 50);
		lt_put16(d + 6, 5);
		lt_send_sig(t, 0x15, p->data[1], d, 10);
		if (!lt_iut_wait_open(t, i + 1, 3000, "the channel open"))
			return;
	}
}

const struct lt_case lt_cases_le[] = {
    {"L2CAP/COS/CED/BI-05-C", "COS/CED", LT_LE, "IUT listens", ced_bi05, NULL, false},
    {"L2CAP/COS/CED/BI-09-C", "COS/CED", LT_LE, "IUT listens", ced_bi09, NULL, false},
    {"L2CAP/COS/CED/BI-13-C", "COS/CED", LT_LE, "IUT listens", ced_bi13, NULL, false},
    {"L2CAP/COS/CED/BI-16-C", "COS/CED", LT_LE, "IUT listens", ced_bi16, NULL, false},
    {"L2CAP/COS/CED/BI-17-C", "COS/CED", LT_LE, "IUT listens", ced_bi17, NULL, false},
    {"L2CAP/COS/CED/BI-29-C", "COS/CED", LT_LE, "IUT connects, sends 4 SDUs", ced_bi29, NULL, false},
    {"L2CAP/COS/CFC/BV-01-C", "COS/CFC", LT_LE, "IUT listens, sends 60 octets", cfc_cos_bv01, NULL, false},
    {"L2CAP/COS/CFC/BV-02-C", "COS/CFC", LT_LE, "IUT listens, sends", cfc_cos_bv02, NULL, false},
    {"L2CAP/COS/CFC/BV-03-C", "COS/CFC", LT_LE, "IUT listens (MTU 200, MPS 23, 4 credits)", cfc_cos_bv03, NULL, false},
    {"L2CAP/COS/CFC/BV-04-C", "COS/CFC", LT_LE, "IUT listens", cfc_cos_bv04, NULL, false},
    {"L2CAP/COS/CFC/BV-05-C", "COS/CFC", LT_LE, "IUT listens, two channels", cfc_cos_bv05, NULL, false},
    {"L2CAP/LE/CFC/BV-01-C", "LE/CFC", LT_LE, "IUT connects", cfc_bv01, NULL, false},
    {"L2CAP/LE/CFC/BV-02-C", "LE/CFC", LT_LE, "IUT connects (MTU 512, MPS 100, 7 credits)", cfc_bv02, NULL, false},
    {"L2CAP/LE/CFC/BV-03-C", "LE/CFC", LT_LE, "IUT listens (MTU 300, MPS 60, 9 credits)", cfc_bv03, NULL, false},
    {"L2CAP/LE/CFC/BV-04-C", "LE/CFC", LT_LE, "IUT connects, refused 0x0002", cfc_bv04, NULL, false},
    {"L2CAP/LE/CFC/BV-05-C", "LE/CFC", LT_LE, "IUT answers (SPSM 0x00F1 not served)", cfc_bv05, NULL, false},
    {"L2CAP/LE/CFC/BV-06-C", "LE/CFC", LT_LE, "IUT listens, sends 3 SDUs with 1 credit", cfc_bv06, NULL, false},
    {"L2CAP/LE/CFC/BV-07-C", "LE/CFC", LT_LE, "IUT listens (MTU 100, MPS 50, 4 credits)", lecfc_bv07, NULL, false},
    {"L2CAP/LE/CFC/BV-08-C", "LE/CFC", LT_LE, "IUT listens, disconnects", cfc_bv08, NULL, false},
    {"L2CAP/LE/CFC/BV-09-C", "LE/CFC", LT_LE, "IUT listens", cfc_bv09, NULL, false},
    {"L2CAP/LE/CFC/BV-10-C", "LE/CFC", LT_LE, "IUT connects, refused 0x0005", cfc_bv10, NULL, false},
    {"L2CAP/LE/CFC/BV-12-C", "LE/CFC", LT_LE, "IUT connects, refused 0x0006", cfc_bv12, NULL, false},
    {"L2CAP/LE/CFC/BV-13-C", "LE/CFC", LT_LE, "IUT listens, refuses with 0x0006", cfc_bv13, NULL, false},
    {"L2CAP/LE/CFC/BV-14-C", "LE/CFC", LT_LE, "IUT connects, refused 0x0007", cfc_bv14, NULL, false},
    {"L2CAP/LE/CFC/BV-16-C", "LE/CFC", LT_LE, "IUT connects, refused 0x0004", cfc_bv16, NULL, false},
    {"L2CAP/LE/CFC/BV-18-C", "LE/CFC", LT_LE, "IUT connects, refused 0x0009", cfc_bv18, NULL, false},
    {"L2CAP/LE/CFC/BV-19-C", "LE/CFC", LT_LE, "IUT connects, refused 0x000A", cfc_bv19, NULL, false},
    {"L2CAP/LE/CFC/BV-20-C", "LE/CFC", LT_LE, "IUT listens", cfc_bv20, NULL, false},
    {"L2CAP/LE/CFC/BV-21-C", "LE/CFC", LT_LE, "IUT connects, refused 0x000B", cfc_bv21, NULL, false},
    {"L2CAP/LE/CFC/BV-22-C", "LE/CFC", LT_LE, "IUT connects, refused 0x0002", cfc_bv22, NULL, false},
    {"L2CAP/LE/CFC/BV-23-C", "LE/CFC", LT_LE, "IUT listens", cfc_bv23, NULL, false},
    {"L2CAP/LE/CFC/BV-24-C", "LE/CFC", LT_LE, "IUT connects, refused 0x0008", cfc_bv24, NULL, false},
    {"L2CAP/LE/CFC/BV-26-C", "LE/CFC", LT_LE, "IUT listens (MTU 100, MPS 50)", lecfc_bv26, NULL, false},
    {"L2CAP/LE/CFC/BV-27-C", "LE/CFC", LT_LE, "IUT listens (MTU 100, MPS 50)", lecfc_bv27, NULL, false},
    {"L2CAP/LE/CFC/BV-28-C", "LE/CFC", LT_LE, "IUT listens (MTU 100, MPS 50)", lecfc_bv28, NULL, false},
    {"L2CAP/LE/CFC/BV-29-C", "LE/CFC", LT_LE, "IUT connects 4 channels", lecfc_bv29, NULL, false},
    {"L2CAP/LE/CFC/BV-30-C", "LE/CFC", LT_LE, "IUT listens", lecfc_bv30, NULL, false},
    {"L2CAP/LE/CFC/BV-31-C", "LE/CFC", LT_LE, "IUT listens (MTU 100, MPS 50)", lecfc_bv31, NULL, false},
    {"L2CAP/LE/CFC/BV-32-C", "LE/CFC", LT_LE, "IUT listens (MTU 200, MPS 23), sends", lecfc_bv32, NULL, false},
    {"L2CAP/LE/CFC/BI-01-C", "LE/CFC", LT_LE, "IUT listens", lecfc_bi01, NULL, false},
    {"L2CAP/LE/CPU/BV-01-C", "LE/CPU", LT_LE, "IUT (peripheral) asks for new parameters", cpu_bv01, NULL, false},
    {"L2CAP/LE/CPU/BV-02-C", "LE/CPU", LT_LE, "IUT (central) creates the link", cpu_bv02, NULL, true},
    {"L2CAP/LE/CPU/BI-01-C", "LE/CPU", LT_LE, "IUT (central) creates the link", cpu_bi01, NULL, true},
    {"L2CAP/LE/CPU/BI-02-C", "LE/CPU", LT_LE, "IUT (peripheral) answers", cpu_bi02, NULL, false},
    {"L2CAP/LE/REJ/BI-01-C", "LE/REJ", LT_LE, "IUT answers", rej_bi01, NULL, false},
    {"L2CAP/LE/REJ/BI-02-C", "LE/REJ", LT_LE, "IUT answers", rej_bi02, NULL, false},
    {NULL, NULL, LT_ANY, NULL, NULL, NULL, false},
};
