/* Conformance: L2CAP.TS group ECFC, part 1: the IUT as initiator of Credit Based Connection
 * Requests (Vol 3 Part A 4.25-4.26, 10.2) on LE-U and ACL-U: one request for several channels,
 * success, refusals of all or some channels, duplicate DCIDs, CID allocation, disconnection,
 * and the BR/EDR extended feature mask.  Each LE ID and its BR/EDR twin run the same body on a
 * link of each kind.  The other parts:
 *   test_ts_ecfc_accept.c     the IUT as acceptor; LE/CID/BV-03, BV-04 (ECFC on both links)
 *   test_ts_ecfc_reconf.c     Credit Based Reconfigure both ways (4.27-4.28)
 *   test_ts_ecfc_data.c       the credit based data path (10.2, 3.4) and group COS/ECFC
 *   test_ts_ecfc_malformed.c  COS/CED BI-18/20/22/24/25, ECFC BV-39/40, BI-09 and other
 *                             malformed or edge input
 *   test_ts_security.c        the refusals of a link short of a server's security (BV-11,
 *                             BV-15, BV-32, BV-70)
 *
 * Not covered by this group's files (ID -- reason):
 *   L2CAP/COS/CED/BI-23-C -- n/a: for an IUT without ECFC support; l2kit supports it (see COS/CED/BI-22)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/l2cap_int.h"
#include "tests/conformance/test_ts_ecfc.h"

/* L2CAP/ECFC/BV-01-C, BV-45-C: a peer without the mode answers the request with Command
 * Reject: no channel is created, the application hears "refused" (result 0xFFFF) for each, and
 * the IUT sends nothing more. */
static void request_rejected(struct tester *t)
{
	struct tester_rec r = {0};
	l2k_chan *ch[2];
	struct ecfc_req rq;
	ecfc_iut_start(t, 2, NULL, &r, 1, ch, &rq);
	const uint8_t rej[2] = {0x00, 0x00};
	tester_send_sig(t, 0x01, rq.ident, rej, 2);
	assert_true(tester_wait_closed(t, &r, 2, 2000));
	assert_int_equal(r.opened, 0);
	assert_int_equal(r.reason, L2K_CLOSE_REFUSED);
	assert_int_equal(r.last_result, 0xFFFF);
	assert_true(tester_quiet(t, 1000));
}

static void test_ECFC_BV_01_C_command_reject_means_no_channel_le(void **state)
{
	request_rejected(*state);
}

static void test_ECFC_BV_45_C_command_reject_means_no_channel_bredr(void **state)
{
	request_rejected(*state);
}

/* L2CAP/ECFC/BV-02-C, BV-46-C: three channels in one request carrying the SPSM, the MTU, MPS
 * and credits the application set and three dynamic SCIDs; a success response opens all three
 * with the peer's values, and each carries data to its own peer CID. */
static void iut_opens_channels(struct tester *t)
{
	struct tester_rec r = {0};
	l2k_chan *ch[3];
	struct ecfc_req rq;
	ecfc_iut_start(t, 3, NULL, &r, 1, ch, &rq);
	struct ecfc_rsp rsp = {.mtu = 300, .mps = 80, .credits = 4, .n = 3, .dcid = {0x0040, 0x0041, 0x0042}};
	ecfc_send_rsp(t, rq.ident, &rsp);
	assert_true(tester_wait_open(t, &r, 3, 2000));
	for (int i = 0; i < 3; i++) {
		struct l2k_chan_info ci;
		assert_int_equal(l2k_chan_get_info(ch[i], &ci), 0);
		assert_int_equal(ci.mode, L2K_MODE_ECFC);
		assert_int_equal(ci.local_cid, rq.cid[i]);
		assert_int_equal(ci.remote_cid, 0x0040 + i);
		assert_int_equal(ci.remote_mtu, 300);
		assert_int_equal(ci.remote_mps, 80);
		assert_int_equal(ci.credits_tx, 4);
		assert_int_equal(ci.local_mtu, ECFC_IUT_MTU);
		assert_int_equal(ci.local_mps, ECFC_IUT_MPS);
		assert_int_equal(ci.credits_rx, ECFC_IUT_CREDITS);
		assert_int_equal(ci.psm, ecfc_psm(t));
	}
	for (int i = 2; i >= 0; i--) {
		uint8_t b[3] = {'c', 'h', (uint8_t)('0' + i)};
		assert_int_equal(l2k_chan_send(ch[i], b, 3), 0);
		ecfc_expect_kframe(t, (uint16_t)(0x0040 + i), 3, b, 3);
	}
	assert_int_equal(r.closed, 0);
}

