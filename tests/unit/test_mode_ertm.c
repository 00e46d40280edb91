/* Enhanced Retransmission mode conformance (L2CAP.TS ERM and, with the extended control field,
 * ECF): the tester plays the peer frame by frame and checks every frame l2kit sends.
 * Each test runs twice: with the enhanced (16-bit) and the extended (32-bit) control field. */
#include "tests/unit/test_mode_tester.h"

struct ctx {
	struct mt m;
	bool ext;
};

/* ERTM channel: the IUT (window 63, MaxTransmit max_tx) connects; the tester's receive window
 * is twin, its MPS tmps. */
static void open_ertm(struct ctx *c, uint8_t max_tx, uint16_t twin, uint16_t tmps)
{
	struct mt *m = &c->m;
	mt_setup(m);
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mode = L2K_MODE_ERTM;
	o.mode_required = true;
	o.max_transmit = max_tx;
	o.ext_window = c->ext;
	struct l2cap_conf_opts t = mt_rfc(L2CAP_MODE_ERTM, (uint8_t)(twin > 63 ? 63 : twin), 3, tmps);
	if (c->ext) {
		t.present |= L2CAP_CONF_HAS_EWS;
		t.ews = twin;
	}
	mt_open_iut(m, &o, MT_FEAT_ALL, &t);
	assert_int_equal(m->fmt, c->ext ? L2CAP_CTRL_EXTENDED : L2CAP_CTRL_ENHANCED);
	if (c->ext) {
		assert_true(m->iut_req.present & L2CAP_CONF_HAS_EWS); /* ECF: the IUT proposed it */
		assert_int_equal(m->iut_req.ews, 63);
	}
}

static int setup_std(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));
	*state = c;
	return 0;
}

static int setup_ext(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));
	c->ext = true;
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	mt_teardown(&c->m);
	free(c);
	return 0;
}

static void send_sdus(struct ctx *c, int n, size_t len)
{
	uint8_t b[2048];
	for (int k = 0; k < n; k++) {
		mt_pattern(b, len, (unsigned)k);
		assert_int_equal(l2k_chan_send(c->m.ch, b, len), 0);
	}
}

/* L2CAP/ERM/BV-01-C, ECF/BV-02-C: sequential I-frames, TxSeq 0.., ReqSeq 0, SAR unsegmented, F 0 */
static void erm_bv01_transmit(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 3, 10, 1000);
	send_sdus(c, 3, 40);
	uint8_t want[40];
	for (int k = 0; k < 3; k++) {
		struct l2cap_eframe e;
		mt_expect_i(&c->m, 100, (uint16_t)k, &e);
		assert_int_equal(e.ctrl.reqseq, 0);
		assert_int_equal(e.ctrl.sar, L2CAP_SAR_UNSEGMENTED);
		assert_int_equal(e.ctrl.f, 0);
		mt_pattern(want, 40, (unsigned)k);
		assert_int_equal(e.payload_len, 40);
		assert_memory_equal(e.payload, want, 40);
	}
}

/* L2CAP/ERM/BV-02-C, ECF/BV-01-C: in-order I-frames are passed up; BV-03-C, ECF/BV-03-C: they are
 * acknowledged with an RR whose P-bit is clear */
static void erm_bv02_bv03_receive_and_ack(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 3, 10, 1000);
	uint8_t b[30];
	for (int k = 0; k < 3; k++) {
		mt_pattern(b, sizeof(b), (unsigned)k);
		mt_send_i(&c->m, (uint16_t)k, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b, sizeof(b));
	}
	tester_run(&c->m.t, 50);
	assert_int_equal(c->m.r.sdus, 3);
	assert_memory_equal(c->m.r.data, b, sizeof(b));
	mt_expect_s(&c->m, 1000, L2CAP_S_RR, 3, 0, 0);
}

/* L2CAP/ERM/BV-05-C: stop at a full TxWindow, resume on an RR */
static void erm_bv05_window_rr(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 3, 2, 1000);
	send_sdus(c, 4, 20);
	struct l2cap_eframe e;
	mt_expect_i(&c->m, 100, 0, &e);
	mt_expect_i(&c->m, 100, 1, &e);
	assert_false(mt_recv(&c->m, 500, &e)); /* window of 2 is full */
	mt_send_s(&c->m, L2CAP_S_RR, 2, 0, 0);
	mt_expect_i(&c->m, 100, 2, &e);
	mt_expect_i(&c->m, 100, 3, &e);
}

