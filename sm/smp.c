/* LE Security Manager Protocol (Core Vol 3 Part H): the pairing state machine of both roles.
 *
 * A pairing on a link (struct smp_pairing, l->smp) goes through
 *   phase 1  the Pairing Request / Response exchange (3.5.1, 3.5.2): IO capabilities, OOB flags,
 *            AuthReq, key size and key distribution; the association model (2.3.5.1);
 *   phase 2  authentication: legacy pairing (smp_legacy.c: c1, s1, the STK) or LE Secure
 *            Connections (smp_sc.c: public keys, f4, g2, f5, f6, the LTK);
 *   then     encryption with the STK / LTK (the central starts it, smp_hci.c), and
 *   phase 3  key distribution (smp_legacy.c), the bond stored when both sides bond.
 * The central starts pairing, or encrypts with a stored key when that gives the level wanted;
 * the peripheral asks for it with a Security Request (3.6.7).  Every command the peer sends out
 * of turn, with a bad length or a bad value is answered with Pairing Failed and the reason of
 * 3.5.5; the Security Manager Timer (3.4) ends a pairing that stalls for 30 s, after which the
 * link carries no SMP until it reconnects; failed pairings in a row make the peer wait longer
 * and longer (2.3.6). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "core/l2cap_int.h"
#include "sm/smp_int.h"

/* ---- the manager's LE state ------------------------------------------------------------------- */

struct smp_global *smp_global(struct sm *sm)
{
	if (!sm->smp_g)
		sm->smp_g = calloc(1, sizeof(*sm->smp_g));
	return sm->smp_g;
}

#define STAT(sm, f)                                                                                 \
	do {                                                                                        \
		struct smp_global *g_ = smp_global(sm);                                             \
		if (g_)                                                                             \
			g_->stats.f++;                                                              \
	} while (0)

void sm_smp_stats(const struct sm *sm, struct sm_smp_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (sm->smp_g)
		*out = sm->smp_g->stats;
}

const char *smp_why(struct sm *sm, const char *fmt, ...)
{
	struct smp_global *g = smp_global(sm);
	if (!g)
		return fmt;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(g->why, sizeof(g->why), fmt, ap);
	va_end(ap);
	return g->why;
}

void smp_sync_now(struct sm *sm)
{
	/* sm_tick tells the manager the time after the stack's input: an SMP command or an event
	 * may come first, after a long idle time (a run loop sleeps until it arrives), and the
	 * timers it arms must start from now */
	if (!sm->eng)
		return;
	l2cap_sync_now(sm->eng);
	if (sm->eng->now > sm->now)
		sm->now = sm->eng->now;
}

struct sm_link *smp_link(struct smp_pairing *p)
{
	struct sm_link *l = sm_link_of(p->sm, p->handle);
	return l && l->smp == p ? l : NULL;
}

uint8_t smp_wanted(const struct sm_link *l)
{
	uint8_t w = 0;
	for (int i = 0; i < l->nwaiters; i++)
		if (l->waiters[i].level > w)
			w = l->waiters[i].level;
	return w;
}

int smp_random_passkey(uint32_t *out)
{
	uint8_t b[4];
	int r = crypto_random(b, sizeof(b));
	*out = r == 0 ? get_le32(b) % 1000000u : 0;
	return r;
}

void smp_passkey_value(uint32_t passkey, uint8_t out[16])
{
	memset(out, 0, 16);
	put_le32(out, passkey);
}

/* ---- repeated attempts (2.3.6) -------------------------------------------------------------- */

static int attempt_slot(struct sm *sm, const struct sm_link *l, bool create)
{
	struct smp_global *g = smp_global(sm);
	if (!g)
		return -1;
	int free_i = -1, oldest = 0;
	for (int i = 0; i < SMP_ATTEMPT_PEERS; i++) {
		if (!g->attempts[i].used) {
			if (free_i < 0)
				free_i = i;
			continue;
		}
		if (g->attempts[i].type == l->id_type && !memcmp(g->attempts[i].addr.b, l->id_addr.b, 6))
			return i;
		if (g->attempts[i].last < g->attempts[oldest].last)
			oldest = i;
	}
	if (!create)
		return -1;
	int i = free_i >= 0 ? free_i : oldest;
	memset(&g->attempts[i], 0, sizeof(g->attempts[i]));
	g->attempts[i].used = true;
	g->attempts[i].addr = l->id_addr;
	g->attempts[i].type = l->id_type;
	return i;
}

/* True while the peer must wait before pairing again. */
static bool backing_off(struct sm *sm, const struct sm_link *l)
{
	int i = attempt_slot(sm, l, false);
	return i >= 0 && sm->cfg.max_attempts && sm->smp_g->attempts[i].failures >= sm->cfg.max_attempts &&
	       sm->now < sm->smp_g->attempts[i].retry_at;
}

