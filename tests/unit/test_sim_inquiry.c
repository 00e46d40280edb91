/* Simulated BR/EDR discovery: Inquiry results from every controller with inquiry scan on (in the
 * three Inquiry_Mode formats), Inquiry Complete after Inquiry_Length or Num_Responses, Inquiry
 * Cancel, Extended Inquiry Response, Remote Name Request (+ page timeout, + cancel). */
#include "test_sim_harness.h"

static void scan(struct th_world *w, struct th_host *h, uint8_t v)
{
	assert_int_equal(th_cmd(w, h, HCI_OP_WRITE_SCAN_ENABLE, &v, 1, NULL, NULL), 0);
}

static void set_name(struct th_world *w, struct th_host *h, const char *name)
{
	uint8_t n[248] = {0};
	memcpy(n, name, strlen(name));
	assert_int_equal(th_cmd(w, h, HCI_OP_WRITE_LOCAL_NAME, n, 248, NULL, NULL), 0);
}

static int inquiry(struct th_world *w, struct th_host *h, uint32_t lap, uint8_t len, uint8_t max)
{
	uint8_t p[5] = {(uint8_t)lap, (uint8_t)(lap >> 8), (uint8_t)(lap >> 16), len, max};
	return th_cmd(w, h, HCI_OP_INQUIRY, p, 5, NULL, NULL);
}

static int count_ev(struct th_host *h, uint8_t code)
{
	int n = 0;
	for (unsigned i = 0; i < h->nev; i++)
		n += h->ev[i].code == code;
	return n;
}

/* a inquires; b (dual) and c (BR/EDR) inquiry scan, d only page scans, e is LE only. */
static struct th_world *five(const char *name, struct th_host *h[5])
{
	struct th_world *w = th_world_new(name);
	h[0] = th_host(w, SIM_TYPE_BREDR);
	h[1] = th_host(w, SIM_TYPE_DUAL);
	h[2] = th_host(w, SIM_TYPE_BREDR);
	h[3] = th_host(w, SIM_TYPE_BREDR);
	for (int i = 0; i < 4; i++)
		th_bringup(w, h[i]);
	scan(w, h[1], 0x03);
	scan(w, h[2], 0x01);
	scan(w, h[3], 0x02);
	uint8_t cod[3] = {0x0C, 0x02, 0x5A};
	assert_int_equal(th_cmd(w, h[2], HCI_OP_WRITE_CLASS_OF_DEV, cod, 3, NULL, NULL), 0);
	h[4] = NULL;
	return w;
}

static void test_inquiry_reports_every_inquiry_scanning_device_then_completes(void **state)
{
	struct th_host *h[5];
	struct th_world *w = five("inq-basic", h);
	uint64_t t0 = sim_air_now_us(w->air);
	assert_int_equal(inquiry(w, h[0], 0x9E8B33, 2, 0), TH_CS(0));
	/* a second Inquiry while one runs is refused */
	assert_int_equal(inquiry(w, h[0], 0x9E8B33, 2, 0), TH_CS(HCI_ERR_COMMAND_DISALLOWED));
	struct th_ev e = {0};
	assert_true(th_wait_ev(w, h[0], HCI_EV_INQUIRY_COMPLETE, -1, 3000, &e));
	assert_int_equal(e.plen, 1);
	assert_int_equal(e.p[0], 0);
	uint64_t dt = sim_air_now_us(w->air) - t0;
	assert_int_equal(dt, 2 * 1280000u); /* Inquiry_Length 2 x 1.28 s */
	assert_int_equal(count_ev(h[0], HCI_EV_INQUIRY_RESULT), 2);
	assert_int_equal(count_ev(h[0], HCI_EV_INQUIRY_RESULT_RSSI), 0);
	bool got_b = false, got_c = false;
	while (th_take_ev(h[0], HCI_EV_INQUIRY_RESULT, -1, &e)) {
		assert_int_equal(e.plen, 15);
		assert_int_equal(e.p[0], 1);
		if (!memcmp(e.p + 1, h[1]->addr.b, 6))
			got_b = true;
		else if (!memcmp(e.p + 1, h[2]->addr.b, 6)) {
			got_c = true;
			assert_memory_equal(e.p + 10, ((uint8_t[]){0x0C, 0x02, 0x5A}), 3);
		} else
			fail_msg("inquiry result from a device without inquiry scan");
	}
	assert_true(got_b && got_c);
	/* nothing more after Inquiry Complete; a Cancel now is disallowed */
	th_run_for(w, 3000);
	assert_int_equal(count_ev(h[0], HCI_EV_INQUIRY_RESULT), 0);
	assert_int_equal(th_cmd(w, h[0], HCI_OP_INQUIRY_CANCEL, NULL, 0, NULL, NULL), HCI_ERR_COMMAND_DISALLOWED);
	th_world_free(w);
}

