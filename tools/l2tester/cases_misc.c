/* l2tester's cases of the smaller groups: CLS (connectionless data on CID 0x0002, Vol 3 Part A
 * 3.2, 7.6), COS/CID and LE/CID (channel identifiers, 2.1), COS/CED/BI-11 (LE commands of wrong
 * lengths), LE/CFC/BV-17 (no CID left), the refusals of a server whose security the link lacks
 * (LE/CFC/BV-11, ECFC/BV-11: GAP's Table 10.2, Vol 3 Part C 10.3.1), and the not-applicable
 * entries of the AMP era and of ATT/EATT's collision back-off.  Each case plays the lower
 * tester of L2CAP.TS and checks every byte the IUT sends (lt.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/l2tester/cases.h"

#define TCID 0x0040 /* the tester's CID */

/* ---- CLS: connectionless data ---------------------------------------------------------------- */

/* A G-frame from the tester: the PSM, then the data (3.2). */
static void gframe(struct lt *t, uint16_t psm, const char *s)
{
	uint8_t b[2 + 64];
	size_t n = strlen(s);
	lt_put16(b, psm);
	memcpy(b + 2, s, n);
	lt_send(t, 0x0002, b, 2 + n);
}

/* The IUT's application must have received its n-th connectionless SDU: psm and exactly s. */
static bool cl_got(struct lt *t, int n, uint16_t psm, const char *s)
{
	if (!lt_iut_wait_cl(t, n, 2000, "the connectionless data"))
		return false;
	size_t k = strlen(s);
	if (t->obs.cl_sdus != n)
		return lt_fail(t, "the IUT's application received %d connectionless SDUs, expected %d", t->obs.cl_sdus, n);
	if (t->obs.cl_psm != psm || t->obs.cl_len != k || memcmp(t->obs.cl_data, s, k))
		return lt_fail(t, "the IUT's application received %zu octets for PSM 0x%04x, expected '%s' (%zu octets) for "
				  "0x%04x: the PSM field (3.2) is not the data",
			       t->obs.cl_len, t->obs.cl_psm, s, k, psm);
	return true;
}

/* The next PDU on CID 0x0002 must be the G-frame psm + s exactly. */
static bool expect_gframe(struct lt *t, uint16_t psm, const char *s)
{
	const struct lt_pdu *p = lt_next_on(t, 0x0002, 2000);
	if (!p)
		return lt_fail(t, "no G-frame from the IUT on the connectionless CID 0x0002");
	uint8_t w[2 + 64];
	size_t n = strlen(s);
	lt_put16(w, psm);
	memcpy(w + 2, s, n);
	return lt_is(t, p, w, 2 + n, "the IUT's G-frame (PSM, then the data)");
}

/* L2CAP/CLS/UCD/BV-01-C: unicast connectionless data for the PSM the IUT's application takes
 * reaches it without the PSM field; nothing is answered. */
static void cls_ucd_bv01(struct lt *t)
{
	if (!lt_iut(t, NULL, 0, "cl-listen psm=%u", t->psm))
		return;
	gframe(t, t->psm, "connectionless");
	if (cl_got(t, 1, t->psm, "connectionless"))
		lt_quiet(t, 300);
}

/* L2CAP/CLS/UCD/BV-02-C: the IUT sends unicast connectionless data on an unencrypted link: one
 * G-frame on CID 0x0002, the PSM first.  A PSM that is not valid (even: 4.2) never reaches the
 * air: the IUT refuses to send it, or at least sends no G-frame with it. */
static void cls_ucd_bv02(struct lt *t)
{
	char a[18];
	if (!lt_iut(t, NULL, 0, "cl-send addr=%s psm=%u hex=756364", l2k_addr_str(&t->tst_addr, a), t->psm))
		return;
	if (!expect_gframe(t, t->psm, "ucd"))
		return;
	char ans[128];
	int r = lt_iut_try(t, ans, sizeof(ans), "cl-send addr=%s psm=4098 hex=78", a);
	if (r == 0 && t->iut_is_l2kit)
		return (void)lt_fail(t, "l2kit sent connectionless data to PSM 0x1002, which is not valid (4.2: odd, the "
					"upper octet even)");
	const struct lt_pdu *p = lt_next(t, 300);
	if (p && p->cid == 0x0002 && p->len >= 2 && lt_get16(p->data) == 0x1002)
		lt_fail(t, "the IUT sent a G-frame for PSM 0x1002, which is not valid (4.2: PSMs are odd)");
	else if (p)
		lt_fail(t, "expected no frame from the IUT, got one on cid 0x%04x (%zu octets)", p->cid, p->len);
}

