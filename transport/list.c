/* The controllers this build can open, for l2info --list: USB Bluetooth devices through libusb
 * and the Linux HCI user channel candidates.  Read-only: nothing is claimed or detached. */
#include <stdio.h>
#include <string.h>

#include "base/l2k_compat.h"
#include "transport/transport.h"
#include "transport/usb.h"

#ifdef __linux__
#include <dirent.h>
#endif

static void add_note(char *note, size_t len, const char *text)
{
	size_t used = strlen(note);
	if (used + 3 < len)
		snprintf(note + used, len - used, "%s%s", used ? "; " : "", text);
}

#ifdef L2K_HAVE_LIBUSB
static void copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src);
}

static void list_usb(struct transport_dev *out, size_t max, size_t *count, char *note, size_t notelen)
{
	libusb_context *ctx = NULL;
#ifdef L2K_LIBUSB_DL
	char why[400];
	if (usb_dl_load("usb", why, sizeof(why)) < 0) { /* Windows: no libusb-1.0.dll */
		add_note(note, notelen, why);
		return;
	}
#endif
	int r = libusb_init(&ctx);
	if (r != 0) {
		char t[160];
		snprintf(t, sizeof(t), "cannot use libusb: %s", libusb_strerror((enum libusb_error)r));
		add_note(note, notelen, t);
		return;
	}
	libusb_device **list;
	ssize_t n = libusb_get_device_list(ctx, &list);
	if (n < 0) {
		char t[160];
		snprintf(t, sizeof(t), "cannot list USB devices: %s", libusb_strerror((enum libusb_error)n));
		add_note(note, notelen, t);
		libusb_exit(ctx);
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		struct libusb_device_descriptor dd;
		if (libusb_get_device_descriptor(list[i], &dd) != 0)
			continue;
		bool bt = (dd.bDeviceClass == 0xE0 && dd.bDeviceSubClass == 0x01 && dd.bDeviceProtocol == 0x01) ||
			  usb_has_bt_interface(list[i]);
		if (!bt)
			continue;
		size_t k = (*count)++;
		if (k >= max)
			continue;
		struct transport_dev *d = &out[k];
		memset(d, 0, sizeof(*d));
		struct usb_cand c;
		memset(&c, 0, sizeof(c));
		c.bus = libusb_get_bus_number(list[i]);
		c.nports = libusb_get_port_numbers(list[i], c.ports, (int)sizeof(c.ports));
		if (c.nports < 0)
			c.nports = 0;
		c.vid = dd.idVendor;
		c.pid = dd.idProduct;
		d->usb = true;
		d->vid = dd.idVendor;
		d->pid = dd.idProduct;
		int w = snprintf(d->where, sizeof(d->where), "%u-", c.bus);
		for (int p = 0; p < c.nports && w > 0 && (size_t)w < sizeof(d->where); p++)
			w += snprintf(d->where + w, sizeof(d->where) - (size_t)w, p ? ".%u" : "%u", c.ports[p]);
		snprintf(d->spec, sizeof(d->spec), "usb:%s", d->where);
		struct libusb_config_descriptor *cfg;
		if (libusb_get_active_config_descriptor(list[i], &cfg) == 0) {
			struct usb_hci_if hif;
			if (usb_find_hci_interface(cfg, false, &hif) == 0)
				usb_driver_name(&c, cfg->bConfigurationValue, hif.ifnum, d->driver, sizeof(d->driver));
			libusb_free_config_descriptor(cfg);
		}
		libusb_device_handle *h;
		if (libusb_open(list[i], &h) == 0) {
			unsigned char s[64];
			if (dd.iManufacturer &&
			    libusb_get_string_descriptor_ascii(h, dd.iManufacturer, s, sizeof(s)) > 0)
				copy(d->manufacturer, sizeof(d->manufacturer), (const char *)s);
			if (dd.iProduct && libusb_get_string_descriptor_ascii(h, dd.iProduct, s, sizeof(s)) > 0)
				copy(d->product, sizeof(d->product), (const char *)s);
			libusb_close(h);
		} else {
			d->strings_unreadable = true;
		}
	}
	libusb_free_device_list(list, 1);
	libusb_exit(ctx);
}
#endif

#ifdef __linux__
static void list_hci(struct transport_dev *out, size_t max, size_t *count, char *note, size_t notelen)
{
	DIR *dir = opendir("/sys/class/bluetooth");
	if (!dir) {
		add_note(note, notelen,
			 "no /sys/class/bluetooth: this kernel has no Bluetooth (AF_BLUETOOTH), so no hciN "
			 "user channel");
		return;
	}
	struct dirent *e;
	while ((e = readdir(dir)) != NULL) {
		unsigned num;
		char extra;
		if (sscanf(e->d_name, "hci%u%c", &num, &extra) != 1)
			continue; /* hci0:256 style connection entries */
		size_t k = (*count)++;
		if (k >= max)
			continue;
		struct transport_dev *d = &out[k];
		memset(d, 0, sizeof(*d));
		snprintf(d->spec, sizeof(d->spec), "hci%u", num);
		char path[300];
		snprintf(path, sizeof(path), "/sys/class/bluetooth/%.64s/address", e->d_name);
		FILE *f = fopen(path, "r");
		if (f) {
			if (fgets(d->bdaddr, sizeof(d->bdaddr), f))
				d->bdaddr[strcspn(d->bdaddr, "\n")] = 0;
			fclose(f);
		}
	}
	closedir(dir);
}
#endif

int transport_list(struct transport_dev *out, size_t max, size_t *count, char *note, size_t notelen)
{
	*count = 0;
	if (notelen)
		note[0] = 0;
#ifdef L2K_HAVE_LIBUSB
	list_usb(out, max, count, note, notelen);
#else
	add_note(note, notelen, "libusb support not built (no USB dongles listed)");
#endif
#ifdef __linux__
	list_hci(out, max, count, note, notelen);
#endif
	return 0;
}
