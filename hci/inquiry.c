/* BR/EDR device discovery on the host side: Inquiry (+ Cancel), the three inquiry result
 * events, Extended Inquiry Response data, Remote Name Request, discoverable (inquiry scan) and
 * the local name.  Core Specification Vol 4 Part E 7.1.1, 7.1.2, 7.1.19, 7.3.11, 7.3.12,
 * 7.3.50, 7.3.56, 7.7.1, 7.7.2, 7.7.7, 7.7.33, 7.7.38; EIR format Vol 3 Part C 8 and the
 * Core Specification Supplement Part A 1.1-1.5. */
#include <string.h>

#include "base/bytes.h"
#include "base/l2k_error.h"
#include "hci/hci_internal.h"

#define GIAC 0x9E8B33u
/* How long past its own limit the host waits for Inquiry Complete: the Inquiry_Length x 1.28 s
 * the controller must keep to, plus this. */
#define INQ_GRACE_MS 10000u
/* How long the host waits for Remote Name Request Complete: the longest Page_Timeout (0xFFFF
 * slots, 40.96 s) and the name's LMP exchange. */
#define NAME_WAIT_MS 60000u
#define INQ_RESULT_LEN 14 /* one response of Inquiry Result / with RSSI, without Num_Responses */

/* ---- parsers (pure: no host) ------------------------------------------------------------- */

int hci_inquiry_parse(uint8_t code, const uint8_t *p, size_t n, hci_inq_result_fn fn, void *arg)
{
	size_t per;
	if (code == HCI_EV_INQUIRY_RESULT || code == HCI_EV_INQUIRY_RESULT_RSSI)
		per = INQ_RESULT_LEN;
	else if (code == HCI_EV_EXT_INQUIRY_RESULT)
		per = INQ_RESULT_LEN + 240;
	else
		return L2K_EINVAL;
	if (n < 1)
		return L2K_EBADMSG;
	unsigned num = p[0];
	/* Extended Inquiry Result has Num_Responses 1 (7.7.38); the others carry Num_Responses
	 * responses of 14 octets each, one after the other (as controllers send them):
	 * BD_ADDR(6) Page_Scan_Repetition_Mode, then Reserved(2) Class_Of_Device(3)
	 * Clock_Offset(2) (7.7.2), or Reserved Class_Of_Device(3) Clock_Offset(2) RSSI (7.7.33,
	 * 7.7.38, the latter followed by Extended_Inquiry_Response(240)) */
	if (num == 0 || (code == HCI_EV_EXT_INQUIRY_RESULT && num != 1) || n < 1 + (size_t)num * per)
		return L2K_EBADMSG;
	for (unsigned i = 0; i < num; i++) {
		struct hci_inq_result r;
		memset(&r, 0, sizeof(r));
		const uint8_t *q = p + 1 + (size_t)i * per;
		memcpy(r.addr.b, q, 6);
		r.psrm = q[6];
		if (code == HCI_EV_INQUIRY_RESULT) {
			memcpy(r.cod, q + 9, 3);
			r.clock_offset = get_le16(q + 12);
		} else {
			memcpy(r.cod, q + 8, 3);
			r.clock_offset = get_le16(q + 11);
			r.has_rssi = true;
			r.rssi = (int8_t)q[13];
			if (code == HCI_EV_EXT_INQUIRY_RESULT) {
				r.eir = q + 14;
				r.eir_len = 240;
			}
		}
		if (fn)
			fn(arg, &r);
	}
	return (int)num;
}

static void add_uuid(struct hci_eir *e, const uint8_t *v, unsigned size)
{
	if (e->n_uuids >= HCI_EIR_MAX_UUIDS) {
		e->uuids_dropped++;
		return;
	}
	struct hci_uuid *u = &e->uuids[e->n_uuids++];
	u->size = (uint8_t)size;
	memcpy(u->b, v, size);
}

int hci_eir_parse(const uint8_t *d, size_t n, struct hci_eir *e)
{
	memset(e, 0, sizeof(*e));
	size_t off = 0;
	while (off < n) {
		uint8_t len = d[off];
		if (len == 0)
			break; /* the rest is the non-significant part */
		if (n - off - 1 < len)
			return L2K_EBADMSG; /* the field runs past the data */
		uint8_t type = d[off + 1];
		const uint8_t *v = d + off + 2;
		size_t vl = len - 1u;
		switch (type) {
		case 0x01: /* Flags */
			if (vl >= 1) {
				e->has_flags = true;
				e->flags = v[0];
			}
			break;
		case 0x02: case 0x03: /* 16-bit Service Class UUIDs, incomplete / complete */
		case 0x04: case 0x05: /* 32-bit */
		case 0x06: case 0x07: { /* 128-bit */
			unsigned size = type <= 0x03 ? 2 : type <= 0x05 ? 4 : 16;
			if (vl % size)
				return L2K_EBADMSG;
			for (size_t i = 0; i < vl; i += size)
				add_uuid(e, v + i, size);
			if (type & 1)
				e->uuids_complete |= (uint8_t)size; /* bit per size: 2, 4, 16 */
			break;
		}
		case 0x08: /* Shortened Local Name */
		case 0x09: /* Complete Local Name */
			if (type == 0x09 || !e->name_complete) {
				size_t k = vl < sizeof(e->name) - 1 ? vl : sizeof(e->name) - 1;
				memcpy(e->name, v, k);
				e->name[k] = 0;
				e->has_name = true;
				e->name_complete = type == 0x09;
			}
			break;
		case 0x0A: /* TX Power Level */
			if (vl >= 1) {
				e->has_tx_power = true;
				e->tx_power = (int8_t)v[0];
			}
			break;
		default: break;
		}
		off += 1u + len;
	}
	return 0;
}

