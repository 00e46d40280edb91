/* LE pairing between two l2kit stacks on the in-process simulated air, virtual clock, through
 * the public API (security options, the agent, l2k_pair, l2k_link_security, l2k_bonds) and the
 * security manager's sm_secure (what a channel's security level asks for):
 *   - every association model of legacy pairing and of LE Secure Connections, the level it
 *     gives (2, 3, 4), the keys each side stores;
 *   - the central pairing on its own and on the peripheral's Security Request;
 *   - a bonded pair reconnecting: encrypted with the stored LTK, no SMP command on the air;
 *   - a refused comparison and a wrong passkey: L2K_EAUTH at both ends, no key stored;
 *   - a controller that alters the LTK (sim sec-fault=key-mismatch): the MIC failure ends the
 *     link and the waiter learns it;
 *   - a peer on a resolvable private address recognised from the IRK it gave when bonding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/stack_internal.h"
#include "base/hci_defs.h"
#include "sm/smp_int.h"
#include "transport/sim/sim.h"
#include "transport/sim_transport.h"

enum { A, B }; /* A the central, B the peripheral */

enum entry { TYPE_SHOWN, TYPE_WRONG, TYPE_VALUE };

struct node {
	struct world *w;
	int idx;
	l2k_stack *s;
	l2k_addr addr;
	uint16_t handle;
	int ups, downs;
	uint8_t down_reason;
	/* agent */
	int asks[8];
	bool reject;	   /* answer no to comparisons and Just Works */
	enum entry entry;  /* how passkeys are typed */
	uint32_t value;	   /* TYPE_VALUE */
	bool shown;
	uint32_t shown_value, confirm_value;
	bool entry_pending;
	/* reports */
	int paired, paired_err;
	char why[200];
	int changes;
	struct l2k_link_security last;
	/* sm_secure / l2k_pair results */
	int done, done_err;
};

struct world {
	struct l2k_vclock vc;
	char air[48];
	struct node n[2];
	bool (*until)(struct world *w);
};

/* ---- callbacks ------------------------------------------------------------------------------ */

static void on_up(void *u, const struct l2k_link_info *li)
{
	struct node *n = u;
	n->ups++;
	n->handle = li->handle;
}

static void on_down(void *u, const struct l2k_link_info *li, uint8_t reason)
{
	struct node *n = u;
	n->downs++;
	n->down_reason = reason;
}

static void on_agent(void *u, const struct l2k_agent_request *rq)
{
	struct node *n = u;
	n->asks[rq->ask]++;
	switch (rq->ask) {
	case L2K_ASK_CONFIRM:
		n->confirm_value = rq->value;
		l2k_agent_reply(n->s, rq->handle, !n->reject, 0, NULL);
		break;
	case L2K_ASK_JUST_WORKS: l2k_agent_reply(n->s, rq->handle, !n->reject, 0, NULL); break;
	case L2K_ASK_PASSKEY_DISPLAY:
		n->shown = true;
		n->shown_value = rq->value;
		break;
	case L2K_ASK_PASSKEY_ENTRY:
		if (n->entry == TYPE_VALUE)
			l2k_agent_reply(n->s, rq->handle, true, n->value, NULL); /* at once, inside the call */
		else
			n->entry_pending = true; /* typed once the other side shows it (see pump) */
		break;
	default: break;
	}
}

static void on_paired(void *u, const l2k_addr *peer, enum l2k_addr_type type, int err, const char *why)
{
	struct node *n = u;
	n->paired++;
	n->paired_err = err;
	snprintf(n->why, sizeof(n->why), "%s", why ? why : "");
}

static void on_security(void *u, uint16_t handle, const struct l2k_link_security *sec)
{
	struct node *n = u;
	n->changes++;
	n->last = *sec;
}

static void on_done(void *arg, uint16_t handle, int err)
{
	struct node *n = arg;
	n->done++;
	n->done_err = err;
}

/* ---- the world ------------------------------------------------------------------------------ */

static bool pump(void *arg)
{
	struct world *w = arg;
	for (int i = 0; i < 2; i++) {
		struct node *n = &w->n[i], *o = &w->n[1 - i];
		if (n->entry_pending && o->shown) {
			n->entry_pending = false;
			l2k_agent_reply(n->s, n->handle, true, o->shown_value + (n->entry == TYPE_WRONG ? 1 : 0), NULL);
		}
	}
	return w->until && w->until(w);
}

static void run(struct world *w, bool (*until)(struct world *w), uint64_t ms)
{
	l2k_stack *st[2] = {w->n[A].s, w->n[B].s};
	w->until = until;
	l2k_sim_run_until(st, 2, &w->vc, pump, w, ms);
	w->until = NULL;
}

static bool both_up(struct world *w)
{
	return w->n[A].handle && w->n[B].handle;
}

