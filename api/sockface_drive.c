/* The socket face: who runs the engine of a started stack, and how threads wait and wake.
 *
 * The engine runs on one thread at a time, under the stack mutex: in a step (l2k_step: the
 * transport's packets in, the timers) or in a socket call.  Between steps one thread waits on
 * the transport's descriptor and the wakeup pipe (epoll where there is one, with both
 * descriptors registered once; else poll), with the time to the next timer as its timeout.
 *
 * That thread is the stack's own loop thread, or a caller.  A caller blocked in a socket call
 * (l2k_recv waiting for data, l2k_send waiting for room, ...) has nothing else to do: it runs
 * the engine itself while it waits (it is "the driver"), so the SDU it waits for reaches it
 * without a hand-off between two threads, and the loop thread sleeps ("parked").  Every SDU
 * handed from the loop thread to a blocked reader cost a futex wake for the loop thread and a
 * context switch for the reader; a reader that drives gets its SDU from its own step.
 *
 * The loop thread gives the descriptors to a blocked caller after one of its steps (the caller
 * is posted, and from then on polls); the role stays with that thread when its call returns,
 * so that a reader calling l2k_recv again and again keeps it.  A caller that must wait while
 * the driver is away takes the role at once; a driver ending a call hands it to a caller that
 * waits.  A driver that stays away (busy with something else, or gone) must not leave the
 * stack unserved: the parked loop thread looks every SF_AWAY_MS ms, up to every SF_LOOK_MAX_MS
 * while the driver is in and out of its calls, runs the timers that come due while it is away,
 * and takes the descriptors back once it has been away SF_AWAY_MS (so packets wait at most
 * SF_LOOK_MAX_MS + SF_AWAY_MS, timers not at all).  A driver that sits in one wait (an idle
 * link) lets the loop thread sleep without a deadline; it posts the loop thread when its wait
 * ends.  While input keeps coming the driver's wait is the transport's own read
 * (wait_input).  Transports without a descriptor (the in-process simulator) are always run by
 * the loop thread.
 *
 * Callers that wait (and are not the driver) sleep on their own semaphore (struct sf_sleep),
 * chosen under the stack mutex and posted after it is let go, and only when what they wait for
 * may have come (their ready predicate); the driver, waiting on the descriptors, is woken
 * through the wakeup pipe instead.  The pipe is written only when the waiting thread must look
 * again: a call that armed a timer due before the end of its wait, or queued output it does not
 * wait to write (sockface_wake). */
#define _GNU_SOURCE /* PTHREAD_MUTEX_ADAPTIVE_NP where the C library has it (glibc) */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/sockface_int.h"
#ifdef SF_EPOLL /* (said by api/sockface_int.h) */
#include <sys/epoll.h>
#endif

#define LOOP_MAX_WAIT_MS 1000
#define LOOP_NOFD_WAIT_MS 1 /* transports without a descriptor (the in-process simulator) */
/* A driver away from its calls this long gives the descriptors back to the loop thread; the
 * parked loop thread looks this often while the driver comes and goes. */
#define SF_AWAY_MS 2
/* While the driver keeps coming and going the parked loop thread looks less and less often, up
 * to this (ms): a driver that then stays away is noticed this much later at most. */
#define SF_LOOK_MAX_MS 8
/* While input keeps coming, a driver waits in the transport's own read (one system call where
 * waiting on the descriptor and then reading take two), at most this long: the pipe does not
 * reach it there, so what another thread changes meanwhile (a timer due sooner, l2k_stop) is
 * seen at the next packet, or this much later.  A read that times out sends the next wait back
 * to the descriptor and the pipe. */
#define SF_BLOCK_MS 20

/* This thread's token (its address differs between live threads). */
static _Thread_local char tl_token;
/* The stack whose engine this thread runs now (the loop thread; a driver inside its step). */
static _Thread_local struct sockface *tl_loop_sf;

bool sockface_on_loop_thread(const struct sockface *sf)
{
	return tl_loop_sf == sf;
}

/* ---- a thread's sleep (struct sf_sleep) ----------------------------------------------------
 * One wake-up is one futex wake for the waker and the end of one futex wait for the sleeper.
 * A condition variable costs more: the woken thread re-takes the mutex of the wait, which glibc
 * then marks contended, so its unlock is one more futex call. */

static void sleep_init(struct sf_sleep *sl)
{
#ifdef SF_SLEEP_SEM
	sem_init(&sl->sem, 0, 0);
#else
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sl->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&sl->m, NULL);
	sl->posted = false;
