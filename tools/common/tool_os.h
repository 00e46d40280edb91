/* The tools' few operating-system differences (POSIX / Windows): a wake-up pair a poll can wait
 * on, the poll itself, and the terminal.  On Windows every descriptor the tools wait on is a
 * socket (WSAPoll waits on nothing else): the wake-up pair is a connected loopback socket pair,
 * as the library's own (the tools use only the public API, so they have their own copy of that
 * small piece). */
#ifndef L2K_TOOLS_TOOL_OS_H
#define L2K_TOOLS_TOOL_OS_H

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h>
#include <fcntl.h>
#ifndef O_CLOEXEC
#define O_CLOEXEC O_NOINHERIT /* (open(): not inherited by child processes) */
#endif
#else
#include <poll.h>
#endif
#include <stddef.h>

/* A non-blocking, not inherited wake-up pair: p[0] readable once p[1] was written.  0 or -1
 * (errno set). */
int tool_wake_pair(int p[2]);
/* One byte into the pair (async-signal-safe on POSIX: one write). */
void tool_wake_put(int w);
/* Reads the pair empty. */
void tool_wake_drain(int r);
/* poll(2); WSAPoll on Windows (sockets only). */
int tool_poll(struct pollfd *pf, unsigned n, int timeout_ms);
/* Closes one end of a wake-up pair. */
void tool_wake_close(int fd);
/* Standard input and output carry bytes as they are (Windows: binary mode, no CR/LF
 * translation).  Call before any I/O on them. */
void tool_stdio_binary(void);
/* A descriptor that polls readable when standard input has bytes or has ended: 0 on POSIX; on
 * Windows (where only sockets are polled) a socket fed by a thread that reads standard input,
 * started on the first call.  tool_stdin_read reads from it like read(0, ...): bytes, 0 at the
 * end of input, -1 with errno. */
int tool_stdin_fd(void);
long tool_stdin_read(void *buf, size_t len);

/* The controlling terminal for the agent's questions, read-write: a descriptor, or -1 with
 * errno (always on Windows: the agent asks on no terminal there yet). */
int tool_open_tty(void);

#endif