static void attempt_result(struct sm *sm, const struct sm_link *l, bool ok)
{
	int i = attempt_slot(sm, l, !ok);
	if (i < 0)
		return;
	struct smp_global *g = sm->smp_g;
	if (ok) {
		g->attempts[i].used = false;
		return;
	}
	/* each failure from max_attempts on doubles the waiting interval */
	uint8_t f = g->attempts[i].failures < 255 ? ++g->attempts[i].failures : 255;
	g->attempts[i].last = sm->now;
	if (sm->cfg.max_attempts && f >= sm->cfg.max_attempts) {
		unsigned shift = f - sm->cfg.max_attempts;
		if (shift > SMP_BACKOFF_MAX_SHIFT)
			shift = SMP_BACKOFF_MAX_SHIFT;
		g->attempts[i].retry_at = sm->now + ((uint64_t)SMP_BACKOFF_BASE_MS << shift);
	}
}

/* ---- the pairing object, its timers --------------------------------------------------------- */

static void timeout_fire(struct timer *t, uint64_t now);
static void later_fire(struct timer *t, uint64_t now);

static struct smp_pairing *pairing_new(struct sm *sm, struct sm_link *l, enum smp_state st)
{
	struct smp_pairing *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->sm = sm;
	p->handle = l->handle;
	p->state = st;
	p->timeout.fire = timeout_fire;
	p->later.fire = later_fire;
	l->smp = p;
	if (st != SMP_S_DEAD && st != SMP_S_ENCRYPTING && st != SMP_S_FAILING)
		timer_arm(&sm->timers, &p->timeout, sm->now + sm->cfg.smp_timeout_ms);
	return p;
}

static void pairing_free(struct sm *sm, struct sm_link *l)
{
	struct smp_pairing *p = l->smp;
	if (!p)
		return;
	timer_cancel(&sm->timers, &p->timeout);
	timer_cancel(&sm->timers, &p->later);
	smp_sc_free(p);
	crypto_wipe(p, sizeof(*p));
	free(p);
	l->smp = NULL;
}

int smp_send(struct sm *sm, struct sm_link *l, const struct smp_pdu *pdu)
{
	uint8_t b[SMP_PDU_MAX];
	size_t n = smp_build(pdu, b);
	if (!n || !sm->eng)
		return L2K_EINVAL;
	int r = l2cap_fixed_send(sm->eng, l->handle, L2CAP_CID_SMP, 0, b, n);
	crypto_wipe(b, sizeof(b));
	if (r < 0)
		return r;
	STAT(sm, tx);
	if (pdu->code == SMP_PAIRING_FAILED)
		STAT(sm, failed_sent);
	/* 3.4: the timer restarts whenever a command is queued */
	struct smp_pairing *p = l->smp;
	if (p && timer_armed(&p->timeout))
		timer_arm(&sm->timers, &p->timeout, sm->now + sm->cfg.smp_timeout_ms);
	return 0;
}

int smp_send_value(struct sm *sm, struct sm_link *l, uint8_t code, const uint8_t v[16])
{
	struct smp_pdu d = {.code = code};
	memcpy(d.u.value, v, 16);
	return smp_send(sm, l, &d);
}

static void send_failed(struct sm *sm, struct sm_link *l, uint8_t reason)
{
	struct smp_pdu d = {.code = SMP_PAIRING_FAILED};
	d.u.reason = reason;
	smp_send(sm, l, &d);
}

static int err_of_reason(uint8_t reason)
{
	return reason == SMP_ERR_ENCRYPTION_KEY_SIZE ? L2K_EKEYSIZE : L2K_EAUTH;
}

/* Report err to the link's waiters (and the application when a pairing was under way). */
static void report_failure(struct sm *sm, struct sm_link *l, int err, const char *why)
{
	l->busy = false;
	if (l->pairing)
		sm_pairing_done(sm, l, err, why);
	else
		sm_fail_waiters(sm, l, err);
}

static void end_with(struct sm *sm, struct sm_link *l, uint8_t reason, int err, const char *why, bool dead,
		     bool counts)
{
	struct smp_pairing *p = l->smp;
	if (p && p->state == SMP_S_DEAD)
		return;
	/* a pairing, a Security Request, an encryption was under way (else only the answer goes) */
	bool under_way = p && p->state != SMP_S_FAILING;
	if (reason)
		send_failed(sm, l, reason);
	if (counts && under_way && p->state != SMP_S_ENCRYPTING)
		attempt_result(sm, l, false);
	if (p && p->state == SMP_S_FAILING)
		return; /* its own report follows */
	pairing_free(sm, l);
	if (dead)
		pairing_new(sm, l, SMP_S_DEAD); /* without memory the link merely stays usable */
	if (under_way || l->pairing)
		report_failure(sm, l, err, why);
}

void smp_fail(struct sm *sm, struct sm_link *l, uint8_t reason, int err, const char *why)
{
	end_with(sm, l, reason, err, why, false, true);
}

void smp_abort(struct sm *sm, struct sm_link *l, uint8_t reason, const char *why)
{
	smp_fail(sm, l, reason, err_of_reason(reason), why);
}

