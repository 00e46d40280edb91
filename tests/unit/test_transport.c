/* Transports (transport/transport.c, stream.c, socket.c, serial.c): spec parsing and its error
 * messages, then real descriptors - a unix listener in a temp dir, TCP on loopback, a pty as the
 * serial device - with a test "controller" on the other end. */
#define _XOPEN_SOURCE 700 /* posix_openpt, grantpt, unlockpt, ptsname */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/l2k_error.h"
#include "base/hci_defs.h"
#include "transport/stream.h"
#include "transport/transport.h"

/* ---- helpers --------------------------------------------------------------------------- */

struct buf {
	uint8_t *b;
	size_t len, cap;
};

static void buf_add(struct buf *x, const void *p, size_t n)
{
	if (x->len + n > x->cap) {
		size_t cap = x->cap ? x->cap : 4096;
		while (cap < x->len + n)
			cap *= 2;
		x->b = realloc(x->b, cap);
		assert_non_null(x->b);
		x->cap = cap;
	}
	memcpy(x->b + x->len, p, n);
	x->len += n;
}

/* Append one H4 packet (indicator included) with plen pattern bytes. */
static size_t add_packet(struct buf *x, uint8_t type, size_t plen, uint32_t seed)
{
	uint8_t hdr[5] = { type };
	size_t h = 0;
	switch (type) {
	case HCI_H4_CMD: put_le16(hdr + 1, HCI_OP_RESET); hdr[3] = (uint8_t)plen; h = 3; break;
	case HCI_H4_ACL: put_le16(hdr + 1, 0x2001); put_le16(hdr + 3, (uint16_t)plen); h = 4; break;
	case HCI_H4_EVT: hdr[1] = HCI_EV_CMD_COMPLETE; hdr[2] = (uint8_t)plen; h = 2; break;
	default: fail();
	}
	size_t start = x->len;
	buf_add(x, hdr, 1 + h);
	for (size_t i = 0; i < plen; i++) {
		uint8_t v = (uint8_t)(seed * 31 + i * 7 + (i >> 8));
		buf_add(x, &v, 1);
	}
	return x->len - start;
}

/* The test's end of the connection: the "controller". */
struct peer {
	int fd;
	struct buf out; /* to write */
	size_t out_off;
	struct buf in; /* read so far */
	bool eof;
	bool paused; /* do not read */
};

/* What the transport gave its owner. */
struct ctx {
	struct transport *t;
	struct buf rx; /* delivered packets, re-encoded with their indicator */
	size_t count;
	int errs, err;
	char msg[512];
	bool echo;	   /* rx sends every packet back */
	bool close_in_rx;  /* rx closes the transport */
	bool close_in_err; /* err closes the transport */
	bool closed;
	struct peer peer;
	char dir[40], path[64];
};

static void on_rx(void *user, uint8_t type, const uint8_t *pkt, size_t len)
{
	struct ctx *c = user;
	assert_false(c->closed);
	buf_add(&c->rx, &type, 1);
	buf_add(&c->rx, pkt, len);
	c->count++;
	if (c->echo)
		assert_int_equal(transport_send(c->t, type, pkt, len), 0);
	if (c->close_in_rx) {
		transport_close(c->t);
		c->closed = true;
	}
}

static void on_err(void *user, int err, const char *msg)
{
	struct ctx *c = user;
	c->errs++;
	c->err = err;
	snprintf(c->msg, sizeof(c->msg), "%s", msg);
	if (c->close_in_err) {
		transport_close(c->t);
		c->closed = true;
	}
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void peer_io(struct peer *p)
{
	if (p->fd < 0)
		return;
	while (p->out_off < p->out.len) {
		ssize_t n = write(p->fd, p->out.b + p->out_off, p->out.len - p->out_off);
		if (n <= 0)
			break;
		p->out_off += (size_t)n;
	}
	while (!p->paused && !p->eof) {
		uint8_t tmp[8192];
		ssize_t n = read(p->fd, tmp, sizeof(tmp));
		if (n > 0)
			buf_add(&p->in, tmp, (size_t)n);
		else if (n == 0 || (errno != EAGAIN && errno != EINTR))
			p->eof = true;
		else
			break;
	}
}

typedef bool (*pred_fn)(struct ctx *c, size_t arg);

static bool got_packets(struct ctx *c, size_t n) { return c->count >= n; }
static bool peer_got(struct ctx *c, size_t n) { return c->peer.in.len >= n; }
static bool got_err(struct ctx *c, size_t n) { (void)n; return c->errs > 0; }

/* Run transport and peer until pred holds or timeout_ms passes; returns pred's last value. */
static bool drive(struct ctx *c, pred_fn pred, size_t arg, int timeout_ms)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;
	for (;;) {
		if (pred(c, arg))
			return true;
		if (now_ms() > end)
			return false;
		struct pollfd pf[2];
		int n = 0;
		int tfd = c->closed ? -1 : transport_fd(c->t);
		if (tfd >= 0)
			pf[n++] = (struct pollfd){ tfd,
				(short)(POLLIN | (transport_want_write(c->t) ? POLLOUT : 0)), 0 };
		if (c->peer.fd >= 0)
			pf[n++] = (struct pollfd){ c->peer.fd,
				(short)((c->peer.paused ? 0 : POLLIN) |
					(c->peer.out_off < c->peer.out.len ? POLLOUT : 0)), 0 };
		bool due = !c->closed && transport_next_due(c->t) == 0;
		poll(pf, (nfds_t)n, due ? 0 : 20);
		if (!c->closed)
			transport_service(c->t, now_ms());
		peer_io(&c->peer);
	}
}

