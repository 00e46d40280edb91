/* Realtek start-up (as Linux's btrtl documents it): Read Local Version's LMP_Subversion,
 * HCI_Revision and HCI_Version pick the chip (a chip whose firmware already runs reports other
 * values: nothing to do); vendor command 0xFC6D reads the ROM version; the patch file comes in
 * one of two formats:
 *  - v1, "Realtech": one patch per ROM version (chip id = ROM version + 1), whose last 4 octets
 *    are replaced by the file's firmware version;
 *  - v2, "RTBTCore": a header (signature, 8-octet firmware version, number of sections) and
 *    sections (opcode(4) length(4) data): patch snippets (1), dummy header (2), security header
 *    (3; only when the chip's key id, read with 0xFC61 from register 0xADA4 (btrtl's
 *    RTL_SEC_PROJ), is not 0), others skipped; each section is Num(2) Reserved(2) and
 *    subsections Eco(1) Prio(1) KeyId-or-reserved(1) Reserved(1) Length(4) Data; the
 *    subsections whose eco is ROM version + 1 (and, in a security header, whose key id is the
 *    chip's) are concatenated by ascending prio, among equal prios the later in the file first
 *    (btrtl's ordered insertion); nothing is appended;
 * both end with the extension section (read backwards from its signature 0x51 0x04 0xFD 0x77)
 * that names the project id.  The config file follows the patch (not for a chip with a key
 * id: a security chip takes signed files only); vendor command 0xFC20 downloads the whole in
 * chunks of up to 252 octets, each with an index octet (0, 1 .. 0x7F, then 1 .. 0x7F again;
 * bit 7 on the last chunk) and each answered by Command Complete; then HCI Reset and Read
 * Local Version.  The v3 format ("BTNIC003") is not loaded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/l2k_error.h"
#include "hci/vendor_int.h"

#define RTL_OP_READ_ROM_VERSION 0xFC6D
#define RTL_OP_READ_REG16 0xFC61
#define RTL_OP_DOWNLOAD 0xFC20
#define RTL_CHUNK 252
#define RTL_CONFIG_MAGIC 0x8723ab55u
/* v2 section opcodes */
#define RTL_SEC_SNIPPETS 0x01
#define RTL_SEC_DUMMY_HEADER 0x02
#define RTL_SEC_SECURITY_HEADER 0x03
#define RTL_V2_HDR 20u	/* signature(8) fw_version(8) num_sections(4) */
#define RTL_TAIL 7u	/* the project id instruction (3) and the extension signature (4) */

/* 0xFC61 parameters reading the security project register (btrtl's RTL_SEC_PROJ): its first
 * octet is the chip's key id */
static const uint8_t rtl_sec_proj[5] = {0x10, 0xA4, 0xAD, 0x00, 0xB0};

struct rtl_chip {
	uint16_t lmp_subver, hci_rev;
	uint8_t hci_ver;   /* 0: any */
	uint8_t project_id; /* in the patch file's extension section */
	bool config_needed;
	const char *name, *fw, *cfg;
};

