/* Enhanced Retransmission mode, receiving side (Vol 3 Part A 8.6.5.5 RECV, 8.6.5.6 REJ_SENT,
 * 8.6.5.7 SREJ_SENT, conditions of 8.6.5.9) and the mode's ops.
 *
 * Choices l2kit makes where the specification leaves room:
 *  - a gap of up to ERTM_SREJ_MAX_GAP missing I-frames is asked for frame by frame with SREJ
 *    (the frames after the gap are kept); a longer gap with one REJ (go back N);
 *  - acknowledgements ride on I-frames when there are any; otherwise an RR goes out as soon as
 *    a quarter of the window is unacknowledged, or after IFR_ACK_TIMEOUT_MS;
 *  - local busy (the application stopped reading): RNR; in-sequence I-frames that still arrive
 *    are kept (the window bounds them) instead of being discarded, and passed up with an RR
 *    (P=1) when the application reads again, so the peer need not retransmit them. */
#include <string.h>

#include "core/mode_ertm.h"

#define ERTM_SREJ_MAX_GAP 3

enum txseq_class {
	TXSEQ_EXPECTED,
	TXSEQ_EXPECTED_SREJ,
	TXSEQ_UNEXPECTED,
	TXSEQ_UNEXPECTED_SREJ,
	TXSEQ_DUPLICATE,
	TXSEQ_DUPLICATE_SREJ,
	TXSEQ_INVALID,
	TXSEQ_INVALID_IGNORE,
};

static bool open_ok(struct l2k_chan *ch)
{
	return ch->state == CH_OPEN && ch->ops == &l2cap_mode_ertm;
}

/* ---- SrejList ------------------------------------------------------------------------------- */

static int srej_find(const struct l2cap_ifr *f, uint16_t seq)
{
	for (uint16_t i = 0; i < f->srej_n; i++)
		if (f->srej[(f->srej_head + i) % f->rx_alloc] == seq)
			return i;
	return -1;
}

static void srej_push(struct l2cap_ifr *f, uint16_t seq)
{
	if (f->srej_n < f->rx_alloc)
		f->srej[(f->srej_head + f->srej_n++) % f->rx_alloc] = seq;
}

static uint16_t srej_pop(struct l2cap_ifr *f)
{
	uint16_t s = f->srej[f->srej_head];
	f->srej_head = (uint16_t)((f->srej_head + 1) % f->rx_alloc);
	f->srej_n--;
	return s;
}

static void send_srej(struct l2k_chan *ch, uint16_t seq, uint8_t fb)
{
	struct l2cap_ctrl c = {.type = L2CAP_FRAME_S, .sfunc = L2CAP_S_SREJ, .reqseq = seq, .f = fb};
	ifr_send_s(ch, &c);
}

/* SendSREJ: one SREJ for each frame missing before txseq (8.6.5.8). */
static void srej_gap(struct l2k_chan *ch, uint16_t txseq)
{
	struct l2cap_ifr *f = ifr_of(ch);
	for (uint16_t s = f->expected_tx_seq; s != txseq; s = seq_add(f, s, 1)) {
		send_srej(ch, s, 0);
		srej_push(f, s);
	}
	f->expected_tx_seq = seq_add(f, txseq, 1);
}

/* Send-SREJ-List: a frame asked for arrived out of order, so the SREJs before it in the list
 * were lost: ask again for them (they move to the tail) and forget txseq. */
static void srej_resend_before(struct l2k_chan *ch, uint16_t txseq)
{
	struct l2cap_ifr *f = ifr_of(ch);
	for (uint16_t n = f->srej_n; n && f->srej_n; n--) {
		uint16_t s = srej_pop(f);
		if (s == txseq)
			break;
		send_srej(ch, s, 0);
		srej_push(f, s);
	}
}

/* ---- receiving I-frames --------------------------------------------------------------------- */

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
		 * only be an old duplicate (ignored); otherwise the peer broke the window (8.6.5.9) */
		return f->rx_win <= f->mod / 2 ? TXSEQ_INVALID_IGNORE : TXSEQ_INVALID;
	}
	return txseq == f->expected_tx_seq ? TXSEQ_EXPECTED : TXSEQ_UNEXPECTED;
}

