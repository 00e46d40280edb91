/* Vendor personalities of the simulated controller: a Realtek, Intel or Broadcom dongle before
 * its start-up, taking the vendor download protocol as Linux's btrtl / btintel / btbcm drive it
 * (docs/simulator.md "Vendor personalities") and checking every download command: index order
 * and sizes (Realtek), the fragment types and lengths of the RSA header (Intel), vendor opcodes
 * after Download Minidriver (Broadcom).  It hashes what it received (FNV-1a) so a test can
 * compare it with the file it expects, can NACK one command (vendor_nack), and once the new
 * firmware runs reports a new version: Realtek and Broadcom one derived from the hash, Intel the
 * operational firmware variant with the build of the image's Write Boot Params.  The Intel TLV
 * personalities (AX210, AX211) answer Read Version (parameter 0xFF) with a TLV list and take
 * the header of their secure boot engine (ECDSA or RSA) from the .sfi that carries both.  The
 * Realtek ones also answer the key id read (0xFC61, security project register) that a v2
 * ("RTBTCore") patch file needs; realtek-8852bu is the v2-era chip (vendor-rom / vendor-key-id
 * change what it reports). */
#include <stdio.h>
#include <string.h>

#include "base/l2k_error.h"
#include "transport/sim/sim_int.h"

enum fam { F_RTL = 1, F_INTEL, F_BCM };

static const struct pers {
	const char *name;
	enum fam fam;
	uint16_t vid, pid, manufacturer;
	uint8_t hci_ver;
	uint16_t hci_rev, lmp_subver;
	uint8_t rom_version;			     /* Realtek */
	uint8_t hw_variant, hw_revision, fw_revision; /* Intel */
	uint16_t dev_revid;
	uint8_t key_id; /* Realtek: its security key id (0: none) */
} pers[SIM_VENDOR_COUNT] = {
	[SIM_VENDOR_RTL8761BU] = {"realtek-8761bu", F_RTL, 0x0bda, 0x8771, 0x005d, 0x0a, 0x000b, 0x8761, 1, 0, 0, 0, 0, 0},
	[SIM_VENDOR_RTL8821C] = {"realtek-8821c", F_RTL, 0x0bda, 0xc821, 0x005d, 0x08, 0x000c, 0x8821, 1, 0, 0, 0, 0, 0},
	[SIM_VENDOR_RTL8852BU] = {"realtek-8852bu", F_RTL, 0x0bda, 0xb85b, 0x005d, 0x0b, 0x000b, 0x8852, 1, 0, 0, 0, 0, 0},
	[SIM_VENDOR_INTEL_8265] = {"intel-8265", F_INTEL, 0x8087, 0x0a2b, 0x0002, 0x08, 0x0100, 0x0100, 0, 0x0c, 0x00, 0x00, 16, 0},
	[SIM_VENDOR_INTEL_AX200] = {"intel-ax200", F_INTEL, 0x8087, 0x0029, 0x0002, 0x0b, 0x0100, 0x0100, 0, 0x14, 0x01, 0x03, 0, 0},
	[SIM_VENDOR_BCM20702] = {"broadcom-20702", F_BCM, 0x0a5c, 0x21e8, 0x000f, 0x06, 0x1000, 0x220e, 0, 0, 0, 0, 0, 0},
	[SIM_VENDOR_INTEL_AX210] = {.name = "intel-ax210", .fam = F_INTEL, .vid = 0x8087, .pid = 0x0032,
				    .manufacturer = 0x0002, .hci_ver = 0x0c, .hci_rev = 0x0100, .lmp_subver = 0x0100,
				    .hw_variant = 0x17},
	[SIM_VENDOR_INTEL_AX211] = {.name = "intel-ax211", .fam = F_INTEL, .vid = 0x8087, .pid = 0x0033,
				    .manufacturer = 0x0002, .hci_ver = 0x0c, .hci_rev = 0x0100, .lmp_subver = 0x0100,
				    .hw_variant = 0x18},
};

