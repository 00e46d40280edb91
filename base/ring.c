/* Bounded byte ring of records (see ring.h). */
#include <stdlib.h>
#include <string.h>

#include "base/l2k_error.h"
#include "base/ring.h"

int l2k_ring_init(struct l2k_ring *r, size_t limit)
{
	memset(r, 0, sizeof(*r));
	if (limit < L2K_RING_REC_HDR + 1)
		limit = L2K_RING_REC_HDR + 1;
	size_t cap = limit < L2K_RING_INITIAL ? limit : L2K_RING_INITIAL;
	r->buf = malloc(cap);
	if (!r->buf)
		return L2K_ENOMEM;
	r->cap = cap;
	r->limit = limit;
	return 0;
}

void l2k_ring_raise_limit(struct l2k_ring *r, size_t limit)
{
	if (limit > r->limit)
		r->limit = limit;
}

void l2k_ring_free(struct l2k_ring *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

/* (a + b) mod cap for a, b < cap, without a division */
static size_t wrap(const struct l2k_ring *r, size_t a, size_t b)
{
	size_t x = a + b;
	return x >= r->cap ? x - r->cap : x;
}

static void put(struct l2k_ring *r, const uint8_t *p, size_t n)
{
	size_t pos = wrap(r, r->head, r->used);
	size_t first = r->cap - pos < n ? r->cap - pos : n;
	memcpy(r->buf + pos, p, first);
	if (n > first)
		memcpy(r->buf, p + first, n - first);
	r->used += n;
}

static void get(const struct l2k_ring *r, size_t off, uint8_t *out, size_t n)
{
	size_t pos = wrap(r, r->head, off);
	size_t first = r->cap - pos < n ? r->cap - pos : n;
	memcpy(out, r->buf + pos, first);
	if (n > first)
		memcpy(out + first, r->buf, n - first);
}

/* Make the buffer hold at least need bytes (need <= limit): double it, the records moving to
 * the start of the new buffer in order. */
static int grow(struct l2k_ring *r, size_t need)
{
	size_t cap = r->cap;
	while (cap < need)
		cap = cap > r->limit / 2 ? r->limit : cap * 2;
	uint8_t *nb = malloc(cap);
	if (!nb)
		return L2K_ENOMEM;
	get(r, 0, nb, r->used);
	free(r->buf);
	r->buf = nb;
	r->cap = cap;
	r->head = 0;
	return 0;
}

int l2k_ring_push(struct l2k_ring *r, const uint8_t *const *parts, const size_t *lens, int n)
{
	size_t total = 0;
	for (int i = 0; i < n; i++)
		total += lens[i];
	if (total > UINT32_MAX || !l2k_ring_fits(r, total))
		return L2K_EAGAIN;
	if (r->cap - r->used < total + L2K_RING_REC_HDR && grow(r, r->used + total + L2K_RING_REC_HDR) < 0)
		return L2K_ENOMEM;
	uint8_t h[4] = {(uint8_t)total, (uint8_t)(total >> 8), (uint8_t)(total >> 16), (uint8_t)(total >> 24)};
	put(r, h, 4);
	for (int i = 0; i < n; i++)
		if (lens[i])
			put(r, parts[i], lens[i]);
	r->count++;
	return 0;
}

size_t l2k_ring_head_len(const struct l2k_ring *r)
{
	if (!r->count)
		return 0;
	uint8_t tmp[4];
	const uint8_t *h = r->buf + r->head;
	if (r->cap - r->head < 4) { /* the record header wraps */
		get(r, 0, tmp, 4);
		h = tmp;
	}
	return (size_t)h[0] | ((size_t)h[1] << 8) | ((size_t)h[2] << 16) | ((size_t)h[3] << 24);
}

void l2k_ring_head_read(const struct l2k_ring *r, size_t off, uint8_t *out, size_t n)
{
	get(r, L2K_RING_REC_HDR + off, out, n);
}

int l2k_ring_head_peek(const struct l2k_ring *r, size_t off, size_t n, const uint8_t **p1,
		       size_t *n1, const uint8_t **p2, size_t *n2)
{
	size_t pos = wrap(r, r->head, wrap(r, L2K_RING_REC_HDR, off));
	size_t first = r->cap - pos < n ? r->cap - pos : n;
	*p1 = r->buf + pos;
	*n1 = first;
	*p2 = r->buf;
	*n2 = n - first;
	return *n2 ? 2 : 1;
}

void l2k_ring_pop(struct l2k_ring *r)
{
	if (!r->count)
		return;
	size_t n = L2K_RING_REC_HDR + l2k_ring_head_len(r);
	r->head = wrap(r, r->head, n);
	r->used -= n;
	r->count--;
	if (!r->count)
		r->head = r->used = 0;
}

void l2k_ring_clear(struct l2k_ring *r)
{
	r->head = r->used = r->count = 0;
}
