/* Simulated air faults: link cut and supervision timeout, PDU loss (whole PDUs, like a flush),
 * corruption, determinism from the seed, controllers that go away. */
#include "test_sim_harness.h"

static struct th_host *host_mtu(struct th_world *w, enum sim_ctrl_type type, uint16_t mtu, uint16_t count)
{
	struct sim_ctrl_config cfg;
	sim_ctrl_config_init(&cfg, type);
	cfg.acl_mtu = mtu;
	cfg.acl_count = count;
	struct th_host *h = th_host_cfg(w, &cfg);
	th_bringup(w, h);
	return h;
}

static void test_cut_le_link_times_out_on_both_sides(void **state)
{
	struct th_world *w = th_world_new("cut-le");
	struct th_host *a = host_mtu(w, SIM_TYPE_LE, 27, 4);
	struct th_host *b = host_mtu(w, SIM_TYPE_LE, 27, 4);
	uint16_t ha, hb;
	th_connect_le(w, a, b, 24, &ha, &hb); /* supervision timeout 0x100 = 2.56 s */
	uint64_t cut = sim_air_now_us(w->air) / 1000 + 100;
	assert_int_equal(sim_air_cut_link(w->air, &a->addr, &b->addr, cut), 1);
	static uint32_t lens[50];
	for (int i = 0; i < 50; i++)
		lens[i] = 200;
	th_stream(a, ha, 27, 4, lens, 50);
	struct th_ev e = {0};
	assert_true(th_wait_ev(w, a, HCI_EV_DISCONN_COMPLETE, -1, 10000, &e));
	uint64_t at = sim_air_now_us(w->air);
	assert_int_equal(get_le16(e.p + 1), ha);
	assert_int_equal(e.p[3], HCI_ERR_CONN_TIMEOUT);
	assert_true(at >= (cut + 2560) * 1000 && at <= (cut + 2561) * 1000);
	assert_true(th_wait_ev(w, b, HCI_EV_DISCONN_COMPLETE, -1, 1, &e));
	assert_int_equal(get_le16(e.p + 1), hb);
	assert_int_equal(e.p[3], HCI_ERR_CONN_TIMEOUT);
	/* traffic stopped at the cut: nothing was completed after it, nothing arrives now */
	uint64_t nocp = a->nocp, rx = b->rx_bytes;
	th_run_for(w, 5000);
	assert_int_equal(a->nocp, nocp);
	assert_int_equal(b->rx_bytes, rx);
	assert_true(b->rx_pdus < 50);
	struct sim_air_stats st;
	sim_air_get_stats(w->air, &st);
	assert_int_equal(st.links_lost, 1);
	th_world_free(w);
}

static void test_cut_bredr_link_times_out_after_20_s(void **state)
{
	struct th_world *w = th_world_new("cut-br");
	struct th_host *a = host_mtu(w, SIM_TYPE_BREDR, 1021, 8);
	struct th_host *b = host_mtu(w, SIM_TYPE_BREDR, 1021, 8);
	uint16_t ha, hb;
	th_connect_bredr(w, a, b, &ha, &hb);
	uint64_t cut = sim_air_now_us(w->air) / 1000;
	assert_int_equal(sim_ctrl_cut_link(b->c, hb, 0), 0); /* now */
	struct th_ev e = {0};
	assert_true(th_wait_ev(w, b, HCI_EV_DISCONN_COMPLETE, -1, 30000, &e));
	assert_int_equal(e.p[3], HCI_ERR_CONN_TIMEOUT);
	assert_true(sim_air_now_us(w->air) / 1000 >= cut + 20000);
	assert_true(th_wait_ev(w, a, HCI_EV_DISCONN_COMPLETE, -1, 1, &e));
	assert_int_equal(e.p[3], HCI_ERR_CONN_TIMEOUT);
	assert_int_equal(sim_ctrl_cut_link(b->c, hb, 0), L2K_ENOLINK);
	th_world_free(w);
}

static void test_cut_all_and_disconnect_over_cut_link(void **state)
{
	struct th_world *w = th_world_new("cut-all");
	struct th_host *a = host_mtu(w, SIM_TYPE_LE, 27, 4);
	struct th_host *b = host_mtu(w, SIM_TYPE_LE, 27, 4);
	uint16_t ha, hb;
	th_connect_le(w, a, b, 24, &ha, &hb);
	sim_air_cut_all(w->air, sim_air_now_us(w->air) / 1000 + 10);
	th_run_for(w, 20);
	/* Disconnect on a cut link: the terminate never arrives; supervision ends it (0x08) */
	uint8_t d[3];
	put_le16(d, ha);
	d[2] = HCI_ERR_REMOTE_USER_TERM;
	assert_int_equal(th_cmd(w, a, HCI_OP_DISCONNECT, d, 3, NULL, NULL), TH_CS(0));
	struct th_ev e = {0};
	assert_true(th_wait_ev(w, b, HCI_EV_DISCONN_COMPLETE, -1, 5000, &e));
	assert_int_equal(e.p[3], HCI_ERR_CONN_TIMEOUT);
	assert_true(th_wait_ev(w, a, HCI_EV_DISCONN_COMPLETE, -1, 1, &e));
	th_world_free(w);
}

