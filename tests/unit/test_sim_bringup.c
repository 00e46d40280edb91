/* Simulated controller bring-up: well-formed answers for every controller type, the Supported
 * Commands bitmap agreeing with behaviour, feature bits per type, unknown opcodes, the command
 * credit, event masks. */
#include "test_sim_harness.h"
#include "transport/sim/sim_hci.h"

struct ref_cmd {
	uint16_t op, bit;
};

/* Opcode <-> Supported Commands bit (Vol 4 Part E 6.27), including commands the simulator
 * does not implement (their bit must be clear and their answer Unknown HCI Command). */
static const struct ref_cmd refs[] = {
	{HCI_OP_INQUIRY, HCI_CMDBIT(0, 0)},
	{HCI_OP_INQUIRY_CANCEL, HCI_CMDBIT(0, 1)},
	{HCI_OP_CREATE_CONN, HCI_CMDBIT_CREATE_CONN},
	{HCI_OP_DISCONNECT, HCI_CMDBIT_DISCONNECT},
	{HCI_OP_CREATE_CONN_CANCEL, HCI_CMDBIT_CREATE_CONN_CANCEL},
	{HCI_OP_ACCEPT_CONN_REQ, HCI_CMDBIT_ACCEPT_CONN_REQ},
	{HCI_OP_REJECT_CONN_REQ, HCI_CMDBIT_REJECT_CONN_REQ},
	{HCI_OP_REMOTE_NAME_REQ, HCI_CMDBIT(2, 3)},
	{HCI_OP_REMOTE_NAME_REQ_CANCEL, HCI_CMDBIT(2, 4)},
	{HCI_OP_READ_REMOTE_FEATURES, HCI_CMDBIT_READ_REMOTE_FEATURES},
	{HCI_OP_READ_REMOTE_EXT_FEATURES, HCI_CMDBIT_READ_REMOTE_EXT_FEATURES},
	{HCI_OP_READ_REMOTE_VERSION, HCI_CMDBIT_READ_REMOTE_VERSION},
	{HCI_OP_LINK_KEY_REPLY, HCI_CMDBIT_LINK_KEY_REPLY},
	{HCI_OP_LINK_KEY_NEG_REPLY, HCI_CMDBIT_LINK_KEY_NEG_REPLY},
	{HCI_OP_PIN_CODE_REPLY, HCI_CMDBIT_PIN_CODE_REPLY},
	{HCI_OP_PIN_CODE_NEG_REPLY, HCI_CMDBIT_PIN_CODE_NEG_REPLY},
	{HCI_OP_AUTH_REQUESTED, HCI_CMDBIT_AUTH_REQUESTED},
	{HCI_OP_SET_CONN_ENCRYPT, HCI_CMDBIT_SET_CONN_ENCRYPT},
	{HCI_OP_IO_CAP_REPLY, HCI_CMDBIT_IO_CAP_REPLY},
	{HCI_OP_USER_CONFIRM_REPLY, HCI_CMDBIT_USER_CONFIRM_REPLY},
	{HCI_OP_USER_CONFIRM_NEG_REPLY, HCI_CMDBIT_USER_CONFIRM_NEG_REPLY},
	{HCI_OP_USER_PASSKEY_REPLY, HCI_CMDBIT_USER_PASSKEY_REPLY},
	{HCI_OP_USER_PASSKEY_NEG_REPLY, HCI_CMDBIT_USER_PASSKEY_NEG_REPLY},
	{HCI_OP_REMOTE_OOB_REPLY, HCI_CMDBIT_REMOTE_OOB_REPLY},
	{HCI_OP_REMOTE_OOB_NEG_REPLY, HCI_CMDBIT_REMOTE_OOB_NEG_REPLY},
	{HCI_OP_IO_CAP_NEG_REPLY, HCI_CMDBIT_IO_CAP_NEG_REPLY},
	{HCI_OP_REMOTE_OOB_EXT_REPLY, HCI_CMDBIT_REMOTE_OOB_EXT_REPLY},
	{HCI_OP_SET_EVENT_MASK, HCI_CMDBIT_SET_EVENT_MASK},
	{HCI_OP_RESET, HCI_CMDBIT_RESET},
	{HCI_OP_WRITE_LOCAL_NAME, SIM_CMDBIT_WRITE_LOCAL_NAME},
	{HCI_OP_READ_LOCAL_NAME, HCI_CMDBIT(7, 1)},
	{HCI_OP_READ_SCAN_ENABLE, HCI_CMDBIT(7, 6)},
	{HCI_OP_WRITE_PAGE_TIMEOUT, SIM_CMDBIT_WRITE_PAGE_TIMEOUT},
	{HCI_OP_READ_AUTH_ENABLE, HCI_CMDBIT(8, 4)},
	{HCI_OP_WRITE_AUTH_ENABLE, HCI_CMDBIT(8, 5)},
	{HCI_OP_WRITE_SCAN_ENABLE, HCI_CMDBIT_WRITE_SCAN_ENABLE},
	{HCI_OP_WRITE_CLASS_OF_DEV, SIM_CMDBIT_WRITE_CLASS_OF_DEV},
	{HCI_OP_SET_CTRL_TO_HOST_FC, HCI_CMDBIT_SET_CTRL_TO_HOST_FC},
	{HCI_OP_HOST_BUFFER_SIZE, HCI_CMDBIT_HOST_BUFFER_SIZE},
	{HCI_OP_HOST_NUM_COMPLETED, HCI_CMDBIT_HOST_NUM_COMPLETED},
	{HCI_OP_READ_INQUIRY_MODE, HCI_CMDBIT(12, 6)},
	{HCI_OP_WRITE_INQUIRY_MODE, HCI_CMDBIT(12, 7)},
	{HCI_OP_READ_EXT_INQUIRY_RSP, HCI_CMDBIT(17, 0)},
	{HCI_OP_WRITE_EXT_INQUIRY_RSP, HCI_CMDBIT(17, 1)},
	{HCI_OP_REFRESH_ENCRYPTION_KEY, HCI_CMDBIT_REFRESH_ENCRYPTION_KEY},
	{HCI_OP_READ_SSP_MODE, HCI_CMDBIT_READ_SSP_MODE},
	{HCI_OP_WRITE_SSP_MODE, HCI_CMDBIT_WRITE_SSP_MODE},
	{HCI_OP_READ_LOCAL_OOB_DATA, HCI_CMDBIT_READ_LOCAL_OOB_DATA},
	{HCI_OP_SEND_KEYPRESS_NOTIF, HCI_CMDBIT_SEND_KEYPRESS_NOTIF},
	{HCI_OP_SET_EVENT_MASK_PAGE2, HCI_CMDBIT_SET_EVENT_MASK_PAGE2},
	{HCI_OP_READ_LE_HOST_SUPPORTED, HCI_CMDBIT_READ_LE_HOST_SUPPORTED},
	{HCI_OP_WRITE_LE_HOST_SUPPORTED, HCI_CMDBIT_WRITE_LE_HOST_SUPPORTED},
	{HCI_OP_READ_SC_HOST_SUPPORT, HCI_CMDBIT_READ_SC_HOST_SUPPORT},
	{HCI_OP_WRITE_SC_HOST_SUPPORT, HCI_CMDBIT_WRITE_SC_HOST_SUPPORT},
	{HCI_OP_READ_LOCAL_OOB_EXT_DATA, HCI_CMDBIT_READ_LOCAL_OOB_EXT_DATA},
	{HCI_OP_READ_LOCAL_VERSION, HCI_CMDBIT_READ_LOCAL_VERSION},
	{HCI_OP_READ_LOCAL_FEATURES, HCI_CMDBIT_READ_LOCAL_FEATURES},
	{HCI_OP_READ_LOCAL_EXT_FEATURES, HCI_CMDBIT_READ_LOCAL_EXT_FEATURES},
	{HCI_OP_READ_BUFFER_SIZE, HCI_CMDBIT_READ_BUFFER_SIZE},
	{HCI_OP_READ_BD_ADDR, HCI_CMDBIT_READ_BD_ADDR},
	{HCI_OP_READ_ENCRYPTION_KEY_SIZE, HCI_CMDBIT_READ_ENCRYPTION_KEY_SIZE},
	{HCI_OP_LE_SET_EVENT_MASK, HCI_CMDBIT_LE_SET_EVENT_MASK},
	{HCI_OP_LE_READ_BUFFER_SIZE, HCI_CMDBIT_LE_READ_BUFFER_SIZE},
	{HCI_OP_LE_READ_LOCAL_FEATURES, HCI_CMDBIT_LE_READ_LOCAL_FEATURES},
	{HCI_OP_LE_SET_RANDOM_ADDR, HCI_CMDBIT_LE_SET_RANDOM_ADDR},
	{HCI_OP_LE_SET_ADV_PARAMS, HCI_CMDBIT_LE_SET_ADV_PARAMS},
	{HCI_OP_LE_READ_ADV_TX_POWER, HCI_CMDBIT_LE_READ_ADV_TX_POWER},
	{HCI_OP_LE_SET_ADV_DATA, HCI_CMDBIT_LE_SET_ADV_DATA},
	{HCI_OP_LE_SET_SCAN_RSP_DATA, HCI_CMDBIT_LE_SET_SCAN_RSP_DATA},
	{HCI_OP_LE_SET_ADV_ENABLE, HCI_CMDBIT_LE_SET_ADV_ENABLE},
	{HCI_OP_LE_SET_SCAN_PARAMS, HCI_CMDBIT_LE_SET_SCAN_PARAMS},
	{HCI_OP_LE_SET_SCAN_ENABLE, HCI_CMDBIT_LE_SET_SCAN_ENABLE},
	{HCI_OP_LE_CREATE_CONN, HCI_CMDBIT_LE_CREATE_CONN},
	{HCI_OP_LE_CREATE_CONN_CANCEL, HCI_CMDBIT_LE_CREATE_CONN_CANCEL},
	{HCI_OP_LE_READ_ACCEPT_LIST_SIZE, HCI_CMDBIT_LE_READ_ACCEPT_LIST_SIZE},
	{HCI_OP_LE_CLEAR_ACCEPT_LIST, HCI_CMDBIT_LE_CLEAR_ACCEPT_LIST},
	{SIM_OP_LE_ADD_ACCEPT_LIST, SIM_CMDBIT_LE_ADD_ACCEPT_LIST},
	{SIM_OP_LE_REMOVE_ACCEPT_LIST, SIM_CMDBIT_LE_REMOVE_ACCEPT_LIST},
	{HCI_OP_LE_CONN_UPDATE, HCI_CMDBIT_LE_CONN_UPDATE},
	{HCI_OP_LE_READ_REMOTE_FEATURES, HCI_CMDBIT_LE_READ_REMOTE_FEATURES},
	{HCI_OP_LE_ENCRYPT, HCI_CMDBIT_LE_ENCRYPT},
	{HCI_OP_LE_RAND, HCI_CMDBIT_LE_RAND},
	{HCI_OP_LE_ENABLE_ENCRYPTION, HCI_CMDBIT_LE_ENABLE_ENCRYPTION},
	{HCI_OP_LE_LTK_REPLY, HCI_CMDBIT_LE_LTK_REPLY},
	{HCI_OP_LE_LTK_NEG_REPLY, HCI_CMDBIT_LE_LTK_NEG_REPLY},
	{HCI_OP_LE_READ_SUPPORTED_STATES, SIM_CMDBIT_LE_READ_SUPPORTED_STATES},
	{HCI_OP_LE_REMOTE_CONN_PARAM_REPLY, HCI_CMDBIT_LE_REMOTE_CONN_PARAM_REPLY},
	{HCI_OP_LE_REMOTE_CONN_PARAM_NEG_REPLY, HCI_CMDBIT_LE_REMOTE_CONN_PARAM_NEG_REPLY},
	{HCI_OP_LE_SET_DATA_LENGTH, HCI_CMDBIT_LE_SET_DATA_LENGTH},
	{HCI_OP_LE_READ_DEFAULT_DATA_LENGTH, HCI_CMDBIT_LE_READ_DEFAULT_DATA_LENGTH},
	{HCI_OP_LE_WRITE_DEFAULT_DATA_LENGTH, HCI_CMDBIT_LE_WRITE_DEFAULT_DATA_LENGTH},
	{HCI_OP_LE_READ_MAX_DATA_LENGTH, HCI_CMDBIT_LE_READ_MAX_DATA_LENGTH},
	{HCI_OP_LE_READ_BUFFER_SIZE_V2, HCI_CMDBIT_LE_READ_BUFFER_SIZE_V2},
};

