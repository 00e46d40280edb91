#!/bin/sh
# `make install PREFIX=...` puts the versioned shared library and its links, the static library,
# the public headers (<l2kit/...>), the tools, the man pages and l2kit.pc in place; the shared
# library exports only the public l2k_* functions; docs/examples and a small program build,
# unchanged, from what pkg-config says (shared and static) and run; `man l2cat` finds its page;
# `make uninstall` removes every file again.
BUILD=${BUILD:-build}
command -v pkg-config >/dev/null || { echo "skipped: pkg-config not installed"; exit 77; }
CC=${CC:-cc}
P=$(mktemp -d)
trap 'rm -rf "$P"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
make --no-print-directory -s BUILD="$BUILD" install PREFIX="$P" >/dev/null || fail "make install"
VERSION=$(sed -n 's/^#define L2K_VERSION "\(.*\)"/\1/p' api/l2kit.h)
MAJOR=${VERSION%%.*}
for f in lib/libl2kit.a "lib/libl2kit.so.$VERSION" include/l2kit/l2kit.h include/l2kit/l2k_error.h \
	include/l2kit/l2k_types.h include/l2kit/l2kit_sim.h bin/l2cat bin/l2ping bin/l2info bin/vctrl \
	lib/pkgconfig/l2kit.pc; do
	[ -f "$P/$f" ] || fail "$f not installed"
done
[ "$(readlink "$P/lib/libl2kit.so.$MAJOR")" = "libl2kit.so.$VERSION" ] || fail "libl2kit.so.$MAJOR is not a link to libl2kit.so.$VERSION"
[ "$(readlink "$P/lib/libl2kit.so")" = "libl2kit.so.$MAJOR" ] || fail "libl2kit.so is not a link to libl2kit.so.$MAJOR"
soname=$(readelf -d "$P/lib/libl2kit.so.$VERSION" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libl2kit.so.$MAJOR" ] || fail "soname is '$soname', not libl2kit.so.$MAJOR"
[ ! -e "$P/bin/l2bench" ] || fail "l2bench (a benchmark of the source tree) was installed"
# only the public functions are exported
others=$(nm -D --defined-only "$P/lib/libl2kit.so.$VERSION" | awk '{print $3}' | grep -v '^l2k_')
[ -z "$others" ] || fail "the shared library exports non-public symbols: $(echo $others | head -c 300)"
echo "exports: $(nm -D --defined-only "$P/lib/libl2kit.so.$VERSION" | grep -c ' l2k_') l2k_* functions, nothing else"
# man pages
if [ -d "$P/share/man/man1" ] && command -v man >/dev/null; then
	MANPATH="$P/share/man" man -w l2cat >/dev/null 2>&1 || fail "man l2cat does not find the installed page"
	MANPATH="$P/share/man" man -w 3 l2kit >/dev/null 2>&1 || fail "man 3 l2kit does not find the installed page"
	echo "man l2cat: $(MANPATH="$P/share/man" man -w l2cat)"
elif [ -d man ]; then
	fail "man pages not installed under share/man"
fi
cat >"$P/t.c" <<'C'
#include <l2kit/l2kit.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
	l2k_addr a;
	char s[18];
	if (l2k_addr_parse("00:AA:01:00:00:42", &a) || strcmp(l2k_addr_str(&a, s), "00:AA:01:00:00:42"))
		return 1;
	printf("%s / %s\n", L2K_VERSION, l2k_strerror(L2K_ETIMEDOUT));
	return 0;
}
C
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
$CC $SAN "$P/t.c" $(pkg-config --cflags --libs l2kit) -o "$P/t-shared" || fail "shared link"
$CC $SAN "$P/t.c" $(pkg-config --cflags l2kit) "$P/lib/libl2kit.a" $(pkg-config --libs-only-l --static l2kit | sed 's/-ll2kit//') \
	-o "$P/t-static" || fail "static link"
LD_LIBRARY_PATH="$P/lib" "$P/t-shared" && "$P/t-static" || fail "programs did not run"
# the examples, unchanged, as a user builds them
for e in docs/examples/*.c; do
	$CC $SAN -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror "$e" $(pkg-config --cflags --libs l2kit) \
		-o "$P/$(basename "$e" .c)" || fail "$e does not build with pkg-config --cflags --libs l2kit"
done
echo "docs/examples build with pkg-config"
make --no-print-directory -s BUILD="$BUILD" uninstall PREFIX="$P" >/dev/null || fail "make uninstall"
left=$(cd "$P" && find bin lib include share -type f 2>/dev/null)
[ -z "$left" ] || fail "make uninstall left: $left"
echo "installed, usable through pkg-config, and uninstalled"
