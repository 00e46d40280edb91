/* Links and the ACL data path: host ACL into the controller's buffers, the exchange engine that
 * moves air packets under the timing profile, delivery into the peer's receive buffer with loss
 * and corruption, Number Of Completed Packets, link loss and link teardown. */
#include <stdlib.h>
#include <string.h>

#include "base/l2k_error.h"
#include "transport/sim/sim_int.h"

struct sim_link *sim_link_new(struct sim_air *air, enum sim_link_kind kind, struct sim_ctrl *a,
			      struct sim_ctrl *b)
{
	struct sim_link *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->air = air;
	l->id = ++air->next_link_id;
	l->kind = kind;
	l->end[0] = a;
	l->end[1] = b;
	l->handle[0] = l->handle[1] = SIM_NONE;
	l->role[0] = 0x00;
	l->role[1] = 0x01;
	for (int d = 0; d < 2; d++) {
		l->dir[d].head = l->dir[d].tail = SIM_NONE;
		l->dir[d].max_tx = SIM_LE_DEFAULT_DATA_LEN;
		l->dir[d].req_tx = SIM_LE_DEFAULT_DATA_LEN;
	}
	for (int t = 0; t < LT_COUNT; t++)
		l->tmr[t] = SIM_NEVER;
	sim_link_add(air, l);
	return l;
}

int sim_link_end_of(const struct sim_link *l, const struct sim_ctrl *c)
{
	return l->end[0] == c ? 0 : l->end[1] == c ? 1 : -1;
}

static enum sim_profile link_profile(const struct sim_link *l)
{
	return l->kind == SIM_LINK_LE ? l->air->le_profile : l->air->br_profile;
}

uint64_t sim_link_proc_delay(const struct sim_link *l)
{
	/* a control PDU and its answer: two connection events (LE) or two slot pairs (BR/EDR) */
	if (l->kind == SIM_LINK_LE && l->interval)
		return 2ull * l->interval * 1250u;
	return 2ull * 2 * SIM_SLOT_US;
}

static uint64_t sup_timeout_us(const struct sim_link *l)
{
	if (l->kind == SIM_LINK_LE && l->sup_timeout)
		return (uint64_t)l->sup_timeout * 10000u;
	return SIM_BREDR_SUPERVISION_US;
}

static struct sim_slot *head_slot(struct sim_link *l, int d)
{
	if (l->dir[d].head == SIM_NONE)
		return NULL;
	return &sim_ctrl_pool(l->end[d], l->kind)->slots[l->dir[d].head];
}

static void free_head(struct sim_link *l, int d)
{
	struct sim_pool *p = sim_ctrl_pool(l->end[d], l->kind);
	uint16_t i = l->dir[d].head;
	l->dir[d].head = p->slots[i].next;
	if (l->dir[d].head == SIM_NONE)
		l->dir[d].tail = SIM_NONE;
	p->free[p->nfree++] = i;
}

/* --- host ACL ---------------------------------------------------------------------------- */

void sim_acl_from_host(struct sim_ctrl *c, const uint8_t *pkt, size_t len)
{
	uint16_t hf = get_le16(pkt);
	uint8_t pb = HCI_ACL_PB(hf), bc = HCI_ACL_BC(hf);
	size_t dlen = len - HCI_ACL_HDR;
	int e;
	struct sim_link *l = sim_ctrl_link(c, HCI_ACL_HANDLE(hf), &e);
	/* Vol 4 Part E 5.4.2: host to controller PB 0b00 / 0b10 start a PDU, 0b01 continues it;
	 * 0b11 is not for this direction; broadcast is not point-to-point ACL. */
	if (!l || l->state != LS_OPEN || bc != 0 || pb == HCI_ACL_PB_COMPLETE || dlen == 0) {
		c->st.acl_rejected++;
		return;
	}
	struct sim_pool *pool = sim_ctrl_pool(c, l->kind);
	bool start = pb != HCI_ACL_PB_CONT;
	struct sim_link_dir *dir = &l->dir[e];
	if (dlen > pool->mtu || (!start && !dir->host_started)) {
		c->st.acl_rejected++;
		return;
	}
	if (pool->nfree == 0) {
		/* Vol 4 Part E 7.7.26: Link_Type 0x01 = ACL */
		uint8_t lt = 0x01;
		c->st.acl_overflow++;
		sim_event(c, HCI_EV_DATA_BUFFER_OVERFLOW, &lt, 1);
		return;
	}
	uint16_t i = pool->free[--pool->nfree];
	struct sim_slot *s = &pool->slots[i];
	memcpy(s->data, pkt + HCI_ACL_HDR, dlen);
	s->len = (uint16_t)dlen;
	s->sent = 0;
	s->start = start;
	s->next = SIM_NONE;
	if (dir->tail == SIM_NONE)
		dir->head = i;
	else
		pool->slots[dir->tail].next = i;
	dir->tail = i;
	dir->host_started = true;
	c->st.acl_in++;
	sim_link_kick(l);
}

