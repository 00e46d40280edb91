/* Enhanced Credit Based Flow Control mode between two l2kit stacks on the simulated air:
 * five channels in one request on LE and on BR/EDR, partial acceptance, data on every channel,
 * reconfiguration to a larger MTU mid-transfer without loss. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/stack_internal.h"
#include "transport/sim/sim.h"

#define NCH 5
#define PSM_LE 0x0027
#define PSM_BR 0x1005

struct side {
	l2k_chan *ch[NCH];
	int opened, closed;
	uint64_t rx_bytes[NCH];
	uint64_t rx_off[NCH]; /* next expected stream offset per channel */
	int bad;
	int refuse_every; /* server: refuse the channel when (index % refuse_every == 1) */
	int offered;
};

struct env {
	struct l2k_vclock vc;
	l2k_stack *st[2];
	l2k_addr addr_b;
	struct side a, b;
};

static uint8_t pat(uint64_t i, int ch)
{
	return (uint8_t)((i * 131u) ^ (i >> 7) ^ (unsigned)ch * 29u);
}

static int index_of(struct side *s, l2k_chan *ch)
{
	for (int i = 0; i < NCH; i++)
		if (s->ch[i] == ch)
			return i;
	return -1;
}

static void on_open(void *u, l2k_chan *ch)
{
	((struct side *)u)->opened++;
}
static void on_closed(void *u, l2k_chan *ch, enum l2k_close_reason r)
{
	struct side *s = u;
	s->closed++;
	int i = index_of(s, ch);
	if (i >= 0)
		s->ch[i] = NULL;
}
/* The receiver keys its checks by the sender's CID (its remote CID): A's channel i has CID
 * 0x40 + i on a fresh link, so data that crossed channels would not match. */
static void on_recv(void *u, l2k_chan *ch, const uint8_t *p, size_t n)
{
	struct side *s = u;
	struct l2k_chan_info in;
	l2k_chan_get_info(ch, &in);
	int i = in.remote_cid - 0x40;
	assert_true(i >= 0 && i < NCH);
	for (size_t k = 0; k < n; k++)
		if (p[k] != pat(s->rx_off[i] + k, i))
			s->bad++;
	s->rx_off[i] += n;
	s->rx_bytes[i] += n;
}
static int on_accept(void *u, const struct l2k_conn_request *rq, struct l2k_chan_opts *o, struct l2k_chan_cbs *cb)
{
	struct side *s = u;
	int idx = s->offered++;
	assert_int_equal(rq->mode, L2K_MODE_ECFC);
	if (s->refuse_every && idx % s->refuse_every == 1)
		return L2K_RESULT_NO_RESOURCES;
	cb->user = s;
	cb->open = on_open;
	cb->closed = on_closed;
	cb->recv = on_recv;
	for (int i = 0; i < NCH; i++)
		if (!s->ch[i]) {
			s->ch[i] = rq->chan;
			break;
		}
	return 0;
}

struct sender {
	struct env *e;
	uint64_t left[NCH], off[NCH];
	uint16_t sdu;
};
static struct sender snd;

static void env_open(struct env *e, bool le, const char *air)
{
	memset(e, 0, sizeof(*e));
	char spec[128];
	snprintf(spec, sizeof(spec), "sim:air=%s,type=%s,profile=%s", air, le ? "le" : "bredr",
		 le ? "le-2m" : "bredr-3dh5");
	struct l2k_stack_opts o = {.clock = l2k_vclock_now, .clock_arg = &e->vc};
	char err[256];
	memset(&snd, 0, sizeof(snd));
	for (int i = 0; i < 2; i++)
		assert_int_equal(l2k_stack_open(spec, &o, NULL, &e->st[i], err, sizeof(err)), 0);
	assert_int_equal(l2k_wait_ready(e->st[0], 5000), 0);
	assert_int_equal(l2k_wait_ready(e->st[1], 5000), 0);
	struct l2k_controller_info ib;
	l2k_controller_info(e->st[1], &ib);
	e->addr_b = ib.addr;
	struct l2k_chan_opts so;
	l2k_chan_opts_default(&so);
	so.mode = L2K_MODE_ECFC;
	so.mtu = 1000;
	struct l2k_server_cbs sc = {.user = &e->b, .accept = on_accept};
	assert_int_equal(l2k_server_add(e->st[1], le ? PSM_LE : PSM_BR, le, &so, &sc, NULL), 0);
	if (le)
		assert_int_equal(l2k_le_advertise(e->st[1], true, NULL, 0), 0);
}

