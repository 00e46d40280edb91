/* Enhanced Retransmission mode, the receiver: the RECV, REJ_SENT and SREJ_SENT state tables of
 * Vol 3 Part A 8.6.5, the conditions their rows test (With-Expected-TxSeq ..., With-Valid-ReqSeq)
 * and the receiver's actions (SendSREJ, Send-SREJ-List, SendAck, passing SDUs up in order).
 * Every row hands the frame's ReqSeq and F-bit to the transmitter first (PassToTx).
 *
 * Choices l2kit makes where the specification leaves room:
 *  - a gap of up to ERTM_SREJ_MAX_GAP missing I-frames is asked for frame by frame with SREJ
 *    (the frames after the gap are kept): SREJ_SENT; a longer gap with one REJ (go back N):
 *    REJ_SENT;
 *  - acknowledgements ride on I-frames when there are any; otherwise an RR goes out as soon as
 *    a quarter of the window (at most IFR_ACK_MAX_FRAMES) is unacknowledged, or after ack_ms
 *    (a quarter of the link's retransmission time-out, at most IFR_ACK_TIMEOUT_MS);
 *  - the receiver's supervision (l2kit's timer, rx_supervise): an SREJ unanswered for an
 *    estimated round trip is sent again, an RR followed by no I-frame is said once more, so
 *    that neither waits for the peer's retransmission time-out and poll;
 *  - copies still to come (ghost): a frame asked for again before the earlier request was
 *    known to be lost may come twice; the next frames with its TxSeq are taken as those copies,
 *    never as the next turn's frame (with 63 of 64 sequence numbers in use a late copy would
 *    pass for one);
 *  - local busy (the application stopped reading): RNR; in-sequence I-frames that still arrive
 *    are kept (the window bounds them) instead of being discarded, and passed up with an RR
 *    (P=1) when the application reads again, so the peer need not retransmit them. */
#include "core/mode_ertm.h"

#define ERTM_SREJ_MAX_GAP 3

/* The TxSeq conditions of the receiver's tables. */
enum txseq_class {
	TXSEQ_EXPECTED,	       /* With-Expected-TxSeq */
	TXSEQ_EXPECTED_SREJ,   /* With-Expected-TxSeq-Srej: the head of SrejList */
	TXSEQ_UNEXPECTED,      /* With-Unexpected-TxSeq: frames are missing before it */
	TXSEQ_UNEXPECTED_SREJ, /* With-Unexpected-TxSeq-Srej: in SrejList, not its head */
	TXSEQ_DUPLICATE,       /* With-Duplicate-TxSeq */
	TXSEQ_DUPLICATE_SREJ,  /* With-Duplicate-TxSeq-Srej: kept already */
	TXSEQ_INVALID,	       /* With-Invalid-TxSeq: the peer broke our window */
	TXSEQ_INVALID_IGNORE,  /* With-Invalid-TxSeq where it can only be an old duplicate */
};

/* ---- SrejList ------------------------------------------------------------------------------- */

static uint32_t now32(struct l2k_chan *ch)
{
	l2cap_sync_now(ch->eng);
	return (uint32_t)ch->eng->now;
}

static struct ifr_srej *srej_at(const struct l2cap_ifr *f, uint16_t i)
{
	return &f->srej[(f->srej_head + i) % f->rx_alloc];
}

static int srej_find(const struct l2cap_ifr *f, uint16_t seq)
{
	for (uint16_t i = 0; i < f->srej_n; i++)
		if (srej_at(f, i)->seq == seq)
			return i;
	return -1;
}

/* Append e, asked for now. */
static void srej_push(struct l2k_chan *ch, struct ifr_srej e)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (f->srej_n >= f->rx_alloc)
		return;
	e.at = now32(ch);
	f->srej[(f->srej_head + f->srej_n++) % f->rx_alloc] = e;
}

/* PopSrejList */
static struct ifr_srej srej_pop(struct l2cap_ifr *f)
{
	struct ifr_srej e = f->srej[f->srej_head];
	f->srej_head = (uint16_t)((f->srej_head + 1) % f->rx_alloc);
	f->srej_n--;
	return e;
}