#endif
}

static void sleep_destroy(struct sf_sleep *sl)
{
#ifdef SF_SLEEP_SEM
	sem_destroy(&sl->sem);
#else
	pthread_cond_destroy(&sl->cv);
	pthread_mutex_destroy(&sl->m);
#endif
}

/* The sleeper may destroy sl as soon as it sees the post: nothing touches sl after that.  (glibc's
 * sem_post is one atomic add, then a futex wake on the address; the condition variable is
 * signalled before its mutex is let go.) */
static void sleep_post(struct sf_sleep *sl)
{
#ifdef SF_SLEEP_SEM
	sem_post(&sl->sem);
#else
	pthread_mutex_lock(&sl->m);
	sl->posted = true;
	pthread_cond_signal(&sl->cv);
	pthread_mutex_unlock(&sl->m);
#endif
}

#ifndef SF_SLEEP_SEM
static uint64_t ms_until(const struct timespec *dl);

/* pthread_cond_timedwait until dl on CLOCK_MONOTONIC (the clock sleep_init gave the condition
 * variable).  winpthreads takes the condition variable's clock but waits on the real-time
 * clock whatever it is: there the wait is made relative. */
static int cond_wait_until(pthread_cond_t *cv, pthread_mutex_t *m, const struct timespec *dl)
{
#ifdef _WIN32
	uint64_t ms = ms_until(dl);
	if (ms == 0)
		return ETIMEDOUT;
	struct timespec rel = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
	int r = pthread_cond_timedwait_relative_np(cv, m, &rel);
	return r == ETIMEDOUT && ms_until(dl) > 0 ? 0 : r; /* (woken early: the caller waits again) */
#else
	return pthread_cond_timedwait(cv, m, dl);
#endif
}
#endif

/* Sleep until posted or the deadline dl (CLOCK_MONOTONIC; NULL: none): true when posted. */
static bool sleep_wait(struct sf_sleep *sl, const struct timespec *dl)
{
#ifdef SF_SLEEP_SEM
	for (;;) {
		int r = dl ? sem_clockwait(&sl->sem, CLOCK_MONOTONIC, dl) : sem_wait(&sl->sem);
		if (r == 0)
			return true;
		if (errno != EINTR)
			return false;
	}
#else
	int r = 0;
	pthread_mutex_lock(&sl->m);
	while (!sl->posted && r == 0) /* (spurious wake-ups wait again) */
		r = dl ? cond_wait_until(&sl->cv, &sl->m, dl) : pthread_cond_wait(&sl->cv, &sl->m);
	bool posted = sl->posted;
	sl->posted = false;
	pthread_mutex_unlock(&sl->m);
	return posted;
#endif
}

/* Milliseconds from now until dl on the monotonic clock, rounded up (0 once passed). */
static uint64_t ms_until(const struct timespec *dl)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t ns = ((int64_t)dl->tv_sec - (int64_t)now.tv_sec) * 1000000000LL + (dl->tv_nsec - now.tv_nsec);
	return ns <= 0 ? 0 : (uint64_t)((ns + 999999) / 1000000);
}

/* ---- the wait on the descriptors ---------------------------------------------------------- */

int sockface_drive_init(struct sockface *sf)
{
	struct sf_pollset *ps = &sf->ps;
	ps->ep = ps->fd = -1;
	ps->out = false;
	sleep_init(&sf->loop_sl);
#ifdef SF_EPOLL
	ps->ep = epoll_create1(EPOLL_CLOEXEC);
	if (ps->ep >= 0) {
		struct epoll_event ev = {.events = EPOLLIN, .data.fd = sf->wake_r};
		if (epoll_ctl(ps->ep, EPOLL_CTL_ADD, sf->wake_r, &ev) < 0) {
			close(ps->ep);
			ps->ep = -1; /* poll() then */
		}
	}
#endif
	return 0;
}

void sockface_drive_free(struct sockface *sf)
{
	if (sf->ps.ep >= 0)
		close(sf->ps.ep);
	sf->ps.ep = -1;
	sleep_destroy(&sf->loop_sl);
}

/* Lock held: wait for the transport descriptor fd (-1: none) to be readable, and writable when
 * out.  The registration changes only when these do (rarely: writability while the descriptor
 * is full). */
