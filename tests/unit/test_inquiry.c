/* BR/EDR discovery through the public API, on simulated controllers with a virtual clock:
 * l2k_inquiry finds the discoverable stacks (with RSSI, EIR names), not the others, completes
 * after the inquiry length; l2k_inquiry_cancel; l2k_remote_name (name, page timeout);
 * l2k_eir_parse; truncated inquiry events dropped and counted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <l2kit/l2kit.h>
#include <l2kit/l2kit_sim.h>

#define NST 4
#define MAXRES 16

struct world {
	struct l2k_vclock vc;
	l2k_stack *st[NST];
	int ready;
	struct {
		l2k_addr addr;
		bool has_rssi;
		int8_t rssi;
		char name[249];
	} res[MAXRES];
	int nres;
	int completes, complete_err;
	uint8_t complete_status;
	uint64_t t_complete;
	int names;
	int name_err;
	uint8_t name_status;
	char name[249];
};

static void on_ready(void *u, int err)
{
	struct world *w = u;
	assert_int_equal(err, 0);
	w->ready++;
}

static void on_result(void *u, const struct l2k_inquiry_result *r)
{
	struct world *w = u;
	assert_true(w->nres < MAXRES);
	w->res[w->nres].addr = r->addr;
	w->res[w->nres].has_rssi = r->has_rssi;
	w->res[w->nres].rssi = r->rssi;
	w->res[w->nres].name[0] = 0;
	if (r->eir) {
		struct l2k_eir e;
		assert_int_equal(l2k_eir_parse(r->eir, r->eir_len, &e), 0);
		if (e.has_name)
			strcpy(w->res[w->nres].name, e.name);
	}
	w->nres++;
}

static void on_complete(void *u, int err, uint8_t st)
{
	struct world *w = u;
	w->completes++;
	w->complete_err = err;
	w->complete_status = st;
	w->t_complete = w->vc.now_ms;
}

static void on_name(void *u, const l2k_addr *peer, int err, uint8_t st, const char *name)
{
	struct world *w = u;
	(void)peer;
	w->names++;
	w->name_err = err;
	w->name_status = st;
	snprintf(w->name, sizeof(w->name), "%s", name ? name : "");
}

static bool all_ready(void *arg)
{
	struct world *w = arg;
	return w->ready == NST;
}

static bool completed(void *arg)
{
	struct world *w = arg;
	return w->completes > 0;
}

static bool named(void *arg)
{
	struct world *w = arg;
	return w->names > 0;
}

/* st[0] inquires; st[1] and st[2] are discoverable (st[1] named), st[3] is not. */
static void world_up(struct world *w, const char *air)
{
	memset(w, 0, sizeof(*w));
	for (int i = 0; i < NST; i++) {
		char spec[64];
		snprintf(spec, sizeof(spec), "sim:air=%s,type=%s", air, i == 2 ? "bredr" : "dual");
		struct l2k_stack_opts o = {.clock = l2k_vclock_now, .clock_arg = &w->vc};
		struct l2k_stack_cbs cbs = {.user = w, .ready = on_ready};
		if (i == 0) {
			cbs.inquiry_result = on_result;
			cbs.inquiry_complete = on_complete;
			cbs.remote_name = on_name;
		}
		char err[128];
		assert_int_equal(l2k_stack_open(spec, &o, &cbs, &w->st[i], err, sizeof(err)), 0);
	}
	assert_int_equal(l2k_sim_run_until(w->st, NST, &w->vc, all_ready, w, 10000), 0);
	assert_int_equal(l2k_set_local_name(w->st[1], "stack one"), 0);
	assert_int_equal(l2k_set_discoverable(w->st[1], true), 0);
	assert_int_equal(l2k_set_discoverable(w->st[2], true), 0);
	assert_int_equal(l2k_set_local_name(w->st[3], "hidden"), 0);
}

static void world_down(struct world *w)
{
	for (int i = 0; i < NST; i++)
		l2k_stack_close(w->st[i]);
}

static int find(struct world *w, l2k_stack *s)
{
	struct l2k_controller_info ci;
	assert_int_equal(l2k_controller_info(s, &ci), 0);
	for (int i = 0; i < w->nres; i++)
		if (!memcmp(w->res[i].addr.b, ci.addr.b, 6))
			return i;
	return -1;
}

