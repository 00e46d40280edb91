/* Conformance: malformed and edge input for Enhanced Credit Based Flow Control signaling:
 * L2CAP.TS COS/CED/BI-18, BI-20, BI-22, BI-24, BI-25 (LE C-frames carrying Credit Based
 * Connection / Disconnection Requests with wrong lengths), ECFC/BV-39, BV-40 (a request split
 * over ACL fragments), ECFC/BI-09 (a BR/EDR C-frame whose length understates the request), and,
 * without TS IDs: more than five Source CIDs, valid and allocated CIDs mixed, identifiers
 * reused (the IUT's own request pending; a duplicate request), responses shorter than their
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
 *    again (4: "should reply with a duplicate response").  IDs not covered: see test_ts_ecfc.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/conformance/test_ts_ecfc.h"

/* The next signaling PDU must be exactly Command Reject "not understood" for ident. */
static void expect_not_understood(struct tester *t, uint8_t ident)
{
	const uint8_t want[6] = {0x01, ident, 0x02, 0x00, 0x00, 0x00};
	assert_true(tester_sig_is(tester_expect_sig(t, 0x01, 2000), want, 6));
}

static void acl(struct tester *t, uint8_t pb, const uint8_t *p, size_t n)
{
	assert_int_equal(tester_send_acl(t, pb, p, n), 0);
	tester_run(t, 50);
}

/* A Credit Based Connection Request for one channel from SCID 0x0040 (MTU 100, MPS 64, 5
 * credits) as a C-frame payload: 4 + 10 octets. */
static void one_req(const struct tester *t, uint8_t id, uint8_t *f)
{
	const uint8_t c[14] = {0x17, id, 0x0A, 0x00, 0, 0, 100, 0, 64, 0, 5, 0, 0x40, 0x00};
	memcpy(f, c, 14);
	t_put16(f + 4, ecfc_psm(t));
}

/* L2CAP/COS/CED/BI-18-C: an LE C-frame carrying a Credit Based Connection Request whose basic
 * header claims fewer or more octets than it holds is not acted on (no response, no channel);
 * the same request with the right length is answered. */
static void test_COS_CED_BI_18_C_ecfc_cframe_bad_pdu_length_ignored(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	ecfc_server(t, NULL, &r);
	uint8_t f[4 + 14];
	t_put16(f + 2, 0x0005);
	one_req(t, 0x51, f + 4);
	t_put16(f, 12);
	acl(t, HCI_ACL_PB_START_NOFLUSH, f, sizeof(f));
	t_put16(f, 16);
	acl(t, HCI_ACL_PB_START_NOFLUSH, f, sizeof(f));
	assert_true(tester_quiet(t, 300));
	assert_int_equal(r.accept_calls, 0);
	t_put16(f, 14);
	f[5] = 0x52;
	acl(t, HCI_ACL_PB_START_NOFLUSH, f, sizeof(f));
	struct ecfc_rsp rsp;
	ecfc_take_rsp(t, 0x52, &rsp);
	assert_int_equal(rsp.result, 0);
	assert_int_equal(rsp.n, 1);
	assert_true(tester_wait_open(t, &r, 1, 2000));
	assert_int_equal(r.accept_calls, 1);
}

/* L2CAP/COS/CED/BI-20-C: an LE Credit Based Connection Request whose Length (12) claims more
 * than the C-frame holds (10): Command Reject, no channel offered. */
static void test_COS_CED_BI_20_C_ecfc_length_past_cframe_rejected(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	ecfc_server(t, NULL, &r);
	uint8_t f[14];
	one_req(t, 0x53, f);
	t_put16(f + 2, 12);
	assert_int_equal(tester_send(t, 0x0005, f, sizeof(f)), 0);
	expect_not_understood(t, 0x53);
	assert_true(tester_quiet(t, 500));
	assert_int_equal(r.accept_calls, 0);
}

/* L2CAP/COS/CED/BI-22-C: a Credit Based Connection Request with a short Length and a stray
 * octet after it.  Length 9 holds the fixed fields and half a CID: refused "invalid
 * parameters" (0x000C) with no DCID (no whole Source CID); Length 7 does not even hold the
 * fixed fields: Command Reject.  The stray octet is ignored; no channel either way. */
static void test_COS_CED_BI_22_C_ecfc_short_length_plus_stray_octet(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	ecfc_server(t, NULL, &r);
	uint8_t f[14];
	one_req(t, 0x54, f);
	t_put16(f + 2, 9);
	assert_int_equal(tester_send(t, 0x0005, f, sizeof(f)), 0);
	ecfc_want_rsp(tester_expect_sig(t, 0x18, 2000), 0x54, 0, 0, 0, 0x000C, NULL, 0);
	f[1] = 0x55;
	t_put16(f + 2, 7);
	assert_int_equal(tester_send(t, 0x0005, f, 4 + 7 + 1), 0);
	expect_not_understood(t, 0x55);
	assert_true(tester_quiet(t, 500));
	assert_int_equal(r.accept_calls, 0);
}

/* L2CAP/COS/CED/BI-24-C: a truncated Credit Based Connection Request on LE (alone, or after a
 * complete command in the same C-frame, where LE allows one command) creates no channel. */
