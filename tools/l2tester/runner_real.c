/* l2tester against a real IUT (split from runner.c: POSIX only, not in the Windows build):
 * the tester's stack on a transport with the wall clock, and the IUT backends (agent over a unix
 * socket, --iut-control command, terminal prompt). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <l2kit/l2kit_sim.h>

#include "tools/l2tester/cases.h"
#include "tools/l2tester/iut_core.h"
#include "tools/l2tester/runner.h"

/* ---- a real transport ------------------------------------------------------------------------ */

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct real {
	struct lt *t;
	int ready, ready_err;
	bool failed;
	int iut_failed_before; /* obs.link_failed before the link was asked for */
};

static uint64_t real_now(struct lt *t)
{
	(void)t;
	return mono_ms();
}

/* The poll loop: the tester's stack and the backend's descriptor (its events). */
static bool real_run_until(struct lt *t, bool (*pred)(void *arg), void *arg, uint64_t ms)
{
	uint64_t end = mono_ms() + lt_bound_wait(t, ms);
	for (;;) {
		if (l2k_step(t->st) < 0)
			return false;
		if (t->iut->pump)
			t->iut->pump(t->iut->u);
		if (pred && pred(arg))
			return true;
		uint64_t now = mono_ms();
		if (now >= end) {
			lt_bound_check(t);
			return false;
		}
		uint64_t wait = end - now;
		uint64_t due = l2k_next_due(t->st), sn = l2k_now(t->st);
		if (due != UINT64_MAX && (due > sn ? due - sn : 0) < wait)
			wait = due > sn ? due - sn : 0;
		if (wait > 100)
			wait = 100;
		struct pollfd pf[2];
		int np = 0;
		int fd = l2k_fd(t->st);
		if (fd >= 0)
			pf[np++] = (struct pollfd){.fd = fd, .events = (short)(POLLIN | (l2k_fd_wants_write(t->st) ? POLLOUT : 0))};
		fd = t->iut->fd ? t->iut->fd(t->iut->u) : -1;
		if (fd >= 0)
			pf[np++] = (struct pollfd){.fd = fd, .events = POLLIN};
		if (poll(pf, (nfds_t)np, (int)wait) < 0 && errno != EINTR)
			return false;
	}
}

static void real_ready_cb(void *u, int err)
{
	struct real *rl = u;
	rl->ready++;
	if (err < 0)
		rl->ready_err = err;
}

static void real_up(void *u, const struct l2k_link_info *li)
{
	struct real *rl = u;
	if (!rl->t->handle)
		rl->t->handle = li->handle;
}

static void real_down(void *u, const struct l2k_link_info *li, uint8_t reason)
{
	struct real *rl = u;
	if (li->handle == rl->t->handle) {
		rl->t->link_down = true;
		rl->t->link_down_reason = reason;
	}
}

static void real_failed(void *u, const l2k_addr *peer, enum l2k_addr_type type, uint8_t status)
{
	struct real *rl = u;
	(void)peer;
	(void)type;
	(void)status;
	rl->failed = true;
}

static bool real_is_ready(void *arg)
{
	return ((struct real *)arg)->ready > 0;
}

static bool real_linked(void *arg)
{
	struct real *rl = arg;
	return rl->t->handle || rl->failed || rl->t->obs.link_failed > rl->iut_failed_before;
}

static bool real_unlinked(void *arg)
{
	return ((struct real *)arg)->t->link_down;
}

struct iut_up {
	struct lt *t;
};

static bool iut_linked(void *arg)
{
	return ((struct iut_up *)arg)->t->obs.link_up > 0;
}

struct iut_down {
	struct lt *t;
	int before;
};

static bool iut_unlinked(void *arg)
{
	struct iut_down *w = arg;
	return w->t->obs.link_down > w->before;
}

