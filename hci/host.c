/* HCI host: lifetime, event dispatch, link management (Vol 4 Part E 7.1 and 7.7). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/l2k_error.h"
#include "hci/hci_internal.h"

void hci_host_config_default(struct hci_host_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_rx_pdu = 4 + 65535;
	cfg->tx_queue_bytes = 16 * 1024;
	cfg->cmd_timeout_ms = 5000;
	cfg->acl_tx_timeout_ms = HCI_ACL_TX_TIMEOUT_DEFAULT;
	cfg->max_links = 64;
	cfg->page_scan = true;
	cfg->auto_accept = true;
	cfg->ctrl_flow = true;
	cfg->host_acl_count = 32;
	cfg->ssp = true;
	cfg->sc = true;
	cfg->vendor_init = true;
}

struct hci_host *hci_host_new(const struct hci_host_config *cfg, const struct hci_host_ops *ops,
			      void *user)
{
	struct hci_host *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	if (cfg)
		h->cfg = *cfg;
	else
		hci_host_config_default(&h->cfg);
	if (h->cfg.max_rx_pdu < 4)
		h->cfg.max_rx_pdu = 4;
	if (h->cfg.max_rx_pdu > 4 + 65535)
		h->cfg.max_rx_pdu = 4 + 65535;
	if (h->cfg.max_links == 0 || h->cfg.max_links > 1024)
		h->cfg.max_links = 64;
	if (h->cfg.cmd_timeout_ms == 0)
		h->cfg.cmd_timeout_ms = 5000;
	if (h->cfg.acl_tx_timeout_ms == 0)
		h->cfg.acl_tx_timeout_ms = HCI_ACL_TX_TIMEOUT_DEFAULT;
	if (h->cfg.host_acl_count == 0)
		h->cfg.host_acl_count = 32;
	h->ops = *ops;
	h->user = user;
	h->links = calloc(h->cfg.max_links, sizeof(*h->links));
	if (!h->links) {
		free(h);
		return NULL;
	}
	memset(h->handle_map, 0xFF, sizeof(h->handle_map)); /* all -1: no link */
	h->cmd_credits = 1;
	h->bringup_step = -1;
	return h;
}

void hci_host_free(struct hci_host *h)
{
	if (!h)
		return;
	hci_vendor_stop(h);
	hci_cmdq_flush(h, L2K_ESHUTDOWN);
	for (unsigned i = 0; i < h->cfg.max_links; i++)
		if (h->links[i].used)
			hci_acl_link_release(h, &h->links[i]);
	free(h->links);
	free(h->frag);
	free(h->c2h_buf);
	free(h);
}

void hci_host_set_now(struct hci_host *h, uint64_t now_ms)
{
	if (now_ms > h->now)
		h->now = now_ms;
}

void hci_host_tick(struct hci_host *h, uint64_t now_ms)
{
	hci_host_set_now(h, now_ms);
	hci_cmdq_tick(h);
	hci_rxflow_tick(h);
	hci_watchdog_tick(h);
	hci_inquiry_tick(h);
	hci_vendor_tick(h);
}

uint64_t hci_host_next_timer(const struct hci_host *h)
{
	uint64_t t = hci_cmdq_next_deadline(h), f = hci_rxflow_next(h), w = hci_watchdog_next(h);
	uint64_t q = hci_inquiry_next(h), v = hci_vendor_next(h);
	if (f < t)
		t = f;
	if (q < t)
		t = q;
	if (v < t)
		t = v;
	return w < t ? w : t;
}

bool hci_host_is_ready(const struct hci_host *h)
{
	return h->ready;
}

const struct hci_controller_info *hci_host_info(const struct hci_host *h)
{
	return &h->info;
}

const struct hci_host_stats *hci_host_stats(const struct hci_host *h)
{
	return &h->stats;
}

int hci_host_link_stats(const struct hci_host *h, uint16_t handle, struct hci_link_stats *out)
{
	const struct hci_link *l = hci_link_by_handle(h, handle);
	if (!l && h->gone_valid && h->gone_handle == handle) {
		*out = h->gone_st; /* going down now */
		return 0;
	}
	if (!l)
		return L2K_ENOLINK;
	*out = l->st;
	return 0;
}

void hci_report(struct hci_host *h, int err, const char *fmt, ...)
{
	if (!h->ops.error)
		return;
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	h->ops.error(h->user, err, msg);
}

int hci_send_packet(struct hci_host *h, uint8_t type, const uint8_t *pkt, size_t len)
{
	if (h->dead)
		return L2K_ENETDOWN; /* the controller stopped responding: nothing more goes to it */
	if (h->ops.tap)
		h->ops.tap(h->user, false, type, pkt, len);
	int r = h->ops.send(h->user, type, pkt, len);
	if (r < 0)
		hci_report(h, r, "transport refused a packet of %zu bytes: %s", len, l2k_strerror(r));
	return r;
}

