/* Conformance: L2CAP.TS group COS/CED (channel establishment and data).  Its cases are now
 * l2tester's (tools/l2tester/cases_bredr.c, cases_le.c, run in-process by test_l2tester_cases)
 * but for the signaling-format tests (BI-08 to BI-17, test_ts_cos_ced_bi.c) and the one below:
 * RTX after a long idle time, an l2kit regression test beside BV-08-C.  (BI-18 to BI-25, the
 * ECFC and "without LE CFC / ECFC" variants, are in tools/l2tester/cases_ecfc.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/common/tester.h"

#define PSM 0x1001
#define TCID 0x0050 /* the tester's CID */

/* L2CAP/COS/CED/BV-08-C after a long idle: RTX (and the connect timeout) run from the moment
 * the request is sent, not from the last time the engine was ticked: a channel opened after
 * 40 s without traffic still waits the whole RTX for its Connection Response. */
static void test_COS_CED_BV_08_C_rtx_runs_from_send_after_idle(void **state)
{
	struct tester *t = *state;
	tester_run(t, 40000); /* nothing happens on the link */
	struct tester_rec r = {0};
	struct l2k_chan_cbs cb = tester_rec_cbs(&r);
	assert_int_equal(l2k_chan_connect(t->iut, &t->tst_addr, L2K_ADDR_BREDR, PSM, NULL, &cb, NULL), 0);
	assert_int_equal(tester_answer_info(t, 0, 0), 0);
	assert_non_null(tester_expect_sig(t, 0x02, 1000));
	uint64_t sent = t->vc.now_ms;
	assert_true(tester_wait_closed(t, &r, 1, 70000));
	assert_int_equal(r.reason, L2K_CLOSE_TIMEOUT);
	assert_true(t->vc.now_ms - sent >= 1000); /* RTX is at least 1 s (6.2.1) */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_COS_CED_BV_08_C_rtx_runs_from_send_after_idle, tester_fixture_bredr, tester_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