static void timeout_fire(struct timer *t, uint64_t now)
{
	struct smp_pairing *p = (struct smp_pairing *)((char *)t - offsetof(struct smp_pairing, timeout));
	struct sm *sm = p->sm;
	struct sm_link *l = smp_link(p);
	(void)now;
	if (!l)
		return;
	if (p->state == SMP_S_SECREQ) {
		/* our Security Request went unanswered: no pairing ever started, SMP stays usable */
		pairing_free(sm, l);
		report_failure(sm, l, L2K_ETIMEDOUT, "the central did not answer the Security Request within 30 s");
		return;
	}
	/* 3.4: the procedure failed; no further SMP command is sent on this link */
	end_with(sm, l, 0, L2K_ETIMEDOUT, "SMP timeout: the peer stopped answering (no security procedure on this link until it reconnects)",
		 true, true);
}

static void later_fire(struct timer *t, uint64_t now)
{
	struct smp_pairing *p = (struct smp_pairing *)((char *)t - offsetof(struct smp_pairing, later));
	struct sm *sm = p->sm;
	struct sm_link *l = smp_link(p);
	(void)now;
	if (!l)
		return;
	int err = p->later_err;
	const char *why = p->later_why;
	if (p->state != SMP_S_DEAD)
		pairing_free(sm, l);
	report_failure(sm, l, err, why);
}

/* smp_start runs inside sm_secure / sm_pair, whose callers learn the outcome later, never
 * inside the call: a failure found at once is reported from the next tick. */
static void fail_later(struct sm *sm, struct sm_link *l, int err, const char *why)
{
	struct smp_pairing *p = l->smp;
	if (!p && !(p = pairing_new(sm, l, SMP_S_FAILING)))
		return;
	l->busy = true;
	p->later_err = err;
	p->later_why = why;
	timer_arm(&sm->timers, &p->later, sm->now);
}

/* ---- success ------------------------------------------------------------------------------------ */

/* The link's key changed (pairing done, or encrypted with a stored key): tell the application,
 * wake the waiters it satisfies; those it cannot satisfy fail, or (central, stored key not
 * enough) a pairing follows. */
static void finish(struct sm *sm, struct sm_link *l, bool paired_now)
{
	l->busy = true; /* keeps sm_security_changed from starting anything meanwhile */
	sm_security_changed(sm, l);
	if (!l->used)
		return;
	if (paired_now || (l->pairing && l->role == 1)) {
		/* a peripheral's l2k_pair is answered by whatever the central chose */
		sm_pairing_done(sm, l, 0, NULL);
		if (!l->used)
			return;
	}
	l->busy = false;
	if (l->smp)
		return;
	if (l->pairing) {
		smp_start(sm, l); /* l2k_pair while the link was being encrypted */
		return;
	}
	if (smp_wanted(l) > l->sec.level) {
		if (paired_now || l->role == 1)
			sm_fail_waiters(sm, l, L2K_EAUTH);
		else
			smp_start(sm, l);
	}
}

/* ---- phase 1: features and the association model (2.3.5.1) --------------------------------- */

enum { T_JW = SMP_JUST_WORKS, T_NC = SMP_NUMERIC_COMPARISON, T_DISP = SMP_PASSKEY_DISPLAY,
       T_ENTER = SMP_PASSKEY_ENTRY, T_BOTH = SMP_PASSKEY_BOTH, T_OVERLAP = 99 };

/* Table 2.8, from this side's point of view: [peer's IO capability][ours].  T_DISP: we show
 * the passkey; T_ENTER: we type it; T_OVERLAP (legacy, both KeyboardDisplay): the initiator
 * shows, the responder types. */
static const uint8_t legacy_model[5][5] = {
	/* ours: DisplayOnly DisplayYesNo KeyboardOnly NoInputNoOutput KeyboardDisplay */
	/* peer DisplayOnly */ {T_JW, T_JW, T_ENTER, T_JW, T_ENTER},
	/* peer DisplayYesNo */ {T_JW, T_JW, T_ENTER, T_JW, T_ENTER},
	/* peer KeyboardOnly */ {T_DISP, T_DISP, T_BOTH, T_JW, T_DISP},
	/* peer NoInputNoOutput */ {T_JW, T_JW, T_JW, T_JW, T_JW},
	/* peer KeyboardDisplay */ {T_DISP, T_DISP, T_ENTER, T_JW, T_OVERLAP},
};
static const uint8_t sc_model[5][5] = {
	/* peer DisplayOnly */ {T_JW, T_JW, T_ENTER, T_JW, T_ENTER},
	/* peer DisplayYesNo */ {T_JW, T_NC, T_ENTER, T_JW, T_NC},
	/* peer KeyboardOnly */ {T_DISP, T_DISP, T_BOTH, T_JW, T_DISP},
	/* peer NoInputNoOutput */ {T_JW, T_JW, T_JW, T_JW, T_JW},
	/* peer KeyboardDisplay */ {T_DISP, T_NC, T_ENTER, T_JW, T_NC},
};

