/* Conformance: L2CAP.TS group LE/CFC: all 64 LE dynamic CIDs in use (BV-17; Vol 3 Part A 4.22-4.23,
 * 2.1).  The group's other cases are l2tester's (tools/l2tester/cases_le.c, run in-process by
 * test_l2tester_cases) but the refusals of a link that falls short of a server's security (BV-11,
 * BV-15, BV-25), in test_ts_security.c.
 *
 * Not covered by this group's files (ID -- reason):
 *   L2CAP/LE/CFC/BI-02-C -- n/a: older TS revision, not in TS p41: no procedure to play
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/common/tester.h"

#define SPSM 0x0080
#define TCID 0x0040

/* An LE Credit Based Connection Response with every field given. */
static void want_le_rsp(const struct tester_pdu *p, uint8_t id, uint16_t dcid, uint16_t mtu, uint16_t mps,
			uint16_t credits, uint16_t result)
{
	uint8_t w[14] = {0x15, id, 0x0A, 0x00};
	t_put16(w + 4, dcid);
	t_put16(w + 6, mtu);
	t_put16(w + 8, mps);
	t_put16(w + 10, credits);
	t_put16(w + 12, result);
	assert_true(tester_sig_is(p, w, 14));
}

/* Send an LE Credit Based Connection Request and return the response PDU. */
static const struct tester_pdu *le_req(struct tester *t, uint8_t id, uint16_t spsm, uint16_t scid)
{
	uint8_t d[10];
	t_put16(d, spsm);
	t_put16(d + 2, scid);
	t_put16(d + 4, 100);
	t_put16(d + 6, 50);
	t_put16(d + 8, 5);
	tester_send_sig(t, 0x14, id, d, 10);
	return tester_expect_sig(t, 0x15, 2000);
}

/* L2CAP/LE/CFC/BV-17-C: with all 64 LE dynamic CIDs of the IUT in use (63 accepted channels
 * and one request of its own), a further request is refused "no resources available". */
static void test_LE_CFC_BV_17_C_refuses_when_out_of_cids(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	assert_int_equal(tester_server(t, SPSM, true, NULL, &r), 0);
	for (uint16_t i = 0; i < 63; i++) {
		struct tester_le_conn rq = {.spsm = SPSM, .cid = (uint16_t)(0x40 + i), .mtu = 100, .mps = 50,
					    .credits = 1},
				      rsp;
		assert_int_equal(tester_le_connect(t, 0, &rq, &rsp), 0);
		assert_int_equal(rsp.result, 0);
	}
	assert_int_equal(r.opened, 63);
	struct tester_rec mine = {0};
	struct l2k_chan_cbs cb = tester_rec_cbs(&mine);
	assert_int_equal(l2k_chan_connect(t->iut, &t->tst_addr, L2K_ADDR_LE_PUBLIC, 0x0090, NULL, &cb, NULL), 0);
	assert_non_null(tester_expect_sig(t, 0x14, 2000)); /* left unanswered */
	const struct tester_pdu *p = le_req(t, 0x26, SPSM, 0x007F);
	want_le_rsp(p, 0x26, 0, 0, 0, 0, 0x0004);
	assert_int_equal(r.opened, 63);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_LE_CFC_BV_17_C_refuses_when_out_of_cids, tester_fixture_le, tester_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
