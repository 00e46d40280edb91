/* "usb", "usb:N", "usb:VID:PID[#N]", "usb:BUS-PORT[.PORT...]": a USB Bluetooth controller
 * driven directly through libusb-1.0 (Linux, macOS, Windows with WinUSB), following the HCI USB
 * transport (Core Specification Vol 4 Part B):
 *   - HCI commands:   class control transfers to the device (bmRequestType 0x20, bRequest 0,
 *                     wValue 0, wIndex 0; Vol 4 Part B, 2.2.2);
 *   - HCI events:     the interrupt IN endpoint;
 *   - ACL data:       the bulk IN / bulk OUT endpoints;
 * of the interface with class E0/01/01 (Wireless Controller / RF / Bluetooth), or interface 0
 * of a device chosen by VID:PID whose class is vendor specific.  Endpoints are found by type
 * and direction in the descriptors, never by number.  SCO (isochronous endpoints on the second
 * interface) is not supported.  Which device and interface: usb_find.c.
 *
 * Events and ACL data are byte streams across transfers: a packet may span several transfers
 * (each at most wMaxPacketSize, so that a packet ending exactly on a packet boundary without a
 * zero-length packet is still delivered at once) and is reassembled from its header's length.
 *
 * Everything is asynchronous and folded into the caller's run loop: libusb's descriptors are
 * gathered into one epoll descriptor (Linux), which is readable whenever libusb has work;
 * service() then calls libusb_handle_events_timeout_completed() with a zero timeout, and the
 * transfer callbacks - which deliver packets - run only inside it.  Where epoll does not exist
 * (macOS, Windows) there is no descriptor and service() is asked for every USB_POLL_MS.
 *
 * A kernel driver bound to the interface (Linux: btusb) is detached at open and re-attached at
 * close.  An unplugged device fails every transfer with LIBUSB_TRANSFER_NO_DEVICE: the
 * transport then reports L2K_ENODEV once through the err callback and delivers nothing more.
 *
 * On Windows libusb-1.0.dll is loaded when a usb transport is first opened (usb_dl_win.c), with
 * a clear error when it is missing; the code below is unchanged (transport/usb_dl.h).
 */
#include "transport/usb.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/l2k_compat.h"
#include "base/l2k_error.h"
#include "transport/stream.h" /* transport_errf */

#ifndef L2K_HAVE_LIBUSB

int usb_transport_open(const char *spec, const char *args, struct transport **out,
		       char *errbuf, size_t errlen)
{
	struct usb_match m;
	int r = usb_spec_parse(spec, args, &m, errbuf, errlen);
	if (r < 0)
		return r;
	(void)out;
#ifdef _WIN32
	transport_errf(errbuf, errlen, "%s: libusb support not built: the Windows build has no "
		       "USB transport yet (docs/windows.md); use tcp:HOST:PORT or serial:COMn", spec);
#else
	transport_errf(errbuf, errlen, "%s: libusb support not built: l2kit was compiled without "
		       "libusb-1.0 (install its development files - Debian/Ubuntu libusb-1.0-0-dev, "
		       "Fedora libusb1-devel, macOS 'brew install libusb' - so that pkg-config finds "
		       "libusb-1.0, and rebuild)", spec);
#endif
	return L2K_ENOTSUP;
}

#else /* L2K_HAVE_LIBUSB */

#include <libusb.h>
#include <time.h>
#include <unistd.h>

#include "base/hci_defs.h"
#include "transport/h4.h"
#include "base/ring.h"

#if defined(__linux__)
#include <poll.h>
#include <sys/epoll.h>
#define USB_HAVE_EPOLL 1
#endif

