/* LE security of the simulated controller: LE Rand, LE Encrypt, and the encryption start /
 * pause procedures of the link layer (Vol 6 Part B 5.1.3) driven by LE Enable Encryption, the
 * LE Long Term Key Request event and its replies (Vol 4 Part E 7.8.22 - 7.8.25, 7.7.65.5).
 *
 * The central's host gives Rand, EDIV and its LTK; LL_ENC_REQ reaches the peripheral one
 * connection event later (two when encryption is first paused); its host gets LE Long Term Key
 * Request and answers:
 *  - Reply: LL_START_ENC_REQ / RSP, then Encryption Change on both sides (Encryption Key Refresh
 *    Complete when the link was already encrypted), two connection events later.  When the
 *    two LTKs differ the peripheral cannot decrypt the central's LL_START_ENC_RSP: its host gets
 *    Disconnection Complete with MIC Failure (0x3D) and its link layer leaves the connection
 *    without a word, so the central's host sees the connection time out (0x08).
 *  - Negative Reply (or the event masked, or the REJECT fault): LL_REJECT_EXT_IND with PIN or
 *    Key Missing: the central's host gets Encryption Change with status 0x06, encryption off.
 *  - No answer within 40 s (LL procedure response timeout): the link ends with LL Response
 *    Timeout (0x22) on both sides. */
#include <string.h>

#include "base/l2k_error.h"
#include "transport/sim/sim_int.h"

static void reverse(uint8_t *dst, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[n - 1 - i];
}

static void cmd_le_rand(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	uint8_t r[9] = {HCI_SUCCESS};
	sim_sec_random(c->air, r + 1, 8);
	sim_cmd_complete(c, op, r, sizeof(r));
}

static void cmd_le_encrypt(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* Key(16) Plaintext_Data(16) -> Status Encrypted_Data(16) (7.8.22); HCI carries them least
	 * significant octet first, AES (FIPS-197) most significant first. */
	uint8_t key[16], in[16], out[16], r[17] = {HCI_SUCCESS};
	reverse(key, p, 16);
	reverse(in, p + 16, 16);
	if (crypto_aes128_encrypt(key, in, out) < 0)
		r[0] = HCI_ERR_UNSPECIFIED;
	else
		reverse(r + 1, out, 16);
	crypto_wipe(key, sizeof(key));
	sim_cmd_complete(c, op, r, sizeof(r));
}

static int central_end(const struct sim_link *l)
{
	return l->role[0] == 0x00 ? 0 : 1;
}

static uint64_t event_us(const struct sim_link *l)
{
	return (uint64_t)l->interval * 1250u;
}

static void cmd_le_enable_encryption(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* Connection_Handle(2) Random_Number(8) Encrypted_Diversifier(2) Long_Term_Key(16) (7.8.24) */
	int e = 0;
	struct sim_link *l = sim_ctrl_link(c, get_le16(p) & 0x0FFF, &e);
	if (!l || l->kind != SIM_LINK_LE) {
		sim_cmd_status(c, op, HCI_ERR_UNKNOWN_CONN_ID);
		return;
	}
	/* only the central starts encryption (Vol 6 Part B 5.1.3.1) */
	if (l->role[e] != 0x00 || l->state != LS_OPEN || l->enc.proc != EP_NONE) {
		sim_cmd_status(c, op, HCI_ERR_COMMAND_DISALLOWED);
		return;
	}
	sim_cmd_status(c, op, HCI_SUCCESS);
	struct sim_enc *x = &l->enc;
	memcpy(x->rand, p + 2, 8);
	memcpy(x->ediv, p + 10, 2);
	memcpy(x->ltk[e], p + 12, 16);
	if (c->cfg.sec_faults & SIM_SEC_FAULT_KEY_MISMATCH)
		x->ltk[e][0] ^= 0x01;
	x->was_on = x->on != HCI_ENC_OFF;
	x->status = HCI_SUCCESS;
	x->proc = EP_LE_REQ;
	/* LL_ENC_REQ in the next event (after LL_PAUSE_ENC_REQ / RSP when encrypted) */
	l->tmr[LT_ENC] = c->air->now + event_us(l) * (x->was_on ? 3u : 1u);
}

static struct sim_link *ltk_answer(struct sim_ctrl *c, uint16_t op, const uint8_t *p, int *end)
{
	/* returns Status Connection_Handle (7.8.25, 7.8.26) */
	int e = 0;
	struct sim_link *l = sim_ctrl_link(c, get_le16(p) & 0x0FFF, &e);
	uint8_t r[3] = {HCI_SUCCESS, p[0], (uint8_t)(p[1] & 0x0F)};
	if (!l || l->kind != SIM_LINK_LE)
		r[0] = HCI_ERR_UNKNOWN_CONN_ID;
	else if (l->enc.proc != EP_LE_WAIT_LTK || l->role[e] != 0x01)
		r[0] = HCI_ERR_COMMAND_DISALLOWED;
	sim_cmd_complete(c, op, r, sizeof(r));
	*end = e;
	return r[0] == HCI_SUCCESS ? l : NULL;
}

