/* Helpers shared by the Enhanced Credit Based Flow Control conformance files
 * (tests/conformance/test_ts_ecfc*.c): the tester's side of the Credit Based Connection / Reconfigure
 * procedures (Vol 3 Part A 4.25-4.28) on LE-U and ACL-U, with every byte the IUT sends checked.
 * Every test body takes the tester and works on whichever link it was set up with (t->le), so
 * one body serves the LE ID and its BR/EDR twin.  Header-only: everything is static inline. */
#ifndef L2K_TEST_TS_ECFC_H
#define L2K_TEST_TS_ECFC_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tests/common/tester.h"

#define ECFC_SPSM_LE 0x0080
#define ECFC_PSM_BR 0x1001 /* on ACL-U the SPSM field carries a BR/EDR PSM */
#define ECFC_TCID 0x0040   /* the tester's first CID */
#define ECFC_FEAT 0x00000400u /* extended feature mask bit 10: ECFC supported (4.12) */

/* IUT options used by most tests: MTU 200, MPS 100, 10 credits. */
#define ECFC_IUT_MTU 200
#define ECFC_IUT_MPS 100
#define ECFC_IUT_CREDITS 10

static inline int ecfc_setup_le(void **state)
{
	static struct tester t;
	struct tester_opts o = {.le = true};
	if (tester_setup(&t, &o) < 0)
		return -1;
	*state = &t;
	return 0;
}

static inline int ecfc_setup_bredr(void **state)
{
	static struct tester t;
	struct tester_opts o = {.le = false};
	if (tester_setup(&t, &o) < 0)
		return -1;
	*state = &t;
	return 0;
}

static inline int ecfc_teardown(void **state)
{
	tester_teardown(*state);
	return 0;
}

static inline uint16_t ecfc_psm(const struct tester *t)
{
	return t->le ? ECFC_SPSM_LE : ECFC_PSM_BR;
}

static inline uint16_t ecfc_sig(const struct tester *t)
{
	return t->le ? 0x0005 : 0x0001;
}

static inline enum l2k_addr_type ecfc_type(const struct tester *t)
{
	return t->le ? L2K_ADDR_LE_PUBLIC : L2K_ADDR_BREDR;
}

static inline uint16_t ecfc_dyn_end(const struct tester *t)
{
	return t->le ? 0x007F : 0xFFFF;
}

static inline void ecfc_opts(struct l2k_chan_opts *o, uint16_t mtu, uint16_t mps, uint16_t credits)
{
	l2k_chan_opts_default(o);
	o->mode = L2K_MODE_ECFC;
	o->mtu = mtu;
	o->mps = mps;
	o->credits = credits;
}

/* A Credit Based Connection Request (the tester's to send, or the IUT's as received). */
struct ecfc_req {
	uint8_t ident;
	uint16_t spsm, mtu, mps, credits;
	int n;
	uint16_t cid[8]; /* Source CIDs (more than five only to send malformed requests) */
};

/* A Credit Based Connection Response. */
struct ecfc_rsp {
	uint16_t mtu, mps, credits, result;
	int n;
	uint16_t dcid[5];
};

/* ---- the tester as acceptor of the IUT's requests -------------------------------------------- */

/* Send the tester's request (header built here, Length 8 + 2n). */
static inline void ecfc_send_req(struct tester *t, const struct ecfc_req *rq)
{
	uint8_t d[8 + 2 * 8];
	t_put16(d, rq->spsm);
	t_put16(d + 2, rq->mtu);
	t_put16(d + 4, rq->mps);
	t_put16(d + 6, rq->credits);
	for (int i = 0; i < rq->n; i++)
		t_put16(d + 8 + 2 * i, rq->cid[i]);
	assert_int_equal(tester_send_sig(t, 0x17, rq->ident, d, 8 + 2 * (size_t)rq->n), 0);
}

/* The next signaling PDU must be a well-formed Credit Based Connection Response to ident
 * (one command, Length 8 + 2 x DCIDs); its fields go to *o. */
