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

#include <l2kit/l2k_error.h>
#include <l2kit/l2k_types.h> /* addresses, modes, channel options, callbacks and info */
#include <l2kit/l2k_security.h> /* security levels, IO capabilities, agent, bonds, key store */

#ifdef __cplusplus
extern "C" {
#endif

#define L2K_VERSION "0.1.0"

/* The library's binary interface: bumped whenever a public structure's layout, an enum's values
 * or a function's signature change incompatibly.  Bindings that lay the structures out
 * themselves (the Python package, over ctypes) compare l2k_abi_version() with the value they
 * were written for before their first call. */
#define L2K_ABI_VERSION 4
L2K_API int l2k_abi_version(void);

typedef struct l2k_stack l2k_stack;


/* "AA:BB:CC:DD:EE:FF" (most significant first) to l2k_addr; 0 or L2K_EINVAL. */
L2K_API int l2k_addr_parse(const char *s, l2k_addr *out);
/* l2k_addr to "AA:BB:CC:DD:EE:FF"; returns out. */
L2K_API char *l2k_addr_str(const l2k_addr *a, char out[18]);

/* ---- stack -------------------------------------------------------------------------------- */

struct l2k_stack_opts {
	const char *btsnoop_path;   /* capture every HCI packet to this file (NULL: none) */
	/* Command watchdog: a command the controller leaves unanswered this long means it stopped
	 * responding: the stack fails with L2K_ECTRLTIMEOUT (cbs->error says which command), every
	 * link ends (hci_reason 0x16) and its channels close with L2K_CLOSE_CONTROLLER (0: 5000) */
	uint32_t cmd_timeout_ms;
	bool no_page_scan;	    /* do not make BR/EDR connectable at start */
	uint32_t max_rx_pdu;	    /* largest reassembled L2CAP PDU (0: 65539) */
	uint32_t link_tx_queue;	    /* per-link bound on data queued for the controller (0: 16384;
				     * a larger PDU goes alone); the backlog waits in the channels */
	/* Controller-to-host flow control (HCI): on by default when the controller supports it, so
	 * that a Basic-mode receiver that does not read slows the sender instead of losing data
	 * (see l2k_chan_set_busy).  no_ctrl_flow leaves it off.  host_acl_buffers: the ACL packets
	 * the host keeps for a held link before the controller must stop (0: 32). */
	bool no_ctrl_flow;
	uint16_t host_acl_buffers;
	/* Clock.  NULL: the monotonic clock in milliseconds.  Tests give a virtual clock. */
	uint64_t (*clock)(void *arg);
	void *clock_arg;
	/* Security: pairing, encryption, bonding (NULL: the defaults of l2k_security_opts_default,
	 * keys kept in memory only).  docs/security.md. */
	const struct l2k_security_opts *security;
	/* ACL transmit watchdog: while links are up, a controller that has sent nothing for this
	 * long - no Number Of Completed Packets for the ACL packets it holds, nothing else either -
	 * is sent a probe command (Read Local Version Information) that it must answer within this
	 * time too (or cmd_timeout_ms if shorter); no answer ends it all as the command watchdog
	 * does, so a frozen controller is found within twice this time whether the stack sends or
	 * only receives.  A controller that answers is alive and its links stay, however long
	 * their packets wait (a peer holding its incoming data, a peer out of range until the
	 * supervision timeout).  0: 2500; L2K_WATCHDOG_OFF: no probes (only the command watchdog). */
	uint32_t acl_tx_timeout_ms;
	/* Vendor start-up (docs/hardware.md): after HCI Reset a Realtek, Intel or Broadcom USB
	 * dongle gets its firmware (patch, operational firmware, patchram), chosen by the USB
	 * VID:PID and Read Local Version.  firmware_dir is searched before /lib/firmware/updates
	 * and /lib/firmware (NULL: only those).  no_vendor_init skips the start-up.  usb_id_set:
	 * treat the controller as the USB device usb_vid:usb_pid (for a controller behind another
	 * transport, e.g. a simulated vendor controller in vctrl); otherwise the transport tells
	 * (libusb; the "sim" transport's vendor personality), and a controller whose VID:PID is not
	 * known gets no start-up.  l2k_vendor_startup() says what was done. */
	const char *firmware_dir;
	bool no_vendor_init;
	bool usb_id_set;
	uint16_t usb_vid, usb_pid;
};
#define L2K_WATCHDOG_OFF UINT32_MAX

struct l2k_security_opts {
	enum l2k_io_cap io_cap;	   /* what this device can show and enter (L2K_IO_NO_INPUT_NO_OUTPUT) */
	bool no_bonding;	   /* pair without storing keys */
	bool sc_only;		   /* Secure Connections only: refuse legacy and P-192 pairing */
	uint8_t min_key_size;	   /* encryption keys shorter than this do not count (7..16, 7) */
	bool debug_keys;	   /* LE Secure Connections with the debug key pair (for sniffing) */
	bool legacy_pairing;	   /* BR/EDR: leave Secure Simple Pairing off (legacy PIN pairing
				    * only, as a pre-2.1 device; no Secure Connections either) */
	bool no_mode4;		   /* BR/EDR: no Security Mode 4 minimum: a channel at level 0/1
				    * other than SDP stays unencrypted even when both hosts support
				    * Simple Pairing, and is accepted on such an unencrypted link
				    * (test benches; by default it gets level 2, docs/security.md) */
	const char *key_file;	   /* the default key store's file (NULL: keys in memory only) */
	const struct l2k_key_store *key_store; /* the application's own store (instead of key_file) */
	/* without an agent callback (cbs->agent): accept numeric comparison, answer passkey entry
	 * with passkey, PIN with pin (Just Works is accepted without an agent callback anyway) */
	bool auto_accept;
	uint32_t passkey;
	const char *pin;
};
L2K_API void l2k_security_opts_default(struct l2k_security_opts *o);

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
	/* Controller-to-host flow control: the controller has the commands for it (supported) and
	 * it is on (ctrl_flow), with host_acl_count host buffers of host_acl_mtu bytes */
	bool ctrl_flow_supported, ctrl_flow;
	uint16_t host_acl_mtu, host_acl_count;
};

