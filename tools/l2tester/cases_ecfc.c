/* l2tester's Enhanced Credit Based Flow Control cases: groups ECFC and COS/ECFC and the ECFC
 * variants of COS/CED (Vol 3 Part A 4.25-4.28 Credit Based Connection / Reconfigure, 10.2 and
 * 3.4 K-frames and credits), on LE-U and ACL-U.  An LE ID and its BR/EDR twin (ECFC/BV-01 and
 * BV-45 ...) run one body on the link of their transport.  Each case plays the lower tester of
 * L2CAP.TS and checks every byte the IUT sends (lt.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/l2tester/cases.h"

#define TCID 0x0040		 /* the tester's first CID */
#define FEAT_ECFC 0x00000400u	 /* extended feature mask bit 10 (Vol 3 Part A 4.12) */

/* The IUT's channel parameters most cases ask for (listen / connect mtu= mps= credits=). */
struct ecfc_par {
	uint16_t mtu, mps, credits;
};
static const struct ecfc_par DEF = {200, 100, 10};

/* A Credit Based Connection Request: the IUT's (as received) or the tester's. */
struct ecfc_req {
	uint8_t ident;
	int n;
	uint16_t cid[5];
	int chan[5]; /* the IUT's chan numbers (the IUT's own request) */
};

/* A Credit Based Connection Response as received. */
struct ecfc_rsp {
	uint16_t mtu, mps, credits, result;
	int n;
	uint16_t dcid[5];
};

static const char *tr(const struct lt *t)
{
	return t->le ? "le" : "bredr";
}

static uint16_t dyn_end(const struct lt *t)
{
	return t->le ? 0x007F : 0xFFFF;
}

static bool dyn_cid(const struct lt *t, uint16_t cid)
{
	return cid >= 0x0040 && cid <= dyn_end(t);
}

/* Octets 0..n-1 of a recognisable pattern. */
static void fill(uint8_t *b, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed + i * 7u + (i >> 8));
}

static void hexs(char *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
	out[2 * n] = 0;
}

/* The IUT sends this SDU on its chan (hex of a pattern). */
static bool iut_send(struct lt *t, int chan, const uint8_t *b, size_t n)
{
	static char h[2 * 1024 + 1];
	if (n > 1024)
		return lt_fail(t, "(case error: SDU too long)");
	hexs(h, b, n);
	return lt_iut(t, NULL, 0, "send chan=%d hex=%s", chan, h);
}

/* A well-formed Flow Control Credit Indication (the IUT hands back credits as it consumes
 * K-frames, 10.2): 8 octets, credits > 0. */
static bool is_credit_ind(const struct lt *t, const struct lt_pdu *p)
{
	return p->cid == lt_sig_cid(t) && p->len == 8 && p->data[0] == 0x16 && lt_get16(p->data + 2) == 4 &&
	       lt_get16(p->data + 6) > 0;
}

/* The next signaling command, which must have this code, skipping the IUT's Credit Indications
 * (each checked well formed); NULL (fail) if something else or nothing comes. */
static const struct lt_pdu *next_sig(struct lt *t, uint8_t code, uint64_t ms)
{
	uint64_t end = t->clk.now(t) + ms;
	for (;;) {
		uint64_t now = t->clk.now(t);
		const struct lt_pdu *p = lt_next_on(t, lt_sig_cid(t), end > now ? end - now : 0);
		if (p && p->len >= 1 && p->data[0] == 0x16 && code != 0x16) {
			if (!is_credit_ind(t, p))
				return lt_fail(t, "the IUT's Flow Control Credit Indication is malformed (%zu octets, "
						  "credits %u)", p->len, p->len >= 8 ? lt_get16(p->data + 6) : 0), NULL;
			continue;
		}
		if (!p)
			return lt_fail(t, "expected signaling code 0x%02x from the IUT within %llu ms, got nothing", code,
				       (unsigned long long)ms), NULL;
		if (p->len < 4 || p->data[0] != code)
			return lt_fail(t, "expected signaling code 0x%02x from the IUT, got code 0x%02x (%zu octets)", code,
				       p->len ? p->data[0] : 0, p->len), NULL;
		if (lt_get16(p->data + 2) != p->len - 4)
			return lt_fail(t, "the IUT's command 0x%02x says length %u but carries %zu octets", code,
				       lt_get16(p->data + 2), p->len - 4), NULL;
		return p;
	}
}

/* Nothing from the IUT for ms but Credit Indications (and, when sec, an SMP Security or Pairing
 * Request: the IUT raising the security a refusal said it lacks, Vol 3 Part H 3.5.1/3.6.7). */
static bool quiet(struct lt *t, uint64_t ms, bool sec)
{
	uint64_t end = t->clk.now(t) + ms;
	for (;;) {
		uint64_t now = t->clk.now(t);
		if (now >= end)
			return true;
		const struct lt_pdu *p = lt_next(t, end - now);
		if (!p)
			return true;
		if (is_credit_ind(t, p))
			continue;
		if (sec && p->cid == 0x0006 && p->len >= 1 && (p->data[0] == 0x0B || p->data[0] == 0x01)) {
			lt_logf(t, "(the IUT raises the security: SMP code 0x%02x)", p->data[0]);
			continue;
		}
		return lt_fail(t, "expected nothing more from the IUT, got a frame on cid 0x%04x (%zu octets%s%02x)", p->cid,
			       p->len, p->len ? ", code/first octet 0x" : "", p->len ? p->data[0] : 0);
	}
}

/* ---- the tester as initiator ----------------------------------------------------------------- */

static void send_req(struct lt *t, uint8_t id, uint16_t spsm, uint16_t mtu, uint16_t mps, uint16_t credits,
		     const uint16_t *cid, int n)
{
	uint8_t d[8 + 2 * 8];
	lt_put16(d, spsm);
	lt_put16(d + 2, mtu);
	lt_put16(d + 4, mps);
	lt_put16(d + 6, credits);
	for (int i = 0; i < n; i++)
		lt_put16(d + 8 + 2 * i, cid[i]);
	lt_send_sig(t, 0x17, id, d, 8 + 2 * (size_t)n);
}

/* The IUT's Credit Based Connection Response to id: one command, Length 8 + 2 x DCIDs (at most
 * five, 4.26); its fields to *o.  false (fail) otherwise. */
static bool take_rsp(struct lt *t, uint8_t id, struct ecfc_rsp *o)
{
	const struct lt_pdu *p = next_sig(t, 0x18, 3000);
	if (!p)
		return false;
	if (p->len < 12 || p->len % 2 || p->len > 22)
		return lt_fail(t, "the IUT's Credit Based Connection Response has %zu octets (12 + 2 x DCIDs, at most 22)",
			       p->len);
	if (p->data[1] != id)
		return lt_fail(t, "the IUT's Credit Based Connection Response: identifier 0x%02x, expected 0x%02x (the "
				  "request's, Vol 3 Part A 4)", p->data[1], id);
	o->mtu = lt_get16(p->data + 4);
	o->mps = lt_get16(p->data + 6);
	o->credits = lt_get16(p->data + 8);
	o->result = lt_get16(p->data + 10);
	o->n = (int)(p->len - 12) / 2;
	for (int i = 0; i < o->n; i++)
		o->dcid[i] = lt_get16(p->data + 12 + 2 * i);
	return true;
}

/* p must be exactly this Credit Based Connection Response. */
static bool want_rsp(struct lt *t, const struct lt_pdu *p, uint8_t id, uint16_t mtu, uint16_t mps,
		     uint16_t credits, uint16_t result, const uint16_t *dcid, int n)
{
	uint8_t w[4 + 8 + 10] = {0x18, id};
	lt_put16(w + 2, (uint16_t)(8 + 2 * n));
	lt_put16(w + 4, mtu);
	lt_put16(w + 6, mps);
	lt_put16(w + 8, credits);
	lt_put16(w + 10, result);
	for (int i = 0; i < n; i++)
		lt_put16(w + 12 + 2 * i, dcid ? dcid[i] : 0);
	return lt_is(t, p, w, 12 + 2 * (size_t)n, "the IUT's Credit Based Connection Response");
}

/* A refusal of the whole request (4.26): result, n zero DCIDs; MTU, MPS and credits are to be
 * ignored by the receiver: l2kit sends 0 (checked exactly), another IUT any value. */
static bool want_refusal(struct lt *t, uint8_t id, uint16_t result, int n)
{
	const struct lt_pdu *p = next_sig(t, 0x18, 3000);
	if (!p)
		return false;
	if (t->iut_is_l2kit)
		return want_rsp(t, p, id, 0, 0, 0, result, NULL, n);
	if (p->len == 12 + 2 * (size_t)n) /* only the ignored fields may differ */
		return want_rsp(t, p, id, lt_get16(p->data + 4), lt_get16(p->data + 6), lt_get16(p->data + 8), result,
				NULL, n);
	return want_rsp(t, p, id, 0, 0, 0, result, NULL, n);
}

/* The IUT serves t->psm in ECFC with these parameters (extra: more keys or ""). */
static bool listen_ecfc(struct lt *t, const struct ecfc_par *p, const char *extra)
{
	return lt_iut(t, NULL, 0, "listen psm=%u transport=%s mode=ecfc mtu=%u mps=%u credits=%u%s%s", t->psm, tr(t),
		      p->mtu, p->mps, p->credits, *extra ? " " : "", extra);
}

/* The tester opens n channels (its CIDs tcid0, tcid0 + 1 ...) to the IUT listening with par:
 * success with exactly par's MTU, MPS and credits and n distinct dynamic DCIDs (icid); the
 * IUT's application sees them open. */
static bool tester_open(struct lt *t, const struct ecfc_par *par, int n, uint16_t tcid0, uint16_t mtu, uint16_t mps,
			uint16_t credits, uint16_t *icid)
{
	uint16_t cid[5];
	for (int i = 0; i < n; i++)
		cid[i] = (uint16_t)(tcid0 + i);
	uint8_t id = lt_ident(t);
	int opened = t->obs.opened;
	send_req(t, id, t->psm, mtu, mps, credits, cid, n);
	const struct lt_pdu *p = next_sig(t, 0x18, 3000);
	if (!p)
		return false;
	uint16_t d[5] = {0};
	for (int i = 0; i < n && 12 + 2 * (size_t)i + 2 <= p->len; i++)
		d[i] = lt_get16(p->data + 12 + 2 * i);
	if (p->len >= 12 && lt_get16(p->data + 10) != 0)
		return lt_inconclusive(t, "the IUT refused the channels (result 0x%04x)", lt_get16(p->data + 10));
	if (!want_rsp(t, p, id, par->mtu, par->mps, par->credits, 0x0000, d, n))
		return false;
	for (int i = 0; i < n; i++) {
		if (!dyn_cid(t, d[i]))
			return lt_fail(t, "the IUT's DCID 0x%04x is outside the dynamic range 0x0040-0x%04x (4.26)", d[i],
				       dyn_end(t));
		for (int k = 0; k < i; k++)
			if (d[k] == d[i])
				return lt_fail(t, "the IUT gave two channels the DCID 0x%04x", d[i]);
		icid[i] = d[i];
	}
	return lt_iut_wait_open(t, opened + n, 3000, "the channels open");
}

/* ---- the IUT as initiator -------------------------------------------------------------------- */

/* chan=A,B,... of a connect answer into chan[0..n). */
static bool parse_chans(struct lt *t, const char *ans, int *chan, int n)
{
	const char *s = strstr(ans, "chan=");
	if (!s)
		return lt_inconclusive(t, "the IUT's connect answer '%s' names no chan", ans);
	s += 5;
	for (int i = 0; i < n; i++) {
		char *end;
		chan[i] = (int)strtol(s, &end, 10);
		if (end == s || (i + 1 < n && *end != ','))
			return lt_inconclusive(t, "the IUT's connect answer '%s' does not name %d chans", ans, n);
		s = end + 1;
	}
	return true;
}

/* The IUT asks for n channels to t->psm with par.  BR/EDR: the tester's feature mask says it
 * supports ECFC (4.12).  The IUT's request must be exactly: code 0x17, Length 8 + 2n, the
 * SPSM/PSM, par's MTU, MPS and credits, n distinct Source CIDs of the dynamic range. */
static bool iut_start(struct lt *t, int n, const struct ecfc_par *par, struct ecfc_req *rq)
{
	char a[18], ans[64], nn[16] = "";
	if (!t->le)
		t->info_feat |= FEAT_ECFC;
	if (n > 1)
		snprintf(nn, sizeof(nn), " n=%d", n);
	if (!lt_iut(t, ans, sizeof(ans), "connect addr=%s transport=%s psm=%u mode=ecfc mtu=%u mps=%u credits=%u%s",
		    l2k_addr_str(&t->tst_addr, a), t->le ? "le-public" : "bredr", t->psm, par->mtu, par->mps, par->credits,
		    nn))
		return false;
	if (!parse_chans(t, ans, rq->chan, n))
		return false;
	const struct lt_pdu *p = next_sig(t, 0x17, 5000);
	if (!p)
		return false;
	if (p->len != 12 + 2 * (size_t)n)
		return lt_fail(t, "the IUT's Credit Based Connection Request has %zu octets, expected %d (%d Source CIDs)",
			       p->len, 12 + 2 * n, n);
	rq->ident = p->data[1];
	rq->n = n;
	uint8_t w[4 + 8 + 10] = {0x17, rq->ident};
	lt_put16(w + 2, (uint16_t)(8 + 2 * n));
	lt_put16(w + 4, t->psm);
	lt_put16(w + 6, par->mtu);
	lt_put16(w + 8, par->mps);
	lt_put16(w + 10, par->credits);
	for (int i = 0; i < n; i++) {
		rq->cid[i] = lt_get16(p->data + 12 + 2 * i);
		lt_put16(w + 12 + 2 * i, rq->cid[i]);
	}
	if (!lt_is(t, p, w, 12 + 2 * (size_t)n, "the IUT's Credit Based Connection Request"))
		return false;
	if (rq->ident == 0)
		return lt_fail(t, "the IUT's request has identifier 0 (Vol 3 Part A 4: never used)");
	for (int i = 0; i < n; i++) {
		if (!dyn_cid(t, rq->cid[i]))
			return lt_fail(t, "the IUT's Source CID 0x%04x is outside the dynamic range 0x0040-0x%04x", rq->cid[i],
				       dyn_end(t));
		for (int k = 0; k < i; k++)
			if (rq->cid[k] == rq->cid[i])
				return lt_fail(t, "the IUT's request names the Source CID 0x%04x twice", rq->cid[i]);
	}
	return true;
}

