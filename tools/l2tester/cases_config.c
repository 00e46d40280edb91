/* l2tester's configuration cases: CMC (channel mode configuration: optional and mandatory ERTM /
 * Streaming PSMs, the fall back to Basic, refusals; Vol 3 Part A 5.4, 7.1.3), FOC (the FCS
 * option, 5.5: the FCS is left out only when both sides ask for none) and EXF (the extended
 * features of the Information Response, 4.12).  Each case plays the lower tester of L2CAP.TS and
 * checks every byte the IUT sends (lt.h): its Configuration Requests and Responses (identifier,
 * CIDs, flags, result, every option; in-process l2kit's exact options), then the outcome (the
 * channel open in the agreed mode, its frames with or without the FCS, or the channel closed). */
#include <stdio.h>
#include <string.h>

#include "tools/l2tester/cases.h"
#include "tools/l2tester/lt_ertm.h"

#define TCID 0x0060 /* the tester's CID */
#define TPSM 0x1001 /* the tester's PSM (the IUT connects to it) */
/* The tester's extended features when it is a peer with both modes and the FCS option. */
#define FEAT_MODES (LT_FEAT_ERTM | LT_FEAT_STREAMING | LT_FEAT_FCS | LT_FEAT_FIXED)
#define FEAT_NONE LT_FEAT_FIXED /* a peer with neither mode (and no FCS option) */
/* l2kit's MPS on these channels: fitted to one ACL packet, never above its MTU (672 here). */
#define L2KIT_MPS 672

enum { MB = 0, ME = 3, MS = 4 }; /* RFC modes (5.4): Basic, ERTM, Streaming */

static const char *mname(uint8_t m)
{
	return m == ME ? "ertm" : m == MS ? "streaming" : m == MB ? "basic" : "another";
}

/* One case's channel and the IUT's last Configuration Request. */
struct cc {
	uint16_t icid; /* the IUT's CID */
	int iut_fcs;   /* the fcs= the IUT was given (1: the default, CRC-16) */
	char chan[16]; /* the IUT's chan= */
	uint8_t req_id;
	bool has_rfc;
	struct lt_rfc rfc; /* its RFC option (zeros when none) */
	int fcs;	   /* its FCS option (-1: none) */
	uint8_t l2k_win;   /* in-process: the TxWindow and MPS l2kit's next ERTM request carries */
	uint16_t l2k_mps;
	bool acceptor; /* the IUT listened and the tester connected (tester_connect) */
};
#define CC_INIT {0, 1, "1", 0, false, {0, 0, 0, 0, 0, 0}, -1, 63, L2KIT_MPS, false}

/* ---- options ------------------------------------------------------------------------------ */

/* Options p[0..n) the IUT sent (what: whose): each well formed (5: type, length, a value of the
 * length its type has), a known type at most once, an unknown one only as a hint (5: the hint
 * bit lets the receiver skip it), the MTU at least 48 (5.1), the FCS type 0 or 1 (5.5). */
static bool opts_ok(struct lt *t, const uint8_t *p, size_t n, const char *what)
{
	static const int lens[8] = {-1, 2, 2, 22, 9, 1, 16, 2};
	unsigned seen = 0;
	for (size_t i = 0; i < n;) {
		if (i + 2 > n)
			return lt_fail(t, "%s: an option header cut short at option octet %zu (5)", what, i);
		uint8_t ty = p[i] & 0x7F;
		size_t l = p[i + 1];
		if (i + 2 + l > n)
			return lt_fail(t, "%s: option 0x%02x's length %zu runs past the options (5)", what, p[i], l);
		if (ty >= 1 && ty <= 7) {
			if ((int)l != lens[ty])
				return lt_fail(t, "%s: option 0x%02x has length %zu, %d expected (5.%u)", what, ty, l,
					       lens[ty], ty);
			if (seen & 1u << ty)
				return lt_fail(t, "%s: option 0x%02x twice", what, ty);
			seen |= 1u << ty;
			if (ty == 0x01 && lt_get16(p + i + 2) < 48)
				return lt_fail(t, "%s: MTU %u, below the BR/EDR minimum of 48 (5.1)", what,
					       lt_get16(p + i + 2));
			if (ty == 0x05 && p[i + 2] > 1)
				return lt_fail(t, "%s: FCS type 0x%02x (0 or 1, 5.5)", what, p[i + 2]);
		} else if (!(p[i] & 0x80)) {
			return lt_fail(t, "%s: option type 0x%02x is unknown and not a hint (5)", what, p[i]);
		}
		i += 2 + l;
	}
	return true;
}

static size_t rfc_opt(uint8_t *o, uint8_t mode)
{
	struct lt_rfc r = {mode, 0, 0, 0, 0, 0};
	if (mode == ME)
		r.txwin = 10, r.max_transmit = 3;
	if (mode != MB)
		r.mps = 500;
	return lt_opt_rfc(o, &r);
}

/* ---- the IUT's Configuration Request ------------------------------------------------------ */

/* fcs_want: what the IUT's FCS option must be (any IUT): */
enum { FCS_ANY = -2, FCS_ABSENT = -1, FCS_NONE = 0, FCS_CRC = 1 /* 0x01 or no option */,
       FCS_CRC_SENT = 2 /* the option with 0x01 */ };

/* l2kit's request (docs/modes.md, core/l2cap_confneg.c): MTU 672; for ERTM / Streaming the RFC
 * (window 63, MaxTransmit 3 / zeros in Streaming, time-outs 0, MPS 672) and the FCS option:
 * 0x00 when fcs=0, else 0x01 when the peer's features have the FCS option. */
static size_t l2kit_req(const struct lt *t, const struct cc *c, uint8_t mode, uint8_t *o)
{
	size_t n = lt_opt_mtu(o, 672);
	if (mode == MB)
		return n;
	struct lt_rfc r = {mode, mode == ME ? c->l2k_win : 0, mode == ME ? 3 : 0, 0, 0, c->l2k_mps};
	n += lt_opt_rfc(o + n, &r);
	if (c->iut_fcs == 0)
		n += lt_opt_fcs(o + n, 0);
	else if (t->info_feat & LT_FEAT_FCS)
		n += lt_opt_fcs(o + n, 1);
	return n;
}

/* The IUT's Configuration Request p: length, DCID ours, flags 0, a non-zero identifier, options
 * well formed; it asks for mode (no RFC option is Basic, 5.4) with mode-valid RFC values, no FCS
 * option in Basic (5.5), no Extended Window Size unless our features have it (5.7), the FCS as
 * fcs_want.  In-process exactly l2kit's options.  Fills c; false: verdict set. */