bool hci_host_cmd_supported(const struct hci_host *h, uint16_t opcode)
{
	if (!h->have_commands)
		return true;
	/* Opcodes the bitmap does not describe (vendor) and the ones every controller has. */
	uint16_t bit;
	switch (opcode) {
	case HCI_OP_READ_LOCAL_COMMANDS:
	case HCI_OP_READ_LOCAL_VERSION:
		return true;
	case HCI_OP_CREATE_CONN: bit = HCI_CMDBIT_CREATE_CONN; break;
	case HCI_OP_DISCONNECT: bit = HCI_CMDBIT_DISCONNECT; break;
	case HCI_OP_CREATE_CONN_CANCEL: bit = HCI_CMDBIT_CREATE_CONN_CANCEL; break;
	case HCI_OP_ACCEPT_CONN_REQ: bit = HCI_CMDBIT_ACCEPT_CONN_REQ; break;
	case HCI_OP_REJECT_CONN_REQ: bit = HCI_CMDBIT_REJECT_CONN_REQ; break;
	case HCI_OP_READ_REMOTE_FEATURES: bit = HCI_CMDBIT_READ_REMOTE_FEATURES; break;
	case HCI_OP_READ_REMOTE_VERSION: bit = HCI_CMDBIT_READ_REMOTE_VERSION; break;
	case HCI_OP_SET_EVENT_MASK: bit = HCI_CMDBIT_SET_EVENT_MASK; break;
	case HCI_OP_RESET: bit = HCI_CMDBIT_RESET; break;
	case HCI_OP_WRITE_SCAN_ENABLE: bit = HCI_CMDBIT_WRITE_SCAN_ENABLE; break;
	case HCI_OP_SET_CTRL_TO_HOST_FC: bit = HCI_CMDBIT_SET_CTRL_TO_HOST_FC; break;
	case HCI_OP_HOST_BUFFER_SIZE: bit = HCI_CMDBIT_HOST_BUFFER_SIZE; break;
	case HCI_OP_HOST_NUM_COMPLETED: bit = HCI_CMDBIT_HOST_NUM_COMPLETED; break;
	case HCI_OP_READ_LOCAL_FEATURES: bit = HCI_CMDBIT_READ_LOCAL_FEATURES; break;
	case HCI_OP_READ_LOCAL_EXT_FEATURES: bit = HCI_CMDBIT_READ_LOCAL_EXT_FEATURES; break;
	case HCI_OP_READ_BUFFER_SIZE: bit = HCI_CMDBIT_READ_BUFFER_SIZE; break;
	case HCI_OP_READ_BD_ADDR: bit = HCI_CMDBIT_READ_BD_ADDR; break;
	case HCI_OP_SET_EVENT_MASK_PAGE2: bit = HCI_CMDBIT_SET_EVENT_MASK_PAGE2; break;
	case HCI_OP_READ_LE_HOST_SUPPORTED: bit = HCI_CMDBIT_READ_LE_HOST_SUPPORTED; break;
	case HCI_OP_WRITE_LE_HOST_SUPPORTED: bit = HCI_CMDBIT_WRITE_LE_HOST_SUPPORTED; break;
	case HCI_OP_LE_SET_EVENT_MASK: bit = HCI_CMDBIT_LE_SET_EVENT_MASK; break;
	case HCI_OP_LE_READ_BUFFER_SIZE: bit = HCI_CMDBIT_LE_READ_BUFFER_SIZE; break;
	case HCI_OP_LE_READ_LOCAL_FEATURES: bit = HCI_CMDBIT_LE_READ_LOCAL_FEATURES; break;
	case HCI_OP_LE_SET_RANDOM_ADDR: bit = HCI_CMDBIT_LE_SET_RANDOM_ADDR; break;
	case HCI_OP_LE_SET_ADV_PARAMS: bit = HCI_CMDBIT_LE_SET_ADV_PARAMS; break;
	case HCI_OP_LE_SET_ADV_DATA: bit = HCI_CMDBIT_LE_SET_ADV_DATA; break;
	case HCI_OP_LE_SET_SCAN_RSP_DATA: bit = HCI_CMDBIT_LE_SET_SCAN_RSP_DATA; break;
	case HCI_OP_LE_SET_ADV_ENABLE: bit = HCI_CMDBIT_LE_SET_ADV_ENABLE; break;
	case HCI_OP_LE_SET_SCAN_PARAMS: bit = HCI_CMDBIT_LE_SET_SCAN_PARAMS; break;
	case HCI_OP_LE_SET_SCAN_ENABLE: bit = HCI_CMDBIT_LE_SET_SCAN_ENABLE; break;
	case HCI_OP_LE_CREATE_CONN: bit = HCI_CMDBIT_LE_CREATE_CONN; break;
	case HCI_OP_LE_CREATE_CONN_CANCEL: bit = HCI_CMDBIT_LE_CREATE_CONN_CANCEL; break;
	case HCI_OP_LE_CONN_UPDATE: bit = HCI_CMDBIT_LE_CONN_UPDATE; break;
	case HCI_OP_LE_READ_REMOTE_FEATURES: bit = HCI_CMDBIT_LE_READ_REMOTE_FEATURES; break;
	case HCI_OP_LE_REMOTE_CONN_PARAM_REPLY: bit = HCI_CMDBIT_LE_REMOTE_CONN_PARAM_REPLY; break;
	case HCI_OP_LE_REMOTE_CONN_PARAM_NEG_REPLY: bit = HCI_CMDBIT_LE_REMOTE_CONN_PARAM_NEG_REPLY; break;
	case HCI_OP_LE_SET_DATA_LENGTH: bit = HCI_CMDBIT_LE_SET_DATA_LENGTH; break;
	case HCI_OP_LE_READ_DEFAULT_DATA_LENGTH: bit = HCI_CMDBIT_LE_READ_DEFAULT_DATA_LENGTH; break;
	case HCI_OP_LE_WRITE_DEFAULT_DATA_LENGTH: bit = HCI_CMDBIT_LE_WRITE_DEFAULT_DATA_LENGTH; break;
	case HCI_OP_LE_READ_MAX_DATA_LENGTH: bit = HCI_CMDBIT_LE_READ_MAX_DATA_LENGTH; break;
	case HCI_OP_LE_READ_BUFFER_SIZE_V2: bit = HCI_CMDBIT_LE_READ_BUFFER_SIZE_V2; break;
	default:
		return true; /* not in our table: let the controller answer */
	}
	return hci_bit_test(h->info.commands, sizeof(h->info.commands), bit);
}

