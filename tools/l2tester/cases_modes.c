/* l2tester's cases of the BR/EDR modes with a control field, beside ERTM's own groups:
 * STM (Streaming mode), OFS (the FCS option), EWC (the Extended Window Size option), COS/FLC
 * (L2CAP 1.2 Flow Control mode) and COS/RTX (L2CAP 1.2 Retransmission mode).  Vol 3 Part A
 * 3.3 (frames, the FCS), 5.4 (Retransmission and Flow Control option), 5.5 (FCS option), 5.7
 * (Extended Window Size option), 8 (the procedures; the legacy modes as in the Core editions
 * that carry them).  Each case plays the lower tester of L2CAP.TS and checks every byte the
 * IUT sends (lt.h, lt_ertm.h): the control field, SAR, SDU length, information and FCS.
 *
 * The tester answers the IUT's Information Requests with the extended features the case needs
 * (t->info_feat) and configures the mode both ways; the IUT's timers that a case waits on are
 * set short through the configuration (5.4: the legacy modes' transmitter takes its time-outs
 * from its peer's request), so a real-time run takes seconds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/l2tester/cases.h"
#include "tools/l2tester/lt_ertm.h"

#define TCID 0x0060 /* the tester's CID */
#define TMPS 100    /* the MPS of our request: what the IUT may put in one I-frame */

enum { M_RETRANS = 1, M_FLOWCTL = 2, M_ERTM = 3, M_STREAMING = 4 };

static const char *mode_name(uint8_t m)
{
	static const char *const n[] = {"basic", "retrans", "flowctl", "ertm", "streaming"};
	return m < 5 ? n[m] : "?";
}

static bool legacy(uint8_t m)
{
	return m == M_RETRANS || m == M_FLOWCTL;
}

/* How a case opens its channel. */
struct mopen {
	uint8_t mode;
	uint32_t feat;	   /* the tester's extended features (its Information Response) */
	bool iut_fcs0;	   /* the IUT is asked (fcs=0) for no FCS */
	int our_fcs;	   /* our request's FCS option: -1 none, else its type */
	uint16_t our_ews;  /* our request's Extended Window Size option (0: none) */
	uint8_t txwin;	   /* our request's TxWindow (ERTM and the legacy modes) */
	uint16_t rtx, mon; /* legacy: our request's time-outs (the IUT's transmitter uses them);
			    * ERTM: our response's (the same, 5.4); 0: 2000 / 12000 */
	bool iut_connects; /* the IUT opens the channel (else the tester does) */
	const char *extra; /* more options of the IUT's listen / connect */
};

/* An open channel. */
struct mch {
	uint16_t icid;	   /* the IUT's CID */
	struct lt_fmt f;   /* its frames' format */
	struct lt_rfc iut; /* the IUT's RFC option */
	bool iut_ews;	   /* the IUT's request carried Extended Window Size ... */
	uint16_t ews;	   /* ... with this value */
	bool iut_fcs_none; /* the IUT's request asked for no FCS */
	int chan;	   /* the IUT's chan= */
};

/* ---- opening a channel ------------------------------------------------------------------- */

/* The tester connects to the IUT's PSM: the IUT's CID (0: verdict set). */
static uint16_t tester_connects(struct lt *t)
{
	return lt_connect_bredr(t, t->psm, TCID);
}

/* The IUT connects to the tester's PSM 0x1001: its SCID (0: verdict set); *chan its chan=. */
static uint16_t iut_connects(struct lt *t, const char *opts, int *chan)
{
	char a[18], ans[64];
	if (!lt_iut(t, ans, sizeof(ans), "connect addr=%s transport=bredr psm=4097 %s", l2k_addr_str(&t->tst_addr, a),
		    opts))
		return 0;
	*chan = strncmp(ans, "chan=", 5) ? 1 : (int)strtol(ans + 5, NULL, 10);
	return lt_take_conn_req(t, 0x1001, TCID);
}

/* The IUT's Configuration Request: checked (the mode asked for, valid RFC, FCS and EWS options,
 * l2kit's exact values in-process) and answered success with its RFC option (ERTM: the
 * time-outs its transmitter is to use, 5.4). */
static bool take_iut_conf(struct lt *t, const struct mopen *o, struct mch *m)
{
	const struct lt_pdu *p = lt_expect_sig(t, 0x04, 5000);
	if (!p)
		return false;
	if (p->len < 8 || lt_get16(p->data + 4) != TCID)
		return lt_fail(t, "the IUT's Configuration Request is not for our CID 0x%04x", TCID);
	if (lt_get16(p->data + 6) != 0)
		return lt_fail(t, "the IUT's Configuration Request has flags 0x%04x (0 expected)", lt_get16(p->data + 6));
	const uint8_t *opts = p->data + 8;
	size_t on = p->len - 8, l = 0;
	const uint8_t *rfc = lt_opt_find(opts, on, 0x04, &l);
	if (!rfc)
		return lt_fail(t, "the IUT's Configuration Request has no Retransmission and Flow Control option "
				  "(5.4): it was to configure %s mode",
			       mode_name(o->mode));
	if (!lt_rfc_parse(rfc, l, &m->iut))
		return lt_fail(t, "the IUT's Retransmission and Flow Control option has length %zu (9, 5.4)", l);
	if (m->iut.mode != o->mode)
		return lt_fail(t, "the IUT's Configuration Request: RFC mode 0x%02x, expected 0x%02x (%s)",
			       m->iut.mode, o->mode, mode_name(o->mode));
	const uint8_t *ews = lt_opt_find(opts, on, 0x07, &l);
	if (ews) {
		if (l != 2)
			return lt_fail(t, "the IUT's Extended Window Size option has length %zu (2, 5.7)", l);
		m->iut_ews = true;
		m->ews = lt_get16(ews + 2);
		if (!(t->info_feat & LT_FEAT_EWS))
			return lt_fail(t, "the IUT sent the Extended Window Size option though the tester's extended "
					  "features lack it (5.7, 4.12)");
		if (m->ews == 0 || m->ews > 0x3FFF)
			return lt_fail(t, "the IUT's Extended Window Size is %u (1..16383, 5.7)", m->ews);
	}
	uint8_t maxwin = legacy(o->mode) ? 32 : 63;
	if (o->mode != M_STREAMING && !m->iut_ews && (m->iut.txwin == 0 || m->iut.txwin > maxwin))
		return lt_fail(t, "the IUT's RFC TxWindow is %u (1..%u, 5.4)", m->iut.txwin, maxwin);
	if (m->iut.mps == 0)
		return lt_fail(t, "the IUT's RFC MPS is 0 (5.4)");
	const uint8_t *fcs = lt_opt_find(opts, on, 0x05, &l);
	if (fcs) {
		if (l != 1 || fcs[2] > 1)
			return lt_fail(t, "the IUT's FCS option: length %zu, type 0x%02x (1 octet, 0x00 or 0x01, 5.5)", l,
				       l ? fcs[2] : 0);
		if (!(t->info_feat & LT_FEAT_FCS))
			return lt_fail(t, "the IUT sent the FCS option though the tester's extended features lack it (5.5)");
		m->iut_fcs_none = fcs[2] == 0 && !legacy(o->mode);
	}
	if (t->iut_is_l2kit) {
		/* docs/modes.md "Configuration": timeouts 0 in ERTM/Streaming requests, TxWindow and
		 * MaxTransmit 0 in Streaming, FCS 0x00 when asked, 0x01 with the peer's FCS feature,
		 * EWS for ERTM when asked and the peer has it */
		bool ertm_like = !legacy(o->mode);
		if (ertm_like && (m->iut.rtx_ms || m->iut.mon_ms))
			return lt_fail(t, "l2kit's ERTM/Streaming request carries time-outs %u/%u (0/0 documented)",
				       m->iut.rtx_ms, m->iut.mon_ms);
		if (legacy(o->mode) && (!m->iut.rtx_ms || !m->iut.mon_ms))
			return lt_fail(t, "l2kit's legacy-mode request carries time-outs %u/%u (its proposal documented)",
				       m->iut.rtx_ms, m->iut.mon_ms);
		if (o->mode == M_STREAMING && (m->iut.txwin || m->iut.max_transmit))
			return lt_fail(t, "l2kit's Streaming request carries TxWindow %u, MaxTransmit %u (0, 0 documented)",
				       m->iut.txwin, m->iut.max_transmit);
		bool want_fcs = ertm_like && (o->iut_fcs0 || (t->info_feat & LT_FEAT_FCS));
		if (!!fcs != want_fcs || (fcs && fcs[2] != (o->iut_fcs0 ? 0 : 1)))
			return lt_fail(t, "l2kit's request %s the FCS option%s", fcs ? "carries" : "lacks",
				       fcs ? " with another type than documented" : "");
	}
	if (o->iut_fcs0 && !m->iut_fcs_none)
		return lt_inconclusive(t, "the IUT, asked for no FCS (fcs=0), did not ask for none in its Configuration "
					  "Request (5.5): the channel would carry the FCS");
	uint8_t rsp[6 + 11];
	lt_put16(rsp, m->icid);
	lt_put16(rsp + 2, 0);
	lt_put16(rsp + 4, 0);
	struct lt_rfc r = m->iut;
	if (o->mode == M_ERTM) {
		r.rtx_ms = o->rtx ? o->rtx : 2000;
		r.mon_ms = o->mon ? o->mon : 12000;
	}
	size_t n = 6 + lt_opt_rfc(rsp + 6, &r);
	lt_send_sig(t, 0x05, p->data[1], rsp, n);
	return true;
}

