/* BR/EDR security through the public API: two l2kit stacks on the in-process simulated air
 * with a virtual clock (the controllers run LMP pairing, docs/simulator.md "Security"; the
 * stacks' security managers decide, sm/bredr.c).
 *
 * Every association model with the IO capabilities that lead to it (Just Works, numeric
 * comparison accepted and refused, passkey entry right and wrong, Out of Band), the level each
 * reaches (2, 3 with a 16-digit legacy PIN, 4 with Secure Connections), bonding stored at both
 * sides and a new link authenticating with the stored key without any IO capability exchange,
 * legacy PIN pairing right and wrong, the stale-key recovery, the KNOB minimum key size (with
 * Encryption Change v2 and with v1 + Read Encryption Key Size), the simulator's faults
 * (nc-mismatch, reject, cut-in-pairing), no key stored after any failure, the key store file
 * written and read back by another stack, Secure Connections Only mode, and the socket face's
 * agent (l2k_agent_fd / l2k_agent_wait).
 *
 * A level is asked for the way the L2CAP engine asks it (sm_secure through the stack's security
 * manager); pairing explicitly with l2k_pair.  What reached each host is read back from its
 * btsnoop capture (e.g. no IO Capability Request event on a bonded reconnect). */
#include <poll.h>
#include <sys/stat.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/l2kit.h"
#include "api/stack_internal.h"
#include "base/hci_defs.h"
#include "sm/sm.h"

#define A 0
#define B 1

struct side {
	struct world *w;
	int i;
	l2k_stack *st;
	l2k_addr addr;
	uint16_t handle;
	bool up;
	int downs;
	/* the agent */
	bool no_agent;	   /* no cbs->agent */
	bool reject;	   /* refuse every question */
	int passkey_delta; /* added to the peer's displayed passkey when entering it */
	const char *pin;   /* legacy PIN (NULL: refuse) */
	bool has_pending;
	struct l2k_agent_request pending;
	int asks[8];
	uint32_t asked_value[8];
	/* reports */
	int paired_n, paired_err;
	char paired_why[256];
	int sec_n;
	int err_n, err_code;
	char err_msg[256];
	/* sm_secure */
	int done_n, done_err;
};

struct world {
	struct l2k_vclock vc;
	struct side s[2];
	l2k_stack *st[2];
	char air[48];
	char snoop[2][96];
	char keyfile[96];
	struct l2k_security_opts sec[2];
	char extra[2][96]; /* more sim spec keys per side */
	char addr[2][24];  /* fixed controller addresses (empty: the air's) */
};

/* ---- callbacks ----------------------------------------------------------------------------- */

static void on_link_up(void *u, const struct l2k_link_info *li)
{
	struct side *s = u;
	s->up = true;
	s->handle = li->handle;
}

static void on_link_down(void *u, const struct l2k_link_info *li, uint8_t reason)
{
	struct side *s = u;
	(void)li;
	(void)reason;
	s->up = false;
	s->downs++;
}

static void on_agent(void *u, const struct l2k_agent_request *req)
{
	struct side *s = u;
	assert_true(req->ask >= 1 && req->ask <= 6);
	s->asks[req->ask]++;
	s->asked_value[req->ask] = req->value;
	if (req->ask == L2K_ASK_PASSKEY_DISPLAY)
		return;
	/* answered from the run loop's predicate (the peer's displayed passkey may not be in yet) */
	s->pending = *req;
	s->has_pending = true;
}

static void on_paired(void *u, const l2k_addr *peer, enum l2k_addr_type type, int err, const char *why)
{
	struct side *s = u;
	const struct side *o = &s->w->s[1 - s->i];
	assert_memory_equal(peer->b, o->addr.b, 6);
	assert_int_equal(type, L2K_ADDR_BREDR);
	s->paired_n++;
	s->paired_err = err;
	snprintf(s->paired_why, sizeof(s->paired_why), "%s", why ? why : "");
}

static void on_security(void *u, uint16_t handle, const struct l2k_link_security *ls)
{
	struct side *s = u;
	(void)handle;
	(void)ls;
	s->sec_n++;
}

static void on_error(void *u, int err, const char *msg)
{
	struct side *s = u;
	s->err_n++;
	s->err_code = err;
	snprintf(s->err_msg, sizeof(s->err_msg), "%s", msg);
}

static void on_done(void *arg, uint16_t handle, int err)
{
	struct side *s = arg;
	assert_int_equal(handle, s->handle);
	s->done_n++;
	s->done_err = err;
}

/* ---- the world ------------------------------------------------------------------------------ */

static void world_init(struct world *w, const char *name)
{
	static int n;
	memset(w, 0, sizeof(*w));
	snprintf(w->air, sizeof(w->air), "secbr-%d-%s-%d", (int)getpid(), name, n++);
	for (int i = 0; i < 2; i++) {
		l2k_security_opts_default(&w->sec[i]);
		w->s[i].w = w;
		w->s[i].i = i;
		snprintf(w->snoop[i], sizeof(w->snoop[i]), "/tmp/%s-%c.btsnoop", w->air, 'a' + i);
	}
}

static void side_open(struct world *w, int i)
{
	struct side *s = &w->s[i];
	char spec[256], err[256];
	snprintf(spec, sizeof(spec), "sim:air=%s,type=bredr%s%s%s%s", w->air, w->addr[i][0] ? ",addr=" : "", w->addr[i],
		 w->extra[i][0] ? "," : "", w->extra[i]);
	struct l2k_stack_opts so = {.clock = l2k_vclock_now, .clock_arg = &w->vc, .security = &w->sec[i],
				    .btsnoop_path = w->snoop[i]};
	struct l2k_stack_cbs cbs = {.user = s,
				    .link_up = on_link_up,
				    .link_down = on_link_down,
				    .agent = s->no_agent ? NULL : on_agent,
				    .paired = on_paired,
				    .security = on_security,
				    .error = on_error};
	int r = l2k_stack_open(spec, &so, &cbs, &s->st, err, sizeof(err));
	if (r < 0)
		fail_msg("open %s: %s", spec, err);
	w->st[i] = s->st;
	assert_int_equal(l2k_wait_ready(s->st, 10000), 0);
	struct l2k_controller_info ci;
	assert_int_equal(l2k_controller_info(s->st, &ci), 0);
	s->addr = ci.addr;
}

static void world_open(struct world *w)
{
	side_open(w, A);
	side_open(w, B);
}

static void side_close(struct world *w, int i)
{
	if (w->s[i].st)
		l2k_stack_close(w->s[i].st);
	w->s[i].st = w->st[i] = NULL;
	unlink(w->snoop[i]);
}

static void world_close(struct world *w)
{
	side_close(w, A);
	side_close(w, B);
	if (w->keyfile[0])
		unlink(w->keyfile);
}

