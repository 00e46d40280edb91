/* The "sim" transport: spec keys, named airs, distinct addresses, no synchronous delivery,
 * next_due / service on a virtual clock, close dropping links. */
#include "test_sim_harness.h"
#include "transport/sim_transport.h"

struct rxlog {
	unsigned n;
	uint8_t type[64];
	uint8_t pkt[64][300];
	size_t len[64];
};

static void on_rx(void *user, uint8_t type, const uint8_t *pkt, size_t len)
{
	struct rxlog *l = user;
	if (l->n < 64) {
		l->type[l->n] = type;
		l->len[l->n] = len;
		memcpy(l->pkt[l->n], pkt, len < 300 ? len : 300);
		l->n++;
	}
}

static struct transport *open_ok(const char *args, struct rxlog *log)
{
	struct transport *t = NULL;
	char err[200] = "";
	int r = sim_transport_open(args, &t, err, sizeof(err));
	if (r != 0)
		fail_msg("sim:%s: %d %s", args, r, err);
	assert_non_null(t);
	memset(log, 0, sizeof(*log));
	t->rx = on_rx;
	t->user = log;
	return t;
}

static void tclose(struct transport *t)
{
	t->ops->close(t);
}

static int send_cmd(struct transport *t, uint16_t op, const uint8_t *p, uint8_t n)
{
	uint8_t pkt[3 + 255];
	put_le16(pkt, op);
	pkt[2] = n;
	if (n)
		memcpy(pkt + 3, p, n);
	return t->ops->send(t, HCI_H4_CMD, pkt, 3u + n);
}

/* service until a Command Complete for op shows up; returns its index in the log */
static int wait_cc(struct transport *t, struct rxlog *log, uint16_t op, uint64_t now)
{
	for (int i = 0; i < 4; i++) {
		assert_int_equal(t->ops->service(t, now), 0);
		for (unsigned k = 0; k < log->n; k++)
			if (log->type[k] == HCI_H4_EVT && log->pkt[k][0] == HCI_EV_CMD_COMPLETE &&
			    get_le16(log->pkt[k] + 3) == op)
				return (int)k;
	}
	fail_msg("no Command Complete for 0x%04x", op);
	return -1;
}

static void test_bare_sim_opens_controllers_with_distinct_addresses(void **state)
{
	struct rxlog l1, l2;
	struct transport *t1 = open_ok("", &l1), *t2 = open_ok("", &l2);
	assert_string_equal(t1->ops->kind, "sim");
	assert_int_equal(t1->ops->fd(t1), -1);
	assert_non_null(sim_air_find("default"));
	assert_int_equal(send_cmd(t1, HCI_OP_READ_BD_ADDR, NULL, 0), 0);
	assert_int_equal(l1.n, 0); /* never delivered from inside send() */
	assert_int_equal(t1->ops->next_due(t1), sim_air_now_us(sim_air_find("default")) / 1000);
	int k = wait_cc(t1, &l1, HCI_OP_READ_BD_ADDR, 0);
	assert_int_equal(send_cmd(t2, HCI_OP_READ_BD_ADDR, NULL, 0), 0);
	int j = wait_cc(t2, &l2, HCI_OP_READ_BD_ADDR, 0);
	assert_int_equal(l1.pkt[k][5], 0);
	assert_int_equal(l1.len[k], 2 + 3 + 7);
	assert_memory_not_equal(l1.pkt[k] + 6, l2.pkt[j] + 6, 6);
	hci_bdaddr_t a1;
	sim_ctrl_get_address(sim_transport_ctrl(t1), &a1);
	assert_memory_equal(a1.b, l1.pkt[k] + 6, 6);
	/* idle: nothing due */
	assert_int_equal(t1->ops->next_due(t1), UINT64_MAX);
	tclose(t1);
	tclose(t2);
	assert_null(sim_air_find("default")); /* freed with its last controller */
}

static void test_spec_keys_configure_controller_and_air(void **state)
{
	struct rxlog l;
	struct transport *t = open_ok(
		"type=le,acl-mtu=27,acl-count=2,addr=00:11:22:33:44:55,air=spec1,profile=le-2m,loss=0.05,"
		"corrupt=0.01,seed=7,le-max-data-len=100",
		&l);
	struct sim_air *air = sim_air_find("spec1");
	assert_non_null(air);
	assert_int_equal(sim_air_profile(air, true), SIM_PROFILE_LE_2M);
	assert_int_equal(sim_air_profile(air, false), SIM_PROFILE_BREDR_3DH5);
	assert_int_equal(send_cmd(t, HCI_OP_LE_READ_BUFFER_SIZE, NULL, 0), 0);
	int k = wait_cc(t, &l, HCI_OP_LE_READ_BUFFER_SIZE, 5);
	assert_int_equal(get_le16(l.pkt[k] + 6), 27);
	assert_int_equal(l.pkt[k][8], 2);
	assert_int_equal(send_cmd(t, HCI_OP_READ_BD_ADDR, NULL, 0), 0);
	k = wait_cc(t, &l, HCI_OP_READ_BD_ADDR, 5);
	static const uint8_t want[6] = {0x55, 0x44, 0x33, 0x22, 0x11, 0x00};
	assert_memory_equal(l.pkt[k] + 6, want, 6);
	assert_int_equal(send_cmd(t, HCI_OP_LE_READ_MAX_DATA_LENGTH, NULL, 0), 0);
	k = wait_cc(t, &l, HCI_OP_LE_READ_MAX_DATA_LENGTH, 5);
	assert_int_equal(get_le16(l.pkt[k] + 6), 100);
	assert_int_equal(send_cmd(t, HCI_OP_READ_LOCAL_FEATURES, NULL, 0), 0);
	k = wait_cc(t, &l, HCI_OP_READ_LOCAL_FEATURES, 5);
	assert_true(hci_bit_test(l.pkt[k] + 6, 8, HCI_FEAT_BREDR_NOT_SUPPORTED));
	/* the same address twice on one air is refused; on another air it is fine */
	struct transport *t2 = NULL;
	char err[200];
	assert_int_equal(sim_transport_open("addr=00:11:22:33:44:55,air=spec1", &t2, err, sizeof(err)),
			 L2K_EADDRINUSE);
	struct rxlog l2;
	t2 = open_ok("addr=00:11:22:33:44:55,air=spec2", &l2);
	tclose(t2);
	tclose(t);
}

