/* The socket face's Enhanced Credit Based calls between two l2kit stacks on one in-process
 * simulated air, each run by its own thread on the real clock: l2k_connect_ecfc (several
 * sockets from one request, in request order at both ends; partial and total refusal; the
 * non-blocking form) and l2k_sock_reconfigure (a larger MTU used at once, the receive queue
 * grown so that nothing is dropped while the reader does not read; the rules it enforces). */
#include <poll.h>
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

#define PSM_BR 0x1001
#define PSM_LE 0x0080

struct pair {
	l2k_stack *a, *b; /* a connects, b listens */
	l2k_addr addr_b;
	bool le;
	l2k_sock *ls;
};

static void fill(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed * 131u + i * 7u + (i >> 8));
}

static struct pair *pair_new(bool le)
{
	static unsigned n;
	char spec[128];
	snprintf(spec, sizeof(spec), "sim:air=ecfc-sockface-%d-%u,profile=unlimited", (int)getpid(), n++);
	struct pair *p = calloc(1, sizeof(*p));
	assert_non_null(p);
	p->le = le;
	char err[256];
	assert_int_equal(l2k_stack_open(spec, NULL, NULL, &p->a, err, sizeof(err)), 0);
	assert_int_equal(l2k_stack_open(spec, NULL, NULL, &p->b, err, sizeof(err)), 0);
	assert_int_equal(l2k_wait_ready(p->a, 5000), 0);
	assert_int_equal(l2k_wait_ready(p->b, 5000), 0);
	struct l2k_controller_info ib;
	assert_int_equal(l2k_controller_info(p->b, &ib), 0);
	p->addr_b = ib.addr;
	if (le)
		assert_int_equal(l2k_le_advertise(p->b, true, NULL, 0), 0);
	assert_int_equal(l2k_start(p->a), 0);
	assert_int_equal(l2k_start(p->b), 0);
	return p;
}

static void pair_listen(struct pair *p, const struct l2k_chan_opts *o, int backlog)
{
	assert_int_equal(l2k_listen(p->b, p->le ? PSM_LE : PSM_BR, p->le, o, backlog, &p->ls), 0);
}

static int connect_n(struct pair *p, int n, const struct l2k_chan_opts *o, int timeout_ms, l2k_sock **out)
{
	return l2k_connect_ecfc(p->a, &p->addr_b, p->le ? L2K_ADDR_LE_PUBLIC : L2K_ADDR_BREDR,
				p->le ? PSM_LE : PSM_BR, n, o, timeout_ms, out);
}

static void pair_free(struct pair *p)
{
	l2k_close(p->ls);
	l2k_stack_close(p->a);
	l2k_stack_close(p->b);
	free(p);
}

static void ecfc_opts(struct l2k_chan_opts *o, uint16_t mtu)
{
	l2k_chan_opts_default(o);
	o->mode = L2K_MODE_ECFC;
	o->mtu = mtu;
}

/* Five sockets from one request: all open, l2k_accept returns the peer's ends in the same
 * order (channel i of a is the remote CID of accepted i), and each carries its own data. */
static void five_sockets(bool le)
{
	struct pair *p = pair_new(le);
	struct l2k_chan_opts o;
	ecfc_opts(&o, 1000);
	pair_listen(p, &o, 5);
	l2k_sock *a[5], *b[5];
	assert_int_equal(connect_n(p, 5, &o, 5000, a), 0);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(l2k_accept(p->ls, 5000, &b[i]), 0);
		struct l2k_chan_info ia, ib;
		assert_int_equal(l2k_sock_info(a[i], &ia), 0);
		assert_int_equal(l2k_sock_info(b[i], &ib), 0);
		assert_int_equal(ia.mode, L2K_MODE_ECFC);
		assert_int_equal(ib.mode, L2K_MODE_ECFC);
		assert_int_equal(ib.remote_cid, ia.local_cid);
		assert_int_equal(ia.remote_cid, ib.local_cid);
	}
	for (int i = 4; i >= 0; i--) {
		uint8_t buf[1000];
		fill(buf, sizeof(buf), (unsigned)i);
		assert_int_equal(l2k_send(a[i], buf, sizeof(buf), 5000), (long)sizeof(buf));
	}
	for (int i = 0; i < 5; i++) {
		uint8_t want[1000], got[1000];
		fill(want, sizeof(want), (unsigned)i);
		size_t full;
		assert_int_equal(l2k_recv(b[i], got, sizeof(got), &full, 5000), (long)sizeof(got));
		assert_memory_equal(got, want, sizeof(want));
	}
	for (int i = 0; i < 5; i++) {
		assert_int_equal(l2k_shutdown(a[i], 5000), 0);
		l2k_close(a[i]);
		l2k_close(b[i]);
	}
	pair_free(p);
}

