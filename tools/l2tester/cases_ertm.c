/* l2tester's Enhanced Retransmission mode cases (Vol 3 Part A 3.3.2, 5.4, 5.7, 8.6): the ERM
 * group with the enhanced 16-bit control field, and the ECF group, the same behaviours with the
 * extended 32-bit control field (the channel configured with the Extended Window Size option,
 * both sides claiming feature bit 8).  Each behaviour is written once, parameterized by the
 * control field's form; every frame the IUT sends is decoded and checked (FCS, reserved bits,
 * TxSeq, ReqSeq, SAR, P, F, SDU length, information octets).
 *
 * The preamble: the tester answers the IUT's Information Requests with ERTM and FCS (and EWS
 * for ECF), opens an ERTM channel to the IUT (IUT "listen ... mode=ertm") or has the IUT open
 * it ("connect ... mode=ertm"), and configures it both ways with the Retransmission and Flow
 * Control option in mode 3.  Our Configuration Response gives the IUT the retransmission and
 * monitor time-outs its transmitter uses (5.4): long in the cases that must not see them
 * expire, short (RTX_SHORT, MON_SHORT) in the cases that wait for them, so that a real-time run
 * takes a second or two. */
#include <stdio.h>
#include <string.h>

#include "tools/l2tester/cases.h"
#include "tools/l2tester/lt_ertm.h"

#define TCID 0x0060	 /* the tester's CID */
#define OUR_MPS 200	 /* the largest I-frame payload the tester takes (its RFC option's MPS) */
#define RTX_LONG 4000	 /* time-outs given to the IUT in cases that must not see them expire */
#define MON_LONG 12000
#define RTX_SHORT 400	 /* ... in the cases that wait for them */
#define MON_SHORT 400
#define WAIT 3000	 /* how long a frame the IUT must send may take */
#define QUIET 300	 /* how long the IUT is watched for a frame it must not send */

/* One ERTM channel between the tester and the IUT. */
struct ec {
	struct lt_fmt fmt;
	uint16_t icid;	  /* the IUT's CID (where our frames go) */
	int chan;	  /* the IUT's chan= */
	uint32_t mod;	  /* 64 or 16384 sequence numbers */
	uint16_t iut_mps; /* the largest I-frame payload the IUT takes */
	uint16_t our_mps; /* ... the tester takes */
	uint16_t iut_win; /* the IUT's receive window (its EWS option, else its RFC TxWindow) */
	/* the tester as a sender */
	uint16_t tx_next; /* our NextTxSeq */
	uint16_t acked;	  /* our ExpectedAckSeq: what the IUT acknowledged so far */
	/* the tester as a receiver */
	uint16_t rx_next; /* our ExpectedTxSeq */
};

/* How a case wants the channel. */
struct eopt {
	bool iut_connects;	 /* the IUT opens the channel (else the tester does) */
	bool short_timers;	 /* RTX_SHORT / MON_SHORT for the IUT's transmitter */
	uint8_t max_transmit;	 /* the IUT's MaxTransmit (0: not asked, 3 in our request) */
	uint16_t window;	 /* the tester's receive window = the IUT's TxWindow (0: 32) */
	uint16_t mps;		 /* the tester's MPS (0: OUR_MPS) */
};

static uint16_t sadd(const struct ec *e, uint32_t a, uint32_t n)
{
	return (uint16_t)((a + n) % e->mod);
}

static uint32_t soff(const struct ec *e, uint32_t a, uint32_t b)
{
	return (a + e->mod - b) % e->mod;
}

static const char *kname(enum lt_ctl_kind k)
{
	return k == LT_CTL_EXT ? "extended" : "enhanced";
}

/* SDU number k of a case (distinct contents, so that order and duplicates show). */
static size_t sdu(int k, uint8_t *b)
{
	return (size_t)snprintf((char *)b, 16, "ertm-sdu-%02d", k);
}

/* ---- preamble ------------------------------------------------------------------------------ */

/* The IUT opens an ERTM channel to the tester's PSM 0x1001: its Connection Request checked and
 * answered success.  The IUT's CID, or 0 (verdict set). */
static uint16_t iut_connects(struct lt *t, const char *extra)
{
	char a[18];
	if (!lt_iut(t, NULL, 0, "connect addr=%s transport=bredr psm=4097 mode=ertm%s", l2k_addr_str(&t->tst_addr, a),
		    extra))
		return 0;
	return lt_take_conn_req(t, 0x1001, TCID);
}

/* The tester opens the channel to the IUT's PSM.  The IUT's CID, or 0 (verdict set; a refusal
 * is inconclusive: the IUT was asked to listen). */
static uint16_t tester_connects(struct lt *t)
{
	return lt_connect_bredr(t, t->psm, TCID);
}

/* Configure the channel both ways (7.1): our request carries the RFC option in ERTM (and EWS
 * for the extended control field), the IUT's must ask for ERTM; our response to it carries the
 * RFC option with the time-outs the IUT's transmitter is to use (5.4). */
static bool configure(struct lt *t, struct ec *e, enum lt_ctl_kind kind, const struct eopt *o)
{
	uint16_t win = o->window ? o->window : 32;
	uint8_t opts[32];
	struct lt_rfc ours = {.mode = 3, .txwin = (uint8_t)(win > 63 ? 63 : win),
			      .max_transmit = o->max_transmit ? o->max_transmit : 3, .mps = e->our_mps};
	size_t olen = lt_opt_rfc(opts, &ours);
	if (kind == LT_CTL_EXT)
		olen += lt_opt_ews(opts + olen, win);
	uint8_t rq[4 + 32];
	lt_put16(rq, e->icid);
	lt_put16(rq + 2, 0);
	memcpy(rq + 4, opts, olen);
	uint8_t our_id = lt_ident(t);
	lt_send_sig(t, 0x04, our_id, rq, 4 + olen);
	bool got_req = false, got_rsp = false;
	while (!got_req || !got_rsp) {
		const struct lt_pdu *p = lt_next(t, 5000);
		if (!p)
			return lt_fail(t, "configuration: no %s from the IUT within 5 s",
				       got_req ? "Configuration Response" : "Configuration Request");
		if (p->cid != 0x0001 || p->len < 4)
			return lt_fail(t, "configuration: a frame on CID 0x%04x before the channel is open", p->cid);
		if (p->data[0] == 0x04 && !got_req) {
			if (p->len < 8 || lt_get16(p->data + 4) != TCID)
				return lt_fail(t, "the IUT's Configuration Request is not for our CID 0x%04x", TCID);
			if (lt_get16(p->data + 6) != 0)
				return lt_fail(t, "the IUT's Configuration Request has flags 0x%04x (continuation not expected)",
					       lt_get16(p->data + 6));
			const uint8_t *io = p->data + 8;
			size_t il = p->len - 8, rl = 0;
			struct lt_rfc r;
			const uint8_t *ro = lt_opt_find(io, il, 0x04, &rl);
			if (!lt_rfc_parse(ro, rl, &r) || r.mode != 3)
				return lt_fail(t, "the IUT's Configuration Request does not ask for Enhanced Retransmission "
						  "mode (RFC option mode 3, 5.4), though asked to %s in ERTM",
					       o->iut_connects ? "connect" : "listen");
			const uint8_t *ews = lt_opt_find(io, il, 0x07, &rl);
			if (ews && kind != LT_CTL_EXT)
				return lt_fail(t, "the IUT's Configuration Request carries the Extended Window Size option "
						  "though the tester does not claim it (feature bit 8, 5.7)");
			if (ews && (rl != 2 || lt_get16(ews + 2) == 0 || lt_get16(ews + 2) > 0x3FFF))
				return lt_fail(t, "the IUT's Extended Window Size option: length %zu, window %u (2 octets, "
						  "1..16383, 5.7)", rl, rl == 2 ? lt_get16(ews + 2) : 0);
			if (!ews && (r.txwin == 0 || r.txwin > 63))
				return lt_fail(t, "the IUT's Configuration Request: RFC TxWindow %u (1..63 in ERTM, 5.4)", r.txwin);
			if (r.mps < 16)
				return lt_inconclusive(t, "the IUT takes I-frames of %u octets at most (MPS): too small for "
							  "the case's SDUs", r.mps);
			e->iut_mps = r.mps;
			e->iut_win = ews ? lt_get16(ews + 2) : r.txwin;
			/* our response: the IUT's values, with the time-outs it is to use */
			struct lt_rfc a = r;
			a.rtx_ms = o->short_timers ? RTX_SHORT : RTX_LONG;
			a.mon_ms = o->short_timers ? MON_SHORT : MON_LONG;
			uint8_t rsp[6 + 16];
			lt_put16(rsp, e->icid);
			lt_put16(rsp + 2, 0);
			lt_put16(rsp + 4, 0);
			size_t n = 6 + lt_opt_rfc(rsp + 6, &a);
			lt_send_sig(t, 0x05, p->data[1], rsp, n);
			got_req = true;
		} else if (p->data[0] == 0x05 && p->data[1] == our_id && !got_rsp) {
			if (p->len < 10 || lt_get16(p->data + 4) != TCID)
				return lt_fail(t, "the IUT's Configuration Response: malformed or not for our CID 0x%04x", TCID);
			uint16_t res = lt_get16(p->data + 8);
			if (res != 0 && kind == LT_CTL_EXT)
				return lt_inconclusive(t, "the IUT did not accept our ERTM configuration with the Extended "
							  "Window Size option (result 0x%04x)", res);
			if (res != 0)
				return lt_fail(t, "the IUT did not accept our ERTM configuration (result 0x%04x)", res);
			got_rsp = true;
		} else {
			return lt_fail(t, "configuration: unexpected signaling command 0x%02x from the IUT", p->data[0]);
		}
	}
	e->fmt.kind = kind;
	e->fmt.fcs = true; /* neither side asked for no FCS (5.5): CRC-16 */
	e->mod = kind == LT_CTL_EXT ? 16384 : 64;
	return true;
}

