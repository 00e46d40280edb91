/* Intel start-up as Linux's btintel documents it.  The legacy (non-TLV) bootloader path:
 *  - Read Version (0xFC05): hardware platform 0x37; firmware variant 0x06 is the bootloader,
 *    0x23 the operational firmware (then nothing is loaded);
 *  - Read Boot Params (0xFC0D) for the device revision;
 *  - the firmware file intel/ibt-HWVARIANT-DEVREVID.sfi (hardware variants 0x0b, 0x0c) or
 *    intel/ibt-HWVARIANT-HWREV-FWREV.sfi (0x11 .. 0x14): a 644-octet RSA header - the CSS header
 *    (128 octets, its header version 0x00010000 at offset 8), the public key (256), its
 *    exponent (4, not sent) and the signature (256) - then the payload, a sequence of HCI commands; among them Write Boot Params
 *    (0xFC0E) carries the boot address;
 *  - Secure Send (0xFC09) fragments of up to 252 octets behind a type octet: CSS header 0x00,
 *    public key 0x03, signature 0x02, then the payload 0x01 in runs of whole commands whose
 *    length is a multiple of 4; each answered by Command Complete;
 *  - the vendor event Secure Send Result (0xFF, 0x06) says whether the firmware was accepted;
 *  - Intel Reset (0xFC01) with the boot address boots it (no Command Complete): the vendor
 *    event Bootup (0xFF, 0x02) follows; Read Version again must say 0x23;
 *  - HCI Reset, Read Local Version, and the DDC file (same name, .ddc): records Length(1)
 *    ID(2) Data(Length - 2), each sent whole with DDC Write (0xFC8B).
 * Hardware variants 0x17 and later (AX210, AX211, BE200 ...) answer Read Version (sent with the
 * parameter 0xFF, which the legacy ones ignore) with a list of Type(1) Length(1) Value entries
 * instead: CNVi/CNVr top and BT (0x10..0x13; the BT word holds the platform 0x37 in bits 8-15
 * and the variant in bits 16-21), image type (0x1c: 0x01 bootloader, 0x03 operational), build
 * type and number (0x1e, 0x1f), limited CCE (0x2e), secure boot engine type (0x2f: 0x00 RSA,
 * 0x01 ECDSA), the OTP BD_ADDR (0x30) ...; no Read Boot Params.  Their file is
 * intel/ibt-CNVI-CNVR.sfi, CNVI/CNVR four hex digits of the top word's type (bits 0-11) and
 * step (bits 24-27) packed as type << 4 | step and byte-swapped; it carries the RSA header (644)
 * and then an ECDSA one (320: CSS header 128 with version 0x00020000 at offset 8 and 0x06 at its
 * start, public key 96, signature 96) before the commands at 964: the engine type chooses which
 * header is sent (the same fragment types 0x00, 0x03, 0x02), the payload is the same.  Boot,
 * Bootup, Read Version (image type 0x03 now) and the DDC file (.ddc) as above.  Variant 0x1e and
 * later (BlazarI) first load an intermediate loader (-iml.sfi): not done, said so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/l2k_error.h"
#include "hci/vendor_int.h"

#define INTEL_OP_RESET 0xFC01
#define INTEL_OP_READ_VERSION 0xFC05
#define INTEL_OP_SECURE_SEND 0xFC09
#define INTEL_OP_READ_BOOT_PARAMS 0xFC0D
#define INTEL_OP_WRITE_BOOT_PARAMS 0xFC0E
#define INTEL_OP_DDC_WRITE 0xFC8B
#define INTEL_HW_PLATFORM 0x37
#define INTEL_FW_BOOTLOADER 0x06
#define INTEL_FW_OPERATIONAL 0x23
#define INTEL_RSA_HEADER 644
#define INTEL_ECDSA_HEADER 320
#define INTEL_CSS_VERSION_RSA 0x00010000u
#define INTEL_CSS_VERSION_ECDSA 0x00020000u
#define INTEL_IMG_BOOTLOADER 0x01
#define INTEL_IMG_OPERATIONAL 0x03
#define INTEL_SBE_RSA 0x00
#define INTEL_SBE_ECDSA 0x01
#define INTEL_EV_BOOTUP 0x02
#define INTEL_EV_SECURE_SEND_RESULT 0x06
#define INTEL_RESULT_WAIT_MS 5000
#define INTEL_BOOT_WAIT_MS 1000
#define INTEL_FRAG 252

static const char *const PKG = "firmware-iwlwifi";

enum { IS_VERSION, IS_BOOT_PARAMS, IS_SEND, IS_RESULT, IS_BOOT, IS_VERSION2, IS_DDC };

/* The fragments to send: type, offset in data, length; built before the first goes out. */
struct frag {
	uint8_t type, len;
	uint32_t off;
};
static struct frag *frags_of(struct hci_vendor_run *v)
{
	return (struct frag *)(void *)v->data2; /* data2 holds the fragment list while sending */
}