/* ---- links --------------------------------------------------------------------------------- */

struct hci_link *hci_link_by_handle(const struct hci_host *h, uint16_t handle)
{
	if (handle >= HCI_HANDLE_SPACE)
		return NULL;
	int16_t i = h->handle_map[handle];
	return i < 0 ? NULL : &h->links[i];
}

unsigned hci_host_link_count(const struct hci_host *h)
{
	unsigned n = 0;
	for (unsigned i = 0; i < h->cfg.max_links; i++)
		n += h->links[i].used;
	return n;
}

unsigned hci_host_disconnect_all(struct hci_host *h, uint8_t reason)
{
	unsigned n = 0;
	for (unsigned i = 0; i < h->cfg.max_links; i++)
		if (h->links[i].used && hci_host_disconnect(h, h->links[i].info.handle, reason) == 0)
			n++;
	return n;
}

const struct hci_link_info *hci_host_link_to(const struct hci_host *h, const uint8_t peer[6], bool le)
{
	for (unsigned i = 0; i < h->cfg.max_links; i++) {
		const struct hci_link *l = &h->links[i];
		if (l->used && (l->info.type == HCI_LINK_LE) == le && !memcmp(l->info.peer.b, peer, 6))
			return &l->info;
	}
	return NULL;
}

const struct hci_link_info *hci_host_link(const struct hci_host *h, uint16_t handle)
{
	const struct hci_link *l = hci_link_by_handle(h, handle);
	return l ? &l->info : NULL;
}

static void link_add(struct hci_host *h, const struct hci_link_info *info)
{
	if (info->handle > HCI_MAX_HANDLE || hci_link_by_handle(h, info->handle)) {
		hci_report(h, L2K_EPROTO, "controller reported connection handle 0x%04x twice or out of range",
			   info->handle);
		return;
	}
	for (unsigned i = 0; i < h->cfg.max_links; i++) {
		struct hci_link *l = &h->links[i];
		if (l->used)
			continue;
		memset(l, 0, sizeof(*l));
		l->info = *info;
		if (hci_acl_link_init(h, l) < 0)
			break;
		l->used = true;
		h->nlinks++;
		h->handle_map[info->handle] = (int16_t)i;
		if (h->ops.link_up)
			h->ops.link_up(h->user, &l->info);
		return;
	}
	/* No room: refuse the link rather than run it without buffers. */
	hci_report(h, L2K_ENOMEM, "no room for link 0x%04x (max_links %u): disconnecting",
		   info->handle, h->cfg.max_links);
	uint8_t p[3];
	put_le16(p, info->handle);
	p[2] = HCI_ERR_REMOTE_LOW_RESOURCES;
	hci_host_cmd(h, HCI_OP_DISCONNECT, p, 3, NULL, NULL);
}

static void adv_restart(struct hci_host *h);

void hci_link_remove(struct hci_host *h, uint16_t handle, uint8_t reason)
{
	struct hci_link *l = hci_link_by_handle(h, handle);
	if (!l)
		return;
	bool le = l->info.type == HCI_LINK_LE;
	/* its counters stay readable while link_down is told (the channels' last word on it) */
	h->gone_st = l->st;
	h->gone_handle = handle;
	h->gone_valid = true;
	hci_acl_link_release(h, l);
	l->used = false;
	h->nlinks--;
	h->handle_map[handle] = -1;
	if (h->ops.link_down)
		h->ops.link_down(h->user, handle, reason);
	h->gone_valid = false;
	hci_acl_schedule(h); /* buffers freed by the link may let other links go on */
	if (le)
		adv_restart(h); /* keep mode: room for one more connection */
}

/* ---- events -------------------------------------------------------------------------------- */

static void ev_conn_complete(struct hci_host *h, const uint8_t *p, size_t n)
{
	/* Status(1) Handle(2) BD_ADDR(6) Link_Type(1) Encryption_Enabled(1) */
	if (n < 11) {
		h->stats.evt_malformed++;
		return;
	}
	hci_bdaddr_t a;
	memcpy(a.b, p + 3, 6);
	if (p[9] != 0x01) /* not ACL (SCO/eSCO): not ours */
		return;
	if (p[0] != HCI_SUCCESS) {
		if (h->ops.connect_failed)
			h->ops.connect_failed(h->user, HCI_LINK_BREDR, &a, p[0]);
		return;
	}
	struct hci_link_info li = {0};
	li.handle = HCI_ACL_HANDLE(get_le16(p + 1));
	li.type = HCI_LINK_BREDR;
	li.peer = a;
	li.role = 0xFF; /* unknown until Role Change; see the Connection Request path */
	link_add(h, &li);
}

static void ev_conn_request(struct hci_host *h, const uint8_t *p, size_t n)
{
	/* BD_ADDR(6) Class_Of_Device(3) Link_Type(1) */
	if (n < 10) {
		h->stats.evt_malformed++;
		return;
	}
	hci_bdaddr_t a;
	memcpy(a.b, p, 6);
	bool accept;
	if (p[9] != 0x01)
		accept = false; /* SCO/eSCO: l2kit carries no audio */
	else if (h->ops.conn_request)
		accept = h->ops.conn_request(h->user, &a, p + 6);
	else
		accept = h->cfg.auto_accept;
	uint8_t c[7];
	memcpy(c, a.b, 6);
	if (accept) {
		c[6] = 0x01; /* remain Peripheral (Vol 4 Part E 7.1.8) */
		hci_host_cmd(h, HCI_OP_ACCEPT_CONN_REQ, c, 7, NULL, NULL);
	} else {
		c[6] = HCI_ERR_REJ_LIMITED_RESOURCES;
		hci_host_cmd(h, HCI_OP_REJECT_CONN_REQ, c, 7, NULL, NULL);
	}
}