/* ---- host ---------------------------------------------------------------------------------- */

static void inquiry_started(void *arg, int status, const uint8_t *ret, size_t len)
{
	struct hci_host *h = arg;
	(void)ret;
	(void)len;
	if (status == HCI_SUCCESS)
		return;
	h->inq_on = false;
	if (h->ops.inquiry_complete)
		h->ops.inquiry_complete(h->user, status < 0 ? status : L2K_EIO, status > 0 ? (uint8_t)status : 0);
}

int hci_host_inquiry(struct hci_host *h, uint8_t length, uint8_t max_responses)
{
	if (!h->info.bredr)
		return L2K_ENOTSUP;
	if (length < 1 || length > 0x30)
		return L2K_EINVAL;
	if (h->inq_on)
		return L2K_EALREADY;
	int r;
	/* results with RSSI, and EIR data when the peer has some (7.3.50) */
	if (hci_host_cmd_supported(h, HCI_OP_WRITE_INQUIRY_MODE)) {
		uint8_t mode = 0x02;
		if ((r = hci_host_cmd(h, HCI_OP_WRITE_INQUIRY_MODE, &mode, 1, NULL, NULL)) < 0)
			return r;
	}
	uint8_t p[5] = {(uint8_t)GIAC, (uint8_t)(GIAC >> 8), (uint8_t)(GIAC >> 16), length, max_responses};
	if ((r = hci_host_cmd(h, HCI_OP_INQUIRY, p, 5, inquiry_started, h)) < 0)
		return r;
	h->inq_on = true;
	h->inq_deadline = h->now + (uint64_t)length * 1280u + INQ_GRACE_MS;
	return 0;
}

int hci_host_inquiry_cancel(struct hci_host *h)
{
	if (!h->inq_on)
		return L2K_ENOENT;
	int r = hci_host_cmd(h, HCI_OP_INQUIRY_CANCEL, NULL, 0, NULL, NULL);
	if (r == 0)
		h->inq_on = false; /* no Inquiry Complete follows a cancel (7.1.2) */
	return r;
}

bool hci_host_inquiring(const struct hci_host *h)
{
	return h->inq_on;
}

static void name_started(void *arg, int status, const uint8_t *ret, size_t len)
{
	struct hci_host *h = arg;
	(void)ret;
	(void)len;
	if (status == HCI_SUCCESS || !h->name_on)
		return;
	h->name_on = false;
	if (h->ops.remote_name)
		h->ops.remote_name(h->user, &h->name_peer, status < 0 ? status : L2K_EIO,
				   status > 0 ? (uint8_t)status : 0, NULL);
}

int hci_host_remote_name(struct hci_host *h, const hci_bdaddr_t *peer)
{
	if (!h->info.bredr)
		return L2K_ENOTSUP;
	if (h->name_on)
		return L2K_EBUSY;
	/* BD_ADDR Page_Scan_Repetition_Mode (R2: the slowest, always answered) Reserved
	 * Clock_Offset (unknown: 0) */
	uint8_t p[10] = {0};
	memcpy(p, peer->b, 6);
	p[6] = 0x02;
	int r = hci_host_cmd(h, HCI_OP_REMOTE_NAME_REQ, p, 10, name_started, h);
	if (r == 0) {
		h->name_on = true;
		h->name_peer = *peer;
		h->name_deadline = h->now + NAME_WAIT_MS;
	}
	return r;
}

void hci_inquiry_tick(struct hci_host *h)
{
	if (h->inq_on && h->now >= h->inq_deadline) {
		/* Inquiry Complete is overdue: stop the controller's inquiry if it still runs (its
		 * answer does not matter) and end ours */
		h->inq_on = false;
		(void)hci_host_cmd(h, HCI_OP_INQUIRY_CANCEL, NULL, 0, NULL, NULL);
		if (h->ops.inquiry_complete)
			h->ops.inquiry_complete(h->user, L2K_ETIMEDOUT, 0);
	}
	if (h->name_on && h->now >= h->name_deadline) {
		h->name_on = false;
		hci_bdaddr_t peer = h->name_peer;
		(void)hci_host_cmd(h, HCI_OP_REMOTE_NAME_REQ_CANCEL, peer.b, 6, NULL, NULL);
		if (h->ops.remote_name)
			h->ops.remote_name(h->user, &peer, L2K_ETIMEDOUT, 0, NULL);
	}
}

