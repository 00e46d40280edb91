/* The stack: one transport, one HCI host, an optional btsnoop capture and the L2CAP engine,
 * wired together and driven by l2k_step(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/sockface.h"
#include "api/stack_internal.h"
#include "api/security.h"
#include "core/l2cap_int.h"
#include "hci/vendor.h"
#include "sm/sm.h"

static void to_public_link(const struct hci_link_info *in, struct l2k_link_info *out)
{
	memset(out, 0, sizeof(*out));
	out->handle = in->handle;
	if (in->type == HCI_LINK_LE)
		out->type = in->peer_addr_type == HCI_ADDR_LE_RANDOM ? L2K_ADDR_LE_RANDOM : L2K_ADDR_LE_PUBLIC;
	else
		out->type = L2K_ADDR_BREDR;
	memcpy(out->peer.b, in->peer.b, 6);
	out->role = in->role;
}

int l2k_abi_version(void)
{
	return L2K_ABI_VERSION;
}

uint64_t l2k_stack_now(l2k_stack *s)
{
	return s->clock ? s->clock(s->clock_arg) : l2k_monotonic_ms();
}

static uint64_t stack_clock(void *arg)
{
	return l2k_stack_now(arg);
}

struct l2cap_engine *l2cap_engine_of(l2k_stack *s)
{
	if (s->raw)
		return l2k_raw_engine(s);
	return s->upper.ctx;
}

uint64_t l2k_now(l2k_stack *s)
{
	return l2k_stack_now(s);
}

void l2k_stack_set_error(l2k_stack *s, int err, const char *msg)
{
	snprintf(s->last_error, sizeof(s->last_error), "%s", msg);
	if (s->cbs.error)
		s->cbs.error(s->cbs.user, err, msg);
}

/* ---- HCI host callbacks -------------------------------------------------------------------- */

static int h_send(void *user, uint8_t type, const uint8_t *pkt, size_t len)
{
	l2k_stack *s = user;
	if (s->failed)
		return s->failed;
	return transport_send(s->tr, type, pkt, len);
}

static void h_ready(void *user, int err)
{
	l2k_stack *s = user;
	s->ready_err = err;
	if (s->cbs.ready)
		s->cbs.ready(s->cbs.user, err);
}

static void h_link_up(void *user, const struct hci_link_info *li)
{
	l2k_stack *s = user;
	if (s->sm)
		sm_link_up(s->sm, li);
	if (s->upper.link_up)
		s->upper.link_up(s->upper.ctx, li);
	if (s->cbs.link_up) {
		struct l2k_link_info pl;
		to_public_link(li, &pl);
		s->cbs.link_up(s->cbs.user, &pl);
	}
}

static void h_connect_failed(void *user, uint8_t type, const hci_bdaddr_t *addr, uint8_t status)
{
	l2k_stack *s = user;
	l2k_addr a;
	memcpy(a.b, addr->b, 6);
	if (s->upper.link_failed)
		s->upper.link_failed(s->upper.ctx, &a, type == HCI_LINK_LE, status);
	if (s->cbs.link_failed) {
		s->cbs.link_failed(s->cbs.user, &a, type == HCI_LINK_LE ? L2K_ADDR_LE_PUBLIC : L2K_ADDR_BREDR,
				   status);
	}
}

static void h_link_down(void *user, uint16_t handle, uint8_t reason)
{
	l2k_stack *s = user;
	/* the link record is already gone from the host: report what we know */
	struct l2k_link_info pl = {.handle = handle, .role = 0xFF};
	if (s->upper.link_down)
		s->upper.link_down(s->upper.ctx, handle, reason);
	if (s->sm)
		sm_link_down(s->sm, handle, reason);
	if (s->cbs.link_down)
		s->cbs.link_down(s->cbs.user, &pl, reason);
}