static bool check_req(struct lt *t, const struct lt_pdu *p, struct cc *c, uint8_t mode, int fcs_want)
{
	if (p->len < 8 || lt_get16(p->data + 2) != p->len - 4)
		return lt_fail(t, "the IUT's Configuration Request: %zu octets, length field %u", p->len,
			       p->len >= 4 ? lt_get16(p->data + 2) : 0);
	if (lt_get16(p->data + 4) != TCID)
		return lt_fail(t, "the IUT's Configuration Request is for CID 0x%04x, not ours 0x%04x", lt_get16(p->data + 4),
			       TCID);
	if (lt_get16(p->data + 6) != 0)
		return lt_fail(t, "the IUT's Configuration Request has flags 0x%04x (0: complete, 4.4)", lt_get16(p->data + 6));
	if (p->data[1] == 0)
		return lt_fail(t, "the IUT's Configuration Request has identifier 0 (4: never used)");
	const uint8_t *o = p->data + 8;
	size_t n = p->len - 8, l;
	if (!opts_ok(t, o, n, "the IUT's Configuration Request"))
		return false;
	c->req_id = p->data[1];
	const uint8_t *r = lt_opt_find(o, n, 0x04, &l);
	memset(&c->rfc, 0, sizeof(c->rfc));
	c->has_rfc = r && lt_rfc_parse(r, l, &c->rfc);
	const uint8_t *f = lt_opt_find(o, n, 0x05, &l);
	c->fcs = f ? f[2] : -1;
	bool ews = lt_opt_find(o, n, 0x07, &l) != NULL;
	uint8_t m = c->has_rfc ? c->rfc.mode : MB;
	if (m != mode)
		return lt_fail(t, "the IUT's Configuration Request asks for %s mode (RFC mode %u), %s expected (5.4)",
			       mname(m), m, mname(mode));
	if (m == ME && !ews && (c->rfc.txwin == 0 || c->rfc.txwin > 63))
		return lt_fail(t, "the IUT's RFC option has TxWindow %u, outside 1..63 (5.4)", c->rfc.txwin);
	if (m != MB && c->rfc.mps == 0)
		return lt_fail(t, "the IUT's RFC option has MPS 0 (5.4)");
	if (m == MB && f)
		return lt_fail(t, "the IUT's Basic mode request carries the FCS option (5.5: ERTM and Streaming only)");
	if (ews && !(t->info_feat & LT_FEAT_EWS))
		return lt_fail(t, "the IUT asks for an Extended Window Size though our features lack it (5.7)");
	if (fcs_want == FCS_ABSENT && f)
		return lt_fail(t, "the IUT's request carries the FCS option (0x%02x), none expected", c->fcs);
	if (fcs_want == FCS_NONE && c->fcs != 0)
		return lt_fail(t, "the IUT's request does not ask for no FCS (FCS option %d, 0x00 expected; 5.5)", c->fcs);
	if (fcs_want == FCS_CRC && c->fcs == 0)
		return lt_fail(t, "the IUT's request asks for no FCS though it was set up with fcs=1 (5.5)");
	if (fcs_want == FCS_CRC_SENT && c->fcs != 1)
		return c->fcs == 0 ? lt_fail(t, "the IUT's request asks for no FCS though it was set up with fcs=1 (5.5)")
				   : lt_inconclusive(t, "the IUT leaves out the FCS option (the CRC-16 default, 5.5): "
							"the case needs it to send 0x01");
	if (t->iut_is_l2kit) {
		uint8_t w[8 + 64];
		memcpy(w, p->data, 8);
		size_t k = l2kit_req(t, c, mode, w + 8);
		lt_put16(w + 2, (uint16_t)(4 + k));
		return lt_is(t, p, w, 8 + k, "the IUT's Configuration Request (l2kit's options, docs/modes.md)");
	}
	return true;
}

/* The next signaling PDU must be the IUT's Configuration Request, checked as check_req; a new
 * request (after one refused) carries a new identifier (4: each request its own).  */
static bool take_req(struct lt *t, struct cc *c, uint8_t mode, int fcs_want)
{
	uint8_t before = c->req_id;
	const struct lt_pdu *p = lt_expect_sig(t, 0x04, 5000);
	if (!p || !check_req(t, p, c, mode, fcs_want))
		return false;
	if (before && c->req_id == before)
		return lt_fail(t, "the IUT's new Configuration Request reuses identifier 0x%02x", before);
	return true;
}

/* Answer the IUT's last request: success (its RFC echoed, in ERTM with time-outs 2000 / 12000
 * ms for the IUT's transmitter, 5.4), or result 0x0001 "unacceptable parameters" with opts. */
static void answer_req(struct lt *t, const struct cc *c, uint16_t result, const uint8_t *opts, size_t olen)
{
	uint8_t b[6 + 32];
	lt_put16(b, c->icid);
	lt_put16(b + 2, 0);
	lt_put16(b + 4, result);
	size_t n = 6;
	if (result == 0 && c->has_rfc && c->rfc.mode != MB) {
		struct lt_rfc r = c->rfc;
		if (r.mode == ME)
			r.rtx_ms = 2000, r.mon_ms = 12000;
		n += lt_opt_rfc(b + n, &r);
	} else if (olen) {
		memcpy(b + n, opts, olen);
		n += olen;
	}
	lt_send_sig(t, 0x05, c->req_id, b, n);
}

static void accept_req(struct lt *t, const struct cc *c)
{
	answer_req(t, c, 0, NULL, 0);
}

/* Refuse the IUT's request naming mode (7.1.3: the response carries the acceptable values). */
static void refuse_req(struct lt *t, const struct cc *c, uint8_t mode)
{
	uint8_t o[11];
	answer_req(t, c, 1, o, rfc_opt(o, mode));
}

/* ---- our Configuration Request and the IUT's response -------------------------------------- */

static uint8_t send_req(struct lt *t, const struct cc *c, const uint8_t *opts, size_t olen)
{
	uint8_t b[4 + 32];
	lt_put16(b, c->icid);
	lt_put16(b + 2, 0);
	if (olen)
		memcpy(b + 4, opts, olen);
	uint8_t id = lt_ident(t);
	lt_send_sig(t, 0x04, id, b, 4 + olen);
	return id;
}

/* Our request in mode (no options for Basic; the RFC of rfc_opt, and the FCS option when fcs >=
 * 0, otherwise). */
static uint8_t send_mode_req(struct lt *t, const struct cc *c, uint8_t mode, int fcs)
{
	uint8_t o[16];
	size_t n = mode == MB ? 0 : rfc_opt(o, mode);
	if (fcs >= 0)
		n += lt_opt_fcs(o + n, (uint8_t)fcs);
	return send_req(t, c, o, n);
}

/* The IUT's Configuration Response p to our request id in mode ours: code, identifier, length,
 * SCID ours, flags 0, result, options well formed; an RFC option it carries names mode (a
 * refusal must carry one, 7.1.3) with values valid for it: a success keeps our TxWindow and MPS
 * or less (5.4), a refusal names a window of 1..63 and an MPS for ERTM.
 * In-process l2kit's exactly: a success echoes our RFC (ERTM: time-outs fitted to the link, a
 * retransmission time-out of 100..2000 ms and the monitor 12 s / MaxTransmit, docs/modes.md),
 * a refusal names its own mode (window 63, MaxTransmit 3, MPS 672; Basic: all zeros). */
