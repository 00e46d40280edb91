/* Vendor start-up (hci/vendor*.c) against the simulated vendor controllers (sim "vendor="
 * personalities, transport/sim/sim_vendor.c), through the public API with a virtual clock and
 * small fake firmware files written by the test with the right headers: for each family the
 * file chosen for the chip / version, every download command acknowledged and the controller's
 * hash of what it received equal to the file's, its new version read back; a missing file, a
 * corrupted one (bad signature, truncated) and a NACKed chunk each reported clearly, naming
 * the file; no_vendor_init skips it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef _WIN32
#include <direct.h>
#define MKDIR(p) _mkdir(p)
#else
#define MKDIR(p) mkdir(p, 0700)
#endif

#include <cmocka.h>

#include <l2kit/l2kit.h>
#include "transport/sim/sim.h"

/* ---- helpers ------------------------------------------------------------------------------- */

static uint32_t fnv(uint32_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}
#define FNV0 2166136261u

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

static void mkdirs(void)
{
	char d[300];
	snprintf(d, sizeof(d), "%s/rtl_bt", fwdir);
	MKDIR(d);
	snprintf(d, sizeof(d), "%s/intel", fwdir);
	MKDIR(d);
	snprintf(d, sizeof(d), "%s/brcm", fwdir);
	MKDIR(d);
}

static int setup(void **state)
{
	/* a unique name (mkstemp), made a directory (no mkdtemp on Windows) */
	snprintf(fwdir, sizeof(fwdir), "/tmp/l2k_test_vendor_XXXXXX");
	int fd = mkstemp(fwdir);
	assert_true(fd >= 0);
	close(fd);
	unlink(fwdir);
	assert_int_equal(MKDIR(fwdir), 0);
	mkdirs();
	return 0;
}

static void rm(const char *name)
{
	char p[400];
	snprintf(p, sizeof(p), "%s/%s", fwdir, name);
	unlink(p);
}

