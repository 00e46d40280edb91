/* The SMP of l2kit against a scripted peer (the conformance tester: raw SMP commands on the
 * fixed channel 0x0006, raw HCI at the tester for LE encryption; the tester stack's own security
 * manager is muted).  What Core Vol 3 Part H says of bad input:
 *   - a command of the wrong length, or with a field out of its range: Pairing Failed, Invalid
 *     Parameters (0x0A); a Maximum Encryption Key Size below 7 or below our minimum: Encryption
 *     Key Size (0x06); a reserved code: Command Not Supported (0x07); a command the role never
 *     receives: Command Not Supported; a command out of turn: Unspecified Reason (0x08);
 *   - a wrong confirm value: Confirm Value Failed (0x04); a public key off the curve or a wrong
 *     DHKey check: DHKey Check Failed (0x0B);
 *   - the Security Manager Timer: 30 s of silence ends the pairing and SMP on the link (3.4);
 *   - repeated attempts: after max_attempts failures, Repeated Attempts (0x09) until the waiting
 *     interval passes (2.3.6);
 * and complete pairings driven byte by byte: the keys l2kit distributes and stores. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/bytes.h"
#include "base/hci_defs.h"
#include "sm/smp_int.h"
#include "tests/common/tester.h"

#define SMP_CID 0x0006
#define WAIT 2000 /* ms: an answer on an LE link comes within a few connection events */

/* ---- the tester's side ---------------------------------------------------------------------- */

static struct {
	struct sm *tst_sm; /* the tester stack's security manager, muted during the test */
	void (*tst_event)(void *ctx, const uint8_t *evt, size_t len);
	bool ltk_req;
	uint8_t ltk_rand[8];
	uint16_t ltk_ediv;
	int enc_changes;
	uint8_t enc_status;
	int paired;
	int paired_err;
	char why[200];
	int errors, last_err; /* cbs->error */
	char error[256];
} g;

static void tst_event(void *ctx, const uint8_t *evt, size_t len)
{
	if (len >= 15 && evt[0] == HCI_EV_LE_META && evt[2] == HCI_LE_LTK_REQUEST) {
		g.ltk_req = true;
		memcpy(g.ltk_rand, evt + 5, 8);
		g.ltk_ediv = get_le16(evt + 13);
	}
	/* v1, or v2 when the bring-up unmasked it (Set Event Mask Page 2) */
	if (len >= 6 && (evt[0] == HCI_EV_ENCRYPT_CHANGE || evt[0] == HCI_EV_ENCRYPT_CHANGE_V2)) {
		g.enc_changes++;
		g.enc_status = evt[2];
	}
	g.tst_event(ctx, evt, len);
}

static void iut_error(void *u, int err, const char *msg)
{
	g.errors++;
	g.last_err = err;
	snprintf(g.error, sizeof(g.error), "%s", msg ? msg : "");
}

static void iut_paired(void *u, const l2k_addr *peer, enum l2k_addr_type type, int err, const char *why)
{
	g.paired++;
	g.paired_err = err;
	snprintf(g.why, sizeof(g.why), "%s", why ? why : "");
}

static int mute(void **state)
{
	struct tester *t = *state;
	memset(&g, 0, sizeof(g));
	g.tst_sm = t->tst->sm;
	t->tst->sm = NULL; /* the test plays the tester's SMP and answers its LTK Requests */
	g.tst_event = t->tst->upper.event;
	t->tst->upper.event = tst_event;
	t->iut->cbs.paired = iut_paired;
	t->iut->cbs.error = iut_error;
	return 0;
}

static int setup_peripheral(void **state) /* the IUT is the peripheral */
{
	int r = tester_fixture_le(state);
	return r ? r : mute(state);
}

static int setup_central(void **state)
{
	int r = tester_fixture_le_central(state);
	return r ? r : mute(state);
}

static int teardown(void **state)
{
	struct tester *t = *state;
	t->tst->sm = g.tst_sm;
	t->tst->upper.event = g.tst_event;
	return tester_fixture_teardown(state);
}

static void send_smp(struct tester *t, const uint8_t *p, size_t n)
{
	assert_int_equal(tester_send(t, SMP_CID, p, n), 0);
}

#define expect_smp(t, code) expect_smp_at(t, code, __LINE__)
static const struct tester_pdu *expect_smp_at(struct tester *t, uint8_t code, int line)
{
	const struct tester_pdu *p = tester_next_on(t, SMP_CID, WAIT);
	if (!p)
		fail_msg("line %d: no SMP command (wanted 0x%02x)", line, code);
	if (p->len < 1 || p->data[0] != code)
		fail_msg("line %d: SMP command 0x%02x (len %zu %02x), wanted 0x%02x", line, p->len ? p->data[0] : 0, p->len,
			 p->len > 1 ? p->data[1] : 0, code);
	assert_int_equal(p->len, smp_pdu_len(code));
	return p;
}

static void expect_failed(struct tester *t, uint8_t reason)
{
	const struct tester_pdu *p = expect_smp(t, SMP_PAIRING_FAILED);
	if (p->data[1] != reason)
		fail_msg("Pairing Failed reason 0x%02x, wanted 0x%02x", p->data[1], reason);
}

/* Let ms pass even on an idle link (where nothing is due, the simulation would not move). */
static void pass(struct tester *t, uint64_t ms)
{
	t->vc.now_ms += ms;
	tester_run(t, 1);
}

static bool quiet_smp(struct tester *t, uint64_t ms)
{
	return tester_next_on(t, SMP_CID, ms) == NULL;
}

/* A Pairing Request as the tester sends it */
static void pairing_req(uint8_t *p, uint8_t io, uint8_t oob, uint8_t auth, uint8_t key, uint8_t idist, uint8_t rdist)
{
	uint8_t b[7] = {SMP_PAIRING_REQ, io, oob, auth, key, idist, rdist};
	memcpy(p, b, 7);
}

