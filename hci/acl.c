/* The ACL data path (Vol 4 Part E 4.1 and 5.4.2; Vol 3 Part A 7.2).
 *
 * Out: each link has a bounded byte ring of whole L2CAP PDUs, and a small one of signaling PDUs
 * that go first at the next PDU boundary (so a credit, a response or a request never waits
 * behind a queue of data).  The scheduler cuts the current PDU of each link into ACL packets of
 * the controller's data length and hands them over while the controller has free buffers
 * (host-to-controller flow control by Number Of Completed Packets), one packet per link per turn
 * so that links share the buffers fairly.
 * In: fragments are reassembled into whole L2CAP PDUs, bounded by max_rx_pdu; malformed
 * sequences are dropped and counted.  With controller-to-host flow control, the packets of a
 * link the upper layer holds wait unprocessed, and processed ones are reported completed
 * (hci/rxflow.c). */
#include <stdlib.h>
#include <string.h>

#include "base/l2k_error.h"
#include "hci/hci_internal.h"

#define L2CAP_HDR 4

/* ---- links --------------------------------------------------------------------------------- */

int hci_acl_link_init(struct hci_host *h, struct hci_link *l)
{
	/* The ring can hold one PDU of the largest size the API accepts (its buffer grows only as
	 * far as it is used); what callers may queue is bounded by tx_queue_bytes (tx_fits). */
	size_t cap = h->cfg.tx_queue_bytes;
	if (cap < (size_t)L2CAP_HDR + 65535 + RING_REC_HDR)
		cap = (size_t)L2CAP_HDR + 65535 + RING_REC_HDR;
	l->rx = malloc(h->cfg.max_rx_pdu);
	if (!l->rx || ring_init(&l->tx, cap) < 0) {
		free(l->rx);
		l->rx = NULL;
		return L2K_ENOMEM;
	}
	if (ring_init(&l->sig, HCI_SIG_QUEUE_BYTES) < 0) {
		ring_free(&l->tx);
		free(l->rx);
		l->rx = NULL;
		return L2K_ENOMEM;
	}
	l->tx_pushed = l->tx_done = 0;
	l->cur_sig = false;
	l->tx_off = 0;
	l->inflight = 0;
	l->want_room = false;
	l->rx_len = l->rx_total = 0;
	l->rx_skipping = false;
	return 0;
}

/* ---- the ring of links with queued PDUs ------------------------------------------------------
 * The scheduler visits only links that have something to send, so its cost per ACL packet does
 * not grow with the number of links (max_links slots). */

static void act_add(struct hci_host *h, struct hci_link *l)
{
	if (l->active)
		return;
	l->active = true;
	if (!h->act) {
		l->act_next = l->act_prev = l;
		h->act = l;
		return;
	}
	/* At the end of the turn, which is just before the link that sent last (when it still has
	 * data), else just before the next link to serve. */
	struct hci_link *last = h->act_last;
	struct hci_link *before = last && last != l && last->active ? last : h->act;
	l->act_prev = before->act_prev;
	l->act_next = before;
	before->act_prev->act_next = l;
	before->act_prev = l;
	if (h->act == before && before == last)
		h->act = l; /* the one that sent last was alone: l goes first */
}

static void act_del(struct hci_host *h, struct hci_link *l)
{
	if (!l->active)
		return;
	l->active = false;
	if (l->act_next == l) {
		h->act = NULL;
	} else {
		l->act_prev->act_next = l->act_next;
		l->act_next->act_prev = l->act_prev;
		if (h->act == l)
			h->act = l->act_next;
	}
	l->act_next = l->act_prev = NULL;
}

/* The link is gone: the controller discards its packets, so their buffers are free again
 * (Vol 4 Part E 4.3: after Disconnection Complete the host assumes the buffers are released). */
