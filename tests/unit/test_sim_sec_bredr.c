/* Simulated BR/EDR security between two fake hosts (no l2kit host): stored-key authentication,
 * Secure Simple Pairing in every association model, legacy PIN pairing, encryption and key
 * size, link loss in the middle of pairing, event masks, parameter checks and the security
 * fault injection. */
#include "test_sim_harness.h"
#include "transport/sim_transport.h"

#define AUTH_GENERAL 0x04      /* General Bonding, MITM protection not required */
#define AUTH_GENERAL_MITM 0x05 /* General Bonding, MITM protection required */

struct pair {
	struct th_world *w;
	struct th_host *a, *b; /* a authenticates, b answers */
	uint16_t ha, hb;
};

static void host_setup(struct th_world *w, struct th_host *h, bool ssp, bool sc)
{
	th_bringup(w, h);
	uint8_t v = 0x00;
	/* Secure Connections host support may not change while page scanning (7.3.92) */
	assert_int_equal(th_cmd(w, h, HCI_OP_WRITE_SCAN_ENABLE, &v, 1, NULL, NULL), 0);
	v = 0x01;
	if (ssp)
		assert_int_equal(th_cmd(w, h, HCI_OP_WRITE_SSP_MODE, &v, 1, NULL, NULL), 0);
	if (sc)
		assert_int_equal(th_cmd(w, h, HCI_OP_WRITE_SC_HOST_SUPPORT, &v, 1, NULL, NULL), 0);
	v = 0x02;
	assert_int_equal(th_cmd(w, h, HCI_OP_WRITE_SCAN_ENABLE, &v, 1, NULL, NULL), 0);
}

/* Two connected BR/EDR hosts; cfg_a / cfg_b may be NULL (defaults). */
static struct pair setup(const char *air, const struct sim_ctrl_config *cfg_a, const struct sim_ctrl_config *cfg_b,
			 bool ssp_a, bool ssp_b, bool sc_a, bool sc_b)
{
	struct pair s;
	struct sim_ctrl_config def;
	sim_ctrl_config_init(&def, SIM_TYPE_DUAL);
	s.w = th_world_new(air);
	s.a = th_host_cfg(s.w, cfg_a ? cfg_a : &def);
	s.b = th_host_cfg(s.w, cfg_b ? cfg_b : &def);
	host_setup(s.w, s.a, ssp_a, sc_a);
	host_setup(s.w, s.b, ssp_b, sc_b);
	th_connect_bredr(s.w, s.a, s.b, &s.ha, &s.hb);
	return s;
}

static struct pair setup_ssp(const char *air)
{
	return setup(air, NULL, NULL, true, true, false, false);
}

/* A reply carrying BD_ADDR first; checks the Command Complete echoes it. */
static int reply(struct pair *s, struct th_host *h, uint16_t op, const void *extra, size_t n)
{
	const struct th_host *peer = h == s->a ? s->b : s->a;
	uint8_t p[80], r[16];
	size_t rl = 0;
	memcpy(p, peer->addr.b, 6);
	if (n)
		memcpy(p + 6, extra, n);
	int st = th_cmd(s->w, h, op, p, 6 + n, r, &rl);
	assert_int_equal(rl, 7);
	assert_memory_equal(r + 1, peer->addr.b, 6);
	return st;
}

/* Wait for an event of h whose parameters start with the peer's address. */
static struct th_ev want_addr(struct pair *s, struct th_host *h, uint8_t code, uint64_t ms)
{
	const struct th_host *peer = h == s->a ? s->b : s->a;
	struct th_ev e = {0};
	if (!th_wait_ev(s->w, h, code, -1, ms, &e))
		fail_msg("no event 0x%02x", code);
	assert_true(e.plen >= 6);
	assert_memory_equal(e.p, peer->addr.b, 6);
	return e;
}

static struct th_ev want(struct pair *s, struct th_host *h, uint8_t code, uint64_t ms)
{
	struct th_ev e = {0};
	if (!th_wait_ev(s->w, h, code, -1, ms, &e))
		fail_msg("no event 0x%02x", code);
	return e;
}

static void auth_requested(struct pair *s)
{
	uint8_t p[2];
	put_le16(p, s->ha);
	assert_int_equal(th_cmd(s->w, s->a, HCI_OP_AUTH_REQUESTED, p, 2, NULL, NULL), TH_CS(0));
}

/* Authentication Requested at a, no stored key, IO capabilities exchanged. */
static void ssp_start(struct pair *s, uint8_t io_a, uint8_t oob_a, uint8_t auth_a, uint8_t io_b, uint8_t oob_b,
		      uint8_t auth_b)
{
	auth_requested(s);
	want_addr(s, s->a, HCI_EV_LINK_KEY_REQUEST, 10);
	assert_int_equal(reply(s, s->a, HCI_OP_LINK_KEY_NEG_REPLY, NULL, 0), 0);
	want_addr(s, s->a, HCI_EV_IO_CAP_REQUEST, 10);
	uint8_t ca[3] = {io_a, oob_a, auth_a};
	assert_int_equal(reply(s, s->a, HCI_OP_IO_CAP_REPLY, ca, 3), 0);
	/* b hears a's capabilities first, then is asked for its own */
	struct th_wait wt = {s->b, HCI_EV_IO_CAP_REQUEST, -1};
	assert_true(th_run_until(s->w, th_has_ev, &wt, 100));
	int rsp = th_find_ev(s->b, HCI_EV_IO_CAP_RESPONSE, -1), req = th_find_ev(s->b, HCI_EV_IO_CAP_REQUEST, -1);
	assert_true(rsp >= 0 && rsp < req);
	struct th_ev e = want_addr(s, s->b, HCI_EV_IO_CAP_RESPONSE, 0);
	assert_int_equal(e.plen, 9);
	assert_memory_equal(e.p + 6, ca, 3);
	want_addr(s, s->b, HCI_EV_IO_CAP_REQUEST, 0);
	uint8_t cb[3] = {io_b, oob_b, auth_b};
	assert_int_equal(reply(s, s->b, HCI_OP_IO_CAP_REPLY, cb, 3), 0);
	e = want_addr(s, s->a, HCI_EV_IO_CAP_RESPONSE, 100);
	assert_memory_equal(e.p + 6, cb, 3);
}

/* Both sides must end paired with the same key of the given type; returns the key. */
static void expect_paired(struct pair *s, uint8_t type, uint8_t key[16])
{
	struct th_wait wt = {s->a, HCI_EV_AUTH_COMPLETE, -1};
	assert_true(th_run_until(s->w, th_has_ev, &wt, 1000));
	/* Simple Pairing Complete, Link Key Notification, Authentication Complete, in this order */
	int spc = th_find_ev(s->a, HCI_EV_SIMPLE_PAIRING_COMPLETE, -1);
	int lkn = th_find_ev(s->a, HCI_EV_LINK_KEY_NOTIFICATION, -1);
	int ac = th_find_ev(s->a, HCI_EV_AUTH_COMPLETE, -1);
	assert_true(spc >= 0 && spc < lkn && lkn < ac);
	struct th_ev e = want(s, s->a, HCI_EV_SIMPLE_PAIRING_COMPLETE, 0);
	assert_int_equal(e.plen, 7);
	assert_int_equal(e.p[0], 0);
	assert_memory_equal(e.p + 1, s->b->addr.b, 6);
	e = want(s, s->b, HCI_EV_SIMPLE_PAIRING_COMPLETE, 10);
	assert_int_equal(e.p[0], 0);
	assert_memory_equal(e.p + 1, s->a->addr.b, 6);
	struct th_ev ka = want_addr(s, s->a, HCI_EV_LINK_KEY_NOTIFICATION, 0);
	struct th_ev kb = want_addr(s, s->b, HCI_EV_LINK_KEY_NOTIFICATION, 10);
	assert_int_equal(ka.plen, 23);
	assert_memory_equal(ka.p + 6, kb.p + 6, 16); /* the same key on both sides */
	assert_int_equal(ka.p[22], type);
	assert_int_equal(kb.p[22], type);
	static const uint8_t zero[16];
	assert_memory_not_equal(ka.p + 6, zero, 16);
	e = want(s, s->a, HCI_EV_AUTH_COMPLETE, 0);
	assert_int_equal(e.plen, 3);
	assert_int_equal(e.p[0], 0);
	assert_int_equal(get_le16(e.p + 1), s->ha);
	assert_int_equal(th_find_ev(s->b, HCI_EV_AUTH_COMPLETE, -1), -1); /* only the initiator */
	if (key)
		memcpy(key, ka.p + 6, 16);
}

