/* Enhanced Retransmission mode, transmitting side (Vol 3 Part A 8.6.5.3 XMIT, 8.6.5.4 WAIT_F
 * and the actions of 8.6.5.8): sending I-frames within the peer's window, processing ReqSeq and
 * the F-bit (PassToTx), REJ and SREJ, the retransmission and monitor timers, polls and
 * MaxTransmit.
 *
 * Choices l2kit makes where the specification leaves room:
 *  - the retransmission timer is started when an I-frame goes out and none runs, restarted
 *    whenever an acknowledgement makes progress and stopped when nothing is unacknowledged;
 *  - MaxTransmit is the local opts.max_transmit (the value in our Configuration Request tells
 *    the peer what we use); 0 (L2K_MAX_TRANSMIT_UNLIMITED) never gives up;
 *  - a frame is not retransmitted while the peer is busy (RNR): the peer's RR with P=1 or F=1
 *    that ends the busy condition brings the retransmissions. */
#include "core/mode_ertm.h"

void ertm_fail(struct l2k_chan *ch, enum l2k_close_reason why)
{
	ifr_fail(ch, why);
}

static bool open_ok(struct l2k_chan *ch)
{
	return ch->state == CH_OPEN && ch->ops == &l2cap_mode_ertm;
}

static bool retx_has(const struct l2cap_ifr *f, uint16_t seq)
{
	for (uint16_t i = 0; i < f->retx_n; i++)
		if (f->retx[(f->retx_head + i) % f->tx_alloc] == seq)
			return true;
	return false;
}

static void retx_push(struct l2cap_ifr *f, uint16_t seq)
{
	if (f->retx_n >= f->tx_alloc || retx_has(f, seq))
		return;
	f->retx[(f->retx_head + f->retx_n) % f->tx_alloc] = seq;
	f->retx_n++;
}

static void retx_pop(struct l2cap_ifr *f)
{
	f->retx_head = (uint16_t)((f->retx_head + 1) % f->tx_alloc);
	f->retx_n--;
}

static bool is_unacked(const struct l2cap_ifr *f, uint16_t seq)
{
	return seq_off(f, seq, f->expected_ack_seq) < f->unacked;
}

/* An I-frame went out: it carried our acknowledgement; the retransmission timer runs. */
static void i_frame_sent(struct l2k_chan *ch)
{
	struct l2cap_ifr *f = ifr_of(ch);
	ifr_timer_stop(ch, L2CAP_TIMER_ACK);
	if (f->tx_state == TX_XMIT && !ifr_timer_running(ch, L2CAP_TIMER_RETRANS) && !f->remote_busy)
		ifr_timer_start(ch, L2CAP_TIMER_RETRANS);
}

void ertm_pump(struct l2k_chan *ch)
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
		/* retransmissions first (REJ, SREJ, F=1), in the order asked */
		while (f->retx_n && !f->remote_busy) {
			uint16_t seq = f->retx[f->retx_head];
			if (!is_unacked(f, seq)) {
				retx_pop(f);
				continue;
			}
			struct ifr_slot *s = ifr_tx_slot(f, seq);
			if (f->max_transmit && s->retries >= f->max_transmit) {
				f->in_pump = false;
				ertm_fail(ch, L2K_CLOSE_MAX_TRANSMIT);
				return;
			}
			uint8_t fb = f->send_f;
			if (ifr_send_i(ch, s, seq, f->buffer_seq, fb) == L2K_EAGAIN) {
				blocked = true;
				break;
			}
			f->send_f = false;
			s->retries++;
			ch->st.retransmissions++;
			retx_pop(f);
			i_frame_sent(ch);
		}
		if (blocked)
			break;
		/* new I-frames while the window has room (8.6.5.3: only in XMIT, not remote busy) */
		while (f->tx_state == TX_XMIT && !f->remote_busy && f->unacked < f->tx_win &&
		       (f->staged || ch->txq.count)) {
			struct ifr_slot *s = ifr_tx_slot(f, f->next_tx_seq);
			if (!f->staged) {
				ifr_segment(ch, s);
				f->staged = true;
				if (!open_ok(ch)) { /* the application closed from send_ready */
					f->in_pump = false;
					return;
				}
			}
			if (ifr_send_i(ch, s, f->next_tx_seq, f->buffer_seq, f->send_f) == L2K_EAGAIN) {
				blocked = true;
				break;
			}
			f->send_f = false;
			f->staged = false;
			s->retries = 1;
			f->next_tx_seq = seq_add(f, f->next_tx_seq, 1);
			f->unacked++;
			i_frame_sent(ch);
		}
	} while (f->pump_again && !blocked);
	f->in_pump = false;
	/* a poll still waits for its answer and no I-frame carried the F-bit (SendIorRRorRNR) */
	if (f->send_f) {
		f->send_f = false;
		ertm_send_rr_or_rnr(ch, 0, 1);
	}
}

