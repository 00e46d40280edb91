/* Conformance: malformed and edge input for Enhanced Credit Based Flow Control signaling:
 * the cases without a TS ID (those with one are l2tester's, tools/l2tester/cases_ecfc.c):
 * more than five Source CIDs, valid and allocated CIDs mixed, identifiers reused (the IUT's own request pending; a duplicate request), responses shorter than their
 * fixed fields or with an odd CID list (a refusal with one), pending results, an unanswered
 * request.
 *
 * What l2kit answers (Vol 3 Part A 4, 4.1, 4.25-4.26):
 *  - a request shorter than its fixed fields, or whose Length runs past the C-frame: Command
 *    Reject "not understood" with its identifier, nothing else;
 *  - a C-frame whose basic-header length disagrees with the octets received: dropped;
 *  - a Credit Based Connection Request with fixed fields but a bad CID list (none, an odd
 *    octet, more than five): result 0x000C, one zero DCID per whole Source CID (at most five);
 *  - a malformed response: the request failed (its channels close, nothing is sent); but a
 *    result refusing the whole request is taken even with a malformed DCID list;
 *  - a duplicate request (same identifier and octets, channels still there): the same response
 *    again (4: "should reply with a duplicate response").  See test_ts_ecfc.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/conformance/test_ts_ecfc.h"

/* Six, seven and ten Source CIDs on ACL-U: "invalid parameters" (0x000C) with five zero DCIDs
 * (the most a response holds), and not one channel is created or offered. */
static void test_ecfc_six_or_more_scids_create_no_channel_bredr(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	ecfc_server(t, NULL, &r);
	static const int counts[] = {6, 7, 8};
	for (size_t i = 0; i < 3; i++) {
		struct ecfc_req rq = {.ident = (uint8_t)(0x60 + i), .spsm = ECFC_PSM_BR, .mtu = 100, .mps = 64,
				      .credits = 5, .n = counts[i]};
		for (int k = 0; k < rq.n; k++)
			rq.cid[k] = (uint16_t)(0x0040 + k);
		ecfc_want_refusal(t, &rq, 0x000C, 5);
	}
	assert_int_equal(r.accept_calls, 0);
	/* all those CIDs are still free */
	uint16_t cids[5];
	ecfc_tester_open(t, &r, 5, 0x0040, 100, 64, 5, cids);
}

/* A request mixing a Source CID already allocated (to an open channel), a new one, the new
 * one again, one outside the dynamic range and another new one: "some refused - Source CID
 * already allocated" (0x000A, the first reason met), DCIDs only for the two new CIDs, which open
 * and carry data; the channel that held the allocated CID is untouched. */
static void mixed_scids(struct tester *t)
{
	struct tester_rec r = {0};
	ecfc_server(t, NULL, &r);
	uint16_t first;
	ecfc_tester_open(t, &r, 1, 0x0040, 100, 64, 5, &first);
	struct ecfc_req rq = {.ident = 0x64, .spsm = ecfc_psm(t), .mtu = 100, .mps = 64, .credits = 5, .n = 5,
			      .cid = {0x0040, 0x0041, 0x0041, 0x0001, 0x0042}};
	ecfc_send_req(t, &rq);
	const struct tester_pdu *p = tester_expect_sig(t, 0x18, 2000);
	assert_non_null(p);
	assert_int_equal(p->len, 4 + 8 + 10);
	uint16_t dcid[5] = {0, t_get16(p->data + 14), 0, 0, t_get16(p->data + 20)};
	assert_true(dcid[1] >= 0x0040 && dcid[4] >= 0x0040 && dcid[1] != dcid[4]);
	assert_true(dcid[1] != first && dcid[4] != first);
	ecfc_want_rsp(p, 0x64, ECFC_IUT_MTU, ECFC_IUT_MPS, ECFC_IUT_CREDITS, 0x000A, dcid, 5);
	assert_true(tester_wait_open(t, &r, 3, 2000));
	assert_int_equal(r.accept_calls, 3);
	assert_int_equal(tester_send_kframe(t, dcid[4], 1, (const uint8_t *)"4", 1), 0);
	assert_true(tester_wait_sdus(t, &r, 1, 2000));
	assert_int_equal(tester_send_kframe(t, first, 1, (const uint8_t *)"0", 1), 0);
	assert_true(tester_wait_sdus(t, &r, 2, 2000));
	assert_int_equal(r.closed, 0);
}