static void pollset_set(struct sf_pollset *ps, int fd, bool out)
{
#ifdef SF_EPOLL
	if (ps->ep < 0 || (fd == ps->fd && out == ps->out))
		return;
	if (ps->fd >= 0 && fd != ps->fd)
		epoll_ctl(ps->ep, EPOLL_CTL_DEL, ps->fd, NULL); /* (fails harmlessly once it is closed) */
	if (fd >= 0) {
		struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0u), .data.fd = fd};
		if (epoll_ctl(ps->ep, fd == ps->fd ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(ps->ep); /* cannot be watched this way: poll() from now on */
			ps->ep = -1;
		}
	}
	ps->fd = fd;
	ps->out = out;
#else
	(void)ps;
	(void)fd;
	(void)out;
#endif
}

/* Unlocked: wait until the pipe or fd (for reading; writing too when out) is ready, or
 * timeout_ms: true when fd is.  EINTR and failures return early: the caller steps and looks
 * again. */
static bool pollset_wait(struct sockface *sf, int fd, bool out, int timeout_ms)
{
#ifdef SF_EPOLL
	if (sf->ps.ep >= 0) {
		struct epoll_event ev[2];
		int n = epoll_wait(sf->ps.ep, ev, 2, timeout_ms);
		for (int i = 0; i < n; i++)
			if (fd >= 0 && ev[i].data.fd == fd)
				return true;
		return false;
	}
#endif
	struct pollfd pf[2];
	unsigned np = 0;
	pf[np++] = (struct pollfd){.fd = sf->wake_r, .events = POLLIN};
	if (fd >= 0)
		pf[np++] = (struct pollfd){.fd = fd, .events = (short)(POLLIN | (out ? POLLOUT : 0))};
	return l2k_os_poll(pf, np, timeout_ms) > 0 && np > 1 && pf[1].revents;
}

static void pipe_wake(struct sockface *sf)
{
	if (!sf->wake_pending) {
		sf->wake_pending = true;
		sf->stats.pipe_writes++;
		l2k_os_wake_put(sf->wake_w);
	}
}

static void pipe_drain(struct sockface *sf)
{
	if (sf->wake_pending) {
		l2k_os_wake_drain(sf->wake_r);
		sf->wake_pending = false;
	}
}

/* Post the parked loop thread (lock held). */
static void kick_loop(struct sockface *sf)
{
	if (sf->loop_parked && !sf->loop_kicked) {
		sf->loop_kicked = true;
		sleep_post(&sf->loop_sl);
	}
}

void sockface_wake(struct sockface *sf)
{
	l2k_stack *s = sf->s;
	if (sf->stop) {
		pipe_wake(sf);
		kick_loop(sf);
		return;
	}
	if (sf->polling) {
		/* (a driver in the transport's read looks again within SF_BLOCK_MS) */
		if (!sf->drv_blocking && ((!sf->poll_out && l2k_fd_wants_write(s)) || l2k_next_due(s) < sf->poll_due))
			pipe_wake(sf);
	} else if (sf->loop_parked && l2k_next_due(s) < sf->loop_due) {
		kick_loop(sf); /* a timer the loop thread runs (the driver is away) comes due sooner */
	}
}

/* ---- waking the waiters ------------------------------------------------------------------- */

void sockface_mark(struct sockface *sf)
{
	sf->dirty = true;
}

/* Wake the waiters when there is a reason: not after every step (a sender waiting for room
 * would wake at every completed ACL packet: a futex storm), only after a change, and then only
 * those whose call may now go on (a reader waits for data, not for the sends of the writer on
 * the same socket); those waiting on the engine's progress wake after every step where their
 * predicate holds.  A waiter handed the driver's role is posted too.  The driver waiting on the
 * descriptors is woken through the pipe. */
static struct sf_waiter *to_wake(struct sockface *sf, bool all)
{
	bool dirty = sf->dirty;
	sf->dirty = false;
	struct sf_waiter *list = NULL;
	for (struct sf_waiter *w = sf->waiters; w; w = w->next) {
		if (w->woken)
			continue;
		bool ready = !w->ready || w->ready(w->arg);
		if (!(all || w->drive || ((w->step || dirty) && ready)))
			continue;
		w->woken = true; /* from here on its thread waits for the post (wait_on) */
		sf->stats.posts++;
		if (w->polling) {
			pipe_wake(sf);
			continue;
		}
		w->wake_next = list;
		list = w;
	}
	return list;
}

static void post_all(struct sf_waiter *list)
{
	while (list) {
		struct sf_waiter *next = list->wake_next; /* (list may be gone once posted) */
		sleep_post(&list->sl);
		list = next;
	}
}

void sockface_changed(struct sockface *sf)
{
	post_all(to_wake(sf, false));
}

