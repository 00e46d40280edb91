/* Enhanced Credit Based Flow Control: Credit Based Reconfigure (Vol 3 Part A 4.27-4.28) input
 * without a TS ID (the ECFC reconfiguration IDs are l2tester's cases, tools/l2tester/cases_ecfc.c):
 * a request shorter than its fixed fields, and the IUT's own request refused, rejected or left
 * unanswered.  See test_ts_ecfc.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/conformance/test_ts_ecfc.h"

/* The IUT's Reconfigure Request must be exactly MTU, MPS and its CIDs; returns its identifier. */
static uint8_t want_iut_reconf(struct tester *t, uint16_t mtu, uint16_t mps, const uint16_t *icid, int n)
{
	const struct tester_pdu *p = ecfc_expect_sig(t, 0x19, 2000);
	assert_non_null(p);
	uint8_t w[4 + 4 + 10] = {0x19, p->data[1]};
	t_put16(w + 2, (uint16_t)(4 + 2 * n));
	t_put16(w + 4, mtu);
	t_put16(w + 6, mps);
	for (int i = 0; i < n; i++)
		t_put16(w + 8 + 2 * i, icid[i]);
	assert_true(tester_sig_is(p, w, 8 + 2 * (size_t)n));
	return p->data[1];
}

static void answer_reconf(struct tester *t, uint8_t id, uint16_t result)
{
	uint8_t d[2];
	t_put16(d, result);
	tester_send_sig(t, 0x1A, id, d, 2);
	tester_run(t, 100);
}

/* A Reconfigure Request shorter than its fixed fields (MTU, MPS) is not understood: Command
 * Reject 0x0000 with its identifier, nothing else. */
static void short_reconf(struct tester *t)
{
	struct tester_rec r = {0};
	l2k_chan *ch[1];
	uint16_t icid[1];
	ecfc_iut_open(t, 1, NULL, &r, ch, icid, 0x0040, 100, 80, 10);
	const uint8_t d[3] = {200, 0, 80};
	for (uint8_t n = 0; n < 4; n++) {
		tester_send_sig(t, 0x19, (uint8_t)(0x51 + n), d, n);
		const uint8_t want[6] = {0x01, (uint8_t)(0x51 + n), 0x02, 0x00, 0x00, 0x00};
		assert_true(tester_sig_is(ecfc_expect_sig(t, 0x01, 2000), want, 6));
	}
	assert_true(tester_quiet(t, 500));
	struct l2k_chan_info ci;
	l2k_chan_get_info(ch[0], &ci);
	assert_int_equal(ci.remote_mtu, 100);
}

static void test_ecfc_reconf_shorter_than_fixed_fields_rejected_le(void **state)
{
	short_reconf(*state);
}

static void test_ecfc_reconf_shorter_than_fixed_fields_rejected_bredr(void **state)
{
	short_reconf(*state);
}

/* The IUT's reconfiguration refused (0x0001), rejected (Command Reject) or unanswered: the first
 * two leave the channels working (the result lands in info.result: 0x0001, 0xFFFF); an
 * unanswered request makes the IUT disconnect the channels when RTX (10 s) expires. */
static void iut_reconf_refused_or_unanswered(struct tester *t)
{
	struct tester_rec r = {0};
	l2k_chan *ch[2];
	uint16_t icid[2];
	ecfc_iut_open(t, 2, NULL, &r, ch, icid, 0x0040, 100, 80, 10);
	assert_int_equal(l2k_chan_reconfigure(ch, 2, 300, ECFC_IUT_MPS), 0);
	answer_reconf(t, want_iut_reconf(t, 300, ECFC_IUT_MPS, icid, 2), 0x0001);
	struct l2k_chan_info ci;
	l2k_chan_get_info(ch[1], &ci);
	assert_int_equal(ci.result, 0x0001);
	assert_int_equal(l2k_chan_reconfigure(ch, 1, 400, ECFC_IUT_MPS), 0);
	uint8_t id = want_iut_reconf(t, 400, ECFC_IUT_MPS, icid, 1);
	const uint8_t rej[2] = {0x00, 0x00};
	tester_send_sig(t, 0x01, id, rej, 2);
	tester_run(t, 100);
	l2k_chan_get_info(ch[0], &ci);
	assert_int_equal(ci.result, 0xFFFF);
	assert_int_equal(l2k_chan_send(ch[0], (const uint8_t *)"on", 2), 0);
	ecfc_expect_kframe(t, 0x0040, 2, (const uint8_t *)"on", 2);
	assert_int_equal(l2k_chan_reconfigure(ch, 2, 500, ECFC_IUT_MPS), 0);
	want_iut_reconf(t, 500, ECFC_IUT_MPS, icid, 2);
	assert_true(tester_quiet(t, 9500)); /* RTX: 10 s */
	ecfc_expect_disconnect(t, 0x0040, icid[0]);
	ecfc_expect_disconnect(t, 0x0041, icid[1]);
	assert_true(tester_wait_closed(t, &r, 2, 2000));
	assert_int_equal(r.reason, L2K_CLOSE_TIMEOUT);
}

static void test_ecfc_iut_reconf_refused_or_unanswered_le(void **state)
{
	iut_reconf_refused_or_unanswered(*state);
}

static void test_ecfc_iut_reconf_refused_or_unanswered_bredr(void **state)
{
	iut_reconf_refused_or_unanswered(*state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_ecfc_reconf_shorter_than_fixed_fields_rejected_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_reconf_shorter_than_fixed_fields_rejected_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_iut_reconf_refused_or_unanswered_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_iut_reconf_refused_or_unanswered_bredr, ecfc_setup_bredr, ecfc_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
