/* Conformance: L2CAP.TS groups ECFC (data path) and COS/ECFC: Enhanced Credit Based Flow
 * Control data transfer on LE-U and ACL-U (Vol 3 Part A 10.2 with 3.4 and 10.1): credits both
 * ways, the violations that make the receiver disconnect (SDU over the MTU, K-frame over the
 * MPS, payloads past the SDU length, a K-frame without a credit, credits past 65535),
 * segmentation and reassembly, channels of one request kept apart, K-frames split over ACL
 * fragments.  Each violation test checks the Disconnection Request the IUT sends, byte for
 * byte.  IDs not covered: see test_ts_ecfc.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/conformance/test_ts_ecfc.h"

/* The tester opens one channel from its CID 0x0040 to an IUT server with MTU/MPS/credits
 * (manual: the application grants credits); returns the IUT's CID. */
static uint16_t open_one(struct tester *t, struct tester_rec *r, uint16_t mtu, uint16_t mps, uint16_t credits,
			 bool manual, uint16_t tcredits)
{
	struct l2k_chan_opts o;
	ecfc_opts(&o, mtu, mps, credits);
	o.manual_credits = manual;
	ecfc_server(t, &o, r);
	uint16_t icid;
	ecfc_tester_open(t, r, 1, ECFC_TCID, 300, 64, tcredits, &icid);
	return icid;
}

/* The IUT must disconnect the channel (Disconnection Request exactly) for a protocol violation. */
static void expect_violation(struct tester *t, struct tester_rec *r, uint16_t icid)
{
	ecfc_expect_disconnect(t, ECFC_TCID, icid);
	assert_true(tester_wait_closed(t, r, 1, 2000));
	assert_int_equal(r->reason, L2K_CLOSE_PROTOCOL);
}

/* L2CAP/ECFC/BV-06-C, BV-49-C: the IUT sends only while it has credits: with 1 credit one
 * K-frame of three queued SDUs goes; a Flow Control Credit Indication of 2 for the tester's CID
 * releases the two others, and it has none left. */
static void sends_only_with_credits(struct tester *t)
{
	struct tester_rec r = {0};
	l2k_chan *ch;
	uint16_t icid;
	ecfc_iut_open(t, 1, NULL, &r, &ch, &icid, ECFC_TCID, 100, 64, 1);
	assert_int_equal(l2k_chan_send(ch, (const uint8_t *)"one", 3), 0);
	assert_int_equal(l2k_chan_send(ch, (const uint8_t *)"two", 3), 0);
	assert_int_equal(l2k_chan_send(ch, (const uint8_t *)"three", 5), 0);
	ecfc_expect_kframe(t, ECFC_TCID, 3, (const uint8_t *)"one", 3);
	assert_true(tester_quiet(t, 1000));
	const uint8_t ci[4] = {0x40, 0x00, 0x02, 0x00};
	tester_send_sig(t, 0x16, 0x61, ci, 4);
	ecfc_expect_kframe(t, ECFC_TCID, 3, (const uint8_t *)"two", 3);
	ecfc_expect_kframe(t, ECFC_TCID, 5, (const uint8_t *)"three", 5);
	assert_true(tester_quiet(t, 500));
	struct l2k_chan_info info;
	l2k_chan_get_info(ch, &info);
	assert_int_equal(info.credits_tx, 0);
}

static void test_ECFC_BV_06_C_sends_only_with_credits_le(void **state)
{
	sends_only_with_credits(*state);
}

static void test_ECFC_BV_49_C_sends_only_with_credits_bredr(void **state)
{
	sends_only_with_credits(*state);
}

/* L2CAP/ECFC/BV-07-C, BV-50-C: the IUT hands out credits as it consumes K-frames (Flow Control
 * Credit Indications naming its CID), so the tester goes on sending far past the initial 4. */
static void grants_credits(struct tester *t)
{
	struct tester_rec r = {0};
	uint16_t icid = open_one(t, &r, 100, 64, 4, false, 10);
	int credits = 4, sent = 0, indications = 0;
	while (sent < 20) {
		if (credits == 0) {
			const struct tester_pdu *p = tester_expect_sig(t, 0x16, 2000);
			assert_non_null(p);
			assert_int_equal(p->len, 8);
			assert_int_equal(t_get16(p->data + 2), 4);
			assert_int_equal(t_get16(p->data + 4), icid);
			assert_true(t_get16(p->data + 6) > 0);
			credits += t_get16(p->data + 6);
			indications++;
			continue;
		}
		uint8_t b[4] = {(uint8_t)sent, 1, 2, 3};
		assert_int_equal(tester_send_kframe(t, icid, 4, b, 4), 0);
		credits--;
		sent++;
		tester_run(t, 1);
	}
	assert_true(tester_wait_sdus(t, &r, 20, 2000));
	assert_int_equal(r.total, 80);
	assert_true(indications >= 4);
	assert_int_equal(r.closed, 0);
}