/* L2CAP/CLS/CLR/BV-01-C: connectionless data both ways, several G-frames in order. */
static void cls_clr_bv01(struct lt *t)
{
	char a[18];
	if (!lt_iut(t, NULL, 0, "cl-listen psm=%u", t->psm))
		return;
	gframe(t, t->psm, "one");
	if (!cl_got(t, 1, t->psm, "one"))
		return;
	gframe(t, t->psm, "two");
	if (!cl_got(t, 2, t->psm, "two"))
		return;
	if (!lt_iut(t, NULL, 0, "cl-send addr=%s psm=%u hex=6261636b", l2k_addr_str(&t->tst_addr, a), t->psm))
		return;
	if (expect_gframe(t, t->psm, "back"))
		lt_quiet(t, 300);
}

/* L2CAP/CLS/CID/BV-01-C: connectionless traffic the IUT does not serve is ignored: a G-frame
 * while its application takes none, one for another PSM, one too short to hold a PSM, data on
 * the AMP-era CIDs 0x0003 / 0x003F and on reserved fixed CIDs.  No answer, nothing delivered, and
 * the PSM it takes still works. */
static void cls_cid_bv01(struct lt *t)
{
	gframe(t, t->psm, "nobody");
	if (!lt_quiet(t, 300) || !lt_iut(t, NULL, 0, "cl-listen psm=%u", t->psm))
		return;
	gframe(t, (uint16_t)(t->psm + 2), "other psm");
	static const uint8_t one[1] = {0x01}, d[4] = {1, 2, 3, 4};
	lt_send(t, 0x0002, one, 1);
	static const uint16_t cids[] = {0x0003, 0x003F, 0x0008, 0x0030};
	for (size_t i = 0; i < sizeof(cids) / sizeof(cids[0]); i++)
		lt_send(t, cids[i], d, 4);
	if (!lt_quiet(t, 500))
		return;
	if (t->iut->events && t->obs.cl_sdus)
		return (void)lt_fail(t, "the IUT's application received %d connectionless SDUs it does not take "
					"(last: %zu octets for PSM 0x%04x)", t->obs.cl_sdus, t->obs.cl_len, t->obs.cl_psm);
	gframe(t, t->psm, "ok");
	cl_got(t, 1, t->psm, "ok");
}

/* ---- COS/CID, LE/CID: channel identifiers ---------------------------------------------------- */

/* Data that would be a well-formed Information Request on a signaling channel: a stack that
 * took an unassigned CID for one would answer it. */
static const uint8_t looks_like_sig[6] = {0x0A, 0x01, 0x02, 0x00, 0x02, 0x00};

/* After the tester sent to unassigned CIDs: nothing came back, the link is up, the IUT's channel
 * (chan) did not close and still carries data both ways (in: what the tester sends on icid;
 * le: as K-frames). */
static void channel_still_works(struct lt *t, uint16_t icid, int chan)
{
	if (!lt_quiet(t, 1000))
		return;
	if (t->link_down)
		return (void)lt_fail(t, "the link went down (reason 0x%02x)", t->link_down_reason);
	if (t->iut->events && t->obs.closed)
		return (void)lt_fail(t, "the IUT closed its channel (%s)", t->obs.reason);
	int before = t->obs.sdus;
	if (t->le)
		lt_send_kframe(t, icid, 2, (const uint8_t *)"ok", 2);
	else
		lt_send(t, icid, (const uint8_t *)"ok", 2);
	if (!lt_iut_wait_sdus(t, before + 1, 2000, "the SDU on its channel"))
		return;
	if (t->obs.len != 2 || memcmp(t->obs.data, "ok", 2))
		return (void)lt_fail(t, "the IUT's application received %zu octets, not our 'ok'", t->obs.len);
	if (!lt_iut(t, NULL, 0, "send chan=%d hex=6261636b", chan))
		return;
	const struct lt_pdu *p = lt_next_on(t, TCID, 2000);
	static const uint8_t bk[4] = {'b', 'a', 'c', 'k'}, kbk[6] = {0x04, 0x00, 'b', 'a', 'c', 'k'};
	if (t->le)
		lt_is(t, p, kbk, 6, "the IUT's K-frame (SDU length, data)");
	else
		lt_is(t, p, bk, 4, "the IUT's B-frame");
}

/* L2CAP/COS/CID/BI-01-C: ACL-U packets to CIDs that are not assigned (the null CID, the AMP-era
 * 0x0003 and 0x003F, reserved fixed CIDs, dynamic CIDs with no channel) are dropped silently:
 * no answer, and the link and the open channel keep working. */
static void cos_cid_bi01(struct lt *t)
{
	if (!lt_iut(t, NULL, 0, "listen psm=%u transport=bredr mode=basic", t->psm))
		return;
	uint16_t icid = lt_open_bredr(t, t->psm, TCID, NULL, 0);
	if (!icid || !lt_iut_wait_open(t, 1, 3000, "the channel open"))
		return;
	int chan = t->obs.chan;
	uint16_t cids[] = {0x0000, 0x0003, 0x0008, 0x0010, 0x003E, 0x003F, (uint16_t)(icid + 1),
			   (uint16_t)(icid ^ 0x0100), 0xFFFF};
	for (size_t i = 0; i < sizeof(cids) / sizeof(cids[0]); i++)
		if (cids[i] != icid)
			lt_send(t, cids[i], looks_like_sig, sizeof(looks_like_sig));
	channel_still_works(t, icid, chan);
}

