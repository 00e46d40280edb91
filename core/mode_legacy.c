/* The legacy modes of L2CAP 1.2 (Vol 3 Part A 8.1-8.5 of the Core editions that carry them):
 * Retransmission mode and Flow Control mode.  Standard control field with the R bit (3.3.2),
 * S-frames RR and REJ only, FCS always present, TxWindow 1-32.
 *
 * Common rules: every I-frame and S-frame carries ReqSeq (acknowledging everything before it);
 * the sender keeps at most TxWindow I-frames unacknowledged; the retransmission timer runs while
 * I-frames are unacknowledged and the monitor timer while none are, and when the monitor timer
 * expires an RR (current ReqSeq and R) goes out so a lost acknowledgement cannot stall the peer.
 *
 * Retransmission mode: a gap in TxSeq is reported with one REJ (REJ exception: no second REJ
 * until the expected frame arrives) and the out-of-sequence frame is discarded; on REJ or when
 * the retransmission timer expires the sender goes back to the oldest unacknowledged frame and
 * sends them all again, each counting against MaxTransmit (reached: the channel closes with
 * L2K_CLOSE_MAX_TRANSMIT).  R=1 from the peer means "do not retransmit" (its buffers are full):
 * the retransmission timer stops until R=0 comes.  l2kit sets R=1 while the application is busy
 * and discards the I-frames that arrive meanwhile; they come again after R=0.
 *
 * Flow Control mode: nothing is retransmitted.  A gap in TxSeq reports the missing I-frames as
 * lost (the damaged SDUs are dropped and counted in rx_sdus_dropped) and the frame is accepted.
 * When the retransmission timer expires the oldest unacknowledged I-frame is given up, so the
 * window moves on even when its acknowledgement was lost.  While the application is busy
 * acknowledgements are withheld (the peer's window closes) and arriving I-frames are dropped. */
#include "core/mode_ifr.h"

static bool open_ok(struct l2k_chan *ch)
{
	return ch->state == CH_OPEN && (ch->ops == &l2cap_mode_retrans || ch->ops == &l2cap_mode_flowctl);
}

static bool is_rtx(const struct l2k_chan *ch)
{
	return ch->mode == L2K_MODE_RETRANS;
}

static uint8_t r_bit(struct l2k_chan *ch)
{
	return is_rtx(ch) && ifr_of(ch)->local_busy;
}

static void send_rr(struct l2k_chan *ch)
{
	struct l2cap_ifr *f = ifr_of(ch);
	struct l2cap_ctrl c = {.type = L2CAP_FRAME_S, .sfunc = L2CAP_S_RR, .r = r_bit(ch),
			       .reqseq = f->buffer_seq};
	ifr_send_s(ch, &c);
	ifr_timer_stop(ch, L2CAP_TIMER_ACK);
}

/* The transmitter's timers, one of them running at a time: retransmission while frames are
 * unacknowledged (and the peer allows retransmission), monitor otherwise. */
static void rearm(struct l2k_chan *ch, bool progress)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (f->unacked && !f->remote_busy) {
		if (!ifr_timer_running(ch, L2CAP_TIMER_RETRANS) || progress) {
			ifr_timer_stop(ch, L2CAP_TIMER_MONITOR);
			ifr_timer_start(ch, L2CAP_TIMER_RETRANS);
		}
	} else if (!ifr_timer_running(ch, L2CAP_TIMER_MONITOR)) {
		ifr_timer_stop(ch, L2CAP_TIMER_RETRANS);
		ifr_timer_start(ch, L2CAP_TIMER_MONITOR);
	}
}