static void test_COS_CED_BI_24_C_truncated_ecfc_request(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	ecfc_server(t, NULL, &r);
	uint8_t f[14];
	one_req(t, 0x56, f);
	assert_int_equal(tester_send(t, 0x0005, f, 10), 0); /* 6 of 10 octets */
	expect_not_understood(t, 0x56);
	uint8_t two[8 + 10] = {0x06, 0x57, 0x04, 0x00, 0x41, 0x00, 0x42, 0x00};
	one_req(t, 0x58, f);
	memcpy(two + 8, f, 10);
	assert_int_equal(tester_send(t, 0x0005, two, sizeof(two)), 0);
	const uint8_t want[10] = {0x01, 0x57, 0x06, 0x00, 0x02, 0x00, 0x41, 0x00, 0x42, 0x00};
	assert_true(tester_sig_is(tester_expect_sig(t, 0x01, 2000), want, 10));
	assert_true(tester_quiet(t, 500));
	assert_int_equal(r.accept_calls, 0);
}

/* L2CAP/COS/CED/BI-25-C: a truncated Disconnection Request for an open ECFC channel on LE:
 * Command Reject, and the channel stays open. */
static void test_COS_CED_BI_25_C_truncated_disconnection_of_ecfc_channel(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	ecfc_server(t, NULL, &r);
	uint16_t icid;
	ecfc_tester_open(t, &r, 1, ECFC_TCID, 100, 64, 5, &icid);
	uint8_t d[6] = {0x06, 0x59, 0x04, 0x00, 0, 0};
	t_put16(d + 4, icid);
	assert_int_equal(tester_send(t, 0x0005, d, sizeof(d)), 0);
	expect_not_understood(t, 0x59);
	assert_true(tester_quiet(t, 500));
	assert_int_equal(r.closed, 0);
	assert_int_equal(tester_send_kframe(t, icid, 2, (const uint8_t *)"up", 2), 0);
	assert_true(tester_wait_sdus(t, &r, 1, 2000));
}

/* L2CAP/ECFC/BV-39-C, BV-40-C: a Credit Based Connection Request for two channels split over
 * two ACL fragments is rebuilt and answered. */
static void request_over_fragments(struct tester *t)
{
	struct tester_rec r = {0};
	ecfc_server(t, NULL, &r);
	uint8_t f[4 + 4 + 12] = {16, 0x00, 0, 0x00, 0x17, 0x5A, 0x0C, 0x00, 0, 0, 100, 0, 64, 0, 5, 0, 0x40, 0x00, 0x41, 0x00};
	t_put16(f + 2, ecfc_sig(t));
	t_put16(f + 8, ecfc_psm(t));
	acl(t, HCI_ACL_PB_START_NOFLUSH, f, 9);
	assert_true(tester_quiet(t, 300));
	acl(t, HCI_ACL_PB_CONT, f + 9, sizeof(f) - 9);
	struct ecfc_rsp rsp;
	ecfc_take_rsp(t, 0x5A, &rsp);
	assert_int_equal(rsp.result, 0);
	assert_int_equal(rsp.n, 2);
	assert_true(tester_wait_open(t, &r, 2, 2000));
}

static void test_ECFC_BV_39_C_request_over_two_fragments_le(void **state)
{
	request_over_fragments(*state);
}

static void test_ECFC_BV_40_C_request_over_two_fragments_bredr(void **state)
{
	request_over_fragments(*state);
}

/* L2CAP/ECFC/BI-09-C: BR/EDR C-frames whose basic-header length understates the Credit Based
 * Connection Request: with the whole request in the ACL packet the frame is dropped (nothing
 * answered); with the C-frame ending inside the request (Length 10, 8 octets present) the
 * request gets Command Reject.  No channel; a correct request is then answered. */
static void test_ECFC_BI_09_C_cframe_length_understates_request_bredr(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	ecfc_server(t, NULL, &r);
	uint8_t f[4 + 14];
	t_put16(f, 12);
	t_put16(f + 2, 0x0001);
	one_req(t, 0x5B, f + 4);
	acl(t, HCI_ACL_PB_START, f, sizeof(f)); /* 12 claimed, 14 sent */
	assert_true(tester_quiet(t, 300));
	f[5] = 0x5C;
	acl(t, HCI_ACL_PB_START, f, 4 + 12); /* 12 claimed and sent: the command is cut */
	expect_not_understood(t, 0x5C);
	assert_true(tester_quiet(t, 300));
	assert_int_equal(r.accept_calls, 0);
	t_put16(f, 14);
	f[5] = 0x5D;
	acl(t, HCI_ACL_PB_START, f, sizeof(f));
	struct ecfc_rsp rsp;
	ecfc_take_rsp(t, 0x5D, &rsp);
	assert_int_equal(rsp.result, 0);
	assert_int_equal(r.accept_calls, 1);
}

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
	    cmocka_unit_test_setup_teardown(test_COS_CED_BI_18_C_ecfc_cframe_bad_pdu_length_ignored, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CED_BI_20_C_ecfc_length_past_cframe_rejected, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CED_BI_22_C_ecfc_short_length_plus_stray_octet, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CED_BI_24_C_truncated_ecfc_request, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CED_BI_25_C_truncated_disconnection_of_ecfc_channel, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_39_C_request_over_two_fragments_le, ecfc_setup_le, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BV_40_C_request_over_two_fragments_bredr, ecfc_setup_bredr, ecfc_teardown),
	    cmocka_unit_test_setup_teardown(test_ECFC_BI_09_C_cframe_length_understates_request_bredr, ecfc_setup_bredr, ecfc_teardown),
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
