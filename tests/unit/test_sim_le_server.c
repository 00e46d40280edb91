/* An LE server stays reachable (l2k_le_advertise_keep) on the in-process simulated air with a
 * virtual clock: a central that connects, opens no channel (or is refused) and disconnects
 * leaves the server advertising, so the next central connects and opens its channel; a second
 * central connects while the first is still there; the server's own bound (max_links) and the
 * controller's connection limit (le-max-conn, Connection Limit Exceeded) hold further centrals
 * back until a link goes down; l2k_le_advertise(false) ends it all.  A central's own link
 * attempts: a channel's LE link attempt to a peer that never shows up is cancelled when the
 * channel closes (else the controller initiates for ever and refuses every later LE Create
 * Connection: Command Disallowed), and a controller's refusal reaches link_failed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/l2kit.h"
#include "transport/sim/sim.h"

#define SPSM 0x0080
#define SPSM_NONE 0x0081 /* nobody serves it */

enum { SRV, C1, C2, NST };

struct node {
	const char *name;
	int ups, downs;
	int fails;	      /* link_failed calls */
	uint8_t fail_status;  /* the last one's HCI status */
	uint16_t handle; /* the last link up */
	int errors;	 /* cbs->error calls */
	char last_error[200];
};

struct world {
	struct l2k_vclock vc;
	char air[48];
	l2k_stack *st[NST];
	struct node nd[NST];
	l2k_addr srv_addr;
	/* the server's channels */
	int accepted, srv_open;
	/* the centrals' channels */
	int opened, closed, ended; /* ended: opened + closed */
	enum l2k_close_reason reason;
	uint16_t result;
};

static void on_link_up(void *u, const struct l2k_link_info *li)
{
	struct node *n = u;
	n->ups++;
	n->handle = li->handle;
}

static void on_link_down(void *u, const struct l2k_link_info *li, uint8_t reason)
{
	((struct node *)u)->downs++;
}

static void on_link_failed(void *u, const l2k_addr *peer, enum l2k_addr_type type, uint8_t status)
{
	struct node *n = u;
	n->fails++;
	n->fail_status = status;
}

static void on_error(void *u, int err, const char *msg)
{
	struct node *n = u;
	n->errors++;
	snprintf(n->last_error, sizeof(n->last_error), "%s", msg);
}

static void srv_open(void *u, l2k_chan *ch)
{
	((struct world *)u)->srv_open++;
}

static int srv_accept(void *u, const struct l2k_conn_request *rq, struct l2k_chan_opts *o, struct l2k_chan_cbs *cb)
{
	struct world *w = u;
	w->accepted++;
	cb->user = w;
	cb->open = srv_open;
	return 0;
}

static void cli_open(void *u, l2k_chan *ch)
{
	struct world *w = u;
	w->opened++;
	w->ended++;
}

static void cli_closed(void *u, l2k_chan *ch, enum l2k_close_reason r)
{
	struct world *w = u;
	w->closed++;
	w->ended++;
	w->reason = r;
	struct l2k_chan_info ci;
	if (l2k_chan_get_info(ch, &ci) == 0)
		w->result = ci.result;
}

/* Three stacks on a fresh air: the server (srv_extra appended to its sim spec) and two
 * centrals.  The server serves SPSM and advertises in keep mode with max_links. */
static struct world *world_new_ex(const char *srv_extra, const char *cen_extra, unsigned max_links)
{
	static unsigned seq;
	static struct world w;
	memset(&w, 0, sizeof(w));
	snprintf(w.air, sizeof(w.air), "le-server-%d-%u", (int)getpid(), seq++);
	const char *names[NST] = {"server", "central-1", "central-2"};
	struct l2k_stack_opts so = {.clock = l2k_vclock_now, .clock_arg = &w.vc};
	for (int i = 0; i < NST; i++) {
		char spec[160], err[256];
		const char *extra = i == SRV ? srv_extra : cen_extra;
		snprintf(spec, sizeof(spec), "sim:air=%s,type=le%s%s", w.air, extra ? "," : "", extra ? extra : "");
		w.nd[i].name = names[i];
		struct l2k_stack_cbs cbs = {.user = &w.nd[i], .link_up = on_link_up, .link_down = on_link_down,
					    .link_failed = on_link_failed, .error = on_error};
		assert_int_equal(l2k_stack_open(spec, &so, &cbs, &w.st[i], err, sizeof(err)), 0);
		assert_int_equal(l2k_wait_ready(w.st[i], 5000), 0);
	}
	struct l2k_controller_info ci;
	assert_int_equal(l2k_controller_info(w.st[SRV], &ci), 0);
	w.srv_addr = ci.addr;
	struct l2k_server_cbs sc = {.user = &w, .accept = srv_accept};
	assert_int_equal(l2k_server_add(w.st[SRV], SPSM, true, NULL, &sc, NULL), 0);
	assert_int_equal(l2k_le_advertise_keep(w.st[SRV], NULL, 0, max_links), 0);
	return &w;
}

