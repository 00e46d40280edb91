/* The cryptographic toolbox of the Security Manager (Core Vol 3 Part H 2.2): the legacy pairing
 * functions c1 and s1, the address hash ah, the LE Secure Connections functions f4, f5, f6 and
 * g2, and the cross-transport key derivation functions h6 and h7; plus P-256 key pairs in the
 * order SMP carries them and the debug key of 2.3.5.6.1.  Built on base/crypto.h (AES-128 as
 * e(), AES-CMAC, P-256 ECDH); the functions themselves follow the spec's definitions.
 *
 * Byte order: AIR ORDER.  Every multi-octet argument and result here is least significant
 * octet first, exactly as SMP PDUs and HCI commands/events carry it: a Pairing Random, Confirm,
 * DHKey Check, an LTK or IRK, a BD_ADDR, a Pairing Public Key's X and Y, the DHKey.  So PDU
 * fields pass in and out without conversion.  The spec's notation (and its sample data,
 * Appendix D) writes the same values most significant octet first: its "N1 = d5cb8454 ... 712baeab"
 * is the array {0xab, 0xae, 0x2b, 0x71, ..., 0xd5}.  The functions reverse at their edge to
 * build the spec's messages for base/crypto.h, which takes the standard (big-endian) order.
 *
 * Lengths: inputs that are whole PDUs or variable (the Pairing Request/Response PDUs of c1, a
 * peer's public key) come with their length, which is checked (L2K_EINVAL when it is not what
 * the function takes).  Fixed-size fields (16-octet randoms and keys, 6-octet addresses) are
 * fixed-size arrays: the SMP PDU parser checks each PDU's length (Vol 3 Part H 3.3) before it
 * takes fields out of it.
 *
 * Addresses: a device address is a type octet (0x00 public, 0x01 random: the type of the
 * address used on the connection, 2.2.3 and 2.2.7) and the 6-octet BD_ADDR in air order.
 *
 * Every function returns 0 or a negative L2K_E* code (L2K_EINVAL on NULL pointers or bad
 * arguments, or whatever the crypto backend returns).
 */
#ifndef L2K_SM_SMP_CRYPTO_H
#define L2K_SM_SMP_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "base/crypto.h"

#define SMP_PAIRING_PDU_LEN 7 /* Pairing Request / Response, Code octet included (3.5.1/3.5.2) */

/* keyIDs of h6 (2.2.10), as the spec writes them: the ASCII of four characters */
#define SMP_KEYID_TMP1 0x746d7031u /* "tmp1": LTK -> ILK (2.4.2.4) */
#define SMP_KEYID_TMP2 0x746d7032u /* "tmp2": Link Key -> ILK (2.4.2.5) */
#define SMP_KEYID_LEBR 0x6c656272u /* "lebr": ILK -> BR/EDR Link Key */
#define SMP_KEYID_BRLE 0x62726c65u /* "brle": ILK -> LE LTK */

/* ---- LE legacy pairing ---- */

/* ah(k, r) (2.2.2): the hash of a resolvable private address.  irk is the IRK, prand the 24-bit
 * random part of the address (its three most significant octets: addr[3..5] in air order);
 * hash receives 24 bits (compare with addr[0..2]). */
int smp_ah(const uint8_t irk[16], const uint8_t prand[3], uint8_t hash[3]);

/* c1(k, r, preq, pres, iat, rat, ia, ra) (2.2.3): the confirm value of legacy pairing.
 * k is the TK, r the 128-bit random, preq/pres the Pairing Request and Pairing Response PDUs
 * as sent on the air (Code octet first; each must be SMP_PAIRING_PDU_LEN octets), iat/rat the
 * initiator's/responder's address types (0 or 1; anything else is L2K_EINVAL), ia/ra their
 * addresses. */
int smp_c1(const uint8_t k[16], const uint8_t r[16], const uint8_t *preq, size_t preq_len,
	   const uint8_t *pres, size_t pres_len, uint8_t iat, const uint8_t ia[6], uint8_t rat,
	   const uint8_t ra[6], uint8_t confirm[16]);

