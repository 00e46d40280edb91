/* Conformance: L2CAP.TS group COS/ECH (Echo, Vol 3 Part A 4.8-4.9).  COS/ECH/BV-01-C (the IUT
 * answers) is in test_ts_cos_signaling.c; this file has the IUT as the originator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/common/tester.h"

struct echo_rec {
	int calls, err;
	size_t len;
	uint8_t data[64];
	uint32_t rtt;
};

static void echo_cb(void *u, int err, const uint8_t *d, size_t n, uint32_t rtt)
{
	struct echo_rec *e = u;
	e->calls++;
	e->err = err;
	e->len = n;
	e->rtt = rtt;
	if (d && n <= sizeof(e->data))
		memcpy(e->data, d, n);
}

static bool echo_done(void *arg)
{
	return ((struct echo_rec *)arg)->calls > 0;
}

/* L2CAP/COS/ECH/BV-02-C: l2k_echo() sends an Echo Request with the data given; the tester's
 * response reaches the callback with its data. */
static void test_COS_ECH_BV_02_C_iut_sends_echo_request(void **state)
{
	struct tester *t = *state;
	struct echo_rec e = {0};
	assert_int_equal(l2k_echo(t->iut, &t->tst_addr, (const uint8_t *)"ping!", 5, echo_cb, &e), 0);
	const struct tester_pdu *p = tester_expect_sig(t, 0x08, 1000);
	assert_non_null(p);
	const uint8_t want[9] = {0x08, p->data[1], 0x05, 0x00, 'p', 'i', 'n', 'g', '!'};
	assert_true(tester_sig_is(p, want, 9));
	assert_int_not_equal(p->data[1], 0);
	tester_run(t, 30);
	tester_send_sig(t, 0x09, p->data[1], (const uint8_t *)"pong", 4);
	assert_true(tester_run_until(t, echo_done, &e, 1000));
	assert_int_equal(e.calls, 1);
	assert_int_equal(e.err, 0);
	assert_int_equal(e.len, 4);
	assert_memory_equal(e.data, "pong", 4);
	assert_true(e.rtt >= 30);
}

/* The Echo Request without an answer ends in L2K_ETIMEDOUT when RTX expires; a Command Reject
 * answer ends it in L2K_EREFUSED. */
static void test_COS_ECH_BV_02_C_unanswered_or_rejected_echo(void **state)
{
	struct tester *t = *state;
	struct echo_rec e = {0};
	assert_int_equal(l2k_echo(t->iut, &t->tst_addr, NULL, 0, echo_cb, &e), 0);
	assert_non_null(tester_expect_sig(t, 0x08, 1000));
	assert_true(tester_run_until(t, echo_done, &e, 70000));
	assert_int_equal(e.err, L2K_ETIMEDOUT);
	memset(&e, 0, sizeof(e));
	assert_int_equal(l2k_echo(t->iut, &t->tst_addr, NULL, 0, echo_cb, &e), 0);
	const struct tester_pdu *p = tester_expect_sig(t, 0x08, 1000);
	assert_non_null(p);
	const uint8_t rej[2] = {0, 0};
	tester_send_sig(t, 0x01, p->data[1], rej, 2);
	assert_true(tester_run_until(t, echo_done, &e, 1000));
	assert_int_equal(e.err, L2K_EREFUSED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_COS_ECH_BV_02_C_iut_sends_echo_request, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_ECH_BV_02_C_unanswered_or_rejected_echo, tester_fixture_bredr, tester_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
