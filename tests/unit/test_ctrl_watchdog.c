/* The controller watchdogs, through the public API: two stacks on the simulated air with a
 * virtual clock move data on a channel (Basic, ERTM, LE credit based); the air is frozen
 * (l2k_sim_air_freeze: a vctrl stopped with SIGSTOP - the transports stay open, nothing comes
 * back).  Both stacks must notice within twice the ACL transmit watchdog's time, the sender
 * (packets outstanding, no Number Of Completed Packets) and the receiver (nothing at all) alike:
 * the stack fails with L2K_ECTRLTIMEOUT, every link goes down (0x16) and every channel closes
 * with L2K_CLOSE_CONTROLLER.  A live controller whose packets wait (the peer holds its data)
 * keeps its link; a channel still waiting for its link ends by the command watchdog; the
 * watchdog's time is an option and it can be off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <l2kit/l2kit.h>
#include <l2kit/l2kit_sim.h>

#define PSM_BR 0x1001
#define PSM_LE 0x0080
#define T_DEFAULT 2500 /* l2k_stack_opts.acl_tx_timeout_ms when 0 */
#define SDU 300

struct side {
	l2k_stack *s;
	l2k_chan *ch;
	bool open, closed;
	enum l2k_close_reason why;
	struct l2k_chan_info ci; /* at the close */
	uint64_t closed_at;
	int step_err;
	uint64_t failed_at;
	int errors;
	char error[256];
	int link_downs;
	uint8_t down_reason;
};

struct world {
	struct l2k_vclock vc;
	l2k_sim_air *air;
	enum l2k_mode mode;
	struct side side[2]; /* 0 connects and sends, 1 serves and receives */
	l2k_addr addr1;
	uint32_t tx, rx, bad;
	bool busy; /* the receiver holds (l2k_chan_set_busy) */
};

static struct world W;

static struct side *side_of(void *user)
{
	return user;
}

static void on_error(void *user, int err, const char *msg)
{
	struct side *sd = side_of(user);
	sd->errors++;
	snprintf(sd->error, sizeof(sd->error), "%s", msg);
}

static void on_link_down(void *user, const struct l2k_link_info *li, uint8_t reason)
{
	struct side *sd = side_of(user);
	sd->link_downs++;
	sd->down_reason = reason;
}

static void ch_open(void *user, l2k_chan *ch)
{
	struct side *sd = side_of(user);
	sd->ch = ch;
	sd->open = true;
}

static void ch_closed(void *user, l2k_chan *ch, enum l2k_close_reason why)
{
	struct side *sd = side_of(user);
	l2k_chan_get_info(ch, &sd->ci);
	sd->ch = NULL;
	sd->closed = true;
	sd->why = why;
	sd->closed_at = W.vc.now_ms;
}

static void ch_recv(void *user, l2k_chan *ch, const uint8_t *p, size_t n)
{
	uint32_t seq = n >= 4 ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24 : 0;
	if (n != SDU || seq != W.rx)
		W.bad++;
	for (size_t i = 4; i < n; i++)
		if (p[i] != (uint8_t)(seq + i))
			W.bad++;
	W.rx = seq + 1;
}

static int on_accept(void *user, const struct l2k_conn_request *rq, struct l2k_chan_opts *o, struct l2k_chan_cbs *cb)
{
	cb->user = &W.side[1];
	cb->open = ch_open;
	cb->closed = ch_closed;
	cb->recv = ch_recv;
	o->mode = W.mode;
	return 0;
}

/* The sender keeps its channel's queue full. */
static void fill(void)
{
	uint8_t b[SDU];
	while (W.side[0].ch && W.side[0].open) {
		uint32_t seq = W.tx;
		for (int i = 0; i < 4; i++)
			b[i] = (uint8_t)(seq >> (8 * i));
		for (size_t i = 4; i < SDU; i++)
			b[i] = (uint8_t)(seq + i);
		if (l2k_chan_send(W.side[0].ch, b, SDU) != 0)
			break;
		W.tx++;
	}
}

