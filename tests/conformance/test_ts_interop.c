/* Interoperability leniency, conformance style: the tester plays peers met in the field (first
 * BTstack) whose responses carry odd fields, and checks that l2kit takes a response by its
 * identifier (Vol 3 Part A 4: a response carries the identifier of the request it answers) and
 * acts on it at once instead of waiting out RTX:
 *  - a Connection Response refusal with its CIDs swapped (BTstack: result 0x0002, DCID = our
 *    SCID, SCID 0x0000) or meaningless: the fields of a refusal are to be ignored (4.3);
 *  - a Configuration Response and a Disconnection Response naming the CIDs the other way round;
 *  - an LE Credit Based Connection Response refusal with non-zero DCID/MTU/MPS/credits (4.23);
 *  - a Credit Based Connection Response refusing the whole request whose DCID list is not
 *    well formed (odd octet, more than five): the refusal still names the cause (4.26).
 * A success still has to name our channel (its SCID), or it is ignored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/conformance/test_ts_ecfc.h"

#define PSM 0x1001
#define SPSM 0x0080
#define TCID 0x0050 /* the tester's CID */

/* The IUT connects to PSM on BR/EDR; the tester answers its Information Requests (a peer
 * without extended features) and returns the Connection Request (ident, the IUT's SCID). */
static void iut_connect_bredr(struct tester *t, struct tester_rec *r, l2k_chan **ch, uint8_t *id, uint16_t *icid)
{
	struct l2k_chan_cbs cb = tester_rec_cbs(r);
	assert_int_equal(l2k_chan_connect(t->iut, &t->tst_addr, L2K_ADDR_BREDR, PSM, NULL, &cb, ch), 0);
	assert_int_equal(tester_answer_info(t, 0, 0), 0);
	const struct tester_pdu *p = tester_expect_sig(t, 0x02, 1000);
	assert_non_null(p);
	assert_int_equal(t_get16(p->data + 4), PSM);
	*id = p->data[1];
	*icid = t_get16(p->data + 6);
}

static void conn_rsp(struct tester *t, uint8_t id, uint16_t dcid, uint16_t scid, uint16_t result)
{
	uint8_t d[8];
	t_put16(d, dcid);
	t_put16(d + 2, scid);
	t_put16(d + 4, result);
	t_put16(d + 6, 0);
	tester_send_sig(t, 0x03, id, d, 8);
}

/* A refusal is final at once: the channel closes "refused" with the peer's result well before
 * RTX (10 s), and the IUT sends nothing more for it. */
static void refused_now(struct tester *t, struct tester_rec *r, uint16_t result)
{
	assert_true(tester_wait_closed(t, r, 1, 200));
	assert_int_equal(r->opened, 0);
	assert_int_equal(r->reason, L2K_CLOSE_REFUSED);
	assert_int_equal(r->last_result, result);
	assert_true(tester_quiet(t, 1000));
}

/* BTstack refuses an unknown PSM with DCID = our SCID and SCID 0x0000 (the CIDs swapped). */
static void test_interop_conn_refusal_with_swapped_cids_is_taken_at_once(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	l2k_chan *ch;
	uint8_t id;
	uint16_t icid;
	iut_connect_bredr(t, &r, &ch, &id, &icid);
	conn_rsp(t, id, icid, 0x0000, 0x0002);
	refused_now(t, &r, 0x0002);
}

/* Whatever the CIDs of a refusal say, the identifier decides (here "no resources" with CIDs
 * that name nothing). */
static void test_interop_conn_refusal_cids_are_ignored(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	l2k_chan *ch;
	uint8_t id;
	uint16_t icid;
	iut_connect_bredr(t, &r, &ch, &id, &icid);
	conn_rsp(t, id, 0x1234, 0x5678, 0x0004);
	refused_now(t, &r, 0x0004);
	/* the same response again is stray: nothing happens */
	conn_rsp(t, id, 0x1234, 0x5678, 0x0004);
	assert_true(tester_quiet(t, 500));
	assert_int_equal(r.closed, 1);
}

/* A success must name our channel in its SCID: one that does not is ignored, and the right
 * one that follows opens the channel (configuration starts). */
static void test_interop_conn_success_must_name_our_channel(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	l2k_chan *ch;
	uint8_t id;
	uint16_t icid;
	iut_connect_bredr(t, &r, &ch, &id, &icid);
	conn_rsp(t, id, TCID, (uint16_t)(icid + 1), 0x0000);
	assert_true(tester_quiet(t, 500));
	assert_int_equal(r.closed, 0);
	conn_rsp(t, id, TCID, icid, 0x0000);
	const struct tester_pdu *p = tester_expect_sig(t, 0x04, 1000);
	assert_non_null(p);
	assert_int_equal(t_get16(p->data + 4), TCID);
}

/* Open a Basic channel from the IUT whose Configuration Response comes with the CIDs the other
 * way round (the tester's own CID in SCID): taken by identifier, the channel opens. */
static void test_interop_conf_rsp_taken_by_identifier(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	l2k_chan *ch;
	uint8_t id;
	uint16_t icid;
	iut_connect_bredr(t, &r, &ch, &id, &icid);
	conn_rsp(t, id, TCID, icid, 0x0000);
	const struct tester_pdu *p = tester_expect_sig(t, 0x04, 1000);
	assert_non_null(p);
	uint8_t cid = p->data[1];
	/* the tester's request (no options) and the IUT's answer */
	uint8_t creq[4];
	t_put16(creq, icid);
	t_put16(creq + 2, 0);
	tester_send_sig(t, 0x04, 0x61, creq, 4);
	assert_non_null(tester_expect_sig(t, 0x05, 1000));
	/* the response to the IUT's request, SCID wrong */
	uint8_t crsp[6];
	t_put16(crsp, TCID);
	t_put16(crsp + 2, 0);
	t_put16(crsp + 4, 0);
	tester_send_sig(t, 0x05, cid, crsp, 6);
	assert_true(tester_wait_open(t, &r, 1, 200));
	assert_int_equal(l2k_chan_send(ch, (const uint8_t *)"ok", 2), 0);
	p = tester_next_on(t, TCID, 1000);
	assert_non_null(p);
	assert_int_equal(p->len, 2);
}

