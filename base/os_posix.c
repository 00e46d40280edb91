/* base/l2k_os.h on POSIX systems. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "base/l2k_error.h"
#include "base/l2k_os.h"

int l2k_os_init(void)
{
	return 0;
}

int l2k_os_wake_pair(int *r, int *w)
{
	int fds[2];
	if (pipe(fds) < 0)
		return errno == ENOMEM ? L2K_ENOMEM : L2K_ENOBUFS;
	for (int i = 0; i < 2; i++) {
		int fl = fcntl(fds[i], F_GETFL);
		fcntl(fds[i], F_SETFL, fl | O_NONBLOCK);
		fcntl(fds[i], F_SETFD, FD_CLOEXEC);
	}
	*r = fds[0];
	*w = fds[1];
	return 0;
}

void l2k_os_wake_put(int w)
{
	char c = 1;
	while (write(w, &c, 1) < 0 && errno == EINTR)
		;
}

void l2k_os_wake_drain(int r)
{
	char b[64];
	for (;;) {
		ssize_t n = read(r, b, sizeof(b));
		if (n > 0)
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		break;
	}
}

int l2k_os_set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK) < 0)
		return -1;
	return 0;
}