static void test_ecfc_mixed_valid_and_allocated_scids_le(void **state)
{
	mixed_scids(*state);
}

static void test_ecfc_mixed_valid_and_allocated_scids_bredr(void **state)
{
	mixed_scids(*state);
}

/* Identifiers of the two directions are independent: while the IUT's own request (identifier
 * X) waits for its answer, the tester's request with the same X is answered at once, and the
 * tester's later response with X still completes the IUT's request. */
static void ident_reused_while_pending(struct tester *t)
{
	struct tester_rec srv = {0}, mine = {0};
	ecfc_server(t, NULL, &srv);
	l2k_chan *ch[2];
	struct ecfc_req iut;
	ecfc_iut_start(t, 2, NULL, &mine, 1, ch, &iut);
	struct ecfc_req rq = {.ident = iut.ident, .spsm = ecfc_psm(t), .mtu = 100, .mps = 64, .credits = 5, .n = 1,
			      .cid = {0x0050}};
	struct ecfc_rsp rsp;
	ecfc_request(t, &rq, &rsp);
	assert_int_equal(rsp.result, 0);
	assert_int_equal(rsp.n, 1);
	assert_true(tester_wait_open(t, &srv, 1, 2000));
	assert_int_equal(mine.opened + mine.closed, 0); /* the IUT's request still waits */
	struct ecfc_rsp ans = {.mtu = 100, .mps = 64, .credits = 5, .n = 2, .dcid = {0x0060, 0x0061}};
	ecfc_send_rsp(t, iut.ident, &ans);
	assert_true(tester_wait_open(t, &mine, 2, 2000));
	for (int i = 0; i < 2; i++) {
		struct l2k_chan_info ci;
		l2k_chan_get_info(ch[i], &ci);
		assert_int_equal(ci.remote_cid, 0x0060 + i);
		assert_true(ci.local_cid != rsp.dcid[0]);
	}
	assert_true(tester_quiet(t, 500));
}

static void test_ecfc_ident_reused_while_own_request_pending_le(void **state)
{
	ident_reused_while_pending(*state);
}

static void test_ecfc_ident_reused_while_own_request_pending_bredr(void **state)
{
	ident_reused_while_pending(*state);
}

/* A request re-sent with the same identifier (the peer's RTX expired, Vol 3 Part A 4): the same
 * response again, byte for byte, and no new channel.  The identifier with other Source CIDs is
 * a new request; after the first request's channels went, the same octets are new too. */
static void duplicate_request(struct tester *t)
{
	struct tester_rec r = {0};
	ecfc_server(t, NULL, &r);
	struct ecfc_req rq = {.ident = 0x66, .spsm = ecfc_psm(t), .mtu = 100, .mps = 64, .credits = 5, .n = 2,
			      .cid = {0x0040, 0x0041}};
	struct ecfc_rsp a, b;
	ecfc_request(t, &rq, &a);
	assert_int_equal(a.result, 0);
	assert_true(tester_wait_open(t, &r, 2, 2000));
	ecfc_send_req(t, &rq);
	ecfc_want_rsp(tester_expect_sig(t, 0x18, 2000), 0x66, a.mtu, a.mps, a.credits, 0, a.dcid, 2);
	assert_true(tester_quiet(t, 300));
	assert_int_equal(r.accept_calls, 2);
	rq.cid[0] = 0x0042;
	rq.cid[1] = 0x0043;
	ecfc_request(t, &rq, &b);
	assert_int_equal(b.result, 0);
	assert_true(tester_wait_open(t, &r, 4, 2000));
	assert_int_equal(r.accept_calls, 4);
	/* that request's channels go: the same octets with the same identifier are new again */
	for (int i = 0; i < 2; i++) {
		uint8_t d[4];
		t_put16(d, b.dcid[i]);
		t_put16(d + 2, (uint16_t)(0x0042 + i));
		tester_send_sig(t, 0x06, (uint8_t)(0x67 + i), d, 4);
		assert_non_null(tester_expect_sig(t, 0x07, 2000));
	}
	struct ecfc_rsp c;
	ecfc_request(t, &rq, &c);
	assert_int_equal(c.result, 0);
	assert_true(tester_wait_open(t, &r, 6, 2000));
	assert_int_equal(r.accept_calls, 6);
}

