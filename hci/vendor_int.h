/* Internals of the vendor start-up (hci/vendor.c and the families hci/vendor_rtl.c,
 * vendor_intel.c, vendor_bcm.c).  Not part of any API. */
#ifndef L2K_HCI_VENDOR_INT_H
#define L2K_HCI_VENDOR_INT_H

#include "hci/hci_internal.h"

/* One family's procedure.  start: begin (after bring-up's Read Local Version; h->info holds
 * it); cmd: a command it sent (vendor_cmd) was answered; timer: vendor_due passed; event: a
 * vendor event (0xFF, parameters); after: the common Reset + Read Local Version that follows a
 * download is done - go on (Intel's DDC) or vendor_finish. */
struct vendor_family {
	void (*start)(struct hci_host *h);
	void (*cmd)(struct hci_host *h, uint16_t op, int status, const uint8_t *r, size_t n);
	void (*timer)(struct hci_host *h);
	void (*event)(struct hci_host *h, const uint8_t *p, size_t n);
	void (*after)(struct hci_host *h);
};

extern const struct vendor_family hci_vendor_rtl, hci_vendor_intel, hci_vendor_bcm;

/* Intel Read Version (0xFC05 with parameter 0xFF) in the TLV format (hardware variant 0x17 and
 * later): the fields the start-up uses (hci/vendor_intel.c). */
struct intel_tlv_version {
	uint32_t cnvi_top, cnvr_top, cnvi_bt, cnvr_bt;
	uint16_t dev_rev_id;
	uint8_t img_type;	     /* 0x01 bootloader, 0x03 operational */
	uint8_t ts_week, ts_year;    /* time stamp */
	uint8_t build_type;
	uint32_t build_num;
	uint8_t secure_boot, otp_lock, api_lock, debug_lock;
	uint8_t min_fw[3];	     /* build number, week, year */
	uint8_t limited_cce;
	uint8_t sbe_type;	     /* 0x00 RSA, 0x01 ECDSA */
	uint8_t otp_bdaddr[6];
	uint64_t seen;		     /* bit (type - 0x10) of each field present */
};
/* Parse the TLV list of an Intel Read Version answer (without its status): every length
 * checked before a read, types l2kit does not use skipped.  0, or L2K_EBADMSG with *bad_off the
 * offset of the entry that does not fit (or whose value is too short for its type). */
int intel_parse_version_tlv(const uint8_t *p, size_t n, struct intel_tlv_version *out, size_t *bad_off);

struct hci_vendor_run {
	const struct vendor_family *fam;
	int step;	   /* the family's own */
	int common;	   /* 0, or the common Reset / Read Local Version after a download */
	uint64_t due;	   /* the family's timer (UINT64_MAX: none) */
	/* the download */
	uint8_t *data;
	size_t len, off;
	unsigned idx;	   /* chunks sent */
	uint8_t *data2;	   /* a second file (Intel DDC) */
	size_t len2, off2;
	/* family state */
	uint8_t rom_version;	     /* Realtek */
	uint8_t ver[9];		     /* Intel Read Version (without status), in the bootloader */
	uint8_t ver2[9];	     /* ... after booting */
	uint16_t dev_revid;	     /* Intel boot params */
	uint32_t boot_addr;	     /* Intel: from the firmware's Write Boot Params */
	bool have_boot_addr;
	bool result_ok, result_bad;  /* Intel Secure Send Result event */
	uint8_t result_code;
	bool booted;		     /* Intel bootup event */
	bool tlv;		     /* Intel: the TLV version format (AX210 and later) */
	struct intel_tlv_version tv, tv2; /* ... its Read Version in the bootloader, after booting */
	char name[96], name2[96];    /* the firmware file names (for messages) */
};

/* Queue a command for the running family (its answer goes to fam->cmd).  0, or the queue's
 * error after reporting and ending the start-up. */
int vendor_cmd(struct hci_host *h, uint16_t op, const uint8_t *p, size_t n);
/* End the start-up: err 0 (bring-up goes on) or the error (bring-up fails; the message was
 * reported). */
void vendor_finish(struct hci_host *h, int err);
/* Report a problem (L2K_E* err) as "vendor start-up: ...", then end with err. */
void vendor_fail(struct hci_host *h, int err, const char *fmt, ...)
#if defined(__GNUC__)
	L2K_PRINTF(3, 4)
#endif
	;
/* Read a firmware file through the fw_load seam; on failure report (naming the file, where it
 * looked and pkg, the Debian package that ships it) and end the start-up.  0, or the error.
 * path (may be NULL) gets where it was read. */
int vendor_load(struct hci_host *h, const char *name, const char *pkg, uint8_t **data, size_t *len,
		char *path, size_t plen, bool report_missing);
/* After a download: HCI Reset, Read Local Version (recorded as "after", h->info updated), then
 * fam->after. */
void vendor_reset_and_read(struct hci_host *h);
/* "hci_rev 0x000b lmp_subver 0x8761" of h->info */
void vendor_version_str(const struct hci_host *h, char *buf, size_t len);

#endif
