/* BR/EDR device discovery: Inquiry (+ Cancel) and the inquiry results of every other BR/EDR
 * controller of the air with inquiry scan on, Write / Read Inquiry Mode, Write / Read Extended
 * Inquiry Response, Read Local Name, Read Scan Enable, and Remote Name Request (+ Cancel).
 * Core Specification Vol 4 Part E 7.1.1, 7.1.2, 7.1.19, 7.1.20, 7.3.12, 7.3.17, 7.3.49, 7.3.50,
 * 7.3.55, 7.3.56, 7.7.1, 7.7.2, 7.7.7, 7.7.33, 7.7.38.
 *
 * Timing (virtual air time): one new responder is heard every SIM_INQ_STEP_US from the start of
 * the inquiry, in the order the controllers joined the air; Inquiry Complete comes
 * Inquiry_Length x 1.28 s after the start, or right after the Num_Responses-th result.  Only the
 * General Inquiry Access Code is answered (no controller here scans for a dedicated IAC). */
#include <string.h>

#include "base/l2k_error.h"
#include "transport/sim/sim_int.h"

#define SIM_INQ_STEP_US 40000u	     /* one responder heard per 40 ms of inquiry */
#define SIM_INQ_UNIT_US 1280000ull   /* Inquiry_Length unit */
#define SIM_INQ_RSSI ((uint8_t)-45) /* RSSI reported for every responder, dBm */
#define SIM_GIAC 0x9E8B33u
#define SIM_IAC_MIN 0x9E8B00u
#define SIM_IAC_MAX 0x9E8B3Fu

void sim_inq_reset(struct sim_ctrl *c)
{
	memset(c->local_name, 0, sizeof(c->local_name));
	memset(c->eir, 0, sizeof(c->eir));
	c->eir_fec = 0;
	c->inq_mode = 0;
	c->inq_on = false;
	c->inq_max = c->inq_nseen = 0;
	c->name_on = false;
	c->tmr[CT_INQ] = c->tmr[CT_INQ_END] = c->tmr[CT_NAME] = SIM_NEVER;
}

static bool seen(const struct sim_ctrl *c, uint32_t id)
{
	for (unsigned i = 0; i < c->inq_nseen; i++)
		if (c->inq_seen[i] == id)
			return true;
	return false;
}

static bool eir_empty(const struct sim_ctrl *r)
{
	for (size_t i = 0; i < sizeof(r->eir); i++)
		if (r->eir[i])
			return false;
	return true;
}

static void inq_stop(struct sim_ctrl *c)
{
	c->inq_on = false;
	c->tmr[CT_INQ] = c->tmr[CT_INQ_END] = SIM_NEVER;
}

static void inq_complete(struct sim_ctrl *c, uint8_t status)
{
	inq_stop(c);
	sim_event(c, HCI_EV_INQUIRY_COMPLETE, &status, 1);
}

/* One inquiry result for responder r in the format of the inquirer's Inquiry_Mode. */
static void report(struct sim_ctrl *c, const struct sim_ctrl *r)
{
	uint8_t ev[255] = {0};
	ev[0] = 1; /* Num_Responses */
	sim_put_addr(ev + 1, &r->addr);
	ev[7] = 0x01; /* Page_Scan_Repetition_Mode R1 */
	if (c->inq_mode == 0) {
		/* Reserved(2) Class_Of_Device(3) Clock_Offset(2) */
		memcpy(ev + 10, r->cod, 3);
		sim_event(c, HCI_EV_INQUIRY_RESULT, ev, 15);
		return;
	}
	/* Reserved(1) Class_Of_Device(3) Clock_Offset(2) RSSI */
	memcpy(ev + 9, r->cod, 3);
	ev[14] = SIM_INQ_RSSI;
	if (c->inq_mode == 2 && !eir_empty(r)) {
		memcpy(ev + 15, r->eir, sizeof(r->eir));
		sim_event(c, HCI_EV_EXT_INQUIRY_RESULT, ev, 255);
		return;
	}
	sim_event(c, HCI_EV_INQUIRY_RESULT_RSSI, ev, 15);
}

