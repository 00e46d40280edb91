/* l2cat: the channels.  Starting one (its parameters, output file and receiver thread), its
 * end with the verdict on it, --reconfigure-mtu and its verdict, and serve(): the session loop
 * that admits channels (listening: as the listener accepts them), feeds stdin, ends each
 * channel when it is done, and ends them all gracefully on SIGINT / SIGTERM. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/common/tool.h"
#include "tools/common/tool_os.h"
#include "tools/l2cat/l2cat.h"

bool is_end_error(long r)
{
	/* the channel ended: the verdict comes from l2k_shutdown */
	return r == L2K_ESHUTDOWN || r == L2K_ECONNRESET || r == L2K_ELINKLOSS || r == L2K_ETIMEDOUT ||
	       r == L2K_EPROTO || r == L2K_EMAXTX || r == L2K_ECONNABORTED || r == L2K_ECTRLTIMEOUT;
}

static void print_chan(const struct conn *k, const char *what, const struct l2k_chan_info *ci)
{
	char a[18], tag[24];
	fprintf(stderr,
		PROG ": %s%s %s%s psm 0x%04x: mode %s, cid 0x%04x/0x%04x, mtu %u/%u, mps %u/%u, credits %u\n",
		chan_tag(k, tag, sizeof(tag)), what, l2k_addr_str(&ci->peer, a),
		ci->link_type == L2K_ADDR_BREDR ? "" : ci->link_type == L2K_ADDR_LE_RANDOM ? "/le-random" : "/le-public",
		ci->psm, l2k_mode_name(ci->mode) ? l2k_mode_name(ci->mode) : "?", ci->local_cid, ci->remote_cid,
		ci->local_mtu, ci->remote_mtu, ci->local_mps, ci->remote_mps, ci->credits_tx);
}

/* A channel error with its detail.  Enhanced credit based channels use the credit based result
 * codes (Vol 3 Part A 4.26) on BR/EDR as well. */
void chan_error(char *msg, size_t len, int err, const struct l2k_chan_info *ci)
{
	struct l2k_chan_info c = *ci;
	if (c.mode == L2K_MODE_ECFC && c.link_type == L2K_ADDR_BREDR)
		c.link_type = L2K_ADDR_LE_PUBLIC; /* picks the credit based result table */
	tool_chan_error(msg, len, err, &c);
}

/* Set one channel going: its receiver thread runs when this returns true.  On false the socket
 * is closed and a message was printed. */
static bool conn_start(struct conn *k, const struct cfg *c, l2k_stack *s, l2k_sock *sk, int idx, int n,
		       int ev_w)
{
	memset(k, 0, sizeof(*k));
	k->ev_w = ev_w;
	atomic_init(&k->drv_done, false);
	k->c = c;
	k->cc = *c;
	k->idx = idx;
	k->n = n;
	k->s = s;
	k->sk = sk;
	k->out_fd = 1;
	k->ok = true;
	int fds[2];
	if (tool_wake_pair(fds) < 0) {
		fprintf(stderr, PROG ": pipe: %s\n", strerror(errno));
		l2k_close(sk);
		return false;
	}
	k->done_r = fds[0];
	k->done_w = fds[1];
	pthread_mutex_init(&k->m, NULL);
	pthread_cond_init(&k->cv, NULL);
	l2k_sock_info(sk, &k->ci);
	if (c->verbose) {
		print_chan(k, c->listen ? "accepted" : "connected to", &k->ci);
		struct l2k_link_security ls;
		if (l2k_link_security(s, k->ci.handle, &ls) == 0) {
			char tag[24], d[160];
			tool_sec_link_str(d, sizeof(d), &ls);
			fprintf(stderr, PROG ": %slink security: %s\n", chan_tag(k, tag, sizeof(tag)), d);
		}
	}
	struct cfg *cc = &k->cc;
	if (c->src == SRC_PATTERN) {
		if (!c->size_set)
			cc->size = k->ci.remote_mtu;
		if (cc->size > k->ci.remote_mtu) {
			fprintf(stderr, PROG ": --size %lu is larger than the peer's MTU (%u)\n", cc->size,
				k->ci.remote_mtu);
			cc->send_n = 0;
			k->ok = false;
		}
		if (c->snk == SINK_VERIFY && cc->size > k->ci.local_mtu) {
			fprintf(stderr, PROG ": --size %lu is larger than our MTU (%u): echoes could not come back\n",
				cc->size, k->ci.local_mtu);
			cc->send_n = 0;
			k->ok = false;
		}
	}
	if (c->snk == SINK_STDOUT && c->out_prefix) {
		char path[4096];
		snprintf(path, sizeof(path), "%s.%d", c->out_prefix, idx);
		k->out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (k->out_fd < 0) {
			fprintf(stderr, PROG ": cannot write %s: %s\n", path, strerror(errno));
			k->out_fd = -1;
			k->out_err = true;
			k->stop = true;
		}
	} else if (c->snk == SINK_STDOUT && idx > 0) {
		k->out_fd = -1; /* without -o only channel 0 has somewhere to write (stdout) */
	}
	k->c = cc;
	k->t0 = tool_now_us();
	if (pthread_create(&k->rx, NULL, rx_main, k) != 0) {
		fprintf(stderr, PROG ": cannot start the receiver thread\n");
		l2k_close(sk);
		tool_wake_close(fds[0]);
		tool_wake_close(fds[1]);
		if (k->out_fd > 1)
			close(k->out_fd);
		return false;
	}
	return true;
}