static void h_acl_rx(void *user, uint16_t handle, const uint8_t *pdu, size_t len)
{
	l2k_stack *s = user;
	if (s->upper.acl_rx)
		s->upper.acl_rx(s->upper.ctx, handle, pdu, len);
}

static void h_acl_tx_room(void *user, uint16_t handle)
{
	l2k_stack *s = user;
	if (s->upper.acl_tx_room)
		s->upper.acl_tx_room(s->upper.ctx, handle);
}

static void h_event(void *user, const uint8_t *evt, size_t len)
{
	l2k_stack *s = user;
	if (s->upper.event)
		s->upper.event(s->upper.ctx, evt, len);
	if (s->sm)
		sm_hci_event(s->sm, evt, len);
	/* LE Advertising Report (Vol 4 Part E 7.7.65.2): Num_Reports then per report
	 * Event_Type Address_Type Address(6) Data_Length Data RSSI. */
	if (s->cbs.adv_report && len >= 4 && evt[0] == HCI_EV_LE_META && evt[2] == HCI_LE_ADV_REPORT) {
		const uint8_t *p = evt + 4;
		size_t left = len - 4;
		for (unsigned i = 0; i < evt[3]; i++) {
			if (left < 9 || left < 9 + (size_t)p[8] + 1)
				break;
			l2k_addr a;
			memcpy(a.b, p + 2, 6);
			size_t dl = p[8];
			s->cbs.adv_report(s->cbs.user, &a, (p[1] & 1) ? L2K_ADDR_LE_RANDOM : L2K_ADDR_LE_PUBLIC,
					  (int8_t)p[9 + dl], p + 9, dl);
			p += 10 + dl;
			left -= 10 + dl;
		}
	}
}

static void h_inquiry_result(void *user, const struct hci_inq_result *r)
{
	l2k_stack *s = user;
	if (!s->cbs.inquiry_result)
		return;
	struct l2k_inquiry_result o;
	memset(&o, 0, sizeof(o));
	memcpy(o.addr.b, r->addr.b, 6);
	memcpy(o.cod, r->cod, 3);
	o.has_rssi = r->has_rssi;
	o.rssi = r->rssi;
	o.eir = r->eir;
	o.eir_len = r->eir_len;
	s->cbs.inquiry_result(s->cbs.user, &o);
}

static void h_inquiry_complete(void *user, int err, uint8_t status)
{
	l2k_stack *s = user;
	if (s->cbs.inquiry_complete)
		s->cbs.inquiry_complete(s->cbs.user, err, status);
}

static void h_remote_name(void *user, const hci_bdaddr_t *peer, int err, uint8_t status, const char *name)
{
	l2k_stack *s = user;
	l2k_addr a;
	memcpy(a.b, peer->b, 6);
	if (s->cbs.remote_name)
		s->cbs.remote_name(s->cbs.user, &a, err, status, name);
}

static void h_error(void *user, int err, const char *msg)
{
	l2k_stack_set_error(user, err, msg);
}

/* The controller stopped responding (the HCI host's watchdogs): the stack fails as on a
 * transport failure (l2k_step returns err, nothing more goes to the transport); the host takes
 * every link down next, their channels close with L2K_CLOSE_CONTROLLER, and so do the channels
 * still waiting for a link, now. */
static void h_failed(void *user, int err)
{
	l2k_stack *s = user;
	if (!s->failed)
		s->failed = err;
	if (s->upper.controller_lost)
		s->upper.controller_lost(s->upper.ctx);
}

static void h_tap(void *user, bool incoming, uint8_t type, const uint8_t *pkt, size_t len)
{
	l2k_stack *s = user;
	if (!s->snoop)
		return;
	uint64_t us = s->virtual_clock ? 1767225600000000ULL + l2k_stack_now(s) * 1000ULL : l2k_realtime_us();
	hci_btsnoop_write(s->snoop, us, incoming, type, pkt, len);
}

/* ---- transport callbacks ------------------------------------------------------------------- */

