/* btsnoop capture writer (the format btmon -r and Wireshark read).
 *
 * Datalink 1002 (HCI UART / H4): each record is the H4 type byte followed by the packet.
 * Flags: bit 0 = received (controller to host), bit 1 = command or event.
 * Uses only stdio; the caller supplies timestamps (wall clock or virtual). */
#ifndef L2K_BTSNOOP_H
#define L2K_BTSNOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hci_btsnoop;

/* Create (truncate) FILE and write the header.  NULL on failure (errno from fopen). */
struct hci_btsnoop *hci_btsnoop_open(const char *path);
/* Append one packet.  unix_us: microseconds since 1970-01-01. Returns 0 or L2K_EIO. */
int hci_btsnoop_write(struct hci_btsnoop *s, uint64_t unix_us, bool incoming, uint8_t type,
		      const uint8_t *pkt, size_t len);
void hci_btsnoop_close(struct hci_btsnoop *s);

#endif
