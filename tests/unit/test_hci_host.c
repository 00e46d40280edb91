/* HCI host: bring-up, command queue, link events, ACL fragmentation, flow control and
 * reassembly, driven against a scripted fake controller (test_hci_fake.h). */
#include "tests/unit/test_hci_fake.h"

/* ---- bring-up ------------------------------------------------------------------------------ */

static void test_bringup_dual_mode_sends_the_full_sequence_in_order(void **st)
{
	struct fake f;
	fake_init(&f, true, true);
	host_new(&f, NULL);
	assert_int_equal(hci_host_start(f.h), 0);
	for (int i = 0; i < 20 && !f.ready_called; i++)
		answer_all(&f);
	assert_int_equal(f.ready_err, 0);
	const uint16_t expect[] = {HCI_OP_RESET,		HCI_OP_READ_LOCAL_VERSION,
				   HCI_OP_READ_LOCAL_COMMANDS,	HCI_OP_READ_LOCAL_FEATURES,
				   HCI_OP_READ_BD_ADDR,		HCI_OP_READ_BUFFER_SIZE,
				   HCI_OP_LE_READ_BUFFER_SIZE,	HCI_OP_LE_READ_LOCAL_FEATURES,
				   HCI_OP_SET_EVENT_MASK,	HCI_OP_LE_SET_EVENT_MASK,
				   HCI_OP_WRITE_LE_HOST_SUPPORTED, HCI_OP_WRITE_SCAN_ENABLE};
	assert_int_equal(f.nout, (int)(sizeof(expect) / sizeof(expect[0])));
	for (int i = 0; i < f.nout; i++)
		assert_int_equal(opcode_of(&f.out[i]), expect[i]);
	const struct hci_controller_info *in = hci_host_info(f.h);
	assert_true(in->bredr);
	assert_true(in->le);
	assert_int_equal(in->acl_mtu, 27);
	assert_int_equal(in->acl_count, 2);
	assert_int_equal(in->le_acl_count, 3);
	assert_false(in->le_shared);
	assert_int_equal(in->manufacturer, 0x05f1);
	assert_int_equal(in->addr.b[0], 0x10);
	/* LE Meta event enabled in the event mask (bit 61) */
	for (int i = 0; i < f.nout; i++)
		if (opcode_of(&f.out[i]) == HCI_OP_SET_EVENT_MASK)
			assert_true(f.out[i].b[3 + 7] & 0x20);
	hci_host_free(f.h);
}

static void test_bringup_never_sends_commands_missing_from_the_bitmap(void **st)
{
	struct fake f;
	fake_init(&f, true, false);
	/* take away Set Event Mask and Write Scan Enable */
	f.commands[5] &= (uint8_t)~0x40;
	f.commands[7] &= (uint8_t)~0x80;
	host_new(&f, NULL);
	hci_host_start(f.h);
	for (int i = 0; i < 20 && !f.ready_called; i++)
		answer_all(&f);
	assert_int_equal(f.ready_err, 0);
	assert_false(host_sent(&f, HCI_OP_SET_EVENT_MASK));
	assert_false(host_sent(&f, HCI_OP_WRITE_SCAN_ENABLE));
	assert_false(host_sent(&f, HCI_OP_LE_READ_BUFFER_SIZE));
	assert_false(host_sent(&f, HCI_OP_LE_SET_EVENT_MASK));
	assert_false(host_sent(&f, HCI_OP_WRITE_LE_HOST_SUPPORTED));
	/* and the API refuses them too */
	assert_int_equal(hci_host_set_connectable(f.h, true), L2K_ENOTSUP);
	hci_host_free(f.h);
}

