/* LE Secure Connections phase 2 (Core Vol 3 Part H 2.3.5.6): the public key exchange (the
 * peer's key validated: a point off P-256 fails pairing, CVE-2018-5383), authentication stage 1
 * for each model (Just Works / Numeric Comparison 2.3.5.6.2, Passkey Entry bit by bit 2.3.5.6.3,
 * Out of Band 2.3.5.6.4) and stage 2, the DHKey checks (2.3.5.6.5) with f5 and f6. */
#include <string.h>

#include "sm/smp_int.h"

#define PASSKEY_ROUNDS 20

void smp_sc_free(struct smp_pairing *p)
{
	if (p->key && !p->key_borrowed)
		crypto_p256_free(p->key);
	p->key = NULL;
}

static bool crypto_failed(struct sm *sm, struct sm_link *l, int r)
{
	if (r >= 0)
		return false;
	smp_abort(sm, l, SMP_ERR_UNSPECIFIED, "the crypto backend failed");
	return true;
}

static bool sent(struct sm *sm, struct sm_link *l, int r, const char *what)
{
	if (r >= 0)
		return true;
	smp_fail(sm, l, 0, L2K_EIO, what);
	return false;
}

/* Our key pair: the debug pair when asked for, the one our OOB data was made for, else fresh. */
static int local_key(struct sm *sm, struct smp_pairing *p)
{
	if (p->key)
		return 0;
	struct smp_global *g = smp_global(sm);
	int r;
	if (sm->cfg.debug_keys) {
		r = smp_debug_key(&p->key);
	} else if (g && g->oob_key) {
		p->key = g->oob_key;
		p->key_borrowed = true;
		r = 0;
	} else {
		r = crypto_p256_generate(&p->key);
	}
	if (r == 0)
		r = smp_public_key(p->key, p->pk_local);
	return r;
}

/* PKax / PKbx: the X coordinates of the initiator's and the responder's keys */
static const uint8_t *pka(const struct smp_pairing *p)
{
	return p->initiator ? p->pk_local : p->pk_peer;
}
static const uint8_t *pkb(const struct smp_pairing *p)
{
	return p->initiator ? p->pk_peer : p->pk_local;
}

/* The confirm value of this round: the initiator's Ca = f4(PKax, PKbx, Na, z), the responder's
 * Cb = f4(PKbx, PKax, Nb, z); z is 0, or 0x80 | the passkey's bit of this round. */
static uint8_t round_z(const struct smp_pairing *p)
{
	if (p->method == SMP_PASSKEY_DISPLAY || p->method == SMP_PASSKEY_ENTRY || p->method == SMP_PASSKEY_BOTH)
		return (uint8_t)(0x80 | ((p->passkey >> p->round) & 1));
	return 0;
}
static int confirm_a(const struct smp_pairing *p, uint8_t out[16])
{
	return smp_f4(pka(p), pkb(p), p->na, round_z(p), out);
}
static int confirm_b(const struct smp_pairing *p, uint8_t out[16])
{
	return smp_f4(pkb(p), pka(p), p->nb, round_z(p), out);
}

/* Our nonce of this round and its confirm value, sent. */
static bool send_our_confirm(struct sm *sm, struct sm_link *l)
{
	struct smp_pairing *p = l->smp;
	uint8_t *n = p->initiator ? p->na : p->nb;
	uint8_t c[16];
	if (crypto_failed(sm, l, crypto_random(n, 16)) ||
	    crypto_failed(sm, l, p->initiator ? confirm_a(p, c) : confirm_b(p, c)))
		return false;
	return sent(sm, l, smp_send_value(sm, l, SMP_PAIRING_CONFIRM, c), "could not send Pairing Confirm");
}

static bool send_our_nonce(struct sm *sm, struct sm_link *l)
{
	struct smp_pairing *p = l->smp;
	return sent(sm, l, smp_send_value(sm, l, SMP_PAIRING_RANDOM, p->initiator ? p->na : p->nb),
		    "could not send Pairing Random");
}

/* The peer's nonce must give the confirm value it sent. */
static bool peer_confirm_ok(struct sm *sm, struct sm_link *l)
{
	struct smp_pairing *p = l->smp;
	uint8_t c[16];
	if (crypto_failed(sm, l, p->initiator ? confirm_b(p, c) : confirm_a(p, c)))
		return false;
	if (!memcmp(c, p->peer_confirm, 16))
		return true;
	smp_abort(sm, l, SMP_ERR_CONFIRM_VALUE_FAILED,
		  p->method == SMP_JUST_WORKS || p->method == SMP_NUMERIC_COMPARISON || p->method == SMP_OOB
			  ? "the peer's confirm value is wrong"
			  : "the peer's confirm value is wrong (different passkeys?)");
	return false;
}