/* The whole preamble: the ERTM channel open, e filled.  false: verdict set. */
static bool ertm_open(struct lt *t, struct ec *e, enum lt_ctl_kind kind, const struct eopt *o)
{
	memset(e, 0, sizeof(*e));
	e->our_mps = o->mps ? o->mps : OUR_MPS;
	t->info_feat = LT_FEAT_ERTM | LT_FEAT_FCS | (kind == LT_CTL_EXT ? LT_FEAT_EWS : 0);
	char extra[64] = "";
	size_t k = 0;
	if (kind == LT_CTL_EXT)
		k += (size_t)snprintf(extra + k, sizeof(extra) - k, " ext-window=yes");
	if (o->max_transmit)
		snprintf(extra + k, sizeof(extra) - k, " max-transmit=%u", o->max_transmit);
	if (o->iut_connects) {
		e->icid = iut_connects(t, extra);
	} else {
		if (!lt_iut(t, NULL, 0, "listen psm=%u transport=bredr mode=ertm%s", t->psm, extra))
			return false;
		e->icid = tester_connects(t);
	}
	if (!e->icid || !configure(t, e, kind, o))
		return false;
	if (!lt_iut_wait_open(t, 1, 2000, "the ERTM channel open"))
		return false;
	e->chan = t->obs.chan;
	lt_logf(t, "(ERTM channel open: %s control field, FCS, IUT MPS %u, our MPS %u)", kname(kind), e->iut_mps,
		e->our_mps);
	return true;
}

/* ---- the tester's frames ---------------------------------------------------------------------- */

static void send_i_seq(struct lt *t, struct ec *e, uint16_t txseq, bool fbit, int k)
{
	uint8_t b[16];
	size_t n = sdu(k, b);
	struct lt_ctl c = {.txseq = txseq, .reqseq = e->rx_next, .f = fbit, .sar = LT_SAR_UNSEG};
	char s[64];
	lt_logf(t, "(tester sends %s)", lt_ctl_str(&c, s, sizeof(s)));
	lt_send_frame(t, e->icid, &e->fmt, &c, -1, b, n);
}

/* Our next I-frame carrying SDU k (TxSeq = NextTxSeq, ReqSeq = our ExpectedTxSeq). */
static void send_i(struct lt *t, struct ec *e, int k, bool fbit)
{
	send_i_seq(t, e, e->tx_next, fbit, k);
	e->tx_next = sadd(e, e->tx_next, 1);
}

/* "Sends" our next I-frame without it reaching the IUT (a lost frame). */
static void lose_i(struct lt *t, struct ec *e)
{
	lt_logf(t, "(tester loses I-frame TxSeq %u)", e->tx_next);
	e->tx_next = sadd(e, e->tx_next, 1);
}

static void send_s(struct lt *t, struct ec *e, uint8_t sfunc, uint16_t reqseq, bool p, bool f)
{
	struct lt_ctl c = {.s = true, .sfunc = sfunc, .reqseq = reqseq, .p = p, .f = f};
	char s[64];
	lt_logf(t, "(tester sends %s)", lt_ctl_str(&c, s, sizeof(s)));
	lt_send_s(t, e->icid, &e->fmt, sfunc, reqseq, p, f);
}

/* RR acknowledging every I-frame of the IUT's received so far. */
static void ack(struct lt *t, struct ec *e)
{
	send_s(t, e, LT_S_RR, e->rx_next, false, false);
}

/* The IUT sends SDU k (or n octets of data). */
static bool iut_send(struct lt *t, struct ec *e, const uint8_t *d, size_t n)
{
	char h[2 * 512 + 1];
	for (size_t i = 0; i < n && i < 512; i++)
		snprintf(h + 2 * i, 3, "%02x", d[i]);
	h[2 * (n < 512 ? n : 512)] = 0;
	return lt_iut(t, NULL, 0, "send chan=%d hex=%s", e->chan, h);
}

static bool iut_send_sdu(struct lt *t, struct ec *e, int k)
{
	uint8_t b[16];
	size_t n = sdu(k, b);
	return iut_send(t, e, b, n);
}

/* ---- the IUT's frames --------------------------------------------------------------------- */

enum { ANY_FRAME = 0, SKIP_ACKS = 1, DISC_OK = 2, NONE_OK = 4 };

/* The IUT's next frame on the channel within ms, decoded into fr and checked: the FCS and the
 * reserved bits (lt_frame_parse), its ReqSeq within ExpectedAckSeq..NextTxSeq of ours (8.6.5,
 * With-Valid-ReqSeq; an SREJ names one of our unacknowledged frames).  SKIP_ACKS: plain RRs
 * (P=0, F=0), which a receiver may send at any time, are taken and skipped.  DISC_OK: a
 * Disconnection Request for the channel returns its PDU (fr->c unset); otherwise it fails.
 * NULL with a fail verdict when nothing comes (NONE_OK: without a verdict). */
static const struct lt_pdu *frame(struct lt *t, struct ec *e, struct lt_frame *fr, uint64_t ms, int how,
				  const char *what)
{
	uint64_t end = t->clk.now(t) + ms;
	for (;;) {
		uint64_t now = t->clk.now(t);
		const struct lt_pdu *p = lt_next(t, end > now ? end - now : 0);
		if (!p) {
			if (!(how & NONE_OK))
				lt_fail(t, "%s: nothing came from the IUT within %llu ms", what, (unsigned long long)ms);
			return NULL;
		}
		if (p->cid == 0x0001) {
			if (p->len == 8 && p->data[0] == 0x06 && lt_get16(p->data + 4) == TCID &&
			    lt_get16(p->data + 6) == e->icid && (how & DISC_OK)) {
				memset(fr, 0, sizeof(*fr));
				return p;
			}
			if (p->len >= 1 && p->data[0] == 0x06)
				lt_fail(t, "%s: the IUT closed the channel instead (Disconnection Request)", what);
			else
				lt_fail(t, "%s: a signaling command (code 0x%02x) came instead", what,
					p->len ? p->data[0] : 0);
			return NULL;
		}
		if (p->cid != TCID) {
			lt_fail(t, "%s: a frame on CID 0x%04x came instead", what, p->cid);
			return NULL;
		}
		if (!lt_frame_parse(t, p, &e->fmt, fr, what))
			return NULL;
		char s[64];
		lt_logf(t, "(IUT sent %s)", lt_ctl_str(&fr->c, s, sizeof(s)));
		uint16_t rq = fr->c.reqseq;
		if (fr->c.s && fr->c.sfunc == LT_S_SREJ) {
			if (soff(e, rq, e->acked) >= soff(e, e->tx_next, e->acked)) {
				lt_fail(t, "%s: SREJ with ReqSeq %u, not one of our unacknowledged I-frames (%u..%u, 8.6.1.4)",
					what, rq, e->acked, sadd(e, e->tx_next, e->mod - 1));
				return NULL;
			}
			if (fr->c.p)
				e->acked = rq; /* SREJ with P=1 acknowledges the frames before it (8.6.1.4) */
		} else {
			if (soff(e, rq, e->acked) > soff(e, e->tx_next, e->acked)) {
				lt_fail(t, "%s: ReqSeq %u outside ExpectedAckSeq %u..NextTxSeq %u of the tester (8.6.5 "
					   "With-Valid-ReqSeq)", what, rq, e->acked, e->tx_next);
				return NULL;
			}
			e->acked = rq;
		}
		if (!fr->c.s) {
			if (fr->c.txseq == e->rx_next)
				e->rx_next = sadd(e, e->rx_next, 1);
			/* The MPS bounds the information payload (5.4, 3.3.7); whether a Start frame's SDU
			 * Length counts against it the specification leaves open: the Linux kernel sends
			 * MPS information octets after it (and takes as many), l2kit counts it
			 * (docs/modes.md: MPS - 2 in a Start frame). */
			size_t pl = fr->info_len + (t->iut_is_l2kit && fr->sdu_len >= 0 ? 2u : 0u);
			if (pl > e->our_mps) {
				lt_fail(t, "%s: an I-frame with %zu %s, over the MPS %u the tester configured (5.4)", what, pl,
					t->iut_is_l2kit && fr->sdu_len >= 0 ? "octets of SDU Length and information"
									    : "information octets",
					e->our_mps);
				return NULL;
			}
		}
		if ((how & SKIP_ACKS) && fr->c.s && fr->c.sfunc == LT_S_RR && !fr->c.p && !fr->c.f)
			continue;
		return p;
	}
}