static void test_bringup_prefers_le_read_buffer_size_v2(void **st)
{
	struct fake f;
	fake_init(&f, false, true);
	set_bit(f.commands, HCI_CMDBIT_LE_READ_BUFFER_SIZE_V2);
	f.le_mtu = 251;
	f.le_count = 8;
	host_new(&f, NULL);
	hci_host_start(f.h);
	for (int i = 0; i < 20 && !f.ready_called; i++)
		answer_all(&f);
	assert_int_equal(f.ready_err, 0);
	assert_true(host_sent(&f, HCI_OP_LE_READ_BUFFER_SIZE_V2));
	assert_false(host_sent(&f, HCI_OP_LE_READ_BUFFER_SIZE));
	assert_false(host_sent(&f, HCI_OP_WRITE_SCAN_ENABLE)); /* LE only */
	assert_false(hci_host_info(f.h)->bredr);
	assert_int_equal(hci_host_info(f.h)->le_acl_mtu, 251);
	assert_int_equal(hci_host_info(f.h)->le_acl_count, 8);
	hci_host_free(f.h);
}

static void test_bringup_le_size_zero_means_shared_buffers(void **st)
{
	struct fake f;
	fake_init(&f, true, true);
	f.le_mtu = 0;
	f.le_count = 0;
	bring_up(&f);
	assert_true(hci_host_info(f.h)->le_shared);
	/* an LE link now draws on the BR/EDR pool: 2 buffers of 27 */
	le_conn_complete(&f, 0x41);
	uint8_t pdu[4 + 100] = {100, 0, 0x40, 0};
	assert_int_equal(hci_host_acl_send(f.h, 0x41, pdu, sizeof(pdu)), 0);
	assert_int_equal(count_acl(&f, 0x41), 2);
	hci_host_free(f.h);
}

static void test_bringup_error_status_fails_with_the_opcode_named(void **st)
{
	struct fake f;
	fake_init(&f, true, false);
	host_new(&f, NULL);
	hci_host_start(f.h);
	uint8_t st1 = HCI_ERR_HARDWARE_FAILURE;
	cmd_complete(&f, HCI_OP_RESET, &st1, 1);
	assert_true(f.ready_called);
	assert_int_equal(f.ready_err, L2K_ECTRL);
	assert_non_null(strstr(f.last_error, "Reset"));
	hci_host_free(f.h);
}

/* ---- command queue ------------------------------------------------------------------------- */

static void test_cmdq_honours_num_hci_command_packets(void **st)
{
	struct fake f;
	fake_init(&f, true, false);
	bring_up(&f);
	uint8_t v = 0;
	/* the last Command Complete gave 1 credit: three commands → one sent */
	for (int i = 0; i < 3; i++)
		assert_int_equal(hci_host_cmd(f.h, HCI_OP_WRITE_SCAN_ENABLE, &v, 1, NULL, NULL), 0);
	assert_int_equal(f.nout, 1);
	/* a Command Complete with Num_HCI_Command_Packets = 0 lets nothing through */
	uint8_t p[4] = {0, 0x1A, 0x0C, 0};
	evt(&f, HCI_EV_CMD_COMPLETE, p, 4);
	assert_int_equal(f.nout, 1);
	/* a NOP (opcode 0) with 2 credits releases the remaining two */
	uint8_t nop[3] = {2, 0, 0};
	evt(&f, HCI_EV_CMD_COMPLETE, nop, 3);
	assert_int_equal(f.nout, 3);
	hci_host_free(f.h);
}

static int cb_status = 1000;
static size_t cb_len;
static void record_cb(void *arg, int status, const uint8_t *ret, size_t len)
{
	cb_status = status;
	cb_len = len;
}

