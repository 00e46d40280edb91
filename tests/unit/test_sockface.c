/* The socket face between two l2kit stacks on one in-process simulated air ("sim:air=NAME"),
 * each stack run by its own thread (l2k_start) on the real clock: blocking and non-blocking
 * send/recv, timeouts, SDU boundaries and truncation, back-pressure (bounded memory, resume),
 * a Basic-mode reader that does not keep up slows the sender through controller-to-host flow
 * control (and drops without it), close from either side, refused and failed
 * connects, backlog, poll on the descriptors, l2k_stop / l2k_stack_close with sockets open. */
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/l2kit.h"
#include "api/sockface.h"
#include "tests/common/h4_server.h"

#define PSM_BR 0x1001
#define PSM_LE 0x0080

/* Where the stacks' controllers are: the in-process simulator ("sim:air=NAME": no descriptor,
 * the stack's thread runs the engine), or the same simulator behind a unix socket served by
 * tests/common/h4_server.c (a descriptor: callers blocked in socket calls run the engine while
 * they wait).  main() runs every test both ways. */
static bool over_socket;

struct pair {
	struct h4_server *srv; /* over_socket */
	l2k_stack *a, *b; /* a connects, b listens */
	l2k_addr addr_b;
	bool le;
	l2k_sock *ls;	   /* b's listener */
	l2k_sock *ca, *sb; /* the channel: a's end, b's end */
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void fill(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed * 131u + i * 7u + (i >> 8));
}

static void on_stack_error(void *user, int err, const char *msg)
{
	fprintf(stderr, "stack %s: %s (%s)\n", (const char *)user, msg, l2k_strerror(err));
}

static void on_link_down(void *user, const struct l2k_link_info *li, uint8_t reason)
{
	fprintf(stderr, "stack %s: link 0x%03x down, reason 0x%02x\n", (const char *)user, li->handle, reason);
}