/* --send: the channel's own thread writes its SDUs, waits for the echoes (--verify) and ends
 * the channel (l2k_shutdown); the session loop then gives the verdict. */
static void *drv_main(void *arg)
{
	struct conn *k = arg;
	feed_pattern(k);
	if (k->c->snk == SINK_VERIFY && !k->tx_err)
		wait_echoes(k);
	k->shut_v = l2k_shutdown(k->sk, k->c->timeout_ms);
	atomic_store(&k->drv_done, true);
	/* (missed: the session loop also looks at drv_done when it wakes for anything else) */
	tool_wake_put(k->ev_w);
	return NULL;
}

/* Why a --send channel sent fewer SDUs than asked. */
static void feed_end_str(const struct conn *k, enum l2k_close_reason why, char *buf, size_t len)
{
	switch (k->feed_end) {
	case FEED_NO_ECHO:
		snprintf(buf, len, "no echo came back for %d ms", k->c->timeout_ms);
		return;
	case FEED_ENDED:
		snprintf(buf, len, "the channel ended (%s)", l2k_close_reason_str(why));
		return;
	case FEED_ERROR:
		snprintf(buf, len, "sending failed");
		return;
	case FEED_HALTED:
		snprintf(buf, len, "interrupted");
		return;
	case FEED_ALL:
		break;
	}
	snprintf(buf, len, "stopped");
}

/* The end of a started channel: graceful shutdown (unless its --send thread made it) and the
 * verdict on it.  Returns true when everything went right; *why_out: how the channel ended.
 * The socket is released. */
