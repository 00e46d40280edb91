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
#include "base/l2k_error.h"
#include "hci/vendor_int.h"
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
	    "rtl_bt/rtl8821c_config.bin", "rtl_bt/rtl8852bu_fw.bin", "rtl_bt/rtl8852bu_config.bin",
	    "intel/ibt-12-16.sfi", "intel/ibt-12-16.ddc", "intel/ibt-20-1-3.sfi",
	    "intel/ibt-20-1-3.ddc", "brcm/BCM20702A1-0a5c-21e8.hcd", "brcm/BCM20702A1.hcd",
	    "intel/ibt-0041-0041.sfi", "intel/ibt-0041-0041.ddc", "intel/ibt-0140-0041.sfi",
	    "intel/ibt-0140-0041.ddc", "intel/ibt-0410-0410.sfi"};
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

/* ---- Realtek v2 ("RTBTCore") ------------------------------------------------------------------ */

/* A v2 file: header, then sections (opcode, length) of subsections (eco, prio, key id or
 * reserved, reserved, length, data).  The fixture's subsections, in file order (index k): */
static const struct v2_sub {
	uint8_t sec, eco, prio, key;
} v2_subs[] = {
    /* section 1, opcode 0x01 (patch snippets) */
    {0, 1, 5, 0}, {0, 2, 7, 0}, {0, 2, 3, 0}, {0, 3, 1, 0}, {0, 2, 7, 0},
    /* section 2, opcode 0x02 (dummy header) */
    {1, 2, 5, 0}, {1, 1, 2, 0},
    /* section 3, opcode 0x03 (security header: key id in the third octet) */
    {2, 2, 0, 1}, {2, 2, 0, 2}, {2, 1, 9, 1},
    /* section 4, an opcode that is skipped */
    {3, 2, 1, 0},
    /* section 3 again: key id 0 in a security header (security headers are for chips with a
     * key id only) */
    {2, 2, 4, 0},
};
#define V2_NSUB (sizeof(v2_subs) / sizeof(v2_subs[0]))
static const uint32_t v2_ops[4] = {0x01, 0x02, 0x03, 0x7F};
static const uint32_t v2_lens[V2_NSUB] = {300, 700, 500, 400, 260, 100, 50, 256, 256, 80, 90, 70};
/* subsections 1 and 4 large: a download of more than 255 chunks */
static const uint32_t v2_lens_big[V2_NSUB] = {300, 40000, 500, 400, 30000, 100, 50, 256, 256, 80, 90, 70};
static const uint32_t v2_lens_tiny[V2_NSUB] = {3, 2, 1, 2, 3, 1, 2, 1, 2, 1, 1, 2};

static uint8_t v2_byte(size_t k, size_t j)
{
	return (uint8_t)(j * 13 + k * 41 + (j >> 8));
}

/* The fixture as a v2 file for the project id, with these subsection lengths; its size in *n.
 * The non-security subsections carry 0x77 where a security header has its key id (not
 * compared there). */
static uint8_t *rtl_v2_fw(uint8_t project, const uint32_t lens[V2_NSUB], size_t *n)
{
	size_t total = 20 + 7;
	for (size_t s = 0; s < 4; s++)
		total += 8 + 4;
	for (size_t k = 0; k < V2_NSUB; k++)
		total += 8 + lens[k];
	uint8_t *f = calloc(1, total);
	assert_non_null(f);
	memcpy(f, "RTBTCore", 8);
	put32(f + 8, 0x11223344u); /* fw version (8) */
	put32(f + 12, 0x55667788u);
	put32(f + 16, 4);
	size_t off = 20;
	for (uint8_t s = 0; s < 4; s++) {
		size_t sec = off, num = 0;
		put32(f + off, v2_ops[s]);
		off += 8;
		size_t cnt = off;
		off += 4;
		for (size_t k = 0; k < V2_NSUB; k++) {
			if (v2_subs[k].sec != s)
				continue;
			f[off] = v2_subs[k].eco;
			f[off + 1] = v2_subs[k].prio;
			f[off + 2] = s == 2 ? v2_subs[k].key : 0x77;
			put32(f + off + 4, lens[k]);
			off += 8;
			for (size_t j = 0; j < lens[k]; j++)
				f[off + j] = v2_byte(k, j);
			off += lens[k];
			num++;
		}
		put16(f + cnt, (uint16_t)num);
		put32(f + sec + 4, (uint32_t)(off - sec - 8));
	}
	f[off] = project; /* data length opcode: project id */
	f[off + 1] = 1;
	f[off + 2] = 0;
	memcpy(f + off + 3, "\x51\x04\xfd\x77", 4);
	assert_int_equal(off + 7, total);
	*n = total;
	return f;
}

