/* Conformance: L2CAP.TS group ECFC, part 2: the IUT as acceptor of Credit Based Connection
 * Requests (Vol 3 Part A 4.25-4.26) on LE-U and ACL-U: acceptance of several channels in one
 * request, the refusals (SPSM, authorization, resources, Source CIDs, parameters), the
 * Disconnection Request both ways, and LE/CID/BV-03/BV-04 (ECFC channels with the same CID
 * values on an ACL-U and an LE-U link to one peer).  IDs not covered: see test_ts_ecfc.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/conformance/test_ts_ecfc.h"

static int setup_dual(void **state)
{
	static struct tester t;
	struct tester_opts o = {.le = false, .dual = true};
	if (tester_setup(&t, &o) < 0 || tester_add_link(&t, true) < 0)
		return -1;
	*state = &t;
	return 0;
}

/* L2CAP/ECFC/BV-03-C, BV-47-C: a valid request for three channels is accepted: success with the
 * IUT's MTU, MPS and credits and three distinct dynamic DCIDs; the server is offered each
 * channel (mode ECFC, the peer's MTU and MPS) and each carries data. */
static void iut_accepts(struct tester *t)
{
	struct tester_rec r = {0};
	ecfc_server(t, NULL, &r);
	struct ecfc_req rq = {.ident = 0x21, .spsm = ecfc_psm(t), .mtu = 100, .mps = 70, .credits = 5, .n = 3,
			      .cid = {0x0040, 0x0041, 0x0042}};
	ecfc_send_req(t, &rq);
	const struct tester_pdu *p = tester_expect_sig(t, 0x18, 2000);
	assert_non_null(p);
	assert_int_equal(p->len, 4 + 8 + 6);
	uint16_t dcid[3];
	for (int i = 0; i < 3; i++) {
		dcid[i] = t_get16(p->data + 12 + 2 * i);
		assert_true(dcid[i] >= 0x0040 && dcid[i] <= ecfc_dyn_end(t));
		for (int k = 0; k < i; k++)
			assert_int_not_equal(dcid[k], dcid[i]);
	}
	ecfc_want_rsp(p, 0x21, ECFC_IUT_MTU, ECFC_IUT_MPS, ECFC_IUT_CREDITS, 0x0000, dcid, 3);
	assert_true(tester_wait_open(t, &r, 3, 2000));
	assert_int_equal(r.accept_calls, 3);
	assert_int_equal(r.last_req.mode, L2K_MODE_ECFC);
	assert_int_equal(r.last_req.psm, ecfc_psm(t));
	assert_int_equal(r.last_req.peer_mtu, 100);
	assert_int_equal(r.last_req.peer_mps, 70);
	for (int i = 0; i < 3; i++) {
		uint8_t b[2] = {'#', (uint8_t)('0' + i)};
		assert_int_equal(tester_send_kframe(t, dcid[i], 2, b, 2), 0);
		assert_true(tester_wait_sdus(t, &r, i + 1, 2000));
		assert_memory_equal(r.data, b, 2);
	}
	assert_int_equal(r.closed, 0);
}

static void test_ECFC_BV_03_C_iut_accepts_channels_le(void **state)
{
	iut_accepts(*state);
}

static void test_ECFC_BV_47_C_iut_accepts_channels_bredr(void **state)
{
	iut_accepts(*state);
}

/* A request for an SPSM/PSM the IUT does not serve: all refused 0x0002, zero DCIDs. */
static void unserved(struct tester *t)
{
	struct ecfc_req rq = {.ident = 0x22, .spsm = t->le ? 0x0081 : 0x1003, .mtu = 100, .mps = 70, .credits = 5,
			      .n = 2, .cid = {0x0040, 0x0041}};
	ecfc_want_refusal(t, &rq, 0x0002, 2);
	rq.ident = 0x23;
	rq.spsm = t->le ? 0x0000 : 0x1002; /* reserved SPSM / invalid (even) PSM */
	ecfc_want_refusal(t, &rq, 0x0002, 2);
	assert_true(tester_quiet(t, 500));
}

static void test_ecfc_refuses_unserved_spsm_le(void **state)
{
	unserved(*state);
}

static void test_ecfc_refuses_unserved_psm_bredr(void **state)
{
	unserved(*state);
}

