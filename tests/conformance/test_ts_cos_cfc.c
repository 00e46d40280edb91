/* Conformance: L2CAP.TS group COS/CFC (LE credit based data transfer, Vol 3 Part A 3.4 and
 * 10.1): segmentation into K-frames of the peer's MPS, reassembly with credits returned as
 * needed, two channels on one SPSM.  Every ID of the group applies (all LE CoC). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/common/tester.h"

#define SPSM 0x0080
#define TCID 0x0040

/* Serve SPSM with these IUT options (0: default) and open a channel from tester CID tcid with
 * the tester's MTU/MPS/credits; returns the IUT's CID. */
static uint16_t le_open(struct tester *t, struct tester_rec *r, uint16_t mtu, uint16_t mps, uint16_t cr,
			uint16_t tcid, uint16_t tmps, uint16_t tcr)
{
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mode = L2K_MODE_LE_CREDIT;
	o.mtu = mtu;
	o.mps = mps;
	o.credits = cr;
	r->opts = o;
	r->opts_set = true;
	int sr = tester_server(t, SPSM, true, &o, r);
	assert_true(sr == 0 || sr == L2K_EADDRINUSE);
	struct tester_le_conn rq = {.spsm = SPSM, .cid = tcid, .mtu = 512, .mps = tmps, .credits = tcr}, rsp;
	assert_int_equal(tester_le_connect(t, 0, &rq, &rsp), 0);
	assert_int_equal(rsp.result, 0);
	return rsp.cid;
}

/* The next PDU on cid must be exactly [sdu_len] + data. */
static void expect_kframe(struct tester *t, uint16_t cid, int sdu_len, const uint8_t *data, size_t n)
{
	const struct tester_pdu *p = tester_next_on(t, cid, 2000);
	uint8_t w[2 + 256];
	size_t k = 0;
	if (sdu_len >= 0) {
		t_put16(w, (uint16_t)sdu_len);
		k = 2;
	}
	memcpy(w + k, data, n);
	assert_true(tester_sig_is(p, w, k + n));
}

/* L2CAP/COS/CFC/BV-01-C: an SDU of 60 octets to a peer with MPS 23 goes as three K-frames:
 * SDU length + 21, 23, 16. */
static void test_COS_CFC_BV_01_C_segments_sdu_to_peer_mps(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	le_open(t, &r, 0, 0, 0, TCID, 23, 10);
	uint8_t b[60];
	for (int i = 0; i < 60; i++)
		b[i] = (uint8_t)(i ^ 0x5A);
	assert_int_equal(l2k_chan_send(r.ch, b, 60), 0);
	expect_kframe(t, TCID, 60, b, 21);
	expect_kframe(t, TCID, -1, b + 21, 23);
	expect_kframe(t, TCID, -1, b + 44, 16);
	assert_true(tester_quiet(t, 300));
	struct l2k_chan_info ci;
	l2k_chan_get_info(r.ch, &ci);
	assert_int_equal(ci.credits_tx, 7); /* one credit per K-frame */
}

/* L2CAP/COS/CFC/BV-02-C: a small SDU goes in one unsegmented K-frame. */
static void test_COS_CFC_BV_02_C_small_sdu_one_kframe(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	le_open(t, &r, 0, 0, 0, TCID, 23, 10);
	assert_int_equal(l2k_chan_send(r.ch, (const uint8_t *)"hello", 5), 0);
	expect_kframe(t, TCID, 5, (const uint8_t *)"hello", 5);
	assert_true(tester_quiet(t, 300));
}

/* L2CAP/COS/CFC/BV-03-C: a 150-octet SDU in seven K-frames, with only 4 initial credits: the
 * IUT returns credits while the SDU is in progress and delivers it whole. */
