/* BR/EDR commands and connection set-up: page (Create Connection), Connection Request,
 * Accept / Reject, Create Connection Cancel, accept and page timeouts, role switch at accept,
 * and the simple configuration writes (scan enable, page timeout, class of device, name, SSP). */
#include <string.h>

#include "base/l2k_error.h"
#include "transport/sim/sim_int.h"

/* Connection Complete (Vol 4 Part E 7.7.3): Status Handle(2) BD_ADDR(6) Link_Type
 * Encryption_Enabled */
static void conn_complete(struct sim_ctrl *c, uint8_t status, uint16_t handle, const hci_bdaddr_t *peer)
{
	uint8_t ev[11] = {status};
	put_le16(ev + 1, status == HCI_SUCCESS ? handle : 0);
	sim_put_addr(ev + 3, peer);
	ev[9] = 0x01; /* ACL */
	ev[10] = 0x00;
	sim_event(c, HCI_EV_CONN_COMPLETE, ev, sizeof(ev));
}

/* Fail a link that is not open yet: tell whichever hosts know about it, then free it. */
static void fail_setup(struct sim_link *l, uint8_t status_initiator, uint8_t status_acceptor)
{
	if (l->end[0] && status_initiator)
		conn_complete(l->end[0], status_initiator, 0, &l->addr[1]);
	if (l->end[1] && status_acceptor && l->state != LS_PAGING)
		conn_complete(l->end[1], status_acceptor, 0, &l->addr[0]);
	sim_link_destroy(l);
}

static struct sim_link *find_setup(struct sim_ctrl *c, int end, const hci_bdaddr_t *peer)
{
	for (struct sim_link *l = c->air->links; l; l = l->next)
		if (l->kind == SIM_LINK_BREDR && l->end[end] == c && sim_addr_eq(&l->addr[1 - end], peer))
			return l;
	return NULL;
}

static void cmd_create_conn(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* BD_ADDR(6) Packet_Type(2) Page_Scan_Repetition_Mode Reserved Clock_Offset(2)
	 * Allow_Role_Switch (Vol 4 Part E 7.1.5) */
	hci_bdaddr_t peer;
	sim_get_addr(&peer, p);
	for (struct sim_link *l = c->air->links; l; l = l->next) {
		int e = sim_link_end_of(l, c);
		if (e < 0 || l->kind != SIM_LINK_BREDR || !sim_addr_eq(&l->addr[1 - e], &peer))
			continue;
		sim_cmd_status(c, op, l->state == LS_OPEN || l->state == LS_CLOSING ? HCI_ERR_ACL_EXISTS
										    : HCI_ERR_COMMAND_DISALLOWED);
		return;
	}
	if (p[12] > 1) {
		sim_cmd_status(c, op, HCI_ERR_INVALID_PARAMS);
		return;
	}
	struct sim_ctrl *t = sim_air_ctrl_by_addr(c->air, &peer);
	if (t == c || (t && !sim_ctrl_is_bredr(t)))
		t = NULL;
	struct sim_link *l = sim_link_new(c->air, SIM_LINK_BREDR, c, t);
	if (!l) {
		sim_cmd_status(c, op, HCI_ERR_MEMORY_FULL);
		return;
	}
	sim_cmd_status(c, op, HCI_SUCCESS);
	l->state = LS_PAGING;
	l->addr[0] = c->addr;
	l->addr[1] = peer;
	l->allow_role_switch = p[12] != 0;
	bool reachable = t && (t->scan_enable & 0x02);
	l->tmr[LT_SETUP] = c->air->now + (reachable ? SIM_PAGE_LATENCY_US : (uint64_t)c->page_timeout * SIM_SLOT_US);
}

static void cmd_create_conn_cancel(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* returns Status BD_ADDR (Vol 4 Part E 7.1.7) */
	uint8_t r[7] = {HCI_SUCCESS};
	memcpy(r + 1, p, 6);
	hci_bdaddr_t peer;
	sim_get_addr(&peer, p);
	struct sim_link *l = find_setup(c, 0, &peer);
	if (!l) {
		r[0] = HCI_ERR_UNKNOWN_CONN_ID;
	} else if (l->state == LS_SETUP || l->state == LS_OPEN || l->state == LS_CLOSING) {
		r[0] = HCI_ERR_ACL_EXISTS;
	}
	sim_cmd_complete(c, op, r, sizeof(r));
	if (r[0] == HCI_SUCCESS)
		fail_setup(l, HCI_ERR_UNKNOWN_CONN_ID, HCI_ERR_UNKNOWN_CONN_ID);
}

