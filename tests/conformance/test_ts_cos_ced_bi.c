/* Conformance: L2CAP.TS group COS/CED, part 2: signaling commands with wrong lengths on BR/EDR
 * (CID 0x0001) and LE (CID 0x0005).  Not-covered IDs of the group are listed in
 * test_ts_cos_ced.c.
 *
 * What l2kit answers (Vol 3 Part A 4 and 4.1; policy in core/l2cap_sig.h):
 *  - a request shorter than its fixed fields, longer than its fixed size (a command without a
 *    variable part), or whose Length runs past the C-frame: Command Reject reason 0x0000 "not
 *    understood" with the request's identifier, and nothing else;
 *  - a response or indication with those faults: silently dropped;
 *  - 1-3 stray octets after the last command: ignored;
 *  - on LE a C-frame carries one command (4): octets after it are ignored;
 *  - a C-frame over MTUsig: one Command Reject 0x0001 with MTUsig and the first identifier. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/common/tester.h"

#define SPSM 0x0080

/* The next signaling PDU must be exactly Command Reject "not understood" for ident. */
static void expect_not_understood(struct tester *t, uint8_t ident)
{
	const struct tester_pdu *p = tester_expect_sig(t, 0x01, 1000);
	const uint8_t want[6] = {0x01, ident, 0x02, 0x00, 0x00, 0x00};
	assert_true(tester_sig_is(p, want, 6));
}

/* A raw C-frame payload on the current link's signaling channel. */
static void cframe(struct tester *t, const uint8_t *p, size_t n)
{
	assert_int_equal(tester_send(t, t->le ? 0x0005 : 0x0001, p, n), 0);
}

/* L2CAP/COS/CED/BI-08-C: a BR/EDR command whose Length claims more than the C-frame holds is
 * not acted on: Command Reject "not understood" (Echo Request, Information Request). */
static void test_COS_CED_BI_08_C_length_past_cframe_rejected(void **state)
{
	struct tester *t = *state;
	const uint8_t echo[8] = {0x08, 0x81, 0x0A, 0x00, 1, 2, 3, 4}; /* claims 10, has 4 */
	cframe(t, echo, sizeof(echo));
	expect_not_understood(t, 0x81);
	const uint8_t info[6] = {0x0A, 0x82, 0x04, 0x00, 0x02, 0x00}; /* claims 4, has 2 */
	cframe(t, info, sizeof(info));
	expect_not_understood(t, 0x82);
	assert_true(tester_quiet(t, 500)); /* no Echo or Information Response */
}

/* L2CAP/COS/CED/BI-09-C: as BI-08 on LE with an LE Credit Based Connection Request: Command
 * Reject, no channel offered to the server. */
static void test_COS_CED_BI_09_C_le_length_past_cframe_rejected(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	assert_int_equal(tester_server(t, SPSM, true, NULL, &r), 0);
	const uint8_t rq[14] = {0x14, 0x83, 0x0E, 0x00, 0x80, 0x00, 0x40, 0x00, 0x64, 0x00, 0x40, 0x00, 0x05, 0x00};
	cframe(t, rq, sizeof(rq));
	expect_not_understood(t, 0x83);
	assert_true(tester_quiet(t, 500));
	assert_int_equal(r.accept_calls, 0);
}

/* L2CAP/COS/CED/BI-10-C: every BR/EDR request shorter than its fixed fields gets Command
 * Reject "not understood" with its identifier (4.1). */
static void test_COS_CED_BI_10_C_short_requests_rejected(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	assert_int_equal(tester_server(t, 0x1001, false, NULL, &r), 0);
	const uint8_t d[4] = {0x01, 0x10, 0x50, 0x00};
	static const struct {
		uint8_t code;
		size_t len;
	} cases[] = {
	    {0x02, 0}, {0x02, 3}, /* Connection Request: PSM, SCID */
	    {0x04, 0}, {0x04, 3}, /* Configuration Request: DCID, Flags */
	    {0x06, 0}, {0x06, 2}, /* Disconnection Request: DCID, SCID */
	    {0x0A, 0}, {0x0A, 1}, /* Information Request: InfoType */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t id = (uint8_t)(0x90 + i);
		tester_send_sig(t, cases[i].code, id, d, cases[i].len);
		expect_not_understood(t, id);
	}
	assert_true(tester_quiet(t, 500));
	assert_int_equal(r.accept_calls, 0);
}

/* L2CAP/COS/CED/BI-11-C: as BI-10 on LE: LE Credit Based Connection Request, Disconnection
 * Request and Connection Parameter Update Request (to a central IUT) too short; a short Flow
 * Control Credit Indication (not a request) is dropped without an answer. */