/* f5: MacKey and LTK from the DHKey and the nonces (stage 2). */
static bool keys(struct sm *sm, struct sm_link *l)
{
	struct smp_pairing *p = l->smp;
	return !crypto_failed(sm, l, smp_f5(p->dhkey, p->na, p->nb, p->ia_type, p->ia, p->ra_type, p->ra, p->mackey, p->enc_key));
}

/* Ea = f6(MacKey, Na, Nb, rb, IOcapA, A, B); Eb = f6(MacKey, Nb, Na, ra, IOcapB, B, A) */
static int check_a(const struct smp_pairing *p, uint8_t out[16])
{
	return smp_f6(p->mackey, p->na, p->nb, p->rb_oob, p->preq + 1, p->ia_type, p->ia, p->ra_type, p->ra, out);
}
static int check_b(const struct smp_pairing *p, uint8_t out[16])
{
	return smp_f6(p->mackey, p->nb, p->na, p->ra_oob, p->pres + 1, p->ra_type, p->ra, p->ia_type, p->ia, out);
}

static void send_check(struct sm *sm, struct sm_link *l)
{
	struct smp_pairing *p = l->smp;
	uint8_t e[16];
	if (crypto_failed(sm, l, p->initiator ? check_a(p, e) : check_b(p, e)))
		return;
	if (!sent(sm, l, smp_send_value(sm, l, SMP_PAIRING_DHKEY_CHECK, e), "could not send Pairing DHKey Check"))
		return;
	if (p->initiator) {
		p->expect = SMP_PAIRING_DHKEY_CHECK;
		return;
	}
	uint8_t ltk[16];
	memcpy(ltk, p->enc_key, 16);
	smp_phase2_done(sm, l, ltk);
	crypto_wipe(ltk, sizeof(ltk));
}

/* The responder checks Ea (once the user agreed, in the models that ask), then answers Eb. */
static void responder_check(struct sm *sm, struct sm_link *l)
{
	struct smp_pairing *p = l->smp;
	uint8_t e[16];
	if (crypto_failed(sm, l, check_a(p, e)))
		return;
	if (memcmp(e, p->peer_check, 16)) {
		smp_abort(sm, l, SMP_ERR_DHKEY_CHECK_FAILED, "the peer's DHKey check value is wrong");
		return;
	}
	send_check(sm, l);
}

/* Stage 1 done (the nonces are known): f5, then the user's confirmation where the model has
 * one, then the checks. */
static void stage1_done(struct sm *sm, struct sm_link *l)
{
	struct smp_pairing *p = l->smp;
	if (!keys(sm, l))
		return;
	/* the responder takes Ea even while its user decides; the initiator sends Ea first */
	p->expect = p->initiator ? 0 : SMP_PAIRING_DHKEY_CHECK;
	if (p->method == SMP_NUMERIC_COMPARISON) {
		uint32_t v;
		if (crypto_failed(sm, l, smp_g2(pka(p), pkb(p), p->na, p->nb, &v)))
			return;
		p->user_ok = false;
		smp_ask_user(sm, l, L2K_ASK_CONFIRM, v % 1000000u);
		return;
	}
	if (p->method == SMP_JUST_WORKS) {
		p->user_ok = false;
		smp_ask_user(sm, l, L2K_ASK_JUST_WORKS, 0);
		return;
	}
	if (p->initiator)
		send_check(sm, l);
	else if (p->have_peer_check)
		responder_check(sm, l);
}

/* Passkey entry: the passkey is known; the initiator opens round 0. */
static void passkey_known(struct sm *sm, struct sm_link *l)
{
	struct smp_pairing *p = l->smp;
	smp_passkey_value(p->passkey, p->ra_oob);
	smp_passkey_value(p->passkey, p->rb_oob);
	p->user_ok = true;
	if (p->initiator) {
		if (send_our_confirm(sm, l))
			p->expect = SMP_PAIRING_CONFIRM;
	} else if (p->have_peer_confirm) {
		if (send_our_confirm(sm, l))
			p->expect = SMP_PAIRING_RANDOM;
	} else {
		p->expect = SMP_PAIRING_CONFIRM;
	}
}