static void send_rsp(struct lt *t, uint8_t id, uint16_t mtu, uint16_t mps, uint16_t credits, uint16_t result,
		     const uint16_t *dcid, int n)
{
	uint8_t d[8 + 10];
	lt_put16(d, mtu);
	lt_put16(d + 2, mps);
	lt_put16(d + 4, credits);
	lt_put16(d + 6, result);
	for (int i = 0; i < n; i++)
		lt_put16(d + 8 + 2 * i, dcid[i]);
	lt_send_sig(t, 0x18, id, d, 8 + 2 * (size_t)n);
}

/* The IUT opens n channels (par) and the tester accepts them with its CIDs tcid0, tcid0 + 1 ...
 * and MTU / MPS / credits. */
static bool iut_open(struct lt *t, int n, const struct ecfc_par *par, struct ecfc_req *rq, uint16_t tcid0,
		     uint16_t mtu, uint16_t mps, uint16_t credits)
{
	int opened = t->obs.opened;
	if (!iut_start(t, n, par, rq))
		return false;
	uint16_t d[5];
	for (int i = 0; i < n; i++)
		d[i] = (uint16_t)(tcid0 + i);
	send_rsp(t, rq->ident, mtu, mps, credits, 0x0000, d, n);
	return lt_iut_wait_open(t, opened + n, 3000, "the channels open");
}

/* ---- both -------------------------------------------------------------------------------------- */

/* The IUT's Disconnection Request for (DCID tcid, SCID icid), exactly; the tester confirms. */
static bool expect_disc(struct lt *t, uint16_t tcid, uint16_t icid)
{
	const struct lt_pdu *p = next_sig(t, 0x06, 3000);
	if (!p)
		return false;
	uint8_t id = p->data[1];
	uint8_t w[8] = {0x06, id, 0x04, 0x00};
	lt_put16(w + 4, tcid);
	lt_put16(w + 6, icid);
	if (!lt_is(t, p, w, 8, "the IUT's Disconnection Request"))
		return false;
	lt_send_sig(t, 0x07, id, w + 4, 4);
	return true;
}

/* A protocol violation on the channel (10.2, 3.4.3): the IUT disconnects it; its application
 * hears the close (l2kit: "protocol"). */
static bool violation(struct lt *t, uint16_t tcid, uint16_t icid, const char *what)
{
	lt_logf(t, "(the IUT must disconnect after %s)", what);
	if (!expect_disc(t, tcid, icid) || !lt_iut_wait_closed(t, 1, 3000, "the channel closed"))
		return false;
	if (t->iut_is_l2kit && strcmp(t->obs.reason, "protocol"))
		return lt_fail(t, "the IUT's application saw the close as '%s', not 'protocol'", t->obs.reason);
	return true;
}

/* The next PDU on cid must be exactly [sdu_len] + data (sdu_len < 0: none). */
static bool expect_kframe(struct lt *t, uint16_t cid, int sdu_len, const uint8_t *data, size_t n)
{
	const struct lt_pdu *p = lt_next_on(t, cid, 3000);
	if (!p)
		return lt_fail(t, "no K-frame from the IUT on cid 0x%04x", cid);
	uint8_t w[2 + 1024];
	size_t k = 0;
	if (sdu_len >= 0) {
		lt_put16(w, (uint16_t)sdu_len);
		k = 2;
	}
	memcpy(w + k, data, n);
	return lt_is(t, p, w, k + n, "the IUT's K-frame");
}

/* The tester sends one SDU of n pattern octets on icid in K-frames of at most mps octets. */
static void send_sdu(struct lt *t, uint16_t icid, size_t n, size_t mps, uint8_t seed)
{
	uint8_t b[1024] = {0};
	fill(b, n, seed);
	size_t off = n < mps - 2 ? n : mps - 2;
	lt_send_kframe(t, icid, (int)n, b, off);
	while (off < n) {
		size_t k = n - off < mps ? n - off : mps;
		lt_send_kframe(t, icid, -1, b + off, k);
		off += k;
	}
}

/* The IUT's K-frames of one SDU of n pattern octets for tcid at a peer MPS of mps (3.4.3: the
 * first carries the SDU length, every one but the last is full). */
static bool expect_sdu(struct lt *t, uint16_t tcid, size_t n, size_t mps, uint8_t seed)
{
	uint8_t b[1024] = {0};
	fill(b, n, seed);
	size_t off = n < mps - 2 ? n : mps - 2;
	if (!expect_kframe(t, tcid, (int)n, b, off))
		return false;
	while (off < n) {
		size_t k = n - off < mps ? n - off : mps;
		if (!expect_kframe(t, tcid, -1, b + off, k))
			return false;
		off += k;
	}
	return true;
}

/* The IUT's application received, as its last SDU, exactly n pattern octets. */
static bool got_sdu(struct lt *t, int count, size_t n, uint8_t seed)
{
	uint8_t b[1024] = {0};
	if (!lt_iut_wait_sdus(t, count, 3000, "our SDU"))
		return false;
	fill(b, n, seed);
	if (t->obs.len != n || memcmp(t->obs.data, b, n))
		return lt_fail(t, "the IUT's application got %zu octets, not our SDU of %zu", t->obs.len, n);
	return true;
}

/* ==== the IUT as initiator (4.25-4.26) ========================================================= */

/* L2CAP/ECFC/BV-01-C, BV-45-C: a peer without the mode answers the request with Command Reject
 * "not understood": no channel is created, the application hears "refused" for both, and the
 * IUT sends nothing more (l2kit: result 0xFFFF). */
static void ecfc_rejected(struct lt *t)
{
	struct ecfc_req rq;
	if (!iut_start(t, 2, &DEF, &rq))
		return;
	static const uint8_t rej[2] = {0x00, 0x00};
	lt_send_sig(t, 0x01, rq.ident, rej, 2);
	if (!lt_iut_wait_closed(t, 2, 3000, "both channels refused"))
		return;
	if (t->obs.opened || strcmp(t->obs.reason, "refused"))
		return (void)lt_fail(t, "the IUT's application saw '%s' (opened %d), not 'refused'", t->obs.reason,
				     t->obs.opened);
	if (t->iut_is_l2kit && t->obs.result != 0xFFFF)
		return (void)lt_fail(t, "l2kit reports a Command Reject as result 0xFFFF, got %d", t->obs.result);
	quiet(t, 1000, false);
}

/* L2CAP/ECFC/BV-02-C, BV-46-C: the IUT asks for three channels in one request and completes on
 * the success response: each opens with the peer's MTU / MPS (300 / 80) and its own, and carries
 * its SDU to its own DCID. */
static void ecfc_iut_opens(struct lt *t)
{
	struct ecfc_req rq;
	if (!iut_start(t, 3, &DEF, &rq))
		return;
	static const uint16_t d[3] = {0x0040, 0x0041, 0x0042};
	send_rsp(t, rq.ident, 300, 80, 4, 0x0000, d, 3);
	if (!lt_iut_wait_open(t, 3, 3000, "the three channels open"))
		return;
	if (t->obs.peer_mtu != 300 || t->obs.peer_mps != 80 || t->obs.mtu != DEF.mtu || t->obs.mps != DEF.mps)
		return (void)lt_fail(t, "the IUT's channel has MTU %u / peer MTU %u, MPS %u / peer MPS %u; expected 200 / "
					"300, 100 / 80", t->obs.mtu, t->obs.peer_mtu, t->obs.mps, t->obs.peer_mps);
	for (int i = 2; i >= 0; i--) {
		uint8_t b[3] = {'c', 'h', (uint8_t)('0' + i)};
		if (!iut_send(t, rq.chan[i], b, 3) || !expect_kframe(t, d[i], 3, b, 3))
			return;
	}
	if (t->obs.closed)
		lt_fail(t, "the IUT closed a channel");
}

/* The tester answers the IUT's request for n (par DEF) with result and these DCIDs (MTU 100,
 * MPS 64, 5 credits). */
static bool answer(struct lt *t, int n, struct ecfc_req *rq, uint16_t result, const uint16_t *dcid)
{
	if (!iut_start(t, n, &DEF, rq))
		return false;
	send_rsp(t, rq->ident, 100, 64, 5, result, dcid, n);
	return true;
}

/* Every channel refused (result, DCIDs as given): none opens, each closes "refused" with the
 * result, and the IUT sends nothing more. */
static void refused_all(struct lt *t, uint16_t result, const uint16_t *dcid)
{
	struct ecfc_req rq;
	if (!answer(t, 3, &rq, result, dcid) || !lt_iut_wait_closed(t, 3, 3000, "the three refused channels closed"))
		return;
	if (t->obs.opened || strcmp(t->obs.reason, "refused") || t->obs.result != result)
		return (void)lt_fail(t, "the IUT's application saw '%s' result %d (opened %d), not 'refused' result %u",
				     t->obs.reason, t->obs.result, t->obs.opened, result);
	quiet(t, 1000, result == 0x0005 || result == 0x0008);
}

static const uint16_t ZERO3[3];

/* L2CAP/ECFC/BV-04-C, BV-48-C: the whole request refused "SPSM not supported" (0x0002). */
static void ecfc_bv04(struct lt *t)
{
	refused_all(t, 0x0002, ZERO3);
}

/* L2CAP/ECFC/BV-28-C, BV-72-C: "SPSM not supported" refuses every channel even when the
 * response (wrongly) carries DCIDs: nothing opens and the IUT sends nothing for them. */
static void ecfc_bv28(struct lt *t)
{
	static const uint16_t d[3] = {0x0044, 0x0045, 0x0046};
	refused_all(t, 0x0002, d);
}

/* L2CAP/ECFC/BV-10-C, BV-67-C: refused for insufficient authentication (0x0005). */
static void ecfc_bv10(struct lt *t)
{
	refused_all(t, 0x0005, ZERO3);
}

/* L2CAP/ECFC/BV-12-C, BV-68-C: refused for insufficient authorization (0x0006). */
static void ecfc_bv12(struct lt *t)
{
	refused_all(t, 0x0006, ZERO3);
}

/* L2CAP/ECFC/BV-14-C, BV-52-C: refused for an encryption key too short (0x0007). */
static void ecfc_bv14(struct lt *t)
{
	refused_all(t, 0x0007, ZERO3);
}

/* L2CAP/ECFC/BV-31-C: refused for insufficient encryption (0x0008). */
static void ecfc_bv31(struct lt *t)
{
	refused_all(t, 0x0008, ZERO3);
}

/* L2CAP/ECFC/BV-21-C, BV-57-C: refused with "unacceptable parameters" (0x000B). */
static void ecfc_bv21(struct lt *t)
{
	refused_all(t, 0x000B, ZERO3);
}

/* "Some connections refused" (result): the channels given a DCID open and carry data, the one
 * with DCID 0x0000 closes "refused" with the result. */
static void refused_some(struct lt *t, uint16_t result)
{
	struct ecfc_req rq;
	static const uint16_t d[3] = {0x0050, 0x0000, 0x0051};
	if (!answer(t, 3, &rq, result, d) || !lt_iut_wait_open(t, 2, 3000, "the two accepted channels open") ||
	    !lt_iut_wait_closed(t, 1, 3000, "the refused channel closed"))
		return;
	lt_run(t, 100);
	if (t->obs.opened != 2 || t->obs.closed != 1 || strcmp(t->obs.reason, "refused") || t->obs.result != result)
		return (void)lt_fail(t, "the IUT's application saw %d open, %d closed ('%s' result %d); expected 2 open and "
					"1 'refused' result %u", t->obs.opened, t->obs.closed, t->obs.reason,
				     t->obs.result, result);
	lt_send_kframe(t, rq.cid[2], 2, (const uint8_t *)"c2", 2);
	lt_send_kframe(t, rq.cid[0], 2, (const uint8_t *)"c0", 2);
	if (!lt_iut_wait_sdus(t, 2, 3000, "an SDU on each open channel"))
		return;
	int c0 = rq.chan[0], c2 = rq.chan[2];
	if (c0 < 1 || c0 > 7 || c2 < 1 || c2 > 7 || t->obs.per[c0].len != 2 || memcmp(t->obs.per[c0].d, "c0", 2) ||
	    t->obs.per[c2].len != 2 || memcmp(t->obs.per[c2].d, "c2", 2))
		return (void)lt_fail(t, "the SDUs did not reach the channels they were sent on");
	quiet(t, 500, false);
}

/* L2CAP/ECFC/BV-16-C, BV-71-C: some refused for lack of resources (0x0004). */
static void ecfc_bv16(struct lt *t)
{
	refused_some(t, 0x0004);
}

/* L2CAP/ECFC/BV-18-C, BV-54-C: some refused with "invalid Source CID" (0x0009). */
static void ecfc_bv18(struct lt *t)
{
	refused_some(t, 0x0009);
}

/* L2CAP/ECFC/BV-19-C, BV-55-C: some refused with "Source CID already allocated" (0x000A). */
static void ecfc_bv19(struct lt *t)
{
	refused_some(t, 0x000A);
}