static void test_ECFC_BV_07_C_grants_credits_le(void **state)
{
	grants_credits(*state);
}

static void test_ECFC_BV_50_C_grants_credits_bredr(void **state)
{
	grants_credits(*state);
}

/* L2CAP/ECFC/BI-01-C, BI-10-C: on a channel opened with zero credits for the IUT, grants up to
 * exactly 65535 are fine; one more makes it disconnect (10.2, 10.1). */
static void credit_overflow(struct tester *t)
{
	struct tester_rec r = {0};
	uint16_t icid = open_one(t, &r, 100, 64, 10, false, 0);
	struct l2k_chan_info ci;
	l2k_chan_get_info(r.ch, &ci);
	assert_int_equal(ci.credits_tx, 0);
	const uint8_t ok[4] = {0x40, 0x00, 0xFF, 0xFF}; /* 65535 */
	tester_send_sig(t, 0x16, 0x62, ok, 4);
	assert_true(tester_quiet(t, 500));
	const uint8_t over[4] = {0x40, 0x00, 0x01, 0x00};
	tester_send_sig(t, 0x16, 0x63, over, 4);
	expect_violation(t, &r, icid);
}

static void test_ECFC_BI_01_C_credit_overflow_disconnects_le(void **state)
{
	credit_overflow(*state);
}

static void test_ECFC_BI_10_C_credit_overflow_disconnects_bredr(void **state)
{
	credit_overflow(*state);
}

/* L2CAP/ECFC/BI-02-C, BI-11-C: a K-frame sent when the IUT has granted no credit (its
 * application grants them: one was given and used) makes it disconnect. */
static void kframe_without_credit(struct tester *t)
{
	struct tester_rec r = {0};
	uint16_t icid = open_one(t, &r, 100, 64, 1, true, 10);
	tester_send_kframe(t, icid, 2, (const uint8_t *)"ab", 2);
	assert_true(tester_wait_sdus(t, &r, 1, 2000));
	assert_true(tester_quiet(t, 500)); /* no credit comes back by itself */
	tester_send_kframe(t, icid, 2, (const uint8_t *)"cd", 2);
	expect_violation(t, &r, icid);
	assert_int_equal(r.sdus, 1);
}

static void test_ECFC_BI_02_C_kframe_without_credit_disconnects_le(void **state)
{
	kframe_without_credit(*state);
}

static void test_ECFC_BI_11_C_kframe_without_credit_disconnects_bredr(void **state)
{
	kframe_without_credit(*state);
}

/* L2CAP/ECFC/BV-33-C, BV-76-C: an SDU length over the IUT's MTU (100) makes it disconnect. */
static void sdu_over_mtu(struct tester *t)
{
	struct tester_rec r = {0};
	uint16_t icid = open_one(t, &r, 100, 64, 10, false, 10);
	uint8_t b[40] = {0};
	tester_send_kframe(t, icid, 101, b, 40);
	expect_violation(t, &r, icid);
	assert_int_equal(r.sdus, 0);
}

static void test_ECFC_BV_33_C_sdu_over_mtu_disconnects_le(void **state)
{
	sdu_over_mtu(*state);
}

static void test_ECFC_BV_76_C_sdu_over_mtu_disconnects_bredr(void **state)
{
	sdu_over_mtu(*state);
}

/* L2CAP/ECFC/BV-34-C, BV-77-C: a K-frame whose payload is over the IUT's MPS (64: 2 + 63)
 * makes it disconnect; 2 + 62 is fine. */
static void kframe_over_mps(struct tester *t)
{
	struct tester_rec r = {0};
	uint16_t icid = open_one(t, &r, 200, 64, 10, false, 10);
	uint8_t b[63] = {0};
	tester_send_kframe(t, icid, 62, b, 62);
	assert_true(tester_wait_sdus(t, &r, 1, 2000));
	tester_send_kframe(t, icid, 100, b, 63);
	expect_violation(t, &r, icid);
	assert_int_equal(r.sdus, 1);
}

