/* The stack object shared by core/ files (stack.c, loop.c and the L2CAP engine).  Internal. */
#ifndef L2K_STACK_INTERNAL_H
#define L2K_STACK_INTERNAL_H

#include "api/l2kit.h"
#include "hci/btsnoop.h"
#include "hci/hci_host.h"
#include "transport/transport.h"

/* What the L2CAP engine plugs into the stack (all optional). */
struct l2k_upper {
	void *ctx;
	void (*link_up)(void *ctx, const struct hci_link_info *link);
	void (*link_down)(void *ctx, uint16_t handle, uint8_t reason);
	void (*acl_rx)(void *ctx, uint16_t handle, const uint8_t *pdu, size_t len);
	void (*acl_tx_room)(void *ctx, uint16_t handle);
	void (*event)(void *ctx, const uint8_t *evt, size_t len);
	void (*tick)(void *ctx, uint64_t now_ms);
	uint64_t (*next_timer)(void *ctx);
	void (*destroy)(void *ctx);
	void (*link_failed)(void *ctx, const l2k_addr *peer, bool le, uint8_t status);
	/* the controller stopped responding: its links go down next */
	void (*controller_lost)(void *ctx);
};


struct l2k_stack {
	struct transport *tr;
	struct hci_host *hci;
	struct hci_btsnoop *snoop;
	struct l2k_stack_cbs cbs;
	struct l2k_upper upper;
	uint64_t (*clock)(void *arg);
	void *clock_arg;
	bool virtual_clock;
	int ready_err;	 /* 1 = pending, 0 = ready, < 0 = failed */
	int failed;	 /* transport failure code, 0 if none */
	bool stop;	 /* l2k_break() */
	char last_error[256];
	char fw_dir[512]; /* l2k_stack_opts.firmware_dir ("" none) */
	struct sockface *sf; /* socket face (api/sockface.c): created by l2k_start, else NULL */
	struct sm *sm;	     /* security manager (sm/), wired by api/security.c */
	struct security *sec;
	struct l2k_raw *raw; /* the L2CAP engine unplugged (api/raw.c, l2k_raw_attach), else NULL */
};

/* l2k_stack_open() on a transport the caller made (a test's or fuzz harness's in-memory fake,
 * an embedder's own driver) instead of one named by a spec.  The stack takes ownership of tr:
 * it sets tr's callbacks, and closes it in l2k_stack_close() or when this call fails. */
/* api/vendor_fw.c: the hci_host_config fw_load of a stack (arg: the l2k_stack): the file
 * name under its firmware_dir, /lib/firmware/updates, /lib/firmware. */
int l2k_firmware_load(void *arg, const char *name, uint8_t **data, size_t *len, char *where, size_t wlen);
int l2k_stack_open_transport(struct transport *tr, const struct l2k_stack_opts *opts,
			     const struct l2k_stack_cbs *cbs, l2k_stack **out, char *errbuf,
			     size_t errlen);

uint64_t l2k_stack_now(l2k_stack *s);
/* The L2CAP engine plugged into the stack (its upper layer). */
struct l2cap_engine *l2cap_engine_of(l2k_stack *s);
/* The engine a raw stack (l2k_raw_attach) keeps unplugged (api/raw.c). */
struct l2cap_engine *l2k_raw_engine(l2k_stack *s);
void l2k_stack_set_error(l2k_stack *s, int err, const char *msg);

/* loop.c: OS clocks */
uint64_t l2k_monotonic_ms(void);
uint64_t l2k_realtime_us(void);

#endif