/* The IUT's next frame other than plain acknowledgements is I-frame TxSeq txseq with F = fbit,
 * unsegmented, carrying SDU k. */
static bool expect_i(struct lt *t, struct ec *e, uint16_t txseq, bool fbit, int k, const char *what)
{
	struct lt_frame fr;
	if (!frame(t, e, &fr, WAIT, SKIP_ACKS, what))
		return false;
	char s[64];
	if (fr.c.s)
		return lt_fail(t, "%s: %s came, expected an I-frame with TxSeq %u", what, lt_ctl_str(&fr.c, s, sizeof(s)),
			       txseq);
	if (fr.c.txseq != txseq)
		return lt_fail(t, "%s: TxSeq %u, expected %u (3.3.2, 8.6.5)", what, fr.c.txseq, txseq);
	if (fr.c.f != fbit)
		return lt_fail(t, "%s: F-bit %d, expected %d (8.6.5)", what, fr.c.f, fbit);
	if (fr.c.sar != LT_SAR_UNSEG)
		return lt_fail(t, "%s: SAR %u, expected 0 (unsegmented: the SDU fits the MPS, 3.3.2)", what, fr.c.sar);
	uint8_t b[16];
	size_t n = sdu(k, b);
	if (fr.info_len != n || memcmp(fr.info, b, n))
		return lt_fail(t, "%s: its information payload is not the SDU the IUT was asked to send (%zu octets)",
			       what, fr.info_len);
	return true;
}

/* The IUT's next frame other than plain acknowledgements is S-frame sfunc with P and F as given
 * and (reqseq >= 0) this ReqSeq. */
static bool expect_s(struct lt *t, struct ec *e, uint8_t sfunc, int reqseq, bool p, bool f, const char *what,
		     struct lt_frame *out)
{
	static const char *const sn[4] = {"RR", "REJ", "RNR", "SREJ"};
	struct lt_frame fr;
	if (!frame(t, e, &fr, WAIT, SKIP_ACKS, what))
		return false;
	char s[64];
	if (!fr.c.s || fr.c.sfunc != sfunc || fr.c.p != p || fr.c.f != f)
		return lt_fail(t, "%s: %s came, expected %s with P=%d F=%d", what, lt_ctl_str(&fr.c, s, sizeof(s)),
			       sn[sfunc & 3], p, f);
	if (reqseq >= 0 && fr.c.reqseq != reqseq)
		return lt_fail(t, "%s: ReqSeq %u, expected %d", what, fr.c.reqseq, reqseq);
	if (out)
		*out = fr;
	return true;
}

/* Within ms the IUT sends nothing but plain acknowledgements (checked as every frame). */
static bool no_iframe(struct lt *t, struct ec *e, uint64_t ms, const char *what)
{
	struct lt_frame fr;
	char s[64];
	if (frame(t, e, &fr, ms, SKIP_ACKS | NONE_OK, what))
		return lt_fail(t, "%s: the IUT sent %s", what, lt_ctl_str(&fr.c, s, sizeof(s)));
	return !lt_done(t);
}

/* The IUT acknowledges every I-frame of ours: an RR with P=0, F=0 and ReqSeq = our NextTxSeq
 * comes (earlier RRs acknowledging part of them are fine). */
static bool wait_ack_all(struct lt *t, struct ec *e, const char *what)
{
	uint64_t end = t->clk.now(t) + WAIT;
	while (e->acked != e->tx_next) {
		uint64_t now = t->clk.now(t);
		struct lt_frame fr;
		if (!frame(t, e, &fr, end > now ? end - now : 0, ANY_FRAME, what))
			return false;
		char s[64];
		if (!fr.c.s || fr.c.sfunc != LT_S_RR || fr.c.p || fr.c.f)
			return lt_fail(t, "%s: %s came, expected an RR with P=0 F=0 (8.6.1.1, 8.6.5 SendAck)", what,
				       lt_ctl_str(&fr.c, s, sizeof(s)));
	}
	return true;
}

/* The IUT's application received n SDUs, the last of them SDU k. */
static bool sdus_in(struct lt *t, int n, int k, const char *what)
{
	if (!lt_iut_wait_sdus(t, n, WAIT, what))
		return false;
	lt_run(t, 20);
	if (t->obs.sdus != n)
		return lt_fail(t, "%s: the IUT's application received %d SDUs, expected %d", what, t->obs.sdus, n);
	uint8_t b[16];
	size_t m = sdu(k, b);
	if (t->obs.len != m || memcmp(t->obs.data, b, m))
		return lt_fail(t, "%s: the last SDU the IUT's application received is not the tester's SDU %d "
				  "(out of order, or a duplicate passed up)", what, k);
	return true;
}

/* The tester, as the sender, recovers the I-frames the IUT asks for (8.6.1.2 REJ: go back to
 * its ReqSeq; 8.6.1.4 SREJ: that one frame; an S-frame with F=1 answering our poll: go back to
 * its ReqSeq unless a REJ was acted on), until the IUT acknowledges all of them.  first_sdu:
 * the SDU number of our I-frame TxSeq 0.  l2kit_first: when the IUT is l2kit, the first
 * request must be this S-frame function (its documented choice), -1: any. */
static bool recover(struct lt *t, struct ec *e, int l2kit_first, int first, const char *what)
{
	bool firstseen = false, rej_actioned = false;
	for (int i = 0; i < 40 && e->acked != e->tx_next; i++) {
		struct lt_frame fr;
		if (!frame(t, e, &fr, WAIT, ANY_FRAME, what))
			return false;
		char s[64];
		if (!fr.c.s)
			return lt_fail(t, "%s: %s came; the IUT has nothing to send", what, lt_ctl_str(&fr.c, s, sizeof(s)));
		if (fr.c.sfunc == LT_S_RNR)
			return lt_fail(t, "%s: RNR came; the IUT is not busy", what);
		if (!firstseen && fr.c.sfunc != LT_S_RR) {
			firstseen = true;
			if (t->iut_is_l2kit && l2kit_first >= 0 && fr.c.sfunc != l2kit_first)
				return lt_fail(t, "%s: l2kit asks for %s first, not %s (core/mode_ertm_rx.c: SREJ for a gap of "
						  "up to 3 frames, REJ for more)", what,
					       l2kit_first == LT_S_REJ ? "a REJ" : "an SREJ",
					       lt_ctl_str(&fr.c, s, sizeof(s)));
		}
		if (fr.c.p) {
			if (fr.c.sfunc != LT_S_RR && fr.c.sfunc != LT_S_RNR && fr.c.sfunc != LT_S_SREJ)
				return lt_fail(t, "%s: %s with P=1 (a REJ never polls, 3.3.2)", what,
					       lt_ctl_str(&fr.c, s, sizeof(s)));
			send_s(t, e, LT_S_RR, e->rx_next, false, true);
		}
		if (fr.c.sfunc == LT_S_SREJ) {
			send_i_seq(t, e, fr.c.reqseq, fr.c.p, first + (int)fr.c.reqseq);
			continue;
		}
		bool back = fr.c.sfunc == LT_S_REJ || (fr.c.sfunc == LT_S_RR && fr.c.f);
		if (fr.c.sfunc == LT_S_REJ && fr.c.f && rej_actioned)
			back = false, rej_actioned = false;
		else if (fr.c.sfunc == LT_S_REJ && !fr.c.f)
			rej_actioned = true;
		if (back)
			for (uint16_t q = fr.c.reqseq; q != e->tx_next; q = sadd(e, q, 1))
				send_i_seq(t, e, q, false, first + (int)q);
	}
	if (e->acked != e->tx_next)
		return lt_fail(t, "%s: the IUT never acknowledged all our I-frames", what);
	return true;
}

