/* Conformance: L2CAP.TS group COS/CED (channel establishment and data), part 1: Basic-mode
 * channels, frames split or damaged at the ACL level, stray responses.  The signaling-format
 * tests (BI-08 to BI-17) are in test_ts_cos_ced_bi.c; BV-01/03/07/08/09 and BI-01 in
 * test_ts_cos_signaling.c.  Each test plays the tester over the simulated controller and checks
 * the bytes l2kit answers.
 *
 * Not covered by this group's files (ID -- reason):
 *   L2CAP/COS/CED/BV-10-C -- n/a: legacy Flow Control mode (the ERTM/legacy-mode helper's suites)
 *   L2CAP/COS/CED/BI-23-C -- n/a: ECFC-support variant (the ECFC suite decides it with ECFC built)
 *   L2CAP/COS/CED/BI-19-C -- n/a: for an IUT without LE CFC; l2kit has LE CFC (see BI-05)
 *   L2CAP/COS/CED/BI-21-C -- n/a: for an IUT without LE CFC; l2kit has LE CFC (see BI-09)
 *   L2CAP/COS/CED/BI-02-C -- n/a: older TS revision, not in TS p41: no procedure to play
 *   L2CAP/COS/CED/BV-13-C -- n/a: older TS revision, not in TS p41: no procedure to play
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/common/tester.h"

#define PSM 0x1001
#define TCID 0x0050 /* the tester's CID */

/* The tester opens a Basic channel to the IUT's server; returns the IUT's CID. */
static uint16_t open_basic(struct tester *t, struct tester_rec *r, const struct l2k_chan_opts *o)
{
	assert_int_equal(tester_server(t, PSM, false, o, r), 0);
	uint16_t icid = 0;
	assert_int_equal(tester_open_bredr(t, PSM, TCID, NULL, 0, &icid), 0);
	assert_int_equal(r->opened, 1);
	return icid;
}

/* One ACL packet from the tester: PB flag and the bytes. */
static void acl(struct tester *t, uint8_t pb, const uint8_t *p, size_t n)
{
	assert_int_equal(tester_send_acl(t, pb, p, n), 0);
	tester_run(t, 20);
}

/* L2CAP/COS/CED/BV-05-C: the IUT accepts an incoming Basic channel configured with the minimum
 * MTU (48) and carries a 48-octet PDU both ways; one octet more is refused / dropped. */
static void test_COS_CED_BV_05_C_acceptor_min_mtu_pdu(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mtu = 48;
	assert_int_equal(tester_server(t, PSM, false, &o, &r), 0);
	uint8_t rq[4];
	t_put16(rq, PSM);
	t_put16(rq + 2, TCID);
	tester_send_sig(t, 0x02, 0x11, rq, 4);
	const struct tester_pdu *p = tester_expect_sig(t, 0x03, 1000);
	assert_non_null(p);
	uint16_t icid = t_get16(p->data + 4);
	uint8_t want_rsp[12] = {0x03, 0x11, 0x08, 0x00, 0, 0, 0, 0, 0, 0, 0, 0};
	t_put16(want_rsp + 4, icid);
	t_put16(want_rsp + 6, TCID);
	assert_true(tester_sig_is(p, want_rsp, 12));
	assert_true(icid >= 0x0040);
	/* its Configuration Request asks for MTU 48 */
	p = tester_expect_sig(t, 0x04, 1000);
	assert_non_null(p);
	uint8_t want_cfg[12] = {0x04, p->data[1], 0x08, 0x00, 0, 0, 0x00, 0x00, 0x01, 0x02, 0x30, 0x00};
	t_put16(want_cfg + 4, TCID);
	assert_true(tester_sig_is(p, want_cfg, 12));
	uint8_t crsp[6];
	t_put16(crsp, icid);
	t_put16(crsp + 2, 0);
	t_put16(crsp + 4, 0);
	tester_send_sig(t, 0x05, p->data[1], crsp, 6);
	uint8_t creq[8] = {0, 0, 0, 0, 0x01, 0x02, 0x30, 0x00}; /* our MTU: 48 too */
	t_put16(creq, icid);
	tester_send_sig(t, 0x04, 0x12, creq, 8);
	p = tester_expect_sig(t, 0x05, 1000);
	assert_non_null(p);
	assert_int_equal(t_get16(p->data + 8), 0);
	tester_run(t, 10);
	assert_int_equal(r.opened, 1);
	uint8_t pdu[49];
	for (int i = 0; i < 49; i++)
		pdu[i] = (uint8_t)i;
	tester_send(t, icid, pdu, 48);
	tester_run(t, 20);
	assert_int_equal(r.sdus, 1);
	assert_int_equal(r.len, 48);
	assert_memory_equal(r.data, pdu, 48);
	tester_send(t, icid, pdu, 49); /* over the IUT's MTU: discarded (5.1) */
	tester_run(t, 20);
	assert_int_equal(r.sdus, 1);
	assert_int_equal(l2k_chan_send(r.ch, pdu, 48), 0);
	p = tester_next_on(t, TCID, 1000);
	assert_non_null(p);
	assert_int_equal(p->len, 48);
	assert_memory_equal(p->data, pdu, 48);
	assert_int_equal(l2k_chan_send(r.ch, pdu, 49), L2K_EMSGSIZE);
}

