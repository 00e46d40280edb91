/* l2cat: the data.  A channel's receiver thread (stdout / -o files, --echo, --verify,
 * --sink), the writers (stdin on every channel, --send patterns, --rate pacing), and the waits
 * for echoes and for the receivers to end. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools/common/tool.h"
#include "tools/l2cat/l2cat.h"

static void pattern(uint8_t *b, size_t n, uint64_t i)
{
	for (size_t k = 0; k < n; k++)
		b[k] = (uint8_t)(i * 131u + k * 7u + (k >> 8));
}

/* Bytes sent and received on every channel so far (--reconfigure-at). */
atomic_ullong moved;

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

void *rx_main(void *arg)
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
void feed_stdin(struct conn *ks, int n)
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

void feed_pattern(struct conn *k)
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

void *feed_main(void *arg)
{
	feed_pattern(arg);
	return NULL;
}

/* --verify: wait until every echo came back, the channel ended, or no echo came for timeout_ms. */
void wait_echoes(struct conn *k)
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

/* Receive only / echo: the peer ends the channels.  Wait until every receiver ended, or one
 * ended on an error of ours (output failed): the others are then ended too (by conn_end), so
 * that a peer blocked on a channel we no longer read is released. */
void wait_receivers(struct conn *ks, int n)
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
