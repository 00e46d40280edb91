/* Running l2tester's cases (runner.h). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <l2kit/l2kit_sim.h>

#include "tools/l2tester/cases.h"
#include "tools/l2tester/iut_core.h"
#include "tools/l2tester/runner.h"

void lt_result_free(struct lt_result *r)
{
	free(r->log);
	r->log = NULL;
}

void lt_take_result(struct lt *t, struct lt_result *res, uint64_t ms)
{
	res->verdict = t->verdict;
	snprintf(res->reason, sizeof(res->reason), "%s", t->reason);
	res->log = t->log;
	t->log = NULL;
	res->ms = ms;
}

uint16_t lt_default_psm(const struct lt_case *c, bool le)
{
	(void)c;
	return le ? 0x0080 : 0x1001;
}

/* ---- in-process ----------------------------------------------------------------------------- */

struct inproc {
	struct l2k_vclock vc;
	l2k_stack *st[2]; /* IUT, tester */
	struct iut_core *core;
	struct lt *t;
	uint16_t iut_handle;
	int ready, ready_err;
	bool pending; /* lt_run_opts.iut_pending */
	bool (*pred)(void *arg);
	void *arg;
};

/* Each step: the IUT core accepts the channels it answered "pending", then the case's pred. */
static bool inproc_pred(void *arg)
{
	struct inproc *ip = arg;
	iut_core_poll(ip->core);
	return ip->pred && ip->pred(ip->arg);
}

static bool inproc_run_until(struct lt *t, bool (*pred)(void *arg), void *arg, uint64_t ms)
{
	struct inproc *ip = t->clk.u;
	bool (*op)(void *) = ip->pred;
	void *oa = ip->arg;
	ip->pred = pred;
	ip->arg = arg;
	bool r = l2k_sim_run_until(ip->st, 2, &ip->vc, inproc_pred, ip, lt_bound_wait(t, ms)) == 0;
	ip->pred = op;
	ip->arg = oa;
	if (!r)
		lt_bound_check(t);
	return r;
}

static uint64_t inproc_now(struct lt *t)
{
	return ((struct inproc *)t->clk.u)->vc.now_ms;
}

static void inproc_emit(void *u, const char *line)
{
	struct inproc *ip = u;
	lt_iut_event(ip->t, line);
}

static int inproc_action(void *u, const char *req, char *ans, size_t n)
{
	struct inproc *ip = u;
	if (ip->pending && !strncmp(req, "listen ", 7) && strstr(req, "transport=bredr") && !strstr(req, " accept=")) {
		char r2[256];
		snprintf(r2, sizeof(r2), "%s accept=pending", req);
		return iut_core_request(ip->core, r2, ans, n, NULL);
	}
	return iut_core_request(ip->core, req, ans, n, NULL);
}

static void inproc_iut_up(void *u, const struct l2k_link_info *li)
{
	((struct inproc *)u)->iut_handle = li->handle;
}

static void inproc_iut_down(void *u, const struct l2k_link_info *li, uint8_t reason)
{
	struct inproc *ip = u;
	if (ip->core)
		iut_core_link_down(ip->core, li, reason);
}

static void inproc_iut_failed(void *u, const l2k_addr *peer, enum l2k_addr_type type, uint8_t status)
{
	struct inproc *ip = u;
	(void)type;
	if (ip->core)
		iut_core_link_failed(ip->core, peer, status);
}

static void tst_up(void *u, const struct l2k_link_info *li)
{
	struct lt *t = ((struct inproc *)u)->t;
	if (!t->handle)
		t->handle = li->handle;
}

static void tst_down(void *u, const struct l2k_link_info *li, uint8_t reason)
{
	struct lt *t = ((struct inproc *)u)->t;
	if (li->handle == t->handle) {
		t->link_down = true;
		t->link_down_reason = reason;
	}
}

static void inproc_ready_cb(void *u, int err)
{
	struct inproc *ip = u;
	ip->ready++;
	if (err < 0)
		ip->ready_err = err;
}

static bool inproc_ready(void *arg)
{
	return ((struct inproc *)arg)->ready == 2;
}

static bool inproc_linked(void *arg)
{
	struct inproc *ip = arg;
	return ip->iut_handle && ip->t->handle;
}

static int air_seq;

