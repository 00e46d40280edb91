/* Opening an H4 UART: "serial:DEVICE[,BAUD][,rtscts]".
 *
 * The line is set raw, 8 data bits, no parity, 1 stop bit (Vol 4 Part A, 3 lists 8N1 and
 * RTS/CTS flow control as the RS232 settings), with RTS/CTS only when asked: many USB-serial
 * adapters and dev boards do not wire it.  The stream itself goes to stream.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "base/l2k_error.h"
#include "transport/stream.h"

/* termios speed constant for a baud rate, or 0 when this system has none. */
static speed_t baud_constant(unsigned long baud)
{
	static const struct {
		unsigned long baud;
		speed_t speed;
	} rates[] = {
		{ 9600, B9600 },     { 19200, B19200 },     { 38400, B38400 },
#ifdef B57600
		{ 57600, B57600 },
#endif
#ifdef B115200
		{ 115200, B115200 },
#endif
#ifdef B230400
		{ 230400, B230400 },
#endif
#ifdef B460800
		{ 460800, B460800 },
#endif
#ifdef B500000
		{ 500000, B500000 },
#endif
#ifdef B576000
		{ 576000, B576000 },
#endif
#ifdef B921600
		{ 921600, B921600 },
#endif
#ifdef B1000000
		{ 1000000, B1000000 },
#endif
#ifdef B1152000
		{ 1152000, B1152000 },
#endif
#ifdef B1500000
		{ 1500000, B1500000 },
#endif
#ifdef B2000000
		{ 2000000, B2000000 },
#endif
#ifdef B2500000
		{ 2500000, B2500000 },
#endif
#ifdef B3000000
		{ 3000000, B3000000 },
#endif
#ifdef B3500000
		{ 3500000, B3500000 },
#endif
#ifdef B4000000
		{ 4000000, B4000000 },
#endif
	};
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
		if (rates[i].baud == baud)
			return rates[i].speed;
	return 0;
}

int serial_transport_open(const char *spec, const char *device, unsigned long baud, bool rtscts,
			  struct transport **out, char *errbuf, size_t errlen)
{
	speed_t speed = baud_constant(baud);
	if (!speed) {
		transport_errf(errbuf, errlen, "%s: baud rate %lu is not supported on this system",
			       spec, baud);
		return L2K_ENOTSUP;
	}
#ifndef CRTSCTS
	if (rtscts) {
		transport_errf(errbuf, errlen, "%s: RTS/CTS flow control is not supported on this "
			       "system", spec);
		return L2K_ENOTSUP;
	}
#endif
	int fd;
	do
		fd = open(device, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		int e = errno;
		transport_errf(errbuf, errlen, "%s: cannot open %s: %s", spec, device, strerror(e));
		return transport_errno(e);
	}

	struct termios tio;
	if (tcgetattr(fd, &tio) < 0) {
		int e = errno;
		close(fd);
		transport_errf(errbuf, errlen, "%s: %s is not a serial device: %s", spec, device,
			       strerror(e));
		return e == ENOTTY ? L2K_ENODEV : transport_errno(e);
	}
	cfmakeraw(&tio);
	tio.c_cflag &= ~(tcflag_t)(CSIZE | CSTOPB | PARENB);
	tio.c_cflag |= CS8 | CLOCAL | CREAD;
#ifdef CRTSCTS
	if (rtscts)
		tio.c_cflag |= CRTSCTS;
	else
		tio.c_cflag &= ~(tcflag_t)CRTSCTS;
#endif
	/* VMIN 1 (not 0): with VMIN=0,VTIME=0 Linux returns 0 from read() on an empty line even
	 * in O_NONBLOCK mode, which would look like end of stream; VMIN=1 gives EAGAIN. */
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	if (cfsetispeed(&tio, speed) < 0 || cfsetospeed(&tio, speed) < 0 ||
	    tcsetattr(fd, TCSANOW, &tio) < 0) {
		int e = errno;
		close(fd);
		transport_errf(errbuf, errlen, "%s: cannot configure %s (%lu baud 8N1%s): %s", spec,
			       device, baud, rtscts ? " rtscts" : "", strerror(e));
		return transport_errno(e);
	}
#ifdef TIOCEXCL
	/* Keep other programs from opening the line under us (best effort). */
	(void)ioctl(fd, TIOCEXCL);
#endif
	/* H4 cannot resynchronise: start from a clean line, not from stale bytes. */
	(void)tcflush(fd, TCIOFLUSH);
	return stream_transport_new(fd, "serial", false, spec, out, errbuf, errlen);
}