static void leg_pump(struct l2k_chan *ch)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (!f || !f->running || !open_ok(ch))
		return;
	if (f->in_pump) {
		f->pump_again = true;
		return;
	}
	f->in_pump = true;
	bool blocked = false;
	do {
		f->pump_again = false;
		if (!ifr_flush_sq(ch)) {
			blocked = true;
			break;
		}
		while (f->retx_n) {
			uint16_t seq = f->retx[f->retx_head];
			if (!ifr_unacked(f, seq)) { /* acknowledged meanwhile */
				ifr_retx_pop(f);
				continue;
			}
			struct ifr_slot *s = ifr_tx_slot(f, seq);
			if (f->max_transmit && s->retries >= f->max_transmit) {
				f->in_pump = false;
				ifr_fail(ch, L2K_CLOSE_MAX_TRANSMIT);
				return;
			}
			if (ifr_send_i(ch, s, seq, f->buffer_seq, r_bit(ch)) == L2K_EAGAIN) {
				blocked = true;
				break;
			}
			s->retries++;
			ch->st.retransmissions++;
			ifr_retx_pop(f);
		}
		if (blocked)
			break;
		while (f->unacked < f->tx_win && (f->staged || ch->txq.count)) {
			struct ifr_slot *s = ifr_tx_slot(f, f->next_tx_seq);
			if (!f->staged) {
				ifr_segment(ch, s);
				f->staged = true;
				if (!open_ok(ch)) {
					f->in_pump = false;
					return;
				}
			}
			if (ifr_send_i(ch, s, f->next_tx_seq, f->buffer_seq, r_bit(ch)) == L2K_EAGAIN) {
				blocked = true;
				break;
			}
			f->staged = false;
			s->retries = 1;
			f->next_tx_seq = seq_add(f, f->next_tx_seq, 1);
			f->unacked++;
			ifr_timer_stop(ch, L2CAP_TIMER_ACK);
			rearm(ch, false);
		}
	} while (f->pump_again && !blocked);
	f->in_pump = false;
}

/* Go back to the oldest unacknowledged frame and send them all again (Retransmission mode). */
static void go_back(struct l2k_chan *ch, uint16_t from)
{
	struct l2cap_ifr *f = ifr_of(ch);
	f->retx_n = 0;
	for (uint16_t s = from; ifr_unacked(f, s); s = seq_add(f, s, 1))
		ifr_retx_push(f, s);
	rearm(ch, true);
	leg_pump(ch);
}

/* ReqSeq and R of any received frame: false when the channel was closed. */
static bool process_ack(struct l2k_chan *ch, uint16_t reqseq, uint8_t r)
{
	struct l2cap_ifr *f = ifr_of(ch);
	uint16_t n = seq_off(f, reqseq, f->expected_ack_seq);
	if (n > f->unacked) {
		/* Flow Control mode: an acknowledgement older than frames we gave up is stale */
		if (!is_rtx(ch) && seq_off(f, f->expected_ack_seq, reqseq) <= f->tx_win) {
			n = 0;
			reqseq = f->expected_ack_seq;
		} else {
			ifr_fail(ch, L2K_CLOSE_PROTOCOL); /* acknowledges a frame never sent */
			return false;
		}
	}
	f->expected_ack_seq = reqseq;
	f->ack_ctr += n;
	f->unacked = (uint16_t)(f->unacked - n);
	bool busy = is_rtx(ch) && r;
	if (busy != f->remote_busy) {
		f->remote_busy = busy;
		if (busy) { /* R=1: no retransmission until R=0 */
			ifr_timer_stop(ch, L2CAP_TIMER_RETRANS);
			ifr_timer_stop(ch, L2CAP_TIMER_MONITOR);
		}
	}
	if (n || !ifr_timer_running(ch, L2CAP_TIMER_RETRANS))
		rearm(ch, n > 0);
	return true;
}

static void send_ack(struct l2k_chan *ch, bool now)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (f->local_busy && !is_rtx(ch))
		return; /* Flow Control mode: the withheld acknowledgement is the flow control */
	uint16_t n = seq_off(f, f->buffer_seq, f->last_acked_seq);
	if (!n)
		return;
	if (!now && n < f->ack_thresh) {
		if (!ifr_timer_running(ch, L2CAP_TIMER_ACK))
			ifr_timer_start(ch, L2CAP_TIMER_ACK);
		return;
	}
	leg_pump(ch);
	if (open_ok(ch) && seq_off(f, f->buffer_seq, f->last_acked_seq))
		send_rr(ch);
}

