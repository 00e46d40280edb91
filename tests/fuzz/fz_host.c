/* The HCI host on a fake controller (see fz_host.h). */
#include <stdlib.h>
#include <string.h>

#include "base/hci_defs.h"
#include "tests/fuzz/fz.h"
#include "tests/fuzz/fz_host.h"

/* Answers wait here: the host must not be re-entered from ops->send. */
#define AQ 64
static struct {
	uint8_t b[260];
	size_t n;
} g_ans[AQ];
static int g_nans;

static void queue_evt(uint8_t code, const uint8_t *p, size_t n)
{
	if (g_nans == AQ || n > 255)
		return;
	g_ans[g_nans].b[0] = code;
	g_ans[g_nans].b[1] = (uint8_t)n;
	memcpy(g_ans[g_nans].b + 2, p, n);
	g_ans[g_nans].n = 2 + n;
	g_nans++;
}

static void complete(uint16_t op, const uint8_t *ret, size_t n)
{
	uint8_t p[258];
	p[0] = 1;
	put_le16(p + 1, op);
	memcpy(p + 3, ret, n);
	queue_evt(HCI_EV_CMD_COMPLETE, p, 3 + n);
}

static void answer(struct fz_host *f, const uint8_t *pkt, size_t len)
{
	uint16_t op = get_le16(pkt);
	uint8_t r[80] = {0};
	switch (op) {
	case HCI_OP_READ_LOCAL_VERSION: r[1] = 0x0C; complete(op, r, 9); break;
	case HCI_OP_READ_LOCAL_COMMANDS: memset(r + 1, 0xFF, 64); complete(op, r, 65); break;
	case HCI_OP_READ_LOCAL_FEATURES: r[5] = 0x40; complete(op, r, 9); break;
	case HCI_OP_READ_BD_ADDR: r[1] = 0xA0; complete(op, r, 7); break;
	case HCI_OP_READ_BUFFER_SIZE:
		put_le16(r + 1, f->acl_mtu);
		r[3] = 64;
		put_le16(r + 4, 4);
		complete(op, r, 8);
		break;
	case HCI_OP_LE_READ_BUFFER_SIZE_V2:
	case HCI_OP_LE_READ_BUFFER_SIZE:
		put_le16(r + 1, 27);
		r[3] = 4;
		complete(op, r, 7);
		break;
	case HCI_OP_LE_READ_LOCAL_FEATURES: complete(op, r, 9); break;
	case HCI_OP_DISCONNECT:
	case HCI_OP_CREATE_CONN:
	case HCI_OP_LE_CREATE_CONN:
	case HCI_OP_ACCEPT_CONN_REQ:
	case HCI_OP_LE_CONN_UPDATE: {
		uint8_t p[4] = {0, 1, (uint8_t)op, (uint8_t)(op >> 8)};
		queue_evt(HCI_EV_CMD_STATUS, p, 4);
		break;
	}
	default: complete(op, r, 1); break;
	}
}

static int o_send(void *user, uint8_t type, const uint8_t *pkt, size_t len)
{
	struct fz_host *f = user;
	FZ_ASSERT(len >= 3);
	if (type == HCI_H4_CMD) {
		f->cmds_sent++;
		FZ_ASSERT(len == 3 + (size_t)pkt[2]);
		if (f->answer)
			answer(f, pkt, len);
	} else if (type == HCI_H4_ACL) {
		FZ_ASSERT(len >= 4 && len == 4 + (size_t)get_le16(pkt + 2));
		FZ_ASSERT(get_le16(pkt + 2) <= f->acl_mtu || get_le16(pkt + 2) <= 27);
		f->acl_sent++;
		uint16_t h = HCI_ACL_HANDLE(get_le16(pkt));
		if (h < 16)
			f->inflight[h]++;
	}
	return 0;
}

static void o_ready(void *user, int err)
{
	struct fz_host *f = user;
	f->ready_called = true;
	f->ready_err = err;
}

static void o_link_up(void *user, const struct hci_link_info *li)
{
	((struct fz_host *)user)->links_up++;
}

static void o_link_down(void *user, uint16_t handle, uint8_t reason)
{
	((struct fz_host *)user)->links_down++;
}

static void o_acl_rx(void *user, uint16_t handle, const uint8_t *pdu, size_t len)
{
	struct fz_host *f = user;
	/* a reassembled PDU is whole: basic header present and its Length field matches */
	FZ_ASSERT(len >= 4);
	FZ_ASSERT(len == 4 + (size_t)get_le16(pdu));
	FZ_ASSERT(len <= f->max_rx_pdu);
	volatile uint8_t x = 0;
	for (size_t i = 0; i < len; i++)
		x ^= pdu[i];
	(void)x;
	f->pdus++;
}