static void t_rx(void *user, uint8_t type, const uint8_t *pkt, size_t len)
{
	l2k_stack *s = user;
	hci_host_input(s->hci, type, pkt, len);
}

static void t_err(void *user, int err, const char *msg)
{
	l2k_stack *s = user;
	s->failed = err < 0 ? err : L2K_EIO;
	l2k_stack_set_error(s, s->failed, msg);
	if (s->ready_err == 1) {
		s->ready_err = s->failed;
		if (s->cbs.ready)
			s->cbs.ready(s->cbs.user, s->failed);
	}
}

/* ---- lifetime ------------------------------------------------------------------------------ */

int l2k_stack_open(const char *spec, const struct l2k_stack_opts *opts,
		   const struct l2k_stack_cbs *cbs, l2k_stack **out, char *errbuf, size_t errlen)
{
	if (errbuf && errlen)
		errbuf[0] = '\0';
	struct transport *tr;
	int r = transport_open(spec, &tr, errbuf, errlen);
	if (r < 0)
		return r;
	return l2k_stack_open_transport(tr, opts, cbs, out, errbuf, errlen);
}

int l2k_stack_open_transport(struct transport *tr, const struct l2k_stack_opts *opts,
			     const struct l2k_stack_cbs *cbs, l2k_stack **out, char *errbuf,
			     size_t errlen)
{
	struct l2k_stack_opts o = {0};
	if (opts)
		o = *opts;
	l2k_stack *s = calloc(1, sizeof(*s));
	if (!s) {
		transport_close(tr);
		return L2K_ENOMEM;
	}
	if (cbs)
		s->cbs = *cbs;
	s->clock = o.clock;
	s->clock_arg = o.clock_arg;
	s->virtual_clock = o.clock != NULL;
	s->ready_err = 1;
	s->tr = tr;
	transport_set_callbacks(s->tr, t_rx, t_err, s);
	if (o.btsnoop_path) {
		s->snoop = hci_btsnoop_open(o.btsnoop_path);
		if (!s->snoop) {
			if (errbuf)
				snprintf(errbuf, errlen, "cannot create btsnoop file '%s'", o.btsnoop_path);
			transport_close(s->tr);
			free(s);
			return L2K_EIO;
		}
	}
	struct hci_host_config hc;
	hci_host_config_default(&hc);
	if (o.cmd_timeout_ms)
		hc.cmd_timeout_ms = o.cmd_timeout_ms;
	if (o.acl_tx_timeout_ms)
		hc.acl_tx_timeout_ms = o.acl_tx_timeout_ms == L2K_WATCHDOG_OFF ? HCI_WATCHDOG_OFF : o.acl_tx_timeout_ms;
	if (o.max_rx_pdu)
		hc.max_rx_pdu = o.max_rx_pdu;
	if (o.link_tx_queue)
		hc.tx_queue_bytes = o.link_tx_queue;
	hc.page_scan = !o.no_page_scan;
	hc.ssp = hc.sc = !(o.security && o.security->legacy_pairing);
	hc.ctrl_flow = !o.no_ctrl_flow;
	if (o.host_acl_buffers)
		hc.host_acl_count = o.host_acl_buffers;
	/* vendor start-up: the VID:PID given, else the transport's; firmware files from
	 * firmware_dir, /lib/firmware/updates, /lib/firmware (api/vendor_fw.c) */
	hc.vendor_init = !o.no_vendor_init;
	if (o.usb_id_set) {
		hc.usb_known = true;
		hc.usb_vid = o.usb_vid;
		hc.usb_pid = o.usb_pid;
	} else {
		hc.usb_known = transport_usb_id(tr, &hc.usb_vid, &hc.usb_pid);
	}
	if (o.firmware_dir)
		snprintf(s->fw_dir, sizeof(s->fw_dir), "%s", o.firmware_dir);
	hc.fw_load = l2k_firmware_load;
	hc.fw_arg = s;
	static const struct hci_host_ops hops = {
	    .send = h_send,
	    .ready = h_ready,
	    .link_up = h_link_up,
	    .connect_failed = h_connect_failed,
	    .link_down = h_link_down,
	    .acl_rx = h_acl_rx,
	    .acl_tx_room = h_acl_tx_room,
	    .event = h_event,
	    .error = h_error,
	    .failed = h_failed,
	    .tap = h_tap,
	    .inquiry_result = h_inquiry_result,
	    .inquiry_complete = h_inquiry_complete,
	    .remote_name = h_remote_name,
	};
	s->hci = hci_host_new(&hc, &hops, s);
	if (!s->hci) {
		hci_btsnoop_close(s->snoop);
		transport_close(s->tr);
		free(s);
		return L2K_ENOMEM;
	}
	struct l2cap_engine *e = l2cap_engine_new(s->hci, stack_clock, s);
	if (!e) {
		l2k_stack_close(s);
		return L2K_ENOMEM;
	}
	s->upper = (struct l2k_upper){
	    .ctx = e,
	    .link_up = l2cap_engine_link_up,
	    .link_down = l2cap_engine_link_down,
	    .acl_rx = l2cap_engine_acl_rx,
	    .acl_tx_room = l2cap_engine_acl_tx_room,
	    .event = l2cap_engine_event,
	    .tick = l2cap_engine_tick,
	    .next_timer = l2cap_engine_next_timer,
	    .destroy = l2cap_engine_free,
	    .link_failed = l2cap_engine_link_failed,
	    .controller_lost = l2cap_engine_controller_lost,
	};
	int r = security_open(s, o.security, errbuf, errlen);
	if (r < 0) {
		l2k_stack_close(s);
		return r;
	}
	hci_host_set_now(s->hci, l2k_stack_now(s));
	r = hci_host_start(s->hci);
	if (r < 0) {
		l2k_stack_close(s);
		return r;
	}
	*out = s;
	return 0;
}