static void send_srej(struct l2k_chan *ch, uint16_t seq, uint8_t fb)
{
	struct l2cap_ctrl c = {.type = L2CAP_FRAME_S, .sfunc = L2CAP_S_SREJ, .reqseq = seq, .f = fb};
	ifr_send_s(ch, &c);
}

static uint8_t inc8(uint8_t v)
{
	return v < UINT8_MAX ? (uint8_t)(v + 1) : v;
}

/* Ask again for the head of SrejList: SREJ, and it moves to the tail (asked for now).  lost:
 * the frames say the earlier requests went unanswered (the link keeps the peer's order: a
 * frame asked for later came first); otherwise the last one may still be answered and one
 * more copy may come. */
static void srej_again(struct l2k_chan *ch, bool lost)
{
	struct l2cap_ifr *f = ifr_of(ch);
	struct ifr_srej e = srej_pop(f);
	send_srej(ch, e.seq, 0);
	e.tries = inc8(e.tries);
	e.maybe = lost ? 0 : inc8(e.maybe);
	srej_push(ch, e);
}

/* The receiver's supervision timer (l2kit's, like the acknowledgement timer): in SREJ_SENT due
 * when the oldest request of SrejList has waited srej_rto; otherwise, after an RR that
 * acknowledged frames, due srej_rto later unless an I-frame came meanwhile (the RR may have
 * been lost while the peer waits for it with a full window). */
static void rx_supervise(struct l2k_chan *ch)
{
	struct l2cap_ifr *f = ifr_of(ch);
	uint32_t since;
	if (!ertm_open_ok(ch)) {
		ifr_timer_stop(ch, L2CAP_TIMER_SUPERVISE);
		return;
	}
	if (f->srej_n) {
		since = srej_at(f, 0)->at;
	} else if (f->ack_unconfirmed) {
		since = f->ack_sent_at;
	} else {
		ifr_timer_stop(ch, L2CAP_TIMER_SUPERVISE);
		return;
	}
	uint32_t waited = now32(ch) - since;
	uint32_t left = waited >= f->srej_rto ? 0 : f->srej_rto - waited;
	l2cap_arm(ch, &ch->mode_timers[L2CAP_TIMER_SUPERVISE], left);
}

/* The frame asked for by e arrived: a sample of the time SREJs take to be answered (only from
 * requests sent once: the answer to a repeated one cannot be told from the first's). */
static void srej_answered(struct l2k_chan *ch, const struct ifr_srej *e)
{
	struct l2cap_ifr *f = ifr_of(ch);
	/* the copies its other requests may still bring */
	f->ghost[e->seq] = e->maybe;
	if (e->tries != 1)
		return;
	uint32_t rtt = now32(ch) - e->at;
	if (!f->srej_rtt_known) {
		f->srej_srtt8 = rtt * 8;
		f->srej_var4 = rtt * 2;
		f->srej_rtt_known = true;
	} else {
		/* RFC 6298 2.3: RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|, SRTT = 7/8 SRTT + 1/8 R */
		int32_t err = (int32_t)rtt - (int32_t)(f->srej_srtt8 / 8);
		f->srej_var4 = f->srej_var4 - f->srej_var4 / 4 + (uint32_t)(err < 0 ? -err : err);
		f->srej_srtt8 = f->srej_srtt8 - f->srej_srtt8 / 8 + rtt;
	}
	/* RTO = SRTT + 4 RTTVAR (2.3), here at least IFR_SREJ_MIN_MS and at most the ceiling */
	uint32_t rto = f->srej_srtt8 / 8 + f->srej_var4;
	if (rto < IFR_SREJ_MIN_MS)
		rto = IFR_SREJ_MIN_MS;
	f->srej_rto = rto < f->srej_rto_max ? rto : f->srej_rto_max;
}

/* SendSREJ: one SREJ for each frame missing before txseq, each appended to SrejList. */
static void srej_gap(struct l2k_chan *ch, uint16_t txseq)
{
	struct l2cap_ifr *f = ifr_of(ch);
	for (uint16_t s = f->expected_tx_seq; s != txseq; s = seq_add(f, s, 1)) {
		send_srej(ch, s, 0);
		srej_push(ch, (struct ifr_srej){.seq = s, .tries = 1});
		/* txseq came after s of this turn, which the peer sent after every copy of the
		 * last turn's s: none of those is still to come */
		f->ghost[s] = 0;
	}
	f->expected_tx_seq = seq_add(f, txseq, 1);
}

