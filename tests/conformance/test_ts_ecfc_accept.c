/* Enhanced Credit Based Flow Control, the IUT as acceptor: what l2tester's cases
 * (tools/l2tester/cases_ecfc.c) do not cover: a request for an SPSM / PSM the IUT does not
 * serve, and LE/CID/BV-03/BV-04 (ECFC channels with the same CID values on an ACL-U and an LE-U
 * link to one peer: two links at once, which an l2tester case does not have).  See
 * test_ts_ecfc.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/conformance/test_ts_ecfc.h"

static int setup_dual(void **state)
{
	static struct tester t;
	struct tester_opts o = {.le = false, .dual = true};
	if (tester_setup(&t, &o) < 0 || tester_add_link(&t, true) < 0)
		return -1;
	*state = &t;
	return 0;
}

/* A request for an SPSM/PSM the IUT does not serve: all refused 0x0002, zero DCIDs. */
static void unserved(struct tester *t)
{
	struct ecfc_req rq = {.ident = 0x22, .spsm = t->le ? 0x0081 : 0x1003, .mtu = 100, .mps = 70, .credits = 5,
			      .n = 2, .cid = {0x0040, 0x0041}};
	ecfc_want_refusal(t, &rq, 0x0002, 2);
	rq.ident = 0x23;
	rq.spsm = t->le ? 0x0000 : 0x1002; /* reserved SPSM / invalid (even) PSM */
	ecfc_want_refusal(t, &rq, 0x0002, 2);
	assert_true(tester_quiet(t, 500));
}

static void test_ecfc_refuses_unserved_spsm_le(void **state)
{
	unserved(*state);
}

static void test_ecfc_refuses_unserved_psm_bredr(void **state)
{
	unserved(*state);
}

/* An application that takes at most `limit` channels and refuses the others for lack of
 * resources. */
struct limited {
	struct tester_rec r;
	int limit, accepted;
};

/* The next PDU on (link kind, cid) must be exactly [sdu_len] + data. */
static void expect_kframe_on(struct tester *t, bool le, uint16_t cid, const char *s)
{
	size_t n = strlen(s);
	const struct tester_pdu *p = tester_next_on(t, cid, 3000);
	assert_non_null(p);
	assert_int_equal(p->handle, t->tst_handles[le]);
	uint8_t w[64];
	t_put16(w, (uint16_t)n);
	memcpy(w + 2, s, n);
	assert_true(tester_sig_is(p, w, n + 2));
}

/* L2CAP/LE/CID/BV-03-C: the IUT opens ECFC channels on the ACL-U and on the LE-U link and the
 * tester returns the same DCID (0x0040) on both: both open, each carries its data to its own
 * link. */
static void test_LE_CID_BV_03_C_same_ecfc_dcid_on_both_transports(void **state)
{
	struct tester *t = *state;
	struct tester_rec rb = {0}, rl = {0};
	l2k_chan *cb, *cl;
	uint16_t icb, icl;
	assert_int_equal(tester_use_link(t, false), 0);
	ecfc_iut_open(t, 1, NULL, &rb, &cb, &icb, 0x0040, 100, 64, 5);
	assert_int_equal(tester_use_link(t, true), 0);
	ecfc_iut_open(t, 1, NULL, &rl, &cl, &icl, 0x0040, 100, 64, 5);
	struct l2k_chan_info ib, il;
	l2k_chan_get_info(cb, &ib);
	l2k_chan_get_info(cl, &il);
	assert_int_equal(ib.remote_cid, 0x0040);
	assert_int_equal(il.remote_cid, 0x0040);
	assert_int_equal(ib.link_type, L2K_ADDR_BREDR);
	assert_int_equal(il.link_type, L2K_ADDR_LE_PUBLIC);
	assert_int_equal(l2k_chan_send(cb, (const uint8_t *)"bredr", 5), 0);
	expect_kframe_on(t, false, 0x0040, "bredr");
	assert_int_equal(l2k_chan_send(cl, (const uint8_t *)"le", 2), 0);
	expect_kframe_on(t, true, 0x0040, "le");
}

/* L2CAP/LE/CID/BV-04-C: the tester opens ECFC channels from the same Source CID (0x0040) on the
 * ACL-U and the LE-U link: the IUT accepts both, and each gets the data of its own link. */
static void test_LE_CID_BV_04_C_same_ecfc_scid_on_both_transports(void **state)
{
	struct tester *t = *state;
	struct tester_rec rb = {0}, rl = {0};
	uint16_t icb, icl;
	assert_int_equal(tester_use_link(t, false), 0);
	ecfc_server(t, NULL, &rb);
	ecfc_tester_open(t, &rb, 1, 0x0040, 100, 70, 5, &icb);
	assert_int_equal(tester_use_link(t, true), 0);
	ecfc_server(t, NULL, &rl);
	ecfc_tester_open(t, &rl, 1, 0x0040, 100, 70, 5, &icl);
	assert_int_equal(tester_send_kframe(t, icl, 2, (const uint8_t *)"le", 2), 0);
	assert_int_equal(tester_use_link(t, false), 0);
	assert_int_equal(tester_send_kframe(t, icb, 5, (const uint8_t *)"bredr", 5), 0);
	assert_true(tester_wait_sdus(t, &rb, 1, 2000));
	assert_true(tester_wait_sdus(t, &rl, 1, 2000));
	assert_memory_equal(rb.data, "bredr", 5);
	assert_memory_equal(rl.data, "le", 2);
	assert_int_equal(rb.sdus + rl.sdus, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_ecfc_refuses_unserved_spsm_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_refuses_unserved_psm_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CID_BV_03_C_same_ecfc_dcid_on_both_transports, setup_dual, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CID_BV_04_C_same_ecfc_scid_on_both_transports, setup_dual, ecfc_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
