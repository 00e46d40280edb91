/* Binary min-heap of timers (see timer.h). */
#include <stdlib.h>

#include "base/l2k_error.h"
#include "base/timer.h"

void timers_init(struct timers *ts)
{
	ts->heap = NULL;
	ts->n = ts->cap = 0;
}

void timers_free(struct timers *ts)
{
	for (size_t i = 0; i < ts->n; i++)
		ts->heap[i]->idx = 0;
	free(ts->heap);
	timers_init(ts);
}

static void place(struct timers *ts, size_t i, struct timer *t)
{
	ts->heap[i] = t;
	t->idx = i + 1;
}

static void sift_up(struct timers *ts, size_t i)
{
	struct timer *t = ts->heap[i];
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (ts->heap[p]->due <= t->due)
			break;
		place(ts, i, ts->heap[p]);
		i = p;
	}
	place(ts, i, t);
}

static void sift_down(struct timers *ts, size_t i)
{
	struct timer *t = ts->heap[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= ts->n)
			break;
		if (c + 1 < ts->n && ts->heap[c + 1]->due < ts->heap[c]->due)
			c++;
		if (ts->heap[c]->due >= t->due)
			break;
		place(ts, i, ts->heap[c]);
		i = c;
	}
	place(ts, i, t);
}

void timer_cancel(struct timers *ts, struct timer *t)
{
	if (!t->idx)
		return;
	size_t i = t->idx - 1;
	t->idx = 0;
	ts->n--;
	if (i == ts->n)
		return;
	place(ts, i, ts->heap[ts->n]);
	/* the moved entry may belong above or below its new place */
	struct timer *m = ts->heap[i];
	sift_down(ts, i);
	sift_up(ts, m->idx - 1);
}

int timer_arm(struct timers *ts, struct timer *t, uint64_t due)
{
	if (t->idx) {
		size_t i = t->idx - 1;
		uint64_t old = t->due;
		t->due = due;
		if (due < old)
			sift_up(ts, i);
		else
			sift_down(ts, i);
		return 0;
	}
	if (ts->n == ts->cap) {
		size_t nc = ts->cap ? ts->cap * 2 : 32;
		struct timer **nh = realloc(ts->heap, nc * sizeof(*nh));
		if (!nh)
			return L2K_ENOMEM;
		ts->heap = nh;
		ts->cap = nc;
	}
	t->due = due;
	place(ts, ts->n++, t);
	sift_up(ts, ts->n - 1);
	return 0;
}

uint64_t timers_next(const struct timers *ts)
{
	return ts->n ? ts->heap[0]->due : UINT64_MAX;
}

void timers_run(struct timers *ts, uint64_t now)
{
	while (ts->n && ts->heap[0]->due <= now) {
		struct timer *t = ts->heap[0];
		timer_cancel(ts, t);
		t->fire(t, now);
	}
}
