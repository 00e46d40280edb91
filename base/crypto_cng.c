/* The crypto backend (base/crypto.h) over Windows' Cryptography API: Next Generation (CNG,
 * bcrypt.dll), for the Windows build in place of base/crypto_openssl.c.  Every value is most
 * significant octet first, as the header says; CNG's key blobs are too, except the raw
 * Diffie-Hellman secret (BCRYPT_KDF_RAW_SECRET), which CNG gives least significant octet first
 * and which is reversed here.
 *
 * What CNG does not offer is built from what it does, without any AES or curve arithmetic of
 * our own:
 *  - AES-CMAC (RFC 4493) is a mode over the AES block cipher: its subkeys and CBC-MAC chain are
 *    written here, every block goes through BCryptEncrypt in ECB mode;
 *  - the key pair of a known private key: imported as a private blob whose public part is all
 *    zeros, which CNG fills in (d*G) itself; the result is checked by asking CNG for d*G's X
 *    through a Diffie-Hellman with the generator, so a CNG that does not derive it (an
 *    implementation that keeps the zeros) gives L2K_EIO, never a wrong public key.
 * A peer's public key is checked by CNG's own import (BCryptImportKeyPair refuses a point that
 * is not on P-256, or a coordinate outside [0, p-1]); the point at infinity cannot be encoded
 * in a blob other than as (0,0), which is off the curve. */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#include <bcrypt.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "base/l2k_error.h"

#define NT_OK(st) ((NTSTATUS)(st) >= 0)

/* The two algorithm providers, opened once (a provider handle may be shared by threads). */
static INIT_ONCE g_once = INIT_ONCE_STATIC_INIT;
static BCRYPT_ALG_HANDLE g_aes, g_ecdh;

static BOOL CALLBACK open_providers(PINIT_ONCE once, PVOID param, PVOID *ctx)
{
	(void)once;
	(void)param;
	(void)ctx;
	if (!NT_OK(BCryptOpenAlgorithmProvider(&g_aes, BCRYPT_AES_ALGORITHM, NULL, 0)))
		g_aes = NULL;
	else if (!NT_OK(BCryptSetProperty(g_aes, BCRYPT_CHAINING_MODE, (PUCHAR)BCRYPT_CHAIN_MODE_ECB,
					  sizeof(BCRYPT_CHAIN_MODE_ECB), 0))) {
		BCryptCloseAlgorithmProvider(g_aes, 0);
		g_aes = NULL;
	}
	if (!NT_OK(BCryptOpenAlgorithmProvider(&g_ecdh, BCRYPT_ECDH_P256_ALGORITHM, NULL, 0)))
		g_ecdh = NULL;
	return TRUE;
}

static BCRYPT_ALG_HANDLE provider(BCRYPT_ALG_HANDLE *which)
{
	InitOnceExecuteOnce(&g_once, open_providers, NULL, NULL);
	return *which;
}

void crypto_wipe(void *p, size_t len)
{
	if (p && len)
		SecureZeroMemory(p, len);
}

/* ---- AES ---- */

static int aes_key(const uint8_t key[CRYPTO_AES_KEY_LEN], BCRYPT_KEY_HANDLE *out)
{
	BCRYPT_ALG_HANDLE alg = provider(&g_aes);
	if (!alg)
		return L2K_EIO;
	if (!NT_OK(BCryptGenerateSymmetricKey(alg, out, NULL, 0, (PUCHAR)key, CRYPTO_AES_KEY_LEN, 0)))
		return L2K_EIO;
	return 0;
}

static int aes_block(BCRYPT_KEY_HANDLE k, const uint8_t in[CRYPTO_AES_BLOCK_LEN],
		     uint8_t out[CRYPTO_AES_BLOCK_LEN])
{
	uint8_t src[CRYPTO_AES_BLOCK_LEN], dst[CRYPTO_AES_BLOCK_LEN];
	ULONG n = 0;
	memcpy(src, in, sizeof(src)); /* (in and out may be one buffer) */
	NTSTATUS st = BCryptEncrypt(k, src, sizeof(src), NULL, NULL, 0, dst, sizeof(dst), &n, 0);
	int ok = NT_OK(st) && n == sizeof(dst);
	if (ok)
		memcpy(out, dst, sizeof(dst));
	crypto_wipe(src, sizeof(src));
	crypto_wipe(dst, sizeof(dst));
	return ok ? 0 : L2K_EIO;
}

