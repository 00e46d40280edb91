/* The socket face: blocking / non-blocking, thread-safe sockets on the engine's channels.
 *
 * l2k_start() starts a thread that runs the stack: it steps the engine with the stack mutex held
 * and releases it while it waits on the transport descriptor, a wakeup pipe and the next timer;
 * a caller blocked in a socket call may run the engine itself meanwhile, the thread parked
 * (api/sockface_drive.c: who runs the engine, how callers wait and wake).  Every socket-face
 * call takes the same mutex, so the engine only ever runs on one thread at a time.  The channel
 * callbacks do not wake anyone themselves: they mark a change, and the blocked callers whose
 * call may go on are woken at the end of the step or call (a step delivering 300 SDUs wakes a
 * reader once, not 300 times).
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
 * This file: the channel callbacks, the socket objects, start and stop; the socket calls are in
 * api/sockface_calls.c.  With api/sockface_drive.c and api/loop.c these are the only files in
 * api/ that make operating system calls (threads, pipes, poll, the monotonic clock): a port
 * replaces them. */
#define _GNU_SOURCE /* PTHREAD_MUTEX_ADAPTIVE_NP where the C library has it (glibc) */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/sockface_int.h"

/* ---- small OS helpers -------------------------------------------------------------------- */

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
	case L2K_CLOSE_CONTROLLER: return L2K_ECTRLTIMEOUT;
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
			l2k_os_wake_put(sk->fd_w);
		else
			l2k_os_wake_drain(sk->fd_r);
		sk->readable = want;
	}
	if (sk->tx_fd_r >= 0) {
		want = sk_want_sendable(sk);
		if (want != sk->tx_readable) {
			if (want)
				l2k_os_wake_put(sk->tx_fd_w);
			else
				l2k_os_wake_drain(sk->tx_fd_r);
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
		l2k_os_close(sk->fd_r);
		l2k_os_close(sk->fd_w);
	}
	if (sk->tx_fd_r >= 0) {
		l2k_os_close(sk->tx_fd_r);
		l2k_os_close(sk->tx_fd_w);
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
		r = l2k_os_wake_pair(r_end, w_end);
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

/* The transport is gone, or the controller stopped responding: every channel socket ends (link
 * lost; the controller's end: L2K_CLOSE_CONTROLLER), listeners report the error. */
void sockface_transport_failed(struct sockface *sf, int err)
{
	enum l2k_close_reason why = err == L2K_ECTRLTIMEOUT ? L2K_CLOSE_CONTROLLER : L2K_CLOSE_LINK_LOST;
	sf->failed = err;
	for (struct l2k_sock *sk = sf->socks, *next; sk; sk = next) {
		next = sk->next;
		if (sk->kind != SK_CHAN || !sk->ch)
			continue;
		l2k_chan *ch = sk->ch;
		bool was_open = sk->state == SK_OPEN;
		sockface_sk_detach(sk, false);
		sk->ch = ch; /* for the snapshot */
		sk_mark_closed(sk, ch, why);
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

/* ---- start / stop ------------------------------------------------------------------------- */

static struct sockface *sf_create(l2k_stack *s)
{
	struct sockface *sf = calloc(1, sizeof(*sf));
	if (!sf)
		return NULL;
	sf->s = s;
	if (l2k_os_wake_pair(&sf->wake_r, &sf->wake_w) < 0) {
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
	sockface_drive_init(sf);
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
	sf->drv = NULL; /* the loop thread drives until it hands the descriptors to a caller */
	sf->drv_polling = false;
	if (pthread_create(&sf->thread, NULL, sockface_loop_main, sf) != 0) {
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
	sockface_wake(sf); /* the thread waiting on the descriptors (a driver too), the parked loop */
	pthread_mutex_unlock(&sf->lock);
	pthread_join(sf->thread, NULL);
	pthread_mutex_lock(&sf->lock);
	sf->running = false;
	sf->drv = NULL;
	if (sf->wake_pending) {
		l2k_os_wake_drain(sf->wake_r);
		sf->wake_pending = false;
	}
	sockface_wake_all(sf); /* blocked callers return L2K_ENETDOWN */
	pthread_mutex_unlock(&sf->lock);
}

/* The stack this thread holds through l2k_lock (the security calls take it so too), and how
 * many times: a callback that runs on the holding thread (a security call that ends a pairing
 * reports it at once) may call l2k_lock and the security calls again. */
static _Thread_local struct {
	l2k_stack *s;
	unsigned depth;
} held;

void l2k_lock(l2k_stack *s)
{
	if (!s || !s->sf || sockface_on_loop_thread(s->sf)) /* in a callback it is held already */
		return;
	if (held.s == s) {
		held.depth++;
		return;
	}
	pthread_mutex_lock(&s->sf->lock);
	held.s = s;
	held.depth = 1;
}

void l2k_unlock(l2k_stack *s)
{
	if (!s || !s->sf || sockface_on_loop_thread(s->sf))
		return;
	if (held.s == s && --held.depth > 0)
		return;
	held.s = NULL;
	sockface_wake(s->sf);
	sockface_mark(s->sf); /* the caller may have changed anything */
	sockface_changed_unlock(s->sf);
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
	sockface_drive_free(sf);
	l2k_os_close(sf->wake_r);
	l2k_os_close(sf->wake_w);
	pthread_mutex_destroy(&sf->lock);
	free(sf);
	s->sf = NULL;
}
