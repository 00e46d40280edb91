/* Conformance: BR/EDR signaling beyond L2CAP.TS's cases (which are l2tester's now,
 * tools/l2tester/cases_bredr.c): a C-frame over the signaling MTU, invalid PSMs.  Each test
 * plays the tester over the simulated controller and checks every byte l2kit answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/common/tester.h"

/* A C-frame over the signaling MTU packed with Echo Requests: one Command Reject "signaling
 * MTU exceeded" carrying the IUT's MTUsig (672) and the first identifier; no echoes. */
static void test_sig_mtu_exceeded_one_reject_no_echoes(void **state)
{
	struct tester *t = *state;
	tester_flush(t);
	uint8_t frame[700];
	size_t n = 0;
	uint8_t id = 0x50;
	while (n + 8 <= sizeof(frame)) {
		frame[n] = 0x08;
		frame[n + 1] = id++;
		t_put16(frame + n + 2, 4);
		memset(frame + n + 4, 0xEE, 4);
		n += 8;
	}
	tester_send(t, 0x0001, frame, n);
	const struct tester_pdu *p = tester_expect_sig(t, 0x01, 1000);
	assert_non_null(p);
	const uint8_t want[8] = {0x01, 0x50, 0x04, 0x00, 0x01, 0x00, 0xA0, 0x02};
	assert_int_equal(p->len, 8);
	assert_memory_equal(p->data, want, 8);
	assert_true(tester_quiet(t, 1000));
}

/* Connection Requests with PSM 0 or an even PSM are refused "PSM not supported". */
static void test_conn_req_with_invalid_psm_refused(void **state)
{
	struct tester *t = *state;
	tester_flush(t);
	const uint16_t psms[] = {0x0000, 0x1002, 0x0101};
	for (size_t i = 0; i < 3; i++) {
		uint8_t rq[4];
		t_put16(rq, psms[i]);
		t_put16(rq + 2, 0x0060);
		tester_send_sig(t, 0x02, (uint8_t)(0x80 + i), rq, 4);
		const struct tester_pdu *p = tester_expect_sig(t, 0x03, 1000);
		assert_non_null(p);
		assert_int_equal(t_get16(p->data + 4), 0x0000); /* no DCID */
		assert_int_equal(t_get16(p->data + 6), 0x0060);
		assert_int_equal(t_get16(p->data + 8), 0x0002); /* PSM not supported */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_sig_mtu_exceeded_one_reject_no_echoes, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_conn_req_with_invalid_psm_refused, tester_fixture_bredr, tester_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
