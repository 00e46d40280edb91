/* Loss recovery of the I-frame modes that does not sit on the timer (issue 23): the tester plays
 * the peer frame by frame on the in-process simulator (virtual clock), loses what a lossy link
 * would lose, and checks what l2kit does about it and when:
 *  - the Retransmission and Monitor time-outs l2kit gives the peer's transmitter are fitted to
 *    the link's round trip (ERTM: its Configuration Response; Retransmission mode: its
 *    Configuration Request), bounded by the specification's 2 s / 12 s and by MaxTransmit;
 *  - an SREJ left unanswered is sent again without waiting for the peer's poll, and a frame
 *    asked for twice is never taken twice (its late copy is not the next turn's frame);
 *  - an RR that may have been lost is said again when the peer sends nothing more;
 *  - the F-bit answering a poll comes after the retransmissions asked for before the poll, and
 *    an F-bit received sends again only what was outstanding when it came;
 *  - acknowledgements come often enough with a large extended window and a fast link. */
#include "tests/unit/test_mode_tester.h"

/* ---- helpers ------------------------------------------------------------------------------- */

static int setup(void **state)
{
	struct mt *m = calloc(1, sizeof(*m));
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	struct mt *m = *state;
	mt_teardown(m);
	free(m);
	return 0;
}

static struct l2k_chan_opts ertm_opts(uint8_t max_transmit)
{
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mode = L2K_MODE_ERTM;
	o.mode_required = true;
	o.max_transmit = max_transmit;
	return o;
}

/* The tester answers the IUT's Information Requests (feature mask, fixed channels), each
 * delay_ms after it came: a link that takes that long to answer. */
static void answer_info_after(struct mt *m, uint64_t delay_ms)
{
	for (int i = 0; i < 2; i++) {
		const struct tester_pdu *p = tester_expect_sig(&m->t, 0x0A, 5000);
		assert_non_null(p);
		uint8_t id = p->data[1];
		uint16_t type = t_get16(p->data + 4);
		tester_run(&m->t, delay_ms);
		uint8_t rsp[12] = {0};
		t_put16(rsp, type);
		size_t n = 8;
		if (type == 0x0002) {
			t_put16(rsp + 4, (uint16_t)MT_FEAT_ALL);
			t_put16(rsp + 6, (uint16_t)(MT_FEAT_ALL >> 16));
		} else {
			assert_int_equal(type, 0x0003);
			rsp[4] = 0x86;
			n = 12;
		}
		tester_send_sig(&m->t, 0x0B, id, rsp, n);
	}
}

/* The next SREJ from the IUT within ms (acknowledgements on the way are skipped): its ReqSeq,
 * or -1. */
static int next_srej(struct mt *m, uint64_t ms)
{
	uint64_t end = m->t.vc.now_ms + ms;
	struct l2cap_eframe e;
	while (m->t.vc.now_ms < end && mt_recv(m, end - m->t.vc.now_ms, &e)) {
		if (e.ctrl.type == L2CAP_FRAME_S && e.ctrl.sfunc == L2CAP_S_SREJ)
			return e.ctrl.reqseq;
		assert_true(e.ctrl.type == L2CAP_FRAME_S && e.ctrl.sfunc == L2CAP_S_RR && !e.ctrl.p && !e.ctrl.f);
	}
	return -1;
}

/* The tester opens a channel to the IUT's ERTM server (MaxTransmit iut_maxtx); the link answers
 * in delay_ms (the tester waits that long before each answer).  The IUT's response to the
 * tester's request (MaxTransmit tester_maxtx) goes to *rsp. */
static void accept_with_delay(struct mt *m, uint8_t iut_maxtx, uint8_t tester_maxtx, uint64_t delay_ms,
			      struct l2cap_conf_opts *rsp)
{
	mt_setup(m);
	struct l2k_chan_opts o = ertm_opts(iut_maxtx);
	assert_int_equal(tester_server(&m->t, MT_PSM, false, &o, &m->r), 0);
	mt_tester_connect_start(m);
	answer_info_after(m, delay_ms);
	assert_true(mt_expect_conf_req(m));
	struct l2cap_conf_opts r;
	l2cap_conf_opts_clear(&r);
	r.present = L2CAP_CONF_HAS_RFC;
	r.rfc = m->iut_req.rfc;
	r.rfc.retrans_timeout = 2000;
	r.rfc.monitor_timeout = 12000;
	mt_send_conf_rsp(m, 0, &r);
	struct l2cap_conf_opts t = mt_rfc(L2CAP_MODE_ERTM, 63, tester_maxtx, 1000);
	uint8_t id = mt_send_conf_req(m, &t);
	assert_int_equal(mt_expect_conf_rsp(m, id, rsp), 0);
	assert_true(rsp->present & L2CAP_CONF_HAS_RFC);
	tester_run(&m->t, 5);
	assert_int_equal(m->r.opened, 1);
}