static inline void ecfc_take_rsp(struct tester *t, uint8_t ident, struct ecfc_rsp *o)
{
	const struct tester_pdu *p = tester_expect_sig(t, 0x18, 3000);
	assert_non_null(p);
	assert_true(p->len >= 12);
	assert_int_equal(p->data[1], ident);
	uint16_t len = t_get16(p->data + 2);
	assert_int_equal(p->len, 4 + (size_t)len);
	assert_true(len >= 8 && len % 2 == 0 && len <= 18);
	o->mtu = t_get16(p->data + 4);
	o->mps = t_get16(p->data + 6);
	o->credits = t_get16(p->data + 8);
	o->result = t_get16(p->data + 10);
	o->n = (len - 8) / 2;
	for (int i = 0; i < o->n; i++)
		o->dcid[i] = t_get16(p->data + 12 + 2 * i);
}

/* The tester's request and the IUT's response. */
static inline void ecfc_request(struct tester *t, const struct ecfc_req *rq, struct ecfc_rsp *rsp)
{
	ecfc_send_req(t, rq);
	ecfc_take_rsp(t, rq->ident, rsp);
}

/* The PDU must be exactly this Credit Based Connection Response. */
static inline void ecfc_want_rsp(const struct tester_pdu *p, uint8_t id, uint16_t mtu, uint16_t mps,
				 uint16_t credits, uint16_t result, const uint16_t *dcid, int n)
{
	uint8_t w[4 + 8 + 10] = {0x18, id};
	t_put16(w + 2, (uint16_t)(8 + 2 * n));
	t_put16(w + 4, mtu);
	t_put16(w + 6, mps);
	t_put16(w + 8, credits);
	t_put16(w + 10, result);
	for (int i = 0; i < n; i++)
		t_put16(w + 12 + 2 * i, dcid[i]);
	assert_true(tester_sig_is(p, w, 12 + 2 * (size_t)n));
}

/* Send the tester's request and check the IUT's refusal byte for byte: result, MTU/MPS/credits
 * 0 and n zero DCIDs. */
static inline void ecfc_want_refusal(struct tester *t, const struct ecfc_req *rq, uint16_t result, int n)
{
	static const uint16_t zero[5];
	ecfc_send_req(t, rq);
	const struct tester_pdu *p = tester_expect_sig(t, 0x18, 3000);
	ecfc_want_rsp(p, rq->ident, 0, 0, 0, result, zero, n);
}

/* The IUT serves its SPSM/PSM with these options (NULL: ECFC 200/100/10) recording into r. */
static inline void ecfc_server(struct tester *t, const struct l2k_chan_opts *opts, struct tester_rec *r)
{
	struct l2k_chan_opts o;
	if (opts)
		o = *opts;
	else
		ecfc_opts(&o, ECFC_IUT_MTU, ECFC_IUT_MPS, ECFC_IUT_CREDITS);
	r->opts = o;
	r->opts_set = true;
	assert_int_equal(tester_server(t, ecfc_psm(t), t->le, &o, r), 0);
}

/* The tester opens n channels (its CIDs tcid0, tcid0 + 1 ...; MTU/MPS/credits given) to the
 * IUT's server (already added): all must be accepted with the server's options; iut_cids gets
 * the IUT's CIDs. */
static inline void ecfc_tester_open(struct tester *t, struct tester_rec *r, int n, uint16_t tcid0, uint16_t tmtu,
				    uint16_t tmps, uint16_t tcredits, uint16_t *iut_cids)
{
	struct ecfc_req rq = {.ident = tester_ident(t), .spsm = ecfc_psm(t), .mtu = tmtu, .mps = tmps,
			      .credits = tcredits, .n = n};
	for (int i = 0; i < n; i++)
		rq.cid[i] = (uint16_t)(tcid0 + i);
	int opened = r->opened;
	struct ecfc_rsp rsp;
	ecfc_request(t, &rq, &rsp);
	assert_int_equal(rsp.result, 0);
	assert_int_equal(rsp.n, n);
	assert_int_equal(rsp.mtu, r->opts.mtu);
	assert_int_equal(rsp.mps, r->opts.mps);
	assert_int_equal(rsp.credits, r->opts.credits);
	for (int i = 0; i < n; i++) {
		assert_true(rsp.dcid[i] >= 0x0040 && rsp.dcid[i] <= ecfc_dyn_end(t));
		for (int k = 0; k < i; k++)
			assert_int_not_equal(rsp.dcid[k], rsp.dcid[i]);
		iut_cids[i] = rsp.dcid[i];
	}
	assert_true(tester_wait_open(t, r, opened + n, 2000));
}