static void connect(struct world *w)
{
	w->n[A].handle = w->n[B].handle = 0;
	assert_int_equal(l2k_le_advertise(w->n[B].s, true, NULL, 0), 0);
	assert_int_equal(l2k_link_connect(w->n[A].s, &w->n[B].addr, L2K_ADDR_LE_PUBLIC), 0);
	run(w, both_up, 5000);
	assert_true(both_up(w));
}

static bool both_down(struct world *w)
{
	return !sm_link_of(w->n[A].s->sm, w->n[A].handle) && !sm_link_of(w->n[B].s->sm, w->n[B].handle);
}

static void disconnect(struct world *w)
{
	assert_int_equal(l2k_link_disconnect(w->n[A].s, w->n[A].handle, HCI_ERR_REMOTE_USER_TERM), 0);
	run(w, both_down, 5000);
	assert_true(both_down(w));
}

/* Two LE stacks (A central, B peripheral) with these IO capabilities, connected.  extra_b is
 * appended to B's sim spec. */
static struct world *world_new(enum l2k_io_cap io_a, enum l2k_io_cap io_b, bool legacy, const char *extra_b)
{
	static unsigned seq;
	static struct world w;
	memset(&w, 0, sizeof(w));
	snprintf(w.air, sizeof(w.air), "smp-le-%d-%u", (int)getpid(), seq++);
	enum l2k_io_cap io[2] = {io_a, io_b};
	for (int i = 0; i < 2; i++) {
		struct node *n = &w.n[i];
		n->w = &w;
		n->idx = i;
		char spec[160], err[256];
		snprintf(spec, sizeof(spec), "sim:air=%s,type=le%s%s", w.air, i == B && extra_b ? "," : "",
			 i == B && extra_b ? extra_b : "");
		struct l2k_security_opts so;
		l2k_security_opts_default(&so);
		so.io_cap = io[i];
		struct l2k_stack_opts o = {.clock = l2k_vclock_now, .clock_arg = &w.vc, .security = &so};
		struct l2k_stack_cbs cbs = {.user = n,
					    .link_up = on_up,
					    .link_down = on_down,
					    .agent = on_agent,
					    .paired = on_paired,
					    .security = on_security};
		assert_int_equal(l2k_stack_open(spec, &o, &cbs, &n->s, err, sizeof(err)), 0);
		n->s->sm->cfg.le_legacy_only = legacy;
	}
	l2k_stack *st[2] = {w.n[A].s, w.n[B].s};
	assert_int_equal(l2k_sim_run_until(st, 2, &w.vc, NULL, NULL, 100), 0);
	for (int i = 0; i < 2; i++) {
		struct l2k_controller_info ci;
		assert_int_equal(l2k_controller_info(w.n[i].s, &ci), 0);
		w.n[i].addr = ci.addr;
	}
	connect(&w);
	return &w;
}

static void world_free(struct world *w)
{
	l2k_stack_close(w->n[A].s);
	l2k_stack_close(w->n[B].s);
	struct sim_air *air = sim_air_find(w->air);
	if (air)
		sim_air_close(air);
}

static bool a_secured(struct world *w)
{
	return w->n[A].done > 0;
}

static bool b_secured(struct world *w)
{
	return w->n[B].done > 0;
}

static bool a_done(struct world *w)
{
	return w->n[A].done > 0 && w->n[A].paired && w->n[B].paired;
}

/* A asks for level on its link (sm_secure, as a channel does) and both sides finish pairing. */
static void secure(struct world *w, int who, uint8_t level)
{
	struct node *n = &w->n[who];
	assert_int_equal(sm_secure(n->s->sm, n->handle, level, on_done, n), 0);
}

static struct l2k_link_security sec_of(struct node *n)
{
	struct l2k_link_security s;
	assert_int_equal(l2k_link_security(n->s, n->handle, &s), 0);
	return s;
}

static int bonds(struct node *n, struct l2k_bond *b)
{
	return l2k_bonds(n->s, b, b ? 1 : 0);
}

static struct sm_smp_stats stats(struct node *n)
{
	struct sm_smp_stats st;
	sm_smp_stats(n->s->sm, &st);
	return st;
}

/* Pairing from A's sm_secure(level) succeeded with what the model gives. */
static void expect_paired(struct world *w, uint8_t level, bool authenticated, bool sc)
{
	run(w, a_done, 60000);
	assert_int_equal(w->n[A].done, 1);
	if (w->n[A].done_err || w->n[A].paired_err || w->n[B].paired_err)
		fail_msg("pairing failed: A %s / B %s", w->n[A].why, w->n[B].why);
	for (int i = 0; i < 2; i++) {
		struct l2k_link_security s = sec_of(&w->n[i]);
		assert_true(s.encrypted);
		assert_int_equal(s.key_size, 16);
		assert_int_equal(s.level, level);
		assert_int_equal(s.authenticated, authenticated);
		assert_int_equal(s.secure_conn, sc);
		assert_true(s.bonded);
		assert_int_equal(w->n[i].last.level, level); /* cbs->security told the application */
	}
}

/* ---- the association models ----------------------------------------------------------------- */

