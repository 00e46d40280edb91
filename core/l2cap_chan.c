/* L2CAP channels: lifetime, the event-face API, servers and the mode registry. */
#include <stdlib.h>
#include <string.h>

#include "core/l2cap_int.h"
#include "core/mode_ifr.h"

/* ---- modes ---------------------------------------------------------------------------------- */

static const struct {
	enum l2k_mode mode;
	const char *name;
} mode_names[] = {
    {L2K_MODE_BASIC, "basic"},	   {L2K_MODE_RETRANS, "retrans"},   {L2K_MODE_FLOWCTL, "flowctl"},
    {L2K_MODE_ERTM, "ertm"},	   {L2K_MODE_STREAMING, "streaming"}, {L2K_MODE_LE_CREDIT, "le"},
    {L2K_MODE_ECFC, "ecfc"},
};

const char *l2cap_mode_name(enum l2k_mode m)
{
	for (size_t i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (mode_names[i].mode == m)
			return mode_names[i].name;
	return NULL;
}

int l2cap_mode_parse(const char *name, enum l2k_mode *out)
{
	for (size_t i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (!strcmp(mode_names[i].name, name)) {
			*out = mode_names[i].mode;
			return 0;
		}
	if (!strcmp(name, "le-credit") || !strcmp(name, "lecoc")) {
		*out = L2K_MODE_LE_CREDIT;
		return 0;
	}
	return L2K_EINVAL;
}

const struct l2cap_mode_ops *l2cap_mode_ops_for(enum l2k_mode m)
{
	switch (m) {
	case L2K_MODE_BASIC: return &l2cap_mode_basic;
	case L2K_MODE_LE_CREDIT: return &l2cap_mode_credit;
	case L2K_MODE_ERTM: return &l2cap_mode_ertm;
	case L2K_MODE_STREAMING: return &l2cap_mode_streaming;
	case L2K_MODE_RETRANS: return &l2cap_mode_retrans;
	case L2K_MODE_FLOWCTL: return &l2cap_mode_flowctl;
	case L2K_MODE_ECFC: return &l2cap_mode_credit; /* same data path, 10.2 */
	default: return NULL;
	}
}

bool l2cap_mode_supported(enum l2k_mode m)
{
	return l2cap_mode_ops_for(m) != NULL;
}

const char *l2cap_close_reason_str(enum l2k_close_reason r)
{
	switch (r) {
	case L2K_CLOSE_LOCAL: return "closed locally";
	case L2K_CLOSE_REMOTE: return "disconnected by the peer";
	case L2K_CLOSE_LINK_LOST: return "link lost";
	case L2K_CLOSE_REFUSED: return "refused by the peer";
	case L2K_CLOSE_TIMEOUT: return "peer did not answer";
	case L2K_CLOSE_PROTOCOL: return "peer violated the protocol";
	case L2K_CLOSE_MAX_TRANSMIT: return "MaxTransmit reached (peer stopped acknowledging)";
	case L2K_CLOSE_CONFIG_FAILED: return "configuration failed";
	case L2K_CLOSE_LINK_FAILED: return "link could not be created";
	case L2K_CLOSE_SECURITY: return "security could not be established (pairing or encryption failed)";
	case L2K_CLOSE_CONTROLLER: return "the controller stopped responding";
	}
	return "unknown";
}

bool l2cap_psm_valid_bredr(uint16_t psm)
{
	return psm != 0 && l2cap_psm_valid(psm);
}

/* ---- options -------------------------------------------------------------------------------- */

void l2cap_chan_opts_default(struct l2k_chan_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = L2K_MODE_BASIC;
	o->fcs = 1;
}

static void opts_fill(struct l2k_chan_opts *o, bool le)
{
	if (le && o->mode == L2K_MODE_BASIC)
		o->mode = L2K_MODE_LE_CREDIT;
	if (!o->mtu)
		o->mtu = le ? 2048 : L2CAP_DEFAULT_MTU;
	if (!o->connect_timeout_ms)
		o->connect_timeout_ms = 30000;
	if (!o->tx_queue_bytes)
		o->tx_queue_bytes = 256 * 1024;
	if (o->tx_queue_bytes < (uint32_t)o->mtu + 8)
		o->tx_queue_bytes = (uint32_t)o->mtu + 8;
	if (!o->rx_queue_bytes)
		o->rx_queue_bytes = 256 * 1024;
	if (!o->flush_timeout)
		o->flush_timeout = L2CAP_FLUSH_TO_INFINITE;
	if (!o->tx_window)
		o->tx_window = L2CAP_TX_WINDOW_MAX_ERTM;
	if (!o->max_transmit)
		o->max_transmit = 3;
}

static int opts_check(const struct l2k_chan_opts *o, bool le)
{
	if (le) {
		if (o->mode != L2K_MODE_LE_CREDIT && o->mode != L2K_MODE_ECFC)
			return L2K_EINVAL;
		if (o->mtu < L2CAP_MIN_MTU_LE)
			return L2K_EINVAL;
		if (o->mps && (o->mps < L2CAP_MIN_MPS_LE || o->mps > L2CAP_MAX_MPS_CREDIT))
			return L2K_EINVAL;
	} else {
		if (o->mode == L2K_MODE_LE_CREDIT)
			return L2K_EINVAL;
		if (o->mtu < L2CAP_MIN_MTU_BREDR)
			return L2K_EINVAL;
	}
	if (o->mode == L2K_MODE_ECFC && (o->mtu < L2CAP_MIN_MTU_ECFC || (o->mps && o->mps < L2CAP_MIN_MPS_ECFC)))
		return L2K_EINVAL;
	if (!l2cap_mode_supported(o->mode))
		return L2K_ENOTSUP;
	if (o->sec_level > L2K_SEC_FIPS)
		return L2K_EINVAL;
	return 0;
}

/* ---- channel objects ------------------------------------------------------------------------ */

static void sig_timer_fire(struct timer *t, uint64_t now)
{
	struct l2k_chan *ch = (struct l2k_chan *)((char *)t - offsetof(struct l2k_chan, sig_timer));
	/* connect timeout (waiting for the link or the information exchange) */
	l2cap_chan_closed(ch, ch->state == CH_WAIT_LINK ? L2K_CLOSE_LINK_FAILED : L2K_CLOSE_TIMEOUT);
}

/* ch->mode_timers[which] expired: the mode is told which one */
static void mode_timer_expired(struct timer *t, enum l2cap_mode_timer which)
{
	struct l2k_chan *ch = (struct l2k_chan *)((char *)(t - which) - offsetof(struct l2k_chan, mode_timers));
	if (ch->ops && ch->ops->timer)
		ch->ops->timer(ch, which);
}

static void retrans_timer_fire(struct timer *t, uint64_t now)
{
	mode_timer_expired(t, L2CAP_TIMER_RETRANS);
}

static void monitor_timer_fire(struct timer *t, uint64_t now)
{
	mode_timer_expired(t, L2CAP_TIMER_MONITOR);
}

static void ack_timer_fire(struct timer *t, uint64_t now)
{
	mode_timer_expired(t, L2CAP_TIMER_ACK);
}

static void supervise_timer_fire(struct timer *t, uint64_t now)
{
	mode_timer_expired(t, L2CAP_TIMER_SUPERVISE);
}

static void (*const mode_timer_fire[L2CAP_MODE_TIMERS])(struct timer *, uint64_t) = {
    [L2CAP_TIMER_RETRANS] = retrans_timer_fire,
    [L2CAP_TIMER_MONITOR] = monitor_timer_fire,
    [L2CAP_TIMER_ACK] = ack_timer_fire,
    [L2CAP_TIMER_SUPERVISE] = supervise_timer_fire,
};

struct l2k_chan *l2cap_chan_new(struct l2cap_engine *e, const struct l2k_chan_opts *o,
				const struct l2k_chan_cbs *cbs)
{
	struct l2k_chan *ch = calloc(1, sizeof(*ch));
	if (!ch)
		return NULL;
	ch->eng = e;
	ch->opts = *o;
	if (cbs)
		ch->cbs = *cbs;
	ch->sig_timer.fire = sig_timer_fire;
	for (int i = 0; i < L2CAP_MODE_TIMERS; i++)
		ch->mode_timers[i].fire = mode_timer_fire[i];
	ch->mode = o->mode;
	ch->local_mtu = o->mtu;
	ch->remote_mtu = L2CAP_DEFAULT_MTU;
	ch->flush_timeout = L2CAP_FLUSH_TO_INFINITE;
	return ch;
}

void l2cap_arm(struct l2k_chan *ch, struct timer *t, uint32_t ms)
{
	l2cap_sync_now(ch->eng);
	timer_arm(&ch->eng->timers, t, ch->eng->now + ms);
}

uint16_t l2cap_alloc_cid(struct l2cap_link *l)
{
	size_t max = l->le ? (size_t)(L2CAP_CID_LE_DYN_END - L2CAP_CID_DYN_START + 1)
			   : (size_t)(L2CAP_CID_ACL_DYN_END - L2CAP_CID_DYN_START + 1);
	for (size_t i = 0; i < l->chans_cap; i++)
		if (!l->chans[i])
			return (uint16_t)(L2CAP_CID_DYN_START + i);
	if (l->chans_cap >= max)
		return 0;
	size_t nc = l->chans_cap ? l->chans_cap * 2 : 8;
	if (nc > max)
		nc = max;
	struct l2k_chan **n = realloc(l->chans, nc * sizeof(*n));
	if (!n)
		return 0;
	memset(n + l->chans_cap, 0, (nc - l->chans_cap) * sizeof(*n));
	uint16_t cid = (uint16_t)(L2CAP_CID_DYN_START + l->chans_cap);
	l->chans = n;
	l->chans_cap = nc;
	return cid;
}

int l2cap_chan_attach(struct l2cap_link *l, struct l2k_chan *ch, uint16_t lcid)
{
	if (!lcid)
		return L2K_ENOBUFS;
	l->chans[lcid - L2CAP_CID_DYN_START] = ch;
	l->nchans++;
	ch->link = l;
	ch->lcid = lcid;
	ch->le = l->le;
	ch->peer = l->peer;
	ch->peer_type = l->peer_type;
	return 0;
}

static void wait_remove(struct l2cap_link *l, struct l2k_chan *ch);

static void waiting_remove(struct l2cap_engine *e, struct l2k_chan *ch)
{
	for (struct l2k_chan **pp = &e->waiting; *pp; pp = &(*pp)->next_pending)
		if (*pp == ch) {
			*pp = ch->next_pending;
			ch->next_pending = NULL;
			return;
		}
}

void l2cap_chan_closed(struct l2k_chan *ch, enum l2k_close_reason reason)
{
	if (ch->state == CH_CLOSED)
		return;
	struct l2cap_engine *e = ch->eng;
	enum l2cap_chan_state was = ch->state;
	ch->state = CH_CLOSED;
	timer_cancel(&e->timers, &ch->sig_timer);
	for (int i = 0; i < L2CAP_MODE_TIMERS; i++)
		timer_cancel(&e->timers, &ch->mode_timers[i]);
	if (ch->ops && ch->ops->close && was == CH_OPEN)
		ch->ops->close(ch);
	if (ch->link) {
		struct l2cap_link *l = ch->link;
		/* forget outstanding requests about this channel, so that a late answer or an RTX
		 * expiry can never act on another channel that reuses the CID */
		for (int i = 0; i < l->pend_top; i++) {
			struct l2cap_pending_sig *p = &l->pend[i];
			if (!p->ident || p->echo_cb)
				continue;
			if (p->cid == ch->lcid) {
				p->ident = 0;
				continue;
			}
			bool others = false; /* enhanced credit based: a request names several */
			for (int k = 0; k < p->ncids; k++) {
				if (p->cids[k] == ch->lcid)
					p->cids[k] = 0;
				others |= p->cids[k] != 0;
			}
			if (p->ncids && !others)
				p->ident = 0;
		}
		l2cap_link_rearm_sig_timer(l);
		wait_remove(l, ch);
		if (ch->lcid && l->chans[ch->lcid - L2CAP_CID_DYN_START] == ch) {
			l->chans[ch->lcid - L2CAP_CID_DYN_START] = NULL;
			l->nchans--;
		}
	} else {
		waiting_remove(e, ch);
		if (was == CH_WAIT_LINK)
			l2cap_link_attempt_release(e, &ch->peer, ch->peer_type);
	}
	ch->in_callback_close = true;
	if (ch->cbs.closed)
		ch->cbs.closed(ch->cbs.user, ch, reason);
	ring_free(&ch->txq);
	free(ch->rx_sdu);
	free(ch->mode_state);
	free(ch);
}

void l2cap_chan_disconnect(struct l2k_chan *ch, enum l2k_close_reason reason)
{
	switch (ch->state) {
	case CH_CONFIG:
	case CH_OPEN:
		ch->last_result = (uint16_t)reason; /* reported when the response arrives */
		if (ch->ops && ch->ops->close && ch->state == CH_OPEN)
			ch->ops->close(ch);
		ch->ops = NULL; /* no more data either way */
		ch->state = CH_WAIT_DISCONNECT;
		l2cap_send_disconn_req(ch);
		break;
	case CH_WAIT_DISCONNECT:
	case CH_CLOSED:
		break;
	default:
		l2cap_chan_closed(ch, reason);
		break;
	}
}

void l2cap_chan_set_open(struct l2k_chan *ch)
{
	ch->ops = l2cap_mode_ops_for(ch->mode);
	timer_cancel(&ch->eng->timers, &ch->sig_timer);
	if (!ch->ops || ring_init(&ch->txq, ch->opts.tx_queue_bytes) < 0 ||
	    (ch->ops->open && ch->ops->open(ch) < 0)) {
		ch->ops = NULL;
		l2cap_chan_disconnect(ch, L2K_CLOSE_CONFIG_FAILED);
		return;
	}
	ch->state = CH_OPEN;
	if (ch->cbs.open)
		ch->cbs.open(ch->cbs.user, ch);
	if (ch->state == CH_OPEN && ch->ops->pump)
		ch->ops->pump(ch);
}

void l2cap_chan_deliver(struct l2k_chan *ch, const uint8_t *sdu, size_t len)
{
	ch->st.rx_sdus++;
	ch->st.rx_bytes += len;
	if (ch->cbs.recv)
		ch->cbs.recv(ch->cbs.user, ch, sdu, len);
}

/* Called by a mode after it took an SDU off the transmit queue. */
void l2cap_chan_tx_room(struct l2k_chan *ch)
{
	if (ch->want_send_ready && ring_room(&ch->txq) >= ch->txq.limit / 2) {
		ch->want_send_ready = false;
		if (ch->cbs.send_ready)
			ch->cbs.send_ready(ch->cbs.user, ch);
	}
}

/* ---- sharing the link between channels ---------------------------------------------------
 * A channel whose PDU the link cannot take joins the link's wait list; while the list is not
 * empty no other channel's data goes ahead of it (otherwise channels that send often would take
 * every bit of room freed and the waiting ones would never see the half-empty queue that
 * wakes them).  When the link has room, the waiting channels are pumped in turn by deficit
 * round robin: each turn adds a quantum of octets to the channel's allowance, and it sends
 * while the allowance lasts (a PDU larger than what is left is sent and leaves a debt that
 * later turns pay off), so channels share the link by octets whatever their PDU sizes
 * (an ERTM channel of 330-octet I-frames and an ECFC one of 3000-octet K-frames alike). */

#define L2CAP_LINK_QUANTUM 2048

static void wait_add(struct l2cap_link *l, struct l2k_chan *ch)
{
	if (ch->link_waiting)
		return;
	ch->link_waiting = true;
	ch->wait_next = NULL;
	if (l->wait_tail)
		l->wait_tail->wait_next = ch;
	else
		l->wait_head = ch;
	l->wait_tail = ch;
}

static struct l2k_chan *wait_pop(struct l2cap_link *l)
{
	struct l2k_chan *ch = l->wait_head;
	l->wait_head = ch->wait_next;
	if (!l->wait_head)
		l->wait_tail = NULL;
	ch->link_waiting = false;
	ch->wait_next = NULL;
	return ch;
}

static void wait_remove(struct l2cap_link *l, struct l2k_chan *ch)
{
	if (l->serving == ch)
		l->serving = NULL;
	if (!ch->link_waiting)
		return;
	struct l2k_chan *prev = NULL;
	for (struct l2k_chan *c = l->wait_head; c; prev = c, c = c->wait_next)
		if (c == ch) {
			if (prev)
				prev->wait_next = ch->wait_next;
			else
				l->wait_head = ch->wait_next;
			if (l->wait_tail == ch)
				l->wait_tail = prev;
			break;
		}
	ch->link_waiting = false;
	ch->wait_next = NULL;
}

/* Whether it is the channel's turn to send now (else it joins the wait list). */
static bool chan_turn(struct l2cap_link *l, struct l2k_chan *ch)
{
	if (l->serving == ch) {
		/* its turn: while its allowance lasts, or for as long as nobody else waits */
		if (ch->link_deficit <= 0 && l->wait_head) {
			wait_add(l, ch);
			return false;
		}
	} else if (l->wait_head) {
		wait_add(l, ch); /* behind the channels already waiting (a no-op if it is one) */
		return false;
	} else {
		ch->link_deficit = 0; /* nobody waits: no debt or allowance carried */
	}
	return true;
}

int l2cap_chan_send_check(struct l2k_chan *ch, size_t len)
{
	struct l2cap_link *l = ch->link;
	if (!chan_turn(l, ch))
		return L2K_EAGAIN;
	if (!hci_host_acl_would_take(l->eng->hci, l->handle, len + L2CAP_HDR_LEN)) {
		wait_add(l, ch); /* the room callback follows */
		return L2K_EAGAIN;
	}
	return 0;
}

int l2cap_chan_send_pdu(struct l2k_chan *ch, const uint8_t *const *parts, const size_t *lens, int n)
{
	struct l2cap_link *l = ch->link;
	if (!chan_turn(l, ch))
		return L2K_EAGAIN;
	int r = l2cap_send_pdu(l, ch->rcid, parts, lens, n);
	if (r == L2K_EAGAIN) {
		wait_add(l, ch);
	} else if (r == 0 && l->serving == ch) {
		size_t total = 4;
		for (int i = 0; i < n; i++)
			total += lens[i];
		ch->link_deficit -= (int32_t)total;
	}
	return r;
}

/* The link has room again: serve the waiting channels in turn until the link is full again or
 * nobody waits. */
void l2cap_link_pump(struct l2cap_link *l)
{
	if (l->pumping)
		return; /* the loop below is running further up this call stack */
	l->pumping = true;
	struct hci_host *hci = l->eng->hci;
	/* fixed-channel senders first (ATT, a few short PDUs: as signaling, ahead of the data) */
	if (l->n_room_wait)
		l2cap_fixed_room_tell(l, 0);
	while (l->used && l->wait_head && !hci_host_acl_blocked(hci, l->handle)) {
		struct l2k_chan *ch = wait_pop(l);
		if (ch->state != CH_OPEN || !ch->ops || !ch->ops->pump)
			continue;
		ch->link_deficit += L2CAP_LINK_QUANTUM;
		if (ch->link_deficit <= 0 && l->wait_head) {
			wait_add(l, ch); /* still paying for a large PDU: the others first */
			continue;
		}
		l->serving = ch;
		ch->ops->pump(ch); /* may close ch: wait_remove() clears l->serving then */
		if (l->serving == ch && !ch->link_waiting)
			ch->link_deficit = 0; /* it had no more to send: no allowance kept */
		l->serving = NULL;
	}
	l->pumping = false;
}

/* ---- security (the narrow hook, struct l2cap_security) ------------------------------------ */

uint8_t l2cap_chan_level(const struct l2k_chan *ch)
{
	if (!ch->le && ch->psm == L2CAP_PSM_SDP)
		return L2K_SEC_NONE; /* SDP stays at level 0 (Vol 3 Part C 5.2.2.8) */
	return ch->opts.sec_level > L2K_SEC_LOW ? ch->opts.sec_level : L2K_SEC_LOW;
}

uint8_t l2cap_sec_need(bool le, uint16_t psm, uint8_t asked, const struct l2cap_link_sec *s, bool *unknown)
{
	/* Security Mode 4 (Vol 3 Part C 5.2.2): between two Simple Pairing hosts every BR/EDR
	 * channel but SDP (level 0) gets an encrypted link with at least an unauthenticated key, as
	 * BlueZ and BTstack require of a peer; LE level 1 stays unencrypted */
	bool applies = !le && psm != L2CAP_PSM_SDP && asked == L2K_SEC_LOW && s->level < L2K_SEC_MEDIUM;
	if (unknown)
		*unknown = applies && s->mode4_pending;
	return applies && s->mode4 ? L2K_SEC_MEDIUM : asked;
}

/* The level the channel needs on its link now, and whether that is not known yet. */
static uint8_t chan_need(const struct l2k_chan *ch, const struct l2cap_link_sec *s, bool *unknown)
{
	return l2cap_sec_need(ch->le, ch->psm, l2cap_chan_level(ch), s, unknown);
}

void l2cap_link_sec(struct l2cap_link *l, struct l2cap_link_sec *out)
{
	struct l2cap_engine *e = l->eng;
	if (!e->sec.status || e->sec.status(e->sec.ctx, l->handle, out) < 0)
		*out = (struct l2cap_link_sec){.level = L2K_SEC_LOW};
}

uint16_t l2cap_le_security_result(struct l2cap_link *l, uint8_t level)
{
	struct l2cap_link_sec s;
	l2cap_link_sec(l, &s);
	/* Vol 3 Part C 10.3.1 and Table 10.2.  Not encrypted: with a key for the peer, encrypting
	 * is what is missing (whatever the level); without one, pairing ("Insufficient
	 * Authentication", which then does not ask for MITM). */
	if (!s.encrypted)
		return s.has_key ? L2CAP_LE_INSUFF_ENCRYPTION : L2CAP_LE_INSUFF_AUTHENTICATION;
	/* encrypted with a key too short to count at all */
	if (s.key_too_short)
		return L2CAP_LE_INSUFF_KEY_SIZE;
	/* an unauthenticated key for level 3 or 4, a key without Secure Connections for level 4 */
	if ((level >= L2K_SEC_HIGH && !s.authenticated) || (level >= L2K_SEC_FIPS && !s.secure_conn))
		return L2CAP_LE_INSUFF_AUTHENTICATION;
	/* level 4 lacks only the 16-octet key (Vol 3 Part C 5.2.2.8, 10.2.1) */
	if (level >= L2K_SEC_FIPS && s.key_size < 16)
		return L2CAP_LE_INSUFF_KEY_SIZE;
	return L2CAP_LE_INSUFF_AUTHENTICATION;
}

static void chan_start(struct l2k_chan *ch);
static void link_start_channels(struct l2cap_link *l);

/* The security manager finished raising the link (for one or more of its channels): the
 * channels that waited for it go on (initiators send their request, acceptors are offered to
 * their server) or end (BR/EDR acceptors refuse with Security Block 0x0003). */
static void security_done(void *arg, uint16_t handle, int err)
{
	const struct l2cap_sec_tok *tok = arg;
	struct l2cap_engine *e = tok->eng;
	l2cap_sync_now(e);
	struct l2cap_link *l = l2cap_link_get(e, handle);
	if (!l)
		return; /* the link went: its channels are gone with it */
	if (l->sec_raises[tok->level])
		l->sec_raises[tok->level]--;
	struct l2cap_link_sec sec;
	l2cap_link_sec(l, &sec);
	bool started = false;
	for (size_t i = 0; i < l->chans_cap && l->used; i++) {
		struct l2k_chan *ch = l->chans[i];
		if (!ch || ch->state != CH_WAIT_SECURITY)
			continue;
		bool unknown;
		uint8_t need = chan_need(ch, &sec, &unknown);
		bool ok = sec.level >= need && !unknown;
		if (!ok && err == 0) {
			/* raised, but not far enough for this one: its own request is on - unless it
			 * asked for less before the link turned out to need more (Security Mode 4
			 * between two Simple Pairing hosts): then it asks again */
			if (unknown || ch->sec_asked >= need)
				continue;
			if (!ch->initiator)
				l2cap_br_security_pending(ch); /* the peer waits for the pairing */
			if (l2cap_chan_raise(ch) == 0)
				continue;
		}
		if (ch->initiator) {
			if (ok) {
				chan_start(ch);
				started = true;
			} else {
				ch->last_result = 0;
				l2cap_chan_closed(ch, L2K_CLOSE_SECURITY);
			}
		} else {
			l2cap_br_security_decided(ch, ok);
		}
	}
	if (started && l->used)
		link_start_channels(l);
}

int l2cap_chan_raise(struct l2k_chan *ch)
{
	struct l2cap_engine *e = ch->eng;
	if (!e->sec.raise)
		return L2K_ENOTSUP;
	struct l2cap_link_sec sec;
	l2cap_link_sec(ch->link, &sec);
	/* while it is not known whether Security Mode 4 applies: level 1, answered once it is */
	uint8_t level = chan_need(ch, &sec, NULL);
	struct l2cap_link *l = ch->link;
	ch->sec_asked = level;
	if (l->sec_raises[level])
		return 0; /* a raise to this level is under way: its end answers this channel too */
	e->sec_tok[level] = (struct l2cap_sec_tok){e, level};
	int r = e->sec.raise(e->sec.ctx, l->handle, level, security_done, &e->sec_tok[level]);
	if (r == 0)
		l->sec_raises[level]++;
	return r;
}

/* ---- starting channels ------------------------------------------------------------------- */

/* An outgoing channel on its link, with the security it needs: request it (LE credit based at
 * once; enhanced credit based groups and BR/EDR channels in link_start_channels). */
static void chan_start(struct l2k_chan *ch)
{
	struct l2cap_link *l = ch->link;
	ch->state = l->le && ch->mode != L2K_MODE_ECFC ? CH_WAIT_CONNECT_RSP : CH_WAIT_INFO;
	if (l->le && ch->mode != L2K_MODE_ECFC)
		l2cap_le_connect(ch);
}

/* A link came up or finished its information exchange: start the channels waiting for it. */
void l2cap_chan_link_ready(struct l2cap_link *l)
{
	struct l2cap_engine *e = l->eng;
	for (struct l2k_chan **pp = &e->waiting; *pp;) {
		struct l2k_chan *ch = *pp;
		bool match = !memcmp(ch->peer.b, l->peer.b, 6) &&
			     ((ch->peer_type == L2K_ADDR_BREDR) == !l->le);
		if (!match) {
			pp = &ch->next_pending;
			continue;
		}
		*pp = ch->next_pending;
		ch->next_pending = NULL;
		if (l2cap_chan_attach(l, ch, l2cap_alloc_cid(l)) < 0) {
			ch->last_result = L2CAP_CR_NO_RESOURCES;
			l2cap_chan_closed(ch, L2K_CLOSE_LINK_FAILED);
			continue;
		}
		struct l2cap_link_sec sec;
		l2cap_link_sec(l, &sec);
		bool unknown;
		if (sec.level < chan_need(ch, &sec, &unknown) || unknown) {
			/* raise the link first (encrypt, authenticate, pair; or learn whether Security
			 * Mode 4 applies): the request follows */
			ch->state = CH_WAIT_SECURITY;
			if (l2cap_chan_raise(ch) < 0) {
				ch->last_result = 0;
				l2cap_chan_closed(ch, L2K_CLOSE_SECURITY);
			}
			continue;
		}
		chan_start(ch);
	}
	link_start_channels(l);
}

/* Enhanced credit based groups (one request each) and BR/EDR channels (after the information
 * exchange, once per link) whose security is there. */
static void link_start_channels(struct l2cap_link *l)
{
	if (l->le) {
		/* enhanced credit based channels go out together, one request per group */
		for (size_t i = 0; i < l->chans_cap; i++) {
			struct l2k_chan *ch = l->chans[i];
			if (ch && ch->state == CH_WAIT_INFO && ch->mode == L2K_MODE_ECFC)
				l2cap_ecfc_connect(l, ch);
		}
		return;
	}
	if (l->info_state == INFO_DONE)
		l2cap_br_info_ready(l); /* accepted channels that waited for the features */
	/* BR/EDR: the information exchange comes first, once per link (COS/IEX/BV-01) */
	bool any = false;
	for (size_t i = 0; i < l->chans_cap; i++)
		if (l->chans[i] && l->chans[i]->state == CH_WAIT_INFO)
			any = true;
	if (!any)
		return;
	if (l->info_state == INFO_NONE) {
		l2cap_br_info_start(l);
		return;
	}
	if (l->info_state != INFO_DONE)
		return;
	for (size_t i = 0; i < l->chans_cap; i++) {
		struct l2k_chan *ch = l->chans[i];
		if (ch && ch->state == CH_WAIT_INFO) {
			if (ch->mode == L2K_MODE_ECFC)
				l2cap_ecfc_connect(l, ch);
			else
				l2cap_br_connect(ch);
		}
	}
}

/* ---- channels: what the public face calls ---------------------------------------------- */

/* group != 0: one of several enhanced credit based channels requested together; the caller
 * starts the request once the whole group exists (l2k_chan_connect_ecfc). */
int l2cap_chan_connect_group(struct l2cap_engine *e, const l2k_addr *peer, enum l2k_addr_type type, uint16_t psm,
			     const struct l2k_chan_opts *opts, const struct l2k_chan_cbs *cbs, uint32_t group,
			     l2k_chan **out)
{
	bool le = type != L2K_ADDR_BREDR;
	struct l2k_chan_opts o;
	if (opts)
		o = *opts;
	else
		l2cap_chan_opts_default(&o);
	opts_fill(&o, le);
	int r = opts_check(&o, le);
	if (r < 0)
		return r;
	if (le ? (psm == 0 || psm > L2CAP_SPSM_DYN_END) : !l2cap_psm_valid_bredr(psm))
		return L2K_EINVAL;
	struct l2k_chan *ch = l2cap_chan_new(e, &o, cbs);
	if (!ch)
		return L2K_ENOMEM;
	ch->initiator = true;
	ch->psm = psm;
	ch->peer = *peer;
	ch->peer_type = type;
	ch->state = CH_WAIT_LINK;
	ch->ecfc_group = group;
	if (!group && o.mode == L2K_MODE_ECFC) /* a group of one: never 0 nor a connect_ecfc group */
		ch->ecfc_group = 0x80000000u | ++e->ecfc_solo_groups;
	/* FIFO: channels get their CIDs and requests in the order the application asked */
	struct l2k_chan **tail = &e->waiting;
	while (*tail)
		tail = &(*tail)->next_pending;
	*tail = ch;
	l2cap_arm(ch, &ch->sig_timer, o.connect_timeout_ms);
	uint16_t handle;
	if (l2cap_link_find(e, peer, type, &handle) == 0) {
		if (!group) /* a group starts once it is whole (l2cap_ecfc_connect_each) */
			l2cap_start_waiting_soon(e);
	} else {
		/* one link attempt per peer: skip when another waiting channel already asked */
		bool asked = false;
		for (struct l2k_chan *w = e->waiting; w; w = w->next_pending)
			if (w != ch && !memcmp(w->peer.b, peer->b, 6) &&
			    (w->peer_type == L2K_ADDR_BREDR) == !le)
				asked = true;
		if (!asked) {
			r = l2cap_link_create(e, peer, type);
			if (r < 0) {
				waiting_remove(e, ch);
				timer_cancel(&e->timers, &ch->sig_timer);
				free(ch);
				return r;
			}
		}
	}
	if (out)
		*out = ch;
	return 0;
}

/* The stack reports a failed link attempt: fail the channels that waited for it. */
void l2cap_link_failed(struct l2cap_engine *e, const l2k_addr *peer, bool le, uint8_t status)
{
	for (struct l2k_chan *ch = e->waiting, *next; ch; ch = next) {
		next = ch->next_pending;
		if (!memcmp(ch->peer.b, peer->b, 6) && (ch->peer_type == L2K_ADDR_BREDR) == !le) {
			ch->hci_reason = status;
			l2cap_chan_closed(ch, L2K_CLOSE_LINK_FAILED);
		}
	}
}

int l2cap_chan_send(l2k_chan *ch, const uint8_t *sdu, size_t len)
{
	if (ch->state != CH_OPEN || !ch->ops)
		return L2K_ENOTCONN;
	if (len > ch->remote_mtu)
		return L2K_EMSGSIZE;
	const uint8_t *parts[1] = {sdu};
	size_t lens[1] = {len};
	int r = ring_push(&ch->txq, parts, lens, 1);
	if (r < 0) {
		if (r == L2K_EAGAIN)
			ch->want_send_ready = true;
		return r; /* L2K_EAGAIN: queue full; L2K_ENOMEM */
	}
	ch->st.tx_sdus++;
	ch->st.tx_bytes += len;
	if (ch->ops->pump)
		ch->ops->pump(ch);
	return 0;
}

size_t l2cap_chan_send_room(const l2k_chan *ch)
{
	if (ch->state != CH_OPEN)
		return 0;
	size_t r = ring_room(&ch->txq);
	return r < ch->remote_mtu ? r : ch->remote_mtu;
}

int l2cap_chan_close(l2k_chan *ch)
{
	if (ch->state == CH_CLOSED || ch->in_callback_close)
		return L2K_ENOTCONN;
	if (ch->state == CH_WAIT_CONNECT_RSP) {
		/* no remote CID yet: disconnect as soon as the response tells it */
		ch->close_pending = true;
		return 0;
	}
	l2cap_chan_disconnect(ch, L2K_CLOSE_LOCAL);
	return 0;
}

int l2cap_chan_set_busy(l2k_chan *ch, bool busy)
{
	if (ch->state != CH_OPEN || !ch->ops)
		return L2K_ENOTCONN;
	ch->rx_hold = busy;
	if (ch->ops->consumed)
		ch->ops->consumed(ch); /* the mode reacts to rx_hold (RNR, R bit, credits) */
	return 0;
}

int l2cap_chan_give_credits(l2k_chan *ch, uint16_t n)
{
	if (ch->state != CH_OPEN || (ch->mode != L2K_MODE_LE_CREDIT && ch->mode != L2K_MODE_ECFC))
		return L2K_ENOTCONN;
	if (!ch->opts.manual_credits)
		return L2K_EINVAL;
	if ((uint32_t)ch->rx_credits + n > L2CAP_MAX_CREDITS)
		return L2K_EINVAL;
	ch->rx_credits += n;
	l2cap_send_credits(ch, n);
	return 0;
}

int l2cap_chan_get_info(const l2k_chan *ch, struct l2k_chan_info *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = ch->mode;
	o->link_type = ch->peer_type;
	o->peer = ch->peer;
	o->handle = ch->link ? ch->link->handle : 0;
	o->psm = ch->psm;
	o->local_cid = ch->lcid;
	o->remote_cid = ch->rcid;
	o->local_mtu = ch->local_mtu;
	o->remote_mtu = ch->remote_mtu;
	o->local_mps = ch->local_mps;
	o->remote_mps = ch->remote_mps;
	o->credits_tx = (uint16_t)(ch->tx_credits > 0xFFFF ? 0xFFFF : ch->tx_credits);
	o->credits_rx = (uint16_t)ch->rx_credits;
	o->fcs = ch->fcs;
	o->result = ch->last_result;
	o->hci_reason = ch->hci_reason;
	o->tx_sdus = ch->st.tx_sdus;
	o->rx_sdus = ch->st.rx_sdus;
	o->tx_bytes = ch->st.tx_bytes;
	o->rx_bytes = ch->st.rx_bytes;
	o->retransmissions = ch->st.retransmissions;
	o->rx_sdus_dropped = ch->st.rx_dropped;
	o->rx_frames_bad_fcs = ch->st.bad_fcs;
	struct hci_link_stats ls;
	if (ch->link && hci_host_link_stats(ch->eng->hci, ch->link->handle, &ls) == 0)
		o->link_acl_dropped = ls.rx_drop_cont_without_start + ls.rx_drop_overrun + ls.rx_drop_short_start +
				      ls.rx_drop_too_big + ls.rx_drop_incomplete + ls.rx_drop_bad_header;
	return 0;
}

/* ---- servers -------------------------------------------------------------------------------- */

struct l2k_server *l2cap_server_find(struct l2cap_engine *e, uint16_t psm, bool le)
{
	for (int i = 0; i < L2CAP_MAX_SERVERS; i++)
		if (e->servers[i].used && e->servers[i].psm == psm && e->servers[i].le == le)
			return &e->servers[i];
	return NULL;
}

int l2cap_server_add(struct l2cap_engine *e, uint16_t psm, bool le, const struct l2k_chan_opts *opts,
		     const struct l2k_server_cbs *cbs, l2k_server **out)
{
	if (le ? (psm == 0 || psm > L2CAP_SPSM_DYN_END) : !l2cap_psm_valid_bredr(psm))
		return L2K_EINVAL;
	if (!cbs || !cbs->accept)
		return L2K_EINVAL;
	struct l2k_chan_opts o;
	if (opts)
		o = *opts;
	else
		l2cap_chan_opts_default(&o);
	opts_fill(&o, le);
	int r = opts_check(&o, le);
	if (r < 0)
		return r;
	if (l2cap_server_find(e, psm, le))
		return L2K_EADDRINUSE;
	for (int i = 0; i < L2CAP_MAX_SERVERS; i++) {
		struct l2k_server *sv = &e->servers[i];
		if (sv->used)
			continue;
		memset(sv, 0, sizeof(*sv));
		sv->used = true;
		sv->eng = e;
		sv->psm = psm;
		sv->le = le;
		sv->opts = o;
		sv->cbs = *cbs;
		if (out)
			*out = sv;
		return 0;
	}
	return L2K_ENOBUFS;
}

void l2cap_server_remove(l2k_server *srv)
{
	if (srv)
		srv->used = false;
}

int l2cap_server_offer(struct l2k_server *sv, struct l2k_chan *ch, uint16_t peer_mtu, uint16_t peer_mps)
{
	struct l2k_conn_request rq = {0};
	rq.peer = ch->peer;
	rq.link_type = ch->peer_type;
	rq.handle = ch->link->handle;
	rq.psm = ch->psm;
	rq.mode = ch->mode;
	rq.peer_mtu = peer_mtu;
	rq.peer_mps = peer_mps;
	rq.chan = ch;
	struct l2k_chan_opts o = sv->opts;
	struct l2k_chan_cbs cb = {0};
	int r = sv->cbs.accept(sv->cbs.user, &rq, &o, &cb);
	if (r != 0 && r != L2K_ACCEPT_PENDING)
		return r;
	/* The application has seen the channel (rq.chan) and may keep it, also when it deferred
	 * the decision: from here on closed() must tell it when the channel ends, whether it is
	 * refused below, refused later or lost with its link while pending. */
	ch->cbs = cb;
	opts_fill(&o, ch->le);
	if (opts_check(&o, ch->le) < 0)
		return ch->le ? L2CAP_LE_NO_RESOURCES : L2CAP_CR_NO_RESOURCES;
	ch->opts = o; /* a deferred channel keeps them too: l2k_chan_accept() uses them */
	ch->mode = o.mode;
	ch->local_mtu = o.mtu;
	return r;
}
