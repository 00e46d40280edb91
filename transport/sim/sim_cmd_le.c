/* LE commands: buffers and features, legacy advertising and scanning with advertising reports,
 * LE Create Connection (+ Cancel), the connection parameters request procedure (LE Connection
 * Update, Remote Connection Parameter Request Reply / Negative Reply), data length update, the
 * accept list and the suggested default data length. */
#include <string.h>

#include "base/l2k_error.h"
#include "transport/sim/sim_int.h"

#define RSSI_DBM 0xD8 /* -40 dBm */
#define MAX_TIME(octets) ((uint16_t)(((octets) + 14u) * 8u)) /* LE 1M, Vol 6 Part B 4.5.10 */

void sim_le_reset(struct sim_ctrl *c)
{
	c->random_set = false;
	memset(&c->adv, 0, sizeof(c->adv));
	c->adv.itv_min = c->adv.itv_max = 0x0800; /* 1.28 s (Vol 4 Part E 7.8.5) */
	c->adv.chmap = 0x07;
	c->adv_len = c->scan_rsp_len = 0;
	c->adv_on = false;
	memset(&c->scan, 0, sizeof(c->scan));
	c->scan.itv = c->scan.win = 0x0010;
	c->scan_on = c->scan_dup = false;
	c->ndup = 0;
	memset(&c->init, 0, sizeof(c->init));
	c->nacc = 0;
	c->def_tx_octets = SIM_LE_DEFAULT_DATA_LEN;
	c->tmr[CT_ADV] = SIM_NEVER;
}

static void own_address(const struct sim_ctrl *c, uint8_t own_type, hci_bdaddr_t *a, uint8_t *type)
{
	/* own types 0x02/0x03 (resolvable) fall back to public/random: no resolving list */
	*type = own_type & 1;
	*a = *type ? c->random_addr : c->addr;
}

static bool valid_conn_params(uint16_t min, uint16_t max, uint16_t lat, uint16_t to)
{
	/* Vol 4 Part E 7.8.12: interval 0x0006..0x0C80, latency <= 0x01F3, timeout 0x000A..0x0C80
	 * and timeout (10 ms) > (1 + latency) * interval_max (1.25 ms) * 2 */
	return min >= 0x0006 && max <= 0x0C80 && min <= max && lat <= 0x01F3 && to >= 0x000A &&
	       to <= 0x0C80 && (uint32_t)to * 4u > (1u + lat) * (uint32_t)max;
}

/* LE links this controller is an end of, in any state (being set up, open, closing). */
static unsigned le_links(const struct sim_ctrl *c)
{
	unsigned n = 0;
	for (const struct sim_link *l = c->air->links; l; l = l->next)
		if (l->kind == SIM_LINK_LE && (l->end[0] == c || l->end[1] == c))
			n++;
	return n;
}

static bool adv_connectable(const struct sim_ctrl *c)
{
	return c->adv.type == SIM_ADV_IND || c->adv.type == SIM_ADV_DIRECT_IND ||
	       c->adv.type == SIM_ADV_DIRECT_IND_LOW;
}

/* Whether one more LE connection fits (cfg.le_max_conn).  Connectable advertising and a pending
 * LE Create Connection each hold the room of the connection they may end in, as a real
 * controller reserves its connection context when it starts them: so the one not asking
 * (other) counts as a link. */
static bool le_conn_room(const struct sim_ctrl *c, bool other)
{
	return le_links(c) + (other ? 1u : 0u) < c->cfg.le_max_conn;
}

static void cmd_read_buffer_size(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* Status LE_ACL_Data_Packet_Length(2) Total_Num_LE_ACL_Data_Packets [ISO len(2) num] */
	uint8_t r[7] = {HCI_SUCCESS};
	if (c->cfg.le_acl_count) {
		put_le16(r + 1, c->cfg.le_acl_mtu);
		r[3] = c->cfg.le_acl_count;
	}
	sim_cmd_complete(c, op, r, op == HCI_OP_LE_READ_BUFFER_SIZE ? 4 : 7);
}

static void cmd_set_random_addr(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	if (c->adv_on || c->scan_on || c->init.on) {
		sim_cc_status(c, op, HCI_ERR_COMMAND_DISALLOWED);
		return;
	}
	sim_get_addr(&c->random_addr, p);
	c->random_set = true;
	sim_cc_status(c, op, HCI_SUCCESS);
}