/* ---- the cases ---------------------------------------------------------------------------- */

/* ERM/BV-01 (ECF/BV-02): the IUT sends three SDUs as I-frames TxSeq 0, 1, 2, ReqSeq 0, SAR
 * unsegmented, F=0 (3.3.2, 8.6.5 Send-Data); the tester's RR acknowledges them; nothing is
 * retransmitted. */
static void tx_iframes(struct lt *t, enum lt_ctl_kind kind, bool iut_connects, int n)
{
	struct ec e;
	struct eopt o = {.iut_connects = iut_connects};
	if (!ertm_open(t, &e, kind, &o))
		return;
	/* in turns of at most 10 (the tester's window is 32), each acknowledged */
	for (int b = 0; b < n; b += 10) {
		int m = n - b < 10 ? n - b : 10;
		for (int k = b; k < b + m; k++)
			if (!iut_send_sdu(t, &e, k))
				return;
		for (int k = b; k < b + m; k++)
			if (!expect_i(t, &e, sadd(&e, 0, (uint32_t)k), false, k, "the IUT's I-frame"))
				return;
		ack(t, &e);
	}
	no_iframe(t, &e, QUIET, "after the tester's RR acknowledged all");
}
/* ECF/BV-02 runs 70 SDUs: TxSeq goes past 63, where the enhanced field would wrap to 0 */
static void erm_bv01(struct lt *t)
{
	tx_iframes(t, LT_CTL_ENH, true, 3);
}
static void ecf_bv02(struct lt *t)
{
	tx_iframes(t, LT_CTL_EXT, true, 70);
}

/* ERM/BV-02 (ECF/BV-01): the tester sends I-frames TxSeq 0..n-1 (in turns within the IUT's
 * window); the IUT's application receives the SDUs in order; after each turn the tester polls
 * and the IUT's answer (RR, F=1, 8.6.5 Recv RR(P=1)) acknowledges all of it.  ECF/BV-01 sends
 * 70: TxSeq goes past 63, where the enhanced field would wrap to 0. */
static void rx_iframes(struct lt *t, enum lt_ctl_kind kind, int n)
{
	struct ec e;
	struct eopt o = {0};
	if (!ertm_open(t, &e, kind, &o))
		return;
	int turn = e.iut_win < 10 ? e.iut_win : 10;
	for (int b = 0; b < n; b += turn) {
		int m = n - b < turn ? n - b : turn;
		for (int k = b; k < b + m; k++)
			send_i(t, &e, k, false);
		if (!sdus_in(t, b + m, b + m - 1, "the tester's I-frames"))
			return;
		send_s(t, &e, LT_S_RR, e.rx_next, true, false);
		if (!expect_s(t, &e, LT_S_RR, e.tx_next, false, true, "the IUT's answer to the tester's poll", NULL))
			return;
	}
}
static void erm_bv02(struct lt *t)
{
	rx_iframes(t, LT_CTL_ENH, 3);
}
static void ecf_bv01(struct lt *t)
{
	rx_iframes(t, LT_CTL_EXT, 70);
}

/* ERM/BV-03 (ECF/BV-03): the IUT acknowledges received I-frames with RR, P=0 (8.6.1.1): the
 * tester sends I-frames 0..3 and waits for an RR acknowledging all four. */
static void ack_iframes(struct lt *t, enum lt_ctl_kind kind)
{
	struct ec e;
	struct eopt o = {0};
	if (!ertm_open(t, &e, kind, &o))
		return;
	for (int k = 0; k < 4; k++)
		send_i(t, &e, k, false);
	if (!wait_ack_all(t, &e, "the IUT's acknowledgement of I-frames 0..3"))
		return;
	sdus_in(t, 4, 3, "the tester's four I-frames");
}
static void erm_bv03(struct lt *t)
{
	ack_iframes(t, LT_CTL_ENH);
}
static void ecf_bv03(struct lt *t)
{
	ack_iframes(t, LT_CTL_EXT);
}

/* ERM/BV-05, BV-06: with the tester's receive window of 2, the IUT asked to send 3 SDUs sends
 * I-frames 0 and 1 and stops (8.6.2: UnackedFrames = TxWindow); an RR (BV-05) or an I-frame of
 * the tester's carrying ReqSeq 2 (BV-06, a piggybacked acknowledgement) lets I-frame 2 go. */
static void tx_window(struct lt *t, enum lt_ctl_kind kind, bool piggyback)
{
	struct ec e;
	struct eopt o = {.window = 2};
	if (!ertm_open(t, &e, kind, &o))
		return;
	for (int k = 0; k < 3; k++)
		if (!iut_send_sdu(t, &e, k))
			return;
	if (!expect_i(t, &e, 0, false, 0, "the IUT's first I-frame") ||
	    !expect_i(t, &e, 1, false, 1, "the IUT's second I-frame") ||
	    !no_iframe(t, &e, QUIET, "with the tester's TxWindow of 2 full (8.6.2)"))
		return;
	if (piggyback)
		send_i(t, &e, 10, false);
	else
		ack(t, &e);
	if (!expect_i(t, &e, 2, false, 2, "the IUT's third I-frame once acknowledged"))
		return;
	if (piggyback && !sdus_in(t, 1, 10, "the tester's I-frame"))
		return;
	ack(t, &e);
	if (piggyback)
		wait_ack_all(t, &e, "the IUT's acknowledgement of the tester's I-frame");
}
static void erm_bv05(struct lt *t)
{
	tx_window(t, LT_CTL_ENH, false);
}
static void erm_bv06(struct lt *t)
{
	tx_window(t, LT_CTL_ENH, true);
}

/* ERM/BV-07: the IUT's application stops reading (local busy): the IUT sends RNR (8.6.1.3),
 * P=0, F=0, whose ReqSeq acknowledges no more than the tester sent. */
static void erm_bv07(struct lt *t)
{
	struct ec e;
	struct eopt o = {0};
	if (!ertm_open(t, &e, LT_CTL_ENH, &o))
		return;
	if (!lt_iut(t, NULL, 0, "busy chan=%d on=yes", e.chan))
		return;
	send_i(t, &e, 0, false);
	struct lt_frame fr;
	if (!expect_s(t, &e, LT_S_RNR, -1, false, false, "the IUT's frame in local busy", &fr))
		return;
	if (t->iut_is_l2kit && fr.c.reqseq != 0)
		lt_fail(t, "the IUT's RNR: ReqSeq %u; l2kit sends RNR as the application stops, before I-frame 0 "
			   "(ReqSeq 0)", fr.c.reqseq);
}

/* ERM/BV-08 (ECF/BV-04): the IUT's I-frame goes unacknowledged: when its retransmission timer
 * expires it polls with RR, P=1, ReqSeq = our ExpectedTxSeq (8.6.5 XMIT Retrans-Timer-Expires);
 * the tester's RR with F=1 acknowledging it ends the poll, with nothing retransmitted. */
static void poll_on_rtx(struct lt *t, enum lt_ctl_kind kind)
{
	struct ec e;
	struct eopt o = {.short_timers = true, .max_transmit = 3};
	if (!ertm_open(t, &e, kind, &o))
		return;
	if (!iut_send_sdu(t, &e, 0) || !expect_i(t, &e, 0, false, 0, "the IUT's I-frame"))
		return;
	if (!expect_s(t, &e, LT_S_RR, 0, true, false, "the IUT's poll when its retransmission timer expires", NULL))
		return;
	send_s(t, &e, LT_S_RR, e.rx_next, false, true);
	no_iframe(t, &e, QUIET, "after the tester's RR(F=1) acknowledged the I-frame");
}
static void erm_bv08(struct lt *t)
{
	poll_on_rtx(t, LT_CTL_ENH);
}
static void ecf_bv04(struct lt *t)
{
	poll_on_rtx(t, LT_CTL_EXT);
}