/* The agents answer what waits, as a person would. */
static void answer_pending(struct world *w)
{
	for (int i = 0; i < 2; i++) {
		struct side *s = &w->s[i], *o = &w->s[1 - i];
		if (!s->has_pending || !s->st)
			continue;
		const struct l2k_agent_request *q = &s->pending;
		uint32_t pk = 0;
		switch (q->ask) {
		case L2K_ASK_PASSKEY_ENTRY:
			if (o->asks[L2K_ASK_PASSKEY_DISPLAY])
				pk = o->asked_value[L2K_ASK_PASSKEY_DISPLAY];
			else if (o->asks[L2K_ASK_PASSKEY_ENTRY])
				pk = 314159; /* both enter: the same number (agreed out of band) */
			else
				continue; /* the peer's passkey is not shown yet */
			s->has_pending = false;
			assert_int_equal(l2k_agent_reply(s->st, q->handle, !s->reject, pk + (uint32_t)s->passkey_delta, NULL),
					 0);
			break;
		case L2K_ASK_PIN:
			s->has_pending = false;
			assert_int_equal(l2k_agent_reply(s->st, q->handle, !s->reject && s->pin, 0, s->pin), 0);
			break;
		default:
			s->has_pending = false;
			assert_int_equal(l2k_agent_reply(s->st, q->handle, !s->reject, 0, NULL), 0);
			break;
		}
	}
}

struct goal {
	struct world *w;
	bool (*done)(struct world *w);
};

static bool goal_check(void *arg)
{
	struct goal *g = arg;
	answer_pending(g->w);
	return g->done(g->w);
}

static int stacks(struct world *w, l2k_stack **out)
{
	int n = 0;
	for (int i = 0; i < 2; i++)
		if (w->s[i].st)
			out[n++] = w->s[i].st;
	return n;
}

static bool run_until(struct world *w, bool (*done)(struct world *w), uint64_t ms)
{
	struct goal g = {w, done};
	l2k_stack *st[2];
	int n = stacks(w, st);
	return l2k_sim_run_until(st, n, &w->vc, goal_check, &g, ms) == 0;
}

static bool never(struct world *w)
{
	(void)w;
	return false;
}

static void run_for(struct world *w, uint64_t ms)
{
	run_until(w, never, ms);
}

static bool both_up(struct world *w)
{
	return w->s[A].up && w->s[B].up;
}

static bool both_down(struct world *w)
{
	return !w->s[A].up && !w->s[B].up;
}

static void connect_link(struct world *w)
{
	w->s[A].up = w->s[B].up = false;
	assert_int_equal(l2k_link_connect(w->s[A].st, &w->s[B].addr, L2K_ADDR_BREDR), 0);
	assert_true(run_until(w, both_up, 20000));
}

static void disconnect_link(struct world *w)
{
	assert_int_equal(l2k_link_disconnect(w->s[A].st, w->s[A].handle, HCI_ERR_REMOTE_USER_TERM), 0);
	assert_true(run_until(w, both_down, 20000));
}

/* Ask side i's security manager for a level on its link, as the L2CAP engine does. */
static void secure(struct world *w, int i, uint8_t level)
{
	struct side *s = &w->s[i];
	s->done_n = 0;
	s->done_err = 1;
	assert_int_equal(sm_secure(s->st->sm, s->handle, level, on_done, s), 0);
	assert_int_equal(s->done_n, 0); /* never inside the call */
}

static bool a_done(struct world *w)
{
	return w->s[A].done_n > 0;
}

static bool both_paired(struct world *w)
{
	return w->s[A].paired_n > 0 && w->s[B].paired_n > 0;
}

static struct l2k_link_security link_sec(struct world *w, int i)
{
	struct l2k_link_security ls;
	assert_int_equal(l2k_link_security(w->s[i].st, w->s[i].handle, &ls), 0);
	return ls;
}

static int bonds(struct world *w, int i, struct l2k_bond *out)
{
	struct l2k_bond tmp[4];
	int n = l2k_bonds(w->s[i].st, tmp, 4);
	assert_true(n >= 0);
	if (out && n > 0)
		*out = tmp[0];
	return n;
}

/* Packets of the capture: direction, H4 type, event code or command opcode; the parameters of
 * the last match in last (when not NULL).  Returns how many match. */
static int snoop_count(const char *path, uint8_t type, uint16_t id, uint8_t *last, size_t cap)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	uint8_t hdr[16], rec[24], buf[1100];
	assert_int_equal(fread(hdr, 1, 16, f), 16);
	assert_memory_equal(hdr, "btsnoop\0", 8);
	int n = 0;
	while (fread(rec, 1, 24, f) == 24) {
		uint32_t incl = (uint32_t)rec[4] << 24 | (uint32_t)rec[5] << 16 | (uint32_t)rec[6] << 8 | rec[7];
		assert_true(incl >= 1 && incl <= sizeof(buf));
		assert_int_equal(fread(buf, 1, incl, f), incl);
		if (buf[0] != type)
			continue;
		const uint8_t *par;
		size_t plen;
		if (type == 0x04 && incl >= 3 && buf[1] == id) {
			par = buf + 3;
			plen = buf[2];
		} else if (type == 0x01 && incl >= 4 && (buf[1] | buf[2] << 8) == id) {
			par = buf + 4;
			plen = buf[3];
		} else {
			continue;
		}
		n++;
		if (last)
			memcpy(last, par, plen < cap ? plen : cap);
	}
	fclose(f);
	return n;
}

/* Both sides with these IO capabilities; A asks for level want on a new link; both agents
 * accept. */
static void world_up_io(struct world *w, const char *name, enum l2k_io_cap a, enum l2k_io_cap b)
{
	world_init(w, name);
	w->sec[A].io_cap = a;
	w->sec[B].io_cap = b;
}

static void expect_bond(struct world *w, int i, uint8_t key_type, bool auth, bool sc)
{
	struct l2k_bond bd;
	assert_int_equal(bonds(w, i, &bd), 1);
	assert_memory_equal(bd.peer.b, w->s[1 - i].addr.b, 6);
	assert_int_equal(bd.peer_type, L2K_ADDR_BREDR);
	assert_true(bd.has_link_key);
	assert_int_equal(bd.link_key_type, key_type);
	assert_int_equal(bd.authenticated, auth);
	assert_int_equal(bd.secure_conn, sc);
}

/* ---- association models ------------------------------------------------------------------- */

/* A pairing started by A for level want with these IO capabilities succeeds: the questions
 * asked at each side, the level, the key type, the bond at both sides. */
struct model_case {
	enum l2k_io_cap a, b;
	uint8_t want;
	enum l2k_agent_ask ask_a, ask_b; /* 0: none */
	uint8_t level;
	uint8_t key_type;
};

