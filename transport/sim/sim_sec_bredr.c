/* BR/EDR authentication of the simulated controller: with a stored link key, Secure Simple
 * Pairing (every association model) and legacy PIN pairing (Vol 4 Part E 7.1, message sequences
 * of Vol 2
 * Part F 4); encryption and the configuration commands are in sim_sec_enc.c.
 *
 * LMP is not simulated: the two controllers of a link agree through struct sim_bsec, and every
 * LMP exchange between them takes the link's procedure delay (sim_link_proc_delay: two slot
 * pairs), like the other procedures of the air.  A host answer is awaited for at most the LMP
 * response timeout (30 s); nothing crosses a cut link, so a link lost in the middle of a
 * procedure ends with the supervision timeout and sim_sec_link_closing() reports the failure.
 *
 * With A the side whose host sent Authentication Requested and B its peer:
 *  - A gets Link Key Request.  With a key: B gets Link Key Request one exchange later; the
 *    keys are compared (a real controller compares SRES) and A gets Authentication Complete:
 *    success, Authentication Failure (0x05) when they differ, PIN or Key Missing (0x06) when B
 *    has none.
 *  - Without a key and with Simple Pairing enabled by both hosts: IO Capability Request at A,
 *    IO Capability Response + Request at B, IO Capability Response at A, then after the public
 *    key exchange the events of the association model; then Simple Pairing Complete at both,
 *    Link Key Notification at both, Authentication Complete at A.
 *  - Without a key when either host has Simple Pairing off: PIN Code Request at A, then at B;
 *    the PINs must match (else Authentication Failure); Link Key Notification (combination
 *    key) at both and Authentication Complete at A. */
#include <string.h>

#include "base/l2k_error.h"
#include "transport/sim/sim_int.h"


/* --- helpers ---------------------------------------------------------------------------- */

static uint64_t lmp_delay(const struct sim_link *l)
{
	return sim_link_proc_delay(l);
}

/* The open BR/EDR link between c and the device whose address is at p. */
static struct sim_link *link_by_addr(struct sim_ctrl *c, const uint8_t *p, int *end)
{
	hci_bdaddr_t a;
	sim_get_addr(&a, p);
	for (struct sim_link *l = c->air->links; l; l = l->next) {
		int e = sim_link_end_of(l, c);
		if (e < 0 || l->kind != SIM_LINK_BREDR || (l->state != LS_OPEN && l->state != LS_CLOSING))
			continue;
		if (sim_addr_eq(&l->addr[1 - e], &a)) {
			*end = e;
			return l;
		}
	}
	return NULL;
}

struct sim_link *sim_sec_bredr_link(struct sim_ctrl *c, const uint8_t *p, int *end)
{
	struct sim_link *l = sim_ctrl_link(c, get_le16(p) & 0x0FFF, end);
	return l && l->kind == SIM_LINK_BREDR ? l : NULL;
}

/* Command Complete with Status and the BD_ADDR of the command (the replies of 7.1). */
static void cc_addr(struct sim_ctrl *c, uint16_t op, const uint8_t *p, uint8_t status)
{
	uint8_t r[7] = {status};
	memcpy(r + 1, p, 6);
	sim_cmd_complete(c, op, r, sizeof(r));
}

static void ev_addr(struct sim_link *l, int e, uint8_t code)
{
	uint8_t ev[6];
	sim_put_addr(ev, &l->addr[1 - e]);
	sim_event(l->end[e], code, ev, sizeof(ev));
}

static void ev_addr_u32(struct sim_link *l, int e, uint8_t code, uint32_t v)
{
	uint8_t ev[10];
	sim_put_addr(ev, &l->addr[1 - e]);
	put_le32(ev + 6, v);
	sim_event(l->end[e], code, ev, sizeof(ev));
}

static bool fault(const struct sim_link *l, int e, uint32_t f)
{
	return l->end[e] && (l->end[e]->cfg.sec_faults & f);
}