static const enum sim_ctrl_type types[] = {SIM_TYPE_BREDR, SIM_TYPE_LE, SIM_TYPE_DUAL};

static int ref_bit(uint16_t op)
{
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++)
		if (refs[i].op == op)
			return refs[i].bit;
	return -1;
}

static bool is_unknown(int st)
{
	return st == HCI_ERR_UNKNOWN_COMMAND || st == TH_CS(HCI_ERR_UNKNOWN_COMMAND);
}

static void test_bringup_every_type_answers_well_formed(void **state)
{
	for (size_t t = 0; t < 3; t++) {
		struct th_world *w = th_world_new("bringup");
		struct th_host *h = th_host(w, types[t]);
		uint8_t r[80];
		size_t rl;
		bool le = types[t] & SIM_TYPE_LE, br = types[t] & SIM_TYPE_BREDR;
		assert_int_equal(h->nev, 0); /* says nothing before it is asked */
		assert_int_equal(th_cmd(w, h, HCI_OP_RESET, NULL, 0, r, &rl), 0);
		assert_int_equal(rl, 1);
		assert_int_equal(th_cmd(w, h, HCI_OP_READ_LOCAL_VERSION, NULL, 0, r, &rl), 0);
		assert_int_equal(rl, 9);
		assert_true(r[1] >= 0x06); /* HCI version 4.0 or later */
		assert_int_equal(th_cmd(w, h, HCI_OP_READ_LOCAL_COMMANDS, NULL, 0, r, &rl), 0);
		assert_int_equal(rl, 65);
		uint8_t cmds[64];
		memcpy(cmds, r + 1, 64);
		assert_int_equal(th_cmd(w, h, HCI_OP_READ_LOCAL_FEATURES, NULL, 0, r, &rl), 0);
		assert_int_equal(rl, 9);
		/* feature bits right for the type (Vol 2 Part C 3.3) */
		assert_int_equal(hci_bit_test(r + 1, 8, HCI_FEAT_LE_SUPPORTED_CTRL), le);
		assert_int_equal(hci_bit_test(r + 1, 8, HCI_FEAT_BREDR_NOT_SUPPORTED), !br);
		assert_int_equal(hci_bit_test(r + 1, 8, HCI_FEAT_EXTENDED_FEATURES), br);
		assert_int_equal(th_cmd(w, h, HCI_OP_READ_BD_ADDR, NULL, 0, r, &rl), 0);
		assert_int_equal(rl, 7);
		assert_memory_equal(r + 1, h->addr.b, 6);
		assert_int_equal(th_cmd(w, h, HCI_OP_READ_BUFFER_SIZE, NULL, 0, r, &rl), 0);
		assert_int_equal(rl, 8);
		assert_int_equal(get_le16(r + 1), 1021);
		assert_int_equal(get_le16(r + 4), 8);
		if (br) {
			uint8_t pg = 0;
			assert_int_equal(th_cmd(w, h, HCI_OP_READ_LOCAL_EXT_FEATURES, &pg, 1, r, &rl), 0);
			assert_int_equal(rl, 11);
			assert_int_equal(r[2], 2); /* max page: page 2 has Secure Connections (Controller) */
			pg = 1;
			assert_int_equal(th_cmd(w, h, HCI_OP_READ_LOCAL_EXT_FEATURES, &pg, 1, r, &rl), 0);
			assert_int_equal(r[3] & 0x02, 0); /* LE host not yet supported */
		}
		if (le && br) {
			uint8_t p[2] = {1, 0};
			uint8_t pg = 1;
			assert_int_equal(th_cmd(w, h, HCI_OP_WRITE_LE_HOST_SUPPORTED, p, 2, r, &rl), 0);
			assert_int_equal(th_cmd(w, h, HCI_OP_READ_LOCAL_EXT_FEATURES, &pg, 1, r, &rl), 0);
			assert_int_equal(r[3] & 0x02, 0x02);
		}
		if (le) {
			assert_int_equal(th_cmd(w, h, HCI_OP_LE_READ_BUFFER_SIZE, NULL, 0, r, &rl), 0);
			assert_int_equal(rl, 4);
			assert_int_equal(get_le16(r + 1), 251);
			assert_int_equal(r[3], 8);
			assert_int_equal(th_cmd(w, h, HCI_OP_LE_READ_BUFFER_SIZE_V2, NULL, 0, r, &rl), 0);
			assert_int_equal(rl, 7);
			assert_int_equal(get_le16(r + 1), 251);
			assert_int_equal(th_cmd(w, h, HCI_OP_LE_READ_LOCAL_FEATURES, NULL, 0, r, &rl), 0);
			assert_int_equal(rl, 9);
			assert_true(r[1] & 0x20); /* data packet length extension */
			assert_true(r[1] & 0x02); /* connection parameters request procedure */
			assert_int_equal(th_cmd(w, h, HCI_OP_LE_READ_MAX_DATA_LENGTH, NULL, 0, r, &rl), 0);
			assert_int_equal(rl, 9);
			assert_int_equal(get_le16(r + 1), 251);
		}
		/* the bitmap lists what the type has */
		assert_int_equal(hci_bit_test(cmds, 64, HCI_CMDBIT_CREATE_CONN), br);
		assert_int_equal(hci_bit_test(cmds, 64, HCI_CMDBIT_LE_CREATE_CONN), le);
		assert_int_equal(hci_bit_test(cmds, 64, HCI_CMDBIT_WRITE_LE_HOST_SUPPORTED), le && br);
		assert_true(hci_bit_test(cmds, 64, HCI_CMDBIT_RESET));
		assert_true(hci_bit_test(cmds, 64, HCI_CMDBIT_HOST_NUM_COMPLETED));
		assert_int_equal(h->nev, 0); /* nothing but the answers */
		th_world_free(w);
	}
}

