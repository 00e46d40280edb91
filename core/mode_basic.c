/* Basic mode (Vol 3 Part A 3.1): one B-frame per SDU, MTU enforced both ways.  No flow control
 * of its own: a receiver that holds (ch->rx_hold) holds its whole link at the HCI host, with
 * controller-to-host flow control (l2cap_link_rx_hold_update). */
#include "core/l2cap_int.h"

static void basic_pump(struct l2k_chan *ch)
{
	while (ch->state == CH_OPEN && ch->txq.count) {
		size_t n = ring_head_len(&ch->txq);
		const uint8_t *p1, *p2;
		size_t n1, n2;
		int k = ring_head_peek(&ch->txq, 0, n, &p1, &n1, &p2, &n2);
		const uint8_t *parts[2] = {p1, p2};
		size_t lens[2] = {n1, n2};
		int r = l2cap_chan_send_pdu(ch, parts, lens, n ? k : 0);
		if (r == L2K_EAGAIN)
			return; /* the link is full or others wait: our turn comes */
		ring_pop(&ch->txq);
		l2cap_chan_tx_room(ch);
	}
}

static void basic_rx(struct l2k_chan *ch, const uint8_t *p, size_t len)
{
	if (len > ch->local_mtu) {
		/* larger than we said we can receive: discard (5.1) */
		ch->st.rx_dropped++;
		return;
	}
	l2cap_chan_deliver(ch, p, len);
	/* the application's queue filled with this SDU: no more until it reads */
	if (ch->rx_hold && ch->state == CH_OPEN && !ch->link->rx_held)
		l2cap_link_rx_hold_update(ch->link, NULL);
}

/* rx_hold changed (l2k_chan_set_busy, or the socket face's reader drained its queue) */
static void basic_consumed(struct l2k_chan *ch)
{
	if (ch->link)
		l2cap_link_rx_hold_update(ch->link, NULL);
}

/* the channel leaves the open state: it holds nothing any more */
static void basic_close(struct l2k_chan *ch)
{
	if (ch->link && ch->link->rx_held)
		l2cap_link_rx_hold_update(ch->link, ch);
}

const struct l2cap_mode_ops l2cap_mode_basic = {
    .name = "basic",
    .pump = basic_pump,
    .rx = basic_rx,
    .consumed = basic_consumed,
    .close = basic_close,
};