#define USB_EVT_XFERS 4	     /* interrupt IN transfers kept in flight */
#define USB_ACL_IN_XFERS 8   /* bulk IN transfers kept in flight */
#define USB_CMD_XFERS 2	     /* control transfers in flight (commands) */
#define USB_ACL_OUT_XFERS 8  /* bulk OUT transfers in flight */
#define USB_CMDQ_MAX (16u * 1024u)    /* queued commands (bytes) past the transfers in flight */
#define USB_ACLQ_MAX (1u << 20)	      /* queued ACL packets (bytes) */
#define USB_CLOSE_WAIT_MS 2000	      /* how long close() waits for cancelled transfers */
#define USB_POLL_MS 2		      /* service() period where there is no descriptor */
#define USB_ERROR_RETRIES 8	      /* IN transfer errors retried at once ... */
#define USB_ERROR_BACKOFF_MS 100      /* ... then each retried after this pause ... */
#define USB_ERROR_WINDOW_MS 1000      /* ... until the errors have lasted this long */

enum xfer_kind { XF_EVT, XF_ACL_IN, XF_CMD, XF_ACL_OUT };

struct usbt;

struct uxfer {
	struct usbt *u;
	struct libusb_transfer *x;
	uint8_t *buf;
	size_t cap;
	enum xfer_kind kind;
	bool busy;
	bool parked;		/* IN: waiting to be submitted again at resubmit_at (errors) */
	uint64_t resubmit_at;
};

struct usbt {
	struct transport t; /* first: the public handle points here */
	libusb_context *ctx;
	libusb_device_handle *h;
	char where[64];		/* "0a12:0001 at 1-2" */
	uint16_t vid, pid;
	struct usb_hci_if hif;	/* the interface and its endpoints */
	bool claimed;
	int detached[2];	/* interfaces whose kernel driver we detached (-1: none) */
	int epfd;
	bool fds_do_timeouts;	/* libusb_pollfds_handle_timeouts() */
	struct uxfer evt[USB_EVT_XFERS], acl_in[USB_ACL_IN_XFERS];
	struct uxfer cmd[USB_CMD_XFERS], acl_out[USB_ACL_OUT_XFERS];
	int in_flight;
	int in_errors;		/* consecutive IN transfer errors */
	uint64_t first_error_at; /* when the first of them came */
	struct ring cmdq, aclq;
	/* reassembly of the event and ACL byte streams */
	uint8_t evbuf[HCI_EVT_HDR + HCI_MAX_EVT_PARAM];
	size_t evhave;
	uint8_t aclbuf[H4_PKT_MAX];
	size_t aclhave;
	int failed;
	bool reported;
	char msg[384];
	bool in_service, close_pending, closing;
	uint64_t last_now;
};

#if defined(__GNUC__)
L2K_PRINTF(3, 4)
#endif
static void set_failed(struct usbt *u, int code, const char *fmt, ...)
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

static void unplugged(struct usbt *u)
{
	set_failed(u, L2K_ENODEV, "USB device %s was unplugged (or reset)", u->where);
}

static int map_libusb(int r)
{
	switch (r) {
	case LIBUSB_ERROR_ACCESS: return L2K_EACCES;
	case LIBUSB_ERROR_NO_DEVICE: return L2K_ENODEV;
	case LIBUSB_ERROR_NOT_FOUND: return L2K_ENOENT;
	case LIBUSB_ERROR_BUSY: return L2K_EBUSY;
	case LIBUSB_ERROR_TIMEOUT: return L2K_ETIMEDOUT;
	case LIBUSB_ERROR_NO_MEM: return L2K_ENOMEM;
	case LIBUSB_ERROR_NOT_SUPPORTED: return L2K_ENOTSUP;
	case LIBUSB_ERROR_INVALID_PARAM: return L2K_EINVAL;
	default: return L2K_EIO;
	}
}

static const char *ep_name(const struct uxfer *f)
{
	switch (f->kind) {
	case XF_EVT: return "event (interrupt IN)";
	case XF_ACL_IN: return "ACL (bulk IN)";
	case XF_CMD: return "command (control)";
	default: return "ACL (bulk OUT)";
	}
}

/* ---- delivery ----------------------------------------------------------------------------- */

static bool may_deliver(const struct usbt *u)
{
	return !u->failed && !u->closing && !u->close_pending && u->t.rx;
}

