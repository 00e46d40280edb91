/* l2kit: a user-space Bluetooth L2CAP engine over raw HCI.  The one public header.
 *
 * A stack (l2k_stack) drives one controller through one transport.  It is sans-I/O at heart:
 * l2k_step() feeds it the time and lets it do pending transport I/O; l2k_next_due() says when
 * it next needs a step; l2k_run() is a ready-made poll loop around the two.  Tests drive
 * l2k_step() with a virtual clock and run long transfers in milliseconds.
 */
#ifndef L2KIT_H
#define L2KIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2k_error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define L2K_VERSION "0.1.0"

typedef struct l2k_stack l2k_stack;

/* A Bluetooth device address; b[0] is the least significant octet (wire order). */
typedef struct {
	uint8_t b[6];
} l2k_addr;

/* Link (address) types */
enum l2k_addr_type {
	L2K_ADDR_BREDR = 0,
	L2K_ADDR_LE_PUBLIC = 1,
	L2K_ADDR_LE_RANDOM = 2,
};

/* "AA:BB:CC:DD:EE:FF" (most significant first) to l2k_addr; 0 or L2K_EINVAL. */
int l2k_addr_parse(const char *s, l2k_addr *out);
/* l2k_addr to "AA:BB:CC:DD:EE:FF"; returns out. */
char *l2k_addr_str(const l2k_addr *a, char out[18]);

/* ---- stack -------------------------------------------------------------------------------- */

struct l2k_stack_opts {
	const char *btsnoop_path;   /* capture every HCI packet to this file (NULL: none) */
	uint32_t cmd_timeout_ms;    /* HCI command timeout (0: 5000) */
	bool no_page_scan;	    /* do not make BR/EDR connectable at start */
	uint32_t max_rx_pdu;	    /* largest reassembled L2CAP PDU (0: 65539) */
	uint32_t link_tx_queue;	    /* per-link queued bytes bound (0: 131072) */
	/* Clock.  NULL: the monotonic clock in milliseconds.  Tests give a virtual clock. */
	uint64_t (*clock)(void *arg);
	void *clock_arg;
};

struct l2k_controller_info {
	l2k_addr addr;
	uint8_t hci_version;
	uint16_t hci_revision;
	uint8_t lmp_version;
	uint16_t manufacturer;
	uint16_t lmp_subversion;
	uint16_t acl_mtu, acl_count;	   /* BR/EDR ACL buffers */
	uint16_t le_acl_mtu, le_acl_count; /* LE ACL buffers (equal to the BR/EDR ones when shared) */
	bool le_shared;			   /* LE uses the BR/EDR buffers */
	bool bredr, le;			   /* what the controller supports */
};

struct l2k_link_info {
	uint16_t handle;
	enum l2k_addr_type type;
	l2k_addr peer;
	uint8_t role; /* 0 central, 1 peripheral, 0xFF unknown */
};

/* Stack-level events.  Every callback is optional. */
struct l2k_stack_cbs {
	void *user;
	/* controller bring-up finished: err 0, or why it failed */
	void (*ready)(void *user, int err);
	void (*link_up)(void *user, const struct l2k_link_info *link);
	/* an l2k_link_connect() attempt failed: HCI status in hci_status */
	void (*link_failed)(void *user, const l2k_addr *peer, enum l2k_addr_type type,
			    uint8_t hci_status);
	/* link gone; hci_reason is the HCI reason code (0x08 timeout, 0x13 remote user ...) */
	void (*link_down)(void *user, const struct l2k_link_info *link, uint8_t hci_reason);
	/* something a person should know (command timeouts, transport failure ...) */
	void (*error)(void *user, int err, const char *msg);
	/* an LE advertising report (address, type, RSSI, AD payload) */
	void (*adv_report)(void *user, const l2k_addr *addr, enum l2k_addr_type type, int8_t rssi,
			   const uint8_t *ad, size_t ad_len);
};

