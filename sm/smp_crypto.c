/* The SMP cryptographic toolbox (Core Vol 3 Part H 2.2), see sm/smp_crypto.h.
 *
 * Each function writes the spec's definition literally: its operands are built most
 * significant octet first, as the spec writes them ("p1 = pres || preq || rat' || iat'" puts
 * pres in the leftmost, most significant octets), then handed to base/crypto.h, which takes
 * that order.  Arguments arrive in air order (least significant octet first) and results leave
 * in air order, so every value is reversed once on the way in and once on the way out. */
#include <string.h>

#include "base/l2k_error.h"
#include "sm/smp_crypto.h"

/* Vol 3 Part H 2.3.5.6.1: the debug key pair, as the spec writes it (most significant first) */
static const uint8_t debug_private[32] = {
	0x3f, 0x49, 0xf6, 0xd4, 0xa3, 0xc5, 0x5f, 0x38,
	0x74, 0xc9, 0xb3, 0xe3, 0xd2, 0x10, 0x3f, 0x50,
	0x4a, 0xff, 0x60, 0x7b, 0xeb, 0x40, 0xb7, 0x99,
	0x58, 0x99, 0xb8, 0xa6, 0xcd, 0x3c, 0x1a, 0xbd,
};
static const uint8_t debug_public[64] = {
	/* X */
	0x20, 0xb0, 0x03, 0xd2, 0xf2, 0x97, 0xbe, 0x2c,
	0x5e, 0x2c, 0x83, 0xa7, 0xe9, 0xf9, 0xa5, 0xb9,
	0xef, 0xf4, 0x91, 0x11, 0xac, 0xf4, 0xfd, 0xdb,
	0xcc, 0x03, 0x01, 0x48, 0x0e, 0x35, 0x9d, 0xe6,
	/* Y */
	0xdc, 0x80, 0x9c, 0x49, 0x65, 0x2a, 0xeb, 0x6d,
	0x63, 0x32, 0x9a, 0xbf, 0x5a, 0x52, 0x15, 0x5c,
	0x76, 0x63, 0x45, 0xc2, 0x8f, 0xed, 0x30, 0x24,
	0x74, 0x1c, 0x8e, 0xd0, 0x15, 0x89, 0xd2, 0x8b,
};

/* f5's constants (2.2.7): SALT, keyID "btle", Length = 256 */
static const uint8_t f5_salt[16] = {0x6c, 0x88, 0x83, 0x91, 0xaa, 0xf5, 0xa5, 0x38,
				    0x60, 0x37, 0x0b, 0xdb, 0x5a, 0x60, 0x83, 0xbe};
static const uint8_t f5_keyid[4] = {0x62, 0x74, 0x6c, 0x65};
static const uint8_t f5_length[2] = {0x01, 0x00};

/* dst[0..n-1] = src[n-1..0]; dst and src do not overlap */
static void rev(uint8_t *dst, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[n - 1 - i];
}

/* Appends src (air order, n octets) to the message at *pos, most significant octet first. */
static void put_rev(uint8_t *msg, size_t *pos, const uint8_t *src, size_t n)
{
	rev(msg + *pos, src, n);
	*pos += n;
}

/* A1 / A2 of f5 and f6 (56 bits): the address type octet, then the address */
static void put_addr(uint8_t *msg, size_t *pos, uint8_t type, const uint8_t addr[6])
{
	msg[(*pos)++] = type;
	put_rev(msg, pos, addr, 6);
}

/* AES-CMAC with a key and a result in air order over a message already in spec order */
static int cmac_air(const uint8_t key_air[16], const uint8_t *msg, size_t len, uint8_t out_air[16])
{
	uint8_t key[16], mac[16];
	rev(key, key_air, 16);
	int err = crypto_aes_cmac(key, msg, len, mac);
	if (!err)
		rev(out_air, mac, 16);
	crypto_wipe(key, sizeof(key));
	crypto_wipe(mac, sizeof(mac));
	return err;
}

int smp_ah(const uint8_t irk[16], const uint8_t prand[3], uint8_t hash[3])
{
	if (!irk || !prand || !hash)
		return L2K_EINVAL;
	/* r' = padding (104 zero bits) || r; ah = e(k, r') mod 2^24 */
	uint8_t k[16], r[16] = {0}, e[16];
	rev(k, irk, 16);
	rev(r + 13, prand, 3);
	int err = crypto_aes128_encrypt(k, r, e);
	if (!err)
		rev(hash, e + 13, 3);
	crypto_wipe(k, sizeof(k));
	return err;
}

