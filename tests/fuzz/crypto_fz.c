/* The crypto backend of the fuzz harnesses (libFuzzer and replay builds, not the library):
 * base/crypto_openssl.c compiled in here unchanged, with six of its functions renamed real_*
 * and wrapped, so that an SMP pairing no longer costs four P-256 scalar multiplications,
 * about 150 OpenSSL allocations each (most of fuzz_smp's time per input, ASan recording a
 * stack for every one), and so that an input runs the same way every time.
 *
 *  - crypto_random: a deterministic stream (SplitMix64), restarted by fz_crypto_reset(), which
 *    fz_world_new() calls for every input: nonces, passkeys, LTKs, EDIV/Rand and resolvable
 *    addresses depend on the input alone, so a finding replays as it was found.
 *  - crypto_p256_generate: one of FZ_KEY_POOL fixed key pairs in turn (restarted with the
 *    stream).  Each call still returns a key object of its own (calloc'd, EVP_PKEY shared by
 *    reference count), so crypto_p256_free and ASan's checks of its use are unchanged.
 *  - crypto_p256_from_private: the key pair of a given private key made once and then shared
 *    the same way (the SMP debug key, the fuzz peer's key).
 *  - crypto_p256_dhkey: remembered per (own public key, peer's key) once computed: a key pair
 *    is determined by its public key, so the answer is what OpenSSL would compute again; keys
 *    refused (off the curve, ...) are not remembered and go through the full check each time.
 *  - crypto_aes128_encrypt: OpenSSL's AES-128 through one cipher context made once and
 *    re-keyed per call (the backend fetches the cipher and allocates a context per block);
 *    crypto_aes_cmac: RFC 4493 over that block cipher (OpenSSL's CMAC fetches, allocates and
 *    looks parameters up by name, intercepted string comparisons included, on every call).
 *    Both are checked against the backend's own functions at first use (abort on a mismatch).
 *
 * Single-threaded, like the harnesses.  What l2kit receives from every call is what
 * base/crypto_openssl.c returns for the same arguments, except that "random" values are the
 * stream's: the code paths the fuzzer reaches in l2kit are the same.  The P-256 code of
 * crypto_openssl.c still runs (instrumented like the library) for the keys the cache does not
 * know: every key a fuzz input makes up goes through OpenSSL's full validation. */
#include "base/crypto.h"

int real_crypto_random(uint8_t *buf, size_t len);
int real_crypto_p256_generate(struct crypto_p256_key **out);
int real_crypto_p256_from_private(const uint8_t priv[CRYPTO_P256_COORD_LEN], struct crypto_p256_key **out);
int real_crypto_p256_dhkey(const struct crypto_p256_key *key, const uint8_t *peer, size_t peer_len,
			   uint8_t dhkey[CRYPTO_P256_COORD_LEN]);
int real_crypto_aes128_encrypt(const uint8_t key[CRYPTO_AES_KEY_LEN], const uint8_t in[CRYPTO_AES_BLOCK_LEN],
			       uint8_t out[CRYPTO_AES_BLOCK_LEN]);
int real_crypto_aes_cmac(const uint8_t key[CRYPTO_AES_KEY_LEN], const uint8_t *msg, size_t len,
			 uint8_t mac[CRYPTO_AES_BLOCK_LEN]);

#define crypto_random real_crypto_random
#define crypto_p256_generate real_crypto_p256_generate
#define crypto_p256_from_private real_crypto_p256_from_private
#define crypto_p256_dhkey real_crypto_p256_dhkey
#define crypto_aes128_encrypt real_crypto_aes128_encrypt
#define crypto_aes_cmac real_crypto_aes_cmac
#include "base/crypto_openssl.c"
#undef crypto_random
#undef crypto_p256_generate
#undef crypto_p256_from_private
#undef crypto_p256_dhkey
#undef crypto_aes128_encrypt
#undef crypto_aes_cmac

#include <stdbool.h>
#include <stdio.h>

#include "tests/fuzz/fz.h"

#define FZ_KEY_POOL 4	  /* distinct key pairs crypto_p256_generate hands out in turn */
#define FZ_PRIV_CACHE 8	  /* private keys whose key pair is kept (pool, debug key, peers) */
#define FZ_DH_CACHE 64	  /* remembered shared secrets */
#define FZ_RNG_SEED 0x6C326B6974465A31ull

static uint64_t rng_state = FZ_RNG_SEED;
static unsigned key_next;

void fz_crypto_reset(void)
{
	rng_state = FZ_RNG_SEED;
	key_next = 0;
}

/* ---- randomness ---- */