static void test_connect_ecfc_five_sockets_in_request_order_le(void **state)
{
	five_sockets(true);
}

static void test_connect_ecfc_five_sockets_in_request_order_bredr(void **state)
{
	five_sockets(false);
}

/* A listener with room for two: of three channels the third is refused "no resources"
 * (0x0004): L2K_EREFUSED, every out[i] a socket, the two open ones work. */
static void test_connect_ecfc_partial_refusal(void **state)
{
	struct pair *p = pair_new(false);
	struct l2k_chan_opts o;
	ecfc_opts(&o, 500);
	pair_listen(p, &o, 2);
	l2k_sock *a[3], *b[2];
	assert_int_equal(connect_n(p, 3, &o, 5000, a), L2K_EREFUSED);
	for (int i = 0; i < 3; i++)
		assert_non_null(a[i]);
	struct l2k_chan_info ci;
	assert_int_equal(l2k_sock_info(a[2], &ci), 0);
	assert_int_equal(ci.result, 0x0004);
	assert_int_equal(l2k_sock_close_reason(a[2]), L2K_CLOSE_REFUSED);
	assert_int_equal(l2k_send(a[2], "x", 1, 0), L2K_EREFUSED);
	for (int i = 0; i < 2; i++)
		assert_int_equal(l2k_accept(p->ls, 5000, &b[i]), 0);
	assert_int_equal(l2k_send(a[1], "one", 3, 5000), 3);
	char got[8];
	assert_int_equal(l2k_recv(b[1], got, sizeof(got), NULL, 5000), 3);
	assert_memory_equal(got, "one", 3);
	for (int i = 0; i < 3; i++)
		l2k_close(a[i]);
	l2k_close(b[0]);
	l2k_close(b[1]);
	pair_free(p);
}

/* l2k_listen_limit(2) with a larger backlog: the listener holds at most two channels, waiting or
 * accepted and not yet released.  A request for three opens two and refuses the third alone
 * (0x0004); while the two accepted sockets are held (even after their channels closed) a new
 * request is refused whole; releasing one with l2k_close makes room for exactly one. */
static void listener_limit(bool le)
{
	struct pair *p = pair_new(le);
	struct l2k_chan_opts o;
	ecfc_opts(&o, 500);
	pair_listen(p, &o, 5);
	assert_int_equal(l2k_listen_limit(p->ls, 2), 0);
	assert_int_equal(l2k_listen_limit(NULL, 2), L2K_EINVAL);
	assert_int_equal(l2k_listen_limit(p->ls, -1), L2K_EINVAL);
	l2k_sock *a[3], *b[2], *c[2], *d[2];
	struct l2k_chan_info ci;
	assert_int_equal(connect_n(p, 3, &o, 5000, a), L2K_EREFUSED);
	assert_int_equal(l2k_sock_info(a[2], &ci), 0);
	assert_int_equal(ci.result, 0x0004);
	for (int i = 0; i < 2; i++)
		assert_int_equal(l2k_accept(p->ls, 5000, &b[i]), 0);
	/* two held (accepted): a new request is refused, both channels */
	assert_int_equal(connect_n(p, 2, &o, 5000, c), L2K_EREFUSED);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(l2k_sock_info(c[i], &ci), 0);
		assert_int_equal(ci.result, 0x0004);
		l2k_close(c[i]);
	}
	/* the peer ends channel 0: the socket is still held until released */
	assert_int_equal(l2k_shutdown(a[0], 5000), 0);
	size_t full = 0;
	char buf[8];
	assert_int_equal(l2k_recv(b[0], buf, sizeof(buf), &full, 5000), 0);
	assert_true(full == SIZE_MAX);
	assert_int_equal(connect_n(p, 1, &o, 5000, c), L2K_EREFUSED);
	l2k_close(c[0]);
	/* released: room for one (of two asked for) */
	l2k_close(b[0]);
	assert_int_equal(connect_n(p, 2, &o, 5000, d), L2K_EREFUSED);
	assert_int_equal(l2k_sock_info(d[0], &ci), 0);
	assert_int_equal(l2k_sock_close_reason(d[0]), L2K_CLOSE_LOCAL); /* open */
	assert_int_equal(l2k_sock_info(d[1], &ci), 0);
	assert_int_equal(ci.result, 0x0004);
	l2k_sock *e;
	assert_int_equal(l2k_accept(p->ls, 5000, &e), 0);
	assert_int_equal(l2k_send(d[0], "two", 3, 5000), 3);
	assert_int_equal(l2k_recv(e, buf, sizeof(buf), NULL, 5000), 3);
	assert_memory_equal(buf, "two", 3);
	/* accepted sockets may outlive their listener */
	l2k_close(p->ls);
	p->ls = NULL;
	l2k_close(e);
	l2k_close(b[1]);
	for (int i = 0; i < 3; i++)
		l2k_close(a[i]);
	for (int i = 0; i < 2; i++)
		l2k_close(d[i]);
	pair_free(p);
}

