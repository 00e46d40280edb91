/* LE legacy pairing's phase 2 (Core Vol 3 Part H 2.3.5.2 - 2.3.5.5): the TK from the
 * association model, the confirm values c1 and randoms, the STK s1; and phase 3, the transport
 * specific key distribution of both pairing kinds (2.4.3, 3.6). */
#include <string.h>

#include "base/bytes.h"
#include "sm/smp_int.h"

/* c1 over this pairing's request, response and addresses with rand */
static int confirm_of(const struct smp_pairing *p, const uint8_t rand[16], uint8_t out[16])
{
	return smp_c1(p->tk, rand, p->preq, sizeof(p->preq), p->pres, sizeof(p->pres), p->ia_type, p->ia,
		      p->ra_type, p->ra, out);
}

/* The initiator's Mconfirm / the responder's Sconfirm: a fresh random and its confirm value. */
static bool send_confirm(struct sm *sm, struct sm_link *l)
{
	struct smp_pairing *p = l->smp;
	if (crypto_random(p->local_rand, 16) < 0 || confirm_of(p, p->local_rand, p->local_confirm) < 0) {
		smp_abort(sm, l, SMP_ERR_UNSPECIFIED, "the crypto backend failed");
		return false;
	}
	if (smp_send_value(sm, l, SMP_PAIRING_CONFIRM, p->local_confirm) < 0) {
		smp_fail(sm, l, 0, L2K_EIO, "could not send Pairing Confirm");
		return false;
	}
	return true;
}

/* The TK is known: the initiator starts the confirm exchange; the responder answers the
 * initiator's confirm once it has it. */
static void tk_known(struct sm *sm, struct sm_link *l)
{
	struct smp_pairing *p = l->smp;
	if (p->initiator) {
		if (send_confirm(sm, l))
			p->expect = SMP_PAIRING_CONFIRM;
	} else if (p->have_peer_confirm) {
		if (send_confirm(sm, l))
			p->expect = SMP_PAIRING_RANDOM;
	} else {
		p->expect = SMP_PAIRING_CONFIRM;
	}
}

void smp_legacy_begin(struct sm *sm, struct sm_link *l)
{
	struct smp_pairing *p = l->smp;
	/* the responder takes the initiator's confirm whenever it comes; the initiator expects
	 * nothing before it has sent its own */
	p->expect = p->initiator ? 0 : SMP_PAIRING_CONFIRM;
	memset(p->tk, 0, 16);
	switch (p->method) {
	case SMP_OOB: {
		const struct l2k_le_oob *o = smp_oob_for(sm, l);
		if (!o || !o->has_tk) {
			smp_abort(sm, l, SMP_ERR_OOB_NOT_AVAILABLE, "legacy out-of-band pairing without a TK for this peer");
			return;
		}
		memcpy(p->tk, o->tk, 16);
		p->user_ok = true;
		tk_known(sm, l);
		return;
	}
	case SMP_PASSKEY_DISPLAY: {
		if (smp_random_passkey(&p->passkey) < 0) {
			smp_abort(sm, l, SMP_ERR_UNSPECIFIED, "the crypto backend failed");
			return;
		}
		smp_passkey_value(p->passkey, p->tk);
		p->user_ok = true;
		uint16_t h = l->handle;
		smp_ask_user(sm, l, L2K_ASK_PASSKEY_DISPLAY, p->passkey);
		l = sm_link_of(sm, h);
		if (l && l->smp == p)
			tk_known(sm, l);
		return;
	}
	case SMP_PASSKEY_ENTRY:
	case SMP_PASSKEY_BOTH: smp_ask_user(sm, l, L2K_ASK_PASSKEY_ENTRY, 0); return;
	default: smp_ask_user(sm, l, L2K_ASK_JUST_WORKS, 0); return;
	}
}

void smp_legacy_user(struct sm *sm, struct sm_link *l)
{
	struct smp_pairing *p = l->smp;
	if (p->method == SMP_PASSKEY_ENTRY || p->method == SMP_PASSKEY_BOTH)
		smp_passkey_value(p->passkey, p->tk);
	tk_known(sm, l);
}

void smp_legacy_rx(struct sm *sm, struct sm_link *l, const struct smp_pdu *d)
{
	struct smp_pairing *p = l->smp;
	uint8_t check[16], stk[16];
	if (d->code == SMP_PAIRING_CONFIRM) {
		memcpy(p->peer_confirm, d->u.value, 16);
		p->have_peer_confirm = true;
		if (p->initiator) { /* Sconfirm: reveal Mrand */
			if (smp_send_value(sm, l, SMP_PAIRING_RANDOM, p->local_rand) < 0) {
				smp_fail(sm, l, 0, L2K_EIO, "could not send Pairing Random");
				return;
			}
			p->expect = SMP_PAIRING_RANDOM;
		} else if (p->user_ok) { /* Mconfirm, TK known: Sconfirm */
			if (send_confirm(sm, l))
				p->expect = SMP_PAIRING_RANDOM;
		} else {
			p->expect = 0; /* the user still has to answer */
		}
		return;
	}
	/* Pairing Random: the peer's random must give the confirm value it sent (2.3.5.5) */
	memcpy(p->peer_rand, d->u.value, 16);
	if (confirm_of(p, p->peer_rand, check) < 0) {
		smp_abort(sm, l, SMP_ERR_UNSPECIFIED, "the crypto backend failed");
		return;
	}
	if (memcmp(check, p->peer_confirm, 16)) {
		smp_abort(sm, l, SMP_ERR_CONFIRM_VALUE_FAILED,
			  p->method == SMP_JUST_WORKS || p->method == SMP_OOB
				  ? "the peer's confirm value is wrong"
				  : "the peer's confirm value is wrong (different passkeys?)");
		return;
	}
	if (!p->initiator && smp_send_value(sm, l, SMP_PAIRING_RANDOM, p->local_rand) < 0) {
		smp_fail(sm, l, 0, L2K_EIO, "could not send Pairing Random");
		return;
	}
	/* STK = s1(TK, Srand, Mrand) */
	const uint8_t *srand = p->initiator ? p->peer_rand : p->local_rand;
	const uint8_t *mrand = p->initiator ? p->local_rand : p->peer_rand;
	if (smp_s1(p->tk, srand, mrand, stk) < 0) {
		smp_abort(sm, l, SMP_ERR_UNSPECIFIED, "the crypto backend failed");
		return;
	}
	smp_phase2_done(sm, l, stk);
	crypto_wipe(stk, sizeof(stk));
}

