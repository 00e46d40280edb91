/* The legacy modes (L2CAP.TS COS/CFD/BV-10, BV-13, COS/CED/BV-10, COS/FLC, COS/RTX):
 * Retransmission mode and Flow Control mode with the standard control field (R bit), frames
 * checked byte for byte by the tester. */
#include "tests/unit/test_mode_tester.h"

static int setup(void **state)
{
	struct mt *m = calloc(1, sizeof(*m));
	mt_setup(m);
	m->fmt = L2CAP_CTRL_STANDARD;
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	mt_teardown(*state);
	free(*state);
	return 0;
}

/* The IUT connects in mode; the tester's request gives window twin and 1 s timeouts (the
 * values the IUT's transmitter must use in the legacy modes). */
static void open_legacy(struct mt *m, enum l2k_mode mode, uint8_t twin, uint8_t max_tx)
{
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mode = mode;
	o.mode_required = true;
	o.max_transmit = max_tx;
	struct l2cap_conf_opts t = mt_rfc((uint8_t)mode, twin, 3, 1000);
	t.rfc.retrans_timeout = 1000;
	t.rfc.monitor_timeout = 1000;
	mt_open_iut(m, &o, MT_FEAT_ALL, &t);
	/* COS/CFD/BV-10-C, BV-13-C: the IUT proposed the mode with legal values */
	assert_true(m->iut_req.present & L2CAP_CONF_HAS_RFC);
	assert_int_equal(m->iut_req.rfc.mode, mode);
	assert_int_equal(m->iut_req.rfc.tx_window, 32);
	assert_true(m->iut_req.rfc.mps >= 48);
	assert_false(m->iut_req.present & (L2CAP_CONF_HAS_FCS | L2CAP_CONF_HAS_EWS));
	struct l2k_chan_info ci;
	l2k_chan_get_info(m->ch, &ci);
	assert_int_equal(ci.mode, mode);
	assert_true(ci.fcs);
}

static void send_sdus(struct mt *m, int n, size_t len)
{
	uint8_t b[2048];
	for (int k = 0; k < n; k++) {
		mt_pattern(b, len, (unsigned)k);
		assert_int_equal(l2k_chan_send(m->ch, b, len), 0);
	}
}

/* Only S-frames (monitor-timer RRs) within ms: no I-frame. */
static void no_iframe(struct mt *m, uint64_t ms)
{
	struct l2cap_eframe e;
	uint64_t end = m->t.vc.now_ms + ms;
	while (m->t.vc.now_ms < end && mt_recv(m, end - m->t.vc.now_ms, &e))
		assert_int_equal(e.ctrl.type, L2CAP_FRAME_S);
}

/* L2CAP/COS/CFD/BV-13-C and COS/CED/BV-10-C: Flow Control mode, well-formed I-frames */
static void ced_bv10_flowctl_iframes(void **state)
{
	struct mt *m = *state;
	open_legacy(m, L2K_MODE_FLOWCTL, 8, 0);
	send_sdus(m, 2, 30);
	uint8_t want[30];
	for (uint16_t k = 0; k < 2; k++) {
		struct l2cap_eframe e;
		mt_expect_i(m, 100, k, &e);
		assert_int_equal(e.ctrl.reqseq, 0);
		assert_int_equal(e.ctrl.r, 0);
		assert_int_equal(e.ctrl.sar, L2CAP_SAR_UNSEGMENTED);
		mt_pattern(want, 30, k);
		assert_memory_equal(e.payload, want, 30);
	}
}

/* L2CAP/COS/FLC/BV-01-C: within the window, never a retransmission; an unacknowledged frame is
 * given up when the retransmission timer expires and the window moves on */
static void flc_bv01_no_retransmission(void **state)
{
	struct mt *m = *state;
	open_legacy(m, L2K_MODE_FLOWCTL, 2, 0);
	send_sdus(m, 3, 10);
	struct l2cap_eframe e;
	mt_expect_i(m, 100, 0, &e);
	mt_expect_i(m, 100, 1, &e);
	assert_false(mt_recv(m, 900, &e));
	mt_expect_i(m, 200, 2, &e); /* frame 0 given up after 1 s: a new frame, not a resend */
	struct l2k_chan_info ci;
	l2k_chan_get_info(m->ch, &ci);
	assert_int_equal(ci.retransmissions, 0);
}