void ertm_send_rr_or_rnr(struct l2k_chan *ch, uint8_t p, uint8_t fb)
{
	struct l2cap_ifr *f = ifr_of(ch);
	struct l2cap_ctrl c = {.type = L2CAP_FRAME_S, .sfunc = f->local_busy ? L2CAP_S_RNR : L2CAP_S_RR,
			       .p = p, .f = fb, .reqseq = f->buffer_seq};
	if (f->local_busy)
		f->rnr_sent = true;
	ifr_send_s(ch, &c);
	ifr_timer_stop(ch, L2CAP_TIMER_ACK);
}

void ertm_send_i_or_rr_or_rnr(struct l2k_chan *ch)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (f->local_busy) {
		ertm_send_rr_or_rnr(ch, 0, 1);
		return;
	}
	f->send_f = true;
	ertm_pump(ch); /* the first I-frame carries F=1, else an RR does */
}

bool ertm_reqseq_valid(struct l2k_chan *ch, uint16_t reqseq)
{
	struct l2cap_ifr *f = ifr_of(ch);
	/* With-Valid-ReqSeq: ExpectedAckSeq <= ReqSeq <= NextTxSeq (8.6.5.9) */
	return seq_off(f, reqseq, f->expected_ack_seq) <= f->unacked;
}

/* ProcessReqSeq: frames before ReqSeq are acknowledged. */
static void process_reqseq(struct l2k_chan *ch, uint16_t reqseq)
{
	struct l2cap_ifr *f = ifr_of(ch);
	uint16_t n = seq_off(f, reqseq, f->expected_ack_seq);
	if (!n)
		return;
	f->expected_ack_seq = reqseq;
	f->ack_ctr += n;
	f->unacked = (uint16_t)(f->unacked - n);
	if (ifr_timer_running(ch, L2CAP_TIMER_RETRANS)) {
		if (!f->unacked)
			ifr_timer_stop(ch, L2CAP_TIMER_RETRANS);
		else
			ifr_timer_start(ch, L2CAP_TIMER_RETRANS); /* progress: give the rest a full timeout */
	}
}

bool ertm_pass_fbit(struct l2k_chan *ch, uint8_t fb)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (fb && f->tx_state == TX_WAIT_F) {
		/* the poll was answered (8.6.5.4): back to XMIT */
		ifr_timer_stop(ch, L2CAP_TIMER_MONITOR);
		f->tx_state = TX_XMIT;
		if (f->unacked && !f->remote_busy)
			ifr_timer_start(ch, L2CAP_TIMER_RETRANS);
	}
	return true;
}

bool ertm_pass_reqseq_fbit(struct l2k_chan *ch, uint16_t reqseq, uint8_t fb)
{
	if (!ertm_reqseq_valid(ch, reqseq)) {
		ertm_fail(ch, L2K_CLOSE_PROTOCOL); /* With-Invalid-ReqSeq: close (8.6.5.5) */
		return false;
	}
	process_reqseq(ch, reqseq);
	return ertm_pass_fbit(ch, fb);
}

void ertm_retransmit_all(struct l2k_chan *ch, uint16_t from)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (f->remote_busy)
		return;
	f->retx_n = 0;
	for (uint16_t s = from; is_unacked(f, s); s = seq_add(f, s, 1))
		retx_push(f, s);
}

bool ertm_retransmit_one(struct l2k_chan *ch, uint16_t seq)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (f->remote_busy || !is_unacked(f, seq))
		return false;
	retx_push(f, seq);
	return true;
}