static bool check_rsp(struct lt *t, const struct lt_pdu *p, uint8_t id, uint16_t result, uint8_t mode, uint8_t ours)
{
	if (p->len < 10 || p->data[0] != 0x05 || lt_get16(p->data + 2) != p->len - 4 || p->data[1] != id ||
	    lt_get16(p->data + 4) != TCID || lt_get16(p->data + 6) != 0 || lt_get16(p->data + 8) != result) {
		uint8_t w[10] = {0x05, id, 0, 0};
		lt_put16(w + 2, (uint16_t)(p->len >= 4 ? p->len - 4 : 6));
		lt_put16(w + 4, TCID);
		lt_put16(w + 6, 0);
		lt_put16(w + 8, result);
		struct lt_pdu head = *p;
		head.len = p->len < 10 ? p->len : 10;
		lt_logf(t, "(expected result 0x%04x in %s mode)", result, mname(mode));
		return lt_is(t, &head, w, 10, "the IUT's Configuration Response (identifier, SCID, flags, result)");
	}
	const uint8_t *o = p->data + 10;
	size_t n = p->len - 10, l;
	if (!opts_ok(t, o, n, "the IUT's Configuration Response"))
		return false;
	struct lt_rfc r = {0, 0, 0, 0, 0, 0};
	const uint8_t *ro = lt_opt_find(o, n, 0x04, &l);
	if (ro)
		lt_rfc_parse(ro, l, &r);
	if (!ro && result != 0)
		return lt_fail(t, "the IUT refuses our %s request without an RFC option naming the mode it takes (7.1.3)",
			       mname(ours));
	if (ro && r.mode != mode)
		return lt_fail(t, "the IUT's Configuration Response names %s mode (RFC mode %u), %s expected", mname(r.mode),
			       r.mode, mname(mode));
	if (ro && result == 0 && mode == ME && (r.txwin == 0 || r.txwin > 10 || r.mps > 500 || !r.mps))
		return lt_fail(t, "the IUT's success has TxWindow %u, MPS %u for our 10, 500 (5.4: no more than asked)",
			       r.txwin, r.mps);
	if (ro && result == 0 && mode == MS && (r.mps > 500 || !r.mps))
		return lt_fail(t, "the IUT's success has MPS %u for our 500 (5.4)", r.mps);
	if (ro && result != 0 && mode == ME && (r.txwin == 0 || r.txwin > 63 || !r.mps))
		return lt_fail(t, "the IUT names ERTM with TxWindow %u, MPS %u (1..63, not 0: 5.4)", r.txwin, r.mps);
	if (!t->iut_is_l2kit)
		return true;
	/* l2kit: exactly one RFC option (it answers none of ours but the RFC: we send no MTU) */
	if (!ro ? n != 0 : n != 11)
		return lt_fail(t, "l2kit's Configuration Response carries %zu option octets, %s expected", n,
			       ro ? "11 (the RFC alone)" : "none");
	if (!ro)
		return true;
	struct lt_rfc w = {mode, 0, 0, 0, 0, 0};
	if (result == 0 && mode != MB) {
		w.txwin = mode == ME ? 10 : 0, w.max_transmit = mode == ME ? 3 : 0, w.mps = 500;
	} else if (mode != MB) {
		w.txwin = mode == ME ? 63 : 0, w.max_transmit = mode == ME ? 3 : 0;
		w.mps = ours == MB ? L2KIT_MPS : 500;
	}
	if (mode == ME) {
		if (r.rtx_ms < 100 || r.rtx_ms > 2000 || r.mon_ms != 12000 / 3)
			return lt_fail(t, "l2kit's RFC time-outs %u / %u ms: 100..2000 and 4000 (12 s / MaxTransmit 3) expected",
				       r.rtx_ms, r.mon_ms);
		w.rtx_ms = r.rtx_ms, w.mon_ms = r.mon_ms;
	}
	uint8_t want[11];
	lt_opt_rfc(want, &w);
	struct lt_pdu opt = {.cid = p->cid, .len = 11};
	memcpy(opt.data, ro, 11);
	return lt_is(t, &opt, want, 11, "l2kit's RFC option in its Configuration Response");
}

/* The next signaling PDU is the IUT's response to id, checked as check_rsp. */
static bool take_rsp(struct lt *t, uint8_t id, uint16_t result, uint8_t mode, uint8_t ours)
{
	const struct lt_pdu *p = lt_expect_sig(t, 0x05, 5000);
	return p && check_rsp(t, p, id, result, mode, ours);
}

/* ---- opening and closing ------------------------------------------------------------------ */

/* The IUT connects to our PSM in mode (extra: more options): its Connection Request checked
 * (length, PSM, a dynamic SCID) and answered success. */
static bool iut_connect(struct lt *t, struct cc *c, uint8_t mode, const char *extra)
{
	char a[18], ans[64];
	if (!lt_iut(t, ans, sizeof(ans), "connect addr=%s transport=bredr psm=%u mode=%s%s%s", l2k_addr_str(&t->tst_addr, a),
		    TPSM, mname(mode), *extra ? " " : "", extra))
		return false;
	snprintf(c->chan, sizeof(c->chan), "%.8s", strncmp(ans, "chan=", 5) ? "1" : ans + 5);
	c->icid = lt_take_conn_req(t, TPSM, TCID);
	return c->icid != 0;
}

/* The IUT listens on t->psm in mode (extra: more options) and the tester connects: the
 * Connection Response checked (12 octets, our identifier, a dynamic DCID, our SCID, success). */
static bool tester_connect(struct lt *t, struct cc *c, uint8_t mode, const char *extra)
{
	if (!lt_iut(t, NULL, 0, "listen psm=%u transport=bredr mode=%s%s%s", t->psm, mname(mode), *extra ? " " : "",
		    extra))
		return false;
	c->acceptor = true;
	c->icid = lt_connect_bredr(t, t->psm, TCID);
	return c->icid != 0;
}

/* The IUT's application saw the channel open in mode. */
static bool opened_in(struct lt *t, struct cc *c, uint8_t mode)
{
	if (!lt_iut_wait_open(t, 1, 3000, "the channel open"))
		return false;
	if (strcmp(t->obs.mode, mname(mode)))
		return lt_fail(t, "the IUT's channel opened in mode '%s', %s agreed", t->obs.mode, mname(mode));
	snprintf(c->chan, sizeof(c->chan), "%d", t->obs.chan);
	return true;
}

/* p is the IUT's Disconnection Request for the channel (DCID ours, SCID its): checked and
 * answered; its application sees the channel close and never open.  An acceptor's application
 * may never have been handed the channel at all (a kernel socket's accept() returns open
 * channels only): another IUT that listened need not report the close, only never the open. */
