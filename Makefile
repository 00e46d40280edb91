# l2kit build.  `make` builds the library and tools; `make check` installs what the tests need
# (Debian packages, when run as root), builds and runs every test; `make demo` runs the demo.
#
# Sources are found by folder: every .c under base/ core/ hci/ sm/ transport/ transport/sim/ goes
# into the library, every tools/NAME.c becomes build/bin/NAME (tools/common/*.c is linked into
# each), every tests/unit/test_*.c and tests/conformance/test_*.c becomes a test binary linked
# with cmocka.

CC       ?= cc
BUILD    ?= build
OPT      ?= -O2
SAN      ?=
# Where `make install` puts things (DESTDIR is prepended to each).
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
LIBDIR   ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR   ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# The version is written once, in api/l2kit.h (L2K_VERSION); the shared library is
# libl2kit.so.MAJOR.MINOR.PATCH with the soname libl2kit.so.MAJOR.
VERSION  := $(shell sed -n 's/^\#define L2K_VERSION "\(.*\)"/\1/p' api/l2kit.h)
SOMAJOR  := $(firstword $(subst ., ,$(VERSION)))
SONAME   := libl2kit.so.$(SOMAJOR)
SHLIB    := libl2kit.so.$(VERSION)

# V=1 shows the full commands
ifeq ($(V),1)
Q :=
else
Q := @
endif

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
ifneq ($(TARGET_OS),windows)
CPPFLAGS += -I. -I$(BUILD)/include -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
CFLAGS   += -std=c11 $(OPT) -g -fPIC $(WARN) $(SAN)
LDFLAGS  += $(SAN)
LDLIBS   += -lpthread

# The crypto backend (base/crypto_openssl.c) needs OpenSSL's libcrypto 3.x (Debian libssl-dev);
# it is linked into everything, and listed in l2kit.pc's Libs.private (from LDLIBS).
# CRYPTO=gcrypt builds base/crypto_gcrypt.c instead (libgcrypt, Debian libgcrypt20-dev: the
# Windows build's backend, checked natively by tests/integration/crypto_gcrypt.sh); use a build
# folder of its own (BUILD=build-gcrypt).  The fuzz harnesses' backend stays OpenSSL's.
CRYPTO ?= openssl
OPENSSL_CFLAGS := $(shell pkg-config --cflags libcrypto 2>/dev/null)
OPENSSL_LIBS   := $(shell pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto)
ifeq ($(CRYPTO),gcrypt)
CRYPTO_CFLAGS := $(shell pkg-config --cflags libgcrypt 2>/dev/null || libgcrypt-config --cflags 2>/dev/null)
CRYPTO_LIBS   := $(shell pkg-config --libs libgcrypt 2>/dev/null || libgcrypt-config --libs 2>/dev/null || echo -lgcrypt)
CRYPTO_EXCLUDE := base/crypto_openssl.c
else
CRYPTO_CFLAGS := $(OPENSSL_CFLAGS)
CRYPTO_LIBS   := $(OPENSSL_LIBS)
CRYPTO_EXCLUDE := base/crypto_gcrypt.c
endif
CPPFLAGS += $(CRYPTO_CFLAGS)
LDLIBS   += $(CRYPTO_LIBS)

HAVE_LIBUSB := $(shell pkg-config --exists libusb-1.0 2>/dev/null && echo 1)
ifeq ($(HAVE_LIBUSB),1)
CPPFLAGS += -DL2K_HAVE_LIBUSB $(shell pkg-config --cflags libusb-1.0)
LDLIBS   += $(shell pkg-config --libs libusb-1.0)
endif
# Windows-only sources (the Windows build below swaps these in)
OS_EXCLUDE := base/crypto_cng.c base/os_win.c transport/socket_win.c transport/serial_win.c \
	      transport/usb_dl_win.c $(CRYPTO_EXCLUDE)
else
# The Windows cross build (`make windows`, docs/windows.md): mingw-w64's POSIX-threads compiler
# (winpthreads: the library's pthread and clock_gettime calls are unchanged), C99 formats from
# mingw's own stdio, Windows 10 headers; crypto from CNG (bcrypt.dll), sockets from Winsock.
# Everything but system DLLs is linked statically (no libwinpthread-1.dll to ship).
CPPFLAGS += -I. -I$(BUILD)/include -D__USE_MINGW_ANSI_STDIO=1 -D_WIN32_WINNT=0x0A00 \
	    -DWINVER=0x0A00
