/* The ACL data path (Vol 4 Part E 4.1 and 5.4.2; Vol 3 Part A 7.2).
 *
 * Out: each link has a bounded byte ring of whole L2CAP PDUs.  The scheduler cuts the head PDU
 * of each link into ACL packets of the controller's data length and hands them over while the
 * controller has free buffers (host-to-controller flow control by Number Of Completed Packets),
 * one packet per link per turn so that links share the buffers fairly.
 * In: fragments are reassembled into whole L2CAP PDUs, bounded by max_rx_pdu; malformed
 * sequences are dropped and counted. */
#include <stdlib.h>
#include <string.h>

#include "core/l2k_error.h"
#include "hci/hci_internal.h"

#define L2CAP_HDR 4

/* ---- links --------------------------------------------------------------------------------- */

int hci_acl_link_init(struct hci_host *h, struct hci_link *l)
{
	size_t cap = h->cfg.tx_queue_bytes;
	/* the ring must at least hold one PDU of the largest size the API accepts */
	if (cap < (size_t)L2CAP_HDR + 65535 + 4)
		cap = (size_t)L2CAP_HDR + 65535 + 4;
	l->rx = malloc(h->cfg.max_rx_pdu);
	if (!l->rx || l2k_ring_init(&l->tx, cap) < 0) {
		free(l->rx);
		l->rx = NULL;
		return L2K_ENOMEM;
	}
	l->tx_off = 0;
	l->inflight = 0;
	l->want_room = false;
	l->rx_len = l->rx_total = 0;
	l->rx_skipping = false;
	return 0;
}

/* The link is gone: the controller discards its packets, so their buffers are free again
 * (Vol 4 Part E 4.3: after Disconnection Complete the host assumes the buffers are released). */
void hci_acl_link_release(struct hci_host *h, struct hci_link *l)
{
	struct hci_pool *pool = hci_acl_pool(h, l);
	pool->inflight = pool->inflight >= l->inflight ? (uint16_t)(pool->inflight - l->inflight) : 0;
	l->inflight = 0;
	l2k_ring_free(&l->tx);
	free(l->rx);
	l->rx = NULL;
}

struct hci_pool *hci_acl_pool(struct hci_host *h, const struct hci_link *l)
{
	if (l->info.type == HCI_LINK_LE && !h->info.le_shared)
		return &h->pool_le;
	return &h->pool_bredr;
}

/* ---- transmit ------------------------------------------------------------------------------ */

int hci_host_acl_sendv(struct hci_host *h, uint16_t handle, const struct hci_iov *iov, int n)
{
	struct hci_link *l = hci_link_by_handle(h, handle);
	if (!l)
		return L2K_ENOLINK;
	if (n < 0 || (n > 0 && !iov))
		return L2K_EINVAL;
	size_t total = 0;
	for (int i = 0; i < n; i++)
		total += iov[i].len;
	if (total < L2CAP_HDR || total > (size_t)L2CAP_HDR + 65535)
		return L2K_EMSGSIZE;
	if (n > 8)
		return L2K_EINVAL;
	const uint8_t *parts[8];
	size_t lens[8];
	for (int i = 0; i < n; i++) {
		parts[i] = iov[i].p;
		lens[i] = iov[i].len;
	}
	if (l2k_ring_push(&l->tx, parts, lens, n) < 0) {
		l->want_room = true;
		return L2K_EAGAIN;
	}
	h->stats.tx_pdus++;
	hci_acl_schedule(h);
	return 0;
}

int hci_host_acl_send(struct hci_host *h, uint16_t handle, const uint8_t *pdu, size_t len)
{
	struct hci_iov v = {pdu, len};
	return hci_host_acl_sendv(h, handle, &v, 1);
}

size_t hci_host_acl_room(const struct hci_host *h, uint16_t handle)
{
	const struct hci_link *l = hci_link_by_handle(h, handle);
	if (!l)
		return 0;
	return l2k_ring_room(&l->tx);
}

size_t hci_host_acl_pending(const struct hci_host *h, uint16_t handle)
{
	const struct hci_link *l = hci_link_by_handle(h, handle);
	return l ? l->tx.count + l->inflight : 0;
}

/* Hand one ACL packet of the link's head PDU to the controller. */
static void send_fragment(struct hci_host *h, struct hci_link *l, struct hci_pool *pool)
{
	size_t total = l2k_ring_head_len(&l->tx);
	size_t left = total - l->tx_off;
	size_t n = left < pool->mtu ? left : pool->mtu;
	/* Packet_Boundary: LE and BR/EDR first fragments use "first non-automatically-flushable"
	 * (0b00), which every controller accepts from the host on LE; on BR/EDR "first
	 * automatically flushable" (0b10) is the classic choice (Vol 4 Part E 5.4.2). */
	uint8_t pb = l->tx_off ? HCI_ACL_PB_CONT
			       : (l->info.type == HCI_LINK_LE ? HCI_ACL_PB_START_NOFLUSH : HCI_ACL_PB_START);
	hci_put16(h->frag, (uint16_t)(l->info.handle | (pb << 12)));
	hci_put16(h->frag + 2, (uint16_t)n);
	l2k_ring_head_read(&l->tx, l->tx_off, h->frag + HCI_ACL_HDR, n);
	l->tx_off += n;
	l->inflight++;
	pool->inflight++;
	h->stats.tx_frags++;
	h->stats.tx_bytes += n;
	if (l->tx_off == total) {
		l2k_ring_pop(&l->tx);
		l->tx_off = 0;
	}
	hci_send_packet(h, HCI_H4_ACL, h->frag, HCI_ACL_HDR + n);
}