/* L2CAP/ECFC/BV-13-C: a server whose application does not authorize the peer: the whole
 * request is refused 0x0006 with zero DCIDs and MTU/MPS/credits 0; the application is asked
 * once and no channel opens. */
static void test_ECFC_BV_13_C_refuses_unauthorized_le(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {.accept_result = L2K_RESULT_AUTHORIZATION};
	ecfc_server(t, NULL, &r);
	struct ecfc_req rq = {.ident = 0x24, .spsm = ECFC_SPSM_LE, .mtu = 100, .mps = 70, .credits = 5, .n = 3,
			      .cid = {0x0040, 0x0041, 0x0042}};
	ecfc_want_refusal(t, &rq, 0x0006, 3);
	assert_int_equal(r.accept_calls, 1);
	assert_int_equal(r.opened, 0);
	assert_int_equal(r.closed, 0);
	assert_true(tester_quiet(t, 500));
}

/* An application that takes at most `limit` channels and refuses the others for lack of
 * resources. */
struct limited {
	struct tester_rec r;
	int limit, accepted;
};

static int limited_accept(void *u, const struct l2k_conn_request *req, struct l2k_chan_opts *o,
			  struct l2k_chan_cbs *cb)
{
	struct limited *lm = u;
	lm->r.accept_calls++;
	lm->r.last_req = *req;
	if (lm->accepted >= lm->limit)
		return L2K_RESULT_NO_RESOURCES;
	lm->accepted++;
	*cb = tester_rec_cbs(&lm->r);
	return 0;
}

/* L2CAP/ECFC/BV-17-C: with every LE dynamic CID of the IUT in use (63 channels accepted in
 * thirteen requests and one request of its own), a further request is refused "no resources"
 * (0x0004), zero DCID and MTU/MPS/credits 0. */
static void test_ECFC_BV_17_C_refuses_when_out_of_cids_le(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	ecfc_server(t, NULL, &r);
	uint16_t cids[5];
	for (int k = 0; k < 63; k += 5) {
		int n = 63 - k < 5 ? 63 - k : 5;
		ecfc_tester_open(t, &r, n, (uint16_t)(0x0040 + k), 100, 70, 1, cids);
	}
	assert_int_equal(r.opened, 63);
	struct tester_rec mine = {0};
	struct l2k_chan_cbs cb = tester_rec_cbs(&mine);
	l2k_chan *own;
	assert_int_equal(l2k_chan_connect_ecfc(t->iut, &t->tst_addr, L2K_ADDR_LE_PUBLIC, 0x0090, 1, NULL, &cb, &own), 0);
	assert_non_null(tester_expect_sig(t, 0x17, 2000)); /* left unanswered */
	struct ecfc_req rq = {.ident = 0x25, .spsm = ECFC_SPSM_LE, .mtu = 100, .mps = 70, .credits = 5, .n = 1,
			      .cid = {0x007F}};
	ecfc_want_refusal(t, &rq, 0x0004, 1);
	assert_int_equal(r.opened, 63);
}

/* L2CAP/ECFC/BV-53-C: the application can take two more channels: of a request for three the
 * third is refused "some refused - no resources" (0x0004, its DCID 0) while the two others
 * open with the IUT's parameters; a further request is refused whole, MTU/MPS/credits 0. */
static void test_ECFC_BV_53_C_refuses_channels_it_cannot_take_bredr(void **state)
{
	struct tester *t = *state;
	struct limited lm = {.limit = 2};
	struct l2k_chan_opts o;
	ecfc_opts(&o, ECFC_IUT_MTU, ECFC_IUT_MPS, ECFC_IUT_CREDITS);
	struct l2k_server_cbs sc = {.user = &lm, .accept = limited_accept};
	assert_int_equal(l2k_server_add(t->iut, ECFC_PSM_BR, false, &o, &sc, NULL), 0);
	struct ecfc_req rq = {.ident = 0x26, .spsm = ECFC_PSM_BR, .mtu = 100, .mps = 70, .credits = 5, .n = 3,
			      .cid = {0x0040, 0x0041, 0x0042}};
	ecfc_send_req(t, &rq);
	const struct tester_pdu *p = tester_expect_sig(t, 0x18, 2000);
	assert_non_null(p);
	assert_int_equal(p->len, 4 + 8 + 6);
	uint16_t dcid[3] = {t_get16(p->data + 12), t_get16(p->data + 14), 0};
	assert_true(dcid[0] >= 0x0040 && dcid[1] >= 0x0040 && dcid[0] != dcid[1]);
	ecfc_want_rsp(p, 0x26, ECFC_IUT_MTU, ECFC_IUT_MPS, ECFC_IUT_CREDITS, 0x0004, dcid, 3);
	assert_true(tester_wait_open(t, &lm.r, 2, 2000));
	assert_int_equal(lm.r.accept_calls, 3);
	rq.ident = 0x27;
	rq.cid[0] = 0x0043;
	rq.cid[1] = 0x0044;
	rq.n = 2;
	ecfc_want_refusal(t, &rq, 0x0004, 2);
	assert_int_equal(lm.r.opened, 2);
	assert_int_equal(lm.r.closed, 0);
}