/* Our Configuration Request (RFC, FCS and EWS options as o says) and the IUT's response:
 * success, our identifier and CID, flags 0; an RFC option in it names our mode and no larger
 * MPS. */
static bool send_our_conf(struct lt *t, const struct mopen *o, struct mch *m)
{
	uint8_t b[4 + 32];
	size_t n = 4;
	lt_put16(b, m->icid);
	lt_put16(b + 2, 0);
	struct lt_rfc r = {.mode = o->mode, .mps = TMPS};
	if (o->mode != M_STREAMING) {
		r.txwin = o->txwin ? o->txwin : 10;
		r.max_transmit = 3;
	}
	if (legacy(o->mode)) {
		r.rtx_ms = o->rtx ? o->rtx : 2000;
		r.mon_ms = o->mon ? o->mon : 12000;
	}
	n += lt_opt_rfc(b + n, &r);
	if (o->our_fcs >= 0)
		n += lt_opt_fcs(b + n, (uint8_t)o->our_fcs);
	if (o->our_ews)
		n += lt_opt_ews(b + n, o->our_ews);
	uint8_t id = lt_ident(t);
	lt_send_sig(t, 0x04, id, b + 0, n);
	const struct lt_pdu *p = lt_expect_sig(t, 0x05, 5000);
	if (!p)
		return false;
	if (p->len < 10)
		return lt_fail(t, "the IUT's Configuration Response has %zu octets (10 at least)", p->len);
	uint8_t w[10] = {0x05, id};
	memcpy(w + 2, p->data + 2, 2);
	lt_put16(w + 4, TCID);
	struct lt_pdu head = *p;
	head.len = 10;
	if (!lt_is(t, &head, w, 10, "the IUT's Configuration Response"))
		return false;
	size_t l;
	const uint8_t *rfc = lt_opt_find(p->data + 10, p->len - 10, 0x04, &l);
	struct lt_rfc rr;
	if (rfc && !lt_rfc_parse(rfc, l, &rr))
		return lt_fail(t, "the RFC option of the IUT's Configuration Response has length %zu (9, 5.4)", l);
	if (rfc && rr.mode != o->mode)
		return lt_fail(t, "the IUT's Configuration Response: success in mode 0x%02x, we asked for 0x%02x", rr.mode,
			       o->mode);
	if (rfc && rr.mps > TMPS)
		return lt_fail(t, "the IUT's Configuration Response raises our MPS to %u (we asked for %u, 5.4)", rr.mps,
			       TMPS);
	return true;
}

/* The IUT's extended features (Information Request, 4.10-4.12) must have every bit of need:
 * else the case is not applicable (the IUT does not claim the feature it tests).  false:
 * verdict set. */
static bool iut_claims(struct lt *t, uint32_t need)
{
	static const uint8_t ty[2] = {0x02, 0x00};
	uint8_t id = lt_ident(t);
	lt_send_sig(t, 0x0A, id, ty, 2);
	const struct lt_pdu *p = lt_expect_sig(t, 0x0B, 3000);
	if (!p)
		return false;
	if (p->len < 8 || p->data[1] != id || lt_get16(p->data + 4) != 0x0002)
		return lt_fail(t, "the IUT's Information Response: %zu octets, identifier 0x%02x (0x%02x expected), type "
				  "0x%04x (0x0002 expected)",
			       p->len, p->data[1], id, p->len >= 6 ? lt_get16(p->data + 4) : 0);
	if (lt_get16(p->data + 6) != 0)
		return lt_na(t, "the IUT gives no extended features (result 0x%04x): it has none of the modes",
			     lt_get16(p->data + 6));
	if (p->len != 12)
		return lt_fail(t, "the IUT's Information Response (extended features, success) has %zu octets, not 12 "
				  "(4.11)",
			       p->len);
	uint32_t f = lt_get16(p->data + 8) | (uint32_t)lt_get16(p->data + 10) << 16;
	if ((f & need) != need)
		return lt_na(t, "the IUT does not claim the extended features 0x%08x this case tests (it has 0x%08x, 4.12)",
			     (unsigned)(need & ~f), (unsigned)f);
	return true;
}

/* The IUT's feature bits a case needs: its mode, the FCS option when it is to leave the FCS
 * out, Extended Window Size when either side is to propose it (or, EWC/BV-03, when the IUT
 * that would is to do without). */
static uint32_t need_of(const struct mopen *o)
{
	static const uint32_t mode_bit[5] = {0, LT_FEAT_RETRANS, LT_FEAT_FLOWCTL, LT_FEAT_ERTM, LT_FEAT_STREAMING};
	uint32_t n = mode_bit[o->mode];
	if (o->iut_fcs0)
		n |= LT_FEAT_FCS;
	if (o->our_ews || (o->extra && strstr(o->extra, "ext-window=yes")))
		n |= LT_FEAT_EWS;
	return n;
}

