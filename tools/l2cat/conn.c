/* l2cat: the channels.  Starting one (its parameters, output file and receiver thread), its
 * end with the verdict on it, the --reconfigure-mtu thread and its verdict, and serve(): a set
 * of open channels from start to end. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tools/common/tool.h"
#include "tools/l2cat/l2cat.h"

bool is_end_error(long r)
{
	/* the channel ended: the verdict comes from l2k_shutdown */
	return r == L2K_ESHUTDOWN || r == L2K_ECONNRESET || r == L2K_ELINKLOSS || r == L2K_ETIMEDOUT ||
	       r == L2K_EPROTO || r == L2K_EMAXTX || r == L2K_ECONNABORTED;
}

/* "channel 2: " when several channels are served, "" otherwise. */
static const char *chan_tag(const struct conn *k, char *buf, size_t len)
{
	if (k->n <= 1)
		return "";
	snprintf(buf, len, "channel %d: ", k->idx);
	return buf;
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
static bool conn_start(struct conn *k, const struct cfg *c, l2k_stack *s, l2k_sock *sk, int idx, int n)
{
	memset(k, 0, sizeof(*k));
	k->c = c;
	k->cc = *c;
	k->idx = idx;
	k->n = n;
	k->s = s;
	k->sk = sk;
	k->out_fd = 1;
	k->ok = true;
	int fds[2];
	if (pipe(fds) < 0) {
		fprintf(stderr, PROG ": pipe: %s\n", strerror(errno));
		l2k_close(sk);
		return false;
	}
	k->done_r = fds[0];
	k->done_w = fds[1];
	pthread_mutex_init(&k->m, NULL);
	pthread_cond_init(&k->cv, NULL);
	l2k_sock_info(sk, &k->ci);
	if (c->verbose)
		print_chan(k, c->listen ? "accepted" : "connected to", &k->ci);
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
		close(fds[0]);
		close(fds[1]);
		if (k->out_fd > 1)
			close(k->out_fd);
		return false;
	}
	return true;
}

/* The end of a started channel: graceful shutdown and the verdict on it.  Returns true when
 * everything went right; *why_out: how the channel ended.  The socket is released. */
static bool conn_end(struct conn *k, enum l2k_close_reason *why_out)
{
	const struct cfg *c = k->c;
	l2k_sock *sk = k->sk;
	bool ok = k->ok;
	char tag[24];
	const char *ct = chan_tag(k, tag, sizeof(tag));
	/* The verdict on what we sent: disconnect after it (or learn how the peer's close went). */
	int v = l2k_shutdown(sk, c->timeout_ms);
	k->stop = true;
	pthread_join(k->rx, NULL);
	double secs = (double)(tool_now_us() - k->t0) / 1e6;
	l2k_sock_info(sk, &k->ci);
	enum l2k_close_reason why = l2k_sock_close_reason(sk);
	*why_out = why;
	char msg[160];
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
		if (k->bad || k->rx_sdus != k->tx_sdus) {
			fprintf(stderr, PROG ": %sverify: %llu of %llu echoes came back, %llu differ\n", ct,
				(unsigned long long)k->rx_sdus, (unsigned long long)k->tx_sdus,
				(unsigned long long)k->bad);
			ok = false;
		} else if (c->verbose) {
			fprintf(stderr, PROG ": %sverify: %llu echoes intact\n", ct, (unsigned long long)k->rx_sdus);
		}
	}
	if (c->verbose) {
		uint64_t tx = k->tx_bytes + k->echo_bytes, txs = k->tx_sdus + k->echo_sdus;
		fprintf(stderr,
			PROG ": %ssent %llu bytes in %llu SDUs, received %llu bytes in %llu SDUs, %.3f s, %.3f MB/s "
			"(channel %s; mtu %u/%u at the end)\n",
			ct, (unsigned long long)tx, (unsigned long long)txs, (unsigned long long)k->rx_bytes,
			(unsigned long long)k->rx_sdus, secs, secs > 0 ? (double)(tx + k->rx_bytes) / secs / 1e6 : 0.0,
			l2k_close_reason_str(why), k->ci.local_mtu, k->ci.remote_mtu);
	}
	l2k_close(sk);
	close(k->done_r);
	close(k->done_w);
	if (k->out_fd > 1 && close(k->out_fd) < 0 && ok) {
		fprintf(stderr, PROG ": %swriting the output file failed: %s\n", ct, strerror(errno));
		ok = false;
	}
	pthread_mutex_destroy(&k->m);
	pthread_cond_destroy(&k->cv);
	return ok;
}

/* --reconfigure-mtu: a thread that waits until --reconfigure-at bytes moved, then asks for the
 * new receive MTU (and MPS) on every channel at once. */
struct reconf {
	const struct cfg *c;
	l2k_sock *sks[MAXCH];
	int n;
	pthread_t th;
	atomic_bool stop;
	bool done;
	int err;
	uint16_t mps;
	unsigned long long at;
	struct l2k_chan_info ci;
};