enum smp_method smp_association(bool sc, bool initiator, const struct smp_pairing_params *ours,
				const struct smp_pairing_params *peer)
{
	/* 2.3.5.1: OOB when both (legacy) / either (SC) side has the other's data; Just Works when
	 * neither side asks for MITM protection; else the IO capabilities decide */
	if (sc ? (ours->oob || peer->oob) : (ours->oob && peer->oob))
		return SMP_OOB;
	if (!((ours->auth_req | peer->auth_req) & SMP_AUTH_MITM))
		return SMP_JUST_WORKS;
	uint8_t t = (sc ? sc_model : legacy_model)[peer->io_cap][ours->io_cap];
	if (t == T_OVERLAP)
		return initiator ? SMP_PASSKEY_DISPLAY : SMP_PASSKEY_ENTRY;
	return (enum smp_method)t;
}

static uint8_t our_auth_req(const struct sm *sm, uint8_t want)
{
	uint8_t a = sm->cfg.bondable ? SMP_AUTH_BONDING : 0;
	if (want >= L2K_SEC_HIGH || sm->cfg.io_cap != L2K_IO_NO_INPUT_NO_OUTPUT)
		a |= SMP_AUTH_MITM;
	if (!sm->cfg.le_legacy_only)
		a |= SMP_AUTH_SC;
	return a;
}

/* The keys we send: legacy, our LTK for when the roles swap; our identity when we have an IRK.
 * l2kit does not sign data, so it keeps no CSRK of its own and offers none. */
static uint8_t our_dist(const struct sm *sm)
{
	return SMP_DIST_ENC | (sm->cfg.has_irk ? SMP_DIST_ID : 0);
}
#define PEER_DIST_WANTED (SMP_DIST_ENC | SMP_DIST_ID | SMP_DIST_SIGN)

/* Decide what phase 1 gives, from the two PDUs; 0, or the Pairing Failed reason (*why set). */
static uint8_t negotiate(struct sm *sm, struct sm_link *l, struct smp_pairing *p, const struct smp_pairing_params *ours,
			 const struct smp_pairing_params *peer, const char **why)
{
	bool peer_sc = peer->auth_req & SMP_AUTH_SC;
	p->sc = (ours->auth_req & SMP_AUTH_SC) && peer_sc;
	if (!p->sc && sm->cfg.sc_only) {
		*why = "the peer cannot do LE Secure Connections (Secure Connections Only mode)";
		return SMP_ERR_AUTH_REQUIREMENTS;
	}
	p->key_size = peer->max_key_size < ours->max_key_size ? peer->max_key_size : ours->max_key_size;
	if (p->key_size < sm->cfg.min_key_size) {
		*why = "the peer's encryption key would be shorter than the minimum key size";
		return SMP_ERR_ENCRYPTION_KEY_SIZE;
	}
	p->method = smp_association(p->sc, p->initiator, ours, peer);
	if (p->mitm_needed && p->method == SMP_JUST_WORKS) {
		*why = "an authenticated key is needed but the IO capabilities allow only Just Works";
		return SMP_ERR_AUTH_REQUIREMENTS;
	}
	if (p->want_level >= L2K_SEC_FIPS && (!p->sc || p->key_size < SMP_MAX_KEY_SIZE)) {
		*why = "level 4 needs LE Secure Connections with a 128-bit key";
		return SMP_ERR_AUTH_REQUIREMENTS;
	}
	if (p->method == SMP_OOB && p->sc && peer->oob) {
		struct smp_global *g = smp_global(sm);
		if (!g || !g->oob_key) {
			*why = "the peer has out-of-band data of ours, but we never made any";
			return SMP_ERR_OOB_NOT_AVAILABLE;
		}
	}
	p->bond = sm->cfg.bondable && (ours->auth_req & SMP_AUTH_BONDING_MASK) == SMP_AUTH_BONDING &&
		  (peer->auth_req & SMP_AUTH_BONDING_MASK) == SMP_AUTH_BONDING;
	const struct smp_pairing_params *rq = p->initiator ? ours : peer, *rs = p->initiator ? peer : ours;
	uint8_t init = rq->init_dist & rs->init_dist, resp = rq->resp_dist & rs->resp_dist;
	if (p->sc) { /* 3.6.1: in LE Secure Connections EncKey is ignored (the LTK is not sent) */
		init &= (uint8_t)~SMP_DIST_ENC;
		resp &= (uint8_t)~SMP_DIST_ENC;
	}
	init &= PEER_DIST_WANTED;
	resp &= PEER_DIST_WANTED;
	p->dist_local = p->initiator ? init : resp;
	p->dist_peer = p->initiator ? resp : init;
	(void)l;
	return 0;
}

static void set_addresses(struct sm *sm, struct sm_link *l, struct smp_pairing *p)
{
	uint8_t t, a[6];
	smp_local_addr(sm, &t, a);
	uint8_t pt = l->peer_type == L2K_ADDR_LE_RANDOM ? 1 : 0;
	if (p->initiator) {
		p->ia_type = t;
		memcpy(p->ia, a, 6);
		p->ra_type = pt;
		memcpy(p->ra, l->peer.b, 6);
	} else {
		p->ra_type = t;
		memcpy(p->ra, a, 6);
		p->ia_type = pt;
		memcpy(p->ia, l->peer.b, 6);
	}
}

