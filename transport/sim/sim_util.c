/* Simulator utilities: bounded record queue, PRNG, address text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/l2k_error.h"
#include "transport/sim/sim_int.h"

int sim_q_init(struct sim_q *q, size_t cap)
{
	memset(q, 0, sizeof(*q));
	q->buf = malloc(cap);
	if (!q->buf)
		return L2K_ENOMEM;
	q->cap = cap;
	return 0;
}

void sim_q_free(struct sim_q *q)
{
	free(q->buf);
	memset(q, 0, sizeof(*q));
}

void sim_q_clear(struct sim_q *q)
{
	q->head = q->used = q->count = 0;
}

static void ring_write(struct sim_q *q, size_t pos, const void *src, size_t n)
{
	const uint8_t *s = src;
	pos %= q->cap;
	size_t first = q->cap - pos < n ? q->cap - pos : n;
	memcpy(q->buf + pos, s, first);
	if (n > first)
		memcpy(q->buf, s + first, n - first);
}

static void ring_read(const struct sim_q *q, size_t pos, void *dst, size_t n)
{
	uint8_t *d = dst;
	pos %= q->cap;
	size_t first = q->cap - pos < n ? q->cap - pos : n;
	memcpy(d, q->buf + pos, first);
	if (n > first)
		memcpy(d + first, q->buf, n - first);
}

int sim_q_push2(struct sim_q *q, const void *a, size_t alen, const void *b, size_t blen)
{
	size_t len = alen + blen;
	if (!sim_q_room(q, len))
		return L2K_ENOBUFS;
	uint8_t h[4] = {(uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16), (uint8_t)(len >> 24)};
	size_t tail = q->head + q->used;
	ring_write(q, tail, h, 4);
	if (alen)
		ring_write(q, tail + 4, a, alen);
	if (blen)
		ring_write(q, tail + 4 + alen, b, blen);
	q->used += len + 4;
	q->count++;
	return 0;
}

static size_t head_len(const struct sim_q *q)
{
	uint8_t h[4];
	ring_read(q, q->head, h, 4);
	return (size_t)h[0] | ((size_t)h[1] << 8) | ((size_t)h[2] << 16) | ((size_t)h[3] << 24);
}

size_t sim_q_peek(const struct sim_q *q, void *out, size_t cap)
{
	if (!q->count)
		return 0;
	size_t len = head_len(q);
	ring_read(q, q->head + 4, out, len < cap ? len : cap);
	return len;
}

void sim_q_pop(struct sim_q *q)
{
	if (!q->count)
		return;
	size_t len = head_len(q);
	q->head = (q->head + 4 + len) % q->cap;
	q->used -= 4 + len;
	q->count--;
	if (!q->count)
		q->head = 0;
}

void sim_q_filter(struct sim_q *q, bool (*keep)(void *arg, const uint8_t *rec, size_t len),
		  void *arg, uint8_t *scratch, size_t scratch_cap)
{
	/* Rotate through the queue once: pop each record and push it back if kept. */
	size_t n = q->count;
	for (size_t i = 0; i < n; i++) {
		size_t len = sim_q_peek(q, scratch, scratch_cap);
		sim_q_pop(q);
		if (len <= scratch_cap && keep(arg, scratch, len))
			(void)sim_q_push2(q, scratch, len, NULL, 0);
	}
}

/* splitmix64 (Steele, Lea, Flood 2014): tiny, full period, good enough for fault dice. */
uint64_t sim_rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

bool sim_rng_chance(uint64_t *state, double p)
{
	/* 53 random bits -> [0, 1) */
	double u = (double)(sim_rng_next(state) >> 11) * (1.0 / 9007199254740992.0);
	return u < p;
}

int sim_parse_bdaddr(const char *s, hci_bdaddr_t *out)
{
	hci_bdaddr_t a;
	if (!s || strlen(s) != 17)
		return L2K_EINVAL;
	for (int i = 0; i < 6; i++) {
		const char *g = s + i * 3;
		int v = 0;
		for (int k = 0; k < 2; k++) {
			char ch = g[k];
			int d;
			if (ch >= '0' && ch <= '9')
				d = ch - '0';
			else if (ch >= 'a' && ch <= 'f')
				d = ch - 'a' + 10;
			else if (ch >= 'A' && ch <= 'F')
				d = ch - 'A' + 10;
			else
				return L2K_EINVAL;
			v = v * 16 + d;
		}
		if (i < 5 && g[2] != ':')
			return L2K_EINVAL;
		a.b[5 - i] = (uint8_t)v;
	}
	*out = a;
	return 0;
}

void sim_format_bdaddr(const hci_bdaddr_t *a, char out[18])
{
	snprintf(out, 18, "%02X:%02X:%02X:%02X:%02X:%02X", a->b[5], a->b[4], a->b[3], a->b[2],
		 a->b[1], a->b[0]);
}