static void test_ECFC_BV_34_C_kframe_over_mps_disconnects_le(void **state)
{
	kframe_over_mps(*state);
}

static void test_ECFC_BV_77_C_kframe_over_mps_disconnects_bredr(void **state)
{
	kframe_over_mps(*state);
}

/* L2CAP/ECFC/BV-35-C, BV-78-C: continuation K-frames adding up past the SDU length make the IUT
 * disconnect; nothing of that SDU is delivered. */
static void segments_past_sdu_length(struct tester *t)
{
	struct tester_rec r = {0};
	uint16_t icid = open_one(t, &r, 200, 64, 10, false, 10);
	uint8_t b[64] = {0};
	tester_send_kframe(t, icid, 80, b, 62);
	tester_send_kframe(t, icid, -1, b, 19); /* 62 + 19 = 81 > 80 */
	expect_violation(t, &r, icid);
	assert_int_equal(r.sdus, 0);
}

static void test_ECFC_BV_35_C_segments_past_sdu_length_disconnect_le(void **state)
{
	segments_past_sdu_length(*state);
}

static void test_ECFC_BV_78_C_segments_past_sdu_length_disconnect_bredr(void **state)
{
	segments_past_sdu_length(*state);
}

/* The tester sends one SDU of n pattern octets to the IUT's CID in K-frames of at most mps. */
static void send_sdu(struct tester *t, uint16_t icid, size_t n, size_t mps, uint8_t seed)
{
	uint8_t b[1024] = {0};
	ecfc_fill(b, n, seed);
	size_t off = n < mps - 2 ? n : mps - 2;
	assert_int_equal(tester_send_kframe(t, icid, (int)n, b, off), 0);
	while (off < n) {
		size_t k = n - off < mps ? n - off : mps;
		assert_int_equal(tester_send_kframe(t, icid, -1, b + off, k), 0);
		off += k;
	}
}

/* The IUT's K-frames of one SDU of n pattern octets at the tester's MPS. */
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

/* L2CAP/ECFC/BV-80-C, BV-81-C: SDUs around the MPS (64, both ways): 62 fits one K-frame with
 * its SDU length, 63 and 64 need two, 126/127/128 two or three.  The IUT takes them all and
 * keeps the channel, and segments its own the same way for a peer MPS of 64. */
static void sdu_sizes_around_mps(struct tester *t)
{
	struct tester_rec r = {0};
	l2k_chan *ch;
	uint16_t icid;
	struct l2k_chan_opts o;
	ecfc_opts(&o, 300, 64, 40);
	ecfc_iut_open(t, 1, &o, &r, &ch, &icid, ECFC_TCID, 300, 64, 40);
	static const size_t sizes[] = {62, 63, 64, 126, 127, 128};
	uint8_t b[200];
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		send_sdu(t, icid, sizes[i], 64, (uint8_t)i);
		assert_true(tester_wait_sdus(t, &r, (int)i + 1, 2000));
		assert_int_equal(r.len, sizes[i]);
		ecfc_fill(b, sizes[i], (uint8_t)i);
		assert_memory_equal(r.data, b, sizes[i]);
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		ecfc_fill(b, sizes[i], (uint8_t)(0x80 + i));
		assert_int_equal(l2k_chan_send(ch, b, sizes[i]), 0);
		expect_sdu(t, ECFC_TCID, sizes[i], 64, (uint8_t)(0x80 + i));
	}
	assert_int_equal(r.closed, 0);
	assert_true(tester_quiet(t, 300));
}

static void test_ECFC_BV_80_C_sdu_sizes_around_mps_le(void **state)
{
	sdu_sizes_around_mps(*state);
}

static void test_ECFC_BV_81_C_sdu_sizes_around_mps_bredr(void **state)
{
	sdu_sizes_around_mps(*state);
}

/* L2CAP/ECFC/BV-41-C, BV-42-C: a K-frame delivered in two ACL fragments (start, continuation)
 * is recombined and its SDU passed up whole. */