/* ERM/BV-09: the tester polls (RR, P=1): the IUT answers with RR, F=1, P=0, acknowledging the
 * tester's I-frame (8.6.5 Recv RR(P=1): SendIorRRorRNR(F=1); the IUT has no I-frame to send). */
static void erm_bv09(struct lt *t)
{
	struct ec e;
	struct eopt o = {.iut_connects = true};
	if (!ertm_open(t, &e, LT_CTL_ENH, &o))
		return;
	send_i(t, &e, 0, false);
	send_s(t, &e, LT_S_RR, e.rx_next, true, false);
	struct lt_frame fr;
	if (!expect_s(t, &e, LT_S_RR, -1, false, true, "the IUT's answer to the tester's poll", &fr))
		return;
	/* its ReqSeq is the IUT's BufferSeq (8.6.5 SendRRorRNR): 1 once it took I-frame 0 */
	if (t->iut_is_l2kit && fr.c.reqseq != 1)
		return (void)lt_fail(t, "the IUT's RR(F=1): ReqSeq %u; l2kit passes I-frame 0 up at once (ReqSeq 1)",
				     fr.c.reqseq);
	sdus_in(t, 1, 0, "the tester's I-frame");
}

/* ERM/BV-10: the poll goes unanswered: when the monitor timer expires the IUT polls again (RR,
 * P=1, 8.6.5 WAIT_F Monitor-Timer-Expires, RetryCount < MaxTransmit = 3); the tester's RR with
 * F=1 then ends it. */
static void erm_bv10(struct lt *t)
{
	struct ec e;
	struct eopt o = {.short_timers = true, .max_transmit = 3};
	if (!ertm_open(t, &e, LT_CTL_ENH, &o))
		return;
	if (!iut_send_sdu(t, &e, 0) || !expect_i(t, &e, 0, false, 0, "the IUT's I-frame") ||
	    !expect_s(t, &e, LT_S_RR, 0, true, false, "the IUT's first poll (retransmission timer)", NULL) ||
	    !expect_s(t, &e, LT_S_RR, 0, true, false, "the IUT's second poll (monitor timer)", NULL))
		return;
	send_s(t, &e, LT_S_RR, e.rx_next, false, true);
	no_iframe(t, &e, QUIET, "after the tester's RR(F=1)");
}

/* The IUT closes the channel (its Disconnection Request, answered) after MaxTransmit: p is the
 * request.  The application sees the channel close. */
static bool closed_by_iut(struct lt *t, struct ec *e, const struct lt_pdu *p, const char *why)
{
	uint8_t want[8] = {0x06, p->data[1], 0x04, 0x00};
	lt_put16(want + 4, TCID);
	lt_put16(want + 6, e->icid);
	if (!lt_is(t, p, want, 8, "the IUT's Disconnection Request"))
		return false;
	lt_send_sig(t, 0x07, p->data[1], want + 4, 4);
	if (!lt_iut_wait_closed(t, 1, 2000, "the channel closed"))
		return false;
	if (t->iut_is_l2kit && strcmp(t->obs.reason, "max-transmit"))
		return lt_fail(t, "l2kit's application saw the close as '%s', not 'max-transmit' (%s)", t->obs.reason, why);
	return true;
}

/* ERM/BV-11: no poll is answered: the IUT polls MaxTransmit (2) times, one monitor time-out
 * apart, then closes the channel (8.6.5 WAIT_F Monitor-Timer-Expires, RetryCount =
 * MaxTransmit). */
static void erm_bv11(struct lt *t)
{
	struct ec e;
	struct eopt o = {.short_timers = true, .max_transmit = 2};
	if (!ertm_open(t, &e, LT_CTL_ENH, &o))
		return;
	if (!iut_send_sdu(t, &e, 0) || !expect_i(t, &e, 0, false, 0, "the IUT's I-frame"))
		return;
	int polls = 0;
	for (;;) {
		struct lt_frame fr;
		const struct lt_pdu *p = frame(t, &e, &fr, WAIT, SKIP_ACKS | DISC_OK, "the IUT's polls");
		if (!p)
			return;
		if (p->cid == 0x0001) {
			if (polls != 2)
				return (void)lt_fail(t, "the IUT closed the channel after %d polls, MaxTransmit is 2", polls);
			closed_by_iut(t, &e, p, "MaxTransmit polls unanswered");
			return;
		}
		char s[64];
		if (!fr.c.s || fr.c.sfunc != LT_S_RR || !fr.c.p || fr.c.f || fr.c.reqseq != 0)
			return (void)lt_fail(t, "the IUT sent %s, expected a poll RR(P=1, ReqSeq 0) or its Disconnection Request",
					     lt_ctl_str(&fr.c, s, sizeof(s)));
		if (++polls > 2)
			return (void)lt_fail(t, "the IUT polled %d times, MaxTransmit is 2 (8.6.5)", polls);
	}
}

/* ERM/BV-12: every poll is answered with RR(F=1, ReqSeq 0): the IUT retransmits I-frame 0
 * until it has been sent MaxTransmit (2) times, then closes the channel (8.6.5
 * Retransmit-I-frames with RetryCount = MaxTransmit). */
static void erm_bv12(struct lt *t)
{
	struct ec e;
	struct eopt o = {.short_timers = true, .max_transmit = 2};
	if (!ertm_open(t, &e, LT_CTL_ENH, &o))
		return;
	if (!iut_send_sdu(t, &e, 0) || !expect_i(t, &e, 0, false, 0, "the IUT's I-frame"))
		return;
	int sent = 1;
	for (int i = 0; i < 10; i++) {
		struct lt_frame fr;
		const struct lt_pdu *p = frame(t, &e, &fr, WAIT, SKIP_ACKS | DISC_OK, "the IUT's frames");
		if (!p)
			return;
		if (p->cid == 0x0001) {
			if (sent != 2)
				return (void)lt_fail(t, "the IUT closed the channel after sending I-frame 0 %d times, "
							"MaxTransmit is 2", sent);
			closed_by_iut(t, &e, p, "I-frame 0 sent MaxTransmit times");
			return;
		}
		char s[64];
		if (fr.c.s && fr.c.sfunc == LT_S_RR && fr.c.p && !fr.c.f && fr.c.reqseq == 0) {
			send_s(t, &e, LT_S_RR, 0, false, true); /* answered, acknowledging nothing */
			continue;
		}
		if (!fr.c.s && fr.c.txseq == 0 && fr.c.sar == LT_SAR_UNSEG) {
			if (++sent > 2)
				return (void)lt_fail(t, "the IUT sent I-frame 0 %d times, MaxTransmit is 2 (5.4, 8.6.5)", sent);
			continue;
		}
		return (void)lt_fail(t, "the IUT sent %s, expected a poll, I-frame 0 again or its Disconnection Request",
				     lt_ctl_str(&fr.c, s, sizeof(s)));
	}
	lt_fail(t, "the IUT never closed the channel");
}

/* The IUT sends SDUs 0..n-1: I-frames 0..n-1 checked. */
static bool iut_sends(struct lt *t, struct ec *e, int n)
{
	for (int k = 0; k < n; k++)
		if (!iut_send_sdu(t, e, k))
			return false;
	for (int k = 0; k < n; k++)
		if (!expect_i(t, e, (uint16_t)k, false, k, "the IUT's I-frame"))
			return false;
	return true;
}

/* ERM/BV-13 (ECF/BV-05): the tester's REJ with ReqSeq 1: the IUT retransmits I-frames 1 and 2
 * (8.6.1.2), F=0, and nothing after the tester's RR acknowledges them. */
static void rej_rx(struct lt *t, enum lt_ctl_kind kind, bool iut_connects)
{
	struct ec e;
	struct eopt o = {.iut_connects = iut_connects};
	if (!ertm_open(t, &e, kind, &o) || !iut_sends(t, &e, 3))
		return;
	send_s(t, &e, LT_S_REJ, 1, false, false);
	if (!expect_i(t, &e, 1, false, 1, "the IUT's retransmission after REJ(1)") ||
	    !expect_i(t, &e, 2, false, 2, "the IUT's second retransmission after REJ(1)"))
		return;
	ack(t, &e);
	no_iframe(t, &e, QUIET, "after the tester's RR acknowledged all");
}
static void erm_bv13(struct lt *t)
{
	rej_rx(t, LT_CTL_ENH, true);
}
static void ecf_bv05(struct lt *t)
{
	rej_rx(t, LT_CTL_EXT, false);
}