static void test_legacy_just_works_gives_level_2_and_both_ltks(void **state)
{
	struct world *w = world_new(L2K_IO_NO_INPUT_NO_OUTPUT, L2K_IO_NO_INPUT_NO_OUTPUT, true, NULL);
	secure(w, A, 2);
	expect_paired(w, 2, false, false);
	/* the central keeps the peripheral's LTK (EDIV, Rand) to encrypt later; the peripheral the
	 * LTK it gave; with a legacy bond the central also gave its own for a role switch */
	struct l2k_bond ba, bb;
	assert_int_equal(bonds(&w->n[A], &ba), 1);
	assert_int_equal(bonds(&w->n[B], &bb), 1);
	assert_true(ba.has_ltk && bb.has_local_ltk);
	assert_memory_equal(ba.ltk, bb.local_ltk, 16);
	assert_int_equal(ba.ediv, bb.local_ediv);
	assert_memory_equal(ba.rand, bb.local_rand, 8);
	assert_true(bb.has_ltk && ba.has_local_ltk);
	assert_memory_equal(bb.ltk, ba.local_ltk, 16);
	assert_memory_equal(ba.peer.b, w->n[B].addr.b, 6);
	assert_int_equal(ba.peer_type, L2K_ADDR_LE_PUBLIC);
	assert_false(ba.secure_conn || ba.authenticated);
	/* no agent question but the Just Works ones */
	assert_int_equal(w->n[A].asks[L2K_ASK_JUST_WORKS], 1);
	assert_int_equal(w->n[B].asks[L2K_ASK_JUST_WORKS], 1);
	world_free(w);
}

static void test_legacy_passkey_entry_gives_level_3(void **state)
{
	/* A keyboard, B display: B shows, A types (Table 2.8) */
	struct world *w = world_new(L2K_IO_KEYBOARD_ONLY, L2K_IO_DISPLAY_ONLY, true, NULL);
	secure(w, A, 3);
	expect_paired(w, 3, true, false);
	assert_int_equal(w->n[B].asks[L2K_ASK_PASSKEY_DISPLAY], 1);
	assert_int_equal(w->n[A].asks[L2K_ASK_PASSKEY_ENTRY], 1);
	assert_true(w->n[B].shown_value <= 999999);
	world_free(w);
}

static void test_legacy_both_keyboard_display_initiator_shows(void **state)
{
	struct world *w = world_new(L2K_IO_KEYBOARD_DISPLAY, L2K_IO_KEYBOARD_DISPLAY, true, NULL);
	secure(w, A, 3);
	expect_paired(w, 3, true, false);
	assert_int_equal(w->n[A].asks[L2K_ASK_PASSKEY_DISPLAY], 1);
	assert_int_equal(w->n[B].asks[L2K_ASK_PASSKEY_ENTRY], 1);
	world_free(w);
}

static void test_legacy_oob_tk_gives_level_3(void **state)
{
	struct world *w = world_new(L2K_IO_NO_INPUT_NO_OUTPUT, L2K_IO_NO_INPUT_NO_OUTPUT, true, NULL);
	struct l2k_le_oob o = {.has_tk = true};
	for (int i = 0; i < 16; i++)
		o.tk[i] = (uint8_t)(0x30 + i);
	assert_int_equal(l2k_le_oob_peer(w->n[A].s, &w->n[B].addr, L2K_ADDR_LE_PUBLIC, &o), 0);
	assert_int_equal(l2k_le_oob_peer(w->n[B].s, &w->n[A].addr, L2K_ADDR_LE_PUBLIC, &o), 0);
	secure(w, A, 3);
	expect_paired(w, 3, true, false);
	assert_int_equal(w->n[A].asks[L2K_ASK_JUST_WORKS] + w->n[B].asks[L2K_ASK_JUST_WORKS], 0);
	world_free(w);
}

static void test_legacy_oob_with_different_tks_fails_confirm(void **state)
{
	struct world *w = world_new(L2K_IO_NO_INPUT_NO_OUTPUT, L2K_IO_NO_INPUT_NO_OUTPUT, true, NULL);
	struct l2k_le_oob o = {.has_tk = true};
	o.tk[0] = 1;
	assert_int_equal(l2k_le_oob_peer(w->n[A].s, &w->n[B].addr, L2K_ADDR_LE_PUBLIC, &o), 0);
	o.tk[0] = 2;
	assert_int_equal(l2k_le_oob_peer(w->n[B].s, &w->n[A].addr, L2K_ADDR_LE_PUBLIC, &o), 0);
	secure(w, A, 2);
	run(w, a_done, 60000);
	assert_int_equal(w->n[A].done_err, L2K_EAUTH);
	assert_int_equal(w->n[A].paired_err, L2K_EAUTH);
	assert_int_equal(w->n[B].paired_err, L2K_EAUTH);
	assert_int_equal(bonds(&w->n[A], NULL), 0);
	assert_int_equal(bonds(&w->n[B], NULL), 0);
	world_free(w);
}