/* L2CAP/COS/CED/BV-11-C: an MTU above 48 is negotiated both ways and honoured: the IUT asks for
 * its 1000, accepts the tester's 900, sends 900-octet SDUs but not 901, takes 1000. */
static void test_COS_CED_BV_11_C_large_mtu_negotiated_and_honoured(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mtu = 1000;
	assert_int_equal(tester_server(t, PSM, false, &o, &r), 0);
	uint8_t rq[4];
	t_put16(rq, PSM);
	t_put16(rq + 2, TCID);
	tester_send_sig(t, 0x02, 0x21, rq, 4);
	const struct tester_pdu *p = tester_expect_sig(t, 0x03, 1000);
	assert_non_null(p);
	uint16_t icid = t_get16(p->data + 4);
	p = tester_expect_sig(t, 0x04, 1000);
	assert_non_null(p);
	const uint8_t mtu1000[4] = {0x01, 0x02, 0xE8, 0x03};
	assert_int_equal(p->len, 12);
	assert_memory_equal(p->data + 8, mtu1000, 4);
	uint8_t crsp[6];
	t_put16(crsp, icid);
	t_put16(crsp + 2, 0);
	t_put16(crsp + 4, 0);
	tester_send_sig(t, 0x05, p->data[1], crsp, 6);
	uint8_t creq[8] = {0, 0, 0, 0, 0x01, 0x02, 0x84, 0x03}; /* 900 */
	t_put16(creq, icid);
	tester_send_sig(t, 0x04, 0x22, creq, 8);
	p = tester_expect_sig(t, 0x05, 1000);
	assert_non_null(p);
	/* success, echoing the accepted MTU */
	uint8_t want[14] = {0x05, 0x22, 0x0A, 0x00, 0, 0, 0, 0, 0, 0, 0x01, 0x02, 0x84, 0x03};
	t_put16(want + 4, TCID);
	assert_true(tester_sig_is(p, want, 14));
	tester_run(t, 10);
	assert_int_equal(r.opened, 1);
	static uint8_t big[1000];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	assert_int_equal(l2k_chan_send(r.ch, big, 900), 0);
	p = tester_next_on(t, TCID, 1000);
	assert_non_null(p);
	assert_int_equal(p->len, 900);
	assert_memory_equal(p->data, big, 900);
	assert_int_equal(l2k_chan_send(r.ch, big, 901), L2K_EMSGSIZE);
	tester_send(t, icid, big, 1000);
	tester_run(t, 50);
	assert_int_equal(r.sdus, 1);
	assert_int_equal(r.len, 1000);
	assert_memory_equal(r.data, big, 1000);
}

/* L2CAP/COS/CED/BV-12-C: signaling PDUs that arrive split over ACL fragments are rebuilt and
 * answered: a Connection Request in 2 fragments, an Echo Request in 4. */