/* L2CAP/ECFC/BV-20-C, BV-56-C: Source CIDs already in use (by an open channel, or twice in the
 * same request) are refused 0x000A and CIDs outside the dynamic range 0x0009, each with DCID 0,
 * while the other CIDs of the same request are accepted. */
static void refuses_reused_scid(struct tester *t)
{
	struct tester_rec r = {0};
	ecfc_server(t, NULL, &r);
	uint16_t first;
	ecfc_tester_open(t, &r, 1, 0x0040, 100, 70, 5, &first);
	struct ecfc_rsp rsp;
	struct ecfc_req rq = {.ident = 0x28, .spsm = ecfc_psm(t), .mtu = 100, .mps = 70, .credits = 5, .n = 2,
			      .cid = {0x0040, 0x0041}};
	ecfc_request(t, &rq, &rsp);
	assert_int_equal(rsp.result, 0x000A);
	assert_int_equal(rsp.n, 2);
	assert_int_equal(rsp.dcid[0], 0);
	assert_true(rsp.dcid[1] >= 0x0040 && rsp.dcid[1] != first);
	rq = (struct ecfc_req){.ident = 0x29, .spsm = ecfc_psm(t), .mtu = 100, .mps = 70, .credits = 5, .n = 2,
			       .cid = {0x0042, 0x0042}};
	ecfc_request(t, &rq, &rsp);
	assert_int_equal(rsp.result, 0x000A);
	assert_true(rsp.dcid[0] >= 0x0040);
	assert_int_equal(rsp.dcid[1], 0);
	rq = (struct ecfc_req){.ident = 0x2A, .spsm = ecfc_psm(t), .mtu = 100, .mps = 70, .credits = 5, .n = 2,
			       .cid = {0x0004, 0x0043}};
	ecfc_request(t, &rq, &rsp);
	assert_int_equal(rsp.result, 0x0009);
	assert_int_equal(rsp.dcid[0], 0);
	assert_true(rsp.dcid[1] >= 0x0040);
	if (t->le) { /* 0x0080 is past the LE dynamic range (valid on ACL-U) */
		rq = (struct ecfc_req){.ident = 0x2B, .spsm = ecfc_psm(t), .mtu = 100, .mps = 70, .credits = 5, .n = 1,
				       .cid = {0x0080}};
		ecfc_want_refusal(t, &rq, 0x0009, 1);
	}
	assert_true(tester_wait_open(t, &r, 4, 2000));
	assert_int_equal(r.opened, 4);
	assert_int_equal(r.accept_calls, 4);
}

static void test_ECFC_BV_20_C_refuses_reused_scid_le(void **state)
{
	refuses_reused_scid(*state);
}

static void test_ECFC_BV_56_C_refuses_reused_scid_bredr(void **state)
{
	refuses_reused_scid(*state);
}

/* L2CAP/ECFC/BV-26-C, BV-62-C: a request whose parameters are invalid is refused "invalid
 * parameters" (0x000C) with a zero DCID per whole Source CID present (at most five) and
 * MTU/MPS/credits 0; the server is not asked.  Invalid: the CID list (more than five Source
 * CIDs, none at all, or an odd octet), an MTU below 64, an MPS below 64 or above 65533 (4.25).
 * On LE six CIDs make a 24-octet C-frame, over the IUT's MTUsig of 23: Command Reject
 * "signaling MTU exceeded" (MTUsig 23) comes first (4.1). */