/* ---- time-outs fitted to the link ------------------------------------------------------------ */

/* A fast link (the tester answers at once): the peer's transmitter gets time-outs of about a
 * hundred milliseconds, not 2 s / 12 s; with MaxTransmit 0 (never give up) the monitor
 * time-out equals the retransmission time-out. */
static void ertm_response_timeouts_fast_link(void **state)
{
	struct mt *m = *state;
	struct l2cap_conf_opts rsp;
	accept_with_delay(m, 3, 0, 0, &rsp);
	assert_true(rsp.rfc.retrans_timeout >= 100);
	assert_true(rsp.rfc.retrans_timeout <= 400);
	assert_int_equal(rsp.rfc.monitor_timeout, rsp.rfc.retrans_timeout);
}

/* A slower link (20 ms to answer): about 48 round trips + 100 ms, i.e. 1.06 s and more. */
static void ertm_response_timeouts_slow_link(void **state)
{
	struct mt *m = *state;
	struct l2cap_conf_opts rsp;
	accept_with_delay(m, 3, 0, 20, &rsp);
	assert_true(rsp.rfc.retrans_timeout >= 48 * 20 + 100);
	assert_true(rsp.rfc.retrans_timeout <= 48 * 30 + 100);
	assert_int_equal(rsp.rfc.monitor_timeout, rsp.rfc.retrans_timeout);
}

/* A very slow link: never above the specification's values for an infinite flush timeout. */
static void ertm_response_timeouts_capped(void **state)
{
	struct mt *m = *state;
	struct l2cap_conf_opts rsp;
	accept_with_delay(m, 3, 0, 100, &rsp);
	assert_int_equal(rsp.rfc.retrans_timeout, 2000);
	assert_int_equal(rsp.rfc.monitor_timeout, 2000);
}

/* A peer that gives up after MaxTransmit 3 unanswered polls gets a monitor time-out that keeps
 * it waiting 12 s in all (4 s), whatever the link. */
static void ertm_response_monitor_for_max_transmit(void **state)
{
	struct mt *m = *state;
	struct l2cap_conf_opts rsp;
	accept_with_delay(m, 3, 3, 0, &rsp);
	assert_true(rsp.rfc.retrans_timeout <= 400);
	assert_int_equal(rsp.rfc.monitor_timeout, 4000);
}

/* Retransmission mode: l2kit's Configuration Request carries the peer transmitter's time-outs;
 * with MaxTransmit 0 the retransmission time-out fits the link, with MaxTransmit 3 every
 * transmission of a frame may cost one, so it stays at 2 s (3 x 2 s > 12 s would be more but
 * 2 s is the ceiling); the monitor time-out (an idle RR) stays 12 s. */
static void retrans_request_timeouts(void **state)
{
	struct mt *m = *state;
	for (int round = 0; round < 2; round++) {
		if (round)
			mt_teardown(m);
		mt_setup(m);
		struct l2k_chan_opts o;
		l2k_chan_opts_default(&o);
		o.mode = L2K_MODE_RETRANS;
		o.mode_required = true;
		o.max_transmit = round ? 3 : L2K_MAX_TRANSMIT_UNLIMITED;
		mt_iut_connect_start(m, &o, MT_FEAT_ALL);
		assert_true(mt_expect_conf_req(m));
		assert_true(m->iut_req.present & L2CAP_CONF_HAS_RFC);
		assert_int_equal(m->iut_req.rfc.mode, L2CAP_MODE_RETRANSMISSION);
		if (round) {
			assert_int_equal(m->iut_req.rfc.retrans_timeout, 2000);
		} else {
			assert_true(m->iut_req.rfc.retrans_timeout >= 100);
			assert_true(m->iut_req.rfc.retrans_timeout <= 400);
		}
		assert_int_equal(m->iut_req.rfc.monitor_timeout, 12000);
	}
}

