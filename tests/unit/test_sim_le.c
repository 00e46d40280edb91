/* Simulated LE link management: advertising and scanning with reports, LE Create Connection
 * (+ Cancel), connection update with the remote connection parameter request, data length
 * update, LE remote features. */
#include "test_sim_harness.h"

static struct th_world *two(const char *name, struct th_host **a, struct th_host **b)
{
	struct th_world *w = th_world_new(name);
	*a = th_host(w, SIM_TYPE_LE);
	*b = th_host(w, SIM_TYPE_DUAL);
	th_bringup(w, *a);
	th_bringup(w, *b);
	return w;
}

static void test_advertising_reaches_scanner_as_reports(void **state)
{
	struct th_host *a, *b;
	struct th_world *w = two("le-adv", &a, &b);
	uint8_t ap[15] = {0xA0, 0, 0xA0, 0, 0x00 /* ADV_IND */, 0, 0, 0, 0, 0, 0, 0, 0, 0x07, 0};
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_SET_ADV_PARAMS, ap, 15, NULL, NULL), 0);
	uint8_t ad[32] = {5, 4, 0x09, 'S', 'I', 'M'};
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_SET_ADV_DATA, ad, 32, NULL, NULL), 0);
	uint8_t sr[32] = {3, 2, 0x0A, 0x00};
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_SET_SCAN_RSP_DATA, sr, 32, NULL, NULL), 0);
	uint8_t too_long[32] = {32};
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_SET_ADV_DATA, too_long, 32, NULL, NULL), HCI_ERR_INVALID_PARAMS);
	uint8_t on = 1;
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_SET_ADV_ENABLE, &on, 1, NULL, NULL), 0);
	/* parameters cannot change while advertising */
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_SET_ADV_PARAMS, ap, 15, NULL, NULL), HCI_ERR_COMMAND_DISALLOWED);
	uint8_t sp[7] = {0x01 /* active */, 0x10, 0, 0x10, 0, 0, 0};
	assert_int_equal(th_cmd(w, a, HCI_OP_LE_SET_SCAN_PARAMS, sp, 7, NULL, NULL), 0);
	uint8_t se[2] = {1, 0}; /* no duplicate filter */
	assert_int_equal(th_cmd(w, a, HCI_OP_LE_SET_SCAN_ENABLE, se, 2, NULL, NULL), 0);
	th_run_for(w, 1000); /* 100 ms interval: ~10 advertising events */
	unsigned adv = 0, rsp = 0;
	struct th_ev e = {0};
	while (th_take_ev(a, HCI_EV_LE_META, HCI_LE_ADV_REPORT, &e)) {
		assert_int_equal(e.p[1], 1); /* one report */
		assert_memory_equal(e.p + 4, b->addr.b, 6);
		assert_int_equal(e.p[3], 0x00); /* public */
		uint8_t len = e.p[10];
		assert_int_equal(e.plen, 12 + len);
		if (e.p[2] == 0x00) {
			adv++;
			assert_int_equal(len, 5);
			assert_memory_equal(e.p + 11, ad + 1, 5);
		} else {
			assert_int_equal(e.p[2], 0x04); /* SCAN_RSP */
			rsp++;
			assert_int_equal(len, 3);
		}
	}
	assert_true(adv >= 9 && adv <= 11);
	assert_int_equal(rsp, adv);
	/* with duplicate filtering: one of each */
	se[0] = 0;
	assert_int_equal(th_cmd(w, a, HCI_OP_LE_SET_SCAN_ENABLE, se, 2, NULL, NULL), 0);
	se[0] = 1;
	se[1] = 1;
	assert_int_equal(th_cmd(w, a, HCI_OP_LE_SET_SCAN_ENABLE, se, 2, NULL, NULL), 0);
	th_run_for(w, 1000);
	assert_true(th_take_ev(a, HCI_EV_LE_META, HCI_LE_ADV_REPORT, NULL));
	assert_true(th_take_ev(a, HCI_EV_LE_META, HCI_LE_ADV_REPORT, NULL));
	assert_false(th_take_ev(a, HCI_EV_LE_META, HCI_LE_ADV_REPORT, NULL));
	/* scanning off: nothing */
	se[0] = 0;
	assert_int_equal(th_cmd(w, a, HCI_OP_LE_SET_SCAN_ENABLE, se, 2, NULL, NULL), 0);
	th_run_for(w, 1000);
	assert_false(th_take_ev(a, HCI_EV_LE_META, HCI_LE_ADV_REPORT, NULL));
	th_world_free(w);
}