struct lossy_result {
	uint32_t rx_pdus[2], rx_bad[2], rx_partial[2], rx_hash[2];
	uint64_t end_us;
	struct sim_link_stats ls;
};

struct sent_arg {
	struct th_host *a, *b;
	uint64_t fa, fb;
};

static bool all_completed(struct th_world *w, void *arg)
{
	struct sent_arg *s = arg;
	return s->a->nocp >= s->fa && s->b->nocp >= s->fb;
}

static struct lossy_result lossy_run(uint64_t seed, double loss, double corrupt, bool le)
{
	static uint32_t lens[300];
	uint64_t frags = 0;
	for (int i = 0; i < 300; i++) {
		lens[i] = 4 + (uint32_t)((i * 7919) % 3000);
		frags += (4 + lens[i] + 99) / 100;
	}
	struct th_world *w = th_world_new("lossy");
	sim_air_set_seed(w->air, seed);
	assert_int_equal(sim_air_set_loss(w->air, loss), 0);
	assert_int_equal(sim_air_set_corrupt(w->air, corrupt), 0);
	struct sim_ctrl_config cfg;
	sim_ctrl_config_init(&cfg, SIM_TYPE_DUAL);
	cfg.acl_mtu = cfg.le_acl_mtu = 100;
	cfg.acl_count = cfg.le_acl_count = 3;
	struct th_host *a = th_host_cfg(w, &cfg), *b = th_host_cfg(w, &cfg);
	th_bringup(w, a);
	th_bringup(w, b);
	uint16_t ha, hb;
	if (le)
		th_connect_le(w, a, b, 8, &ha, &hb);
	else
		th_connect_bredr(w, a, b, &ha, &hb);
	th_stream(a, ha, 100, 3, lens, 300);
	th_stream(b, hb, 100, 3, lens, 300);
	a->rx_lens = b->rx_lens = lens;
	a->rx_nlens = b->rx_nlens = 300;
	struct sent_arg s = {a, b, frags, frags};
	assert_true(th_run_until(w, all_completed, &s, 3600000));
	th_run_for(w, 200);
	struct lossy_result r;
	memset(&r, 0, sizeof(r));
	struct th_host *hs[2] = {a, b};
	for (int i = 0; i < 2; i++) {
		r.rx_pdus[i] = hs[i]->rx_pdus;
		r.rx_bad[i] = hs[i]->rx_bad;
		r.rx_partial[i] = hs[i]->rx_partial + hs[i]->rx_orphans;
		r.rx_hash[i] = hs[i]->rx_hash;
	}
	r.end_us = sim_air_now_us(w->air);
	assert_int_equal(sim_ctrl_link_stats(a->c, ha, &r.ls), 0);
	th_world_free(w);
	return r;
}

static void test_same_seed_gives_identical_lossy_runs(void **state)
{
	for (int le = 0; le < 2; le++) {
		struct lossy_result x = lossy_run(7, 0.1, 0.02, le);
		struct lossy_result y = lossy_run(7, 0.1, 0.02, le);
		assert_memory_equal(&x, &y, sizeof(x));
		assert_true(x.ls.pdus_dropped[0] > 0 && x.ls.packets_corrupted[0] > 0);
		struct lossy_result z = lossy_run(8, 0.1, 0.02, le);
		assert_true(memcmp(&x, &z, sizeof(x)) != 0);
	}
}

static void test_loss_drops_whole_pdus_only(void **state)
{
	struct lossy_result r = lossy_run(99, 0.2, 0.0, false);
	for (int i = 0; i < 2; i++) {
		/* what arrives is whole and correct: a lost PDU is lost from start to end */
		assert_int_equal(r.rx_bad[i], 0);
		assert_int_equal(r.rx_partial[i], 0);
		assert_int_equal(r.rx_pdus[i] + r.ls.pdus_dropped[1 - i], 300);
		assert_true(r.ls.pdus_dropped[i] >= 30 && r.ls.pdus_dropped[i] <= 90); /* ~20 % of 300 */
		assert_int_equal(r.ls.packets_corrupted[i], 0);
	}
	/* no loss: everything */
	r = lossy_run(99, 0.0, 0.0, true);
	assert_int_equal(r.rx_pdus[0], 300);
	assert_int_equal(r.rx_pdus[1], 300);
	assert_int_equal(r.ls.pdus_dropped[0] + r.ls.pdus_dropped[1], 0);
}