/* The subsections order[0..k) concatenated: what the controller must receive (before the
 * config). */
static uint8_t *rtl_v2_want(const int *order, size_t k, const uint32_t lens[V2_NSUB], size_t *n)
{
	size_t total = 0;
	for (size_t i = 0; i < k; i++)
		total += lens[order[i]];
	uint8_t *w = malloc(total), *p = w;
	for (size_t i = 0; i < k; i++) {
		for (size_t j = 0; j < lens[order[i]]; j++)
			p[j] = v2_byte((size_t)order[i], j);
		p += lens[order[i]];
	}
	*n = total;
	return w;
}

/* One v2 load: ROM version / key id from the spec extras (NULL: the personality's, 1 and 0);
 * the controller must receive exactly the subsections order[0..k) (then the config, which a
 * chip with a key id does not take), every chunk acknowledged, the new version read back. */
static void rtl_v2_case(const char *extra, uint8_t key_id, const int *order, size_t k, const uint32_t lens[V2_NSUB])
{
	size_t n, cn, wlen;
	uint8_t *f = rtl_v2_fw(20, lens, &n);
	uint8_t *cfg = rtl_config(40, &cn);
	uint8_t *want = rtl_v2_want(order, k, lens, &wlen);
	write_file("rtl_bt/rtl8852bu_fw.bin", f, n);
	write_file("rtl_bt/rtl8852bu_config.bin", cfg, cn);
	size_t sent = wlen + (key_id ? 0 : cn);
	uint32_t h = fnv(FNV0, want, wlen);
	if (!key_id)
		h = fnv(h, cfg, cn);
	struct run r;
	assert_int_equal(up(&r, "realtek-8852bu", extra, false), 0);
	struct sim_vendor_stats st;
	sim_ctrl_vendor_stats(r.ctrl, &st);
	assert_string_equal(st.error, "");
	assert_int_equal(st.nacked, 0);
	assert_true(st.complete && st.running);
	assert_int_equal(st.cmds, (sent + 251) / 252);
	assert_int_equal(st.bytes, sent);
	if (st.hash != h)
		fail_msg("%s: the controller received another image (hash 0x%08x, want 0x%08x)", extra ? extra : "default",
			 st.hash, h);
	struct l2k_vendor_startup vs;
	assert_int_equal(l2k_vendor_startup(r.s, &vs), 0);
	assert_string_equal(vs.chip, "RTL8852BU");
	assert_true(vs.loaded);
	assert_non_null(strstr(vs.file, "rtl_bt/rtl8852bu_fw.bin"));
	if (key_id)
		assert_string_equal(vs.file2, "");
	else
		assert_non_null(strstr(vs.file2, "rtl_bt/rtl8852bu_config.bin"));
	assert_int_equal(vs.chunks, st.cmds);
	assert_string_equal(vs.before, "hci_rev 0x000b lmp_subver 0x8852");
	struct l2k_controller_info ci;
	assert_int_equal(l2k_controller_info(r.s, &ci), 0);
	assert_int_equal(ci.lmp_subversion, h & 0xFFFF);
	assert_int_equal(ci.hci_revision, h >> 16);
	down(&r);
	free(f);
	free(cfg);
	free(want);
}

/* The subsections of the chip's eco (ROM version + 1) from the snippet and dummy sections, and
 * from the security section those of its key id when it has one; by ascending prio, the later
 * one first among equal prios; the skipped opcode's never. */