/* Open a channel of o->mode between the tester and the IUT, configured both ways; the format
 * of its frames in m->f.  false: verdict set. */
static bool m_open(struct lt *t, const struct mopen *o, struct mch *m)
{
	memset(m, 0, sizeof(*m));
	t->info_feat = o->feat;
	if (!iut_claims(t, need_of(o)))
		return false;
	char opts[160];
	snprintf(opts, sizeof(opts), "mode=%s%s%s%s", mode_name(o->mode), o->iut_fcs0 ? " fcs=0" : "",
		 o->extra && *o->extra ? " " : "", o->extra ? o->extra : "");
	if (o->iut_connects) {
		m->icid = iut_connects(t, opts, &m->chan);
	} else {
		if (!lt_iut(t, NULL, 0, "listen psm=%u transport=bredr %s", t->psm, opts))
			return false;
		m->icid = tester_connects(t);
	}
	if (!m->icid || !take_iut_conf(t, o, m) || !send_our_conf(t, o, m))
		return false;
	bool ext = !legacy(o->mode) && (m->iut_ews || o->our_ews);
	m->f.kind = legacy(o->mode) ? LT_CTL_STD : ext ? LT_CTL_EXT : LT_CTL_ENH;
	m->f.fcs = legacy(o->mode) || !(m->iut_fcs_none && o->our_fcs == 0);
	lt_logf(t, "(the channel: %s mode, %s control field, %s)", mode_name(o->mode),
		m->f.kind == LT_CTL_STD ? "standard" : ext ? "extended" : "enhanced", m->f.fcs ? "FCS" : "no FCS");
	if (!lt_iut_wait_open(t, 1, 3000, "the channel open"))
		return false;
	if (!o->iut_connects)
		m->chan = t->obs.chan;
	if (t->iut_is_l2kit && (t->obs.peer_mps != TMPS || t->obs.mps != m->iut.mps))
		return lt_fail(t, "l2kit opened with MPS %u (sending) / %u (receiving), not the %u / %u configured",
			       t->obs.peer_mps, t->obs.mps, TMPS, m->iut.mps);
	return true;
}

/* ---- frames ------------------------------------------------------------------------------ */

/* The IUT sends one SDU of n octets (each octet base + its index). */
static bool iut_send(struct lt *t, const struct mch *m, uint8_t base, size_t n)
{
	char h[2 * 600 + 1];
	if (n > 600)
		return lt_fail(t, "internal: SDU too long");
	for (size_t i = 0; i < n; i++)
		snprintf(h + 2 * i, 3, "%02x", (uint8_t)(base + i));
	h[2 * n] = 0;
	return lt_iut(t, NULL, 0, "send chan=%d hex=%s", m->chan, h);
}

static void sdu_fill(uint8_t *d, uint8_t base, size_t n)
{
	for (size_t i = 0; i < n; i++)
		d[i] = (uint8_t)(base + i);
}

/* An S-frame from the IUT: RR with this ReqSeq, P, F (and R) 0.  false: fail set. */
static bool check_rr(struct lt *t, const struct lt_frame *fr, uint16_t req, const char *what)
{
	char b[64];
	if (!fr->c.s || fr->c.sfunc != LT_S_RR || fr->c.reqseq != req || fr->c.p || fr->c.f || fr->c.r)
		return lt_fail(t, "%s: %s, expected RR(req=%u P=0 F=0 R=0)", what, lt_ctl_str(&fr->c, b, sizeof(b)), req);
	return true;
}

/* An I-frame from the IUT: TxSeq, ReqSeq (reqseq < 0: not checked), SAR, F and R 0, the SDU
 * length field (sdu_len >= 0: present with that value) and exactly the n information octets d. */
static bool check_i(struct lt *t, const struct lt_frame *fr, uint16_t txseq, int reqseq, uint8_t sar, int sdu_len,
		    const uint8_t *d, size_t n, const char *what)
{
	char b[64];
	if (fr->c.s || fr->c.txseq != txseq || (reqseq >= 0 && fr->c.reqseq != reqseq) || fr->c.sar != sar || fr->c.f ||
	    fr->c.r)
		return lt_fail(t, "%s: %s, expected I(tx=%u req=%d sar=%u F=0 R=0)%s", what,
			       lt_ctl_str(&fr->c, b, sizeof(b)), txseq, reqseq, sar,
			       reqseq < 0 ? " (req not checked)" : "");
	if (fr->sdu_len != sdu_len)
		return lt_fail(t, "%s: SDU length field %d, expected %d (-1: none)", what, fr->sdu_len, sdu_len);
	if (fr->info_len != n)
		return lt_fail(t, "%s: %zu information octets, expected %zu%s", what, fr->info_len, n,
			       fr->info_len == n + 2 ? " (an FCS where none is in force, 5.5?)" : "");
	for (size_t i = 0; i < n; i++)
		if (fr->info[i] != d[i])
			return lt_fail(t, "%s: information octet %zu is 0x%02x, expected 0x%02x", what, i, fr->info[i], d[i]);
	return true;
}

/* The IUT's next I-frame on our CID within ms.  S-frames before it must be RR(rr_ack) (an
 * acknowledgement or a legacy mode's monitor-timer RR: checked, skipped); rr_ack < 0: none may
 * come.  NULL: fail set. */
static const struct lt_pdu *next_i(struct lt *t, const struct mch *m, int rr_ack, uint64_t ms, struct lt_frame *fr,
				   const char *what)
{
	uint64_t end = t->clk.now(t) + ms;
	for (;;) {
		uint64_t now = t->clk.now(t);
		const struct lt_pdu *p = lt_next_frame(t, TCID, &m->f, fr, end > now ? end - now : 0, what);
		if (!p || !fr->c.s)
			return p;
		char b[64];
		if (rr_ack < 0)
			return lt_fail(t, "%s: an S-frame %s came (none expected here)", what,
				       lt_ctl_str(&fr->c, b, sizeof(b))),
			       NULL;
		if (!check_rr(t, fr, (uint16_t)rr_ack, "an S-frame before the IUT's I-frame"))
			return NULL;
	}
}

/* No I-frame from the IUT for ms; S-frames must be RR(rr_ack) (rr_ack < 0: nothing at all). */
static bool no_iframe(struct lt *t, const struct mch *m, int rr_ack, uint64_t ms, const char *why)
{
	uint64_t end = t->clk.now(t) + ms;
	for (;;) {
		uint64_t now = t->clk.now(t);
		if (now >= end)
			return true;
		const struct lt_pdu *p = lt_next_on(t, TCID, end - now);
		if (!p)
			return true;
		struct lt_frame fr;
		char b[64];
		if (!lt_frame_parse(t, p, &m->f, &fr, "a frame of the IUT"))
			return false;
		if (!fr.c.s)
			return lt_fail(t, "the IUT sent %s: %s", lt_ctl_str(&fr.c, b, sizeof(b)), why);
		if (rr_ack < 0)
			return lt_fail(t, "the IUT sent an S-frame %s (none expected: %s)", lt_ctl_str(&fr.c, b, sizeof(b)), why);
		if (!check_rr(t, &fr, (uint16_t)rr_ack, "the IUT's S-frame"))
			return false;
	}
}