static void test_COS_CED_BV_12_C_signaling_split_over_acl_fragments(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	assert_int_equal(tester_server(t, PSM, false, NULL, &r), 0);
	/* basic header + Connection Request (8): 4 + 3 octets, then 5 */
	uint8_t f[12] = {0x08, 0x00, 0x01, 0x00, 0x02, 0x31, 0x04, 0x00, 0, 0, 0, 0};
	t_put16(f + 8, PSM);
	t_put16(f + 10, TCID);
	acl(t, HCI_ACL_PB_START, f, 7);
	assert_true(tester_quiet(t, 200)); /* nothing before the PDU is whole */
	acl(t, HCI_ACL_PB_CONT, f + 7, 5);
	const struct tester_pdu *p = tester_expect_sig(t, 0x03, 1000);
	assert_non_null(p);
	assert_int_equal(p->data[1], 0x31);
	assert_int_equal(t_get16(p->data + 6), TCID);
	assert_int_equal(t_get16(p->data + 8), 0); /* success */
	tester_flush(t);
	/* Echo Request with 20 data octets in fragments of 4, 6, 10, 8 */
	uint8_t e[28] = {24, 0x00, 0x01, 0x00, 0x08, 0x32, 20, 0x00};
	for (int i = 0; i < 20; i++)
		e[8 + i] = (uint8_t)(0xA0 + i);
	acl(t, HCI_ACL_PB_START, e, 4);
	acl(t, HCI_ACL_PB_CONT, e + 4, 6);
	acl(t, HCI_ACL_PB_CONT, e + 10, 10);
	acl(t, HCI_ACL_PB_CONT, e + 20, 8);
	p = tester_expect_sig(t, 0x09, 1000);
	assert_non_null(p);
	assert_int_equal(p->data[1], 0x32);
	assert_int_equal(p->len, 24);
	assert_memory_equal(p->data + 4, e + 8, 20);
}

/* L2CAP/COS/CED/BV-08-C after a long idle: RTX (and the connect timeout) run from the moment
 * the request is sent, not from the last time the engine was ticked: a channel opened after
 * 40 s without traffic still waits the whole RTX for its Connection Response. */
static void test_COS_CED_BV_08_C_rtx_runs_from_send_after_idle(void **state)
{
	struct tester *t = *state;
	tester_run(t, 40000); /* nothing happens on the link */
	struct tester_rec r = {0};
	struct l2k_chan_cbs cb = tester_rec_cbs(&r);
	assert_int_equal(l2k_chan_connect(t->iut, &t->tst_addr, L2K_ADDR_BREDR, PSM, NULL, &cb, NULL), 0);
	assert_int_equal(tester_answer_info(t, 0, 0), 0);
	assert_non_null(tester_expect_sig(t, 0x02, 1000));
	uint64_t sent = t->vc.now_ms;
	assert_true(tester_wait_closed(t, &r, 1, 70000));
	assert_int_equal(r.reason, L2K_CLOSE_TIMEOUT);
	assert_true(t->vc.now_ms - sent >= 1000); /* RTX is at least 1 s (6.2.1) */
}

/* L2CAP/COS/CED/BI-03-C: a B-frame whose length field disagrees with the octets received (in
 * one ACL packet, claiming more or fewer) is dropped; the next good one is delivered. */
static void test_COS_CED_BI_03_C_bframe_bad_length_dropped(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	uint16_t icid = open_basic(t, &r, NULL);
	uint8_t f[4 + 10];
	t_put16(f + 2, icid);
	memset(f + 4, 0x5A, 10);
	t_put16(f, 12); /* claims 12, carries 10: incomplete */
	acl(t, HCI_ACL_PB_START, f, sizeof(f));
	t_put16(f, 8); /* claims 8, carries 10: overrun */
	acl(t, HCI_ACL_PB_START, f, sizeof(f));
	assert_int_equal(r.sdus, 0);
	t_put16(f, 10);
	acl(t, HCI_ACL_PB_START, f, sizeof(f));
	assert_int_equal(r.sdus, 1);
	assert_int_equal(r.len, 10);
	assert_true(tester_quiet(t, 200)); /* and the IUT says nothing about the bad ones */
	assert_non_null(r.ch);
}

