/* Who runs the engine of a started stack (api/sockface_drive.c), over a transport with a
 * descriptor (simulated controllers behind a unix socket, tests/common/h4_server.c): a caller
 * blocked in a socket call runs the engine itself while it waits, so a reader gets its SDUs from
 * its own steps and a writer blocked on a full queue sends the next ACL packets itself, the
 * stack's thread parked; a driver that stays away gets the descriptor taken back, so data keeps
 * coming in; a send that changes no timer does not write the wakeup pipe; l2k_stop wakes a
 * driver.  The counters read here are the socket face's own (struct sf_stats). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/l2kit.h"
#include "api/sockface_int.h"
#include "tests/common/h4_server.h"

#define PSM 0x1001
#define SDUS 1000
#define SDU 1000

struct pair {
	struct h4_server *srv;
	l2k_stack *a, *b; /* a connects and sends, b listens and reads */
	l2k_sock *ls, *ca, *sb;
};

static void fill(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed * 131u + i * 7u + (i >> 8));
}

static struct pair *pair_chan(bool le, const struct l2k_chan_opts *o)
{
	struct pair *p = calloc(1, sizeof(*p));
	assert_non_null(p);
	char spec[160], err[256];
	p->srv = h4_server_start("unlimited", NULL, spec, sizeof(spec));
	assert_non_null(p->srv);
	assert_int_equal(l2k_stack_open(spec, NULL, NULL, &p->a, err, sizeof(err)), 0);
	assert_int_equal(l2k_stack_open(spec, NULL, NULL, &p->b, err, sizeof(err)), 0);
	assert_int_equal(l2k_wait_ready(p->a, 5000), 0);
	assert_int_equal(l2k_wait_ready(p->b, 5000), 0);
	struct l2k_controller_info ib;
	assert_int_equal(l2k_controller_info(p->b, &ib), 0);
	if (le)
		assert_int_equal(l2k_le_advertise(p->b, true, NULL, 0), 0);
	assert_int_equal(l2k_start(p->a), 0);
	assert_int_equal(l2k_start(p->b), 0);
	uint16_t psm = le ? 0x0080 : PSM;
	assert_int_equal(l2k_listen(p->b, psm, le, o, 1, &p->ls), 0);
	assert_int_equal(l2k_connect(p->a, &ib.addr, le ? L2K_ADDR_LE_PUBLIC : L2K_ADDR_BREDR, psm, o, 5000, &p->ca), 0);
	assert_int_equal(l2k_accept(p->ls, 5000, &p->sb), 0);
	return p;
}

static void pair_free(struct pair *p)
{
	l2k_close(p->ca);
	l2k_close(p->sb);
	l2k_close(p->ls);
	l2k_stack_close(p->a);
	l2k_stack_close(p->b);
	h4_server_stop(p->srv);
	free(p);
}

static struct sf_stats stats_of(l2k_stack *s)
{
	pthread_mutex_lock(&s->sf->lock);
	struct sf_stats st = s->sf->stats;
	pthread_mutex_unlock(&s->sf->lock);
	return st;
}

/* A thread reading n SDUs with blocking calls, checking each, then (when then_block) one more
 * blocking l2k_recv whose result is kept. */
struct reader {
	l2k_sock *sk;
	unsigned n, got;
	bool bad;
	bool then_block;
	long last;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	static uint8_t buf[SDU], want[SDU];
	while (r->got < r->n) {
		long n = l2k_recv(r->sk, buf, sizeof(buf), NULL, 10000);
		fill(want, SDU, r->got);
		if (n != SDU || memcmp(buf, want, SDU)) {
			r->bad = true;
			return NULL;
		}
		r->got++;
	}
	if (r->then_block)
		r->last = l2k_recv(r->sk, buf, sizeof(buf), NULL, -1);
	return NULL;
}