/* Step both stacks on the virtual clock (a failed stack is stepped on, its failure noted)
 * until done or max_ms pass; the sender kept busy.  Returns done(). */
static bool run(bool (*done)(void), uint64_t max_ms)
{
	uint64_t end = W.vc.now_ms + max_ms;
	for (;;) {
		for (int i = 0; i < 2; i++) {
			int r = l2k_step(W.side[i].s);
			if (r < 0 && !W.side[i].step_err) {
				W.side[i].step_err = r;
				W.side[i].failed_at = W.vc.now_ms;
			}
		}
		fill();
		if (done && done())
			return true;
		uint64_t due = UINT64_MAX;
		for (int i = 0; i < 2; i++) {
			uint64_t d = l2k_next_due(W.side[i].s);
			if (d < due)
				due = d;
		}
		if (due == UINT64_MAX || due > end) {
			W.vc.now_ms = end;
			for (int i = 0; i < 2; i++)
				l2k_step(W.side[i].s);
			return done ? done() : true;
		}
		if (due > W.vc.now_ms)
			W.vc.now_ms = due;
	}
}

static bool both_open(void)
{
	return W.side[0].open && W.side[1].open;
}

static bool both_closed(void)
{
	return W.side[0].closed && W.side[1].closed;
}

static void world_up(enum l2k_mode mode, uint32_t acl_tx_timeout_ms)
{
	memset(&W, 0, sizeof(W));
	W.mode = mode;
	bool le = mode == L2K_MODE_LE_CREDIT;
	static int n_air;
	char air[32], spec[96], err[256];
	snprintf(air, sizeof(air), "watchdog-%d", ++n_air);
	snprintf(spec, sizeof(spec), "sim:air=%s,type=%s", air, le ? "le" : "bredr");
	for (int i = 0; i < 2; i++) {
		struct side *sd = &W.side[i];
		struct l2k_stack_opts so = {.clock = l2k_vclock_now, .clock_arg = &W.vc,
					    .acl_tx_timeout_ms = acl_tx_timeout_ms};
		struct l2k_stack_cbs cbs = {.user = sd, .error = on_error, .link_down = on_link_down};
		assert_int_equal(l2k_stack_open(spec, &so, &cbs, &sd->s, err, sizeof(err)), 0);
		assert_int_equal(l2k_wait_ready(sd->s, 5000), 0);
	}
	W.air = l2k_sim_air_find(air);
	assert_non_null(W.air);
	struct l2k_controller_info ci;
	assert_int_equal(l2k_controller_info(W.side[1].s, &ci), 0);
	W.addr1 = ci.addr;
	struct l2k_server_cbs sc = {.accept = on_accept};
	assert_int_equal(l2k_server_add(W.side[1].s, le ? PSM_LE : PSM_BR, le, NULL, &sc, NULL), 0);
	if (le)
		assert_int_equal(l2k_le_advertise(W.side[1].s, true, NULL, 0), 0);
}

static void connect_and_flow(void)
{
	bool le = W.mode == L2K_MODE_LE_CREDIT;
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mode = W.mode;
	struct l2k_chan_cbs cb = {.user = &W.side[0], .open = ch_open, .closed = ch_closed, .recv = ch_recv};
	l2k_chan *ch;
	assert_int_equal(l2k_chan_connect(W.side[0].s, &W.addr1, le ? L2K_ADDR_LE_PUBLIC : L2K_ADDR_BREDR,
					  le ? PSM_LE : PSM_BR, &o, &cb, &ch),
			 0);
	assert_true(run(both_open, 20000));
	/* data flows for a while */
	run(NULL, 1000);
	assert_true(W.rx > 10);
	assert_int_equal(W.bad, 0);
}

static void world_down(void)
{
	for (int i = 0; i < 2; i++)
		l2k_stack_close(W.side[i].s);
}

/* Both ends of a frozen air notice within 2 x t of the freeze (t: the watchdog's time): the
 * stack fails, the link goes down with 0x16, the channel closes with L2K_CLOSE_CONTROLLER. */
