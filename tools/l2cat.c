/* l2cat: netcat for L2CAP channels, on l2kit's socket face.
 *
 *   l2cat -t SPEC [options] -l PSM                          serve one channel (-k: keep serving)
 *   l2cat -t SPEC [options] ADDR[/le-public|/le-random] PSM  connect
 *
 * stdin becomes SDUs (one per read, at most the peer's MTU), received SDUs go to stdout.  End of
 * stdin ends the channel gracefully (l2k_shutdown: what was sent goes out first, the peer
 * confirms the disconnection).  Two threads per channel: this one feeds the channel, a receiver
 * thread drains it (the socket face is thread-safe), so neither direction can stall the other.
 * With -m ecfc --channels N (Enhanced Credit Based Flow Control) N channels open in one request
 * and each carries a full copy of the data (stdin, or --send); -o PREFIX writes what channel i
 * receives to PREFIX.i.  --reconfigure-mtu raises our receive MTU on all of them mid-transfer.
 * Exit status 0 only when everything sent was delivered (as far as the mode lets the sender know:
 * see docs/l2cat.md), nothing received was dropped and --verify found every echo intact. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/l2kit.h"
#include "tools/common/tool.h"

#define PROG "l2cat"
#define RXBUF 65536
#define MAXCH 5 /* channels of one Credit Based Connection Request (Vol 3 Part A 4.25) */

enum source { SRC_STDIN, SRC_PATTERN, SRC_NONE };
enum sink { SINK_STDOUT, SINK_DISCARD, SINK_VERIFY, SINK_ECHO };

struct cfg {
	const char *spec, *snoop;
	enum l2k_mode mode;
	bool mode_set, le;
	struct l2k_chan_opts opts;
	bool listen, keep, verbose;
	uint16_t psm;
	enum source src;
	enum sink snk;
	unsigned long send_n, size;
	bool size_set;
	unsigned long rate; /* bytes per second sent at most (0: as fast as the channel takes) */
	int timeout_ms;
	l2k_addr peer;
	enum l2k_addr_type ptype;
	int nchan;		  /* --channels (ECFC) */
	const char *out_prefix;	  /* -o: channel i's data to PREFIX.i */
	unsigned long reconf_mtu; /* --reconfigure-mtu (0: none) */
	unsigned long reconf_mps; /* --reconfigure-mps (0: keep) */
	unsigned long reconf_at;  /* --reconfigure-at: bytes moved before it */
};

struct conn {
	const struct cfg *c;
	struct cfg cc; /* c with this channel's --size settled */
	int idx, n;    /* channel idx of n */
	l2k_stack *s;
	l2k_sock *sk;
	int out_fd;    /* where received data goes (SINK_STDOUT) */
	uint64_t t0;
	bool ok;
	struct l2k_chan_info ci;
	pthread_t rx;
	int done_r, done_w; /* the receiver ended (wakes a writer blocked on stdin) */
	pthread_mutex_t m;
	pthread_cond_t cv;
	/* the receiver's counters (under m) */
	uint64_t rx_sdus, rx_bytes, echo_sdus, echo_bytes, bad, stalls;
	bool rx_ended, out_err;
	int rx_err, echo_err;
	volatile bool stop;
	/* the writer's */
	uint64_t tx_sdus, tx_bytes;
	int tx_err;
};

