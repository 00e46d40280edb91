/* HCI host: controller-to-host flow control (Vol 4 Part E 4.2, 7.3.38-7.3.40) against the
 * scripted fake controller: the bring-up steps and when they are skipped, the Host Number Of
 * Completed Packets command (its bytes, batching, no command credit used, every link in one
 * command), held links (packets kept unprocessed and unreported, in order, processed at the
 * tick after the release), link loss, and a controller that breaks the flow control. */
#include "tests/unit/test_hci_fake.h"

static void fake_with_flow(struct fake *f, bool bredr, bool le)
{
	fake_init(f, bredr, le);
	set_bit(f->commands, HCI_CMDBIT_HOST_BUFFER_SIZE);
	set_bit(f->commands, HCI_CMDBIT_SET_CTRL_TO_HOST_FC);
	set_bit(f->commands, HCI_CMDBIT_HOST_NUM_COMPLETED);
}

static void up_with(struct fake *f, const struct hci_host_config *cfg)
{
	host_new(f, cfg);
	assert_int_equal(hci_host_start(f->h), 0);
	for (int i = 0; i < 30 && !f->ready_called; i++)
		answer_all(f);
	assert_true(f->ready_called);
	assert_int_equal(f->ready_err, 0);
}

/* flow control on with count host buffers, one BR/EDR link per handle given (0: none) */
static void flow_up(struct fake *f, uint16_t count, uint16_t h1, uint16_t h2)
{
	fake_with_flow(f, true, false);
	struct hci_host_config cfg;
	hci_host_config_default(&cfg);
	cfg.host_acl_count = count;
	up_with(f, &cfg);
	assert_true(hci_host_ctrl_flow(f->h));
	if (h1)
		conn_complete(f, h1, 0);
	if (h2)
		conn_complete(f, h2, 0);
	f->nout = f->answered = 0;
}

static const struct pkt *nth_cmd(const struct fake *f, uint16_t op, int nth)
{
	for (int i = 0; i < f->nout; i++)
		if (f->out[i].type == HCI_H4_CMD && opcode_of(&f->out[i]) == op && nth-- == 0)
			return &f->out[i];
	return NULL;
}

static int cmds_sent(const struct fake *f, uint16_t op)
{
	int n = 0;
	while (nth_cmd(f, op, n))
		n++;
	return n;
}

/* packets reported completed for handle in every Host Number Of Completed Packets sent */
static unsigned reported(const struct fake *f, uint16_t handle)
{
	unsigned sum = 0;
	const struct pkt *p;
	for (int i = 0; (p = nth_cmd(f, HCI_OP_HOST_NUM_COMPLETED, i)); i++) {
		/* opcode(2) length(1) Num_Handles(1) then Num_Handles x [Handle(2) Count(2)] */
		assert_int_equal(p->len, 3u + p->b[2]);
		assert_int_equal(p->b[2], 1 + 4 * p->b[3]);
		for (unsigned k = 0; k < p->b[3]; k++)
			if (get_le16(p->b + 4 + 4 * k) == handle)
				sum += get_le16(p->b + 6 + 4 * k);
	}
	return sum;
}

/* one whole L2CAP PDU in one ACL packet: 4-byte basic header, tag, then filler */
static void pdu_in(struct fake *f, uint16_t handle, uint8_t tag, size_t payload)
{
	uint8_t d[4 + 600];
	put_le16(d, (uint16_t)payload);
	put_le16(d + 2, 0x0040);
	memset(d + 4, 0xA5, payload);
	d[4] = tag;
	acl_in(f, handle, HCI_ACL_PB_START, d, 4 + payload);
}

/* ---- bring-up ------------------------------------------------------------------------------ */

