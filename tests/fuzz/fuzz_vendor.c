/* libFuzzer harness: the HCI host's vendor start-up (hci/vendor*.c) on a fake USB dongle.
 * The input picks the family (its USB VID:PID, or any VID:PID), what the controller says about
 * itself, the firmware files the fw_load seam hands over (Realtek epatch + config, Intel .sfi +
 * .ddc, Broadcom .hcd: any bytes, missing, unreadable, or grown by a run of filler in the middle)
 * and how the controller answers (well, with other statuses and lengths, Command Status, zero
 * credits, the wrong opcode, Intel vendor events at any time, any raw event, time passing).
 *
 * Input: a 25-octet header, the files, then records.
 *   header  [0] family (bits 0-1: 0 Realtek, 1 Intel, 2 Broadcom, 3 the VID:PID of [1..4]);
 *               bit 2 vendor_init off; bit 3 not a USB dongle; bit 4 the fake answers every
 *               command well until a record says otherwise; bit 5 the transport refuses the
 *               command numbered [1] >> 2 (from 0, counted over the whole input)
 *           [1..4] VID, PID (family 3) / [1] picks the product (families 0-2)
 *           [5..12] Read Local Version's answer before the download (HCI_Version HCI_Revision(2)
 *               LMP_Version Manufacturer(2) LMP_Subversion(2))
 *           [13] Realtek ROM version; [14..22] Intel Read Version in the bootloader (fw_variant
 *               becomes 0x23 once booted); [23..24] Intel Dev_RevID (Read Boot Params)
 *   [25]    number of files (& 3); each: tag (& 3: 0 the bytes, 1 missing, 2 unreadable, 3 the
 *           bytes with filler inserted), u16 length, the bytes (what is left if shorter); tag 3
 *           then u16 split, u16 filler length, 3 filler octets repeated.  fw_load hands them out
 *           in the order it is called; beyond them every file is missing.
 *   records 0x00-0x3F answer the oldest unanswered command: op & 3: 0 as a good controller, 1
 *               Command Complete with status from the next octet, 2 good return parameters cut
 *               to the next octet's length, 3 Command Status with the next octet's status;
 *               op & 4 Num_HCI_Command_Packets 0; op & 8 it stays unanswered too; op & 0x10 the
 *               answer names another opcode
 *           0x40-0x4F the next 1 << (op & 15) commands are answered well at once; 0x50-0x57 not
 *           0x58-0x5F bring-up starts again (hci_host_start: after a failure it may), the
 *               firmware files handed out from the first again
 *           0x60-0x7F Intel vendor event: op & 1 Bootup, else Secure Send Result with the next
 *               octet as result; op & 2 cut to the next octet & 7 parameters
 *           0x80-0xBF a raw event: code, length, parameters (what is left)
 *           0xC0-0xFF time passes: u16 ms (x 64 when op & 1), timers run
 * At the end the controller falls silent and time passes until nothing is due.
 *
 * Invariants (FZ_ASSERT): every command is well formed; vendor commands only while the start-up
 * runs and only the family's; Realtek 0xFC20 chunks carry the patch for the ROM version the host
 * read (the file's firmware version in its last 4 octets) followed by the config file, 252
 * octets each but the last, with indexes 0, 1, ... and bit 7 on the last only; Intel Secure Send
 * fragments carry the .sfi (CSS header 0x00, key 0x03, signature 0x02, payload 0x01; the 4-octet
 * exponent skipped) in order and Intel Reset comes after the last with the file's boot address;
 * DDC Write sends the .ddc's records in order; Broadcom sends the .hcd's records as they are, in
 * order, after Download Minidriver; a start-up that loaded something has chunks counted; the
 * bring-up ends (ready called once) when the controller falls silent, with an error reported
 * before a failure.  ASan: no read outside the files (the host gets exact-size copies); LSan:
 * no leak. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hci_defs.h"
#include "base/l2k_error.h"
#include "hci/vendor_int.h"
#include "tests/fuzz/fz.h"

#define NFILES 3
#define PENDING 32
#define AQ 64

struct file {
	int tag; /* 0 present, 1 missing, 2 unreadable */
	uint8_t *b;
	size_t n;
};

