/* Conformance: L2CAP.TS group LE/CFC, part 2: the LE credit based data path (Vol 3 Part A 3.4,
 * 10.1): credits both ways, the violations that make the receiver disconnect (3.4.3: SDU over
 * the MTU, K-frame over the MPS, payloads adding up past the SDU length, a K-frame without a
 * credit, credits past 65535), and K-frames / signaling split over ACL fragments.  Each
 * violation test checks the Disconnection Request the IUT sends, byte for byte.  The IDs of the
 * group that are not covered are listed in test_ts_le_cfc.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/common/tester.h"

#define SPSM 0x0080
#define TCID 0x0040

/* The tester opens a channel to the IUT's server with IUT options (mtu, mps, credits; 0 =
 * default) and its own MTU/MPS/credits; returns the IUT's CID. */
static uint16_t le_open(struct tester *t, struct tester_rec *r, uint16_t mtu, uint16_t mps, uint16_t cr,
			uint16_t tmtu, uint16_t tmps, uint16_t tcr)
{
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mode = L2K_MODE_LE_CREDIT;
	o.mtu = mtu;
	o.mps = mps;
	o.credits = cr;
	assert_int_equal(tester_server(t, SPSM, true, &o, r), 0);
	struct tester_le_conn rq = {.spsm = SPSM, .cid = TCID, .mtu = tmtu, .mps = tmps, .credits = tcr}, rsp;
	assert_int_equal(tester_le_connect(t, 0, &rq, &rsp), 0);
	assert_int_equal(rsp.result, 0);
	assert_int_equal(r->opened, 1);
	return rsp.cid;
}

/* The IUT must send exactly this Disconnection Request for the channel (DCID = the tester's
 * CID, SCID = its own); the tester confirms and the application hears "protocol". */
static void expect_disconnect(struct tester *t, struct tester_rec *r, uint16_t icid)
{
	const struct tester_pdu *p = tester_expect_sig(t, 0x06, 2000);
	assert_non_null(p);
	uint8_t want[8] = {0x06, p->data[1], 0x04, 0x00, 0x40, 0x00, 0, 0};
	t_put16(want + 6, icid);
	assert_true(tester_sig_is(p, want, 8));
	uint8_t d[4] = {0x40, 0x00, 0, 0};
	t_put16(d + 2, icid);
	tester_send_sig(t, 0x07, p->data[1], d, 4);
	assert_true(tester_wait_closed(t, r, 1, 2000));
	assert_int_equal(r->reason, L2K_CLOSE_PROTOCOL);
}

/* The next K-frame for the tester: must be exactly sdu_len (or none if < 0) + data. */
static void expect_kframe(struct tester *t, int sdu_len, const uint8_t *data, size_t n)
{
	const struct tester_pdu *p = tester_next_on(t, TCID, 2000);
	assert_non_null(p);
	uint8_t w[2 + 600];
	size_t k = 0;
	if (sdu_len >= 0) {
		t_put16(w, (uint16_t)sdu_len);
		k = 2;
	}
	memcpy(w + k, data, n);
	assert_true(tester_sig_is(p, w, k + n));
}

/* L2CAP/LE/CFC/BV-07-C: the IUT hands out credits as it consumes K-frames (Flow Control
 * Credit Indications naming its CID), so the tester can go on sending far past the initial 4. */