static void test_ECFC_BV_02_C_iut_opens_channels_le(void **state)
{
	iut_opens_channels(*state);
}

static void test_ECFC_BV_46_C_iut_opens_channels_bredr(void **state)
{
	iut_opens_channels(*state);
}

/* The tester answers a request for n channels with result and these DCIDs (MTU 100, MPS 64, 5
 * credits); r[i] records channel i.  Returns the request. */
static struct ecfc_req answer(struct tester *t, int n, struct tester_rec *r, l2k_chan **ch, uint16_t result,
			      const uint16_t *dcid, int ndcid)
{
	struct ecfc_req rq;
	ecfc_iut_start(t, n, NULL, r, n, ch, &rq);
	struct ecfc_rsp rsp = {.mtu = 100, .mps = 64, .credits = 5, .result = result, .n = ndcid};
	for (int i = 0; i < ndcid; i++)
		rsp.dcid[i] = dcid[i];
	ecfc_send_rsp(t, rq.ident, &rsp);
	tester_run(t, 200);
	return rq;
}

/* An "all connections refused" result with zero DCIDs: no channel, each application channel
 * hears "refused" with that result, and the IUT sends nothing more. */
static void refused_all(struct tester *t, uint16_t result)
{
	struct tester_rec r[3] = {{0}};
	l2k_chan *ch[3];
	static const uint16_t zero[3];
	answer(t, 3, r, ch, result, zero, 3);
	for (int i = 0; i < 3; i++) {
		assert_true(tester_wait_closed(t, &r[i], 1, 2000));
		assert_int_equal(r[i].opened, 0);
		assert_int_equal(r[i].reason, L2K_CLOSE_REFUSED);
		assert_int_equal(r[i].last_result, result);
	}
	assert_true(tester_quiet(t, 1000));
}

/* A "some connections refused" result: the channels with a DCID open (and carry data), the one
 * with DCID 0x0000 is refused with the result. */
static void refused_some(struct tester *t, uint16_t result)
{
	struct tester_rec r[3] = {{0}};
	l2k_chan *ch[3];
	static const uint16_t dcid[3] = {0x0050, 0x0000, 0x0051};
	struct ecfc_req rq = answer(t, 3, r, ch, result, dcid, 3);
	assert_true(tester_wait_open(t, &r[0], 1, 2000));
	assert_true(tester_wait_open(t, &r[2], 1, 2000));
	assert_true(tester_wait_closed(t, &r[1], 1, 2000));
	assert_int_equal(r[1].opened, 0);
	assert_int_equal(r[1].reason, L2K_CLOSE_REFUSED);
	assert_int_equal(r[1].last_result, result);
	assert_int_equal(r[0].closed + r[2].closed, 0);
	assert_int_equal(tester_send_kframe(t, rq.cid[2], 2, (const uint8_t *)"c2", 2), 0);
	assert_int_equal(tester_send_kframe(t, rq.cid[0], 2, (const uint8_t *)"c0", 2), 0);
	assert_true(tester_wait_sdus(t, &r[0], 1, 2000));
	assert_true(tester_wait_sdus(t, &r[2], 1, 2000));
	assert_memory_equal(r[0].data, "c0", 2);
	assert_memory_equal(r[2].data, "c2", 2);
	assert_true(tester_quiet(t, 500));
}