static struct fz {
	struct hci_host *h;
	uint64_t now;
	uint8_t fam; /* 0 Realtek, 1 Intel, 2 Broadcom, 3 other */
	const uint8_t *hdr;
	struct file files[NFILES];
	int nfiles, next_file;
	/* what fw_load served last, by kind (the harness's own copies) */
	const struct file *rtl_fw, *rtl_cfg, *sfi, *ddc, *hcd;
	/* the fake controller */
	unsigned auto_left;
	uint8_t pend[PENDING][3 + 255];
	int npend;
	struct {
		uint8_t b[260];
		size_t n;
	} ans[AQ];
	int nans;
	bool booted, downloaded;
	/* the checker */
	uint8_t *img; /* Realtek: the image expected; Intel: the .sfi as sent (exponent left out) */
	size_t img_len, pos;
	unsigned idx;
	bool rtl_done;
	size_t ddc_off, hcd_off;
	bool minidriver;
	int ready_calls, ready_err;
	int last_err;
	bool freeing;
	int starts;
	bool restarted; /* bring-up started again: start the checker over at the next vendor step */
	unsigned ncmds, refuse_at; /* refuse_at: 1 + the number of the command refused, 0 none */
} g;

static void queue_evt(uint8_t code, const uint8_t *p, size_t n)
{
	if (g.nans == AQ || n > 255)
		return;
	g.ans[g.nans].b[0] = code;
	g.ans[g.nans].b[1] = (uint8_t)n;
	memcpy(g.ans[g.nans].b + 2, p, n);
	g.ans[g.nans].n = 2 + n;
	g.nans++;
}

static void flush(void)
{
	/* a download is a chain of answers, each making the next command: up to 70000 rounds */
	for (long round = 0; round < 70000 && g.nans; round++) {
		int n = g.nans;
		static uint8_t b[AQ][260];
		size_t len[AQ];
		for (int i = 0; i < n; i++) {
			memcpy(b[i], g.ans[i].b, g.ans[i].n);
			len[i] = g.ans[i].n;
		}
		g.nans = 0;
		for (int i = 0; i < n; i++)
			hci_host_input(g.h, HCI_H4_EVT, b[i], len[i]);
	}
	g.nans = 0;
}

static void intel_event(uint8_t type, uint8_t result, size_t n)
{
	uint8_t p[8] = {type};
	if (type == 0x06) {
		p[1] = result;
		put_le16(p + 2, 0xFC09);
		p[4] = result;
	}
	queue_evt(HCI_EV_VENDOR, p, n > 8 ? 8 : n);
}

/* The return parameters (status first) a good controller gives for cmd; 0 for none. */
static size_t good_answer(const uint8_t *cmd, uint8_t *r)
{
	uint16_t op = get_le16(cmd);
	const uint8_t *hdr = g.hdr;
	memset(r, 0, 80);
	switch (op) {
	case HCI_OP_READ_LOCAL_VERSION:
		memcpy(r + 1, hdr + 5, 8);
		if (g.downloaded)
			r[2] ^= 0x10; /* the new firmware's HCI_Revision */
		return 9;
	case HCI_OP_READ_LOCAL_COMMANDS: memset(r + 1, 0xFF, 64); return 65;
	case HCI_OP_READ_LOCAL_FEATURES: r[5] = 0x40; return 9;
	case HCI_OP_READ_BD_ADDR: r[1] = 0xA0; return 7;
	case HCI_OP_READ_BUFFER_SIZE:
		put_le16(r + 1, 1021);
		r[3] = 64;
		put_le16(r + 4, 4);
		return 8;
	case HCI_OP_LE_READ_BUFFER_SIZE_V2:
	case HCI_OP_LE_READ_BUFFER_SIZE:
		put_le16(r + 1, 27);
		r[3] = 4;
		return 7;
	case HCI_OP_LE_READ_LOCAL_FEATURES: return 9;
	case 0xFC6D: r[1] = hdr[13]; return 2;
	case 0xFC20: r[1] = cmd[2] ? cmd[3] : 0; return 2;
	case 0xFC05:
		memcpy(r + 1, hdr + 14, 9);
		if (g.booted)
			r[4] = 0x23;
		return 10;
	case 0xFC0D:
		memcpy(r + 4, hdr + 23, 2);
		return 25;
	default: return 1;
	}
}

