/* Byte-stream transport: H4 (Core Specification Vol 4 Part A) over any connected stream
 * descriptor - unix socket, TCP socket or serial tty.
 *
 * Output: send() writes at once what the descriptor takes and queues the rest, whole packets
 * only, in a bounded ring (STREAM_OUTBUF_MAX); service() flushes it when the descriptor is
 * writable.  Packets sent from inside service() (the rx callback's answers) are queued and
 * written together when the callbacks are done.  Input: service() reads until a read comes back
 * short (the descriptor is drained: one read per service round when the controller sends one
 * packet at a time, not a second one that says EAGAIN) or STREAM_READ_BUDGET bytes were read,
 * feeds the H4 framer and hands every whole packet to the rx callback.
 *
 * On a socket, wait_input() waits for the controller in a blocking recv() that also reads
 * (SO_RCVTIMEO bounds it) and keeps the bytes for the next service(): one system call per
 * packet where waiting on the descriptor and then reading took two.  The socket is therefore
 * left blocking and every other call on it says MSG_DONTWAIT; a tty stays non-blocking and is
 * only polled.
 *
 * Callbacks run only inside service().  From there the owner may call send() (it only touches
 * the output ring and the descriptor) and close() (deferred until service() returns).  Any
 * failure - end of stream, read/write error, bad framing - is recorded once; the err callback
 * is then called exactly once, from service(), and nothing more is delivered.
 */
#include "transport/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>
#endif

#include "base/l2k_compat.h"
#include "base/l2k_error.h"
#include "base/l2k_os.h"
#include "transport/h4.h"

struct stream {
	struct transport t; /* first: the public handle points here */
	int fd;
	bool is_socket;
	/* output ring: out_len bytes starting at out_head (wrapping at STREAM_OUTBUF_MAX) */
	uint8_t *out;
	size_t out_head, out_len;
	/* failure: 0 while healthy, else the L2K_E* code; msg says why (names the spec) */
	int failed;
	bool reported; /* the err callback has been called */
	char msg[384];
	bool in_service;
	bool close_pending; /* close() was called from a callback */
	/* A socket is left blocking so that wait_input() can wait and read in one recv(); every
	 * other call on it says MSG_DONTWAIT.  What wait_input() read waits in rbuf for service(). */
	bool blocking_fd;
	bool is_unix;
	/* Written to since the last wait_input() (send() may run in another thread).  A unix
	 * socket wakes a reader blocked in recv() when the peer takes what was written to it
	 * (unix_write_space wakes every sleeper of the socket, whatever it waits for): a wait right
	 * after a write is made on the descriptor instead (epoll wakes for input only). */
	atomic_bool wrote;
	int rcvtimeo_ms;  /* SO_RCVTIMEO set on it (0: none yet) */
	size_t stash_len; /* bytes in rbuf */
	bool stash_eof;
	int stash_errno;
	struct h4_framer framer;
	uint8_t rbuf[64 * 1024];  /* one read() */
	uint8_t rxpkt[H4_PKT_MAX]; /* framer reassembly buffer */
};