static void kframe_over_two_fragments(struct tester *t)
{
	struct tester_rec r = {0};
	uint16_t icid = open_one(t, &r, 100, 64, 10, false, 10);
	uint8_t f[4 + 2 + 50];
	t_put16(f, 52);
	t_put16(f + 2, icid);
	t_put16(f + 4, 50);
	ecfc_fill(f + 6, 50, 0x30);
	assert_int_equal(tester_send_acl(t, HCI_ACL_PB_START_NOFLUSH, f, 9), 0);
	assert_true(tester_quiet(t, 200));
	assert_int_equal(r.sdus, 0);
	assert_int_equal(tester_send_acl(t, HCI_ACL_PB_CONT, f + 9, sizeof(f) - 9), 0);
	assert_true(tester_wait_sdus(t, &r, 1, 2000));
	assert_int_equal(r.len, 50);
	assert_memory_equal(r.data, f + 6, 50);
	assert_int_equal(r.closed, 0);
}

static void test_ECFC_BV_41_C_kframe_over_two_fragments_le(void **state)
{
	kframe_over_two_fragments(*state);
}

static void test_ECFC_BV_42_C_kframe_over_two_fragments_bredr(void **state)
{
	kframe_over_two_fragments(*state);
}

/* L2CAP/COS/ECFC/BV-01-C, BV-05-C: an SDU of 250 for a peer MPS of 64 goes as K-frames of
 * 2 + 62, 64, 64, 60, exactly. */
static void segments_sdu(struct tester *t)
{
	struct tester_rec r = {0};
	l2k_chan *ch;
	uint16_t icid;
	ecfc_iut_open(t, 1, NULL, &r, &ch, &icid, ECFC_TCID, 300, 64, 10);
	uint8_t b[250];
	ecfc_fill(b, sizeof(b), 0x11);
	assert_int_equal(l2k_chan_send(ch, b, sizeof(b)), 0);
	expect_sdu(t, ECFC_TCID, 250, 64, 0x11);
	assert_true(tester_quiet(t, 300));
	struct l2k_chan_info ci;
	l2k_chan_get_info(ch, &ci);
	assert_int_equal(ci.credits_tx, 6);
}

static void test_COS_ECFC_BV_01_C_segments_sdu_larger_than_mps_le(void **state)
{
	segments_sdu(*state);
}

static void test_COS_ECFC_BV_05_C_segments_sdu_larger_than_mps_bredr(void **state)
{
	segments_sdu(*state);
}

/* L2CAP/COS/ECFC/BV-02-C, BV-06-C: an SDU of 200 received as K-frames of the IUT's MPS (100:
 * 98 + 100 + 2) is passed up once, whole. */
static void reassembles_sdu(struct tester *t)
{
	struct tester_rec r = {0};
	uint16_t icid = open_one(t, &r, 300, 100, 10, false, 10);
	send_sdu(t, icid, 200, 100, 0x22);
	assert_true(tester_wait_sdus(t, &r, 1, 2000));
	uint8_t b[200];
	ecfc_fill(b, 200, 0x22);
	assert_int_equal(r.len, 200);
	assert_memory_equal(r.data, b, 200);
	assert_true(tester_quiet(t, 300));
	assert_int_equal(r.sdus, 1);
}

static void test_COS_ECFC_BV_02_C_reassembles_sdu_le(void **state)
{
	reassembles_sdu(*state);
}

static void test_COS_ECFC_BV_06_C_reassembles_sdu_bredr(void **state)
{
	reassembles_sdu(*state);
}

/* L2CAP/COS/ECFC/BV-03-C, BV-07-C: three channels of one request; the tester interleaves the
 * K-frames of one SDU per channel and each channel's application gets exactly its own SDU; the
 * IUT's SDUs on the three go to the right CIDs. */