static void test_ecfc_duplicate_request_gets_duplicate_response_le(void **state)
{
	duplicate_request(*state);
}

static void test_ecfc_duplicate_request_gets_duplicate_response_bredr(void **state)
{
	duplicate_request(*state);
}

/* Responses to the IUT's request that are malformed: shorter than the fixed fields (0-7
 * octets) or with an odd octet in the DCID list.  The request failed: its channels close
 * ("protocol", result 0xFFFF) and the IUT sends nothing (no Command Reject for a response, no
 * Disconnection Request: nothing was established); a correct response afterwards is stray. */
static void malformed_responses(struct tester *t)
{
	static const size_t lens[] = {0, 2, 7, 9};
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct tester_rec r = {0};
		l2k_chan *ch[1];
		struct ecfc_req rq;
		ecfc_iut_start(t, 1, NULL, &r, 1, ch, &rq);
		const uint8_t d[9] = {100, 0, 64, 0, 5, 0, 0, 0, 0x40};
		tester_send_sig(t, 0x18, rq.ident, d, lens[i]);
		assert_true(tester_wait_closed(t, &r, 1, 2000));
		assert_int_equal(r.opened, 0);
		assert_int_equal(r.reason, L2K_CLOSE_PROTOCOL);
		assert_int_equal(r.last_result, 0xFFFF);
		struct ecfc_rsp ok = {.mtu = 100, .mps = 64, .credits = 5, .n = 1, .dcid = {0x0040}};
		ecfc_send_rsp(t, rq.ident, &ok);
		assert_true(tester_quiet(t, 500));
		assert_int_equal(r.opened, 0);
	}
}

static void test_ecfc_malformed_response_fails_request_le(void **state)
{
	malformed_responses(*state);
}

static void test_ecfc_malformed_response_fails_request_bredr(void **state)
{
	malformed_responses(*state);
}

/* A response refusing the whole request ("SPSM not supported", 0x0002) whose DCID list is
 * malformed (an odd octet after zero or two DCIDs): a refusal needs no DCID (4.26), so the IUT
 * takes the refusal and its cause - the channels close "refused" with result 0x0002, not as a
 * protocol failure - and sends nothing. */
static void refusal_with_malformed_list(struct tester *t)
{
	static const size_t lens[] = {9, 13};
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct tester_rec r = {0};
		l2k_chan *ch[2];
		struct ecfc_req rq;
		ecfc_iut_start(t, 2, NULL, &r, 1, ch, &rq);
		uint8_t d[13] = {0, 0, 0, 0, 0, 0, 0x02, 0x00};
		tester_send_sig(t, 0x18, rq.ident, d, lens[i]);
		assert_true(tester_wait_closed(t, &r, 2, 2000));
		assert_int_equal(r.opened, 0);
		assert_int_equal(r.reason, L2K_CLOSE_REFUSED);
		assert_int_equal(r.last_result, 0x0002);
		assert_true(tester_quiet(t, 500));
	}
}

static void test_ecfc_refusal_with_malformed_dcid_list_le(void **state)
{
	refusal_with_malformed_list(*state);
}

static void test_ecfc_refusal_with_malformed_dcid_list_bredr(void **state)
{
	refusal_with_malformed_list(*state);
}