static bool take_disc(struct lt *t, const struct cc *c, const struct lt_pdu *p)
{
	uint8_t w[8] = {0x06, p->data[1], 0x04, 0x00};
	lt_put16(w + 4, TCID);
	lt_put16(w + 6, c->icid);
	if (!lt_is(t, p, w, 8, "the IUT's Disconnection Request"))
		return false;
	lt_send_sig(t, 0x07, p->data[1], w + 4, 4);
	if (!t->iut->events)
		return true;
	if (c->acceptor && !t->iut_is_l2kit) {
		lt_run(t, 1000); /* its events, if any */
		if (t->obs.opened)
			return lt_fail(t, "the IUT's application saw the channel open in a mode not agreed");
		return true;
	}
	if (!lt_iut_wait_closed(t, 1, 3000, "the channel closed"))
		return false;
	if (t->obs.opened)
		return lt_fail(t, "the IUT's application saw the channel open in a mode not agreed");
	if (t->iut_is_l2kit && strcmp(t->obs.reason, "config-failed"))
		return lt_fail(t, "l2kit closed the channel for '%s', not 'config-failed'", t->obs.reason);
	return true;
}

/* The next signaling PDU of the IUT, whatever it is (NULL: none within ms, no verdict). */
static const struct lt_pdu *next_sig(struct lt *t, uint64_t ms)
{
	const struct lt_pdu *p = lt_next_on(t, lt_sig_cid(t), ms);
	if (p && p->len < 4)
		return lt_fail(t, "a signaling PDU of %zu octets", p->len), NULL;
	return p;
}

/* ---- data with or without the FCS ---------------------------------------------------------- */

/* On an open ERTM channel: the IUT's SDU comes as one I-frame (TxSeq 0, unsegmented) with the
 * FCS exactly when fcs (lt_frame_parse checks it), and ours, framed the same way, reaches its
 * application. */
static void data_both_ways(struct lt *t, const struct cc *c, bool fcs)
{
	static const uint8_t sdu[7] = {0x46, 0x4F, 0x43, 0x01, 0x02, 0x03, 0x04};
	struct lt_fmt f = {LT_CTL_ENH, fcs};
	struct lt_frame fr;
	if (!lt_iut(t, NULL, 0, "send chan=%s hex=464f4301020304", c->chan))
		return;
	for (int k = 0;; k++) {
		if (!lt_next_frame(t, TCID, &f, &fr, 3000, fcs ? "the IUT's I-frame (with the FCS)" : "the IUT's I-frame (no FCS)"))
			return;
		if (!fr.c.s)
			break;
		char sb[64];
		if (fr.c.reqseq != 0 || fr.c.f || fr.c.sfunc == LT_S_REJ || fr.c.sfunc == LT_S_SREJ)
			return (void)lt_fail(t, "the IUT sent %s before any I-frame of ours: only RR / RNR with ReqSeq 0, F=0 "
						"fit (8.6)", lt_ctl_str(&fr.c, sb, sizeof(sb)));
		if (k == 3)
			return (void)lt_fail(t, "the IUT sent S-frames but not its I-frame");
	}
	if (fr.c.txseq != 0 || fr.c.sar != LT_SAR_UNSEG || fr.c.reqseq != 0 || fr.c.f || fr.info_len != 7 ||
	    memcmp(fr.info, sdu, 7)) {
		char s[64];
		return (void)lt_fail(t, "the IUT's I-frame is %s with %zu information octets: I(tx=0 req=0 sar=0 F=0) with the 7 sent "
					"expected%s",
				     lt_ctl_str(&fr.c, s, sizeof(s)), fr.info_len,
				     fr.info_len == 9 && !fcs ? " (an FCS where none was agreed?)" : "");
	}
	static const uint8_t ours[5] = {0x6F, 0x75, 0x72, 0x73, 0x21};
	lt_send_i(t, c->icid, &f, 0, 1, false, ours, 5);
	if (lt_iut_wait_sdus(t, 1, 3000, fcs ? "our I-frame with the FCS" : "our I-frame without the FCS") &&
	    (t->obs.len != 5 || memcmp(t->obs.data, ours, 5)))
		lt_fail(t, "the IUT's application received %zu octets, not our 5", t->obs.len);
}

/* ==== CMC ==================================================================================== */

/* L2CAP/CMC/BV-01-C, BV-02-C (ERTM), BV-04-C, BV-05-C (Streaming): the IUT listens with the mode
 * optional; the tester, a peer with both modes, opens the channel: the IUT proposes the mode
 * (BV-01/04) and accepts the tester's request for it (BV-02/05: our request goes first). */
static void acceptor_mode(struct lt *t, uint8_t mode, bool ours_first)
{
	struct cc c = CC_INIT;
	t->info_feat = FEAT_MODES;
	if (!tester_connect(t, &c, mode, "required=no") || !take_req(t, &c, mode, FCS_ANY))
		return;
	if (!ours_first)
		accept_req(t, &c);
	if (!take_rsp(t, send_mode_req(t, &c, mode, -1), 0, mode, mode))
		return;
	if (ours_first)
		accept_req(t, &c);
	opened_in(t, &c, mode);
}

static void cmc_bv01(struct lt *t)
{
	acceptor_mode(t, ME, false);
}
static void cmc_bv02(struct lt *t)
{
	acceptor_mode(t, ME, true);
}
static void cmc_bv04(struct lt *t)
{
	acceptor_mode(t, MS, false);
}
static void cmc_bv05(struct lt *t)
{
	acceptor_mode(t, MS, true);
}

/* L2CAP/CMC/BV-03-C, BV-06-C: the IUT connects with the mode optional; the tester refuses it
 * (unacceptable, RFC Basic): the IUT asks again in Basic and the channel opens in Basic. */
static void refused_to_basic(struct lt *t, uint8_t mode)
{
	struct cc c = CC_INIT;
	t->info_feat = FEAT_MODES;
	if (!iut_connect(t, &c, mode, "required=no") || !take_req(t, &c, mode, FCS_ANY))
		return;
	refuse_req(t, &c, MB);
	if (!take_req(t, &c, MB, FCS_ABSENT))
		return;
	accept_req(t, &c);
	if (take_rsp(t, send_mode_req(t, &c, MB, -1), 0, MB, MB))
		opened_in(t, &c, MB);
}

static void cmc_bv03(struct lt *t)
{
	refused_to_basic(t, ME);
}
static void cmc_bv06(struct lt *t)
{
	refused_to_basic(t, MS);
}

/* Our request in mode ours while the IUT's own request, in its optional mode theirs, waits
 * unanswered: the IUT accepts ours (l2kit does, at once), or first refuses it naming its own
 * mode, as an IUT whose mode is not yet agreed may (7.1.3); then, its request refused naming
 * ours, it asks in ours (and, when it had refused, accepts our request made again): the channel
 * opens in ours. */
