/* The ACL data path's queues under load: the byte ring (records across the wrap, peeks in place)
 * and the HCI scheduler's ring of links with queued data (links that empty and refill in every
 * order, round robin between links sharing the controller's buffers), through the public API on
 * the simulated air with a virtual clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/l2kit.h"
#include "base/ring.h"

/* ---- ring ---------------------------------------------------------------------------------- */

static uint8_t pat(uint32_t rec, size_t i)
{
	return (uint8_t)(rec * 37u + i * 11u + 1);
}

static void test_ring_records_survive_the_wrap(void **st)
{
	struct ring r;
	assert_int_equal(ring_init(&r, 97), 0); /* odd size: records and headers straddle the end */
	uint32_t pushed = 0, popped = 0;
	uint8_t rec[64], out[64];
	for (int round = 0; round < 2000; round++) {
		size_t n = (size_t)(round * 7 % 41);
		for (size_t i = 0; i < n; i++)
			rec[i] = pat(pushed, i);
		const uint8_t *parts[2] = {rec, rec + n / 3};
		size_t lens[2] = {n / 3, n - n / 3};
		if (ring_push(&r, parts, lens, 2) == 0) {
			pushed++;
			continue;
		}
		/* full: the record must not have fitted, and popping makes room */
		assert_false(ring_fits(&r, n));
		while (r.count) {
			size_t len = ring_head_len(&r);
			ring_head_read(&r, 0, out, len);
			for (size_t i = 0; i < len; i++)
				assert_int_equal(out[i], pat(popped, i));
			if (len > 2) {
				const uint8_t *p1, *p2;
				size_t n1, n2;
				int k = ring_head_peek(&r, 1, len - 2, &p1, &n1, &p2, &n2);
				assert_int_equal(n1 + (k == 2 ? n2 : 0), len - 2);
				for (size_t i = 0; i < n1; i++)
					assert_int_equal(p1[i], pat(popped, 1 + i));
				for (size_t i = 0; k == 2 && i < n2; i++)
					assert_int_equal(p2[i], pat(popped, 1 + n1 + i));
			}
			ring_pop(&r);
			popped++;
		}
		assert_int_equal(r.used, 0);
	}
	assert_true(pushed > 1500);
	ring_free(&r);
}

/* ---- scheduler: host 0 with a channel to each of three peers ------------------------------- */

#define PEERS 3

struct world {
	struct l2k_vclock vc;
	l2k_stack *st[PEERS + 1];
	l2k_addr addr[PEERS + 1];
	l2k_chan *tx[PEERS];
	int opened;
	uint32_t seq_tx[PEERS], seq_rx[PEERS];
	uint64_t sent[PEERS], got[PEERS];
	int bad;
};

static struct world W;

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void on_open(void *u, l2k_chan *ch)
{
	W.opened++;
}

static void on_recv(void *u, l2k_chan *ch, const uint8_t *p, size_t n)
{
	if (n < 8) {
		W.bad++;
		return;
	}
	uint32_t peer = get32(p), seq = get32(p + 4);
	if (peer >= PEERS || seq != W.seq_rx[peer])
		W.bad++;
	else
		W.seq_rx[peer]++;
	for (size_t i = 8; i < n; i++)
		if (p[i] != (uint8_t)(seq + i))
			W.bad++;
	if (peer < PEERS)
		W.got[peer] += n;
}

static int on_accept(void *u, const struct l2k_conn_request *rq, struct l2k_chan_opts *o,
		     struct l2k_chan_cbs *cb)
{
	cb->recv = on_recv;
	return 0;
}

static void world_up(const char *profile)
{
	memset(&W, 0, sizeof(W));
	char spec[160];
	static int n_air;
	snprintf(spec, sizeof(spec), "sim:air=acl-sched-%d,type=bredr,profile=%s", ++n_air, profile);
	struct l2k_stack_opts so = {.clock = l2k_vclock_now, .clock_arg = &W.vc};
	char err[256];
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mtu = 4096;
	struct l2k_server_cbs sc = {.accept = on_accept};
	for (int i = 0; i <= PEERS; i++) {
		assert_int_equal(l2k_stack_open(spec, &so, NULL, &W.st[i], err, sizeof(err)), 0);
		assert_int_equal(l2k_wait_ready(W.st[i], 5000), 0);
		struct l2k_controller_info ci;
		l2k_controller_info(W.st[i], &ci);
		W.addr[i] = ci.addr;
		if (i)
			assert_int_equal(l2k_server_add(W.st[i], 0x1001, false, &o, &sc, NULL), 0);
	}
	struct l2k_chan_cbs cb = {.open = on_open};
	for (int p = 0; p < PEERS; p++)
		assert_int_equal(l2k_chan_connect(W.st[0], &W.addr[p + 1], L2K_ADDR_BREDR, 0x1001, &o, &cb, &W.tx[p]), 0);
	while (W.opened < PEERS && W.vc.now_ms < 60000)
		l2k_sim_run_until(W.st, PEERS + 1, &W.vc, NULL, NULL, 10);
	assert_int_equal(W.opened, PEERS);
}