static void test_le_create_connection_completes_on_both_sides(void **state)
{
	struct th_host *a, *b;
	struct th_world *w = two("le-conn", &a, &b);
	uint16_t ha, hb;
	th_connect_le(w, a, b, 24, &ha, &hb);
	/* advertising stopped with the connection: a scanner hears nothing */
	struct th_host *c = th_host(w, SIM_TYPE_LE);
	th_bringup(w, c);
	uint8_t se[2] = {1, 0};
	assert_int_equal(th_cmd(w, c, HCI_OP_LE_SET_SCAN_ENABLE, se, 2, NULL, NULL), 0);
	th_run_for(w, 500);
	assert_false(th_take_ev(c, HCI_EV_LE_META, HCI_LE_ADV_REPORT, NULL));
	/* disconnect from the peripheral side */
	uint8_t d[3];
	put_le16(d, hb);
	d[2] = HCI_ERR_REMOTE_USER_TERM;
	assert_int_equal(th_cmd(w, b, HCI_OP_DISCONNECT, d, 3, NULL, NULL), TH_CS(0));
	struct th_ev e = {0};
	assert_true(th_wait_ev(w, a, HCI_EV_DISCONN_COMPLETE, -1, 200, &e));
	assert_int_equal(get_le16(e.p + 1), ha);
	assert_int_equal(e.p[3], HCI_ERR_REMOTE_USER_TERM);
	assert_true(th_wait_ev(w, b, HCI_EV_DISCONN_COMPLETE, -1, 200, &e));
	assert_int_equal(e.p[3], HCI_ERR_LOCAL_HOST_TERM);
	th_world_free(w);
}

static void test_le_create_connection_waits_for_advertiser_and_cancels(void **state)
{
	struct th_host *a, *b;
	struct th_world *w = two("le-wait", &a, &b);
	uint8_t cp[25] = {0};
	put_le16(cp, 0x60);
	put_le16(cp + 2, 0x30);
	memcpy(cp + 6, b->addr.b, 6);
	put_le16(cp + 13, 6);
	put_le16(cp + 15, 6);
	put_le16(cp + 19, 100);
	/* supervision timeout too short for the interval: invalid */
	put_le16(cp + 19, 1);
	assert_int_equal(th_cmd(w, a, HCI_OP_LE_CREATE_CONN, cp, 25, NULL, NULL), TH_CS(HCI_ERR_INVALID_PARAMS));
	put_le16(cp + 19, 100);
	assert_int_equal(th_cmd(w, a, HCI_OP_LE_CREATE_CONN, cp, 25, NULL, NULL), TH_CS(0));
	assert_int_equal(th_cmd(w, a, HCI_OP_LE_CREATE_CONN, cp, 25, NULL, NULL), TH_CS(HCI_ERR_COMMAND_DISALLOWED));
	th_run_for(w, 3000);
	assert_int_equal(th_find_ev(a, HCI_EV_LE_META, -1), -1); /* nobody advertises */
	uint8_t on = 1;
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_SET_ADV_ENABLE, &on, 1, NULL, NULL), 0);
	struct th_ev e = {0};
	assert_true(th_wait_ev(w, a, HCI_EV_LE_META, HCI_LE_CONN_COMPLETE, 100, &e));
	assert_int_equal(e.p[1], 0);
	assert_int_equal(get_le16(e.p + 12), 6); /* the minimum interval */
	assert_int_equal(get_le16(e.p + 16), 100);
	assert_true(th_wait_ev(w, b, HCI_EV_LE_META, HCI_LE_CONN_COMPLETE, 100, &e));
	/* cancel of a pending create */
	assert_int_equal(th_cmd(w, a, HCI_OP_LE_CREATE_CONN, cp, 25, NULL, NULL), TH_CS(0));
	assert_int_equal(th_cmd(w, a, HCI_OP_LE_CREATE_CONN_CANCEL, NULL, 0, NULL, NULL), 0);
	assert_true(th_wait_ev(w, a, HCI_EV_LE_META, HCI_LE_CONN_COMPLETE, 100, &e));
	assert_int_equal(e.p[1], HCI_ERR_UNKNOWN_CONN_ID);
	th_world_free(w);
}