static void test_inquiry_mode_rssi_and_extended_inquiry_response(void **state)
{
	struct th_host *h[5];
	struct th_world *w = five("inq-eir", h);
	uint8_t eir[241] = {0}; /* FEC_Required, then: Complete Local Name "bee", 16-bit UUIDs 0x1101 */
	const uint8_t data[] = {0x04, 0x09, 'b', 'e', 'e', 0x03, 0x03, 0x01, 0x11};
	memcpy(eir + 1, data, sizeof(data));
	assert_int_equal(th_cmd(w, h[1], HCI_OP_WRITE_EXT_INQUIRY_RSP, eir, 241, NULL, NULL), 0);
	eir[0] = 2;
	assert_int_equal(th_cmd(w, h[1], HCI_OP_WRITE_EXT_INQUIRY_RSP, eir, 241, NULL, NULL), HCI_ERR_INVALID_PARAMS);
	uint8_t r[255];
	size_t rl = 0;
	assert_int_equal(th_cmd(w, h[1], HCI_OP_READ_EXT_INQUIRY_RSP, NULL, 0, r, &rl), 0);
	assert_int_equal(rl, 242);
	assert_memory_equal(r + 2, data, sizeof(data));
	uint8_t mode = 3;
	assert_int_equal(th_cmd(w, h[0], HCI_OP_WRITE_INQUIRY_MODE, &mode, 1, NULL, NULL), HCI_ERR_INVALID_PARAMS);
	mode = 2;
	assert_int_equal(th_cmd(w, h[0], HCI_OP_WRITE_INQUIRY_MODE, &mode, 1, NULL, NULL), 0);
	assert_int_equal(th_cmd(w, h[0], HCI_OP_READ_INQUIRY_MODE, NULL, 0, r, &rl), 0);
	assert_int_equal(r[1], 2);
	assert_int_equal(inquiry(w, h[0], 0x9E8B33, 1, 0), TH_CS(0));
	struct th_ev e = {0};
	assert_true(th_wait_ev(w, h[0], HCI_EV_INQUIRY_COMPLETE, -1, 2000, NULL));
	assert_true(th_take_ev(h[0], HCI_EV_EXT_INQUIRY_RESULT, -1, &e));
	assert_int_equal(e.plen, 255);
	assert_int_equal(e.p[0], 1);
	assert_memory_equal(e.p + 1, h[1]->addr.b, 6);
	assert_memory_equal(e.p + 15, data, sizeof(data));
	/* c has no EIR: Inquiry Result with RSSI */
	assert_true(th_take_ev(h[0], HCI_EV_INQUIRY_RESULT_RSSI, -1, &e));
	assert_int_equal(e.plen, 15);
	assert_memory_equal(e.p + 1, h[2]->addr.b, 6);
	assert_memory_equal(e.p + 9, ((uint8_t[]){0x0C, 0x02, 0x5A}), 3);
	assert_int_equal((int8_t)e.p[14], -45);
	assert_int_equal(th_find_ev(h[0], HCI_EV_INQUIRY_RESULT, -1), -1);
	th_world_free(w);
}