int lt_run_inproc(const struct lt_case *c, const struct lt_run_opts *o, struct lt_result *res)
{
	struct inproc ip = {0};
	struct lt t;
	char air[32], spec[96], err[256];
	int r;
	memset(res, 0, sizeof(*res));
	if (lt_init(&t) < 0)
		return L2K_ENOMEM;
	bool le = c->tr == LT_LE;
	t.le = le;
	t.verbose = o->verbose;
	t.iut_is_l2kit = true;
	ip.t = &t;
	ip.pending = o->iut_pending;
	snprintf(air, sizeof(air), "l2tester%d", ++air_seq);
	/* BR/EDR cases on dual-mode controllers, the IUT advertising, as l2iut over vctrl --type dual:
	 * a case may add an LE link to the IUT (LE/CID: one peer over both transports) */
	snprintf(spec, sizeof(spec), "sim:air=%s,type=%s", air, le ? "le" : "dual");
	struct l2k_stack_opts so = {.clock = l2k_vclock_now, .clock_arg = &ip.vc};
	struct l2k_stack_cbs ic = {.user = &ip, .ready = inproc_ready_cb, .link_up = inproc_iut_up,
				   .link_down = inproc_iut_down, .link_failed = inproc_iut_failed};
	struct l2k_stack_cbs tc = {.user = &ip, .ready = inproc_ready_cb, .link_up = tst_up, .link_down = tst_down};
	struct lt_iut_backend b = {.name = "in-process", .action = inproc_action, .events = true, .u = &ip, .cur = &t};
	t.iut = &b;
	t.clk = (struct lt_clock){.run_until = inproc_run_until, .now = inproc_now, .u = &ip};
	r = l2k_stack_open(spec, &so, &ic, &ip.st[0], err, sizeof(err));
	if (r == 0) {
		struct l2k_security_opts legacy; /* the tester: a pre-2.1 host (docs/conformance.md) */
		l2k_security_opts_default(&legacy);
		legacy.legacy_pairing = true;
		legacy.auto_accept = true; /* it pairs when a case asks: PIN 0000, any question yes */
		legacy.pin = LT_PIN;
		so.security = &legacy;
		so.btsnoop_path = o->btsnoop;
		uint8_t ks = le ? 0 : lt_case_tst_key_size(c); /* a case needing a short BR/EDR key */
		if (ks)
			snprintf(spec + strlen(spec), sizeof(spec) - strlen(spec), ",enc-key-size=%u", ks);
		r = l2k_stack_open(spec, &so, &tc, &ip.st[1], err, sizeof(err));
	}
	if (r == 0) {
		struct l2k_raw_cbs rc = lt_raw_cbs(&t);
		if ((r = l2k_raw_attach_ex(ip.st[1], &rc, lt_case_keeps_sm(c) ? L2K_RAW_KEEP_SM : 0)) < 0)
			snprintf(err, sizeof(err), "l2k_raw_attach_ex: %s", l2k_strerror(r));
	}
	if (r < 0) {
		lt_inconclusive(&t, "set-up: %s", err);
		goto out;
	}
	ip.core = iut_core_new(ip.st[0], inproc_emit, &ip);
	if (!ip.core || l2k_sim_run_until(ip.st, 2, &ip.vc, inproc_ready, &ip, 10000) < 0 || ip.ready_err) {
		lt_inconclusive(&t, "set-up: the stacks did not come up");
		goto out;
	}
	if (o->iut_defect && l2k_test_defect(ip.st[0], o->iut_defect) < 0) {
		lt_inconclusive(&t, "set-up: unknown defect %s", o->iut_defect);
		goto out;
	}
	struct l2k_controller_info ii, ti;
	l2k_controller_info(ip.st[0], &ii);
	l2k_controller_info(ip.st[1], &ti);
	t.iut_addr = ii.addr;
	t.tst_addr = ti.addr;
	t.iut_type = le ? L2K_ADDR_LE_PUBLIC : L2K_ADDR_BREDR;
	t.psm = o->psm ? o->psm : lt_default_psm(c, le);
	if (!le)
		iut_core_keep_advertising(ip.core);
	if (le && c->iut_central) {
		l2k_le_advertise(ip.st[1], true, NULL, 0);
		r = l2k_link_connect(ip.st[0], &t.tst_addr, L2K_ADDR_LE_PUBLIC);
	} else {
		if (le) /* as l2iut: advertising again after each link (a case may make a new one) */
			iut_core_keep_advertising(ip.core);
		r = l2k_link_connect(ip.st[1], &t.iut_addr, t.iut_type);
	}
	if (r < 0 || l2k_sim_run_until(ip.st, 2, &ip.vc, inproc_linked, &ip, 10000) < 0) {
		lt_inconclusive(&t, "set-up: no link to the IUT (%s)", l2k_strerror(r));
		goto out;
	}
	t.st = ip.st[1];
	uint64_t start = ip.vc.now_ms;
	lt_bound_arm(&t, o->case_limit_ms);
	lt_case_run(c, &t);
	lt_bound_arm(&t, 0);
	lt_take_result(&t, res, ip.vc.now_ms - start);
	r = 0;
out:
	if (t.verdict != LT_NONE && !res->log)
		lt_take_result(&t, res, 0);
	iut_core_free(ip.core);
	l2k_stack_close(ip.st[0]);
	l2k_stack_close(ip.st[1]);
	l2k_sim_air *a = l2k_sim_air_find(air);
	if (a)
		l2k_sim_air_close(a);
	lt_free(&t);
	return r;
}

/* The agent backend's answers (the backend itself is in runner_real.c): here, as they are portable
 * and tested on every system. */
int lt_agent_err(const char *line)
{
	const char *r = !strncmp(line, "err ", 4) ? line + 4 : line;
	if (!strncmp(r, "unknown request", 15) || !strncmp(r, "not supported", 13) || strstr(r, "not built"))
		return L2K_ENOTSUP;
	return L2K_EIO;
}

int lt_backend_hello(struct lt_iut_backend *b, l2k_addr *addr, char *why, size_t wn)
{
	char ans[256];
	int r = b->action(b->u, "hello", ans, sizeof(ans));
	if (r < 0) {
		snprintf(why, wn, "hello: %s", ans);
		return r;
	}
	const char *a = strstr(ans, "addr=");
	if (strncmp(ans, "l2iut 1", 7) && !strstr(ans, " 1 "))
		fprintf(stderr, "l2tester: the agent says '%s' (protocol 1 expected)\n", ans);
	char v[32] = "";
	if (a) /* the value ends at the next space: other fields may follow */
		snprintf(v, sizeof(v), "%.*s", (int)strcspn(a + 5, " "), a + 5);
	if (!a || l2k_addr_parse(v, addr) < 0) {
		snprintf(why, wn, "hello: no addr= in '%s'", ans);
		return L2K_EINVAL;
	}
	return 0;
}