static void our_params(struct sm *sm, struct sm_link *l, struct smp_pairing *p, bool sc_known, struct smp_pairing_params *o)
{
	const struct l2k_le_oob *oob = smp_oob_for(sm, l);
	o->io_cap = (uint8_t)sm->cfg.io_cap;
	/* the OOB flag says we hold the peer's data for the kind of pairing that will run */
	o->oob = oob && (sc_known ? (p->sc ? oob->has_sc : oob->has_tk) : (oob->has_sc || oob->has_tk));
	o->auth_req = our_auth_req(sm, p->want_level);
	o->max_key_size = SMP_MAX_KEY_SIZE;
	o->init_dist = sm->cfg.bondable ? (p->initiator ? our_dist(sm) : PEER_DIST_WANTED) : 0;
	o->resp_dist = sm->cfg.bondable ? (p->initiator ? PEER_DIST_WANTED : our_dist(sm)) : 0;
}

static void begin_phase2(struct sm *sm, struct sm_link *l)
{
	struct smp_pairing *p = l->smp;
	p->state = SMP_S_PHASE2;
	if (p->sc) {
		if (p->initiator)
			smp_sc_start(sm, l);
		else
			p->expect = SMP_PAIRING_PUBLIC_KEY;
	} else {
		smp_legacy_begin(sm, l);
	}
}

/* Central: send the Pairing Request. */
static void pair(struct sm *sm, struct sm_link *l, uint8_t want)
{
	if (backing_off(sm, l)) {
		l->pairing = true;
		fail_later(sm, l, L2K_EAUTH, "repeated attempts: pairing with this peer failed too often, wait");
		return;
	}
	struct smp_pairing *p = pairing_new(sm, l, SMP_S_PAIR_RSP);
	l->busy = true;
	l->pairing = true;
	if (!p) {
		fail_later(sm, l, L2K_ENOMEM, "out of memory");
		return;
	}
	p->initiator = true;
	p->want_level = want;
	p->mitm_needed = want >= L2K_SEC_HIGH;
	set_addresses(sm, l, p);
	struct smp_pdu d = {.code = SMP_PAIRING_REQ};
	our_params(sm, l, p, false, &d.u.pairing);
	smp_build(&d, p->preq);
	p->expect = SMP_PAIRING_RSP;
	int r = smp_send(sm, l, &d);
	if (r < 0)
		fail_later(sm, l, r, "could not send the Pairing Request");
}

static uint8_t key_level(const struct sm *sm, const struct l2k_bond *b)
{
	if (b->key_size < sm->cfg.min_key_size)
		return L2K_SEC_LOW;
	if (!b->authenticated)
		return L2K_SEC_MEDIUM;
	return b->secure_conn && b->key_size == SMP_MAX_KEY_SIZE ? L2K_SEC_FIPS : L2K_SEC_HIGH;
}

/* Central: encrypt with the stored key when it is good enough for want.  True when started. */
static bool encrypt_stored(struct sm *sm, struct sm_link *l, uint8_t want)
{
	struct l2k_bond b;
	if (l->sec.encrypted || smp_bond_get(sm, l, &b) < 0 || !b.has_ltk || key_level(sm, &b) < want)
		return false;
	struct smp_pairing *p = pairing_new(sm, l, SMP_S_ENCRYPTING);
	if (!p)
		return false;
	p->want_level = want;
	l->busy = true;
	struct smp_key_info k = {true, b.key_size, b.authenticated, b.secure_conn, true};
	int r = smp_hci_encrypt(sm, l, b.ltk, b.ediv, b.rand, &k);
	crypto_wipe(&b, sizeof(b));
	if (r < 0) {
		pairing_free(sm, l);
		l->busy = false;
		return false;
	}
	return true;
}

void smp_start(struct sm *sm, struct sm_link *l)
{
	struct smp_pairing *p = l->smp;
	smp_sync_now(sm);
	if (p && p->state == SMP_S_DEAD) {
		if (!timer_armed(&p->later))
			fail_later(sm, l, L2K_ETIMEDOUT, "SMP timed out on this link: no security procedure until it reconnects");
		return;
	}
	if (p)
		return; /* under way: its end answers the waiters */
	uint8_t want = l->want_level > smp_wanted(l) ? l->want_level : smp_wanted(l);
	if (l->role == 1) {
		/* 3.6.7: the peripheral asks the central, which pairs or encrypts */
		if (backing_off(sm, l)) {
			fail_later(sm, l, L2K_EAUTH, "repeated attempts: pairing with this peer failed too often, wait");
			return;
		}
		p = pairing_new(sm, l, SMP_S_SECREQ);
		if (!p) {
			fail_later(sm, l, L2K_ENOMEM, "out of memory");
			return;
		}
		p->want_level = want;
		l->busy = true;
		struct smp_pdu d = {.code = SMP_SECURITY_REQ};
		d.u.auth_req = our_auth_req(sm, want);
		int r = smp_send(sm, l, &d);
		if (r < 0)
			fail_later(sm, l, r, "could not send the Security Request");
		return;
	}
	if (!l->pairing && encrypt_stored(sm, l, want))
		return;
	pair(sm, l, want);
}