/* Answer one command: kind 0 good, 1 status, 2 cut, 3 Command Status. */
static void answer(const uint8_t *cmd, int kind, uint8_t arg, uint8_t credits, bool other_op)
{
	uint16_t op = get_le16(cmd);
	uint16_t aop = other_op ? (uint16_t)(op ^ 0x0001) : op;
	if (op == 0xFC01 && kind == 0) { /* Intel Reset: the Bootup event, no Command Complete */
		g.booted = true;
		intel_event(0x02, 0, 6);
		return;
	}
	if (kind == 3) {
		uint8_t p[4] = {arg, credits, (uint8_t)aop, (uint8_t)(aop >> 8)};
		queue_evt(HCI_EV_CMD_STATUS, p, 4);
		return;
	}
	uint8_t r[80], p[3 + 80];
	size_t n = good_answer(cmd, r);
	if (kind == 1)
		r[0] = arg;
	if (kind == 2 && arg < n)
		n = arg;
	p[0] = credits;
	put_le16(p + 1, aop);
	memcpy(p + 3, r, n);
	queue_evt(HCI_EV_CMD_COMPLETE, p, 3 + n);
	/* what a good controller does next on its own */
	if (kind == 0 && op == 0xFC09 && g.img && g.pos == g.img_len)
		intel_event(0x06, 0, 5);
	if (op == HCI_OP_RESET && g.idx)
		g.downloaded = true;
}

/* ---- the checker ---------------------------------------------------------------------------- */

static void checker_restart(void)
{
	if (!g.restarted)
		return;
	g.restarted = false;
	free(g.img);
	g.img = NULL;
	g.img_len = g.pos = g.ddc_off = g.hcd_off = 0;
	g.idx = 0;
	g.rtl_done = g.minidriver = g.booted = g.downloaded = false;
	g.rtl_fw = g.rtl_cfg = g.sfi = g.ddc = g.hcd = NULL;
	g.next_file = 0;
}

static void rtl_image(void)
{
	/* the patch for the ROM version the host read, as btrtl takes it from the epatch file */
	const struct file *fw = g.rtl_fw;
	FZ_ASSERT(fw && fw->tag == 0 && fw->n >= 14);
	const uint8_t *f = fw->b;
	size_t n = fw->n;
	unsigned num = get_le16(f + 12);
	FZ_ASSERT(14 + 8u * num <= n);
	uint8_t rom = g.h->vrun->rom_version;
	for (unsigned i = 0; i < num; i++) {
		if (get_le16(f + 14 + 2u * i) != rom + 1u)
			continue;
		size_t plen = get_le16(f + 14 + 2u * num + 2u * i), poff = get_le32(f + 14 + 4u * num + 4u * i);
		FZ_ASSERT(plen >= 4 && poff > 0 && poff <= n && plen <= n - poff);
		size_t cl = g.rtl_cfg && g.rtl_cfg->tag == 0 ? g.rtl_cfg->n : 0;
		g.img = malloc(plen + cl);
		FZ_ASSERT(g.img);
		memcpy(g.img, f + poff, plen - 4);
		memcpy(g.img + plen - 4, f + 8, 4);
		if (cl)
			memcpy(g.img + plen, g.rtl_cfg->b, cl);
		g.img_len = plen + cl;
		return;
	}
	FZ_ASSERT(!"the host downloads a patch the file does not have");
}

