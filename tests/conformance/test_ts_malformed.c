/* Malformed-input tests beyond the L2CAP.TS list (the engine's answers to broken responses,
 * option lists and truncated replies).  Every case checks the specification's answer byte for
 * byte, or that the input is dropped and the procedure it interrupts still completes.
 *
 * Policy (Vol 3 Part A 4, 4.1, 4.5, 5; core/l2cap_sig.h and core/l2cap_conf.h):
 *  - a response shorter than its fixed fields (or truncated data of an Information Response /
 *    Command Reject) is dropped: the request stays outstanding and its RTX/ERTX still runs;
 *  - a Configuration Request with a malformed option list (a known option of the wrong length,
 *    an option running past the end) is answered result 0x0002 Rejected, applying nothing;
 *  - a Configuration Response with a malformed option list fails the configuration: the IUT
 *    disconnects the channel;
 *  - a Pending Configuration Response is only a "wait longer" (ERTX): its options are not
 *    acted on, however many. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/common/tester.h"

#define PSM 0x1001
#define TCID 0x0050

/* The IUT connects to the tester; the tester answers the Information Requests with the
 * features given and waits for the Connection Request: returns it. */
static const struct tester_pdu *iut_connects(struct tester *t, struct tester_rec *r, l2k_chan **ch)
{
	struct l2k_chan_cbs cb = tester_rec_cbs(r);
	assert_int_equal(l2k_chan_connect(t->iut, &t->tst_addr, L2K_ADDR_BREDR, PSM, NULL, &cb, ch), 0);
	assert_int_equal(tester_answer_info(t, 0, 0), 0);
	const struct tester_pdu *p = tester_expect_sig(t, 0x02, 1000);
	assert_non_null(p);
	return p;
}

/* Connect to the IUT's server from tcid; returns the IUT's CID and its Configuration Request
 * identifier (not answered). */
static uint16_t tester_connects(struct tester *t, uint16_t tcid, uint8_t *cfg_id)
{
	uint8_t rq[4];
	t_put16(rq, PSM);
	t_put16(rq + 2, tcid);
	tester_send_sig(t, 0x02, tester_ident(t), rq, 4);
	const struct tester_pdu *p = tester_expect_sig(t, 0x03, 1000);
	assert_non_null(p);
	assert_int_equal(t_get16(p->data + 8), 0);
	uint16_t icid = t_get16(p->data + 4);
	p = tester_expect_sig(t, 0x04, 1000);
	assert_non_null(p);
	*cfg_id = p->data[1];
	return icid;
}

/* BR/EDR responses shorter than their fixed fields are dropped; the exchanges they belong to
 * complete when the good response comes: Connection, Configuration, Disconnection. */
static void test_short_bredr_responses_ignored(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	l2k_chan *ch;
	const struct tester_pdu *p = iut_connects(t, &r, &ch);
	uint8_t id = p->data[1];
	uint16_t icid = t_get16(p->data + 6);
	uint8_t rsp[8] = {0, 0, 0, 0, 0, 0, 0, 0};
	t_put16(rsp, TCID);
	t_put16(rsp + 2, icid);
	tester_send_sig(t, 0x03, id, rsp, 7);
	tester_send_sig(t, 0x03, id, rsp, 0);
	assert_true(tester_quiet(t, 1000));
	assert_int_equal(r.closed, 0);
	tester_send_sig(t, 0x03, id, rsp, 8);
	p = tester_expect_sig(t, 0x04, 1000);
	assert_non_null(p);
	uint8_t cfg_id = p->data[1];
	uint8_t crsp[6] = {0, 0, 0, 0, 0, 0};
	t_put16(crsp, icid);
	tester_send_sig(t, 0x05, cfg_id, crsp, 5);
	tester_send_sig(t, 0x05, cfg_id, crsp, 1);
	assert_true(tester_quiet(t, 1000));
	uint8_t creq[4];
	t_put16(creq, icid);
	t_put16(creq + 2, 0);
	tester_send_sig(t, 0x04, 0x61, creq, 4);
	assert_non_null(tester_expect_sig(t, 0x05, 1000));
	tester_run(t, 10);
	assert_int_equal(r.opened, 0); /* our request is still outstanding */
	tester_send_sig(t, 0x05, cfg_id, crsp, 6);
	tester_run(t, 10);
	assert_int_equal(r.opened, 1);
	assert_int_equal(l2k_chan_close(ch), 0);
	p = tester_expect_sig(t, 0x06, 1000);
	assert_non_null(p);
	uint8_t d[4];
	t_put16(d, TCID);
	t_put16(d + 2, icid);
	tester_send_sig(t, 0x07, p->data[1], d, 3);
	assert_true(tester_quiet(t, 500));
	assert_int_equal(r.closed, 0);
	tester_send_sig(t, 0x07, p->data[1], d, 4);
	tester_run(t, 10);
	assert_int_equal(r.closed, 1);
	assert_int_equal(r.reason, L2K_CLOSE_LOCAL);
}