/* ---- key distribution (3.6) ---------------------------------------------------------------- */

/* The next key command the peer sends (3.6.1: in the order of the bits), 0 when all came. */
static uint8_t next_key(const struct smp_pairing *p)
{
	if (p->dist_peer & SMP_DIST_ENC)
		return p->got_enc_info ? SMP_CENTRAL_ID : SMP_ENCRYPTION_INFO;
	if (p->dist_peer & SMP_DIST_ID)
		return p->got_id_info ? SMP_IDENTITY_ADDR_INFO : SMP_IDENTITY_INFO;
	if (p->dist_peer & SMP_DIST_SIGN)
		return SMP_SIGNING_INFO;
	return 0;
}

static bool send_keys(struct sm *sm, struct sm_link *l)
{
	struct smp_pairing *p = l->smp;
	struct l2k_bond *b = &p->b;
	struct smp_pdu d;
	int r = 0;
	if (p->dist_local & SMP_DIST_ENC) {
		/* our LTK for when we are the peripheral: random, as long as the key size (2.4.2.3) */
		uint8_t er[10];
		if (crypto_random(b->local_ltk, 16) < 0 || crypto_random(er, sizeof(er)) < 0) {
			smp_abort(sm, l, SMP_ERR_UNSPECIFIED, "the crypto backend failed");
			return false;
		}
		memset(b->local_ltk + p->key_size, 0, 16 - p->key_size);
		b->local_ediv = get_le16(er);
		memcpy(b->local_rand, er + 2, 8);
		b->has_local_ltk = true;
		r = smp_send_value(sm, l, SMP_ENCRYPTION_INFO, b->local_ltk);
		memset(&d, 0, sizeof(d));
		d.code = SMP_CENTRAL_ID;
		d.u.central_id.ediv = b->local_ediv;
		memcpy(d.u.central_id.rand, b->local_rand, 8);
		if (r == 0)
			r = smp_send(sm, l, &d);
	}
	if (r == 0 && (p->dist_local & SMP_DIST_ID)) {
		r = smp_send_value(sm, l, SMP_IDENTITY_INFO, sm->cfg.irk);
		memset(&d, 0, sizeof(d));
		d.code = SMP_IDENTITY_ADDR_INFO;
		smp_local_addr(sm, &d.u.id_addr.type, d.u.id_addr.addr);
		if (r == 0)
			r = smp_send(sm, l, &d);
	}
	p->dist_local = 0;
	if (r < 0) {
		smp_fail(sm, l, 0, L2K_EIO, "could not send the keys");
		return false;
	}
	return true;
}

void smp_keys_start(struct sm *sm, struct sm_link *l)
{
	struct smp_pairing *p = l->smp;
	p->state = SMP_S_KEYS;
	/* 3.6.1: the responder's keys first, then the initiator's */
	if (!p->initiator && !send_keys(sm, l))
		return;
	p->expect = next_key(p);
	if (p->expect)
		return;
	if (p->initiator && !send_keys(sm, l))
		return;
	smp_pairing_complete(sm, l);
}

void smp_keys_rx(struct sm *sm, struct sm_link *l, const struct smp_pdu *d)
{
	struct smp_pairing *p = l->smp;
	struct l2k_bond *b = &p->b;
	static const uint8_t zero[16];
	switch (d->code) {
	case SMP_ENCRYPTION_INFO:
		memcpy(b->ltk, d->u.value, 16);
		p->got_enc_info = true;
		break;
	case SMP_CENTRAL_ID:
		b->ediv = d->u.central_id.ediv;
		memcpy(b->rand, d->u.central_id.rand, 8);
		b->has_ltk = true;
		p->dist_peer &= (uint8_t)~SMP_DIST_ENC;
		break;
	case SMP_IDENTITY_INFO:
		memcpy(b->irk, d->u.value, 16);
		p->got_id_info = true;
		break;
	case SMP_IDENTITY_ADDR_INFO:
		memcpy(b->peer.b, d->u.id_addr.addr, 6);
		b->peer_type = d->u.id_addr.type ? L2K_ADDR_LE_RANDOM : L2K_ADDR_LE_PUBLIC;
		/* an IRK of zeros: the peer does not use private addresses */
		b->has_irk = memcmp(b->irk, zero, 16) != 0;
		p->dist_peer &= (uint8_t)~SMP_DIST_ID;
		break;
	case SMP_SIGNING_INFO:
		memcpy(b->csrk, d->u.value, 16);
		b->has_csrk = true;
		p->dist_peer &= (uint8_t)~SMP_DIST_SIGN;
		break;
	default: return;
	}
	p->expect = next_key(p);
	if (p->expect)
		return;
	if (p->initiator && !send_keys(sm, l))
		return;
	smp_pairing_complete(sm, l);
}
