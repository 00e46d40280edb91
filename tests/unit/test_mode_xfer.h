/* Bulk transfer between two l2kit stacks on one simulated air with a virtual clock, in any
 * BR/EDR mode, with loss and corruption: the core of the mode soak tests (test_mode_soak.c) and
 * of tests/progs/mode_soak.c (the 100 MB runs).  Header-only (static functions).
 *
 * SDU i carries its index in its first 4 octets, then a pattern of (i, offset); its length is a
 * function of i (1..mtu octets, SAR exercised when mtu > MPS).  The receiver checks every SDU
 * byte for byte, that indices only increase (in order, no duplicates) and, in the reliable
 * modes, that none is missing.  Loss and corruption start once the channel is open. */
#ifndef TEST_MODE_XFER_H
#define TEST_MODE_XFER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/l2kit.h"
#include "transport/sim/sim.h"

struct xfer_cfg {
	enum l2k_mode mode;
	double loss, corrupt;
	uint64_t bytes;	      /* to send */
	uint64_t seed;
	uint16_t mtu;	      /* both sides (0: 2048) */
	uint16_t mps;	      /* 0: fitted */
	uint16_t window;      /* 0: default */
	uint8_t max_transmit; /* 0: default (3) */
	bool ext_window;
	uint8_t fcs;	      /* 1 CRC-16, 0 none */
	const char *profile;  /* air profile (NULL: bredr-3dh5) */
	/* slow reader: after every busy_every SDUs the receiver is busy for busy_ms */
	uint32_t busy_every, busy_ms;
	uint64_t max_vms;     /* give up after this much virtual time (0: 1 hour) */
	bool no_ctrl_flow;    /* the stacks leave controller-to-host flow control off */
};

struct xfer_result {
	int err; /* 0 ok */
	char msg[300];
	uint64_t tx_sdus, rx_sdus, rx_bytes, dropped, bad_fcs, retrans, gaps;
	uint64_t vms;	/* virtual ms of the transfer */
	double wall_s;
	bool closed;		 /* the sender's channel closed before the end */
	enum l2k_close_reason reason;
	bool b_closed;		 /* the receiver's */
	enum l2k_close_reason b_reason;
	enum l2k_mode mode; /* negotiated */
	uint16_t rx_busy_sdus; /* SDUs delivered while the receiver was busy (must be 0) */
	uint64_t eagain;       /* l2k_chan_send said L2K_EAGAIN (the bounded queue was full) */
};

struct xfer {
	const struct xfer_cfg *cfg;
	struct xfer_result *res;
	l2k_stack *st[2];
	struct l2k_vclock vc;
	l2k_chan *a, *b;
	bool a_open, a_closed, b_closed;
	int ready;
	uint64_t next_tx;	 /* index of the next SDU to queue */
	uint64_t sent_bytes;	 /* bytes queued */
	int64_t last_rx;	 /* index of the last SDU received */
	uint64_t last_rx_vms;	 /* when */
	bool busy;
	bool finishing; /* the stacks are being closed: closes from now on are ours */
	uint64_t busy_until;
	uint32_t since_busy;
	uint8_t *buf;
};

static inline size_t xfer_len(const struct xfer *x, uint64_t i)
{
	uint32_t m = x->cfg->mtu ? x->cfg->mtu : 2048;
	uint64_t h = (i * 2654435761u) ^ (i >> 3);
	size_t n = 4 + (size_t)(h % (m - 3));
	return n > m ? m : n;
}

static inline uint8_t xfer_byte(uint64_t i, size_t k)
{
	return (uint8_t)(i * 31u + k * 7u + (k >> 8) + 0x5A);
}

static inline void xfer_fill(struct xfer *x, uint64_t i, size_t n)
{
	x->buf[0] = (uint8_t)i;
	x->buf[1] = (uint8_t)(i >> 8);
	x->buf[2] = (uint8_t)(i >> 16);
	x->buf[3] = (uint8_t)(i >> 24);
	for (size_t k = 4; k < n; k++)
		x->buf[k] = xfer_byte(i, k);
}

