/* Conformance: L2CAP.TS group ECFC, part 3: Credit Based Reconfigure Request / Response (Vol 3
 * Part A 4.27-4.28) both ways on LE-U and ACL-U.  The request names the requester's own CIDs
 * (the receiver's remote CIDs).  The MTU may only grow; the MPS may shrink only when one
 * channel is named.  Results: 0x0000 success, 0x0001 MTU reduced, 0x0002 MPS reduced for more
 * than one channel, 0x0003 invalid CID, 0x0004 other unacceptable parameters.  IDs not
 * covered: see test_ts_ecfc.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/conformance/test_ts_ecfc.h"

/* The tester's Credit Based Reconfigure Request naming its own CIDs. */
static void send_reconf(struct tester *t, uint8_t id, uint16_t mtu, uint16_t mps, const uint16_t *cid, int n)
{
	uint8_t d[4 + 2 * 8];
	t_put16(d, mtu);
	t_put16(d + 2, mps);
	for (int i = 0; i < n; i++)
		t_put16(d + 4 + 2 * i, cid[i]);
	assert_int_equal(tester_send_sig(t, 0x19, id, d, 4 + 2 * (size_t)n), 0);
}

/* The next signaling PDU must be exactly a Reconfigure Response to id with result. */
static void want_reconf_rsp(struct tester *t, uint8_t id, uint16_t result)
{
	const struct tester_pdu *p = ecfc_expect_sig(t, 0x1A, 2000);
	uint8_t w[6] = {0x1A, id, 0x02, 0x00};
	t_put16(w + 4, result);
	assert_true(tester_sig_is(p, w, 6));
}

/* The IUT's Reconfigure Request must be exactly MTU, MPS and its CIDs; returns its identifier. */
static uint8_t want_iut_reconf(struct tester *t, uint16_t mtu, uint16_t mps, const uint16_t *icid, int n)
{
	const struct tester_pdu *p = ecfc_expect_sig(t, 0x19, 2000);
	assert_non_null(p);
	uint8_t w[4 + 4 + 10] = {0x19, p->data[1]};
	t_put16(w + 2, (uint16_t)(4 + 2 * n));
	t_put16(w + 4, mtu);
	t_put16(w + 6, mps);
	for (int i = 0; i < n; i++)
		t_put16(w + 8 + 2 * i, icid[i]);
	assert_true(tester_sig_is(p, w, 8 + 2 * (size_t)n));
	return p->data[1];
}

static void answer_reconf(struct tester *t, uint8_t id, uint16_t result)
{
	uint8_t d[2];
	t_put16(d, result);
	tester_send_sig(t, 0x1A, id, d, 2);
	tester_run(t, 100);
}

/* The tester sends one SDU of n pattern octets on the IUT's CID icid, in K-frames of at most
 * kmps octets. */
static void send_sdu(struct tester *t, uint16_t icid, size_t n, size_t kmps, uint8_t seed)
{
	uint8_t b[1024] = {0};
	assert_true(n <= sizeof(b));
	ecfc_fill(b, n, seed);
	size_t off = n < kmps - 2 ? n : kmps - 2;
	assert_int_equal(tester_send_kframe(t, icid, (int)n, b, off), 0);
	while (off < n) {
		size_t k = n - off < kmps ? n - off : kmps;
		assert_int_equal(tester_send_kframe(t, icid, -1, b + off, k), 0);
		off += k;
	}
}

/* The IUT's K-frames of one SDU of n pattern octets for the tester's CID tcid, at peer MPS mps. */
static void expect_sdu(struct tester *t, uint16_t tcid, size_t n, size_t mps, uint8_t seed)
{
	uint8_t b[1024] = {0};
	ecfc_fill(b, n, seed);
	size_t off = n < mps - 2 ? n : mps - 2;
	ecfc_expect_kframe(t, tcid, (int)n, b, off);
	while (off < n) {
		size_t k = n - off < mps ? n - off : mps;
		ecfc_expect_kframe(t, tcid, -1, b + off, k);
		off += k;
	}
}

