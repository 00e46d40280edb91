/* Simulated LE security between two fake hosts (no l2kit host): LE Enable Encryption with the
 * Long Term Key Request and its replies, key refresh, LTK mismatch (MIC failure), negative
 * reply, masks and faults, the MIC in the air timing, LE Rand and LE Encrypt. */
#include "test_sim_harness.h"

struct lpair {
	struct th_world *w;
	struct th_host *c, *p; /* central, peripheral */
	uint16_t hc, hp;
};

static struct lpair setup(const char *air, const struct sim_ctrl_config *cfg_c, const struct sim_ctrl_config *cfg_p)
{
	struct lpair s;
	struct sim_ctrl_config def;
	sim_ctrl_config_init(&def, SIM_TYPE_LE);
	s.w = th_world_new(air);
	s.c = th_host_cfg(s.w, cfg_c ? cfg_c : &def);
	s.p = th_host_cfg(s.w, cfg_p ? cfg_p : &def);
	th_bringup(s.w, s.c);
	th_bringup(s.w, s.p);
	th_connect_le(s.w, s.c, s.p, 24, &s.hc, &s.hp); /* 30 ms */
	return s;
}

static const uint8_t rnd[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t ediv[2] = {0x34, 0x12};

static int enable_encryption(struct lpair *s, struct th_host *h, uint16_t handle, const uint8_t ltk[16])
{
	uint8_t p[28];
	put_le16(p, handle);
	memcpy(p + 2, rnd, 8);
	memcpy(p + 10, ediv, 2);
	memcpy(p + 12, ltk, 16);
	return th_cmd(s->w, h, HCI_OP_LE_ENABLE_ENCRYPTION, p, 28, NULL, NULL);
}

static struct th_ev want(struct lpair *s, struct th_host *h, uint8_t code, int sub, uint64_t ms)
{
	struct th_ev e = {0};
	if (!th_wait_ev(s->w, h, code, sub, ms, &e))
		fail_msg("no event 0x%02x/%d", code, sub);
	return e;
}

static void ltk_request(struct lpair *s)
{
	struct th_ev e = want(s, s->p, HCI_EV_LE_META, HCI_LE_LTK_REQUEST, 1000);
	assert_int_equal(e.plen, 13);
	assert_int_equal(get_le16(e.p + 1), s->hp);
	assert_memory_equal(e.p + 3, rnd, 8);
	assert_memory_equal(e.p + 11, ediv, 2);
}

static int ltk_reply(struct lpair *s, const uint8_t *ltk)
{
	uint8_t p[18], r[8];
	size_t rl;
	put_le16(p, s->hp);
	if (ltk)
		memcpy(p + 2, ltk, 16);
	int st = th_cmd(s->w, s->p, ltk ? HCI_OP_LE_LTK_REPLY : HCI_OP_LE_LTK_NEG_REPLY, p, ltk ? 18 : 2, r, &rl);
	assert_int_equal(rl, 3);
	assert_int_equal(get_le16(r + 1), s->hp);
	return st;
}

static const uint8_t ltk1[16] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
				 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0x01};