static void test_inquiry_finds_discoverable_stacks_only(void **state)
{
	struct world w;
	world_up(&w, "api-inq");
	uint64_t t0 = w.vc.now_ms;
	assert_int_equal(l2k_inquiry(w.st[0], 3, 0), 0); /* 3 s: 3 x 1.28 s */
	assert_int_equal(l2k_inquiry(w.st[0], 3, 0), L2K_EALREADY);
	assert_int_equal(l2k_sim_run_until(w.st, NST, &w.vc, completed, &w, 10000), 0);
	assert_int_equal(w.complete_err, 0);
	assert_int_equal(w.t_complete - t0, 3840);
	assert_int_equal(w.nres, 2);
	int a = find(&w, w.st[1]), b = find(&w, w.st[2]);
	assert_true(a >= 0 && b >= 0);
	assert_int_equal(find(&w, w.st[3]), -1);
	assert_true(w.res[a].has_rssi && w.res[b].has_rssi);
	assert_string_equal(w.res[a].name, "stack one"); /* from its Extended Inquiry Response */
	assert_string_equal(w.res[b].name, "");
	/* not discoverable any more: not found */
	assert_int_equal(l2k_set_discoverable(w.st[2], false), 0);
	w.nres = w.completes = 0;
	assert_int_equal(l2k_inquiry(w.st[0], 1, 0), 0);
	assert_int_equal(l2k_sim_run_until(w.st, NST, &w.vc, completed, &w, 10000), 0);
	assert_int_equal(w.nres, 1);
	assert_true(find(&w, w.st[1]) >= 0);
	/* max_results 1: complete right after the first */
	w.nres = w.completes = 0;
	t0 = w.vc.now_ms;
	assert_int_equal(l2k_inquiry(w.st[0], 30, 1), 0);
	assert_int_equal(l2k_sim_run_until(w.st, NST, &w.vc, completed, &w, 60000), 0);
	assert_int_equal(w.nres, 1);
	assert_true(w.vc.now_ms - t0 < 1000);
	assert_int_equal(l2k_inquiry(w.st[0], 0, 0), L2K_EINVAL);
	assert_int_equal(l2k_inquiry(w.st[0], 62, 0), L2K_EINVAL);
	world_down(&w);
}

static void test_inquiry_cancel(void **state)
{
	struct world w;
	world_up(&w, "api-inq-cancel");
	assert_int_equal(l2k_inquiry_cancel(w.st[0]), L2K_ENOENT);
	assert_int_equal(l2k_inquiry(w.st[0], 5, 0), 0);
	assert_int_equal(l2k_inquiry_cancel(w.st[0]), 0);
	int r = l2k_sim_run_until(w.st, NST, &w.vc, completed, &w, 10000);
	assert_true(r == L2K_EAGAIN || r == L2K_ETIMEDOUT); /* nothing comes */
	assert_int_equal(w.completes, 0);
	assert_int_equal(w.nres, 0);
	/* a new inquiry may start */
	assert_int_equal(l2k_inquiry(w.st[0], 1, 0), 0);
	assert_int_equal(l2k_sim_run_until(w.st, NST, &w.vc, completed, &w, 10000), 0);
	assert_int_equal(w.nres, 2);
	world_down(&w);
}

static void test_remote_name(void **state)
{
	struct world w;
	world_up(&w, "api-name");
	struct l2k_controller_info ci;
	assert_int_equal(l2k_controller_info(w.st[3], &ci), 0);
	assert_int_equal(l2k_remote_name(w.st[0], &ci.addr), 0);
	assert_int_equal(l2k_remote_name(w.st[0], &ci.addr), L2K_EBUSY);
	assert_int_equal(l2k_sim_run_until(w.st, NST, &w.vc, named, &w, 10000), 0);
	assert_int_equal(w.name_err, 0);
	assert_string_equal(w.name, "hidden"); /* connectable (page scan) though not discoverable */
	/* nobody there: Page Timeout */
	w.names = 0;
	l2k_addr none = {{1, 2, 3, 4, 5, 6}};
	assert_int_equal(l2k_remote_name(w.st[0], &none), 0);
	assert_int_equal(l2k_sim_run_until(w.st, NST, &w.vc, named, &w, 30000), 0);
	assert_int_equal(w.name_err, L2K_EIO);
	assert_int_equal(w.name_status, 0x04);
	assert_string_equal(w.name, "");
	world_down(&w);
}

/* A controller that takes the Inquiry (Command Status) and then stops: the host ends the
 * inquiry itself with L2K_ETIMEDOUT 10 s past its length instead of leaving it running (and
 * l2k_inquiry answering L2K_EALREADY) forever; the same for a Remote Name Request whose
 * Complete never comes (60 s). */
