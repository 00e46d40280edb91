/* transport_open(): parses a transport spec and hands it to the right opener.
 *
 *   unix:PATH                       H4 over a unix stream socket        (socket.c)
 *   tcp:HOST:PORT, tcp:[V6]:PORT    H4 over TCP                         (socket.c)
 *   serial:DEVICE[,BAUD][,rtscts]   H4 over a UART, default 115200 8N1  (serial.c)
 *   sim, sim:ARGS                   in-process simulated controller     (sim/)
 *   hciN                            Linux HCI user channel              (userchan.c)
 *   usb, usb:N, usb:VID:PID[#N],    USB controller through libusb-1.0   (usb.c; L2K_ENOTSUP
 *   usb:BUS-PORT[.PORT...]                                               without libusb)
 *
 * Everything that can be checked without touching the OS is checked here, so a bad spec gives
 * L2K_ESPEC and a message naming it before anything is opened. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/l2k_compat.h"
#include "base/l2k_error.h"
#include "transport/stream.h"
#include "transport/usb.h"
#include "transport/userchan.h"

#include "transport/sim_transport.h"

#define DEFAULT_BAUD 115200ul
#define SPEC_FORMS "unix:PATH, tcp:HOST:PORT, serial:DEVICE[,BAUD][,rtscts], sim[:ARGS], hciN, usb[:...]"

void transport_errf(char *errbuf, size_t errlen, const char *fmt, ...)
{
	if (!errbuf || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
}

int transport_errno(int e)
{
	switch (e) {
	case EPERM: return L2K_EPERM;
	case ENOENT: case ENOTDIR: return L2K_ENOENT;
	case EINTR: return L2K_EINTR;
	case EBADF: return L2K_EBADF;
	case EAGAIN: return L2K_EAGAIN;
	case ENOMEM: return L2K_ENOMEM;
	case EACCES: return L2K_EACCES;
	case EBUSY: return L2K_EBUSY;
	case ENODEV: case ENXIO: return L2K_ENODEV;
	case EINVAL: return L2K_EINVAL;
	case EADDRINUSE: return L2K_EADDRINUSE;
	case ENETDOWN: return L2K_ENETDOWN;
	case ECONNABORTED: return L2K_ECONNABORTED;
	case ECONNRESET: case EPIPE: return L2K_ECONNRESET;
	case ENOBUFS: return L2K_ENOBUFS;
	case ENOTCONN: return L2K_ENOTCONN;
	case ETIMEDOUT: return L2K_ETIMEDOUT;
	case ECONNREFUSED: return L2K_ECONNREFUSED;
	case EHOSTDOWN: return L2K_EHOSTDOWN;
	case EHOSTUNREACH: case ENETUNREACH: return L2K_EHOSTUNREACH;
	default: return L2K_EIO;
	}
}

static bool all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* "HOST:PORT" or "[V6ADDR]:PORT"; an unbracketed IPv6 address also works (the port is after
 * the last colon). */
static int open_tcp(const char *spec, const char *args, struct transport **out,
		    char *errbuf, size_t errlen)
{
	char host[256];
	const char *h = args, *colon;
	size_t hlen;
	if (args[0] == '[') {
		const char *rb = strchr(args, ']');
		if (!rb || rb[1] != ':') {
			transport_errf(errbuf, errlen, "%s: expected tcp:[IPV6-ADDRESS]:PORT", spec);
			return L2K_ESPEC;
		}
		h = args + 1;
		hlen = (size_t)(rb - h);
		colon = rb + 1;
	} else {
		colon = strrchr(args, ':');
		if (!colon) {
			transport_errf(errbuf, errlen, "%s: missing port (expected tcp:HOST:PORT)",
				       spec);
			return L2K_ESPEC;
		}
		hlen = (size_t)(colon - args);
	}
	if (hlen == 0) {
		transport_errf(errbuf, errlen, "%s: missing host (expected tcp:HOST:PORT)", spec);
		return L2K_ESPEC;
	}
	const char *port = colon + 1;
	size_t plen = strlen(port);
	if (!all_digits(port, plen) || plen > 5 || atol(port) < 1 || atol(port) > 65535) {
		transport_errf(errbuf, errlen, "%s: port '%s' is not a number from 1 to 65535", spec,
			       port);
		return L2K_ESPEC;
	}
	memcpy(host, h, hlen); /* hlen < strlen(spec) < sizeof(host) */
	host[hlen] = '\0';
	return tcp_transport_open(spec, host, port, out, errbuf, errlen);
}