static const struct rtl_chip chips[] = {
	{0x8723, 0xb, 0x6, 1, false, "RTL8723B", "rtl_bt/rtl8723b_fw.bin", "rtl_bt/rtl8723b_config.bin"},
	{0x8821, 0xa, 0x6, 2, false, "RTL8821A", "rtl_bt/rtl8821a_fw.bin", "rtl_bt/rtl8821a_config.bin"},
	{0x8821, 0xc, 0x8, 10, false, "RTL8821C", "rtl_bt/rtl8821c_fw.bin", "rtl_bt/rtl8821c_config.bin"},
	{0x8761, 0xa, 0x6, 3, false, "RTL8761A", "rtl_bt/rtl8761a_fw.bin", "rtl_bt/rtl8761a_config.bin"},
	{0x8761, 0xb, 0xa, 14, false, "RTL8761BU", "rtl_bt/rtl8761bu_fw.bin", "rtl_bt/rtl8761bu_config.bin"},
	{0x8761, 0xe, 0x0, 51, false, "RTL8761CU", "rtl_bt/rtl8761cu_fw.bin", "rtl_bt/rtl8761cu_config.bin"},
	{0x8822, 0xb, 0x7, 8, true, "RTL8822B", "rtl_bt/rtl8822b_fw.bin", "rtl_bt/rtl8822b_config.bin"},
	{0x8822, 0xc, 0xa, 13, false, "RTL8822CU", "rtl_bt/rtl8822cu_fw.bin", "rtl_bt/rtl8822cu_config.bin"},
	{0x8852, 0xa, 0xb, 18, false, "RTL8852AU", "rtl_bt/rtl8852au_fw.bin", "rtl_bt/rtl8852au_config.bin"},
	{0x8852, 0xb, 0xb, 20, false, "RTL8852BU", "rtl_bt/rtl8852bu_fw.bin", "rtl_bt/rtl8852bu_config.bin"},
	{0x8852, 0xc, 0xc, 25, false, "RTL8852CU", "rtl_bt/rtl8852cu_fw.bin", "rtl_bt/rtl8852cu_config.bin"},
	{0x8852, 0x87, 0xc, 47, false, "RTL8852BTU", "rtl_bt/rtl8852btu_fw.bin", "rtl_bt/rtl8852btu_config.bin"},
	{0x8851, 0xb, 0xc, 36, false, "RTL8851BU", "rtl_bt/rtl8851bu_fw.bin", "rtl_bt/rtl8851bu_config.bin"},
	{0x8922, 0xa, 0xc, 44, false, "RTL8922AU", "rtl_bt/rtl8922au_fw.bin", "rtl_bt/rtl8922au_config.bin"},
};
#define NCHIPS (sizeof(chips) / sizeof(chips[0]))

enum { RS_ROM, RS_KEY_ID, RS_DOWNLOAD };

static const struct rtl_chip *chip_of(const struct hci_host *h)
{
	for (size_t i = 0; i < NCHIPS; i++)
		if (chips[i].lmp_subver == h->info.lmp_subversion && chips[i].hci_rev == h->info.hci_revision &&
		    (!chips[i].hci_ver || chips[i].hci_ver == h->info.hci_version))
			return &chips[i];
	return NULL;
}

static const char *const PKG = "firmware-realtek";

/* The extension section at the end of a v1 or v2 file f (n octets, at least hdr + 7): its
 * project id must be the chip's.  0, or the error (reported). */
static int check_project(struct hci_host *h, const struct rtl_chip *c, const uint8_t *f, size_t n, size_t hdr)
{
	static const uint8_t ext_sig[4] = {0x51, 0x04, 0xFD, 0x77};
	const char *name = h->vrun->name;
	if (n < hdr + RTL_TAIL || memcmp(f + n - 4, ext_sig, 4)) {
		vendor_fail(h, L2K_EBADMSG, "%s: no extension signature at its end (%zu octets: truncated?)", name, n);
		return L2K_EBADMSG;
	}
	/* the extension section, read backwards from the signature: opcode, length, data */
	int project = -1;
	size_t pos = n - 4;
	while (pos >= hdr + 3) {
		uint8_t op = f[--pos], len = f[--pos], data = f[--pos];
		if (op == 0xFF)
			break;
		if (len == 0) {
			vendor_fail(h, L2K_EBADMSG, "%s: extension instruction of length 0", name);
			return L2K_EBADMSG;
		}
		if (op == 0 && len == 1) {
			project = data;
			break;
		}
		if (len > pos) {
			vendor_fail(h, L2K_EBADMSG, "%s: extension instruction runs past the start of the file", name);
			return L2K_EBADMSG;
		}
		pos -= len;
	}
	if (project < 0) {
		vendor_fail(h, L2K_EBADMSG, "%s: no project id in its extension section", name);
		return L2K_EBADMSG;
	}
	if (project != c->project_id) {
		vendor_fail(h, L2K_EBADMSG, "%s is for project id %d, the %s is %u", name, project, c->name,
			    c->project_id);
		return L2K_EBADMSG;
	}
	return 0;
}