CFLAGS   += -std=c11 $(OPT) -g $(WARN)
# the tools and tests link the static library (L2K_API is then no dllimport)
CPPFLAGS += -DL2K_STATIC
LDFLAGS  += -static
LDLIBS   += -lws2_32
OS_EXCLUDE := base/crypto_openssl.c base/os_posix.c transport/socket.c transport/serial.c
# The usb transport loads libusb-1.0.dll at run time (transport/usb_dl_win.c): only libusb's
# header is needed, and it is the same for every platform (Debian libusb-1.0-0-dev's).
WIN_LIBUSB_H := $(wildcard $(shell pkg-config --variable=includedir libusb-1.0 2>/dev/null)/libusb-1.0/libusb.h)
ifneq ($(WIN_LIBUSB_H),)
CPPFLAGS += -DL2K_HAVE_LIBUSB -DL2K_LIBUSB_DL -I$(dir $(WIN_LIBUSB_H))
endif
# The crypto backend: CRYPTO=gcrypt (`make windows`' default, WIN_CRYPTO) is libgcrypt-20.dll
# (Debian libgcrypt-mingw-w64-dev), linked through its import libraries (named by path: -static
# would pick the static archives) and shipped beside l2kit.dll, the tools and the tests with
# libgpg-error-0.dll; CRYPTO=cng is Windows' own bcrypt.dll (nothing to ship; P-256 unverified:
# docs/windows.md).
ifeq ($(CRYPTO),cng)
CPPFLAGS += -DL2K_CRYPTO_CNG
LDLIBS   += -lbcrypt
OS_EXCLUDE += base/crypto_gcrypt.c
else
WIN_GCRYPT_IMPLIBS := $(shell $(CC) -print-file-name=libgcrypt.dll.a) $(shell $(CC) -print-file-name=libgpg-error.dll.a)
WIN_GCRYPT_DLLS := $(abspath $(dir $(firstword $(WIN_GCRYPT_IMPLIBS)))../bin/libgcrypt-20.dll \
		   $(dir $(lastword $(WIN_GCRYPT_IMPLIBS)))../bin/libgpg-error-0.dll)
LDLIBS   += $(WIN_GCRYPT_IMPLIBS)
OS_EXCLUDE += base/crypto_cng.c
endif
endif

