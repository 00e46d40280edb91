/* The HCI host: command queue, controller bring-up, link management and the ACL data path.
 *
 * Sans-I/O: the host never reads a descriptor or a clock.  Its owner feeds it packets from the
 * controller (hci_host_input), the time (hci_host_set_now / hci_host_tick) and API calls; the host
 * hands packets for the controller to ops->send and reports upward through the other ops.
 * ops->send must not call back into the host (a transport queues and returns).
 */
#ifndef L2K_HCI_HOST_H
#define L2K_HCI_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/hci_defs.h"

struct hci_host;

enum hci_link_type {
	HCI_LINK_BREDR = 0, /* ACL-U */
	HCI_LINK_LE = 1,    /* LE-U */
};

struct hci_host_config {
	uint32_t max_rx_pdu;	 /* largest L2CAP PDU (incl. 4-byte basic header) reassembled: default 65539 */
	uint32_t tx_queue_bytes; /* per-link bound on queued outgoing PDU bytes (a larger PDU is
				  * taken when nothing is queued): default 16384 */
	/* Command watchdog: a command the controller leaves unanswered (no Command Complete /
	 * Command Status) this long means the controller stopped responding: the host fails
	 * (hci_host_failed): default 5000 */
	uint32_t cmd_timeout_ms;
	/* ACL transmit watchdog (hci/watchdog.c): while links are up, a controller that sent
	 * nothing for this long - no Number Of Completed Packets for the ACL packets it holds, no
	 * other event or data - is asked whether it is alive: a probe command (Read Local Version
	 * Information) that it must answer within this time too (or cmd_timeout_ms if shorter), else
	 * the host fails as for any unanswered command.  A controller that answers is alive: links
	 * whose packets wait (the peer's flow control, a peer out of range until the supervision
	 * timeout) stay up.  Default HCI_ACL_TX_TIMEOUT_DEFAULT; HCI_WATCHDOG_OFF: no probes. */
	uint32_t acl_tx_timeout_ms;
	uint16_t max_links;	 /* default 64 */
	bool page_scan;		 /* BR/EDR connectable (page scan) after bring-up: default true */
	bool auto_accept;	 /* accept incoming BR/EDR Connection Requests when ops->conn_request is NULL */
	/* Controller-to-host flow control (hci/rxflow.c): turned on at bring-up when the controller
	 * lists Set Controller To Host Flow Control, Host Buffer Size and Host Number Of Completed
	 * Packets: default true */
	bool ctrl_flow;
	uint16_t host_acl_count; /* ACL packets the host buffers (Host_Total_Num_ACL_Data_Packets): default 32 */
	/* BR/EDR security (set from the stack's security options): turn on Secure Simple Pairing
	 * (Write Simple Pairing Mode 1) and unmask its events, and Secure Connections host support
	 * (Write Secure Connections Host Support 1, only with ssp), when the controller lists the
	 * commands: default true, true.  ssp false leaves the controller in legacy (PIN) pairing. */
	bool ssp;
	bool sc;
	/* Vendor start-up (hci/vendor.h) after Reset and Read Local Version, chosen by the USB
	 * VID:PID (usb_known false: not a USB dongle, or not known: nothing runs).  vendor_init
	 * false skips it (default true).  fw_load reads a firmware file by its name under the
	 * firmware directories ("rtl_bt/rtl8761bu_fw.bin"): 0 with *data (malloc'ed: the host frees
	 * it) and *len, and where it was read in where; L2K_ENOENT with where = the places it looked;
	 * another L2K_E* code with where saying what failed.  NULL: every file is missing. */
	bool vendor_init;
	bool usb_known;
	uint16_t usb_vid, usb_pid;
	int (*fw_load)(void *arg, const char *name, uint8_t **data, size_t *len, char *where, size_t wlen);
	void *fw_arg;
};
void hci_host_config_default(struct hci_host_config *cfg);
#define HCI_ACL_TX_TIMEOUT_DEFAULT 2500
#define HCI_WATCHDOG_OFF UINT32_MAX