static void send_all(l2k_sock *sk, unsigned n)
{
	static uint8_t buf[SDU];
	for (unsigned i = 0; i < n; i++) {
		fill(buf, SDU, i);
		assert_int_equal(l2k_send(sk, buf, SDU, 10000), SDU);
	}
}

/* A reader blocked in l2k_recv runs the receiving stack's engine: most of that stack's steps
 * during the transfer are the reader's, and it is posted (woken by another thread) a few times,
 * not for every SDU.  Everything arrives, in order. */
static void test_blocked_reader_runs_the_engine_itself(void **state)
{
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mode = L2K_MODE_ERTM;
	o.mtu = SDU;
	struct pair *p = pair_chan(false, &o);
	struct sf_stats b0 = stats_of(p->b);
	struct reader r = {.sk = p->sb, .n = SDUS};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, reader_main, &r), 0);
	send_all(p->ca, SDUS);
	pthread_join(th, NULL);
	assert_false(r.bad);
	assert_int_equal(r.got, SDUS);
	struct sf_stats b1 = stats_of(p->b);
	uint64_t caller = b1.caller_steps - b0.caller_steps, loop = b1.loop_steps - b0.loop_steps;
	fprintf(stderr, "receiving stack: %llu steps by the reader, %llu by its thread, %llu posts, %llu blocking reads\n",
		(unsigned long long)caller, (unsigned long long)loop, (unsigned long long)(b1.posts - b0.posts),
		(unsigned long long)(b1.blocking_reads - b0.blocking_reads));
	assert_true(caller > loop);
	assert_true(b1.posts - b0.posts < SDUS / 4);
	/* while data flows the reader's waits are the transport's read itself (not on Windows:
	 * there the socket is non-blocking and every wait is WSAPoll's, transport/stream.c) */
#ifndef _WIN32
	assert_true(b1.blocking_reads > b0.blocking_reads);
#else
	assert_int_equal(b1.blocking_reads, b0.blocking_reads);
#endif
	pair_free(p);
}

/* A writer blocked on a full transmit queue runs the sending stack's engine: it reads the
 * controller's Number Of Completed Packets and sends the next ACL packets from its own steps. */
static void test_blocked_writer_runs_the_engine_itself(void **state)
{
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mode = L2K_MODE_BASIC;
	o.mtu = SDU;
	o.tx_queue_bytes = 8 * SDU; /* the writer blocks every few SDUs */
	struct pair *p = pair_chan(false, &o);
	struct sf_stats a0 = stats_of(p->a);
	struct reader r = {.sk = p->sb, .n = SDUS};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, reader_main, &r), 0);
	send_all(p->ca, SDUS);
	pthread_join(th, NULL);
	assert_false(r.bad);
	assert_int_equal(r.got, SDUS);
	struct sf_stats a1 = stats_of(p->a);
	uint64_t caller = a1.caller_steps - a0.caller_steps, loop = a1.loop_steps - a0.loop_steps;
	fprintf(stderr, "sending stack: %llu steps by the writer, %llu by its thread\n", (unsigned long long)caller,
		(unsigned long long)loop);
	assert_true(caller > loop);
	pair_free(p);
}

/* Sends that arm no timer sooner and leave nothing queued for writability do not write the
 * stack's wakeup pipe (each write wakes the thread waiting on the descriptors for nothing). */
static void test_sends_do_not_write_the_wakeup_pipe(void **state)
{
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mode = L2K_MODE_BASIC;
	o.mtu = SDU;
	struct pair *p = pair_chan(false, &o);
	struct sf_stats a0 = stats_of(p->a);
	struct reader r = {.sk = p->sb, .n = 200};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, reader_main, &r), 0);
	static uint8_t buf[SDU];
	for (unsigned i = 0; i < r.n; i++) {
		fill(buf, SDU, i);
		assert_int_equal(l2k_send(p->ca, buf, SDU, 10000), SDU);
		usleep(200); /* (the sender's thread waits on the descriptors between sends) */
	}
	pthread_join(th, NULL);
	assert_false(r.bad);
	struct sf_stats a1 = stats_of(p->a);
	fprintf(stderr, "sending stack: %llu pipe writes for %u sends\n",
		(unsigned long long)(a1.pipe_writes - a0.pipe_writes), r.n);
	assert_true(a1.pipe_writes - a0.pipe_writes < 10);
	pair_free(p);
}