static void settle_on(struct lt *t, struct cc *c, uint8_t ours, uint8_t theirs)
{
	uint8_t id = send_mode_req(t, c, ours, -1);
	const struct lt_pdu *p = lt_expect_sig(t, 0x05, 5000);
	if (!p)
		return;
	bool held = !t->iut_is_l2kit && p->len >= 10 && lt_get16(p->data + 8) == 1;
	if (held)
		lt_logf(t, "(the IUT holds to its %s mode first: it must settle once refused)", mname(theirs));
	if (!check_rsp(t, p, id, held ? 1 : 0, held ? theirs : ours, ours))
		return;
	refuse_req(t, c, ours);
	if (!take_req(t, c, ours, ours == MB ? FCS_ABSENT : FCS_ANY))
		return;
	accept_req(t, c);
	if (held && !take_rsp(t, send_mode_req(t, c, ours, -1), 0, ours, ours))
		return;
	opened_in(t, c, ours);
}

/* L2CAP/CMC/BV-07-C, BV-08-C: the IUT connects asking for its optional mode; the tester asks for
 * Basic: the IUT settles on Basic (settle_on). */
static void peer_asks_basic(struct lt *t, uint8_t mode)
{
	struct cc c = CC_INIT;
	t->info_feat = FEAT_MODES;
	if (iut_connect(t, &c, mode, "required=no") && take_req(t, &c, mode, FCS_ANY))
		settle_on(t, &c, MB, mode);
}

static void cmc_bv07(struct lt *t)
{
	peer_asks_basic(t, ME);
}
static void cmc_bv08(struct lt *t)
{
	peer_asks_basic(t, MS);
}

/* L2CAP/CMC/BV-09-C: the IUT listens preferring Basic (mode=basic) though the tester has both
 * modes: it asks for Basic, refuses the tester's ERTM naming Basic, and opens in Basic. */
static void cmc_bv09(struct lt *t)
{
	struct cc c = CC_INIT;
	t->info_feat = FEAT_MODES;
	if (!tester_connect(t, &c, MB, "") || !take_req(t, &c, MB, FCS_ABSENT))
		return;
	accept_req(t, &c);
	if (!take_rsp(t, send_mode_req(t, &c, ME, -1), 1, MB, ME))
		return;
	if (take_rsp(t, send_mode_req(t, &c, MB, -1), 0, MB, MB))
		opened_in(t, &c, MB);
}

/* L2CAP/CMC/BV-10-C, BV-11-C: the IUT connects with the mode optional to a peer whose features
 * lack it: it asks for Basic at once, and the channel opens in Basic. */
static void peer_lacks(struct lt *t, uint8_t mode)
{
	struct cc c = CC_INIT;
	t->info_feat = FEAT_NONE;
	if (!iut_connect(t, &c, mode, "required=no") || !take_req(t, &c, MB, FCS_ABSENT))
		return;
	accept_req(t, &c);
	if (take_rsp(t, send_mode_req(t, &c, MB, -1), 0, MB, MB))
		opened_in(t, &c, MB);
}

static void cmc_bv10(struct lt *t)
{
	peer_lacks(t, ME);
}
static void cmc_bv11(struct lt *t)
{
	peer_lacks(t, MS);
}

/* L2CAP/CMC/BV-12-C, BV-13-C: the IUT is to connect with the mode mandatory to a peer whose
 * features lack it: it does not try the mode.  Either no Connection Request comes (l2kit: the
 * channel fails at once, "config-failed"), or the channel is connected and then disconnected
 * without a Configuration Request. */
static void mandatory_lacking(struct lt *t, uint8_t mode)
{
	char a[18], ans[64];
	t->info_feat = FEAT_NONE;
	int r = lt_iut_try(t, ans, sizeof(ans), "connect addr=%s transport=bredr psm=%u mode=%s required=yes",
			   l2k_addr_str(&t->tst_addr, a), TPSM, mname(mode));
	if (r == L2K_ENOTSUP)
		return (void)lt_inconclusive(t, "the IUT cannot be asked to connect with a mandatory mode: %s", ans);
	const struct lt_pdu *p = next_sig(t, 1500);
	if (lt_done(t))
		return;
	if (p && p->data[0] == 0x02) {
		if (t->iut_is_l2kit)
			return (void)lt_fail(t, "l2kit sent a Connection Request for a mode the peer lacks (it fails the channel first)");
		if (p->len != 8 || lt_get16(p->data + 4) != TPSM || lt_get16(p->data + 6) < 0x0040)
			return (void)lt_fail(t, "the IUT's Connection Request: %zu octets (8), PSM 0x%04x (0x%04x) or SCID "
						"0x%04x (dynamic)",
					     p->len, p->len >= 6 ? lt_get16(p->data + 4) : 0, TPSM,
					     p->len >= 8 ? lt_get16(p->data + 6) : 0);
		struct cc c = CC_INIT;
		c.icid = lt_get16(p->data + 6);
		uint8_t rsp[8];
		lt_put16(rsp, TCID);
		lt_put16(rsp + 2, c.icid);
		lt_put16(rsp + 4, 0);
		lt_put16(rsp + 6, 0);
		lt_send_sig(t, 0x03, p->data[1], rsp, 8);
		p = next_sig(t, 5000);
		if (!p)
			return (void)lt_fail(t, "the IUT neither disconnected nor went on after its Connection Request");
		if (p->data[0] == 0x04)
			return (void)lt_fail(t, "the IUT configures a channel whose mandatory %s mode the peer lacks", mname(mode));
		if (p->data[0] != 0x06)
			return (void)lt_fail(t, "the IUT sent signaling code 0x%02x, a Disconnection Request expected", p->data[0]);
		take_disc(t, &c, p);
		return;
	}
	if (p)
		return (void)lt_fail(t, "the IUT sent signaling code 0x%02x; nothing (or a Connection Request) expected",
				     p->data[0]);
	if (r < 0) {
		lt_logf(t, "(the IUT refused the connect request itself: %s)", ans);
		return;
	}
	if (!t->iut->events)
		return;
	if (!lt_iut_wait_closed(t, 1, 3000, "the channel given up"))
		return;
	if (t->obs.opened)
		lt_fail(t, "the IUT's application saw the channel open");
	else if (t->iut_is_l2kit && strcmp(t->obs.reason, "config-failed"))
		lt_fail(t, "l2kit gave the channel up for '%s', not 'config-failed'", t->obs.reason);
}

static void cmc_bv12(struct lt *t)
{
	mandatory_lacking(t, ME);
}
static void cmc_bv13(struct lt *t)
{
	mandatory_lacking(t, MS);
}

/* L2CAP/CMC/BV-14-C: the IUT connects with Streaming optional; the tester refuses it naming
 * ERTM: the IUT asks in ERTM and the channel opens in ERTM. */
static void cmc_bv14(struct lt *t)
{
	struct cc c = CC_INIT;
	t->info_feat = FEAT_MODES;
	if (!iut_connect(t, &c, MS, "required=no") || !take_req(t, &c, MS, FCS_ANY))
		return;
	refuse_req(t, &c, ME);
	if (!take_req(t, &c, ME, FCS_ANY))
		return;
	accept_req(t, &c);
	if (take_rsp(t, send_mode_req(t, &c, ME, -1), 0, ME, ME))
		opened_in(t, &c, ME);
}

/* L2CAP/CMC/BV-15-C: the IUT connects with Streaming optional; the tester asks for ERTM: the IUT
 * settles on ERTM (settle_on). */