/* The woken thread's first act is to take the mutex: posting after the unlock spares it finding
 * the mutex still held (a futex wait, and a futex wake for the one who unlocks). */
void sockface_changed_unlock(struct sockface *sf)
{
	struct sf_waiter *list = to_wake(sf, false);
	pthread_mutex_unlock(&sf->lock);
	post_all(list);
}

void sockface_wake_all(struct sockface *sf)
{
	post_all(to_wake(sf, true));
}

static void hand_over(struct sockface *sf);

/* End of a socket call: the call may have run the engine (callbacks do not wake anyone).  A
 * driver going back to its own work hands the descriptors to another caller that waits, if
 * there is one (a blocked reader while the writer that drove goes on writing): that one would
 * otherwise wait for the loop thread to notice the driver is away. */
void sockface_leave(struct sockface *sf)
{
	if (sf->drv == &tl_token && !sf->drv_polling)
		hand_over(sf);
	sockface_changed_unlock(sf);
}

static void waiter_link(struct sockface *sf, struct sf_waiter *w)
{
	w->prev = NULL;
	w->next = sf->waiters;
	if (w->next)
		w->next->prev = w;
	sf->waiters = w;
}

static void waiter_unlink(struct sockface *sf, struct sf_waiter *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		sf->waiters = w->next;
	if (w->next)
		w->next->prev = w->prev;
}

/* ---- running the engine ------------------------------------------------------------------- */

/* Lock held: one step of the engine on this thread (the loop thread or a driver). */
static void step_here(struct sockface *sf, bool loop)
{
	struct sockface *prev = tl_loop_sf;
	tl_loop_sf = sf; /* callbacks run here: socket calls from them are refused, not deadlocked */
	int r = l2k_step(sf->s);
	tl_loop_sf = prev;
	if (loop)
		sf->stats.loop_steps++;
	else
		sf->stats.caller_steps++;
	if (r < 0 && !sf->failed)
		sockface_transport_failed(sf, r);
}

/* A caller may run the engine: there is a descriptor to wait on. */
static bool can_drive(struct sockface *sf)
{
	return !sf->stop && !sf->failed && l2k_fd(sf->s) >= 0;
}

/* How long the thread waiting on the descriptors may wait: until the next timer, at most
 * LOOP_MAX_WAIT_MS (a wait forever would also do; this bounds a lost wake-up). */
static uint64_t wait_ms(struct sockface *sf, uint64_t now)
{
	uint64_t due = sf->failed ? UINT64_MAX : l2k_next_due(sf->s);
	uint64_t wait = due == UINT64_MAX ? LOOP_MAX_WAIT_MS : (due > now ? due - now : 0);
	return wait > LOOP_MAX_WAIT_MS ? LOOP_MAX_WAIT_MS : wait;
}

/* The caller w (its thread is sf->drv) waits on the descriptors and runs one step: 0 (look
 * again), L2K_ETIMEDOUT once dl passed. */
static int drive(struct sockface *sf, struct sf_waiter *w, int timeout_ms, const struct timespec *dl)
{
	l2k_stack *s = sf->s;
	int fd = l2k_fd(s);
	bool out = l2k_fd_wants_write(s);
	uint64_t now = l2k_stack_now(s);
	uint64_t wait = wait_ms(sf, now);
	if (timeout_ms > 0) {
		uint64_t left = ms_until(dl);
		if (left < wait)
			wait = left;
	}
	/* input keeps coming, nothing waits to be written: wait in the transport's read */
	bool blocking = sf->drv_busy && !out && transport_can_wait_input(s->tr);
	if (blocking && wait > SF_BLOCK_MS)
		wait = SF_BLOCK_MS;
	pollset_set(&sf->ps, fd, out); /* (also for the fallback below) */
	struct sf_waiter *list = to_wake(sf, false); /* (before w is on the list: not itself) */
	w->polling = true;
	waiter_link(sf, w);
	sf->polling = true;
	sf->poll_due = now + wait;
	sf->poll_out = out;
	sf->drv_polling = true;
	sf->drv_blocking = blocking;
	sf->drv_seq++;
	pthread_mutex_unlock(&sf->lock);
	post_all(list);
	int got = blocking ? transport_wait_input(s->tr, (int)wait) : L2K_ENOTSUP;
	if (got == L2K_ENOTSUP) {
		blocking = false;
		got = pollset_wait(sf, fd, out, (int)wait);
	}
	pthread_mutex_lock(&sf->lock);
	if (blocking)
		sf->stats.blocking_reads++;
	sf->polling = false;
	sf->drv_polling = false;
	sf->drv_blocking = false;
	sf->drv_busy = got > 0;
	waiter_unlink(sf, w);
	pipe_drain(sf);
	if (!sf->stop && sf->running)
		step_here(sf, false);
	sf->drv_left = l2k_stack_now(s);
	if (sf->loop_long)
		kick_loop(sf); /* the loop thread sleeps without a deadline: it looks again from now */
	if (timeout_ms > 0 && ms_until(dl) == 0)
		return L2K_ETIMEDOUT;
	return 0;
}