struct l2k_link_info {
	uint16_t handle;
	enum l2k_addr_type type;
	l2k_addr peer;
	uint8_t role; /* 0 central, 1 peripheral, 0xFF unknown */
};

/* One BR/EDR inquiry response (Inquiry Result, Inquiry Result with RSSI or Extended Inquiry
 * Result, Core Vol 4 Part E 7.7.2, 7.7.33, 7.7.38). */
struct l2k_inquiry_result {
	l2k_addr addr;
	uint8_t cod[3];	    /* Class of Device, little-endian */
	bool has_rssi;
	int8_t rssi;	    /* dBm, when has_rssi */
	const uint8_t *eir; /* Extended Inquiry Response data (l2k_eir_parse), NULL if none */
	size_t eir_len;
};

/* Extended Inquiry Response or LE advertising data, parsed (Core Supplement Part A). */
#define L2K_EIR_MAX_UUIDS 32
struct l2k_uuid {
	uint8_t size; /* 2, 4 or 16 octets */
	uint8_t b[16]; /* little-endian, as on the air */
};
struct l2k_eir {
	bool has_name, name_complete; /* Complete Local Name, or a Shortened one */
	char name[249];		      /* UTF-8, NUL terminated */
	bool has_flags;
	uint8_t flags;
	bool has_tx_power;
	int8_t tx_power; /* dBm */
	unsigned n_uuids;
	struct l2k_uuid uuids[L2K_EIR_MAX_UUIDS]; /* service class UUIDs (16, 32, 128-bit) */
	unsigned uuids_dropped;			  /* more than L2K_EIR_MAX_UUIDS */
	uint8_t uuids_complete;			  /* sizes (2 | 4 | 16) whose list is complete */
};
/* 0, or L2K_EBADMSG when a field runs past the end of data (or a UUID list is not a whole
 * number of UUIDs): out keeps the fields before it.  A zero length octet ends the data. */
L2K_API int l2k_eir_parse(const uint8_t *data, size_t len, struct l2k_eir *out);

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
	/* security: a question for the agent (answer with l2k_agent_reply, now or later) */
	void (*agent)(void *user, const struct l2k_agent_request *req);
	/* pairing with peer ended: err 0, or why it failed (L2K_EAUTH ...; why says which step) */
	void (*paired)(void *user, const l2k_addr *peer, enum l2k_addr_type type, int err, const char *why);
	/* a link's security changed (encrypted, key refreshed) */
	void (*security)(void *user, uint16_t handle, const struct l2k_link_security *sec);
	/* BR/EDR discovery (l2k_inquiry, l2k_remote_name): one inquiry response; the end of the
	 * inquiry (err 0, or L2K_EIO: the controller's HCI status in hci_status, or L2K_ETIMEDOUT:
	 * the controller never said it ended, 10 s past the inquiry's length; not after
	 * l2k_inquiry_cancel); a remote name (err 0 and the name, or L2K_EIO with hci_status 0x04
	 * Page Timeout when nobody answered, or L2K_ETIMEDOUT when the controller did not answer
	 * within 60 s; name NULL on errors) */
	void (*inquiry_result)(void *user, const struct l2k_inquiry_result *r);
	void (*inquiry_complete)(void *user, int err, uint8_t hci_status);
	void (*remote_name)(void *user, const l2k_addr *peer, int err, uint8_t hci_status, const char *name);
};

/* The controllers this build can open, without opening them: USB Bluetooth dongles through
 * libusb (device class E0/01/01 or an interface of that class) and Linux HCI user channel
 * candidates (/sys/class/bluetooth/hciN).  Fills out[0..max); *count is how many there are
 * (may exceed max); note (may be NULL) says what limited the search ("libusb support not
 * built", "no /sys/class/bluetooth: ..."), "" when nothing did.  Returns 0. */
struct l2k_controller_entry {
	char spec[40];		 /* the transport spec that opens it: "usb:1-2.3", "hci0" */
	bool usb;		 /* a USB device (else an hciN user channel candidate) */
	uint16_t vid, pid;	 /* USB */
	char where[32];		 /* USB bus-port, e.g. "1-2.3" */
	char manufacturer[64];	 /* USB strings, "" when not readable */
	char product[64];
	bool strings_unreadable; /* the device could not be opened to read them (permissions) */
	char driver[32];	 /* kernel driver bound to its HCI interface ("btusb"), "" if none known */
	char bdaddr[18];	 /* hciN: its address when the kernel shows it, else "" */
};
L2K_API int l2k_list_controllers(struct l2k_controller_entry *out, size_t max, size_t *count, char *note,
				 size_t notelen);
/* Whether a USB dongle with this VID:PID needs a vendor start-up (l2k_stack_opts): NULL when
 * not known to, else what it needs ("firmware patch + config (rtl_bt/)"); *family ("realtek",
 * "intel", "broadcom"; "other": one l2kit does not do, MediaTek and Qualcomm; "none") and
 * *package (the Debian package with the files) when not NULL. */
L2K_API const char *l2k_usb_vendor_startup(uint16_t vid, uint16_t pid, const char **family,
					   const char **package);

/* Open the transport named by spec and start bringing the controller up.  errbuf receives a
 * message naming the spec on failure.  The stack is ready when cbs->ready(0) is called or
 * l2k_wait_ready() returns 0. */
L2K_API int l2k_stack_open(const char *spec, const struct l2k_stack_opts *opts,
			   const struct l2k_stack_cbs *cbs, l2k_stack **out, char *errbuf, size_t errlen);
L2K_API void l2k_stack_close(l2k_stack *s);

/* Driving the stack.  l2k_step: do pending transport I/O (non-blocking) and run timers that are
 * due at the stack clock's now.  l2k_next_due: the clock value at which a step is next needed
 * even without I/O (UINT64_MAX: none); l2k_fd / l2k_fd_events: the descriptor to poll (or -1)
 * and whether to poll it for writing too.  l2k_now: the stack clock. */
L2K_API int l2k_step(l2k_stack *s);
L2K_API uint64_t l2k_next_due(l2k_stack *s);
L2K_API int l2k_fd(l2k_stack *s);
L2K_API bool l2k_fd_wants_write(l2k_stack *s);
L2K_API uint64_t l2k_now(l2k_stack *s);
/* Poll loop: run until timeout_ms passes (-1: forever) or l2k_break() is called.  Returns 0,
 * or a negative code when the transport failed. */