/* ---- the receiver -------------------------------------------------------------------------- */

/* An ERTM channel the IUT opens; the tester's window 63, MPS 1000, the tester gives the IUT's
 * transmitter 2 s / 12 s (the IUT's own time-outs do not matter here). */
static void open_ertm(struct mt *m, struct l2k_chan_opts *o)
{
	mt_setup(m);
	struct l2cap_conf_opts t = mt_rfc(L2CAP_MODE_ERTM, 63, 0, 1000);
	if (o->ext_window) {
		t.present |= L2CAP_CONF_HAS_EWS;
		t.ews = 200;
	}
	mt_open_iut(m, o, MT_FEAT_ALL, &t);
}

static void send_one(struct mt *m, uint16_t txseq, unsigned k)
{
	uint8_t b[8];
	mt_pattern(b, sizeof(b), k);
	mt_send_i(m, txseq, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b, sizeof(b));
}

/* Our SREJ is lost and the peer does not poll: the IUT asks again on its own, well before the
 * peer's retransmission time-out (2 s here) would bring a poll. */
static void srej_sent_again_without_poll(void **state)
{
	struct mt *m = *state;
	struct l2k_chan_opts o = ertm_opts(3);
	open_ertm(m, &o);
	send_one(m, 0, 0);
	send_one(m, 2, 2);
	assert_int_equal(next_srej(m, 200), 1); /* "lost" */
	uint64_t t0 = m->t.vc.now_ms;
	assert_int_equal(next_srej(m, 1900), 1); /* again, unasked, before the peer would poll */
	assert_true(m->t.vc.now_ms - t0 < 500);
	send_one(m, 1, 1);
	tester_run(&m->t, 20);
	assert_int_equal(m->r.sdus, 3);
}

/* A frame asked for twice may come twice.  The second copy comes late, when the sequence
 * numbers have turned (63 of 64 in use): it must be taken for what it is, a copy, not for the
 * next turn's frame 1; that one, sent afterwards, is delivered. */
static void late_copy_is_not_next_turn(void **state)
{
	struct mt *m = *state;
	struct l2k_chan_opts o = ertm_opts(3);
	open_ertm(m, &o);
	send_one(m, 0, 0);
	send_one(m, 2, 2);
	assert_int_equal(next_srej(m, 200), 1);
	assert_int_equal(next_srej(m, 1900), 1); /* asked for again: two copies may come */
	send_one(m, 1, 1);			     /* the first */
	tester_run(&m->t, 20);
	assert_int_equal(m->r.sdus, 3);
	/* frames 3..63 and the next turn's 0 (SDUs 3..64): the window moves past 1 */
	for (unsigned k = 3; k <= 64; k++) {
		send_one(m, (uint16_t)(k % 64), k);
		tester_run(&m->t, 2);
	}
	tester_run(&m->t, 20);
	assert_int_equal(m->r.sdus, 65);
	send_one(m, 1, 1); /* the second copy of the old frame 1, late */
	tester_run(&m->t, 20);
	assert_int_equal(m->r.sdus, 65); /* not delivered */
	send_one(m, 1, 65); /* the next turn's frame 1 */
	tester_run(&m->t, 20);
	assert_int_equal(m->r.sdus, 66);
	uint8_t want[8];
	mt_pattern(want, sizeof(want), 65);
	assert_int_equal(m->r.len, sizeof(want));
	assert_memory_equal(m->r.data, want, sizeof(want));
	assert_int_equal(m->r.closed, 0);
}

/* The RR that acknowledged a batch of frames is lost while the peer waits for it with nothing
 * else to send: the IUT says it again soon (an acknowledgement said twice is harmless), rather
 * than leaving the peer to its retransmission time-out (2 s here). */
static void rr_said_again_when_peer_stays_silent(void **state)
{
	struct mt *m = *state;
	struct l2k_chan_opts o = ertm_opts(3);
	open_ertm(m, &o);
	for (unsigned k = 0; k < 15; k++)
		send_one(m, (uint16_t)k, k);
	mt_expect_s(m, 200, L2CAP_S_RR, 15, 0, 0); /* a quarter of the window: at once; "lost" */
	uint64_t t0 = m->t.vc.now_ms;
	mt_expect_s(m, 1000, L2CAP_S_RR, 15, 0, 0);
	assert_true(m->t.vc.now_ms - t0 < 500);
	struct l2cap_eframe e;
	assert_false(mt_recv(m, 3000, &e)); /* once only */
}