/* L2CAP/ERM/BV-06-C: as BV-05 with the acknowledgement in an I-frame */
static void erm_bv06_window_iframe(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 3, 2, 1000);
	send_sdus(c, 3, 20);
	struct l2cap_eframe e;
	mt_expect_i(&c->m, 100, 0, &e);
	mt_expect_i(&c->m, 100, 1, &e);
	assert_false(mt_recv(&c->m, 500, &e));
	uint8_t b[5] = {1, 2, 3, 4, 5};
	mt_send_i(&c->m, 0, 2, 0, L2CAP_SAR_UNSEGMENTED, 0, b, 5);
	mt_expect_i(&c->m, 100, 2, &e);
	assert_int_equal(e.ctrl.reqseq, 1); /* and it acknowledges ours */
}

/* L2CAP/ERM/BV-07-C: local busy is signalled with RNR; BV-22-C: when it clears, RR with P=1 */
static void erm_bv07_bv22_local_busy(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 3, 10, 1000);
	uint8_t b[8] = {0};
	mt_send_i(&c->m, 0, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b, 8);
	tester_run(&c->m.t, 50);
	assert_int_equal(l2k_chan_set_busy(c->m.ch, true), 0);
	mt_expect_s(&c->m, 100, L2CAP_S_RNR, 1, 0, 0);
	/* an I-frame still in flight is kept, not passed up while busy */
	mt_send_i(&c->m, 1, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b, 8);
	tester_run(&c->m.t, 50);
	assert_int_equal(c->m.r.sdus, 1);
	assert_int_equal(l2k_chan_set_busy(c->m.ch, false), 0);
	assert_int_equal(c->m.r.sdus, 2);
	mt_expect_s(&c->m, 100, L2CAP_S_RR, 2, 1, 0);
	mt_send_s(&c->m, L2CAP_S_RR, 0, 0, 1); /* the answer to the poll */
	struct l2cap_eframe e;
	assert_false(mt_recv(&c->m, 3000, &e)); /* nothing else owed */
}

/* L2CAP/ERM/BV-08-C, ECF/BV-04-C: the retransmission timer expires: RR with P=1;
 * BV-10-C: the monitor timer expires: the poll again */
static void erm_bv08_bv10_polls(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 3, 10, 1000);
	send_sdus(c, 1, 10);
	struct l2cap_eframe e;
	mt_expect_i(&c->m, 100, 0, &e);
	uint64_t t0 = c->m.t.vc.now_ms;
	mt_expect_s(&c->m, 2100, L2CAP_S_RR, 0, 1, 0);
	uint64_t t1 = c->m.t.vc.now_ms;
	assert_true(t1 - t0 >= 1990 && t1 - t0 <= 2010);
	mt_expect_s(&c->m, 12100, L2CAP_S_RR, 0, 1, 0);
	assert_true(c->m.t.vc.now_ms - t1 >= 11990);
}

/* L2CAP/ERM/BV-09-C: RR with P=1 is answered with RR F=1 */
static void erm_bv09_answer_poll(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 3, 10, 1000);
	mt_send_s(&c->m, L2CAP_S_RR, 0, 1, 0);
	mt_expect_s(&c->m, 100, L2CAP_S_RR, 0, 0, 1);
}

/* L2CAP/ERM/BV-11-C: unanswered polls beyond MaxTransmit close the channel */
static void erm_bv11_max_transmit_polls(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 3, 10, 1000);
	send_sdus(c, 1, 10);
	struct l2cap_eframe e;
	mt_expect_i(&c->m, 100, 0, &e);
	for (int k = 0; k < 3; k++)
		mt_expect_s(&c->m, 12100, L2CAP_S_RR, 0, 1, 0);
	const struct tester_pdu *p = tester_expect_sig(&c->m.t, 0x06, 12100);
	assert_non_null(p);
	assert_int_equal(t_get16(p->data + 4), c->m.tcid);
	uint8_t rsp[4];
	memcpy(rsp, p->data + 4, 4);
	tester_send_sig(&c->m.t, 0x07, p->data[1], rsp, 4);
	tester_run(&c->m.t, 50);
	assert_int_equal(c->m.r.closed, 1);
	assert_int_equal(c->m.r.reason, L2K_CLOSE_MAX_TRANSMIT);
}