L2K_API int l2k_run(l2k_stack *s, int timeout_ms);
L2K_API void l2k_break(l2k_stack *s);
/* Run until bring-up finished: 0 ready, or the error. */
L2K_API int l2k_wait_ready(l2k_stack *s, int timeout_ms);
/* Poll loop over several stacks (one thread, real clock): until done(arg) returns true, a stack's
 * transport fails, or timeout_ms passes (-1: never).  Returns 0 when done, L2K_ETIMEDOUT, or
 * the transport's error. */
L2K_API int l2k_run_until(l2k_stack **stacks, int n, bool (*done)(void *arg), void *arg, int timeout_ms);

/* A virtual clock for simulations: pass l2k_vclock_now as opts.clock and the l2k_vclock as
 * opts.clock_arg.  l2k_sim_run_until steps stacks whose transports are in-process ("sim") and,
 * whenever nothing is due, jumps the clock to the earliest due time, so simulated minutes run
 * in milliseconds, identically every time.  Stops when done(arg) is true (returns 0), when
 * max_ms of virtual time passed (L2K_ETIMEDOUT) or when nothing is due at all (L2K_EAGAIN). */
struct l2k_vclock {
	uint64_t now_ms;
};
L2K_API uint64_t l2k_vclock_now(void *vclock);
L2K_API int l2k_sim_run_until(l2k_stack **stacks, int n, struct l2k_vclock *vc, bool (*done)(void *arg),
			      void *arg, uint64_t max_ms);

L2K_API int l2k_controller_info(l2k_stack *s, struct l2k_controller_info *out);

/* What the vendor start-up of the stack's bring-up did (l2k_stack_opts.firmware_dir). */
struct l2k_vendor_startup {
	char family[16];   /* "realtek", "intel", "broadcom"; "other": needs one l2kit does not do;
			    * "none": not a dongle known to need one */
	bool usb_known;	   /* the controller's USB VID:PID was known */
	uint16_t usb_vid, usb_pid;
	bool skipped;	   /* no_vendor_init */
	bool loaded;	   /* firmware was downloaded and the controller came back */
	char chip[24];	   /* "RTL8761BU", "Intel hw_variant 0x14", "BCM20702A1" */
	char file[192];	   /* the firmware file loaded (where it was read) */
	char file2[192];   /* the Realtek config / Intel DDC file ("" none) */
	char before[64];   /* the controller's version before the start-up */
	char after[64];	   /* ... after it ("" when nothing was loaded) */
	char note[160];	   /* why nothing was loaded, when nothing was */
	unsigned chunks;   /* download commands sent */
	size_t bytes;	   /* firmware octets sent */
};
/* 0 (after bring-up, also when it failed in the start-up), L2K_EINVAL. */
L2K_API int l2k_vendor_startup(l2k_stack *s, struct l2k_vendor_startup *out);

/* What the HCI host counted of the controller's input since the stack opened (l2k_hci_stats),
 * or of one open link's (l2k_link_stats: the counters that are not about a link stay 0).  The
 * drop counters count ACL packets / events the host dropped, never passed on: */
struct l2k_hci_stats {
	uint64_t acl_rx_packets;	  /* ACL packets from the controller (well-formed headers) */
	uint64_t acl_rx_pdus;		  /* L2CAP PDUs reassembled from them */
	uint64_t acl_bad_header;	  /* shorter than the ACL header, or a length field that
					   * disagrees with the packet */
	uint64_t acl_unknown_handle;	  /* for a connection handle that is no open link */
	uint64_t acl_cont_without_start;  /* a stray continuation: no PDU being reassembled */
	uint64_t acl_overrun;		  /* more octets than the PDU's length says */
	uint64_t acl_short_start;	  /* a first fragment shorter than the L2CAP basic header */
	uint64_t acl_too_big;		  /* a PDU longer than max_rx_pdu */
	uint64_t acl_incomplete;	  /* a PDU cut short by the next start fragment */
	uint64_t evt_malformed;		  /* events cut short (shorter than their fixed parameters)
					   * or whose length octet disagrees with the packet */
	uint64_t nocp_excess;		  /* completed packets reported beyond those outstanding */
	uint64_t rx_after_failure;	  /* packets after the controller was declared unresponsive */
	uint64_t cmd_timeouts;		  /* commands never answered (the command watchdog) */
	uint64_t probes;		  /* probes of the ACL transmit watchdog */
};
/* 0 and *out; l2k_link_stats: L2K_ENOLINK when the handle is no open link. */
L2K_API int l2k_hci_stats(l2k_stack *s, struct l2k_hci_stats *out);
L2K_API int l2k_link_stats(l2k_stack *s, uint16_t handle, struct l2k_hci_stats *out);
/* The stack's last transport or bring-up error (empty string if none). */
L2K_API const char *l2k_last_error(l2k_stack *s);

/* ---- sans-I/O: a stack on the application's own I/O ---------------------------------------
 *
 * For event loops of any kind and for microcontrollers: the application moves the HCI packets
 * itself.  io->send is called with every packet for the controller (type: 0x01 command, 0x02
 * ACL; pkt without the H4 type octet); it must take the packet at once (copy or send it) and
 * return 0, or a negative L2K_E* code, which fails the stack (reported through cbs->error).
 * The controller's packets go in with l2k_input (one whole packet: type 0x04 event, 0x02 ACL
 * ...) or l2k_input_h4 (an H4 byte stream, in pieces of any size, as read from a UART).  Time
 * is the stack's clock (opts->clock) as for any stack: call l2k_step when l2k_next_due says so
 * and after feeding input.  io->fd, when not -1, is what l2k_fd returns (a descriptor the
 * application wants l2k_run to poll); with fd -1, drive the stack with l2k_step.  With the
 * socket face (l2k_start), call l2k_input between l2k_lock and l2k_unlock. */
struct l2k_io {
	void *user;
	int (*send)(void *user, uint8_t type, const uint8_t *pkt, size_t len);
	int fd;
};
L2K_API int l2k_stack_open_io(const struct l2k_io *io, const struct l2k_stack_opts *opts,
			      const struct l2k_stack_cbs *cbs, l2k_stack **out, char *errbuf, size_t errlen);