/* Peripheral: a Pairing Request. */
static void rx_pairing_req(struct sm *sm, struct sm_link *l, const struct smp_pdu *d, const uint8_t *raw)
{
	struct smp_pairing *p = l->smp;
	if (l->role != 1) {
		smp_abort(sm, l, SMP_ERR_COMMAND_NOT_SUPPORTED, "the peripheral sent a Pairing Request");
		return;
	}
	if (p && p->state != SMP_S_SECREQ) {
		smp_abort(sm, l, SMP_ERR_UNSPECIFIED, "a Pairing Request in the middle of pairing");
		return;
	}
	if (backing_off(sm, l)) {
		/* 2.3.6: refused without counting (the interval runs from the last real failure) */
		send_failed(sm, l, SMP_ERR_REPEATED_ATTEMPTS);
		if (p) {
			pairing_free(sm, l);
			report_failure(sm, l, L2K_EAUTH, "repeated attempts: the peer must wait before pairing again");
		}
		return;
	}
	uint8_t want = smp_wanted(l);
	if (p) {
		if (p->want_level > want)
			want = p->want_level;
		timer_arm(&sm->timers, &p->timeout, sm->now + sm->cfg.smp_timeout_ms);
		p->state = SMP_S_PHASE2;
	} else if (!(p = pairing_new(sm, l, SMP_S_PHASE2))) {
		send_failed(sm, l, SMP_ERR_UNSPECIFIED);
		return;
	}
	l->busy = true;
	l->pairing = true;
	p->initiator = false;
	p->want_level = want;
	p->mitm_needed = want >= L2K_SEC_HIGH;
	memcpy(p->preq, raw, 7);
	set_addresses(sm, l, p);
	struct smp_pdu rsp = {.code = SMP_PAIRING_RSP};
	struct smp_pairing_params *o = &rsp.u.pairing;
	p->sc = !sm->cfg.le_legacy_only && (d->u.pairing.auth_req & SMP_AUTH_SC);
	our_params(sm, l, p, true, o);
	const char *why = NULL;
	uint8_t reason = negotiate(sm, l, p, o, &d->u.pairing, &why);
	if (reason) {
		smp_abort(sm, l, reason, why);
		return;
	}
	/* the response offers only what the request asked for (3.6.1) */
	o->init_dist &= d->u.pairing.init_dist;
	o->resp_dist &= d->u.pairing.resp_dist;
	if (!p->bond)
		o->init_dist = o->resp_dist = 0;
	smp_build(&rsp, p->pres);
	if (smp_send(sm, l, &rsp) < 0) {
		smp_fail(sm, l, 0, L2K_EIO, "could not send the Pairing Response");
		return;
	}
	begin_phase2(sm, l);
}

/* Central: the Pairing Response. */
static void rx_pairing_rsp(struct sm *sm, struct sm_link *l, const struct smp_pdu *d, const uint8_t *raw)
{
	struct smp_pairing *p = l->smp;
	memcpy(p->pres, raw, 7);
	struct smp_pdu rq;
	smp_parse(p->preq, sizeof(p->preq), &rq);
	/* 3.6.1: a responder sets only the distribution bits the request set */
	struct smp_pairing_params peer = d->u.pairing;
	peer.init_dist &= rq.u.pairing.init_dist;
	peer.resp_dist &= rq.u.pairing.resp_dist;
	const char *why = NULL;
	uint8_t reason = negotiate(sm, l, p, &rq.u.pairing, &peer, &why);
	if (!reason && !p->sc && rq.u.pairing.oob && peer.oob) {
		const struct l2k_le_oob *oob = smp_oob_for(sm, l);
		if (!oob || !oob->has_tk) {
			why = "legacy out-of-band pairing without a TK for this peer";
			reason = SMP_ERR_OOB_NOT_AVAILABLE;
		}
	}
	if (reason) {
		smp_abort(sm, l, reason, why);
		return;
	}
	begin_phase2(sm, l);
}

/* Central: a Security Request (3.6.7): encrypt with a stored key good enough, else pair. */
static void rx_security_req(struct sm *sm, struct sm_link *l, const struct smp_pdu *d)
{
	if (l->role != 0) {
		smp_abort(sm, l, SMP_ERR_COMMAND_NOT_SUPPORTED, "the central sent a Security Request");
		return;
	}
	if (l->smp || l->busy)
		return; /* a procedure is under way */
	if (backing_off(sm, l)) {
		send_failed(sm, l, SMP_ERR_REPEATED_ATTEMPTS);
		return;
	}
	uint8_t a = d->u.auth_req;
	uint8_t want = L2K_SEC_MEDIUM;
	if (a & SMP_AUTH_MITM)
		want = (a & SMP_AUTH_SC) && !sm->cfg.le_legacy_only ? L2K_SEC_FIPS : L2K_SEC_HIGH;
	if (smp_wanted(l) > want)
		want = smp_wanted(l);
	if (l->sec.encrypted && l->sec.level >= want)
		return;
	l->want_level = want;
	if (encrypt_stored(sm, l, want))
		return;
	/* a level 4 the IO capabilities cannot give would only fail: ask for what can be had */
	pair(sm, l, want == L2K_SEC_FIPS && sm->cfg.io_cap == L2K_IO_NO_INPUT_NO_OUTPUT ? L2K_SEC_MEDIUM : want);
}