static void ctx_init(struct ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->peer.fd = -1;
}

static void set_nonblock(int fd)
{
	assert_int_equal(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK), 0);
}

static void ctx_open(struct ctx *c, const char *spec)
{
	char err[256] = "x";
	int rc = transport_open(spec, &c->t, err, sizeof(err));
	if (rc != 0)
		fail_msg("open %s: %d %s", spec, rc, err);
	assert_non_null(c->t);
	assert_string_equal(c->t->spec, spec);
	transport_set_callbacks(c->t, on_rx, on_err, c);
}

static void ctx_free(struct ctx *c)
{
	if (c->t && !c->closed)
		transport_close(c->t);
	if (c->peer.fd >= 0)
		close(c->peer.fd);
	free(c->rx.b);
	free(c->peer.in.b);
	free(c->peer.out.b);
	if (c->path[0])
		unlink(c->path);
	if (c->dir[0])
		rmdir(c->dir);
}

/* A listening unix socket at DIR/sock; returns the listener. */
static int unix_listener(struct ctx *c)
{
	snprintf(c->dir, sizeof(c->dir), "/tmp/l2k-test-XXXXXX");
	assert_non_null(mkdtemp(c->dir));
	snprintf(c->path, sizeof(c->path), "%s/sock", c->dir);
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(l >= 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	memcpy(sa.sun_path, c->path, strlen(c->path) + 1);
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(l, 4), 0);
	return l;
}

/* Connect the transport to a fresh unix listener and accept the peer end. */
static void unix_pair(struct ctx *c)
{
	int l = unix_listener(c);
	char spec[160];
	snprintf(spec, sizeof(spec), "unix:%s", c->path);
	ctx_open(c, spec);
	c->peer.fd = accept(l, NULL, NULL);
	assert_true(c->peer.fd >= 0);
	set_nonblock(c->peer.fd);
	close(l);
}

/* A loopback TCP listener on an ephemeral port. */
static int tcp_listener(int family, unsigned *port)
{
	int l = socket(family, SOCK_STREAM, 0);
	if (l < 0)
		return -1;
	int one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_storage ss;
	socklen_t sl;
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sl = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
		in6->sin6_family = AF_INET6;
		in6->sin6_addr = in6addr_loopback;
		sl = sizeof(*in6);
	}
	if (bind(l, (struct sockaddr *)&ss, sl) < 0 || listen(l, 4) < 0) {
		close(l);
		return -1;
	}
	sl = sizeof(ss);
	getsockname(l, (struct sockaddr *)&ss, &sl);
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					: ((struct sockaddr_in6 *)&ss)->sin6_port);
	return l;
}

/* Packets both ways: several small ones and a 65535-byte ACL, byte-exact. */
static void exchange_both_ways(struct ctx *c)
{
	struct buf want = { 0 };
	add_packet(&want, HCI_H4_EVT, 4, 1);
	add_packet(&want, HCI_H4_EVT, 0, 2);
	add_packet(&want, HCI_H4_ACL, 27, 3);
	add_packet(&want, HCI_H4_ACL, 65535, 4);
	add_packet(&want, HCI_H4_EVT, 255, 5);
	buf_add(&c->peer.out, want.b, want.len);
	assert_true(drive(c, got_packets, 5, 5000));
	assert_int_equal(c->count, 5);
	assert_int_equal(c->rx.len, want.len);
	assert_memory_equal(c->rx.b, want.b, want.len);

	/* transport -> peer: send each packet of the same stream */
	for (size_t off = 0; off < want.len;) {
		uint8_t type = want.b[off];
		size_t hl = type == HCI_H4_ACL ? 4 : 2;
		size_t plen = type == HCI_H4_ACL ? get_le16(want.b + off + 3) : want.b[off + 2];
		assert_int_equal(transport_send(c->t, type, want.b + off + 1, hl + plen), 0);
		off += 1 + hl + plen;
	}
	assert_true(drive(c, peer_got, want.len, 5000));
	assert_int_equal(c->peer.in.len, want.len);
	assert_memory_equal(c->peer.in.b, want.b, want.len);
	assert_false(transport_want_write(c->t));
	assert_int_equal(c->errs, 0);
	free(want.b);
}