static void await(struct sim_link *l, int e, uint8_t state)
{
	l->bs.state = state;
	l->bs.wait |= (uint8_t)(1u << e);
	l->tmr[LT_SEC] = l->air->now + SIM_LMP_RESPONSE_US;
}

static void after(struct sim_link *l, uint8_t state, uint64_t delay)
{
	l->bs.state = state;
	l->bs.wait = 0;
	l->tmr[LT_SEC] = l->air->now + delay;
}

static void finish(struct sim_link *l, uint8_t status)
{
	l->bs.status = status;
	after(l, BS_FINISH, lmp_delay(l));
}

/* The pairing faults that act when the procedure reaches the responder: true if the link was
 * cut and the procedure must stall. */
static bool cut_in_pairing(struct sim_link *l)
{
	if (!fault(l, 0, SIM_SEC_FAULT_CUT_IN_PAIRING) && !fault(l, 1, SIM_SEC_FAULT_CUT_IN_PAIRING))
		return false;
	sim_link_fire(l, LT_CUT);
	return true;
}

/* --- outcome ---------------------------------------------------------------------------- */

static void deliver(struct sim_link *l)
{
	struct sim_bsec *b = &l->bs;
	uint8_t st = b->status;
	for (int e = 0; e < 2; e++) {
		if (!b->ssp[e])
			continue;
		uint8_t ev[7] = {st}; /* Simple Pairing Complete: Status BD_ADDR (7.7.45) */
		sim_put_addr(ev + 1, &l->addr[1 - e]);
		sim_event(l->end[e], HCI_EV_SIMPLE_PAIRING_COMPLETE, ev, sizeof(ev));
	}
	if (st == HCI_SUCCESS && b->pairing) {
		for (int e = 0; e < 2; e++) {
			uint8_t ev[23]; /* Link Key Notification: BD_ADDR Link_Key Key_Type (7.7.24) */
			sim_put_addr(ev, &l->addr[1 - e]);
			memcpy(ev + 6, b->link_key, 16);
			ev[22] = b->key_type;
			sim_event(l->end[e], HCI_EV_LINK_KEY_NOTIFICATION, ev, sizeof(ev));
		}
	}
	uint8_t ev[3] = {st}; /* Authentication Complete: Status Connection_Handle (7.7.6) */
	put_le16(ev + 1, l->handle[b->init]);
	sim_event(l->end[b->init], HCI_EV_AUTH_COMPLETE, ev, sizeof(ev));
	b->state = BS_IDLE;
	b->wait = 0;
	l->tmr[LT_SEC] = SIM_NEVER;
}

static void set_key(struct sim_link *l, const uint8_t key[16], uint8_t type)
{
	l->bs.auth = true;
	memcpy(l->bs.link_key, key, 16);
	l->bs.key_type = type;
}

/* Authentication stage 2 (Vol 2 Part H 7.2): the DHKey checks agree only if both sides
 * computed the same DHKey; then both derive the link key. */
static void stage1_done(struct sim_link *l)
{
	struct sim_bsec *b = &l->bs;
	int i = b->init, r = 1 - i;
	if (memcmp(b->dh[0], b->dh[1], 32) != 0) {
		finish(l, HCI_ERR_AUTH_FAILURE);
		return;
	}
	uint8_t key[16];
	if (sim_sec_link_key(b->dh[i], b->nonce[i], b->nonce[r], &l->addr[i], &l->addr[r], key) < 0) {
		finish(l, HCI_ERR_UNSPECIFIED);
		return;
	}
	uint8_t type = b->sc ? (b->mitm ? HCI_LINK_KEY_AUTH_P256 : HCI_LINK_KEY_UNAUTH_P256)
			     : (b->mitm ? HCI_LINK_KEY_AUTH_P192 : HCI_LINK_KEY_UNAUTH_P192);
	set_key(l, key, type);
	crypto_wipe(key, sizeof(key));
	finish(l, HCI_SUCCESS);
}

/* --- association model (Vol 3 Part C 5.2.2.6, Table 5.7) -------------------------------- */

