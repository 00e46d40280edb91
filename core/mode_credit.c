/* Credit based flow control data path (Vol 3 Part A 3.4, 10.1): SDUs segmented into K-frames
 * of at most the peer's MPS (the first carries the 2-octet SDU length), one credit per K-frame;
 * reassembly with the violations that end the channel.  Shared by LE Credit Based and Enhanced
 * Credit Based Flow Control modes. */
#include <stdlib.h>
#include <string.h>

#include "core/l2cap_int.h"

static int credit_open(struct l2k_chan *ch)
{
	ch->rx_sdu = malloc(ch->local_mtu ? ch->local_mtu : 1);
	return ch->rx_sdu ? 0 : L2K_ENOMEM;
}

static void credit_pump(struct l2k_chan *ch)
{
	while (ch->state == CH_OPEN && ch->txq.count && ch->tx_credits > 0) {
		size_t total = ring_head_len(&ch->txq);
		size_t room = ch->remote_mps;
		uint8_t sdulen[2];
		const uint8_t *parts[3];
		size_t lens[3];
		int np = 0;
		if (ch->tx_off == 0) {
			put_le16(sdulen, (uint16_t)total);
			parts[np] = sdulen;
			lens[np++] = 2;
			room -= 2;
		}
		size_t n = total - ch->tx_off < room ? total - ch->tx_off : room;
		if (n) {
			const uint8_t *p1, *p2;
			size_t n1, n2;
			int k = ring_head_peek(&ch->txq, ch->tx_off, n, &p1, &n1, &p2, &n2);
			parts[np] = p1;
			lens[np++] = n1;
			if (k == 2) {
				parts[np] = p2;
				lens[np++] = n2;
			}
		}
		if (l2cap_chan_send_pdu(ch, parts, lens, np) == L2K_EAGAIN)
			return;
		ch->tx_credits--;
		ch->tx_off += n;
		if (ch->tx_off == total) {
			ch->tx_off = 0;
			ring_pop(&ch->txq);
			l2cap_chan_tx_room(ch);
		}
	}
}

/* Give back the credits of consumed K-frames once half of the grant is used, so that the
 * sender never stalls while the application keeps up. */
static void credit_consumed(struct l2k_chan *ch)
{
	if (ch->opts.manual_credits || ch->rx_hold || ch->state != CH_OPEN)
		return;
	if (ch->rx_credits <= ch->rx_initial / 2) {
		uint16_t give = (uint16_t)(ch->rx_initial - ch->rx_credits);
		ch->rx_credits += give;
		l2cap_send_credits(ch, give);
	}
}

static void violation(struct l2k_chan *ch)
{
	ch->rx_in_sdu = false;
	l2cap_chan_disconnect(ch, L2K_CLOSE_PROTOCOL);
}

static void credit_rx(struct l2k_chan *ch, const uint8_t *p, size_t len)
{
	if (ch->rx_credits == 0 || len > ch->local_mps) {
		/* a K-frame without credit, or longer than our MPS (LE/CFC/BV-27) */
		violation(ch);
		return;
	}
	ch->rx_credits--;
	if (!ch->rx_in_sdu) {
		if (len < 2) {
			violation(ch);
			return;
		}
		size_t sdu = get_le16(p);
		if (sdu > ch->local_mtu || len - 2 > sdu) {
			/* SDU over our MTU (BV-26) or a first K-frame longer than its SDU (BV-28) */
			violation(ch);
			return;
		}
		if (len - 2 == sdu) {
			l2cap_chan_deliver(ch, p + 2, sdu);
		} else {
			memcpy(ch->rx_sdu, p + 2, len - 2);
			ch->rx_sdu_len = len - 2;
			ch->rx_sdu_total = sdu;
			ch->rx_in_sdu = true;
		}
	} else {
		if (ch->rx_sdu_len + len > ch->rx_sdu_total) {
			violation(ch); /* continuation past the SDU length (BV-28) */
			return;
		}
		memcpy(ch->rx_sdu + ch->rx_sdu_len, p, len);
		ch->rx_sdu_len += len;
		if (ch->rx_sdu_len == ch->rx_sdu_total) {
			ch->rx_in_sdu = false;
			l2cap_chan_deliver(ch, ch->rx_sdu, ch->rx_sdu_total);
		}
	}
	if (ch->state == CH_OPEN)
		credit_consumed(ch);
}

const struct l2cap_mode_ops l2cap_mode_credit = {
    .name = "credit",
    .open = credit_open,
    .pump = credit_pump,
    .rx = credit_rx,
    .consumed = credit_consumed,
};