/* Send-SREJ-List: a frame asked for arrived out of order, so the SREJs before it in the list
 * were lost, or the frames they asked for were (the peer answers SREJs in order): ask again
 * for them (they move to the tail) and forget txseq.  That proof holds when txseq was asked
 * for once since it was last known lost; otherwise the copy may answer an older request. */
static void srej_resend_before(struct l2k_chan *ch, uint16_t txseq)
{
	struct l2cap_ifr *f = ifr_of(ch);
	int i = srej_find(f, txseq);
	bool proven = i >= 0 && !srej_at(f, (uint16_t)i)->maybe;
	for (uint16_t n = f->srej_n; n && f->srej_n; n--) {
		if (srej_at(f, 0)->seq == txseq) {
			struct ifr_srej e = srej_pop(f);
			srej_answered(ch, &e);
			break;
		}
		srej_again(ch, proven);
	}
}

/* The supervision timer expired (l2kit's rows for the timer it adds):
 *  - SREJ_SENT: the oldest requests waited srej_rto, so they were lost or the frames they asked
 *    for were: Send-SREJ-List for every request that old, and wait twice as long for the next
 *    answer (RFC 6298 5.5);
 *  - an RR that acknowledged frames was followed by no I-frame: it may have been lost while the
 *    peer waits for it, so SendRRorRNR once more (nothing else is sent until an I-frame comes;
 *    an acknowledgement said twice is harmless). */
void ertm_supervise_timer(struct l2k_chan *ch)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (f->srej_n) {
		uint32_t now = now32(ch);
		for (uint16_t n = f->srej_n; n && now - srej_at(f, 0)->at >= f->srej_rto; n--)
			srej_again(ch, false);
		f->srej_rto = f->srej_rto * 2 < f->srej_rto_max ? f->srej_rto * 2 : f->srej_rto_max;
	} else if (f->ack_unconfirmed) {
		f->ack_unconfirmed = false;
		if (!f->local_busy)
			ertm_send_rr_or_rnr(ch, 0, 0);
	}
	rx_supervise(ch);
}

/* ---- conditions ----------------------------------------------------------------------------- */

static enum txseq_class classify(struct l2k_chan *ch, uint16_t txseq)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (f->rx_state == RX_SREJ_SENT) {
		int i = srej_find(f, txseq);
		if (i == 0)
			return TXSEQ_EXPECTED_SREJ;
		if (i > 0)
			return TXSEQ_UNEXPECTED_SREJ;
		if (seq_off(f, txseq, f->buffer_seq) < seq_off(f, f->expected_tx_seq, f->buffer_seq))
			return TXSEQ_DUPLICATE_SREJ; /* kept already */
	}
	uint16_t d = seq_off(f, txseq, f->last_acked_seq);
	if (d < seq_off(f, f->expected_tx_seq, f->last_acked_seq))
		return TXSEQ_DUPLICATE;
	if (d >= f->rx_win) {
		/* outside the window: when the window is at most half the sequence space this can
		 * only be an old duplicate (ignored); otherwise the peer broke the window */
		return f->rx_win <= f->mod / 2 ? TXSEQ_INVALID_IGNORE : TXSEQ_INVALID;
	}
	return txseq == f->expected_tx_seq ? TXSEQ_EXPECTED : TXSEQ_UNEXPECTED;
}

/* ---- receiving I-frames --------------------------------------------------------------------- */

/* The application stopped reading during a delivery: Local-Busy-Detected. */
static void note_hold(struct l2k_chan *ch)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (ch->rx_hold && !f->local_busy && ertm_open_ok(ch))
		ertm_tx(ch, ERTM_TX_LOCAL_BUSY_DETECTED, NULL);
}

