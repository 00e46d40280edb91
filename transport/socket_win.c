/* transport/socket.c for Windows (Winsock): "tcp:HOST:PORT" (IPv4, IPv6, host names) connects
 * as on POSIX; "unix:PATH" is refused with a clear error (not built for Windows yet).  The
 * connected socket goes to stream.c, which keeps it non-blocking and waits on it with WSAPoll. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/l2k_error.h"
#include "base/l2k_os.h"
#include "transport/stream.h"

/* How long one TCP address may take to accept the connection before the next one is tried. */
#define TCP_CONNECT_TIMEOUT_MS 5000

int unix_transport_open(const char *spec, const char *path, struct transport **out,
			char *errbuf, size_t errlen)
{
	(void)path;
	(void)out;
	transport_errf(errbuf, errlen, "%s: unix sockets are not supported in the Windows build "
		       "(use tcp:HOST:PORT)", spec);
	return L2K_ENOTSUP;
}

/* Connect s to one address within TCP_CONNECT_TIMEOUT_MS.  Returns 0 or an errno value. */
static int connect_timed(SOCKET s, const struct sockaddr *sa, int salen)
{
	if (l2k_os_set_nonblock((int)s, true) < 0)
		return errno;
	if (connect(s, sa, salen) == 0)
		return 0;
	int e = l2k_os_sock_errno();
	if (e != EAGAIN && e != EINPROGRESS) /* (Winsock says WSAEWOULDBLOCK) */
		return e;
	struct pollfd pfd = {.fd = s, .events = POLLOUT};
	int n = l2k_os_poll(&pfd, 1, TCP_CONNECT_TIMEOUT_MS);
	if (n < 0)
		return errno;
	if (n == 0)
		return ETIMEDOUT;
	int soerr = 0, sl = sizeof(soerr);
	if (getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&soerr, &sl) < 0)
		return l2k_os_sock_errno();
	if (soerr) { /* a Winsock code */
		WSASetLastError(soerr);
		return l2k_os_sock_errno();
	}
	return 0;
}

int tcp_transport_open(const char *spec, const char *host, const char *port,
		       struct transport **out, char *errbuf, size_t errlen)
{
	if (l2k_os_init() < 0) {
		transport_errf(errbuf, errlen, "%s: Winsock could not be started", spec);
		return L2K_EIO;
	}
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	int g = getaddrinfo(host, port, &hints, &res);
	if (g != 0) {
		transport_errf(errbuf, errlen, "%s: cannot resolve host '%s': %s", spec, host,
			       g == EAI_AGAIN ? "Temporary failure in name resolution" :
			       g == EAI_MEMORY ? "Memory allocation failure" : "Name or service not known");
		return g == EAI_AGAIN ? L2K_EAGAIN : g == EAI_MEMORY ? L2K_ENOMEM : L2K_EHOSTUNREACH;
	}

	int last = 0;
	char addr[NI_MAXHOST] = "?";
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		SOCKET s = WSASocketW(ai->ai_family, SOCK_STREAM, IPPROTO_TCP, NULL, 0,
				      WSA_FLAG_NO_HANDLE_INHERIT | WSA_FLAG_OVERLAPPED);
		if (s == INVALID_SOCKET) {
			last = l2k_os_sock_errno();
			continue;
		}
		last = connect_timed(s, ai->ai_addr, (int)ai->ai_addrlen);
		if (last == 0) {
			/* HCI traffic is many small packets; do not let Nagle hold them back. */
			BOOL one = TRUE;
			setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&one, sizeof(one));
			freeaddrinfo(res);
			return stream_transport_new((int)s, "tcp", true, spec, out, errbuf, errlen);
		}
		if (getnameinfo(ai->ai_addr, (socklen_t)ai->ai_addrlen, addr, sizeof(addr), NULL, 0,
				NI_NUMERICHOST) != 0)
			snprintf(addr, sizeof(addr), "%s", host);
		closesocket(s);
	}
	freeaddrinfo(res);
	if (last == 0)
		last = EHOSTUNREACH;
	transport_errf(errbuf, errlen, "%s: cannot connect to %s port %s: %s", spec, addr, port,
		       l2k_os_strerror(last));
	return transport_errno(last);
}