static void usage(FILE *f)
{
	char built[128];
	tool_mode_list(built, sizeof(built), true);
	fprintf(f,
		"usage: l2cat -t SPEC [options] -l PSM\n"
		"       l2cat -t SPEC [options] ADDR[/le-public|/le-random] PSM\n"
		"  Opens an L2CAP channel (listening: serves one, -k: keeps serving); stdin becomes SDUs\n"
		"  (one per read, at most the peer's MTU), received SDUs go to stdout.  End of stdin ends\n"
		"  the channel gracefully.  Exit status 0 only when everything sent was delivered.\n"
		"  -t, --transport SPEC   controller: unix:PATH | tcp:HOST:PORT | serial:DEV[,BAUD] | sim[:...]\n"
		"                         | hciN (Linux HCI user channel) | usb[:N|:VID:PID[#N]|:BUS-PORT] (libusb)\n"
		"  -m, --mode MODE        channel mode (built: %s); default basic, or le for LE addresses\n"
		"      --le               serve / connect over LE (implied by -m le and /le-* addresses)\n"
		"      --mtu N            largest SDU we receive (default 672 BR/EDR, 2048 LE)\n"
		"      --mps N            largest PDU payload we receive (credit modes, ertm, streaming,\n"
		"                         retrans, flowctl; default: one I-frame per ACL packet)\n"
		"      --fcs none|crc16   ertm/streaming: ask for no FCS (used only if the peer agrees)\n"
		"      --window N         ertm/retrans/flowctl: our receive window (default 63; legacy <= 32)\n"
		"      --max-transmit N   ertm/retrans: transmissions before giving up (default 3, 0 = never)\n"
		"      --ext-window       ertm: Extended Window Size option (--window up to 16383)\n"
		"      --credits N        credits granted at connection (credit modes)\n"
		"      --channels N       -m ecfc: open N channels (1..5) in one request (listening: serve N);\n"
		"                         each carries a full copy of stdin / --send\n"
		"  -o, --output PREFIX    what channel i receives goes to PREFIX.i instead of stdout\n"
		"      --reconfigure-mtu N  -m ecfc: once --reconfigure-at BYTES have moved (sent and\n"
		"                         received, all channels), ask for receive MTU N on every channel\n"
		"      --reconfigure-mps N  with it: MPS N too (default: unchanged)\n"
		"      --reconfigure-at BYTES  (default 0: as soon as the channels are open)\n"
		"  -l, --listen PSM       listen on PSM (BR/EDR: odd, e.g. 0x1001; LE SPSM 0x0001-0x00FF)\n"
		"  -k, --keep             with -l: serve channels one after another until killed\n"
		"  -d, --recv-only        do not read stdin: receive until the peer ends the channel\n"
		"      --echo             send every received SDU back (stdin is not read)\n"
		"      --sink             discard what is received (stdin is not read)\n"
		"      --send N           send N patterned SDUs instead of stdin\n"
		"      --size S           size of those SDUs (default: the peer's MTU)\n"
		"      --verify           with --send: the peer echoes; check every echo byte for byte\n"
		"      --rate BYTES       send at most BYTES per second (suffix k = 1000, M = 1000000):\n"
		"                         for modes without flow control and receivers that cannot keep up\n"
		"  -w, --timeout MS       connect, and wait for echoes / the disconnection (default 30000)\n"
		"      --btsnoop FILE     capture every HCI packet to FILE (btmon -r, wireshark)\n"
		"  -v, --verbose          channel parameters, and a summary (bytes, SDUs, s, MB/s) on stderr\n"
		"  -h, --help\n",
		built);
}

/* ---- data ---------------------------------------------------------------------------------- */

static void pattern(uint8_t *b, size_t n, uint64_t i)
{
	for (size_t k = 0; k < n; k++)
		b[k] = (uint8_t)(i * 131u + k * 7u + (k >> 8));
}

/* Bytes sent and received on every channel so far (--reconfigure-at). */
static atomic_ullong moved;

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static bool is_end_error(long r)
{
	/* the channel ended: the verdict comes from l2k_shutdown */
	return r == L2K_ESHUTDOWN || r == L2K_ECONNRESET || r == L2K_ELINKLOSS || r == L2K_ETIMEDOUT ||
	       r == L2K_EPROTO || r == L2K_EMAXTX || r == L2K_ECONNABORTED;
}

static void *rx_main(void *arg)
{
	struct conn *k = arg;
	const struct cfg *c = k->c;
	uint8_t *buf = malloc(RXBUF), *want = c->snk == SINK_VERIFY ? malloc(RXBUF) : NULL;
	if (!buf || (c->snk == SINK_VERIFY && !want)) {
		k->rx_err = L2K_ENOMEM;
		goto out;
	}
	while (!k->stop) {
		size_t full = 0;
		long n = l2k_recv(k->sk, buf, RXBUF, &full, 250);
		if (n == L2K_ETIMEDOUT)
			continue;
		if (n < 0) {
			k->rx_err = (int)n;
			break;
		}
		if (n == 0 && full == SIZE_MAX)
			break; /* end of stream */
		size_t len = (size_t)n;
		switch (c->snk) {
		case SINK_STDOUT:
			if (write_all(k->out_fd, buf, len) < 0) {
				k->out_err = true;
				k->stop = true;
			}
			break;
		case SINK_ECHO: {
			long r = l2k_send(k->sk, buf, len, -1);
			pthread_mutex_lock(&k->m);
			if (r >= 0) {
				k->echo_sdus++;
				k->echo_bytes += len;
				atomic_fetch_add(&moved, (unsigned long long)len);
			} else if (!is_end_error(r)) {
				k->echo_err = (int)r;
			}
			pthread_mutex_unlock(&k->m);
			break;
		}
		case SINK_VERIFY:
			pattern(want, c->size, k->rx_sdus);
			if (len != c->size || memcmp(buf, want, len)) {
				if (!k->bad)
					fprintf(stderr, PROG ": echo %llu differs (%zu bytes, expected %lu)\n",
						(unsigned long long)k->rx_sdus, len, c->size);
				pthread_mutex_lock(&k->m);
				k->bad++;
				pthread_mutex_unlock(&k->m);
			}
			break;
		case SINK_DISCARD:
			break;
		}
		atomic_fetch_add(&moved, (unsigned long long)len);
		pthread_mutex_lock(&k->m);
		k->rx_sdus++;
		k->rx_bytes += len;
		pthread_cond_broadcast(&k->cv);
		pthread_mutex_unlock(&k->m);
	}
out:
	free(buf);
	free(want);
	pthread_mutex_lock(&k->m);
	k->rx_ended = true;
	pthread_cond_broadcast(&k->cv);
	pthread_mutex_unlock(&k->m);
	char b = 1;
	if (write(k->done_w, &b, 1) < 0) {
		/* the writer also stops on the channel's end */
	}
	return NULL;
}