static void test_bringup_announces_host_buffers_then_turns_flow_control_on(void **st)
{
	struct fake f;
	fake_with_flow(&f, true, true);
	f.acl_mtu = 1021;
	f.le_mtu = 251;
	up_with(&f, NULL);
	const uint16_t expect[] = {HCI_OP_RESET,		 HCI_OP_READ_LOCAL_VERSION,
				   HCI_OP_READ_LOCAL_COMMANDS,	 HCI_OP_READ_LOCAL_FEATURES,
				   HCI_OP_READ_BD_ADDR,		 HCI_OP_READ_BUFFER_SIZE,
				   HCI_OP_LE_READ_BUFFER_SIZE,	 HCI_OP_LE_READ_LOCAL_FEATURES,
				   HCI_OP_HOST_BUFFER_SIZE,	 HCI_OP_SET_CTRL_TO_HOST_FC,
				   HCI_OP_SET_EVENT_MASK,	 HCI_OP_LE_SET_EVENT_MASK,
				   HCI_OP_WRITE_LE_HOST_SUPPORTED, HCI_OP_WRITE_SCAN_ENABLE};
	assert_int_equal(f.nout, (int)(sizeof(expect) / sizeof(expect[0])));
	for (int i = 0; i < f.nout; i++)
		assert_int_equal(opcode_of(&f.out[i]), expect[i]);
	/* Host_ACL_Data_Packet_Length 1021, no SCO, 32 packets */
	const uint8_t hbs[] = {0x33, 0x0C, 7, 0xFD, 0x03, 0, 32, 0, 0, 0};
	const struct pkt *p = nth_cmd(&f, HCI_OP_HOST_BUFFER_SIZE, 0);
	assert_int_equal(p->len, sizeof(hbs));
	assert_memory_equal(p->b, hbs, sizeof(hbs));
	/* Flow_Control_Enable 0x01: ACL on, synchronous off */
	const uint8_t fc[] = {0x31, 0x0C, 1, 0x01};
	p = nth_cmd(&f, HCI_OP_SET_CTRL_TO_HOST_FC, 0);
	assert_int_equal(p->len, sizeof(fc));
	assert_memory_equal(p->b, fc, sizeof(fc));
	const struct hci_controller_info *in = hci_host_info(f.h);
	assert_true(in->ctrl_flow_supported);
	assert_true(in->ctrl_flow);
	assert_int_equal(in->host_acl_len, 1021);
	assert_int_equal(in->host_acl_count, 32);
	assert_true(hci_host_ctrl_flow(f.h));
	hci_host_free(f.h);
}

static void test_bringup_host_buffer_length_and_count(void **st)
{
	/* the length: the controller's own buffers when larger than 1021 octets; the count: the
	 * config */
	struct fake f;
	fake_with_flow(&f, true, true);
	f.acl_mtu = 1500;
	f.le_mtu = 251;
	struct hci_host_config cfg;
	hci_host_config_default(&cfg);
	cfg.host_acl_count = 5;
	up_with(&f, &cfg);
	const uint8_t hbs[] = {0x33, 0x0C, 7, 0xDC, 0x05, 0, 5, 0, 0, 0};
	const struct pkt *p = nth_cmd(&f, HCI_OP_HOST_BUFFER_SIZE, 0);
	assert_memory_equal(p->b, hbs, sizeof(hbs));
	assert_int_equal(hci_host_info(f.h)->host_acl_len, 1500);
	assert_int_equal(hci_host_info(f.h)->host_acl_count, 5);
	hci_host_free(f.h);
	/* LE only, 251-octet buffers: still 1021, so an air packet is never cut for the host */
	fake_with_flow(&f, false, true);
	f.le_mtu = 251;
	up_with(&f, NULL);
	const uint8_t hbs2[] = {0x33, 0x0C, 7, 0xFD, 0x03, 0, 32, 0, 0, 0};
	p = nth_cmd(&f, HCI_OP_HOST_BUFFER_SIZE, 0);
	assert_memory_equal(p->b, hbs2, sizeof(hbs2));
	hci_host_free(f.h);
}

