/* Shared by the l2kit tools (linked into every tools/NAME): number and address parsing, mode
 * names, Bluetooth status and result texts, bringing a stack up with clear errors. */
#ifndef L2K_TOOL_H
#define L2K_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <l2kit/l2kit.h>

/* Unsigned number in decimal or 0x-hex within [min, max]: 0, or -1 (nothing printed). */
int tool_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);

/* A numeric option's value, parsed strictly (the whole string, no sign, no junk, within range).
 * On failure they print "PROG: bad value 'VAL' for OPT: expected WHAT" (WHAT: e.g. "milliseconds,
 * 1..86400000") and return -1: the tool then exits 2.  Every tool parses its numbers with these. */
int tool_opt_uint(const char *prog, const char *opt, const char *val, unsigned long min, unsigned long max,
		  const char *what, unsigned long *out);
/* 64-bit counts (bytes). */
int tool_opt_u64(const char *prog, const char *opt, const char *val, uint64_t min, uint64_t max,
		 const char *what, uint64_t *out);
/* A decimal number (e.g. 0.25, 1e-3) within [min, max]; no NaN, no infinity. */
int tool_opt_double(const char *prog, const char *opt, const char *val, double min, double max,
		    const char *what, double *out);
/* Print "PROG: bad value 'VAL' for OPT: expected WHAT" and return 2 (the exit status). */
int tool_bad_value(const char *prog, const char *opt, const char *val, const char *what);

/* SIGINT and SIGTERM.  tool_signals_init(prog) installs the handlers (call it first in main,
 * before any thread starts; a SIGINT ignored at start, as a shell without job control starts
 * background commands, stays ignored).  Until tool_signals_graceful(true) a signal ends the process at once
 * with "PROG: interrupted (SIGINT)" and status 128 + signal (nothing is open yet that needs
 * ending).  After it, the first signal is only recorded: tool_signal() returns it, the descriptor
 * tool_signal_fd() turns readable and blocking system calls in the receiving thread return
 * EINTR, so that the tool ends what it has open (channels, links) gracefully and exits with
 * tool_signal_status(); a second signal ends the process at once. */
void tool_signals_init(const char *prog);
void tool_signals_graceful(bool on);
int tool_signal(void);	      /* 0, SIGINT or SIGTERM */
int tool_signal_fd(void);     /* readable once a signal came (-1 before tool_signals_init) */
const char *tool_signal_name(void); /* "SIGINT", "SIGTERM" ("" before any) */
int tool_signal_status(void); /* 128 + the signal (130 SIGINT, 143 SIGTERM), 0 before any */

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

/* Open the stack on spec with the options o (NULL: the defaults; o->security: the tools' security
 * options) and wait until it is ready; the tool's agent (tools/common/security.h) answers for it
 * from then on.  Prints "PROG: ..." naming the cause and returns -1 on failure. */
int tool_stack_up(const char *prog, const char *spec, const struct l2k_stack_opts *o,
		  const struct l2k_stack_cbs *cbs, int timeout_ms, l2k_stack **out);

/* Vendor start-up options, shared by every tool that opens a controller (docs/hardware.md):
 *   --firmware-dir DIR   look for firmware files in DIR first (then /lib/firmware/updates,
 *                        /lib/firmware)
 *   --no-vendor-init     skip the start-up
 *   --usb-id VID:PID     treat the controller as this USB dongle (a simulated vendor controller
 *                        behind unix:/tcp:, or a dongle behind a serial bridge)
 * Put TOOL_VENDOR_LONGOPTS in the getopt_long table, pass every option to tool_vendor_option
 * (1: it was one of them, 0: not, -1: bad value, message printed: exit 2), and
 * tool_vendor_apply the result to the stack options. */
enum { TOOL_OPT_FIRMWARE_DIR = 0x7E00, TOOL_OPT_NO_VENDOR_INIT, TOOL_OPT_USB_ID };
#define TOOL_VENDOR_LONGOPTS                                                                       \
	{"firmware-dir", required_argument, 0, TOOL_OPT_FIRMWARE_DIR},                             \
	    {"no-vendor-init", no_argument, 0, TOOL_OPT_NO_VENDOR_INIT},                           \
	    {"usb-id", required_argument, 0, TOOL_OPT_USB_ID}
#define TOOL_VENDOR_HELP                                                                           \
	"      --firmware-dir DIR  vendor start-up (Realtek, Intel, Broadcom USB dongles): look for\n" \
	"                         firmware files in DIR, then /lib/firmware/updates, /lib/firmware\n"  \
	"      --no-vendor-init   skip the vendor start-up (the dongle's ROM firmware stays)\n"        \
	"      --usb-id VID:PID   treat the controller as this USB dongle for the start-up (e.g. a\n"  \
	"                         simulated one: vctrl --vendor)\n"
struct tool_vendor {
	const char *firmware_dir;
	bool no_vendor_init;
	bool usb_id_set;
	uint16_t usb_vid, usb_pid;
};
int tool_vendor_option(const char *prog, int c, const char *arg, struct tool_vendor *v);
void tool_vendor_apply(const struct tool_vendor *v, struct l2k_stack_opts *o);
/* "PROG: vendor start-up: ..." on stderr when the stack's start-up loaded firmware. */
void tool_vendor_report(const char *prog, l2k_stack *s);

/* --watchdog MS (the ACL transmit watchdog, l2k_stack_opts.acl_tx_timeout_ms; 0: off) into
 * *out: 0, or -1 after "PROG: bad value ..." (exit 2). */
int tool_opt_watchdog(const char *prog, const char *val, uint32_t *out);

/* What the HCI host dropped of the controller's input, as a person reads it: "none", or
 * "2 events cut short, 1 ACL packet for an unknown handle, ..." */
void tool_hci_drops_str(char *buf, size_t len, const struct l2k_hci_stats *st);

/* Controller-to-host flow control as a person reads it: "on (32 host buffers of 1021 bytes)",
 * or "off: ..." saying why and what it means for Basic mode. */
void tool_ctrl_flow_str(char *buf, size_t len, const struct l2k_controller_info *in);

/* Monotonic clock in microseconds. */
uint64_t tool_now_us(void);

#endif
