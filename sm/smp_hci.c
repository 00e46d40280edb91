/* The controller's side of LE security, seen from the host (Core Vol 4 Part E; Vol 3 Part H
 * 2.4.4): LE Enable Encryption as central, the LE Long Term Key Request answered from the
 * pairing or the key store as peripheral, the Encryption Change (v1, v2) and Encryption Key
 * Refresh Complete events of LE links; plus the key store lookups SMP makes (bonds by
 * identity, resolvable private addresses by IRK), out-of-band data and the local address. */
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "sm/smp_int.h"

/* ---- commands and their completion ---------------------------------------------------------- */

/* The context of a command whose completion matters.  The HCI host may complete it after the
 * manager is gone (its queue is flushed when it is freed): smp_hci_free detaches it then. */
struct smp_cmd_ctx {
	struct smp_cmd_ctx *next;
	struct sm *sm; /* NULL once the manager is gone */
	uint16_t handle;
};

static void cmd_ctx_unlink(struct smp_cmd_ctx *c)
{
	if (!c->sm || !c->sm->smp_g)
		return;
	for (struct smp_cmd_ctx **pp = &c->sm->smp_g->cmds; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			return;
		}
}

static void encrypt_done(void *arg, int status, const uint8_t *ret, size_t len)
{
	struct smp_cmd_ctx *c = arg;
	struct sm *sm = c->sm;
	(void)ret;
	(void)len;
	cmd_ctx_unlink(c);
	uint16_t handle = c->handle;
	free(c);
	if (!sm || status == 0)
		return; /* the Encryption Change follows */
	struct sm_link *l = sm_link_of(sm, handle);
	if (!l || !l->le)
		return;
	struct smp_global *g = smp_global(sm);
	if (g)
		g->lk[l - sm->links].valid = false;
	smp_encrypted(sm, l, status > 0 && status <= 0xFF ? (uint8_t)status : HCI_ERR_UNSPECIFIED);
}

int smp_hci_encrypt(struct sm *sm, struct sm_link *l, const uint8_t key[16], uint16_t ediv, const uint8_t rand[8],
		    const struct smp_key_info *k)
{
	struct smp_global *g = smp_global(sm);
	if (!g || !sm->hci)
		return L2K_ENOMEM;
	struct smp_cmd_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return L2K_ENOMEM;
	c->sm = sm;
	c->handle = l->handle;
	uint8_t p[28];
	put_le16(p, l->handle);
	memcpy(p + 2, rand, 8);
	put_le16(p + 10, ediv);
	memcpy(p + 12, key, 16);
	int r = hci_host_cmd(sm->hci, HCI_OP_LE_ENABLE_ENCRYPTION, p, sizeof(p), encrypt_done, c);
	crypto_wipe(p, sizeof(p));
	if (r < 0) {
		free(c);
		return r;
	}
	c->next = g->cmds;
	g->cmds = c;
	g->lk[l - sm->links] = *k;
	g->stats.encryptions++;
	return 0;
}

void smp_hci_free(struct sm *sm)
{
	for (struct smp_cmd_ctx *c = sm->smp_g->cmds; c; c = c->next)
		c->sm = NULL;
	sm->smp_g->cmds = NULL;
}

void smp_link_reset(struct sm *sm, struct sm_link *l)
{
	if (sm->smp_g)
		memset(&sm->smp_g->lk[l - sm->links], 0, sizeof(struct smp_key_info));
}

/* ---- events ------------------------------------------------------------------------------------- */

static struct sm_link *le_link(struct sm *sm, const uint8_t *p)
{
	struct sm_link *l = sm_link_of(sm, get_le16(p) & 0x0FFF);
	return l && l->le ? l : NULL;
}

/* Encryption Change (v1/v2) or Key Refresh Complete on an LE link */
static void encryption_event(struct sm *sm, struct sm_link *l, uint8_t status, bool on)
{
	struct smp_global *g = smp_global(sm);
	struct smp_key_info *k = g ? &g->lk[l - sm->links] : NULL;
	smp_sync_now(sm);
	if (status) {
		if (k)
			k->valid = false;
		smp_encrypted(sm, l, status);
		return;
	}
	if (!on) {
		memset(&l->sec, 0, sizeof(l->sec));
		sm_security_changed(sm, l);
		return;
	}
	if (!k || !k->valid) {
		/* no key of ours is on its way (no LE Enable Encryption sent, no LTK Request answered):
		 * a controller's event that no procedure explains says nothing about the key */
		return;
	}
	l->sec.encrypted = true;
	l->sec.key_size = k->key_size;
	l->sec.authenticated = k->authenticated;
	l->sec.secure_conn = k->secure_conn;
	l->sec.bonded = k->bonded;
	k->valid = false;
	sm_update_level(sm, l);
	smp_encrypted(sm, l, 0);
}

