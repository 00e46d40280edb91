/* Simulated ACL data path: fragmentation to the receiving controller's buffer size, Number Of
 * Completed Packets as the air drains, buffer overflow, validation of handle / PB flags,
 * controller-to-host flow control, and throughput against the profile's theoretical figure. */
#include <time.h>

#include "test_sim_harness.h"

static const uint32_t sizes[] = {4, 5, 23, 27, 28, 100, 1000, 4000, 65535, 12, 65000, 8};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static struct th_host *small_host(struct th_world *w, enum sim_ctrl_type type, uint16_t mtu, uint16_t count)
{
	struct sim_ctrl_config cfg;
	sim_ctrl_config_init(&cfg, type);
	cfg.acl_mtu = mtu;
	cfg.acl_count = count;
	if (type & SIM_TYPE_LE) {
		cfg.le_acl_mtu = mtu;
		cfg.le_acl_count = (uint8_t)count;
	}
	struct th_host *h = th_host_cfg(w, &cfg);
	th_bringup(w, h);
	return h;
}

struct both_arg {
	struct th_host *a, *b;
	uint32_t n;
};

static bool both_done(struct th_world *w, void *arg)
{
	struct both_arg *x = arg;
	return x->a->rx_pdus + x->a->rx_bad >= x->n && x->b->rx_pdus + x->b->rx_bad >= x->n;
}

static uint32_t frags_of(uint32_t payload, uint16_t mtu)
{
	return (4 + payload + mtu - 1) / mtu;
}

static void exchange_both_ways(bool le, uint16_t mtu_a, uint16_t cnt_a, uint16_t mtu_b, uint16_t cnt_b)
{
	struct th_world *w = th_world_new(le ? "acl-le" : "acl-br");
	struct th_host *a = small_host(w, le ? SIM_TYPE_LE : SIM_TYPE_BREDR, mtu_a, cnt_a);
	struct th_host *b = small_host(w, SIM_TYPE_DUAL, mtu_b, cnt_b);
	uint16_t ha, hb;
	if (le)
		th_connect_le(w, a, b, 6, &ha, &hb);
	else
		th_connect_bredr(w, a, b, &ha, &hb);
	th_stream(a, ha, mtu_a, cnt_a, sizes, NSIZES);
	th_stream(b, hb, mtu_b, cnt_b, sizes, NSIZES);
	a->rx_lens = b->rx_lens = sizes;
	a->rx_nlens = b->rx_nlens = NSIZES;
	struct both_arg x = {a, b, NSIZES};
	assert_true(th_run_until(w, both_done, &x, 600000));
	th_run_for(w, 100); /* let the last completions arrive */
	struct th_host *hs[2] = {a, b};
	for (int i = 0; i < 2; i++) {
		struct th_host *h = hs[i], *peer = hs[1 - i];
		assert_int_equal(h->rx_pdus, NSIZES);
		assert_int_equal(h->rx_bad, 0);
		assert_int_equal(h->rx_partial, 0);
		assert_int_equal(h->rx_orphans, 0);
		assert_int_equal(h->rx_pb_bad, 0);
		/* fragments never exceed the receiving controller's buffer size */
		assert_true(h->rx_max_frag <= (h == a ? mtu_a : mtu_b));
		/* every packet sent was reported completed, and never more buffers were in use than
		 * the controller has (the sender only sends on credits; nothing overflowed) */
		uint32_t sent = 0;
		for (size_t k = 0; k < NSIZES; k++)
			sent += frags_of(sizes[k], h == a ? mtu_a : mtu_b);
		assert_int_equal(h->nocp, sent);
		assert_int_equal(h->credits, h == a ? cnt_a : cnt_b);
		struct sim_ctrl_stats s;
		sim_ctrl_get_stats(h->c, &s);
		assert_int_equal(s.acl_overflow, 0);
		assert_int_equal(s.acl_rejected, 0);
		assert_int_equal(s.acl_in, sent);
		(void)peer;
	}
	struct sim_link_stats ls;
	assert_int_equal(sim_ctrl_link_stats(a->c, ha, &ls), 0);
	assert_int_equal(ls.pdus[0], NSIZES);
	assert_int_equal(ls.pdus[1], NSIZES);
	uint64_t total = 0;
	for (size_t k = 0; k < NSIZES; k++)
		total += 4 + sizes[k];
	assert_int_equal(ls.bytes[0], total);
	assert_int_equal(ls.bytes[1], total);
	th_world_free(w);
}

