/* Security Mode 4 between two Simple Pairing hosts (Vol 3 Part C 5.2.2), through the public API
 * only, on the simulated air with a virtual clock: a BR/EDR channel other than SDP at the
 * default level (0/1) needs an encrypted link with at least an unauthenticated key when both
 * hosts support Secure Simple Pairing (as BlueZ and BTstack require of their peers).
 *
 *  - two default stacks: the initiator pairs Just Works (no agent question) and encrypts before
 *    its Connection Request; the channel opens on a level 2 link and data flows;
 *  - the opt-out (no_mode4) on both: no pairing, the link stays unencrypted;
 *  - a peer whose host left Simple Pairing off (legacy_pairing): level 1 is no security;
 *  - the acceptor: a peer with the opt-out opening a non-SDP PSM on an unencrypted link gets
 *    "pending, authentication" while the acceptor pairs and encrypts, then the channel; when the
 *    pairing fails, Security Block (0x0003); SDP on the same unencrypted link is accepted
 *    without security;
 *  - ten channels asked at once share one raise of the link (one pairing, all open). */
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
	bool reject_just_works; /* an agent that refuses Just Works (set: every question goes to it) */
	int asked;		/* questions to the agent */
	int paired, paired_err;
	int opened, closed;
	enum l2k_close_reason reason;
	uint16_t result;
	l2k_chan *ch;
	int accepted;
	uint16_t handle;
	size_t rx_bytes;
	char rx[64];
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
	s->asked++;
	l2k_agent_reply(s->st, req->handle, !s->reject_just_works, 0, NULL);
}