/* The IUT's acknowledgement of our I-frames: an RR (or nothing but RRs) with ReqSeq req within
 * ms.  (An IUT may acknowledge with an I-frame too, but none has data to send here.) */
static bool iut_acks(struct lt *t, const struct mch *m, uint16_t req, uint64_t ms, const char *what)
{
	struct lt_frame fr;
	if (!lt_next_frame(t, TCID, &m->f, &fr, ms, what))
		return false;
	return check_rr(t, &fr, req, what);
}

static int send_s(struct lt *t, const struct mch *m, uint8_t sfunc, uint16_t req, bool r)
{
	struct lt_ctl c = {.s = true, .sfunc = sfunc, .reqseq = req, .r = r};
	return lt_send_frame(t, m->icid, &m->f, &c, -1, NULL, 0);
}

static int send_i(struct lt *t, const struct mch *m, uint16_t txseq, uint16_t req, uint8_t sar, int sdu_len,
		  const uint8_t *d, size_t n)
{
	struct lt_ctl c = {.txseq = txseq, .reqseq = req, .sar = sar};
	return lt_send_frame(t, m->icid, &m->f, &c, sdu_len, d, n);
}

/* An unsegmented I-frame whose FCS is wrong (3.3.5): the IUT must drop it. */
static int send_i_bad_fcs(struct lt *t, const struct mch *m, uint16_t txseq, const uint8_t *d, size_t n)
{
	uint8_t b[4 + 4 + 64 + 2];
	struct lt_ctl c = {.txseq = txseq};
	if (n > 64)
		return L2K_EINVAL;
	size_t k = 4 + lt_ctl_put(m->f.kind, &c, b + 4);
	memcpy(b + k, d, n);
	k += n;
	lt_put16(b, (uint16_t)(k - 4 + 2));
	lt_put16(b + 2, m->icid);
	uint16_t good = lt_crc16(b, k, 0);
	lt_put16(b + k, (uint16_t)(good ^ 0x8001));
	lt_logf(t, "(the next frame's FCS is deliberately wrong: 0x%04x, the right one 0x%04x)", good ^ 0x8001, good);
	return lt_send(t, m->icid, b + 4, k + 2 - 4);
}

/* The IUT's application received SDU number k (1-based) with n octets base, base+1, ... */
static bool iut_got(struct lt *t, int k, uint8_t base, size_t n, const char *what)
{
	if (!lt_iut_wait_sdus(t, k, 2000, what))
		return false;
	if (t->obs.sdus != k)
		return lt_fail(t, "%s: the IUT's application has %d SDUs, expected %d", what, t->obs.sdus, k);
	uint8_t d[600];
	sdu_fill(d, base, n);
	if (t->obs.len != n || memcmp(t->obs.data, d, n))
		return lt_fail(t, "%s: the IUT's application received %zu octets (first 0x%02x), not our %zu (0x%02x ...)", what,
			       t->obs.len, t->obs.len ? t->obs.data[0] : 0, n, base);
	return true;
}

/* ---- Streaming mode ---------------------------------------------------------------------- */

static const struct mopen stm_open = {.mode = M_STREAMING, .feat = LT_FEAT_STREAMING | LT_FEAT_FCS, .our_fcs = -1};
static const struct mopen stm_ext_open = {.mode = M_STREAMING,
					  .feat = LT_FEAT_STREAMING | LT_FEAT_FCS | LT_FEAT_EWS,
					  .our_fcs = -1,
					  .our_ews = 1}; /* the window is not used in Streaming mode (5.7) */

/* Streaming source: the IUT sends `count` SDUs of 20 octets: I-frames TxSeq 0, 1, ... in
 * order, unsegmented, F 0 (ReqSeq: 0 for l2kit), then nothing more (no retransmission, no
 * S-frame). */
static void stm_source(struct lt *t, const struct mopen *o, int count)
{
	struct mch m;
	if (!m_open(t, o, &m))
		return;
	for (int i = 0; i < count; i++)
		if (!iut_send(t, &m, (uint8_t)(0x10 * i), 20))
			return;
	for (int i = 0; i < count; i++) {
		struct lt_frame fr;
		uint8_t d[20];
		char what[48];
		snprintf(what, sizeof(what), "the IUT's Streaming I-frame %d", i);
		sdu_fill(d, (uint8_t)(0x10 * i), 20);
		if (!next_i(t, &m, -1, 2000, &fr, what) ||
		    !check_i(t, &fr, (uint16_t)i, t->iut_is_l2kit ? 0 : -1, LT_SAR_UNSEG, -1, d, 20, what))
			return;
	}
	no_iframe(t, &m, -1, 500, "Streaming mode neither retransmits nor sends S-frames (8.7)");
}

/* Our 100-octet SDU (base) in three I-frames from TxSeq seq: Start (SDU length 100, 40
 * octets), Continuation (40), End (20), each within any MPS (48 at least); the Continuation
 * left out when lose_cont (a gap inside the SDU). */
static void send_sdu3(struct lt *t, const struct mch *m, uint16_t seq, uint8_t base, bool lose_cont)
{
	uint8_t d[100];
	sdu_fill(d, base, 100);
	send_i(t, m, seq, 0, LT_SAR_START, 100, d, 40);
	if (!lose_cont)
		send_i(t, m, (uint16_t)(seq + 1), 0, LT_SAR_CONT, -1, d + 40, 40);
	send_i(t, m, (uint16_t)(seq + 2), 0, LT_SAR_END, -1, d + 80, 20);
}

/* Streaming sink: in-sequence SDUs are passed up; after a gap in TxSeq (frame 2 never sent)
 * the following ones still are; a segmented SDU is passed up whole, one whose Continuation was
 * lost is not passed up at all (8.7: only intact SDUs), the next one is; the IUT sends nothing
 * back. */
static void stm_sink(struct lt *t, const struct mopen *o)
{
	struct mch m;
	if (!m_open(t, o, &m))
		return;
	static const uint8_t seqs[4] = {0, 1, 3, 4};
	for (int i = 0; i < 4; i++) {
		uint8_t d[30];
		sdu_fill(d, (uint8_t)(0x40 + seqs[i]), 30);
		send_i(t, &m, seqs[i], 0, LT_SAR_UNSEG, -1, d, 30);
		char what[64];
		snprintf(what, sizeof(what), "our I-frame TxSeq %u%s", seqs[i], seqs[i] == 3 ? " (after a gap)" : "");
		if (!iut_got(t, i + 1, (uint8_t)(0x40 + seqs[i]), 30, what))
			return;
	}
	send_sdu3(t, &m, 5, 0x01, false);
	if (!iut_got(t, 5, 0x01, 100, "our SDU in three I-frames (TxSeq 5..7)"))
		return;
	send_sdu3(t, &m, 8, 0x80, true); /* TxSeq 9 lost: the SDU is damaged */
	uint8_t d[30];
	sdu_fill(d, 0x33, 30);
	send_i(t, &m, 11, 0, LT_SAR_UNSEG, -1, d, 30);
	if (!iut_got(t, 6, 0x33, 30, "our SDU after one whose Continuation (TxSeq 9) was lost, which must not be passed up"))
		return;
	no_iframe(t, &m, -1, 300, "a Streaming receiver sends no acknowledgement (8.7)");
}

