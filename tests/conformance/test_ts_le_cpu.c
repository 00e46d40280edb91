/* Conformance: L2CAP.TS group LE/CPU (Connection Parameter Update Request/Response, Vol 3 Part
 * A 4.20-4.21; ranges Vol 4 Part E 7.8.18 / Vol 6 Part B 4.5.1).  Every ID of the group applies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/common/tester.h"
#include "hci/hci_host.h"

static void cpu_req(struct tester *t, uint8_t id, uint16_t imin, uint16_t imax, uint16_t lat, uint16_t to)
{
	uint8_t d[8];
	t_put16(d, imin);
	t_put16(d + 2, imax);
	t_put16(d + 4, lat);
	t_put16(d + 6, to);
	tester_send_sig(t, 0x12, id, d, 8);
}

static void expect_cpu_rsp(struct tester *t, uint8_t id, uint16_t result)
{
	const struct tester_pdu *p = tester_expect_sig(t, 0x13, 2000);
	uint8_t want[6] = {0x13, id, 0x02, 0x00, 0, 0};
	t_put16(want + 4, result);
	assert_true(tester_sig_is(p, want, 6));
}

struct link_params {
	struct tester *t;
	uint16_t timeout;
};

static bool params_applied(void *arg)
{
	struct link_params *lp = arg;
	const struct hci_link_info *li = hci_host_link(lp->t->tst->hci, lp->t->tst_handle);
	return li && li->supervision_timeout == lp->timeout;
}

/* L2CAP/LE/CPU/BV-01-C: a peripheral IUT asks for new parameters with a well-formed
 * Connection Parameter Update Request. */
static void test_LE_CPU_BV_01_C_peripheral_sends_request(void **state)
{
	struct tester *t = *state;
	assert_int_equal(l2k_le_conn_update(t->iut, t->iut_handle, 0x0018, 0x0028, 0x0002, 0x0200), 0);
	const struct tester_pdu *p = tester_expect_sig(t, 0x12, 2000);
	assert_non_null(p);
	uint8_t want[12] = {0x12, p->data[1], 0x08, 0x00, 0x18, 0x00, 0x28, 0x00, 0x02, 0x00, 0x00, 0x02};
	assert_true(tester_sig_is(p, want, 12));
	assert_int_not_equal(p->data[1], 0);
	const uint8_t ok[2] = {0, 0};
	tester_send_sig(t, 0x13, p->data[1], ok, 2);
	assert_true(tester_quiet(t, 1000));
	/* values out of range are refused locally, nothing is sent */
	assert_int_equal(l2k_le_conn_update(t->iut, t->iut_handle, 0x0005, 0x0028, 0, 0x0200), L2K_EINVAL);
	assert_int_equal(l2k_le_conn_update(t->iut, t->iut_handle, 0x0030, 0x0028, 0, 0x0200), L2K_EINVAL);
	assert_true(tester_quiet(t, 300));
}

/* L2CAP/LE/CPU/BV-02-C: a central IUT accepts valid parameters (result 0x0000) and applies them
 * to the link (the controller's LE Connection Update). */
static void test_LE_CPU_BV_02_C_central_accepts_and_applies(void **state)
{
	struct tester *t = *state;
	cpu_req(t, 0x41, 0x0010, 0x0020, 0x0000, 0x0123);
	expect_cpu_rsp(t, 0x41, 0x0000);
	struct link_params lp = {t, 0x0123};
	assert_true(tester_run_until(t, params_applied, &lp, 5000));
	const struct hci_link_info *li = hci_host_link(t->tst->hci, t->tst_handle);
	assert_true(li->interval >= 0x0010 && li->interval <= 0x0020);
	assert_int_equal(li->latency, 0);
}

/* L2CAP/LE/CPU/BI-01-C: a central IUT rejects illegal values (result 0x0001) and keeps the
 * link's parameters: interval under 7.5 ms, min above max, latency over 499, timeout out of
 * range, and a timeout not above (1 + latency) * interval_max * 2. */
static void test_LE_CPU_BI_01_C_central_rejects_illegal_values(void **state)
{
	struct tester *t = *state;
	uint16_t to = hci_host_link(t->tst->hci, t->tst_handle)->supervision_timeout;
	static const uint16_t bad[][4] = {
	    {0x0005, 0x0020, 0, 0x0100}, {0x0030, 0x0020, 0, 0x0100}, {0x0010, 0x0C81, 0, 0x0C80},
	    {0x0010, 0x0020, 500, 0x0C80}, {0x0010, 0x0020, 0, 0x0009}, {0x0010, 0x0020, 0, 0x0C81},
	    {0x0100, 0x0100, 3, 0x0100}, /* 320 ms * (1 + 3) * 2 = 2.56 s: not below the timeout */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t id = (uint8_t)(0x50 + i);
		cpu_req(t, id, bad[i][0], bad[i][1], bad[i][2], bad[i][3]);
		expect_cpu_rsp(t, id, 0x0001);
	}
	tester_run(t, 2000);
	assert_int_equal(hci_host_link(t->tst->hci, t->tst_handle)->supervision_timeout, to);
	/* the rule is not applied too strictly: 40 ms * (1 + 4) * 2 = 400 ms < 2.56 s is legal */
	cpu_req(t, 0x5F, 0x0010, 0x0020, 4, 0x0100);
	expect_cpu_rsp(t, 0x5F, 0x0000);
}

/* L2CAP/LE/CPU/BI-02-C: a peripheral IUT answers a Connection Parameter Update Request with
 * Command Reject "not understood" (4.20: only the central acts on it). */
static void test_LE_CPU_BI_02_C_peripheral_rejects_request(void **state)
{
	struct tester *t = *state;
	cpu_req(t, 0x61, 0x0010, 0x0020, 0x0000, 0x0100);
	const struct tester_pdu *p = tester_expect_sig(t, 0x01, 2000);
	const uint8_t want[6] = {0x01, 0x61, 0x02, 0x00, 0x00, 0x00};
	assert_true(tester_sig_is(p, want, 6));
	assert_true(tester_quiet(t, 500));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_LE_CPU_BV_01_C_peripheral_sends_request, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CPU_BV_02_C_central_accepts_and_applies, tester_fixture_le_central, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CPU_BI_01_C_central_rejects_illegal_values, tester_fixture_le_central, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CPU_BI_02_C_peripheral_rejects_request, tester_fixture_le, tester_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
