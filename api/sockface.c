/* The socket face: blocking / non-blocking, thread-safe sockets on the engine's channels.
 *
 * l2k_start() starts a thread that runs the stack: it steps the engine with the stack mutex held
 * and releases it while it polls the transport descriptor, a wakeup pipe and the next timer.
 * Every socket-face call takes the same mutex, so the engine only ever runs on one thread at a
 * time; a call that may have queued output (or changed a timer) writes to the wakeup pipe so
 * the loop recomputes its poll set.  Blocked callers wait on one condition variable per stack,
 * broadcast after each loop step and at the end of each socket call (the channel callbacks do
 * not wake anyone themselves: a step delivering 300 SDUs wakes a reader once, not 300 times).
 *
 * A socket sits on an l2k_chan through the event callbacks (they run with the mutex held):
 * received SDUs go into a bounded ring per socket; past opts.rx_queue_bytes the channel is put
 * on hold (ch->rx_hold: credit modes stop returning credits, the windowed modes signal busy,
 * Basic mode holds its link at the HCI host, which stops the controller with controller-to-host
 * flow control), and when the reader drains it below half the hold ends and the mode is told
 * (ops->consumed returns credits, releases the link).  Without flow control (Streaming, and
 * Basic when the controller lacks controller-to-host flow control) the queue takes what arrives
 * up to the bound, then drops and counts.  Each socket has a pipe whose read end is readable
 * exactly while recv / accept would not block.
 *
 * This file: the stack's thread, the channel callbacks and the socket objects; the socket calls
 * are in api/sockface_calls.c.  With api/loop.c these are the only files in core/ that make
 * operating system calls (threads, pipes, poll, the monotonic clock): a port replaces them. */
#define _GNU_SOURCE /* PTHREAD_MUTEX_ADAPTIVE_NP where the C library has it (glibc) */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/sockface_int.h"

/* ---- small OS helpers -------------------------------------------------------------------- */

int sockface_pipe_open(int *r, int *w)
{
	int fds[2];
	if (pipe(fds) < 0)
		return errno == ENOMEM ? L2K_ENOMEM : L2K_ENOBUFS;
	for (int i = 0; i < 2; i++) {
		int fl = fcntl(fds[i], F_GETFL);
		fcntl(fds[i], F_SETFL, fl | O_NONBLOCK);
		fcntl(fds[i], F_SETFD, FD_CLOEXEC);
	}
	*r = fds[0];
	*w = fds[1];
	return 0;
}

void sockface_pipe_put(int w)
{
	char c = 1;
	while (write(w, &c, 1) < 0 && errno == EINTR)
		;
}

void sockface_pipe_drain(int r)
{
	char b[64];
	for (;;) {
		ssize_t n = read(r, b, sizeof(b));
		if (n > 0)
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		break;
	}
}

void sockface_deadline(struct timespec *ts, int timeout_ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	if (timeout_ms <= 0)
		return;
	ts->tv_sec += timeout_ms / 1000;
	ts->tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* ---- stack-level helpers (lock held) ------------------------------------------------------ */

void sockface_wake(struct sockface *sf)
{
	if (!sf->wake_pending) {
		sf->wake_pending = true;
		sockface_pipe_put(sf->wake_w);
	}
}

void sockface_mark(struct sockface *sf)
{
	sf->dirty = true;
}

/* Wake the waiters when there is a reason: not after every step (a sender waiting for room
 * would wake at every completed ACL packet: a futex storm), only after a change, and then only
 * those whose call may now go on (a reader waits for data, not for the sends of the writer on
 * the same socket); those waiting on the engine's progress wake after every step. */
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
		r = dl ? pthread_cond_timedwait(&sl->cv, &sl->m, dl) : pthread_cond_wait(&sl->cv, &sl->m);
	bool posted = sl->posted;
	pthread_mutex_unlock(&sl->m);
	return posted;
#endif
}


