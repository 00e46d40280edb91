/* Internal to transport/: on Windows, libusb-1.0 is not linked but loaded when a `usb`
 * transport is opened (LoadLibrary of libusb-1.0.dll, usb_dl_win.c), so that l2kit.dll and the
 * tools run without it and a missing DLL is a clear error, not a refusal to start.  usb.c and
 * usb_find.c are the same code as on Linux: after this header, each libusb function they call
 * names a pointer in usb_dl, resolved by usb_dl_load().  (The header's inline helpers,
 * libusb_fill_*_transfer and friends, call no library function.)  Not installed. */
#ifndef L2K_TRANSPORT_USB_DL_H
#define L2K_TRANSPORT_USB_DL_H

#include <stddef.h>

#include <libusb.h>

/* The DLL's file name, and every function l2kit calls in it (usb.c, usb_find.c, list.c). */
#define USB_DL_FILE "libusb-1.0.dll"
#define USB_DL_FUNCS(X)                                                                      \
	X(libusb_init) X(libusb_exit) X(libusb_error_name) X(libusb_get_device_list)         \
	X(libusb_free_device_list) X(libusb_get_device_descriptor) X(libusb_get_bus_number)  \
	X(libusb_get_port_numbers) X(libusb_get_active_config_descriptor)                    \
	X(libusb_get_config_descriptor) X(libusb_free_config_descriptor) X(libusb_open)      \
	X(libusb_close) X(libusb_set_configuration) X(libusb_kernel_driver_active)           \
	X(libusb_detach_kernel_driver) X(libusb_attach_kernel_driver)                        \
	X(libusb_claim_interface) X(libusb_release_interface) X(libusb_alloc_transfer)       \
	X(libusb_free_transfer) X(libusb_submit_transfer) X(libusb_cancel_transfer)          \
	X(libusb_handle_events_timeout_completed) X(libusb_get_next_timeout)                 \
	X(libusb_strerror) X(libusb_get_string_descriptor_ascii)

struct usb_dl_api {
#define USB_DL_MEMBER(f) __typeof__(f) *f;
	USB_DL_FUNCS(USB_DL_MEMBER)
#undef USB_DL_MEMBER
};
extern struct usb_dl_api usb_dl;

/* Loads libusb-1.0.dll and resolves every function above, once per process (later calls
 * return the first result).  0, or L2K_ENOTSUP with a message for spec in errbuf: the DLL not
 * found (where to get it, and the WinUSB driver), or a function it lacks (too old a libusb). */
int usb_dl_load(const char *spec, char *errbuf, size_t errlen);

#ifndef USB_DL_NO_MACROS
#define libusb_init (*usb_dl.libusb_init)
#define libusb_exit (*usb_dl.libusb_exit)
#define libusb_error_name (*usb_dl.libusb_error_name)
#define libusb_get_device_list (*usb_dl.libusb_get_device_list)
#define libusb_free_device_list (*usb_dl.libusb_free_device_list)
#define libusb_get_device_descriptor (*usb_dl.libusb_get_device_descriptor)
#define libusb_get_bus_number (*usb_dl.libusb_get_bus_number)
#define libusb_get_port_numbers (*usb_dl.libusb_get_port_numbers)
#define libusb_get_active_config_descriptor (*usb_dl.libusb_get_active_config_descriptor)
#define libusb_get_config_descriptor (*usb_dl.libusb_get_config_descriptor)
#define libusb_free_config_descriptor (*usb_dl.libusb_free_config_descriptor)
#define libusb_open (*usb_dl.libusb_open)
#define libusb_close (*usb_dl.libusb_close)
#define libusb_set_configuration (*usb_dl.libusb_set_configuration)
#define libusb_kernel_driver_active (*usb_dl.libusb_kernel_driver_active)
#define libusb_detach_kernel_driver (*usb_dl.libusb_detach_kernel_driver)
#define libusb_attach_kernel_driver (*usb_dl.libusb_attach_kernel_driver)
#define libusb_claim_interface (*usb_dl.libusb_claim_interface)
#define libusb_release_interface (*usb_dl.libusb_release_interface)
#define libusb_alloc_transfer (*usb_dl.libusb_alloc_transfer)
#define libusb_free_transfer (*usb_dl.libusb_free_transfer)
#define libusb_submit_transfer (*usb_dl.libusb_submit_transfer)
#define libusb_cancel_transfer (*usb_dl.libusb_cancel_transfer)
#define libusb_handle_events_timeout_completed (*usb_dl.libusb_handle_events_timeout_completed)
#define libusb_get_next_timeout (*usb_dl.libusb_get_next_timeout)
#define libusb_strerror (*usb_dl.libusb_strerror)
#define libusb_get_string_descriptor_ascii (*usb_dl.libusb_get_string_descriptor_ascii)
#endif

#endif
