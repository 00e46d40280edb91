/* Conformance: L2CAP.TS group COS/CED, part 2: signaling commands with wrong lengths on LE
 * (CID 0x0005) to a central IUT (BI-11; l2tester's cases take the IUT as peripheral) and LE
 * MTUsig.  The group's other cases are l2tester's (tools/l2tester/cases_bredr.c, cases_le.c).
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
	    cmocka_unit_test_setup_teardown(test_COS_CED_BI_11_C_le_short_requests_rejected, tester_fixture_le_central, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CED_BI_11_C_le_long_requests_rejected, tester_fixture_le_central, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_le_sig_mtu_exceeded_one_reject, tester_fixture_le_central, tester_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