void sim_inq_step(struct sim_ctrl *c)
{
	if (!c->inq_on)
		return;
	c->tmr[CT_INQ] = c->air->now + SIM_INQ_STEP_US;
	for (struct sim_ctrl *r = c->air->ctrls; r; r = r->next) {
		if (r == c || !sim_ctrl_is_bredr(r) || !(r->scan_enable & 0x01) || seen(c, r->id))
			continue;
		if (c->inq_nseen < SIM_INQ_SEEN_MAX)
			c->inq_seen[c->inq_nseen++] = r->id;
		report(c, r);
		if ((c->inq_max && c->inq_nseen >= c->inq_max) || c->inq_nseen >= SIM_INQ_SEEN_MAX)
			inq_complete(c, HCI_SUCCESS);
		return;
	}
}

void sim_inq_end(struct sim_ctrl *c)
{
	if (c->inq_on)
		inq_complete(c, HCI_SUCCESS);
}

static void cmd_inquiry(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* LAP(3) Inquiry_Length Num_Responses (7.1.1) */
	uint32_t lap = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
	if (lap < SIM_IAC_MIN || lap > SIM_IAC_MAX || p[3] < 0x01 || p[3] > 0x30) {
		sim_cmd_status(c, op, HCI_ERR_INVALID_PARAMS);
		return;
	}
	if (c->inq_on) {
		sim_cmd_status(c, op, HCI_ERR_COMMAND_DISALLOWED);
		return;
	}
	sim_cmd_status(c, op, HCI_SUCCESS);
	c->inq_on = true;
	c->inq_max = p[4];
	c->inq_nseen = 0;
	c->tmr[CT_INQ_END] = c->air->now + (uint64_t)p[3] * SIM_INQ_UNIT_US;
	/* only devices scanning for the GIAC answer a dedicated (limited) inquiry: none here */
	c->tmr[CT_INQ] = lap == SIM_GIAC ? c->air->now + SIM_INQ_STEP_US : SIM_NEVER;
}

static void cmd_inquiry_cancel(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* 7.1.2: no Inquiry Complete after a cancel */
	if (!c->inq_on) {
		sim_cc_status(c, op, HCI_ERR_COMMAND_DISALLOWED);
		return;
	}
	inq_stop(c);
	sim_cc_status(c, op, HCI_SUCCESS);
}

static void name_complete(struct sim_ctrl *c, uint8_t status, const uint8_t *name)
{
	/* Status BD_ADDR(6) Remote_Name(248) (7.7.7) */
	uint8_t ev[255] = {status};
	sim_put_addr(ev + 1, &c->name_peer);
	if (name)
		memcpy(ev + 7, name, 248);
	c->name_on = false;
	c->tmr[CT_NAME] = SIM_NEVER;
	sim_event(c, HCI_EV_REMOTE_NAME_COMPLETE, ev, sizeof(ev));
}

/* The peer answers a name request: it page scans, or a BR/EDR link to it is open. */
static struct sim_ctrl *name_target(struct sim_ctrl *c)
{
	struct sim_ctrl *t = sim_air_ctrl_by_addr(c->air, &c->name_peer);
	if (!t || t == c || !sim_ctrl_is_bredr(t))
		return NULL;
	if (t->scan_enable & 0x02)
		return t;
	for (struct sim_link *l = c->air->links; l; l = l->next) {
		int e = sim_link_end_of(l, c);
		if (e >= 0 && l->kind == SIM_LINK_BREDR && l->state == LS_OPEN && l->end[1 - e] == t && !l->cut)
			return t;
	}
	return NULL;
}

void sim_name_fire(struct sim_ctrl *c)
{
	if (!c->name_on)
		return;
	struct sim_ctrl *t = name_target(c);
	name_complete(c, t ? HCI_SUCCESS : HCI_ERR_PAGE_TIMEOUT, t ? t->local_name : NULL);
}

static void cmd_remote_name(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* BD_ADDR(6) Page_Scan_Repetition_Mode Reserved Clock_Offset(2) (7.1.19) */
	if (p[6] > 0x02) {
		sim_cmd_status(c, op, HCI_ERR_INVALID_PARAMS);
		return;
	}
	if (c->name_on) {
		sim_cmd_status(c, op, HCI_ERR_COMMAND_DISALLOWED);
		return;
	}
	sim_cmd_status(c, op, HCI_SUCCESS);
	c->name_on = true;
	sim_get_addr(&c->name_peer, p);
	c->tmr[CT_NAME] = c->air->now + (name_target(c) ? SIM_PAGE_LATENCY_US
							: (uint64_t)c->page_timeout * SIM_SLOT_US);
}

