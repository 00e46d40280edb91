/* The crypto backend (base/crypto.h) over libgcrypt (1.8 or later): the default of the Windows
 * build (libgcrypt-20.dll, from Debian's libgcrypt-mingw-w64-dev), and buildable on Linux with
 * `make CRYPTO=gcrypt` so that its sample-data tests run natively too.  Every value is most
 * significant octet first, as the header says; libgcrypt's unsigned MPI format (GCRYMPI_FMT_USG)
 * is that order too.  No AES or curve arithmetic is written here:
 *  - AES-128 is libgcrypt's AES in ECB mode, AES-CMAC its GCRY_MAC_CMAC_AES;
 *  - a fresh key pair comes from gcry_pk_genkey on "NIST P-256" (libgcrypt picks the scalar);
 *  - the public key d*G and the Diffie-Hellman point d*Q are libgcrypt's point multiplication
 *    (gcry_mpi_ec_mul) in a context of the named curve, with the scalar flagged secure, which
 *    makes libgcrypt take its constant-time path;
 *  - a peer's public key is checked here before use, with libgcrypt's arithmetic: both
 *    coordinates in [0, p-1], and the point on the curve (gcry_mpi_ec_curve_point).  P-256's
 *    cofactor is 1, so a point on the curve other than the point at infinity (which has no
 *    affine encoding; (0,0) is off the curve) has order n: that is SP 800-56A 5.6.2.3.3's full
 *    check, as OpenSSL's EVP_PKEY_public_check does in base/crypto_openssl.c.
 *
 * libgcrypt must be initialised once per process before use (gcry_check_version, then
 * GCRYCTL_INITIALIZATION_FINISHED).  A library cannot know whether its application already did
 * that: gcrypt_ready() does it once (pthread_once), unless libgcrypt says it is already done, in
 * which case the application's settings stand.  Secure memory is disabled when l2kit initialises
 * (it would need mlock and warns without it); the private scalars are wiped by this file. */
#include <gcrypt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "base/l2k_error.h"

#define P256_CURVE "NIST P-256"
#define GCRYPT_MIN_VERSION "1.8.0"

struct crypto_p256_key {
	uint8_t priv[CRYPTO_P256_COORD_LEN];
	uint8_t pub[CRYPTO_P256_PUBLIC_LEN];
};

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static int g_ready;

static void gcrypt_init(void)
{
	if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
		g_ready = 1; /* the application initialised it */
		return;
	}
	if (!gcry_check_version(GCRYPT_MIN_VERSION))
		return;
	gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	g_ready = 1;
}

static int gcrypt_ready(void)
{
	pthread_once(&g_once, gcrypt_init);
	return g_ready;
}

static int gc_err(gcry_error_t e)
{
	return gcry_err_code(e) == GPG_ERR_ENOMEM ? L2K_ENOMEM : L2K_EIO;
}

void crypto_wipe(void *p, size_t len)
{
	if (!p || !len)
		return;
	/* stores through a volatile pointer are not removed as dead */
	volatile uint8_t *v = p;
	while (len--)
		*v++ = 0;
}

int crypto_aes128_encrypt(const uint8_t key[CRYPTO_AES_KEY_LEN],
			  const uint8_t in[CRYPTO_AES_BLOCK_LEN],
			  uint8_t out[CRYPTO_AES_BLOCK_LEN])
{
	if (!key || !in || !out)
		return L2K_EINVAL;
	if (!gcrypt_ready())
		return L2K_EIO;
	gcry_cipher_hd_t h;
	gcry_error_t e = gcry_cipher_open(&h, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_ECB, 0);
	if (e)
		return gc_err(e);
	uint8_t block[CRYPTO_AES_BLOCK_LEN];
	/* one block in ECB mode is exactly the AES block cipher */
	e = gcry_cipher_setkey(h, key, CRYPTO_AES_KEY_LEN);
	if (!e)
		e = gcry_cipher_encrypt(h, block, sizeof(block), in, CRYPTO_AES_BLOCK_LEN);
	gcry_cipher_close(h); /* wipes the key schedule */
	if (!e)
		memcpy(out, block, sizeof(block));
	crypto_wipe(block, sizeof(block));
	return e ? gc_err(e) : 0;
}

