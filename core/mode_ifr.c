/* Frame machinery shared by Enhanced Retransmission, Streaming, Retransmission and Flow Control
 * modes (Vol 3 Part A 3.3): parameters and buffers at open, I-frame and S-frame building with
 * the FCS (3.3.5), decoding and checking of received frames (3.3.6, 3.3.7), segmentation and
 * reassembly (SAR, 3.3.2 Table 3.4), and the mode timers. */
#include <stdlib.h>
#include <string.h>

#include "core/l2cap_crc16.h"
#include "core/mode_ifr.h"

struct l2cap_ifr *l2cap_ifr_get(struct l2k_chan *ch)
{
	if (!ch->mode_state)
		ch->mode_state = calloc(1, sizeof(struct l2cap_ifr));
	return ch->mode_state;
}

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static bool uses_enhanced(enum l2k_mode m)
{
	return m == L2K_MODE_ERTM || m == L2K_MODE_STREAMING;
}

int ifr_open(struct l2k_chan *ch, bool keep_tx, bool rx_buffer)
{
	struct l2cap_ifr *f0 = l2cap_ifr_get(ch);
	if (!f0)
		return L2K_ENOMEM;
	struct l2cap_ifr_neg neg = f0->neg;
	/* configuration guarantees both MPS values (l2cap_confneg.c); never segment below them */
	if (ch->remote_mps < L2CAP_MIN_MPS_IFR || ch->local_mps < L2CAP_MIN_MPS_IFR)
		return L2K_EINVAL;
	/* FCS (5.5): omitted only when both sides asked for none; the legacy modes always have it */
	if (ch->mode == L2K_MODE_RETRANS || ch->mode == L2K_MODE_FLOWCTL)
		ch->fcs = true;
	else
		ch->fcs = !(neg.local_fcs_none && neg.peer_fcs_none);
	bool ext = uses_enhanced(ch->mode) && (neg.local_ews || neg.peer_ews);
	uint16_t mod = ext ? L2CAP_SEQ_MOD_EXT : L2CAP_SEQ_MOD_STD;
	/* the peer's receive window bounds what we keep outstanding (5.4, 5.7) */
	uint32_t txw = neg.peer_ews ? neg.peer_ews_val : neg.peer.tx_window;
	if (!txw || ch->mode == L2K_MODE_STREAMING)
		txw = 1; /* Streaming keeps nothing: one slot stages the frame being sent */
	if (txw > (uint32_t)mod - 1)
		txw = mod - 1u;
	/* ... and so does the memory the application allowed for queued data */
	uint32_t mps_tx = ch->remote_mps ? ch->remote_mps : 1;
	uint32_t budget = ch->opts.tx_queue_bytes > 4 * mps_tx ? ch->opts.tx_queue_bytes : 4 * mps_tx;
	if (txw > budget / mps_tx)
		txw = budget / mps_tx;
	uint32_t rxw = ifr_local_window(ch);
	uint16_t tx_alloc = keep_tx ? (uint16_t)txw : 0;
	uint16_t rx_alloc = rx_buffer ? (uint16_t)rxw : 0;

	size_t o_tx = align8(sizeof(struct l2cap_ifr));
	size_t o_rx = o_tx + align8((size_t)tx_alloc * sizeof(struct ifr_slot));
	size_t o_retx = o_rx + align8((size_t)rx_alloc * sizeof(struct ifr_slot));
	size_t o_srej = o_retx + align8((size_t)tx_alloc * sizeof(uint16_t));
	size_t o_ghost = o_srej + align8((size_t)rx_alloc * sizeof(struct ifr_srej));
	size_t n_ghost = ch->mode == L2K_MODE_ERTM ? mod : 0;
	size_t o_txd = o_ghost + align8(n_ghost);
	size_t o_rxd = o_txd + align8((size_t)tx_alloc * mps_tx);
	size_t total = o_rxd + (size_t)rx_alloc * ch->local_mps;
	/* the bookkeeping is cleared; the frame buffers are written before they are read, so a
	 * large window costs address space, not touched pages */
	uint8_t *blk = malloc(total);
	if (!blk)
		return L2K_ENOMEM;
	memset(blk, 0, o_txd);
	ch->rx_sdu = malloc(ch->local_mtu ? ch->local_mtu : 1);
	if (!ch->rx_sdu) {
		free(blk);
		return L2K_ENOMEM;
	}
	free(ch->mode_state);
	ch->mode_state = blk;
	struct l2cap_ifr *f = (struct l2cap_ifr *)blk;
	f->neg = neg;
	f->running = true;
	f->fmt = !uses_enhanced(ch->mode) ? L2CAP_CTRL_STANDARD : ext ? L2CAP_CTRL_EXTENDED : L2CAP_CTRL_ENHANCED;
	f->mod = mod;
	f->tx_win = (uint16_t)txw;
	f->rx_win = (uint16_t)rxw;
	f->tx_alloc = tx_alloc;
	f->rx_alloc = rx_alloc;
	f->tx = (struct ifr_slot *)(blk + o_tx);
	f->rx = (struct ifr_slot *)(blk + o_rx);
	f->retx = (uint16_t *)(blk + o_retx);
	f->srej = (struct ifr_srej *)(blk + o_srej);
	f->ghost = n_ghost ? blk + o_ghost : NULL;
	for (uint16_t i = 0; i < tx_alloc; i++)
		f->tx[i].data = blk + o_txd + (size_t)i * mps_tx;
	for (uint16_t i = 0; i < rx_alloc; i++)
		f->rx[i].data = blk + o_rxd + (size_t)i * ch->local_mps;
	/* acknowledge after a quarter of the smaller of our window and the one the peer said it
	 * will use (the TxWindow of its response, 5.4), and after IFR_ACK_MAX_FRAMES at most (a
	 * peer may keep fewer frames outstanding than a large extended window allows): the
	 * sender never waits for a full window */
	uint32_t ackw = rxw;
	if (neg.rsp_rfc && neg.rsp.tx_window && neg.rsp.tx_window < ackw && !neg.local_ews)
		ackw = neg.rsp.tx_window;
	ackw /= 4;
	if (ackw > IFR_ACK_MAX_FRAMES)
		ackw = IFR_ACK_MAX_FRAMES;
	f->ack_thresh = (uint16_t)(ackw ? ackw : 1);
	f->max_transmit = ch->opts.max_transmit == L2K_MAX_TRANSMIT_UNLIMITED ? 0 : ch->opts.max_transmit;
	/* Timeouts our transmitter uses: ERTM takes them from the response to our request (5.4:
	 * the receiving side chooses them); the legacy modes from the peer's request. */
	const struct l2cap_conf_rfc *src = ch->mode == L2K_MODE_ERTM ? (neg.rsp_rfc ? &neg.rsp : NULL)
								     : (neg.peer_rfc ? &neg.peer : NULL);
	f->retrans_ms = src && src->retrans_timeout ? src->retrans_timeout : L2CAP_DEFAULT_RETX_TIMEOUT;
	f->monitor_ms = src && src->monitor_timeout ? src->monitor_timeout : L2CAP_DEFAULT_MONITOR_TIMEOUT;
	/* What the link's time-outs are for the peer's transmitter (what we gave it or would):
	 * an acknowledgement waits a quarter of that at most (the peer would poll otherwise),
	 * and SREJ supervision starts from half of it and learns the real round trip from the
	 * answers */
	uint16_t lr, lm;
	ifr_link_timeouts(ch, 0, &lr, &lm);
	f->ack_ms = lr / 4 < IFR_ACK_TIMEOUT_MS ? lr / 4u : IFR_ACK_TIMEOUT_MS;
	f->srej_rto_max = lr / 2;
	f->srej_rto = lr / 2;
	f->tx_state = TX_XMIT;
	f->rx_state = RX_RECV;
	return 0;
}