void ertm_rx_resume(struct l2k_chan *ch)
{
	struct l2cap_ifr *f = ifr_of(ch);
	while (ertm_open_ok(ch) && !f->local_busy && f->buffer_seq != f->expected_tx_seq) {
		struct ifr_slot *s = ifr_rx_slot(f, f->buffer_seq);
		if (!s->present)
			break;
		s->present = false;
		f->buffer_seq = seq_add(f, f->buffer_seq, 1);
		f->buffer_ctr++;
		if (ifr_reassemble(ch, s->sar, s->sdu_len, s->data, s->len) < 0) {
			ifr_fail(ch, L2K_CLOSE_PROTOCOL); /* SAR or MTU violation */
			return;
		}
		note_hold(ch);
	}
}

/* With-Expected-TxSeq: ExpectedTxSeq + 1; the frame is passed up (Data-Indication), or kept while
 * LocalBusy or while frames before it still wait to be passed up. */
static void accept_expected(struct l2k_chan *ch, const struct ifr_frame *fr)
{
	struct l2cap_ifr *f = ifr_of(ch);
	f->expected_tx_seq = seq_add(f, f->expected_tx_seq, 1);
	if (f->local_busy || seq_off(f, f->expected_tx_seq, f->buffer_seq) != 1) {
		ifr_rx_store(f, fr);
		ertm_rx_resume(ch);
		return;
	}
	f->buffer_seq = f->expected_tx_seq;
	f->buffer_ctr++;
	if (ifr_reassemble(ch, fr->c.sar, fr->sdu_len, fr->payload, fr->len) < 0) {
		ifr_fail(ch, L2K_CLOSE_PROTOCOL);
		return;
	}
	note_hold(ch);
}

/* PassToTx: the frame's ReqSeq and F-bit to the transmitter (Recv ReqSeqAndFbit). */
static void pass_to_tx(struct l2k_chan *ch, const struct l2cap_ctrl *c)
{
	ertm_tx(ch, ERTM_TX_RECV_REQSEQ_AND_FBIT, c);
}

/* F=1 on a received I-frame or RR, the answer to our poll: the peer has what it acknowledged and
 * nothing after it, so go back to ExpectedAckSeq (Retransmit-I-frames) unless a REJ was acted
 * on while we waited (RejActioned: it is cleared instead). */
static void final_retransmit(struct l2k_chan *ch)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (f->rej_actioned)
		f->rej_actioned = false;
	else
		ertm_retransmit_all(ch, f->expected_ack_seq);
}

/* What every Recv I-frame row does first: PassToTx, and with F=1 Retransmit-I-frames
 * (final_retransmit) at once, before the frame's SDU is passed up: the application may send
 * from its receive callback, and the frames that waited for the F-bit (Pend-Data in WAIT_F)
 * would then go out first and be counted among those to send again. */
static void pass_to_tx_iframe(struct l2k_chan *ch, const struct l2cap_ctrl *c)
{
	pass_to_tx(ch, c);
	if (c->f && ertm_open_ok(ch))
		final_retransmit(ch);
}

/* What every Recv I-frame row does after its own actions: SendAck (an I-frame of ours carries
 * it if there is one to send), and what may be sent. */
static void iframe_done(struct l2k_chan *ch, const struct l2cap_ctrl *c)
{
	(void)c;
	if (!ertm_open_ok(ch))
		return;
	ertm_send_ack(ch, false);
	ertm_send_pending(ch);
}

/* ---- receiving S-frames: the rows the three tables share ------------------------------------ */

/* Recv RR: RemoteBusy = FALSE, PassToTx; F=1: final_retransmit; P=0 after RemoteBusy: Start-
 * RetransTimer (XMIT) for the unacknowledged frames.  true when it is a poll (P=1), which each
 * state answers its own way. */
static bool recv_rr(struct l2k_chan *ch, const struct l2cap_ctrl *c)
{
	struct l2cap_ifr *f = ifr_of(ch);
	bool was_busy = f->remote_busy;
	f->remote_busy = false;
	pass_to_tx(ch, c);
	if (c->f) {
		final_retransmit(ch);
		return false;
	}
	if (c->p)
		return true;
	if (was_busy && f->unacked && f->tx_state == TX_XMIT && !ifr_timer_running(ch, L2CAP_TIMER_RETRANS))
		ifr_timer_start(ch, L2CAP_TIMER_RETRANS);
	return false;
}