void hci_acl_link_release(struct hci_host *h, struct hci_link *l)
{
	act_del(h, l);
	if (h->act_last == l)
		h->act_last = NULL;
	if (l->notify_pending) {
		for (struct hci_link **pp = &h->notify; *pp; pp = &(*pp)->notify_next)
			if (*pp == l) {
				*pp = l->notify_next;
				break;
			}
		l->notify_pending = false;
	}
	l->want_room = false;
	struct hci_pool *pool = hci_acl_pool(h, l);
	pool->inflight = pool->inflight >= l->inflight ? (uint16_t)(pool->inflight - l->inflight) : 0;
	l->inflight = 0;
	ring_free(&l->tx);
	ring_free(&l->sig);
	free(l->rx);
	l->rx = NULL;
	hci_rxflow_link_release(h, l);
}

struct hci_pool *hci_acl_pool(struct hci_host *h, const struct hci_link *l)
{
	if (l->info.type == HCI_LINK_LE && !h->info.le_shared)
		return &h->pool_le;
	return &h->pool_bredr;
}

/* ---- transmit ------------------------------------------------------------------------------ */

/* Checks a PDU given in pieces and copies them for ring_push after `first` leading parts.
 * Returns the PDU length, or a negative code. */
static inline long pdu_parts(const struct hci_iov *iov, int n, const uint8_t **parts, size_t *lens, int first)
{
	if (n < 0 || (n > 0 && !iov))
		return L2K_EINVAL;
	size_t total = 0;
	for (int i = 0; i < n; i++)
		total += iov[i].len;
	if (total < L2CAP_HDR || total > (size_t)L2CAP_HDR + 65535)
		return L2K_EMSGSIZE;
	if (n > 8)
		return L2K_EINVAL;
	for (int i = 0; i < n; i++) {
		parts[first + i] = iov[i].p;
		lens[first + i] = iov[i].len;
	}
	return (long)total;
}

/* The bound on queued data: a PDU fits while the queue holds less than tx_queue_bytes with it,
 * or when the queue is empty (a PDU larger than the bound still goes, alone).  A shallow queue
 * keeps the backlog in the channels' queues, where the L2CAP engine shares the link fairly, and
 * keeps the time a PDU waits here (which counts against ERTM's timers) short. */
static bool tx_fits(const struct hci_host *h, const struct hci_link *l, size_t n)
{
	if (!l->tx.count)
		return ring_fits(&l->tx, n);
	return l->tx.used + n + RING_REC_HDR <= h->cfg.tx_queue_bytes;
}

int hci_host_acl_sendv(struct hci_host *h, uint16_t handle, const struct hci_iov *iov, int n)
{
	struct hci_link *l = hci_link_by_handle(h, handle);
	if (!l)
		return L2K_ENOLINK;
	const uint8_t *parts[8];
	size_t lens[8];
	long total = pdu_parts(iov, n, parts, lens, 0);
	if (total < 0)
		return (int)total;
	int r = tx_fits(h, l, (size_t)total) ? ring_push(&l->tx, parts, lens, n) : L2K_EAGAIN;
	if (r < 0) {
		if (r == L2K_EAGAIN)
			l->want_room = true; /* told when a sent PDU leaves the queue half empty */
		return r;
	}
	l->tx_pushed++;
	act_add(h, l);
	h->stats.tx_pdus++;
	hci_acl_schedule(h);
	return 0;
}

bool hci_host_acl_would_take(struct hci_host *h, uint16_t handle, size_t len)
{
	struct hci_link *l = hci_link_by_handle(h, handle);
	if (!l)
		return false;
	if (tx_fits(h, l, len))
		return true;
	l->want_room = true;
	return false;
}

#define SIG_BARRIER 8 /* octets before each PDU in the signaling ring */