void ifr_link_timeouts(const struct l2k_chan *ch, uint8_t max_transmit, uint16_t *retrans, uint16_t *monitor)
{
	*retrans = L2CAP_DEFAULT_RETX_TIMEOUT;
	*monitor = L2CAP_DEFAULT_MONITOR_TIMEOUT;
	if (!ch->link || !ch->link->rtt_known)
		return;
	/* what the link takes to answer, with room for the data queued ahead of an answer */
	uint64_t t = (uint64_t)ch->link->rtt_ms * IFR_RTT_FACTOR + IFR_RTT_MARGIN_MS;
	if (t < IFR_MIN_TIMEOUT_MS)
		t = IFR_MIN_TIMEOUT_MS;
	if (t > L2CAP_DEFAULT_RETX_TIMEOUT)
		t = L2CAP_DEFAULT_RETX_TIMEOUT;
	uint64_t r = t, m = t;
	if (ch->mode == L2K_MODE_ERTM) {
		/* MaxTransmit counts polls, one monitor time-out apart */
		if (max_transmit && m * max_transmit < IFR_PATIENCE_MS)
			m = (IFR_PATIENCE_MS + max_transmit - 1u) / max_transmit;
		if (m > L2CAP_DEFAULT_MONITOR_TIMEOUT)
			m = L2CAP_DEFAULT_MONITOR_TIMEOUT;
	} else {
		/* the legacy modes: it counts transmissions of a frame, one retransmission time-out
		 * apart; the monitor time-out only spaces the RRs of an idle channel */
		if (max_transmit && r * max_transmit < IFR_PATIENCE_MS)
			r = (IFR_PATIENCE_MS + max_transmit - 1u) / max_transmit;
		if (r > L2CAP_DEFAULT_RETX_TIMEOUT)
			r = L2CAP_DEFAULT_RETX_TIMEOUT;
		m = L2CAP_DEFAULT_MONITOR_TIMEOUT;
	}
	*retrans = (uint16_t)r;
	*monitor = (uint16_t)m;
}