static void test_num_responses_ends_inquiry_and_cancel_stops_it_silently(void **state)
{
	struct th_host *h[5];
	struct th_world *w = five("inq-max", h);
	uint64_t t0 = sim_air_now_us(w->air);
	assert_int_equal(inquiry(w, h[0], 0x9E8B33, 0x30, 1), TH_CS(0));
	assert_true(th_wait_ev(w, h[0], HCI_EV_INQUIRY_COMPLETE, -1, 2000, NULL));
	assert_true(sim_air_now_us(w->air) - t0 < 1000000);
	assert_int_equal(count_ev(h[0], HCI_EV_INQUIRY_RESULT), 1);
	h[0]->nev = 0;
	/* cancel: Command Complete, then no result and no Inquiry Complete */
	assert_int_equal(inquiry(w, h[0], 0x9E8B33, 0x30, 0), TH_CS(0));
	assert_int_equal(th_cmd(w, h[0], HCI_OP_INQUIRY_CANCEL, NULL, 0, NULL, NULL), 0);
	th_run_for(w, 70000);
	assert_int_equal(h[0]->nev, 0);
	/* bad LAP, bad length */
	assert_int_equal(inquiry(w, h[0], 0x123456, 1, 0), TH_CS(HCI_ERR_INVALID_PARAMS));
	assert_int_equal(inquiry(w, h[0], 0x9E8B33, 0, 0), TH_CS(HCI_ERR_INVALID_PARAMS));
	assert_int_equal(inquiry(w, h[0], 0x9E8B33, 0x31, 0), TH_CS(HCI_ERR_INVALID_PARAMS));
	/* the Limited IAC: nobody here scans for it, Inquiry Complete only */
	assert_int_equal(inquiry(w, h[0], 0x9E8B00, 1, 0), TH_CS(0));
	assert_true(th_wait_ev(w, h[0], HCI_EV_INQUIRY_COMPLETE, -1, 2000, NULL));
	assert_int_equal(count_ev(h[0], HCI_EV_INQUIRY_RESULT), 0);
	/* a device that turns inquiry scan on during the inquiry is found */
	scan(w, h[3], 0x03);
	assert_int_equal(inquiry(w, h[0], 0x9E8B33, 1, 0), TH_CS(0));
	assert_true(th_wait_ev(w, h[0], HCI_EV_INQUIRY_COMPLETE, -1, 2000, NULL));
	assert_int_equal(count_ev(h[0], HCI_EV_INQUIRY_RESULT), 3);
	th_world_free(w);
}

