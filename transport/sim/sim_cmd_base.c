/* Commands every simulated controller type shares, the command lookup and the Supported
 * Commands bitmap (built from the command tables, so it cannot drift from what is implemented). */
#include <string.h>

#include "base/l2k_error.h"
#include "transport/sim/sim_int.h"

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | ((uint64_t)get_le32(p + 4) << 32);
}

static void cmd_reset(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	sim_ctrl_reset(c);
	c->cmd_credits = 0; /* comes back when the host reads the Command Complete */
	sim_cc_status(c, op, HCI_SUCCESS);
}

static void cmd_set_event_mask(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	if (op == HCI_OP_SET_EVENT_MASK)
		c->event_mask = get64(p);
	else if (op == HCI_OP_SET_EVENT_MASK_PAGE2)
		c->event_mask2 = get64(p);
	else
		c->le_event_mask = get64(p);
	sim_cc_status(c, op, HCI_SUCCESS);
}

static void cmd_read_version(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* Status HCI_Version HCI_Revision(2) LMP_Version Manufacturer(2) LMP_Subversion(2) */
	uint8_t r[9] = {HCI_SUCCESS, c->cfg.hci_version, 0, 0, c->cfg.hci_version, 0, 0, 0x01, 0x00};
	put_le16(r + 5, c->cfg.manufacturer);
	if (c->cfg.vendor)
		sim_vendor_read_version(c, r);
	sim_cmd_complete(c, op, r, sizeof(r));
}

static void cmd_read_commands(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	uint8_t r[65];
	r[0] = HCI_SUCCESS;
	memcpy(r + 1, c->commands, 64);
	sim_cmd_complete(c, op, r, sizeof(r));
}

static void cmd_read_features(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	uint8_t r[9];
	r[0] = HCI_SUCCESS;
	memcpy(r + 1, op == HCI_OP_LE_READ_LOCAL_FEATURES ? c->le_features : c->features, 8);
	sim_cmd_complete(c, op, r, sizeof(r));
}

static void cmd_read_ext_features(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* Status Page_Number Maximum_Page_Number Extended_LMP_Features(8) (Vol 4 Part E 7.4.4) */
	uint8_t r[11] = {HCI_SUCCESS, p[0], SIM_FEATURES_MAX_PAGE};
	if (!sim_ctrl_features_page(c, p[0], r + 3))
		r[0] = HCI_ERR_INVALID_PARAMS;
	sim_cmd_complete(c, op, r, sizeof(r));
}

static void cmd_read_buffer_size(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* Status ACL_Data_Packet_Length(2) Synchronous_Data_Packet_Length(1)
	 * Total_Num_ACL_Data_Packets(2) Total_Num_Synchronous_Data_Packets(2) */
	uint8_t r[8] = {HCI_SUCCESS};
	put_le16(r + 1, c->cfg.acl_mtu);
	put_le16(r + 4, c->cfg.acl_count);
	sim_cmd_complete(c, op, r, sizeof(r));
}

static void cmd_read_bd_addr(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	uint8_t r[7] = {HCI_SUCCESS};
	sim_put_addr(r + 1, &c->addr);
	sim_cmd_complete(c, op, r, sizeof(r));
}

static bool has_links(const struct sim_ctrl *c)
{
	for (const struct sim_link *l = c->air->links; l; l = l->next)
		if (sim_link_end_of(l, c) >= 0)
			return true;
	return false;
}

static void cmd_set_fc(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* Vol 4 Part E 7.3.38: only changed while no connection exists */
	if (p[0] > 3)
		sim_cc_status(c, op, HCI_ERR_INVALID_PARAMS);
	else if (has_links(c) && p[0] != c->fc_enable)
		sim_cc_status(c, op, HCI_ERR_COMMAND_DISALLOWED);
	else {
		c->fc_enable = p[0];
		sim_cc_status(c, op, HCI_SUCCESS);
	}
}

static void cmd_host_buffer_size(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* Host_ACL_Data_Packet_Length(2) Host_Synchronous_Data_Packet_Length(1)
	 * Host_Total_Num_ACL_Data_Packets(2) Host_Total_Num_Synchronous_Data_Packets(2) */
	uint16_t len = get_le16(p), total = get_le16(p + 3);
	if (len == 0 || total == 0) {
		sim_cc_status(c, op, HCI_ERR_INVALID_PARAMS);
		return;
	}
	c->host_acl_len = len;
	c->host_acl_total = total;
	sim_cc_status(c, op, HCI_SUCCESS);
}