static void check_rtl(uint16_t op, const uint8_t *p, size_t n)
{
	FZ_ASSERT(op == 0xFC6D || op == 0xFC20 || op == 0xFC61);
	if (op == 0xFC6D) {
		FZ_ASSERT(n == 0 && !g.img);
		return;
	}
	if (op == 0xFC61) { /* v2: the key id register read */
		FZ_ASSERT(n == 5 && !g.img);
		return;
	}
	if (!g.img) {
		const struct file *fw = g.rtl_fw;
		if (fw && fw->tag == 0 && fw->n >= 8 && !memcmp(fw->b, "RTBTCore", 8)) {
			/* a v2 file: the harness does not assemble its sections (the unit tests
			 * test_rtl_v2_* check that); the chunks must carry the image the host built,
			 * whole, in order, with the indexes below */
			const struct hci_vendor_run *v = g.h->vrun;
			FZ_ASSERT(v && v->data && v->len);
			g.img = malloc(v->len);
			FZ_ASSERT(g.img);
			memcpy(g.img, v->data, v->len);
			g.img_len = v->len;
		} else {
			rtl_image();
		}
	}
	FZ_ASSERT(!g.rtl_done && n >= 2);
	size_t k = g.img_len - g.pos > 252 ? 252 : g.img_len - g.pos;
	bool last = g.pos + k == g.img_len;
	unsigned i = g.idx;
	/* 0, 1 .. 0x7F, then 1 .. 0x7F again (btrtl); bit 7 on the last chunk only */
	uint8_t want = (uint8_t)(i == 0 ? 0 : (i - 1) % 0x7F + 1);
	FZ_ASSERT((p[0] & 0x7F) == want);
	FZ_ASSERT(((p[0] & 0x80) != 0) == last);
	FZ_ASSERT(n == 1 + k && !memcmp(p + 1, g.img + g.pos, k));
	g.pos += k;
	g.idx++;
	g.rtl_done = last;
}

static void intel_image(void)
{
	const struct file *f = g.sfi;
	FZ_ASSERT(f && f->tag == 0 && f->n >= 644);
	g.img = malloc(f->n - 4);
	FZ_ASSERT(g.img);
	memcpy(g.img, f->b, 384);
	memcpy(g.img + 384, f->b + 388, f->n - 388);
	g.img_len = f->n - 4;
}

static void check_intel(uint16_t op, const uint8_t *p, size_t n)
{
	switch (op) {
	case 0xFC05: /* Read Version: with 0xFF (the TLV format; legacy chips ignore it) */
		FZ_ASSERT(n == 0 || (n == 1 && p[0] == 0xFF));
		return;
	case 0xFC0D:
		FZ_ASSERT(n == 0);
		return;
	case 0xFC09: {
		if (g.h->vrun && g.h->vrun->tlv) {
			/* TLV era (RSA or ECDSA header chosen by the SBE type): the harness checks the
			 * fragments' form; their layout is test_vendor's test_intel_ax21x_* */
			FZ_ASSERT(n >= 2 && n <= 253 && p[0] <= 0x03);
			g.idx++;
			return;
		}
		if (!g.img)
			intel_image();
		FZ_ASSERT(n >= 2 && n <= 253 && g.pos + (n - 1) <= g.img_len);
		size_t end = g.pos + n - 1;
		uint8_t type = g.pos < 128 ? 0x00 : g.pos < 384 ? 0x03 : g.pos < 640 ? 0x02 : 0x01;
		size_t bound = g.pos < 128 ? 128 : g.pos < 384 ? 384 : g.pos < 640 ? 640 : g.img_len;
		FZ_ASSERT(p[0] == type && end <= bound);
		FZ_ASSERT(!memcmp(p + 1, g.img + g.pos, n - 1));
		g.pos = end;
		g.idx++;
		return;
	}
	case 0xFC01: {
		if (g.h->vrun && g.h->vrun->tlv) {
			FZ_ASSERT(n == 8 && g.idx > 0);
			return;
		}
		FZ_ASSERT(g.img && g.pos == g.img_len && n == 8);
		FZ_ASSERT(p[0] == 0 && p[1] == 1 && p[2] == 0 && p[3] == 1);
		/* the boot address: the file's (last) Write Boot Params */
		const uint8_t *f = g.sfi->b;
		uint32_t addr = 0;
		bool have = false;
		for (size_t off = 644; off + 3 <= g.sfi->n && off + 3 + f[off + 2] <= g.sfi->n; off += 3u + f[off + 2])
			if (get_le16(f + off) == 0xFC0E && f[off + 2] >= 4) {
				addr = get_le32(f + off + 3);
				have = true;
			}
		FZ_ASSERT(have && get_le32(p + 4) == addr);
		return;
	}
	case 0xFC8B: {
		const struct file *d = g.ddc;
		FZ_ASSERT(d && d->tag == 0 && g.ddc_off < d->n);
		size_t l = 1u + d->b[g.ddc_off];
		FZ_ASSERT(n == l && l <= d->n - g.ddc_off && !memcmp(p, d->b + g.ddc_off, l) && l >= 3);
		g.ddc_off += l;
		return;
	}
	default: FZ_ASSERT(!"an Intel start-up sent a vendor command it has no business with");
	}
}