static void test_remote_name_request(void **state)
{
	struct th_host *h[5];
	struct th_world *w = five("inq-name", h);
	set_name(w, h[3], "page scanner");
	uint8_t r[255];
	size_t rl = 0;
	assert_int_equal(th_cmd(w, h[3], HCI_OP_READ_LOCAL_NAME, NULL, 0, r, &rl), 0);
	assert_int_equal(rl, 249);
	assert_string_equal((char *)r + 1, "page scanner");
	uint8_t p[10] = {0};
	memcpy(p, h[3]->addr.b, 6);
	p[6] = 0x01;
	assert_int_equal(th_cmd(w, h[0], HCI_OP_REMOTE_NAME_REQ, p, 10, NULL, NULL), TH_CS(0));
	assert_int_equal(th_cmd(w, h[0], HCI_OP_REMOTE_NAME_REQ, p, 10, NULL, NULL),
			 TH_CS(HCI_ERR_COMMAND_DISALLOWED));
	struct th_ev e = {0};
	assert_true(th_wait_ev(w, h[0], HCI_EV_REMOTE_NAME_COMPLETE, -1, 100, &e));
	assert_int_equal(e.plen, 255);
	assert_int_equal(e.p[0], 0);
	assert_memory_equal(e.p + 1, h[3]->addr.b, 6);
	assert_string_equal((char *)e.p + 7, "page scanner");
	/* c inquiry scans but does not page scan: page timeout after Page_Timeout */
	uint8_t pto[2];
	put_le16(pto, 0x0640); /* 1 s */
	assert_int_equal(th_cmd(w, h[0], HCI_OP_WRITE_PAGE_TIMEOUT, pto, 2, NULL, NULL), 0);
	memcpy(p, h[2]->addr.b, 6);
	uint64_t t0 = sim_air_now_us(w->air);
	assert_int_equal(th_cmd(w, h[0], HCI_OP_REMOTE_NAME_REQ, p, 10, NULL, NULL), TH_CS(0));
	assert_true(th_wait_ev(w, h[0], HCI_EV_REMOTE_NAME_COMPLETE, -1, 5000, &e));
	assert_int_equal(e.p[0], HCI_ERR_PAGE_TIMEOUT);
	assert_memory_equal(e.p + 1, h[2]->addr.b, 6);
	assert_int_equal(sim_air_now_us(w->air) - t0, 1000000);
	/* nobody at the address: page timeout too */
	const uint8_t none[6] = {1, 2, 3, 4, 5, 6};
	memcpy(p, none, 6);
	assert_int_equal(th_cmd(w, h[0], HCI_OP_REMOTE_NAME_REQ, p, 10, NULL, NULL), TH_CS(0));
	assert_true(th_wait_ev(w, h[0], HCI_EV_REMOTE_NAME_COMPLETE, -1, 5000, &e));
	assert_int_equal(e.p[0], HCI_ERR_PAGE_TIMEOUT);
	/* cancel: Command Complete, then the request completes with Unknown Connection Identifier */
	assert_int_equal(th_cmd(w, h[0], HCI_OP_REMOTE_NAME_REQ, p, 10, NULL, NULL), TH_CS(0));
	assert_int_equal(th_cmd(w, h[0], HCI_OP_REMOTE_NAME_REQ_CANCEL, p, 6, NULL, NULL), 0);
	assert_true(th_wait_ev(w, h[0], HCI_EV_REMOTE_NAME_COMPLETE, -1, 10, &e));
	assert_int_equal(e.p[0], HCI_ERR_UNKNOWN_CONN_ID);
	assert_int_equal(th_cmd(w, h[0], HCI_OP_REMOTE_NAME_REQ_CANCEL, p, 6, NULL, NULL), HCI_ERR_INVALID_PARAMS);
	th_world_free(w);
}

static void test_reset_ends_inquiry_and_forgets_name_and_eir(void **state)
{
	struct th_host *h[5];
	struct th_world *w = five("inq-reset", h);
	set_name(w, h[1], "before reset");
	uint8_t eir[241] = {0, 0x03, 0x09, 'a', 'b'};
	assert_int_equal(th_cmd(w, h[1], HCI_OP_WRITE_EXT_INQUIRY_RSP, eir, 241, NULL, NULL), 0);
	assert_int_equal(inquiry(w, h[0], 0x9E8B33, 2, 0), TH_CS(0));
	assert_int_equal(th_cmd(w, h[0], HCI_OP_RESET, NULL, 0, NULL, NULL), 0);
	th_run_for(w, 5000);
	assert_int_equal(h[0]->nev, 0); /* no result, no Inquiry Complete */
	assert_int_equal(th_cmd(w, h[1], HCI_OP_RESET, NULL, 0, NULL, NULL), 0);
	uint8_t r[255];
	size_t rl = 0;
	assert_int_equal(th_cmd(w, h[1], HCI_OP_READ_LOCAL_NAME, NULL, 0, r, &rl), 0);
	assert_int_equal(r[1], 0);
	assert_int_equal(th_cmd(w, h[1], HCI_OP_READ_EXT_INQUIRY_RSP, NULL, 0, r, &rl), 0);
	assert_int_equal(r[2], 0);
	assert_int_equal(th_cmd(w, h[1], HCI_OP_READ_SCAN_ENABLE, NULL, 0, r, &rl), 0);
	assert_int_equal(r[1], 0);
	th_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inquiry_reports_every_inquiry_scanning_device_then_completes),
		cmocka_unit_test(test_inquiry_mode_rssi_and_extended_inquiry_response),
		cmocka_unit_test(test_num_responses_ends_inquiry_and_cancel_stops_it_silently),
		cmocka_unit_test(test_remote_name_request),
		cmocka_unit_test(test_reset_ends_inquiry_and_forgets_name_and_eir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
