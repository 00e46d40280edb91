/* l2bench: hosts on one simulated air (virtual clock), flows of counted SDUs over channels,
 * and the CPU / memory probes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "tools/bench/bench.h"
#include "tools/common/tool.h"

/* ---- world --------------------------------------------------------------------------------- */

static void on_error(void *user, int err, const char *msg)
{
	fprintf(stderr, "l2bench: stack error: %s (%s)\n", msg, l2k_strerror(err));
}

int bw_open(struct bworld *w, int n, const char *type, const char *profile, const char *extra)
{
	static int n_air;
	memset(w, 0, sizeof(*w));
	if (n < 2 || n > BW_MAX_STACKS)
		return -1;
	snprintf(w->air, sizeof(w->air), "l2bench%d", ++n_air);
	w->le = strcmp(type, "le") == 0;
	char spec[256];
	snprintf(spec, sizeof(spec), "sim:air=%s,type=%s,profile=%s%s%s", w->air, type, profile,
		 extra && *extra ? "," : "", extra ? extra : "");
	struct l2k_stack_opts so = {.clock = l2k_vclock_now, .clock_arg = &w->vc};
	struct l2k_stack_cbs cbs = {.error = on_error};
	char err[256];
	for (int i = 0; i < n; i++) {
		if (l2k_stack_open(spec, &so, &cbs, &w->st[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "l2bench: %s\n", err);
			bw_close(w);
			return -1;
		}
		w->n = i + 1;
		if (l2k_wait_ready(w->st[i], 10000) < 0) {
			fprintf(stderr, "l2bench: bring-up failed: %s\n", l2k_last_error(w->st[i]));
			bw_close(w);
			return -1;
		}
		struct l2k_controller_info ci;
		l2k_controller_info(w->st[i], &ci);
		w->addr[i] = ci.addr;
		if (i > 0 && w->le)
			l2k_le_advertise(w->st[i], true, NULL, 0);
	}
	return 0;
}

void bw_close(struct bworld *w)
{
	for (int i = 0; i < w->n; i++)
		if (w->st[i])
			l2k_stack_close(w->st[i]);
	w->n = 0;
}

struct bw_until {
	bool (*done)(void *);
	void *arg;
};

static bool done_or_signal(void *arg)
{
	struct bw_until *u = arg;
	return tool_signal() || (u->done && u->done(u->arg));
}

int bw_run(struct bworld *w, bool (*done)(void *), void *arg, uint64_t max_ms)
{
	if (tool_signal())
		return L2K_EINTR;
	struct bw_until u = {done, arg};
	int r = l2k_sim_run_until(w->st, w->n, &w->vc, done_or_signal, &u, max_ms);
	if (tool_signal())
		return L2K_EINTR; /* SIGINT / SIGTERM: l2bench ends after this section */
	return !done && (r == L2K_ETIMEDOUT || r == L2K_EAGAIN) ? 0 : r;
}

/* ---- flows --------------------------------------------------------------------------------- */

static uint8_t sdu_buf[BENCH_MAX_SDU];

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool sending; /* bg_transfer is running: open and send_ready pump */

static void pump(struct bflow *f)
{
	struct bgroup *g = f->g;
	while (f->tx && f->sent < f->total) {
		uint64_t left = f->total - f->sent;
		size_t n = left < g->sdu ? (size_t)left : g->sdu;
		if (n >= 8) {
			put32(sdu_buf, f->idx);
			put32(sdu_buf + 4, f->seq_tx);
		}
		int e = l2k_chan_send(f->tx, sdu_buf, n);
		if (e == L2K_EAGAIN)
			return;
		if (e < 0) {
			fprintf(stderr, "l2bench: send on flow %u: %s\n", f->idx, l2k_strerror(e));
			g->failed++;
			f->total = f->sent;
			return;
		}
		f->sent += n;
		f->seq_tx++;
	}
}

static void open_next(struct bgroup *g, int peer);

static void tx_open(void *u, l2k_chan *ch)
{
	struct bflow *f = u;
	struct bgroup *g = f->g;
	f->open = true;
	g->opened++;
	l2k_chan_get_info(ch, &f->info);
	if (g->connecting[f->peer])
		g->connecting[f->peer]--;
	open_next(g, f->peer);
	if (sending)
		pump(f);
}

static void tx_ready(void *u, l2k_chan *ch)
{
	pump(u);
}

static void tx_recv(void *u, l2k_chan *ch, const uint8_t *p, size_t n)
{
	struct bflow *f = u;
	f->g->echoed++;
}

static void tx_closed(void *u, l2k_chan *ch, enum l2k_close_reason why)
{
	struct bflow *f = u;
	struct bgroup *g = f->g;
	l2k_chan_get_info(ch, &f->info);
	if (!f->open) {
		g->failed++;
		if (g->connecting[f->peer])
			g->connecting[f->peer]--;
		fprintf(stderr, "l2bench: flow %u did not open: %s (result 0x%04x)\n", f->idx,
			l2k_close_reason_str(why), f->info.result);
		open_next(g, f->peer);
	} else if (sending && f->received < f->total) {
		g->failed++;
		fprintf(stderr, "l2bench: flow %u closed: %s\n", f->idx, l2k_close_reason_str(why));
	}
	f->closed = true;
	f->why = why;
	f->tx = NULL;
	g->closed++;
}

static void rx_recv(void *u, l2k_chan *ch, const uint8_t *p, size_t n)
{
	struct bgroup *g = u;
	g->rx_sdus++;
	g->received += n;
	if (g->echo) {
		if (l2k_chan_send(ch, p, n) < 0)
			g->bad++;
		return;
	}
	if (n < 8)
		return;
	uint32_t idx = get32(p);
	if (idx >= g->nflows) {
		g->bad++;
		return;
	}
	struct bflow *f = &g->f[idx];
	f->rx = ch;
	if (get32(p + 4) != f->seq_rx)
		g->bad++; /* lost, duplicated or out of order */
	f->seq_rx++;
	f->received += n;
}

static int rx_accept(void *u, const struct l2k_conn_request *rq, struct l2k_chan_opts *o,
		     struct l2k_chan_cbs *cb)
{
	cb->user = u;
	cb->recv = rx_recv;
	return 0;
}

bool bench_mode_le(enum l2k_mode m)
{
	return m == L2K_MODE_LE_CREDIT || m == L2K_MODE_ECFC;
}

int bg_init(struct bgroup *g, struct bworld *w, enum l2k_mode mode, uint32_t nflows, size_t sdu,
	    uint64_t bytes_per_flow)
{
	return bg_init_opts(g, w, mode, nflows, sdu, bytes_per_flow, NULL);
}

int bg_init_opts(struct bgroup *g, struct bworld *w, enum l2k_mode mode, uint32_t nflows, size_t sdu,
		 uint64_t bytes_per_flow, const struct l2k_chan_opts *base)
{
	memset(g, 0, sizeof(*g));
	g->w = w;
	g->mode = mode;
	g->sdu = sdu;
	g->nflows = nflows;
	g->max_connecting = 4;
	g->f = calloc(nflows, sizeof(*g->f));
	if (!g->f)
		return -1;
	bytes_per_flow = (bytes_per_flow + sdu - 1) / sdu * sdu; /* whole SDUs */
	for (uint32_t i = 0; i < nflows; i++) {
		g->f[i].g = g;
		g->f[i].idx = i;
		g->f[i].peer = 1 + (int)(i % (uint32_t)(w->n - 1));
		g->f[i].total = bytes_per_flow;
	}
	g->total = bytes_per_flow * nflows;
	if (base)
		g->opts = *base;
	else
		l2k_chan_opts_default(&g->opts);
	g->opts.mode = mode;
	g->opts.mode_required = true;
	uint16_t min_mtu = mode == L2K_MODE_ECFC ? 64 : w->le ? 23 : 48;
	g->opts.mtu = (uint16_t)(sdu < min_mtu ? min_mtu : sdu);
	if (!w->le && g->opts.mtu < 672)
		g->opts.mtu = 672;
	/* every group on the world serves its own PSM (valid BR/EDR PSMs are odd) */
	g->psm = (uint16_t)((w->le ? 0x0081 : 0x1001) + 2 * w->groups++);
	struct l2k_server_cbs sc = {.user = g, .accept = rx_accept};
	for (int i = 1; i < w->n; i++) {
		int e = l2k_server_add(w->st[i], g->psm, w->le, &g->opts, &sc, NULL);
		if (e < 0) {
			fprintf(stderr, "l2bench: server: %s\n", l2k_strerror(e));
			free(g->f);
			g->f = NULL;
			return -1;
		}
	}
	return 0;
}

void bg_free(struct bgroup *g)
{
	free(g->f);
	g->f = NULL;
}

void bg_more(struct bgroup *g, uint64_t bytes_per_flow)
{
	bytes_per_flow = (bytes_per_flow + g->sdu - 1) / g->sdu * g->sdu;
	for (uint32_t i = 0; i < g->nflows; i++)
		if (g->f[i].open && !g->f[i].closed) {
			g->f[i].total += bytes_per_flow;
			g->total += bytes_per_flow;
		}
}

/* Start the next channels of this peer's share, up to max_connecting at a time. */
static void open_next(struct bgroup *g, int peer)
{
	struct bworld *w = g->w;
	uint32_t step = (uint32_t)(w->n - 1);
	enum l2k_addr_type at = w->le ? L2K_ADDR_LE_PUBLIC : L2K_ADDR_BREDR;
	while (g->connecting[peer] < g->max_connecting) {
		/* flows of this peer are peer-1, peer-1+step, ...; find the first not started */
		uint32_t i = (uint32_t)(peer - 1);
		while (i < g->open_limit && (g->f[i].open || g->f[i].closed || g->f[i].tx))
			i += step;
		if (i >= g->open_limit)
			return;
		struct l2k_chan_cbs cb = {.user = &g->f[i], .open = tx_open, .recv = tx_recv,
					  .send_ready = tx_ready, .closed = tx_closed};
		if (g->mode == L2K_MODE_ECFC) {
			l2k_chan *out[5];
			uint32_t idx[5];
			int k = 0;
			for (uint32_t j = i; j < g->open_limit && k < 5; j += step)
				if (!g->f[j].open && !g->f[j].closed && !g->f[j].tx)
					idx[k++] = j;
			int e = l2k_chan_connect_ecfc(w->st[0], &w->addr[peer], at, g->psm, k, &g->opts, &cb, out);
			if (e < 0) {
				fprintf(stderr, "l2bench: connect: %s\n", l2k_strerror(e));
				for (int j = 0; j < k; j++) {
					g->f[idx[j]].closed = true;
					g->failed++;
				}
				return;
			}
			for (int j = 0; j < k; j++) {
				struct l2k_chan_cbs cj = cb;
				cj.user = &g->f[idx[j]];
				g->f[idx[j]].tx = out[j];
				l2k_chan_set_cbs(out[j], &cj);
				g->connecting[peer]++;
			}
			continue;
		}
		int e = l2k_chan_connect(w->st[0], &w->addr[peer], at, g->psm, &g->opts, &cb, &g->f[i].tx);
		if (e < 0) {
			fprintf(stderr, "l2bench: connect: %s\n", l2k_strerror(e));
			g->f[i].closed = true;
			g->failed++;
			return;
		}
		g->connecting[peer]++;
	}
}

static bool all_opened(void *arg)
{
	struct bgroup *g = arg;
	return g->opened + g->failed >= g->open_limit;
}

int bg_open_n(struct bgroup *g, uint32_t n)
{
	sending = false;
	g->open_limit = n < g->nflows ? n : g->nflows;
	for (int p = 1; p < g->w->n; p++)
		open_next(g, p);
	int r = bw_run(g->w, all_opened, g, 600000);
	if (r < 0 || g->failed) {
		fprintf(stderr, "l2bench: %u of %u channels opened (%s)\n", g->opened, g->open_limit,
			r < 0 ? l2k_strerror(r) : "some failed");
		return -1;
	}
	return 0;
}

int bg_open_all(struct bgroup *g)
{
	return bg_open_n(g, g->nflows);
}

static bool all_received(void *arg)
{
	struct bgroup *g = arg;
	return g->received >= g->total || g->failed;
}

void bg_start(struct bgroup *g)
{
	sending = true;
	for (uint32_t i = 0; i < g->nflows; i++)
		pump(&g->f[i]);
}

int bg_transfer(struct bgroup *g, uint64_t max_virtual_ms)
{
	bg_start(g);
	int r = bw_run(g->w, all_received, g, max_virtual_ms);
	sending = false;
	if (r < 0 || g->failed || g->bad) {
		fprintf(stderr, "l2bench: transfer: %llu of %llu bytes, %llu bad SDUs (%s)\n",
			(unsigned long long)g->received, (unsigned long long)g->total,
			(unsigned long long)g->bad, r < 0 ? l2k_strerror(r) : "failed");
		return -1;
	}
	return 0;
}

static bool echo_back(void *arg)
{
	struct bgroup *g = arg;
	return g->echoed > 0 || g->failed;
}

int bg_echo_once(struct bgroup *g)
{
	g->echo = true;
	g->echoed = 0;
	memset(sdu_buf, 0x5A, g->sdu);
	if (l2k_chan_send(g->f[0].tx, sdu_buf, g->sdu) < 0)
		return -1;
	return bw_run(g->w, echo_back, g, 10000) < 0 || g->failed ? -1 : 0;
}

/* ---- probes -------------------------------------------------------------------------------- */

double bench_cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double bench_wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

long long bench_heap_bytes(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
	struct mallinfo2 mi = mallinfo2();
	return (long long)(mi.uordblks + mi.hblkhd);
#else
	return -1;
#endif
}

long long bench_rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f)
		return -1;
	long long size = 0, res = -1;
	if (fscanf(f, "%lld %lld", &size, &res) != 2)
		res = -1;
	fclose(f);
	return res < 0 ? -1 : res * (long long)sysconf(_SC_PAGESIZE);
}

