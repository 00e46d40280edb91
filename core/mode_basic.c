/* Basic mode (Vol 3 Part A 3.1): one B-frame per SDU, MTU enforced both ways. */
#include "core/l2cap_int.h"

static void basic_pump(struct l2k_chan *ch)
{
	while (ch->state == CH_OPEN && ch->txq.count) {
		size_t n = l2k_ring_head_len(&ch->txq);
		const uint8_t *p1, *p2;
		size_t n1, n2;
		int k = l2k_ring_head_peek(&ch->txq, 0, n, &p1, &n1, &p2, &n2);
		const uint8_t *parts[2] = {p1, p2};
		size_t lens[2] = {n1, n2};
		int r = l2cap_chan_send_pdu(ch, parts, lens, n ? k : 0);
		if (r == L2K_EAGAIN)
			return; /* the link is full or others wait: our turn comes */
		l2k_ring_pop(&ch->txq);
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
}

const struct l2cap_mode_ops l2cap_mode_basic = {
    .name = "basic",
    .pump = basic_pump,
    .rx = basic_rx,
};
