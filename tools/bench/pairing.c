/* l2bench section 9: the CPU time of a pairing.  Two hosts on one simulated air (virtual clock,
 * the unlimited profile so that only computing takes time) pair again and again: a fresh link,
 * l2k_link_secure to the case's level (the pairing, key distribution and encryption), and the
 * link closed again; without bonding, so every round pairs anew.  The figure is the process's
 * CPU time from l2k_link_secure until both sides report the end, per pairing (median of the
 * rounds): both hosts and both simulated controllers.  On BR/EDR the controllers do the
 * pairing's P-256 and the LMP exchange (firmware on a real one), on LE the hosts do (SMP). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <l2kit/l2kit_sim.h>

#include "tools/bench/bench.h"
#include "tools/common/tool.h"

struct pair_case {
	const char *name;
	const char *type; /* the sim controller type */
	enum l2k_addr_type addr_type;
	enum l2k_io_cap io[2];
	uint8_t level;
};

static const struct pair_case cases[] = {
    {"LE SC numeric comparison", "le", L2K_ADDR_LE_PUBLIC, {L2K_IO_DISPLAY_YESNO, L2K_IO_DISPLAY_YESNO}, 3},
    {"LE SC Just Works", "le", L2K_ADDR_LE_PUBLIC, {L2K_IO_NO_INPUT_NO_OUTPUT, L2K_IO_NO_INPUT_NO_OUTPUT}, 2},
    {"BR/EDR SSP numeric comparison", "bredr", L2K_ADDR_BREDR, {L2K_IO_DISPLAY_YESNO, L2K_IO_DISPLAY_YESNO}, 3},
    {"BR/EDR SSP Just Works", "bredr", L2K_ADDR_BREDR, {L2K_IO_NO_INPUT_NO_OUTPUT, L2K_IO_NO_INPUT_NO_OUTPUT}, 2},
};

struct pnode {
	struct pw *w;
	l2k_stack *s;
	l2k_addr addr;
	uint16_t handle;
	bool up;
	int paired;	/* pairings that ended (cbs->paired) */
	int paired_err; /* the last one's error */
	int asked;	/* agent questions */
	bool done;	/* l2k_link_secure's done */
	int done_err;
};

struct pw {
	struct l2k_vclock vc;
	struct pnode n[2];
};

static void on_up(void *u, const struct l2k_link_info *li)
{
	struct pnode *n = u;
	n->handle = li->handle;
	n->up = true;
}

static void on_down(void *u, const struct l2k_link_info *li, uint8_t reason)
{
	(void)li;
	(void)reason;
	struct pnode *n = u;
	n->up = false;
}

static void on_agent(void *u, const struct l2k_agent_request *req)
{
	struct pnode *n = u;
	n->asked++;
	l2k_agent_reply(n->s, req->handle, true, 0, NULL); /* confirm / Just Works: yes */
}

static void on_paired(void *u, const l2k_addr *peer, enum l2k_addr_type t, int err, const char *why)
{
	(void)peer;
	(void)t;
	(void)why;
	struct pnode *n = u;
	n->paired++;
	n->paired_err = err;
}

static void on_done(void *u, uint16_t handle, int err)
{
	(void)handle;
	struct pnode *n = u;
	n->done = true;
	n->done_err = err;
}

static void on_error(void *u, int err, const char *msg)
{
	(void)u;
	fprintf(stderr, "l2bench: stack error: %s (%s)\n", msg, l2k_strerror(err));
}

static int run(struct pw *w, bool (*until)(void *), uint64_t max_ms)
{
	l2k_stack *st[2] = {w->n[0].s, w->n[1].s};
	return l2k_sim_run_until(st, 2, &w->vc, until, w, max_ms);
}

static bool both_up(void *a)
{
	struct pw *w = a;
	return w->n[0].up && w->n[1].up;
}

static bool both_down(void *a)
{
	struct pw *w = a;
	return !w->n[0].up && !w->n[1].up;
}