/* Wait until woken (sockface_changed: a change that makes ready(arg) true, any change when
 * ready is NULL, every step when step; sockface_wake_all) or the deadline: 0, L2K_EAGAIN
 * (timeout_ms 0), L2K_ETIMEDOUT, L2K_ENETDOWN (no thread).  The caller looks again either way.
 * The driver waits on the descriptors and runs a step instead (drive).
 *
 * Others sleep on their own sf_sleep, not in pthread_cond_wait on the stack mutex: a thread
 * woken from there re-takes that mutex at once, while the thread that woke it (at the end of a
 * step) still holds it, which costs two more futex calls and a sleep per wake-up.  Here the
 * woken thread takes the stack mutex with an ordinary lock, which spins briefly (adaptive
 * mutex) while the other thread finishes unlocking. */
static int wait_on(struct sockface *sf, int timeout_ms, const struct timespec *dl, bool step,
		   bool (*ready)(const void *arg), const void *arg)
{
	if (timeout_ms == 0)
		return L2K_EAGAIN;
	if (!sf->running)
		return L2K_ENETDOWN;
	struct sf_waiter w = {.ready = ready, .arg = arg, .step = step, .me = &tl_token};
	if (sf->drv && sf->drv != w.me && !sf->drv_polling && can_drive(sf))
		sf->drv = w.me; /* the driver is away (its own work): this caller takes the role */
	if (sf->drv == w.me) {
		if (can_drive(sf))
			return drive(sf, &w, timeout_ms, dl);
		sf->drv = NULL; /* nothing to wait on (failed, stopping): the loop thread's again */
		kick_loop(sf);
	}
	w.may_drive = can_drive(sf);
	sleep_init(&w.sl);
	waiter_link(sf, &w);
	/* (a post between the unlock and the sleep is kept by the sleep: nothing is lost) */
	pthread_mutex_unlock(&sf->lock);
	bool posted = sleep_wait(&w.sl, timeout_ms < 0 ? NULL : dl);
	pthread_mutex_lock(&sf->lock);
	if (w.woken && !posted)
		sleep_wait(&w.sl, NULL); /* timed out as it was being woken: the post is on its way */
	waiter_unlink(sf, &w);
	sleep_destroy(&w.sl);
	return w.woken ? 0 : L2K_ETIMEDOUT;
}

int sockface_wait(struct sockface *sf, int timeout_ms, const struct timespec *dl, bool step)
{
	return wait_on(sf, timeout_ms, dl, step, NULL, NULL);
}

int sockface_wait_until(struct sockface *sf, int timeout_ms, const struct timespec *dl,
			bool (*ready)(const void *arg), const void *arg)
{
	return wait_on(sf, timeout_ms, dl, false, ready, arg);
}

static int more(int r, bool *timed_out)
{
	if (r == L2K_ETIMEDOUT) {
		*timed_out = true; /* the caller looks once more, then gets L2K_ETIMEDOUT */
		return 0;
	}
	return r < 0 ? r : 0;
}

int sockface_wait_more(struct sockface *sf, int timeout_ms, const struct timespec *dl, bool *timed_out, bool step)
{
	if (*timed_out)
		return L2K_ETIMEDOUT;
	return more(wait_on(sf, timeout_ms, dl, step, NULL, NULL), timed_out);
}

int sockface_wait_more_until(struct sockface *sf, int timeout_ms, const struct timespec *dl, bool *timed_out,
			     bool (*ready)(const void *arg), const void *arg)
{
	if (*timed_out)
		return L2K_ETIMEDOUT;
	return more(wait_on(sf, timeout_ms, dl, false, ready, arg), timed_out);
}

int sockface_wait_more_step_until(struct sockface *sf, int timeout_ms, const struct timespec *dl, bool *timed_out,
				  bool (*ready)(const void *arg), const void *arg)
{
	if (*timed_out)
		return L2K_ETIMEDOUT;
	return more(wait_on(sf, timeout_ms, dl, true, ready, arg), timed_out);
}

