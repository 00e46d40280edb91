/* Conformance: configuration of Basic-mode channels (Vol 3 Part A 4.4, 4.5, 5 and 7.1) beyond
 * L2CAP.TS's COS/CFD cases (which, with the group's not-applicable IDs, are l2tester's:
 * tools/l2tester/cases_bredr.c, run in-process by test_l2tester_cases): a peer that never stops
 * configuring.  Malformed option lists are in test_ts_malformed.c.
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
	    cmocka_unit_test_setup_teardown(test_endless_configuration_requests_bounded, tester_fixture_bredr, tester_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
