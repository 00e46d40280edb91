/* The sans-I/O public entry (l2k_stack_open_io), through the public headers only: two stacks
 * whose HCI packets the test itself carries to and from two simulated controllers
 * (<l2kit/l2kit_sim.h>), with a virtual clock the test moves.  One stack takes whole packets
 * (l2k_input), the other an H4 byte stream cut in odd pieces (l2k_input_h4), as from a UART.
 * A Basic channel opens and 200 SDUs cross it intact; bad input is refused; malformed input from
 * the controller is dropped and counted where the application looks (l2k_hci_stats,
 * l2k_link_stats, l2k_chan_info.link_acl_dropped). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <l2kit/l2kit.h>
#include <l2kit/l2kit_sim.h>

struct host {
	l2k_stack *s;
	l2k_sim_ctrl *ctrl;
	bool h4;      /* feed the stack an H4 byte stream */
	unsigned cut; /* rotating piece size of that stream */
	int ready;
	int sent_to_ctrl;
};

struct world {
	uint64_t now;
	l2k_sim_air *air;
	struct host h[2];
	/* the channel */
	l2k_chan *a, *b;
	bool a_open;
	uint32_t rx, bad;
};

static uint64_t clock_fn(void *arg)
{
	return ((struct world *)arg)->now;
}

static int io_send(void *user, uint8_t type, const uint8_t *pkt, size_t len)
{
	struct host *h = user;
	h->sent_to_ctrl++;
	return l2k_sim_ctrl_feed(h->ctrl, type, pkt, len);
}

static void on_ready(void *user, int err)
{
	assert_int_equal(err, 0);
	((struct host *)user)->ready++;
}

/* Carry what the controllers have for their hosts; true if anything moved. */
static bool carry(struct world *w)
{
	bool moved = false;
	uint8_t pkt[1 + L2K_SIM_PKT_MAX];
	for (int i = 0; i < 2; i++) {
		struct host *h = &w->h[i];
		uint8_t type;
		size_t n;
		while ((n = l2k_sim_ctrl_pop(h->ctrl, &type, pkt + 1, L2K_SIM_PKT_MAX)) > 0) {
			moved = true;
			if (!h->h4) {
				assert_int_equal(l2k_input(h->s, type, pkt + 1, n), 0);
				continue;
			}
			pkt[0] = type;
			for (size_t off = 0; off < n + 1;) {
				size_t piece = 1 + (h->cut++ % 7);
				if (piece > n + 1 - off)
					piece = n + 1 - off;
				assert_int_equal(l2k_input_h4(h->s, pkt + off, piece), 0);
				off += piece;
			}
		}
		l2k_step(h->s);
	}
	return moved;
}

/* Run until cond or max_ms of virtual time. */
static bool run(struct world *w, bool (*cond)(struct world *), uint64_t max_ms)
{
	uint64_t end = w->now + max_ms;
	while (!cond(w) && w->now < end) {
		l2k_sim_air_advance(w->air, w->now);
		if (carry(w))
			continue;
		uint64_t due = l2k_sim_air_next_due(w->air);
		for (int i = 0; i < 2; i++) {
			uint64_t d = l2k_next_due(w->h[i].s);
			if (d < due)
				due = d;
		}
		w->now = due > w->now && due != UINT64_MAX ? (due < end ? due : end) : w->now + 1;
	}
	return cond(w);
}

static bool both_ready(struct world *w)
{
	return w->h[0].ready && w->h[1].ready;
}

static void world_up(struct world *w, const char *air)
{
	memset(w, 0, sizeof(*w));
	w->air = l2k_sim_air_open(air);
	assert_non_null(w->air);
	assert_int_equal(l2k_sim_air_set_profile(w->air, "bredr-3dh5"), 0);
	w->h[1].h4 = true;
	for (int i = 0; i < 2; i++) {
		struct host *h = &w->h[i];
		struct l2k_sim_opts so;
		l2k_sim_opts_default(&so, L2K_SIM_BREDR);
		assert_int_equal(l2k_sim_ctrl_new(w->air, &so, &h->ctrl), 0);
		struct l2k_io io = {.user = h, .send = io_send, .fd = -1};
		struct l2k_stack_opts o = {.clock = clock_fn, .clock_arg = w};
		struct l2k_stack_cbs cbs = {.user = h, .ready = on_ready};
		char err[128];
		assert_int_equal(l2k_stack_open_io(&io, &o, &cbs, &h->s, err, sizeof(err)), 0);
		assert_int_equal(l2k_fd(h->s), -1);
	}
	assert_true(run(w, both_ready, 10000));
}