static void test_inquiry_and_name_end_when_the_controller_stops_answering(void **state)
{
	struct world w;
	world_up(&w, "api-inq-stop");
	l2k_sim_air *air = l2k_sim_air_find("api-inq-stop");
	assert_non_null(air);
	uint64_t t0 = w.vc.now_ms;
	assert_int_equal(l2k_inquiry(w.st[0], 3, 0), 0);
	assert_int_equal(l2k_sim_run_until(w.st, NST, &w.vc, completed, &w, 100), L2K_ETIMEDOUT);
	l2k_sim_air_freeze(air, true);
	assert_int_equal(l2k_sim_run_until(w.st, NST, &w.vc, completed, &w, 30000), 0);
	assert_int_equal(w.completes, 1);
	assert_int_equal(w.complete_err, L2K_ETIMEDOUT);
	assert_int_equal(w.t_complete - t0, 3840 + 10000);
	assert_int_equal(l2k_inquiry_cancel(w.st[0]), L2K_ENOENT); /* none runs any more */
	l2k_sim_air_freeze(air, false);
	world_down(&w);

	world_up(&w, "api-name-stop");
	air = l2k_sim_air_find("api-name-stop");
	assert_non_null(air);
	l2k_addr none = {{1, 2, 3, 4, 5, 6}};
	t0 = w.vc.now_ms;
	assert_int_equal(l2k_remote_name(w.st[0], &none), 0);
	assert_int_equal(l2k_sim_run_until(w.st, NST, &w.vc, named, &w, 100), L2K_ETIMEDOUT);
	l2k_sim_air_freeze(air, true);
	assert_int_equal(l2k_sim_run_until(w.st, NST, &w.vc, named, &w, 120000), 0);
	assert_int_equal(w.names, 1);
	assert_int_equal(w.name_err, L2K_ETIMEDOUT);
	assert_string_equal(w.name, "");
	assert_int_equal(w.vc.now_ms - t0, 60000);
	l2k_sim_air_freeze(air, false);
	world_down(&w);
}

static void test_eir_parse(void **state)
{
	const uint8_t d[] = {0x02, 0x01, 0x06,		     /* flags */
			     0x05, 0x08, 'a', 'b', 'c', 'd', /* shortened name */
			     0x05, 0x03, 0x01, 0x11, 0x0A, 0x11, /* complete 16-bit UUIDs 0x1101, 0x110A */
			     0x05, 0x04, 0x78, 0x56, 0x34, 0x12, /* incomplete 32-bit */
			     0x11, 0x07, 0, 1, /* complete 128-bit */ 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
			     0x02, 0x0A, 0xF4, /* TX power -12 dBm */
			     0x00, 0x09, 'x'}; /* past the significant part: ignored */
	struct l2k_eir e;
	assert_int_equal(l2k_eir_parse(d, sizeof(d), &e), 0);
	assert_true(e.has_flags);
	assert_int_equal(e.flags, 0x06);
	assert_true(e.has_name);
	assert_false(e.name_complete);
	assert_string_equal(e.name, "abcd");
	assert_int_equal(e.n_uuids, 4);
	assert_int_equal(e.uuids[0].size, 2);
	assert_int_equal(e.uuids[0].b[0] | e.uuids[0].b[1] << 8, 0x1101);
	assert_int_equal(e.uuids[1].b[0] | e.uuids[1].b[1] << 8, 0x110A);
	assert_int_equal(e.uuids[2].size, 4);
	assert_int_equal(e.uuids[3].size, 16);
	assert_int_equal(e.uuids[3].b[15], 15);
	assert_int_equal(e.uuids_complete, 2 | 16); /* the 16 and 128-bit lists are complete */
	assert_true(e.has_tx_power);
	assert_int_equal(e.tx_power, -12);
	/* a complete name wins over a shortened one */
	const uint8_t n2[] = {0x03, 0x08, 'a', 'b', 0x04, 0x09, 'x', 'y', 'z'};
	assert_int_equal(l2k_eir_parse(n2, sizeof(n2), &e), 0);
	assert_true(e.name_complete);
	assert_string_equal(e.name, "xyz");
	/* a field running past the end: error, earlier fields kept */
	const uint8_t bad[] = {0x02, 0x01, 0x06, 0x09, 0x09, 'a', 'b'};
	assert_int_equal(l2k_eir_parse(bad, sizeof(bad), &e), L2K_EBADMSG);
	assert_true(e.has_flags);
	assert_false(e.has_name);
	/* a UUID list that is not whole UUIDs */
	const uint8_t odd[] = {0x04, 0x03, 0x01, 0x11, 0x0A};
	assert_int_equal(l2k_eir_parse(odd, sizeof(odd), &e), L2K_EBADMSG);
	assert_int_equal(l2k_eir_parse(NULL, 0, &e), 0);
	assert_false(e.has_name);
}

