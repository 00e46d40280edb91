/* Enhanced Credit Based Flow Control: the L2CAP.TS groups ECFC and COS/ECFC (and the ECFC
 * variants of COS/CED) are l2tester's cases now (tools/l2tester/cases_ecfc.c, run in-process by
 * test_l2tester_cases and against l2iut over vctrl).  What stays in tests/conformance, without a
 * TS ID:
 *   test_ts_ecfc.c            the BR/EDR extended feature bit (4.12) and a peer without it
 *   test_ts_ecfc_accept.c     unserved SPSM / PSM; LE/CID/BV-03, BV-04 (ECFC channels with the
 *                             same CIDs on an ACL-U and an LE-U link at once: two links)
 *   test_ts_ecfc_reconf.c     a Reconfigure Request shorter than its fixed fields; the IUT's own
 *                             reconfiguration refused, rejected or unanswered
 *   test_ts_ecfc_malformed.c  other malformed or edge signaling input
 *   test_ts_security.c        the refusals of a link short of a server's security
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/l2cap_int.h"
#include "tests/conformance/test_ts_ecfc.h"

/* BR/EDR, Vol 3 Part A 4.12: the IUT's extended feature mask says it supports Enhanced Credit
 * Based Flow Control (bit 10), and it is exactly the set l2kit implements. */
static void test_ecfc_feature_bit_in_extended_features_bredr(void **state)
{
	struct tester *t = *state;
	const uint8_t d[2] = {0x02, 0x00};
	tester_send_sig(t, 0x0A, 0x31, d, 2);
	const struct tester_pdu *p = tester_expect_sig(t, 0x0B, 2000);
	uint32_t feat = l2cap_local_features();
	assert_true(feat & ECFC_FEAT);
	uint8_t want[12] = {0x0B, 0x31, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00};
	t_put16(want + 8, (uint16_t)feat);
	t_put16(want + 10, (uint16_t)(feat >> 16));
	assert_true(tester_sig_is(p, want, 12));
	assert_true(p->data[9] & 0x04); /* bit 10 on the wire */
}

/* BR/EDR: a peer whose feature mask lacks ECFC gets no Credit Based Connection Request; the
 * channels end with "configuration failed". */
static void test_ecfc_peer_without_feature_gets_no_request_bredr(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	struct l2k_chan_opts o;
	ecfc_opts(&o, ECFC_IUT_MTU, ECFC_IUT_MPS, ECFC_IUT_CREDITS);
	struct l2k_chan_cbs cb = tester_rec_cbs(&r);
	l2k_chan *ch[2];
	assert_int_equal(l2k_chan_connect_ecfc(t->iut, &t->tst_addr, L2K_ADDR_BREDR, ECFC_PSM_BR, 2, &o, &cb, ch), 0);
	assert_null(ecfc_answer_info(t, 0x00000038)); /* ERTM, Streaming, FCS: no ECFC */
	assert_int_equal(r.closed, 2);
	assert_int_equal(r.opened, 0);
	assert_int_equal(r.reason, L2K_CLOSE_CONFIG_FAILED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_ecfc_feature_bit_in_extended_features_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_peer_without_feature_gets_no_request_bredr, ecfc_setup_bredr, ecfc_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
