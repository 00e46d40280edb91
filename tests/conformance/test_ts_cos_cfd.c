/* Conformance: L2CAP.TS group COS/CFD (configuration of Basic-mode channels, Vol 3 Part A 4.4,
 * 4.5, 5 and 7.1).  Each test plays the tester and checks the bytes of every Configuration
 * Request / Response l2kit sends.  Malformed option lists are in test_ts_malformed.c.
 *
 * Not covered by this group's file (ID -- reason):
 *   L2CAP/COS/CFD/BV-10-C -- n/a: legacy Retransmission mode (the ERTM/legacy-mode helper's suites)
 *   L2CAP/COS/CFD/BV-13-C -- n/a: legacy Flow Control mode (the ERTM/legacy-mode helper's suites)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/common/tester.h"

#define PSM 0x1001
#define TCID 0x0050

/* Connect to the IUT's server (opts may be NULL) and take the IUT's Configuration Request
 * without answering it: returns the IUT's CID, *cfg_id its identifier. */
static uint16_t connect_only(struct tester *t, struct tester_rec *r, const struct l2k_chan_opts *o,
			     uint8_t *cfg_id)
{
	assert_int_equal(tester_server(t, PSM, false, o, r), 0);
	uint8_t rq[4];
	t_put16(rq, PSM);
	t_put16(rq + 2, TCID);
	tester_send_sig(t, 0x02, tester_ident(t), rq, 4);
	const struct tester_pdu *p = tester_expect_sig(t, 0x03, 1000);
	assert_non_null(p);
	assert_int_equal(t_get16(p->data + 8), 0);
	uint16_t icid = t_get16(p->data + 4);
	p = tester_expect_sig(t, 0x04, 1000);
	assert_non_null(p);
	assert_int_equal(t_get16(p->data + 4), TCID);
	*cfg_id = p->data[1];
	return icid;
}

/* Send a Configuration Request (flags, options) to the IUT's CID; return the response PDU. */
static const struct tester_pdu *conf_req(struct tester *t, uint16_t icid, uint8_t id, uint16_t flags,
					 const uint8_t *opts, size_t olen)
{
	uint8_t b[4 + 64];
	assert_true(olen <= 64);
	t_put16(b, icid);
	t_put16(b + 2, flags);
	if (olen)
		memcpy(b + 4, opts, olen);
	tester_send_sig(t, 0x04, id, b, 4 + olen);
	return tester_expect_sig(t, 0x05, 1000);
}

/* Answer the IUT's Configuration Request with success. */
static void conf_ok(struct tester *t, uint16_t icid, uint8_t id)
{
	uint8_t b[6] = {0, 0, 0, 0, 0, 0};
	t_put16(b, icid);
	tester_send_sig(t, 0x05, id, b, 6);
	tester_run(t, 10);
}

/* A Configuration Response the IUT must send: header, SCID = TCID, flags, result, options. */
static void want_rsp(const struct tester_pdu *p, uint8_t id, uint16_t flags, uint16_t result,
		     const uint8_t *opts, size_t olen)
{
	uint8_t w[10 + 32];
	w[0] = 0x05;
	w[1] = id;
	t_put16(w + 2, (uint16_t)(6 + olen));
	t_put16(w + 4, TCID);
	t_put16(w + 6, flags);
	t_put16(w + 8, result);
	if (olen)
		memcpy(w + 10, opts, olen);
	assert_true(tester_sig_is(p, w, 10 + olen));
}

/* L2CAP/COS/CFD/BV-01-C: a configuration split over two requests with the continuation flag:
 * the first part is acknowledged with C=1 and no options, the whole is applied at the end. */
static void test_COS_CFD_BV_01_C_continuation_flag(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	uint8_t cfg_id;
	uint16_t icid = connect_only(t, &r, NULL, &cfg_id);
	const uint8_t mtu200[4] = {0x01, 0x02, 0xC8, 0x00};
	const struct tester_pdu *p = conf_req(t, icid, 0x41, 0x0001, mtu200, 4);
	want_rsp(p, 0x41, 0x0001, 0x0000, NULL, 0);
	const uint8_t flush[4] = {0x02, 0x02, 0xFF, 0xFF};
	p = conf_req(t, icid, 0x42, 0x0000, flush, 4);
	assert_non_null(p);
	assert_int_equal(t_get16(p->data + 4), TCID);
	assert_int_equal(t_get16(p->data + 6), 0x0000); /* complete */
	assert_int_equal(t_get16(p->data + 8), 0x0000); /* success */
	conf_ok(t, icid, cfg_id);
	assert_int_equal(r.opened, 1);
	/* the MTU from the first part is in force */
	static uint8_t sdu[201];
	assert_int_equal(l2k_chan_send(r.ch, sdu, 200), 0);
	assert_int_equal(l2k_chan_send(r.ch, sdu, 201), L2K_EMSGSIZE);
}