static void test_cmdq_matches_completion_by_opcode_and_times_out_naming_it(void **st)
{
	struct fake f;
	fake_init(&f, true, false);
	bring_up(&f);
	hci_host_set_now(f.h, 1000);
	assert_int_equal(hci_host_cmd(f.h, 0x0C14 /* Read Local Name */, NULL, 0, record_cb, NULL), 0);
	assert_int_equal(hci_host_next_timer(f.h), 1000 + 5000);
	/* a completion for another opcode does not complete it */
	uint8_t z = 0;
	cmd_complete(&f, HCI_OP_RESET, &z, 1);
	assert_int_equal(cb_status, 1000);
	hci_host_tick(f.h, 5999);
	assert_int_equal(cb_status, 1000);
	hci_host_tick(f.h, 6000);
	assert_int_equal(cb_status, L2K_ECTRLTIMEOUT);
	assert_non_null(strstr(f.last_error, "0x0c14"));
	assert_int_equal(hci_host_stats(f.h)->cmd_timeouts, 1);
	/* the queue goes on: the next command is sent */
	int before = f.nout;
	assert_int_equal(hci_host_cmd(f.h, HCI_OP_WRITE_SCAN_ENABLE, &z, 1, record_cb, NULL), 0);
	assert_int_equal(f.nout, before + 1);
	uint8_t ret[3] = {0, 0xAA, 0xBB};
	cmd_complete(&f, HCI_OP_WRITE_SCAN_ENABLE, ret, 3);
	assert_int_equal(cb_status, 0);
	assert_int_equal(cb_len, 2);
	hci_host_free(f.h);
}

static void test_cmdq_rejects_oversized_params_and_full_queue(void **st)
{
	struct fake f;
	fake_init(&f, true, false);
	bring_up(&f);
	uint8_t big[300] = {0};
	assert_int_equal(hci_host_cmd(f.h, 0x0C13, big, 256, NULL, NULL), L2K_EINVAL);
	int r = 0, n = 0;
	while ((r = hci_host_cmd(f.h, 0x0C14, NULL, 0, NULL, NULL)) == 0)
		n++;
	assert_int_equal(r, L2K_ENOBUFS);
	assert_true(n >= 8);
	hci_host_free(f.h);
}

/* ---- links --------------------------------------------------------------------------------- */

static void test_incoming_connection_request_is_accepted_and_link_reported(void **st)
{
	struct fake f;
	fake_init(&f, true, false);
	bring_up(&f);
	uint8_t req[10] = {1, 2, 3, 4, 5, 6, 0, 0, 0, 0x01};
	evt(&f, HCI_EV_CONN_REQUEST, req, 10);
	assert_int_equal(f.nout, 1);
	assert_int_equal(opcode_of(&f.out[0]), HCI_OP_ACCEPT_CONN_REQ);
	assert_memory_equal(f.out[0].b + 3, req, 6);
	answer_all(&f);
	conn_complete(&f, 0x0042, 0);
	assert_int_equal(f.links_up, 1);
	assert_non_null(hci_host_link(f.h, 0x42));
	/* SCO requests are rejected */
	req[9] = 0x00;
	evt(&f, HCI_EV_CONN_REQUEST, req, 10);
	assert_int_equal(opcode_of(&f.out[1]), HCI_OP_REJECT_CONN_REQ);
	hci_host_free(f.h);
}

static void test_failed_connection_and_link_loss_are_reported_with_reason(void **st)
{
	struct fake f;
	fake_init(&f, true, false);
	bring_up(&f);
	hci_bdaddr_t a = {{1, 2, 3, 4, 5, 6}};
	assert_int_equal(hci_host_connect(f.h, HCI_LINK_BREDR, &a, 0), 0);
	assert_int_equal(opcode_of(&f.out[0]), HCI_OP_CREATE_CONN);
	conn_complete(&f, 0x0001, HCI_ERR_PAGE_TIMEOUT);
	assert_int_equal(f.failed_connects, 1);
	assert_int_equal(f.last_reason, HCI_ERR_PAGE_TIMEOUT);
	conn_complete(&f, 0x0002, 0);
	disconn(&f, 0x0002, HCI_ERR_CONN_TIMEOUT);
	assert_int_equal(f.links_down, 1);
	assert_int_equal(f.last_reason, HCI_ERR_CONN_TIMEOUT);
	assert_null(hci_host_link(f.h, 2));
	assert_int_equal(hci_host_acl_send(f.h, 2, (const uint8_t *)"\0\0\x40\0", 4), L2K_ENOLINK);
	hci_host_free(f.h);
}

/* ---- ACL out ------------------------------------------------------------------------------- */

