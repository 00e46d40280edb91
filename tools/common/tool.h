/* Shared by the l2kit tools (linked into every tools/NAME): number and address parsing, mode
 * names, Bluetooth status and result texts, bringing a stack up with clear errors. */
#ifndef L2K_TOOL_H
#define L2K_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/l2kit.h"

/* Unsigned number in decimal or 0x-hex within [min, max]: 0, or -1 (nothing printed). */
int tool_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);

/* Mode name to mode; prints "PROG: ..." naming the known / built modes on failure. */
int tool_parse_mode(const char *prog, const char *name, enum l2k_mode *out);
/* "basic, le, ..." : the modes this build implements (supported) or knows (all). */
void tool_mode_list(char *buf, size_t len, bool supported_only);

/* "AA:BB:CC:DD:EE:FF[/bredr|/le-public|/le-random]": 0, or -1.  *typed tells whether a suffix
 * was given (without one *type is L2K_ADDR_BREDR). */
int tool_parse_peer(const char *s, l2k_addr *addr, enum l2k_addr_type *type, bool *typed);

/* HCI status / reason code text (Vol 1 Part F 1.3). */
const char *tool_hci_status_str(uint8_t status);
/* L2CAP connection result text (Vol 3 Part A 4.3 BR/EDR, 4.23 LE credit based). */
const char *tool_conn_result_str(uint16_t result, bool le);
/* A socket-face error of a channel, with its detail: "refused by the peer (result 0x0002: PSM
 * not supported)", "link could not be created (HCI 0x04: Page Timeout)", ... */
void tool_chan_error(char *buf, size_t len, int err, const struct l2k_chan_info *ci);

/* Open the stack on spec (btsnoop capture to snoop if not NULL) and wait until it is ready.
 * Prints "PROG: ..." naming the cause and returns -1 on failure. */
int tool_stack_up(const char *prog, const char *spec, const char *snoop, bool no_page_scan,
		  const struct l2k_stack_cbs *cbs, int timeout_ms, l2k_stack **out);

/* Controller-to-host flow control as a person reads it: "on (32 host buffers of 1021 bytes)",
 * or "off: ..." saying why and what it means for Basic mode. */
void tool_ctrl_flow_str(char *buf, size_t len, const struct l2k_controller_info *in);

/* Monotonic clock in microseconds. */
uint64_t tool_now_us(void);

#endif
