/* l2cat: the data.  A channel's receiver thread (stdout / -o files, --echo, --verify,
 * --sink), the writers (stdin on every channel, --send patterns, --rate pacing), and the wait
 * for echoes. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools/common/tool.h"
#include "tools/common/tool_os.h"
#include "tools/l2cat/l2cat.h"

/* SDU i of --send: byte k is (i * 131 + k * 7 + k / 256) mod 256.  The part that depends on
 * k alone is made once (pattern_base); each SDU adds i * 131 to it, eight bytes at a time
 * without carries between them: a byte loop cost more CPU per MB than the stack itself. */
static void pattern_base(uint8_t *base, size_t n)
{
	for (size_t k = 0; k < n; k++)
		base[k] = (uint8_t)(k * 7u + (k >> 8));
}

static void pattern(uint8_t *b, const uint8_t *base, size_t n, uint64_t i)
{
	const uint64_t lo = 0x7f7f7f7f7f7f7f7fULL, hi = 0x8080808080808080ULL;
	uint8_t c = (uint8_t)(i * 131u);
	uint64_t cc = 0x0101010101010101ULL * c;
	size_t k = 0;
	for (; k + 8 <= n; k += 8) {
		uint64_t w;
		memcpy(&w, base + k, 8);
		w = ((w & lo) + (cc & lo)) ^ ((w ^ cc) & hi);
		memcpy(b + k, &w, 8);
	}
	for (; k < n; k++)
		b[k] = (uint8_t)(base[k] + c);
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

/* --echo: send one received SDU back.  An SDU larger than the peer's MTU (ours is larger than
 * its) cannot go back whole: it goes back in pieces of the peer's MTU, in order, so the peer
 * gets every byte (SDU boundaries are the peer's MTU then). */
static void echo_back(struct conn *k, const uint8_t *buf, size_t len)
{
	size_t off = 0, piece = len;
	do {
		size_t n = len - off < piece ? len - off : piece;
		long r = l2k_send(k->sk, buf + off, n, -1);
		if (r == L2K_EMSGSIZE) {
			struct l2k_chan_info ci;
			if (l2k_sock_info(k->sk, &ci) == 0 && ci.remote_mtu && ci.remote_mtu < n) {
				piece = ci.remote_mtu; /* (the MTU can change: ECFC reconfiguration) */
				continue;
			}
		}
		pthread_mutex_lock(&k->m);
		if (r >= 0) {
			k->echo_sdus++;
			k->echo_bytes += n;
			atomic_fetch_add(&moved, (unsigned long long)n);
		} else if (!is_end_error(r)) {
			k->echo_err = (int)r;
		}
		pthread_mutex_unlock(&k->m);
		if (r < 0)
			return;
		off += n;
	} while (off < len);
}

void *rx_main(void *arg)
{
	struct conn *k = arg;
	const struct cfg *c = k->c;
	uint8_t *buf = malloc(RXBUF), *want = c->snk == SINK_VERIFY ? malloc(RXBUF) : NULL;
	uint8_t *base = c->snk == SINK_VERIFY ? malloc(c->size ? c->size : 1) : NULL;
	if (!buf || (c->snk == SINK_VERIFY && (!want || !base))) {
		k->rx_err = L2K_ENOMEM;
		goto out;
	}
	if (base)
		pattern_base(base, c->size);
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
		case SINK_ECHO:
			echo_back(k, buf, len);
			break;
		case SINK_VERIFY:
			pattern(want, base, c->size, k->rx_sdus);
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
	free(base);
	pthread_mutex_lock(&k->m);
	k->rx_ended = true;
	pthread_cond_broadcast(&k->cv);
	pthread_mutex_unlock(&k->m);
	/* (missed: the writer also stops on the channel's end, and the session loop also looks at
	 * rx_ended when it wakes for anything else) */
	tool_wake_put(k->done_w);
	if (k->ev_w >= 0)
		tool_wake_put(k->ev_w);
	return NULL;
}

const char *chan_tag(const struct conn *k, char *buf, size_t len)
{
	if (k->n <= 1)
		return "";
	snprintf(buf, len, "channel %d: ", k->idx);
	return buf;
}

long send_sdu(struct conn *k, const void *buf, size_t len)
{
	for (;;) {
		if (k->halt || tool_signal()) /* (the stdin writer is the thread that sets halt) */
			return L2K_EINTR;
		long r = l2k_send(k->sk, buf, len, 200);
		if (r != L2K_ETIMEDOUT)
			return r;
	}
}

/* --rate: sleep until sending n more bytes (after sent) keeps the average at or below the rate. */
static void pace(unsigned long rate, uint64_t t0, uint64_t sent, size_t n)
{
	if (!rate)
		return;
	uint64_t due = t0 + (sent + n) * 1000000u / rate;
	uint64_t now = tool_now_us();
	if (due > now)
		usleep((useconds_t)(due - now < 1000000u ? due - now : 1000000u));
}

long feed_stdin_once(struct conn **ks, int n, bool *gone, uint8_t *buf, uint64_t t0, uint64_t *fed)
{
	size_t mtu = 65535;
	for (int i = 0; i < n; i++) {
		struct l2k_chan_info ci;
		if (!gone[i] && l2k_sock_info(ks[i]->sk, &ci) == 0 && ci.remote_mtu && ci.remote_mtu < mtu)
			mtu = ci.remote_mtu;
	}
	ssize_t r;
	do
		r = tool_stdin_read(buf, mtu);
	while (r < 0 && errno == EINTR && !tool_signal());
	if (r < 0 && errno == EINTR)
		return 0; /* interrupted: the caller ends the channels */
	if (r < 0) {
		fprintf(stderr, PROG ": reading stdin: %s\n", strerror(errno));
		return -1;
	}
	if (r == 0)
		return 0;
	pace(ks[0]->c->rate, t0, *fed, (size_t)r);
	*fed += (uint64_t)r;
	for (int i = 0; i < n; i++) {
		struct conn *k = ks[i];
		if (gone[i])
			continue;
		long w = send_sdu(k, buf, (size_t)r);
		if (w < 0) {
			if (w != L2K_EINTR)
				k->tx_err = (int)w;
			gone[i] = true;
			continue;
		}
		k->tx_sdus++;
		k->tx_bytes += (uint64_t)r;
		atomic_fetch_add(&moved, (unsigned long long)r);
	}
	return (long)r;
}

void feed_pattern(struct conn *k)
{
	const struct cfg *c = k->c;
	char tag[24];
	k->feed_end = FEED_ALL;
	uint8_t *buf = malloc(c->size ? c->size : 1), *base = malloc(c->size ? c->size : 1);
	if (!buf || !base) {
		free(buf);
		free(base);
		k->tx_err = L2K_ENOMEM;
		k->feed_end = FEED_ERROR;
		return;
	}
	pattern_base(base, c->size);
	/* --verify: at most a window of unechoed SDUs (64 KiB, at least 1), so that an echo over a
	 * mode without flow control (Basic) never overruns the echoing side's receive queue */
	uint64_t window = c->snk == SINK_VERIFY ? 65536 / ((uint64_t)c->size + 4) : UINT64_MAX;
	if (window < 1)
		window = 1;
	uint64_t t0 = tool_now_us();
	for (unsigned long i = 0; i < c->send_n; i++) {
		if (k->halt) {
			k->feed_end = FEED_HALTED;
			break;
		}
		if (window != UINT64_MAX) {
			/* wait for echoes; give up when none came for timeout_ms */
			pthread_mutex_lock(&k->m);
			uint64_t last = tool_now_us(), seen = k->rx_sdus;
			while (i - k->rx_sdus >= window && !k->rx_ended && !k->halt) {
				struct timespec ts;
				clock_gettime(CLOCK_REALTIME, &ts);
				ts.tv_nsec += 200 * 1000000L;
				if (ts.tv_nsec >= 1000000000L) {
					ts.tv_sec++;
					ts.tv_nsec -= 1000000000L;
				}
				pthread_cond_timedwait(&k->cv, &k->m, &ts);
				if (k->rx_sdus != seen) {
					seen = k->rx_sdus;
					last = tool_now_us();
				} else if (tool_now_us() - last >= (uint64_t)c->timeout_ms * 1000u) {
					break;
				}
			}
			enum feed_end why = k->halt ? FEED_HALTED : k->rx_ended ? FEED_ENDED
					  : i - k->rx_sdus >= window ? FEED_NO_ECHO : FEED_ALL;
			pthread_mutex_unlock(&k->m);
			if (why != FEED_ALL) {
				k->feed_end = why;
				if (why == FEED_NO_ECHO)
					fprintf(stderr, PROG ": %sno echo came back for %d ms: stopped sending after %lu of %lu SDUs\n",
						chan_tag(k, tag, sizeof(tag)), c->timeout_ms, i, c->send_n);
				break;
			}
		}
		pattern(buf, base, c->size, i);
		pace(c->rate, t0, k->tx_bytes, c->size);
		long r = send_sdu(k, buf, c->size);
		if (r < 0) {
			if (r == L2K_EINTR) {
				k->feed_end = FEED_HALTED;
			} else {
				k->tx_err = (int)r;
				k->feed_end = is_end_error(r) ? FEED_ENDED : FEED_ERROR;
			}
			break;
		}
		k->tx_sdus++;
		k->tx_bytes += c->size;
		atomic_fetch_add(&moved, (unsigned long long)c->size);
	}
	free(buf);
	free(base);
}

/* --verify: wait until every echo came back, the channel ended, or no echo came for timeout_ms. */
void wait_echoes(struct conn *k)
{
	pthread_mutex_lock(&k->m);
	uint64_t seen = k->rx_sdus;
	uint64_t last = tool_now_us();
	while (k->rx_sdus < k->tx_sdus && !k->rx_ended && !k->halt) {
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