/* --- exchange engine --------------------------------------------------------------------- */

static bool rx_room(const struct sim_ctrl *r, size_t n)
{
	return r->hold.count + r->hold_reserved_n < r->cfg.rx_count &&
	       r->hold_bytes + r->hold_reserved + n <= r->hold_cap;
}

/* Bytes direction d can put on the air now, or -1. */
static int plan(struct sim_link *l, int d)
{
	if (l->cut || (l->state != LS_OPEN && l->state != LS_CLOSING))
		return -1;
	struct sim_slot *s = head_slot(l, d);
	if (!s)
		return -1;
	uint32_t max = l->kind == SIM_LINK_LE ? l->dir[d].max_tx
					      : sim_profile_max_packet(link_profile(l), l->kind);
	uint32_t n = (uint32_t)(s->len - s->sent);
	if (n > max)
		n = max;
	if (!rx_room(l->end[1 - d], n))
		return -1;
	return (int)n;
}

static uint64_t next_anchor(const struct sim_link *l, uint64_t now)
{
	uint64_t iv = (uint64_t)l->interval * 1250u;
	if (now <= l->anchor_us)
		return l->anchor_us + (l->anchor_used ? iv : 0);
	uint64_t k = (now - l->anchor_us + iv - 1) / iv;
	if (k == 0 && l->anchor_used)
		k = 1;
	return l->anchor_us + k * iv;
}

static void try_start(struct sim_link *l, uint64_t now)
{
	int a = plan(l, 0), b = plan(l, 1);
	if (a < 0 && b < 0) {
		l->active = false;
		l->event_open = false;
		return;
	}
	enum sim_profile p = link_profile(l);
	/* an encrypted LE data PDU carries a 4-octet MIC (none on empty PDUs, Vol 6 Part B 2.4) */
	int mic = l->kind == SIM_LINK_LE && l->enc.on ? 4 : 0;
	uint32_t dur = sim_exchange_us(p, a > 0 ? a + mic : a, b > 0 ? b + mic : b);
	if (p != SIM_PROFILE_UNLIMITED && l->kind == SIM_LINK_LE) {
		uint64_t iv = (uint64_t)l->interval * 1250u;
		bool continue_event = l->event_open && l->anchor_used && now >= l->anchor_us &&
				      now - l->anchor_us + dur <= iv;
		bool start_event = !l->anchor_used && now == l->anchor_us;
		if (start_event) {
			l->anchor_used = true;
		} else if (!continue_event) {
			uint64_t na = next_anchor(l, now);
			l->anchor_us = na;
			l->anchor_used = false;
			l->event_open = false;
			l->tmr[LT_STEP] = na;
			return;
		}
	} else if (p != SIM_PROFILE_UNLIMITED && !l->event_open) {
		/* BR/EDR: the central transmits at the start of an even slot */
		uint64_t pair = 2u * SIM_SLOT_US;
		uint64_t since = now > l->start_us ? now - l->start_us : 0;
		uint64_t sb = l->start_us + (since + pair - 1) / pair * pair;
		if (sb != now) {
			l->tmr[LT_STEP] = sb;
			return;
		}
	}
	for (int d = 0; d < 2; d++) {
		int n = d == 0 ? a : b;
		if (n < 0)
			continue;
		struct sim_slot *s = head_slot(l, d);
		struct sim_ctrl *r = l->end[1 - d];
		l->dir[d].inflight = (uint16_t)n;
		l->dir[d].inflight_start = s->start && s->sent == 0;
		r->hold_reserved += (size_t)n;
		r->hold_reserved_n++;
	}
	l->active = true;
	l->event_open = true;
	l->tmr[LT_STEP] = now + dur;
}

