# l2kit build.  `make` builds the library and tools; `make check` installs what the tests need
# (Debian packages, when run as root), builds and runs every test; `make demo` runs the demo.
#
# Sources are found by folder: every .c under core/ hci/ transport/ transport/sim/ goes into the
# library, every tools/NAME.c becomes build/bin/NAME (tools/common/*.c is linked into each),
# every tests/unit/test_*.c becomes a test binary linked with cmocka.

CC       ?= cc
BUILD    ?= build
PREFIX   ?= /usr/local
OPT      ?= -O2
SAN      ?=
VERSION  := 0.1.0

# V=1 shows the full commands
ifeq ($(V),1)
Q :=
else
Q := @
endif

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CPPFLAGS += -I. -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
CFLAGS   += -std=c11 $(OPT) -g -fPIC $(WARN) $(SAN)
LDFLAGS  += $(SAN)
LDLIBS   += -lpthread

HAVE_LIBUSB := $(shell pkg-config --exists libusb-1.0 2>/dev/null && echo 1)
ifeq ($(HAVE_LIBUSB),1)
CPPFLAGS += -DL2K_HAVE_LIBUSB $(shell pkg-config --cflags libusb-1.0)
LDLIBS   += $(shell pkg-config --libs libusb-1.0)
endif

LIB_SRC   := $(sort $(wildcard core/*.c hci/*.c transport/*.c transport/sim/*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
TOOL_SRC  := $(sort $(wildcard tools/*.c))
TOOL_COMMON_SRC := $(sort $(wildcard tools/common/*.c))
TOOL_COMMON_OBJ := $(TOOL_COMMON_SRC:%.c=$(BUILD)/obj/%.o)
TOOLS     := $(TOOL_SRC:tools/%.c=$(BUILD)/bin/%)
TEST_SRC  := $(sort $(wildcard tests/unit/test_*.c))
TEST_COMMON_SRC := $(sort $(wildcard tests/common/*.c))
TEST_COMMON_OBJ := $(TEST_COMMON_SRC:%.c=$(BUILD)/obj/%.o)
TESTS     := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
PROG_SRC  := $(sort $(wildcard tests/progs/*.c))
PROGS     := $(PROG_SRC:tests/progs/%.c=$(BUILD)/tests/progs/%)
HEADERS   := core/l2kit.h core/l2k_error.h

.PHONY: all lib tools tests check check-unit check-integration demo install clean deps
all: lib tools

lib: $(BUILD)/libl2kit.a $(BUILD)/libl2kit.so
tools: $(TOOLS)
tests: $(TESTS) $(PROGS) tools

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libl2kit.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/libl2kit.so: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) -shared -Wl,-soname,libl2kit.so.0 $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bin/%: $(BUILD)/obj/tools/%.o $(TOOL_COMMON_OBJ) $(BUILD)/libl2kit.a
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(TOOL_COMMON_OBJ) $(BUILD)/libl2kit.a $(LDLIBS) -lm

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(TEST_COMMON_OBJ) $(BUILD)/libl2kit.a
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(TEST_COMMON_OBJ) $(BUILD)/libl2kit.a $(LDLIBS) -lcmocka -lm

# Test programs driven by tests/integration/*.sh (they may use internal headers)
$(BUILD)/tests/progs/%: $(BUILD)/obj/tests/progs/%.o $(BUILD)/libl2kit.a
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libl2kit.a $(LDLIBS) -lm

# Installs the Debian packages the build and tests need, when missing and when root.
deps:
	@sh tests/deps.sh

check: deps
	$(MAKE) --no-print-directory tests
	@sh tests/run.sh $(BUILD)

check-unit: $(TESTS)
	@sh tests/run.sh $(BUILD) unit

demo: deps
	$(MAKE) --no-print-directory tools
	$(BUILD)/bin/l2demo

install: lib tools
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/l2kit $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 $(BUILD)/libl2kit.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/libl2kit.so $(DESTDIR)$(PREFIX)/lib/libl2kit.so.0
	ln -sf libl2kit.so.0 $(DESTDIR)$(PREFIX)/lib/libl2kit.so
	install -m 644 $(HEADERS) $(DESTDIR)$(PREFIX)/include/l2kit/
	install -m 755 $(TOOLS) $(DESTDIR)$(PREFIX)/bin/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' -e 's|@LIBS_PRIVATE@|$(LDLIBS)|g' \
		core/l2kit.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/l2kit.pc

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
