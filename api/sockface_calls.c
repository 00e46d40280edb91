/* The socket face's calls (l2k_listen ... l2k_close): each takes the stack mutex, drives the
 * engine or waits on the stack's condition variable for the loop thread to make progress, and
 * wakes the loop when it queued output.  See api/sockface.c for the design. */
#include <stdint.h>
#include <string.h>

#include "api/sockface_int.h"

/* ---- socket calls ------------------------------------------------------------------------- */

/* Lock the stack of a socket-face call: 0, or why the call cannot be made now. */
static int sf_enter(struct sockface *sf)
{
	/* from a callback on the stack's own thread: it holds the mutex and a blocking call would
	 * wait for itself */
	if (sockface_on_loop_thread(sf))
		return L2K_EBUSY;
	pthread_mutex_lock(&sf->lock);
	return 0;
}

static int sf_enter_running(struct sockface *sf)
{
	int r = sf_enter(sf);
	if (r < 0)
		return r;
	if (!sf->running || sf->failed) {
		r = sf->failed ? sf->failed : L2K_ENETDOWN;
		sockface_leave(sf);
		return r;
	}
	return 0;
}

int l2k_listen(l2k_stack *s, uint16_t psm, bool le, const struct l2k_chan_opts *opts, int backlog,
	       l2k_sock **out)
{
	if (!s || !out)
		return L2K_EINVAL;
	*out = NULL;
	struct sockface *sf = s->sf;
	if (!sf)
		return L2K_ENETDOWN;
	int r = sf_enter_running(sf);
	if (r < 0)
		return r;
	struct l2k_sock *ls = sockface_sk_new(sf, SK_LISTEN);
	if (!ls) {
		sockface_leave(sf);
		return L2K_ENOMEM;
	}
	ls->state = SK_OPEN;
	ls->backlog_max = backlog < 1 ? 1 : backlog;
	struct l2k_server_cbs sc = {.user = ls, .accept = sockface_accept_cb};
	r = l2k_server_add(s, psm, le, opts, &sc, &ls->srv);
	if (r < 0) {
		sockface_sk_free(ls);
		sockface_leave(sf);
		return r;
	}
	ls->srv->sock = ls;
	sockface_wake(sf);
	sockface_leave(sf);
	*out = ls;
	return 0;
}

int l2k_accept(l2k_sock *ls, int timeout_ms, l2k_sock **out)
{
	if (!ls || ls->kind != SK_LISTEN || !out)
		return L2K_EINVAL;
	*out = NULL;
	struct sockface *sf = ls->sf;
	int r = sf_enter(sf);
	if (r < 0)
		return r;
	struct timespec dl;
	sockface_deadline(&dl, timeout_ms);
	bool timed_out = false;
	for (;;) {
		struct l2k_sock *c = ls->bl_head;
		while (c && c->state == SK_CONNECTING)
			c = c->bl_next;
		if (c) {
			sockface_backlog_unlink(ls, c);
			sockface_sk_update(ls);
			c->acc_from = ls;
			ls->accepted_n++;
			*out = c;
			r = 0;
			break;
		}
		if (sf->failed) {
			r = sf->failed;
			break;
		}
		r = sockface_wait_more_until(sf, timeout_ms, &dl, &timed_out, sockface_sk_readable, ls);
		if (r < 0)
			break;
	}
	sockface_leave(sf);
	return r;
}

int l2k_listen_limit(l2k_sock *ls, int max)
{
	if (!ls || ls->kind != SK_LISTEN || max < 0)
		return L2K_EINVAL;
	struct sockface *sf = ls->sf;
	int r = sf_enter(sf);
	if (r < 0)
		return r;
	ls->held_max = max;
	sockface_leave(sf);
	return 0;
}

/* The controller must be up before a link can be asked for: wait for the end of bring-up. */
static int sf_wait_ready(struct sockface *sf, int timeout_ms, const struct timespec *dl, bool *timed_out)
{
	l2k_stack *s = sf->s;
	while (s->ready_err > 0) {
		int r = sockface_wait_more(sf, timeout_ms, dl, timed_out, true);
		if (r < 0)
			return r;
	}
	return s->ready_err < 0 ? s->ready_err : 0;
}

/* A connecting socket the caller gives up on: the channel is disconnected (it lives on in the
 * engine until that completes, without the socket); the socket reports the timeout. */