static inline bool xfer_reliable(enum l2k_mode m)
{
	return m == L2K_MODE_ERTM || m == L2K_MODE_RETRANS || m == L2K_MODE_BASIC;
}

static void xfer_fail(struct xfer *x, const char *m)
{
	if (!x->res->err) {
		x->res->err = -1;
		snprintf(x->res->msg, sizeof(x->res->msg), "%s", m);
	}
}

static void xfer_pump(struct xfer *x)
{
	while (x->a && x->a_open && !x->a_closed && x->sent_bytes < x->cfg->bytes) {
		size_t n = xfer_len(x, x->next_tx);
		xfer_fill(x, x->next_tx, n);
		int r = l2k_chan_send(x->a, x->buf, n);
		if (r == L2K_EAGAIN) {
			x->res->eagain++;
			return;
		}
		if (r < 0) {
			xfer_fail(x, "send failed");
			return;
		}
		x->next_tx++;
		x->sent_bytes += n;
		x->res->tx_sdus++;
	}
}

static void xfer_b_recv(void *u, l2k_chan *ch, const uint8_t *p, size_t n)
{
	struct xfer *x = u;
	if (x->busy)
		x->res->rx_busy_sdus++;
	if (n < 4) {
		xfer_fail(x, "short SDU");
		return;
	}
	uint64_t i = (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24;
	/* indices wrap at 2^32 only after 2^32 SDUs: not reached here */
	if ((int64_t)i <= x->last_rx) {
		xfer_fail(x, "SDU out of order or duplicated");
		return;
	}
	if ((int64_t)i != x->last_rx + 1) {
		x->res->gaps += (uint64_t)((int64_t)i - x->last_rx - 1);
		if (xfer_reliable(x->res->mode))
			xfer_fail(x, "SDU missing in a reliable mode");
	}
	if (n != xfer_len(x, i)) {
		xfer_fail(x, "SDU of the wrong length");
		return;
	}
	for (size_t k = 4; k < n; k++)
		if (p[k] != xfer_byte(i, k)) {
			xfer_fail(x, "SDU corrupted");
			return;
		}
	x->last_rx = (int64_t)i;
	x->last_rx_vms = x->vc.now_ms;
	x->res->rx_sdus++;
	x->res->rx_bytes += n;
	if (x->cfg->busy_every && ++x->since_busy >= x->cfg->busy_every) {
		x->since_busy = 0;
		x->busy = true;
		x->busy_until = x->vc.now_ms + x->cfg->busy_ms;
		l2k_chan_set_busy(ch, true);
	}
}

static void xfer_b_closed(void *u, l2k_chan *ch, enum l2k_close_reason r)
{
	struct xfer *x = u;
	x->b_closed = true;
	x->b = NULL;
	if (x->finishing)
		return;
	x->res->b_closed = true;
	x->res->b_reason = r;
	struct l2k_chan_info ci;
	l2k_chan_get_info(ch, &ci);
	x->res->dropped = ci.rx_sdus_dropped;
	x->res->bad_fcs = ci.rx_frames_bad_fcs;
}

static void xfer_b_open(void *u, l2k_chan *ch)
{
	((struct xfer *)u)->b = ch;
}

static int xfer_accept(void *u, const struct l2k_conn_request *rq, struct l2k_chan_opts *o,
		       struct l2k_chan_cbs *cb)
{
	cb->user = u;
	cb->recv = xfer_b_recv;
	cb->closed = xfer_b_closed;
	cb->open = xfer_b_open;
	return 0;
}

static void xfer_a_open(void *u, l2k_chan *ch)
{
	((struct xfer *)u)->a_open = true;
}

static void xfer_a_ready(void *u, l2k_chan *ch)
{
	xfer_pump(u);
}

static void xfer_a_closed(void *u, l2k_chan *ch, enum l2k_close_reason r)
{
	struct xfer *x = u;
	x->a_closed = true;
	x->a = NULL;
	if (x->finishing)
		return;
	x->res->closed = true;
	x->res->reason = r;
	struct l2k_chan_info ci;
	l2k_chan_get_info(ch, &ci);
	x->res->retrans = ci.retransmissions;
	x->a = NULL;
}

static void xfer_ready(void *u, int err)
{
	((struct xfer *)u)->ready++;
}

static bool xfer_c_ready(void *a)
{
	return ((struct xfer *)a)->ready >= 2;
}

static bool xfer_c_open(void *a)
{
	struct xfer *x = a;
	return (x->a_open && x->b) || x->a_closed;
}

static bool xfer_c_done(void *a)
{
	struct xfer *x = a;
	if (x->busy && x->vc.now_ms >= x->busy_until && x->b) {
		x->busy = false;
		l2k_chan_set_busy(x->b, false);
	}
	if (x->res->err || x->a_closed || x->b_closed)
		return true;
	return x->sent_bytes >= x->cfg->bytes && (int64_t)x->next_tx - 1 == x->last_rx;
}

static int xfer_counter;

static int xfer_run(const struct xfer_cfg *cfg, struct xfer_result *res)
{
	struct xfer x;
	memset(&x, 0, sizeof(x));
	memset(res, 0, sizeof(*res));
	x.cfg = cfg;
	x.res = res;
	x.last_rx = -1;
	x.buf = malloc(65536);
	char air[48], spec[128], err[256];
	snprintf(air, sizeof(air), "xfer%d_%ld", ++xfer_counter, (long)cfg->seed);
	struct l2k_stack_cbs cbs = {.user = &x, .ready = xfer_ready};
	struct l2k_stack_opts so = {.clock = l2k_vclock_now, .clock_arg = &x.vc, .no_ctrl_flow = cfg->no_ctrl_flow};
	clock_t c0 = clock();
	for (int i = 0; i < 2; i++) {
		snprintf(spec, sizeof(spec), "sim:air=%s,type=bredr%s%s", air, cfg->profile ? ",profile=" : "",
			 cfg->profile ? cfg->profile : "");
		if (l2k_stack_open(spec, &so, &cbs, &x.st[i], err, sizeof(err)) < 0) {
			snprintf(res->msg, sizeof(res->msg), "open: %s", err);
			free(x.buf);
			return res->err = -1;
		}
	}
	struct sim_air *sa = sim_air_find(air);
	sim_air_set_seed(sa, cfg->seed ? cfg->seed : 1);
	if (l2k_sim_run_until(x.st, 2, &x.vc, xfer_c_ready, &x, 10000) < 0) {
		xfer_fail(&x, "bring-up");
		goto out;
	}
	struct l2k_controller_info ib;
	l2k_controller_info(x.st[1], &ib);
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mode = cfg->mode;
	o.mode_required = true;
	o.mtu = cfg->mtu ? cfg->mtu : 2048;
	o.mps = cfg->mps;
	o.tx_window = cfg->window;
	o.max_transmit = cfg->max_transmit;
	o.ext_window = cfg->ext_window;
	o.fcs = cfg->fcs;
	struct l2k_server_cbs sc = {.user = &x, .accept = xfer_accept};
	l2k_server_add(x.st[1], 0x1001, false, &o, &sc, NULL);
	struct l2k_chan_cbs ac = {.user = &x, .open = xfer_a_open, .closed = xfer_a_closed,
				  .send_ready = xfer_a_ready};
	if (l2k_chan_connect(x.st[0], &ib.addr, L2K_ADDR_BREDR, 0x1001, &o, &ac, &x.a) < 0 ||
	    l2k_sim_run_until(x.st, 2, &x.vc, xfer_c_open, &x, 60000) < 0 || !x.a_open) {
		xfer_fail(&x, "channel did not open");
		goto out;
	}
	struct l2k_chan_info ci;
	l2k_chan_get_info(x.a, &ci);
	res->mode = ci.mode;
	sim_air_set_loss(sa, cfg->loss);
	sim_air_set_corrupt(sa, cfg->corrupt);
	uint64_t t0 = x.vc.now_ms;
	xfer_pump(&x);
	uint64_t limit = cfg->max_vms ? cfg->max_vms : 3600000;
	while (!xfer_c_done(&x) && x.vc.now_ms - t0 < limit) {
		bool all_sent = x.sent_bytes >= cfg->bytes;
		bool lossy = !xfer_reliable(res->mode);
		/* slices: the slow reader's pause ends on time; a lossy run stops when nothing has
		 * arrived for 3 s after everything was sent (its last SDUs may be lost) */
		uint64_t slice = cfg->busy_every ? 5 : (lossy ? 500 : limit);
		int r = l2k_sim_run_until(x.st, 2, &x.vc, xfer_c_done, &x, slice);
		if (r == L2K_EAGAIN && x.busy) {
			/* nothing is due while the receiver is busy (the busy side ends it): jump */
			if (x.vc.now_ms < x.busy_until)
				x.vc.now_ms = x.busy_until;
			continue;
		}
		if (r == L2K_EAGAIN)
			break;
		if (lossy && all_sent && x.vc.now_ms - x.last_rx_vms > 3000)
			break;
	}
	res->vms = x.vc.now_ms - t0;
	if (x.a) {
		l2k_chan_get_info(x.a, &ci);
		res->retrans = ci.retransmissions;
	}
	if (x.b) {
		struct l2k_chan_info bi;
		l2k_chan_get_info(x.b, &bi);
		res->dropped = bi.rx_sdus_dropped;
		res->bad_fcs = bi.rx_frames_bad_fcs;
	}
	if (!res->err && xfer_reliable(res->mode) && res->rx_sdus != res->tx_sdus)
		xfer_fail(&x, x.a_closed ? "channel closed before the end" : "transfer incomplete");
	if (!res->err && !xfer_reliable(res->mode) && res->rx_sdus == 0)
		xfer_fail(&x, "nothing arrived");
	if (!res->err && (res->closed || res->b_closed) && cfg->loss < 1.0) {
		char m[120];
		snprintf(m, sizeof(m), "channel closed during the transfer (%s)",
			 l2k_close_reason_str(res->closed ? res->reason : res->b_reason));
		xfer_fail(&x, m);
	}
out:
	res->wall_s = (double)(clock() - c0) / CLOCKS_PER_SEC;
	x.finishing = true;
	l2k_stack_close(x.st[0]);
	l2k_stack_close(x.st[1]);
	free(x.buf);
	return res->err;
}

static inline void xfer_print(FILE *o, const struct xfer_cfg *c, const struct xfer_result *r)
{
	double s = r->vms / 1000.0;
	fprintf(o,
		"%-9s loss %4.1f%% corrupt %4.1f%%: %s %llu/%llu SDUs, %.1f MB in %.1f s virtual = %.1f kB/s, "
		"retransmissions %llu, bad FCS %llu, SDUs dropped %llu (missing %llu), cpu %.2f s%s%s\n",
		l2k_mode_name(c->mode), c->loss * 100, c->corrupt * 100, r->err ? "FAIL" : "ok",
		(unsigned long long)r->rx_sdus, (unsigned long long)r->tx_sdus, r->rx_bytes / 1e6, s,
		s > 0 ? r->rx_bytes / 1000.0 / s : 0.0, (unsigned long long)r->retrans,
		(unsigned long long)r->bad_fcs, (unsigned long long)r->dropped, (unsigned long long)r->gaps,
		r->wall_s, r->err ? ": " : "", r->err ? r->msg : "");
}

#endif
