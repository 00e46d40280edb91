/* Vendor start-up (hci/vendor*.c): what fuzz_vendor found (tests/fuzz/fuzz_vendor.c,
 * docs/fuzzing.md), each against the simulated vendor controllers through the public API with a
 * virtual clock, as tests/unit/test_vendor.c does: the file the fuzzer made, the error l2kit
 * must give for it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <l2kit/l2kit.h>
#include "transport/sim/sim.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static char fwdir[256];
static const char *const files[] = {"rtl_bt/rtl8761bu_fw.bin", "rtl_bt/rtl8761bu_config.bin"};

static int setup(void **state)
{
	(void)state;
	snprintf(fwdir, sizeof(fwdir), "/tmp/l2k_test_vendor_fuzz_XXXXXX");
	assert_non_null(mkdtemp(fwdir));
	char d[300];
	snprintf(d, sizeof(d), "%s/rtl_bt", fwdir);
	mkdir(d, 0700);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char p[400];
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", fwdir, files[i]);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/rtl_bt", fwdir);
	rmdir(p);
	rmdir(fwdir);
	return 0;
}

static void write_file(const char *name, const uint8_t *p, size_t n)
{
	char path[400];
	snprintf(path, sizeof(path), "%s/%s", fwdir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

struct run {
	struct l2k_vclock vc;
	l2k_stack *s;
	int ready; /* 1 pending, else the error */
	struct sim_ctrl *ctrl;
};

static void on_ready(void *u, int err)
{
	((struct run *)u)->ready = err;
}

static bool is_ready(void *arg)
{
	return ((struct run *)arg)->ready != 1;
}

/* A stack on a simulated controller with this personality; run until bring-up ends: its error. */
static int up(struct run *r, const char *vendor)
{
	static int n;
	memset(r, 0, sizeof(*r));
	r->ready = 1;
	char air[32], spec[200];
	snprintf(air, sizeof(air), "vendorfuzz%d", n++);
	snprintf(spec, sizeof(spec), "sim:air=%s,addr=00:11:22:33:44:55,vendor=%s", air, vendor);
	struct l2k_stack_opts o = {.clock = l2k_vclock_now, .clock_arg = &r->vc, .firmware_dir = fwdir};
	struct l2k_stack_cbs cbs = {.user = r, .ready = on_ready};
	assert_int_equal(l2k_stack_open(spec, &o, &cbs, &r->s, NULL, 0), 0);
	hci_bdaddr_t a;
	assert_int_equal(sim_parse_bdaddr("00:11:22:33:44:55", &a), 0);
	r->ctrl = sim_air_ctrl_by_addr(sim_air_find(air), &a);
	assert_non_null(r->ctrl);
	assert_int_equal(l2k_sim_run_until(&r->s, 1, &r->vc, is_ready, r, 60000), 0);
	return r->ready;
}

static void assert_error_has(struct run *r, const char *a, const char *b)
{
	const char *e = l2k_last_error(r->s);
	if (!strstr(e, a) || (b && !strstr(e, b)))
		fail_msg("error '%s' does not say '%s' / '%s'", e, a, b ? b : "");
}

/* A Realtek epatch (v1) for project 14 (RTL8761BU) with one patch, for chip id 2 (ROM version 1,
 * the simulated 8761BU's). */
static uint8_t *rtl_fw(size_t *n)
{
	const size_t plen = 600, hdr = 14 + 8;
	*n = hdr + plen + 3 + 4;
	uint8_t *f = calloc(1, *n);
	assert_non_null(f);
	memcpy(f, "Realtech", 8);
	put32(f + 8, 0x0999646bu);
	put16(f + 12, 1);
	put16(f + 14, 2);
	put16(f + 16, (uint16_t)plen);
	put32(f + 18, (uint32_t)hdr);
	for (size_t i = 0; i < plen; i++)
		f[hdr + i] = (uint8_t)(i * 7);
	f[hdr + plen] = 14; /* extension: data 14, length 1, opcode 0 (project id) */
	f[hdr + plen + 1] = 1;
	f[hdr + plen + 2] = 0;
	memcpy(f + hdr + plen + 3, "\x51\x04\xfd\x77", 4);
	return f;
}

/* fuzz_vendor finding 1 (tests/fuzz/regress/vendor/rtl-config-shorter-than-its-length): a
 * config file with the right signature but shorter than its length field says.  The loader freed
 * the file and then read its signature again to word the error (heap use after free: ASan and
 * valgrind report it; in a plain build the allocator has overwritten the signature by then, so
 * the error blamed a "bad signature").  The error must say what is wrong: truncated. */
static void test_rtl_config_shorter_than_its_length(void **state)
{
	(void)state;
	size_t n;
	uint8_t *f = rtl_fw(&n);
	uint8_t cfg[40];
	put32(cfg, 0x8723ab55u);
	put16(cfg + 4, 200); /* 200 octets announced, 34 there */
	for (size_t i = 6; i < sizeof(cfg); i++)
		cfg[i] = (uint8_t)i;
	write_file(files[0], f, n);
	write_file(files[1], cfg, sizeof(cfg));
	struct run r;
	assert_int_equal(up(&r, "realtek-8761bu"), L2K_EBADMSG);
	assert_error_has(&r, "rtl_bt/rtl8761bu_config.bin", "shorter than its length field (truncated)");
	struct sim_vendor_stats st;
	sim_ctrl_vendor_stats(r.ctrl, &st);
	assert_int_equal(st.cmds, 0); /* nothing sent from a bad file */
	l2k_stack_close(r.s);
	/* and one too short for its header is a bad signature */
	write_file(files[1], cfg, 5);
	assert_int_equal(up(&r, "realtek-8761bu"), L2K_EBADMSG);
	assert_error_has(&r, "rtl_bt/rtl8761bu_config.bin", "bad signature");
	l2k_stack_close(r.s);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_rtl_config_shorter_than_its_length, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