/* L2CAP/ERM/BV-12-C: an I-frame still unacknowledged after MaxTransmit transmissions closes it */
static void erm_bv12_max_transmit_iframe(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 2, 10, 1000);
	send_sdus(c, 1, 10);
	struct l2cap_eframe e;
	mt_expect_i(&c->m, 100, 0, &e);
	mt_expect_s(&c->m, 2100, L2CAP_S_RR, 0, 1, 0);
	mt_send_s(&c->m, L2CAP_S_RR, 0, 0, 1); /* F=1, nothing acknowledged */
	mt_expect_i(&c->m, 100, 0, &e);	       /* second transmission */
	mt_expect_s(&c->m, 2100, L2CAP_S_RR, 0, 1, 0);
	mt_send_s(&c->m, L2CAP_S_RR, 0, 0, 1);
	assert_non_null(tester_expect_sig(&c->m.t, 0x06, 100)); /* a third is not allowed */
}

/* L2CAP/ERM/BV-13-C, ECF/BV-05-C: REJ: retransmit from ReqSeq */
static void erm_bv13_rej(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 3, 10, 1000);
	send_sdus(c, 3, 10);
	struct l2cap_eframe e;
	for (uint16_t k = 0; k < 3; k++)
		mt_expect_i(&c->m, 100, k, &e);
	mt_send_s(&c->m, L2CAP_S_REJ, 1, 0, 0);
	mt_expect_i(&c->m, 100, 1, &e);
	mt_expect_i(&c->m, 100, 2, &e);
	assert_false(mt_recv(&c->m, 500, &e));
	struct l2k_chan_info ci;
	l2k_chan_get_info(c->m.ch, &ci);
	assert_int_equal(ci.retransmissions, 2);
}

/* L2CAP/ERM/BV-14-C, ECF/BV-06-C: SREJ with P=1: only that frame, with F=1; its ReqSeq
 * acknowledges the frames before it */
static void erm_bv14_srej_poll(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 3, 10, 1000);
	send_sdus(c, 3, 10);
	struct l2cap_eframe e;
	for (uint16_t k = 0; k < 3; k++)
		mt_expect_i(&c->m, 100, k, &e);
	mt_send_s(&c->m, L2CAP_S_SREJ, 1, 1, 0);
	mt_expect_i(&c->m, 100, 1, &e);
	assert_int_equal(e.ctrl.f, 1);
	assert_false(mt_recv(&c->m, 500, &e));
	/* frame 0 was acknowledged: a REJ from 1 may not bring it back */
	mt_send_s(&c->m, L2CAP_S_REJ, 1, 0, 0);
	mt_expect_i(&c->m, 100, 1, &e);
	mt_expect_i(&c->m, 100, 2, &e);
}

/* L2CAP/ERM/BV-15-C, ECF/BV-07-C: SREJ with P=0 */
static void erm_bv15_srej(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 3, 10, 1000);
	send_sdus(c, 3, 10);
	struct l2cap_eframe e;
	for (uint16_t k = 0; k < 3; k++)
		mt_expect_i(&c->m, 100, k, &e);
	mt_send_s(&c->m, L2CAP_S_SREJ, 2, 0, 0);
	mt_expect_i(&c->m, 100, 2, &e);
	assert_int_equal(e.ctrl.f, 0);
	assert_false(mt_recv(&c->m, 500, &e));
}

/* L2CAP/ERM/BV-16-C: a long gap is reported with REJ */
static void erm_bv16_sends_rej(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 3, 10, 1000);
	uint8_t b[4] = {9, 9, 9, 9};
	mt_send_i(&c->m, 0, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b, 4);
	mt_send_i(&c->m, 5, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b, 4);
	mt_expect_s(&c->m, 200, L2CAP_S_REJ, 1, 0, 0);
	for (uint16_t k = 1; k <= 5; k++)
		mt_send_i(&c->m, k, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b, 4);
	tester_run(&c->m.t, 50);
	assert_int_equal(c->m.r.sdus, 6);
}