static void cmd_set_adv_params(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* Interval_Min(2) Interval_Max(2) Type Own_Address_Type Peer_Address_Type Peer_Address(6)
	 * Channel_Map Filter_Policy (7.8.5) */
	uint16_t min = get_le16(p), max = get_le16(p + 2);
	uint8_t type = p[4];
	if (c->adv_on) {
		sim_cc_status(c, op, HCI_ERR_COMMAND_DISALLOWED);
		return;
	}
	bool itv_ok = type == SIM_ADV_DIRECT_IND || (min >= 0x0020 && max <= 0x4000 && min <= max);
	if (type > SIM_ADV_DIRECT_IND_LOW || p[5] > 3 || p[6] > 1 || !itv_ok || (p[13] & 7) == 0 ||
	    p[13] > 7 || p[14] > 3) {
		sim_cc_status(c, op, HCI_ERR_INVALID_PARAMS);
		return;
	}
	c->adv.itv_min = min;
	c->adv.itv_max = max;
	c->adv.type = type;
	c->adv.own_type = p[5];
	c->adv.peer_type = p[6];
	sim_get_addr(&c->adv.peer, p + 7);
	c->adv.chmap = p[13];
	c->adv.filter = p[14];
	sim_cc_status(c, op, HCI_SUCCESS);
}

static void cmd_read_adv_tx_power(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	uint8_t r[2] = {HCI_SUCCESS, 0};
	sim_cmd_complete(c, op, r, sizeof(r));
}

static void cmd_set_adv_data(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	if (p[0] > 31) {
		sim_cc_status(c, op, HCI_ERR_INVALID_PARAMS);
		return;
	}
	if (op == HCI_OP_LE_SET_ADV_DATA) {
		c->adv_len = p[0];
		memcpy(c->adv_data, p + 1, p[0]);
	} else {
		c->scan_rsp_len = p[0];
		memcpy(c->scan_rsp, p + 1, p[0]);
	}
	sim_cc_status(c, op, HCI_SUCCESS);
}

static void cmd_set_adv_enable(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	if (p[0] > 1 || (p[0] && (c->adv.own_type & 1) && !c->random_set)) {
		sim_cc_status(c, op, HCI_ERR_INVALID_PARAMS);
		return;
	}
	if (p[0] && !c->adv_on && adv_connectable(c) && !le_conn_room(c, c->init.on)) {
		/* no room for the connection advertising may end in: Connection Limit Exceeded
		 * (Vol 1 Part F 2.9) */
		sim_cc_status(c, op, HCI_ERR_CONN_LIMIT);
		return;
	}
	if (p[0] && !c->adv_on) {
		c->adv_on = true;
		c->tmr[CT_ADV] = c->air->now; /* first advertising event right away */
		/* high duty cycle directed advertising lasts 1.28 s (Vol 6 Part B 4.4.2.4.3) */
		c->adv_until = c->adv.type == SIM_ADV_DIRECT_IND ? c->air->now + 1280000u : SIM_NEVER;
	} else if (!p[0]) {
		c->adv_on = false;
		c->tmr[CT_ADV] = SIM_NEVER;
	}
	sim_cc_status(c, op, HCI_SUCCESS);
}

static void cmd_set_scan_params(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* Type Interval(2) Window(2) Own_Address_Type Filter_Policy (7.8.10) */
	uint16_t itv = get_le16(p + 1), win = get_le16(p + 3);
	if (c->scan_on) {
		sim_cc_status(c, op, HCI_ERR_COMMAND_DISALLOWED);
		return;
	}
	if (p[0] > 1 || itv < 4 || itv > 0x4000 || win < 4 || win > itv || p[5] > 3 || p[6] > 3) {
		sim_cc_status(c, op, HCI_ERR_INVALID_PARAMS);
		return;
	}
	c->scan.type = p[0];
	c->scan.itv = itv;
	c->scan.win = win;
	c->scan.own_type = p[5];
	c->scan.filter = p[6];
	sim_cc_status(c, op, HCI_SUCCESS);
}

static void cmd_set_scan_enable(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	if (p[0] > 1 || p[1] > 1) {
		sim_cc_status(c, op, HCI_ERR_INVALID_PARAMS);
		return;
	}
	if (p[0] && !c->scan_on)
		c->ndup = 0;
	c->scan_on = p[0] != 0;
	c->scan_dup = p[1] != 0;
	sim_cc_status(c, op, HCI_SUCCESS);
}

static bool on_accept_list(const struct sim_ctrl *c, uint8_t type, const hci_bdaddr_t *a)
{
	for (unsigned i = 0; i < c->nacc; i++)
		if ((c->acc[i].type == 0xFF || c->acc[i].type == type) && sim_addr_eq(&c->acc[i].a, a))
			return true;
	return false;
}

