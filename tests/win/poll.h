/* <poll.h> for the tests of the Windows build: poll() is WSAPoll(), which waits on sockets -
 * and every descriptor the tests poll (a socket's l2k_sock_fd, the agent's descriptor, a
 * transport) is one there (base/l2k_os.h).  On the tests' include path only. */
#ifndef L2K_TESTS_WIN_POLL_H
#define L2K_TESTS_WIN_POLL_H

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h>

typedef unsigned long nfds_t;

static inline int poll(struct pollfd *pf, nfds_t n, int timeout_ms)
{
	return WSAPoll(pf, n, timeout_ms);
}

#endif