static void world_down(struct world *w)
{
	for (int i = 0; i < 2; i++) {
		l2k_stack_close(w->h[i].s);
		l2k_sim_ctrl_free(w->h[i].ctrl);
	}
	l2k_sim_air_close(w->air);
}

static uint8_t pat(uint32_t i, size_t k)
{
	return (uint8_t)(i * 37 + k * 11 + 5);
}

static void a_open(void *u, l2k_chan *ch)
{
	((struct world *)u)->a_open = true;
}

static void b_recv(void *u, l2k_chan *ch, const uint8_t *p, size_t n)
{
	struct world *w = u;
	if (n != 300)
		w->bad++;
	for (size_t k = 0; k < n; k++)
		if (p[k] != pat(w->rx, k)) {
			w->bad++;
			break;
		}
	w->rx++;
}

static int b_accept(void *u, const struct l2k_conn_request *rq, struct l2k_chan_opts *o, struct l2k_chan_cbs *cb)
{
	cb->user = u;
	cb->recv = b_recv;
	return 0;
}

static bool opened(struct world *w)
{
	return w->a_open;
}

static bool all_in(struct world *w)
{
	return w->rx == 200;
}

static void open_channel(struct world *w)
{
	struct l2k_controller_info ib;
	assert_int_equal(l2k_controller_info(w->h[1].s, &ib), 0);
	struct l2k_server_cbs sc = {.user = w, .accept = b_accept};
	assert_int_equal(l2k_server_add(w->h[1].s, 0x1001, false, NULL, &sc, NULL), 0);
	struct l2k_chan_cbs cc = {.user = w, .open = a_open};
	assert_int_equal(l2k_chan_connect(w->h[0].s, &ib.addr, L2K_ADDR_BREDR, 0x1001, NULL, &cc, &w->a), 0);
	assert_true(run(w, opened, 10000));
}

static void send_200(struct world *w)
{
	uint8_t sdu[300];
	for (uint32_t i = 0; i < 200; i++) {
		for (size_t k = 0; k < sizeof(sdu); k++)
			sdu[k] = pat(i, k);
		while (l2k_chan_send(w->a, sdu, sizeof(sdu)) == L2K_EAGAIN)
			run(w, all_in, 5); /* let the link drain */
	}
	assert_true(run(w, all_in, 20000));
	assert_int_equal(w->bad, 0);
}

static void test_two_stacks_on_application_io_move_data(void **st)
{
	struct world w;
	world_up(&w, "sansio-data");
	open_channel(&w);
	send_200(&w);
	assert_true(w.h[0].sent_to_ctrl > 200 && w.h[1].sent_to_ctrl > 10);
	world_down(&w);
}

static struct l2k_chan_info closed_info;
static bool a_closed_seen;
static void a_closed(void *u, l2k_chan *ch, enum l2k_close_reason why)
{
	l2k_chan_get_info(ch, &closed_info);
	a_closed_seen = true;
}

static bool a_gone(struct world *w)
{
	return a_closed_seen;
}

static void acl(l2k_stack *s, uint16_t handle, uint8_t pb, const uint8_t *d, size_t n)
{
	uint8_t b[64];
	b[0] = (uint8_t)handle;
	b[1] = (uint8_t)(handle >> 8 | pb << 4);
	b[2] = (uint8_t)n;
	b[3] = 0;
	memcpy(b + 4, d, n);
	assert_int_equal(l2k_input(s, 0x02, b, 4 + n), 0);
}