static void ver_str(const uint8_t *ver, char *buf, size_t len)
{
	/* hw_platform hw_variant hw_revision fw_variant fw_revision fw_build_num fw_build_ww
	 * fw_build_yy fw_patch_num */
	snprintf(buf, len, "%s (fw_variant 0x%02x) build %u week %u year %u",
		 ver[3] == INTEL_FW_BOOTLOADER ? "bootloader" : ver[3] == INTEL_FW_OPERATIONAL ? "operational" : "?",
		 ver[3], ver[5], ver[6], ver[7]);
}

/* TLV types (btintel.h): 0x10 CNVi top, 0x11 CNVr top, 0x12 CNVi BT, 0x13 CNVr BT, 0x16 device
 * revision, 0x1c image type, 0x1d time stamp, 0x1e build type, 0x1f build number, 0x28 secure
 * boot, 0x2a OTP lock, 0x2b API lock, 0x2c debug lock, 0x2d minimum firmware, 0x2e limited CCE,
 * 0x2f SBE type, 0x30 OTP BD_ADDR. */
enum {
	T_CNVI_TOP = 0x10, T_CNVR_TOP = 0x11, T_CNVI_BT = 0x12, T_CNVR_BT = 0x13, T_DEV_REV_ID = 0x16,
	T_IMAGE_TYPE = 0x1c, T_TIME_STAMP = 0x1d, T_BUILD_TYPE = 0x1e, T_BUILD_NUM = 0x1f,
	T_SECURE_BOOT = 0x28, T_OTP_LOCK = 0x2a, T_API_LOCK = 0x2b, T_DEBUG_LOCK = 0x2c, T_MIN_FW = 0x2d,
	T_LIMITED_CCE = 0x2e, T_SBE_TYPE = 0x2f, T_OTP_BDADDR = 0x30,
};
#define SEEN(t) ((uint64_t)1 << ((t) - 0x10))

int intel_parse_version_tlv(const uint8_t *p, size_t n, struct intel_tlv_version *out, size_t *bad_off)
{
	memset(out, 0, sizeof(*out));
	size_t off = 0;
	while (off < n) {
		if (n - off < 2 || n - off - 2 < p[off + 1]) {
			*bad_off = off;
			return L2K_EBADMSG;
		}
		uint8_t t = p[off], l = p[off + 1];
		const uint8_t *v = p + off + 2;
		size_t need = 0; /* octets the type's value must have (0: a type l2kit skips) */
		switch (t) {
		case T_CNVI_TOP: case T_CNVR_TOP: case T_CNVI_BT: case T_CNVR_BT: case T_BUILD_NUM: need = 4; break;
		case T_DEV_REV_ID: case T_TIME_STAMP: need = 2; break;
		case T_MIN_FW: need = 3; break;
		case T_OTP_BDADDR: need = 6; break;
		case T_IMAGE_TYPE: case T_BUILD_TYPE: case T_SECURE_BOOT: case T_OTP_LOCK: case T_API_LOCK:
		case T_DEBUG_LOCK: case T_LIMITED_CCE: case T_SBE_TYPE: need = 1; break;
		default: break;
		}
		if (need && l < need) {
			*bad_off = off;
			return L2K_EBADMSG;
		}
		switch (t) {
		case T_CNVI_TOP: out->cnvi_top = get_le32(v); break;
		case T_CNVR_TOP: out->cnvr_top = get_le32(v); break;
		case T_CNVI_BT: out->cnvi_bt = get_le32(v); break;
		case T_CNVR_BT: out->cnvr_bt = get_le32(v); break;
		case T_DEV_REV_ID: out->dev_rev_id = get_le16(v); break;
		case T_IMAGE_TYPE: out->img_type = v[0]; break;
		case T_TIME_STAMP: out->ts_week = v[0]; out->ts_year = v[1]; break;
		case T_BUILD_TYPE: out->build_type = v[0]; break;
		case T_BUILD_NUM: out->build_num = get_le32(v); break;
		case T_SECURE_BOOT: out->secure_boot = v[0]; break;
		case T_OTP_LOCK: out->otp_lock = v[0]; break;
		case T_API_LOCK: out->api_lock = v[0]; break;
		case T_DEBUG_LOCK: out->debug_lock = v[0]; break;
		case T_MIN_FW: memcpy(out->min_fw, v, 3); break;
		case T_LIMITED_CCE: out->limited_cce = v[0]; break;
		case T_SBE_TYPE: out->sbe_type = v[0]; break;
		case T_OTP_BDADDR: memcpy(out->otp_bdaddr, v, 6); break;
		default: break; /* a type l2kit does not use: skipped */
		}
		if (need)
			out->seen |= SEEN(t);
		off += 2u + l;
	}
	return 0;
}