/* L2CAP/COS/FLC/BV-02-C: a full window halts; an RR resumes */
static void flc_bv02_window_rr(void **state)
{
	struct mt *m = *state;
	open_legacy(m, L2K_MODE_FLOWCTL, 2, 0);
	send_sdus(m, 4, 10);
	struct l2cap_eframe e;
	mt_expect_i(m, 100, 0, &e);
	mt_expect_i(m, 100, 1, &e);
	assert_false(mt_recv(m, 500, &e));
	mt_send_s(m, L2CAP_S_RR, 2, 0, 0);
	mt_expect_i(m, 100, 2, &e);
	mt_expect_i(m, 100, 3, &e);
}

/* L2CAP/COS/FLC/BV-03-C: the acknowledgement in an I-frame resumes too */
static void flc_bv03_window_iframe(void **state)
{
	struct mt *m = *state;
	open_legacy(m, L2K_MODE_FLOWCTL, 1, 0);
	send_sdus(m, 2, 10);
	struct l2cap_eframe e;
	mt_expect_i(m, 100, 0, &e);
	assert_false(mt_recv(m, 500, &e));
	uint8_t b[3] = {1, 2, 3};
	mt_send_i(m, 0, 1, 0, L2CAP_SAR_UNSEGMENTED, 0, b, 3);
	mt_expect_i(m, 100, 1, &e);
	assert_int_equal(e.ctrl.reqseq, 1);
	assert_int_equal(m->r.sdus, 1);
}

/* L2CAP/COS/FLC/BV-04-C: the monitor timer sends an RR */
static void flc_bv04_monitor_rr(void **state)
{
	struct mt *m = *state;
	open_legacy(m, L2K_MODE_FLOWCTL, 4, 0);
	uint64_t t0 = m->t.vc.now_ms;
	mt_expect_s(m, 1100, L2CAP_S_RR, 0, 0, 0);
	assert_true(m->t.vc.now_ms - t0 >= 900);
	mt_expect_s(m, 1100, L2CAP_S_RR, 0, 0, 0); /* and again */
}

/* Flow Control mode receiver: a gap loses only the missing SDUs (reported, counted) */
static void flc_receiver_reports_missing(void **state)
{
	struct mt *m = *state;
	open_legacy(m, L2K_MODE_FLOWCTL, 8, 0);
	uint8_t b[8] = {8, 7, 6, 5, 4, 3, 2, 1};
	mt_send_i(m, 0, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b, 8);
	mt_send_i(m, 2, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b, 8);
	mt_send_i(m, 3, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b, 8);
	tester_run(&m->t, 50);
	assert_int_equal(m->r.sdus, 3);
	struct l2k_chan_info ci;
	l2k_chan_get_info(m->ch, &ci);
	assert_int_equal(ci.rx_sdus_dropped, 1);
	mt_expect_s(m, 1100, L2CAP_S_RR, 4, 0, 0); /* acknowledged past the gap */
}

/* L2CAP/COS/RTX/BV-01-C: R=1 from the peer: no retransmission */
static void rtx_bv01_r_set(void **state)
{
	struct mt *m = *state;
	open_legacy(m, L2K_MODE_RETRANS, 8, 3);
	send_sdus(m, 1, 10);
	struct l2cap_eframe e;
	mt_expect_i(m, 100, 0, &e);
	mt_send_s(m, L2CAP_S_RR, 0, 0, 1); /* R=1 */
	no_iframe(m, 3500);
	mt_send_s(m, L2CAP_S_RR, 0, 0, 0); /* R=0: retransmission allowed again */
	mt_expect_i(m, 1100, 0, &e);
}

/* L2CAP/COS/RTX/BV-02-C: the last RR had R=0: resend on timeout */
static void rtx_bv02_resend_after_rr(void **state)
{
	struct mt *m = *state;
	open_legacy(m, L2K_MODE_RETRANS, 8, 3);
	send_sdus(m, 1, 10);
	struct l2cap_eframe e;
	mt_expect_i(m, 100, 0, &e);
	mt_send_s(m, L2CAP_S_RR, 0, 0, 0);
	uint64_t t0 = m->t.vc.now_ms;
	mt_expect_i(m, 1100, 0, &e);
	assert_true(m->t.vc.now_ms - t0 >= 900);
	uint8_t want[10];
	mt_pattern(want, 10, 0);
	assert_memory_equal(e.payload, want, 10);
}