int crypto_aes128_encrypt(const uint8_t key[CRYPTO_AES_KEY_LEN],
			  const uint8_t in[CRYPTO_AES_BLOCK_LEN],
			  uint8_t out[CRYPTO_AES_BLOCK_LEN])
{
	if (!key || !in || !out)
		return L2K_EINVAL;
	BCRYPT_KEY_HANDLE k;
	int err = aes_key(key, &k);
	if (err)
		return err;
	err = aes_block(k, in, out);
	BCryptDestroyKey(k);
	return err;
}

/* RFC 4493 2.3: a subkey is the previous one shifted left by one bit, xor Rb when the bit
 * shifted out was set. */
static void cmac_double(const uint8_t in[CRYPTO_AES_BLOCK_LEN], uint8_t out[CRYPTO_AES_BLOCK_LEN])
{
	uint8_t carry = in[0] >> 7;
	for (int i = 0; i < CRYPTO_AES_BLOCK_LEN - 1; i++)
		out[i] = (uint8_t)(in[i] << 1 | in[i + 1] >> 7);
	out[CRYPTO_AES_BLOCK_LEN - 1] = (uint8_t)(in[CRYPTO_AES_BLOCK_LEN - 1] << 1);
	if (carry)
		out[CRYPTO_AES_BLOCK_LEN - 1] ^= 0x87; /* Rb of a 128-bit block */
}

int crypto_aes_cmac(const uint8_t key[CRYPTO_AES_KEY_LEN], const uint8_t *msg, size_t len,
		    uint8_t mac[CRYPTO_AES_BLOCK_LEN])
{
	if (!key || !mac || (!msg && len))
		return L2K_EINVAL;
	BCRYPT_KEY_HANDLE k;
	int err = aes_key(key, &k);
	if (err)
		return err;
	uint8_t l[CRYPTO_AES_BLOCK_LEN] = {0}, k1[CRYPTO_AES_BLOCK_LEN], k2[CRYPTO_AES_BLOCK_LEN];
	uint8_t x[CRYPTO_AES_BLOCK_LEN] = {0}, last[CRYPTO_AES_BLOCK_LEN];
	err = aes_block(k, l, l); /* L = AES-128(K, 0^128) */
	if (err)
		goto out;
	cmac_double(l, k1);
	cmac_double(k1, k2);
	/* n blocks, the last one complete (xor K1) or padded with 10...0 (xor K2) */
	size_t n = len ? (len + CRYPTO_AES_BLOCK_LEN - 1) / CRYPTO_AES_BLOCK_LEN : 1;
	size_t tail = len - (n - 1) * CRYPTO_AES_BLOCK_LEN;
	memset(last, 0, sizeof(last));
	if (tail)
		memcpy(last, msg + (n - 1) * CRYPTO_AES_BLOCK_LEN, tail);
	if (tail == CRYPTO_AES_BLOCK_LEN) {
		for (int i = 0; i < CRYPTO_AES_BLOCK_LEN; i++)
			last[i] ^= k1[i];
	} else {
		last[tail] = 0x80;
		for (int i = 0; i < CRYPTO_AES_BLOCK_LEN; i++)
			last[i] ^= k2[i];
	}
	for (size_t b = 0; b < n && !err; b++) {
		const uint8_t *m = b + 1 < n ? msg + b * CRYPTO_AES_BLOCK_LEN : last;
		for (int i = 0; i < CRYPTO_AES_BLOCK_LEN; i++)
			x[i] ^= m[i];
		err = aes_block(k, x, x);
	}
	if (!err)
		memcpy(mac, x, sizeof(x));
out:
	BCryptDestroyKey(k);
	crypto_wipe(l, sizeof(l));
	crypto_wipe(k1, sizeof(k1));
	crypto_wipe(k2, sizeof(k2));
	crypto_wipe(x, sizeof(x));
	crypto_wipe(last, sizeof(last));
	return err;
}