static uint8_t tlv_platform(const struct intel_tlv_version *t)
{
	return (uint8_t)(t->cnvi_bt >> 8);
}
static uint8_t tlv_variant(const struct intel_tlv_version *t)
{
	return (uint8_t)((t->cnvi_bt >> 16) & 0x3f);
}
/* type (bits 0-11) << 4 | step (bits 24-27), the two octets swapped */
static unsigned tlv_top_id(uint32_t top)
{
	unsigned v = ((top & 0x0fffu) << 4) | ((top >> 24) & 0x0fu);
	return ((v & 0xffu) << 8) | (v >> 8);
}

static void tlv_str(const struct intel_tlv_version *t, char *buf, size_t len)
{
	snprintf(buf, len, "%s (image 0x%02x) build %lu week %u year %u",
		 t->img_type == INTEL_IMG_BOOTLOADER ? "bootloader" : t->img_type == INTEL_IMG_OPERATIONAL ? "operational" : "?",
		 t->img_type, (unsigned long)t->build_num, t->ts_week, t->ts_year);
}

static int add_frags(struct hci_vendor_run *v, size_t *nf, size_t *cap, uint8_t type, size_t off, size_t len)
{
	while (len > 0) {
		if (*nf == *cap) {
			size_t nc = *cap ? *cap * 2 : 64;
			void *p = realloc(v->data2, nc * sizeof(struct frag));
			if (!p)
				return L2K_ENOMEM;
			v->data2 = p;
			*cap = nc;
		}
		size_t k = len > INTEL_FRAG ? INTEL_FRAG : len;
		frags_of(v)[(*nf)++] = (struct frag){type, (uint8_t)k, (uint32_t)off};
		off += k;
		len -= k;
	}
	return 0;
}

/* Check the .sfi and build the fragment list: 0, or reported.  Legacy: the RSA header, commands
 * at 644; TLV: the RSA and the ECDSA headers, the secure boot engine type choosing which is
 * sent, commands at 964. */