static void cmd_le_ltk_reply(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	int e = 0;
	struct sim_link *l = ltk_answer(c, op, p, &e);
	if (!l)
		return;
	struct sim_enc *x = &l->enc;
	if (op == HCI_OP_LE_LTK_NEG_REPLY) {
		x->status = HCI_ERR_PIN_OR_KEY_MISSING; /* LL_REJECT_EXT_IND */
		x->proc = EP_LE_START;
		l->tmr[LT_ENC] = c->air->now + event_us(l);
		return;
	}
	memcpy(x->ltk[e], p + 2, 16);
	if (c->cfg.sec_faults & SIM_SEC_FAULT_KEY_MISMATCH)
		x->ltk[e][0] ^= 0x01;
	x->ltk_ok = memcmp(x->ltk[0], x->ltk[1], 16) == 0;
	x->proc = EP_LE_START;
	l->tmr[LT_ENC] = c->air->now + sim_link_proc_delay(l); /* LL_START_ENC_REQ / RSP */
}

void sim_sec_le_enc_timer(struct sim_link *l)
{
	struct sim_enc *x = &l->enc;
	int cen = central_end(l), per = 1 - cen;
	if (l->cut || l->state != LS_OPEN)
		return; /* nothing crosses a cut link (the supervision timeout ends it) or one being
			 * disconnected */
	switch (x->proc) {
	case EP_LE_REQ: {
		struct sim_ctrl *pc = l->end[per];
		if ((pc->cfg.sec_faults | l->end[cen]->cfg.sec_faults) & SIM_SEC_FAULT_CUT_IN_PAIRING) {
			sim_link_fire(l, LT_CUT);
			return;
		}
		if (x->was_on) {
			/* the pause: both directions are unencrypted until the restart completes */
			x->on = HCI_ENC_OFF;
		}
		/* the peripheral's controller rejects by itself when its host cannot be asked */
		if ((pc->cfg.sec_faults & SIM_SEC_FAULT_REJECT) ||
		    !sim_event_enabled(pc, HCI_EV_LE_META, HCI_LE_LTK_REQUEST)) {
			x->status = HCI_ERR_PIN_OR_KEY_MISSING;
			x->proc = EP_LE_START;
			l->tmr[LT_ENC] = l->air->now + event_us(l);
			return;
		}
		/* LE Long Term Key Request: Connection_Handle(2) Random_Number(8) EDIV(2) (7.7.65.5) */
		uint8_t ev[12];
		put_le16(ev, l->handle[per]);
		memcpy(ev + 2, x->rand, 8);
		memcpy(ev + 10, x->ediv, 2);
		sim_le_event(pc, HCI_LE_LTK_REQUEST, ev, sizeof(ev));
		x->proc = EP_LE_WAIT_LTK;
		l->tmr[LT_ENC] = l->air->now + SIM_LL_RESPONSE_US;
		break;
	}
	case EP_LE_WAIT_LTK:
		/* LL procedure response timeout (Vol 6 Part B 5.2) */
		x->proc = EP_NONE;
		sim_link_close(l, HCI_ERR_LL_RESPONSE_TIMEOUT, HCI_ERR_LL_RESPONSE_TIMEOUT);
		break;
	case EP_LE_START:
		x->proc = EP_NONE;
		if (x->status != HCI_SUCCESS) {
			x->on = HCI_ENC_OFF;
			x->key_size = 0;
			sim_sec_enc_change(l, cen, x->status, HCI_ENC_OFF, 0);
		} else if (!x->ltk_ok) {
			sim_link_drop_end(l, per, HCI_ERR_MIC_FAILURE);
		} else {
			x->on = HCI_ENC_E0; /* 0x01: AES-CCM on an LE link */
			x->key_size = 16;
			for (int e = 0; e < 2; e++) {
				if (x->was_on)
					sim_sec_key_refresh(l, e, HCI_SUCCESS);
				else
					sim_sec_enc_change(l, e, HCI_SUCCESS, x->on, x->key_size);
			}
		}
		break;
	default: break;
	}
}

const struct sim_cmd sim_cmds_sec_le[] = {
	{HCI_OP_LE_ENCRYPT, HCI_CMDBIT_LE_ENCRYPT, T_LEX, CMD_CC, 32, cmd_le_encrypt},
	{HCI_OP_LE_RAND, HCI_CMDBIT_LE_RAND, T_LEX, CMD_CC, 0, cmd_le_rand},
	{HCI_OP_LE_ENABLE_ENCRYPTION, HCI_CMDBIT_LE_ENABLE_ENCRYPTION, T_LEX, CMD_CS, 28, cmd_le_enable_encryption},
	{HCI_OP_LE_LTK_REPLY, HCI_CMDBIT_LE_LTK_REPLY, T_LEX, CMD_CC, 18, cmd_le_ltk_reply},
	{HCI_OP_LE_LTK_NEG_REPLY, HCI_CMDBIT_LE_LTK_NEG_REPLY, T_LEX, CMD_CC, 2, cmd_le_ltk_reply},
	{0, 0, 0, 0, 0, NULL},
};