static void test_matching_ltk_encrypts_both_sides_and_refresh_gives_key_refresh_complete(void **state)
{
	struct lpair s = setup("le-enc", NULL, NULL);
	assert_int_equal(enable_encryption(&s, s.c, s.hc, ltk1), TH_CS(0));
	ltk_request(&s);
	assert_int_equal(th_find_ev(s.c, HCI_EV_ENCRYPT_CHANGE, -1), -1);
	assert_int_equal(ltk_reply(&s, ltk1), 0);
	struct th_ev e = want(&s, s.c, HCI_EV_ENCRYPT_CHANGE, -1, 1000);
	assert_int_equal(e.plen, 4);
	assert_int_equal(e.p[0], 0);
	assert_int_equal(get_le16(e.p + 1), s.hc);
	assert_int_equal(e.p[3], 0x01); /* AES-CCM on LE */
	e = want(&s, s.p, HCI_EV_ENCRYPT_CHANGE, -1, 10);
	assert_int_equal(get_le16(e.p + 1), s.hp);
	assert_int_equal(e.p[3], 0x01);
	/* encrypting again refreshes the key: LTK request again, then Key Refresh Complete */
	assert_int_equal(enable_encryption(&s, s.c, s.hc, ltk1), TH_CS(0));
	assert_int_equal(enable_encryption(&s, s.c, s.hc, ltk1), TH_CS(HCI_ERR_COMMAND_DISALLOWED)); /* busy */
	ltk_request(&s);
	assert_int_equal(ltk_reply(&s, ltk1), 0);
	e = want(&s, s.c, HCI_EV_ENCRYPT_KEY_REFRESH, -1, 1000);
	assert_int_equal(e.p[0], 0);
	assert_int_equal(get_le16(e.p + 1), s.hc);
	e = want(&s, s.p, HCI_EV_ENCRYPT_KEY_REFRESH, -1, 10);
	assert_int_equal(get_le16(e.p + 1), s.hp);
	th_run_for(s.w, 200);
	assert_int_equal(th_find_ev(s.c, HCI_EV_ENCRYPT_CHANGE, -1), -1);
	assert_int_equal(th_find_ev(s.p, HCI_EV_ENCRYPT_CHANGE, -1), -1);
	th_world_free(s.w);
}

static void test_ltk_mismatch_ends_with_mic_failure(void **state)
{
	struct lpair s = setup("le-mic", NULL, NULL);
	assert_int_equal(enable_encryption(&s, s.c, s.hc, ltk1), TH_CS(0));
	ltk_request(&s);
	uint8_t other[16];
	memcpy(other, ltk1, 16);
	other[3] ^= 0x40;
	assert_int_equal(ltk_reply(&s, other), 0);
	/* the peripheral cannot decrypt LL_START_ENC_RSP: MIC failure, at once */
	struct th_ev e = want(&s, s.p, HCI_EV_DISCONN_COMPLETE, -1, 1000);
	assert_int_equal(get_le16(e.p + 1), s.hp);
	assert_int_equal(e.p[3], HCI_ERR_MIC_FAILURE);
	uint64_t t0 = sim_air_now_us(s.w->air);
	/* the central only sees the peripheral fall silent: supervision timeout (2.56 s) */
	e = want(&s, s.c, HCI_EV_DISCONN_COMPLETE, -1, 5000);
	assert_int_equal(get_le16(e.p + 1), s.hc);
	assert_int_equal(e.p[3], HCI_ERR_CONN_TIMEOUT);
	uint64_t dt = sim_air_now_us(s.w->air) - t0;
	assert_true(dt >= 2500000 && dt <= 2600000);
	assert_int_equal(th_find_ev(s.c, HCI_EV_ENCRYPT_CHANGE, -1), -1);
	assert_int_equal(th_find_ev(s.p, HCI_EV_ENCRYPT_CHANGE, -1), -1);
	/* the peripheral's handle is free again */
	uint8_t d[3];
	put_le16(d, s.hp);
	d[2] = HCI_ERR_REMOTE_USER_TERM;
	assert_int_equal(th_cmd(s.w, s.p, HCI_OP_DISCONNECT, d, 3, NULL, NULL), TH_CS(HCI_ERR_UNKNOWN_CONN_ID));
	th_world_free(s.w);
}

static void test_key_mismatch_fault_alters_the_ltk(void **state)
{
	struct sim_ctrl_config cc;
	sim_ctrl_config_init(&cc, SIM_TYPE_LE);
	cc.sec_faults = SIM_SEC_FAULT_KEY_MISMATCH;
	struct lpair s = setup("le-keyfault", &cc, NULL);
	assert_int_equal(enable_encryption(&s, s.c, s.hc, ltk1), TH_CS(0));
	ltk_request(&s);
	assert_int_equal(ltk_reply(&s, ltk1), 0); /* the same LTK from both hosts */
	struct th_ev e = want(&s, s.p, HCI_EV_DISCONN_COMPLETE, -1, 1000);
	assert_int_equal(e.p[3], HCI_ERR_MIC_FAILURE);
	th_world_free(s.w);
}

