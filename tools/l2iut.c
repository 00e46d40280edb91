/* l2iut: l2kit as an implementation under test, obeying l2tester's control protocol on a unix
 * socket (docs/l2tester.md).  Public API only. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <l2kit/l2kit.h>

#include "tools/common/tool.h"
#include "tools/l2tester/iut_core.h"

#define PROG "l2iut"
#define MAX_DEFECTS 8

static void usage(FILE *f)
{
	fprintf(f, "usage: l2iut -t SPEC --control unix:PATH [--defect NAME ...] [--btsnoop FILE] [-v]\n"
		   "  Opens a stack on SPEC, makes it connectable (BR/EDR page scan, LE advertising) and obeys\n"
		   "  l2tester's control protocol on the unix socket PATH, one client at a time: listen,\n"
		   "  connect, send, disconnect ... with events for what its application sees (see\n"
		   "  docs/l2tester.md).  Runs until 'quit' or SIGINT / SIGTERM.\n"
		   "  -t, --transport SPEC  controller: hciN | usb[:...] | unix:PATH | tcp:HOST:PORT |\n"
		   "                        serial:DEV[,BAUD] | sim[:...]\n"
		   "      --control unix:PATH  the control socket (made; removed at exit)\n"
		   "      --defect NAME     TEST ONLY: a deliberately broken IUT, for checking testers:\n"
		   "                        wrong-ident (responses carry the request's identifier + 1),\n"
		   "                        skip-mtu-check (a Configuration Request's MTU below 48 accepted)\n"
		   "      --btsnoop FILE    capture every HCI packet to FILE\n"
		   "  -v, --verbose         print every request, answer and event on stderr\n"
		   "  -h, --help\n");
}

struct iut {
	int client;
	bool verbose;
	struct iut_core *core;
};

static void put_line(struct iut *u, const char *line)
{
	if (u->verbose)
		fprintf(stderr, PROG ": > %s\n", line);
	if (u->client < 0)
		return;
	size_t n = strlen(line);
	char *b = malloc(n + 1);
	if (!b)
		return;
	memcpy(b, line, n);
	b[n] = '\n';
	size_t off = 0;
	while (off < n + 1) {
		ssize_t w = write(u->client, b + off, n + 1 - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	free(b);
}

static void emit(void *user, const char *line)
{
	put_line(user, line);
}

static void link_up(void *user, const struct l2k_link_info *li)
{
	struct iut *u = user;
	if (u->core)
		iut_core_link_up(u->core, li);
}

static void link_failed(void *user, const l2k_addr *peer, enum l2k_addr_type type, uint8_t status)
{
	struct iut *u = user;
	(void)type;
	if (u->core)
		iut_core_link_failed(u->core, peer, status);
}

static void link_down(void *user, const struct l2k_link_info *li, uint8_t reason)
{
	struct iut *u = user;
	if (u->core)
		iut_core_link_down(u->core, li, reason);
}

int main(int argc, char **argv)
{
	const char *spec = NULL, *control = NULL, *snoop = NULL, *defects[MAX_DEFECTS];
	int nd = 0;
	struct iut u = {.client = -1};
	enum { O_CONTROL = 0x100, O_DEFECT, O_BTSNOOP };
	static const struct option lo[] = {{"transport", required_argument, 0, 't'},
					   {"control", required_argument, 0, O_CONTROL},
					   {"defect", required_argument, 0, O_DEFECT},
					   {"btsnoop", required_argument, 0, O_BTSNOOP},
					   {"verbose", no_argument, 0, 'v'},
					   {"help", no_argument, 0, 'h'},
					   {0, 0, 0, 0}};
	int o;
	tool_signals_init(PROG);
	while ((o = getopt_long(argc, argv, "t:vh", lo, NULL)) != -1) {
		switch (o) {
		case 't': spec = optarg; break;
		case O_CONTROL: control = optarg; break;
		case O_DEFECT:
			if (nd == MAX_DEFECTS) {
				fprintf(stderr, PROG ": too many --defect\n");
				return 2;
			}
			if (strcmp(optarg, "wrong-ident") && strcmp(optarg, "skip-mtu-check")) {
				fprintf(stderr, PROG ": unknown --defect '%s' (wrong-ident, skip-mtu-check)\n", optarg);
				return 2;
			}
			defects[nd++] = optarg;
			break;
		case O_BTSNOOP: snoop = optarg; break;
		case 'v': u.verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!spec || !control || optind < argc) {
		usage(stderr);
		return 2;
	}
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strncmp(control, "unix:", 5) || !control[5] || strlen(control + 5) >= sizeof(sa.sun_path)) {
		fprintf(stderr, PROG ": --control must be unix:PATH\n");
		return 2;
	}
	strcpy(sa.sun_path, control + 5);
	char err[256];
	l2k_stack *s;
	struct l2k_stack_opts so = {.btsnoop_path = snoop};
	struct l2k_stack_cbs cbs = {.user = &u, .link_up = link_up, .link_down = link_down, .link_failed = link_failed};
	if (l2k_stack_open(spec, &so, &cbs, &s, err, sizeof(err)) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return 2;
	}
	int r = l2k_wait_ready(s, 15000);
	if (r < 0) {
		fprintf(stderr, PROG ": %s: controller not ready: %s\n", spec, l2k_last_error(s));
		l2k_stack_close(s);
		return 2;
	}
	for (int i = 0; i < nd; i++)
		l2k_test_defect(s, defects[i]);
	u.core = iut_core_new(s, emit, &u);
	if (u.core)
		iut_core_keep_advertising(u.core); /* L2K_ENOTSUP on a BR/EDR-only controller: fine */
	int ls = socket(AF_UNIX, SOCK_STREAM, 0);
	unlink(sa.sun_path);
	if (!u.core || ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 1) < 0) {
		fprintf(stderr, PROG ": cannot listen on %s: %s\n", control, strerror(errno));
		l2k_stack_close(s);
		return 2;
	}
	struct l2k_controller_info ci;
	char a[18];
	l2k_controller_info(s, &ci);
	printf(PROG ": %s ready, controller %s%s%s\n", control, l2k_addr_str(&ci.addr, a), nd ? ", defect " : "",
	       nd ? defects[0] : "");
	fflush(stdout);
	tool_signals_graceful(true);
	char buf[16384];
	size_t len = 0;
	int quit = 0, rc = 0;
	while (!quit && !tool_signal()) {
		if ((r = l2k_step(s)) < 0) {
			fprintf(stderr, PROG ": transport failed: %s\n", l2k_strerror(r));
			rc = 1;
			break;
		}
		iut_core_poll(u.core);
		uint64_t due = l2k_next_due(s), now = l2k_now(s);
		int wait = due == UINT64_MAX ? 200 : due > now ? (int)(due - now > 200 ? 200 : due - now) : 0;
		struct pollfd pf[4];
		int np = 0, fd = l2k_fd(s);
		if (fd >= 0)
			pf[np++] = (struct pollfd){.fd = fd, .events = (short)(POLLIN | (l2k_fd_wants_write(s) ? POLLOUT : 0))};
		int ci_i = -1, ls_i = np;
		pf[np++] = (struct pollfd){.fd = ls, .events = POLLIN};
		if (u.client >= 0) {
			ci_i = np;
			pf[np++] = (struct pollfd){.fd = u.client, .events = POLLIN};
		}
		pf[np++] = (struct pollfd){.fd = tool_signal_fd(), .events = POLLIN};
		if (poll(pf, (nfds_t)np, wait) < 0 && errno != EINTR)
			break;
		if (pf[ls_i].revents & POLLIN) {
			int c = accept(ls, NULL, NULL);
			if (c >= 0 && u.client >= 0) {
				static const char busy[] = "err busy: one client at a time\n";
				if (write(c, busy, sizeof(busy) - 1) < 0) {
				}
				close(c);
			} else if (c >= 0) {
				u.client = c;
				len = 0;
			}
		}
		if (ci_i >= 0 && (pf[ci_i].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t n = read(u.client, buf + len, sizeof(buf) - len);
			if (n <= 0) {
				close(u.client);
				u.client = -1;
				continue;
			}
			len += (size_t)n;
			char *nl;
			while ((nl = memchr(buf, '\n', len)) != NULL) {
				*nl = 0;
				if (nl > buf && nl[-1] == '\r')
					nl[-1] = 0;
				if (u.verbose)
					fprintf(stderr, PROG ": < %s\n", buf);
				char ans[512], line[530];
				if (buf[0]) {
					r = iut_core_request(u.core, buf, ans, sizeof(ans), &quit);
					if (r == 0)
						snprintf(line, sizeof(line), "ok%s%s", *ans ? " " : "", ans);
					else
						snprintf(line, sizeof(line), "err %s", *ans ? ans : l2k_strerror(r));
					put_line(&u, line);
				}
				size_t used = (size_t)(nl - buf) + 1;
				memmove(buf, nl + 1, len - used);
				len -= used;
			}
			if (len == sizeof(buf)) {
				put_line(&u, "err line too long");
				len = 0;
			}
		}
	}
	if (u.client >= 0)
		close(u.client);
	close(ls);
	unlink(sa.sun_path);
	iut_core_free(u.core);
	l2k_stack_close(s);
	if (tool_signal())
		return tool_signal_status();
	return rc;
}