/* L2CAP/ECFC/BV-04-C, BV-48-C: the whole request is refused "SPSM not supported" (0x0002). */
static void test_ECFC_BV_04_C_refused_spsm_not_supported_le(void **state)
{
	refused_all(*state, 0x0002);
}

static void test_ECFC_BV_48_C_refused_spsm_not_supported_bredr(void **state)
{
	refused_all(*state, 0x0002);
}

/* L2CAP/ECFC/BV-28-C, BV-72-C: "SPSM not supported" refuses every channel even when the
 * response (wrongly) carries DCIDs: nothing opens and the IUT sends nothing for them. */
static void spsm_unsupported_ignores_dcids(struct tester *t)
{
	struct tester_rec r[2] = {{0}};
	l2k_chan *ch[2];
	static const uint16_t dcid[2] = {0x0044, 0x0045};
	answer(t, 2, r, ch, 0x0002, dcid, 2);
	for (int i = 0; i < 2; i++) {
		assert_true(tester_wait_closed(t, &r[i], 1, 2000));
		assert_int_equal(r[i].opened, 0);
		assert_int_equal(r[i].last_result, 0x0002);
	}
	assert_true(tester_quiet(t, 1000));
}

static void test_ECFC_BV_28_C_spsm_unsupported_response_no_channel_le(void **state)
{
	spsm_unsupported_ignores_dcids(*state);
}

static void test_ECFC_BV_72_C_spsm_unsupported_response_no_channel_bredr(void **state)
{
	spsm_unsupported_ignores_dcids(*state);
}

/* L2CAP/ECFC/BV-10-C, BV-67-C: refused for insufficient authentication (0x0005). */
static void test_ECFC_BV_10_C_refused_insufficient_authentication_le(void **state)
{
	refused_all(*state, 0x0005);
}

static void test_ECFC_BV_67_C_refused_insufficient_authentication_bredr(void **state)
{
	refused_all(*state, 0x0005);
}

/* L2CAP/ECFC/BV-12-C, BV-68-C: refused for insufficient authorization (0x0006). */
static void test_ECFC_BV_12_C_refused_insufficient_authorization_le(void **state)
{
	refused_all(*state, 0x0006);
}

static void test_ECFC_BV_68_C_refused_insufficient_authorization_bredr(void **state)
{
	refused_all(*state, 0x0006);
}

/* L2CAP/ECFC/BV-14-C, BV-52-C: refused for an encryption key too short (0x0007). */
static void test_ECFC_BV_14_C_refused_key_size_le(void **state)
{
	refused_all(*state, 0x0007);
}

static void test_ECFC_BV_52_C_refused_key_size_bredr(void **state)
{
	refused_all(*state, 0x0007);
}

/* L2CAP/ECFC/BV-31-C: refused for insufficient encryption (0x0008). */
static void test_ECFC_BV_31_C_refused_insufficient_encryption_le(void **state)
{
	refused_all(*state, 0x0008);
}

/* L2CAP/ECFC/BV-21-C, BV-57-C: refused with "unacceptable parameters" (0x000B). */
static void test_ECFC_BV_21_C_refused_unacceptable_parameters_le(void **state)
{
	refused_all(*state, 0x000B);
}

static void test_ECFC_BV_57_C_refused_unacceptable_parameters_bredr(void **state)
{
	refused_all(*state, 0x000B);
}

/* L2CAP/ECFC/BV-16-C, BV-71-C: some refused for lack of resources (0x0004). */
static void test_ECFC_BV_16_C_refused_no_resources_le(void **state)
{
	refused_some(*state, 0x0004);
}

static void test_ECFC_BV_71_C_refused_no_resources_bredr(void **state)
{
	refused_some(*state, 0x0004);
}

/* L2CAP/ECFC/BV-18-C, BV-54-C: some refused with "invalid Source CID" (0x0009). */
static void test_ECFC_BV_18_C_refused_invalid_scid_le(void **state)
{
	refused_some(*state, 0x0009);
}