/* L2CAP/LE/CID/BI-01-C: LE-U packets to CIDs that are not assigned on LE (the null CID, the
 * BR/EDR-only 0x0001-0x0003, reserved fixed CIDs, a dynamic CID with no channel, CIDs above the
 * LE dynamic range) are dropped silently; the link and the open channel keep working. */
static void le_cid_bi01(struct lt *t)
{
	if (!lt_iut(t, NULL, 0, "listen psm=%u transport=le mode=le", t->psm))
		return;
	struct lt_le_conn rq = {.spsm = t->psm, .cid = TCID, .mtu = 100, .mps = 50, .credits = 5}, rsp;
	if (!lt_le_connect(t, &rq, &rsp))
		return;
	if (rsp.result != 0)
		return (void)lt_inconclusive(t, "the IUT refused the channel (result 0x%04x)", rsp.result);
	if (!lt_iut_wait_open(t, 1, 3000, "the channel open"))
		return;
	int chan = t->obs.chan;
	uint16_t cids[] = {0x0000, 0x0001, 0x0002, 0x0003, 0x0007, 0x0020, 0x003F, (uint16_t)(rsp.cid ^ 0x0001),
			   0x0080, 0x0100, 0xFFFF};
	for (size_t i = 0; i < sizeof(cids) / sizeof(cids[0]); i++)
		lt_send(t, cids[i], looks_like_sig, sizeof(looks_like_sig));
	channel_still_works(t, rsp.cid, chan);
}

/* The IUT opens a Basic channel to the tester's PSM 0x1001, the tester answering with its CID
 * tcid and configuring it both ways: the IUT's SCID (checked to be dynamic, 2.1), its chan= in
 * *chan; 0 with the verdict set. */
static uint16_t iut_opens(struct lt *t, uint16_t tcid, int *chan)
{
	char a[18], ans[64];
	int opened = t->obs.opened;
	if (!lt_iut(t, ans, sizeof(ans), "connect addr=%s transport=bredr psm=4097 mode=basic",
		    l2k_addr_str(&t->tst_addr, a)))
		return 0;
	*chan = strncmp(ans, "chan=", 5) ? 1 : (int)strtol(ans + 5, NULL, 10);
	uint16_t scid = lt_take_conn_req(t, 0x1001, tcid);
	if (!scid)
		return 0;
	const struct lt_pdu *p = lt_expect_sig(t, 0x04, 5000);
	if (!p)
		return 0;
	if (p->len < 8 || lt_get16(p->data + 4) != tcid || lt_get16(p->data + 6) != 0)
		return lt_fail(t, "the IUT's Configuration Request is not for our CID 0x%04x with flags 0", tcid), 0;
	uint8_t ok[6];
	lt_put16(ok, scid);
	lt_put16(ok + 2, 0);
	lt_put16(ok + 4, 0);
	lt_send_sig(t, 0x05, p->data[1], ok, 6);
	uint8_t rq[4];
	lt_put16(rq, scid);
	lt_put16(rq + 2, 0);
	uint8_t id = lt_ident(t);
	lt_send_sig(t, 0x04, id, rq, 4);
	p = lt_expect_sig(t, 0x05, 5000);
	if (!p)
		return 0;
	if (p->len < 10 || p->data[1] != id || lt_get16(p->data + 4) != tcid || lt_get16(p->data + 6) != 0 ||
	    lt_get16(p->data + 8) != 0)
		return lt_fail(t, "the IUT's Configuration Response is not a success for our CID (identifier, SCID, "
				  "flags or result)"), 0;
	if (!lt_iut_wait_open(t, opened + 1, 3000, "the channel open"))
		return 0;
	return scid;
}

/* L2CAP/COS/CID/BV-01-C (BlueZ's results only; the CSV: the IUT initiates a connection and uses
 * a dynamic CID): the IUT opens two channels; each Connection Request carries a dynamic SCID,
 * the two differ, and each channel carries its own data both ways on its CIDs. */