static struct world *world_new(const char *srv_extra, unsigned max_links)
{
	return world_new_ex(srv_extra, NULL, max_links);
}

static void world_free(struct world *w)
{
	for (int i = 0; i < NST; i++)
		l2k_stack_close(w->st[i]);
	sim_air_close(sim_air_find(w->air));
}

/* ---- waiting on the virtual clock ---- */

static int want_n;
static int *want_ctr;

static bool counter_reached(void *arg)
{
	return *want_ctr >= want_n;
}

/* Run until *ctr >= n or ms of virtual time pass; true if it happened. */
static bool wait_for(struct world *w, int *ctr, int n, uint64_t ms)
{
	want_ctr = ctr;
	want_n = n;
	return l2k_sim_run_until(w->st, NST, &w->vc, counter_reached, NULL, ms) == 0;
}

static void run_for(struct world *w, uint64_t ms)
{
	static int never;
	wait_for(w, &never, 1, ms);
}

/* Central i makes an LE link to the server; true when it came up within 2 s. */
static bool central_links(struct world *w, int i)
{
	int before = w->nd[i].ups;
	assert_int_equal(l2k_link_connect(w->st[i], &w->srv_addr, L2K_ADDR_LE_PUBLIC), 0);
	return wait_for(w, &w->nd[i].ups, before + 1, 2000);
}

/* Central i ends its link and both sides see it go. */
static void central_leaves(struct world *w, int i)
{
	int before = w->nd[SRV].downs;
	assert_int_equal(l2k_link_disconnect(w->st[i], w->nd[i].handle, 0), 0);
	assert_true(wait_for(w, &w->nd[SRV].downs, before + 1, 2000));
}

/* Central i opens an LE credit based channel to spsm; returns after it opened or closed. */
static void central_channel(struct world *w, int i, uint16_t spsm)
{
	struct l2k_chan_cbs cb = {.user = w, .open = cli_open, .closed = cli_closed};
	l2k_chan *ch;
	int before = w->ended;
	assert_int_equal(l2k_chan_connect(w->st[i], &w->srv_addr, L2K_ADDR_LE_PUBLIC, spsm, NULL, &cb, &ch), 0);
	assert_true(wait_for(w, &w->ended, before + 1, 2000));
}

/* The issue: a central connects, opens nothing and disconnects; the server must still be
 * reachable: the next central connects and opens its channel. */
static void test_central_that_opens_nothing_leaves_server_advertising(void **state)
{
	struct world *w = world_new(NULL, 0);
	assert_true(central_links(w, C1));
	run_for(w, 200); /* stays a while without a channel */
	central_leaves(w, C1);
	assert_true(central_links(w, C2));
	central_channel(w, C2, SPSM);
	assert_int_equal(w->opened, 1);
	assert_int_equal(w->srv_open, 1);
	/* and the first central can come back too */
	assert_true(central_links(w, C1));
	assert_int_equal(w->nd[SRV].errors, 0);
	world_free(w);
}

/* The same with a central whose channel is refused (SPSM not served: result 0x0002). */
static void test_central_refused_leaves_server_advertising(void **state)
{
	struct world *w = world_new(NULL, 0);
	assert_true(central_links(w, C1));
	central_channel(w, C1, SPSM_NONE);
	assert_int_equal(w->closed, 1);
	assert_int_equal(w->reason, L2K_CLOSE_REFUSED);
	assert_int_equal(w->result, 0x0002);
	central_leaves(w, C1);
	assert_true(central_links(w, C2));
	central_channel(w, C2, SPSM);
	assert_int_equal(w->opened, 1);
	assert_int_equal(w->nd[SRV].errors, 0);
	world_free(w);
}

/* Keep mode advertises again right after a central connected: a second central connects while
 * the first is still there, and both open channels. */
static void test_second_central_connects_while_first_is_linked(void **state)
{
	struct world *w = world_new(NULL, 0);
	assert_true(central_links(w, C1));
	assert_true(central_links(w, C2));
	assert_int_equal(w->nd[SRV].ups, 2);
	central_channel(w, C1, SPSM);
	central_channel(w, C2, SPSM);
	assert_int_equal(w->opened, 2);
	assert_int_equal(w->srv_open, 2);
	world_free(w);
}

/* max_links 1: no advertising while one central is linked; when it leaves, the next one (its
 * LE Create Connection pending all along) connects. */