static void test_bitmap_matches_behaviour_for_every_opcode(void **state)
{
	static const struct {
		uint16_t ogf, max_ocf;
	} ranges[] = {{1, 0x50}, {2, 0x20}, {3, 0x90}, {4, 0x10}, {5, 0x10}, {6, 0x10}, {8, 0x90}, {0x3F, 0x10}};
	for (size_t t = 0; t < 3; t++) {
		struct th_world *w = th_world_new("bitmap");
		struct th_host *h = th_host(w, types[t]);
		uint8_t r[256]; /* Read Local Name returns 249 octets */
		size_t rl;
		assert_int_equal(th_cmd(w, h, HCI_OP_READ_LOCAL_COMMANDS, NULL, 0, r, &rl), 0);
		uint8_t cmds[64];
		memcpy(cmds, r + 1, 64);
		unsigned known = 0;
		for (size_t g = 0; g < sizeof(ranges) / sizeof(ranges[0]); g++) {
			for (uint16_t ocf = 0; ocf <= ranges[g].max_ocf; ocf++) {
				uint16_t op = HCI_OP(ranges[g].ogf, ocf);
				int st = th_cmd(w, h, op, NULL, 0, r, &rl);
				int bit = ref_bit(op);
				if (is_unknown(st)) {
					if (bit >= 0 && hci_bit_test(cmds, 64, (uint16_t)bit))
						fail_msg("type %d: opcode 0x%04x has its bit but is unknown", types[t], op);
				} else {
					known++;
					if (op == HCI_OP_READ_LOCAL_COMMANDS)
						continue; /* octet 14 bit 4 is reserved: no bit of its own */
					if (bit < 0)
						fail_msg("type %d: opcode 0x%04x answered but has no reference bit",
							 types[t], op);
					if (!hci_bit_test(cmds, 64, (uint16_t)bit))
						fail_msg("type %d: opcode 0x%04x answered but bit %d is clear", types[t],
							 op, bit);
				}
				h->nev = 0; /* side events of probes (none expected to matter) */
			}
		}
		/* and every bit set belongs to an implemented command */
		unsigned bits = 0;
		for (uint16_t b = 0; b < 512; b++)
			if (hci_bit_test(cmds, 64, b)) {
				bits++;
				bool found = false;
				for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++)
					found |= refs[i].bit == b;
				if (!found)
					fail_msg("type %d: bit %u set for no known command", types[t], b);
			}
		assert_int_equal(known, bits + 1); /* + Read Local Supported Commands */
		assert_true(known > 10);
		th_world_free(w);
	}
}