static void store(struct l2k_chan *ch, const struct ifr_frame *fr)
{
	struct l2cap_ifr *f = ifr_of(ch);
	struct ifr_slot *s = ifr_rx_slot(f, fr->c.txseq);
	memcpy(s->data, fr->payload, fr->len);
	s->len = fr->len;
	s->sar = fr->c.sar;
	s->sdu_len = fr->sdu_len;
	s->present = true;
}

static void note_hold(struct l2k_chan *ch)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (ch->rx_hold && !f->local_busy && open_ok(ch))
		ertm_local_busy(ch, true);
}

void ertm_rx_resume(struct l2k_chan *ch)
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
			ertm_fail(ch, L2K_CLOSE_PROTOCOL); /* SAR or MTU violation */
			return;
		}
		note_hold(ch);
	}
}

/* An I-frame with the expected TxSeq: passed up at once, or kept while busy. */
static void accept_expected(struct l2k_chan *ch, const struct ifr_frame *fr)
{
	struct l2cap_ifr *f = ifr_of(ch);
	f->expected_tx_seq = seq_add(f, f->expected_tx_seq, 1);
	if (f->local_busy || seq_off(f, f->expected_tx_seq, f->buffer_seq) != 1) {
		store(ch, fr);
		ertm_rx_resume(ch);
		return;
	}
	f->buffer_seq = f->expected_tx_seq;
	f->buffer_ctr++;
	if (ifr_reassemble(ch, fr->c.sar, fr->sdu_len, fr->payload, fr->len) < 0) {
		ertm_fail(ch, L2K_CLOSE_PROTOCOL);
		return;
	}
	note_hold(ch);
}

static void rx_iframe(struct l2k_chan *ch, const struct ifr_frame *fr)
{
	struct l2cap_ifr *f = ifr_of(ch);
	const struct l2cap_ctrl *c = &fr->c;
	enum txseq_class cls = classify(ch, c->txseq);
	if (cls == TXSEQ_INVALID) {
		ertm_fail(ch, L2K_CLOSE_PROTOCOL);
		return;
	}
	if (cls == TXSEQ_INVALID_IGNORE)
		return;
	if (!ertm_pass_reqseq_fbit(ch, c->reqseq, c->f))
		return;
	if (f->rx_state != RX_SREJ_SENT) {
		if (cls == TXSEQ_EXPECTED) {
			f->rx_state = RX_RECV; /* clears the REJ exception condition */
			accept_expected(ch, fr);
		} else if (cls == TXSEQ_UNEXPECTED && f->rx_state == RX_RECV && !f->local_busy) {
			uint16_t gap = seq_off(f, c->txseq, f->expected_tx_seq);
			if (gap <= ERTM_SREJ_MAX_GAP) {
				store(ch, fr);
				srej_gap(ch, c->txseq);
				f->rx_state = RX_SREJ_SENT;
			} else {
				struct l2cap_ctrl rej = {.type = L2CAP_FRAME_S, .sfunc = L2CAP_S_REJ,
							 .reqseq = f->expected_tx_seq};
				ifr_send_s(ch, &rej);
				f->rx_state = RX_REJ_SENT;
			}
		}
		/* duplicates, and out-of-sequence frames in REJ_SENT or while busy: discarded */
	} else {
		switch (cls) {
		case TXSEQ_EXPECTED:
			store(ch, fr);
			f->expected_tx_seq = seq_add(f, f->expected_tx_seq, 1);
			break;
		case TXSEQ_EXPECTED_SREJ:
			srej_pop(f);
			store(ch, fr);
			ertm_rx_resume(ch);
			break;
		case TXSEQ_UNEXPECTED:
			store(ch, fr);
			srej_gap(ch, c->txseq);
			break;
		case TXSEQ_UNEXPECTED_SREJ:
			store(ch, fr);
			srej_resend_before(ch, c->txseq);
			ertm_rx_resume(ch);
			break;
		default:
			break;
		}
		if (open_ok(ch) && !f->srej_n)
			f->rx_state = RX_RECV;
	}
	if (!open_ok(ch))
		return;
	if (c->f) {
		/* the F-bit answers our poll: go back to what the peer has not got (8.6.5.5) */
		if (f->rej_actioned)
			f->rej_actioned = false;
		else
			ertm_retransmit_all(ch, f->expected_ack_seq);
	}
	ertm_send_ack(ch, false);
	ertm_pump(ch);
}