/* L2CAP/COS/CED/BI-06-C: a bad-length B-frame over a start and one continuation fragment is
 * dropped (too long: the continuation overruns; too short: a new start interrupts it). */
static void test_COS_CED_BI_06_C_bad_length_start_plus_continuation(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	uint16_t icid = open_basic(t, &r, NULL);
	uint8_t f[4 + 20];
	t_put16(f + 2, icid);
	memset(f + 4, 0x11, 20);
	t_put16(f, 16); /* 16 claimed, 20 sent: 4+8 then 12 */
	acl(t, HCI_ACL_PB_START, f, 12);
	acl(t, HCI_ACL_PB_CONT, f + 12, 12);
	assert_int_equal(r.sdus, 0);
	t_put16(f, 30); /* 30 claimed, 20 sent */
	acl(t, HCI_ACL_PB_START, f, 12);
	acl(t, HCI_ACL_PB_CONT, f + 12, 12);
	assert_int_equal(r.sdus, 0);
	t_put16(f, 20); /* a good one after them */
	acl(t, HCI_ACL_PB_START, f, 12);
	acl(t, HCI_ACL_PB_CONT, f + 12, 12);
	assert_int_equal(r.sdus, 1);
	assert_int_equal(r.len, 20);
	assert_true(tester_quiet(t, 200));
}

/* L2CAP/COS/CED/BI-07-C: as BI-06 with the bad-length B-frame over several continuations. */
static void test_COS_CED_BI_07_C_bad_length_several_continuations(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	uint16_t icid = open_basic(t, &r, NULL);
	uint8_t f[4 + 40];
	t_put16(f + 2, icid);
	for (int i = 0; i < 40; i++)
		f[4 + i] = (uint8_t)i;
	t_put16(f, 33); /* 33 claimed, 40 sent in 4 pieces: the last one overruns */
	acl(t, HCI_ACL_PB_START, f, 11);
	acl(t, HCI_ACL_PB_CONT, f + 11, 11);
	acl(t, HCI_ACL_PB_CONT, f + 22, 11);
	acl(t, HCI_ACL_PB_CONT, f + 33, 11);
	assert_int_equal(r.sdus, 0);
	t_put16(f, 60); /* 60 claimed, 40 sent: never completes, the next start drops it */
	acl(t, HCI_ACL_PB_START, f, 11);
	acl(t, HCI_ACL_PB_CONT, f + 11, 11);
	acl(t, HCI_ACL_PB_CONT, f + 22, 11);
	acl(t, HCI_ACL_PB_CONT, f + 33, 11);
	assert_int_equal(r.sdus, 0);
	t_put16(f, 40);
	acl(t, HCI_ACL_PB_START, f, 11);
	acl(t, HCI_ACL_PB_CONT, f + 11, 11);
	acl(t, HCI_ACL_PB_CONT, f + 22, 11);
	acl(t, HCI_ACL_PB_CONT, f + 33, 11);
	assert_int_equal(r.sdus, 1);
	assert_int_equal(r.len, 40);
	assert_memory_equal(r.data, f + 4, 40);
	assert_true(tester_quiet(t, 200));
}

/* L2CAP/COS/CED/BI-04-C: an Echo Request C-frame whose basic-header length is wrong is not
 * acted on (no Echo Response, no Command Reject); a good one after it is answered. */
static void test_COS_CED_BI_04_C_echo_cframe_bad_pdu_length_ignored(void **state)
{
	struct tester *t = *state;
	uint8_t f[4 + 8] = {0, 0, 0x01, 0x00, 0x08, 0x41, 0x04, 0x00, 1, 2, 3, 4};
	t_put16(f, 6); /* 6 claimed, 8 sent */
	acl(t, HCI_ACL_PB_START, f, sizeof(f));
	assert_true(tester_quiet(t, 300));
	t_put16(f, 10); /* 10 claimed, 8 sent */
	f[5] = 0x42;
	acl(t, HCI_ACL_PB_START, f, sizeof(f));
	assert_true(tester_quiet(t, 300));
	t_put16(f, 8);
	f[5] = 0x43;
	acl(t, HCI_ACL_PB_START, f, sizeof(f));
	const struct tester_pdu *p = tester_expect_sig(t, 0x09, 1000);
	const uint8_t want[8] = {0x09, 0x43, 0x04, 0x00, 1, 2, 3, 4};
	assert_true(tester_sig_is(p, want, 8));
	assert_true(tester_quiet(t, 300));
}