int hci_host_acl_send_sig(struct hci_host *h, uint16_t handle, const struct hci_iov *iov, int n,
			  bool after_data)
{
	struct hci_link *l = hci_link_by_handle(h, handle);
	if (!l)
		return L2K_ENOLINK;
	const uint8_t *parts[9];
	size_t lens[9];
	long total = pdu_parts(iov, n, parts, lens, 1);
	if (total < 0)
		return (int)total;
	/* the PDU may go once tx_done reaches this: everything queued on tx before it */
	uint64_t barrier = after_data ? l->tx_pushed : 0;
	uint8_t b[SIG_BARRIER];
	for (int i = 0; i < SIG_BARRIER; i++)
		b[i] = (uint8_t)(barrier >> (8 * i));
	parts[0] = b;
	lens[0] = SIG_BARRIER;
	int r = ring_push(&l->sig, parts, lens, n + 1);
	if (r < 0)
		return r == L2K_EAGAIN ? L2K_ENOBUFS : r;
	act_add(h, l);
	h->stats.tx_pdus++;
	hci_acl_schedule(h);
	return 0;
}

size_t hci_host_acl_sig_room(const struct hci_host *h, uint16_t handle)
{
	const struct hci_link *l = hci_link_by_handle(h, handle);
	if (!l)
		return 0;
	size_t r = ring_room(&l->sig);
	return r > SIG_BARRIER ? r - SIG_BARRIER : 0;
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
	if (!l->tx.count)
		return ring_room(&l->tx);
	size_t used = l->tx.used + RING_REC_HDR;
	return used < h->cfg.tx_queue_bytes ? h->cfg.tx_queue_bytes - used : 0;
}

size_t hci_host_acl_pending(const struct hci_host *h, uint16_t handle)
{
	const struct hci_link *l = hci_link_by_handle(h, handle);
	return l ? l->tx.count + l->sig.count + l->inflight : 0;
}

bool hci_host_acl_blocked(const struct hci_host *h, uint16_t handle)
{
	const struct hci_link *l = hci_link_by_handle(h, handle);
	return l && l->want_room;
}

static uint64_t sig_head_barrier(const struct hci_link *l)
{
	uint8_t b[SIG_BARRIER];
	ring_head_read(&l->sig, 0, b, SIG_BARRIER);
	uint64_t v = 0;
	for (int i = SIG_BARRIER - 1; i >= 0; i--)
		v = (v << 8) | b[i];
	return v;
}

/* Whether the link has a PDU it may start or continue now. */
static bool link_has_tx(const struct hci_link *l)
{
	return l->tx.count || (l->sig.count && sig_head_barrier(l) <= l->tx_done);
}

/* Hand one ACL packet of the link's current PDU to the controller: at a PDU boundary the head of
 * the signaling ring when it may go (its barrier passed), else the head of the data ring.  The
 * packet is sent from the ring itself when the fragment is contiguous there: the 4 octets before
 * it (the ring's record header, the barrier, or the end of the fragment sent before) are header
 * room for the ACL header, saved and put back around the send (transports copy what they keep
 * before send() returns).  Only a fragment that wraps around the ring's end is copied. */