int lt_run_real(const struct lt_case *c, const char *spec, const l2k_addr *iut, enum l2k_addr_type type,
		struct lt_iut_backend *b, const struct lt_run_opts *o, struct lt_result *res)
{
	struct lt t;
	struct real rl = {0};
	char err[256];
	l2k_stack *st = NULL;
	int r;
	memset(res, 0, sizeof(*res));
	if (lt_init(&t) < 0)
		return L2K_ENOMEM;
	rl.t = &t;
	t.le = type != L2K_ADDR_BREDR;
	t.verbose = o->verbose;
	t.iut = b;
	b->cur = &t;
	t.iut_addr = *iut;
	t.iut_type = type;
	t.psm = o->psm ? o->psm : lt_default_psm(c, t.le);
	t.clk = (struct lt_clock){.run_until = real_run_until, .now = real_now, .u = &rl};
	struct l2k_security_opts legacy;
	l2k_security_opts_default(&legacy);
	legacy.legacy_pairing = true;
	legacy.auto_accept = true; /* it pairs when a case asks: PIN 0000, any question yes */
	legacy.pin = LT_PIN;
	struct l2k_stack_opts so = {.btsnoop_path = o->btsnoop, .security = &legacy};
	struct l2k_stack_cbs cbs = {.user = &rl, .ready = real_ready_cb, .link_up = real_up, .link_down = real_down,
				    .link_failed = real_failed};
	uint64_t start = mono_ms();
	r = l2k_stack_open(spec, &so, &cbs, &st, err, sizeof(err));
	if (r < 0) {
		lt_inconclusive(&t, "set-up: %s", err);
		goto out;
	}
	struct l2k_raw_cbs rc = lt_raw_cbs(&t);
	t.st = st;
	if ((r = l2k_raw_attach_ex(st, &rc, lt_case_keeps_sm(c) ? L2K_RAW_KEEP_SM : 0)) < 0 || !real_run_until(&t, real_is_ready, &rl, 15000) || rl.ready_err) {
		lt_inconclusive(&t, "set-up: the tester's controller did not come up (%s)", l2k_last_error(st));
		goto out;
	}
	struct l2k_controller_info ti;
	l2k_controller_info(st, &ti);
	t.tst_addr = ti.addr;
	char a[200];
	if (t.le ? !ti.le : !ti.bredr) {
		/* e.g. btvirt's bt-server-bredr: BR/EDR-only controllers; the case cannot run here */
		lt_na(&t, "the tester's controller (%s) has no %s: %s cases do not run on this transport", spec,
		      t.le ? "LE" : "BR/EDR", t.le ? "LE" : "BR/EDR");
		goto out;
	}
	if (!lt_iut_reset(&t)) /* and no event of the last case's channels counts */
		goto out;
	if (t.le && c->iut_central) {
		/* the IUT creates the link: it starts initiating (its own advertising stopped by
		 * "link"), then the tester advertises; an attempt the IUT cannot finish comes back as
		 * "event link-failed", one it never got is given up at the next "reset" */
		char ta[18];
		rl.iut_failed_before = t.obs.link_failed;
		if (!lt_iut(&t, a, sizeof(a), "link addr=%s transport=le-public", l2k_addr_str(&t.tst_addr, ta)))
			goto out;
		r = l2k_le_advertise(st, true, NULL, 0);
	} else {
		r = l2k_link_connect(st, iut, type);
	}
	if (r < 0 || !real_run_until(&t, real_linked, &rl, 15000) || rl.failed ||
	    (!t.handle && t.obs.link_failed > rl.iut_failed_before)) {
		char s[18];
		if (!rl.failed && r >= 0 && t.obs.link_failed > rl.iut_failed_before) {
			lt_inconclusive(&t, "set-up: the IUT's link attempt to the tester failed (HCI status 0x%02x)",
					(unsigned)t.obs.link_failed_status);
			goto out;
		}
		lt_inconclusive(&t, "set-up: no link to the IUT %s (%s)", l2k_addr_str(iut, s),
				r < 0 ? l2k_strerror(r) : rl.failed ? "connection failed" : "timeout");
		goto out;
	}
	/* and the IUT knows the link too (an agent says so; else a moment for it) */
	if (b->events) {
		struct iut_up u = {&t};
		real_run_until(&t, iut_linked, &u, 3000);
	} else {
		lt_run(&t, 200);
	}
	lt_bound_arm(&t, o->case_limit_ms);
	lt_case_run(c, &t);
	lt_bound_arm(&t, 0);
	/* the IUT forgets the case's channels while the link is still up (a channel still
	 * connecting when its link goes could make the IUT create a link again) */
	char ra[64];
	b->action(b->u, "reset", ra, sizeof(ra));
	lt_run(&t, 20);
	int downs = t.obs.link_down;
	if (!t.link_down) {
		l2k_link_disconnect(st, t.handle, 0x13);
		real_run_until(&t, real_unlinked, &rl, 3000);
	}
	/* the IUT must see its link go before the next case makes a new one (a controller may not
	 * create a link as central while it is still peripheral of the last one) */
	struct iut_down w = {&t, downs};
	if (b->events)
		real_run_until(&t, iut_unlinked, &w, 3000);
	lt_run(&t, 50);
out:
	lt_take_result(&t, res, mono_ms() - start);
	b->cur = NULL;
	l2k_stack_close(st);
	lt_free(&t);
	return 0;
}

