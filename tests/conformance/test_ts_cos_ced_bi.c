/* Conformance: LE MTUsig (a C-frame over the IUT's signaling MTU, to a central IUT; no L2CAP.TS
 * ID).  The group COS/CED is l2tester's (tools/l2tester/cases_bredr.c, cases_le.c, and
 * cases_misc.c for BI-11, the wrong lengths on LE).
 *
 * What l2kit answers (Vol 3 Part A 4 and 4.1; policy in core/l2cap_sig.h):
 *  - a request shorter than its fixed fields, longer than its fixed size (a command without a
 *    variable part), or whose Length runs past the C-frame: Command Reject reason 0x0000 "not
 *    understood" with the request's identifier, and nothing else;
 *  - a response or indication with those faults: silently dropped;
 *  - 1-3 stray octets after the last command: ignored;
 *  - on LE a C-frame carries one command (4): octets after it are ignored;
 *  - a C-frame over MTUsig: one Command Reject 0x0001 with MTUsig and the first identifier. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/common/tester.h"

#define SPSM 0x0080

/* A raw C-frame payload on the current link's signaling channel. */
static void cframe(struct tester *t, const uint8_t *p, size_t n)
{
	assert_int_equal(tester_send(t, t->le ? 0x0005 : 0x0001, p, n), 0);
}

/* An LE C-frame over the IUT's MTUsig (23) holding three Disconnection Requests: one Command
 * Reject "signaling MTU exceeded" with MTUsig 23 and the first identifier; nothing else. */
static void test_le_sig_mtu_exceeded_one_reject(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	assert_int_equal(tester_server(t, SPSM, true, NULL, &r), 0);
	struct tester_le_conn rq = {.spsm = SPSM, .cid = 0x0040, .mtu = 100, .mps = 64, .credits = 5}, rsp;
	assert_int_equal(tester_le_connect(t, 0, &rq, &rsp), 0);
	uint8_t f[24];
	for (int i = 0; i < 3; i++) {
		f[8 * i] = 0x06;
		f[8 * i + 1] = (uint8_t)(0xD0 + i);
		t_put16(f + 8 * i + 2, 4);
		t_put16(f + 8 * i + 4, rsp.cid);
		t_put16(f + 8 * i + 6, 0x0040);
	}
	cframe(t, f, sizeof(f));
	const struct tester_pdu *p = tester_expect_sig(t, 0x01, 1000);
	const uint8_t want[8] = {0x01, 0xD0, 0x04, 0x00, 0x01, 0x00, 0x17, 0x00};
	assert_true(tester_sig_is(p, want, 8));
	assert_true(tester_quiet(t, 500));
	assert_int_equal(r.closed, 0); /* none of the requests was acted on */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_le_sig_mtu_exceeded_one_reject, tester_fixture_le_central, tester_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
