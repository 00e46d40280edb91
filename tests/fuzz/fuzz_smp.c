/* libFuzzer harness: LE SMP (sm/smp*.c) on the LE link of a whole stack (fz_world.c), in either
 * role, against a scripted peer that computes correct values - so that inputs get past the
 * confirm values, the public keys and the DHKey checks into encryption and key distribution -
 * and whose every step the input may replace with anything: commands in any order and of any
 * length, mutated ones, public keys off the curve or our own sent back, HCI encryption events
 * at any time, 30 s of silence, agent answers, API calls, configuration changes, link loss.
 *
 * Input: a header of 6 octets (role and l2kit's configuration, the peer's Pairing Request /
 * Response fields, out-of-band data), then records (op octet and arguments, see run()).
 *
 * Invariants beyond memory safety:
 *  - every SMP command l2kit sends has its command's length and valid fields (smp_parse);
 *  - after the SMP timer expired on the link (3.4), l2kit sends nothing on SMP until it is gone;
 *  - a pairing in which the peer sent an invalid public key never succeeds;
 *  - the link's security is consistent (level 1..4; encrypted iff level >= 2 or the key is short;
 *    key size 7..16 when encrypted) and stored bonds have a key and a key size 7..16. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/stack_internal.h"
#include "base/bytes.h"
#include "base/hci_defs.h"
#include "core/l2cap_defs.h"
#include "sm/smp_int.h"
#include "tests/fuzz/fz.h"

#define MAXQ 4

struct peer {
	/* kept from one pairing to the next */
	bool initiator; /* the peer sends the Pairing Request (l2kit is the peripheral) */
	struct smp_pairing_params feat;
	uint8_t oob_r[16];	/* the peer's OOB r (given to l2kit) */
	uint8_t iut_oob_r[16];	/* l2kit's OOB r (the peer has it) */
	uint8_t oob_tk[16];	/* the legacy OOB TK both have */
	int pk_attack;		/* the next public key: 0 ours, 1 off the curve, 2 zeros, 3 l2kit's own */
	/* one pairing (peer_reset clears from here) */
	uint8_t preq[7], pres[7];
	bool have_preq, have_pres, sent_req, sent_rsp;
	bool sc;
	enum smp_method method;
	/* passkey */
	bool passkey_known;
	uint32_t passkey;
	uint8_t round;
	/* counts of what each side sent in phase 2 */
	int conf_rx, rand_rx, conf_tx, rand_tx;
	uint8_t conf_iut[16], rand_iut[16];
	/* legacy */
	uint8_t tk[16], my_rand[16], stk[16];
	/* SC */
	bool pk_tx, pk_rx, dh_ok;
	uint8_t pk_iut[64], dhkey[32], na[16], nb[16], mackey[16], ltk[16];
	bool check_tx, check_rx;
	bool iut_has_peer_oob;	 /* l2kit's OOB flag */
	bool peer_has_iut_oob;	 /* the peer's OOB flag */
	/* encryption and keys */
	bool enc_started, enc_done;
	uint8_t enc_key[16];
	bool iut_key_cmd; /* l2kit gave the controller a key (LTK reply / enable encryption) */
	uint8_t iut_key[16];
	uint8_t keys_tx; /* key PDUs sent by the peer */
	int keys_rx;
	bool poisoned; /* an invalid public key went out in this pairing */
};

static void peer_reset(struct peer *p)
{
	memset(&p->preq, 0, sizeof(*p) - offsetof(struct peer, preq));
}

struct fz_smp {
	struct fz_world *w;
	l2k_stack *s;
	struct peer p;
	bool central; /* l2kit is the central */
	uint8_t local[6], remote[6];
	uint8_t local_type, remote_type;
	bool dead_seen; /* the SMP timer expired on the link */
	int paired_ok, paired_fail;
};

static struct fz_smp *g_f;
static struct crypto_p256_key *g_peer_key; /* one key pair for every input: keys are costly */
static uint8_t g_peer_pk[64];
static uint8_t g_off_curve[64];

/* ---- l2kit's side, observed ------------------------------------------------------------------- */

static struct sm_link *iut_link(struct fz_smp *f)
{
	return sm_link_of(f->s->sm, FZ_H_LE);
}