/* The IUT's Disconnection Requests within ms, each naming DCID tcid and one of the SCIDs
 * allowed (answered); *seen gets a bit per SCID index.  false (fail) on anything else. */
static bool collect_discs(struct lt *t, uint16_t tcid, const uint16_t *scid, int n, unsigned *seen, uint64_t ms)
{
	uint64_t end = t->clk.now(t) + ms;
	*seen = 0;
	for (;;) {
		uint64_t now = t->clk.now(t);
		if (now >= end)
			return true;
		const struct lt_pdu *p = lt_next(t, end - now);
		if (!p)
			return true;
		if (is_credit_ind(t, p))
			continue;
		if (p->cid != lt_sig_cid(t) || p->len != 8 || p->data[0] != 0x06 || lt_get16(p->data + 2) != 4 ||
		    lt_get16(p->data + 4) != tcid)
			return lt_fail(t, "expected only Disconnection Requests for DCID 0x%04x, got a frame on cid 0x%04x "
					  "(%zu octets)", tcid, p->cid, p->len);
		int k = 0;
		while (k < n && scid[k] != lt_get16(p->data + 6))
			k++;
		if (k == n || (*seen & (1u << k)))
			return lt_fail(t, "the IUT's Disconnection Request names SCID 0x%04x (unknown or twice)",
				       lt_get16(p->data + 6));
		*seen |= 1u << k;
		lt_send_sig(t, 0x07, p->data[1], p->data + 4, 4);
	}
}

/* L2CAP/ECFC/BV-29-C, BV-64-C: a response giving a new channel the DCID of a channel already
 * open: both are invalid (4.26): the IUT disconnects the open one (a Disconnection Request
 * naming its CIDs); the other new channel of the response opens and carries data.  (l2kit:
 * the new one goes without a word, both close "protocol".) */
static void ecfc_bv29(struct lt *t)
{
	struct ecfc_req first, rq;
	if (!iut_open(t, 1, &DEF, &first, 0x0040, 100, 64, 5))
		return;
	static const uint16_t d[2] = {0x0040, 0x0041};
	if (!answer(t, 2, &rq, 0x0000, d))
		return;
	uint16_t scid[2] = {first.cid[0], rq.cid[0]};
	unsigned seen;
	if (!collect_discs(t, 0x0040, scid, 2, &seen, 1500))
		return;
	if (!(seen & 1))
		return (void)lt_fail(t, "the IUT did not disconnect the channel whose DCID 0x0040 was given again");
	if (t->iut_is_l2kit && seen != 1)
		return (void)lt_fail(t, "l2kit drops the never-established channel without a Disconnection Request");
	if (!lt_iut_wait_closed(t, 2, 3000, "the old and the duplicate channel closed"))
		return;
	if (t->iut_is_l2kit && (t->obs.opened != 2 || strcmp(t->obs.reason, "protocol")))
		return (void)lt_fail(t, "l2kit: %d opens (2: the first channel and the good new one) and close '%s' "
					"('protocol')", t->obs.opened, t->obs.reason);
	if (iut_send(t, rq.chan[1], (const uint8_t *)"ok", 2) && expect_kframe(t, 0x0041, 2, (const uint8_t *)"ok", 2))
		quiet(t, 500, false);
}

/* L2CAP/ECFC/BI-07-C, BI-16-C: one response giving two channels the same DCID: the IUT does not
 * end up with two channels on one DCID: at least one is dropped (a Disconnection Request for it
 * if it was taken as established).  (l2kit: neither opens; one Disconnection Request for the
 * first.) */
static void ecfc_bi07(struct lt *t)
{
	struct ecfc_req rq;
	static const uint16_t d[2] = {0x0045, 0x0045};
	if (!answer(t, 2, &rq, 0x0000, d))
		return;
	unsigned seen;
	if (!collect_discs(t, 0x0045, rq.cid, 2, &seen, 1500))
		return;
	if (!lt_iut_wait_closed(t, 1, 3000, "a duplicate channel dropped"))
		return;
	if (t->iut_is_l2kit) {
		lt_run(t, 100);
		if (seen != 1 || t->obs.opened || t->obs.closed != 2 || strcmp(t->obs.reason, "protocol"))
			return (void)lt_fail(t, "l2kit: one Disconnection Request (for the first, got mask %u), no open (%d), "
						"both closed 'protocol' (%d, '%s')", seen, t->obs.opened, t->obs.closed,
					     t->obs.reason);
	}
	quiet(t, 500, false);
}

/* L2CAP/ECFC/BV-38-C, BV-79-C: the IUT takes its Source CIDs from the link's dynamic range (LE
 * 0x0040-0x007F; ACL-U 0x0040-0xFFFF), a different one for every channel, across requests. */
static void ecfc_bv38(struct lt *t)
{
	struct ecfc_req a, b;
	if (!iut_open(t, 5, &DEF, &a, 0x0040, 100, 64, 5) || !iut_open(t, 5, &DEF, &b, 0x0045, 100, 64, 5))
		return;
	for (int i = 0; i < 5; i++)
		for (int k = 0; k < 5; k++)
			if (a.cid[i] == b.cid[k])
				return (void)lt_fail(t, "the IUT used the Source CID 0x%04x for two open channels", a.cid[i]);
	if (t->obs.opened != 10)
		lt_fail(t, "the IUT's application saw %d channels open, not 10", t->obs.opened);
}

/* L2CAP/ECFC/BV-08-C, BV-65-C: the IUT closes one channel of a group with a Disconnection
 * Request (DCID the peer's CID, SCID its own) and finishes on the response; the other channel
 * of the group stays open. */
static void ecfc_bv08(struct lt *t)
{
	struct ecfc_req rq;
	if (!iut_open(t, 2, &DEF, &rq, 0x0060, 100, 64, 5) || !lt_iut(t, NULL, 0, "disconnect chan=%d", rq.chan[1]) ||
	    !expect_disc(t, 0x0061, rq.cid[1]) || !lt_iut_wait_closed(t, 1, 3000, "the channel closed"))
		return;
	if (strcmp(t->obs.reason, "local"))
		return (void)lt_fail(t, "the IUT's application saw the close as '%s', not 'local'", t->obs.reason);
	if (iut_send(t, rq.chan[0], (const uint8_t *)"still", 5) &&
	    expect_kframe(t, 0x0060, 5, (const uint8_t *)"still", 5))
		quiet(t, 500, false);
}

/* ==== the IUT as acceptor (4.25-4.26) ========================================================== */

/* L2CAP/ECFC/BV-03-C, BV-47-C: a valid request for three channels is accepted: success with
 * the IUT's MTU, MPS and credits and three distinct dynamic DCIDs; each channel opens with our
 * MTU / MPS (100 / 70) and carries its SDU. */
static void ecfc_bv03(struct lt *t)
{
	uint16_t icid[3];
	if (!listen_ecfc(t, &DEF, "") || !tester_open(t, &DEF, 3, TCID, 100, 70, 5, icid))
		return;
	if (t->obs.peer_mtu != 100 || t->obs.peer_mps != 70)
		return (void)lt_fail(t, "the IUT's application sees peer MTU %u / MPS %u, not our 100 / 70", t->obs.peer_mtu,
				     t->obs.peer_mps);
	for (int i = 0; i < 3; i++) {
		uint8_t b[2] = {'#', (uint8_t)('0' + i)};
		lt_send_kframe(t, icid[i], 2, b, 2);
		if (!lt_iut_wait_sdus(t, i + 1, 3000, "our SDU"))
			return;
		if (t->obs.len != 2 || memcmp(t->obs.data, b, 2))
			return (void)lt_fail(t, "the IUT's application got %zu octets, not our 2", t->obs.len);
	}
	if (t->obs.closed)
		lt_fail(t, "the IUT closed a channel");
}

/* L2CAP/ECFC/BV-13-C: a server whose application does not authorize the peer: the whole
 * request is refused 0x0006 with zero DCIDs; no channel opens. */
static void ecfc_bv13(struct lt *t)
{
	static const uint16_t c[3] = {0x0040, 0x0041, 0x0042};
	if (!listen_ecfc(t, &DEF, "accept=6"))
		return;
	uint8_t id = lt_ident(t);
	send_req(t, id, t->psm, 100, 70, 5, c, 3);
	if (!want_refusal(t, id, 0x0006, 3) || !quiet(t, 500, false))
		return;
	if (t->iut->events && (t->obs.opened || t->obs.closed))
		lt_fail(t, "the IUT's application saw a refused channel (opened %d, closed %d)", t->obs.opened,
			t->obs.closed);
}

/* L2CAP/ECFC/BV-17-C, BV-53-C: the tester opens channels, five at a time, until the IUT can take
 * no more: that request is answered "(some) refused - no resources" (0x0004), the channels it
 * could take with DCIDs, the others with 0; a further request is refused whole.  On LE the IUT
 * first sends a request of its own (left unanswered): it holds one of the 64 LE dynamic CIDs,
 * so the IUT runs out before the tester's 64 CIDs do.  (l2kit: 63 channels on LE, as many as
 * its agent has chans on BR/EDR.) */
static void ecfc_out_of_resources(struct lt *t)
{
	if (!listen_ecfc(t, &DEF, ""))
		return;
	if (t->le) {
		char a[18];
		if (!lt_iut(t, NULL, 0, "connect addr=%s transport=le-public psm=%u mode=ecfc", l2k_addr_str(&t->tst_addr, a),
			    0x0090) ||
		    !next_sig(t, 0x17, 5000))
			return;
		lt_logf(t, "(the IUT's own request stays unanswered)");
	}
	uint16_t tc = TCID;
	int accepted = 0;
	for (int round = 0; round < 80; round++) {
		int n = 5;
		if (t->le && tc + n - 1 > 0x007F)
			n = 0x007F - tc + 1;
		if (n <= 0)
			return (void)lt_inconclusive(t, "the IUT took %d channels, every LE CID of the tester", accepted);
		uint16_t c[5];
		for (int i = 0; i < n; i++)
			c[i] = (uint16_t)(tc + i);
		uint8_t id = lt_ident(t);
		struct ecfc_rsp r = {0};
		send_req(t, id, t->psm, 100, 70, 1, c, n);
		if (!take_rsp(t, id, &r))
			return;
		if (r.n != n)
			return (void)lt_fail(t, "the response has %d DCIDs for our %d Source CIDs (4.26)", r.n, n);
		if (r.result != 0x0000 && r.result != 0x0004)
			return (void)lt_fail(t, "the IUT answered result 0x%04x, expected success or no resources (0x0004)",
					     r.result);
		int ok = 0;
		for (int i = 0; i < n; i++)
			if (r.dcid[i]) {
				if (!dyn_cid(t, r.dcid[i]))
					return (void)lt_fail(t, "DCID 0x%04x outside the dynamic range", r.dcid[i]);
				ok++;
			}
		if (r.result == 0x0000) {
			if (ok != n)
				return (void)lt_fail(t, "a success response with a zero DCID");
			accepted += n;
			tc = (uint16_t)(tc + n);
			continue;
		}
		if (ok == n)
			return (void)lt_fail(t, "result 0x0004 but every channel has a DCID");
		if (ok && (r.mtu != DEF.mtu || r.mps != DEF.mps || r.credits != DEF.credits))
			return (void)lt_fail(t, "a partial refusal: MTU %u MPS %u credits %u, expected the IUT's 200 / 100 / 10",
					     r.mtu, r.mps, r.credits);
		accepted += ok;
		lt_logf(t, "(the IUT took %d channels)", accepted);
		if (t->iut_is_l2kit && accepted != (t->le ? 63 : 64))
			return (void)lt_fail(t, "the IUT took %d channels; l2kit takes %d here (%s)", accepted, t->le ? 63 : 64,
					     t->le ? "its 64 LE CIDs, one held by its own request" : "its agent's 64 chans");
		if (!lt_iut_wait_open(t, accepted, 5000, "the accepted channels open"))
			return;
		/* every later request is refused whole */
		if (!t->le || tc + n + 1 <= 0x007F) {
			uint16_t more[2] = {(uint16_t)(tc + n), (uint16_t)(tc + n + 1)};
			id = lt_ident(t);
			send_req(t, id, t->psm, 100, 70, 1, more, 2);
			want_refusal(t, id, 0x0004, 2);
		}
		return;
	}
	lt_inconclusive(t, "the IUT took %d channels without running out", accepted);
}

/* L2CAP/ECFC/BV-20-C, BV-56-C: Source CIDs already in use (by an open channel, or twice in the
 * same request) are refused 0x000A and one outside the dynamic range 0x0009, each with DCID 0,
 * while the other CIDs of the same request are accepted. */
static void ecfc_bv20(struct lt *t)
{
	uint16_t first;
	if (!listen_ecfc(t, &DEF, "") || !tester_open(t, &DEF, 1, TCID, 100, 70, 5, &first))
		return;
	static const struct {
		uint16_t cid[2];
		uint16_t result;
		int refused; /* which of the two gets DCID 0 */
	} rq[3] = {{{0x0040, 0x0041}, 0x000A, 0}, {{0x0042, 0x0042}, 0x000A, 1}, {{0x0004, 0x0043}, 0x0009, 0}};
	uint16_t got[4] = {first};
	int k = 1;
	for (int i = 0; i < 3; i++) {
		uint8_t id = lt_ident(t);
		send_req(t, id, t->psm, 100, 70, 5, rq[i].cid, 2);
		const struct lt_pdu *p = next_sig(t, 0x18, 3000);
		if (!p)
			return;
		uint16_t d[2] = {0, 0};
		int acc = 1 - rq[i].refused;
		d[acc] = p->len == 16 ? lt_get16(p->data + 12 + 2 * acc) : 0;
		if (!want_rsp(t, p, id, DEF.mtu, DEF.mps, DEF.credits, rq[i].result, d, 2))
			return;
		if (!dyn_cid(t, d[acc]))
			return (void)lt_fail(t, "the accepted channel's DCID 0x%04x is outside the dynamic range", d[acc]);
		for (int j = 0; j < k; j++)
			if (got[j] == d[acc])
				return (void)lt_fail(t, "the IUT gave DCID 0x%04x twice", d[acc]);
		got[k++] = d[acc];
	}
	if (t->le) { /* 0x0080 is past the LE dynamic range (valid on ACL-U) */
		static const uint16_t c80[1] = {0x0080};
		uint8_t id = lt_ident(t);
		send_req(t, id, t->psm, 100, 70, 5, c80, 1);
		if (!want_refusal(t, id, 0x0009, 1))
			return;
	}
	if (lt_iut_wait_open(t, 4, 3000, "the four accepted channels open"))
		quiet(t, 300, false);
}

