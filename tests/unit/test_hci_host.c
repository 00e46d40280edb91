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

/* The controller lists the security commands: Simple Pairing and Secure Connections host
 * support are turned on before page scanning starts (the controller refuses SC host support
 * while page scanning, Vol 4 Part E 7.3.92), the pairing events are unmasked, Encryption
 * Change v2 too. */
static const uint8_t *sent_params(struct fake *f, uint16_t op)
{
	for (int i = 0; i < f->nout; i++)
		if (f->out[i].type == HCI_H4_CMD && opcode_of(&f->out[i]) == op)
			return f->out[i].b + 3;
	return NULL;
}

static void security_fake(struct fake *f)
{
	fake_init(f, true, true);
	set_bit(f->commands, HCI_CMDBIT_WRITE_SSP_MODE);
	set_bit(f->commands, HCI_CMDBIT_WRITE_SC_HOST_SUPPORT);
	set_bit(f->commands, HCI_CMDBIT_SET_EVENT_MASK_PAGE2);
}

static void test_bringup_turns_on_simple_pairing_and_secure_connections_before_scanning(void **st)
{
	struct fake f;
	security_fake(&f);
	host_new(&f, NULL);
	assert_int_equal(hci_host_start(f.h), 0);
	for (int i = 0; i < 30 && !f.ready_called; i++)
		answer_all(&f);
	assert_int_equal(f.ready_err, 0);
	const uint16_t expect[] = {HCI_OP_RESET,
				   HCI_OP_READ_LOCAL_VERSION,
				   HCI_OP_READ_LOCAL_COMMANDS,
				   HCI_OP_READ_LOCAL_FEATURES,
				   HCI_OP_READ_BD_ADDR,
				   HCI_OP_READ_BUFFER_SIZE,
				   HCI_OP_LE_READ_BUFFER_SIZE,
				   HCI_OP_LE_READ_LOCAL_FEATURES,
				   HCI_OP_SET_EVENT_MASK,
				   HCI_OP_SET_EVENT_MASK_PAGE2,
				   HCI_OP_LE_SET_EVENT_MASK,
				   HCI_OP_WRITE_LE_HOST_SUPPORTED,
				   HCI_OP_WRITE_SSP_MODE,
				   HCI_OP_WRITE_SC_HOST_SUPPORT,
				   HCI_OP_WRITE_SCAN_ENABLE};
	assert_int_equal(f.nout, (int)(sizeof(expect) / sizeof(expect[0])));
	for (int i = 0; i < f.nout; i++)
		assert_int_equal(opcode_of(&f.out[i]), expect[i]);
	assert_int_equal(sent_params(&f, HCI_OP_WRITE_SSP_MODE)[0], 0x01);
	assert_int_equal(sent_params(&f, HCI_OP_WRITE_SC_HOST_SUPPORT)[0], 0x01);
	/* Set Event Mask (7.3.1): bit n is event n + 1 */
	const uint8_t *m = sent_params(&f, HCI_OP_SET_EVENT_MASK);
	const unsigned on[] = {5,  /* Authentication Complete */
			       7,  /* Encryption Change */
			       21, /* PIN Code Request */
			       22, /* Link Key Request */
			       23, /* Link Key Notification */
			       47, /* Encryption Key Refresh Complete */
			       48, /* IO Capability Request */
			       49, /* IO Capability Response */
			       50, /* User Confirmation Request */
			       51, /* User Passkey Request */
			       52, /* Remote OOB Data Request */
			       53, /* Simple Pairing Complete */
			       58, /* User Passkey Notification */
			       61 /* LE Meta */};
	for (size_t i = 0; i < sizeof(on) / sizeof(on[0]); i++)
		if (!((m[on[i] / 8] >> (on[i] % 8)) & 1))
			fail_msg("event mask bit %u is clear", on[i]);
	/* Set Event Mask Page 2 (7.3.69): Encryption Change v2 (bit 25) alone */
	const uint8_t *m2 = sent_params(&f, HCI_OP_SET_EVENT_MASK_PAGE2);
	const uint8_t want2[8] = {0, 0, 0, 0x02, 0, 0, 0, 0};
	assert_memory_equal(m2, want2, 8);
	const struct hci_controller_info *in = hci_host_info(f.h);
	assert_true(in->ssp);
	assert_true(in->sc);
	assert_true(in->enc_change_v2);
	hci_host_free(f.h);
}

static void test_bringup_legacy_pairing_leaves_simple_pairing_off(void **st)
{
	struct fake f;
	security_fake(&f);
	struct hci_host_config cfg;
	hci_host_config_default(&cfg);
	cfg.ssp = cfg.sc = false;
	host_new(&f, &cfg);
	hci_host_start(f.h);
	for (int i = 0; i < 30 && !f.ready_called; i++)
		answer_all(&f);
	assert_int_equal(f.ready_err, 0);
	assert_false(host_sent(&f, HCI_OP_WRITE_SSP_MODE));
	assert_false(host_sent(&f, HCI_OP_WRITE_SC_HOST_SUPPORT));
	const uint8_t *m = sent_params(&f, HCI_OP_SET_EVENT_MASK);
	assert_int_equal(m[6] & 0x3F, 0); /* bits 48-53: no Simple Pairing events */
	assert_int_equal(m[7] & 0x04, 0); /* bit 58 */
	assert_true(m[5] & 0x80);	  /* Encryption Key Refresh Complete all the same */
	assert_false(hci_host_info(f.h)->ssp);
	assert_false(hci_host_info(f.h)->sc);
	hci_host_free(f.h);
}

