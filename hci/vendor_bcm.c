/* Broadcom start-up (as Linux's btbcm documents it): Read Local Version's LMP_Subversion names
 * the chip (BCM20702A1 ...); the patchram file brcm/NAME-VID-PID.hcd (or brcm/NAME.hcd) is a
 * sequence of HCI commands - Opcode(2) Length(1) Parameters - sent one by one after Download
 * Minidriver (0xFC2E) and a 50 ms pause, each answered by Command Complete; then 250 ms for the
 * new firmware to start, HCI Reset and Read Local Version (its HCI_Revision carries the build). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/l2k_error.h"
#include "hci/vendor_int.h"

#define BCM_OP_DOWNLOAD_MINIDRIVER 0xFC2E
#define BCM_MINIDRIVER_PAUSE_MS 50
#define BCM_LAUNCH_PAUSE_MS 250

static const struct {
	uint16_t subver;
	const char *name;
} chips[] = {
	{0x2105, "BCM20703A1"}, {0x210b, "BCM43142A0"}, {0x2112, "BCM4314A0"}, {0x2118, "BCM20702A0"},
	{0x2126, "BCM4335A0"},	{0x220e, "BCM20702A1"}, {0x230f, "BCM4356A2"}, {0x4106, "BCM4335B0"},
	{0x410e, "BCM20702B0"}, {0x6109, "BCM4335C0"},	{0x610c, "BCM4354"},   {0x6607, "BCM4350C5"},
};

static const char *const PKG = "none (not in Debian: docs/hardware.md)";

enum { BS_MINIDRIVER, BS_PAUSE, BS_RECORDS, BS_LAUNCH };

/* Every record of the file fits and is a vendor command (OGF 0x3F): 0, or reported. */
static int check_hcd(struct hci_host *h, const uint8_t *f, size_t n)
{
	const char *name = h->vrun->name;
	if (n == 0) {
		vendor_fail(h, L2K_EBADMSG, "%s is empty", name);
		return L2K_EBADMSG;
	}
	unsigned i = 0;
	for (size_t off = 0; off < n; i++) {
		if (n - off < 3 || n - off - 3 < f[off + 2]) {
			vendor_fail(h, L2K_EBADMSG, "%s: command %u at offset %zu runs past the end (truncated)", name,
				    i + 1, off);
			return L2K_EBADMSG;
		}
		uint16_t op = get_le16(f + off);
		if ((op >> 10) != 0x3F) {
			vendor_fail(h, L2K_EBADMSG,
				    "%s: command %u at offset %zu has opcode 0x%04x, not a vendor command: not a "
				    "patchram file",
				    name, i + 1, off, op);
			return L2K_EBADMSG;
		}
		off += 3u + f[off + 2];
	}
	return 0;
}

static void send_record(struct hci_host *h)
{
	struct hci_vendor_run *v = h->vrun;
	if (v->off >= v->len) {
		v->step = BS_LAUNCH;
		v->due = h->now + BCM_LAUNCH_PAUSE_MS;
		return;
	}
	const uint8_t *r = v->data + v->off;
	v->step = BS_RECORDS;
	vendor_cmd(h, get_le16(r), r + 3, r[2]);
}

static void bcm_start(struct hci_host *h)
{
	struct hci_vendor_run *v = h->vrun;
	const char *chip = "BCM";
	for (size_t i = 0; i < sizeof(chips) / sizeof(chips[0]); i++)
		if (chips[i].subver == h->info.lmp_subversion)
			chip = chips[i].name;
	snprintf(h->vinfo.chip, sizeof(h->vinfo.chip), "%s", chip);
	/* brcm/NAME-VID-PID.hcd, else brcm/NAME.hcd */
	char n1[64], n2[64];
	snprintf(n1, sizeof(n1), "brcm/%s-%04x-%04x.hcd", chip, h->cfg.usb_vid, h->cfg.usb_pid);
	snprintf(n2, sizeof(n2), "brcm/%s.hcd", chip);
	snprintf(v->name, sizeof(v->name), "%s", n1);
	int r = vendor_load(h, n1, PKG, &v->data, &v->len, h->vinfo.file, sizeof(h->vinfo.file), false);
	if (r == L2K_ENOENT) {
		snprintf(v->name, sizeof(v->name), "%s", n2);
		char where[sizeof(h->vinfo.file)] = "";
		r = h->cfg.fw_load ? h->cfg.fw_load(h->cfg.fw_arg, n2, &v->data, &v->len, where, sizeof(where)) : L2K_ENOENT;
		if (r == 0) {
			snprintf(h->vinfo.file, sizeof(h->vinfo.file), "%s", where);
		} else if (r == L2K_ENOENT) {
			vendor_fail(h, r, "firmware file %s (or %s) not found (looked in %s); Debian package: %s", n1, n2,
				    where[0] ? where : "no firmware directory given", PKG);
			return;
		} else {
			vendor_fail(h, r, "cannot read firmware file %s: %s", n2, where[0] ? where : l2k_strerror(r));
			return;
		}
	} else if (r < 0) {
		return; /* reported */
	}
	if (check_hcd(h, v->data, v->len) < 0)
		return;
	v->step = BS_MINIDRIVER;
	vendor_cmd(h, BCM_OP_DOWNLOAD_MINIDRIVER, NULL, 0);
}

static void bcm_cmd(struct hci_host *h, uint16_t op, int status, const uint8_t *r, size_t n)
{
	struct hci_vendor_run *v = h->vrun;
	if (v->step == BS_MINIDRIVER) {
		if (status != HCI_SUCCESS) {
			vendor_fail(h, L2K_ECTRL, "Download Minidriver (0xFC2E) answered with status 0x%02x",
				    (unsigned)status);
			return;
		}
		v->step = BS_PAUSE;
		v->due = h->now + BCM_MINIDRIVER_PAUSE_MS;
		return;
	}
	if (v->step != BS_RECORDS)
		return;
	const uint8_t *rec = v->data + v->off;
	if (status != HCI_SUCCESS) {
		vendor_fail(h, L2K_ECTRL, "the controller refused command %u (opcode 0x%04x at offset %zu) of %s (status 0x%02x)",
			    v->idx + 1, get_le16(rec), v->off, v->name, (unsigned)status);
		return;
	}
	v->off += 3u + rec[2];
	v->idx++;
	h->vinfo.chunks = v->idx;
	h->vinfo.bytes = v->off;
	send_record(h);
}

static void bcm_timer(struct hci_host *h)
{
	struct hci_vendor_run *v = h->vrun;
	if (v->step == BS_PAUSE)
		send_record(h);
	else if (v->step == BS_LAUNCH)
		vendor_reset_and_read(h);
}

static void bcm_after(struct hci_host *h)
{
	vendor_finish(h, 0);
}

const struct vendor_family hci_vendor_bcm = {bcm_start, bcm_cmd, bcm_timer, NULL, bcm_after};