/* A controller holds le_max_conn LE connections.  Like a real one it refuses what needs room
 * for one more: connectable advertising (LE Set Advertising Enable) and LE Create Connection
 * answer Connection Limit Exceeded; connectable advertising and a pending create each hold the
 * room of the connection they may end in; non-connectable advertising is not limited. */
static void test_connection_limit_refuses_connectable_advertising_and_create(void **state)
{
	struct th_world *w = th_world_new("le-limit");
	struct sim_ctrl_config cfg;
	sim_ctrl_config_init(&cfg, SIM_TYPE_LE);
	cfg.le_max_conn = 1;
	struct th_host *b = th_host_cfg(w, &cfg);
	struct th_host *a = th_host(w, SIM_TYPE_LE);
	struct th_host *c = th_host(w, SIM_TYPE_LE);
	th_bringup(w, a);
	th_bringup(w, b);
	th_bringup(w, c);
	uint16_t ha, hb;
	th_connect_le(w, a, b, 24, &ha, &hb);
	uint8_t on = 1, off = 0;
	/* full: no connectable advertising (the parameters stay ADV_IND from th_connect_le) */
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_SET_ADV_ENABLE, &on, 1, NULL, NULL), HCI_ERR_CONN_LIMIT);
	/* ... and no LE Create Connection (c advertises, it has room) */
	assert_int_equal(th_cmd(w, c, HCI_OP_LE_SET_ADV_PARAMS,
				(uint8_t[15]){0x20, 0, 0x20, 0, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x07, 0}, 15, NULL, NULL),
			 0);
	assert_int_equal(th_cmd(w, c, HCI_OP_LE_SET_ADV_ENABLE, &on, 1, NULL, NULL), 0);
	uint8_t cp[25] = {0};
	put_le16(cp, 0x60);
	put_le16(cp + 2, 0x30);
	memcpy(cp + 6, c->addr.b, 6);
	put_le16(cp + 13, 24);
	put_le16(cp + 15, 24);
	put_le16(cp + 19, 0x100);
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_CREATE_CONN, cp, 25, NULL, NULL), TH_CS(HCI_ERR_CONN_LIMIT));
	/* non-connectable advertising needs no room */
	uint8_t nc[15] = {0x20, 0, 0x20, 0, 0x03 /* ADV_NONCONN_IND */, 0, 0, 0, 0, 0, 0, 0, 0, 0x07, 0};
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_SET_ADV_PARAMS, nc, 15, NULL, NULL), 0);
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_SET_ADV_ENABLE, &on, 1, NULL, NULL), 0);
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_SET_ADV_ENABLE, &off, 1, NULL, NULL), 0);
	/* the link goes: room again */
	uint8_t d[3];
	put_le16(d, ha);
	d[2] = HCI_ERR_REMOTE_USER_TERM;
	assert_int_equal(th_cmd(w, a, HCI_OP_DISCONNECT, d, 3, NULL, NULL), TH_CS(0));
	assert_true(th_wait_ev(w, b, HCI_EV_DISCONN_COMPLETE, -1, 500, NULL));
	uint8_t ap[15] = {0x20, 0, 0x20, 0, 0x00 /* ADV_IND */, 0, 0, 0, 0, 0, 0, 0, 0, 0x07, 0};
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_SET_ADV_PARAMS, ap, 15, NULL, NULL), 0);
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_SET_ADV_ENABLE, &on, 1, NULL, NULL), 0);
	/* connectable advertising holds the one room: no create meanwhile, and the reverse */
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_CREATE_CONN, cp, 25, NULL, NULL), TH_CS(HCI_ERR_CONN_LIMIT));
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_SET_ADV_ENABLE, &off, 1, NULL, NULL), 0);
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_CREATE_CONN, cp, 25, NULL, NULL), TH_CS(0));
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_SET_ADV_ENABLE, &on, 1, NULL, NULL), HCI_ERR_CONN_LIMIT);
	struct th_ev e = {0};
	assert_true(th_wait_ev(w, b, HCI_EV_LE_META, HCI_LE_CONN_COMPLETE, 500, &e));
	assert_int_equal(e.p[1], 0);
	assert_int_equal(e.p[4], 0x00); /* b is the central of this one */
	th_world_free(w);
}

