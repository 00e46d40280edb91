/* transport/serial.c for Windows: "serial:COMn[,BAUD][,rtscts]" through the Win32 comm API.
 *
 * The line is set as on POSIX: 8 data bits, no parity, 1 stop bit, RTS/CTS only when asked.
 * A COM port is not a socket and WSAPoll waits on nothing else, so the port is bridged to a
 * connected loopback socket pair (base/l2k_os.h): stream.c gets one end, as for tcp:, and two
 * threads carry bytes between the other end and the port (one reading the port, one writing
 * it).  When stream.c closes its end, the writing thread sees the end and stops the reading
 * one (which looks every READ_POLL_MS); the last thread out closes the port. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/l2k_error.h"
#include "base/l2k_os.h"
#include "transport/stream.h"

#define READ_POLL_MS 100

struct com_bridge {
	HANDLE com;
	SOCKET b;	     /* our end of the pair (blocking) */
	volatile LONG stop;  /* set by either thread when it ends */
	volatile LONG refs;  /* threads still running */
};

static void bridge_put(struct com_bridge *br)
{
	if (InterlockedDecrement(&br->refs) == 0) {
		CloseHandle(br->com);
		closesocket(br->b);
		free(br);
	}
}

/* port -> socket */
static void *com_rx(void *arg)
{
	struct com_bridge *br = arg;
	static const size_t len = 4096;
	char *buf = malloc(len);
	while (buf && !br->stop) {
		DWORD n = 0;
		if (!ReadFile(br->com, buf, (DWORD)len, &n, NULL))
			break; /* (the port went away) */
		for (DWORD done = 0; done < n;) {
			int s = send(br->b, buf + done, (int)(n - done), 0);
			if (s <= 0)
				goto out;
			done += (DWORD)s;
		}
	}
out:
	free(buf);
	InterlockedExchange(&br->stop, 1);
	shutdown(br->b, SD_SEND); /* stream.c sees the end of the line */
	bridge_put(br);
	return NULL;
}

/* socket -> port */
static void *com_tx(void *arg)
{
	struct com_bridge *br = arg;
	char buf[4096];
	for (;;) {
		int n = recv(br->b, buf, sizeof(buf), 0);
		if (n <= 0)
			break; /* closed by stream.c, or the reader ended */
		for (int done = 0; done < n;) {
			DWORD w = 0;
			if (!WriteFile(br->com, buf + done, (DWORD)(n - done), &w, NULL) || w == 0)
				goto out;
			done += (int)w;
		}
	}
out:
	InterlockedExchange(&br->stop, 1);
	bridge_put(br);
	return NULL;
}

/* errno for a Win32 error of CreateFile and the comm calls */
static int win_errno(DWORD e)
{
	switch (e) {
	case ERROR_FILE_NOT_FOUND: case ERROR_PATH_NOT_FOUND: return ENOENT;
	case ERROR_ACCESS_DENIED: case ERROR_SHARING_VIOLATION: return EACCES; /* (in use) */
	case ERROR_NOT_ENOUGH_MEMORY: case ERROR_OUTOFMEMORY: return ENOMEM;
	case ERROR_INVALID_PARAMETER: return EINVAL;
	default: return EIO;
	}
}

int serial_transport_open(const char *spec, const char *device, unsigned long baud, bool rtscts,
			  struct transport **out, char *errbuf, size_t errlen)
{
	/* COM10 and above are reachable only as \\.\COMn; the prefix works for every port */
	char path[300];
	if (strncmp(device, "\\\\.\\", 4) == 0)
		snprintf(path, sizeof(path), "%s", device);
	else
		snprintf(path, sizeof(path), "\\\\.\\%s", device);
	HANDLE com = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
	if (com == INVALID_HANDLE_VALUE) {
		int e = win_errno(GetLastError());
		transport_errf(errbuf, errlen, "%s: cannot open %s: %s", spec, device, strerror(e));
		return transport_errno(e);
	}
	DCB dcb;
	memset(&dcb, 0, sizeof(dcb));
	dcb.DCBlength = sizeof(dcb);
	if (!GetCommState(com, &dcb)) {
		int e = win_errno(GetLastError());
		CloseHandle(com);
		transport_errf(errbuf, errlen, "%s: %s is not a serial device: %s", spec, device,
			       strerror(e));
		return L2K_ENODEV;
	}
	dcb.BaudRate = (DWORD)baud;
	dcb.ByteSize = 8;
	dcb.Parity = NOPARITY;
	dcb.StopBits = ONESTOPBIT;
	dcb.fBinary = TRUE;
	dcb.fParity = FALSE;
	dcb.fOutxCtsFlow = rtscts;
	dcb.fOutxDsrFlow = FALSE;
	dcb.fDtrControl = DTR_CONTROL_ENABLE;
	dcb.fDsrSensitivity = FALSE;
	dcb.fOutX = FALSE;
	dcb.fInX = FALSE;
	dcb.fNull = FALSE;
	dcb.fRtsControl = rtscts ? RTS_CONTROL_HANDSHAKE : RTS_CONTROL_ENABLE;
	dcb.fAbortOnError = FALSE;
	/* a read returns what has arrived as soon as one byte has, else after READ_POLL_MS */
	COMMTIMEOUTS to = {.ReadIntervalTimeout = MAXDWORD,
			   .ReadTotalTimeoutMultiplier = MAXDWORD,
			   .ReadTotalTimeoutConstant = READ_POLL_MS};
	if (!SetCommState(com, &dcb) || !SetCommTimeouts(com, &to)) {
		int e = win_errno(GetLastError());
		CloseHandle(com);
		transport_errf(errbuf, errlen, "%s: cannot configure %s (%lu baud 8N1%s): %s", spec,
			       device, baud, rtscts ? " rtscts" : "", strerror(e));
		return transport_errno(e);
	}
	/* H4 cannot resynchronise: start from a clean line, not from stale bytes. */
	PurgeComm(com, PURGE_RXCLEAR | PURGE_TXCLEAR);

	int a, b;
	struct com_bridge *br = calloc(1, sizeof(*br));
	if (!br || l2k_os_wake_pair(&a, &b) < 0) {
		free(br);
		CloseHandle(com);
		transport_errf(errbuf, errlen, "%s: cannot make the socket pair for %s", spec, device);
		return L2K_ENOBUFS;
	}
	l2k_os_set_nonblock(b, false);
	br->com = com;
	br->b = (SOCKET)b;
	br->refs = 2;
	pthread_t rx, tx;
	if (pthread_create(&rx, NULL, com_rx, br) != 0) {
		l2k_os_close(a);
		l2k_os_close(b);
		CloseHandle(com);
		free(br);
		transport_errf(errbuf, errlen, "%s: cannot start the thread for %s", spec, device);
		return L2K_ENOMEM;
	}
	pthread_detach(rx);
	if (pthread_create(&tx, NULL, com_tx, br) != 0) {
		InterlockedExchange(&br->stop, 1);
		bridge_put(br); /* (the reader, which sees stop, releases the rest) */
		l2k_os_close(a);
		transport_errf(errbuf, errlen, "%s: cannot start the thread for %s", spec, device);
		return L2K_ENOMEM;
	}
	pthread_detach(tx);
	return stream_transport_new(a, "serial", true, spec, out, errbuf, errlen);
}
