/* Realtek start-up (as Linux's btrtl documents it): Read Local Version's LMP_Subversion,
 * HCI_Revision and HCI_Version pick the chip (a chip whose firmware already runs reports other
 * values: nothing to do); vendor command 0xFC6D reads the ROM version; the "Realtech" epatch
 * file holds one patch per ROM version (chip id = ROM version + 1), whose last 4 octets are
 * replaced by the file's firmware version; the config file follows it; vendor command 0xFC20
 * downloads the whole in chunks of up to 252 octets, each with an index octet (bit 7 on the last
 * chunk) and each answered by Command Complete; then HCI Reset and Read Local Version. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/l2k_error.h"
#include "hci/vendor_int.h"

#define RTL_OP_READ_ROM_VERSION 0xFC6D
#define RTL_OP_DOWNLOAD 0xFC20
#define RTL_CHUNK 252
#define RTL_CONFIG_MAGIC 0x8723ab55u

struct rtl_chip {
	uint16_t lmp_subver, hci_rev;
	uint8_t hci_ver;
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
	{0x8822, 0xb, 0x7, 8, true, "RTL8822B", "rtl_bt/rtl8822b_fw.bin", "rtl_bt/rtl8822b_config.bin"},
	{0x8822, 0xc, 0xa, 13, false, "RTL8822CU", "rtl_bt/rtl8822cu_fw.bin", "rtl_bt/rtl8822cu_config.bin"},
	{0x8852, 0xa, 0xb, 18, false, "RTL8852AU", "rtl_bt/rtl8852au_fw.bin", "rtl_bt/rtl8852au_config.bin"},
	{0x8852, 0xb, 0xb, 20, false, "RTL8852BU", "rtl_bt/rtl8852bu_fw.bin", "rtl_bt/rtl8852bu_config.bin"},
	{0x8852, 0xc, 0xc, 25, false, "RTL8852CU", "rtl_bt/rtl8852cu_fw.bin", "rtl_bt/rtl8852cu_config.bin"},
};
#define NCHIPS (sizeof(chips) / sizeof(chips[0]))

enum { RS_ROM, RS_DOWNLOAD };

static const struct rtl_chip *chip_of(const struct hci_host *h)
{
	for (size_t i = 0; i < NCHIPS; i++)
		if (chips[i].lmp_subver == h->info.lmp_subversion && chips[i].hci_rev == h->info.hci_revision &&
		    chips[i].hci_ver == h->info.hci_version)
			return &chips[i];
	return NULL;
}

static const char *const PKG = "firmware-realtek";

/* The patch for rom_version out of the epatch file f (n octets): into *out (malloc'ed, with
 * the firmware version in its last 4 octets), or an error reported with what is wrong. */
static int parse_epatch(struct hci_host *h, const struct rtl_chip *c, const uint8_t *f, size_t n,
			uint8_t rom_version, uint8_t **out, size_t *outlen)
{
	static const uint8_t ext_sig[4] = {0x51, 0x04, 0xFD, 0x77};
	const char *name = h->vrun->name;
	const size_t hdr = 8 + 4 + 2; /* signature, fw_version, num_patches */
	if (n >= 8 && !memcmp(f, "RTBTCore", 8)) {
		vendor_fail(h, L2K_ENOTSUP, "%s is in the v2 (\"RTBTCore\") format, which l2kit does not load yet", name);
		return L2K_ENOTSUP;
	}
	if (n < 8 || memcmp(f, "Realtech", 8)) {
		vendor_fail(h, L2K_EBADMSG, "%s: bad signature (not \"Realtech\"): not a Realtek patch file", name);
		return L2K_EBADMSG;
	}
	if (n < hdr + sizeof(ext_sig) + 3 || memcmp(f + n - 4, ext_sig, 4)) {
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

static void send_chunk(struct hci_host *h)
{
	struct hci_vendor_run *v = h->vrun;
	uint8_t p[1 + RTL_CHUNK];
	size_t left = v->len - v->off, k = left > RTL_CHUNK ? RTL_CHUNK : left;
	unsigned i = v->idx;
	uint8_t index = (uint8_t)(i > 0x7F ? ((i & 0x7F) + 1) : i);
	if (v->off + k == v->len)
		index |= 0x80; /* the last */
	p[0] = index;
	memcpy(p + 1, v->data + v->off, k);
	v->step = RS_DOWNLOAD;
	vendor_cmd(h, RTL_OP_DOWNLOAD, p, 1 + k);
}

static void download(struct hci_host *h, const struct rtl_chip *c, uint8_t rom)
{
	struct hci_vendor_run *v = h->vrun;
	uint8_t *fw = NULL, *cfg = NULL, *patch = NULL;
	size_t fwlen = 0, cfglen = 0, plen = 0;
	snprintf(v->name, sizeof(v->name), "%s", c->fw);
	if (vendor_load(h, c->fw, PKG, &fw, &fwlen, h->vinfo.file, sizeof(h->vinfo.file), true) < 0)
		return;
	int r = parse_epatch(h, c, fw, fwlen, rom, &patch, &plen);
	free(fw);
	if (r < 0)
		return;
	snprintf(v->name2, sizeof(v->name2), "%s", c->cfg);
	r = vendor_load(h, c->cfg, PKG, &cfg, &cfglen, h->vinfo.file2, sizeof(h->vinfo.file2), c->config_needed);
	if (r < 0 && r != L2K_ENOENT) {
		free(patch);
		return;
	}
	if (r == L2K_ENOENT && c->config_needed) {
		free(patch);
		return;
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
	v->data = all;
	v->len = plen + cfglen;
	v->off = 0;
	v->idx = 0;
	send_chunk(h);
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
		download(h, c, r[0]);
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