/* One packet from the controller: 0, L2K_EBADMSG (its length field disagrees with len),
 * L2K_EINVAL (not a stack opened with l2k_stack_open_io, or a type a controller does not send). */
L2K_API int l2k_input(l2k_stack *s, uint8_t type, const uint8_t *pkt, size_t len);
/* The controller's H4 byte stream: 0, or L2K_EFRAMING once it is broken (cbs->error says how;
 * the stream cannot be resynchronised: reset the controller and open a new stack). */
L2K_API int l2k_input_h4(l2k_stack *s, const uint8_t *bytes, size_t len);

/* ---- links -------------------------------------------------------------------------------- */

/* Connect an ACL (BR/EDR) or LE link.  Completion arrives through cbs->link_up/link_failed
 * (also when the controller refuses the attempt).  LE: one attempt at a time (the controller
 * initiates to one peer): connecting again to the peer being connected is 0, to another one
 * L2K_EBUSY until link_up / link_failed; an LE attempt lasts until the peer is found (LE Create
 * Connection has no timeout of its own).  A channel's own LE link attempt (l2k_chan_connect
 * without a link) is cancelled when the last channel waiting for it closes or times out. */
L2K_API int l2k_link_connect(l2k_stack *s, const l2k_addr *peer, enum l2k_addr_type type);
/* Give up an LE link attempt to peer (l2k_link_connect's or a channel's): LE Create Connection
 * Cancel, then cbs->link_failed (Unknown Connection Identifier 0x02) unless the link came up
 * first.  0, L2K_ENOENT (no LE attempt to peer under way), L2K_ENOTSUP (BR/EDR: paging ends by
 * itself with Page Timeout), or a command queue error. */
L2K_API int l2k_link_cancel(l2k_stack *s, const l2k_addr *peer, enum l2k_addr_type type);
L2K_API int l2k_link_disconnect(l2k_stack *s, uint16_t handle, uint8_t hci_reason);
/* BR/EDR page scan on/off (on by default). */
L2K_API int l2k_set_connectable(l2k_stack *s, bool on);
/* LE connectable advertising on/off (AD payload may be NULL).  The controller stops
 * advertising when a central connects: on advertises until then (a server that must stay
 * reachable wants l2k_le_advertise_keep).  Either call ends keep mode.  A controller that
 * refuses to advertise is reported through cbs->error. */
L2K_API int l2k_le_advertise(l2k_stack *s, bool on, const uint8_t *ad, size_t ad_len);
/* LE connectable advertising that stays on, for servers: advertising starts now and starts
 * again whenever the controller stopped it (a central connected: legacy advertising ends with
 * the connection; or that connection failed to be established) and whenever an LE link goes
 * down - as long as fewer than max_links LE links (either role) are up; 0: as many as the
 * controller takes.  A controller at its own connection limit refuses to advertise (Connection
 * Limit Exceeded, Command Disallowed ...): the stack asks again when an LE link goes down.  A
 * refusal with no LE link up is reported through cbs->error.  l2k_le_advertise(s, false, ...)
 * stops it.  0, L2K_ENOTSUP (no LE), L2K_EMSGSIZE (AD over 31 bytes), or a command queue error. */
L2K_API int l2k_le_advertise_keep(l2k_stack *s, const uint8_t *ad, size_t ad_len, unsigned max_links);
L2K_API int l2k_le_scan(l2k_stack *s, bool on);
/* BR/EDR discovery.  l2k_inquiry: inquire (General Inquiry Access Code) for about seconds
 * (1..61, rounded up to units of 1.28 s), stopping early after max_results responses (0: no
 * limit); cbs->inquiry_result per response (with RSSI, and EIR data when the peer has some),
 * then cbs->inquiry_complete.  0, L2K_ENOTSUP (LE-only controller), L2K_EINVAL (seconds),
 * L2K_EALREADY (an inquiry runs), or a command queue error.  l2k_inquiry_cancel: stop it (no
 * inquiry_complete follows); L2K_ENOENT when none runs.  l2k_remote_name: ask a BR/EDR peer its
 * name; cbs->remote_name follows (L2K_EBUSY while one is asked).  l2k_set_discoverable: BR/EDR
 * inquiry scan on/off (off by default), page scan stays as l2k_set_connectable left it.
 * l2k_set_local_name: the BR/EDR name others read (Write Local Name) and its Extended Inquiry
 * Response; L2K_EMSGSIZE above 248 octets. */
L2K_API int l2k_inquiry(l2k_stack *s, unsigned seconds, unsigned max_results);
L2K_API int l2k_inquiry_cancel(l2k_stack *s);
L2K_API int l2k_remote_name(l2k_stack *s, const l2k_addr *peer);
L2K_API int l2k_set_discoverable(l2k_stack *s, bool on);
L2K_API int l2k_set_local_name(l2k_stack *s, const char *name);
/* Look up the open link to peer (any handle of that type); 0 and *handle, or L2K_ENOLINK. */
L2K_API int l2k_link_find(l2k_stack *s, const l2k_addr *peer, enum l2k_addr_type type, uint16_t *handle);


/* ---- security (docs/security.md) -----------------------------------------------------------
 *
 * Channels get the security level their options ask (l2k_chan_opts.sec_level): connecting,
 * the link is first raised (encrypted, authenticated, paired as needed); accepting, a BR/EDR
 * Connection Request on a link that falls short is answered "pending" while the link is raised,
 * then accepted or refused (Security Block 0x0003); a credit based request (LE, or enhanced on
 * either transport) is refused at once with 0x0005 / 0x0007 / 0x0008 as GAP's Table 10.2 says
 * (docs/security.md, "Channels at a level").  Pairing asks the agent:
 * cbs->agent (event face), or l2k_agent_wait (socket face), or the auto_accept options; without
 * cbs->agent, Just Works is accepted at once (docs/security.md, "The agent").
 * The calls below take the stack's lock themselves (l2k_lock, which nests on one thread): call
 * them from any thread, from a callback, or between l2k_lock and l2k_unlock.  A call that ends
 * a pairing at once (l2k_agent_reply refusing an LE pairing) reports it to cbs->paired on the
 * calling thread before it returns. */