static void secure_done(void *arg, uint16_t handle, int err)
{
	int *r = arg;
	r[0]++;
	r[1] = err;
}

/* ---- the codec: lengths, ranges, codes ------------------------------------------------------ */

static void test_wrong_length_of_every_command_is_invalid_parameters(void **state)
{
	struct tester *t = *state;
	uint8_t b[80];
	memset(b, 0, sizeof(b));
	for (uint8_t code = 1; code <= SMP_CODE_MAX; code++) {
		size_t n = smp_pdu_len(code);
		size_t bad[2] = {n - 1, n + 1};
		for (int k = 0; k < 2; k++) {
			b[0] = code;
			send_smp(t, b, bad[k]);
			expect_failed(t, SMP_ERR_INVALID_PARAMETERS);
		}
	}
	/* an empty PDU: no Code at all */
	send_smp(t, b, 0);
	expect_failed(t, SMP_ERR_INVALID_PARAMETERS);
}

static void test_reserved_codes_are_command_not_supported(void **state)
{
	struct tester *t = *state;
	uint8_t codes[] = {0x00, 0x0F, 0x10, 0x7F, 0xFF};
	for (size_t i = 0; i < sizeof(codes); i++) {
		uint8_t b[7] = {codes[i], 3, 0, 1, 16, 0, 0};
		send_smp(t, b, sizeof(b));
		expect_failed(t, SMP_ERR_COMMAND_NOT_SUPPORTED);
	}
}

static void test_pairing_request_values_out_of_range(void **state)
{
	struct tester *t = *state;
	uint8_t b[7];
	pairing_req(b, 5, 0, 1, 16, 0, 0); /* IO capability 0x05 */
	send_smp(t, b, 7);
	expect_failed(t, SMP_ERR_INVALID_PARAMETERS);
	pairing_req(b, 3, 2, 1, 16, 0, 0); /* OOB flag 0x02 */
	send_smp(t, b, 7);
	expect_failed(t, SMP_ERR_INVALID_PARAMETERS);
	pairing_req(b, 3, 0, 1, 17, 0, 0); /* key size 17 */
	send_smp(t, b, 7);
	expect_failed(t, SMP_ERR_INVALID_PARAMETERS);
	pairing_req(b, 3, 0, 1, 6, 0, 0); /* key size 6 */
	send_smp(t, b, 7);
	expect_failed(t, SMP_ERR_ENCRYPTION_KEY_SIZE);
	/* a key size the spec allows but our minimum does not */
	t->iut->sm->cfg.min_key_size = 12;
	pairing_req(b, 3, 0, 1, 11, 0, 0);
	send_smp(t, b, 7);
	expect_failed(t, SMP_ERR_ENCRYPTION_KEY_SIZE);
	tester_run(t, 100);
	assert_int_equal(g.paired_err, L2K_EKEYSIZE);
	/* and a good one is answered */
	pairing_req(b, 3, 0, 1, 12, 0, 0);
	send_smp(t, b, 7);
	const struct tester_pdu *r = expect_smp(t, SMP_PAIRING_RSP);
	assert_int_equal(r->data[4], 16); /* we offer 16; the smaller of the two is used */
}

/* ---- roles and turns ------------------------------------------------------------------------ */

static void test_commands_the_peripheral_never_receives(void **state)
{
	struct tester *t = *state;
	uint8_t sr[2] = {SMP_SECURITY_REQ, 0x01};
	send_smp(t, sr, 2);
	expect_failed(t, SMP_ERR_COMMAND_NOT_SUPPORTED);
	uint8_t rsp[7] = {SMP_PAIRING_RSP, 3, 0, 1, 16, 0, 0};
	send_smp(t, rsp, 7);
	expect_failed(t, SMP_ERR_COMMAND_NOT_SUPPORTED);
}

static void test_commands_the_central_never_receives(void **state)
{
	struct tester *t = *state;
	uint8_t b[7];
	pairing_req(b, 3, 0, 1, 16, 0, 0);
	send_smp(t, b, 7);
	expect_failed(t, SMP_ERR_COMMAND_NOT_SUPPORTED);
}

static void test_commands_out_of_turn_are_unspecified(void **state)
{
	struct tester *t = *state;
	uint8_t v[17] = {SMP_PAIRING_CONFIRM};
	/* idle: a Confirm, a Random, a key, a DHKey check, a keypress */
	uint8_t codes[] = {SMP_PAIRING_CONFIRM, SMP_PAIRING_RANDOM, SMP_ENCRYPTION_INFO, SMP_IDENTITY_INFO,
			   SMP_PAIRING_DHKEY_CHECK};
	for (size_t i = 0; i < sizeof(codes); i++) {
		v[0] = codes[i];
		send_smp(t, v, 17);
		expect_failed(t, SMP_ERR_UNSPECIFIED);
	}
	uint8_t kp[2] = {SMP_KEYPRESS_NOTIFICATION, 0};
	send_smp(t, kp, 2);
	expect_failed(t, SMP_ERR_UNSPECIFIED);
	uint8_t cid[11] = {SMP_CENTRAL_ID};
	send_smp(t, cid, 11);
	expect_failed(t, SMP_ERR_UNSPECIFIED);
	/* a Pairing Failed is never answered */
	uint8_t pf[2] = {SMP_PAIRING_FAILED, SMP_ERR_UNSPECIFIED};
	send_smp(t, pf, 2);
	assert_true(quiet_smp(t, 500));
	/* pairing: the Random before the Confirm, a second Pairing Request */
	uint8_t rq[7];
	pairing_req(rq, 3, 0, 1, 16, 0, 0);
	send_smp(t, rq, 7);
	expect_smp(t, SMP_PAIRING_RSP);
	v[0] = SMP_PAIRING_RANDOM;
	send_smp(t, v, 17);
	expect_failed(t, SMP_ERR_UNSPECIFIED);
	send_smp(t, rq, 7);
	expect_smp(t, SMP_PAIRING_RSP);
	send_smp(t, rq, 7);
	expect_failed(t, SMP_ERR_UNSPECIFIED);
	tester_run(t, 100);
	assert_int_equal(g.paired_err, L2K_EAUTH);
	assert_non_null(strstr(g.why, "Pairing Request"));
}