static void cmc_bv15(struct lt *t)
{
	struct cc c = CC_INIT;
	t->info_feat = FEAT_MODES;
	if (!iut_connect(t, &c, MS, "required=no") || !take_req(t, &c, MS, FCS_ANY))
		return;
	/* l2kit, in ERTM once it accepted ours, takes the window and MPS our refusal names (7.1.3) */
	c.l2k_win = 10, c.l2k_mps = 500;
	settle_on(t, &c, ME, MS);
}

/* After the IUT's request in want was refused naming refuse_mode: it disconnects (take_disc),
 * or asks again in want (refused again, up to 3 times); anything else fails. */
static void until_disc(struct lt *t, struct cc *c, uint8_t want, uint8_t refuse_mode)
{
	for (int k = 0; k < 4; k++) {
		const struct lt_pdu *p = next_sig(t, 5000);
		if (!p) {
			if (!lt_done(t))
				lt_fail(t, "the IUT did not close the channel (no Disconnection Request)");
			return;
		}
		if (p->data[0] == 0x06) {
			take_disc(t, c, p);
			return;
		}
		if (p->data[0] != 0x04)
			return (void)lt_fail(t, "the IUT sent signaling code 0x%02x, a Disconnection Request expected", p->data[0]);
		if (t->iut_is_l2kit)
			return (void)lt_fail(t, "l2kit asks again instead of disconnecting (core/l2cap_confneg.c)");
		if (!check_req(t, p, c, want, FCS_ANY))
			return;
		refuse_req(t, c, refuse_mode);
	}
	lt_fail(t, "the IUT keeps asking for %s mode and never closes the channel", mname(want));
}

/* L2CAP/CMC/BI-01-C, BI-03-C: the IUT connects with the mode mandatory; the tester refuses it
 * naming Basic: the IUT closes the channel (never asking for Basic). */
static void mandatory_refused(struct lt *t, uint8_t mode)
{
	struct cc c = CC_INIT;
	t->info_feat = FEAT_MODES;
	if (!iut_connect(t, &c, mode, "required=yes") || !take_req(t, &c, mode, FCS_ANY))
		return;
	refuse_req(t, &c, MB);
	until_disc(t, &c, mode, MB);
}

static void cmc_bi01(struct lt *t)
{
	mandatory_refused(t, ME);
}
static void cmc_bi03(struct lt *t)
{
	mandatory_refused(t, MS);
}

/* Send request mode ours (its request left unanswered) until the IUT disconnects: each response
 * refuses naming theirs (check_rsp); a response may be followed by the Disconnection Request. */
static void insist(struct lt *t, struct cc *c, uint8_t ours, uint8_t theirs)
{
	for (int k = 0; k < 5; k++) {
		uint8_t id = send_mode_req(t, c, ours, -1);
		const struct lt_pdu *p = next_sig(t, 5000);
		if (!p) {
			if (!lt_done(t))
				lt_fail(t, "the IUT neither answered our %s request nor closed the channel", mname(ours));
			return;
		}
		if (p->data[0] == 0x06) {
			take_disc(t, c, p);
			return;
		}
		if (p->data[0] != 0x05)
			return (void)lt_fail(t, "the IUT sent signaling code 0x%02x, a Configuration Response expected", p->data[0]);
		if (!check_rsp(t, p, id, 1, theirs, ours))
			return;
		if (t->iut_is_l2kit && k < 2) /* l2kit refuses twice, then answers and disconnects */
			continue;
		if ((p = next_sig(t, 500)) != NULL) {
			if (p->data[0] != 0x06)
				return (void)lt_fail(t, "the IUT sent signaling code 0x%02x, a Disconnection Request expected",
						     p->data[0]);
			take_disc(t, c, p);
			return;
		}
		if (t->iut_is_l2kit)
			return (void)lt_fail(t, "l2kit did not disconnect after its third refusal (core/l2cap_confneg.c)");
	}
	lt_fail(t, "the IUT refuses our %s mode but never closes the channel", mname(ours));
}

/* L2CAP/CMC/BI-02-C, BI-04-C: the IUT connects with the mode mandatory; the tester keeps asking
 * for Basic: each request is refused naming the mode, then the IUT closes the channel. */
static void mandatory_peer_basic(struct lt *t, uint8_t mode)
{
	struct cc c = CC_INIT;
	t->info_feat = FEAT_MODES;
	if (!iut_connect(t, &c, mode, "required=yes") || !take_req(t, &c, mode, FCS_ANY))
		return;
	insist(t, &c, MB, mode);
}

static void cmc_bi02(struct lt *t)
{
	mandatory_peer_basic(t, ME);
}
static void cmc_bi04(struct lt *t)
{
	mandatory_peer_basic(t, MS);
}

/* L2CAP/CMC/BI-05-C: the IUT listens wanting Basic; the tester keeps asking for ERTM: refused
 * naming Basic each time, then the IUT closes the channel. */
static void cmc_bi05(struct lt *t)
{
	struct cc c = CC_INIT;
	t->info_feat = FEAT_MODES;
	if (!tester_connect(t, &c, MB, "") || !take_req(t, &c, MB, FCS_ABSENT))
		return;
	insist(t, &c, ME, MB);
}

/* L2CAP/CMC/BI-06-C: the IUT connects wanting Basic; the tester refuses Basic naming ERTM: the
 * IUT closes the channel. */
static void cmc_bi06(struct lt *t)
{
	struct cc c = CC_INIT;
	t->info_feat = FEAT_MODES;
	if (!iut_connect(t, &c, MB, "") || !take_req(t, &c, MB, FCS_ABSENT))
		return;
	refuse_req(t, &c, ME);
	until_disc(t, &c, MB, ME);
}

/* ==== FOC ==================================================================================== */

/* The IUT connects (initiator) or listens (acceptor) in ERTM with fcs=iut_fcs, the tester's
 * features feat (always with ERTM: the mode need not be mandatory, which a kernel socket cannot
 * make it); its request's FCS option must be fcs_want; ours carries tester_fcs
 * (-1: none).  Then data both ways with the FCS exactly when not both asked for none (5.5). */
static void foc(struct lt *t, bool initiator, int iut_fcs, uint32_t feat, int fcs_want, int tester_fcs, bool want_fcs)
{
	struct cc c = CC_INIT;
	char x[32];
	c.iut_fcs = iut_fcs;
	t->info_feat = feat;
	snprintf(x, sizeof(x), "required=no fcs=%d", iut_fcs);
	if (!(initiator ? iut_connect(t, &c, ME, x) : tester_connect(t, &c, ME, x)) || !take_req(t, &c, ME, fcs_want))
		return;
	accept_req(t, &c);
	if (!take_rsp(t, send_mode_req(t, &c, ME, tester_fcs), 0, ME, ME) || !opened_in(t, &c, ME))
		return;
	data_both_ways(t, &c, want_fcs);
}