static void choose_model(struct sim_bsec *b)
{
	uint8_t a = b->io[0], c = b->io[1];
	bool mitm_asked = (b->authreq[0] | b->authreq[1]) & HCI_AUTHREQ_MITM;
	b->keyboard[0] = b->keyboard[1] = false;
	b->mitm = false;
	if (b->oob[0] || b->oob[1]) {
		b->model = AM_OOB;
		b->mitm = mitm_asked;
	} else if (!mitm_asked || a == HCI_IO_NO_INPUT_OUTPUT || c == HCI_IO_NO_INPUT_OUTPUT) {
		/* no side needs MITM protection, or one cannot give it: Just Works (numeric
		 * comparison with automatic confirmation) */
		b->model = AM_JUST_WORKS;
	} else if (a == HCI_IO_KEYBOARD_ONLY || c == HCI_IO_KEYBOARD_ONLY) {
		b->model = AM_PASSKEY;
		b->keyboard[0] = a == HCI_IO_KEYBOARD_ONLY;
		b->keyboard[1] = c == HCI_IO_KEYBOARD_ONLY;
		b->mitm = true;
	} else if (a == HCI_IO_DISPLAY_YES_NO && c == HCI_IO_DISPLAY_YES_NO) {
		b->model = AM_NUMERIC;
		b->mitm = true;
	} else {
		/* DisplayOnly with a display: numeric comparison confirmed automatically on the
		 * DisplayOnly side, so no MITM protection */
		b->model = AM_JUST_WORKS;
	}
}

/* Public key exchange done: keys, nonces, DHKeys, then the events of authentication stage 1. */
static void stage1_start(struct sim_link *l)
{
	struct sim_bsec *b = &l->bs;
	int i = b->init, r = 1 - i;
	if (sim_sec_keypair(l->end[0]) < 0 || sim_sec_keypair(l->end[1]) < 0) {
		finish(l, HCI_ERR_UNSPECIFIED);
		return;
	}
	for (int e = 0; e < 2; e++) {
		memcpy(b->pub[e], l->end[e]->pub, 64);
		memcpy(b->view[1 - e], l->end[e]->pub, 64);
	}
	for (int e = 0; e < 2; e++) {
		struct crypto_p256_key *forged = NULL;
		int rc = 0;
		if (fault(l, e, SIM_SEC_FAULT_NC_MISMATCH))
			rc = sim_sec_new_key(l->air, &forged, b->view[e]);
		sim_sec_random(l->air, b->nonce[e], 16);
		if (rc == 0)
			rc = sim_sec_dhkey(l->end[e]->kp, b->view[e], b->dh[e]);
		crypto_p256_free(forged);
		if (rc < 0) {
			finish(l, HCI_ERR_UNSPECIFIED);
			return;
		}
	}
	b->state = BS_STAGE1;
	b->wait = 0;
	memset(b->answered, 0, sizeof(b->answered));
	switch (b->model) {
	case AM_JUST_WORKS:
	case AM_NUMERIC:
		for (int e = 0; e < 2; e++) {
			/* each side works with its own view of the keys: PKa, PKb as it sees them */
			const uint8_t *pka = e == i ? b->pub[i] : b->view[r];
			const uint8_t *pkb = e == i ? b->view[i] : b->pub[r];
			uint32_t v;
			if (sim_sec_nc_value(pka, pkb, b->nonce[i], b->nonce[r], &v) < 0) {
				finish(l, HCI_ERR_UNSPECIFIED);
				return;
			}
			ev_addr_u32(l, e, HCI_EV_USER_CONFIRM_REQUEST, v);
			await(l, e, BS_STAGE1);
		}
		break;
	case AM_PASSKEY: {
		uint8_t rnd[4];
		sim_sec_random(l->air, rnd, 4);
		b->passkey = get_le32(rnd) % 1000000u;
		for (int e = 0; e < 2; e++) {
			if (b->keyboard[e]) {
				ev_addr(l, e, HCI_EV_USER_PASSKEY_REQUEST);
				await(l, e, BS_STAGE1);
			} else {
				ev_addr_u32(l, e, HCI_EV_USER_PASSKEY_NOTIFICATION, b->passkey);
			}
		}
		break;
	}
	case AM_OOB:
		for (int e = 0; e < 2; e++)
			if (b->oob[e]) {
				ev_addr(l, e, HCI_EV_REMOTE_OOB_REQUEST);
				await(l, e, BS_STAGE1);
			}
		break;
	default: break;
	}
}

