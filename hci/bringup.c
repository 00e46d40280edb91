/* Controller bring-up (compare Vol 4 Part E 4.1 / Vol 6 Part D): Reset, identify, learn buffer
 * sizes, announce the host's buffers and turn controller-to-host flow control on, set event
 * masks, make BR/EDR connectable.  Every step after Read Local Supported Commands runs only if
 * the controller's bitmap says it has the command. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/l2k_error.h"
#include "hci/hci_internal.h"

#define HCI_HOST_ACL_LEN_MIN 1021

enum step {
	ST_RESET,
	ST_READ_VERSION,
	ST_VENDOR, /* vendor start-up (hci/vendor.c): its own commands */
	ST_READ_COMMANDS,
	ST_READ_FEATURES,
	ST_READ_BD_ADDR,
	ST_READ_BUFFER_SIZE,
	ST_LE_READ_BUFFER_SIZE,
	ST_LE_READ_FEATURES,
	ST_HOST_BUFFER_SIZE,
	ST_SET_CTRL_TO_HOST_FC,
	ST_SET_EVENT_MASK,
	ST_SET_EVENT_MASK_PAGE2,
	ST_LE_SET_EVENT_MASK,
	ST_WRITE_LE_HOST_SUPPORTED,
	ST_WRITE_SSP_MODE,
	ST_WRITE_SC_HOST_SUPPORT,
	ST_WRITE_SCAN_ENABLE,
	ST_DONE
};

static void bringup_next(struct hci_host *h);

static void bringup_fail(struct hci_host *h, int err)
{
	h->failed = true;
	h->bringup_step = -1;
	if (h->ops.ready)
		h->ops.ready(h->user, err);
}

static void mask_set(uint8_t m[8], unsigned bit)
{
	m[bit / 8u] |= (uint8_t)(1u << (bit % 8u));
}

static bool has(const struct hci_host *h, uint16_t bit)
{
	return hci_bit_test(h->info.commands, sizeof(h->info.commands), bit);
}

/* The controller may refuse the optional security steps: bring-up goes on without what they turn
 * on (the security manager then sees legacy pairing, P-192 keys or Encryption Change v1). */
static bool security_step_refused(struct hci_host *h, int step, int status)
{
	const char *what;
	switch (step) {
	case ST_SET_EVENT_MASK_PAGE2: what = "Set Event Mask Page 2 (Encryption Change v2)"; break;
	case ST_WRITE_SSP_MODE: what = "Write Simple Pairing Mode (Secure Simple Pairing)"; break;
	case ST_WRITE_SC_HOST_SUPPORT: what = "Write Secure Connections Host Support"; break;
	default: return false;
	}
	hci_report(h, L2K_ECTRL, "bring-up: controller answered %s with status 0x%02x: going on without it", what,
		   (unsigned)status);
	h->bringup_step++;
	bringup_next(h);
	return true;
}

/* The controller may refuse the optional flow-control steps: bring-up goes on without it. */
static bool flow_step_refused(struct hci_host *h, int step, int status)
{
	if (step != ST_HOST_BUFFER_SIZE && step != ST_SET_CTRL_TO_HOST_FC)
		return false;
	hci_report(h, L2K_ECTRL,
		   "bring-up: controller answered %s with status 0x%02x: going on without controller-to-host "
		   "flow control", step == ST_HOST_BUFFER_SIZE ? "Host Buffer Size" : "Set Controller To Host Flow Control",
		   (unsigned)status);
	if (step == ST_HOST_BUFFER_SIZE)
		h->info.host_acl_len = h->info.host_acl_count = 0; /* nothing announced */
	h->bringup_step = ST_SET_EVENT_MASK;
	bringup_next(h);
	return true;
}