static void send_fragment(struct hci_host *h, struct hci_link *l, struct hci_pool *pool)
{
	if (l->tx_off == 0)
		l->cur_sig = l->sig.count && sig_head_barrier(l) <= l->tx_done;
	struct ring *ring = l->cur_sig ? &l->sig : &l->tx;
	size_t skip = l->cur_sig ? SIG_BARRIER : 0;
	size_t total = ring_head_len(ring) - skip;
	size_t off = l->tx_off;
	size_t left = total - off;
	size_t n = left < pool->mtu ? left : pool->mtu;
	/* Packet_Boundary: LE and BR/EDR first fragments use "first non-automatically-flushable"
	 * (0b00), which every controller accepts from the host on LE; on BR/EDR "first
	 * automatically flushable" (0b10) is the classic choice (Vol 4 Part E 5.4.2). */
	uint8_t pb = off ? HCI_ACL_PB_CONT
			 : (l->info.type == HCI_LINK_LE ? HCI_ACL_PB_START_NOFLUSH : HCI_ACL_PB_START);
	uint8_t hdr[HCI_ACL_HDR];
	put_le16(hdr, (uint16_t)(l->info.handle | (pb << 12)));
	put_le16(hdr + 2, (uint16_t)n);
	l->tx_off += n;
	l->inflight++;
	pool->inflight++;
	h->stats.tx_frags++;
	h->stats.tx_bytes += n;
	const uint8_t *p1, *p2;
	size_t n1, n2;
	int k = ring_head_peek(ring, skip + off, n, &p1, &n1, &p2, &n2);
	if (k == 1 && (size_t)(p1 - ring->buf) >= HCI_ACL_HDR) {
		uint8_t *room = ring->buf + (p1 - ring->buf) - HCI_ACL_HDR;
		uint8_t saved[HCI_ACL_HDR];
		memcpy(saved, room, HCI_ACL_HDR);
		memcpy(room, hdr, HCI_ACL_HDR);
		hci_send_packet(h, HCI_H4_ACL, room, HCI_ACL_HDR + n);
		memcpy(room, saved, HCI_ACL_HDR);
	} else {
		memcpy(h->frag, hdr, HCI_ACL_HDR);
		memcpy(h->frag + HCI_ACL_HDR, p1, n1);
		if (k == 2)
			memcpy(h->frag + HCI_ACL_HDR + n1, p2, n2);
		hci_send_packet(h, HCI_H4_ACL, h->frag, HCI_ACL_HDR + n);
	}
	if (l->tx_off == total) {
		ring_pop(ring);
		l->tx_off = 0;
		if (l->cur_sig) {
			l->cur_sig = false;
			return;
		}
		l->tx_done++;
		/* a sender waits for room: only a pop makes room, so only here is it checked */
		if (l->want_room && !l->notify_pending && l->tx.used <= h->cfg.tx_queue_bytes / 2) {
			l->notify_pending = true;
			l->notify_next = h->notify;
			h->notify = l;
		}
	}
}

static bool pool_full(const struct hci_pool *p)
{
	return p->inflight >= p->count || p->mtu == 0;
}

/* Every pool the links use is full: nothing can be sent until Number Of Completed Packets. */
static bool pools_full(const struct hci_host *h)
{
	return pool_full(&h->pool_bredr) && (h->info.le_shared || pool_full(&h->pool_le));
}

/* Round robin over the links with queued PDUs: one packet per link per turn, while its pool
 * has free controller buffers. */
