/* Connecting H4 socket transports: "unix:PATH" (e.g. BlueZ btvirt -s, Bumble) and
 * "tcp:HOST:PORT" (IPv4, IPv6, host names).  The connected socket goes to stream.c. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/l2k_error.h"
#include "transport/stream.h"

/* How long one TCP address may take to accept the connection before the next one is tried. */
#define TCP_CONNECT_TIMEOUT_MS 5000

static int new_socket(int family)
{
#ifdef SOCK_CLOEXEC
	return socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
#else
	return socket(family, SOCK_STREAM, 0);
#endif
}

int unix_transport_open(const char *spec, const char *path, struct transport **out,
			char *errbuf, size_t errlen)
{
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	if (strlen(path) >= sizeof(sa.sun_path)) {
		transport_errf(errbuf, errlen, "%s: socket path is too long (%zu bytes, at most %zu)",
			       spec, strlen(path), sizeof(sa.sun_path) - 1);
		return L2K_ESPEC;
	}
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);

	int fd = new_socket(AF_UNIX);
	if (fd < 0) {
		int e = errno;
		transport_errf(errbuf, errlen, "%s: socket: %s", spec, strerror(e));
		return transport_errno(e);
	}
	/* A local connect completes at once (or fails at once), no need for a timeout. */
	int rc;
	do
		rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	while (rc < 0 && errno == EINTR);
	if (rc < 0) {
		int e = errno;
		close(fd);
		transport_errf(errbuf, errlen, "%s: cannot connect to %s: %s", spec, path,
			       strerror(e));
		return transport_errno(e);
	}
	return stream_transport_new(fd, "unix", true, spec, out, errbuf, errlen);
}

/* Connect fd to one address within TCP_CONNECT_TIMEOUT_MS.  Returns 0 or an errno value. */
static int connect_timed(int fd, const struct sockaddr *sa, socklen_t salen)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return errno;
	if (connect(fd, sa, salen) == 0)
		return 0;
	if (errno != EINPROGRESS && errno != EINTR)
		return errno;
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	int n;
	do
		n = poll(&pfd, 1, TCP_CONNECT_TIMEOUT_MS);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno;
	if (n == 0)
		return ETIMEDOUT;
	int soerr = 0;
	socklen_t sl = sizeof(soerr);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		return errno;
	return soerr;
}

int tcp_transport_open(const char *spec, const char *host, const char *port,
		       struct transport **out, char *errbuf, size_t errlen)
{
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	int g = getaddrinfo(host, port, &hints, &res);
	if (g != 0) {
		int e = g == EAI_SYSTEM ? errno : 0;
		transport_errf(errbuf, errlen, "%s: cannot resolve host '%s': %s", spec, host,
			       e ? strerror(e) : gai_strerror(g));
		if (e)
			return transport_errno(e);
		return g == EAI_AGAIN ? L2K_EAGAIN : g == EAI_MEMORY ? L2K_ENOMEM : L2K_EHOSTUNREACH;
	}

	int last = 0;
	char addr[NI_MAXHOST] = "?";
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		int fd = new_socket(ai->ai_family);
		if (fd < 0) {
			last = errno;
			continue;
		}
		last = connect_timed(fd, ai->ai_addr, ai->ai_addrlen);
		if (last == 0) {
			/* HCI traffic is many small packets; do not let Nagle hold them back. */
			int one = 1;
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			freeaddrinfo(res);
			return stream_transport_new(fd, "tcp", true, spec, out, errbuf, errlen);
		}
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, addr, sizeof(addr), NULL, 0,
				NI_NUMERICHOST) != 0)
			snprintf(addr, sizeof(addr), "%s", host);
		close(fd);
	}
	freeaddrinfo(res);
	if (last == 0)
		last = EHOSTUNREACH;
	transport_errf(errbuf, errlen, "%s: cannot connect to %s port %s: %s", spec, addr, port,
		       strerror(last));
	return transport_errno(last);
}
