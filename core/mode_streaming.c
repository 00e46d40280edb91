/* Streaming mode (Vol 3 Part A 8.7 (Core 5.x numbering: "Streaming mode"), frames 3.3):
 * I-frames with TxSeq, no acknowledgement (ReqSeq 0, ignored), no retransmission, no S-frames.
 *
 * Receiver: a frame with a bad FCS is dropped (3.3.5); a malformed one is dropped too (3.3.7:
 * Streaming does not close the channel).  A jump in TxSeq means frames were lost: a partially
 * reassembled SDU is discarded and the rest of an SDU whose start was lost is skipped, so only
 * intact SDUs are passed up.  A start or unsegmented frame always begins a new SDU: one that
 * arrives while another is being reassembled (no gap: its sender broke it off) ends that one,
 * lost, and is taken itself.  rx_sdus_dropped counts the SDUs lost: exact when every SDU fits one
 * I-frame; when SDUs are segmented it counts one per damaged SDU it saw a piece of, plus one per
 * missing frame between SDUs. */
#include "core/mode_ifr.h"

static bool open_ok(struct l2k_chan *ch)
{
	return ch->state == CH_OPEN && ch->ops == &l2cap_mode_streaming;
}

static int stm_open(struct l2k_chan *ch)
{
	/* one staging slot for the segment being sent (the link may be full) */
	return ifr_open(ch, true, false);
}

static void stm_pump(struct l2k_chan *ch)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (!f || !f->running || !open_ok(ch) || f->in_pump)
		return;
	f->in_pump = true;
	while (f->staged || ch->txq.count) {
		struct ifr_slot *s = &f->tx[0];
		if (!f->staged) {
			ifr_segment(ch, s);
			f->staged = true;
			if (!open_ok(ch))
				break;
		}
		if (ifr_send_i(ch, s, f->next_tx_seq, 0, 0) == L2K_EAGAIN)
			break; /* the link calls pump again when it has room */
		f->staged = false;
		f->next_tx_seq = seq_add(f, f->next_tx_seq, 1);
	}
	f->in_pump = false;
}

/* Frames were lost before this one (with SAR sar): forget the damaged SDU(s). */
static void lost_frames(struct l2k_chan *ch, uint16_t n, uint8_t sar)
{
	struct l2cap_ifr *f = ifr_of(ch);
	bool mid = sar == L2CAP_SAR_CONTINUE || sar == L2CAP_SAR_END;
	if (ifr_drop_partial(ch))
		ch->st.rx_dropped++; /* the SDU we were reassembling */
	else if (!f->rx_discarding && !mid)
		ch->st.rx_dropped += n; /* whole SDUs between boundaries */
	if (mid && !f->rx_discarding)
		ch->st.rx_dropped++; /* this frame belongs to an SDU whose start is gone */
	f->rx_discarding = mid;
}

static void stm_rx(struct l2k_chan *ch, const uint8_t *p, size_t len)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (!f || !f->running)
		return;
	struct ifr_frame fr;
	if (ifr_parse(ch, p, len, &fr) < 0)
		return; /* damaged or malformed: dropped; the TxSeq gap tells the loss */
	if (fr.c.type == L2CAP_FRAME_S)
		return; /* not used in Streaming mode: ignored */
	uint16_t gap = seq_off(f, fr.c.txseq, f->expected_tx_seq);
	if (gap)
		lost_frames(ch, gap, fr.c.sar);
	f->expected_tx_seq = seq_add(f, fr.c.txseq, 1);
	if (f->rx_discarding) {
		if (fr.c.sar == L2CAP_SAR_END)
			f->rx_discarding = false;
		if (fr.c.sar == L2CAP_SAR_CONTINUE || fr.c.sar == L2CAP_SAR_END)
			return;
		f->rx_discarding = false;
	}
	if (f->app_busy) {
		/* the application said it cannot take more (l2k_chan_set_busy): Streaming has no flow
		 * control, the SDU is lost.  (The socket face's hold is not this: it queues up to its
		 * bound and drops only what does not fit.) */
		if (ifr_drop_partial(ch))
			ch->st.rx_dropped++;
		if (fr.c.sar == L2CAP_SAR_UNSEGMENTED || fr.c.sar == L2CAP_SAR_START)
			ch->st.rx_dropped++;
		f->rx_discarding = fr.c.sar == L2CAP_SAR_START || fr.c.sar == L2CAP_SAR_CONTINUE;
		return;
	}
	bool begins = fr.c.sar == L2CAP_SAR_UNSEGMENTED || fr.c.sar == L2CAP_SAR_START;
	if (begins && ifr_drop_partial(ch)) {
		/* a new SDU where the one being reassembled should have gone on (its sender never
		 * finished it): that one is lost, this one begins afresh (3.3.2) */
		ch->st.rx_dropped++;
	}
	int r = ifr_reassemble(ch, fr.c.sar, fr.sdu_len, fr.payload, fr.len);
	if (r < 0) {
		/* SAR out of order or an SDU over our MTU: drop it whole */
		ch->st.rx_dropped++;
		ifr_drop_partial(ch);
		f->rx_discarding = fr.c.sar == L2CAP_SAR_START || fr.c.sar == L2CAP_SAR_CONTINUE;
	}
}

/* l2k_chan_set_busy() calls this right after setting rx_hold; the socket face only when it
 * clears its hold. */
static void stm_consumed(struct l2k_chan *ch)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (f && f->running)
		f->app_busy = ch->rx_hold;
}

const struct l2cap_mode_ops l2cap_mode_streaming = {
    .name = "streaming",
    .open = stm_open,
    .pump = stm_pump,
    .rx = stm_rx,
    .consumed = stm_consumed,
    .close = ifr_close,
    .tx_idle = l2cap_ifr_tx_idle,
};