/* memcpy through a volatile pointer: the compiler cannot drop or merge the copies. */
static void *(*volatile copy_fn)(void *, const void *, size_t) = memcpy;

double bench_memcpy_s_per_byte(size_t sdu, uint64_t total)
{
	static uint8_t src[BENCH_MAX_SDU], dst[BENCH_MAX_SDU];
	uint64_t n = total / sdu ? total / sdu : 1;
	uint64_t copied = 0;
	double t0 = bench_cpu_s(), t;
	do {
		for (uint64_t i = 0; i < n; i++)
			copy_fn(dst, src, sdu);
		copied += n * sdu;
		t = bench_cpu_s() - t0;
	} while (t < 0.05);
	return t / (double)copied;
}

bool bench_selected(const struct bench_opts *o, const char *label, size_t sdu)
{
	return (!o->mode || strcmp(o->mode, label) == 0) && (!o->sdu || o->sdu == sdu);
}

const char *bench_mode_label(enum l2k_mode m, bool le, char *buf, size_t len)
{
	const char *n = l2k_mode_name(m);
	if (m == L2K_MODE_ECFC)
		snprintf(buf, len, "%s-%s", n ? n : "?", le ? "le" : "bredr");
	else
		snprintf(buf, len, "%s", n ? n : "?");
	return buf;
}