static void test_bringup_goes_on_when_secure_connections_is_refused(void **st)
{
	struct fake f;
	security_fake(&f);
	f.silent_op_enabled = true;
	f.silent_op = HCI_OP_WRITE_SC_HOST_SUPPORT;
	host_new(&f, NULL);
	hci_host_start(f.h);
	for (int i = 0; i < 30 && !host_sent(&f, HCI_OP_WRITE_SC_HOST_SUPPORT); i++)
		answer_all(&f);
	assert_true(host_sent(&f, HCI_OP_WRITE_SC_HOST_SUPPORT));
	uint8_t st0 = HCI_ERR_COMMAND_DISALLOWED;
	cmd_complete(&f, HCI_OP_WRITE_SC_HOST_SUPPORT, &st0, 1);
	f.silent_op_enabled = false;
	for (int i = 0; i < 30 && !f.ready_called; i++)
		answer_all(&f);
	assert_int_equal(f.ready_err, 0);
	assert_true(host_sent(&f, HCI_OP_WRITE_SCAN_ENABLE));
	assert_true(hci_host_info(f.h)->ssp);
	assert_false(hci_host_info(f.h)->sc);
	assert_true(f.errors >= 1);
	assert_non_null(strstr(f.last_error, "Secure Connections"));
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

/* A controller that answers with Num_HCI_Command_Packets 0 and never gives a credit back (no
 * NOP) does not leave the next command waiting for ever: after cmd_timeout_ms with nothing
 * outstanding it goes out anyway (then the command watchdog times it as any other); while a
 * command is outstanding, a 0 credit count is simply waited out (its answer brings credits). */
static void test_cmdq_zero_credits_without_nop_do_not_stall_for_ever(void **st)
{
	struct fake f;
	fake_init(&f, true, false);
	bring_up(&f);
	hci_host_set_now(f.h, 1000);
	uint8_t v = 0;
	assert_int_equal(hci_host_cmd(f.h, HCI_OP_WRITE_SCAN_ENABLE, &v, 1, NULL, NULL), 0);
	int sent = f.nout;
	assert_int_equal(hci_host_cmd(f.h, HCI_OP_WRITE_SCAN_ENABLE, &v, 1, NULL, NULL), 0);
	assert_int_equal(f.nout, sent); /* no credit: the second waits */
	/* the first is answered, with Num_HCI_Command_Packets 0 */
	uint8_t p[4] = {0, 0x1A, 0x0C, 0};
	evt(&f, HCI_EV_CMD_COMPLETE, p, 4);
	assert_int_equal(f.nout, sent);
	assert_int_equal(hci_host_next_timer(f.h), 1000 + 5000);
	hci_host_tick(f.h, 5999);
	assert_int_equal(f.nout, sent);
	hci_host_tick(f.h, 6000);
	assert_int_equal(f.nout, sent + 1); /* sent anyway */
	assert_int_equal(f.host_failed, 0);
	assert_int_equal(hci_host_stats(f.h)->cmd_credit_stalls, 1);
	/* outstanding now, with 0 credits: a third waits for its answer, not for a time-out */
	assert_int_equal(hci_host_cmd(f.h, HCI_OP_WRITE_SCAN_ENABLE, &v, 1, NULL, NULL), 0);
	hci_host_tick(f.h, 9000);
	assert_int_equal(f.nout, sent + 1);
	uint8_t p1[4] = {1, 0x1A, 0x0C, 0};
	evt(&f, HCI_EV_CMD_COMPLETE, p1, 4);
	assert_int_equal(f.nout, sent + 2);
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
	conn_complete(&f, 0x0005, 0);
	hci_host_set_now(f.h, 1000);
	assert_int_equal(hci_host_cmd(f.h, 0x0C14 /* Read Local Name */, NULL, 0, record_cb, NULL), 0);
	assert_int_equal(hci_host_next_timer(f.h), 1000 + 5000);
	/* a completion for another opcode does not complete it */
	uint8_t z = 0;
	cmd_complete(&f, HCI_OP_RESET, &z, 1);
	assert_int_equal(cb_status, 1000);
	hci_host_tick(f.h, 5999);
	assert_int_equal(cb_status, 1000);
	assert_int_equal(f.host_failed, 0);
	/* the command watchdog: a controller that leaves a command unanswered stopped responding */
	hci_host_tick(f.h, 6000);
	assert_int_equal(cb_status, L2K_ECTRLTIMEOUT);
	assert_non_null(strstr(f.last_error, "0x0c14"));
	assert_non_null(strstr(f.last_error, "not responding"));
	assert_int_equal(hci_host_stats(f.h)->cmd_timeouts, 1);
	/* the host failed: told before the links went down (0x16: ended by the local host) */
	assert_int_equal(f.host_failed, 1);
	assert_int_equal(f.failed_err, L2K_ECTRLTIMEOUT);
	assert_int_equal(hci_host_failed(f.h), L2K_ECTRLTIMEOUT);
	assert_int_equal(f.links_at_failure, 1);
	assert_int_equal(f.links_down, 1);
	assert_int_equal(f.last_reason, HCI_ERR_LOCAL_HOST_TERM);
	assert_int_equal(hci_host_link_count(f.h), 0);
	/* nothing more goes to the controller, and what it says now is ignored */
	int before = f.nout;
	assert_int_equal(hci_host_cmd(f.h, HCI_OP_WRITE_SCAN_ENABLE, &z, 1, record_cb, NULL), L2K_ENETDOWN);
	assert_int_equal(f.nout, before);
	conn_complete(&f, 0x0006, 0);
	assert_int_equal(f.links_up, 1);
	assert_int_equal(hci_host_stats(f.h)->rx_after_failure, 1);
	assert_int_equal(hci_host_next_timer(f.h), UINT64_MAX);
	hci_host_free(f.h);
}

/* ---- the ACL transmit watchdog ------------------------------------------------------------ */

static int count_op(const struct fake *f, uint16_t op)
{
	int n = 0;
	for (int i = 0; i < f->nout; i++)
		n += f->out[i].type == HCI_H4_CMD && opcode_of(&f->out[i]) == op;
	return n;
}

static void test_watchdog_probes_a_silent_controller_and_a_live_one_keeps_its_links(void **st)
{
	struct fake f;
	fake_init(&f, true, false); /* 2 buffers of 27 */
	bring_up(&f);
	hci_host_set_now(f.h, 1000);
	conn_complete(&f, 0x0005, 0);
	/* no link: nothing to watch; a link: its controller must show a sign of life */
	uint8_t pdu[4 + 100] = {100, 0, 0x40, 0};
	assert_int_equal(hci_host_acl_send(f.h, 5, pdu, sizeof(pdu)), 0);
	assert_int_equal(count_acl(&f, 5), 2); /* both buffers in use: completions are due */
	assert_int_equal(hci_host_next_timer(f.h), 1000 + HCI_ACL_TX_TIMEOUT_DEFAULT);
	hci_host_tick(f.h, 1000 + HCI_ACL_TX_TIMEOUT_DEFAULT - 1);
	assert_int_equal(count_op(&f, HCI_OP_READ_LOCAL_VERSION), 0);
	/* silent for the whole period, packets outstanding: asked whether it is alive */
	hci_host_tick(f.h, 1000 + HCI_ACL_TX_TIMEOUT_DEFAULT);
	assert_int_equal(count_op(&f, HCI_OP_READ_LOCAL_VERSION), 1);
	assert_int_equal(hci_host_stats(f.h)->probes, 1);
	/* the probe's answer is due within the period (it is shorter than the command timeout) */
	assert_int_equal(hci_host_next_timer(f.h), 1000 + 2 * HCI_ACL_TX_TIMEOUT_DEFAULT);
	/* it answers: alive.  Its links stay, however long their packets wait (a peer holding its
	 * data): probed again after each silent period */
	uint64_t t = 1000 + HCI_ACL_TX_TIMEOUT_DEFAULT + 100;
	hci_host_set_now(f.h, t);
	answer_all(&f);
	for (int i = 0; i < 8; i++) {
		hci_host_tick(f.h, t + HCI_ACL_TX_TIMEOUT_DEFAULT - 1);
		assert_int_equal(count_op(&f, HCI_OP_READ_LOCAL_VERSION), 1 + i);
		t += HCI_ACL_TX_TIMEOUT_DEFAULT;
		hci_host_tick(f.h, t);
		assert_int_equal(count_op(&f, HCI_OP_READ_LOCAL_VERSION), 2 + i);
		answer_all(&f);
	}
	assert_int_equal(f.host_failed, 0);
	assert_int_equal(f.links_down, 0);
	assert_int_equal(hci_host_acl_pending(f.h, 5), 2 + 1);
	/* any sign of life restarts the silence: a completion just before the period ends */
	t += HCI_ACL_TX_TIMEOUT_DEFAULT - 1;
	hci_host_set_now(f.h, t);
	nocp(&f, 5, 2);
	hci_host_tick(f.h, t + HCI_ACL_TX_TIMEOUT_DEFAULT - 1);
	assert_int_equal(count_op(&f, HCI_OP_READ_LOCAL_VERSION), 9);
	/* an idle link is watched too (a host that only receives) */
	nocp(&f, 5, 2);
	assert_int_equal(hci_host_acl_pending(f.h, 5), 0);
	hci_host_tick(f.h, t + 2 * HCI_ACL_TX_TIMEOUT_DEFAULT);
	assert_int_equal(count_op(&f, HCI_OP_READ_LOCAL_VERSION), 10);
	hci_host_free(f.h);
}

static void test_watchdog_unanswered_probe_ends_every_link_and_the_host(void **st)
{
	struct fake f;
	fake_init(&f, true, true);
	bring_up(&f);
	hci_host_set_now(f.h, 1000);
	conn_complete(&f, 0x0005, 0);
	le_conn_complete(&f, 0x0006);
	answer_all(&f); /* LE Set Data Length */
	uint8_t pdu[4 + 100] = {100, 0, 0x40, 0};
	assert_int_equal(hci_host_acl_send(f.h, 5, pdu, sizeof(pdu)), 0);
	hci_host_tick(f.h, 1000 + HCI_ACL_TX_TIMEOUT_DEFAULT);
	assert_int_equal(count_op(&f, HCI_OP_READ_LOCAL_VERSION), 1);
	hci_host_tick(f.h, 1000 + 2 * HCI_ACL_TX_TIMEOUT_DEFAULT - 1);
	assert_int_equal(f.host_failed, 0);
	/* frozen: no answer within the period either */
	hci_host_tick(f.h, 1000 + 2 * HCI_ACL_TX_TIMEOUT_DEFAULT);
	assert_int_equal(f.host_failed, 1);
	assert_int_equal(f.failed_err, L2K_ECTRLTIMEOUT);
	assert_non_null(strstr(f.last_error, "not responding"));
	assert_non_null(strstr(f.last_error, "2 ACL packets without Number Of Completed Packets"));
	assert_int_equal(f.links_at_failure, 2);
	assert_int_equal(f.links_down, 2);
	assert_int_equal(f.last_reason, HCI_ERR_LOCAL_HOST_TERM);
	assert_int_equal(hci_host_stats(f.h)->cmd_timeouts, 1);
	assert_int_equal(hci_host_acl_send(f.h, 5, pdu, sizeof(pdu)), L2K_ENOLINK);
	assert_int_equal(hci_host_next_timer(f.h), UINT64_MAX);
	hci_host_free(f.h);
}

static void test_watchdog_timeout_is_configurable_and_can_be_off(void **st)
{
	struct fake f;
	fake_init(&f, true, false);
	struct hci_host_config c;
	hci_host_config_default(&c);
	c.acl_tx_timeout_ms = 700;
	c.cmd_timeout_ms = 500; /* the probe waits the shorter of the two */
	host_new(&f, &c);
	hci_host_start(f.h);
	for (int i = 0; i < 20 && !f.ready_called; i++)
		answer_all(&f);
	f.nout = f.answered = 0;
	conn_complete(&f, 0x0005, 0);
	hci_host_tick(f.h, 699);
	assert_int_equal(count_op(&f, HCI_OP_READ_LOCAL_VERSION), 0);
	hci_host_tick(f.h, 700);
	assert_int_equal(count_op(&f, HCI_OP_READ_LOCAL_VERSION), 1);
	hci_host_tick(f.h, 1199);
	assert_int_equal(f.host_failed, 0);
	hci_host_tick(f.h, 1200);
	assert_int_equal(f.host_failed, 1);
	assert_non_null(strstr(f.last_error, "nothing from it for 700 ms"));
	hci_host_free(f.h);

	/* off: a silent controller is not asked (only the command watchdog remains) */
	fake_init(&f, true, false);
	hci_host_config_default(&c);
	c.acl_tx_timeout_ms = HCI_WATCHDOG_OFF;
	host_new(&f, &c);
	hci_host_start(f.h);
	for (int i = 0; i < 20 && !f.ready_called; i++)
		answer_all(&f);
	f.nout = f.answered = 0;
	conn_complete(&f, 0x0005, 0);
	uint8_t pdu[4 + 10] = {10, 0, 0x40, 0};
	assert_int_equal(hci_host_acl_send(f.h, 5, pdu, sizeof(pdu)), 0);
	assert_int_equal(hci_host_next_timer(f.h), UINT64_MAX);
	hci_host_tick(f.h, 3600000);
	assert_int_equal(f.nout, 1);
	assert_int_equal(f.host_failed, 0);
	hci_host_free(f.h);
}

static void test_a_command_in_flight_is_the_probe(void **st)
{
	struct fake f;
	fake_init(&f, true, false);
	bring_up(&f);
	conn_complete(&f, 0x0005, 0);
	/* while a command waits for its answer the command watchdog times it: no probe on top */
	assert_int_equal(hci_host_cmd(f.h, 0x0C14, NULL, 0, record_cb, NULL), 0);
	assert_int_equal(hci_host_next_timer(f.h), 5000);
	hci_host_tick(f.h, 4999);
	assert_int_equal(count_op(&f, HCI_OP_READ_LOCAL_VERSION), 0);
	/* answered: the silence starts from the answer */
	answer_all(&f);
	assert_int_equal(hci_host_next_timer(f.h), 4999 + HCI_ACL_TX_TIMEOUT_DEFAULT);
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
		uint16_t hf = get_le16(f.out[i].b);
		assert_int_equal(HCI_ACL_HANDLE(hf), 5);
		assert_int_equal(HCI_ACL_PB(hf), i == 0 ? HCI_ACL_PB_START : HCI_ACL_PB_CONT);
		uint16_t dl = get_le16(f.out[i].b + 2);
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
	put_le16(pdu, sizeof(pdu) - 4);
	assert_int_equal(hci_host_acl_send(f.h, 1, pdu, sizeof(pdu)), 0);
	assert_int_equal(hci_host_acl_send(f.h, 2, pdu, sizeof(pdu)), 0);
	/* each completion lets exactly one packet go, alternating between the links */
	for (int i = 0; i < 10; i++) {
		uint16_t last = HCI_ACL_HANDLE(get_le16(f.out[f.nout - 1].b));
		nocp(&f, last, 1);
	}
	int n1 = count_acl(&f, 1), n2 = count_acl(&f, 2);
	assert_int_equal(n1 + n2, 11);
	assert_true(abs(n1 - n2) <= 1);
	for (int i = 1; i < f.nout; i++)
		assert_int_not_equal(HCI_ACL_HANDLE(get_le16(f.out[i].b)),
				     HCI_ACL_HANDLE(get_le16(f.out[i - 1].b)));
	hci_host_free(f.h);
}

/* Signaling queued after data goes out at the next PDU boundary (never inside a PDU's
 * fragments); with after_data it waits for the data queued before it. */
static void test_acl_signaling_goes_first_at_a_pdu_boundary(void **st)
{
	struct fake f;
	fake_init(&f, true, false);
	f.acl_count = 1;
	bring_up(&f);
	conn_complete(&f, 0x0001, 0);
	uint8_t data[4 + 100] = {100, 0, 0x40, 0}; /* 4 ACL packets of 27 (the fake's ACL MTU) */
	for (int i = 0; i < 3; i++)
		assert_int_equal(hci_host_acl_send(f.h, 1, data, sizeof(data)), 0);
	int first = f.nout - 1; /* the first fragment of data PDU 1 is out */
	uint8_t sig[4 + 8] = {8, 0, 0x01, 0, 0x08, 0x01, 0x04, 0x00, 'p', 'i', 'n', 'g'};
	uint8_t disc[4 + 8] = {8, 0, 0x01, 0, 0x06, 0x02, 0x04, 0x00, 0x40, 0, 0x41, 0};
	struct hci_iov v1 = {sig, sizeof(sig)}, v2 = {disc, sizeof(disc)};
	assert_int_equal(hci_host_acl_send_sig(f.h, 1, &v2, 1, true), 0);  /* after the 3 PDUs */
	assert_int_equal(hci_host_acl_send_sig(f.h, 1, &v1, 1, false), 0); /* behind it (FIFO) */
	assert_int_equal(hci_host_acl_pending(f.h, 1), 3 + 2 + 1);
	for (int i = 0; i < 30; i++)
		nocp(&f, 1, 1);
	/* what went out, PDU by PDU: data 1 (4 fragments), data 2, data 3, disc, echo */
	int pdus = 0, frags = 0;
	uint8_t order[8];
	for (int i = first; i < f.nout; i++) {
		if (f.out[i].type != HCI_H4_ACL)
			continue;
		uint16_t hf = get_le16(f.out[i].b);
		frags++;
		if (HCI_ACL_PB(hf) != HCI_ACL_PB_CONT) {
			assert_true(pdus < 8);
			order[pdus++] = get_le16(f.out[i].b + 4 + 2) == 0x0001 ? f.out[i].b[4 + 4] : 0;
		}
	}
	assert_int_equal(pdus, 5);
	assert_int_equal(frags, 4 * 3 + 1 + 1);
	assert_int_equal(order[0], 0);
	assert_int_equal(order[1], 0);
	assert_int_equal(order[2], 0);
	assert_int_equal(order[3], 0x06);
	assert_int_equal(order[4], 0x08);

	/* without a barrier, signaling overtakes the queued data at the next boundary */
	f.nout = 0;
	for (int i = 0; i < 3; i++)
		assert_int_equal(hci_host_acl_send(f.h, 1, data, sizeof(data)), 0);
	assert_int_equal(hci_host_acl_send_sig(f.h, 1, &v1, 1, false), 0);
	for (int i = 0; i < 30; i++)
		nocp(&f, 1, 1);
	pdus = 0;
	for (int i = 0; i < f.nout; i++) {
		if (f.out[i].type != HCI_H4_ACL || HCI_ACL_PB(get_le16(f.out[i].b)) == HCI_ACL_PB_CONT)
			continue;
		order[pdus++] = get_le16(f.out[i].b + 4 + 2) == 0x0001 ? f.out[i].b[4 + 4] : 0;
	}
	assert_int_equal(pdus, 4);
	assert_int_equal(order[0], 0);    /* data PDU 1 was being sent: it finishes */
	assert_int_equal(order[1], 0x08); /* then the Echo Request */
	assert_int_equal(order[2], 0);
	assert_int_equal(order[3], 0);
	assert_int_equal(hci_host_acl_pending(f.h, 1), 0);

	/* the signaling queue is bounded apart from the data queue: full is L2K_ENOBUFS */
	f.acl_count = 0;
	int n = 0, r;
	static uint8_t big[4 + 1000] = {0xE8, 0x03, 0x01, 0};
	struct hci_iov vb = {big, sizeof(big)};
	while ((r = hci_host_acl_send_sig(f.h, 1, &vb, 1, false)) == 0)
		n++;
	assert_int_equal(r, L2K_ENOBUFS);
	assert_true(n >= HCI_SIG_QUEUE_BYTES / 1020 - 1 && n <= HCI_SIG_QUEUE_BYTES / 1004);
	assert_true(hci_host_acl_sig_room(f.h, 1) < sizeof(big));
	assert_int_equal(hci_host_acl_send(f.h, 1, data, sizeof(data)), 0); /* data still goes */
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
	put_le16(pdu, 60000);
	put_le16(pdu + 2, 0x40);
	int ok = 0, r;
	while ((r = hci_host_acl_send(f.h, 1, pdu, sizeof(pdu))) == 0)
		ok++;
	assert_int_equal(r, L2K_EAGAIN);
	assert_int_equal(ok, 1); /* larger than the 16 KiB bound: taken only into an empty queue */
	assert_int_equal(hci_host_acl_room(f.h, 1), 0);
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

/* Small PDUs fill the queue up to its bound (16 KiB by default, record headers included) and
 * hci_host_acl_room says what still fits; room is reported once it drained to half. */
static void test_acl_queue_bound_counts_small_pdus(void **st)
{
	struct fake f;
	fake_init(&f, true, false);
	bring_up(&f);
	conn_complete(&f, 0x0001, 0);
	static uint8_t pdu[4 + 1000];
	put_le16(pdu, 1000);
	put_le16(pdu + 2, 0x40);
	int ok = 0, r;
	size_t room = hci_host_acl_room(f.h, 1);
	while ((r = hci_host_acl_send(f.h, 1, pdu, sizeof(pdu))) == 0) {
		ok++;
		size_t now = hci_host_acl_room(f.h, 1);
		assert_true(now < room);
		room = now;
	}
	assert_int_equal(r, L2K_EAGAIN);
	/* each record: 1004 octets + 4 of ring header; the controller took its buffers' worth
	 * of the first PDU already (the fake controller has few, small buffers) */
	assert_true(ok >= 16384 / 1008 && ok <= 16384 / 1008 + 1);
	assert_true(room < sizeof(pdu));
	assert_true(hci_host_acl_blocked(f.h, 1));
	for (int i = 0; i < 20000 && f.room_calls == 0; i++) {
		f.nout = 0;
		nocp(&f, 1, 2);
	}
	assert_int_equal(f.room_calls, 1);
	assert_false(hci_host_acl_blocked(f.h, 1));
	assert_true(hci_host_acl_room(f.h, 1) >= 8192 - 8);
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
	put_le16(pdu, 100);
	put_le16(pdu + 2, 0x0040);
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
	put_le16(pdu, 50);
	put_le16(pdu + 2, 0x0040);
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
	put_le16(big, 4);
	put_le16(big + 2, 0x40);
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
	put_le16(hdr, 101);
	put_le16(hdr + 2, 0x40);
	acl_in(&f, 7, HCI_ACL_PB_START, hdr, 10);
	assert_int_equal(hci_host_stats(f.h)->rx_drop_too_big, 1);
	for (int i = 0; i < 20; i++)
		acl_in(&f, 7, HCI_ACL_PB_CONT, hdr, 10);
	assert_int_equal(f.rx_count, 0);
	put_le16(hdr, 6);
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

/* ---- LE advertising ------------------------------------------------------------------------ */

/* LE Connection Complete with a status and our role (0 central, 1 peripheral). */
static void le_conn_role(struct fake *f, uint16_t handle, uint8_t status, uint8_t role)
{
	uint8_t p[19] = {HCI_LE_CONN_COMPLETE, status, (uint8_t)handle, (uint8_t)(handle >> 8), role, 0, 1, 2, 3, 4, 5, 6,
			 0x18, 0, 0, 0, 0xF4, 0x01, 0};
	evt(f, HCI_EV_LE_META, p, sizeof(p));
}

/* The LE Set Advertising Enable commands the host sent since the last call: a string of '1'
 * (enable) and '0' (disable), e.g. "01"; other commands are left out. */
static const char *adv_enables(struct fake *f, int *from)
{
	static char s[MAXPKT + 1];
	int n = 0;
	for (; *from < f->nout; (*from)++) {
		const struct pkt *p = &f->out[*from];
		if (p->type == HCI_H4_CMD && opcode_of(p) == HCI_OP_LE_SET_ADV_ENABLE && p->len == 4)
			s[n++] = p->b[3] ? '1' : '0';
	}
	s[n] = 0;
	return s;
}

/* Answer commands as answer_all does up to the first LE Set Advertising Enable (the commands
 * go one at a time), and that one with status st. */
static void answer_adv(struct fake *f, uint8_t st)
{
	f->silent_op_enabled = true;
	f->silent_op = HCI_OP_LE_SET_ADV_ENABLE;
	answer_all(f);
	f->silent_op_enabled = false;
	assert_true(f->nout > 0);
	assert_int_equal(opcode_of(&f->out[f->nout - 1]), HCI_OP_LE_SET_ADV_ENABLE);
	cmd_complete(f, HCI_OP_LE_SET_ADV_ENABLE, &st, 1);
}

static void adv_fake(struct fake *f)
{
	fake_init(f, false, true);
	set_bit(f->commands, HCI_CMDBIT_LE_SET_ADV_PARAMS);
	set_bit(f->commands, HCI_CMDBIT_LE_SET_ADV_DATA);
	set_bit(f->commands, HCI_CMDBIT_LE_SET_ADV_ENABLE);
	bring_up(f);
}

/* Keep mode: advertising is enabled again after a connection as peripheral (the controller
 * stopped it), after a connection that failed to be established as peripheral, and after an LE
 * link down when the controller had refused it for want of room; not after a connection as
 * central; a refusal is reported only when no LE link is there to wait for. */
/* Events that the security manager, the engine and the API read (not the host itself) are
 * checked here too: one cut short is counted and passed to nobody, a whole one goes up. */
static void test_events_cut_short_are_counted_and_go_no_further(void **st)
{
	struct fake f;
	fake_init(&f, true, true);
	bring_up(&f);
	static const struct {
		uint8_t code, sub; /* sub: LE Meta subevent (0: not LE Meta) */
		uint8_t len;	   /* fixed parameters (LE Meta: subevent octet included) */
	} ev[] = {
	    {HCI_EV_AUTH_COMPLETE, 0, 3},	     {HCI_EV_ENCRYPT_CHANGE, 0, 4},
	    {HCI_EV_REMOTE_FEATURES, 0, 11},	     {HCI_EV_REMOTE_VERSION, 0, 8},
	    {HCI_EV_PIN_CODE_REQUEST, 0, 6},	     {HCI_EV_LINK_KEY_REQUEST, 0, 6},
	    {HCI_EV_LINK_KEY_NOTIFICATION, 0, 23},   {HCI_EV_REMOTE_EXT_FEATURES, 0, 13},
	    {HCI_EV_ENCRYPT_KEY_REFRESH, 0, 3},	     {HCI_EV_IO_CAP_REQUEST, 0, 6},
	    {HCI_EV_IO_CAP_RESPONSE, 0, 9},	     {HCI_EV_USER_CONFIRM_REQUEST, 0, 10},
	    {HCI_EV_USER_PASSKEY_REQUEST, 0, 6},     {HCI_EV_REMOTE_OOB_REQUEST, 0, 6},
	    {HCI_EV_SIMPLE_PAIRING_COMPLETE, 0, 7},  {HCI_EV_USER_PASSKEY_NOTIFICATION, 0, 10},
	    {HCI_EV_KEYPRESS_NOTIFICATION, 0, 7},    {HCI_EV_ENCRYPT_CHANGE_V2, 0, 5},
	    {HCI_EV_HARDWARE_ERROR, 0, 1},	     {HCI_EV_DATA_BUFFER_OVERFLOW, 0, 1},
	    {HCI_EV_LE_META, HCI_LE_REMOTE_FEATURES, 12}, {HCI_EV_LE_META, HCI_LE_LTK_REQUEST, 13},
	    {HCI_EV_LE_META, HCI_LE_REMOTE_CONN_PARAM_REQ, 11}, {HCI_EV_LE_META, HCI_LE_DATA_LENGTH_CHANGE, 11},
	    {HCI_EV_LE_META, HCI_LE_CONN_UPDATE_COMPLETE, 10},
	};
	uint8_t p[40];
	memset(p, 0x00, sizeof(p));
	p[0] = HCI_ERR_UNKNOWN_COMMAND; /* a status octet that makes the handlers act on nothing */
	for (size_t i = 0; i < sizeof(ev) / sizeof(ev[0]); i++) {
		if (ev[i].sub)
			p[0] = ev[i].sub;
		int events = f.events;
		uint64_t bad = hci_host_stats(f.h)->evt_malformed;
		evt(&f, ev[i].code, p, ev[i].len - 1u);
		assert_int_equal(hci_host_stats(f.h)->evt_malformed, bad + 1);
		assert_int_equal(f.events, events);
		evt(&f, ev[i].code, p, ev[i].len);
		assert_int_equal(hci_host_stats(f.h)->evt_malformed, bad + 1);
		assert_int_equal(f.events, events + 1);
		p[0] = HCI_ERR_UNKNOWN_COMMAND;
	}
	/* an LE Advertising Report whose report runs past the event */
	uint8_t adv[1 + 1 + 10 + 3] = {HCI_LE_ADV_REPORT, 1, 0, 0, 1, 2, 3, 4, 5, 6, 3, 0xAA, 0xBB, 0xCC, 0xC0};
	int events = f.events;
	uint64_t bad = hci_host_stats(f.h)->evt_malformed;
	evt(&f, HCI_EV_LE_META, adv, sizeof(adv) - 1);
	adv[1] = 2; /* two reports announced, one there */
	evt(&f, HCI_EV_LE_META, adv, sizeof(adv));
	assert_int_equal(hci_host_stats(f.h)->evt_malformed, bad + 2);
	assert_int_equal(f.events, events);
	adv[1] = 1;
	evt(&f, HCI_EV_LE_META, adv, sizeof(adv));
	assert_int_equal(f.events, events + 1);
	/* events l2kit does not read go up as they are */
	evt(&f, HCI_EV_MAX_SLOTS_CHANGE, p, 1);
	assert_int_equal(f.events, events + 2);
	assert_int_equal(hci_host_stats(f.h)->evt_malformed, bad + 2);
	hci_host_free(f.h);
}

static void test_le_advertise_keep_restarts_when_advertising_stopped(void **st)
{
	struct fake f;
	adv_fake(&f);
	int at = 0;
	assert_int_equal(hci_host_le_advertise_keep(f.h, NULL, 0, 0), 0);
	answer_adv(&f, 0); /* parameters, data, enable */
	assert_string_equal(adv_enables(&f, &at), "1");
	assert_true(hci_host_le_advertising(f.h));
	/* a central connects: advertising stopped, enabled again */
	le_conn_role(&f, 0x0040, 0, 0x01);
	assert_false(hci_host_le_advertising(f.h));
	assert_string_equal(adv_enables(&f, &at), "1");
	/* the controller has no room for another connection: wait for a link down */
	answer_adv(&f, HCI_ERR_CONN_LIMIT);
	assert_false(hci_host_le_advertising(f.h));
	assert_int_equal(f.errors, 0);
	disconn(&f, 0x0040, HCI_ERR_REMOTE_USER_TERM);
	assert_string_equal(adv_enables(&f, &at), "1");
	answer_adv(&f, 0);
	/* our own connection as central changes nothing */
	le_conn_role(&f, 0x0041, 0, 0x00);
	assert_string_equal(adv_enables(&f, &at), "");
	/* a connection that failed to be established as peripheral: advertising ended */
	le_conn_role(&f, 0x0000, HCI_ERR_CONN_FAILED_ESTABLISH, 0x01);
	assert_string_equal(adv_enables(&f, &at), "1");
	/* with no LE link to wait for, a refusal is worth telling */
	disconn(&f, 0x0041, HCI_ERR_REMOTE_USER_TERM);
	answer_adv(&f, HCI_ERR_COMMAND_DISALLOWED);
	assert_int_equal(f.errors, 1);
	assert_non_null(strstr(f.last_error, "0x0c"));
	hci_host_free(f.h);
}

/* max_links bounds keep mode: no advertising while that many LE links are up (either role),
 * again when one goes down. */
static void test_le_advertise_keep_honours_max_links(void **st)
{
	struct fake f;
	adv_fake(&f);
	int at = 0;
	assert_int_equal(hci_host_le_advertise_keep(f.h, NULL, 0, 2), 0);
	answer_adv(&f, 0); /* parameters, data, enable */
	assert_string_equal(adv_enables(&f, &at), "1");
	le_conn_role(&f, 0x0040, 0, 0x01);
	assert_string_equal(adv_enables(&f, &at), "1"); /* one link: room for a second */
	answer_adv(&f, 0);
	le_conn_role(&f, 0x0041, 0, 0x01);
	assert_string_equal(adv_enables(&f, &at), ""); /* two: full */
	disconn(&f, 0x0040, HCI_ERR_REMOTE_USER_TERM);
	assert_string_equal(adv_enables(&f, &at), "1");
	answer_adv(&f, 0);
	/* asked while full: parameters and data set, enabled only when a link goes */
	le_conn_role(&f, 0x0042, 0, 0x00);
	assert_string_equal(adv_enables(&f, &at), "");
	assert_int_equal(hci_host_le_advertise_keep(f.h, NULL, 0, 2), 0);
	assert_string_equal(adv_enables(&f, &at), "0"); /* it was on: off before new parameters */
	answer_all(&f);
	assert_false(hci_host_le_advertising(f.h));
	disconn(&f, 0x0042, HCI_ERR_REMOTE_USER_TERM);
	assert_string_equal(adv_enables(&f, &at), "1");
	answer_adv(&f, 0);
	assert_true(hci_host_le_advertising(f.h));
	assert_int_equal(f.errors, 0);
	hci_host_free(f.h);
}

/* hci_host_le_advertise (on or off) ends keep mode: nothing is enabled behind the caller's back;
 * turning it on while it is on stops it first (parameters cannot change while advertising); a
 * refusal is reported. */
static void test_le_advertise_one_shot_and_off_end_keep_mode(void **st)
{
	struct fake f;
	adv_fake(&f);
	int at = 0;
	assert_int_equal(hci_host_le_advertise_keep(f.h, NULL, 0, 0), 0);
	answer_all(&f);
	assert_int_equal(hci_host_le_advertise(f.h, true, NULL, 0), 0);
	answer_all(&f);
	assert_string_equal(adv_enables(&f, &at), "101");
	/* the disable goes before the parameters */
	int dis = -1, prm = -1;
	for (int i = 0; i < f.nout; i++) {
		if (f.out[i].type != HCI_H4_CMD)
			continue;
		if (opcode_of(&f.out[i]) == HCI_OP_LE_SET_ADV_ENABLE && f.out[i].b[3] == 0)
			dis = i;
		if (opcode_of(&f.out[i]) == HCI_OP_LE_SET_ADV_PARAMS)
			prm = i;
	}
	assert_true(dis >= 0 && prm > dis);
	le_conn_role(&f, 0x0040, 0, 0x01);
	disconn(&f, 0x0040, HCI_ERR_REMOTE_USER_TERM);
	assert_string_equal(adv_enables(&f, &at), ""); /* one-shot: stays off */
	assert_int_equal(hci_host_le_advertise_keep(f.h, NULL, 0, 0), 0);
	answer_all(&f);
	assert_int_equal(hci_host_le_advertise(f.h, false, NULL, 0), 0);
	answer_all(&f);
	assert_string_equal(adv_enables(&f, &at), "10");
	assert_false(hci_host_le_advertising(f.h));
	le_conn_role(&f, 0x0041, 0, 0x01); /* a central that was on its way */
	disconn(&f, 0x0041, HCI_ERR_REMOTE_USER_TERM);
	assert_string_equal(adv_enables(&f, &at), "");
	/* a one-shot refusal leaves the device unreachable: reported */
	assert_int_equal(f.errors, 0);
	assert_int_equal(hci_host_le_advertise(f.h, true, NULL, 0), 0);
	answer_adv(&f, HCI_ERR_CONN_LIMIT);
	assert_int_equal(f.errors, 1);
	assert_non_null(strstr(f.last_error, "0x09"));
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
	    cmocka_unit_test(test_bringup_turns_on_simple_pairing_and_secure_connections_before_scanning),
	    cmocka_unit_test(test_bringup_legacy_pairing_leaves_simple_pairing_off),
	    cmocka_unit_test(test_bringup_goes_on_when_secure_connections_is_refused),
	    cmocka_unit_test(test_bringup_prefers_le_read_buffer_size_v2),
	    cmocka_unit_test(test_bringup_le_size_zero_means_shared_buffers),
	    cmocka_unit_test(test_bringup_error_status_fails_with_the_opcode_named),
	    cmocka_unit_test(test_cmdq_honours_num_hci_command_packets),
	    cmocka_unit_test(test_cmdq_zero_credits_without_nop_do_not_stall_for_ever),
	    cmocka_unit_test(test_cmdq_matches_completion_by_opcode_and_times_out_naming_it),
	    cmocka_unit_test(test_watchdog_probes_a_silent_controller_and_a_live_one_keeps_its_links),
	    cmocka_unit_test(test_watchdog_unanswered_probe_ends_every_link_and_the_host),
	    cmocka_unit_test(test_watchdog_timeout_is_configurable_and_can_be_off),
	    cmocka_unit_test(test_a_command_in_flight_is_the_probe),
	    cmocka_unit_test(test_cmdq_rejects_oversized_params_and_full_queue),
	    cmocka_unit_test(test_incoming_connection_request_is_accepted_and_link_reported),
	    cmocka_unit_test(test_failed_connection_and_link_loss_are_reported_with_reason),
	    cmocka_unit_test(test_acl_fragments_to_controller_mtu_with_pb_flags),
	    cmocka_unit_test(test_acl_never_exceeds_controller_buffers_and_resumes_on_nocp),
	    cmocka_unit_test(test_acl_round_robin_shares_buffers_between_links),
	    cmocka_unit_test(test_acl_buffers_return_on_disconnect),
	    cmocka_unit_test(test_acl_queue_is_bounded_and_reports_room),
	    cmocka_unit_test(test_acl_queue_bound_counts_small_pdus),
	    cmocka_unit_test(test_acl_signaling_goes_first_at_a_pdu_boundary),
	    cmocka_unit_test(test_reassembly_joins_start_and_continuations),
	    cmocka_unit_test(test_reassembly_drops_malformed_sequences_and_counts_them),
	    cmocka_unit_test(test_reassembly_is_bounded_by_max_rx_pdu),
	    cmocka_unit_test(test_events_shorter_than_fixed_fields_are_counted_not_trusted),
	    cmocka_unit_test(test_events_cut_short_are_counted_and_go_no_further),
	    cmocka_unit_test(test_le_advertise_keep_restarts_when_advertising_stopped),
	    cmocka_unit_test(test_le_advertise_keep_honours_max_links),
	    cmocka_unit_test(test_le_advertise_one_shot_and_off_end_keep_mode),
	    cmocka_unit_test(test_bdaddr_text_round_trip_and_rejects_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