/* Streaming source with SAR: a 250-octet SDU over our MPS of 100 goes as Start (with the SDU
 * length 250), Continuation(s), End: TxSeq in order, every frame within the MPS, the pieces
 * the SDU (l2kit: 98 + 100 + 52, the SDU length field counting against the MPS). */
static void stm_sar(struct lt *t, const struct mopen *o)
{
	struct mch m;
	if (!m_open(t, o, &m) || !iut_send(t, &m, 0x20, 250))
		return;
	uint8_t sdu[250], got[250];
	sdu_fill(sdu, 0x20, 250);
	size_t have = 0;
	for (uint16_t seq = 0; have < 250; seq++) {
		struct lt_frame fr;
		char what[48], b[64];
		snprintf(what, sizeof(what), "the IUT's I-frame %u of the SDU", seq);
		if (!next_i(t, &m, -1, 2000, &fr, what))
			return;
		uint8_t want_sar = seq == 0 ? LT_SAR_START : have + fr.info_len >= 250 ? LT_SAR_END : LT_SAR_CONT;
		if (fr.c.txseq != seq || fr.c.sar != want_sar || fr.c.f ||
		    (t->iut_is_l2kit && fr.c.reqseq != 0))
			return (void)lt_fail(t, "%s: %s, expected TxSeq %u SAR %u (3.3.2)", what,
					     lt_ctl_str(&fr.c, b, sizeof(b)), seq, want_sar);
		if (seq == 0 && fr.sdu_len != 250)
			return (void)lt_fail(t, "%s: SDU length %d, expected 250", what, fr.sdu_len);
		if (fr.info_len == 0 || fr.info_len > TMPS)
			return (void)lt_fail(t, "%s: %zu information octets (1..%u, our MPS)", what, fr.info_len, TMPS);
		if (have + fr.info_len > 250)
			return (void)lt_fail(t, "%s: the pieces pass the SDU length 250", what);
		if (t->iut_is_l2kit) {
			size_t want = seq == 0 ? TMPS - 2 : have + TMPS >= 250 ? 250 - have : TMPS;
			if (fr.info_len != want)
				return (void)lt_fail(t, "%s: l2kit put %zu octets, %zu documented (docs/modes.md)", what,
						     fr.info_len, want);
		}
		memcpy(got + have, fr.info, fr.info_len);
		have += fr.info_len;
	}
	for (size_t i = 0; i < 250; i++)
		if (got[i] != sdu[i])
			return (void)lt_fail(t, "the reassembled SDU: octet %zu is 0x%02x, expected 0x%02x", i, got[i], sdu[i]);
	no_iframe(t, &m, -1, 300, "the SDU was complete");
}

/* L2CAP/STM/BV-01-C */
static void stm_bv01(struct lt *t)
{
	stm_source(t, &stm_open, 3);
}
/* L2CAP/STM/BV-02-C */
static void stm_bv02(struct lt *t)
{
	stm_sink(t, &stm_open);
}
/* L2CAP/STM/BV-03-C */
static void stm_bv03(struct lt *t)
{
	stm_sar(t, &stm_open);
}
/* L2CAP/STM/BV-11-C: as BV-01 with the extended control field (our EWS option, 5.7) */
static void stm_bv11(struct lt *t)
{
	stm_source(t, &stm_ext_open, 3);
}
/* L2CAP/STM/BV-12-C: as BV-02 with the extended control field */
static void stm_bv12(struct lt *t)
{
	stm_sink(t, &stm_ext_open);
}
/* L2CAP/STM/BV-13-C: as BV-03 with the extended control field */
static void stm_bv13(struct lt *t)
{
	stm_sar(t, &stm_ext_open);
}

/* ---- the FCS option ---------------------------------------------------------------------- */

static struct mopen ofs_open(uint8_t mode, bool fcs)
{
	struct mopen o = {.mode = mode, .feat = LT_FEAT_ERTM | LT_FEAT_STREAMING | LT_FEAT_FCS, .our_fcs = fcs ? -1 : 0,
			  .iut_fcs0 = !fcs};
	return o;
}

/* The IUT sends: its I-frame carries a correct FCS (fcs) or none (lt_frame_parse checks the
 * FCS; without it the length shows an extra one); ERTM: acknowledged, then nothing more. */
static void ofs_tx(struct lt *t, uint8_t mode, bool fcs)
{
	struct mopen o = ofs_open(mode, fcs);
	struct mch m;
	if (!m_open(t, &o, &m) || !iut_send(t, &m, 0x61, 24))
		return;
	struct lt_frame fr;
	uint8_t d[24];
	sdu_fill(d, 0x61, 24);
	const char *what = fcs ? "the IUT's I-frame (FCS in force)" : "the IUT's I-frame (no FCS)";
	if (!next_i(t, &m, -1, 2000, &fr, what) ||
	    !check_i(t, &fr, 0, mode == M_ERTM || t->iut_is_l2kit ? 0 : -1, LT_SAR_UNSEG, -1, d, 24, what))
		return;
	if (mode == M_ERTM)
		send_s(t, &m, LT_S_RR, 1, false);
	no_iframe(t, &m, -1, 300, "its one I-frame was acknowledged");
}

/* The IUT receives: frames in the channel's format are passed up (ERTM: acknowledged in the
 * same format); with the FCS in force a frame with a wrong FCS is dropped, not passed up nor
 * acknowledged (3.3.5). */
static void ofs_rx(struct lt *t, uint8_t mode, bool fcs)
{
	struct mopen o = ofs_open(mode, fcs);
	struct mch m;
	if (!m_open(t, &o, &m))
		return;
	uint16_t seq = 0;
	uint8_t d[24];
	if (fcs) {
		sdu_fill(d, 0x70, 24);
		send_i_bad_fcs(t, &m, seq, d, 24);
		if (!lt_iut_sdus_are(t, 0, 400, "an I-frame with a wrong FCS must be dropped (3.3.5)"))
			return;
		if (!no_iframe(t, &m, mode == M_ERTM ? 0 : -1, 200, "nothing to send"))
			return;
		if (mode == M_STREAMING)
			seq++; /* the dropped frame is lost: the next TxSeq shows the gap */
	}
	sdu_fill(d, 0x30, 24);
	send_i(t, &m, seq, 0, LT_SAR_UNSEG, -1, d, 24);
	if (!iut_got(t, 1, 0x30, 24, fcs ? "our I-frame with its FCS" : "our I-frame without FCS"))
		return;
	if (mode == M_ERTM)
		iut_acks(t, &m, 1, 3000, "the IUT's acknowledgement of our I-frame");
	else
		no_iframe(t, &m, -1, 300, "a Streaming receiver sends no acknowledgement (8.7)");
}