static void unreserve(struct sim_link *l, int d)
{
	struct sim_ctrl *r = l->end[1 - d];
	if (!l->dir[d].inflight || !r)
		return;
	r->hold_reserved -= l->dir[d].inflight;
	r->hold_reserved_n--;
	l->dir[d].inflight = 0;
}

static void deliver_chunk(struct sim_link *l, int d, const uint8_t *data, uint16_t n, bool start)
{
	struct sim_air *air = l->air;
	struct sim_ctrl *r = l->end[1 - d];
	struct sim_link_dir *dir = &l->dir[d];
	if (start) {
		l->st.pdus[d]++;
		dir->dropping = air->loss > 0 && sim_rng_chance(&air->rng, air->loss);
		if (dir->dropping)
			l->st.pdus_dropped[d]++;
	}
	l->st.air_packets[d]++;
	if (dir->dropping)
		return; /* flushed: the sender still counts it as completed */
	uint8_t rec[3 + SIM_AIR_CHUNK_MAX];
	put_le16(rec, l->handle[1 - d]);
	rec[2] = start ? 1 : 0;
	memcpy(rec + 3, data, n);
	if (air->corrupt > 0 && sim_rng_chance(&air->rng, air->corrupt)) {
		uint64_t x = sim_rng_next(&air->rng);
		rec[3 + x % n] ^= (uint8_t)(1 + (x >> 32) % 255);
		l->st.packets_corrupted[d]++;
	}
	if (ring_push2(&r->hold, rec, 3u + n, NULL, 0) == 0) {
		r->hold_bytes += n;
		l->st.bytes[d] += n;
	}
	sim_ctrl_pump(r);
}

static void finish_exchange(struct sim_link *l)
{
	for (int d = 0; d < 2; d++) {
		uint16_t n = l->dir[d].inflight;
		if (!n)
			continue;
		bool start = l->dir[d].inflight_start;
		unreserve(l, d);
		if (l->cut)
			continue; /* lost with the link: stays queued, never acknowledged */
		struct sim_slot *s = head_slot(l, d);
		deliver_chunk(l, d, s->data + s->sent, n, start);
		s->sent = (uint16_t)(s->sent + n);
		if (s->sent >= s->len) {
			free_head(l, d);
			l->dir[d].nocp++;
			struct sim_ctrl *snd = l->end[d];
			if (snd->tmr[CT_NOCP] == SIM_NEVER)
				snd->tmr[CT_NOCP] = l->air->now;
		}
	}
}

static void step(struct sim_link *l)
{
	if (l->active)
		finish_exchange(l);
	l->active = false;
	try_start(l, l->air->now);
}

void sim_link_kick(struct sim_link *l)
{
	if ((l->state == LS_OPEN || l->state == LS_CLOSING) && !l->active && l->tmr[LT_STEP] == SIM_NEVER)
		try_start(l, l->air->now);
}

void sim_ctrl_kick_links(struct sim_ctrl *c)
{
	for (struct sim_link *l = c->air->links; l; l = l->next)
		if (sim_link_end_of(l, c) >= 0)
			sim_link_kick(l);
}

void sim_link_flush_nocp(struct sim_ctrl *c)
{
	/* Number Of Completed Packets (Vol 4 Part E 7.7.19): up to 63 handles per event */
	uint8_t ev[1 + 4 * 63];
	unsigned k = 0;
	for (struct sim_link *l = c->air->links; l; l = l->next) {
		int e = sim_link_end_of(l, c);
		if (e < 0 || !l->dir[e].nocp)
			continue;
		uint32_t n = l->dir[e].nocp;
		l->dir[e].nocp = 0;
		while (n) {
			uint16_t part = n > 0xFFFF ? 0xFFFF : (uint16_t)n;
			n -= part;
			put_le16(ev + 1 + 4 * k, l->handle[e]);
			put_le16(ev + 3 + 4 * k, part);
			if (++k == 63) {
				ev[0] = (uint8_t)k;
				sim_event(c, HCI_EV_NUM_COMPLETED, ev, 1 + 4 * k);
				k = 0;
			}
		}
	}
	if (k) {
		ev[0] = (uint8_t)k;
		sim_event(c, HCI_EV_NUM_COMPLETED, ev, 1 + 4 * k);
	}
}