int crypto_random(uint8_t *buf, size_t len)
{
	if (!len)
		return 0;
	if (!buf)
		return L2K_EINVAL;
	while (len) {
		ULONG chunk = len > 0x10000000u ? 0x10000000u : (ULONG)len;
		if (!NT_OK(BCryptGenRandom(NULL, buf, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
			return L2K_EIO;
		buf += chunk;
		len -= chunk;
	}
	return 0;
}

/* ---- P-256 ---- */

struct crypto_p256_key {
	BCRYPT_KEY_HANDLE k;
	uint8_t pub[CRYPTO_P256_PUBLIC_LEN];
};

/* A key blob: the header, then X, Y (and d for a private one), 32 octets each. */
struct p256_blob {
	BCRYPT_ECCKEY_BLOB h;
	uint8_t v[3 * CRYPTO_P256_COORD_LEN];
};

/* The order n of P-256 (FIPS 186-4 D.1.2.3), for the range check of a private key. */
static const uint8_t p256_n[CRYPTO_P256_COORD_LEN] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};
/* Its generator G (X || Y). */
static const uint8_t p256_g[CRYPTO_P256_PUBLIC_LEN] = {
	0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2,
	0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
	0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16,
	0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5,
};

/* Reads the public key of k into pub. */
static int p256_export_public(BCRYPT_KEY_HANDLE k, uint8_t pub[CRYPTO_P256_PUBLIC_LEN])
{
	struct p256_blob b;
	ULONG n = 0;
	NTSTATUS st = BCryptExportKey(k, NULL, BCRYPT_ECCPUBLIC_BLOB, (PUCHAR)&b,
				      sizeof(b.h) + CRYPTO_P256_PUBLIC_LEN, &n, 0);
	if (!NT_OK(st) || n != sizeof(b.h) + CRYPTO_P256_PUBLIC_LEN ||
	    b.h.cbKey != CRYPTO_P256_COORD_LEN)
		return L2K_EIO;
	memcpy(pub, b.v, CRYPTO_P256_PUBLIC_LEN);
	return 0;
}

/* A public key object of the point pub (X || Y); L2K_EBADMSG when CNG refuses it. */
static int p256_import_public(const uint8_t pub[CRYPTO_P256_PUBLIC_LEN], BCRYPT_KEY_HANDLE *out)
{
	BCRYPT_ALG_HANDLE alg = provider(&g_ecdh);
	if (!alg)
		return L2K_EIO;
	struct p256_blob b = {.h = {.dwMagic = BCRYPT_ECDH_PUBLIC_P256_MAGIC,
				    .cbKey = CRYPTO_P256_COORD_LEN}};
	memcpy(b.v, pub, CRYPTO_P256_PUBLIC_LEN);
	NTSTATUS st = BCryptImportKeyPair(alg, NULL, BCRYPT_ECCPUBLIC_BLOB, out, (PUCHAR)&b,
					  sizeof(b.h) + CRYPTO_P256_PUBLIC_LEN, 0);
	return NT_OK(st) ? 0 : L2K_EBADMSG;
}

/* The X coordinate of priv(k) * peer, most significant octet first. */
static int p256_agree(BCRYPT_KEY_HANDLE k, BCRYPT_KEY_HANDLE peer,
		      uint8_t x[CRYPTO_P256_COORD_LEN])
{
	BCRYPT_SECRET_HANDLE s;
	uint8_t raw[CRYPTO_P256_COORD_LEN];
	ULONG n = 0;
	if (!NT_OK(BCryptSecretAgreement(k, peer, &s, 0)))
		return L2K_EBADMSG; /* (an implementation that checks the point only here) */
	NTSTATUS st = BCryptDeriveKey(s, BCRYPT_KDF_RAW_SECRET, NULL, raw, sizeof(raw), &n, 0);
	BCryptDestroySecret(s);
	int ok = NT_OK(st) && n == sizeof(raw);
	if (ok) /* the raw secret comes least significant octet first */
		for (int i = 0; i < CRYPTO_P256_COORD_LEN; i++)
			x[i] = raw[CRYPTO_P256_COORD_LEN - 1 - i];
	crypto_wipe(raw, sizeof(raw));
	return ok ? 0 : L2K_EIO;
}

static int p256_wrap(BCRYPT_KEY_HANDLE h, struct crypto_p256_key **out)
{
	struct crypto_p256_key *k = calloc(1, sizeof(*k));
	if (!k) {
		BCryptDestroyKey(h);
		return L2K_ENOMEM;
	}
	k->k = h;
	int err = p256_export_public(h, k->pub);
	if (err) {
		crypto_p256_free(k);
		return err;
	}
	*out = k;
	return 0;
}

int crypto_p256_generate(struct crypto_p256_key **out)
{
	if (!out)
		return L2K_EINVAL;
	*out = NULL;
	BCRYPT_ALG_HANDLE alg = provider(&g_ecdh);
	BCRYPT_KEY_HANDLE h;
	if (!alg || !NT_OK(BCryptGenerateKeyPair(alg, &h, 256, 0)))
		return L2K_EIO;
	if (!NT_OK(BCryptFinalizeKeyPair(h, 0))) {
		BCryptDestroyKey(h);
		return L2K_EIO;
	}
	return p256_wrap(h, out);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

int crypto_p256_from_private(const uint8_t priv[CRYPTO_P256_COORD_LEN],
			     struct crypto_p256_key **out)
{
	if (!out)
		return L2K_EINVAL;
	*out = NULL;
	if (!priv || all_zero(priv, CRYPTO_P256_COORD_LEN) ||
	    memcmp(priv, p256_n, CRYPTO_P256_COORD_LEN) >= 0) /* big-endian: memcmp orders */
		return L2K_EINVAL;
	BCRYPT_ALG_HANDLE alg = provider(&g_ecdh);
	if (!alg)
		return L2K_EIO;
	/* the public part all zeros: CNG computes d*G */
	struct p256_blob b = {.h = {.dwMagic = BCRYPT_ECDH_PRIVATE_P256_MAGIC,
				    .cbKey = CRYPTO_P256_COORD_LEN}};
	memcpy(b.v + CRYPTO_P256_PUBLIC_LEN, priv, CRYPTO_P256_COORD_LEN);
	BCRYPT_KEY_HANDLE h = NULL, g = NULL;
	NTSTATUS st = BCryptImportKeyPair(alg, NULL, BCRYPT_ECCPRIVATE_BLOB, &h, (PUCHAR)&b,
					  sizeof(b), 0);
	crypto_wipe(&b, sizeof(b));
	if (!NT_OK(st))
		return L2K_EIO;
	struct crypto_p256_key *k = NULL;
	int err = p256_wrap(h, &k);
	if (err)
		return err;
	/* d*G's X from a Diffie-Hellman with G must be the public key's X */
	uint8_t x[CRYPTO_P256_COORD_LEN];
	err = p256_import_public(p256_g, &g);
	if (!err)
		err = p256_agree(k->k, g, x);
	if (g)
		BCryptDestroyKey(g);
	if (!err && memcmp(x, k->pub, CRYPTO_P256_COORD_LEN) != 0)
		err = L2K_EIO; /* this CNG did not derive the public key */
	crypto_wipe(x, sizeof(x));
	if (err) {
		crypto_p256_free(k);
		return err == L2K_EBADMSG ? L2K_EIO : err;
	}
	*out = k;
	return 0;
}

void crypto_p256_free(struct crypto_p256_key *key)
{
	if (!key)
		return;
	if (key->k)
		BCryptDestroyKey(key->k); /* CNG clears the private key */
	crypto_wipe(key, sizeof(*key));
	free(key);
}

int crypto_p256_public(const struct crypto_p256_key *key, uint8_t pub[CRYPTO_P256_PUBLIC_LEN])
{
	if (!key || !pub)
		return L2K_EINVAL;
	memcpy(pub, key->pub, CRYPTO_P256_PUBLIC_LEN);
	return 0;
}

int crypto_p256_dhkey(const struct crypto_p256_key *key, const uint8_t *peer, size_t peer_len,
		      uint8_t dhkey[CRYPTO_P256_COORD_LEN])
{
	if (dhkey)
		memset(dhkey, 0, CRYPTO_P256_COORD_LEN);
	if (!key || !peer || !dhkey || peer_len != CRYPTO_P256_PUBLIC_LEN)
		return L2K_EINVAL;
	BCRYPT_KEY_HANDLE theirs = NULL;
	int err = p256_import_public(peer, &theirs);
	if (err)
		return err;
	uint8_t x[CRYPTO_P256_COORD_LEN];
	err = p256_agree(key->k, theirs, x);
	BCryptDestroyKey(theirs);
	if (!err)
		memcpy(dhkey, x, sizeof(x));
	crypto_wipe(x, sizeof(x));
	return err;
}