static void refuses_invalid_parameters(struct tester *t)
{
	struct tester_rec r = {0};
	ecfc_server(t, NULL, &r);
	struct ecfc_req rq = {.ident = 0x2C, .spsm = ecfc_psm(t), .mtu = 100, .mps = 70, .credits = 5, .n = 6,
			      .cid = {0x0040, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045}};
	if (t->le) {
		ecfc_send_req(t, &rq);
		const uint8_t rej[8] = {0x01, 0x2C, 0x04, 0x00, 0x01, 0x00, 23, 0x00};
		assert_true(tester_sig_is(tester_expect_sig(t, 0x01, 2000), rej, 8));
	} else {
		ecfc_want_refusal(t, &rq, 0x000C, 5);
	}
	rq.ident = 0x2D;
	rq.n = 0;
	ecfc_want_refusal(t, &rq, 0x000C, 0);
	uint8_t d[11] = {0, 0, 100, 0, 70, 0, 5, 0, 0x40, 0x00, 0x41}; /* one CID and an odd octet */
	t_put16(d, ecfc_psm(t));
	tester_send_sig(t, 0x17, 0x2E, d, sizeof(d));
	static const uint16_t zero[1];
	ecfc_want_rsp(tester_expect_sig(t, 0x18, 2000), 0x2E, 0, 0, 0, 0x000C, zero, 1);
	static const struct {
		uint16_t mtu, mps;
	} bad[] = {{63, 64}, {64, 63}, {100, 65534}, {100, 65535}, {0, 0}};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ecfc_req b = {.ident = (uint8_t)(0x30 + i), .spsm = ecfc_psm(t), .mtu = bad[i].mtu,
				     .mps = bad[i].mps, .credits = 5, .n = 2, .cid = {0x0040, 0x0041}};
		ecfc_want_refusal(t, &b, 0x000C, 2);
	}
	/* invalid values come before the SPSM: an unserved SPSM with them is still 0x000C */
	struct ecfc_req u = {.ident = 0x38, .spsm = (uint16_t)(ecfc_psm(t) + 2), .mtu = 63, .mps = 64, .credits = 5,
			     .n = 1, .cid = {0x0040}};
	ecfc_want_refusal(t, &u, 0x000C, 1);
	assert_int_equal(r.accept_calls, 0);
	assert_true(tester_quiet(t, 500));
	/* the smallest valid values are accepted */
	uint16_t cids[2];
	ecfc_tester_open(t, &r, 2, 0x0040, 64, 64, 0, cids);
	assert_int_equal(r.accept_calls, 2);
}

static void test_ECFC_BV_26_C_refuses_invalid_parameters_le(void **state)
{
	refuses_invalid_parameters(*state);
}

static void test_ECFC_BV_62_C_refuses_invalid_parameters_bredr(void **state)
{
	refuses_invalid_parameters(*state);
}

/* A service that needs an MTU of at least 200 from its peer. */
static int needs_mtu_200(void *u, const struct l2k_conn_request *req, struct l2k_chan_opts *o,
			 struct l2k_chan_cbs *cb)
{
	struct tester_rec *r = u;
	(void)o;
	(void)cb;
	r->accept_calls++;
	r->last_req = *req;
	return req->peer_mtu < 200 ? L2K_RESULT_UNACCEPTABLE_PARAMS : 0;
}

/* L2CAP/ECFC/BV-27-C, BV-63-C: valid parameters that the IUT's service cannot use are refused
 * "unacceptable parameters" (0x000B) for the whole request, with zero DCIDs and MTU/MPS/credits
 * 0.  (The engine takes every value the request's fields allow: MTU >= 64, MPS 64-65533; the
 * service judges them - here one that needs an MTU of 200 - and its 0x000B refuses every
 * channel of the request.) */
static void refuses_unacceptable_parameters(struct tester *t)
{
	struct tester_rec r = {0};
	struct l2k_chan_opts o;
	ecfc_opts(&o, ECFC_IUT_MTU, ECFC_IUT_MPS, ECFC_IUT_CREDITS);
	struct l2k_server_cbs cbs = {.user = &r, .accept = needs_mtu_200};
	l2k_server *sv;
	assert_int_equal(l2k_server_add(t->iut, ecfc_psm(t), t->le, &o, &cbs, &sv), 0);
	struct ecfc_req rq = {.ident = 0x30, .spsm = ecfc_psm(t), .mtu = 64, .mps = 64, .credits = 5, .n = 2,
			      .cid = {0x0040, 0x0041}};
	ecfc_want_refusal(t, &rq, 0x000B, 2);
	assert_int_equal(r.accept_calls, 1); /* the first channel's answer refused them all */
	assert_int_equal(r.last_req.peer_mtu, 64);
	assert_true(tester_quiet(t, 500));
}