/* L2CAP/COS/CFD/BV-02-C: the tester answers the IUT's request Unacceptable with another MTU:
 * the IUT proposes again with that value, and opens once it is accepted. */
static void test_COS_CFD_BV_02_C_reproposes_after_unacceptable(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	uint8_t cfg_id;
	uint16_t icid = connect_only(t, &r, NULL, &cfg_id);
	uint8_t rsp[10] = {0, 0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x02, 0x2C, 0x01}; /* Unacceptable, MTU 300 */
	t_put16(rsp, icid);
	tester_send_sig(t, 0x05, cfg_id, rsp, 10);
	const struct tester_pdu *p = tester_expect_sig(t, 0x04, 1000);
	assert_non_null(p);
	uint8_t want[12] = {0x04, p->data[1], 0x08, 0x00, 0, 0, 0x00, 0x00, 0x01, 0x02, 0x2C, 0x01};
	t_put16(want + 4, TCID);
	assert_true(tester_sig_is(p, want, 12));
	assert_int_not_equal(p->data[1], cfg_id); /* a new request, new identifier */
	uint8_t id2 = p->data[1];
	p = conf_req(t, icid, 0x43, 0, NULL, 0);
	want_rsp(p, 0x43, 0, 0, NULL, 0);
	assert_int_equal(r.opened, 0);
	conf_ok(t, icid, id2);
	assert_int_equal(r.opened, 1);
	struct l2k_chan_info ci;
	l2k_chan_get_info(r.ch, &ci);
	assert_int_equal(ci.local_mtu, 300);
}

/* L2CAP/COS/CFD/BV-03-C: an option-less request is answered success without options (the
 * default MTU 672 applies) and the IUT's own request carries the MTU it needs. */
static void test_COS_CFD_BV_03_C_optionless_request(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mtu = 512;
	assert_int_equal(tester_server(t, PSM, false, &o, &r), 0);
	uint8_t rq[4];
	t_put16(rq, PSM);
	t_put16(rq + 2, TCID);
	tester_send_sig(t, 0x02, 0x44, rq, 4);
	const struct tester_pdu *p = tester_expect_sig(t, 0x03, 1000);
	assert_non_null(p);
	uint16_t icid = t_get16(p->data + 4);
	p = tester_expect_sig(t, 0x04, 1000);
	assert_non_null(p);
	uint8_t want[12] = {0x04, p->data[1], 0x08, 0x00, 0, 0, 0x00, 0x00, 0x01, 0x02, 0x00, 0x02};
	t_put16(want + 4, TCID);
	assert_true(tester_sig_is(p, want, 12));
	uint8_t cfg_id = p->data[1];
	p = conf_req(t, icid, 0x45, 0, NULL, 0);
	want_rsp(p, 0x45, 0, 0, NULL, 0);
	conf_ok(t, icid, cfg_id);
	assert_int_equal(r.opened, 1);
	struct l2k_chan_info ci;
	l2k_chan_get_info(r.ch, &ci);
	assert_int_equal(ci.remote_mtu, 672);
	assert_int_equal(ci.local_mtu, 512);
}

/* L2CAP/COS/CFD/BV-08-C: the IUT (initiator) answers the tester's Configuration Request at
 * once, while its own request is still unanswered. */
static void test_COS_CFD_BV_08_C_answers_before_own_request_completes(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	struct l2k_chan_cbs cb = tester_rec_cbs(&r);
	assert_int_equal(l2k_chan_connect(t->iut, &t->tst_addr, L2K_ADDR_BREDR, PSM, NULL, &cb, NULL), 0);
	assert_int_equal(tester_answer_info(t, 0, 0), 0);
	const struct tester_pdu *p = tester_expect_sig(t, 0x02, 1000);
	assert_non_null(p);
	uint16_t icid = t_get16(p->data + 6);
	uint8_t rsp[8] = {0, 0, 0, 0, 0, 0, 0, 0};
	t_put16(rsp, TCID);
	t_put16(rsp + 2, icid);
	tester_send_sig(t, 0x03, p->data[1], rsp, 8);
	p = tester_expect_sig(t, 0x04, 1000);
	assert_non_null(p);
	uint8_t cfg_id = p->data[1];
	const uint8_t mtu100[4] = {0x01, 0x02, 0x64, 0x00};
	p = conf_req(t, icid, 0x46, 0, mtu100, 4);
	want_rsp(p, 0x46, 0, 0, mtu100, 4);
	assert_int_equal(r.opened, 0);
	conf_ok(t, icid, cfg_id);
	assert_int_equal(r.opened, 1);
}