static void test_unknown_opcodes_get_command_status_unknown(void **state)
{
	struct th_world *w = th_world_new("unknown");
	struct th_host *h = th_host(w, SIM_TYPE_LE);
	uint16_t ops[] = {0xFC01, HCI_OP_INQUIRY, HCI_OP_CREATE_CONN /* BR/EDR on LE-only */, 0x2050, 0x0000};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		uint8_t p[3] = {1, 2, 3};
		int st = th_cmd(w, h, ops[i], p, 3, NULL, NULL);
		assert_int_equal(st, TH_CS(HCI_ERR_UNKNOWN_COMMAND));
	}
	struct sim_ctrl_stats s;
	sim_ctrl_get_stats(h->c, &s);
	assert_int_equal(s.cmds_unknown, 5);
	/* still answering normally */
	assert_int_equal(th_cmd(w, h, HCI_OP_RESET, NULL, 0, NULL, NULL), 0);
	th_world_free(w);
}

static void test_bad_parameter_length_gets_invalid_parameters(void **state)
{
	struct th_world *w = th_world_new("badlen");
	struct th_host *h = th_host(w, SIM_TYPE_DUAL);
	uint8_t p[3] = {0};
	assert_int_equal(th_cmd(w, h, HCI_OP_SET_EVENT_MASK, p, 3, NULL, NULL), HCI_ERR_INVALID_PARAMS);
	assert_int_equal(th_cmd(w, h, HCI_OP_CREATE_CONN, p, 3, NULL, NULL), TH_CS(HCI_ERR_INVALID_PARAMS));
	assert_int_equal(th_cmd(w, h, HCI_OP_LE_CREATE_CONN, NULL, 0, NULL, NULL), TH_CS(HCI_ERR_INVALID_PARAMS));
	assert_int_equal(th_cmd(w, h, HCI_OP_HOST_NUM_COMPLETED, p, 3, NULL, NULL), HCI_ERR_INVALID_PARAMS);
	/* malformed framing is refused outright */
	uint8_t bad[4] = {0x03, 0x0C, 5, 0};
	assert_int_equal(sim_ctrl_feed(h->c, HCI_H4_CMD, bad, 4), L2K_EBADMSG);
	assert_int_equal(sim_ctrl_feed(h->c, HCI_H4_CMD, bad, 2), L2K_EBADMSG);
	assert_int_equal(sim_ctrl_feed(h->c, HCI_H4_SCO, bad, 4), L2K_ENOTSUP);
	th_world_free(w);
}