static void ev_disconn_complete(struct hci_host *h, const uint8_t *p, size_t n)
{
	/* Status(1) Handle(2) Reason(1) */
	if (n < 4) {
		h->stats.evt_malformed++;
		return;
	}
	if (p[0] != HCI_SUCCESS)
		return;
	hci_link_remove(h, HCI_ACL_HANDLE(get_le16(p + 1)), p[3]);
}

static void ev_num_completed(struct hci_host *h, const uint8_t *p, size_t n)
{
	/* Num_Handles(1) then Num_Handles x [Handle(2) Count(2)] (Vol 4 Part E 7.7.19) */
	if (n < 1 || n < 1 + (size_t)p[0] * 4) {
		h->stats.evt_malformed++;
		return;
	}
	for (unsigned i = 0; i < p[0]; i++) {
		const uint8_t *e = p + 1 + i * 4;
		hci_acl_completed(h, HCI_ACL_HANDLE(get_le16(e)), get_le16(e + 2));
	}
	hci_acl_schedule(h);
}

static void ev_role_change(struct hci_host *h, const uint8_t *p, size_t n)
{
	/* Status(1) BD_ADDR(6) New_Role(1) */
	if (n < 8) {
		h->stats.evt_malformed++;
		return;
	}
	if (p[0] != HCI_SUCCESS)
		return;
	for (unsigned i = 0; i < h->cfg.max_links; i++) {
		struct hci_link *l = &h->links[i];
		if (l->used && l->info.type == HCI_LINK_BREDR && !memcmp(l->info.peer.b, p + 1, 6))
			l->info.role = p[7];
	}
}

static void le_init_ended(struct hci_host *h, const hci_bdaddr_t *a, uint8_t status);
static int le_create_send(struct hci_host *h, const hci_bdaddr_t *addr, uint8_t addr_type);

static void ev_le_conn_complete(struct hci_host *h, const uint8_t *p, size_t n, bool enhanced)
{
	/* Status Handle(2) Role PeerAddrType PeerAddr(6) [LocalRPA(6) PeerRPA(6)] Interval(2)
	 * Latency(2) SupervisionTimeout(2) CentralClockAccuracy (Vol 4 Part E 7.7.65.1 / .10) */
	size_t need = enhanced ? 30 : 18;
	if (n < need) {
		h->stats.evt_malformed++;
		return;
	}
	hci_bdaddr_t a;
	memcpy(a.b, p + 5, 6);
	if (p[0] != HCI_SUCCESS) {
		/* as peripheral: our advertising ended (directed advertising timed out, or the
		 * connection it led to could not be established); else our initiating ended
		 * (cancelled, or its connection failed to be established) */
		bool adv_ended = p[3] == 0x01;
		if (adv_ended) {
			h->adv.on = false;
			if (h->ops.connect_failed)
				h->ops.connect_failed(h->user, HCI_LINK_LE, &a, p[0]);
			adv_restart(h);
		} else if (h->le_init.on) {
			le_init_ended(h, &h->le_init.peer, p[0]);
		} else if (h->ops.connect_failed) {
			h->ops.connect_failed(h->user, HCI_LINK_LE, &a, p[0]);
		}
		return;
	}
	const uint8_t *q = p + (enhanced ? 23 : 11);
	struct hci_link_info li = {0};
	li.handle = HCI_ACL_HANDLE(get_le16(p + 1));
	li.type = HCI_LINK_LE;
	li.role = p[3];
	li.peer_addr_type = p[4] & 0x01;
	li.peer = a;
	li.interval = get_le16(q);
	li.latency = get_le16(q + 2);
	li.supervision_timeout = get_le16(q + 4);
	bool send_next = false;
	if (li.role == 0x00 && h->le_init.on) {
		h->le_init.on = false; /* our LE Create Connection completed */
		send_next = h->le_init.next && memcmp(h->le_init.next_peer.b, a.b, 6);
		h->le_init.next = false;
	}
	/* Legacy advertising stops when a connection is created (Vol 4 Part E 7.8.9) */
	if (li.role == 0x01)
		h->adv.on = false;
	link_add(h, &li);
	/* Ask for the longest LE data PDUs (251 octets, 2120 us: Vol 4 Part E 7.8.33) so that one
	 * K-frame of 247 octets travels in one air packet; the controller settles on what both
	 * sides support and reports it with Data Length Change. */
	if (hci_link_by_handle(h, li.handle) && hci_host_cmd_supported(h, HCI_OP_LE_SET_DATA_LENGTH)) {
		uint8_t c[6];
		put_le16(c, li.handle);
		put_le16(c + 2, 251);
		put_le16(c + 4, 2120);
		hci_host_cmd(h, HCI_OP_LE_SET_DATA_LENGTH, c, 6, NULL, NULL);
	}
	if (li.role == 0x01)
		adv_restart(h);
	if (send_next) {
		/* asked for while the cancelled attempt was still on its way: this link came
		 * up instead, the other one is asked for now */
		hci_bdaddr_t nx = h->le_init.next_peer;
		bool pin = h->le_init.next_pinned;
		if (le_create_send(h, &nx, h->le_init.next_type) == 0)
			h->le_init.pinned = pin;
		else if (h->ops.connect_failed)
			h->ops.connect_failed(h->user, HCI_LINK_LE, &nx, HCI_ERR_COMMAND_DISALLOWED);
	}
}

