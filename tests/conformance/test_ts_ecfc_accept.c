/* Enhanced Credit Based Flow Control, the IUT as acceptor: what l2tester's cases
 * (tools/l2tester/cases_ecfc.c) do not cover: a request for an SPSM / PSM the IUT does not
 * serve.  See test_ts_ecfc.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/conformance/test_ts_ecfc.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_ecfc_refuses_unserved_spsm_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_refuses_unserved_psm_bredr, ecfc_setup_bredr, ecfc_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