/* Truncated Information Responses (feature mask cut to 2 octets, a 3-octet response, a fixed
 * channel mask cut to 4 octets) are dropped; the IUT goes on when its information timer ends
 * and connects as to a peer without extended features. */
static void test_truncated_information_responses(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	struct l2k_chan_cbs cb = tester_rec_cbs(&r);
	assert_int_equal(l2k_chan_connect(t->iut, &t->tst_addr, L2K_ADDR_BREDR, PSM, NULL, &cb, NULL), 0);
	const struct tester_pdu *p = tester_expect_sig(t, 0x0A, 1000);
	assert_non_null(p);
	uint8_t id = p->data[1];
	const uint8_t cut[6] = {0x02, 0x00, 0x00, 0x00, 0x80, 0x00};
	tester_send_sig(t, 0x0B, id, cut, 6);
	tester_send_sig(t, 0x0B, id, cut, 3);
	assert_true(tester_quiet(t, 500));
	const uint8_t feat[8] = {0x02, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00}; /* fixed channels */
	tester_send_sig(t, 0x0B, id, feat, 8);
	p = tester_expect_sig(t, 0x0A, 1000);
	assert_non_null(p);
	assert_int_equal(t_get16(p->data + 4), 0x0003);
	const uint8_t fixed_cut[8] = {0x03, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00};
	tester_send_sig(t, 0x0B, p->data[1], fixed_cut, 8);
	uint64_t t0 = t->vc.now_ms;
	p = tester_expect_sig(t, 0x02, 10000); /* after the information timer */
	assert_non_null(p);
	assert_true(t->vc.now_ms - t0 >= 1000);
	assert_int_equal(r.closed, 0);
}

/* Truncated Command Rejects (no reason, reason 0x0001 with one data octet, 0x0002 with two)
 * do not end the IUT's pending Connection Request; a whole one does. */
static void test_truncated_command_rejects(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	l2k_chan *ch;
	const struct tester_pdu *p = iut_connects(t, &r, &ch);
	uint8_t id = p->data[1];
	const uint8_t one[1] = {0x00};
	const uint8_t mtu_cut[3] = {0x01, 0x00, 0x30};
	const uint8_t cid_cut[4] = {0x02, 0x00, 0x40, 0x00};
	tester_send_sig(t, 0x01, id, one, 1);
	tester_send_sig(t, 0x01, id, mtu_cut, 3);
	tester_send_sig(t, 0x01, id, cid_cut, 4);
	assert_true(tester_quiet(t, 1000));
	assert_int_equal(r.closed, 0);
	const uint8_t whole[2] = {0x00, 0x00};
	tester_send_sig(t, 0x01, id, whole, 2);
	tester_run(t, 10);
	assert_int_equal(r.closed, 1);
	assert_int_equal(r.reason, L2K_CLOSE_REFUSED);
}