/* Round robin over the links: one packet per link with data per turn, while its pool has free
 * controller buffers. */
void hci_acl_schedule(struct hci_host *h)
{
	if (h->in_schedule || !h->ready)
		return;
	h->in_schedule = true;
	unsigned nl = h->cfg.max_links;
	for (;;) {
		bool progress = false;
		for (unsigned k = 0; k < nl; k++) {
			unsigned i = (h->rr_next + k) % nl;
			struct hci_link *l = &h->links[i];
			if (!l->used || l->tx.count == 0)
				continue;
			struct hci_pool *pool = hci_acl_pool(h, l);
			if (pool->inflight >= pool->count || pool->mtu == 0)
				continue;
			send_fragment(h, l, pool);
			h->rr_next = (i + 1) % nl;
			progress = true;
		}
		if (!progress)
			break;
	}
	h->in_schedule = false;
	/* Tell waiting senders about room; a callback may queue more and reschedule. */
	for (unsigned i = 0; i < nl; i++) {
		struct hci_link *l = &h->links[i];
		if (l->used && l->want_room && l->tx.cap - l->tx.used >= l->tx.cap / 2) {
			l->want_room = false;
			if (h->ops.acl_tx_room)
				h->ops.acl_tx_room(h->user, l->info.handle);
		}
	}
}

void hci_acl_completed(struct hci_host *h, uint16_t handle, uint16_t count)
{
	struct hci_link *l = hci_link_by_handle(h, handle);
	if (!l) {
		h->stats.nocp_excess += count;
		return;
	}
	struct hci_pool *pool = hci_acl_pool(h, l);
	uint16_t c = count;
	if (c > l->inflight) {
		h->stats.nocp_excess += c - l->inflight;
		c = (uint16_t)l->inflight;
	}
	l->inflight -= c;
	pool->inflight = pool->inflight >= c ? (uint16_t)(pool->inflight - c) : 0;
}

/* ---- receive ------------------------------------------------------------------------------- */

static void rx_reset(struct hci_link *l)
{
	l->rx_len = 0;
	l->rx_total = 0;
}

static void rx_deliver(struct hci_host *h, struct hci_link *l)
{
	size_t n = l->rx_total;
	rx_reset(l);
	h->stats.rx_pdus++;
	if (h->ops.acl_rx)
		h->ops.acl_rx(h->user, l->info.handle, l->rx, n);
}

void hci_acl_input(struct hci_host *h, const uint8_t *pkt, size_t len)
{
	if (len < HCI_ACL_HDR) {
		h->stats.rx_drop_bad_header++;
		return;
	}
	uint16_t hf = hci_get16(pkt);
	uint16_t dlen = hci_get16(pkt + 2);
	if ((size_t)dlen != len - HCI_ACL_HDR) {
		h->stats.rx_drop_bad_header++;
		return;
	}
	const uint8_t *d = pkt + HCI_ACL_HDR;
	h->stats.rx_frags++;
	h->stats.rx_bytes += dlen;
	struct hci_link *l = hci_link_by_handle(h, HCI_ACL_HANDLE(hf));
	if (!l) {
		h->stats.rx_drop_unknown_handle++;
		return;
	}
	uint8_t pb = HCI_ACL_PB(hf);
	if (pb == HCI_ACL_PB_CONT) {
		if (l->rx_skipping)
			return; /* rest of a PDU already counted as dropped */
		if (l->rx_total == 0) {
			h->stats.rx_drop_cont_without_start++;
			return;
		}
		if (l->rx_len + dlen > l->rx_total) {
			h->stats.rx_drop_overrun++;
			rx_reset(l);
			l->rx_skipping = true;
			return;
		}
		memcpy(l->rx + l->rx_len, d, dlen);
		l->rx_len += dlen;
		if (l->rx_len == l->rx_total)
			rx_deliver(h, l);
		return;
	}
	/* A start fragment (0b10, or 0b00/0b11 which some controllers use toward the host). */
	if (l->rx_total != 0) {
		h->stats.rx_drop_incomplete++;
		rx_reset(l);
	}
	l->rx_skipping = false;
	if (dlen < L2CAP_HDR) {
		h->stats.rx_drop_short_start++;
		l->rx_skipping = true;
		return;
	}
	size_t total = (size_t)L2CAP_HDR + hci_get16(d);
	if (total > h->cfg.max_rx_pdu) {
		h->stats.rx_drop_too_big++;
		l->rx_skipping = true;
		return;
	}
	if (dlen > total) {
		h->stats.rx_drop_overrun++;
		l->rx_skipping = true;
		return;
	}
	if (dlen == total && h->ops.acl_rx) { /* unfragmented: no copy */
		h->stats.rx_pdus++;
		h->ops.acl_rx(h->user, l->info.handle, d, dlen);
		return;
	}
	memcpy(l->rx, d, dlen);
	l->rx_len = dlen;
	l->rx_total = total;
	if (l->rx_len == l->rx_total)
		rx_deliver(h, l);
}