/* --rate: sleep until sending n more bytes keeps the average at or below the rate. */
static void pace(struct conn *k, uint64_t t0, size_t n)
{
	unsigned long rate = k->c->rate;
	if (!rate)
		return;
	uint64_t due = t0 + (k->tx_bytes + n) * 1000000u / rate;
	uint64_t now = tool_now_us();
	if (due > now)
		usleep((useconds_t)(due - now < 1000000u ? due - now : 1000000u));
}

/* stdin to SDUs until end of stdin, a receiver's end, or a send error.  With several channels
 * (ECFC) every SDU goes on each of them: each carries a full copy of stdin.  An SDU is at most
 * the smallest peer MTU, asked again before each read (a reconfiguration may raise it). */
static void feed_stdin(struct conn *ks, int n)
{
	uint8_t *buf = malloc(65535);
	if (!buf) {
		ks[0].tx_err = L2K_ENOMEM;
		return;
	}
	uint64_t t0 = tool_now_us();
	struct pollfd pf[1 + MAXCH];
	pf[0].fd = 0;
	pf[0].events = POLLIN;
	for (int i = 0; i < n; i++) {
		pf[1 + i].fd = ks[i].done_r;
		pf[1 + i].events = POLLIN;
	}
	bool end = false;
	while (!end) {
		if (poll(pf, (nfds_t)(1 + n), -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < n; i++)
			if (pf[1 + i].revents)
				end = true; /* a channel ended under us */
		if (end || !pf[0].revents)
			continue;
		size_t mtu = 65535;
		for (int i = 0; i < n; i++) {
			struct l2k_chan_info ci;
			if (l2k_sock_info(ks[i].sk, &ci) == 0 && ci.remote_mtu && ci.remote_mtu < mtu)
				mtu = ci.remote_mtu;
		}
		ssize_t r = read(0, buf, mtu);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, PROG ": reading stdin: %s\n", strerror(errno));
			ks[0].tx_err = L2K_EIO;
			break;
		}
		if (r == 0)
			break;
		pace(&ks[0], t0, (size_t)r);
		for (int i = 0; i < n && !end; i++) {
			struct conn *k = &ks[i];
			long w = l2k_send(k->sk, buf, (size_t)r, -1);
			if (w < 0) {
				k->tx_err = (int)w;
				end = true;
				break;
			}
			k->tx_sdus++;
			k->tx_bytes += (uint64_t)r;
			atomic_fetch_add(&moved, (unsigned long long)r);
		}
	}
	free(buf);
}

