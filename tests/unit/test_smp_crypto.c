/* Unit tests: the crypto backend (base/crypto.h) and the SMP cryptographic toolbox
 * (sm/smp_crypto.h) against published sample data: FIPS-197 (AES), RFC 4493 (AES-CMAC), Core
 * Vol 3 Part H 2.2.3/2.2.4 (c1, s1 examples) and Appendix D (ah, f4, f5, f6, g2, h6, h7), the
 * P-256 sample data sets of Vol 2 Part G 7.1.2 and the debug key of Vol 3 Part H 2.3.5.6.1;
 * and the refusal of public keys that are not points of P-256 (CVE-2018-5383).
 *
 * Sample values are written as the specifications print them, most significant octet first;
 * be() reads them so (base/crypto.h's order), air() reads them reversed (sm/smp_crypto.h's). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#endif

#include "base/crypto.h"
#include "base/l2k_error.h"
#include "sm/smp_crypto.h"

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reads exactly n octets of hex (spaces ignored) into out, most significant first. */
static void be(const char *s, uint8_t *out, size_t n)
{
	size_t i = 0;
	while (*s) {
		if (*s == ' ') {
			s++;
			continue;
		}
		assert_true(i < n);
		int hi = nibble(s[0]), lo = s[1] ? nibble(s[1]) : -1;
		assert_true(hi >= 0 && lo >= 0);
		out[i++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	assert_int_equal(i, n);
}

/* The same value in air order (least significant octet first). */
static void air(const char *s, uint8_t *out, size_t n)
{
	be(s, out, n);
	for (size_t i = 0; i < n / 2; i++) {
		uint8_t t = out[i];
		out[i] = out[n - 1 - i];
		out[n - 1 - i] = t;
	}
}

/* The CNG backend (make windows WIN_CRYPTO=cng) under Wine 8.0: Wine's bcrypt (on Debian 12's
 * GnuTLS 3.7, which lacks gnutls_privkey_derive_secret) derives no P-256 Diffie-Hellman secret
 * (docs/windows.md), so the P-256 tests are skipped there, with a line saying so; only under
 * Wine (ntdll's wine_get_version export), never on a real Windows, and never for the other
 * backends. */
static void skip_p256_if_wine_cng(void)
{
#if defined(_WIN32) && defined(L2K_CRYPTO_CNG)
	typedef const char *(CDECL * wine_version_fn)(void);
	HMODULE ntdll = GetModuleHandleA("ntdll.dll");
	FARPROC f = ntdll ? GetProcAddress(ntdll, "wine_get_version") : NULL;
	if (f) {
		wine_version_fn version;
		memcpy(&version, &f, sizeof(version));
		print_message("skipped: P-256 with the CNG backend under Wine %s: Wine 8.0's bcrypt "
			      "cannot derive ECDH secrets (its GnuTLS 3.7 backend lacks "
			      "gnutls_privkey_derive_secret); docs/windows.md\n",
			      version());
		skip();
	}
#endif
}

/* ---- AES-128 and AES-CMAC ---- */

static void test_aes128_fips197_example(void **state)
{
	(void)state;
	/* FIPS-197 Appendix C.1 (AES-128) */
	uint8_t k[16], pt[16], ct[16], out[16];
	be("000102030405060708090a0b0c0d0e0f", k, 16);
	be("00112233445566778899aabbccddeeff", pt, 16);
	be("69c4e0d86a7b0430d8cdb78070b4c55a", ct, 16);
	assert_int_equal(crypto_aes128_encrypt(k, pt, out), 0);
	assert_memory_equal(out, ct, 16);
	/* in place */
	assert_int_equal(crypto_aes128_encrypt(k, pt, pt), 0);
	assert_memory_equal(pt, ct, 16);
	assert_int_equal(crypto_aes128_encrypt(NULL, pt, out), L2K_EINVAL);
}

static void test_aes_cmac_rfc4493_examples(void **state)
{
	(void)state;
	/* RFC 4493 4. (also Vol 3 Part H D.1): one key, the message's first 0, 16, 40, 64 octets */
	static const struct {
		size_t len;
		const char *mac;
	} ex[] = {
		{0, "bb1d6929 e9593728 7fa37d12 9b756746"},
		{16, "070a16b4 6b4d4144 f79bdd9d d04a287c"},
		{40, "dfa66747 de9ae630 30ca3261 1497c827"},
		{64, "51f0bebf 7e3b9d92 fc497417 79363cfe"},
	};
	uint8_t k[16], m[64], want[16], mac[16];
	be("2b7e1516 28aed2a6 abf71588 09cf4f3c", k, 16);
	be("6bc1bee2 2e409f96 e93d7e11 7393172a ae2d8a57 1e03ac9c 9eb76fac 45af8e51"
	   "30c81c46 a35ce411 e5fbc119 1a0a52ef f69f2445 df4f9b17 ad2b417b e66c3710",
	   m, 64);
	for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		be(ex[i].mac, want, 16);
		memset(mac, 0, sizeof(mac));
		assert_int_equal(crypto_aes_cmac(k, m, ex[i].len, mac), 0);
		assert_memory_equal(mac, want, 16);
	}
	/* the empty message may be NULL; a NULL message with a length may not */
	be(ex[0].mac, want, 16);
	assert_int_equal(crypto_aes_cmac(k, NULL, 0, mac), 0);
	assert_memory_equal(mac, want, 16);
	assert_int_equal(crypto_aes_cmac(k, NULL, 16, mac), L2K_EINVAL);
}

/* ---- SMP toolbox: legacy ---- */

static void test_ah_sample_data(void **state)
{
	(void)state;
	/* Vol 3 Part H D.7 */
	uint8_t irk[16], prand[3], want[3], hash[3];
	air("ec0234a3 57c8ad05 341010a6 0a397d9b", irk, 16);
	air("708194", prand, 3);
	air("0dfbaa", want, 3);
	assert_int_equal(smp_ah(irk, prand, hash), 0);
	assert_memory_equal(hash, want, 3);
}

static void test_c1_example(void **state)
{
	(void)state;
	/* Vol 3 Part H 2.2.3: k = 0, r = 5783D521..., preq = 0x07071000000101,
	 * pres = 0x05000800000302, iat = 1, ia = 0xA1A2A3A4A5A6, rat = 0, ra = 0xB1B2B3B4B5B6 */
	uint8_t k[16] = {0}, r[16], preq[7], pres[7], ia[6], ra[6], want[16], out[16];
	air("5783D52156AD6F0E6388274EC6702EE0", r, 16);
	air("07071000000101", preq, 7); /* as sent: 01 (Pairing Request) 01 00 00 10 07 07 */
	air("05000800000302", pres, 7);
	air("A1A2A3A4A5A6", ia, 6);
	air("B1B2B3B4B5B6", ra, 6);
	air("1e1e3fef878988ead2a74dc5bef13b86", want, 16);
	assert_int_equal(preq[0], 0x01);
	assert_int_equal(pres[0], 0x02);
	assert_int_equal(smp_c1(k, r, preq, 7, pres, 7, 1, ia, 0, ra, out), 0);
	assert_memory_equal(out, want, 16);
	/* the PDUs' lengths and the address types are checked */
	assert_int_equal(smp_c1(k, r, preq, 6, pres, 7, 1, ia, 0, ra, out), L2K_EINVAL);
	assert_int_equal(smp_c1(k, r, preq, 7, pres, 8, 1, ia, 0, ra, out), L2K_EINVAL);
	assert_int_equal(smp_c1(k, r, preq, 7, pres, 7, 2, ia, 0, ra, out), L2K_EINVAL);
	assert_int_equal(smp_c1(k, r, preq, 7, pres, 7, 1, ia, 0x80, ra, out), L2K_EINVAL);
	assert_int_equal(smp_c1(k, r, NULL, 7, pres, 7, 1, ia, 0, ra, out), L2K_EINVAL);
}

static void test_s1_example(void **state)
{
	(void)state;
	/* Vol 3 Part H 2.2.4 */
	uint8_t k[16] = {0}, r1[16], r2[16], want[16], out[16];
	air("000F0E0D0C0B0A091122334455667788", r1, 16);
	air("010203040506070899AABBCCDDEEFF00", r2, 16);
	air("9a1fe1f0e8b0f49b5b4216ae796da062", want, 16);
	assert_int_equal(smp_s1(k, r1, r2, out), 0);
	assert_memory_equal(out, want, 16);
}

/* ---- SMP toolbox: LE Secure Connections (Appendix D.2 - D.5 share their inputs) ---- */

#define SAMPLE_U "20b003d2 f297be2c 5e2c83a7 e9f9a5b9 eff49111 acf4fddb cc030148 0e359de6"
#define SAMPLE_V "55188b3d 32f6bb9a 900afcfb eed4e72a 59cb9ac2 f19d7cfb 6b4fdd49 f47fc5fd"
#define SAMPLE_N1 "d5cb8454 d177733e ffffb2ec 712baeab"
#define SAMPLE_N2 "a6e8e7cc 25a75f6e 216583f7 ff3dc4cf"
#define SAMPLE_W "ec0234a3 57c8ad05 341010a6 0a397d9b 99796b13 b4f866f1 868d34f3 73bfa698"
#define SAMPLE_MACKEY "2965f176 a1084a02 fd3f6a20 ce636e20"
#define SAMPLE_LTK "69867911 69d7cd23 980522b5 94750a38"

/* A1 = 00561237 37bfce and A2 = 00a71370 2dcfc1: type 0x00 (public) and the address */
static void sample_addrs(uint8_t a1[6], uint8_t a2[6])
{
	air("561237 37bfce", a1, 6);
	air("a71370 2dcfc1", a2, 6);
}

static void test_f4_sample_data(void **state)
{
	(void)state;
	/* D.2 */
	uint8_t u[32], v[32], x[16], want[16], out[16];
	air(SAMPLE_U, u, 32);
	air(SAMPLE_V, v, 32);
	air(SAMPLE_N1, x, 16);
	air("f2c916f1 07a9bd1c f1eda1be a974872d", want, 16);
	assert_int_equal(smp_f4(u, v, x, 0x00, out), 0);
	assert_memory_equal(out, want, 16);
	/* Z is part of the message */
	assert_int_equal(smp_f4(u, v, x, 0x81, out), 0);
	assert_memory_not_equal(out, want, 16);
}

static void test_f5_sample_data(void **state)
{
	(void)state;
	/* D.3 */
	uint8_t w[32], n1[16], n2[16], a1[6], a2[6];
	uint8_t want_mac[16], want_ltk[16], mackey[16], ltk[16];
	air(SAMPLE_W, w, 32);
	air(SAMPLE_N1, n1, 16);
	air(SAMPLE_N2, n2, 16);
	sample_addrs(a1, a2);
	air(SAMPLE_MACKEY, want_mac, 16);
	air(SAMPLE_LTK, want_ltk, 16);
	assert_int_equal(smp_f5(w, n1, n2, 0x00, a1, 0x00, a2, mackey, ltk), 0);
	assert_memory_equal(mackey, want_mac, 16);
	assert_memory_equal(ltk, want_ltk, 16);
}

static void test_f6_sample_data(void **state)
{
	(void)state;
	/* D.4: IOcap = 010102 (AuthReq 0x01, OOB 0x01, IO Capability 0x02) */
	uint8_t w[16], n1[16], n2[16], r[16], iocap[3], a1[6], a2[6], want[16], out[16];
	air(SAMPLE_MACKEY, w, 16);
	air(SAMPLE_N1, n1, 16);
	air(SAMPLE_N2, n2, 16);
	air("12a3343b b453bb54 08da42d2 0c2d0fc8", r, 16);
	air("010102", iocap, 3);
	assert_int_equal(iocap[0], 0x02); /* IO Capability first, as in a Pairing Request */
	sample_addrs(a1, a2);
	air("e3c47398 9cd0e8c5 d26c0b09 da958f61", want, 16);
	assert_int_equal(smp_f6(w, n1, n2, r, iocap, 0x00, a1, 0x00, a2, out), 0);
	assert_memory_equal(out, want, 16);
	/* the address type octet is part of A1 */
	assert_int_equal(smp_f6(w, n1, n2, r, iocap, 0x01, a1, 0x00, a2, out), 0);
	assert_memory_not_equal(out, want, 16);
}

static void test_g2_sample_data(void **state)
{
	(void)state;
	/* D.5: g2 = 0x2f9ed5ba, shown as 0x2f9ed5ba mod 10^6 = 938554 */
	uint8_t u[32], v[32], x[16], y[16];
	uint32_t value = 0;
	air(SAMPLE_U, u, 32);
	air(SAMPLE_V, v, 32);
	air(SAMPLE_N1, x, 16);
	air(SAMPLE_N2, y, 16);
	assert_int_equal(smp_g2(u, v, x, y, &value), 0);
	assert_int_equal(value, 0x2f9ed5ba);
	assert_int_equal(value % 1000000, 938554);
}

static void test_h6_sample_data(void **state)
{
	(void)state;
	/* D.6: keyID = 0x6c656272 ("lebr") */
	uint8_t w[16], want[16], out[16];
	air("ec0234a3 57c8ad05 341010a6 0a397d9b", w, 16);
	air("2d9ae102 e76dc91c e8d3a9e2 80b16399", want, 16);
	assert_int_equal(smp_h6(w, SMP_KEYID_LEBR, out), 0);
	assert_memory_equal(out, want, 16);
}

static void test_h7_sample_data(void **state)
{
	(void)state;
	/* D.8: SALT = "tmp1" widened to 128 bits */
	uint8_t salt[16], w[16], want[16], out[16];
	air("00000000 00000000 00000000 746D7031", salt, 16);
	air("ec0234a3 57c8ad05 341010a6 0a397d9b", w, 16);
	air("fb173597 c6a3c0ec d2998c2a 75a57011", want, 16);
	assert_int_equal(smp_h7(salt, w, out), 0);
	assert_memory_equal(out, want, 16);
}

/* ---- P-256 ---- */

/* Vol 2 Part G 7.1.2: two data sets, each two private keys, their public keys, the DHKey */
static const struct p256_set {
	const char *priv_a, *ax, *ay, *priv_b, *bx, *by, *dhkey;
} p256_sets[] = {
	{
		"3f49f6d4 a3c55f38 74c9b3e3 d2103f50 4aff607b eb40b799 5899b8a6 cd3c1abd",
		"20b003d2 f297be2c 5e2c83a7 e9f9a5b9 eff49111 acf4fddb cc030148 0e359de6",
		"dc809c49 652aeb6d 63329abf 5a52155c 766345c2 8fed3024 741c8ed0 1589d28b",
		"55188b3d 32f6bb9a 900afcfb eed4e72a 59cb9ac2 f19d7cfb 6b4fdd49 f47fc5fd",
		"1ea1f0f0 1faf1d96 09592284 f19e4c00 47b58afd 8615a69f 559077b2 2faaa190",
		"4c55f33e 429dad37 7356703a 9ab85160 472d1130 e28e3676 5f89aff9 15b1214a",
		"ec0234a3 57c8ad05 341010a6 0a397d9b 99796b13 b4f866f1 868d34f3 73bfa698",
	},
	{
		"06a51669 3c9aa31a 6084545d 0c5db641 b48572b9 7203ddff b7ac73f7 d0457663",
		"2c31a47b 5779809e f44cb5ea af5c3e43 d5f8faad 4a8794cb 987e9b03 745c78dd",
		"91951218 3898dfbe cd52e240 8e43871f d0211091 17bd3ed4 eaf84377 43715d4f",
		"529aa067 0d72cd64 97502ed4 73502b03 7e8803b5 c60829a5 a3caa219 505530ba",
		"f465e43f f23d3f1b 9dc7dfc0 4da87581 84dbc966 204796ec cf0d6cf5 e16500cc",
		"0201d048 bcbbd899 eeefc424 164e33c2 01c2b010 ca6b4d43 a8a155ca d8ecb279",
		"ab85843a 2f6d883f 62e5684b 38e30733 5fe6e194 5ecd1960 4105c6f2 3221eb69",
	},
};

static struct crypto_p256_key *key_from(const char *priv_hex)
{
	uint8_t priv[32];
	struct crypto_p256_key *k = NULL;
	be(priv_hex, priv, 32);
	assert_int_equal(crypto_p256_from_private(priv, &k), 0);
	assert_non_null(k);
	return k;
}

static void test_p256_sample_data(void **state)
{
	(void)state;
	skip_p256_if_wine_cng();
	for (size_t i = 0; i < sizeof(p256_sets) / sizeof(p256_sets[0]); i++) {
		const struct p256_set *s = &p256_sets[i];
		uint8_t pa[64], pb[64], want[32], pub[64], dh[32];
		be(s->ax, pa, 32);
		be(s->ay, pa + 32, 32);
		be(s->bx, pb, 32);
		be(s->by, pb + 32, 32);
		be(s->dhkey, want, 32);
		struct crypto_p256_key *a = key_from(s->priv_a), *b = key_from(s->priv_b);
		assert_int_equal(crypto_p256_public(a, pub), 0);
		assert_memory_equal(pub, pa, 64);
		assert_int_equal(crypto_p256_public(b, pub), 0);
		assert_memory_equal(pub, pb, 64);
		assert_int_equal(crypto_p256_dhkey(a, pb, 64, dh), 0);
		assert_memory_equal(dh, want, 32);
		memset(dh, 0, sizeof(dh));
		assert_int_equal(crypto_p256_dhkey(b, pa, 64, dh), 0);
		assert_memory_equal(dh, want, 32);
		crypto_p256_free(a);
		crypto_p256_free(b);
	}
}

static void test_p256_sample_data_in_air_order(void **state)
{
	(void)state;
	skip_p256_if_wine_cng();
	/* data set 1 through sm/'s functions: keys and DHKey as a Pairing Public Key PDU and f5
	 * take them (X then Y, each least significant octet first) */
	const struct p256_set *s = &p256_sets[0];
	uint8_t pa[64], pb[64], want[32], pub[64], dh[32];
	air(s->ax, pa, 32);
	air(s->ay, pa + 32, 32);
	air(s->bx, pb, 32);
	air(s->by, pb + 32, 32);
	air(s->dhkey, want, 32);
	struct crypto_p256_key *a = key_from(s->priv_a), *b = key_from(s->priv_b);
	assert_int_equal(smp_public_key(a, pub), 0);
	assert_memory_equal(pub, pa, 64);
	assert_int_equal(smp_dhkey(a, pb, 64, dh), 0);
	assert_memory_equal(dh, want, 32);
	assert_int_equal(smp_dhkey(b, pa, 64, dh), 0);
	assert_memory_equal(dh, want, 32);
	crypto_p256_free(a);
	crypto_p256_free(b);
}

static void test_debug_key(void **state)
{
	(void)state;
	skip_p256_if_wine_cng();
	/* Vol 3 Part H 2.3.5.6.1: the debug public key */
	uint8_t want[64], pub[64];
	air("20b003d2 f297be2c 5e2c83a7 e9f9a5b9 eff49111 acf4fddb cc030148 0e359de6", want, 32);
	air("dc809c49 652aeb6d 63329abf 5a52155c 766345c2 8fed3024 741c8ed0 1589d28b", want + 32,
	    32);
	struct crypto_p256_key *k = NULL;
	assert_int_equal(smp_debug_key(&k), 0);
	assert_int_equal(smp_public_key(k, pub), 0);
	assert_memory_equal(pub, want, 64);
	crypto_p256_free(k);
	assert_true(smp_is_debug_public_key(want, 64));
	assert_false(smp_is_debug_public_key(want, 63));
	want[63] ^= 1;
	assert_false(smp_is_debug_public_key(want, 64));
	/* a fresh key is not the debug key */
	assert_int_equal(crypto_p256_generate(&k), 0);
	assert_int_equal(smp_public_key(k, pub), 0);
	assert_false(smp_is_debug_public_key(pub, 64));
	crypto_p256_free(k);
}

static void test_generated_keys_agree(void **state)
{
	(void)state;
	skip_p256_if_wine_cng();
	struct crypto_p256_key *a = NULL, *b = NULL;
	uint8_t pa[64], pb[64], d1[32], d2[32], zero[32] = {0};
	assert_int_equal(crypto_p256_generate(&a), 0);
	assert_int_equal(crypto_p256_generate(&b), 0);
	assert_int_equal(crypto_p256_public(a, pa), 0);
	assert_int_equal(crypto_p256_public(b, pb), 0);
	assert_memory_not_equal(pa, pb, 64);
	assert_int_equal(crypto_p256_dhkey(a, pb, 64, d1), 0);
	assert_int_equal(crypto_p256_dhkey(b, pa, 64, d2), 0);
	assert_memory_equal(d1, d2, 32);
	assert_memory_not_equal(d1, zero, 32);
	crypto_p256_free(a);
	crypto_p256_free(b);
	crypto_p256_free(NULL);
}

/* dhkey with the debug key against peer; the output is zeroed on refusal */
static int dhkey_with(const uint8_t peer[64], size_t len)
{
	struct crypto_p256_key *k = NULL;
	uint8_t dh[32], zero[32] = {0};
	assert_int_equal(smp_debug_key(&k), 0);
	memset(dh, 0xAA, sizeof(dh));
	int err = crypto_p256_dhkey(k, peer, len, dh);
	if (err)
		assert_memory_equal(dh, zero, 32);
	crypto_p256_free(k);
	return err;
}

static void test_dhkey_refuses_invalid_public_keys(void **state)
{
	(void)state;
	skip_p256_if_wine_cng();
	const struct p256_set *s = &p256_sets[0];
	uint8_t peer[64];

	/* the valid key B, for contrast */
	be(s->bx, peer, 32);
	be(s->by, peer + 32, 32);
	assert_int_equal(dhkey_with(peer, 64), 0);

	/* off the curve: Y changed by one bit */
	peer[63] ^= 1;
	assert_int_equal(dhkey_with(peer, 64), L2K_EBADMSG);

	/* CVE-2018-5383: a valid X with Y = 0, a point of order 2 on another curve */
	memset(peer + 32, 0, 32);
	assert_int_equal(dhkey_with(peer, 64), L2K_EBADMSG);

	/* (0, 0), the usual encoding of the point at infinity */
	memset(peer, 0, 64);
	assert_int_equal(dhkey_with(peer, 64), L2K_EBADMSG);

	/* X out of range: (5, y) is on the curve, (5 + p, y) names the same point but X >= p */
	be("00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000005", peer, 32);
	be("459243b9 aa581806 fe913bce 99817ade 11ca503c 64d9a3c5 33415c08 3248fbcc", peer + 32, 32);
	assert_int_equal(dhkey_with(peer, 64), 0);
	be("ffffffff 00000001 00000000 00000000 00000001 00000000 00000000 00000004", peer, 32);
	assert_int_equal(dhkey_with(peer, 64), L2K_EBADMSG);

	/* Y out of range: (x, 5) is on the curve, (x, 5 + p) has Y >= p */
	be("d7325d76 46cd60d8 0a92738c eb345f84 4cffaf35 841022ca b176f692 de8de1d7", peer, 32);
	be("00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000005", peer + 32, 32);
	assert_int_equal(dhkey_with(peer, 64), 0);
	be("ffffffff 00000001 00000000 00000000 00000001 00000000 00000000 00000004", peer + 32, 32);
	assert_int_equal(dhkey_with(peer, 64), L2K_EBADMSG);

	/* p itself, and all ones */
	be("ffffffff 00000001 00000000 00000000 00000000 ffffffff ffffffff ffffffff", peer, 32);
	assert_int_equal(dhkey_with(peer, 64), L2K_EBADMSG);
	memset(peer, 0xff, 64);
	assert_int_equal(dhkey_with(peer, 64), L2K_EBADMSG);

	/* lengths other than 64 */
	be(s->bx, peer, 32);
	be(s->by, peer + 32, 32);
	assert_int_equal(dhkey_with(peer, 63), L2K_EINVAL);
	assert_int_equal(dhkey_with(peer, 65), L2K_EINVAL);
	assert_int_equal(dhkey_with(peer, 0), L2K_EINVAL);
}

static void test_smp_dhkey_refuses_invalid_public_keys(void **state)
{
	(void)state;
	skip_p256_if_wine_cng();
	/* the same refusal through sm/'s air-order entry point */
	const struct p256_set *s = &p256_sets[0];
	uint8_t peer[65], dh[32], zero[32] = {0};
	struct crypto_p256_key *k = NULL;
	assert_int_equal(smp_debug_key(&k), 0);
	air(s->bx, peer, 32);
	air(s->by, peer + 32, 32);
	assert_int_equal(smp_dhkey(k, peer, 64, dh), 0);
	peer[32] ^= 1; /* Y's least significant octet */
	memset(dh, 0xAA, sizeof(dh));
	assert_int_equal(smp_dhkey(k, peer, 64, dh), L2K_EBADMSG);
	assert_memory_equal(dh, zero, 32);
	memset(peer + 32, 0, 32);
	assert_int_equal(smp_dhkey(k, peer, 64, dh), L2K_EBADMSG);
	assert_int_equal(smp_dhkey(k, peer, 65, dh), L2K_EINVAL);
	assert_int_equal(smp_dhkey(k, NULL, 64, dh), L2K_EINVAL);
	crypto_p256_free(k);
}

static void test_from_private_refuses_out_of_range(void **state)
{
	(void)state;
	skip_p256_if_wine_cng();
	/* a private key is in [1, n-1] */
	static const char *bad[] = {
		"00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000",
		"ffffffff 00000000 ffffffff ffffffff bce6faad a7179e84 f3b9cac2 fc632551", /* n */
		"ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff",
	};
	uint8_t priv[32];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct crypto_p256_key *k = (struct crypto_p256_key *)&priv;
		be(bad[i], priv, 32);
		assert_int_equal(crypto_p256_from_private(priv, &k), L2K_EINVAL);
		assert_null(k);
	}
	/* n - 1 is the largest valid one */
	struct crypto_p256_key *k = NULL;
	be("ffffffff 00000000 ffffffff ffffffff bce6faad a7179e84 f3b9cac2 fc632550", priv, 32);
	assert_int_equal(crypto_p256_from_private(priv, &k), 0);
	crypto_p256_free(k);
}

