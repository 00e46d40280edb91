/* Vendor start-up (hci/vendor*.c): what some USB dongles need after HCI Reset before they work
 * properly - a firmware patch (Realtek), an operational firmware booted from a bootloader (Intel),
 * a patchram file (Broadcom).  Chosen by the USB VID:PID (hci_host_config usb_vid/usb_pid) and
 * HCI Read Local Version Information; the firmware files come through the fw_load seam of
 * hci_host_config (the stack looks in --firmware-dir, /lib/firmware/updates, /lib/firmware;
 * tests give files of their own).  Bring-up (hci/bringup.c) runs it right after Read Local
 * Version; a dongle that needs nothing, or a controller that is not USB, goes on as before.
 *
 * Protocols as Linux's btrtl, btintel and btbcm drivers document them (docs/hardware.md).  Only
 * tested against the simulated vendor controllers (transport/sim/sim_vendor.c). */
#ifndef L2K_HCI_VENDOR_H
#define L2K_HCI_VENDOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hci_vendor_family {
	HCI_VENDOR_NONE = 0,
	HCI_VENDOR_REALTEK,
	HCI_VENDOR_INTEL,
	HCI_VENDOR_BROADCOM,
	HCI_VENDOR_OTHER, /* needs a start-up l2kit does not do (MediaTek, Qualcomm) */
};

/* What the USB VID:PID says about a dongle (no controller needed: l2info --list).  family
 * HCI_VENDOR_NONE: nothing known to be needed. */
struct hci_vendor_usb {
	enum hci_vendor_family family;
	const char *what;    /* "Realtek", "Intel", "Broadcom", "CSR" ... */
	const char *needs;   /* "firmware patch + config (rtl_bt/)", "none" */
	const char *package; /* Debian package with the files ("" none) */
};
void hci_vendor_usb_lookup(uint16_t vid, uint16_t pid, struct hci_vendor_usb *out);
const char *hci_vendor_family_name(enum hci_vendor_family f);

/* What the start-up did (hci_host_vendor_info). */
struct hci_vendor_info {
	enum hci_vendor_family family; /* from the VID:PID (NONE: no start-up known for it) */
	bool usb_known;		       /* a VID:PID was given */
	uint16_t usb_vid, usb_pid;
	bool skipped;		       /* vendor_init off */
	bool loaded;		       /* firmware was downloaded and the controller came back */
	char chip[24];		       /* "RTL8761BU", "Intel hw_variant 0x14", "BCM20702A1" */
	char file[192];		       /* the firmware file loaded (the path it was read from) */
	char file2[192];	       /* Realtek config / Intel DDC file ("" none) */
	char before[64];	       /* the controller's version before ("hci_rev 0x000b lmp_subver 0x8761") */
	char after[64];		       /* ... after the download ("" when nothing was loaded) */
	char note[160];		       /* why nothing was loaded, when nothing was */
	unsigned chunks;	       /* download commands sent */
	size_t bytes;		       /* firmware bytes sent */
};

#endif