/* Events: 2-byte header (code, parameter length), Vol 4 Part E, 5.4.4. */
static void feed_events(struct usbt *u, const uint8_t *p, size_t n)
{
	while (n > 0 && may_deliver(u)) {
		size_t need = u->evhave < HCI_EVT_HDR ? HCI_EVT_HDR : HCI_EVT_HDR + u->evbuf[1];
		size_t take = need - u->evhave < n ? need - u->evhave : n;
		memcpy(u->evbuf + u->evhave, p, take);
		u->evhave += take;
		p += take;
		n -= take;
		if (u->evhave >= HCI_EVT_HDR && u->evhave == (size_t)HCI_EVT_HDR + u->evbuf[1]) {
			size_t len = u->evhave;
			u->evhave = 0;
			u->t.rx(u->t.user, HCI_H4_EVT, u->evbuf, len);
		}
	}
}

/* ACL data: 4-byte header, 16-bit data length at offset 2 (Vol 4 Part E, 5.4.2). */
static void feed_acl(struct usbt *u, const uint8_t *p, size_t n)
{
	while (n > 0 && may_deliver(u)) {
		size_t need = u->aclhave < HCI_ACL_HDR ? HCI_ACL_HDR
			      : HCI_ACL_HDR + (size_t)(u->aclbuf[2] | (u->aclbuf[3] << 8));
		size_t take = need - u->aclhave < n ? need - u->aclhave : n;
		memcpy(u->aclbuf + u->aclhave, p, take);
		u->aclhave += take;
		p += take;
		n -= take;
		if (u->aclhave >= HCI_ACL_HDR &&
		    u->aclhave == HCI_ACL_HDR + (size_t)(u->aclbuf[2] | (u->aclbuf[3] << 8))) {
			size_t len = u->aclhave;
			u->aclhave = 0;
			u->t.rx(u->t.user, HCI_H4_ACL, u->aclbuf, len);
		}
	}
}

/* ---- transfers ---------------------------------------------------------------------------- */

static void submit(struct usbt *u, struct uxfer *f)
{
	int r = libusb_submit_transfer(f->x);
	if (r == 0) {
		f->busy = true;
		u->in_flight++;
	} else if (r == LIBUSB_ERROR_NO_DEVICE) {
		unplugged(u);
	} else {
		set_failed(u, map_libusb(r), "cannot submit a %s transfer to %s: %s", ep_name(f),
			   u->where, libusb_error_name(r));
	}
}

static void pump(struct usbt *u);

static void LIBUSB_CALL in_done(struct libusb_transfer *x)
{
	struct uxfer *f = x->user_data;
	struct usbt *u = f->u;
	f->busy = false;
	u->in_flight--;
	if (u->closing || u->failed)
		return;
	switch (x->status) {
	case LIBUSB_TRANSFER_COMPLETED:
		u->in_errors = 0;
		if (f->kind == XF_EVT)
			feed_events(u, x->buffer, (size_t)x->actual_length);
		else
			feed_acl(u, x->buffer, (size_t)x->actual_length);
		break;
	case LIBUSB_TRANSFER_NO_DEVICE:
		unplugged(u);
		return;
	case LIBUSB_TRANSFER_STALL:
		set_failed(u, L2K_EIO, "the %s endpoint of %s stalled", ep_name(f), u->where);
		return;
	case LIBUSB_TRANSFER_OVERFLOW:
		set_failed(u, L2K_EIO, "the %s endpoint of %s sent more than a packet", ep_name(f),
			   u->where);
		return;
	case LIBUSB_TRANSFER_CANCELLED:
		return; /* only close() cancels */
	default:
		/* ERROR, TIMED_OUT: often the first sign of an unplug, before the kernel has seen the
		 * device go (transfers then fail at once, over and over).  Retry at once a few times,
		 * then every USB_ERROR_BACKOFF_MS: once the device is gone, the resubmission itself
		 * says so (LIBUSB_ERROR_NO_DEVICE: unplugged).  Errors lasting USB_ERROR_WINDOW_MS
		 * on a device still there are a failure of their own. */
		if (u->in_errors++ == 0)
			u->first_error_at = u->last_now;
		if (u->in_errors > USB_ERROR_RETRIES) {
			if (u->last_now - u->first_error_at >= USB_ERROR_WINDOW_MS) {
				set_failed(u, L2K_EIO, "repeated transfer errors on the %s endpoint of %s "
					   "for %u ms", ep_name(f), u->where, (unsigned)USB_ERROR_WINDOW_MS);
				return;
			}
			f->parked = true;
			f->resubmit_at = u->last_now + USB_ERROR_BACKOFF_MS;
			return;
		}
		break;
	}
	if (!u->failed && !u->closing && !u->close_pending)
		submit(u, f);
}

