/* Every case of l2tester's library (tools/l2tester/cases_*.c, the one definition of each
 * L2CAP.TS case l2tester runs against other devices) run in-process against l2kit's own engine
 * on a virtual clock: each must pass (or be not applicable, with its reason).  One cmocka test
 * per case, named by its TS ID; L2K_TEST_FILTER='*CFD*' runs some.  Then the deliberately broken
 * IUTs (l2k_test_defect): the matching cases must fail with a reason naming what is wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <l2kit/l2kit_sim.h>

#include "tools/l2tester/cases.h"
#include "tools/l2tester/iut_core.h"
#include "tools/l2tester/runner.h"

static void run_case(void **state)
{
	const struct lt_case *c = *state;
	struct lt_result r;
	struct lt_run_opts o = {0};
	lt_run_inproc(c, &o, &r);
	if (r.verdict != LT_PASS && r.verdict != LT_NA)
		print_message("%s: %s: %s\n%s", c->id, lt_verdict_str(r.verdict), r.reason, r.log ? r.log : "");
	if (r.verdict == LT_NA)
		print_message("%s: not applicable: %s\n", c->id, r.reason);
	enum lt_verdict v = r.verdict;
	lt_result_free(&r);
	assert_true(v == LT_PASS || (v == LT_NA && c->na));
}

/* A broken IUT: run the case in-process with the defect; it must fail, with why in the reason. */
static void defect_fails(const char *id, const char *defect, const char *why)
{
	const struct lt_case *c = lt_case_find(id);
	assert_non_null(c);
	struct lt_result r;
	struct lt_run_opts o = {.iut_defect = defect};
	lt_run_inproc(c, &o, &r);
	print_message("%s with defect %s: %s: %s\n", id, defect, lt_verdict_str(r.verdict), r.reason);
	enum lt_verdict v = r.verdict;
	bool named = strstr(r.reason, why) != NULL;
	lt_result_free(&r);
	assert_int_equal(v, LT_FAIL);
	assert_true(named);
}

/* wrong-ident: the Command Reject (BI-01), the Echo Response (ECH/BV-01), the Configuration
 * Response (CFD/BV-03) and the LE Connection Response (LE/CFC/BV-03) carry another identifier. */
static void test_defect_wrong_ident(void **state)
{
	(void)state;
	defect_fails("L2CAP/COS/CED/BI-01-C", "wrong-ident", "(identifier)");
	defect_fails("L2CAP/COS/ECH/BV-01-C", "wrong-ident", "(identifier)");
	defect_fails("L2CAP/COS/CFD/BV-03-C", "wrong-ident", "identifier");
	defect_fails("L2CAP/LE/CFC/BV-03-C", "wrong-ident", "identifier");
}

/* skip-mtu-check: an MTU of 40 is accepted: COS/CFD/BV-11-C fails on the result octets. */
static void test_defect_skip_mtu_check(void **state)
{
	(void)state;
	defect_fails("L2CAP/COS/CFD/BV-11-C", "skip-mtu-check", "(result)");
}

/* The IUT answers every BR/EDR Connection Request "pending" (0x0001) first, then success (4.3,
 * allowed; the Linux kernel does so while its own Information Request is outstanding): every
 * case that connects to the IUT must wait past the pending response and pass. */
static void test_iut_answers_pending(void **state)
{
	(void)state;
	static const char *const ids[] = {"L2CAP/COS/CED/BV-04-C", "L2CAP/COS/CED/BV-05-C", "L2CAP/COS/CED/BV-11-C",
					  "L2CAP/COS/CED/BV-12-C", "L2CAP/COS/CED/BI-10-C", "L2CAP/COS/CFD/BV-01-C",
					  "L2CAP/COS/CFD/BV-02-C", "L2CAP/COS/CFD/BV-03-C", "L2CAP/COS/CFD/BV-11-C",
					  "L2CAP/COS/CFD/BV-12-C", "L2CAP/COS/CFD/BV-14-C"};
	int bad = 0;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const struct lt_case *c = lt_case_find(ids[i]);
		assert_non_null(c);
		struct lt_result r;
		struct lt_run_opts o = {.iut_pending = true};
		lt_run_inproc(c, &o, &r);
		if (r.verdict != LT_PASS) {
			print_message("%s with a pending IUT: %s: %s\n%s", ids[i], lt_verdict_str(r.verdict), r.reason,
				      r.log ? r.log : "");
			bad++;
		}
		lt_result_free(&r);
	}
	assert_int_equal(bad, 0);
}