/* Answer an agent question for the link: accept (confirm, Just Works, authorize), passkey
 * (entry), pin (legacy PIN, NUL-terminated).  0, or L2K_ENOENT when no question waits. */
L2K_API int l2k_agent_reply(l2k_stack *s, uint16_t handle, bool accept, uint32_t passkey, const char *pin);
/* Socket face: wait for the next agent question (when no cbs->agent is set).  0 and *out,
 * L2K_EAGAIN (timeout_ms 0), L2K_ETIMEDOUT.  l2k_agent_fd: readable while one waits. */
L2K_API int l2k_agent_wait(l2k_stack *s, struct l2k_agent_request *out, int timeout_ms);
L2K_API int l2k_agent_fd(l2k_stack *s);
/* Pair (and bond unless no_bonding) with the peer of an open link; cbs->paired tells the end.
 * 0, L2K_ENOLINK, L2K_EBUSY (already pairing). */
L2K_API int l2k_pair(l2k_stack *s, const l2k_addr *peer, enum l2k_addr_type type);
/* LE out-of-band pairing.  l2k_le_oob_local: our LE Secure Connections OOB data (r and C) to
 * hand to a peer out of band; the next pairings use the key pair it was made for (a new call
 * makes new data; L2K_EBUSY while a pairing uses the old).  l2k_le_oob_peer: what we received
 * from peer (a legacy TK, and/or its r and C), used by the next pairings with it (NULL: forget;
 * L2K_ENOBUFS when 8 peers have data).  0 or an error. */
L2K_API int l2k_le_oob_local(l2k_stack *s, uint8_t r[16], uint8_t c[16]);
L2K_API int l2k_le_oob_peer(l2k_stack *s, const l2k_addr *peer, enum l2k_addr_type type,
			    const struct l2k_le_oob *oob);
/* Raise an open link to at least level (1..4) as a channel at that level would: authenticate
 * with the stored key or pair, and encrypt.  done(user, handle, err) follows once, from the
 * thread that drives the stack and never inside this call: 0 when the link has the level, else
 * why not (L2K_EAUTH, L2K_EKEYSIZE, L2K_ELINKLOSS ...; the reason in words went to cbs->paired
 * or cbs->error).  0, L2K_ENOLINK, L2K_EINVAL, L2K_EBUSY (too many waiting on the link). */
L2K_API int l2k_link_secure(l2k_stack *s, uint16_t handle, uint8_t level,
			    void (*done)(void *user, uint16_t handle, int err), void *user);
/* Change what this stack offers in its next pairings (one under way keeps its own): its IO
 * capability (as l2k_security_opts.io_cap), and in LE pairing the Maximum Encryption Key Size of
 * its Pairing Request / Response, 7..16 (16 unless changed; Vol 3 Part H 3.5.1, 3.5.2: the key
 * is the shorter of both sides'), e.g. for a tester that needs a short key.  0, or L2K_EINVAL
 * (a value out of range). */
L2K_API int l2k_pairing_caps(l2k_stack *s, enum l2k_io_cap io_cap, uint8_t max_key_size);
/* The security of an open link: 0 and *out, or L2K_ENOLINK. */
L2K_API int l2k_link_security(l2k_stack *s, uint16_t handle, struct l2k_link_security *out);
/* Bonds in the key store: how many there are, up to max of them in out. */
L2K_API int l2k_bonds(l2k_stack *s, struct l2k_bond *out, int max);
/* Forget a bond (its keys are deleted): 0 or L2K_ENOENT. */
L2K_API int l2k_bond_remove(l2k_stack *s, const l2k_addr *peer, enum l2k_addr_type type);
/* Out of Band pairing (BR/EDR Secure Simple Pairing, docs/security.md).  l2k_oob_local: our OOB
 * data, read from the controller (Read Local OOB Data, or Read Local OOB Extended Data with
 * Secure Connections), to give to the peer over the other channel (NFC, a QR code ...).  The
 * controller makes new values at every read and only the last ones pair.  It waits for the
 * controller: run by the stack's own thread when l2k_start runs it, else it steps the stack
 * itself (as l2k_wait_ready does): not from inside a callback.  0 and *out, L2K_ENOTSUP (no
 * BR/EDR, or Simple Pairing off), L2K_ECTRL (the controller refused), L2K_ETIMEDOUT.
 * l2k_oob_remote: the peer's data as it reached us (NULL: forget it); while it is set, pairing
 * with that peer announces OOB data and answers the controller's Remote OOB Data Request with
 * it.  0, L2K_EINVAL, L2K_ENOBUFS (L2K_OOB_MAX peers have data already). */
L2K_API int l2k_oob_local(l2k_stack *s, struct l2k_oob_data *out);
L2K_API int l2k_oob_remote(l2k_stack *s, const l2k_addr *peer, const struct l2k_oob_data *data);

/* ---- L2CAP channels: the event face --------------------------------------------------------
 *
 * A channel is opened by l2k_chan_connect() (the ACL/LE link is created when there is none) or
 * accepted by a server (l2k_server_add).  Its callbacks run on the thread that drives the stack
 * (inside l2k_step/l2k_run).  Event-face calls must be made from that thread: from inside a
 * callback, or from the thread that calls l2k_step.  (The socket face below is thread-safe.) */

/* "basic", "ertm", "le", ... ; NULL for an unknown mode */
L2K_API const char *l2k_mode_name(enum l2k_mode m);
/* name to mode: 0 and *out, or L2K_EINVAL */
L2K_API int l2k_mode_parse(const char *name, enum l2k_mode *out);
/* whether this build implements the mode */
L2K_API bool l2k_mode_supported(enum l2k_mode m);

L2K_API void l2k_chan_opts_default(struct l2k_chan_opts *o);

L2K_API const char *l2k_close_reason_str(enum l2k_close_reason r);



/* Connect a channel to psm on the peer; creates the link if needed.  The channel object is
 * returned at once; cbs->open or cbs->closed follows from a later l2k_step(), never inside this
 * call (so *out is valid when it returns 0, even when the channel is bound to fail). */