/* ---- the tester as acceptor of the IUT's requests -------------------------------------------- */

/* The next signaling PDU from the IUT, after answering its Information Requests (BR/EDR: the
 * first channel on a link asks for the extended features) as a peer with feature mask feat. */
static inline const struct tester_pdu *ecfc_answer_info(struct tester *t, uint32_t feat)
{
	for (;;) {
		const struct tester_pdu *p = tester_next_on(t, ecfc_sig(t), 3000);
		if (!p || p->len < 6 || p->data[0] != 0x0A)
			return p;
		uint16_t type = t_get16(p->data + 4);
		uint8_t rsp[8];
		t_put16(rsp, type);
		t_put16(rsp + 2, type == 0x0002 ? 0 : 1); /* only the feature mask is known */
		t_put16(rsp + 4, (uint16_t)feat);
		t_put16(rsp + 6, (uint16_t)(feat >> 16));
		tester_send_sig(t, 0x0B, p->data[1], rsp, type == 0x0002 ? 8 : 4);
	}
}

/* The IUT asks for n channels to the tester's SPSM/PSM with options o (NULL: 200/100/10);
 * r[i] records channel i (r may be one recorder for all: rn 1, or one per channel: rn n).  On
 * BR/EDR the tester first answers the IUT's information exchange as a peer supporting ECFC.
 * The IUT's request must be exactly: code 0x17, Length 8 + 2n, the SPSM and the MTU, MPS and
 * credits of o, and n distinct Source CIDs from the link's dynamic range; *rq gets it. */
static inline void ecfc_iut_start(struct tester *t, int n, const struct l2k_chan_opts *o, struct tester_rec *r,
				  int rn, l2k_chan **ch, struct ecfc_req *rq)
{
	struct l2k_chan_opts oo;
	if (o)
		oo = *o;
	else
		ecfc_opts(&oo, ECFC_IUT_MTU, ECFC_IUT_MPS, ECFC_IUT_CREDITS);
	struct l2k_chan_cbs cb = tester_rec_cbs(&r[0]);
	assert_int_equal(l2k_chan_connect_ecfc(t->iut, &t->tst_addr, ecfc_type(t), ecfc_psm(t), n, &oo, &cb, ch), 0);
	for (int i = 1; i < rn; i++) {
		struct l2k_chan_cbs c = tester_rec_cbs(&r[i]);
		l2k_chan_set_cbs(ch[i], &c);
	}
	const struct tester_pdu *p = ecfc_answer_info(t, ECFC_FEAT);
	assert_non_null(p);
	assert_true(p->len >= 4);
	assert_int_equal(p->data[0], 0x17);
	assert_int_equal(p->len, 4 + 8 + 2 * (size_t)n);
	rq->ident = p->data[1];
	rq->n = n;
	uint8_t want[4 + 8 + 10] = {0x17, rq->ident};
	t_put16(want + 2, (uint16_t)(8 + 2 * n));
	t_put16(want + 4, ecfc_psm(t));
	t_put16(want + 6, oo.mtu);
	t_put16(want + 8, oo.mps);
	t_put16(want + 10, oo.credits);
	for (int i = 0; i < n; i++) {
		rq->cid[i] = t_get16(p->data + 12 + 2 * i);
		assert_true(rq->cid[i] >= 0x0040 && rq->cid[i] <= ecfc_dyn_end(t));
		for (int k = 0; k < i; k++)
			assert_int_not_equal(rq->cid[k], rq->cid[i]);
		t_put16(want + 12 + 2 * i, rq->cid[i]);
	}
	assert_true(tester_sig_is(p, want, 12 + 2 * (size_t)n));
	rq->spsm = ecfc_psm(t);
	rq->mtu = oo.mtu;
	rq->mps = oo.mps;
	rq->credits = oo.credits;
}

