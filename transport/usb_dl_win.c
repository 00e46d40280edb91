/* libusb-1.0.dll loaded at run time (transport/usb_dl.h): the Windows build's `usb` transport.
 * The DLL is looked for where Windows looks for a program's DLLs (the program's folder first,
 * then the system folders and PATH); l2kit does not ship it.  L2K_LIBUSB_DL is defined by the
 * Windows build when it found libusb.h (Debian libusb-1.0-0-dev: the header is the same for
 * every platform); without it the Windows build has no usb transport (transport/usb.c). */
#ifdef L2K_LIBUSB_DL
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <pthread.h>
#include <string.h>

#define USB_DL_NO_MACROS
#include "transport/usb_dl.h"

#include "base/l2k_error.h"
#include "transport/stream.h" /* transport_errf */

struct usb_dl_api usb_dl;

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static int g_result;			 /* 0, or L2K_ENOTSUP */
static const char *g_missing;		 /* the function not found, or NULL: the DLL itself */
static unsigned long g_winerr;		 /* GetLastError() of the failure */

static void load(void)
{
	HMODULE dll = LoadLibraryA(USB_DL_FILE);
	if (!dll) {
		g_winerr = GetLastError();
		g_result = L2K_ENOTSUP;
		return;
	}
	FARPROC p;
	/* (a FARPROC is copied into the typed pointer: a cast between function types warns) */
#define USB_DL_RESOLVE(f)                                                                    \
	p = GetProcAddress(dll, #f);                                                         \
	if (!p) {                                                                            \
		g_missing = #f;                                                              \
		goto missing;                                                                \
	}                                                                                    \
	memcpy(&usb_dl.f, &p, sizeof(usb_dl.f));
	USB_DL_FUNCS(USB_DL_RESOLVE)
#undef USB_DL_RESOLVE
	return;
missing:
	g_winerr = GetLastError();
	memset(&usb_dl, 0, sizeof(usb_dl));
	FreeLibrary(dll);
	g_result = L2K_ENOTSUP;
}

int usb_dl_load(const char *spec, char *errbuf, size_t errlen)
{
	pthread_once(&g_once, load);
	if (g_result == 0)
		return 0;
	if (g_missing)
		transport_errf(errbuf, errlen, "%s: %s has no function %s (error %lu): not "
			       "libusb-1.0, or too old; use 1.0.23 or later from https://libusb.info "
			       "(docs/windows.md)", spec, USB_DL_FILE, g_missing, g_winerr);
	else
		transport_errf(errbuf, errlen, "%s: cannot load %s (error %lu): put the 64-bit "
			       "one of a https://libusb.info release beside the program, and give the "
			       "dongle the WinUSB driver with Zadig (docs/windows.md)", spec,
			       USB_DL_FILE, g_winerr);
	return g_result;
}
#endif /* L2K_LIBUSB_DL */