/* ---- legacy Just Works, scripted ------------------------------------------------------------ */

struct script {
	uint8_t preq[7], pres[7];
	uint8_t tk[16], mrand[16], mconfirm[16], srand[16], sconfirm[16], stk[16];
};

static void c1_of(struct tester *t, const struct script *s, const uint8_t r[16], uint8_t out[16], bool iut_central)
{
	const l2k_addr *ia = iut_central ? &t->iut_addr : &t->tst_addr, *ra = iut_central ? &t->tst_addr : &t->iut_addr;
	assert_int_equal(smp_c1(s->tk, r, s->preq, 7, s->pres, 7, 0, ia->b, 0, ra->b, out), 0);
}

/* The tester (central) runs legacy Just Works up to the Pairing Random exchange. */
static void legacy_phase2(struct tester *t, struct script *s, uint8_t idist, uint8_t rdist, uint8_t key_size)
{
	pairing_req(s->preq, L2K_IO_NO_INPUT_NO_OUTPUT, 0, SMP_AUTH_BONDING, key_size, idist, rdist);
	send_smp(t, s->preq, 7);
	const struct tester_pdu *p = expect_smp(t, SMP_PAIRING_RSP);
	memcpy(s->pres, p->data, 7);
	memset(s->tk, 0, 16);
	for (int i = 0; i < 16; i++)
		s->mrand[i] = (uint8_t)(i * 7 + 1);
	c1_of(t, s, s->mrand, s->mconfirm, false);
	uint8_t b[17] = {SMP_PAIRING_CONFIRM};
	memcpy(b + 1, s->mconfirm, 16);
	send_smp(t, b, 17);
	p = expect_smp(t, SMP_PAIRING_CONFIRM);
	memcpy(s->sconfirm, p->data + 1, 16);
	b[0] = SMP_PAIRING_RANDOM;
	memcpy(b + 1, s->mrand, 16);
	send_smp(t, b, 17);
	p = expect_smp(t, SMP_PAIRING_RANDOM);
	memcpy(s->srand, p->data + 1, 16);
	uint8_t check[16];
	c1_of(t, s, s->srand, check, false);
	assert_memory_equal(check, s->sconfirm, 16); /* l2kit's Sconfirm is right */
	assert_int_equal(smp_s1(s->tk, s->srand, s->mrand, s->stk), 0);
	memset(s->stk + key_size, 0, 16 - key_size);
}

static bool enc_changed(void *arg)
{
	return g.enc_changes > 0;
}

static void tester_encrypt(struct tester *t, const uint8_t key[16], uint16_t ediv, const uint8_t rand[8])
{
	uint8_t c[28];
	put_le16(c, t->tst_handle);
	memcpy(c + 2, rand, 8);
	put_le16(c + 10, ediv);
	memcpy(c + 12, key, 16);
	g.enc_changes = 0;
	assert_int_equal(hci_host_cmd(t->tst->hci, HCI_OP_LE_ENABLE_ENCRYPTION, c, sizeof(c), NULL, NULL), 0);
	assert_true(tester_run_until(t, enc_changed, NULL, WAIT));
}

