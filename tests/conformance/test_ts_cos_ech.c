/* Conformance: L2CAP.TS group COS/ECH (Echo, Vol 3 Part A 4.8-4.9).  Its cases (BV-01, BV-02)
 * are l2tester's (tools/l2tester/cases_bredr.c, run in-process by test_l2tester_cases); this file
 * keeps what l2k_echo() reports when its request is not answered or rejected (beside BV-02). */
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
	    cmocka_unit_test_setup_teardown(test_COS_ECH_BV_02_C_unanswered_or_rejected_echo, tester_fixture_bredr, tester_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
