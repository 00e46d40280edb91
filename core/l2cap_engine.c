/* The L2CAP engine: links, PDU dispatch by CID (Vol 3 Part A 2.1, 3), fixed channels,
 * outstanding signaling requests and their RTX/ERTX timers, Echo. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/l2cap_int.h"

/* ---- links ---------------------------------------------------------------------------------- */

struct l2cap_link *l2cap_link_get(struct l2cap_engine *e, uint16_t handle)
{
	if (handle >= 4096 || e->link_by_handle[handle] < 0)
		return NULL;
	return e->links[e->link_by_handle[handle]];
}

int l2cap_link_find(struct l2cap_engine *e, const l2k_addr *peer, enum l2k_addr_type type, uint16_t *handle)
{
	const struct hci_link_info *li = hci_host_link_to(e->hci, peer->b, type != L2K_ADDR_BREDR);
	if (!li)
		return L2K_ENOLINK;
	*handle = li->handle;
	return 0;
}

int l2cap_link_create(struct l2cap_engine *e, const l2k_addr *peer, enum l2k_addr_type type)
{
	hci_bdaddr_t a;
	memcpy(a.b, peer->b, 6);
	if (type == L2K_ADDR_BREDR)
		return hci_host_connect(e->hci, HCI_LINK_BREDR, &a, 0);
	return hci_host_connect(e->hci, HCI_LINK_LE, &a,
				type == L2K_ADDR_LE_RANDOM ? HCI_ADDR_LE_RANDOM : HCI_ADDR_LE_PUBLIC);
}

void l2cap_link_attempt_release(struct l2cap_engine *e, const l2k_addr *peer, enum l2k_addr_type type)
{
	bool le = type != L2K_ADDR_BREDR;
	if (!le)
		return; /* paging ends by itself (Page Timeout) */
	for (struct l2k_chan *w = e->waiting; w; w = w->next_pending)
		if (!memcmp(w->peer.b, peer->b, 6) && w->peer_type != L2K_ADDR_BREDR)
			return; /* another channel still waits for this link */
	/* nobody waits for it any more: an LE controller would initiate for ever (LE Create
	 * Connection has no timeout) and refuse every other LE Create Connection meanwhile
	 * (Command Disallowed).  L2K_ENOENT: no attempt of ours to this peer is under way. */
	hci_bdaddr_t a;
	memcpy(a.b, peer->b, 6);
	hci_host_connect_release(e->hci, &a);
}

struct l2k_chan *l2cap_link_chan(struct l2cap_link *l, uint16_t lcid)
{
	if (lcid < L2CAP_CID_DYN_START)
		return NULL;
	size_t i = (size_t)(lcid - L2CAP_CID_DYN_START);
	return i < l->chans_cap ? l->chans[i] : NULL;
}

struct l2k_chan *l2cap_link_chan_by_rcid(struct l2cap_link *l, uint16_t rcid)
{
	/* Only used on signaling paths (a peer's request naming its own CID). */
	for (size_t i = 0; i < l->chans_cap; i++)
		if (l->chans[i] && l->chans[i]->rcid == rcid && l->chans[i]->state != CH_CLOSED)
			return l->chans[i];
	return NULL;
}

static void info_timer_fire(struct timer *t, uint64_t now);
static void sig_timer_fire(struct timer *t, uint64_t now);

void l2cap_engine_link_up(void *ctx, const struct hci_link_info *li)
{
	struct l2cap_engine *e = ctx;
	struct l2cap_link *l = NULL;
	int idx = -1;
	l2cap_sync_now(e);
	/* Slots are allocated when first needed and reused (never freed before the engine): code
	 * that runs callbacks checks l->used afterwards to learn whether the link went away. */
	for (unsigned i = 0; i < e->max_links; i++)
		if (!e->links[i] || !e->links[i]->used) {
			if (!e->links[i] && !(e->links[i] = malloc(sizeof(struct l2cap_link))))
				return; /* out of memory: the link stays unusable for L2CAP */
			l = e->links[i];
			idx = (int)i;
			break;
		}
	if (!l)
		return; /* the HCI host has the same bound; cannot happen */
	memset(l, 0, offsetof(struct l2cap_link, pend));
	l->eng = e;
	l->used = true;
	l->handle = li->handle;
	l->le = li->type == HCI_LINK_LE;
	memcpy(l->peer.b, li->peer.b, 6);
	l->peer_type = !l->le ? L2K_ADDR_BREDR
			      : (li->peer_addr_type == HCI_ADDR_LE_RANDOM ? L2K_ADDR_LE_RANDOM : L2K_ADDR_LE_PUBLIC);
	l->role = li->role;
	l->next_ident = 1;
	l->info_timer.fire = info_timer_fire;
	l->sig_timer.fire = sig_timer_fire;
	e->link_by_handle[li->handle] = (int16_t)idx;
	l2cap_chan_link_ready(l);
}