static void on_step_done(void *arg, int status, const uint8_t *r, size_t n)
{
	struct hci_host *h = arg;
	int step = h->bringup_step;
	char nb[8];
	if (status < 0) { /* timeout or shutdown: cmdq already reported which opcode */
		bringup_fail(h, status);
		return;
	}
	if (status != HCI_SUCCESS && flow_step_refused(h, step, status))
		return;
	if (status != HCI_SUCCESS && security_step_refused(h, step, status))
		return;
	if (status != HCI_SUCCESS) {
		static const uint16_t ops[] = {
		    HCI_OP_RESET, HCI_OP_READ_LOCAL_VERSION, 0, HCI_OP_READ_LOCAL_COMMANDS,
		    HCI_OP_READ_LOCAL_FEATURES, HCI_OP_READ_BD_ADDR, HCI_OP_READ_BUFFER_SIZE,
		    HCI_OP_LE_READ_BUFFER_SIZE, HCI_OP_LE_READ_LOCAL_FEATURES, HCI_OP_HOST_BUFFER_SIZE,
		    HCI_OP_SET_CTRL_TO_HOST_FC, HCI_OP_SET_EVENT_MASK, HCI_OP_SET_EVENT_MASK_PAGE2,
		    HCI_OP_LE_SET_EVENT_MASK, HCI_OP_WRITE_LE_HOST_SUPPORTED, HCI_OP_WRITE_SSP_MODE,
		    HCI_OP_WRITE_SC_HOST_SUPPORT, HCI_OP_WRITE_SCAN_ENABLE};
		_Static_assert(sizeof(ops) / sizeof(ops[0]) == ST_DONE, "one opcode per step");
		uint16_t op = step >= 0 && step < ST_DONE ? ops[step] : 0;
		hci_report(h, L2K_ECTRL, "bring-up: controller answered %s (0x%04x) with status 0x%02x",
			   hci_opcode_name(op, nb), op, status);
		bringup_fail(h, L2K_ECTRL);
		return;
	}
	struct hci_controller_info *in = &h->info;
	switch (step) {
	case ST_READ_VERSION:
		/* HCI_Version HCI_Revision(2) LMP_Version Manufacturer(2) LMP_Subversion(2) */
		if (n < 8)
			goto short_ret;
		in->hci_version = r[0];
		in->hci_revision = get_le16(r + 1);
		in->lmp_version = r[3];
		in->manufacturer = get_le16(r + 4);
		in->lmp_subversion = get_le16(r + 6);
		break;
	case ST_READ_COMMANDS:
		if (n < 64)
			goto short_ret;
		memcpy(in->commands, r, 64);
		h->have_commands = true;
		break;
	case ST_READ_FEATURES:
		if (n < 8)
			goto short_ret;
		memcpy(in->features, r, 8);
		break;
	case ST_READ_BD_ADDR:
		if (n < 6)
			goto short_ret;
		memcpy(in->addr.b, r, 6);
		break;
	case ST_READ_BUFFER_SIZE:
		/* ACL_Data_Packet_Length(2) SCO_Len(1) Total_ACL(2) Total_SCO(2) */
		if (n < 7)
			goto short_ret;
		in->acl_mtu = get_le16(r);
		in->acl_count = get_le16(r + 3);
		break;
	case ST_LE_READ_BUFFER_SIZE:
		/* v1: LE_ACL_Data_Packet_Length(2) Total_Num_LE_ACL(1); v2 adds ISO len(2) num(1) */
		if (n < 3)
			goto short_ret;
		in->le_acl_mtu = get_le16(r);
		in->le_acl_count = r[2];
		if (n >= 6) {
			in->iso_mtu = get_le16(r + 3);
			in->iso_count = r[5];
		}
		/* A zero length means LE shares the BR/EDR buffers (Vol 4 Part E 7.8.2). */
		in->le_shared = in->le_acl_mtu == 0 || in->le_acl_count == 0;
		break;
	case ST_LE_READ_FEATURES:
		if (n < 8)
			goto short_ret;
		memcpy(in->le_features, r, 8);
		break;
	case ST_SET_CTRL_TO_HOST_FC:
		hci_rxflow_enable(h);
		break;
	case ST_SET_EVENT_MASK_PAGE2: in->enc_change_v2 = true; break;
	case ST_WRITE_SSP_MODE: in->ssp = true; break;
	case ST_WRITE_SC_HOST_SUPPORT: in->sc = true; break;
	default: break;
	}
	h->bringup_step++;
	bringup_next(h);
	return;
short_ret:
	hci_report(h, L2K_EBADMSG, "bring-up: return parameters of step %d too short (%zu bytes)",
		   step, n);
	bringup_fail(h, L2K_EBADMSG);
}