static struct sf_waiter *to_wake(struct sockface *sf, bool all)
{
	bool dirty = sf->dirty;
	sf->dirty = false;
	struct sf_waiter *list = NULL;
	for (struct sf_waiter *w = sf->waiters; w; w = w->next) {
		if (w->woken)
			continue;
		if (all || w->step || (dirty && (!w->ready || w->ready(w->arg)))) {
			w->woken = true; /* from here on its thread waits for the post (wait_on) */
			w->wake_next = list;
			list = w;
		}
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

/* End of a socket call: the call may have run the engine (callbacks do not wake anyone). */
void sockface_leave(struct sockface *sf)
{
	sockface_changed_unlock(sf);
}

/* The stack whose loop runs on this thread (it holds that stack's mutex in callbacks). */
static _Thread_local struct sockface *tl_loop_sf;

bool sockface_on_loop_thread(const struct sockface *sf)
{
	return tl_loop_sf == sf;
}

/* Wait until woken (sockface_changed: a change that makes ready(arg) true, any change when
 * ready is NULL, every step when step; sockface_wake_all) or the deadline: 0, L2K_EAGAIN
 * (timeout_ms 0), L2K_ETIMEDOUT, L2K_ENETDOWN (no thread).  The caller looks again either way.
 *
 * The thread sleeps on its own sf_sleep, not in pthread_cond_wait on the stack mutex: a thread
 * woken from there re-takes that mutex at once, while the thread that woke it (at the end of a
 * step) still holds it, which costs two more futex calls and a sleep per wake-up.  Here the
 * woken thread takes the stack mutex with an ordinary lock, which spins briefly (adaptive
 * mutex) while the loop thread finishes unlocking. */
static int wait_on(struct sockface *sf, int timeout_ms, const struct timespec *dl, bool step,
		   bool (*ready)(const void *arg), const void *arg)
{
	if (timeout_ms == 0)
		return L2K_EAGAIN;
	if (!sf->running)
		return L2K_ENETDOWN;
	struct sf_waiter w = {.ready = ready, .arg = arg, .step = step};
	sleep_init(&w.sl);
	w.next = sf->waiters;
	if (w.next)
		w.next->prev = &w;
	sf->waiters = &w;
	/* (a post between the unlock and the sleep is kept by the sleep: nothing is lost) */
	pthread_mutex_unlock(&sf->lock);
	bool posted = sleep_wait(&w.sl, timeout_ms < 0 ? NULL : dl);
	pthread_mutex_lock(&sf->lock);
	if (w.woken && !posted)
		sleep_wait(&w.sl, NULL); /* timed out as it was being woken: the post is on its way */
	if (w.prev)
		w.prev->next = w.next;
	else
		sf->waiters = w.next;
	if (w.next)
		w.next->prev = w.prev;
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

/* The error a call reports for a channel that ended for this reason. */
int sockface_reason_err(enum l2k_close_reason r)
{
	switch (r) {
	case L2K_CLOSE_LOCAL: return L2K_ESHUTDOWN;
	case L2K_CLOSE_REMOTE: return L2K_ECONNRESET;
	case L2K_CLOSE_LINK_LOST: return L2K_ELINKLOSS;
	case L2K_CLOSE_REFUSED: return L2K_EREFUSED;
	case L2K_CLOSE_TIMEOUT: return L2K_ETIMEDOUT;
	case L2K_CLOSE_PROTOCOL: return L2K_EPROTO;
	case L2K_CLOSE_MAX_TRANSMIT: return L2K_EMAXTX;
	case L2K_CLOSE_CONFIG_FAILED: return L2K_ECONNABORTED;
	case L2K_CLOSE_LINK_FAILED: return L2K_EHOSTUNREACH;
	case L2K_CLOSE_SECURITY: return L2K_EAUTH;
	}
	return L2K_EIO;
}

/* ---- sockets (lock held) ------------------------------------------------------------------ */

static bool sk_want_readable(const struct l2k_sock *sk)
{
	if (sk->kind == SK_LISTEN) {
		if (sk->sf->failed)
			return true;
		for (const struct l2k_sock *c = sk->bl_head; c; c = c->bl_next)
			if (c->state != SK_CONNECTING)
				return true;
		return false;
	}
	return sk->rxq.count > 0 || sk->state == SK_CLOSED || sk->open_unseen;
}

/* l2k_send would not wait for room: open and not blocked, or it fails at once */
static bool sk_want_sendable(const struct l2k_sock *sk)
{
	if (sk->kind != SK_CHAN || sk->state == SK_CONNECTING)
		return false;
	return sk->state == SK_CLOSED || sk->shut || !sk->tx_blocked;
}

bool sockface_sk_readable(const void *arg)
{
	const struct l2k_sock *sk = arg;
	if (sk->kind == SK_LISTEN)
		return sk_want_readable(sk);
	return sk->rxq.count > 0 || sk->state == SK_CLOSED;
}

bool sockface_sk_sendable(const void *arg)
{
	return sk_want_sendable(arg);
}

void sockface_sk_update(struct l2k_sock *sk)
{
	sockface_mark(sk->sf);
	bool want = sk_want_readable(sk);
	if (sk->fd_r >= 0 && want != sk->readable) {
		if (want)
			sockface_pipe_put(sk->fd_w);
		else
			sockface_pipe_drain(sk->fd_r);
		sk->readable = want;
	}
	if (sk->tx_fd_r >= 0) {
		want = sk_want_sendable(sk);
		if (want != sk->tx_readable) {
			if (want)
				sockface_pipe_put(sk->tx_fd_w);
			else
				sockface_pipe_drain(sk->tx_fd_r);
			sk->tx_readable = want;
		}
	}
}

struct l2k_sock *sockface_sk_new(struct sockface *sf, enum sk_kind kind)
{
	struct l2k_sock *sk = calloc(1, sizeof(*sk));
	if (!sk)
		return NULL;
	sk->sf = sf;
	sk->kind = kind;
	sk->state = SK_CONNECTING;
	sk->fd_r = sk->fd_w = -1; /* the pipes are made when asked for: none per SDU otherwise */
	sk->tx_fd_r = sk->tx_fd_w = -1;
	sk->next = sf->socks;
	if (sf->socks)
		sf->socks->prev = sk;
	sf->socks = sk;
	return sk;
}

void sockface_sk_free(struct l2k_sock *sk)
{
	struct sockface *sf = sk->sf;
	if (sk->prev)
		sk->prev->next = sk->next;
	else
		sf->socks = sk->next;
	if (sk->next)
		sk->next->prev = sk->prev;
	if (sk->fd_r >= 0) {
		close(sk->fd_r);
		close(sk->fd_w);
	}
	if (sk->tx_fd_r >= 0) {
		close(sk->tx_fd_r);
		close(sk->tx_fd_w);
	}
	ring_free(&sk->rxq);
	free(sk);
}

/* Cut the socket from its channel; the channel is disconnected (when disconnect) and the engine
 * finishes and frees it on its own, without calling back. */
void sockface_sk_detach(struct l2k_sock *sk, bool disconnect)
{
	static const struct l2k_chan_cbs none = {0};
	l2k_chan *ch = sk->ch;
	if (!ch)
		return;
	sk->ch = NULL;
	l2k_chan_set_cbs(ch, &none);
	ch->sock = NULL;
	ch->rx_hold = false;
	if (ch->link)
		l2cap_link_rx_hold_update(ch->link, NULL); /* a Basic channel's link goes on */
	if (disconnect)
		l2k_chan_close(ch);
}

void sockface_backlog_unlink(struct l2k_sock *parent, struct l2k_sock *c)
{
	for (struct l2k_sock **pp = &parent->bl_head; *pp; pp = &(*pp)->bl_next)
		if (*pp == c) {
			*pp = c->bl_next;
			break;
		}
	parent->bl_tail = NULL;
	for (struct l2k_sock *x = parent->bl_head; x; x = x->bl_next)
		parent->bl_tail = x;
	parent->backlog_n--;
	c->parent = NULL;
	c->bl_next = NULL;
}

/* Bytes that may still arrive after the hold went on: what the peer may send without asking. */
static size_t rx_slack(const struct l2k_chan *ch)
{
	size_t mtu = (size_t)ch->local_mtu + RING_REC_HDR;
	switch (ch->mode) {
	case L2K_MODE_BASIC:
		/* the SDU that puts the queue past the bound holds the link: nothing follows it */
		return l2cap_basic_rx_flow(ch) ? mtu : 0;
	case L2K_MODE_STREAMING:
		return 0; /* no flow control: queue up to the bound, then drop */
	case L2K_MODE_LE_CREDIT:
	case L2K_MODE_ECFC: {
		/* every credit the peer holds may still come as a K-frame carrying a whole SDU */
		size_t credits = ch->rx_credits > ch->rx_initial ? ch->rx_credits : ch->rx_initial;
		return credits * ((size_t)ch->local_mps + RING_REC_HDR) + mtu;
	}
	default: {
		/* windowed modes: a whole window of I-frames may be in flight */
		size_t seg = ch->local_mps ? ch->local_mps : ch->local_mtu;
		return (size_t)ch->opts.tx_window * (seg + RING_REC_HDR) + mtu;
	}
	}
}

/* Everything l2k_send accepted has left the channel: its queue is empty and, in the modes whose
 * peer acknowledges I-frames (ERTM, Retransmission, Flow Control), all were acknowledged. */
bool sockface_tx_done(const struct l2k_chan *ch)
{
	if (ch->txq.count)
		return false;
	return !ch->ops || !ch->ops->tx_idle || ch->ops->tx_idle(ch);
}

/* ---- channel callbacks (lock held: the loop thread, or a socket call that drove the engine) - */

static void cb_open(void *user, l2k_chan *ch)
{
	struct l2k_sock *sk = user;
	size_t bound = ch->opts.rx_queue_bytes;
	size_t min = 2 * ((size_t)ch->local_mtu + RING_REC_HDR);
	if (bound < min)
		bound = min;
	if (ring_init(&sk->rxq, bound + rx_slack(ch)) < 0) {
		l2k_chan_close(ch); /* closed(L2K_CLOSE_LOCAL) follows */
		return;
	}
	sk->rx_bound = bound;
	sk->ch = ch;
	sk->state = SK_OPEN;
	if (sk->nb_connect)
		sk->open_unseen = true;
	sockface_sk_update(sk);
	if (sk->parent)
		sockface_sk_update(sk->parent);
}

static void cb_recv(void *user, l2k_chan *ch, const uint8_t *sdu, size_t len)
{
	struct l2k_sock *sk = user;
	const uint8_t *parts[1] = {sdu};
	size_t lens[1] = {len};
	if (!sk->rxq.buf || ring_push(&sk->rxq, parts, lens, 1) < 0) {
		/* full: only without flow control (Streaming; Basic without controller-to-host flow
		 * control) or with manual credits; or out of memory */
		sk->rx_dropped++;
		return;
	}
	if (sk->rxq.used > sk->rx_bound)
		ch->rx_hold = true;
	sockface_sk_update(sk);
}

static void cb_send_ready(void *user, l2k_chan *ch)
{
	/* waiting senders are woken after the step that made room; the send descriptor turns
	 * readable now */
	struct l2k_sock *sk = user;
	sk->tx_blocked = false;
	sockface_sk_update(sk);
}

static void sk_mark_closed(struct l2k_sock *sk, l2k_chan *ch, enum l2k_close_reason reason)
{
	l2k_chan_get_info(ch, &sk->info);
	sk->tx_lost = ch->txq.count;
	sk->reason = reason;
	sk->ch = NULL;
	ch->sock = NULL;
	sk->state = SK_CLOSED;
}

static void cb_closed(void *user, l2k_chan *ch, enum l2k_close_reason reason)
{
	struct l2k_sock *sk = user;
	bool was_open = sk->state == SK_OPEN;
	sk_mark_closed(sk, ch, reason);
	if (sk->parent) {
		struct l2k_sock *parent = sk->parent;
		if (!was_open) {
			/* never opened: nothing for accept to return */
			sockface_backlog_unlink(parent, sk);
			sockface_sk_free(sk);
		} else {
			sockface_sk_update(sk); /* accept still returns it: its data, then the end */
		}
		sockface_sk_update(parent);
	} else {
		sockface_sk_update(sk);
	}
}

void sockface_sk_set_cbs(struct l2k_sock *sk, struct l2k_chan_cbs *cbs)
{
	memset(cbs, 0, sizeof(*cbs));
	cbs->user = sk;
	cbs->open = cb_open;
	cbs->recv = cb_recv;
	cbs->send_ready = cb_send_ready;
	cbs->closed = cb_closed;
}

int sockface_accept_cb(void *user, const struct l2k_conn_request *rq, struct l2k_chan_opts *opts,
		     struct l2k_chan_cbs *cbs)
{
	struct l2k_sock *ls = user;
	if (ls->backlog_n >= ls->backlog_max)
		return L2K_RESULT_NO_RESOURCES;
	if (ls->held_max && ls->backlog_n + ls->accepted_n >= ls->held_max)
		return L2K_RESULT_NO_RESOURCES; /* l2k_listen_limit: the application serves no more */
	struct l2k_sock *c = sockface_sk_new(ls->sf, SK_CHAN);
	if (!c)
		return L2K_RESULT_NO_RESOURCES;
	c->ch = rq->chan;
	rq->chan->sock = c;
	c->parent = ls;
	if (ls->bl_tail)
		ls->bl_tail->bl_next = c;
	else
		ls->bl_head = c;
	ls->bl_tail = c;
	ls->backlog_n++;
	sockface_sk_set_cbs(c, cbs);
	return 0;
}

/* A socket's pipe (fd_r / fd_w or tx_fd_r / tx_fd_w), made on the first call. */
static int sk_pipe(l2k_sock *sk, int *r_end, int *w_end)
{
	struct sockface *sf = sk->sf;
	bool locked = !sockface_on_loop_thread(sf); /* from a callback the mutex is ours already */
	if (locked)
		pthread_mutex_lock(&sf->lock);
	int r = 0;
	if (*r_end < 0) {
		r = sockface_pipe_open(r_end, w_end);
		if (r < 0)
			*r_end = *w_end = -1;
		else
			sockface_sk_update(sk);
	}
	if (r == 0)
		r = *r_end;
	if (locked)
		pthread_mutex_unlock(&sf->lock);
	return r;
}

int l2k_sock_fd(l2k_sock *sk)
{
	if (!sk)
		return L2K_EINVAL;
	return sk_pipe(sk, &sk->fd_r, &sk->fd_w);
}

int l2k_sock_send_fd(l2k_sock *sk)
{
	if (!sk || sk->kind != SK_CHAN)
		return L2K_EINVAL;
	return sk_pipe(sk, &sk->tx_fd_r, &sk->tx_fd_w);
}

/* ---- the loop thread ---------------------------------------------------------------------- */

/* The transport is gone: every channel socket ends (link lost), listeners report the error. */
static void sf_transport_failed(struct sockface *sf, int err)
{
	sf->failed = err;
	for (struct l2k_sock *sk = sf->socks, *next; sk; sk = next) {
		next = sk->next;
		if (sk->kind != SK_CHAN || !sk->ch)
			continue;
		l2k_chan *ch = sk->ch;
		bool was_open = sk->state == SK_OPEN;
		sockface_sk_detach(sk, false);
		sk->ch = ch; /* for the snapshot */
		sk_mark_closed(sk, ch, L2K_CLOSE_LINK_LOST);
		if (sk->parent && !was_open) {
			struct l2k_sock *p = sk->parent;
			sockface_backlog_unlink(p, sk);
			sockface_sk_free(sk);
			sockface_sk_update(p);
			continue;
		}
		sockface_sk_update(sk);
	}
	for (struct l2k_sock *sk = sf->socks; sk; sk = sk->next)
		sockface_sk_update(sk);
	sockface_mark(sf);
	sockface_wake_all(sf);
}

#define LOOP_MAX_WAIT_MS 1000
#define LOOP_NOFD_WAIT_MS 1 /* transports without a descriptor (the in-process simulator) */

static void *loop_main(void *arg)
{
	struct sockface *sf = arg;
	l2k_stack *s = sf->s;
	tl_loop_sf = sf;
	pthread_mutex_lock(&sf->lock);
	while (!sf->stop) {
		int r = l2k_step(s);
		if (r < 0 && !sf->failed)
			sf_transport_failed(sf, r);
		struct pollfd pf[2];
		nfds_t np = 0;
		pf[np].fd = sf->wake_r;
		pf[np].events = POLLIN;
		pf[np++].revents = 0;
		int fd = sf->failed ? -1 : l2k_fd(s);
		if (fd >= 0) {
			pf[np].fd = fd;
			pf[np].events = (short)(POLLIN | (l2k_fd_wants_write(s) ? POLLOUT : 0));
			pf[np++].revents = 0;
		}
		uint64_t due = sf->failed ? UINT64_MAX : l2k_next_due(s);
		uint64_t now = l2k_stack_now(s);
		uint64_t wait = due == UINT64_MAX ? LOOP_MAX_WAIT_MS : (due > now ? due - now : 0);
		if (wait > LOOP_MAX_WAIT_MS)
			wait = LOOP_MAX_WAIT_MS;
		if (fd < 0 && !sf->failed && wait > LOOP_NOFD_WAIT_MS)
			wait = LOOP_NOFD_WAIT_MS; /* a peer on the same air gives no descriptor event */
		sockface_changed_unlock(sf); /* (the wake-ups last: the woken find the mutex free) */
		/* always through poll, even for 0 ms: lets waiting callers take the lock */
		poll(pf, np, (int)wait); /* EINTR or a failure: step again anyway */
		pthread_mutex_lock(&sf->lock);
		if (sf->wake_pending) {
			sockface_pipe_drain(sf->wake_r);
			sf->wake_pending = false;
		}
	}
	pthread_mutex_unlock(&sf->lock);
	return NULL;
}

/* ---- start / stop ------------------------------------------------------------------------- */

static struct sockface *sf_create(l2k_stack *s)
{
	struct sockface *sf = calloc(1, sizeof(*sf));
	if (!sf)
		return NULL;
	sf->s = s;
	if (sockface_pipe_open(&sf->wake_r, &sf->wake_w) < 0) {
		free(sf);
		return NULL;
	}
	pthread_mutexattr_t ma;
	pthread_mutexattr_init(&ma);
#if defined(__GLIBC__) && defined(PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP)
	/* glibc: spin a little before sleeping; the loop thread holds the mutex only for short
	 * steps, so a woken caller usually gets it without a futex wait */
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ADAPTIVE_NP);
#endif
	pthread_mutex_init(&sf->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	return sf;
}

int l2k_start(l2k_stack *s)
{
	if (!s)
		return L2K_EINVAL;
	if (s->virtual_clock)
		return L2K_EINVAL; /* a virtual clock is driven by its owner, not by a thread */
	if (!s->sf) {
		s->sf = sf_create(s);
		if (!s->sf)
			return L2K_ENOMEM;
	}
	struct sockface *sf = s->sf;
	pthread_mutex_lock(&sf->lock);
	if (sf->running) {
		pthread_mutex_unlock(&sf->lock);
		return L2K_EALREADY;
	}
	sf->stop = false;
	sf->running = true;
	if (pthread_create(&sf->thread, NULL, loop_main, sf) != 0) {
		sf->running = false;
		pthread_mutex_unlock(&sf->lock);
		return L2K_ENOMEM;
	}
	pthread_mutex_unlock(&sf->lock);
	return 0;
}

void l2k_stop(l2k_stack *s)
{
	struct sockface *sf = s ? s->sf : NULL;
	if (!sf)
		return;
	pthread_mutex_lock(&sf->lock);
	if (!sf->running) {
		pthread_mutex_unlock(&sf->lock);
		return;
	}
	if (pthread_equal(pthread_self(), sf->thread)) {
		/* from a callback on the loop thread: it ends when the callback returns */
		sf->stop = true;
		sf->running = false;
		pthread_detach(sf->thread);
		sockface_wake_all(sf);
		pthread_mutex_unlock(&sf->lock);
		return;
	}
	sf->stop = true;
	sockface_wake(sf);
	pthread_mutex_unlock(&sf->lock);
	pthread_join(sf->thread, NULL);
	pthread_mutex_lock(&sf->lock);
	sf->running = false;
	if (sf->wake_pending) {
		sockface_pipe_drain(sf->wake_r);
		sf->wake_pending = false;
	}
	sockface_wake_all(sf); /* blocked callers return L2K_ENETDOWN */
	pthread_mutex_unlock(&sf->lock);
}

void l2k_lock(l2k_stack *s)
{
	if (s && s->sf && !sockface_on_loop_thread(s->sf)) /* in a callback it is held already */
		pthread_mutex_lock(&s->sf->lock);
}

void l2k_unlock(l2k_stack *s)
{
	if (s && s->sf && !sockface_on_loop_thread(s->sf)) {
		sockface_wake(s->sf);
		sockface_mark(s->sf); /* the caller may have changed anything */
		sockface_changed_unlock(s->sf);
	}
}

void sockface_stack_close(l2k_stack *s)
{
	struct sockface *sf = s->sf;
	if (!sf)
		return;
	l2k_stop(s);
	pthread_mutex_lock(&sf->lock);
	while (sf->socks) {
		struct l2k_sock *sk = sf->socks;
		sockface_sk_detach(sk, false); /* the engine's teardown closes the channel */
		sockface_sk_free(sk);
	}
	pthread_mutex_unlock(&sf->lock);
	close(sf->wake_r);
	close(sf->wake_w);
	pthread_mutex_destroy(&sf->lock);
	free(sf);
	s->sf = NULL;
}