#if defined(__GNUC__)
L2K_PRINTF(3, 4)
#endif
static void set_failed(struct stream *s, int code, const char *fmt, ...)
{
	if (s->failed)
		return; /* the first cause is the one worth reporting */
	int n = snprintf(s->msg, sizeof(s->msg), "%s: ", s->t.spec);
	if (n < 0 || (size_t)n >= sizeof(s->msg))
		n = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->msg + n, sizeof(s->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	s->failed = code;
}

static void set_failed_errno(struct stream *s, const char *what, int e)
{
	if (e == EPIPE || e == ECONNRESET)
		set_failed(s, L2K_ECONNRESET, "peer closed the connection (%s: %s)", what,
			   l2k_os_strerror(e));
	else
		set_failed(s, transport_errno(e), "%s failed: %s", what, l2k_os_strerror(e));
}

/* Write an iovec without raising SIGPIPE.  Returns bytes written or -1 with errno. */
static ssize_t write_iov(struct stream *s, struct iovec *iov, int cnt)
{
#ifdef _WIN32 /* (sockets only: Winsock raises no signal) */
	return l2k_os_sendv(s->fd, iov, cnt);
#else
	if (s->is_socket) {
		struct msghdr mh;
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov;
		mh.msg_iovlen = (size_t)cnt;
		int fl = s->blocking_fd ? MSG_DONTWAIT : 0;
#ifdef MSG_NOSIGNAL
		fl |= MSG_NOSIGNAL;
#endif /* (else SO_NOSIGPIPE set at creation) */
		return sendmsg(s->fd, &mh, fl);
	}
	return writev(s->fd, iov, cnt); /* ttys never raise SIGPIPE */
#endif
}

/* Append bytes to the ring; the caller checked the room. */
static void ring_put(struct stream *s, const uint8_t *p, size_t n)
{
	size_t tail = (s->out_head + s->out_len) % STREAM_OUTBUF_MAX;
	size_t first = STREAM_OUTBUF_MAX - tail;
	if (first > n)
		first = n;
	memcpy(s->out + tail, p, first);
	memcpy(s->out, p + first, n - first);
	s->out_len += n;
}

/* Write queued bytes until the ring is empty or the descriptor is full. */
static void flush(struct stream *s)
{
	while (s->out_len > 0 && !s->failed) {
		struct iovec iov[2];
		size_t first = STREAM_OUTBUF_MAX - s->out_head;
		int cnt = 1;
		if (first >= s->out_len) {
			first = s->out_len;
		} else {
			iov[1].iov_base = s->out;
			iov[1].iov_len = s->out_len - first;
			cnt = 2;
		}
		iov[0].iov_base = s->out + s->out_head;
		iov[0].iov_len = first;
		ssize_t n = write_iov(s, iov, cnt);
		if (n > 0 && s->is_unix)
			atomic_store_explicit(&s->wrote, true, memory_order_relaxed);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				set_failed_errno(s, "write", errno);
			return;
		}
		s->out_head = (s->out_head + (size_t)n) % STREAM_OUTBUF_MAX;
		s->out_len -= (size_t)n;
	}
	if (s->out_len == 0)
		s->out_head = 0;
}

static int stream_send(struct transport *t, uint8_t type, const uint8_t *pkt, size_t len)
{
	struct stream *s = (struct stream *)t;
	uint8_t ind = type;

	if (s->failed)
		return s->failed;
	/* A malformed packet would desynchronise the peer's framer for good: refuse it. */
	int err = h4_check(type, pkt, len);
	if (err < 0)
		return err;
	/* Inside service() (the owner answering what it just read) packets are only queued:
	 * service() writes them together when the callbacks are done, one writev for what would
	 * have been one write per packet (docs/performance.md).  Elsewhere they go at once. */
	if (s->out_len && (!s->in_service || s->out_len + 1 + len > STREAM_OUTBUF_MAX))
		flush(s); /* make room, keep order */
	if (s->failed)
		return s->failed;
	if (s->out_len + 1 + len > STREAM_OUTBUF_MAX)
		return L2K_ENOBUFS; /* all or nothing: never queue part of a packet */

	size_t done = 0;
	if (s->out_len == 0 && !s->in_service) {
		struct iovec iov[2] = { { .iov_base = &ind, .iov_len = 1 },
					{ .iov_base = (void *)pkt, .iov_len = len } };
		for (;;) {
			ssize_t n = write_iov(s, iov, 2);
			if (n > 0 && s->is_unix)
				atomic_store_explicit(&s->wrote, true, memory_order_relaxed);
			if (n >= 0) {
				done = (size_t)n;
			} else if (errno == EINTR) {
				continue;
			} else if (errno != EAGAIN && errno != EWOULDBLOCK) {
				set_failed_errno(s, "write", errno);
				return s->failed;
			}
			break;
		}
	}
	if (done == 0)
		ring_put(s, &ind, 1);
	else
		done--; /* the indicator went out */
	if (done < len)
		ring_put(s, pkt + done, len - done);
	return 0;
}

