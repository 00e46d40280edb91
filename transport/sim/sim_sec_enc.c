/* BR/EDR encryption and the security configuration of the simulated controller: Set Connection
 * Encryption, Refresh Encryption Key, Read Encryption Key Size, Read Simple Pairing Mode, Read /
 * Write Secure Connections Host Support, Read Local OOB (Extended) Data (Vol 4 Part E 7.1.16,
 * 7.3, 7.5.7).  Authentication and pairing are in sim_sec_bredr.c. */
#include <string.h>

#include "base/l2k_error.h"
#include "transport/sim/sim_int.h"

/* Set Connection Encryption / Refresh Encryption Key reach the peer: the outcome at both ends. */
void sim_sec_bredr_enc_timer(struct sim_link *l)
{
	if (l->enc.proc == EP_BR_START || l->enc.proc == EP_BR_REFRESH) {
		if (l->cut || l->state != LS_OPEN)
			return; /* nothing crosses a cut link or one being disconnected */
		uint8_t proc = l->enc.proc;
		l->enc.proc = EP_NONE;
		if (proc == EP_BR_REFRESH) {
			sim_sec_key_refresh(l, 0, HCI_SUCCESS);
			sim_sec_key_refresh(l, 1, HCI_SUCCESS);
			return;
		}
		if (l->enc.want) {
			/* AES-CCM when both hosts enabled Secure Connections */
			bool sc = l->end[0]->sc_host && l->end[1]->sc_host;
			uint8_t a = l->end[0]->cfg.enc_key_size, b = l->end[1]->cfg.enc_key_size;
			l->enc.on = sc ? HCI_ENC_AES_CCM : HCI_ENC_E0;
			l->enc.key_size = a < b ? a : b;
		} else {
			l->enc.on = HCI_ENC_OFF;
			l->enc.key_size = 0;
		}
		sim_sec_enc_change(l, 0, HCI_SUCCESS, l->enc.on, l->enc.key_size);
		sim_sec_enc_change(l, 1, HCI_SUCCESS, l->enc.on, l->enc.key_size);
	}
}

static void cmd_set_conn_encrypt(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* Connection_Handle(2) Encryption_Enable (7.1.16) */
	int e = 0;
	struct sim_link *l = sim_sec_bredr_link(c, p, &e);
	if (!l) {
		sim_cmd_status(c, op, HCI_ERR_UNKNOWN_CONN_ID);
		return;
	}
	if (p[2] > 1) {
		sim_cmd_status(c, op, HCI_ERR_INVALID_PARAMS);
		return;
	}
	/* encryption needs a link key on the link (authentication first) */
	if (l->state != LS_OPEN || l->bs.state != BS_IDLE || l->enc.proc != EP_NONE ||
	    (p[2] && !l->bs.auth)) {
		sim_cmd_status(c, op, HCI_ERR_COMMAND_DISALLOWED);
		return;
	}
	sim_cmd_status(c, op, HCI_SUCCESS);
	l->enc.proc = EP_BR_START;
	l->enc.want = p[2];
	l->tmr[LT_ENC] = c->air->now + sim_link_proc_delay(l);
}

static void cmd_refresh_key(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	int e = 0;
	struct sim_link *l = sim_sec_bredr_link(c, p, &e);
	if (!l) {
		sim_cmd_status(c, op, HCI_ERR_UNKNOWN_CONN_ID);
		return;
	}
	if (l->state != LS_OPEN || !l->enc.on || l->enc.proc != EP_NONE || l->bs.state != BS_IDLE) {
		sim_cmd_status(c, op, HCI_ERR_COMMAND_DISALLOWED);
		return;
	}
	sim_cmd_status(c, op, HCI_SUCCESS);
	l->enc.proc = EP_BR_REFRESH;
	l->tmr[LT_ENC] = c->air->now + 2 * sim_link_proc_delay(l); /* pause, then resume */
}

static void cmd_read_key_size(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* Connection_Handle -> Status Connection_Handle(2) Key_Size (7.5.7) */
	int e = 0;
	struct sim_link *l = sim_ctrl_link(c, get_le16(p) & 0x0FFF, &e);
	uint8_t r[4] = {HCI_SUCCESS, p[0], (uint8_t)(p[1] & 0x0F), 0};
	if (!l)
		r[0] = HCI_ERR_UNKNOWN_CONN_ID;
	else if (!l->enc.on)
		r[0] = HCI_ERR_INSUFFICIENT_SECURITY;
	else
		r[3] = l->enc.key_size;
	sim_cmd_complete(c, op, r, sizeof(r));
}

