/* Enhanced Retransmission mode: the mode's ops, which turn what happens to the channel into the
 * events of the state tables (mode_ertm.h): a received PDU, once decoded and checked (3.3.6,
 * 3.3.7), into a Recv event of the receiver (mode_ertm_rx.c); an expired retransmission or
 * monitor timer, the application's reading and queued SDUs into events of the transmitter
 * (mode_ertm_tx.c). */
#include "core/mode_ertm.h"

void ertm_sync_busy(struct l2k_chan *ch)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (ch->rx_hold != f->local_busy)
		ertm_tx(ch, ch->rx_hold ? ERTM_TX_LOCAL_BUSY_DETECTED : ERTM_TX_LOCAL_BUSY_CLEAR, NULL);
}

static int ertm_open(struct l2k_chan *ch)
{
	return ifr_open(ch, true, true);
}

/* SDUs were queued, or the link has room again: Data-Request */
static void ertm_pump(struct l2k_chan *ch)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (f && f->running && ertm_open_ok(ch))
		ertm_tx(ch, ERTM_TX_DATA_REQUEST, NULL);
}

static void ertm_recv(struct l2k_chan *ch, const uint8_t *p, size_t len)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (!f || !f->running)
		return;
	struct ifr_frame fr;
	int r = ifr_parse(ch, p, len, &fr);
	if (r == L2K_EIO)
		return; /* bad FCS: dropped; recovery finds the gap (3.3.5) */
	if (r < 0) {
		ifr_fail(ch, L2K_CLOSE_PROTOCOL); /* invalid frame: close (3.3.7) */
		return;
	}
	ertm_sync_busy(ch);
	if (ertm_open_ok(ch))
		ertm_rx(ch, &fr);
}

static void ertm_timer(struct l2k_chan *ch, enum l2cap_mode_timer which)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (!f || !f->running)
		return;
	switch (which) {
	case L2CAP_TIMER_RETRANS:
		ertm_tx(ch, ERTM_TX_RETRANS_TIMER_EXPIRES, NULL);
		break;
	case L2CAP_TIMER_MONITOR:
		ertm_tx(ch, ERTM_TX_MONITOR_TIMER_EXPIRES, NULL);
		break;
	case L2CAP_TIMER_ACK:
		ertm_send_ack(ch, true); /* a received I-frame waited long enough: SendAck now */
		break;
	case L2CAP_TIMER_SUPERVISE:
		ertm_supervise_timer(ch);
		break;
	default:
		break;
	}
}

/* The application read (or stopped reading): Local-Busy-Clear / -Detected */
static void ertm_consumed(struct l2k_chan *ch)
{
	struct l2cap_ifr *f = ifr_of(ch);
	if (f && f->running && ertm_open_ok(ch))
		ertm_sync_busy(ch);
}

const struct l2cap_mode_ops l2cap_mode_ertm = {
    .name = "ertm",
    .open = ertm_open,
    .pump = ertm_pump,
    .rx = ertm_recv,
    .timer = ertm_timer,
    .consumed = ertm_consumed,
    .close = ifr_close,
    .tx_idle = l2cap_ifr_tx_idle,
};
