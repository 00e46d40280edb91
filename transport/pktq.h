/* Internal to transport/: a bounded FIFO of whole HCI packets in one byte ring, for transports
 * whose descriptor takes one packet per write (user channel) or per transfer (USB) and may not
 * take it now.  Each entry is a 4-byte length, the H4 type and the packet.  The ring is
 * allocated once; nothing is allocated per packet.  Header-only (static functions). */
#ifndef L2K_TRANSPORT_PKTQ_H
#define L2K_TRANSPORT_PKTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PKTQ_ENTRY_HDR 5 /* length (4, host order) + type (1) */

struct pktq {
	uint8_t *buf;
	size_t cap;		/* bytes in buf */
	size_t head, used;	/* first byte of the oldest entry, bytes in use */
	size_t count;		/* entries */
};

static inline int pktq_init(struct pktq *q, size_t cap)
{
	memset(q, 0, sizeof(*q));
	q->buf = malloc(cap);
	if (!q->buf)
		return -1;
	q->cap = cap;
	return 0;
}

static inline void pktq_free(struct pktq *q)
{
	free(q->buf);
	memset(q, 0, sizeof(*q));
}

static inline bool pktq_empty(const struct pktq *q)
{
	return q->count == 0;
}

static inline void pktq_copy_in(struct pktq *q, size_t at, const void *src, size_t n)
{
	at %= q->cap;
	size_t first = q->cap - at < n ? q->cap - at : n;
	memcpy(q->buf + at, src, first);
	memcpy(q->buf, (const uint8_t *)src + first, n - first);
}

static inline void pktq_copy_out(const struct pktq *q, size_t at, void *dst, size_t n)
{
	at %= q->cap;
	size_t first = q->cap - at < n ? q->cap - at : n;
	memcpy(dst, q->buf + at, first);
	memcpy((uint8_t *)dst + first, q->buf, n - first);
}

/* Append one packet; false when it does not fit (the queue is left as it was). */
static inline bool pktq_push(struct pktq *q, uint8_t type, const uint8_t *pkt, size_t len)
{
	if (len > UINT32_MAX || q->cap - q->used < PKTQ_ENTRY_HDR + len)
		return false;
	uint32_t l = (uint32_t)len;
	size_t tail = q->head + q->used;
	pktq_copy_in(q, tail, &l, 4);
	pktq_copy_in(q, tail + 4, &type, 1);
	pktq_copy_in(q, tail + PKTQ_ENTRY_HDR, pkt, len);
	q->used += PKTQ_ENTRY_HDR + len;
	q->count++;
	return true;
}

/* Type and length of the oldest packet (the queue must not be empty). */
static inline size_t pktq_peek(const struct pktq *q, uint8_t *type)
{
	uint32_t l;
	pktq_copy_out(q, q->head, &l, 4);
	pktq_copy_out(q, q->head + 4, type, 1);
	return l;
}

/* Copy the oldest packet's bytes (without its type) to dst, which holds pktq_peek()'s length. */
static inline void pktq_read(const struct pktq *q, uint8_t *dst, size_t len)
{
	pktq_copy_out(q, q->head + PKTQ_ENTRY_HDR, dst, len);
}

static inline void pktq_pop(struct pktq *q)
{
	uint8_t type;
	size_t len = pktq_peek(q, &type);
	q->head = (q->head + PKTQ_ENTRY_HDR + len) % q->cap;
	q->used -= PKTQ_ENTRY_HDR + len;
	q->count--;
	if (q->count == 0)
		q->head = q->used = 0;
}

#endif