/* Recv REJ (8.6.1.2): acknowledges up to ReqSeq - 1 and asks for everything from ReqSeq. */
void ertm_handle_rej(struct l2k_chan *ch, const struct l2cap_ctrl *c)
{
	struct l2cap_ifr *f = ifr_of(ch);
	f->remote_busy = false;
	if (!ertm_pass_reqseq_fbit(ch, c->reqseq, c->f))
		return;
	if (c->f) {
		/* the answer to our poll: retransmit unless a REJ was already acted on (REJ_ACT) */
		if (f->rej_actioned)
			f->rej_actioned = false;
		else
			ertm_retransmit_all(ch, c->reqseq);
	} else {
		ertm_retransmit_all(ch, c->reqseq);
		if (f->tx_state == TX_WAIT_F)
			f->rej_actioned = true;
	}
	ertm_pump(ch);
}

/* Recv SREJ (8.6.1.4): retransmit the one I-frame named by ReqSeq.  With P=1 it also
 * acknowledges the frames before it and the retransmission carries F=1. */
void ertm_handle_srej(struct l2k_chan *ch, const struct l2cap_ctrl *c)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (!is_unacked(f, c->reqseq)) {
		if (c->reqseq == f->next_tx_seq) /* a frame never sent: invalid */
			ertm_fail(ch, L2K_CLOSE_PROTOCOL);
		return; /* already acknowledged: nothing to do */
	}
	f->remote_busy = false;
	if (c->p) {
		if (!ertm_pass_reqseq_fbit(ch, c->reqseq, 0))
			return;
		f->send_f = true;
		ertm_retransmit_one(ch, c->reqseq);
		if (f->tx_state == TX_WAIT_F) {
			f->srej_actioned = true;
			f->srej_save_reqseq = c->reqseq;
		}
	} else {
		ertm_pass_fbit(ch, c->f);
		if (c->f) {
			if (f->srej_actioned && f->srej_save_reqseq == c->reqseq)
				f->srej_actioned = false; /* already retransmitted for the poll */
			else
				ertm_retransmit_one(ch, c->reqseq);
		} else {
			ertm_retransmit_one(ch, c->reqseq);
			if (f->tx_state == TX_WAIT_F) {
				f->srej_actioned = true;
				f->srej_save_reqseq = c->reqseq;
			}
		}
	}
	ertm_pump(ch);
}

/* Poll the peer: SendRRorRNR(P=1), RetryCount, monitor timer, WAIT_F (8.6.5.3). */
static void poll_peer(struct l2k_chan *ch)
{
	struct l2cap_ifr *f = ifr_of(ch);
	ertm_send_rr_or_rnr(ch, 1, 0);
	f->retry_count = 1;
	ifr_timer_stop(ch, L2CAP_TIMER_RETRANS);
	ifr_timer_start(ch, L2CAP_TIMER_MONITOR);
	f->tx_state = TX_WAIT_F;
}

void ertm_timer_expired(struct l2k_chan *ch, enum l2cap_mode_timer which)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (which == L2CAP_TIMER_RETRANS) {
		/* RetransTimer expired in XMIT: poll for the peer's state */
		if (f->tx_state == TX_XMIT && f->unacked)
			poll_peer(ch);
		return;
	}
	if (which == L2CAP_TIMER_MONITOR) {
		if (f->tx_state != TX_WAIT_F)
			return;
		/* MonitorTimer expired in WAIT_F: poll again until MaxTransmit polls went unanswered */
		if (f->max_transmit && f->retry_count >= f->max_transmit) {
			ertm_fail(ch, L2K_CLOSE_MAX_TRANSMIT);
			return;
		}
		ertm_send_rr_or_rnr(ch, 1, 0);
		f->retry_count++;
		ifr_timer_start(ch, L2CAP_TIMER_MONITOR);
	}
}

void ertm_local_busy(struct l2k_chan *ch, bool busy)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (busy == f->local_busy)
		return;
	if (busy) {
		/* Local-Busy-Detected: RNR tells the peer to stop (8.6.1.3) */
		f->local_busy = true;
		ertm_send_rr_or_rnr(ch, 0, 0);
		return;
	}
	/* Local-Busy-Clear: the receiver passes up what it kept, then RR with P=1 (8.6.5.3/4) */
	f->local_busy = false;
	ertm_rx_resume(ch);
	if (!open_ok(ch) || f->local_busy)
		return;
	if (f->rnr_sent) {
		f->rnr_sent = false;
		poll_peer(ch);
	} else {
		ertm_send_ack(ch, false);
	}
	ertm_pump(ch);
}