static int send_step(struct hci_host *h, uint16_t op, const uint8_t *p, size_t n)
{
	int r = hci_host_cmd(h, op, p, n, on_step_done, h);
	if (r < 0) {
		char nb[8];
		hci_report(h, r, "bring-up: cannot queue %s: %s", hci_opcode_name(op, nb), l2k_strerror(r));
		bringup_fail(h, r);
	}
	return r;
}

static void finish(struct hci_host *h)
{
	struct hci_controller_info *in = &h->info;
	h->pool_bredr.mtu = in->acl_mtu;
	h->pool_bredr.count = in->acl_count;
	h->pool_le.mtu = in->le_shared ? in->acl_mtu : in->le_acl_mtu;
	h->pool_le.count = in->le_shared ? in->acl_count : in->le_acl_count;
	uint16_t m = in->acl_mtu > h->pool_le.mtu ? in->acl_mtu : h->pool_le.mtu;
	if ((in->bredr && (in->acl_mtu == 0 || in->acl_count == 0)) ||
	    (in->le && (h->pool_le.mtu == 0 || h->pool_le.count == 0)) || m == 0) {
		hci_report(h, L2K_EPROTO,
			   "bring-up: controller reports no usable ACL buffers (BR/EDR %u x %u, LE %u x %u)",
			   in->acl_mtu, in->acl_count, in->le_acl_mtu, in->le_acl_count);
		bringup_fail(h, L2K_EPROTO);
		return;
	}
	h->frag = realloc(h->frag, (size_t)HCI_ACL_HDR + m);
	if (!h->frag) {
		bringup_fail(h, L2K_ENOMEM);
		return;
	}
	h->frag_cap = (size_t)HCI_ACL_HDR + m;
	h->bringup_step = INT_MAX;
	h->ready = true;
	if (h->ops.ready)
		h->ops.ready(h->user, 0);
}