static void test_COS_CED_BI_11_C_le_short_requests_rejected(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	assert_int_equal(tester_server(t, SPSM, true, NULL, &r), 0);
	const uint8_t d[10] = {0x80, 0x00, 0x40, 0x00, 0x64, 0x00, 0x40, 0x00, 0x05, 0x00};
	static const struct {
		uint8_t code;
		size_t len;
	} cases[] = {
	    {0x14, 0}, {0x14, 9}, /* LE Credit Based Connection Request: 10 octets */
	    {0x06, 0}, {0x06, 3}, /* Disconnection Request: 4 */
	    {0x12, 0}, {0x12, 7}, /* Connection Parameter Update Request: 8 */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t id = (uint8_t)(0xA0 + i);
		tester_send_sig(t, cases[i].code, id, d, cases[i].len);
		expect_not_understood(t, id);
	}
	tester_send_sig(t, 0x16, 0xAF, d, 3);
	assert_true(tester_quiet(t, 500));
	assert_int_equal(r.accept_calls, 0);
}

/* L2CAP/COS/CED/BI-10-C, longer: a BR/EDR request of a fixed size whose Length is larger than
 * that size (extra octets after its fields) is as invalid for its code as a shorter one
 * (Vol 3 Part A 4: the Code determines the format of the Data): Command Reject "not
 * understood" with its identifier, and it is not acted on - no channel offered, no
 * Information Response, the channel named by the Disconnection Request stays open. */
static void test_COS_CED_BI_10_C_long_requests_rejected(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	assert_int_equal(tester_server(t, 0x1001, false, NULL, &r), 0);
	uint16_t icid;
	assert_int_equal(tester_open_bredr(t, 0x1001, 0x0050, NULL, 0, &icid), 0);
	assert_int_equal(r.accept_calls, 1);
	uint8_t d[10] = {0x01, 0x10, 0x51, 0x00, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE};
	/* Connection Request: PSM, SCID + 2 */
	tester_send_sig(t, 0x02, 0x71, d, 6);
	expect_not_understood(t, 0x71);
	/* Information Request: InfoType + 1, + 2 */
	const uint8_t it[4] = {0x02, 0x00, 0x00, 0x00};
	tester_send_sig(t, 0x0A, 0x72, it, 3);
	expect_not_understood(t, 0x72);
	tester_send_sig(t, 0x0A, 0x73, it, 4);
	expect_not_understood(t, 0x73);
	/* Disconnection Request for the open channel: DCID, SCID + 2 */
	uint8_t dr[6] = {0, 0, 0x50, 0x00, 0x00, 0x00};
	t_put16(dr, icid);
	tester_send_sig(t, 0x06, 0x74, dr, 6);
	expect_not_understood(t, 0x74);
	assert_true(tester_quiet(t, 500));
	assert_int_equal(r.accept_calls, 1);
	assert_int_equal(r.closed, 0);
	/* the same Disconnection Request with its right Length is answered */
	tester_send_sig(t, 0x06, 0x75, dr, 4);
	const struct tester_pdu *p = tester_expect_sig(t, 0x07, 1000);
	assert_non_null(p);
	assert_int_equal(p->data[1], 0x75);
}

/* L2CAP/COS/CED/BI-11-C, longer: on LE an LE Credit Based Connection Request with Length 12 (its
 * 10 octets and 2 more) is answered as one with Length 8: Command Reject "not understood", no
 * channel; likewise a longer Disconnection Request and Connection Parameter Update Request (to
 * a central IUT); a longer Flow Control Credit Indication gives no credit. */
static void test_COS_CED_BI_11_C_le_long_requests_rejected(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	assert_int_equal(tester_server(t, SPSM, true, NULL, &r), 0);
	const uint8_t d[12] = {0x80, 0x00, 0x40, 0x00, 0x64, 0x00, 0x40, 0x00, 0x05, 0x00, 0x00, 0x00};
	tester_send_sig(t, 0x14, 0xA8, d, 12);
	expect_not_understood(t, 0xA8);
	tester_send_sig(t, 0x14, 0xA9, d, 8);
	expect_not_understood(t, 0xA9);
	assert_true(tester_quiet(t, 500));
	assert_int_equal(r.accept_calls, 0);
	/* an open channel: a longer Disconnection Request does not close it, a longer credit
	 * indication gives it nothing */
	struct tester_le_conn rq = {.spsm = SPSM, .cid = 0x0041, .mtu = 100, .mps = 64, .credits = 0}, rsp;
	assert_int_equal(tester_le_connect(t, 0, &rq, &rsp), 0);
	assert_int_equal(rsp.result, 0);
	uint8_t dr[6] = {0, 0, 0x41, 0x00, 0x00, 0x00};
	t_put16(dr, rsp.cid);
	tester_send_sig(t, 0x06, 0xAA, dr, 6);
	expect_not_understood(t, 0xAA);
	const uint8_t cpu[10] = {0x18, 0x00, 0x28, 0x00, 0x00, 0x00, 0xF4, 0x01, 0x00, 0x00};
	tester_send_sig(t, 0x12, 0xAB, cpu, 10);
	expect_not_understood(t, 0xAB);
	uint8_t ci[6] = {0x41, 0x00, 0x05, 0x00, 0x00, 0x00};
	tester_send_sig(t, 0x16, 0xAC, ci, 6); /* an indication: dropped, no answer */
	assert_true(tester_quiet(t, 500));
	assert_int_equal(r.closed, 0);
	struct l2k_chan_info info;
	assert_int_equal(l2k_chan_get_info(r.ch, &info), 0);
	assert_int_equal(info.credits_tx, 0);
}