L2K_API int l2k_chan_connect(l2k_stack *s, const l2k_addr *peer, enum l2k_addr_type type, uint16_t psm,
			     const struct l2k_chan_opts *opts, const struct l2k_chan_cbs *cbs, l2k_chan **out);
/* Enhanced Credit Based Flow Control: open n (1..5) channels to psm with one request (LE, or
 * BR/EDR when the peer supports the mode).  out[0..n-1] receive the channels; each gets open or
 * closed (a partial refusal closes only the refused ones, with the result in info.result; an
 * "all refused" result closes every one; "pending" results are waited for up to ERTX; a DCID
 * already in use on the link discards the new channel and disconnects the old one, 4.26). */
L2K_API int l2k_chan_connect_ecfc(l2k_stack *s, const l2k_addr *peer, enum l2k_addr_type type, uint16_t psm,
				  int n, const struct l2k_chan_opts *opts, const struct l2k_chan_cbs *cbs,
				  l2k_chan **out);
/* Reconfigure 1..5 open enhanced credit based channels of one link: mtu may only grow; mps may
 * shrink only for a single channel.  The peer's answer lands in info.result (0 = success). */
L2K_API int l2k_chan_reconfigure(l2k_chan **chans, int n, uint16_t mtu, uint16_t mps);
/* Queue one SDU.  0; L2K_EAGAIN (queue full or no credits: send_ready follows); L2K_EMSGSIZE
 * (larger than the peer's MTU); L2K_ENOTCONN (not open); L2K_ENOMEM (the queue, which grows
 * up to tx_queue_bytes as it fills, could not grow). */
L2K_API int l2k_chan_send(l2k_chan *ch, const uint8_t *sdu, size_t len);
/* Disconnect (graceful: queued SDUs are dropped; closed(L2K_CLOSE_LOCAL) follows). */
L2K_API int l2k_chan_close(l2k_chan *ch);
/* Credit modes with manual_credits: allow the peer n more K-frames. */
L2K_API int l2k_chan_give_credits(l2k_chan *ch, uint16_t n);
/* Local busy (the event face's way to stop the peer): busy = true means the application cannot
 * take more SDUs now.  Credit modes stop returning credits; ERTM sends RNR (and RR with P=1 when
 * it clears), Retransmission mode sets R=1, Flow Control mode withholds acknowledgements, so
 * the peer stops within its window and nothing grows past the configured buffers.  ERTM and
 * Retransmission mode keep the in-sequence I-frames already on their way (at most a window)
 * and pass them up when the busy condition ends; Flow Control mode (lossy by design) drops
 * them and counts them in rx_sdus_dropped; Streaming (no flow control) drops what arrives.
 * Basic mode has no flow control of its own: with controller-to-host flow control on
 * (l2k_controller_info().ctrl_flow) the link's incoming data waits in the host's HCI buffers
 * and then in the controller, which stops taking it from the air, so the sender is slowed and
 * nothing is lost - but everything else on that link (signaling, other channels) waits too,
 * and once the host's buffers are full, the incoming data of every link of the controller;
 * without it, busy changes nothing in Basic mode (recv goes on being called).
 * Call with false when the application reads again.  0 or L2K_ENOTCONN. */
L2K_API int l2k_chan_set_busy(l2k_chan *ch, bool busy);
L2K_API int l2k_chan_get_info(const l2k_chan *ch, struct l2k_chan_info *out);
L2K_API void *l2k_chan_user(const l2k_chan *ch);
L2K_API void l2k_chan_set_cbs(l2k_chan *ch, const struct l2k_chan_cbs *cbs);
/* Bytes l2k_chan_send would accept now (0 if not open). */
L2K_API size_t l2k_chan_send_room(const l2k_chan *ch);

/* Servers.  An incoming request for psm on a link of the given kind is offered to accept():
 * return 0 to accept (fill *cbs, and adjust *opts if wanted), or an L2CAP connection result
 * code to refuse (e.g. L2K_RESULT_NO_RESOURCES, L2K_RESULT_SECURITY_BLOCK,
 * L2K_RESULT_PENDING is not allowed here).  An Enhanced Credit Based request (req->mode
 * L2K_MODE_ECFC) offers its channels (up to five) one after the other: L2K_RESULT_NO_RESOURCES
 * (or any code that is not an "all refused" result of that mode) refuses that channel alone;
 * 0x0002, 0x0005-0x0008 (L2K_RESULT_AUTHORIZATION ...) and 0x000B refuse the whole request (the
 * channels accepted before it get closed()); L2K_ACCEPT_PENDING counts as no resources. */
/* le: serve an LE SPSM (LE credit based / ECFC) instead of a BR/EDR PSM.  PSM rules: BR/EDR PSMs
 * must be odd with an even upper octet; LE SPSMs 0x0001-0x00FF.  L2K_EADDRINUSE if taken. */
L2K_API int l2k_server_add(l2k_stack *s, uint16_t psm, bool le, const struct l2k_chan_opts *opts,
			   const struct l2k_server_cbs *cbs, l2k_server **out);
L2K_API void l2k_server_remove(l2k_server *srv);
/* Decide a deferred incoming channel: result 0 accepts (with the opts/cbs filled in by accept,
 * or given here when not NULL), otherwise an L2K_RESULT_* refusal. */
L2K_API int l2k_chan_accept(l2k_chan *ch, int result, const struct l2k_chan_cbs *cbs);

/* Echo (l2ping): send an Echo Request on the BR/EDR link to peer; cb gets the response data
 * and the round trip in ms, or err < 0 (L2K_ETIMEDOUT, L2K_ENOLINK ...). */
L2K_API int l2k_echo(l2k_stack *s, const l2k_addr *peer, const uint8_t *data, size_t len, l2k_echo_cb cb,
		     void *user);

/* Fixed channels (ATT 0x0004, SMP 0x0006/0x0007, connectionless 0x0002 ...): receive every PDU
 * on cid from any link of the kind, and send PDUs on it.  For the connectionless channel
 * (0x0002) PDUs are G-frames: l2kit adds/strips the PSM and filters by psm (0: all). */