/* ---- backends --------------------------------------------------------------------------------- */

struct agent {
	int fd;
	char buf[16384];
	size_t len;
	struct lt_iut_backend *b;
	char last[600]; /* the last ok/err line */
	bool have_last;
};

/* Take complete lines from the socket: events go to the case, the answer to a->last. */
static int agent_read(struct agent *g, bool block, int timeout_ms)
{
	struct pollfd pf = {.fd = g->fd, .events = POLLIN};
	if (poll(&pf, 1, block ? timeout_ms : 0) <= 0)
		return 0;
	if (g->len == sizeof(g->buf))
		g->len = 0; /* a line longer than the buffer: dropped */
	ssize_t n = read(g->fd, g->buf + g->len, sizeof(g->buf) - g->len);
	if (n <= 0)
		return -1;
	g->len += (size_t)n;
	char *nl;
	while ((nl = memchr(g->buf, '\n', g->len)) != NULL) {
		*nl = 0;
		if (nl > g->buf && nl[-1] == '\r')
			nl[-1] = 0;
		if (!strncmp(g->buf, "event ", 6)) {
			if (g->b->cur)
				lt_iut_event(g->b->cur, g->buf);
		} else if (!strncmp(g->buf, "ok", 2) || !strncmp(g->buf, "err", 3)) {
			snprintf(g->last, sizeof(g->last), "%.599s", g->buf);
			g->have_last = true;
		}
		size_t used = (size_t)(nl - g->buf) + 1;
		memmove(g->buf, nl + 1, g->len - used);
		g->len -= used;
	}
	return 1;
}

static int agent_action(void *u, const char *req, char *ans, size_t n)
{
	struct agent *g = u;
	static char line[2 * LT_IUT_DATA_MAX + 130];
	int k = snprintf(line, sizeof(line), "%s\n", req);
	g->have_last = false;
	if (k <= 0 || write(g->fd, line, (size_t)k) != k) {
		snprintf(ans, n, "the agent's socket is gone");
		return L2K_EIO;
	}
	uint64_t end = mono_ms() + 10000;
	while (!g->have_last) {
		uint64_t now = mono_ms();
		if (now >= end || agent_read(g, true, (int)(end - now)) < 0) {
			snprintf(ans, n, now >= end ? "the agent did not answer" : "the agent closed the connection");
			return L2K_EIO;
		}
	}
	if (!strncmp(g->last, "ok", 2)) {
		snprintf(ans, n, "%s", g->last[2] == ' ' ? g->last + 3 : "");
		return 0;
	}
	snprintf(ans, n, "%s", g->last[3] == ' ' ? g->last + 4 : "");
	return lt_agent_err(g->last);
}