static void LIBUSB_CALL out_done(struct libusb_transfer *x)
{
	struct uxfer *f = x->user_data;
	struct usbt *u = f->u;
	f->busy = false;
	u->in_flight--;
	if (u->closing || u->failed)
		return;
	switch (x->status) {
	case LIBUSB_TRANSFER_COMPLETED: {
		/* a control transfer's length counts its setup packet, actual_length does not */
		int want = x->length;
		if (f->kind == XF_CMD)
			want -= (int)LIBUSB_CONTROL_SETUP_SIZE;
		if (x->actual_length != want)
			set_failed(u, L2K_EIO, "%s transfer to %s took %d of %d bytes", ep_name(f),
				   u->where, x->actual_length, want);
		break;
	}
	case LIBUSB_TRANSFER_NO_DEVICE:
		unplugged(u);
		return;
	case LIBUSB_TRANSFER_STALL:
		if (f->kind == XF_CMD) {
			const uint8_t *c = libusb_control_transfer_get_data(x);
			set_failed(u, L2K_EIO, "%s refused HCI command 0x%04x (control transfer "
				   "stalled)", u->where, (unsigned)(c[0] | (c[1] << 8)));
		} else {
			set_failed(u, L2K_EIO, "the %s endpoint of %s stalled", ep_name(f), u->where);
		}
		return;
	case LIBUSB_TRANSFER_CANCELLED:
		return;
	default:
		set_failed(u, L2K_EIO, "%s transfer to %s failed (libusb status %d)", ep_name(f),
			   u->where, (int)x->status);
		return;
	}
	pump(u);
}

static struct uxfer *free_xfer(struct uxfer *pool, int n)
{
	for (int i = 0; i < n; i++)
		if (!pool[i].busy)
			return &pool[i];
	return NULL;
}

/* Move queued packets into free OUT transfers. */
static void pump(struct usbt *u)
{
	struct uxfer *f;
	while (!u->failed && !u->closing && !u->close_pending && u->cmdq.count &&
	       (f = free_xfer(u->cmd, USB_CMD_XFERS)) != NULL) {
		uint8_t type;
		size_t len = ring_head_type(&u->cmdq, &type);
		libusb_fill_control_setup(f->buf, LIBUSB_REQUEST_TYPE_CLASS |
					  LIBUSB_RECIPIENT_DEVICE | LIBUSB_ENDPOINT_OUT, 0, 0, 0,
					  (uint16_t)len);
		ring_head_read(&u->cmdq, 1, f->buf + LIBUSB_CONTROL_SETUP_SIZE, len);
		ring_pop(&u->cmdq);
		libusb_fill_control_transfer(f->x, u->h, f->buf, out_done, f, 0);
		submit(u, f);
	}
	while (!u->failed && !u->closing && !u->close_pending && u->aclq.count &&
	       (f = free_xfer(u->acl_out, USB_ACL_OUT_XFERS)) != NULL) {
		uint8_t type;
		size_t len = ring_head_type(&u->aclq, &type);
		if (len > f->cap) {
			/* grows to the controller's ACL size once, then stays */
			uint8_t *nb = realloc(f->buf, len);
			if (!nb) {
				set_failed(u, L2K_ENOMEM, "out of memory for a %zu-byte ACL transfer",
					   len);
				return;
			}
			f->buf = nb;
			f->cap = len;
		}
		ring_head_read(&u->aclq, 1, f->buf, len);
		ring_pop(&u->aclq);
		libusb_fill_bulk_transfer(f->x, u->h, u->hif.ep_acl_out, f->buf, (int)len, out_done, f,
					  0);
		submit(u, f);
	}
}

