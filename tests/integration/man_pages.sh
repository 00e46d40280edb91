#!/bin/sh
# The manual pages (man/): every page renders with no groff warning (-ww, warnings are errors);
# every tool `make install` puts in PREFIX/bin (tools/NAME.c) has a section 1 page naming it,
# and the page mentions every long option the tool's --help lists; the library has l2kit(3);
# `make install` puts the pages under PREFIX/share/man, where man(1) finds them; the example in
# l2kit(3) builds against the installed library with pkg-config and runs.
BUILD=${BUILD:-build}
command -v groff >/dev/null 2>&1 || { echo "skipped: groff not installed (Debian groff-base)"; exit 77; }
for f in tools/*.c; do
	t=$(basename "$f" .c)
	[ -x "$BUILD/bin/$t" ] || { echo "skipped: $BUILD/bin/$t is not built (make tools)"; exit 77; }
done
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
n=0

echo "== 1. every page renders without a warning"
pages=$(ls man/man1/*.1 man/man3/*.3 2>/dev/null)
[ -n "$pages" ] || fail "no pages in man/man1, man/man3"
for p in $pages; do
	groff -man -Tutf8 -ww -z "$p" >"$D/warn" 2>&1 || fail "groff failed on $p: $(cat "$D/warn")"
	[ -s "$D/warn" ] && { cat "$D/warn"; fail "$p: groff warnings"; }
	sec=$(basename "$p" | sed 's/.*\.//')
	name=$(basename "$p" ".$sec")
	head -n 5 "$p" | grep -q "^\.TH $(echo "$name" | tr a-z A-Z) $sec " || fail "$p: no .TH naming it in section $sec"
	n=$((n + 1))
done
echo "$n pages render cleanly"

echo "== 2. every installed tool has a page with every option of its --help"
for f in tools/*.c; do
	t=$(basename "$f" .c)
	p=man/man1/$t.1
	[ -f "$p" ] || fail "$t is installed but has no page ($p)"
	sed -n '/^\.SH NAME/,/^\.SH/p' "$p" | grep -q "^$t \\\\- " || fail "$p: NAME does not say '$t \\- ...'"
	"$BUILD/bin/$t" --help >"$D/help" 2>&1 || fail "$t --help failed"
	# the page's text with roff's \- as -, and font changes dropped
	sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$p" >"$D/page"
	for o in $(grep -o -- '--[a-z][a-z0-9-]*' "$D/help" | sort -u); do
		grep -q -- "$o\\b" "$D/page" || fail "$p does not mention $o (in $t --help)"
	done
done
[ -f man/man3/l2kit.3 ] || fail "no man/man3/l2kit.3"

echo "== 3. make install puts them under PREFIX/share/man"
make --no-print-directory -s BUILD="$BUILD" install PREFIX="$D/p" >"$D/make.log" 2>&1 || { cat "$D/make.log"; fail "make install"; }
for p in $pages; do
	sec=$(basename "$p" | sed 's/.*\.//')
	t=$(basename "$p" ".$sec")
	if [ "$sec" = 1 ] && [ ! -e "$D/p/bin/$t" ]; then
		# a tool that is not installed (l2bench runs from the build tree) has no installed page
		[ ! -e "$D/p/share/man/man1/$t.1" ] || fail "$p installed, but $t itself is not"
		continue
	fi
	[ -f "$D/p/share/man/man$sec/$(basename "$p")" ] || fail "$p not installed in share/man/man$sec"
done
if command -v man >/dev/null 2>&1; then
	for t in l2cat l2ping; do
		man -M "$D/p/share/man" "$t" 2>/dev/null | grep -q "^NAME" || fail "man -M PREFIX/share/man $t did not find the page"
	done
	man -M "$D/p/share/man" 3 l2kit 2>/dev/null | grep -q "^NAME" || fail "man 3 l2kit did not find the page"
	echo "man finds them"
else
	echo "(man not installed: only the files were checked)"
fi
echo "== 4. l2kit(3)'s example builds against the installed library as its SYNOPSIS says, and runs"
if command -v cc >/dev/null 2>&1 && command -v pkg-config >/dev/null 2>&1; then
	sed -n '/^\.SH EXAMPLE/,/^\.SH/p' man/man3/l2kit.3 | sed -n '/^\.EX/,/^\.EE/p' | sed -e '1d' -e '$d' \
		-e 's/\\e/\\/g' -e 's/\\-/-/g' >"$D/ex.c"
	grep -q "l2k_stack_open" "$D/ex.c" || fail "no example found in l2kit.3"
	# (-I PREFIX/include as well: l2kit.pc's Cflags may still name include/l2kit)
	PKG_CONFIG_PATH="$D/p/lib/pkgconfig" cc -std=c11 -Wall -Wextra -Werror -I"$D/p/include" "$D/ex.c" \
		$(PKG_CONFIG_PATH="$D/p/lib/pkgconfig" pkg-config --cflags --libs l2kit) -o "$D/ex" \
		|| fail "the example in l2kit.3 does not compile"
	LD_LIBRARY_PATH="$D/p/lib" timeout 60 "$D/ex" >"$D/ex.out" 2>&1 || { cat "$D/ex.out"; fail "the example in l2kit.3 failed"; }
	[ "$(cat "$D/ex.out")" = hello ] || { cat "$D/ex.out"; fail "the example printed something else than hello"; }
	echo "compiled and ran: $(cat "$D/ex.out")"
else
	echo "skipped: no cc or no pkg-config"
fi
echo "PASS"