static void cos_cid_bv01(struct lt *t)
{
	int c1, c2;
	uint16_t s1 = iut_opens(t, TCID, &c1);
	if (!s1)
		return;
	uint16_t s2 = iut_opens(t, TCID + 1, &c2);
	if (!s2)
		return;
	if (s1 == s2)
		return (void)lt_fail(t, "the IUT's two channels have the same SCID 0x%04x (2.1: a CID names one channel)",
				     s1);
	if (!lt_iut(t, NULL, 0, "send chan=%d hex=6f6e65", c1) || !lt_iut(t, NULL, 0, "send chan=%d hex=74776f", c2))
		return;
	for (int i = 0; i < 2; i++) {
		uint16_t cid = i ? TCID + 1 : TCID;
		const struct lt_pdu *p = lt_next_on(t, cid, 2000);
		if (!lt_is(t, p, (const uint8_t *)(i ? "two" : "one"), 3, i ? "the second channel's B-frame" :
									     "the first channel's B-frame"))
			return;
	}
	lt_send(t, s2, (const uint8_t *)"2", 1);
	lt_send(t, s1, (const uint8_t *)"1", 1);
	if (!lt_iut_wait_sdus(t, 2, 2000, "the two SDUs"))
		return;
	if (c1 > 0 && c1 < 8 && c2 > 0 && c2 < 8 &&
	    (t->obs.per[c1].sdus != 1 || t->obs.per[c1].d[0] != '1' || t->obs.per[c2].sdus != 1 ||
	     t->obs.per[c2].d[0] != '2'))
		lt_fail(t, "the SDUs sent to SCIDs 0x%04x and 0x%04x did not reach their channels", s1, s2);
}

/* ---- LE/CID: one peer over BR/EDR and LE ---------------------------------------------------------
 * The case starts on the BR/EDR link; the tester adds an LE link to the IUT (which must be
 * connectable on LE with the same public address, as l2iut is) and the case switches between the
 * two (lt receives from one link at a time: the other's PDUs are not taken while it waits). */

/* L2CAP/LE/CID/BV-01-C: with a BR/EDR and an LE link to the tester, the IUT opens a channel on
 * each and the tester returns the same DCID 0x0040 on both (CIDs are per logical link, 2.1):
 * both open, and the data of each goes on its own link. */
static void le_cid_bv01(struct lt *t)
{
	struct lt_dual d;
	int cb;
	if (!lt_dual_up(t, &d))
		return;
	lt_dual_use(t, &d, false);
	if (!iut_opens(t, TCID, &cb))
		return;
	lt_dual_use(t, &d, true);
	char a[18], ans[64];
	if (!lt_iut(t, ans, sizeof(ans), "connect addr=%s transport=le-public psm=128 mode=le mtu=100 mps=50 credits=5",
		    l2k_addr_str(&t->tst_addr, a)))
		return;
	int cl = strncmp(ans, "chan=", 5) ? 1 : (int)strtol(ans + 5, NULL, 10);
	const struct lt_pdu *p = lt_expect_sig(t, 0x14, 5000);
	if (!p)
		return;
	uint16_t scid = p->len == 14 ? lt_get16(p->data + 6) : 0;
	uint8_t want[14] = {0x14, p->data[1], 0x0A, 0x00, 0x80, 0x00, 0, 0, 0x64, 0x00, 0x32, 0x00, 0x05, 0x00};
	lt_put16(want + 6, scid);
	if (!lt_is(t, p, want, 14, "the IUT's LE Credit Based Connection Request"))
		return;
	if (scid < 0x0040 || scid > 0x007F)
		return (void)lt_fail(t, "the IUT's SCID 0x%04x is outside the LE dynamic range 0x0040-0x007F", scid);
	uint8_t rsp[10] = {0x40, 0x00, 0x64, 0x00, 0x32, 0x00, 0x05, 0x00, 0x00, 0x00};
	lt_send_sig(t, 0x15, p->data[1], rsp, 10);
	if (!lt_iut_wait_open(t, 2, 3000, "the LE channel open"))
		return;
	if (!lt_iut(t, NULL, 0, "send chan=%d hex=6c65", cl))
		return;
	static const uint8_t kle[4] = {0x02, 0x00, 'l', 'e'};
	if (!lt_is(t, lt_next_on(t, TCID, 2000), kle, 4, "the IUT's K-frame on the LE link (to DCID 0x0040)"))
		return;
	lt_dual_use(t, &d, false);
	if (!lt_iut(t, NULL, 0, "send chan=%d hex=6272656472", cb))
		return;
	lt_is(t, lt_next_on(t, TCID, 2000), (const uint8_t *)"bredr", 5, "the IUT's B-frame on the BR/EDR link (to DCID 0x0040)");
}

/* L2CAP/LE/CID/BV-02-C (and the older interoperability variant BV-02-I): the tester asks for a
 * channel on each transport with the same SCID 0x0040: the IUT accepts both and keeps them
 * apart, each one's data to its own channel and link. */