static void link_free(struct l2cap_engine *e, struct l2cap_link *l, uint8_t reason)
{
	/* the HCI host ended every link because the controller stopped responding, or the link
	 * went down */
	bool ctrl = hci_host_failed(e->hci) != 0;
	/* channels first: they may still look at the link */
	for (size_t i = 0; i < l->chans_cap; i++) {
		struct l2k_chan *ch = l->chans[i];
		if (ch) {
			ch->hci_reason = reason;
			l2cap_chan_closed(ch, ctrl ? L2K_CLOSE_CONTROLLER : L2K_CLOSE_LINK_LOST);
		}
	}
	for (int i = 0; i < l->pend_top; i++) {
		struct l2cap_pending_sig *p = &l->pend[i];
		if (p->ident && p->echo_cb) {
			l2k_echo_cb cb = p->echo_cb;
			void *u = p->echo_user;
			p->ident = 0;
			cb(u, ctrl ? hci_host_failed(e->hci) : L2K_ELINKLOSS, NULL, 0, 0);
		}
		p->ident = 0;
	}
	l2cap_fixed_room_tell(l, L2K_ELINKLOSS);
	timer_cancel(&e->timers, &l->info_timer);
	timer_cancel(&e->timers, &l->sig_timer);
	free(l->chans);
	e->link_by_handle[l->handle] = -1;
	memset(l, 0, offsetof(struct l2cap_link, pend));
}

/* Basic mode has no flow control of its own (Vol 3 Part A 3.1): while the receiver of an open
 * Basic channel holds (the socket face's queue is full, or l2k_chan_set_busy), the HCI host
 * keeps the link's incoming ACL packets unprocessed and does not report them completed, so the
 * controller stops taking data from the air and the sender slows down (controller-to-host flow
 * control, hci/rxflow.c).  The whole link waits - signaling and its other channels too - until
 * no Basic channel on it holds. */
void l2cap_link_rx_hold_update(struct l2cap_link *l, const struct l2k_chan *leaving)
{
	struct hci_host *hci = l->eng->hci;
	if (!hci_host_ctrl_flow(hci))
		return;
	bool hold = false;
	for (size_t i = 0; i < l->chans_cap && !hold; i++) {
		const struct l2k_chan *ch = l->chans[i];
		hold = ch && ch != leaving && ch->state == CH_OPEN && ch->ops && ch->mode == L2K_MODE_BASIC &&
		       ch->rx_hold;
	}
	if (hold != l->rx_held && hci_host_acl_rx_hold(hci, l->handle, hold) == 0)
		l->rx_held = hold;
}

bool l2cap_basic_rx_flow(const struct l2k_chan *ch)
{
	return ch->mode == L2K_MODE_BASIC && hci_host_ctrl_flow(ch->eng->hci);
}

void l2cap_engine_link_down(void *ctx, uint16_t handle, uint8_t reason)
{
	struct l2cap_engine *e = ctx;
	struct l2cap_link *l = l2cap_link_get(e, handle);
	if (l)
		link_free(e, l, reason);
}