static void bringup_next(struct hci_host *h)
{
	struct hci_controller_info *in = &h->info;
	for (;;) {
		switch (h->bringup_step) {
		case ST_RESET:
			send_step(h, HCI_OP_RESET, NULL, 0);
			return;
		case ST_READ_VERSION:
			send_step(h, HCI_OP_READ_LOCAL_VERSION, NULL, 0);
			return;
		case ST_VENDOR:
			if (hci_vendor_start(h))
				return; /* hci_bringup_vendor_done goes on */
			break;
		case ST_READ_COMMANDS:
			send_step(h, HCI_OP_READ_LOCAL_COMMANDS, NULL, 0);
			return;
		case ST_READ_FEATURES:
			if (has(h, HCI_CMDBIT_READ_LOCAL_FEATURES)) {
				send_step(h, HCI_OP_READ_LOCAL_FEATURES, NULL, 0);
				return;
			}
			break;
		case ST_READ_BD_ADDR:
			/* With the features known, decide which transports the controller has. */
			in->le = hci_bit_test(in->features, 8, HCI_FEAT_LE_SUPPORTED_CTRL);
			in->bredr = !hci_bit_test(in->features, 8, HCI_FEAT_BREDR_NOT_SUPPORTED);
			if (has(h, HCI_CMDBIT_READ_BD_ADDR)) {
				send_step(h, HCI_OP_READ_BD_ADDR, NULL, 0);
				return;
			}
			break;
		case ST_READ_BUFFER_SIZE:
			if (has(h, HCI_CMDBIT_READ_BUFFER_SIZE)) {
				send_step(h, HCI_OP_READ_BUFFER_SIZE, NULL, 0);
				return;
			}
			break;
		case ST_LE_READ_BUFFER_SIZE:
			if (in->le && has(h, HCI_CMDBIT_LE_READ_BUFFER_SIZE_V2)) {
				send_step(h, HCI_OP_LE_READ_BUFFER_SIZE_V2, NULL, 0);
				return;
			}
			if (in->le && has(h, HCI_CMDBIT_LE_READ_BUFFER_SIZE)) {
				send_step(h, HCI_OP_LE_READ_BUFFER_SIZE, NULL, 0);
				return;
			}
			in->le_shared = true;
			break;
		case ST_LE_READ_FEATURES:
			if (in->le && has(h, HCI_CMDBIT_LE_READ_LOCAL_FEATURES)) {
				send_step(h, HCI_OP_LE_READ_LOCAL_FEATURES, NULL, 0);
				return;
			}
			break;
		case ST_HOST_BUFFER_SIZE:
			/* Controller-to-host flow control needs all three commands (Vol 4 Part E 4.2):
			 * announce the host's buffers, then turn it on for ACL (7.3.39, 7.3.38). */
			in->ctrl_flow_supported = has(h, HCI_CMDBIT_HOST_BUFFER_SIZE) &&
						  has(h, HCI_CMDBIT_SET_CTRL_TO_HOST_FC) &&
						  has(h, HCI_CMDBIT_HOST_NUM_COMPLETED);
			if (h->cfg.ctrl_flow && in->ctrl_flow_supported) {
				/* Reassembly takes pieces of any size, so the length is free: at least
				 * the largest BR/EDR air packet (3-DH5, 1021 octets, more than any LE
				 * one), so that the controller need not cut what it received for us,
				 * and no less than its own buffers. */
				uint16_t len = in->acl_mtu > HCI_HOST_ACL_LEN_MIN ? in->acl_mtu : HCI_HOST_ACL_LEN_MIN;
				if (in->le && !in->le_shared && in->le_acl_mtu > len)
					len = in->le_acl_mtu;
				in->host_acl_len = len;
				in->host_acl_count = h->cfg.host_acl_count;
				/* ACL length(2) SCO length(1) ACL packets(2) SCO packets(2): no SCO */
				uint8_t p[7] = {0};
				put_le16(p, len);
				put_le16(p + 3, in->host_acl_count);
				send_step(h, HCI_OP_HOST_BUFFER_SIZE, p, sizeof(p));
				return;
			}
			h->bringup_step = ST_SET_EVENT_MASK;
			continue;
		case ST_SET_CTRL_TO_HOST_FC: {
			uint8_t on = 0x01; /* ACL on, synchronous off */
			send_step(h, HCI_OP_SET_CTRL_TO_HOST_FC, &on, 1);
			return;
		}
		case ST_SET_EVENT_MASK:
			if (has(h, HCI_CMDBIT_SET_EVENT_MASK)) {
				/* The default mask (bits 0-44: Authentication Complete, Encryption
				 * Change, PIN Code Request, Link Key Request / Notification among
				 * them), Encryption Key Refresh Complete (bit 47), the Simple Pairing
				 * events when it is turned on (IO Capability Request / Response, User
				 * Confirmation / Passkey Request, Remote OOB Data Request, Simple
				 * Pairing Complete: bits 48-53; User Passkey Notification: bit 58) and
				 * LE Meta (bit 61) when LE is in use (Vol 4 Part E 7.3.1).  Bit n is
				 * the event of code n + 1. */
				static const uint8_t sec[] = {HCI_EV_AUTH_COMPLETE, HCI_EV_ENCRYPT_CHANGE,
							      HCI_EV_PIN_CODE_REQUEST, HCI_EV_LINK_KEY_REQUEST,
							      HCI_EV_LINK_KEY_NOTIFICATION, HCI_EV_ENCRYPT_KEY_REFRESH};
				static const uint8_t ssp[] = {HCI_EV_IO_CAP_REQUEST,	   HCI_EV_IO_CAP_RESPONSE,
							      HCI_EV_USER_CONFIRM_REQUEST, HCI_EV_USER_PASSKEY_REQUEST,
							      HCI_EV_REMOTE_OOB_REQUEST,   HCI_EV_SIMPLE_PAIRING_COMPLETE,
							      HCI_EV_USER_PASSKEY_NOTIFICATION};
				uint8_t m[8] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0x00, 0x00};
				for (size_t i = 0; i < sizeof(sec); i++)
					mask_set(m, HCI_EVMASK_BIT(sec[i]));
				if (in->bredr && h->cfg.ssp && has(h, HCI_CMDBIT_WRITE_SSP_MODE))
					for (size_t i = 0; i < sizeof(ssp); i++)
						mask_set(m, HCI_EVMASK_BIT(ssp[i]));
				if (in->le)
					m[7] |= 0x20;
				/* Extended Inquiry Result (bit 46) for hci_host_inquiry */
				if (in->bredr)
					mask_set(m, HCI_EVMASK_BIT(HCI_EV_EXT_INQUIRY_RESULT));
				send_step(h, HCI_OP_SET_EVENT_MASK, m, 8);
				return;
			}
			break;
		case ST_SET_EVENT_MASK_PAGE2:
			if (has(h, HCI_CMDBIT_SET_EVENT_MASK_PAGE2)) {
				/* Encryption Change [v2] (bit 25, Vol 4 Part E 7.3.69): it carries the
				 * key size, which v1 leaves to Read Encryption Key Size.  It replaces
				 * v1 on every link, BR/EDR and LE. */
				uint8_t m[8] = {0};
				mask_set(m, HCI_EVMASK2_BIT(HCI_EV_ENCRYPT_CHANGE_V2));
				send_step(h, HCI_OP_SET_EVENT_MASK_PAGE2, m, 8);
				return;
			}
			break;
		case ST_LE_SET_EVENT_MASK:
			if (in->le && has(h, HCI_CMDBIT_LE_SET_EVENT_MASK)) {
				/* Connection Complete, Advertising Report, Connection Update Complete,
				 * Read Remote Features Complete, LTK Request, Remote Connection
				 * Parameter Request, Data Length Change (Vol 4 Part E 7.8.1) */
				uint8_t m[8] = {0x7F, 0, 0, 0, 0, 0, 0, 0};
				send_step(h, HCI_OP_LE_SET_EVENT_MASK, m, 8);
				return;
			}
			break;
		case ST_WRITE_LE_HOST_SUPPORTED:
			if (in->le && in->bredr && has(h, HCI_CMDBIT_WRITE_LE_HOST_SUPPORTED)) {
				uint8_t p[2] = {0x01, 0x00}; /* LE_Supported_Host, Unused */
				send_step(h, HCI_OP_WRITE_LE_HOST_SUPPORTED, p, 2);
				return;
			}
			break;
		case ST_WRITE_SSP_MODE:
			/* Secure Simple Pairing (7.3.59): before page scanning starts */
			if (in->bredr && h->cfg.ssp && has(h, HCI_CMDBIT_WRITE_SSP_MODE)) {
				uint8_t on = 0x01;
				send_step(h, HCI_OP_WRITE_SSP_MODE, &on, 1);
				return;
			}
			break;
		case ST_WRITE_SC_HOST_SUPPORT:
			/* Secure Connections host support (7.3.92) needs Simple Pairing, and the
			 * controller refuses it while page scanning: so before Write Scan Enable */
			if (in->bredr && in->ssp && h->cfg.sc && has(h, HCI_CMDBIT_WRITE_SC_HOST_SUPPORT)) {
				uint8_t on = 0x01;
				send_step(h, HCI_OP_WRITE_SC_HOST_SUPPORT, &on, 1);
				return;
			}
			break;
		case ST_WRITE_SCAN_ENABLE:
			if (in->bredr && h->cfg.page_scan && has(h, HCI_CMDBIT_WRITE_SCAN_ENABLE)) {
				uint8_t v = 0x02; /* page scan */
				h->scan_page = true;
				send_step(h, HCI_OP_WRITE_SCAN_ENABLE, &v, 1);
				return;
			}
			break;
		case ST_DONE:
			finish(h);
			return;
		default:
			return;
		}
		h->bringup_step++;
	}
}

void hci_bringup_vendor_done(struct hci_host *h, int err)
{
	if (h->bringup_step != ST_VENDOR)
		return;
	if (err < 0) {
		bringup_fail(h, err);
		return;
	}
	h->bringup_step = ST_READ_COMMANDS;
	bringup_next(h);
}

int hci_host_start(struct hci_host *h)
{
	if (h->bringup_step >= 0 && !h->ready)
		return L2K_EALREADY;
	if (h->ready)
		return L2K_EISCONN;
	if (h->dead)
		return L2K_ENETDOWN;
	h->failed = false;
	h->wd.rx_last = h->now;
	h->have_commands = false;
	h->c2h = false;
	h->scan_page = h->scan_inquiry = h->inq_on = h->name_on = false;
	memset(&h->info, 0, sizeof(h->info));
	h->bringup_step = ST_RESET;
	bringup_next(h);
	return h->failed ? L2K_EIO : 0;
}