/* Recv RNR: RemoteBusy = TRUE, PassToTx, Stop-RetransTimer (nothing is retransmitted while the
 * peer is busy); P=1: SendRRorRNR(F=1). */
static void recv_rnr(struct l2k_chan *ch, const struct l2cap_ctrl *c)
{
	ifr_of(ch)->remote_busy = true;
	pass_to_tx(ch, c);
	ifr_timer_stop(ch, L2CAP_TIMER_RETRANS);
	if (c->p)
		ertm_send_rr_or_rnr(ch, 0, 1);
}

/* Recv REJ (8.6.1.2): RemoteBusy = FALSE, PassToTx, then Retransmit-I-frames from ReqSeq:
 * F=0: at once, and RejActioned = TRUE in WAIT_F (the F-bit then brings no second copy);
 * F=1: unless RejActioned (then RejActioned = FALSE). */
static void recv_rej(struct l2k_chan *ch, const struct l2cap_ctrl *c)
{
	struct l2cap_ifr *f = ifr_of(ch);
	f->remote_busy = false;
	pass_to_tx(ch, c);
	if (c->f) {
		if (f->rej_actioned)
			f->rej_actioned = false;
		else
			ertm_retransmit_all(ch, c->reqseq);
	} else {
		ertm_retransmit_all(ch, c->reqseq);
		if (f->tx_state == TX_WAIT_F)
			f->rej_actioned = true;
	}
	ertm_send_pending(ch);
}

/* Recv SREJ (8.6.1.4): Retransmit-Requested-I-frame ReqSeq.  Its ReqSeq names the frame asked
 * for: one never sent (= NextTxSeq) is With-Invalid-ReqSeq (close); one acknowledged already
 * is ignored.  RemoteBusy = FALSE;
 *   P=1: PassToTx (the frames before it are acknowledged), the retransmission carries F=1,
 *        SrejActioned in WAIT_F;
 *   F=1: PassToTxFbit, retransmit unless SrejActioned for this ReqSeq (then cleared);
 *   else: PassToTxFbit, retransmit, SrejActioned in WAIT_F. */
static void recv_srej(struct l2k_chan *ch, const struct l2cap_ctrl *c)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (!ifr_unacked(f, c->reqseq)) {
		if (c->reqseq == f->next_tx_seq)
			ifr_fail(ch, L2K_CLOSE_PROTOCOL);
		return;
	}
	f->remote_busy = false;
	if (c->p) {
		struct l2cap_ctrl a = *c;
		a.f = 0;
		pass_to_tx(ch, &a);
		f->send_f = true;
		ertm_retransmit_one(ch, c->reqseq);
		if (f->tx_state == TX_WAIT_F) {
			f->srej_actioned = true;
			f->srej_save_reqseq = c->reqseq;
		}
	} else {
		ertm_tx(ch, ERTM_TX_RECV_FBIT, c);
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
	ertm_send_pending(ch);
}

/* The S-frames, alike in every receive state (SREJ_SENT answers a poll in its own way and leaves
 * the others here): RR (a poll answered with SendIorRRorRNR(F=1)), REJ, RNR, SREJ. */
static void rx_sframe(struct l2k_chan *ch, enum ertm_rx_event ev, const struct l2cap_ctrl *c)
{
	switch (ev) {
	case ERTM_RX_RECV_RR:
		if (recv_rr(ch, c))
			ertm_send_i_or_rr_or_rnr(ch); /* P=1: SendIorRRorRNR(F=1) */
		ertm_send_pending(ch);
		break;
	case ERTM_RX_RECV_REJ: recv_rej(ch, c); break;
	case ERTM_RX_RECV_RNR: recv_rnr(ch, c); break;
	case ERTM_RX_RECV_SREJ: recv_srej(ch, c); break;
	case ERTM_RX_RECV_IFRAME: break; /* each state's own */
	}
}

/* ---- RECV ----------------------------------------------------------------------------------- */

