/* Enhanced Retransmission mode, the transmitter: the XMIT and WAIT_F state tables of Vol 3
 * Part A 8.6.5 and the actions their rows name: I-frames sent within the peer's window, the
 * acknowledgements the receiver passes on (Process-ReqSeq), retransmission of what REJ, SREJ
 * or the F-bit ask for, the retransmission and monitor timers, polls and MaxTransmit.
 *
 * Choices l2kit makes where the specification leaves room:
 *  - the retransmission timer is started when an I-frame goes out and none runs, restarted
 *    whenever an acknowledgement makes progress and stopped when nothing is unacknowledged;
 *  - MaxTransmit is the local opts.max_transmit (the value in our Configuration Request tells
 *    the peer what we use); 0 (L2K_MAX_TRANSMIT_UNLIMITED) never gives up;
 *  - a frame is not retransmitted while the peer is busy (RNR): the peer's RR with P=1 or F=1
 *    that ends the busy condition brings the retransmissions;
 *  - the F-bit answering the peer's poll rides on the last retransmission the peer asked for,
 *    else on the first new I-frame, else on an RR, and never ahead of retransmissions that wait
 *    for room on the link;
 *  - the time-outs are the peer's (its Configuration Response); l2kit gives its peers time-outs
 *    fitted to the link (ifr_link_timeouts, mode_ifr.c). */
#include "core/mode_ertm.h"

/* ---- actions -------------------------------------------------------------------------------- */

/* An I-frame went out: it carried our acknowledgement (the ack timer stops); in XMIT the
 * retransmission timer runs for it (Start-RetransTimer when it does not run yet). */
static void i_frame_sent(struct l2k_chan *ch)
{
	struct l2cap_ifr *f = ifr_of(ch);
	ifr_timer_stop(ch, L2CAP_TIMER_ACK);
	if (f->tx_state == TX_XMIT && !ifr_timer_running(ch, L2CAP_TIMER_RETRANS) && !f->remote_busy)
		ifr_timer_start(ch, L2CAP_TIMER_RETRANS);
}

void ertm_send_pending(struct l2k_chan *ch)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (!f || !f->running || !ertm_open_ok(ch))
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
			if (!ifr_unacked(f, seq)) {
				ifr_retx_pop(f);
				continue;
			}
			struct ifr_slot *s = ifr_tx_slot(f, seq);
			if (f->max_transmit && s->retries >= f->max_transmit) {
				f->in_pump = false;
				ifr_fail(ch, L2K_CLOSE_MAX_TRANSMIT);
				return;
			}
			/* the F-bit answering a poll goes on the last retransmission asked for, after
			 * everything asked for before the poll: once F=1 is back, the peer may count on
			 * all of it having come */
			uint8_t fb = f->send_f && f->retx_n == 1;
			if (ifr_send_i(ch, s, seq, f->buffer_seq, fb) == L2K_EAGAIN) {
				blocked = true;
				break;
			}
			if (fb)
				f->send_f = false;
			s->retries++;
			ch->st.retransmissions++;
			ifr_retx_pop(f);
			i_frame_sent(ch);
		}
		if (blocked)
			break;
		/* Send-Data: new I-frames in XMIT while RemoteBusy = FALSE and UnackedFrames < the
		 * peer's TxWindow; otherwise (and in WAIT_F) Pend-Data: they wait in ch->txq */
		while (f->tx_state == TX_XMIT && !f->remote_busy && f->unacked < f->tx_win &&
		       (f->staged || ch->txq.count)) {
			struct ifr_slot *s = ifr_tx_slot(f, f->next_tx_seq);
			if (!f->staged) {
				ifr_segment(ch, s);
				f->staged = true;
				if (!ertm_open_ok(ch)) { /* the application closed from send_ready */
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
	/* a poll still waits for its answer and no I-frame carried the F-bit (SendIorRRorRNR):
	 * an RR carries it, unless I-frames wait for room on the link (retransmissions asked for
	 * before the poll): then one of them does, so that the F-bit comes after them as the peer
	 * may count on */
	if (f->send_f && !(blocked && (f->retx_n || f->staged))) {
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
	ertm_send_pending(ch); /* the first I-frame carries F=1, else an RR does */
}

bool ertm_reqseq_valid(struct l2k_chan *ch, uint16_t reqseq)
{
	struct l2cap_ifr *f = ifr_of(ch);
	return seq_off(f, reqseq, f->expected_ack_seq) <= f->unacked;
}

void ertm_retransmit_all(struct l2k_chan *ch, uint16_t from)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (f->remote_busy)
		return;
	f->retx_n = 0;
	for (uint16_t s = from; ifr_unacked(f, s); s = seq_add(f, s, 1))
		ifr_retx_push(f, s);
}

void ertm_retransmit_one(struct l2k_chan *ch, uint16_t seq)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (!f->remote_busy && ifr_unacked(f, seq))
		ifr_retx_push(f, seq);
}

/* Process-ReqSeq: the I-frames before ReqSeq are acknowledged; the retransmission timer stops
 * when nothing is left unacknowledged, and restarts for the rest when there was progress. */
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
			ifr_timer_start(ch, L2CAP_TIMER_RETRANS);
	}
}

/* Poll the peer: SendRRorRNR(P=1), RetryCount = 1, Stop-RetransTimer, Start-MonitorTimer; the
 * transmitter goes to WAIT_F. */
static void poll_peer(struct l2k_chan *ch)
{
	struct l2cap_ifr *f = ifr_of(ch);
	ertm_send_rr_or_rnr(ch, 1, 0);
	f->retry_count = 1;
	ifr_timer_stop(ch, L2CAP_TIMER_RETRANS);
	ifr_timer_start(ch, L2CAP_TIMER_MONITOR);
	f->tx_state = TX_WAIT_F;
}