static void test_bringup_without_host_number_of_completed_packets_leaves_flow_control_off(void **st)
{
	/* BlueZ's emulator (btvirt 5.66) lists Host Buffer Size and Set Controller To Host Flow
	 * Control but not Host Number Of Completed Packets: the host could never give buffers back */
	struct fake f;
	fake_init(&f, true, false);
	set_bit(f.commands, HCI_CMDBIT_HOST_BUFFER_SIZE);
	set_bit(f.commands, HCI_CMDBIT_SET_CTRL_TO_HOST_FC);
	up_with(&f, NULL);
	assert_false(host_sent(&f, HCI_OP_HOST_BUFFER_SIZE));
	assert_false(host_sent(&f, HCI_OP_SET_CTRL_TO_HOST_FC));
	assert_false(hci_host_info(f.h)->ctrl_flow_supported);
	assert_false(hci_host_info(f.h)->ctrl_flow);
	assert_false(hci_host_ctrl_flow(f.h));
	/* data flows, nothing is held and nothing is reported */
	conn_complete(&f, 0x42, 0);
	assert_int_equal(hci_host_acl_rx_hold(f.h, 0x42, true), L2K_ENOTSUP);
	f.nout = 0;
	pdu_in(&f, 0x42, 1, 10);
	hci_host_tick(f.h, 100);
	assert_int_equal(f.rx_count, 1);
	assert_int_equal(f.nout, 0);
	hci_host_free(f.h);
}

static void test_bringup_option_off_sends_neither_command(void **st)
{
	struct fake f;
	fake_with_flow(&f, true, false);
	struct hci_host_config cfg;
	hci_host_config_default(&cfg);
	cfg.ctrl_flow = false;
	up_with(&f, &cfg);
	assert_false(host_sent(&f, HCI_OP_HOST_BUFFER_SIZE));
	assert_false(host_sent(&f, HCI_OP_SET_CTRL_TO_HOST_FC));
	assert_true(hci_host_info(f.h)->ctrl_flow_supported);
	assert_false(hci_host_ctrl_flow(f.h));
	hci_host_free(f.h);
}

/* bring-up where the controller answers op with status; everything else answered normally */
static void up_refusing(struct fake *f, uint16_t op, uint8_t status)
{
	fake_with_flow(f, true, false);
	f->silent_op_enabled = true;
	f->silent_op = op;
	host_new(f, NULL);
	hci_host_start(f->h);
	for (int i = 0; i < 30 && !f->ready_called; i++) {
		answer_all(f);
		if (f->nout && f->out[f->nout - 1].type == HCI_H4_CMD && opcode_of(&f->out[f->nout - 1]) == op &&
		    f->silent_op_enabled) {
			f->silent_op_enabled = false;
			cmd_complete(f, op, &status, 1);
		}
	}
	assert_true(f->ready_called);
	assert_int_equal(f->ready_err, 0); /* bring-up goes on without it */
}

static void test_bringup_refused_flow_control_is_reported_and_goes_on(void **st)
{
	struct fake f;
	up_refusing(&f, HCI_OP_SET_CTRL_TO_HOST_FC, HCI_ERR_UNSUPPORTED);
	assert_false(hci_host_ctrl_flow(f.h));
	assert_false(hci_host_info(f.h)->ctrl_flow);
	assert_true(f.errors > 0);
	assert_non_null(strstr(f.last_error, "Set Controller To Host Flow Control"));
	assert_true(host_sent(&f, HCI_OP_WRITE_SCAN_ENABLE));
	hci_host_free(f.h);

	up_refusing(&f, HCI_OP_HOST_BUFFER_SIZE, HCI_ERR_INVALID_PARAMS);
	assert_false(host_sent(&f, HCI_OP_SET_CTRL_TO_HOST_FC)); /* not turned on after a refusal */
	assert_false(hci_host_ctrl_flow(f.h));
	assert_int_equal(hci_host_info(f.h)->host_acl_count, 0); /* nothing announced */
	assert_non_null(strstr(f.last_error, "Host Buffer Size"));
	hci_host_free(f.h);
}

/* ---- Host Number Of Completed Packets ------------------------------------------------------ */