static void test_sc_just_works_gives_level_2(void **state)
{
	struct world *w = world_new(L2K_IO_NO_INPUT_NO_OUTPUT, L2K_IO_DISPLAY_YESNO, false, NULL);
	secure(w, A, 2);
	expect_paired(w, 2, false, true);
	/* LE Secure Connections: one LTK, the same at both ends, EDIV and Rand 0 */
	struct l2k_bond ba, bb;
	assert_int_equal(bonds(&w->n[A], &ba), 1);
	assert_int_equal(bonds(&w->n[B], &bb), 1);
	assert_true(ba.has_ltk && bb.has_ltk && ba.secure_conn && bb.secure_conn);
	assert_false(ba.has_local_ltk || bb.has_local_ltk);
	assert_memory_equal(ba.ltk, bb.ltk, 16);
	assert_int_equal(ba.ediv, 0);
	world_free(w);
}

static void test_sc_numeric_comparison_gives_level_4_and_same_value(void **state)
{
	struct world *w = world_new(L2K_IO_DISPLAY_YESNO, L2K_IO_KEYBOARD_DISPLAY, false, NULL);
	secure(w, A, 4);
	expect_paired(w, 4, true, true);
	assert_int_equal(w->n[A].asks[L2K_ASK_CONFIRM], 1);
	assert_int_equal(w->n[B].asks[L2K_ASK_CONFIRM], 1);
	assert_int_equal(w->n[A].confirm_value, w->n[B].confirm_value);
	assert_true(w->n[A].confirm_value <= 999999);
	world_free(w);
}

static void test_sc_passkey_entry_gives_level_4(void **state)
{
	/* B keyboard, A display: A shows, B types; 20 rounds of confirm / random */
	struct world *w = world_new(L2K_IO_DISPLAY_ONLY, L2K_IO_KEYBOARD_ONLY, false, NULL);
	struct sm_smp_stats before = stats(&w->n[A]);
	secure(w, A, 4);
	expect_paired(w, 4, true, true);
	assert_int_equal(w->n[A].asks[L2K_ASK_PASSKEY_DISPLAY], 1);
	assert_int_equal(w->n[B].asks[L2K_ASK_PASSKEY_ENTRY], 1);
	/* A sent: request, public key, 20 x (confirm, random), DHKey check */
	assert_int_equal(stats(&w->n[A]).tx - before.tx, 1 + 1 + 40 + 1);
	world_free(w);
}

static void test_sc_passkey_both_keyboards(void **state)
{
	struct world *w = world_new(L2K_IO_KEYBOARD_ONLY, L2K_IO_KEYBOARD_ONLY, false, NULL);
	w->n[A].entry = w->n[B].entry = TYPE_VALUE;
	w->n[A].value = w->n[B].value = 424242;
	secure(w, A, 3);
	expect_paired(w, 4, true, true);
	assert_int_equal(w->n[A].asks[L2K_ASK_PASSKEY_ENTRY], 1);
	assert_int_equal(w->n[B].asks[L2K_ASK_PASSKEY_ENTRY], 1);
	world_free(w);
}

static void test_sc_oob_one_way_and_both_ways(void **state)
{
	for (int both = 0; both < 2; both++) {
		struct world *w = world_new(L2K_IO_NO_INPUT_NO_OUTPUT, L2K_IO_NO_INPUT_NO_OUTPUT, false, NULL);
		/* B's data reaches A (and A's reaches B when both) */
		struct l2k_le_oob ob = {.has_sc = true}, oa = {.has_sc = true};
		assert_int_equal(l2k_le_oob_local(w->n[B].s, ob.r, ob.c), 0);
		assert_int_equal(l2k_le_oob_peer(w->n[A].s, &w->n[B].addr, L2K_ADDR_LE_PUBLIC, &ob), 0);
		if (both) {
			assert_int_equal(l2k_le_oob_local(w->n[A].s, oa.r, oa.c), 0);
			assert_int_equal(l2k_le_oob_peer(w->n[B].s, &w->n[A].addr, L2K_ADDR_LE_PUBLIC, &oa), 0);
		}
		secure(w, A, 4);
		expect_paired(w, 4, true, true);
		assert_int_equal(w->n[A].asks[L2K_ASK_JUST_WORKS] + w->n[B].asks[L2K_ASK_JUST_WORKS], 0);
		world_free(w);
	}
}