static void env_close(struct env *e, const char *air)
{
	l2k_stack_close(e->st[0]);
	l2k_stack_close(e->st[1]);
	sim_air_close(sim_air_find(air));
}

static struct env *cur;
static int want_open;
static bool opened_enough(void *arg)
{
	return cur->a.opened + cur->a.closed >= want_open && cur->b.offered >= NCH;
}

static void connect_five(struct env *e, bool le)
{
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mode = L2K_MODE_ECFC;
	o.mtu = 1000;
	struct l2k_chan_cbs cb = {.user = &e->a, .open = on_open, .closed = on_closed, .recv = on_recv};
	assert_int_equal(l2k_chan_connect_ecfc(e->st[0], &e->addr_b, le ? L2K_ADDR_LE_PUBLIC : L2K_ADDR_BREDR,
					       le ? PSM_LE : PSM_BR, NCH, &o, &cb, e->a.ch),
			 0);
	cur = e;
	want_open = NCH;
	assert_int_equal(l2k_sim_run_until(e->st, 2, &e->vc, opened_enough, NULL, 20000), 0);
}

/* Send `bytes` on every open channel of side a, as SDUs of sdu bytes, running the air. */
static bool transfer_done(void *arg)
{
	static uint8_t buf[4096];
	bool all = true;
	for (int i = 0; i < NCH; i++) {
		l2k_chan *ch = snd.e->a.ch[i];
		if (!ch)
			continue;
		while (snd.left[i]) {
			size_t n = snd.left[i] < snd.sdu ? (size_t)snd.left[i] : snd.sdu;
			for (size_t k = 0; k < n; k++)
				buf[k] = pat(snd.off[i] + k, i);
			int r = l2k_chan_send(ch, buf, n);
			if (r == L2K_EAGAIN)
				break;
			assert_int_equal(r, 0);
			snd.off[i] += n;
			snd.left[i] -= n;
		}
		if (snd.left[i] || snd.e->b.rx_bytes[i] < snd.off[i]) /* b is keyed by A's index */
			all = false;
	}
	return all;
}

static void move_bytes(struct env *e, uint64_t bytes, uint16_t sdu)
{
	snd.e = e;
	snd.sdu = sdu;
	for (int i = 0; i < NCH; i++)
		snd.left[i] = e->a.ch[i] ? bytes : 0;
	int rr = l2k_sim_run_until(e->st, 2, &e->vc, transfer_done, NULL, 3600 * 1000);
	for (int i = 0; rr && i < NCH; i++) { /* on a stall, say where each channel stood */
		if (!e->a.ch[i])
			continue;
		struct l2k_chan_info in;
		l2k_chan_get_info(e->a.ch[i], &in);
		fprintf(stderr, "ch%d left %llu sent %llu received %llu credits tx %u rx %u\n", i,
			(unsigned long long)snd.left[i], (unsigned long long)snd.off[i],
			(unsigned long long)e->b.rx_bytes[i], in.credits_tx, in.credits_rx);
	}
	assert_int_equal(rr, 0);
}

static void five_channels(bool le, const char *air)
{
	struct env e;
	env_open(&e, le, air);
	connect_five(&e, le);
	assert_int_equal(e.a.opened, NCH);
	assert_int_equal(e.b.opened, NCH);
	for (int i = 0; i < NCH; i++) {
		struct l2k_chan_info in;
		l2k_chan_get_info(e.a.ch[i], &in);
		assert_int_equal(in.mode, L2K_MODE_ECFC);
		assert_int_equal(in.remote_mtu, 1000);
		assert_true(in.remote_mps >= 64);
	}
	move_bytes(&e, 200000, 1000);
	for (int i = 0; i < NCH; i++)
		assert_int_equal(e.b.rx_bytes[i], 200000);
	assert_int_equal(e.b.bad, 0);
	env_close(&e, air);
}