static void sk_give_up(struct l2k_sock *sk)
{
	if (sk->ch)
		l2k_chan_get_info(sk->ch, &sk->info);
	sockface_sk_detach(sk, true);
	sk->state = SK_CLOSED;
	sk->reason = L2K_CLOSE_TIMEOUT;
	sockface_sk_update(sk);
}

/* Wait for the n connecting sockets of one connect call: 0 when all opened, the first failed
 * one's error when none is connecting any more, L2K_EINPROGRESS for timeout_ms 0; on timeout
 * (or the stack's thread ending) the ones still connecting are given up. */
static int sk_wait_connected(struct sockface *sf, struct l2k_sock **sk, int n, int timeout_ms,
			     const struct timespec *dl, bool timed_out)
{
	for (;;) {
		int connecting = 0, open = 0;
		int err = 0;
		for (int i = 0; i < n; i++) {
			if (sk[i]->state == SK_CONNECTING)
				connecting++;
			else if (sk[i]->state == SK_OPEN)
				open++;
			else if (!err)
				err = sockface_reason_err(sk[i]->reason);
		}
		if (!connecting)
			return open == n ? 0 : err;
		if (timeout_ms == 0)
			return L2K_EINPROGRESS;
		if (timed_out || !sf->running) {
			for (int i = 0; i < n; i++)
				if (sk[i]->state == SK_CONNECTING)
					sk_give_up(sk[i]);
			sockface_wake(sf);
			return timed_out ? L2K_ETIMEDOUT : L2K_ENETDOWN;
		}
		if (sockface_wait(sf, timeout_ms, dl, false) == L2K_ETIMEDOUT)
			timed_out = true;
	}
}

/* A connecting call's start: enter the face, start its deadline, wait for the stack to be ready
 * (*timed_out tells whether the wait used up the time).  0 (entered: sockface_leave follows),
 * or an error (not entered). */
static int sf_enter_connect(struct sockface *sf, int timeout_ms, struct timespec *dl, bool *timed_out)
{
	int r = sf_enter_running(sf);
	if (r < 0)
		return r;
	sockface_deadline(dl, timeout_ms);
	r = sf_wait_ready(sf, timeout_ms, dl, timed_out);
	if (r < 0)
		sockface_leave(sf);
	return r < 0 ? r : 0;
}

int l2k_connect(l2k_stack *s, const l2k_addr *peer, enum l2k_addr_type type, uint16_t psm,
		const struct l2k_chan_opts *opts, int timeout_ms, l2k_sock **out)
{
	if (!s || !peer || !out)
		return L2K_EINVAL;
	*out = NULL;
	struct sockface *sf = s->sf;
	if (!sf)
		return L2K_ENETDOWN;
	struct timespec dl;
	bool timed_out = false;
	int r = sf_enter_connect(sf, timeout_ms, &dl, &timed_out);
	if (r < 0)
		return r;
	struct l2k_sock *sk = sockface_sk_new(sf, SK_CHAN);
	if (!sk) {
		sockface_leave(sf);
		return L2K_ENOMEM;
	}
	sk->nb_connect = timeout_ms == 0;
	struct l2k_chan_cbs cbs;
	sockface_sk_set_cbs(sk, &cbs);
	l2k_chan *ch = NULL;
	r = l2k_chan_connect(s, peer, type, psm, opts, &cbs, &ch);
	if (r < 0) {
		sockface_sk_free(sk);
		sockface_leave(sf);
		return r;
	}
	/* (l2k_chan_connect never ends the channel inside the call: it is alive here) */
	sk->ch = ch;
	ch->sock = sk;
	sockface_wake(sf);
	*out = sk;
	r = sk_wait_connected(sf, &sk, 1, timeout_ms, &dl, timed_out);
	sockface_leave(sf);
	return r;
}