uint16_t ifr_local_window(const struct l2k_chan *ch)
{
	const struct l2cap_ifr *f = ch->mode_state;
	uint32_t w = ch->opts.tx_window ? ch->opts.tx_window : L2CAP_TX_WINDOW_MAX_ERTM;
	if (ch->mode == L2K_MODE_RETRANS || ch->mode == L2K_MODE_FLOWCTL) {
		if (w > L2CAP_TX_WINDOW_MAX_LEGACY)
			w = L2CAP_TX_WINDOW_MAX_LEGACY;
	} else if (f && (f->neg.local_ews || f->neg.peer_ews) && ch->mode == L2K_MODE_ERTM) {
		if (w > L2CAP_EXT_WINDOW_MAX)
			w = L2CAP_EXT_WINDOW_MAX;
	} else if (w > L2CAP_TX_WINDOW_MAX_ERTM) {
		w = L2CAP_TX_WINDOW_MAX_ERTM;
	}
	return (uint16_t)w;
}

uint16_t ifr_fit_mps(const struct l2k_chan *ch, bool ext)
{
	uint32_t acl = 0;
	if (hci_host_is_ready(ch->eng->hci))
		acl = hci_host_info(ch->eng->hci)->acl_mtu;
	/* one I-frame per ACL packet: header 4, control 2|4, SDU Length 2, FCS 2 (3.3) */
	uint32_t over = 8u + (ext ? 4u : 2u);
	uint32_t m = acl > over + L2CAP_MIN_MPS_IFR ? acl - over : L2CAP_MIN_MPS_IFR;
	if (ch->opts.mps)
		m = ch->opts.mps;
	if (m > ch->local_mtu)
		m = ch->local_mtu;
	if (m < L2CAP_MIN_MPS_IFR)
		m = L2CAP_MIN_MPS_IFR;
	if (m > L2CAP_MAX_MPS_IFR)
		m = L2CAP_MAX_MPS_IFR;
	return (uint16_t)m;
}