static int prepare_sfi(struct hci_host *h)
{
	struct hci_vendor_run *v = h->vrun;
	const uint8_t *f = v->data;
	size_t n = v->len;
	size_t hdr = v->tlv ? INTEL_RSA_HEADER + INTEL_ECDSA_HEADER : INTEL_RSA_HEADER;
	if (n < hdr + 3) {
		vendor_fail(h, L2K_EBADMSG, "%s: %zu octets, shorter than its %zu-octet %s and one command (truncated)",
			    v->name, n, hdr, v->tlv ? "RSA + ECDSA headers" : "RSA header");
		return L2K_EBADMSG;
	}
	if (get_le32(f + 8) != INTEL_CSS_VERSION_RSA) {
		vendor_fail(h, L2K_EBADMSG, "%s: bad signature (CSS header version 0x%08x, not 0x%08x): not an Intel "
			    "firmware file for this bootloader", v->name, (unsigned)get_le32(f + 8), INTEL_CSS_VERSION_RSA);
		return L2K_EBADMSG;
	}
	const uint8_t *e = f + INTEL_RSA_HEADER;
	if (v->tlv && (e[0] != 0x06 || get_le32(e + 8) != INTEL_CSS_VERSION_ECDSA)) {
		vendor_fail(h, L2K_EBADMSG, "%s: bad signature (no ECDSA header at offset %u: 0x%02x, CSS header version "
			    "0x%08x, not 0x06, 0x%08x): not a firmware file for a TLV (AX210 or newer) bootloader",
			    v->name, INTEL_RSA_HEADER, e[0], (unsigned)get_le32(e + 8), INTEL_CSS_VERSION_ECDSA);
		return L2K_EBADMSG;
	}
	size_t nf = 0, cap = 0;
	if (v->tlv && v->tv.sbe_type == INTEL_SBE_ECDSA) {
		/* CSS header 128, public key 96, signature 96 */
		if (add_frags(v, &nf, &cap, 0x00, INTEL_RSA_HEADER, 128) ||
		    add_frags(v, &nf, &cap, 0x03, INTEL_RSA_HEADER + 128, 96) ||
		    add_frags(v, &nf, &cap, 0x02, INTEL_RSA_HEADER + 224, 96))
			goto nomem;
	} else if (add_frags(v, &nf, &cap, 0x00, 0, 128) || add_frags(v, &nf, &cap, 0x03, 128, 256) ||
		   add_frags(v, &nf, &cap, 0x02, 388, 256)) {
		goto nomem;
	}
	size_t run = hdr, off = hdr;
	unsigned i = 0;
	while (off < n) {
		if (n - off < 3 || n - off - 3 < f[off + 2]) {
			vendor_fail(h, L2K_EBADMSG, "%s: command %u at offset %zu runs past the end (truncated)", v->name,
				    i + 1, off);
			return L2K_EBADMSG;
		}
		uint16_t op = get_le16(f + off);
		if (op == INTEL_OP_WRITE_BOOT_PARAMS && f[off + 2] >= 4) {
			v->boot_addr = get_le32(f + off + 3);
			v->have_boot_addr = true;
		}
		off += 3u + f[off + 2];
		i++;
		if ((off - run) % 4 == 0) {
			if (add_frags(v, &nf, &cap, 0x01, run, off - run))
				goto nomem;
			run = off;
		}
	}
	if (off > run && add_frags(v, &nf, &cap, 0x01, run, off - run))
		goto nomem;
	if (!v->have_boot_addr) {
		vendor_fail(h, L2K_EBADMSG, "%s: no Write Boot Params (0xFC0E) command with a boot address", v->name);
		return L2K_EBADMSG;
	}
	v->len2 = nf;
	v->off2 = 0;
	return 0;
nomem:
	vendor_fail(h, L2K_ENOMEM, "out of memory");
	return L2K_ENOMEM;
}

static void send_frag(struct hci_host *h)
{
	struct hci_vendor_run *v = h->vrun;
	const struct frag *fr = &frags_of(v)[v->off2];
	uint8_t p[1 + INTEL_FRAG];
	p[0] = fr->type;
	memcpy(p + 1, v->data + fr->off, fr->len);
	v->step = IS_SEND;
	vendor_cmd(h, INTEL_OP_SECURE_SEND, p, 1u + fr->len);
}

static void firmware_name(struct hci_host *h, const char *ext, char *out, size_t len)
{
	const uint8_t *ver = h->vrun->ver;
	if (h->vrun->tlv)
		snprintf(out, len, "intel/ibt-%04x-%04x.%s", tlv_top_id(h->vrun->tv.cnvi_top),
			 tlv_top_id(h->vrun->tv.cnvr_top), ext);
	else if (ver[1] == 0x0b || ver[1] == 0x0c)
		snprintf(out, len, "intel/ibt-%u-%u.%s", ver[1], h->vrun->dev_revid, ext);
	else
		snprintf(out, len, "intel/ibt-%u-%u-%u.%s", ver[1], ver[2], ver[4], ext);
}

static void load_sfi(struct hci_host *h)
{
	struct hci_vendor_run *v = h->vrun;
	firmware_name(h, "sfi", v->name, sizeof(v->name));
	if (vendor_load(h, v->name, PKG, &v->data, &v->len, h->vinfo.file, sizeof(h->vinfo.file), true) < 0)
		return;
	if (prepare_sfi(h) < 0)
		return;
	send_frag(h);
}

static void intel_start(struct hci_host *h)
{
	h->vrun->step = IS_VERSION;
	snprintf(h->vinfo.chip, sizeof(h->vinfo.chip), "Intel");
	/* 0xFF: the TLV format where the controller has it (the legacy ones ignore it) */
	vendor_cmd(h, INTEL_OP_READ_VERSION, (const uint8_t[]){0xFF}, 1);
}