/* ---- random ---- */

static void test_random_bytes_differ(void **state)
{
	(void)state;
	uint8_t a[32], b[32], zero[32] = {0};
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	assert_int_equal(crypto_random(a, sizeof(a)), 0);
	assert_int_equal(crypto_random(b, sizeof(b)), 0);
	/* 2^-256 chance of a false failure for each comparison */
	assert_memory_not_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, zero, sizeof(a));
	assert_memory_not_equal(b, zero, sizeof(b));
	assert_int_equal(crypto_random(NULL, 0), 0);
	assert_int_equal(crypto_random(NULL, 1), L2K_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aes128_fips197_example),
		cmocka_unit_test(test_aes_cmac_rfc4493_examples),
		cmocka_unit_test(test_ah_sample_data),
		cmocka_unit_test(test_c1_example),
		cmocka_unit_test(test_s1_example),
		cmocka_unit_test(test_f4_sample_data),
		cmocka_unit_test(test_f5_sample_data),
		cmocka_unit_test(test_f6_sample_data),
		cmocka_unit_test(test_g2_sample_data),
		cmocka_unit_test(test_h6_sample_data),
		cmocka_unit_test(test_h7_sample_data),
		cmocka_unit_test(test_p256_sample_data),
		cmocka_unit_test(test_p256_sample_data_in_air_order),
		cmocka_unit_test(test_debug_key),
		cmocka_unit_test(test_generated_keys_agree),
		cmocka_unit_test(test_dhkey_refuses_invalid_public_keys),
		cmocka_unit_test(test_smp_dhkey_refuses_invalid_public_keys),
		cmocka_unit_test(test_from_private_refuses_out_of_range),
		cmocka_unit_test(test_random_bytes_differ),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