/* Configuration Requests with a malformed option list are answered result 0x0002 Rejected
 * without options: MTU of length 1 and 3, RFC claiming 9 octets with 3 left, EFS of 15 and 17
 * octets, a bare option header octet.  A good request after them succeeds. */
static void test_conf_request_bad_option_lengths_rejected(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	assert_int_equal(tester_server(t, PSM, false, NULL, &r), 0);
	uint8_t cfg_id;
	uint16_t icid = tester_connects(t, TCID, &cfg_id);
	static const struct {
		uint8_t len;
		uint8_t o[20];
	} bad[] = {
	    {3, {0x01, 0x01, 0x64}},
	    {5, {0x01, 0x03, 0x64, 0x00, 0x00}},
	    {5, {0x04, 0x09, 0x00, 0x00, 0x00}},
	    {17, {0x06, 0x0F}},
	    {19, {0x06, 0x11}},
	    {5, {0x01, 0x02, 0x64, 0x00, 0x02}},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t b[4 + 20];
		t_put16(b, icid);
		t_put16(b + 2, 0);
		memcpy(b + 4, bad[i].o, bad[i].len);
		uint8_t id = (uint8_t)(0x70 + i);
		tester_send_sig(t, 0x04, id, b, 4 + bad[i].len);
		const struct tester_pdu *p = tester_expect_sig(t, 0x05, 1000);
		uint8_t want[10] = {0x05, id, 0x06, 0x00, 0, 0, 0x00, 0x00, 0x02, 0x00};
		t_put16(want + 4, TCID);
		assert_true(tester_sig_is(p, want, 10));
	}
	uint8_t good[8] = {0, 0, 0, 0, 0x01, 0x02, 0x64, 0x00};
	t_put16(good, icid);
	tester_send_sig(t, 0x04, 0x7F, good, 8);
	const struct tester_pdu *p = tester_expect_sig(t, 0x05, 1000);
	assert_non_null(p);
	assert_int_equal(t_get16(p->data + 8), 0);
	uint8_t crsp[6] = {0, 0, 0, 0, 0, 0};
	t_put16(crsp, icid);
	tester_send_sig(t, 0x05, cfg_id, crsp, 6);
	tester_run(t, 10);
	assert_int_equal(r.opened, 1);
	struct l2k_chan_info ci;
	l2k_chan_get_info(r.ch, &ci);
	assert_int_equal(ci.remote_mtu, 100); /* nothing of the rejected lists applied */
}

/* A Configuration Response with a malformed option list (MTU of length 1 or 3, RFC claiming
 * 9 with 3 left, EFS of 15) fails the configuration: the IUT sends a Disconnection Request
 * for the channel, and the application hears that configuration failed. */
static void test_conf_response_bad_option_lengths_disconnect(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	assert_int_equal(tester_server(t, PSM, false, NULL, &r), 0);
	static const struct {
		uint8_t len;
		uint8_t o[20];
	} bad[] = {
	    {3, {0x01, 0x01, 0x64}},
	    {5, {0x01, 0x03, 0x64, 0x00, 0x00}},
	    {5, {0x04, 0x09, 0x00, 0x00, 0x00}},
	    {17, {0x06, 0x0F}},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint16_t tcid = (uint16_t)(0x0060 + i);
		uint8_t cfg_id;
		uint16_t icid = tester_connects(t, tcid, &cfg_id);
		uint8_t b[6 + 20];
		t_put16(b, icid);
		t_put16(b + 2, 0);
		t_put16(b + 4, 0); /* success */
		memcpy(b + 6, bad[i].o, bad[i].len);
		tester_send_sig(t, 0x05, cfg_id, b, 6 + bad[i].len);
		const struct tester_pdu *p = tester_expect_sig(t, 0x06, 1000);
		assert_non_null(p);
		uint8_t want[8] = {0x06, p->data[1], 0x04, 0x00};
		t_put16(want + 4, tcid);
		t_put16(want + 6, icid);
		assert_true(tester_sig_is(p, want, 8));
		uint8_t d[4];
		t_put16(d, tcid);
		t_put16(d + 2, icid);
		tester_send_sig(t, 0x07, p->data[1], d, 4);
		tester_run(t, 10);
		assert_int_equal(r.closed, (int)i + 1);
		assert_int_equal(r.reason, L2K_CLOSE_CONFIG_FAILED);
	}
	assert_int_equal(r.opened, 0);
}

