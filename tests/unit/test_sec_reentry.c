/* The security calls from an application thread while the stack's thread runs (l2k_start): a
 * call that ends a pairing at once (refusing an LE numeric comparison sends Pairing Failed and
 * ends it inside l2k_agent_reply) reports the end through cbs->paired on the calling thread,
 * with the stack's lock held.  The callback may call l2kit as any callback may (the security
 * calls, l2k_lock / l2k_unlock around event-face calls): it must not deadlock on the lock its
 * own thread holds.  An alarm (120 s; the test takes about 1 s, 4 s under valgrind) ends the test if it does. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <l2kit/l2kit.h>

struct side {
	l2k_stack *st;
	volatile bool up;
	volatile uint16_t handle;
	volatile bool asked;
	struct l2k_agent_request req;
	volatile int paired, paired_err;
	/* what the paired callback could do from inside */
	volatile int sec_r, bonds_r, info_r;
	volatile bool in_cb_done;
};

static void on_up(void *u, const struct l2k_link_info *li)
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
	s->req = *req; /* answered later, from the test's thread */
	s->asked = true;
}

static void on_paired(void *u, const l2k_addr *peer, enum l2k_addr_type type, int err, const char *why)
{
	(void)peer;
	(void)type;
	(void)why;
	struct side *s = u;
	s->paired++;
	s->paired_err = err;
	/* what any callback may do */
	struct l2k_link_security ls;
	s->sec_r = l2k_link_security(s->st, s->handle, &ls);
	s->bonds_r = l2k_bonds(s->st, NULL, 0);
	struct l2k_controller_info ci;
	l2k_lock(s->st);
	s->info_r = l2k_controller_info(s->st, &ci);
	l2k_unlock(s->st);
	s->in_cb_done = true;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static bool wait_for(volatile bool *flag, int ms)
{
	for (int i = 0; i < ms / 5 && !*flag; i++)
		sleep_ms(5);
	return *flag;
}

static void test_refusing_from_the_application_thread_lets_the_callback_call_l2kit(void **state)
{
	(void)state;
#ifndef _WIN32 /* (under Wine the runner's time limit does it) */
	alarm(120); /* a deadlock ends the test (SIGALRM) instead of hanging the suite */
#endif
	char spec[128], err[256];
	snprintf(spec, sizeof(spec), "sim:air=sec-reentry-%d,type=le", (int)getpid());
	struct side sd[2];
	memset(sd, 0, sizeof(sd));
	l2k_addr addr[2];
	for (int i = 0; i < 2; i++) {
		struct l2k_security_opts so;
		l2k_security_opts_default(&so);
		so.io_cap = L2K_IO_DISPLAY_YESNO;
		struct l2k_stack_opts o = {.security = &so};
		struct l2k_stack_cbs cbs = {.user = &sd[i], .link_up = on_up, .agent = on_agent, .paired = on_paired};
		assert_int_equal(l2k_stack_open(spec, &o, &cbs, &sd[i].st, err, sizeof(err)), 0);
		assert_int_equal(l2k_wait_ready(sd[i].st, 5000), 0);
		struct l2k_controller_info ci;
		assert_int_equal(l2k_controller_info(sd[i].st, &ci), 0);
		addr[i] = ci.addr;
		assert_int_equal(l2k_start(sd[i].st), 0);
	}
	l2k_lock(sd[1].st);
	assert_int_equal(l2k_le_advertise(sd[1].st, true, NULL, 0), 0);
	l2k_unlock(sd[1].st);
	l2k_lock(sd[0].st);
	assert_int_equal(l2k_link_connect(sd[0].st, &addr[1], L2K_ADDR_LE_PUBLIC), 0);
	l2k_unlock(sd[0].st);
	assert_true(wait_for(&sd[0].up, 10000) && wait_for(&sd[1].up, 10000));
	assert_int_equal(l2k_pair(sd[0].st, &addr[1], L2K_ADDR_LE_PUBLIC), 0);
	/* both sides are asked to compare; the initiator's application says no from here */
	assert_true(wait_for(&sd[0].asked, 10000));
	assert_int_equal(sd[0].req.ask, L2K_ASK_CONFIRM);
	assert_int_equal(l2k_agent_reply(sd[0].st, sd[0].req.handle, false, 0, NULL), 0);
	assert_true(wait_for(&sd[0].in_cb_done, 10000));
	assert_int_equal(sd[0].paired, 1);
	assert_int_equal(sd[0].paired_err, L2K_EAUTH);
	assert_int_equal(sd[0].sec_r, 0);
	assert_int_equal(sd[0].bonds_r, 0);
	assert_int_equal(sd[0].info_r, 0);
	for (int i = 0; i < 2; i++) {
		l2k_stop(sd[i].st);
		l2k_stack_close(sd[i].st);
	}
#ifndef _WIN32
	alarm(0);
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_refusing_from_the_application_thread_lets_the_callback_call_l2kit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
