/* Security pieces shared by the BR/EDR and LE sides of the simulated controller: randomness from
 * the air's PRNG, the controllers' P-256 key pairs, the simulator's Simple Pairing functions,
 * Encryption Change / Encryption Key Refresh Complete, and the fault names.
 *
 * LMP is not simulated, so the values the two controllers derive only have to agree with each
 * other, not with a real controller's.  They are still real cryptography, so a wrong input gives
 * a wrong value the way it would on the air: ECDH on P-256 (both for the P-192 and the P-256 key
 * types of Simple Pairing; the key type only follows Secure Connections host support) and
 * AES-CMAC constructions in the style of the LE Secure Connections toolbox (Vol 3 Part H 2.2),
 * not the SHA-256 functions f1/g/f2/f3 of Vol 2 Part H 7.7.  Everything random comes from the
 * air's seeded PRNG, so a run replays identically. */
#include <string.h>

#include "base/l2k_error.h"
#include "transport/sim/sim_int.h"

void sim_sec_random(struct sim_air *air, uint8_t *out, size_t n)
{
	while (n) {
		uint64_t x = sim_rng_next(&air->rng);
		for (int i = 0; i < 8 && n; i++, n--) {
			*out++ = (uint8_t)x;
			x >>= 8;
		}
	}
}

int sim_sec_new_key(struct sim_air *air, struct crypto_p256_key **out, uint8_t pub[64])
{
	*out = NULL;
	for (int tries = 0; tries < 8; tries++) {
		uint8_t priv[32];
		sim_sec_random(air, priv, sizeof(priv));
		int r = crypto_p256_from_private(priv, out);
		crypto_wipe(priv, sizeof(priv));
		if (r == L2K_EINVAL)
			continue; /* not in [1, n-1] (about 2^-32 of the draws): draw again */
		if (r < 0)
			return r;
		r = crypto_p256_public(*out, pub);
		if (r < 0) {
			crypto_p256_free(*out);
			*out = NULL;
		}
		return r;
	}
	return L2K_EIO;
}

int sim_sec_keypair(struct sim_ctrl *c)
{
	if (c->kp)
		return 0;
	return sim_sec_new_key(c->air, &c->kp, c->pub);
}

void sim_sec_ctrl_reset(struct sim_ctrl *c)
{
	crypto_p256_free(c->kp);
	c->kp = NULL;
	memset(c->pub, 0, sizeof(c->pub));
}

int sim_sec_dhkey(const struct crypto_p256_key *kp, const uint8_t peer[64], uint8_t dh[32])
{
	return crypto_p256_dhkey(kp, peer, 64, dh);
}

/* g(U, V, X, Y) = AES-CMAC_X(U || V || Y) mod 2^32, the numeric value shown is that mod 10^6
 * (the construction of LE's g2, Vol 3 Part H 2.2.9) over the X coordinates. */
int sim_sec_nc_value(const uint8_t pka[64], const uint8_t pkb[64], const uint8_t na[16],
		     const uint8_t nb[16], uint32_t *value)
{
	uint8_t m[80], mac[16];
	memcpy(m, pka, 32);
	memcpy(m + 32, pkb, 32);
	memcpy(m + 64, nb, 16);
	int r = crypto_aes_cmac(na, m, sizeof(m), mac);
	if (r < 0)
		return r;
	uint32_t v = ((uint32_t)mac[12] << 24) | ((uint32_t)mac[13] << 16) | ((uint32_t)mac[14] << 8) | mac[15];
	*value = v % 1000000u;
	return 0;
}