/* Both public keys known: the DHKey, then stage 1 of the model. */
static void keys_exchanged(struct sm *sm, struct sm_link *l)
{
	struct smp_pairing *p = l->smp;
	const struct l2k_le_oob *oob = smp_oob_for(sm, l);
	struct smp_pdu rq, rs;
	smp_parse(p->preq, sizeof(p->preq), &rq);
	smp_parse(p->pres, sizeof(p->pres), &rs);
	bool our_flag = (p->initiator ? rq : rs).u.pairing.oob, peer_flag = (p->initiator ? rs : rq).u.pairing.oob;
	switch (p->method) {
	case SMP_OOB: {
		/* 2.3.5.6.4: the r of a side the peer has data from; 0 for the other */
		uint8_t *r_local = p->initiator ? p->ra_oob : p->rb_oob, *r_peer = p->initiator ? p->rb_oob : p->ra_oob;
		struct smp_global *g = smp_global(sm);
		if (peer_flag && g)
			memcpy(r_local, g->oob_r, 16);
		if (our_flag) {
			if (!oob || !oob->has_sc) {
				smp_abort(sm, l, SMP_ERR_OOB_NOT_AVAILABLE, "no out-of-band data of this peer");
				return;
			}
			uint8_t c[16];
			if (crypto_failed(sm, l, smp_f4(p->pk_peer, p->pk_peer, oob->r, 0, c)))
				return;
			if (memcmp(c, oob->c, 16)) {
				smp_abort(sm, l, SMP_ERR_CONFIRM_VALUE_FAILED,
					  "the peer's public key does not match its out-of-band data");
				return;
			}
			memcpy(r_peer, oob->r, 16);
		}
		if (p->initiator) {
			if (!crypto_failed(sm, l, crypto_random(p->na, 16)) && send_our_nonce(sm, l))
				p->expect = SMP_PAIRING_RANDOM;
		} else {
			if (!crypto_failed(sm, l, crypto_random(p->nb, 16)))
				p->expect = SMP_PAIRING_RANDOM;
		}
		return;
	}
	case SMP_PASSKEY_DISPLAY: {
		if (crypto_failed(sm, l, smp_random_passkey(&p->passkey)))
			return;
		uint16_t h = l->handle;
		p->expect = p->initiator ? 0 : SMP_PAIRING_CONFIRM;
		smp_ask_user(sm, l, L2K_ASK_PASSKEY_DISPLAY, p->passkey);
		l = sm_link_of(sm, h);
		if (l && l->smp == p)
			passkey_known(sm, l);
		return;
	}
	case SMP_PASSKEY_ENTRY:
	case SMP_PASSKEY_BOTH:
		/* the initiator's Ca may come before our user has typed */
		p->expect = p->initiator ? 0 : SMP_PAIRING_CONFIRM;
		smp_ask_user(sm, l, L2K_ASK_PASSKEY_ENTRY, 0);
		return;
	default: /* Just Works, Numeric Comparison: the responder commits to Nb first */
		if (p->initiator) {
			p->expect = SMP_PAIRING_CONFIRM;
		} else if (send_our_confirm(sm, l)) {
			p->expect = SMP_PAIRING_RANDOM;
		}
		return;
	}
}

void smp_sc_start(struct sm *sm, struct sm_link *l)
{
	struct smp_pairing *p = l->smp;
	if (crypto_failed(sm, l, local_key(sm, p)))
		return;
	struct smp_pdu d = {.code = SMP_PAIRING_PUBLIC_KEY};
	memcpy(d.u.public_key, p->pk_local, 64);
	if (sent(sm, l, smp_send(sm, l, &d), "could not send Pairing Public Key"))
		p->expect = SMP_PAIRING_PUBLIC_KEY;
}

static void rx_public_key(struct sm *sm, struct sm_link *l, const uint8_t key[64])
{
	struct smp_pairing *p = l->smp;
	memcpy(p->pk_peer, key, 64);
	if (crypto_failed(sm, l, local_key(sm, p)))
		return;
	/* our own key sent back is a reflection (CVE-2020-26558), unless both use the debug key */
	if (!memcmp(p->pk_peer, p->pk_local, 32) && !sm->cfg.debug_keys) {
		smp_abort(sm, l, SMP_ERR_UNSPECIFIED, "the peer sent our own public key back");
		return;
	}
	int r = smp_dhkey(p->key, p->pk_peer, 64, p->dhkey);
	if (r == L2K_EBADMSG) {
		/* 2.3.5.6.1: the peer's key is not a point of P-256 (an invalid curve attack) */
		smp_abort(sm, l, SMP_ERR_DHKEY_CHECK_FAILED, "the peer's public key is not on the P-256 curve");
		return;
	}
	if (crypto_failed(sm, l, r))
		return;
	if (!p->initiator) {
		struct smp_pdu d = {.code = SMP_PAIRING_PUBLIC_KEY};
		memcpy(d.u.public_key, p->pk_local, 64);
		if (!sent(sm, l, smp_send(sm, l, &d), "could not send Pairing Public Key"))
			return;
	}
	keys_exchanged(sm, l);
}