/* With a large extended window (200) the acknowledgement still goes after 16 frames: the peer
 * may keep fewer outstanding than a quarter of the window. */
static void ack_after_16_frames_with_large_window(void **state)
{
	struct mt *m = *state;
	struct l2k_chan_opts o = ertm_opts(3);
	o.ext_window = true;
	o.tx_window = 200;
	open_ertm(m, &o);
	assert_int_equal(m->fmt, L2CAP_CTRL_EXTENDED);
	for (unsigned k = 0; k < 16; k++)
		send_one(m, (uint16_t)k, k);
	uint64_t t0 = m->t.vc.now_ms;
	mt_expect_s(m, 200, L2CAP_S_RR, 16, 0, 0);
	assert_true(m->t.vc.now_ms - t0 < 50);
}

/* On a fast link one frame waits at most a quarter of the link's retransmission time-out for
 * its acknowledgement (here about 25 ms), not 100 ms. */
static void ack_timer_fits_the_link(void **state)
{
	struct mt *m = *state;
	struct l2k_chan_opts o = ertm_opts(3);
	open_ertm(m, &o);
	send_one(m, 0, 0);
	uint64_t t0 = m->t.vc.now_ms;
	mt_expect_s(m, 200, L2CAP_S_RR, 1, 0, 0);
	assert_true(m->t.vc.now_ms - t0 < 90);
}

/* ---- the transmitter ------------------------------------------------------------------------ */

/* The peer asks for frames 0 and 1 with SREJ and polls, while the link is full: the F-bit
 * answering the poll goes on the last of those retransmissions, never ahead of them (a peer
 * may count on what it asked for before its poll having come once F=1 is back). */
static void final_after_requested_retransmissions(void **state)
{
	struct mt *m = *state;
	struct l2k_chan_opts o = ertm_opts(3);
	o.mtu = 1000;
	mt_setup(m);
	struct l2cap_conf_opts t = mt_rfc(L2CAP_MODE_ERTM, 63, 0, 1000);
	t.present |= L2CAP_CONF_HAS_MTU;
	t.mtu = 1000;
	mt_open_iut(m, &o, MT_FEAT_ALL, &t);
	/* 40 SDUs of 990 octets: more than the link queue and the controller take at once */
	uint8_t b[990];
	for (unsigned k = 0; k < 40; k++) {
		mt_pattern(b, sizeof(b), k);
		assert_int_equal(l2k_chan_send(m->ch, b, sizeof(b)), 0);
	}
	struct l2cap_eframe e;
	mt_expect_i(m, 100, 0, &e); /* the first frames are on their way */
	mt_send_s(m, L2CAP_S_SREJ, 0, 0, 0);
	mt_send_s(m, L2CAP_S_SREJ, 1, 0, 0);
	mt_send_s(m, L2CAP_S_RR, 0, 1, 0); /* poll */
	/* frames from here to the one with F=1: the rest of the originals, then 0 and 1 again */
	int zeros = 1, ones = 0; /* the original 0 came above */
	for (;;) {
		assert_true(mt_recv(m, 2000, &e));
		if (e.ctrl.f) {
			assert_int_equal(e.ctrl.type, L2CAP_FRAME_I); /* not an RR ahead of them */
			assert_int_equal(e.ctrl.txseq, 1);	      /* the last retransmission asked for */
			assert_int_equal(zeros, 2);		      /* after the retransmitted 0 */
			assert_int_equal(ones, 1);
			break;
		}
		if (e.ctrl.type == L2CAP_FRAME_I && e.ctrl.txseq == 0)
			zeros++;
		if (e.ctrl.type == L2CAP_FRAME_I && e.ctrl.txseq == 1)
			ones++;
	}
}

/* The application sends from its receive callback (an echo), on top of recording. */
static struct l2k_chan_cbs rec_cbs;
static void echo_recv(void *u, l2k_chan *ch, const uint8_t *p, size_t n)
{
	rec_cbs.recv(u, ch, p, n);
	assert_int_equal(l2k_chan_send(ch, p, n), 0);
}