/* --- timer ------------------------------------------------------------------------------ */

static void ask_responder(struct sim_link *l)
{
	struct sim_bsec *b = &l->bs;
	int r = 1 - b->init;
	bool reject = fault(l, r, SIM_SEC_FAULT_REJECT);
	switch (b->state) {
	case BS_LK_R_SEND:
		if (cut_in_pairing(l))
			return;
		if (reject) {
			finish(l, HCI_ERR_PIN_OR_KEY_MISSING);
			return;
		}
		ev_addr(l, r, HCI_EV_LINK_KEY_REQUEST);
		await(l, r, BS_LK_R);
		break;
	case BS_IOCAP_R_SEND: {
		if (reject) {
			finish(l, HCI_ERR_PAIRING_NOT_ALLOWED);
			return;
		}
		/* IO Capability Response (the initiator's values, 7.7.41), then the request */
		uint8_t ev[9];
		sim_put_addr(ev, &l->addr[b->init]);
		ev[6] = b->io[b->init];
		ev[7] = b->oob[b->init];
		ev[8] = b->authreq[b->init];
		sim_event(l->end[r], HCI_EV_IO_CAP_RESPONSE, ev, sizeof(ev));
		b->ssp[r] = true;
		ev_addr(l, r, HCI_EV_IO_CAP_REQUEST);
		await(l, r, BS_IOCAP_R);
		break;
	}
	case BS_PIN_R_SEND:
		if (cut_in_pairing(l))
			return;
		if (reject) {
			finish(l, HCI_ERR_PIN_OR_KEY_MISSING);
			return;
		}
		ev_addr(l, r, HCI_EV_PIN_CODE_REQUEST);
		await(l, r, BS_PIN_R);
		break;
	default: break;
	}
}

void sim_sec_bredr_timer(struct sim_link *l)
{
	struct sim_bsec *b = &l->bs;
	if (l->cut || l->state != LS_OPEN)
		return; /* nothing crosses a cut link (the supervision timeout ends it) or one being
			 * disconnected (sim_sec_link_closing reports the failure) */
	switch (b->state) {
	case BS_LK_R_SEND:
	case BS_IOCAP_R_SEND:
	case BS_PIN_R_SEND: ask_responder(l); break;
	case BS_IOCAP_I_SEND: {
		uint8_t ev[9];
		int r = 1 - b->init;
		sim_put_addr(ev, &l->addr[r]);
		ev[6] = b->io[r];
		ev[7] = b->oob[r];
		ev[8] = b->authreq[r];
		sim_event(l->end[b->init], HCI_EV_IO_CAP_RESPONSE, ev, sizeof(ev));
		choose_model(b);
		/* public keys, then the commitment / nonces of stage 1: two more exchanges */
		after(l, BS_STAGE1_SEND, 2 * lmp_delay(l));
		break;
	}
	case BS_STAGE1_SEND:
		if (cut_in_pairing(l))
			return;
		stage1_start(l);
		break;
	case BS_FINISH: deliver(l); break;
	case BS_LK_I:
	case BS_LK_R:
	case BS_IOCAP_I:
	case BS_IOCAP_R:
	case BS_STAGE1:
	case BS_PIN_I:
	case BS_PIN_R:
		finish(l, HCI_ERR_LL_RESPONSE_TIMEOUT); /* a host never answered */
		break;
	default: break;
	}
}