/* L2CAP/ECFC/BV-22-C, BV-58-C: the IUT raises the MTU of two open channels: its request names
 * MTU 400, MPS 100 and its two CIDs.  From the request on it takes SDUs of the new size; after
 * the success response the new MTU is the limit (an SDU of 401 ends the channel).  It refuses
 * to ask for a smaller MTU at all. */
static void iut_raises_mtu(struct tester *t)
{
	struct tester_rec r = {0};
	l2k_chan *ch[2];
	uint16_t icid[2];
	ecfc_iut_open(t, 2, NULL, &r, ch, icid, 0x0040, 100, 64, 5);
	assert_int_equal(l2k_chan_reconfigure(ch, 2, 150, ECFC_IUT_MPS), L2K_EINVAL);
	assert_int_equal(l2k_chan_reconfigure(ch, 2, 400, ECFC_IUT_MPS), 0);
	uint8_t id = want_iut_reconf(t, 400, ECFC_IUT_MPS, icid, 2);
	send_sdu(t, icid[0], 400, ECFC_IUT_MPS, 1);
	assert_true(tester_wait_sdus(t, &r, 1, 2000));
	assert_int_equal(r.len, 400);
	answer_reconf(t, id, 0x0000);
	for (int i = 0; i < 2; i++) {
		struct l2k_chan_info ci;
		l2k_chan_get_info(ch[i], &ci);
		assert_int_equal(ci.result, 0);
		assert_int_equal(ci.local_mtu, 400);
		assert_int_equal(ci.local_mps, ECFC_IUT_MPS);
	}
	send_sdu(t, icid[1], 400, ECFC_IUT_MPS, 2);
	assert_true(tester_wait_sdus(t, &r, 2, 2000));
	uint8_t b[400];
	ecfc_fill(b, 400, 2);
	assert_memory_equal(r.data, b, 400);
	assert_int_equal(tester_send_kframe(t, icid[1], 401, b, 10), 0);
	ecfc_expect_disconnect(t, 0x0041, icid[1]);
	assert_true(tester_wait_closed(t, &r, 1, 2000));
	assert_int_equal(r.reason, L2K_CLOSE_PROTOCOL);
}

static void test_ECFC_BV_22_C_iut_raises_mtu_le(void **state)
{
	iut_raises_mtu(*state);
}

static void test_ECFC_BV_58_C_iut_raises_mtu_bredr(void **state)
{
	iut_raises_mtu(*state);
}

/* L2CAP/ECFC/BV-23-C, BV-59-C: the tester raises its MTU (100 -> 150) on two channels: success,
 * and the IUT then sends SDUs of 150 (refusing 151). */
static void accepts_larger_mtu(struct tester *t)
{
	struct tester_rec r = {0};
	l2k_chan *ch[2];
	uint16_t icid[2];
	ecfc_iut_open(t, 2, NULL, &r, ch, icid, 0x0040, 100, 64, 10);
	uint8_t b[151];
	ecfc_fill(b, sizeof(b), 3);
	assert_int_equal(l2k_chan_send(ch[1], b, 150), L2K_EMSGSIZE);
	static const uint16_t tc[2] = {0x0040, 0x0041};
	send_reconf(t, 0x41, 150, 64, tc, 2);
	want_reconf_rsp(t, 0x41, 0x0000);
	for (int i = 0; i < 2; i++) {
		struct l2k_chan_info ci;
		l2k_chan_get_info(ch[i], &ci);
		assert_int_equal(ci.remote_mtu, 150);
		assert_int_equal(ci.remote_mps, 64);
	}
	assert_int_equal(l2k_chan_send(ch[1], b, 151), L2K_EMSGSIZE);
	assert_int_equal(l2k_chan_send(ch[1], b, 150), 0);
	expect_sdu(t, 0x0041, 150, 64, 3);
	assert_int_equal(r.closed, 0);
}

static void test_ECFC_BV_23_C_accepts_larger_mtu_le(void **state)
{
	accepts_larger_mtu(*state);
}

static void test_ECFC_BV_59_C_accepts_larger_mtu_bredr(void **state)
{
	accepts_larger_mtu(*state);
}