/* ---- spec parsing ------------------------------------------------------------------------ */

static void test_bad_specs_fail_with_a_message_naming_the_spec(void **state)
{
	(void)state;
	static const struct {
		const char *spec;
		int rc;
		const char *says;
	} cases[] = {
		{ "", L2K_ESPEC, "empty" },
		{ "unix", L2K_ESPEC, "missing socket path" },
		{ "unix:", L2K_ESPEC, "missing socket path" },
		{ "tcp", L2K_ESPEC, "missing address" },
		{ "tcp:", L2K_ESPEC, "missing address" },
		{ "tcp:host", L2K_ESPEC, "missing port" },
		{ "tcp:h:99999", L2K_ESPEC, "99999" },
		{ "tcp:h:0", L2K_ESPEC, "port '0'" },
		{ "tcp:h:", L2K_ESPEC, "port ''" },
		{ "tcp:h:12a", L2K_ESPEC, "12a" },
		{ "tcp::9000", L2K_ESPEC, "missing host" },
		{ "tcp:[::1", L2K_ESPEC, "[IPV6-ADDRESS]" },
		{ "tcp:[::1]9000", L2K_ESPEC, "[IPV6-ADDRESS]" },
		{ "serial", L2K_ESPEC, "missing device" },
		{ "serial:", L2K_ESPEC, "missing device" },
		{ "serial:,115200", L2K_ESPEC, "missing device" },
		{ "serial:/dev/x,abc", L2K_ESPEC, "'abc'" },
		{ "serial:/dev/x,0", L2K_ESPEC, "'0'" },
		{ "serial:/dev/x,", L2K_ESPEC, "''" },
		{ "serial:/dev/x,115200,9600", L2K_ESPEC, "'9600'" },
		{ "serial:/dev/x,rtscts,rtscts", L2K_ESPEC, "'rtscts'" },
		{ "serial:/dev/null,12345", L2K_ENOTSUP, "baud rate 12345" },
		{ "bogus:1", L2K_ESPEC, "unknown transport 'bogus'" },
		{ "hci", L2K_ESPEC, "unknown transport 'hci'" },
		{ "hcix", L2K_ESPEC, "unknown transport 'hcix'" },
		/* hciN and usb exist now; what they answer depends on the host, except for
		 * selectors that cannot be right anywhere */
		{ "usb:zz", L2K_ESPEC, "bad USB device selector 'zz'" },
		{ "usb:0a12:0001#x", L2K_ESPEC, "bad USB device selector" },
		{ "usb:0-1", L2K_ESPEC, "bad USB device selector" },
		{ "hci99999", L2K_ESPEC, "controller number out of range" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct transport *t = (struct transport *)&t; /* must be reset */
		char err[256] = "";
		int rc = transport_open(cases[i].spec, &t, err, sizeof(err));
		if (rc != cases[i].rc || !strstr(err, cases[i].says) ||
		    (cases[i].spec[0] && !strstr(err, cases[i].spec)))
			fail_msg("spec '%s': rc %d (want %d), message '%s' (want it to contain '%s' "
				 "and the spec)", cases[i].spec, rc, cases[i].rc, err, cases[i].says);
		assert_null(t);
	}
}

static void test_odd_arguments_are_refused_without_crashing(void **state)
{
	(void)state;
	struct transport *t;
	char err[64];
	assert_int_equal(transport_open(NULL, &t, err, sizeof(err)), L2K_ESPEC);
	assert_int_equal(transport_open("unix:/x", NULL, err, sizeof(err)), L2K_EINVAL);
	assert_int_equal(transport_open("bogus", &t, NULL, 0), L2K_ESPEC);
	/* a tiny buffer gets a truncated, terminated message */
	assert_int_equal(transport_open("bogus", &t, err, 8), L2K_ESPEC);
	assert_int_equal(strlen(err), 7);
	char longspec[400];
	memset(longspec, 'a', sizeof(longspec) - 1);
	memcpy(longspec, "unix:/", 6);
	longspec[sizeof(longspec) - 1] = '\0';
	char msg[256];
	assert_int_equal(transport_open(longspec, &t, msg, sizeof(msg)), L2K_ESPEC);
	assert_non_null(strstr(msg, "too long"));
	/* a path longer than sun_path */
	memset(longspec, 'b', 200);
	memcpy(longspec, "unix:/", 6);
	longspec[200] = '\0';
	assert_int_equal(transport_open(longspec, &t, msg, sizeof(msg)), L2K_ESPEC);
	assert_non_null(strstr(msg, "too long"));
}

static void test_sim_spec_is_recognised(void **state)
{
	(void)state;
	struct transport *t = NULL;
	char err[256] = "";
	int rc = transport_open("sim", &t, err, sizeof(err));
#if defined(__has_include) && __has_include("transport/sim/sim.h")
	assert_int_not_equal(rc, L2K_ESPEC);
	if (rc == 0)
		transport_close(t);
#else
	assert_int_equal(rc, L2K_ENOTSUP);
	assert_non_null(strstr(err, "transport 'sim' not available in this build"));
#endif
}

/* ---- unix sockets ------------------------------------------------------------------------ */

static void test_unix_exchanges_packets_both_ways_byte_exact(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	unix_pair(&c);
	assert_string_equal(c.t->ops->kind, "unix");
	assert_true(transport_fd(c.t) >= 0);
	assert_int_equal(transport_next_due(c.t), UINT64_MAX);
	exchange_both_ways(&c);
	ctx_free(&c);
}

/* wait_input: the wait and the read in one call.  Nothing there: 0 when the time passed (not
 * much earlier).  Packets there: 1, and service() delivers them without another read being
 * needed.  Right after a write on a unix socket it declines (the peer taking what was written
 * would end a blocked read for nothing), and the next wait reads again.  The peer's end of the
 * stream comes through service() as the usual error. */
static void test_unix_wait_input_waits_and_reads_in_one_call(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	unix_pair(&c);
	assert_true(transport_can_wait_input(c.t));
	uint64_t t0 = now_ms();
	assert_int_equal(transport_wait_input(c.t, 50), 0);
	assert_true(now_ms() - t0 >= 40);
	struct buf want = { 0 };
	add_packet(&want, HCI_H4_EVT, 4, 1);
	add_packet(&want, HCI_H4_ACL, 300, 2);
	buf_add(&c.peer.out, want.b, want.len);
	peer_io(&c.peer);
	assert_int_equal(transport_wait_input(c.t, 5000), 1);
	assert_int_equal(transport_wait_input(c.t, 5000), 1); /* (kept until serviced) */
	assert_int_equal(c.count, 0);
	assert_int_equal(transport_service(c.t, now_ms()), 0);
	assert_int_equal(c.count, 2);
	assert_memory_equal(c.rx.b, want.b, want.len);
	/* a write: the next wait declines once */
	uint8_t ev[2] = { HCI_EV_CMD_COMPLETE, 0 };
	assert_int_equal(transport_send(c.t, HCI_H4_EVT, ev, sizeof(ev)), 0);
	assert_int_equal(transport_wait_input(c.t, 50), L2K_ENOTSUP);
	assert_int_equal(transport_wait_input(c.t, 20), 0);
	/* the end of the stream */
	close(c.peer.fd);
	c.peer.fd = -1;
	assert_int_equal(transport_wait_input(c.t, 5000), 1);
	assert_true(transport_service(c.t, now_ms()) < 0);
	assert_int_equal(c.errs, 1);
	assert_int_equal(c.err, L2K_ECONNRESET);
	free(want.b);
	ctx_free(&c);
}

static void test_unix_large_acl_split_across_many_reads_arrives_whole(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	unix_pair(&c);
	struct buf want = { 0 };
	add_packet(&want, HCI_H4_ACL, 65535, 9);
	/* the peer dribbles it in 997-byte pieces; the transport is serviced after each */
	size_t reads = 0;
	for (size_t off = 0; off < want.len; off += 997) {
		size_t n = want.len - off < 997 ? want.len - off : 997;
		assert_int_equal(write(c.peer.fd, want.b + off, n), (ssize_t)n);
		assert_int_equal(transport_service(c.t, 0), 0);
		reads++;
		if (off + n < want.len)
			assert_int_equal(c.count, 0); /* nothing before the last byte */
	}
	assert_true(reads > 60);
	assert_int_equal(c.count, 1);
	assert_int_equal(c.rx.len, want.len);
	assert_memory_equal(c.rx.b, want.b, want.len);
	free(want.b);
	ctx_free(&c);
}

static void test_rx_callback_may_send_on_the_same_transport(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	unix_pair(&c);
	c.echo = true;
	struct buf want = { 0 };
	for (uint32_t i = 0; i < 200; i++)
		add_packet(&want, i % 3 ? HCI_H4_EVT : HCI_H4_ACL, (i * 37) % 250, i);
	add_packet(&want, HCI_H4_ACL, 60000, 7);
	buf_add(&c.peer.out, want.b, want.len);
	assert_true(drive(&c, peer_got, want.len, 5000));
	assert_int_equal(c.count, 201);
	assert_int_equal(c.peer.in.len, want.len);
	assert_memory_equal(c.peer.in.b, want.b, want.len);
	free(want.b);
	ctx_free(&c);
}

static void test_peer_close_calls_err_once_naming_the_spec(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	unix_pair(&c);
	uint8_t evt[] = { HCI_H4_EVT, HCI_EV_CMD_COMPLETE, 0 };
	assert_int_equal(write(c.peer.fd, evt, sizeof(evt)), 3);
	close(c.peer.fd);
	c.peer.fd = -1;
	assert_true(drive(&c, got_err, 0, 2000));
	assert_int_equal(c.count, 1); /* what came before the close still arrives */
	assert_int_equal(c.errs, 1);
	assert_int_equal(c.err, L2K_ECONNRESET);
	assert_non_null(strstr(c.msg, c.t->spec));
	assert_non_null(strstr(c.msg, "peer closed the connection"));
	/* failed for good: no second report, nothing to poll, sends refused */
	assert_true(transport_service(c.t, 0) < 0);
	assert_true(transport_service(c.t, 0) < 0);
	assert_int_equal(c.errs, 1);
	assert_int_equal(transport_fd(c.t), -1);
	assert_false(transport_want_write(c.t));
	assert_true(transport_send(c.t, HCI_H4_CMD, evt, 3) < 0);
	ctx_free(&c);
}

static void test_send_to_a_closed_peer_fails_without_sigpipe(void **state)
{
	(void)state;
	struct sigaction dfl = { .sa_handler = SIG_DFL }, old;
	sigaction(SIGPIPE, &dfl, &old); /* SIGPIPE would kill the test */
	struct ctx c;
	ctx_init(&c);
	unix_pair(&c);
	close(c.peer.fd);
	c.peer.fd = -1;
	uint8_t cmd[] = { 0x03, 0x0c, 0x00 };
	int rc = 0;
	for (int i = 0; i < 10 && rc == 0; i++)
		rc = transport_send(c.t, HCI_H4_CMD, cmd, sizeof(cmd));
	assert_int_equal(rc, L2K_ECONNRESET);
	/* the failure is reported from service(), which next_due asks for at once */
	assert_int_equal(c.errs, 0);
	assert_int_equal(transport_next_due(c.t), 0);
	assert_int_equal(transport_service(c.t, 0), L2K_ECONNRESET);
	assert_int_equal(c.errs, 1);
	assert_non_null(strstr(c.msg, c.t->spec));
	assert_int_equal(transport_next_due(c.t), UINT64_MAX);
	ctx_free(&c);
	sigaction(SIGPIPE, &old, NULL);
}

static void test_output_is_buffered_until_enobufs_then_drained_in_order(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	unix_pair(&c);
	c.peer.paused = true; /* the peer does not read */
	struct buf want = { 0 };
	uint32_t sent = 0;
	int rc;
	for (;;) {
		size_t before = want.len;
		add_packet(&want, HCI_H4_ACL, 65535, sent);
		rc = transport_send(c.t, HCI_H4_ACL, want.b + before + 1, 4 + 65535);
		if (rc != 0) {
			want.len = before; /* refused: not part of the stream */
			break;
		}
		sent++;
		assert_true(sent < 1000);
	}
	assert_int_equal(rc, L2K_ENOBUFS);
	assert_true(sent >= STREAM_OUTBUF_MAX / 65540); /* the 1 MiB bound, plus the kernel's */
	assert_true(transport_want_write(c.t));
	/* still full while nobody reads */
	assert_int_equal(transport_service(c.t, 0), 0);
	assert_int_equal(transport_send(c.t, HCI_H4_ACL, want.b + 1, 4 + 65535), L2K_ENOBUFS);
	/* the peer drains: every accepted byte arrives, in order, none of the refused ones */
	c.peer.paused = false;
	assert_true(drive(&c, peer_got, want.len, 10000));
	drive(&c, peer_got, want.len + 1, 100);
	assert_int_equal(c.peer.in.len, want.len);
	assert_memory_equal(c.peer.in.b, want.b, want.len);
	assert_false(transport_want_write(c.t));
	assert_int_equal(c.errs, 0);
	free(want.b);
	ctx_free(&c);
}

static void test_send_refuses_malformed_packets_and_writes_nothing(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	unix_pair(&c);
	uint8_t acl[] = { 0x01, 0x20, 0x05, 0x00, 1, 2, 3 }; /* says 5 bytes, has 3 */
	assert_int_equal(transport_send(c.t, HCI_H4_ACL, acl, sizeof(acl)), L2K_EINVAL);
	assert_int_equal(transport_send(c.t, 0x07, acl, sizeof(acl)), L2K_EINVAL);
	assert_int_equal(transport_send(c.t, HCI_H4_EVT, acl, 1), L2K_EINVAL);
	uint8_t ok[] = { 0x03, 0x0c, 0x00 };
	assert_int_equal(transport_send(c.t, HCI_H4_CMD, ok, sizeof(ok)), 0);
	assert_true(drive(&c, peer_got, 4, 2000));
	drive(&c, peer_got, 5, 100);
	assert_int_equal(c.peer.in.len, 4);
	assert_memory_equal(c.peer.in.b, "\x01\x03\x0c\x00", 4);
	ctx_free(&c);
}

static void test_bad_framing_from_peer_reports_eframing_and_stops(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	unix_pair(&c);
	uint8_t bytes[] = { HCI_H4_EVT, 0x0E, 0x01, 0xAA, 0x07, HCI_H4_EVT, 0x0E, 0x00 };
	buf_add(&c.peer.out, bytes, sizeof(bytes));
	assert_true(drive(&c, got_err, 0, 2000));
	assert_int_equal(c.count, 1); /* only the packet before the bad indicator */
	assert_int_equal(c.err, L2K_EFRAMING);
	assert_non_null(strstr(c.msg, c.t->spec));
	assert_non_null(strstr(c.msg, "0x07"));
	assert_non_null(strstr(c.msg, "offset 4"));
	/* more valid bytes change nothing */
	assert_int_equal(write(c.peer.fd, bytes, 4), 4);
	assert_int_equal(transport_service(c.t, 0), L2K_EFRAMING);
	assert_int_equal(c.count, 1);
	assert_int_equal(c.errs, 1);
	ctx_free(&c);
}

static void test_close_from_inside_callbacks_is_safe(void **state)
{
	(void)state;
	/* from rx, with more packets waiting in the same read: they are dropped */
	struct ctx c;
	ctx_init(&c);
	unix_pair(&c);
	c.close_in_rx = true;
	uint8_t two[] = { HCI_H4_EVT, 0x0E, 0x00, HCI_H4_EVT, 0x0E, 0x00 };
	assert_int_equal(write(c.peer.fd, two, sizeof(two)), 6);
	assert_true(drive(&c, got_packets, 1, 2000));
	drive(&c, got_packets, 2, 100);
	assert_true(c.closed);
	assert_int_equal(c.count, 1);
	assert_int_equal(c.errs, 0);
	ctx_free(&c);
	/* from err (peer went away) */
	ctx_init(&c);
	unix_pair(&c);
	c.close_in_err = true;
	close(c.peer.fd);
	c.peer.fd = -1;
	assert_true(drive(&c, got_err, 0, 2000));
	assert_true(c.closed);
	assert_int_equal(c.errs, 1);
	ctx_free(&c);
}

static void test_service_reads_at_most_its_budget_per_call(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	unix_pair(&c);
	int big = 4 << 20;
#ifdef SO_SNDBUFFORCE
	if (setsockopt(c.peer.fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)) < 0)
#endif
		setsockopt(c.peer.fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	struct buf want = { 0 };
	for (uint32_t i = 0; want.len < 2 * STREAM_READ_BUDGET; i++)
		add_packet(&want, HCI_H4_EVT, 255, i);
	ssize_t n = write(c.peer.fd, want.b, want.len);
	int queued = 0;
	ioctl(transport_fd(c.t), FIONREAD, &queued);
	if (n != (ssize_t)want.len || (size_t)queued <= STREAM_READ_BUDGET) {
		free(want.b);
		ctx_free(&c);
		skip(); /* cannot queue more than one budget in the socket here */
	}
	assert_int_equal(transport_service(c.t, 0), 0);
	size_t first = c.rx.len;
	assert_true(first > 0);
	assert_true(first <= STREAM_READ_BUDGET);
	assert_int_equal(transport_service(c.t, 0), 0);
	assert_true(c.rx.len > first);
	assert_true(drive(&c, got_packets, want.len / 258, 5000)); /* 258-byte events */
	assert_memory_equal(c.rx.b, want.b, want.len);
	free(want.b);
	ctx_free(&c);
}

static void test_unix_missing_path_gives_enoent_naming_the_spec(void **state)
{
	(void)state;
	struct transport *t;
	char err[256];
	int rc = transport_open("unix:/nonexistent-l2k-dir/sock", &t, err, sizeof(err));
	assert_int_equal(rc, L2K_ENOENT);
	assert_null(t);
	assert_non_null(strstr(err, "unix:/nonexistent-l2k-dir/sock"));
	assert_non_null(strstr(err, strerror(ENOENT)));
}

static void test_unix_socket_without_listener_gives_econnrefused(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	int l = unix_listener(&c);
	close(l); /* the socket file stays, nobody listens */
	char spec[160], err[256];
	snprintf(spec, sizeof(spec), "unix:%s", c.path);
	assert_int_equal(transport_open(spec, &c.t, err, sizeof(err)), L2K_ECONNREFUSED);
	assert_non_null(strstr(err, spec));
	assert_non_null(strstr(err, strerror(ECONNREFUSED)));
	ctx_free(&c);
}

/* ---- TCP --------------------------------------------------------------------------------- */

static void tcp_exchange(const char *fmt, int family)
{
	struct ctx c;
	unsigned port;
	int l = tcp_listener(family, &port);
	if (l < 0)
		skip();
	ctx_init(&c);
	char spec[64];
	snprintf(spec, sizeof(spec), fmt, port);
	ctx_open(&c, spec);
	assert_string_equal(c.t->ops->kind, "tcp");
	c.peer.fd = accept(l, NULL, NULL);
	assert_true(c.peer.fd >= 0);
	set_nonblock(c.peer.fd);
	close(l);
	int nodelay = 0;
	socklen_t sl = sizeof(nodelay);
	assert_int_equal(getsockopt(transport_fd(c.t), IPPROTO_TCP, TCP_NODELAY, &nodelay, &sl),
			 0);
	assert_true(nodelay);
	exchange_both_ways(&c);
	close(c.peer.fd);
	c.peer.fd = -1;
	assert_true(drive(&c, got_err, 0, 2000));
	assert_non_null(strstr(c.msg, spec));
	ctx_free(&c);
}

static void test_tcp_ipv4_exchanges_packets_with_nodelay(void **state)
{
	(void)state;
	tcp_exchange("tcp:127.0.0.1:%u", AF_INET);
}

static void test_tcp_ipv6_literal_in_brackets(void **state)
{
	(void)state;
	tcp_exchange("tcp:[::1]:%u", AF_INET6);
}

static void test_tcp_hostname_tries_every_address(void **state)
{
	(void)state;
	/* "localhost" may resolve to ::1 first; the listener is only on 127.0.0.1 */
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res;
	if (getaddrinfo("localhost", "1", &hints, &res) != 0)
		skip(); /* no name for the loopback address here */
	freeaddrinfo(res);
	tcp_exchange("tcp:localhost:%u", AF_INET);
}

static void test_tcp_closed_port_gives_econnrefused_naming_the_spec(void **state)
{
	(void)state;
	unsigned port;
	int l = tcp_listener(AF_INET, &port);
	assert_true(l >= 0);
	close(l);
	char spec[64], err[256];
	struct transport *t;
	snprintf(spec, sizeof(spec), "tcp:127.0.0.1:%u", port);
	assert_int_equal(transport_open(spec, &t, err, sizeof(err)), L2K_ECONNREFUSED);
	assert_null(t);
	assert_non_null(strstr(err, spec));
	assert_non_null(strstr(err, strerror(ECONNREFUSED)));
}

/* ---- serial (a pty stands in for the UART) ------------------------------------------------ */

static int open_pty(char *name, size_t len)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 || !ptsname(m)) {
		if (m >= 0)
			close(m);
		return -1;
	}
	snprintf(name, len, "%s", ptsname(m));
	set_nonblock(m);
	return m;
}