/* ERM/BV-14 (ECF/BV-06): the tester's SREJ with P=1 and ReqSeq 1 (acknowledging I-frame 0):
 * the IUT retransmits I-frame 1 alone, with F=1 (8.6.1.4, 8.6.5 Recv SREJ(P=1)); after the
 * tester's RR acknowledges all, nothing more. */
static void srej_p1(struct lt *t, enum lt_ctl_kind kind)
{
	struct ec e;
	struct eopt o = {0};
	if (!ertm_open(t, &e, kind, &o) || !iut_sends(t, &e, 4))
		return;
	send_s(t, &e, LT_S_SREJ, 1, true, false);
	if (!expect_i(t, &e, 1, true, 1, "the IUT's retransmission after SREJ(P=1, 1)"))
		return;
	ack(t, &e);
	no_iframe(t, &e, QUIET, "after the SREJ was answered and the tester's RR acknowledged all");
}
static void erm_bv14(struct lt *t)
{
	srej_p1(t, LT_CTL_ENH);
}
static void ecf_bv06(struct lt *t)
{
	srej_p1(t, LT_CTL_EXT);
}

/* ERM/BV-15 (ECF/BV-07): the tester's SREJ with P=0 and ReqSeq 1: the IUT retransmits I-frame 1
 * alone, F=0 (8.6.1.4). */
static void srej_p0(struct lt *t, enum lt_ctl_kind kind)
{
	struct ec e;
	struct eopt o = {0};
	if (!ertm_open(t, &e, kind, &o) || !iut_sends(t, &e, 4))
		return;
	send_s(t, &e, LT_S_SREJ, 1, false, false);
	if (!expect_i(t, &e, 1, false, 1, "the IUT's retransmission after SREJ(P=0, 1)"))
		return;
	ack(t, &e);
	no_iframe(t, &e, QUIET, "after the SREJ was answered and the tester's RR acknowledged all");
}
static void erm_bv15(struct lt *t)
{
	srej_p0(t, LT_CTL_ENH);
}
static void ecf_bv07(struct lt *t)
{
	srej_p0(t, LT_CTL_EXT);
}

/* ERM/BV-16, BV-17: I-frames of the tester's are lost (BV-16: 1..4, BV-17: 1): the IUT asks
 * for them with REJ (8.6.1.2) or SREJ (8.6.1.4), both allowed; the tester resends what is asked
 * for and the IUT's application receives every SDU in order.  l2kit asks with a REJ for a gap
 * of more than 3 frames, with SREJs otherwise. */
static void lost_iframes(struct lt *t, int gap)
{
	struct ec e;
	struct eopt o = {0};
	if (!ertm_open(t, &e, LT_CTL_ENH, &o))
		return;
	send_i(t, &e, 0, false);
	for (int k = 0; k < gap; k++)
		lose_i(t, &e);
	send_i(t, &e, gap + 1, false);
	send_i(t, &e, gap + 2, false);
	if (!recover(t, &e, gap > 3 ? LT_S_REJ : LT_S_SREJ, 0, "the IUT's recovery of the lost I-frames"))
		return;
	sdus_in(t, gap + 3, gap + 2, "the tester's I-frames");
}
static void erm_bv16(struct lt *t)
{
	lost_iframes(t, 4);
}
static void erm_bv17(struct lt *t)
{
	lost_iframes(t, 1);
}

/* ERM/BV-18, BV-19: the IUT's I-frames 0 and 1 go unacknowledged until it polls; the tester
 * answers with RR (BV-18) or an I-frame (BV-19) with F=1 and ReqSeq 1: the IUT retransmits
 * I-frame 1 (8.6.5 WAIT_F Recv ReqSeqAndFbit F=1: Retransmit-I-frames). */
static void final_retx(struct lt *t, bool with_i)
{
	struct ec e;
	struct eopt o = {.short_timers = true, .max_transmit = 3};
	if (!ertm_open(t, &e, LT_CTL_ENH, &o) || !iut_sends(t, &e, 2))
		return;
	if (!expect_s(t, &e, LT_S_RR, 0, true, false, "the IUT's poll (retransmission timer)", NULL))
		return;
	if (with_i) {
		uint8_t b[16];
		size_t n = sdu(20, b);
		struct lt_ctl c = {.txseq = e.tx_next, .reqseq = 1, .f = true};
		lt_logf(t, "(tester sends I(tx=%u req=1 F=1))", e.tx_next);
		lt_send_frame(t, e.icid, &e.fmt, &c, -1, b, n);
		e.tx_next = sadd(&e, e.tx_next, 1);
	} else {
		send_s(t, &e, LT_S_RR, 1, false, true);
	}
	if (!expect_i(t, &e, 1, false, 1, "the IUT's retransmission after the F-bit"))
		return;
	if (with_i && !sdus_in(t, 1, 20, "the tester's I-frame with F=1"))
		return;
	ack(t, &e);
	no_iframe(t, &e, QUIET, "after the tester's RR acknowledged all");
}
static void erm_bv18(struct lt *t)
{
	final_retx(t, false);
}
static void erm_bv19(struct lt *t)
{
	final_retx(t, true);
}

/* ERM/BV-20: the tester is busy (RNR acknowledging I-frame 0): the IUT's next SDU waits (8.6.5
 * RemoteBusy: Pend-Data); the tester's RR clears the condition and I-frame 1 goes.  The RNR
 * polls (P=1) so that its answer (F=1, 8.6.5 Recv RNR(P=1)) shows the IUT took it before it is
 * asked to send: over a real link the request to the IUT can overtake the frame. */
static void erm_bv20(struct lt *t)
{
	struct ec e;
	struct eopt o = {0};
	if (!ertm_open(t, &e, LT_CTL_ENH, &o) || !iut_sends(t, &e, 1))
		return;
	send_s(t, &e, LT_S_RNR, e.rx_next, true, false);
	struct lt_frame fr;
	char s[64];
	if (!frame(t, &e, &fr, WAIT, SKIP_ACKS, "the IUT's answer to the tester's RNR(P=1)"))
		return;
	if (!fr.c.s || (fr.c.sfunc != LT_S_RR && fr.c.sfunc != LT_S_RNR) || fr.c.p || !fr.c.f)
		return (void)lt_fail(t, "the IUT answered the tester's RNR(P=1) with %s, expected RR or RNR with F=1 "
					"(8.6.5 Recv RNR(P=1))", lt_ctl_str(&fr.c, s, sizeof(s)));
	if (!iut_send_sdu(t, &e, 1) || !no_iframe(t, &e, QUIET, "while the tester is busy (RNR, 8.6.1.3)"))
		return;
	ack(t, &e);
	if (!expect_i(t, &e, 1, false, 1, "the IUT's I-frame once the tester's RR cleared the busy condition"))
		return;
	ack(t, &e);
	no_iframe(t, &e, QUIET, "after the tester's RR acknowledged all");
}

/* ERM/BV-22: the IUT's application stops reading (RNR), the tester sends I-frame 0 and polls
 * (the IUT answers RNR with F=1), the application reads again: the IUT polls with RR, P=1
 * (8.6.5 Local-Busy-Clear with RNRsent); the tester answers F=1 (resending I-frame 0 if the
 * IUT's ReqSeq asks for it) and the SDU comes up. */