static void le_cid_bv02(struct lt *t)
{
	struct lt_dual d;
	if (!lt_iut(t, NULL, 0, "listen psm=%u transport=bredr mode=basic", t->psm) ||
	    !lt_iut(t, NULL, 0, "listen psm=128 transport=le mode=le") || !lt_dual_up(t, &d))
		return;
	lt_dual_use(t, &d, false);
	uint16_t icid_b = lt_open_bredr(t, t->psm, TCID, NULL, 0);
	if (!icid_b || !lt_iut_wait_open(t, 1, 3000, "the BR/EDR channel open"))
		return;
	int cb = t->obs.chan;
	lt_dual_use(t, &d, true);
	struct lt_le_conn rq = {.spsm = 0x0080, .cid = TCID, .mtu = 100, .mps = 50, .credits = 5}, rsp;
	if (!lt_le_connect(t, &rq, &rsp))
		return;
	if (rsp.result != 0)
		return (void)lt_fail(t, "the IUT refused the LE channel with SCID 0x%04x (result 0x%04x): that CID is "
					"in use on the BR/EDR link only (2.1)", TCID, rsp.result);
	if (rsp.cid < 0x0040 || rsp.cid > 0x007F)
		return (void)lt_fail(t, "the IUT's DCID 0x%04x is outside the LE dynamic range", rsp.cid);
	if (!lt_iut_wait_open(t, 2, 3000, "the LE channel open"))
		return;
	int cl = t->obs.chan;
	lt_send_kframe(t, rsp.cid, 2, (const uint8_t *)"LE", 2);
	if (!lt_iut_wait_sdus(t, 1, 2000, "the SDU on the LE channel"))
		return;
	lt_dual_use(t, &d, false);
	lt_send(t, icid_b, (const uint8_t *)"BR", 2);
	if (!lt_iut_wait_sdus(t, 2, 2000, "the SDU on the BR/EDR channel"))
		return;
	if (cb > 0 && cb < 8 && cl > 0 && cl < 8 &&
	    (t->obs.per[cl].sdus != 1 || memcmp(t->obs.per[cl].d, "LE", 2) || t->obs.per[cb].sdus != 1 ||
	     memcmp(t->obs.per[cb].d, "BR", 2)))
		return (void)lt_fail(t, "the SDUs did not reach their channels (LE chan %d: %d SDUs, BR/EDR chan %d: %d)",
				     cl, t->obs.per[cl].sdus, cb, t->obs.per[cb].sdus);
	if (!lt_iut(t, NULL, 0, "send chan=%d hex=6272", cb) ||
	    !lt_is(t, lt_next_on(t, TCID, 2000), (const uint8_t *)"br", 2, "the IUT's B-frame on the BR/EDR link"))
		return;
	lt_dual_use(t, &d, true);
	static const uint8_t kle[4] = {0x02, 0x00, 'l', 'e'};
	if (lt_iut(t, NULL, 0, "send chan=%d hex=6c65", cl))
		lt_is(t, lt_next_on(t, TCID, 2000), kle, 4, "the IUT's K-frame on the LE link");
}

/* ---- COS/CED/BI-11: LE signaling commands of wrong lengths -------------------------------------- */

/* The next LE signaling command must be Command Reject "not understood" with this identifier. */
static bool not_understood(struct lt *t, uint8_t ident)
{
	const struct lt_pdu *p = lt_expect_sig(t, 0x01, 3000);
	uint8_t want[6] = {0x01, ident, 0x02, 0x00, 0x00, 0x00};
	return p && lt_is(t, p, want, 6, "the IUT's Command Reject");
}

/* After an indication of a wrong length (the Flow Control Credit Indication is no request):
 * nothing, or a Command Reject "not understood" with its identifier (4: a command not understood
 * may be rejected; the Linux kernel does). */
static bool indication_dropped(struct lt *t, uint8_t ident)
{
	const struct lt_pdu *p = lt_next(t, 500);
	if (!p)
		return true;
	uint8_t want[6] = {0x01, ident, 0x02, 0x00, 0x00, 0x00};
	if (p->cid == 0x0005 && p->len >= 1 && p->data[0] == 0x01)
		return lt_is(t, p, want, 6, "the IUT's Command Reject of the indication") && lt_quiet(t, 300);
	return lt_fail(t, "expected nothing (or a Command Reject) after the indication, got %zu octets on cid 0x%04x",
		       p->len, p->cid);
}

/* L2CAP/COS/CED/BI-11-C: as BI-10 on the LE signaling channel, to a central IUT: an LE Credit
 * Based Connection Request, a Disconnection Request and a Connection Parameter Update Request
 * shorter or longer than their fixed sizes are rejected "not understood" (4, 4.1) and not acted
 * on (no channel opens, the open one stays); a Flow Control Credit Indication of a wrong length
 * gives no credit. */