static void test_command_without_credit_is_reported(void **state)
{
	struct th_world *w = th_world_new("credit");
	struct th_host *h = th_host(w, SIM_TYPE_DUAL);
	uint8_t reset[3] = {0x03, 0x0C, 0};
	uint8_t ver[3] = {0x01, 0x10, 0};
	/* two commands before reading the first answer: the controller reported 1 credit */
	assert_int_equal(sim_ctrl_feed(h->c, HCI_H4_CMD, reset, 3), 0);
	assert_int_equal(sim_ctrl_feed(h->c, HCI_H4_CMD, ver, 3), 0);
	th_pump(w);
	struct th_ev e = {0};
	assert_true(th_take_ev(h, HCI_EV_CMD_COMPLETE, -1, &e));
	assert_int_equal(e.p[0], 1);
	assert_int_equal(get_le16(e.p + 1), HCI_OP_RESET);
	assert_true(th_take_ev(h, HCI_EV_HARDWARE_ERROR, -1, &e));
	assert_int_equal(e.p[0], SIM_HWERR_CMD_OVERRUN);
	assert_int_equal(th_find_ev(h, HCI_EV_CMD_COMPLETE, -1), -1); /* the second was dropped */
	struct sim_ctrl_stats s;
	sim_ctrl_get_stats(h->c, &s);
	assert_int_equal(s.cmd_overruns, 1);
	/* once the answer was read, the next command is fine; Host Number Of Completed Packets
	 * needs no credit at all */
	uint8_t hnocp[8] = {0x35, 0x0C, 5, 1, 0x01, 0x00, 0x01, 0x00};
	assert_int_equal(sim_ctrl_feed(h->c, HCI_H4_CMD, ver, 3), 0);
	assert_int_equal(sim_ctrl_feed(h->c, HCI_H4_CMD, hnocp, 8), 0);
	th_pump(w);
	assert_true(th_take_ev(h, HCI_EV_CMD_COMPLETE, -1, &e));
	assert_int_equal(get_le16(e.p + 1), HCI_OP_READ_LOCAL_VERSION);
	assert_int_equal(h->nev, 0);
	sim_ctrl_get_stats(h->c, &s);
	assert_int_equal(s.cmd_overruns, 1);
	th_world_free(w);
}