static void boot(struct hci_host *h)
{
	struct hci_vendor_run *v = h->vrun;
	/* Reset_Type 0 (soft), Patch_Enable 1, DDC_Reload 0, Boot_Option 1 (the address), Boot_Param */
	uint8_t p[8] = {0x00, 0x01, 0x00, 0x01};
	put_le32(p + 4, v->boot_addr);
	v->step = IS_BOOT;
	v->booted = false;
	v->due = h->now + INTEL_BOOT_WAIT_MS;
	/* the bootloader answers it with the Bootup event, not Command Complete */
	int r = hci_cmd_send_unqueued(h, INTEL_OP_RESET, p, sizeof(p));
	if (r < 0)
		vendor_fail(h, r, "cannot send Intel Reset: %s", l2k_strerror(r));
}

static int check_version(struct hci_host *h, int status, const uint8_t *r, size_t n, const char *when)
{
	if (status != HCI_SUCCESS) {
		vendor_fail(h, L2K_ECTRL, "Intel Read Version (0xFC05)%s answered with status 0x%02x", when, (unsigned)status);
		return -1;
	}
	if (n != 9 || r[0] != INTEL_HW_PLATFORM) {
		vendor_fail(h, L2K_EPROTO, "Intel Read Version%s: %zu octets, not the legacy format any more", when, n);
		return -1;
	}
	return 0;
}

/* A TLV answer to Read Version: 0, or reported. */
static int parse_tlv(struct hci_host *h, const uint8_t *r, size_t n, struct intel_tlv_version *t, const char *when)
{
	size_t bad = 0;
	if (intel_parse_version_tlv(r, n, t, &bad) < 0) {
		vendor_fail(h, L2K_EBADMSG, "Intel Read Version%s: %zu octets, neither the legacy format nor a TLV list "
			    "(the entry at offset %zu does not fit)", when, n, bad);
		return -1;
	}
	uint64_t need = SEEN(T_CNVI_TOP) | SEEN(T_CNVR_TOP) | SEEN(T_CNVI_BT) | SEEN(T_IMAGE_TYPE);
	if ((t->seen & need) != need) {
		vendor_fail(h, L2K_EBADMSG, "Intel Read Version%s: the TLV list lacks the CNVi/CNVr top, CNVi BT or image "
			    "type", when);
		return -1;
	}
	return 0;
}

/* The TLV bootloader (AX210 and later), from its Read Version. */
static void tlv_start(struct hci_host *h, const uint8_t *r, size_t n)
{
	struct hci_vendor_run *v = h->vrun;
	struct intel_tlv_version *t = &v->tv;
	v->tlv = true;
	if (parse_tlv(h, r, n, t, "") < 0)
		return;
	uint8_t var = tlv_variant(t);
	snprintf(h->vinfo.chip, sizeof(h->vinfo.chip), "Intel hw_variant 0x%02x", var);
	tlv_str(t, h->vinfo.before, sizeof(h->vinfo.before));
	if (tlv_platform(t) != INTEL_HW_PLATFORM) {
		vendor_fail(h, L2K_ENOTSUP, "hardware platform 0x%02x, not 0x%02x: unknown to l2kit", tlv_platform(t),
			    INTEL_HW_PLATFORM);
		return;
	}
	if (var >= 0x1e) {
		vendor_fail(h, L2K_ENOTSUP, "hardware variant 0x%02x (BlazarI or newer) first needs an intermediate "
			    "loader (-iml.sfi), which l2kit does not do yet", var);
		return;
	}
	if (var < 0x17 || var == 0x1a) {
		vendor_fail(h, L2K_ENOTSUP, "hardware variant 0x%02x is not one with a TLV bootloader that l2kit knows", var);
		return;
	}
	if (t->img_type == INTEL_IMG_OPERATIONAL) {
		snprintf(h->vinfo.note, sizeof(h->vinfo.note), "the operational firmware runs already: nothing to load");
		vendor_finish(h, 0);
		return;
	}
	if (t->img_type != INTEL_IMG_BOOTLOADER) {
		vendor_fail(h, L2K_EPROTO, "image type 0x%02x is neither the bootloader (0x01) nor the operational "
			    "firmware (0x03)", t->img_type);
		return;
	}
	if (t->limited_cce != 0) {
		vendor_fail(h, L2K_ENOTSUP, "the bootloader does not acknowledge every fragment (limited CCE 0x%02x): "
			    "a loading method l2kit does not know", t->limited_cce);
		return;
	}
	if (t->sbe_type > INTEL_SBE_ECDSA) {
		vendor_fail(h, L2K_ENOTSUP, "secure boot engine type 0x%02x is neither RSA (0x00) nor ECDSA (0x01)",
			    t->sbe_type);
		return;
	}
	load_sfi(h);
}