/* L2CAP/ERM/BV-17-C: one missing frame is asked for with SREJ; the frames after it are kept */
static void erm_bv17_sends_srej(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 3, 10, 1000);
	uint8_t b[3][6];
	for (int k = 0; k < 3; k++)
		mt_pattern(b[k], 6, (unsigned)k);
	mt_send_i(&c->m, 0, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b[0], 6);
	mt_send_i(&c->m, 2, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b[2], 6);
	mt_expect_s(&c->m, 200, L2CAP_S_SREJ, 1, 0, 0);
	tester_run(&c->m.t, 50);
	assert_int_equal(c->m.r.sdus, 1);
	mt_send_i(&c->m, 1, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b[1], 6);
	tester_run(&c->m.t, 50);
	assert_int_equal(c->m.r.sdus, 3);
	assert_memory_equal(c->m.r.data, b[2], 6); /* in order: 2 came last */
	mt_expect_s(&c->m, 1000, L2CAP_S_RR, 3, 0, 0);
}

/* L2CAP/ERM/BV-18-C: RR with F=1 after our poll: unacknowledged frames go again */
static void erm_bv18_final_rr(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 3, 10, 1000);
	send_sdus(c, 2, 10);
	struct l2cap_eframe e;
	mt_expect_i(&c->m, 100, 0, &e);
	mt_expect_i(&c->m, 100, 1, &e);
	mt_expect_s(&c->m, 2100, L2CAP_S_RR, 0, 1, 0);
	mt_send_s(&c->m, L2CAP_S_RR, 1, 0, 1);
	mt_expect_i(&c->m, 100, 1, &e);
	assert_false(mt_recv(&c->m, 500, &e));
}

/* L2CAP/ERM/BV-19-C: the same with an I-frame carrying F=1 */
static void erm_bv19_final_iframe(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 3, 10, 1000);
	send_sdus(c, 2, 10);
	struct l2cap_eframe e;
	mt_expect_i(&c->m, 100, 0, &e);
	mt_expect_i(&c->m, 100, 1, &e);
	mt_expect_s(&c->m, 2100, L2CAP_S_RR, 0, 1, 0);
	uint8_t b[2] = {1, 2};
	mt_send_i(&c->m, 0, 0, 1, L2CAP_SAR_UNSEGMENTED, 0, b, 2);
	mt_expect_i(&c->m, 100, 0, &e);
	mt_expect_i(&c->m, 100, 1, &e);
	assert_int_equal(e.ctrl.reqseq, 1);
}

/* L2CAP/ERM/BV-20-C: nothing is sent or retransmitted while the peer is busy (RNR) */
static void erm_bv20_remote_busy(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 3, 10, 1000);
	send_sdus(c, 1, 10);
	struct l2cap_eframe e;
	mt_expect_i(&c->m, 100, 0, &e);
	mt_send_s(&c->m, L2CAP_S_RNR, 0, 0, 0);
	tester_run(&c->m.t, 50);
	send_sdus(c, 1, 10);
	assert_false(mt_recv(&c->m, 5000, &e));
	mt_send_s(&c->m, L2CAP_S_RR, 1, 1, 0); /* busy over, poll */
	mt_expect_i(&c->m, 100, 1, &e);
	assert_int_equal(e.ctrl.f, 1);
}

/* L2CAP/ERM/BV-23-C, ECF/BV-08-C: SDUs larger than the peer's MPS are segmented */
static void erm_bv23_sar(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 3, 10, 100);
	send_sdus(c, 1, 250);
	uint8_t want[250];
	mt_pattern(want, 250, 0);
	struct l2cap_eframe e;
	mt_expect_i(&c->m, 100, 0, &e);
	assert_int_equal(e.ctrl.sar, L2CAP_SAR_START);
	assert_int_equal(e.sdu_len, 250);
	assert_int_equal(e.payload_len, 98);
	assert_memory_equal(e.payload, want, 98);
	mt_expect_i(&c->m, 100, 1, &e);
	assert_int_equal(e.ctrl.sar, L2CAP_SAR_CONTINUE);
	assert_int_equal(e.payload_len, 100);
	assert_memory_equal(e.payload, want + 98, 100);
	mt_expect_i(&c->m, 100, 2, &e);
	assert_int_equal(e.ctrl.sar, L2CAP_SAR_END);
	assert_int_equal(e.payload_len, 52);
	assert_memory_equal(e.payload, want + 198, 52);
	/* and it reassembles what it receives the same way */
	mt_send_i(&c->m, 0, 3, 0, L2CAP_SAR_START, 250, want, 98);
	mt_send_i(&c->m, 1, 3, 0, L2CAP_SAR_CONTINUE, 0, want + 98, 100);
	mt_send_i(&c->m, 2, 3, 0, L2CAP_SAR_END, 0, want + 198, 52);
	tester_run(&c->m.t, 50);
	assert_int_equal(c->m.r.sdus, 1);
	assert_int_equal(c->m.r.len, 250);
	assert_memory_equal(c->m.r.data, want, 250);
}