/* ---- receiving S-frames --------------------------------------------------------------------- */

static void rx_sframe(struct l2k_chan *ch, const struct l2cap_ctrl *c)
{
	struct l2cap_ifr *f = ifr_of(ch);
	switch (c->sfunc) {
	case L2CAP_S_RR: {
		bool was_busy = f->remote_busy;
		if (!ertm_reqseq_valid(ch, c->reqseq)) {
			ertm_fail(ch, L2K_CLOSE_PROTOCOL);
			return;
		}
		f->remote_busy = false;
		ertm_pass_reqseq_fbit(ch, c->reqseq, c->f);
		if (c->f) {
			if (f->rej_actioned)
				f->rej_actioned = false;
			else
				ertm_retransmit_all(ch, f->expected_ack_seq);
		} else if (c->p) {
			if (f->rx_state == RX_SREJ_SENT && f->srej_n)
				send_srej(ch, f->srej[(f->srej_head + f->srej_n - 1) % f->rx_alloc], 1);
			else
				ertm_send_i_or_rr_or_rnr(ch);
		} else if (was_busy && f->unacked && f->tx_state == TX_XMIT &&
			   !ifr_timer_running(ch, L2CAP_TIMER_RETRANS)) {
			ifr_timer_start(ch, L2CAP_TIMER_RETRANS);
		}
		ertm_pump(ch);
		break;
	}
	case L2CAP_S_RNR:
		f->remote_busy = true;
		if (!ertm_pass_reqseq_fbit(ch, c->reqseq, c->f))
			return;
		/* nothing is retransmitted while the peer is busy */
		ifr_timer_stop(ch, L2CAP_TIMER_RETRANS);
		if (c->p)
			ertm_send_rr_or_rnr(ch, 0, 1);
		break;
	case L2CAP_S_REJ:
		ertm_handle_rej(ch, c);
		break;
	case L2CAP_S_SREJ:
		ertm_handle_srej(ch, c);
		break;
	}
}

void ertm_send_ack(struct l2k_chan *ch, bool now)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (f->local_busy || !open_ok(ch))
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
	ertm_pump(ch); /* an I-frame carries the acknowledgement if there is one to send */
	if (open_ok(ch) && seq_off(f, f->buffer_seq, f->last_acked_seq))
		ertm_send_rr_or_rnr(ch, 0, 0);
	ifr_timer_stop(ch, L2CAP_TIMER_ACK);
}

/* ---- ops ------------------------------------------------------------------------------------ */

static int ertm_open(struct l2k_chan *ch)
{
	return ifr_open(ch, true, true);
}

static void ertm_rx(struct l2k_chan *ch, const uint8_t *p, size_t len)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (!f || !f->running)
		return;
	struct ifr_frame fr;
	int r = ifr_parse(ch, p, len, &fr);
	if (r == L2K_EIO)
		return; /* bad FCS: dropped; recovery finds the gap (3.3.5) */
	if (r < 0) {
		ertm_fail(ch, L2K_CLOSE_PROTOCOL); /* invalid frame: close (3.3.7) */
		return;
	}
	if (ch->rx_hold != f->local_busy)
		ertm_local_busy(ch, ch->rx_hold);
	if (!open_ok(ch))
		return;
	if (fr.c.type == L2CAP_FRAME_S)
		rx_sframe(ch, &fr.c);
	else
		rx_iframe(ch, &fr);
}

static void ertm_timer(struct l2k_chan *ch, enum l2cap_mode_timer which)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (!f || !f->running)
		return;
	if (which == L2CAP_TIMER_ACK)
		ertm_send_ack(ch, true);
	else
		ertm_timer_expired(ch, which);
}

static void ertm_consumed(struct l2k_chan *ch)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (f && f->running && open_ok(ch) && ch->rx_hold != f->local_busy)
		ertm_local_busy(ch, ch->rx_hold);
}

const struct l2cap_mode_ops l2cap_mode_ertm = {
    .name = "ertm",
    .open = ertm_open,
    .pump = ertm_pump,
    .rx = ertm_rx,
    .timer = ertm_timer,
    .consumed = ertm_consumed,
    .close = ifr_close,
    .tx_idle = l2cap_ifr_tx_idle,
};