/* The patch for rom_version out of the v1 epatch file f (n octets): into *out (malloc'ed, with
 * the firmware version in its last 4 octets), or an error reported with what is wrong. */
static int parse_epatch_v1(struct hci_host *h, const uint8_t *f, size_t n, uint8_t rom_version, uint8_t **out,
			   size_t *outlen)
{
	const char *name = h->vrun->name;
	const size_t hdr = 8 + 4 + 2; /* signature, fw_version, num_patches */
	uint32_t fw_version = get_le32(f + 8);
	unsigned num = get_le16(f + 12);
	if (n < hdr + 8u * num + 4) {
		vendor_fail(h, L2K_EBADMSG, "%s: %u patches announced but the file has %zu octets (truncated)", name,
			    num, n);
		return L2K_EBADMSG;
	}
	/* chip ids[num] (2), lengths[num] (2), offsets[num] (4) */
	const uint8_t *ids = f + hdr, *lens = ids + 2u * num, *offs = lens + 2u * num;
	for (unsigned i = 0; i < num; i++) {
		if (get_le16(ids + 2u * i) != (unsigned)rom_version + 1u)
			continue;
		size_t plen = get_le16(lens + 2u * i), poff = get_le32(offs + 4u * i);
		if (plen < 4 || poff == 0 || poff > n || plen > n - poff) {
			vendor_fail(h, L2K_EBADMSG,
				    "%s: the patch for ROM version %u (%zu octets at %zu) lies outside the file's %zu "
				    "octets (truncated?)",
				    name, rom_version, plen, poff, n);
			return L2K_EBADMSG;
		}
		uint8_t *b = malloc(plen);
		if (!b) {
			vendor_fail(h, L2K_ENOMEM, "out of memory");
			return L2K_ENOMEM;
		}
		memcpy(b, f + poff, plen - 4);
		put_le32(b + plen - 4, fw_version);
		*out = b;
		*outlen = plen;
		return 0;
	}
	vendor_fail(h, L2K_ENOENT, "%s has no patch for ROM version %u (chip id %u)", name, rom_version,
		    rom_version + 1u);
	return L2K_ENOENT;
}

/* A subsection chosen from a v2 file: where, how long, its prio and its place in the file. */
struct rtl_pick {
	size_t off, len;
	uint8_t prio;
	size_t seq;
};

/* btrtl's order: ascending prio; among equal prios, the later one in the file first (each is
 * inserted before the first already there with a prio >= its own). */
static int pick_cmp(const void *a, const void *b)
{
	const struct rtl_pick *x = a, *y = b;
	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	return x->seq > y->seq ? -1 : x->seq < y->seq ? 1 : 0;
}

struct rtl_v2 {
	struct rtl_pick *picks;
	size_t n, cap, total;
};

/* One section (opcode op, at f + off, len octets): its subsections for eco (and key_id, in a
 * security header) added to v.  0, or an error (reported). */