/* L2CAP/ECFC/BV-26-C, BV-62-C: a request with invalid parameters is refused "invalid
 * parameters" (0x000C) with a zero DCID per whole Source CID (at most five): more than five
 * Source CIDs, none, an odd octet, an MTU below 64, an MPS below 64 or above 65533 (4.25); the
 * smallest valid values are accepted.  On LE six CIDs make a 24-octet C-frame: an IUT whose
 * signaling MTU is 23 (l2kit) answers Command Reject "signaling MTU exceeded" instead (4.1). */
static void ecfc_bv26(struct lt *t)
{
	if (!listen_ecfc(t, &DEF, ""))
		return;
	static const uint16_t c[6] = {0x0040, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045};
	uint8_t id = lt_ident(t);
	send_req(t, id, t->psm, 100, 70, 5, c, 6);
	const struct lt_pdu *p = lt_next_on(t, lt_sig_cid(t), 3000);
	if (!p)
		return (void)lt_fail(t, "no answer to a request with six Source CIDs");
	if (t->le && p->len >= 1 && p->data[0] == 0x01) {
		uint8_t w[8] = {0x01, id, 0x04, 0x00, 0x01, 0x00, 23, 0x00};
		if (p->len == 8 && !t->iut_is_l2kit && lt_get16(p->data + 6) >= 23)
			w[6] = p->data[6], w[7] = p->data[7];
		if (!lt_is(t, p, w, 8, "the IUT's Command Reject (signaling MTU exceeded)"))
			return;
	} else {
		uint8_t w[4 + 8 + 10] = {0x18, id, 18, 0x00, 0, 0, 0, 0, 0, 0, 0x0C, 0x00};
		if (!t->iut_is_l2kit && p->len == 22)
			memcpy(w + 4, p->data + 4, 6);
		if (!lt_is(t, p, w, 22, "the IUT's Credit Based Connection Response (invalid parameters, 5 DCIDs)"))
			return;
	}
	id = lt_ident(t);
	send_req(t, id, t->psm, 100, 70, 5, c, 0);
	if (!want_refusal(t, id, 0x000C, 0))
		return;
	uint8_t d[11] = {0, 0, 100, 0, 70, 0, 5, 0, 0x40, 0x00, 0x41}; /* one CID and an odd octet */
	lt_put16(d, t->psm);
	id = lt_ident(t);
	lt_send_sig(t, 0x17, id, d, sizeof(d));
	if (!want_refusal(t, id, 0x000C, 1))
		return;
	static const struct {
		uint16_t mtu, mps;
	} bad[] = {{63, 64}, {64, 63}, {100, 65534}, {100, 65535}, {0, 0}};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		id = lt_ident(t);
		send_req(t, id, t->psm, bad[i].mtu, bad[i].mps, 5, c, 2);
		if (!want_refusal(t, id, 0x000C, 2))
			return;
	}
	if (!quiet(t, 300, false))
		return;
	if (t->iut->events && t->obs.opened)
		return (void)lt_fail(t, "the IUT opened a channel on an invalid request");
	uint16_t icid[2];
	tester_open(t, &DEF, 2, TCID, 64, 64, 0, icid);
}

/* L2CAP/ECFC/BV-27-C, BV-63-C: valid parameters that the IUT's service cannot use (its
 * application answers "unacceptable parameters") are refused 0x000B for the whole request,
 * zero DCIDs. */
static void ecfc_bv27(struct lt *t)
{
	static const uint16_t c[2] = {0x0040, 0x0041};
	if (!listen_ecfc(t, &DEF, "accept=11"))
		return;
	uint8_t id = lt_ident(t);
	send_req(t, id, t->psm, 64, 64, 5, c, 2);
	if (want_refusal(t, id, 0x000B, 2) && quiet(t, 500, false) && t->iut->events && t->obs.opened)
		lt_fail(t, "the IUT's application saw a refused channel open");
}

/* L2CAP/ECFC/BV-09-C, BV-66-C: the IUT answers the tester's Disconnection Request for one
 * channel of a group with the same CIDs and releases only that one; the CID is free again. */
static void ecfc_bv09(struct lt *t)
{
	uint16_t icid[2], again;
	if (!listen_ecfc(t, &DEF, "") || !tester_open(t, &DEF, 2, TCID, 100, 70, 5, icid))
		return;
	uint8_t d[4];
	lt_put16(d, icid[1]);
	lt_put16(d + 2, 0x0041);
	uint8_t id = lt_ident(t);
	lt_send_sig(t, 0x06, id, d, 4);
	const struct lt_pdu *p = next_sig(t, 0x07, 3000);
	const uint8_t w[8] = {0x07, id, 0x04, 0x00, d[0], d[1], d[2], d[3]};
	if (!p || !lt_is(t, p, w, 8, "the IUT's Disconnection Response") ||
	    !lt_iut_wait_closed(t, 1, 3000, "the channel closed"))
		return;
	if (strcmp(t->obs.reason, "remote"))
		return (void)lt_fail(t, "the IUT's application saw the close as '%s', not 'remote'", t->obs.reason);
	lt_send_kframe(t, icid[0], 1, (const uint8_t *)"x", 1);
	if (lt_iut_wait_sdus(t, 1, 3000, "an SDU on the other channel"))
		tester_open(t, &DEF, 1, 0x0041, 100, 70, 5, &again);
}

/* L2CAP/ECFC/BV-30-C, BV-73-C: a Disconnection Request naming a DCID the IUT does not have (or
 * the right DCID with the wrong SCID) is answered Command Reject "invalid CID in request" with
 * both CIDs (4.6); the open channels stay. */
static void ecfc_bv30(struct lt *t)
{
	uint16_t icid[2];
	if (!listen_ecfc(t, &DEF, "") || !tester_open(t, &DEF, 2, TCID, 100, 70, 5, icid))
		return;
	uint8_t d[4] = {0x7E, 0x00, 0x40, 0x00};
	while (lt_get16(d) == icid[0] || lt_get16(d) == icid[1])
		d[0]--;
	for (int i = 0; i < 2; i++) {
		if (i) {
			lt_put16(d, icid[0]);
			lt_put16(d + 2, 0x0041); /* the other channel's SCID */
		}
		uint8_t id = lt_ident(t);
		lt_send_sig(t, 0x06, id, d, 4);
		const struct lt_pdu *p = next_sig(t, 0x01, 3000);
		const uint8_t w[10] = {0x01, id, 0x06, 0x00, 0x02, 0x00, d[0], d[1], d[2], d[3]};
		if (!p || !lt_is(t, p, w, 10, "the IUT's Command Reject (invalid CID in request)"))
			return;
	}
	if (quiet(t, 500, false) && t->obs.closed)
		lt_fail(t, "the IUT closed a channel on a request naming another");
}

/* L2CAP/ECFC/BV-39-C, BV-40-C: a Credit Based Connection Request for two channels split over
 * two ACL fragments is rebuilt and answered success. */
static void ecfc_bv39(struct lt *t)
{
	if (!listen_ecfc(t, &DEF, ""))
		return;
	uint8_t id = lt_ident(t);
	uint8_t f[4 + 4 + 12] = {16, 0x00, 0, 0x00, 0x17, id, 0x0C, 0x00, 0, 0, 100, 0, 64, 0, 5, 0, 0x40, 0x00, 0x41, 0x00};
	lt_put16(f + 2, lt_sig_cid(t));
	lt_put16(f + 8, t->psm);
	lt_send_acl(t, t->le ? 0x0 : 0x2, f, 9);
	if (!lt_quiet_sig(t, 300))
		return;
	lt_send_acl(t, 0x1, f + 9, sizeof(f) - 9);
	const struct lt_pdu *p = next_sig(t, 0x18, 3000);
	if (!p)
		return;
	uint16_t d[2] = {0, 0};
	if (p->len == 16)
		d[0] = lt_get16(p->data + 12), d[1] = lt_get16(p->data + 14);
	if (!want_rsp(t, p, id, DEF.mtu, DEF.mps, DEF.credits, 0x0000, d, 2))
		return;
	if (!dyn_cid(t, d[0]) || !dyn_cid(t, d[1]) || d[0] == d[1])
		return (void)lt_fail(t, "the DCIDs 0x%04x, 0x%04x are not two distinct dynamic CIDs", d[0], d[1]);
	lt_iut_wait_open(t, 2, 3000, "both channels open");
}

/* The next signaling PDU is Command Reject "not understood" for id (4.1) */
static bool not_understood(struct lt *t, uint8_t id)
{
	const struct lt_pdu *p = next_sig(t, 0x01, 3000);
	const uint8_t w[6] = {0x01, id, 0x02, 0x00, 0x00, 0x00};
	return p && lt_is(t, p, w, 6, "the IUT's Command Reject (not understood)");
}

/* A Credit Based Connection Request for one channel from TCID (MTU 100, MPS 64, 5 credits) as a
 * C-frame payload: 4 + 10 octets. */
static void one_req(const struct lt *t, uint8_t id, uint8_t *f)
{
	const uint8_t c[14] = {0x17, id, 0x0A, 0x00, 0, 0, 100, 0, 64, 0, 5, 0, 0x40, 0x00};
	memcpy(f, c, 14);
	lt_put16(f + 4, t->psm);
}

/* L2CAP/ECFC/BI-09-C: BR/EDR C-frames whose basic-header length understates the Credit Based
 * Connection Request: with the whole request in the ACL packet the frame is not acted on; with
 * the C-frame ending inside the request the command is not understood (l2kit: dropped, then
 * Command Reject; another IUT may drop both).  No channel; a correct request is then answered. */
static void ecfc_bi09(struct lt *t)
{
	if (!listen_ecfc(t, &DEF, ""))
		return;
	uint8_t f[4 + 14];
	lt_put16(f, 12);
	lt_put16(f + 2, 0x0001);
	uint8_t id = lt_ident(t);
	one_req(t, id, f + 4);
	lt_send_acl(t, 0x2, f, sizeof(f)); /* 12 claimed, 14 sent */
	const struct lt_pdu *p = lt_next_on(t, 0x0001, 300);
	if (p && !(p->len == 6 && p->data[0] == 0x01 && !t->iut_is_l2kit))
		return (void)lt_fail(t, "the IUT answered a C-frame whose length disagrees with the ACL data (%zu octets, "
					"code 0x%02x)", p->len, p->len ? p->data[0] : 0);
	f[5] = id = lt_ident(t);
	lt_send_acl(t, 0x2, f, 4 + 12); /* 12 claimed and sent: the command is cut */
	p = lt_next_on(t, 0x0001, 1000);
	if (p || t->iut_is_l2kit) {
		const uint8_t w[6] = {0x01, id, 0x02, 0x00, 0x00, 0x00};
		if (!lt_is(t, p, w, 6, "the IUT's Command Reject (not understood)"))
			return;
	}
	if (!quiet(t, 300, false))
		return;
	if (t->iut->events && t->obs.opened)
		return (void)lt_fail(t, "the IUT opened a channel on a malformed request");
	lt_put16(f, 14);
	f[5] = id = lt_ident(t);
	lt_send_acl(t, 0x2, f, sizeof(f));
	p = next_sig(t, 0x18, 3000);
	if (!p)
		return;
	uint16_t d = p->len == 14 ? lt_get16(p->data + 12) : 0;
	if (want_rsp(t, p, id, DEF.mtu, DEF.mps, DEF.credits, 0x0000, &d, 1))
		lt_iut_wait_open(t, 1, 3000, "the channel open");
}

/* ==== COS/CED: malformed ECFC signaling on LE ================================================== */

/* L2CAP/COS/CED/BI-18-C: an LE C-frame carrying a Credit Based Connection Request whose basic
 * header claims fewer or more octets than it holds is not acted on (no response, no channel);
 * the same request with the right length is answered. */
static void ced_bi18(struct lt *t)
{
	if (!listen_ecfc(t, &DEF, ""))
		return;
	uint8_t f[4 + 14];
	lt_put16(f + 2, 0x0005);
	one_req(t, lt_ident(t), f + 4);
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
	uint8_t id = lt_ident(t);
	f[5] = id;
	lt_send_acl(t, 0x0, f, sizeof(f));
	const struct lt_pdu *p = next_sig(t, 0x18, 3000);
	if (!p)
		return;
	uint16_t d = p->len == 14 ? lt_get16(p->data + 12) : 0;
	if (want_rsp(t, p, id, DEF.mtu, DEF.mps, DEF.credits, 0x0000, &d, 1))
		lt_iut_wait_open(t, 1, 3000, "the channel open");
}

/* L2CAP/COS/CED/BI-20-C: an LE Credit Based Connection Request whose Length (12) claims more
 * than the C-frame holds (10): Command Reject "not understood", no channel offered. */