/* L2CAP/ERM/BI-01-C: our REJ is lost; the peer's poll brings RR F=1 and the recovery */
static void erm_bi01_rej_lost(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 3, 10, 1000);
	uint8_t b[4] = {1, 1, 1, 1};
	mt_send_i(&c->m, 0, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b, 4);
	mt_send_i(&c->m, 5, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b, 4);
	mt_expect_s(&c->m, 200, L2CAP_S_REJ, 1, 0, 0); /* "lost" */
	mt_send_s(&c->m, L2CAP_S_RR, 0, 1, 0);
	mt_expect_s(&c->m, 200, L2CAP_S_RR, 1, 0, 1);
	for (uint16_t k = 1; k <= 5; k++)
		mt_send_i(&c->m, k, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b, 4);
	tester_run(&c->m.t, 50);
	assert_int_equal(c->m.r.sdus, 6);
}

/* L2CAP/ERM/BI-02-C: our SREJ is lost; the poll is answered with the SREJ (F=1) */
static void erm_bi02_srej_lost(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 3, 10, 1000);
	uint8_t b[4] = {2, 2, 2, 2};
	mt_send_i(&c->m, 0, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b, 4);
	mt_send_i(&c->m, 2, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b, 4);
	mt_expect_s(&c->m, 200, L2CAP_S_SREJ, 1, 0, 0); /* "lost" */
	mt_send_s(&c->m, L2CAP_S_RR, 0, 1, 0);
	mt_expect_s(&c->m, 200, L2CAP_S_SREJ, 1, 0, 1);
	mt_send_i(&c->m, 1, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b, 4);
	tester_run(&c->m.t, 50);
	assert_int_equal(c->m.r.sdus, 3);
}

/* L2CAP/ERM/BI-03-C: an SREJ repeated as the answer to our poll does not bring a second copy */
static void erm_bi03_srej_duplicated(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 3, 10, 1000);
	send_sdus(c, 2, 10);
	struct l2cap_eframe e;
	mt_expect_i(&c->m, 100, 0, &e);
	mt_expect_i(&c->m, 100, 1, &e);
	mt_expect_s(&c->m, 2100, L2CAP_S_RR, 0, 1, 0); /* WAIT_F */
	mt_send_s(&c->m, L2CAP_S_SREJ, 0, 0, 0);
	mt_expect_i(&c->m, 100, 0, &e);
	mt_send_s(&c->m, L2CAP_S_SREJ, 0, 0, 1);
	assert_false(mt_recv(&c->m, 500, &e));
}

/* L2CAP/ERM/BI-04-C: REJ, then RR F=1 for the same frames: retransmitted once */
static void erm_bi04_rej_then_final_rr(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 3, 10, 1000);
	send_sdus(c, 2, 10);
	struct l2cap_eframe e;
	mt_expect_i(&c->m, 100, 0, &e);
	mt_expect_i(&c->m, 100, 1, &e);
	mt_expect_s(&c->m, 2100, L2CAP_S_RR, 0, 1, 0);
	mt_send_s(&c->m, L2CAP_S_REJ, 0, 0, 0);
	mt_expect_i(&c->m, 100, 0, &e);
	mt_expect_i(&c->m, 100, 1, &e);
	mt_send_s(&c->m, L2CAP_S_RR, 0, 0, 1);
	assert_false(mt_recv(&c->m, 500, &e));
}

/* L2CAP/ERM/BI-05-C: REJ, then an I-frame with F=1: retransmitted once */
static void erm_bi05_rej_then_final_iframe(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 3, 10, 1000);
	send_sdus(c, 2, 10);
	struct l2cap_eframe e;
	mt_expect_i(&c->m, 100, 0, &e);
	mt_expect_i(&c->m, 100, 1, &e);
	mt_expect_s(&c->m, 2100, L2CAP_S_RR, 0, 1, 0);
	mt_send_s(&c->m, L2CAP_S_REJ, 0, 0, 0);
	mt_expect_i(&c->m, 100, 0, &e);
	mt_expect_i(&c->m, 100, 1, &e);
	uint8_t b[1] = {7};
	mt_send_i(&c->m, 0, 0, 1, L2CAP_SAR_UNSEGMENTED, 0, b, 1);
	tester_run(&c->m.t, 50);
	assert_int_equal(c->m.r.sdus, 1);
	/* only the acknowledgement of the peer's I-frame may follow, no I-frame again */
	while (mt_recv(&c->m, 500, &e))
		assert_int_equal(e.ctrl.type, L2CAP_FRAME_S);
}

