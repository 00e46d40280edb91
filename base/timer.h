/* Timers for the L2CAP engine: a binary min-heap of intrusive timer entries, so that finding the
 * next deadline is O(1) and arming/cancelling O(log n) however many channels are open. */
#ifndef BASE_TIMER_H
#define BASE_TIMER_H

#include <stddef.h>
#include <stdint.h>

struct timer {
	uint64_t due;
	size_t idx; /* position in the heap + 1; 0 = not armed */
	void (*fire)(struct timer *t, uint64_t now);
};

struct timers {
	struct timer **heap;
	size_t n, cap;
};

void timers_init(struct timers *ts);
void timers_free(struct timers *ts);
/* (Re)arm t to fire at due.  0 or L2K_ENOMEM (the heap grows; it never shrinks). */
int timer_arm(struct timers *ts, struct timer *t, uint64_t due);
void timer_cancel(struct timers *ts, struct timer *t);
static inline int timer_armed(const struct timer *t)
{
	return t->idx != 0;
}
uint64_t timers_next(const struct timers *ts);
/* Fire every timer due at or before now (each is disarmed before its callback runs). */
void timers_run(struct timers *ts, uint64_t now);

#endif
