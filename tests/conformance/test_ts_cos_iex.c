/* Conformance: L2CAP.TS groups COS/IEX (information exchange, Vol 3 Part A 4.10-4.12) and FIX
 * (fixed channels supported, 4.13).  COS/IEX/BV-02-C and FIX/BV-03-C (the IUT's answers) are
 * in test_ts_cos_signaling.c.
 *
 * Not covered by these groups' files (ID -- reason):
 *   L2CAP/FIX/BV-02-C -- n/a: AMP Manager fixed channel (AMP withdrawn from the specification; out of scope)
 */
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

/* L2CAP/COS/IEX/BV-01-C: before its first channel on a link the IUT asks for the peer's
 * extended features; a peer without the fixed-channels bit gets no second request and the
 * Connection Request follows. */
static void test_COS_IEX_BV_01_C_iut_asks_extended_features(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	struct l2k_chan_cbs cb = tester_rec_cbs(&r);
	assert_int_equal(l2k_chan_connect(t->iut, &t->tst_addr, L2K_ADDR_BREDR, 0x1001, NULL, &cb, NULL), 0);
	const struct tester_pdu *p = expect_info_req(t, 0x0002);
	const uint8_t rsp[8] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
	tester_send_sig(t, 0x0B, p->data[1], rsp, 8);
	p = tester_expect_sig(t, 0x02, 2000);
	assert_non_null(p);
	assert_int_equal(t_get16(p->data + 4), 0x1001);
	/* a second channel on the same link asks nothing again */
	assert_int_equal(l2k_chan_connect(t->iut, &t->tst_addr, L2K_ADDR_BREDR, 0x1003, NULL, &cb, NULL), 0);
	p = tester_expect_sig(t, 0x02, 2000);
	assert_non_null(p);
	assert_int_equal(t_get16(p->data + 4), 0x1003);
}

/* L2CAP/FIX/BV-01-C: a peer whose features have the fixed-channels bit (7) is asked for its
 * fixed channels mask; then the IUT goes on with the Connection Request. */
static void test_FIX_BV_01_C_iut_asks_fixed_channels(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	struct l2k_chan_cbs cb = tester_rec_cbs(&r);
	assert_int_equal(l2k_chan_connect(t->iut, &t->tst_addr, L2K_ADDR_BREDR, 0x1001, NULL, &cb, NULL), 0);
	const struct tester_pdu *p = expect_info_req(t, 0x0002);
	const uint8_t feat[8] = {0x02, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00};
	tester_send_sig(t, 0x0B, p->data[1], feat, 8);
	p = expect_info_req(t, 0x0003);
	const uint8_t fixed[12] = {0x03, 0x00, 0x00, 0x00, 0x06, 0, 0, 0, 0, 0, 0, 0};
	tester_send_sig(t, 0x0B, p->data[1], fixed, 12);
	p = tester_expect_sig(t, 0x02, 2000);
	assert_non_null(p);
	assert_int_equal(r.closed, 0);
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
	    cmocka_unit_test_setup_teardown(test_COS_IEX_BV_01_C_iut_asks_extended_features, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_FIX_BV_01_C_iut_asks_fixed_channels, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_IEX_BV_01_C_silent_peer_does_not_block, tester_fixture_bredr, tester_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