/* ---- transport operations ----------------------------------------------------------------- */

static int usb_send(struct transport *t, uint8_t type, const uint8_t *pkt, size_t len)
{
	struct usbt *u = (struct usbt *)t;
	if (u->failed)
		return u->failed;
	int err = h4_check(type, pkt, len);
	if (err < 0)
		return err;
	struct ring *q;
	if (type == HCI_H4_CMD)
		q = &u->cmdq;
	else if (type == HCI_H4_ACL)
		q = &u->aclq;
	else
		return L2K_ENOTSUP; /* SCO (isochronous endpoints) and ISO are not carried */
	if (ring_push2(q, &type, 1, pkt, len) < 0)
		return L2K_ENOBUFS;
	pump(u);
	return u->failed;
}

static void destroy(struct usbt *u);

/* IN transfers parked after errors: those whose pause is over go out again. */
static void resubmit_parked(struct usbt *u)
{
	struct uxfer *sets[2] = {u->evt, u->acl_in};
	size_t counts[2] = {USB_EVT_XFERS, USB_ACL_IN_XFERS};
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < counts[k]; i++) {
			struct uxfer *f = &sets[k][i];
			if (!f->parked || (f->resubmit_at > u->last_now && !u->failed))
				continue;
			f->parked = false;
			if (!u->failed && !u->closing && !u->close_pending)
				submit(u, f);
		}
}

/* When the first parked IN transfer is due, or UINT64_MAX. */
static uint64_t parked_due(const struct usbt *u)
{
	uint64_t due = UINT64_MAX;
	for (size_t i = 0; i < USB_EVT_XFERS; i++)
		if (u->evt[i].parked && u->evt[i].resubmit_at < due)
			due = u->evt[i].resubmit_at;
	for (size_t i = 0; i < USB_ACL_IN_XFERS; i++)
		if (u->acl_in[i].parked && u->acl_in[i].resubmit_at < due)
			due = u->acl_in[i].resubmit_at;
	return due;
}