static void test_legacy_just_works_keys_both_ways(void **state)
{
	struct tester *t = *state;
	struct script s;
	legacy_phase2(t, &s, SMP_DIST_ENC | SMP_DIST_ID | SMP_DIST_SIGN, SMP_DIST_ENC | SMP_DIST_ID | SMP_DIST_SIGN, 12);
	/* the response: NoInputNoOutput, no OOB, bonding + SC (not used: we did not set SC), key
	 * size 16, and l2kit gives only its LTK (no IRK, no CSRK of its own) */
	assert_int_equal(s.pres[1], L2K_IO_NO_INPUT_NO_OUTPUT);
	assert_int_equal(s.pres[3] & SMP_AUTH_BONDING_MASK, SMP_AUTH_BONDING);
	assert_int_equal(s.pres[5], SMP_DIST_ENC | SMP_DIST_ID | SMP_DIST_SIGN);
	assert_int_equal(s.pres[6], SMP_DIST_ENC);
	static const uint8_t zero[8];
	tester_encrypt(t, s.stk, 0, zero);
	assert_int_equal(g.enc_status, 0);
	/* the peripheral's keys first: its LTK, EDIV and Rand */
	const struct tester_pdu *p = expect_smp(t, SMP_ENCRYPTION_INFO);
	uint8_t ltk[16];
	memcpy(ltk, p->data + 1, 16);
	for (int i = 12; i < 16; i++)
		assert_int_equal(ltk[i], 0); /* as long as the key size */
	p = expect_smp(t, SMP_CENTRAL_ID);
	uint16_t ediv = get_le16(p->data + 1);
	uint8_t rand[8];
	memcpy(rand, p->data + 3, 8);
	/* then ours: LTK, identity (IRK + a static random identity address), CSRK */
	uint8_t b[17] = {SMP_ENCRYPTION_INFO};
	memset(b + 1, 0x5A, 16);
	send_smp(t, b, 17);
	uint8_t ci[11] = {SMP_CENTRAL_ID, 0x34, 0x12, 1, 2, 3, 4, 5, 6, 7, 8};
	send_smp(t, ci, 11);
	b[0] = SMP_IDENTITY_INFO;
	memset(b + 1, 0x17, 16);
	send_smp(t, b, 17);
	uint8_t ia[8] = {SMP_IDENTITY_ADDR_INFO, 0x01, 0x66, 0x55, 0x44, 0x33, 0x22, 0xC1};
	send_smp(t, ia, 8);
	assert_true(quiet_smp(t, 200)); /* nothing before the last key */
	assert_int_equal(g.paired, 0);
	b[0] = SMP_SIGNING_INFO;
	memset(b + 1, 0xC5, 16);
	send_smp(t, b, 17);
	tester_run(t, 200);
	assert_int_equal(g.paired, 1);
	assert_int_equal(g.paired_err, 0);
	/* the bond, under the identity address we gave */
	struct l2k_bond bd;
	assert_int_equal(l2k_bonds(t->iut, &bd, 1), 1);
	static const uint8_t id[6] = {0x66, 0x55, 0x44, 0x33, 0x22, 0xC1};
	assert_memory_equal(bd.peer.b, id, 6);
	assert_int_equal(bd.peer_type, L2K_ADDR_LE_RANDOM);
	assert_true(bd.has_local_ltk && bd.has_ltk && bd.has_irk && bd.has_csrk);
	assert_memory_equal(bd.local_ltk, ltk, 16);
	assert_int_equal(bd.local_ediv, ediv);
	assert_memory_equal(bd.local_rand, rand, 8);
	assert_int_equal(bd.ediv, 0x1234);
	assert_int_equal(bd.ltk[0], 0x5A);
	assert_int_equal(bd.irk[0], 0x17);
	assert_int_equal(bd.csrk[0], 0xC5);
	assert_int_equal(bd.key_size, 12);
	assert_false(bd.authenticated || bd.secure_conn);
	struct l2k_link_security ls;
	assert_int_equal(l2k_link_security(t->iut, t->iut_handle, &ls), 0);
	assert_true(ls.encrypted && ls.bonded);
	assert_int_equal(ls.key_size, 12);
	assert_int_equal(ls.level, 2);
}

/* Fuzzing found it: legacy pairing where neither side gives its LTK leaves nothing to encrypt
 * with again, and was stored as an empty bond (the link said "bonded"). */
static void test_legacy_pairing_without_ltks_stores_no_bond(void **state)
{
	struct tester *t = *state;
	struct script s;
	legacy_phase2(t, &s, SMP_DIST_SIGN, 0, 16);
	static const uint8_t zero[8];
	tester_encrypt(t, s.stk, 0, zero);
	uint8_t b[17] = {SMP_SIGNING_INFO};
	send_smp(t, b, 17);
	tester_run(t, 200);
	assert_int_equal(g.paired, 1);
	assert_int_equal(g.paired_err, 0);
	assert_int_equal(l2k_bonds(t->iut, NULL, 0), 0);
	struct l2k_link_security ls;
	assert_int_equal(l2k_link_security(t->iut, t->iut_handle, &ls), 0);
	assert_true(ls.encrypted);
	assert_false(ls.bonded);
}

/* Fuzzing found it: an Encryption Change (or Key Refresh) that no procedure of ours explains -
 * no LE Enable Encryption sent, no LTK Request answered - made the link "encrypted" with a key
 * size of 7 and satisfied a waiting level 2; a hostile controller could fake a secure link. */
static void test_encryption_events_no_procedure_explains_are_ignored(void **state)
{
	struct tester *t = *state;
	int r[2] = {0, 0};
	assert_int_equal(sm_secure(t->iut->sm, t->iut_handle, 2, secure_done, r), 0);
	expect_smp(t, SMP_SECURITY_REQ);
	uint8_t v1[6] = {HCI_EV_ENCRYPT_CHANGE, 4, 0, 0, 0, 1};
	put_le16(v1 + 3, t->iut_handle);
	uint8_t v2[7] = {HCI_EV_ENCRYPT_CHANGE_V2, 5, 0, 0, 0, 1, 16};
	put_le16(v2 + 3, t->iut_handle);
	uint8_t kr[5] = {HCI_EV_ENCRYPT_KEY_REFRESH, 3, 0, 0, 0};
	put_le16(kr + 3, t->iut_handle);
	sm_hci_event(t->iut->sm, v1, sizeof(v1));
	sm_hci_event(t->iut->sm, v2, sizeof(v2));
	sm_hci_event(t->iut->sm, kr, sizeof(kr));
	tester_run(t, 50);
	struct l2k_link_security ls;
	assert_int_equal(l2k_link_security(t->iut, t->iut_handle, &ls), 0);
	assert_false(ls.encrypted);
	assert_int_equal(ls.level, 1);
	assert_int_equal(r[0], 0);
	assert_int_equal(g.paired, 0);
}

static void test_keys_out_of_order_are_unspecified(void **state)
{
	struct tester *t = *state;
	struct script s;
	legacy_phase2(t, &s, SMP_DIST_ENC, SMP_DIST_ENC, 16);
	static const uint8_t zero[8];
	tester_encrypt(t, s.stk, 0, zero);
	expect_smp(t, SMP_ENCRYPTION_INFO);
	expect_smp(t, SMP_CENTRAL_ID);
	/* Central Identification before Encryption Information */
	uint8_t ci[11] = {SMP_CENTRAL_ID};
	send_smp(t, ci, 11);
	expect_failed(t, SMP_ERR_UNSPECIFIED);
	tester_run(t, 100);
	assert_int_equal(g.paired_err, L2K_EAUTH);
	assert_int_equal(l2k_bonds(t->iut, NULL, 0), 0);
}

