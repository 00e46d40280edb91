/* Channels at a security level (issue 15 item 3), through the public API only, on the
 * simulated air with a virtual clock: the engine asks the security manager to raise the link
 * before a channel opens.
 *
 *  - BR/EDR acceptor at level 2: the client's plain request is answered "pending,
 *    authentication" while the link is paired and encrypted, then the channel opens;
 *  - BR/EDR acceptor at level 3 with no means of MITM protection on either side: Security Block
 *    (0x0003), the client's channel refused;
 *  - initiator at level 3 with numeric comparison: the agents confirm, the channel opens on an
 *    authenticated encrypted link; an agent that refuses: the channel closes with
 *    L2K_CLOSE_SECURITY and no request went out;
 *  - SDP's PSM 0x0001 stays at level 0 whatever the server asks;
 *  - LE credit based and enhanced credit based acceptors at level 2 or 3 refuse a plain link to
 *    a peer they have no key for with insufficient authentication (0x0005: pairing is what is
 *    missing, Vol 3 Part C Table 10.2; tests/conformance/test_ts_security.c has the other
 *    results). */
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
	bool reject;	/* the agent says no */
	int confirms;	/* numeric comparisons answered */
	/* channels */
	int opened, closed;
	enum l2k_close_reason reason;
	uint16_t result;
	l2k_chan *ch;
	int accepted;
	struct l2k_link_security link_sec;
	uint16_t handle;
};

struct world {
	struct l2k_vclock vc;
	struct side s[2];
	l2k_addr addr[2];
	struct l2k_security_opts sec[2];
};

static void on_ready(void *u, int err)
{
	assert_int_equal(err, 0);
	((struct side *)u)->ready++;
}