/* The Intel TLV personalities (AX210 and later).  CNVi/CNVr top: type (bits 0-11), step (bits
 * 24-27); CNVi BT: platform 0x37 (bits 8-15), variant (bits 16-21). */
static const struct tlv_pers {
	bool tlv;
	uint32_t cnvi_top, cnvr_top, cnvi_bt;
	uint8_t sbe; /* secure boot engine: 0 RSA, 1 ECDSA */
} tlv_pers[SIM_VENDOR_COUNT] = {
	[SIM_VENDOR_INTEL_AX210] = {.tlv = true, .cnvi_top = 0x00000410, .cnvr_top = 0x00000410, .cnvi_bt = 0x00173700, .sbe = 1},
	[SIM_VENDOR_INTEL_AX211] = {.tlv = true, .cnvi_top = 0x01000400, .cnvr_top = 0x00000410, .cnvi_bt = 0x00183700, .sbe = 0},
};

int sim_vendor_by_name(const char *name)
{
	for (int i = 1; i < SIM_VENDOR_COUNT; i++)
		if (!strcmp(name, pers[i].name))
			return i;
	return L2K_EINVAL;
}

const char *sim_vendor_name(int v)
{
	return v > 0 && v < SIM_VENDOR_COUNT ? pers[v].name : "";
}

bool sim_ctrl_usb_id(const struct sim_ctrl *c, uint16_t *vid, uint16_t *pid)
{
	if (!c->cfg.vendor)
		return false;
	*vid = pers[c->cfg.vendor].vid;
	*pid = pers[c->cfg.vendor].pid;
	return true;
}

void sim_ctrl_vendor_stats(const struct sim_ctrl *c, struct sim_vendor_stats *out)
{
	*out = c->vend.st;
	out->personality = sim_vendor_name(c->cfg.vendor);
}

static void hash(struct sim_ctrl *c, const uint8_t *p, size_t n)
{
	uint32_t h = c->vend.st.bytes ? c->vend.st.hash : 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	c->vend.st.hash = h;
	c->vend.st.bytes += n;
}

static void fault(struct sim_ctrl *c, const char *fmt, unsigned a, unsigned b)
{
	if (!c->vend.st.error[0])
		snprintf(c->vend.st.error, sizeof(c->vend.st.error), fmt, a, b);
}

/* The Nth download command: whether to NACK it (vendor_nack). */
static bool nack(struct sim_ctrl *c)
{
	c->vend.seen++;
	return c->cfg.vendor_nack && c->vend.seen == c->cfg.vendor_nack;
}

void sim_vendor_read_version(const struct sim_ctrl *c, uint8_t r[9])
{
	const struct pers *v = &pers[c->cfg.vendor];
	/* Status HCI_Version HCI_Revision(2) LMP_Version Manufacturer(2) LMP_Subversion(2) */
	uint16_t rev = v->hci_rev, sub = v->lmp_subver;
	if (c->vend.st.running && v->fam == F_RTL) {
		rev = (uint16_t)(c->vend.st.hash >> 16); /* the patched firmware's own version */
		sub = (uint16_t)c->vend.st.hash;
	} else if (c->vend.st.running && v->fam == F_BCM) {
		rev = (uint16_t)(0x1000u | (c->vend.st.hash & 0x0FFFu)); /* the build */
	}
	r[1] = r[4] = v->hci_ver;
	put_le16(r + 2, rev);
	put_le16(r + 5, v->manufacturer);
	put_le16(r + 7, sub);
}

void sim_vendor_reset(struct sim_ctrl *c)
{
	if (c->cfg.vendor && pers[c->cfg.vendor].fam == F_BCM && c->vend.launched) {
		c->vend.st.running = true;
		c->vend.launched = false;
	}
	c->vend.minidriver = false;
}

/* ---- Realtek -------------------------------------------------------------------------------- */