/* Pass up the frames kept while busy (Retransmission mode). */
static void leg_resume(struct l2k_chan *ch)
{
	struct l2cap_ifr *f = ifr_of(ch);
	while (open_ok(ch) && !f->local_busy && f->buffer_seq != f->expected_tx_seq) {
		struct ifr_slot *s = ifr_rx_slot(f, f->buffer_seq);
		if (!s->present)
			break;
		s->present = false;
		f->buffer_seq = seq_add(f, f->buffer_seq, 1);
		f->buffer_ctr++;
		if (ifr_reassemble(ch, s->sar, s->sdu_len, s->data, s->len) < 0) {
			ifr_fail(ch, L2K_CLOSE_PROTOCOL);
			return;
		}
		if (ch->rx_hold)
			f->local_busy = true; /* busy again: R=1 still stands */
	}
}

static void leg_local_busy(struct l2k_chan *ch, bool busy)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (busy == f->local_busy)
		return;
	f->local_busy = busy;
	if (!busy && f->rx_alloc)
		leg_resume(ch);
	if (!open_ok(ch))
		return;
	if (is_rtx(ch))
		send_rr(ch); /* R=1 / R=0 tells the peer at once */
	else if (!busy)
		send_ack(ch, true);
}

static void rx_iframe(struct l2k_chan *ch, const struct ifr_frame *fr)
{
	struct l2cap_ifr *f = ifr_of(ch);
	uint16_t txseq = fr->c.txseq;
	uint16_t ahead = seq_off(f, txseq, f->expected_tx_seq);
	/* Flow Control mode never retransmits, so a frame is never a duplicate: any TxSeq other
	 * than the expected one means frames were lost (and the sender may have given up more
	 * than a window of them).  In Retransmission mode a frame behind us is a duplicate. */
	if (is_rtx(ch) && ahead >= f->rx_win) {
		/* behind us: a duplicate, so our acknowledgement was lost: say it again, once per
		 * retransmitted series (else the sender would spend MaxTransmit on frames we have) */
		if (!f->dup_acked && (!f->local_busy || is_rtx(ch))) {
			f->dup_acked = true;
			send_rr(ch);
		}
		return;
	}
	if (ch->rx_hold != f->local_busy)
		leg_local_busy(ch, ch->rx_hold);
	if (f->local_busy) {
		/* Retransmission mode keeps in-sequence frames that were already on their way
		 * (unacknowledged: R=1 stops the peer's retransmissions) and passes them up when the
		 * application reads again; anything else is discarded and comes again after R=0.
		 * Flow Control mode counts it lost when the TxSeq gap shows after the busy time. */
		if (is_rtx(ch) && !ahead && seq_off(f, f->expected_tx_seq, f->buffer_seq) < f->rx_alloc) {
			ifr_rx_store(f, fr);
			f->expected_tx_seq = seq_add(f, txseq, 1);
		}
		return;
	}
	if (ahead) {
		if (is_rtx(ch)) {
			/* a gap: one REJ asks for everything from the expected frame */
			if (!f->rej_sent) {
				f->rej_sent = true;
				struct l2cap_ctrl rej = {.type = L2CAP_FRAME_S, .sfunc = L2CAP_S_REJ,
							 .reqseq = f->expected_tx_seq};
				ifr_send_s(ch, &rej);
			}
			return;
		}
		/* Flow Control mode: the missing frames are lost; their SDUs are dropped */
		bool mid = fr->c.sar == L2CAP_SAR_CONTINUE || fr->c.sar == L2CAP_SAR_END;
		if (ifr_drop_partial(ch))
			ch->st.rx_dropped++;
		else if (!f->rx_discarding && !mid)
			ch->st.rx_dropped += ahead;
		if (mid && !f->rx_discarding)
			ch->st.rx_dropped++;
		f->rx_discarding = mid;
	}
	f->rej_sent = false;
	f->dup_acked = false;
	f->expected_tx_seq = seq_add(f, txseq, 1);
	f->buffer_ctr += seq_off(f, f->expected_tx_seq, f->buffer_seq);
	f->buffer_seq = f->expected_tx_seq;
	if (f->rx_discarding) {
		bool mid = fr->c.sar == L2CAP_SAR_CONTINUE || fr->c.sar == L2CAP_SAR_END;
		f->rx_discarding = fr->c.sar == L2CAP_SAR_CONTINUE;
		if (mid)
			goto ack;
	}
	if (ifr_reassemble(ch, fr->c.sar, fr->sdu_len, fr->payload, fr->len) < 0) {
		if (is_rtx(ch)) {
			ifr_fail(ch, L2K_CLOSE_PROTOCOL); /* a reliable mode cannot lose an SDU */
			return;
		}
		ch->st.rx_dropped++;
		ifr_drop_partial(ch);
		f->rx_discarding = fr->c.sar == L2CAP_SAR_START || fr->c.sar == L2CAP_SAR_CONTINUE;
	}
	if (!open_ok(ch))
		return;
	if (ch->rx_hold && !f->local_busy)
		leg_local_busy(ch, true);
ack:
	send_ack(ch, false);
}