static void test_negative_reply_masked_request_and_reject_fault(void **state)
{
	struct lpair s = setup("le-neg", NULL, NULL);
	assert_int_equal(enable_encryption(&s, s.c, s.hc, ltk1), TH_CS(0));
	ltk_request(&s);
	assert_int_equal(ltk_reply(&s, NULL), 0);
	struct th_ev e = want(&s, s.c, HCI_EV_ENCRYPT_CHANGE, -1, 1000);
	assert_int_equal(e.p[0], HCI_ERR_PIN_OR_KEY_MISSING);
	assert_int_equal(e.p[3], 0x00);
	th_run_for(s.w, 200);
	assert_int_equal(th_find_ev(s.p, HCI_EV_ENCRYPT_CHANGE, -1), -1);
	/* the peripheral's host masked the LTK request: its controller rejects by itself */
	uint8_t le_mask[8] = {0xEF, 0x0F, 0, 0, 0, 0, 0, 0}; /* subevent 5 off */
	assert_int_equal(th_cmd(s.w, s.p, HCI_OP_LE_SET_EVENT_MASK, le_mask, 8, NULL, NULL), 0);
	assert_int_equal(enable_encryption(&s, s.c, s.hc, ltk1), TH_CS(0));
	e = want(&s, s.c, HCI_EV_ENCRYPT_CHANGE, -1, 1000);
	assert_int_equal(e.p[0], HCI_ERR_PIN_OR_KEY_MISSING);
	assert_int_equal(th_find_ev(s.p, HCI_EV_LE_META, HCI_LE_LTK_REQUEST), -1);
	/* the REJECT fault does the same with the event unmasked */
	uint8_t le_all[8] = {0xFF, 0x0F, 0, 0, 0, 0, 0, 0};
	assert_int_equal(th_cmd(s.w, s.p, HCI_OP_LE_SET_EVENT_MASK, le_all, 8, NULL, NULL), 0);
	sim_ctrl_set_sec_faults(s.p->c, SIM_SEC_FAULT_REJECT);
	assert_int_equal(enable_encryption(&s, s.c, s.hc, ltk1), TH_CS(0));
	e = want(&s, s.c, HCI_EV_ENCRYPT_CHANGE, -1, 1000);
	assert_int_equal(e.p[0], HCI_ERR_PIN_OR_KEY_MISSING);
	assert_int_equal(th_find_ev(s.p, HCI_EV_LE_META, HCI_LE_LTK_REQUEST), -1);
	th_world_free(s.w);
}

static void test_unanswered_ltk_request_times_out_the_link(void **state)
{
	struct lpair s = setup("le-ltk-to", NULL, NULL);
	/* the link stays up; the peripheral's host never answers */
	assert_int_equal(enable_encryption(&s, s.c, s.hc, ltk1), TH_CS(0));
	ltk_request(&s);
	struct th_ev e = want(&s, s.c, HCI_EV_DISCONN_COMPLETE, -1, 41000);
	assert_int_equal(e.p[3], HCI_ERR_LL_RESPONSE_TIMEOUT);
	e = want(&s, s.p, HCI_EV_DISCONN_COMPLETE, -1, 10);
	assert_int_equal(e.p[3], HCI_ERR_LL_RESPONSE_TIMEOUT);
	/* a reply after the link is gone */
	assert_int_equal(ltk_reply(&s, ltk1), HCI_ERR_UNKNOWN_CONN_ID);
	th_world_free(s.w);
}