/* Pairing must fail with status: Authentication Complete at a, Simple Pairing Complete at each
 * side that took part in Simple Pairing, no key anywhere. */
static void expect_failed(struct pair *s, uint8_t status, bool ssp_a, bool ssp_b)
{
	struct th_ev e = want(s, s->a, HCI_EV_AUTH_COMPLETE, 60000);
	assert_int_equal(e.p[0], status);
	assert_int_equal(get_le16(e.p + 1), s->ha);
	if (ssp_a) {
		e = want(s, s->a, HCI_EV_SIMPLE_PAIRING_COMPLETE, 0);
		assert_int_equal(e.p[0], status);
		assert_memory_equal(e.p + 1, s->b->addr.b, 6);
	} else {
		assert_int_equal(th_find_ev(s->a, HCI_EV_SIMPLE_PAIRING_COMPLETE, -1), -1);
	}
	if (ssp_b) {
		e = want(s, s->b, HCI_EV_SIMPLE_PAIRING_COMPLETE, 10);
		assert_int_equal(e.p[0], status);
		assert_memory_equal(e.p + 1, s->a->addr.b, 6);
	}
	th_run_for(s->w, 100);
	if (!ssp_b)
		assert_int_equal(th_find_ev(s->b, HCI_EV_SIMPLE_PAIRING_COMPLETE, -1), -1);
	assert_int_equal(th_find_ev(s->a, HCI_EV_LINK_KEY_NOTIFICATION, -1), -1);
	assert_int_equal(th_find_ev(s->b, HCI_EV_LINK_KEY_NOTIFICATION, -1), -1);
}

static uint8_t encrypt(struct pair *s, struct th_host *h, uint16_t handle, uint8_t on)
{
	uint8_t p[3];
	put_le16(p, handle);
	p[2] = on;
	return (uint8_t)(th_cmd(s->w, h, HCI_OP_SET_CONN_ENCRYPT, p, 3, NULL, NULL) & 0xFF);
}

static uint8_t key_size(struct pair *s, struct th_host *h, uint16_t handle, int *status)
{
	uint8_t p[2], r[8];
	size_t rl;
	put_le16(p, handle);
	*status = th_cmd(s->w, h, HCI_OP_READ_ENCRYPTION_KEY_SIZE, p, 2, r, &rl);
	assert_int_equal(rl, 4);
	assert_int_equal(get_le16(r + 1), handle);
	return r[3];
}

static void confirm_both(struct pair *s, uint32_t *va, uint32_t *vb)
{
	struct th_ev ea = want_addr(s, s->a, HCI_EV_USER_CONFIRM_REQUEST, 100);
	struct th_ev eb = want_addr(s, s->b, HCI_EV_USER_CONFIRM_REQUEST, 10);
	assert_int_equal(ea.plen, 10);
	*va = get_le32(ea.p + 6);
	*vb = get_le32(eb.p + 6);
	assert_true(*va <= 999999 && *vb <= 999999);
}

/* --- Secure Simple Pairing ------------------------------------------------------------- */

static void test_numeric_comparison_both_accept_then_encrypt(void **state)
{
	struct pair s = setup_ssp("sec-nc");
	ssp_start(&s, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM);
	uint32_t va, vb;
	confirm_both(&s, &va, &vb);
	assert_int_equal(va, vb); /* both users see the same six digits */
	assert_int_equal(reply(&s, s.a, HCI_OP_USER_CONFIRM_REPLY, NULL, 0), 0);
	th_run_for(s.w, 50);
	assert_int_equal(th_find_ev(s.a, HCI_EV_AUTH_COMPLETE, -1), -1); /* b has not confirmed */
	assert_int_equal(reply(&s, s.b, HCI_OP_USER_CONFIRM_REPLY, NULL, 0), 0);
	expect_paired(&s, HCI_LINK_KEY_AUTH_P192, NULL);
	/* encryption: E0 without Secure Connections, key size 16 on both sides */
	int st;
	key_size(&s, s.a, s.ha, &st);
	assert_int_equal(st, HCI_ERR_INSUFFICIENT_SECURITY); /* not encrypted yet */
	assert_int_equal(encrypt(&s, s.a, s.ha, 1), 0);
	struct th_ev e = want(&s, s.a, HCI_EV_ENCRYPT_CHANGE, 100);
	assert_int_equal(e.plen, 4);
	assert_int_equal(e.p[0], 0);
	assert_int_equal(get_le16(e.p + 1), s.ha);
	assert_int_equal(e.p[3], HCI_ENC_E0);
	e = want(&s, s.b, HCI_EV_ENCRYPT_CHANGE, 10);
	assert_int_equal(get_le16(e.p + 1), s.hb);
	assert_int_equal(e.p[3], HCI_ENC_E0);
	assert_int_equal(key_size(&s, s.a, s.ha, &st), 16);
	assert_int_equal(st, 0);
	assert_int_equal(key_size(&s, s.b, s.hb, &st), 16);
	/* key refresh: Encryption Key Refresh Complete on both sides */
	uint8_t h[2];
	put_le16(h, s.hb);
	assert_int_equal(th_cmd(s.w, s.b, HCI_OP_REFRESH_ENCRYPTION_KEY, h, 2, NULL, NULL), TH_CS(0));
	e = want(&s, s.a, HCI_EV_ENCRYPT_KEY_REFRESH, 100);
	assert_int_equal(e.plen, 3);
	assert_int_equal(e.p[0], 0);
	assert_int_equal(get_le16(e.p + 1), s.ha);
	e = want(&s, s.b, HCI_EV_ENCRYPT_KEY_REFRESH, 10);
	assert_int_equal(get_le16(e.p + 1), s.hb);
	th_world_free(s.w);
}

/* The peer's host features page 1 (Read Remote Extended Features) shows what the peer's host
 * wrote, as a real controller's LMP exchange does: Simple Pairing host support only after
 * Write Simple Pairing Mode 1, Secure Connections only after Write Secure Connections Host
 * Support 1 (Security Mode 4 at the other host depends on it). */
static void test_remote_host_features_show_what_the_peer_host_wrote(void **state)
{
	for (int k = 0; k < 3; k++) {
		char air[32];
		snprintf(air, sizeof(air), "sec-hostfeat-%d", k);
		/* b: k 0 legacy host, 1 SSP, 2 SSP and Secure Connections */
		struct pair s = setup(air, NULL, NULL, true, k >= 1, false, k == 2);
		uint8_t p[3];
		put_le16(p, s.ha);
		p[2] = 1;
		assert_int_equal(th_cmd(s.w, s.a, HCI_OP_READ_REMOTE_EXT_FEATURES, p, 3, NULL, NULL), TH_CS(0));
		struct th_ev e = want(&s, s.a, HCI_EV_REMOTE_EXT_FEATURES, 100);
		assert_int_equal(e.plen, 13);
		assert_int_equal(e.p[0], 0);
		assert_int_equal(get_le16(e.p + 1), s.ha);
		assert_int_equal(e.p[3], 1);
		assert_int_equal(hci_bit_test(e.p + 5, 8, HCI_FEAT1_SSP_HOST), k >= 1);
		assert_int_equal(hci_bit_test(e.p + 5, 8, HCI_FEAT1_SC_HOST), k == 2);
		th_world_free(s.w);
	}
}