static void cmd_create_conn(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* Scan_Interval(2) Scan_Window(2) Initiator_Filter_Policy Peer_Address_Type
	 * Peer_Address(6) Own_Address_Type Conn_Interval_Min(2) Conn_Interval_Max(2)
	 * Max_Latency(2) Supervision_Timeout(2) Min_CE_Length(2) Max_CE_Length(2) (7.8.12) */
	uint16_t itv = get_le16(p), win = get_le16(p + 2);
	uint16_t min = get_le16(p + 13), max = get_le16(p + 15);
	uint16_t lat = get_le16(p + 17), to = get_le16(p + 19);
	if (c->init.on) {
		sim_cmd_status(c, op, HCI_ERR_COMMAND_DISALLOWED);
		return;
	}
	if (itv < 4 || itv > 0x4000 || win < 4 || win > itv || p[4] > 1 || p[5] > 3 || p[12] > 3 ||
	    !valid_conn_params(min, max, lat, to) || ((p[12] & 1) && !c->random_set)) {
		sim_cmd_status(c, op, HCI_ERR_INVALID_PARAMS);
		return;
	}
	if (!le_conn_room(c, c->adv_on && adv_connectable(c))) {
		sim_cmd_status(c, op, HCI_ERR_CONN_LIMIT);
		return;
	}
	sim_cmd_status(c, op, HCI_SUCCESS);
	c->init.on = true;
	c->init.filter = p[4];
	c->init.peer_type = p[5] & 1;
	sim_get_addr(&c->init.peer, p + 6);
	c->init.own_type = p[12];
	c->init.itv_min = min;
	c->init.itv_max = max;
	c->init.latency = lat;
	c->init.timeout = to;
}

/* LE Connection Complete (7.7.65.1): Status Handle(2) Role Peer_Address_Type Peer_Address(6)
 * Conn_Interval(2) Conn_Latency(2) Supervision_Timeout(2) Central_Clock_Accuracy */
static void le_conn_complete(struct sim_ctrl *c, uint8_t status, const struct sim_link *l, int e)
{
	uint8_t ev[18] = {status};
	if (l && status == HCI_SUCCESS) {
		put_le16(ev + 1, l->handle[e]);
		ev[3] = l->role[e];
		ev[4] = l->addr_type[1 - e];
		sim_put_addr(ev + 5, &l->addr[1 - e]);
		put_le16(ev + 11, l->interval);
		put_le16(ev + 13, l->latency);
		put_le16(ev + 15, l->sup_timeout);
	} else if (l) {
		ev[3] = l->role[e]; /* a link that failed: which end this is */
	} else if (status == SIM_ERR_ADV_TIMEOUT) {
		ev[3] = 0x01;
	}
	sim_le_event(c, HCI_LE_CONN_COMPLETE, ev, sizeof(ev));
}

static void cmd_create_conn_cancel(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	if (!c->init.on) {
		sim_cc_status(c, op, HCI_ERR_COMMAND_DISALLOWED);
		return;
	}
	c->init.on = false;
	sim_cc_status(c, op, HCI_SUCCESS);
	le_conn_complete(c, HCI_ERR_UNKNOWN_CONN_ID, NULL, 0); /* 7.8.13 */
}

static void cmd_accept_list(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	if ((c->adv_on && c->adv.filter) || (c->scan_on && (c->scan.filter & 1)) ||
	    (c->init.on && c->init.filter)) {
		sim_cc_status(c, op, HCI_ERR_COMMAND_DISALLOWED);
		return;
	}
	if (op == HCI_OP_LE_READ_ACCEPT_LIST_SIZE) {
		uint8_t r[2] = {HCI_SUCCESS, SIM_ACCEPT_LIST_SIZE};
		sim_cmd_complete(c, op, r, sizeof(r));
		return;
	}
	if (op == HCI_OP_LE_CLEAR_ACCEPT_LIST) {
		c->nacc = 0;
		sim_cc_status(c, op, HCI_SUCCESS);
		return;
	}
	/* Address_Type (0x00, 0x01, 0xFF anonymous) Address(6) */
	hci_bdaddr_t a;
	sim_get_addr(&a, p + 1);
	if (p[0] > 1 && p[0] != 0xFF) {
		sim_cc_status(c, op, HCI_ERR_INVALID_PARAMS);
		return;
	}
	unsigned i;
	for (i = 0; i < c->nacc; i++)
		if (c->acc[i].type == p[0] && sim_addr_eq(&c->acc[i].a, &a))
			break;
	if (op == SIM_OP_LE_ADD_ACCEPT_LIST) {
		if (i == c->nacc) {
			if (c->nacc == SIM_ACCEPT_LIST_SIZE) {
				sim_cc_status(c, op, HCI_ERR_MEMORY_FULL);
				return;
			}
			c->acc[c->nacc].type = p[0];
			c->acc[c->nacc].a = a;
			c->nacc++;
		}
	} else if (i < c->nacc) {
		c->acc[i] = c->acc[--c->nacc];
	}
	sim_cc_status(c, op, HCI_SUCCESS);
}

