/* Conformance: L2CAP.TS group LE/CFC, part 1: LE credit based connections: opening, refusals
 * both ways, disconnection, CID allocation (Vol 3 Part A 4.22-4.23, 4.6-4.7, 2.1).  The data
 * path (credits, violations, fragments) is in test_ts_le_cfc_data.c; the refusals of a link that
 * falls short of a server's security (BV-11, BV-15, BV-25) are in test_ts_security.c.
 *
 * Not covered by this group's files (ID -- reason):
 *   L2CAP/LE/CFC/BI-02-C -- n/a: older TS revision, not in TS p41: no procedure to play
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/common/tester.h"

#define SPSM 0x0080
#define TCID 0x0040

/* An LE Credit Based Connection Response with every field given. */
static void want_le_rsp(const struct tester_pdu *p, uint8_t id, uint16_t dcid, uint16_t mtu, uint16_t mps,
			uint16_t credits, uint16_t result)
{
	uint8_t w[14] = {0x15, id, 0x0A, 0x00};
	t_put16(w + 4, dcid);
	t_put16(w + 6, mtu);
	t_put16(w + 8, mps);
	t_put16(w + 10, credits);
	t_put16(w + 12, result);
	assert_true(tester_sig_is(p, w, 14));
}

/* Send an LE Credit Based Connection Request and return the response PDU. */
static const struct tester_pdu *le_req(struct tester *t, uint8_t id, uint16_t spsm, uint16_t scid)
{
	uint8_t d[10];
	t_put16(d, spsm);
	t_put16(d + 2, scid);
	t_put16(d + 4, 100);
	t_put16(d + 6, 50);
	t_put16(d + 8, 5);
	tester_send_sig(t, 0x14, id, d, 10);
	return tester_expect_sig(t, 0x15, 2000);
}

/* The IUT asks for a channel and the tester refuses it with result: no channel, the
 * application hears "refused" with that result, and the IUT sends nothing more. */
static void iut_refused(struct tester *t, uint16_t result)
{
	struct tester_rec r = {0};
	struct tester_le_conn ans = {.result = result}, req;
	assert_int_equal(tester_iut_le_connect(t, SPSM, NULL, &r, &ans, &req, NULL), 0);
	assert_int_equal(r.opened, 0);
	assert_int_equal(r.closed, 1);
	assert_int_equal(r.reason, L2K_CLOSE_REFUSED);
	assert_int_equal(r.last_result, result);
	assert_true(tester_quiet(t, 1000));
}

/* L2CAP/LE/CFC/BV-01-C: a peer without LE CoC answers the request with Command Reject: the IUT
 * creates no channel. */
static void test_LE_CFC_BV_01_C_command_reject_means_no_channel(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	struct l2k_chan_cbs cb = tester_rec_cbs(&r);
	assert_int_equal(l2k_chan_connect(t->iut, &t->tst_addr, L2K_ADDR_LE_PUBLIC, SPSM, NULL, &cb, NULL), 0);
	const struct tester_pdu *p = tester_expect_sig(t, 0x14, 2000);
	assert_non_null(p);
	const uint8_t rej[2] = {0x00, 0x00};
	tester_send_sig(t, 0x01, p->data[1], rej, 2);
	assert_true(tester_wait_closed(t, &r, 1, 2000));
	assert_int_equal(r.opened, 0);
	assert_int_equal(r.closed, 1);
	assert_int_equal(r.reason, L2K_CLOSE_REFUSED);
	assert_true(tester_quiet(t, 1000));
}

/* L2CAP/LE/CFC/BV-04-C: the IUT's request to an SPSM the peer does not serve is refused
 * (0x0002): no channel. */
static void test_LE_CFC_BV_04_C_refused_spsm_not_supported(void **state)
{
	iut_refused(*state, 0x0002);
}

/* L2CAP/LE/CFC/BV-10-C: refused for insufficient authentication (0x0005): no channel. */
static void test_LE_CFC_BV_10_C_refused_insufficient_authentication(void **state)
{
	iut_refused(*state, 0x0005);
}

/* L2CAP/LE/CFC/BV-12-C: refused for insufficient authorization (0x0006): no channel. */
static void test_LE_CFC_BV_12_C_refused_insufficient_authorization(void **state)
{
	iut_refused(*state, 0x0006);
}

/* L2CAP/LE/CFC/BV-13-C: a server whose application does not authorize the peer refuses with
 * 0x0006 "insufficient authorization". */
static void test_LE_CFC_BV_13_C_refuses_unauthorized(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {.accept_result = L2K_RESULT_AUTHORIZATION};
	assert_int_equal(tester_server(t, SPSM, true, NULL, &r), 0);
	const struct tester_pdu *p = le_req(t, 0x25, SPSM, TCID);
	want_le_rsp(p, 0x25, 0, 0, 0, 0, 0x0006);
	assert_int_equal(r.accept_calls, 1);
	assert_int_equal(r.opened, 0);
}

/* L2CAP/LE/CFC/BV-14-C: refused for an encryption key too short (0x0007): no channel. */
static void test_LE_CFC_BV_14_C_refused_key_size(void **state)
{
	iut_refused(*state, 0x0007);
}

/* L2CAP/LE/CFC/BV-16-C: refused for lack of resources (0x0004): no channel. */
static void test_LE_CFC_BV_16_C_refused_no_resources(void **state)
{
	iut_refused(*state, 0x0004);
}