static bool conn_end(struct conn *k, enum l2k_close_reason *why_out)
{
	const struct cfg *c = k->c;
	l2k_sock *sk = k->sk;
	bool ok = k->ok;
	char tag[24];
	const char *ct = chan_tag(k, tag, sizeof(tag));
	/* The verdict on what we sent: disconnect after it (or learn how the peer's close went). */
	int v;
	if (k->drv_started) {
		pthread_join(k->drv, NULL);
		v = k->shut_v;
	} else {
		v = l2k_shutdown(sk, c->timeout_ms);
	}
	k->stop = true;
	pthread_join(k->rx, NULL);
	double secs = (double)(tool_now_us() - k->t0) / 1e6;
	l2k_sock_info(sk, &k->ci);
	enum l2k_close_reason why = l2k_sock_close_reason(sk);
	*why_out = why;
	char msg[512];
	if (k->tx_err && !is_end_error(k->tx_err)) {
		chan_error(msg, sizeof(msg), k->tx_err, &k->ci);
		fprintf(stderr, PROG ": %ssend failed: %s\n", ct, msg);
		ok = false;
	}
	if (v < 0) {
		if (v == L2K_ECONNRESET)
			fprintf(stderr, PROG ": %sthe peer disconnected before everything sent was delivered\n", ct);
		else if (v == L2K_ETIMEDOUT && why == L2K_CLOSE_TIMEOUT)
			fprintf(stderr, PROG ": %sthe peer did not answer the disconnection: delivery not confirmed\n", ct);
		else if (v == L2K_ETIMEDOUT)
			fprintf(stderr, PROG ": %sthe channel did not end within %d ms (peer not taking data?): "
					"delivery not confirmed\n", ct, c->timeout_ms);
		else {
			chan_error(msg, sizeof(msg), v, &k->ci);
			fprintf(stderr, PROG ": %schannel ended badly: %s\n", ct, msg);
		}
		ok = false;
	} else if (k->tx_err && is_end_error(k->tx_err) && why != L2K_CLOSE_LOCAL) {
		fprintf(stderr, PROG ": %sthe channel ended (%s) before everything was sent\n", ct,
			l2k_close_reason_str(why));
		ok = false;
	}
	/* --send N: all N must have gone (the writer may stop early: the echoes stopped coming, the
	 * channel ended, a send failed; an interruption is reported with the summary) */
	char fed[96] = "";
	if (c->src == SRC_PATTERN && k->tx_sdus < c->send_n) {
		char how[64];
		feed_end_str(k, why, how, sizeof(how));
		if (k->feed_end == FEED_HALTED) {
			snprintf(fed, sizeof(fed), "; interrupted after %llu of %lu SDUs", (unsigned long long)k->tx_sdus,
				 c->send_n);
		} else {
			fprintf(stderr, PROG ": %ssent %llu of %lu SDUs: %s\n", ct, (unsigned long long)k->tx_sdus,
				c->send_n, how);
			ok = false;
		}
	}
	if (k->rx_err) {
		fprintf(stderr, PROG ": %sreceive failed: %s\n", ct, l2k_strerror(k->rx_err));
		ok = false;
	}
	if (k->echo_err) {
		chan_error(msg, sizeof(msg), k->echo_err, &k->ci);
		fprintf(stderr, PROG ": %secho failed: %s\n", ct, msg);
		ok = false;
	}
	if (k->out_err) {
		if (k->out_fd < 0 && !c->out_prefix)
			fprintf(stderr, PROG ": %sreceived data has nowhere to go: without -o PREFIX only channel 0 "
					"writes (to stdout)\n", ct);
		else
			fprintf(stderr, PROG ": %swriting %s failed: received data lost\n", ct,
				c->out_prefix ? "the output file" : "stdout");
		ok = false;
	}
	if (k->ci.rx_sdus_dropped) {
		fprintf(stderr, PROG ": %s%llu received SDUs were dropped (the reader did not keep up; %s mode has "
			"no flow control%s)\n", ct, (unsigned long long)k->ci.rx_sdus_dropped,
			l2k_mode_name(k->ci.mode) ? l2k_mode_name(k->ci.mode) : "this",
			k->ci.mode == L2K_MODE_BASIC ? " of its own and this controller no controller-to-host flow control" : "");
		ok = false;
	}
	if (c->snk == SINK_VERIFY) {
		if (k->bad || (k->rx_sdus != k->tx_sdus && !k->halt)) {
			fprintf(stderr, PROG ": %sverify: %llu of %llu echoes came back, %llu differ\n", ct,
				(unsigned long long)k->rx_sdus, (unsigned long long)k->tx_sdus,
				(unsigned long long)k->bad);
			ok = false;
		} else if (c->verbose || k->halt) {
			fprintf(stderr, PROG ": %sverify: %llu echoes intact%s\n", ct, (unsigned long long)k->rx_sdus,
				k->rx_sdus != k->tx_sdus ? " (the others were on their way when interrupted)" : "");
		}
	}
	if (c->verbose || k->halt) {
		uint64_t tx = k->tx_bytes + k->echo_bytes, txs = k->tx_sdus + k->echo_sdus;
		fprintf(stderr,
			PROG ": %ssent %llu bytes in %llu SDUs, received %llu bytes in %llu SDUs, %.3f s, %.3f MB/s "
			"(channel %s; mtu %u/%u at the end%s)\n",
			ct, (unsigned long long)tx, (unsigned long long)txs, (unsigned long long)k->rx_bytes,
			(unsigned long long)k->rx_sdus, secs, secs > 0 ? (double)(tx + k->rx_bytes) / secs / 1e6 : 0.0,
			l2k_close_reason_str(why), k->ci.local_mtu, k->ci.remote_mtu, fed);
	}
	l2k_close(sk);
	tool_wake_close(k->done_r);
	tool_wake_close(k->done_w);
	if (k->out_fd > 1 && close(k->out_fd) < 0 && ok) {
		fprintf(stderr, PROG ": %swriting the output file failed: %s\n", ct, strerror(errno));
		ok = false;
	}
	pthread_mutex_destroy(&k->m);
	pthread_cond_destroy(&k->cv);
	return ok;
}

/* ---- the session ------------------------------------------------------------------------- */

/* The channels being served.  A session starts with its first channel and ends when the last
 * live one ended (listening with -k, the next channel starts another). */