static void ced_bi11(struct lt *t)
{
	if (!lt_iut(t, NULL, 0, "listen psm=%u transport=le mode=le", t->psm))
		return;
	uint8_t d[12] = {0, 0, 0x40, 0x00, 0x64, 0x00, 0x40, 0x00, 0x05, 0x00, 0x00, 0x00};
	lt_put16(d, t->psm);
	static const struct {
		uint8_t code;
		size_t len;
	} bad[] = {
	    {0x14, 0}, {0x14, 9}, {0x14, 12}, {0x14, 8}, /* LE Credit Based Connection Request: 10 octets */
	    {0x06, 0}, {0x06, 3},			 /* Disconnection Request: 4 */
	    {0x12, 0}, {0x12, 7},			 /* Connection Parameter Update Request: 8 */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t id = (uint8_t)(0xA0 + i);
		lt_send_sig(t, bad[i].code, id, d, bad[i].len);
		if (!not_understood(t, id))
			return;
	}
	lt_send_sig(t, 0x16, 0xAF, d, 3);
	if (!indication_dropped(t, 0xAF))
		return;
	if (t->iut->events && t->obs.opened)
		return (void)lt_fail(t, "the IUT's application saw a channel open from a request of a wrong length");
	/* an open channel, no credit given to the IUT: a longer Disconnection Request does not close
	 * it, a longer Connection Parameter Update Request is not taken, a longer credit indication
	 * gives nothing */
	struct lt_le_conn rq = {.spsm = t->psm, .cid = TCID, .mtu = 100, .mps = 64, .credits = 0}, rsp;
	if (!lt_le_connect(t, &rq, &rsp))
		return;
	if (rsp.result != 0)
		return (void)lt_inconclusive(t, "the IUT refused the channel (result 0x%04x)", rsp.result);
	if (!lt_iut_wait_open(t, 1, 3000, "the channel open"))
		return;
	uint8_t dr[6] = {0, 0, 0x40, 0x00, 0x00, 0x00};
	lt_put16(dr, rsp.cid);
	lt_send_sig(t, 0x06, 0xB0, dr, 6);
	if (!not_understood(t, 0xB0))
		return;
	static const uint8_t cpu[10] = {0x18, 0x00, 0x28, 0x00, 0x00, 0x00, 0xF4, 0x01, 0x00, 0x00};
	lt_send_sig(t, 0x12, 0xB1, cpu, 10);
	if (!not_understood(t, 0xB1))
		return;
	uint8_t ci[6] = {0x40, 0x00, 0x05, 0x00, 0x00, 0x00};
	lt_put16(ci, rsp.cid);
	lt_send_sig(t, 0x16, 0xB2, ci, 6);
	if (!indication_dropped(t, 0xB2))
		return;
	if (t->iut->events && t->obs.closed)
		return (void)lt_fail(t, "the IUT closed the channel on a Disconnection Request of a wrong length");
	int chan = t->obs.chan;
	if (!lt_iut(t, NULL, 0, "send chan=%d hex=6869", chan))
		return;
	const struct lt_pdu *p = lt_next(t, 1000);
	if (p)
		return (void)lt_fail(t, "the IUT sent %zu octets on cid 0x%04x without a credit: the credit indication "
					"of a wrong length gave it some", p->len, p->cid);
	uint8_t ok[4];
	lt_put16(ok, rsp.cid);
	lt_put16(ok + 2, 1);
	lt_send_sig(t, 0x16, lt_ident(t), ok, 4);
	static const uint8_t hi[4] = {0x02, 0x00, 'h', 'i'};
	lt_is(t, lt_next_on(t, TCID, 2000), hi, 4, "the IUT's K-frame after a well-formed credit indication");
}

/* ---- LE/CFC/BV-17: no CID left ------------------------------------------------------------------ */

/* L2CAP/LE/CFC/BV-17-C: an IUT that cannot take another LE channel refuses the request with
 * "no resources available" (0x0004) and every other field 0 (4.23).  The IUT's own request
 * (left unanswered) holds one of its 64 LE dynamic CIDs; the tester asks for channels from each
 * of the other 63 CIDs of the range and one more: at most 63 can be accepted (l2kit: exactly
 * 63), the first refusal must be 0x0004. */
static void cfc_bv17(struct lt *t)
{
	char a[18];
	if (!lt_iut(t, NULL, 0, "listen psm=%u transport=le mode=le mtu=100 mps=50 credits=1", t->psm) ||
	    !lt_iut(t, NULL, 0, "connect addr=%s transport=le-public psm=%u mode=le", l2k_addr_str(&t->tst_addr, a),
		    (unsigned)(t->psm == 0x0090 ? 0x0091 : 0x0090)))
		return;
	if (!lt_expect_sig(t, 0x14, 5000)) /* the IUT's request: left unanswered */
		return;
	uint16_t seen[64];
	int accepted = 0;
	for (int i = 0; i < 64; i++) {
		struct lt_le_conn rq = {.spsm = t->psm, .cid = (uint16_t)(0x0040 + i), .mtu = 100, .mps = 50,
					.credits = 1},
				  rsp;
		if (!lt_le_connect(t, &rq, &rsp))
			return;
		if (rsp.result == 0) {
			if (rsp.cid < 0x0040 || rsp.cid > 0x007F)
				return (void)lt_fail(t, "the IUT's DCID 0x%04x is outside the LE dynamic range", rsp.cid);
			for (int k = 0; k < accepted; k++)
				if (seen[k] == rsp.cid)
					return (void)lt_fail(t, "the IUT gave DCID 0x%04x to two channels", rsp.cid);
			seen[accepted++] = rsp.cid;
			continue;
		}
		lt_logf(t, "(the IUT accepted %d channels, then refused)", accepted);
		if (rsp.result != 0x0004 || rsp.cid || rsp.mtu || rsp.mps || rsp.credits)
			return (void)lt_fail(t, "the refusal is result 0x%04x (DCID 0x%04x, MTU %u, MPS %u, credits %u), "
						"expected 0x0004 'no resources available' with every other field 0",
					     rsp.result, rsp.cid, rsp.mtu, rsp.mps, rsp.credits);
		if (t->iut_is_l2kit && accepted != 63)
			return (void)lt_fail(t, "l2kit refused after %d channels, not after 63 (its 64 LE dynamic CIDs)",
					     accepted);
		if (t->iut->events) {
			lt_run(t, 100);
			if (t->obs.opened != accepted)
				lt_fail(t, "the IUT's application saw %d channels open, %d were accepted", t->obs.opened,
					accepted);
		}
		return;
	}
	lt_fail(t, "the IUT accepted 64 channels while a request of its own held a CID: the LE dynamic range "
		   "0x0040-0x007F has 64");
}