static void start_timer_fire(struct timer *t, uint64_t now)
{
	struct l2cap_engine *e = (struct l2cap_engine *)((char *)t - offsetof(struct l2cap_engine, start_timer));
	(void)now;
	/* l2cap_chan_link_ready() takes every waiting channel of its link off the list (started
	 * or failed), so each pass shortens it; channels whose link is still coming stay. */
	for (;;) {
		struct l2cap_link *up = NULL;
		for (struct l2k_chan *ch = e->waiting; ch && !up; ch = ch->next_pending) {
			uint16_t h;
			if (l2cap_link_find(e, &ch->peer, ch->peer_type, &h) == 0)
				up = l2cap_link_get(e, h);
		}
		if (!up)
			return;
		l2cap_chan_link_ready(up);
	}
}

void l2cap_start_waiting_soon(struct l2cap_engine *e)
{
	l2cap_sync_now(e);
	timer_arm(&e->timers, &e->start_timer, e->now);
}

/* ---- sending -------------------------------------------------------------------------------- */

int l2cap_send_pdu(struct l2cap_link *l, uint16_t cid, const uint8_t *const *parts,
		   const size_t *lens, int n)
{
	uint8_t hdr[L2CAP_HDR_LEN];
	struct hci_iov iov[8];
	size_t total = 0;
	if (n > 7)
		return L2K_EINVAL;
	for (int i = 0; i < n; i++) {
		iov[i + 1].p = parts[i];
		iov[i + 1].len = lens[i];
		total += lens[i];
	}
	if (total > 0xFFFF)
		return L2K_EMSGSIZE;
	iov[0].p = hdr;
	iov[0].len = l2cap_hdr_pack(hdr, sizeof(hdr), (uint16_t)total, cid);
	return hci_host_acl_sendv(l->eng->hci, l->handle, iov, n + 1);
}

static bool is_response(uint8_t code)
{
	switch (code) {
	case L2CAP_COMMAND_REJECT_RSP:
	case L2CAP_CONNECTION_RSP:
	case L2CAP_CONFIGURATION_RSP:
	case L2CAP_DISCONNECTION_RSP:
	case L2CAP_ECHO_RSP:
	case L2CAP_INFORMATION_RSP:
	case L2CAP_CONN_PARAM_UPDATE_RSP:
	case L2CAP_LE_CREDIT_BASED_CONNECTION_RSP:
	case L2CAP_CREDIT_BASED_CONNECTION_RSP:
	case L2CAP_CREDIT_BASED_RECONFIGURE_RSP:
		return true;
	default:
		return false;
	}
}

static int send_sig(struct l2cap_link *l, const uint8_t *cmd, size_t len, bool after_data)
{
	if (len > 0xFFFF)
		return L2K_EMSGSIZE;
	uint8_t hdr[L2CAP_HDR_LEN];
	uint8_t bad[512];
	if ((l->eng->defects & L2CAP_DEFECT_WRONG_IDENT) && len >= 2 && len <= sizeof(bad) &&
	    is_response(cmd[0])) {
		memcpy(bad, cmd, len); /* TEST ONLY (l2k_test_defect "wrong-ident") */
		bad[1] = (uint8_t)(cmd[1] + 1);
		cmd = bad;
	}
	struct hci_iov iov[2] = {
	    {hdr, l2cap_hdr_pack(hdr, sizeof(hdr), (uint16_t)len, l->le ? L2CAP_CID_LE_SIGNALING : L2CAP_CID_SIGNALING)},
	    {cmd, len}};
	int r = hci_host_acl_send_sig(l->eng->hci, l->handle, iov, 2, after_data);
	/* The signaling queue holds HCI_SIG_QUEUE_BYTES apart from data: it is full only when the
	 * controller took nothing for a long time or the peer floods us with requests.  The
	 * command is then lost like a radio packet, and counted. */
	if (r == L2K_ENOBUFS)
		l->eng->sig_dropped++;
	return r;
}

int l2cap_send_sig(struct l2cap_link *l, const uint8_t *cmd, size_t len)
{
	return send_sig(l, cmd, len, false);
}

int l2cap_send_sig_after_data(struct l2cap_link *l, const uint8_t *cmd, size_t len)
{
	return send_sig(l, cmd, len, true);
}

size_t l2cap_link_sig_room(struct l2cap_link *l)
{
	size_t r = hci_host_acl_sig_room(l->eng->hci, l->handle);
	return r > 4 ? r - 4 : 0;
}