/* ---- a scripted IUT: crafted frames (as another stack, e.g. the Linux kernel, sends them) ----
 * The tester runs one case with no stack under it (what it sends goes nowhere) and a virtual
 * clock; each time it waits, the script's next items are delivered until what it waits for
 * came: "CID: hex octets" a frame from the IUT, "event ..." an IUT application event, "|" ends
 * the delivery for this wait (the tester's wait then times out). */
struct script {
	const char *const *items;
	size_t i;
	uint64_t now;
};

static bool script_item(struct lt *t, struct script *sc)
{
	const char *it = sc->items[sc->i];
	if (!it)
		return false;
	sc->i++;
	if (!strcmp(it, "|"))
		return false;
	if (!strncmp(it, "event ", 6)) {
		lt_iut_event(t, it);
		return true;
	}
	char *end;
	uint16_t cid = (uint16_t)strtoul(it, &end, 16);
	uint8_t b[256];
	size_t n = 0;
	assert_true(*end == ':');
	for (const char *q = end + 1; *q;) {
		if (*q == ' ') {
			q++;
			continue;
		}
		b[n++] = (uint8_t)strtoul(q, &end, 16);
		assert_true(end == q + 2 && n < sizeof(b));
		q = end;
	}
	struct l2k_raw_cbs rc = lt_raw_cbs(t);
	rc.rx(rc.user, t->handle, cid, b, n);
	return true;
}

static bool script_run_until(struct lt *t, bool (*pred)(void *arg), void *arg, uint64_t ms)
{
	struct script *sc = t->clk.u;
	for (;;) {
		if (pred && pred(arg))
			return true;
		if (!script_item(t, sc))
			break;
	}
	sc->now += ms;
	return false;
}

static uint64_t script_now(struct lt *t)
{
	return ((struct script *)t->clk.u)->now;
}

static int script_action(void *u, const char *req, char *ans, size_t n)
{
	(void)u;
	snprintf(ans, n, "%s", !strncmp(req, "connect ", 8) ? "chan=1" : "");
	return 0;
}

/* Run case id against the script; its verdict (and the log printed when not a pass). */
static enum lt_verdict run_scripted(const char *id, const char *const *items)
{
	const struct lt_case *c = lt_case_find(id);
	assert_non_null(c);
	struct lt t;
	struct script sc = {items, 0, 0};
	struct lt_iut_backend b = {.name = "script", .action = script_action, .events = true};
	assert_int_equal(lt_init(&t), 0);
	t.le = c->tr == LT_LE;
	t.handle = 1;
	t.psm = t.le ? 0x0080 : 0x1001;
	t.iut = &b;
	b.cur = &t;
	t.clk = (struct lt_clock){.run_until = script_run_until, .now = script_now, .u = &sc};
	enum lt_verdict v = lt_case_run(c, &t);
	if (v != LT_PASS)
		print_message("%s (scripted IUT): %s: %s\n%s", id, lt_verdict_str(v), t.reason, t.log);
	lt_free(&t);
	return v;
}

/* An option-less Configuration Request means MTU 672 (Vol 3 Part A 5.1: the default may be
 * omitted): the cases that want the IUT to ask for 672 take it (the kernel's request). */
static void test_optionless_conf_req(void **state)
{
	(void)state;
	static const char *const bv01[] = {"0001: 02 01 04 00 01 10 40 00", "0001: 04 02 04 00 50 00 00 00",
					   "0001: 05 40 06 00 50 00 00 00 00 00",
					   "event open chan=1 psm=4097 mode=basic mtu=672 peer-mtu=672", NULL};
	assert_int_equal(run_scripted("L2CAP/COS/CED/BV-01-C", bv01), LT_PASS);
	/* but an option-less request is not one for another MTU */
	static const char *const bv09[] = {"0001: 02 01 04 00 01 10 40 00", "0001: 04 02 04 00 50 00 00 00", NULL};
	assert_int_equal(run_scripted("L2CAP/COS/CFD/BV-09-C", bv09), LT_FAIL);
}

