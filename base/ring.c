/* Bounded byte ring of records (see ring.h). */
#include <stdlib.h>
#include <string.h>

#include "base/l2k_error.h"
#include "base/ring.h"

int ring_init(struct ring *r, size_t limit)
{
	memset(r, 0, sizeof(*r));
	if (limit < RING_REC_HDR + 1)
		limit = RING_REC_HDR + 1;
	size_t cap = limit < RING_INITIAL ? limit : RING_INITIAL;
	r->buf = malloc(cap);
	if (!r->buf)
		return L2K_ENOMEM;
	r->cap = cap;
	r->limit = limit;
	return 0;
}

void ring_raise_limit(struct ring *r, size_t limit)
{
	if (limit > r->limit)
		r->limit = limit;
}

void ring_free(struct ring *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

/* (a + b) mod cap for a, b < cap, without a division */
static size_t wrap(const struct ring *r, size_t a, size_t b)
{
	size_t x = a + b;
	return x >= r->cap ? x - r->cap : x;
}

static void put(struct ring *r, const uint8_t *p, size_t n)
{
	size_t pos = wrap(r, r->head, r->used);
	size_t first = r->cap - pos < n ? r->cap - pos : n;
	memcpy(r->buf + pos, p, first);
	if (n > first)
		memcpy(r->buf, p + first, n - first);
	r->used += n;
}

static void get(const struct ring *r, size_t off, uint8_t *out, size_t n)
{
	size_t pos = wrap(r, r->head, off);
	size_t first = r->cap - pos < n ? r->cap - pos : n;
	memcpy(out, r->buf + pos, first);
	if (n > first)
		memcpy(out + first, r->buf, n - first);
}

/* Make the buffer hold at least need bytes (need <= limit): double it, the records moving to
 * the start of the new buffer in order. */
static int grow(struct ring *r, size_t need)
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

int ring_push(struct ring *r, const uint8_t *const *parts, const size_t *lens, int n)
{
	size_t total = 0;
	for (int i = 0; i < n; i++)
		total += lens[i];
	if (total > UINT32_MAX || !ring_fits(r, total))
		return L2K_EAGAIN;
	if (r->cap - r->used < total + RING_REC_HDR && grow(r, r->used + total + RING_REC_HDR) < 0)
		return L2K_ENOMEM;
	uint8_t h[4] = {(uint8_t)total, (uint8_t)(total >> 8), (uint8_t)(total >> 16), (uint8_t)(total >> 24)};
	put(r, h, 4);
	for (int i = 0; i < n; i++)
		if (lens[i])
			put(r, parts[i], lens[i]);
	r->count++;
	return 0;
}

size_t ring_head_len(const struct ring *r)
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

void ring_head_read(const struct ring *r, size_t off, uint8_t *out, size_t n)
{
	get(r, RING_REC_HDR + off, out, n);
}

int ring_head_peek(const struct ring *r, size_t off, size_t n, const uint8_t **p1,
		       size_t *n1, const uint8_t **p2, size_t *n2)
{
	size_t pos = wrap(r, r->head, wrap(r, RING_REC_HDR, off));
	size_t first = r->cap - pos < n ? r->cap - pos : n;
	*p1 = r->buf + pos;
	*n1 = first;
	*p2 = r->buf;
	*n2 = n - first;
	return *n2 ? 2 : 1;
}

void ring_pop(struct ring *r)
{
	if (!r->count)
		return;
	size_t n = RING_REC_HDR + ring_head_len(r);
	r->head = wrap(r, r->head, n);
	r->used -= n;
	r->count--;
	if (!r->count)
		r->head = r->used = 0;
}

void ring_clear(struct ring *r)
{
	r->head = r->used = r->count = 0;
}

int ring_push2(struct ring *r, const void *a, size_t alen, const void *b, size_t blen)
{
	const uint8_t *parts[2] = {a, b};
	size_t lens[2] = {alen, blen};
	return ring_push(r, parts, lens, 2);
}

size_t ring_peek_copy(const struct ring *r, void *out, size_t cap)
{
	if (!r->count)
		return 0;
	size_t len = ring_head_len(r);
	ring_head_read(r, 0, out, len < cap ? len : cap);
	return len;
}

void ring_filter(struct ring *r, bool (*keep)(void *arg, const uint8_t *rec, size_t len), void *arg,
		 uint8_t *scratch, size_t scratch_cap)
{
	/* once round the queue: take each record off and put it back at the end if kept (the
	 * room it leaves is always enough for it) */
	size_t n = r->count;
	for (size_t i = 0; i < n; i++) {
		size_t len = ring_peek_copy(r, scratch, scratch_cap);
		ring_pop(r);
		if (len <= scratch_cap && keep(arg, scratch, len))
			(void)ring_push2(r, scratch, len, NULL, 0);
	}
}

size_t ring_head_type(const struct ring *r, uint8_t *type)
{
	ring_head_read(r, 0, type, 1);
	return ring_head_len(r) - 1;
}