uint8_t l2cap_next_ident(struct l2cap_link *l)
{
	/* 0x00 is never used (4); skip identifiers of requests still outstanding */
	for (int tries = 0; tries < 255; tries++) {
		uint8_t id = l->next_ident;
		l->next_ident = (uint8_t)(id == 255 ? 1 : id + 1);
		if (!l2cap_pend_find(l, id))
			return id;
	}
	return l->next_ident;
}

/* ---- outstanding requests ------------------------------------------------------------------- */

struct l2cap_pending_sig *l2cap_pend_find(struct l2cap_link *l, uint8_t ident)
{
	if (!ident)
		return NULL;
	for (int i = 0; i < l->pend_top; i++)
		if (l->pend[i].ident == ident)
			return &l->pend[i];
	return NULL;
}

void l2cap_link_rearm_sig_timer(struct l2cap_link *l)
{
	uint64_t due = UINT64_MAX;
	/* slots above the highest one in use are free: pend_top shrinks as they empty */
	while (l->pend_top > 0 && !l->pend[l->pend_top - 1].ident)
		l->pend_top--;
	for (int i = 0; i < l->pend_top; i++)
		if (l->pend[i].ident && l->pend[i].due < due)
			due = l->pend[i].due;
	if (due == UINT64_MAX)
		timer_cancel(&l->eng->timers, &l->sig_timer);
	else
		timer_arm(&l->eng->timers, &l->sig_timer, due);
}

struct l2cap_pending_sig *l2cap_pend_add(struct l2cap_link *l, uint8_t ident, uint8_t code,
					 uint16_t cid, uint32_t timeout_ms)
{
	/* a free slot below pend_top, else the next one (never read before this clears it) */
	for (int i = 0; i < L2CAP_MAX_PENDING_SIG && i <= l->pend_top; i++) {
		struct l2cap_pending_sig *p = &l->pend[i];
		if (i < l->pend_top && p->ident)
			continue;
		memset(p, 0, sizeof(*p));
		if (i >= l->pend_top)
			l->pend_top = (uint16_t)(i + 1);
		l2cap_sync_now(l->eng);
		p->ident = ident;
		p->code = code;
		p->cid = cid;
		p->sent_at = l->eng->now;
		p->due = l->eng->now + timeout_ms;
		l2cap_link_rearm_sig_timer(l);
		return p;
	}
	return NULL;
}

void l2cap_link_rtt_sample(struct l2cap_link *l, uint64_t sent_at)
{
	l2cap_sync_now(l->eng);
	uint64_t d = l->eng->now >= sent_at ? l->eng->now - sent_at : 0;
	uint32_t ms = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
	if (!l->rtt_known || ms < l->rtt_ms)
		l->rtt_ms = ms;
	l->rtt_known = true;
}

void l2cap_pend_del(struct l2cap_link *l, struct l2cap_pending_sig *p)
{
	p->ident = 0;
	l2cap_link_rearm_sig_timer(l);
}

static void sig_timer_fire(struct timer *t, uint64_t now)
{
	struct l2cap_link *l = (struct l2cap_link *)((char *)t - offsetof(struct l2cap_link, sig_timer));
	for (int i = 0; i < l->pend_top; i++) {
		struct l2cap_pending_sig *p = &l->pend[i];
		if (!p->ident || p->due > now)
			continue;
		struct l2cap_pending_sig copy = *p;
		p->ident = 0;
		if (copy.echo_cb)
			copy.echo_cb(copy.echo_user, L2K_ETIMEDOUT, NULL, 0, 0);
		else
			l2cap_sig_timeout(l, &copy);
		if (!l->used)
			return; /* the callback tore the link down */
	}
	l2cap_link_rearm_sig_timer(l);
}

static void info_timer_fire(struct timer *t, uint64_t now)
{
	struct l2cap_link *l = (struct l2cap_link *)((char *)t - offsetof(struct l2cap_link, info_timer));
	/* The peer never answered our Information Request: go on as with a 1.1 peer. */
	for (int i = 0; i < l->pend_top; i++)
		if (l->pend[i].ident && l->pend[i].code == L2CAP_INFORMATION_REQ)
			l->pend[i].ident = 0;
	l->info_state = INFO_DONE;
	l2cap_chan_link_ready(l);
}