static void test_cut_in_pairing_and_v2_event(void **state)
{
	struct sim_ctrl_config cp;
	sim_ctrl_config_init(&cp, SIM_TYPE_LE);
	cp.sec_faults = SIM_SEC_FAULT_CUT_IN_PAIRING;
	struct lpair s = setup("le-cut", NULL, &cp);
	assert_int_equal(enable_encryption(&s, s.c, s.hc, ltk1), TH_CS(0));
	struct th_ev e = want(&s, s.c, HCI_EV_DISCONN_COMPLETE, -1, 5000);
	assert_int_equal(e.p[3], HCI_ERR_CONN_TIMEOUT);
	e = want(&s, s.p, HCI_EV_DISCONN_COMPLETE, -1, 10);
	assert_int_equal(e.p[3], HCI_ERR_CONN_TIMEOUT);
	assert_int_equal(th_find_ev(s.p, HCI_EV_LE_META, HCI_LE_LTK_REQUEST), -1);
	th_world_free(s.w);

	/* Encryption Change [v2] for the host that unmasked it: key size 16 on LE */
	s = setup("le-v2", NULL, NULL);
	uint8_t m2[8] = {0, 0, 0, 0x02, 0, 0, 0, 0};
	assert_int_equal(th_cmd(s.w, s.p, HCI_OP_SET_EVENT_MASK_PAGE2, m2, 8, NULL, NULL), 0);
	assert_int_equal(enable_encryption(&s, s.c, s.hc, ltk1), TH_CS(0));
	ltk_request(&s);
	assert_int_equal(ltk_reply(&s, ltk1), 0);
	e = want(&s, s.p, HCI_EV_ENCRYPT_CHANGE_V2, -1, 1000);
	assert_int_equal(e.plen, 5);
	assert_int_equal(e.p[3], 0x01);
	assert_int_equal(e.p[4], 16);
	assert_int_equal(th_find_ev(s.p, HCI_EV_ENCRYPT_CHANGE, -1), -1);
	e = want(&s, s.c, HCI_EV_ENCRYPT_CHANGE, -1, 10);
	th_world_free(s.w);
}

static void test_commands_check_roles_state_and_lengths(void **state)
{
	struct lpair s = setup("le-params", NULL, NULL);
	/* only the central starts encryption */
	assert_int_equal(enable_encryption(&s, s.p, s.hp, ltk1), TH_CS(HCI_ERR_COMMAND_DISALLOWED));
	assert_int_equal(enable_encryption(&s, s.c, 0x0777, ltk1), TH_CS(HCI_ERR_UNKNOWN_CONN_ID));
	/* no request to answer */
	assert_int_equal(ltk_reply(&s, ltk1), HCI_ERR_COMMAND_DISALLOWED);
	assert_int_equal(ltk_reply(&s, NULL), HCI_ERR_COMMAND_DISALLOWED);
	uint8_t p[40] = {0};
	static const struct {
		uint16_t op;
		uint8_t len;
		bool cs;
	} cmds[] = {{HCI_OP_LE_ENCRYPT, 32, false},
		    {HCI_OP_LE_RAND, 0, false},
		    {HCI_OP_LE_ENABLE_ENCRYPTION, 28, true},
		    {HCI_OP_LE_LTK_REPLY, 18, false},
		    {HCI_OP_LE_LTK_NEG_REPLY, 2, false}};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		for (int d = -1; d <= 1; d += 2) {
			if (!cmds[i].len && d < 0)
				continue;
			int st = th_cmd(s.w, s.c, cmds[i].op, p, (size_t)(cmds[i].len + d), NULL, NULL);
			assert_int_equal(st, cmds[i].cs ? TH_CS(HCI_ERR_INVALID_PARAMS) : HCI_ERR_INVALID_PARAMS);
		}
	/* features: LE Encryption */
	uint8_t r[16];
	size_t rl;
	assert_int_equal(th_cmd(s.w, s.c, HCI_OP_LE_READ_LOCAL_FEATURES, NULL, 0, r, &rl), 0);
	assert_true(hci_bit_test(r + 1, 8, HCI_LEFEAT_ENCRYPTION));
	th_world_free(s.w);
}