/* Before the teardown, links still up are disconnected (HCI Disconnect, "remote user terminated
 * connection") and the controller gets up to CLOSE_LINGER_MS to report them gone: the peer sees
 * a clean end, and what was sent last (a Disconnection Response, say) reaches it first - a
 * controller whose transport is closed at once may drop it (BlueZ's emulator does).  Only on
 * the real clock: a virtual clock does not move by itself. */
#define CLOSE_LINGER_MS 500

static bool links_gone(void *arg)
{
	return hci_host_link_count(((l2k_stack *)arg)->hci) == 0;
}

static void close_links(l2k_stack *s)
{
	if (s->virtual_clock || s->failed || s->ready_err != 0)
		return;
	if (hci_host_disconnect_all(s->hci, HCI_ERR_REMOTE_USER_TERM) == 0)
		return;
	l2k_run_until(&s, 1, links_gone, s, CLOSE_LINGER_MS);
}

void l2k_stack_close(l2k_stack *s)
{
	if (!s)
		return;
	if (s->sf)
		sockface_stack_close(s); /* stops the stack's thread, frees the sockets */
	close_links(s);
	security_close(s);
	if (s->upper.destroy)
		s->upper.destroy(s->upper.ctx);
	hci_host_free(s->hci);
	transport_close(s->tr);
	hci_btsnoop_close(s->snoop);
	free(s);
}

/* ---- driving ------------------------------------------------------------------------------- */

int l2k_step(l2k_stack *s)
{
	uint64_t now = l2k_stack_now(s);
	hci_host_set_now(s->hci, now);
	if (!s->failed)
		transport_service(s->tr, now);
	hci_host_tick(s->hci, now);
	if (s->upper.tick)
		s->upper.tick(s->upper.ctx, now);
	if (s->sm)
		sm_tick(s->sm, now);
	return s->failed;
}