/* L2CAP/ECFC/BI-03-C, BI-12-C: a reconfiguration lowering the MTU (100 -> 90) is refused 0x0001
 * and changes nothing (the IUT still sends SDUs of 100); the same MTU is not a reduction. */
static void refuses_smaller_mtu(struct tester *t)
{
	struct tester_rec r = {0};
	l2k_chan *ch[2];
	uint16_t icid[2];
	ecfc_iut_open(t, 2, NULL, &r, ch, icid, 0x0040, 100, 64, 10);
	static const uint16_t tc[2] = {0x0040, 0x0041};
	send_reconf(t, 0x42, 90, 64, tc, 2);
	want_reconf_rsp(t, 0x42, 0x0001);
	send_reconf(t, 0x43, 90, 64, tc + 1, 1);
	want_reconf_rsp(t, 0x43, 0x0001);
	struct l2k_chan_info ci;
	l2k_chan_get_info(ch[1], &ci);
	assert_int_equal(ci.remote_mtu, 100);
	uint8_t b[100];
	ecfc_fill(b, 100, 4);
	assert_int_equal(l2k_chan_send(ch[1], b, 100), 0);
	expect_sdu(t, 0x0041, 100, 64, 4);
	send_reconf(t, 0x44, 100, 64, tc, 2);
	want_reconf_rsp(t, 0x44, 0x0000);
	assert_int_equal(r.closed, 0);
}

static void test_ECFC_BI_03_C_refuses_smaller_mtu_le(void **state)
{
	refuses_smaller_mtu(*state);
}

static void test_ECFC_BI_12_C_refuses_smaller_mtu_bredr(void **state)
{
	refuses_smaller_mtu(*state);
}

/* L2CAP/ECFC/BV-24-C, BV-60-C: the IUT changes the MPS.  A single channel may shrink (100 ->
 * 64): until the success response it still takes K-frames of the old size, afterwards a
 * K-frame over 64 ends the channel.  For two channels it refuses to shrink, and a larger MPS
 * (150) applies at once. */
static void iut_changes_mps(struct tester *t)
{
	struct tester_rec r = {0};
	l2k_chan *ch[3];
	uint16_t icid[3];
	ecfc_iut_open(t, 3, NULL, &r, ch, icid, 0x0040, 100, 64, 10);
	assert_int_equal(l2k_chan_reconfigure(ch + 1, 2, ECFC_IUT_MTU, 64), L2K_EINVAL);
	assert_int_equal(l2k_chan_reconfigure(ch + 1, 2, ECFC_IUT_MTU, 150), 0);
	uint8_t id2 = want_iut_reconf(t, ECFC_IUT_MTU, 150, icid + 1, 2);
	send_sdu(t, icid[2], 150, 150, 5); /* one K-frame of 150 */
	assert_true(tester_wait_sdus(t, &r, 1, 2000));
	answer_reconf(t, id2, 0x0000);
	assert_int_equal(l2k_chan_reconfigure(ch, 1, ECFC_IUT_MTU, 64), 0);
	uint8_t id = want_iut_reconf(t, ECFC_IUT_MTU, 64, icid, 1);
	send_sdu(t, icid[0], 98, ECFC_IUT_MPS, 6); /* a K-frame of 100, still fine */
	assert_true(tester_wait_sdus(t, &r, 2, 2000));
	answer_reconf(t, id, 0x0000);
	struct l2k_chan_info ci;
	l2k_chan_get_info(ch[0], &ci);
	assert_int_equal(ci.local_mps, 64);
	assert_int_equal(ci.result, 0);
	send_sdu(t, icid[0], 100, 64, 7); /* 62 + 38 */
	assert_true(tester_wait_sdus(t, &r, 3, 2000));
	uint8_t b[65];
	ecfc_fill(b, sizeof(b), 8);
	assert_int_equal(tester_send_kframe(t, icid[0], 100, b, 63), 0); /* 65 > 64 */
	ecfc_expect_disconnect(t, 0x0040, icid[0]);
	assert_true(tester_wait_closed(t, &r, 1, 2000));
	assert_int_equal(r.reason, L2K_CLOSE_PROTOCOL);
	assert_int_equal(r.sdus, 3);
}