static void world_down(void)
{
	for (int i = 0; i <= PEERS; i++)
		l2k_stack_close(W.st[i]);
}

/* queue one SDU of n bytes to peer p; false when the channel said L2K_EAGAIN */
static bool send_one(int p, size_t n)
{
	static uint8_t b[4096];
	put32(b, (uint32_t)p);
	put32(b + 4, W.seq_tx[p]);
	for (size_t i = 8; i < n; i++)
		b[i] = (uint8_t)(W.seq_tx[p] + i);
	int e = l2k_chan_send(W.tx[p], b, n);
	if (e == L2K_EAGAIN)
		return false;
	assert_int_equal(e, 0);
	W.seq_tx[p]++;
	W.sent[p] += n;
	return true;
}

static bool all_in(void *arg)
{
	for (int p = 0; p < PEERS; p++)
		if (W.got[p] != W.sent[p])
			return false;
	return true;
}

static void test_links_that_empty_and_refill_in_any_order_deliver_everything(void **st)
{
	world_up("unlimited");
	/* bursts on changing subsets of the links, each drained in part or in full before the
	 * next, so links leave and rejoin the scheduler's ring in every order */
	uint32_t x = 12345;
	for (int round = 0; round < 400; round++) {
		x = x * 1103515245u + 12345u;
		int mask = (int)(x >> 16) % 7 + 1;
		for (int p = 0; p < PEERS; p++)
			if (mask & (1 << p))
				for (int k = 0; k < 1 + (int)((x >> (8 + p)) % 5); k++)
					send_one(p, 8 + (size_t)((x >> (3 * p)) % 3000));
		if (round % 3)
			l2k_sim_run_until(W.st, PEERS + 1, &W.vc, all_in, NULL, 1000);
		else
			l2k_sim_run_until(W.st, PEERS + 1, &W.vc, NULL, NULL, 0); /* one pass: partial drain */
	}
	l2k_sim_run_until(W.st, PEERS + 1, &W.vc, all_in, NULL, 60000);
	assert_int_equal(W.bad, 0);
	for (int p = 0; p < PEERS; p++) {
		assert_true(W.sent[p] > 0);
		assert_int_equal(W.got[p], W.sent[p]);
	}
	world_down();
}

/* Three saturated links share host 0's controller buffers: round robin gives each the same
 * share of the air (within 10 %) at any time, not one link after the other. */
static bool keep_full(void *arg)
{
	for (int p = 0; p < PEERS; p++)
		while (W.sent[p] - W.got[p] < 64 * 1024 && send_one(p, 1000))
			;
	return W.vc.now_ms >= *(uint64_t *)arg;
}

static void test_saturated_links_share_the_controller_buffers_fairly(void **st)
{
	world_up("bredr-3dh5");
	uint64_t until = W.vc.now_ms + 3000;
	l2k_sim_run_until(W.st, PEERS + 1, &W.vc, keep_full, &until, 10000);
	uint64_t lo = UINT64_MAX, hi = 0;
	for (int p = 0; p < PEERS; p++) {
		lo = W.got[p] < lo ? W.got[p] : lo;
		hi = W.got[p] > hi ? W.got[p] : hi;
	}
	assert_true(lo > 100000); /* each link moved data */
	assert_true(hi - lo <= hi / 10);
	assert_int_equal(W.bad, 0);
	world_down();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ring_records_survive_the_wrap),
	    cmocka_unit_test(test_links_that_empty_and_refill_in_any_order_deliver_everything),
	    cmocka_unit_test(test_saturated_links_share_the_controller_buffers_fairly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