static void o_event(void *user, const uint8_t *evt, size_t len)
{
	FZ_ASSERT(len >= 2 && len == 2 + (size_t)evt[1]);
	((struct fz_host *)user)->events_seen++;
}

/* Inquiry results: every EIR goes through the EIR parser; names are NUL terminated. */
static void o_inquiry_result(void *user, const struct hci_inq_result *r)
{
	(void)user;
	struct hci_eir e;
	FZ_ASSERT(!r->eir || r->eir_len == 240);
	if (r->eir && hci_eir_parse(r->eir, r->eir_len, &e) == 0)
		FZ_ASSERT(strlen(e.name) < sizeof(e.name) && e.n_uuids <= HCI_EIR_MAX_UUIDS);
}

static void o_remote_name(void *user, const hci_bdaddr_t *peer, int err, uint8_t status, const char *name)
{
	(void)user;
	(void)peer;
	(void)status;
	FZ_ASSERT(err ? !name : name && strlen(name) <= 248);
}

static const struct hci_host_ops fz_host_ops = {
    .inquiry_result = o_inquiry_result,
    .remote_name = o_remote_name,
    .send = o_send,
    .ready = o_ready,
    .link_up = o_link_up,
    .link_down = o_link_down,
    .acl_rx = o_acl_rx,
    .event = o_event,
};

bool fz_host_init(struct fz_host *f, uint32_t max_rx_pdu, uint16_t acl_mtu)
{
	memset(f, 0, sizeof(*f));
	g_nans = 0;
	struct hci_host_config cfg;
	hci_host_config_default(&cfg);
	if (max_rx_pdu)
		cfg.max_rx_pdu = max_rx_pdu;
	cfg.tx_queue_bytes = 4096;
	cfg.max_links = 8;
	f->max_rx_pdu = cfg.max_rx_pdu < 4 ? 4 : cfg.max_rx_pdu;
	f->acl_mtu = acl_mtu ? acl_mtu : 1021;
	f->h = hci_host_new(&cfg, &fz_host_ops, f);
	return f->h != NULL;
}

void fz_host_fini(struct fz_host *f)
{
	hci_host_free(f->h);
	f->h = NULL;
}

void fz_host_flush(struct fz_host *f)
{
	for (int round = 0; round < 64 && g_nans; round++) {
		int n = g_nans;
		uint8_t b[AQ][260];
		size_t len[AQ];
		for (int i = 0; i < n; i++) {
			memcpy(b[i], g_ans[i].b, g_ans[i].n);
			len[i] = g_ans[i].n;
		}
		g_nans = 0;
		for (int i = 0; i < n; i++)
			hci_host_input(f->h, HCI_H4_EVT, b[i], len[i]);
	}
	g_nans = 0;
}

void fz_host_start(struct fz_host *f, bool answer_cmds)
{
	f->answer = answer_cmds;
	hci_host_start(f->h);
	fz_host_flush(f);
}

void fz_host_event(struct fz_host *f, uint8_t code, const uint8_t *p, size_t n)
{
	uint8_t b[257];
	if (n > 255)
		n = 255;
	b[0] = code;
	b[1] = (uint8_t)n;
	memcpy(b + 2, p, n);
	hci_host_input(f->h, HCI_H4_EVT, b, 2 + n);
	fz_host_flush(f);
}

void fz_host_link(struct fz_host *f, uint16_t handle, bool le)
{
	uint8_t p[19] = {0};
	if (le) {
		p[0] = HCI_LE_CONN_COMPLETE;
		put_le16(p + 2, handle);
		p[6] = (uint8_t)handle;
		fz_host_event(f, HCI_EV_LE_META, p, 19);
	} else {
		put_le16(p + 1, handle);
		p[3] = (uint8_t)handle;
		p[9] = 0x01;
		fz_host_event(f, HCI_EV_CONN_COMPLETE, p, 11);
	}
}

void fz_host_complete_all(struct fz_host *f)
{
	uint8_t p[1 + 4 * 16];
	unsigned k = 0;
	for (uint16_t h = 0; h < 16; h++) {
		if (!f->inflight[h])
			continue;
		put_le16(p + 1 + 4 * k, h);
		put_le16(p + 3 + 4 * k, f->inflight[h]);
		f->inflight[h] = 0;
		k++;
	}
	if (!k)
		return;
	p[0] = (uint8_t)k;
	fz_host_event(f, HCI_EV_NUM_COMPLETED, p, 1 + 4 * k);
}
