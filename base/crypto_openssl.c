/* The crypto backend (base/crypto.h) over OpenSSL's libcrypto 3.x: EVP interfaces only, plus
 * EC_GROUP/EC_POINT (not deprecated in 3.0) to compute the public key of a known private key.
 * Every value is most significant octet first, as the header says.  Every failure path clears
 * OpenSSL's per-thread error queue, so errors do not pile up there. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include "base/crypto.h"
#include "base/l2k_error.h"

#define P256_NAME "P-256"
#define SEC1_UNCOMPRESSED 0x04 /* SEC 1 2.3.3: 0x04 || X || Y */

struct crypto_p256_key {
	EVP_PKEY *pkey;
	uint8_t pub[CRYPTO_P256_PUBLIC_LEN];
};

static int fail(int err)
{
	ERR_clear_error();
	return err;
}

void crypto_wipe(void *p, size_t len)
{
	if (p && len)
		OPENSSL_cleanse(p, len);
}

int crypto_aes128_encrypt(const uint8_t key[CRYPTO_AES_KEY_LEN],
			  const uint8_t in[CRYPTO_AES_BLOCK_LEN],
			  uint8_t out[CRYPTO_AES_BLOCK_LEN])
{
	if (!key || !in || !out)
		return L2K_EINVAL;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return fail(L2K_ENOMEM);
	uint8_t block[CRYPTO_AES_BLOCK_LEN];
	int n = 0, fin = 0;
	/* one block in ECB mode without padding is exactly the AES block cipher */
	int ok = EVP_EncryptInit_ex2(ctx, EVP_aes_128_ecb(), key, NULL, NULL) == 1 &&
		 EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
		 EVP_EncryptUpdate(ctx, block, &n, in, CRYPTO_AES_BLOCK_LEN) == 1 &&
		 n == CRYPTO_AES_BLOCK_LEN && EVP_EncryptFinal_ex(ctx, block + n, &fin) == 1 &&
		 fin == 0;
	EVP_CIPHER_CTX_free(ctx);
	if (ok)
		memcpy(out, block, sizeof(block));
	crypto_wipe(block, sizeof(block));
	return ok ? 0 : fail(L2K_EIO);
}

int crypto_aes_cmac(const uint8_t key[CRYPTO_AES_KEY_LEN], const uint8_t *msg, size_t len,
		    uint8_t mac[CRYPTO_AES_BLOCK_LEN])
{
	static const uint8_t nothing[1];
	if (!key || !mac || (!msg && len))
		return L2K_EINVAL;
	uint8_t tag[CRYPTO_AES_BLOCK_LEN];
	size_t tag_len = 0;
	/* CMAC keyed by AES-128: the cipher named is the block cipher in CBC form (RFC 4493 2.4) */
	int ok = EVP_Q_mac(NULL, "CMAC", NULL, "AES-128-CBC", NULL, key, CRYPTO_AES_KEY_LEN,
			   msg ? msg : nothing, len, tag, sizeof(tag), &tag_len) != NULL &&
		 tag_len == sizeof(tag);
	if (ok)
		memcpy(mac, tag, sizeof(tag));
	crypto_wipe(tag, sizeof(tag));
	return ok ? 0 : fail(L2K_EIO);
}

int crypto_random(uint8_t *buf, size_t len)
{
	if (!len)
		return 0;
	if (!buf)
		return L2K_EINVAL;
	while (len) {
		int chunk = len > INT_MAX ? INT_MAX : (int)len;
		if (RAND_bytes(buf, chunk) != 1)
			return fail(L2K_EIO);
		buf += chunk;
		len -= (size_t)chunk;
	}
	return 0;
}

/* ---- P-256 ---- */

/* An EVP_PKEY of P-256 from a SEC 1 uncompressed point (65 octets) and, for a key pair, the
 * private scalar.  OpenSSL's import decodes the point with its checks (each coordinate below p,
 * the point on the curve); crypto_p256_dhkey adds the full public key check on top.  NULL on
 * failure, *nomem set when the failure was an allocation. */
static EVP_PKEY *p256_import(const uint8_t point[1 + CRYPTO_P256_PUBLIC_LEN], const BIGNUM *priv,
			     int *nomem)
{
	EVP_PKEY *pkey = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	*nomem = 1;
	if (!bld ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, P256_NAME, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point,
					      1 + CRYPTO_P256_PUBLIC_LEN) ||
	    (priv && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!params || !ctx)
		goto out;
	*nomem = 0;
	int selection = priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY;
	if (EVP_PKEY_fromdata_init(ctx) != 1 || EVP_PKEY_fromdata(ctx, &pkey, selection, params) != 1)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params); /* a secure BIGNUM's copy is in secure memory, cleared on free */
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

