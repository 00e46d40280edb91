/* l2k_link_secure: an open link raised to a security level without a channel (what l2ping
 * --security uses), through the public API on the simulated air with a virtual clock.
 *
 *  - level 3 between two DisplayYesNo sides: numeric comparison, done(0), the link
 *    authenticated and encrypted at level 3 or more, and cbs->paired at both sides;
 *  - asked again on a link that has the level: done(0) from a later step, never inside the
 *    call, and no pairing again;
 *  - level 3 between two NoInputNoOutput sides (Just Works only): done(L2K_EAUTH);
 *  - an agent that refuses: done(L2K_EAUTH), cbs->paired with the step in its reason;
 *  - bad arguments: L2K_EINVAL (level 0 or 5, no callback), L2K_ENOLINK (no such link). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <l2kit/l2kit.h>

struct side {
	l2k_stack *st;
	int ready;
	bool reject;
	int confirms, paired, paired_err;
	char why[256];
	uint16_t handle;
	bool up;
};

struct world {
	struct l2k_vclock vc;
	struct side s[2];
	l2k_addr addr[2];
	struct l2k_security_opts sec[2];
	/* l2k_link_secure's answer */
	int done, err;
	uint16_t done_handle;
};

static void on_ready(void *u, int err)
{
	assert_int_equal(err, 0);
	((struct side *)u)->ready++;
}

static void on_link_up(void *u, const struct l2k_link_info *li)
{
	struct side *s = u;
	s->handle = li->handle;
	s->up = true;
}

static void on_agent(void *u, const struct l2k_agent_request *req)
{
	struct side *s = u;
	if (req->ask == L2K_ASK_PASSKEY_DISPLAY)
		return;
	if (req->ask == L2K_ASK_CONFIRM)
		s->confirms++;
	l2k_agent_reply(s->st, req->handle, !s->reject, 0, NULL);
}

static void on_paired(void *u, const l2k_addr *peer, enum l2k_addr_type type, int err, const char *why)
{
	struct side *s = u;
	(void)peer;
	(void)type;
	s->paired++;
	s->paired_err = err;
	snprintf(s->why, sizeof(s->why), "%s", why ? why : "");
}

static void on_secured(void *user, uint16_t handle, int err)
{
	struct world *w = user;
	w->done++;
	w->err = err;
	w->done_handle = handle;
}

static bool both_ready(void *a)
{
	struct world *w = a;
	return w->s[0].ready && w->s[1].ready;
}

static bool both_up(void *a)
{
	struct world *w = a;
	return w->s[0].up && w->s[1].up;
}

static bool secured(void *a)
{
	return ((struct world *)a)->done > 0;
}

static void run(struct world *w, bool (*done)(void *), uint64_t ms)
{
	l2k_stack *st[2] = {w->s[0].st, w->s[1].st};
	assert_int_equal(l2k_sim_run_until(st, 2, &w->vc, done, w, ms), 0);
}

/* Two BR/EDR stacks with these IO capabilities, and a link from side 0 to side 1. */
static void world_up(struct world *w, enum l2k_io_cap io0, enum l2k_io_cap io1)
{
	static int n;
	memset(w, 0, sizeof(*w));
	char spec[128], err[256];
	snprintf(spec, sizeof(spec), "sim:air=sec-link-%d,type=bredr,profile=unlimited", ++n);
	for (int i = 0; i < 2; i++) {
		l2k_security_opts_default(&w->sec[i]);
		w->sec[i].io_cap = i ? io1 : io0;
		struct l2k_stack_opts so = {.clock = l2k_vclock_now, .clock_arg = &w->vc, .security = &w->sec[i]};
		struct l2k_stack_cbs cbs = {.user = &w->s[i],
					    .ready = on_ready,
					    .agent = on_agent,
					    .paired = on_paired,
					    .link_up = on_link_up};
		assert_int_equal(l2k_stack_open(spec, &so, &cbs, &w->s[i].st, err, sizeof(err)), 0);
	}
	run(w, both_ready, 10000);
	for (int i = 0; i < 2; i++) {
		struct l2k_controller_info ci;
		l2k_controller_info(w->s[i].st, &ci);
		w->addr[i] = ci.addr;
	}
	assert_int_equal(l2k_link_connect(w->s[0].st, &w->addr[1], L2K_ADDR_BREDR), 0);
	run(w, both_up, 10000);
}

static void world_down(struct world *w)
{
	for (int i = 0; i < 2; i++)
		l2k_stack_close(w->s[i].st);
}

