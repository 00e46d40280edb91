/* "hciN": a controller the Linux kernel drives (USB, UART, SDIO, virtual ...) through the HCI
 * user channel: socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_HCI) bound to HCI_CHANNEL_USER, which
 * gives one program exclusive raw access while the kernel's own stack keeps off the device.
 * The kernel's driver still does the transport-specific work (USB endpoints, UART framing,
 * firmware loading at setup); the socket carries whole packets, each read or write one packet
 * with its H4 indicator first (Vol 4 Part A, 2).
 *
 * Binding needs CAP_NET_ADMIN and a device that is powered off and not being set up; the
 * kernel then opens the device for us and closes it again when the socket closes.
 *
 * Output: send() writes at once when the socket takes it and queues whole packets (bounded,
 * USERCHAN_OUTQ_MAX bytes) when it does not; service() flushes them when it is writable.
 * Input: service() reads packets until EAGAIN (at most USERCHAN_READ_BUDGET per call).
 * Callbacks run only inside service(); a failure is reported once, from service().
 */
#include "transport/userchan.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/l2k_compat.h"
#include "base/l2k_error.h"
#include "transport/h4.h"
#include "base/ring.h"
#include "transport/stream.h" /* transport_errf, transport_errno */

#ifndef __linux__

int userchan_transport_open(const char *spec, unsigned dev, struct transport **out,
			    char *errbuf, size_t errlen)
{
	(void)dev;
	(void)out;
	transport_errf(errbuf, errlen, "%s: the HCI user channel exists only on Linux; open the "
		       "controller with libusb instead (spec 'usb', see docs/hardware.md)", spec);
	return L2K_ENOTSUP;
}

#else

#include <dirent.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* From the kernel's include/net/bluetooth/{bluetooth,hci_sock}.h (uapi values; the BlueZ
 * development headers need not be installed). */
#ifndef AF_BLUETOOTH
#define AF_BLUETOOTH 31
#endif
#define UC_BTPROTO_HCI 1
#define UC_HCI_CHANNEL_USER 1
struct uc_sockaddr_hci {
	sa_family_t hci_family;
	unsigned short hci_dev;
	unsigned short hci_channel;
};

#define USERCHAN_OUTQ_MAX (1u << 20)
#define USERCHAN_READ_BUDGET 512 /* packets per service() */
/* The controller sends ACL data without waiting for the host (no host flow control), and the
 * kernel drops what does not fit in the socket's receive buffer.  The default (about 200 KB,
 * some 200 packets) overflows whenever the program falls behind for a moment: ask for more
 * (SO_RCVBUFFORCE works with the CAP_NET_ADMIN the user channel needs anyway). */
#define USERCHAN_RCVBUF (8 << 20)
#ifndef SO_RCVBUFFORCE
#define SO_RCVBUFFORCE 33
#endif
#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif
#define UC_SK_MEMINFO_DROPS 8 /* index in SO_MEMINFO's array (Linux 4.12 and later) */

struct userchan {
	struct transport t; /* first: the public handle points here */
	int fd;
	unsigned dev;
	struct ring outq;
	int failed;
	bool reported;
	char msg[384];
	bool in_service;
	bool close_pending;
	uint64_t ignored; /* packets of types l2kit has no use for (vendor diagnostics) */
	uint32_t drops;	  /* the socket's drop counter at open (SO_MEMINFO), or UINT32_MAX */
	uint8_t rbuf[1 + H4_PKT_MAX]; /* one read */
	uint8_t wbuf[H4_PKT_MAX];     /* one queued packet on its way out */
};