static void test_acl_fragments_to_controller_mtu_with_pb_flags(void **st)
{
	struct fake f;
	fake_init(&f, true, false);
	f.acl_count = 10;
	bring_up(&f);
	conn_complete(&f, 0x0005, 0);
	uint8_t pdu[4 + 60];
	pdu[0] = 60;
	pdu[1] = 0;
	pdu[2] = 0x40;
	pdu[3] = 0;
	for (int i = 0; i < 60; i++)
		pdu[4 + i] = (uint8_t)i;
	assert_int_equal(hci_host_acl_send(f.h, 5, pdu, sizeof(pdu)), 0);
	assert_int_equal(f.nout, 3); /* 64 bytes in 27 + 27 + 10 */
	uint8_t joined[64];
	size_t off = 0;
	for (int i = 0; i < 3; i++) {
		uint16_t hf = hci_get16(f.out[i].b);
		assert_int_equal(HCI_ACL_HANDLE(hf), 5);
		assert_int_equal(HCI_ACL_PB(hf), i == 0 ? HCI_ACL_PB_START : HCI_ACL_PB_CONT);
		uint16_t dl = hci_get16(f.out[i].b + 2);
		assert_int_equal(dl, i < 2 ? 27 : 10);
		assert_int_equal(f.out[i].len, 4u + dl);
		memcpy(joined + off, f.out[i].b + 4, dl);
		off += dl;
	}
	assert_memory_equal(joined, pdu, 64);
	hci_host_free(f.h);
}

static void test_acl_never_exceeds_controller_buffers_and_resumes_on_nocp(void **st)
{
	struct fake f;
	fake_init(&f, true, false); /* 2 buffers of 27 */
	bring_up(&f);
	conn_complete(&f, 0x0005, 0);
	uint8_t pdu[4 + 200] = {200, 0, 0x40, 0};
	assert_int_equal(hci_host_acl_send(f.h, 5, pdu, sizeof(pdu)), 0);
	assert_int_equal(count_acl(&f, 5), 2);
	nocp(&f, 5, 1);
	assert_int_equal(count_acl(&f, 5), 3);
	/* a controller that reports more completions than were in flight is not believed */
	nocp(&f, 5, 5);
	assert_int_equal(count_acl(&f, 5), 5);
	assert_int_equal(hci_host_stats(f.h)->nocp_excess, 3);
	assert_int_equal(hci_host_acl_pending(f.h, 5), 1 + 2);
	hci_host_free(f.h);
}

static void test_acl_round_robin_shares_buffers_between_links(void **st)
{
	struct fake f;
	fake_init(&f, true, false);
	f.acl_count = 1;
	bring_up(&f);
	conn_complete(&f, 0x0001, 0);
	conn_complete(&f, 0x0002, 0);
	uint8_t pdu[4 + 27 * 10 - 4] = {0, 0, 0x40, 0};
	hci_put16(pdu, sizeof(pdu) - 4);
	assert_int_equal(hci_host_acl_send(f.h, 1, pdu, sizeof(pdu)), 0);
	assert_int_equal(hci_host_acl_send(f.h, 2, pdu, sizeof(pdu)), 0);
	/* each completion lets exactly one packet go, alternating between the links */
	for (int i = 0; i < 10; i++) {
		uint16_t last = HCI_ACL_HANDLE(hci_get16(f.out[f.nout - 1].b));
		nocp(&f, last, 1);
	}
	int n1 = count_acl(&f, 1), n2 = count_acl(&f, 2);
	assert_int_equal(n1 + n2, 11);
	assert_true(abs(n1 - n2) <= 1);
	for (int i = 1; i < f.nout; i++)
		assert_int_not_equal(HCI_ACL_HANDLE(hci_get16(f.out[i].b)),
				     HCI_ACL_HANDLE(hci_get16(f.out[i - 1].b)));
	hci_host_free(f.h);
}