/* What bring-up learnt about the controller. */
struct hci_controller_info {
	hci_bdaddr_t addr;
	uint8_t hci_version;
	uint16_t hci_revision;
	uint8_t lmp_version;
	uint16_t manufacturer;
	uint16_t lmp_subversion;
	uint8_t commands[64];
	uint8_t features[8];
	uint8_t le_features[8];
	uint16_t acl_mtu;   /* BR/EDR ACL data packet length */
	uint16_t acl_count; /* BR/EDR ACL buffers */
	uint16_t le_acl_mtu;
	uint16_t le_acl_count;
	bool le_shared; /* LE uses the BR/EDR buffers (LE Read Buffer Size returned 0) */
	uint16_t iso_mtu;
	uint8_t iso_count;
	bool bredr; /* controller does BR/EDR */
	bool le;    /* controller does LE */
	/* controller-to-host flow control: the controller lists the three commands (supported),
	 * and it is on (Host Buffer Size and Set Controller To Host Flow Control succeeded) */
	bool ctrl_flow_supported;
	bool ctrl_flow;
	uint16_t host_acl_len;	 /* Host_ACL_Data_Packet_Length we announced (0: none) */
	uint16_t host_acl_count; /* Host_Total_Num_ACL_Data_Packets we announced */
	/* what bring-up turned on: Secure Simple Pairing, Secure Connections host support,
	 * Encryption Change [v2] (Set Event Mask Page 2) */
	bool ssp;
	bool sc;
	bool enc_change_v2;
};

struct hci_link_info {
	uint16_t handle;
	uint8_t type; /* enum hci_link_type */
	uint8_t role; /* 0 central, 1 peripheral */
	hci_bdaddr_t peer;
	uint8_t peer_addr_type; /* LE: HCI_ADDR_LE_PUBLIC/RANDOM; BR/EDR: 0 */
	uint16_t interval;	/* LE connection parameters (units of the spec) */
	uint16_t latency;
	uint16_t supervision_timeout;
};

struct hci_host_stats {
	uint64_t tx_pdus, tx_frags, tx_bytes;
	uint64_t rx_pdus, rx_frags, rx_bytes;
	uint64_t rx_drop_cont_without_start; /* continuation fragment with no PDU in progress */
	uint64_t rx_drop_overrun;	     /* fragments carried more bytes than the PDU length */
	uint64_t rx_drop_short_start;	     /* first fragment shorter than the basic header */
	uint64_t rx_drop_too_big;	     /* PDU length over max_rx_pdu */
	uint64_t rx_drop_incomplete;	     /* new start while a PDU was still incomplete */
	uint64_t rx_drop_unknown_handle;     /* ACL for a handle that is not an open link */
	uint64_t rx_drop_bad_header;	     /* ACL packet shorter than its header / length mismatch */
	uint64_t evt_malformed;		     /* events shorter than their fixed fields, or whose
					      * length octet disagrees with the packet */
	uint64_t rx_after_failure;	     /* packets from the controller after the host failed */
	uint64_t cmd_timeouts;
	uint64_t cmd_credit_stalls; /* commands sent after waiting cmd_timeout_ms for a credit (0 given) */
	uint64_t probes; /* ACL transmit watchdog: probe commands sent to a silent controller */
	uint64_t nocp_excess; /* completed-packet counts beyond what was in flight (ignored) */
	/* controller-to-host flow control */
	uint64_t rx_parked;	      /* ACL packets kept unprocessed while their link was held */
	uint64_t rx_drop_park_full;   /* ... dropped: more than the host's buffers (controller fault) */
	uint64_t c2h_overrun;	      /* ACL packets beyond Host_Total_Num_ACL_Data_Packets (controller fault) */
	uint64_t c2h_completed;	      /* ACL packets reported by Host Number Of Completed Packets */
	uint64_t c2h_commands;	      /* Host Number Of Completed Packets commands sent */
};

/* What the host dropped of one link's incoming ACL data (hci_host_stats counts it too). */
struct hci_link_stats {
	uint64_t rx_frags, rx_pdus;
	uint64_t rx_drop_cont_without_start;
	uint64_t rx_drop_overrun;
	uint64_t rx_drop_short_start;
	uint64_t rx_drop_too_big;
	uint64_t rx_drop_incomplete;
	uint64_t rx_drop_bad_header; /* its length field disagrees with the packet */
};