static void check_bcm(uint16_t op, const uint8_t *p, size_t n)
{
	if (op == 0xFC2E && !g.minidriver) {
		FZ_ASSERT(n == 0);
		g.minidriver = true;
		return;
	}
	const struct file *f = g.hcd;
	FZ_ASSERT(g.minidriver && f && f->tag == 0 && g.hcd_off + 3 <= f->n);
	const uint8_t *r = f->b + g.hcd_off;
	FZ_ASSERT(get_le16(r) == op && r[2] == n && n <= f->n - g.hcd_off - 3 && !memcmp(r + 3, p, n));
	g.hcd_off += 3u + n;
	g.idx++;
}

static void check_cmd(const uint8_t *pkt, size_t len)
{
	FZ_ASSERT(len >= 3 && len == 3 + (size_t)pkt[2]);
	uint16_t op = get_le16(pkt);
	if (op >> 10 == 0x3F) {
		FZ_ASSERT(g.h->vrun != NULL); /* only while the start-up runs */
		checker_restart();
		switch (g.fam) {
		case 0: check_rtl(op, pkt + 3, pkt[2]); break;
		case 1: check_intel(op, pkt + 3, pkt[2]); break;
		case 2: check_bcm(op, pkt + 3, pkt[2]); break;
		default: FZ_ASSERT(!"a vendor command for a dongle that needs none");
		}
	} else if (g.h->vrun && op == HCI_OP_RESET) {
		/* the common end of a download: after all of it (other commands may go out while the
		 * start-up runs: the host answers a Connection Request, for instance) */
		FZ_ASSERT(g.fam != 0 || g.rtl_done);
		FZ_ASSERT(g.fam != 2 || (g.hcd && g.hcd_off == g.hcd->n));
	}
}

static int o_send(void *user, uint8_t type, const uint8_t *pkt, size_t len)
{
	(void)user;
	FZ_ASSERT(type == HCI_H4_CMD);
	check_cmd(pkt, len);
	if (++g.ncmds == g.refuse_at)
		return L2K_EIO; /* it never reaches the controller */
	if (g.auto_left) {
		g.auto_left--;
		answer(pkt, 0, 0, 1, false);
	} else if (g.npend < PENDING) {
		memcpy(g.pend[g.npend++], pkt, len);
	}
	return 0;
}

static void o_ready(void *user, int err)
{
	(void)user;
	if (g.freeing)
		return; /* hci_host_free() fails what still waits (L2K_ESHUTDOWN) */
	g.ready_calls++;
	g.ready_err = err;
	FZ_ASSERT(err <= 0);
	FZ_ASSERT(err == 0 || g.last_err == err); /* a failure was reported */
}

static void o_error(void *user, int err, const char *msg)
{
	(void)user;
	if (getenv("FZ_VENDOR_TRACE"))
		fprintf(stderr, "error %d: %s\n", err, msg ? msg : "(null)");
	FZ_ASSERT(err < 0 && msg && msg[0] && strlen(msg) < 256);
	g.last_err = err;
}

static const struct hci_host_ops ops = {.send = o_send, .ready = o_ready, .error = o_error};

static int fw_load(void *arg, const char *name, uint8_t **data, size_t *len, char *where, size_t wlen)
{
	(void)arg;
	static const char *const prefix[3] = {"rtl_bt/", "intel/ibt-", "brcm/"};
	FZ_ASSERT(g.fam < 3 && !strncmp(name, prefix[g.fam], strlen(prefix[g.fam])));
	FZ_ASSERT(g.h->vrun != NULL);
	checker_restart();
	const struct file *f = g.next_file < g.nfiles ? &g.files[g.next_file++] : NULL;
	snprintf(where, wlen, "fuzz/%s", name);
	if (!f || f->tag == 1)
		return L2K_ENOENT;
	if (f->tag == 2)
		return L2K_EIO;
	/* an exact-size copy: a read past its end is ASan's */
	*data = malloc(f->n ? f->n : 1);
	FZ_ASSERT(*data);
	memcpy(*data, f->b, f->n);
	*len = f->n;
	size_t nl = strlen(name);
	if (g.fam == 0)
		*(nl > 11 && !strcmp(name + nl - 11, "_config.bin") ? &g.rtl_cfg : &g.rtl_fw) = f;
	else if (g.fam == 1)
		*(nl > 4 && !strcmp(name + nl - 4, ".ddc") ? &g.ddc : &g.sfi) = f;
	else
		g.hcd = f;
	return 0;
}