struct ifr_slot *ifr_tx_slot(struct l2cap_ifr *f, uint16_t seq)
{
	return &f->tx[(f->ack_ctr + seq_off(f, seq, f->expected_ack_seq)) % f->tx_alloc];
}

struct ifr_slot *ifr_rx_slot(struct l2cap_ifr *f, uint16_t seq)
{
	return &f->rx[(f->buffer_ctr + seq_off(f, seq, f->buffer_seq)) % f->rx_alloc];
}

void ifr_rx_store(struct l2cap_ifr *f, const struct ifr_frame *fr)
{
	struct ifr_slot *s = ifr_rx_slot(f, fr->c.txseq);
	memcpy(s->data, fr->payload, fr->len);
	s->len = fr->len;
	s->sar = fr->c.sar;
	s->sdu_len = fr->sdu_len;
	s->present = true;
}

/* ---- receiving ------------------------------------------------------------------------------ */

int ifr_parse(struct l2k_chan *ch, const uint8_t *p, size_t len, struct ifr_frame *out)
{
	struct l2cap_ifr *f = ifr_of(ch);
	size_t clen = l2cap_ctrl_len(f->fmt);
	size_t fcs = ch->fcs ? L2CAP_FCS_LEN : 0;
	if (len < clen + fcs)
		return L2K_EBADMSG;
	if (fcs) {
		/* the FCS covers the basic header too (3.3.5): rebuild it as it was on the air */
		uint8_t hdr[4];
		put_le16(hdr, (uint16_t)len);
		put_le16(hdr + 2, ch->lcid);
		uint16_t c = l2cap_crc16_update(l2cap_crc16_start(), hdr, 4);
		c = l2cap_crc16_update(c, p, len - fcs);
		if (l2cap_crc16_finish(c) != get_le16(p + len - fcs)) {
			ch->st.bad_fcs++;
			return L2K_EIO;
		}
	}
	memset(out, 0, sizeof(*out));
	l2cap_ctrl_unpack(f->fmt, p, clen, &out->c);
	size_t off = clen, end = len - fcs;
	if (out->c.type == L2CAP_FRAME_S)
		return end == off ? 0 : L2K_EBADMSG; /* an S-frame has no payload (3.3.7) */
	if (out->c.sar == L2CAP_SAR_START) {
		if (end - off < L2CAP_SDU_LEN_LEN)
			return L2K_EBADMSG;
		out->sdu_len = get_le16(p + off);
		off += L2CAP_SDU_LEN_LEN;
	}
	/* the information payload must not exceed the MPS we configured (3.3.7) */
	if (end - off > ch->local_mps)
		return L2K_EBADMSG;
	out->payload = p + off;
	out->len = (uint16_t)(end - off);
	return 0;
}

bool ifr_drop_partial(struct l2k_chan *ch)
{
	bool had = ch->rx_in_sdu;
	ch->rx_in_sdu = false;
	ch->rx_sdu_len = 0;
	ch->rx_sdu_total = 0;
	return had;
}