static void test_acl_buffers_return_on_disconnect(void **st)
{
	struct fake f;
	fake_init(&f, true, false); /* 2 buffers */
	bring_up(&f);
	conn_complete(&f, 0x0001, 0);
	conn_complete(&f, 0x0002, 0);
	uint8_t pdu[4 + 100] = {100, 0, 0x40, 0};
	assert_int_equal(hci_host_acl_send(f.h, 1, pdu, sizeof(pdu)), 0);
	assert_int_equal(count_acl(&f, 1), 2); /* both buffers used by link 1 */
	assert_int_equal(hci_host_acl_send(f.h, 2, pdu, sizeof(pdu)), 0);
	assert_int_equal(count_acl(&f, 2), 0);
	disconn(&f, 0x0001, HCI_ERR_REMOTE_USER_TERM);
	assert_int_equal(count_acl(&f, 2), 2); /* link 1's buffers went to link 2 */
	hci_host_free(f.h);
}

static void test_acl_queue_is_bounded_and_reports_room(void **st)
{
	struct fake f;
	fake_init(&f, true, false);
	bring_up(&f);
	conn_complete(&f, 0x0001, 0);
	static uint8_t pdu[4 + 60000];
	hci_put16(pdu, 60000);
	hci_put16(pdu + 2, 0x40);
	int ok = 0, r;
	while ((r = hci_host_acl_send(f.h, 1, pdu, sizeof(pdu))) == 0)
		ok++;
	assert_int_equal(r, L2K_EAGAIN);
	assert_true(ok >= 2 && ok <= 3); /* 128 KiB queue */
	assert_int_equal(f.room_calls, 0);
	/* drain: each completion of 2 packets frees 54 bytes; run until room is reported */
	for (int i = 0; i < 20000 && f.room_calls == 0; i++) {
		f.nout = 0;
		nocp(&f, 1, 2);
	}
	assert_int_equal(f.room_calls, 1);
	assert_int_equal(hci_host_acl_send(f.h, 1, pdu, sizeof(pdu)), 0);
	/* PDUs outside the L2CAP size range are refused */
	assert_int_equal(hci_host_acl_send(f.h, 1, pdu, 3), L2K_EMSGSIZE);
	hci_host_free(f.h);
}

/* ---- ACL in -------------------------------------------------------------------------------- */

static void rx_setup(struct fake *f)
{
	fake_init(f, true, false);
	bring_up(f);
	conn_complete(f, 0x0007, 0);
}

static void test_reassembly_joins_start_and_continuations(void **st)
{
	struct fake f;
	rx_setup(&f);
	uint8_t pdu[4 + 100];
	hci_put16(pdu, 100);
	hci_put16(pdu + 2, 0x0040);
	for (int i = 0; i < 100; i++)
		pdu[4 + i] = (uint8_t)(i * 7);
	acl_in(&f, 7, HCI_ACL_PB_START, pdu, 2); /* even the basic header may be split? no: */
	/* a first fragment shorter than the basic header is dropped and counted */
	assert_int_equal(hci_host_stats(f.h)->rx_drop_short_start, 1);
	acl_in(&f, 7, HCI_ACL_PB_CONT, pdu + 2, 10); /* its continuation is skipped silently */
	assert_int_equal(f.rx_count, 0);
	acl_in(&f, 7, HCI_ACL_PB_START, pdu, 30);
	acl_in(&f, 7, HCI_ACL_PB_CONT, pdu + 30, 40);
	assert_int_equal(f.rx_count, 0);
	acl_in(&f, 7, HCI_ACL_PB_CONT, pdu + 70, 34);
	assert_int_equal(f.rx_count, 1);
	assert_int_equal(f.rx_len, sizeof(pdu));
	assert_memory_equal(f.rx, pdu, sizeof(pdu));
	/* an unfragmented PDU, and an empty one */
	uint8_t empty[4] = {0, 0, 0x40, 0};
	acl_in(&f, 7, HCI_ACL_PB_START, empty, 4);
	assert_int_equal(f.rx_count, 2);
	assert_int_equal(f.rx_len, 4);
	hci_host_free(f.h);
}