struct session {
	const struct cfg *c;
	l2k_stack *s;
	l2k_sock *ls;	      /* listening: admits channels while the session runs */
	int ntag;	      /* "channel i:" tags when > 1 */
	struct conn *k[MAXCH]; /* the live channels (NULL: a free slot) */
	bool gone[MAXCH];     /* stdin: left out of the copies (its send failed) */
	int nlive, served;
	int ev_r, ev_w;	      /* a receiver or a --send thread ended */
	bool ok, stdin_open, interrupted, accept_failed;
	bool aborting; /* a channel of the connected set could not start: end the others */
	enum l2k_close_reason why; /* this session's: link lost if one was, else the first one's */
	bool why_set;
	enum l2k_close_reason last_why; /* the last session's */
	uint64_t stdin_t0, stdin_fed; /* --rate on stdin */
	/* --reconfigure-mtu, once per session */
	bool rc_done, rc_skip;
	int rc_n, rc_err;
	uint16_t rc_mps;
	unsigned long long rc_at;
	struct l2k_chan_info rc_ci;
};

/* --reconfigure-mtu: every live channel on the first one's link asks at once for the new
 * receive MTU (and MPS).  Blocks until the peer answered. */
static void reconf_now(struct session *ss)
{
	const struct cfg *c = ss->c;
	l2k_sock *sks[MAXCH];
	int n = 0;
	uint16_t handle = 0;
	uint16_t mps = (uint16_t)c->reconf_mps;
	for (int i = 0; i < MAXCH; i++) {
		struct l2k_chan_info ci;
		if (!ss->k[i] || l2k_sock_info(ss->k[i]->sk, &ci) < 0)
			continue;
		if (n && ci.handle != handle)
			continue; /* one request names channels of one link */
		handle = ci.handle;
		sks[n++] = ss->k[i]->sk;
		if (!c->reconf_mps && ci.local_mps > mps)
			mps = ci.local_mps; /* unchanged (a group's MPS may not shrink) */
	}
	ss->rc_done = true;
	ss->rc_n = n;
	ss->rc_mps = mps;
	ss->rc_at = atomic_load(&moved);
	ss->rc_err = l2k_sock_reconfigure(sks, n, (uint16_t)c->reconf_mtu, mps);
	l2k_sock_info(sks[0], &ss->rc_ci);
}

/* The verdict on the reconfiguration (true: fine). */
static bool reconf_report(const struct session *ss)
{
	const struct cfg *c = ss->c;
	if (!ss->rc_done) {
		if (ss->interrupted || ss->rc_skip)
			return true; /* nothing to say: it was interrupted / could not start */
		fprintf(stderr, PROG ": the reconfiguration was not made: the transfer ended after %llu bytes, "
			"before --reconfigure-at %lu\n", (unsigned long long)atomic_load(&moved), c->reconf_at);
		return false;
	}
	if (ss->rc_err == L2K_EREFUSED) {
		uint16_t r = ss->rc_ci.result;
		fprintf(stderr, PROG ": the peer refused the reconfiguration to mtu %lu, mps %u (result 0x%04x%s)\n",
			c->reconf_mtu, ss->rc_mps, r,
			r == 0x0001   ? ": MTU reduced"
			: r == 0x0002 ? ": MPS reduced"
			: r == 0x0003 ? ": invalid CID"
			: r == 0x0004 ? ": unacceptable parameters"
			: r == 0xFFFF ? ": Command Reject"
				      : "");
		return false;
	}
	if (ss->rc_err < 0) {
		fprintf(stderr, PROG ": the reconfiguration to mtu %lu, mps %u failed: %s%s\n", c->reconf_mtu, ss->rc_mps,
			l2k_strerror(ss->rc_err),
			ss->rc_err == L2K_EINVAL ? " (ecfc channels only; the MTU may only grow, the MPS of several "
						   "channels may not shrink)"
						 : "");
		return false;
	}
	if (c->verbose)
		fprintf(stderr, PROG ": reconfigured %d channel%s after %llu bytes: mtu %lu, mps %u (success)\n", ss->rc_n,
			ss->rc_n > 1 ? "s" : "", ss->rc_at, c->reconf_mtu, ss->rc_mps);
	return true;
}

