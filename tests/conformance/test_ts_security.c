/* Conformance: credit based servers refusing a link that falls short of their security (Vol 3
 * Part A 4.23, 4.26, with the result the Generic Access Profile gives: Vol 3 Part C 10.3.1 and
 * its Table 10.2), in the ways l2tester's cases do not play, and BR/EDR Basic channels at a level.
 * The L2CAP.TS cases of this family (LE/CFC/BV-15, BV-25, ECFC/BV-15, BV-32, BV-70, CLS/UCD/BV-03)
 * are l2tester's, in tools/l2tester/cases_sec.c: its lower tester pairs and encrypts through the
 * public API (l2k_raw_attach_ex with L2K_RAW_KEEP_SM).  What stays here needs the in-process
 * tester's access to both stacks: a bond put into both key stores (tester_share_ltk: a 7-octet
 * legacy key for an IUT whose min_key_size is 16, which pairing itself would refuse), the
 * tester's controller's BR/EDR key size (tester_opts.tst_enc_key_size: level 4 on BR/EDR), and
 * the IUT's link state checked after every step.
 *
 * What an acceptor answers a request for a service at level 2 (encryption), 3 (an authenticated
 * key) or 4 (authenticated, Secure Connections, 16 octets) when the link falls short:
 *   - not encrypted and no key for the peer: 0x0005 Insufficient Authentication (whatever the
 *     level: pairing is what is missing);
 *   - not encrypted, a key for the peer stored: 0x0008 Insufficient Encryption (encrypting with
 *     it is what is missing, even for level 3 or 4);
 *   - encrypted with a key shorter than min_key_size, or shorter than 16 octets for level 4
 *     (with everything else level 4 needs): 0x0007 Encryption Key Size Too Short;
 *   - encrypted with an unauthenticated key, or without Secure Connections for level 4: 0x0005.
 * Every response is checked byte for byte; the same request then succeeds once the link has
 * what the service needs, so a refusal for the wrong reason cannot pass.
 *
 * Also here, without an L2CAP.TS ID: BR/EDR Basic channels to a service above the link's level
 * (Connection Response "pending, authentication", then Security Block 0x0003 or success).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/conformance/test_ts_ecfc.h"

#define SPSM_L2 0x0080 /* LE services at levels 2, 3 and 4 */
#define SPSM_L3 0x0081
#define SPSM_L4 0x0082
#define PSM_L1 0x1001  /* BR/EDR services at levels 1, 2, 3 and 4 */
#define PSM_L2 0x1003
#define PSM_L3 0x1005
#define PSM_L4 0x1007
#define TCID 0x0040

/* ---- fixtures ---------------------------------------------------------------------------- */

static int setup(void **state, struct tester_opts o)
{
	static struct tester t;
	if (tester_setup(&t, &o) < 0)
		return -1;
	*state = &t;
	return 0;
}

/* LE, the tester central; its security manager answers SMP (Just Works: both NoInputNoOutput) */
static int setup_le_smp(void **state)
{
	return setup(state, (struct tester_opts){.le = true, .tst_smp = true});
}

/* LE, the IUT accepting no key shorter than 16 octets */
static int setup_le_min16(void **state)
{
	static struct l2k_security_opts s;
	l2k_security_opts_default(&s);
	s.min_key_size = 16;
	return setup(state, (struct tester_opts){.le = true, .iut_sec = &s});
}

/* BR/EDR, the tester's host with Simple Pairing (Just Works with the IUT, and Security Mode 4:
 * the IUT's channels other than SDP need level 2) */
static int setup_bredr_ssp(void **state)
{
	return setup(state, (struct tester_opts){.le = false, .tst_ssp = true});
}

/* BR/EDR, both sides DisplayYesNo answering numeric comparison, the tester's controller
 * offering a 12-octet key: an authenticated Secure Connections key, 12 octets */
static int setup_bredr_nc_key12(void **state)
{
	static struct l2k_security_opts s;
	l2k_security_opts_default(&s);
	s.io_cap = L2K_IO_DISPLAY_YESNO;
	s.auto_accept = true;
	return setup(state, (struct tester_opts){.le = false, .iut_sec = &s, .tst_sec = &s, .tst_enc_key_size = 12});
}

/* ---- helpers ----------------------------------------------------------------------------- */

static struct l2k_link_security iut_link(struct tester *t)
{
	struct l2k_link_security ls;
	assert_int_equal(l2k_link_security(t->iut, t->iut_handle, &ls), 0);
	return ls;
}