void sim_sec_link_closing(struct sim_link *l, uint8_t reason0, uint8_t reason1)
{
	struct sim_bsec *b = &l->bs;
	if (l->kind != SIM_LINK_BREDR || b->state == BS_IDLE)
		return;
	uint8_t reason[2] = {reason0, reason1};
	for (int e = 0; e < 2; e++) {
		if (!l->end[e] || reason[e] == 0xFF || !b->ssp[e])
			continue;
		uint8_t ev[7] = {reason[e]};
		sim_put_addr(ev + 1, &l->addr[1 - e]);
		sim_event(l->end[e], HCI_EV_SIMPLE_PAIRING_COMPLETE, ev, sizeof(ev));
	}
	int i = b->init;
	if (l->end[i] && reason[i] != 0xFF) {
		uint8_t ev[3] = {reason[i]};
		put_le16(ev + 1, l->handle[i]);
		sim_event(l->end[i], HCI_EV_AUTH_COMPLETE, ev, sizeof(ev));
	}
	b->state = BS_IDLE;
}

/* --- commands: starting ------------------------------------------------------------------ */

static void cmd_auth_requested(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	int e = 0;
	struct sim_link *l = sim_sec_bredr_link(c, p, &e);
	if (!l) {
		sim_cmd_status(c, op, HCI_ERR_UNKNOWN_CONN_ID);
		return;
	}
	if (l->state != LS_OPEN || l->bs.state != BS_IDLE || l->enc.proc != EP_NONE) {
		sim_cmd_status(c, op, HCI_ERR_COMMAND_DISALLOWED);
		return;
	}
	sim_cmd_status(c, op, HCI_SUCCESS);
	struct sim_bsec *b = &l->bs;
	bool auth = b->auth;
	uint8_t key[16], type = b->key_type;
	memcpy(key, b->link_key, 16);
	memset(b, 0, sizeof(*b));
	b->auth = auth;
	memcpy(b->link_key, key, 16);
	b->key_type = type;
	b->init = (uint8_t)e;
	ev_addr(l, e, HCI_EV_LINK_KEY_REQUEST);
	await(l, e, BS_LK_I);
}

/* --- commands: the host's answers --------------------------------------------------------- */

/* The link and end for an answer of c's host in one of the states; replies Command Complete
 * with an error and returns NULL when there is nothing to answer. */
static struct sim_link *answering(struct sim_ctrl *c, uint16_t op, const uint8_t *p, uint8_t s1,
				  uint8_t s2, int *end)
{
	int e = 0;
	struct sim_link *l = link_by_addr(c, p, &e);
	if (!l) {
		cc_addr(c, op, p, HCI_ERR_UNKNOWN_CONN_ID);
		return NULL;
	}
	if ((l->bs.state != s1 && l->bs.state != s2) || !(l->bs.wait & (1u << e))) {
		cc_addr(c, op, p, HCI_ERR_COMMAND_DISALLOWED);
		return NULL;
	}
	*end = e;
	return l;
}

static void answered(struct sim_link *l, int e)
{
	l->bs.wait &= (uint8_t)~(1u << e);
	l->bs.answered[e] = true;
	if (!l->bs.wait)
		l->tmr[LT_SEC] = SIM_NEVER;
}