/* Two stacks on a fresh air, both started; profile: the air's timing profile (NULL: none). */
static struct pair *pair_new(bool le, const char *profile, const struct l2k_stack_opts *sopts)
{
	static unsigned n;
	char spec[160];
	struct pair *p = calloc(1, sizeof(*p));
	assert_non_null(p);
	if (over_socket) {
		p->srv = h4_server_start(profile, NULL, spec, sizeof(spec));
		assert_non_null(p->srv);
	} else {
		snprintf(spec, sizeof(spec), "sim:air=sockface-%d-%u%s%s", (int)getpid(), n++, profile ? ",profile=" : "",
			 profile ? profile : "");
	}
	p->le = le;
	char err[256];
	struct l2k_stack_cbs ca = {.user = "A", .error = on_stack_error, .link_down = on_link_down};
	struct l2k_stack_cbs cb = {.user = "B", .error = on_stack_error, .link_down = on_link_down};
	assert_int_equal(l2k_stack_open(spec, sopts, &ca, &p->a, err, sizeof(err)), 0);
	assert_int_equal(l2k_stack_open(spec, sopts, &cb, &p->b, err, sizeof(err)), 0);
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

static int pair_connect(struct pair *p, const struct l2k_chan_opts *o, l2k_sock **out)
{
	return l2k_connect(p->a, &p->addr_b, p->le ? L2K_ADDR_LE_PUBLIC : L2K_ADDR_BREDR,
			   p->le ? PSM_LE : PSM_BR, o, 5000, out);
}

/* listener + one open channel, stacks opened with sopts (NULL: defaults) */
static struct pair *pair_chan_so(bool le, const struct l2k_chan_opts *oa, const struct l2k_chan_opts *ob,
				 const struct l2k_stack_opts *sopts)
{
	struct pair *p = pair_new(le, "unlimited", sopts);
	pair_listen(p, ob, 4);
	assert_int_equal(pair_connect(p, oa, &p->ca), 0);
	assert_int_equal(l2k_accept(p->ls, 5000, &p->sb), 0);
	return p;
}

static struct pair *pair_chan(bool le, const struct l2k_chan_opts *oa, const struct l2k_chan_opts *ob)
{
	return pair_chan_so(le, oa, ob, NULL);
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

/* ---- data ----------------------------------------------------------------------------------- */

static void check_boundaries(bool le)
{
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mode = le ? L2K_MODE_LE_CREDIT : L2K_MODE_BASIC;
	o.mtu = 2000;
	struct pair *p = pair_chan(le, &o, &o);
	static const size_t sizes[] = {0, 1, 2, 100, 247, 248, 249, 672, 1000, 1999, 2000, 0, 3};
	static uint8_t buf[2000], got[2100];
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		fill(buf, sizes[i], (unsigned)i);
		assert_int_equal(l2k_send(p->ca, buf, sizes[i], 2000), (long)sizes[i]);
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t full = 12345;
		long n = l2k_recv(p->sb, got, sizeof(got), &full, 5000);
		assert_int_equal(n, (long)sizes[i]);
		assert_int_equal(full, sizes[i]); /* an empty SDU is not the end (that is SIZE_MAX) */
		fill(buf, sizes[i], (unsigned)i);
		assert_memory_equal(got, buf, sizes[i]);
	}
	/* nothing more: exactly one SDU per recv */
	assert_int_equal(l2k_recv(p->sb, got, sizeof(got), NULL, 0), L2K_EAGAIN);
	/* larger than the peer's MTU */
	assert_int_equal(l2k_send(p->ca, buf, 2001, 0), L2K_EMSGSIZE);
	pair_free(p);
}

static void test_sdu_boundaries_basic(void **state)
{
	check_boundaries(false);
}

static void test_sdu_boundaries_le_segmented(void **state)
{
	check_boundaries(true); /* SDUs up to 2000 bytes cross the 247-byte MPS */
}

static void test_recv_truncates_and_reports_full_length(void **state)
{
	struct pair *p = pair_chan(false, NULL, NULL);
	uint8_t buf[600], got[100];
	fill(buf, 500, 1);
	assert_int_equal(l2k_send(p->ca, buf, 500, 1000), 500);
	fill(buf, 30, 2);
	assert_int_equal(l2k_send(p->ca, buf, 30, 1000), 30);
	size_t full = 0;
	assert_int_equal(l2k_recv(p->sb, got, sizeof(got), &full, 5000), 100);
	assert_int_equal(full, 500);
	fill(buf, 500, 1);
	assert_memory_equal(got, buf, 100);
	/* the rest of that SDU is gone: the next recv is the next SDU */
	assert_int_equal(l2k_recv(p->sb, got, sizeof(got), &full, 5000), 30);
	assert_int_equal(full, 30);
	fill(buf, 30, 2);
	assert_memory_equal(got, buf, 30);
	pair_free(p);
}

static void test_recv_nonblocking_and_timeout(void **state)
{
	struct pair *p = pair_chan(false, NULL, NULL);
	uint8_t got[16];
	assert_int_equal(l2k_recv(p->sb, got, sizeof(got), NULL, 0), L2K_EAGAIN);
	uint64_t t0 = now_ms();
	assert_int_equal(l2k_recv(p->sb, got, sizeof(got), NULL, 80), L2K_ETIMEDOUT);
	uint64_t dt = now_ms() - t0;
	assert_true(dt >= 80 && dt < 2000);
	pair_free(p);
}

struct reader {
	l2k_sock *sk;
	long n;
	size_t full;
	uint8_t buf[64];
	uint64_t returned_at;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	r->n = l2k_recv(r->sk, r->buf, sizeof(r->buf), &r->full, -1);
	r->returned_at = now_ms();
	return NULL;
}

static void test_blocking_recv_wakes_on_data_then_on_close(void **state)
{
	struct pair *p = pair_chan(false, NULL, NULL);
	struct reader r = {.sk = p->sb};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, reader_main, &r), 0);
	usleep(100000);
	uint64_t t0 = now_ms();
	assert_int_equal(l2k_send(p->ca, "hello!!", 7, 1000), 7);
	pthread_join(th, NULL);
	assert_int_equal(r.n, 7);
	assert_memory_equal(r.buf, "hello!!", 7);
	assert_true(r.returned_at - t0 < 1000);
	/* blocked again: the peer's close ends it with 0 and the reason */
	assert_int_equal(pthread_create(&th, NULL, reader_main, &r), 0);
	usleep(50000);
	l2k_close(p->ca);
	p->ca = NULL;
	pthread_join(th, NULL);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.full, SIZE_MAX);
	assert_int_equal(l2k_sock_close_reason(p->sb), L2K_CLOSE_REMOTE);
	pair_free(p);
}

/* ---- back-pressure -------------------------------------------------------------------------- */