/* L2CAP/COS/CED/BI-05-C: as BI-04 on LE with an LE Credit Based Connection Request: no
 * response and no channel; the good request after it is answered. */
static void test_COS_CED_BI_05_C_le_cframe_bad_pdu_length_ignored(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	assert_int_equal(tester_server(t, 0x0080, true, NULL, &r), 0);
	uint8_t f[4 + 14] = {0, 0, 0x05, 0x00, 0x14, 0x51, 0x0A, 0x00, 0x80, 0x00, 0x40, 0x00,
			     0x64, 0x00, 0x40, 0x00, 0x05, 0x00};
	t_put16(f, 12);
	acl(t, HCI_ACL_PB_START_NOFLUSH, f, sizeof(f));
	t_put16(f, 16);
	acl(t, HCI_ACL_PB_START_NOFLUSH, f, sizeof(f));
	assert_true(tester_quiet(t, 300));
	assert_int_equal(r.accept_calls, 0);
	t_put16(f, 14);
	f[5] = 0x52;
	acl(t, HCI_ACL_PB_START_NOFLUSH, f, sizeof(f));
	const struct tester_pdu *p = tester_expect_sig(t, 0x15, 1000);
	assert_non_null(p);
	assert_int_equal(p->data[1], 0x52);
	assert_int_equal(t_get16(p->data + 12), 0); /* success */
	assert_int_equal(r.accept_calls, 1);
	assert_int_equal(r.opened, 1);
}

/* L2CAP/COS/CED/BI-28-C: the IUT silently discards responses carrying an identifier it never
 * used, and a duplicate of a response it already took (4: "a response with an invalid
 * identifier is silently discarded"). */
static void test_COS_CED_BI_28_C_stray_and_duplicate_responses_ignored(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	struct l2k_chan_cbs cb = tester_rec_cbs(&r);
	l2k_chan *ch;
	assert_int_equal(l2k_chan_connect(t->iut, &t->tst_addr, L2K_ADDR_BREDR, PSM, NULL, &cb, &ch), 0);
	assert_int_equal(tester_answer_info(t, 0, 0), 0);
	const struct tester_pdu *p = tester_expect_sig(t, 0x02, 1000);
	assert_non_null(p);
	uint8_t id = p->data[1];
	uint16_t icid = t_get16(p->data + 6);
	uint8_t rsp[8];
	t_put16(rsp, TCID);
	t_put16(rsp + 2, icid);
	t_put16(rsp + 4, 0);
	t_put16(rsp + 6, 0);
	tester_send_sig(t, 0x03, (uint8_t)(id ^ 0x80), rsp, 8); /* an identifier never used */
	assert_true(tester_quiet(t, 1000));
	tester_send_sig(t, 0x03, id, rsp, 8);
	p = tester_expect_sig(t, 0x04, 1000);
	assert_non_null(p);
	uint8_t cfg_id = p->data[1];
	tester_send_sig(t, 0x03, id, rsp, 8); /* duplicate: no second Configuration Request */
	uint8_t crsp[6];
	t_put16(crsp, icid);
	t_put16(crsp + 2, 0);
	t_put16(crsp + 4, 0);
	tester_send_sig(t, 0x05, (uint8_t)(cfg_id ^ 0x80), crsp, 6); /* stray Configuration Response */
	assert_true(tester_quiet(t, 1000));
	tester_send_sig(t, 0x05, cfg_id, crsp, 6);
	uint8_t creq[4];
	t_put16(creq, icid);
	t_put16(creq + 2, 0);
	tester_send_sig(t, 0x04, 0x61, creq, 4);
	assert_non_null(tester_expect_sig(t, 0x05, 1000));
	tester_run(t, 10);
	assert_int_equal(r.opened, 1);
	/* stray Disconnection, Echo, Information Responses and a Command Reject: all ignored */
	uint8_t d[4];
	t_put16(d, TCID);
	t_put16(d + 2, icid);
	tester_send_sig(t, 0x07, 0x77, d, 4);
	tester_send_sig(t, 0x09, 0x78, d, 4);
	uint8_t info[8] = {0x02, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF};
	tester_send_sig(t, 0x0B, 0x79, info, 8);
	uint8_t rej[2] = {0, 0};
	tester_send_sig(t, 0x01, 0x7A, rej, 2);
	tester_send_sig(t, 0x05, cfg_id, crsp, 6); /* duplicate Configuration Response */
	assert_true(tester_quiet(t, 1000));
	assert_int_equal(r.closed, 0);
	assert_int_equal(l2k_chan_send(ch, (const uint8_t *)"ok", 2), 0);
	p = tester_next_on(t, TCID, 1000);
	assert_non_null(p);
	assert_int_equal(p->len, 2);
}