/* A reader that became the driver and then stays away from its calls: the stack's thread takes
 * the descriptor back, so what the peer sends meanwhile is read (the credits go back and the
 * sender is not held up) and waits in the socket for the reader. */
static void test_driver_away_gets_the_descriptor_taken_back(void **state)
{
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mode = L2K_MODE_LE_CREDIT;
	o.mtu = SDU;
	o.credits = 4; /* the sender needs credits back to get past 4 SDUs */
	struct pair *p = pair_chan(true, &o);
	struct reader r = {.sk = p->sb, .n = 10};
	pthread_t th;
	/* before the reader starts: on a loaded machine the loop thread may take the descriptor
	 * back before this thread gets past the join */
	struct sf_stats b0 = stats_of(p->b);
	assert_int_equal(pthread_create(&th, NULL, reader_main, &r), 0);
	send_all(p->ca, 10);
	pthread_join(th, NULL); /* the reader drove (as a rule), then went away */
	assert_false(r.bad);
	/* 40 more SDUs, 4 credits at a time: each credit comes back only once b's stack read the
	 * K-frame, and no call of b's is waiting */
	static uint8_t buf[SDU];
	for (unsigned i = 0; i < 40; i++) {
		fill(buf, SDU, 10 + i);
		assert_int_equal(l2k_send(p->ca, buf, SDU, 5000), SDU);
	}
	assert_int_equal(l2k_shutdown(p->ca, 5000), 0); /* everything left a's channel */
	/* the reader was handed the descriptor (unless the loop thread read everything before
	 * the reader ever waited): the loop thread took it back, or no credit could have come
	 * back */
	struct sf_stats b1 = stats_of(p->b);
	assert_true(b1.handovers == b0.handovers || b1.takeovers > b0.takeovers);
	/* all of it is in b's socket, read without waiting */
	uint8_t got[SDU];
	for (unsigned i = 0; i < 40; i++) {
		assert_int_equal(l2k_recv(p->sb, got, sizeof(got), NULL, 0), SDU);
		fill(buf, SDU, 10 + i);
		assert_memory_equal(got, buf, SDU);
	}
	pair_free(p);
}

/* l2k_stop wakes a reader that is running the engine while it waits: ENETDOWN. */
static void test_stop_wakes_the_driver(void **state)
{
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mode = L2K_MODE_BASIC;
	o.mtu = SDU;
	struct pair *p = pair_chan(false, &o);
	struct reader r = {.sk = p->sb, .n = 20, .then_block = true};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, reader_main, &r), 0);
	send_all(p->ca, 20);
	/* the reader waits in its last l2k_recv, as the driver (it got the role with the first SDUs
	 * and has not been away since) */
	for (int i = 0; i < 500; i++) {
		pthread_mutex_lock(&p->b->sf->lock);
		bool polling = p->b->sf->drv_polling;
		pthread_mutex_unlock(&p->b->sf->lock);
		if (polling && r.got == 20)
			break;
		usleep(10000);
	}
	assert_int_equal(r.got, 20);
	l2k_stop(p->b);
	pthread_join(th, NULL);
	assert_int_equal(r.last, L2K_ENETDOWN);
	pair_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_blocked_reader_runs_the_engine_itself),
	    cmocka_unit_test(test_blocked_writer_runs_the_engine_itself),
	    cmocka_unit_test(test_sends_do_not_write_the_wakeup_pipe),
	    cmocka_unit_test(test_driver_away_gets_the_descriptor_taken_back),
	    cmocka_unit_test(test_stop_wakes_the_driver),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