static void test_ECFC_BV_54_C_refused_invalid_scid_bredr(void **state)
{
	refused_some(*state, 0x0009);
}

/* L2CAP/ECFC/BV-19-C, BV-55-C: some refused with "Source CID already allocated" (0x000A). */
static void test_ECFC_BV_19_C_refused_scid_in_use_le(void **state)
{
	refused_some(*state, 0x000A);
}

static void test_ECFC_BV_55_C_refused_scid_in_use_bredr(void **state)
{
	refused_some(*state, 0x000A);
}

/* L2CAP/ECFC/BV-29-C, BV-64-C: a response giving a new channel the DCID of a channel already
 * open: both are discarded (4.26).  The new one goes without a word (it was never
 * established); the original is disconnected with a Disconnection Request naming its CIDs; the
 * other new channel of the response opens normally. */
static void dcid_already_in_use(struct tester *t)
{
	struct tester_rec r0 = {0};
	l2k_chan *first;
	uint16_t icid0;
	ecfc_iut_open(t, 1, NULL, &r0, &first, &icid0, 0x0040, 100, 64, 5);
	struct tester_rec r[2] = {{0}};
	l2k_chan *ch[2];
	static const uint16_t dcid[2] = {0x0040, 0x0041};
	answer(t, 2, r, ch, 0x0000, dcid, 2);
	ecfc_expect_disconnect(t, 0x0040, icid0);
	assert_true(tester_wait_closed(t, &r0, 1, 2000));
	assert_int_equal(r0.reason, L2K_CLOSE_PROTOCOL);
	assert_true(tester_wait_closed(t, &r[0], 1, 2000));
	assert_int_equal(r[0].opened, 0);
	assert_int_equal(r[0].reason, L2K_CLOSE_PROTOCOL);
	assert_int_equal(r[1].opened, 1);
	assert_int_equal(r[1].closed, 0);
	assert_int_equal(l2k_chan_send(ch[1], (const uint8_t *)"ok", 2), 0);
	ecfc_expect_kframe(t, 0x0041, 2, (const uint8_t *)"ok", 2);
	assert_true(tester_quiet(t, 1000));
}

static void test_ECFC_BV_29_C_response_dcid_already_in_use_le(void **state)
{
	dcid_already_in_use(*state);
}

static void test_ECFC_BV_64_C_response_dcid_already_in_use_bredr(void **state)
{
	dcid_already_in_use(*state);
}

/* L2CAP/ECFC/BI-07-C, BI-16-C: one response giving two channels the same DCID: the IUT does not
 * end up with two channels on one DCID.  Neither opens for the application; the first (which
 * the peer believes established) is disconnected with one Disconnection Request, the second is
 * dropped without a word. */
static void duplicate_dcid_in_response(struct tester *t)
{
	struct tester_rec r[2] = {{0}};
	l2k_chan *ch[2];
	static const uint16_t dcid[2] = {0x0045, 0x0045};
	struct ecfc_req rq = answer(t, 2, r, ch, 0x0000, dcid, 2);
	ecfc_expect_disconnect(t, 0x0045, rq.cid[0]);
	for (int i = 0; i < 2; i++) {
		assert_true(tester_wait_closed(t, &r[i], 1, 2000));
		assert_int_equal(r[i].opened, 0);
		assert_int_equal(r[i].reason, L2K_CLOSE_PROTOCOL);
	}
	assert_true(tester_quiet(t, 1000));
}

static void test_ECFC_BI_07_C_duplicate_dcid_not_used_twice_le(void **state)
{
	duplicate_dcid_in_response(*state);
}

static void test_ECFC_BI_16_C_duplicate_dcid_not_used_twice_bredr(void **state)
{
	duplicate_dcid_in_response(*state);
}