/* A Pending Configuration Response carrying far more options than the IUT keeps (40 unknown
 * options, 20 MTU options, an option running past the end): the IUT just waits; the final
 * Success response then completes the configuration. */
static void test_pending_conf_response_with_too_many_options(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	assert_int_equal(tester_server(t, PSM, false, NULL, &r), 0);
	uint8_t cfg_id;
	uint16_t icid = tester_connects(t, TCID, &cfg_id);
	uint8_t b[6 + 200];
	size_t n = 6;
	t_put16(b, icid);
	t_put16(b + 2, 0);
	t_put16(b + 4, 0x0004); /* Pending */
	for (int i = 0; i < 40; i++) {
		b[n++] = (uint8_t)(0x20 + i);
		b[n++] = 0;
	}
	for (int i = 0; i < 20; i++) {
		b[n++] = 0x01;
		b[n++] = 0x02;
		t_put16(b + n, (uint16_t)(48 + i));
		n += 2;
	}
	b[n++] = 0x06;
	b[n++] = 0x10;
	b[n++] = 0x00;
	assert_true(n <= sizeof(b));
	tester_send_sig(t, 0x05, cfg_id, b, n);
	assert_true(tester_quiet(t, 2000));
	assert_int_equal(r.closed, 0);
	uint8_t creq[4];
	t_put16(creq, icid);
	t_put16(creq + 2, 0);
	tester_send_sig(t, 0x04, 0x62, creq, 4);
	assert_non_null(tester_expect_sig(t, 0x05, 1000));
	uint8_t ok[6] = {0, 0, 0, 0, 0, 0};
	t_put16(ok, icid);
	tester_send_sig(t, 0x05, cfg_id, ok, 6);
	tester_run(t, 10);
	assert_int_equal(r.opened, 1);
	struct l2k_chan_info ci;
	l2k_chan_get_info(r.ch, &ci);
	assert_int_equal(ci.local_mtu, 672);
}

/* LE responses shorter than their fixed fields are dropped: LE Credit Based Connection
 * Response (9 of 10), Disconnection Response (3 of 4), Command Reject (1 octet), Connection
 * Parameter Update Response (1 of 2); the exchanges complete with the good responses. */
static void test_short_le_responses_ignored(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	struct l2k_chan_cbs cb = tester_rec_cbs(&r);
	l2k_chan *ch;
	assert_int_equal(l2k_chan_connect(t->iut, &t->tst_addr, L2K_ADDR_LE_PUBLIC, 0x0080, NULL, &cb, &ch), 0);
	const struct tester_pdu *p = tester_expect_sig(t, 0x14, 1000);
	assert_non_null(p);
	uint8_t id = p->data[1];
	uint16_t icid = t_get16(p->data + 6);
	const uint8_t rsp[10] = {0x40, 0x00, 0x64, 0x00, 0x40, 0x00, 0x03, 0x00, 0x00, 0x00};
	tester_send_sig(t, 0x15, id, rsp, 9);
	const uint8_t rej1[1] = {0};
	tester_send_sig(t, 0x01, id, rej1, 1);
	assert_true(tester_quiet(t, 1000));
	assert_int_equal(r.opened + r.closed, 0);
	tester_send_sig(t, 0x15, id, rsp, 10);
	assert_true(tester_wait_open(t, &r, 1, 2000));
	const uint8_t cpu_rsp[1] = {0};
	tester_send_sig(t, 0x13, 0x55, cpu_rsp, 1);
	assert_int_equal(l2k_chan_close(ch), 0);
	p = tester_expect_sig(t, 0x06, 1000);
	assert_non_null(p);
	uint8_t d[4] = {0x40, 0x00, 0, 0};
	t_put16(d + 2, icid);
	tester_send_sig(t, 0x07, p->data[1], d, 3);
	assert_true(tester_quiet(t, 500));
	assert_int_equal(r.closed, 0);
	tester_send_sig(t, 0x07, p->data[1], d, 4);
	assert_true(tester_wait_closed(t, &r, 1, 2000));
	assert_int_equal(r.reason, L2K_CLOSE_LOCAL);
}