/* LE Long Term Key Request (Vol 4 Part E 7.7.65.5): the peripheral's host gives the key */
static void ltk_request(struct sm *sm, struct sm_link *l, uint16_t handle, const uint8_t rand[8], uint16_t ediv)
{
	static const uint8_t zero8[8];
	uint8_t reply[18];
	put_le16(reply, handle);
	struct smp_key_info k = {.valid = true};
	bool found = false;
	smp_sync_now(sm);
	struct smp_pairing *p = l ? l->smp : NULL;
	if (l && l->role == 1 && p && p->state == SMP_S_START_ENC && !p->initiator) {
		/* the STK or the new LTK: EDIV and Rand 0 (2.4.4.1) */
		if (ediv == 0 && !memcmp(rand, zero8, 8)) {
			memcpy(reply + 2, p->enc_key, 16);
			smp_key_info(p, &k);
			found = true;
		}
	} else if (l && l->role == 1 && !(p && p->state == SMP_S_DEAD)) {
		struct l2k_bond b;
		if (smp_bond_get(sm, l, &b) == 0) {
			if (b.secure_conn && b.has_ltk && ediv == 0 && !memcmp(rand, zero8, 8)) {
				memcpy(reply + 2, b.ltk, 16);
				found = true;
			} else if (!b.secure_conn && b.has_local_ltk && ediv == b.local_ediv && !memcmp(rand, b.local_rand, 8)) {
				memcpy(reply + 2, b.local_ltk, 16);
				found = true;
			}
			k.key_size = b.key_size;
			k.authenticated = b.authenticated;
			k.secure_conn = b.secure_conn;
			k.bonded = true;
			crypto_wipe(&b, sizeof(b));
		}
	}
	struct smp_global *g = smp_global(sm);
	if (found && hci_host_cmd(sm->hci, HCI_OP_LE_LTK_REPLY, reply, sizeof(reply), NULL, NULL) == 0) {
		if (g) {
			g->lk[l - sm->links] = k;
			g->stats.ltk_requests++;
		}
	} else {
		hci_host_cmd(sm->hci, HCI_OP_LE_LTK_NEG_REPLY, reply, 2, NULL, NULL);
		if (g)
			g->stats.ltk_negative++;
	}
	crypto_wipe(reply, sizeof(reply));
}

bool smp_event(struct sm *sm, uint8_t code, const uint8_t *p, size_t len)
{
	struct sm_link *l;
	switch (code) {
	case HCI_EV_ENCRYPT_CHANGE: /* Status Handle Encryption_Enabled */
	case HCI_EV_ENCRYPT_CHANGE_V2: /* ... Encryption_Key_Size */
		if (len < (code == HCI_EV_ENCRYPT_CHANGE ? 4u : 5u) || !(l = le_link(sm, p + 1)))
			return false;
		encryption_event(sm, l, p[0], p[3] != 0);
		return true;
	case HCI_EV_ENCRYPT_KEY_REFRESH: /* Status Handle */
		if (len < 3 || !(l = le_link(sm, p + 1)))
			return false;
		encryption_event(sm, l, p[0], true);
		return true;
	case HCI_EV_LE_META: /* Subevent Handle Random(8) EDIV(2) */
		if (len < 13 || p[0] != HCI_LE_LTK_REQUEST)
			return false;
		ltk_request(sm, le_link(sm, p + 1), get_le16(p + 1) & 0x0FFF, p + 3, get_le16(p + 11));
		return true;
	default: return false;
	}
}

/* ---- the key store ------------------------------------------------------------------------------ */

int smp_bond_get(struct sm *sm, const struct sm_link *l, struct l2k_bond *out)
{
	if (!sm->store.get)
		return L2K_ENOENT;
	return sm->store.get(sm->store.user, &l->id_addr, l->id_type, out) == 0 ? 0 : L2K_ENOENT;
}

#define RESOLVE_MAX 1024 /* bonds looked at when resolving */