static void test_pdus_up_to_65535_both_ways_bredr_27x2(void **state)
{
	exchange_both_ways(false, 27, 2, 27, 2);
}

static void test_pdus_up_to_65535_both_ways_le_27x2(void **state)
{
	exchange_both_ways(true, 27, 2, 27, 2);
}

static void test_pdus_refragmented_for_a_smaller_receiver(void **state)
{
	/* 1021-byte fragments into a 27-byte controller and back */
	exchange_both_ways(false, 1021, 8, 27, 2);
	exchange_both_ways(true, 251, 4, 27, 2);
}

static void test_completed_packets_reported_as_air_drains(void **state)
{
	struct th_world *w = th_world_new("acl-nocp");
	struct th_host *a = small_host(w, SIM_TYPE_LE, 27, 2);
	struct th_host *b = small_host(w, SIM_TYPE_LE, 27, 2);
	uint16_t ha, hb;
	th_connect_le(w, a, b, 80, &ha, &hb); /* 100 ms interval */
	static const uint32_t one[] = {50};	/* 54 bytes: 27 + 27 */
	th_stream(a, ha, 27, 2, one, 1);
	th_pump(w); /* both fragments go to the controller now */
	assert_int_equal(a->tx_seq, 1);
	assert_int_equal(a->nocp, 0);
	uint64_t t0 = sim_air_now_us(w->air);
	/* nothing completes before the next connection event */
	struct th_done_arg d = {b, 1};
	assert_true(th_run_until(w, th_rx_done, &d, 1000));
	assert_true(sim_air_now_us(w->air) > t0);
	th_run_for(w, 5);
	assert_int_equal(a->nocp, 2);
	assert_int_equal(b->rx_pdus, 1);
	th_world_free(w);
}

static void test_overrun_gets_data_buffer_overflow_and_is_dropped(void **state)
{
	struct th_world *w = th_world_new("acl-ovf");
	struct th_host *a = small_host(w, SIM_TYPE_BREDR, 27, 2);
	struct th_host *b = small_host(w, SIM_TYPE_BREDR, 27, 2);
	uint16_t ha, hb;
	th_connect_bredr(w, a, b, &ha, &hb);
	static const uint32_t one[] = {73}; /* 77 bytes = 3 fragments */
	th_stream(a, ha, 27, 2, one, 1);
	a->tx_ignore_credits = true;
	th_send_more(a); /* three packets into two buffers */
	th_pump(w);
	struct th_ev e = {0};
	assert_true(th_take_ev(a, HCI_EV_DATA_BUFFER_OVERFLOW, -1, &e));
	assert_int_equal(e.plen, 1);
	assert_int_equal(e.p[0], 0x01); /* ACL */
	struct sim_ctrl_stats s;
	sim_ctrl_get_stats(a->c, &s);
	assert_int_equal(s.acl_in, 2);
	assert_int_equal(s.acl_overflow, 1);
	th_run_for(w, 100);
	assert_int_equal(a->nocp, 2); /* the dropped one is never completed */
	assert_int_equal(b->rx_bytes, 54);
	th_world_free(w);
}

static void feed_acl(struct th_host *h, uint16_t hf, uint16_t len)
{
	uint8_t pkt[4 + 2000] = {0};
	put_le16(pkt, hf);
	put_le16(pkt + 2, len);
	pkt[4] = (uint8_t)(len - 4);
	assert_int_equal(sim_ctrl_feed(h->c, HCI_H4_ACL, pkt, 4u + len), 0);
}