static void test_secure_connections_gives_p256_keys_aes_ccm_and_encryption_change_v2(void **state)
{
	struct pair s = setup("sec-sc", NULL, NULL, true, true, true, true);
	/* a unmasks Encryption Change [v2] (Set Event Mask Page 2, bit 25) */
	uint8_t m2[8] = {0, 0, 0, 0x02, 0, 0, 0, 0};
	assert_int_equal(th_cmd(s.w, s.a, HCI_OP_SET_EVENT_MASK_PAGE2, m2, 8, NULL, NULL), 0);
	ssp_start(&s, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL);
	uint32_t va, vb;
	confirm_both(&s, &va, &vb);
	assert_int_equal(va, vb);
	assert_int_equal(reply(&s, s.b, HCI_OP_USER_CONFIRM_REPLY, NULL, 0), 0);
	assert_int_equal(reply(&s, s.a, HCI_OP_USER_CONFIRM_REPLY, NULL, 0), 0);
	expect_paired(&s, HCI_LINK_KEY_AUTH_P256, NULL);
	assert_int_equal(encrypt(&s, s.a, s.ha, 1), 0);
	struct th_ev e = want(&s, s.a, HCI_EV_ENCRYPT_CHANGE_V2, 100);
	assert_int_equal(e.plen, 5);
	assert_int_equal(e.p[3], HCI_ENC_AES_CCM);
	assert_int_equal(e.p[4], 16);
	assert_int_equal(th_find_ev(s.a, HCI_EV_ENCRYPT_CHANGE, -1), -1); /* only one version */
	e = want(&s, s.b, HCI_EV_ENCRYPT_CHANGE, 10);
	assert_int_equal(e.plen, 4);
	assert_int_equal(e.p[3], HCI_ENC_AES_CCM);
	/* the host features page shows Secure Connections to the peer */
	uint8_t p[3];
	put_le16(p, s.hb);
	p[2] = 1;
	assert_int_equal(th_cmd(s.w, s.b, HCI_OP_READ_REMOTE_EXT_FEATURES, p, 3, NULL, NULL), TH_CS(0));
	e = want(&s, s.b, HCI_EV_REMOTE_EXT_FEATURES, 100);
	assert_int_equal(e.plen, 13);
	assert_int_equal(e.p[0], 0);
	assert_int_equal(e.p[3], 1);
	assert_int_equal(e.p[4], 2);
	assert_true(hci_bit_test(e.p + 5, 8, HCI_FEAT1_SSP_HOST));
	assert_true(hci_bit_test(e.p + 5, 8, HCI_FEAT1_SC_HOST));
	p[2] = 3; /* no such page */
	assert_int_equal(th_cmd(s.w, s.b, HCI_OP_READ_REMOTE_EXT_FEATURES, p, 3, NULL, NULL), TH_CS(0));
	e = want(&s, s.b, HCI_EV_REMOTE_EXT_FEATURES, 100);
	assert_int_equal(e.p[0], HCI_ERR_INVALID_PARAMS);
	th_world_free(s.w);
}

static void test_numeric_comparison_rejected_by_one_side_fails_both(void **state)
{
	struct pair s = setup_ssp("sec-nc-rej");
	ssp_start(&s, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM);
	uint32_t va, vb;
	confirm_both(&s, &va, &vb);
	assert_int_equal(reply(&s, s.a, HCI_OP_USER_CONFIRM_REPLY, NULL, 0), 0);
	assert_int_equal(reply(&s, s.b, HCI_OP_USER_CONFIRM_NEG_REPLY, NULL, 0), 0);
	expect_failed(&s, HCI_ERR_AUTH_FAILURE, true, true);
	/* no key, no encryption */
	assert_int_equal(encrypt(&s, s.a, s.ha, 1), HCI_ERR_COMMAND_DISALLOWED);
	th_world_free(s.w);
}

static void test_nc_mismatch_fault_shows_different_values_and_fails_after_both_confirm(void **state)
{
	struct sim_ctrl_config cb;
	sim_ctrl_config_init(&cb, SIM_TYPE_DUAL);
	cb.sec_faults = SIM_SEC_FAULT_NC_MISMATCH;
	struct pair s = setup("sec-nc-mitm", NULL, &cb, true, true, false, false);
	ssp_start(&s, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM);
	uint32_t va, vb;
	confirm_both(&s, &va, &vb);
	assert_int_not_equal(va, vb);
	/* careless users confirm anyway: the DHKey check catches the forged key */
	assert_int_equal(reply(&s, s.a, HCI_OP_USER_CONFIRM_REPLY, NULL, 0), 0);
	assert_int_equal(reply(&s, s.b, HCI_OP_USER_CONFIRM_REPLY, NULL, 0), 0);
	expect_failed(&s, HCI_ERR_AUTH_FAILURE, true, true);
	th_world_free(s.w);
}

static void test_just_works_is_confirmed_by_hosts_and_unauthenticated(void **state)
{
	struct pair s = setup_ssp("sec-jw");
	ssp_start(&s, HCI_IO_NO_INPUT_OUTPUT, 0, AUTH_GENERAL, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM);
	uint32_t va, vb;
	/* Just Works still asks both hosts (they confirm automatically) */
	confirm_both(&s, &va, &vb);
	assert_int_equal(va, vb);
	assert_int_equal(reply(&s, s.a, HCI_OP_USER_CONFIRM_REPLY, NULL, 0), 0);
	assert_int_equal(reply(&s, s.b, HCI_OP_USER_CONFIRM_REPLY, NULL, 0), 0);
	expect_paired(&s, HCI_LINK_KEY_UNAUTH_P192, NULL);
	/* neither side asks for MITM protection: Just Works even with two displays */
	ssp_start(&s, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL);
	confirm_both(&s, &va, &vb);
	assert_int_equal(reply(&s, s.a, HCI_OP_USER_CONFIRM_REPLY, NULL, 0), 0);
	assert_int_equal(reply(&s, s.b, HCI_OP_USER_CONFIRM_REPLY, NULL, 0), 0);
	expect_paired(&s, HCI_LINK_KEY_UNAUTH_P192, NULL);
	/* a DisplayOnly side confirms automatically: no MITM protection either */
	ssp_start(&s, HCI_IO_DISPLAY_ONLY, 0, AUTH_GENERAL_MITM, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM);
	confirm_both(&s, &va, &vb);
	assert_int_equal(reply(&s, s.a, HCI_OP_USER_CONFIRM_REPLY, NULL, 0), 0);
	assert_int_equal(reply(&s, s.b, HCI_OP_USER_CONFIRM_REPLY, NULL, 0), 0);
	expect_paired(&s, HCI_LINK_KEY_UNAUTH_P192, NULL);
	th_world_free(s.w);
}

static void test_passkey_entry_right_and_wrong(void **state)
{
	struct pair s = setup_ssp("sec-pk");
	/* a has a keyboard, b displays */
	ssp_start(&s, HCI_IO_KEYBOARD_ONLY, 0, AUTH_GENERAL_MITM, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM);
	want_addr(&s, s.a, HCI_EV_USER_PASSKEY_REQUEST, 100);
	struct th_ev n = want_addr(&s, s.b, HCI_EV_USER_PASSKEY_NOTIFICATION, 10);
	assert_int_equal(n.plen, 10);
	uint32_t shown = get_le32(n.p + 6);
	assert_true(shown <= 999999);
	assert_int_equal(th_find_ev(s.a, HCI_EV_USER_CONFIRM_REQUEST, -1), -1);
	/* keypresses reach the displaying side */
	uint8_t kp = 0x00; /* passkey entry started */
	assert_int_equal(reply(&s, s.a, HCI_OP_SEND_KEYPRESS_NOTIF, &kp, 1), 0);
	struct th_ev k = want_addr(&s, s.b, HCI_EV_KEYPRESS_NOTIFICATION, 10);
	assert_int_equal(k.plen, 7);
	assert_int_equal(k.p[6], 0x00);
	kp = 5; /* not a notification type */
	assert_int_equal(reply(&s, s.a, HCI_OP_SEND_KEYPRESS_NOTIF, &kp, 1), HCI_ERR_INVALID_PARAMS);
	kp = 1;
	assert_int_equal(reply(&s, s.b, HCI_OP_SEND_KEYPRESS_NOTIF, &kp, 1), HCI_ERR_COMMAND_DISALLOWED);
	uint8_t v[4];
	put_le32(v, 1000000); /* more than six digits */
	assert_int_equal(reply(&s, s.a, HCI_OP_USER_PASSKEY_REPLY, v, 4), HCI_ERR_INVALID_PARAMS);
	put_le32(v, shown);
	assert_int_equal(reply(&s, s.a, HCI_OP_USER_PASSKEY_REPLY, v, 4), 0);
	expect_paired(&s, HCI_LINK_KEY_AUTH_P192, NULL);
	/* again, the user types a wrong number */
	ssp_start(&s, HCI_IO_KEYBOARD_ONLY, 0, AUTH_GENERAL_MITM, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM);
	want_addr(&s, s.a, HCI_EV_USER_PASSKEY_REQUEST, 100);
	n = want_addr(&s, s.b, HCI_EV_USER_PASSKEY_NOTIFICATION, 10);
	put_le32(v, (get_le32(n.p + 6) + 1) % 1000000);
	assert_int_equal(reply(&s, s.a, HCI_OP_USER_PASSKEY_REPLY, v, 4), 0);
	expect_failed(&s, HCI_ERR_AUTH_FAILURE, true, true);
	th_world_free(s.w);
}