/* --- link life ------------------------------------------------------------------------- */

void sim_link_opened(struct sim_link *l)
{
	l->state = LS_OPEN;
	if (l->cut && l->tmr[LT_SUPERVISION] == SIM_NEVER)
		l->tmr[LT_SUPERVISION] = l->air->now + sup_timeout_us(l);
}

struct purge_arg {
	uint16_t handle;
};

static bool keep_other_handles(void *arg, const uint8_t *rec, size_t len)
{
	const struct purge_arg *a = arg;
	return len < 2 || get_le16(rec) != a->handle;
}

/* End i's share of a link that ends: its queued data, what it received but its host has not
 * taken, and its flow control credit. */
static void end_cleanup(struct sim_link *l, int i, bool open)
{
	struct sim_ctrl *c = l->end[i];
	/* queued host data is flushed without Number Of Completed Packets (Vol 4 Part E 7.7.5: the
	 * host considers it completed on Disconnection Complete) */
	while (l->dir[i].head != SIM_NONE)
		free_head(l, i);
	l->dir[i].nocp = 0;
	if (!open)
		return;
	/* received data not yet given to the host is lost with the link */
	if (c->hold.count) {
		uint8_t head[3];
		bool head_is_ours = ring_peek_copy(&c->hold, head, 3) >= 2 && get_le16(head) == l->handle[i];
		struct purge_arg a = {l->handle[i]};
		ring_filter(&c->hold, keep_other_handles, &a, c->scratch, sizeof(c->scratch));
		if (head_is_ours)
			c->hold_off = 0;
		/* recount the bytes held */
		size_t bytes = 0, n = c->hold.count;
		for (size_t k = 0; k < n; k++) {
			size_t len = ring_peek_copy(&c->hold, c->scratch, sizeof(c->scratch));
			ring_pop(&c->hold);
			bytes += len >= 3 ? len - 3 : 0;
			(void)ring_push2(&c->hold, c->scratch, len, NULL, 0);
		}
		c->hold_bytes = bytes;
	}
	c->host_acl_used -= l->host_out[i] <= c->host_acl_used ? l->host_out[i] : c->host_acl_used;
	l->host_out[i] = 0;
}

static void disconn_complete(struct sim_link *l, int i, uint8_t reason)
{
	/* Status Connection_Handle(2) Reason (Vol 4 Part E 7.7.5) */
	uint8_t ev[4] = {HCI_SUCCESS, 0, 0, reason};
	put_le16(ev + 1, l->handle[i]);
	sim_event(l->end[i], HCI_EV_DISCONN_COMPLETE, ev, sizeof(ev));
}

void sim_link_close(struct sim_link *l, uint8_t reason0, uint8_t reason1)
{
	bool open = l->state == LS_OPEN || l->state == LS_CLOSING;
	if (open)
		sim_sec_link_closing(l, reason0, reason1);
	for (int d = 0; d < 2; d++)
		unreserve(l, d);
	for (int i = 0; i < 2; i++) {
		if (!l->end[i])
			continue;
		end_cleanup(l, i, open);
		uint8_t reason = i == 0 ? reason0 : reason1;
		if (open && reason != 0xFF)
			disconn_complete(l, i, reason);
	}
	struct sim_ctrl *a = l->end[0], *b = l->end[1];
	sim_link_destroy(l);
	if (a) {
		sim_ctrl_pump(a);
		sim_ctrl_kick_links(a);
	}
	if (b) {
		sim_ctrl_pump(b);
		sim_ctrl_kick_links(b);
	}
}