/* A connection whose central's controller goes away while it is being set up ends the
 * advertiser's connectable advertising all the same (it stopped at CONNECT_IND); the
 * advertiser's host learns it from LE Connection Complete with Connection Failed to be
 * Established, whose Role tells it was the peripheral. */
static void test_failed_setup_reports_peripheral_role(void **state)
{
	struct th_host *a, *b;
	struct th_world *w = two("le-setup-fail", &a, &b);
	uint8_t ap[15] = {0x20, 0, 0x20, 0, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x07, 0};
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_SET_ADV_PARAMS, ap, 15, NULL, NULL), 0);
	uint8_t cp[25] = {0};
	put_le16(cp, 0x60);
	put_le16(cp + 2, 0x30);
	memcpy(cp + 6, b->addr.b, 6);
	put_le16(cp + 13, 24);
	put_le16(cp + 15, 24);
	put_le16(cp + 19, 0x100);
	assert_int_equal(th_cmd(w, a, HCI_OP_LE_CREATE_CONN, cp, 25, NULL, NULL), TH_CS(0));
	uint8_t on = 1;
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_SET_ADV_ENABLE, &on, 1, NULL, NULL), 0);
	/* the first advertising event (now) carries the CONNECT_IND; completion is 1.25 ms away */
	sim_air_advance_us(w->air, sim_air_now_us(w->air));
	sim_ctrl_free(a->c);
	a->c = NULL;
	struct th_ev e = {0};
	assert_true(th_wait_ev(w, b, HCI_EV_LE_META, HCI_LE_CONN_COMPLETE, 100, &e));
	assert_int_equal(e.p[1], HCI_ERR_CONN_FAILED_ESTABLISH);
	assert_int_equal(e.p[4], 0x01); /* peripheral */
	/* advertising had stopped: a scanner hears nothing until b's host enables it again */
	struct th_host *c = th_host(w, SIM_TYPE_LE);
	th_bringup(w, c);
	uint8_t se[2] = {1, 0};
	assert_int_equal(th_cmd(w, c, HCI_OP_LE_SET_SCAN_ENABLE, se, 2, NULL, NULL), 0);
	th_run_for(w, 300);
	assert_false(th_take_ev(c, HCI_EV_LE_META, HCI_LE_ADV_REPORT, NULL));
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_SET_ADV_ENABLE, &on, 1, NULL, NULL), 0);
	th_run_for(w, 300);
	assert_true(th_take_ev(c, HCI_EV_LE_META, HCI_LE_ADV_REPORT, NULL));
	th_world_free(w);
}

static void conn_update(struct th_world *w, struct th_host *h, uint16_t handle, uint16_t itv, int expect)
{
	uint8_t p[14] = {0};
	put_le16(p, handle);
	put_le16(p + 2, itv);
	put_le16(p + 4, itv);
	put_le16(p + 6, 0);
	put_le16(p + 8, 200);
	assert_int_equal(th_cmd(w, h, HCI_OP_LE_CONN_UPDATE, p, 14, NULL, NULL), expect);
}