static void rx_state_recv(struct l2k_chan *ch, enum ertm_rx_event ev, const struct ifr_frame *fr,
			  enum txseq_class cls)
{
	struct l2cap_ifr *f = ifr_of(ch);
	const struct l2cap_ctrl *c = &fr->c;
	switch (ev) {
	case ERTM_RX_RECV_IFRAME:
		pass_to_tx_iframe(ch, c);
		if (cls == TXSEQ_EXPECTED) {
			accept_expected(ch, fr); /* With-Expected-TxSeq */
		} else if (cls == TXSEQ_UNEXPECTED && !f->local_busy) {
			/* With-Unexpected-TxSeq, LocalBusy = FALSE: frames are missing */
			if (seq_off(f, c->txseq, f->expected_tx_seq) <= ERTM_SREJ_MAX_GAP) {
				/* keep it, SendSREJ for each missing one -> SREJ_SENT */
				ifr_rx_store(f, fr);
				srej_gap(ch, c->txseq);
				f->rx_state = RX_SREJ_SENT;
				rx_supervise(ch);
			} else {
				/* SendREJ (ReqSeq = ExpectedTxSeq), the frame is discarded -> REJ_SENT */
				struct l2cap_ctrl rej = {.type = L2CAP_FRAME_S, .sfunc = L2CAP_S_REJ,
							 .reqseq = f->expected_tx_seq};
				ifr_send_s(ch, &rej);
				f->rx_state = RX_REJ_SENT;
			}
		}
		/* With-Unexpected-TxSeq while LocalBusy, With-Duplicate-TxSeq: discarded */
		iframe_done(ch, c);
		break;
	default:
		rx_sframe(ch, ev, c);
		break;
	}
}

/* ---- REJ_SENT ------------------------------------------------------------------------------- */

static void rx_state_rej_sent(struct l2k_chan *ch, enum ertm_rx_event ev, const struct ifr_frame *fr,
			      enum txseq_class cls)
{
	struct l2cap_ifr *f = ifr_of(ch);
	const struct l2cap_ctrl *c = &fr->c;
	switch (ev) {
	case ERTM_RX_RECV_IFRAME:
		pass_to_tx_iframe(ch, c);
		if (cls == TXSEQ_EXPECTED) {
			/* With-Expected-TxSeq: the REJ exception is cleared -> RECV */
			f->rx_state = RX_RECV;
			accept_expected(ch, fr);
		}
		/* With-Unexpected-TxSeq (the REJ asked for it already), With-Duplicate-TxSeq:
		 * discarded */
		iframe_done(ch, c);
		break;
	default:
		rx_sframe(ch, ev, c);
		break;
	}
}

/* ---- SREJ_SENT ------------------------------------------------------------------------------ */

static void rx_state_srej_sent(struct l2k_chan *ch, enum ertm_rx_event ev, const struct ifr_frame *fr,
			       enum txseq_class cls)
{
	struct l2cap_ifr *f = ifr_of(ch);
	const struct l2cap_ctrl *c = &fr->c;
	switch (ev) {
	case ERTM_RX_RECV_IFRAME:
		pass_to_tx_iframe(ch, c);
		switch (cls) {
		case TXSEQ_EXPECTED:
			/* kept until the frames asked for arrive; ExpectedTxSeq + 1 */
			ifr_rx_store(f, fr);
			f->expected_tx_seq = seq_add(f, f->expected_tx_seq, 1);
			break;
		case TXSEQ_EXPECTED_SREJ: {
			/* PopSrejList, keep it, pass up what is now in sequence */
			struct ifr_srej e = srej_pop(f);
			srej_answered(ch, &e);
			ifr_rx_store(f, fr);
			ertm_rx_resume(ch);
			break;
		}
		case TXSEQ_UNEXPECTED:
			/* a new gap: keep it, SendSREJ for the frames missing before it */
			ifr_rx_store(f, fr);
			srej_gap(ch, c->txseq);
			break;
		case TXSEQ_UNEXPECTED_SREJ:
			/* the SREJs before it in SrejList were lost: keep it, Send-SREJ-List */
			ifr_rx_store(f, fr);
			srej_resend_before(ch, c->txseq);
			ertm_rx_resume(ch);
			break;
		default:
			break; /* With-Duplicate-TxSeq(-Srej): discarded */
		}
		/* SrejList empty: -> RECV */
		if (ertm_open_ok(ch) && !f->srej_n)
			f->rx_state = RX_RECV;
		rx_supervise(ch);
		iframe_done(ch, c);
		break;
	case ERTM_RX_RECV_RR:
		if (recv_rr(ch, c)) {
			/* P=1: the SREJ at the tail of SrejList again, with F=1 */
			if (f->srej_n) {
				struct ifr_srej *t = srej_at(f, (uint16_t)(f->srej_n - 1));
				send_srej(ch, t->seq, 1);
				/* asked for now (it stays the newest request); no second copy can come:
				 * what the peer sent before its poll came first, and an SREJ it had
				 * not seen then is answered once (SrejActioned) */
				t->at = now32(ch);
				t->tries = inc8(t->tries);
				rx_supervise(ch);
			} else
				ertm_send_i_or_rr_or_rnr(ch);
		}
		ertm_send_pending(ch);
		break;
	default:
		rx_sframe(ch, ev, c);
		break;
	}
}