/* ---- receiving ------------------------------------------------------------------------------ */

static struct l2cap_fixed_bind *fixed_find(struct l2cap_engine *e, uint16_t cid, bool le)
{
	for (int i = 0; i < L2CAP_MAX_FIXED; i++)
		if (e->fixed[i].used && e->fixed[i].cid == cid && e->fixed[i].le == le)
			return &e->fixed[i];
	return NULL;
}

static void smp_not_supported(struct l2cap_link *l, uint16_t cid, const uint8_t *p, size_t n)
{
	/* No SMP handler bound: answer a Pairing Request with Pairing Failed "Pairing Not
	 * Supported" (Vol 3 Part H 3.5.5, reason 0x05) so the peer does not wait 30 s. */
	if (n >= 1 && p[0] == 0x01) {
		uint8_t f[2] = {0x05, 0x05};
		const uint8_t *parts[1] = {f};
		size_t lens[1] = {2};
		l2cap_send_pdu(l, cid, parts, lens, 1);
	}
}

void l2cap_engine_acl_rx(void *ctx, uint16_t handle, const uint8_t *pdu, size_t len)
{
	struct l2cap_engine *e = ctx;
	struct l2cap_link *l = l2cap_link_get(e, handle);
	if (!l)
		return;
	l2cap_sync_now(e);
	struct l2cap_hdr h;
	if (l2cap_pdu_parse(pdu, len, &h) < 0) {
		/* shorter than a basic header, or its Length disagrees with what arrived: drop
		 * (COS/CED/BI-03) */
		e->drop_bad_length++;
		return;
	}
	const uint8_t *p = pdu + L2CAP_HDR_LEN;
	switch (h.cid) {
	case L2CAP_CID_NULL:
		e->drop_unknown_cid++;
		return;
	case L2CAP_CID_SIGNALING:
		if (!l->le)
			l2cap_sig_input(l, p, h.len);
		else
			e->drop_unknown_cid++;
		return;
	case L2CAP_CID_LE_SIGNALING:
		if (l->le)
			l2cap_sigle_input(l, p, h.len);
		else
			e->drop_unknown_cid++;
		return;
	default: break;
	}
	if (h.cid < L2CAP_CID_DYN_START) {
		struct l2cap_fixed_bind *b = fixed_find(e, h.cid, l->le);
		if (h.cid == L2CAP_CID_CONNECTIONLESS && !l->le) {
			/* G-frame: PSM then the payload (3.2) */
			struct l2cap_gframe g;
			if (!b || l2cap_gframe_parse(pdu, len, &g) < 0) {
				e->drop_unknown_cid++;
				return;
			}
			if (b->psm && b->psm != g.psm)
				return;
			/* l2kit.h: the PSM is stripped for the application (it bound the PSM) */
			b->cb(b->user, handle, g.payload, g.payload_len);
			return;
		}
		if (b) {
			b->cb(b->user, handle, p, h.len);
			return;
		}
		if ((h.cid == L2CAP_CID_SMP && l->le) || (h.cid == L2CAP_CID_BREDR_SMP && !l->le))
			smp_not_supported(l, h.cid, p, h.len);
		e->drop_unknown_cid++;
		return;
	}
	struct l2k_chan *ch = l2cap_link_chan(l, h.cid);
	if (!ch || ch->state != CH_OPEN || !ch->ops) {
		/* unassigned CID: silently dropped (LE/CID/BI-01) */
		e->drop_unknown_cid++;
		return;
	}
	if (ch->ops->rx_pdu)
		ch->ops->rx_pdu(ch, pdu, len);
	else
		ch->ops->rx(ch, p, h.len);
}

void l2cap_engine_acl_tx_room(void *ctx, uint16_t handle)
{
	struct l2cap_engine *e = ctx;
	struct l2cap_link *l = l2cap_link_get(e, handle);
	if (l)
		l2cap_link_pump(l);
}

/* The stack's clock as the engine's now.  l2k_step() hands the transport's packets in before
 * it ticks the engine, and API calls come between steps, so e->now can be stale there: RTX,
 * ERTX and the other timers must run from the moment a request is really sent (6.2.1), and an
 * echo's round trip is measured from then too. */