L2K_API int l2k_fixed_bind(l2k_stack *s, uint16_t cid, bool le, uint16_t psm, l2k_fixed_rx_cb cb, void *user);
L2K_API int l2k_fixed_unbind(l2k_stack *s, uint16_t cid, bool le);
L2K_API int l2k_fixed_send(l2k_stack *s, uint16_t handle, uint16_t cid, uint16_t psm, const uint8_t *pdu,
			   size_t len);
/* l2k_fixed_send returns L2K_EAGAIN when the link's transmit queue is full; then
 * l2k_fixed_wait_room(s, handle, cb, user) asks to be told once when the link takes PDUs again:
 * cb(user, handle, 0), before the channels waiting for that room are served, or cb(user, handle,
 * L2K_ELINKLOSS) if the link goes first.  0 (cb follows, once), L2K_EALREADY (no send on the
 * link was refused since it last had room: send now; cb not kept), L2K_ENOLINK, L2K_ENOBUFS
 * (8 waiters on the link already), L2K_EINVAL (cb NULL). */
L2K_API int l2k_fixed_wait_room(l2k_stack *s, uint16_t handle, l2k_fixed_room_cb cb, void *user);

/* LE connection parameter update: as central, drive HCI LE Connection Update; as peripheral,
 * send the L2CAP Connection Parameter Update Request.  Units: 1.25 ms, -, 10 ms. */
L2K_API int l2k_le_conn_update(l2k_stack *s, uint16_t handle, uint16_t interval_min, uint16_t interval_max,
			       uint16_t latency, uint16_t timeout);

/* ---- The lower tester's face: the L2CAP engine unplugged ------------------------------------
 *
 * For conformance testers (tools/l2tester): l2k_raw_attach() disconnects the stack's L2CAP
 * engine for good.  The HCI host still makes links and carries ACL data, but every L2CAP PDU
 * the stack receives goes to cbs->rx (basic header taken off: cid and payload), and nothing
 * answers a peer by itself; l2k_raw_send() sends one L2CAP PDU (header built from len and cid),
 * l2k_raw_send_acl() one raw ACL packet with any Packet_Boundary flag pb (its data up to 1024
 * octets, no L2CAP framing: split or malformed PDUs).  Links: l2k_link_connect and the stack's
 * link_up / link_down callbacks.  An LE Remote Connection Parameter Request from the controller
 * is accepted as asked.  The channel functions of the event and socket faces are not for such a
 * stack.  0, L2K_EINVAL, L2K_EBUSY (attached already), L2K_ENOMEM; the senders: 0 or as
 * l2k_chan_send. */
struct l2k_raw_cbs {
	void *user;
	void (*rx)(void *user, uint16_t handle, uint16_t cid, const uint8_t *payload, size_t len);
};
L2K_API int l2k_raw_attach(l2k_stack *s, const struct l2k_raw_cbs *cbs);
/* The same with flags.  L2K_RAW_KEEP_SM: the stack's security manager keeps its fixed channel,
 * so that the tester can pair and encrypt like any peer (l2k_pair, l2k_link_secure,
 * l2k_link_security, with the stack's l2k_security_opts): the SMP PDUs of its LE links (CID
 * 0x0006) go to it, not to cbs->rx, and it sends its own; every other PDU stays raw.  BR/EDR
 * pairing and encryption run in HCI and work on any raw stack; l2kit has no BR/EDR Security
 * Manager channel, so CID 0x0007 stays raw.  0 as l2k_raw_attach, L2K_EINVAL for an unknown
 * flag. */
#define L2K_RAW_KEEP_SM 0x1u
L2K_API int l2k_raw_attach_ex(l2k_stack *s, const struct l2k_raw_cbs *cbs, unsigned flags);
L2K_API int l2k_raw_send(l2k_stack *s, uint16_t handle, uint16_t cid, const uint8_t *payload, size_t len);
L2K_API int l2k_raw_send_acl(l2k_stack *s, uint16_t handle, uint8_t pb, const uint8_t *data, size_t len);

/* TEST ONLY: make this stack's L2CAP engine misbehave in one named way, so that a conformance
 * tester can be shown to notice (l2iut --defect, docs/l2tester.md): "wrong-ident" (signaling
 * responses carry the request's identifier + 1), "skip-mtu-check" (a BR/EDR Configuration
 * Request with an MTU below 48 is accepted).  Never set unless a program calls this.  0, or
 * L2K_EINVAL for an unknown name. */
L2K_API int l2k_test_defect(l2k_stack *s, const char *name);

/* ---- L2CAP channels: the socket face --------------------------------------------------------
 *
 * Blocking or non-blocking calls, safe from any thread, on the same channels.  l2k_start()
 * starts the thread that runs the stack; every socket-face call then talks to it.  SDU
 * boundaries are preserved (SEQPACKET).  Each socket has a descriptor that poll/select report
 * readable when an SDU (or the close) is waiting. */

typedef struct l2k_sock l2k_sock;

/* Start / stop the stack's own thread (needed by the socket face). */
L2K_API int l2k_start(l2k_stack *s);
L2K_API void l2k_stop(l2k_stack *s);

/* timeout_ms: -1 wait forever, 0 non-blocking (L2K_EAGAIN), > 0 (L2K_ETIMEDOUT). */
L2K_API int l2k_listen(l2k_stack *s, uint16_t psm, bool le, const struct l2k_chan_opts *opts, int backlog,
		       l2k_sock **out);
L2K_API int l2k_accept(l2k_sock *listener, int timeout_ms, l2k_sock **out);
/* Bound what a listener holds at once: the channels waiting in its backlog plus those that
 * l2k_accept returned and that are not yet released with l2k_close (whether still open or not).
 * While max are held, a new request for the PSM is refused with L2K_RESULT_NO_RESOURCES (in an
 * Enhanced Credit Based request each channel beyond the bound is refused alone, result 0x0004,
 * and the others open).  An application that serves at most N channels at once sets N, so that
 * the stack never accepts a channel the application would not serve.  0 (the default): only the
 * backlog bounds.  0, or L2K_EINVAL. */
L2K_API int l2k_listen_limit(l2k_sock *listener, int max);
/* Connect a channel socket.  On L2K_EREFUSED / L2K_EHOSTUNREACH / L2K_ETIMEDOUT *out is a
 * closed socket whose l2k_sock_info tells the result code and HCI status (release it with
 * l2k_close); with timeout_ms 0 it returns L2K_EINPROGRESS and the socket opens later. */