/* L2CAP/OFS/BV-01-C: ERTM without FCS, the IUT's I-frames carry none */
static void ofs_bv01(struct lt *t)
{
	ofs_tx(t, M_ERTM, false);
}
/* L2CAP/OFS/BV-02-C: ERTM without FCS, the IUT takes frames without */
static void ofs_bv02(struct lt *t)
{
	ofs_rx(t, M_ERTM, false);
}
/* L2CAP/OFS/BV-03-C: Streaming without FCS, the IUT's I-frames carry none */
static void ofs_bv03(struct lt *t)
{
	ofs_tx(t, M_STREAMING, false);
}
/* L2CAP/OFS/BV-04-C: Streaming without FCS, the IUT takes frames without */
static void ofs_bv04(struct lt *t)
{
	ofs_rx(t, M_STREAMING, false);
}
/* L2CAP/OFS/BV-05-C: ERTM with FCS, the IUT appends a correct one */
static void ofs_bv05(struct lt *t)
{
	ofs_tx(t, M_ERTM, true);
}
/* L2CAP/OFS/BV-06-C: ERTM with FCS, the IUT checks it (a wrong one dropped) */
static void ofs_bv06(struct lt *t)
{
	ofs_rx(t, M_ERTM, true);
}
/* L2CAP/OFS/BV-07-C: Streaming with FCS, the IUT appends a correct one */
static void ofs_bv07(struct lt *t)
{
	ofs_tx(t, M_STREAMING, true);
}
/* L2CAP/OFS/BV-08-C: Streaming with FCS, the IUT checks it (a wrong one dropped) */
static void ofs_bv08(struct lt *t)
{
	ofs_rx(t, M_STREAMING, true);
}

/* ---- the Extended Window Size option ----------------------------------------------------- */

/* Data both ways on an ERTM channel in the format agreed: the IUT's I-frame, ours passed up and
 * acknowledged. */
static void ertm_both_ways(struct lt *t, const struct mch *m)
{
	if (!iut_send(t, m, 0x51, 16))
		return;
	struct lt_frame fr;
	uint8_t d[16];
	sdu_fill(d, 0x51, 16);
	const char *what = m->f.kind == LT_CTL_EXT ? "the IUT's I-frame (extended control field)"
						   : "the IUT's I-frame (enhanced control field)";
	if (!next_i(t, m, -1, 2000, &fr, what) || !check_i(t, &fr, 0, 0, LT_SAR_UNSEG, -1, d, 16, what))
		return;
	sdu_fill(d, 0x90, 16);
	send_i(t, m, 0, 1, LT_SAR_UNSEG, -1, d, 16); /* acknowledges the IUT's frame too */
	if (!iut_got(t, 1, 0x90, 16, "our I-frame"))
		return;
	iut_acks(t, m, 1, 3000, "the IUT's acknowledgement of our I-frame");
}

/* L2CAP/EWC/BV-01-C: the IUT, opening an ERTM channel and asked to propose Extended Window Size
 * (window 100), sends the option (l2kit: 100, RFC TxWindow 63); the extended control field is
 * then used both ways (5.7). */
static void ewc_bv01(struct lt *t)
{
	struct mopen o = {.mode = M_ERTM,
			  .feat = LT_FEAT_ERTM | LT_FEAT_FCS | LT_FEAT_EWS,
			  .our_fcs = -1,
			  .iut_connects = true,
			  .extra = "ext-window=yes window=100"};
	struct mch m;
	if (!m_open(t, &o, &m))
		return;
	if (!m.iut_ews)
		return (void)lt_fail(t, "the IUT's Configuration Request carries no Extended Window Size option (5.7), "
					"though asked to propose it and the tester has the feature");
	if (t->iut_is_l2kit && (m.ews != 100 || m.iut.txwin != 63))
		return (void)lt_fail(t, "l2kit proposed EWS %u, RFC TxWindow %u (100 and 63 documented)", m.ews,
				     m.iut.txwin);
	ertm_both_ways(t, &m);
}

/* L2CAP/EWC/BV-02-C: the tester proposes Extended Window Size (200); the IUT accepts it and
 * uses the extended control field. */
static void ewc_bv02(struct lt *t)
{
	struct mopen o = {
	    .mode = M_ERTM, .feat = LT_FEAT_ERTM | LT_FEAT_FCS | LT_FEAT_EWS, .our_fcs = -1, .our_ews = 200};
	struct mch m;
	if (m_open(t, &o, &m))
		ertm_both_ways(t, &m);
}

/* L2CAP/EWC/BV-03-C: the tester's features lack Extended Window Size: the IUT, though asked
 * for a window of 100 with the option, does not send it, proposes a TxWindow within 1..63
 * (l2kit: 63) and uses the enhanced control field. */
static void ewc_bv03(struct lt *t)
{
	struct mopen o = {.mode = M_ERTM,
			  .feat = LT_FEAT_ERTM | LT_FEAT_FCS,
			  .our_fcs = -1,
			  .extra = "ext-window=yes window=100"};
	struct mch m;
	if (!m_open(t, &o, &m)) /* an EWS option fails there (the tester lacks the feature) */
		return;
	if (t->iut_is_l2kit && m.iut.txwin != 63)
		return (void)lt_fail(t, "l2kit proposed RFC TxWindow %u, not 63", m.iut.txwin);
	ertm_both_ways(t, &m);
}

/* ---- legacy Flow Control mode ------------------------------------------------------------ */

static struct mopen leg_open(uint8_t mode, uint8_t txwin, uint16_t rtx, uint16_t mon)
{
	struct mopen o = {.mode = mode,
			  .feat = mode == M_FLOWCTL ? LT_FEAT_FLOWCTL : LT_FEAT_RETRANS,
			  .our_fcs = -1,
			  .txwin = txwin,
			  .rtx = rtx,
			  .mon = mon};
	return o;
}

/* The IUT sends count SDUs of 12 octets (base 0x10 * i): its I-frames 0..count-1 are checked
 * (ReqSeq req, SAR unsegmented, R 0, FCS); RRs with ReqSeq req may come before them. */
static bool leg_take(struct lt *t, const struct mch *m, int first, int count, uint16_t req)
{
	for (int i = first; i < first + count; i++) {
		struct lt_frame fr;
		uint8_t d[12];
		char what[48];
		snprintf(what, sizeof(what), "the IUT's I-frame %d", i);
		sdu_fill(d, (uint8_t)(0x10 * i), 12);
		if (!next_i(t, m, req, 2000, &fr, what) || !check_i(t, &fr, (uint16_t)i, req, LT_SAR_UNSEG, -1, d, 12, what))
			return false;
	}
	return true;
}

static bool leg_send(struct lt *t, const struct mch *m, int first, int count)
{
	for (int i = first; i < first + count; i++)
		if (!iut_send(t, m, (uint8_t)(0x10 * i), 12))
			return false;
	return true;
}

/* L2CAP/COS/FLC/BV-01-C: within its window (4) the IUT sends its I-frames; none acknowledged,
 * none is sent again after the retransmission time-out (300 ms, our request: Flow Control
 * mode never retransmits). */
static void flc_bv01(struct lt *t)
{
	struct mopen o = leg_open(M_FLOWCTL, 4, 300, 30000);
	struct mch m;
	if (m_open(t, &o, &m) && leg_send(t, &m, 0, 3) && leg_take(t, &m, 0, 3, 0))
		no_iframe(t, &m, 0, 1200, "Flow Control mode does not retransmit");
}