static bool rtl_command(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	const struct pers *v = &pers[c->cfg.vendor];
	if (op == 0xFC6D) { /* Read ROM Version: Status Version */
		uint8_t r[2] = {HCI_SUCCESS, c->cfg.vendor_rom_set ? c->cfg.vendor_rom : v->rom_version};
		if (n)
			sim_cc_status(c, op, HCI_ERR_INVALID_PARAMS);
		else
			sim_cmd_complete(c, op, r, sizeof(r));
		return true;
	}
	if (op == 0xFC61) { /* Read Register: Type Address(2) ...; answered Status Value(2) */
		/* only the security project register (btrtl's RTL_SEC_PROJ): its first octet is the
		 * key id */
		static const uint8_t sec_proj[5] = {0x10, 0xA4, 0xAD, 0x00, 0xB0};
		if (n != 5 || memcmp(p, sec_proj, 5)) {
			fault(c, "0xFC61 read of a register this controller does not know (%u octets, 0x%02x ...)",
			      (unsigned)n, n > 1 ? p[1] : 0);
			sim_cc_status(c, op, HCI_ERR_INVALID_PARAMS);
		} else {
			uint8_t r[3] = {HCI_SUCCESS, c->cfg.vendor_key_set ? c->cfg.vendor_key_id : v->key_id, 0};
			sim_cmd_complete(c, op, r, sizeof(r));
		}
		return true;
	}
	if (op != 0xFC20)
		return false;
	/* Download: Index Data(<= 252); answered Status Index */
	uint8_t r[2] = {HCI_SUCCESS, n ? p[0] : 0};
	/* the index: 0, 1 .. 0x7F, then 1 .. 0x7F again (bit 7: the last chunk) */
	unsigned i = c->vend.st.cmds;
	uint8_t want = (uint8_t)(i == 0 ? 0 : (i - 1) % 0x7F + 1);
	if (nack(c)) {
		r[0] = HCI_ERR_UNSPECIFIED;
	} else if (c->vend.st.complete) {
		fault(c, "download chunk after the last one (index 0x%02x)", n ? p[0] : 0, 0);
		r[0] = HCI_ERR_COMMAND_DISALLOWED;
	} else if (n < 2 || n > 253) {
		fault(c, "download chunk %u with %u data octets", i + 1, n ? (unsigned)n - 1 : 0);
		r[0] = HCI_ERR_INVALID_PARAMS;
	} else if ((p[0] & 0x7F) != want) {
		fault(c, "download chunk %u has index 0x%02x", i + 1, p[0]);
		r[0] = HCI_ERR_INVALID_PARAMS;
	} else if (!(p[0] & 0x80) && n != 253) {
		fault(c, "download chunk %u (not the last) has %u data octets, not 252", i + 1, (unsigned)n - 1);
		r[0] = HCI_ERR_INVALID_PARAMS;
	} else {
		hash(c, p + 1, n - 1);
		c->vend.st.cmds++;
		if (p[0] & 0x80)
			c->vend.st.complete = c->vend.st.running = true; /* the patch runs at once */
	}
	if (r[0] != HCI_SUCCESS)
		c->vend.st.nacked++;
	sim_cmd_complete(c, op, r, sizeof(r));
	return true;
}

/* ---- Intel ---------------------------------------------------------------------------------- */

/* the operational firmware runs (booted here, or from the start: vendor_booted) */
static bool intel_runs(const struct sim_ctrl *c)
{
	return c->vend.st.running || c->cfg.vendor_booted;
}

static size_t tlv_put(uint8_t *r, size_t off, uint8_t type, const void *val, uint8_t len)
{
	r[off] = type;
	r[off + 1] = len;
	memcpy(r + off + 2, val, len);
	return off + 2u + len;
}

static size_t tlv_put32(uint8_t *r, size_t off, uint8_t type, uint32_t v)
{
	uint8_t b[4];
	put_le32(b, v);
	return tlv_put(r, off, type, b, 4);
}

/* Read Version in the TLV format (btintel.h's types): the bootloader's (image type 0x01, its own
 * build 18 week 5 year 21) or the operational firmware's (0x03, the build of the image's Write
 * Boot Params); an entry of a type no host uses (0xE0) among them. */