/* The IUT disconnects; the tester's Disconnection Response has DCID and SCID swapped: taken by
 * identifier, the channel is closed at once (not left waiting for ever). */
static void test_interop_disconn_rsp_with_swapped_cids_closes(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	l2k_chan *ch;
	uint16_t icid;
	assert_int_equal(tester_iut_open_bredr(t, PSM, NULL, &r, TCID, NULL, 0, &ch, &icid), 0);
	assert_int_equal(l2k_chan_close(ch), 0);
	const struct tester_pdu *p = tester_expect_sig(t, 0x06, 1000);
	assert_non_null(p);
	uint8_t d[4];
	t_put16(d, icid); /* should be TCID */
	t_put16(d + 2, TCID);
	tester_send_sig(t, 0x07, p->data[1], d, 4);
	assert_true(tester_wait_closed(t, &r, 1, 200));
	assert_int_equal(r.reason, L2K_CLOSE_LOCAL);
	assert_true(tester_quiet(t, 1000));
}

/* The same on LE: the IUT's LE channel is closed by a Disconnection Response with its CIDs
 * swapped. */
static void test_interop_le_disconn_rsp_with_swapped_cids_closes(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	l2k_chan *ch;
	struct tester_le_conn ans = {.cid = 0x0047, .mtu = 100, .mps = 64, .credits = 5}, req;
	assert_int_equal(tester_iut_le_connect(t, SPSM, NULL, &r, &ans, &req, &ch), 0);
	assert_int_equal(l2k_chan_close(ch), 0);
	const struct tester_pdu *p = tester_expect_sig(t, 0x06, 1000);
	assert_non_null(p);
	uint8_t d[4];
	t_put16(d, req.cid); /* should be 0x0047 */
	t_put16(d + 2, 0x0047);
	tester_send_sig(t, 0x07, p->data[1], d, 4);
	assert_true(tester_wait_closed(t, &r, 1, 500));
	assert_int_equal(r.reason, L2K_CLOSE_LOCAL);
}

/* An LE Credit Based Connection Response refusing the SPSM with values in the other fields: the
 * result alone counts. */
static void test_interop_le_conn_refusal_fields_ignored(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	struct l2k_chan_cbs cb = tester_rec_cbs(&r);
	l2k_chan *ch;
	assert_int_equal(l2k_chan_connect(t->iut, &t->tst_addr, L2K_ADDR_LE_PUBLIC, SPSM, NULL, &cb, &ch), 0);
	const struct tester_pdu *p = tester_expect_sig(t, 0x14, 1000);
	assert_non_null(p);
	uint8_t rsp[10] = {0x40, 0x00, 0x64, 0x00, 0x40, 0x00, 0x03, 0x00, 0x02, 0x00};
	tester_send_sig(t, 0x15, p->data[1], rsp, 10);
	refused_now(t, &r, 0x0002);
}

/* A Credit Based Connection Response refusing the whole request ("SPSM not supported") whose
 * DCID list is not well formed - an odd octet, or six DCIDs: the request is refused with that
 * result, not failed as a protocol error. */
static void ecfc_refusal_with_bad_dcid_list(struct tester *t, size_t dcid_octets)
{
	struct tester_rec r = {0};
	l2k_chan *ch[2];
	struct ecfc_req rq;
	ecfc_iut_start(t, 2, NULL, &r, 1, ch, &rq);
	uint8_t d[8 + 12] = {0x64, 0x00, 0x40, 0x00, 0x05, 0x00, 0x02, 0x00, 0x40, 0x00, 0x41, 0x00};
	tester_send_sig(t, 0x18, rq.ident, d, 8 + dcid_octets);
	assert_true(tester_wait_closed(t, &r, 2, 200));
	assert_int_equal(r.opened, 0);
	assert_int_equal(r.reason, L2K_CLOSE_REFUSED);
	assert_int_equal(r.last_result, 0x0002);
	assert_true(tester_quiet(t, 1000));
}

static void test_interop_ecfc_refusal_with_odd_dcid_list_le(void **state)
{
	ecfc_refusal_with_bad_dcid_list(*state, 3);
}

static void test_interop_ecfc_refusal_with_odd_dcid_list_bredr(void **state)
{
	ecfc_refusal_with_bad_dcid_list(*state, 3);
}

/* (six DCIDs do not fit LE's minimum signaling MTU of 23: BR/EDR only) */
static void test_interop_ecfc_refusal_with_six_dcids_bredr(void **state)
{
	ecfc_refusal_with_bad_dcid_list(*state, 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_interop_conn_refusal_with_swapped_cids_is_taken_at_once, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_interop_conn_refusal_cids_are_ignored, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_interop_conn_success_must_name_our_channel, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_interop_conf_rsp_taken_by_identifier, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_interop_disconn_rsp_with_swapped_cids_closes, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_interop_le_disconn_rsp_with_swapped_cids_closes, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_interop_le_conn_refusal_fields_ignored, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_interop_ecfc_refusal_with_odd_dcid_list_le, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_interop_ecfc_refusal_with_odd_dcid_list_bredr, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_interop_ecfc_refusal_with_six_dcids_bredr, tester_fixture_bredr, tester_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