static void test_wrong_mconfirm_is_confirm_value_failed(void **state)
{
	struct tester *t = *state;
	struct script s;
	pairing_req(s.preq, L2K_IO_NO_INPUT_NO_OUTPUT, 0, SMP_AUTH_BONDING, 16, 0, 0);
	send_smp(t, s.preq, 7);
	expect_smp(t, SMP_PAIRING_RSP);
	uint8_t b[17] = {SMP_PAIRING_CONFIRM, 1, 2, 3};
	send_smp(t, b, 17);
	expect_smp(t, SMP_PAIRING_CONFIRM);
	b[0] = SMP_PAIRING_RANDOM;
	send_smp(t, b, 17);
	expect_failed(t, SMP_ERR_CONFIRM_VALUE_FAILED);
	tester_run(t, 100);
	assert_int_equal(g.paired_err, L2K_EAUTH);
}

/* ---- the timer, repeated attempts ---------------------------------------------------------- */

static void test_smp_timeout_ends_pairing_and_smp_on_the_link(void **state)
{
	struct tester *t = *state;
	uint8_t rq[7];
	pairing_req(rq, 3, 0, 1, 16, 0, 0);
	send_smp(t, rq, 7);
	expect_smp(t, SMP_PAIRING_RSP);
	/* silence: at 29.5 s nothing has happened, at 30 s the pairing has failed */
	tester_run(t, 29400);
	assert_int_equal(g.paired, 0);
	tester_run(t, 700);
	assert_int_equal(g.paired, 1);
	assert_int_equal(g.paired_err, L2K_ETIMEDOUT);
	/* no Pairing Failed on the timeout, and no SMP at all from now on */
	assert_true(quiet_smp(t, 100));
	send_smp(t, rq, 7);
	uint8_t junk[3] = {0x42, 0, 0};
	send_smp(t, junk, 3);
	assert_true(quiet_smp(t, 1000));
	struct l2k_link_security ls;
	assert_int_equal(l2k_link_security(t->iut, t->iut_handle, &ls), 0);
	assert_false(ls.encrypted);
}

/* A peripheral asking for a level sends a Security Request; a central that never answers it
 * started no pairing, so cbs->paired has nothing to end: the application hears through
 * cbs->error, with the cause, and the waiter gets L2K_ETIMEDOUT. */
static void test_unanswered_security_request_reaches_the_application(void **state)
{
	struct tester *t = *state;
	int r[2] = {0, 0};
	assert_int_equal(sm_secure(t->iut->sm, t->iut_handle, 2, secure_done, r), 0);
	expect_smp(t, SMP_SECURITY_REQ);
	tester_run(t, 29000);
	assert_int_equal(r[0], 0);
	tester_run(t, 1100);
	assert_int_equal(r[0], 1);
	assert_int_equal(r[1], L2K_ETIMEDOUT);
	assert_int_equal(g.paired, 0);
	assert_int_equal(g.errors, 1);
	assert_int_equal(g.last_err, L2K_ETIMEDOUT);
	assert_non_null(strstr(g.error, "Security Request"));
}

static void test_smp_timeout_on_the_central_refuses_later_procedures(void **state)
{
	struct tester *t = *state;
	int r[2] = {0, 0};
	assert_int_equal(sm_secure(t->iut->sm, t->iut_handle, 2, secure_done, r), 0);
	assert_int_equal(r[0], 0);
	expect_smp(t, SMP_PAIRING_REQ);
	tester_run(t, 30100);
	assert_int_equal(r[0], 1);
	assert_int_equal(r[1], L2K_ETIMEDOUT);
	/* the pairing the level asked for ended: cbs->paired says so, once */
	assert_int_equal(g.paired, 1);
	assert_int_equal(g.paired_err, L2K_ETIMEDOUT);
	assert_int_equal(g.errors, 0);
	assert_int_equal(sm_secure(t->iut->sm, t->iut_handle, 2, secure_done, r), 0);
	assert_int_equal(r[0], 1); /* never inside the call */
	tester_run(t, 10);
	assert_int_equal(r[0], 2);
	assert_int_equal(r[1], L2K_ETIMEDOUT);
	assert_true(quiet_smp(t, 500));
	/* a Security Request is not answered either */
	uint8_t sr[2] = {SMP_SECURITY_REQ, 0x01};
	send_smp(t, sr, 2);
	assert_true(quiet_smp(t, 500));
}

/* A pairing that starts after the link was idle long enough (as under a real run loop, which
 * sleeps until the peer's PDU arrives and reads it before any timer runs) must time from now:
 * the Security Manager Timer was armed from the last time the manager had been told, 40 s
 * earlier, and expired at once. */
static void test_pairing_after_a_long_idle_time_is_timed_from_now(void **state)
{
	struct tester *t = *state;
	uint8_t rq[7];
	pairing_req(rq, 3, 0, 1, 16, 0, 0);
	send_smp(t, rq, 7);
	t->vc.now_ms += 40000; /* the request is on its way while 40 s pass without a step */
	expect_smp(t, SMP_PAIRING_RSP);
	uint8_t b[17] = {SMP_PAIRING_CONFIRM, 9};
	send_smp(t, b, 17);
	expect_smp(t, SMP_PAIRING_CONFIRM);
	assert_int_equal(g.paired, 0);
}

static void fail_once(struct tester *t)
{
	uint8_t rq[7];
	pairing_req(rq, 3, 0, 1, 16, 0, 0);
	send_smp(t, rq, 7);
	expect_smp(t, SMP_PAIRING_RSP);
	uint8_t b[17] = {SMP_PAIRING_CONFIRM, 9};
	send_smp(t, b, 17);
	expect_smp(t, SMP_PAIRING_CONFIRM);
	b[0] = SMP_PAIRING_RANDOM;
	send_smp(t, b, 17);
	expect_failed(t, SMP_ERR_CONFIRM_VALUE_FAILED);
}