static void test_sc_oob_data_of_another_key_fails_confirm(void **state)
{
	struct world *w = world_new(L2K_IO_NO_INPUT_NO_OUTPUT, L2K_IO_NO_INPUT_NO_OUTPUT, false, NULL);
	struct l2k_le_oob ob = {.has_sc = true};
	assert_int_equal(l2k_le_oob_local(w->n[B].s, ob.r, ob.c), 0);
	/* B makes new data: the key pair A's copy was made for is gone */
	uint8_t r[16], c[16];
	assert_int_equal(l2k_le_oob_local(w->n[B].s, r, c), 0);
	assert_int_equal(l2k_le_oob_peer(w->n[A].s, &w->n[B].addr, L2K_ADDR_LE_PUBLIC, &ob), 0);
	secure(w, A, 2);
	run(w, a_done, 60000);
	assert_int_equal(w->n[A].paired_err, L2K_EAUTH);
	assert_non_null(strstr(w->n[A].why, "out-of-band"));
	assert_int_equal(bonds(&w->n[A], NULL), 0);
	world_free(w);
}

/* ---- who starts ----------------------------------------------------------------------------- */

static bool b_done(struct world *w)
{
	return w->n[B].done > 0 && w->n[A].paired && w->n[B].paired;
}

static void test_peripheral_security_request_makes_the_central_pair(void **state)
{
	struct world *w = world_new(L2K_IO_DISPLAY_YESNO, L2K_IO_DISPLAY_YESNO, false, NULL);
	secure(w, B, 3);
	run(w, b_done, 60000);
	assert_int_equal(w->n[B].done, 1);
	assert_int_equal(w->n[B].done_err, 0);
	assert_int_equal(sec_of(&w->n[A]).level, 4);
	assert_int_equal(sec_of(&w->n[B]).level, 4);
	world_free(w);
}

static bool pair_reported(struct world *w)
{
	return w->n[A].paired && w->n[B].paired;
}

static void test_l2k_pair_from_either_side_bonds(void **state)
{
	for (int who = A; who <= B; who++) {
		struct world *w = world_new(L2K_IO_NO_INPUT_NO_OUTPUT, L2K_IO_NO_INPUT_NO_OUTPUT, false, NULL);
		struct node *n = &w->n[who];
		assert_int_equal(l2k_pair(n->s, &w->n[1 - who].addr, L2K_ADDR_LE_PUBLIC), 0);
		run(w, pair_reported, 60000);
		assert_int_equal(w->n[A].paired_err, 0);
		assert_int_equal(w->n[B].paired_err, 0);
		assert_int_equal(bonds(&w->n[A], NULL), 1);
		assert_int_equal(bonds(&w->n[B], NULL), 1);
		assert_true(sec_of(&w->n[A]).bonded);
		world_free(w);
	}
}

static void test_level_3_with_no_io_fails_authentication_requirements(void **state)
{
	struct world *w = world_new(L2K_IO_NO_INPUT_NO_OUTPUT, L2K_IO_NO_INPUT_NO_OUTPUT, false, NULL);
	secure(w, A, 3);
	run(w, a_done, 60000);
	assert_int_equal(w->n[A].done_err, L2K_EAUTH);
	assert_non_null(strstr(w->n[A].why, "Just Works"));
	assert_non_null(strstr(w->n[B].why, "Authentication Requirements"));
	assert_false(sec_of(&w->n[A]).encrypted);
	world_free(w);
}

static void test_secure_connections_only_refuses_a_legacy_peer(void **state)
{
	struct world *w = world_new(L2K_IO_NO_INPUT_NO_OUTPUT, L2K_IO_NO_INPUT_NO_OUTPUT, false, NULL);
	w->n[A].s->sm->cfg.le_legacy_only = true;
	w->n[B].s->sm->cfg.sc_only = true;
	secure(w, A, 2);
	run(w, a_done, 60000);
	assert_int_equal(w->n[A].done_err, L2K_EAUTH);
	assert_non_null(strstr(w->n[B].why, "Secure Connections Only"));
	world_free(w);
}

/* ---- failures: no key stored ----------------------------------------------------------------- */

static void test_refused_comparison_fails_both_sides_and_stores_nothing(void **state)
{
	struct world *w = world_new(L2K_IO_DISPLAY_YESNO, L2K_IO_DISPLAY_YESNO, false, NULL);
	w->n[B].reject = true; /* the person at B sees another number */
	secure(w, A, 3);
	run(w, a_done, 60000);
	assert_int_equal(w->n[A].done_err, L2K_EAUTH);
	assert_int_equal(w->n[A].paired_err, L2K_EAUTH);
	assert_int_equal(w->n[B].paired_err, L2K_EAUTH);
	assert_non_null(strstr(w->n[A].why, "Numeric Comparison Failed"));
	assert_int_equal(bonds(&w->n[A], NULL), 0);
	assert_int_equal(bonds(&w->n[B], NULL), 0);
	assert_false(sec_of(&w->n[A]).encrypted);
	assert_false(sec_of(&w->n[B]).encrypted);
	world_free(w);
}