/* ---- the input ------------------------------------------------------------------------------ */

static size_t read_files(const uint8_t *d, size_t size, size_t i)
{
	int nf = i < size ? d[i++] & 3 : 0;
	for (int k = 0; k < nf && i < size; k++) {
		struct file *f = &g.files[g.nfiles++];
		uint8_t tag = d[i++];
		f->tag = tag & 3;
		size_t n = i + 2 <= size ? get_le16(d + i) : 0;
		i += 2;
		size_t have = i < size ? (size - i < n ? size - i : n) : 0;
		size_t split = 0, fill = 0;
		uint8_t pat[3] = {0};
		const uint8_t *src = d + (i < size ? i : size);
		i += have;
		if (f->tag == 3) {
			if (i + 7 <= size) {
				split = get_le16(d + i);
				fill = get_le16(d + i + 2);
				memcpy(pat, d + i + 4, 3);
			}
			i += 7;
			f->tag = 0;
		}
		if (f->tag != 0)
			continue;
		if (split > have)
			split = have;
		f->n = have + fill;
		f->b = malloc(f->n ? f->n : 1);
		FZ_ASSERT(f->b);
		memcpy(f->b, src, split);
		for (size_t j = 0; j < fill; j++)
			f->b[split + j] = pat[j % 3];
		memcpy(f->b + split + fill, src + split, have - split);
	}
	return i;
}

