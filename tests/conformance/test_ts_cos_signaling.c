/* Conformance: BR/EDR signaling (L2CAP.TS groups COS/CED, COS/ECH, COS/IEX, FIX).  Each test
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

/* L2CAP/COS/IEX/BV-02-C and L2CAP/FIX/BV-03-C: the IUT describes itself exactly. */
static void test_COS_IEX_BV_02_C_and_FIX_BV_03_C_information_responses(void **state)
{
	struct tester *t = *state;
	tester_flush(t);
	uint8_t ty[2];
	t_put16(ty, 0x0002);
	tester_send_sig(t, 0x0A, 0x71, ty, 2);
	const struct tester_pdu *p = tester_expect_sig(t, 0x0B, 1000);
	assert_non_null(p);
	assert_int_equal(t_get16(p->data + 2), 8);
	assert_int_equal(t_get16(p->data + 4), 0x0002);
	assert_int_equal(t_get16(p->data + 6), 0x0000);
	uint32_t feat = (uint32_t)t_get16(p->data + 8) | (uint32_t)t_get16(p->data + 10) << 16;
	assert_true(feat & (1u << 7)); /* fixed channels */
	/* exactly the modes that are built */
	assert_int_equal(!!(feat & (1u << 3)), l2k_mode_supported(L2K_MODE_ERTM));
	assert_int_equal(!!(feat & (1u << 4)), l2k_mode_supported(L2K_MODE_STREAMING));
	assert_int_equal(!!(feat & (1u << 0)), l2k_mode_supported(L2K_MODE_FLOWCTL));
	assert_int_equal(!!(feat & (1u << 1)), l2k_mode_supported(L2K_MODE_RETRANS));
	t_put16(ty, 0x0003);
	tester_send_sig(t, 0x0A, 0x72, ty, 2);
	p = tester_expect_sig(t, 0x0B, 1000);
	assert_non_null(p);
	const uint8_t want[16] = {0x0B, 0x72, 0x0C, 0x00, 0x03, 0x00, 0x00, 0x00, 0x06, 0, 0, 0, 0, 0, 0, 0};
	assert_int_equal(p->len, 16);
	assert_memory_equal(p->data, want, 16);
	/* an unknown type: Not Supported */
	t_put16(ty, 0x0077);
	tester_send_sig(t, 0x0A, 0x73, ty, 2);
	p = tester_expect_sig(t, 0x0B, 1000);
	assert_non_null(p);
	assert_int_equal(t_get16(p->data + 6), 0x0001);
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
	    cmocka_unit_test_setup_teardown(test_COS_IEX_BV_02_C_and_FIX_BV_03_C_information_responses, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_conn_req_with_invalid_psm_refused, tester_fixture_bredr, tester_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