static void erm_bv22(struct lt *t)
{
	struct ec e;
	struct eopt o = {0};
	if (!ertm_open(t, &e, LT_CTL_ENH, &o))
		return;
	if (!lt_iut(t, NULL, 0, "busy chan=%d on=yes", e.chan))
		return;
	send_i(t, &e, 0, false);
	if (!expect_s(t, &e, LT_S_RNR, -1, false, false, "the IUT's frame in local busy", NULL))
		return;
	/* a poll, answered RNR(F=1) while busy (8.6.5 SendIorRRorRNR): I-frame 0, sent before it,
	 * has reached the IUT before its application is asked to read again */
	send_s(t, &e, LT_S_RR, e.rx_next, true, false);
	if (!expect_s(t, &e, LT_S_RNR, -1, false, true, "the IUT's answer to the tester's poll in local busy", NULL))
		return;
	if (!lt_iut(t, NULL, 0, "busy chan=%d on=no", e.chan))
		return;
	struct lt_frame fr;
	for (;;) {
		/* further RNRs of the busy condition may come before the poll */
		if (!frame(t, &e, &fr, WAIT, SKIP_ACKS, "the IUT's poll when its local busy condition clears"))
			return;
		if (!(fr.c.s && fr.c.sfunc == LT_S_RNR && !fr.c.p && !fr.c.f))
			break;
	}
	char s[64];
	if (!fr.c.s || fr.c.sfunc != LT_S_RR || !fr.c.p || fr.c.f)
		return (void)lt_fail(t, "the IUT sent %s when its local busy condition cleared, expected RR with P=1 "
					"(8.6.5 Local-Busy-Clear, RNRsent)", lt_ctl_str(&fr.c, s, sizeof(s)));
	if (t->iut_is_l2kit && fr.c.reqseq != 1)
		return (void)lt_fail(t, "l2kit's poll has ReqSeq %u; it keeps I-frame 0 while busy (ReqSeq 1)", fr.c.reqseq);
	send_s(t, &e, LT_S_RR, e.rx_next, false, true);
	if (fr.c.reqseq == 0)
		send_i_seq(t, &e, 0, false, 0);
	sdus_in(t, 1, 0, "the tester's I-frame sent during local busy");
}

/* ERM/BV-23 (ECF/BV-08): with the tester's MPS of 48, a 150-octet SDU goes as a start I-frame
 * (SAR 1, SDU length 150), continuation frames (SAR 3) and an end frame (SAR 2) (3.3.2, 7.7),
 * TxSeq in sequence, none over the MPS, together exactly the SDU. */