static void on_paired(void *u, const l2k_addr *peer, enum l2k_addr_type type, int err, const char *why)
{
	struct side *s = u;
	s->paired++;
	s->paired_err = err;
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

static void c_recv(void *u, l2k_chan *ch, const uint8_t *sdu, size_t len)
{
	struct side *s = u;
	if (s->rx_bytes + len <= sizeof(s->rx))
		memcpy(s->rx + s->rx_bytes, sdu, len);
	s->rx_bytes += len;
}

static int s_accept(void *u, const struct l2k_conn_request *rq, struct l2k_chan_opts *o, struct l2k_chan_cbs *cb)
{
	struct side *s = u;
	s->accepted++;
	cb->user = s;
	cb->open = c_open;
	cb->closed = c_closed;
	cb->recv = c_recv;
	return 0;
}

static bool both_ready(void *a)
{
	struct world *w = a;
	return w->s[0].ready && w->s[1].ready;
}

/* Two BR/EDR stacks; side i with the opt-out (no_mode4[i]), its host's Simple Pairing off
 * (legacy[i]), an agent callback that refuses Just Works (reject[i]). */
static void world_up(struct world *w, const bool no_mode4[2], const bool legacy[2], const bool reject[2])
{
	static int n;
	memset(w, 0, sizeof(*w));
	char spec[128], err[256];
	snprintf(spec, sizeof(spec), "sim:air=sec-mode4-%d,type=bredr,profile=unlimited", ++n);
	for (int i = 0; i < 2; i++) {
		l2k_security_opts_default(&w->sec[i]);
		w->sec[i].no_mode4 = no_mode4 && no_mode4[i];
		w->sec[i].legacy_pairing = legacy && legacy[i];
		w->s[i].reject_just_works = reject && reject[i];
		struct l2k_stack_opts so = {.clock = l2k_vclock_now, .clock_arg = &w->vc, .security = &w->sec[i]};
		struct l2k_stack_cbs cbs = {.user = &w->s[i],
					    .ready = on_ready,
					    .agent = w->s[i].reject_just_works ? on_agent : NULL,
					    .paired = on_paired,
					    .link_up = on_link_up};
		assert_int_equal(l2k_stack_open(spec, &so, &cbs, &w->s[i].st, err, sizeof(err)), 0);
	}
	l2k_stack *st[2] = {w->s[0].st, w->s[1].st};
	assert_int_equal(l2k_sim_run_until(st, 2, &w->vc, both_ready, w, 10000), 0);
	for (int i = 0; i < 2; i++) {
		struct l2k_controller_info ci;
		l2k_controller_info(w->s[i].st, &ci);
		w->addr[i] = ci.addr;
	}
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

/* Connect a channel at the default level from side 0 to psm on side 1 (a server at the default
 * level); returns when the client's channel opened or closed. */
static void connect(struct world *w, uint16_t psm)
{
	struct l2k_chan_opts so, co;
	l2k_chan_opts_default(&so);
	struct l2k_server_cbs sc = {.user = &w->s[1], .accept = s_accept};
	assert_int_equal(l2k_server_add(w->s[1].st, psm, false, &so, &sc, NULL), 0);
	l2k_chan_opts_default(&co);
	struct l2k_chan_cbs cc = {.user = &w->s[0], .open = c_open, .closed = c_closed};
	l2k_chan *ch;
	w->s[0].opened = w->s[0].closed = w->s[1].opened = w->s[1].accepted = 0;
	assert_int_equal(l2k_chan_connect(w->s[0].st, &w->addr[1], L2K_ADDR_BREDR, psm, &co, &cc, &ch), 0);
	l2k_stack *st[2] = {w->s[0].st, w->s[1].st};
	int r = l2k_sim_run_until(st, 2, &w->vc, client_settled, w, 60000);
	assert_int_equal(r, 0);
	l2k_sim_run_until(st, 2, &w->vc, NULL, NULL, 200); /* the other side finishes too */
}

static struct l2k_link_security sec_of(struct side *s)
{
	struct l2k_link_security ls;
	assert_int_equal(l2k_link_security(s->st, s->handle, &ls), 0);
	return ls;
}

/* Data from side 0's channel reaches side 1's. */
static void data_flows(struct world *w)
{
	assert_non_null(w->s[0].ch);
	assert_int_equal(l2k_chan_send(w->s[0].ch, (const uint8_t *)"mode four", 9), 0);
	l2k_stack *st[2] = {w->s[0].st, w->s[1].st};
	l2k_sim_run_until(st, 2, &w->vc, NULL, NULL, 500);
	assert_int_equal(w->s[1].rx_bytes, 9);
	assert_memory_equal(w->s[1].rx, "mode four", 9);
}

static void test_default_level_between_ssp_hosts_pairs_just_works_and_encrypts(void **st)
{
	struct world w;
	world_up(&w, NULL, NULL, NULL);
	connect(&w, 0x1001);
	assert_int_equal(w.s[0].opened, 1);
	assert_int_equal(w.s[1].opened, 1);
	for (int i = 0; i < 2; i++) {
		struct l2k_link_security ls = sec_of(&w.s[i]);
		assert_true(ls.encrypted);
		assert_false(ls.authenticated); /* Just Works: an unauthenticated key */
		assert_int_equal(ls.level, L2K_SEC_MEDIUM);
		assert_int_equal(w.s[i].paired, 1);
		assert_int_equal(w.s[i].paired_err, 0);
		assert_int_equal(w.s[i].asked, 0);
	}
	data_flows(&w);
	world_down(&w);
}

/* Both sides pair and encrypt: the level-2 outcome without the opt-out or a legacy peer. */
static void expect_mode4_pairing(struct world *w)
{
	assert_int_equal(w->s[0].opened, 1);
	assert_int_equal(w->s[1].opened, 1);
	for (int i = 0; i < 2; i++) {
		struct l2k_link_security ls = sec_of(&w->s[i]);
		assert_true(ls.encrypted);
		assert_int_equal(ls.level, L2K_SEC_MEDIUM);
		assert_int_equal(w->s[i].paired, 1);
	}
}

/* No pairing, an unencrypted link, the channel open and carrying data. */
static void expect_no_security(struct world *w)
{
	assert_int_equal(w->s[0].opened, 1);
	assert_int_equal(w->s[1].opened, 1);
	for (int i = 0; i < 2; i++) {
		struct l2k_link_security ls = sec_of(&w->s[i]);
		assert_false(ls.encrypted);
		assert_int_equal(ls.level, L2K_SEC_LOW);
		assert_int_equal(w->s[i].paired, 0);
	}
	data_flows(w);
}

static void test_opt_out_keeps_the_link_unencrypted(void **st)
{
	/* the same two stacks without the opt-out pair (so the opt-out is what differs) */
	struct world w;
	const bool off[2] = {true, true};
	world_up(&w, NULL, NULL, NULL);
	connect(&w, 0x1001);
	expect_mode4_pairing(&w);
	world_down(&w);
	world_up(&w, off, NULL, NULL);
	connect(&w, 0x1001);
	expect_no_security(&w);
	world_down(&w);
}

static void test_legacy_peer_keeps_level_1_without_security(void **st)
{
	/* one initiator configuration, two acceptors: one whose host turned Simple Pairing on
	 * (pairing), one whose host never did (level 1, no security) */
	struct world w;
	const bool legacy[2] = {false, true};
	world_up(&w, NULL, NULL, NULL);
	connect(&w, 0x1001);
	expect_mode4_pairing(&w);
	world_down(&w);
	world_up(&w, NULL, legacy, NULL);
	connect(&w, 0x1001);
	expect_no_security(&w);
	world_down(&w);
}

static void test_acceptor_raises_an_unencrypted_ssp_link_and_sdp_needs_nothing(void **st)
{
	struct world w;
	const bool off[2] = {true, false}; /* the initiator opts out, the acceptor does not */
	world_up(&w, off, NULL, NULL);
	/* SDP first: accepted on the unencrypted link, nobody pairs */
	connect(&w, 0x0001);
	assert_int_equal(w.s[0].opened, 1);
	assert_int_equal(w.s[1].accepted, 1);
	assert_false(sec_of(&w.s[1]).encrypted);
	assert_int_equal(w.s[1].paired, 0);
	/* then a non-SDP PSM on the same link: the acceptor pairs and encrypts, then accepts */
	connect(&w, 0x1001);
	assert_int_equal(w.s[0].opened, 1);
	assert_int_equal(w.s[1].accepted, 1);
	assert_int_equal(w.s[1].opened, 1);
	for (int i = 0; i < 2; i++) {
		struct l2k_link_security ls = sec_of(&w.s[i]);
		assert_true(ls.encrypted);
		assert_int_equal(ls.level, L2K_SEC_MEDIUM);
		assert_int_equal(w.s[i].paired, 1);
		assert_int_equal(w.s[i].paired_err, 0);
	}
	data_flows(&w);
	world_down(&w);
}

static void test_acceptor_refuses_with_security_block_when_pairing_fails(void **st)
{
	struct world w;
	const bool off[2] = {true, false};
	const bool reject[2] = {true, false}; /* the initiator's agent refuses the pairing */
	world_up(&w, off, NULL, reject);
	connect(&w, 0x1001);
	assert_int_equal(w.s[0].opened, 0);
	assert_int_equal(w.s[0].closed, 1);
	assert_int_equal(w.s[0].reason, L2K_CLOSE_REFUSED);
	assert_int_equal(w.s[0].result, 0x0003); /* Security Block */
	assert_int_equal(w.s[0].asked, 1);	 /* its agent was asked about Just Works */
	assert_int_equal(w.s[1].accepted, 0);	 /* the acceptor's application never saw it */
	assert_false(sec_of(&w.s[1]).encrypted);
	world_down(&w);
}

static int many_open, many_closed;
static void m_open(void *u, l2k_chan *ch)
{
	many_open++;
}
static void m_closed(void *u, l2k_chan *ch, enum l2k_close_reason r)
{
	many_closed++;
}

/* Ten channels asked at once on a new link (more than the security manager's callers per link):
 * one pairing, every channel opens. */
static void test_ten_channels_at_once_share_one_raise(void **st)
{
	struct world w;
	world_up(&w, NULL, NULL, NULL);
	struct l2k_chan_opts so, co;
	l2k_chan_opts_default(&so);
	struct l2k_server_cbs sc = {.user = &w.s[1], .accept = s_accept};
	assert_int_equal(l2k_server_add(w.s[1].st, 0x1001, false, &so, &sc, NULL), 0);
	l2k_chan_opts_default(&co);
	struct l2k_chan_cbs cc = {.open = m_open, .closed = m_closed};
	many_open = many_closed = 0;
	for (int i = 0; i < 10; i++) {
		l2k_chan *ch;
		assert_int_equal(l2k_chan_connect(w.s[0].st, &w.addr[1], L2K_ADDR_BREDR, 0x1001, &co, &cc, &ch), 0);
	}
	l2k_stack *stk[2] = {w.s[0].st, w.s[1].st};
	l2k_sim_run_until(stk, 2, &w.vc, NULL, NULL, 5000);
	assert_int_equal(many_closed, 0);
	assert_int_equal(many_open, 10);
	assert_int_equal(w.s[1].opened, 10);
	assert_true(sec_of(&w.s[0]).encrypted);
	assert_int_equal(w.s[0].paired, 1);
	world_down(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_level_between_ssp_hosts_pairs_just_works_and_encrypts),
	    cmocka_unit_test(test_opt_out_keeps_the_link_unencrypted),
	    cmocka_unit_test(test_legacy_peer_keeps_level_1_without_security),
	    cmocka_unit_test(test_acceptor_raises_an_unencrypted_ssp_link_and_sdp_needs_nothing),
	    cmocka_unit_test(test_acceptor_refuses_with_security_block_when_pairing_fails),
	    cmocka_unit_test(test_ten_channels_at_once_share_one_raise),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
