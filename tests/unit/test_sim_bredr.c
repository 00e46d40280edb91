/* Simulated BR/EDR link management: page, Connection Request, accept / reject / cancel, page
 * and accept timeouts, role switch, disconnect, remote version and features. */
#include "test_sim_harness.h"

static struct th_world *two(const char *name, struct th_host **a, struct th_host **b)
{
	struct th_world *w = th_world_new(name);
	*a = th_host(w, SIM_TYPE_BREDR);
	*b = th_host(w, SIM_TYPE_DUAL);
	th_bringup(w, *a);
	th_bringup(w, *b);
	return w;
}

static void create_conn(struct th_world *w, struct th_host *a, const hci_bdaddr_t *to, uint8_t role_switch)
{
	uint8_t p[13] = {0};
	memcpy(p, to->b, 6);
	put_le16(p + 6, 0xCC18);
	p[12] = role_switch;
	assert_int_equal(th_cmd(w, a, HCI_OP_CREATE_CONN, p, 13, NULL, NULL), TH_CS(0));
}

static void test_page_accept_gives_connection_complete_on_both_sides(void **state)
{
	struct th_host *a, *b;
	struct th_world *w = two("br-accept", &a, &b);
	uint8_t cod[3] = {0x0C, 0x02, 0x5A};
	assert_int_equal(th_cmd(w, a, HCI_OP_WRITE_CLASS_OF_DEV, cod, 3, NULL, NULL), 0);
	create_conn(w, a, &b->addr, 1);
	struct th_ev e = {0};
	assert_true(th_wait_ev(w, b, HCI_EV_CONN_REQUEST, -1, 100, &e));
	assert_int_equal(e.plen, 10);
	assert_memory_equal(e.p, a->addr.b, 6);
	assert_memory_equal(e.p + 6, cod, 3);
	assert_int_equal(e.p[9], 0x01);
	assert_int_equal(th_find_ev(a, HCI_EV_CONN_COMPLETE, -1), -1);
	/* a second page to the same device while one runs is refused */
	uint8_t p[13] = {0};
	memcpy(p, b->addr.b, 6);
	assert_int_equal(th_cmd(w, a, HCI_OP_CREATE_CONN, p, 13, NULL, NULL), TH_CS(HCI_ERR_COMMAND_DISALLOWED));
	uint8_t acc[7];
	memcpy(acc, a->addr.b, 6);
	acc[6] = 0x01; /* remain peripheral */
	assert_int_equal(th_cmd(w, b, HCI_OP_ACCEPT_CONN_REQ, acc, 7, NULL, NULL), TH_CS(0));
	assert_true(th_wait_ev(w, a, HCI_EV_CONN_COMPLETE, -1, 100, &e));
	assert_int_equal(e.plen, 11);
	assert_int_equal(e.p[0], 0);
	uint16_t ha = get_le16(e.p + 1);
	assert_true(ha <= HCI_MAX_HANDLE);
	assert_memory_equal(e.p + 3, b->addr.b, 6);
	assert_int_equal(e.p[9], 0x01);
	assert_true(th_wait_ev(w, b, HCI_EV_CONN_COMPLETE, -1, 100, &e));
	assert_int_equal(e.p[0], 0);
	uint16_t hb = get_le16(e.p + 1);
	assert_memory_equal(e.p + 3, a->addr.b, 6);
	assert_int_equal(th_find_ev(a, HCI_EV_ROLE_CHANGE, -1), -1); /* no switch asked */
	/* connecting again is refused: the ACL exists */
	assert_int_equal(th_cmd(w, a, HCI_OP_CREATE_CONN, p, 13, NULL, NULL), TH_CS(HCI_ERR_ACL_EXISTS));
	/* disconnect: local Connection Terminated By Local Host, remote gets the reason */
	uint8_t d[3];
	put_le16(d, ha);
	d[2] = HCI_ERR_REMOTE_USER_TERM;
	assert_int_equal(th_cmd(w, a, HCI_OP_DISCONNECT, d, 3, NULL, NULL), TH_CS(0));
	assert_true(th_wait_ev(w, a, HCI_EV_DISCONN_COMPLETE, -1, 100, &e));
	assert_int_equal(e.plen, 4);
	assert_int_equal(e.p[0], 0);
	assert_int_equal(get_le16(e.p + 1), ha);
	assert_int_equal(e.p[3], HCI_ERR_LOCAL_HOST_TERM);
	assert_true(th_wait_ev(w, b, HCI_EV_DISCONN_COMPLETE, -1, 100, &e));
	assert_int_equal(get_le16(e.p + 1), hb);
	assert_int_equal(e.p[3], HCI_ERR_REMOTE_USER_TERM);
	/* the handle is gone */
	assert_int_equal(th_cmd(w, a, HCI_OP_DISCONNECT, d, 3, NULL, NULL), TH_CS(HCI_ERR_UNKNOWN_CONN_ID));
	th_world_free(w);
}