static void test_repeated_attempts_make_the_peer_wait(void **state)
{
	struct tester *t = *state;
	assert_int_equal(t->iut->sm->cfg.max_attempts, 3);
	for (int i = 0; i < 3; i++)
		fail_once(t);
	/* the fourth request right away: Repeated Attempts; the interval starts at 2 s */
	uint8_t rq[7];
	pairing_req(rq, 3, 0, 1, 16, 0, 0);
	send_smp(t, rq, 7);
	expect_failed(t, SMP_ERR_REPEATED_ATTEMPTS);
	pass(t, 2100);
	send_smp(t, rq, 7);
	expect_smp(t, SMP_PAIRING_RSP);
	/* it fails again: now twice as long */
	uint8_t b[17] = {SMP_PAIRING_CONFIRM, 9};
	send_smp(t, b, 17);
	expect_smp(t, SMP_PAIRING_CONFIRM);
	b[0] = SMP_PAIRING_RANDOM;
	send_smp(t, b, 17);
	expect_failed(t, SMP_ERR_CONFIRM_VALUE_FAILED);
	pass(t, 2100);
	send_smp(t, rq, 7);
	expect_failed(t, SMP_ERR_REPEATED_ATTEMPTS);
	pass(t, 2100);
	send_smp(t, rq, 7);
	expect_smp(t, SMP_PAIRING_RSP);
}

/* ---- LE Secure Connections, scripted ------------------------------------------------------- */

struct sc_script {
	struct crypto_p256_key *key;
	uint8_t preq[7], pres[7], pk[64], pk_iut[64], dhkey[32];
	uint8_t na[16], nb[16], cb[16], mackey[16], ltk[16];
};

/* The tester (central) sends the request and its public key; the IUT answers with its own. */
static void sc_keys(struct tester *t, struct sc_script *s, const uint8_t *pk_to_send)
{
	pairing_req(s->preq, L2K_IO_NO_INPUT_NO_OUTPUT, 0, SMP_AUTH_BONDING | SMP_AUTH_SC, 16, 0, 0);
	send_smp(t, s->preq, 7);
	const struct tester_pdu *p = expect_smp(t, SMP_PAIRING_RSP);
	memcpy(s->pres, p->data, 7);
	assert_true(s->pres[3] & SMP_AUTH_SC);
	assert_int_equal(crypto_p256_generate(&s->key), 0);
	assert_int_equal(smp_public_key(s->key, s->pk), 0);
	uint8_t b[65] = {SMP_PAIRING_PUBLIC_KEY};
	memcpy(b + 1, pk_to_send ? pk_to_send : s->pk, 64);
	send_smp(t, b, 65);
}

static void test_public_key_off_the_curve_is_dhkey_check_failed(void **state)
{
	struct tester *t = *state;
	struct sc_script s;
	uint8_t bad[64];
	/* a valid X with a forged Y: the invalid curve attack of CVE-2018-5383 */
	pairing_req(s.preq, 3, 0, 0, 16, 0, 0);
	assert_int_equal(crypto_p256_generate(&s.key), 0);
	assert_int_equal(smp_public_key(s.key, bad), 0);
	bad[32] ^= 0x01;
	crypto_p256_free(s.key);
	sc_keys(t, &s, bad);
	expect_failed(t, SMP_ERR_DHKEY_CHECK_FAILED);
	tester_run(t, 100);
	assert_int_equal(g.paired_err, L2K_EAUTH);
	assert_non_null(strstr(g.why, "curve"));
	crypto_p256_free(s.key);
	/* all zeros (the point at infinity's encoding) likewise */
	memset(bad, 0, sizeof(bad));
	sc_keys(t, &s, bad);
	expect_failed(t, SMP_ERR_DHKEY_CHECK_FAILED);
	crypto_p256_free(s.key);
}

static void test_our_own_public_key_reflected_is_refused(void **state)
{
	struct tester *t = *state;
	struct sc_script s;
	/* the IUT's next pairings use the key pair of its OOB data: we know its public key */
	uint8_t r[16], c[16], iut_pk[64];
	assert_int_equal(sm_le_oob_local(t->iut->sm, r, c), 0);
	assert_int_equal(smp_public_key(t->iut->sm->smp_g->oob_key, iut_pk), 0);
	sc_keys(t, &s, iut_pk);
	expect_failed(t, SMP_ERR_UNSPECIFIED);
	tester_run(t, 100);
	assert_non_null(strstr(g.why, "our own public key"));
	crypto_p256_free(s.key);
}

static void test_debug_keys_option_sends_the_debug_public_key(void **state)
{
	struct tester *t = *state;
	struct sc_script s;
	for (int debug = 0; debug < 2; debug++) {
		t->iut->sm->cfg.debug_keys = debug;
		sc_keys(t, &s, NULL);
		const struct tester_pdu *p = expect_smp(t, SMP_PAIRING_PUBLIC_KEY);
		assert_int_equal(smp_is_debug_public_key(p->data + 1, 64), debug);
		expect_smp(t, SMP_PAIRING_CONFIRM);
		crypto_p256_free(s.key);
		send_smp(t, (const uint8_t[]){SMP_PAIRING_FAILED, SMP_ERR_UNSPECIFIED}, 2);
		tester_run(t, 100);
	}
}