static void test_ECFC_BV_24_C_iut_changes_mps_le(void **state)
{
	iut_changes_mps(*state);
}

static void test_ECFC_BV_60_C_iut_changes_mps_bredr(void **state)
{
	iut_changes_mps(*state);
}

/* L2CAP/ECFC/BV-25-C, BV-61-C: the tester lowers the MPS of one channel (80 -> 64): success, and
 * the IUT segments that channel's SDUs with 64 while the other keeps 80. */
static void accepts_smaller_mps_for_one(struct tester *t)
{
	struct tester_rec r = {0};
	l2k_chan *ch[2];
	uint16_t icid[2];
	ecfc_iut_open(t, 2, NULL, &r, ch, icid, 0x0040, 100, 80, 10);
	static const uint16_t tc[1] = {0x0041};
	send_reconf(t, 0x45, 100, 64, tc, 1);
	want_reconf_rsp(t, 0x45, 0x0000);
	uint8_t b[100];
	ecfc_fill(b, 100, 9);
	assert_int_equal(l2k_chan_send(ch[1], b, 100), 0);
	expect_sdu(t, 0x0041, 100, 64, 9);
	assert_int_equal(l2k_chan_send(ch[0], b, 100), 0);
	expect_sdu(t, 0x0040, 100, 80, 9);
	assert_int_equal(r.closed, 0);
}

static void test_ECFC_BV_25_C_accepts_smaller_mps_for_one_channel_le(void **state)
{
	accepts_smaller_mps_for_one(*state);
}

static void test_ECFC_BV_61_C_accepts_smaller_mps_for_one_channel_bredr(void **state)
{
	accepts_smaller_mps_for_one(*state);
}

/* L2CAP/ECFC/BI-04-C, BI-13-C: lowering the MPS of two channels at once is refused 0x0002 and
 * changes nothing (MTU included); raising it for both is accepted. */
static void refuses_smaller_mps_for_several(struct tester *t)
{
	struct tester_rec r = {0};
	l2k_chan *ch[2];
	uint16_t icid[2];
	ecfc_iut_open(t, 2, NULL, &r, ch, icid, 0x0040, 100, 80, 10);
	static const uint16_t tc[2] = {0x0040, 0x0041};
	send_reconf(t, 0x46, 120, 64, tc, 2);
	want_reconf_rsp(t, 0x46, 0x0002);
	struct l2k_chan_info ci;
	l2k_chan_get_info(ch[0], &ci);
	assert_int_equal(ci.remote_mps, 80);
	assert_int_equal(ci.remote_mtu, 100);
	uint8_t b[100];
	ecfc_fill(b, 100, 10);
	assert_int_equal(l2k_chan_send(ch[1], b, 100), 0);
	expect_sdu(t, 0x0041, 100, 80, 10);
	send_reconf(t, 0x47, 120, 90, tc, 2);
	want_reconf_rsp(t, 0x47, 0x0000);
	l2k_chan_get_info(ch[1], &ci);
	assert_int_equal(ci.remote_mps, 90);
	assert_int_equal(ci.remote_mtu, 120);
}

static void test_ECFC_BI_04_C_refuses_smaller_mps_for_several_le(void **state)
{
	refuses_smaller_mps_for_several(*state);
}

static void test_ECFC_BI_13_C_refuses_smaller_mps_for_several_bredr(void **state)
{
	refuses_smaller_mps_for_several(*state);
}

/* L2CAP/ECFC/BI-05-C, BI-14-C: a reconfiguration naming a CID the IUT does not know (alone, or
 * with a valid one) is refused 0x0003 and changes nothing. */