L2K_API int l2k_connect(l2k_stack *s, const l2k_addr *peer, enum l2k_addr_type type, uint16_t psm,
			const struct l2k_chan_opts *opts, int timeout_ms, l2k_sock **out);
/* Enhanced Credit Based Flow Control: open n (1..5) channel sockets to psm with one Credit Based
 * Connection Request (LE, or BR/EDR when the peer supports the mode); opts->mode is ignored.
 * out[0..n-1] receive the sockets, in the order of the request (an l2kit listener's l2k_accept
 * returns them in that order).  Returns 0 when all n opened.  When some or all were refused
 * or failed, returns the error of the first that did (L2K_EREFUSED ...), and every out[i] is
 * still a socket: open ones work, closed ones tell their result through l2k_sock_info().
 * L2K_ETIMEDOUT: the channels still connecting were given up (closed).  timeout_ms 0:
 * L2K_EINPROGRESS, the sockets open later (readable when they do).  On an error before any
 * channel exists (L2K_EINVAL, L2K_ENOMEM, L2K_ENETDOWN ...) every out[i] is NULL (out is not
 * touched when n is outside 1..5).  Every non-NULL out[i] must be released with l2k_close. */
L2K_API int l2k_connect_ecfc(l2k_stack *s, const l2k_addr *peer, enum l2k_addr_type type, uint16_t psm, int n,
			     const struct l2k_chan_opts *opts, int timeout_ms, l2k_sock **out);
/* Credit Based Reconfigure Request for 1..5 open enhanced credit based sockets of one link
 * (l2k_chan_reconfigure): our receive MTU becomes mtu (it may only grow) and our MPS mps (it
 * may shrink only when n is 1).  The sockets' receive queues grow to fit at once.  Blocks until
 * the peer answers: 0 when it accepted; L2K_EREFUSED when it refused (its result code in
 * l2k_sock_info().result: 0x0001 MTU reduced, 0x0002 MPS reduced, 0x0003 invalid CID, 0x0004
 * unacceptable, 0xFFFF Command Reject); L2K_EINVAL for values the rules above forbid; the
 * close reason's error when a channel ended (an unanswered request disconnects the channels
 * after RTX).  Sending goes on meanwhile on other threads. */
L2K_API int l2k_sock_reconfigure(l2k_sock **sks, int n, uint16_t mtu, uint16_t mps);
/* Send one SDU; returns len, or L2K_EAGAIN / L2K_ETIMEDOUT / L2K_EMSGSIZE / L2K_ENOTCONN /
 * the close reason as an error. */
L2K_API long l2k_send(l2k_sock *sk, const void *buf, size_t len, int timeout_ms);
/* Receive one SDU into buf (truncated to cap, the rest is discarded as with SEQPACKET; *full
 * gets the SDU's real length if not NULL).  Returns the bytes copied; 0 is either an empty SDU
 * (*full == 0) or the end of stream, the channel closed (*full == SIZE_MAX). */
L2K_API long l2k_recv(l2k_sock *sk, void *buf, size_t cap, size_t *full, int timeout_ms);
L2K_API int l2k_sock_fd(l2k_sock *sk);
/* A second descriptor of a channel socket, for waiting to send: readable while l2k_send would
 * not block for want of room - the channel is open and its last send did not find the queue
 * full, or room came back since (or the channel ended or was shut down: l2k_send fails at once).
 * Not readable while connecting.  Made on the first call (a pipe), closed by l2k_close.  Read
 * nothing from it yourself.  A descriptor, or L2K_EINVAL (listener), L2K_ENOBUFS / L2K_ENOMEM. */
L2K_API int l2k_sock_send_fd(l2k_sock *sk);
/* Where a socket stands, like SO_ERROR: 0 open (a listener: serving), L2K_EINPROGRESS still
 * connecting, or once the channel ended the error l2k_send reports for it (L2K_EREFUSED,
 * L2K_ECONNRESET, L2K_ESHUTDOWN after our own close ...; a listener: the transport's failure).
 * Looking at it counts as seeing a finished non-blocking connect (as l2k_sock_info does). */
L2K_API int l2k_sock_error(l2k_sock *sk);
L2K_API int l2k_sock_info(l2k_sock *sk, struct l2k_chan_info *out);
/* The reason the channel closed (valid once recv returned 0 or send failed). */
L2K_API enum l2k_close_reason l2k_sock_close_reason(l2k_sock *sk);
L2K_API int l2k_sock_give_credits(l2k_sock *sk, uint16_t n);
L2K_API void l2k_close(l2k_sock *sk);
/* Graceful end of a channel socket: no more l2k_send (L2K_ESHUTDOWN), wait until every SDU
 * accepted by l2k_send has left the channel's queue and the link has room for signaling, then
 * disconnect the channel and wait for the peer's Disconnection Response.  Received SDUs stay
 * readable with l2k_recv until the end of stream.  Returns 0 when the peer confirmed the
 * disconnection (everything sent before it went out first, on the same in-order link), or when
 * the peer had already disconnected while nothing was waiting to be sent; otherwise the error
 * (L2K_ECONNRESET: the peer disconnected first and queued SDUs were discarded; L2K_ETIMEDOUT:
 * timeout_ms passed (the socket stays as it was: l2k_close ends it) or the peer never answered
 * the Disconnection Request; L2K_ELINKLOSS, L2K_EMAXTX ... as for l2k_send).  The socket must
 * still be released with l2k_close. */
L2K_API int l2k_shutdown(l2k_sock *sk, int timeout_ms);

/* Make event-face and stack calls (l2k_le_advertise, l2k_echo, l2k_controller_info, ...) from
 * any thread while the stack's thread runs: l2k_lock() waits until the loop thread is not
 * stepping the stack and keeps it out until l2k_unlock(), which also wakes it so it sees what
 * was queued.  The pair nests on one thread (each l2k_lock needs its l2k_unlock).  Do not call
 * socket-face functions between the two (they take the same lock).  Without l2k_start() both
 * do nothing. */
L2K_API void l2k_lock(l2k_stack *s);
L2K_API void l2k_unlock(l2k_stack *s);


#ifdef __cplusplus
}
#endif
#endif