static void sc_just_works_to_checks(struct tester *t, struct sc_script *s)
{
	sc_keys(t, s, NULL);
	const struct tester_pdu *p = expect_smp(t, SMP_PAIRING_PUBLIC_KEY);
	memcpy(s->pk_iut, p->data + 1, 64);
	assert_int_equal(smp_dhkey(s->key, s->pk_iut, 64, s->dhkey), 0);
	p = expect_smp(t, SMP_PAIRING_CONFIRM);
	memcpy(s->cb, p->data + 1, 16);
	memset(s->na, 0x21, 16);
	uint8_t b[17] = {SMP_PAIRING_RANDOM};
	memcpy(b + 1, s->na, 16);
	send_smp(t, b, 17);
	p = expect_smp(t, SMP_PAIRING_RANDOM);
	memcpy(s->nb, p->data + 1, 16);
	uint8_t c[16];
	assert_int_equal(smp_f4(s->pk_iut, s->pk, s->nb, 0, c), 0);
	assert_memory_equal(c, s->cb, 16); /* Cb = f4(PKbx, PKax, Nb, 0) */
	assert_int_equal(smp_f5(s->dhkey, s->na, s->nb, 0, t->tst_addr.b, 0, t->iut_addr.b, s->mackey, s->ltk), 0);
}

static void test_sc_just_works_scripted_and_a_wrong_dhkey_check(void **state)
{
	struct tester *t = *state;
	struct sc_script s;
	sc_just_works_to_checks(t, &s);
	/* a wrong Ea */
	uint8_t b[17] = {SMP_PAIRING_DHKEY_CHECK};
	static const uint8_t zero[16];
	assert_int_equal(smp_f6(s.mackey, s.na, s.nb, zero, s.preq + 1, 0, t->tst_addr.b, 0, t->iut_addr.b, b + 1), 0);
	b[1] ^= 1;
	send_smp(t, b, 17);
	expect_failed(t, SMP_ERR_DHKEY_CHECK_FAILED);
	crypto_p256_free(s.key);
	tester_run(t, 100);
	assert_int_equal(g.paired_err, L2K_EAUTH);
	/* again, right this time: Eb is right and the LTK encrypts */
	sc_just_works_to_checks(t, &s);
	assert_int_equal(smp_f6(s.mackey, s.na, s.nb, zero, s.preq + 1, 0, t->tst_addr.b, 0, t->iut_addr.b, b + 1), 0);
	send_smp(t, b, 17);
	const struct tester_pdu *p = expect_smp(t, SMP_PAIRING_DHKEY_CHECK);
	uint8_t eb[16];
	assert_int_equal(smp_f6(s.mackey, s.nb, s.na, zero, s.pres + 1, 0, t->iut_addr.b, 0, t->tst_addr.b, eb), 0);
	assert_memory_equal(p->data + 1, eb, 16);
	static const uint8_t zr[8];
	tester_encrypt(t, s.ltk, 0, zr);
	assert_int_equal(g.enc_status, 0);
	tester_run(t, 200);
	assert_int_equal(g.paired_err, 0);
	struct l2k_bond bd;
	assert_int_equal(l2k_bonds(t->iut, &bd, 1), 1);
	assert_true(bd.secure_conn && bd.has_ltk);
	assert_memory_equal(bd.ltk, s.ltk, 16);
	crypto_p256_free(s.key);
}

/* ---- the IUT as central ----------------------------------------------------------------- */

static void test_security_request_starts_pairing_and_pairing_failed_ends_it(void **state)
{
	struct tester *t = *state;
	uint8_t sr[2] = {SMP_SECURITY_REQ, SMP_AUTH_BONDING | SMP_AUTH_MITM};
	send_smp(t, sr, 2);
	const struct tester_pdu *p = expect_smp(t, SMP_PAIRING_REQ);
	/* NoInputNoOutput, no OOB, bonding + SC, 16, our LTK, all of the peer's keys */
	assert_int_equal(p->data[1], L2K_IO_NO_INPUT_NO_OUTPUT);
	assert_int_equal(p->data[2], 0);
	assert_int_equal(p->data[3] & (SMP_AUTH_BONDING_MASK | SMP_AUTH_SC), SMP_AUTH_BONDING | SMP_AUTH_SC);
	assert_int_equal(p->data[4], 16);
	assert_int_equal(p->data[5], SMP_DIST_ENC);
	assert_int_equal(p->data[6], SMP_DIST_ENC | SMP_DIST_ID | SMP_DIST_SIGN);
	uint8_t pf[2] = {SMP_PAIRING_FAILED, SMP_ERR_PAIRING_NOT_SUPPORTED};
	send_smp(t, pf, 2);
	tester_run(t, 200);
	assert_int_equal(g.paired, 1);
	assert_int_equal(g.paired_err, L2K_EAUTH);
	assert_non_null(strstr(g.why, "Pairing Not Supported"));
	assert_true(quiet_smp(t, 200)); /* a Pairing Failed is not answered */
}

static void test_central_checks_the_pairing_response(void **state)
{
	struct tester *t = *state;
	uint8_t sr[2] = {SMP_SECURITY_REQ, SMP_AUTH_BONDING};
	send_smp(t, sr, 2);
	expect_smp(t, SMP_PAIRING_REQ);
	uint8_t rsp[7] = {SMP_PAIRING_RSP, 3, 0, 1, 6, 0, 0}; /* key size 6 */
	send_smp(t, rsp, 7);
	expect_failed(t, SMP_ERR_ENCRYPTION_KEY_SIZE);
	pass(t, 2500);
	send_smp(t, sr, 2);
	expect_smp(t, SMP_PAIRING_REQ);
	/* a confirm before the response */
	uint8_t cf[17] = {SMP_PAIRING_CONFIRM};
	send_smp(t, cf, 17);
	expect_failed(t, SMP_ERR_UNSPECIFIED);
}

static bool ltk_requested(void *arg)
{
	return g.ltk_req;
}