/* An IUT server at a level: LE credit based (MTU 300, MPS 60, 9 credits) or enhanced credit
 * based (the ECFC helpers' 200 / 100 / 10). */
static void server(struct tester *t, uint16_t psm, enum l2k_mode mode, uint8_t level, struct tester_rec *r)
{
	struct l2k_chan_opts o;
	if (mode == L2K_MODE_ECFC) {
		ecfc_opts(&o, ECFC_IUT_MTU, ECFC_IUT_MPS, ECFC_IUT_CREDITS);
	} else {
		l2k_chan_opts_default(&o);
		o.mode = L2K_MODE_LE_CREDIT;
		o.mtu = 300;
		o.mps = 60;
		o.credits = 9;
	}
	o.sec_level = level;
	assert_int_equal(tester_server(t, psm, t->le, &o, r), 0);
}

/* The tester's LE Credit Based Connection Request (MTU 100, MPS 50, 5 credits) and the IUT's
 * response, which must be exactly this one (dcid 0: a refusal with every field 0). */
static void le_request(struct tester *t, uint8_t id, uint16_t spsm, uint16_t scid, uint16_t result,
		       uint16_t *dcid_out)
{
	uint8_t d[10];
	t_put16(d, spsm);
	t_put16(d + 2, scid);
	t_put16(d + 4, 100);
	t_put16(d + 6, 50);
	t_put16(d + 8, 5);
	assert_int_equal(tester_send_sig(t, 0x14, id, d, 10), 0);
	const struct tester_pdu *p = tester_expect_sig(t, 0x15, 3000);
	assert_non_null(p);
	uint8_t w[14] = {0x15, id, 0x0A, 0x00};
	if (result == 0) {
		assert_true(p->len == 14);
		uint16_t dcid = t_get16(p->data + 4);
		assert_true(dcid >= 0x0040 && dcid <= 0x007F);
		t_put16(w + 4, dcid);
		t_put16(w + 6, 300);
		t_put16(w + 8, 60);
		t_put16(w + 10, 9);
		if (dcid_out)
			*dcid_out = dcid;
	}
	t_put16(w + 12, result);
	assert_true(tester_sig_is(p, w, 14));
}

/* The tester's Credit Based Connection Request for two channels (CIDs scid, scid + 1) and the
 * IUT's response, exactly: a refusal of both (result, every field 0, two zero DCIDs) or
 * success with the IUT's MTU, MPS, credits and two distinct DCIDs. */
static void ecfc_request2(struct tester *t, uint8_t id, uint16_t psm, uint16_t scid, uint16_t result)
{
	struct ecfc_req rq = {.ident = id, .spsm = psm, .mtu = 100, .mps = 70, .credits = 5, .n = 2,
			      .cid = {scid, (uint16_t)(scid + 1)}};
	if (result) {
		ecfc_want_refusal(t, &rq, result, 2);
		return;
	}
	ecfc_send_req(t, &rq);
	const struct tester_pdu *p = tester_expect_sig(t, 0x18, 3000);
	assert_non_null(p);
	assert_int_equal(p->len, 4 + 8 + 4);
	uint16_t dcid[2] = {t_get16(p->data + 12), t_get16(p->data + 14)};
	for (int i = 0; i < 2; i++)
		assert_true(dcid[i] >= 0x0040 && dcid[i] <= ecfc_dyn_end(t));
	assert_int_not_equal(dcid[0], dcid[1]);
	ecfc_want_rsp(p, id, ECFC_IUT_MTU, ECFC_IUT_MPS, ECFC_IUT_CREDITS, 0x0000, dcid, 2);
}

/* One request of the mode (LE credit based: one channel; ECFC: two) answered with result. */
static void request(struct tester *t, enum l2k_mode mode, uint8_t id, uint16_t psm, uint16_t scid, uint16_t result)
{
	if (mode == L2K_MODE_ECFC)
		ecfc_request2(t, id, psm, scid, result);
	else
		le_request(t, id, psm, scid, result, NULL);
}

/* The server's channels (n of them) were offered and opened; r saw nothing before. */
static void opened(struct tester *t, struct tester_rec *r, int n)
{
	assert_true(tester_wait_open(t, r, n, 2000));
	assert_int_equal(r->accept_calls, n);
	assert_int_equal(r->opened, n);
}

static int nchan(enum l2k_mode mode)
{
	return mode == L2K_MODE_ECFC ? 2 : 1;
}