/* The rows of the transmitter's tables that tie the two timers to the two states (8.6.5 XMIT,
 * WAIT_F): the retransmission timer runs in XMIT only (restarted when an acknowledgement makes
 * progress, stopped when nothing is left unacknowledged), the monitor timer in WAIT_F only; the
 * F-bit that ends WAIT_F starts the retransmission timer for what is still unacknowledged. */
static void erm_timers_follow_tx_state(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 3, 10, 1000);
	send_sdus(c, 2, 10);
	struct l2cap_eframe e;
	mt_expect_i(&c->m, 100, 0, &e);
	mt_expect_i(&c->m, 100, 1, &e);
	uint64_t t0 = c->m.t.vc.now_ms;
	tester_run(&c->m.t, 1500);
	mt_send_s(&c->m, L2CAP_S_RR, 1, 0, 0); /* progress: frame 1 gets a full timeout again */
	uint64_t t1 = c->m.t.vc.now_ms;
	mt_expect_s(&c->m, 2500, L2CAP_S_RR, 0, 1, 0); /* Retrans-Timer-Expires: poll, WAIT_F */
	uint64_t t2 = c->m.t.vc.now_ms;
	assert_true(t2 - t0 > 2100);
	assert_true(t2 - t1 >= 1990 && t2 - t1 <= 2010);
	mt_send_s(&c->m, L2CAP_S_REJ, 1, 0, 0); /* WAIT_F: retransmitted, RejActioned */
	mt_expect_i(&c->m, 100, 1, &e);
	mt_send_s(&c->m, L2CAP_S_RR, 1, 0, 1); /* F=1: XMIT, no second copy, frame 1 still out */
	uint64_t t3 = c->m.t.vc.now_ms;
	/* ... under the retransmission timer again (not the monitor timer's 12 s) */
	mt_expect_s(&c->m, 2100, L2CAP_S_RR, 0, 1, 0);
	assert_true(c->m.t.vc.now_ms - t3 >= 1990 && c->m.t.vc.now_ms - t3 <= 2010);
	mt_send_s(&c->m, L2CAP_S_RR, 2, 0, 1); /* answered, all acknowledged: no timer runs */
	assert_false(mt_recv(&c->m, 30000, &e));
}

/* Data-Request in WAIT_F (8.6.5 WAIT_F table): Pend-Data, the new I-frame waits until the F-bit
 * brings the transmitter back to XMIT. */
static void erm_wait_f_pends_data(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 3, 10, 1000);
	send_sdus(c, 1, 10);
	struct l2cap_eframe e;
	mt_expect_i(&c->m, 100, 0, &e);
	mt_expect_s(&c->m, 2100, L2CAP_S_RR, 0, 1, 0); /* WAIT_F */
	send_sdus(c, 1, 10);
	assert_false(mt_recv(&c->m, 1000, &e));
	mt_send_s(&c->m, L2CAP_S_RR, 1, 0, 1);
	mt_expect_i(&c->m, 100, 1, &e);
}

/* Local-Busy-Clear in WAIT_F (8.6.5 WAIT_F table): after an RNR the transmitter polls again
 * with RR (P=1), and RetryCount starts over: MaxTransmit more polls before the channel closes. */
static void erm_local_busy_clear_in_wait_f(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 2, 10, 1000);
	send_sdus(c, 1, 10);
	struct l2cap_eframe e;
	mt_expect_i(&c->m, 100, 0, &e);
	mt_expect_s(&c->m, 2100, L2CAP_S_RR, 0, 1, 0); /* WAIT_F, RetryCount 1 */
	mt_expect_s(&c->m, 12100, L2CAP_S_RR, 0, 1, 0); /* Monitor-Timer-Expires: RetryCount 2 */
	assert_int_equal(l2k_chan_set_busy(c->m.ch, true), 0);
	mt_expect_s(&c->m, 100, L2CAP_S_RNR, 0, 0, 0);
	assert_int_equal(l2k_chan_set_busy(c->m.ch, false), 0);
	mt_expect_s(&c->m, 100, L2CAP_S_RR, 0, 1, 0); /* RetryCount 1 again, monitor restarted */
	uint64_t t0 = c->m.t.vc.now_ms;
	mt_expect_s(&c->m, 12100, L2CAP_S_RR, 0, 1, 0);
	assert_true(c->m.t.vc.now_ms - t0 >= 11990);
	assert_int_equal(c->m.r.closed, 0);
	assert_non_null(tester_expect_sig(&c->m.t, 0x06, 12100)); /* MaxTransmit 2 polls: closed */
}