static void cmd_read_states(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* every legacy state and combination (bits 0-41, Vol 4 Part E 7.8.27) */
	uint8_t r[9] = {HCI_SUCCESS, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x03, 0, 0};
	sim_cmd_complete(c, op, r, sizeof(r));
}

/* --- connection parameters request procedure (Vol 6 Part B 5.1.7) ------------------------ */

static void cmd_conn_update(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* Handle(2) Interval_Min(2) Interval_Max(2) Max_Latency(2) Supervision_Timeout(2)
	 * Min_CE_Length(2) Max_CE_Length(2) (7.8.18) */
	int e;
	struct sim_link *l = sim_ctrl_link(c, get_le16(p) & 0x0FFF, &e);
	uint16_t min = get_le16(p + 2), max = get_le16(p + 4), lat = get_le16(p + 6), to = get_le16(p + 8);
	if (!l || l->kind != SIM_LINK_LE) {
		sim_cmd_status(c, op, HCI_ERR_UNKNOWN_CONN_ID);
		return;
	}
	if (!valid_conn_params(min, max, lat, to)) {
		sim_cmd_status(c, op, HCI_ERR_INVALID_PARAMS);
		return;
	}
	if (l->proc != PROC_NONE || l->state != LS_OPEN) {
		sim_cmd_status(c, op, HCI_ERR_COMMAND_DISALLOWED);
		return;
	}
	sim_cmd_status(c, op, HCI_SUCCESS);
	l->proc = PROC_REQ_SENT;
	l->proc_by = (uint8_t)e;
	l->p_min = min;
	l->p_max = max;
	l->p_latency = lat;
	l->p_timeout = to;
	l->tmr[LT_PROC] = c->air->now + (uint64_t)l->interval * 1250u;
}

static struct sim_link *replying_link(struct sim_ctrl *c, const uint8_t *p, uint16_t op)
{
	int e;
	struct sim_link *l = sim_ctrl_link(c, get_le16(p) & 0x0FFF, &e);
	uint8_t r[3] = {HCI_SUCCESS, p[0], (uint8_t)(p[1] & 0x0F)};
	if (!l || l->kind != SIM_LINK_LE)
		r[0] = HCI_ERR_UNKNOWN_CONN_ID;
	else if (l->proc != PROC_WAIT_REPLY || l->proc_by == e)
		r[0] = HCI_ERR_COMMAND_DISALLOWED;
	else if (op == HCI_OP_LE_REMOTE_CONN_PARAM_REPLY &&
		 !valid_conn_params(get_le16(p + 2), get_le16(p + 4), get_le16(p + 6), get_le16(p + 8)))
		r[0] = HCI_ERR_INVALID_PARAMS;
	sim_cmd_complete(c, op, r, sizeof(r));
	return r[0] == HCI_SUCCESS ? l : NULL;
}

static void update_complete(struct sim_link *l, int e, uint8_t status)
{
	/* Status Handle(2) Interval(2) Latency(2) Supervision_Timeout(2) (7.7.65.3) */
	uint8_t ev[9] = {status};
	if (!l->end[e])
		return; /* that end left the link (MIC failure) */
	put_le16(ev + 1, l->handle[e]);
	put_le16(ev + 3, l->interval);
	put_le16(ev + 5, l->latency);
	put_le16(ev + 7, l->sup_timeout);
	sim_le_event(l->end[e], HCI_LE_CONN_UPDATE_COMPLETE, ev, sizeof(ev));
}

static void to_instant(struct sim_link *l)
{
	/* the new parameters apply at an instant a few events later (6 events here) */
	l->proc = PROC_INSTANT;
	l->tmr[LT_PROC] = l->air->now + 6ull * l->interval * 1250u;
}

static void cmd_param_reply(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	struct sim_link *l = replying_link(c, p, op);
	if (!l)
		return;
	l->p_min = get_le16(p + 2); /* the central picks the smallest interval offered */
	l->p_max = get_le16(p + 4);
	l->p_latency = get_le16(p + 6);
	l->p_timeout = get_le16(p + 8);
	to_instant(l);
}

static void cmd_param_neg_reply(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	struct sim_link *l = replying_link(c, p, op);
	if (!l)
		return;
	l->proc = PROC_NONE;
	l->tmr[LT_PROC] = SIM_NEVER;
	update_complete(l, l->proc_by, p[2] ? p[2] : HCI_ERR_UNACCEPTABLE_CONN_PARAMS);
}