static void test_backpressure_le_stops_sender_bounded_then_resumes(void **state)
{
	/* Receiver buffers 8 KiB; sender queues 8 KiB; links queue 8 KiB.  A reader that does not
	 * read must stop the sender within those bounds; reading lets it go on; nothing is lost. */
	struct l2k_stack_opts so = {.link_tx_queue = 8192};
	struct pair *p = pair_new(true, "unlimited", &so);
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mode = L2K_MODE_LE_CREDIT;
	o.mtu = 1000;
	o.rx_queue_bytes = 8192;
	o.tx_queue_bytes = 8192;
	pair_listen(p, &o, 1);
	assert_int_equal(pair_connect(p, &o, &p->ca), 0);
	assert_int_equal(l2k_accept(p->ls, 5000, &p->sb), 0);
	struct l2k_chan_info ci;
	assert_int_equal(l2k_sock_info(p->sb, &ci), 0);
	static uint8_t buf[1000], got[1000];
	unsigned sent = 0;
	size_t accepted = 0;
	/* fill until the sender blocks (at most 1 MB of attempts) */
	for (;;) {
		fill(buf, sizeof(buf), sent);
		long r = l2k_send(p->ca, buf, sizeof(buf), 200);
		if (r == L2K_ETIMEDOUT)
			break;
		assert_int_equal(r, (long)sizeof(buf));
		sent++;
		accepted += sizeof(buf);
		assert_true(accepted < 1000000);
	}
	/* what is in flight is bounded by the configured queues: receiver queue + what the
	 * credits let through after the hold + sender queue + link queue */
	size_t bound = 8192 + (size_t)(ci.credits_rx + 16) * (ci.local_mps + 4) + 1004 + 8192 + 8192 + 4096;
	assert_true(accepted <= bound);
	assert_int_equal(l2k_send(p->ca, buf, sizeof(buf), 0), L2K_EAGAIN);
	/* drain everything in order, sending more as room appears */
	unsigned rcvd = 0, total = sent + 300;
	while (rcvd < total) {
		long n = l2k_recv(p->sb, got, sizeof(got), NULL, 5000);
		assert_int_equal(n, (long)sizeof(got));
		fill(buf, sizeof(buf), rcvd);
		assert_memory_equal(got, buf, sizeof(got));
		rcvd++;
		while (sent < total) {
			fill(buf, sizeof(buf), sent);
			long r = l2k_send(p->ca, buf, sizeof(buf), 0);
			if (r == L2K_EAGAIN)
				break;
			assert_int_equal(r, (long)sizeof(buf));
			sent++;
		}
	}
	assert_int_equal(sent, total);
	assert_int_equal(l2k_sock_info(p->sb, &ci), 0);
	assert_int_equal(ci.rx_sdus_dropped, 0);
	pair_free(p);
}

static void test_backpressure_blocking_send_resumes_when_reader_reads(void **state)
{
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mode = L2K_MODE_LE_CREDIT;
	o.rx_queue_bytes = 4096;
	o.tx_queue_bytes = 4096;
	struct pair *p = pair_chan(true, &o, &o);
	static uint8_t buf[2000];
	long r;
	int n = 0;
	while ((r = l2k_send(p->ca, buf, sizeof(buf), 100)) == (long)sizeof(buf))
		n++;
	assert_int_equal(r, L2K_ETIMEDOUT);
	/* a reader in another thread drains; a blocking send (-1) then completes */
	struct reader rd = {.sk = p->sb};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, reader_main, &rd), 0);
	pthread_join(th, NULL);
	assert_int_equal(rd.n, 64); /* truncated to the reader's 64 bytes */
	assert_int_equal(rd.full, sizeof(buf));
	uint8_t got[2000];
	for (int i = 1; i < n; i++)
		assert_int_equal(l2k_recv(p->sb, got, sizeof(got), NULL, 5000), (long)sizeof(got));
	assert_int_equal(l2k_send(p->ca, buf, sizeof(buf), -1), (long)sizeof(buf));
	assert_int_equal(l2k_recv(p->sb, got, sizeof(got), NULL, 5000), (long)sizeof(got));
	pair_free(p);
}

static void test_basic_slow_reader_drops_past_bound_without_ctrl_flow(void **state)
{
	/* Basic mode has no flow control of its own: without controller-to-host flow control a
	 * reader that does not read keeps up to its bound queued, the rest is dropped and counted. */
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.rx_queue_bytes = 3000; /* 4 SDUs of 600 (+4 bytes each) */
	struct l2k_stack_opts so = {.no_ctrl_flow = true};
	struct pair *p = pair_chan_so(false, NULL, &o, &so);
	struct l2k_controller_info inf;
	assert_int_equal(l2k_controller_info(p->b, &inf), 0);
	assert_true(inf.ctrl_flow_supported); /* the simulator has it: turned off by the option */
	assert_false(inf.ctrl_flow);
	uint8_t buf[600];
	for (unsigned i = 0; i < 20; i++) {
		fill(buf, sizeof(buf), i);
		assert_int_equal(l2k_send(p->ca, buf, sizeof(buf), 1000), 600);
	}
	/* wait until all 20 arrived or were dropped */
	struct l2k_chan_info ci;
	uint64_t t0 = now_ms();
	do {
		usleep(10000);
		assert_int_equal(l2k_sock_info(p->sb, &ci), 0);
	} while (ci.rx_sdus < 20 && now_ms() - t0 < 5000);
	assert_int_equal(ci.rx_sdus, 20);
	assert_int_equal(ci.rx_sdus_dropped, 20 - 4);
	uint8_t got[600];
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(l2k_recv(p->sb, got, sizeof(got), NULL, 0), 600);
		fill(buf, sizeof(buf), i);
		assert_memory_equal(got, buf, 600); /* the first ones were kept */
	}
	assert_int_equal(l2k_recv(p->sb, got, sizeof(got), NULL, 0), L2K_EAGAIN);
	pair_free(p);
}