static void feed_pattern(struct conn *k)
{
	const struct cfg *c = k->c;
	uint8_t *buf = malloc(c->size ? c->size : 1);
	if (!buf) {
		k->tx_err = L2K_ENOMEM;
		return;
	}
	/* --verify: at most a window of unechoed SDUs (64 KiB, at least 1), so that an echo over a
	 * mode without flow control (Basic) never overruns the echoing side's receive queue */
	uint64_t window = c->snk == SINK_VERIFY ? 65536 / ((uint64_t)c->size + 4) : UINT64_MAX;
	if (window < 1)
		window = 1;
	uint64_t t0 = tool_now_us();
	for (unsigned long i = 0; i < c->send_n; i++) {
		if (window != UINT64_MAX) {
			pthread_mutex_lock(&k->m);
			while (i - k->rx_sdus >= window && !k->rx_ended) {
				struct timespec ts;
				clock_gettime(CLOCK_REALTIME, &ts);
				ts.tv_sec += 1;
				uint64_t before = k->rx_sdus;
				if (pthread_cond_timedwait(&k->cv, &k->m, &ts) == ETIMEDOUT && k->rx_sdus == before &&
				    ++k->stalls * 1000 >= (uint64_t)c->timeout_ms)
					break;
			}
			bool gone = k->rx_ended || i - k->rx_sdus >= window;
			pthread_mutex_unlock(&k->m);
			if (gone)
				break; /* the echoes stopped: the verdict reports it */
		}
		pattern(buf, c->size, i);
		pace(k, t0, c->size);
		long r = l2k_send(k->sk, buf, c->size, -1);
		if (r < 0) {
			k->tx_err = (int)r;
			break;
		}
		k->tx_sdus++;
		k->tx_bytes += c->size;
		atomic_fetch_add(&moved, (unsigned long long)c->size);
	}
	free(buf);
}

/* --verify: wait until every echo came back, the channel ended, or no echo came for timeout_ms. */
static void wait_echoes(struct conn *k)
{
	pthread_mutex_lock(&k->m);
	uint64_t seen = k->rx_sdus;
	uint64_t last = tool_now_us();
	while (k->rx_sdus < k->tx_sdus && !k->rx_ended) {
		pthread_mutex_unlock(&k->m);
		usleep(10000);
		pthread_mutex_lock(&k->m);
		if (k->rx_sdus != seen) {
			seen = k->rx_sdus;
			last = tool_now_us();
		} else if (tool_now_us() - last > (uint64_t)k->c->timeout_ms * 1000u) {
			break;
		}
	}
	pthread_mutex_unlock(&k->m);
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
static void chan_error(char *msg, size_t len, int err, const struct l2k_chan_info *ci)
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
			"no flow control)\n", ct, (unsigned long long)k->ci.rx_sdus_dropped,
			l2k_mode_name(k->ci.mode) ? l2k_mode_name(k->ci.mode) : "this");
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

/* Receive only / echo: the peer ends the channels.  Wait until every receiver ended, or one
 * ended on an error of ours (output failed): the others are then ended too (by conn_end), so
 * that a peer blocked on a channel we no longer read is released. */
static void wait_receivers(struct conn *ks, int n)
{
	for (;;) {
		bool all = true, failed = false;
		for (int i = 0; i < n; i++) {
			struct conn *k = &ks[i];
			pthread_mutex_lock(&k->m);
			if (!k->rx_ended)
				all = false;
			else if (k->out_err || k->rx_err)
				failed = true;
			if (n == 1 && !k->rx_ended)
				pthread_cond_wait(&k->cv, &k->m); /* one channel: no polling */
			pthread_mutex_unlock(&k->m);
		}
		if (all || failed)
			return;
		if (n > 1)
			usleep(10000);
	}
}

static void *feed_main(void *arg)
{
	feed_pattern(arg);
	return NULL;
}

/* n channels (1, or up to 5 enhanced credit based ones) from open to end.  Returns true when
 * everything went right on all of them; *why_out: how they ended (link lost if one did, else the
 * first one's reason). */
static bool serve(const struct cfg *c, l2k_stack *s, l2k_sock **sks, int n, enum l2k_close_reason *why_out)
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

/* ---- stack events -------------------------------------------------------------------------- */

/* Links that are up (the callbacks run on the stack's thread). */
static struct {
	pthread_mutex_t m;
	pthread_cond_t cv;
	uint16_t h[16];
	int n;
	bool verbose;
} links = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, 0, false};

static void on_error(void *user, int err, const char *msg)
{
	fprintf(stderr, PROG ": controller: %s\n", msg);
}

static void on_link_up(void *user, const struct l2k_link_info *li)
{
	if (links.verbose) {
		char a[18];
		fprintf(stderr, PROG ": link up: %s handle 0x%03x\n", l2k_addr_str(&li->peer, a), li->handle);
	}
	pthread_mutex_lock(&links.m);
	if (links.n < (int)(sizeof(links.h) / sizeof(links.h[0])))
		links.h[links.n++] = li->handle;
	pthread_mutex_unlock(&links.m);
}