/* Completion of a command: status is the HCI status (>= 0) from Command Complete / Command
 * Status, or a negative L2K_E* code (L2K_ECTRLTIMEOUT, L2K_ESHUTDOWN).  ret/len are the return
 * parameters after the status octet (Command Complete only; NULL/0 otherwise). */
typedef void (*hci_cmd_cb)(void *arg, int status, const uint8_t *ret, size_t len);

/* One BR/EDR inquiry response (Inquiry Result, with RSSI, or Extended Inquiry Result). */
struct hci_inq_result {
	hci_bdaddr_t addr;
	uint8_t psrm; /* Page_Scan_Repetition_Mode */
	uint8_t cod[3];
	uint16_t clock_offset;
	bool has_rssi;
	int8_t rssi;
	const uint8_t *eir; /* Extended Inquiry Result only (240 octets), else NULL */
	size_t eir_len;
};
typedef void (*hci_inq_result_fn)(void *arg, const struct hci_inq_result *r);
/* Parse the parameters (p, n: after the event header) of an inquiry result event (code
 * HCI_EV_INQUIRY_RESULT, _RSSI or HCI_EV_EXT_INQUIRY_RESULT), calling fn (may be NULL) per
 * response.  The number of responses, L2K_EBADMSG when the event is short or Num_Responses is
 * 0 (or not 1 for the extended event): then fn is never called; L2K_EINVAL for another code. */
int hci_inquiry_parse(uint8_t code, const uint8_t *p, size_t n, hci_inq_result_fn fn, void *arg);

/* Extended Inquiry Response / LE advertising data (Core Supplement Part A): the fields l2kit
 * reports.  UUIDs keep their little-endian octets. */
#define HCI_EIR_MAX_UUIDS 32
struct hci_uuid {
	uint8_t size; /* 2, 4 or 16 */
	uint8_t b[16];
};
struct hci_eir {
	bool has_name, name_complete; /* Complete (0x09) or Shortened (0x08) Local Name */
	char name[249];		      /* UTF-8, NUL terminated */
	bool has_flags;
	uint8_t flags;
	bool has_tx_power;
	int8_t tx_power;
	unsigned n_uuids;
	struct hci_uuid uuids[HCI_EIR_MAX_UUIDS];
	unsigned uuids_dropped;	 /* beyond HCI_EIR_MAX_UUIDS */
	uint8_t uuids_complete;	 /* size bits (2, 4, 16) whose list was marked complete */
};
/* Parse data (EIR: 240 octets, the part after a zero length octet is ignored; AD: up to 31).
 * 0, or L2K_EBADMSG when a field runs past the end or a UUID list is not a whole number of
 * UUIDs: e keeps the fields before it. */
int hci_eir_parse(const uint8_t *data, size_t len, struct hci_eir *e);