/* --- configuration ---------------------------------------------------------------------- */

static void cmd_read_ssp_mode(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	uint8_t r[2] = {HCI_SUCCESS, c->ssp_mode};
	sim_cmd_complete(c, op, r, sizeof(r));
}

static bool bredr_busy(const struct sim_ctrl *c)
{
	if (c->scan_enable & 0x02)
		return true;
	for (const struct sim_link *l = c->air->links; l; l = l->next)
		if (l->kind == SIM_LINK_BREDR && sim_link_end_of(l, c) >= 0)
			return true;
	return false;
}

static void cmd_sc_host(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	if (op == HCI_OP_READ_SC_HOST_SUPPORT) {
		uint8_t r[2] = {HCI_SUCCESS, c->sc_host};
		sim_cmd_complete(c, op, r, sizeof(r));
		return;
	}
	/* Vol 4 Part E 7.3.92: not while paging, page scanning or connected */
	if (p[0] > 1)
		sim_cc_status(c, op, HCI_ERR_INVALID_PARAMS);
	else if (bredr_busy(c))
		sim_cc_status(c, op, HCI_ERR_COMMAND_DISALLOWED);
	else {
		c->sc_host = p[0];
		sim_cc_status(c, op, HCI_SUCCESS);
	}
}

static void cmd_read_local_oob(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* Status C R, or Status C_192 R_192 C_256 R_256 for the extended data; a new R each time */
	uint8_t r[65] = {HCI_SUCCESS};
	size_t len = op == HCI_OP_READ_LOCAL_OOB_DATA ? 33 : 65;
	int rc = sim_sec_keypair(c);
	for (size_t off = 1; rc == 0 && off < len; off += 32) {
		sim_sec_random(c->air, r + off + 16, 16);
		rc = sim_sec_oob_commit(c->pub, r + off + 16, off == 1 ? SIM_OOB_TAG_P192 : SIM_OOB_TAG_P256, r + off);
	}
	if (rc < 0) {
		memset(r, 0, sizeof(r));
		r[0] = HCI_ERR_UNSPECIFIED;
	}
	sim_cmd_complete(c, op, r, len);
}

const struct sim_cmd sim_cmds_sec_conf[] = {
	{HCI_OP_SET_CONN_ENCRYPT, HCI_CMDBIT_SET_CONN_ENCRYPT, T_BREDR, CMD_CS, 3, cmd_set_conn_encrypt},
	{HCI_OP_REFRESH_ENCRYPTION_KEY, HCI_CMDBIT_REFRESH_ENCRYPTION_KEY, T_BREDR, CMD_CS, 2, cmd_refresh_key},
	{HCI_OP_READ_SSP_MODE, HCI_CMDBIT_READ_SSP_MODE, T_BREDR, CMD_CC, 0, cmd_read_ssp_mode},
	{HCI_OP_READ_LOCAL_OOB_DATA, HCI_CMDBIT_READ_LOCAL_OOB_DATA, T_BREDR, CMD_CC, 0, cmd_read_local_oob},
	{HCI_OP_READ_SC_HOST_SUPPORT, HCI_CMDBIT_READ_SC_HOST_SUPPORT, T_BREDR, CMD_CC, 0, cmd_sc_host},
	{HCI_OP_WRITE_SC_HOST_SUPPORT, HCI_CMDBIT_WRITE_SC_HOST_SUPPORT, T_BREDR, CMD_CC, 1, cmd_sc_host},
	{HCI_OP_READ_LOCAL_OOB_EXT_DATA, HCI_CMDBIT_READ_LOCAL_OOB_EXT_DATA, T_BREDR, CMD_CC, 0,
	 cmd_read_local_oob},
	{HCI_OP_READ_ENCRYPTION_KEY_SIZE, HCI_CMDBIT_READ_ENCRYPTION_KEY_SIZE, T_BREDR, CMD_CC, 2,
	 cmd_read_key_size},
	{0, 0, 0, 0, 0, NULL},
};