int ifr_reassemble(struct l2k_chan *ch, uint8_t sar, uint16_t sdu_len, const uint8_t *p, size_t n)
{
	switch (sar) {
	case L2CAP_SAR_UNSEGMENTED:
		if (ch->rx_in_sdu) {
			ifr_drop_partial(ch);
			return L2K_EBADMSG;
		}
		if (n > ch->local_mtu)
			return L2K_EMSGSIZE;
		l2cap_chan_deliver(ch, p, n);
		return 0;
	case L2CAP_SAR_START:
		if (ch->rx_in_sdu) {
			ifr_drop_partial(ch);
			return L2K_EBADMSG;
		}
		if (sdu_len > ch->local_mtu)
			return L2K_EMSGSIZE;
		if (n >= sdu_len)
			return L2K_EBADMSG; /* a start that already holds the whole SDU */
		memcpy(ch->rx_sdu, p, n);
		ch->rx_sdu_len = n;
		ch->rx_sdu_total = sdu_len;
		ch->rx_in_sdu = true;
		return 0;
	case L2CAP_SAR_CONTINUE:
	case L2CAP_SAR_END:
		if (!ch->rx_in_sdu)
			return L2K_EBADMSG;
		if (sar == L2CAP_SAR_CONTINUE ? ch->rx_sdu_len + n >= ch->rx_sdu_total
					      : ch->rx_sdu_len + n != ch->rx_sdu_total) {
			ifr_drop_partial(ch);
			return L2K_EBADMSG;
		}
		memcpy(ch->rx_sdu + ch->rx_sdu_len, p, n);
		ch->rx_sdu_len += n;
		if (sar == L2CAP_SAR_END) {
			ch->rx_in_sdu = false;
			l2cap_chan_deliver(ch, ch->rx_sdu, ch->rx_sdu_total);
		}
		return 0;
	}
	return L2K_EBADMSG;
}

/* ---- sending -------------------------------------------------------------------------------- */

static int send_frame(struct l2k_chan *ch, const uint8_t *head, size_t hlen, const uint8_t *pl,
		      size_t plen)
{
	uint8_t fcs[2];
	const uint8_t *parts[3];
	size_t lens[3];
	int n = 0;
	parts[n] = head;
	lens[n++] = hlen;
	if (plen) {
		parts[n] = pl;
		lens[n++] = plen;
	}
	if (ch->fcs) {
		/* the FCS is worth computing only for a frame the link takes now */
		int r = l2cap_chan_send_check(ch, hlen + plen + 2);
		if (r < 0)
			return r;
		uint8_t hdr[4];
		put_le16(hdr, (uint16_t)(hlen + plen + 2));
		put_le16(hdr + 2, ch->rcid);
		uint16_t c = l2cap_crc16_update(l2cap_crc16_start(), hdr, 4);
		c = l2cap_crc16_update(c, head, hlen);
		c = l2cap_crc16_update(c, pl, plen);
		put_le16(fcs, l2cap_crc16_finish(c));
		parts[n] = fcs;
		lens[n++] = 2;
	}
	return l2cap_chan_send_pdu(ch, parts, lens, n);
}

static int send_s_now(struct l2k_chan *ch, const struct l2cap_ctrl *c)
{
	struct l2cap_ifr *f = ifr_of(ch);
	uint8_t head[4];
	int n = l2cap_ctrl_pack(f->fmt, c, head, sizeof(head));
	if (n < 0)
		return n;
	int r = send_frame(ch, head, (size_t)n, NULL, 0);
	if (r == 0 && c->sfunc != L2CAP_S_SREJ)
		f->last_acked_seq = c->reqseq; /* RR, RNR and REJ acknowledge up to ReqSeq */
	return r;
}

int ifr_send_s(struct l2k_chan *ch, const struct l2cap_ctrl *c)
{
	struct l2cap_ifr *f = ifr_of(ch);
	int r = f->sq_n ? L2K_EAGAIN : send_s_now(ch, c);
	if (r == L2K_EAGAIN) {
		if (f->sq_n < IFR_SQ_MAX)
			f->sq[f->sq_n++] = *c;
		/* else: dropped like a frame lost on the air; the poll/timer procedures recover */
	}
	return r;
}

bool ifr_flush_sq(struct l2k_chan *ch)
{
	struct l2cap_ifr *f = ifr_of(ch);
	while (f->sq_n) {
		struct l2cap_ctrl c = f->sq[0];
		if (c.sfunc == L2CAP_S_RR || c.sfunc == L2CAP_S_RNR) {
			/* an acknowledgement goes out with what is true now */
			c.reqseq = f->buffer_seq;
			if (ch->mode == L2K_MODE_ERTM)
				c.sfunc = f->local_busy ? L2CAP_S_RNR : L2CAP_S_RR;
		}
		if (send_s_now(ch, &c) == L2K_EAGAIN)
			return false;
		memmove(f->sq, f->sq + 1, (size_t)(f->sq_n - 1) * sizeof(f->sq[0]));
		f->sq_n--;
	}
	return true;
}