/* The tester answers the IUT's request ident with this response. */
static inline void ecfc_send_rsp(struct tester *t, uint8_t ident, const struct ecfc_rsp *rsp)
{
	uint8_t d[8 + 10];
	t_put16(d, rsp->mtu);
	t_put16(d + 2, rsp->mps);
	t_put16(d + 4, rsp->credits);
	t_put16(d + 6, rsp->result);
	for (int i = 0; i < rsp->n; i++)
		t_put16(d + 8 + 2 * i, rsp->dcid[i]);
	assert_int_equal(tester_send_sig(t, 0x18, ident, d, 8 + 2 * (size_t)rsp->n), 0);
}

/* The IUT opens n channels (options o, NULL: 200/100/10) and the tester accepts them all with
 * its CIDs tcid0, tcid0 + 1 ... and MTU/MPS/credits; iut_cids gets the IUT's CIDs. */
static inline void ecfc_iut_open(struct tester *t, int n, const struct l2k_chan_opts *o, struct tester_rec *r,
				 l2k_chan **ch, uint16_t *iut_cids, uint16_t tcid0, uint16_t tmtu, uint16_t tmps,
				 uint16_t tcredits)
{
	struct ecfc_req rq;
	ecfc_iut_start(t, n, o, r, 1, ch, &rq);
	struct ecfc_rsp rsp = {.mtu = tmtu, .mps = tmps, .credits = tcredits, .result = 0, .n = n};
	for (int i = 0; i < n; i++) {
		rsp.dcid[i] = (uint16_t)(tcid0 + i);
		iut_cids[i] = rq.cid[i];
	}
	int opened = r->opened;
	ecfc_send_rsp(t, rq.ident, &rsp);
	assert_true(tester_wait_open(t, r, opened + n, 2000));
}

/* ---- both ------------------------------------------------------------------------------------ */

/* The next signaling command with this code, skipping the Flow Control Credit Indications the
 * IUT sends as it consumes K-frames (each must be well formed: 8 octets, credits > 0); NULL if
 * something else comes first, or nothing. */
static inline const struct tester_pdu *ecfc_expect_sig(struct tester *t, uint8_t code, uint64_t within_ms)
{
	uint64_t end = t->vc.now_ms + within_ms;
	for (;;) {
		uint64_t left = end > t->vc.now_ms ? end - t->vc.now_ms : 0;
		const struct tester_pdu *p = tester_next_on(t, ecfc_sig(t), left);
		if (p && p->len >= 4 && p->data[0] == code)
			return p;
		if (p && p->len == 8 && p->data[0] == 0x16 && t_get16(p->data + 2) == 4 && t_get16(p->data + 6) > 0)
			continue;
		fprintf(stderr, "tester: expected signaling code 0x%02x, got %s 0x%02x\n", code, p ? "code" : "nothing",
			p && p->len ? p->data[0] : 0);
		return NULL;
	}
}

/* The IUT must send exactly a Disconnection Request for the channel (DCID = the tester's CID,
 * SCID = the IUT's); the tester confirms it.  Returns the request's identifier. */
static inline uint8_t ecfc_expect_disconnect(struct tester *t, uint16_t tcid, uint16_t icid)
{
	const struct tester_pdu *p = ecfc_expect_sig(t, 0x06, 3000);
	assert_non_null(p);
	uint8_t id = p->data[1];
	uint8_t want[8] = {0x06, id, 0x04, 0x00};
	t_put16(want + 4, tcid);
	t_put16(want + 6, icid);
	assert_true(tester_sig_is(p, want, 8));
	uint8_t d[4];
	t_put16(d, tcid);
	t_put16(d + 2, icid);
	tester_send_sig(t, 0x07, id, d, 4);
	return id;
}

/* The next PDU on the tester's CID must be exactly [sdu_len] + data (sdu_len < 0: none). */
static inline void ecfc_expect_kframe(struct tester *t, uint16_t tcid, int sdu_len, const uint8_t *data, size_t n)
{
	const struct tester_pdu *p = tester_next_on(t, tcid, 3000);
	assert_non_null(p);
	uint8_t w[2 + 1024];
	size_t k = 0;
	assert_true(n <= 1024);
	if (sdu_len >= 0) {
		t_put16(w, (uint16_t)sdu_len);
		k = 2;
	}
	memcpy(w + k, data, n);
	assert_true(tester_sig_is(p, w, k + n));
}

/* Bytes 0..n-1 of a recognisable pattern. */
static inline void ecfc_fill(uint8_t *b, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed + i * 7u + (i >> 8));
}

#endif