static int parse_section_v2(struct hci_host *h, struct rtl_v2 *v, const uint8_t *f, size_t off, size_t len,
			    unsigned idx, uint32_t op, unsigned eco, uint8_t key_id)
{
	const char *name = h->vrun->name;
	if (len < 4) {
		vendor_fail(h, L2K_EBADMSG, "%s: section %u (opcode 0x%02x) of %zu octets has no subsection count",
			    name, idx + 1, (unsigned)op, len);
		return L2K_EBADMSG;
	}
	unsigned num = get_le16(f + off);
	size_t p = 4;
	for (unsigned j = 0; j < num; j++) {
		if (len - p < 8) {
			vendor_fail(h, L2K_EBADMSG,
				    "%s: section %u (opcode 0x%02x) announces %u subsections but ends in subsection %u's "
				    "header (bad length)",
				    name, idx + 1, (unsigned)op, num, j + 1);
			return L2K_EBADMSG;
		}
		const uint8_t *s = f + off + p;
		uint8_t s_eco = s[0], s_prio = s[1], s_key = s[2];
		uint32_t s_len = get_le32(s + 4);
		p += 8;
		if (s_len > len - p) {
			vendor_fail(h, L2K_EBADMSG,
				    "%s: subsection %u of section %u (opcode 0x%02x) has length %lu, past the section's "
				    "end (bad length)",
				    name, j + 1, idx + 1, (unsigned)op, (unsigned long)s_len);
			return L2K_EBADMSG;
		}
		size_t data = off + p;
		p += s_len;
		if (s_eco != eco || (op == RTL_SEC_SECURITY_HEADER && s_key != key_id))
			continue;
		if (v->n == v->cap) {
			size_t cap = v->cap ? 2 * v->cap : 8;
			struct rtl_pick *np = realloc(v->picks, cap * sizeof(*np));
			if (!np) {
				vendor_fail(h, L2K_ENOMEM, "out of memory");
				return L2K_ENOMEM;
			}
			v->picks = np;
			v->cap = cap;
		}
		v->picks[v->n] = (struct rtl_pick){data, s_len, s_prio, v->n};
		v->n++;
		v->total += s_len;
	}
	return 0;
}

/* The patch for rom_version (and key_id) out of the v2 file f (n octets, its extension section
 * checked): the chosen subsections in btrtl's order into *out (malloc'ed), or an error
 * reported with what is wrong. */
static int parse_epatch_v2(struct hci_host *h, const uint8_t *f, size_t n, uint8_t rom_version, uint8_t key_id,
			   uint8_t **out, size_t *outlen)
{
	const char *name = h->vrun->name;
	size_t end = n - RTL_TAIL; /* n >= RTL_V2_HDR + RTL_TAIL (check_project) */
	uint32_t nsec = get_le32(f + 16);
	unsigned eco = rom_version + 1u; /* 256 for ROM version 255: no subsection has it */
	struct rtl_v2 v = {0};
	size_t pos = RTL_V2_HDR;
	int r = 0;
	for (uint32_t i = 0; i < nsec; i++) {
		if (end - pos < 8) {
			vendor_fail(h, L2K_EBADMSG,
				    "%s: %lu sections announced but the file ends in section %lu's header (truncated?)",
				    name, (unsigned long)nsec, (unsigned long)i + 1);
			r = L2K_EBADMSG;
			goto out;
		}
		uint32_t op = get_le32(f + pos), slen = get_le32(f + pos + 4);
		pos += 8;
		if (slen > end - pos) {
			vendor_fail(h, L2K_EBADMSG,
				    "%s: section %lu (opcode 0x%02lx) has length %lu, past the end of the file's %zu "
				    "octets (bad length or truncated)",
				    name, (unsigned long)i + 1, (unsigned long)op, (unsigned long)slen, n);
			r = L2K_EBADMSG;
			goto out;
		}
		size_t body = pos;
		pos += slen;
		if (op == RTL_SEC_SNIPPETS || op == RTL_SEC_DUMMY_HEADER || (op == RTL_SEC_SECURITY_HEADER && key_id)) {
			r = parse_section_v2(h, &v, f, body, slen, (unsigned)i, op, eco, key_id);
			if (r < 0)
				goto out;
		}
	}
	if (v.total == 0) {
		vendor_fail(h, L2K_ENOENT, "%s has no patch for ROM version %u (no subsection for eco %u, key id %u)",
			    name, rom_version, eco, key_id);
		r = L2K_ENOENT;
		goto out;
	}
	qsort(v.picks, v.n, sizeof(v.picks[0]), pick_cmp);
	uint8_t *b = malloc(v.total);
	if (!b) {
		vendor_fail(h, L2K_ENOMEM, "out of memory");
		r = L2K_ENOMEM;
		goto out;
	}
	size_t k = 0;
	for (size_t i = 0; i < v.n; i++) {
		memcpy(b + k, f + v.picks[i].off, v.picks[i].len);
		k += v.picks[i].len;
	}
	*out = b;
	*outlen = v.total;
out:
	free(v.picks);
	return r;
}