static void test_event_masks_are_honoured(void **state)
{
	struct th_world *w = th_world_new("mask");
	struct th_host *h = th_host(w, SIM_TYPE_LE);
	uint8_t p[25] = {0};
	assert_int_equal(th_cmd(w, h, HCI_OP_RESET, NULL, 0, NULL, NULL), 0);
	/* LE Meta is not in the default event mask: the cancel's LE Connection Complete is masked */
	put_le16(p, 0x60);
	put_le16(p + 2, 0x30);
	p[6] = 0x11;
	put_le16(p + 13, 24);
	put_le16(p + 15, 40);
	put_le16(p + 19, 400);
	assert_int_equal(th_cmd(w, h, HCI_OP_LE_CREATE_CONN, p, 25, NULL, NULL), TH_CS(0));
	assert_int_equal(th_cmd(w, h, HCI_OP_LE_CREATE_CONN_CANCEL, NULL, 0, NULL, NULL), 0);
	th_run_for(w, 10);
	assert_int_equal(th_find_ev(h, HCI_EV_LE_META, -1), -1);
	struct sim_ctrl_stats s;
	sim_ctrl_get_stats(h->c, &s);
	assert_int_equal(s.events_masked, 1);
	/* unmask LE Meta: now it arrives, with status Unknown Connection Identifier (7.8.13) */
	uint8_t m[8] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0x00, 0x20};
	assert_int_equal(th_cmd(w, h, HCI_OP_SET_EVENT_MASK, m, 8, NULL, NULL), 0);
	assert_int_equal(th_cmd(w, h, HCI_OP_LE_CREATE_CONN, p, 25, NULL, NULL), TH_CS(0));
	assert_int_equal(th_cmd(w, h, HCI_OP_LE_CREATE_CONN_CANCEL, NULL, 0, NULL, NULL), 0);
	struct th_ev e = {0};
	assert_true(th_wait_ev(w, h, HCI_EV_LE_META, HCI_LE_CONN_COMPLETE, 10, &e));
	assert_int_equal(e.p[1], HCI_ERR_UNKNOWN_CONN_ID);
	/* masking the subevent in the LE mask suppresses it again */
	uint8_t lm[8] = {0xFE, 0, 0, 0, 0, 0, 0, 0};
	assert_int_equal(th_cmd(w, h, HCI_OP_LE_SET_EVENT_MASK, lm, 8, NULL, NULL), 0);
	assert_int_equal(th_cmd(w, h, HCI_OP_LE_CREATE_CONN, p, 25, NULL, NULL), TH_CS(0));
	assert_int_equal(th_cmd(w, h, HCI_OP_LE_CREATE_CONN_CANCEL, NULL, 0, NULL, NULL), 0);
	th_run_for(w, 10);
	assert_int_equal(th_find_ev(h, HCI_EV_LE_META, -1), -1);
	/* a cancel with nothing to cancel is refused */
	assert_int_equal(th_cmd(w, h, HCI_OP_LE_CREATE_CONN_CANCEL, NULL, 0, NULL, NULL),
			 HCI_ERR_COMMAND_DISALLOWED);
	th_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bringup_every_type_answers_well_formed),
		cmocka_unit_test(test_bitmap_matches_behaviour_for_every_opcode),
		cmocka_unit_test(test_unknown_opcodes_get_command_status_unknown),
		cmocka_unit_test(test_bad_parameter_length_gets_invalid_parameters),
		cmocka_unit_test(test_command_without_credit_is_reported),
		cmocka_unit_test(test_event_masks_are_honoured),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