/* Open the transport named by spec and start bringing the controller up.  errbuf receives a
 * message naming the spec on failure.  The stack is ready when cbs->ready(0) is called or
 * l2k_wait_ready() returns 0. */
int l2k_stack_open(const char *spec, const struct l2k_stack_opts *opts,
		   const struct l2k_stack_cbs *cbs, l2k_stack **out, char *errbuf, size_t errlen);
void l2k_stack_close(l2k_stack *s);

/* Driving the stack.  l2k_step: do pending transport I/O (non-blocking) and run timers that are
 * due at the stack clock's now.  l2k_next_due: the clock value at which a step is next needed
 * even without I/O (UINT64_MAX: none); l2k_fd / l2k_fd_events: the descriptor to poll (or -1)
 * and whether to poll it for writing too.  l2k_now: the stack clock. */
int l2k_step(l2k_stack *s);
uint64_t l2k_next_due(l2k_stack *s);
int l2k_fd(l2k_stack *s);
bool l2k_fd_wants_write(l2k_stack *s);
uint64_t l2k_now(l2k_stack *s);
/* Poll loop: run until timeout_ms passes (-1: forever) or l2k_break() is called.  Returns 0,
 * or a negative code when the transport failed. */
int l2k_run(l2k_stack *s, int timeout_ms);
void l2k_break(l2k_stack *s);
/* Run until bring-up finished: 0 ready, or the error. */
int l2k_wait_ready(l2k_stack *s, int timeout_ms);
/* Poll loop over several stacks (one thread, real clock): until done(arg) returns true, a stack's
 * transport fails, or timeout_ms passes (-1: never).  Returns 0 when done, L2K_ETIMEDOUT, or
 * the transport's error. */
int l2k_run_until(l2k_stack **stacks, int n, bool (*done)(void *arg), void *arg, int timeout_ms);

/* A virtual clock for simulations: pass l2k_vclock_now as opts.clock and the l2k_vclock as
 * opts.clock_arg.  l2k_sim_run_until steps stacks whose transports are in-process ("sim") and,
 * whenever nothing is due, jumps the clock to the earliest due time, so simulated minutes run
 * in milliseconds, identically every time.  Stops when done(arg) is true (returns 0), when
 * max_ms of virtual time passed (L2K_ETIMEDOUT) or when nothing is due at all (L2K_EAGAIN). */
struct l2k_vclock {
	uint64_t now_ms;
};
uint64_t l2k_vclock_now(void *vclock);
int l2k_sim_run_until(l2k_stack **stacks, int n, struct l2k_vclock *vc, bool (*done)(void *arg),
		      void *arg, uint64_t max_ms);

int l2k_controller_info(l2k_stack *s, struct l2k_controller_info *out);
/* The stack's last transport or bring-up error (empty string if none). */
const char *l2k_last_error(l2k_stack *s);

/* ---- links -------------------------------------------------------------------------------- */

/* Connect an ACL (BR/EDR) or LE link.  Completion arrives through cbs->link_up/link_failed. */
int l2k_link_connect(l2k_stack *s, const l2k_addr *peer, enum l2k_addr_type type);
int l2k_link_disconnect(l2k_stack *s, uint16_t handle, uint8_t hci_reason);
/* BR/EDR page scan on/off (on by default). */
int l2k_set_connectable(l2k_stack *s, bool on);
/* LE connectable advertising on/off (AD payload may be NULL). */
int l2k_le_advertise(l2k_stack *s, bool on, const uint8_t *ad, size_t ad_len);
int l2k_le_scan(l2k_stack *s, bool on);
/* Look up the open link to peer (any handle of that type); 0 and *handle, or L2K_ENOLINK. */
int l2k_link_find(l2k_stack *s, const l2k_addr *peer, enum l2k_addr_type type, uint16_t *handle);

#ifdef __cplusplus
}
#endif
#endif