int smp_resolve(struct sm *sm, const l2k_addr *rpa, struct l2k_bond *out)
{
	if (!sm->store.list)
		return L2K_ENOENT;
	int n = sm->store.list(sm->store.user, NULL, 0);
	if (n <= 0)
		return L2K_ENOENT;
	if (n > RESOLVE_MAX)
		n = RESOLVE_MAX;
	struct l2k_bond *b = calloc((size_t)n, sizeof(*b));
	if (!b)
		return L2K_ENOMEM;
	int got = sm->store.list(sm->store.user, b, n);
	if (got > n)
		got = n;
	int r = L2K_ENOENT;
	/* 2.2.2 / Vol 6 Part B 1.3.2.3: hash = ah(IRK, prand), prand the top 24 bits */
	for (int i = 0; i < got && r < 0; i++) {
		uint8_t h[3];
		if (b[i].has_irk && smp_ah(b[i].irk, rpa->b + 3, h) == 0 && !memcmp(h, rpa->b, 3)) {
			*out = b[i];
			r = 0;
		}
	}
	crypto_wipe(b, (size_t)n * sizeof(*b));
	free(b);
	return r;
}

/* ---- out-of-band data ----------------------------------------------------------------------- */

int sm_le_oob_local(struct sm *sm, uint8_t r[16], uint8_t c[16])
{
	struct smp_global *g = smp_global(sm);
	if (!g)
		return L2K_ENOMEM;
	/* the key pair a pairing in progress uses stays until it ends */
	for (int i = 0; g->oob_key && i < SM_MAX_LINKS; i++) {
		const struct smp_pairing *p = sm->links[i].used ? sm->links[i].smp : NULL;
		if (p && p->key_borrowed)
			return L2K_EBUSY;
	}
	struct crypto_p256_key *key;
	uint8_t pub[64];
	int e = sm->cfg.debug_keys ? smp_debug_key(&key) : crypto_p256_generate(&key);
	if (e < 0)
		return e;
	if ((e = smp_public_key(key, pub)) < 0 || (e = crypto_random(r, 16)) < 0 || (e = smp_f4(pub, pub, r, 0, c)) < 0) {
		crypto_p256_free(key);
		return e;
	}
	crypto_p256_free(g->oob_key);
	g->oob_key = key;
	memcpy(g->oob_r, r, 16);
	return 0;
}

int sm_le_oob_peer(struct sm *sm, const l2k_addr *peer, enum l2k_addr_type type, const struct l2k_le_oob *oob)
{
	struct smp_global *g = smp_global(sm);
	if (!g || !peer)
		return g ? L2K_EINVAL : L2K_ENOMEM;
	int slot = -1;
	for (int i = 0; i < SMP_OOB_PEERS; i++)
		if (g->oob[i].used && g->oob[i].type == type && !memcmp(g->oob[i].addr.b, peer->b, 6))
			slot = i;
	if (!oob) {
		if (slot < 0)
			return L2K_ENOENT;
		crypto_wipe(&g->oob[slot], sizeof(g->oob[slot]));
		return 0;
	}
	for (int i = 0; i < SMP_OOB_PEERS && slot < 0; i++)
		if (!g->oob[i].used)
			slot = i;
	if (slot < 0)
		return L2K_ENOBUFS;
	g->oob[slot].used = true;
	g->oob[slot].addr = *peer;
	g->oob[slot].type = type;
	g->oob[slot].oob = *oob;
	return 0;
}

const struct l2k_le_oob *smp_oob_for(struct sm *sm, const struct sm_link *l)
{
	struct smp_global *g = sm->smp_g;
	for (int i = 0; g && i < SMP_OOB_PEERS; i++) {
		if (!g->oob[i].used)
			continue;
		if ((g->oob[i].type == l->id_type && !memcmp(g->oob[i].addr.b, l->id_addr.b, 6)) ||
		    (g->oob[i].type == l->peer_type && !memcmp(g->oob[i].addr.b, l->peer.b, 6)))
			return &g->oob[i].oob;
	}
	return NULL;
}

void smp_local_addr(struct sm *sm, uint8_t *type, uint8_t addr[6])
{
	const struct hci_controller_info *in = sm->hci ? hci_host_info(sm->hci) : NULL;
	*type = 0;
	if (in)
		memcpy(addr, in->addr.b, 6);
	else
		memset(addr, 0, 6);
}