static void test_basic_slow_reader_holds_the_link_and_loses_nothing(void **state)
{
	/* With controller-to-host flow control (on by default; the simulator has it) the SDU that
	 * puts the queue past its bound holds the link: the receiving host keeps the rest in its
	 * HCI buffers, its controller stops taking data from the air, the sender's buffers and
	 * queues fill and its l2k_send blocks.  Nothing is dropped; reading lets it all through. */
	struct l2k_chan_opts oa, ob;
	l2k_chan_opts_default(&oa);
	l2k_chan_opts_default(&ob);
	oa.tx_queue_bytes = 4096;
	ob.rx_queue_bytes = 3000; /* 4 SDUs of 600 (+4 bytes each), the 5th passes the bound */
	struct pair *p = pair_chan(false, &oa, &ob);
	struct l2k_controller_info inf;
	assert_int_equal(l2k_controller_info(p->b, &inf), 0);
	assert_true(inf.ctrl_flow);
	assert_int_equal(inf.host_acl_count, 32);
	uint8_t buf[600];
	unsigned n = 0;
	long r;
	for (;;) {
		fill(buf, sizeof(buf), n);
		r = l2k_send(p->ca, buf, sizeof(buf), 300);
		if (r != (long)sizeof(buf) || n >= 2000)
			break;
		n++;
	}
	/* the sender is held: its queues, its controller's buffers, the receiving controller's
	 * buffer and the receiving host's 32 buffers are full (a few hundred SDUs), no more */
	assert_int_equal(r, L2K_ETIMEDOUT);
	printf("the sender was held after %u SDUs\n", n);
	assert_true(n > 5 && n < 400);
	struct l2k_chan_info ci;
	assert_int_equal(l2k_sock_info(p->sb, &ci), 0);
	assert_int_equal(ci.rx_sdus, 5); /* up to the bound, then the link waits */
	assert_int_equal(ci.rx_sdus_dropped, 0);
	uint8_t got[600];
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(l2k_recv(p->sb, got, sizeof(got), NULL, 5000), 600);
		fill(buf, sizeof(buf), i);
		assert_memory_equal(got, buf, 600);
	}
	assert_int_equal(l2k_recv(p->sb, got, sizeof(got), NULL, 0), L2K_EAGAIN);
	/* the link goes on */
	fill(buf, sizeof(buf), 7777);
	assert_int_equal(l2k_send(p->ca, buf, sizeof(buf), 5000), 600);
	assert_int_equal(l2k_recv(p->sb, got, sizeof(got), NULL, 5000), 600);
	assert_memory_equal(got, buf, 600);
	assert_int_equal(l2k_sock_info(p->sb, &ci), 0);
	assert_int_equal(ci.rx_sdus, n + 1);
	assert_int_equal(ci.rx_sdus_dropped, 0);
	pair_free(p);
}

/* ---- close ---------------------------------------------------------------------------------- */

static void check_shutdown_delivers(bool le)
{
	struct pair *p = pair_chan(le, NULL, NULL);
	static uint8_t buf[600];
	for (unsigned i = 0; i < 50; i++) {
		fill(buf, sizeof(buf), i);
		assert_int_equal(l2k_send(p->ca, buf, sizeof(buf), 1000), 600);
	}
	assert_int_equal(l2k_shutdown(p->ca, 5000), 0);
	assert_int_equal(l2k_sock_close_reason(p->ca), L2K_CLOSE_LOCAL);
	assert_int_equal(l2k_send(p->ca, buf, 1, 0), L2K_ESHUTDOWN);
	assert_int_equal(l2k_recv(p->ca, buf, sizeof(buf), NULL, 0), 0);
	uint8_t got[600];
	for (unsigned i = 0; i < 50; i++) {
		assert_int_equal(l2k_recv(p->sb, got, sizeof(got), NULL, 2000), 600);
		fill(buf, sizeof(buf), i);
		assert_memory_equal(got, buf, 600);
	}
	size_t full = 0;
	assert_int_equal(l2k_recv(p->sb, got, sizeof(got), &full, 2000), 0);
	assert_int_equal(full, SIZE_MAX);
	assert_int_equal(l2k_sock_close_reason(p->sb), L2K_CLOSE_REMOTE);
	/* the side that was closed on: nothing of its own was lost */
	assert_int_equal(l2k_shutdown(p->sb, 1000), 0);
	assert_int_equal(l2k_send(p->sb, got, 1, 0), L2K_ESHUTDOWN);
	pair_free(p);
}