static void test_wrong_passkey_fails_with_confirm_value_failed(void **state)
{
	for (int legacy = 0; legacy < 2; legacy++) {
		struct world *w = world_new(L2K_IO_KEYBOARD_ONLY, L2K_IO_DISPLAY_ONLY, legacy, NULL);
		w->n[A].entry = TYPE_WRONG;
		secure(w, A, 3);
		run(w, a_done, 60000);
		assert_int_equal(w->n[A].done_err, L2K_EAUTH);
		assert_int_equal(w->n[A].paired_err, L2K_EAUTH);
		assert_int_equal(w->n[B].paired_err, L2K_EAUTH);
		/* whichever side checks first finds the confirm value wrong */
		assert_true(strstr(w->n[A].why, "Confirm Value Failed") || strstr(w->n[A].why, "confirm value"));
		assert_int_equal(bonds(&w->n[A], NULL), 0);
		assert_int_equal(bonds(&w->n[B], NULL), 0);
		world_free(w);
	}
}

static void test_pairing_again_on_an_encrypted_link_refreshes_the_key(void **state)
{
	struct world *w = world_new(L2K_IO_NO_INPUT_NO_OUTPUT, L2K_IO_NO_INPUT_NO_OUTPUT, false, NULL);
	/* an encrypted LE link that gets a new key reports Encryption Key Refresh Complete (event
	 * 0x30, Set Event Mask bit 47), which the bring-up's mask must let through */
	for (int i = 0; i < 2; i++) {
		uint8_t m[8] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x9F, 0x00, 0x20};
		assert_int_equal(hci_host_cmd(w->n[i].s->hci, HCI_OP_SET_EVENT_MASK, m, sizeof(m), NULL, NULL), 0);
	}
	secure(w, A, 2);
	expect_paired(w, 2, false, true);
	struct l2k_bond before;
	assert_int_equal(bonds(&w->n[A], &before), 1);
	/* now both can show and confirm a number: level 3 needs a new, authenticated key */
	w->n[A].s->sm->cfg.io_cap = L2K_IO_DISPLAY_YESNO;
	w->n[B].s->sm->cfg.io_cap = L2K_IO_DISPLAY_YESNO;
	w->n[A].done = w->n[A].paired = w->n[B].paired = 0;
	secure(w, A, 3);
	expect_paired(w, 4, true, true);
	struct l2k_bond after;
	assert_int_equal(bonds(&w->n[A], &after), 1);
	assert_memory_not_equal(before.ltk, after.ltk, 16);
	assert_true(after.authenticated);
	world_free(w);
}

/* ---- bonded reconnects ---------------------------------------------------------------------- */

static void test_bonded_reconnect_encrypts_with_the_stored_ltk_without_smp(void **state)
{
	for (int legacy = 0; legacy < 2; legacy++) {
		/* legacy: B shows a passkey A types; SC: numeric comparison */
		struct world *w = world_new(L2K_IO_KEYBOARD_DISPLAY, L2K_IO_DISPLAY_YESNO, legacy, NULL);
		secure(w, A, 3);
		expect_paired(w, legacy ? 3 : 4, true, !legacy);
		disconnect(w);
		connect(w);
		struct sm_smp_stats sa = stats(&w->n[A]), sb = stats(&w->n[B]);
		int asked = w->n[A].asks[L2K_ASK_CONFIRM] + w->n[A].asks[L2K_ASK_PASSKEY_ENTRY];
		w->n[A].done = 0;
		secure(w, A, 3);
		run(w, a_secured, 10000);
		assert_int_equal(w->n[A].done, 1);
		assert_int_equal(w->n[A].done_err, 0);
		for (int i = 0; i < 2; i++) {
			struct l2k_link_security s = sec_of(&w->n[i]);
			assert_true(s.encrypted && s.bonded && s.authenticated);
			assert_int_equal(s.level, legacy ? 3 : 4);
		}
		/* no SMP command either way, no question to the user */
		assert_int_equal(stats(&w->n[A]).tx, sa.tx);
		assert_int_equal(stats(&w->n[A]).rx, sa.rx);
		assert_int_equal(stats(&w->n[B]).tx, sb.tx);
		assert_int_equal(stats(&w->n[B]).ltk_requests, sb.ltk_requests + 1);
		assert_int_equal(w->n[A].asks[L2K_ASK_CONFIRM] + w->n[A].asks[L2K_ASK_PASSKEY_ENTRY], asked);
		world_free(w);
	}
}

static void test_bonded_peripheral_security_request_gets_the_stored_key(void **state)
{
	struct world *w = world_new(L2K_IO_NO_INPUT_NO_OUTPUT, L2K_IO_NO_INPUT_NO_OUTPUT, false, NULL);
	secure(w, A, 2);
	expect_paired(w, 2, false, true);
	disconnect(w);
	connect(w);
	int paired_a = w->n[A].paired;
	struct sm_smp_stats sb = stats(&w->n[B]);
	secure(w, B, 2);
	run(w, b_secured, 10000);
	assert_int_equal(w->n[B].done, 1);
	assert_int_equal(w->n[B].done_err, 0);
	assert_true(sec_of(&w->n[B]).encrypted);
	/* one Security Request, no pairing */
	assert_int_equal(stats(&w->n[B]).tx, sb.tx + 1);
	assert_int_equal(w->n[A].paired, paired_a);
	world_free(w);
}