static void test_max_links_holds_back_until_link_down(void **state)
{
	struct world *w = world_new(NULL, 1);
	assert_true(central_links(w, C1));
	assert_false(central_links(w, C2)); /* not advertising: C2 keeps waiting */
	assert_int_equal(w->nd[SRV].ups, 1);
	central_leaves(w, C1);
	assert_true(wait_for(w, &w->nd[C2].ups, 1, 2000));
	assert_int_equal(w->nd[SRV].ups, 2);
	assert_int_equal(w->nd[SRV].errors, 0);
	world_free(w);
}

/* The controller holds one LE connection (le-max-conn=1): it refuses to advertise while the
 * first central is linked (Connection Limit Exceeded: no error for a person, a link is up),
 * and the stack asks again when that link goes down. */
static void test_controller_connection_limit_waits_for_link_down(void **state)
{
	struct world *w = world_new("le-max-conn=1", 0);
	assert_true(central_links(w, C1));
	assert_false(central_links(w, C2));
	assert_int_equal(w->nd[SRV].errors, 0);
	central_leaves(w, C1);
	assert_true(wait_for(w, &w->nd[C2].ups, 1, 2000));
	central_channel(w, C2, SPSM);
	assert_int_equal(w->opened, 1);
	assert_int_equal(w->nd[SRV].errors, 0);
	world_free(w);
}

/* l2k_le_advertise(false) ends keep mode: after the central leaves, nobody can connect. */
static void test_advertise_off_ends_keep_mode(void **state)
{
	struct world *w = world_new(NULL, 0);
	assert_true(central_links(w, C1));
	assert_int_equal(l2k_le_advertise(w->st[SRV], false, NULL, 0), 0);
	central_leaves(w, C1);
	assert_false(central_links(w, C2));
	/* one-shot advertising: one central, then no more */
	assert_int_equal(l2k_le_advertise(w->st[SRV], true, NULL, 0), 0);
	assert_true(wait_for(w, &w->nd[C2].ups, 1, 2000));
	assert_false(central_links(w, C1));
	world_free(w);
}

/* Central 1 opens a channel to a peer that is not there (its LE link attempt waits), then
 * closes it: the attempt must end with it.  Else the controller keeps initiating for ever and
 * refuses the next LE Create Connection (Command Disallowed): central 1 could never link to the
 * server again (l2iut over vctrl: the IUT-central cases after a channel to a vanished tester). */
static void test_closed_channel_cancels_its_link_attempt(void **state)
{
	struct world *w = world_new(NULL, 0);
	const l2k_addr absent = {{0x77, 0x00, 0x00, 0x00, 0x5A, 0x00}};
	struct l2k_chan_cbs cb = {.user = w, .open = cli_open, .closed = cli_closed};
	l2k_chan *ch;
	assert_int_equal(l2k_chan_connect(w->st[C1], &absent, L2K_ADDR_LE_PUBLIC, SPSM, NULL, &cb, &ch), 0);
	run_for(w, 500);
	assert_int_equal(w->ended, 0); /* still waiting for its link */
	assert_int_equal(l2k_chan_close(ch), 0);
	assert_int_equal(w->ended, 1);
	assert_int_equal(w->reason, L2K_CLOSE_LOCAL);
	run_for(w, 100);
	assert_true(central_links(w, C1));
	assert_int_equal(w->nd[C1].fails, 1); /* the cancelled attempt (Unknown Connection Identifier) */
	assert_int_equal(w->nd[C1].fail_status, 0x02);
	/* the same when the channel gives up by itself (its connect timeout) */
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.connect_timeout_ms = 1000;
	assert_int_equal(l2k_chan_connect(w->st[C2], &absent, L2K_ADDR_LE_PUBLIC, SPSM, &o, &cb, &ch), 0);
	assert_true(wait_for(w, &w->ended, 2, 3000));
	assert_int_equal(w->reason, L2K_CLOSE_LINK_FAILED);
	run_for(w, 100);
	assert_true(central_links(w, C2));
	assert_int_equal(w->nd[C1].errors + w->nd[C2].errors, 0);
	world_free(w);
}

/* A channel closes (its LE attempt is being cancelled) and a new one to the same peer is asked
 * for at once: the new attempt follows the cancel, the new channel is not failed by the end of
 * the old attempt, and it opens once the server advertises. */
static void test_new_channel_while_attempt_cancelled(void **state)
{
	struct world *w = world_new(NULL, 0);
	assert_int_equal(l2k_le_advertise(w->st[SRV], false, NULL, 0), 0);
	run_for(w, 100);
	struct l2k_chan_cbs cb = {.user = w, .open = cli_open, .closed = cli_closed};
	l2k_chan *ch;
	assert_int_equal(l2k_chan_connect(w->st[C1], &w->srv_addr, L2K_ADDR_LE_PUBLIC, SPSM, NULL, &cb, &ch), 0);
	run_for(w, 300);
	assert_int_equal(l2k_chan_close(ch), 0);
	assert_int_equal(l2k_chan_connect(w->st[C1], &w->srv_addr, L2K_ADDR_LE_PUBLIC, SPSM, NULL, &cb, &ch), 0);
	run_for(w, 300);
	assert_int_equal(w->closed, 1); /* only the first one, closed by us */
	assert_int_equal(w->nd[C1].fails, 0);
	assert_int_equal(l2k_le_advertise_keep(w->st[SRV], NULL, 0, 0), 0);
	assert_true(wait_for(w, &w->opened, 1, 2000));
	assert_int_equal(w->closed, 1);
	world_free(w);
}