static void pair_case(const struct model_case *c)
{
	struct world w;
	world_up_io(&w, "model", c->a, c->b);
	world_open(&w);
	connect_link(&w);
	secure(&w, A, c->want);
	assert_true(run_until(&w, a_done, 60000));
	assert_int_equal(w.s[A].done_err, 0);
	assert_true(run_until(&w, both_paired, 1000));
	assert_int_equal(w.s[A].paired_err, 0);
	assert_int_equal(w.s[B].paired_err, 0);
	for (int i = 0; i < 2; i++) {
		enum l2k_agent_ask want_ask = i == A ? c->ask_a : c->ask_b;
		int total = 0;
		for (int k = 1; k <= 6; k++)
			total += w.s[i].asks[k];
		if (want_ask) {
			assert_int_equal(w.s[i].asks[want_ask], 1);
			assert_int_equal(total, 1);
		} else {
			assert_int_equal(total, 0);
		}
	}
	if (c->ask_a == L2K_ASK_CONFIRM && c->ask_b == L2K_ASK_CONFIRM) {
		/* numeric comparison: both show the same six digits */
		assert_int_equal(w.s[A].asked_value[L2K_ASK_CONFIRM], w.s[B].asked_value[L2K_ASK_CONFIRM]);
		assert_true(w.s[A].asked_value[L2K_ASK_CONFIRM] <= 999999);
	}
	for (int i = 0; i < 2; i++) {
		struct l2k_link_security ls = link_sec(&w, i);
		assert_true(ls.encrypted);
		assert_int_equal(ls.key_size, 16);
		assert_int_equal(ls.level, c->level);
		assert_int_equal(ls.authenticated, c->level >= 3);
		assert_int_equal(ls.secure_conn, c->key_type == 0x07 || c->key_type == 0x08);
		assert_true(ls.bonded);
		expect_bond(&w, i, c->key_type, c->key_type == 0x05 || c->key_type == 0x08,
			    c->key_type == 0x07 || c->key_type == 0x08);
	}
	struct l2k_bond ba, bb;
	bonds(&w, A, &ba);
	bonds(&w, B, &bb);
	assert_memory_equal(ba.link_key, bb.link_key, 16);
	assert_true(w.s[A].sec_n > 0);
	world_close(&w);
}