static void cmd_none(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* Host Number Of Completed Packets is handled before dispatch (it needs no credit). */
}

static void cmd_le_host(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	if (op == HCI_OP_READ_LE_HOST_SUPPORTED) {
		uint8_t r[3] = {HCI_SUCCESS, c->le_host, c->le_simul};
		sim_cmd_complete(c, op, r, sizeof(r));
		return;
	}
	if (p[0] > 1 || p[1] > 1) {
		sim_cc_status(c, op, HCI_ERR_INVALID_PARAMS);
		return;
	}
	c->le_host = p[0];
	c->le_simul = p[1];
	sim_cc_status(c, op, HCI_SUCCESS);
}

static void cmd_disconnect(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* Connection_Handle(2) Reason(1); allowed reasons: Vol 4 Part E 7.1.6 */
	uint16_t h = get_le16(p) & 0x0FFF;
	uint8_t reason = p[2];
	int e;
	struct sim_link *l = sim_ctrl_link(c, h, &e);
	switch (reason) {
	case HCI_ERR_AUTH_FAILURE:
	case HCI_ERR_REMOTE_USER_TERM:
	case HCI_ERR_REMOTE_LOW_RESOURCES:
	case HCI_ERR_REMOTE_POWER_OFF:
	case HCI_ERR_UNSUPPORTED_REMOTE:
	case 0x29: /* Pairing With Unit Key Not Supported */
	case HCI_ERR_UNACCEPTABLE_CONN_PARAMS:
		break;
	default:
		sim_cmd_status(c, op, HCI_ERR_INVALID_PARAMS);
		return;
	}
	if (!l) {
		sim_cmd_status(c, op, HCI_ERR_UNKNOWN_CONN_ID);
		return;
	}
	if (l->state == LS_CLOSING) {
		sim_cmd_status(c, op, HCI_ERR_COMMAND_DISALLOWED);
		return;
	}
	sim_cmd_status(c, op, HCI_SUCCESS);
	l->state = LS_CLOSING;
	l->term_by = (uint8_t)e;
	l->term_reason = reason;
	l->tmr[LT_TERM] = c->air->now + sim_link_proc_delay(l);
}

static void cmd_read_remote(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	uint16_t h = get_le16(p) & 0x0FFF;
	int e;
	struct sim_link *l = sim_ctrl_link(c, h, &e);
	uint8_t what = op == HCI_OP_READ_REMOTE_VERSION	     ? INFO_VERSION
		       : op == HCI_OP_READ_REMOTE_FEATURES     ? INFO_FEATURES
		       : op == HCI_OP_READ_REMOTE_EXT_FEATURES ? INFO_EXT_FEATURES
							       : INFO_LE_FEATURES;
	if (!l || l->state != LS_OPEN ||
	    ((what == INFO_FEATURES || what == INFO_EXT_FEATURES) && l->kind != SIM_LINK_BREDR) ||
	    (what == INFO_LE_FEATURES && l->kind != SIM_LINK_LE)) {
		sim_cmd_status(c, op, l && l->state == LS_OPEN ? HCI_ERR_COMMAND_DISALLOWED
							       : HCI_ERR_UNKNOWN_CONN_ID);
		return;
	}
	if (l->info_req[e] & what) {
		sim_cmd_status(c, op, HCI_ERR_COMMAND_DISALLOWED);
		return;
	}
	sim_cmd_status(c, op, HCI_SUCCESS);
	l->info_req[e] |= what;
	if (what == INFO_EXT_FEATURES)
		l->ext_page[e] = p[2]; /* Connection_Handle(2) Page_Number (7.1.22) */
	enum sim_link_timer t = e == 0 ? LT_INFO0 : LT_INFO1;
	if (l->tmr[t] == SIM_NEVER)
		l->tmr[t] = c->air->now + sim_link_proc_delay(l);
}