static void test_serial_pty_is_raw_8n1_and_exchanges_packets(void **state)
{
	(void)state;
	char dev[64], spec[96];
	int m = open_pty(dev, sizeof(dev));
	if (m < 0)
		skip();
	struct ctx c;
	ctx_init(&c);
	c.peer.fd = m;
	snprintf(spec, sizeof(spec), "serial:%s,115200", dev);
	ctx_open(&c, spec);
	assert_string_equal(c.t->ops->kind, "serial");
	assert_false(transport_can_wait_input(c.t)); /* a tty is polled (no MSG_DONTWAIT) */
	assert_true(fcntl(transport_fd(c.t), F_GETFL) & O_NONBLOCK);
	struct termios tio;
	assert_int_equal(tcgetattr(transport_fd(c.t), &tio), 0);
	assert_int_equal(cfgetospeed(&tio), B115200);
	assert_int_equal(cfgetispeed(&tio), B115200);
	assert_int_equal(tio.c_cflag & CSIZE, CS8);
	assert_false(tio.c_cflag & (PARENB | CSTOPB | CRTSCTS));
	assert_false(tio.c_lflag & (ICANON | ECHO | ISIG));
	assert_false(tio.c_iflag & (IXON | ICRNL | ISTRIP));
	assert_false(tio.c_oflag & OPOST);
	exchange_both_ways(&c);
	/* the device going away is reported */
	close(c.peer.fd);
	c.peer.fd = -1;
	assert_true(drive(&c, got_err, 0, 2000));
	assert_int_equal(c.errs, 1);
	assert_non_null(strstr(c.msg, spec));
	ctx_free(&c);
}