static void ev_le_conn_update(struct hci_host *h, const uint8_t *p, size_t n)
{
	/* Status Handle(2) Interval(2) Latency(2) Timeout(2) */
	if (n < 9) {
		h->stats.evt_malformed++;
		return;
	}
	struct hci_link *l = hci_link_by_handle(h, HCI_ACL_HANDLE(get_le16(p + 1)));
	if (p[0] != HCI_SUCCESS || !l)
		return;
	l->info.interval = get_le16(p + 3);
	l->info.latency = get_le16(p + 5);
	l->info.supervision_timeout = get_le16(p + 7);
}

static void ev_le_meta(struct hci_host *h, const uint8_t *p, size_t n)
{
	if (n < 1) {
		h->stats.evt_malformed++;
		return;
	}
	switch (p[0]) {
	case HCI_LE_CONN_COMPLETE: ev_le_conn_complete(h, p + 1, n - 1, false); break;
	case HCI_LE_ENH_CONN_COMPLETE: ev_le_conn_complete(h, p + 1, n - 1, true); break;
	case HCI_LE_CONN_UPDATE_COMPLETE: ev_le_conn_update(h, p + 1, n - 1); break;
	default: break; /* passed up through ops->event */
	}
}

static void ev_cmd_complete(struct hci_host *h, const uint8_t *p, size_t n)
{
	/* Num_HCI_Command_Packets(1) Opcode(2) Return_Parameters (first is usually Status) */
	if (n < 3) {
		h->stats.evt_malformed++;
		return;
	}
	uint16_t op = get_le16(p + 1);
	int status = n >= 4 ? p[3] : HCI_SUCCESS;
	const uint8_t *ret = n > 4 ? p + 4 : NULL;
	hci_cmdq_complete(h, op, status, ret, n > 4 ? n - 4 : 0, p[0]);
}

static void ev_cmd_status(struct hci_host *h, const uint8_t *p, size_t n)
{
	/* Status(1) Num_HCI_Command_Packets(1) Opcode(2) */
	if (n < 4) {
		h->stats.evt_malformed++;
		return;
	}
	hci_cmdq_complete(h, get_le16(p + 2), p[0], NULL, 0, p[1]);
}

/* The fixed parameters of the events l2kit reads (here, in the security manager, the engine
 * and the API: Vol 4 Part E 7.7), LE Meta events by subevent (code 0x3E: subevent octet
 * included).  0: an event not read, or one whose handler checks its variable part itself. */
static size_t evt_fixed_len(uint8_t code, const uint8_t *p, size_t n)
{
	switch (code) {
	case HCI_EV_CONN_COMPLETE: return 11;
	case HCI_EV_CONN_REQUEST: return 10;
	case HCI_EV_DISCONN_COMPLETE: return 4;
	case HCI_EV_AUTH_COMPLETE: return 3;
	case HCI_EV_ENCRYPT_CHANGE: return 4;
	case HCI_EV_REMOTE_FEATURES: return 11;
	case HCI_EV_REMOTE_VERSION: return 8;
	case HCI_EV_CMD_COMPLETE: return 3;
	case HCI_EV_CMD_STATUS: return 4;
	case HCI_EV_HARDWARE_ERROR: return 1;
	case HCI_EV_ROLE_CHANGE: return 8;
	case HCI_EV_NUM_COMPLETED: return 1; /* + 4 per handle: checked by its handler */
	case HCI_EV_PIN_CODE_REQUEST: return 6;
	case HCI_EV_LINK_KEY_REQUEST: return 6;
	case HCI_EV_LINK_KEY_NOTIFICATION: return 23;
	case HCI_EV_DATA_BUFFER_OVERFLOW: return 1;
	case HCI_EV_REMOTE_EXT_FEATURES: return 13;
	case HCI_EV_ENCRYPT_KEY_REFRESH: return 3;
	case HCI_EV_IO_CAP_REQUEST: return 6;
	case HCI_EV_IO_CAP_RESPONSE: return 9;
	case HCI_EV_USER_CONFIRM_REQUEST: return 10;
	case HCI_EV_USER_PASSKEY_REQUEST: return 6;
	case HCI_EV_REMOTE_OOB_REQUEST: return 6;
	case HCI_EV_SIMPLE_PAIRING_COMPLETE: return 7;
	case HCI_EV_USER_PASSKEY_NOTIFICATION: return 10;
	case HCI_EV_KEYPRESS_NOTIFICATION: return 7;
	case HCI_EV_ENCRYPT_CHANGE_V2: return 5;
	case HCI_EV_LE_META:
		if (n < 1)
			return 1;
		switch (p[0]) {
		case HCI_LE_CONN_COMPLETE: return 1 + 18;
		case HCI_LE_ADV_REPORT: return 1 + 1; /* + the reports: checked below */
		case HCI_LE_CONN_UPDATE_COMPLETE: return 1 + 9;
		case HCI_LE_REMOTE_FEATURES: return 1 + 11;
		case HCI_LE_LTK_REQUEST: return 1 + 12;
		case HCI_LE_REMOTE_CONN_PARAM_REQ: return 1 + 10;
		case HCI_LE_DATA_LENGTH_CHANGE: return 1 + 10;
		case HCI_LE_ENH_CONN_COMPLETE: return 1 + 30;
		default: return 1;
		}
	default: return 0;
	}
}

