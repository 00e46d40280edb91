/* l2demo: what l2kit does, with no hardware.  Two l2kit hosts in one process on the simulated
 * air (virtual clock): for each channel mode, open a channel, move a few MB, check every byte,
 * and print a table.  Modes that are not built yet are listed as such.
 *   l2demo [--bytes N] [--btsnoop-dir DIR] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <l2kit/l2kit.h>
#include "tools/common/tool.h"
#include <l2kit/l2kit_sim.h> /* the demo drives the simulated air's fault injection */

struct run {
	/* configuration */
	enum l2k_mode mode;
	bool le;
	double loss;
	size_t total;
	uint16_t sdu;
	/* state */
	l2k_chan *tx;
	size_t sent, received, rx_sdus, bad;
	uint64_t expect_off; /* reliable modes: next byte offset expected */
	bool open, closed_tx, closed_rx, failed;
	enum l2k_close_reason why;
	struct l2k_chan_info info;
};

/* Byte i of the stream: the receiver can check any SDU from its first byte's offset, which the
 * sender puts in the first 8 bytes of every SDU (so lossy modes are checkable too). */
static uint8_t pattern(uint64_t i)
{
	uint64_t x = i * 0x9E3779B97F4A7C15ull;
	return (uint8_t)(x >> 56);
}

static void fill_sdu(uint8_t *b, size_t n, uint64_t off)
{
	for (size_t k = 0; k < 8 && k < n; k++)
		b[k] = (uint8_t)(off >> (8 * k));
	for (size_t k = 8; k < n; k++)
		b[k] = pattern(off + k);
}

static void pump(struct run *r)
{
	static uint8_t buf[65536];
	while (r->tx && r->sent < r->total) {
		size_t n = r->total - r->sent < r->sdu ? r->total - r->sent : r->sdu;
		fill_sdu(buf, n, r->sent);
		int e = l2k_chan_send(r->tx, buf, n);
		if (e == L2K_EAGAIN)
			return;
		if (e < 0) {
			fprintf(stderr, "l2demo: send: %s\n", l2k_strerror(e));
			r->failed = true;
			return;
		}
		r->sent += n;
	}
}

static void tx_open(void *u, l2k_chan *ch)
{
	struct run *r = u;
	r->open = true;
	l2k_chan_get_info(ch, &r->info);
	pump(r);
}
static void tx_ready(void *u, l2k_chan *ch)
{
	pump(u);
}
static void tx_closed(void *u, l2k_chan *ch, enum l2k_close_reason why)
{
	struct run *r = u;
	l2k_chan_get_info(ch, &r->info);
	r->closed_tx = true;
	r->why = why;
	r->tx = NULL;
}
static void rx_recv(void *u, l2k_chan *ch, const uint8_t *p, size_t n)
{
	struct run *r = u;
	uint64_t off = 0;
	for (size_t k = 0; k < 8 && k < n; k++)
		off |= (uint64_t)p[k] << (8 * k);
	bool ok = n >= 8 || n == r->total - r->received;
	for (size_t k = 8; k < n && ok; k++)
		ok = p[k] == pattern(off + k);
	if (!ok)
		r->bad++;
	bool reliable = r->mode == L2K_MODE_BASIC || r->mode == L2K_MODE_ERTM || r->mode == L2K_MODE_RETRANS ||
			r->mode == L2K_MODE_LE_CREDIT || r->mode == L2K_MODE_ECFC;
	if (reliable && off != r->expect_off)
		r->bad++; /* out of order, duplicated or lost */
	r->expect_off = off + n;
	r->received += n;
	r->rx_sdus++;
}
static void rx_closed(void *u, l2k_chan *ch, enum l2k_close_reason why)
{
	((struct run *)u)->closed_rx = true;
}
static int rx_accept(void *u, const struct l2k_conn_request *rq, struct l2k_chan_opts *o, struct l2k_chan_cbs *cb)
{
	cb->user = u;
	cb->recv = rx_recv;
	cb->closed = rx_closed;
	return 0;
}