static int usb_service(struct transport *t, uint64_t now_ms)
{
	struct usbt *u = (struct usbt *)t;
	u->last_now = now_ms;
	if (u->in_service)
		return u->reported ? u->failed : 0;
	if (u->reported)
		return u->failed;
	u->in_service = true;
	resubmit_parked(u);
	if (!u->failed) {
		struct timeval zero = { 0, 0 };
		int r = libusb_handle_events_timeout_completed(u->ctx, &zero, NULL);
		if (r < 0 && r != LIBUSB_ERROR_INTERRUPTED && r != LIBUSB_ERROR_TIMEOUT)
			set_failed(u, map_libusb(r), "libusb event handling failed: %s",
				   libusb_error_name(r));
	}
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

static int usb_fd(struct transport *t)
{
	struct usbt *u = (struct usbt *)t;
	return u->reported ? -1 : u->epfd;
}

static uint64_t usb_next_due(struct transport *t)
{
	struct usbt *u = (struct usbt *)t;
	if (u->reported)
		return UINT64_MAX;
	if (u->failed)
		return 0;
	uint64_t due = parked_due(u);
	if (u->epfd < 0)
		return u->last_now + USB_POLL_MS < due ? u->last_now + USB_POLL_MS : due;
	if (!u->fds_do_timeouts) {
		struct timeval tv;
		if (libusb_get_next_timeout(u->ctx, &tv) == 1) {
			uint64_t lt = u->last_now + (uint64_t)tv.tv_sec * 1000u + (uint64_t)(tv.tv_usec + 999) / 1000u;
			if (lt < due)
				due = lt;
		}
	}
	return due;
}

static void usb_close(struct transport *t)
{
	struct usbt *u = (struct usbt *)t;
	if (u->in_service)
		u->close_pending = true;
	else
		destroy(u);
}

static bool usb_id(struct transport *t, uint16_t *vid, uint16_t *pid)
{
	struct usbt *u = (struct usbt *)t;
	*vid = u->vid;
	*pid = u->pid;
	return true;
}

static const struct transport_ops usb_ops = {
	"usb", usb_send, usb_fd, NULL, usb_service, usb_next_due, usb_close, NULL, usb_id,
};

/* ---- libusb descriptors into one epoll descriptor ------------------------------------------ */

#ifdef USB_HAVE_EPOLL
static void epoll_add(struct usbt *u, int fd, short events)
{
	struct epoll_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.events = (events & POLLIN ? EPOLLIN : 0) | (events & POLLOUT ? EPOLLOUT : 0);
	ev.data.fd = fd;
	if (epoll_ctl(u->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 && errno == EEXIST)
		epoll_ctl(u->epfd, EPOLL_CTL_MOD, fd, &ev);
}

static void LIBUSB_CALL fd_added(int fd, short events, void *user)
{
	epoll_add(user, fd, events);
}

static void LIBUSB_CALL fd_removed(int fd, void *user)
{
	struct usbt *u = user;
	epoll_ctl(u->epfd, EPOLL_CTL_DEL, fd, NULL);
}

static int setup_fds(struct usbt *u)
{
	u->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (u->epfd < 0)
		return -1;
	libusb_set_pollfd_notifiers(u->ctx, fd_added, fd_removed, u);
	const struct libusb_pollfd **fds = libusb_get_pollfds(u->ctx);
	if (!fds)
		return -1;
	for (int i = 0; fds[i]; i++)
		epoll_add(u, fds[i]->fd, fds[i]->events);
	libusb_free_pollfds(fds);
	u->fds_do_timeouts = libusb_pollfds_handle_timeouts(u->ctx) != 0;
	return 0;
}
#else
static int setup_fds(struct usbt *u)
{
	u->epfd = -1; /* serviced every USB_POLL_MS */
	return 0;
}
#endif

/* ---- open / close ------------------------------------------------------------------------- */

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void free_pool(struct uxfer *pool, int n, bool can_free)
{
	for (int i = 0; i < n; i++) {
		if (pool[i].busy && !can_free)
			continue; /* libusb still owns it: leak rather than corrupt */
		if (pool[i].x)
			libusb_free_transfer(pool[i].x);
		free(pool[i].buf);
		pool[i].x = NULL;
		pool[i].buf = NULL;
	}
}

static void cancel_pool(struct uxfer *pool, int n)
{
	for (int i = 0; i < n; i++)
		if (pool[i].busy)
			libusb_cancel_transfer(pool[i].x);
}

static void destroy(struct usbt *u)
{
	u->closing = true;
	if (u->ctx) {
		cancel_pool(u->evt, USB_EVT_XFERS);
		cancel_pool(u->acl_in, USB_ACL_IN_XFERS);
		cancel_pool(u->cmd, USB_CMD_XFERS);
		cancel_pool(u->acl_out, USB_ACL_OUT_XFERS);
		uint64_t end = mono_ms() + USB_CLOSE_WAIT_MS;
		while (u->in_flight > 0 && mono_ms() < end) {
			struct timeval tv = { 0, 100000 };
			libusb_handle_events_timeout_completed(u->ctx, &tv, NULL);
		}
	}
	bool idle = u->in_flight <= 0;
	free_pool(u->evt, USB_EVT_XFERS, idle);
	free_pool(u->acl_in, USB_ACL_IN_XFERS, idle);
	free_pool(u->cmd, USB_CMD_XFERS, idle);
	free_pool(u->acl_out, USB_ACL_OUT_XFERS, idle);
	if (u->h) {
		if (u->claimed)
			libusb_release_interface(u->h, u->hif.ifnum);
		/* give the interfaces back to the kernel's driver (btusb) */
		for (int i = 0; i < 2; i++)
			if (u->detached[i] >= 0)
				libusb_attach_kernel_driver(u->h, u->detached[i]);
		if (idle)
			libusb_close(u->h);
	}
#ifdef USB_HAVE_EPOLL
	if (u->ctx)
		libusb_set_pollfd_notifiers(u->ctx, NULL, NULL, NULL);
#endif
	if (u->ctx && idle)
		libusb_exit(u->ctx);
	if (u->epfd >= 0)
		close(u->epfd);
	ring_free(&u->cmdq);
	ring_free(&u->aclq);
	free(u);
}

/* A candidate device, sortable by where it is plugged in (a stable order for usb:N). */
static int alloc_pool(struct usbt *u, struct uxfer *pool, int n, enum xfer_kind kind, size_t cap)
{
	for (int i = 0; i < n; i++) {
		pool[i].u = u;
		pool[i].kind = kind;
		pool[i].x = libusb_alloc_transfer(0);
		pool[i].cap = cap;
		pool[i].buf = cap ? malloc(cap) : NULL;
		if (!pool[i].x || (cap && !pool[i].buf))
			return -1;
	}
	return 0;
}

static int open_fail(struct usbt *u, int code)
{
	destroy(u);
	return code;
}

int usb_transport_open(const char *spec, const char *args, struct transport **out,
		       char *errbuf, size_t errlen)
{
	struct usb_match m;
	int r = usb_spec_parse(spec, args, &m, errbuf, errlen);
	if (r < 0)
		return r;
#ifdef L2K_LIBUSB_DL
	r = usb_dl_load(spec, errbuf, errlen);
	if (r < 0)
		return r;
#endif
	struct usbt *u = calloc(1, sizeof(*u));
	if (!u) {
		transport_errf(errbuf, errlen, "%s: out of memory", spec);
		return L2K_ENOMEM;
	}
	u->t.ops = &usb_ops;
	snprintf(u->t.spec, sizeof(u->t.spec), "%s", spec);
	u->epfd = -1;
	u->detached[0] = u->detached[1] = -1;
	if (ring_init(&u->cmdq, USB_CMDQ_MAX) < 0 || ring_init(&u->aclq, USB_ACLQ_MAX) < 0) {
		transport_errf(errbuf, errlen, "%s: out of memory", spec);
		return open_fail(u, L2K_ENOMEM);
	}
	r = libusb_init(&u->ctx);
	if (r < 0) {
		u->ctx = NULL;
		transport_errf(errbuf, errlen, "%s: libusb could not start: %s", spec,
			       libusb_error_name(r));
		return open_fail(u, map_libusb(r));
	}

	libusb_device **list;
	ssize_t n = libusb_get_device_list(u->ctx, &list);
	if (n < 0) {
		transport_errf(errbuf, errlen, "%s: cannot list USB devices: %s", spec,
			       libusb_error_name((int)n));
		return open_fail(u, map_libusb((int)n));
	}
	struct usb_cand c;
	r = usb_choose_device(spec, &m, list, n, &c, errbuf, errlen);
	if (r == 0) {
		usb_where_str(u->where, sizeof(u->where), &c);
		u->vid = c.vid;
		u->pid = c.pid;
		r = libusb_open(c.dev, &u->h);
		if (r < 0) {
			u->h = NULL;
			if (r == LIBUSB_ERROR_ACCESS)
				transport_errf(errbuf, errlen, "%s: permission denied opening USB "
					       "device %s: give your user access with a udev rule "
					       "(docs/hardware.md) or run as root", spec, u->where);
#ifdef _WIN32
			else if (r == LIBUSB_ERROR_NOT_SUPPORTED || r == LIBUSB_ERROR_NOT_FOUND)
				transport_errf(errbuf, errlen, "%s: cannot open USB device %s: no "
					       "WinUSB driver is bound to it; install WinUSB for it with "
					       "Zadig (docs/hardware.md)", spec, u->where);
#endif
			else
				transport_errf(errbuf, errlen, "%s: cannot open USB device %s: %s",
					       spec, u->where, libusb_error_name(r));
			r = map_libusb(r);
		}
	}
	int cfgval = 1;
	struct libusb_config_descriptor *cfg = NULL;
	if (r == 0) {
		int rc = libusb_get_active_config_descriptor(c.dev, &cfg);
		if (rc == LIBUSB_ERROR_NOT_FOUND) { /* unconfigured: choose the first */
			if (libusb_set_configuration(u->h, 1) == 0)
				rc = libusb_get_active_config_descriptor(c.dev, &cfg);
		}
		if (rc < 0) {
			transport_errf(errbuf, errlen, "%s: cannot read the configuration of USB "
				       "device %s: %s", spec, u->where, libusb_error_name(rc));
			r = map_libusb(rc);
		} else {
			cfgval = cfg->bConfigurationValue;
			if (usb_find_hci_interface(cfg, m.kind != USB_MATCH_INDEX, &u->hif) < 0) {
				transport_errf(errbuf, errlen, "%s: USB device %s has no Bluetooth HCI "
					       "interface (class E0/01/01, or interface 0 with "
					       "interrupt IN, bulk IN and bulk OUT endpoints)", spec,
					       u->where);
				r = L2K_ENODEV;
			}
			libusb_free_config_descriptor(cfg);
		}
	}
	libusb_free_device_list(list, 1); /* the handle keeps its own reference */
	if (r < 0)
		return open_fail(u, r);

	/* Take the interface (and the SCO interface next to it) from a kernel driver. */
	for (int i = 0; i < 2; i++) {
		int ifn = u->hif.ifnum + i;
		if (libusb_kernel_driver_active(u->h, ifn) != 1)
			continue;
		char drv[64];
		usb_driver_name(&c, cfgval, ifn, drv, sizeof(drv));
		r = libusb_detach_kernel_driver(u->h, ifn);
		if (r == 0) {
			u->detached[i] = ifn;
		} else if (r != LIBUSB_ERROR_NOT_FOUND && i == 0) {
			transport_errf(errbuf, errlen, "%s: USB device %s: cannot detach the kernel "
				       "driver%s%s from interface %d: %s (run as root, or unbind it: "
				       "docs/hardware.md)", spec, u->where, drv[0] ? " " : "", drv, ifn,
				       libusb_error_name(r));
			return open_fail(u, map_libusb(r));
		}
	}
	r = libusb_claim_interface(u->h, u->hif.ifnum);
	if (r < 0) {
		transport_errf(errbuf, errlen, "%s: cannot claim interface %d of USB device %s: %s%s",
			       spec, u->hif.ifnum, u->where, libusb_error_name(r),
			       r == LIBUSB_ERROR_BUSY ? " (another program or driver has it)" : "");
		return open_fail(u, map_libusb(r));
	}
	u->claimed = true;

	if (alloc_pool(u, u->evt, USB_EVT_XFERS, XF_EVT, u->hif.mps_evt) < 0 ||
	    alloc_pool(u, u->acl_in, USB_ACL_IN_XFERS, XF_ACL_IN, u->hif.mps_acl_in) < 0 ||
	    alloc_pool(u, u->cmd, USB_CMD_XFERS, XF_CMD,
		       LIBUSB_CONTROL_SETUP_SIZE + 3 + HCI_MAX_CMD_PARAM) < 0 ||
	    alloc_pool(u, u->acl_out, USB_ACL_OUT_XFERS, XF_ACL_OUT, 0) < 0 || setup_fds(u) < 0) {
		transport_errf(errbuf, errlen, "%s: out of memory (or descriptors) for the USB "
			       "transfers", spec);
		return open_fail(u, L2K_ENOMEM);
	}
	for (int i = 0; i < USB_EVT_XFERS && !u->failed; i++) {
		libusb_fill_interrupt_transfer(u->evt[i].x, u->h, u->hif.ep_evt, u->evt[i].buf,
					       u->hif.mps_evt, in_done, &u->evt[i], 0);
		submit(u, &u->evt[i]);
	}
	for (int i = 0; i < USB_ACL_IN_XFERS && !u->failed; i++) {
		libusb_fill_bulk_transfer(u->acl_in[i].x, u->h, u->hif.ep_acl_in, u->acl_in[i].buf,
					  u->hif.mps_acl_in, in_done, &u->acl_in[i], 0);
		submit(u, &u->acl_in[i]);
	}
	if (u->failed) {
		transport_errf(errbuf, errlen, "%s", u->msg);
		return open_fail(u, u->failed);
	}
	*out = &u->t;
	return 0;
}

#endif /* L2K_HAVE_LIBUSB */