int smp_c1(const uint8_t k[16], const uint8_t r[16], const uint8_t *preq, size_t preq_len,
	   const uint8_t *pres, size_t pres_len, uint8_t iat, const uint8_t ia[6], uint8_t rat,
	   const uint8_t ra[6], uint8_t confirm[16])
{
	if (!k || !r || !preq || !pres || !ia || !ra || !confirm ||
	    preq_len != SMP_PAIRING_PDU_LEN || pres_len != SMP_PAIRING_PDU_LEN || iat > 1 ||
	    rat > 1)
		return L2K_EINVAL;
	/* p1 = pres || preq || rat' || iat'; p2 = padding (32 zero bits) || ia || ra */
	uint8_t p1[16], p2[16] = {0}, key[16], t[16];
	size_t n = 0;
	put_rev(p1, &n, pres, SMP_PAIRING_PDU_LEN);
	put_rev(p1, &n, preq, SMP_PAIRING_PDU_LEN);
	p1[n++] = rat;
	p1[n++] = iat;
	n = 4;
	put_rev(p2, &n, ia, 6);
	put_rev(p2, &n, ra, 6);
	rev(key, k, 16);
	rev(t, r, 16);
	/* c1 = e(k, e(k, r XOR p1) XOR p2) */
	for (int i = 0; i < 16; i++)
		t[i] ^= p1[i];
	int err = crypto_aes128_encrypt(key, t, t);
	if (!err) {
		for (int i = 0; i < 16; i++)
			t[i] ^= p2[i];
		err = crypto_aes128_encrypt(key, t, t);
	}
	if (!err)
		rev(confirm, t, 16);
	crypto_wipe(key, sizeof(key));
	crypto_wipe(t, sizeof(t));
	return err;
}

int smp_s1(const uint8_t k[16], const uint8_t r1[16], const uint8_t r2[16], uint8_t stk[16])
{
	if (!k || !r1 || !r2 || !stk)
		return L2K_EINVAL;
	/* r' = r1' || r2': the least significant 64 bits of each (in air order, its first 8 octets) */
	uint8_t key[16], rp[16], out[16];
	size_t n = 0;
	put_rev(rp, &n, r1, 8);
	put_rev(rp, &n, r2, 8);
	rev(key, k, 16);
	int err = crypto_aes128_encrypt(key, rp, out);
	if (!err)
		rev(stk, out, 16);
	crypto_wipe(key, sizeof(key));
	crypto_wipe(out, sizeof(out));
	return err;
}

int smp_f4(const uint8_t u[32], const uint8_t v[32], const uint8_t x[16], uint8_t z,
	   uint8_t out[16])
{
	if (!u || !v || !x || !out)
		return L2K_EINVAL;
	/* AES-CMAC_X(U || V || Z) */
	uint8_t m[32 + 32 + 1];
	size_t n = 0;
	put_rev(m, &n, u, 32);
	put_rev(m, &n, v, 32);
	m[n++] = z;
	return cmac_air(x, m, n, out);
}

int smp_f5(const uint8_t w[32], const uint8_t n1[16], const uint8_t n2[16], uint8_t a1_type,
	   const uint8_t a1[6], uint8_t a2_type, const uint8_t a2[6], uint8_t mackey[16],
	   uint8_t ltk[16])
{
	if (!w || !n1 || !n2 || !a1 || !a2 || !mackey || !ltk)
		return L2K_EINVAL;
	/* T = AES-CMAC_SALT(W) */
	uint8_t wm[32], t[16];
	rev(wm, w, 32);
	int err = crypto_aes_cmac(f5_salt, wm, sizeof(wm), t);
	crypto_wipe(wm, sizeof(wm));
	if (err)
		return err;
	/* AES-CMAC_T(Counter || keyID || N1 || N2 || A1 || A2 || Length), Counter 0 then 1 */
	uint8_t m[1 + 4 + 16 + 16 + 7 + 7 + 2], out[16];
	size_t n = 1;
	memcpy(m + n, f5_keyid, sizeof(f5_keyid));
	n += sizeof(f5_keyid);
	put_rev(m, &n, n1, 16);
	put_rev(m, &n, n2, 16);
	put_addr(m, &n, a1_type, a1);
	put_addr(m, &n, a2_type, a2);
	memcpy(m + n, f5_length, sizeof(f5_length));
	n += sizeof(f5_length);
	m[0] = 0;
	err = crypto_aes_cmac(t, m, n, out);
	if (!err)
		rev(mackey, out, 16);
	m[0] = 1;
	if (!err)
		err = crypto_aes_cmac(t, m, n, out);
	if (!err)
		rev(ltk, out, 16);
	crypto_wipe(t, sizeof(t));
	crypto_wipe(out, sizeof(out));
	if (err) {
		crypto_wipe(mackey, 16);
		crypto_wipe(ltk, 16);
	}
	return err;
}