static bool done(void *arg)
{
	struct run *r = arg;
	if (r->failed || r->closed_tx || tool_signal())
		return true;
	if (r->received >= r->total)
		return true;
	/* lossy modes: everything sent and the air drained (checked by the caller's time limit) */
	return false;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int demo_run(struct run *r, const char *snoop_dir, double *sim_s, double *cpu_s)
{
	static int n_air;
	char spec[200];
	char air[32];
	snprintf(air, sizeof(air), "demo%d", ++n_air);
	snprintf(spec, sizeof(spec), "sim:air=%s,type=%s,profile=%s,seed=%d", air, r->le ? "le" : "bredr",
		 r->le ? "le-2m" : "bredr-3dh5", 7);
	struct l2k_vclock vc = {0};
	char sa[512] = "", sb[512] = "";
	if (snoop_dir) {
		snprintf(sa, sizeof(sa), "%s/%s%s-a.btsnoop", snoop_dir, l2k_mode_name(r->mode), r->loss > 0 ? "-lossy" : "");
		snprintf(sb, sizeof(sb), "%s/%s%s-b.btsnoop", snoop_dir, l2k_mode_name(r->mode), r->loss > 0 ? "-lossy" : "");
	}
	struct l2k_stack_opts oa = {.clock = l2k_vclock_now, .clock_arg = &vc, .btsnoop_path = snoop_dir ? sa : NULL};
	struct l2k_stack_opts ob = oa;
	ob.btsnoop_path = snoop_dir ? sb : NULL;
	l2k_stack *st[2];
	char err[256];
	if (l2k_stack_open(spec, &oa, NULL, &st[0], err, sizeof(err)) < 0 ||
	    l2k_stack_open(spec, &ob, NULL, &st[1], err, sizeof(err)) < 0) {
		fprintf(stderr, "l2demo: %s\n", err);
		return -1;
	}
	if (l2k_wait_ready(st[0], 5000) < 0 || l2k_wait_ready(st[1], 5000) < 0) {
		fprintf(stderr, "l2demo: bring-up failed: %s\n", l2k_last_error(st[0]));
		return -1;
	}
	struct l2k_controller_info ib;
	l2k_controller_info(st[1], &ib);
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mode = r->mode;
	o.mode_required = true;
	o.mtu = r->sdu;
	/* under loss, give the reliable modes all the retransmissions they need (a lossy link is
	 * exactly what they are for; the default of 3 is for detecting a dead peer) */
	if (r->loss > 0)
		o.max_transmit = L2K_MAX_TRANSMIT_UNLIMITED;
	uint16_t psm = r->le ? 0x0081 : 0x1001;
	struct l2k_server_cbs sc = {.user = r, .accept = rx_accept};
	int e = l2k_server_add(st[1], psm, r->le, &o, &sc, NULL);
	if (e < 0) {
		fprintf(stderr, "l2demo: server: %s\n", l2k_strerror(e));
		return -1;
	}
	if (r->le)
		l2k_le_advertise(st[1], true, NULL, 0);
	struct l2k_chan_cbs cb = {.user = r, .open = tx_open, .send_ready = tx_ready, .closed = tx_closed};
	double c0 = now_s();
	e = l2k_chan_connect(st[0], &ib.addr, r->le ? L2K_ADDR_LE_PUBLIC : L2K_ADDR_BREDR, psm, &o, &cb, &r->tx);
	if (e < 0) {
		fprintf(stderr, "l2demo: connect: %s\n", l2k_strerror(e));
		return -1;
	}
	/* wait for the channel, then time the transfer from its opening */
	uint64_t t_open = 0;
	while (!r->open && !r->closed_tx && vc.now_ms < 30000 && !tool_signal())
		l2k_sim_run_until(st, 2, &vc, NULL, NULL, 10);
	t_open = vc.now_ms;
	/* Loss applies to the data once the channel is up: a real link layer does not flush the
	 * signaling that sets a channel up (it is sent non-flushable), only the data packets. */
	if (r->loss > 0) {
		l2k_sim_air *a = l2k_sim_air_find(air);
		if (a)
			l2k_sim_air_set_loss(a, r->loss);
	}
	l2k_sim_run_until(st, 2, &vc, done, r, 3600 * 1000);
	/* lossy modes: let the tail drain */
	l2k_sim_run_until(st, 2, &vc, NULL, NULL, 200);
	*sim_s = (double)(vc.now_ms - t_open) / 1000.0;
	if (r->tx)
		l2k_chan_get_info(r->tx, &r->info);
	*cpu_s = now_s() - c0;
	l2k_stack_close(st[0]);
	l2k_stack_close(st[1]);
	return 0;
}

int main(int argc, char **argv)
{
	size_t bytes = 4u << 20;
	uint64_t v;
	const char *snoop_dir = NULL;
	tool_signals_init("l2demo");
	tool_signals_graceful(true); /* a signal ends the row that runs (marked interrupted) and the demo */
	static const struct option lo[] = {{"bytes", required_argument, 0, 'b'},
					   {"btsnoop-dir", required_argument, 0, 's'},
					   {"help", no_argument, 0, 'h'},
					   {0, 0, 0, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (c == 'b') {
			/* at most 128 MiB: the slowest row (Retransmission mode, 5 % loss, ~430 kbit/s) must
			 * finish within the hour of simulated time a row is given */
			if (tool_opt_u64("l2demo", "--bytes", optarg, 1, 128u << 20, "a byte count, 1..134217728", &v))
				return 2;
			bytes = (size_t)v;
		} else if (c == 's')
			snoop_dir = optarg;
		else {
			printf("usage: l2demo [--bytes N] [--btsnoop-dir DIR]\n"
			       "  Two l2kit hosts on the simulated air open a channel in every implemented mode,\n"
			       "  move N bytes (default 4 MiB; 1..134217728) in each, check every byte and print a\n"
			       "  table.  SIGINT / SIGTERM stop it at once: the rows done, the one that ran marked\n"
			       "  interrupted (exit 130 / 143).\n");
			return c == 'h' ? 0 : 2;
		}
	}
	struct {
		enum l2k_mode mode;
		bool le;
		double loss;
		uint16_t sdu;
	} plan[] = {
	    {L2K_MODE_BASIC, false, 0, 672},	{L2K_MODE_FLOWCTL, false, 0, 1000},
	    {L2K_MODE_RETRANS, false, 0, 1000}, {L2K_MODE_RETRANS, false, 0.05, 1000},
	    {L2K_MODE_ERTM, false, 0, 1000},	{L2K_MODE_ERTM, false, 0.05, 1000},
	    {L2K_MODE_STREAMING, false, 0, 1000}, {L2K_MODE_LE_CREDIT, true, 0, 2048},
	    {L2K_MODE_ECFC, true, 0, 2048},
	};
	printf("l2kit %s demo: two hosts on the simulated air, %zu bytes per channel\n\n", L2K_VERSION, bytes);
	printf("%-10s %-6s %6s %-11s %9s %8s %10s %6s %-10s\n", "mode", "link", "loss", "MTU/MPS", "bytes",
	       "sim s", "kbit/s", "retx", "integrity");
	int failures = 0;
	for (size_t i = 0; i < sizeof(plan) / sizeof(plan[0]); i++) {
		const char *name = l2k_mode_name(plan[i].mode);
		if (!l2k_mode_supported(plan[i].mode)) {
			if (plan[i].loss == 0)
				printf("%-10s %-6s %6s %s\n", name, plan[i].le ? "LE" : "BR/EDR", "-", "not implemented yet");
			continue;
		}
		struct run r = {.mode = plan[i].mode, .le = plan[i].le, .loss = plan[i].loss, .total = bytes,
				.sdu = plan[i].sdu};
		double sim_s = 0, cpu_s = 0;
		if (tool_signal())
			break;
		if (demo_run(&r, snoop_dir, &sim_s, &cpu_s) < 0) {
			failures++;
			continue;
		}
		if (tool_signal()) {
			printf("%-10s %-6s %6s interrupted (%s)\n", name, plan[i].le ? "LE" : "BR/EDR", "-",
			       tool_signal_name());
			break;
		}
		bool reliable = r.mode != L2K_MODE_STREAMING && r.mode != L2K_MODE_FLOWCTL;
		/* Flow Control and Streaming may lose SDUs, but only ones the receiver counted as
		 * dropped: a channel that never opened moved nothing and dropped nothing */
		bool ok = r.bad == 0 && !r.failed &&
			  (reliable ? r.received == r.total
				    : r.received == r.total || (r.received < r.total && r.info.rx_sdus_dropped > 0));
		char integ[64];
		if (!ok)
			snprintf(integ, sizeof(integ), "FAILED (%zu bad, %zu/%zu)", r.bad, r.received, r.total);
		else if (r.received == r.total)
			snprintf(integ, sizeof(integ), "ok");
		else
			snprintf(integ, sizeof(integ), "ok, %zu SDUs lost", (size_t)r.info.rx_sdus_dropped);
		char mm[16];
		snprintf(mm, sizeof(mm), "%u/%u", r.info.remote_mtu, r.info.remote_mps);
		double kbps = sim_s > 0 ? (double)r.received * 8 / 1000.0 / sim_s : 0;
		char loss[16];
		snprintf(loss, sizeof(loss), "%g%%", r.loss * 100);
		printf("%-10s %-6s %6s %-11s %9zu %8.2f %10.0f %6llu %-10s\n", name, r.le ? "LE" : "BR/EDR", loss, mm,
		       r.received, sim_s, kbps, (unsigned long long)r.info.retransmissions, integ);
		if (!ok)
			failures++;
	}
	printf("\nsimulated air: BR/EDR runs use the bredr-3dh5 profile, LE runs le-2m (docs/simulator.md);\n"
	       "lossy rows drop whole L2CAP PDUs at random once the channel is open (seed 7), with MaxTransmit\n"
	       "unlimited.\n");
	if (tool_signal()) {
		printf("demo interrupted (%s)%s\n", tool_signal_name(), failures ? "; a row above FAILED" : "");
		return tool_signal_status();
	}
	printf("%s\n", failures ? "demo FAILED" : "all implemented modes delivered every byte they must");
	return failures ? 1 : 0;
}