/* L2CAP/ECFC/BV-38-C, BV-79-C: the IUT takes its Source CIDs from the link's dynamic range
 * (LE 0x0040-0x007F; ACL-U 0x0040-0xFFFF), a different one for every channel, across requests. */
static void scids_dynamic(struct tester *t)
{
	struct tester_rec r = {0};
	l2k_chan *ch[5];
	uint16_t cids[10];
	ecfc_iut_open(t, 5, NULL, &r, ch, cids, 0x0040, 100, 64, 5);
	ecfc_iut_open(t, 5, NULL, &r, ch, cids + 5, 0x0045, 100, 64, 5);
	for (int i = 0; i < 10; i++) {
		assert_true(cids[i] >= 0x0040 && cids[i] <= ecfc_dyn_end(t));
		for (int k = 0; k < i; k++)
			assert_int_not_equal(cids[k], cids[i]);
	}
	assert_int_equal(r.opened, 10);
}

static void test_ECFC_BV_38_C_scids_from_dynamic_range_le(void **state)
{
	scids_dynamic(*state);
}

static void test_ECFC_BV_79_C_scids_from_dynamic_range_bredr(void **state)
{
	scids_dynamic(*state);
}

/* L2CAP/ECFC/BV-08-C, BV-65-C: the IUT closes one channel of a group with a Disconnection
 * Request (DCID the peer's CID, SCID its own) and finishes on the response; the other channel
 * of the group stays open. */
static void iut_disconnects(struct tester *t)
{
	struct tester_rec r = {0};
	l2k_chan *ch[2];
	uint16_t icid[2];
	ecfc_iut_open(t, 2, NULL, &r, ch, icid, 0x0060, 100, 64, 5);
	assert_int_equal(l2k_chan_close(ch[1]), 0);
	ecfc_expect_disconnect(t, 0x0061, icid[1]);
	assert_true(tester_wait_closed(t, &r, 1, 2000));
	assert_int_equal(r.reason, L2K_CLOSE_LOCAL);
	assert_int_equal(l2k_chan_send(ch[0], (const uint8_t *)"still", 5), 0);
	ecfc_expect_kframe(t, 0x0060, 5, (const uint8_t *)"still", 5);
	assert_true(tester_quiet(t, 500));
}

static void test_ECFC_BV_08_C_iut_disconnects_le(void **state)
{
	iut_disconnects(*state);
}

static void test_ECFC_BV_65_C_iut_disconnects_bredr(void **state)
{
	iut_disconnects(*state);
}

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
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_01_C_command_reject_means_no_channel_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_45_C_command_reject_means_no_channel_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_02_C_iut_opens_channels_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_46_C_iut_opens_channels_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_04_C_refused_spsm_not_supported_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_48_C_refused_spsm_not_supported_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_28_C_spsm_unsupported_response_no_channel_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_72_C_spsm_unsupported_response_no_channel_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_10_C_refused_insufficient_authentication_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_67_C_refused_insufficient_authentication_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_12_C_refused_insufficient_authorization_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_68_C_refused_insufficient_authorization_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_14_C_refused_key_size_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_52_C_refused_key_size_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_31_C_refused_insufficient_encryption_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_21_C_refused_unacceptable_parameters_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_57_C_refused_unacceptable_parameters_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_16_C_refused_no_resources_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_71_C_refused_no_resources_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_18_C_refused_invalid_scid_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_54_C_refused_invalid_scid_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_19_C_refused_scid_in_use_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_55_C_refused_scid_in_use_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_29_C_response_dcid_already_in_use_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_64_C_response_dcid_already_in_use_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BI_07_C_duplicate_dcid_not_used_twice_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BI_16_C_duplicate_dcid_not_used_twice_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_38_C_scids_from_dynamic_range_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_79_C_scids_from_dynamic_range_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_08_C_iut_disconnects_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_65_C_iut_disconnects_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_feature_bit_in_extended_features_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_peer_without_feature_gets_no_request_bredr, ecfc_setup_bredr, ecfc_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