static void test_passkey_entry_with_two_keyboards(void **state)
{
	struct pair s = setup_ssp("sec-pk2");
	ssp_start(&s, HCI_IO_KEYBOARD_ONLY, 0, AUTH_GENERAL_MITM, HCI_IO_KEYBOARD_ONLY, 0, AUTH_GENERAL);
	want_addr(&s, s.a, HCI_EV_USER_PASSKEY_REQUEST, 100);
	want_addr(&s, s.b, HCI_EV_USER_PASSKEY_REQUEST, 10);
	assert_int_equal(th_find_ev(s.b, HCI_EV_USER_PASSKEY_NOTIFICATION, -1), -1);
	uint8_t v[4];
	put_le32(v, 123456);
	assert_int_equal(reply(&s, s.a, HCI_OP_USER_PASSKEY_REPLY, v, 4), 0);
	assert_int_equal(reply(&s, s.b, HCI_OP_USER_PASSKEY_REPLY, v, 4), 0);
	expect_paired(&s, HCI_LINK_KEY_AUTH_P192, NULL);
	ssp_start(&s, HCI_IO_KEYBOARD_ONLY, 0, AUTH_GENERAL_MITM, HCI_IO_KEYBOARD_ONLY, 0, AUTH_GENERAL);
	want_addr(&s, s.a, HCI_EV_USER_PASSKEY_REQUEST, 100);
	want_addr(&s, s.b, HCI_EV_USER_PASSKEY_REQUEST, 10);
	assert_int_equal(reply(&s, s.a, HCI_OP_USER_PASSKEY_REPLY, v, 4), 0);
	put_le32(v, 654321);
	assert_int_equal(reply(&s, s.b, HCI_OP_USER_PASSKEY_REPLY, v, 4), 0);
	expect_failed(&s, HCI_ERR_AUTH_FAILURE, true, true);
	/* and a user who cancels */
	ssp_start(&s, HCI_IO_KEYBOARD_ONLY, 0, AUTH_GENERAL_MITM, HCI_IO_KEYBOARD_ONLY, 0, AUTH_GENERAL);
	want_addr(&s, s.b, HCI_EV_USER_PASSKEY_REQUEST, 100);
	assert_int_equal(reply(&s, s.b, HCI_OP_USER_PASSKEY_NEG_REPLY, NULL, 0), 0);
	expect_failed(&s, HCI_ERR_AUTH_FAILURE, true, true);
	th_world_free(s.w);
}

static void test_out_of_band_data_checked_against_the_peer_key(void **state)
{
	struct pair s = setup_ssp("sec-oob");
	/* b's host hands its OOB data (C, R) to a's host out of band */
	uint8_t r[80];
	size_t rl;
	assert_int_equal(th_cmd(s.w, s.b, HCI_OP_READ_LOCAL_OOB_DATA, NULL, 0, r, &rl), 0);
	assert_int_equal(rl, 33);
	uint8_t cr[32];
	memcpy(cr, r + 1, 32);
	ssp_start(&s, HCI_IO_DISPLAY_YES_NO, 1, AUTH_GENERAL_MITM, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM);
	want_addr(&s, s.a, HCI_EV_REMOTE_OOB_REQUEST, 100);
	assert_int_equal(th_find_ev(s.b, HCI_EV_REMOTE_OOB_REQUEST, -1), -1); /* b has no data of a */
	assert_int_equal(th_find_ev(s.b, HCI_EV_USER_CONFIRM_REQUEST, -1), -1);
	assert_int_equal(reply(&s, s.a, HCI_OP_REMOTE_OOB_REPLY, cr, 32), 0);
	expect_paired(&s, HCI_LINK_KEY_AUTH_P192, NULL);
	/* a commitment that does not belong to b's key */
	ssp_start(&s, HCI_IO_DISPLAY_YES_NO, 1, AUTH_GENERAL_MITM, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM);
	want_addr(&s, s.a, HCI_EV_REMOTE_OOB_REQUEST, 100);
	cr[0] ^= 0x80;
	assert_int_equal(reply(&s, s.a, HCI_OP_REMOTE_OOB_REPLY, cr, 32), 0);
	expect_failed(&s, HCI_ERR_AUTH_FAILURE, true, true);
	/* a host without the data */
	ssp_start(&s, HCI_IO_DISPLAY_YES_NO, 1, AUTH_GENERAL_MITM, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM);
	want_addr(&s, s.a, HCI_EV_REMOTE_OOB_REQUEST, 100);
	assert_int_equal(reply(&s, s.a, HCI_OP_REMOTE_OOB_NEG_REPLY, NULL, 0), 0);
	expect_failed(&s, HCI_ERR_AUTH_FAILURE, true, true);
	th_world_free(s.w);
}

static void test_out_of_band_extended_data_with_secure_connections(void **state)
{
	struct pair s = setup("sec-oob-sc", NULL, NULL, true, true, true, true);
	uint8_t r[80];
	size_t rl;
	assert_int_equal(th_cmd(s.w, s.b, HCI_OP_READ_LOCAL_OOB_EXT_DATA, NULL, 0, r, &rl), 0);
	assert_int_equal(rl, 65);
	uint8_t data[64];
	memcpy(data, r + 1, 64); /* C_192 R_192 C_256 R_256 */
	ssp_start(&s, HCI_IO_NO_INPUT_OUTPUT, 0x03, AUTH_GENERAL_MITM, HCI_IO_NO_INPUT_OUTPUT, 0, AUTH_GENERAL);
	want_addr(&s, s.a, HCI_EV_REMOTE_OOB_REQUEST, 100);
	assert_int_equal(reply(&s, s.a, HCI_OP_REMOTE_OOB_EXT_REPLY, data, 64), 0);
	expect_paired(&s, HCI_LINK_KEY_AUTH_P256, NULL);
	/* Secure Connections pairing checks the P-256 pair: a wrong C_256 fails */
	ssp_start(&s, HCI_IO_NO_INPUT_OUTPUT, 0x03, AUTH_GENERAL_MITM, HCI_IO_NO_INPUT_OUTPUT, 0, AUTH_GENERAL);
	want_addr(&s, s.a, HCI_EV_REMOTE_OOB_REQUEST, 100);
	data[32] ^= 1;
	assert_int_equal(reply(&s, s.a, HCI_OP_REMOTE_OOB_EXT_REPLY, data, 64), 0);
	expect_failed(&s, HCI_ERR_AUTH_FAILURE, true, true);
	th_world_free(s.w);
}

static void test_io_capability_negative_reply_ends_pairing_with_the_reason(void **state)
{
	struct pair s = setup_ssp("sec-ioneg");
	auth_requested(&s);
	want_addr(&s, s.a, HCI_EV_LINK_KEY_REQUEST, 10);
	assert_int_equal(reply(&s, s.a, HCI_OP_LINK_KEY_NEG_REPLY, NULL, 0), 0);
	want_addr(&s, s.a, HCI_EV_IO_CAP_REQUEST, 10);
	uint8_t ca[3] = {HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL};
	assert_int_equal(reply(&s, s.a, HCI_OP_IO_CAP_REPLY, ca, 3), 0);
	want_addr(&s, s.b, HCI_EV_IO_CAP_REQUEST, 100);
	uint8_t reason = HCI_ERR_PAIRING_NOT_ALLOWED;
	assert_int_equal(reply(&s, s.b, HCI_OP_IO_CAP_NEG_REPLY, &reason, 1), 0);
	expect_failed(&s, HCI_ERR_PAIRING_NOT_ALLOWED, true, true);
	th_world_free(s.w);
}

/* --- stored keys, legacy pairing --------------------------------------------------------- */

static void pair_nc(struct pair *s, uint8_t key[16])
{
	ssp_start(s, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM);
	uint32_t va, vb;
	confirm_both(s, &va, &vb);
	assert_int_equal(reply(s, s->a, HCI_OP_USER_CONFIRM_REPLY, NULL, 0), 0);
	assert_int_equal(reply(s, s->b, HCI_OP_USER_CONFIRM_REPLY, NULL, 0), 0);
	expect_paired(s, HCI_LINK_KEY_AUTH_P192, key);
}