/* ---- security: the IUT's server needs more than the link has ----------------------------------- */

/* After a refusal for security (0x0005): nothing from the IUT but, perhaps, an SMP Security
 * Request (peripheral) raising the security the refusal named (Vol 3 Part H 3.6.7). */
static void quiet_but_smp(struct lt *t)
{
	for (const struct lt_pdu *p; (p = lt_next(t, 500)) != NULL;) {
		if (p->cid == 0x0006 && p->len == 2 && p->data[0] == 0x0B) {
			lt_logf(t, "(the IUT asks for security: SMP Security Request)");
			continue;
		}
		return (void)lt_fail(t, "expected no frame from the IUT (but an SMP Security Request), got %zu octets on cid "
					"0x%04x", p->len, p->cid);
	}
	if (t->iut->events && t->obs.opened)
		lt_fail(t, "the IUT's application saw a channel open");
}

/* L2CAP/LE/CFC/BV-11-C: an LE credit based server needing authentication (level 3), then
 * encryption (level 2), on a link that has neither and no key: the request is refused
 * "insufficient authentication" (0x0005) with every other field 0 (4.23; GAP's Table 10.2:
 * pairing is what is missing).  The tester does not pair. */
static void cfc_bv11(struct lt *t)
{
	for (int level = 3; level >= 2; level--) {
		if (!lt_iut(t, NULL, 0, "listen psm=%u transport=le mode=le sec=%d", t->psm, level))
			return;
		uint8_t d[10];
		lt_put16(d, t->psm);
		lt_put16(d + 2, TCID);
		lt_put16(d + 4, 100);
		lt_put16(d + 6, 50);
		lt_put16(d + 8, 5);
		uint8_t id = lt_ident(t);
		lt_send_sig(t, 0x14, id, d, 10);
		const struct lt_pdu *p = lt_expect_sig(t, 0x15, 3000);
		uint8_t w[14] = {0x15, id, 0x0A, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x05, 0x00};
		if (!p || !lt_is(t, p, w, 14, level == 3 ? "the IUT's LE Credit Based Connection Response (level 3)"
							  : "the IUT's LE Credit Based Connection Response (level 2)"))
			return;
		quiet_but_smp(t);
		if (lt_done(t))
			return;
	}
}

/* L2CAP/ECFC/BV-11-C: the same for an enhanced credit based request for two channels (LE):
 * both refused "all connections refused - insufficient authentication" (0x0005), both DCIDs
 * 0x0000 (4.26); l2kit: MTU, MPS and credits 0 too. */
static void ecfc_bv11(struct lt *t)
{
	for (int level = 3; level >= 2; level--) {
		if (!lt_iut(t, NULL, 0, "listen psm=%u transport=le mode=ecfc sec=%d", t->psm, level))
			return;
		uint8_t d[12];
		lt_put16(d, t->psm);
		lt_put16(d + 2, 100);
		lt_put16(d + 4, 70);
		lt_put16(d + 6, 5);
		lt_put16(d + 8, TCID);
		lt_put16(d + 10, TCID + 1);
		uint8_t id = lt_ident(t);
		lt_send_sig(t, 0x17, id, d, 12);
		const struct lt_pdu *p = lt_expect_sig(t, 0x18, 3000);
		if (!p)
			return;
		uint8_t w[16] = {0x18, id, 0x0C, 0x00, 0, 0, 0, 0, 0, 0, 0x05, 0x00, 0, 0, 0, 0};
		struct lt_pdu q = *p;
		if (!t->iut_is_l2kit && q.len == 16) /* MTU, MPS, credits: not checked (4.26) */
			memset(q.data + 4, 0, 6);
		if (!lt_is(t, &q, w, 16, level == 3 ? "the IUT's Credit Based Connection Response (level 3)"
						   : "the IUT's Credit Based Connection Response (level 2)"))
			return;
		quiet_but_smp(t);
		if (lt_done(t))
			return;
	}
}