static void proc_timer(struct sim_link *l)
{
	int by = l->proc_by, peer = 1 - by;
	struct sim_ctrl *r = l->end[peer];
	if (l->cut)
		return; /* nothing crosses a cut link; supervision ends it */
	switch (l->proc) {
	case PROC_REQ_SENT: {
		/* the peer's controller asks its host, unless the host masked the event: then it
		 * rejects with Unsupported Remote Feature and a central falls back to the
		 * connection update procedure (Vol 6 Part B 5.1.7.1) */
		bool enabled = (r->event_mask >> SIM_EVMASK_LE_META) & 1u &&
			       (r->le_event_mask >> (HCI_LE_REMOTE_CONN_PARAM_REQ - 1)) & 1u;
		if (enabled) {
			uint8_t ev[10];
			put_le16(ev, l->handle[peer]);
			put_le16(ev + 2, l->p_min);
			put_le16(ev + 4, l->p_max);
			put_le16(ev + 6, l->p_latency);
			put_le16(ev + 8, l->p_timeout);
			sim_le_event(r, HCI_LE_REMOTE_CONN_PARAM_REQ, ev, sizeof(ev));
			l->proc = PROC_WAIT_REPLY;
			l->tmr[LT_PROC] = l->air->now + SIM_LL_RESPONSE_US;
		} else if (by == 0) {
			to_instant(l);
		} else {
			l->proc = PROC_NONE;
			update_complete(l, by, HCI_ERR_UNSUPPORTED_REMOTE);
		}
		break;
	}
	case PROC_WAIT_REPLY:
		l->proc = PROC_NONE;
		update_complete(l, by, HCI_ERR_LL_RESPONSE_TIMEOUT);
		break;
	case PROC_INSTANT:
		l->proc = PROC_NONE;
		l->interval = l->p_min;
		l->latency = l->p_latency;
		l->sup_timeout = l->p_timeout;
		/* re-anchor the connection events at the instant */
		l->anchor_us = l->air->now;
		l->anchor_used = l->active;
		if (!l->active && l->tmr[LT_STEP] != SIM_NEVER) {
			l->tmr[LT_STEP] = SIM_NEVER;
			sim_link_kick(l);
		}
		update_complete(l, 0, HCI_SUCCESS);
		update_complete(l, 1, HCI_SUCCESS);
		break;
	default: break;
	}
}

/* --- data length (Vol 6 Part B 5.1.9) ---------------------------------------------------- */

static void cmd_set_data_length(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* Handle(2) TxOctets(2) TxTime(2) (7.8.33); returns Status Handle(2) */
	int e;
	struct sim_link *l = sim_ctrl_link(c, get_le16(p) & 0x0FFF, &e);
	uint16_t oct = get_le16(p + 2), time = get_le16(p + 4);
	uint8_t r[3] = {HCI_SUCCESS, p[0], (uint8_t)(p[1] & 0x0F)};
	if (!l || l->kind != SIM_LINK_LE)
		r[0] = HCI_ERR_UNKNOWN_CONN_ID;
	else if (oct < 0x1B || oct > 0xFB || time < 0x0148 || time > 0x4290)
		r[0] = HCI_ERR_INVALID_PARAMS;
	sim_cmd_complete(c, op, r, sizeof(r));
	if (r[0])
		return;
	l->dir[e].req_tx = oct < c->cfg.le_max_data_len ? oct : c->cfg.le_max_data_len;
	if (l->tmr[LT_DLE] == SIM_NEVER)
		l->tmr[LT_DLE] = c->air->now + sim_link_proc_delay(l);
}

static void dle_timer(struct sim_link *l)
{
	if (l->cut)
		return;
	bool changed = false;
	for (int d = 0; d < 2; d++) {
		uint16_t rx_max = l->end[1 - d]->cfg.le_max_data_len;
		uint16_t v = l->dir[d].req_tx < rx_max ? l->dir[d].req_tx : rx_max;
		if (v < SIM_LE_DEFAULT_DATA_LEN)
			v = SIM_LE_DEFAULT_DATA_LEN;
		if (v != l->dir[d].max_tx) {
			l->dir[d].max_tx = v;
			changed = true;
		}
	}
	if (!changed)
		return;
	for (int i = 0; i < 2; i++) {
		/* Handle(2) MaxTxOctets(2) MaxTxTime(2) MaxRxOctets(2) MaxRxTime(2) (7.7.65.7) */
		uint8_t ev[10];
		put_le16(ev, l->handle[i]);
		put_le16(ev + 2, l->dir[i].max_tx);
		put_le16(ev + 4, MAX_TIME(l->dir[i].max_tx));
		put_le16(ev + 6, l->dir[1 - i].max_tx);
		put_le16(ev + 8, MAX_TIME(l->dir[1 - i].max_tx));
		sim_le_event(l->end[i], HCI_LE_DATA_LENGTH_CHANGE, ev, sizeof(ev));
	}
}