int ifr_send_i(struct l2k_chan *ch, const struct ifr_slot *s, uint16_t txseq, uint16_t reqseq,
	       uint8_t fbit)
{
	struct l2cap_ifr *f = ifr_of(ch);
	struct l2cap_ctrl c = {.type = L2CAP_FRAME_I, .sar = s->sar, .txseq = txseq, .reqseq = reqseq};
	if (f->fmt == L2CAP_CTRL_STANDARD)
		c.r = fbit;
	else
		c.f = fbit;
	uint8_t head[6];
	int n = l2cap_ctrl_pack(f->fmt, &c, head, sizeof(head));
	if (n < 0)
		return n;
	if (s->sar == L2CAP_SAR_START) {
		put_le16(head + n, s->sdu_len);
		n += 2;
	}
	int r = send_frame(ch, head, (size_t)n, s->data, s->len);
	if (r == 0)
		f->last_acked_seq = reqseq;
	return r;
}

bool ifr_segment(struct l2k_chan *ch, struct ifr_slot *s)
{
	if (!ch->txq.count)
		return false;
	size_t total = ring_head_len(&ch->txq);
	size_t room = ch->remote_mps;
	size_t n;
	if (ch->tx_off == 0 && total <= room) {
		s->sar = L2CAP_SAR_UNSEGMENTED;
		n = total;
	} else if (ch->tx_off == 0) {
		/* the Start frame's SDU Length counts against the MPS (conservative, 3.3.2) */
		s->sar = L2CAP_SAR_START;
		s->sdu_len = (uint16_t)total;
		n = room - L2CAP_SDU_LEN_LEN;
	} else if (total - ch->tx_off <= room) {
		s->sar = L2CAP_SAR_END;
		n = total - ch->tx_off;
	} else {
		s->sar = L2CAP_SAR_CONTINUE;
		n = room;
	}
	if (n)
		ring_head_read(&ch->txq, ch->tx_off, s->data, n);
	s->len = (uint16_t)n;
	s->retries = 0;
	ch->tx_off += n;
	if (ch->tx_off >= total) {
		ch->tx_off = 0;
		ring_pop(&ch->txq);
		l2cap_chan_tx_room(ch);
	}
	return true;
}

bool l2cap_ifr_tx_idle(const struct l2k_chan *ch)
{
	const struct l2cap_ifr *f = ch->mode_state;
	if (!f || !f->running)
		return true;
	if (ch->mode != L2K_MODE_ERTM && ch->mode != L2K_MODE_STREAMING && ch->mode != L2K_MODE_RETRANS &&
	    ch->mode != L2K_MODE_FLOWCTL)
		return true;
	if (f->staged || f->sq_n)
		return false;
	return ch->mode == L2K_MODE_STREAMING || (!f->unacked && !f->retx_n);
}

/* ---- timers --------------------------------------------------------------------------------- */

void ifr_timer_start(struct l2k_chan *ch, enum l2cap_mode_timer which)
{
	const struct l2cap_ifr *f = ifr_of(ch);
	uint32_t ms = which == L2CAP_TIMER_RETRANS ? f->retrans_ms
		      : which == L2CAP_TIMER_MONITOR ? f->monitor_ms
		      : which == L2CAP_TIMER_SUPERVISE ? f->srej_rto
						     : f->ack_ms;
	l2cap_arm(ch, &ch->mode_timers[which], ms);
}

void ifr_close(struct l2k_chan *ch)
{
	for (int i = 0; i < L2CAP_MODE_TIMERS; i++)
		ifr_timer_stop(ch, (enum l2cap_mode_timer)i);
}

void ifr_fail(struct l2k_chan *ch, enum l2k_close_reason why)
{
	ifr_close(ch);
	l2cap_chan_disconnect(ch, why);
}