/* ---- the table ----------------------------------------------------------------------------------- */

const struct lt_case lt_cases_misc[] = {
    {"L2CAP/CLS/CLR/BV-01-C", "CLS/CLR", LT_BREDR, "IUT takes and sends connectionless data", cls_clr_bv01, NULL, false},
    {"L2CAP/CLS/UCD/BV-01-C", "CLS/UCD", LT_BREDR, "IUT takes connectionless data", cls_ucd_bv01, NULL, false},
    {"L2CAP/CLS/UCD/BV-02-C", "CLS/UCD", LT_BREDR, "IUT sends connectionless data", cls_ucd_bv02, NULL, false},
    {"L2CAP/CLS/CID/BV-01-C", "CLS/CID", LT_BREDR, "IUT takes connectionless data", cls_cid_bv01, NULL, false},
    {"L2CAP/COS/CID/BI-01-C", "COS/CID", LT_BREDR, "IUT listens, sends", cos_cid_bi01, NULL, false},
    {"L2CAP/COS/CID/BV-01-C", "COS/CID", LT_BREDR, "IUT connects twice, sends", cos_cid_bv01, NULL, false},
    {"L2CAP/COS/CED/BI-11-C", "COS/CED", LT_LE, "IUT (central) listens, sends", ced_bi11, NULL, true},
    {"L2CAP/LE/CFC/BV-11-C", "LE/CFC", LT_LE, "IUT listens at security level 3, then 2", cfc_bv11, NULL, false},
    {"L2CAP/LE/CFC/BV-17-C", "LE/CFC", LT_LE, "IUT listens and connects", cfc_bv17, NULL, false},
    {"L2CAP/LE/CFC/BI-02-C", "LE/CFC", LT_LE, NULL, NULL,
     "older TS revision (not in TS p41; Android lists it as skipped): no procedure to play", false},
    {"L2CAP/LE/CID/BI-01-C", "LE/CID", LT_LE, "IUT listens, sends", le_cid_bi01, NULL, false},
    {"L2CAP/LE/CID/BV-01-C", "LE/CID", LT_BREDR, "IUT connects on BR/EDR and LE, sends", le_cid_bv01, NULL, false},
    {"L2CAP/LE/CID/BV-02-C", "LE/CID", LT_BREDR, "IUT listens on BR/EDR and LE, sends", le_cid_bv02, NULL, false},
    {"L2CAP/LE/CID/BV-02-I", "LE/CID", LT_BREDR, "IUT listens on BR/EDR and LE, sends", le_cid_bv02, NULL, false},
    {"L2CAP/ECFC/BV-11-C", "ECFC", LT_LE, "IUT listens (ECFC) at security level 3, then 2", ecfc_bv11, NULL, false},
    {"L2CAP/LSC/BV-01-C", "LSC", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/LSC/BV-02-C", "LSC", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/LSC/BV-03-C", "LSC", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/LSC/BI-04-C", "LSC", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/LSC/BI-05-C", "LSC", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/LSC/BV-06-C", "LSC", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/LSC/BV-07-C", "LSC", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/LSC/BV-08-C", "LSC", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/LSC/BV-09-C", "LSC", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/LSC/BI-10-C", "LSC", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/LSC/BI-11-C", "LSC", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/LSC/BV-12-C", "LSC", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/CCH/BV-01-C", "CCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/CCH/BV-02-C", "CCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/CCH/BV-03-C", "CCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/CCH/BV-04-C", "CCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-01-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-02-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-03-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-04-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-05-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-06-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-07-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-08-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-09-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-10-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-11-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-12-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-13-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-14-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-15-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-16-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-17-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-18-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-19-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-20-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-21-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-22-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-23-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-24-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-25-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-26-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-27-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-28-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-29-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-30-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-31-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-32-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-33-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-34-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-35-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/MCH/BV-36-C", "MCH", LT_BREDR, NULL, NULL,
     "AMP (withdrawn in Core v5.3): l2kit has no AMP controller, no Create/Move Channel, no Extended Flow Spec lock-step", false},
    {"L2CAP/TIM/BV-01-C", "TIM", LT_BREDR, NULL, NULL,
     "ATT/EATT collision back-off: l2kit is an L2CAP engine without ATT or EATT; the application above it owns it", false},
    {"L2CAP/TIM/BV-02-C", "TIM", LT_BREDR, NULL, NULL,
     "ATT/EATT collision back-off: l2kit is an L2CAP engine without ATT or EATT; the application above it owns it", false},
    {"L2CAP/TIM/BV-03-C", "TIM", LT_LE, NULL, NULL,
     "ATT/EATT collision back-off: l2kit is an L2CAP engine without ATT or EATT; the application above it owns it", false},
    {NULL, NULL, LT_ANY, NULL, NULL, NULL, false},
};