/* The F-bit answered our poll: Stop-MonitorTimer; Start-RetransTimer when I-frames are still
 * unacknowledged (and the peer is not busy); back to XMIT. */
static void final_received(struct l2k_chan *ch)
{
	struct l2cap_ifr *f = ifr_of(ch);
	ifr_timer_stop(ch, L2CAP_TIMER_MONITOR);
	f->tx_state = TX_XMIT;
	if (f->unacked && !f->remote_busy)
		ifr_timer_start(ch, L2CAP_TIMER_RETRANS);
}

/* Local-Busy-Detected: LocalBusy = TRUE; an RNR tells the peer to stop (8.6.1.3). */
static void local_busy_detected(struct l2k_chan *ch)
{
	ifr_of(ch)->local_busy = true;
	ertm_send_rr_or_rnr(ch, 0, 0);
}

/* Local-Busy-Clear: LocalBusy = FALSE and the receiver passes up what it kept meanwhile (l2kit
 * keeps in-sequence frames while busy); if RNRsent, the peer learns it with a poll: RR (P=1),
 * RetryCount = 1, Start-MonitorTimer, WAIT_F (from XMIT and WAIT_F alike); else SendAck. */
static void local_busy_clear(struct l2k_chan *ch)
{
	struct l2cap_ifr *f = ifr_of(ch);
	f->local_busy = false;
	ertm_rx_resume(ch);
	if (!ertm_open_ok(ch) || f->local_busy)
		return; /* closed (a bad SDU), or busy again while passing up */
	if (f->rnr_sent) {
		f->rnr_sent = false;
		poll_peer(ch);
	} else {
		ertm_send_ack(ch, false);
	}
	ertm_send_pending(ch);
}

/* ---- XMIT ----------------------------------------------------------------------------------- */

static void tx_state_xmit(struct l2k_chan *ch, enum ertm_tx_event ev, const struct l2cap_ctrl *c)
{
	struct l2cap_ifr *f = ifr_of(ch);
	switch (ev) {
	case ERTM_TX_DATA_REQUEST:
		/* Send-Data while RemoteBusy = FALSE and the window has room, else Pend-Data */
		ertm_send_pending(ch);
		break;
	case ERTM_TX_LOCAL_BUSY_DETECTED:
		local_busy_detected(ch);
		break;
	case ERTM_TX_LOCAL_BUSY_CLEAR:
		local_busy_clear(ch); /* RNRsent: poll -> WAIT_F */
		break;
	case ERTM_TX_RECV_REQSEQ_AND_FBIT:
		/* Process-ReqSeq (the F-bit means nothing in XMIT) */
		process_reqseq(ch, c->reqseq);
		break;
	case ERTM_TX_RECV_FBIT:
		break;
	case ERTM_TX_RETRANS_TIMER_EXPIRES:
		/* SendRRorRNR(P=1), RetryCount = 1, Start-MonitorTimer -> WAIT_F */
		if (f->unacked)
			poll_peer(ch);
		break;
	case ERTM_TX_MONITOR_TIMER_EXPIRES:
		break; /* runs in WAIT_F only */
	}
}

/* ---- WAIT_F --------------------------------------------------------------------------------- */

static void tx_state_wait_f(struct l2k_chan *ch, enum ertm_tx_event ev, const struct l2cap_ctrl *c)
{
	struct l2cap_ifr *f = ifr_of(ch);
	switch (ev) {
	case ERTM_TX_DATA_REQUEST:
		/* Pend-Data: no new I-frame until the F-bit; S-frames and the retransmissions asked
		 * for still go */
		ertm_send_pending(ch);
		break;
	case ERTM_TX_LOCAL_BUSY_DETECTED:
		local_busy_detected(ch);
		break;
	case ERTM_TX_LOCAL_BUSY_CLEAR:
		local_busy_clear(ch); /* RNRsent: poll again, RetryCount = 1 */
		break;
	case ERTM_TX_RECV_REQSEQ_AND_FBIT:
		/* Process-ReqSeq; F=1: Stop-MonitorTimer, Start-RetransTimer if UnackedFrames > 0 ->
		 * XMIT; F=0: stay */
		process_reqseq(ch, c->reqseq);
		if (c->f)
			final_received(ch);
		break;
	case ERTM_TX_RECV_FBIT:
		/* F=1: as above without the acknowledgement -> XMIT */
		if (c->f)
			final_received(ch);
		break;
	case ERTM_TX_RETRANS_TIMER_EXPIRES:
		break; /* runs in XMIT only */
	case ERTM_TX_MONITOR_TIMER_EXPIRES:
		/* RetryCount = MaxTransmit (MaxTransmit != 0): close the channel;
		 * else SendRRorRNR(P=1), RetryCount + 1, Start-MonitorTimer */
		if (f->max_transmit && f->retry_count >= f->max_transmit) {
			ifr_fail(ch, L2K_CLOSE_MAX_TRANSMIT);
			break;
		}
		ertm_send_rr_or_rnr(ch, 1, 0);
		f->retry_count++;
		ifr_timer_start(ch, L2CAP_TIMER_MONITOR);
		break;
	}
}

void ertm_tx(struct l2k_chan *ch, enum ertm_tx_event ev, const struct l2cap_ctrl *c)
{
	if (ifr_of(ch)->tx_state == TX_XMIT)
		tx_state_xmit(ch, ev, c);
	else
		tx_state_wait_f(ch, ev, c);
}