/* LE Advertising Report (7.7.65.2): Num_Reports, then each Event_Type Address_Type Address(6)
 * Data_Length Data RSSI; whether they all fit. */
static bool adv_reports_fit(const uint8_t *p, size_t n)
{
	size_t off = 2;
	for (unsigned i = 0; i < p[1]; i++) {
		if (n - off < 9 || n - off < 10 + (size_t)p[off + 8])
			return false;
		off += 10 + p[off + 8];
	}
	return true;
}

static void handle_event(struct hci_host *h, const uint8_t *pkt, size_t len)
{
	if (len < HCI_EVT_HDR || (size_t)pkt[1] != len - HCI_EVT_HDR) {
		h->stats.evt_malformed++;
		return;
	}
	const uint8_t *p = pkt + HCI_EVT_HDR;
	size_t n = pkt[1];
	/* An event cut short is counted and goes no further: no layer acts on half an event. */
	if (n < evt_fixed_len(pkt[0], p, n) ||
	    (pkt[0] == HCI_EV_LE_META && p[0] == HCI_LE_ADV_REPORT && !adv_reports_fit(p, n)) ||
	    !hci_inquiry_event_fits(pkt[0], p, n)) {
		h->stats.evt_malformed++;
		return;
	}
	switch (pkt[0]) {
	case HCI_EV_CMD_COMPLETE: ev_cmd_complete(h, p, n); break;
	case HCI_EV_CMD_STATUS: ev_cmd_status(h, p, n); break;
	case HCI_EV_CONN_COMPLETE: ev_conn_complete(h, p, n); break;
	case HCI_EV_CONN_REQUEST: ev_conn_request(h, p, n); break;
	case HCI_EV_DISCONN_COMPLETE: ev_disconn_complete(h, p, n); break;
	case HCI_EV_NUM_COMPLETED: ev_num_completed(h, p, n); break;
	case HCI_EV_ROLE_CHANGE: ev_role_change(h, p, n); break;
	case HCI_EV_LE_META: ev_le_meta(h, p, n); break;
	case HCI_EV_INQUIRY_COMPLETE:
	case HCI_EV_INQUIRY_RESULT:
	case HCI_EV_INQUIRY_RESULT_RSSI:
	case HCI_EV_EXT_INQUIRY_RESULT:
	case HCI_EV_REMOTE_NAME_COMPLETE: hci_inquiry_event(h, pkt[0], p, n); break;
	case HCI_EV_HARDWARE_ERROR:
		hci_report(h, L2K_EIO, "controller hardware error 0x%02x", n ? p[0] : 0);
		break;
	case HCI_EV_DATA_BUFFER_OVERFLOW:
		hci_report(h, L2K_EPROTO, "controller reported a data buffer overflow (link type %u)",
			   n ? p[0] : 0);
		break;
	case HCI_EV_VENDOR: hci_vendor_event(h, p, n); break;
	default: break;
	}
	if (h->ops.event)
		h->ops.event(h->user, pkt, len);
}

void hci_host_input(struct hci_host *h, uint8_t type, const uint8_t *pkt, size_t len)
{
	if (h->ops.tap)
		h->ops.tap(h->user, true, type, pkt, len);
	if (h->dead) {
		/* declared unresponsive: its links and commands are gone, what it says now belongs
		 * to nothing the host has */
		h->stats.rx_after_failure++;
		return;
	}
	hci_watchdog_input(h);
	switch (type) {
	case HCI_H4_EVT: handle_event(h, pkt, len); break;
	case HCI_H4_ACL: hci_acl_input(h, pkt, len); break;
	default: break; /* SCO / ISO: not used by l2kit */
	}
}

/* ---- link commands ------------------------------------------------------------------------- */

/* Our LE attempt to a ended with status (refused, cancelled, failed to be established): send
 * the one asked for meanwhile, then report the end, unless the next one is to the same peer
 * (it goes on, as far as those who asked are concerned). */
static void le_init_ended(struct hci_host *h, const hci_bdaddr_t *a, uint8_t status)
{
	h->le_init.on = false;
	bool report = true;
	if (h->le_init.next) {
		hci_bdaddr_t n = h->le_init.next_peer;
		bool pin = h->le_init.next_pinned;
		h->le_init.next = false;
		int r = le_create_send(h, &n, h->le_init.next_type);
		if (r == 0) {
			h->le_init.pinned = pin;
			report = memcmp(n.b, a->b, 6) != 0;
		} else if (memcmp(n.b, a->b, 6) && h->ops.connect_failed) {
			h->ops.connect_failed(h->user, HCI_LINK_LE, &n, HCI_ERR_COMMAND_DISALLOWED);
		}
	}
	if (report && h->ops.connect_failed)
		h->ops.connect_failed(h->user, HCI_LINK_LE, a, status);
}

/* The Command Status of our LE Create Connection: a refusal ends the attempt, reported as a
 * failed connection (no LE Connection Complete follows one, 7.8.12). */
static void le_create_conn_status(void *arg, int status, const uint8_t *ret, size_t len)
{
	struct hci_host *h = arg;
	(void)ret;
	(void)len;
	if (status == HCI_SUCCESS || !h->le_init.on)
		return;
	hci_bdaddr_t a = h->le_init.peer;
	if (status < 0) {
		h->le_init.on = false; /* shutting down, or the command timed out */
		h->le_init.next = false;
		return;
	}
	le_init_ended(h, &a, (uint8_t)status);
}