struct hci_host_ops {
	int (*send)(void *user, uint8_t type, const uint8_t *pkt, size_t len);
	/* bring-up finished (err 0) or failed (err < 0, see ops->error for the message) */
	void (*ready)(void *user, int err);
	/* incoming BR/EDR Connection Request: return true to accept */
	bool (*conn_request)(void *user, const hci_bdaddr_t *addr, const uint8_t cod[3]);
	void (*link_up)(void *user, const struct hci_link_info *link);
	/* an outgoing connection attempt failed (HCI status) */
	void (*connect_failed)(void *user, uint8_t type, const hci_bdaddr_t *addr, uint8_t status);
	void (*link_down)(void *user, uint16_t handle, uint8_t reason);
	/* one whole reassembled L2CAP PDU (basic header included) */
	void (*acl_rx)(void *user, uint16_t handle, const uint8_t *pdu, size_t len);
	/* the link's transmit queue has room again after hci_host_acl_send returned L2K_EAGAIN */
	void (*acl_tx_room)(void *user, uint16_t handle);
	/* every event, after the host handled it (LE advertising reports, updates...) */
	void (*event)(void *user, const uint8_t *evt, size_t len);
	/* problems worth telling a person: command timeouts, hardware errors, bring-up failures */
	void (*error)(void *user, int err, const char *msg);
	/* the controller stopped responding (a command unanswered: the command watchdog, or the
	 * ACL transmit watchdog's probe; err L2K_ECTRLTIMEOUT, ops->error had the message): the host
	 * has failed.  Called before every link goes down (link_down, reason 0x16 Connection
	 * Terminated By Local Host) and every command fails with err; from then on the host sends
	 * nothing and ignores what the controller sends. */
	void (*failed)(void *user, int err);
	/* BR/EDR discovery (hci_host_inquiry, hci_host_remote_name): each inquiry response; the
	 * end of the inquiry (err 0, or L2K_EIO with the controller's status, or the command
	 * queue's error, or L2K_ETIMEDOUT when Inquiry Complete did not come within the inquiry
	 * length + 10 s; not after hci_host_inquiry_cancel); a remote name (err 0 and name, or
	 * L2K_EIO and the status: 0x04 Page Timeout ..., or L2K_ETIMEDOUT after 60 s without
	 * Remote Name Request Complete) */
	void (*inquiry_result)(void *user, const struct hci_inq_result *r);
	void (*inquiry_complete)(void *user, int err, uint8_t status);
	void (*remote_name)(void *user, const hci_bdaddr_t *peer, int err, uint8_t status, const char *name);
	/* every packet in both directions (btsnoop); incoming = controller to host */
	void (*tap)(void *user, bool incoming, uint8_t type, const uint8_t *pkt, size_t len);
};

struct hci_host *hci_host_new(const struct hci_host_config *cfg, const struct hci_host_ops *ops,
			      void *user);
void hci_host_free(struct hci_host *h);

/* Clock: the host's notion of now (ms).  Call before input/API calls when time has moved. */
void hci_host_set_now(struct hci_host *h, uint64_t now_ms);
/* Run expired timers at now_ms; process the packets of links released since the last tick and
 * report the ACL packets processed when it is time (controller-to-host flow control). */
void hci_host_tick(struct hci_host *h, uint64_t now_ms);
/* When hci_host_tick must next be called (UINT64_MAX: no timer; the host's now when a released
 * link's packets wait). */
uint64_t hci_host_next_timer(const struct hci_host *h);

/* Start bring-up (Reset, reads, event masks, scan enable); ops->ready reports the end. */
int hci_host_start(struct hci_host *h);
bool hci_host_is_ready(const struct hci_host *h);
/* 0, or the error with which the host failed (the controller stopped responding). */
int hci_host_failed(const struct hci_host *h);
const struct hci_controller_info *hci_host_info(const struct hci_host *h);
/* What the vendor start-up of the last bring-up did (hci/vendor.h). */
struct hci_vendor_info;
const struct hci_vendor_info *hci_host_vendor_info(const struct hci_host *h);
const struct hci_host_stats *hci_host_stats(const struct hci_host *h);
/* The counters of one open link: 0, or L2K_ENOLINK. */
int hci_host_link_stats(const struct hci_host *h, uint16_t handle, struct hci_link_stats *out);

/* One packet from the controller (H4 type, bytes without it). */
void hci_host_input(struct hci_host *h, uint8_t type, const uint8_t *pkt, size_t len);

/* Queue a command.  Returns 0, L2K_ENOTSUP if the controller's Supported Commands bitmap lacks
 * it (bring-up done), L2K_ENOBUFS when the queue is full, L2K_EINVAL on bad arguments.  cb (may
 * be NULL) is called exactly once. */
int hci_host_cmd(struct hci_host *h, uint16_t opcode, const uint8_t *params, size_t plen,
		 hci_cmd_cb cb, void *arg);
/* Whether the controller reports the command as supported (true before the bitmap is known). */
bool hci_host_cmd_supported(const struct hci_host *h, uint16_t opcode);