int crypto_aes_cmac(const uint8_t key[CRYPTO_AES_KEY_LEN], const uint8_t *msg, size_t len,
		    uint8_t mac[CRYPTO_AES_BLOCK_LEN])
{
	if (!key || !mac || (!msg && len))
		return L2K_EINVAL;
	if (!gcrypt_ready())
		return L2K_EIO;
	gcry_mac_hd_t h;
	gcry_error_t e = gcry_mac_open(&h, GCRY_MAC_CMAC_AES, 0, NULL);
	if (e)
		return gc_err(e);
	uint8_t tag[CRYPTO_AES_BLOCK_LEN];
	size_t tag_len = sizeof(tag);
	e = gcry_mac_setkey(h, key, CRYPTO_AES_KEY_LEN);
	if (!e && len)
		e = gcry_mac_write(h, msg, len);
	if (!e)
		e = gcry_mac_read(h, tag, &tag_len);
	gcry_mac_close(h);
	int ok = !e && tag_len == sizeof(tag);
	if (ok)
		memcpy(mac, tag, sizeof(tag));
	crypto_wipe(tag, sizeof(tag));
	return ok ? 0 : e ? gc_err(e) : L2K_EIO;
}

int crypto_random(uint8_t *buf, size_t len)
{
	if (!len)
		return 0;
	if (!buf)
		return L2K_EINVAL;
	if (!gcrypt_ready())
		return L2K_EIO;
	gcry_randomize(buf, len, GCRY_STRONG_RANDOM);
	return 0;
}

/* ---- P-256 ---- */

/* An MPI of 32 octets, most significant first; secure makes libgcrypt treat it as a secret
 * scalar (constant-time multiplication).  NULL on failure. */
static gcry_mpi_t mpi_from(const uint8_t v[CRYPTO_P256_COORD_LEN], int secure)
{
	gcry_mpi_t m = NULL;
	if (gcry_mpi_scan(&m, GCRYMPI_FMT_USG, v, CRYPTO_P256_COORD_LEN, NULL))
		return NULL;
	/* (libgcrypt asserts when asked to move a zero with limbs; zero is no key anyway) */
	if (secure && gcry_mpi_cmp_ui(m, 0) != 0)
		gcry_mpi_set_flag(m, GCRYMPI_FLAG_SECURE);
	return m;
}

/* m (below 2^256) into 32 octets, most significant first, zero-padded on the left. */
static int mpi_to(gcry_mpi_t m, uint8_t out[CRYPTO_P256_COORD_LEN])
{
	uint8_t tmp[CRYPTO_P256_COORD_LEN];
	size_t n = 0;
	if (gcry_mpi_cmp_ui(m, 0) == 0) {
		memset(out, 0, CRYPTO_P256_COORD_LEN);
		return 0;
	}
	if (gcry_mpi_print(GCRYMPI_FMT_USG, tmp, sizeof(tmp), &n, m) || n == 0 || n > sizeof(tmp))
		return L2K_EIO;
	memset(out, 0, CRYPTO_P256_COORD_LEN - n);
	memcpy(out + CRYPTO_P256_COORD_LEN - n, tmp, n);
	crypto_wipe(tmp, sizeof(tmp));
	return 0;
}

/* out = the affine coordinates of d*P (P the generator when NULL): X only when y_out is NULL.
 * L2K_EIO when the result is the point at infinity or libgcrypt fails. */
static int p256_mul(gcry_ctx_t ctx, const uint8_t d_be[CRYPTO_P256_COORD_LEN], gcry_mpi_point_t p,
		    uint8_t x_out[CRYPTO_P256_COORD_LEN], uint8_t *y_out)
{
	int err = L2K_ENOMEM;
	gcry_mpi_t d = mpi_from(d_be, 1);
	gcry_mpi_point_t g = p ? NULL : gcry_mpi_ec_get_point("g", ctx, 1);
	gcry_mpi_point_t r = gcry_mpi_point_new(0);
	gcry_mpi_t x = gcry_mpi_new(0), y = gcry_mpi_new(0);
	if (!d || (!p && !g) || !r || !x || !y)
		goto out;
	gcry_mpi_ec_mul(r, d, p ? p : g, ctx);
	err = L2K_EIO;
	if (gcry_mpi_ec_get_affine(x, y, r, ctx) != 0) /* the point at infinity */
		goto out;
	err = mpi_to(x, x_out);
	if (!err && y_out)
		err = mpi_to(y, y_out);
out:
	gcry_mpi_release(y);
	gcry_mpi_release(x);
	gcry_mpi_point_release(r);
	gcry_mpi_point_release(g);
	gcry_mpi_release(d); /* a secure MPI is wiped on release */
	return err;
}