static void refuses_unknown_cid(struct tester *t)
{
	struct tester_rec r = {0};
	l2k_chan *ch[1];
	uint16_t icid[1];
	ecfc_iut_open(t, 1, NULL, &r, ch, icid, 0x0040, 100, 80, 10);
	static const uint16_t unknown[1] = {0x0055};
	send_reconf(t, 0x48, 200, 80, unknown, 1);
	want_reconf_rsp(t, 0x48, 0x0003);
	static const uint16_t mix[2] = {0x0040, 0x0055};
	send_reconf(t, 0x49, 200, 80, mix, 2);
	want_reconf_rsp(t, 0x49, 0x0003);
	static const uint16_t iutside[1] = {0}; /* 0x0000 is never a channel */
	send_reconf(t, 0x4A, 200, 80, iutside, 1);
	want_reconf_rsp(t, 0x4A, 0x0003);
	struct l2k_chan_info ci;
	l2k_chan_get_info(ch[0], &ci);
	assert_int_equal(ci.remote_mtu, 100);
	assert_int_equal(r.closed, 0);
}

static void test_ECFC_BI_05_C_refuses_unknown_cid_le(void **state)
{
	refuses_unknown_cid(*state);
}

static void test_ECFC_BI_14_C_refuses_unknown_cid_bredr(void **state)
{
	refuses_unknown_cid(*state);
}

/* L2CAP/ECFC/BI-06-C, BI-15-C: other unacceptable parameters are refused 0x0004 and change
 * nothing: MPS below 64 or above 65533, MTU below 64, more than five CIDs, no CID at all or an
 * odd octet in the list. */
static void refuses_unacceptable(struct tester *t)
{
	struct tester_rec r = {0};
	l2k_chan *ch[1];
	uint16_t icid[1];
	ecfc_iut_open(t, 1, NULL, &r, ch, icid, 0x0040, 100, 80, 10);
	static const uint16_t tc[6] = {0x0040, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045};
	send_reconf(t, 0x4B, 200, 63, tc, 1);
	want_reconf_rsp(t, 0x4B, 0x0004);
	send_reconf(t, 0x4C, 200, 65534, tc, 1);
	want_reconf_rsp(t, 0x4C, 0x0004);
	send_reconf(t, 0x4D, 63, 80, tc, 1);
	want_reconf_rsp(t, 0x4D, 0x0004);
	send_reconf(t, 0x4E, 200, 80, tc, 6);
	want_reconf_rsp(t, 0x4E, 0x0004);
	send_reconf(t, 0x4F, 200, 80, tc, 0);
	want_reconf_rsp(t, 0x4F, 0x0004);
	const uint8_t odd[7] = {200, 0, 80, 0, 0x40, 0x00, 0x41};
	tester_send_sig(t, 0x19, 0x50, odd, sizeof(odd));
	want_reconf_rsp(t, 0x50, 0x0004);
	struct l2k_chan_info ci;
	l2k_chan_get_info(ch[0], &ci);
	assert_int_equal(ci.remote_mtu, 100);
	assert_int_equal(ci.remote_mps, 80);
	assert_int_equal(r.closed, 0);
}

static void test_ECFC_BI_06_C_refuses_unacceptable_parameters_le(void **state)
{
	refuses_unacceptable(*state);
}

static void test_ECFC_BI_15_C_refuses_unacceptable_parameters_bredr(void **state)
{
	refuses_unacceptable(*state);
}

/* A Reconfigure Request shorter than its fixed fields (MTU, MPS) is not understood: Command
 * Reject 0x0000 with its identifier, nothing else. */
static void short_reconf(struct tester *t)
{
	struct tester_rec r = {0};
	l2k_chan *ch[1];
	uint16_t icid[1];
	ecfc_iut_open(t, 1, NULL, &r, ch, icid, 0x0040, 100, 80, 10);
	const uint8_t d[3] = {200, 0, 80};
	for (uint8_t n = 0; n < 4; n++) {
		tester_send_sig(t, 0x19, (uint8_t)(0x51 + n), d, n);
		const uint8_t want[6] = {0x01, (uint8_t)(0x51 + n), 0x02, 0x00, 0x00, 0x00};
		assert_true(tester_sig_is(ecfc_expect_sig(t, 0x01, 2000), want, 6));
	}
	assert_true(tester_quiet(t, 500));
	struct l2k_chan_info ci;
	l2k_chan_get_info(ch[0], &ci);
	assert_int_equal(ci.remote_mtu, 100);
}

