/* Timers for the L2CAP engine: a binary min-heap of intrusive timer entries, so that finding the
 * next deadline is O(1) and arming/cancelling O(log n) however many channels are open. */
#ifndef L2K_TIMER_H
#define L2K_TIMER_H

#include <stddef.h>
#include <stdint.h>

struct l2k_timer {
	uint64_t due;
	size_t idx; /* position in the heap + 1; 0 = not armed */
	void (*fire)(struct l2k_timer *t, uint64_t now);
};

struct l2k_timers {
	struct l2k_timer **heap;
	size_t n, cap;
};

void l2k_timers_init(struct l2k_timers *ts);
void l2k_timers_free(struct l2k_timers *ts);
/* (Re)arm t to fire at due.  0 or L2K_ENOMEM (the heap grows; it never shrinks). */
int l2k_timer_arm(struct l2k_timers *ts, struct l2k_timer *t, uint64_t due);
void l2k_timer_cancel(struct l2k_timers *ts, struct l2k_timer *t);
static inline int l2k_timer_armed(const struct l2k_timer *t)
{
	return t->idx != 0;
}
uint64_t l2k_timers_next(const struct l2k_timers *ts);
/* Fire every timer due at or before now (each is disarmed before its callback runs). */
void l2k_timers_run(struct l2k_timers *ts, uint64_t now);

#endif