/* A new open channel joins the session in a free slot: its receiver (and --send thread) start. */
static void admit(struct session *ss, l2k_sock *sk)
{
	const struct cfg *c = ss->c;
	int slot = 0;
	while (slot < MAXCH && ss->k[slot])
		slot++;
	struct conn *k = slot < MAXCH ? malloc(sizeof(*k)) : NULL;
	if (!k) {
		fprintf(stderr, PROG ": no room for another channel\n");
		l2k_close(sk);
		ss->ok = false;
		return;
	}
	if (ss->nlive == 0) {
		/* a new session */
		atomic_store(&moved, 0);
		ss->rc_done = ss->rc_skip = false;
		ss->stdin_t0 = tool_now_us();
		ss->stdin_fed = 0;
	}
	if (!conn_start(k, c, ss->s, sk, slot, ss->ntag, ss->ev_w)) {
		free(k);
		ss->ok = false;
		ss->rc_skip = true;
		return;
	}
	ss->k[slot] = k;
	ss->gone[slot] = false;
	ss->nlive++;
	ss->served++;
	if (ss->ls && !c->keep && c->le && ss->served == 1) {
		/* one central served (the listener advertises in keep mode): nobody else is to
		 * connect */
		l2k_lock(ss->s);
		l2k_le_advertise(ss->s, false, NULL, 0);
		l2k_unlock(ss->s);
	}
	if (ss->ls && !c->keep && !c->le && !c->no_discoverable && ss->served == 1) {
		/* the one channel served: no longer to be found (still connectable) */
		l2k_lock(ss->s);
		l2k_set_discoverable(ss->s, false);
		l2k_unlock(ss->s);
	}
	k->halt = ss->interrupted;
	if (c->src == SRC_PATTERN) {
		k->drv_started = pthread_create(&k->drv, NULL, drv_main, k) == 0;
		if (!k->drv_started) {
			fprintf(stderr, PROG ": cannot start a sending thread\n");
			k->tx_err = L2K_ENOMEM;
			k->feed_end = FEED_ERROR;
		}
	}
}

/* Whether a live channel is done and may be ended now. */
static bool finished(const struct session *ss, int slot)
{
	struct conn *k = ss->k[slot];
	bool rx_ended;
	pthread_mutex_lock(&k->m);
	rx_ended = k->rx_ended;
	pthread_mutex_unlock(&k->m);
	switch (ss->c->src) {
	case SRC_PATTERN: return k->drv_started ? atomic_load(&k->drv_done) : true;
	case SRC_STDIN: return rx_ended || !ss->stdin_open || ss->gone[slot] || ss->interrupted || ss->aborting;
	case SRC_NONE: return rx_ended || ss->interrupted || ss->aborting;
	}
	return true;
}

/* End a finished channel: its verdict, its slot freed; the session's verdicts when it was the
 * last one. */
static void finish(struct session *ss, int slot)
{
	const struct cfg *c = ss->c;
	struct conn *k = ss->k[slot];
	enum l2k_close_reason w;
	ss->ok = conn_end(k, &w) && ss->ok;
	if (!ss->why_set || w == L2K_CLOSE_LINK_LOST) {
		ss->why = w;
		ss->why_set = true;
	}
	free(k);
	ss->k[slot] = NULL;
	if (--ss->nlive > 0)
		return;
	/* the session ended */
	if (c->reconf_mtu)
		ss->ok = reconf_report(ss) && ss->ok;
	ss->last_why = ss->why;
	ss->why_set = false;
}

/* SIGINT / SIGTERM: stop admitting (the listener goes: new requests are refused), stop the
 * writers and end every channel gracefully. */
static void interrupt(struct session *ss, l2k_sock **lsp)
{
	ss->interrupted = true;
	ss->stdin_open = false;
	fprintf(stderr, PROG ": %s: ending %d channel%s\n", tool_signal_name(), ss->nlive, ss->nlive == 1 ? "" : "s");
	for (int i = 0; i < MAXCH; i++)
		if (ss->k[i])
			ss->k[i]->halt = true;
	if (ss->ls) {
		l2k_close(ss->ls);
		ss->ls = NULL;
		*lsp = NULL;
	}
}