static void on_link_down(void *user, const struct l2k_link_info *li, uint8_t reason)
{
	pthread_mutex_lock(&links.m);
	for (int i = 0; i < links.n; i++)
		if (links.h[i] == li->handle) {
			links.h[i] = links.h[--links.n];
			break;
		}
	pthread_cond_broadcast(&links.cv);
	pthread_mutex_unlock(&links.m);
	if (links.verbose)
		fprintf(stderr, PROG ": link down: handle 0x%03x (HCI 0x%02x: %s)\n", li->handle, reason,
			tool_hci_status_str(reason));
}

static void links_wait_down(int ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&links.m);
	while (links.n > 0 && pthread_cond_timedwait(&links.cv, &links.m, &ts) == 0)
		;
	pthread_mutex_unlock(&links.m);
}

/* Before the stack goes away: what we last sent (a Disconnection Response, say) must not die in
 * the controller with it.  When the peer ended the channel it also ends the link: give it the
 * time to; then disconnect what is left ourselves and wait for the controller to confirm. */
static void links_finish(l2k_stack *s, bool peer_ends)
{
	if (peer_ends)
		links_wait_down(2000);
	pthread_mutex_lock(&links.m);
	uint16_t h[16];
	int n = links.n;
	memcpy(h, links.h, sizeof(h));
	pthread_mutex_unlock(&links.m);
	if (!n)
		return;
	l2k_lock(s);
	for (int i = 0; i < n; i++)
		l2k_link_disconnect(s, h[i], 0);
	l2k_unlock(s);
	links_wait_down(2000);
}

/* ---- main ---------------------------------------------------------------------------------- */

enum { O_MTU = 256, O_MPS, O_CREDITS, O_ECHO, O_SINK, O_SEND, O_SIZE, O_VERIFY, O_SNOOP, O_LE,
       O_FCS, O_WINDOW, O_MAXTX, O_EXTWIN, O_RATE, O_CHANNELS, O_RMTU, O_RMPS, O_RAT };

/* N, Nk, NM: bytes per second */
static int parse_rate(const char *s, unsigned long *out)
{
	char num[32];
	size_t n = strlen(s);
	unsigned long mul = 1;
	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n + 1);
	if (num[n - 1] == 'k' || num[n - 1] == 'K')
		mul = 1000;
	else if (num[n - 1] == 'M')
		mul = 1000000;
	if (mul > 1)
		num[n - 1] = '\0';
	unsigned long v;
	if (tool_parse_uint(num, 1, 4000000000ul / mul, &v))
		return -1;
	*out = v * mul;
	return 0;
}

static int bad_arg(const char *opt, const char *val, const char *why)
{
	fprintf(stderr, PROG ": bad value '%s' for %s: %s\n", val, opt, why);
	return 2;
}