static void on_packet(void *user, uint8_t type, const uint8_t *pkt, size_t len)
{
	struct stream *s = user;
	/* Once failed or closed, nothing more goes up. */
	if (s->failed || s->close_pending || !s->t.rx)
		return;
	s->t.rx(s->t.user, type, pkt, len);
}

static void destroy(struct stream *s)
{
	if (s->fd >= 0)
		l2k_os_close(s->fd);
	free(s->out);
	free(s);
}

static int stream_service(struct transport *t, uint64_t now_ms)
{
	struct stream *s = (struct stream *)t;
	(void)now_ms;

	if (s->in_service) /* called from one of our own callbacks: nothing to do */
		return s->reported ? s->failed : 0;
	if (s->reported)
		return s->failed;
	s->in_service = true;

	flush(s);
	size_t budget = STREAM_READ_BUDGET;
	bool drained = false;
	if (s->stash_len || s->stash_eof || s->stash_errno) {
		/* what wait_input() read: a short read drained the descriptor */
		size_t n = s->stash_len;
		drained = n < sizeof(s->rbuf);
		s->stash_len = 0;
		budget -= n;
		if (n && h4_feed(&s->framer, s->rbuf, n) < 0)
			set_failed(s, L2K_EFRAMING, "%s", h4_error(&s->framer));
		if (s->stash_eof)
			set_failed(s, L2K_ECONNRESET, "peer closed the connection");
		else if (s->stash_errno)
			set_failed_errno(s, "read", s->stash_errno);
		s->stash_eof = false;
		s->stash_errno = 0;
	}
	while (!drained && !s->failed && !s->close_pending && budget > 0) {
		size_t want = budget < sizeof(s->rbuf) ? budget : sizeof(s->rbuf);
#ifdef _WIN32
		ssize_t n = l2k_os_recv(s->fd, s->rbuf, want);
#else
		ssize_t n = s->blocking_fd ? recv(s->fd, s->rbuf, want, MSG_DONTWAIT) : read(s->fd, s->rbuf, want);
#endif
		if (n > 0) {
			budget -= (size_t)n;
			if (h4_feed(&s->framer, s->rbuf, (size_t)n) < 0)
				set_failed(s, L2K_EFRAMING, "%s", h4_error(&s->framer));
			if ((size_t)n < want)
				break; /* drained: another read would only say EAGAIN (poll tells of more) */
		} else if (n == 0) {
			set_failed(s, L2K_ECONNRESET, "peer closed the connection");
		} else if (errno == EINTR) {
			continue;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			break;
		} else {
			set_failed_errno(s, "read", errno);
		}
	}
	if (!s->close_pending)
		flush(s); /* replies the rx callback queued */
	if (s->failed && !s->close_pending) {
		s->reported = true;
		if (s->t.err)
			s->t.err(s->t.user, s->failed, s->msg);
	}
	s->in_service = false;

	int rc = s->failed;
	if (s->close_pending)
		destroy(s); /* closed from a callback: t is gone now */
	return rc;
}

/* One blocking recv() with SO_RCVTIMEO: the wait and the read in one system call.  Only this
 * thread reads the descriptor and touches rbuf and the stash; send() in another thread touches
 * neither. */