/* Links.  Results arrive through link_up / connect_failed / link_down.  LE: one LE Create
 * Connection at a time; while one to addr is under way, connecting to addr again is 0 (the same
 * attempt), to another peer L2K_EBUSY; while one is being cancelled, the new one is sent when
 * the cancel is done (the cancelled one is not reported when it was to the same peer); a
 * controller's refusal (Command Status) comes through connect_failed like a failed connection.
 * hci_host_connect_cancel (LE): cancel our attempt to addr (LE Create Connection Cancel; its LE
 * Connection Complete, Unknown Connection Identifier, comes through connect_failed); L2K_ENOENT
 * when no attempt to addr is under way. */
int hci_host_connect(struct hci_host *h, uint8_t type, const hci_bdaddr_t *addr, uint8_t addr_type);
int hci_host_connect_cancel(struct hci_host *h, uint8_t type, const hci_bdaddr_t *addr);
/* LE: the attempt to addr under way is the application's own (l2k_link_connect): the L2CAP
 * engine's hci_host_connect_release leaves it alone.  Release: the engine no longer needs its
 * link attempt to addr: cancelled unless pinned (L2K_ENOENT: none under way). */
void hci_host_le_connect_pin(struct hci_host *h, const hci_bdaddr_t *addr);
int hci_host_connect_release(struct hci_host *h, const hci_bdaddr_t *addr);
int hci_host_disconnect(struct hci_host *h, uint16_t handle, uint8_t reason);
int hci_host_set_connectable(struct hci_host *h, bool page_scan);
/* BR/EDR discoverable (inquiry scan) on/off; page scan stays as set.  L2K_ENOTSUP: LE only. */
int hci_host_set_discoverable(struct hci_host *h, bool inquiry_scan);
/* The Scan_Enable the host last wrote (bit 0 inquiry scan, bit 1 page scan). */
uint8_t hci_host_scan_enable(const struct hci_host *h);
/* Write Local Name and (when the controller has it) an Extended Inquiry Response carrying
 * the name.  L2K_EMSGSIZE above 248 octets. */
int hci_host_set_local_name(struct hci_host *h, const char *name);
/* BR/EDR inquiry (General Inquiry Access Code) for length x 1.28 s (1..48), ending after
 * max_responses responses (0: no limit); results with RSSI and EIR where the controller has
 * Write Inquiry Mode.  0, L2K_ENOTSUP (LE only), L2K_EINVAL (length), L2K_EALREADY (one
 * runs), or a command queue error.  ops->inquiry_result per response, then
 * ops->inquiry_complete. */
int hci_host_inquiry(struct hci_host *h, uint8_t length, uint8_t max_responses);
/* Stop the inquiry: no inquiry_complete follows.  0, L2K_ENOENT (none runs). */
int hci_host_inquiry_cancel(struct hci_host *h);
bool hci_host_inquiring(const struct hci_host *h);
/* Remote Name Request: ops->remote_name follows.  0, L2K_ENOTSUP, L2K_EBUSY (one runs). */
int hci_host_remote_name(struct hci_host *h, const hci_bdaddr_t *peer);
/* LE: legacy connectable undirected advertising with the given AD payload (<= 31 bytes), on
 * (until a central connects: the controller stops it then) or off.  Either ends keep mode.
 * The controller's refusal to advertise goes to ops->error. */
int hci_host_le_advertise(struct hci_host *h, bool enable, const uint8_t *ad, size_t ad_len);
/* LE: the same advertising in keep mode: enabled now and again whenever the controller stopped
 * it (a connection as peripheral, or one that failed while being set up) and after every LE
 * link down, as long as fewer than max_links LE links are up (0: as many as the controller
 * takes).  A controller that refuses to enable it (at its connection limit: Connection Limit
 * Exceeded, Memory Capacity Exceeded, Command Disallowed ...) is asked again when an LE link
 * goes down; with no LE link up (nothing to wait for) the refusal goes to ops->error.
 * hci_host_le_advertise() ends it. */
int hci_host_le_advertise_keep(struct hci_host *h, const uint8_t *ad, size_t ad_len, unsigned max_links);
/* Whether the controller advertises, as far as the host knows (its last enable/disable answer,
 * and the connections that stopped it since). */