static void test_rtl_v2_subsections_by_eco_and_key(void **state)
{
	static const int rom1[] = {2, 5, 4, 1}, rom1_key1[] = {7, 2, 5, 4, 1}, rom1_key2[] = {8, 2, 5, 4, 1},
			 rom0[] = {6, 0}, rom0_key1[] = {6, 0, 9}, rom2[] = {3};
	rtl_v2_case(NULL, 0, rom1, 4, v2_lens);
	rtl_v2_case("vendor-rom=1,vendor-key-id=0", 0, rom1, 4, v2_lens);
	rtl_v2_case("vendor-key-id=1", 1, rom1_key1, 5, v2_lens);
	rtl_v2_case("vendor-key-id=2", 2, rom1_key2, 5, v2_lens);
	rtl_v2_case("vendor-rom=0", 0, rom0, 2, v2_lens);
	rtl_v2_case("vendor-rom=0,vendor-key-id=1", 1, rom0_key1, 3, v2_lens);
	rtl_v2_case("vendor-rom=2", 0, rom2, 1, v2_lens);
	rm("rtl_bt/rtl8852bu_fw.bin");
	rm("rtl_bt/rtl8852bu_config.bin");
}

/* A patch of 281 chunks: after index 0x7F the index goes on at 1, also past the 255th chunk
 * (where (i & 0x7F) + 1 would give 0x80, the "last chunk" bit). */
static void test_rtl_v2_more_than_255_chunks(void **state)
{
	static const int rom1[] = {2, 5, 4, 1};
	rtl_v2_case(NULL, 0, rom1, 4, v2_lens_big);
	rm("rtl_bt/rtl8852bu_fw.bin");
	rm("rtl_bt/rtl8852bu_config.bin");
}

static void v2_bad(uint8_t *f, size_t n, const char *extra, int err, const char *a, const char *b)
{
	struct run r;
	write_file("rtl_bt/rtl8852bu_fw.bin", f, n);
	assert_int_equal(up(&r, "realtek-8852bu", extra, false), err);
	assert_error_has(&r, "rtl_bt/rtl8852bu_fw.bin", a);
	if (b)
		assert_error_has(&r, b, NULL);
	struct sim_vendor_stats st;
	sim_ctrl_vendor_stats(r.ctrl, &st);
	assert_int_equal(st.cmds, 0); /* nothing sent from a bad file */
	down(&r);
}

static void test_rtl_v2_corrupt_files(void **state)
{
	size_t n;
	uint8_t *f = rtl_v2_fw(20, v2_lens, &n);
	uint8_t *g = malloc(n);
	const size_t sec1_len = 20 + 4, sub1_len = 20 + 8 + 4 + 4;
	/* a section longer than the rest of the file */
	memcpy(g, f, n);
	put32(g + sec1_len, 0x00100000u);
	v2_bad(g, n, NULL, L2K_EBADMSG, "section 1 (opcode 0x01) has length 1048576", "bad length");
	/* a subsection longer than its section */
	memcpy(g, f, n);
	put32(g + sub1_len, 3000);
	v2_bad(g, n, NULL, L2K_EBADMSG, "subsection 1 of section 1", "past the section's end");
	/* more subsections announced than the section holds */
	memcpy(g, f, n);
	put16(g + 20 + 8, 9);
	v2_bad(g, n, NULL, L2K_EBADMSG, "announces 9 subsections", "bad length");
	/* more sections announced than the file holds */
	memcpy(g, f, n);
	put32(g + 16, 9);
	v2_bad(g, n, NULL, L2K_EBADMSG, "9 sections announced", "truncated");
	/* no subsection for the chip's eco */
	v2_bad(f, n, "vendor-rom=5", L2K_ENOENT, "no patch for ROM version 5", "eco 6");
	/* ROM version 255: eco 256, which no subsection's octet holds (not eco 0) */
	memcpy(g, f, n);
	g[sub1_len - 4] = 0; /* subsection 1's eco */
	v2_bad(g, n, "vendor-rom=255", L2K_ENOENT, "no patch for ROM version 255", "eco 256");
	/* truncated: its extension section gone */
	v2_bad(f, n - 300, NULL, L2K_EBADMSG, "no extension signature", "truncated");
	/* for another chip (project id 14: an 8761B's) */
	uint8_t *o = rtl_v2_fw(14, v2_lens, &n);
	v2_bad(o, n, NULL, L2K_EBADMSG, "project id 14", "RTL8852BU");
	/* the v3 format */
	memcpy(o, "BTNIC003", 8);
	v2_bad(o, n, NULL, L2K_ENOTSUP, "v3 (\"BTNIC003\")", NULL);
	free(f);
	free(g);
	free(o);
	rm("rtl_bt/rtl8852bu_fw.bin");
}