static void send_ddc(struct hci_host *h)
{
	struct hci_vendor_run *v = h->vrun;
	if (v->off2 >= v->len2) {
		vendor_finish(h, 0);
		return;
	}
	const uint8_t *rec = v->data2 + v->off2;
	v->step = IS_DDC;
	vendor_cmd(h, INTEL_OP_DDC_WRITE, rec, 1u + rec[0]);
}

static void intel_after(struct hci_host *h)
{
	struct hci_vendor_run *v = h->vrun;
	if (v->tlv)
		tlv_str(&v->tv2, h->vinfo.after, sizeof(h->vinfo.after));
	else
		ver_str(v->ver2, h->vinfo.after, sizeof(h->vinfo.after));
	/* the DDC file: optional (btintel goes on without it) */
	firmware_name(h, "ddc", v->name2, sizeof(v->name2));
	free(v->data2);
	v->data2 = NULL;
	int r = vendor_load(h, v->name2, PKG, &v->data2, &v->len2, h->vinfo.file2, sizeof(h->vinfo.file2), false);
	if (r == L2K_ENOENT) {
		snprintf(h->vinfo.note, sizeof(h->vinfo.note), "no DDC file %s: the firmware's defaults stay", v->name2);
		vendor_finish(h, 0);
		return;
	}
	if (r < 0)
		return; /* reported */
	for (size_t off = 0; off < v->len2;) {
		uint8_t l = v->data2[off];
		if (l < 2 || l > HCI_MAX_CMD_PARAM - 1 || v->len2 - off - 1 < l) {
			vendor_fail(h, L2K_EBADMSG, "%s: record at offset %zu (length %u) is %s", v->name2, off, l,
				    l < 2 ? "too short for its ID"
				    : l > HCI_MAX_CMD_PARAM - 1 ? "too long for one command"
							       : "cut short (truncated)");
			return;
		}
		off += 1u + l;
	}
	v->off2 = 0;
	send_ddc(h);
}