static void test_le_rand_and_le_encrypt(void **state)
{
	struct th_world *w = th_world_new("le-crypto");
	struct th_host *h = th_host(w, SIM_TYPE_LE);
	/* FIPS-197 Appendix C.1: key 000102..0f, plaintext 00112233..ff -> 69c4e0d8...c55a; HCI
	 * carries all three least significant octet first */
	uint8_t p[32], r[20], want[16];
	size_t rl;
	static const uint8_t ct[16] = {0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30,
				       0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a};
	for (int i = 0; i < 16; i++) {
		p[15 - i] = (uint8_t)i;
		p[31 - i] = (uint8_t)(i * 0x11);
		want[15 - i] = ct[i];
	}
	assert_int_equal(th_cmd(w, h, HCI_OP_LE_ENCRYPT, p, 32, r, &rl), 0);
	assert_int_equal(rl, 17);
	assert_memory_equal(r + 1, want, 16);
	/* LE Rand: 8 octets from the air's seeded PRNG: replays with the seed, differs each time */
	uint8_t a[8], b[8], c[8];
	sim_air_set_seed(w->air, 7);
	assert_int_equal(th_cmd(w, h, HCI_OP_LE_RAND, NULL, 0, r, &rl), 0);
	assert_int_equal(rl, 9);
	memcpy(a, r + 1, 8);
	assert_int_equal(th_cmd(w, h, HCI_OP_LE_RAND, NULL, 0, r, &rl), 0);
	memcpy(b, r + 1, 8);
	sim_air_set_seed(w->air, 7);
	assert_int_equal(th_cmd(w, h, HCI_OP_LE_RAND, NULL, 0, r, &rl), 0);
	memcpy(c, r + 1, 8);
	assert_memory_not_equal(a, b, 8);
	assert_memory_equal(a, c, 8);
	th_world_free(w);
}

/* The MIC of encrypted PDUs costs air time: 27-octet PDUs on LE 1M in 7.5 ms events go 11 per
 * event unencrypted (676 us each) and 10 per event encrypted (708 us). */
static uint64_t transfer_us(bool encrypted)
{
	struct lpair s;
	struct sim_ctrl_config def;
	sim_ctrl_config_init(&def, SIM_TYPE_LE);
	def.le_acl_mtu = 27;
	def.le_acl_count = 16;
	s.w = th_world_new(encrypted ? "le-mic-enc" : "le-mic-plain");
	s.c = th_host_cfg(s.w, &def);
	s.p = th_host_cfg(s.w, &def);
	th_bringup(s.w, s.c);
	th_bringup(s.w, s.p);
	th_connect_le(s.w, s.c, s.p, 6, &s.hc, &s.hp);
	if (encrypted) {
		assert_int_equal(enable_encryption(&s, s.c, s.hc, ltk1), TH_CS(0));
		ltk_request(&s);
		assert_int_equal(ltk_reply(&s, ltk1), 0);
		want(&s, s.c, HCI_EV_ENCRYPT_CHANGE, -1, 1000);
	}
	static uint32_t lens[1100];
	for (size_t i = 0; i < 1100; i++)
		lens[i] = 23;
	th_stream(s.c, s.hc, 27, s.c->le_count, lens, 1100);
	uint64_t t0 = sim_air_now_us(s.w->air);
	struct th_done_arg d = {s.p, 1100};
	assert_true(th_run_until(s.w, th_rx_done, &d, 60000));
	assert_int_equal(s.p->rx_pdus, 1100);
	uint64_t dt = s.p->rx_last_us - t0;
	th_world_free(s.w);
	return dt;
}

static void test_encrypted_pdus_carry_a_mic_on_the_air(void **state)
{
	uint64_t plain = transfer_us(false), enc = transfer_us(true);
	double ratio = (double)enc / (double)plain;
	if (!(ratio > 1.07 && ratio < 1.13))
		fail_msg("encrypted %llu us, plain %llu us: ratio %.3f, want about 11/10", (unsigned long long)enc,
			 (unsigned long long)plain, ratio);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matching_ltk_encrypts_both_sides_and_refresh_gives_key_refresh_complete),
		cmocka_unit_test(test_ltk_mismatch_ends_with_mic_failure),
		cmocka_unit_test(test_key_mismatch_fault_alters_the_ltk),
		cmocka_unit_test(test_negative_reply_masked_request_and_reject_fault),
		cmocka_unit_test(test_unanswered_ltk_request_times_out_the_link),
		cmocka_unit_test(test_cut_in_pairing_and_v2_event),
		cmocka_unit_test(test_commands_check_roles_state_and_lengths),
		cmocka_unit_test(test_le_rand_and_le_encrypt),
		cmocka_unit_test(test_encrypted_pdus_carry_a_mic_on_the_air),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