/* A success response with fewer DCIDs than channels asked for: the channels without one are
 * refused, the others open. */
static void fewer_dcids(struct tester *t)
{
	struct tester_rec r[3] = {{0}};
	l2k_chan *ch[3];
	struct ecfc_req rq;
	ecfc_iut_start(t, 3, NULL, r, 3, ch, &rq);
	struct ecfc_rsp rsp = {.mtu = 100, .mps = 64, .credits = 5, .n = 1, .dcid = {0x0070}};
	ecfc_send_rsp(t, rq.ident, &rsp);
	assert_true(tester_wait_open(t, &r[0], 1, 2000));
	for (int i = 1; i < 3; i++) {
		assert_true(tester_wait_closed(t, &r[i], 1, 2000));
		assert_int_equal(r[i].opened, 0);
		assert_int_equal(r[i].reason, L2K_CLOSE_REFUSED);
	}
	assert_true(tester_quiet(t, 500));
}

static void test_ecfc_response_with_fewer_dcids_le(void **state)
{
	fewer_dcids(*state);
}

static void test_ecfc_response_with_fewer_dcids_bredr(void **state)
{
	fewer_dcids(*state);
}

/* "All connections pending" (0x000D-0x000F): the IUT waits for the final response (past RTX, up
 * to ERTX, 60 s) instead of failing, and the final success opens the channels. */
static void pending_then_success(struct tester *t)
{
	struct tester_rec r = {0};
	l2k_chan *ch[2];
	struct ecfc_req rq;
	ecfc_iut_start(t, 2, NULL, &r, 1, ch, &rq);
	struct ecfc_rsp pend = {.result = 0x000F, .n = 2};
	ecfc_send_rsp(t, rq.ident, &pend);
	assert_true(tester_quiet(t, 30000)); /* RTX (10 s) would have failed it */
	assert_int_equal(r.opened + r.closed, 0);
	struct ecfc_rsp ok = {.mtu = 100, .mps = 64, .credits = 5, .n = 2, .dcid = {0x0044, 0x0045}};
	ecfc_send_rsp(t, rq.ident, &ok);
	assert_true(tester_wait_open(t, &r, 2, 2000));
}

static void test_ecfc_pending_result_then_success_le(void **state)
{
	pending_then_success(*state);
}

static void test_ecfc_pending_result_then_success_bredr(void **state)
{
	pending_then_success(*state);
}

/* A request never answered: when RTX (10 s) expires the channels close ("timeout") and the IUT
 * sends nothing for them. */
static void unanswered(struct tester *t)
{
	struct tester_rec r = {0};
	l2k_chan *ch[2];
	struct ecfc_req rq;
	ecfc_iut_start(t, 2, NULL, &r, 1, ch, &rq);
	assert_true(tester_quiet(t, 9500));
	assert_int_equal(r.closed, 0);
	assert_true(tester_wait_closed(t, &r, 2, 1000));
	assert_int_equal(r.opened, 0);
	assert_int_equal(r.reason, L2K_CLOSE_TIMEOUT);
	assert_true(tester_quiet(t, 1000));
}

static void test_ecfc_unanswered_request_times_out_le(void **state)
{
	unanswered(*state);
}

static void test_ecfc_unanswered_request_times_out_bredr(void **state)
{
	unanswered(*state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_ecfc_six_or_more_scids_create_no_channel_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_mixed_valid_and_allocated_scids_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_mixed_valid_and_allocated_scids_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_ident_reused_while_own_request_pending_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_ident_reused_while_own_request_pending_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_duplicate_request_gets_duplicate_response_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_duplicate_request_gets_duplicate_response_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_malformed_response_fails_request_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_malformed_response_fails_request_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_refusal_with_malformed_dcid_list_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_refusal_with_malformed_dcid_list_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_response_with_fewer_dcids_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_response_with_fewer_dcids_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_pending_result_then_success_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_pending_result_then_success_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_unanswered_request_times_out_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ecfc_unanswered_request_times_out_bredr, ecfc_setup_bredr, ecfc_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