void ertm_rx(struct l2k_chan *ch, const struct ifr_frame *fr)
{
	struct l2cap_ifr *f = ifr_of(ch);
	const struct l2cap_ctrl *c = &fr->c;
	enum ertm_rx_event ev = ERTM_RX_RECV_IFRAME;
	enum txseq_class cls = TXSEQ_EXPECTED;
	if (c->type == L2CAP_FRAME_I) {
		f->ack_unconfirmed = false; /* the peer sends: it is not waiting for our RR */
		cls = classify(ch, c->txseq);
		if (f->ghost[c->txseq]) {
			/* a copy of a frame we asked for more than once: a duplicate, whatever the
			 * window says (with 63 of 64 sequence numbers in use an old copy looks new) */
			f->ghost[c->txseq]--;
			cls = TXSEQ_DUPLICATE;
		}
		if (cls == TXSEQ_INVALID) {
			ifr_fail(ch, L2K_CLOSE_PROTOCOL); /* With-Invalid-TxSeq: close */
			return;
		}
		if (cls == TXSEQ_INVALID_IGNORE)
			return;
	} else {
		static const enum ertm_rx_event sev[4] = {
		    [L2CAP_S_RR] = ERTM_RX_RECV_RR, [L2CAP_S_REJ] = ERTM_RX_RECV_REJ,
		    [L2CAP_S_RNR] = ERTM_RX_RECV_RNR, [L2CAP_S_SREJ] = ERTM_RX_RECV_SREJ};
		ev = sev[c->sfunc & 3];
	}
	/* With-Invalid-ReqSeq: close, in every state (an SREJ's ReqSeq is checked by its row) */
	if (ev != ERTM_RX_RECV_SREJ && !ertm_reqseq_valid(ch, c->reqseq)) {
		ifr_fail(ch, L2K_CLOSE_PROTOCOL);
		return;
	}
	switch (f->rx_state) {
	case RX_RECV:
		rx_state_recv(ch, ev, fr, cls);
		break;
	case RX_REJ_SENT:
		rx_state_rej_sent(ch, ev, fr, cls);
		break;
	case RX_SREJ_SENT:
		rx_state_srej_sent(ch, ev, fr, cls);
		break;
	}
}

void ertm_send_ack(struct l2k_chan *ch, bool now)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (f->local_busy || !ertm_open_ok(ch))
		return;
	uint16_t n = seq_off(f, f->buffer_seq, f->last_acked_seq);
	if (!n) {
		ifr_timer_stop(ch, L2CAP_TIMER_ACK);
		return;
	}
	if (!now && n < f->ack_thresh) {
		if (!ifr_timer_running(ch, L2CAP_TIMER_ACK))
			ifr_timer_start(ch, L2CAP_TIMER_ACK);
		return;
	}
	ertm_send_pending(ch); /* an I-frame carries the acknowledgement if there is one to send */
	if (ertm_open_ok(ch) && seq_off(f, f->buffer_seq, f->last_acked_seq)) {
		ertm_send_rr_or_rnr(ch, 0, 0);
		/* supervised: sent again if no I-frame follows (rx_supervise) */
		f->ack_unconfirmed = true;
		f->ack_sent_at = now32(ch);
		rx_supervise(ch);
	}
	ifr_timer_stop(ch, L2CAP_TIMER_ACK);
}