void smp_sc_rx(struct sm *sm, struct sm_link *l, const struct smp_pdu *d)
{
	struct smp_pairing *p = l->smp;
	switch (d->code) {
	case SMP_PAIRING_PUBLIC_KEY: rx_public_key(sm, l, d->u.public_key); return;
	case SMP_PAIRING_CONFIRM:
		memcpy(p->peer_confirm, d->u.value, 16);
		p->have_peer_confirm = true;
		if (p->initiator) { /* Cb (or Cbi): reveal our nonce */
			if (p->method == SMP_JUST_WORKS || p->method == SMP_NUMERIC_COMPARISON) {
				if (crypto_failed(sm, l, crypto_random(p->na, 16)))
					return;
			}
			if (send_our_nonce(sm, l))
				p->expect = SMP_PAIRING_RANDOM;
		} else if (p->user_ok) { /* Cai with the passkey known: Cbi */
			if (send_our_confirm(sm, l))
				p->expect = SMP_PAIRING_RANDOM;
		} else {
			p->expect = 0;
		}
		return;
	case SMP_PAIRING_RANDOM:
		memcpy(p->initiator ? p->nb : p->na, d->u.value, 16);
		if (p->method == SMP_OOB) {
			if (!p->initiator && !send_our_nonce(sm, l))
				return;
			stage1_done(sm, l);
			return;
		}
		/* the initiator checks Cb (Cbi); the responder checks Cai (passkey entry only: in
		 * Just Works and Numeric Comparison the initiator commits to nothing) */
		if ((p->initiator || (p->method != SMP_JUST_WORKS && p->method != SMP_NUMERIC_COMPARISON)) &&
		    !peer_confirm_ok(sm, l))
			return;
		if (!p->initiator && !send_our_nonce(sm, l))
			return;
		p->have_peer_confirm = false;
		if (p->method == SMP_JUST_WORKS || p->method == SMP_NUMERIC_COMPARISON) {
			stage1_done(sm, l);
			return;
		}
		/* passkey entry: the next bit, or the checks after the 20th */
		if (++p->round < PASSKEY_ROUNDS) {
			if (p->initiator) {
				if (send_our_confirm(sm, l))
					p->expect = SMP_PAIRING_CONFIRM;
			} else {
				p->expect = SMP_PAIRING_CONFIRM;
			}
			return;
		}
		stage1_done(sm, l);
		return;
	case SMP_PAIRING_DHKEY_CHECK:
		memcpy(p->peer_check, d->u.value, 16);
		p->have_peer_check = true;
		if (p->initiator) {
			uint8_t e[16];
			if (crypto_failed(sm, l, check_b(p, e)))
				return;
			if (memcmp(e, p->peer_check, 16)) {
				smp_abort(sm, l, SMP_ERR_DHKEY_CHECK_FAILED, "the peer's DHKey check value is wrong");
				return;
			}
			uint8_t ltk[16];
			memcpy(ltk, p->enc_key, 16);
			smp_phase2_done(sm, l, ltk);
			crypto_wipe(ltk, sizeof(ltk));
			return;
		}
		p->expect = 0;
		if (p->user_ok || (p->method != SMP_JUST_WORKS && p->method != SMP_NUMERIC_COMPARISON))
			responder_check(sm, l);
		return;
	default: return;
	}
}

void smp_sc_user(struct sm *sm, struct sm_link *l)
{
	struct smp_pairing *p = l->smp;
	if (p->method == SMP_PASSKEY_ENTRY || p->method == SMP_PASSKEY_BOTH) {
		passkey_known(sm, l);
		return;
	}
	/* Numeric Comparison / Just Works confirmed */
	if (p->initiator)
		send_check(sm, l);
	else if (p->have_peer_check)
		responder_check(sm, l);
}