static void cmd_link_key_reply(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	int e = 0;
	struct sim_link *l = answering(c, op, p, BS_LK_I, BS_LK_R, &e);
	if (!l)
		return;
	struct sim_bsec *b = &l->bs;
	bool neg = op == HCI_OP_LINK_KEY_NEG_REPLY;
	if (!neg) {
		memcpy(b->key[e], p + 6, 16);
		if (c->cfg.sec_faults & SIM_SEC_FAULT_KEY_MISMATCH)
			b->key[e][0] ^= 0x01;
	}
	cc_addr(c, op, p, HCI_SUCCESS);
	answered(l, e);
	if (b->state == BS_LK_R) {
		/* the responder's answer ends authentication (LMP_sres / LMP_not_accepted) */
		if (neg) {
			finish(l, HCI_ERR_PIN_OR_KEY_MISSING);
		} else if (memcmp(b->key[0], b->key[1], 16) != 0) {
			finish(l, HCI_ERR_AUTH_FAILURE);
		} else {
			set_key(l, b->key[e], b->key_type);
			finish(l, HCI_SUCCESS);
		}
		return;
	}
	if (!neg) {
		after(l, BS_LK_R_SEND, lmp_delay(l)); /* LMP_au_rand */
		return;
	}
	/* no key at the initiator: pair (Simple Pairing if both hosts enabled it) */
	b->pairing = true;
	if (l->end[0]->ssp_mode && l->end[1]->ssp_mode) {
		b->sc = l->end[0]->sc_host && l->end[1]->sc_host;
		b->ssp[e] = true;
		ev_addr(l, e, HCI_EV_IO_CAP_REQUEST);
		await(l, e, BS_IOCAP_I);
	} else {
		b->legacy = true;
		ev_addr(l, e, HCI_EV_PIN_CODE_REQUEST);
		await(l, e, BS_PIN_I);
	}
}

static void cmd_io_cap_reply(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* BD_ADDR IO_Capability OOB_Data_Present Authentication_Requirements (7.1.29) */
	if (p[6] > HCI_IO_NO_INPUT_OUTPUT || p[7] > 0x03 || p[8] > 0x05) {
		cc_addr(c, op, p, HCI_ERR_INVALID_PARAMS);
		return;
	}
	int e = 0;
	struct sim_link *l = answering(c, op, p, BS_IOCAP_I, BS_IOCAP_R, &e);
	if (!l)
		return;
	struct sim_bsec *b = &l->bs;
	b->io[e] = p[6];
	b->oob[e] = p[7];
	b->authreq[e] = p[8];
	cc_addr(c, op, p, HCI_SUCCESS);
	answered(l, e);
	after(l, e == b->init ? BS_IOCAP_R_SEND : BS_IOCAP_I_SEND, lmp_delay(l));
}

static void cmd_io_cap_neg_reply(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* BD_ADDR Reason (7.1.36): the reason goes to the peer and ends pairing */
	if (p[6] == HCI_SUCCESS) {
		cc_addr(c, op, p, HCI_ERR_INVALID_PARAMS);
		return;
	}
	int e = 0;
	struct sim_link *l = answering(c, op, p, BS_IOCAP_I, BS_IOCAP_R, &e);
	if (!l)
		return;
	cc_addr(c, op, p, HCI_SUCCESS);
	answered(l, e);
	finish(l, p[6]);
}

static void cmd_user_confirm(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	int e = 0;
	struct sim_link *l = answering(c, op, p, BS_STAGE1, BS_STAGE1, &e);
	if (!l)
		return;
	if (l->bs.model != AM_JUST_WORKS && l->bs.model != AM_NUMERIC) {
		cc_addr(c, op, p, HCI_ERR_COMMAND_DISALLOWED);
		return;
	}
	cc_addr(c, op, p, HCI_SUCCESS);
	answered(l, e);
	if (op == HCI_OP_USER_CONFIRM_NEG_REPLY)
		finish(l, HCI_ERR_AUTH_FAILURE);
	else if (!l->bs.wait)
		stage1_done(l);
}

static void cmd_user_passkey(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	bool neg = op == HCI_OP_USER_PASSKEY_NEG_REPLY;
	if (!neg && get_le32(p + 6) > 999999u) {
		cc_addr(c, op, p, HCI_ERR_INVALID_PARAMS);
		return;
	}
	int e = 0;
	struct sim_link *l = answering(c, op, p, BS_STAGE1, BS_STAGE1, &e);
	if (!l)
		return;
	struct sim_bsec *b = &l->bs;
	if (b->model != AM_PASSKEY) {
		cc_addr(c, op, p, HCI_ERR_COMMAND_DISALLOWED);
		return;
	}
	cc_addr(c, op, p, HCI_SUCCESS);
	answered(l, e);
	if (neg) {
		finish(l, HCI_ERR_AUTH_FAILURE);
		return;
	}
	b->entered[e] = get_le32(p + 6);
	if (b->wait)
		return;
	/* the displayed passkey, or both entries when both sides only have keyboards */
	bool ok = b->keyboard[0] && b->keyboard[1] ? b->entered[0] == b->entered[1]
						    : b->entered[b->keyboard[0] ? 0 : 1] == b->passkey;
	if (ok)
		stage1_done(l);
	else
		finish(l, HCI_ERR_AUTH_FAILURE);
}