LIB_SRC   := $(filter-out $(OS_EXCLUDE),$(sort $(wildcard base/*.c core/*.c hci/*.c sm/*.c transport/*.c transport/sim/*.c api/*.c)))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
TOOL_SRC  := $(sort $(wildcard tools/*.c))
TOOL_COMMON_SRC := $(sort $(wildcard tools/common/*.c))
TOOL_COMMON_OBJ := $(TOOL_COMMON_SRC:%.c=$(BUILD)/obj/%.o)
TOOLS     := $(TOOL_SRC:tools/%.c=$(BUILD)/bin/%)
TEST_SRC  := $(sort $(wildcard tests/unit/test_*.c tests/conformance/test_*.c))
TEST_COMMON_SRC := $(sort $(wildcard tests/common/*.c))
TEST_COMMON_OBJ := $(TEST_COMMON_SRC:%.c=$(BUILD)/obj/%.o)
TESTS     := $(patsubst %.c,$(BUILD)/tests/%,$(notdir $(TEST_SRC)))
PROG_SRC  := $(sort $(wildcard tests/progs/*.c))
PROGS     := $(PROG_SRC:tests/progs/%.c=$(BUILD)/tests/progs/%)
# The public headers, installed as <l2kit/NAME.h>; the build stages them the same way in
# $(BUILD)/include/l2kit/, so the tools and examples include them as users do.
HEADERS   := api/l2kit.h api/l2kit_sim.h base/l2k_error.h core/l2k_types.h sm/l2k_security.h
STAGED_HEADERS := $(addprefix $(BUILD)/include/l2kit/,$(notdir $(HEADERS)))
# The manual pages (man/, hand-written roff): section 1 for every installed tool, section 3 for
# the library; installed under $(MANDIR)/man1 and man3 (tests/integration/man_pages.sh checks
# they render without warnings and that every tool has one).
MAN_PAGES := $(filter-out man/man1/l2bench.1,$(sort $(wildcard man/man1/*.1 man/man3/*.3)))

.PHONY: all lib tools tests check check-unit check-integration check-vm conformance-table demo install install-man uninstall clean deps bench python \
	fuzz fuzz-build fuzz-replay fuzz-seeds check-fuzz check-asan check-valgrind
# keep object files made by chained rules (tools, tests) for fast rebuilds
.SECONDARY:
all: lib tools

lib: $(BUILD)/libl2kit.a $(BUILD)/libl2kit.so
tools: $(TOOLS)
# (the shared library too: the Python package's tests load it)
tests: $(TESTS) $(PROGS) tools $(BUILD)/libl2kit.so

$(BUILD)/include/l2kit/%.h: api/%.h
	@mkdir -p $(dir $@)
	$(Q)cp $< $@
$(BUILD)/include/l2kit/%.h: base/%.h
	@mkdir -p $(dir $@)
	$(Q)cp $< $@
$(BUILD)/include/l2kit/%.h: core/%.h
	@mkdir -p $(dir $@)
	$(Q)cp $< $@
$(BUILD)/include/l2kit/%.h: sm/%.h
	@mkdir -p $(dir $@)
	$(Q)cp $< $@

$(BUILD)/obj/%.o: %.c | $(STAGED_HEADERS)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libl2kit.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# Only the functions marked L2K_API (the public headers) are exported from the shared library.
$(LIB_OBJ): CFLAGS += -fvisibility=hidden -DL2K_BUILDING_LIBRARY

$(BUILD)/$(SHLIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) -shared -Wl,-soname,$(SONAME) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libl2kit.so: $(BUILD)/$(SHLIB)
	$(Q)ln -sf $(SHLIB) $(BUILD)/$(SONAME) && ln -sf $(SONAME) $@

$(BUILD)/bin/%: $(BUILD)/obj/tools/%.o $(TOOL_COMMON_OBJ) $(BUILD)/libl2kit.a
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(TOOL_PARTS) $(TOOL_COMMON_OBJ) $(BUILD)/libl2kit.a $(LDLIBS) -lm

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(TEST_COMMON_OBJ) $(BUILD)/libl2kit.a
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(TEST_EXTRA_OBJ) $(TEST_COMMON_OBJ) $(BUILD)/libl2kit.a $(LDLIBS) -lcmocka -lm

# test_fuzz_regress also replays fuzz_smp's and fuzz_vendor's reproducers through the harnesses
# themselves: fuzz_smp.c and fuzz_vendor.c compiled with their entry points renamed fz_smp_run
# and fz_vendor_run, and the harnesses' crypto backend (so an input runs as in the fuzz builds),
# linked before the library.
FUZZ_REGRESS_OBJ := $(BUILD)/obj/tests/fuzz/fuzz_smp_regress.o $(BUILD)/obj/tests/fuzz/fuzz_vendor_regress.o \
		    $(BUILD)/obj/tests/fuzz/crypto_fz.o
$(BUILD)/tests/test_fuzz_regress: $(FUZZ_REGRESS_OBJ)
$(BUILD)/tests/test_fuzz_regress: TEST_EXTRA_OBJ := $(FUZZ_REGRESS_OBJ)
$(BUILD)/tests/test_fuzz_regress: LDLIBS += $(if $(filter gcrypt,$(CRYPTO)),$(OPENSSL_LIBS))
$(BUILD)/obj/tests/fuzz/fuzz_smp_regress.o: tests/fuzz/fuzz_smp.c | $(STAGED_HEADERS)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CC      $< (fz_smp_run)"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -DLLVMFuzzerTestOneInput=fz_smp_run -MMD -MP -c $< -o $@
$(BUILD)/obj/tests/fuzz/fuzz_vendor_regress.o: tests/fuzz/fuzz_vendor.c | $(STAGED_HEADERS)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CC      $< (fz_vendor_run)"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -DLLVMFuzzerTestOneInput=fz_vendor_run -MMD -MP -c $< -o $@

$(BUILD)/tests/%: $(BUILD)/obj/tests/conformance/%.o $(TEST_COMMON_OBJ) $(BUILD)/libl2kit.a
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(TEST_EXTRA_OBJ) $(TEST_COMMON_OBJ) $(BUILD)/libl2kit.a $(LDLIBS) -lcmocka -lm

# Test programs driven by tests/integration/*.sh (they may use internal headers)
$(BUILD)/tests/progs/%: $(BUILD)/obj/tests/progs/%.o $(BUILD)/libl2kit.a
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libl2kit.a $(LDLIBS) -lm

# Tools with parts of their own: l2bench (tools/bench/*.c) and l2cat (tools/l2cat/*.c); the
# tools rule above links TOOL_PARTS in.
BENCH_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(sort $(wildcard tools/bench/*.c)))
L2CAT_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(sort $(wildcard tools/l2cat/*.c)))
$(BUILD)/bin/l2bench: TOOL_PARTS := $(BENCH_OBJ)
$(BUILD)/bin/l2bench: $(BENCH_OBJ)
$(BUILD)/bin/l2cat: TOOL_PARTS := $(L2CAT_OBJ)
$(BUILD)/bin/l2cat: $(L2CAT_OBJ)
# l2tester's case library (tools/l2tester/*.c, public API only) is linked into l2tester and into
# the conformance test that runs every case in-process (test_l2tester_cases); l2iut shares the
# IUT side of the control protocol (iut_core).
L2TESTER_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(sort $(wildcard tools/l2tester/*.c)))
$(BUILD)/bin/l2tester: TOOL_PARTS := $(L2TESTER_OBJ)
$(BUILD)/bin/l2tester: $(L2TESTER_OBJ)
$(BUILD)/bin/l2iut: TOOL_PARTS := $(BUILD)/obj/tools/l2tester/iut_core.o
$(BUILD)/bin/l2iut: $(BUILD)/obj/tools/l2tester/iut_core.o
$(BUILD)/tests/test_l2tester_cases: TEST_EXTRA_OBJ := $(L2TESTER_OBJ)
$(BUILD)/tests/test_l2tester_cases: $(L2TESTER_OBJ)
# the Windows build of that test: the in-process part only (runner_real.c is POSIX)
L2TESTER_WIN_OBJ := $(filter-out %/runner_real.o,$(L2TESTER_OBJ))
$(BUILD)/tests/test_l2tester_cases.exe: TEST_EXTRA_OBJ := $(L2TESTER_WIN_OBJ)
$(BUILD)/tests/test_l2tester_cases.exe: $(L2TESTER_WIN_OBJ)

# Benchmarks (not part of check): tables on stdout, $(BUILD)/bench/results.json and a plot.
# BENCH_ARGS=--quick for a smoke run.  The Python section runs python/ on $(BUILD)/libl2kit.so.
bench: $(BUILD)/bin/l2bench $(filter $(BUILD)/bin/vctrl $(BUILD)/bin/l2cat,$(TOOLS)) $(BUILD)/libl2kit.so $(BUILD)/tests/progs/crc_speed
	@sh tests/bench_deps.sh
	@$(BUILD)/bin/l2bench --out $(BUILD)/bench $(BENCH_ARGS); rc=$$?; \
		sh tools/bench/plot.sh $(BUILD)/bench; exit $$rc

# The Python package (python/, docs/python.md), staged in $(BUILD)/python with the shared library
# next to it: use it with PYTHONPATH=$(BUILD)/python, or install it (a venv: pip install
# $(BUILD)/python; its build backend is standard library only, nothing is downloaded).
PY_SRC := $(sort $(wildcard python/l2kit/*.py))
python: $(BUILD)/libl2kit.so
	@rm -rf $(BUILD)/python
	@mkdir -p $(BUILD)/python/l2kit
	@cp $(PY_SRC) $(BUILD)/python/l2kit/
	@cp -L $(BUILD)/libl2kit.so $(BUILD)/python/l2kit/libl2kit.so.0
	@cp python/pyproject.toml python/build_backend.py $(BUILD)/python/
	@echo "python: $(BUILD)/python/l2kit (PYTHONPATH=$(BUILD)/python, or pip install $(BUILD)/python)"

# Installs the Debian packages the build and tests need, when missing and when root.
deps:
	@sh tests/deps.sh

check: deps
	$(MAKE) --no-print-directory tests fuzz-replay
	@if command -v $(FUZZ_CC) >/dev/null 2>&1; then $(MAKE) --no-print-directory fuzz-build; \
	else echo "fuzz: $(FUZZ_CC) not found: harnesses not built, fuzz_smoke will be skipped"; fi
	@sh tests/run.sh $(BUILD)

# docs/conformance.md's table from the runs: l2tester against l2iut over vctrl (BR/EDR, LE) and
# btvirt with --json, the in-process results, one verdict column per transport
# (tests/conformance_run.sh; TS_CSV: the L2CAP.TS list, docs/conformance.md).
TS_CSV ?= ../shared/conformance/l2cap-ts.csv
conformance-table: tests
	@sh tests/conformance_run.sh $(BUILD) $(TS_CSV)

check-unit: $(TESTS)
	@sh tests/run.sh $(BUILD) unit

# The QEMU scenarios only (tests/vm; tests/integration/vm_*.sh): l2kit on a real HCI user channel
# and over libusb against the Linux kernel's own L2CAP.  `make check` runs them too.
check-vm: deps
	$(MAKE) --no-print-directory tests
	@sh tests/run.sh $(BUILD) integration vm_

demo: deps
	$(MAKE) --no-print-directory tools
	$(BUILD)/bin/l2demo

# The tools a user runs (l2bench is a benchmark of the source tree: not installed).
INSTALL_TOOLS := $(filter-out $(BUILD)/bin/l2bench,$(TOOLS))

install: lib tools install-man
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/l2kit $(DESTDIR)$(BINDIR) $(DESTDIR)$(PKGCONFIGDIR)
	install -m 644 $(BUILD)/libl2kit.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(BUILD)/$(SHLIB) $(DESTDIR)$(LIBDIR)/
	ln -sf $(SHLIB) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libl2kit.so
	install -m 644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)/l2kit/
	install -m 755 $(INSTALL_TOOLS) $(DESTDIR)$(BINDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
		-e 's|@VERSION@|$(VERSION)|g' -e 's|@LIBS_PRIVATE@|$(LDLIBS)|g' \
		api/l2kit.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/l2kit.pc

# Removes exactly what install put in place.
uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libl2kit.a $(DESTDIR)$(LIBDIR)/$(SHLIB) $(DESTDIR)$(LIBDIR)/$(SONAME) \
		$(DESTDIR)$(LIBDIR)/libl2kit.so $(DESTDIR)$(PKGCONFIGDIR)/l2kit.pc
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/l2kit/,$(notdir $(HEADERS)))
	-rmdir $(DESTDIR)$(INCLUDEDIR)/l2kit 2>/dev/null
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(INSTALL_TOOLS)))
	rm -f $(MAN_PAGES:man/%=$(DESTDIR)$(MANDIR)/%)

install-man:
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3
	install -m 644 $(filter %.1,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(filter %.3,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man3/

clean:
	rm -rf $(BUILD) $(WIN_BUILD)

# ---- fuzzing, sanitizers, valgrind (docs/fuzzing.md) -----------------------------------------
# Every tests/fuzz/fuzz_NAME.c is a libFuzzer harness: built with clang, ASan and UBSan into
# build/fuzz/fuzz_NAME (the library is recompiled there with coverage instrumentation), and
# with the ordinary compiler and no sanitizer into build/fuzz-replay/fuzz_NAME, a plain program
# that replays corpus files (under valgrind in `make check`).  tests/fuzz/fz_*.c is shared.
#   make fuzz FUZZ_SECONDS=N [FUZZERS_RUN="h4 sig"]   run each harness N seconds (default 60)
#   make fuzz-build BUILD=DIR FUZZ_NOCMP=all FUZZ_OPT=-O2   faster harnesses for long campaigns
#   make check-fuzz / check-asan / check-valgrind     what `make check` runs, one at a time
#   make fuzz-seeds                                   refresh tests/fuzz/corpus from captures
FUZZ_CC       ?= clang
FUZZ_SECONDS  ?= 60
FUZZ_BUILD    := $(BUILD)/fuzz
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_OPT      ?= -O1
FUZZ_CFLAGS   := -std=c11 $(FUZZ_OPT) -g $(WARN) $(FUZZ_SAN)
FUZZ_COV      := -fsanitize=fuzzer-no-link
FUZZ_SRC      := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_COMMON_SRC := $(sort $(wildcard tests/fuzz/fz_*.c))
FUZZERS       := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_REPLAYS  := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz-replay/%)
# The harnesses' crypto backend is tests/fuzz/crypto_fz.c: base/crypto_openssl.c compiled inside
# it (instrumented like the library) with a deterministic random stream, a pool of fixed key
# pairs and remembered Diffie-Hellman results, so a pairing is cheap and an input replays the
# same way (both builds; the library itself is unchanged).
FUZZ_LIB_OBJ  := $(filter-out $(FUZZ_BUILD)/obj/base/crypto_openssl.o $(FUZZ_BUILD)/obj/base/crypto_gcrypt.o,$(LIB_SRC:%.c=$(FUZZ_BUILD)/obj/%.o)) \
		 $(FUZZ_BUILD)/obj/tests/fuzz/crypto_fz.o
FUZZ_COMMON_OBJ := $(FUZZ_COMMON_SRC:%.c=$(FUZZ_BUILD)/obj/%.o)
REPLAY_COMMON_OBJ := $(FUZZ_COMMON_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/tests/fuzz/replay_main.o \
		 $(BUILD)/obj/tests/fuzz/crypto_fz.o
# The harnesses' own world (fake controller, scripted peer, script interpreter) is checked by
# the sanitizers but not coverage-instrumented: its branches are not l2kit's, and counting them
# would make the fuzzer chase them (and cost a third of the time per input).
$(FUZZ_COMMON_OBJ): FUZZ_COV :=
# Plumbing with no protocol decisions in it (timer heap, CRC, queues, ACL scheduling, command
# queue, capture writer) keeps its edge counters but not comparison tracing: that tracing was
# 40 % of the time per whole-stack input and guides the mutator toward nothing a peer controls.
# FUZZ_NOCMP=all takes it off the whole library (about twice the inputs per second on the
# whole-stack harnesses; long campaigns on a grown corpus use it, in a build folder of their own,
# since objects are not rebuilt when only this changes).
FUZZ_NOCMP    ?= base/timer.c core/l2cap_crc16.c api/loop.c base/ring.c hci/acl.c hci/cmdq.c hci/btsnoop.c
FUZZ_NOCMP_SRC := $(if $(filter all,$(FUZZ_NOCMP)),$(LIB_SRC) tests/fuzz/crypto_fz.c,$(FUZZ_NOCMP))
$(FUZZ_NOCMP_SRC:%.c=$(FUZZ_BUILD)/obj/%.o): FUZZ_COV := -fsanitize=fuzzer-no-link -fno-sanitize-coverage=trace-cmp

fuzz-build: $(FUZZERS)
fuzz-replay: $(FUZZ_REPLAYS)

$(FUZZ_BUILD)/obj/%.o: %.c | $(STAGED_HEADERS)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) $(FUZZ_COV) -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/obj/tests/fuzz/fuzz_%.o $(FUZZ_COMMON_OBJ) $(FUZZ_LIB_OBJ)
	@[ "$(V)" = 1 ] || echo "  FUZZLD  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LDLIBS) -lm

$(BUILD)/fuzz-replay/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(REPLAY_COMMON_OBJ) $(BUILD)/libl2kit.a
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(if $(filter gcrypt,$(CRYPTO)),$(OPENSSL_LIBS)) -lm

fuzz: fuzz-build
	@sh tests/fuzz/run.sh $(BUILD) $(FUZZ_SECONDS) $(FUZZERS_RUN)

# Seeds from valid traffic: btsnoop captures of the test suite's chan_echo over the simulator
# (BR/EDR and LE), and of the kernel-interop VM scenario when it ran (build/artifacts/vm_interop),
# turned into inputs for every harness (tests/fuzz/mkseeds.py).
fuzz-seeds: $(BUILD)/tests/progs/chan_echo
	@mkdir -p $(FUZZ_BUILD)/captures
	$(BUILD)/tests/progs/chan_echo sim sim --count 20 \
		--btsnoop-a $(FUZZ_BUILD)/captures/br-a.btsnoop --btsnoop-b $(FUZZ_BUILD)/captures/br-b.btsnoop
	$(BUILD)/tests/progs/chan_echo sim:addr=00:00:00:00:00:01 sim:addr=00:00:00:00:00:02 le --count 20 \
		--btsnoop-a $(FUZZ_BUILD)/captures/le-a.btsnoop --btsnoop-b $(FUZZ_BUILD)/captures/le-b.btsnoop
	python3 tests/fuzz/mkseeds.py tests/fuzz/corpus $(FUZZ_BUILD)/captures/*.btsnoop \
		$(wildcard $(BUILD)/artifacts/vm_interop/interop-*.btsnoop)

check-fuzz: fuzz-build
	@BUILD=$(BUILD) sh tests/integration/fuzz_smoke.sh

check-asan:
	@BUILD=$(BUILD) sh tests/integration/asan_suite.sh

check-valgrind: tests fuzz-replay
	@BUILD=$(BUILD) sh tests/integration/valgrind_suite.sh

# ---- Windows (docs/windows.md) -----------------------------------------------------------------
# `make windows` cross-builds with mingw-w64 into build-win/ (WIN_BUILD): l2kit.dll with its import
# library libl2kit.dll.a, the static libl2kit.a, the public headers in include/l2kit/, the tools
# as bin/*.exe and the unit and conformance tests as tests/*.exe (on tests/win/cmocka.h, a runner
# of the cmocka calls the tests make).  `make check-windows` runs the tests under Wine.
WIN_CC    ?= x86_64-w64-mingw32-gcc-posix
WIN_BUILD ?= build-win
# The crypto backend: gcrypt (libgcrypt-20.dll, shipped beside l2kit.dll) or cng (bcrypt.dll)
WIN_CRYPTO ?= gcrypt
# The tools ported so far (the others need a console or process layer: docs/windows.md).
WIN_TOOL_NAMES ?= l2info l2ping l2cat l2demo l2pair
.PHONY: windows windows-lib windows-tools windows-tests check-windows
# A Windows build folder keeps one crypto backend (DIR/.crypto): switching wipes its objects.
win_crypto_folder = if [ -f $(1)/.crypto ] && [ "$$(cat $(1)/.crypto)" != "$(2)" ]; then \
	rm -rf $(1)/obj $(1)/*.dll $(1)/*.a $(1)/bin $(1)/tests; fi; mkdir -p $(1) && echo $(2) >$(1)/.crypto
windows:
	@command -v $(WIN_CC) >/dev/null 2>&1 || { echo "windows: $(WIN_CC) not found (Debian: apt-get install gcc-mingw-w64-x86-64)"; exit 1; }
	@if [ "$(WIN_CRYPTO)" = gcrypt ] && ! [ -f "$$($(WIN_CC) -print-file-name=libgcrypt.dll.a)" ]; then \
		echo "windows: libgcrypt for mingw-w64 not found (Debian: apt-get install libgcrypt-mingw-w64-dev; or make windows WIN_CRYPTO=cng)"; exit 1; fi
	@$(call win_crypto_folder,$(WIN_BUILD),$(WIN_CRYPTO))
	$(Q)$(MAKE) --no-print-directory TARGET_OS=windows CC=$(WIN_CC) BUILD=$(WIN_BUILD) CRYPTO=$(WIN_CRYPTO) windows-lib windows-tools windows-tests

# The unit and conformance tests under Wine, then the tools under Wine against Linux ones
# (tests/win/l2cat_wine.sh: WIN_XFER_BYTES each way per mode, default 1 MiB).
WIN_XFER_BYTES ?= 1048576
# The CNG backend's sample-data test is built too (WIN_CNG_BUILD) and run beside the suite.
WIN_CNG_BUILD ?= $(WIN_BUILD)-cng
check-windows: windows tools
	@$(call win_crypto_folder,$(WIN_CNG_BUILD),cng)
	$(Q)$(MAKE) --no-print-directory TARGET_OS=windows CC=$(WIN_CC) BUILD=$(WIN_CNG_BUILD) CRYPTO=cng $(WIN_CNG_BUILD)/tests/test_smp_crypto.exe
	@WIN_CNG_BUILD=$(WIN_CNG_BUILD) sh tests/win/run_wine.sh $(WIN_BUILD); r1=$$?; \
	sh tests/win/l2cat_wine.sh $(WIN_BUILD) $(BUILD) $(WIN_XFER_BYTES); r2=$$?; \
	sh tests/win/usb_wine.sh $(WIN_BUILD); r3=$$?; \
	if [ $$r1 = 77 ] && [ $$r2 = 77 ]; then echo "check-windows: skipped (no wine)"; exit 0; fi; \
	for r in $$r1 $$r2 $$r3; do [ $$r = 0 ] || [ $$r = 77 ] || { echo "check-windows: FAILED"; exit 1; }; done; \
	echo "check-windows: all passed"

ifeq ($(TARGET_OS),windows)
# libgcrypt's DLLs beside everything that loads them (Windows looks in the program's folder)
WIN_DLL_COPIES := $(foreach d,$(BUILD) $(BUILD)/bin $(BUILD)/tests,$(addprefix $(d)/,$(notdir $(WIN_GCRYPT_DLLS))))
windows-lib: $(BUILD)/l2kit.dll $(BUILD)/libl2kit.a $(STAGED_HEADERS) $(WIN_DLL_COPIES)
windows-tools: $(WIN_TOOL_NAMES:%=$(BUILD)/bin/%.exe)
define win_dll_copy
$(1)/$(notdir $(2)): $(2)
	@mkdir -p $(1)
	$(Q)cp $(2) $(1)/
endef
$(foreach d,$(BUILD) $(BUILD)/bin $(BUILD)/tests,$(foreach f,$(WIN_GCRYPT_DLLS),$(eval $(call win_dll_copy,$(d),$(f)))))
# Not on Windows: test_fuzz_regress (it replays through the fuzz builds' OpenSSL-based crypto) and
# test_transport (the POSIX transports: unix sockets, ttys, the Linux user channel).
WIN_SKIP_TESTS := test_fuzz_regress test_transport
windows-tests: $(patsubst %,%.exe,$(filter-out $(WIN_SKIP_TESTS:%=$(BUILD)/tests/%),$(TESTS)))

$(BUILD)/l2kit.dll: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) -shared $(LDFLAGS) -o $@ $^ -Wl,--out-implib,$(BUILD)/libl2kit.dll.a $(LDLIBS)

$(BUILD)/bin/%.exe: $(BUILD)/obj/tools/%.o $(TOOL_COMMON_OBJ) $(BUILD)/libl2kit.a
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(TOOL_PARTS) $(TOOL_COMMON_OBJ) $(BUILD)/libl2kit.a $(LDLIBS) -lm

$(BUILD)/bin/l2cat.exe: TOOL_PARTS := $(L2CAT_OBJ)
$(BUILD)/bin/l2cat.exe: $(L2CAT_OBJ)

# The stand-in libusb-1.0.dll of tests/win/usb_wine.sh (a libusb with no devices), complete and
# without one function.
ifneq ($(WIN_LIBUSB_H),)
windows-tests: $(BUILD)/usbstub/full/libusb-1.0.dll $(BUILD)/usbstub/partial/libusb-1.0.dll
$(BUILD)/usbstub/full/libusb-1.0.dll: tests/win/libusb_stub.c
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) -shared $(CPPFLAGS) $(CFLAGS) -o $@ $<
$(BUILD)/usbstub/partial/libusb-1.0.dll: tests/win/libusb_stub.c
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) -shared $(CPPFLAGS) $(CFLAGS) -DSTUB_WITHOUT_NEXT_TIMEOUT -o $@ $<
endif

WIN_CMOCKA_OBJ := $(BUILD)/obj/tests/win/cmocka_win.o
# the tests find <cmocka.h> and <poll.h> there (tests/win)
$(BUILD)/obj/tests/%.o: CPPFLAGS += -Itests/win
$(BUILD)/tests/%.exe: $(BUILD)/obj/tests/unit/%.o $(TEST_COMMON_OBJ) $(WIN_CMOCKA_OBJ) $(BUILD)/libl2kit.a
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(TEST_EXTRA_OBJ) $(TEST_COMMON_OBJ) $(WIN_CMOCKA_OBJ) $(BUILD)/libl2kit.a $(LDLIBS) -lm
$(BUILD)/tests/%.exe: $(BUILD)/obj/tests/conformance/%.o $(TEST_COMMON_OBJ) $(WIN_CMOCKA_OBJ) $(BUILD)/libl2kit.a
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(TEST_EXTRA_OBJ) $(TEST_COMMON_OBJ) $(WIN_CMOCKA_OBJ) $(BUILD)/libl2kit.a $(LDLIBS) -lm
endif

-include $(shell find $(BUILD)/obj $(FUZZ_BUILD)/obj -name '*.d' 2>/dev/null)