static void test_bad_handle_and_flags_are_rejected(void **state)
{
	struct th_world *w = th_world_new("acl-bad");
	struct th_host *a = small_host(w, SIM_TYPE_BREDR, 100, 4);
	struct th_host *b = small_host(w, SIM_TYPE_BREDR, 100, 4);
	uint16_t ha, hb;
	th_connect_bredr(w, a, b, &ha, &hb);
	feed_acl(a, (uint16_t)(ha | 0x1000), 10);	    /* continuation before any start */
	feed_acl(a, (uint16_t)((ha + 1) | 0x2000), 10);    /* unknown handle */
	feed_acl(a, (uint16_t)(ha | 0x3000), 10);	    /* PB 0b11 */
	feed_acl(a, (uint16_t)(ha | 0x2000 | 0x4000), 10); /* broadcast */
	feed_acl(a, (uint16_t)(ha | 0x2000), 101);	    /* longer than the buffer */
	uint8_t shortp[4] = {0, 0, 5, 0};
	assert_int_equal(sim_ctrl_feed(a->c, HCI_H4_ACL, shortp, 4), L2K_EBADMSG);
	feed_acl(a, (uint16_t)(ha | 0x2000), 10); /* a good one */
	th_run_for(w, 100);
	struct sim_ctrl_stats s;
	sim_ctrl_get_stats(a->c, &s);
	assert_int_equal(s.acl_rejected, 5);
	assert_int_equal(s.acl_in, 1);
	assert_int_equal(a->nocp, 1);
	assert_int_equal(b->acl_packets, 1);
	th_world_free(w);
}

static void host_completed(struct th_host *h, uint16_t handle, uint16_t n)
{
	uint8_t p[5] = {1};
	put_le16(p + 1, handle);
	put_le16(p + 3, n);
	uint8_t pkt[8];
	put_le16(pkt, HCI_OP_HOST_NUM_COMPLETED);
	pkt[2] = 5;
	memcpy(pkt + 3, p, 5);
	assert_int_equal(sim_ctrl_feed(h->c, HCI_H4_CMD, pkt, 8), 0);
	h->acl_outstanding -= n;
}

static void test_controller_to_host_flow_control_stops_delivery(void **state)
{
	struct th_world *w = th_world_new("acl-fc");
	struct th_host *a = small_host(w, SIM_TYPE_BREDR, 1021, 8);
	struct th_host *b = small_host(w, SIM_TYPE_BREDR, 1021, 8);
	uint8_t on = 0x01;
	assert_int_equal(th_cmd(w, b, HCI_OP_SET_CTRL_TO_HOST_FC, &on, 1, NULL, NULL), 0);
	uint8_t hbs[7] = {50, 0, 0, 3, 0, 0, 0}; /* 50-byte packets, 3 of them */
	assert_int_equal(th_cmd(w, b, HCI_OP_HOST_BUFFER_SIZE, hbs, 7, NULL, NULL), 0);
	uint16_t ha, hb;
	th_connect_bredr(w, a, b, &ha, &hb);
	/* flow control cannot change while a connection exists */
	on = 0;
	assert_int_equal(th_cmd(w, b, HCI_OP_SET_CTRL_TO_HOST_FC, &on, 1, NULL, NULL), HCI_ERR_COMMAND_DISALLOWED);
	static uint32_t lens[40];
	for (int i = 0; i < 40; i++)
		lens[i] = 996; /* 1000-byte PDUs */
	th_stream(a, ha, 1021, 8, lens, 40);
	b->rx_lens = lens;
	b->rx_nlens = 40;
	b->hold_acl = true;
	th_run_for(w, 2000);
	assert_int_equal(b->acl_packets, 3); /* the host's 3 buffers, then nothing */
	assert_true(b->rx_max_frag <= 50);
	/* the sender is back-pressured, not overflowing */
	struct sim_ctrl_stats s;
	sim_ctrl_get_stats(a->c, &s);
	assert_int_equal(s.acl_overflow, 0);
	assert_true(a->tx_seq < 40);
	host_completed(b, hb, 2);
	th_run_for(w, 10);
	assert_int_equal(b->acl_packets, 5);
	/* completing everything as it comes lets the whole stream through intact */
	for (int round = 0; round < 100000 && b->rx_pdus < 40; round++) {
		if (b->acl_outstanding)
			host_completed(b, hb, (uint16_t)b->acl_outstanding);
		th_run_for(w, 1);
	}
	assert_int_equal(b->rx_pdus, 40);
	assert_int_equal(b->rx_bad, 0);
	assert_true(b->rx_max_frag <= 50);
	th_world_free(w);
}