#if defined(__GNUC__)
L2K_PRINTF(3, 4)
#endif
static void set_failed(struct userchan *u, int code, const char *fmt, ...)
{
	if (u->failed)
		return;
	int n = snprintf(u->msg, sizeof(u->msg), "%s: ", u->t.spec);
	if (n < 0 || (size_t)n >= sizeof(u->msg))
		n = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(u->msg + n, sizeof(u->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	u->failed = code;
}

/* An I/O error on an open user channel.  When the device goes away the kernel sets EPIPE on
 * the socket (hci_sock_dev_event, HCI_DEV_UNREG); later calls may see EBADFD or ENODEV. */
static void io_failed(struct userchan *u, const char *what, int e)
{
	if (e == EPIPE || e == EBADFD || e == ENODEV || e == ENXIO || e == ESHUTDOWN)
		set_failed(u, L2K_ENODEV, "controller hci%u went away (unplugged or removed; %s: %s)",
			   u->dev, what, strerror(e));
	else if (e == ENETDOWN)
		set_failed(u, L2K_ENETDOWN, "controller hci%u was closed by the kernel (%s: %s)",
			   u->dev, what, strerror(e));
	else
		set_failed(u, transport_errno(e), "%s failed: %s", what, strerror(e));
}

/* Write one packet.  1 written, 0 the socket cannot take it now, -1 failed (recorded). */
static int write_packet(struct userchan *u, uint8_t type, const uint8_t *pkt, size_t len)
{
	struct iovec iov[2] = { { .iov_base = &type, .iov_len = 1 },
				{ .iov_base = (void *)pkt, .iov_len = len } };
	struct msghdr mh;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	for (;;) {
		ssize_t n = sendmsg(u->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n >= 0) {
			if ((size_t)n != 1 + len) { /* a raw socket takes all or nothing */
				set_failed(u, L2K_EIO, "short write (%zd of %zu bytes)", n, 1 + len);
				return -1;
			}
			return 1;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
			return 0;
		io_failed(u, "write", errno);
		return -1;
	}
}

static void flush(struct userchan *u)
{
	while (u->outq.count && !u->failed) {
		uint8_t type;
		size_t len = ring_head_type(&u->outq, &type);
		ring_head_read(&u->outq, 1, u->wbuf, len);
		if (write_packet(u, type, u->wbuf, len) <= 0)
			return;
		ring_pop(&u->outq);
	}
}

static int uc_send(struct transport *t, uint8_t type, const uint8_t *pkt, size_t len)
{
	struct userchan *u = (struct userchan *)t;
	if (u->failed)
		return u->failed;
	int err = h4_check(type, pkt, len);
	if (err < 0)
		return err;
	if (u->outq.count)
		flush(u); /* keep the order */
	if (u->failed)
		return u->failed;
	if (!u->outq.count) {
		int r = write_packet(u, type, pkt, len);
		if (r < 0)
			return u->failed;
		if (r > 0)
			return 0;
	}
	if (ring_push2(&u->outq, &type, 1, pkt, len) < 0)
		return L2K_ENOBUFS;
	return 0;
}

static void destroy(struct userchan *u)
{
	if (u->fd >= 0)
		close(u->fd); /* the kernel closes the device and gives it back to its own stack */
	ring_free(&u->outq);
	free(u);
}

static void deliver(struct userchan *u, const uint8_t *b, size_t n)
{
	if (n < 1)
		return;
	uint8_t type = b[0];
	if (type < HCI_H4_CMD || type > HCI_H4_ISO || type == HCI_H4_CMD) {
		u->ignored++; /* e.g. a driver's diagnostic packets (0xf0) */
		return;
	}
	/* Each read is one packet: a length field that disagrees with its size means a broken
	 * controller or driver, not a lost byte; say so rather than guess. */
	if (h4_check(type, b + 1, n - 1) < 0) {
		set_failed(u, L2K_EFRAMING, "controller sent a malformed packet (type 0x%02x, %zu "
			   "bytes, length field disagrees)", type, n - 1);
		return;
	}
	if (u->t.rx)
		u->t.rx(u->t.user, type, b + 1, n - 1);
}

/* The kernel's count of packets it dropped because the receive buffer was full, or
 * UINT32_MAX where SO_MEMINFO does not exist. */
static uint32_t socket_drops(int fd)
{
	uint32_t mi[16];
	socklen_t len = sizeof(mi);
	memset(mi, 0, sizeof(mi));
	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mi, &len) < 0 ||
	    len <= UC_SK_MEMINFO_DROPS * sizeof(uint32_t))
		return UINT32_MAX;
	return mi[UC_SK_MEMINFO_DROPS];
}

/* A dropped event or ACL fragment cannot be recovered at this level (a lost Command Complete
 * stalls the host, a lost fragment corrupts a PDU): fail loudly rather than run on damaged. */
static void check_drops(struct userchan *u)
{
	if (u->failed || u->drops == UINT32_MAX)
		return;
	uint32_t d = socket_drops(u->fd);
	if (d != UINT32_MAX && d != u->drops)
		set_failed(u, L2K_EIO, "the kernel dropped %u packet%s from hci%u: the program did "
			   "not read them in time (socket receive buffer full)", d - u->drops,
			   d - u->drops == 1 ? "" : "s", u->dev);
}

static int uc_service(struct transport *t, uint64_t now_ms)
{
	struct userchan *u = (struct userchan *)t;
	(void)now_ms;
	if (u->in_service)
		return u->reported ? u->failed : 0;
	if (u->reported)
		return u->failed;
	u->in_service = true;

	flush(u);
	for (int i = 0; i < USERCHAN_READ_BUDGET && !u->failed && !u->close_pending; i++) {
		ssize_t n = recv(u->fd, u->rbuf, sizeof(u->rbuf), MSG_DONTWAIT);
		if (n > 0) {
			deliver(u, u->rbuf, (size_t)n);
		} else if (n == 0) {
			set_failed(u, L2K_ENODEV, "controller hci%u went away (end of stream)", u->dev);
		} else if (errno == EINTR) {
			continue;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			break;
		} else {
			io_failed(u, "read", errno);
		}
	}
	check_drops(u);
	if (!u->close_pending)
		flush(u);
	if (u->failed && !u->close_pending) {
		u->reported = true;
		if (u->t.err)
			u->t.err(u->t.user, u->failed, u->msg);
	}
	u->in_service = false;
	int rc = u->failed;
	if (u->close_pending)
		destroy(u);
	return rc;
}

static int uc_fd(struct transport *t)
{
	struct userchan *u = (struct userchan *)t;
	return u->reported ? -1 : u->fd;
}

static bool uc_want_write(struct transport *t)
{
	struct userchan *u = (struct userchan *)t;
	return u->outq.count && !u->failed;
}

static uint64_t uc_next_due(struct transport *t)
{
	struct userchan *u = (struct userchan *)t;
	return u->failed && !u->reported ? 0 : UINT64_MAX;
}

static void uc_close(struct transport *t)
{
	struct userchan *u = (struct userchan *)t;
	if (u->in_service)
		u->close_pending = true;
	else
		destroy(u);
}

static const struct transport_ops userchan_ops = {
	"userchan", uc_send, uc_fd, uc_want_write, uc_service, uc_next_due, uc_close, NULL, NULL,
};

/* "hci0, hci1" from /sys/class/bluetooth (empty when there is none). */
static void list_controllers(char *buf, size_t len)
{
	buf[0] = '\0';
	DIR *d = opendir("/sys/class/bluetooth");
	if (!d)
		return;
	size_t used = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		unsigned n;
		char c;
		if (sscanf(e->d_name, "hci%u%c", &n, &c) != 1)
			continue; /* skips hci0:256 style connection entries */
		int w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", e->d_name);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
	closedir(d);
}

static int open_error(const char *spec, unsigned dev, int e, char *errbuf, size_t errlen)
{
	char list[128];
	switch (e) {
	case EPERM:
	case EACCES:
		transport_errf(errbuf, errlen, "%s: permission denied: the HCI user channel needs "
			       "CAP_NET_ADMIN (run as root, or once: sudo setcap cap_net_admin+ep "
			       "PROGRAM)", spec);
		return L2K_EPERM;
	case ENODEV:
	case ENXIO:
		list_controllers(list, sizeof(list));
		if (list[0])
			transport_errf(errbuf, errlen, "%s: no controller hci%u (the kernel has: %s)",
				       spec, dev, list);
		else
			transport_errf(errbuf, errlen, "%s: no controller hci%u (the kernel has none: "
				       "is the dongle plugged in and its driver loaded?)", spec, dev);
		return L2K_ENODEV;
	case EBUSY:
		transport_errf(errbuf, errlen, "%s: hci%u is powered on or being set up by the kernel "
			       "(bluetoothd manages it): power it off first with 'sudo btmgmt --index "
			       "%u power off' (or 'sudo hciconfig hci%u down'); if bluetoothd powers it "
			       "on again, stop it: 'sudo systemctl stop bluetooth'", spec, dev, dev,
			       dev);
		return L2K_EBUSY;
#ifdef EUSERS
	case EUSERS:
		transport_errf(errbuf, errlen, "%s: another program already has hci%u's user "
			       "channel open", spec, dev);
		return L2K_EBUSY;
#endif
#ifdef ERFKILL
	case ERFKILL:
		transport_errf(errbuf, errlen, "%s: hci%u is blocked by rfkill: 'rfkill unblock "
			       "bluetooth'", spec, dev);
		return L2K_EBUSY;
#endif
	case EOPNOTSUPP:
	case EINVAL:
		transport_errf(errbuf, errlen, "%s: this kernel has no HCI user channel (Linux 3.13 "
			       "or later): bind failed: %s", spec, strerror(e));
		return L2K_ENOTSUP;
	default:
		transport_errf(errbuf, errlen, "%s: cannot open hci%u's user channel: %s (the "
			       "kernel could not open the device; see dmesg)", spec, dev, strerror(e));
		return transport_errno(e);
	}
}

int userchan_transport_open(const char *spec, unsigned dev, struct transport **out,
			    char *errbuf, size_t errlen)
{
	if (dev > 0xFFFE) { /* HCI_DEV_NONE is 0xFFFF */
		transport_errf(errbuf, errlen, "%s: controller number %u out of range", spec, dev);
		return L2K_ESPEC;
	}
	int fd = socket(AF_BLUETOOTH, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, UC_BTPROTO_HCI);
	if (fd < 0) {
		int e = errno;
		if (e == EAFNOSUPPORT || e == EPROTONOSUPPORT || e == ESOCKTNOSUPPORT) {
			transport_errf(errbuf, errlen, "%s: no Bluetooth in this kernel "
				       "(socket(AF_BLUETOOTH): %s): load it with 'sudo modprobe "
				       "bluetooth' (kernel option CONFIG_BT), or use the controller "
				       "through libusb (spec 'usb')", spec, strerror(e));
			return L2K_ENOTSUP;
		}
		transport_errf(errbuf, errlen, "%s: socket(AF_BLUETOOTH): %s", spec, strerror(e));
		return transport_errno(e);
	}
	struct uc_sockaddr_hci sa;
	memset(&sa, 0, sizeof(sa));
	sa.hci_family = AF_BLUETOOTH;
	sa.hci_dev = (unsigned short)dev;
	sa.hci_channel = UC_HCI_CHANNEL_USER;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		return open_error(spec, dev, e, errbuf, errlen);
	}
	int rcvbuf = USERCHAN_RCVBUF;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)); /* up to rmem_max */
	struct userchan *u = calloc(1, sizeof(*u));
	if (!u || ring_init(&u->outq, USERCHAN_OUTQ_MAX) < 0) {
		free(u);
		close(fd);
		transport_errf(errbuf, errlen, "%s: out of memory", spec);
		return L2K_ENOMEM;
	}
	u->t.ops = &userchan_ops;
	snprintf(u->t.spec, sizeof(u->t.spec), "%s", spec);
	u->fd = fd;
	u->dev = dev;
	u->drops = socket_drops(fd);
	*out = &u->t;
	return 0;
}

#endif /* __linux__ */
