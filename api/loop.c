/* The run loop: poll(2) over the stacks' transport descriptors plus their timers, and the
 * virtual-clock driver for in-process simulations.  The only file in core/ that makes
 * operating system calls (clocks and poll). */
#include <errno.h>
#include <time.h>

#include "api/stack_internal.h"
#include "base/l2k_os.h"

uint64_t l2k_monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t l2k_realtime_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t l2k_vclock_now(void *vclock)
{
	return ((struct l2k_vclock *)vclock)->now_ms;
}

#define MAX_STACKS 64

int l2k_run_until(l2k_stack **stacks, int n, bool (*done)(void *arg), void *arg, int timeout_ms)
{
	if (n <= 0 || n > MAX_STACKS)
		return L2K_EINVAL;
	uint64_t start = l2k_monotonic_ms();
	for (int i = 0; i < n; i++)
		stacks[i]->stop = false;
	for (;;) {
		for (int i = 0; i < n; i++) {
			int r = l2k_step(stacks[i]);
			if (r < 0)
				return r;
		}
		if (done && done(arg))
			return 0;
		for (int i = 0; i < n; i++)
			if (stacks[i]->stop)
				return 0;
		uint64_t now = l2k_monotonic_ms();
		if (timeout_ms >= 0 && now - start >= (uint64_t)timeout_ms)
			return done ? L2K_ETIMEDOUT : 0;
		/* wait for I/O or the earliest timer */
		struct pollfd pf[MAX_STACKS];
		int np = 0;
		uint64_t due = UINT64_MAX;
		for (int i = 0; i < n; i++) {
			uint64_t d = l2k_next_due(stacks[i]);
			uint64_t sn = l2k_stack_now(stacks[i]);
			/* stacks may run on different clocks: convert to a wait in ms */
			uint64_t wait = d == UINT64_MAX ? UINT64_MAX : (d > sn ? d - sn : 0);
			if (wait != UINT64_MAX && now + wait < due)
				due = now + wait;
			int fd = l2k_fd(stacks[i]);
			if (fd >= 0) {
				pf[np].fd = fd;
				pf[np].events = POLLIN | (l2k_fd_wants_write(stacks[i]) ? POLLOUT : 0);
				pf[np].revents = 0;
				np++;
			}
		}
		if (timeout_ms >= 0 && start + (uint64_t)timeout_ms < due)
			due = start + (uint64_t)timeout_ms;
		int wait_ms = due == UINT64_MAX ? 1000 : (due > now ? (int)(due - now) : 0);
		if (wait_ms > 1000)
			wait_ms = 1000;
		if (l2k_os_poll(pf, (unsigned)np, wait_ms) < 0 && errno != EINTR)
			return L2K_EIO;
	}
}

int l2k_run(l2k_stack *s, int timeout_ms)
{
	return l2k_run_until(&s, 1, NULL, NULL, timeout_ms);
}

static bool is_ready(void *arg)
{
	return ((l2k_stack *)arg)->ready_err <= 0;
}

int l2k_wait_ready(l2k_stack *s, int timeout_ms)
{
	int r;
	if (s->virtual_clock)
		r = l2k_sim_run_until(&s, 1, (struct l2k_vclock *)s->clock_arg, is_ready, s,
				      (uint64_t)(timeout_ms < 0 ? 3600000 : timeout_ms));
	else
		r = l2k_run_until(&s, 1, is_ready, s, timeout_ms);
	if (r < 0)
		return r;
	return s->ready_err;
}

int l2k_sim_run_until(l2k_stack **stacks, int n, struct l2k_vclock *vc, bool (*done)(void *arg),
		      void *arg, uint64_t max_ms)
{
	uint64_t end = vc->now_ms + max_ms;
	for (;;) {
		for (int i = 0; i < n; i++) {
			int r = l2k_step(stacks[i]);
			if (r < 0)
				return r;
		}
		if (done && done(arg))
			return 0;
		uint64_t due = UINT64_MAX;
		for (int i = 0; i < n; i++) {
			uint64_t d = l2k_next_due(stacks[i]);
			if (d < due)
				due = d;
		}
		if (due == UINT64_MAX)
			return done ? L2K_EAGAIN : 0;
		if (due > end) {
			vc->now_ms = end;
			return done ? L2K_ETIMEDOUT : 0;
		}
		if (due > vc->now_ms)
			vc->now_ms = due;
	}
}