static void on_pdu(void *u, uint16_t handle, const uint8_t *pdu, size_t len)
{
	struct fz_smp *f = u;
	if (handle != FZ_H_LE || len < 4 || get_le16(pdu + 2) != L2CAP_CID_SMP)
		return;
	const uint8_t *b = pdu + 4;
	size_t n = len - 4;
	struct smp_pdu d;
	if (getenv("FZ_SMP_TRACE"))
		fprintf(stderr, "  l2kit -> %s (%02x)\n", smp_code_name(b[0]), n > 1 ? b[1] : 0);
	FZ_ASSERT(smp_parse(b, n, &d) == 0); /* l2kit sends only well-formed commands */
	FZ_ASSERT(!f->dead_seen);	     /* and none after the SMP timeout */
	struct peer *p = &f->p;
	switch (d.code) {
	case SMP_PAIRING_REQ:
		peer_reset(p);
		memcpy(p->preq, b, 7);
		p->have_preq = true;
		break;
	case SMP_PAIRING_RSP:
		memcpy(p->pres, b, 7);
		p->have_pres = true;
		break;
	case SMP_PAIRING_CONFIRM:
		memcpy(p->conf_iut, d.u.value, 16);
		p->conf_rx++;
		break;
	case SMP_PAIRING_RANDOM:
		memcpy(p->rand_iut, d.u.value, 16);
		if (p->initiator)
			memcpy(p->nb, d.u.value, 16);
		else
			memcpy(p->na, d.u.value, 16);
		p->rand_rx++;
		break;
	case SMP_PAIRING_PUBLIC_KEY:
		memcpy(p->pk_iut, d.u.public_key, 64);
		p->pk_rx = true;
		p->dh_ok = smp_dhkey(g_peer_key, p->pk_iut, 64, p->dhkey) == 0;
		break;
	case SMP_PAIRING_DHKEY_CHECK: p->check_rx = true; break;
	case SMP_ENCRYPTION_INFO:
	case SMP_CENTRAL_ID:
	case SMP_IDENTITY_INFO:
	case SMP_IDENTITY_ADDR_INFO:
	case SMP_SIGNING_INFO: p->keys_rx++; break;
	case SMP_SECURITY_REQ:
		if (p->initiator)
			p->sent_req = false; /* asked (again) */
		break;
	default: break;
	}
}

static void on_cmd(void *u, const uint8_t *c, size_t len)
{
	struct fz_smp *f = u;
	if (len < 3)
		return;
	uint16_t op = get_le16(c);
	const uint8_t *prm = c + 3;
	size_t n = len - 3;
	if ((op == HCI_OP_LE_ENABLE_ENCRYPTION && n == 28) || (op == HCI_OP_LE_LTK_REPLY && n == 18)) {
		memcpy(f->p.iut_key, prm + (op == HCI_OP_LE_LTK_REPLY ? 2 : 12), 16);
		f->p.iut_key_cmd = true;
	}
}

static void on_paired(void *u, const l2k_addr *peer, enum l2k_addr_type type, int err, const char *why)
{
	struct fz_smp *f = g_f;
	if (err == 0) {
		FZ_ASSERT(!f->p.poisoned); /* an invalid public key never pairs */
		f->paired_ok++;
	} else {
		f->paired_fail++;
		f->p.poisoned = false; /* that pairing is over */
	}
}

static void check_state(struct fz_smp *f)
{
	struct sm_link *l = iut_link(f);
	if (l) {
		const struct l2k_link_security *s = &l->sec;
		FZ_ASSERT(s->level >= 1 && s->level <= 4);
		if (s->level >= 2)
			FZ_ASSERT(s->encrypted && s->key_size >= 7 && s->key_size <= 16);
		if (s->encrypted)
			FZ_ASSERT(s->key_size >= 7 && s->key_size <= 16);
		if (l->smp && l->smp->state == SMP_S_DEAD)
			f->dead_seen = true;
	} else {
		f->dead_seen = false;
	}
	struct l2k_bond b[4];
	int n = l2k_bonds(f->s, b, 4);
	for (int i = 0; i < n && i < 4; i++) {
		FZ_ASSERT(b[i].has_ltk || b[i].has_local_ltk);
		FZ_ASSERT(b[i].key_size >= 7 && b[i].key_size <= 16);
	}
}

/* ---- the peer's next step ------------------------------------------------------------------------ */

static void inject_smp(struct fz_smp *f, const uint8_t *b, size_t n)
{
	if (getenv("FZ_SMP_TRACE"))
		fprintf(stderr, "  peer  -> %s len %zu (%02x)\n", n ? smp_code_name(b[0]) : "empty", n, n > 1 ? b[1] : 0);
	fz_inject_pdu(f->w, FZ_H_LE, L2CAP_CID_SMP, b, n, false);
}

static void inject_value(struct fz_smp *f, uint8_t code, const uint8_t v[16])
{
	uint8_t b[17];
	b[0] = code;
	memcpy(b + 1, v, 16);
	inject_smp(f, b, 17);
}