void l2cap_sync_now(struct l2cap_engine *e)
{
	uint64_t now = e->clock(e->clock_arg);
	if (now > e->now)
		e->now = now;
}

void l2cap_engine_tick(void *ctx, uint64_t now)
{
	struct l2cap_engine *e = ctx;
	if (now > e->now)
		e->now = now;
	timers_run(&e->timers, e->now);
}

uint64_t l2cap_engine_next_timer(void *ctx)
{
	return timers_next(&((struct l2cap_engine *)ctx)->timers);
}

void l2cap_engine_event(void *ctx, const uint8_t *evt, size_t len)
{
	/* LE Remote Connection Parameter Request: accept what the peer asks within the ranges
	 * (the host may refuse; l2kit does not impose its own policy). Vol 4 Part E 7.7.65.6 */
	struct l2cap_engine *e = ctx;
	if (len >= 2 + 11 && evt[0] == HCI_EV_LE_META && evt[2] == HCI_LE_REMOTE_CONN_PARAM_REQ) {
		const uint8_t *p = evt + 3;
		uint8_t c[14];
		memcpy(c, p, 10); /* handle, interval min/max, latency, timeout */
		put_le16(c + 10, 0);
		put_le16(c + 12, 0);
		hci_host_cmd(e->hci, HCI_OP_LE_REMOTE_CONN_PARAM_REPLY, c, 14, NULL, NULL);
	}
}

void l2cap_engine_free(void *ctx)
{
	struct l2cap_engine *e = ctx;
	for (unsigned i = 0; i < e->max_links; i++)
		if (e->links[i] && e->links[i]->used)
			link_free(e, e->links[i], HCI_ERR_LOCAL_HOST_TERM);
	/* channels still waiting for a link */
	while (e->waiting) {
		struct l2k_chan *ch = e->waiting;
		l2cap_chan_closed(ch, L2K_CLOSE_LOCAL);
	}
	timer_cancel(&e->timers, &e->start_timer);
	timers_free(&e->timers);
	for (unsigned i = 0; i < e->max_links; i++)
		free(e->links[i]);
	free(e->links);
	free(e);
}

void l2cap_engine_link_failed(void *ctx, const l2k_addr *peer, bool le, uint8_t status)
{
	l2cap_link_failed(ctx, peer, le, status);
}

void l2cap_engine_controller_lost(void *ctx)
{
	struct l2cap_engine *e = ctx;
	while (e->waiting)
		l2cap_chan_closed(e->waiting, L2K_CLOSE_CONTROLLER);
}

struct l2cap_engine *l2cap_engine_new(struct hci_host *hci, uint64_t (*clock)(void *arg), void *clock_arg)
{
	struct l2cap_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->hci = hci;
	e->clock = clock;
	e->clock_arg = clock_arg;
	e->max_links = 64;
	e->links = calloc(e->max_links, sizeof(*e->links));
	if (!e->links) {
		free(e);
		return NULL;
	}
	memset(e->link_by_handle, 0xFF, sizeof(e->link_by_handle)); /* all -1: no link */
	timers_init(&e->timers);
	e->start_timer.fire = start_timer_fire;
	e->sig_mtu_bredr = 672;
	e->sig_mtu_le = 23;
	e->rtx_ms = 10000;
	e->ertx_ms = 60000;
	e->info_timeout_ms = 4000;
	e->now = clock(clock_arg);
	return e;
}

void l2cap_engine_set_security(struct l2cap_engine *e, const struct l2cap_security *sec)
{
	e->sec = *sec;
}

/* ---- features ------------------------------------------------------------------------------- */