static void channels_kept_apart(struct tester *t)
{
	struct tester_rec r[3] = {{0}};
	l2k_chan *ch[3];
	struct ecfc_req rq;
	ecfc_iut_start(t, 3, NULL, r, 3, ch, &rq);
	struct ecfc_rsp rsp = {.mtu = 300, .mps = 64, .credits = 10, .n = 3, .dcid = {0x0050, 0x0051, 0x0052}};
	ecfc_send_rsp(t, rq.ident, &rsp);
	for (int i = 0; i < 3; i++)
		assert_true(tester_wait_open(t, &r[i], 1, 2000));
	uint8_t b[3][150];
	for (int i = 0; i < 3; i++) {
		ecfc_fill(b[i], 150, (uint8_t)(0x40 * i));
		assert_int_equal(tester_send_kframe(t, rq.cid[i], 150, b[i], 98), 0);
	}
	for (int i = 2; i >= 0; i--)
		assert_int_equal(tester_send_kframe(t, rq.cid[i], -1, b[i] + 98, 52), 0);
	for (int i = 0; i < 3; i++) {
		assert_true(tester_wait_sdus(t, &r[i], 1, 2000));
		assert_int_equal(r[i].sdus, 1);
		assert_int_equal(r[i].len, 150);
		assert_memory_equal(r[i].data, b[i], 150);
	}
	for (int i = 0; i < 3; i++)
		assert_int_equal(l2k_chan_send(ch[i], b[i], 100), 0);
	/* the link serves the channels in turn: collect what each CID got, in order */
	uint8_t got[3][110];
	size_t n[3] = {0, 0, 0};
	for (int k = 0; k < 6; k++) { /* per SDU: 2 + 62, then 38 */
		const struct tester_pdu *p = tester_next(t, 2000);
		assert_non_null(p);
		int c = p->cid - 0x0050;
		assert_true(c >= 0 && c < 3);
		assert_true(n[c] + p->len <= sizeof(got[c]));
		memcpy(got[c] + n[c], p->data, p->len);
		n[c] += p->len;
	}
	for (int c = 0; c < 3; c++) {
		assert_int_equal(n[c], 102);
		assert_int_equal(t_get16(got[c]), 100);
		assert_memory_equal(got[c] + 2, b[c], 100);
	}
	assert_true(tester_quiet(t, 300));
}

static void test_COS_ECFC_BV_03_C_channels_kept_apart_le(void **state)
{
	channels_kept_apart(*state);
}

static void test_COS_ECFC_BV_07_C_channels_kept_apart_bredr(void **state)
{
	channels_kept_apart(*state);
}

/* L2CAP/COS/ECFC/BV-04-C, BV-08-C: with the IUT's MTU equal to its MPS (100), an SDU of 100
 * needs two K-frames (2 + 98, then 2): reassembled whole; so is one of 98 in a single K-frame. */
static void mtu_equal_mps(struct tester *t)
{
	struct tester_rec r = {0};
	uint16_t icid = open_one(t, &r, 100, 100, 10, false, 10);
	send_sdu(t, icid, 100, 100, 0x33);
	assert_true(tester_wait_sdus(t, &r, 1, 2000));
	uint8_t b[100];
	ecfc_fill(b, 100, 0x33);
	assert_int_equal(r.len, 100);
	assert_memory_equal(r.data, b, 100);
	send_sdu(t, icid, 98, 100, 0x34);
	assert_true(tester_wait_sdus(t, &r, 2, 2000));
	ecfc_fill(b, 98, 0x34);
	assert_int_equal(r.len, 98);
	assert_memory_equal(r.data, b, 98);
	assert_int_equal(r.closed, 0);
}

static void test_COS_ECFC_BV_04_C_mtu_equal_to_mps_le(void **state)
{
	mtu_equal_mps(*state);
}

static void test_COS_ECFC_BV_08_C_mtu_equal_to_mps_bredr(void **state)
{
	mtu_equal_mps(*state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_06_C_sends_only_with_credits_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_49_C_sends_only_with_credits_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_07_C_grants_credits_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_50_C_grants_credits_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BI_01_C_credit_overflow_disconnects_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BI_10_C_credit_overflow_disconnects_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BI_02_C_kframe_without_credit_disconnects_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BI_11_C_kframe_without_credit_disconnects_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_33_C_sdu_over_mtu_disconnects_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_76_C_sdu_over_mtu_disconnects_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_34_C_kframe_over_mps_disconnects_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_77_C_kframe_over_mps_disconnects_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_35_C_segments_past_sdu_length_disconnect_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_78_C_segments_past_sdu_length_disconnect_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_80_C_sdu_sizes_around_mps_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_81_C_sdu_sizes_around_mps_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_41_C_kframe_over_two_fragments_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_42_C_kframe_over_two_fragments_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_ECFC_BV_01_C_segments_sdu_larger_than_mps_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_ECFC_BV_05_C_segments_sdu_larger_than_mps_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_ECFC_BV_02_C_reassembles_sdu_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_ECFC_BV_06_C_reassembles_sdu_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_ECFC_BV_03_C_channels_kept_apart_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_ECFC_BV_07_C_channels_kept_apart_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_ECFC_BV_04_C_mtu_equal_to_mps_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_ECFC_BV_08_C_mtu_equal_to_mps_bredr, ecfc_setup_bredr, ecfc_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