static void cmd_default_data_length(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	if (op == HCI_OP_LE_READ_DEFAULT_DATA_LENGTH) {
		uint8_t r[5] = {HCI_SUCCESS};
		put_le16(r + 1, c->def_tx_octets);
		put_le16(r + 3, MAX_TIME(c->def_tx_octets));
		sim_cmd_complete(c, op, r, sizeof(r));
		return;
	}
	if (op == HCI_OP_LE_READ_MAX_DATA_LENGTH) {
		uint8_t r[9] = {HCI_SUCCESS};
		uint16_t m = c->cfg.le_max_data_len;
		put_le16(r + 1, m);
		put_le16(r + 3, MAX_TIME(m));
		put_le16(r + 5, m);
		put_le16(r + 7, MAX_TIME(m));
		sim_cmd_complete(c, op, r, sizeof(r));
		return;
	}
	uint16_t oct = get_le16(p), time = get_le16(p + 2);
	if (oct < 0x1B || oct > 0xFB || time < 0x0148 || time > 0x4290) {
		sim_cc_status(c, op, HCI_ERR_INVALID_PARAMS);
		return;
	}
	c->def_tx_octets = oct < c->cfg.le_max_data_len ? oct : c->cfg.le_max_data_len;
	sim_cc_status(c, op, HCI_SUCCESS);
}

/* --- the air side: advertising events, connection set-up ----------------------------------- */

static void report(struct sim_ctrl *s, uint8_t evt, uint8_t atype, const hci_bdaddr_t *a,
		   const uint8_t *data, uint8_t len)
{
	if (s->scan_dup) {
		for (unsigned i = 0; i < s->ndup; i++)
			if (s->dup[i].type == atype && s->dup[i].evt == evt && sim_addr_eq(&s->dup[i].a, a))
				return;
		if (s->ndup < SIM_DUP_MAX) {
			s->dup[s->ndup].type = atype;
			s->dup[s->ndup].evt = evt;
			s->dup[s->ndup].a = *a;
			s->ndup++;
		}
	}
	/* Num_Reports Event_Type Address_Type Address(6) Data_Length Data RSSI (7.7.65.2) */
	uint8_t ev[11 + 31];
	ev[0] = 1;
	ev[1] = evt;
	ev[2] = atype;
	sim_put_addr(ev + 3, a);
	ev[9] = len;
	memcpy(ev + 10, data, len);
	ev[10 + len] = RSSI_DBM;
	sim_le_event(s, HCI_LE_ADV_REPORT, ev, 11u + len);
}

static void connect(struct sim_ctrl *adv, struct sim_ctrl *ini)
{
	struct sim_link *l = sim_link_new(adv->air, SIM_LINK_LE, ini, adv);
	if (!l)
		return;
	l->state = LS_SETUP;
	l->interval = ini->init.itv_min;
	l->latency = ini->init.latency;
	l->sup_timeout = ini->init.timeout;
	own_address(ini, ini->init.own_type, &l->addr[0], &l->addr_type[0]);
	own_address(adv, adv->adv.own_type, &l->addr[1], &l->addr_type[1]);
	ini->init.on = false;
	adv->adv_on = false; /* legacy advertising stops on connection */
	adv->tmr[CT_ADV] = SIM_NEVER;
	l->tmr[LT_SETUP] = adv->air->now + 1250u; /* CONNECT_IND + transmit window delay */
}

void sim_le_adv_event(struct sim_ctrl *c)
{
	struct sim_air *air = c->air;
	if (!c->adv_on)
		return;
	if (air->now >= c->adv_until) {
		c->adv_on = false;
		le_conn_complete(c, SIM_ERR_ADV_TIMEOUT, NULL, 0);
		return;
	}
	hci_bdaddr_t a;
	uint8_t atype;
	own_address(c, c->adv.own_type, &a, &atype);
	bool directed = c->adv.type == SIM_ADV_DIRECT_IND || c->adv.type == SIM_ADV_DIRECT_IND_LOW;
	bool connectable = c->adv.type == SIM_ADV_IND || directed;
	bool scannable = c->adv.type == SIM_ADV_IND || c->adv.type == SIM_ADV_SCAN_IND;
	struct sim_ctrl *ini = NULL;
	for (struct sim_ctrl *s = air->ctrls; s; s = s->next) {
		if (s == c || !sim_ctrl_is_le(s))
			continue;
		hci_bdaddr_t sa;
		uint8_t st;
		if (directed) {
			own_address(s, s->init.on ? s->init.own_type : s->scan.own_type, &sa, &st);
			if (st != c->adv.peer_type || !sim_addr_eq(&sa, &c->adv.peer))
				continue;
		}
		if (s->scan_on && (!(s->scan.filter & 1) || on_accept_list(s, atype, &a))) {
			uint8_t evt = directed ? SIM_ADV_DIRECT_IND : c->adv.type;
			report(s, evt, atype, &a, c->adv_data, directed ? 0 : c->adv_len);
			if (s->scan.type == 1 && scannable)
				report(s, SIM_REPORT_SCAN_RSP, atype, &a, c->scan_rsp, c->scan_rsp_len);
		}
		if (!ini && connectable && s->init.on &&
		    (s->init.filter ? on_accept_list(s, atype, &a)
				    : s->init.peer_type == atype && sim_addr_eq(&s->init.peer, &a)) &&
		    (!(c->adv.filter & 2) || on_accept_list(c, s->init.own_type & 1, &s->addr)))
			ini = s;
	}
	if (ini) {
		connect(c, ini);
		return;
	}
	/* advDelay (0-10 ms random) is left out so runs stay deterministic without drawing */
	uint64_t itv = c->adv.type == SIM_ADV_DIRECT_IND ? 3750u : (uint64_t)c->adv.itv_min * SIM_SLOT_US;
	c->tmr[CT_ADV] = air->now + itv;
}

