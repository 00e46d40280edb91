/* USB transport, part 2: which device and which interface.  Parses the "usb[:...]" selector
 * (no libusb needed, so a bad spec is refused even in a build without libusb), lists the
 * candidates in a stable order (bus, then port path), and finds the HCI interface and its three
 * endpoints by class and endpoint type (Core Specification Vol 4 Part B, 2.1). */
#include "transport/usb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/l2k_error.h"
#include "transport/stream.h" /* transport_errf */

static int parse_uint(const char *s, size_t n, int base, unsigned long max, unsigned *out)
{
	if (n == 0 || n > 8)
		return -1;
	unsigned long v = 0;
	for (size_t i = 0; i < n; i++) {
		int d;
		char c = s[i];
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v * (unsigned long)base + (unsigned long)d;
	}
	if (v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int usb_spec_parse(const char *spec, const char *args, struct usb_match *m, char *errbuf,
		   size_t errlen)
{
	memset(m, 0, sizeof(*m));
	m->kind = USB_MATCH_INDEX;
	if (!args || !*args)
		return 0;
	size_t len = strlen(args);
	if (strchr(args, '-')) {
		/* BUS-PORT[.PORT...] as in /sys/bus/usb/devices: bus 1-255, ports 1-255, depth <= 7
		 * (USB 3.x, 10.1.1) */
		const char *dash = strchr(args, '-');
		if (parse_uint(args, (size_t)(dash - args), 10, 255, &m->bus) < 0 || m->bus == 0)
			goto bad;
		const char *p = dash + 1;
		for (;;) {
			size_t n = strcspn(p, ".");
			unsigned port;
			if (m->nports >= (int)sizeof(m->ports) || parse_uint(p, n, 10, 255, &port) < 0 ||
			    port == 0)
				goto bad;
			m->ports[m->nports++] = (unsigned char)port;
			if (p[n] == '\0')
				break;
			p += n + 1;
		}
		m->kind = USB_MATCH_PORT;
		return 0;
	}
	const char *colon = strchr(args, ':');
	if (!colon) {
		if (parse_uint(args, len, 10, 1000, &m->index) < 0)
			goto bad;
		return 0;
	}
	const char *hash = strchr(colon, '#');
	size_t plen = hash ? (size_t)(hash - colon - 1) : strlen(colon + 1);
	if ((size_t)(colon - args) > 4 || plen > 4 ||
	    parse_uint(args, (size_t)(colon - args), 16, 0xFFFF, &m->vid) < 0 ||
	    parse_uint(colon + 1, plen, 16, 0xFFFF, &m->pid) < 0)
		goto bad;
	if (hash && parse_uint(hash + 1, strlen(hash + 1), 10, 1000, &m->index) < 0)
		goto bad;
	m->kind = USB_MATCH_ID;
	return 0;
bad:
	transport_errf(errbuf, errlen, "%s: bad USB device selector '%s' (expected %s; VID and PID "
		       "in hex, e.g. usb:0a12:0001, usb:0a12:0001#1, usb:1-2.3)", spec, args,
		       USB_SPEC_FORMS);
	return L2K_ESPEC;
}

/* ---- with libusb: the devices ------------------------------------------------------------- */

#ifdef L2K_HAVE_LIBUSB

/* Where a user finds a dongle's VID:PID. */
#ifdef _WIN32
#define USB_ID_LISTER "Device Manager (Details: Hardware Ids)"
#else
#define USB_ID_LISTER "lsusb"
#endif

#ifdef __linux__
#include <unistd.h> /* readlink */
#endif

#define USB_MAX_CANDIDATES 64

static int cand_cmp(const void *a, const void *b)
{
	const struct usb_cand *x = a, *y = b;
	if (x->bus != y->bus)
		return x->bus < y->bus ? -1 : 1;
	for (int i = 0; i < x->nports && i < y->nports; i++)
		if (x->ports[i] != y->ports[i])
			return x->ports[i] < y->ports[i] ? -1 : 1;
	return x->nports - y->nports;
}

void usb_where_str(char *buf, size_t len, const struct usb_cand *c)
{
	int n = snprintf(buf, len, "%04x:%04x at %u-", c->vid, c->pid, c->bus);
	for (int i = 0; i < c->nports && n > 0 && (size_t)n < len; i++)
		n += snprintf(buf + n, len - (size_t)n, i ? ".%u" : "%u", c->ports[i]);
}

static bool is_bt_alt(const struct libusb_interface_descriptor *a)
{
	/* Vol 4 Part B, 2.1 / USB class codes: E0 Wireless Controller, 01 RF, 01 Bluetooth */
	return a->bInterfaceClass == 0xE0 && a->bInterfaceSubClass == 0x01 &&
	       a->bInterfaceProtocol == 0x01;
}

int usb_find_hci_interface(const struct libusb_config_descriptor *cfg, bool any_class,
			   struct usb_hci_if *u)
{
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < cfg->bNumInterfaces; i++) {
			const struct libusb_interface *itf = &cfg->interface[i];
			if (itf->num_altsetting < 1)
				continue;
			const struct libusb_interface_descriptor *a = &itf->altsetting[0];
			if (pass == 0 ? !is_bt_alt(a) : !(any_class && a->bInterfaceNumber == 0))
				continue;
			uint8_t ev = 0, in = 0, out = 0;
			uint16_t ev_mps = 0, in_mps = 0;
			for (int e = 0; e < a->bNumEndpoints; e++) {
				const struct libusb_endpoint_descriptor *d = &a->endpoint[e];
				int type = d->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK;
				bool is_in = (d->bEndpointAddress & LIBUSB_ENDPOINT_DIR_MASK) ==
					     LIBUSB_ENDPOINT_IN;
				uint16_t mps = d->wMaxPacketSize & 0x7FF;
				if (type == LIBUSB_TRANSFER_TYPE_INTERRUPT && is_in && !ev) {
					ev = d->bEndpointAddress;
					ev_mps = mps;
				} else if (type == LIBUSB_TRANSFER_TYPE_BULK && is_in && !in) {
					in = d->bEndpointAddress;
					in_mps = mps;
				} else if (type == LIBUSB_TRANSFER_TYPE_BULK && !is_in && !out) {
					out = d->bEndpointAddress;
				}
			}
			if (!ev || !in || !out || !ev_mps || !in_mps)
				continue;
			u->ifnum = a->bInterfaceNumber;
			u->ep_evt = ev;
			u->ep_acl_in = in;
			u->ep_acl_out = out;
			u->mps_evt = ev_mps;
			u->mps_acl_in = in_mps;
			return 0;
		}
	}
	return -1;
}