static void test_ecfc_reconf_shorter_than_fixed_fields_rejected_le(void **state)
{
	short_reconf(*state);
}

static void test_ecfc_reconf_shorter_than_fixed_fields_rejected_bredr(void **state)
{
	short_reconf(*state);
}

/* The IUT's reconfiguration refused (0x0001), rejected (Command Reject) or unanswered: the first
 * two leave the channels working (the result lands in info.result: 0x0001, 0xFFFF); an
 * unanswered request makes the IUT disconnect the channels when RTX (10 s) expires. */
static void iut_reconf_refused_or_unanswered(struct tester *t)
{
	struct tester_rec r = {0};
	l2k_chan *ch[2];
	uint16_t icid[2];
	ecfc_iut_open(t, 2, NULL, &r, ch, icid, 0x0040, 100, 80, 10);
	assert_int_equal(l2k_chan_reconfigure(ch, 2, 300, ECFC_IUT_MPS), 0);
	answer_reconf(t, want_iut_reconf(t, 300, ECFC_IUT_MPS, icid, 2), 0x0001);
	struct l2k_chan_info ci;
	l2k_chan_get_info(ch[1], &ci);
	assert_int_equal(ci.result, 0x0001);
	assert_int_equal(l2k_chan_reconfigure(ch, 1, 400, ECFC_IUT_MPS), 0);
	uint8_t id = want_iut_reconf(t, 400, ECFC_IUT_MPS, icid, 1);
	const uint8_t rej[2] = {0x00, 0x00};
	tester_send_sig(t, 0x01, id, rej, 2);
	tester_run(t, 100);
	l2k_chan_get_info(ch[0], &ci);
	assert_int_equal(ci.result, 0xFFFF);
	assert_int_equal(l2k_chan_send(ch[0], (const uint8_t *)"on", 2), 0);
	ecfc_expect_kframe(t, 0x0040, 2, (const uint8_t *)"on", 2);
	assert_int_equal(l2k_chan_reconfigure(ch, 2, 500, ECFC_IUT_MPS), 0);
	want_iut_reconf(t, 500, ECFC_IUT_MPS, icid, 2);
	assert_true(tester_quiet(t, 9500)); /* RTX: 10 s */
	ecfc_expect_disconnect(t, 0x0040, icid[0]);
	ecfc_expect_disconnect(t, 0x0041, icid[1]);
	assert_true(tester_wait_closed(t, &r, 2, 2000));
	assert_int_equal(r.reason, L2K_CLOSE_TIMEOUT);
}

static void test_ecfc_iut_reconf_refused_or_unanswered_le(void **state)
{
	iut_reconf_refused_or_unanswered(*state);
}

static void test_ecfc_iut_reconf_refused_or_unanswered_bredr(void **state)
{
	iut_reconf_refused_or_unanswered(*state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_22_C_iut_raises_mtu_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_58_C_iut_raises_mtu_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_23_C_accepts_larger_mtu_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_59_C_accepts_larger_mtu_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BI_03_C_refuses_smaller_mtu_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BI_12_C_refuses_smaller_mtu_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_24_C_iut_changes_mps_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_60_C_iut_changes_mps_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_25_C_accepts_smaller_mps_for_one_channel_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_61_C_accepts_smaller_mps_for_one_channel_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BI_04_C_refuses_smaller_mps_for_several_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BI_13_C_refuses_smaller_mps_for_several_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BI_05_C_refuses_unknown_cid_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BI_14_C_refuses_unknown_cid_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BI_06_C_refuses_unacceptable_parameters_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BI_15_C_refuses_unacceptable_parameters_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_reconf_shorter_than_fixed_fields_rejected_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_reconf_shorter_than_fixed_fields_rejected_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_iut_reconf_refused_or_unanswered_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_iut_reconf_refused_or_unanswered_bredr, ecfc_setup_bredr, ecfc_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