static void test_listen_limit_refuses_beyond_held_le(void **state)
{
	listener_limit(true);
}

static void test_listen_limit_refuses_beyond_held_bredr(void **state)
{
	listener_limit(false);
}

/* Nobody serves the SPSM: every channel refused 0x0002; invalid counts fail before anything
 * exists (NULL sockets). */
static void test_connect_ecfc_refused_and_invalid(void **state)
{
	struct pair *p = pair_new(true);
	l2k_sock *a[5] = {NULL};
	assert_int_equal(connect_n(p, 3, NULL, 5000, a), L2K_EREFUSED);
	for (int i = 0; i < 3; i++) {
		struct l2k_chan_info ci;
		assert_non_null(a[i]);
		assert_int_equal(l2k_sock_info(a[i], &ci), 0);
		assert_int_equal(ci.result, 0x0002);
		l2k_close(a[i]);
	}
	assert_int_equal(connect_n(p, 0, NULL, 5000, a), L2K_EINVAL);
	assert_int_equal(connect_n(p, 6, NULL, 5000, a), L2K_EINVAL);
	struct l2k_chan_opts bad;
	ecfc_opts(&bad, 30000);
	bad.mps = 40; /* below the mode's 64 */
	assert_int_equal(connect_n(p, 2, &bad, 5000, a), L2K_EINVAL);
	assert_null(a[0]);
	assert_null(a[1]);
	pair_free(p);
}

/* timeout 0: L2K_EINPROGRESS, and each descriptor turns readable when its channel opened. */
static void test_connect_ecfc_nonblocking(void **state)
{
	struct pair *p = pair_new(true);
	struct l2k_chan_opts o;
	ecfc_opts(&o, 300);
	pair_listen(p, &o, 2);
	l2k_sock *a[2];
	assert_int_equal(connect_n(p, 2, &o, 0, a), L2K_EINPROGRESS);
	for (int i = 0; i < 2; i++) {
		struct pollfd pf = {.fd = l2k_sock_fd(a[i]), .events = POLLIN};
		assert_int_equal(poll(&pf, 1, 5000), 1);
		struct l2k_chan_info ci;
		assert_int_equal(l2k_sock_info(a[i], &ci), 0);
		assert_int_equal(ci.mode, L2K_MODE_ECFC);
		assert_true(ci.remote_cid >= 0x0040);
		assert_int_equal(l2k_send(a[i], "hi", 2, 5000), 2);
	}
	for (int i = 0; i < 2; i++)
		l2k_close(a[i]);
	pair_free(p);
}

/* The receiver raises its MTU 1000 -> 4000 on its three sockets while its reader does not read
 * and its queue bound is small: the peer learns the MTU and sends SDUs of 4000, the hold stops
 * it, and when the reader reads every SDU is there, intact.  A smaller MTU, or a non-ECFC
 * socket, is L2K_EINVAL. */