/* s1(k, r1, r2) (2.2.4): the STK of legacy pairing, from the TK k, the responder's random r1
 * (Srand) and the initiator's random r2 (Mrand). */
int smp_s1(const uint8_t k[16], const uint8_t r1[16], const uint8_t r2[16], uint8_t stk[16]);

/* ---- LE Secure Connections ---- */

/* f4(U, V, X, Z) (2.2.6): confirm values.  u and v are public key X coordinates (PKax, PKbx:
 * the first 32 octets of a Pairing Public Key's payload), x a 128-bit random, z 0x00 (Just
 * Works, Numeric Comparison, Out of Band) or 0x80 | one bit of the passkey (Passkey Entry). */
int smp_f4(const uint8_t u[32], const uint8_t v[32], const uint8_t x[16], uint8_t z,
	   uint8_t out[16]);

/* f5(W, N1, N2, A1, A2) (2.2.7): MacKey and LTK from the DHKey w and the nonces n1, n2 of the
 * initiator (a1) and the responder (a2). */
int smp_f5(const uint8_t w[32], const uint8_t n1[16], const uint8_t n2[16], uint8_t a1_type,
	   const uint8_t a1[6], uint8_t a2_type, const uint8_t a2[6], uint8_t mackey[16],
	   uint8_t ltk[16]);

/* f6(W, N1, N2, R, IOcap, A1, A2) (2.2.8): DHKey Check values.  w is the MacKey; iocap is the
 * 24-bit IOcap in air order: iocap[0] IO Capability, iocap[1] OOB data flag, iocap[2] AuthReq
 * (the spec's AuthReq || OOB || IO Capability read least significant octet first, the order
 * of these fields in a Pairing Request/Response). */
int smp_f6(const uint8_t w[16], const uint8_t n1[16], const uint8_t n2[16], const uint8_t r[16],
	   const uint8_t iocap[3], uint8_t a1_type, const uint8_t a1[6], uint8_t a2_type,
	   const uint8_t a2[6], uint8_t out[16]);

/* g2(U, V, X, Y) (2.2.9): the numeric comparison value.  *value is the full 32-bit result;
 * the six digits to show are *value % 1000000. */
int smp_g2(const uint8_t u[32], const uint8_t v[32], const uint8_t x[16], const uint8_t y[16],
	   uint32_t *value);

/* ---- Cross-transport key derivation ---- */

/* h6(W, keyID) (2.2.10): w a 128-bit key, keyid one of SMP_KEYID_*. */
int smp_h6(const uint8_t w[16], uint32_t keyid, uint8_t out[16]);

/* h7(SALT, W) (2.2.11): salt and w 128 bits each.  The spec's salts are keyIDs widened to 128
 * bits: "tmp1" (LE -> BR/EDR) is, in air order, {0x31, 0x70, 0x6d, 0x74, 0, ..., 0}. */
int smp_h7(const uint8_t salt[16], const uint8_t w[16], uint8_t out[16]);

/* ---- P-256 keys in air order ---- */

/* The public key as a Pairing Public Key PDU carries it (3.5.6): X (32 octets) then Y (32
 * octets), each least significant octet first. */
int smp_public_key(const struct crypto_p256_key *key, uint8_t pub[64]);

/* The DHKey (air order) with the peer's public key as received (X then Y, air order, peer_len
 * must be 64).  A key that is not a point of P-256 is refused with L2K_EBADMSG (the invalid
 * curve attack, CVE-2018-5383): the caller fails pairing (DHKey Check Failed, 2.3.5.6.1). */
int smp_dhkey(const struct crypto_p256_key *key, const uint8_t *peer, size_t peer_len,
	      uint8_t dhkey[32]);

/* The debug key pair of 2.3.5.6.1, for pairing that an air sniffer can decrypt; only when the
 * user asked for it (Secure Connections debug mode).  Free with crypto_p256_free(). */
int smp_debug_key(struct crypto_p256_key **out);

/* 1 if pub (air order, X then Y; pub_len octets) is the debug public key, 0 otherwise: a peer
 * in debug mode, whose pairing a sniffer can decrypt. */
int smp_is_debug_public_key(const uint8_t *pub, size_t pub_len);

#endif