int main(int argc, char **argv)
{
	struct cfg c;
	memset(&c, 0, sizeof(c));
	l2k_chan_opts_default(&c.opts);
	c.timeout_ms = 30000;
	c.nchan = 1;
	bool echo = false, sink = false, recv_only = false, verify = false, send = false;
	static const struct option lo[] = {
	    {"transport", required_argument, 0, 't'}, {"mode", required_argument, 0, 'm'},
	    {"mtu", required_argument, 0, O_MTU},     {"mps", required_argument, 0, O_MPS},
	    {"credits", required_argument, 0, O_CREDITS}, {"listen", required_argument, 0, 'l'},
	    {"keep", no_argument, 0, 'k'},	      {"recv-only", no_argument, 0, 'd'},
	    {"echo", no_argument, 0, O_ECHO},	      {"sink", no_argument, 0, O_SINK},
	    {"send", required_argument, 0, O_SEND},   {"size", required_argument, 0, O_SIZE},
	    {"verify", no_argument, 0, O_VERIFY},     {"timeout", required_argument, 0, 'w'},
	    {"rate", required_argument, 0, O_RATE},
	    {"btsnoop", required_argument, 0, O_SNOOP}, {"le", no_argument, 0, O_LE},
	    {"fcs", required_argument, 0, O_FCS},     {"window", required_argument, 0, O_WINDOW},
	    {"max-transmit", required_argument, 0, O_MAXTX}, {"ext-window", no_argument, 0, O_EXTWIN},
	    {"channels", required_argument, 0, O_CHANNELS}, {"output", required_argument, 0, 'o'},
	    {"reconfigure-mtu", required_argument, 0, O_RMTU}, {"reconfigure-mps", required_argument, 0, O_RMPS},
	    {"reconfigure-at", required_argument, 0, O_RAT},
	    {"verbose", no_argument, 0, 'v'},	      {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0}};
	int o;
	unsigned long v;
	while ((o = getopt_long(argc, argv, "t:m:l:kdw:o:vh", lo, NULL)) != -1) {
		switch (o) {
		case 't': c.spec = optarg; break;
		case 'm':
			if (tool_parse_mode(PROG, optarg, &c.mode) < 0)
				return 2;
			c.mode_set = true;
			break;
		case O_MTU:
			if (tool_parse_uint(optarg, 23, 65535, &v))
				return bad_arg("--mtu", optarg, "23..65535 (BR/EDR needs >= 48)");
			c.opts.mtu = (uint16_t)v;
			break;
		case O_MPS:
			if (tool_parse_uint(optarg, 23, 65533, &v))
				return bad_arg("--mps", optarg, "23..65533");
			c.opts.mps = (uint16_t)v;
			break;
		case O_CREDITS:
			if (tool_parse_uint(optarg, 1, 65535, &v))
				return bad_arg("--credits", optarg, "1..65535");
			c.opts.credits = (uint16_t)v;
			break;
		case 'l':
			if (tool_parse_uint(optarg, 1, 0xFFFF, &v))
				return bad_arg("-l", optarg, "a PSM, e.g. 0x1001 or 128");
			c.listen = true;
			c.psm = (uint16_t)v;
			break;
		case 'k': c.keep = true; break;
		case 'd': recv_only = true; break;
		case O_ECHO: echo = true; break;
		case O_SINK: sink = true; break;
		case O_SEND:
			if (tool_parse_uint(optarg, 0, 0xFFFFFFFFul, &v))
				return bad_arg("--send", optarg, "a count");
			c.send_n = v;
			send = true;
			break;
		case O_SIZE:
			if (tool_parse_uint(optarg, 0, 65535, &v))
				return bad_arg("--size", optarg, "0..65535");
			c.size = v;
			c.size_set = true;
			break;
		case O_VERIFY: verify = true; break;
		case O_RATE:
			if (parse_rate(optarg, &c.rate))
				return bad_arg("--rate", optarg, "bytes per second, e.g. 500000, 500k, 2M");
			break;
		case 'w':
			if (tool_parse_uint(optarg, 1, 86400000, &v))
				return bad_arg("--timeout", optarg, "milliseconds, 1..86400000");
			c.timeout_ms = (int)v;
			break;
		case O_SNOOP: c.snoop = optarg; break;
		case O_LE: c.le = true; break;
		case O_FCS:
			if (strcmp(optarg, "none") && strcmp(optarg, "crc16"))
				return bad_arg("--fcs", optarg, "none or crc16");
			c.opts.fcs = !strcmp(optarg, "crc16");
			break;
		case O_WINDOW:
			if (tool_parse_uint(optarg, 1, 0x3FFF, &v))
				return bad_arg("--window", optarg, "1..63 (ERTM), 1..32 (legacy), up to 16383 with --ext-window");
			c.opts.tx_window = (uint16_t)v;
			break;
		case O_MAXTX:
			if (tool_parse_uint(optarg, 0, 254, &v))
				return bad_arg("--max-transmit", optarg, "1..254, or 0 for unlimited");
			c.opts.max_transmit = v ? (uint8_t)v : L2K_MAX_TRANSMIT_UNLIMITED;
			break;
		case O_EXTWIN: c.opts.ext_window = true; break;
		case O_CHANNELS:
			if (tool_parse_uint(optarg, 1, MAXCH, &v))
				return bad_arg("--channels", optarg, "1..5 (one Credit Based Connection Request)");
			c.nchan = (int)v;
			break;
		case 'o': c.out_prefix = optarg; break;
		case O_RMTU:
			if (tool_parse_uint(optarg, 64, 65535, &v))
				return bad_arg("--reconfigure-mtu", optarg, "64..65535");
			c.reconf_mtu = v;
			break;
		case O_RMPS:
			if (tool_parse_uint(optarg, 64, 65533, &v))
				return bad_arg("--reconfigure-mps", optarg, "64..65533");
			c.reconf_mps = v;
			break;
		case O_RAT:
			if (tool_parse_uint(optarg, 0, 0xFFFFFFFFul, &v))
				return bad_arg("--reconfigure-at", optarg, "a byte count");
			c.reconf_at = v;
			break;
		case 'v': c.verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!c.spec) {
		fprintf(stderr, PROG ": no transport: give -t SPEC (e.g. -t unix:/tmp/bt-server-bredr)\n");
		return 2;
	}
	int npos = argc - optind;
	if (c.listen ? npos != 0 : npos != 2) {
		fprintf(stderr, PROG ": %s\n", c.listen ? "-l PSM takes no address" : "give ADDR and PSM (or -l PSM)");
		usage(stderr);
		return 2;
	}
	if (!c.listen) {
		bool typed;
		if (tool_parse_peer(argv[optind], &c.peer, &c.ptype, &typed) < 0) {
			fprintf(stderr, PROG ": bad address '%s' (AA:BB:CC:DD:EE:FF[/bredr|/le-public|/le-random])\n",
				argv[optind]);
			return 2;
		}
		if (tool_parse_uint(argv[optind + 1], 1, 0xFFFF, &v))
			return bad_arg("PSM", argv[optind + 1], "a PSM, e.g. 0x1001 or 128");
		c.psm = (uint16_t)v;
		if (c.ptype != L2K_ADDR_BREDR)
			c.le = true;
		else if (!typed && (c.le || (c.mode_set && c.mode == L2K_MODE_LE_CREDIT)))
			c.ptype = L2K_ADDR_LE_PUBLIC;
		if (c.ptype != L2K_ADDR_BREDR)
			c.le = true;
	}
	if (c.mode_set && c.mode == L2K_MODE_LE_CREDIT)
		c.le = true;
	if (c.le && !c.mode_set)
		c.mode = L2K_MODE_LE_CREDIT;
	if (c.le && c.mode == L2K_MODE_BASIC) {
		fprintf(stderr, PROG ": mode basic is BR/EDR only; LE channels use -m le\n");
		return 2;
	}
	c.opts.mode = c.mode;
	if (echo + sink + send > 1 || (echo && recv_only)) {
		fprintf(stderr, PROG ": --echo, --sink and --send exclude each other\n");
		return 2;
	}
	if (verify && !send) {
		fprintf(stderr, PROG ": --verify needs --send N (the peer must echo: l2cat --echo)\n");
		return 2;
	}
	if (c.size_set && !send) {
		fprintf(stderr, PROG ": --size goes with --send\n");
		return 2;
	}
	c.src = send ? SRC_PATTERN : (echo || sink || recv_only) ? SRC_NONE : SRC_STDIN;
	c.snk = echo ? SINK_ECHO : verify ? SINK_VERIFY : sink ? SINK_DISCARD : SINK_STDOUT;
	if (c.keep && !c.listen) {
		fprintf(stderr, PROG ": -k goes with -l\n");
		return 2;
	}
	if (c.nchan > 1 && c.mode != L2K_MODE_ECFC) {
		fprintf(stderr, PROG ": --channels N opens several channels in one request: -m ecfc\n");
		return 2;
	}
	if ((c.reconf_mps || c.reconf_at) && !c.reconf_mtu) {
		fprintf(stderr, PROG ": --reconfigure-mps / --reconfigure-at go with --reconfigure-mtu N\n");
		return 2;
	}
	if (c.reconf_mtu && c.mode != L2K_MODE_ECFC) {
		fprintf(stderr, PROG ": --reconfigure-mtu needs -m ecfc (Credit Based Reconfigure Request)\n");
		return 2;
	}
	if (c.out_prefix && c.snk != SINK_STDOUT) {
		fprintf(stderr, PROG ": -o writes received data to files: not with --echo, --sink or --verify\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);

	l2k_stack *s;
	links.verbose = c.verbose;
	struct l2k_stack_cbs cbs = {.user = &c, .error = on_error, .link_up = on_link_up, .link_down = on_link_down};
	if (tool_stack_up(PROG, c.spec, c.snoop, !(c.listen && !c.le), &cbs, 10000, &s) < 0)
		return 1;
	struct l2k_controller_info inf;
	l2k_controller_info(s, &inf);
	if (c.verbose) {
		char a[18];
		fprintf(stderr, PROG ": controller %s ready on %s\n", l2k_addr_str(&inf.addr, a), c.spec);
	}
	if (c.le && !inf.le) {
		fprintf(stderr, PROG ": %s: the controller does not support LE\n", c.spec);
		l2k_stack_close(s);
		return 1;
	}
	if (!c.le && !inf.bredr) {
		fprintf(stderr, PROG ": %s: the controller does not support BR/EDR (LE: -m le)\n", c.spec);
		l2k_stack_close(s);
		return 1;
	}
	if (c.listen && c.le)
		l2k_le_advertise(s, true, NULL, 0); /* connectable, until a central connects */
	int r = l2k_start(s);
	if (r < 0) {
		fprintf(stderr, PROG ": cannot start the stack's thread: %s\n", l2k_strerror(r));
		l2k_stack_close(s);
		return 1;
	}
	bool ok = true;
	char msg[200];
	enum l2k_close_reason why = L2K_CLOSE_LOCAL;
	if (c.listen) {
		l2k_sock *ls;
		r = l2k_listen(s, c.psm, c.le, &c.opts, (c.keep ? 4 : 1) * c.nchan, &ls);
		if (r < 0) {
			if (r == L2K_EINVAL)
				fprintf(stderr, PROG ": cannot listen on 0x%04x: invalid PSM or options (BR/EDR PSMs are "
					"odd with an even upper octet, LE SPSMs 0x0001-0x00FF; MTU >= %d)\n",
					c.psm, c.le ? 23 : 48);
			else
				fprintf(stderr, PROG ": cannot listen on 0x%04x: %s\n", c.psm, l2k_strerror(r));
			l2k_stack_close(s);
			return 1;
		}
		if (c.verbose)
			fprintf(stderr, PROG ": listening on %s psm 0x%04x%s\n", c.le ? "LE" : "BR/EDR", c.psm,
				c.le ? " (advertising)" : "");
		do {
			l2k_sock *sk[MAXCH];
			int got = 0;
			for (; got < c.nchan; got++) {
				r = l2k_accept(ls, -1, &sk[got]);
				if (r < 0)
					break;
			}
			if (r < 0) {
				fprintf(stderr, PROG ": accept failed: %s%s%s\n", l2k_strerror(r),
					l2k_last_error(s)[0] ? ": " : "", l2k_last_error(s));
				for (int i = 0; i < got; i++)
					l2k_close(sk[i]);
				ok = false;
				break;
			}
			ok = serve(&c, s, sk, c.nchan, &why) && ok;
			if (c.keep && c.le) {
				/* the controller stopped advertising when the central connected */
				l2k_lock(s);
				l2k_le_advertise(s, true, NULL, 0);
				l2k_unlock(s);
			}
		} while (c.keep);
		l2k_close(ls);
	} else {
		l2k_sock *sk[MAXCH] = {NULL};
		if (c.mode == L2K_MODE_ECFC)
			r = l2k_connect_ecfc(s, &c.peer, c.ptype, c.psm, c.nchan, &c.opts, c.timeout_ms, sk);
		else
			r = l2k_connect(s, &c.peer, c.ptype, c.psm, &c.opts, c.timeout_ms, &sk[0]);
		if (r < 0) {
			struct l2k_chan_info ci;
			memset(&ci, 0, sizeof(ci));
			ci.link_type = c.ptype;
			ci.mode = c.mode;
			int bad = 0; /* the first channel that did not open tells why */
			for (int i = 0; i < c.nchan; i++) {
				struct l2k_chan_info x;
				if (sk[i] && l2k_sock_info(sk[i], &x) == 0 && l2k_sock_close_reason(sk[i]) != L2K_CLOSE_LOCAL) {
					bad = i;
					break;
				}
			}
			if (sk[bad])
				l2k_sock_info(sk[bad], &ci);
			char a[18];
			if (r == L2K_EINVAL)
				snprintf(msg, sizeof(msg), "invalid PSM or options (BR/EDR PSMs are odd with an even "
							   "upper octet, LE SPSMs 0x0001-0x00FF; MTU >= %d)", c.le ? 23 : 48);
			else if (r == L2K_ETIMEDOUT)
				snprintf(msg, sizeof(msg), "no answer within %d ms", c.timeout_ms);
			else if (r == L2K_EIO || r == L2K_ENETDOWN)
				snprintf(msg, sizeof(msg), "%s: %s", l2k_strerror(r), l2k_last_error(s));
			else
				chan_error(msg, sizeof(msg), r, &ci);
			char which[48] = "";
			if (c.nchan > 1)
				snprintf(which, sizeof(which), " (channel %d of %d)", bad, c.nchan);
			fprintf(stderr, PROG ": connect to %s psm 0x%04x%s: %s\n", l2k_addr_str(&c.peer, a), c.psm, which,
				msg);
			for (int i = 0; i < c.nchan; i++)
				l2k_close(sk[i]);
			l2k_stack_close(s);
			return 1;
		}
		ok = serve(&c, s, sk, c.nchan, &why);
	}
	if (why != L2K_CLOSE_LINK_LOST) /* else the links (or the transport) are gone already */
		links_finish(s, why == L2K_CLOSE_REMOTE);
	l2k_stack_close(s);
	return ok ? 0 : 1;
}