/* Sans-I/O stack: events fed by hand. */
static int io_send(void *user, uint8_t type, const uint8_t *pkt, size_t len)
{
	(void)user;
	(void)type;
	(void)pkt;
	(void)len;
	return 0;
}

static void test_truncated_inquiry_events_are_dropped_and_counted(void **state)
{
	struct world w;
	memset(&w, 0, sizeof(w));
	struct l2k_io io = {.user = &w, .send = io_send, .fd = -1};
	struct l2k_stack_opts o = {.clock = l2k_vclock_now, .clock_arg = &w.vc};
	struct l2k_stack_cbs cbs = {.user = &w, .inquiry_result = on_result, .inquiry_complete = on_complete,
				    .remote_name = on_name};
	l2k_stack *s;
	char err[128];
	assert_int_equal(l2k_stack_open_io(&io, &o, &cbs, &s, err, sizeof(err)), 0);
	struct l2k_hci_stats st0, st1;
	assert_int_equal(l2k_hci_stats(s, &st0), 0);
	/* a good Inquiry Result with RSSI: two responses */
	uint8_t ev[2 + 255] = {0x22, 1 + 2 * 14, 2};
	for (int i = 0; i < 2; i++) {
		uint8_t *q = ev + 3 + 14 * i;
		q[0] = (uint8_t)(0x10 + i); /* BD_ADDR */
		q[13] = (uint8_t)-60;	   /* RSSI */
	}
	assert_int_equal(l2k_input(s, 0x04, ev, 2 + ev[1]), 0);
	assert_int_equal(w.nres, 2);
	assert_int_equal(w.res[1].addr.b[0], 0x11);
	assert_int_equal(w.res[1].rssi, -60);
	/* Num_Responses 2 but room for one: nothing reported */
	ev[1] = 1 + 14;
	assert_int_equal(l2k_input(s, 0x04, ev, 2 + ev[1]), 0);
	/* Num_Responses 0 */
	uint8_t zero[] = {0x02, 1, 0};
	assert_int_equal(l2k_input(s, 0x04, zero, sizeof(zero)), 0);
	/* Inquiry Result with 13 octets of its 14 */
	uint8_t ir[2 + 14] = {0x02, 14, 1};
	assert_int_equal(l2k_input(s, 0x04, ir, sizeof(ir)), 0);
	/* Extended Inquiry Result cut short, and with Num_Responses 2 */
	uint8_t eir[2 + 255] = {0x2F, 200, 1};
	assert_int_equal(l2k_input(s, 0x04, eir, 2 + 200), 0);
	eir[1] = 255;
	eir[2] = 2;
	assert_int_equal(l2k_input(s, 0x04, eir, 2 + 255), 0);
	/* Remote Name Request Complete cut short; Inquiry Complete empty */
	uint8_t rn[2 + 100] = {0x07, 100};
	assert_int_equal(l2k_input(s, 0x04, rn, sizeof(rn)), 0);
	uint8_t ic[2] = {0x01, 0};
	assert_int_equal(l2k_input(s, 0x04, ic, sizeof(ic)), 0);
	assert_int_equal(w.nres, 2);
	assert_int_equal(w.names, 0);
	assert_int_equal(l2k_hci_stats(s, &st1), 0);
	assert_int_equal(st1.evt_malformed - st0.evt_malformed, 7);
	/* a good Extended Inquiry Result still gets through */
	eir[2] = 1;
	eir[3] = 0x42;
	memcpy(eir + 2 + 15, (uint8_t[]){0x03, 0x09, 'o', 'k'}, 4);
	assert_int_equal(l2k_input(s, 0x04, eir, 2 + 255), 0);
	assert_int_equal(w.nres, 3);
	assert_string_equal(w.res[2].name, "ok");
	l2k_stack_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inquiry_finds_discoverable_stacks_only),
		cmocka_unit_test(test_inquiry_cancel),
		cmocka_unit_test(test_remote_name),
		cmocka_unit_test(test_inquiry_and_name_end_when_the_controller_stops_answering),
		cmocka_unit_test(test_eir_parse),
		cmocka_unit_test(test_truncated_inquiry_events_are_dropped_and_counted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