static void test_ECFC_BV_27_C_refuses_unacceptable_parameters_le(void **state)
{
	refuses_unacceptable_parameters(*state);
}

static void test_ECFC_BV_63_C_refuses_unacceptable_parameters_bredr(void **state)
{
	refuses_unacceptable_parameters(*state);
}

/* L2CAP/ECFC/BV-09-C, BV-66-C: the IUT answers the tester's Disconnection Request for one
 * channel of a group with the same CIDs and releases only that one; the CID is free again. */
static void answers_disconnection(struct tester *t)
{
	struct tester_rec r = {0};
	ecfc_server(t, NULL, &r);
	uint16_t icid[2];
	ecfc_tester_open(t, &r, 2, 0x0040, 100, 70, 5, icid);
	uint8_t d[4];
	t_put16(d, icid[1]);
	t_put16(d + 2, 0x0041);
	tester_send_sig(t, 0x06, 0x35, d, 4);
	const struct tester_pdu *p = tester_expect_sig(t, 0x07, 2000);
	const uint8_t want[8] = {0x07, 0x35, 0x04, 0x00, d[0], d[1], d[2], d[3]};
	assert_true(tester_sig_is(p, want, 8));
	assert_int_equal(r.closed, 1);
	assert_int_equal(r.reason, L2K_CLOSE_REMOTE);
	assert_int_equal(tester_send_kframe(t, icid[0], 1, (const uint8_t *)"x", 1), 0);
	assert_true(tester_wait_sdus(t, &r, 1, 2000));
	uint16_t again;
	ecfc_tester_open(t, &r, 1, 0x0041, 100, 70, 5, &again);
	assert_int_equal(r.opened, 3);
}

static void test_ECFC_BV_09_C_iut_answers_disconnection_le(void **state)
{
	answers_disconnection(*state);
}

static void test_ECFC_BV_66_C_iut_answers_disconnection_bredr(void **state)
{
	answers_disconnection(*state);
}

/* L2CAP/ECFC/BV-30-C, BV-73-C: a Disconnection Request naming a DCID the IUT does not have (or
 * the right DCID with the wrong SCID) is answered Command Reject "invalid CID in request" with
 * both CIDs; the open channels stay. */
static void disconnection_unknown_dcid(struct tester *t)
{
	struct tester_rec r = {0};
	ecfc_server(t, NULL, &r);
	uint16_t icid[2];
	ecfc_tester_open(t, &r, 2, 0x0040, 100, 70, 5, icid);
	uint8_t d[4] = {0x7E, 0x00, 0x40, 0x00};
	tester_send_sig(t, 0x06, 0x36, d, 4);
	const uint8_t want[10] = {0x01, 0x36, 0x06, 0x00, 0x02, 0x00, 0x7E, 0x00, 0x40, 0x00};
	assert_true(tester_sig_is(tester_expect_sig(t, 0x01, 2000), want, 10));
	t_put16(d, icid[0]);
	t_put16(d + 2, 0x0041); /* the other channel's SCID */
	tester_send_sig(t, 0x06, 0x37, d, 4);
	uint8_t want2[10] = {0x01, 0x37, 0x06, 0x00, 0x02, 0x00, d[0], d[1], d[2], d[3]};
	assert_true(tester_sig_is(tester_expect_sig(t, 0x01, 2000), want2, 10));
	assert_int_equal(r.closed, 0);
	assert_true(tester_quiet(t, 500));
}

static void test_ECFC_BV_30_C_disconnection_for_unknown_dcid_le(void **state)
{
	disconnection_unknown_dcid(*state);
}

static void test_ECFC_BV_73_C_disconnection_for_unknown_dcid_bredr(void **state)
{
	disconnection_unknown_dcid(*state);
}