static bool link_gone(struct world *w)
{
	return w->n[A].done > 0 && w->n[B].downs > 0 && w->n[A].downs > 0;
}

static void test_ltk_mismatch_fault_ends_in_mic_failure(void **state)
{
	struct world *w = world_new(L2K_IO_NO_INPUT_NO_OUTPUT, L2K_IO_NO_INPUT_NO_OUTPUT, false, NULL);
	secure(w, A, 2);
	expect_paired(w, 2, false, true);
	disconnect(w);
	/* B's controller now alters the LTK its host gives */
	sim_ctrl_set_sec_faults(sim_transport_ctrl(w->n[B].s->tr), SIM_SEC_FAULT_KEY_MISMATCH);
	connect(w);
	w->n[A].done = 0;
	int downs_a = w->n[A].downs, downs_b = w->n[B].downs;
	w->n[A].downs = w->n[B].downs = 0;
	secure(w, A, 2);
	run(w, link_gone, 60000);
	assert_int_equal(w->n[B].down_reason, HCI_ERR_MIC_FAILURE);
	assert_int_equal(w->n[A].done, 1);
	assert_true(w->n[A].done_err == L2K_ELINKLOSS || w->n[A].done_err == L2K_EAUTH);
	/* the bond stays (a MIC failure is no proof the peer lost it) */
	assert_int_equal(bonds(&w->n[A], NULL), 1);
	assert_int_equal(bonds(&w->n[B], NULL), 1);
	(void)downs_a;
	(void)downs_b;
	world_free(w);
}

/* ---- channels at a level (the engine asks the security manager before it connects) --------- */

struct chan_rec {
	int opened, closed, accepted;
};

static void ch_open(void *u, l2k_chan *ch)
{
	((struct chan_rec *)u)->opened++;
}

static void ch_closed(void *u, l2k_chan *ch, enum l2k_close_reason r)
{
	((struct chan_rec *)u)->closed++;
}

static int srv_accept(void *u, const struct l2k_conn_request *rq, struct l2k_chan_opts *o, struct l2k_chan_cbs *cb)
{
	struct chan_rec *r = u;
	r->accepted++;
	cb->user = r;
	cb->open = ch_open;
	return 0;
}

static struct chan_rec g_cli, g_srv;

static bool chan_settled(struct world *w)
{
	return (g_cli.opened || g_cli.closed) && w->n[A].paired && w->n[B].paired;
}

static void test_le_credit_channel_at_level_4_pairs_first_then_opens(void **state)
{
	for (int mode = 0; mode < 2; mode++) {
		struct world *w = world_new(L2K_IO_DISPLAY_YESNO, L2K_IO_DISPLAY_YESNO, false, NULL);
		enum l2k_mode m = mode ? L2K_MODE_ECFC : L2K_MODE_LE_CREDIT;
		memset(&g_cli, 0, sizeof(g_cli));
		memset(&g_srv, 0, sizeof(g_srv));
		struct l2k_chan_opts so, co;
		l2k_chan_opts_default(&so);
		so.mode = m;
		so.sec_level = L2K_SEC_FIPS; /* the server wants level 4 */
		struct l2k_server_cbs sc = {.user = &g_srv, .accept = srv_accept};
		assert_int_equal(l2k_server_add(w->n[B].s, 0x0081, true, &so, &sc, NULL), 0);
		l2k_chan_opts_default(&co);
		co.mode = m;
		co.sec_level = L2K_SEC_FIPS; /* so the client pairs before it asks */
		struct l2k_chan_cbs cc = {.user = &g_cli, .open = ch_open, .closed = ch_closed};
		l2k_chan *ch;
		if (m == L2K_MODE_ECFC)
			assert_int_equal(l2k_chan_connect_ecfc(w->n[A].s, &w->n[B].addr, L2K_ADDR_LE_PUBLIC, 0x0081, 1, &co, &cc, &ch), 0);
		else
			assert_int_equal(l2k_chan_connect(w->n[A].s, &w->n[B].addr, L2K_ADDR_LE_PUBLIC, 0x0081, &co, &cc, &ch), 0);
		run(w, chan_settled, 60000);
		assert_int_equal(w->n[A].paired_err, 0);
		assert_int_equal(g_cli.opened, 1);
		assert_int_equal(g_srv.accepted, 1);
		assert_int_equal(w->n[A].asks[L2K_ASK_CONFIRM], 1);
		assert_int_equal(sec_of(&w->n[B]).level, L2K_SEC_FIPS);
		world_free(w);
	}
}

/* ---- privacy -------------------------------------------------------------------------------- */

