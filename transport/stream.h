/* Internal to transport/: the byte-stream transport (stream.c) and the openers that hand it a
 * connected descriptor (socket.c: unix and tcp, serial.c: serial ttys).  Not installed. */
#ifndef L2K_TRANSPORT_STREAM_H
#define L2K_TRANSPORT_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "base/l2k_compat.h"
#include "transport/transport.h"

/* Bound on bytes send() may queue while the descriptor is not writable (L2K_ENOBUFS past it). */
#define STREAM_OUTBUF_MAX (1u << 20)
/* Bytes service() reads per call at most, so one busy peer cannot starve the run loop. */
#define STREAM_READ_BUDGET (256u * 1024u)

/* Wrap a connected, stream-oriented descriptor (any blocking mode) in a transport.  is_socket
 * selects send(MSG_NOSIGNAL) over write().  Takes ownership of fd (closed on failure too).
 * spec names the transport in every message.  Returns 0 or a negative L2K_E* code. */
int stream_transport_new(int fd, const char *kind, bool is_socket, const char *spec,
			 struct transport **out, char *errbuf, size_t errlen);

/* Openers (socket.c, serial.c); spec is the full spec string, the other arguments are already
 * parsed and validated by transport_open(). */
int unix_transport_open(const char *spec, const char *path, struct transport **out,
			char *errbuf, size_t errlen);
int tcp_transport_open(const char *spec, const char *host, const char *port,
		       struct transport **out, char *errbuf, size_t errlen);
int serial_transport_open(const char *spec, const char *device, unsigned long baud, bool rtscts,
			  struct transport **out, char *errbuf, size_t errlen);

/* Shared helpers (transport.c). */
#if defined(__GNUC__)
L2K_PRINTF(3, 4)
#endif
void transport_errf(char *errbuf, size_t errlen, const char *fmt, ...);
/* Map an errno value to the closest L2K_E* code (L2K_EIO when there is none). */
int transport_errno(int e);

#endif