uint32_t l2cap_local_features(void)
{
	/* Exactly what is implemented (4.12). */
	uint32_t f = L2CAP_FEAT_FIXED_CHANNELS | L2CAP_FEAT_UCD;
	if (l2cap_mode_supported(L2K_MODE_FLOWCTL))
		f |= L2CAP_FEAT_FLOW_CONTROL;
	if (l2cap_mode_supported(L2K_MODE_RETRANS))
		f |= L2CAP_FEAT_RETRANSMISSION;
	if (l2cap_mode_supported(L2K_MODE_ERTM))
		f |= L2CAP_FEAT_ERTM | L2CAP_FEAT_FCS | L2CAP_FEAT_EXT_WINDOW | L2CAP_FEAT_EXT_FLOW_SPEC;
	if (l2cap_mode_supported(L2K_MODE_STREAMING))
		f |= L2CAP_FEAT_STREAMING | L2CAP_FEAT_FCS;
	if (l2cap_mode_supported(L2K_MODE_ECFC))
		f |= L2CAP_FEAT_ECFC;
	return f;
}

uint64_t l2cap_local_fixed_channels(void)
{
	return L2CAP_FIXED_CHAN_SIGNALING | L2CAP_FIXED_CHAN_CONNECTIONLESS;
}

/* ---- fixed channels API --------------------------------------------------------------------- */

int l2cap_fixed_bind(struct l2cap_engine *e, uint16_t cid, bool le, uint16_t psm, l2k_fixed_rx_cb cb, void *user)
{
	if (!cb || cid == L2CAP_CID_NULL || cid >= L2CAP_CID_DYN_START || cid == L2CAP_CID_SIGNALING ||
	    cid == L2CAP_CID_LE_SIGNALING)
		return L2K_EINVAL;
	if (cid == L2CAP_CID_CONNECTIONLESS && le)
		return L2K_EINVAL; /* connectionless data is BR/EDR only */
	if (fixed_find(e, cid, le))
		return L2K_EADDRINUSE;
	for (int i = 0; i < L2CAP_MAX_FIXED; i++) {
		struct l2cap_fixed_bind *b = &e->fixed[i];
		if (b->used)
			continue;
		b->used = true;
		b->cid = cid;
		b->le = le;
		b->psm = psm;
		b->cb = cb;
		b->user = user;
		return 0;
	}
	return L2K_ENOBUFS;
}

int l2cap_fixed_unbind(struct l2cap_engine *e, uint16_t cid, bool le)
{
	struct l2cap_fixed_bind *b = fixed_find(e, cid, le);
	if (!b)
		return L2K_ENOENT;
	b->used = false;
	return 0;
}

int l2cap_fixed_send(struct l2cap_engine *e, uint16_t handle, uint16_t cid, uint16_t psm, const uint8_t *pdu,
		   size_t len)
{
	struct l2cap_link *l = l2cap_link_get(e, handle);
	if (!l)
		return L2K_ENOLINK;
	if (cid == L2CAP_CID_NULL || cid >= L2CAP_CID_DYN_START || cid == L2CAP_CID_SIGNALING ||
	    cid == L2CAP_CID_LE_SIGNALING)
		return L2K_EINVAL;
	if (cid == L2CAP_CID_CONNECTIONLESS) {
		if (l->le)
			return L2K_EINVAL;
		if (!l2cap_psm_valid(psm))
			return L2K_EINVAL;
		uint8_t ps[2];
		put_le16(ps, psm);
		const uint8_t *parts[2] = {ps, pdu};
		size_t lens[2] = {2, len};
		return l2cap_send_pdu(l, cid, parts, lens, 2);
	}
	const uint8_t *parts[1] = {pdu};
	size_t lens[1] = {len};
	return l2cap_send_pdu(l, cid, parts, lens, 1);
}

int l2cap_fixed_wait_room(struct l2cap_engine *e, uint16_t handle, l2k_fixed_room_cb cb, void *user)
{
	if (!cb)
		return L2K_EINVAL;
	struct l2cap_link *l = l2cap_link_get(e, handle);
	if (!l)
		return L2K_ENOLINK;
	/* no send was refused since the link last had room: nothing to wait for */
	if (!hci_host_acl_blocked(e->hci, handle))
		return L2K_EALREADY;
	if (l->n_room_wait >= L2CAP_FIXED_ROOM_WAITERS)
		return L2K_ENOBUFS;
	l->room_wait[l->n_room_wait].cb = cb;
	l->room_wait[l->n_room_wait].user = user;
	l->n_room_wait++;
	return 0;
}