/* COS/CED/BV-12: the IUT sends an Information Request when the link comes up (the kernel does):
 * the tester's answer must not go between the fragments of its split Connection Request (on
 * one ACL link a start fragment ends an unfinished PDU, Vol 3 Part A 7.2). */
static bool sent_between_fragments(const char *log)
{
	const char *a = strstr(log, "sent ACL pb=2");
	const char *b = a ? strstr(a, "sent ACL pb=1") : NULL;
	const char *x = a ? strstr(a, "\nsent cid") : NULL;
	return a && b && x && x < b;
}

static void test_fragments_back_to_back(void **state)
{
	(void)state;
	static const char *const bv12[] = {"0001: 0a 01 02 00 02 00", "|", "|", "|",
					   "0001: 03 31 08 00 40 00 50 00 00 00 00 00", "|", "|", "|", "|", "|", "|",
					   "0001: 09 32 14 00 a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af b0 b1 b2 b3",
					   NULL};
	const struct lt_case *c = lt_case_find("L2CAP/COS/CED/BV-12-C");
	assert_non_null(c);
	struct lt t;
	struct script sc = {bv12, 0, 0};
	struct lt_iut_backend b = {.name = "script", .action = script_action, .events = true};
	assert_int_equal(lt_init(&t), 0);
	t.handle = 1;
	t.psm = 0x1001;
	t.iut = &b;
	b.cur = &t;
	t.clk = (struct lt_clock){.run_until = script_run_until, .now = script_now, .u = &sc};
	enum lt_verdict v = lt_case_run(c, &t);
	bool between = sent_between_fragments(t.log);
	print_message("%s: %s\n%s", lt_verdict_str(v), t.reason, between || v != LT_PASS ? t.log : "");
	lt_free(&t);
	assert_false(between);
	assert_int_equal(v, LT_PASS);
}

/* Between cases on a real IUT the backend may deliver events of the last case's channels up to
 * the answer to "reset" (an agent's "event closed" before its "ok"): lt_iut_reset forgets them
 * (lt_run_real resets through it before each case's link). */
static int stale_action(void *u, const char *req, char *ans, size_t n)
{
	struct lt_iut_backend *b = u;
	if (!strcmp(req, "reset")) {
		lt_iut_event(b->cur, "event open chan=2 psm=4097 mode=basic mtu=672 peer-mtu=672");
		lt_iut_event(b->cur, "event closed chan=2 reason=remote");
		lt_iut_event(b->cur, "event data chan=2 hex=6869");
	}
	snprintf(ans, n, "%s", "");
	return 0;
}

static void test_reset_forgets_events(void **state)
{
	(void)state;
	struct lt t;
	struct lt_iut_backend b = {.name = "stale", .action = stale_action, .events = true};
	b.u = &b;
	assert_int_equal(lt_init(&t), 0);
	t.iut = &b;
	b.cur = &t;
	assert_true(lt_iut_reset(&t));
	assert_int_equal(t.obs.opened, 0);
	assert_int_equal(t.obs.closed, 0);
	assert_int_equal(t.obs.sdus, 0);
	assert_int_equal(t.obs.result, -1);
	assert_int_equal(t.verdict, LT_NONE);
	lt_free(&t);
}

/* COS/CED/BI-14: "not supported" is a valid answer to the Information Request for the
 * connectionless MTU (4.11; the kernel's); the case goes on to the truncated Echo Request. */
static void test_bi14_info_not_supported(void **state)
{
	(void)state;
	static const char *const ok[] = {"0001: 0b c1 04 00 01 00 01 00", "0001: 01 c2 02 00 00 00", NULL};
	assert_int_equal(run_scripted("L2CAP/COS/CED/BI-14-C", ok), LT_PASS);
	/* the Echo Request must still be rejected */
	static const char *const no_rej[] = {"0001: 0b c1 04 00 01 00 01 00", NULL};
	assert_int_equal(run_scripted("L2CAP/COS/CED/BI-14-C", no_rej), LT_FAIL);
	/* and "not supported" carries no data */
	static const char *const bad[] = {"0001: 0b c1 06 00 01 00 01 00 a0 02", "0001: 01 c2 02 00 00 00", NULL};
	assert_int_equal(run_scripted("L2CAP/COS/CED/BI-14-C", bad), LT_FAIL);
}