/* L2CAP/COS/CFD/BV-09-C: the IUT works with the minimum MTU of 48 in both directions. */
static void test_COS_CFD_BV_09_C_minimum_mtu_48(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mtu = 48;
	const uint8_t mtu48[4] = {0x01, 0x02, 0x30, 0x00};
	l2k_chan *ch = NULL;
	uint16_t icid;
	assert_int_equal(tester_iut_open_bredr(t, PSM, &o, &r, TCID, mtu48, 4, &ch, &icid), 0);
	uint8_t b[49];
	memset(b, 0x48, sizeof(b));
	assert_int_equal(l2k_chan_send(ch, b, 48), 0);
	const struct tester_pdu *p = tester_next_on(t, TCID, 1000);
	assert_non_null(p);
	assert_int_equal(p->len, 48);
	assert_int_equal(l2k_chan_send(ch, b, 49), L2K_EMSGSIZE);
	tester_send(t, icid, b, 48);
	tester_run(t, 20);
	assert_int_equal(r.sdus, 1);
	assert_int_equal(r.len, 48);
}

/* L2CAP/COS/CFD/BV-11-C: values l2kit cannot take are answered Unacceptable with a usable
 * value: an MTU under 48 (answer 48) and a Guaranteed QoS (answer Best Effort). */
static void test_COS_CFD_BV_11_C_unacceptable_with_usable_values(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	uint8_t cfg_id;
	uint16_t icid = connect_only(t, &r, NULL, &cfg_id);
	const uint8_t mtu40[4] = {0x01, 0x02, 0x28, 0x00};
	const uint8_t mtu48[4] = {0x01, 0x02, 0x30, 0x00};
	const struct tester_pdu *p = conf_req(t, icid, 0x47, 0, mtu40, 4);
	want_rsp(p, 0x47, 0, 0x0001, mtu48, 4);
	uint8_t qos[24] = {0x03, 22, 0x00, 0x02}; /* flags 0, Guaranteed */
	memset(qos + 4, 0x11, 20);
	p = conf_req(t, icid, 0x48, 0, qos, sizeof(qos));
	uint8_t qos_be[24];
	memcpy(qos_be, qos, 24);
	qos_be[3] = 0x01; /* the same flow spec as Best Effort */
	want_rsp(p, 0x48, 0, 0x0001, qos_be, 24);
	conf_ok(t, icid, cfg_id);
	assert_int_equal(r.opened, 0); /* our side of the configuration is not done */
	p = conf_req(t, icid, 0x49, 0, mtu48, 4);
	want_rsp(p, 0x49, 0, 0, mtu48, 4);
	tester_run(t, 10);
	assert_int_equal(r.opened, 1);
}

/* L2CAP/COS/CFD/BV-12-C: unknown options flagged as hints are skipped: success, and the
 * response does not name them. */
static void test_COS_CFD_BV_12_C_unknown_hints_skipped(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	uint8_t cfg_id;
	uint16_t icid = connect_only(t, &r, NULL, &cfg_id);
	const uint8_t opts[13] = {0x90, 0x03, 1, 2, 3, 0x01, 0x02, 0x64, 0x00, 0xFF, 0x02, 0xAA, 0xBB};
	const uint8_t mtu100[4] = {0x01, 0x02, 0x64, 0x00};
	const struct tester_pdu *p = conf_req(t, icid, 0x4A, 0, opts, sizeof(opts));
	want_rsp(p, 0x4A, 0, 0, mtu100, 4);
	conf_ok(t, icid, cfg_id);
	assert_int_equal(r.opened, 1);
}

/* L2CAP/COS/CFD/BV-14-C: unknown non-hint options: result Unknown Options listing their types
 * (hints excluded, 4.5); a request without them then succeeds. */