/* L2CAP/COS/RTX/BV-03-C: as BV-02 with R=0 in an I-frame */
static void rtx_bv03_resend_after_iframe(void **state)
{
	struct mt *m = *state;
	open_legacy(m, L2K_MODE_RETRANS, 8, 3);
	send_sdus(m, 1, 10);
	struct l2cap_eframe e;
	mt_expect_i(m, 100, 0, &e);
	uint8_t b[2] = {1, 2};
	mt_send_i(m, 0, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b, 2);
	mt_expect_s(m, 200, L2CAP_S_RR, 1, 0, 0); /* its acknowledgement */
	mt_expect_i(m, 1100, 0, &e);
	assert_int_equal(e.ctrl.reqseq, 1);
}

/* Retransmission mode: a gap gets one REJ; a duplicate gets the acknowledgement again; local busy
 * sets R=1 and keeps the in-sequence frame already on its way until the application reads */
static void rtx_rej_dup_busy(void **state)
{
	struct mt *m = *state;
	open_legacy(m, L2K_MODE_RETRANS, 8, 3);
	uint8_t b[4] = {1, 2, 3, 4};
	mt_send_i(m, 0, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b, 4);
	mt_send_i(m, 2, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b, 4);
	mt_send_i(m, 3, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b, 4);
	mt_expect_s(m, 200, L2CAP_S_REJ, 1, 0, 0);
	struct l2cap_eframe e;
	assert_false(mt_recv(m, 50, &e)); /* one REJ only */
	mt_send_i(m, 1, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b, 4);
	mt_send_i(m, 2, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b, 4);
	tester_run(&m->t, 50);
	assert_int_equal(m->r.sdus, 3);
	mt_expect_s(m, 300, L2CAP_S_RR, 3, 0, 0);
	mt_send_i(m, 1, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b, 4); /* duplicate */
	mt_expect_s(m, 100, L2CAP_S_RR, 3, 0, 0);
	assert_int_equal(l2k_chan_set_busy(m->ch, true), 0);
	mt_expect_s(m, 100, L2CAP_S_RR, 3, 0, 1); /* R=1 */
	mt_send_i(m, 3, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b, 4); /* already on its way */
	mt_send_i(m, 5, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b, 4); /* out of sequence: discarded */
	tester_run(&m->t, 50);
	assert_int_equal(m->r.sdus, 3); /* not passed up while busy, not acknowledged */
	assert_int_equal(l2k_chan_set_busy(m->ch, false), 0);
	assert_int_equal(m->r.sdus, 4);
	mt_expect_s(m, 100, L2CAP_S_RR, 4, 0, 0); /* R=0 and the acknowledgement of the kept one */
}

static void rtx_max_transmit(void **state)
{
	struct mt *m = *state;
	open_legacy(m, L2K_MODE_RETRANS, 8, 2);
	send_sdus(m, 1, 10);
	struct l2cap_eframe e;
	mt_expect_i(m, 100, 0, &e);
	mt_expect_i(m, 1100, 0, &e); /* second and last transmission */
	assert_non_null(tester_expect_sig(&m->t, 0x06, 1100));
	tester_run(&m->t, 50);
	assert_int_equal(m->r.closed, 0); /* waits for the Disconnection Response */
	struct l2k_chan_info ci;
	l2k_chan_get_info(m->ch, &ci);
	assert_int_equal(ci.retransmissions, 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(ced_bv10_flowctl_iframes), T(flc_bv01_no_retransmission), T(flc_bv02_window_rr),
	    T(flc_bv03_window_iframe),	 T(flc_bv04_monitor_rr),	T(flc_receiver_reports_missing),
	    T(rtx_bv01_r_set),		 T(rtx_bv02_resend_after_rr),	T(rtx_bv03_resend_after_iframe),
	    T(rtx_rej_dup_busy),	 T(rtx_max_transmit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