/* L2CAP/COS/CED/BI-29-C: as BI-28 on LE after the IUT asked for a credit based channel: a
 * response with a wrong identifier and a duplicate response are discarded. */
static void test_COS_CED_BI_29_C_le_stray_and_duplicate_responses_ignored(void **state)
{
	struct tester *t = *state;
	struct tester_rec r = {0};
	struct l2k_chan_cbs cb = tester_rec_cbs(&r);
	l2k_chan *ch;
	assert_int_equal(l2k_chan_connect(t->iut, &t->tst_addr, L2K_ADDR_LE_PUBLIC, 0x0080, NULL, &cb, &ch), 0);
	const struct tester_pdu *p = tester_expect_sig(t, 0x14, 1000);
	assert_non_null(p);
	uint8_t id = p->data[1];
	uint8_t rsp[10] = {0x40, 0x00, 0x64, 0x00, 0x40, 0x00, 0x03, 0x00, 0x00, 0x00};
	tester_send_sig(t, 0x15, (uint8_t)(id ^ 0x80), rsp, 10);
	assert_true(tester_quiet(t, 1000));
	assert_int_equal(r.opened, 0);
	tester_send_sig(t, 0x15, id, rsp, 10);
	assert_true(tester_wait_open(t, &r, 1, 2000));
	/* duplicate with other values: nothing changes */
	uint8_t dup[10] = {0x41, 0x00, 0x17, 0x00, 0x17, 0x00, 0x09, 0x00, 0x00, 0x00};
	tester_send_sig(t, 0x15, id, dup, 10);
	uint8_t d[4] = {0x40, 0x00, 0, 0};
	t_put16(d + 2, t_get16(p->data + 6));
	tester_send_sig(t, 0x07, 0x7B, d, 4); /* stray Disconnection Response */
	assert_true(tester_quiet(t, 1000));
	struct l2k_chan_info ci;
	l2k_chan_get_info(ch, &ci);
	assert_int_equal(ci.remote_cid, 0x0040);
	assert_int_equal(ci.remote_mtu, 100);
	assert_int_equal(ci.credits_tx, 3);
	assert_int_equal(r.closed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_COS_CED_BV_05_C_acceptor_min_mtu_pdu, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CED_BV_11_C_large_mtu_negotiated_and_honoured, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CED_BV_12_C_signaling_split_over_acl_fragments, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CED_BV_08_C_rtx_runs_from_send_after_idle, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CED_BI_03_C_bframe_bad_length_dropped, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CED_BI_06_C_bad_length_start_plus_continuation, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CED_BI_07_C_bad_length_several_continuations, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CED_BI_04_C_echo_cframe_bad_pdu_length_ignored, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CED_BI_05_C_le_cframe_bad_pdu_length_ignored, tester_fixture_le, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CED_BI_28_C_stray_and_duplicate_responses_ignored, tester_fixture_bredr, tester_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_COS_CED_BI_29_C_le_stray_and_duplicate_responses_ignored, tester_fixture_le, tester_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