static void intel_version_tlv(struct sim_ctrl *c, uint16_t op)
{
	const struct tlv_pers *v = &tlv_pers[c->cfg.vendor];
	bool run = intel_runs(c);
	uint8_t r[128];
	size_t o = 1;
	r[0] = HCI_SUCCESS;
	o = tlv_put32(r, o, 0x10, v->cnvi_top);
	o = tlv_put32(r, o, 0x11, v->cnvr_top);
	o = tlv_put32(r, o, 0x12, v->cnvi_bt);
	o = tlv_put32(r, o, 0x13, v->cnvi_bt | 0x01000000u);
	o = tlv_put(r, o, 0x16, (const uint8_t[]){0x00, 0x00}, 2);
	o = tlv_put(r, o, 0x1c, (const uint8_t[]){run ? 0x03 : 0x01}, 1);
	o = tlv_put(r, o, 0x1d, (const uint8_t[]){run ? c->vend.build[1] : 5, run ? c->vend.build[2] : 21}, 2);
	o = tlv_put(r, o, 0x1e, (const uint8_t[]){0x01}, 1);
	o = tlv_put32(r, o, 0x1f, run ? c->vend.build[0] : 18);
	o = tlv_put(r, o, 0xE0, (const uint8_t[]){0xDE, 0xAD, 0xBE}, 3);
	o = tlv_put(r, o, 0x28, (const uint8_t[]){0x01}, 1); /* secure boot */
	o = tlv_put(r, o, 0x2a, (const uint8_t[]){0x01}, 1); /* OTP lock */
	o = tlv_put(r, o, 0x2b, (const uint8_t[]){0x01}, 1); /* API lock */
	o = tlv_put(r, o, 0x2c, (const uint8_t[]){0x00}, 1); /* debug lock */
	o = tlv_put(r, o, 0x2d, (const uint8_t[]){0x01, 0x01, 0x15}, 3); /* min firmware */
	o = tlv_put(r, o, 0x2e, (const uint8_t[]){0x00}, 1);	      /* limited CCE: every fragment acked */
	o = tlv_put(r, o, 0x2f, &v->sbe, 1);
	o = tlv_put(r, o, 0x30, c->cfg.addr.b, 6); /* OTP BD_ADDR */
	memcpy(r + o, c->cfg.vendor_tlv_extra, c->cfg.vendor_tlv_extra_len); /* vendor-tlv-extra */
	o += c->cfg.vendor_tlv_extra_len;
	sim_cmd_complete(c, op, r, o);
}

static void intel_version(struct sim_ctrl *c, uint16_t op)
{
	const struct pers *v = &pers[c->cfg.vendor];
	bool run = intel_runs(c);
	/* Status HW_Platform HW_Variant HW_Revision FW_Variant FW_Revision FW_Build_Num _WW _YY Patch */
	uint8_t r[10] = {HCI_SUCCESS, 0x37, v->hw_variant, v->hw_revision, run ? 0x23 : 0x06, v->fw_revision,
			 run ? c->vend.build[0] : 0, run ? c->vend.build[1] : 0, run ? c->vend.build[2] : 0, 0};
	sim_cmd_complete(c, op, r, sizeof(r));
}

static void intel_payload(struct sim_ctrl *c, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		c->vend.cmd[c->vend.cmd_have++] = p[i];
		if (c->vend.cmd_have < 3 || c->vend.cmd_have < 3u + c->vend.cmd[2])
			continue;
		if (get_le16(c->vend.cmd) == 0xFC0E && c->vend.cmd[2] >= 7) { /* Write Boot Params */
			c->vend.boot_addr = get_le32(c->vend.cmd + 3);
			memcpy(c->vend.build, c->vend.cmd + 7, 3);
			c->vend.have_boot = true;
		}
		c->vend.cmd_have = 0;
	}
}

