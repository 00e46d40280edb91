/* The kernel's side of the VM interop scenario: a Linux L2CAP socket (AF_BLUETOOTH,
 * BTPROTO_L2CAP, SOCK_SEQPACKET) speaking the same little protocol as tests/progs/vm_xfer.c:
 * a file each way at once, then "DONE" from the connecting side, "DONE" back, and the
 * connecting side closes.
 *
 *   kpeer listen PSM MODE SEND RECV BYTES [--ready-file F] [--timeout S] [--sec LEVEL]
 *   kpeer connect ADDR PSM MODE SEND RECV BYTES [--timeout S] [--sec LEVEL]
 *   MODE: basic | ertm | streaming (BR/EDR, set through L2CAP_OPTIONS) | le (LE credit based)
 *         | ecfc (LE, BT_MODE = BT_MODE_EXT_FLOWCTL; needs bluetooth.enable_ecred=1)
 *   --sec: the socket's security level (setsockopt SOL_BLUETOOTH BT_SECURITY): low, medium,
 *         high or fips (1..4; the kernel's default is low).  A listening socket passes it to
 *         the channels it accepts.  Once the channel is open the level and the link's
 *         encryption key size (getsockopt BT_SECURITY) are printed.
 *
 * Constants are the kernel's uapi values (include/net/bluetooth/{bluetooth,l2cap}.h), so the
 * BlueZ development headers are not needed.  A test fixture, not part of l2kit.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#ifndef AF_BLUETOOTH
#define AF_BLUETOOTH 31
#endif
#define BTPROTO_L2CAP 0
#define SOL_BLUETOOTH 274
#define BT_SECURITY 4
#define BT_MODE 15
#define BT_SNDMTU 12
#define BT_RCVMTU 13
#define BT_MODE_EXT_FLOWCTL 0x04
#define SOL_L2CAP 6
#define L2CAP_OPTIONS 0x01
#define L2CAP_MODE_BASIC 0x00
#define L2CAP_MODE_ERTM 0x03
#define L2CAP_MODE_STREAMING 0x04
#define BDADDR_BREDR 0x00
#define BDADDR_LE_PUBLIC 0x01

struct l2_sockaddr {
	sa_family_t l2_family;
	unsigned short l2_psm;
	uint8_t l2_bdaddr[6]; /* least significant octet first */
	unsigned short l2_cid;
	uint8_t l2_bdaddr_type;
};

struct l2_options {
	uint16_t omtu;
	uint16_t imtu;
	uint16_t flush_to;
	uint8_t mode;
	uint8_t fcs;
	uint8_t max_tx;
	uint16_t txwin_size;
};

struct bt_security {
	uint8_t level;
	uint8_t key_size;
};

static int timeout_s = 180;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_addr(const char *s, uint8_t out[6])
{
	unsigned b[6];
	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[5], &b[4], &b[3], &b[2], &b[1], &b[0]) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		out[i] = (uint8_t)b[i];
	return 0;
}

struct sender {
	int fd;
	const uint8_t *buf;
	size_t len, sdu, sent;
	int err;
};