/* L2CAP/COS/FLC/BV-02-C: with a window of 2 the IUT stops after two unacknowledged I-frames
 * and sends the third when an RR acknowledges them. */
static void flc_bv02(struct lt *t)
{
	struct mopen o = leg_open(M_FLOWCTL, 2, 8000, 30000);
	struct mch m;
	if (!m_open(t, &o, &m) || !leg_send(t, &m, 0, 3) || !leg_take(t, &m, 0, 2, 0) ||
	    !no_iframe(t, &m, 0, 600, "its window of 2 is full (our request's TxWindow)"))
		return;
	send_s(t, &m, LT_S_RR, 2, false);
	if (leg_take(t, &m, 2, 1, 0))
		send_s(t, &m, LT_S_RR, 3, false);
}

/* L2CAP/COS/FLC/BV-03-C: as BV-02, the acknowledgement in our I-frame's ReqSeq: the third
 * I-frame comes and acknowledges ours (ReqSeq 1); our SDU is passed up. */
static void flc_bv03(struct lt *t)
{
	struct mopen o = leg_open(M_FLOWCTL, 2, 8000, 30000);
	struct mch m;
	if (!m_open(t, &o, &m) || !leg_send(t, &m, 0, 3) || !leg_take(t, &m, 0, 2, 0) ||
	    !no_iframe(t, &m, 0, 600, "its window of 2 is full (our request's TxWindow)"))
		return;
	uint8_t d[10];
	sdu_fill(d, 0xA0, 10);
	send_i(t, &m, 0, 2, LT_SAR_UNSEG, -1, d, 10);
	if (!leg_take(t, &m, 2, 1, 1) || !iut_got(t, 1, 0xA0, 10, "our I-frame"))
		return;
	send_s(t, &m, LT_S_RR, 3, false);
}

/* L2CAP/COS/FLC/BV-04-C: with nothing outstanding the IUT's monitor timer (600 ms, our
 * request) sends an RR: after we acknowledge its I-frame, an RR(ReqSeq 0, R 0) comes, not
 * sooner than the monitor time-out after our acknowledgement, and nothing else for half the
 * next time-out. */
static void flc_bv04(struct lt *t)
{
	const uint16_t mon = 600;
	struct mopen o = leg_open(M_FLOWCTL, 4, 3000, mon);
	struct mch m;
	if (!m_open(t, &o, &m) || !leg_send(t, &m, 0, 1) || !leg_take(t, &m, 0, 1, 0))
		return;
	send_s(t, &m, LT_S_RR, 1, false);
	uint64_t t0 = t->clk.now(t);
	struct lt_frame fr;
	if (!lt_next_frame(t, TCID, &m.f, &fr, mon + 3000, "the IUT's RR on its monitor time-out") ||
	    !check_rr(t, &fr, 0, "the IUT's RR on its monitor time-out"))
		return;
	uint64_t dt = t->clk.now(t) - t0;
	lt_logf(t, "(the RR came %llu ms after our acknowledgement)", (unsigned long long)dt);
	if (dt + 20 < mon)
		return (void)lt_fail(t, "the IUT's RR came %llu ms after our acknowledgement, before its monitor time-out "
					"(%u ms)",
				     (unsigned long long)dt, mon);
	if (t->iut_is_l2kit && dt > mon + 50u)
		return (void)lt_fail(t, "l2kit's RR came %llu ms after our acknowledgement, not on its %u ms monitor "
					"time-out",
				     (unsigned long long)dt, mon);
	/* the monitor timer starts again when it sends: no other frame for half a time-out (the
	 * other half is room for a tester that took the first one late) */
	t0 = t->clk.now(t);
	const struct lt_pdu *p = lt_next_on(t, TCID, mon / 2);
	if (p)
		lt_fail(t, "the IUT sent another frame %llu ms after its monitor-timer RR, within its monitor time-out (%u ms)",
			(unsigned long long)(t->clk.now(t) - t0), mon);
}

/* ---- legacy Retransmission mode ---------------------------------------------------------- */

/* L2CAP/COS/RTX/BV-01-C: an RR with R=1 (not acknowledging the IUT's I-frame) stops its
 * retransmissions: nothing comes again past several retransmission time-outs (800 ms: our R=1 reaches
 * the IUT before its first one, also on a loaded machine). */
static void rtx_bv01(struct lt *t)
{
	struct mopen o = leg_open(M_RETRANS, 4, 800, 30000);
	struct mch m;
	if (!m_open(t, &o, &m) || !leg_send(t, &m, 0, 1) || !leg_take(t, &m, 0, 1, 0))
		return;
	send_s(t, &m, LT_S_RR, 0, true);
	if (no_iframe(t, &m, 0, 2500, "R=1 (our RR) forbids retransmission"))
		send_s(t, &m, LT_S_RR, 1, false);
}

/* The IUT's unacknowledged I-frame 0 (12 octets, base 0) comes again after its retransmission
 * time-out (rtx ms), with ReqSeq req; then we acknowledge it. */
static void rtx_again(struct lt *t, const struct mch *m, uint64_t t0, uint16_t rtx, uint16_t req)
{
	if (!leg_take(t, m, 0, 1, req))
		return;
	uint64_t dt = t->clk.now(t) - t0;
	lt_logf(t, "(sent again %llu ms after we took the first transmission)", (unsigned long long)dt);
	if (dt < rtx / 4)
		return (void)lt_fail(t, "the IUT sent its I-frame again %llu ms after the first, before its retransmission "
					"time-out (%u ms)",
				     (unsigned long long)dt, rtx);
	if (t->iut_is_l2kit && dt > rtx + 50u)
		return (void)lt_fail(t, "l2kit sent its I-frame again %llu ms after the first, not on its %u ms time-out",
				     (unsigned long long)dt, rtx);
	send_s(t, m, LT_S_RR, 1, false);
	no_iframe(t, m, req, 300, "its I-frame was acknowledged");
}

/* L2CAP/COS/RTX/BV-02-C: the last RR had R=0 and acknowledged nothing: the IUT sends its
 * I-frame again when its retransmission timer (1000 ms, our request) expires, not much
 * sooner (a quarter of it after we took its first transmission: room for a late tester). */
static void rtx_bv02(struct lt *t)
{
	const uint16_t rtx = 1000;
	struct mopen o = leg_open(M_RETRANS, 4, rtx, 30000);
	struct mch m;
	if (!m_open(t, &o, &m) || !leg_send(t, &m, 0, 1) || !leg_take(t, &m, 0, 1, 0))
		return;
	uint64_t t0 = t->clk.now(t);
	send_s(t, &m, LT_S_RR, 0, false);
	rtx_again(t, &m, t0, rtx, 0);
}

/* L2CAP/COS/RTX/BV-03-C: as BV-02, R=0 in our I-frame (ReqSeq 0): our SDU is passed up and the
 * IUT's I-frame comes again, now acknowledging ours (ReqSeq 1). */