static void test_just_works_io_pairs_reach_level_2(void **st)
{
	(void)st;
	/* neither asks for MITM (level 2): Just Works whatever the IO; one NoInputNoOutput side,
	 * or DisplayOnly with a display, makes it Just Works even when MITM is asked */
	const struct model_case cases[] = {
	    {L2K_IO_NO_INPUT_NO_OUTPUT, L2K_IO_NO_INPUT_NO_OUTPUT, 2, L2K_ASK_JUST_WORKS, L2K_ASK_JUST_WORKS, 2, 0x07},
	    {L2K_IO_DISPLAY_YESNO, L2K_IO_DISPLAY_YESNO, 2, L2K_ASK_JUST_WORKS, L2K_ASK_JUST_WORKS, 2, 0x07},
	    {L2K_IO_KEYBOARD_ONLY, L2K_IO_DISPLAY_ONLY, 2, L2K_ASK_JUST_WORKS, L2K_ASK_JUST_WORKS, 2, 0x07},
	    {L2K_IO_DISPLAY_YESNO, L2K_IO_NO_INPUT_NO_OUTPUT, 2, L2K_ASK_JUST_WORKS, L2K_ASK_JUST_WORKS, 2, 0x07},
	    {L2K_IO_DISPLAY_ONLY, L2K_IO_DISPLAY_YESNO, 2, L2K_ASK_JUST_WORKS, L2K_ASK_JUST_WORKS, 2, 0x07},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		pair_case(&cases[i]);
}

static void test_numeric_comparison_accepted_reaches_level_4(void **st)
{
	(void)st;
	/* both DisplayYesNo (KeyboardDisplay is DisplayYesNo on BR/EDR), MITM asked: numeric
	 * comparison, an authenticated P-256 key, AES-CCM: level 4 */
	const struct model_case cases[] = {
	    {L2K_IO_DISPLAY_YESNO, L2K_IO_DISPLAY_YESNO, 3, L2K_ASK_CONFIRM, L2K_ASK_CONFIRM, 4, 0x08},
	    {L2K_IO_KEYBOARD_DISPLAY, L2K_IO_DISPLAY_YESNO, 4, L2K_ASK_CONFIRM, L2K_ASK_CONFIRM, 4, 0x08},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		pair_case(&cases[i]);
}

static void test_passkey_entry_right_reaches_level_4(void **st)
{
	(void)st;
	const struct model_case cases[] = {
	    /* a keyboard enters what a display shows */
	    {L2K_IO_KEYBOARD_ONLY, L2K_IO_DISPLAY_ONLY, 3, L2K_ASK_PASSKEY_ENTRY, L2K_ASK_PASSKEY_DISPLAY, 4, 0x08},
	    {L2K_IO_DISPLAY_YESNO, L2K_IO_KEYBOARD_ONLY, 3, L2K_ASK_PASSKEY_DISPLAY, L2K_ASK_PASSKEY_ENTRY, 4, 0x08},
	    /* two keyboards: both enter the same number */
	    {L2K_IO_KEYBOARD_ONLY, L2K_IO_KEYBOARD_ONLY, 3, L2K_ASK_PASSKEY_ENTRY, L2K_ASK_PASSKEY_ENTRY, 4, 0x08},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		pair_case(&cases[i]);
}

static void test_just_works_accepted_without_an_agent_callback(void **st)
{
	(void)st;
	struct world w;
	world_up_io(&w, "noagent", L2K_IO_NO_INPUT_NO_OUTPUT, L2K_IO_NO_INPUT_NO_OUTPUT);
	w.s[A].no_agent = w.s[B].no_agent = true; /* and no auto_accept */
	world_open(&w);
	connect_link(&w);
	secure(&w, A, 2);
	assert_true(run_until(&w, a_done, 60000));
	assert_int_equal(w.s[A].done_err, 0);
	assert_int_equal(link_sec(&w, A).level, 2);
	assert_int_equal(link_sec(&w, B).level, 2);
	assert_int_equal(bonds(&w, A, NULL), 1);
	assert_int_equal(bonds(&w, B, NULL), 1);
	world_close(&w);
}

/* A failed pairing: A's waiter and both sides' paired reports fail, nothing is stored, the
 * link stays at level 1. */
static void expect_failed(struct world *w, int err, const char *why_a)
{
	assert_true(run_until(w, a_done, 60000));
	assert_int_equal(w->s[A].done_err, err);
	assert_int_equal(w->s[A].paired_n, 1);
	assert_int_equal(w->s[A].paired_err, err);
	if (why_a && !strstr(w->s[A].paired_why, why_a))
		fail_msg("A's reason '%s' does not say '%s'", w->s[A].paired_why, why_a);
	assert_int_equal(bonds(w, A, NULL), 0);
	assert_int_equal(bonds(w, B, NULL), 0);
	if (w->s[A].up)
		assert_int_equal(link_sec(w, A).level, 1);
}

static void test_numeric_comparison_refused_fails_both_sides(void **st)
{
	(void)st;
	struct world w;
	world_up_io(&w, "ncno", L2K_IO_DISPLAY_YESNO, L2K_IO_DISPLAY_YESNO);
	world_open(&w);
	w.s[B].reject = true;
	connect_link(&w);
	secure(&w, A, 3);
	expect_failed(&w, L2K_EAUTH, "numeric comparison");
	assert_non_null(strstr(w.s[A].paired_why, "0x05 Authentication Failure"));
	assert_true(run_until(&w, both_paired, 1000));
	assert_int_equal(w.s[B].paired_err, L2K_EAUTH);
	assert_non_null(strstr(w.s[B].paired_why, "refused by this side's agent"));
	assert_int_equal(w.s[A].asks[L2K_ASK_CONFIRM], 1);
	assert_int_equal(w.s[B].asks[L2K_ASK_CONFIRM], 1);
	assert_int_equal(link_sec(&w, B).level, 1);
	world_close(&w);
}

static void test_passkey_entry_wrong_fails(void **st)
{
	(void)st;
	struct world w;
	world_up_io(&w, "pkbad", L2K_IO_KEYBOARD_ONLY, L2K_IO_DISPLAY_ONLY);
	world_open(&w);
	w.s[A].passkey_delta = 1; /* a typing error */
	connect_link(&w);
	secure(&w, A, 3);
	expect_failed(&w, L2K_EAUTH, "passkey entry");
	assert_int_equal(w.s[A].asks[L2K_ASK_PASSKEY_ENTRY], 1);
	assert_int_equal(w.s[B].asks[L2K_ASK_PASSKEY_DISPLAY], 1);
	assert_true(run_until(&w, both_paired, 1000));
	assert_int_equal(w.s[B].paired_err, L2K_EAUTH);
	world_close(&w);
}

static void test_level_3_refuses_just_works(void **st)
{
	(void)st;
	/* A wants MITM protection; B has no IO: the controller can only do Just Works, which A
	 * refuses itself instead of making a key too weak for what it wants */
	struct world w;
	world_up_io(&w, "nomitm", L2K_IO_DISPLAY_YESNO, L2K_IO_NO_INPUT_NO_OUTPUT);
	world_open(&w);
	connect_link(&w);
	secure(&w, A, 3);
	expect_failed(&w, L2K_EAUTH, "MITM");
	assert_int_equal(w.s[A].asks[L2K_ASK_JUST_WORKS], 0); /* refused before asking anyone */
	world_close(&w);
}

/* ---- Out of Band ---------------------------------------------------------------------------- */

static void oob_world(struct world *w, const char *name, enum l2k_io_cap io, bool spoil)
{
	world_up_io(w, name, io, io);
	world_open(w);
	struct l2k_oob_data da, db, da2;
	assert_int_equal(l2k_oob_local(w->s[A].st, &da), 0);
	assert_int_equal(l2k_oob_local(w->s[B].st, &db), 0);
	assert_true(da.has_p192 && da.has_p256 && db.has_p192 && db.has_p256); /* Secure Connections */
	/* the controller makes new values at every read */
	assert_int_equal(l2k_oob_local(w->s[A].st, &da2), 0);
	assert_memory_not_equal(da.r256, da2.r256, 16);
	if (spoil)
		da2.c256[0] ^= 0x80; /* what reached B over the other channel was altered */
	assert_int_equal(l2k_oob_remote(w->s[A].st, &w->s[B].addr, &db), 0);
	assert_int_equal(l2k_oob_remote(w->s[B].st, &w->s[A].addr, &da2), 0);
	connect_link(w);
	assert_int_equal(l2k_pair(w->s[A].st, &w->s[B].addr, L2K_ADDR_BREDR), 0);
}

static void test_oob_pairs_without_questions(void **st)
{
	(void)st;
	/* DisplayYesNo both: an explicit pairing asks MITM; OOB gives it: level 4 */
	struct world w;
	oob_world(&w, "oob", L2K_IO_DISPLAY_YESNO, false);
	assert_true(run_until(&w, both_paired, 60000));
	assert_int_equal(w.s[A].paired_err, 0);
	assert_int_equal(w.s[B].paired_err, 0);
	for (int i = 0; i < 2; i++) {
		for (int k = 1; k <= 6; k++)
			assert_int_equal(w.s[i].asks[k], 0);
		assert_int_equal(snoop_count(w.snoop[i], 0x04, HCI_EV_REMOTE_OOB_REQUEST, NULL, 0), 1);
		assert_int_equal(snoop_count(w.snoop[i], 0x01, HCI_OP_REMOTE_OOB_EXT_REPLY, NULL, 0), 1);
		expect_bond(&w, i, 0x08, true, true);
	}
	/* the pairing is followed by encryption: level 4 */
	run_for(&w, 100);
	struct l2k_link_security ls = link_sec(&w, A);
	assert_int_equal(ls.level, 4);
	world_close(&w);

	/* no IO at all: OOB still pairs, without MITM protection: level 2 */
	oob_world(&w, "oob-noio", L2K_IO_NO_INPUT_NO_OUTPUT, false);
	assert_true(run_until(&w, both_paired, 60000));
	assert_int_equal(w.s[A].paired_err, 0);
	assert_int_equal(w.s[A].asks[L2K_ASK_JUST_WORKS], 0);
	expect_bond(&w, A, 0x07, false, true);
	run_for(&w, 100);
	assert_int_equal(link_sec(&w, A).level, 2);
	world_close(&w);
}

static void test_oob_wrong_data_fails(void **st)
{
	(void)st;
	struct world w;
	oob_world(&w, "oob-bad", L2K_IO_DISPLAY_YESNO, true);
	assert_true(run_until(&w, both_paired, 60000));
	assert_int_equal(w.s[A].paired_err, L2K_EAUTH);
	assert_int_equal(w.s[B].paired_err, L2K_EAUTH);
	assert_non_null(strstr(w.s[B].paired_why, "OOB"));
	assert_int_equal(bonds(&w, A, NULL), 0);
	assert_int_equal(bonds(&w, B, NULL), 0);
	world_close(&w);
}

/* ---- bonding -------------------------------------------------------------------------------- */

static bool a_done_or_down(struct world *w)
{
	return w->s[A].done_n > 0 || !w->s[A].up;
}

static void test_bonded_reconnect_uses_the_stored_key(void **st)
{
	(void)st;
	struct world w;
	world_up_io(&w, "bond", L2K_IO_DISPLAY_YESNO, L2K_IO_DISPLAY_YESNO);
	world_open(&w);
	connect_link(&w);
	secure(&w, A, 4);
	assert_true(run_until(&w, a_done, 60000));
	assert_int_equal(w.s[A].done_err, 0);
	/* General Bonding with MITM at both sides (Authentication_Requirements 0x05) */
	uint8_t rep[9];
	for (int i = 0; i < 2; i++) {
		assert_int_equal(snoop_count(w.snoop[i], 0x01, HCI_OP_IO_CAP_REPLY, rep, sizeof(rep)), 1);
		assert_int_equal(rep[6], HCI_IO_DISPLAY_YES_NO);
		assert_int_equal(rep[8], 0x05);
	}
	int iocap[2], asks[2];
	for (int i = 0; i < 2; i++) {
		iocap[i] = snoop_count(w.snoop[i], 0x04, HCI_EV_IO_CAP_REQUEST, NULL, 0);
		asks[i] = w.s[i].asks[L2K_ASK_CONFIRM];
		assert_int_equal(iocap[i], 1);
	}
	disconnect_link(&w);

	/* a new link: A authenticates with the key, B answers with its own: no pairing */
	connect_link(&w);
	assert_int_equal(link_sec(&w, A).level, 1);
	secure(&w, A, 4);
	assert_true(run_until(&w, a_done, 60000));
	assert_int_equal(w.s[A].done_err, 0);
	run_for(&w, 100);
	for (int i = 0; i < 2; i++) {
		struct l2k_link_security ls = link_sec(&w, i);
		assert_int_equal(ls.level, 4);
		assert_true(ls.bonded);
		assert_int_equal(snoop_count(w.snoop[i], 0x04, HCI_EV_IO_CAP_REQUEST, NULL, 0), iocap[i]);
		assert_int_equal(snoop_count(w.snoop[i], 0x04, HCI_EV_IO_CAP_RESPONSE, NULL, 0), 1);
		assert_int_equal(w.s[i].asks[L2K_ASK_CONFIRM], asks[i]);
		/* each host gave its stored key once */
		assert_int_equal(snoop_count(w.snoop[i], 0x01, HCI_OP_LINK_KEY_REPLY, NULL, 0), 1);
	}
	assert_int_equal(w.s[A].paired_n, 1); /* no second pairing */
	assert_int_equal(w.s[B].paired_n, 1);
	world_close(&w);
}

static void test_explicit_pairing_is_dedicated_bonding_and_no_bonding_stores_nothing(void **st)
{
	(void)st;
	struct world w;
	world_up_io(&w, "dedic", L2K_IO_DISPLAY_YESNO, L2K_IO_DISPLAY_YESNO);
	world_open(&w);
	connect_link(&w);
	assert_int_equal(l2k_pair(w.s[A].st, &w.s[B].addr, L2K_ADDR_BREDR), 0);
	assert_true(run_until(&w, both_paired, 60000));
	assert_int_equal(w.s[A].paired_err, 0);
	uint8_t rep[9];
	for (int i = 0; i < 2; i++) {
		assert_int_equal(snoop_count(w.snoop[i], 0x01, HCI_OP_IO_CAP_REPLY, rep, sizeof(rep)), 1);
		assert_int_equal(rep[8], 0x03); /* Dedicated Bonding, MITM */
	}
	run_for(&w, 100);
	assert_int_equal(link_sec(&w, A).level, 4); /* pairing is followed by encryption */
	/* pairing again on the same, encrypted link: a new key, encryption refreshed with it */
	struct l2k_bond b1, b2;
	bonds(&w, A, &b1);
	assert_int_equal(l2k_pair(w.s[A].st, &w.s[B].addr, L2K_ADDR_BREDR), 0);
	w.s[A].paired_n = w.s[B].paired_n = 0;
	assert_true(run_until(&w, both_paired, 60000));
	assert_int_equal(w.s[A].paired_err, 0);
	run_for(&w, 100);
	bonds(&w, A, &b2);
	assert_memory_not_equal(b1.link_key, b2.link_key, 16);
	assert_int_equal(snoop_count(w.snoop[A], 0x04, HCI_EV_ENCRYPT_KEY_REFRESH, NULL, 0), 1);
	assert_int_equal(link_sec(&w, A).level, 4);
	world_close(&w);

	/* no_bonding: pairing works, No Bonding is asked, nothing is stored at either side */
	world_up_io(&w, "nobond", L2K_IO_DISPLAY_YESNO, L2K_IO_DISPLAY_YESNO);
	w.sec[A].no_bonding = true;
	world_open(&w);
	connect_link(&w);
	secure(&w, A, 3);
	assert_true(run_until(&w, a_done, 60000));
	assert_int_equal(w.s[A].done_err, 0);
	assert_int_equal(snoop_count(w.snoop[A], 0x01, HCI_OP_IO_CAP_REPLY, rep, sizeof(rep)), 1);
	assert_int_equal(rep[8], 0x01); /* No Bonding, MITM */
	assert_int_equal(snoop_count(w.snoop[B], 0x01, HCI_OP_IO_CAP_REPLY, rep, sizeof(rep)), 1);
	assert_int_equal(rep[8], 0x01); /* B follows */
	assert_int_equal(link_sec(&w, A).level, 4);
	assert_false(link_sec(&w, A).bonded);
	assert_int_equal(bonds(&w, A, NULL), 0);
	assert_int_equal(bonds(&w, B, NULL), 0);
	world_close(&w);
}

static void test_stale_key_is_deleted_and_pairing_starts_again(void **st)
{
	(void)st;
	struct world w;
	world_up_io(&w, "stale", L2K_IO_DISPLAY_YESNO, L2K_IO_DISPLAY_YESNO);
	world_open(&w);
	connect_link(&w);
	secure(&w, A, 2);
	assert_true(run_until(&w, a_done, 60000));
	assert_int_equal(w.s[A].done_err, 0);
	struct l2k_bond old, na, nb;
	bonds(&w, A, &old);
	/* B forgets A */
	assert_int_equal(l2k_bond_remove(w.s[B].st, &w.s[A].addr, L2K_ADDR_BREDR), 0);
	assert_int_equal(bonds(&w, B, NULL), 0);
	disconnect_link(&w);
	connect_link(&w);
	int asks0 = w.s[A].asks[L2K_ASK_JUST_WORKS];
	secure(&w, A, 2);
	assert_true(run_until(&w, a_done, 60000));
	assert_int_equal(w.s[A].done_err, 0);
	/* the stored key was refused (PIN or Key Missing), deleted, and a new pairing made */
	assert_int_equal(snoop_count(w.snoop[A], 0x01, HCI_OP_LINK_KEY_REPLY, NULL, 0), 1);
	uint8_t ac[3];
	assert_int_equal(snoop_count(w.snoop[A], 0x04, HCI_EV_AUTH_COMPLETE, NULL, 0), 3);
	assert_true(snoop_count(w.snoop[A], 0x01, HCI_OP_AUTH_REQUESTED, NULL, 0) == 3);
	(void)ac;
	assert_int_equal(w.s[A].asks[L2K_ASK_JUST_WORKS], asks0 + 1);
	assert_int_equal(link_sec(&w, A).level, 2);
	bonds(&w, A, &na);
	bonds(&w, B, &nb);
	assert_memory_equal(na.link_key, nb.link_key, 16);
	assert_memory_not_equal(na.link_key, old.link_key, 16);
	world_close(&w);
}

static void test_key_store_file_is_written_and_read_back(void **st)
{
	(void)st;
	struct world w;
	world_up_io(&w, "file", L2K_IO_DISPLAY_YESNO, L2K_IO_DISPLAY_YESNO);
	snprintf(w.keyfile, sizeof(w.keyfile), "/tmp/%s.keys", w.air);
	unlink(w.keyfile);
	w.sec[A].key_file = w.keyfile;
	snprintf(w.addr[A], sizeof(w.addr[A]), "00:AA:0F:00:00:0A");
	world_open(&w);
	connect_link(&w);
	secure(&w, A, 4);
	assert_true(run_until(&w, a_done, 60000));
	assert_int_equal(w.s[A].done_err, 0);
	struct l2k_bond bd;
	bonds(&w, A, &bd);

	/* the file: private (it holds keys), a section for B with the key, its type and strength */
	struct stat sb;
	assert_int_equal(stat(w.keyfile, &sb), 0);
#ifndef _WIN32
	/* (Windows has no such mode bits: its C runtime reports every file 0666; the file is as
	 * private as the folder's access control list makes it, docs/windows.md) */
	assert_int_equal(sb.st_mode & 0077, 0);
#endif
	FILE *f = fopen(w.keyfile, "r");
	assert_non_null(f);
	char text[4096];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	char want[128], ab[18];
	snprintf(want, sizeof(want), "[%s bredr]", l2k_addr_str(&w.s[B].addr, ab));
	assert_non_null(strstr(text, want));
	char *p = want + snprintf(want, sizeof(want), "link_key = ");
	for (int i = 0; i < 16; i++)
		p += sprintf(p, "%02x", bd.link_key[i]);
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(text, "link_key_type = 8\n"));
	assert_non_null(strstr(text, "authenticated = yes\n"));
	assert_non_null(strstr(text, "secure_connections = yes\n"));

	/* A again, as a new program: same controller address, same file */
	side_close(&w, A);
	run_for(&w, 100);
	assert_false(w.s[B].up);
	side_open(&w, A);
	struct l2k_bond rb;
	assert_int_equal(bonds(&w, A, &rb), 1);
	assert_memory_equal(rb.peer.b, w.s[B].addr.b, 6);
	assert_memory_equal(rb.link_key, bd.link_key, 16);
	assert_int_equal(rb.link_key_type, 0x08);
	int iocap_b = snoop_count(w.snoop[B], 0x04, HCI_EV_IO_CAP_REQUEST, NULL, 0);
	connect_link(&w);
	secure(&w, A, 4);
	assert_true(run_until(&w, a_done, 60000));
	assert_int_equal(w.s[A].done_err, 0);
	assert_int_equal(link_sec(&w, A).level, 4);
	assert_int_equal(snoop_count(w.snoop[A], 0x04, HCI_EV_IO_CAP_REQUEST, NULL, 0), 0);
	assert_int_equal(snoop_count(w.snoop[B], 0x04, HCI_EV_IO_CAP_REQUEST, NULL, 0), iocap_b);
	world_close(&w);
}

/* ---- legacy PIN pairing -------------------------------------------------------------------- */

static void test_legacy_pin_right(void **st)
{
	(void)st;
	struct world w;
	world_init(&w, "pin");
	w.sec[A].legacy_pairing = w.sec[B].legacy_pairing = true;
	world_open(&w);
	w.s[A].pin = w.s[B].pin = "1234";
	connect_link(&w);
	secure(&w, A, 2);
	assert_true(run_until(&w, a_done, 60000));
	assert_int_equal(w.s[A].done_err, 0);
	assert_true(run_until(&w, both_paired, 1000));
	for (int i = 0; i < 2; i++) {
		assert_int_equal(w.s[i].asks[L2K_ASK_PIN], 1);
		assert_int_equal(w.s[i].paired_err, 0);
		struct l2k_link_security ls = link_sec(&w, i);
		assert_int_equal(ls.level, 2);
		assert_false(ls.authenticated);
		assert_false(ls.secure_conn);
		struct l2k_bond bd;
		assert_int_equal(bonds(&w, i, &bd), 1);
		assert_int_equal(bd.link_key_type, 0x00);
		assert_int_equal(bd.pin_len, 4);
		/* Simple Pairing stayed off */
		assert_int_equal(snoop_count(w.snoop[i], 0x01, HCI_OP_WRITE_SSP_MODE, NULL, 0), 0);
	}
	world_close(&w);

	/* a 16-digit PIN makes an authenticated combination key: level 3, not 4 (no P-256) */
	world_init(&w, "pin16");
	w.sec[A].legacy_pairing = true; /* one legacy side is enough for PIN pairing */
	world_open(&w);
	w.s[A].pin = w.s[B].pin = "0123456789abcdef";
	connect_link(&w);
	secure(&w, A, 3);
	assert_true(run_until(&w, a_done, 60000));
	assert_int_equal(w.s[A].done_err, 0);
	assert_int_equal(link_sec(&w, A).level, 3);
	assert_true(link_sec(&w, A).authenticated);
	/* level 4 is out of reach with that key: refused, no new pairing loop */
	secure(&w, A, 4);
	assert_true(run_until(&w, a_done, 60000));
	assert_int_equal(w.s[A].done_err, L2K_EAUTH);
	assert_int_equal(w.s[A].asks[L2K_ASK_PIN], 2); /* one pairing for level 4, then it stops */
	assert_non_null(strstr(w.s[A].err_msg, "level 4 needs"));
	world_close(&w);
}

static bool b_paired(struct world *w)
{
	return w->s[B].paired_n > 0;
}

static void test_legacy_pin_wrong(void **st)
{
	(void)st;
	struct world w;
	world_init(&w, "pinbad");
	w.sec[A].legacy_pairing = w.sec[B].legacy_pairing = true;
	world_open(&w);
	w.s[A].pin = "1234";
	w.s[B].pin = "9999";
	connect_link(&w);
	secure(&w, A, 2);
	expect_failed(&w, L2K_EAUTH, "legacy PIN pairing");
	assert_non_null(strstr(w.s[A].paired_why, "0x05"));
	/* B answered: it gets no Authentication Complete; its pairing ends by its own deadline */
	assert_true(run_until(&w, b_paired, 60000));
	assert_int_equal(w.s[B].paired_err, L2K_EAUTH);
	assert_int_equal(bonds(&w, B, NULL), 0);
	world_close(&w);

	/* B refuses to give a PIN */
	world_init(&w, "pinno");
	w.sec[A].legacy_pairing = w.sec[B].legacy_pairing = true;
	world_open(&w);
	w.s[A].pin = "1234";
	connect_link(&w);
	secure(&w, A, 2);
	expect_failed(&w, L2K_EAUTH, "0x06 PIN or Key Missing");
	assert_true(run_until(&w, b_paired, 1000));
	assert_int_equal(w.s[B].paired_err, L2K_EAUTH);
	world_close(&w);
}

static void test_sc_only_refuses_legacy_pairing(void **st)
{
	(void)st;
	struct world w;
	world_init(&w, "sconly");
	w.sec[A].sc_only = true;
	w.sec[B].legacy_pairing = true;
	world_open(&w);
	w.s[A].pin = w.s[B].pin = "0123456789abcdef";
	connect_link(&w);
	secure(&w, A, 2);
	expect_failed(&w, L2K_EAUTH, "Secure Connections Only");
	assert_int_equal(w.s[A].asks[L2K_ASK_PIN], 0);
	world_close(&w);
}

/* ---- key size (KNOB) ------------------------------------------------------------------------ */

static void knob(bool v1)
{
	struct world w;
	world_init(&w, v1 ? "knob1" : "knob2");
	snprintf(w.extra[B], sizeof(w.extra[B]), "enc-key-size=5");
	world_open(&w);
	if (v1) {
		/* a host without Encryption Change v2: v1 and Read Encryption Key Size */
		static const uint8_t off[8] = {0};
		for (int i = 0; i < 2; i++)
			assert_int_equal(hci_host_cmd(w.s[i].st->hci, HCI_OP_SET_EVENT_MASK_PAGE2, off, 8, NULL, NULL), 0);
	}
	connect_link(&w);
	secure(&w, A, 2);
	assert_true(run_until(&w, a_done, 60000));
	assert_int_equal(w.s[A].done_err, L2K_EKEYSIZE);
	for (int i = 0; i < 2; i++) {
		struct l2k_link_security ls = link_sec(&w, i);
		assert_true(ls.encrypted);
		assert_int_equal(ls.key_size, 5);
		assert_int_equal(ls.level, 1);
	}
	assert_non_null(strstr(w.s[A].err_msg, "shorter than the minimum of 7"));
	assert_int_equal(snoop_count(w.snoop[A], 0x04, v1 ? HCI_EV_ENCRYPT_CHANGE : HCI_EV_ENCRYPT_CHANGE_V2, NULL, 0),
			 1);
	assert_int_equal(snoop_count(w.snoop[A], 0x01, HCI_OP_READ_ENCRYPTION_KEY_SIZE, NULL, 0), v1 ? 1 : 0);
	/* the pairing itself succeeded and bonded */
	assert_int_equal(w.s[A].paired_err, 0);
	world_close(&w);

	/* the minimum itself is enough */
	world_init(&w, v1 ? "knob1ok" : "knob2ok");
	snprintf(w.extra[B], sizeof(w.extra[B]), "enc-key-size=7");
	world_open(&w);
	connect_link(&w);
	secure(&w, A, 2);
	assert_true(run_until(&w, a_done, 60000));
	assert_int_equal(w.s[A].done_err, 0);
	assert_int_equal(link_sec(&w, A).key_size, 7);
	assert_int_equal(link_sec(&w, A).level, 2);
	world_close(&w);
}

static void test_knob_short_key_leaves_level_1_v2(void **st)
{
	(void)st;
	knob(false);
}

static void test_knob_short_key_leaves_level_1_v1(void **st)
{
	(void)st;
	knob(true);
}

/* ---- the simulator's faults ----------------------------------------------------------------- */

static void test_fault_nc_mismatch(void **st)
{
	(void)st;
	struct world w;
	world_up_io(&w, "ncmitm", L2K_IO_DISPLAY_YESNO, L2K_IO_DISPLAY_YESNO);
	snprintf(w.extra[B], sizeof(w.extra[B]), "sec-fault=nc-mismatch");
	world_open(&w);
	connect_link(&w);
	secure(&w, A, 3);
	/* both agents confirm (people not looking): the DHKey check still fails */
	expect_failed(&w, L2K_EAUTH, "numeric comparison");
	assert_int_equal(w.s[A].asks[L2K_ASK_CONFIRM], 1);
	assert_int_equal(w.s[B].asks[L2K_ASK_CONFIRM], 1);
	assert_int_not_equal(w.s[A].asked_value[L2K_ASK_CONFIRM], w.s[B].asked_value[L2K_ASK_CONFIRM]);
	assert_true(run_until(&w, both_paired, 1000));
	assert_int_equal(w.s[B].paired_err, L2K_EAUTH);
	world_close(&w);
}

static void test_fault_reject(void **st)
{
	(void)st;
	struct world w;
	world_init(&w, "reject");
	snprintf(w.extra[B], sizeof(w.extra[B]), "sec-fault=reject");
	world_open(&w);
	connect_link(&w);
	secure(&w, A, 2);
	expect_failed(&w, L2K_EAUTH, "0x18 Pairing Not Allowed");
	assert_non_null(strstr(w.s[A].paired_why, "IO capability exchange"));
	/* B's controller refused for its host: B's host saw nothing */
	run_for(&w, 1000);
	assert_int_equal(w.s[B].paired_n, 0);
	assert_int_equal(w.s[B].asks[L2K_ASK_JUST_WORKS], 0);
	assert_int_equal(snoop_count(w.snoop[B], 0x04, HCI_EV_IO_CAP_REQUEST, NULL, 0), 0);
	world_close(&w);
}

static void test_fault_cut_in_pairing(void **st)
{
	(void)st;
	struct world w;
	world_init(&w, "cut");
	snprintf(w.extra[B], sizeof(w.extra[B]), "sec-fault=cut-in-pairing");
	world_open(&w);
	connect_link(&w);
	secure(&w, A, 2);
	assert_true(run_until(&w, a_done_or_down, 120000));
	assert_int_equal(w.s[A].done_err, L2K_ELINKLOSS);
	assert_int_equal(w.s[A].paired_err, L2K_ELINKLOSS);
	assert_non_null(strstr(w.s[A].paired_why, "0x08 Connection Timeout"));
	assert_true(run_until(&w, both_down, 120000));
	assert_true(run_until(&w, both_paired, 1000));
	assert_int_equal(w.s[B].paired_err, L2K_ELINKLOSS);
	assert_int_equal(bonds(&w, A, NULL), 0);
	assert_int_equal(bonds(&w, B, NULL), 0);
	world_close(&w);
}

/* ---- the socket face's agent ---------------------------------------------------------------- */

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct rt_side {
	int ups;
	uint16_t handle;
};

static void rt_link_up(void *u, const struct l2k_link_info *li)
{
	struct rt_side *s = u;
	s->ups++;
	s->handle = li->handle;
}

static bool rt_both_up(void *arg)
{
	struct rt_side *s = arg;
	return s[0].ups && s[1].ups;
}

static void test_socket_face_agent_wait(void **st)
{
	(void)st;
	char air[64], spec[128], err[256];
	snprintf(air, sizeof(air), "secbr-sock-%d", (int)getpid());
	snprintf(spec, sizeof(spec), "sim:air=%s,type=bredr", air);
	struct l2k_security_opts so;
	l2k_security_opts_default(&so);
	so.io_cap = L2K_IO_DISPLAY_YESNO;
	struct l2k_stack_opts o = {.security = &so};
	struct rt_side rs[2] = {{0}};
	l2k_stack *s[2];
	for (int i = 0; i < 2; i++) {
		struct l2k_stack_cbs cbs = {.user = &rs[i], .link_up = rt_link_up};
		assert_int_equal(l2k_stack_open(spec, &o, &cbs, &s[i], err, sizeof(err)), 0);
		assert_int_equal(l2k_wait_ready(s[i], 5000), 0);
	}
	struct l2k_controller_info ci[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(l2k_controller_info(s[i], &ci[i]), 0);
	assert_int_equal(l2k_link_connect(s[0], &ci[1].addr, L2K_ADDR_BREDR), 0);
	assert_int_equal(l2k_run_until(s, 2, rt_both_up, rs, 5000), 0);
	int fd[2];
	for (int i = 0; i < 2; i++) {
		fd[i] = l2k_agent_fd(s[i]);
		assert_true(fd[i] >= 0);
		assert_int_equal(l2k_start(s[i]), 0);
	}
	assert_int_equal(l2k_pair(s[0], &ci[1].addr, L2K_ADDR_BREDR), 0);

	/* each side's question (numeric comparison) waits in its queue; the descriptor says so */
	struct l2k_agent_request rq[2];
	bool got[2] = {false, false};
	uint64_t end = mono_ms() + 10000;
	while ((!got[0] || !got[1]) && mono_ms() < end) {
		for (int i = 0; i < 2; i++) {
			if (got[i])
				continue;
			struct pollfd p = {.fd = fd[i], .events = POLLIN};
			if (poll(&p, 1, 20) <= 0)
				continue;
			assert_int_equal(l2k_agent_wait(s[i], &rq[i], 0), 0);
			got[i] = true;
		}
	}
	assert_true(got[0] && got[1]);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(rq[i].ask, L2K_ASK_CONFIRM);
		assert_int_equal(rq[i].peer_type, L2K_ADDR_BREDR);
		assert_memory_equal(rq[i].peer.b, ci[1 - i].addr.b, 6);
		assert_int_equal(l2k_agent_wait(s[i], &rq[i], 0) == L2K_EAGAIN, true); /* nothing more */
	}
	assert_int_equal(rq[0].value, rq[1].value);
	for (int i = 0; i < 2; i++)
		assert_int_equal(l2k_agent_reply(s[i], rq[i].handle, true, 0, NULL), 0);
	/* a blocking wait on the other side too: it times out (no more questions) */
	struct l2k_agent_request none;
	assert_int_equal(l2k_agent_wait(s[1], &none, 50), L2K_ETIMEDOUT);
	int nb[2] = {0, 0};
	struct l2k_link_security ls = {0};
	while (mono_ms() < end) {
		struct l2k_bond b;
		nb[0] = l2k_bonds(s[0], &b, 1);
		nb[1] = l2k_bonds(s[1], &b, 1);
		if (nb[0] == 1 && nb[1] == 1 && l2k_link_security(s[0], rs[0].handle, &ls) == 0 && ls.level == 4)
			break;
		struct timespec ts = {0, 5000000};
		nanosleep(&ts, NULL);
	}
	assert_int_equal(nb[0], 1);
	assert_int_equal(nb[1], 1);
	assert_int_equal(ls.level, 4);
	for (int i = 0; i < 2; i++) {
		l2k_stop(s[i]);
		l2k_stack_close(s[i]);
	}
}

/* The socket face's agent polled through l2k_agent_fd (not blocked in l2k_agent_wait): the
 * display side's passkey reaches its queue too, and the keyboard side types it. */
static void test_socket_face_agent_fd_shows_the_passkey(void **st)
{
	(void)st;
	char air[64], spec[128], err[256];
	snprintf(air, sizeof(air), "secbr-sockpk-%d", (int)getpid());
	snprintf(spec, sizeof(spec), "sim:air=%s,type=bredr", air);
	struct rt_side rs[2] = {{0}};
	l2k_stack *s[2];
	const enum l2k_io_cap io[2] = {L2K_IO_KEYBOARD_ONLY, L2K_IO_DISPLAY_ONLY};
	for (int i = 0; i < 2; i++) {
		struct l2k_security_opts so;
		l2k_security_opts_default(&so);
		so.io_cap = io[i];
		struct l2k_stack_opts o = {.security = &so};
		struct l2k_stack_cbs cbs = {.user = &rs[i], .link_up = rt_link_up};
		assert_int_equal(l2k_stack_open(spec, &o, &cbs, &s[i], err, sizeof(err)), 0);
		assert_int_equal(l2k_wait_ready(s[i], 5000), 0);
	}
	struct l2k_controller_info ci[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(l2k_controller_info(s[i], &ci[i]), 0);
	assert_int_equal(l2k_link_connect(s[0], &ci[1].addr, L2K_ADDR_BREDR), 0);
	assert_int_equal(l2k_run_until(s, 2, rt_both_up, rs, 5000), 0);
	int fd[2];
	for (int i = 0; i < 2; i++) {
		fd[i] = l2k_agent_fd(s[i]);
		assert_true(fd[i] >= 0);
		assert_int_equal(l2k_start(s[i]), 0);
	}
	assert_int_equal(l2k_pair(s[0], &ci[1].addr, L2K_ADDR_BREDR), 0);
	struct l2k_agent_request rq[2];
	bool got[2] = {false, false};
	uint64_t end = mono_ms() + 10000;
	while ((!got[0] || !got[1]) && mono_ms() < end) {
		for (int i = 0; i < 2; i++) {
			struct pollfd p = {.fd = fd[i], .events = POLLIN};
			if (got[i] || poll(&p, 1, 20) <= 0)
				continue;
			assert_int_equal(l2k_agent_wait(s[i], &rq[i], 0), 0);
			got[i] = true;
		}
	}
	assert_true(got[1]); /* the passkey to show reached the poller */
	assert_true(got[0]);
	assert_int_equal(rq[1].ask, L2K_ASK_PASSKEY_DISPLAY);
	assert_int_equal(rq[0].ask, L2K_ASK_PASSKEY_ENTRY);
	assert_true(rq[1].value <= 999999);
	assert_int_equal(l2k_agent_reply(s[1], rq[1].handle, true, 0, NULL), L2K_ENOENT); /* nothing to answer */
	assert_int_equal(l2k_agent_reply(s[0], rq[0].handle, true, rq[1].value, NULL), 0);
	int nb[2] = {0, 0};
	while (mono_ms() < end && (nb[0] != 1 || nb[1] != 1)) {
		struct l2k_bond b;
		nb[0] = l2k_bonds(s[0], &b, 1);
		nb[1] = l2k_bonds(s[1], &b, 1);
		struct timespec ts = {0, 5000000};
		nanosleep(&ts, NULL);
	}
	assert_int_equal(nb[0], 1);
	assert_int_equal(nb[1], 1);
	for (int i = 0; i < 2; i++) {
		l2k_stop(s[i]);
		l2k_stack_close(s[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_just_works_io_pairs_reach_level_2),
	    cmocka_unit_test(test_socket_face_agent_fd_shows_the_passkey),
	    cmocka_unit_test(test_numeric_comparison_accepted_reaches_level_4),
	    cmocka_unit_test(test_passkey_entry_right_reaches_level_4),
	    cmocka_unit_test(test_just_works_accepted_without_an_agent_callback),
	    cmocka_unit_test(test_numeric_comparison_refused_fails_both_sides),
	    cmocka_unit_test(test_passkey_entry_wrong_fails),
	    cmocka_unit_test(test_level_3_refuses_just_works),
	    cmocka_unit_test(test_oob_pairs_without_questions),
	    cmocka_unit_test(test_oob_wrong_data_fails),
	    cmocka_unit_test(test_bonded_reconnect_uses_the_stored_key),
	    cmocka_unit_test(test_explicit_pairing_is_dedicated_bonding_and_no_bonding_stores_nothing),
	    cmocka_unit_test(test_stale_key_is_deleted_and_pairing_starts_again),
	    cmocka_unit_test(test_key_store_file_is_written_and_read_back),
	    cmocka_unit_test(test_legacy_pin_right),
	    cmocka_unit_test(test_legacy_pin_wrong),
	    cmocka_unit_test(test_sc_only_refuses_legacy_pairing),
	    cmocka_unit_test(test_knob_short_key_leaves_level_1_v2),
	    cmocka_unit_test(test_knob_short_key_leaves_level_1_v1),
	    cmocka_unit_test(test_fault_nc_mismatch),
	    cmocka_unit_test(test_fault_reject),
	    cmocka_unit_test(test_fault_cut_in_pairing),
	    cmocka_unit_test(test_socket_face_agent_wait),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