static void test_connection_update_through_remote_parameter_request(void **state)
{
	struct th_host *a, *b;
	struct th_world *w = two("le-upd", &a, &b);
	uint16_t ha, hb;
	th_connect_le(w, a, b, 24, &ha, &hb);
	/* central asks for 40 (50 ms); the peripheral host is asked and offers 36..40 */
	conn_update(w, a, ha, 40, TH_CS(0));
	conn_update(w, a, ha, 40, TH_CS(HCI_ERR_COMMAND_DISALLOWED)); /* one at a time */
	struct th_ev e = {0};
	assert_true(th_wait_ev(w, b, HCI_EV_LE_META, HCI_LE_REMOTE_CONN_PARAM_REQ, 200, &e));
	assert_int_equal(e.plen, 11);
	assert_int_equal(get_le16(e.p + 1), hb);
	assert_int_equal(get_le16(e.p + 3), 40);
	assert_int_equal(get_le16(e.p + 9), 200);
	uint8_t rp[14] = {0};
	put_le16(rp, hb);
	put_le16(rp + 2, 36);
	put_le16(rp + 4, 40);
	put_le16(rp + 8, 200);
	uint8_t r[8];
	size_t rl;
	/* the central cannot answer its own request */
	put_le16(rp, ha);
	assert_int_equal(th_cmd(w, a, HCI_OP_LE_REMOTE_CONN_PARAM_REPLY, rp, 14, r, &rl), HCI_ERR_COMMAND_DISALLOWED);
	put_le16(rp, hb);
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_REMOTE_CONN_PARAM_REPLY, rp, 14, r, &rl), 0);
	assert_int_equal(rl, 3);
	assert_int_equal(get_le16(r + 1), hb);
	assert_true(th_wait_ev(w, a, HCI_EV_LE_META, HCI_LE_CONN_UPDATE_COMPLETE, 2000, &e));
	assert_int_equal(e.plen, 10);
	assert_int_equal(e.p[1], 0);
	assert_int_equal(get_le16(e.p + 2), ha);
	assert_int_equal(get_le16(e.p + 4), 36);
	assert_int_equal(get_le16(e.p + 8), 200);
	assert_true(th_wait_ev(w, b, HCI_EV_LE_META, HCI_LE_CONN_UPDATE_COMPLETE, 10, &e));
	assert_int_equal(get_le16(e.p + 4), 36);

	/* peripheral asks; central's host refuses */
	conn_update(w, b, hb, 80, TH_CS(0));
	assert_true(th_wait_ev(w, a, HCI_EV_LE_META, HCI_LE_REMOTE_CONN_PARAM_REQ, 500, &e));
	uint8_t nr[3];
	put_le16(nr, ha);
	nr[2] = HCI_ERR_UNACCEPTABLE_CONN_PARAMS;
	assert_int_equal(th_cmd(w, a, HCI_OP_LE_REMOTE_CONN_PARAM_NEG_REPLY, nr, 3, r, &rl), 0);
	assert_true(th_wait_ev(w, b, HCI_EV_LE_META, HCI_LE_CONN_UPDATE_COMPLETE, 500, &e));
	assert_int_equal(e.p[1], HCI_ERR_UNACCEPTABLE_CONN_PARAMS);
	assert_int_equal(get_le16(e.p + 4), 36); /* unchanged */
	th_run_for(w, 500);
	assert_false(th_take_ev(a, HCI_EV_LE_META, HCI_LE_CONN_UPDATE_COMPLETE, NULL));

	/* the central's host masked the request event: the peripheral's attempt is rejected with
	 * Unsupported Remote Feature; the central's own update falls back to a direct update */
	uint8_t lm[8] = {0x1F, 0, 0, 0, 0, 0, 0, 0};
	assert_int_equal(th_cmd(w, a, HCI_OP_LE_SET_EVENT_MASK, lm, 8, NULL, NULL), 0);
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_SET_EVENT_MASK, lm, 8, NULL, NULL), 0);
	conn_update(w, b, hb, 80, TH_CS(0));
	assert_true(th_wait_ev(w, b, HCI_EV_LE_META, HCI_LE_CONN_UPDATE_COMPLETE, 500, &e));
	assert_int_equal(e.p[1], HCI_ERR_UNSUPPORTED_REMOTE);
	conn_update(w, a, ha, 80, TH_CS(0));
	assert_true(th_wait_ev(w, a, HCI_EV_LE_META, HCI_LE_CONN_UPDATE_COMPLETE, 1000, &e));
	assert_int_equal(e.p[1], 0);
	assert_int_equal(get_le16(e.p + 4), 80);
	assert_true(th_wait_ev(w, b, HCI_EV_LE_META, HCI_LE_CONN_UPDATE_COMPLETE, 10, &e));
	assert_int_equal(get_le16(e.p + 4), 80);
	/* invalid parameters */
	conn_update(w, a, ha, 3, TH_CS(HCI_ERR_INVALID_PARAMS));
	conn_update(w, a, 0x0777, 40, TH_CS(HCI_ERR_UNKNOWN_CONN_ID));
	th_world_free(w);
}