/* Requests naming CIDs that are wrong: a Connection Request with a fixed SCID (result 0x0006
 * "invalid Source CID") or an SCID already in use (0x0007), Configuration and Disconnection
 * Requests for CIDs the IUT does not have (Command Reject 0x0002 with the request's CIDs, 4.1),
 * and any command with the illegal identifier 0x00 (ignored, 4). */
static void test_requests_with_invalid_cids(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	assert_int_equal(tester_server(t, PSM, false, NULL, &r), 0);
	uint8_t rq[4];
	t_put16(rq, PSM);
	t_put16(rq + 2, 0x0001);
	tester_send_sig(t, 0x02, 0x21, rq, 4);
	const struct tester_pdu *p = tester_expect_sig(t, 0x03, 1000);
	const uint8_t w1[12] = {0x03, 0x21, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00, 0x00};
	assert_true(tester_sig_is(p, w1, 12));
	uint8_t cfg_id;
	uint16_t icid = tester_connects(t, TCID, &cfg_id);
	t_put16(rq + 2, TCID);
	tester_send_sig(t, 0x02, 0x22, rq, 4);
	p = tester_expect_sig(t, 0x03, 1000);
	const uint8_t w2[12] = {0x03, 0x22, 0x08, 0x00, 0x00, 0x00, 0x50, 0x00, 0x07, 0x00, 0x00, 0x00};
	assert_true(tester_sig_is(p, w2, 12));
	const uint8_t creq[4] = {0x77, 0x07, 0x00, 0x00};
	tester_send_sig(t, 0x04, 0x23, creq, 4);
	p = tester_expect_sig(t, 0x01, 1000);
	const uint8_t w3[10] = {0x01, 0x23, 0x06, 0x00, 0x02, 0x00, 0x77, 0x07, 0x00, 0x00};
	assert_true(tester_sig_is(p, w3, 10));
	uint8_t dreq[4];
	t_put16(dreq, icid);
	t_put16(dreq + 2, 0x0099); /* our CID is wrong */
	tester_send_sig(t, 0x06, 0x24, dreq, 4);
	p = tester_expect_sig(t, 0x01, 1000);
	uint8_t w4[10] = {0x01, 0x24, 0x06, 0x00, 0x02, 0x00, dreq[0], dreq[1], 0x99, 0x00};
	assert_true(tester_sig_is(p, w4, 10));
	tester_send_sig(t, 0x08, 0x00, (const uint8_t *)"zero", 4);
	t_put16(dreq + 2, TCID);
	tester_send_sig(t, 0x06, 0x00, dreq, 4);
	assert_true(tester_quiet(t, 1000));
	assert_int_equal(r.closed, 0); /* the right Disconnection Request, with identifier 0: ignored */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_short_bredr_responses_ignored, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_truncated_information_responses, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_truncated_command_rejects, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_conf_request_bad_option_lengths_rejected, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_conf_response_bad_option_lengths_disconnect, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_pending_conf_response_with_too_many_options, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_short_le_responses_ignored, tester_fixture_le_central, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_requests_with_invalid_cids, tester_fixture_bredr, tester_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
