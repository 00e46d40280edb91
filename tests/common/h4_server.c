/* Simulated controllers over a unix socket (on Windows a loopback TCP socket), served by a
 * thread (tests/common/h4_server.h). */
#include "tests/common/h4_server.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef _WIN32
#define sock_read l2k_os_recv
#define sock_write l2k_os_send
#else
#include <sys/socket.h>
#include <sys/un.h>
#define sock_read read
/* a client that closed its end must not kill the test process with SIGPIPE (the stack under
 * test closes its transport whenever it is done: the write fails with EPIPE instead) */
static ssize_t sock_write(int fd, const void *buf, size_t len)
{
	return send(fd, buf, len, MSG_NOSIGNAL);
}
#endif

#include "base/l2k_os.h"

#define H4S_CLIENTS 8
#define H4S_OUT (256u * 1024u)

struct h4s_client {
	int fd; /* -1: free */
	l2k_sim_ctrl *ctrl;
	uint8_t *out;
	size_t out_len;
};

struct h4_server {
	pthread_t th;
	int lfd, stop_r, stop_w;
	char path[108];
	l2k_sim_air *air;
	struct l2k_sim_opts opts;
	struct h4s_client c[H4S_CLIENTS];
	uint64_t t0;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void client_drop(struct h4s_client *c)
{
	l2k_sim_ctrl_free(c->ctrl);
	l2k_os_close(c->fd);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static void client_accept(struct h4_server *h)
{
	int fd = (int)accept(h->lfd, NULL, NULL);
	if (fd < 0)
		return;
	for (int i = 0; i < H4S_CLIENTS; i++) {
		struct h4s_client *c = &h->c[i];
		if (c->fd >= 0)
			continue;
		c->out = malloc(H4S_OUT);
		if (!c->out || l2k_sim_ctrl_new(h->air, &h->opts, &c->ctrl) < 0) {
			free(c->out);
			c->out = NULL;
			break;
		}
		l2k_os_set_nonblock(fd, true);
		c->fd = fd;
		return;
	}
	l2k_os_close(fd); /* no room: the stack sees the connection closed */
}

/* false: the client is gone */
static bool client_read(struct h4s_client *c)
{
	uint8_t buf[16384];
	for (;;) {
		ssize_t n = sock_read(c->fd, buf, sizeof(buf));
		if (n > 0) {
			if (l2k_sim_ctrl_feed_h4(c->ctrl, buf, (size_t)n) < 0)
				return false;
			continue;
		}
		return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
	}
}

/* Controller output into the client's buffer, and as much of it as the socket takes. */
static bool client_write(struct h4s_client *c)
{
	uint8_t pkt[1 + L2K_SIM_PKT_MAX];
	while (l2k_sim_ctrl_has_output(c->ctrl) && c->out_len + sizeof(pkt) <= H4S_OUT) {
		uint8_t type;
		size_t len = l2k_sim_ctrl_pop(c->ctrl, &type, pkt + 1, L2K_SIM_PKT_MAX);
		if (!len)
			break;
		pkt[0] = type;
		memcpy(c->out + c->out_len, pkt, len + 1);
		c->out_len += len + 1;
	}
	size_t done = 0;
	while (done < c->out_len) {
		ssize_t n = sock_write(c->fd, c->out + done, c->out_len - done);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			break;
		return false;
	}
	memmove(c->out, c->out + done, c->out_len - done);
	c->out_len -= done;
	return true;
}

static void *serve(void *arg)
{
	struct h4_server *h = arg;
	struct pollfd pf[2 + H4S_CLIENTS];
	int idx[2 + H4S_CLIENTS];
	for (;;) {
		uint64_t now = mono_ms() - h->t0;
		int n = 0;
		pf[n] = (struct pollfd){.fd = h->stop_r, .events = POLLIN};
		idx[n++] = -1;
		pf[n] = (struct pollfd){.fd = h->lfd, .events = POLLIN};
		idx[n++] = -1;
		for (int i = 0; i < H4S_CLIENTS; i++) {
			if (h->c[i].fd < 0)
				continue;
			pf[n] = (struct pollfd){.fd = h->c[i].fd,
						.events = (short)(POLLIN | (h->c[i].out_len ? POLLOUT : 0))};
			idx[n++] = i;
		}
		uint64_t due = l2k_sim_air_next_due(h->air);
		int timeout = due == UINT64_MAX ? 100 : due <= now ? 0 : due - now < 100 ? (int)(due - now) : 100;
		if (l2k_os_poll(pf, (unsigned)n, timeout) < 0 && errno != EINTR)
			break;
		if (pf[0].revents)
			break;
		if (pf[1].revents)
			client_accept(h);
		now = mono_ms() - h->t0;
		l2k_sim_air_advance(h->air, now);
		for (int k = 2; k < n; k++)
			if (pf[k].revents && !client_read(&h->c[idx[k]]))
				client_drop(&h->c[idx[k]]);
		l2k_sim_air_advance(h->air, now);
		for (int i = 0; i < H4S_CLIENTS; i++)
			if (h->c[i].fd >= 0 && !client_write(&h->c[i]))
				client_drop(&h->c[i]);
	}
	return NULL;
}

struct h4_server *h4_server_start(const char *profile, const struct l2k_sim_opts *o, char *spec, size_t len)
{
	static unsigned n;
	struct h4_server *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	for (int i = 0; i < H4S_CLIENTS; i++)
		h->c[i].fd = -1;
	if (o)
		h->opts = *o;
	else
		l2k_sim_opts_default(&h->opts, L2K_SIM_DUAL);
	char name[64];
	snprintf(name, sizeof(name), "h4srv-%d-%u", (int)getpid(), n);
	snprintf(h->path, sizeof(h->path), "/tmp/l2k-h4srv-%d-%u.sock", (int)getpid(), n++);
	h->air = l2k_sim_air_open(name);
	int p[2] = {-1, -1};
#ifdef _WIN32 /* (the Windows build has no unix: transport) */
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int salen = sizeof(sa);
	l2k_os_init();
	h->lfd = (int)socket(AF_INET, SOCK_STREAM, 0);
	if (!h->air || (profile && l2k_sim_air_set_profile(h->air, profile) < 0) || h->lfd < 0 ||
	    bind(h->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(h->lfd, (struct sockaddr *)&sa, &salen) < 0 || listen(h->lfd, 8) < 0 ||
	    l2k_os_wake_pair(&p[0], &p[1]) < 0) {
		fprintf(stderr, "h4_server: cannot serve on the loopback address\n");
		goto fail;
	}
	snprintf(h->path, sizeof(h->path), "127.0.0.1:%u", (unsigned)ntohs(sa.sin_port));
#else
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", h->path);
	unlink(h->path);
	h->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (!h->air || (profile && l2k_sim_air_set_profile(h->air, profile) < 0) || h->lfd < 0 ||
	    bind(h->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(h->lfd, 8) < 0 || pipe(p) < 0) {
		fprintf(stderr, "h4_server: cannot serve %s: %s\n", h->path, strerror(errno));
		goto fail;
	}
#endif
	h->stop_r = p[0];
	h->stop_w = p[1];
	h->t0 = mono_ms();
	if (pthread_create(&h->th, NULL, serve, h) != 0)
		goto fail;
#ifdef _WIN32
	snprintf(spec, len, "tcp:%s", h->path);
#else
	snprintf(spec, len, "unix:%s", h->path);
#endif
	return h;
fail:
	if (p[0] >= 0) {
		l2k_os_close(p[0]);
		l2k_os_close(p[1]);
	}
	if (h->lfd >= 0)
		l2k_os_close(h->lfd);
	unlink(h->path);
	if (h->air)
		l2k_sim_air_close(h->air);
	free(h);
	return NULL;
}

void h4_server_stop(struct h4_server *h)
{
	if (!h)
		return;
	l2k_os_wake_put(h->stop_w);
	pthread_join(h->th, NULL);
	for (int i = 0; i < H4S_CLIENTS; i++)
		if (h->c[i].fd >= 0)
			client_drop(&h->c[i]);
	l2k_os_close(h->stop_r);
	l2k_os_close(h->stop_w);
	l2k_os_close(h->lfd);
#ifndef _WIN32
	unlink(h->path);
#endif
	l2k_sim_air_close(h->air);
	free(h);
}
