/* What bindings that drive the socket face from an event loop (the Python package's asyncio
 * face) need from it, between two l2kit stacks on one in-process simulated air, each run by its
 * own thread on the real clock: l2k_sock_error (where a socket stands: connecting, open, or the
 * error of its end), l2k_sock_send_fd (a descriptor that is readable exactly while l2k_send would
 * not wait for room), and l2k_abi_version. */
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
	l2k_sock *ls, *ca, *sb;
};

/* Two started stacks on a fresh air; an LE peer b advertises when advertise says so. */
static struct pair *pair_new(bool le, bool advertise)
{
	static unsigned n;
	char spec[96];
	snprintf(spec, sizeof(spec), "sim:air=sockstate-%d-%u,profile=unlimited", (int)getpid(), n++);
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
	if (le && advertise)
		assert_int_equal(l2k_le_advertise(p->b, true, NULL, 0), 0);
	assert_int_equal(l2k_start(p->a), 0);
	assert_int_equal(l2k_start(p->b), 0);
	return p;
}

static int pair_connect(struct pair *p, const struct l2k_chan_opts *o, int timeout_ms, l2k_sock **out)
{
	return l2k_connect(p->a, &p->addr_b, p->le ? L2K_ADDR_LE_PUBLIC : L2K_ADDR_BREDR,
			   p->le ? PSM_LE : PSM_BR, o, timeout_ms, out);
}

static void pair_free(struct pair *p)
{
	l2k_close(p->ca);
	l2k_close(p->sb);
	l2k_close(p->ls);
	l2k_stack_close(p->a);
	l2k_stack_close(p->b);
	free(p);
}

static int readable(int fd, int timeout_ms)
{
	struct pollfd pf = {.fd = fd, .events = POLLIN};
	return poll(&pf, 1, timeout_ms);
}

static void test_abi_version_is_the_header_one(void **state)
{
	assert_int_equal(l2k_abi_version(), L2K_ABI_VERSION);
	assert_true(l2k_abi_version() >= 1);
}

static void test_sock_error_follows_a_nonblocking_connect_to_open(void **state)
{
	/* LE: the peer does not advertise yet, so the connect cannot finish until it does */
	struct pair *p = pair_new(true, false);
	assert_int_equal(l2k_listen(p->b, PSM_LE, true, NULL, 1, &p->ls), 0);
	assert_int_equal(l2k_sock_error(p->ls), 0);
	assert_int_equal(pair_connect(p, NULL, 0, &p->ca), L2K_EINPROGRESS);
	int fd = l2k_sock_fd(p->ca);
	assert_int_equal(l2k_sock_error(p->ca), L2K_EINPROGRESS);
	assert_int_equal(readable(fd, 50), 0);
	assert_int_equal(l2k_sock_error(p->ca), L2K_EINPROGRESS);
	l2k_lock(p->b);
	assert_int_equal(l2k_le_advertise(p->b, true, NULL, 0), 0);
	l2k_unlock(p->b);
	/* the descriptor says it finished; the socket says open */
	assert_int_equal(readable(fd, 5000), 1);
	assert_int_equal(l2k_sock_error(p->ca), 0);
	/* looking at it was seeing the connect finish: nothing to read, the descriptor is quiet */
	assert_int_equal(readable(fd, 0), 0);
	assert_int_equal(l2k_accept(p->ls, 5000, &p->sb), 0);
	assert_int_equal(l2k_sock_error(p->sb), 0);
	/* the peer ends the channel: the end's error, as l2k_send reports it */
	l2k_close(p->sb);
	p->sb = NULL;
	uint8_t b[4];
	assert_int_equal(l2k_recv(p->ca, b, sizeof(b), NULL, 5000), 0);
	assert_int_equal(l2k_sock_error(p->ca), L2K_ECONNRESET);
	assert_int_equal(l2k_send(p->ca, "x", 1, 0), L2K_ECONNRESET);
	assert_int_equal(l2k_sock_error(NULL), L2K_EINVAL);
	pair_free(p);
}

