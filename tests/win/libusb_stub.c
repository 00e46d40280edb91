/* A stand-in libusb-1.0.dll for the tests under Wine (tests/win/usb_wine.sh): it exports the
 * functions l2kit loads (transport/usb_dl.h) with libusb's own prototypes, and is a libusb with
 * no devices plugged in: libusb_init succeeds, the device list is empty, everything that needs a
 * device fails.  Built with -DSTUB_WITHOUT_NEXT_TIMEOUT it lacks libusb_get_next_timeout, as
 * too old or a wrong DLL would. */
#include <stdlib.h>

#include <libusb.h>

#define EXPORT __declspec(dllexport)

static int g_ctx; /* the one context handed out (its address; never dereferenced by l2kit) */

EXPORT int LIBUSB_CALL libusb_init(libusb_context **ctx)
{
	if (ctx)
		*ctx = (libusb_context *)&g_ctx;
	return 0;
}
EXPORT void LIBUSB_CALL libusb_exit(libusb_context *ctx) { (void)ctx; }
EXPORT const char *LIBUSB_CALL libusb_error_name(int code)
{
	return code == LIBUSB_ERROR_NOT_SUPPORTED ? "LIBUSB_ERROR_NOT_SUPPORTED" : "LIBUSB_ERROR_OTHER";
}
EXPORT const char *LIBUSB_CALL libusb_strerror(int code)
{
	(void)code;
	return "Operation not supported or unimplemented on this platform";
}
EXPORT ssize_t LIBUSB_CALL libusb_get_device_list(libusb_context *ctx, libusb_device ***list)
{
	(void)ctx;
	*list = calloc(1, sizeof(**list)); /* NULL-terminated, empty */
	return *list ? 0 : LIBUSB_ERROR_NO_MEM;
}
EXPORT void LIBUSB_CALL libusb_free_device_list(libusb_device **list, int unref)
{
	(void)unref;
	free(list);
}
EXPORT int LIBUSB_CALL libusb_get_device_descriptor(libusb_device *d, struct libusb_device_descriptor *dd)
{
	(void)d; (void)dd;
	return LIBUSB_ERROR_NOT_SUPPORTED;
}
EXPORT uint8_t LIBUSB_CALL libusb_get_bus_number(libusb_device *d) { (void)d; return 0; }
EXPORT int LIBUSB_CALL libusb_get_port_numbers(libusb_device *d, uint8_t *p, int len)
{
	(void)d; (void)p; (void)len;
	return LIBUSB_ERROR_NOT_SUPPORTED;
}
EXPORT int LIBUSB_CALL libusb_get_active_config_descriptor(libusb_device *d, struct libusb_config_descriptor **c)
{
	(void)d; *c = NULL;
	return LIBUSB_ERROR_NOT_SUPPORTED;
}
EXPORT int LIBUSB_CALL libusb_get_config_descriptor(libusb_device *d, uint8_t i, struct libusb_config_descriptor **c)
{
	(void)d; (void)i; *c = NULL;
	return LIBUSB_ERROR_NOT_SUPPORTED;
}
EXPORT void LIBUSB_CALL libusb_free_config_descriptor(struct libusb_config_descriptor *c) { (void)c; }
EXPORT int LIBUSB_CALL libusb_open(libusb_device *d, libusb_device_handle **h)
{
	(void)d; *h = NULL;
	return LIBUSB_ERROR_NOT_SUPPORTED;
}
EXPORT void LIBUSB_CALL libusb_close(libusb_device_handle *h) { (void)h; }
EXPORT int LIBUSB_CALL libusb_set_configuration(libusb_device_handle *h, int c) { (void)h; (void)c; return LIBUSB_ERROR_NOT_SUPPORTED; }
EXPORT int LIBUSB_CALL libusb_kernel_driver_active(libusb_device_handle *h, int i) { (void)h; (void)i; return 0; }
EXPORT int LIBUSB_CALL libusb_detach_kernel_driver(libusb_device_handle *h, int i) { (void)h; (void)i; return LIBUSB_ERROR_NOT_SUPPORTED; }
EXPORT int LIBUSB_CALL libusb_attach_kernel_driver(libusb_device_handle *h, int i) { (void)h; (void)i; return LIBUSB_ERROR_NOT_SUPPORTED; }
EXPORT int LIBUSB_CALL libusb_claim_interface(libusb_device_handle *h, int i) { (void)h; (void)i; return LIBUSB_ERROR_NOT_SUPPORTED; }
EXPORT int LIBUSB_CALL libusb_release_interface(libusb_device_handle *h, int i) { (void)h; (void)i; return LIBUSB_ERROR_NOT_SUPPORTED; }
EXPORT struct libusb_transfer *LIBUSB_CALL libusb_alloc_transfer(int n) { (void)n; return NULL; }
EXPORT void LIBUSB_CALL libusb_free_transfer(struct libusb_transfer *x) { (void)x; }
EXPORT int LIBUSB_CALL libusb_submit_transfer(struct libusb_transfer *x) { (void)x; return LIBUSB_ERROR_NOT_SUPPORTED; }
EXPORT int LIBUSB_CALL libusb_cancel_transfer(struct libusb_transfer *x) { (void)x; return LIBUSB_ERROR_NOT_SUPPORTED; }
EXPORT int LIBUSB_CALL libusb_handle_events_timeout_completed(libusb_context *c, struct timeval *tv, int *done)
{
	(void)c; (void)tv; (void)done;
	return 0;
}
#ifndef STUB_WITHOUT_NEXT_TIMEOUT
EXPORT int LIBUSB_CALL libusb_get_next_timeout(libusb_context *c, struct timeval *tv)
{
	(void)c; (void)tv;
	return 0;
}
#endif
EXPORT int LIBUSB_CALL libusb_get_string_descriptor_ascii(libusb_device_handle *h, uint8_t i, unsigned char *s, int len)
{
	(void)h; (void)i; (void)s; (void)len;
	return LIBUSB_ERROR_NOT_SUPPORTED;
}
