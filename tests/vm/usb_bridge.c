/* A USB Bluetooth dongle made of a FunctionFS gadget function and a btvirt controller, for the
 * VM's libusb scenario.  It presents the HCI USB transport (Core Specification Vol 4 Part B):
 * one interface of class E0/01/01 with an interrupt IN endpoint (events), a bulk IN endpoint
 * (ACL to the host) and a bulk OUT endpoint (ACL from the host); HCI commands arrive as class
 * control requests to the device on endpoint 0.  Everything is bridged to a controller, so the
 * host's l2kit shares btvirt's air with the kernel:
 *   - hciN:   a kernel controller's HCI user channel (btvirt's vhci controllers; one packet per
 *             read and write, the robust choice);
 *   - a path: an H4 stream socket such as btvirt's /tmp/bt-server-bredrle (btvirt 5.66's server
 *             loses sync on reads that end inside a packet; kept for experiments).
 *
 *   usb_bridge FFS_DIR hciN|H4_SOCKET [--ready-file F]
 * FFS_DIR is a mounted functionfs instance; the descriptors are written at start, the files
 * ep1..ep3 then appear and the gadget may be bound to a UDC (the caller does that).
 * Runs until killed, until the socket closes or the function is unbound.
 *
 * Both directions are byte streams reassembled by their headers (a write to the interrupt or
 * bulk IN endpoint is one transfer; a read from bulk OUT is at most one max-size packet, so a
 * host packet that ends on a packet boundary without a zero-length packet is not held back).
 * A test fixture, not part of l2kit.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define HS_BULK_MPS 512
#define FS_BULK_MPS 64
#define INTR_MPS 16 /* Vol 4 Part B, 2.1.1: 16 bytes at full speed; kept at high speed too */

static int sock = -1;
static int sock_is_userchan;
static int ep_evt = -1, ep_acl_in = -1, ep_acl_out = -1;
static pthread_mutex_t sock_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile int enabled;
static volatile unsigned long n_cmd, n_evt, n_acl_in, n_acl_out;
/* what each thread is doing, for the watchdog's report when traffic stops */
static const char *volatile st_pump = "start", *volatile st_ep0 = "start",
		  *volatile st_out = "start";