/* Wraps pkey (taken over) into a key object with its public key read out. */
static int p256_wrap(EVP_PKEY *pkey, struct crypto_p256_key **out)
{
	struct crypto_p256_key *k = calloc(1, sizeof(*k));
	if (!k) {
		EVP_PKEY_free(pkey);
		return fail(L2K_ENOMEM);
	}
	k->pkey = pkey;
	BIGNUM *x = NULL, *y = NULL;
	int ok = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
		 EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1 &&
		 BN_bn2binpad(x, k->pub, CRYPTO_P256_COORD_LEN) == CRYPTO_P256_COORD_LEN &&
		 BN_bn2binpad(y, k->pub + CRYPTO_P256_COORD_LEN, CRYPTO_P256_COORD_LEN) ==
			 CRYPTO_P256_COORD_LEN;
	BN_free(x);
	BN_free(y);
	if (!ok) {
		crypto_p256_free(k);
		return fail(L2K_EIO);
	}
	*out = k;
	return 0;
}

int crypto_p256_generate(struct crypto_p256_key **out)
{
	if (!out)
		return L2K_EINVAL;
	*out = NULL;
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", P256_NAME);
	if (!pkey)
		return fail(L2K_EIO);
	return p256_wrap(pkey, out);
}

int crypto_p256_from_private(const uint8_t priv[CRYPTO_P256_COORD_LEN],
			     struct crypto_p256_key **out)
{
	if (!out)
		return L2K_EINVAL;
	*out = NULL;
	if (!priv)
		return L2K_EINVAL;
	int err = L2K_ENOMEM, nomem = 0;
	EVP_PKEY *pkey = NULL;
	uint8_t point[1 + CRYPTO_P256_PUBLIC_LEN];
	EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	EC_POINT *pub = group ? EC_POINT_new(group) : NULL;
	BIGNUM *d = BN_secure_new();
	if (!group || !pub || !d)
		goto out;
	err = L2K_EIO;
	if (!BN_bin2bn(priv, CRYPTO_P256_COORD_LEN, d))
		goto out;
	BN_set_flags(d, BN_FLG_CONSTTIME);
	err = L2K_EINVAL;
	if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(group)) >= 0)
		goto out;
	/* the public key d*G; OpenSSL 3.0 does not derive it on import */
	err = L2K_EIO;
	if (EC_POINT_mul(group, pub, d, NULL, NULL, NULL) != 1 ||
	    EC_POINT_point2oct(group, pub, POINT_CONVERSION_UNCOMPRESSED, point, sizeof(point),
			       NULL) != sizeof(point))
		goto out;
	pkey = p256_import(point, d, &nomem);
	if (!pkey)
		err = nomem ? L2K_ENOMEM : L2K_EIO;
out:
	BN_clear_free(d);
	EC_POINT_free(pub);
	EC_GROUP_free(group);
	if (!pkey)
		return fail(err);
	return p256_wrap(pkey, out);
}

void crypto_p256_free(struct crypto_p256_key *key)
{
	if (!key)
		return;
	EVP_PKEY_free(key->pkey); /* clears the private scalar */
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
	uint8_t point[1 + CRYPTO_P256_PUBLIC_LEN], secret[CRYPTO_P256_COORD_LEN];
	size_t secret_len = sizeof(secret);
	point[0] = SEC1_UNCOMPRESSED;
	memcpy(point + 1, peer, CRYPTO_P256_PUBLIC_LEN);
	int nomem = 0, err;
	EVP_PKEY_CTX *check = NULL, *derive = NULL;
	EVP_PKEY *theirs = p256_import(point, NULL, &nomem);
	if (!theirs) {
		err = nomem ? L2K_ENOMEM : L2K_EBADMSG;
		goto out;
	}
	/* the full check of SP 800-56A 5.6.2.3.3 / SEC 1 3.2.2.1: not the point at infinity, both
	 * coordinates in [0, p-1], on the curve, and of order n */
	err = L2K_ENOMEM;
	check = EVP_PKEY_CTX_new_from_pkey(NULL, theirs, NULL);
	derive = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
	if (!check || !derive)
		goto out;
	err = L2K_EBADMSG;
	if (EVP_PKEY_public_check(check) != 1)
		goto out;
	err = L2K_EIO;
	if (EVP_PKEY_derive_init(derive) == 1 && EVP_PKEY_derive_set_peer(derive, theirs) == 1 &&
	    EVP_PKEY_derive(derive, secret, &secret_len) == 1 && secret_len == sizeof(secret)) {
		memcpy(dhkey, secret, sizeof(secret));
		err = 0;
	}
out:
	crypto_wipe(secret, sizeof(secret));
	EVP_PKEY_CTX_free(derive);
	EVP_PKEY_CTX_free(check);
	EVP_PKEY_free(theirs);
	return err ? fail(err) : 0;
}
