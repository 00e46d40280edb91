/* Vendor start-up: the VID:PID table, the choice of family and what every family shares (the
 * command path, firmware files through the fw_load seam, the closing Reset + Read Local
 * Version).  The families: hci/vendor_rtl.c, vendor_intel.c, vendor_bcm.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/l2k_error.h"
#include "hci/vendor_int.h"

/* USB IDs (docs/hardware.md).  pid 0: every product of the vendor. */
static const struct {
	uint16_t vid, pid;
	enum hci_vendor_family family;
	const char *what;
} usb_table[] = {
	{0x0bda, 0, HCI_VENDOR_REALTEK, "Realtek"},
	{0x2357, 0x0604, HCI_VENDOR_REALTEK, "Realtek (TP-Link UB500)"},
	{0x0b05, 0x190e, HCI_VENDOR_REALTEK, "Realtek (ASUS USB-BT500)"},
	{0x8087, 0, HCI_VENDOR_INTEL, "Intel"},
	{0x0a5c, 0, HCI_VENDOR_BROADCOM, "Broadcom"},
	{0x0b05, 0x17cb, HCI_VENDOR_BROADCOM, "Broadcom (ASUS USB-BT400)"},
	{0x0e8d, 0, HCI_VENDOR_OTHER, "MediaTek"},
	{0x0cf3, 0, HCI_VENDOR_OTHER, "Qualcomm Atheros"},
	{0x0a12, 0x0001, HCI_VENDOR_NONE, "CSR"},
};

const char *hci_vendor_family_name(enum hci_vendor_family f)
{
	switch (f) {
	case HCI_VENDOR_REALTEK: return "realtek";
	case HCI_VENDOR_INTEL: return "intel";
	case HCI_VENDOR_BROADCOM: return "broadcom";
	case HCI_VENDOR_OTHER: return "other";
	default: return "none";
	}
}

void hci_vendor_usb_lookup(uint16_t vid, uint16_t pid, struct hci_vendor_usb *out)
{
	memset(out, 0, sizeof(*out));
	out->what = "";
	out->needs = "none";
	out->package = "";
	for (size_t i = 0; i < sizeof(usb_table) / sizeof(usb_table[0]); i++) {
		if (usb_table[i].vid != vid || (usb_table[i].pid && usb_table[i].pid != pid))
			continue;
		out->family = usb_table[i].family;
		out->what = usb_table[i].what;
		break;
	}
	switch (out->family) {
	case HCI_VENDOR_REALTEK:
		out->needs = "firmware patch + config (rtl_bt/)";
		out->package = "firmware-realtek";
		break;
	case HCI_VENDOR_INTEL:
		out->needs = "operational firmware + DDC (intel/ibt-*.sfi, .ddc)";
		out->package = "firmware-iwlwifi";
		break;
	case HCI_VENDOR_BROADCOM:
		out->needs = "patchram (brcm/BCM*.hcd)";
		out->package = "none (not in Debian: docs/hardware.md)";
		break;
	case HCI_VENDOR_OTHER:
		out->needs = "firmware that l2kit does not load (use hciN)";
		out->package = "firmware-misc-nonfree / firmware-atheros";
		break;
	default: break;
	}
}

const struct hci_vendor_info *hci_host_vendor_info(const struct hci_host *h)
{
	return &h->vinfo;
}

void vendor_version_str(const struct hci_host *h, char *buf, size_t len)
{
	snprintf(buf, len, "hci_rev 0x%04x lmp_subver 0x%04x", h->info.hci_revision, h->info.lmp_subversion);
}

void hci_vendor_stop(struct hci_host *h)
{
	struct hci_vendor_run *v = h->vrun;
	if (!v)
		return;
	h->vrun = NULL;
	free(v->data);
	free(v->data2);
	free(v);
}

void vendor_finish(struct hci_host *h, int err)
{
	hci_vendor_stop(h);
	hci_bringup_vendor_done(h, err);
}

void vendor_fail(struct hci_host *h, int err, const char *fmt, ...)
{
	char msg[224];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hci_report(h, err, "vendor start-up (%s): %s", h->vinfo.chip[0] ? h->vinfo.chip : "?", msg);
	vendor_finish(h, err);
}

static void on_common(struct hci_host *h, uint16_t op, int status, const uint8_t *r, size_t n)
{
	struct hci_vendor_run *v = h->vrun;
	if (op == HCI_OP_RESET) {
		v->common = 2;
		vendor_cmd(h, HCI_OP_READ_LOCAL_VERSION, NULL, 0);
		return;
	}
	/* Read Local Version: HCI_Version HCI_Revision(2) LMP_Version Manufacturer(2) LMP_Subversion(2) */
	if (n < 8) {
		vendor_fail(h, L2K_EBADMSG, "Read Local Version after the download: %zu octets, not 8", n);
		return;
	}
	h->info.hci_version = r[0];
	h->info.hci_revision = get_le16(r + 1);
	h->info.lmp_version = r[3];
	h->info.manufacturer = get_le16(r + 4);
	h->info.lmp_subversion = get_le16(r + 6);
	vendor_version_str(h, h->vinfo.after, sizeof(h->vinfo.after));
	v->common = 0;
	v->fam->after(h);
}

