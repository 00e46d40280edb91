/* Conformance: LE credit based data path violations beyond L2CAP.TS's cases (which are
 * l2tester's now, tools/l2tester/cases_le.c, run in-process by test_l2tester_cases): a first
 * K-frame with more payload than its SDU length, a K-frame without a credit, a K-frame shorter
 * than its SDU length field.  Each checks the Disconnection Request the IUT sends, byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/common/tester.h"

#define SPSM 0x0080
#define TCID 0x0040

/* The tester opens a channel to the IUT's server with IUT options (mtu, mps, credits; 0 =
 * default) and its own MTU/MPS/credits; returns the IUT's CID. */
static uint16_t le_open(struct tester *t, struct tester_rec *r, uint16_t mtu, uint16_t mps, uint16_t cr,
			uint16_t tmtu, uint16_t tmps, uint16_t tcr)
{
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mode = L2K_MODE_LE_CREDIT;
	o.mtu = mtu;
	o.mps = mps;
	o.credits = cr;
	assert_int_equal(tester_server(t, SPSM, true, &o, r), 0);
	struct tester_le_conn rq = {.spsm = SPSM, .cid = TCID, .mtu = tmtu, .mps = tmps, .credits = tcr}, rsp;
	assert_int_equal(tester_le_connect(t, 0, &rq, &rsp), 0);
	assert_int_equal(rsp.result, 0);
	assert_int_equal(r->opened, 1);
	return rsp.cid;
}

/* The IUT must send exactly this Disconnection Request for the channel (DCID = the tester's
 * CID, SCID = its own); the tester confirms and the application hears "protocol". */
static void expect_disconnect(struct tester *t, struct tester_rec *r, uint16_t icid)
{
	const struct tester_pdu *p = tester_expect_sig(t, 0x06, 2000);
	assert_non_null(p);
	uint8_t want[8] = {0x06, p->data[1], 0x04, 0x00, 0x40, 0x00, 0, 0};
	t_put16(want + 6, icid);
	assert_true(tester_sig_is(p, want, 8));
	uint8_t d[4] = {0x40, 0x00, 0, 0};
	t_put16(d + 2, icid);
	tester_send_sig(t, 0x07, p->data[1], d, 4);
	assert_true(tester_wait_closed(t, r, 1, 2000));
	assert_int_equal(r->reason, L2K_CLOSE_PROTOCOL);
}

/* A first K-frame carrying more payload than its own SDU length (SDU 10, 20 octets) is a
 * violation as well (3.4.3): disconnect. */
static void test_kframe_sdu_length_below_payload_disconnects(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	uint16_t icid = le_open(t, &r, 100, 50, 10, 100, 50, 10);
	uint8_t b[20] = {0};
	tester_send_kframe(t, icid, 10, b, 20);
	expect_disconnect(t, &r, icid);
	assert_int_equal(r.sdus, 0);
}

/* A K-frame sent without a credit (the IUT granted 1, application-managed credits) and a
 * first K-frame too short for its SDU length field are violations: disconnect. */
static void test_kframe_without_credit_disconnects(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mode = L2K_MODE_LE_CREDIT;
	o.credits = 1;
	o.manual_credits = true;
	r.opts = o;
	r.opts_set = true;
	assert_int_equal(tester_server(t, SPSM, true, &o, &r), 0);
	struct tester_le_conn rq = {.spsm = SPSM, .cid = TCID, .mtu = 100, .mps = 50, .credits = 10}, rsp;
	assert_int_equal(tester_le_connect(t, 0, &rq, &rsp), 0);
	assert_int_equal(rsp.credits, 1);
	tester_send_kframe(t, rsp.cid, 2, (const uint8_t *)"ab", 2);
	assert_true(tester_wait_sdus(t, &r, 1, 2000));
	assert_true(tester_quiet(t, 500)); /* no credit comes back by itself */
	tester_send_kframe(t, rsp.cid, 2, (const uint8_t *)"cd", 2);
	expect_disconnect(t, &r, rsp.cid);
	assert_int_equal(r.sdus, 1);
}

static void test_kframe_shorter_than_sdu_length_field_disconnects(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	uint16_t icid = le_open(t, &r, 100, 50, 10, 100, 50, 10);
	const uint8_t one[1] = {0x05};
	tester_send(t, icid, one, 1);
	expect_disconnect(t, &r, icid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_kframe_sdu_length_below_payload_disconnects, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_kframe_without_credit_disconnects, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_kframe_shorter_than_sdu_length_field_disconnects, tester_fixture_le, tester_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
