/* Conformance: L2CAP.TS group LE/REJ (Command Reject on the LE signaling channel, Vol 3 Part A
 * 4.1 and Table 4.2).  Every ID of the group applies (BI-01 is the older revision's number of
 * the same check). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/common/tester.h"

static void expect_not_understood(struct tester *t, uint8_t ident)
{
	const struct tester_pdu *p = tester_expect_sig(t, 0x01, 2000);
	const uint8_t want[6] = {0x01, ident, 0x02, 0x00, 0x00, 0x00};
	assert_true(tester_sig_is(p, want, 6));
}

/* L2CAP/LE/REJ/BI-01-C: an unknown LE signaling command is answered Command Reject "not
 * understood" with its identifier. */
static void test_LE_REJ_BI_01_C_unknown_command_rejected(void **state)
{
	struct tester *t = *state;
	const uint8_t d[4] = {1, 2, 3, 4};
	tester_send_sig(t, 0x1F, 0x11, d, 4);
	expect_not_understood(t, 0x11);
	assert_true(tester_quiet(t, 500));
}

/* L2CAP/LE/REJ/BI-02-C: reserved codes (0x00, 0x0C-0x11 of withdrawn AMP, 0x1B, 0xFF) and the
 * BR/EDR-only commands (Connection, Configuration, Echo, Information Requests) are rejected
 * "not understood" on the LE signaling channel, each with its own identifier. */
static void test_LE_REJ_BI_02_C_reserved_and_bredr_only_codes_rejected(void **state)
{
	struct tester *t = *state;
	static const uint8_t codes[] = {0x00, 0x0C, 0x0E, 0x11, 0x1B, 0xFF, 0x02, 0x04, 0x08, 0x0A};
	uint8_t d[4] = {0x01, 0x00, 0x40, 0x00};
	for (size_t i = 0; i < sizeof(codes); i++) {
		uint8_t id = (uint8_t)(0x20 + i);
		tester_send_sig(t, codes[i], id, d, codes[i] == 0x0A ? 2 : 4);
		expect_not_understood(t, id);
	}
	assert_true(tester_quiet(t, 500));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_LE_REJ_BI_01_C_unknown_command_rejected, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_REJ_BI_02_C_reserved_and_bredr_only_codes_rejected, tester_fixture_le, tester_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
