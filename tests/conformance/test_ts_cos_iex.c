/* Conformance: L2CAP.TS groups COS/IEX (information exchange, Vol 3 Part A 4.10-4.12) and FIX
 * (fixed channels supported, 4.13).  Their cases are l2tester's (tools/l2tester/cases_bredr.c,
 * run in-process by test_l2tester_cases); this file keeps l2kit's behaviour with a peer that never
 * answers (beside IEX/BV-01). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/common/tester.h"

/* An Information Request the IUT must send: exactly code, its ident, length 2, type. */
static const struct tester_pdu *expect_info_req(struct tester *t, uint16_t type)
{
	const struct tester_pdu *p = tester_expect_sig(t, 0x0A, 2000);
	assert_non_null(p);
	uint8_t want[6] = {0x0A, p->data[1], 0x02, 0x00, 0, 0};
	t_put16(want + 4, type);
	assert_true(tester_sig_is(p, want, 6));
	return p;
}

/* A peer that does not answer the Information Request at all (a 1.1 peer) does not block the
 * IUT: after its information timer it connects anyway. */
static void test_COS_IEX_BV_01_C_silent_peer_does_not_block(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	struct l2k_chan_cbs cb = tester_rec_cbs(&r);
	assert_int_equal(l2k_chan_connect(t->iut, &t->tst_addr, L2K_ADDR_BREDR, 0x1001, NULL, &cb, NULL), 0);
	expect_info_req(t, 0x0002);
	assert_non_null(tester_expect_sig(t, 0x02, 10000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_COS_IEX_BV_01_C_silent_peer_does_not_block, tester_fixture_bredr, tester_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
