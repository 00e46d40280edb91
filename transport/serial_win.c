/* transport/serial.c for Windows: not built yet.  A COM port is not a socket, so WSAPoll cannot
 * wait on it; the port needs a thread that carries its bytes to a socket pair (docs/windows.md,
 * "What is left").  Until then "serial:COMn" is refused with a clear error. */
#include "base/l2k_error.h"
#include "transport/stream.h"

int serial_transport_open(const char *spec, const char *device, unsigned long baud, bool rtscts,
			  struct transport **out, char *errbuf, size_t errlen)
{
	(void)device;
	(void)baud;
	(void)rtscts;
	(void)out;
	transport_errf(errbuf, errlen, "%s: serial ports are not supported in the Windows build yet "
		       "(use tcp:HOST:PORT)", spec);
	return L2K_ENOTSUP;
}
