/* Fixed channels on a full link: l2k_fixed_send answers L2K_EAGAIN when the link's transmit
 * queue is full and l2k_fixed_wait_room tells the sender once when it takes PDUs again (or
 * that the link went), so that an ATT-like sender can stream without polling and without
 * losing a PDU.  Two stacks on one simulated air, virtual clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <l2kit/l2kit.h>

#define CID 0x0002 /* connectionless (BR/EDR): G-frames */
#define PSM 0x1001
#define PDU 600
#define TOTAL 400

struct world {
	struct l2k_vclock vc;
	l2k_stack *a, *b;
	int ready;
	uint16_t handle; /* A's link to B */
	/* B's receiver */
	uint32_t next_rx;
	int rx, rx_bad;
	/* A's sender */
	uint32_t next_tx;
	int eagain, told, told_err, waits;
	int lost_told;
};

static void on_ready(void *u, int err)
{
	struct world *w = u;
	assert_int_equal(err, 0);
	w->ready++;
}

static void on_link_up(void *u, const struct l2k_link_info *li)
{
	struct world *w = u;
	w->handle = li->handle;
}

static void b_rx(void *u, uint16_t handle, const uint8_t *p, size_t n)
{
	struct world *w = u;
	(void)handle;
	uint32_t seq = n >= 4 ? (uint32_t)(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24) : UINT32_MAX;
	if (n != PDU || seq != w->next_rx)
		w->rx_bad++;
	w->next_rx = seq + 1;
	w->rx++;
}

static void room(void *u, uint16_t handle, int err);

/* Send until TOTAL are sent or the link is full; when full, wait for room. */
static void pump(struct world *w)
{
	uint8_t pdu[PDU];
	memset(pdu, 0x5A, sizeof(pdu));
	while (w->next_tx < TOTAL) {
		for (int i = 0; i < 4; i++)
			pdu[i] = (uint8_t)(w->next_tx >> (8 * i));
		int r = l2k_fixed_send(w->a, w->handle, CID, PSM, pdu, sizeof(pdu));
		if (r == L2K_EAGAIN) {
			w->eagain++;
			assert_int_equal(l2k_fixed_wait_room(w->a, w->handle, room, w), 0);
			w->waits++;
			return;
		}
		assert_int_equal(r, 0);
		w->next_tx++;
	}
}

static void room(void *u, uint16_t handle, int err)
{
	struct world *w = u;
	assert_int_equal(handle, w->handle);
	w->told++;
	w->told_err = err;
	if (err == 0)
		pump(w);
}

static void lost(void *u, uint16_t handle, int err)
{
	struct world *w = u;
	(void)handle;
	w->lost_told++;
	w->told_err = err;
}

static bool both_ready(void *arg)
{
	struct world *w = arg;
	return w->ready == 2;
}

static bool all_ready(void *arg)
{
	struct world *w = arg;
	return w->ready == 2 && w->handle;
}

static bool all_received(void *arg)
{
	struct world *w = arg;
	return w->rx >= TOTAL;
}

static bool lost_told(void *arg)
{
	struct world *w = arg;
	return w->lost_told > 0;
}

static void world_up(struct world *w, const char *air)
{
	memset(w, 0, sizeof(*w));
	char spec[64];
	snprintf(spec, sizeof(spec), "sim:air=%s,type=bredr", air);
	struct l2k_stack_opts o = {.clock = l2k_vclock_now, .clock_arg = &w->vc};
	struct l2k_stack_cbs ca = {.user = w, .ready = on_ready, .link_up = on_link_up};
	struct l2k_stack_cbs cb = {.user = w, .ready = on_ready};
	char err[128];
	assert_int_equal(l2k_stack_open(spec, &o, &ca, &w->a, err, sizeof(err)), 0);
	assert_int_equal(l2k_stack_open(spec, &o, &cb, &w->b, err, sizeof(err)), 0);
	l2k_stack *st[2] = {w->a, w->b};
	struct l2k_controller_info bi;
	assert_int_equal(l2k_sim_run_until(st, 2, &w->vc, both_ready, w, 10000), 0);
	assert_int_equal(l2k_controller_info(w->b, &bi), 0);
	assert_int_equal(l2k_fixed_bind(w->b, CID, false, PSM, b_rx, w), 0);
	assert_int_equal(l2k_link_connect(w->a, &bi.addr, L2K_ADDR_BREDR), 0);
	assert_int_equal(l2k_sim_run_until(st, 2, &w->vc, all_ready, w, 10000), 0);
}

static void world_down(struct world *w)
{
	l2k_stack_close(w->a);
	l2k_stack_close(w->b);
}

/* 400 PDUs of 600 octets, far more than the transmit queue holds: every one arrives, in
 * order, the sender having been told of room each time it found the link full. */
static void test_a_full_link_tells_the_fixed_sender_when_it_takes_pdus_again(void **state)
{
	(void)state;
	struct world w;
	world_up(&w, "fixed-room");
	/* nothing refused yet: nothing to wait for */
	assert_int_equal(l2k_fixed_wait_room(w.a, w.handle, room, &w), L2K_EALREADY);
	assert_int_equal(l2k_fixed_wait_room(w.a, 0x0EFF, room, &w), L2K_ENOLINK);
	assert_int_equal(l2k_fixed_wait_room(w.a, w.handle, NULL, &w), L2K_EINVAL);
	pump(&w);
	assert_true(w.eagain == 1 && w.next_tx < TOTAL); /* the queue filled up */
	l2k_stack *st[2] = {w.a, w.b};
	assert_int_equal(l2k_sim_run_until(st, 2, &w.vc, all_received, &w, 60000), 0);
	assert_int_equal(w.next_tx, TOTAL);
	assert_int_equal(w.rx, TOTAL);
	assert_int_equal(w.rx_bad, 0);
	assert_true(w.eagain >= 2);
	assert_int_equal(w.told, w.waits); /* each wait told exactly once */
	assert_int_equal(w.told_err, 0);
	world_down(&w);
}

/* Waiters are told once each, at most 8 per link; a link that goes tells them
 * L2K_ELINKLOSS. */
static void test_waiters_learn_that_the_link_went(void **state)
{
	(void)state;
	struct world w;
	world_up(&w, "fixed-room-lost");
	uint8_t pdu[PDU] = {0};
	int r;
	while ((r = l2k_fixed_send(w.a, w.handle, CID, PSM, pdu, sizeof(pdu))) == 0)
		;
	assert_int_equal(r, L2K_EAGAIN);
	for (int i = 0; i < 8; i++)
		assert_int_equal(l2k_fixed_wait_room(w.a, w.handle, lost, &w), 0);
	assert_int_equal(l2k_fixed_wait_room(w.a, w.handle, lost, &w), L2K_ENOBUFS);
	assert_int_equal(l2k_link_disconnect(w.a, w.handle, 0x13), 0);
	l2k_stack *st[2] = {w.a, w.b};
	assert_int_equal(l2k_sim_run_until(st, 2, &w.vc, lost_told, &w, 10000), 0);
	assert_int_equal(w.lost_told, 8);
	assert_int_equal(w.told_err, L2K_ELINKLOSS);
	world_down(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_full_link_tells_the_fixed_sender_when_it_takes_pdus_again),
		cmocka_unit_test(test_waiters_learn_that_the_link_went),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