static void frozen_ends_both(uint32_t t)
{
	l2k_sim_air_freeze(W.air, true);
	uint64_t t0 = W.vc.now_ms;
	uint32_t rx_at_freeze = W.rx;
	assert_true(run(both_closed, 60000));
	for (int i = 0; i < 2; i++) {
		struct side *sd = &W.side[i];
		printf("side %d: closed %llu ms after the freeze: %s; %s\n", i,
		       (unsigned long long)(sd->closed_at - t0), l2k_close_reason_str(sd->why), sd->error);
		assert_int_equal(sd->why, L2K_CLOSE_CONTROLLER);
		/* not before the controller could have been silent for a whole period, and within
		 * the period plus the probe's */
		assert_true(sd->closed_at - t0 > t / 2);
		assert_true(sd->closed_at - t0 <= 2 * t);
		assert_int_equal(sd->step_err, L2K_ECTRLTIMEOUT);
		assert_int_equal(sd->failed_at, sd->closed_at);
		assert_non_null(strstr(sd->error, "not responding"));
		assert_non_null(strstr(l2k_last_error(sd->s), "not responding"));
		assert_int_equal(sd->link_downs, 1);
		assert_int_equal(sd->down_reason, 0x16);
		assert_int_equal(sd->ci.hci_reason, 0x16);
		struct l2k_hci_stats hs;
		assert_int_equal(l2k_hci_stats(sd->s, &hs), 0);
		assert_int_equal(hs.cmd_timeouts, 1);
		assert_true(hs.probes >= 1);
		/* the stack stays failed; nothing new starts on it */
		assert_int_equal(l2k_step(sd->s), L2K_ECTRLTIMEOUT);
		assert_true(l2k_link_connect(sd->s, &W.addr1, L2K_ADDR_BREDR) < 0);
	}
	/* the sender had packets in the controller that were never completed */
	assert_non_null(strstr(W.side[0].error, "ACL packets without Number Of Completed Packets"));
	/* what arrived before the freeze arrived intact */
	assert_int_equal(W.bad, 0);
	assert_int_equal(W.rx, rx_at_freeze);
	/* thawing changes nothing: the stacks are done with that controller */
	l2k_sim_air_freeze(W.air, false);
	run(NULL, 10000);
	for (int i = 0; i < 2; i++) {
		struct l2k_hci_stats hs;
		assert_int_equal(l2k_hci_stats(W.side[i].s, &hs), 0);
		assert_int_equal(W.side[i].link_downs, 1);
	}
}

static void test_frozen_controller_ends_a_basic_channel_on_both_sides(void **st)
{
	world_up(L2K_MODE_BASIC, 0);
	connect_and_flow();
	frozen_ends_both(T_DEFAULT);
	world_down();
}

static void test_frozen_controller_ends_an_ertm_channel_on_both_sides(void **st)
{
	world_up(L2K_MODE_ERTM, 0);
	connect_and_flow();
	frozen_ends_both(T_DEFAULT);
	world_down();
}

static void test_frozen_controller_ends_an_le_channel_on_both_sides(void **st)
{
	world_up(L2K_MODE_LE_CREDIT, 0);
	connect_and_flow();
	frozen_ends_both(T_DEFAULT);
	world_down();
}

static void test_the_watchdog_time_is_an_option(void **st)
{
	world_up(L2K_MODE_BASIC, 700);
	connect_and_flow();
	frozen_ends_both(700);
	world_down();
}

static bool sender_closed(void)
{
	return W.side[0].closed;
}

/* A channel whose link is still being made: the Create Connection goes unanswered, the command
 * watchdog (5 s) ends it. */