static void test_dropped_controller_input_is_counted_where_the_application_looks(void **st)
{
	struct world w;
	world_up(&w, "sansio-drops");
	open_channel(&w);
	l2k_stack *s = w.h[0].s;
	struct l2k_chan_info ci;
	assert_int_equal(l2k_chan_get_info(w.a, &ci), 0);
	uint16_t h = ci.handle;
	assert_int_equal(ci.link_acl_dropped, 0);
	struct l2k_hci_stats s0, s1, ls;
	assert_int_equal(l2k_hci_stats(s, &s0), 0);
	assert_int_equal(s0.evt_malformed + s0.acl_unknown_handle + s0.acl_cont_without_start, 0);
	assert_true(s0.acl_rx_packets > 0 && s0.acl_rx_pdus > 0);
	/* events cut short: a Link Key Request (read by the security manager) with 3 of its 6
	 * address octets, a Disconnection Complete for the channel's link without its reason */
	static const uint8_t lkr[] = {0x17, 0x03, 0x01, 0x02, 0x03};
	assert_int_equal(l2k_input(s, 0x04, lkr, sizeof(lkr)), 0);
	const uint8_t dc[] = {0x05, 0x03, 0x00, (uint8_t)h, (uint8_t)(h >> 8)};
	assert_int_equal(l2k_input(s, 0x04, dc, sizeof(dc)), 0);
	/* ACL for a handle that is no link */
	static const uint8_t pdu[] = {0x02, 0x00, 0x7F, 0x00, 0xAA, 0xBB}; /* a CID nobody uses */
	acl(s, 0x0EEE, 0x2, pdu, sizeof(pdu));
	/* on the channel's link: a stray continuation, a start shorter than the basic header (and
	 * its continuation, skipped with it), a start carrying more than its PDU's length */
	acl(s, h, 0x1, pdu, 5);
	acl(s, h, 0x2, pdu, 2);
	acl(s, h, 0x1, pdu, 3);
	acl(s, h, 0x2, pdu, sizeof(pdu));
	static const uint8_t over[] = {0x01, 0x00, 0x40, 0x00, 0xAA, 0xBB, 0xCC};
	acl(s, h, 0x2, over, sizeof(over));
	assert_int_equal(l2k_hci_stats(s, &s1), 0);
	assert_int_equal(s1.evt_malformed - s0.evt_malformed, 2);
	assert_int_equal(s1.acl_unknown_handle - s0.acl_unknown_handle, 1);
	assert_int_equal(s1.acl_cont_without_start - s0.acl_cont_without_start, 1);
	assert_int_equal(s1.acl_short_start - s0.acl_short_start, 1);
	assert_int_equal(s1.acl_overrun - s0.acl_overrun, 1);
	assert_int_equal(s1.acl_rx_pdus - s0.acl_rx_pdus, 1); /* the whole one in between */
	/* the link's own counters, and the channel's view of them */
	assert_int_equal(l2k_link_stats(s, h, &ls), 0);
	assert_int_equal(ls.acl_cont_without_start, 1);
	assert_int_equal(ls.acl_short_start, 1);
	assert_int_equal(ls.acl_overrun, 1);
	assert_int_equal(ls.acl_unknown_handle + ls.evt_malformed, 0); /* not about a link */
	assert_int_equal(l2k_chan_get_info(w.a, &ci), 0);
	assert_int_equal(ci.link_acl_dropped, 3);
	assert_int_equal(l2k_link_stats(s, 0x0EEE, &ls), L2K_ENOLINK);
	/* nothing else was hurt: the link is up and data crosses it intact */
	send_200(&w);
	/* the channel's last word on its link, as the link goes down, keeps the count */
	struct l2k_chan_cbs cc = {.user = &w, .closed = a_closed};
	l2k_chan_set_cbs(w.a, &cc);
	a_closed_seen = false;
	assert_int_equal(l2k_link_disconnect(s, h, 0), 0);
	assert_true(run(&w, a_gone, 10000));
	assert_int_equal(closed_info.link_acl_dropped, 3);
	assert_int_equal(l2k_link_stats(s, h, &ls), L2K_ENOLINK);
	world_down(&w);
}

static void test_bad_input_is_refused(void **st)
{
	struct world w;
	world_up(&w, "sansio-bad");
	l2k_stack *s = w.h[0].s;
	static const uint8_t short_evt[] = {0x0E, 0x04, 0x01}; /* claims 4 parameter octets, has 1 */
	assert_int_equal(l2k_input(s, 0x04, short_evt, sizeof(short_evt)), L2K_EBADMSG);
	assert_int_equal(l2k_input(s, 0x01, short_evt, sizeof(short_evt)), L2K_EINVAL); /* a command */
	/* a stack on a spec transport takes no input */
	l2k_stack *other;
	char err[128];
	struct l2k_stack_opts o = {.clock = clock_fn, .clock_arg = &w};
	assert_int_equal(l2k_stack_open("sim:air=sansio-other", &o, NULL, &other, err, sizeof(err)), 0);
	assert_int_equal(l2k_input(other, 0x04, short_evt, sizeof(short_evt)), L2K_EINVAL);
	l2k_stack_close(other);
	/* an H4 stream with a command indicator is broken for good */
	static const uint8_t cmd[] = {0x01, 0x03, 0x0C, 0x00};
	assert_int_equal(l2k_input_h4(w.h[1].s, cmd, sizeof(cmd)), L2K_EFRAMING);
	assert_true(strlen(l2k_last_error(w.h[1].s)) > 0);
	struct l2k_io bad = {.send = NULL};
	assert_int_equal(l2k_stack_open_io(&bad, NULL, NULL, &other, err, sizeof(err)), L2K_EINVAL);
	world_down(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_two_stacks_on_application_io_move_data),
	    cmocka_unit_test(test_bad_input_is_refused),
	    cmocka_unit_test(test_dropped_controller_input_is_counted_where_the_application_looks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