/* Recv RNR with P=1 in XMIT (8.6.5 RECV table): RemoteBusy, the retransmission timer stops, the
 * poll is answered with F=1; an RR (P=0) ends the busy condition and restarts the timer. */
static void erm_rnr_poll_then_rr(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 3, 10, 1000);
	send_sdus(c, 1, 10);
	struct l2cap_eframe e;
	mt_expect_i(&c->m, 100, 0, &e);
	mt_send_s(&c->m, L2CAP_S_RNR, 0, 1, 0);
	mt_expect_s(&c->m, 100, L2CAP_S_RR, 0, 0, 1);
	assert_false(mt_recv(&c->m, 5000, &e)); /* no retransmission timer while the peer is busy */
	mt_send_s(&c->m, L2CAP_S_RR, 0, 0, 0);
	uint64_t t0 = c->m.t.vc.now_ms;
	mt_expect_s(&c->m, 2100, L2CAP_S_RR, 0, 1, 0);
	assert_true(c->m.t.vc.now_ms - t0 >= 1990 && c->m.t.vc.now_ms - t0 <= 2010);
}

/* Invalid frames: a bad FCS is dropped and counted; a ReqSeq acknowledging frames never sent
 * closes the channel (8.6.5.5 With-Invalid-ReqSeq) */
static void erm_bad_fcs_and_invalid_reqseq(void **state)
{
	struct ctx *c = *state;
	open_ertm(c, 3, 10, 1000);
	uint8_t raw[16];
	struct l2cap_eframe e = {.cid = c->m.icid, .ctrl = {.type = L2CAP_FRAME_I}, .payload = (const uint8_t *)"abc",
				 .payload_len = 3};
	size_t n = l2cap_eframe_build(c->m.fmt, 1, raw, sizeof(raw), &e);
	assert_true(n > 4);
	raw[n - 1] ^= 0x40;
	tester_send(&c->m.t, c->m.icid, raw + 4, n - 4);
	tester_run(&c->m.t, 50);
	struct l2k_chan_info ci;
	l2k_chan_get_info(c->m.ch, &ci);
	assert_int_equal(ci.rx_frames_bad_fcs, 1);
	assert_int_equal(c->m.r.sdus, 0);
	mt_send_s(&c->m, L2CAP_S_RR, 5, 0, 0);
	assert_non_null(tester_expect_sig(&c->m.t, 0x06, 100));
}

#define T2(f) cmocka_unit_test_setup_teardown(f, setup_std, teardown), \
	      cmocka_unit_test_setup_teardown(f, setup_ext, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T2(erm_bv01_transmit),	   T2(erm_bv02_bv03_receive_and_ack), T2(erm_bv05_window_rr),
	    T2(erm_bv06_window_iframe),	   T2(erm_bv07_bv22_local_busy),      T2(erm_bv08_bv10_polls),
	    T2(erm_bv09_answer_poll),	   T2(erm_bv11_max_transmit_polls),   T2(erm_bv12_max_transmit_iframe),
	    T2(erm_bv13_rej),		   T2(erm_bv14_srej_poll),	      T2(erm_bv15_srej),
	    T2(erm_bv16_sends_rej),	   T2(erm_bv17_sends_srej),	      T2(erm_bv18_final_rr),
	    T2(erm_bv19_final_iframe),	   T2(erm_bv20_remote_busy),	      T2(erm_bv23_sar),
	    T2(erm_bi01_rej_lost),	   T2(erm_bi02_srej_lost),	      T2(erm_bi03_srej_duplicated),
	    T2(erm_bi04_rej_then_final_rr), T2(erm_bi05_rej_then_final_iframe),
	    T2(erm_bad_fcs_and_invalid_reqseq), T2(erm_timers_follow_tx_state),
	    T2(erm_wait_f_pends_data), T2(erm_local_busy_clear_in_wait_f), T2(erm_rnr_poll_then_rr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