/* ---- commands in -------------------------------------------------------------------------------- */

static bool passkey_method(enum smp_method m)
{
	return m == SMP_PASSKEY_DISPLAY || m == SMP_PASSKEY_ENTRY || m == SMP_PASSKEY_BOTH;
}

void smp_rx(struct sm *sm, struct sm_link *l, const uint8_t *pdu, size_t len)
{
	struct smp_pairing *p = l->smp;
	STAT(sm, rx);
	smp_sync_now(sm);
	if (p && p->state == SMP_S_DEAD)
		return; /* 3.4: nothing more on this link */
	struct smp_pdu d;
	int reason = smp_parse(pdu, len, &d);
	if (reason) {
		STAT(sm, rx_refused);
		smp_abort(sm, l, (uint8_t)reason,
			  reason == SMP_ERR_COMMAND_NOT_SUPPORTED ? "the peer sent an SMP command of a reserved code"
			  : reason == SMP_ERR_ENCRYPTION_KEY_SIZE ? "the peer's maximum key size is below 7"
								  : "the peer sent a malformed SMP command");
		return;
	}
	switch (d.code) {
	case SMP_PAIRING_FAILED:
		STAT(sm, failed_rcvd);
		if (p && p->state != SMP_S_ENCRYPTING && p->state != SMP_S_FAILING)
			smp_fail(sm, l, 0, err_of_reason(d.u.reason),
				 smp_why(sm, "the peer refused pairing: %s (0x%02x)", smp_reason_name(d.u.reason),
					 d.u.reason));
		return;
	case SMP_PAIRING_REQ: rx_pairing_req(sm, l, &d, pdu); return;
	case SMP_SECURITY_REQ: rx_security_req(sm, l, &d); return;
	case SMP_PAIRING_RSP:
		if (l->role != 0) {
			STAT(sm, rx_refused);
			smp_abort(sm, l, SMP_ERR_COMMAND_NOT_SUPPORTED, "the central sent a Pairing Response");
			return;
		}
		if (p && p->state == SMP_S_PAIR_RSP) {
			rx_pairing_rsp(sm, l, &d, pdu);
			return;
		}
		break;
	case SMP_KEYPRESS_NOTIFICATION:
		/* 3.5.8: the peer types a passkey; nothing to do with it here */
		if (p && p->state == SMP_S_PHASE2 && passkey_method(p->method))
			return;
		break;
	default:
		if (p && p->state == SMP_S_PHASE2 && d.code == p->expect) {
			if (p->sc)
				smp_sc_rx(sm, l, &d);
			else
				smp_legacy_rx(sm, l, &d);
			return;
		}
		if (p && p->state == SMP_S_KEYS && d.code == p->expect) {
			smp_keys_rx(sm, l, &d);
			return;
		}
		break;
	}
	STAT(sm, rx_refused);
	smp_abort(sm, l, SMP_ERR_UNSPECIFIED, smp_why(sm, "the peer sent %s out of turn", smp_code_name(d.code)));
}

/* ---- the user's answers --------------------------------------------------------------------- */

void smp_agent_answer(struct sm *sm, struct sm_link *l, bool accept, uint32_t passkey)
{
	struct smp_pairing *p = l->smp;
	if (!p || p->state != SMP_S_PHASE2 || !p->user_wait)
		return;
	smp_sync_now(sm);
	p->user_wait = false;
	bool entry = p->method == SMP_PASSKEY_ENTRY || p->method == SMP_PASSKEY_BOTH;
	if (!accept || (entry && passkey > 999999)) {
		uint8_t reason = entry ? SMP_ERR_PASSKEY_ENTRY_FAILED
			       : p->sc ? SMP_ERR_NUMERIC_COMPARISON_FAILED
				       : SMP_ERR_UNSPECIFIED;
		smp_fail(sm, l, reason, L2K_EAUTH,
			 entry ? "the passkey entry was cancelled" : "the user refused the pairing (comparison not confirmed)");
		return;
	}
	if (entry)
		p->passkey = passkey;
	p->user_ok = true;
	if (p->sc)
		smp_sc_user(sm, l);
	else
		smp_legacy_user(sm, l);
}

void smp_ask_user(struct sm *sm, struct sm_link *l, enum l2k_agent_ask ask, uint32_t value)
{
	struct smp_pairing *p = l->smp;
	p->user_wait = ask != L2K_ASK_PASSKEY_DISPLAY;
	/* the answer may come inside this call (an agent that answers at once): callers do
	 * nothing with p after it */
	sm_ask(sm, l, ask, value);
}