static void test_role_switch_on_accept_sends_role_change_first(void **state)
{
	struct th_host *a, *b;
	struct th_world *w = two("br-role", &a, &b);
	create_conn(w, a, &b->addr, 1);
	assert_true(th_wait_ev(w, b, HCI_EV_CONN_REQUEST, -1, 100, NULL));
	uint8_t acc[7];
	memcpy(acc, a->addr.b, 6);
	acc[6] = 0x00; /* become central */
	assert_int_equal(th_cmd(w, b, HCI_OP_ACCEPT_CONN_REQ, acc, 7, NULL, NULL), TH_CS(0));
	assert_true(th_run_until(w, NULL, NULL, 100));
	int rc = th_find_ev(a, HCI_EV_ROLE_CHANGE, -1), cc = th_find_ev(a, HCI_EV_CONN_COMPLETE, -1);
	assert_true(rc >= 0 && cc > rc);
	assert_int_equal(a->ev[rc].p[7], 0x01); /* the pager is now peripheral */
	rc = th_find_ev(b, HCI_EV_ROLE_CHANGE, -1);
	assert_true(rc >= 0);
	assert_int_equal(b->ev[rc].p[7], 0x00);
	assert_memory_equal(b->ev[rc].p + 1, a->addr.b, 6);
	th_world_free(w);
}

static void test_page_timeout_when_nobody_page_scans(void **state)
{
	struct th_host *a, *b;
	struct th_world *w = two("br-pto", &a, &b);
	uint8_t off = 0;
	assert_int_equal(th_cmd(w, b, HCI_OP_WRITE_SCAN_ENABLE, &off, 1, NULL, NULL), 0);
	uint8_t pto[2];
	put_le16(pto, 0x0640); /* 1 s */
	assert_int_equal(th_cmd(w, a, HCI_OP_WRITE_PAGE_TIMEOUT, pto, 2, NULL, NULL), 0);
	uint64_t t0 = sim_air_now_us(w->air);
	create_conn(w, a, &b->addr, 0);
	struct th_ev e = {0};
	assert_true(th_wait_ev(w, a, HCI_EV_CONN_COMPLETE, -1, 5000, &e));
	assert_int_equal(e.p[0], HCI_ERR_PAGE_TIMEOUT);
	assert_memory_equal(e.p + 3, b->addr.b, 6);
	uint64_t dt = sim_air_now_us(w->air) - t0;
	assert_true(dt >= 1000000 && dt <= 1001000);
	assert_int_equal(th_find_ev(b, HCI_EV_CONN_REQUEST, -1), -1);
	/* an address nobody has: same answer */
	hci_bdaddr_t none = {{1, 2, 3, 4, 5, 6}};
	create_conn(w, a, &none, 0);
	assert_true(th_wait_ev(w, a, HCI_EV_CONN_COMPLETE, -1, 5000, &e));
	assert_int_equal(e.p[0], HCI_ERR_PAGE_TIMEOUT);
	th_world_free(w);
}

static void test_reject_and_accept_timeout_fail_both_sides(void **state)
{
	struct th_host *a, *b;
	struct th_world *w = two("br-reject", &a, &b);
	create_conn(w, a, &b->addr, 0);
	assert_true(th_wait_ev(w, b, HCI_EV_CONN_REQUEST, -1, 100, NULL));
	uint8_t rej[7];
	memcpy(rej, a->addr.b, 6);
	rej[6] = 0x20; /* not a rejection reason */
	assert_int_equal(th_cmd(w, b, HCI_OP_REJECT_CONN_REQ, rej, 7, NULL, NULL), TH_CS(HCI_ERR_INVALID_PARAMS));
	rej[6] = HCI_ERR_REJ_SECURITY;
	assert_int_equal(th_cmd(w, b, HCI_OP_REJECT_CONN_REQ, rej, 7, NULL, NULL), TH_CS(0));
	struct th_ev e = {0};
	assert_true(th_wait_ev(w, a, HCI_EV_CONN_COMPLETE, -1, 100, &e));
	assert_int_equal(e.p[0], HCI_ERR_REJ_SECURITY);
	assert_true(th_wait_ev(w, b, HCI_EV_CONN_COMPLETE, -1, 100, &e));
	assert_int_equal(e.p[0], HCI_ERR_REJ_SECURITY);
	/* nobody answers the request: Connection Accept Timeout Exceeded on both sides */
	create_conn(w, a, &b->addr, 0);
	assert_true(th_wait_ev(w, b, HCI_EV_CONN_REQUEST, -1, 100, NULL));
	assert_true(th_wait_ev(w, a, HCI_EV_CONN_COMPLETE, -1, 10000, &e));
	assert_int_equal(e.p[0], HCI_ERR_ACCEPT_TIMEOUT);
	assert_true(th_wait_ev(w, b, HCI_EV_CONN_COMPLETE, -1, 10, &e));
	assert_int_equal(e.p[0], HCI_ERR_ACCEPT_TIMEOUT);
	/* accepting an unknown request */
	assert_int_equal(th_cmd(w, b, HCI_OP_ACCEPT_CONN_REQ, rej, 7, NULL, NULL), TH_CS(HCI_ERR_UNKNOWN_CONN_ID));
	th_world_free(w);
}