uint64_t hci_inquiry_next(const struct hci_host *h)
{
	uint64_t t = UINT64_MAX;
	if (h->inq_on)
		t = h->inq_deadline;
	if (h->name_on && h->name_deadline < t)
		t = h->name_deadline;
	return t;
}

static int write_scan(struct hci_host *h)
{
	uint8_t v = (uint8_t)((h->scan_page ? 0x02 : 0) | (h->scan_inquiry ? 0x01 : 0));
	return hci_host_cmd(h, HCI_OP_WRITE_SCAN_ENABLE, &v, 1, NULL, NULL);
}

int hci_host_set_connectable(struct hci_host *h, bool page_scan)
{
	h->scan_page = page_scan;
	return write_scan(h);
}

int hci_host_set_discoverable(struct hci_host *h, bool inquiry_scan)
{
	if (!h->info.bredr)
		return L2K_ENOTSUP;
	h->scan_inquiry = inquiry_scan;
	return write_scan(h);
}

uint8_t hci_host_scan_enable(const struct hci_host *h)
{
	return (uint8_t)((h->scan_page ? 0x02 : 0) | (h->scan_inquiry ? 0x01 : 0));
}

int hci_host_set_local_name(struct hci_host *h, const char *name)
{
	if (!h->info.bredr)
		return L2K_ENOTSUP;
	size_t len = strlen(name);
	if (len > 248)
		return L2K_EMSGSIZE;
	uint8_t p[248] = {0};
	memcpy(p, name, len);
	int r = hci_host_cmd(h, HCI_OP_WRITE_LOCAL_NAME, p, sizeof(p), NULL, NULL);
	if (r < 0 || !hci_host_cmd_supported(h, HCI_OP_WRITE_EXT_INQUIRY_RSP))
		return r;
	/* EIR: the name, shortened to what fits in 240 octets (FEC not required) */
	uint8_t eir[241] = {0};
	size_t k = len > 238 ? 238 : len;
	if (k) {
		eir[1] = (uint8_t)(k + 1);
		eir[2] = k == len ? 0x09 : 0x08;
		memcpy(eir + 3, name, k);
	}
	return hci_host_cmd(h, HCI_OP_WRITE_EXT_INQUIRY_RSP, eir, sizeof(eir), NULL, NULL);
}

/* Inquiry Complete, the result events, Remote Name Request Complete (lengths checked by the
 * caller with hci_inquiry_event_fits). */
static void result_cb(void *arg, const struct hci_inq_result *r)
{
	struct hci_host *h = arg;
	if (h->ops.inquiry_result)
		h->ops.inquiry_result(h->user, r);
}

void hci_inquiry_event(struct hci_host *h, uint8_t code, const uint8_t *p, size_t n)
{
	switch (code) {
	case HCI_EV_INQUIRY_COMPLETE:
		if (!h->inq_on)
			return; /* cancelled (a controller may still say it), or not ours */
		h->inq_on = false;
		if (h->ops.inquiry_complete)
			h->ops.inquiry_complete(h->user, p[0] ? L2K_EIO : 0, p[0]);
		return;
	case HCI_EV_INQUIRY_RESULT:
	case HCI_EV_INQUIRY_RESULT_RSSI:
	case HCI_EV_EXT_INQUIRY_RESULT:
		hci_inquiry_parse(code, p, n, result_cb, h);
		return;
	case HCI_EV_REMOTE_NAME_COMPLETE: {
		hci_bdaddr_t a;
		memcpy(a.b, p + 1, 6);
		if (!h->name_on || memcmp(a.b, h->name_peer.b, 6))
			return;
		h->name_on = false;
		char name[249];
		memcpy(name, p + 7, 248);
		name[248] = 0;
		if (h->ops.remote_name)
			h->ops.remote_name(h->user, &a, p[0] ? L2K_EIO : 0, p[0], p[0] ? NULL : name);
		return;
	}
	default: return;
	}
}

bool hci_inquiry_event_fits(uint8_t code, const uint8_t *p, size_t n)
{
	switch (code) {
	case HCI_EV_INQUIRY_COMPLETE: return n >= 1;
	case HCI_EV_REMOTE_NAME_COMPLETE: return n >= 1 + 6 + 248;
	case HCI_EV_INQUIRY_RESULT:
	case HCI_EV_INQUIRY_RESULT_RSSI:
	case HCI_EV_EXT_INQUIRY_RESULT: return hci_inquiry_parse(code, p, n, NULL, NULL) > 0;
	default: return true;
	}
}