static void test_stored_keys_must_match(void **state)
{
	struct pair s = setup_ssp("sec-stored");
	uint8_t key[16], other[16];
	pair_nc(&s, key);
	/* the same key on both sides: Authentication Complete, no pairing events */
	auth_requested(&s);
	want_addr(&s, s.a, HCI_EV_LINK_KEY_REQUEST, 10);
	assert_int_equal(reply(&s, s.a, HCI_OP_LINK_KEY_REPLY, key, 16), 0);
	want_addr(&s, s.b, HCI_EV_LINK_KEY_REQUEST, 100);
	assert_int_equal(reply(&s, s.b, HCI_OP_LINK_KEY_REPLY, key, 16), 0);
	struct th_ev e = want(&s, s.a, HCI_EV_AUTH_COMPLETE, 100);
	assert_int_equal(e.p[0], 0);
	assert_int_equal(th_find_ev(s.a, HCI_EV_IO_CAP_REQUEST, -1), -1);
	assert_int_equal(th_find_ev(s.b, HCI_EV_IO_CAP_REQUEST, -1), -1);
	/* different keys: Authentication Failure */
	memcpy(other, key, 16);
	other[15] ^= 0x10;
	auth_requested(&s);
	want_addr(&s, s.a, HCI_EV_LINK_KEY_REQUEST, 10);
	assert_int_equal(reply(&s, s.a, HCI_OP_LINK_KEY_REPLY, key, 16), 0);
	want_addr(&s, s.b, HCI_EV_LINK_KEY_REQUEST, 100);
	assert_int_equal(reply(&s, s.b, HCI_OP_LINK_KEY_REPLY, other, 16), 0);
	e = want(&s, s.a, HCI_EV_AUTH_COMPLETE, 100);
	assert_int_equal(e.p[0], HCI_ERR_AUTH_FAILURE);
	/* the peer lost its key: PIN or Key Missing */
	auth_requested(&s);
	want_addr(&s, s.a, HCI_EV_LINK_KEY_REQUEST, 10);
	assert_int_equal(reply(&s, s.a, HCI_OP_LINK_KEY_REPLY, key, 16), 0);
	want_addr(&s, s.b, HCI_EV_LINK_KEY_REQUEST, 100);
	assert_int_equal(reply(&s, s.b, HCI_OP_LINK_KEY_NEG_REPLY, NULL, 0), 0);
	e = want(&s, s.a, HCI_EV_AUTH_COMPLETE, 100);
	assert_int_equal(e.p[0], HCI_ERR_PIN_OR_KEY_MISSING);
	assert_int_equal(th_find_ev(s.b, HCI_EV_AUTH_COMPLETE, -1), -1);
	th_world_free(s.w);
}

static void test_key_mismatch_and_reject_faults(void **state)
{
	struct sim_ctrl_config cb;
	sim_ctrl_config_init(&cb, SIM_TYPE_BREDR);
	struct pair s = setup("sec-keyfault", NULL, &cb, true, true, false, false);
	uint8_t key[16];
	pair_nc(&s, key);
	/* b's controller alters the key its host gives */
	sim_ctrl_set_sec_faults(s.b->c, SIM_SEC_FAULT_KEY_MISMATCH);
	auth_requested(&s);
	want_addr(&s, s.a, HCI_EV_LINK_KEY_REQUEST, 10);
	assert_int_equal(reply(&s, s.a, HCI_OP_LINK_KEY_REPLY, key, 16), 0);
	want_addr(&s, s.b, HCI_EV_LINK_KEY_REQUEST, 100);
	assert_int_equal(reply(&s, s.b, HCI_OP_LINK_KEY_REPLY, key, 16), 0);
	struct th_ev e = want(&s, s.a, HCI_EV_AUTH_COMPLETE, 100);
	assert_int_equal(e.p[0], HCI_ERR_AUTH_FAILURE);
	/* b's controller refuses for its host: the host never sees a request */
	sim_ctrl_set_sec_faults(s.b->c, SIM_SEC_FAULT_REJECT);
	auth_requested(&s);
	want_addr(&s, s.a, HCI_EV_LINK_KEY_REQUEST, 10);
	assert_int_equal(reply(&s, s.a, HCI_OP_LINK_KEY_REPLY, key, 16), 0);
	e = want(&s, s.a, HCI_EV_AUTH_COMPLETE, 100);
	assert_int_equal(e.p[0], HCI_ERR_PIN_OR_KEY_MISSING);
	auth_requested(&s);
	want_addr(&s, s.a, HCI_EV_LINK_KEY_REQUEST, 10);
	assert_int_equal(reply(&s, s.a, HCI_OP_LINK_KEY_NEG_REPLY, NULL, 0), 0);
	want_addr(&s, s.a, HCI_EV_IO_CAP_REQUEST, 10);
	uint8_t ca[3] = {HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL};
	assert_int_equal(reply(&s, s.a, HCI_OP_IO_CAP_REPLY, ca, 3), 0);
	expect_failed(&s, HCI_ERR_PAIRING_NOT_ALLOWED, true, false);
	assert_int_equal(th_find_ev(s.b, HCI_EV_LINK_KEY_REQUEST, -1), -1);
	assert_int_equal(th_find_ev(s.b, HCI_EV_IO_CAP_REQUEST, -1), -1);
	assert_int_equal(th_find_ev(s.b, HCI_EV_SIMPLE_PAIRING_COMPLETE, -1), -1);
	th_world_free(s.w);
}

static void test_legacy_pin_pairing_when_one_side_has_ssp_off(void **state)
{
	struct pair s = setup("sec-pin", NULL, NULL, true, false, false, false);
	uint8_t pin[17] = {4, '1', '2', '3', '4'};
	auth_requested(&s);
	want_addr(&s, s.a, HCI_EV_LINK_KEY_REQUEST, 10);
	assert_int_equal(reply(&s, s.a, HCI_OP_LINK_KEY_NEG_REPLY, NULL, 0), 0);
	want_addr(&s, s.a, HCI_EV_PIN_CODE_REQUEST, 10);
	assert_int_equal(th_find_ev(s.a, HCI_EV_IO_CAP_REQUEST, -1), -1);
	uint8_t bad[17] = {17};
	assert_int_equal(reply(&s, s.a, HCI_OP_PIN_CODE_REPLY, bad, 17), HCI_ERR_INVALID_PARAMS);
	bad[0] = 0;
	assert_int_equal(reply(&s, s.a, HCI_OP_PIN_CODE_REPLY, bad, 17), HCI_ERR_INVALID_PARAMS);
	assert_int_equal(reply(&s, s.a, HCI_OP_PIN_CODE_REPLY, pin, 17), 0);
	want_addr(&s, s.b, HCI_EV_PIN_CODE_REQUEST, 100);
	assert_int_equal(reply(&s, s.b, HCI_OP_PIN_CODE_REPLY, pin, 17), 0);
	struct th_ev e = want(&s, s.a, HCI_EV_AUTH_COMPLETE, 100);
	assert_int_equal(e.p[0], 0);
	struct th_ev ka = want_addr(&s, s.a, HCI_EV_LINK_KEY_NOTIFICATION, 0);
	struct th_ev kb = want_addr(&s, s.b, HCI_EV_LINK_KEY_NOTIFICATION, 0);
	assert_memory_equal(ka.p + 6, kb.p + 6, 16);
	assert_int_equal(ka.p[22], HCI_LINK_KEY_COMBINATION);
	assert_int_equal(th_find_ev(s.a, HCI_EV_SIMPLE_PAIRING_COMPLETE, -1), -1);
	assert_int_equal(encrypt(&s, s.a, s.ha, 1), 0);
	e = want(&s, s.b, HCI_EV_ENCRYPT_CHANGE, 100);
	assert_int_equal(e.p[3], HCI_ENC_E0);
	/* different PINs: Authentication Failure, no key */
	auth_requested(&s);
	want_addr(&s, s.a, HCI_EV_LINK_KEY_REQUEST, 10);
	assert_int_equal(reply(&s, s.a, HCI_OP_LINK_KEY_NEG_REPLY, NULL, 0), 0);
	want_addr(&s, s.a, HCI_EV_PIN_CODE_REQUEST, 10);
	assert_int_equal(reply(&s, s.a, HCI_OP_PIN_CODE_REPLY, pin, 17), 0);
	want_addr(&s, s.b, HCI_EV_PIN_CODE_REQUEST, 100);
	uint8_t pin2[17] = {4, '0', '0', '0', '0'};
	assert_int_equal(reply(&s, s.b, HCI_OP_PIN_CODE_REPLY, pin2, 17), 0);
	expect_failed(&s, HCI_ERR_AUTH_FAILURE, false, false);
	/* a peer without a PIN: PIN or Key Missing */
	auth_requested(&s);
	want_addr(&s, s.a, HCI_EV_LINK_KEY_REQUEST, 10);
	assert_int_equal(reply(&s, s.a, HCI_OP_LINK_KEY_NEG_REPLY, NULL, 0), 0);
	want_addr(&s, s.a, HCI_EV_PIN_CODE_REQUEST, 10);
	assert_int_equal(reply(&s, s.a, HCI_OP_PIN_CODE_REPLY, pin, 17), 0);
	want_addr(&s, s.b, HCI_EV_PIN_CODE_REQUEST, 100);
	assert_int_equal(reply(&s, s.b, HCI_OP_PIN_CODE_NEG_REPLY, NULL, 0), 0);
	expect_failed(&s, HCI_ERR_PIN_OR_KEY_MISSING, false, false);
	th_world_free(s.w);
}