int l2k_connect_ecfc(l2k_stack *s, const l2k_addr *peer, enum l2k_addr_type type, uint16_t psm, int n,
		     const struct l2k_chan_opts *opts, int timeout_ms, l2k_sock **out)
{
	if (!out || n < 1 || n > 5)
		return L2K_EINVAL;
	for (int i = 0; i < n; i++)
		out[i] = NULL;
	if (!s || !peer)
		return L2K_EINVAL;
	struct sockface *sf = s->sf;
	if (!sf)
		return L2K_ENETDOWN;
	struct timespec dl;
	bool timed_out = false;
	int r = sf_enter_connect(sf, timeout_ms, &dl, &timed_out);
	if (r < 0)
		return r;
	struct l2k_sock *sk[5] = {0};
	struct l2k_chan_cbs cbs[5];
	l2k_chan *ch[5] = {0};
	for (int i = 0; i < n; i++) {
		sk[i] = sockface_sk_new(sf, SK_CHAN);
		if (!sk[i]) {
			for (int k = 0; k < i; k++)
				sockface_sk_free(sk[k]);
			sockface_leave(sf);
			return L2K_ENOMEM;
		}
		sk[i]->nb_connect = timeout_ms == 0;
		sockface_sk_set_cbs(sk[i], &cbs[i]);
	}
	r = l2cap_ecfc_connect_each(l2cap_engine_of(s), peer, type, psm, n, opts, cbs, n, ch);
	if (r < 0) {
		for (int i = 0; i < n; i++)
			sockface_sk_free(sk[i]);
		sockface_leave(sf);
		return r;
	}
	for (int i = 0; i < n; i++) {
		sk[i]->ch = ch[i]; /* alive: no channel ends inside the call */
		ch[i]->sock = sk[i];
		out[i] = sk[i];
	}
	sockface_wake(sf);
	r = sk_wait_connected(sf, sk, n, timeout_ms, &dl, timed_out);
	sockface_leave(sf);
	return r;
}

/* Make the socket's receive ring fit the channel after a reconfiguration to mtu/mps: the same
 * sizing as when it opened (api/sockface.c cb_open and rx_slack), with the new values.  Only
 * the bound moves: the ring's buffer grows when SDUs need it. */
static void sk_rx_regrow(struct l2k_sock *sk, uint16_t mtu, uint16_t mps)
{
	const struct l2k_chan *ch = sk->ch;
	size_t hdr = RING_REC_HDR;
	size_t bound = sk->rx_bound;
	if (bound < 2 * ((size_t)mtu + hdr))
		bound = 2 * ((size_t)mtu + hdr);
	size_t seg = mps > ch->local_mps ? mps : ch->local_mps;
	size_t credits = ch->rx_credits > ch->rx_initial ? ch->rx_credits : ch->rx_initial;
	ring_raise_limit(&sk->rxq, bound + credits * (seg + hdr) + (size_t)mtu + hdr);
	sk->rx_bound = bound;
}

int l2k_sock_reconfigure(l2k_sock **sks, int n, uint16_t mtu, uint16_t mps)
{
	if (!sks || n < 1 || n > 5)
		return L2K_EINVAL;
	for (int i = 0; i < n; i++)
		if (!sks[i] || sks[i]->kind != SK_CHAN || sks[i]->sf != sks[0]->sf)
			return L2K_EINVAL;
	struct sockface *sf = sks[0]->sf;
	int r = sf_enter_running(sf);
	if (r < 0)
		return r;
	l2k_chan *ch[5];
	for (int i = 0; i < n; i++) {
		if (sks[i]->state != SK_OPEN || !sks[i]->ch) {
			sockface_leave(sf);
			return sks[i]->state == SK_CLOSED ? sockface_reason_err(sks[i]->reason) : L2K_ENOTCONN;
		}
		ch[i] = sks[i]->ch;
	}
	/* the receive queues must take SDUs of the new MTU (and the K-frames of the new MPS that
	 * may still come after a hold): grow them first */
	for (int i = 0; i < n; i++)
		sk_rx_regrow(sks[i], mtu, mps);
	r = l2k_chan_reconfigure(ch, n, mtu, mps);
	if (r < 0) {
		sockface_leave(sf);
		return r;
	}
	sockface_wake(sf);
	/* wait for the answer: it comes within RTX, after which the engine disconnects the
	 * channels (4.27; the close ends the wait) */
	for (;;) {
		bool waiting = false;
		for (int i = 0; i < n; i++)
			if (sks[i]->ch && sks[i]->state == SK_OPEN && l2cap_ecfc_reconf_pending(sks[i]->ch))
				waiting = true;
		if (!waiting)
			break;
		r = sockface_wait(sf, -1, NULL, true);
		if (r < 0)
			break;
	}
	if (r >= 0) {
		r = 0;
		for (int i = 0; i < n && !r; i++) {
			if (sks[i]->state != SK_OPEN || !sks[i]->ch) {
				r = sockface_reason_err(sks[i]->reason);
				break;
			}
			struct l2k_chan_info in;
			l2k_chan_get_info(sks[i]->ch, &in);
			if (in.result != 0)
				r = L2K_EREFUSED; /* the result code is in l2k_sock_info().result */
		}
	}
	sockface_leave(sf);
	return r;
}

