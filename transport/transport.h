/* Transport interface: moves whole HCI packets between the host and one controller.
 *
 * A transport is opened from a spec string ("unix:/tmp/bt-server-bredr", "tcp:127.0.0.1:9001",
 * "serial:/dev/ttyUSB0,115200,rtscts", "sim", later "hci0", "usb:0a12:0001").  Whatever it is,
 * the layers above see the same thing:
 *   - send():       hand one packet (H4 type + bytes without the type) to the controller;
 *   - a pollable descriptor (or none) and service(): the run loop calls service() when the
 *     descriptor is readable/writable or when the transport's own deadline (next_due) passes;
 *     service() delivers each received packet through the rx callback;
 *   - close().
 * The rx callback is only ever called from inside service(), never from inside send(), so the
 * host can send from its callbacks without re-entering itself.
 */
#ifndef L2K_TRANSPORT_H
#define L2K_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/l2k_error.h"

struct transport;

/* One received packet: type is the H4 indicator (HCI_H4_EVT, HCI_H4_ACL, ...), pkt/len the
 * packet without it.  The buffer is only valid during the call. */
typedef void (*transport_rx_fn)(void *user, uint8_t type, const uint8_t *pkt, size_t len);

/* Called once when the transport fails or the peer goes away (err < 0, msg says why).  After
 * it the transport delivers nothing more; the owner closes it. */
typedef void (*transport_err_fn)(void *user, int err, const char *msg);

struct transport_ops {
	const char *kind; /* "unix", "tcp", "serial", "sim", ... */
	/* Queue one packet for the controller.  Returns 0 or a negative L2K_E* code.  Never blocks
	 * for long: a stream transport buffers what the descriptor cannot take yet (bounded; returns
	 * L2K_ENOBUFS past the bound). */
	int (*send)(struct transport *t, uint8_t type, const uint8_t *pkt, size_t len);
	/* Descriptor the loop polls, or -1 when there is none (in-process simulator). */
	int (*fd)(struct transport *t);
	/* True when send() left bytes that wait for the descriptor to become writable. */
	bool (*want_write)(struct transport *t);
	/* Do pending I/O and deliver received packets; now_ms is the caller's clock. Returns 0, or a
	 * negative code once the transport has failed (the err callback has then been called). */
	int (*service)(struct transport *t, uint64_t now_ms);
	/* Earliest time (ms, caller's clock) service() must be called even without I/O; UINT64_MAX
	 * when never.  NULL means never. */
	uint64_t (*next_due)(struct transport *t);
	void (*close)(struct transport *t);
	/* Optional (NULL: not offered).  Wait up to timeout_ms (> 0) for the controller to send
	 * something, reading it in the same system call, and keep it for the next service(): one
	 * call where waiting on fd() and then reading takes two.  Returns 1 when something came
	 * (bytes, the end of the stream or an error: service() deals with it), 0 when the time
	 * passed, L2K_ENOTSUP when the transport cannot wait this way now (wait on fd()).  Called by
	 * the one thread that services the transport, without the owner's lock: send() may run in
	 * another thread meanwhile, nothing else.  Nothing but input ends the wait early. */
	int (*wait_input)(struct transport *t, int timeout_ms);
	/* Optional (NULL: unknown).  The USB VID:PID of the controller (a libusb device, or a
	 * simulated controller's vendor personality): true when known.  The vendor start-up
	 * (hci/vendor.h) is chosen by it. */
	bool (*usb_id)(struct transport *t, uint16_t *vid, uint16_t *pid);
};

struct transport {
	const struct transport_ops *ops;
	transport_rx_fn rx;
	transport_err_fn err;
	void *user;
	char spec[256];
};

/* Open a transport from its spec.  On failure returns a negative L2K_E* code and writes a
 * message naming the spec into errbuf (if given). */
int transport_open(const char *spec, struct transport **out, char *errbuf, size_t errlen);

static inline void transport_set_callbacks(struct transport *t, transport_rx_fn rx,
					      transport_err_fn err, void *user)
{
	t->rx = rx;
	t->err = err;
	t->user = user;
}
static inline int transport_send(struct transport *t, uint8_t type, const uint8_t *pkt,
				     size_t len)
{
	return t->ops->send(t, type, pkt, len);
}
static inline int transport_fd(struct transport *t)
{
	return t->ops->fd ? t->ops->fd(t) : -1;
}
static inline bool transport_want_write(struct transport *t)
{
	return t->ops->want_write ? t->ops->want_write(t) : false;
}
static inline int transport_service(struct transport *t, uint64_t now_ms)
{
	return t->ops->service(t, now_ms);
}
static inline uint64_t transport_next_due(struct transport *t)
{
	return t->ops->next_due ? t->ops->next_due(t) : UINT64_MAX;
}

static inline bool transport_can_wait_input(struct transport *t)
{
	return t->ops->wait_input != NULL;
}

static inline int transport_wait_input(struct transport *t, int timeout_ms)
{
	return t->ops->wait_input ? t->ops->wait_input(t, timeout_ms) : L2K_ENOTSUP;
}
static inline bool transport_usb_id(struct transport *t, uint16_t *vid, uint16_t *pid)
{
	return t->ops->usb_id ? t->ops->usb_id(t, vid, pid) : false;
}
void transport_close(struct transport *t);

/* The controllers this build can open (transport/list.c): USB Bluetooth devices through libusb
 * (device class E0/01/01 or an interface of that class) and Linux HCI user channel candidates
 * (/sys/class/bluetooth/hciN).  Fills out[0..max), *count = how many were found (may exceed
 * max); note gets what limited the search ("libusb support not built", "no
 * /sys/class/bluetooth ..."), "" when nothing did.  0 always (an unusable source is a note). */
struct transport_dev {
	char spec[40];		/* what opens it: "usb:1-2.3", "hci0" */
	bool usb;
	uint16_t vid, pid;
	char where[32];		/* "1-2.3" (bus-port) or "" */
	char manufacturer[64];	/* USB string descriptors, "" when not readable */
	char product[64];
	bool strings_unreadable; /* the device could not be opened to read them (permissions) */
	char driver[32];	/* kernel driver bound to its HCI interface ("btusb"), "" none / unknown */
	char bdaddr[18];	/* hciN: its address from sysfs when known */
};
int transport_list(struct transport_dev *out, size_t max, size_t *count, char *note, size_t notelen);

#endif