static bool secured(void *a)
{
	struct pw *w = a;
	return w->n[0].done && w->n[0].paired > 0 && w->n[1].paired > 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* One case: rounds pairings; per pairing CPU ms (median) and air ms into *cpu_ms, *air_ms. */
static int pair_case(const struct pair_case *c, int rounds, double *cpu_ms, double *air_ms)
{
	static int seq;
	struct pw *w = calloc(1, sizeof(*w));
	if (!w)
		return -1;
	char air[48], spec[128], err[256];
	snprintf(air, sizeof(air), "l2bench-pair%d", ++seq);
	int ret = -1;
	double *cpu = calloc((size_t)rounds, sizeof(double));
	uint64_t air_total = 0;
	if (!cpu)
		goto out;
	for (int i = 0; i < 2; i++) {
		struct pnode *n = &w->n[i];
		n->w = w;
		snprintf(spec, sizeof(spec), "sim:air=%s,type=%s,profile=unlimited", air, c->type);
		struct l2k_security_opts so;
		l2k_security_opts_default(&so);
		so.io_cap = c->io[i];
		so.no_bonding = true; /* every round pairs anew */
		struct l2k_stack_opts o = {.clock = l2k_vclock_now, .clock_arg = &w->vc, .security = &so};
		struct l2k_stack_cbs cbs = {.user = n, .link_up = on_up, .link_down = on_down, .agent = on_agent,
					    .paired = on_paired, .error = on_error};
		if (l2k_stack_open(spec, &o, &cbs, &n->s, err, sizeof(err)) < 0) {
			fprintf(stderr, "l2bench: %s\n", err);
			goto out;
		}
	}
	if (run(w, NULL, 200) < 0)
		goto out;
	for (int i = 0; i < 2; i++) {
		struct l2k_controller_info ci;
		if (l2k_controller_info(w->n[i].s, &ci) < 0)
			goto out;
		w->n[i].addr = ci.addr;
	}
	for (int r = 0; r < rounds; r++) {
		if (tool_signal())
			goto out;
		if (c->addr_type != L2K_ADDR_BREDR)
			l2k_le_advertise(w->n[1].s, true, NULL, 0);
		if (l2k_link_connect(w->n[0].s, &w->n[1].addr, c->addr_type) < 0 || run(w, both_up, 10000) < 0 ||
		    !both_up(w)) {
			printf("%-30s the link did not come up (round %d)\n", c->name, r);
			goto out;
		}
		for (int i = 0; i < 2; i++) {
			w->n[i].paired = w->n[i].asked = 0;
			w->n[i].done = false;
		}
		uint64_t t0 = w->vc.now_ms;
		double c0 = bench_cpu_s();
		if (l2k_link_secure(w->n[0].s, w->n[0].handle, c->level, on_done, &w->n[0]) < 0 ||
		    run(w, secured, 60000) < 0 || !secured(w) || w->n[0].done_err || w->n[0].paired_err ||
		    w->n[1].paired_err) {
			printf("%-30s pairing failed (round %d: %s)\n", c->name, r,
			       l2k_strerror(w->n[0].done_err ? w->n[0].done_err : w->n[0].paired_err));
			goto out;
		}
		cpu[r] = (bench_cpu_s() - c0) * 1e3;
		air_total += w->vc.now_ms - t0;
		struct l2k_link_security sec;
		bool mitm = c->level >= 3;
		if (l2k_link_security(w->n[0].s, w->n[0].handle, &sec) < 0 || !sec.encrypted || !sec.secure_conn ||
		    sec.authenticated != mitm || (mitm && (w->n[0].asked != 1 || w->n[1].asked != 1))) {
			printf("%-30s round %d: not the expected pairing (encrypted %d, SC %d, authenticated %d, "
			       "questions %d/%d)\n",
			       c->name, r, sec.encrypted, sec.secure_conn, sec.authenticated, w->n[0].asked,
			       w->n[1].asked);
			goto out;
		}
		if (l2k_link_disconnect(w->n[0].s, w->n[0].handle, 0x13) < 0 || run(w, both_down, 10000) < 0 ||
		    !both_down(w)) {
			printf("%-30s the link did not go down (round %d)\n", c->name, r);
			goto out;
		}
	}
	qsort(cpu, (size_t)rounds, sizeof(double), cmp_double);
	*cpu_ms = cpu[rounds / 2];
	*air_ms = (double)air_total / rounds;
	ret = 0;
out:
	for (int i = 0; i < 2; i++)
		if (w->n[i].s)
			l2k_stack_close(w->n[i].s);
	l2k_sim_air *a = l2k_sim_air_find(air);
	if (a)
		l2k_sim_air_close(a);
	free(cpu);
	free(w);
	return ret;
}

int bench_pairing(const struct bench_opts *o)
{
	int rounds = o->quick ? 5 : 41;
	printf("\n9. Pairing: CPU time of one pairing (l2k_link_secure to the level, until both sides\n"
	       "   report the end) on the simulated air, both hosts and both simulated controllers in\n"
	       "   one process (BR/EDR: the controllers do P-256 and LMP, firmware on real ones; LE:\n"
	       "   the hosts' SMP does).  Median of %d pairings without bonding (each one anew).\n\n",
	       rounds);
	printf("%-30s %6s %14s %16s\n", "case", "level", "CPU ms/pairing", "air ms (virtual)");
	bj_arr("pairing");
	int failures = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]) && !tool_signal(); i++) {
		const struct pair_case *c = &cases[i];
		double cpu_ms = 0, air_ms = 0;
		if (pair_case(c, rounds, &cpu_ms, &air_ms) < 0) {
			failures++;
			continue;
		}
		printf("%-30s %6u %14.3f %16.1f\n", c->name, c->level, cpu_ms, air_ms);
		bj_obj(NULL);
		bj_str("case", c->name);
		bj_int("level", c->level);
		bj_int("rounds", rounds);
		bj_num("cpu_ms_per_pairing", cpu_ms);
		bj_num("air_ms", air_ms);
		bj_end();
	}
	bj_end();
	return failures ? -1 : 0;
}