static int stream_wait_input(struct transport *t, int timeout_ms)
{
	struct stream *s = (struct stream *)t;
#ifdef _WIN32 /* (the socket is non-blocking there: always polled) */
	(void)timeout_ms;
	(void)s;
	return L2K_ENOTSUP;
#else
	if (!s->blocking_fd)
		return L2K_ENOTSUP;
	if (s->stash_len || s->stash_eof || s->stash_errno)
		return 1;
	if (timeout_ms <= 0)
		return 0;
	if (atomic_exchange_explicit(&s->wrote, false, memory_order_relaxed))
		return L2K_ENOTSUP; /* (see wrote) */
	if (timeout_ms != s->rcvtimeo_ms) {
		struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
		if (setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
			return L2K_ENOTSUP; /* (the descriptor is still polled) */
		s->rcvtimeo_ms = timeout_ms;
	}
	ssize_t n = recv(s->fd, s->rbuf, sizeof(s->rbuf), 0);
	if (n > 0) {
		s->stash_len = (size_t)n;
		return 1;
	}
	if (n == 0) {
		s->stash_eof = true;
		return 1;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return 0;
	s->stash_errno = errno;
	return 1;
#endif
}

static int stream_fd(struct transport *t)
{
	struct stream *s = (struct stream *)t;
	/* After the failure was reported a hung-up descriptor would keep poll() spinning. */
	return s->reported ? -1 : s->fd;
}

static bool stream_want_write(struct transport *t)
{
	struct stream *s = (struct stream *)t;
	return s->out_len > 0 && !s->failed;
}

static uint64_t stream_next_due(struct transport *t)
{
	struct stream *s = (struct stream *)t;
	/* A failure seen by send() is reported from service(): ask for it at once. */
	return s->failed && !s->reported ? 0 : UINT64_MAX;
}

static void stream_close(struct transport *t)
{
	struct stream *s = (struct stream *)t;
	if (s->in_service)
		s->close_pending = true;
	else
		destroy(s);
}

static const struct transport_ops ops_unix = {
	"unix", stream_send, stream_fd, stream_want_write, stream_service, stream_next_due,
	stream_close, stream_wait_input, NULL,
};
static const struct transport_ops ops_tcp = {
	"tcp", stream_send, stream_fd, stream_want_write, stream_service, stream_next_due,
	stream_close, stream_wait_input, NULL,
};
static const struct transport_ops ops_serial = {
	"serial", stream_send, stream_fd, stream_want_write, stream_service, stream_next_due,
	stream_close, NULL, NULL, /* (a tty has no MSG_DONTWAIT: it is non-blocking, polled) */
};

int stream_transport_new(int fd, const char *kind, bool is_socket, const char *spec,
			 struct transport **out, char *errbuf, size_t errlen)
{
	const struct transport_ops *ops = &ops_unix;
	if (strcmp(kind, "tcp") == 0)
		ops = &ops_tcp;
	else if (strcmp(kind, "serial") == 0)
		ops = &ops_serial;

#ifdef _WIN32
	/* Winsock has no MSG_DONTWAIT: the socket is made non-blocking, always polled. */
	if (l2k_os_set_nonblock(fd, true) < 0) {
		int e = errno;
		transport_errf(errbuf, errlen, "%s: cannot make the descriptor non-blocking: %s",
			       spec, l2k_os_strerror(e));
		l2k_os_close(fd);
		return transport_errno(e);
	}
#else
	/* A socket stays blocking (wait_input; every other call says MSG_DONTWAIT); a tty, which
	 * has no such flag, is made non-blocking. */
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, is_socket ? fl & ~O_NONBLOCK : fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		int e = errno;
		transport_errf(errbuf, errlen, "%s: cannot make the descriptor non-blocking: %s",
			       spec, strerror(e));
		close(fd);
		return transport_errno(e);
	}
#if !defined(MSG_NOSIGNAL) && defined(SO_NOSIGPIPE)
	if (is_socket) {
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof(one));
	}
#endif
#endif /* _WIN32 */
	struct stream *s = calloc(1, sizeof(*s));
	uint8_t *ring = malloc(STREAM_OUTBUF_MAX);
	if (!s || !ring) {
		free(s);
		free(ring);
		l2k_os_close(fd);
		transport_errf(errbuf, errlen, "%s: out of memory", spec);
		return L2K_ENOMEM;
	}
	s->t.ops = ops;
	snprintf(s->t.spec, sizeof(s->t.spec), "%s", spec);
	s->fd = fd;
	s->is_socket = is_socket;
#ifndef _WIN32
	s->blocking_fd = is_socket;
#endif
	s->is_unix = ops == &ops_unix;
	atomic_init(&s->wrote, false);
	s->out = ring;
	h4_init(&s->framer, s->rxpkt, sizeof(s->rxpkt), on_packet, s);
	*out = &s->t;
	return 0;
}