static void test_shutdown_delivers_everything_then_eof_basic(void **state)
{
	check_shutdown_delivers(false);
}

static void test_shutdown_delivers_everything_then_eof_le(void **state)
{
	check_shutdown_delivers(true);
}

static void test_close_from_acceptor_ends_connector(void **state)
{
	struct pair *p = pair_chan(false, NULL, NULL);
	l2k_close(p->sb);
	p->sb = NULL;
	uint8_t got[10];
	assert_int_equal(l2k_recv(p->ca, got, sizeof(got), NULL, 5000), 0);
	assert_int_equal(l2k_sock_close_reason(p->ca), L2K_CLOSE_REMOTE);
	assert_int_equal(l2k_send(p->ca, got, 1, 0), L2K_ECONNRESET);
	struct l2k_chan_info ci;
	assert_int_equal(l2k_sock_info(p->ca, &ci), 0); /* the snapshot of the closed channel */
	assert_int_equal(ci.psm, PSM_BR);
	pair_free(p);
}

/* ---- connect / accept ----------------------------------------------------------------------- */

static void check_refused(bool le)
{
	struct pair *p = pair_new(le, "unlimited", NULL);
	pair_listen(p, NULL, 1);
	l2k_sock *sk = NULL;
	uint16_t other = le ? PSM_LE + 2 : PSM_BR + 2;
	int r = l2k_connect(p->a, &p->addr_b, le ? L2K_ADDR_LE_PUBLIC : L2K_ADDR_BREDR, other, NULL, 5000, &sk);
	assert_int_equal(r, L2K_EREFUSED);
	assert_non_null(sk);
	struct l2k_chan_info ci;
	assert_int_equal(l2k_sock_info(sk, &ci), 0);
	assert_int_equal(ci.result, 0x0002); /* PSM / SPSM not supported */
	assert_int_equal(l2k_sock_close_reason(sk), L2K_CLOSE_REFUSED);
	uint8_t b[4];
	assert_int_equal(l2k_recv(sk, b, sizeof(b), NULL, 0), 0);
	l2k_close(sk);
	pair_free(p);
}

static void test_connect_refused_basic(void **state)
{
	check_refused(false);
}

static void test_connect_refused_le(void **state)
{
	check_refused(true);
}

static void test_connect_to_absent_peer(void **state)
{
	struct pair *p = pair_new(false, NULL, NULL);
	l2k_addr nobody;
	assert_int_equal(l2k_addr_parse("00:11:22:33:44:55", &nobody), 0);
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.connect_timeout_ms = 300;
	l2k_sock *sk = NULL;
	/* the engine gives up first: the link could not be created */
	assert_int_equal(l2k_connect(p->a, &nobody, L2K_ADDR_BREDR, PSM_BR, &o, 5000, &sk), L2K_EHOSTUNREACH);
	assert_int_equal(l2k_sock_close_reason(sk), L2K_CLOSE_LINK_FAILED);
	l2k_close(sk);
	/* the caller gives up first */
	uint64_t t0 = now_ms();
	assert_int_equal(l2k_connect(p->a, &nobody, L2K_ADDR_BREDR, PSM_BR, NULL, 150, &sk), L2K_ETIMEDOUT);
	assert_true(now_ms() - t0 < 2000);
	assert_int_equal(l2k_sock_close_reason(sk), L2K_CLOSE_TIMEOUT);
	l2k_close(sk);
	pair_free(p);
}

static void test_accept_timeout_and_backlog_refusal(void **state)
{
	struct pair *p = pair_new(false, "unlimited", NULL);
	pair_listen(p, NULL, 1);
	l2k_sock *x = NULL;
	assert_int_equal(l2k_accept(p->ls, 0, &x), L2K_EAGAIN);
	assert_int_equal(l2k_accept(p->ls, 60, &x), L2K_ETIMEDOUT);
	assert_null(x);
	/* one connection fills the backlog of 1; a second is refused with No resources */
	assert_int_equal(pair_connect(p, NULL, &p->ca), 0);
	l2k_sock *second = NULL;
	assert_int_equal(pair_connect(p, NULL, &second), L2K_EREFUSED);
	struct l2k_chan_info ci;
	assert_int_equal(l2k_sock_info(second, &ci), 0);
	assert_int_equal(ci.result, L2K_RESULT_NO_RESOURCES);
	l2k_close(second);
	/* data sent before accept waits in the accepted socket */
	assert_int_equal(l2k_send(p->ca, "early", 5, 1000), 5);
	assert_int_equal(l2k_accept(p->ls, 1000, &p->sb), 0);
	uint8_t got[8];
	assert_int_equal(l2k_recv(p->sb, got, sizeof(got), NULL, 2000), 5);
	assert_memory_equal(got, "early", 5);
	pair_free(p);
}