static void test_reassembly_drops_malformed_sequences_and_counts_them(void **st)
{
	struct fake f;
	rx_setup(&f);
	uint8_t pdu[4 + 50];
	hci_put16(pdu, 50);
	hci_put16(pdu + 2, 0x0040);
	memset(pdu + 4, 0xAB, 50);
	/* continuation without start */
	acl_in(&f, 7, HCI_ACL_PB_CONT, pdu, 10);
	assert_int_equal(hci_host_stats(f.h)->rx_drop_cont_without_start, 1);
	/* length overrun: continuation carries more than the PDU length */
	acl_in(&f, 7, HCI_ACL_PB_START, pdu, 30);
	acl_in(&f, 7, HCI_ACL_PB_CONT, pdu, 30);
	assert_int_equal(hci_host_stats(f.h)->rx_drop_overrun, 1);
	acl_in(&f, 7, HCI_ACL_PB_CONT, pdu, 4); /* rest of the dropped PDU: ignored */
	assert_int_equal(hci_host_stats(f.h)->rx_drop_cont_without_start, 1);
	/* start fragment longer than its own PDU length */
	uint8_t big[20];
	hci_put16(big, 4);
	hci_put16(big + 2, 0x40);
	acl_in(&f, 7, HCI_ACL_PB_START, big, 20);
	assert_int_equal(hci_host_stats(f.h)->rx_drop_overrun, 2);
	/* a new start while a PDU is incomplete drops the old one, then completes the new one */
	acl_in(&f, 7, HCI_ACL_PB_START, pdu, 20);
	acl_in(&f, 7, HCI_ACL_PB_START, pdu, 20);
	assert_int_equal(hci_host_stats(f.h)->rx_drop_incomplete, 1);
	acl_in(&f, 7, HCI_ACL_PB_CONT, pdu + 20, 34);
	assert_int_equal(f.rx_count, 1);
	assert_memory_equal(f.rx, pdu, sizeof(pdu));
	/* unknown handle; packet whose ACL length disagrees with its size; header cut short */
	acl_in(&f, 9, HCI_ACL_PB_START, pdu, 54);
	assert_int_equal(hci_host_stats(f.h)->rx_drop_unknown_handle, 1);
	uint8_t bad[8] = {7, 0x20, 10, 0, 1, 2, 3, 4};
	hci_host_input(f.h, HCI_H4_ACL, bad, sizeof(bad));
	hci_host_input(f.h, HCI_H4_ACL, bad, 3);
	assert_int_equal(hci_host_stats(f.h)->rx_drop_bad_header, 2);
	assert_int_equal(f.rx_count, 1);
	hci_host_free(f.h);
}

static void test_reassembly_is_bounded_by_max_rx_pdu(void **st)
{
	struct fake f;
	fake_init(&f, true, false);
	struct hci_host_config c;
	hci_host_config_default(&c);
	c.max_rx_pdu = 4 + 100;
	host_new(&f, &c);
	hci_host_start(f.h);
	for (int i = 0; i < 20 && !f.ready_called; i++)
		answer_all(&f);
	conn_complete(&f, 0x0007, 0);
	uint8_t hdr[10];
	hci_put16(hdr, 101);
	hci_put16(hdr + 2, 0x40);
	acl_in(&f, 7, HCI_ACL_PB_START, hdr, 10);
	assert_int_equal(hci_host_stats(f.h)->rx_drop_too_big, 1);
	for (int i = 0; i < 20; i++)
		acl_in(&f, 7, HCI_ACL_PB_CONT, hdr, 10);
	assert_int_equal(f.rx_count, 0);
	hci_put16(hdr, 6);
	acl_in(&f, 7, HCI_ACL_PB_START, hdr, 10);
	assert_int_equal(f.rx_count, 1);
	hci_host_free(f.h);
}