static void leg_rx(struct l2k_chan *ch, const uint8_t *p, size_t len)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (!f || !f->running)
		return;
	struct ifr_frame fr;
	int r = ifr_parse(ch, p, len, &fr);
	if (r == L2K_EIO)
		return; /* bad FCS: dropped (3.3.5) */
	if (r < 0) {
		if (is_rtx(ch))
			ifr_fail(ch, L2K_CLOSE_PROTOCOL);
		return;
	}
	if (!process_ack(ch, fr.c.reqseq, fr.c.r))
		return;
	if (fr.c.type == L2CAP_FRAME_I) {
		rx_iframe(ch, &fr);
	} else if (fr.c.sfunc == L2CAP_S_REJ && is_rtx(ch)) {
		go_back(ch, fr.c.reqseq);
		return;
	}
	/* RR: the acknowledgement and R were all it said */
	if (open_ok(ch))
		leg_pump(ch);
}

static void leg_timer(struct l2k_chan *ch, enum l2cap_mode_timer which)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (!f || !f->running)
		return;
	switch (which) {
	case L2CAP_TIMER_ACK:
		send_ack(ch, true);
		break;
	case L2CAP_TIMER_RETRANS:
		if (!f->unacked || f->remote_busy) {
			rearm(ch, false);
			return;
		}
		if (is_rtx(ch)) {
			go_back(ch, f->expected_ack_seq);
			return;
		}
		/* Flow Control mode: the oldest frame is given up, the window moves on */
		f->expected_ack_seq = seq_add(f, f->expected_ack_seq, 1);
		f->ack_ctr++;
		f->unacked--;
		rearm(ch, true);
		leg_pump(ch);
		break;
	case L2CAP_TIMER_MONITOR:
		send_rr(ch);
		rearm(ch, false);
		break;
	default:
		break;
	}
}

static void leg_consumed(struct l2k_chan *ch)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (f && f->running && open_ok(ch) && ch->rx_hold != f->local_busy)
		leg_local_busy(ch, ch->rx_hold);
}

static int leg_open(struct l2k_chan *ch)
{
	int r = ifr_open(ch, true, is_rtx(ch));
	if (r == 0)
		ifr_timer_start(ch, L2CAP_TIMER_MONITOR);
	return r;
}

const struct l2cap_mode_ops l2cap_mode_retrans = {
    .name = "retrans",
    .open = leg_open,
    .pump = leg_pump,
    .rx = leg_rx,
    .timer = leg_timer,
    .consumed = leg_consumed,
    .close = ifr_close,
    .tx_idle = l2cap_ifr_tx_idle,
};

const struct l2cap_mode_ops l2cap_mode_flowctl = {
    .name = "flowctl",
    .open = leg_open,
    .pump = leg_pump,
    .rx = leg_rx,
    .timer = leg_timer,
    .consumed = leg_consumed,
    .close = ifr_close,
    .tx_idle = l2cap_ifr_tx_idle,
};