static void test_data_length_change_reported_on_both_sides(void **state)
{
	struct th_host *a, *b;
	struct th_world *w = two("le-dle", &a, &b);
	uint16_t ha, hb;
	th_connect_le(w, a, b, 24, &ha, &hb);
	th_set_data_len(w, a, ha, 251);
	struct th_ev e = {0};
	assert_true(th_wait_ev(w, a, HCI_EV_LE_META, HCI_LE_DATA_LENGTH_CHANGE, 500, &e));
	assert_int_equal(e.plen, 11);
	assert_int_equal(get_le16(e.p + 1), ha);
	assert_int_equal(get_le16(e.p + 3), 251); /* MaxTxOctets */
	assert_int_equal(get_le16(e.p + 7), 27);  /* MaxRxOctets */
	assert_true(th_wait_ev(w, b, HCI_EV_LE_META, HCI_LE_DATA_LENGTH_CHANGE, 10, &e));
	assert_int_equal(get_le16(e.p + 1), hb);
	assert_int_equal(get_le16(e.p + 3), 27);
	assert_int_equal(get_le16(e.p + 7), 251);
	/* out of range */
	uint8_t p[6];
	put_le16(p, ha);
	put_le16(p + 2, 300);
	put_le16(p + 4, 0x0848);
	assert_int_equal(th_cmd(w, a, HCI_OP_LE_SET_DATA_LENGTH, p, 6, NULL, NULL), HCI_ERR_INVALID_PARAMS);
	/* a suggested default applies to new connections */
	uint8_t dd[4] = {200, 0, 0x48, 0x08};
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_WRITE_DEFAULT_DATA_LENGTH, dd, 4, NULL, NULL), 0);
	uint8_t r[8];
	size_t rl;
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_READ_DEFAULT_DATA_LENGTH, NULL, 0, r, &rl), 0);
	assert_int_equal(get_le16(r + 1), 200);
	th_world_free(w);
}

static void test_le_remote_features(void **state)
{
	struct th_host *a, *b;
	struct th_world *w = two("le-feat", &a, &b);
	uint16_t ha, hb;
	th_connect_le(w, a, b, 24, &ha, &hb);
	uint8_t p[2];
	put_le16(p, hb); /* peripheral-initiated features exchange is supported */
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_READ_REMOTE_FEATURES, p, 2, NULL, NULL), TH_CS(0));
	struct th_ev e = {0};
	assert_true(th_wait_ev(w, b, HCI_EV_LE_META, HCI_LE_REMOTE_FEATURES, 500, &e));
	assert_int_equal(e.plen, 12);
	assert_int_equal(e.p[1], 0);
	assert_int_equal(get_le16(e.p + 2), hb);
	assert_true(e.p[4] & 0x20);
	/* BR/EDR Read Remote Features is not for LE handles */
	put_le16(p, ha);
	assert_int_equal(th_cmd(w, a, HCI_OP_READ_REMOTE_VERSION, p, 2, NULL, NULL), TH_CS(0));
	assert_true(th_wait_ev(w, a, HCI_EV_REMOTE_VERSION, -1, 500, &e));
	th_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_advertising_reaches_scanner_as_reports),
		cmocka_unit_test(test_le_create_connection_completes_on_both_sides),
		cmocka_unit_test(test_le_create_connection_waits_for_advertiser_and_cancels),
		cmocka_unit_test(test_connection_limit_refuses_connectable_advertising_and_create),
		cmocka_unit_test(test_failed_setup_reports_peripheral_role),
		cmocka_unit_test(test_connection_update_through_remote_parameter_request),
		cmocka_unit_test(test_data_length_change_reported_on_both_sides),
		cmocka_unit_test(test_le_remote_features),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