static void cmd_remote_name_cancel(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* BD_ADDR -> Status BD_ADDR; the request then completes with Unknown Connection
	 * Identifier (7.1.20) */
	hci_bdaddr_t a;
	sim_get_addr(&a, p);
	uint8_t r[7] = {HCI_SUCCESS};
	memcpy(r + 1, p, 6);
	bool ok = c->name_on && sim_addr_eq(&a, &c->name_peer);
	if (!ok)
		r[0] = HCI_ERR_INVALID_PARAMS;
	sim_cmd_complete(c, op, r, sizeof(r));
	if (ok)
		name_complete(c, HCI_ERR_UNKNOWN_CONN_ID, NULL);
}

static void cmd_write_inquiry_mode(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	if (p[0] > 2) {
		sim_cc_status(c, op, HCI_ERR_INVALID_PARAMS);
		return;
	}
	c->inq_mode = p[0];
	sim_cc_status(c, op, HCI_SUCCESS);
}

static void cmd_write_eir(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	/* FEC_Required Extended_Inquiry_Response(240) (7.3.56) */
	if (p[0] > 1) {
		sim_cc_status(c, op, HCI_ERR_INVALID_PARAMS);
		return;
	}
	c->eir_fec = p[0];
	memcpy(c->eir, p + 1, sizeof(c->eir));
	sim_cc_status(c, op, HCI_SUCCESS);
}

static void cmd_read(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	uint8_t r[1 + 1 + 248] = {HCI_SUCCESS};
	size_t len = 2;
	switch (op) {
	case HCI_OP_READ_LOCAL_NAME:
		memcpy(r + 1, c->local_name, 248);
		len = 249;
		break;
	case HCI_OP_READ_SCAN_ENABLE: r[1] = c->scan_enable; break;
	case HCI_OP_READ_INQUIRY_MODE: r[1] = c->inq_mode; break;
	case HCI_OP_READ_EXT_INQUIRY_RSP:
		r[1] = c->eir_fec;
		memcpy(r + 2, c->eir, sizeof(c->eir));
		len = 242;
		break;
	default: break;
	}
	sim_cmd_complete(c, op, r, len);
}

const struct sim_cmd sim_cmds_inquiry[] = {
	{HCI_OP_INQUIRY, HCI_CMDBIT_INQUIRY, T_BREDR, CMD_CS, 5, cmd_inquiry},
	{HCI_OP_INQUIRY_CANCEL, HCI_CMDBIT_INQUIRY_CANCEL, T_BREDR, CMD_CC, 0, cmd_inquiry_cancel},
	{HCI_OP_REMOTE_NAME_REQ, HCI_CMDBIT_REMOTE_NAME_REQ, T_BREDR, CMD_CS, 10, cmd_remote_name},
	{HCI_OP_REMOTE_NAME_REQ_CANCEL, HCI_CMDBIT_REMOTE_NAME_REQ_CANCEL, T_BREDR, CMD_CC, 6,
	 cmd_remote_name_cancel},
	{HCI_OP_READ_LOCAL_NAME, HCI_CMDBIT_READ_LOCAL_NAME, T_BREDR, CMD_CC, 0, cmd_read},
	{HCI_OP_READ_SCAN_ENABLE, HCI_CMDBIT_READ_SCAN_ENABLE, T_BREDR, CMD_CC, 0, cmd_read},
	{HCI_OP_READ_INQUIRY_MODE, HCI_CMDBIT_READ_INQUIRY_MODE, T_BREDR, CMD_CC, 0, cmd_read},
	{HCI_OP_WRITE_INQUIRY_MODE, HCI_CMDBIT_WRITE_INQUIRY_MODE, T_BREDR, CMD_CC, 1, cmd_write_inquiry_mode},
	{HCI_OP_READ_EXT_INQUIRY_RSP, HCI_CMDBIT_READ_EXT_INQUIRY_RSP, T_BREDR, CMD_CC, 0, cmd_read},
	{HCI_OP_WRITE_EXT_INQUIRY_RSP, HCI_CMDBIT_WRITE_EXT_INQUIRY_RSP, T_BREDR, CMD_CC, 241, cmd_write_eir},
	{0, 0, 0, 0, 0, NULL},
};