static void test_corruption_damages_payload(void **state)
{
	struct lossy_result r = lossy_run(5, 0.0, 0.005, false);
	for (int i = 0; i < 2; i++) {
		uint64_t hit = r.ls.packets_corrupted[1 - i];
		assert_true(hit > 0);
		/* every corrupted packet spoils at most one PDU (or its neighbour's framing) */
		assert_true(r.rx_bad[i] + r.rx_partial[i] > 0);
		assert_true(r.rx_bad[i] <= 2 * hit);
		assert_true((int64_t)r.rx_pdus[i] >= 300 - 2 * (int64_t)hit);
		assert_true(r.rx_pdus[i] < 300);
	}
}

static void test_closed_controller_drops_links_with_power_off(void **state)
{
	struct th_world *w = th_world_new("close");
	struct th_host *a = host_mtu(w, SIM_TYPE_DUAL, 1021, 8);
	struct th_host *b = host_mtu(w, SIM_TYPE_DUAL, 1021, 8);
	struct th_host *c = host_mtu(w, SIM_TYPE_DUAL, 1021, 8);
	uint16_t ha, hb, ha2, hc;
	th_connect_bredr(w, a, b, &ha, &hb);
	th_connect_le(w, a, c, 24, &ha2, &hc);
	/* b goes away mid-stream */
	static uint32_t lens[10] = {5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000};
	th_stream(a, ha, 1021, 8, lens, 10);
	th_run_for(w, 10);
	sim_ctrl_free(b->c);
	b->c = NULL;
	th_pump(w);
	struct th_ev e = {0};
	assert_true(th_take_ev(a, HCI_EV_DISCONN_COMPLETE, -1, &e));
	assert_int_equal(get_le16(e.p + 1), ha);
	assert_int_equal(e.p[3], HCI_ERR_REMOTE_POWER_OFF);
	/* a Reset of c drops its link the same way */
	assert_int_equal(th_cmd(w, c, HCI_OP_RESET, NULL, 0, NULL, NULL), 0);
	assert_true(th_take_ev(a, HCI_EV_DISCONN_COMPLETE, -1, &e));
	assert_int_equal(get_le16(e.p + 1), ha2);
	assert_int_equal(e.p[3], HCI_ERR_REMOTE_POWER_OFF);
	assert_int_equal(c->nev, 0);
	th_run_for(w, 1000);
	assert_int_equal(th_find_ev(a, HCI_EV_DISCONN_COMPLETE, -1), -1);
	/* a's controller works on: page the dead address, time out */
	uint8_t p[13] = {0};
	memcpy(p, b->addr.b, 6);
	assert_int_equal(th_cmd(w, a, HCI_OP_CREATE_CONN, p, 13, NULL, NULL), TH_CS(0));
	assert_true(th_wait_ev(w, a, HCI_EV_CONN_COMPLETE, -1, 10000, &e));
	assert_int_equal(e.p[0], HCI_ERR_PAGE_TIMEOUT);
	th_world_free(w);
}

static void test_pager_vanishing_fails_the_pending_request(void **state)
{
	struct th_world *w = th_world_new("vanish");
	struct th_host *a = host_mtu(w, SIM_TYPE_BREDR, 1021, 8);
	struct th_host *b = host_mtu(w, SIM_TYPE_BREDR, 1021, 8);
	uint8_t p[13] = {0};
	memcpy(p, b->addr.b, 6);
	assert_int_equal(th_cmd(w, a, HCI_OP_CREATE_CONN, p, 13, NULL, NULL), TH_CS(0));
	assert_true(th_wait_ev(w, b, HCI_EV_CONN_REQUEST, -1, 100, NULL));
	sim_ctrl_free(a->c);
	a->c = NULL;
	th_pump(w);
	struct th_ev e = {0};
	assert_true(th_take_ev(b, HCI_EV_CONN_COMPLETE, -1, &e));
	assert_int_equal(e.p[0], HCI_ERR_CONN_TIMEOUT);
	th_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cut_le_link_times_out_on_both_sides),
		cmocka_unit_test(test_cut_bredr_link_times_out_after_20_s),
		cmocka_unit_test(test_cut_all_and_disconnect_over_cut_link),
		cmocka_unit_test(test_same_seed_gives_identical_lossy_runs),
		cmocka_unit_test(test_loss_drops_whole_pdus_only),
		cmocka_unit_test(test_corruption_damages_payload),
		cmocka_unit_test(test_closed_controller_drops_links_with_power_off),
		cmocka_unit_test(test_pager_vanishing_fails_the_pending_request),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