/* ---- authentication: the link has no key, or an unauthenticated one ---------------------- */

/* The servers at levels 2 and 3 on a plain link with no key: both refuse 0x0005 (Table 10.2,
 * "No LTK": pairing is what is missing, the note says it does not ask for MITM).  After Just
 * Works pairing (an unauthenticated key, the link encrypted) the level-3 server still refuses
 * 0x0005 while the level-2 one accepts: the refusal was the authentication requirement's. */
static void refuses_unauthenticated(struct tester *t, enum l2k_mode mode)
{
	struct tester_rec r2 = {0}, r3 = {0};
	server(t, SPSM_L2, mode, L2K_SEC_MEDIUM, &r2);
	server(t, SPSM_L3, mode, L2K_SEC_HIGH, &r3);
	request(t, mode, 0x21, SPSM_L3, TCID, 0x0005);
	request(t, mode, 0x22, SPSM_L2, TCID, 0x0005);
	struct l2k_link_security ls = iut_link(t);
	assert_false(ls.encrypted);
	assert_int_equal(tester_secure(t, L2K_SEC_MEDIUM), 0);
	ls = iut_link(t);
	assert_true(ls.encrypted);
	assert_false(ls.authenticated);
	assert_int_equal(ls.key_size, 16);
	assert_int_equal(ls.level, L2K_SEC_MEDIUM);
	request(t, mode, 0x23, SPSM_L3, TCID, 0x0005);
	request(t, mode, 0x24, SPSM_L2, TCID, 0x0000);
	opened(t, &r2, nchan(mode));
	assert_int_equal(r3.accept_calls, 0);
	assert_int_equal(r3.opened + r3.closed, 0);
}

/* An LE credit based server needing authentication refuses a link without it: Insufficient
 * Authentication (0x0005), then still after Just Works pairing for level 3.  (The L2CAP.TS case,
 * the refusal on a link without a key, is l2tester's, in tools/l2tester/cases_misc.c, where the
 * tester does not pair.) */
static void test_le_cfc_refuses_unauthenticated_link_before_and_after_just_works(void **state)
{
	refuses_unauthenticated(*state, L2K_MODE_LE_CREDIT);
}

/* The same for an enhanced credit based request for two channels: both refused 0x0005 with zero
 * DCIDs (l2tester's case plays the refusal without a key). */
static void test_ecfc_refuses_unauthenticated_link_before_and_after_just_works_le(void **state)
{
	refuses_unauthenticated(*state, L2K_MODE_ECFC);
}

/* ---- key size ----------------------------------------------------------------------------- */

/* The IUT accepts no key shorter than 16 octets; the bond's key (a legacy LTK the IUT gave, so
 * the link's key too) has 7: the link is encrypted but counts as level 1, and the level-2
 * server refuses 0x0007. */
static void refuses_key_below_minimum(struct tester *t, enum l2k_mode mode)
{
	struct tester_rec r2 = {0};
	server(t, SPSM_L2, mode, L2K_SEC_MEDIUM, &r2);
	assert_int_equal(tester_share_ltk(t, 7, false, false), 0);
	assert_int_equal(tester_secure(t, L2K_SEC_MEDIUM), 0); /* the tester's minimum is 7 */
	struct l2k_link_security ls = iut_link(t);
	assert_true(ls.encrypted && ls.bonded);
	assert_false(ls.secure_conn);
	assert_int_equal(ls.key_size, 7);
	assert_int_equal(ls.level, L2K_SEC_LOW);
	request(t, mode, 0x41, SPSM_L2, TCID, 0x0007);
	assert_int_equal(r2.accept_calls, 0);
	assert_true(tester_quiet(t, 300));
}

/* (No L2CAP.TS ID: the TS case is l2tester's, in cases_sec.c, with a level-4 service.)  The
 * encryption key is shorter than the IUT's min_key_size: an LE credit based request is refused
 * with Encryption Key Size Too Short (0x0007). */
static void test_le_cfc_refuses_key_below_iut_minimum(void **state)
{
	refuses_key_below_minimum(*state, L2K_MODE_LE_CREDIT);
}

/* (No L2CAP.TS ID: the TS case is l2tester's.)  An enhanced credit based request on a link
 * whose key is shorter than the IUT's min_key_size: both channels refused 0x0007. */
static void test_ecfc_refuses_key_below_iut_minimum_le(void **state)
{
	refuses_key_below_minimum(*state, L2K_MODE_ECFC);
}