void hci_acl_schedule(struct hci_host *h)
{
	if (h->in_schedule || !h->ready)
		return;
	h->in_schedule = true;
	for (;;) {
		/* nothing can move while every pool in use is full */
		if (!h->act || pools_full(h))
			break;
		bool progress = false;
		/* one turn: each link that has data at its start, once, beginning with h->act */
		struct hci_link *l = h->act, *last = h->act->act_prev;
		for (unsigned visits = 1;; visits++) {
			/* (the visit bound only matters if a callback tore down 'last' meanwhile) */
			bool end = l == last || visits >= h->cfg.max_links;
			struct hci_pool *pool = hci_acl_pool(h, l);
			if (pool_full(pool)) {
				l = l->act_next;
			} else {
				/* the transport may call back into the host (more PDUs queued, links
				 * added to the ring): read the ring only after the packet went */
				send_fragment(h, l, pool);
				h->act_last = l;
				progress = true;
				struct hci_link *next = l->act_next;
				if (l->tx_off == 0 && !link_has_tx(l)) {
					act_del(h, l);
					if (next == l)
						next = h->act; /* l was alone (h->act: added meanwhile, or NULL) */
				}
				if (next)
					h->act = next; /* the next turn starts after l */
				l = next;
			}
			if (end || !h->act || !l || pools_full(h))
				break;
		}
		if (!progress)
			break;
	}
	h->in_schedule = false;
	/* Tell waiting senders about room; a callback may queue more and reschedule (a nested
	 * call tells its own list). */
	while (h->notify) {
		struct hci_link *l = h->notify;
		h->notify = l->notify_next;
		l->notify_pending = false;
		l->notify_next = NULL;
		l->want_room = false;
		if (h->ops.acl_tx_room)
			h->ops.acl_tx_room(h->user, l->info.handle);
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

/* A dropped fragment counts for the host and for its link. */
#define DROP(h, l, what)            \
	do {                        \
		(h)->stats.what++;  \
		(l)->st.what++;     \
	} while (0)

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
	l->st.rx_pdus++;
	if (h->ops.acl_rx)
		h->ops.acl_rx(h->user, l->info.handle, l->rx, n);
}

void hci_acl_input(struct hci_host *h, const uint8_t *pkt, size_t len)
{
	if (len < HCI_ACL_HDR) {
		h->stats.rx_drop_bad_header++;
		return;
	}
	uint16_t hf = get_le16(pkt);
	uint16_t dlen = get_le16(pkt + 2);
	struct hci_link *l = hci_link_by_handle(h, HCI_ACL_HANDLE(hf));
	if ((size_t)dlen != len - HCI_ACL_HDR) {
		h->stats.rx_drop_bad_header++;
		if (l) {
			l->st.rx_drop_bad_header++;
			hci_rxflow_done(h, l); /* its host buffer is free again */
		}
		return;
	}
	h->stats.rx_frags++;
	h->stats.rx_bytes += dlen;
	if (!l) {
		h->stats.rx_drop_unknown_handle++;
		return;
	}
	l->st.rx_frags++;
	/* controller-to-host flow control: a held link's packets wait in the host's buffers */
	if (hci_rxflow_park(h, l, pkt, len))
		return;
	hci_acl_rx_packet(h, l, pkt, len);
}

/* Reassembly of one ACL packet of link l whose header was checked. */
static void rx_reassemble(struct hci_host *h, struct hci_link *l, const uint8_t *pkt, size_t len)
{
	uint16_t hf = get_le16(pkt);
	uint16_t dlen = (uint16_t)(len - HCI_ACL_HDR);
	const uint8_t *d = pkt + HCI_ACL_HDR;
	uint8_t pb = HCI_ACL_PB(hf);
	if (pb == HCI_ACL_PB_CONT) {
		if (l->rx_skipping)
			return; /* rest of a PDU already counted as dropped */
		if (l->rx_total == 0) {
			DROP(h, l, rx_drop_cont_without_start);
			return;
		}
		if (l->rx_len + dlen > l->rx_total) {
			DROP(h, l, rx_drop_overrun);
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
		DROP(h, l, rx_drop_incomplete);
		rx_reset(l);
	}
	l->rx_skipping = false;
	if (dlen < L2CAP_HDR) {
		DROP(h, l, rx_drop_short_start);
		l->rx_skipping = true;
		return;
	}
	size_t total = (size_t)L2CAP_HDR + get_le16(d);
	if (total > h->cfg.max_rx_pdu) {
		DROP(h, l, rx_drop_too_big);
		l->rx_skipping = true;
		return;
	}
	if (dlen > total) {
		DROP(h, l, rx_drop_overrun);
		l->rx_skipping = true;
		return;
	}
	if (dlen == total && h->ops.acl_rx) { /* unfragmented: no copy */
		h->stats.rx_pdus++;
		l->st.rx_pdus++;
		h->ops.acl_rx(h->user, l->info.handle, d, dlen);
		return;
	}
	memcpy(l->rx, d, dlen);
	l->rx_len = dlen;
	l->rx_total = total;
	if (l->rx_len == l->rx_total)
		rx_deliver(h, l);
}

void hci_acl_rx_packet(struct hci_host *h, struct hci_link *l, const uint8_t *pkt, size_t len)
{
	rx_reassemble(h, l, pkt, len);
	hci_rxflow_done(h, l);
}