static void *send_all(void *arg)
{
	struct sender *s = arg;
	while (s->sent < s->len) {
		size_t n = s->len - s->sent < s->sdu ? s->len - s->sent : s->sdu;
		ssize_t r = send(s->fd, s->buf + s->sent, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			s->err = errno;
			return NULL;
		}
		s->sent += (size_t)r;
	}
	return NULL;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
	if (b && n > 0 && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*len = n > 0 ? (size_t)n : 0;
	return b;
}

static int set_mode(int fd, const char *mode, bool *le)
{
	*le = !strcmp(mode, "le") || !strcmp(mode, "ecfc");
	if (!strcmp(mode, "ecfc")) {
		uint8_t m = BT_MODE_EXT_FLOWCTL;
		if (setsockopt(fd, SOL_BLUETOOTH, BT_MODE, &m, sizeof(m)) < 0) {
			fprintf(stderr, "kpeer: setsockopt BT_MODE ext_flowctl: %s (is "
				"bluetooth.enable_ecred set?)\n", strerror(errno));
			return -1;
		}
		return 0;
	}
	if (*le)
		return 0; /* LE sockets are LE credit based by default */
	struct l2_options o;
	socklen_t ol = sizeof(o);
	memset(&o, 0, sizeof(o));
	if (getsockopt(fd, SOL_L2CAP, L2CAP_OPTIONS, &o, &ol) < 0) {
		fprintf(stderr, "kpeer: getsockopt L2CAP_OPTIONS: %s\n", strerror(errno));
		return -1;
	}
	if (!strcmp(mode, "basic"))
		o.mode = L2CAP_MODE_BASIC;
	else if (!strcmp(mode, "ertm"))
		o.mode = L2CAP_MODE_ERTM;
	else if (!strcmp(mode, "streaming"))
		o.mode = L2CAP_MODE_STREAMING;
	else {
		fprintf(stderr, "kpeer: unknown mode %s\n", mode);
		return -1;
	}
	if (setsockopt(fd, SOL_L2CAP, L2CAP_OPTIONS, &o, sizeof(o)) < 0) {
		fprintf(stderr, "kpeer: setsockopt L2CAP_OPTIONS mode %u: %s\n", o.mode,
			strerror(errno));
		return -1;
	}
	return 0;
}

static void show_sec(int fd)
{
	struct bt_security sec;
	socklen_t l = sizeof(sec);
	memset(&sec, 0, sizeof(sec));
	if (getsockopt(fd, SOL_BLUETOOTH, BT_SECURITY, &sec, &l) < 0) {
		printf("kpeer: getsockopt BT_SECURITY: %s\n", strerror(errno));
		return;
	}
	printf("kpeer: security level %u, encryption key size %u\n", sec.level, sec.key_size);
	fflush(stdout);
}

static int set_sec(int fd, const char *level)
{
	static const char *names[] = {"sdp", "low", "medium", "high", "fips"};
	struct bt_security sec = {0, 0};
	for (uint8_t i = 1; i < 5; i++)
		if (!strcmp(level, names[i]))
			sec.level = i;
	if (!sec.level) {
		fprintf(stderr, "kpeer: unknown security level %s (low, medium, high, fips)\n", level);
		return -1;
	}
	if (setsockopt(fd, SOL_BLUETOOTH, BT_SECURITY, &sec, sizeof(sec)) < 0) {
		fprintf(stderr, "kpeer: setsockopt BT_SECURITY %s: %s\n", level, strerror(errno));
		return -1;
	}
	return 0;
}

static void show_chan(int fd, bool le, const char *mode)
{
	if (le) {
		uint16_t s = 0, r = 0;
		socklen_t l = sizeof(s);
		getsockopt(fd, SOL_BLUETOOTH, BT_SNDMTU, &s, &l);
		l = sizeof(r);
		getsockopt(fd, SOL_BLUETOOTH, BT_RCVMTU, &r, &l);
		printf("kpeer: channel open (%s): send MTU %u, receive MTU %u\n", mode, s, r);
	} else {
		struct l2_options o;
		socklen_t ol = sizeof(o);
		memset(&o, 0, sizeof(o));
		getsockopt(fd, SOL_L2CAP, L2CAP_OPTIONS, &o, &ol);
		printf("kpeer: channel open (%s): mode %u, omtu %u, imtu %u, fcs %u, max_tx %u, "
		       "txwin %u\n", mode, o.mode, o.omtu, o.imtu, o.fcs, o.max_tx, o.txwin_size);
	}
	fflush(stdout);
}

static size_t send_mtu(int fd, bool le)
{
	if (le) {
		uint16_t s = 0;
		socklen_t l = sizeof(s);
		if (getsockopt(fd, SOL_BLUETOOTH, BT_SNDMTU, &s, &l) == 0 && s)
			return s;
		return 23;
	}
	struct l2_options o;
	socklen_t ol = sizeof(o);
	if (getsockopt(fd, SOL_L2CAP, L2CAP_OPTIONS, &o, &ol) == 0 && o.omtu)
		return o.omtu;
	return 48;
}

/* Receive one SDU with the timeout: bytes, 0 at close, -1 error/timeout. */
static ssize_t recv_sdu(int fd, uint8_t *buf, size_t cap)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r = poll(&p, 1, timeout_s * 1000);
	if (r == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (r < 0)
		return -1;
	return recv(fd, buf, cap, 0);
}

static int transfer(int fd, bool le, const char *send_path, const char *recv_path, size_t bytes,
		    bool closer)
{
	size_t len;
	uint8_t *out = read_file(send_path, &len);
	if (!out || len != bytes) {
		fprintf(stderr, "kpeer: %s: cannot read %zu bytes\n", send_path, bytes);
		return -1;
	}
	FILE *rf = fopen(recv_path, "wb");
	if (!rf) {
		perror(recv_path);
		return -1;
	}
	struct sender s = { .fd = fd, .buf = out, .len = len, .sdu = send_mtu(fd, le) };
	double t0 = now_s();
	pthread_t th;
	pthread_create(&th, NULL, send_all, &s);
	static uint8_t buf[65536];
	size_t got = 0, sdus = 0;
	ssize_t r = 0;
	while (got < bytes) {
		r = recv_sdu(fd, buf, sizeof(buf));
		if (r <= 0)
			break;
		if (got + (size_t)r > bytes) {
			fprintf(stderr, "kpeer: received more than %zu bytes\n", bytes);
			r = -1;
			errno = EPROTO;
			break;
		}
		fwrite(buf, 1, (size_t)r, rf);
		got += (size_t)r;
		sdus++;
	}
	double t_recv = now_s() - t0;
	fclose(rf);
	if (got < bytes) {
		fprintf(stderr, "kpeer: received %zu of %zu bytes (%zu SDUs): %s\n", got, bytes, sdus,
			r == 0 ? "peer closed the channel" : strerror(errno));
		shutdown(fd, SHUT_RDWR);
		pthread_join(th, NULL);
		return -1;
	}
	pthread_join(th, NULL);
	free(out);
	if (s.err) {
		fprintf(stderr, "kpeer: sent %zu of %zu bytes: %s\n", s.sent, bytes, strerror(s.err));
		return -1;
	}
	printf("kpeer: received %zu bytes in %zu SDUs (%.1f s, %.1f KB/s); sent %zu in SDUs of <= "
	       "%zu (%.1f s)\n", got, sdus, t_recv, (double)got / 1024.0 / t_recv, s.sent, s.sdu,
	       now_s() - t0);
	fflush(stdout);
	/* DONE both ways, the closer (connecting side) first: see tests/progs/vm_xfer.c */
	for (int step = 0; step < 2; step++) {
		if ((step == 0) == closer) {
			if (send(fd, "DONE", 4, 0) != 4) {
				fprintf(stderr, "kpeer: sending DONE: %s\n", strerror(errno));
				return -1;
			}
		} else {
			r = recv_sdu(fd, buf, sizeof(buf));
			if (r != 4 || memcmp(buf, "DONE", 4) != 0) {
				fprintf(stderr, "kpeer: waiting for DONE: got %zd (%s)\n", r,
					r < 0 ? strerror(errno) : r == 0 ? "channel closed" : "not DONE");
				return -1;
			}
		}
	}
	if (!closer) {
		r = recv_sdu(fd, buf, sizeof(buf));
		if (r != 0) {
			fprintf(stderr, "kpeer: expected the peer to close, got %zd (%s)\n", r,
				r < 0 ? strerror(errno) : "data");
			return -1;
		}
		printf("kpeer: peer closed the channel\n");
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: kpeer listen PSM MODE SEND RECV BYTES [--ready-file F] "
		"[--timeout S] [--sec LEVEL]\n       kpeer connect ADDR PSM MODE SEND RECV BYTES "
		"[--timeout S] [--sec LEVEL]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *ready = NULL, *sec = NULL;
	char *pos[8];
	int npos = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--ready-file") && i + 1 < argc)
			ready = argv[++i];
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
			timeout_s = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--sec") && i + 1 < argc)
			sec = argv[++i];
		else if (npos < 8)
			pos[npos++] = argv[i];
		else
			return usage();
	}
	if (npos < 1)
		return usage();
	bool listen_mode = !strcmp(pos[0], "listen");
	if (!(listen_mode && npos == 6) && !(!strcmp(pos[0], "connect") && npos == 7))
		return usage();
	int k = listen_mode ? 1 : 2;
	unsigned psm = (unsigned)strtoul(pos[k], NULL, 0);
	const char *mode = pos[k + 1];
	size_t bytes = strtoul(pos[k + 4], NULL, 0);

	int fd = socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_L2CAP);
	if (fd < 0) {
		fprintf(stderr, "kpeer: socket(AF_BLUETOOTH, L2CAP): %s\n", strerror(errno));
		return 1;
	}
	bool le = !strcmp(mode, "le") || !strcmp(mode, "ecfc");
	struct l2_sockaddr sa;
	memset(&sa, 0, sizeof(sa));
	sa.l2_family = AF_BLUETOOTH;
	sa.l2_bdaddr_type = le ? BDADDR_LE_PUBLIC : BDADDR_BREDR;
	struct timeval tv = { .tv_sec = timeout_s };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (sec && set_sec(fd, sec) < 0)
		return 1;
	int rcvbuf = 4 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	int cfd;
	if (listen_mode) {
		sa.l2_psm = (unsigned short)psm; /* little endian on x86 (htobs) */
		/* the mode is set once bound: BT_MODE is refused before (l2cap_sock_setsockopt) */
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || set_mode(fd, mode, &le) < 0 ||
		    listen(fd, 1) < 0) {
			fprintf(stderr, "kpeer: bind/listen psm 0x%x: %s\n", psm, strerror(errno));
			return 1;
		}
		printf("kpeer: listening on psm 0x%04x (%s)\n", psm, mode);
		fflush(stdout);
		if (ready) {
			FILE *f = fopen(ready, "w");
			if (f)
				fclose(f);
		}
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, timeout_s * 1000) != 1) {
			fprintf(stderr, "kpeer: nobody connected within %d s\n", timeout_s);
			return 1;
		}
		cfd = accept(fd, NULL, NULL);
		if (cfd < 0) {
			fprintf(stderr, "kpeer: accept: %s\n", strerror(errno));
			return 1;
		}
	} else {
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			fprintf(stderr, "kpeer: bind: %s\n", strerror(errno));
			return 1;
		}
		if (set_mode(fd, mode, &le) < 0)
			return 1;
		sa.l2_psm = (unsigned short)psm;
		if (parse_addr(pos[1], sa.l2_bdaddr) < 0)
			return usage();
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			fprintf(stderr, "kpeer: connect to %s psm 0x%x (%s): %s\n", pos[1], psm, mode,
				strerror(errno));
			return 1;
		}
		cfd = fd;
	}
	setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	show_chan(cfd, le, mode);
	if (sec)
		show_sec(cfd);
	int r = transfer(cfd, le, pos[k + 2], pos[k + 3], bytes, !listen_mode);
	close(cfd);
	if (cfd != fd)
		close(fd);
	if (r == 0)
		printf("kpeer: PASSED\n");
	return r == 0 ? 0 : 1;
}