/* ---- encryption --------------------------------------------------------------------------------- */

void smp_phase2_done(struct sm *sm, struct sm_link *l, const uint8_t key[16])
{
	struct smp_pairing *p = l->smp;
	memcpy(p->enc_key, key, 16);
	/* 2.3.4: a shorter key is the key with its most significant octets zeroed */
	memset(p->enc_key + p->key_size, 0, 16 - p->key_size);
	p->state = SMP_S_START_ENC;
	p->expect = 0;
	if (!p->initiator)
		return; /* the central starts encryption: the LTK Request follows */
	static const uint8_t zero[8];
	struct smp_key_info k;
	smp_key_info(p, &k);
	int r = smp_hci_encrypt(sm, l, p->enc_key, 0, zero, &k);
	if (r < 0)
		smp_abort(sm, l, SMP_ERR_UNSPECIFIED, "could not start encryption");
}

/* What the new key is worth, for the link's security once encrypted. */
void smp_key_info(const struct smp_pairing *p, struct smp_key_info *k)
{
	k->valid = true;
	k->key_size = p->key_size;
	k->authenticated = p->method != SMP_JUST_WORKS;
	k->secure_conn = p->sc;
	k->bonded = false;
}

void smp_encrypted(struct sm *sm, struct sm_link *l, uint8_t status)
{
	struct smp_pairing *p = l->smp;
	if (!p) {
		if (!status)
			finish(sm, l, false);
		return;
	}
	switch (p->state) {
	case SMP_S_ENCRYPTING:
		if (timer_armed(&p->later))
			return;
		pairing_free(sm, l);
		if (!status) {
			finish(sm, l, false);
		} else if (status == HCI_ERR_PIN_OR_KEY_MISSING) {
			/* the peer lost the bond: pair again for what is wanted */
			l->busy = false;
			pair(sm, l, l->want_level > smp_wanted(l) ? l->want_level : smp_wanted(l));
		} else {
			report_failure(sm, l, L2K_EAUTH, "encryption with the stored key failed");
		}
		return;
	case SMP_S_SECREQ:
		if (!status) { /* the central encrypted with a key we have */
			pairing_free(sm, l);
			finish(sm, l, false);
		}
		return;
	case SMP_S_START_ENC:
		if (status) {
			smp_abort(sm, l, SMP_ERR_UNSPECIFIED, "encryption with the new key failed");
			return;
		}
		smp_keys_start(sm, l);
		return;
	default:
		return;
	}
}

/* Key distribution done: store the bond, the pairing succeeded. */
void smp_pairing_complete(struct sm *sm, struct sm_link *l)
{
	struct smp_pairing *p = l->smp;
	struct l2k_bond *b = &p->b;
	if (!p->got_id_info) {
		b->peer = l->peer;
		b->peer_type = l->peer_type;
	}
	b->key_size = p->key_size;
	b->authenticated = p->method != SMP_JUST_WORKS;
	b->secure_conn = p->sc;
	if (p->sc) { /* one LTK both ways, EDIV and Rand 0 */
		b->has_ltk = true;
		memcpy(b->ltk, p->enc_key, 16);
		b->ediv = 0;
		memset(b->rand, 0, 8);
	}
	l->id_addr = b->peer;
	l->id_type = b->peer_type;
	l->sec.bonded = false;
	/* a bond is worth keeping when it has a key to encrypt with again (legacy pairing where
	 * neither side gave its LTK leaves only the STK, gone with the link) */
	if (p->bond && (b->has_ltk || b->has_local_ltk) && sm->store.put && sm->store.put(sm->store.user, b) == 0)
		l->sec.bonded = true;
	attempt_result(sm, l, true);
	STAT(sm, pairings);
	pairing_free(sm, l);
	finish(sm, l, true);
}

/* ---- links ------------------------------------------------------------------------------------- */

void smp_link_down(struct sm *sm, struct sm_link *l, uint8_t reason)
{
	struct smp_pairing *p = l->smp;
	bool under_way = p && p->state != SMP_S_DEAD;
	pairing_free(sm, l);
	smp_link_reset(sm, l);
	if (reason == HCI_ERR_MIC_FAILURE && (under_way || l->nwaiters || l->pairing)) {
		/* the peer's key differs from ours (Vol 6 Part B 5.1.3.1) */
		l->busy = false;
		if (l->pairing)
			sm_pairing_done(sm, l, L2K_EAUTH, "encryption failed: MIC failure (the peer has another key)");
		if (l->used)
			sm_fail_waiters(sm, l, L2K_EAUTH);
	}
}

void smp_free(struct sm *sm)
{
	struct smp_global *g = sm->smp_g;
	if (!g)
		return;
	smp_hci_free(sm);
	crypto_p256_free(g->oob_key);
	crypto_wipe(g, sizeof(*g));
	free(g);
	sm->smp_g = NULL;
}