long l2k_send(l2k_sock *sk, const void *buf, size_t len, int timeout_ms)
{
	static const uint8_t empty[1];
	if (!sk || sk->kind != SK_CHAN || (!buf && len))
		return L2K_EINVAL;
	if (len > 0xFFFF)
		return L2K_EMSGSIZE;
	struct sockface *sf = sk->sf;
	int r = sf_enter(sf);
	if (r < 0)
		return r;
	struct timespec dl;
	sockface_deadline(&dl, timeout_ms);
	bool timed_out = false;
	long ret;
	for (;;) {
		if (sk->shut) {
			ret = L2K_ESHUTDOWN;
			break;
		}
		if (sk->state == SK_CLOSED) {
			ret = sockface_reason_err(sk->reason);
			break;
		}
		if (sk->state == SK_OPEN) {
			sk->open_unseen = false;
			r = l2k_chan_send(sk->ch, len ? buf : empty, len);
			if (r == 0) {
				sk->tx_blocked = false;
				sockface_wake(sf);
				ret = (long)len;
				break;
			}
			if (r != L2K_EAGAIN) {
				ret = r;
				break;
			}
			sk->tx_blocked = true; /* until send_ready (l2k_sock_send_fd) */
		}
		r = sockface_wait_more_until(sf, timeout_ms, &dl, &timed_out, sockface_sk_sendable, sk);
		if (r < 0) {
			ret = r;
			break;
		}
	}
	sockface_sk_update(sk);
	sockface_leave(sf);
	return ret;
}

long l2k_recv(l2k_sock *sk, void *buf, size_t cap, size_t *full, int timeout_ms)
{
	if (!sk || sk->kind != SK_CHAN || (!buf && cap))
		return L2K_EINVAL;
	struct sockface *sf = sk->sf;
	int r = sf_enter(sf);
	if (r < 0)
		return r;
	struct timespec dl;
	sockface_deadline(&dl, timeout_ms);
	bool timed_out = false;
	long ret;
	for (;;) {
		if (sk->rxq.count) {
			size_t n = ring_head_len(&sk->rxq);
			size_t c = n < cap ? n : cap;
			if (c)
				ring_head_read(&sk->rxq, 0, buf, c);
			ring_pop(&sk->rxq);
			if (full)
				*full = n;
			l2k_chan *ch = sk->ch;
			if (ch && ch->rx_hold && sk->rxq.used < sk->rx_bound / 2) {
				ch->rx_hold = false;
				if (ch->state == CH_OPEN && ch->ops && ch->ops->consumed) {
					ch->ops->consumed(ch); /* credit modes give the credits back */
					sockface_wake(sf);
				}
			}
			ret = (long)c;
			break;
		}
		if (sk->state == SK_CLOSED) {
			if (full)
				*full = SIZE_MAX; /* tells the end from an empty SDU */
			ret = 0;
			break;
		}
		r = sockface_wait_more_until(sf, timeout_ms, &dl, &timed_out, sockface_sk_readable, sk);
		if (r < 0) {
			ret = r;
			break;
		}
	}
	sk->open_unseen = false;
	sockface_sk_update(sk);
	sockface_leave(sf);
	return ret;
}

/* l2k_shutdown may go on: the channel ended, or the disconnection may be asked for, once
 * everything sent has left the channel (and was acknowledged where the mode acknowledges) and
 * the link can queue the request, which goes behind the data already queued on the link
 * (l2cap_send_sig_after_data).  Its wait looks at this after every step of the engine (the
 * queues drain and acknowledgements come without a change anyone marks). */
static bool shutdown_may_go_on(const void *arg)
{
	const struct l2k_sock *sk = arg;
	if (sk->state == SK_CLOSED)
		return true;
	if (sk->state != SK_OPEN || !sk->ch || sk->disc_sent)
		return false;
	const l2k_chan *ch = sk->ch;
	return sockface_tx_done(ch) && (!ch->link || l2cap_link_sig_room(ch->link) >= 64);
}