static void test_reports_are_batched_and_need_no_command_credit(void **st)
{
	struct fake f;
	flow_up(&f, 8, 0x042, 0);
	/* a command the controller never answers: no Num_HCI_Command_Packets credit is left */
	f.silent_op_enabled = true;
	f.silent_op = HCI_OP_WRITE_SCAN_ENABLE;
	assert_int_equal(hci_host_set_connectable(f.h, false), 0);
	answer_all(&f);
	assert_int_equal(hci_host_cmd(f.h, HCI_OP_READ_BD_ADDR, NULL, 0, NULL, NULL), 0);
	assert_int_equal(cmds_sent(&f, HCI_OP_READ_BD_ADDR), 0); /* it waits for the credit */
	/* ten PDUs arrive at once: a report each time half of the 8 buffers wait, the rest 10 ms
	 * after the first of them - not one command per packet */
	for (uint8_t i = 0; i < 10; i++)
		pdu_in(&f, 0x042, i, 20);
	assert_int_equal(f.rx_count, 10);
	assert_int_equal(cmds_sent(&f, HCI_OP_HOST_NUM_COMPLETED), 2);
	/* exact bytes: opcode 0x0C35, 5 octets, one handle, 0x0042, 4 packets */
	const uint8_t first[] = {0x35, 0x0C, 5, 1, 0x42, 0x00, 4, 0};
	assert_memory_equal(nth_cmd(&f, HCI_OP_HOST_NUM_COMPLETED, 0)->b, first, sizeof(first));
	assert_int_equal(hci_host_next_timer(f.h), 10);
	hci_host_tick(f.h, 9);
	assert_int_equal(cmds_sent(&f, HCI_OP_HOST_NUM_COMPLETED), 2);
	hci_host_tick(f.h, 10);
	assert_int_equal(cmds_sent(&f, HCI_OP_HOST_NUM_COMPLETED), 3);
	assert_int_equal(reported(&f, 0x042), 10);
	assert_int_equal(hci_host_stats(f.h)->c2h_completed, 10);
	assert_int_equal(hci_host_stats(f.h)->c2h_commands, 3);
	/* nothing left: no empty report, no timer of ours */
	hci_host_tick(f.h, 100);
	assert_int_equal(cmds_sent(&f, HCI_OP_HOST_NUM_COMPLETED), 3);
	assert_int_equal(hci_host_next_timer(f.h), 5000); /* the unanswered command's timeout */
	/* the queued command still waits for the credit it needs */
	assert_int_equal(cmds_sent(&f, HCI_OP_READ_BD_ADDR), 0);
	hci_host_free(f.h);
}

static void test_one_report_names_every_link(void **st)
{
	struct fake f;
	flow_up(&f, 32, 0x042, 0x043);
	pdu_in(&f, 0x042, 1, 20);
	pdu_in(&f, 0x043, 2, 20);
	pdu_in(&f, 0x043, 3, 20);
	hci_host_tick(f.h, 10);
	assert_int_equal(cmds_sent(&f, HCI_OP_HOST_NUM_COMPLETED), 1);
	const struct pkt *p = nth_cmd(&f, HCI_OP_HOST_NUM_COMPLETED, 0);
	assert_int_equal(p->b[3], 2);
	assert_int_equal(reported(&f, 0x042), 1);
	assert_int_equal(reported(&f, 0x043), 2);
	hci_host_free(f.h);
}

static void test_malformed_packets_give_their_buffer_back(void **st)
{
	struct fake f;
	flow_up(&f, 32, 0x042, 0);
	uint8_t cont[8] = {0};
	acl_in(&f, 0x042, HCI_ACL_PB_CONT, cont, sizeof(cont)); /* continuation without a start */
	uint8_t bad[6] = {0x42, 0x20, 9, 0, 1, 2};		/* length says 9, 2 follow */
	hci_host_input(f.h, HCI_H4_ACL, bad, sizeof(bad));
	hci_host_tick(f.h, 10);
	assert_int_equal(f.rx_count, 0);
	assert_int_equal(reported(&f, 0x042), 2);
	hci_host_free(f.h);
}

/* ---- held links ---------------------------------------------------------------------------- */