static void test_COS_CFD_BV_14_C_unknown_options_listed(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	uint8_t cfg_id;
	uint16_t icid = connect_only(t, &r, NULL, &cfg_id);
	const uint8_t opts[12] = {0x10, 0x02, 1, 2, 0x01, 0x02, 0x64, 0x00, 0x90, 0x00, 0x11, 0x00};
	const uint8_t types[2] = {0x10, 0x11};
	const struct tester_pdu *p = conf_req(t, icid, 0x4B, 0, opts, sizeof(opts));
	want_rsp(p, 0x4B, 0, 0x0003, types, 2);
	conf_ok(t, icid, cfg_id);
	assert_int_equal(r.opened, 0);
	p = conf_req(t, icid, 0x4C, 0, opts + 4, 4);
	want_rsp(p, 0x4C, 0, 0, opts + 4, 4);
	tester_run(t, 10);
	assert_int_equal(r.opened, 1);
}

/* A peer that never stops configuring (no TS ID: the published Linux counter-wrap bug, where
 * hundreds of identical Configuration Requests kept being accepted): on an open channel the
 * peer's requests - reconfigurations - are answered up to L2CAP_CONF_MAX_PEER_REQS (16, the
 * first one that opened the channel included); the next is answered "Failure - rejected"
 * (0x0002, no options) and the IUT disconnects the channel, whose application sees
 * L2K_CLOSE_CONFIG_FAILED.  300 are sent: nothing after the refusal is answered but the
 * Disconnection exchange. */
static void test_endless_configuration_requests_bounded(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	uint8_t cfg_id;
	uint16_t icid = connect_only(t, &r, NULL, &cfg_id);
	const uint8_t mtu672[4] = {0x01, 0x02, 0xA0, 0x02};
	const struct tester_pdu *p = conf_req(t, icid, 0x01, 0x0000, mtu672, 4);
	want_rsp(p, 0x01, 0x0000, 0x0000, mtu672, 4);
	conf_ok(t, icid, cfg_id);
	assert_int_equal(r.opened, 1);
	int accepted = 1, rejected_at = 0;
	for (int i = 2; i <= 300 && !rejected_at; i++) {
		p = conf_req(t, icid, (uint8_t)(i % 250 + 2), 0x0000, mtu672, 4);
		assert_non_null(p);
		if (t_get16(p->data + 8) == 0x0000) {
			want_rsp(p, (uint8_t)(i % 250 + 2), 0x0000, 0x0000, mtu672, 4);
			accepted++;
		} else {
			want_rsp(p, (uint8_t)(i % 250 + 2), 0x0000, 0x0002, NULL, 0);
			rejected_at = i;
		}
	}
	assert_int_equal(accepted, 16);
	assert_int_equal(rejected_at, 17);
	p = tester_expect_sig(t, 0x06, 1000); /* the IUT disconnects the channel */
	assert_non_null(p);
	uint8_t want[8] = {0x06, p->data[1], 0x04, 0x00, 0, 0, 0, 0};
	t_put16(want + 4, TCID);
	t_put16(want + 6, icid);
	assert_true(tester_sig_is(p, want, 8));
	uint8_t rsp[4];
	memcpy(rsp, p->data + 4, 4);
	tester_send_sig(t, 0x07, p->data[1], rsp, 4);
	tester_run(t, 20);
	assert_int_equal(r.closed, 1);
	assert_int_equal(r.reason, L2K_CLOSE_CONFIG_FAILED);
	/* the channel is gone: a further request names an unknown CID (Command Reject 0x0002) */
	uint8_t b[8];
	t_put16(b, icid);
	t_put16(b + 2, 0);
	memcpy(b + 4, mtu672, 4);
	tester_send_sig(t, 0x04, 0xF0, b, 8);
	p = tester_expect_sig(t, 0x01, 1000);
	assert_non_null(p);
	assert_int_equal(t_get16(p->data + 4), 0x0002);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_COS_CFD_BV_01_C_continuation_flag, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CFD_BV_02_C_reproposes_after_unacceptable, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CFD_BV_03_C_optionless_request, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CFD_BV_08_C_answers_before_own_request_completes, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CFD_BV_09_C_minimum_mtu_48, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CFD_BV_11_C_unacceptable_with_usable_values, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CFD_BV_12_C_unknown_hints_skipped, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CFD_BV_14_C_unknown_options_listed, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_endless_configuration_requests_bounded, tester_fixture_bredr, tester_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