/* "DEVICE[,BAUD][,rtscts]", options in any order. */
static int open_serial(const char *spec, const char *args, struct transport **out,
		       char *errbuf, size_t errlen)
{
	char device[256];
	size_t dlen = strcspn(args, ",");
	unsigned long baud = 0;
	bool rtscts = false;

	if (dlen == 0) {
		transport_errf(errbuf, errlen,
			       "%s: missing device (expected serial:DEVICE[,BAUD][,rtscts])", spec);
		return L2K_ESPEC;
	}
	memcpy(device, args, dlen);
	device[dlen] = '\0';
	for (const char *o = args + dlen; *o == ',';) {
		o++;
		size_t n = strcspn(o, ",");
		if (n == 6 && strncmp(o, "rtscts", 6) == 0 && !rtscts) {
			rtscts = true;
		} else if (all_digits(o, n) && n <= 8 && !baud && strtoul(o, NULL, 10) > 0) {
			baud = strtoul(o, NULL, 10);
		} else {
			transport_errf(errbuf, errlen, "%s: bad serial option '%.*s' (expected a baud "
				       "rate or 'rtscts', each at most once)", spec, (int)n, o);
			return L2K_ESPEC;
		}
		o += n;
	}
	return serial_transport_open(spec, device, baud ? baud : DEFAULT_BAUD, rtscts, out, errbuf,
				     errlen);
}

int transport_open(const char *spec, struct transport **out, char *errbuf, size_t errlen)
{
	struct transport probe;

	transport_errf(errbuf, errlen, "%s", "");
	if (!out) {
		transport_errf(errbuf, errlen, "transport_open: no place for the result");
		return L2K_EINVAL;
	}
	*out = NULL;
	if (!spec || !*spec) {
		transport_errf(errbuf, errlen, "empty transport spec (expected one of %s)",
			       SPEC_FORMS);
		return L2K_ESPEC;
	}
	if (strlen(spec) >= sizeof(probe.spec)) {
		transport_errf(errbuf, errlen, "transport spec '%.40s...' is too long (%zu bytes, "
			       "at most %zu)", spec, strlen(spec), sizeof(probe.spec) - 1);
		return L2K_ESPEC;
	}

	size_t nlen = strcspn(spec, ":");
	const char *args = spec[nlen] == ':' ? spec + nlen + 1 : NULL;
#define IS(name) (nlen == sizeof(name) - 1 && strncmp(spec, name, nlen) == 0)
	int rc;
	if (IS("unix")) {
		if (!args || !*args) {
			transport_errf(errbuf, errlen, "%s: missing socket path (expected unix:PATH)",
				       spec);
			return L2K_ESPEC;
		}
		rc = unix_transport_open(spec, args, out, errbuf, errlen);
	} else if (IS("tcp")) {
		if (!args || !*args) {
			transport_errf(errbuf, errlen, "%s: missing address (expected tcp:HOST:PORT)",
				       spec);
			return L2K_ESPEC;
		}
		rc = open_tcp(spec, args, out, errbuf, errlen);
	} else if (IS("serial")) {
		rc = open_serial(spec, args ? args : "", out, errbuf, errlen);
	} else if (IS("sim")) {
		rc = sim_transport_open(args ? args : "", out, errbuf, errlen);
	} else if (IS("usb")) {
		rc = usb_transport_open(spec, args, out, errbuf, errlen);
	} else if (nlen > 3 && strncmp(spec, "hci", 3) == 0 && all_digits(spec + 3, nlen - 3) &&
		   !args) {
		if (nlen - 3 > 5 || strtoul(spec + 3, NULL, 10) > 0xFFFE) {
			transport_errf(errbuf, errlen, "%s: controller number out of range", spec);
			return L2K_ESPEC;
		}
		rc = userchan_transport_open(spec, (unsigned)strtoul(spec + 3, NULL, 10), out,
					     errbuf, errlen);
	} else {
		transport_errf(errbuf, errlen, "%s: unknown transport '%.*s' (expected one of %s)",
			       spec, (int)nlen, spec, SPEC_FORMS);
		return L2K_ESPEC;
	}
#undef IS
	if (rc == 0 && *out)
		snprintf((*out)->spec, sizeof((*out)->spec), "%s", spec);
	return rc;
}

void transport_close(struct transport *t)
{
	if (t && t->ops && t->ops->close)
		t->ops->close(t);
}