static void enc_change(struct fz_smp *f, uint8_t status)
{
	uint8_t e[4] = {status, 0, 0, 1};
	put_le16(e + 1, FZ_H_LE);
	fz_inject_event(f->w, HCI_EV_ENCRYPT_CHANGE, e, 4);
}

static void ltk_request(struct fz_smp *f, uint16_t ediv, const uint8_t rand[8])
{
	uint8_t e[13];
	e[0] = HCI_LE_LTK_REQUEST;
	put_le16(e + 1, FZ_H_LE);
	memcpy(e + 3, rand, 8);
	put_le16(e + 11, ediv);
	fz_inject_event(f->w, HCI_EV_LE_META, e, 13);
}

/* Features known on both sides: the model, the passkey if l2kit showed one. */
static void learn(struct fz_smp *f)
{
	struct peer *p = &f->p;
	if (!(p->have_preq || p->sent_req) || !(p->have_pres || p->sent_rsp))
		return;
	struct smp_pdu rq, rs;
	if (smp_parse(p->preq, 7, &rq) || smp_parse(p->pres, 7, &rs))
		return;
	p->sc = (rq.u.pairing.auth_req & rs.u.pairing.auth_req & SMP_AUTH_SC) != 0;
	const struct smp_pairing_params *mine = p->initiator ? &rq.u.pairing : &rs.u.pairing;
	const struct smp_pairing_params *theirs = p->initiator ? &rs.u.pairing : &rq.u.pairing;
	p->method = smp_association(p->sc, p->initiator, mine, theirs);
	p->peer_has_iut_oob = mine->oob;
	p->iut_has_peer_oob = theirs->oob;
	struct sm_link *l = iut_link(f);
	if (!p->passkey_known && l && l->ask.ask == L2K_ASK_PASSKEY_DISPLAY) {
		p->passkey = l->ask.value;
		p->passkey_known = true;
	}
	bool passkey = p->method == SMP_PASSKEY_DISPLAY || p->method == SMP_PASSKEY_ENTRY || p->method == SMP_PASSKEY_BOTH;
	if (!p->sc) {
		memset(p->tk, 0, 16);
		if (passkey)
			smp_passkey_value(p->passkey, p->tk);
		else if (p->method == SMP_OOB)
			memcpy(p->tk, p->oob_tk, 16);
	}
}

static bool tk_ready(const struct peer *p)
{
	bool passkey = p->method == SMP_PASSKEY_DISPLAY || p->method == SMP_PASSKEY_ENTRY || p->method == SMP_PASSKEY_BOTH;
	return !passkey || p->passkey_known;
}

static const uint8_t *ia(const struct fz_smp *f)
{
	return f->central ? f->local : f->remote;
}
static const uint8_t *ra(const struct fz_smp *f)
{
	return f->central ? f->remote : f->local;
}
static uint8_t iat(const struct fz_smp *f)
{
	return f->central ? f->local_type : f->remote_type;
}
static uint8_t rat(const struct fz_smp *f)
{
	return f->central ? f->remote_type : f->local_type;
}