static void cmd_remote_oob(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	int e = 0;
	struct sim_link *l = answering(c, op, p, BS_STAGE1, BS_STAGE1, &e);
	if (!l)
		return;
	struct sim_bsec *b = &l->bs;
	if (b->model != AM_OOB) {
		cc_addr(c, op, p, HCI_ERR_COMMAND_DISALLOWED);
		return;
	}
	cc_addr(c, op, p, HCI_SUCCESS);
	answered(l, e);
	if (op == HCI_OP_REMOTE_OOB_NEG_REPLY) {
		finish(l, HCI_ERR_AUTH_FAILURE);
		return;
	}
	/* C R (P-192 data), or C_192 R_192 C_256 R_256: Secure Connections pairing checks the
	 * P-256 pair of the extended reply */
	const uint8_t *cr = p + 6;
	uint8_t tag = SIM_OOB_TAG_P192;
	if (op == HCI_OP_REMOTE_OOB_EXT_REPLY && b->sc) {
		cr = p + 38;
		tag = SIM_OOB_TAG_P256;
	}
	uint8_t want[16];
	if (sim_sec_oob_commit(b->view[e], cr + 16, tag, want) < 0) {
		finish(l, HCI_ERR_UNSPECIFIED);
		return;
	}
	if (memcmp(want, cr, 16) != 0) {
		finish(l, HCI_ERR_AUTH_FAILURE); /* the commitment does not match the peer's key */
		return;
	}
	if (!b->wait)
		stage1_done(l);
}

static void cmd_keypress(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* BD_ADDR Notification_Type 0..4: only while this side enters a passkey */
	if (p[6] > 4) {
		cc_addr(c, op, p, HCI_ERR_INVALID_PARAMS);
		return;
	}
	int e = 0;
	struct sim_link *l = answering(c, op, p, BS_STAGE1, BS_STAGE1, &e);
	if (!l)
		return;
	if (l->bs.model != AM_PASSKEY || !l->bs.keyboard[e]) {
		cc_addr(c, op, p, HCI_ERR_COMMAND_DISALLOWED);
		return;
	}
	cc_addr(c, op, p, HCI_SUCCESS);
	if (l->cut)
		return;
	uint8_t ev[7];
	sim_put_addr(ev, &l->addr[e]);
	ev[6] = p[6];
	sim_event(l->end[1 - e], HCI_EV_KEYPRESS_NOTIFICATION, ev, sizeof(ev));
}

static void cmd_pin_reply(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* BD_ADDR PIN_Code_Length (1..16) PIN_Code(16) (7.1.12) */
	bool neg = op == HCI_OP_PIN_CODE_NEG_REPLY;
	if (!neg && (p[6] < 1 || p[6] > 16)) {
		cc_addr(c, op, p, HCI_ERR_INVALID_PARAMS);
		return;
	}
	int e = 0;
	struct sim_link *l = answering(c, op, p, BS_PIN_I, BS_PIN_R, &e);
	if (!l)
		return;
	struct sim_bsec *b = &l->bs;
	cc_addr(c, op, p, HCI_SUCCESS);
	answered(l, e);
	if (neg) {
		finish(l, HCI_ERR_PIN_OR_KEY_MISSING);
		return;
	}
	b->pin_len[e] = p[6];
	memcpy(b->pin[e], p + 7, 16);
	if (b->state == BS_PIN_I) {
		after(l, BS_PIN_R_SEND, lmp_delay(l)); /* LMP_in_rand */
		return;
	}
	/* both PINs known: the combination keys agree only if the PINs do */
	if (b->pin_len[0] != b->pin_len[1] || memcmp(b->pin[0], b->pin[1], b->pin_len[0]) != 0) {
		finish(l, HCI_ERR_AUTH_FAILURE);
		return;
	}
	uint8_t rnd[16], key[16];
	int i = b->init;
	sim_sec_random(l->air, rnd, sizeof(rnd));
	if (sim_sec_pin_key(b->pin[0], b->pin_len[0], rnd, &l->addr[i], &l->addr[1 - i], key) < 0) {
		finish(l, HCI_ERR_UNSPECIFIED);
		return;
	}
	set_key(l, key, HCI_LINK_KEY_COMBINATION);
	crypto_wipe(key, sizeof(key));
	finish(l, HCI_SUCCESS);
}

