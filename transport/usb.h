/* Internal to transport/: the USB transport through libusb-1.0 - usb.c (transfers, run loop,
 * open/close) and usb_find.c (spec selector, device and interface choice).  Not installed. */
#ifndef L2K_TRANSPORT_USB_H
#define L2K_TRANSPORT_USB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "transport/transport.h"

/* Open a USB controller.  args is what follows "usb:" (NULL or "" for the first controller):
 *   N                the N-th Bluetooth controller found (0 is the first)
 *   VID:PID[#N]      by vendor and product id (hex), the N-th when several match
 *   BUS-PORT[.PORT]* by where it is plugged in (as in /sys/bus/usb/devices), e.g. 1-2 or 3-1.4
 * Returns L2K_ENOTSUP with "libusb support not built" when built without libusb-1.0. */
int usb_transport_open(const char *spec, const char *args, struct transport **out,
		       char *errbuf, size_t errlen);

/* Parsed form of the usb spec arguments (usb_spec_parse, no OS calls; unit-testable). */
enum usb_match_kind { USB_MATCH_INDEX, USB_MATCH_ID, USB_MATCH_PORT };
struct usb_match {
	enum usb_match_kind kind;
	unsigned index;		/* N-th match (all kinds) */
	unsigned vid, pid;	/* USB_MATCH_ID */
	unsigned bus;		/* USB_MATCH_PORT */
	unsigned char ports[7]; /* USB_MATCH_PORT: port path from the root hub */
	int nports;
};
#define USB_SPEC_FORMS "usb, usb:N, usb:VID:PID[#N] or usb:BUS-PORT[.PORT...]"
/* 0, or L2K_ESPEC with a message naming spec. */
int usb_spec_parse(const char *spec, const char *args, struct usb_match *m, char *errbuf,
		   size_t errlen);

#ifdef L2K_HAVE_LIBUSB
#ifdef L2K_LIBUSB_DL
#include "transport/usb_dl.h" /* Windows: libusb-1.0.dll loaded at run time */
#else
#include <libusb.h>
#endif

/* The HCI interface of a device and its endpoints (addresses and max packet sizes). */
struct usb_hci_if {
	int ifnum;
	uint8_t ep_evt, ep_acl_in, ep_acl_out; /* interrupt IN, bulk IN, bulk OUT */
	uint16_t mps_evt, mps_acl_in;
};

/* A device that matches the selector, and where it is plugged in. */
struct usb_cand {
	libusb_device *dev;
	uint8_t bus;
	uint8_t ports[7];
	int nports;
	uint16_t vid, pid;
};

/* Pick the device the selector names among list[0..n-1] (no reference is taken).  0, or
 * L2K_ENODEV with a message ("no USB device 0a12:0001 is plugged in", "only 1 ...").  */
int usb_choose_device(const char *spec, const struct usb_match *m, libusb_device **list,
		      ssize_t n, struct usb_cand *chosen, char *errbuf, size_t errlen);
/* The interface with class E0/01/01 (or, with any_class, interface 0 of any class) that has an
 * interrupt IN, a bulk IN and a bulk OUT endpoint.  0 and *out, or -1. */
int usb_find_hci_interface(const struct libusb_config_descriptor *cfg, bool any_class,
			   struct usb_hci_if *out);
/* Whether the device has an interface of class E0/01/01 (in its active or first configuration). */
bool usb_has_bt_interface(libusb_device *dev);
/* "0a12:0001 at 1-2.3" */
void usb_where_str(char *buf, size_t len, const struct usb_cand *c);
/* Name of the kernel driver bound to an interface (Linux sysfs), "" when unknown. */
void usb_driver_name(const struct usb_cand *c, int cfgval, int ifnum, char *out, size_t len);
#endif

#endif