static void test_central_legacy_just_works_with_a_scripted_peripheral(void **state)
{
	struct tester *t = *state;
	/* the IUT initiates; the tester (peripheral) answers legacy Just Works */
	int r[2] = {0, 0};
	assert_int_equal(sm_secure(t->iut->sm, t->iut_handle, 2, secure_done, r), 0);
	struct script s;
	const struct tester_pdu *p = expect_smp(t, SMP_PAIRING_REQ);
	memcpy(s.preq, p->data, 7);
	uint8_t rsp[7] = {SMP_PAIRING_RSP, L2K_IO_NO_INPUT_NO_OUTPUT, 0, SMP_AUTH_BONDING, 16, 0, SMP_DIST_ENC};
	memcpy(s.pres, rsp, 7);
	send_smp(t, rsp, 7);
	memset(s.tk, 0, 16);
	p = expect_smp(t, SMP_PAIRING_CONFIRM);
	memcpy(s.mconfirm, p->data + 1, 16);
	memset(s.srand, 0x77, 16);
	c1_of(t, &s, s.srand, s.sconfirm, true);
	uint8_t b[17] = {SMP_PAIRING_CONFIRM};
	memcpy(b + 1, s.sconfirm, 16);
	send_smp(t, b, 17);
	p = expect_smp(t, SMP_PAIRING_RANDOM);
	memcpy(s.mrand, p->data + 1, 16);
	uint8_t check[16];
	c1_of(t, &s, s.mrand, check, true);
	assert_memory_equal(check, s.mconfirm, 16);
	b[0] = SMP_PAIRING_RANDOM;
	memcpy(b + 1, s.srand, 16);
	send_smp(t, b, 17);
	assert_int_equal(smp_s1(s.tk, s.srand, s.mrand, s.stk), 0);
	/* the central encrypts with the STK: EDIV 0, Rand 0 */
	assert_true(tester_run_until(t, ltk_requested, NULL, WAIT));
	assert_int_equal(g.ltk_ediv, 0);
	static const uint8_t zero[8];
	assert_memory_equal(g.ltk_rand, zero, 8);
	uint8_t rep[18];
	put_le16(rep, t->tst_handle);
	memcpy(rep + 2, s.stk, 16);
	assert_int_equal(hci_host_cmd(t->tst->hci, HCI_OP_LE_LTK_REPLY, rep, 18, NULL, NULL), 0);
	tester_run(t, 300);
	/* the peripheral's keys */
	b[0] = SMP_ENCRYPTION_INFO;
	memset(b + 1, 0x99, 16);
	send_smp(t, b, 17);
	uint8_t ci[11] = {SMP_CENTRAL_ID, 0x21, 0x43, 8, 7, 6, 5, 4, 3, 2, 1};
	send_smp(t, ci, 11);
	tester_run(t, 300);
	assert_int_equal(r[0], 1);
	assert_int_equal(r[1], 0);
	struct l2k_bond bd;
	assert_int_equal(l2k_bonds(t->iut, &bd, 1), 1);
	assert_true(bd.has_ltk);
	assert_false(bd.has_local_ltk); /* the response did not ask for ours */
	assert_int_equal(bd.ediv, 0x4321);
	assert_memory_equal(bd.peer.b, t->tst_addr.b, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_wrong_length_of_every_command_is_invalid_parameters, setup_peripheral, teardown),
		cmocka_unit_test_setup_teardown(test_reserved_codes_are_command_not_supported, setup_peripheral, teardown),
		cmocka_unit_test_setup_teardown(test_pairing_request_values_out_of_range, setup_peripheral, teardown),
		cmocka_unit_test_setup_teardown(test_commands_the_peripheral_never_receives, setup_peripheral, teardown),
		cmocka_unit_test_setup_teardown(test_commands_the_central_never_receives, setup_central, teardown),
		cmocka_unit_test_setup_teardown(test_commands_out_of_turn_are_unspecified, setup_peripheral, teardown),
		cmocka_unit_test_setup_teardown(test_legacy_just_works_keys_both_ways, setup_peripheral, teardown),
		cmocka_unit_test_setup_teardown(test_legacy_pairing_without_ltks_stores_no_bond, setup_peripheral, teardown),
		cmocka_unit_test_setup_teardown(test_encryption_events_no_procedure_explains_are_ignored, setup_peripheral, teardown),
		cmocka_unit_test_setup_teardown(test_keys_out_of_order_are_unspecified, setup_peripheral, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_mconfirm_is_confirm_value_failed, setup_peripheral, teardown),
		cmocka_unit_test_setup_teardown(test_smp_timeout_ends_pairing_and_smp_on_the_link, setup_peripheral, teardown),
		cmocka_unit_test_setup_teardown(test_smp_timeout_on_the_central_refuses_later_procedures, setup_central, teardown),
		cmocka_unit_test_setup_teardown(test_unanswered_security_request_reaches_the_application, setup_peripheral, teardown),
		cmocka_unit_test_setup_teardown(test_repeated_attempts_make_the_peer_wait, setup_peripheral, teardown),
		cmocka_unit_test_setup_teardown(test_pairing_after_a_long_idle_time_is_timed_from_now, setup_peripheral, teardown),
		cmocka_unit_test_setup_teardown(test_public_key_off_the_curve_is_dhkey_check_failed, setup_peripheral, teardown),
		cmocka_unit_test_setup_teardown(test_our_own_public_key_reflected_is_refused, setup_peripheral, teardown),
		cmocka_unit_test_setup_teardown(test_debug_keys_option_sends_the_debug_public_key, setup_peripheral, teardown),
		cmocka_unit_test_setup_teardown(test_sc_just_works_scripted_and_a_wrong_dhkey_check, setup_peripheral, teardown),
		cmocka_unit_test_setup_teardown(test_security_request_starts_pairing_and_pairing_failed_ends_it, setup_central, teardown),
		cmocka_unit_test_setup_teardown(test_central_checks_the_pairing_response, setup_central, teardown),
		cmocka_unit_test_setup_teardown(test_central_legacy_just_works_with_a_scripted_peripheral, setup_central, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