/* (No L2CAP.TS ID: the TS case, a 5-octet key, is l2tester's.)  BR/EDR level 4 needs a 16-octet key: numeric comparison with Secure
 * Connections gives an authenticated P-256 key, the tester's controller a 12-octet encryption
 * key: level 3.  The level-4 PSM refuses 0x0007, the level-3 PSM accepts. */
static void test_ecfc_bredr_level_4_refuses_key_shorter_than_16(void **state)
{
	struct tester *t = *state;
	struct tester_rec r3 = {0}, r4 = {0};
	server(t, PSM_L3, L2K_MODE_ECFC, L2K_SEC_HIGH, &r3);
	server(t, PSM_L4, L2K_MODE_ECFC, L2K_SEC_FIPS, &r4);
	assert_int_equal(tester_secure(t, L2K_SEC_HIGH), 0);
	struct l2k_link_security ls = iut_link(t);
	assert_true(ls.encrypted && ls.authenticated && ls.secure_conn);
	assert_int_equal(ls.key_size, 12);
	assert_int_equal(ls.level, L2K_SEC_HIGH);
	ecfc_request2(t, 0x53, PSM_L4, TCID, 0x0007);
	assert_int_equal(r4.accept_calls, 0);
	ecfc_request2(t, 0x54, PSM_L3, TCID, 0x0000);
	opened(t, &r3, 2);
}

/* ---- BR/EDR Basic channels (no L2CAP.TS ID) ----------------------------------------------- */

/* The tester's Connection Request for psm from TCID; the IUT must answer "pending,
 * authentication pending" (result 0x0001, status 0x0001) with its CID, which is returned. */
static uint16_t bredr_pending(struct tester *t, uint8_t id, uint16_t psm)
{
	uint8_t rq[4];
	t_put16(rq, psm);
	t_put16(rq + 2, TCID);
	assert_int_equal(tester_send_sig(t, 0x02, id, rq, 4), 0);
	const struct tester_pdu *p = tester_expect_sig(t, 0x03, 3000);
	assert_non_null(p);
	assert_int_equal(p->len, 12);
	uint16_t icid = t_get16(p->data + 4);
	assert_true(icid >= 0x0040);
	uint8_t w[12] = {0x03, id, 0x08, 0x00, 0, 0, 0x40, 0x00, 0x01, 0x00, 0x01, 0x00};
	t_put16(w + 4, icid);
	assert_true(tester_sig_is(p, w, 12));
	return icid;
}

/* A service at level 3, and neither side can do better than Just Works (both NoInputNoOutput):
 * the IUT answers "pending, authentication", tries to raise the link, refuses the
 * unauthenticated pairing itself, and refuses the channel with Security Block (0x0003: DCID 0,
 * status 0).  The application is never asked. */
static void test_bredr_security_block_when_link_cannot_be_raised(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.sec_level = L2K_SEC_HIGH;
	assert_int_equal(tester_server(t, PSM_L3, false, &o, &r), 0);
	bredr_pending(t, 0x61, PSM_L3);
	const struct tester_pdu *p = tester_expect_sig(t, 0x03, 40000);
	const uint8_t w[12] = {0x03, 0x61, 0x08, 0x00, 0x00, 0x00, 0x40, 0x00, 0x03, 0x00, 0x00, 0x00};
	assert_true(tester_sig_is(p, w, 12));
	assert_int_equal(r.accept_calls, 0);
	assert_false(iut_link(t).authenticated);
	assert_true(tester_quiet(t, 500));
}

/* ---- Security Mode 4 (no L2CAP.TS ID; Vol 3 Part C 5.2.2) --------------------------------- */

/* Between two Simple Pairing hosts a service at the default level (0: level 1) other than SDP
 * needs level 2: the tester's plain Connection Request gets "pending, authentication", the IUT
 * pairs (Just Works: no question) and encrypts, then answers success; SDP (PSM 0x0001) asked
 * first on the same unencrypted link is answered success at once. */