static void send_keys(struct fz_smp *f)
{
	struct peer *p = &f->p;
	uint8_t v[16];
	memset(v, 0x42 + p->keys_tx, 16);
	switch (p->keys_tx++) {
	case 0: inject_value(f, SMP_ENCRYPTION_INFO, v); break;
	case 1: {
		uint8_t b[11] = {SMP_CENTRAL_ID, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
		inject_smp(f, b, 11);
		break;
	}
	case 2: inject_value(f, SMP_IDENTITY_INFO, v); break;
	case 3: {
		uint8_t b[8] = {SMP_IDENTITY_ADDR_INFO, 0, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25};
		inject_smp(f, b, 8);
		break;
	}
	case 4: inject_value(f, SMP_SIGNING_INFO, v); break;
	default: break;
	}
}

/* What the peer sends now, if anything: true when it did something. */
static bool peer_step(struct fz_smp *f)
{
	struct peer *p = &f->p;
	learn(f);
	uint8_t b[65], c[16];
	static const uint8_t zero[16];
	if (p->initiator && !p->sent_req) {
		peer_reset(p);
		uint8_t *q = p->preq;
		q[0] = SMP_PAIRING_REQ;
		q[1] = p->feat.io_cap;
		q[2] = p->feat.oob;
		q[3] = p->feat.auth_req;
		q[4] = p->feat.max_key_size;
		q[5] = p->feat.init_dist;
		q[6] = p->feat.resp_dist;
		p->sent_req = true;
		inject_smp(f, q, 7);
		return true;
	}
	if (!p->initiator && p->have_preq && !p->sent_rsp) {
		uint8_t *q = p->pres;
		q[0] = SMP_PAIRING_RSP;
		q[1] = p->feat.io_cap;
		q[2] = p->feat.oob;
		q[3] = p->feat.auth_req;
		q[4] = p->feat.max_key_size;
		q[5] = p->feat.init_dist & p->preq[5];
		q[6] = p->feat.resp_dist & p->preq[6];
		p->sent_rsp = true;
		inject_smp(f, q, 7);
		return true;
	}
	if (!(p->initiator ? p->have_pres : p->sent_rsp))
		return false;
	learn(f);
	/* encryption */
	if (p->enc_started && !p->enc_done) {
		if (f->central) {
			if (!p->iut_key_cmd)
				return false;
			p->enc_done = true;
			enc_change(f, memcmp(p->iut_key, p->enc_key, 16) ? HCI_ERR_PIN_OR_KEY_MISSING : 0);
		} else {
			if (!p->iut_key_cmd)
				return false;
			p->enc_done = true;
			if (memcmp(p->iut_key, p->enc_key, 16)) {
				uint8_t d[4] = {0, FZ_H_LE, 0, HCI_ERR_MIC_FAILURE};
				fz_inject_event(f->w, HCI_EV_DISCONN_COMPLETE, d, 4);
			} else {
				enc_change(f, 0);
			}
		}
		return true;
	}
	if (p->enc_done) {
		/* keys: the responder's first */
		uint8_t dist = p->initiator ? p->preq[5] & p->pres[5] : p->preq[6] & p->pres[6];
		uint8_t rdist = p->preq[6] & p->pres[6] & (SMP_DIST_ENC | SMP_DIST_ID | SMP_DIST_SIGN);
		if (p->sc)
			rdist &= (uint8_t)~SMP_DIST_ENC;
		int nkeys = ((dist & SMP_DIST_ENC) && !p->sc ? 2 : 0) + (dist & SMP_DIST_ID ? 2 : 0) + (dist & SMP_DIST_SIGN ? 1 : 0);
		if (p->initiator && p->keys_rx == 0 && rdist)
			return false; /* the responder (l2kit) sends first */
		if (p->keys_tx >= 5 || nkeys == 0)
			return false;
		/* skip the kinds not distributed */
		while (p->keys_tx < 5) {
			int k = p->keys_tx;
			bool want = k < 2 ? (dist & SMP_DIST_ENC) && !p->sc : k < 4 ? (dist & SMP_DIST_ID) : (dist & SMP_DIST_SIGN);
			if (want)
				break;
			p->keys_tx++;
		}
		if (p->keys_tx >= 5)
			return false;
		send_keys(f);
		return true;
	}
	if (!p->sc) {
		if (!tk_ready(p))
			return false;
		if (p->initiator) {
			if (!p->conf_tx) {
				memset(p->my_rand, 0x11, 16);
				smp_c1(p->tk, p->my_rand, p->preq, 7, p->pres, 7, iat(f), ia(f), rat(f), ra(f), c);
				inject_value(f, SMP_PAIRING_CONFIRM, c);
				p->conf_tx++;
				return true;
			}
			if (!p->conf_rx)
				return false;
			if (!p->rand_tx) {
				inject_value(f, SMP_PAIRING_RANDOM, p->my_rand);
				p->rand_tx++;
				return true;
			}
			if (!p->rand_rx)
				return false;
			smp_s1(p->tk, p->rand_iut, p->my_rand, p->stk);
		} else {
			if (!p->conf_rx)
				return false;
			if (!p->conf_tx) {
				memset(p->my_rand, 0x22, 16);
				smp_c1(p->tk, p->my_rand, p->preq, 7, p->pres, 7, iat(f), ia(f), rat(f), ra(f), c);
				inject_value(f, SMP_PAIRING_CONFIRM, c);
				p->conf_tx++;
				return true;
			}
			if (!p->rand_rx)
				return false;
			if (!p->rand_tx) {
				inject_value(f, SMP_PAIRING_RANDOM, p->my_rand);
				p->rand_tx++;
				return true;
			}
			smp_s1(p->tk, p->my_rand, p->rand_iut, p->stk);
		}
		uint8_t ks = p->preq[4] < p->pres[4] ? p->preq[4] : p->pres[4];
		if (ks > 16)
			ks = 16;
		memcpy(p->enc_key, p->stk, 16);
		memset(p->enc_key + ks, 0, 16 - ks);
		p->enc_started = true;
		if (!f->central) { /* the peer is the central: it starts encryption */
			p->iut_key_cmd = false;
			ltk_request(f, 0, zero);
		}
		return true;
	}
	/* LE Secure Connections */
	if (!p->pk_tx && (p->initiator || p->pk_rx)) {
		b[0] = SMP_PAIRING_PUBLIC_KEY;
		memcpy(b + 1, g_peer_pk, 64);
		if (p->pk_attack == 1)
			memcpy(b + 1, g_off_curve, 64);
		else if (p->pk_attack == 2)
			memset(b + 1, 0, 64);
		else if (p->pk_attack == 3 && p->pk_rx)
			memcpy(b + 1, p->pk_iut, 64);
		/* a key that is not ours: the pairing must fail (off the curve, or reflected) */
		p->poisoned = memcmp(b + 1, g_peer_pk, 64) != 0;
		p->pk_attack = 0;
		p->pk_tx = true;
		inject_smp(f, b, 65);
		return true;
	}
	if (!p->pk_rx)
		return false;
	if (!p->dh_ok)
		return false;
	const uint8_t *pka = p->initiator ? g_peer_pk : p->pk_iut, *pkb = p->initiator ? p->pk_iut : g_peer_pk;
	bool passkey = p->method == SMP_PASSKEY_DISPLAY || p->method == SMP_PASSKEY_ENTRY || p->method == SMP_PASSKEY_BOTH;
	uint8_t ra_[16] = {0}, rb_[16] = {0};
	if (passkey) {
		smp_passkey_value(p->passkey, ra_);
		memcpy(rb_, ra_, 16);
	} else if (p->method == SMP_OOB) {
		uint8_t *mine = p->initiator ? ra_ : rb_, *theirs = p->initiator ? rb_ : ra_;
		if (p->iut_has_peer_oob)
			memcpy(mine, p->oob_r, 16);
		if (p->peer_has_iut_oob)
			memcpy(theirs, p->iut_oob_r, 16);
	}
	bool stage1_done;
	if (passkey) {
		if (!p->passkey_known)
			return false;
		uint8_t z = (uint8_t)(0x80 | ((p->passkey >> p->round) & 1));
		if (p->round < 20) {
			if (p->initiator) {
				if (p->conf_tx == p->round) {
					memset(p->na, 0x30 + p->round, 16);
					smp_f4(pka, pkb, p->na, z, c);
					inject_value(f, SMP_PAIRING_CONFIRM, c);
					p->conf_tx++;
					return true;
				}
				if (p->conf_rx <= p->round)
					return false;
				if (p->rand_tx == p->round) {
					inject_value(f, SMP_PAIRING_RANDOM, p->na);
					p->rand_tx++;
					return true;
				}
				if (p->rand_rx <= p->round)
					return false;
			} else {
				if (p->conf_rx <= p->round)
					return false;
				if (p->conf_tx == p->round) {
					memset(p->nb, 0x50 + p->round, 16);
					smp_f4(pkb, pka, p->nb, z, c);
					inject_value(f, SMP_PAIRING_CONFIRM, c);
					p->conf_tx++;
					return true;
				}
				if (p->rand_rx <= p->round)
					return false;
				if (p->rand_tx == p->round) {
					inject_value(f, SMP_PAIRING_RANDOM, p->nb);
					p->rand_tx++;
					return true;
				}
			}
			p->round++;
			return true;
		}
		stage1_done = true;
	} else if (p->method == SMP_OOB) {
		if (p->initiator) {
			if (!p->rand_tx) {
				memset(p->na, 0x61, 16);
				inject_value(f, SMP_PAIRING_RANDOM, p->na);
				p->rand_tx++;
				return true;
			}
			if (!p->rand_rx)
				return false;
		} else {
			if (!p->rand_rx)
				return false;
			if (!p->rand_tx) {
				memset(p->nb, 0x62, 16);
				inject_value(f, SMP_PAIRING_RANDOM, p->nb);
				p->rand_tx++;
				return true;
			}
		}
		stage1_done = true;
	} else {
		if (p->initiator) {
			if (!p->conf_rx)
				return false;
			if (!p->rand_tx) {
				memset(p->na, 0x71, 16);
				inject_value(f, SMP_PAIRING_RANDOM, p->na);
				p->rand_tx++;
				return true;
			}
			if (!p->rand_rx)
				return false;
		} else {
			if (!p->conf_tx) {
				memset(p->nb, 0x72, 16);
				smp_f4(pkb, pka, p->nb, 0, c);
				inject_value(f, SMP_PAIRING_CONFIRM, c);
				p->conf_tx++;
				return true;
			}
			if (!p->rand_rx)
				return false;
			if (!p->rand_tx) {
				inject_value(f, SMP_PAIRING_RANDOM, p->nb);
				p->rand_tx++;
				return true;
			}
		}
		stage1_done = true;
	}
	if (!stage1_done)
		return false;
	smp_f5(p->dhkey, p->na, p->nb, iat(f), ia(f), rat(f), ra(f), p->mackey, p->ltk);
	if (p->initiator) {
		if (!p->check_tx) {
			smp_f6(p->mackey, p->na, p->nb, rb_, p->preq + 1, iat(f), ia(f), rat(f), ra(f), c);
			inject_value(f, SMP_PAIRING_DHKEY_CHECK, c);
			p->check_tx = true;
			return true;
		}
		if (!p->check_rx)
			return false;
	} else {
		if (!p->check_rx)
			return false;
		if (!p->check_tx) {
			smp_f6(p->mackey, p->nb, p->na, ra_, p->pres + 1, rat(f), ra(f), iat(f), ia(f), c);
			inject_value(f, SMP_PAIRING_DHKEY_CHECK, c);
			p->check_tx = true;
			return true;
		}
	}
	uint8_t ks = p->preq[4] < p->pres[4] ? p->preq[4] : p->pres[4];
	if (ks > 16)
		ks = 16;
	memcpy(p->enc_key, p->ltk, 16);
	memset(p->enc_key + ks, 0, 16 - ks);
	p->enc_started = true;
	if (!f->central) {
		p->iut_key_cmd = false;
		ltk_request(f, 0, zero);
	}
	return true;
}

/* ---- the input ------------------------------------------------------------------------------------ */

struct in {
	const uint8_t *d;
	size_t n, i;
};

static uint8_t u8(struct in *in)
{
	return in->i < in->n ? in->d[in->i++] : 0;
}

static void init_keys(void)
{
	if (g_peer_key)
		return;
	if (crypto_p256_generate(&g_peer_key) < 0 || smp_public_key(g_peer_key, g_peer_pk) < 0)
		abort();
	memcpy(g_off_curve, g_peer_pk, 64);
	g_off_curve[40] ^= 0x5A; /* Y altered: no longer on P-256 */
}

static void reconnect(struct fz_smp *f, bool rpa)
{
	uint8_t d[4] = {0, FZ_H_LE, 0, HCI_ERR_CONN_TIMEOUT};
	fz_inject_event(f->w, HCI_EV_DISCONN_COMPLETE, d, 4);
	fz_pump(f->w);
	uint8_t e[19] = {0};
	e[0] = HCI_LE_CONN_COMPLETE;
	put_le16(e + 2, FZ_H_LE);
	e[4] = f->central ? 0 : 1;
	e[5] = rpa ? 1 : 0;
	memcpy(e + 6, f->remote, 6);
	if (rpa) { /* an RPA from the IRK the peer gives (0x44...) */
		uint8_t irk[16];
		memset(irk, 0x42 + 2, 16);
		e[6 + 3] = 0x01;
		e[6 + 4] = 0x02;
		e[6 + 5] = 0x43;
		smp_ah(irk, e + 6 + 3, e + 6);
	}
	put_le16(e + 12, 0x0018);
	put_le16(e + 16, 0x01F4);
	fz_inject_event(f->w, HCI_EV_LE_META, e, 19);
	fz_pump(f->w);
	f->remote_type = e[5];
	memcpy(f->remote, e + 6, 6);
	bool init = f->p.initiator;
	struct smp_pairing_params feat = f->p.feat;
	memset(&f->p, 0, sizeof(f->p));
	f->p.initiator = init;
	f->p.feat = feat;
	f->dead_seen = false;
}

static void secure_done(void *arg, uint16_t handle, int err)
{
	(void)arg;
	(void)handle;
	(void)err;
}

static void run(struct fz_smp *f, struct in *in)
{
	struct sm *sm = f->s->sm;
	int steps = 0;
	while (in->i < in->n && steps++ < 400) {
		uint8_t op = u8(in);
		if (getenv("FZ_SMP_TRACE"))
			fprintf(stderr, "op %d (0x%02x)\n", op & 0x0F, op);
		switch (op & 0x0F) {
		case 0:
		case 1: /* the peer's next step(s) */
			for (int k = 0, m = op & 1 ? 8 : 1; k < m; k++) {
				if (!peer_step(f))
					break;
				fz_pump(f->w);
			}
			break;
		case 2: { /* a raw SMP PDU */
			uint8_t b[72];
			size_t n = u8(in) % sizeof(b);
			for (size_t k = 0; k < n; k++)
				b[k] = u8(in);
			inject_smp(f, b, n);
			break;
		}
		case 3: { /* a well-formed command of any code with the input's bytes */
			uint8_t b[72] = {0};
			b[0] = (uint8_t)(u8(in) % (SMP_CODE_MAX + 2));
			size_t n = smp_pdu_len(b[0]);
			for (size_t k = 1; k < n; k++)
				b[k] = u8(in);
			inject_smp(f, b, n ? n : 1);
			break;
		}
		case 4: f->p.pk_attack = 1 + u8(in) % 3; break;
		case 5: { /* HCI encryption events at any time */
			uint8_t a = u8(in), st = u8(in) & 1 ? 0 : u8(in);
			switch (a & 3) {
			case 0: enc_change(f, st); break;
			case 1: {
				uint8_t e[3] = {st, FZ_H_LE, 0};
				fz_inject_event(f->w, HCI_EV_ENCRYPT_KEY_REFRESH, e, 3);
				break;
			}
			case 2: {
				uint8_t r[8] = {0};
				if (a & 4)
					for (int k = 0; k < 8; k++)
						r[k] = u8(in);
				ltk_request(f, a & 8 ? u8(in) : 0, r);
				break;
			}
			default: {
				uint8_t e[5] = {st, FZ_H_LE, 0, (uint8_t)(a >> 7), u8(in)};
				fz_inject_event(f->w, HCI_EV_ENCRYPT_CHANGE_V2, e, 5);
				break;
			}
			}
			break;
		}
		case 6: fz_advance(f->w, (uint64_t)u8(in) * 250); break;
		case 7: { /* API and agent */
			uint8_t a = u8(in);
			struct sm_link *l = iut_link(f);
			switch (a & 7) {
			case 0: sm_secure(sm, FZ_H_LE, (uint8_t)(1 + (a >> 3) % 4), secure_done, NULL); break;
			case 1: sm_pair(sm, FZ_H_LE, secure_done, NULL); break;
			case 2: /* the agent: yes / no, the peer's passkey or another */
				if (l && l->asking) {
					uint32_t pk = f->p.passkey;
					if (a & 0x10)
						pk = get_le24((uint8_t[3]){u8(in), u8(in), u8(in)});
					else if (!f->p.passkey_known && l->ask.ask == L2K_ASK_PASSKEY_ENTRY) {
						f->p.passkey = pk = (uint32_t)u8(in) * 3901u % 1000000u;
						f->p.passkey_known = true;
					}
					sm_agent_reply(sm, FZ_H_LE, !(a & 0x08), pk, NULL, 0);
				}
				break;
			case 3: {
				struct l2k_link_security ls;
				l2k_link_security(f->s, FZ_H_LE, &ls);
				break;
			}
			case 4: {
				l2k_addr pa;
				memcpy(pa.b, f->remote, 6);
				l2k_bond_remove(f->s, &pa, L2K_ADDR_LE_PUBLIC);
				break;
			}
			case 5: { /* l2kit's own OOB data, which the peer then has */
				uint8_t r[16], c[16];
				if (sm_le_oob_local(sm, r, c) == 0)
					memcpy(f->p.iut_oob_r, r, 16);
				break;
			}
			case 6: { /* the peer's OOB data given to l2kit (a TK, and/or SC r and C) */
				struct l2k_le_oob o = {.has_tk = a & 0x08, .has_sc = a & 0x10};
				memset(o.tk, a, 16);
				memcpy(f->p.oob_tk, o.tk, 16);
				memset(f->p.oob_r, 0x99, 16);
				memcpy(o.r, f->p.oob_r, 16);
				smp_f4(g_peer_pk, g_peer_pk, o.r, 0, o.c);
				if (a & 0x20)
					o.c[0] ^= 1;
				l2k_addr pa;
				memcpy(pa.b, f->remote, 6);
				sm_le_oob_peer(sm, &pa, f->remote_type ? L2K_ADDR_LE_RANDOM : L2K_ADDR_LE_PUBLIC, a & 0x40 ? NULL : &o);
				break;
			}
			default: {
				uint8_t r[4] = {0};
				sm_agent_reply(sm, FZ_H_LE, a & 0x08, get_le24(r), NULL, 0);
				break;
			}
			}
			break;
		}
		case 8: reconnect(f, op & 0x10); break;
		case 9: { /* l2kit's configuration changes */
			uint8_t a = u8(in);
			sm->cfg.io_cap = (enum l2k_io_cap)(a % 5);
			sm->cfg.le_legacy_only = a & 0x08;
			sm->cfg.sc_only = a & 0x10;
			sm->cfg.bondable = !(a & 0x20);
			sm->cfg.min_key_size = (uint8_t)(7 + u8(in) % 10);
			break;
		}
		case 10: { /* the peer's features for its next Pairing Request / Response */
			f->p.feat.io_cap = (uint8_t)(u8(in) % 5);
			f->p.feat.oob = u8(in) & 1;
			f->p.feat.auth_req = u8(in);
			f->p.feat.max_key_size = (uint8_t)(7 + u8(in) % 10);
			f->p.feat.init_dist = u8(in);
			f->p.feat.resp_dist = u8(in);
			break;
		}
		case 11: { /* a keypress notification, a Pairing Failed, a Security Request */
			uint8_t a = u8(in);
			uint8_t b[2] = {(uint8_t)(a & 1 ? SMP_KEYPRESS_NOTIFICATION : a & 2 ? SMP_PAIRING_FAILED : SMP_SECURITY_REQ),
					u8(in)};
			inject_smp(f, b, 2);
			break;
		}
		case 12: { /* a Confirm / Random / DHKey Check one bit off l2kit's last confirm value */
			uint8_t pos = u8(in), x = u8(in);
			uint8_t b[17] = {SMP_PAIRING_CONFIRM};
			memcpy(b + 1, f->p.conf_iut, 16);
			b[1 + pos % 16] ^= x ? x : 1;
			b[0] = (uint8_t)(pos & 0x80 ? SMP_PAIRING_RANDOM : pos & 0x40 ? SMP_PAIRING_DHKEY_CHECK : SMP_PAIRING_CONFIRM);
			inject_smp(f, b, 17);
			break;
		}
		default: /* let the stack run: settle everything */
			fz_pump(f->w);
			break;
		}
		fz_pump(f->w);
		check_state(f);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 6)
		return 0;
	init_keys();
	struct in in = {data, size, 0};
	uint8_t h0 = u8(&in), h1 = u8(&in), h2 = u8(&in), h3 = u8(&in), h4 = u8(&in), h5 = u8(&in);
	struct fz_world *w = fz_world_new();
	if (!w)
		return 0;
	static struct fz_smp f;
	memset(&f, 0, sizeof(f));
	f.w = w;
	f.s = fz_stack(w);
	f.central = h0 & 1;
	g_f = &f;
	f.s->cbs.paired = on_paired;
	struct sm *sm = f.s->sm;
	sm->cfg.io_cap = (enum l2k_io_cap)((h0 >> 1) % 5);
	sm->cfg.le_legacy_only = h0 & 0x10;
	sm->cfg.sc_only = h0 & 0x20;
	sm->cfg.bondable = !(h0 & 0x40);
	sm->cfg.debug_keys = h0 & 0x80;
	sm->cfg.has_irk = h1 & 1;
	memset(sm->cfg.irk, 0x5C, 16);
	sm->cfg.min_key_size = (uint8_t)(7 + (h1 >> 1) % 10);
	sm->cfg.max_attempts = (uint8_t)((h1 >> 5) & 3);
	f.p.initiator = !f.central;
	f.p.feat.io_cap = (uint8_t)(h2 % 5);
	f.p.feat.oob = (h2 >> 3) & 1;
	f.p.feat.auth_req = h3;
	f.p.feat.max_key_size = (uint8_t)(7 + h4 % 10);
	f.p.feat.init_dist = (uint8_t)(h5 & 0x0F);
	f.p.feat.resp_dist = (uint8_t)(h5 >> 4);
	fz_set_taps(w, on_pdu, on_cmd, &f);
	fz_auto_peer(w, true);
	if (fz_world_links(w, f.central) < 0) {
		fz_world_free(w);
		return 0;
	}
	struct sm_link *l = iut_link(&f);
	if (l) {
		uint8_t t;
		smp_local_addr(sm, &t, f.local);
		f.local_type = t;
		memcpy(f.remote, l->peer.b, 6);
		f.remote_type = l->peer_type == L2K_ADDR_LE_RANDOM;
	}
	run(&f, &in);
	if (getenv("FZ_SMP_TRACE")) {
		struct sm_link *e = iut_link(&f);
		fprintf(stderr, "fuzz_smp: %s paired %d failed %d, level %d, bonds %d\n", f.central ? "central" : "peripheral",
			f.paired_ok, f.paired_fail, e ? e->sec.level : -1, l2k_bonds(f.s, NULL, 0));
	}
	fz_world_free(w);
	return 0;
}