static uint64_t splitmix64(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

int crypto_random(uint8_t *buf, size_t len)
{
	if (!len)
		return 0;
	if (!buf)
		return L2K_EINVAL;
	while (len) {
		uint64_t v = splitmix64();
		for (int i = 0; i < 8 && len; i++, len--, v >>= 8)
			*buf++ = (uint8_t)v;
	}
	return 0;
}

/* ---- key pairs ---- */

static struct {
	bool used;
	uint8_t priv[CRYPTO_P256_COORD_LEN];
	struct crypto_p256_key *key; /* held by the cache; handed out as copies sharing its EVP_PKEY */
} priv_cache[FZ_PRIV_CACHE];
static unsigned priv_next;

/* A key object of its own that shares k's EVP_PKEY (crypto_p256_free drops one reference). */
static int share(const struct crypto_p256_key *k, struct crypto_p256_key **out)
{
	struct crypto_p256_key *c = calloc(1, sizeof(*c));
	if (!c)
		return fail(L2K_ENOMEM);
	if (EVP_PKEY_up_ref(k->pkey) != 1) {
		free(c);
		return fail(L2K_EIO);
	}
	c->pkey = k->pkey;
	memcpy(c->pub, k->pub, sizeof(c->pub));
	*out = c;
	return 0;
}

int crypto_p256_from_private(const uint8_t priv[CRYPTO_P256_COORD_LEN], struct crypto_p256_key **out)
{
	if (!out || !priv)
		return real_crypto_p256_from_private(priv, out);
	*out = NULL;
	for (unsigned i = 0; i < FZ_PRIV_CACHE; i++)
		if (priv_cache[i].used && !memcmp(priv_cache[i].priv, priv, CRYPTO_P256_COORD_LEN))
			return share(priv_cache[i].key, out);
	int r = real_crypto_p256_from_private(priv, out);
	if (r < 0)
		return r;
	unsigned slot = priv_next++ % FZ_PRIV_CACHE;
	crypto_p256_free(priv_cache[slot].key);
	struct crypto_p256_key *kept;
	if (share(*out, &kept) < 0) {
		priv_cache[slot].used = false;
		priv_cache[slot].key = NULL;
		return 0; /* not remembered; *out is good */
	}
	priv_cache[slot].used = true;
	memcpy(priv_cache[slot].priv, priv, CRYPTO_P256_COORD_LEN);
	priv_cache[slot].key = kept;
	return 0;
}

int crypto_p256_generate(struct crypto_p256_key **out)
{
	if (!out)
		return L2K_EINVAL;
	uint8_t priv[CRYPTO_P256_COORD_LEN];
	/* 0xA5 0x01..0xA5 0x04 then a fixed pattern: far below the order of the curve */
	memset(priv, 0x3C, sizeof(priv));
	priv[0] = 0xA5;
	priv[1] = (uint8_t)(1 + key_next++ % FZ_KEY_POOL);
	return crypto_p256_from_private(priv, out);
}

/* ---- Diffie-Hellman ---- */

static struct {
	bool used;
	uint8_t own[CRYPTO_P256_PUBLIC_LEN], peer[CRYPTO_P256_PUBLIC_LEN], secret[CRYPTO_P256_COORD_LEN];
} dh_cache[FZ_DH_CACHE];
static unsigned dh_next;

int crypto_p256_dhkey(const struct crypto_p256_key *key, const uint8_t *peer, size_t peer_len,
		      uint8_t dhkey[CRYPTO_P256_COORD_LEN])
{
	if (!key || !peer || !dhkey || peer_len != CRYPTO_P256_PUBLIC_LEN)
		return real_crypto_p256_dhkey(key, peer, peer_len, dhkey);
	for (unsigned i = 0; i < FZ_DH_CACHE; i++)
		if (dh_cache[i].used && !memcmp(dh_cache[i].own, key->pub, CRYPTO_P256_PUBLIC_LEN) &&
		    !memcmp(dh_cache[i].peer, peer, CRYPTO_P256_PUBLIC_LEN)) {
			memcpy(dhkey, dh_cache[i].secret, CRYPTO_P256_COORD_LEN);
			return 0;
		}
	int r = real_crypto_p256_dhkey(key, peer, peer_len, dhkey);
	if (r == 0) {
		unsigned slot = dh_next++ % FZ_DH_CACHE;
		dh_cache[slot].used = true;
		memcpy(dh_cache[slot].own, key->pub, CRYPTO_P256_PUBLIC_LEN);
		memcpy(dh_cache[slot].peer, peer, CRYPTO_P256_PUBLIC_LEN);
		memcpy(dh_cache[slot].secret, dhkey, CRYPTO_P256_COORD_LEN);
	}
	return r;
}

/* ---- AES and CMAC through contexts fetched once ---- */

static EVP_CIPHER_CTX *aes_ctx;
static bool fast_checked;

static int aes_rekey(const uint8_t key[CRYPTO_AES_KEY_LEN])
{
	if (!aes_ctx) {
		EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
		if (!c || EVP_EncryptInit_ex2(c, EVP_aes_128_ecb(), NULL, NULL, NULL) != 1 ||
		    EVP_CIPHER_CTX_set_padding(c, 0) != 1) {
			EVP_CIPHER_CTX_free(c);
			return -1;
		}
		aes_ctx = c;
	}
	return EVP_EncryptInit_ex2(aes_ctx, NULL, key, NULL, NULL) == 1 ? 0 : -1;
}

/* One block with the key of the last aes_rekey() (ECB, no padding: nothing is buffered). */
static int aes_block(const uint8_t in[CRYPTO_AES_BLOCK_LEN], uint8_t out[CRYPTO_AES_BLOCK_LEN])
{
	uint8_t block[CRYPTO_AES_BLOCK_LEN];
	int n = 0;
	if (EVP_EncryptUpdate(aes_ctx, block, &n, in, CRYPTO_AES_BLOCK_LEN) != 1 || n != CRYPTO_AES_BLOCK_LEN)
		return -1;
	memcpy(out, block, sizeof(block));
	return 0;
}

static int fast_aes(const uint8_t key[CRYPTO_AES_KEY_LEN], const uint8_t in[CRYPTO_AES_BLOCK_LEN],
		    uint8_t out[CRYPTO_AES_BLOCK_LEN])
{
	return aes_rekey(key) < 0 ? -1 : aes_block(in, out);
}

/* AES-CMAC (RFC 4493) over the same re-keyed block cipher: subkeys from L = AES(K, 0), then
 * CBC-MAC with the last block XORed with K1 (whole) or padded and XORed with K2. */
static void cmac_subkey(const uint8_t in[16], uint8_t out[16])
{
	uint8_t carry = 0;
	for (int i = 15; i >= 0; i--) {
		out[i] = (uint8_t)(in[i] << 1 | carry);
		carry = in[i] >> 7;
	}
	if (in[0] & 0x80)
		out[15] ^= 0x87;
}

static int fast_cmac(const uint8_t key[CRYPTO_AES_KEY_LEN], const uint8_t *msg, size_t len,
		     uint8_t mac[CRYPTO_AES_BLOCK_LEN])
{
	static const uint8_t zero[16];
	uint8_t l[16], k[16], x[16];
	if (fast_aes(key, zero, l) < 0)
		return -1;
	cmac_subkey(l, k); /* K1 */
	size_t nblocks = len ? (len + 15) / 16 : 1;
	bool whole = len && len % 16 == 0;
	if (!whole) {
		uint8_t k1[16];
		memcpy(k1, k, 16);
		cmac_subkey(k1, k); /* K2 */
	}
	memset(x, 0, 16);
	for (size_t b = 0; b < nblocks; b++) {
		uint8_t blk[16];
		size_t off = b * 16, n = len - off < 16 ? len - off : 16;
		if (b + 1 < nblocks) {
			memcpy(blk, msg + off, 16);
		} else {
			memset(blk, 0, 16);
			if (n)
				memcpy(blk, msg + off, n);
			if (!whole)
				blk[n] = 0x80;
			for (int i = 0; i < 16; i++)
				blk[i] ^= k[i];
		}
		for (int i = 0; i < 16; i++)
			x[i] ^= blk[i];
		if (aes_block(x, x) < 0)
			return -1;
	}
	memcpy(mac, x, 16);
	return 0;
}

/* The fast paths agree with the real functions on a few values, or the harness stops. */
static void check_fast(void)
{
	if (fast_checked)
		return;
	fast_checked = true;
	static const size_t lens[] = {0, 1, 15, 16, 17, 32, 43, 48, 53, 64, 65}; /* f4 53, f5 48, f6 65 */
	uint8_t key[16], msg[65], a[16], b[16];
	for (size_t t = 0; t < sizeof(lens) / sizeof(lens[0]); t++) {
		for (int i = 0; i < 16; i++)
			key[i] = (uint8_t)(t * 37 + (size_t)i * 11);
		for (int i = 0; i < 65; i++)
			msg[i] = (uint8_t)(t * 5 + (size_t)i * 3);
		if (fast_aes(key, msg, a) < 0 || real_crypto_aes128_encrypt(key, msg, b) < 0 || memcmp(a, b, 16) ||
		    fast_cmac(key, msg, lens[t], a) < 0 || real_crypto_aes_cmac(key, msg, lens[t], b) < 0 ||
		    memcmp(a, b, 16)) {
			fprintf(stderr, "crypto_fz.c: the fast AES/CMAC disagree with base/crypto_openssl.c\n");
			abort();
		}
	}
}

int crypto_aes128_encrypt(const uint8_t key[CRYPTO_AES_KEY_LEN], const uint8_t in[CRYPTO_AES_BLOCK_LEN],
			  uint8_t out[CRYPTO_AES_BLOCK_LEN])
{
	if (!key || !in || !out)
		return L2K_EINVAL;
	check_fast();
	if (fast_aes(key, in, out) == 0)
		return 0;
	ERR_clear_error();
	return real_crypto_aes128_encrypt(key, in, out);
}

int crypto_aes_cmac(const uint8_t key[CRYPTO_AES_KEY_LEN], const uint8_t *msg, size_t len,
		    uint8_t mac[CRYPTO_AES_BLOCK_LEN])
{
	if (!key || !mac || (!msg && len))
		return L2K_EINVAL;
	check_fast();
	if (fast_cmac(key, msg, len, mac) == 0)
		return 0;
	ERR_clear_error();
	return real_crypto_aes_cmac(key, msg, len, mac);
}
