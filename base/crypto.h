/* The crypto backend: the few primitives Bluetooth security needs, from a well-kept library.
 *
 * This header is the whole interface; base/crypto_openssl.c implements it over OpenSSL's
 * libcrypto 3.x.  Another backend (Windows CNG, an embedded library, a hardware engine)
 * replaces that one file and nothing else.  No AES or elliptic curve arithmetic is written
 * here: a backend only translates calls.  The Bluetooth functions built on these (c1, s1, ah,
 * f4, f5, f6, g2, h6, h7) are protocol and live in sm/smp_crypto.c.
 *
 * Byte order.  Every multi-octet value crossing this interface is a string of octets in the
 * order the algorithm's own standard writes it, most significant octet first: AES keys and
 * blocks as in FIPS-197, CMAC as in RFC 4493, P-256 coordinates, private keys and the shared
 * secret as in SEC 1 (big-endian, 32 octets each).  That is also the order of the Core
 * Specification's notation (Vol 3 Part H 2.2: "k = 0x0123...", k[0] = 0x01), so its sample
 * data can be written straight into arrays.  It is NOT the order of the air: SMP PDUs and HCI
 * carry these values least significant octet first; sm/smp_crypto.h takes air order and
 * reverses at its edge, so callers above sm/ never see this convention.
 *
 * Errors: 0 on success, a negative L2K_E* code otherwise:
 *   L2K_EINVAL   a NULL pointer or a length the function cannot take (a caller's bug);
 *   L2K_EBADMSG  a peer's public key that is not a point of P-256 (see crypto_p256_dhkey);
 *   L2K_ENOMEM   the backend could not allocate;
 *   L2K_EIO      the backend failed in any other way (no entropy, library error).
 * On failure, outputs are zeroed where the function says so, never left half-written with
 * secret material.
 *
 * Thread safety: every function may be called from any thread; a key object must not be used
 * by two threads at once.
 */
#ifndef L2K_BASE_CRYPTO_H
#define L2K_BASE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define CRYPTO_AES_KEY_LEN 16	   /* AES-128 key */
#define CRYPTO_AES_BLOCK_LEN 16	   /* one AES block, and a CMAC */
#define CRYPTO_P256_COORD_LEN 32   /* one coordinate, a private key, the DHKey */
#define CRYPTO_P256_PUBLIC_LEN 64  /* X || Y, no SEC 1 prefix octet */

/* AES-128 encryption of one block: the security function e(key, plaintext) of Vol 3 Part H
 * 2.2.1 (and FIPS-197's Cipher()).  out may be the same buffer as in. */
int crypto_aes128_encrypt(const uint8_t key[CRYPTO_AES_KEY_LEN],
			  const uint8_t in[CRYPTO_AES_BLOCK_LEN],
			  uint8_t out[CRYPTO_AES_BLOCK_LEN]);

/* AES-CMAC (RFC 4493, NIST SP 800-38B) with a 128-bit key over msg[0..len-1], any length
 * including 0 (msg may then be NULL).  mac receives the full 128-bit tag. */
int crypto_aes_cmac(const uint8_t key[CRYPTO_AES_KEY_LEN], const uint8_t *msg, size_t len,
		    uint8_t mac[CRYPTO_AES_BLOCK_LEN]);

/* len cryptographically secure random octets, from the library's generator seeded by the
 * operating system.  len 0 is a no-op. */
int crypto_random(uint8_t *buf, size_t len);

/* Overwrites len octets with zeros in a way the compiler may not remove (for keys on the
 * stack once they are no longer needed). */
void crypto_wipe(void *p, size_t len);

/* ---- P-256 (NIST P-256 = secp256r1 = prime256v1), the curve of LE Secure Connections and
 * Secure Connections pairing (Vol 3 Part H 2.3.5.6.1, Vol 2 Part H 7.1). ----
 *
 * A key pair lives in an opaque object owned by the backend: the private key never leaves it
 * (no function returns it), it is wiped when the object is freed.  One object serves one
 * pairing: generate, send crypto_p256_public(), compute crypto_p256_dhkey() with the peer's
 * key, free. */
struct crypto_p256_key;

/* A fresh random key pair.  *out is NULL on failure. */
int crypto_p256_generate(struct crypto_p256_key **out);

/* The key pair whose private key is priv (a scalar in [1, n-1], n the order of the curve;
 * anything else is L2K_EINVAL).  For known keys only: the SMP debug key (sm/smp_crypto.h) and
 * test vectors.  *out is NULL on failure. */
int crypto_p256_from_private(const uint8_t priv[CRYPTO_P256_COORD_LEN],
			     struct crypto_p256_key **out);

/* Frees a key (NULL is a no-op); the private key is wiped. */
void crypto_p256_free(struct crypto_p256_key *key);

/* The public key: X (32 octets) then Y (32 octets). */
int crypto_p256_public(const struct crypto_p256_key *key,
		       uint8_t pub[CRYPTO_P256_PUBLIC_LEN]);

/* The Diffie-Hellman shared secret with a peer: the X coordinate of priv(key) * peer, the
 * DHKey of Vol 3 Part H 2.3.5.6.1.  peer is X || Y as received, peer_len must be 64 (else
 * L2K_EINVAL).  The peer's key is validated before use and refused with L2K_EBADMSG when it
 * is not a point of P-256: off the curve (the invalid-curve attack, CVE-2018-5383, where a
 * forged Y puts the peer on a weak curve and leaks the private key), the point at infinity
 * (encoded (0,0), also off the curve), or a coordinate outside [0, p-1].  dhkey is zeroed on
 * any failure. */
int crypto_p256_dhkey(const struct crypto_p256_key *key, const uint8_t *peer, size_t peer_len,
		      uint8_t dhkey[CRYPTO_P256_COORD_LEN]);

#endif