static void test_bredr_mode4_acceptor_raises_level_1_service_sdp_at_once(void **state)
{
	struct tester *t = *state;
	struct tester_rec r1 = {0}, rs = {0};
	assert_int_equal(tester_server(t, PSM_L1, false, NULL, &r1), 0);
	assert_int_equal(tester_server(t, 0x0001, false, NULL, &rs), 0);
	uint8_t rq[4];
	t_put16(rq, 0x0001);
	t_put16(rq + 2, TCID + 1);
	assert_int_equal(tester_send_sig(t, 0x02, 0x70, rq, 4), 0);
	const struct tester_pdu *p = tester_expect_sig(t, 0x03, 3000);
	assert_non_null(p);
	assert_int_equal(p->len, 12);
	uint8_t w[12] = {0x03, 0x70, 0x08, 0x00, 0, 0, 0x41, 0x00, 0x00, 0x00, 0x00, 0x00};
	t_put16(w + 4, t_get16(p->data + 4));
	assert_true(tester_sig_is(p, w, 12)); /* success, no pending */
	assert_int_equal(rs.accept_calls, 1);
	assert_non_null(tester_expect_sig(t, 0x04, 1000)); /* the IUT configures it (left there) */
	assert_false(iut_link(t).encrypted);
	tester_flush(t);
	uint16_t icid = bredr_pending(t, 0x71, PSM_L1);
	assert_int_equal(r1.accept_calls, 0); /* not before the link has level 2 */
	p = tester_expect_sig(t, 0x03, 40000);
	uint8_t w2[12] = {0x03, 0x71, 0x08, 0x00, 0, 0, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00};
	t_put16(w2 + 4, icid);
	assert_true(tester_sig_is(p, w2, 12));
	assert_int_equal(r1.accept_calls, 1);
	struct l2k_link_security ls = iut_link(t);
	assert_true(ls.encrypted);
	assert_false(ls.authenticated);
	assert_int_equal(ls.level, L2K_SEC_MEDIUM);
}

/* The IUT opening a channel at the default level to a Simple Pairing tester pairs and encrypts
 * the link before its first signaling command (the Information Request, then the Connection
 * Request). */
static void test_bredr_mode4_initiator_encrypts_before_requesting(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	l2k_chan *ch;
	struct l2k_chan_cbs cb = tester_rec_cbs(&r);
	assert_int_equal(l2k_chan_connect(t->iut, &t->tst_addr, L2K_ADDR_BREDR, PSM_L1, NULL, &cb, &ch), 0);
	const struct tester_pdu *p = tester_next_on(t, 0x0001, 40000);
	assert_non_null(p);
	assert_int_equal(p->data[0], 0x0A); /* Information Request */
	struct l2k_link_security ls;
	assert_int_equal(l2k_link_security(t->tst, t->tst_handle, &ls), 0);
	assert_true(ls.encrypted); /* already encrypted when it came */
	assert_int_equal(iut_link(t).level, L2K_SEC_MEDIUM);
}

/* A service at level 2: "pending, authentication", the IUT pairs (Just Works) and encrypts,
 * then answers success with the same CID and configures the channel (its Configuration Request
 * names the tester's CID). */
static void test_bredr_pending_then_success_once_link_raised(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.sec_level = L2K_SEC_MEDIUM;
	assert_int_equal(tester_server(t, PSM_L2, false, &o, &r), 0);
	uint16_t icid = bredr_pending(t, 0x62, PSM_L2);
	const struct tester_pdu *p = tester_expect_sig(t, 0x03, 40000);
	uint8_t w[12] = {0x03, 0x62, 0x08, 0x00, 0, 0, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00};
	t_put16(w + 4, icid);
	assert_true(tester_sig_is(p, w, 12));
	assert_int_equal(r.accept_calls, 1);
	struct l2k_link_security ls = iut_link(t);
	assert_true(ls.encrypted);
	assert_int_equal(ls.level, L2K_SEC_MEDIUM);
	p = tester_expect_sig(t, 0x04, 3000);
	assert_non_null(p);
	assert_true(p->len >= 8);
	assert_int_equal(t_get16(p->data + 4), TCID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_le_cfc_refuses_unauthenticated_link_before_and_after_just_works, setup_le_smp, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_refuses_unauthenticated_link_before_and_after_just_works_le, setup_le_smp, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_le_cfc_refuses_key_below_iut_minimum, setup_le_min16, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_refuses_key_below_iut_minimum_le, setup_le_min16, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_bredr_level_4_refuses_key_shorter_than_16, setup_bredr_nc_key12, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_bredr_security_block_when_link_cannot_be_raised, setup_bredr_ssp, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_bredr_pending_then_success_once_link_raised, setup_bredr_ssp, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_bredr_mode4_acceptor_raises_level_1_service_sdp_at_once, setup_bredr_ssp, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_bredr_mode4_initiator_encrypts_before_requesting, setup_bredr_ssp, tester_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