int smp_f6(const uint8_t w[16], const uint8_t n1[16], const uint8_t n2[16], const uint8_t r[16],
	   const uint8_t iocap[3], uint8_t a1_type, const uint8_t a1[6], uint8_t a2_type,
	   const uint8_t a2[6], uint8_t out[16])
{
	if (!w || !n1 || !n2 || !r || !iocap || !a1 || !a2 || !out)
		return L2K_EINVAL;
	/* AES-CMAC_W(N1 || N2 || R || IOcap || A1 || A2) */
	uint8_t m[16 + 16 + 16 + 3 + 7 + 7];
	size_t n = 0;
	put_rev(m, &n, n1, 16);
	put_rev(m, &n, n2, 16);
	put_rev(m, &n, r, 16);
	put_rev(m, &n, iocap, 3);
	put_addr(m, &n, a1_type, a1);
	put_addr(m, &n, a2_type, a2);
	return cmac_air(w, m, n, out);
}

int smp_g2(const uint8_t u[32], const uint8_t v[32], const uint8_t x[16], const uint8_t y[16],
	   uint32_t *value)
{
	if (!u || !v || !x || !y || !value)
		return L2K_EINVAL;
	/* AES-CMAC_X(U || V || Y) mod 2^32: the four least significant octets (air order: first) */
	uint8_t m[32 + 32 + 16], mac[16];
	size_t n = 0;
	put_rev(m, &n, u, 32);
	put_rev(m, &n, v, 32);
	put_rev(m, &n, y, 16);
	int err = cmac_air(x, m, n, mac);
	if (!err)
		*value = (uint32_t)mac[0] | (uint32_t)mac[1] << 8 | (uint32_t)mac[2] << 16 |
			 (uint32_t)mac[3] << 24;
	return err;
}

int smp_h6(const uint8_t w[16], uint32_t keyid, uint8_t out[16])
{
	if (!w || !out)
		return L2K_EINVAL;
	/* AES-CMAC_W(keyID) */
	const uint8_t m[4] = {(uint8_t)(keyid >> 24), (uint8_t)(keyid >> 16), (uint8_t)(keyid >> 8),
			      (uint8_t)keyid};
	return cmac_air(w, m, sizeof(m), out);
}

int smp_h7(const uint8_t salt[16], const uint8_t w[16], uint8_t out[16])
{
	if (!salt || !w || !out)
		return L2K_EINVAL;
	/* AES-CMAC_SALT(W) */
	uint8_t m[16];
	rev(m, w, 16);
	int err = cmac_air(salt, m, sizeof(m), out);
	crypto_wipe(m, sizeof(m));
	return err;
}

int smp_public_key(const struct crypto_p256_key *key, uint8_t pub[64])
{
	if (!pub)
		return L2K_EINVAL;
	uint8_t std[64];
	int err = crypto_p256_public(key, std);
	if (!err) {
		rev(pub, std, 32);
		rev(pub + 32, std + 32, 32);
	}
	return err;
}

int smp_dhkey(const struct crypto_p256_key *key, const uint8_t *peer, size_t peer_len,
	      uint8_t dhkey[32])
{
	if (dhkey)
		memset(dhkey, 0, 32);
	if (!peer || !dhkey || peer_len != 64)
		return L2K_EINVAL;
	uint8_t std[64], secret[32];
	rev(std, peer, 32);
	rev(std + 32, peer + 32, 32);
	int err = crypto_p256_dhkey(key, std, sizeof(std), secret);
	if (!err)
		rev(dhkey, secret, 32);
	crypto_wipe(secret, sizeof(secret));
	return err;
}

int smp_debug_key(struct crypto_p256_key **out)
{
	return crypto_p256_from_private(debug_private, out);
}

int smp_is_debug_public_key(const uint8_t *pub, size_t pub_len)
{
	if (!pub || pub_len != 64)
		return 0;
	uint8_t std[64];
	rev(std, pub, 32);
	rev(std + 32, pub + 32, 32);
	return memcmp(std, debug_public, sizeof(std)) == 0;
}