/* T = AES-CMAC_SALT(DHKey), LK = AES-CMAC_T("btlk" || Na || Nb || A || B) (f5-like). */
int sim_sec_link_key(const uint8_t dh[32], const uint8_t na[16], const uint8_t nb[16],
		     const hci_bdaddr_t *a, const hci_bdaddr_t *b, uint8_t key[16])
{
	static const uint8_t salt[16] = {'l', '2', 'k', 'i', 't', ' ', 's', 'i',
					 'm', ' ', 'b', 't', 'l', 'k', 0, 1};
	uint8_t t[16], m[4 + 16 + 16 + 6 + 6];
	int r = crypto_aes_cmac(salt, dh, 32, t);
	if (r < 0)
		return r;
	memcpy(m, "btlk", 4);
	memcpy(m + 4, na, 16);
	memcpy(m + 20, nb, 16);
	memcpy(m + 36, a->b, 6);
	memcpy(m + 42, b->b, 6);
	r = crypto_aes_cmac(t, m, sizeof(m), key);
	crypto_wipe(t, sizeof(t));
	return r;
}

/* C = AES-CMAC_R(PKx || PKx || tag): the OOB commitment (tag tells P-192 from P-256 data). */
int sim_sec_oob_commit(const uint8_t pub[64], const uint8_t r[16], uint8_t tag, uint8_t c[16])
{
	uint8_t m[65];
	memcpy(m, pub, 32);
	memcpy(m + 32, pub, 32);
	m[64] = tag;
	return crypto_aes_cmac(r, m, sizeof(m), c);
}

/* Combination key of legacy pairing: AES-CMAC_PIN(RAND || A || B || length). */
int sim_sec_pin_key(const uint8_t *pin, uint8_t len, const uint8_t rnd[16], const hci_bdaddr_t *a,
		    const hci_bdaddr_t *b, uint8_t key[16])
{
	uint8_t k[16] = {0}, m[16 + 6 + 6 + 1];
	memcpy(k, pin, len > 16 ? 16 : len);
	memcpy(m, rnd, 16);
	memcpy(m + 16, a->b, 6);
	memcpy(m + 22, b->b, 6);
	m[28] = len;
	int r = crypto_aes_cmac(k, m, sizeof(m), key);
	crypto_wipe(k, sizeof(k));
	return r;
}

void sim_sec_enc_change(struct sim_link *l, int e, uint8_t status, uint8_t on, uint8_t key_size)
{
	struct sim_ctrl *c = l->end[e];
	if (!c)
		return;
	/* Status Connection_Handle(2) Encryption_Enabled [Encryption_Key_Size] (Vol 4 Part E 7.7.8,
	 * 7.7.8.1): only one of the two versions is sent, v2 when the host unmasked it. */
	uint8_t ev[5] = {status, 0, 0, on, on ? key_size : 0};
	put_le16(ev + 1, l->handle[e]);
	if (sim_event_enabled(c, HCI_EV_ENCRYPT_CHANGE_V2, 0))
		sim_event(c, HCI_EV_ENCRYPT_CHANGE_V2, ev, 5);
	else
		sim_event(c, HCI_EV_ENCRYPT_CHANGE, ev, 4);
}

void sim_sec_key_refresh(struct sim_link *l, int e, uint8_t status)
{
	if (!l->end[e])
		return;
	uint8_t ev[3] = {status};
	put_le16(ev + 1, l->handle[e]);
	sim_event(l->end[e], HCI_EV_ENCRYPT_KEY_REFRESH, ev, sizeof(ev));
}

void sim_sec_enc_timer(struct sim_link *l)
{
	if (l->kind == SIM_LINK_LE)
		sim_sec_le_enc_timer(l);
	else
		sim_sec_bredr_enc_timer(l);
}

int sim_sec_fault_by_name(const char *name)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} names[] = {
		{"nc-mismatch", SIM_SEC_FAULT_NC_MISMATCH},
		{"reject", SIM_SEC_FAULT_REJECT},
		{"key-mismatch", SIM_SEC_FAULT_KEY_MISMATCH},
		{"cut-in-pairing", SIM_SEC_FAULT_CUT_IN_PAIRING},
	};
	for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i].name) == 0)
			return (int)names[i].bit;
	return L2K_EINVAL;
}

void sim_ctrl_set_sec_faults(struct sim_ctrl *c, uint32_t faults)
{
	c->cfg.sec_faults = faults;
}