/* Any octet of a (small) v2 file set to 0x00, 0x7F or 0xFF - counts, lengths, opcodes, ecos,
 * key ids, the trailer: the bring-up ends, loaded or with an error naming the file, and what
 * the controller got is what was acknowledged (never a read past the data: ASan / valgrind
 * runs check that). */
static void test_rtl_v2_every_octet_corrupted(void **state)
{
	static const uint8_t vals[3] = {0x00, 0x7F, 0xFF};
	size_t n;
	uint8_t *f = rtl_v2_fw(20, v2_lens_tiny, &n);
	uint8_t *g = malloc(n);
	unsigned loaded = 0, failed = 0;
	for (size_t i = 0; i < n; i++) {
		for (size_t v = 0; v < 3; v++) {
			if (f[i] == vals[v])
				continue;
			memcpy(g, f, n);
			g[i] = vals[v];
			write_file("rtl_bt/rtl8852bu_fw.bin", g, n);
			struct run r;
			int e = up(&r, "realtek-8852bu", NULL, false);
			struct sim_vendor_stats st;
			sim_ctrl_vendor_stats(r.ctrl, &st);
			if (e < 0) {
				assert_error_has(&r, "rtl_bt/rtl8852bu_fw.bin", NULL);
				assert_int_equal(st.cmds, 0);
				failed++;
			} else {
				assert_string_equal(st.error, "");
				assert_true(st.complete && st.running);
				loaded++;
			}
			down(&r);
		}
	}
	assert_true(loaded > 0 && failed > 0);
	free(f);
	free(g);
	rm("rtl_bt/rtl8852bu_fw.bin");
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
 * multiple of 4 octets.  tlv: a TLV-era one, the ECDSA header (320: 0x06, CSS header version
 * 0x00020000 at 8, its size - itself and the commands - in dwords at 24, key 96, signature 96)
 * between the RSA header and the commands (at 964). */
static uint8_t *intel_sfi_of(size_t ncmds, bool tlv, size_t *n)
{
	size_t hdr = tlv ? 964 : 644;
	size_t cap = hdr + ncmds * 40 + 64;
	uint8_t *f = calloc(1, cap);
	for (size_t i = 0; i < 644; i++)
		f[i] = (uint8_t)(i * 13);
	put32(f + 8, 0x00010000u);
	for (size_t i = 644; i < hdr; i++)
		f[i] = (uint8_t)(i * 29 + 7);
	if (tlv) {
		f[644] = 0x06;
		put32(f + 644 + 8, 0x00020000u);
	}
	size_t off = hdr;
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
	if (tlv)
		put32(f + 644 + 24, (uint32_t)((off - 644) / 4));
	*n = off;
	return f;
}

static uint8_t *intel_sfi(size_t ncmds, size_t *n)
{
	return intel_sfi_of(ncmds, false, n);
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

/* ---- Intel TLV (AX210 and later) ----------------------------------------------------------- */

/* What the controller must receive of a TLV-era file: the ECDSA header and the commands
 * (engine ECDSA), or the RSA header but for its exponent and the commands (RSA) */
static uint32_t tlv_hash(const uint8_t *f, size_t n, bool ecdsa, size_t *bytes)
{
	if (ecdsa) {
		*bytes = n - 644;
		return fnv(FNV0, f + 644, n - 644);
	}
	*bytes = 640 + (n - 964);
	return fnv(fnv(fnv(FNV0, f, 384), f + 388, 256), f + 964, n - 964);
}

/* The file named from the CNVi/CNVr top (type << 4 | step, octets swapped), the header of the
 * controller's secure boot engine, every fragment acknowledged, the hash equal to the file's,
 * booted at the file's boot address, the new build read back (TLV), the DDC file written.  A
 * decoy under the other personality's name lies beside it. */
static void intel_tlv_ok(const char *vendor, const char *sfi, const char *ddc, const char *decoy, bool ecdsa,
			 const char *chip)
{
	size_t n, dn, gn;
	uint8_t *f = intel_sfi_of(60, true, &n), *d = intel_ddc(&dn), *g = intel_sfi_of(7, true, &gn);
	write_file(sfi, f, n);
	write_file(ddc, d, dn);
	write_file(decoy, g, gn);
	size_t bytes;
	uint32_t h = tlv_hash(f, n, ecdsa, &bytes);
	struct run r;
	assert_int_equal(up(&r, vendor, NULL, false), 0);
	struct sim_vendor_stats st;
	sim_ctrl_vendor_stats(r.ctrl, &st);
	assert_string_equal(st.error, "");
	assert_int_equal(st.nacked, 0);
	assert_true(st.complete && st.running);
	assert_int_equal(st.bytes, bytes);
	assert_int_equal(st.hash, h);
	assert_int_equal(st.ddc, 3);
	struct l2k_vendor_startup vs;
	l2k_vendor_startup(r.s, &vs);
	assert_string_equal(vs.family, "intel");
	assert_string_equal(vs.chip, chip);
	assert_true(vs.loaded);
	assert_non_null(strstr(vs.file, sfi));
	assert_non_null(strstr(vs.file2, ddc));
	assert_int_equal(vs.bytes, bytes);
	assert_int_equal(vs.chunks, st.cmds);
	assert_string_equal(vs.before, "bootloader (image 0x01) build 18 week 5 year 21");
	assert_string_equal(vs.after, "operational (image 0x03) build 42 week 16 year 20");
	down(&r);
	free(f);
	free(d);
	free(g);
	rm(sfi);
	rm(ddc);
	rm(decoy);
}

/* AX210: CNVi and CNVr top 0x410 step 0 -> ibt-0041-0041; ECDSA engine */
static void test_intel_ax210_tlv_ecdsa(void **state)
{
	intel_tlv_ok("intel-ax210", "intel/ibt-0041-0041.sfi", "intel/ibt-0041-0041.ddc", "intel/ibt-0140-0041.sfi",
		     true, "Intel hw_variant 0x17");
}

/* AX211 (simulated): CNVi top 0x400 step 1 -> 0x4001 swapped: ibt-0140-0041; RSA engine */
static void test_intel_ax211_tlv_rsa(void **state)
{
	intel_tlv_ok("intel-ax211", "intel/ibt-0140-0041.sfi", "intel/ibt-0140-0041.ddc", "intel/ibt-0041-0041.sfi",
		     false, "Intel hw_variant 0x18");
}

static void test_intel_tlv_missing_corrupt_nack(void **state)
{
	struct run r;
	struct sim_vendor_stats st;
	/* missing: the name without the byte swap (ibt-0410-0410) is not taken either */
	size_t n;
	uint8_t *f = intel_sfi_of(30, true, &n);
	write_file("intel/ibt-0410-0410.sfi", f, n);
	assert_int_equal(up(&r, "intel-ax210", NULL, false), L2K_ENOENT);
	assert_error_has(&r, "intel/ibt-0041-0041.sfi", "firmware-iwlwifi");
	down(&r);
	/* a legacy file (RSA header only) */
	size_t ln;
	uint8_t *l = intel_sfi(30, &ln);
	write_file("intel/ibt-0041-0041.sfi", l, ln);
	assert_int_equal(up(&r, "intel-ax210", NULL, false), L2K_EBADMSG);
	assert_error_has(&r, "intel/ibt-0041-0041.sfi", "no ECDSA header");
	sim_ctrl_vendor_stats(r.ctrl, &st);
	assert_int_equal(st.cmds, 0);
	down(&r);
	/* a bad ECDSA CSS header version */
	f[644 + 10] = 0x03;
	write_file("intel/ibt-0041-0041.sfi", f, n);
	assert_int_equal(up(&r, "intel-ax210", NULL, false), L2K_EBADMSG);
	assert_error_has(&r, "intel/ibt-0041-0041.sfi", "bad signature");
	down(&r);
	f[644 + 10] = 0x02;
	/* a bad RSA CSS header version (the RSA engine's file) */
	f[10] = 0x07;
	write_file("intel/ibt-0140-0041.sfi", f, n);
	assert_int_equal(up(&r, "intel-ax211", NULL, false), L2K_EBADMSG);
	assert_error_has(&r, "intel/ibt-0140-0041.sfi", "bad signature");
	down(&r);
	f[10] = 0x01;
	/* truncated: in the middle of a command, and inside the ECDSA header */
	write_file("intel/ibt-0041-0041.sfi", f, n - 2);
	assert_int_equal(up(&r, "intel-ax210", NULL, false), L2K_EBADMSG);
	assert_error_has(&r, "intel/ibt-0041-0041.sfi", "truncated");
	down(&r);
	write_file("intel/ibt-0041-0041.sfi", f, 900);
	assert_int_equal(up(&r, "intel-ax210", NULL, false), L2K_EBADMSG);
	assert_error_has(&r, "intel/ibt-0041-0041.sfi", "truncated");
	down(&r);
	/* the third fragment (ECDSA signature) refused; then a payload fragment */
	write_file("intel/ibt-0041-0041.sfi", f, n);
	assert_int_equal(up(&r, "intel-ax210", "vendor-nack=3", false), L2K_ECTRL);
	assert_error_has(&r, "refused fragment 3 of", "intel/ibt-0041-0041.sfi");
	sim_ctrl_vendor_stats(r.ctrl, &st);
	assert_int_equal(st.cmds, 2);
	assert_false(st.running);
	down(&r);
	assert_int_equal(up(&r, "intel-ax210", "vendor-nack=5", false), L2K_ECTRL);
	assert_error_has(&r, "refused fragment 5 of", "type 0x01");
	down(&r);
	/* a corrupted DDC file */
	write_file("intel/ibt-0041-0041.ddc", (const uint8_t *)"\x09\x01\x00\xAA", 4);
	assert_int_equal(up(&r, "intel-ax210", NULL, false), L2K_EBADMSG);
	assert_error_has(&r, "intel/ibt-0041-0041.ddc", "truncated");
	down(&r);
	free(f);
	free(l);
	rm("intel/ibt-0041-0041.sfi");
	rm("intel/ibt-0041-0041.ddc");
	rm("intel/ibt-0140-0041.sfi");
	rm("intel/ibt-0410-0410.sfi");
}

/* A controller whose operational firmware runs already (image type 0x03; legacy: 0x23) gets
 * nothing: no fragment, no Intel Reset, no DDC record, though the files are there. */
static void test_intel_already_operational(void **state)
{
	static const char *const v[2][3] = {{"intel-ax210", "intel/ibt-0041-0041.sfi", "intel/ibt-0041-0041.ddc"},
					    {"intel-ax200", "intel/ibt-20-1-3.sfi", "intel/ibt-20-1-3.ddc"}};
	for (int k = 0; k < 2; k++) {
		size_t n, dn;
		uint8_t *f = intel_sfi_of(20, k == 0, &n), *d = intel_ddc(&dn);
		write_file(v[k][1], f, n);
		write_file(v[k][2], d, dn);
		struct run r;
		assert_int_equal(up(&r, v[k][0], "vendor-booted=1", false), 0);
		struct sim_vendor_stats st;
		sim_ctrl_vendor_stats(r.ctrl, &st);
		assert_string_equal(st.error, "");
		assert_int_equal(st.cmds, 0);
		assert_int_equal(st.ddc, 0);
		assert_int_equal(st.nacked, 0);
		struct l2k_vendor_startup vs;
		l2k_vendor_startup(r.s, &vs);
		assert_false(vs.loaded);
		assert_int_equal(vs.chunks, 0);
		assert_non_null(strstr(vs.note, "runs already"));
		assert_non_null(strstr(vs.before, "operational"));
		down(&r);
		free(f);
		free(d);
		rm(v[k][1]);
		rm(v[k][2]);
	}
}

/* What the TLV answer says the start-up cannot do, or a malformed answer (entries appended with
 * vendor-tlv-extra: a later entry of a type overrides the earlier): refused with the reason,
 * nothing sent though the file is there. */
static void test_intel_tlv_refused(void **state)
{
	static const struct {
		const char *extra;
		int err;
		const char *says;
	} c[] = {
	    {"120400371e00", L2K_ENOTSUP, "hardware variant 0x1e (BlazarI or newer) first needs an intermediate loader"},
	    {"120400371a00", L2K_ENOTSUP, "hardware variant 0x1a is not one with a TLV bootloader"},
	    {"120400381700", L2K_ENOTSUP, "hardware platform 0x38"},
	    {"2e0101", L2K_ENOTSUP, "limited CCE 0x01"},
	    {"2f0102", L2K_ENOTSUP, "secure boot engine type 0x02"},
	    {"1c0102", L2K_EPROTO, "image type 0x02"},
	    {"e009", L2K_EBADMSG, "does not fit"},
	    {"1002aabb", L2K_EBADMSG, "does not fit"},
	};
	size_t n;
	uint8_t *f = intel_sfi_of(10, true, &n);
	write_file("intel/ibt-0041-0041.sfi", f, n);
	for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		char extra[64];
		snprintf(extra, sizeof(extra), "vendor-tlv-extra=%s", c[k].extra);
		struct run r;
		assert_int_equal(up(&r, "intel-ax210", extra, false), c[k].err);
		assert_error_has(&r, c[k].says, NULL);
		struct sim_vendor_stats st;
		sim_ctrl_vendor_stats(r.ctrl, &st);
		assert_int_equal(st.cmds, 0);
		assert_false(st.running);
		down(&r);
	}
	free(f);
	rm("intel/ibt-0041-0041.sfi");
}

/* The TLV parser: a good list (with an unknown type among the known ones) read whole; every
 * truncation of it, a value too short for its type and pseudo-random bytes end in 0 or
 * L2K_EBADMSG at an offset inside the data, never a read past it (valgrind / ASan runs). */
static void test_intel_tlv_parser(void **state)
{
	static const uint8_t good[] = {
	    0x10, 4, 0x10, 0x04, 0x00, 0x01, /* CNVi top: type 0x410 step 1 */
	    0x11, 4, 0x10, 0x04, 0x00, 0x00, /* CNVr top */
	    0x12, 4, 0x00, 0x37, 0x17, 0x00, /* CNVi BT: platform 0x37, variant 0x17 */
	    0x99, 0,			     /* unknown, empty */
	    0x1c, 1, 0x01,		     /* image type: bootloader */
	    0xE0, 5, 1, 2, 3, 4, 5,	     /* unknown */
	    0x1f, 4, 0x78, 0x56, 0x34, 0x12, /* build number */
	    0x1d, 2, 7, 22,		     /* time stamp */
	    0x2e, 1, 0x00,		     /* limited CCE */
	    0x2f, 1, 0x01,		     /* SBE type: ECDSA */
	    0x30, 6, 1, 2, 3, 4, 5, 6,	     /* OTP BD_ADDR */
	    0x10, 6, 0x00, 0x04, 0x00, 0x02, 0xAA, 0xBB, /* a longer value: its first 4 octets */
	};
	struct intel_tlv_version t;
	size_t bad = 12345;
	assert_int_equal(intel_parse_version_tlv(good, sizeof(good), &t, &bad), 0);
	assert_int_equal(t.cnvi_top, 0x02000400u);
	assert_int_equal(t.cnvr_top, 0x00000410u);
	assert_int_equal(t.cnvi_bt, 0x00173700u);
	assert_int_equal(t.img_type, 1);
	assert_int_equal(t.build_num, 0x12345678u);
	assert_int_equal(t.ts_week, 7);
	assert_int_equal(t.ts_year, 22);
	assert_int_equal(t.sbe_type, 1);
	assert_int_equal(t.otp_bdaddr[5], 6);
	for (size_t k = 0; k < sizeof(good); k++) {
		uint8_t *cut = malloc(k ? k : 1); /* exactly k octets: a read past them is caught */
		memcpy(cut, good, k);
		int e = intel_parse_version_tlv(cut, k, &t, &bad);
		assert_true(e == 0 || e == L2K_EBADMSG);
		if (e)
			assert_true(bad < k);
		free(cut);
	}
	/* CNVi top with 2 octets: too short for its type */
	static const uint8_t shortv[] = {0x1c, 1, 0x01, 0x10, 2, 0x10, 0x04};
	assert_int_equal(intel_parse_version_tlv(shortv, sizeof(shortv), &t, &bad), L2K_EBADMSG);
	assert_int_equal(bad, 3);
	/* a length past the end */
	static const uint8_t past[] = {0x1c, 1, 0x01, 0xE0, 9, 1, 2};
	assert_int_equal(intel_parse_version_tlv(past, sizeof(past), &t, &bad), L2K_EBADMSG);
	assert_int_equal(bad, 3);
	uint32_t x = 12345;
	for (int i = 0; i < 20000; i++) {
		uint8_t buf[64];
		size_t len = (size_t)(i % 65);
		for (size_t j = 0; j < len; j++) {
			x = x * 1103515245u + 12345u;
			buf[j] = (uint8_t)(x >> 16);
			if (j % 2 == 1 && (x & 0x300) == 0)
				buf[j] &= 7; /* small lengths now and then */
		}
		uint8_t *p = malloc(len ? len : 1);
		memcpy(p, buf, len);
		int e = intel_parse_version_tlv(p, len, &t, &bad);
		assert_true(e == 0 || (e == L2K_EBADMSG && bad < len));
		free(p);
	}
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
	size_t vn;
	uint8_t *v2 = rtl_v2_fw(20, v2_lens_tiny, &vn);
	for (size_t k = 0; k < vn; k++) {
		write_file("rtl_bt/rtl8852bu_fw.bin", v2, k);
		assert_true(up(&r, "realtek-8852bu", NULL, false) < 0);
		assert_error_has(&r, "rtl_bt/rtl8852bu_fw.bin", NULL);
		down(&r);
	}
	free(v2);
	rm("rtl_bt/rtl8852bu_fw.bin");
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
	size_t tn;
	uint8_t *tsfi = intel_sfi_of(4, true, &tn);
	for (size_t k = 0; k < tn; k += (k < 1000 ? 1 : 3)) {
		write_file("intel/ibt-0041-0041.sfi", tsfi, k);
		assert_true(up(&r, "intel-ax210", NULL, false) < 0);
		assert_error_has(&r, "intel/ibt-0041-0041.sfi", NULL);
		down(&r);
	}
	free(tsfi);
	rm("intel/ibt-0041-0041.sfi");
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
	    cmocka_unit_test_setup_teardown(test_rtl_v2_subsections_by_eco_and_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rtl_v2_more_than_255_chunks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rtl_v2_corrupt_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rtl_v2_every_octet_corrupted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_skip_option, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_vendor_and_usb_table, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_intel_8265_sfi_and_ddc, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_intel_ax200_sfi_and_ddc, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_intel_missing_corrupt_nack, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_intel_ax210_tlv_ecdsa, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_intel_ax211_tlv_rsa, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_intel_tlv_missing_corrupt_nack, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_intel_already_operational, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_intel_tlv_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_intel_tlv_parser, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bcm_patchram, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_every_truncation, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