/* L2CAP/COS/CED/BI-12-C: a BR/EDR command with a short Length followed by one extra zero
 * octet: one Command Reject for the command, the stray octet is ignored. */
static void test_COS_CED_BI_12_C_short_length_plus_stray_octet(void **state)
{
	struct tester *t = *state;
	const uint8_t info[6] = {0x0A, 0xB1, 0x01, 0x00, 0x02, 0x00}; /* Length 1 + stray 0x00 */
	cframe(t, info, sizeof(info));
	expect_not_understood(t, 0xB1);
	const uint8_t conn[8] = {0x02, 0xB2, 0x03, 0x00, 0x01, 0x10, 0x50, 0x00};
	cframe(t, conn, sizeof(conn));
	expect_not_understood(t, 0xB2);
	assert_true(tester_quiet(t, 500));
}

/* L2CAP/COS/CED/BI-13-C: as BI-12 on LE with an LE Credit Based Connection Request. */
static void test_COS_CED_BI_13_C_le_short_length_plus_stray_octet(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	assert_int_equal(tester_server(t, SPSM, true, NULL, &r), 0);
	const uint8_t rq[14] = {0x14, 0xB3, 0x09, 0x00, 0x80, 0x00, 0x40, 0x00, 0x64, 0x00, 0x40, 0x00, 0x05, 0x00};
	cframe(t, rq, sizeof(rq));
	expect_not_understood(t, 0xB3);
	assert_true(tester_quiet(t, 500));
	assert_int_equal(r.accept_calls, 0);
}

/* L2CAP/COS/CED/BI-14-C: a multi-command C-frame whose last command (Echo Request) is cut
 * short: the complete Information Request before it is answered, the Echo Request rejected. */
static void test_COS_CED_BI_14_C_truncated_last_echo_request(void **state)
{
	struct tester *t = *state;
	const uint8_t f[13] = {0x0A, 0xC1, 0x02, 0x00, 0x01, 0x00, /* Information Request: CL MTU */
			       0x08, 0xC2, 0x08, 0x00, 0xEE, 0xEE, 0xEE}; /* Echo, 3 of 8 octets */
	cframe(t, f, sizeof(f));
	const struct tester_pdu *p = tester_expect_sig(t, 0x0B, 1000);
	const uint8_t want[10] = {0x0B, 0xC1, 0x06, 0x00, 0x01, 0x00, 0x00, 0x00, 0xA0, 0x02};
	assert_true(tester_sig_is(p, want, 10));
	expect_not_understood(t, 0xC2);
	assert_true(tester_quiet(t, 500));
}

/* L2CAP/COS/CED/BI-15-C: as BI-14 with a truncated Disconnection Request: the channel it names
 * stays open. */
static void test_COS_CED_BI_15_C_truncated_last_disconnection_request(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	assert_int_equal(tester_server(t, 0x1001, false, NULL, &r), 0);
	uint16_t icid;
	assert_int_equal(tester_open_bredr(t, 0x1001, 0x0050, NULL, 0, &icid), 0);
	uint8_t f[14] = {0x08, 0xC3, 0x02, 0x00, 'h', 'i', /* Echo Request */
			 0x06, 0xC4, 0x04, 0x00, 0, 0, 0, 0}; /* Disconnection, 2 of 4 */
	t_put16(f + 10, icid);
	cframe(t, f, 12);
	const struct tester_pdu *p = tester_expect_sig(t, 0x09, 1000);
	const uint8_t want[6] = {0x09, 0xC3, 0x02, 0x00, 'h', 'i'};
	assert_true(tester_sig_is(p, want, 6));
	expect_not_understood(t, 0xC4);
	assert_true(tester_quiet(t, 500));
	assert_int_equal(r.closed, 0);
}