/* Cases too strict for other stacks (the Linux kernel's answers, scripted): a success
 * Configuration Response restating the MTU in force; CFD/BV-11: an Unacceptable answer with any
 * MTU of 48 or more; CFD/BV-14: unknown options named as options of their types (4.5); LE/CFC/
 * BV-10 and BV-24: an SMP Security / Pairing Request after a security refusal. */
static void test_other_valid_answers(void **state)
{
	(void)state;
	static const char *const bv01[] = {"0001: 02 01 04 00 01 10 40 00", "0001: 04 02 08 00 50 00 00 00 01 02 a0 02",
					   "0001: 05 40 0a 00 50 00 00 00 00 00 01 02 a0 02",
					   "event open chan=1 psm=4097 mode=basic mtu=672 peer-mtu=672", NULL};
	assert_int_equal(run_scripted("L2CAP/COS/CED/BV-01-C", bv01), LT_PASS);
	/* restating another MTU than the one in force is a change, not accepted */
	static const char *const bv01x[] = {"0001: 02 01 04 00 01 10 40 00", "0001: 04 02 08 00 50 00 00 00 01 02 a0 02",
					    "0001: 05 40 0a 00 50 00 00 00 00 00 01 02 30 00", NULL};
	assert_int_equal(run_scripted("L2CAP/COS/CED/BV-01-C", bv01x), LT_FAIL);
	/* CFD/BV-11 (the tester connects: the IUT's Connection Response, Configuration Request; its
	 * answers to MTU 40, to the guaranteed QoS, to MTU 48) */
	static const char *const bv11[] = {"0001: 03 40 08 00 40 00 50 00 00 00 00 00", "0001: 04 03 04 00 50 00 00 00",
					   "0001: 05 41 0a 00 50 00 00 00 01 00 01 02 a0 02",
					   "0001: 05 42 1e 00 50 00 00 00 01 00 03 16 00 01 11 11 11 11 11 11 11 11 11 11 11 "
					   "11 11 11 11 11 11 11 11 11",
					   "0001: 05 43 0a 00 50 00 00 00 00 00 01 02 30 00",
					   "event open chan=1 psm=4097 mode=basic mtu=672 peer-mtu=48", NULL};
	assert_int_equal(run_scripted("L2CAP/COS/CFD/BV-11-C", bv11), LT_PASS);
	static const char *const bv11x[] = {"0001: 03 40 08 00 40 00 50 00 00 00 00 00", "0001: 04 03 04 00 50 00 00 00",
					    "0001: 05 41 0a 00 50 00 00 00 01 00 01 02 2f 00", NULL};
	assert_int_equal(run_scripted("L2CAP/COS/CFD/BV-11-C", bv11x), LT_FAIL);
	/* CFD/BV-14: the kernel's 10 01 10 11 01 11, and the bare types 10 11 */
	static const char *const bv14[] = {"0001: 03 40 08 00 40 00 50 00 00 00 00 00", "0001: 04 03 04 00 50 00 00 00",
					   "0001: 05 41 0c 00 50 00 00 00 03 00 10 01 10 11 01 11", "|",
					   "0001: 05 42 0a 00 50 00 00 00 00 00 01 02 64 00",
					   "event open chan=1 psm=4097 mode=basic mtu=672 peer-mtu=100", NULL};
	assert_int_equal(run_scripted("L2CAP/COS/CFD/BV-14-C", bv14), LT_PASS);
	/* ... but not a list naming an option it understood (the MTU) or missing one */
	static const char *const bv14x[] = {"0001: 03 40 08 00 40 00 50 00 00 00 00 00", "0001: 04 03 04 00 50 00 00 00",
					    "0001: 05 41 09 00 50 00 00 00 03 00 10 11 01", NULL};
	assert_int_equal(run_scripted("L2CAP/COS/CFD/BV-14-C", bv14x), LT_FAIL);
	static const char *const bv14y[] = {"0001: 03 40 08 00 40 00 50 00 00 00 00 00", "0001: 04 03 04 00 50 00 00 00",
					    "0001: 05 41 09 00 50 00 00 00 03 00 10 01 10", NULL};
	assert_int_equal(run_scripted("L2CAP/COS/CFD/BV-14-C", bv14y), LT_FAIL);
	/* LE/CFC/BV-10, BV-24: the refusal, then an SMP Security Request / Pairing Request */
	static const char *const le10[] = {"0005: 14 01 0a 00 80 00 40 00 a0 02 f7 00 0a 00",
					   "event closed chan=1 reason=refused result=5", "0006: 0b 0d", NULL};
	assert_int_equal(run_scripted("L2CAP/LE/CFC/BV-10-C", le10), LT_PASS);
	static const char *const le24[] = {"0005: 14 01 0a 00 80 00 40 00 a0 02 f7 00 0a 00",
					   "event closed chan=1 reason=refused result=8", "0006: 01 03 00 0d 10 07 07", NULL};
	assert_int_equal(run_scripted("L2CAP/LE/CFC/BV-24-C", le24), LT_PASS);
	/* or the Security Request first, the channel left pending (the kernel, as peripheral) */
	static const char *const le10p[] = {"0005: 14 01 0a 00 80 00 40 00 a0 02 f7 00 0a 00", "0006: 0b 0d", NULL};
	assert_int_equal(run_scripted("L2CAP/LE/CFC/BV-10-C", le10p), LT_PASS);
	/* but not another request for the channel */
	static const char *const le10x[] = {"0005: 14 01 0a 00 80 00 40 00 a0 02 f7 00 0a 00",
					    "event closed chan=1 reason=refused result=5",
					    "0005: 14 02 0a 00 80 00 40 00 a0 02 f7 00 0a 00", NULL};
	assert_int_equal(run_scripted("L2CAP/LE/CFC/BV-10-C", le10x), LT_FAIL);
}