/* --- key size, link loss, masks, timeouts, parameters --------------------------------------- */

static void test_encryption_key_size_is_the_smaller_offer(void **state)
{
	struct sim_ctrl_config cb;
	sim_ctrl_config_init(&cb, SIM_TYPE_DUAL);
	cb.enc_key_size = 7; /* a KNOB-style peer */
	struct pair s = setup("sec-keysize", NULL, &cb, true, true, false, false);
	uint8_t m2[8] = {0, 0, 0, 0x02, 0, 0, 0, 0};
	assert_int_equal(th_cmd(s.w, s.b, HCI_OP_SET_EVENT_MASK_PAGE2, m2, 8, NULL, NULL), 0);
	pair_nc(&s, NULL);
	assert_int_equal(encrypt(&s, s.a, s.ha, 1), 0);
	struct th_ev e = want(&s, s.b, HCI_EV_ENCRYPT_CHANGE_V2, 100);
	assert_int_equal(e.p[4], 7);
	e = want(&s, s.a, HCI_EV_ENCRYPT_CHANGE, 10);
	assert_int_equal(e.p[3], HCI_ENC_E0);
	int st;
	assert_int_equal(key_size(&s, s.a, s.ha, &st), 7);
	assert_int_equal(key_size(&s, s.b, s.hb, &st), 7);
	/* and off again */
	assert_int_equal(encrypt(&s, s.a, s.ha, 0), 0);
	e = want(&s, s.a, HCI_EV_ENCRYPT_CHANGE, 100);
	assert_int_equal(e.p[3], HCI_ENC_OFF);
	key_size(&s, s.a, s.ha, &st);
	assert_int_equal(st, HCI_ERR_INSUFFICIENT_SECURITY);
	th_world_free(s.w);
}

static void test_link_lost_mid_pairing_reports_failure_then_disconnection(void **state)
{
	struct pair s = setup_ssp("sec-cut");
	ssp_start(&s, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM);
	uint32_t va, vb;
	confirm_both(&s, &va, &vb);
	assert_int_equal(sim_ctrl_cut_link(s.a->c, s.ha, 0), 0);
	assert_int_equal(reply(&s, s.a, HCI_OP_USER_CONFIRM_REPLY, NULL, 0), 0);
	assert_int_equal(reply(&s, s.b, HCI_OP_USER_CONFIRM_REPLY, NULL, 0), 0);
	th_run_for(s.w, 19000);
	assert_int_equal(th_find_ev(s.a, HCI_EV_AUTH_COMPLETE, -1), -1); /* nothing crosses */
	struct th_wait wt = {s.b, HCI_EV_DISCONN_COMPLETE, -1};
	assert_true(th_run_until(s.w, th_has_ev, &wt, 2000));
	for (int i = 0; i < 2; i++) {
		struct th_host *h = i ? s.b : s.a;
		int spc = th_find_ev(h, HCI_EV_SIMPLE_PAIRING_COMPLETE, -1);
		int dc = th_find_ev(h, HCI_EV_DISCONN_COMPLETE, -1);
		assert_true(spc >= 0 && spc < dc);
		assert_int_equal(h->ev[spc].p[0], HCI_ERR_CONN_TIMEOUT);
		assert_int_equal(h->ev[dc].p[3], HCI_ERR_CONN_TIMEOUT);
	}
	struct th_ev e = want(&s, s.a, HCI_EV_AUTH_COMPLETE, 0);
	assert_int_equal(e.p[0], HCI_ERR_CONN_TIMEOUT);
	assert_int_equal(th_find_ev(s.b, HCI_EV_AUTH_COMPLETE, -1), -1);
	assert_int_equal(th_find_ev(s.a, HCI_EV_LINK_KEY_NOTIFICATION, -1), -1);
	th_world_free(s.w);
}

static void test_cut_in_pairing_fault_and_peer_power_off(void **state)
{
	struct sim_ctrl_config cb;
	sim_ctrl_config_init(&cb, SIM_TYPE_DUAL);
	cb.sec_faults = SIM_SEC_FAULT_CUT_IN_PAIRING;
	struct pair s = setup("sec-cutfault", NULL, &cb, true, true, false, false);
	ssp_start(&s, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM);
	struct th_ev e = want(&s, s.a, HCI_EV_DISCONN_COMPLETE, 25000);
	assert_int_equal(e.p[3], HCI_ERR_CONN_TIMEOUT);
	assert_int_equal(th_find_ev(s.a, HCI_EV_USER_CONFIRM_REQUEST, -1), -1); /* cut before stage 1 */
	e = want(&s, s.a, HCI_EV_AUTH_COMPLETE, 0);
	assert_int_equal(e.p[0], HCI_ERR_CONN_TIMEOUT);
	e = want(&s, s.b, HCI_EV_SIMPLE_PAIRING_COMPLETE, 10);
	assert_int_equal(e.p[0], HCI_ERR_CONN_TIMEOUT);
	th_world_free(s.w);

	/* the peer's controller vanishes while its host is asked: 0x15 at once */
	s = setup_ssp("sec-gone");
	ssp_start(&s, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM);
	want_addr(&s, s.a, HCI_EV_USER_CONFIRM_REQUEST, 100);
	sim_ctrl_free(s.b->c);
	s.b->c = NULL;
	th_pump(s.w);
	int spc = th_find_ev(s.a, HCI_EV_SIMPLE_PAIRING_COMPLETE, -1), ac = th_find_ev(s.a, HCI_EV_AUTH_COMPLETE, -1);
	int dc = th_find_ev(s.a, HCI_EV_DISCONN_COMPLETE, -1);
	assert_true(spc >= 0 && spc < ac && ac < dc);
	assert_int_equal(s.a->ev[ac].p[0], HCI_ERR_REMOTE_POWER_OFF);
	/* an answer for a link that is gone */
	assert_int_equal(reply(&s, s.a, HCI_OP_USER_CONFIRM_REPLY, NULL, 0), HCI_ERR_UNKNOWN_CONN_ID);
	th_world_free(s.w);

	/* b's host disconnects while both are asked to confirm: each side's failure events carry
	 * the reason of its Disconnection Complete, and come first */
	s = setup_ssp("sec-disc");
	ssp_start(&s, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM);
	uint32_t va, vb;
	confirm_both(&s, &va, &vb);
	uint8_t d[3];
	put_le16(d, s.hb);
	d[2] = HCI_ERR_REMOTE_USER_TERM;
	assert_int_equal(th_cmd(s.w, s.b, HCI_OP_DISCONNECT, d, 3, NULL, NULL), TH_CS(0));
	assert_int_equal(reply(&s, s.a, HCI_OP_USER_CONFIRM_REPLY, NULL, 0), 0); /* too late */
	struct th_wait wt = {s.a, HCI_EV_DISCONN_COMPLETE, -1};
	assert_true(th_run_until(s.w, th_has_ev, &wt, 100));
	spc = th_find_ev(s.a, HCI_EV_SIMPLE_PAIRING_COMPLETE, -1);
	ac = th_find_ev(s.a, HCI_EV_AUTH_COMPLETE, -1);
	dc = th_find_ev(s.a, HCI_EV_DISCONN_COMPLETE, -1);
	assert_true(spc >= 0 && spc < ac && ac < dc);
	assert_int_equal(s.a->ev[spc].p[0], HCI_ERR_REMOTE_USER_TERM);
	assert_int_equal(s.a->ev[ac].p[0], HCI_ERR_REMOTE_USER_TERM);
	spc = th_find_ev(s.b, HCI_EV_SIMPLE_PAIRING_COMPLETE, -1);
	dc = th_find_ev(s.b, HCI_EV_DISCONN_COMPLETE, -1);
	assert_true(spc >= 0 && spc < dc);
	assert_int_equal(s.b->ev[spc].p[0], HCI_ERR_LOCAL_HOST_TERM);
	assert_int_equal(th_find_ev(s.a, HCI_EV_LINK_KEY_NOTIFICATION, -1), -1);
	th_world_free(s.w);
}