bool usb_has_bt_interface(libusb_device *dev)
{
	struct libusb_config_descriptor *cfg;
	if (libusb_get_active_config_descriptor(dev, &cfg) != 0 &&
	    libusb_get_config_descriptor(dev, 0, &cfg) != 0)
		return false;
	bool yes = false;
	for (int i = 0; i < cfg->bNumInterfaces && !yes; i++)
		for (int k = 0; k < cfg->interface[i].num_altsetting && !yes; k++)
			yes = is_bt_alt(&cfg->interface[i].altsetting[k]);
	libusb_free_config_descriptor(cfg);
	return yes;
}

void usb_driver_name(const struct usb_cand *c, int cfgval, int ifnum, char *out, size_t len)
{
	out[0] = '\0';
#ifdef __linux__
	char path[160], link[256];
	int n = snprintf(path, sizeof(path), "/sys/bus/usb/devices/%u-", c->bus);
	for (int i = 0; i < c->nports && n > 0 && (size_t)n < sizeof(path); i++)
		n += snprintf(path + n, sizeof(path) - (size_t)n, i ? ".%u" : "%u", c->ports[i]);
	if (n > 0 && (size_t)n < sizeof(path))
		snprintf(path + n, sizeof(path) - (size_t)n, ":%d.%d/driver", cfgval, ifnum);
	ssize_t r = readlink(path, link, sizeof(link) - 1);
	if (r > 0) {
		link[r] = '\0';
		const char *name = strrchr(link, '/');
		name = name ? name + 1 : link;
		size_t k = strlen(name) < len - 1 ? strlen(name) : len - 1;
		memcpy(out, name, k);
		out[k] = '\0';
	}
#else
	(void)c;
	(void)cfgval;
	(void)ifnum;
	(void)len;
#endif
}

int usb_choose_device(const char *spec, const struct usb_match *m, libusb_device **list,
		      ssize_t n, struct usb_cand *chosen, char *errbuf, size_t errlen)
{
	struct usb_cand c[USB_MAX_CANDIDATES];
	int nc = 0;
	for (ssize_t i = 0; i < n && nc < USB_MAX_CANDIDATES; i++) {
		struct libusb_device_descriptor dd;
		if (libusb_get_device_descriptor(list[i], &dd) != 0)
			continue;
		struct usb_cand k;
		memset(&k, 0, sizeof(k));
		k.dev = list[i];
		k.bus = libusb_get_bus_number(list[i]);
		k.nports = libusb_get_port_numbers(list[i], k.ports, (int)sizeof(k.ports));
		if (k.nports < 0)
			k.nports = 0;
		k.vid = dd.idVendor;
		k.pid = dd.idProduct;
		bool match;
		switch (m->kind) {
		case USB_MATCH_ID:
			match = k.vid == m->vid && k.pid == m->pid;
			break;
		case USB_MATCH_PORT:
			match = k.bus == m->bus && k.nports == m->nports &&
				memcmp(k.ports, m->ports, (size_t)m->nports) == 0;
			break;
		default:
			match = (dd.bDeviceClass == 0xE0 && dd.bDeviceSubClass == 0x01 &&
				 dd.bDeviceProtocol == 0x01) || usb_has_bt_interface(list[i]);
			break;
		}
		if (match)
			c[nc++] = k;
	}
	qsort(c, (size_t)nc, sizeof(c[0]), cand_cmp);
	if ((int)m->index < nc) {
		*chosen = c[m->index];
		return 0;
	}
	char port[40] = "";
	if (m->kind == USB_MATCH_PORT) {
		int w = snprintf(port, sizeof(port), "%u-", m->bus);
		for (int i = 0; i < m->nports && w > 0 && (size_t)w < sizeof(port); i++)
			w += snprintf(port + w, sizeof(port) - (size_t)w, i ? ".%u" : "%u",
				      m->ports[i]);
	}
	if (nc == 0) {
		if (m->kind == USB_MATCH_ID)
			transport_errf(errbuf, errlen, "%s: no USB device %04x:%04x is plugged in",
				       spec, m->vid, m->pid);
		else if (m->kind == USB_MATCH_PORT)
			transport_errf(errbuf, errlen, "%s: no USB device at %s", spec, port);
		else
			transport_errf(errbuf, errlen, "%s: no USB Bluetooth controller found (no "
				       "device with class E0/01/01; a dongle with a vendor-specific "
				       "class needs usb:VID:PID - " USB_ID_LISTER " lists them)", spec);
	} else {
		transport_errf(errbuf, errlen, "%s: only %d matching USB Bluetooth device%s found "
			       "(numbered from 0)", spec, nc, nc == 1 ? "" : "s");
	}
	return L2K_ENODEV;
}

#endif /* L2K_HAVE_LIBUSB */