static int le_create_send(struct hci_host *h, const hci_bdaddr_t *addr, uint8_t addr_type)
{
	/* LE Create Connection (Vol 4 Part E 7.8.12): scan 60 ms / 60 ms, connection interval
	 * 30-50 ms, latency 0, supervision timeout 5 s. */
	uint8_t p[25];
	put_le16(p + 0, 0x0060);
	put_le16(p + 2, 0x0060);
	p[4] = 0x00; /* no filter accept list */
	p[5] = addr_type & 0x01;
	memcpy(p + 6, addr->b, 6);
	p[12] = 0x00; /* own address public */
	put_le16(p + 13, 0x0018);
	put_le16(p + 15, 0x0028);
	put_le16(p + 17, 0x0000);
	put_le16(p + 19, 0x01F4);
	put_le16(p + 21, 0x0000);
	put_le16(p + 23, 0x0000);
	int r = hci_host_cmd(h, HCI_OP_LE_CREATE_CONN, p, sizeof(p), le_create_conn_status, h);
	if (r == 0) {
		h->le_init.on = true;
		h->le_init.cancelling = false;
		h->le_init.pinned = false;
		h->le_init.peer = *addr;
	}
	return r;
}

int hci_host_connect(struct hci_host *h, uint8_t type, const hci_bdaddr_t *addr, uint8_t addr_type)
{
	if (!h->ready)
		return L2K_ENETDOWN;
	if (type == HCI_LINK_BREDR) {
		if (!h->info.bredr)
			return L2K_ENOTSUP;
		/* BD_ADDR Packet_Type Page_Scan_Repetition_Mode Reserved Clock_Offset
		 * Allow_Role_Switch (Vol 4 Part E 7.1.5) */
		uint8_t p[13];
		memcpy(p, addr->b, 6);
		put_le16(p + 6, 0xCC18); /* DM1 DH1 DM3 DH3 DM5 DH5 */
		p[8] = 0x01;		  /* R1 */
		p[9] = 0x00;
		put_le16(p + 10, 0x0000);
		p[12] = 0x01;
		return hci_host_cmd(h, HCI_OP_CREATE_CONN, p, sizeof(p), NULL, NULL);
	}
	if (type != HCI_LINK_LE)
		return L2K_EINVAL;
	if (!h->info.le)
		return L2K_ENOTSUP;
	if (h->le_init.on) {
		/* the controller initiates to one peer at a time (a second LE Create Connection:
		 * Command Disallowed, 7.8.12) */
		if (!h->le_init.cancelling)
			return memcmp(h->le_init.peer.b, addr->b, 6) ? L2K_EBUSY : 0;
		if (h->le_init.next && memcmp(h->le_init.next_peer.b, addr->b, 6))
			return L2K_EBUSY;
		if (!h->le_init.next)
			h->le_init.next_pinned = false;
		h->le_init.next = true; /* sent once the cancel is done */
		h->le_init.next_peer = *addr;
		h->le_init.next_type = addr_type;
		return 0;
	}
	return le_create_send(h, addr, addr_type);
}

int hci_host_connect_cancel(struct hci_host *h, uint8_t type, const hci_bdaddr_t *addr)
{
	if (type == HCI_LINK_LE) {
		if (!h->le_init.on || memcmp(h->le_init.peer.b, addr->b, 6))
			return L2K_ENOENT;
		if (h->le_init.cancelling)
			return 0;
		int r = hci_host_cmd(h, HCI_OP_LE_CREATE_CONN_CANCEL, NULL, 0, NULL, NULL);
		if (r == 0)
			h->le_init.cancelling = true;
		return r;
	}
	return hci_host_cmd(h, HCI_OP_CREATE_CONN_CANCEL, addr->b, 6, NULL, NULL);
}

void hci_host_le_connect_pin(struct hci_host *h, const hci_bdaddr_t *addr)
{
	if (h->le_init.on && h->le_init.cancelling && h->le_init.next &&
	    !memcmp(h->le_init.next_peer.b, addr->b, 6))
		h->le_init.next_pinned = true;
	else if (h->le_init.on && !memcmp(h->le_init.peer.b, addr->b, 6))
		h->le_init.pinned = true;
}

int hci_host_connect_release(struct hci_host *h, const hci_bdaddr_t *addr)
{
	if (h->le_init.on && h->le_init.pinned && !memcmp(h->le_init.peer.b, addr->b, 6))
		return 0;
	return hci_host_connect_cancel(h, HCI_LINK_LE, addr);
}

int hci_host_disconnect(struct hci_host *h, uint16_t handle, uint8_t reason)
{
	if (!hci_link_by_handle(h, handle))
		return L2K_ENOLINK;
	uint8_t p[3];
	put_le16(p, handle);
	p[2] = reason;
	return hci_host_cmd(h, HCI_OP_DISCONNECT, p, 3, NULL, NULL);
}

/* ---- LE advertising ------------------------------------------------------------------------ */

static unsigned le_link_count(const struct hci_host *h)
{
	unsigned n = 0;
	for (unsigned i = 0; i < h->cfg.max_links; i++)
		n += h->links[i].used && h->links[i].info.type == HCI_LINK_LE;
	return n;
}

/* Statuses with which a controller refuses connectable advertising it has no connection room
 * for: Memory Capacity Exceeded (0x07: Zephyr's controller), Connection Limit Exceeded (0x09),
 * Command Disallowed (0x0C), Connection Rejected due to Limited Resources (0x0D). */