static void test_masked_events_are_not_sent(void **state)
{
	struct pair s = setup_ssp("sec-mask");
	/* b: every event but Link Key Notification (bit 23) */
	uint8_t m[8] = {0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0x3F};
	assert_int_equal(th_cmd(s.w, s.b, HCI_OP_SET_EVENT_MASK, m, 8, NULL, NULL), 0);
	ssp_start(&s, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM);
	uint32_t va, vb;
	confirm_both(&s, &va, &vb);
	assert_int_equal(reply(&s, s.a, HCI_OP_USER_CONFIRM_REPLY, NULL, 0), 0);
	assert_int_equal(reply(&s, s.b, HCI_OP_USER_CONFIRM_REPLY, NULL, 0), 0);
	struct th_ev e = want(&s, s.a, HCI_EV_AUTH_COMPLETE, 100);
	assert_int_equal(e.p[0], 0);
	want_addr(&s, s.a, HCI_EV_LINK_KEY_NOTIFICATION, 0);
	e = want(&s, s.b, HCI_EV_SIMPLE_PAIRING_COMPLETE, 10);
	assert_int_equal(e.p[0], 0);
	assert_int_equal(th_find_ev(s.b, HCI_EV_LINK_KEY_NOTIFICATION, -1), -1);
	struct sim_ctrl_stats st;
	sim_ctrl_get_stats(s.b->c, &st);
	assert_true(st.events_masked >= 1);
	/* a host that never unmasked the Simple Pairing events never answers: after the LMP
	 * response timeout both hosts learn that pairing failed */
	uint8_t def[8] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0, 0};
	assert_int_equal(th_cmd(s.w, s.b, HCI_OP_SET_EVENT_MASK, def, 8, NULL, NULL), 0);
	auth_requested(&s);
	want_addr(&s, s.a, HCI_EV_LINK_KEY_REQUEST, 10);
	assert_int_equal(reply(&s, s.a, HCI_OP_LINK_KEY_NEG_REPLY, NULL, 0), 0);
	want_addr(&s, s.a, HCI_EV_IO_CAP_REQUEST, 10);
	uint8_t ca[3] = {HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL};
	assert_int_equal(reply(&s, s.a, HCI_OP_IO_CAP_REPLY, ca, 3), 0);
	uint64_t t0 = sim_air_now_us(s.w->air);
	e = want(&s, s.a, HCI_EV_AUTH_COMPLETE, 40000);
	assert_int_equal(e.p[0], HCI_ERR_LL_RESPONSE_TIMEOUT);
	uint64_t dt = sim_air_now_us(s.w->air) - t0;
	assert_true(dt >= 30000000 && dt <= 30100000);
	assert_int_equal(th_find_ev(s.b, HCI_EV_IO_CAP_REQUEST, -1), -1);
	th_world_free(s.w);
}

static void test_commands_check_lengths_values_and_state(void **state)
{
	struct pair s = setup_ssp("sec-params");
	static const struct {
		uint16_t op;
		uint8_t len;
		bool cs;
	} cmds[] = {
		{HCI_OP_LINK_KEY_REPLY, 22, false},	  {HCI_OP_LINK_KEY_NEG_REPLY, 6, false},
		{HCI_OP_PIN_CODE_REPLY, 23, false},	  {HCI_OP_PIN_CODE_NEG_REPLY, 6, false},
		{HCI_OP_AUTH_REQUESTED, 2, true},	  {HCI_OP_SET_CONN_ENCRYPT, 3, true},
		{HCI_OP_IO_CAP_REPLY, 9, false},	  {HCI_OP_USER_CONFIRM_REPLY, 6, false},
		{HCI_OP_USER_CONFIRM_NEG_REPLY, 6, false}, {HCI_OP_USER_PASSKEY_REPLY, 10, false},
		{HCI_OP_USER_PASSKEY_NEG_REPLY, 6, false}, {HCI_OP_REMOTE_OOB_REPLY, 38, false},
		{HCI_OP_REMOTE_OOB_NEG_REPLY, 6, false},   {HCI_OP_IO_CAP_NEG_REPLY, 7, false},
		{HCI_OP_REMOTE_OOB_EXT_REPLY, 70, false},  {HCI_OP_REFRESH_ENCRYPTION_KEY, 2, true},
		{HCI_OP_SEND_KEYPRESS_NOTIF, 7, false},	  {HCI_OP_WRITE_SC_HOST_SUPPORT, 1, false},
		{HCI_OP_READ_ENCRYPTION_KEY_SIZE, 2, false}, {HCI_OP_READ_SSP_MODE, 0, false},
	};
	uint8_t p[80] = {0};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		/* one octet short, and one too many */
		for (int d = -1; d <= 1; d += 2) {
			if (cmds[i].len == 0 && d < 0)
				continue;
			int st = th_cmd(s.w, s.a, cmds[i].op, p, (size_t)(cmds[i].len + d), NULL, NULL);
			assert_int_equal(st, cmds[i].cs ? TH_CS(HCI_ERR_INVALID_PARAMS) : HCI_ERR_INVALID_PARAMS);
		}
	}
	/* bad values */
	uint8_t io[3] = {0x04, 0, AUTH_GENERAL}; /* KeyboardDisplay is not a BR/EDR IO capability */
	assert_int_equal(reply(&s, s.a, HCI_OP_IO_CAP_REPLY, io, 3), HCI_ERR_INVALID_PARAMS);
	io[0] = 1;
	io[2] = 0x06;
	assert_int_equal(reply(&s, s.a, HCI_OP_IO_CAP_REPLY, io, 3), HCI_ERR_INVALID_PARAMS);
	uint8_t zero = 0;
	assert_int_equal(reply(&s, s.a, HCI_OP_IO_CAP_NEG_REPLY, &zero, 1), HCI_ERR_INVALID_PARAMS);
	uint8_t enc[3];
	put_le16(enc, s.ha);
	enc[2] = 2;
	assert_int_equal(th_cmd(s.w, s.a, HCI_OP_SET_CONN_ENCRYPT, enc, 3, NULL, NULL), TH_CS(HCI_ERR_INVALID_PARAMS));
	/* answers nobody asked for */
	assert_int_equal(reply(&s, s.a, HCI_OP_USER_CONFIRM_REPLY, NULL, 0), HCI_ERR_COMMAND_DISALLOWED);
	assert_int_equal(reply(&s, s.a, HCI_OP_LINK_KEY_NEG_REPLY, NULL, 0), HCI_ERR_COMMAND_DISALLOWED);
	uint8_t un[6] = {9, 9, 9, 9, 9, 9}, r[8];
	size_t rl;
	assert_int_equal(th_cmd(s.w, s.a, HCI_OP_USER_CONFIRM_REPLY, un, 6, r, &rl), HCI_ERR_UNKNOWN_CONN_ID);
	/* encryption without authentication, refresh without encryption, unknown handles */
	enc[2] = 1;
	assert_int_equal(th_cmd(s.w, s.a, HCI_OP_SET_CONN_ENCRYPT, enc, 3, NULL, NULL), TH_CS(HCI_ERR_COMMAND_DISALLOWED));
	assert_int_equal(th_cmd(s.w, s.a, HCI_OP_REFRESH_ENCRYPTION_KEY, enc, 2, NULL, NULL),
			 TH_CS(HCI_ERR_COMMAND_DISALLOWED));
	uint8_t bad[3] = {0x77, 0x07, 1};
	assert_int_equal(th_cmd(s.w, s.a, HCI_OP_AUTH_REQUESTED, bad, 2, NULL, NULL), TH_CS(HCI_ERR_UNKNOWN_CONN_ID));
	assert_int_equal(th_cmd(s.w, s.a, HCI_OP_SET_CONN_ENCRYPT, bad, 3, NULL, NULL), TH_CS(HCI_ERR_UNKNOWN_CONN_ID));
	assert_int_equal(th_cmd(s.w, s.a, HCI_OP_READ_ENCRYPTION_KEY_SIZE, bad, 2, r, &rl), HCI_ERR_UNKNOWN_CONN_ID);
	/* one procedure at a time */
	auth_requested(&s);
	put_le16(enc, s.ha);
	assert_int_equal(th_cmd(s.w, s.a, HCI_OP_AUTH_REQUESTED, enc, 2, NULL, NULL), TH_CS(HCI_ERR_COMMAND_DISALLOWED));
	/* Secure Connections host support cannot change while connected or page scanning */
	uint8_t one = 1;
	assert_int_equal(th_cmd(s.w, s.b, HCI_OP_WRITE_SC_HOST_SUPPORT, &one, 1, NULL, NULL), HCI_ERR_COMMAND_DISALLOWED);
	assert_int_equal(th_cmd(s.w, s.b, HCI_OP_READ_SSP_MODE, NULL, 0, r, &rl), 0);
	assert_int_equal(r[1], 1);
	th_world_free(s.w);
}