int l2k_shutdown(l2k_sock *sk, int timeout_ms)
{
	if (!sk || sk->kind != SK_CHAN)
		return L2K_EINVAL;
	struct sockface *sf = sk->sf;
	int r = sf_enter(sf);
	if (r < 0)
		return r;
	struct timespec dl;
	sockface_deadline(&dl, timeout_ms);
	bool timed_out = false;
	for (;;) {
		if (sk->state == SK_CLOSED) {
			sk->shut = true;
			if (sk->reason == L2K_CLOSE_LOCAL)
				r = 0; /* the peer answered our Disconnection Request (or crossed it) */
			else if (sk->reason == L2K_CLOSE_REMOTE)
				r = sk->tx_lost ? L2K_ECONNRESET : 0;
			else
				r = sockface_reason_err(sk->reason);
			break;
		}
		if (sk->state == SK_OPEN) {
			sk->shut = true;
			if (shutdown_may_go_on(sk)) {
				sk->disc_sent = true;
				l2k_chan_close(sk->ch);
				sockface_wake(sf);
				continue;
			}
		}
		r = sockface_wait_more_step_until(sf, timeout_ms, &dl, &timed_out, shutdown_may_go_on, sk);
		if (r < 0)
			break;
	}
	sk->open_unseen = false;
	sockface_sk_update(sk);
	sockface_leave(sf);
	return r;
}

int l2k_sock_error(l2k_sock *sk)
{
	if (!sk)
		return L2K_EINVAL;
	struct sockface *sf = sk->sf;
	int r = sf_enter(sf);
	if (r < 0)
		return r;
	if (sk->kind == SK_LISTEN)
		r = sf->failed;
	else if (sk->state == SK_CONNECTING)
		r = L2K_EINPROGRESS;
	else if (sk->state == SK_OPEN)
		r = 0;
	else
		r = sockface_reason_err(sk->reason);
	if (sk->kind == SK_CHAN && sk->state != SK_CONNECTING) {
		sk->open_unseen = false;
		sockface_sk_update(sk);
	}
	sockface_leave(sf);
	return r;
}

int l2k_sock_info(l2k_sock *sk, struct l2k_chan_info *out)
{
	if (!sk || !out || sk->kind != SK_CHAN)
		return L2K_EINVAL;
	struct sockface *sf = sk->sf;
	int r = sf_enter(sf);
	if (r < 0)
		return r;
	if (sk->ch)
		l2k_chan_get_info(sk->ch, out);
	else
		*out = sk->info;
	out->rx_sdus_dropped += sk->rx_dropped;
	sk->open_unseen = false;
	sockface_sk_update(sk);
	sockface_leave(sf);
	return 0;
}

enum l2k_close_reason l2k_sock_close_reason(l2k_sock *sk)
{
	if (!sk)
		return L2K_CLOSE_LOCAL;
	if (sockface_on_loop_thread(sk->sf))
		return sk->reason; /* the mutex is ours already */
	pthread_mutex_lock(&sk->sf->lock);
	enum l2k_close_reason r = sk->reason;
	pthread_mutex_unlock(&sk->sf->lock);
	return r;
}

int l2k_sock_give_credits(l2k_sock *sk, uint16_t n)
{
	if (!sk || sk->kind != SK_CHAN)
		return L2K_EINVAL;
	struct sockface *sf = sk->sf;
	int r = sf_enter(sf);
	if (r < 0)
		return r;
	r = sk->ch && sk->state == SK_OPEN ? l2k_chan_give_credits(sk->ch, n) : L2K_ENOTCONN;
	if (r == 0)
		sockface_wake(sf);
	sockface_leave(sf);
	return r;
}

void l2k_close(l2k_sock *sk)
{
	if (!sk)
		return;
	struct sockface *sf = sk->sf;
	bool locked = !sockface_on_loop_thread(sf); /* from a callback the mutex is ours already */
	if (locked)
		pthread_mutex_lock(&sf->lock);
	if (sk->kind == SK_LISTEN) {
		if (sk->srv) {
			sk->srv->sock = NULL;
			l2k_server_remove(sk->srv);
		}
		for (struct l2k_sock *x = sf->socks; x; x = x->next)
			if (x->acc_from == sk)
				x->acc_from = NULL; /* accepted ones outlive their listener */
		while (sk->bl_head) {
			struct l2k_sock *c = sk->bl_head;
			sockface_backlog_unlink(sk, c);
			sockface_sk_detach(c, true);
			sockface_sk_free(c);
		}
	} else {
		if (sk->parent)
			sockface_backlog_unlink(sk->parent, sk);
		if (sk->acc_from)
			sk->acc_from->accepted_n--; /* room for another under l2k_listen_limit */
		sockface_sk_detach(sk, true); /* queued SDUs are dropped: l2k_shutdown first to deliver them */
	}
	sockface_sk_free(sk);
	sockface_wake(sf);
	if (locked)
		sockface_leave(sf);
	else
		sockface_changed(sf);
}