/* Info commands also used by the LE table */
void sim_cmd_read_features(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	cmd_read_features(c, op, p, n);
}
void sim_cmd_set_event_mask(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	cmd_set_event_mask(c, op, p, n);
}
void sim_cmd_read_remote(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	cmd_read_remote(c, op, p, n);
}

const struct sim_cmd sim_cmds_base[] = {
	{HCI_OP_DISCONNECT, HCI_CMDBIT_DISCONNECT, T_ALL, CMD_CS, 3, cmd_disconnect},
	{HCI_OP_READ_REMOTE_VERSION, HCI_CMDBIT_READ_REMOTE_VERSION, T_ALL, CMD_CS, 2, cmd_read_remote},
	{HCI_OP_SET_EVENT_MASK, HCI_CMDBIT_SET_EVENT_MASK, T_ALL, CMD_CC, 8, cmd_set_event_mask},
	{HCI_OP_RESET, HCI_CMDBIT_RESET, T_ALL, CMD_CC, 0, cmd_reset},
	{HCI_OP_SET_CTRL_TO_HOST_FC, HCI_CMDBIT_SET_CTRL_TO_HOST_FC, T_ALL, CMD_CC, 1, cmd_set_fc},
	{HCI_OP_HOST_BUFFER_SIZE, HCI_CMDBIT_HOST_BUFFER_SIZE, T_ALL, CMD_CC, 7, cmd_host_buffer_size},
	{HCI_OP_HOST_NUM_COMPLETED, HCI_CMDBIT_HOST_NUM_COMPLETED, T_ALL, CMD_NONE, -1, cmd_none},
	{HCI_OP_SET_EVENT_MASK_PAGE2, HCI_CMDBIT_SET_EVENT_MASK_PAGE2, T_ALL, CMD_CC, 8, cmd_set_event_mask},
	{HCI_OP_READ_LE_HOST_SUPPORTED, HCI_CMDBIT_READ_LE_HOST_SUPPORTED, T_DUAL, CMD_CC, 0, cmd_le_host},
	{HCI_OP_WRITE_LE_HOST_SUPPORTED, HCI_CMDBIT_WRITE_LE_HOST_SUPPORTED, T_DUAL, CMD_CC, 2, cmd_le_host},
	{HCI_OP_READ_LOCAL_VERSION, HCI_CMDBIT_READ_LOCAL_VERSION, T_ALL, CMD_CC, 0, cmd_read_version},
	{HCI_OP_READ_LOCAL_COMMANDS, SIM_CMDBIT_NONE, T_ALL, CMD_CC, 0, cmd_read_commands},
	{HCI_OP_READ_LOCAL_FEATURES, HCI_CMDBIT_READ_LOCAL_FEATURES, T_ALL, CMD_CC, 0, cmd_read_features},
	{HCI_OP_READ_LOCAL_EXT_FEATURES, HCI_CMDBIT_READ_LOCAL_EXT_FEATURES, T_BREDR, CMD_CC, 1,
	 cmd_read_ext_features},
	{HCI_OP_READ_BUFFER_SIZE, HCI_CMDBIT_READ_BUFFER_SIZE, T_ALL, CMD_CC, 0, cmd_read_buffer_size},
	{HCI_OP_READ_BD_ADDR, HCI_CMDBIT_READ_BD_ADDR, T_ALL, CMD_CC, 0, cmd_read_bd_addr},
	{0, 0, 0, 0, 0, NULL},
};

static const struct sim_cmd *const tables[] = {sim_cmds_base,	 sim_cmds_bredr,    sim_cmds_le,
					       sim_cmds_sec_bredr, sim_cmds_sec_conf, sim_cmds_sec_le,
					       sim_cmds_inquiry};

const struct sim_cmd *sim_cmd_find(uint16_t op, uint8_t type)
{
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct sim_cmd *e = tables[t]; e->fn; e++)
			if (e->op == op)
				return (e->types & (1u << type)) ? e : NULL;
	return NULL;
}

void sim_cmd_bitmap(uint8_t type, uint8_t out[64])
{
	memset(out, 0, 64);
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct sim_cmd *e = tables[t]; e->fn; e++)
			if (e->bit != SIM_CMDBIT_NONE && (e->types & (1u << type)))
				out[e->bit / 8] |= (uint8_t)(1u << (e->bit % 8));
}
