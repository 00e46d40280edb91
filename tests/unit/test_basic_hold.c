/* Basic mode and controller-to-host flow control, between two l2kit stacks on the simulated air
 * with a virtual clock: a Basic receiver that stops reading (l2k_chan_set_busy, the event face's
 * hold) loses nothing and slows the sender; without flow control busy changes nothing and the
 * data flows on; a hold holds the whole link (its other channels wait, and resume) and ends
 * when the held channel closes; a link that goes down while held forgets its kept packets, and
 * the host never reports more packets than it received. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "api/stack_internal.h"
#include "hci/hci_internal.h"
#include "tests/unit/test_mode_xfer.h"

#define MB 1000000ull

/* ---- bulk: the slow reader of the I-frame mode tests, in Basic mode ------------------------ */

static void test_basic_slow_reader_loses_nothing_and_slows_the_sender(void **s)
{
	/* busy for 400 ms after every 100 SDUs: nothing is passed up while busy, the sender's
	 * queue fills (l2k_chan_send says L2K_EAGAIN), every SDU arrives once, in order */
	struct xfer_cfg c = {.mode = L2K_MODE_BASIC, .bytes = MB, .seed = 3, .busy_every = 100, .busy_ms = 400};
	struct xfer_result r;
	int err = xfer_run(&c, &r);
	xfer_print(stdout, &c, &r);
	assert_int_equal(err, 0);
	assert_int_equal(r.mode, L2K_MODE_BASIC);
	assert_int_equal(r.rx_busy_sdus, 0);
	assert_int_equal(r.rx_sdus, r.tx_sdus);
	assert_int_equal(r.gaps, 0);
	assert_int_equal(r.dropped, 0);
	assert_true(r.eagain > 0);
	assert_true(r.vms >= 5 * 400); /* the pauses are in the transfer's time */
}

static void test_basic_busy_changes_nothing_without_ctrl_flow(void **s)
{
	/* no controller-to-host flow control: Basic mode cannot stop the peer, recv goes on being
	 * called while busy, and the data flows on */
	struct xfer_cfg c = {.mode = L2K_MODE_BASIC, .bytes = MB, .seed = 3, .busy_every = 100, .busy_ms = 400,
			     .no_ctrl_flow = true};
	struct xfer_result r;
	int err = xfer_run(&c, &r);
	xfer_print(stdout, &c, &r);
	assert_int_equal(err, 0);
	assert_true(r.rx_busy_sdus > 0);
	assert_int_equal(r.rx_sdus, r.tx_sdus);
}

/* ---- two channels on one link ------------------------------------------------------------- */

#define NCH 2
static const uint16_t psms[NCH] = {0x1001, 0x1003};

struct world {
	struct l2k_vclock vc;
	l2k_stack *st[2]; /* 0 sends, 1 receives */
	l2k_addr addr1;
	l2k_chan *tx[NCH], *rx[NCH];
	bool tx_open[NCH], tx_closed[NCH], rx_closed[NCH];
	uint32_t seq_tx[NCH], seq_rx[NCH];
	int bad;
	uint8_t buf[600]; /* within the default MTU (672) */
};

static struct world W;

static int chan_index(l2k_chan *ch)
{
	struct l2k_chan_info ci;
	l2k_chan_get_info(ch, &ci);
	return ci.psm == psms[0] ? 0 : 1;
}

static void rx_recv(void *u, l2k_chan *ch, const uint8_t *p, size_t n)
{
	int k = chan_index(ch);
	if (n != sizeof(W.buf) || p[0] != k) {
		W.bad++;
		return;
	}
	uint32_t seq = (uint32_t)p[1] | (uint32_t)p[2] << 8 | (uint32_t)p[3] << 16;
	if (seq != W.seq_rx[k])
		W.bad++;
	for (size_t i = 4; i < n; i++)
		if (p[i] != (uint8_t)(seq * 7u + i))
			W.bad++;
	W.seq_rx[k] = seq + 1;
}

static void rx_open(void *u, l2k_chan *ch)
{
	W.rx[chan_index(ch)] = ch;
}

static void rx_closed(void *u, l2k_chan *ch, enum l2k_close_reason r)
{
	int k = chan_index(ch);
	W.rx[k] = NULL;
	W.rx_closed[k] = true;
}

static void tx_open(void *u, l2k_chan *ch)
{
	W.tx_open[chan_index(ch)] = true;
}

static void tx_closed(void *u, l2k_chan *ch, enum l2k_close_reason r)
{
	int k = chan_index(ch);
	W.tx[k] = NULL;
	W.tx_closed[k] = true;
}

static int on_accept(void *u, const struct l2k_conn_request *rq, struct l2k_chan_opts *o, struct l2k_chan_cbs *cb)
{
	cb->recv = rx_recv;
	cb->open = rx_open;
	cb->closed = rx_closed;
	return 0;
}

