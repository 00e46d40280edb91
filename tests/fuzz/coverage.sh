#!/bin/sh
# Line/branch coverage of the library reached by the fuzz corpora (clang source-based coverage).
#   tests/fuzz/coverage.sh BUILD [EXTRA-CORPUS-ROOT]
# Builds the harnesses with -fprofile-instr-generate -fcoverage-mapping and the replay main()
# into BUILD/fuzz-cov, replays tests/fuzz/corpus/NAME, tests/fuzz/regress/NAME (and
# EXTRA-CORPUS-ROOT/NAME, e.g. build/fuzz/corpus after `make fuzz`), and prints llvm-cov's
# per-file report for core/, hci/, sm/, transport/h4.c and the security parts of api/.
# FUZZERS_COV="smp stack" limits it to some harnesses (default: all).  BUILD must hold the
# staged public headers (BUILD/include/l2kit, from any make in BUILD).
BUILD=${1:-build}
EXTRA=$2
OUT="$BUILD/fuzz-cov"
CC=${FUZZ_CC:-clang}
FLAGS="-I. -I$BUILD/include -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -std=c11 -O1 -g -fprofile-instr-generate -fcoverage-mapping"
FLAGS="$FLAGS $(pkg-config --cflags libcrypto 2>/dev/null)"
LIBS="-lpthread -lm $(pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto)"
[ -n "$(pkg-config --exists libusb-1.0 2>/dev/null && echo 1)" ] && FLAGS="$FLAGS -DL2K_HAVE_LIBUSB $(pkg-config --cflags libusb-1.0)" && LIBS="$LIBS $(pkg-config --libs libusb-1.0)"
[ -d "$BUILD/include/l2kit" ] || { echo "coverage.sh: no staged headers in $BUILD/include (run make BUILD=$BUILD first)" >&2; exit 1; }
mkdir -p "$OUT/obj" "$OUT/prof"
rm -f "$OUT"/prof/*.profraw
# the library as the fuzz builds link it: tests/fuzz/crypto_fz.c (which compiles
# base/crypto_openssl.c inside it) in place of the crypto backend
objs=""
for f in base/*.c core/*.c hci/*.c sm/*.c transport/*.c transport/sim/*.c api/*.c tests/fuzz/crypto_fz.c \
	tests/fuzz/fz_*.c tests/fuzz/replay_main.c; do
	[ "$f" = base/crypto_openssl.c ] && [ -f tests/fuzz/crypto_fz.c ] && continue
	# the Windows sources (the Makefile's OS_EXCLUDE on other systems)
	case $f in base/crypto_cng.c | base/os_win.c | transport/*_win.c) continue ;; esac
	[ -f "$f" ] || continue
	o="$OUT/obj/$(echo "$f" | tr / _).o"
	$CC $FLAGS -c "$f" -o "$o" || exit 1
	objs="$objs $o"
done
bins=""
for h in tests/fuzz/fuzz_*.c; do
	n=$(basename "$h" .c)
	case " ${FUZZERS_COV:-${n#fuzz_}} " in *" ${n#fuzz_} "*) ;; *) continue ;; esac
	$CC $FLAGS -c "$h" -o "$OUT/obj/$n.o" && $CC -fprofile-instr-generate -o "$OUT/$n" "$OUT/obj/$n.o" $objs $LIBS || exit 1
	dirs=""
	for d in tests/fuzz/corpus/${n#fuzz_} tests/fuzz/regress/${n#fuzz_} ${EXTRA:+$EXTRA/${n#fuzz_}}; do [ -d "$d" ] && dirs="$dirs $d"; done
	[ -n "$dirs" ] && LLVM_PROFILE_FILE="$OUT/prof/$n-%p.profraw" "$OUT/$n" $dirs >/dev/null 2>&1
	bins="$bins -object $OUT/$n"
done
llvm-profdata merge -sparse "$OUT"/prof/*.profraw -o "$OUT/all.profdata" || exit 1
first=$(echo $bins | awk '{print $2}')
llvm-cov report $first $bins -instr-profile="$OUT/all.profdata" core/*.c hci/*.c sm/*.c transport/h4.c \
	api/security.c api/keystore.c