/* L2CAP/FOC/BV-01-C: the IUT asks for no FCS, so does the tester: frames carry none. */
static void foc_bv01(struct lt *t)
{
	foc(t, true, 0, FEAT_MODES, FCS_NONE, 0, false);
}
/* L2CAP/FOC/BV-02-C: the IUT asks for no FCS, the tester for the CRC-16: the FCS is used. */
static void foc_bv02(struct lt *t)
{
	foc(t, true, 0, FEAT_MODES, FCS_NONE, 1, true);
}
/* L2CAP/FOC/BV-03-C: the IUT asks for no FCS, the tester sends no FCS option (the CRC-16
 * default): the FCS is used. */
static void foc_bv03(struct lt *t)
{
	foc(t, true, 0, FEAT_MODES, FCS_NONE, -1, true);
}
/* L2CAP/FOC/BV-04-C: the IUT sends the FCS option 0x01; the tester asks for none: the FCS is
 * used (left out only when both ask for none). */
static void foc_bv04(struct lt *t)
{
	foc(t, true, 1, FEAT_MODES, FCS_CRC_SENT, 0, true);
}
/* L2CAP/FOC/BV-06-C: the peer's features lack the FCS option: the IUT (fcs=1) sends none
 * (in-process: l2kit leaves it out), nor does the tester: the default FCS is used. */
static void foc_bv06(struct lt *t)
{
	foc(t, true, 1, LT_FEAT_ERTM | LT_FEAT_STREAMING | LT_FEAT_FIXED, FCS_CRC, -1, true);
}
/* L2CAP/FOC/BV-05-C: the IUT as acceptor asks for no FCS, so does the tester: no FCS. */
static void foc_bv05(struct lt *t)
{
	foc(t, false, 0, FEAT_MODES, FCS_NONE, 0, false);
}
/* L2CAP/FOC/BV-07-C: the IUT as acceptor asks for the CRC-16, the tester for none: FCS used. */
static void foc_bv07(struct lt *t)
{
	foc(t, false, 1, FEAT_MODES, FCS_CRC, 0, true);
}
/* L2CAP/FOC/BV-08-C: the IUT as acceptor sends no FCS option (the tester's features lack it),
 * nor does the tester: the default FCS is used. */
static void foc_bv08(struct lt *t)
{
	foc(t, false, 1, LT_FEAT_ERTM | LT_FEAT_STREAMING | LT_FEAT_FIXED, FCS_CRC, -1, true);
}

/* ==== EXF ==================================================================================== */

/* The IUT's extended features (lt_ask_features); bit must be set, else the case does not apply
 * to this IUT (n/a: it does not claim the feature). */
static bool claims(struct lt *t, uint32_t bit, const char *name, uint32_t *feat)
{
	if (!lt_ask_features(t, 0x5A, feat))
		return false;
	if (!(*feat & bit))
		return lt_na(t, "the IUT does not claim %s (extended features 0x%08x)", name, (unsigned)*feat);
	return true;
}

/* L2CAP/EXF/BV-01-C, BV-02-C: the response advertises ERTM (bit 3) / Streaming (bit 4), and the
 * IUT does what it claims: listening in the mode it proposes it and opens in it. */
static void exf_mode(struct lt *t, uint32_t bit, uint8_t mode)
{
	uint32_t feat;
	t->info_feat = FEAT_MODES; /* before the IUT asks ours: a peer with the mode */
	if (claims(t, bit, mode == ME ? "ERTM (bit 3)" : "Streaming (bit 4)", &feat))
		acceptor_mode(t, mode, false);
}

static void exf_bv01(struct lt *t)
{
	exf_mode(t, LT_FEAT_ERTM, ME);
}
static void exf_bv02(struct lt *t)
{
	exf_mode(t, LT_FEAT_STREAMING, MS);
}

/* L2CAP/EXF/BV-03-C: the response advertises the FCS option (bit 5), and the IUT does it: on an
 * ERTM channel both sides asking for no FCS, the frames carry none (5.5). */
static void exf_bv03(struct lt *t)
{
	uint32_t feat;
	t->info_feat = FEAT_MODES; /* before the IUT asks ours: a peer with ERTM and the FCS option */
	if (!claims(t, LT_FEAT_FCS, "the FCS option (bit 5)", &feat))
		return;
	if (!(feat & LT_FEAT_ERTM))
		return (void)lt_inconclusive(t, "the IUT claims the FCS option without ERTM: no ERTM channel to check it on");
	foc(t, false, 0, FEAT_MODES, FCS_NONE, 0, false);
}

/* The IUT's fixed channels (Information Request type 0x0003): a success with the signaling
 * channel (bit 1) set; in-process l2kit's 0x06 (signaling, connectionless) exactly. */
static void fixed_channels(struct lt *t, uint8_t ident)
{
	static const uint8_t ty[2] = {0x03, 0x00};
	lt_send_sig(t, 0x0A, ident, ty, 2);
	const struct lt_pdu *p = lt_expect_sig(t, 0x0B, 2000);
	if (!p)
		return;
	uint8_t want[16] = {0x0B, ident, 0x0C, 0x00, 0x03, 0x00, 0x00, 0x00, 0x06, 0, 0, 0, 0, 0, 0, 0};
	if (!t->iut_is_l2kit && p->len == 16 && (p->data[8] & 0x02))
		memcpy(want + 8, p->data + 8, 8); /* another IUT's own channels */
	lt_is(t, p, want, 16, "the IUT's Information Response (fixed channels, 4.11)");
}

/* L2CAP/EXF/BV-05-C: the response advertises Fixed Channels (bit 7), and the IUT answers the
 * fixed channels Information Request (4.11) with the signaling channel in its mask. */
static void exf_bv05(struct lt *t)
{
	uint32_t feat;
	if (claims(t, LT_FEAT_FIXED, "Fixed Channels (bit 7)", &feat))
		fixed_channels(t, 0x5B);
}

/* L2CAP/EXF/BV-07-C: a successful extended features response consistent with the IUT's claims:
 * reserved bits clear (lt_ask_features); with Fixed Channels claimed the fixed channels request
 * is answered (else it may be "not supported"); ERTM or Streaming claimed with the FCS option
 * (5.5 is an option of those modes), the FCS option only with one of them. */
static void exf_bv07(struct lt *t)
{
	uint32_t feat;
	if (!lt_ask_features(t, 0x5C, &feat))
		return;
	bool modes = feat & (LT_FEAT_ERTM | LT_FEAT_STREAMING);
	if ((feat & LT_FEAT_FCS) && !modes)
		return (void)lt_fail(t, "extended features 0x%08x claim the FCS option without ERTM or Streaming (5.5)",
				     (unsigned)feat);
	if (feat & LT_FEAT_EWS && !(feat & LT_FEAT_ERTM))
		return (void)lt_fail(t, "extended features 0x%08x claim Extended Window Size without ERTM (5.7)", (unsigned)feat);
	if (feat & LT_FEAT_FIXED)
		return fixed_channels(t, 0x5D);
	static const uint8_t ty[2] = {0x03, 0x00};
	lt_send_sig(t, 0x0A, 0x5D, ty, 2);
	const struct lt_pdu *p = lt_expect_sig(t, 0x0B, 2000);
	if (p && (p->len < 8 || p->data[1] != 0x5D || lt_get16(p->data + 4) != 3))
		lt_fail(t, "the fixed channels Information Request is not answered for type 3 with our identifier");
}