/* An explicit l2k_link_connect is the application's: a channel to the same peer that closes
 * does not cancel it (the server comes later and the link still comes up); a second one to
 * another peer meanwhile is L2K_EBUSY (one LE Create Connection at a time). */
static void test_application_link_attempt_outlives_channel(void **state)
{
	struct world *w = world_new(NULL, 0);
	assert_int_equal(l2k_le_advertise(w->st[SRV], false, NULL, 0), 0);
	run_for(w, 100);
	assert_int_equal(l2k_link_connect(w->st[C1], &w->srv_addr, L2K_ADDR_LE_PUBLIC), 0);
	struct l2k_chan_cbs cb = {.user = w, .open = cli_open, .closed = cli_closed};
	l2k_chan *ch;
	assert_int_equal(l2k_chan_connect(w->st[C1], &w->srv_addr, L2K_ADDR_LE_PUBLIC, SPSM, NULL, &cb, &ch), 0);
	run_for(w, 200);
	assert_int_equal(l2k_chan_close(ch), 0);
	const l2k_addr other = {{0x78, 0x00, 0x00, 0x00, 0x5A, 0x00}};
	assert_int_equal(l2k_link_connect(w->st[C1], &other, L2K_ADDR_LE_PUBLIC), L2K_EBUSY);
	run_for(w, 500);
	assert_int_equal(l2k_le_advertise(w->st[SRV], true, NULL, 0), 0);
	assert_true(wait_for(w, &w->nd[C1].ups, 1, 2000));
	assert_int_equal(w->nd[C1].fails, 0);
	/* l2k_link_cancel gives an application's attempt up */
	const l2k_addr absent = {{0x77, 0x00, 0x00, 0x00, 0x5A, 0x00}};
	assert_int_equal(l2k_link_cancel(w->st[C2], &absent, L2K_ADDR_LE_PUBLIC), L2K_ENOENT);
	assert_int_equal(l2k_link_connect(w->st[C2], &absent, L2K_ADDR_LE_PUBLIC), 0);
	run_for(w, 300);
	assert_int_equal(l2k_link_cancel(w->st[C2], &absent, L2K_ADDR_LE_PUBLIC), 0);
	assert_true(wait_for(w, &w->nd[C2].fails, 1, 1000));
	assert_int_equal(w->nd[C2].fail_status, 0x02);
	assert_int_equal(l2k_le_advertise_keep(w->st[SRV], NULL, 0, 0), 0); /* one-shot above */
	assert_true(central_links(w, C2));
	world_free(w);
}

/* A controller that refuses the LE Create Connection (here: at its connection limit, one LE
 * link, Connection Limit Exceeded in the Command Status) ends the attempt: link_failed says so
 * (no LE Connection Complete follows such a refusal), and the next attempt is sent. */
static void test_refused_link_attempt_reported(void **state)
{
	struct world *w = world_new_ex(NULL, "le-max-conn=1", 0);
	assert_true(central_links(w, C1));
	const l2k_addr absent = {{0x77, 0x00, 0x00, 0x00, 0x5A, 0x00}};
	assert_int_equal(l2k_link_connect(w->st[C1], &absent, L2K_ADDR_LE_PUBLIC), 0);
	assert_true(wait_for(w, &w->nd[C1].fails, 1, 1000));
	assert_int_equal(w->nd[C1].fail_status, 0x09);
	central_leaves(w, C1);
	assert_true(central_links(w, C1));
	world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_central_that_opens_nothing_leaves_server_advertising),
	    cmocka_unit_test(test_central_refused_leaves_server_advertising),
	    cmocka_unit_test(test_second_central_connects_while_first_is_linked),
	    cmocka_unit_test(test_max_links_holds_back_until_link_down),
	    cmocka_unit_test(test_controller_connection_limit_waits_for_link_down),
	    cmocka_unit_test(test_advertise_off_ends_keep_mode),
	    cmocka_unit_test(test_closed_channel_cancels_its_link_attempt),
	    cmocka_unit_test(test_new_channel_while_attempt_cancelled),
	    cmocka_unit_test(test_application_link_attempt_outlives_channel),
	    cmocka_unit_test(test_refused_link_attempt_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