static void test_events_shorter_than_fixed_fields_are_counted_not_trusted(void **st)
{
	struct fake f;
	fake_init(&f, true, false);
	bring_up(&f);
	static const uint8_t codes[] = {HCI_EV_CONN_COMPLETE, HCI_EV_CONN_REQUEST, HCI_EV_DISCONN_COMPLETE,
					HCI_EV_NUM_COMPLETED, HCI_EV_CMD_COMPLETE, HCI_EV_CMD_STATUS,
					HCI_EV_ROLE_CHANGE, HCI_EV_LE_META};
	uint8_t junk[40];
	memset(junk, 0xFF, sizeof(junk));
	for (size_t c = 0; c < sizeof(codes); c++)
		for (size_t n = 0; n < 3; n++)
			evt(&f, codes[c], junk, n);
	/* a NOCP claiming 255 handles in 3 bytes */
	evt(&f, HCI_EV_NUM_COMPLETED, junk, 3);
	/* an event whose length octet disagrees with the packet */
	uint8_t e[4] = {HCI_EV_CMD_COMPLETE, 10, 1, 2};
	hci_host_input(f.h, HCI_H4_EVT, e, 4);
	hci_host_input(f.h, HCI_H4_EVT, e, 1);
	assert_true(hci_host_stats(f.h)->evt_malformed >= 20);
	assert_int_equal(f.links_up, 0);
	assert_int_equal(f.links_down, 0);
	hci_host_free(f.h);
}

static void test_bdaddr_text_round_trip_and_rejects_garbage(void **st)
{
	hci_bdaddr_t a;
	char s[18];
	assert_int_equal(hci_bdaddr_parse("00:AA:01:00:00:42", &a), 0);
	assert_int_equal(a.b[0], 0x42);
	assert_int_equal(a.b[5], 0x00);
	hci_bdaddr_str(&a, s);
	assert_string_equal(s, "00:AA:01:00:00:42");
	assert_int_equal(hci_bdaddr_parse("00:AA:01:00:00", &a), L2K_EINVAL);
	assert_int_equal(hci_bdaddr_parse("00:AA:01:00:00:4G", &a), L2K_EINVAL);
	assert_int_equal(hci_bdaddr_parse("00:AA:01:00:00:42:", &a), L2K_EINVAL);
	assert_int_equal(hci_bdaddr_parse("", &a), L2K_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bringup_dual_mode_sends_the_full_sequence_in_order),
	    cmocka_unit_test(test_bringup_never_sends_commands_missing_from_the_bitmap),
	    cmocka_unit_test(test_bringup_prefers_le_read_buffer_size_v2),
	    cmocka_unit_test(test_bringup_le_size_zero_means_shared_buffers),
	    cmocka_unit_test(test_bringup_error_status_fails_with_the_opcode_named),
	    cmocka_unit_test(test_cmdq_honours_num_hci_command_packets),
	    cmocka_unit_test(test_cmdq_matches_completion_by_opcode_and_times_out_naming_it),
	    cmocka_unit_test(test_cmdq_rejects_oversized_params_and_full_queue),
	    cmocka_unit_test(test_incoming_connection_request_is_accepted_and_link_reported),
	    cmocka_unit_test(test_failed_connection_and_link_loss_are_reported_with_reason),
	    cmocka_unit_test(test_acl_fragments_to_controller_mtu_with_pb_flags),
	    cmocka_unit_test(test_acl_never_exceeds_controller_buffers_and_resumes_on_nocp),
	    cmocka_unit_test(test_acl_round_robin_shares_buffers_between_links),
	    cmocka_unit_test(test_acl_buffers_return_on_disconnect),
	    cmocka_unit_test(test_acl_queue_is_bounded_and_reports_room),
	    cmocka_unit_test(test_reassembly_joins_start_and_continuations),
	    cmocka_unit_test(test_reassembly_drops_malformed_sequences_and_counts_them),
	    cmocka_unit_test(test_reassembly_is_bounded_by_max_rx_pdu),
	    cmocka_unit_test(test_events_shorter_than_fixed_fields_are_counted_not_trusted),
	    cmocka_unit_test(test_bdaddr_text_round_trip_and_rejects_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