static void intel_cmd(struct hci_host *h, uint16_t op, int status, const uint8_t *r, size_t n)
{
	struct hci_vendor_run *v = h->vrun;
	char b[64];
	switch (v->step) {
	case IS_VERSION:
		/* legacy: 9 octets, platform 0x37 first (as btintel tells them apart) */
		if (status == HCI_SUCCESS && (n != 9 || r[0] != INTEL_HW_PLATFORM)) {
			tlv_start(h, r, n);
			return;
		}
		if (check_version(h, status, r, n, "") < 0)
			return;
		memcpy(v->ver, r, 9);
		snprintf(h->vinfo.chip, sizeof(h->vinfo.chip), "Intel hw_variant 0x%02x", r[1]);
		ver_str(r, h->vinfo.before, sizeof(h->vinfo.before));
		if (r[1] != 0x0b && r[1] != 0x0c && (r[1] < 0x11 || r[1] > 0x14)) {
			vendor_fail(h, L2K_ENOTSUP, "hardware variant 0x%02x is not one with a bootloader that l2kit knows", r[1]);
			return;
		}
		if (r[3] == INTEL_FW_OPERATIONAL) {
			snprintf(h->vinfo.note, sizeof(h->vinfo.note), "the operational firmware runs already: nothing to load");
			vendor_finish(h, 0);
			return;
		}
		if (r[3] != INTEL_FW_BOOTLOADER) {
			vendor_fail(h, L2K_EPROTO, "firmware variant 0x%02x is neither the bootloader (0x06) nor the "
				    "operational firmware (0x23)", r[3]);
			return;
		}
		v->step = IS_BOOT_PARAMS;
		vendor_cmd(h, INTEL_OP_READ_BOOT_PARAMS, NULL, 0);
		return;
	case IS_BOOT_PARAMS:
		/* Status OTP_Format OTP_Content OTP_Patch Dev_RevID(2) ... */
		if (status != HCI_SUCCESS || n < 5) {
			vendor_fail(h, status != HCI_SUCCESS ? L2K_ECTRL : L2K_EBADMSG,
				    "Read Boot Params (0xFC0D) answered with status 0x%02x and %zu octets", (unsigned)status, n);
			return;
		}
		v->dev_revid = get_le16(r + 3);
		load_sfi(h);
		return;
	case IS_SEND: {
		unsigned total = (unsigned)v->len2;
		if (status != HCI_SUCCESS) {
			vendor_fail(h, L2K_ECTRL, "the controller refused fragment %u of %u of %s (type 0x%02x, status 0x%02x)",
				    (unsigned)v->off2 + 1, total, v->name, frags_of(v)[v->off2].type, (unsigned)status);
			return;
		}
		h->vinfo.bytes += frags_of(v)[v->off2].len;
		v->off2++;
		h->vinfo.chunks = (unsigned)v->off2;
		if (v->off2 < v->len2) {
			send_frag(h);
			return;
		}
		if (v->result_bad) {
			vendor_fail(h, L2K_ECTRL, "the controller rejected %s (Secure Send Result %u)", v->name, v->result_code);
			return;
		}
		if (v->result_ok) {
			boot(h);
			return;
		}
		v->step = IS_RESULT;
		v->due = h->now + INTEL_RESULT_WAIT_MS;
		return;
	}
	case IS_VERSION2:
		if (v->tlv) {
			if (status != HCI_SUCCESS) {
				check_version(h, status, r, n, " after booting");
				return;
			}
			if (parse_tlv(h, r, n, &v->tv2, " after booting") < 0)
				return;
			if (v->tv2.img_type != INTEL_IMG_OPERATIONAL) {
				tlv_str(&v->tv2, b, sizeof(b));
				vendor_fail(h, L2K_EPROTO, "after booting %s the controller still reports %s", v->name, b);
				return;
			}
			vendor_reset_and_read(h);
			return;
		}
		if (check_version(h, status, r, n, " after booting") < 0)
			return;
		memcpy(v->ver2, r, 9);
		if (r[3] != INTEL_FW_OPERATIONAL) {
			ver_str(r, b, sizeof(b));
			vendor_fail(h, L2K_EPROTO, "after booting %s the controller still reports %s", v->name, b);
			return;
		}
		vendor_reset_and_read(h);
		return;
	case IS_DDC:
		if (status != HCI_SUCCESS) {
			vendor_fail(h, L2K_ECTRL, "the controller refused the DDC record at offset %zu of %s (status 0x%02x)",
				    v->off2, v->name2, (unsigned)status);
			return;
		}
		v->off2 += 1u + v->data2[v->off2];
		send_ddc(h);
		return;
	default: return;
	}
}

static void intel_event(struct hci_host *h, const uint8_t *p, size_t n)
{
	struct hci_vendor_run *v = h->vrun;
	if (n < 1)
		return;
	if (p[0] == INTEL_EV_SECURE_SEND_RESULT && n >= 5) {
		/* Result Opcode(2) Status */
		if (p[1] == 0)
			v->result_ok = true;
		else {
			v->result_bad = true;
			v->result_code = p[1];
		}
		if (v->step == IS_RESULT) {
			v->due = UINT64_MAX;
			if (v->result_bad)
				vendor_fail(h, L2K_ECTRL, "the controller rejected %s (Secure Send Result %u)", v->name,
					    v->result_code);
			else
				boot(h);
		}
		return;
	}
	if (p[0] == INTEL_EV_BOOTUP && v->step == IS_BOOT) {
		v->due = UINT64_MAX;
		v->booted = true;
		v->step = IS_VERSION2;
		vendor_cmd(h, INTEL_OP_READ_VERSION, (const uint8_t[]){0xFF}, 1);
	}
}

static void intel_timer(struct hci_host *h)
{
	struct hci_vendor_run *v = h->vrun;
	if (v->step == IS_RESULT)
		vendor_fail(h, L2K_ECTRLTIMEOUT, "no Secure Send Result event within %u ms of the end of %s",
			    INTEL_RESULT_WAIT_MS, v->name);
	else if (v->step == IS_BOOT)
		vendor_fail(h, L2K_ECTRLTIMEOUT, "no Bootup event within %u ms of Intel Reset (booting %s)",
			    INTEL_BOOT_WAIT_MS, v->name);
}

const struct vendor_family hci_vendor_intel = {intel_start, intel_cmd, intel_timer, intel_event, intel_after};