uint64_t l2k_next_due(l2k_stack *s)
{
	uint64_t t = s->failed ? UINT64_MAX : transport_next_due(s->tr);
	uint64_t h = hci_host_next_timer(s->hci);
	if (h < t)
		t = h;
	if (s->upper.next_timer) {
		uint64_t u = s->upper.next_timer(s->upper.ctx);
		if (u < t)
			t = u;
	}
	if (s->sm) {
		uint64_t m = sm_next_timer(s->sm);
		if (m < t)
			t = m;
	}
	return t;
}

int l2k_fd(l2k_stack *s)
{
	return s->failed ? -1 : transport_fd(s->tr);
}

bool l2k_fd_wants_write(l2k_stack *s)
{
	return !s->failed && transport_want_write(s->tr);
}

void l2k_break(l2k_stack *s)
{
	s->stop = true;
}

const char *l2k_last_error(l2k_stack *s)
{
	return s->last_error;
}

int l2k_controller_info(l2k_stack *s, struct l2k_controller_info *out)
{
	if (!hci_host_is_ready(s->hci))
		return L2K_ENETDOWN;
	const struct hci_controller_info *in = hci_host_info(s->hci);
	memset(out, 0, sizeof(*out));
	memcpy(out->addr.b, in->addr.b, 6);
	out->hci_version = in->hci_version;
	out->hci_revision = in->hci_revision;
	out->lmp_version = in->lmp_version;
	out->manufacturer = in->manufacturer;
	out->lmp_subversion = in->lmp_subversion;
	out->acl_mtu = in->acl_mtu;
	out->acl_count = in->acl_count;
	if (in->le) {
		out->le_shared = in->le_shared;
		out->le_acl_mtu = in->le_shared ? in->acl_mtu : in->le_acl_mtu;
		out->le_acl_count = in->le_shared ? in->acl_count : in->le_acl_count;
	}
	out->bredr = in->bredr;
	out->le = in->le;
	out->ctrl_flow_supported = in->ctrl_flow_supported;
	out->ctrl_flow = in->ctrl_flow;
	out->host_acl_mtu = in->host_acl_len;
	out->host_acl_count = in->host_acl_count;
	return 0;
}

int l2k_vendor_startup(l2k_stack *s, struct l2k_vendor_startup *out)
{
	if (!s || !out)
		return L2K_EINVAL;
	const struct hci_vendor_info *v = hci_host_vendor_info(s->hci);
	memset(out, 0, sizeof(*out));
	snprintf(out->family, sizeof(out->family), "%s", hci_vendor_family_name(v->family));
	out->usb_known = v->usb_known;
	out->usb_vid = v->usb_vid;
	out->usb_pid = v->usb_pid;
	out->skipped = v->skipped;
	out->loaded = v->loaded;
	snprintf(out->chip, sizeof(out->chip), "%s", v->chip);
	snprintf(out->file, sizeof(out->file), "%s", v->file);
	snprintf(out->file2, sizeof(out->file2), "%s", v->file2);
	snprintf(out->before, sizeof(out->before), "%s", v->before);
	snprintf(out->after, sizeof(out->after), "%s", v->after);
	snprintf(out->note, sizeof(out->note), "%s", v->note);
	out->chunks = v->chunks;
	out->bytes = v->bytes;
	return 0;
}

const char *l2k_usb_vendor_startup(uint16_t vid, uint16_t pid, const char **family, const char **package)
{
	struct hci_vendor_usb u;
	hci_vendor_usb_lookup(vid, pid, &u);
	if (family)
		*family = hci_vendor_family_name(u.family);
	if (package)
		*package = u.package;
	return u.family == HCI_VENDOR_NONE ? NULL : u.needs;
}

static void stats_from_link(const struct hci_link_stats *in, struct l2k_hci_stats *out)
{
	out->acl_rx_packets = in->rx_frags;
	out->acl_rx_pdus = in->rx_pdus;
	out->acl_bad_header = in->rx_drop_bad_header;
	out->acl_cont_without_start = in->rx_drop_cont_without_start;
	out->acl_overrun = in->rx_drop_overrun;
	out->acl_short_start = in->rx_drop_short_start;
	out->acl_too_big = in->rx_drop_too_big;
	out->acl_incomplete = in->rx_drop_incomplete;
}