static struct l2k_link_security sec_of(struct side *s)
{
	struct l2k_link_security ls;
	assert_int_equal(l2k_link_security(s->st, s->handle, &ls), 0);
	return ls;
}

static void test_level_3_with_numeric_comparison(void **st)
{
	(void)st;
	struct world w;
	world_up(&w, L2K_IO_DISPLAY_YESNO, L2K_IO_DISPLAY_YESNO);
	assert_int_equal(sec_of(&w.s[0]).level, L2K_SEC_LOW);
	assert_int_equal(l2k_link_secure(w.s[0].st, w.s[0].handle, L2K_SEC_HIGH, on_secured, &w), 0);
	assert_int_equal(w.done, 0); /* never inside the call */
	run(&w, secured, 60000);
	assert_int_equal(w.done, 1);
	assert_int_equal(w.err, 0);
	assert_int_equal(w.done_handle, w.s[0].handle);
	for (int i = 0; i < 2; i++) {
		struct l2k_link_security ls = sec_of(&w.s[i]);
		assert_true(ls.level >= L2K_SEC_HIGH);
		assert_true(ls.encrypted);
		assert_true(ls.authenticated);
		assert_true(w.s[i].confirms >= 1);
		assert_int_equal(w.s[i].paired, 1);
		assert_int_equal(w.s[i].paired_err, 0);
	}

	/* the link has it now: answered from a later step, no pairing again */
	w.done = 0;
	assert_int_equal(l2k_link_secure(w.s[0].st, w.s[0].handle, L2K_SEC_MEDIUM, on_secured, &w), 0);
	assert_int_equal(w.done, 0);
	run(&w, secured, 1000);
	assert_int_equal(w.err, 0);
	assert_int_equal(w.s[0].paired, 1);
	world_down(&w);
}

static void test_level_3_that_only_just_works_can_answer_fails(void **st)
{
	(void)st;
	struct world w;
	world_up(&w, L2K_IO_NO_INPUT_NO_OUTPUT, L2K_IO_NO_INPUT_NO_OUTPUT);
	assert_int_equal(l2k_link_secure(w.s[0].st, w.s[0].handle, L2K_SEC_HIGH, on_secured, &w), 0);
	run(&w, secured, 60000);
	assert_int_equal(w.err, L2K_EAUTH);
	assert_true(sec_of(&w.s[0]).level < L2K_SEC_HIGH);
	world_down(&w);
}

static void test_refused_by_the_agent_fails_with_the_step(void **st)
{
	(void)st;
	struct world w;
	world_up(&w, L2K_IO_DISPLAY_YESNO, L2K_IO_DISPLAY_YESNO);
	w.s[0].reject = true;
	assert_int_equal(l2k_link_secure(w.s[0].st, w.s[0].handle, L2K_SEC_HIGH, on_secured, &w), 0);
	run(&w, secured, 60000);
	assert_int_equal(w.err, L2K_EAUTH);
	assert_int_equal(w.s[0].paired, 1);
	assert_int_equal(w.s[0].paired_err, L2K_EAUTH);
	assert_non_null(strstr(w.s[0].why, "numeric comparison"));
	assert_false(sec_of(&w.s[0]).encrypted);
	world_down(&w);
}

static void test_bad_arguments(void **st)
{
	(void)st;
	struct world w;
	world_up(&w, L2K_IO_NO_INPUT_NO_OUTPUT, L2K_IO_NO_INPUT_NO_OUTPUT);
	uint16_t h = w.s[0].handle;
	assert_int_equal(l2k_link_secure(w.s[0].st, h, 0, on_secured, &w), L2K_EINVAL);
	assert_int_equal(l2k_link_secure(w.s[0].st, h, 5, on_secured, &w), L2K_EINVAL);
	assert_int_equal(l2k_link_secure(w.s[0].st, h, L2K_SEC_MEDIUM, NULL, &w), L2K_EINVAL);
	assert_int_equal(l2k_link_secure(NULL, h, L2K_SEC_MEDIUM, on_secured, &w), L2K_EINVAL);
	assert_int_equal(l2k_link_secure(w.s[0].st, (uint16_t)(h + 0x100), L2K_SEC_MEDIUM, on_secured, &w),
			 L2K_ENOLINK);
	assert_int_equal(w.done, 0);
	world_down(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_level_3_with_numeric_comparison),
	    cmocka_unit_test(test_level_3_that_only_just_works_can_answer_fails),
	    cmocka_unit_test(test_refused_by_the_agent_fails_with_the_step),
	    cmocka_unit_test(test_bad_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