static void test_closed_before_accept_still_delivers(void **state)
{
	/* the classic client: connect, send "hello!!", close - before the server accepts */
	struct pair *p = pair_new(false, "unlimited", NULL);
	pair_listen(p, NULL, 2);
	assert_int_equal(pair_connect(p, NULL, &p->ca), 0);
	assert_int_equal(l2k_send(p->ca, "hello!!", 7, 1000), 7);
	assert_int_equal(l2k_shutdown(p->ca, 5000), 0);
	assert_int_equal(l2k_accept(p->ls, 1000, &p->sb), 0);
	uint8_t got[8];
	assert_int_equal(l2k_recv(p->sb, got, sizeof(got), NULL, 1000), 7);
	assert_memory_equal(got, "hello!!", 7);
	assert_int_equal(l2k_recv(p->sb, got, sizeof(got), NULL, 1000), 0);
	pair_free(p);
}

static void test_nonblocking_connect(void **state)
{
	struct pair *p = pair_new(false, "unlimited", NULL);
	pair_listen(p, NULL, 1);
	int r = l2k_connect(p->a, &p->addr_b, L2K_ADDR_BREDR, PSM_BR, NULL, 0, &p->ca);
	assert_int_equal(r, L2K_EINPROGRESS);
	assert_non_null(p->ca);
	/* the descriptor turns readable when the attempt finished */
	struct pollfd pf = {.fd = l2k_sock_fd(p->ca), .events = POLLIN};
	assert_int_equal(poll(&pf, 1, 5000), 1);
	struct l2k_chan_info ci;
	assert_int_equal(l2k_sock_info(p->ca, &ci), 0);
	assert_int_not_equal(ci.remote_cid, 0);
	assert_int_equal(poll(&pf, 1, 0), 0); /* seen: no longer readable */
	assert_int_equal(l2k_send(p->ca, "x", 1, 1000), 1);
	pair_free(p);
}

static void test_closing_listener_ends_waiting_connections(void **state)
{
	struct pair *p = pair_new(false, "unlimited", NULL);
	pair_listen(p, NULL, 2);
	assert_int_equal(pair_connect(p, NULL, &p->ca), 0);
	l2k_close(p->ls); /* the connection waits in the backlog, never accepted */
	p->ls = NULL;
	uint8_t got[4];
	assert_int_equal(l2k_recv(p->ca, got, sizeof(got), NULL, 5000), 0);
	assert_int_equal(l2k_sock_close_reason(p->ca), L2K_CLOSE_REMOTE);
	/* and the PSM is free again */
	assert_int_equal(l2k_listen(p->b, PSM_BR, false, NULL, 1, &p->ls), 0);
	pair_free(p);
}