int l2k_hci_stats(l2k_stack *s, struct l2k_hci_stats *out)
{
	const struct hci_host_stats *in = hci_host_stats(s->hci);
	memset(out, 0, sizeof(*out));
	struct hci_link_stats ls = {
	    .rx_frags = in->rx_frags,
	    .rx_pdus = in->rx_pdus,
	    .rx_drop_cont_without_start = in->rx_drop_cont_without_start,
	    .rx_drop_overrun = in->rx_drop_overrun,
	    .rx_drop_short_start = in->rx_drop_short_start,
	    .rx_drop_too_big = in->rx_drop_too_big,
	    .rx_drop_incomplete = in->rx_drop_incomplete,
	    .rx_drop_bad_header = in->rx_drop_bad_header,
	};
	stats_from_link(&ls, out);
	out->acl_unknown_handle = in->rx_drop_unknown_handle;
	out->evt_malformed = in->evt_malformed;
	out->nocp_excess = in->nocp_excess;
	out->rx_after_failure = in->rx_after_failure;
	out->cmd_timeouts = in->cmd_timeouts;
	out->probes = in->probes;
	return 0;
}

int l2k_link_stats(l2k_stack *s, uint16_t handle, struct l2k_hci_stats *out)
{
	struct hci_link_stats ls;
	int r = hci_host_link_stats(s->hci, handle, &ls);
	if (r < 0)
		return r;
	memset(out, 0, sizeof(*out));
	stats_from_link(&ls, out);
	return 0;
}

/* ---- links --------------------------------------------------------------------------------- */

int l2k_addr_parse(const char *str, l2k_addr *out)
{
	hci_bdaddr_t a;
	int r = hci_bdaddr_parse(str, &a);
	if (r == 0)
		memcpy(out->b, a.b, 6);
	return r;
}

char *l2k_addr_str(const l2k_addr *a, char out[18])
{
	hci_bdaddr_t b;
	memcpy(b.b, a->b, 6);
	hci_bdaddr_str(&b, out);
	return out;
}

int l2k_link_connect(l2k_stack *s, const l2k_addr *peer, enum l2k_addr_type type)
{
	hci_bdaddr_t a;
	memcpy(a.b, peer->b, 6);
	if (type == L2K_ADDR_BREDR)
		return hci_host_connect(s->hci, HCI_LINK_BREDR, &a, 0);
	int r = hci_host_connect(s->hci, HCI_LINK_LE, &a,
				 type == L2K_ADDR_LE_RANDOM ? HCI_ADDR_LE_RANDOM : HCI_ADDR_LE_PUBLIC);
	if (r == 0)
		hci_host_le_connect_pin(s->hci, &a); /* closing a channel does not cancel it */
	return r;
}

int l2k_link_cancel(l2k_stack *s, const l2k_addr *peer, enum l2k_addr_type type)
{
	if (type == L2K_ADDR_BREDR)
		return L2K_ENOTSUP;
	hci_bdaddr_t a;
	memcpy(a.b, peer->b, 6);
	return hci_host_connect_cancel(s->hci, HCI_LINK_LE, &a);
}

int l2k_link_disconnect(l2k_stack *s, uint16_t handle, uint8_t hci_reason)
{
	return hci_host_disconnect(s->hci, handle, hci_reason ? hci_reason : HCI_ERR_REMOTE_USER_TERM);
}

int l2k_set_connectable(l2k_stack *s, bool on)
{
	return hci_host_set_connectable(s->hci, on);
}

int l2k_le_advertise(l2k_stack *s, bool on, const uint8_t *ad, size_t ad_len)
{
	return hci_host_le_advertise(s->hci, on, ad, ad_len);
}

