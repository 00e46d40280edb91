/* base/l2k_os.h on Windows (Winsock 2). */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "base/l2k_error.h"
#include "base/l2k_os.h"

static INIT_ONCE g_wsa_once = INIT_ONCE_STATIC_INIT;
static int g_wsa_err;

static BOOL CALLBACK wsa_start(PINIT_ONCE once, PVOID param, PVOID *ctx)
{
	(void)once;
	(void)param;
	(void)ctx;
	WSADATA d;
	g_wsa_err = WSAStartup(MAKEWORD(2, 2), &d);
	return TRUE;
}

int l2k_os_init(void)
{
	InitOnceExecuteOnce(&g_wsa_once, wsa_start, NULL, NULL);
	return g_wsa_err ? L2K_EIO : 0;
}

/* Winsock's error codes in errno's terms (the ones callers tell apart; others are EIO). */
static int wsa_to_errno(int e)
{
	switch (e) {
	case WSAEINTR: return EINTR;
	case WSAEWOULDBLOCK: return EAGAIN;
	case WSAEINPROGRESS: case WSAEALREADY: return EINPROGRESS;
	case WSAEBADF: case WSAENOTSOCK: return EBADF;
	case WSAEACCES: return EACCES;
	case WSAEINVAL: return EINVAL;
	case WSAEMFILE: case WSAENOBUFS: return ENOBUFS;
	case WSAEADDRINUSE: return EADDRINUSE;
	case WSAENETDOWN: return ENETDOWN;
	case WSAENETUNREACH: return ENETUNREACH;
	case WSAECONNABORTED: return ECONNABORTED;
	case WSAECONNRESET: case WSAENETRESET: return ECONNRESET;
	case WSAENOTCONN: case WSAESHUTDOWN: return ENOTCONN;
	case WSAETIMEDOUT: return ETIMEDOUT;
	case WSAECONNREFUSED: return ECONNREFUSED;
	case WSAEHOSTDOWN: return EHOSTDOWN;
	case WSAEHOSTUNREACH: return EHOSTUNREACH;
	case WSA_NOT_ENOUGH_MEMORY: return ENOMEM;
	default: return EIO;
	}
}

int l2k_os_sock_errno(void)
{
	return wsa_to_errno(WSAGetLastError());
}

static int fail_errno(void)
{
	errno = l2k_os_sock_errno();
	return -1;
}

int l2k_os_set_nonblock(int fd, bool on)
{
	u_long v = on ? 1 : 0;
	if (ioctlsocket((SOCKET)fd, FIONBIO, &v) != 0)
		return fail_errno();
	return 0;
}

void l2k_os_close(int fd)
{
	closesocket((SOCKET)fd);
}

/* A socket that child processes do not inherit. */
static SOCKET new_socket(void)
{
	SOCKET s = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_NO_HANDLE_INHERIT);
	if (s == INVALID_SOCKET) /* (older systems lack the flag) */
		s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	return s;
}

/* Windows has no pipe that WSAPoll accepts: a listener on the loopback address takes one
 * connection from a socket made here, and the two ends are the pair. */
int l2k_os_wake_pair(int *r, int *w)
{
	if (l2k_os_init() < 0)
		return L2K_ENOBUFS;
	SOCKET lst = new_socket(), a = INVALID_SOCKET, b = INVALID_SOCKET;
	struct sockaddr_in sa;
	int salen = sizeof(sa);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	if (lst == INVALID_SOCKET || bind(lst, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(lst, (struct sockaddr *)&sa, &salen) != 0 || listen(lst, 1) != 0)
		goto fail;
	b = new_socket();
	if (b == INVALID_SOCKET || connect(b, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		goto fail;
	/* the connection accepted must be ours: its peer is b's own address */
	struct sockaddr_in mine, peer;
	int ml = sizeof(mine), pl = sizeof(peer);
	if (getsockname(b, (struct sockaddr *)&mine, &ml) != 0)
		goto fail;
	a = accept(lst, (struct sockaddr *)&peer, &pl);
	if (a == INVALID_SOCKET || peer.sin_port != mine.sin_port ||
	    peer.sin_addr.s_addr != mine.sin_addr.s_addr)
		goto fail;
	closesocket(lst);
	SetHandleInformation((HANDLE)a, HANDLE_FLAG_INHERIT, 0);
	u_long one = 1;
	BOOL nodelay = TRUE;
	ioctlsocket(a, FIONBIO, &one);
	ioctlsocket(b, FIONBIO, &one);
	setsockopt(b, IPPROTO_TCP, TCP_NODELAY, (const char *)&nodelay, sizeof(nodelay));
	*r = (int)a;
	*w = (int)b;
	return 0;
fail:
	if (lst != INVALID_SOCKET)
		closesocket(lst);
	if (a != INVALID_SOCKET)
		closesocket(a);
	if (b != INVALID_SOCKET)
		closesocket(b);
	return L2K_ENOBUFS;
}

void l2k_os_wake_put(int w)
{
	char c = 1;
	send((SOCKET)w, &c, 1, 0); /* (full: the reader has bytes to wake on already) */
}

void l2k_os_wake_drain(int r)
{
	char b[64];
	while (recv((SOCKET)r, b, sizeof(b), 0) > 0)
		;
}

int l2k_os_poll(struct pollfd *pf, unsigned n, int timeout_ms)
{
	if (n == 0) { /* WSAPoll refuses an empty set */
		Sleep(timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms);
		return 0;
	}
	int r = WSAPoll(pf, n, timeout_ms);
	return r < 0 ? fail_errno() : r;
}

l2k_ssize l2k_os_recv(int fd, void *buf, size_t len)
{
	int n = recv((SOCKET)fd, buf, len > INT32_MAX ? INT32_MAX : (int)len, 0);
	return n < 0 ? fail_errno() : n;
}

l2k_ssize l2k_os_send(int fd, const void *buf, size_t len)
{
	int n = send((SOCKET)fd, buf, len > INT32_MAX ? INT32_MAX : (int)len, 0);
	return n < 0 ? fail_errno() : n;
}

l2k_ssize l2k_os_sendv(int fd, const struct iovec *iov, int cnt)
{
	WSABUF b[8];
	if (cnt < 0 || cnt > 8) {
		errno = EINVAL;
		return -1;
	}
	for (int i = 0; i < cnt; i++) {
		b[i].buf = iov[i].iov_base;
		b[i].len = iov[i].iov_len > INT32_MAX ? INT32_MAX : (ULONG)iov[i].iov_len;
	}
	DWORD sent = 0;
	if (WSASend((SOCKET)fd, b, (DWORD)cnt, &sent, 0, NULL, NULL) != 0)
		return fail_errno();
	return (l2k_ssize)sent;
}

const char *l2k_os_strerror(int e)
{
	switch (e) {
	case EAGAIN: return "Resource temporarily unavailable";
	case EINPROGRESS: return "Operation now in progress";
	case EADDRINUSE: return "Address already in use";
	case ENETDOWN: return "Network is down";
	case ENETUNREACH: return "Network is unreachable";
	case ECONNABORTED: return "Software caused connection abort";
	case ECONNRESET: return "Connection reset by peer";
	case ENOBUFS: return "No buffer space available";
	case ENOTCONN: return "Transport endpoint is not connected";
	case ETIMEDOUT: return "Connection timed out";
	case ECONNREFUSED: return "Connection refused";
	case EHOSTDOWN: return "Host is down";
	case EHOSTUNREACH: return "No route to host";
	case EIO: return "Input/output error";
	default: return strerror(e);
	}
}