/* A key object from the private scalar priv: L2K_EINVAL unless 1 <= priv <= n-1. */
static int p256_make(const uint8_t priv[CRYPTO_P256_COORD_LEN], struct crypto_p256_key **out)
{
	gcry_ctx_t ctx = NULL;
	gcry_error_t e = gcry_mpi_ec_new(&ctx, NULL, P256_CURVE);
	if (e)
		return gc_err(e);
	int err = L2K_ENOMEM;
	struct crypto_p256_key *k = NULL;
	gcry_mpi_t n = gcry_mpi_ec_get_mpi("n", ctx, 1);
	gcry_mpi_t d = mpi_from(priv, 1);
	if (!n || !d)
		goto out;
	err = L2K_EINVAL;
	if (gcry_mpi_cmp_ui(d, 0) == 0 || gcry_mpi_cmp(d, n) >= 0)
		goto out;
	err = L2K_ENOMEM;
	k = calloc(1, sizeof(*k));
	if (!k)
		goto out;
	memcpy(k->priv, priv, CRYPTO_P256_COORD_LEN);
	err = p256_mul(ctx, priv, NULL, k->pub, k->pub + CRYPTO_P256_COORD_LEN);
out:
	gcry_mpi_release(d);
	gcry_mpi_release(n);
	gcry_ctx_release(ctx);
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
	if (!gcrypt_ready())
		return L2K_EIO;
	gcry_sexp_t params = NULL, pair = NULL, dtok = NULL;
	gcry_mpi_t d = NULL;
	uint8_t priv[CRYPTO_P256_COORD_LEN];
	gcry_error_t e = gcry_sexp_build(&params, NULL, "(genkey (ecc (curve %s)))", P256_CURVE);
	if (!e)
		e = gcry_pk_genkey(&pair, params);
	int err = e ? gc_err(e) : L2K_EIO;
	if (e)
		goto out;
	/* (private-key (ecc (curve ..) (q #04 X Y#) (d #scalar#))): take d, compute the rest */
	dtok = gcry_sexp_find_token(pair, "d", 0);
	d = dtok ? gcry_sexp_nth_mpi(dtok, 1, GCRYMPI_FMT_USG) : NULL;
	if (!d)
		goto out;
	if (gcry_mpi_get_nbits(d) > 8 * CRYPTO_P256_COORD_LEN || mpi_to(d, priv))
		goto out;
	err = p256_make(priv, out);
out:
	crypto_wipe(priv, sizeof(priv));
	gcry_mpi_release(d);
	gcry_sexp_release(dtok);
	gcry_sexp_release(pair); /* holds d: libgcrypt wipes a private key's S-expression */
	gcry_sexp_release(params);
	return err;
}

int crypto_p256_from_private(const uint8_t priv[CRYPTO_P256_COORD_LEN],
			     struct crypto_p256_key **out)
{
	if (!out)
		return L2K_EINVAL;
	*out = NULL;
	if (!priv)
		return L2K_EINVAL;
	if (!gcrypt_ready())
		return L2K_EIO;
	return p256_make(priv, out);
}

void crypto_p256_free(struct crypto_p256_key *key)
{
	if (!key)
		return;
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
	if (!gcrypt_ready())
		return L2K_EIO;
	gcry_ctx_t ctx = NULL;
	gcry_error_t e = gcry_mpi_ec_new(&ctx, NULL, P256_CURVE);
	if (e)
		return gc_err(e);
	uint8_t secret[CRYPTO_P256_COORD_LEN];
	int err = L2K_ENOMEM;
	gcry_mpi_t p = gcry_mpi_ec_get_mpi("p", ctx, 1);
	gcry_mpi_t x = mpi_from(peer, 0), y = mpi_from(peer + CRYPTO_P256_COORD_LEN, 0);
	gcry_mpi_t one = gcry_mpi_set_ui(NULL, 1);
	gcry_mpi_point_t q = gcry_mpi_point_new(0);
	if (!p || !x || !y || !one || !q)
		goto out;
	/* the peer's key: coordinates in [0, p-1], then on the curve ((0,0) is not) */
	err = L2K_EBADMSG;
	if (gcry_mpi_cmp(x, p) >= 0 || gcry_mpi_cmp(y, p) >= 0)
		goto out;
	gcry_mpi_point_set(q, x, y, one);
	if (!gcry_mpi_ec_curve_point(q, ctx))
		goto out;
	err = p256_mul(ctx, key->priv, q, secret, NULL);
	if (!err)
		memcpy(dhkey, secret, sizeof(secret));
out:
	crypto_wipe(secret, sizeof(secret));
	gcry_mpi_point_release(q);
	gcry_mpi_release(one);
	gcry_mpi_release(y);
	gcry_mpi_release(x);
	gcry_mpi_release(p);
	gcry_ctx_release(ctx);
	return err;
}