static void tick(uint64_t ms)
{
	g.now += ms;
	hci_host_tick(g.h, g.now);
	flush();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t ids[3][4][2] = {
	    {{0x0bda, 0x8771}, {0x0bda, 0xb00a}, {0x2357, 0x0604}, {0x0b05, 0x190e}},
	    {{0x8087, 0x0a2b}, {0x8087, 0x0aaa}, {0x8087, 0x0025}, {0x8087, 0x0026}},
	    {{0x0a5c, 0x21e8}, {0x0a5c, 0x216f}, {0x0b05, 0x17cb}, {0x0a5c, 0x640b}},
	};
	if (size < 25)
		return 0;
	memset(&g, 0, sizeof(g));
	g.hdr = data;
	g.fam = data[0] & 3;
	size_t i = read_files(data, size, 25);

	struct hci_host_config cfg;
	hci_host_config_default(&cfg);
	cfg.max_links = 2;
	cfg.vendor_init = !(data[0] & 4);
	cfg.usb_known = !(data[0] & 8);
	if (g.fam == 3) {
		cfg.usb_vid = get_le16(data + 1);
		cfg.usb_pid = get_le16(data + 3);
		struct hci_vendor_usb u;
		hci_vendor_usb_lookup(cfg.usb_vid, cfg.usb_pid, &u);
		switch (u.family) { /* the families with a start-up; others (none, MediaTek ...) get none */
		case HCI_VENDOR_REALTEK: g.fam = 0; break;
		case HCI_VENDOR_INTEL: g.fam = 1; break;
		case HCI_VENDOR_BROADCOM: g.fam = 2; break;
		default: break;
		}
	} else {
		cfg.usb_vid = ids[g.fam][data[1] & 3][0];
		cfg.usb_pid = ids[g.fam][data[1] & 3][1];
	}
	cfg.fw_load = fw_load;
	g.auto_left = data[0] & 0x10 ? ~0u : 0;
	g.refuse_at = data[0] & 0x20 ? (data[1] >> 2) + 1u : 0;
	g.h = hci_host_new(&cfg, &ops, NULL);
	if (!g.h)
		goto out;
	hci_host_start(g.h);
	g.starts = 1;
	flush();

	while (i < size) {
		uint8_t op = data[i++];
		uint8_t a = i < size ? data[i] : 0;
		if (op < 0x40) {
			if (!g.npend)
				continue;
			int kind = op & 3;
			if (kind)
				i++;
			uint8_t cmd[3 + 255];
			memcpy(cmd, g.pend[0], sizeof(cmd));
			if (!(op & 8)) {
				memmove(g.pend[0], g.pend[1], (size_t)(g.npend - 1) * sizeof(g.pend[0]));
				g.npend--;
			}
			answer(cmd, kind, a, op & 4 ? 0 : 1, op & 0x10);
		} else if (op < 0x50) {
			g.auto_left = 1u << (op & 15);
			/* the commands waiting are answered first */
			while (g.npend && g.auto_left) {
				g.auto_left--;
				answer(g.pend[0], 0, 0, 1, false);
				memmove(g.pend[0], g.pend[1], (size_t)(g.npend - 1) * sizeof(g.pend[0]));
				g.npend--;
			}
		} else if (op < 0x58) {
			g.auto_left = 0;
		} else if (op < 0x60) {
			if (hci_host_start(g.h) == 0) {
				/* a new bring-up: the checker starts over (so do the files) when its vendor
				 * start-up does (the last one's result stays until then) */
				g.starts++;
				g.restarted = true;
			}
		} else if (op < 0x80) {
			size_t n = 8;
			if (op & 2) {
				n = a & 7;
				i++;
			}
			if (op & 1) {
				intel_event(0x02, 0, n > 6 ? 6 : n);
			} else {
				intel_event(0x06, i < size ? data[i] : 0, n > 5 ? 5 : n);
				i++;
			}
		} else if (op < 0xC0) {
			if (i + 2 > size)
				break;
			uint8_t code = data[i], n = data[i + 1];
			i += 2;
			size_t have = size - i < n ? size - i : n;
			queue_evt(code, data + i, have);
			i += have;
		} else {
			uint64_t ms = i + 2 <= size ? get_le16(data + i) : 0;
			i += 2;
			tick(op & 1 ? ms * 64 : ms);
		}
		flush();
	}

	/* the controller falls silent: every timer runs out */
	g.auto_left = 0;
	for (int k = 0; k < 64; k++) {
		uint64_t t = hci_host_next_timer(g.h);
		if (t == UINT64_MAX)
			break;
		tick(t > g.now ? t - g.now : 0);
	}
	/* a controller that answered with Num_HCI_Command_Packets 0 and gave no credit back does not
	 * stop this either: the command waiting goes out after cmd_timeout_ms (hci/cmdq.c) */
	FZ_ASSERT(!g.h->vrun);
	/* every bring-up ended once */
	FZ_ASSERT(g.ready_calls == g.starts);
	const struct hci_vendor_info *vi = hci_host_vendor_info(g.h);
	if (vi->loaded)
		FZ_ASSERT(vi->chunks > 0 && vi->bytes > 0 && vi->file[0]);
	/* what was acknowledged was sent; all of it when the controller came back with the patch */
	if (g.fam == 0 || g.fam == 2)
		FZ_ASSERT(vi->bytes <= (g.fam == 0 ? g.pos : g.hcd_off));
	if (vi->loaded && g.fam == 0)
		FZ_ASSERT(vi->bytes == g.img_len && g.rtl_done);
	if (vi->loaded && g.fam == 1)
		FZ_ASSERT(g.pos == g.img_len);
	if (vi->loaded && g.fam == 2)
		FZ_ASSERT(g.hcd && vi->bytes == g.hcd->n);
	if (getenv("FZ_VENDOR_TRACE"))
		fprintf(stderr, "vendor: family %s chip '%s' loaded %d chunks %u bytes %zu file '%s' '%s' before '%s' after '%s' note '%s'; ready %d err %d\n",
			hci_vendor_family_name(vi->family), vi->chip, vi->loaded, vi->chunks, vi->bytes, vi->file, vi->file2,
			vi->before, vi->after, vi->note, g.ready_calls, g.ready_err);
	g.freeing = true;
	hci_host_free(g.h);
out:
	for (int k = 0; k < g.nfiles; k++)
		free(g.files[k].b);
	free(g.img);
	return 0;
}