static void on_cmd(void *arg, int status, const uint8_t *r, size_t n)
{
	struct hci_host *h = arg;
	struct hci_vendor_run *v = h->vrun;
	if (!v)
		return;
	if (status < 0) { /* timeout or shutdown: cmdq reported which command */
		vendor_finish(h, status);
		return;
	}
	/* the opcode is not passed to callbacks: the family knows what it sent; the common part
	 * knows by its own step */
	if (v->common) {
		if (status != HCI_SUCCESS) {
			vendor_fail(h, L2K_ECTRL, "%s after the download: status 0x%02x",
				    v->common == 1 ? "HCI Reset" : "Read Local Version", (unsigned)status);
			return;
		}
		on_common(h, v->common == 1 ? HCI_OP_RESET : HCI_OP_READ_LOCAL_VERSION, status, r, n);
		return;
	}
	v->fam->cmd(h, 0, status, r, n);
}

int vendor_cmd(struct hci_host *h, uint16_t op, const uint8_t *p, size_t n)
{
	int r = hci_host_cmd(h, op, p, n, on_cmd, h);
	if (r < 0) {
		char nb[8];
		vendor_fail(h, r, "cannot queue %s: %s", hci_opcode_name(op, nb), l2k_strerror(r));
	}
	return r;
}

void vendor_reset_and_read(struct hci_host *h)
{
	h->vrun->common = 1;
	h->vinfo.loaded = true;
	vendor_cmd(h, HCI_OP_RESET, NULL, 0);
}

int vendor_load(struct hci_host *h, const char *name, const char *pkg, uint8_t **data, size_t *len,
		char *path, size_t plen, bool report_missing)
{
	char where[256] = "no firmware directory given";
	*data = NULL;
	*len = 0;
	int r = L2K_ENOENT;
	if (h->cfg.fw_load) {
		where[0] = '\0';
		r = h->cfg.fw_load(h->cfg.fw_arg, name, data, len, where, sizeof(where));
	}
	if (r == 0) {
		if (path)
			snprintf(path, plen, "%s", where);
		return 0;
	}
	free(*data);
	*data = NULL;
	if (r == L2K_ENOENT && !report_missing)
		return r;
	if (r == L2K_ENOENT)
		vendor_fail(h, r, "firmware file %s not found (looked in %s); Debian package: %s", name, where,
			    pkg[0] ? pkg : "none");
	else
		vendor_fail(h, r, "cannot read firmware file %s: %s", name, where[0] ? where : l2k_strerror(r));
	return r;
}

bool hci_vendor_start(struct hci_host *h)
{
	struct hci_vendor_info *vi = &h->vinfo;
	hci_vendor_stop(h);
	memset(vi, 0, sizeof(*vi));
	vi->usb_known = h->cfg.usb_known;
	vi->usb_vid = h->cfg.usb_vid;
	vi->usb_pid = h->cfg.usb_pid;
	if (!h->cfg.usb_known) {
		snprintf(vi->note, sizeof(vi->note), "not a USB dongle (or its VID:PID is not known): no vendor start-up");
		return false;
	}
	struct hci_vendor_usb u;
	hci_vendor_usb_lookup(h->cfg.usb_vid, h->cfg.usb_pid, &u);
	vi->family = u.family;
	const struct vendor_family *f = NULL;
	switch (u.family) {
	case HCI_VENDOR_REALTEK: f = &hci_vendor_rtl; break;
	case HCI_VENDOR_INTEL: f = &hci_vendor_intel; break;
	case HCI_VENDOR_BROADCOM: f = &hci_vendor_bcm; break;
	default: break;
	}
	if (u.family == HCI_VENDOR_OTHER) {
		snprintf(vi->note, sizeof(vi->note),
			 "%s USB %04x:%04x needs a firmware start-up that l2kit does not do: it runs its ROM code "
			 "(use hciN on Linux)", u.what, h->cfg.usb_vid, h->cfg.usb_pid);
		return false;
	}
	if (!f) {
		snprintf(vi->note, sizeof(vi->note), "USB %04x:%04x needs no vendor start-up that l2kit knows of",
			 h->cfg.usb_vid, h->cfg.usb_pid);
		return false;
	}
	vendor_version_str(h, vi->before, sizeof(vi->before));
	if (!h->cfg.vendor_init) {
		vi->skipped = true;
		snprintf(vi->note, sizeof(vi->note), "%s start-up skipped (--no-vendor-init)", u.what);
		return false;
	}
	struct hci_vendor_run *v = calloc(1, sizeof(*v));
	if (!v) {
		hci_report(h, L2K_ENOMEM, "vendor start-up: out of memory");
		hci_bringup_vendor_done(h, L2K_ENOMEM);
		return true;
	}
	v->fam = f;
	v->due = UINT64_MAX;
	h->vrun = v;
	f->start(h); /* may end at once (vendor_finish) */
	return true;
}

void hci_vendor_event(struct hci_host *h, const uint8_t *p, size_t n)
{
	if (h->vrun && h->vrun->fam->event)
		h->vrun->fam->event(h, p, n);
}

void hci_vendor_tick(struct hci_host *h)
{
	struct hci_vendor_run *v = h->vrun;
	if (v && v->due <= h->now) {
		v->due = UINT64_MAX;
		v->fam->timer(h);
	}
}

uint64_t hci_vendor_next(const struct hci_host *h)
{
	return h->vrun ? h->vrun->due : UINT64_MAX;
}