/* The F-bit answers our poll in an I-frame whose SDU the application echoes from its receive
 * callback: the frames that waited for the F-bit (Pend-Data) and the echo go out once; only
 * what was outstanding when the F-bit came may be sent again (here nothing: the F-frame
 * acknowledges it all). */
static void final_iframe_then_pending_data_once(void **state)
{
	struct mt *m = *state;
	mt_setup(m);
	struct l2k_chan_opts o = ertm_opts(3);
	rec_cbs = tester_rec_cbs(&m->r);
	struct l2k_chan_cbs cb = rec_cbs;
	cb.recv = echo_recv;
	assert_int_equal(l2k_chan_connect(m->t.iut, &m->t.tst_addr, L2K_ADDR_BREDR, MT_PSM, &o, &cb, &m->ch), 0);
	assert_int_equal(tester_answer_info(&m->t, MT_FEAT_ALL, 0x86), 0);
	const struct tester_pdu *p = tester_expect_sig(&m->t, 0x02, 5000);
	assert_non_null(p);
	m->icid = t_get16(p->data + 6);
	uint8_t rsp[8];
	t_put16(rsp, m->tcid);
	t_put16(rsp + 2, m->icid);
	t_put16(rsp + 4, 0);
	t_put16(rsp + 6, 0);
	tester_send_sig(&m->t, 0x03, p->data[1], rsp, 8);
	assert_true(mt_expect_conf_req(m));
	struct l2cap_conf_opts r;
	l2cap_conf_opts_clear(&r);
	r.present = L2CAP_CONF_HAS_RFC;
	r.rfc = m->iut_req.rfc;
	r.rfc.retrans_timeout = 2000;
	r.rfc.monitor_timeout = 12000;
	mt_send_conf_rsp(m, 0, &r);
	struct l2cap_conf_opts t = mt_rfc(L2CAP_MODE_ERTM, 63, 0, 1000);
	uint8_t id = mt_send_conf_req(m, &t);
	assert_int_equal(mt_expect_conf_rsp(m, id, NULL), 0);
	tester_run(&m->t, 5);
	assert_int_equal(m->r.opened, 1);
	uint8_t b[10];
	for (unsigned k = 0; k < 2; k++) {
		mt_pattern(b, sizeof(b), k);
		assert_int_equal(l2k_chan_send(m->ch, b, sizeof(b)), 0);
	}
	struct l2cap_eframe e;
	mt_expect_i(m, 100, 0, &e);
	mt_expect_i(m, 100, 1, &e);
	mt_expect_s(m, 2100, L2CAP_S_RR, 0, 1, 0); /* no acknowledgement: the poll, WAIT_F */
	for (unsigned k = 2; k < 4; k++) {		 /* they wait for the F-bit */
		mt_pattern(b, sizeof(b), k);
		assert_int_equal(l2k_chan_send(m->ch, b, sizeof(b)), 0);
	}
	assert_false(mt_recv(m, 200, &e));
	send_one(m, 0, 9); /* I-frame, ReqSeq 0 below: acknowledges nothing yet */
	struct l2cap_eframe fin = {.ctrl = {.type = L2CAP_FRAME_I, .txseq = 1, .reqseq = 2, .f = 1,
					    .sar = L2CAP_SAR_UNSEGMENTED},
				   .payload = b, .payload_len = sizeof(b)};
	mt_send_frame(m, &fin); /* F=1, acknowledges 0 and 1 */
	/* 2 and 3 (pending), then the two echoes; each once */
	int seen[8] = {0};
	while (mt_recv(m, 500, &e)) {
		if (e.ctrl.type != L2CAP_FRAME_I)
			continue;
		assert_true(e.ctrl.txseq < 8);
		seen[e.ctrl.txseq]++;
	}
	for (int k = 2; k < 6; k++)
		assert_int_equal(seen[k], 1);
	assert_int_equal(seen[0] + seen[1], 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(ertm_response_timeouts_fast_link),
	    T(ertm_response_timeouts_slow_link),
	    T(ertm_response_timeouts_capped),
	    T(ertm_response_monitor_for_max_transmit),
	    T(retrans_request_timeouts),
	    T(srej_sent_again_without_poll),
	    T(late_copy_is_not_next_turn),
	    T(rr_said_again_when_peer_stays_silent),
	    T(ack_after_16_frames_with_large_window),
	    T(ack_timer_fits_the_link),
	    T(final_after_requested_retransmissions),
	    T(final_iframe_then_pending_data_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
