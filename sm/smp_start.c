/* How a security procedure of LE starts and ends (Core Vol 3 Part H): the central encrypts with a
 * stored key or pairs, the peripheral sends a Security Request (3.6.7); phase 1, the Pairing
 * Request / Response exchange (3.5.1, 3.5.2: key size, Secure Connections, bonding, key
 * distribution) and the association model (2.3.5.1); the encryption that follows phase 2, the
 * bond stored at the end, and what the waiters learn. */
#include <string.h>

#include "sm/smp_int.h"

#define STAT(sm, f)                                                                                 \
	do {                                                                                        \
		struct smp_global *g_ = smp_global(sm);                                             \
		if (g_)                                                                             \
			g_->stats.f++;                                                              \
	} while (0)

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
	o->max_key_size = sm->cfg.max_key_size;
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
	if (smp_backing_off(sm, l)) {
		l->pairing = true;
		smp_fail_later(sm, l, L2K_EAUTH, "repeated attempts: pairing with this peer failed too often, wait");
		return;
	}
	struct smp_pairing *p = smp_pairing_new(sm, l, SMP_S_PAIR_RSP);
	l->busy = true;
	l->pairing = true;
	if (!p) {
		smp_fail_later(sm, l, L2K_ENOMEM, "out of memory");
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
		smp_fail_later(sm, l, r, "could not send the Pairing Request");
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
	struct smp_pairing *p = smp_pairing_new(sm, l, SMP_S_ENCRYPTING);
	if (!p)
		return false;
	p->want_level = want;
	l->busy = true;
	struct smp_key_info k = {true, b.key_size, b.authenticated, b.secure_conn, true};
	int r = smp_hci_encrypt(sm, l, b.ltk, b.ediv, b.rand, &k);
	crypto_wipe(&b, sizeof(b));
	if (r < 0) {
		smp_pairing_free(sm, l);
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
			smp_fail_later(sm, l, L2K_ETIMEDOUT, "SMP timed out on this link: no security procedure until it reconnects");
		return;
	}
	if (p)
		return; /* under way: its end answers the waiters */
	uint8_t want = l->want_level > smp_wanted(l) ? l->want_level : smp_wanted(l);
	if (l->role == 1) {
		/* 3.6.7: the peripheral asks the central, which pairs or encrypts */
		if (smp_backing_off(sm, l)) {
			smp_fail_later(sm, l, L2K_EAUTH, "repeated attempts: pairing with this peer failed too often, wait");
			return;
		}
		p = smp_pairing_new(sm, l, SMP_S_SECREQ);
		if (!p) {
			smp_fail_later(sm, l, L2K_ENOMEM, "out of memory");
			return;
		}
		p->want_level = want;
		l->busy = true;
		struct smp_pdu d = {.code = SMP_SECURITY_REQ};
		d.u.auth_req = our_auth_req(sm, want);
		int r = smp_send(sm, l, &d);
		if (r < 0)
			smp_fail_later(sm, l, r, "could not send the Security Request");
		return;
	}
	if (!l->pairing && encrypt_stored(sm, l, want))
		return;
	pair(sm, l, want);
}

/* Peripheral: a Pairing Request. */
void smp_rx_pairing_req(struct sm *sm, struct sm_link *l, const struct smp_pdu *d, const uint8_t *raw)
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
	if (smp_backing_off(sm, l)) {
		/* 2.3.6: refused without counting (the interval runs from the last real failure) */
		smp_send_failed(sm, l, SMP_ERR_REPEATED_ATTEMPTS);
		if (p) {
			smp_pairing_free(sm, l);
			smp_report_failure(sm, l, L2K_EAUTH, "repeated attempts: the peer must wait before pairing again");
		}
		return;
	}
	uint8_t want = smp_wanted(l);
	if (p) {
		if (p->want_level > want)
			want = p->want_level;
		timer_arm(&sm->timers, &p->timeout, sm->now + sm->cfg.smp_timeout_ms);
		p->state = SMP_S_PHASE2;
	} else if (!(p = smp_pairing_new(sm, l, SMP_S_PHASE2))) {
		smp_send_failed(sm, l, SMP_ERR_UNSPECIFIED);
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
void smp_rx_pairing_rsp(struct sm *sm, struct sm_link *l, const struct smp_pdu *d, const uint8_t *raw)
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
void smp_rx_security_req(struct sm *sm, struct sm_link *l, const struct smp_pdu *d)
{
	if (l->role != 0) {
		smp_abort(sm, l, SMP_ERR_COMMAND_NOT_SUPPORTED, "the central sent a Security Request");
		return;
	}
	if (l->smp || l->busy)
		return; /* a procedure is under way */
	if (smp_backing_off(sm, l)) {
		smp_send_failed(sm, l, SMP_ERR_REPEATED_ATTEMPTS);
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
		smp_pairing_free(sm, l);
		if (!status) {
			finish(sm, l, false);
		} else if (status == HCI_ERR_PIN_OR_KEY_MISSING) {
			/* the peer lost the bond: pair again for what is wanted */
			l->busy = false;
			pair(sm, l, l->want_level > smp_wanted(l) ? l->want_level : smp_wanted(l));
		} else {
			smp_report_failure(sm, l, L2K_EAUTH, "encryption with the stored key failed");
		}
		return;
	case SMP_S_SECREQ:
		if (!status) { /* the central encrypted with a key we have */
			smp_pairing_free(sm, l);
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
	smp_attempt_result(sm, l, true);
	STAT(sm, pairings);
	smp_pairing_free(sm, l);
	finish(sm, l, true);
}