void l2cap_fixed_room_tell(struct l2cap_link *l, int err)
{
	/* one-shot: the list is emptied before anyone is told (a callback may send, fill the link
	 * and wait again) */
	uint8_t n = l->n_room_wait;
	if (!n)
		return;
	struct l2cap_engine *e = l->eng;
	uint16_t handle = l->handle;
	l2k_fixed_room_cb cb[L2CAP_FIXED_ROOM_WAITERS];
	void *user[L2CAP_FIXED_ROOM_WAITERS];
	for (uint8_t i = 0; i < n; i++) {
		cb[i] = l->room_wait[i].cb;
		user[i] = l->room_wait[i].user;
	}
	l->n_room_wait = 0;
	for (uint8_t i = 0; i < n; i++) {
		/* the link may have gone inside a callback (a disconnect): the others learn that */
		if (err == 0 && l2cap_link_get(e, handle) != l)
			err = L2K_ELINKLOSS;
		cb[i](user[i], handle, err);
	}
}

/* ---- echo ----------------------------------------------------------------------------------- */

int l2cap_echo(struct l2cap_engine *e, const l2k_addr *peer, const uint8_t *data, size_t len, l2k_echo_cb cb,
	     void *user)
{
	uint16_t handle;
	if (l2cap_link_find(e, peer, L2K_ADDR_BREDR, &handle) < 0)
		return L2K_ENOLINK;
	struct l2cap_link *l = l2cap_link_get(e, handle);
	if (!l)
		return L2K_ENOLINK;
	if (len + L2CAP_SIG_HDR_LEN > 672)
		return L2K_EMSGSIZE; /* keep within the minimum MTUsig most peers accept */
	uint8_t id = l2cap_next_ident(l);
	struct l2cap_echo ec = {.data = data, .len = (uint16_t)len};
	size_t n = l2cap_build_echo_req(SIGBUF(l), SIGCAP(l), id, &ec);
	struct l2cap_pending_sig *p = l2cap_pend_add(l, id, L2CAP_ECHO_REQ, 0, e->rtx_ms);
	if (!p)
		return L2K_EBUSY;
	p->echo_cb = cb;
	p->echo_user = user;
	int r = l2cap_send_sig(l, SIGBUF(l), n);
	if (r < 0) {
		l2cap_pend_del(l, p);
		return r;
	}
	return 0;
}

/* ---- LE connection parameters --------------------------------------------------------------- */

int l2cap_le_conn_update(struct l2cap_engine *e, uint16_t handle, uint16_t imin, uint16_t imax,
		       uint16_t latency, uint16_t timeout)
{
	struct l2cap_link *l = l2cap_link_get(e, handle);
	if (!l || !l->le)
		return L2K_ENOLINK;
	if (imin < L2CAP_CPU_INTERVAL_MIN || imax > L2CAP_CPU_INTERVAL_MAX || imin > imax ||
	    latency > L2CAP_CPU_LATENCY_MAX || timeout < L2CAP_CPU_TIMEOUT_MIN ||
	    timeout > L2CAP_CPU_TIMEOUT_MAX)
		return L2K_EINVAL;
	if (l->role == 0) {
		/* Central: ask the controller directly (Vol 4 Part E 7.8.18). */
		uint8_t c[14];
		put_le16(c, handle);
		put_le16(c + 2, imin);
		put_le16(c + 4, imax);
		put_le16(c + 6, latency);
		put_le16(c + 8, timeout);
		put_le16(c + 10, 0);
		put_le16(c + 12, 0);
		return hci_host_cmd(e->hci, HCI_OP_LE_CONN_UPDATE, c, 14, NULL, NULL);
	}
	/* Peripheral: L2CAP Connection Parameter Update Request (4.20). */
	uint8_t id = l2cap_next_ident(l);
	struct l2cap_conn_param_req rq = {imin, imax, latency, timeout};
	size_t n = l2cap_build_conn_param_req(SIGBUF(l), SIGCAP(l), id, &rq);
	if (!l2cap_pend_add(l, id, L2CAP_CONN_PARAM_UPDATE_REQ, 0, e->rtx_ms))
		return L2K_EBUSY;
	return l2cap_send_sig(l, SIGBUF(l), n);
}