static void *reconf_main(void *arg)
{
	struct reconf *rc = arg;
	while (!atomic_load(&rc->stop) && atomic_load(&moved) < rc->c->reconf_at)
		usleep(1000);
	if (atomic_load(&rc->stop))
		return NULL;
	uint16_t mps = (uint16_t)rc->c->reconf_mps;
	for (int i = 0; i < rc->n && !rc->c->reconf_mps; i++) {
		struct l2k_chan_info ci;
		if (l2k_sock_info(rc->sks[i], &ci) == 0 && ci.local_mps > mps)
			mps = ci.local_mps; /* unchanged (a group's MPS may not shrink) */
	}
	rc->mps = mps;
	rc->at = atomic_load(&moved);
	rc->err = l2k_sock_reconfigure(rc->sks, rc->n, (uint16_t)rc->c->reconf_mtu, mps);
	l2k_sock_info(rc->sks[0], &rc->ci);
	rc->done = true;
	return NULL;
}

/* The verdict on the reconfiguration (true: fine). */
static bool reconf_report(const struct reconf *rc)
{
	const struct cfg *c = rc->c;
	if (!rc->done) {
		fprintf(stderr, PROG ": the reconfiguration was not made: the transfer ended after %llu bytes, "
			"before --reconfigure-at %lu\n", (unsigned long long)atomic_load(&moved), c->reconf_at);
		return false;
	}
	if (rc->err == L2K_EREFUSED) {
		fprintf(stderr, PROG ": the peer refused the reconfiguration to mtu %lu, mps %u (result 0x%04x%s)\n",
			c->reconf_mtu, rc->mps, rc->ci.result,
			rc->ci.result == 0x0001   ? ": MTU reduced"
			: rc->ci.result == 0x0002 ? ": MPS reduced"
			: rc->ci.result == 0x0003 ? ": invalid CID"
			: rc->ci.result == 0x0004 ? ": unacceptable parameters"
			: rc->ci.result == 0xFFFF ? ": Command Reject"
						  : "");
		return false;
	}
	if (rc->err < 0) {
		fprintf(stderr, PROG ": the reconfiguration to mtu %lu, mps %u failed: %s%s\n", c->reconf_mtu, rc->mps,
			l2k_strerror(rc->err),
			rc->err == L2K_EINVAL ? " (ecfc channels only; the MTU may only grow, the MPS of several "
						"channels may not shrink)"
					      : "");
		return false;
	}
	if (c->verbose)
		fprintf(stderr, PROG ": reconfigured %d channel%s after %llu bytes: mtu %lu, mps %u (success)\n", rc->n,
			rc->n > 1 ? "s" : "", rc->at, c->reconf_mtu, rc->mps);
	return true;
}

/* n channels (1, or up to 5 enhanced credit based ones) from open to end.  Returns true when
 * everything went right on all of them; *why_out: how they ended (link lost if one did, else the
 * first one's reason). */
bool serve(const struct cfg *c, l2k_stack *s, l2k_sock **sks, int n, enum l2k_close_reason *why_out)
{
	struct conn ks[MAXCH];
	bool ok = true;
	int started = 0;
	for (int i = 0; i < n; i++) {
		if (!conn_start(&ks[i], c, s, sks[i], i, n)) {
			for (int k = i + 1; k < n; k++)
				l2k_close(sks[k]);
			ok = false;
			break;
		}
		started++;
	}
	struct reconf rc = {.c = c, .n = started};
	bool reconf = c->reconf_mtu && started == n;
	if (reconf) {
		memcpy(rc.sks, sks, sizeof(rc.sks[0]) * (size_t)n);
		atomic_init(&rc.stop, false);
		if (pthread_create(&rc.th, NULL, reconf_main, &rc) != 0) {
			fprintf(stderr, PROG ": cannot start the reconfiguration thread\n");
			reconf = false;
			ok = false;
		}
	}
	if (started == n) {
		switch (c->src) {
		case SRC_STDIN: feed_stdin(ks, n); break;
		case SRC_PATTERN: {
			pthread_t th[MAXCH];
			bool running[MAXCH] = {false};
			for (int i = 1; i < n; i++)
				running[i] = pthread_create(&th[i], NULL, feed_main, &ks[i]) == 0;
			feed_pattern(&ks[0]);
			for (int i = 1; i < n; i++) {
				if (running[i])
					pthread_join(th[i], NULL);
				else
					ks[i].tx_err = L2K_ENOMEM;
			}
			break;
		}
		case SRC_NONE: break;
		}
	}
	if (started == n && c->src == SRC_NONE)
		wait_receivers(ks, n);
	for (int i = 0; i < started && started == n; i++)
		if (c->src != SRC_NONE && c->snk == SINK_VERIFY && !ks[i].tx_err)
			wait_echoes(&ks[i]);
	if (reconf) {
		atomic_store(&rc.stop, true);
		pthread_join(rc.th, NULL);
		ok = reconf_report(&rc) && ok;
	}
	enum l2k_close_reason why = L2K_CLOSE_LOCAL;
	for (int i = 0; i < started; i++) {
		enum l2k_close_reason w;
		ok = conn_end(&ks[i], &w) && ok;
		if (i == 0 || w == L2K_CLOSE_LINK_LOST)
			why = w;
	}
	*why_out = why;
	return ok;
}