bool serve(const struct cfg *c, l2k_stack *s, l2k_sock **lsp, l2k_sock **sks, int n,
	   enum l2k_close_reason *why_out)
{
	struct session ss;
	memset(&ss, 0, sizeof(ss));
	ss.c = c;
	ss.s = s;
	ss.ls = lsp ? *lsp : NULL;
	ss.ntag = ss.ls ? c->nchan : n;
	ss.ok = true;
	ss.stdin_open = c->src == SRC_STDIN;
	ss.why = ss.last_why = L2K_CLOSE_LOCAL;
	int fds[2];
	if (tool_wake_pair(fds) < 0) {
		fprintf(stderr, PROG ": pipe: %s\n", strerror(errno));
		for (int i = 0; i < n; i++)
			l2k_close(sks[i]);
		*why_out = L2K_CLOSE_LOCAL;
		return false;
	}
	ss.ev_r = fds[0];
	ss.ev_w = fds[1];
	for (int i = 0; i < n; i++) {
		admit(&ss, sks[i]);
		if (!ss.k[i]) {
			/* a channel could not start: end the others gracefully */
			for (int k = i + 1; k < n; k++)
				l2k_close(sks[k]);
			ss.stdin_open = false;
			ss.aborting = true;
			for (int k = 0; k < MAXCH; k++)
				if (ss.k[k])
					ss.k[k]->halt = true;
			break;
		}
	}
	uint8_t *buf = c->src == SRC_STDIN ? malloc(65535) : NULL;
	if (c->src == SRC_STDIN && !buf) {
		fprintf(stderr, PROG ": out of memory\n");
		ss.ok = false;
		ss.stdin_open = false;
	}
	for (;;) {
		if (tool_signal() && !ss.interrupted)
			interrupt(&ss, lsp);
		for (int i = 0; i < MAXCH; i++)
			if (ss.k[i] && finished(&ss, i))
				finish(&ss, i);
		bool admitting = ss.ls && !ss.interrupted && !ss.accept_failed && (c->keep || ss.served == 0 || ss.nlive > 0);
		if (!admitting && ss.nlive == 0)
			break;
		if (admitting) {
			while (ss.nlive < c->nchan) {
				l2k_sock *sk;
				int r = l2k_accept(ss.ls, 0, &sk);
				if (r == L2K_EAGAIN)
					break;
				if (r < 0) {
					fprintf(stderr, PROG ": accept failed: %s%s%s\n", l2k_strerror(r),
						l2k_last_error(s)[0] ? ": " : "", l2k_last_error(s));
					ss.ok = false;
					ss.accept_failed = true;
					break;
				}
				admit(&ss, sk);
			}
		}
		bool rc_pending = c->reconf_mtu && ss.nlive > 0 && !ss.rc_done && !ss.rc_skip && !ss.interrupted;
		if (rc_pending && atomic_load(&moved) >= c->reconf_at) {
			reconf_now(&ss);
			continue;
		}
		struct pollfd pf[4];
		unsigned np = 0;
		int i_in = -1;
		pf[np++] = (struct pollfd){ss.ev_r, POLLIN, 0}; /* a channel is done */
		if (!ss.interrupted && tool_signal_fd() >= 0)
			pf[np++] = (struct pollfd){tool_signal_fd(), POLLIN, 0}; /* SIGINT / SIGTERM */
		if (admitting && ss.nlive < c->nchan)
			pf[np++] = (struct pollfd){l2k_sock_fd(ss.ls), POLLIN, 0}; /* a channel to accept */
		if (ss.stdin_open && ss.nlive > 0) {
			i_in = (int)np;
			pf[np++] = (struct pollfd){tool_stdin_fd(), POLLIN, 0};
		}
		int pr = tool_poll(pf, np, rc_pending ? 10 : 1000);
		if (pr < 0 && errno != EINTR) {
			fprintf(stderr, PROG ": poll: %s\n", strerror(errno));
			ss.ok = false;
			break;
		}
		tool_wake_drain(ss.ev_r);
		if (i_in >= 0 && pr > 0 && pf[i_in].revents && !tool_signal()) {
			struct conn *live[MAXCH];
			bool gone[MAXCH];
			int slot[MAXCH], m = 0;
			for (int i = 0; i < MAXCH; i++)
				if (ss.k[i] && !finished(&ss, i)) {
					live[m] = ss.k[i];
					gone[m] = false;
					slot[m++] = i;
				}
			if (!m)
				continue;
			long r = feed_stdin_once(live, m, gone, buf, ss.stdin_t0, &ss.stdin_fed);
			if (r < 0)
				ss.ok = false;
			if (r <= 0)
				ss.stdin_open = false; /* the end of stdin: every channel ends */
			for (int i = 0; i < m; i++)
				if (gone[i])
					ss.gone[slot[i]] = true;
		}
	}
	free(buf);
	tool_wake_close(ss.ev_r);
	tool_wake_close(ss.ev_w);
	*why_out = ss.last_why;
	return ss.ok;
}