/* ---- the loop thread ---------------------------------------------------------------------- */

/* After a step of the loop thread, or when the driver leaves: a caller that waits and may drive
 * takes the descriptors (it is posted at the unlock). */
static void hand_over(struct sockface *sf)
{
	for (struct sf_waiter *w = sf->waiters; w; w = w->next) {
		if (w->may_drive && !w->woken) {
			w->drive = true;
			sf->drv = w->me;
			sf->drv_polling = false;
			sf->drv_left = l2k_stack_now(sf->s);
			sf->stats.handovers++;
			return;
		}
	}
}

/* The loop thread sleeps while a caller drives: without a deadline while the driver sits in one
 * long wait (it posts when that ends), else until SF_AWAY_MS after the driver left its last wait
 * (or SF_AWAY_MS from now while it is in and out of its waits), or until the next timer while
 * the driver is away.  *seen: the driver's waits counted at the last look. */
static void park(struct sockface *sf, uint64_t *seen)
{
	l2k_stack *s = sf->s;
	uint64_t now = l2k_stack_now(s), due;
	bool forever = false;
	if (sf->drv_polling) {
		forever = sf->drv_seq == *seen; /* in the same wait as at the last look: idle */
		if (forever || sf->loop_look_ms < SF_AWAY_MS)
			sf->loop_look_ms = SF_AWAY_MS;
		else if (sf->loop_look_ms < SF_LOOK_MAX_MS)
			sf->loop_look_ms *= 2; /* busy, in and out of its waits */
		due = now + sf->loop_look_ms;
	} else {
		sf->loop_look_ms = SF_AWAY_MS;
		due = sf->drv_left + SF_AWAY_MS;
		uint64_t t = l2k_next_due(s);
		if (t < due)
			due = t;
		if (due <= now)
			due = now + 1;
	}
	*seen = sf->drv_seq;
	sf->loop_parked = true;
	sf->loop_long = forever;
	sf->loop_due = forever ? UINT64_MAX : due;
	sf->loop_kicked = false;
	struct timespec dl;
	sockface_deadline(&dl, (int)(due - now));
	sockface_changed_unlock(sf); /* (posts a waiter handed the driver's role) */
	bool posted = sleep_wait(&sf->loop_sl, forever ? NULL : &dl);
	pthread_mutex_lock(&sf->lock);
	if (sf->loop_kicked && !posted)
		sleep_wait(&sf->loop_sl, NULL); /* the post came with the deadline: take it */
	sf->loop_parked = false;
	sf->loop_long = false;
	sf->loop_kicked = false;
	sf->stats.loop_wakes++;
}

void *sockface_loop_main(void *arg)
{
	struct sockface *sf = arg;
	l2k_stack *s = sf->s;
	tl_loop_sf = sf;
	uint64_t seen = 0;
	pthread_mutex_lock(&sf->lock);
	while (!sf->stop) {
		if (sf->drv && !sf->drv_polling) {
			uint64_t now = l2k_stack_now(s);
			if (!can_drive(sf) || now >= sf->drv_left + SF_AWAY_MS) {
				sf->drv = NULL; /* away too long: the descriptors are the loop thread's again */
				sf->stats.takeovers++;
			} else if (l2k_next_due(s) <= now) {
				step_here(sf, true); /* the timers while the driver is away */
			}
		}
		if (!sf->drv) {
			step_here(sf, true);
			if (can_drive(sf))
				hand_over(sf);
		}
		if (sf->drv) {
			park(sf, &seen);
			continue;
		}
		int fd = sf->failed ? -1 : l2k_fd(s);
		bool out = fd >= 0 && l2k_fd_wants_write(s);
		uint64_t now = l2k_stack_now(s);
		uint64_t wait = wait_ms(sf, now);
		if (fd < 0 && !sf->failed && wait > LOOP_NOFD_WAIT_MS)
			wait = LOOP_NOFD_WAIT_MS; /* a peer on the same air gives no descriptor event */
		pollset_set(&sf->ps, fd, out);
		sf->polling = true;
		sf->poll_due = now + wait;
		sf->poll_out = out;
		sockface_changed_unlock(sf); /* (the wake-ups last: the woken find the mutex free) */
		pollset_wait(sf, fd, out, (int)wait);
		pthread_mutex_lock(&sf->lock);
		sf->polling = false;
		pipe_drain(sf);
	}
	pthread_mutex_unlock(&sf->lock);
	return NULL;
}