static void die(const char *what)
{
	fprintf(stderr, "usb_bridge: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	while (n > 0) {
		ssize_t w = write(fd, b, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, void *p, size_t n)
{
	uint8_t *b = p;
	while (n > 0) {
		ssize_t r = read(fd, b, n);
		if (r == 0)
			return -1;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

static void to_socket(uint8_t type, const uint8_t *p, size_t n)
{
	pthread_mutex_lock(&sock_lock);
	if (type == 0x01)
		st_ep0 = "writing a command to the socket";
	else
		st_out = "writing ACL to the socket";
	/* one write per packet: the user channel takes exactly one; btvirt's server (5.66)
	 * mishandles reads that end inside a packet */
	static uint8_t buf[1 + 4 + 65535];
	buf[0] = type;
	memcpy(buf + 1, p, n);
	if (write_all(sock, buf, 1 + n) < 0) {
		fprintf(stderr, "usb_bridge: write to the controller socket: %s\n", strerror(errno));
		exit(1);
	}
	pthread_mutex_unlock(&sock_lock);
}

/* Reports the counters and what each thread waits for once traffic has stopped for 3 s. */
static void *watchdog(void *arg)
{
	(void)arg;
	unsigned long last = 0;
	int idle = 0;
	for (;;) {
		sleep(1);
		unsigned long now = n_cmd + n_evt + n_acl_in + n_acl_out;
		idle = now == last ? idle + 1 : 0;
		last = now;
		if (idle == 3)
			fprintf(stderr, "usb_bridge: idle: cmd %lu evt %lu acl in %lu out %lu; "
				"socket->host: %s; ep0: %s; bulk OUT: %s\n", n_cmd, n_evt, n_acl_in,
				n_acl_out, st_pump, st_ep0, st_out);
	}
	return NULL;
}

/* ---- descriptors -------------------------------------------------------------------------- */

struct __attribute__((packed)) descs {
	struct usb_functionfs_descs_head_v2 head;
	uint32_t fs_count, hs_count;
	struct {
		struct usb_interface_descriptor intf;
		struct usb_endpoint_descriptor_no_audio evt, in, out;
	} __attribute__((packed)) fs, hs;
};

static void fill_speed(struct usb_interface_descriptor *intf,
		       struct usb_endpoint_descriptor_no_audio *evt,
		       struct usb_endpoint_descriptor_no_audio *in,
		       struct usb_endpoint_descriptor_no_audio *out, uint16_t bulk_mps, uint8_t ival)
{
	intf->bLength = sizeof(*intf);
	intf->bDescriptorType = USB_DT_INTERFACE;
	intf->bInterfaceNumber = 0;
	intf->bNumEndpoints = 3;
	intf->bInterfaceClass = 0xE0;	 /* Wireless Controller */
	intf->bInterfaceSubClass = 0x01; /* RF Controller */
	intf->bInterfaceProtocol = 0x01; /* Bluetooth Programming Interface */
	intf->iInterface = 1;
	evt->bLength = sizeof(*evt);
	evt->bDescriptorType = USB_DT_ENDPOINT;
	evt->bEndpointAddress = 1 | USB_DIR_IN;
	evt->bmAttributes = USB_ENDPOINT_XFER_INT;
	evt->wMaxPacketSize = htole16(INTR_MPS);
	evt->bInterval = ival;
	in->bLength = sizeof(*in);
	in->bDescriptorType = USB_DT_ENDPOINT;
	in->bEndpointAddress = 2 | USB_DIR_IN;
	in->bmAttributes = USB_ENDPOINT_XFER_BULK;
	in->wMaxPacketSize = htole16(bulk_mps);
	out->bLength = sizeof(*out);
	out->bDescriptorType = USB_DT_ENDPOINT;
	out->bEndpointAddress = 3 | USB_DIR_OUT;
	out->bmAttributes = USB_ENDPOINT_XFER_BULK;
	out->wMaxPacketSize = htole16(bulk_mps);
}

static void write_descriptors(int ep0)
{
	struct descs d;
	memset(&d, 0, sizeof(d));
	d.head.magic = htole32(FUNCTIONFS_DESCRIPTORS_MAGIC_V2);
	d.head.length = htole32(sizeof(d));
	/* ALL_CTRL_RECIP: class requests to the device (HCI commands) reach us */
	d.head.flags = htole32(FUNCTIONFS_HAS_FS_DESC | FUNCTIONFS_HAS_HS_DESC |
			       FUNCTIONFS_ALL_CTRL_RECIP);
	d.fs_count = htole32(4);
	d.hs_count = htole32(4);
	fill_speed(&d.fs.intf, &d.fs.evt, &d.fs.in, &d.fs.out, FS_BULK_MPS, 1);
	fill_speed(&d.hs.intf, &d.hs.evt, &d.hs.in, &d.hs.out, HS_BULK_MPS, 4);
	if (write_all(ep0, &d, sizeof(d)) < 0)
		die("writing the descriptors to ep0");

	static const char name[] = "Bluetooth HCI (l2kit test bridge)";
	struct __attribute__((packed)) {
		struct usb_functionfs_strings_head head;
		uint16_t lang;
		char str[sizeof(name)];
	} s;
	s.head.magic = htole32(FUNCTIONFS_STRINGS_MAGIC);
	s.head.length = htole32(sizeof(s));
	s.head.str_count = htole32(1);
	s.head.lang_count = htole32(1);
	s.lang = htole16(0x0409);
	memcpy(s.str, name, sizeof(name));
	if (write_all(ep0, &s, sizeof(s)) < 0)
		die("writing the strings to ep0");
}

/* ---- endpoint 0: events and HCI commands -------------------------------------------------- */

static void *ep0_thread(void *arg)
{
	int ep0 = *(int *)arg;
	struct usb_functionfs_event ev[4];
	uint8_t buf[4096];
	for (;;) {
		st_ep0 = "reading ep0 events";
		ssize_t n = read(ep0, ev, sizeof(ev));
		st_ep0 = "handling ep0 events";
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("reading ep0 events");
		}
		for (size_t i = 0; i < (size_t)n / sizeof(ev[0]); i++) {
			switch (ev[i].type) {
			case FUNCTIONFS_ENABLE:
				enabled = 1;
				fprintf(stderr, "usb_bridge: enabled by the host\n");
				break;
			case FUNCTIONFS_DISABLE:
				enabled = 0;
				fprintf(stderr, "usb_bridge: disabled\n");
				break;
			case FUNCTIONFS_UNBIND:
				fprintf(stderr, "usb_bridge: unbound (cmd %lu evt %lu acl in %lu out "
					"%lu)\n", n_cmd, n_evt, n_acl_in, n_acl_out);
				exit(0);
			case FUNCTIONFS_SETUP: {
				const struct usb_ctrlrequest *c = &ev[i].u.setup;
				uint16_t len = le16toh(c->wLength);
				bool in = c->bRequestType & USB_DIR_IN;
				/* Vol 4 Part B, 2.2.2: HCI command = class request 0x20 to the device */
				if (c->bRequestType == (USB_TYPE_CLASS | USB_RECIP_DEVICE) &&
				    len >= 3 && len <= sizeof(buf)) {
					if (read_all(ep0, buf, len) < 0) {
						fprintf(stderr, "usb_bridge: reading a command: %s\n",
							strerror(errno));
						break;
					}
					n_cmd++;
					to_socket(0x01, buf, len);
				} else if (in) {
					if (read(ep0, NULL, 0) < 0 && errno != EL2HLT)
						fprintf(stderr, "usb_bridge: stall: %s\n", strerror(errno));
				} else {
					if (write(ep0, NULL, 0) < 0 && errno != EL2HLT)
						fprintf(stderr, "usb_bridge: stall: %s\n", strerror(errno));
				}
				break;
			}
			default:
				break;
			}
		}
	}
	return NULL;
}

/* ---- bulk OUT: ACL from the host ---------------------------------------------------------- */

static void *acl_out_thread(void *arg)
{
	(void)arg;
	static uint8_t pkt[4 + 65535];
	size_t have = 0;
	uint8_t buf[HS_BULK_MPS];
	for (;;) {
		st_out = "reading bulk OUT";
		ssize_t n = read(ep_acl_out, buf, sizeof(buf));
		st_out = "forwarding bulk OUT";
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ESHUTDOWN || errno == ECONNRESET) { /* host went away */
				have = 0;
				usleep(10000);
				continue;
			}
			die("reading bulk OUT");
		}
		for (ssize_t i = 0; i < n; i++) {
			pkt[have++] = buf[i];
			if (have >= 4 && have == 4u + (size_t)(pkt[2] | (pkt[3] << 8))) {
				n_acl_out++;
				to_socket(0x02, pkt, have);
				have = 0;
			}
		}
	}
	return NULL;
}

/* ---- the controller socket: events and ACL to the host ------------------------------------ */

static void to_endpoint(int ep, const uint8_t *p, size_t n)
{
	for (;;) {
		if (write_all(ep, p, n) == 0)
			return;
		if (errno == ESHUTDOWN || errno == ECONNRESET) { /* not enabled (yet): drop */
			fprintf(stderr, "usb_bridge: host not listening, %zu bytes dropped\n", n);
			return;
		}
		die("writing to an IN endpoint");
	}
}

/* One packet from the controller: its type, bytes in pkt, length.  Exits when it is gone. */
static size_t read_packet(uint8_t *type, uint8_t *pkt)
{
	if (sock_is_userchan) {
		static uint8_t buf[1 + 4 + 65535];
		for (;;) {
			ssize_t n = recv(sock, buf, sizeof(buf), 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				fprintf(stderr, "usb_bridge: controller closed: %s\n",
					n < 0 ? strerror(errno) : "end of stream");
				exit(0);
			}
			*type = buf[0];
			memcpy(pkt, buf + 1, (size_t)n - 1);
			return (size_t)n - 1;
		}
	}
	if (read_all(sock, type, 1) < 0) {
		fprintf(stderr, "usb_bridge: controller socket closed\n");
		exit(0);
	}
	if (*type == 0x04) {
		if (read_all(sock, pkt, 2) < 0 || read_all(sock, pkt + 2, pkt[1]) < 0)
			die("reading an event");
		return 2u + pkt[1];
	}
	if (*type == 0x02) {
		if (read_all(sock, pkt, 4) < 0)
			die("reading ACL");
		size_t len = (size_t)(pkt[2] | (pkt[3] << 8));
		if (read_all(sock, pkt + 4, len) < 0)
			die("reading ACL");
		return 4 + len;
	}
	fprintf(stderr, "usb_bridge: unexpected H4 type 0x%02x from the controller\n", *type);
	exit(1);
}

static void pump_socket(void)
{
	static uint8_t pkt[4 + 65535];
	for (;;) {
		uint8_t type;
		st_pump = "reading the controller";
		size_t len = read_packet(&type, pkt);
		if (type == 0x04) {
			n_evt++;
			st_pump = "writing an event to interrupt IN";
			to_endpoint(ep_evt, pkt, len);
		} else if (type == 0x02) {
			n_acl_in++;
			st_pump = "writing ACL to bulk IN";
			to_endpoint(ep_acl_in, pkt, len);
		} else {
			fprintf(stderr, "usb_bridge: dropped a packet of type 0x%02x\n", type);
		}
	}
}

/* hciN: bind its user channel (the controller must be powered off). */
static int open_userchan(unsigned dev)
{
	struct {
		sa_family_t family;
		unsigned short dev, channel;
	} sa = { 31 /* AF_BLUETOOTH */, (unsigned short)dev, 1 /* HCI_CHANNEL_USER */ };
	int fd = socket(31, SOCK_RAW | SOCK_CLOEXEC, 1 /* BTPROTO_HCI */);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("HCI user channel");
	int rcv = 8 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv));
	return fd;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: usb_bridge FFS_DIR hciN|H4_SOCKET [--ready-file F]\n");
		return 2;
	}
	const char *dir = argv[1];
	const char *ready = argc >= 5 && !strcmp(argv[3], "--ready-file") ? argv[4] : NULL;
	char path[512];

	unsigned dev;
	char c;
	if (sscanf(argv[2], "hci%u%c", &dev, &c) == 1) {
		sock = open_userchan(dev);
		sock_is_userchan = 1;
	} else {
		sock = socket(AF_UNIX, SOCK_STREAM, 0);
		struct sockaddr_un sa;
		memset(&sa, 0, sizeof(sa));
		sa.sun_family = AF_UNIX;
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[2]);
		if (sock < 0 || connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			die(argv[2]);
	}

	snprintf(path, sizeof(path), "%s/ep0", dir);
	int ep0 = open(path, O_RDWR);
	if (ep0 < 0)
		die(path);
	write_descriptors(ep0);
	snprintf(path, sizeof(path), "%s/ep1", dir);
	ep_evt = open(path, O_RDWR);
	snprintf(path, sizeof(path), "%s/ep2", dir);
	ep_acl_in = open(path, O_RDWR);
	snprintf(path, sizeof(path), "%s/ep3", dir);
	ep_acl_out = open(path, O_RDWR);
	if (ep_evt < 0 || ep_acl_in < 0 || ep_acl_out < 0)
		die("opening the endpoint files");

	pthread_t t0, t1, t2;
	pthread_create(&t0, NULL, ep0_thread, &ep0);
	pthread_create(&t1, NULL, acl_out_thread, NULL);
	pthread_create(&t2, NULL, watchdog, NULL);
	if (ready) {
		FILE *f = fopen(ready, "w");
		if (f)
			fclose(f);
	}
	fprintf(stderr, "usb_bridge: descriptors written, bridging to %s\n", argv[2]);
	pump_socket();
	return 0;
}