/* ERM/BV-23 (the tester's MPS 48): the Linux kernel's segments of the 150-octet SDU, a start
 * frame with the SDU Length and 48 information octets (50 after the control field), 48, 48, 6:
 * the MPS bounds the information payload, the SDU Length counted or not (5.4 leaves it open;
 * l2kit counts it, and is held to that). */
static void test_erm_start_frame_mps(void **state)
{
	(void)state;
	static const char *const kernel[] = {
	    "0001: 0a 01 02 00 02 00", "0001: 03 40 08 00 40 00 60 00 01 00 00 00", "0001: 0a 02 02 00 02 00",
	    "0001: 03 40 08 00 40 00 60 00 00 00 00 00",
	    "0001: 04 03 0f 00 60 00 00 00 04 09 03 3f 03 d0 07 e0 2e b4 00",
	    "0001: 05 41 15 00 60 00 00 00 00 00 01 02 a0 02 04 09 03 20 03 d0 07 e0 2e 30 00",
	    "event open chan=1 psm=4097 mode=ertm mtu=672 peer-mtu=672 mps=180 peer-mps=48",
	    "0060: 00 40 96 00 03 0a 11 18 1f 26 2d 34 3b 42 49 50 57 5e 65 6c 73 7a 81 88 8f 96 9d a4 ab b2 b9 c0 c7 "
	    "ce d5 dc e3 ea f1 f8 ff 06 0d 14 1b 22 29 30 37 3e 45 4c 0b 11",
	    "0060: 02 c0 53 5a 61 68 6f 76 7d 84 8b 92 99 a0 a7 ae b5 bc c3 ca d1 d8 df e6 ed f4 fb 02 09 10 17 1e 25 "
	    "2c 33 3a 41 48 4f 56 5d 64 6b 72 79 80 87 8e 95 9c 6e b0",
	    "0060: 04 c0 a3 aa b1 b8 bf c6 cd d4 db e2 e9 f0 f7 fe 05 0c 13 1a 21 28 2f 36 3d 44 4b 52 59 60 67 6e 75 "
	    "7c 83 8a 91 98 9f a6 ad b4 bb c2 c9 d0 d7 de e5 ec 16 db",
	    "0060: 06 80 f3 fa 01 08 0f 16 d2 93", NULL};
	assert_int_equal(run_scripted("L2CAP/ERM/BV-23-C", kernel), LT_PASS);
	/* 49 information octets after the SDU Length are over the MPS however it is read */
	static const char *const over[] = {
	    "0001: 0a 01 02 00 02 00", "0001: 03 40 08 00 40 00 60 00 01 00 00 00", "0001: 0a 02 02 00 02 00",
	    "0001: 03 40 08 00 40 00 60 00 00 00 00 00",
	    "0001: 04 03 0f 00 60 00 00 00 04 09 03 3f 03 d0 07 e0 2e b4 00",
	    "0001: 05 41 15 00 60 00 00 00 00 00 01 02 a0 02 04 09 03 20 03 d0 07 e0 2e 30 00",
	    "event open chan=1 psm=4097 mode=ertm mtu=672 peer-mtu=672 mps=180 peer-mps=48",
	    "0060: 00 40 96 00 03 0a 11 18 1f 26 2d 34 3b 42 49 50 57 5e 65 6c 73 7a 81 88 8f 96 9d a4 ab b2 b9 c0 c7 "
	    "ce d5 dc e3 ea f1 f8 ff 06 0d 14 1b 22 29 30 37 3e 45 4c 53 2f b9",
	    NULL};
	assert_int_equal(run_scripted("L2CAP/ERM/BV-23-C", over), LT_FAIL);
}