static void test_features_and_determinism(void **state)
{
	/* the controller claims what it does */
	struct th_world *w = th_world_new("sec-feat");
	struct th_host *h = th_host(w, SIM_TYPE_BREDR);
	uint8_t r[80];
	size_t rl;
	assert_int_equal(th_cmd(w, h, HCI_OP_READ_LOCAL_FEATURES, NULL, 0, r, &rl), 0);
	assert_true(hci_bit_test(r + 1, 8, HCI_FEAT_ENCRYPTION));
	assert_true(hci_bit_test(r + 1, 8, HCI_FEAT_SSP_CTRL));
	assert_true(hci_bit_test(r + 1, 8, HCI_FEAT_PAUSE_ENCRYPTION));
	uint8_t pg = 2;
	assert_int_equal(th_cmd(w, h, HCI_OP_READ_LOCAL_EXT_FEATURES, &pg, 1, r, &rl), 0);
	assert_true(hci_bit_test(r + 3, 8, HCI_FEAT2_SC_CTRL));
	pg = 1;
	uint8_t one = 1;
	assert_int_equal(th_cmd(w, h, HCI_OP_WRITE_SC_HOST_SUPPORT, &one, 1, NULL, NULL), 0);
	assert_int_equal(th_cmd(w, h, HCI_OP_READ_SC_HOST_SUPPORT, NULL, 0, r, &rl), 0);
	assert_int_equal(r[1], 1);
	assert_int_equal(th_cmd(w, h, HCI_OP_READ_LOCAL_EXT_FEATURES, &pg, 1, r, &rl), 0);
	assert_true(hci_bit_test(r + 3, 8, HCI_FEAT1_SC_HOST));
	pg = 3;
	assert_int_equal(th_cmd(w, h, HCI_OP_READ_LOCAL_EXT_FEATURES, &pg, 1, r, &rl), HCI_ERR_INVALID_PARAMS);
	th_world_free(w);
	/* the same seed gives the same numbers and keys */
	uint32_t v[2];
	uint8_t key[2][16];
	for (int run = 0; run < 2; run++) {
		struct pair s = setup_ssp(run ? "sec-det2" : "sec-det1");
		sim_air_set_seed(s.w->air, 42);
		ssp_start(&s, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM, HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL_MITM);
		uint32_t vb;
		confirm_both(&s, &v[run], &vb);
		assert_int_equal(reply(&s, s.a, HCI_OP_USER_CONFIRM_REPLY, NULL, 0), 0);
		assert_int_equal(reply(&s, s.b, HCI_OP_USER_CONFIRM_REPLY, NULL, 0), 0);
		expect_paired(&s, HCI_LINK_KEY_AUTH_P192, key[run]);
		th_world_free(s.w);
	}
	assert_int_equal(v[0], v[1]);
	assert_memory_equal(key[0], key[1], 16);
}

/* A fake host on the controller of a "sim" transport (the world must not free it). */
static struct th_host *wrap(struct th_world *w, struct transport *t)
{
	struct th_host *h = calloc(1, sizeof(*h));
	assert_non_null(h);
	h->ev = calloc(TH_MAXEV, sizeof(*h->ev));
	h->rx = malloc(70000);
	h->c = sim_transport_ctrl(t);
	assert_non_null(h->c);
	sim_ctrl_get_address(h->c, &h->addr);
	w->h[w->n++] = h;
	return h;
}

static void test_transport_spec_keys_set_key_size_and_faults(void **state)
{
	struct transport *ta = NULL, *tb = NULL, *tc = NULL;
	char err[200];
	assert_int_equal(sim_transport_open("type=bredr,air=sec-spec,enc-key-size=5", &ta, err, sizeof(err)), 0);
	assert_int_equal(sim_transport_open("type=bredr,air=sec-spec", &tb, err, sizeof(err)), 0);
	assert_int_equal(sim_transport_open("type=bredr,air=sec-spec,sec-fault=nc-mismatch,sec-fault=reject", &tc, err,
					    sizeof(err)),
			 0);
	struct pair s;
	s.w = th_world_new("sec-spec");
	s.a = wrap(s.w, ta);
	s.b = wrap(s.w, tb);
	struct th_host *c = wrap(s.w, tc);
	host_setup(s.w, s.a, true, false);
	host_setup(s.w, s.b, true, false);
	host_setup(s.w, c, true, false);
	th_connect_bredr(s.w, s.a, s.b, &s.ha, &s.hb);
	pair_nc(&s, NULL);
	assert_int_equal(encrypt(&s, s.a, s.ha, 1), 0);
	want(&s, s.a, HCI_EV_ENCRYPT_CHANGE, 100);
	int st;
	assert_int_equal(key_size(&s, s.b, s.hb, &st), 5); /* a offered 5 */
	/* c refuses pairing for its host */
	s.b = c;
	th_connect_bredr(s.w, s.a, s.b, &s.ha, &s.hb);
	auth_requested(&s);
	want_addr(&s, s.a, HCI_EV_LINK_KEY_REQUEST, 10);
	assert_int_equal(reply(&s, s.a, HCI_OP_LINK_KEY_NEG_REPLY, NULL, 0), 0);
	want_addr(&s, s.a, HCI_EV_IO_CAP_REQUEST, 10);
	uint8_t ca[3] = {HCI_IO_DISPLAY_YES_NO, 0, AUTH_GENERAL};
	assert_int_equal(reply(&s, s.a, HCI_OP_IO_CAP_REPLY, ca, 3), 0);
	expect_failed(&s, HCI_ERR_PAIRING_NOT_ALLOWED, true, false);
	for (int i = 0; i < s.w->n; i++)
		s.w->h[i]->c = NULL; /* the transports own them */
	th_world_free(s.w);
	ta->ops->close(ta);
	tb->ops->close(tb);
	tc->ops->close(tc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numeric_comparison_both_accept_then_encrypt),
		cmocka_unit_test(test_secure_connections_gives_p256_keys_aes_ccm_and_encryption_change_v2),
		cmocka_unit_test(test_remote_host_features_show_what_the_peer_host_wrote),
		cmocka_unit_test(test_numeric_comparison_rejected_by_one_side_fails_both),
		cmocka_unit_test(test_nc_mismatch_fault_shows_different_values_and_fails_after_both_confirm),
		cmocka_unit_test(test_just_works_is_confirmed_by_hosts_and_unauthenticated),
		cmocka_unit_test(test_passkey_entry_right_and_wrong),
		cmocka_unit_test(test_passkey_entry_with_two_keyboards),
		cmocka_unit_test(test_out_of_band_data_checked_against_the_peer_key),
		cmocka_unit_test(test_out_of_band_extended_data_with_secure_connections),
		cmocka_unit_test(test_io_capability_negative_reply_ends_pairing_with_the_reason),
		cmocka_unit_test(test_stored_keys_must_match),
		cmocka_unit_test(test_key_mismatch_and_reject_faults),
		cmocka_unit_test(test_legacy_pin_pairing_when_one_side_has_ssp_off),
		cmocka_unit_test(test_encryption_key_size_is_the_smaller_offer),
		cmocka_unit_test(test_link_lost_mid_pairing_reports_failure_then_disconnection),
		cmocka_unit_test(test_cut_in_pairing_fault_and_peer_power_off),
		cmocka_unit_test(test_masked_events_are_not_sent),
		cmocka_unit_test(test_commands_check_lengths_values_and_state),
		cmocka_unit_test(test_features_and_determinism),
		cmocka_unit_test(test_transport_spec_keys_set_key_size_and_faults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