/* L2CAP/COS/CED/BI-16-C: on LE a truncated LE Credit Based Connection Request (alone, or after
 * a complete command in the same C-frame, where LE allows one command) creates no channel. */
static void test_COS_CED_BI_16_C_le_truncated_conn_request(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	assert_int_equal(tester_server(t, SPSM, true, NULL, &r), 0);
	const uint8_t alone[10] = {0x14, 0xC5, 0x0A, 0x00, 0x80, 0x00, 0x40, 0x00, 0x64, 0x00};
	cframe(t, alone, sizeof(alone));
	expect_not_understood(t, 0xC5);
	/* a Disconnection Request for unknown CIDs, then the truncated request */
	const uint8_t two[18] = {0x06, 0xC6, 0x04, 0x00, 0x41, 0x00, 0x42, 0x00,
				 0x14, 0xC7, 0x0A, 0x00, 0x80, 0x00, 0x40, 0x00, 0x64, 0x00};
	cframe(t, two, sizeof(two));
	const struct tester_pdu *p = tester_expect_sig(t, 0x01, 1000);
	const uint8_t want[10] = {0x01, 0xC6, 0x06, 0x00, 0x02, 0x00, 0x41, 0x00, 0x42, 0x00};
	assert_true(tester_sig_is(p, want, 10));
	assert_true(tester_quiet(t, 500));
	assert_int_equal(r.accept_calls, 0);
}

/* L2CAP/COS/CED/BI-17-C: as BI-16 with a truncated Disconnection Request: Command Reject and
 * the open LE channel it names stays open. */
static void test_COS_CED_BI_17_C_le_truncated_disconnection_request(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	assert_int_equal(tester_server(t, SPSM, true, NULL, &r), 0);
	struct tester_le_conn rq = {.spsm = SPSM, .cid = 0x0040, .mtu = 100, .mps = 64, .credits = 5}, rsp;
	assert_int_equal(tester_le_connect(t, 0, &rq, &rsp), 0);
	assert_int_equal(rsp.result, 0);
	uint8_t d[6] = {0x06, 0xC8, 0x04, 0x00, 0, 0};
	t_put16(d + 4, rsp.cid);
	cframe(t, d, sizeof(d));
	expect_not_understood(t, 0xC8);
	assert_true(tester_quiet(t, 500));
	assert_int_equal(r.closed, 0);
	assert_non_null(r.ch);
}

/* An LE C-frame over the IUT's MTUsig (23) holding three Disconnection Requests: one Command
 * Reject "signaling MTU exceeded" with MTUsig 23 and the first identifier; nothing else. */
static void test_le_sig_mtu_exceeded_one_reject(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	assert_int_equal(tester_server(t, SPSM, true, NULL, &r), 0);
	struct tester_le_conn rq = {.spsm = SPSM, .cid = 0x0040, .mtu = 100, .mps = 64, .credits = 5}, rsp;
	assert_int_equal(tester_le_connect(t, 0, &rq, &rsp), 0);
	uint8_t f[24];
	for (int i = 0; i < 3; i++) {
		f[8 * i] = 0x06;
		f[8 * i + 1] = (uint8_t)(0xD0 + i);
		t_put16(f + 8 * i + 2, 4);
		t_put16(f + 8 * i + 4, rsp.cid);
		t_put16(f + 8 * i + 6, 0x0040);
	}
	cframe(t, f, sizeof(f));
	const struct tester_pdu *p = tester_expect_sig(t, 0x01, 1000);
	const uint8_t want[8] = {0x01, 0xD0, 0x04, 0x00, 0x01, 0x00, 0x17, 0x00};
	assert_true(tester_sig_is(p, want, 8));
	assert_true(tester_quiet(t, 500));
	assert_int_equal(r.closed, 0); /* none of the requests was acted on */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_COS_CED_BI_08_C_length_past_cframe_rejected, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CED_BI_09_C_le_length_past_cframe_rejected, tester_fixture_le_central, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CED_BI_10_C_short_requests_rejected, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CED_BI_11_C_le_short_requests_rejected, tester_fixture_le_central, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CED_BI_10_C_long_requests_rejected, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CED_BI_11_C_le_long_requests_rejected, tester_fixture_le_central, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CED_BI_12_C_short_length_plus_stray_octet, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CED_BI_13_C_le_short_length_plus_stray_octet, tester_fixture_le_central, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CED_BI_14_C_truncated_last_echo_request, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CED_BI_15_C_truncated_last_disconnection_request, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CED_BI_16_C_le_truncated_conn_request, tester_fixture_le_central, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CED_BI_17_C_le_truncated_disconnection_request, tester_fixture_le_central, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_le_sig_mtu_exceeded_one_reject, tester_fixture_le_central, tester_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