static void test_held_link_keeps_its_packets_unreported_and_in_order(void **st)
{
	struct fake f;
	flow_up(&f, 32, 0x042, 0x043);
	pdu_in(&f, 0x042, 0, 20);
	/* a PDU in three fragments: its start goes up before the hold, the rest waits */
	uint8_t d[4 + 30];
	put_le16(d, 30);
	put_le16(d + 2, 0x0040);
	memset(d + 4, 0x5A, 30);
	d[4] = 1;
	acl_in(&f, 0x042, HCI_ACL_PB_START, d, 14);
	assert_int_equal(hci_host_acl_rx_hold(f.h, 0x042, true), 0);
	acl_in(&f, 0x042, HCI_ACL_PB_CONT, d + 14, 10);
	acl_in(&f, 0x042, HCI_ACL_PB_CONT, d + 24, 10);
	for (uint8_t i = 2; i < 5; i++)
		pdu_in(&f, 0x042, i, 20);
	pdu_in(&f, 0x043, 99, 20); /* another link is not held */
	hci_host_tick(f.h, 10);
	assert_int_equal(f.rx_count, 2);
	assert_int_equal(f.rx_tags[0], 0);
	assert_int_equal(f.rx_tags[1], 99);
	/* only what went up is reported: the first PDU and the start fragment */
	assert_int_equal(reported(&f, 0x042), 2);
	assert_int_equal(reported(&f, 0x043), 1);
	assert_int_equal(hci_host_stats(f.h)->rx_parked, 5);
	hci_host_tick(f.h, 1000);
	assert_int_equal(reported(&f, 0x042), 2); /* kept ones are never reported while held */
	/* released: nothing goes up inside the call, all of it at the next tick, in order */
	assert_int_equal(hci_host_acl_rx_hold(f.h, 0x042, false), 0);
	assert_int_equal(f.rx_count, 2);
	assert_int_equal(hci_host_next_timer(f.h), 1000); /* due now */
	hci_host_tick(f.h, 1000);
	assert_int_equal(f.rx_count, 6);
	for (int i = 2; i < 6; i++) {
		assert_int_equal(f.rx_handles[i], 0x042);
		assert_int_equal(f.rx_tags[i], i - 1);
	}
	assert_int_equal(f.rx_len, 4 + 20);
	hci_host_tick(f.h, 1010);
	assert_int_equal(reported(&f, 0x042), 2 + 5);
	/* a packet that arrives now goes straight up */
	pdu_in(&f, 0x042, 5, 20);
	assert_int_equal(f.rx_count, 7);
	hci_host_free(f.h);
}

/* The upper layer holds the link again while a kept packet goes up: the rest stays kept. */
static struct fake *g_rehold;
static void rehold_rx(void *user, uint16_t handle, const uint8_t *pdu, size_t len)
{
	f_acl_rx(user, handle, pdu, len);
	if (g_rehold && len > 4 && pdu[4] == 2)
		hci_host_acl_rx_hold(g_rehold->h, handle, true);
}

static void test_hold_again_while_kept_packets_go_up_stops_there(void **st)
{
	struct fake f;
	fake_with_flow(&f, true, false);
	static struct hci_host_ops ops;
	ops = fops;
	ops.acl_rx = rehold_rx;
	f.h = hci_host_new(NULL, &ops, &f);
	assert_int_equal(hci_host_start(f.h), 0);
	for (int i = 0; i < 30 && !f.ready_called; i++)
		answer_all(&f);
	conn_complete(&f, 0x042, 0);
	g_rehold = &f;
	assert_int_equal(hci_host_acl_rx_hold(f.h, 0x042, true), 0);
	for (uint8_t i = 0; i < 5; i++)
		pdu_in(&f, 0x042, i, 20);
	hci_host_acl_rx_hold(f.h, 0x042, false);
	hci_host_tick(f.h, 0);
	assert_int_equal(f.rx_count, 3); /* 0, 1, 2: the hold came with 2 */
	g_rehold = NULL;
	hci_host_acl_rx_hold(f.h, 0x042, false);
	hci_host_tick(f.h, 1);
	assert_int_equal(f.rx_count, 5);
	assert_int_equal(f.rx_tags[4], 4);
	hci_host_free(f.h);
}