static int teardown(void **state)
{
	static const char *const names[] = {
	    "rtl_bt/rtl8761bu_fw.bin", "rtl_bt/rtl8761bu_config.bin", "rtl_bt/rtl8821c_fw.bin",
	    "rtl_bt/rtl8821c_config.bin", "intel/ibt-12-16.sfi", "intel/ibt-12-16.ddc", "intel/ibt-20-1-3.sfi",
	    "intel/ibt-20-1-3.ddc", "brcm/BCM20702A1-0a5c-21e8.hcd", "brcm/BCM20702A1.hcd"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		rm(names[i]);
	char d[300];
	snprintf(d, sizeof(d), "%s/rtl_bt", fwdir);
	rmdir(d);
	snprintf(d, sizeof(d), "%s/intel", fwdir);
	rmdir(d);
	snprintf(d, sizeof(d), "%s/brcm", fwdir);
	rmdir(d);
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
	char air[32];
};

static void on_ready(void *u, int err)
{
	((struct run *)u)->ready = err;
}

static bool is_ready(void *arg)
{
	return ((struct run *)arg)->ready != 1;
}

/* Open a stack on a simulated controller with this personality (and spec extras), run until
 * bring-up ends: its error. */
static int up(struct run *r, const char *vendor, const char *extra, bool skip)
{
	static int n;
	memset(r, 0, sizeof(*r));
	r->ready = 1;
	snprintf(r->air, sizeof(r->air), "vendor%d", n++);
	char spec[200];
	snprintf(spec, sizeof(spec), "sim:air=%s,addr=00:11:22:33:44:55,vendor=%s%s%s", r->air, vendor,
		 extra ? "," : "", extra ? extra : "");
	struct l2k_stack_opts o = {.clock = l2k_vclock_now, .clock_arg = &r->vc, .firmware_dir = fwdir,
				   .no_vendor_init = skip};
	struct l2k_stack_cbs cbs = {.user = r, .ready = on_ready};
	char err[200];
	assert_int_equal(l2k_stack_open(spec, &o, &cbs, &r->s, err, sizeof(err)), 0);
	hci_bdaddr_t a;
	assert_int_equal(sim_parse_bdaddr("00:11:22:33:44:55", &a), 0);
	r->ctrl = sim_air_ctrl_by_addr(sim_air_find(r->air), &a);
	assert_non_null(r->ctrl);
	assert_int_equal(l2k_sim_run_until(&r->s, 1, &r->vc, is_ready, r, 60000), 0);
	if (getenv("VENDOR_DEBUG"))
	{
		struct sim_vendor_stats st;
		sim_ctrl_vendor_stats(r->ctrl, &st);
		fprintf(stderr, "%s: %d %s [sim: %u cmds %llu bytes complete %d running %d error '%s']\n", vendor, r->ready,
			l2k_last_error(r->s), st.cmds, (unsigned long long)st.bytes, st.complete, st.running, st.error);
	}
	return r->ready;
}

static void down(struct run *r)
{
	l2k_stack_close(r->s);
}

static void assert_error_has(struct run *r, const char *a, const char *b)
{
	const char *e = l2k_last_error(r->s);
	if (!strstr(e, a) || (b && !strstr(e, b)))
		fail_msg("error '%s' does not say '%s' / '%s'", e, a, b ? b : "");
}

/* ---- Realtek ------------------------------------------------------------------------------- */

/* An epatch (v1) with a patch per chip id 1..3 (patch k: len[k] octets of pattern k), for the
 * project id; its size in *n.  want: the patch for chip id want_id with the fw_version at its end. */
static uint8_t *rtl_fw(uint8_t project, uint32_t fw_version, const uint16_t len[3], size_t *n, uint8_t want_id,
		       uint8_t **want, size_t *want_len)
{
	size_t hdr = 14 + 3 * 8, total = hdr;
	for (int k = 0; k < 3; k++)
		total += len[k];
	total += 3 + 4;
	uint8_t *f = calloc(1, total);
	assert_non_null(f);
	memcpy(f, "Realtech", 8);
	put32(f + 8, fw_version);
	put16(f + 12, 3);
	size_t off = hdr;
	for (int k = 0; k < 3; k++) {
		put16(f + 14 + 2 * k, (uint16_t)(k + 1));
		put16(f + 14 + 6 + 2 * k, len[k]);
		put32(f + 14 + 12 + 4 * k, (uint32_t)off);
		for (size_t i = 0; i < len[k]; i++)
			f[off + i] = (uint8_t)(i * 7 + k * 31 + (i >> 8));
		if (k + 1 == want_id) {
			*want = malloc(len[k]);
			memcpy(*want, f + off, len[k] - 4u);
			put32(*want + len[k] - 4, fw_version);
			*want_len = len[k];
		}
		off += len[k];
	}
	f[off] = project; /* data length opcode: project id */
	f[off + 1] = 1;
	f[off + 2] = 0;
	memcpy(f + off + 3, "\x51\x04\xfd\x77", 4);
	*n = total;
	return f;
}

static uint8_t *rtl_config(size_t body, size_t *n)
{
	uint8_t *c = malloc(6 + body);
	put32(c, 0x8723ab55u);
	put16(c + 4, (uint16_t)body);
	for (size_t i = 0; i < body; i++)
		c[6 + i] = (uint8_t)(0xC0 ^ i);
	*n = 6 + body;
	return c;
}

/* 8761BU, ROM version 1: the patch of chip id 2 (140 chunks: the index wraps past 0x7F) plus the
 * config, every chunk acknowledged, the controller's hash equal to it, the new version read. */
static void test_rtl_8761bu_loads_patch_for_rom_version(void **state)
{
	const uint16_t lens[3] = {1000, 140 * 252 - 100, 2000};
	uint8_t *want;
	size_t wlen, n, cn;
	uint8_t *f = rtl_fw(14, 0x0999646bu, lens, &n, 2, &want, &wlen);
	uint8_t *cfg = rtl_config(60, &cn);
	write_file("rtl_bt/rtl8761bu_fw.bin", f, n);
	write_file("rtl_bt/rtl8761bu_config.bin", cfg, cn);
	uint32_t h = fnv(fnv(FNV0, want, wlen), cfg, cn);
	struct run r;
	assert_int_equal(up(&r, "realtek-8761bu", NULL, false), 0);
	struct sim_vendor_stats st;
	sim_ctrl_vendor_stats(r.ctrl, &st);
	assert_string_equal(st.error, "");
	assert_int_equal(st.nacked, 0);
	assert_true(st.complete && st.running);
	assert_int_equal(st.cmds, (wlen + cn + 251) / 252);
	assert_int_equal(st.bytes, wlen + cn);
	assert_int_equal(st.hash, h);
	struct l2k_vendor_startup vs;
	assert_int_equal(l2k_vendor_startup(r.s, &vs), 0);
	assert_string_equal(vs.family, "realtek");
	assert_string_equal(vs.chip, "RTL8761BU");
	assert_true(vs.loaded && !vs.skipped);
	assert_non_null(strstr(vs.file, "rtl_bt/rtl8761bu_fw.bin"));
	assert_non_null(strstr(vs.file2, "rtl_bt/rtl8761bu_config.bin"));
	assert_int_equal(vs.chunks, st.cmds);
	assert_string_equal(vs.before, "hci_rev 0x000b lmp_subver 0x8761");
	struct l2k_controller_info ci;
	assert_int_equal(l2k_controller_info(r.s, &ci), 0);
	assert_int_equal(ci.lmp_subversion, h & 0xFFFF);
	assert_int_equal(ci.hci_revision, h >> 16);
	char after[64];
	snprintf(after, sizeof(after), "hci_rev 0x%04x lmp_subver 0x%04x", h >> 16, h & 0xFFFF);
	assert_string_equal(vs.after, after);
	down(&r);
	free(f);
	free(cfg);
	free(want);
	rm("rtl_bt/rtl8761bu_fw.bin");
	rm("rtl_bt/rtl8761bu_config.bin");
}

/* An 8821C takes rtl8821c_fw.bin (project 10), not the 8761BU's file lying beside it; no config
 * file: the patch alone (a length that is a multiple of 252: the last chunk is full). */
static void test_rtl_8821c_takes_its_own_file(void **state)
{
	const uint16_t lens8761[3] = {300, 400, 500}, lens[3] = {504, 252 * 3, 100};
	uint8_t *want, *w2;
	size_t wlen, w2len, n, n2;
	uint8_t *f = rtl_fw(10, 0x11223344u, lens, &n, 2, &want, &wlen);
	uint8_t *g = rtl_fw(14, 0x55667788u, lens8761, &n2, 2, &w2, &w2len);
	write_file("rtl_bt/rtl8821c_fw.bin", f, n);
	write_file("rtl_bt/rtl8761bu_fw.bin", g, n2);
	struct run r;
	assert_int_equal(up(&r, "realtek-8821c", NULL, false), 0);
	struct sim_vendor_stats st;
	sim_ctrl_vendor_stats(r.ctrl, &st);
	assert_string_equal(st.error, "");
	assert_int_equal(st.cmds, 3);
	assert_int_equal(st.hash, fnv(FNV0, want, wlen));
	struct l2k_vendor_startup vs;
	l2k_vendor_startup(r.s, &vs);
	assert_string_equal(vs.chip, "RTL8821C");
	assert_non_null(strstr(vs.file, "rtl_bt/rtl8821c_fw.bin"));
	assert_string_equal(vs.file2, "");
	down(&r);
	free(f);
	free(g);
	free(want);
	free(w2);
	rm("rtl_bt/rtl8821c_fw.bin");
	rm("rtl_bt/rtl8761bu_fw.bin");
}

static void test_rtl_missing_file_named(void **state)
{
	struct run r;
	assert_int_equal(up(&r, "realtek-8761bu", NULL, false), L2K_ENOENT);
	assert_error_has(&r, "rtl_bt/rtl8761bu_fw.bin", "firmware-realtek");
	assert_error_has(&r, fwdir, "/lib/firmware");
	struct sim_vendor_stats st;
	sim_ctrl_vendor_stats(r.ctrl, &st);
	assert_int_equal(st.cmds, 0);
	down(&r);
}

static void test_rtl_corrupt_files(void **state)
{
	const uint16_t lens[3] = {300, 600, 300};
	uint8_t *want;
	size_t wlen, n;
	uint8_t *f = rtl_fw(14, 1, lens, &n, 2, &want, &wlen);
	struct run r;
	/* bad signature */
	f[0] = 'X';
	write_file("rtl_bt/rtl8761bu_fw.bin", f, n);
	assert_int_equal(up(&r, "realtek-8761bu", NULL, false), L2K_EBADMSG);
	assert_error_has(&r, "rtl_bt/rtl8761bu_fw.bin", "bad signature");
	down(&r);
	f[0] = 'R';
	/* truncated: the extension signature is gone */
	write_file("rtl_bt/rtl8761bu_fw.bin", f, n - 500);
	assert_int_equal(up(&r, "realtek-8761bu", NULL, false), L2K_EBADMSG);
	assert_error_has(&r, "rtl_bt/rtl8761bu_fw.bin", "truncated");
	down(&r);
	/* for another chip (project id 10: an 8821C's) */
	uint8_t *g, *w2;
	size_t gn, w2len;
	g = rtl_fw(10, 1, lens, &gn, 2, &w2, &w2len);
	write_file("rtl_bt/rtl8761bu_fw.bin", g, gn);
	assert_int_equal(up(&r, "realtek-8761bu", NULL, false), L2K_EBADMSG);
	assert_error_has(&r, "project id 10", "RTL8761BU");
	down(&r);
	/* a config file with a bad signature */
	write_file("rtl_bt/rtl8761bu_fw.bin", f, n);
	write_file("rtl_bt/rtl8761bu_config.bin", (const uint8_t *)"NOTACONFIG", 10);
	assert_int_equal(up(&r, "realtek-8761bu", NULL, false), L2K_EBADMSG);
	assert_error_has(&r, "rtl_bt/rtl8761bu_config.bin", "bad signature");
	struct sim_vendor_stats st;
	sim_ctrl_vendor_stats(r.ctrl, &st);
	assert_int_equal(st.cmds, 0); /* nothing sent from a bad file */
	down(&r);
	/* a config file shorter than its length field */
	size_t cn;
	uint8_t *cfg = rtl_config(40, &cn);
	write_file("rtl_bt/rtl8761bu_config.bin", cfg, cn - 10);
	assert_int_equal(up(&r, "realtek-8761bu", NULL, false), L2K_EBADMSG);
	assert_error_has(&r, "rtl_bt/rtl8761bu_config.bin", "truncated");
	down(&r);
	free(cfg);
	free(f);
	free(g);
	free(want);
	free(w2);
	rm("rtl_bt/rtl8761bu_fw.bin");
	rm("rtl_bt/rtl8761bu_config.bin");
}

static void test_rtl_no_patch_for_rom_version(void **state)
{
	const uint16_t lens[3] = {300, 600, 300};
	uint8_t *want;
	size_t wlen, n;
	uint8_t *f = rtl_fw(14, 1, lens, &n, 2, &want, &wlen);
	put16(f + 14 + 2, 7); /* the chip id 2 entry becomes 7: none for ROM version 1 */
	write_file("rtl_bt/rtl8761bu_fw.bin", f, n);
	struct run r;
	assert_int_equal(up(&r, "realtek-8761bu", NULL, false), L2K_ENOENT);
	assert_error_has(&r, "rtl_bt/rtl8761bu_fw.bin", "no patch for ROM version 1");
	down(&r);
	free(f);
	free(want);
	rm("rtl_bt/rtl8761bu_fw.bin");
}

static void test_rtl_nacked_chunk(void **state)
{
	const uint16_t lens[3] = {300, 2000, 300};
	uint8_t *want;
	size_t wlen, n;
	uint8_t *f = rtl_fw(14, 1, lens, &n, 2, &want, &wlen);
	write_file("rtl_bt/rtl8761bu_fw.bin", f, n);
	struct run r;
	assert_int_equal(up(&r, "realtek-8761bu", "vendor-nack=3", false), L2K_ECTRL);
	assert_error_has(&r, "refused chunk 3 of 8 of rtl_bt/rtl8761bu_fw.bin", "status 0x1f");
	struct sim_vendor_stats st;
	sim_ctrl_vendor_stats(r.ctrl, &st);
	assert_int_equal(st.cmds, 2);
	assert_int_equal(st.nacked, 1);
	assert_false(st.running);
	down(&r);
	free(f);
	free(want);
	rm("rtl_bt/rtl8761bu_fw.bin");
}

/* no_vendor_init: bring-up goes on with the ROM firmware, nothing sent */
static void test_skip_option(void **state)
{
	struct run r;
	assert_int_equal(up(&r, "realtek-8761bu", NULL, true), 0);
	struct sim_vendor_stats st;
	sim_ctrl_vendor_stats(r.ctrl, &st);
	assert_int_equal(st.cmds, 0);
	assert_false(st.running);
	struct l2k_vendor_startup vs;
	l2k_vendor_startup(r.s, &vs);
	assert_true(vs.skipped);
	assert_false(vs.loaded);
	assert_string_equal(vs.family, "realtek");
	struct l2k_controller_info ci;
	l2k_controller_info(r.s, &ci);
	assert_int_equal(ci.lmp_subversion, 0x8761);
	down(&r);
}

/* A controller with no VID:PID (a plain sim) gets no start-up; the USB table */
static void test_no_vendor_and_usb_table(void **state)
{
	struct l2k_vclock vc = {0};
	struct run r = {.ready = 1};
	struct l2k_stack_opts o = {.clock = l2k_vclock_now, .clock_arg = &vc, .firmware_dir = fwdir};
	struct l2k_stack_cbs cbs = {.user = &r, .ready = on_ready};
	assert_int_equal(l2k_stack_open("sim:air=novendor", &o, &cbs, &r.s, NULL, 0), 0);
	assert_int_equal(l2k_sim_run_until(&r.s, 1, &vc, is_ready, &r, 10000), 0);
	assert_int_equal(r.ready, 0);
	struct l2k_vendor_startup vs;
	l2k_vendor_startup(r.s, &vs);
	assert_string_equal(vs.family, "none");
	assert_false(vs.usb_known);
	l2k_stack_close(r.s);
	const char *fam, *pkg;
	assert_non_null(l2k_usb_vendor_startup(0x0bda, 0x8771, &fam, &pkg));
	assert_string_equal(fam, "realtek");
	assert_string_equal(pkg, "firmware-realtek");
	assert_non_null(l2k_usb_vendor_startup(0x8087, 0x0029, &fam, &pkg));
	assert_string_equal(pkg, "firmware-iwlwifi");
	assert_non_null(l2k_usb_vendor_startup(0x0a5c, 0x21e8, &fam, NULL));
	assert_string_equal(fam, "broadcom");
	assert_null(l2k_usb_vendor_startup(0x0a12, 0x0001, &fam, NULL)); /* CSR8510: nothing */
	assert_string_equal(fam, "none");
	assert_null(l2k_usb_vendor_startup(0x1915, 0x521f, &fam, NULL)); /* unknown */
	assert_string_equal(fam, "none");
	assert_non_null(l2k_usb_vendor_startup(0x0e8d, 0x0608, &fam, NULL)); /* MediaTek: not done */
	assert_string_equal(fam, "other");
}

/* ---- Intel --------------------------------------------------------------------------------- */

/* A legacy .sfi: CSS header (version 0x00010000 at 8, size in dwords at 24), key, signature,
 * then commands with Write Boot Params (boot address, build 0x2a week 0x10 year 0x14); a
 * multiple of 4 octets. */
static uint8_t *intel_sfi(size_t ncmds, size_t *n)
{
	size_t cap = 644 + ncmds * 40 + 64;
	uint8_t *f = calloc(1, cap);
	for (size_t i = 0; i < 644; i++)
		f[i] = (uint8_t)(i * 13);
	put32(f + 8, 0x00010000u);
	size_t off = 644;
	for (size_t k = 0; k < ncmds; k++) {
		uint8_t pl = (uint8_t)(1 + 4 * (k % 8)); /* 3 + pl: multiples of 4 */
		put16(f + off, 0xFC8E);
		f[off + 2] = pl;
		for (uint8_t i = 0; i < pl; i++)
			f[off + 3 + i] = (uint8_t)(k + i);
		off += 3u + pl;
		if (k == ncmds / 2) { /* Write Boot Params + 2 padding octets in a 1-octet command */
			put16(f + off, 0xFC0E);
			f[off + 2] = 7;
			put32(f + off + 3, 0x00045678u);
			f[off + 7] = 0x2a;
			f[off + 8] = 0x10;
			f[off + 9] = 0x14;
			off += 10;
			put16(f + off, 0xFC8E);
			f[off + 2] = 3;
			off += 6;
		}
	}
	assert_int_equal(off % 4, 0);
	put32(f + 24, (uint32_t)(off / 4));
	*n = off;
	return f;
}

static uint8_t *intel_ddc(size_t *n)
{
	static const uint8_t d[] = {4, 0x01, 0x00, 0xAA, 0xBB, 3, 0x02, 0x00, 0xCC, 6, 0x03, 0x01, 1, 2, 3, 4};
	uint8_t *b = malloc(sizeof(d));
	memcpy(b, d, sizeof(d));
	*n = sizeof(d);
	return b;
}

static void intel_ok(const char *vendor, const char *sfi, const char *ddc)
{
	size_t n, dn;
	uint8_t *f = intel_sfi(60, &n), *d = intel_ddc(&dn);
	write_file(sfi, f, n);
	write_file(ddc, d, dn);
	struct run r;
	assert_int_equal(up(&r, vendor, NULL, false), 0);
	struct sim_vendor_stats st;
	sim_ctrl_vendor_stats(r.ctrl, &st);
	assert_string_equal(st.error, "");
	assert_int_equal(st.nacked, 0);
	assert_true(st.complete && st.running);
	/* all but the public key's 4-octet exponent (384..387), which is not sent */
	assert_int_equal(st.bytes, n - 4);
	assert_int_equal(st.hash, fnv(fnv(FNV0, f, 384), f + 388, n - 388));
	assert_int_equal(st.ddc, 3);
	struct l2k_vendor_startup vs;
	l2k_vendor_startup(r.s, &vs);
	assert_string_equal(vs.family, "intel");
	assert_true(vs.loaded);
	assert_non_null(strstr(vs.file, sfi));
	assert_non_null(strstr(vs.file2, ddc));
	assert_string_equal(vs.before, "bootloader (fw_variant 0x06) build 0 week 0 year 0");
	assert_string_equal(vs.after, "operational (fw_variant 0x23) build 42 week 16 year 20");
	assert_int_equal(vs.chunks, st.cmds);
	down(&r);
	free(f);
	free(d);
	rm(sfi);
	rm(ddc);
}

static void test_intel_8265_sfi_and_ddc(void **state)
{
	intel_ok("intel-8265", "intel/ibt-12-16.sfi", "intel/ibt-12-16.ddc");
}

static void test_intel_ax200_sfi_and_ddc(void **state)
{
	intel_ok("intel-ax200", "intel/ibt-20-1-3.sfi", "intel/ibt-20-1-3.ddc");
}

static void test_intel_missing_corrupt_nack(void **state)
{
	struct run r;
	assert_int_equal(up(&r, "intel-ax200", NULL, false), L2K_ENOENT);
	assert_error_has(&r, "intel/ibt-20-1-3.sfi", "firmware-iwlwifi");
	down(&r);
	size_t n;
	uint8_t *f = intel_sfi(20, &n);
	/* bad CSS header version */
	f[10] = 0x02;
	write_file("intel/ibt-20-1-3.sfi", f, n);
	assert_int_equal(up(&r, "intel-ax200", NULL, false), L2K_EBADMSG);
	assert_error_has(&r, "intel/ibt-20-1-3.sfi", "bad signature");
	down(&r);
	f[10] = 0x01;
	/* truncated in the middle of a command */
	write_file("intel/ibt-20-1-3.sfi", f, n - 2);
	assert_int_equal(up(&r, "intel-ax200", NULL, false), L2K_EBADMSG);
	assert_error_has(&r, "intel/ibt-20-1-3.sfi", "truncated");
	struct sim_vendor_stats st;
	sim_ctrl_vendor_stats(r.ctrl, &st);
	assert_int_equal(st.cmds, 0);
	down(&r);
	/* the second fragment (public key) refused */
	write_file("intel/ibt-20-1-3.sfi", f, n);
	assert_int_equal(up(&r, "intel-ax200", "vendor-nack=2", false), L2K_ECTRL);
	assert_error_has(&r, "refused fragment 2 of", "intel/ibt-20-1-3.sfi");
	down(&r);
	/* a corrupted DDC file */
	write_file("intel/ibt-20-1-3.ddc", (const uint8_t *)"\x09\x01\x00\xAA", 4);
	assert_int_equal(up(&r, "intel-ax200", NULL, false), L2K_EBADMSG);
	assert_error_has(&r, "intel/ibt-20-1-3.ddc", "truncated");
	down(&r);
	free(f);
	rm("intel/ibt-20-1-3.sfi");
	rm("intel/ibt-20-1-3.ddc");
}

/* ---- Broadcom ------------------------------------------------------------------------------ */

static uint8_t *bcm_hcd(unsigned nrec, size_t *n)
{
	uint8_t *f = malloc(nrec * 40 + 16);
	size_t off = 0;
	for (unsigned k = 0; k < nrec; k++) { /* Write RAM: address(4) data */
		uint8_t pl = (uint8_t)(4 + k % 30);
		put16(f + off, 0xFC4C);
		f[off + 2] = pl;
		put32(f + off + 3, 0x00080000u + k * 64);
		for (uint8_t i = 4; i < pl; i++)
			f[off + 3 + i] = (uint8_t)(k ^ i);
		off += 3u + pl;
	}
	put16(f + off, 0xFC4E); /* Launch RAM */
	f[off + 2] = 4;
	put32(f + off + 3, 0xFFFFFFFFu);
	off += 7;
	*n = off;
	return f;
}

static void test_bcm_patchram(void **state)
{
	size_t n;
	uint8_t *f = bcm_hcd(50, &n);
	uint32_t h = fnv(FNV0, f, n);
	struct run r;
	/* the generic name when the VID-PID one is not there */
	write_file("brcm/BCM20702A1.hcd", f, n);
	assert_int_equal(up(&r, "broadcom-20702", NULL, false), 0);
	struct sim_vendor_stats st;
	sim_ctrl_vendor_stats(r.ctrl, &st);
	assert_int_equal(st.cmds, 51);
	assert_int_equal(st.hash, h);
	assert_true(st.running);
	struct l2k_vendor_startup vs;
	l2k_vendor_startup(r.s, &vs);
	assert_string_equal(vs.chip, "BCM20702A1");
	assert_non_null(strstr(vs.file, "brcm/BCM20702A1.hcd"));
	assert_string_equal(vs.before, "hci_rev 0x1000 lmp_subver 0x220e");
	struct l2k_controller_info ci;
	l2k_controller_info(r.s, &ci);
	assert_int_equal(ci.hci_revision, 0x1000 | (h & 0x0FFF));
	down(&r);
	/* the VID-PID one first */
	uint8_t *g = bcm_hcd(10, &n);
	write_file("brcm/BCM20702A1-0a5c-21e8.hcd", g, n);
	assert_int_equal(up(&r, "broadcom-20702", NULL, false), 0);
	sim_ctrl_vendor_stats(r.ctrl, &st);
	assert_int_equal(st.hash, fnv(FNV0, g, n));
	l2k_vendor_startup(r.s, &vs);
	assert_non_null(strstr(vs.file, "brcm/BCM20702A1-0a5c-21e8.hcd"));
	down(&r);
	/* a NACKed command */
	assert_int_equal(up(&r, "broadcom-20702", "vendor-nack=4", false), L2K_ECTRL);
	assert_error_has(&r, "refused command 4 (opcode 0xfc4c", "brcm/BCM20702A1-0a5c-21e8.hcd");
	down(&r);
	/* truncated */
	write_file("brcm/BCM20702A1-0a5c-21e8.hcd", g, n - 3);
	assert_int_equal(up(&r, "broadcom-20702", NULL, false), L2K_EBADMSG);
	assert_error_has(&r, "brcm/BCM20702A1-0a5c-21e8.hcd", "truncated");
	down(&r);
	/* not a patchram file */
	write_file("brcm/BCM20702A1-0a5c-21e8.hcd", (const uint8_t *)"\x03\x0c\x00", 3);
	assert_int_equal(up(&r, "broadcom-20702", NULL, false), L2K_EBADMSG);
	assert_error_has(&r, "brcm/BCM20702A1-0a5c-21e8.hcd", "not a vendor command");
	down(&r);
	/* missing: both names and the package note */
	rm("brcm/BCM20702A1-0a5c-21e8.hcd");
	rm("brcm/BCM20702A1.hcd");
	assert_int_equal(up(&r, "broadcom-20702", NULL, false), L2K_ENOENT);
	assert_error_has(&r, "brcm/BCM20702A1-0a5c-21e8.hcd (or brcm/BCM20702A1.hcd) not found", "Debian package");
	down(&r);
	free(f);
	free(g);
}

/* Every truncation of each family's file (and of the Realtek config) ends the bring-up cleanly:
 * an error that names the file, or - where the cut falls between whole records of a Broadcom
 * file - a good shorter download; never a read past the data (valgrind / ASan runs check that). */
static void test_every_truncation(void **state)
{
	struct run r;
	const uint16_t lens[3] = {40, 60, 30};
	uint8_t *want;
	size_t wlen, n, cn;
	uint8_t *f = rtl_fw(14, 1, lens, &n, 2, &want, &wlen);
	uint8_t *cfg = rtl_config(20, &cn);
	for (size_t k = 0; k < n; k++) {
		write_file("rtl_bt/rtl8761bu_fw.bin", f, k);
		assert_true(up(&r, "realtek-8761bu", NULL, false) < 0);
		assert_error_has(&r, "rtl_bt/rtl8761bu_fw.bin", NULL);
		down(&r);
	}
	write_file("rtl_bt/rtl8761bu_fw.bin", f, n);
	for (size_t k = 0; k < cn; k++) {
		write_file("rtl_bt/rtl8761bu_config.bin", cfg, k);
		int e = up(&r, "realtek-8761bu", NULL, false);
		if (k == 0) /* an empty config: too short for its header */
			assert_int_equal(e, L2K_EBADMSG);
		assert_true(e < 0);
		assert_error_has(&r, "rtl_bt/rtl8761bu_config.bin", NULL);
		down(&r);
	}
	size_t sn, dn;
	uint8_t *sfi = intel_sfi(4, &sn), *ddc = intel_ddc(&dn);
	for (size_t k = 0; k < sn; k += (k < 700 ? 1 : 3)) {
		write_file("intel/ibt-20-1-3.sfi", sfi, k);
		assert_true(up(&r, "intel-ax200", NULL, false) < 0);
		assert_error_has(&r, "intel/ibt-20-1-3.sfi", NULL);
		down(&r);
	}
	write_file("intel/ibt-20-1-3.sfi", sfi, sn);
	for (size_t k = 1; k < dn; k++) {
		write_file("intel/ibt-20-1-3.ddc", ddc, k);
		int e = up(&r, "intel-ax200", NULL, false);
		if (e < 0)
			assert_error_has(&r, "intel/ibt-20-1-3.ddc", NULL);
		down(&r);
	}
	size_t bn;
	uint8_t *hcd = bcm_hcd(5, &bn);
	for (size_t k = 0; k < bn; k++) {
		write_file("brcm/BCM20702A1-0a5c-21e8.hcd", hcd, k);
		int e = up(&r, "broadcom-20702", NULL, false);
		if (e < 0)
			assert_error_has(&r, "brcm/BCM20702A1-0a5c-21e8.hcd", NULL);
		down(&r);
	}
	free(f);
	free(want);
	free(cfg);
	free(sfi);
	free(ddc);
	free(hcd);
	rm("rtl_bt/rtl8761bu_fw.bin");
	rm("rtl_bt/rtl8761bu_config.bin");
	rm("intel/ibt-20-1-3.sfi");
	rm("intel/ibt-20-1-3.ddc");
	rm("brcm/BCM20702A1-0a5c-21e8.hcd");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_rtl_8761bu_loads_patch_for_rom_version, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rtl_8821c_takes_its_own_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rtl_missing_file_named, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rtl_corrupt_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rtl_no_patch_for_rom_version, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rtl_nacked_chunk, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_skip_option, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_vendor_and_usb_table, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_intel_8265_sfi_and_ddc, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_intel_ax200_sfi_and_ddc, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_intel_missing_corrupt_nack, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bcm_patchram, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_every_truncation, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