/* An agent's "err not supported: ..." (kiut: what a kernel socket cannot do) is "the IUT
 * cannot do this", like "unknown request"; other errors are failed actions. */
static void test_agent_err_not_supported(void **state)
{
	(void)state;
	assert_int_equal(lt_agent_err("err not supported: the kernel has no deliberate defects"), L2K_ENOTSUP);
	assert_int_equal(lt_agent_err("err unknown request frob"), L2K_ENOTSUP);
	assert_int_equal(lt_agent_err("err mode ertm is not built in"), L2K_ENOTSUP);
	assert_int_equal(lt_agent_err("err no link to 00:11:22:33:44:55"), L2K_EIO);
	assert_int_equal(lt_agent_err("err connect: supported only once"), L2K_EIO);
}

/* hello's addr= ends at the next space: fields may follow it. */
static int hello_action(void *u, const char *req, char *ans, size_t n)
{
	snprintf(ans, n, "%s", !strcmp(req, "hello") ? (const char *)u : "");
	return 0;
}

static void test_hello_addr_then_fields(void **state)
{
	(void)state;
	char why[128];
	l2k_addr a, want;
	assert_int_equal(l2k_addr_parse("00:1B:DC:0F:44:55", &want), 0);
	struct lt_iut_backend b = {.name = "hello", .action = hello_action,
				   .u = (void *)"kiut 1 addr=00:1B:DC:0F:44:55 kernel=6.1.0 transport=bredr,le"};
	assert_int_equal(lt_backend_hello(&b, &a, why, sizeof(why)), 0);
	assert_memory_equal(&a, &want, sizeof(a));
	b.u = (void *)"l2iut 1 addr=00:1B:DC:0F:44:55";
	assert_int_equal(lt_backend_hello(&b, &a, why, sizeof(why)), 0);
	assert_memory_equal(&a, &want, sizeof(a));
	b.u = (void *)"l2iut 1 addr=00:1B:DC:0F:44 x";
	assert_int_not_equal(lt_backend_hello(&b, &a, why, sizeof(why)), 0);
}

/* --case-limit: a case still running at its time bound ends inconclusive, naming the bound (its
 * checks that then time out do not count as fails); one that ends sooner keeps its verdict.
 * COS/CED/BV-08-C waits for l2kit's RTX: about 10 s on the virtual clock. */