struct tput {
	uint64_t payload;
	double seconds, cpu;
};

static struct tput run_throughput(bool le, enum sim_profile prof, uint16_t mtu, uint16_t count,
				  uint32_t payload, uint32_t npdu, uint16_t itv, uint16_t dl)
{
	struct th_world *w = th_world_new(le ? "tput-le" : "tput-br");
	sim_air_set_profile(w->air, prof);
	struct th_host *a = small_host(w, le ? SIM_TYPE_LE : SIM_TYPE_BREDR, mtu, count);
	struct th_host *b = small_host(w, SIM_TYPE_DUAL, 1021, 8);
	uint16_t ha, hb;
	if (le) {
		th_connect_le(w, a, b, itv, &ha, &hb);
		th_set_data_len(w, a, ha, dl);
		th_run_for(w, 500);
	} else {
		th_connect_bredr(w, a, b, &ha, &hb);
	}
	uint32_t *lens = malloc(sizeof(uint32_t) * npdu);
	for (uint32_t i = 0; i < npdu; i++)
		lens[i] = payload;
	th_stream(a, ha, mtu, count, lens, npdu);
	b->rx_lens = lens;
	b->rx_nlens = npdu;
	uint64_t t0 = sim_air_now_us(w->air);
	clock_t c0 = clock();
	struct th_done_arg d = {b, npdu};
	assert_true(th_run_until(w, th_rx_done, &d, 3600000));
	struct tput r;
	r.cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
	assert_int_equal(b->rx_bad, 0);
	r.payload = b->rx_payload;
	r.seconds = (double)(b->rx_last_us - t0) / 1e6;
	free(lens);
	th_world_free(w);
	return r;
}

static void test_throughput_le_2m_matches_profile(void **state)
{
	/* 1000-byte payloads (1004-byte PDUs, 4 fragments of 251), 30 ms interval, DL 251 */
	struct tput r = run_throughput(true, SIM_PROFILE_LE_2M, 251, 8, 1000, 2000, 24, 251);
	struct sim_goodput_params g = {SIM_PROFILE_LE_2M, 30000, 251, 251, 1000, 4};
	double want = sim_profile_goodput(&g), got = (double)r.payload / r.seconds;
	print_message("le-2m: %.0f B/s measured, %.0f B/s theoretical (%.2f s virtual, %.3f s CPU)\n", got,
		      want, r.seconds, r.cpu);
	assert_true(got > want * 0.97 && got < want * 1.03);
	/* by hand: 1392 us per 251-byte exchange, 21 per 30 ms event: 21*251/0.03 B/s, less the
	 * 4-byte header per 1004 */
	double hand = 21.0 * 251 / 0.030 * 1000.0 / 1004.0;
	assert_true(want > hand * 0.99 && want < hand * 1.01);
}

static void test_throughput_le_1m_small_data_length(void **state)
{
	struct tput r = run_throughput(true, SIM_PROFILE_LE_1M, 27, 4, 96, 3000, 6, 27);
	struct sim_goodput_params g = {SIM_PROFILE_LE_1M, 7500, 27, 27, 96, 4};
	double want = sim_profile_goodput(&g), got = (double)r.payload / r.seconds;
	print_message("le-1m dl27: %.0f B/s measured, %.0f B/s theoretical\n", got, want);
	assert_true(got > want * 0.97 && got < want * 1.03);
}