static bool all_open(void *a)
{
	for (int k = 0; k < NCH; k++)
		if (!W.rx[k] || !W.tx_open[k])
			return false;
	return true;
}

static void world_up(uint16_t host_buffers)
{
	memset(&W, 0, sizeof(W));
	char spec[160], err[256];
	static int n_air;
	snprintf(spec, sizeof(spec), "sim:air=basic-hold-%d,type=bredr", ++n_air);
	struct l2k_stack_opts so = {.clock = l2k_vclock_now, .clock_arg = &W.vc, .host_acl_buffers = host_buffers};
	for (int i = 0; i < 2; i++) {
		assert_int_equal(l2k_stack_open(spec, &so, NULL, &W.st[i], err, sizeof(err)), 0);
		assert_int_equal(l2k_wait_ready(W.st[i], 5000), 0);
	}
	struct l2k_controller_info ci;
	l2k_controller_info(W.st[1], &ci);
	assert_true(ci.ctrl_flow);
	assert_int_equal(ci.host_acl_count, host_buffers ? host_buffers : 32);
	W.addr1 = ci.addr;
	struct l2k_server_cbs sc = {.accept = on_accept};
	struct l2k_chan_cbs cb = {.open = tx_open, .closed = tx_closed};
	for (int k = 0; k < NCH; k++) {
		assert_int_equal(l2k_server_add(W.st[1], psms[k], false, NULL, &sc, NULL), 0);
		assert_int_equal(l2k_chan_connect(W.st[0], &W.addr1, L2K_ADDR_BREDR, psms[k], NULL, &cb, &W.tx[k]), 0);
	}
	assert_int_equal(l2k_sim_run_until(W.st, 2, &W.vc, all_open, NULL, 10000), 0);
}

static void world_down(void)
{
	for (int i = 0; i < 2; i++)
		l2k_stack_close(W.st[i]);
}

/* Keep both senders' queues full. */
static void fill_senders(void)
{
	for (int k = 0; k < NCH; k++) {
		while (W.tx[k]) {
			uint32_t seq = W.seq_tx[k];
			W.buf[0] = (uint8_t)k;
			W.buf[1] = (uint8_t)seq;
			W.buf[2] = (uint8_t)(seq >> 8);
			W.buf[3] = (uint8_t)(seq >> 16);
			for (size_t i = 4; i < sizeof(W.buf); i++)
				W.buf[i] = (uint8_t)(seq * 7u + i);
			int r = l2k_chan_send(W.tx[k], W.buf, sizeof(W.buf));
			if (r == L2K_EAGAIN)
				break;
			assert_int_equal(r, 0);
			W.seq_tx[k]++;
		}
	}
}

/* run for ms of virtual time, the senders kept busy */
static bool keep_sending(void *a)
{
	fill_senders();
	return W.vc.now_ms >= *(uint64_t *)a;
}

static void run_for(uint64_t ms)
{
	uint64_t until = W.vc.now_ms + ms;
	while (W.vc.now_ms < until)
		if (l2k_sim_run_until(W.st, 2, &W.vc, keep_sending, &until, ms) == L2K_EAGAIN)
			W.vc.now_ms = until; /* everything waits (held): let the virtual time pass */
}

static bool chan1_open(void *a)
{
	return W.rx[1] && W.tx_open[1];
}

static bool all_in(void *a)
{
	for (int k = 0; k < NCH; k++)
		if (W.tx[k] && W.seq_rx[k] != W.seq_tx[k])
			return false;
	return true;
}

/* the last reports go out at most 10 ms after the last packet */
static void settle(void)
{
	l2k_sim_run_until(W.st, 2, &W.vc, NULL, NULL, 50);
}

static const struct hci_host *hci_of(int i)
{
	return W.st[i]->hci;
}

static void test_a_held_basic_channel_holds_its_link_and_everything_resumes(void **s)
{
	world_up(0);
	assert_int_equal(l2k_chan_set_busy(W.rx[0], true), 0);
	run_for(10000);
	/* neither channel got anything: the link's packets wait at the receiving host, at most as
	 * many as it announced, and the controller kept to that */
	assert_int_equal(W.seq_rx[0], 0);
	assert_int_equal(W.seq_rx[1], 0);
	const struct hci_host *h = hci_of(1);
	assert_int_equal(h->c2h_parked, 32);
	assert_int_equal(hci_host_stats(h)->c2h_overrun, 0);
	/* the senders are held: ten seconds of air (about 200 kB/s) would carry several times what
	 * they could queue (their channel queues, the link queue, the buffers on the way) */
	uint32_t queued = W.seq_tx[0] + W.seq_tx[1];
	printf("held after %u SDUs of 600 octets\n", queued);
	assert_true(queued < 1500);
	run_for(2000);
	assert_int_equal(W.seq_tx[0] + W.seq_tx[1], queued);
	/* the reader reads again: everything arrives, in order, intact */
	assert_int_equal(l2k_chan_set_busy(W.rx[0], false), 0);
	run_for(2000);
	assert_int_equal(l2k_sim_run_until(W.st, 2, &W.vc, all_in, NULL, 60000), 0);
	assert_int_equal(W.bad, 0);
	assert_true(W.seq_rx[0] > 100 && W.seq_rx[1] > 100);
	settle();
	/* every packet received was reported completed, no more */
	assert_int_equal(hci_host_stats(h)->c2h_completed, hci_host_stats(h)->rx_frags);
	assert_int_equal(h->c2h_parked, 0);
	world_down();
}

