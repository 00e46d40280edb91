#!/bin/sh
# The libgcrypt crypto backend (base/crypto_gcrypt.c, the Windows build's default) checked
# natively: the library is built with it (make CRYPTO=gcrypt, into BUILD/gcrypt) and the tests
# that exercise the backend run against it - the sample data of FIPS-197, RFC 4493, the Core
# Specification's P-256 sets and SMP functions, the refusal of invalid public keys
# (test_smp_crypto), and pairing over the simulator (LE Secure Connections, BR/EDR Secure Simple
# Pairing).  Skipped when libgcrypt's development files are missing (Debian libgcrypt20-dev).
[ -n "$L2K_NESTED" ] && { echo "skip: runs in the top-level suite only"; exit 77; }
BUILD=${BUILD:-build}
if ! pkg-config --exists libgcrypt 2>/dev/null && ! command -v libgcrypt-config >/dev/null 2>&1; then
	echo "skip: libgcrypt not found (Debian: apt-get install libgcrypt20-dev)"
	exit 77
fi
GB=$BUILD/gcrypt
TESTS="test_smp_crypto test_smp_le test_smp_proto test_sec_bredr test_sim_sec_bredr test_sim_sec_le"
unset MAKEFLAGS MFLAGS MAKELEVEL
make -s -j2 CRYPTO=gcrypt BUILD="$GB" $(for t in $TESTS; do echo "$GB/tests/$t"; done) || {
	echo "FAIL: the CRYPTO=gcrypt build failed"; exit 1; }
# it must really be the gcrypt backend in there
nm "$GB/libl2kit.a" 2>/dev/null | grep -q ' U gcry_mac_open' || { echo "FAIL: $GB/libl2kit.a does not use libgcrypt"; exit 1; }
nm "$GB/libl2kit.a" 2>/dev/null | grep -q ' U EVP_' && { echo "FAIL: $GB/libl2kit.a still uses OpenSSL"; exit 1; }
rc=0
for t in $TESTS; do
	sh tests/run.sh "$GB" unit "$t" | tail -n 2 | grep -v '^failed:' || rc=1
done
[ $rc = 0 ] && echo "crypto_gcrypt: all passed" || echo "crypto_gcrypt: FAILED"
exit $rc