void sim_le_link_open(struct sim_link *l)
{
	struct sim_air *air = l->air;
	l->handle[0] = sim_ctrl_alloc_handle(l->end[0]);
	l->handle[1] = sim_ctrl_alloc_handle(l->end[1]);
	if (l->handle[0] == SIM_NONE || l->handle[1] == SIM_NONE) {
		le_conn_complete(l->end[0], HCI_ERR_CONN_LIMIT, l, 0);
		le_conn_complete(l->end[1], HCI_ERR_CONN_LIMIT, l, 1);
		sim_link_destroy(l);
		return;
	}
	l->start_us = air->now;
	l->anchor_us = air->now + 1250u; /* first connection event */
	l->anchor_used = false;
	sim_link_opened(l);
	le_conn_complete(l->end[0], HCI_SUCCESS, l, 0);
	le_conn_complete(l->end[1], HCI_SUCCESS, l, 1);
	/* initial data length from each side's suggested default (Vol 6 Part B 4.5.10) */
	l->dir[0].req_tx = l->end[0]->def_tx_octets;
	l->dir[1].req_tx = l->end[1]->def_tx_octets;
	if (l->dir[0].req_tx > SIM_LE_DEFAULT_DATA_LEN || l->dir[1].req_tx > SIM_LE_DEFAULT_DATA_LEN)
		l->tmr[LT_DLE] = air->now + sim_link_proc_delay(l);
}

void sim_le_link_timer(struct sim_link *l, enum sim_link_timer t)
{
	if (t == LT_SETUP && l->state == LS_SETUP)
		sim_le_link_open(l);
	else if (t == LT_PROC)
		proc_timer(l);
	else if (t == LT_DLE)
		dle_timer(l);
}

void sim_le_ctrl_gone(struct sim_ctrl *c)
{
	struct sim_link *l = c->air->links;
	while (l) {
		struct sim_link *next = l->next;
		int e = sim_link_end_of(l, c);
		if (e >= 0 && l->kind == SIM_LINK_LE && l->state == LS_SETUP) {
			struct sim_ctrl *peer = l->end[1 - e];
			if (peer) /* Connection Failed to be Established (Vol 6 Part B 4.5.2) */
				le_conn_complete(peer, HCI_ERR_CONN_FAILED_ESTABLISH, l, 1 - e);
			sim_link_destroy(l);
		}
		l = next;
	}
}

