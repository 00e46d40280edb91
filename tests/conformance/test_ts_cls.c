/* Conformance: L2CAP.TS group CLS (connectionless data: G-frames on CID 0x0002, Vol 3 Part A
 * 3.2 and 7.6).  The IUT side uses l2k_fixed_bind / l2k_fixed_send on CID 0x0002, which add and
 * strip the PSM field and filter by PSM.  L2CAP/CLS/UCD/BV-03-C (on an encrypted link) is in
 * test_ts_security.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/common/tester.h"

#define PSM 0x1001

struct cl_rec {
	int n;
	uint16_t handle;
	size_t len;
	uint8_t data[256];
};

static void cl_rx(void *u, uint16_t handle, const uint8_t *p, size_t n)
{
	struct cl_rec *c = u;
	c->n++;
	c->handle = handle;
	c->len = n;
	memcpy(c->data, p, n < sizeof(c->data) ? n : sizeof(c->data));
}

/* A G-frame from the tester: PSM then the data. */
static void gframe(struct tester *t, uint16_t psm, const char *s)
{
	uint8_t b[2 + 64];
	size_t n = strlen(s);
	t_put16(b, psm);
	memcpy(b + 2, s, n);
	assert_int_equal(tester_send(t, 0x0002, b, 2 + n), 0);
	tester_run(t, 20);
}

/* L2CAP/CLS/UCD/BV-01-C: unicast connectionless data for a bound PSM reaches the application
 * without the PSM field, with the link's handle. */
static void test_CLS_UCD_BV_01_C_receives_connectionless_data(void **state)
{
	struct tester *t = *state;
	struct cl_rec c = {0};
	assert_int_equal(l2k_fixed_bind(t->iut, 0x0002, false, PSM, cl_rx, &c), 0);
	gframe(t, PSM, "connectionless");
	assert_int_equal(c.n, 1);
	assert_int_equal(c.handle, t->iut_handle);
	assert_int_equal(c.len, 14);
	assert_memory_equal(c.data, "connectionless", 14);
}

/* L2CAP/CLS/UCD/BV-02-C: the IUT sends unicast connectionless data on an unencrypted link:
 * one G-frame on CID 0x0002, PSM first. */
static void test_CLS_UCD_BV_02_C_sends_connectionless_data(void **state)
{
	struct tester *t = *state;
	assert_int_equal(l2k_fixed_send(t->iut, t->iut_handle, 0x0002, PSM, (const uint8_t *)"ucd", 3), 0);
	const struct tester_pdu *p = tester_next_on(t, 0x0002, 1000);
	const uint8_t want[5] = {0x01, 0x10, 'u', 'c', 'd'};
	assert_true(tester_sig_is(p, want, 5));
	/* an invalid PSM is refused locally */
	assert_int_equal(l2k_fixed_send(t->iut, t->iut_handle, 0x0002, 0x1002, (const uint8_t *)"x", 1), L2K_EINVAL);
	assert_true(tester_quiet(t, 300));
}

/* L2CAP/CLS/CLR/BV-01-C: connectionless data both ways, several frames in order. */
static void test_CLS_CLR_BV_01_C_connectionless_exchange(void **state)
{
	struct tester *t = *state;
	struct cl_rec c = {0};
	assert_int_equal(l2k_fixed_bind(t->iut, 0x0002, false, PSM, cl_rx, &c), 0);
	gframe(t, PSM, "one");
	gframe(t, PSM, "two");
	assert_int_equal(c.n, 2);
	assert_int_equal(c.len, 3);
	assert_memory_equal(c.data, "two", 3);
	assert_int_equal(l2k_fixed_send(t->iut, t->iut_handle, 0x0002, PSM, (const uint8_t *)"back", 4), 0);
	const struct tester_pdu *p = tester_next_on(t, 0x0002, 1000);
	const uint8_t want[6] = {0x01, 0x10, 'b', 'a', 'c', 'k'};
	assert_true(tester_sig_is(p, want, 6));
}

/* L2CAP/CLS/CID/BV-01-C: connectionless traffic the IUT does not serve is ignored: a G-frame
 * for another PSM, a G-frame too short for its PSM, G-frames with nothing bound, data on the
 * withdrawn AMP CIDs 0x0003 / 0x003F and on reserved fixed CIDs.  No answer, nothing
 * delivered, and the bound PSM still works. */
static void test_CLS_CID_BV_01_C_unsupported_connectionless_ignored(void **state)
{
	struct tester *t = *state;
	struct cl_rec c = {0};
	gframe(t, PSM, "nobody bound");
	assert_int_equal(l2k_fixed_bind(t->iut, 0x0002, false, PSM, cl_rx, &c), 0);
	gframe(t, 0x1003, "other psm");
	const uint8_t one[1] = {0x01};
	tester_send(t, 0x0002, one, 1);
	const uint8_t d[4] = {1, 2, 3, 4};
	static const uint16_t cids[] = {0x0003, 0x003F, 0x0008, 0x0030};
	for (size_t i = 0; i < sizeof(cids) / sizeof(cids[0]); i++)
		tester_send(t, cids[i], d, 4);
	assert_true(tester_quiet(t, 500));
	assert_int_equal(c.n, 0);
	gframe(t, PSM, "ok");
	assert_int_equal(c.n, 1);
	assert_int_equal(c.len, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_CLS_UCD_BV_01_C_receives_connectionless_data, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_CLS_UCD_BV_02_C_sends_connectionless_data, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_CLS_CLR_BV_01_C_connectionless_exchange, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_CLS_CID_BV_01_C_unsupported_connectionless_ignored, tester_fixture_bredr, tester_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