static void test_peer_on_a_resolvable_private_address_is_recognised_from_its_irk(void **state)
{
	struct world *w = world_new(L2K_IO_NO_INPUT_NO_OUTPUT, L2K_IO_NO_INPUT_NO_OUTPUT, false, NULL);
	/* A has an identity (IRK + its public address) and gives it when bonding */
	struct sm_config *ca = &w->n[A].s->sm->cfg;
	ca->has_irk = true;
	for (int i = 0; i < 16; i++)
		ca->irk[i] = (uint8_t)(0xA0 + i);
	secure(w, A, 2);
	expect_paired(w, 2, false, true);
	struct l2k_bond bb;
	assert_int_equal(bonds(&w->n[B], &bb), 1);
	assert_true(bb.has_irk);
	assert_memory_equal(bb.irk, ca->irk, 16);
	assert_memory_equal(bb.peer.b, w->n[A].addr.b, 6);
	disconnect(w);
	/* A comes back on a resolvable private address made from its IRK (Vol 6 Part B 1.3.2.2) */
	uint8_t rpa[6] = {0, 0, 0, 0x11, 0x22, 0x40 | 0x33};
	assert_int_equal(smp_ah(ca->irk, rpa + 3, rpa), 0);
	struct hci_host *ha = w->n[A].s->hci;
	assert_int_equal(hci_host_cmd(ha, HCI_OP_LE_SET_RANDOM_ADDR, rpa, 6, NULL, NULL), 0);
	uint8_t cc[25] = {0};
	put_le16(cc, 0x0060);
	put_le16(cc + 2, 0x0030);
	cc[4] = 0;				     /* no accept list */
	cc[5] = HCI_ADDR_LE_PUBLIC;		     /* peer address type */
	memcpy(cc + 6, w->n[B].addr.b, 6);
	cc[12] = 0x01;				     /* own address: random */
	put_le16(cc + 13, 24);
	put_le16(cc + 15, 24);
	put_le16(cc + 17, 0);
	put_le16(cc + 19, 200);
	w->n[A].handle = w->n[B].handle = 0;
	assert_int_equal(l2k_le_advertise(w->n[B].s, true, NULL, 0), 0);
	assert_int_equal(hci_host_cmd(ha, HCI_OP_LE_CREATE_CONN, cc, sizeof(cc), NULL, NULL), 0);
	run(w, both_up, 5000);
	assert_true(both_up(w));
	struct sm_link *lb = sm_link_of(w->n[B].s->sm, w->n[B].handle);
	assert_non_null(lb);
	assert_int_equal(lb->peer_type, L2K_ADDR_LE_RANDOM);
	assert_memory_equal(lb->peer.b, rpa, 6);
	assert_memory_equal(lb->id_addr.b, w->n[A].addr.b, 6); /* resolved */
	assert_int_equal(lb->id_type, L2K_ADDR_LE_PUBLIC);
	/* so the stored key serves: A encrypts, B finds the LTK of A's identity */
	w->n[A].done = 0;
	secure(w, A, 2);
	run(w, a_secured, 10000);
	assert_int_equal(w->n[A].done, 1);
	assert_int_equal(w->n[A].done_err, 0);
	assert_true(sec_of(&w->n[B]).encrypted && sec_of(&w->n[B]).bonded);
	world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_legacy_just_works_gives_level_2_and_both_ltks),
		cmocka_unit_test(test_legacy_passkey_entry_gives_level_3),
		cmocka_unit_test(test_legacy_both_keyboard_display_initiator_shows),
		cmocka_unit_test(test_legacy_oob_tk_gives_level_3),
		cmocka_unit_test(test_legacy_oob_with_different_tks_fails_confirm),
		cmocka_unit_test(test_sc_just_works_gives_level_2),
		cmocka_unit_test(test_sc_numeric_comparison_gives_level_4_and_same_value),
		cmocka_unit_test(test_sc_passkey_entry_gives_level_4),
		cmocka_unit_test(test_sc_passkey_both_keyboards),
		cmocka_unit_test(test_sc_oob_one_way_and_both_ways),
		cmocka_unit_test(test_sc_oob_data_of_another_key_fails_confirm),
		cmocka_unit_test(test_peripheral_security_request_makes_the_central_pair),
		cmocka_unit_test(test_l2k_pair_from_either_side_bonds),
		cmocka_unit_test(test_level_3_with_no_io_fails_authentication_requirements),
		cmocka_unit_test(test_secure_connections_only_refuses_a_legacy_peer),
		cmocka_unit_test(test_refused_comparison_fails_both_sides_and_stores_nothing),
		cmocka_unit_test(test_wrong_passkey_fails_with_confirm_value_failed),
		cmocka_unit_test(test_pairing_again_on_an_encrypted_link_refreshes_the_key),
		cmocka_unit_test(test_bonded_reconnect_encrypts_with_the_stored_ltk_without_smp),
		cmocka_unit_test(test_bonded_peripheral_security_request_gets_the_stored_key),
		cmocka_unit_test(test_ltk_mismatch_fault_ends_in_mic_failure),
		cmocka_unit_test(test_le_credit_channel_at_level_4_pairs_first_then_opens),
		cmocka_unit_test(test_peer_on_a_resolvable_private_address_is_recognised_from_its_irk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