/* The next PDU on (link kind, cid) must be exactly [sdu_len] + data. */
static void expect_kframe_on(struct tester *t, bool le, uint16_t cid, const char *s)
{
	size_t n = strlen(s);
	const struct tester_pdu *p = tester_next_on(t, cid, 3000);
	assert_non_null(p);
	assert_int_equal(p->handle, t->tst_handles[le]);
	uint8_t w[64];
	t_put16(w, (uint16_t)n);
	memcpy(w + 2, s, n);
	assert_true(tester_sig_is(p, w, n + 2));
}

/* L2CAP/LE/CID/BV-03-C: the IUT opens ECFC channels on the ACL-U and on the LE-U link and the
 * tester returns the same DCID (0x0040) on both: both open, each carries its data to its own
 * link. */
static void test_LE_CID_BV_03_C_same_ecfc_dcid_on_both_transports(void **state)
{
	struct tester *t = *state;
	struct tester_rec rb = {0}, rl = {0};
	l2k_chan *cb, *cl;
	uint16_t icb, icl;
	assert_int_equal(tester_use_link(t, false), 0);
	ecfc_iut_open(t, 1, NULL, &rb, &cb, &icb, 0x0040, 100, 64, 5);
	assert_int_equal(tester_use_link(t, true), 0);
	ecfc_iut_open(t, 1, NULL, &rl, &cl, &icl, 0x0040, 100, 64, 5);
	struct l2k_chan_info ib, il;
	l2k_chan_get_info(cb, &ib);
	l2k_chan_get_info(cl, &il);
	assert_int_equal(ib.remote_cid, 0x0040);
	assert_int_equal(il.remote_cid, 0x0040);
	assert_int_equal(ib.link_type, L2K_ADDR_BREDR);
	assert_int_equal(il.link_type, L2K_ADDR_LE_PUBLIC);
	assert_int_equal(l2k_chan_send(cb, (const uint8_t *)"bredr", 5), 0);
	expect_kframe_on(t, false, 0x0040, "bredr");
	assert_int_equal(l2k_chan_send(cl, (const uint8_t *)"le", 2), 0);
	expect_kframe_on(t, true, 0x0040, "le");
}

/* L2CAP/LE/CID/BV-04-C: the tester opens ECFC channels from the same Source CID (0x0040) on the
 * ACL-U and the LE-U link: the IUT accepts both, and each gets the data of its own link. */
static void test_LE_CID_BV_04_C_same_ecfc_scid_on_both_transports(void **state)
{
	struct tester *t = *state;
	struct tester_rec rb = {0}, rl = {0};
	uint16_t icb, icl;
	assert_int_equal(tester_use_link(t, false), 0);
	ecfc_server(t, NULL, &rb);
	ecfc_tester_open(t, &rb, 1, 0x0040, 100, 70, 5, &icb);
	assert_int_equal(tester_use_link(t, true), 0);
	ecfc_server(t, NULL, &rl);
	ecfc_tester_open(t, &rl, 1, 0x0040, 100, 70, 5, &icl);
	assert_int_equal(tester_send_kframe(t, icl, 2, (const uint8_t *)"le", 2), 0);
	assert_int_equal(tester_use_link(t, false), 0);
	assert_int_equal(tester_send_kframe(t, icb, 5, (const uint8_t *)"bredr", 5), 0);
	assert_true(tester_wait_sdus(t, &rb, 1, 2000));
	assert_true(tester_wait_sdus(t, &rl, 1, 2000));
	assert_memory_equal(rb.data, "bredr", 5);
	assert_memory_equal(rl.data, "le", 2);
	assert_int_equal(rb.sdus + rl.sdus, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_03_C_iut_accepts_channels_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_47_C_iut_accepts_channels_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_refuses_unserved_spsm_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_refuses_unserved_psm_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_13_C_refuses_unauthorized_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_17_C_refuses_when_out_of_cids_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_53_C_refuses_channels_it_cannot_take_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_20_C_refuses_reused_scid_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_56_C_refuses_reused_scid_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_26_C_refuses_invalid_parameters_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_62_C_refuses_invalid_parameters_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_27_C_refuses_unacceptable_parameters_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_63_C_refuses_unacceptable_parameters_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_09_C_iut_answers_disconnection_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_66_C_iut_answers_disconnection_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_30_C_disconnection_for_unknown_dcid_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_73_C_disconnection_for_unknown_dcid_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CID_BV_03_C_same_ecfc_dcid_on_both_transports, setup_dual, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CID_BV_04_C_same_ecfc_scid_on_both_transports, setup_dual, ecfc_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