static bool intel_command(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	static const uint32_t rsa_len[3] = {128, 256, 256}, ecdsa_len[3] = {128, 96, 96};
	static const uint8_t hdr_type[3] = {0x00, 0x03, 0x02};
	const struct pers *v = &pers[c->cfg.vendor];
	const struct tlv_pers *t = &tlv_pers[c->cfg.vendor];
	const uint32_t *hdr_len = t->tlv && t->sbe ? ecdsa_len : rsa_len;
	switch (op) {
	case 0xFC05:
		if (!t->tlv) {
			intel_version(c, op);
		} else if (n != 1 || p[0] != 0xFF) {
			fault(c, "Read Version with %u parameter octets, not the one 0xFF of the TLV format", (unsigned)n, 0);
			sim_cc_status(c, op, HCI_ERR_INVALID_PARAMS);
		} else {
			intel_version_tlv(c, op);
		}
		return true;
	case 0xFC0D: {
		if (t->tlv)
			return false; /* no Read Boot Params: the TLV answer has it all */ /* Read Boot Params: Status OTP_Format OTP_Content OTP_Patch Dev_RevID(2) ... */
		uint8_t r[24] = {HCI_SUCCESS};
		put_le16(r + 4, v->dev_revid);
		r[6] = 1; /* secure boot */
		sim_cmd_complete(c, op, r, sizeof(r));
		return true;
	}
	case 0xFC09: { /* Secure Send: Type Data */
		uint8_t st = HCI_SUCCESS;
		if (nack(c)) {
			st = HCI_ERR_UNSPECIFIED;
		} else if (intel_runs(c)) {
			st = HCI_ERR_COMMAND_DISALLOWED;
		} else if (n < 2 || n > 253) {
			fault(c, "Secure Send fragment %u with %u data octets", c->vend.seen, n ? (unsigned)n - 1 : 0);
			st = HCI_ERR_INVALID_PARAMS;
		} else if (c->vend.phase < 3 && (p[0] != hdr_type[c->vend.phase] ||
						  c->vend.phase_bytes + (n - 1) > hdr_len[c->vend.phase])) {
			fault(c, t->tlv && t->sbe ? "Secure Send fragment %u: type 0x%02x out of place in the ECDSA header"
						  : "Secure Send fragment %u: type 0x%02x out of place in the RSA header",
			      c->vend.seen, p[0]);
			st = HCI_ERR_INVALID_PARAMS;
		} else if (c->vend.phase == 0 && c->vend.phase_bytes == 0 &&
			   (n - 1 < 28 || get_le32(p + 1 + 8) != (t->tlv && t->sbe ? 0x00020000u : 0x00010000u) ||
			    (t->tlv && t->sbe && p[1] != 0x06))) {
			/* the CSS header must be the one of this engine */
			fault(c, t->tlv && t->sbe ? "Secure Send fragment %u: not an ECDSA CSS header (version 0x%08x)"
						  : "Secure Send fragment %u: not an RSA CSS header (version 0x%08x)",
			      c->vend.seen, n - 1 >= 12 ? get_le32(p + 1 + 8) : 0);
			st = HCI_ERR_INVALID_PARAMS;
		} else if (c->vend.phase == 3 && (p[0] != 0x01 || c->vend.got + (n - 1) > c->vend.image_len)) {
			fault(c, "Secure Send fragment %u: type 0x%02x or beyond the image's end", c->vend.seen, p[0]);
			st = HCI_ERR_INVALID_PARAMS;
		} else {
			hash(c, p + 1, n - 1);
			c->vend.st.cmds++;
			if (c->vend.phase == 0 && c->vend.phase_bytes == 0) {
				/* the CSS header's size (dwords): the RSA one's the whole file, of which
				 * the 4-octet exponent after the public key (and, in a TLV-era file, the
				 * ECDSA header) is not sent; the ECDSA one's that header and the payload */
				uint64_t whole = (uint64_t)get_le32(p + 1 + 24) * 4u;
				uint64_t unsent = t->tlv ? (t->sbe ? 0 : 4u + 320u) : 4u;
				uint64_t hdr = (uint64_t)hdr_len[0] + hdr_len[1] + hdr_len[2];
				c->vend.image_len = (uint32_t)(whole >= unsent + hdr && whole - unsent <= UINT32_MAX
								   ? whole - unsent : hdr);
			}
			c->vend.got += (uint32_t)(n - 1);
			if (c->vend.phase < 3) {
				c->vend.phase_bytes += (uint32_t)(n - 1);
				if (c->vend.phase_bytes == hdr_len[c->vend.phase]) {
					c->vend.phase++;
					c->vend.phase_bytes = 0;
				}
			} else {
				intel_payload(c, p + 1, n - 1);
			}
		}
		if (st != HCI_SUCCESS)
			c->vend.st.nacked++;
		sim_cc_status(c, op, st);
		bool end = st == HCI_SUCCESS && c->vend.phase == 3 && c->vend.got == c->vend.image_len;
		if (st != HCI_SUCCESS || end) {
			/* Secure Send Result: Result Opcode(2) Status */
			uint8_t e[5] = {0x06, st == HCI_SUCCESS && c->vend.have_boot ? 0 : 1, 0x09, 0xFC, st};
			if (end)
				c->vend.st.complete = true;
			sim_event(c, HCI_EV_VENDOR, e, sizeof(e));
		}
		return true;
	}
	case 0xFC01: /* Intel Reset: no Command Complete; Bootup follows */
		if (intel_runs(c))
			fault(c, "Intel Reset while the operational firmware runs (%u parameter octets)", (unsigned)n, 0);
		else if (n == 8 && c->vend.st.complete && !c->vend.st.error[0] && c->vend.have_boot &&
		    get_le32(p + 4) == c->vend.boot_addr)
			c->vend.st.running = true;
		else if (n == 8 && c->vend.st.complete)
			fault(c, "Intel Reset with boot address 0x%08x, the image's is 0x%08x", get_le32(p + 4),
			      c->vend.boot_addr);
		{
			uint8_t e[7] = {0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00};
			sim_event(c, HCI_EV_VENDOR, e, sizeof(e));
		}
		return true;
	case 0xFC8B: /* DDC Write: Length ID(2) Data */
		if (!intel_runs(c) || n < 3 || p[0] != n - 1) {
			fault(c, "DDC record %u malformed or before the firmware runs (length %u)", c->vend.st.ddc + 1,
			      n ? p[0] : 0);
			sim_cc_status(c, op, HCI_ERR_INVALID_PARAMS);
		} else {
			c->vend.st.ddc++;
			sim_cc_status(c, op, HCI_SUCCESS);
		}
		return true;
	default: return false;
	}
}

/* ---- Broadcom ------------------------------------------------------------------------------- */

static bool bcm_command(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	if ((op >> 10) != 0x3F)
		return false;
	if (op == 0xFC2E) { /* Download Minidriver */
		c->vend.minidriver = true;
		sim_cc_status(c, op, HCI_SUCCESS);
		return true;
	}
	if (!c->vend.minidriver)
		return false; /* other vendor commands: unknown as before */
	uint8_t st = HCI_SUCCESS;
	if (nack(c)) {
		st = HCI_ERR_UNSPECIFIED;
		c->vend.st.nacked++;
	} else {
		uint8_t h[3];
		put_le16(h, op);
		h[2] = (uint8_t)n;
		hash(c, h, 3);
		hash(c, p, n);
		c->vend.st.cmds++;
		if (op == 0xFC4E) /* Launch RAM */
			c->vend.launched = c->vend.st.complete = true;
	}
	sim_cc_status(c, op, st);
	return true;
}

bool sim_vendor_command(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n)
{
	switch (pers[c->cfg.vendor].fam) {
	case F_RTL: return rtl_command(c, op, p, n);
	case F_INTEL: return intel_command(c, op, p, n);
	case F_BCM: return bcm_command(c, op, p, n);
	default: return false;
	}
}
