/* tools/common/tool_os.h for POSIX and Windows. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "tools/common/tool_os.h"

#ifndef _WIN32

int tool_wake_pair(int p[2])
{
	if (pipe(p) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		fcntl(p[i], F_SETFL, fcntl(p[i], F_GETFL) | O_NONBLOCK);
		fcntl(p[i], F_SETFD, FD_CLOEXEC);
	}
	return 0;
}

void tool_wake_put(int w)
{
	if (write(w, "!", 1) < 0) {
		/* full: the reader has a byte to wake on already */
	}
}

void tool_wake_drain(int r)
{
	char b[64];
	while (read(r, b, sizeof(b)) > 0)
		;
}

int tool_poll(struct pollfd *pf, unsigned n, int timeout_ms)
{
	return poll(pf, (nfds_t)n, timeout_ms);
}

int tool_open_tty(void)
{
	return open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
}

void tool_wake_close(int fd)
{
	close(fd);
}

void tool_stdio_binary(void)
{
}

int tool_stdin_fd(void)
{
	return 0;
}

long tool_stdin_read(void *buf, size_t len)
{
	return (long)read(0, buf, len);
}

#else /* _WIN32 */

#include <io.h>
#include <pthread.h>
#include <ws2tcpip.h>

int tool_wake_pair(int p[2])
{
	WSADATA d;
	if (WSAStartup(MAKEWORD(2, 2), &d) != 0) {
		errno = EIO;
		return -1;
	}
	SOCKET lst = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP), a = INVALID_SOCKET, b = INVALID_SOCKET;
	struct sockaddr_in sa, mine, peer;
	int sl = sizeof(sa), ml = sizeof(mine), pl = sizeof(peer);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lst == INVALID_SOCKET || bind(lst, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(lst, (struct sockaddr *)&sa, &sl) != 0 || listen(lst, 1) != 0)
		goto fail;
	b = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	if (b == INVALID_SOCKET || connect(b, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(b, (struct sockaddr *)&mine, &ml) != 0)
		goto fail;
	a = accept(lst, (struct sockaddr *)&peer, &pl);
	/* (the connection accepted must be ours) */
	if (a == INVALID_SOCKET || peer.sin_port != mine.sin_port ||
	    peer.sin_addr.s_addr != mine.sin_addr.s_addr)
		goto fail;
	closesocket(lst);
	u_long one = 1;
	ioctlsocket(a, FIONBIO, &one);
	ioctlsocket(b, FIONBIO, &one);
	SetHandleInformation((HANDLE)a, HANDLE_FLAG_INHERIT, 0);
	SetHandleInformation((HANDLE)b, HANDLE_FLAG_INHERIT, 0);
	p[0] = (int)a;
	p[1] = (int)b;
	return 0;
fail:
	if (lst != INVALID_SOCKET)
		closesocket(lst);
	if (a != INVALID_SOCKET)
		closesocket(a);
	if (b != INVALID_SOCKET)
		closesocket(b);
	errno = ENOBUFS;
	return -1;
}

void tool_wake_put(int w)
{
	send((SOCKET)w, "!", 1, 0);
}

void tool_wake_drain(int r)
{
	char b[64];
	while (recv((SOCKET)r, b, sizeof(b), 0) > 0)
		;
}

int tool_poll(struct pollfd *pf, unsigned n, int timeout_ms)
{
	if (n == 0) {
		Sleep(timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms);
		return 0;
	}
	int r = WSAPoll(pf, n, timeout_ms);
	if (r < 0)
		errno = WSAGetLastError() == WSAEINTR ? EINTR : EIO;
	return r;
}

int tool_open_tty(void)
{
	errno = ENOTSUP;
	return -1;
}

void tool_wake_close(int fd)
{
	closesocket((SOCKET)fd);
}

void tool_stdio_binary(void)
{
	_setmode(0, _O_BINARY);
	_setmode(1, _O_BINARY);
}

/* The standard input pump: a thread reads standard input (a console, pipe or file: nothing
 * WSAPoll waits on) and sends what it reads into a socket pair; the end of input closes the
 * sending end, which the reader sees as the end. */
static int stdin_pair[2] = {-1, -1};

static void *stdin_pump(void *arg)
{
	(void)arg;
	SOCKET w = (SOCKET)stdin_pair[1];
	u_long blocking = 0;
	ioctlsocket(w, FIONBIO, &blocking); /* (waits while the reader is behind) */
	static char buf[65536];
	for (;;) {
		int n = _read(0, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (int done = 0; done < n;) {
			int s = send(w, buf + done, n - done, 0);
			if (s <= 0)
				goto out;
			done += s;
		}
	}
out:
	shutdown(w, SD_SEND);
	return NULL;
}

static void stdin_start(void)
{
	pthread_t th;
	if (tool_wake_pair(stdin_pair) < 0)
		return;
	if (pthread_create(&th, NULL, stdin_pump, NULL) != 0) {
		tool_wake_close(stdin_pair[0]);
		tool_wake_close(stdin_pair[1]);
		stdin_pair[0] = stdin_pair[1] = -1;
		return;
	}
	pthread_detach(th);
}

int tool_stdin_fd(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, stdin_start);
	return stdin_pair[0];
}

long tool_stdin_read(void *buf, size_t len)
{
	int fd = tool_stdin_fd();
	if (fd < 0) {
		errno = EIO;
		return -1;
	}
	u_long blocking = 0;
	ioctlsocket((SOCKET)fd, FIONBIO, &blocking);
	int n = recv((SOCKET)fd, buf, len > 65536 ? 65536 : (int)len, 0);
	if (n < 0) {
		errno = WSAGetLastError() == WSAEINTR ? EINTR : EIO;
		return -1;
	}
	return n;
}

#endif