static void sar_tx(struct lt *t, enum lt_ctl_kind kind)
{
	struct ec e;
	struct eopt o = {.mps = 48};
	if (!ertm_open(t, &e, kind, &o))
		return;
	uint8_t d[150], got[150];
	for (size_t i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(i * 7 + 3);
	if (!iut_send(t, &e, d, sizeof(d)))
		return;
	size_t have = 0;
	for (uint16_t seq = 0; have < sizeof(d); seq++) {
		struct lt_frame fr;
		char s[64];
		if (!frame(t, &e, &fr, WAIT, SKIP_ACKS, "the IUT's segment"))
			return;
		if (fr.c.s)
			return (void)lt_fail(t, "the IUT sent %s, expected the next segment", lt_ctl_str(&fr.c, s, sizeof(s)));
		if (fr.c.txseq != seq || fr.c.f)
			return (void)lt_fail(t, "the IUT's segment: TxSeq %u F=%d, expected TxSeq %u F=0", fr.c.txseq, fr.c.f,
					     seq);
		uint8_t want = seq == 0 ? LT_SAR_START : have + fr.info_len >= sizeof(d) ? LT_SAR_END : LT_SAR_CONT;
		if (fr.c.sar != want)
			return (void)lt_fail(t, "the IUT's segment %u: SAR %u, expected %u (3.3.2: start 1, continuation 3, "
						"end 2)", seq, fr.c.sar, want);
		if (seq == 0 && fr.sdu_len != (int)sizeof(d))
			return (void)lt_fail(t, "the IUT's start segment: SDU length %d, expected %zu", fr.sdu_len, sizeof(d));
		if (!fr.info_len || have + fr.info_len > sizeof(d))
			return (void)lt_fail(t, "the IUT's segment %u: %zu octets, the SDU has %zu left", seq, fr.info_len,
					     sizeof(d) - have);
		memcpy(got + have, fr.info, fr.info_len);
		have += fr.info_len;
	}
	if (memcmp(got, d, sizeof(d)))
		return (void)lt_fail(t, "the IUT's segments do not make up the SDU it was asked to send");
	ack(t, &e);
	no_iframe(t, &e, QUIET, "after the tester's RR acknowledged all");
}
static void erm_bv23(struct lt *t)
{
	sar_tx(t, LT_CTL_ENH);
}
static void ecf_bv08(struct lt *t)
{
	sar_tx(t, LT_CTL_EXT);
}

/* ERM/BI-01, BI-02: I-frames of the tester's are lost (BI-01: 1..4, l2kit asks with a REJ;
 * BI-02: 1, l2kit asks with an SREJ), and so is the IUT's request: the tester, as its
 * retransmission timer would make it, polls (RR, P=1); the IUT's answer (F=1, 8.6.5 Recv
 * RR(P=1) in REJ_SENT / SREJ_SENT) says again what is missing; the tester resends it and the
 * IUT's application receives every SDU in order. */
static void lost_request(struct lt *t, int gap)
{
	struct ec e;
	struct eopt o = {0};
	if (!ertm_open(t, &e, LT_CTL_ENH, &o))
		return;
	send_i(t, &e, 0, false);
	for (int k = 0; k < gap; k++)
		lose_i(t, &e);
	send_i(t, &e, gap + 1, false);
	send_i(t, &e, gap + 2, false);
	struct lt_frame fr;
	if (!frame(t, &e, &fr, WAIT, SKIP_ACKS, "the IUT's request for the lost I-frames"))
		return;
	char s[64];
	if (!fr.c.s || (fr.c.sfunc != LT_S_REJ && fr.c.sfunc != LT_S_SREJ) || fr.c.reqseq != 1 || fr.c.p || fr.c.f)
		return (void)lt_fail(t, "the IUT sent %s, expected REJ or SREJ with ReqSeq 1 (8.6.1.2, 8.6.1.4)",
				     lt_ctl_str(&fr.c, s, sizeof(s)));
	if (t->iut_is_l2kit && fr.c.sfunc != (gap > 3 ? LT_S_REJ : LT_S_SREJ))
		return (void)lt_fail(t, "l2kit sent %s; it asks for a gap of more than 3 frames with REJ, else SREJ",
				     lt_ctl_str(&fr.c, s, sizeof(s)));
	lt_logf(t, "(the tester loses the IUT's %s)", fr.c.sfunc == LT_S_REJ ? "REJ" : "SREJ");
	send_s(t, &e, LT_S_RR, e.rx_next, true, false);
	/* the answer: an S-frame with F=1 (further requests, P=0, may come first) */
	for (;;) {
		if (!frame(t, &e, &fr, WAIT, SKIP_ACKS, "the IUT's answer to the tester's poll"))
			return;
		if (fr.c.f || !fr.c.s || fr.c.sfunc != LT_S_SREJ)
			break;
		send_i_seq(t, &e, fr.c.reqseq, false, (int)fr.c.reqseq);
	}
	if (!fr.c.s || !fr.c.f || fr.c.p || (fr.c.sfunc != LT_S_RR && fr.c.sfunc != LT_S_SREJ))
		return (void)lt_fail(t, "the IUT answered the poll with %s, expected RR or SREJ with F=1 (8.6.5 Recv "
					"RR(P=1) in REJ_SENT / SREJ_SENT)", lt_ctl_str(&fr.c, s, sizeof(s)));
	if (t->iut_is_l2kit && (fr.c.sfunc != (gap > 3 ? LT_S_RR : LT_S_SREJ) || fr.c.reqseq != 1))
		return (void)lt_fail(t, "l2kit answered the poll with %s, expected %s(F=1, ReqSeq 1)",
				     lt_ctl_str(&fr.c, s, sizeof(s)), gap > 3 ? "RR" : "SREJ");
	if (fr.c.sfunc == LT_S_SREJ)
		send_i_seq(t, &e, fr.c.reqseq, false, (int)fr.c.reqseq);
	else
		for (uint16_t q = fr.c.reqseq; q != e.tx_next; q = sadd(&e, q, 1))
			send_i_seq(t, &e, q, false, (int)q);
	if (!recover(t, &e, -1, 0, "the IUT's recovery after the poll"))
		return;
	sdus_in(t, gap + 3, gap + 2, "the tester's I-frames");
}
static void erm_bi01(struct lt *t)
{
	lost_request(t, 4);
}
static void erm_bi02(struct lt *t)
{
	lost_request(t, 1);
}

/* ERM/BI-03, BI-04, BI-05: the IUT's I-frames 0..2 go unacknowledged until it polls; the tester
 * asks for I-frame 1 (BI-03: SREJ, P=0) or I-frames 1.. (BI-04, BI-05: REJ, F=0) first, then
 * answers the poll with the same request (SREJ F=1 / RR F=1 / an I-frame with F=1, ReqSeq 1):
 * the IUT retransmits once only (8.6.5 WAIT_F: SrejActioned, RejActioned). */
enum dup_kind { DUP_SREJ, DUP_RR, DUP_I };
static void dup_request(struct lt *t, enum dup_kind k)
{
	struct ec e;
	struct eopt o = {.short_timers = true, .max_transmit = 3};
	if (!ertm_open(t, &e, LT_CTL_ENH, &o) || !iut_sends(t, &e, 3))
		return;
	if (!expect_s(t, &e, LT_S_RR, 0, true, false, "the IUT's poll (retransmission timer)", NULL))
		return;
	if (k == DUP_SREJ) {
		send_s(t, &e, LT_S_SREJ, 1, false, false);
		if (!expect_i(t, &e, 1, false, 1, "the IUT's retransmission after SREJ(1)"))
			return;
		send_s(t, &e, LT_S_SREJ, 1, false, true);
	} else {
		send_s(t, &e, LT_S_REJ, 1, false, false);
		if (!expect_i(t, &e, 1, false, 1, "the IUT's retransmission after REJ(1)") ||
		    !expect_i(t, &e, 2, false, 2, "the IUT's second retransmission after REJ(1)"))
			return;
		if (k == DUP_RR) {
			send_s(t, &e, LT_S_RR, 1, false, true);
		} else {
			uint8_t b[16];
			size_t n = sdu(30, b);
			struct lt_ctl c = {.txseq = e.tx_next, .reqseq = 1, .f = true};
			lt_logf(t, "(tester sends I(tx=%u req=1 F=1))", e.tx_next);
			lt_send_frame(t, e.icid, &e.fmt, &c, -1, b, n);
			e.tx_next = sadd(&e, e.tx_next, 1);
		}
	}
	/* at once an RR acknowledging all (the retransmission timer, restarted by the F-bit, must not
	 * expire meanwhile): a second copy the F-bit brought comes before or after it, and fails */
	ack(t, &e);
	if (!no_iframe(t, &e, QUIET, "the same I-frames asked for twice (F=1 after the request acted on)"))
		return;
	if (k == DUP_I)
		sdus_in(t, 1, 30, "the tester's I-frame with F=1");
}
static void erm_bi03(struct lt *t)
{
	dup_request(t, DUP_SREJ);
}
static void erm_bi04(struct lt *t)
{
	dup_request(t, DUP_RR);
}
static void erm_bi05(struct lt *t)
{
	dup_request(t, DUP_I);
}

const struct lt_case lt_cases_ertm[] = {
    {"L2CAP/ERM/BV-01-C", "ERM", LT_BREDR, "IUT connects (ERTM), sends 3 SDUs", erm_bv01, NULL, false},
    {"L2CAP/ERM/BV-02-C", "ERM", LT_BREDR, "IUT listens (ERTM), reports SDUs", erm_bv02, NULL, false},
    {"L2CAP/ERM/BV-03-C", "ERM", LT_BREDR, "IUT listens (ERTM), reports SDUs", erm_bv03, NULL, false},
    {"L2CAP/ERM/BV-05-C", "ERM", LT_BREDR, "IUT listens (ERTM), sends 3 SDUs", erm_bv05, NULL, false},
    {"L2CAP/ERM/BV-06-C", "ERM", LT_BREDR, "IUT listens (ERTM), sends 3 SDUs", erm_bv06, NULL, false},
    {"L2CAP/ERM/BV-07-C", "ERM", LT_BREDR, "IUT listens (ERTM), goes busy", erm_bv07, NULL, false},
    {"L2CAP/ERM/BV-08-C", "ERM", LT_BREDR, "IUT listens (ERTM, MaxTransmit 3), sends", erm_bv08, NULL, false},
    {"L2CAP/ERM/BV-09-C", "ERM", LT_BREDR, "IUT connects (ERTM), reports SDUs", erm_bv09, NULL, false},
    {"L2CAP/ERM/BV-10-C", "ERM", LT_BREDR, "IUT listens (ERTM, MaxTransmit 3), sends", erm_bv10, NULL, false},
    {"L2CAP/ERM/BV-11-C", "ERM", LT_BREDR, "IUT listens (ERTM, MaxTransmit 2), sends", erm_bv11, NULL, false},
    {"L2CAP/ERM/BV-12-C", "ERM", LT_BREDR, "IUT listens (ERTM, MaxTransmit 2), sends", erm_bv12, NULL, false},
    {"L2CAP/ERM/BV-13-C", "ERM", LT_BREDR, "IUT connects (ERTM), sends 3 SDUs", erm_bv13, NULL, false},
    {"L2CAP/ERM/BV-14-C", "ERM", LT_BREDR, "IUT listens (ERTM), sends 4 SDUs", erm_bv14, NULL, false},
    {"L2CAP/ERM/BV-15-C", "ERM", LT_BREDR, "IUT listens (ERTM), sends 4 SDUs", erm_bv15, NULL, false},
    {"L2CAP/ERM/BV-16-C", "ERM", LT_BREDR, "IUT listens (ERTM), reports SDUs", erm_bv16, NULL, false},
    {"L2CAP/ERM/BV-17-C", "ERM", LT_BREDR, "IUT listens (ERTM), reports SDUs", erm_bv17, NULL, false},
    {"L2CAP/ERM/BV-18-C", "ERM", LT_BREDR, "IUT listens (ERTM, MaxTransmit 3), sends", erm_bv18, NULL, false},
    {"L2CAP/ERM/BV-19-C", "ERM", LT_BREDR, "IUT listens (ERTM, MaxTransmit 3), sends", erm_bv19, NULL, false},
    {"L2CAP/ERM/BV-20-C", "ERM", LT_BREDR, "IUT listens (ERTM), sends 2 SDUs", erm_bv20, NULL, false},
    {"L2CAP/ERM/BV-21-C", "ERM", LT_BREDR, NULL, NULL,
     "older TS revision, not in TS p41: no procedure to play", false},
    {"L2CAP/ERM/BV-22-C", "ERM", LT_BREDR, "IUT listens (ERTM), goes busy and back", erm_bv22, NULL, false},
    {"L2CAP/ERM/BV-23-C", "ERM", LT_BREDR, "IUT listens (ERTM), sends a 150-octet SDU", erm_bv23, NULL, false},
    {"L2CAP/ERM/BI-01-C", "ERM", LT_BREDR, "IUT listens (ERTM), reports SDUs", erm_bi01, NULL, false},
    {"L2CAP/ERM/BI-02-C", "ERM", LT_BREDR, "IUT listens (ERTM), reports SDUs", erm_bi02, NULL, false},
    {"L2CAP/ERM/BI-03-C", "ERM", LT_BREDR, "IUT listens (ERTM, MaxTransmit 3), sends", erm_bi03, NULL, false},
    {"L2CAP/ERM/BI-04-C", "ERM", LT_BREDR, "IUT listens (ERTM, MaxTransmit 3), sends", erm_bi04, NULL, false},
    {"L2CAP/ERM/BI-05-C", "ERM", LT_BREDR, "IUT listens (ERTM, MaxTransmit 3), sends", erm_bi05, NULL, false},
    {"L2CAP/ECF/BV-01-C", "ECF", LT_BREDR, "IUT listens (ERTM, ext-window), reports SDUs", ecf_bv01, NULL, false},
    {"L2CAP/ECF/BV-02-C", "ECF", LT_BREDR, "IUT connects (ERTM, ext-window), sends 70 SDUs", ecf_bv02, NULL, false},
    {"L2CAP/ECF/BV-03-C", "ECF", LT_BREDR, "IUT listens (ERTM, ext-window), reports SDUs", ecf_bv03, NULL, false},
    {"L2CAP/ECF/BV-04-C", "ECF", LT_BREDR, "IUT listens (ERTM, ext-window, MaxTransmit 3), sends", ecf_bv04, NULL,
     false},
    {"L2CAP/ECF/BV-05-C", "ECF", LT_BREDR, "IUT listens (ERTM, ext-window), sends 3 SDUs", ecf_bv05, NULL, false},
    {"L2CAP/ECF/BV-06-C", "ECF", LT_BREDR, "IUT listens (ERTM, ext-window), sends 4 SDUs", ecf_bv06, NULL, false},
    {"L2CAP/ECF/BV-07-C", "ECF", LT_BREDR, "IUT listens (ERTM, ext-window), sends 4 SDUs", ecf_bv07, NULL, false},
    {"L2CAP/ECF/BV-08-C", "ECF", LT_BREDR, "IUT listens (ERTM, ext-window), sends a 150-octet SDU", ecf_bv08, NULL,
     false},
    {NULL, NULL, LT_ANY, NULL, NULL, NULL, false},
};