static void test_COS_CFC_BV_03_C_reassembles_with_credits(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	uint16_t icid = le_open(t, &r, 200, 23, 4, TCID, 23, 10);
	uint8_t b[150];
	for (int i = 0; i < 150; i++)
		b[i] = (uint8_t)(i * 3 + 1);
	int credits = 4;
	size_t off = 0;
	while (off < sizeof(b)) {
		if (!credits) {
			const struct tester_pdu *p = tester_expect_sig(t, 0x16, 2000);
			assert_non_null(p);
			assert_int_equal(t_get16(p->data + 4), icid);
			credits += t_get16(p->data + 6);
			continue;
		}
		if (off == 0) {
			tester_send_kframe(t, icid, 150, b, 21);
			off = 21;
		} else {
			size_t k = sizeof(b) - off < 23 ? sizeof(b) - off : 23;
			tester_send_kframe(t, icid, -1, b + off, k);
			off += k;
		}
		credits--;
		tester_run(t, 1);
	}
	assert_true(tester_wait_sdus(t, &r, 1, 2000));
	assert_int_equal(r.sdus, 1);
	assert_int_equal(r.len, 150);
	assert_memory_equal(r.data, b, 150);
	assert_int_equal(r.closed, 0);
}

/* L2CAP/COS/CFC/BV-04-C: an SDU carried in a single K-frame is delivered. */
static void test_COS_CFC_BV_04_C_single_kframe_sdu_delivered(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	uint16_t icid = le_open(t, &r, 0, 0, 0, TCID, 23, 10);
	tester_send_kframe(t, icid, 7, (const uint8_t *)"payload", 7);
	assert_true(tester_wait_sdus(t, &r, 1, 2000));
	assert_int_equal(r.len, 7);
	assert_memory_equal(r.data, "payload", 7);
}

/* L2CAP/COS/CFC/BV-05-C: two channels on one SPSM keep interleaved streams apart both ways. */
static void test_COS_CFC_BV_05_C_two_channels_one_spsm(void **state)
{
	struct tester *t = *state;
	struct tester_rec a = {0}, b = {0};
	uint16_t ia = le_open(t, &a, 200, 23, 10, 0x0040, 23, 10);
	/* one server (recording into a) accepts both; the second channel is then handed to b */
	uint16_t ib = le_open(t, &a, 200, 23, 10, 0x0041, 23, 10);
	assert_int_not_equal(ia, ib);
	assert_int_equal(a.opened, 2);
	l2k_chan *cb_ch = a.ch;
	struct l2k_chan_cbs cbs = tester_rec_cbs(&b);
	l2k_chan_set_cbs(cb_ch, &cbs);
	b.ch = cb_ch;
	uint8_t x[40], y[40];
	for (int i = 0; i < 40; i++) {
		x[i] = (uint8_t)('A' + i % 26);
		y[i] = (uint8_t)('a' + i % 26);
	}
	/* interleave: A start, B start, A end, B end */
	tester_send_kframe(t, ia, 40, x, 21);
	tester_send_kframe(t, ib, 40, y, 21);
	tester_send_kframe(t, ia, -1, x + 21, 19);
	tester_send_kframe(t, ib, -1, y + 21, 19);
	assert_true(tester_wait_sdus(t, &a, 1, 2000));
	assert_true(tester_wait_sdus(t, &b, 1, 2000));
	assert_int_equal(a.len, 40);
	assert_memory_equal(a.data, x, 40);
	assert_int_equal(b.len, 40);
	assert_memory_equal(b.data, y, 40);
	/* and the IUT sends on each channel to the right CID */
	struct l2k_chan_info ci;
	l2k_chan_get_info(b.ch, &ci);
	assert_int_equal(ci.remote_cid, 0x0041);
	assert_int_equal(l2k_chan_send(b.ch, (const uint8_t *)"to-b", 4), 0);
	expect_kframe(t, 0x0041, 4, (const uint8_t *)"to-b", 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_COS_CFC_BV_01_C_segments_sdu_to_peer_mps, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CFC_BV_02_C_small_sdu_one_kframe, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CFC_BV_03_C_reassembles_with_credits, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CFC_BV_04_C_single_kframe_sdu_delivered, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CFC_BV_05_C_two_channels_one_spsm, tester_fixture_le, tester_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