static void test_link_loss_forgets_kept_packets_and_counts(void **st)
{
	struct fake f;
	flow_up(&f, 32, 0x042, 0);
	pdu_in(&f, 0x042, 0, 20); /* processed, not reported yet */
	assert_int_equal(hci_host_acl_rx_hold(f.h, 0x042, true), 0);
	for (uint8_t i = 1; i < 4; i++)
		pdu_in(&f, 0x042, i, 20);
	disconn(&f, 0x042, HCI_ERR_REMOTE_USER_TERM);
	hci_host_tick(f.h, 0);
	/* after Disconnection Complete both sides consider the buffers free (4.3): no report for
	 * the gone handle, nothing kept goes up */
	assert_int_equal(cmds_sent(&f, HCI_OP_HOST_NUM_COMPLETED), 0);
	assert_int_equal(f.rx_count, 1);
	assert_int_equal(hci_host_acl_rx_hold(f.h, 0x042, false), L2K_ENOLINK);
	/* the same handle again: counted from zero, not held */
	conn_complete(&f, 0x042, 0);
	pdu_in(&f, 0x042, 7, 20);
	hci_host_tick(f.h, 10);
	assert_int_equal(f.rx_count, 2);
	assert_int_equal(reported(&f, 0x042), 1);
	hci_host_free(f.h);
}

/* one ACL packet of the host's full length (1021 octets): a whole PDU tagged tag */
static void full_pdu_in(struct fake *f, uint16_t handle, uint8_t tag)
{
	uint8_t d[1021];
	put_le16(d, sizeof(d) - 4);
	put_le16(d + 2, 0x0040);
	memset(d + 4, 0x3C, sizeof(d) - 4);
	d[4] = tag;
	acl_in(f, handle, HCI_ACL_PB_START, d, sizeof(d));
}

static void test_controller_beyond_the_host_buffers_is_counted_and_bounded(void **st)
{
	/* 2 host buffers of 1021 octets: a controller that hands over more breaks the flow
	 * control; the host counts it and keeps no more than it announced */
	struct fake f;
	flow_up(&f, 2, 0x042, 0);
	assert_int_equal(hci_host_info(f.h)->host_acl_len, 1021);
	assert_int_equal(hci_host_acl_rx_hold(f.h, 0x042, true), 0);
	for (uint8_t i = 0; i < 5; i++)
		full_pdu_in(&f, 0x042, i);
	const struct hci_host_stats *s = hci_host_stats(f.h);
	assert_int_equal(s->c2h_overrun, 3);
	assert_int_equal(s->rx_parked, 2);
	assert_int_equal(s->rx_drop_park_full, 3);
	hci_host_tick(f.h, 0);
	assert_int_equal(reported(&f, 0x042), 3); /* the dropped ones' buffers are free again */
	hci_host_acl_rx_hold(f.h, 0x042, false);
	hci_host_tick(f.h, 1);
	assert_int_equal(f.rx_count, 2);
	assert_int_equal(f.rx_tags[1], 1);
	assert_int_equal(f.rx_len, 1021);
	assert_int_equal(reported(&f, 0x042), 5);
	hci_host_free(f.h);
}

static void test_controller_complaint_about_a_report_is_reported(void **st)
{
	struct fake f;
	flow_up(&f, 8, 0x042, 0);
	uint8_t status = HCI_ERR_INVALID_PARAMS;
	cmd_complete(&f, HCI_OP_HOST_NUM_COMPLETED, &status, 1);
	assert_true(f.errors > 0);
	assert_non_null(strstr(f.last_error, "Host Number Of Completed Packets"));
	hci_host_free(f.h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bringup_announces_host_buffers_then_turns_flow_control_on),
	    cmocka_unit_test(test_bringup_host_buffer_length_and_count),
	    cmocka_unit_test(test_bringup_without_host_number_of_completed_packets_leaves_flow_control_off),
	    cmocka_unit_test(test_bringup_option_off_sends_neither_command),
	    cmocka_unit_test(test_bringup_refused_flow_control_is_reported_and_goes_on),
	    cmocka_unit_test(test_reports_are_batched_and_need_no_command_credit),
	    cmocka_unit_test(test_one_report_names_every_link),
	    cmocka_unit_test(test_malformed_packets_give_their_buffer_back),
	    cmocka_unit_test(test_held_link_keeps_its_packets_unreported_and_in_order),
	    cmocka_unit_test(test_hold_again_while_kept_packets_go_up_stops_there),
	    cmocka_unit_test(test_link_loss_forgets_kept_packets_and_counts),
	    cmocka_unit_test(test_controller_beyond_the_host_buffers_is_counted_and_bounded),
	    cmocka_unit_test(test_controller_complaint_about_a_report_is_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