static void test_manual_credits_gate_the_sender(void **state)
{
	struct l2k_chan_opts ob;
	l2k_chan_opts_default(&ob);
	ob.mode = L2K_MODE_LE_CREDIT;
	ob.manual_credits = true;
	ob.credits = 2;
	struct pair *p = pair_chan(true, NULL, &ob);
	for (int i = 0; i < 5; i++)
		assert_int_equal(l2k_send(p->ca, "abc", 3, 1000), 3);
	uint8_t got[8];
	assert_int_equal(l2k_recv(p->sb, got, sizeof(got), NULL, 2000), 3);
	assert_int_equal(l2k_recv(p->sb, got, sizeof(got), NULL, 2000), 3);
	/* the peer has no credit left: nothing more comes */
	assert_int_equal(l2k_recv(p->sb, got, sizeof(got), NULL, 200), L2K_ETIMEDOUT);
	assert_int_equal(l2k_sock_give_credits(p->sb, 3), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(l2k_recv(p->sb, got, sizeof(got), NULL, 2000), 3);
	assert_int_equal(l2k_sock_give_credits(p->ca, 1), L2K_EINVAL); /* not a manual-credit channel */
	pair_free(p);
}

/* ---- descriptors ---------------------------------------------------------------------------- */

static void test_poll_descriptors_follow_state(void **state)
{
	struct pair *p = pair_new(false, "unlimited", NULL);
	pair_listen(p, NULL, 2);
	int lfd = l2k_sock_fd(p->ls);
	assert_true(lfd >= 0);
	struct pollfd pl = {.fd = lfd, .events = POLLIN};
	assert_int_equal(poll(&pl, 1, 0), 0);
	assert_int_equal(pair_connect(p, NULL, &p->ca), 0);
	assert_int_equal(poll(&pl, 1, 5000), 1); /* a connection waits */
	assert_int_equal(l2k_accept(p->ls, 0, &p->sb), 0);
	assert_int_equal(poll(&pl, 1, 0), 0);
	struct pollfd pb = {.fd = l2k_sock_fd(p->sb), .events = POLLIN};
	assert_int_equal(poll(&pb, 1, 0), 0);
	assert_int_equal(l2k_send(p->ca, "ab", 2, 1000), 2);
	assert_int_equal(l2k_send(p->ca, "cd", 2, 1000), 2);
	assert_int_equal(poll(&pb, 1, 5000), 1);
	uint8_t got[4];
	usleep(50000);
	assert_int_equal(l2k_recv(p->sb, got, sizeof(got), NULL, 0), 2);
	assert_int_equal(poll(&pb, 1, 1000), 1); /* the second SDU still waits */
	assert_int_equal(l2k_recv(p->sb, got, sizeof(got), NULL, 0), 2);
	assert_int_equal(poll(&pb, 1, 0), 0);
	l2k_close(p->ca);
	p->ca = NULL;
	assert_int_equal(poll(&pb, 1, 5000), 1); /* the end is readable too */
	assert_int_equal(l2k_recv(p->sb, got, sizeof(got), NULL, 0), 0);
	assert_int_equal(poll(&pb, 1, 0), 1); /* and stays so */
	pair_free(p);
}

/* ---- stop / stack close ----------------------------------------------------------------------- */

static void *recv_forever(void *arg)
{
	struct reader *r = arg;
	r->n = l2k_recv(r->sk, r->buf, sizeof(r->buf), NULL, -1);
	return NULL;
}

static void test_stop_wakes_blocked_callers_and_close_frees_open_sockets(void **state)
{
	struct pair *p = pair_chan(true, NULL, NULL);
	/* a second listener and two connections waiting in its backlog, with data */
	l2k_sock *ls2, *c2, *c3, *s2;
	assert_int_equal(l2k_listen(p->b, PSM_LE + 2, true, NULL, 2, &ls2), 0);
	assert_int_equal(l2k_connect(p->a, &p->addr_b, L2K_ADDR_LE_PUBLIC, PSM_LE + 2, NULL, 5000, &c2), 0);
	assert_int_equal(l2k_connect(p->a, &p->addr_b, L2K_ADDR_LE_PUBLIC, PSM_LE + 2, NULL, 5000, &c3), 0);
	assert_int_equal(l2k_send(c2, "pending", 7, 1000), 7);
	assert_int_equal(l2k_send(c3, "never accepted", 14, 1000), 14);
	usleep(100000);
	struct reader r = {.sk = p->sb};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, recv_forever, &r), 0);
	usleep(50000);
	l2k_stop(p->b);
	pthread_join(th, NULL);
	assert_int_equal(r.n, L2K_ENETDOWN); /* the blocked reader is woken */
	/* what already arrived stays available without the thread; waiting is refused */
	assert_int_equal(l2k_accept(ls2, 100, &s2), 0);
	uint8_t got[16];
	assert_int_equal(l2k_recv(s2, got, sizeof(got), NULL, 100), 7);
	assert_int_equal(l2k_recv(s2, got, sizeof(got), NULL, 100), L2K_ENETDOWN);
	assert_int_equal(l2k_accept(p->ls, 100, &s2), L2K_ENETDOWN);
	assert_int_equal(l2k_connect(p->b, &p->addr_b, L2K_ADDR_LE_PUBLIC, PSM_LE, NULL, 100, &s2), L2K_ENETDOWN);
	/* the stack can be started again */
	assert_int_equal(l2k_start(p->b), 0);
	assert_int_equal(l2k_start(p->b), L2K_EALREADY);
	/* close both stacks with every socket still open: nothing leaks (ASan / valgrind) */
	l2k_stack_close(p->a);
	l2k_stack_close(p->b);
	h4_server_stop(p->srv);
	free(p);
}

/* A stack callback runs on the stack's thread, which holds the stack: socket calls from there
 * are refused (they would wait for themselves), l2k_lock is a no-op, l2k_close works. */
static struct {
	l2k_stack *s;
	int listen_r;
	bool called;
} cbt;

static void link_up_on_loop_thread(void *user, const struct l2k_link_info *li)
{
	l2k_lock(cbt.s);
	l2k_sock *sk = NULL;
	cbt.listen_r = l2k_listen(cbt.s, 0x1003, false, NULL, 1, &sk);
	l2k_unlock(cbt.s);
	cbt.called = true;
}