int l2k_le_advertise_keep(l2k_stack *s, const uint8_t *ad, size_t ad_len, unsigned max_links)
{
	return hci_host_le_advertise_keep(s->hci, ad, ad_len, max_links);
}

int l2k_le_scan(l2k_stack *s, bool on)
{
	return hci_host_le_scan(s->hci, on, false);
}

int l2k_inquiry(l2k_stack *s, unsigned seconds, unsigned max_results)
{
	if (seconds < 1 || seconds > 61)
		return L2K_EINVAL;
	/* Inquiry_Length in units of 1.28 s, rounded up: 61 s -> 48 (61.44 s) */
	unsigned units = (seconds * 100u + 127u) / 128u;
	return hci_host_inquiry(s->hci, (uint8_t)units, (uint8_t)(max_results > 255 ? 255 : max_results));
}

int l2k_inquiry_cancel(l2k_stack *s)
{
	return hci_host_inquiry_cancel(s->hci);
}

int l2k_remote_name(l2k_stack *s, const l2k_addr *peer)
{
	hci_bdaddr_t a;
	memcpy(a.b, peer->b, 6);
	return hci_host_remote_name(s->hci, &a);
}

int l2k_set_discoverable(l2k_stack *s, bool on)
{
	return hci_host_set_discoverable(s->hci, on);
}

int l2k_set_local_name(l2k_stack *s, const char *name)
{
	return hci_host_set_local_name(s->hci, name);
}

int l2k_eir_parse(const uint8_t *data, size_t len, struct l2k_eir *out)
{
	struct hci_eir e;
	int r = hci_eir_parse(data, len, &e);
	memset(out, 0, sizeof(*out));
	out->has_name = e.has_name;
	out->name_complete = e.name_complete;
	memcpy(out->name, e.name, sizeof(out->name));
	out->has_flags = e.has_flags;
	out->flags = e.flags;
	out->has_tx_power = e.has_tx_power;
	out->tx_power = e.tx_power;
	out->n_uuids = e.n_uuids;
	for (unsigned i = 0; i < e.n_uuids; i++) {
		out->uuids[i].size = e.uuids[i].size;
		memcpy(out->uuids[i].b, e.uuids[i].b, 16);
	}
	out->uuids_dropped = e.uuids_dropped;
	out->uuids_complete = e.uuids_complete;
	return r;
}

int l2k_link_find(l2k_stack *s, const l2k_addr *peer, enum l2k_addr_type type, uint16_t *handle)
{
	const struct hci_link_info *li = hci_host_link_to(s->hci, peer->b, type != L2K_ADDR_BREDR);
	if (!li)
		return L2K_ENOLINK;
	*handle = li->handle;
	return 0;
}

int l2k_list_controllers(struct l2k_controller_entry *out, size_t max, size_t *count, char *note, size_t notelen)
{
	struct transport_dev devs[32];
	char nb[256];
	size_t n = 0;
	transport_list(devs, 32, &n, nb, sizeof(nb));
	if (note && notelen)
		snprintf(note, notelen, "%s", nb);
	*count = n;
	for (size_t i = 0; i < n && i < max && i < 32; i++) {
		struct l2k_controller_entry *e = &out[i];
		const struct transport_dev *d = &devs[i];
		memset(e, 0, sizeof(*e));
		memcpy(e->spec, d->spec, sizeof(e->spec));
		e->usb = d->usb;
		e->vid = d->vid;
		e->pid = d->pid;
		memcpy(e->where, d->where, sizeof(e->where));
		memcpy(e->manufacturer, d->manufacturer, sizeof(e->manufacturer));
		memcpy(e->product, d->product, sizeof(e->product));
		e->strings_unreadable = d->strings_unreadable;
		memcpy(e->driver, d->driver, sizeof(e->driver));
		memcpy(e->bdaddr, d->bdaddr, sizeof(e->bdaddr));
	}
	return 0;
}