static void ced_bi20(struct lt *t)
{
	if (!listen_ecfc(t, &DEF, ""))
		return;
	uint8_t f[14];
	uint8_t id = lt_ident(t);
	one_req(t, id, f);
	lt_put16(f + 2, 12);
	lt_send(t, 0x0005, f, sizeof(f));
	if (not_understood(t, id) && quiet(t, 500, false) && t->iut->events && t->obs.opened)
		lt_fail(t, "the IUT opened a channel");
}

/* L2CAP/COS/CED/BI-22-C: a Credit Based Connection Request with a short Length and a stray
 * octet after it.  Length 9 holds the fixed fields and half a CID: refused "invalid parameters"
 * (0x000C) with no DCID (l2kit; another IUT may answer Command Reject instead); Length 7 does
 * not even hold the fixed fields: Command Reject.  No channel either way. */
static void ced_bi22(struct lt *t)
{
	if (!listen_ecfc(t, &DEF, ""))
		return;
	uint8_t f[14];
	uint8_t id = lt_ident(t);
	one_req(t, id, f);
	lt_put16(f + 2, 9);
	lt_send(t, 0x0005, f, sizeof(f));
	const struct lt_pdu *p = lt_next_on(t, 0x0005, 3000);
	if (!p)
		return (void)lt_fail(t, "no answer to a request with Length 9");
	if (!t->iut_is_l2kit && p->len >= 1 && p->data[0] == 0x01) {
		const uint8_t w[6] = {0x01, id, 0x02, 0x00, 0x00, 0x00};
		if (!lt_is(t, p, w, 6, "the IUT's Command Reject (not understood)"))
			return;
	} else if (t->iut_is_l2kit || p->len != 12) {
		if (!want_rsp(t, p, id, 0, 0, 0, 0x000C, NULL, 0))
			return;
	} else if (!want_rsp(t, p, id, lt_get16(p->data + 4), lt_get16(p->data + 6), lt_get16(p->data + 8), 0x000C,
			     NULL, 0)) {
		return;
	}
	f[1] = id = lt_ident(t);
	lt_put16(f + 2, 7);
	lt_send(t, 0x0005, f, 4 + 7 + 1);
	if (not_understood(t, id) && quiet(t, 500, false) && t->iut->events && t->obs.opened)
		lt_fail(t, "the IUT opened a channel");
}

/* L2CAP/COS/CED/BI-24-C: a truncated Credit Based Connection Request on LE (alone, or after a
 * complete command in the same C-frame, where LE allows one command: the first is answered,
 * here a Disconnection Request for no channel) creates no channel. */
static void ced_bi24(struct lt *t)
{
	if (!listen_ecfc(t, &DEF, ""))
		return;
	uint8_t f[14];
	uint8_t id = lt_ident(t);
	one_req(t, id, f);
	lt_send(t, 0x0005, f, 10); /* 6 of 10 octets */
	if (!not_understood(t, id))
		return;
	uint8_t id2 = lt_ident(t);
	uint8_t two[8 + 10] = {0x06, id2, 0x04, 0x00, 0x41, 0x00, 0x42, 0x00};
	one_req(t, lt_ident(t), f);
	memcpy(two + 8, f, 10);
	lt_send(t, 0x0005, two, sizeof(two));
	const struct lt_pdu *p = next_sig(t, 0x01, 3000);
	const uint8_t w[10] = {0x01, id2, 0x06, 0x00, 0x02, 0x00, 0x41, 0x00, 0x42, 0x00};
	if (p && lt_is(t, p, w, 10, "the IUT's Command Reject (invalid CID in request)") && quiet(t, 500, false) &&
	    t->iut->events && t->obs.opened)
		lt_fail(t, "the IUT opened a channel");
}

/* L2CAP/COS/CED/BI-25-C: a truncated Disconnection Request for an open ECFC channel on LE:
 * Command Reject "not understood", and the channel stays open. */
static void ced_bi25(struct lt *t)
{
	uint16_t icid;
	if (!listen_ecfc(t, &DEF, "") || !tester_open(t, &DEF, 1, TCID, 100, 64, 5, &icid))
		return;
	uint8_t id = lt_ident(t);
	uint8_t d[6] = {0x06, id, 0x04, 0x00, 0, 0};
	lt_put16(d + 4, icid);
	lt_send(t, 0x0005, d, sizeof(d));
	if (!not_understood(t, id) || !quiet(t, 500, false))
		return;
	if (t->obs.closed)
		return (void)lt_fail(t, "the IUT closed the channel");
	lt_send_kframe(t, icid, 2, (const uint8_t *)"up", 2);
	lt_iut_wait_sdus(t, 1, 3000, "an SDU on the channel that stayed");
}

/* ==== data (10.2, 3.4) ========================================================================== */

/* L2CAP/ECFC/BV-06-C, BV-49-C: the IUT sends only while it has credits: with 1 credit one
 * K-frame of three queued SDUs goes; a Flow Control Credit Indication of 2 for the tester's CID
 * releases the two others, and no more goes. */
static void ecfc_bv06(struct lt *t)
{
	struct ecfc_req rq;
	if (!iut_open(t, 1, &DEF, &rq, TCID, 100, 64, 1))
		return;
	int c = rq.chan[0];
	if (!iut_send(t, c, (const uint8_t *)"one", 3) || !iut_send(t, c, (const uint8_t *)"two", 3) ||
	    !iut_send(t, c, (const uint8_t *)"three", 5))
		return;
	if (!expect_kframe(t, TCID, 3, (const uint8_t *)"one", 3) || !quiet(t, 1000, false))
		return;
	static const uint8_t ci[4] = {0x40, 0x00, 0x02, 0x00};
	lt_send_sig(t, 0x16, lt_ident(t), ci, 4);
	if (expect_kframe(t, TCID, 3, (const uint8_t *)"two", 3) && expect_kframe(t, TCID, 5, (const uint8_t *)"three", 5))
		quiet(t, 500, false);
}

/* L2CAP/ECFC/BV-07-C, BV-50-C: the IUT hands out credits as it consumes K-frames (Flow Control
 * Credit Indications naming its CID), so the tester goes on sending far past the initial 4. */