static void test_socket_calls_from_a_stack_callback_do_not_deadlock(void **state)
{
	static unsigned n;
	char spec[96];
	struct h4_server *srv = NULL;
	if (over_socket) {
		srv = h4_server_start("unlimited", NULL, spec, sizeof(spec));
		assert_non_null(srv);
	} else {
		snprintf(spec, sizeof(spec), "sim:air=sockface-cb-%d-%u,profile=unlimited", (int)getpid(), n++);
	}
	char err[256];
	l2k_stack *a, *b;
	struct l2k_stack_cbs cbs = {.link_up = link_up_on_loop_thread};
	assert_int_equal(l2k_stack_open(spec, NULL, &cbs, &a, err, sizeof(err)), 0);
	assert_int_equal(l2k_stack_open(spec, NULL, NULL, &b, err, sizeof(err)), 0);
	assert_int_equal(l2k_wait_ready(a, 5000), 0);
	assert_int_equal(l2k_wait_ready(b, 5000), 0);
	struct l2k_controller_info ib;
	assert_int_equal(l2k_controller_info(b, &ib), 0);
	cbt.s = a;
	assert_int_equal(l2k_start(a), 0);
	assert_int_equal(l2k_start(b), 0);
	l2k_sock *ls, *ca, *sb;
	assert_int_equal(l2k_listen(b, PSM_BR, false, NULL, 1, &ls), 0);
	assert_int_equal(l2k_connect(a, &ib.addr, L2K_ADDR_BREDR, PSM_BR, NULL, 5000, &ca), 0);
	assert_true(cbt.called);
	assert_int_equal(cbt.listen_r, L2K_EBUSY);
	assert_int_equal(l2k_accept(ls, 5000, &sb), 0);
	l2k_close(ca);
	l2k_stack_close(a);
	l2k_stack_close(b);
	h4_server_stop(srv);
}

static void test_start_refuses_virtual_clock_and_calls_need_start(void **state)
{
	struct l2k_vclock vc = {0};
	struct l2k_stack_opts so = {.clock = l2k_vclock_now, .clock_arg = &vc};
	l2k_stack *s;
	char err[256];
	assert_int_equal(l2k_stack_open("sim:air=sockface-vclock", &so, NULL, &s, err, sizeof(err)), 0);
	assert_int_equal(l2k_start(s), L2K_EINVAL);
	l2k_sock *sk = NULL;
	assert_int_equal(l2k_listen(s, PSM_BR, false, NULL, 1, &sk), L2K_ENETDOWN);
	l2k_addr a = {{0}};
	assert_int_equal(l2k_connect(s, &a, L2K_ADDR_BREDR, PSM_BR, NULL, 0, &sk), L2K_ENETDOWN);
	assert_null(sk);
	l2k_stack_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sdu_boundaries_basic),
	    cmocka_unit_test(test_sdu_boundaries_le_segmented),
	    cmocka_unit_test(test_recv_truncates_and_reports_full_length),
	    cmocka_unit_test(test_recv_nonblocking_and_timeout),
	    cmocka_unit_test(test_blocking_recv_wakes_on_data_then_on_close),
	    cmocka_unit_test(test_backpressure_le_stops_sender_bounded_then_resumes),
	    cmocka_unit_test(test_backpressure_blocking_send_resumes_when_reader_reads),
	    cmocka_unit_test(test_basic_slow_reader_drops_past_bound_without_ctrl_flow),
	    cmocka_unit_test(test_basic_slow_reader_holds_the_link_and_loses_nothing),
	    cmocka_unit_test(test_shutdown_delivers_everything_then_eof_basic),
	    cmocka_unit_test(test_shutdown_delivers_everything_then_eof_le),
	    cmocka_unit_test(test_close_from_acceptor_ends_connector),
	    cmocka_unit_test(test_connect_refused_basic),
	    cmocka_unit_test(test_connect_refused_le),
	    cmocka_unit_test(test_connect_to_absent_peer),
	    cmocka_unit_test(test_accept_timeout_and_backlog_refusal),
	    cmocka_unit_test(test_closed_before_accept_still_delivers),
	    cmocka_unit_test(test_nonblocking_connect),
	    cmocka_unit_test(test_closing_listener_ends_waiting_connections),
	    cmocka_unit_test(test_manual_credits_gate_the_sender),
	    cmocka_unit_test(test_poll_descriptors_follow_state),
	    cmocka_unit_test(test_stop_wakes_blocked_callers_and_close_frees_open_sockets),
	    cmocka_unit_test(test_socket_calls_from_a_stack_callback_do_not_deadlock),
	    cmocka_unit_test(test_start_refuses_virtual_clock_and_calls_need_start),
	};
	int failed = cmocka_run_group_tests_name("in-process simulator", tests, NULL, NULL);
	over_socket = true;
	failed += cmocka_run_group_tests_name("simulator over a unix socket", tests, NULL, NULL);
	return failed;
}