static void test_throughput_bredr_3dh5_matches_profile_10mb_fast(void **state)
{
	/* 1017-byte payloads: one 1021-byte fragment = one 3-DH5 per 3750 us; 10 MB */
	uint32_t n = 10u * 1024 * 1024 / 1017 + 1;
	struct tput r = run_throughput(false, SIM_PROFILE_BREDR_3DH5, 1021, 8, 1017, n, 0, 0);
	struct sim_goodput_params g = {SIM_PROFILE_BREDR_3DH5, 0, 0, 1021, 1017, 4};
	double want = sim_profile_goodput(&g), got = (double)r.payload / r.seconds;
	print_message("bredr-3dh5: %.0f B/s measured, %.0f B/s theoretical (%.1f s virtual, %.3f s CPU)\n",
		      got, want, r.seconds, r.cpu);
	assert_true(want > 1017.0 / 0.00375 * 0.999 && want < 1017.0 / 0.00375 * 1.001);
	assert_true(got > want * 0.97 && got < want * 1.03);
	assert_true(r.payload >= 10u * 1024 * 1024);
	assert_true(r.cpu < 3.0); /* discrete-event: seconds of air in a fraction of CPU */
}

static void test_unlimited_profile_takes_no_air_time(void **state)
{
	for (int le = 0; le < 2; le++) {
		uint64_t t0 = 0;
		struct th_world *w = th_world_new("unlimited");
		sim_air_set_profile(w->air, SIM_PROFILE_UNLIMITED);
		assert_int_equal(sim_air_profile(w->air, true), SIM_PROFILE_UNLIMITED);
		struct th_host *a = small_host(w, SIM_TYPE_DUAL, 1021, 8);
		struct th_host *b = small_host(w, SIM_TYPE_DUAL, 1021, 8);
		uint16_t ha, hb;
		if (le)
			th_connect_le(w, a, b, 24, &ha, &hb);
		else
			th_connect_bredr(w, a, b, &ha, &hb);
		static uint32_t lens[200];
		for (int i = 0; i < 200; i++)
			lens[i] = 5000;
		th_stream(a, ha, le ? 251 : 1021, 8, lens, 200);
		b->rx_lens = lens;
		b->rx_nlens = 200;
		t0 = sim_air_now_us(w->air);
		struct th_done_arg d = {b, 200};
		assert_true(th_run_until(w, th_rx_done, &d, 1000));
		assert_int_equal(b->rx_pdus, 200);
		assert_int_equal(sim_air_now_us(w->air), t0); /* a megabyte in no time */
		th_world_free(w);
	}
}

static void test_goodput_function_formulas(void **state)
{
	struct sim_goodput_params g = {SIM_PROFILE_BREDR_3DH5, 0, 0, 1021, 65535, 4};
	/* 65539 bytes = 64 x 1021 (3-DH5, 6 slots) + 195 (3-DH3, 4 slots) */
	double t = 64 * 3750e-6 + 4 * 625e-6;
	double v = sim_profile_goodput(&g);
	assert_true(v > 65535 / t * 0.9999 && v < 65535 / t * 1.0001);
	g.profile = SIM_PROFILE_UNLIMITED;
	assert_true(sim_profile_goodput(&g) > 1e300);
	g.profile = SIM_PROFILE_LE_1M;
	g.conn_interval_us = 0; /* invalid for LE */
	assert_true(sim_profile_goodput(&g) == 0.0);
	assert_int_equal(sim_profile_by_name("le-2m"), SIM_PROFILE_LE_2M);
	assert_int_equal(sim_profile_by_name("bredr-3dh5"), SIM_PROFILE_BREDR_3DH5);
	assert_int_equal(sim_profile_by_name("nope"), L2K_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pdus_up_to_65535_both_ways_bredr_27x2),
		cmocka_unit_test(test_pdus_up_to_65535_both_ways_le_27x2),
		cmocka_unit_test(test_pdus_refragmented_for_a_smaller_receiver),
		cmocka_unit_test(test_completed_packets_reported_as_air_drains),
		cmocka_unit_test(test_overrun_gets_data_buffer_overflow_and_is_dropped),
		cmocka_unit_test(test_bad_handle_and_flags_are_rejected),
		cmocka_unit_test(test_controller_to_host_flow_control_stops_delivery),
		cmocka_unit_test(test_throughput_le_2m_matches_profile),
		cmocka_unit_test(test_throughput_le_1m_small_data_length),
		cmocka_unit_test(test_throughput_bredr_3dh5_matches_profile_10mb_fast),
		cmocka_unit_test(test_unlimited_profile_takes_no_air_time),
		cmocka_unit_test(test_goodput_function_formulas),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
