/* Internal to transport/: the Linux HCI user channel transport's opener.  Not installed.
 *   hciN            the Linux HCI user channel (userchan.c)
 * spec is the whole spec string (it names the transport in every message). */
#ifndef L2K_TRANSPORT_USERCHAN_H
#define L2K_TRANSPORT_USERCHAN_H

#include <stddef.h>

#include "transport/transport.h"

/* Open controller hci<dev> through its user channel (exclusive raw access: the kernel's own
 * Bluetooth stack stays off it while it is open).  Returns 0 or a negative L2K_E* code with a
 * message saying what to do (load the module, get CAP_NET_ADMIN, power the device off ...). */
int userchan_transport_open(const char *spec, unsigned dev, struct transport **out,
			    char *errbuf, size_t errlen);

#endif