static void cmd_accept(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* BD_ADDR(6) Role: 0x00 become central, 0x01 remain peripheral (7.1.8) */
	hci_bdaddr_t peer;
	sim_get_addr(&peer, p);
	struct sim_link *l = find_setup(c, 1, &peer);
	if (!l || l->state != LS_REQUESTED) {
		sim_cmd_status(c, op, HCI_ERR_UNKNOWN_CONN_ID);
		return;
	}
	if (p[6] > 1) {
		sim_cmd_status(c, op, HCI_ERR_INVALID_PARAMS);
		return;
	}
	sim_cmd_status(c, op, HCI_SUCCESS);
	l->state = LS_SETUP;
	l->tmr[LT_ACCEPT] = SIM_NEVER;
	l->role_switch = p[6] == 0x00 && l->allow_role_switch;
	l->tmr[LT_SETUP] = c->air->now + 4u * SIM_SLOT_US; /* LMP set-up */
}

static void cmd_reject(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* BD_ADDR(6) Reason: 0x0D..0x0F (7.1.9) */
	hci_bdaddr_t peer;
	sim_get_addr(&peer, p);
	struct sim_link *l = find_setup(c, 1, &peer);
	if (!l || l->state != LS_REQUESTED) {
		sim_cmd_status(c, op, HCI_ERR_UNKNOWN_CONN_ID);
		return;
	}
	if (p[6] < HCI_ERR_REJ_LIMITED_RESOURCES || p[6] > HCI_ERR_REJ_BAD_ADDR) {
		sim_cmd_status(c, op, HCI_ERR_INVALID_PARAMS);
		return;
	}
	sim_cmd_status(c, op, HCI_SUCCESS);
	fail_setup(l, p[6], p[6]);
}

void sim_bredr_link_timer(struct sim_link *l, enum sim_link_timer t)
{
	struct sim_air *air = l->air;
	if (t == LT_ACCEPT) {
		if (l->state == LS_REQUESTED)
			fail_setup(l, HCI_ERR_ACCEPT_TIMEOUT, HCI_ERR_ACCEPT_TIMEOUT);
		return;
	}
	if (l->state == LS_PAGING) {
		struct sim_ctrl *tgt = l->end[1];
		if (!tgt || !(tgt->scan_enable & 0x02) || l->cut) {
			fail_setup(l, HCI_ERR_PAGE_TIMEOUT, 0);
			return;
		}
		/* Connection Request: BD_ADDR(6) Class_Of_Device(3) Link_Type (7.7.4) */
		uint8_t ev[10];
		sim_put_addr(ev, &l->addr[0]);
		memcpy(ev + 6, l->end[0]->cod, 3);
		ev[9] = 0x01;
		l->state = LS_REQUESTED;
		sim_event(tgt, HCI_EV_CONN_REQUEST, ev, sizeof(ev));
		l->tmr[LT_ACCEPT] = air->now + SIM_ACCEPT_TIMEOUT_US;
		return;
	}
	if (l->state != LS_SETUP)
		return;
	l->handle[0] = sim_ctrl_alloc_handle(l->end[0]);
	l->handle[1] = sim_ctrl_alloc_handle(l->end[1]);
	if (l->handle[0] == SIM_NONE || l->handle[1] == SIM_NONE) {
		fail_setup(l, HCI_ERR_CONN_LIMIT, HCI_ERR_CONN_LIMIT);
		return;
	}
	if (l->role_switch) {
		/* Role Change (7.7.18) comes before Connection Complete: Status BD_ADDR New_Role */
		l->role[0] = 0x01;
		l->role[1] = 0x00;
		for (int i = 0; i < 2; i++) {
			uint8_t ev[8] = {HCI_SUCCESS};
			sim_put_addr(ev + 1, &l->addr[1 - i]);
			ev[7] = l->role[i];
			sim_event(l->end[i], HCI_EV_ROLE_CHANGE, ev, sizeof(ev));
		}
	}
	l->start_us = air->now;
	sim_link_opened(l);
	conn_complete(l->end[0], HCI_SUCCESS, l->handle[0], &l->addr[1]);
	conn_complete(l->end[1], HCI_SUCCESS, l->handle[1], &l->addr[0]);
}