static void test_ecfc_five_channels_in_one_request_on_le(void **st)
{
	five_channels(true, "ecfc-le");
}

static void test_ecfc_five_channels_in_one_request_on_bredr(void **st)
{
	five_channels(false, "ecfc-br");
}

static void test_ecfc_partial_acceptance_closes_only_refused_channels(void **st)
{
	struct env e;
	env_open(&e, true, "ecfc-partial");
	e.b.refuse_every = 2; /* refuse the 2nd and 4th */
	connect_five(&e, true);
	assert_int_equal(e.a.opened, 3);
	assert_int_equal(e.a.closed, 2);
	assert_int_equal(e.b.opened, 3);
	int open_idx = 0;
	for (int i = 0; i < NCH; i++)
		if (e.a.ch[i])
			open_idx++;
	assert_int_equal(open_idx, 3);
	move_bytes(&e, 50000, 900);
	uint64_t total = 0;
	for (int i = 0; i < NCH; i++)
		total += e.b.rx_bytes[i];
	assert_int_equal(total, 3 * 50000);
	assert_int_equal(e.b.bad, 0);
	env_close(&e, "ecfc-partial");
}

static void test_ecfc_reconfigure_to_larger_mtu_mid_transfer_without_loss(void **st)
{
	struct env e;
	env_open(&e, true, "ecfc-reconf");
	connect_five(&e, true);
	/* start a transfer, reconfigure B's receive MTU (B asks) while data is in flight */
	snd.e = &e;
	snd.sdu = 1000;
	for (int i = 0; i < NCH; i++)
		snd.left[i] = 100000;
	l2k_sim_run_until(e.st, 2, &e.vc, NULL, NULL, 50);
	transfer_done(NULL);
	l2k_chan *bch[NCH];
	int nb = 0;
	for (int i = 0; i < NCH; i++)
		if (e.b.ch[i])
			bch[nb++] = e.b.ch[i];
	assert_int_equal(nb, NCH);
	assert_int_equal(l2k_chan_reconfigure(bch, nb, 4000, 247), 0);
	/* the MTU may not shrink */
	assert_int_equal(l2k_chan_reconfigure(bch, nb, 900, 247), L2K_EINVAL);
	assert_int_equal(l2k_sim_run_until(e.st, 2, &e.vc, transfer_done, NULL, 3600 * 1000), 0);
	for (int i = 0; i < NCH; i++) {
		struct l2k_chan_info in;
		l2k_chan_get_info(e.a.ch[i], &in);
		assert_int_equal(in.remote_mtu, 4000); /* A learnt B's new MTU */
		l2k_chan_get_info(bch[i], &in);
		assert_int_equal(in.result, 0);	      /* B's request succeeded */
	}
	/* larger SDUs now pass, and nothing was lost */
	snd.sdu = 4000;
	for (int i = 0; i < NCH; i++)
		snd.left[i] = 40000;
	assert_int_equal(l2k_sim_run_until(e.st, 2, &e.vc, transfer_done, NULL, 3600 * 1000), 0);
	for (int i = 0; i < NCH; i++)
		assert_int_equal(e.b.rx_bytes[i], 140000);
	assert_int_equal(e.b.bad, 0);
	env_close(&e, "ecfc-reconf");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ecfc_five_channels_in_one_request_on_le),
	    cmocka_unit_test(test_ecfc_five_channels_in_one_request_on_bredr),
	    cmocka_unit_test(test_ecfc_partial_acceptance_closes_only_refused_channels),
	    cmocka_unit_test(test_ecfc_reconfigure_to_larger_mtu_mid_transfer_without_loss),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