static void test_create_connection_cancel(void **state)
{
	struct th_host *a, *b;
	struct th_world *w = two("br-cancel", &a, &b);
	uint8_t r[16];
	size_t rl;
	/* nothing to cancel */
	assert_int_equal(th_cmd(w, a, HCI_OP_CREATE_CONN_CANCEL, b->addr.b, 6, r, &rl), HCI_ERR_UNKNOWN_CONN_ID);
	assert_int_equal(rl, 7);
	create_conn(w, a, &b->addr, 0);
	assert_int_equal(th_cmd(w, a, HCI_OP_CREATE_CONN_CANCEL, b->addr.b, 6, r, &rl), 0);
	assert_memory_equal(r + 1, b->addr.b, 6);
	struct th_ev e = {0};
	assert_true(th_wait_ev(w, a, HCI_EV_CONN_COMPLETE, -1, 100, &e));
	assert_int_equal(e.p[0], HCI_ERR_UNKNOWN_CONN_ID); /* Vol 4 Part E 7.1.7 */
	th_run_for(w, 100);
	assert_int_equal(th_find_ev(b, HCI_EV_CONN_REQUEST, -1), -1);
	/* after the connection exists: ACL Connection Already Exists */
	uint16_t ha, hb;
	th_connect_bredr(w, a, b, &ha, &hb);
	assert_int_equal(th_cmd(w, a, HCI_OP_CREATE_CONN_CANCEL, b->addr.b, 6, r, &rl), HCI_ERR_ACL_EXISTS);
	th_world_free(w);
}

static void test_remote_version_and_features(void **state)
{
	struct th_host *a, *b;
	struct th_world *w = two("br-remote", &a, &b);
	uint16_t ha, hb;
	th_connect_bredr(w, a, b, &ha, &hb);
	uint8_t p[2];
	put_le16(p, ha);
	assert_int_equal(th_cmd(w, a, HCI_OP_READ_REMOTE_VERSION, p, 2, NULL, NULL), TH_CS(0));
	assert_int_equal(th_cmd(w, a, HCI_OP_READ_REMOTE_FEATURES, p, 2, NULL, NULL), TH_CS(0));
	struct th_ev e = {0};
	assert_true(th_wait_ev(w, a, HCI_EV_REMOTE_VERSION, -1, 100, &e));
	assert_int_equal(e.plen, 8);
	assert_int_equal(e.p[0], 0);
	assert_int_equal(get_le16(e.p + 1), ha);
	assert_int_equal(get_le16(e.p + 4), 0xFFFF);
	assert_true(th_wait_ev(w, a, HCI_EV_REMOTE_FEATURES, -1, 100, &e));
	assert_int_equal(e.plen, 11);
	/* b is dual mode: LE Supported (Controller) set, BR/EDR Not Supported clear */
	assert_true(hci_bit_test(e.p + 3, 8, HCI_FEAT_LE_SUPPORTED_CTRL));
	assert_false(hci_bit_test(e.p + 3, 8, HCI_FEAT_BREDR_NOT_SUPPORTED));
	put_le16(p, 0x0ABC);
	assert_int_equal(th_cmd(w, a, HCI_OP_READ_REMOTE_VERSION, p, 2, NULL, NULL), TH_CS(HCI_ERR_UNKNOWN_CONN_ID));
	th_world_free(w);
}

static void test_masked_disconnection_complete_is_not_sent(void **state)
{
	struct th_host *a, *b;
	struct th_world *w = two("br-mask", &a, &b);
	uint16_t ha, hb;
	th_connect_bredr(w, a, b, &ha, &hb);
	uint8_t m[8] = {0xEF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0, 0}; /* bit 4 (Disconnection Complete) off */
	assert_int_equal(th_cmd(w, b, HCI_OP_SET_EVENT_MASK, m, 8, NULL, NULL), 0);
	uint8_t d[3];
	put_le16(d, ha);
	d[2] = HCI_ERR_REMOTE_POWER_OFF;
	assert_int_equal(th_cmd(w, a, HCI_OP_DISCONNECT, d, 3, NULL, NULL), TH_CS(0));
	assert_true(th_wait_ev(w, a, HCI_EV_DISCONN_COMPLETE, -1, 100, NULL));
	th_run_for(w, 100);
	assert_int_equal(th_find_ev(b, HCI_EV_DISCONN_COMPLETE, -1), -1);
	th_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_accept_gives_connection_complete_on_both_sides),
		cmocka_unit_test(test_role_switch_on_accept_sends_role_change_first),
		cmocka_unit_test(test_page_timeout_when_nobody_page_scans),
		cmocka_unit_test(test_reject_and_accept_timeout_fail_both_sides),
		cmocka_unit_test(test_create_connection_cancel),
		cmocka_unit_test(test_remote_version_and_features),
		cmocka_unit_test(test_masked_disconnection_complete_is_not_sent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