bool hci_host_le_advertising(const struct hci_host *h);
int hci_host_le_scan(struct hci_host *h, bool enable, bool active);
const struct hci_link_info *hci_host_link(const struct hci_host *h, uint16_t handle);
/* Links up now. */
unsigned hci_host_link_count(const struct hci_host *h);
/* HCI Disconnect for every link up (reason: an HCI error code); returns how many were asked. */
unsigned hci_host_disconnect_all(struct hci_host *h, uint8_t reason);
/* The link to a peer (BR/EDR, or LE when le), or NULL. */
const struct hci_link_info *hci_host_link_to(const struct hci_host *h, const uint8_t peer[6], bool le);

/* ACL data.  Queue one whole L2CAP PDU (basic header included), given as up to 8 pieces that
 * are concatenated (so the caller need not copy header and payload together).  Returns 0,
 * L2K_ENOLINK (no such link), L2K_EAGAIN (queue full: ops->acl_tx_room follows), L2K_EMSGSIZE,
 * L2K_ENOMEM (the queue could not grow). */
struct hci_iov {
	const uint8_t *p;
	size_t len;
};
int hci_host_acl_sendv(struct hci_host *h, uint16_t handle, const struct hci_iov *iov, int n);
int hci_host_acl_send(struct hci_host *h, uint16_t handle, const uint8_t *pdu, size_t len);
/* Signaling: queue one whole L2CAP PDU on the link's signaling queue, which is sent before the
 * PDUs queued by hci_host_acl_sendv at the next PDU boundary (a PDU already being fragmented
 * finishes first: ACL fragments of two PDUs never interleave).  With after_data the PDU also
 * waits until every PDU queued on the link before it has gone to the controller (a
 * Disconnection Request behind the channel's last data).  The queue is bounded
 * (HCI_SIG_QUEUE_BYTES): L2K_ENOBUFS when it is full (no room callback follows), L2K_ENOLINK,
 * L2K_EMSGSIZE, L2K_EINVAL, L2K_ENOMEM as for hci_host_acl_sendv. */
#define HCI_SIG_QUEUE_BYTES 16384
int hci_host_acl_send_sig(struct hci_host *h, uint16_t handle, const struct hci_iov *iov, int n,
			  bool after_data);
/* Payload bytes the signaling queue of the link would accept now (0 if no link). */
size_t hci_host_acl_sig_room(const struct hci_host *h, uint16_t handle);
/* Whether hci_host_acl_sendv would take a PDU of len octets (basic header included) now; when
 * it would not, ops->acl_tx_room follows as after a refused send (false: no link). */
bool hci_host_acl_would_take(struct hci_host *h, uint16_t handle, size_t len);
/* Bytes that hci_host_acl_send would accept now on this link (0 if no link). */
size_t hci_host_acl_room(const struct hci_host *h, uint16_t handle);
/* PDUs queued (data and signaling) or partly sent on the link, and ACL packets in the
 * controller for it. */
size_t hci_host_acl_pending(const struct hci_host *h, uint16_t handle);
/* Whether a send on the link was refused (L2K_EAGAIN) since the last acl_tx_room for it: a
 * caller serving many channels can stop at once instead of trying each (false: no link). */
bool hci_host_acl_blocked(const struct hci_host *h, uint16_t handle);

/* Controller-to-host flow control (hci/rxflow.c).  Whether it is on (after bring-up). */
bool hci_host_ctrl_flow(const struct hci_host *h);
/* Hold (true) or release (false) the link's incoming data: while held, its ACL packets stay
 * unprocessed in the host's buffers and are not reported completed, so the controller stops
 * handing data over once the host's buffers are all used, and stops taking it from the air.
 * On release the kept packets are processed, in order, at the next hci_host_tick.  Returns 0,
 * L2K_ENOTSUP (flow control is off: nothing is held), L2K_ENOLINK. */
int hci_host_acl_rx_hold(struct hci_host *h, uint16_t handle, bool hold);

/* Text name of a command opcode, for messages ("Reset", "LE Create Connection", "0x2099"). */
const char *hci_opcode_name(uint16_t opcode, char buf[8]);
/* Parse / format "AA:BB:CC:DD:EE:FF" (most significant octet first). */
int hci_bdaddr_parse(const char *s, hci_bdaddr_t *out);
void hci_bdaddr_str(const hci_bdaddr_t *a, char out[18]);

#endif