static void test_case_limit(void **state)
{
	(void)state;
	const struct lt_case *c = lt_case_find("L2CAP/COS/CED/BV-08-C");
	assert_non_null(c);
	struct lt_result r;
	struct lt_run_opts o = {.case_limit_ms = 5000};
	lt_run_inproc(c, &o, &r);
	print_message("BV-08 bound 5 s: %s: %s (%llu ms)\n", lt_verdict_str(r.verdict), r.reason,
		      (unsigned long long)r.ms);
	enum lt_verdict v = r.verdict;
	bool named = strstr(r.reason, "time bound of 5000 ms") != NULL;
	uint64_t ms = r.ms;
	lt_result_free(&r);
	assert_int_equal(v, LT_INCONC);
	assert_true(named);
	assert_true(ms <= 5100); /* cut at the bound, not after the case's own waits */
	o.case_limit_ms = 30000;
	lt_run_inproc(c, &o, &r);
	v = r.verdict;
	lt_result_free(&r);
	assert_int_equal(v, LT_PASS);
}

/* The lower tester's security API: l2k_raw_attach_ex takes L2K_RAW_KEEP_SM only (once per
 * stack), l2k_pairing_caps an IO capability and a key size of 7..16 only. */
static void rx_none(void *u, uint16_t h, uint16_t cid, const uint8_t *p, size_t n)
{
	(void)u, (void)h, (void)cid, (void)p, (void)n;
}

static void test_raw_keep_sm_and_pairing_caps_args(void **state)
{
	(void)state;
	struct l2k_vclock vc = {0};
	struct l2k_stack_opts so = {.clock = l2k_vclock_now, .clock_arg = &vc};
	l2k_stack *s = NULL;
	char err[128];
	assert_int_equal(l2k_stack_open("sim:air=lt-args,type=le", &so, NULL, &s, err, sizeof(err)), 0);
	struct l2k_raw_cbs cb = {.rx = rx_none};
	assert_int_equal(l2k_pairing_caps(s, L2K_IO_DISPLAY_YESNO, 6), L2K_EINVAL);
	assert_int_equal(l2k_pairing_caps(s, L2K_IO_DISPLAY_YESNO, 17), L2K_EINVAL);
	assert_int_equal(l2k_pairing_caps(s, (enum l2k_io_cap)5, 16), L2K_EINVAL);
	assert_int_equal(l2k_pairing_caps(NULL, L2K_IO_DISPLAY_YESNO, 16), L2K_EINVAL);
	assert_int_equal(l2k_pairing_caps(s, L2K_IO_KEYBOARD_DISPLAY, 7), 0);
	assert_int_equal(l2k_raw_attach_ex(s, &cb, 0x2), L2K_EINVAL);
	assert_int_equal(l2k_raw_attach_ex(s, NULL, L2K_RAW_KEEP_SM), L2K_EINVAL);
	assert_int_equal(l2k_raw_attach_ex(s, &cb, L2K_RAW_KEEP_SM), 0);
	assert_int_equal(l2k_raw_attach_ex(s, &cb, L2K_RAW_KEEP_SM), L2K_EBUSY);
	assert_int_equal(l2k_raw_attach(s, &cb), L2K_EBUSY);
	l2k_stack_close(s);
	l2k_sim_air *a = l2k_sim_air_find("lt-args");
	if (a)
		l2k_sim_air_close(a);
}

/* The control protocol's channel options and busy request (iut_core, as l2iut runs it): each
 * key is taken with its range, a bad value is an error naming it, an unknown key is refused. */
static void emit_none(void *u, const char *line)
{
	(void)u, (void)line;
}