static void rtx_bv03(struct lt *t)
{
	const uint16_t rtx = 1000;
	struct mopen o = leg_open(M_RETRANS, 4, rtx, 30000);
	struct mch m;
	if (!m_open(t, &o, &m) || !leg_send(t, &m, 0, 1) || !leg_take(t, &m, 0, 1, 0))
		return;
	uint64_t t0 = t->clk.now(t);
	uint8_t d[10];
	sdu_fill(d, 0xB0, 10);
	send_i(t, &m, 0, 0, LT_SAR_UNSEG, -1, d, 10);
	if (!iut_got(t, 1, 0xB0, 10, "our I-frame"))
		return;
	rtx_again(t, &m, t0, rtx, 1);
}

/* ---- COS/CED and COS/CFD in the legacy modes -------------------------------------------- */

/* The IUT configures a legacy mode (its Configuration Request's RFC option checked by
 * take_iut_conf), reports the channel open in it, and data goes both ways: its I-frames
 * 0..count-1 checked byte by byte (standard control field, R 0, FCS), ours passed up. */
static void leg_config_and_data(struct lt *t, uint8_t mode, int count)
{
	struct mopen o = leg_open(mode, 4, 3000, 6000);
	struct mch m;
	if (!m_open(t, &o, &m))
		return;
	if (strcmp(t->obs.mode, mode_name(mode)))
		return (void)lt_fail(t, "the IUT reported the channel open in mode '%s', not %s", t->obs.mode,
				     mode_name(mode));
	if (!leg_send(t, &m, 0, count) || !leg_take(t, &m, 0, count, 0))
		return;
	uint8_t d[10];
	sdu_fill(d, 0xC0, 10);
	send_i(t, &m, 0, (uint16_t)count, LT_SAR_UNSEG, -1, d, 10);
	if (!iut_got(t, 1, 0xC0, 10, "our I-frame"))
		return;
	/* our I-frame is acknowledged (an RR, or an I-frame's ReqSeq: none is left to send) */
	iut_acks(t, &m, 1, 3000, "the IUT's acknowledgement of our I-frame");
}

/* L2CAP/COS/CED/BV-10-C: Flow Control mode: the IUT's I-frames are formatted correctly. */
static void ced_bv10(struct lt *t)
{
	leg_config_and_data(t, M_FLOWCTL, 3);
}

/* L2CAP/COS/CFD/BV-10-C: configuration negotiates Retransmission mode. */
static void cfd_bv10(struct lt *t)
{
	leg_config_and_data(t, M_RETRANS, 1);
}

/* L2CAP/COS/CFD/BV-13-C: configuration negotiates Flow Control mode. */
static void cfd_bv13(struct lt *t)
{
	leg_config_and_data(t, M_FLOWCTL, 1);
}

const struct lt_case lt_cases_modes[] = {
    {"L2CAP/COS/CED/BV-10-C", "COS/CED", LT_BREDR, "IUT listens (flowctl), data both ways", ced_bv10, NULL, false},
    {"L2CAP/COS/CFD/BV-10-C", "COS/CFD", LT_BREDR, "IUT listens (retrans), data both ways", cfd_bv10, NULL, false},
    {"L2CAP/COS/CFD/BV-13-C", "COS/CFD", LT_BREDR, "IUT listens (flowctl), data both ways", cfd_bv13, NULL, false},
    {"L2CAP/COS/FLC/BV-01-C", "COS/FLC", LT_BREDR, "IUT listens (flowctl), sends 3 SDUs", flc_bv01, NULL, false},
    {"L2CAP/COS/FLC/BV-02-C", "COS/FLC", LT_BREDR, "IUT listens (flowctl), sends 3 SDUs", flc_bv02, NULL, false},
    {"L2CAP/COS/FLC/BV-03-C", "COS/FLC", LT_BREDR, "IUT listens (flowctl), data both ways", flc_bv03, NULL, false},
    {"L2CAP/COS/FLC/BV-04-C", "COS/FLC", LT_BREDR, "IUT listens (flowctl), sends, monitor RR", flc_bv04, NULL, false},
    {"L2CAP/COS/RTX/BV-01-C", "COS/RTX", LT_BREDR, "IUT listens (retrans), sends", rtx_bv01, NULL, false},
    {"L2CAP/COS/RTX/BV-02-C", "COS/RTX", LT_BREDR, "IUT listens (retrans), sends, retransmits", rtx_bv02, NULL, false},
    {"L2CAP/COS/RTX/BV-03-C", "COS/RTX", LT_BREDR, "IUT listens (retrans), data both ways", rtx_bv03, NULL, false},
    {"L2CAP/OFS/BV-01-C", "OFS", LT_BREDR, "IUT listens (ertm fcs=0), sends", ofs_bv01, NULL, false},
    {"L2CAP/OFS/BV-02-C", "OFS", LT_BREDR, "IUT listens (ertm fcs=0), reports SDUs", ofs_bv02, NULL, false},
    {"L2CAP/OFS/BV-03-C", "OFS", LT_BREDR, "IUT listens (streaming fcs=0), sends", ofs_bv03, NULL, false},
    {"L2CAP/OFS/BV-04-C", "OFS", LT_BREDR, "IUT listens (streaming fcs=0), reports SDUs", ofs_bv04, NULL, false},
    {"L2CAP/OFS/BV-05-C", "OFS", LT_BREDR, "IUT listens (ertm), sends", ofs_bv05, NULL, false},
    {"L2CAP/OFS/BV-06-C", "OFS", LT_BREDR, "IUT listens (ertm), reports SDUs", ofs_bv06, NULL, false},
    {"L2CAP/OFS/BV-07-C", "OFS", LT_BREDR, "IUT listens (streaming), sends", ofs_bv07, NULL, false},
    {"L2CAP/OFS/BV-08-C", "OFS", LT_BREDR, "IUT listens (streaming), reports SDUs", ofs_bv08, NULL, false},
    {"L2CAP/STM/BV-01-C", "STM", LT_BREDR, "IUT listens (streaming), sends 3 SDUs", stm_bv01, NULL, false},
    {"L2CAP/STM/BV-02-C", "STM", LT_BREDR, "IUT listens (streaming), reports SDUs", stm_bv02, NULL, false},
    {"L2CAP/STM/BV-03-C", "STM", LT_BREDR, "IUT listens (streaming), sends a 250-octet SDU", stm_bv03, NULL, false},
    {"L2CAP/EWC/BV-01-C", "EWC", LT_BREDR, "IUT connects (ertm ext-window=yes), data both ways", ewc_bv01, NULL, false},
    {"L2CAP/EWC/BV-02-C", "EWC", LT_BREDR, "IUT listens (ertm), data both ways", ewc_bv02, NULL, false},
    {"L2CAP/EWC/BV-03-C", "EWC", LT_BREDR, "IUT listens (ertm ext-window=yes), data both ways", ewc_bv03, NULL, false},
    {"L2CAP/STM/BV-11-C", "STM", LT_BREDR, "IUT listens (streaming, extended control), sends 3 SDUs", stm_bv11, NULL,
     false},
    {"L2CAP/STM/BV-12-C", "STM", LT_BREDR, "IUT listens (streaming, extended control), reports SDUs", stm_bv12, NULL,
     false},
    {"L2CAP/STM/BV-13-C", "STM", LT_BREDR, "IUT listens (streaming, extended control), sends a 250-octet SDU",
     stm_bv13, NULL, false},
    {NULL, NULL, LT_ANY, NULL, NULL, NULL, false},
};