/* L2CAP/LE/CFC/BV-17-C: with all 64 LE dynamic CIDs of the IUT in use (63 accepted channels
 * and one request of its own), a further request is refused "no resources available". */
static void test_LE_CFC_BV_17_C_refuses_when_out_of_cids(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	assert_int_equal(tester_server(t, SPSM, true, NULL, &r), 0);
	for (uint16_t i = 0; i < 63; i++) {
		struct tester_le_conn rq = {.spsm = SPSM, .cid = (uint16_t)(0x40 + i), .mtu = 100, .mps = 50,
					    .credits = 1},
				      rsp;
		assert_int_equal(tester_le_connect(t, 0, &rq, &rsp), 0);
		assert_int_equal(rsp.result, 0);
	}
	assert_int_equal(r.opened, 63);
	struct tester_rec mine = {0};
	struct l2k_chan_cbs cb = tester_rec_cbs(&mine);
	assert_int_equal(l2k_chan_connect(t->iut, &t->tst_addr, L2K_ADDR_LE_PUBLIC, 0x0090, NULL, &cb, NULL), 0);
	assert_non_null(tester_expect_sig(t, 0x14, 2000)); /* left unanswered */
	const struct tester_pdu *p = le_req(t, 0x26, SPSM, 0x007F);
	want_le_rsp(p, 0x26, 0, 0, 0, 0, 0x0004);
	assert_int_equal(r.opened, 63);
}

/* L2CAP/LE/CFC/BV-18-C: refused with "invalid Source CID" (0x0009): no channel. */
static void test_LE_CFC_BV_18_C_refused_invalid_scid(void **state)
{
	iut_refused(*state, 0x0009);
}

/* L2CAP/LE/CFC/BV-19-C: refused with "Source CID already allocated" (0x000A): no channel. */
static void test_LE_CFC_BV_19_C_refused_scid_in_use(void **state)
{
	iut_refused(*state, 0x000A);
}

/* L2CAP/LE/CFC/BV-20-C: a second request reusing an SCID already in use is refused 0x000A; an
 * SCID outside the LE dynamic range is refused 0x0009. */
static void test_LE_CFC_BV_20_C_refuses_reused_scid(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	assert_int_equal(tester_server(t, SPSM, true, NULL, &r), 0);
	const struct tester_pdu *p = le_req(t, 0x27, SPSM, TCID);
	assert_non_null(p);
	assert_int_equal(t_get16(p->data + 12), 0);
	p = le_req(t, 0x28, SPSM, TCID);
	want_le_rsp(p, 0x28, 0, 0, 0, 0, 0x000A);
	p = le_req(t, 0x29, SPSM, 0x0080);
	want_le_rsp(p, 0x29, 0, 0, 0, 0, 0x0009);
	p = le_req(t, 0x2A, SPSM, 0x0004);
	want_le_rsp(p, 0x2A, 0, 0, 0, 0, 0x0009);
	assert_int_equal(r.opened, 1);
}

/* L2CAP/LE/CFC/BV-21-C: refused with "unacceptable parameters" (0x000B): no channel. */
static void test_LE_CFC_BV_21_C_refused_unacceptable_parameters(void **state)
{
	iut_refused(*state, 0x000B);
}

/* L2CAP/LE/CFC/BV-22-C: the response says the SPSM is not supported: no channel. */
static void test_LE_CFC_BV_22_C_refused_spsm_unsupported(void **state)
{
	iut_refused(*state, 0x0002);
}

/* L2CAP/LE/CFC/BV-24-C: refused for insufficient encryption (0x0008): no channel. */
static void test_LE_CFC_BV_24_C_refused_insufficient_encryption(void **state)
{
	iut_refused(*state, 0x0008);
}

/* L2CAP/LE/CFC/BV-29-C: the IUT takes its Source CIDs from the LE dynamic range 0x0040-0x007F,
 * a different one for each channel. */
static void test_LE_CFC_BV_29_C_scids_from_le_dynamic_range(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	uint16_t seen[4];
	for (int i = 0; i < 4; i++) {
		struct tester_le_conn ans = {.cid = (uint16_t)(TCID + i), .mtu = 100, .mps = 50, .credits = 5}, req;
		assert_int_equal(tester_iut_le_connect(t, SPSM, NULL, &r, &ans, &req, NULL), 0);
		assert_true(req.cid >= 0x0040 && req.cid <= 0x007F);
		for (int k = 0; k < i; k++)
			assert_int_not_equal(seen[k], req.cid);
		seen[i] = req.cid;
	}
	assert_int_equal(r.opened, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_LE_CFC_BV_01_C_command_reject_means_no_channel, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CFC_BV_04_C_refused_spsm_not_supported, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CFC_BV_10_C_refused_insufficient_authentication, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CFC_BV_12_C_refused_insufficient_authorization, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CFC_BV_13_C_refuses_unauthorized, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CFC_BV_14_C_refused_key_size, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CFC_BV_16_C_refused_no_resources, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CFC_BV_17_C_refuses_when_out_of_cids, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CFC_BV_18_C_refused_invalid_scid, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CFC_BV_19_C_refused_scid_in_use, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CFC_BV_20_C_refuses_reused_scid, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CFC_BV_21_C_refused_unacceptable_parameters, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CFC_BV_22_C_refused_spsm_unsupported, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CFC_BV_24_C_refused_insufficient_encryption, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_LE_CFC_BV_29_C_scids_from_le_dynamic_range, tester_fixture_le, tester_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