static void test_a_channel_waiting_for_its_link_ends_by_the_command_watchdog(void **st)
{
	world_up(L2K_MODE_BASIC, 0);
	l2k_sim_air_freeze(W.air, true);
	uint64_t t0 = W.vc.now_ms;
	struct l2k_chan_cbs cb = {.user = &W.side[0], .open = ch_open, .closed = ch_closed};
	l2k_chan *ch;
	assert_int_equal(l2k_chan_connect(W.side[0].s, &W.addr1, L2K_ADDR_BREDR, PSM_BR, NULL, &cb, &ch), 0);
	assert_true(run(sender_closed, 60000));
	assert_int_equal(W.side[0].why, L2K_CLOSE_CONTROLLER);
	assert_int_equal(W.side[0].closed_at - t0, 5000);
	assert_non_null(strstr(W.side[0].error, "Create Connection"));
	assert_int_equal(W.side[0].step_err, L2K_ECTRLTIMEOUT);
	world_down();
}

static bool never(void)
{
	return false;
}

/* The receiver holds its Basic channel (controller-to-host flow control): the sender's packets
 * wait in its controller, no completion comes for them for 30 s.  The controller answers the
 * probes: alive, the link stays, and everything arrives once the reader reads. */
static void test_a_live_controller_whose_packets_wait_keeps_its_link(void **st)
{
	world_up(L2K_MODE_BASIC, 0);
	connect_and_flow();
	assert_int_equal(l2k_chan_set_busy(W.side[1].ch, true), 0);
	run(never, 2000);
	uint32_t rx = W.rx;
	struct l2k_hci_stats before;
	assert_int_equal(l2k_hci_stats(W.side[0].s, &before), 0);
	run(never, 30000);
	assert_int_equal(W.rx, rx); /* held all along */
	struct l2k_hci_stats hs;
	assert_int_equal(l2k_hci_stats(W.side[0].s, &hs), 0);
	printf("probes in 30 s of waiting packets: %llu\n", (unsigned long long)(hs.probes - before.probes));
	assert_true(hs.probes - before.probes >= 30000 / (2 * T_DEFAULT));
	assert_int_equal(hs.cmd_timeouts, 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(W.side[i].step_err, 0);
		assert_false(W.side[i].closed);
		assert_int_equal(W.side[i].link_downs, 0);
	}
	assert_int_equal(l2k_chan_set_busy(W.side[1].ch, false), 0);
	run(never, 2000);
	assert_true(W.rx > rx + 100);
	assert_int_equal(W.bad, 0);
	world_down();
}

/* Off: a frozen controller with nothing asked of it goes unnoticed; the next command finds it. */
static void test_with_the_watchdog_off_only_the_command_watchdog_remains(void **st)
{
	world_up(L2K_MODE_BASIC, L2K_WATCHDOG_OFF);
	connect_and_flow();
	l2k_sim_air_freeze(W.air, true);
	run(never, 60000);
	for (int i = 0; i < 2; i++) {
		assert_false(W.side[i].closed);
		assert_int_equal(W.side[i].step_err, 0);
		struct l2k_hci_stats hs;
		assert_int_equal(l2k_hci_stats(W.side[i].s, &hs), 0);
		assert_int_equal(hs.probes, 0);
	}
	struct l2k_chan_info ci;
	assert_int_equal(l2k_chan_get_info(W.side[0].ch, &ci), 0);
	uint64_t t0 = W.vc.now_ms;
	assert_int_equal(l2k_link_disconnect(W.side[0].s, ci.handle, 0), 0);
	assert_true(run(sender_closed, 60000));
	assert_int_equal(W.side[0].why, L2K_CLOSE_CONTROLLER);
	assert_int_equal(W.side[0].closed_at - t0, 5000);
	assert_non_null(strstr(W.side[0].error, "Disconnect"));
	world_down();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_frozen_controller_ends_a_basic_channel_on_both_sides),
	    cmocka_unit_test(test_frozen_controller_ends_an_ertm_channel_on_both_sides),
	    cmocka_unit_test(test_frozen_controller_ends_an_le_channel_on_both_sides),
	    cmocka_unit_test(test_the_watchdog_time_is_an_option),
	    cmocka_unit_test(test_a_channel_waiting_for_its_link_ends_by_the_command_watchdog),
	    cmocka_unit_test(test_a_live_controller_whose_packets_wait_keeps_its_link),
	    cmocka_unit_test(test_with_the_watchdog_off_only_the_command_watchdog_remains),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