static bool closed_and_rest_in(void *a)
{
	return W.rx_closed[0] && W.tx_closed[0] && W.seq_rx[1] == W.seq_tx[1];
}

static void test_closing_the_held_channel_releases_the_link(void **s)
{
	world_up(0);
	assert_int_equal(l2k_chan_set_busy(W.rx[0], true), 0);
	run_for(2000);
	assert_int_equal(W.seq_rx[1], 0);
	assert_int_equal(l2k_chan_close(W.rx[0]), 0);
	run_for(2000);
	/* the other channel goes on and gets all; the closed one's kept data is dropped */
	assert_int_equal(l2k_sim_run_until(W.st, 2, &W.vc, closed_and_rest_in, NULL, 60000), 0);
	assert_int_equal(W.bad, 0);
	assert_true(W.seq_rx[1] > 0);
	assert_int_equal(W.seq_rx[0], 0);
	settle();
	const struct hci_host *h = hci_of(1);
	assert_int_equal(hci_host_stats(h)->c2h_completed, hci_host_stats(h)->rx_frags);
	world_down();
}

static bool parked(void *a)
{
	fill_senders();
	return hci_of(1)->c2h_parked >= 4;
}

static bool link_gone(void *a)
{
	return !W.rx[1] && !W.tx[1];
}

static void test_link_loss_while_held_forgets_the_kept_packets(void **s)
{
	world_up(4); /* the receiving host keeps at most 4 packets */
	assert_int_equal(l2k_chan_set_busy(W.rx[0], true), 0);
	assert_int_equal(l2k_sim_run_until(W.st, 2, &W.vc, parked, NULL, 10000), 0);
	const struct hci_host *h = hci_of(1);
	assert_int_equal(h->c2h_parked, 4);
	assert_int_equal(hci_host_stats(h)->c2h_overrun, 0);
	uint16_t handle;
	assert_int_equal(l2k_link_find(W.st[0], &W.addr1, L2K_ADDR_BREDR, &handle), 0);
	assert_int_equal(l2k_link_disconnect(W.st[0], handle, 0), 0);
	assert_int_equal(l2k_sim_run_until(W.st, 2, &W.vc, link_gone, NULL, 10000), 0);
	/* nothing kept, nothing to report: the controller freed the buffers with the link */
	assert_int_equal(h->c2h_parked, 0);
	assert_int_equal(h->c2h_done, 0);
	uint64_t reported = hci_host_stats(h)->c2h_completed, frags = hci_host_stats(h)->rx_frags;
	assert_int_equal(frags - reported, 4);
	/* a new link: its packets are counted from zero and all reported (more than 4 of them,
	 * so a leaked buffer would have stopped the controller) */
	memset(W.seq_rx, 0, sizeof(W.seq_rx));
	memset(W.seq_tx, 0, sizeof(W.seq_tx));
	memset(W.tx_open, 0, sizeof(W.tx_open));
	struct l2k_chan_cbs cb = {.open = tx_open, .closed = tx_closed};
	assert_int_equal(l2k_chan_connect(W.st[0], &W.addr1, L2K_ADDR_BREDR, psms[1], NULL, &cb, &W.tx[1]), 0);
	assert_int_equal(l2k_sim_run_until(W.st, 2, &W.vc, chan1_open, NULL, 10000), 0);
	run_for(1000);
	assert_int_equal(l2k_sim_run_until(W.st, 2, &W.vc, all_in, NULL, 60000), 0);
	assert_true(W.seq_rx[1] > 20);
	assert_int_equal(W.bad, 0);
	settle();
	assert_int_equal(hci_host_stats(h)->c2h_completed - reported, hci_host_stats(h)->rx_frags - frags);
	world_down();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_basic_slow_reader_loses_nothing_and_slows_the_sender),
	    cmocka_unit_test(test_basic_busy_changes_nothing_without_ctrl_flow),
	    cmocka_unit_test(test_a_held_basic_channel_holds_its_link_and_everything_resumes),
	    cmocka_unit_test(test_closing_the_held_channel_releases_the_link),
	    cmocka_unit_test(test_link_loss_while_held_forgets_the_kept_packets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