static void on_link_up(void *u, const struct l2k_link_info *li)
{
	((struct side *)u)->handle = li->handle;
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

static void c_open(void *u, l2k_chan *ch)
{
	struct side *s = u;
	s->opened++;
	s->ch = ch;
}

static void c_closed(void *u, l2k_chan *ch, enum l2k_close_reason r)
{
	struct side *s = u;
	struct l2k_chan_info ci;
	l2k_chan_get_info(ch, &ci);
	s->closed++;
	s->reason = r;
	s->result = ci.result;
	if (s->ch == ch)
		s->ch = NULL;
}

static int s_accept(void *u, const struct l2k_conn_request *rq, struct l2k_chan_opts *o, struct l2k_chan_cbs *cb)
{
	struct side *s = u;
	s->accepted++;
	cb->user = s;
	cb->open = c_open;
	cb->closed = c_closed;
	return 0;
}

static bool both_ready(void *a)
{
	struct world *w = a;
	return w->s[0].ready && w->s[1].ready;
}

static void world_up(struct world *w, const char *type, enum l2k_io_cap io0, enum l2k_io_cap io1)
{
	static int n;
	memset(w, 0, sizeof(*w));
	char spec[128], err[256];
	snprintf(spec, sizeof(spec), "sim:air=sec-chan-%d,type=%s,profile=unlimited", ++n, type);
	for (int i = 0; i < 2; i++) {
		l2k_security_opts_default(&w->sec[i]);
		w->sec[i].io_cap = i ? io1 : io0;
		struct l2k_stack_opts so = {.clock = l2k_vclock_now, .clock_arg = &w->vc, .security = &w->sec[i]};
		struct l2k_stack_cbs cbs = {.user = &w->s[i], .ready = on_ready, .agent = on_agent, .link_up = on_link_up};
		assert_int_equal(l2k_stack_open(spec, &so, &cbs, &w->s[i].st, err, sizeof(err)), 0);
	}
	l2k_stack *st[2] = {w->s[0].st, w->s[1].st};
	assert_int_equal(l2k_sim_run_until(st, 2, &w->vc, both_ready, w, 10000), 0);
	for (int i = 0; i < 2; i++) {
		struct l2k_controller_info ci;
		l2k_controller_info(w->s[i].st, &ci);
		w->addr[i] = ci.addr;
	}
	if (!strcmp(type, "le"))
		assert_int_equal(l2k_le_advertise(w->s[1].st, true, NULL, 0), 0);
}

static void world_down(struct world *w)
{
	for (int i = 0; i < 2; i++)
		l2k_stack_close(w->s[i].st);
}

static bool client_settled(void *a)
{
	struct world *w = a;
	return w->s[0].opened || w->s[0].closed;
}

static void run(struct world *w, uint64_t ms)
{
	l2k_stack *st[2] = {w->s[0].st, w->s[1].st};
	int r = l2k_sim_run_until(st, 2, &w->vc, client_settled, w, ms);
	assert_true(r == 0 || r == L2K_ETIMEDOUT || r == L2K_EAGAIN);
	/* let the other side finish too */
	l2k_sim_run_until(st, 2, &w->vc, NULL, NULL, 200);
}

/* Connect a channel from side 0 to psm on side 1 (whose server asks server_level) with
 * client_level; returns when the client's channel opened or closed. */
static void connect(struct world *w, bool le, uint16_t psm, enum l2k_mode mode, uint8_t server_level,
		    uint8_t client_level)
{
	struct l2k_chan_opts so, co;
	l2k_chan_opts_default(&so);
	so.mode = mode;
	so.sec_level = server_level;
	struct l2k_server_cbs sc = {.user = &w->s[1], .accept = s_accept};
	assert_int_equal(l2k_server_add(w->s[1].st, psm, le, &so, &sc, NULL), 0);
	l2k_chan_opts_default(&co);
	co.mode = mode;
	co.sec_level = client_level;
	struct l2k_chan_cbs cc = {.user = &w->s[0], .open = c_open, .closed = c_closed};
	l2k_chan *ch;
	enum l2k_addr_type at = le ? L2K_ADDR_LE_PUBLIC : L2K_ADDR_BREDR;
	if (mode == L2K_MODE_ECFC)
		assert_int_equal(l2k_chan_connect_ecfc(w->s[0].st, &w->addr[1], at, psm, 1, &co, &cc, &ch), 0);
	else
		assert_int_equal(l2k_chan_connect(w->s[0].st, &w->addr[1], at, psm, &co, &cc, &ch), 0);
	run(w, 60000);
}

static uint8_t level_of(struct side *s)
{
	struct l2k_link_security ls;
	assert_int_equal(l2k_link_security(s->st, s->handle, &ls), 0);
	return ls.level;
}

static void test_bredr_acceptor_raises_the_link_then_opens(void **st)
{
	struct world w;
	world_up(&w, "bredr", L2K_IO_NO_INPUT_NO_OUTPUT, L2K_IO_NO_INPUT_NO_OUTPUT);
	connect(&w, false, 0x1001, L2K_MODE_BASIC, L2K_SEC_MEDIUM, 0);
	assert_int_equal(w.s[0].opened, 1);
	assert_int_equal(w.s[1].opened, 1);
	assert_int_equal(w.s[1].accepted, 1); /* offered to the server once the link had level 2 */
	assert_true(level_of(&w.s[0]) >= L2K_SEC_MEDIUM);
	assert_true(level_of(&w.s[1]) >= L2K_SEC_MEDIUM);
	world_down(&w);
}

static void test_bredr_acceptor_refuses_with_security_block(void **st)
{
	struct world w;
	/* neither side can display or enter anything: Just Works only, never authenticated */
	world_up(&w, "bredr", L2K_IO_NO_INPUT_NO_OUTPUT, L2K_IO_NO_INPUT_NO_OUTPUT);
	connect(&w, false, 0x1001, L2K_MODE_BASIC, L2K_SEC_HIGH, 0);
	assert_int_equal(w.s[0].opened, 0);
	assert_int_equal(w.s[0].closed, 1);
	assert_int_equal(w.s[0].reason, L2K_CLOSE_REFUSED);
	assert_int_equal(w.s[0].result, 0x0003); /* Security Block */
	assert_int_equal(w.s[1].accepted, 0);	 /* the application never saw it */
	world_down(&w);
}

static void test_bredr_initiator_at_level_3_with_numeric_comparison(void **st)
{
	struct world w;
	world_up(&w, "bredr", L2K_IO_DISPLAY_YESNO, L2K_IO_DISPLAY_YESNO);
	connect(&w, false, 0x1003, L2K_MODE_ERTM, 0, L2K_SEC_HIGH);
	assert_int_equal(w.s[0].opened, 1);
	assert_true(w.s[0].confirms >= 1);
	assert_true(w.s[1].confirms >= 1);
	assert_true(level_of(&w.s[0]) >= L2K_SEC_HIGH);
	world_down(&w);
}

static void test_bredr_initiator_refused_by_its_agent_closes_for_security(void **st)
{
	struct world w;
	world_up(&w, "bredr", L2K_IO_DISPLAY_YESNO, L2K_IO_DISPLAY_YESNO);
	w.s[0].reject = true;
	connect(&w, false, 0x1003, L2K_MODE_BASIC, 0, L2K_SEC_HIGH);
	assert_int_equal(w.s[0].opened, 0);
	assert_int_equal(w.s[0].closed, 1);
	assert_int_equal(w.s[0].reason, L2K_CLOSE_SECURITY);
	assert_int_equal(w.s[1].accepted, 0); /* no Connection Request went out */
	world_down(&w);
}

static void test_sdp_stays_at_level_0(void **st)
{
	struct world w;
	world_up(&w, "bredr", L2K_IO_NO_INPUT_NO_OUTPUT, L2K_IO_NO_INPUT_NO_OUTPUT);
	connect(&w, false, 0x0001, L2K_MODE_BASIC, L2K_SEC_HIGH, L2K_SEC_HIGH);
	assert_int_equal(w.s[0].opened, 1);
	assert_int_equal(level_of(&w.s[0]), L2K_SEC_LOW); /* no pairing, no encryption */
	world_down(&w);
}

static void le_refusal(enum l2k_mode mode, uint8_t level, uint16_t want)
{
	struct world w;
	world_up(&w, "le", L2K_IO_NO_INPUT_NO_OUTPUT, L2K_IO_NO_INPUT_NO_OUTPUT);
	connect(&w, true, 0x0081, mode, level, 0);
	assert_int_equal(w.s[0].opened, 0);
	assert_int_equal(w.s[0].closed, 1);
	assert_int_equal(w.s[0].reason, L2K_CLOSE_REFUSED);
	assert_int_equal(w.s[0].result, want);
	assert_int_equal(w.s[1].accepted, 0);
	world_down(&w);
}

static void test_le_credit_acceptor_at_level_2_refuses_a_peer_without_a_key(void **st)
{
	le_refusal(L2K_MODE_LE_CREDIT, L2K_SEC_MEDIUM, 0x0005);
}

static void test_le_credit_acceptor_refuses_insufficient_authentication(void **st)
{
	le_refusal(L2K_MODE_LE_CREDIT, L2K_SEC_HIGH, 0x0005);
}

static void test_ecfc_acceptor_at_level_2_refuses_a_peer_without_a_key(void **st)
{
	le_refusal(L2K_MODE_ECFC, L2K_SEC_MEDIUM, 0x0005);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bredr_acceptor_raises_the_link_then_opens),
	    cmocka_unit_test(test_bredr_acceptor_refuses_with_security_block),
	    cmocka_unit_test(test_bredr_initiator_at_level_3_with_numeric_comparison),
	    cmocka_unit_test(test_bredr_initiator_refused_by_its_agent_closes_for_security),
	    cmocka_unit_test(test_sdp_stays_at_level_0),
	    cmocka_unit_test(test_le_credit_acceptor_at_level_2_refuses_a_peer_without_a_key),
	    cmocka_unit_test(test_le_credit_acceptor_refuses_insufficient_authentication),
	    cmocka_unit_test(test_ecfc_acceptor_at_level_2_refuses_a_peer_without_a_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
