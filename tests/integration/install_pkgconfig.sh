#!/bin/sh
# `make install PREFIX=...` puts the library, the public headers, the tools and l2kit.pc in place,
# and a program built only from what pkg-config says links and runs against both libraries.
BUILD=${BUILD:-build}
command -v pkg-config >/dev/null || { echo "skipped: pkg-config not installed"; exit 77; }
P=$(mktemp -d)
trap 'rm -rf "$P"' EXIT
make --no-print-directory -s BUILD="$BUILD" install PREFIX="$P" >/dev/null || { echo "FAIL: make install"; exit 1; }
for f in lib/libl2kit.a lib/libl2kit.so.0 lib/libl2kit.so include/l2kit/l2kit.h include/l2kit/l2k_error.h \
	bin/l2info lib/pkgconfig/l2kit.pc; do
	[ -e "$P/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
cat >"$P/t.c" <<'C'
#include <l2kit.h>
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
cc "$P/t.c" $(pkg-config --cflags --libs l2kit) -o "$P/t-shared" || { echo "FAIL: shared link"; exit 1; }
cc "$P/t.c" $(pkg-config --cflags l2kit) "$P/lib/libl2kit.a" $(pkg-config --libs-only-l --static l2kit | sed 's/-ll2kit//') -o "$P/t-static" || { echo "FAIL: static link"; exit 1; }
LD_LIBRARY_PATH="$P/lib" "$P/t-shared" && "$P/t-static" || { echo "FAIL: programs did not run"; exit 1; }
echo "installed and usable through pkg-config"