static void test_bad_specs_are_refused_with_a_message(void **state)
{
	static const char *bad[] = {"foo=1",	   "type=xx",	    "loss=2",		 "acl-mtu=10",
				    "noequals",	   "addr=00:11:22", "le-acl-count=300", "profile=le-3m",
				    "seed=-1",	   "type=le,le-acl-count=0", "rx-count=0", "enc-key-size=0",
				    "enc-key-size=17", "sec-fault=bogus", "sec-fault="};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct transport *t = NULL;
		char err[200] = "";
		int r = sim_transport_open(bad[i], &t, err, sizeof(err));
		if (r != L2K_ESPEC)
			fail_msg("sim:%s gave %d", bad[i], r);
		assert_null(t);
		assert_true(strlen(err) > 5);
		assert_non_null(strstr(err, "sim"));
	}
}

static void test_virtual_clock_jumps_to_next_due(void **state)
{
	struct rxlog la, lb;
	struct transport *a = open_ok("type=bredr,air=vclk", &la), *b = open_ok("type=bredr,air=vclk", &lb);
	uint64_t now = 0;
	uint8_t scan = 2;
	assert_int_equal(send_cmd(b, HCI_OP_WRITE_SCAN_ENABLE, &scan, 1), 0);
	wait_cc(b, &lb, HCI_OP_WRITE_SCAN_ENABLE, now);
	hci_bdaddr_t bb;
	sim_ctrl_get_address(sim_transport_ctrl(b), &bb);
	uint8_t p[13] = {0};
	memcpy(p, bb.b, 6);
	assert_int_equal(send_cmd(a, HCI_OP_CREATE_CONN, p, 13), 0);
	assert_int_equal(a->ops->service(a, now), 0);
	/* the page takes a few ms: next_due is in the future, and jumping there delivers */
	uint64_t due = b->ops->next_due(b);
	assert_true(due > now && due < 100);
	unsigned before = lb.n;
	assert_int_equal(b->ops->service(b, due - 1), 0);
	assert_int_equal(lb.n, before);
	assert_int_equal(b->ops->service(b, due), 0);
	assert_int_equal(lb.n, before + 1);
	assert_int_equal(lb.pkt[before][0], HCI_EV_CONN_REQUEST);
	now = due;
	uint8_t acc[7];
	sim_ctrl_get_address(sim_transport_ctrl(a), (hci_bdaddr_t *)acc);
	acc[6] = 1;
	assert_int_equal(send_cmd(b, HCI_OP_ACCEPT_CONN_REQ, acc, 7), 0);
	for (int i = 0; i < 10; i++) {
		uint64_t d = a->ops->next_due(a);
		if (d == UINT64_MAX)
			break;
		now = d > now ? d : now;
		a->ops->service(a, now);
		b->ops->service(b, now);
	}
	bool conn = false;
	for (unsigned k = 0; k < la.n; k++)
		conn |= la.pkt[k][0] == HCI_EV_CONN_COMPLETE && la.pkt[k][2] == 0;
	assert_true(conn);
	/* closing b drops the link: a hears Disconnection Complete, reason power off */
	tclose(b);
	a->ops->service(a, now);
	assert_int_equal(la.pkt[la.n - 1][0], HCI_EV_DISCONN_COMPLETE);
	assert_int_equal(la.pkt[la.n - 1][5], HCI_ERR_REMOTE_POWER_OFF);
	/* ACL to a dead handle and unsupported packet types */
	uint8_t acl[8] = {0x01, 0x20, 4, 0, 0, 0, 0x40, 0};
	assert_int_equal(a->ops->send(a, HCI_H4_ACL, acl, 8), 0);
	assert_int_equal(a->ops->send(a, HCI_H4_ISO, acl, 8), L2K_ENOTSUP);
	tclose(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bare_sim_opens_controllers_with_distinct_addresses),
		cmocka_unit_test(test_spec_keys_configure_controller_and_air),
		cmocka_unit_test(test_bad_specs_are_refused_with_a_message),
		cmocka_unit_test(test_virtual_clock_jumps_to_next_due),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