static bool adv_refused_for_room(int status)
{
	return status == HCI_ERR_MEMORY_FULL || status == HCI_ERR_CONN_LIMIT ||
	       status == HCI_ERR_COMMAND_DISALLOWED || status == HCI_ERR_REJ_LIMITED_RESOURCES;
}

static void adv_enable_done(void *arg, int status, const uint8_t *ret, size_t len)
{
	struct hci_host *h = arg;
	(void)ret;
	(void)len;
	if (h->adv.enabling)
		h->adv.enabling--;
	if (status == HCI_SUCCESS) {
		h->adv.on = true;
		return;
	}
	if (status < 0)
		return; /* shutting down, or timed out (the queue reported it) */
	/* In keep mode a refusal for want of room is expected while links are up: the next LE
	 * link down asks again.  Anything else leaves the device unreachable: tell a person. */
	bool waits = h->adv.keep && adv_refused_for_room(status) && le_link_count(h) > 0;
	if (!waits)
		hci_report(h, L2K_EIO, "the controller refused to advertise (LE Set Advertising Enable: "
			   "status 0x%02x)%s", (unsigned)status,
			   h->adv.keep && le_link_count(h) ? ": asking again when an LE link goes down" : "");
}

static void adv_disable_done(void *arg, int status, const uint8_t *ret, size_t len)
{
	struct hci_host *h = arg;
	(void)ret;
	(void)len;
	if (status == HCI_SUCCESS)
		h->adv.on = false;
}

static int adv_send_enable(struct hci_host *h)
{
	uint8_t en = 1;
	int r = hci_host_cmd(h, HCI_OP_LE_SET_ADV_ENABLE, &en, 1, adv_enable_done, h);
	if (r == 0)
		h->adv.enabling++;
	return r;
}

static bool adv_room(const struct hci_host *h)
{
	return !h->adv.max_links || le_link_count(h) < h->adv.max_links;
}

/* Keep mode: enable advertising again if it is off, none is on its way and a link fits. */
static void adv_restart(struct hci_host *h)
{
	if (!h->adv.keep || h->adv.on || h->adv.enabling || !h->ready || h->failed || !adv_room(h))
		return;
	int r = adv_send_enable(h);
	if (r < 0)
		hci_report(h, r, "cannot advertise again: %s", l2k_strerror(r));
}

bool hci_host_le_advertising(const struct hci_host *h)
{
	return h->adv.on;
}

static int le_advertise(struct hci_host *h, bool enable, bool keep, unsigned max_links,
			const uint8_t *ad, size_t ad_len)
{
	if (!h->info.le)
		return L2K_ENOTSUP;
	if (enable && ad_len > 31)
		return L2K_EMSGSIZE;
	h->adv.keep = enable && keep;
	h->adv.max_links = (uint16_t)(max_links > 0xFFFF ? 0xFFFF : max_links);
	int r;
	if (enable) {
		if (h->adv.on || h->adv.enabling) {
			/* the parameters cannot change while advertising (7.8.5: Command
			 * Disallowed): stop it first */
			uint8_t off = 0;
			if ((r = hci_host_cmd(h, HCI_OP_LE_SET_ADV_ENABLE, &off, 1, adv_disable_done, h)) < 0)
				return r;
		}
		uint8_t prm[15] = {0};
		put_le16(prm + 0, 0x0030); /* 30 ms */
		put_le16(prm + 2, 0x0060); /* 60 ms */
		prm[4] = 0x00;		    /* ADV_IND: connectable undirected */
		prm[5] = 0x00;		    /* own address public */
		prm[13] = 0x07;		    /* all three channels */
		prm[14] = 0x00;		    /* no filter */
		if ((r = hci_host_cmd(h, HCI_OP_LE_SET_ADV_PARAMS, prm, sizeof(prm), NULL, NULL)) < 0)
			return r;
		uint8_t data[32] = {0};
		data[0] = (uint8_t)ad_len;
		if (ad_len)
			memcpy(data + 1, ad, ad_len);
		if ((r = hci_host_cmd(h, HCI_OP_LE_SET_ADV_DATA, data, sizeof(data), NULL, NULL)) < 0)
			return r;
		if (h->adv.keep && !adv_room(h))
			return 0; /* no room for a connection now: the next LE link down enables it */
		return adv_send_enable(h);
	}
	uint8_t off = 0;
	return hci_host_cmd(h, HCI_OP_LE_SET_ADV_ENABLE, &off, 1, adv_disable_done, h);
}

int hci_host_le_advertise(struct hci_host *h, bool enable, const uint8_t *ad, size_t ad_len)
{
	return le_advertise(h, enable, false, 0, ad, ad_len);
}

int hci_host_le_advertise_keep(struct hci_host *h, const uint8_t *ad, size_t ad_len, unsigned max_links)
{
	return le_advertise(h, true, true, max_links, ad, ad_len);
}

int hci_host_le_scan(struct hci_host *h, bool enable, bool active)
{
	if (!h->info.le)
		return L2K_ENOTSUP;
	int r;
	if (enable) {
		uint8_t prm[7];
		prm[0] = active ? 0x01 : 0x00;
		put_le16(prm + 1, 0x0060);
		put_le16(prm + 3, 0x0030);
		prm[5] = 0x00;
		prm[6] = 0x00;
		if ((r = hci_host_cmd(h, HCI_OP_LE_SET_SCAN_PARAMS, prm, sizeof(prm), NULL, NULL)) < 0)
			return r;
	}
	uint8_t en[2] = {enable ? 1 : 0, 0x00 /* no duplicate filtering */};
	return hci_host_cmd(h, HCI_OP_LE_SET_SCAN_ENABLE, en, 2, NULL, NULL);
}
