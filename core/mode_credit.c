/* Credit based flow control data path (Vol 3 Part A 3.4, 10.1): SDUs segmented into K-frames
 * of at most the peer's MPS (the first carries the 2-octet SDU length), one credit per K-frame;
 * reassembly with the violations that end the channel.  Shared by LE Credit Based and Enhanced
 * Credit Based Flow Control modes.  K-frames are read with the frame codec (core/l2cap_frame.h,
 * fuzzed by tests/fuzz/fuzz_frame.c). */
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
		uint8_t sdulen[L2CAP_SDU_LEN_LEN];
		const uint8_t *parts[3];
		size_t lens[3];
		int np = 0;
		if (ch->tx_off == 0) {
			parts[np] = sdulen;
			lens[np++] = l2cap_sdu_len_put(sdulen, sizeof(sdulen), (uint16_t)total);
			room -= L2CAP_SDU_LEN_LEN;
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

/* One K-frame (3.4), basic header included, parsed by l2cap_kframe_parse(): our reassembly
 * state tells whether it starts an SDU (and so with the SDU Length). */
static void credit_rx_pdu(struct l2k_chan *ch, const uint8_t *pdu, size_t len)
{
	struct l2cap_kframe k;
	int pr = l2cap_kframe_parse(pdu, len, !ch->rx_in_sdu, &k);
	size_t info = pr == 0 ? (size_t)k.payload_len + (k.has_sdu_len ? L2CAP_SDU_LEN_LEN : 0) : 0;
	if (ch->rx_credits == 0 || info > ch->local_mps) {
		/* a K-frame without credit, or longer than our MPS (LE/CFC/BV-27) */
		violation(ch);
		return;
	}
	ch->rx_credits--;
	if (pr < 0) { /* the first K-frame of an SDU without its SDU Length */
		violation(ch);
		return;
	}
	if (k.has_sdu_len) {
		size_t sdu = k.sdu_len;
		if (sdu > ch->local_mtu || k.payload_len > sdu) {
			/* SDU over our MTU (BV-26) or a first K-frame longer than its SDU (BV-28) */
			violation(ch);
			return;
		}
		if (k.payload_len == sdu) {
			l2cap_chan_deliver(ch, k.payload, sdu);
		} else {
			memcpy(ch->rx_sdu, k.payload, k.payload_len);
			ch->rx_sdu_len = k.payload_len;
			ch->rx_sdu_total = sdu;
			ch->rx_in_sdu = true;
		}
	} else {
		if (ch->rx_sdu_len + k.payload_len > ch->rx_sdu_total) {
			violation(ch); /* continuation past the SDU length (BV-28) */
			return;
		}
		memcpy(ch->rx_sdu + ch->rx_sdu_len, k.payload, k.payload_len);
		ch->rx_sdu_len += k.payload_len;
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
    .rx_pdu = credit_rx_pdu,
    .consumed = credit_consumed,
};