static void test_LE_CFC_BV_07_C_grants_credits(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	uint16_t icid = le_open(t, &r, 100, 50, 4, 100, 50, 10);
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

/* L2CAP/LE/CFC/BI-01-C: credits that would take the IUT's count past 65535 make it disconnect
 * (10.1). */
static void test_LE_CFC_BI_01_C_credit_overflow_disconnects(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	uint16_t icid = le_open(t, &r, 0, 0, 0, 100, 50, 65000);
	const uint8_t ok[4] = {0x40, 0x00, 0x17, 0x02}; /* +535: exactly 65535 */
	tester_send_sig(t, 0x16, 0x32, ok, 4);
	assert_true(tester_quiet(t, 500));
	const uint8_t over[4] = {0x40, 0x00, 0x01, 0x00};
	tester_send_sig(t, 0x16, 0x33, over, 4);
	expect_disconnect(t, &r, icid);
}

/* L2CAP/LE/CFC/BV-26-C: an SDU length over the IUT's MTU makes it disconnect. */
static void test_LE_CFC_BV_26_C_sdu_over_mtu_disconnects(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	uint16_t icid = le_open(t, &r, 100, 50, 10, 100, 50, 10);
	uint8_t b[40] = {0};
	tester_send_kframe(t, icid, 101, b, 40);
	expect_disconnect(t, &r, icid);
	assert_int_equal(r.sdus, 0);
}

/* L2CAP/LE/CFC/BV-27-C: a K-frame whose payload is over the IUT's MPS makes it disconnect
 * (MPS 50: 2 + 49 octets). */
static void test_LE_CFC_BV_27_C_kframe_over_mps_disconnects(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	uint16_t icid = le_open(t, &r, 100, 50, 10, 100, 50, 10);
	uint8_t b[49] = {0};
	tester_send_kframe(t, icid, 48, b, 48); /* 50: fine, SDU of 48 */
	assert_true(tester_wait_sdus(t, &r, 1, 2000));
	tester_send_kframe(t, icid, 60, b, 49);
	expect_disconnect(t, &r, icid);
	assert_int_equal(r.sdus, 1);
}

/* L2CAP/LE/CFC/BV-28-C: continuation K-frames adding up past the SDU length make the IUT
 * disconnect; nothing of that SDU is delivered. */
static void test_LE_CFC_BV_28_C_segments_past_sdu_length_disconnect(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	uint16_t icid = le_open(t, &r, 100, 50, 10, 100, 50, 10);
	uint8_t b[48] = {0};
	tester_send_kframe(t, icid, 60, b, 48);
	tester_send_kframe(t, icid, -1, b, 13); /* 48 + 13 = 61 > 60 */
	expect_disconnect(t, &r, icid);
	assert_int_equal(r.sdus, 0);
}

/* A first K-frame carrying more payload than its own SDU length (SDU 10, 20 octets) is a
 * violation as well (3.4.3): disconnect. */
static void test_kframe_sdu_length_below_payload_disconnects(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	uint16_t icid = le_open(t, &r, 100, 50, 10, 100, 50, 10);
	uint8_t b[20] = {0};
	tester_send_kframe(t, icid, 10, b, 20);
	expect_disconnect(t, &r, icid);
	assert_int_equal(r.sdus, 0);
}

/* A K-frame sent without a credit (the IUT granted 1, application-managed credits) and a
 * first K-frame too short for its SDU length field are violations: disconnect. */
static void test_kframe_without_credit_disconnects(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mode = L2K_MODE_LE_CREDIT;
	o.credits = 1;
	o.manual_credits = true;
	r.opts = o;
	r.opts_set = true;
	assert_int_equal(tester_server(t, SPSM, true, &o, &r), 0);
	struct tester_le_conn rq = {.spsm = SPSM, .cid = TCID, .mtu = 100, .mps = 50, .credits = 10}, rsp;
	assert_int_equal(tester_le_connect(t, 0, &rq, &rsp), 0);
	assert_int_equal(rsp.credits, 1);
	tester_send_kframe(t, rsp.cid, 2, (const uint8_t *)"ab", 2);
	assert_true(tester_wait_sdus(t, &r, 1, 2000));
	assert_true(tester_quiet(t, 500)); /* no credit comes back by itself */
	tester_send_kframe(t, rsp.cid, 2, (const uint8_t *)"cd", 2);
	expect_disconnect(t, &r, rsp.cid);
	assert_int_equal(r.sdus, 1);
}

static void test_kframe_shorter_than_sdu_length_field_disconnects(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	uint16_t icid = le_open(t, &r, 100, 50, 10, 100, 50, 10);
	const uint8_t one[1] = {0x05};
	tester_send(t, icid, one, 1);
	expect_disconnect(t, &r, icid);
}

/* L2CAP/LE/CFC/BV-30-C: an LE Credit Based Connection Request split over two ACL fragments is
 * rebuilt and answered. */
static void test_LE_CFC_BV_30_C_conn_request_over_two_fragments(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	assert_int_equal(tester_server(t, SPSM, true, NULL, &r), 0);
	const uint8_t f[18] = {0x0E, 0x00, 0x05, 0x00, 0x14, 0x34, 0x0A, 0x00, 0x80,
			       0x00, 0x40, 0x00, 0x64, 0x00, 0x32, 0x00, 0x05, 0x00};
	assert_int_equal(tester_send_acl(t, HCI_ACL_PB_START_NOFLUSH, f, 9), 0);
	assert_true(tester_quiet(t, 300));
	assert_int_equal(tester_send_acl(t, HCI_ACL_PB_CONT, f + 9, 9), 0);
	const struct tester_pdu *p = tester_expect_sig(t, 0x15, 2000);
	assert_non_null(p);
	assert_int_equal(p->data[1], 0x34);
	assert_int_equal(t_get16(p->data + 12), 0);
	assert_int_equal(r.opened, 1);
}

/* L2CAP/LE/CFC/BV-31-C: a K-frame delivered in two ACL fragments is recombined and its SDU
 * passed up whole. */
static void test_LE_CFC_BV_31_C_kframe_over_two_fragments(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	uint16_t icid = le_open(t, &r, 100, 50, 10, 100, 50, 10);
	uint8_t f[4 + 2 + 30];
	t_put16(f, 32);
	t_put16(f + 2, icid);
	t_put16(f + 4, 30);
	for (int i = 0; i < 30; i++)
		f[6 + i] = (uint8_t)(0x30 + i);
	assert_int_equal(tester_send_acl(t, HCI_ACL_PB_START_NOFLUSH, f, 7), 0);
	assert_int_equal(tester_send_acl(t, HCI_ACL_PB_CONT, f + 7, sizeof(f) - 7), 0);
	assert_true(tester_wait_sdus(t, &r, 1, 2000));
	assert_int_equal(r.len, 30);
	assert_memory_equal(r.data, f + 6, 30);
}

/* L2CAP/LE/CFC/BV-32-C: SDUs around the MPS (23): 21 fits one K-frame with its SDU length, 22
 * and 23 need two, 44/45/46 two or three.  The IUT takes them all and keeps the channel, and
 * segments its own the same way for a peer MPS of 23. */
static void test_LE_CFC_BV_32_C_sdu_sizes_around_mps(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	uint16_t icid = le_open(t, &r, 200, 23, 40, 200, 23, 40);
	static const size_t sizes[] = {21, 22, 23, 44, 45, 46};
	uint8_t b[64];
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i + 1);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i], off = n < 21 ? n : 21;
		tester_send_kframe(t, icid, (int)n, b, off);
		while (off < n) {
			size_t k = n - off < 23 ? n - off : 23;
			tester_send_kframe(t, icid, -1, b + off, k);
			off += k;
		}
		assert_true(tester_wait_sdus(t, &r, (int)i + 1, 2000));
		assert_int_equal(r.len, n);
		assert_memory_equal(r.data, b, n);
	}
	assert_int_equal(r.closed, 0);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		assert_int_equal(l2k_chan_send(r.ch, b, n), 0);
		expect_kframe(t, (int)n, b, 21);
		for (size_t off = 21; off < n; off += 23)
			expect_kframe(t, -1, b + off, n - off < 23 ? n - off : 23);
	}
	assert_true(tester_quiet(t, 300));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_LE_CFC_BV_07_C_grants_credits, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CFC_BI_01_C_credit_overflow_disconnects, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CFC_BV_26_C_sdu_over_mtu_disconnects, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CFC_BV_27_C_kframe_over_mps_disconnects, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CFC_BV_28_C_segments_past_sdu_length_disconnect, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_kframe_sdu_length_below_payload_disconnects, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_kframe_without_credit_disconnects, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_kframe_shorter_than_sdu_length_field_disconnects, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CFC_BV_30_C_conn_request_over_two_fragments, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CFC_BV_31_C_kframe_over_two_fragments, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CFC_BV_32_C_sdu_sizes_around_mps, tester_fixture_le, tester_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