static void test_iut_request_fields(void **state)
{
	(void)state;
	struct l2k_vclock vc = {0};
	struct l2k_stack_opts so = {.clock = l2k_vclock_now, .clock_arg = &vc};
	l2k_stack *s = NULL;
	char err[128], ans[128];
	assert_int_equal(l2k_stack_open("sim:air=lt-req,type=dual", &so, NULL, &s, err, sizeof(err)), 0);
	struct iut_core *c = iut_core_new(s, emit_none, NULL);
	assert_non_null(c);
	static const char *const good[] = {
	    ("listen psm=4097 transport=bredr mode=ertm fcs=0 window=10 max-transmit=5 flush-timeout=65535 "
	     "ext-window=no required=yes"),
	    "listen psm=4099 transport=bredr mode=ertm ext-window=yes window=200",
	    "listen psm=4101 transport=bredr mode=streaming fcs=1 required=no",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int r = iut_core_request(c, good[i], ans, sizeof(ans), NULL);
		print_message("%s -> %d %s\n", good[i], r, ans);
		assert_int_equal(r, 0);
	}
	static const struct {
		const char *req, *why;
	} bad[] = {
	    {"listen psm=4103 transport=bredr mode=ertm fcs=2", "fcs=2: not a number from 0 to 1"},
	    {"listen psm=4103 transport=bredr mode=ertm window=16384", "window=16384: not a number from 0 to 16383"},
	    {"listen psm=4103 transport=bredr mode=ertm max-transmit=256", "max-transmit=256: not a number from 0 to 255"},
	    {"listen psm=4103 transport=bredr mode=ertm required=maybe", "required= yes or no"},
	    {"listen psm=4103 transport=bredr mode=ertm ext-window=1", "ext-window= yes or no"},
	    {"listen psm=4103 transport=bredr mode=ertm colour=blue", "unknown key colour"},
	    {"busy chan=1 on=yes", "no such chan"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = iut_core_request(c, bad[i].req, ans, sizeof(ans), NULL);
		print_message("%s -> %d %s\n", bad[i].req, r, ans);
		assert_true(r < 0);
		assert_non_null(strstr(ans, bad[i].why));
	}
	iut_core_free(c);
	l2k_stack_close(s);
	l2k_sim_air *a = l2k_sim_air_find("lt-req");
	if (a)
		l2k_sim_air_close(a);
}

/* Only the cases that pair keep the tester's security manager on the SMP channel: every other
 * case takes the IUT's SMP PDUs raw, so that an IUT raising its security after a refusal
 * (LE/CFC/BV-10, BV-24: the Linux kernel sends a Pairing Request) is seen, not paired with. */
static void test_keep_sm_only_for_pairing_cases(void **state)
{
	(void)state;
	size_t n, kept = 0;
	const struct lt_case *all = lt_cases(&n);
	for (size_t i = 0; i < n; i++)
		kept += lt_case_keeps_sm(&all[i]);
	assert_int_equal(kept, 6);
	assert_true(lt_case_keeps_sm(lt_case_find("L2CAP/LE/CFC/BV-25-C")));
	assert_true(lt_case_keeps_sm(lt_case_find("L2CAP/ECFC/BV-70-C")));
	assert_false(lt_case_keeps_sm(lt_case_find("L2CAP/LE/CFC/BV-10-C")));
	assert_false(lt_case_keeps_sm(lt_case_find("L2CAP/LE/CFC/BV-24-C")));
	assert_false(lt_case_keeps_sm(lt_case_find("L2CAP/LE/CFC/BV-11-C")));
}

int main(void)
{
	/* after one test per case of the library: the tests of the tester itself */
	static const struct CMUnitTest more[] = {
	    cmocka_unit_test(test_defect_wrong_ident),
	    cmocka_unit_test(test_defect_skip_mtu_check),
	    cmocka_unit_test(test_iut_answers_pending),
	    cmocka_unit_test(test_optionless_conf_req),
	    cmocka_unit_test(test_fragments_back_to_back),
	    cmocka_unit_test(test_reset_forgets_events),
	    cmocka_unit_test(test_bi14_info_not_supported),
	    cmocka_unit_test(test_other_valid_answers),
	    cmocka_unit_test(test_agent_err_not_supported),
	    cmocka_unit_test(test_hello_addr_then_fields),
	    cmocka_unit_test(test_case_limit),
	    cmocka_unit_test(test_raw_keep_sm_and_pairing_caps_args),
	    cmocka_unit_test(test_iut_request_fields),
	    cmocka_unit_test(test_erm_start_frame_mps),
	    cmocka_unit_test(test_keep_sm_only_for_pairing_cases),
	};
	const size_t nmore = sizeof(more) / sizeof(more[0]);
	size_t n;
	const struct lt_case *all = lt_cases(&n);
	struct CMUnitTest *t = calloc(n + nmore, sizeof(*t));
	if (!t)
		return 1;
	for (size_t i = 0; i < n; i++) {
		t[i].name = all[i].id;
		t[i].test_func = run_case;
		t[i].initial_state = (void *)&all[i];
	}
	memcpy(t + n, more, sizeof(more));
	int r = _cmocka_run_group_tests("l2tester_cases", t, n + nmore, NULL, NULL);
	free(t);
	return r;
}