static void ecfc_bv07(struct lt *t)
{
	static const struct ecfc_par p4 = {100, 64, 4};
	uint16_t icid;
	if (!listen_ecfc(t, &p4, "") || !tester_open(t, &p4, 1, TCID, 300, 64, 10, &icid))
		return;
	int credits = 4, sent = 0, indications = 0;
	while (sent < 20) {
		if (credits == 0) {
			const struct lt_pdu *p = lt_expect_sig(t, 0x16, 3000);
			if (!p)
				return;
			if (p->len != 8 || lt_get16(p->data + 4) != icid || lt_get16(p->data + 6) == 0)
				return (void)lt_fail(t, "the Flow Control Credit Indication is not for CID 0x%04x or gives none",
						     icid);
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

/* The tester opens one channel from TCID to the IUT listening with par (and extra keys),
 * granting tcredits; the IUT's CID or 0. */
static uint16_t open_one(struct lt *t, const struct ecfc_par *par, const char *extra, uint16_t tcredits)
{
	uint16_t icid;
	if (!listen_ecfc(t, par, extra) || !tester_open(t, par, 1, TCID, 300, 64, tcredits, &icid))
		return 0;
	return icid;
}

/* L2CAP/ECFC/BI-01-C, BI-10-C: on a channel opened with zero credits for the IUT, grants up to
 * exactly 65535 are fine; one more makes it disconnect (10.2). */
static void ecfc_bi01(struct lt *t)
{
	static const struct ecfc_par p = {100, 64, 10};
	uint16_t icid = open_one(t, &p, "", 0);
	if (!icid)
		return;
	static const uint8_t ok[4] = {0x40, 0x00, 0xFF, 0xFF}, over[4] = {0x40, 0x00, 0x01, 0x00};
	lt_send_sig(t, 0x16, lt_ident(t), ok, 4);
	if (!quiet(t, 500, false))
		return;
	lt_send_sig(t, 0x16, lt_ident(t), over, 4);
	violation(t, TCID, icid, "credits past 65535");
}

/* L2CAP/ECFC/BI-02-C, BI-11-C: a K-frame sent when the IUT has granted no credit (its
 * application grants them: one was given and used) makes it disconnect. */
static void ecfc_bi02(struct lt *t)
{
	static const struct ecfc_par p = {100, 64, 1};
	uint16_t icid = open_one(t, &p, "manual-credits=yes", 10);
	if (!icid)
		return;
	lt_send_kframe(t, icid, 2, (const uint8_t *)"ab", 2);
	if (!lt_iut_wait_sdus(t, 1, 3000, "the SDU of the one credit") || !lt_quiet(t, 500))
		return;
	lt_send_kframe(t, icid, 2, (const uint8_t *)"cd", 2);
	if (violation(t, TCID, icid, "a K-frame without a credit") && t->obs.sdus != 1)
		lt_fail(t, "the IUT's application received %d SDUs, not 1", t->obs.sdus);
}

/* L2CAP/ECFC/BV-33-C, BV-76-C: an SDU length over the IUT's MTU (100) makes it disconnect. */
static void ecfc_bv33(struct lt *t)
{
	static const struct ecfc_par p = {100, 64, 10};
	uint16_t icid = open_one(t, &p, "", 10);
	uint8_t b[40] = {0};
	if (!icid)
		return;
	lt_send_kframe(t, icid, 101, b, 40);
	if (violation(t, TCID, icid, "an SDU length of 101 over its MTU of 100") && t->obs.sdus)
		lt_fail(t, "the IUT's application received an SDU");
}

/* L2CAP/ECFC/BV-34-C, BV-77-C: a K-frame whose payload is over the IUT's MPS (64: 2 + 63) makes
 * it disconnect; 2 + 62 is fine. */
static void ecfc_bv34(struct lt *t)
{
	static const struct ecfc_par p = {200, 64, 10};
	uint16_t icid = open_one(t, &p, "", 10);
	uint8_t b[63] = {0};
	if (!icid)
		return;
	lt_send_kframe(t, icid, 62, b, 62);
	if (!lt_iut_wait_sdus(t, 1, 3000, "a K-frame of exactly the MPS"))
		return;
	lt_send_kframe(t, icid, 100, b, 63);
	if (violation(t, TCID, icid, "a K-frame of 65 octets over its MPS of 64") && t->obs.sdus != 1)
		lt_fail(t, "the IUT's application received %d SDUs, not 1", t->obs.sdus);
}

/* L2CAP/ECFC/BV-35-C, BV-78-C: continuation K-frames adding up past the SDU length make the IUT
 * disconnect; nothing of that SDU is delivered. */
static void ecfc_bv35(struct lt *t)
{
	static const struct ecfc_par p = {200, 64, 10};
	uint16_t icid = open_one(t, &p, "", 10);
	uint8_t b[64] = {0};
	if (!icid)
		return;
	lt_send_kframe(t, icid, 80, b, 62);
	lt_send_kframe(t, icid, -1, b, 19); /* 62 + 19 = 81 > 80 */
	if (violation(t, TCID, icid, "segments adding up to 81 for an SDU of 80") && t->obs.sdus)
		lt_fail(t, "the IUT's application received an SDU");
}

/* L2CAP/ECFC/BV-80-C, BV-81-C: SDUs around the MPS (64, both ways): 62 fits one K-frame with its
 * SDU length, 63 and 64 need two, 126/127/128 two or three.  The IUT takes them all and keeps
 * the channel, and segments its own the same way for a peer MPS of 64. */
static void ecfc_bv80(struct lt *t)
{
	static const struct ecfc_par p = {300, 64, 40};
	struct ecfc_req rq;
	if (!iut_open(t, 1, &p, &rq, TCID, 300, 64, 40))
		return;
	uint16_t icid = rq.cid[0];
	static const size_t sizes[] = {62, 63, 64, 126, 127, 128};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		send_sdu(t, icid, sizes[i], 64, (uint8_t)i);
		if (!got_sdu(t, (int)i + 1, sizes[i], (uint8_t)i))
			return;
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint8_t b[200];
		fill(b, sizes[i], (uint8_t)(0x80 + i));
		if (!iut_send(t, rq.chan[0], b, sizes[i]) || !expect_sdu(t, TCID, sizes[i], 64, (uint8_t)(0x80 + i)))
			return;
	}
	if (t->obs.closed)
		return (void)lt_fail(t, "the IUT closed the channel");
	quiet(t, 300, false);
}

/* L2CAP/ECFC/BV-41-C, BV-42-C: a K-frame delivered in two ACL fragments (start, continuation)
 * is recombined and its SDU passed up whole. */
static void ecfc_bv41(struct lt *t)
{
	static const struct ecfc_par p = {100, 64, 10};
	uint16_t icid = open_one(t, &p, "", 10);
	if (!icid)
		return;
	uint8_t f[4 + 2 + 50];
	lt_put16(f, 52);
	lt_put16(f + 2, icid);
	lt_put16(f + 4, 50);
	fill(f + 6, 50, 0x30);
	lt_send_acl(t, t->le ? 0x0 : 0x2, f, 9);
	if (!lt_quiet(t, 200))
		return;
	if (t->iut->events && t->obs.sdus)
		return (void)lt_fail(t, "the IUT's application got an SDU from half a K-frame");
	lt_send_acl(t, 0x1, f + 9, sizeof(f) - 9);
	if (got_sdu(t, 1, 50, 0x30) && t->obs.closed)
		lt_fail(t, "the IUT closed the channel");
}

/* L2CAP/COS/ECFC/BV-01-C, BV-05-C: an SDU of 250 for a peer MPS of 64 goes as K-frames of
 * 2 + 62, 64, 64, 60, exactly. */
static void cos_bv01(struct lt *t)
{
	struct ecfc_req rq;
	if (!iut_open(t, 1, &DEF, &rq, TCID, 300, 64, 10))
		return;
	uint8_t b[250];
	fill(b, sizeof(b), 0x11);
	if (iut_send(t, rq.chan[0], b, sizeof(b)) && expect_sdu(t, TCID, 250, 64, 0x11))
		quiet(t, 300, false);
}

/* L2CAP/COS/ECFC/BV-02-C, BV-06-C: an SDU of 200 received as K-frames of the IUT's MPS (100:
 * 98 + 100 + 2) is passed up once, whole. */
static void cos_bv02(struct lt *t)
{
	static const struct ecfc_par p = {300, 100, 10};
	uint16_t icid = open_one(t, &p, "", 10);
	if (!icid)
		return;
	send_sdu(t, icid, 200, 100, 0x22);
	if (got_sdu(t, 1, 200, 0x22) && quiet(t, 300, false) && t->obs.sdus != 1)
		lt_fail(t, "the IUT's application received %d SDUs, not 1", t->obs.sdus);
}

/* L2CAP/COS/ECFC/BV-03-C, BV-07-C: three channels of one request; the tester interleaves the
 * K-frames of one SDU per channel and each channel's application gets exactly its own SDU; the
 * IUT's SDUs on the three go to the right CIDs. */
static void cos_bv03(struct lt *t)
{
	struct ecfc_req rq;
	if (!iut_open(t, 3, &DEF, &rq, 0x0050, 300, 64, 10))
		return;
	for (int i = 0; i < 3; i++)
		if (rq.chan[i] < 1 || rq.chan[i] > 7)
			return (void)lt_inconclusive(t, "chan %d: only chans 1-7 are observed apart", rq.chan[i]);
	uint8_t b[3][150];
	for (int i = 0; i < 3; i++) {
		fill(b[i], 150, (uint8_t)(0x40 * i));
		lt_send_kframe(t, rq.cid[i], 150, b[i], 98);
	}
	for (int i = 2; i >= 0; i--)
		lt_send_kframe(t, rq.cid[i], -1, b[i] + 98, 52);
	if (!lt_iut_wait_sdus(t, 3, 3000, "the three SDUs"))
		return;
	for (int i = 0; i < 3; i++) {
		int c = rq.chan[i];
		if (t->obs.per[c].sdus != 1 || t->obs.per[c].len != 150 || memcmp(t->obs.per[c].d, b[i], 64))
			return (void)lt_fail(t, "chan %d received %d SDUs (last %zu octets), not exactly its own of 150", c,
					     t->obs.per[c].sdus, t->obs.per[c].len);
	}
	for (int i = 0; i < 3; i++)
		if (!iut_send(t, rq.chan[i], b[i], 100))
			return;
	/* the link may serve the channels in any order: collect what each CID got, in order */
	uint8_t got[3][110];
	size_t n[3] = {0, 0, 0};
	for (int k = 0; k < 6;) { /* per SDU: 2 + 62, then 38 */
		const struct lt_pdu *p = lt_next(t, 3000);
		if (!p)
			return (void)lt_fail(t, "the IUT's K-frames stopped after %d of 6", k);
		if (is_credit_ind(t, p))
			continue;
		int c = p->cid - 0x0050;
		if (c < 0 || c > 2 || n[c] + p->len > sizeof(got[c]))
			return (void)lt_fail(t, "an unexpected frame on cid 0x%04x (%zu octets)", p->cid, p->len);
		memcpy(got[c] + n[c], p->data, p->len);
		n[c] += p->len;
		k++;
	}
	for (int c = 0; c < 3; c++)
		if (n[c] != 102 || lt_get16(got[c]) != 100 || memcmp(got[c] + 2, b[c], 100))
			return (void)lt_fail(t, "cid 0x%04x got %zu octets, not the SDU length 100 and its SDU", 0x0050 + c,
					     n[c]);
	quiet(t, 300, false);
}

/* L2CAP/COS/ECFC/BV-04-C, BV-08-C: with the IUT's MTU equal to its MPS (100), an SDU of 100
 * needs two K-frames (2 + 98, then 2): reassembled whole; so is one of 98 in a single K-frame. */
static void cos_bv04(struct lt *t)
{
	static const struct ecfc_par p = {100, 100, 10};
	uint16_t icid = open_one(t, &p, "", 10);
	if (!icid)
		return;
	send_sdu(t, icid, 100, 100, 0x33);
	if (!got_sdu(t, 1, 100, 0x33))
		return;
	send_sdu(t, icid, 98, 100, 0x34);
	if (got_sdu(t, 2, 98, 0x34) && t->obs.closed)
		lt_fail(t, "the IUT closed the channel");
}

/* ==== Credit Based Reconfigure (4.27-4.28) ====================================================== */

static void send_reconf(struct lt *t, uint8_t id, uint16_t mtu, uint16_t mps, const uint16_t *cid, int n)
{
	uint8_t d[4 + 2 * 8];
	lt_put16(d, mtu);
	lt_put16(d + 2, mps);
	for (int i = 0; i < n; i++)
		lt_put16(d + 4 + 2 * i, cid[i]);
	lt_send_sig(t, 0x19, id, d, 4 + 2 * (size_t)n);
}

/* The tester's Reconfigure Request must be answered exactly with result. */
static bool reconf_is(struct lt *t, uint16_t mtu, uint16_t mps, const uint16_t *cid, int n, uint16_t result)
{
	uint8_t id = lt_ident(t);
	send_reconf(t, id, mtu, mps, cid, n);
	const struct lt_pdu *p = next_sig(t, 0x1A, 3000);
	uint8_t w[6] = {0x1A, id, 0x02, 0x00};
	lt_put16(w + 4, result);
	return p && lt_is(t, p, w, 6, "the IUT's Credit Based Reconfigure Response");
}

/* The IUT's Reconfigure Request must be exactly MTU, MPS and its CIDs; its identifier or -1. */
static int want_iut_reconf(struct lt *t, uint16_t mtu, uint16_t mps, const uint16_t *icid, int n)
{
	const struct lt_pdu *p = next_sig(t, 0x19, 3000);
	if (!p)
		return -1;
	uint8_t w[4 + 4 + 10] = {0x19, p->data[1]};
	lt_put16(w + 2, (uint16_t)(4 + 2 * n));
	lt_put16(w + 4, mtu);
	lt_put16(w + 6, mps);
	for (int i = 0; i < n; i++)
		lt_put16(w + 8 + 2 * i, icid[i]);
	if (!lt_is(t, p, w, 8 + 2 * (size_t)n, "the IUT's Credit Based Reconfigure Request"))
		return -1;
	return p->data[1];
}

static void answer_reconf(struct lt *t, uint8_t id, uint16_t result)
{
	uint8_t d[2];
	lt_put16(d, result);
	lt_send_sig(t, 0x1A, id, d, 2);
	lt_run(t, 100);
}

/* Ask the IUT to reconfigure chans (a "A,B" list): the backend's result (0, L2K_ENOTSUP ...);
 * ENOTSUP makes the case inconclusive. */
static int iut_reconf(struct lt *t, const char *chans, uint16_t mtu, uint16_t mps)
{
	char a[128];
	int r = lt_iut_try(t, a, sizeof(a), "reconfigure chan=%s mtu=%u mps=%u", chans, mtu, mps);
	if (r == L2K_ENOTSUP)
		lt_inconclusive(t, "the IUT cannot reconfigure: %s", a);
	return r;
}

/* An IUT asked to send a request the specification forbids (a smaller MTU; a smaller MPS for
 * several channels, 4.27): its API refuses (l2kit), or at least it sends nothing. */
static bool forbidden_reconf(struct lt *t, const char *chans, uint16_t mtu, uint16_t mps)
{
	int r = iut_reconf(t, chans, mtu, mps);
	if (r == L2K_ENOTSUP)
		return false;
	if (t->iut_is_l2kit && r == 0)
		return lt_fail(t, "l2kit's API accepted a reconfiguration to MTU %u / MPS %u that 4.27 forbids", mtu, mps);
	return quiet(t, 300, false);
}

/* L2CAP/ECFC/BV-22-C, BV-58-C: the IUT raises the MTU of two open channels: its request names
 * MTU 400, MPS 100 and its two CIDs.  From the request on it takes SDUs of the new size; after
 * the success response the new MTU is the limit (an SDU of 401 ends the channel).  It does not
 * ask for a smaller MTU at all. */
static void ecfc_bv22(struct lt *t)
{
	struct ecfc_req rq;
	char cs[16];
	if (!iut_open(t, 2, &DEF, &rq, 0x0040, 100, 64, 5))
		return;
	snprintf(cs, sizeof(cs), "%d,%d", rq.chan[0], rq.chan[1]);
	if (!forbidden_reconf(t, cs, 150, DEF.mps))
		return;
	int r = iut_reconf(t, cs, 400, DEF.mps);
	if (r == L2K_ENOTSUP)
		return;
	if (r != 0)
		return (void)lt_inconclusive(t, "the IUT did not reconfigure to MTU 400");
	int id = want_iut_reconf(t, 400, DEF.mps, rq.cid, 2);
	if (id < 0)
		return;
	send_sdu(t, rq.cid[0], 400, DEF.mps, 1);
	if (!got_sdu(t, 1, 400, 1))
		return;
	answer_reconf(t, (uint8_t)id, 0x0000);
	send_sdu(t, rq.cid[1], 400, DEF.mps, 2);
	if (!got_sdu(t, 2, 400, 2))
		return;
	uint8_t b[10] = {0};
	lt_send_kframe(t, rq.cid[1], 401, b, 10);
	violation(t, 0x0041, rq.cid[1], "an SDU length of 401 over its new MTU of 400");
}

/* L2CAP/ECFC/BV-23-C, BV-59-C: the tester raises its MTU (100 -> 150) on two channels: success,
 * and the IUT then sends SDUs of 150 (not before: 100 was the limit). */
static void ecfc_bv23(struct lt *t)
{
	struct ecfc_req rq;
	if (!iut_open(t, 2, &DEF, &rq, 0x0040, 100, 64, 10))
		return;
	uint8_t b[151];
	fill(b, sizeof(b), 3);
	char h[2 * 151 + 1];
	hexs(h, b, 150);
	int r = lt_iut_try(t, NULL, 0, "send chan=%d hex=%s", rq.chan[1], h);
	if (t->iut_is_l2kit && r == 0)
		return (void)lt_fail(t, "l2kit took an SDU of 150 for a peer MTU of 100");
	if (!quiet(t, 300, false))
		return;
	static const uint16_t tc[2] = {0x0040, 0x0041};
	if (!reconf_is(t, 150, 64, tc, 2, 0x0000))
		return;
	if (iut_send(t, rq.chan[1], b, 150) && expect_sdu(t, 0x0041, 150, 64, 3) && t->obs.closed)
		lt_fail(t, "the IUT closed a channel");
}

/* L2CAP/ECFC/BI-03-C, BI-12-C: a reconfiguration lowering the MTU (100 -> 90) is refused 0x0001
 * and changes nothing (the IUT still sends SDUs of 100); the same MTU is not a reduction. */
static void ecfc_bi03(struct lt *t)
{
	struct ecfc_req rq;
	if (!iut_open(t, 2, &DEF, &rq, 0x0040, 100, 64, 10))
		return;
	static const uint16_t tc[2] = {0x0040, 0x0041};
	if (!reconf_is(t, 90, 64, tc, 2, 0x0001) || !reconf_is(t, 90, 64, tc + 1, 1, 0x0001))
		return;
	uint8_t b[100];
	fill(b, 100, 4);
	if (iut_send(t, rq.chan[1], b, 100) && expect_sdu(t, 0x0041, 100, 64, 4) && reconf_is(t, 100, 64, tc, 2, 0) &&
	    t->obs.closed)
		lt_fail(t, "the IUT closed a channel");
}

/* L2CAP/ECFC/BV-24-C, BV-60-C: the IUT changes the MPS.  A single channel may shrink (100 ->
 * 64): until the success response it still takes K-frames of the old size, afterwards a
 * K-frame over 64 ends the channel.  For two channels it does not ask to shrink, and a larger
 * MPS (150) applies at once. */
static void ecfc_bv24(struct lt *t)
{
	struct ecfc_req rq;
	char cs[16], c0[8];
	if (!iut_open(t, 3, &DEF, &rq, 0x0040, 100, 64, 10))
		return;
	snprintf(cs, sizeof(cs), "%d,%d", rq.chan[1], rq.chan[2]);
	snprintf(c0, sizeof(c0), "%d", rq.chan[0]);
	if (!forbidden_reconf(t, cs, DEF.mtu, 64))
		return;
	int r = iut_reconf(t, cs, DEF.mtu, 150);
	if (r == L2K_ENOTSUP)
		return;
	if (r != 0)
		return (void)lt_inconclusive(t, "the IUT did not reconfigure to MPS 150");
	int id = want_iut_reconf(t, DEF.mtu, 150, rq.cid + 1, 2);
	if (id < 0)
		return;
	send_sdu(t, rq.cid[2], 148, 150, 5); /* one K-frame of 150 */
	if (!got_sdu(t, 1, 148, 5))
		return;
	answer_reconf(t, (uint8_t)id, 0x0000);
	if ((r = iut_reconf(t, c0, DEF.mtu, 64)) != 0)
		return (void)(r != L2K_ENOTSUP && lt_inconclusive(t, "the IUT did not reconfigure one channel to MPS 64"));
	id = want_iut_reconf(t, DEF.mtu, 64, rq.cid, 1);
	if (id < 0)
		return;
	send_sdu(t, rq.cid[0], 98, DEF.mps, 6); /* a K-frame of 100, still fine */
	if (!got_sdu(t, 2, 98, 6))
		return;
	answer_reconf(t, (uint8_t)id, 0x0000);
	send_sdu(t, rq.cid[0], 100, 64, 7); /* 62 + 38 */
	if (!got_sdu(t, 3, 100, 7))
		return;
	uint8_t b[65];
	fill(b, sizeof(b), 8);
	lt_send_kframe(t, rq.cid[0], 100, b, 63); /* 65 > 64 */
	if (violation(t, 0x0040, rq.cid[0], "a K-frame of 65 over its new MPS of 64") && t->obs.sdus != 3)
		lt_fail(t, "the IUT's application received %d SDUs, not 3", t->obs.sdus);
}

/* L2CAP/ECFC/BV-25-C, BV-61-C: the tester lowers the MPS of one channel (80 -> 64): success, and
 * the IUT segments that channel's SDUs with 64 while the other keeps 80. */
static void ecfc_bv25(struct lt *t)
{
	struct ecfc_req rq;
	if (!iut_open(t, 2, &DEF, &rq, 0x0040, 100, 80, 10))
		return;
	static const uint16_t tc[1] = {0x0041};
	if (!reconf_is(t, 100, 64, tc, 1, 0x0000))
		return;
	uint8_t b[100];
	fill(b, 100, 9);
	if (iut_send(t, rq.chan[1], b, 100) && expect_sdu(t, 0x0041, 100, 64, 9) && iut_send(t, rq.chan[0], b, 100) &&
	    expect_sdu(t, 0x0040, 100, 80, 9) && t->obs.closed)
		lt_fail(t, "the IUT closed a channel");
}

/* L2CAP/ECFC/BI-04-C, BI-13-C: lowering the MPS of two channels at once is refused 0x0002 and
 * changes nothing (MTU included); raising it for both is accepted. */
static void ecfc_bi04(struct lt *t)
{
	struct ecfc_req rq;
	if (!iut_open(t, 2, &DEF, &rq, 0x0040, 100, 80, 10))
		return;
	static const uint16_t tc[2] = {0x0040, 0x0041};
	if (!reconf_is(t, 120, 64, tc, 2, 0x0002))
		return;
	uint8_t b[101];
	fill(b, sizeof(b), 10);
	if (!iut_send(t, rq.chan[1], b, 100) || !expect_sdu(t, 0x0041, 100, 80, 10))
		return;
	if (!reconf_is(t, 120, 90, tc, 2, 0x0000))
		return;
	fill(b, sizeof(b), 11);
	if (iut_send(t, rq.chan[0], b, 101)) /* 101 > the old MTU 100; the new MPS 90: 2 + 88, 13 */
		expect_sdu(t, 0x0040, 101, 90, 11);
}

/* L2CAP/ECFC/BI-05-C, BI-14-C: a reconfiguration naming a CID the IUT does not know (alone, or
 * with a valid one; 0x0000) is refused 0x0003 and changes nothing. */
static void ecfc_bi05(struct lt *t)
{
	struct ecfc_req rq;
	if (!iut_open(t, 1, &DEF, &rq, 0x0040, 100, 80, 10))
		return;
	static const uint16_t unknown[1] = {0x0055}, mix[2] = {0x0040, 0x0055}, zero[1] = {0};
	if (!reconf_is(t, 200, 80, unknown, 1, 0x0003) || !reconf_is(t, 200, 80, mix, 2, 0x0003) ||
	    !reconf_is(t, 200, 80, zero, 1, 0x0003))
		return;
	uint8_t b[101];
	fill(b, sizeof(b), 12);
	char h[2 * 101 + 1];
	hexs(h, b, 101);
	int r = lt_iut_try(t, NULL, 0, "send chan=%d hex=%s", rq.chan[0], h);
	if (t->iut_is_l2kit && r == 0)
		return (void)lt_fail(t, "the refused reconfiguration raised the peer MTU (l2kit took an SDU of 101)");
	if (quiet(t, 300, false) && t->obs.closed)
		lt_fail(t, "the IUT closed the channel");
}

/* L2CAP/ECFC/BI-06-C, BI-15-C: other unacceptable parameters are refused 0x0004 and change
 * nothing: MPS below 64 or above 65533, MTU below 64, more than five CIDs, no CID at all or an
 * odd octet in the list. */
static void ecfc_bi06(struct lt *t)
{
	struct ecfc_req rq;
	if (!iut_open(t, 1, &DEF, &rq, 0x0040, 100, 80, 10))
		return;
	static const uint16_t tc[6] = {0x0040, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045};
	if (!reconf_is(t, 200, 63, tc, 1, 0x0004) || !reconf_is(t, 200, 65534, tc, 1, 0x0004) ||
	    !reconf_is(t, 63, 80, tc, 1, 0x0004) || !reconf_is(t, 200, 80, tc, 6, 0x0004) ||
	    !reconf_is(t, 200, 80, tc, 0, 0x0004))
		return;
	uint8_t id = lt_ident(t);
	const uint8_t odd[7] = {200, 0, 80, 0, 0x40, 0x00, 0x41};
	lt_send_sig(t, 0x19, id, odd, sizeof(odd));
	const struct lt_pdu *p = next_sig(t, 0x1A, 3000);
	const uint8_t w[6] = {0x1A, id, 0x02, 0x00, 0x04, 0x00};
	if (!p || !lt_is(t, p, w, 6, "the IUT's Credit Based Reconfigure Response"))
		return;
	/* nothing changed: the IUT still segments for MPS 80 */
	uint8_t b[100];
	fill(b, 100, 13);
	if (iut_send(t, rq.chan[0], b, 100) && expect_sdu(t, 0x0040, 100, 80, 13) && t->obs.closed)
		lt_fail(t, "the IUT closed the channel");
}

/* ==== LE/CID: the same CIDs on the ACL-U and the LE-U link (2.1: CIDs are per logical link) ==== */

#define LE_SPSM 0x0080 /* the IUT's SPSM on the LE link (the BR/EDR link's PSM is t->psm) */

/* Use the LE (le) or the BR/EDR link, with its PSM / SPSM. */
static void cid_use(struct lt *t, const struct lt_dual *d, bool le, uint16_t br_psm)
{
	lt_dual_use(t, d, le);
	t->psm = le ? LE_SPSM : br_psm;
}

/* L2CAP/LE/CID/BV-03-C: the IUT opens an ECFC channel on each link and the tester answers both
 * with the DCID 0x0040: both open, and the data of each goes to 0x0040 on its own link. */
static void le_cid_bv03(struct lt *t)
{
	struct lt_dual d;
	uint16_t br_psm = t->psm;
	struct ecfc_req rb, rl;
	if (!lt_dual_up(t, &d))
		return;
	cid_use(t, &d, false, br_psm);
	if (!iut_open(t, 1, &DEF, &rb, 0x0040, 100, 64, 5))
		return;
	cid_use(t, &d, true, br_psm);
	if (!iut_open(t, 1, &DEF, &rl, 0x0040, 100, 64, 5))
		return;
	static const uint8_t le[2] = {'l', 'e'}, br[5] = {'b', 'r', 'e', 'd', 'r'};
	if (!iut_send(t, rl.chan[0], le, 2) || !expect_kframe(t, 0x0040, 2, le, 2))
		return;
	cid_use(t, &d, false, br_psm);
	if (iut_send(t, rb.chan[0], br, 5))
		expect_kframe(t, 0x0040, 5, br, 5);
}

/* L2CAP/LE/CID/BV-04-C: the tester opens an ECFC channel from the Source CID 0x0040 on each
 * link: the IUT accepts both, and each channel gets the data of its own link. */
static void le_cid_bv04(struct lt *t)
{
	struct lt_dual d;
	uint16_t br_psm = t->psm, ib, il;
	if (!lt_iut(t, NULL, 0, "listen psm=%u transport=bredr mode=ecfc mtu=%u mps=%u credits=%u", br_psm, DEF.mtu,
		    DEF.mps, DEF.credits) ||
	    !lt_iut(t, NULL, 0, "listen psm=%u transport=le mode=ecfc mtu=%u mps=%u credits=%u", LE_SPSM, DEF.mtu,
		    DEF.mps, DEF.credits) ||
	    !lt_dual_up(t, &d))
		return;
	t->info_feat |= FEAT_ECFC;
	cid_use(t, &d, false, br_psm);
	if (!tester_open(t, &DEF, 1, 0x0040, 100, 70, 5, &ib))
		return;
	int cb = t->obs.chan;
	cid_use(t, &d, true, br_psm);
	/* the same Source CID on the other link: a refusal (e.g. 0x000B, "Source CID already
	 * allocated") is the defect this case looks for, not an inconclusive set-up */
	uint8_t id = lt_ident(t);
	uint16_t scid = 0x0040;
	send_req(t, id, LE_SPSM, 100, 70, 5, &scid, 1);
	const struct lt_pdu *p = next_sig(t, 0x18, 3000);
	if (!p)
		return;
	if (p->len >= 12 && lt_get16(p->data + 10) != 0)
		return (void)lt_fail(t, "the IUT refused the LE channel from Source CID 0x0040 (result 0x%04x): that CID is "
					"in use on the BR/EDR link only (2.1: CIDs are per logical link)",
				     lt_get16(p->data + 10));
	il = p->len >= 14 ? lt_get16(p->data + 12) : 0;
	if (!want_rsp(t, p, id, DEF.mtu, DEF.mps, DEF.credits, 0x0000, &il, 1))
		return;
	if (!dyn_cid(t, il))
		return (void)lt_fail(t, "the IUT's DCID 0x%04x is outside the LE dynamic range", il);
	if (!lt_iut_wait_open(t, 2, 3000, "the LE channel open"))
		return;
	int cl = t->obs.chan;
	lt_send_kframe(t, il, 2, (const uint8_t *)"le", 2);
	if (!lt_iut_wait_sdus(t, 1, 3000, "the SDU on the LE channel"))
		return;
	cid_use(t, &d, false, br_psm);
	lt_send_kframe(t, ib, 5, (const uint8_t *)"bredr", 5);
	if (!lt_iut_wait_sdus(t, 2, 3000, "the SDU on the BR/EDR channel"))
		return;
	if (cb > 0 && cb < 8 && cl > 0 && cl < 8 &&
	    (t->obs.per[cl].sdus != 1 || t->obs.per[cl].len != 2 || memcmp(t->obs.per[cl].d, "le", 2) ||
	     t->obs.per[cb].sdus != 1 || t->obs.per[cb].len != 5 || memcmp(t->obs.per[cb].d, "bredr", 5)))
		lt_fail(t, "the SDUs did not reach their own channels (LE chan %d: %d SDUs, BR/EDR chan %d: %d)", cl,
			t->obs.per[cl].sdus, cb, t->obs.per[cb].sdus);
}

const struct lt_case lt_cases_ecfc[] = {
    {"L2CAP/LE/CID/BV-03-C", "LE/CID", LT_BREDR, "IUT connects (ECFC) on BR/EDR and LE, sends", le_cid_bv03, NULL, false},
    {"L2CAP/LE/CID/BV-04-C", "LE/CID", LT_BREDR, "IUT listens (ECFC) on BR/EDR and LE", le_cid_bv04, NULL, false},
    {"L2CAP/COS/CED/BI-18-C", "COS/CED", LT_LE, "IUT listens (ECFC)", ced_bi18, NULL, false},
    {"L2CAP/COS/CED/BI-19-C", "COS/CED", LT_LE, NULL, NULL,
     "for an IUT without LE credit based flow control (the ECFC and LE/CFC cases assume it)", false},
    {"L2CAP/COS/CED/BI-20-C", "COS/CED", LT_LE, "IUT listens (ECFC)", ced_bi20, NULL, false},
    {"L2CAP/COS/CED/BI-21-C", "COS/CED", LT_LE, NULL, NULL,
     "for an IUT without LE credit based flow control (the ECFC and LE/CFC cases assume it)", false},
    {"L2CAP/COS/CED/BI-22-C", "COS/CED", LT_LE, "IUT listens (ECFC)", ced_bi22, NULL, false},
    {"L2CAP/COS/CED/BI-23-C", "COS/CED", LT_LE, NULL, NULL,
     "for an IUT without enhanced credit based flow control (the ECFC cases assume it; see BI-22)", false},
    {"L2CAP/COS/CED/BI-24-C", "COS/CED", LT_LE, "IUT listens (ECFC)", ced_bi24, NULL, false},
    {"L2CAP/COS/CED/BI-25-C", "COS/CED", LT_LE, "IUT listens (ECFC)", ced_bi25, NULL, false},
    {"L2CAP/ECFC/BV-39-C", "ECFC", LT_LE, "IUT listens", ecfc_bv39, NULL, false},
    {"L2CAP/ECFC/BV-40-C", "ECFC", LT_BREDR, "IUT listens", ecfc_bv39, NULL, false},
    {"L2CAP/ECFC/BV-41-C", "ECFC", LT_LE, "IUT listens (MTU 100, MPS 64)", ecfc_bv41, NULL, false},
    {"L2CAP/ECFC/BV-42-C", "ECFC", LT_BREDR, "IUT listens (MTU 100, MPS 64)", ecfc_bv41, NULL, false},
    {"L2CAP/ECFC/BI-09-C", "ECFC", LT_BREDR, "IUT listens", ecfc_bi09, NULL, false},
    {"L2CAP/COS/ECFC/BV-01-C", "COS/ECFC", LT_LE, "IUT connects, sends 250 octets", cos_bv01, NULL, false},
    {"L2CAP/COS/ECFC/BV-05-C", "COS/ECFC", LT_BREDR, "IUT connects, sends 250 octets", cos_bv01, NULL, false},
    {"L2CAP/COS/ECFC/BV-02-C", "COS/ECFC", LT_LE, "IUT listens (MTU 300, MPS 100)", cos_bv02, NULL, false},
    {"L2CAP/COS/ECFC/BV-06-C", "COS/ECFC", LT_BREDR, "IUT listens (MTU 300, MPS 100)", cos_bv02, NULL, false},
    {"L2CAP/COS/ECFC/BV-03-C", "COS/ECFC", LT_LE, "IUT connects 3 channels at once, sends", cos_bv03, NULL, false},
    {"L2CAP/COS/ECFC/BV-07-C", "COS/ECFC", LT_BREDR, "IUT connects 3 channels at once, sends", cos_bv03, NULL, false},
    {"L2CAP/COS/ECFC/BV-04-C", "COS/ECFC", LT_LE, "IUT listens (MTU 100, MPS 100)", cos_bv04, NULL, false},
    {"L2CAP/COS/ECFC/BV-08-C", "COS/ECFC", LT_BREDR, "IUT listens (MTU 100, MPS 100)", cos_bv04, NULL, false},
    {"L2CAP/ECFC/BV-01-C", "ECFC", LT_LE, "IUT connects 2 channels, rejected", ecfc_rejected, NULL, false},
    {"L2CAP/ECFC/BV-45-C", "ECFC", LT_BREDR, "IUT connects 2 channels, rejected", ecfc_rejected, NULL, false},
    {"L2CAP/ECFC/BV-02-C", "ECFC", LT_LE, "IUT connects 3 channels at once, sends", ecfc_iut_opens, NULL, false},
    {"L2CAP/ECFC/BV-46-C", "ECFC", LT_BREDR, "IUT connects 3 channels at once, sends", ecfc_iut_opens, NULL, false},
    {"L2CAP/ECFC/BV-03-C", "ECFC", LT_LE, "IUT listens (MTU 200, MPS 100, 10 credits)", ecfc_bv03, NULL, false},
    {"L2CAP/ECFC/BV-47-C", "ECFC", LT_BREDR, "IUT listens (MTU 200, MPS 100, 10 credits)", ecfc_bv03, NULL, false},
    {"L2CAP/ECFC/BV-04-C", "ECFC", LT_LE, "IUT connects 3 channels, refused 0x0002", ecfc_bv04, NULL, false},
    {"L2CAP/ECFC/BV-48-C", "ECFC", LT_BREDR, "IUT connects 3 channels, refused 0x0002", ecfc_bv04, NULL, false},
    {"L2CAP/ECFC/BV-06-C", "ECFC", LT_LE, "IUT connects, sends 3 SDUs with 1 credit", ecfc_bv06, NULL, false},
    {"L2CAP/ECFC/BV-49-C", "ECFC", LT_BREDR, "IUT connects, sends 3 SDUs with 1 credit", ecfc_bv06, NULL, false},
    {"L2CAP/ECFC/BV-07-C", "ECFC", LT_LE, "IUT listens (MTU 100, MPS 64, 4 credits)", ecfc_bv07, NULL, false},
    {"L2CAP/ECFC/BV-50-C", "ECFC", LT_BREDR, "IUT listens (MTU 100, MPS 64, 4 credits)", ecfc_bv07, NULL, false},
    {"L2CAP/ECFC/BI-01-C", "ECFC", LT_LE, "IUT listens", ecfc_bi01, NULL, false},
    {"L2CAP/ECFC/BI-10-C", "ECFC", LT_BREDR, "IUT listens", ecfc_bi01, NULL, false},
    {"L2CAP/ECFC/BI-02-C", "ECFC", LT_LE, "IUT listens (1 credit, its application grants them)", ecfc_bi02, NULL,
     false},
    {"L2CAP/ECFC/BI-11-C", "ECFC", LT_BREDR, "IUT listens (1 credit, its application grants them)", ecfc_bi02, NULL,
     false},
    {"L2CAP/ECFC/BV-13-C", "ECFC", LT_LE, "IUT listens, refuses with 0x0006", ecfc_bv13, NULL, false},
    {"L2CAP/ECFC/BV-14-C", "ECFC", LT_LE, "IUT connects 3 channels, refused 0x0007", ecfc_bv14, NULL, false},
    {"L2CAP/ECFC/BV-52-C", "ECFC", LT_BREDR, "IUT connects 3 channels, refused 0x0007", ecfc_bv14, NULL, false},
    {"L2CAP/ECFC/BV-17-C", "ECFC", LT_LE, "IUT listens, connects once", ecfc_out_of_resources, NULL, false},
    {"L2CAP/ECFC/BV-53-C", "ECFC", LT_BREDR, "IUT listens", ecfc_out_of_resources, NULL, false},
    {"L2CAP/ECFC/BV-18-C", "ECFC", LT_LE, "IUT connects 3 channels, one refused 0x0009", ecfc_bv18, NULL, false},
    {"L2CAP/ECFC/BV-54-C", "ECFC", LT_BREDR, "IUT connects 3 channels, one refused 0x0009", ecfc_bv18, NULL, false},
    {"L2CAP/ECFC/BV-19-C", "ECFC", LT_LE, "IUT connects 3 channels, one refused 0x000A", ecfc_bv19, NULL, false},
    {"L2CAP/ECFC/BV-55-C", "ECFC", LT_BREDR, "IUT connects 3 channels, one refused 0x000A", ecfc_bv19, NULL, false},
    {"L2CAP/ECFC/BV-20-C", "ECFC", LT_LE, "IUT listens", ecfc_bv20, NULL, false},
    {"L2CAP/ECFC/BV-56-C", "ECFC", LT_BREDR, "IUT listens", ecfc_bv20, NULL, false},
    {"L2CAP/ECFC/BV-21-C", "ECFC", LT_LE, "IUT connects 3 channels, refused 0x000B", ecfc_bv21, NULL, false},
    {"L2CAP/ECFC/BV-57-C", "ECFC", LT_BREDR, "IUT connects 3 channels, refused 0x000B", ecfc_bv21, NULL, false},
    {"L2CAP/ECFC/BV-22-C", "ECFC", LT_LE, "IUT connects 2 channels, reconfigures the MTU", ecfc_bv22, NULL, false},
    {"L2CAP/ECFC/BV-58-C", "ECFC", LT_BREDR, "IUT connects 2 channels, reconfigures the MTU", ecfc_bv22, NULL,
     false},
    {"L2CAP/ECFC/BV-23-C", "ECFC", LT_LE, "IUT connects 2 channels, sends", ecfc_bv23, NULL, false},
    {"L2CAP/ECFC/BV-59-C", "ECFC", LT_BREDR, "IUT connects 2 channels, sends", ecfc_bv23, NULL, false},
    {"L2CAP/ECFC/BI-03-C", "ECFC", LT_LE, "IUT connects 2 channels, sends", ecfc_bi03, NULL, false},
    {"L2CAP/ECFC/BI-12-C", "ECFC", LT_BREDR, "IUT connects 2 channels, sends", ecfc_bi03, NULL, false},
    {"L2CAP/ECFC/BV-24-C", "ECFC", LT_LE, "IUT connects 3 channels, reconfigures the MPS", ecfc_bv24, NULL, false},
    {"L2CAP/ECFC/BV-60-C", "ECFC", LT_BREDR, "IUT connects 3 channels, reconfigures the MPS", ecfc_bv24, NULL,
     false},
    {"L2CAP/ECFC/BV-25-C", "ECFC", LT_LE, "IUT connects 2 channels, sends", ecfc_bv25, NULL, false},
    {"L2CAP/ECFC/BV-61-C", "ECFC", LT_BREDR, "IUT connects 2 channels, sends", ecfc_bv25, NULL, false},
    {"L2CAP/ECFC/BI-04-C", "ECFC", LT_LE, "IUT connects 2 channels, sends", ecfc_bi04, NULL, false},
    {"L2CAP/ECFC/BI-13-C", "ECFC", LT_BREDR, "IUT connects 2 channels, sends", ecfc_bi04, NULL, false},
    {"L2CAP/ECFC/BV-26-C", "ECFC", LT_LE, "IUT listens", ecfc_bv26, NULL, false},
    {"L2CAP/ECFC/BV-62-C", "ECFC", LT_BREDR, "IUT listens", ecfc_bv26, NULL, false},
    {"L2CAP/ECFC/BV-27-C", "ECFC", LT_LE, "IUT listens, refuses with 0x000B", ecfc_bv27, NULL, false},
    {"L2CAP/ECFC/BV-63-C", "ECFC", LT_BREDR, "IUT listens, refuses with 0x000B", ecfc_bv27, NULL, false},
    {"L2CAP/ECFC/BI-05-C", "ECFC", LT_LE, "IUT connects", ecfc_bi05, NULL, false},
    {"L2CAP/ECFC/BI-14-C", "ECFC", LT_BREDR, "IUT connects", ecfc_bi05, NULL, false},
    {"L2CAP/ECFC/BI-06-C", "ECFC", LT_LE, "IUT connects, sends", ecfc_bi06, NULL, false},
    {"L2CAP/ECFC/BI-15-C", "ECFC", LT_BREDR, "IUT connects, sends", ecfc_bi06, NULL, false},
    {"L2CAP/ECFC/BV-29-C", "ECFC", LT_LE, "IUT connects 1 then 2 channels, sends", ecfc_bv29, NULL, false},
    {"L2CAP/ECFC/BV-64-C", "ECFC", LT_BREDR, "IUT connects 1 then 2 channels, sends", ecfc_bv29, NULL, false},
    {"L2CAP/ECFC/BI-07-C", "ECFC", LT_LE, "IUT connects 2 channels", ecfc_bi07, NULL, false},
    {"L2CAP/ECFC/BI-16-C", "ECFC", LT_BREDR, "IUT connects 2 channels", ecfc_bi07, NULL, false},
    {"L2CAP/ECFC/BV-38-C", "ECFC", LT_LE, "IUT connects 5 + 5 channels", ecfc_bv38, NULL, false},
    {"L2CAP/ECFC/BV-79-C", "ECFC", LT_BREDR, "IUT connects 5 + 5 channels", ecfc_bv38, NULL, false},
    {"L2CAP/ECFC/BV-08-C", "ECFC", LT_LE, "IUT connects 2 channels, disconnects one", ecfc_bv08, NULL, false},
    {"L2CAP/ECFC/BV-65-C", "ECFC", LT_BREDR, "IUT connects 2 channels, disconnects one", ecfc_bv08, NULL, false},
    {"L2CAP/ECFC/BV-09-C", "ECFC", LT_LE, "IUT listens", ecfc_bv09, NULL, false},
    {"L2CAP/ECFC/BV-66-C", "ECFC", LT_BREDR, "IUT listens", ecfc_bv09, NULL, false},
    {"L2CAP/ECFC/BV-10-C", "ECFC", LT_LE, "IUT connects 3 channels, refused 0x0005", ecfc_bv10, NULL, false},
    {"L2CAP/ECFC/BV-67-C", "ECFC", LT_BREDR, "IUT connects 3 channels, refused 0x0005", ecfc_bv10, NULL, false},
    {"L2CAP/ECFC/BV-12-C", "ECFC", LT_LE, "IUT connects 3 channels, refused 0x0006", ecfc_bv12, NULL, false},
    {"L2CAP/ECFC/BV-68-C", "ECFC", LT_BREDR, "IUT connects 3 channels, refused 0x0006", ecfc_bv12, NULL, false},
    {"L2CAP/ECFC/BV-16-C", "ECFC", LT_LE, "IUT connects 3 channels, one refused 0x0004", ecfc_bv16, NULL, false},
    {"L2CAP/ECFC/BV-71-C", "ECFC", LT_BREDR, "IUT connects 3 channels, one refused 0x0004", ecfc_bv16, NULL, false},
    {"L2CAP/ECFC/BV-28-C", "ECFC", LT_LE, "IUT connects 3 channels, refused 0x0002 with DCIDs", ecfc_bv28, NULL,
     false},
    {"L2CAP/ECFC/BV-72-C", "ECFC", LT_BREDR, "IUT connects 3 channels, refused 0x0002 with DCIDs", ecfc_bv28, NULL,
     false},
    {"L2CAP/ECFC/BV-30-C", "ECFC", LT_LE, "IUT listens", ecfc_bv30, NULL, false},
    {"L2CAP/ECFC/BV-73-C", "ECFC", LT_BREDR, "IUT listens", ecfc_bv30, NULL, false},
    {"L2CAP/ECFC/BV-31-C", "ECFC", LT_LE, "IUT connects 3 channels, refused 0x0008", ecfc_bv31, NULL, false},
    {"L2CAP/ECFC/BV-33-C", "ECFC", LT_LE, "IUT listens (MTU 100, MPS 64)", ecfc_bv33, NULL, false},
    {"L2CAP/ECFC/BV-76-C", "ECFC", LT_BREDR, "IUT listens (MTU 100, MPS 64)", ecfc_bv33, NULL, false},
    {"L2CAP/ECFC/BV-34-C", "ECFC", LT_LE, "IUT listens (MTU 200, MPS 64)", ecfc_bv34, NULL, false},
    {"L2CAP/ECFC/BV-77-C", "ECFC", LT_BREDR, "IUT listens (MTU 200, MPS 64)", ecfc_bv34, NULL, false},
    {"L2CAP/ECFC/BV-35-C", "ECFC", LT_LE, "IUT listens (MTU 200, MPS 64)", ecfc_bv35, NULL, false},
    {"L2CAP/ECFC/BV-78-C", "ECFC", LT_BREDR, "IUT listens (MTU 200, MPS 64)", ecfc_bv35, NULL, false},
    {"L2CAP/ECFC/BV-80-C", "ECFC", LT_LE, "IUT connects (MTU 300, MPS 64), sends", ecfc_bv80, NULL, false},
    {"L2CAP/ECFC/BV-81-C", "ECFC", LT_BREDR, "IUT connects (MTU 300, MPS 64), sends", ecfc_bv80, NULL, false},
    {NULL, NULL, LT_ANY, NULL, NULL, NULL, false},
};