/* The index octet of download chunk i (0-based), without the last-chunk bit: 0, 1 .. 0x7F,
 * then 1 .. 0x7F again (btrtl). */
static uint8_t chunk_index(unsigned i)
{
	return (uint8_t)(i == 0 ? 0 : (i - 1) % 0x7F + 1);
}

static void send_chunk(struct hci_host *h)
{
	struct hci_vendor_run *v = h->vrun;
	uint8_t p[1 + RTL_CHUNK];
	size_t left = v->len - v->off, k = left > RTL_CHUNK ? RTL_CHUNK : left;
	uint8_t index = chunk_index(v->idx);
	if (v->off + k == v->len)
		index |= 0x80; /* the last */
	p[0] = index;
	memcpy(p + 1, v->data + v->off, k);
	v->step = RS_DOWNLOAD;
	vendor_cmd(h, RTL_OP_DOWNLOAD, p, 1 + k);
}

/* The patch is ready (plen octets, malloc'ed): append the config file (none when the chip has
 * a key id) and start the download. */
static void download(struct hci_host *h, const struct rtl_chip *c, uint8_t *patch, size_t plen, bool with_config)
{
	struct hci_vendor_run *v = h->vrun;
	uint8_t *cfg = NULL;
	size_t cfglen = 0;
	if (with_config) {
		snprintf(v->name2, sizeof(v->name2), "%s", c->cfg);
		int r = vendor_load(h, c->cfg, PKG, &cfg, &cfglen, h->vinfo.file2, sizeof(h->vinfo.file2),
				    c->config_needed);
		if (r < 0 && r != L2K_ENOENT) {
			free(patch);
			return;
		}
		if (r == L2K_ENOENT && c->config_needed) {
			free(patch);
			return;
		}
	}
	if (cfg && (cfglen < 6 || get_le32(cfg) != RTL_CONFIG_MAGIC || (size_t)get_le16(cfg + 4) + 6 > cfglen)) {
		const char *why = cfglen < 6 || get_le32(cfg) != RTL_CONFIG_MAGIC
					  ? "bad signature (not a Realtek config file)"
					  : "shorter than its length field (truncated)";
		free(cfg);
		free(patch);
		vendor_fail(h, L2K_EBADMSG, "%s: %s", c->cfg, why);
		return;
	}
	uint8_t *all = realloc(patch, plen + cfglen);
	if (!all) {
		free(patch);
		free(cfg);
		vendor_fail(h, L2K_ENOMEM, "out of memory");
		return;
	}
	if (cfglen)
		memcpy(all + plen, cfg, cfglen);
	free(cfg);
	free(v->data);
	v->data = all;
	v->len = plen + cfglen;
	v->off = 0;
	v->idx = 0;
	send_chunk(h);
}

/* The ROM version is known: read the patch file; v1 goes down at once, v2 after the key id. */
static void load_patch(struct hci_host *h, const struct rtl_chip *c, uint8_t rom)
{
	struct hci_vendor_run *v = h->vrun;
	uint8_t *fw = NULL, *patch = NULL;
	size_t fwlen = 0, plen = 0;
	snprintf(v->name, sizeof(v->name), "%s", c->fw);
	if (vendor_load(h, c->fw, PKG, &fw, &fwlen, h->vinfo.file, sizeof(h->vinfo.file), true) < 0)
		return;
	if (fwlen >= 8 && !memcmp(fw, "BTNIC003", 8)) {
		free(fw);
		vendor_fail(h, L2K_ENOTSUP, "%s is in the v3 (\"BTNIC003\") format, which l2kit does not load", v->name);
		return;
	}
	if (fwlen >= 8 && !memcmp(fw, "RTBTCore", 8)) {
		if (check_project(h, c, fw, fwlen, RTL_V2_HDR) < 0) {
			free(fw);
			return;
		}
		/* keep the file until the key id is known */
		v->data = fw;
		v->len = fwlen;
		v->step = RS_KEY_ID;
		vendor_cmd(h, RTL_OP_READ_REG16, rtl_sec_proj, sizeof(rtl_sec_proj));
		return;
	}
	if (fwlen < 8 || memcmp(fw, "Realtech", 8)) {
		free(fw);
		vendor_fail(h, L2K_EBADMSG, "%s: bad signature (not \"Realtech\" or \"RTBTCore\"): not a Realtek patch file",
			    v->name);
		return;
	}
	int r = check_project(h, c, fw, fwlen, 8 + 4 + 2);
	if (r == 0)
		r = parse_epatch_v1(h, fw, fwlen, rom, &patch, &plen);
	free(fw);
	if (r < 0)
		return;
	download(h, c, patch, plen, true);
}