static void test_sock_error_tells_a_refusal_and_our_own_shutdown(void **state)
{
	struct pair *p = pair_new(true, true);
	/* nobody serves the SPSM: refused, and the socket says so without a recv */
	assert_int_equal(pair_connect(p, NULL, 0, &p->ca), L2K_EINPROGRESS);
	assert_int_equal(readable(l2k_sock_fd(p->ca), 5000), 1);
	assert_int_equal(l2k_sock_error(p->ca), L2K_EREFUSED);
	l2k_close(p->ca);
	p->ca = NULL;
	/* an open channel we shut down ourselves */
	assert_int_equal(l2k_listen(p->b, PSM_LE, true, NULL, 1, &p->ls), 0);
	assert_int_equal(pair_connect(p, NULL, 5000, &p->ca), 0);
	assert_int_equal(l2k_accept(p->ls, 5000, &p->sb), 0);
	assert_int_equal(l2k_shutdown(p->ca, 5000), 0);
	assert_int_equal(l2k_sock_error(p->ca), L2K_ESHUTDOWN);
	pair_free(p);
}

static void test_send_fd_is_readable_exactly_while_send_would_not_wait(void **state)
{
	/* The receiver grants one credit and no more until it says so, so what the sender queued
	 * stays queued: the "queue full" state holds until the test ends it. */
	struct pair *p = pair_new(true, true);
	struct l2k_chan_opts oa, ob;
	l2k_chan_opts_default(&oa);
	oa.mode = L2K_MODE_LE_CREDIT;
	oa.tx_queue_bytes = 4096;
	ob = oa;
	ob.mtu = 1000;
	ob.mps = 100;
	ob.manual_credits = true;
	ob.credits = 1;
	assert_int_equal(l2k_listen(p->b, PSM_LE, true, &ob, 1, &p->ls), 0);
	assert_int_equal(pair_connect(p, &oa, 0, &p->ca), L2K_EINPROGRESS);
	int wfd = l2k_sock_send_fd(p->ca);
	assert_true(wfd >= 0);
	assert_int_equal(l2k_sock_send_fd(p->ca), wfd); /* one descriptor per socket */
	assert_int_not_equal(wfd, l2k_sock_fd(p->ca));
	/* (not readable while connecting: test_sock_error_follows_a_nonblocking_connect_to_open
	 * shows the connect waiting; here it only has to finish) */
	assert_int_equal(readable(l2k_sock_fd(p->ca), 5000), 1);
	assert_int_equal(l2k_sock_error(p->ca), 0);
	assert_int_equal(readable(wfd, 0), 1);
	assert_int_equal(l2k_accept(p->ls, 5000, &p->sb), 0);
	/* fill the queue: readable after every send that went through, quiet after the refusal */
	static uint8_t buf[1000], got[1000];
	int sent = 0;
	long r;
	while ((r = l2k_send(p->ca, buf, sizeof(buf), 0)) == (long)sizeof(buf)) {
		assert_int_equal(readable(wfd, 0), 1);
		assert_true(++sent < 10);
	}
	assert_int_equal(r, L2K_EAGAIN);
	assert_true(sent >= 2);
	assert_int_equal(readable(wfd, 0), 0);
	assert_int_equal(readable(wfd, 100), 0);
	/* a waiting send that times out leaves it quiet too */
	assert_int_equal(l2k_send(p->ca, buf, sizeof(buf), 20), L2K_ETIMEDOUT);
	assert_int_equal(readable(wfd, 0), 0);
	/* credits: SDUs flow, the queue empties to half, the descriptor says so, a send goes through */
	assert_int_equal(l2k_sock_give_credits(p->sb, 40), 0);
	assert_int_equal(readable(wfd, 5000), 1);
	assert_int_equal(l2k_send(p->ca, buf, sizeof(buf), 0), (long)sizeof(buf));
	assert_int_equal(l2k_recv(p->sb, got, sizeof(got), NULL, 5000), (long)sizeof(got));
	/* the end: readable (l2k_send fails at once) */
	l2k_close(p->sb);
	p->sb = NULL;
	uint8_t b[4];
	while (readable(l2k_sock_fd(p->ca), 5000) == 1 && l2k_recv(p->ca, b, sizeof(b), NULL, 0) > 0)
		;
	assert_int_equal(l2k_sock_error(p->ca), L2K_ECONNRESET);
	assert_int_equal(readable(wfd, 0), 1);
	assert_int_equal(l2k_send(p->ca, buf, 1, 0), L2K_ECONNRESET);
	assert_int_equal(l2k_sock_send_fd(p->ls), L2K_EINVAL);
	assert_int_equal(l2k_sock_send_fd(NULL), L2K_EINVAL);
	pair_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_abi_version_is_the_header_one),
	    cmocka_unit_test(test_sock_error_follows_a_nonblocking_connect_to_open),
	    cmocka_unit_test(test_sock_error_tells_a_refusal_and_our_own_shutdown),
	    cmocka_unit_test(test_send_fd_is_readable_exactly_while_send_would_not_wait),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