/* L2CAP/EXF/BV-08-C: from a cold start (the case's new link, before any other command) the IUT
 * answers with its claimed bits, and the same again when asked a second time. */
static void exf_bv08(struct lt *t)
{
	uint32_t a, b;
	if (!lt_ask_features(t, 0x5E, &a) || !lt_ask_features(t, 0x5F, &b))
		return;
	if (a != b)
		lt_fail(t, "extended features 0x%08x first, then 0x%08x", (unsigned)a, (unsigned)b);
}

const struct lt_case lt_cases_config[] = {
    {"L2CAP/EXF/BV-07-C", "EXF", LT_BREDR, "IUT answers", exf_bv07, NULL, false},
    {"L2CAP/EXF/BV-08-C", "EXF", LT_BREDR, "IUT answers", exf_bv08, NULL, false},
    {"L2CAP/CMC/BV-01-C", "CMC", LT_BREDR, "IUT listens (ERTM optional)", cmc_bv01, NULL, false},
    {"L2CAP/CMC/BV-02-C", "CMC", LT_BREDR, "IUT listens (ERTM optional)", cmc_bv02, NULL, false},
    {"L2CAP/CMC/BV-03-C", "CMC", LT_BREDR, "IUT connects (ERTM optional)", cmc_bv03, NULL, false},
    {"L2CAP/CMC/BV-04-C", "CMC", LT_BREDR, "IUT listens (Streaming optional)", cmc_bv04, NULL, false},
    {"L2CAP/CMC/BV-05-C", "CMC", LT_BREDR, "IUT listens (Streaming optional)", cmc_bv05, NULL, false},
    {"L2CAP/CMC/BV-06-C", "CMC", LT_BREDR, "IUT connects (Streaming optional)", cmc_bv06, NULL, false},
    {"L2CAP/CMC/BV-07-C", "CMC", LT_BREDR, "IUT connects (ERTM optional)", cmc_bv07, NULL, false},
    {"L2CAP/CMC/BV-08-C", "CMC", LT_BREDR, "IUT connects (Streaming optional)", cmc_bv08, NULL, false},
    {"L2CAP/CMC/BV-09-C", "CMC", LT_BREDR, "IUT listens (Basic)", cmc_bv09, NULL, false},
    {"L2CAP/CMC/BV-10-C", "CMC", LT_BREDR, "IUT connects (ERTM optional)", cmc_bv10, NULL, false},
    {"L2CAP/CMC/BV-11-C", "CMC", LT_BREDR, "IUT connects (Streaming optional)", cmc_bv11, NULL, false},
    {"L2CAP/CMC/BV-12-C", "CMC", LT_BREDR, "IUT connects (ERTM mandatory)", cmc_bv12, NULL, false},
    {"L2CAP/CMC/BV-13-C", "CMC", LT_BREDR, "IUT connects (Streaming mandatory)", cmc_bv13, NULL, false},
    {"L2CAP/CMC/BV-14-C", "CMC", LT_BREDR, "IUT connects (Streaming optional)", cmc_bv14, NULL, false},
    {"L2CAP/CMC/BV-15-C", "CMC", LT_BREDR, "IUT connects (Streaming optional)", cmc_bv15, NULL, false},
    {"L2CAP/CMC/BI-01-C", "CMC", LT_BREDR, "IUT connects (ERTM mandatory)", cmc_bi01, NULL, false},
    {"L2CAP/CMC/BI-02-C", "CMC", LT_BREDR, "IUT connects (ERTM mandatory)", cmc_bi02, NULL, false},
    {"L2CAP/CMC/BI-03-C", "CMC", LT_BREDR, "IUT connects (Streaming mandatory)", cmc_bi03, NULL, false},
    {"L2CAP/CMC/BI-04-C", "CMC", LT_BREDR, "IUT connects (Streaming mandatory)", cmc_bi04, NULL, false},
    {"L2CAP/CMC/BI-05-C", "CMC", LT_BREDR, "IUT listens (Basic)", cmc_bi05, NULL, false},
    {"L2CAP/CMC/BI-06-C", "CMC", LT_BREDR, "IUT connects (Basic)", cmc_bi06, NULL, false},
    {"L2CAP/FOC/BV-01-C", "FOC", LT_BREDR, "IUT connects (ERTM, fcs=0), data both ways", foc_bv01, NULL, false},
    {"L2CAP/FOC/BV-02-C", "FOC", LT_BREDR, "IUT connects (ERTM, fcs=0), data both ways", foc_bv02, NULL, false},
    {"L2CAP/FOC/BV-03-C", "FOC", LT_BREDR, "IUT connects (ERTM, fcs=0), data both ways", foc_bv03, NULL, false},
    {"L2CAP/FOC/BV-04-C", "FOC", LT_BREDR, "IUT connects (ERTM), data both ways", foc_bv04, NULL, false},
    {"L2CAP/FOC/BV-06-C", "FOC", LT_BREDR, "IUT connects (ERTM), data both ways", foc_bv06, NULL, false},
    {"L2CAP/FOC/BV-05-C", "FOC", LT_BREDR, "IUT listens (ERTM, fcs=0), data both ways", foc_bv05, NULL, false},
    {"L2CAP/FOC/BV-07-C", "FOC", LT_BREDR, "IUT listens (ERTM), data both ways", foc_bv07, NULL, false},
    {"L2CAP/FOC/BV-08-C", "FOC", LT_BREDR, "IUT listens (ERTM), data both ways", foc_bv08, NULL, false},
    {"L2CAP/EXF/BV-01-C", "EXF", LT_BREDR, "IUT answers, listens (ERTM)", exf_bv01, NULL, false},
    {"L2CAP/EXF/BV-02-C", "EXF", LT_BREDR, "IUT answers, listens (Streaming)", exf_bv02, NULL, false},
    {"L2CAP/EXF/BV-03-C", "EXF", LT_BREDR, "IUT answers, listens (ERTM, no FCS)", exf_bv03, NULL, false},
    {"L2CAP/EXF/BV-04-C", "EXF", LT_BREDR, NULL, NULL,
     "older TS revision: its purpose names no feature bit to check (EXF/BV-07, BV-08 check the whole mask)", false},
    {"L2CAP/EXF/BV-05-C", "EXF", LT_BREDR, "IUT answers", exf_bv05, NULL, false},
    {"L2CAP/EXF/BV-06-C", "EXF", LT_BREDR, NULL, NULL,
     "older TS revision: its purpose names no feature bit to check (EXF/BV-07, BV-08 check the whole mask)", false},
    {NULL, NULL, LT_ANY, NULL, NULL, NULL, false},
};