const struct sim_cmd sim_cmds_sec_bredr[] = {
	{HCI_OP_LINK_KEY_REPLY, HCI_CMDBIT_LINK_KEY_REPLY, T_BREDR, CMD_CC, 22, cmd_link_key_reply},
	{HCI_OP_LINK_KEY_NEG_REPLY, HCI_CMDBIT_LINK_KEY_NEG_REPLY, T_BREDR, CMD_CC, 6, cmd_link_key_reply},
	{HCI_OP_PIN_CODE_REPLY, HCI_CMDBIT_PIN_CODE_REPLY, T_BREDR, CMD_CC, 23, cmd_pin_reply},
	{HCI_OP_PIN_CODE_NEG_REPLY, HCI_CMDBIT_PIN_CODE_NEG_REPLY, T_BREDR, CMD_CC, 6, cmd_pin_reply},
	{HCI_OP_AUTH_REQUESTED, HCI_CMDBIT_AUTH_REQUESTED, T_BREDR, CMD_CS, 2, cmd_auth_requested},
	{HCI_OP_IO_CAP_REPLY, HCI_CMDBIT_IO_CAP_REPLY, T_BREDR, CMD_CC, 9, cmd_io_cap_reply},
	{HCI_OP_USER_CONFIRM_REPLY, HCI_CMDBIT_USER_CONFIRM_REPLY, T_BREDR, CMD_CC, 6, cmd_user_confirm},
	{HCI_OP_USER_CONFIRM_NEG_REPLY, HCI_CMDBIT_USER_CONFIRM_NEG_REPLY, T_BREDR, CMD_CC, 6, cmd_user_confirm},
	{HCI_OP_USER_PASSKEY_REPLY, HCI_CMDBIT_USER_PASSKEY_REPLY, T_BREDR, CMD_CC, 10, cmd_user_passkey},
	{HCI_OP_USER_PASSKEY_NEG_REPLY, HCI_CMDBIT_USER_PASSKEY_NEG_REPLY, T_BREDR, CMD_CC, 6, cmd_user_passkey},
	{HCI_OP_REMOTE_OOB_REPLY, HCI_CMDBIT_REMOTE_OOB_REPLY, T_BREDR, CMD_CC, 38, cmd_remote_oob},
	{HCI_OP_REMOTE_OOB_NEG_REPLY, HCI_CMDBIT_REMOTE_OOB_NEG_REPLY, T_BREDR, CMD_CC, 6, cmd_remote_oob},
	{HCI_OP_IO_CAP_NEG_REPLY, HCI_CMDBIT_IO_CAP_NEG_REPLY, T_BREDR, CMD_CC, 7, cmd_io_cap_neg_reply},
	{HCI_OP_REMOTE_OOB_EXT_REPLY, HCI_CMDBIT_REMOTE_OOB_EXT_REPLY, T_BREDR, CMD_CC, 70, cmd_remote_oob},
	{HCI_OP_SEND_KEYPRESS_NOTIF, HCI_CMDBIT_SEND_KEYPRESS_NOTIF, T_BREDR, CMD_CC, 7, cmd_keypress},
	{0, 0, 0, 0, 0, NULL},
};
