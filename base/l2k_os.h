/* The few operating-system services shared by transport/ and api/ that differ between POSIX
 * and Windows: a wake-up pair, waiting on descriptors, closing them, and socket errors.
 * base/os_posix.c and base/os_win.c implement it (the Makefile picks one); on POSIX most of it
 * is the system call itself, inline, so the POSIX code paths are what they were.
 *
 * A descriptor is an int everywhere.  On Windows it is a Winsock SOCKET: every descriptor l2kit
 * hands out or waits on (the wake-up pair, a channel's descriptor, a tcp: transport) is a
 * socket, so that WSAPoll(), select() and Python's select module accept it; socket handles fit
 * in an int (Winsock's own documentation and Python's socket.fileno() rely on it).
 *
 * Errors: l2k_os_* functions that fail return -1 and leave the reason in errno (an errno value
 * of <errno.h>, translated from Winsock's on Windows) unless they say otherwise. */
#ifndef L2K_BASE_OS_H
#define L2K_BASE_OS_H

#include <stdbool.h>
#include <stddef.h>

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h> /* struct pollfd, POLLIN, POLLOUT (Windows Vista and later) */
#include <ws2tcpip.h>
typedef long long l2k_ssize;
struct iovec {
	void *iov_base;
	size_t iov_len;
};
#else
#include <poll.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>
typedef ssize_t l2k_ssize;
#endif

#include "base/l2k_compat.h"

/* Makes the operating system's sockets usable (WSAStartup on Windows, once; nothing on
 * POSIX).  0, or a negative L2K_E* code. */
int l2k_os_init(void);

/* A wake-up pair: bytes written to w make r readable.  Both ends non-blocking and not inherited
 * by child processes: a pipe on POSIX, a connected loopback TCP socket pair on Windows.
 * 0, or a negative L2K_E* code (L2K_ENOMEM, L2K_ENOBUFS). */
int l2k_os_wake_pair(int *r, int *w);
/* One byte into the pair (a full pair is already readable: nothing lost). */
void l2k_os_wake_put(int w);
/* Reads the pair empty. */
void l2k_os_wake_drain(int r);

/* Waits like poll(2) (on Windows WSAPoll: sockets only).  Negative with errno on failure. */
#ifdef _WIN32
int l2k_os_poll(struct pollfd *pf, unsigned n, int timeout_ms);
/* Closes a descriptor made by l2k_os_* or a transport. */
void l2k_os_close(int fd);
/* Socket I/O returning -1 with errno (EAGAIN for "would block") as POSIX does. */
l2k_ssize l2k_os_recv(int fd, void *buf, size_t len);
l2k_ssize l2k_os_send(int fd, const void *buf, size_t len);
l2k_ssize l2k_os_sendv(int fd, const struct iovec *iov, int cnt);
/* errno from the calling thread's last Winsock error. */
int l2k_os_sock_errno(void);
/* strerror() that also knows the socket errno values (the C runtime's does not), in the
 * words of glibc so that messages read as on Linux. */
const char *l2k_os_strerror(int e);
#else
static inline const char *l2k_os_strerror(int e)
{
	return strerror(e);
}
static inline int l2k_os_poll(struct pollfd *pf, unsigned n, int timeout_ms)
{
	return poll(pf, (nfds_t)n, timeout_ms);
}
static inline void l2k_os_close(int fd)
{
	close(fd);
}
#endif

/* Makes fd non-blocking (or blocking): 0, or -1 with errno. */
int l2k_os_set_nonblock(int fd, bool on);

#endif