void sim_link_drop_end(struct sim_link *l, int e, uint8_t reason)
{
	struct sim_ctrl *c = l->end[e];
	if (!c)
		return;
	for (int d = 0; d < 2; d++)
		unreserve(l, d);
	end_cleanup(l, e, true);
	disconn_complete(l, e, reason);
	l->end[e] = NULL;
	/* the other end hears nothing more: no procedure of the gone end may touch it */
	l->proc = PROC_NONE;
	l->tmr[LT_PROC] = SIM_NEVER;
	l->info_req[e] = 0;
	l->tmr[e == 0 ? LT_INFO0 : LT_INFO1] = SIM_NEVER;
	l->cut = true;
	if (l->tmr[LT_SUPERVISION] == SIM_NEVER)
		l->tmr[LT_SUPERVISION] = l->air->now + sup_timeout_us(l);
	sim_ctrl_pump(c);
	sim_ctrl_kick_links(c);
}

void sim_info_complete(struct sim_link *l, int e)
{
	struct sim_ctrl *c = l->end[e], *peer = l->end[1 - e];
	uint8_t req = l->info_req[e];
	if (l->cut || !peer)
		return; /* no answer over a cut link; supervision ends it */
	l->info_req[e] = 0;
	uint16_t h = l->handle[e];
	if (req & INFO_VERSION) {
		/* Status Handle(2) Version Manufacturer_Name(2) Subversion(2) (7.7.12) */
		uint8_t ev[8] = {HCI_SUCCESS, 0, 0, peer->cfg.hci_version, 0, 0, 0x01, 0x00};
		put_le16(ev + 1, h);
		put_le16(ev + 4, peer->cfg.manufacturer);
		sim_event(c, HCI_EV_REMOTE_VERSION, ev, sizeof(ev));
	}
	if (req & INFO_FEATURES) {
		uint8_t ev[11] = {HCI_SUCCESS};
		put_le16(ev + 1, h);
		memcpy(ev + 3, peer->features, 8);
		sim_event(c, HCI_EV_REMOTE_FEATURES, ev, sizeof(ev));
	}
	if (req & INFO_EXT_FEATURES) {
		/* Status Handle(2) Page_Number Maximum_Page_Number Features(8) (7.7.34) */
		uint8_t ev[13] = {HCI_SUCCESS};
		put_le16(ev + 1, h);
		ev[3] = l->ext_page[e];
		ev[4] = SIM_FEATURES_MAX_PAGE;
		if (!sim_ctrl_features_page(peer, l->ext_page[e], ev + 5))
			ev[0] = HCI_ERR_INVALID_PARAMS;
		sim_event(c, HCI_EV_REMOTE_EXT_FEATURES, ev, sizeof(ev));
	}
	if (req & INFO_LE_FEATURES) {
		uint8_t ev[11] = {HCI_SUCCESS};
		put_le16(ev + 1, h);
		memcpy(ev + 3, peer->le_features, 8);
		sim_le_event(c, HCI_LE_REMOTE_FEATURES, ev, sizeof(ev));
	}
}

void sim_link_fire(struct sim_link *l, enum sim_link_timer t)
{
	switch (t) {
	case LT_STEP: step(l); break;
	case LT_CUT:
		l->cut = true;
		if ((l->state == LS_OPEN || l->state == LS_CLOSING) && l->tmr[LT_SUPERVISION] == SIM_NEVER)
			l->tmr[LT_SUPERVISION] = l->air->now + sup_timeout_us(l);
		break;
	case LT_SUPERVISION:
		l->air->st.links_lost++;
		sim_link_close(l, HCI_ERR_CONN_TIMEOUT, HCI_ERR_CONN_TIMEOUT);
		break;
	case LT_TERM:
		if (l->cut)
			break; /* the terminate never arrives: supervision timeout ends the link */
		sim_link_close(l, l->term_by == 0 ? HCI_ERR_LOCAL_HOST_TERM : l->term_reason,
			       l->term_by == 1 ? HCI_ERR_LOCAL_HOST_TERM : l->term_reason);
		break;
	case LT_INFO0: sim_info_complete(l, 0); break;
	case LT_INFO1: sim_info_complete(l, 1); break;
	case LT_SETUP:
	case LT_ACCEPT:
		if (l->kind == SIM_LINK_BREDR)
			sim_bredr_link_timer(l, t);
		else
			sim_le_link_timer(l, t);
		break;
	case LT_PROC:
	case LT_DLE: sim_le_link_timer(l, t); break;
	case LT_SEC: sim_sec_bredr_timer(l); break;
	case LT_ENC: sim_sec_enc_timer(l); break;
	default: break;
	}
}