static void reconfigure(bool le)
{
	struct pair *p = pair_new(le);
	struct l2k_chan_opts o;
	ecfc_opts(&o, 1000);
	o.rx_queue_bytes = 3000;
	pair_listen(p, &o, 3);
	l2k_sock *a[3], *b[3];
	assert_int_equal(connect_n(p, 3, &o, 5000, a), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(l2k_accept(p->ls, 5000, &b[i]), 0);
	assert_int_equal(l2k_sock_reconfigure(b, 3, 900, 300), L2K_EINVAL);
	struct l2k_chan_info ib;
	assert_int_equal(l2k_sock_info(b[0], &ib), 0);
	assert_int_equal(l2k_sock_reconfigure(b, 3, 4000, ib.local_mps), 0);
	for (int i = 0; i < 3; i++) {
		struct l2k_chan_info ia;
		assert_int_equal(l2k_sock_info(a[i], &ia), 0);
		assert_int_equal(ia.remote_mtu, 4000);
		assert_int_equal(l2k_sock_info(b[i], &ib), 0);
		assert_int_equal(ib.local_mtu, 4000);
		assert_int_equal(ib.result, 0);
	}
	static uint8_t buf[4000], got[4001];
	for (unsigned k = 0; k < 6; k++) {
		fill(buf, sizeof(buf), k);
		assert_int_equal(l2k_send(a[k % 3], buf, sizeof(buf), 5000), (long)sizeof(buf));
	}
	usleep(200000); /* the reader sleeps: the queues fill and hold */
	for (unsigned k = 0; k < 6; k++) {
		size_t full;
		assert_int_equal(l2k_recv(b[k % 3], got, sizeof(got), &full, 5000), 4000);
		fill(buf, sizeof(buf), k);
		assert_memory_equal(got, buf, sizeof(buf));
	}
	for (int i = 0; i < 3; i++) {
		assert_int_equal(l2k_sock_info(b[i], &ib), 0);
		assert_int_equal(ib.rx_sdus_dropped, 0);
		assert_int_equal(l2k_shutdown(a[i], 5000), 0);
		l2k_close(a[i]);
		l2k_close(b[i]);
	}
	pair_free(p);
}

static void test_sock_reconfigure_larger_mtu_nothing_dropped_le(void **state)
{
	reconfigure(true);
}

static void test_sock_reconfigure_larger_mtu_nothing_dropped_bredr(void **state)
{
	reconfigure(false);
}

static void test_sock_reconfigure_refuses_non_ecfc_socket(void **state)
{
	struct pair *p = pair_new(true);
	pair_listen(p, NULL, 1);
	l2k_sock *a;
	assert_int_equal(l2k_connect(p->a, &p->addr_b, L2K_ADDR_LE_PUBLIC, PSM_LE, NULL, 5000, &a), 0);
	assert_int_equal(l2k_sock_reconfigure(&a, 1, 4000, 247), L2K_EINVAL);
	assert_int_equal(l2k_sock_reconfigure(&a, 0, 4000, 247), L2K_EINVAL);
	assert_int_equal(l2k_send(a, "ok", 2, 5000), 2);
	l2k_close(a);
	pair_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_connect_ecfc_five_sockets_in_request_order_le),
	    cmocka_unit_test(test_connect_ecfc_five_sockets_in_request_order_bredr),
	    cmocka_unit_test(test_connect_ecfc_partial_refusal),
	    cmocka_unit_test(test_connect_ecfc_refused_and_invalid),
	    cmocka_unit_test(test_listen_limit_refuses_beyond_held_le),
	    cmocka_unit_test(test_listen_limit_refuses_beyond_held_bredr),
	    cmocka_unit_test(test_connect_ecfc_nonblocking),
	    cmocka_unit_test(test_sock_reconfigure_larger_mtu_nothing_dropped_le),
	    cmocka_unit_test(test_sock_reconfigure_larger_mtu_nothing_dropped_bredr),
	    cmocka_unit_test(test_sock_reconfigure_refuses_non_ecfc_socket),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