void sim_bredr_ctrl_gone(struct sim_ctrl *c)
{
	struct sim_link *l = c->air->links;
	while (l) {
		struct sim_link *next = l->next;
		int e = sim_link_end_of(l, c);
		if (e >= 0 && l->kind == SIM_LINK_BREDR && l->state != LS_OPEN && l->state != LS_CLOSING) {
			l->end[e] = NULL;
			/* the pager hears Page Timeout; an acceptor that saw the request, a timeout */
			fail_setup(l, HCI_ERR_PAGE_TIMEOUT, HCI_ERR_CONN_TIMEOUT);
		}
		l = next;
	}
}

static void cmd_write_scan_enable(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	if (p[0] > 3) {
		sim_cc_status(c, op, HCI_ERR_INVALID_PARAMS);
		return;
	}
	c->scan_enable = p[0];
	sim_cc_status(c, op, HCI_SUCCESS);
}

static void cmd_write_simple(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	uint8_t st = HCI_SUCCESS;
	switch (op) {
	case HCI_OP_WRITE_PAGE_TIMEOUT:
		if (get_le16(p) == 0)
			st = HCI_ERR_INVALID_PARAMS;
		else
			c->page_timeout = get_le16(p);
		break;
	case HCI_OP_WRITE_CLASS_OF_DEV: memcpy(c->cod, p, 3); break;
	case HCI_OP_WRITE_SSP_MODE:
		if (p[0] > 1)
			st = HCI_ERR_INVALID_PARAMS;
		else
			c->ssp_mode = p[0];
		break;
	case HCI_OP_WRITE_LOCAL_NAME: memcpy(c->local_name, p, sizeof(c->local_name)); break;
	default: break;
	}
	sim_cc_status(c, op, st);
}

const struct sim_cmd sim_cmds_bredr[] = {
	{HCI_OP_CREATE_CONN, HCI_CMDBIT_CREATE_CONN, T_BREDR, CMD_CS, 13, cmd_create_conn},
	{HCI_OP_CREATE_CONN_CANCEL, HCI_CMDBIT_CREATE_CONN_CANCEL, T_BREDR, CMD_CC, 6, cmd_create_conn_cancel},
	{HCI_OP_ACCEPT_CONN_REQ, HCI_CMDBIT_ACCEPT_CONN_REQ, T_BREDR, CMD_CS, 7, cmd_accept},
	{HCI_OP_REJECT_CONN_REQ, HCI_CMDBIT_REJECT_CONN_REQ, T_BREDR, CMD_CS, 7, cmd_reject},
	{HCI_OP_READ_REMOTE_FEATURES, HCI_CMDBIT_READ_REMOTE_FEATURES, T_BREDR, CMD_CS, 2, sim_cmd_read_remote},
	{HCI_OP_READ_REMOTE_EXT_FEATURES, HCI_CMDBIT_READ_REMOTE_EXT_FEATURES, T_BREDR, CMD_CS, 3,
	 sim_cmd_read_remote},
	{HCI_OP_WRITE_LOCAL_NAME, SIM_CMDBIT_WRITE_LOCAL_NAME, T_BREDR, CMD_CC, 248, cmd_write_simple},
	{HCI_OP_WRITE_PAGE_TIMEOUT, SIM_CMDBIT_WRITE_PAGE_TIMEOUT, T_BREDR, CMD_CC, 2, cmd_write_simple},
	{HCI_OP_WRITE_SCAN_ENABLE, HCI_CMDBIT_WRITE_SCAN_ENABLE, T_BREDR, CMD_CC, 1, cmd_write_scan_enable},
	{HCI_OP_WRITE_CLASS_OF_DEV, SIM_CMDBIT_WRITE_CLASS_OF_DEV, T_BREDR, CMD_CC, 3, cmd_write_simple},
	{HCI_OP_WRITE_SSP_MODE, HCI_CMDBIT_WRITE_SSP_MODE, T_BREDR, CMD_CC, 1, cmd_write_simple},
	{0, 0, 0, 0, 0, NULL},
};