static void rtl_start(struct hci_host *h)
{
	const struct rtl_chip *c = chip_of(h);
	if (!c) {
		snprintf(h->vinfo.note, sizeof(h->vinfo.note),
			 "Realtek lmp_subver 0x%04x hci_rev 0x%04x hci_ver 0x%02x is no chip in its ROM state that "
			 "l2kit knows (its firmware may run already): no download",
			 h->info.lmp_subversion, h->info.hci_revision, h->info.hci_version);
		vendor_finish(h, 0);
		return;
	}
	snprintf(h->vinfo.chip, sizeof(h->vinfo.chip), "%s", c->name);
	h->vrun->step = RS_ROM;
	vendor_cmd(h, RTL_OP_READ_ROM_VERSION, NULL, 0);
}

static void rtl_cmd(struct hci_host *h, uint16_t op, int status, const uint8_t *r, size_t n)
{
	struct hci_vendor_run *v = h->vrun;
	const struct rtl_chip *c = chip_of(h);
	if (v->step == RS_ROM) {
		if (status != HCI_SUCCESS || n < 1) {
			vendor_fail(h, status != HCI_SUCCESS ? L2K_ECTRL : L2K_EBADMSG,
				    "Read ROM Version (0xFC6D) answered with status 0x%02x and %zu octets", (unsigned)status, n);
			return;
		}
		v->rom_version = r[0];
		load_patch(h, c, r[0]);
		return;
	}
	if (v->step == RS_KEY_ID) {
		/* Status Value(2): the key id in the first octet */
		if (status != HCI_SUCCESS || n < 2) {
			vendor_fail(h, status != HCI_SUCCESS ? L2K_ECTRL : L2K_EBADMSG,
				    "reading the key id (0xFC61) answered with status 0x%02x and %zu octets",
				    (unsigned)status, n);
			return;
		}
		uint8_t key_id = r[0], *patch = NULL;
		size_t plen = 0;
		if (parse_epatch_v2(h, v->data, v->len, v->rom_version, key_id, &patch, &plen) < 0)
			return;
		free(v->data);
		v->data = NULL;
		v->len = 0;
		download(h, c, patch, plen, key_id == 0);
		return;
	}
	/* a download chunk: Status Index */
	size_t k = v->len - v->off > RTL_CHUNK ? RTL_CHUNK : v->len - v->off;
	unsigned total = (unsigned)((v->len + RTL_CHUNK - 1) / RTL_CHUNK);
	if (status != HCI_SUCCESS) {
		vendor_fail(h, L2K_ECTRL, "the controller refused chunk %u of %u of %s (status 0x%02x)", v->idx + 1,
			    total, v->name, (unsigned)status);
		return;
	}
	if (n < 1) {
		vendor_fail(h, L2K_EBADMSG, "the answer to chunk %u of %u of %s has no index", v->idx + 1, total,
			    v->name);
		return;
	}
	v->off += k;
	v->idx++;
	h->vinfo.chunks = v->idx;
	h->vinfo.bytes = v->off;
	if (v->off < v->len) {
		send_chunk(h);
		return;
	}
	vendor_reset_and_read(h);
}

static void rtl_timer(struct hci_host *h)
{
}

static void rtl_after(struct hci_host *h)
{
	vendor_finish(h, 0);
}

const struct vendor_family hci_vendor_rtl = {rtl_start, rtl_cmd, rtl_timer, NULL, rtl_after};
