/* Conformance: L2CAP.TS group LE/CID (channel identifiers on BR/EDR and LE links to the same
 * peer, Vol 3 Part A 2.1: CIDs are per logical link, so one value may be in use on both).  The
 * dual-mode tests use two dual-mode controllers with an ACL-U and an LE-U link between them.
 * L2CAP/LE/CID/BI-01-C is l2tester's (tools/l2tester/cases_misc.c).
 *
 * Not covered by this group's file (ID -- reason):
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/common/tester.h"

static int setup_dual(void **state)
{
	static struct tester t;
	struct tester_opts o = {.le = false, .dual = true};
	if (tester_setup(&t, &o) < 0 || tester_add_link(&t, true) < 0)
		return -1;
	*state = &t;
	return 0;
}

/* L2CAP/LE/CID/BV-01-C: the IUT opens a channel on each transport and the tester returns the
 * same DCID (0x0040) on both: both open, and each carries its own data to the right link. */
static void test_LE_CID_BV_01_C_same_dcid_on_both_transports(void **state)
{
	struct tester *t = *state;
	struct tester_rec rb = {0}, rl = {0};
	l2k_chan *cb = NULL, *cl = NULL;
	uint16_t icid;
	assert_int_equal(tester_use_link(t, false), 0);
	assert_int_equal(tester_iut_open_bredr(t, 0x1001, NULL, &rb, 0x0040, NULL, 0, &cb, &icid), 0);
	assert_int_equal(tester_use_link(t, true), 0);
	struct tester_le_conn ans = {.cid = 0x0040, .mtu = 100, .mps = 50, .credits = 5}, req;
	assert_int_equal(tester_iut_le_connect(t, 0x0080, NULL, &rl, &ans, &req, &cl), 0);
	assert_int_equal(rb.opened, 1);
	assert_int_equal(rl.opened, 1);
	assert_int_equal(l2k_chan_send(cb, (const uint8_t *)"bredr", 5), 0);
	assert_int_equal(l2k_chan_send(cl, (const uint8_t *)"le", 2), 0);
	int seen = 0;
	for (int i = 0; i < 2; i++) {
		const struct tester_pdu *p = tester_next_on(t, 0x0040, 2000);
		assert_non_null(p);
		if (p->handle == t->tst_handles[0]) {
			assert_int_equal(p->len, 5);
			assert_memory_equal(p->data, "bredr", 5);
			seen |= 1;
		} else {
			assert_int_equal(p->handle, t->tst_handles[1]);
			const uint8_t k[4] = {0x02, 0x00, 'l', 'e'};
			assert_int_equal(p->len, 4);
			assert_memory_equal(p->data, k, 4);
			seen |= 2;
		}
	}
	assert_int_equal(seen, 3);
}

/* L2CAP/LE/CID/BV-02-C (and the older L2CAP/LE/CID/BV-02-I): the tester asks for channels on
 * both transports with the same SCID 0x0040: the IUT accepts both and keeps them apart. */
static void test_LE_CID_BV_02_C_same_scid_on_both_transports(void **state)
{
	struct tester *t = *state;
	struct tester_rec rb = {0}, rl = {0};
	assert_int_equal(tester_server(t, 0x1001, false, NULL, &rb), 0);
	assert_int_equal(tester_server(t, 0x0080, true, NULL, &rl), 0);
	uint16_t icid_b;
	assert_int_equal(tester_use_link(t, false), 0);
	assert_int_equal(tester_open_bredr(t, 0x1001, 0x0040, NULL, 0, &icid_b), 0);
	assert_int_equal(tester_use_link(t, true), 0);
	struct tester_le_conn rq = {.spsm = 0x0080, .cid = 0x0040, .mtu = 100, .mps = 50, .credits = 5}, rsp;
	assert_int_equal(tester_le_connect(t, 0, &rq, &rsp), 0);
	assert_int_equal(rsp.result, 0);
	assert_int_equal(rb.opened, 1);
	assert_int_equal(rl.opened, 1);
	tester_send_kframe(t, rsp.cid, 2, (const uint8_t *)"LE", 2);
	assert_true(tester_wait_sdus(t, &rl, 1, 2000));
	assert_int_equal(tester_use_link(t, false), 0);
	tester_send(t, icid_b, (const uint8_t *)"BR", 2);
	assert_true(tester_wait_sdus(t, &rb, 1, 2000));
	assert_memory_equal(rl.data, "LE", 2);
	assert_memory_equal(rb.data, "BR", 2);
	assert_int_equal(rl.sdus, 1);
	assert_int_equal(rb.sdus, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_LE_CID_BV_01_C_same_dcid_on_both_transports, setup_dual, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CID_BV_02_C_same_scid_on_both_transports, setup_dual, tester_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