static void test_serial_default_baud_and_rtscts_option(void **state)
{
	(void)state;
	char dev[64], spec[96], err[256];
	int m = open_pty(dev, sizeof(dev));
	if (m < 0)
		skip();
	struct transport *t;
	snprintf(spec, sizeof(spec), "serial:%s,rtscts", dev);
	assert_int_equal(transport_open(spec, &t, err, sizeof(err)), 0);
	struct termios tio;
	assert_int_equal(tcgetattr(transport_fd(t), &tio), 0);
	assert_int_equal(cfgetospeed(&tio), B115200);
	assert_true(tio.c_cflag & CRTSCTS);
	transport_close(t);
	snprintf(spec, sizeof(spec), "serial:%s,rtscts,921600", dev);
	assert_int_equal(transport_open(spec, &t, err, sizeof(err)), 0);
	assert_int_equal(tcgetattr(transport_fd(t), &tio), 0);
	assert_int_equal(cfgetospeed(&tio), B921600);
	transport_close(t);
	close(m);
}

static void test_serial_open_errors_name_the_spec(void **state)
{
	(void)state;
	struct transport *t;
	char err[256];
	assert_int_equal(transport_open("serial:/dev/nonexistent-tty", &t, err, sizeof(err)),
			 L2K_ENOENT);
	assert_non_null(strstr(err, "serial:/dev/nonexistent-tty"));
	assert_non_null(strstr(err, strerror(ENOENT)));
	assert_int_equal(transport_open("serial:/dev/null", &t, err, sizeof(err)), L2K_ENODEV);
	assert_non_null(strstr(err, "serial:/dev/null"));
	assert_non_null(strstr(err, "not a serial device"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_specs_fail_with_a_message_naming_the_spec),
		cmocka_unit_test(test_odd_arguments_are_refused_without_crashing),
		cmocka_unit_test(test_sim_spec_is_recognised),
		cmocka_unit_test(test_unix_exchanges_packets_both_ways_byte_exact),
		cmocka_unit_test(test_unix_wait_input_waits_and_reads_in_one_call),
		cmocka_unit_test(test_unix_large_acl_split_across_many_reads_arrives_whole),
		cmocka_unit_test(test_rx_callback_may_send_on_the_same_transport),
		cmocka_unit_test(test_peer_close_calls_err_once_naming_the_spec),
		cmocka_unit_test(test_send_to_a_closed_peer_fails_without_sigpipe),
		cmocka_unit_test(test_output_is_buffered_until_enobufs_then_drained_in_order),
		cmocka_unit_test(test_send_refuses_malformed_packets_and_writes_nothing),
		cmocka_unit_test(test_bad_framing_from_peer_reports_eframing_and_stops),
		cmocka_unit_test(test_close_from_inside_callbacks_is_safe),
		cmocka_unit_test(test_service_reads_at_most_its_budget_per_call),
		cmocka_unit_test(test_unix_missing_path_gives_enoent_naming_the_spec),
		cmocka_unit_test(test_unix_socket_without_listener_gives_econnrefused),
		cmocka_unit_test(test_tcp_ipv4_exchanges_packets_with_nodelay),
		cmocka_unit_test(test_tcp_ipv6_literal_in_brackets),
		cmocka_unit_test(test_tcp_hostname_tries_every_address),
		cmocka_unit_test(test_tcp_closed_port_gives_econnrefused_naming_the_spec),
		cmocka_unit_test(test_serial_pty_is_raw_8n1_and_exchanges_packets),
		cmocka_unit_test(test_serial_default_baud_and_rtscts_option),
		cmocka_unit_test(test_serial_open_errors_name_the_spec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