const struct sim_cmd sim_cmds_le[] = {
	{HCI_OP_LE_SET_EVENT_MASK, HCI_CMDBIT_LE_SET_EVENT_MASK, T_LEX, CMD_CC, 8, sim_cmd_set_event_mask},
	{HCI_OP_LE_READ_BUFFER_SIZE, HCI_CMDBIT_LE_READ_BUFFER_SIZE, T_LEX, CMD_CC, 0, cmd_read_buffer_size},
	{HCI_OP_LE_READ_LOCAL_FEATURES, HCI_CMDBIT_LE_READ_LOCAL_FEATURES, T_LEX, CMD_CC, 0,
	 sim_cmd_read_features},
	{HCI_OP_LE_SET_RANDOM_ADDR, HCI_CMDBIT_LE_SET_RANDOM_ADDR, T_LEX, CMD_CC, 6, cmd_set_random_addr},
	{HCI_OP_LE_SET_ADV_PARAMS, HCI_CMDBIT_LE_SET_ADV_PARAMS, T_LEX, CMD_CC, 15, cmd_set_adv_params},
	{HCI_OP_LE_READ_ADV_TX_POWER, HCI_CMDBIT_LE_READ_ADV_TX_POWER, T_LEX, CMD_CC, 0, cmd_read_adv_tx_power},
	{HCI_OP_LE_SET_ADV_DATA, HCI_CMDBIT_LE_SET_ADV_DATA, T_LEX, CMD_CC, 32, cmd_set_adv_data},
	{HCI_OP_LE_SET_SCAN_RSP_DATA, HCI_CMDBIT_LE_SET_SCAN_RSP_DATA, T_LEX, CMD_CC, 32, cmd_set_adv_data},
	{HCI_OP_LE_SET_ADV_ENABLE, HCI_CMDBIT_LE_SET_ADV_ENABLE, T_LEX, CMD_CC, 1, cmd_set_adv_enable},
	{HCI_OP_LE_SET_SCAN_PARAMS, HCI_CMDBIT_LE_SET_SCAN_PARAMS, T_LEX, CMD_CC, 7, cmd_set_scan_params},
	{HCI_OP_LE_SET_SCAN_ENABLE, HCI_CMDBIT_LE_SET_SCAN_ENABLE, T_LEX, CMD_CC, 2, cmd_set_scan_enable},
	{HCI_OP_LE_CREATE_CONN, HCI_CMDBIT_LE_CREATE_CONN, T_LEX, CMD_CS, 25, cmd_create_conn},
	{HCI_OP_LE_CREATE_CONN_CANCEL, HCI_CMDBIT_LE_CREATE_CONN_CANCEL, T_LEX, CMD_CC, 0,
	 cmd_create_conn_cancel},
	{HCI_OP_LE_READ_ACCEPT_LIST_SIZE, HCI_CMDBIT_LE_READ_ACCEPT_LIST_SIZE, T_LEX, CMD_CC, 0,
	 cmd_accept_list},
	{HCI_OP_LE_CLEAR_ACCEPT_LIST, HCI_CMDBIT_LE_CLEAR_ACCEPT_LIST, T_LEX, CMD_CC, 0, cmd_accept_list},
	{SIM_OP_LE_ADD_ACCEPT_LIST, SIM_CMDBIT_LE_ADD_ACCEPT_LIST, T_LEX, CMD_CC, 7, cmd_accept_list},
	{SIM_OP_LE_REMOVE_ACCEPT_LIST, SIM_CMDBIT_LE_REMOVE_ACCEPT_LIST, T_LEX, CMD_CC, 7, cmd_accept_list},
	{HCI_OP_LE_CONN_UPDATE, HCI_CMDBIT_LE_CONN_UPDATE, T_LEX, CMD_CS, 14, cmd_conn_update},
	{HCI_OP_LE_READ_REMOTE_FEATURES, HCI_CMDBIT_LE_READ_REMOTE_FEATURES, T_LEX, CMD_CS, 2,
	 sim_cmd_read_remote},
	{HCI_OP_LE_READ_SUPPORTED_STATES, SIM_CMDBIT_LE_READ_SUPPORTED_STATES, T_LEX, CMD_CC, 0,
	 cmd_read_states},
	{HCI_OP_LE_REMOTE_CONN_PARAM_REPLY, HCI_CMDBIT_LE_REMOTE_CONN_PARAM_REPLY, T_LEX, CMD_CC, 14,
	 cmd_param_reply},
	{HCI_OP_LE_REMOTE_CONN_PARAM_NEG_REPLY, HCI_CMDBIT_LE_REMOTE_CONN_PARAM_NEG_REPLY, T_LEX, CMD_CC, 3,
	 cmd_param_neg_reply},
	{HCI_OP_LE_SET_DATA_LENGTH, HCI_CMDBIT_LE_SET_DATA_LENGTH, T_LEX, CMD_CC, 6, cmd_set_data_length},
	{HCI_OP_LE_READ_DEFAULT_DATA_LENGTH, HCI_CMDBIT_LE_READ_DEFAULT_DATA_LENGTH, T_LEX, CMD_CC, 0,
	 cmd_default_data_length},
	{HCI_OP_LE_WRITE_DEFAULT_DATA_LENGTH, HCI_CMDBIT_LE_WRITE_DEFAULT_DATA_LENGTH, T_LEX, CMD_CC, 4,
	 cmd_default_data_length},
	{HCI_OP_LE_READ_MAX_DATA_LENGTH, HCI_CMDBIT_LE_READ_MAX_DATA_LENGTH, T_LEX, CMD_CC, 0,
	 cmd_default_data_length},
	{HCI_OP_LE_READ_BUFFER_SIZE_V2, HCI_CMDBIT_LE_READ_BUFFER_SIZE_V2, T_LEX, CMD_CC, 0, cmd_read_buffer_size},
	{0, 0, 0, 0, 0, NULL},
};