static void agent_pump(void *u)
{
	struct agent *g = u;
	while (agent_read(g, false, 0) > 0)
		;
}

static int agent_fd(void *u)
{
	return ((struct agent *)u)->fd;
}

int lt_backend_agent(const char *where, struct lt_iut_backend *b, char *why, size_t wn)
{
	if (strncmp(where, "unix:", 5) || !where[5] || strlen(where + 5) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		snprintf(why, wn, "agent address must be unix:PATH");
		return L2K_EINVAL;
	}
	struct agent *g = calloc(1, sizeof(*g));
	if (!g)
		return L2K_ENOMEM;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	strcpy(sa.sun_path, where + 5);
	g->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (g->fd < 0 || connect(g->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(why, wn, "cannot connect to %s: %s", where, strerror(errno));
		if (g->fd >= 0)
			close(g->fd);
		free(g);
		return L2K_EIO;
	}
	g->b = b;
	*b = (struct lt_iut_backend){.name = "agent", .action = agent_action, .pump = agent_pump, .fd = agent_fd,
				     .events = true, .u = g};
	return 0;
}

struct cmdhook {
	char *cmd;
};

static int cmd_action(void *u, const char *req, char *ans, size_t n)
{
	struct cmdhook *h = u;
	size_t len = strlen(h->cmd) + strlen(req) + 2;
	char *line = malloc(len);
	if (!line)
		return L2K_ENOMEM;
	snprintf(line, len, "%s %s", h->cmd, req);
	FILE *p = popen(line, "r");
	free(line);
	if (!p) {
		snprintf(ans, n, "cannot run the hook");
		return L2K_EIO;
	}
	char out[256] = "";
	if (!fgets(out, sizeof(out), p))
		out[0] = 0;
	char junk[256];
	while (fgets(junk, sizeof(junk), p))
		;
	int st = pclose(p);
	out[strcspn(out, "\r\n")] = 0;
	int code = st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	if (code == 0) {
		if (!strncmp(req, "connect", 7) && strncmp(out, "chan=", 5))
			snprintf(ans, n, "chan=1");
		else
			snprintf(ans, n, "%s", out);
		return 0;
	}
	snprintf(ans, n, "%s%shook exit status %d", out, *out ? "; " : "", code);
	return code == 3 ? L2K_ENOTSUP : L2K_EIO;
}

void lt_backend_cmd(const char *cmd, struct lt_iut_backend *b)
{
	struct cmdhook *h = calloc(1, sizeof(*h));
	if (h)
		h->cmd = strdup(cmd);
	*b = (struct lt_iut_backend){.name = "command", .action = cmd_action, .u = h};
}

static int prompt_action(void *u, const char *req, char *ans, size_t n)
{
	(void)u;
	if (!strcmp(req, "reset"))
		return 0; /* between cases: nothing to ask a person */
	if (!isatty(0)) {
		snprintf(ans, n, "IUT action needed (no terminal, no --iut-agent or --iut-control)");
		return L2K_ENOTSUP;
	}
	fprintf(stderr, "IUT ACTION: %s -- press Enter when done, n if it cannot: ", req);
	char line[64];
	if (!fgets(line, sizeof(line), stdin) || line[0] == 'n' || line[0] == 'N') {
		snprintf(ans, n, "the operator said no");
		return L2K_ENOTSUP;
	}
	if (!strncmp(req, "connect", 7))
		snprintf(ans, n, "chan=1");
	return 0;
}

void lt_backend_prompt(struct lt_iut_backend *b)
{
	*b = (struct lt_iut_backend){.name = "prompt", .action = prompt_action};
}

void lt_backend_close(struct lt_iut_backend *b)
{
	if (b->action == agent_action) {
		struct agent *g = b->u;
		close(g->fd);
		free(g);
	} else if (b->action == cmd_action) {
		struct cmdhook *h = b->u;
		if (h)
			free(h->cmd);
		free(h);
	}
	b->u = NULL;
}
