/* Simulated Bluetooth controllers on a simulated air.
 *
 * A sim_ctrl behaves like a controller at the HCI boundary: it takes HCI command and ACL packets
 * (sim_ctrl_feed) and produces events and ACL packets (sim_ctrl_pop / sim_ctrl_deliver).  All
 * controllers of one sim_air share a clock, links, a timing model and fault injection.  The air
 * is a discrete-event simulation: nothing happens between sim_air_advance() calls, and
 * sim_air_next_due() says when the next thing happens, so a driver with a virtual clock jumps
 * straight there (a 10 MB transfer takes well under a second of CPU).
 *
 * Clock.  The air keeps microseconds internally; the ms functions round due times up.  In
 * process the test drives it (sim transport: the time passed to service()); vctrl drives it with
 * the wall clock.  Packets fed to a controller enter at the air's current time.
 *
 * Controller behaviour (details in docs/simulator.md):
 *  - Num_HCI_Command_Packets is always 1.  The credit comes back when the Command Complete /
 *    Command Status of the previous command has been popped by the host.  A command sent without
 *    a credit is discarded and answered with a Hardware Error event (Hardware_Code
 *    SIM_HWERR_CMD_OVERRUN) and counted in sim_ctrl_stats.cmd_overruns.  Host Number Of
 *    Completed Packets needs no credit (Vol 4 Part E 7.3.40).
 *  - Unknown or unsupported opcodes get Command Status with Unknown HCI Command (0x01).  A known
 *    command with a wrong parameter length gets Invalid HCI Command Parameters (0x12) in the
 *    event it normally completes with.  The Supported Commands bitmap is generated from the
 *    command table, so it always matches what is implemented.
 *  - Host ACL: each packet takes one of the controller's buffers (acl_count for BR/EDR links,
 *    le_acl_count for LE links, or the BR/EDR pool when LE shares it) until the air has sent it;
 *    then Number Of Completed Packets reports it.  A packet that arrives when no buffer is free
 *    is DROPPED and answered with a Data Buffer Overflow event (Link_Type 0x01); an unknown
 *    handle, a bad Packet_Boundary flag (0b11, or a continuation without a start), a broadcast
 *    flag, a length beyond the buffer size or a length field that does not match the packet is
 *    dropped and counted in acl_rejected.  Host PB 0b00 and 0b10 both start a PDU.
 *  - Received data goes to the host split to min(own buffer size for the link type, the
 *    host's Host_ACL_Data_Packet_Length if given): the first piece of an L2CAP PDU has PB 0b10,
 *    the rest 0b01.  With controller-to-host flow control on (Set Controller To Host Flow Control
 *    0x01/0x03) at most Host_Total_Num_ACL_Data_Packets ACL packets are outstanding; the rest wait
 *    in the controller, and when its receive buffer (rx_count air packets) is full the air stops
 *    sending to it (link-layer flow control), which back-pressures the sender's host.
 *  - Security (docs/simulator.md "Security"): the controller's side of BR/EDR authentication,
 *    Secure Simple Pairing (every association model), legacy PIN pairing and encryption, and of
 *    LE encryption (LTK request, MIC failure on a mismatch), with real crypto from
 *    base/crypto.h, every random value from the air's PRNG, and fault injection
 *    (sim_ctrl_config.enc_key_size, .sec_faults).
 *  - A controller closed or reset drops its links: the peer gets Disconnection Complete with
 *    reason 0x15 (power off) at once.  A link cut on the air (sim_air_cut_link) is reported on
 *    both sides with reason 0x08 (Connection Timeout) after the supervision timeout (LE: the
 *    connection's Supervision_Timeout; BR/EDR: 20 s, the default of Vol 4 Part E 7.3.42).
 *
 * Timing model (formulas in docs/simulator.md, sim_profile_goodput() computes them):
 *  - LE links: connection events every Conn_Interval; in an event the two sides exchange PDU
 *    pairs (data or empty) of (overhead + payload) bytes at 1 or 2 Mbit/s, each followed by
 *    T_IFS = 150 us, as long as the pair ends before the next anchor.  Payload <= the
 *    direction's data length (27 until LE Set Data Length / suggested default).
 *  - BR/EDR links: back-to-back central/peripheral slot pairs; a packet uses the smallest type
 *    of the profile that holds it (3-DH1/3/5: 83/552/1021 bytes in 1/3/5 slots); an empty
 *    direction sends POLL/NULL (1 slot).
 *  - unlimited: no air time at all.
 *  Each HCI ACL packet of the sender becomes its own air packets (they do not merge).
 *
 * Faults (off by default, all drawn from the air's seeded PRNG, so the same seed and the same
 * host behaviour give identical results): loss p drops a whole L2CAP PDU (every air packet from
 * one start fragment to the next) as a flush would — the sender still gets its Number Of
 * Completed Packets; corrupt p XORs one byte of an air packet's payload with a random non-zero
 * value; a cut stops all traffic on a link from a given time.
 *
 * Threads: one air must be used from one thread at a time.  The sim transport takes the air's
 * lock (sim_air_lock) around everything it does; code calling sim_* directly while transports
 * on the same air run on other threads must take it too.
 */
#ifndef L2K_SIM_H
#define L2K_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/hci_defs.h"

struct sim_air;
struct sim_ctrl;

enum sim_ctrl_type {
	SIM_TYPE_BREDR = 1, /* BR/EDR only: LE Supported (Controller) feature bit clear */
	SIM_TYPE_LE = 2,    /* LE only: BR/EDR Not Supported bit set */
	SIM_TYPE_DUAL = 3,  /* both, plus Simultaneous LE and BR/EDR (Controller) */
};

enum sim_profile {
	SIM_PROFILE_LE_1M,	/* "le-1m"  LE 1M PHY */
	SIM_PROFILE_LE_2M,	/* "le-2m"  LE 2M PHY */
	SIM_PROFILE_BREDR_DH5,	/* "bredr-dh5"  basic rate DH1/DH3/DH5 (27/183/339 bytes) */
	SIM_PROFILE_BREDR_2DH5, /* "bredr-2dh5" EDR 2M 2-DH1/3/5 (54/367/679 bytes) */
	SIM_PROFILE_BREDR_3DH5, /* "bredr-3dh5" EDR 3M 3-DH1/3/5 (83/552/1021 bytes) */
	SIM_PROFILE_UNLIMITED,	/* "unlimited"  no air time (LE and BR/EDR) */
	SIM_PROFILE_COUNT
};

/* Largest packet sim_ctrl_pop() returns (without the H4 type): an event is at most 257 bytes, an
 * ACL packet at most 4 + 1021 (an air packet is never larger than 1021 bytes). */
#define SIM_AIR_CHUNK_MAX 1021
#define SIM_PKT_MAX (HCI_ACL_HDR + SIM_AIR_CHUNK_MAX)

struct sim_ctrl_config {
	enum sim_ctrl_type type;
	bool addr_set;	    /* false: the air assigns a distinct address 00:AA:01:NN:NN:NN */
	hci_bdaddr_t addr;  /* public BD_ADDR */
	uint16_t acl_mtu;   /* Read Buffer Size: ACL_Data_Packet_Length, 27..65535 (1021) */
	uint16_t acl_count; /* Total_Num_ACL_Data_Packets, >= 1 (8) */
	uint16_t le_acl_mtu; /* LE Read Buffer Size: 27..65535 (251) */
	uint8_t le_acl_count; /* 1..255 (8); 0 = LE shares the BR/EDR buffers (reports 0/0) */
	uint16_t le_max_data_len; /* supportedMaxTx/RxOctets, 27..251 (251) */
	uint8_t le_max_conn;	  /* LE connections at once, 1..255 (64): see docs/simulator.md */
	uint16_t rx_count;  /* receive buffer: air packets held for the host, >= 1 (16) */
	uint16_t manufacturer; /* Read Local Version (0xFFFF, "internal use") */
	uint8_t hci_version;   /* HCI/LMP version (0x0C = 5.3) */
	uint8_t enc_key_size;  /* BR/EDR encryption key size it offers, 1..16 (16): a link gets
				* the smaller of its two ends' (Read Encryption Key Size) */
	uint32_t sec_faults;   /* SIM_SEC_FAULT_* (0): see below */
	/* Vendor personality (SIM_VENDOR_*, sim_vendor_by_name; 0: none): the controller answers
	 * Read Local Version as that dongle in its ROM / bootloader state, reports its USB VID:PID
	 * (sim_ctrl_usb_id) and takes the vendor download protocol (docs/simulator.md "Vendor
	 * personalities"); vendor_nack: answer the Nth download command (1-based: Realtek chunk,
	 * Intel Secure Send fragment, Broadcom patchram command) with Unspecified Error (0: none). */
	uint8_t vendor;
	uint32_t vendor_nack;
	/* Realtek personalities: the ROM version (0xFC6D) and key id (0xFC61 security project
	 * register) it reports instead of the personality's, when set */
	bool vendor_rom_set, vendor_key_set;
	uint8_t vendor_rom, vendor_key_id;
	/* Intel personalities: the operational firmware runs already (as after a warm reboot);
	 * Read Version says so and Secure Send is refused. */
	bool vendor_booted;
	/* Intel TLV personalities: octets appended to the TLV list of Read Version (tests: a later
	 * entry of a type overrides an earlier one; a malformed tail) */
	uint8_t vendor_tlv_extra[32];
	uint8_t vendor_tlv_extra_len;
};

enum sim_vendor {
	SIM_VENDOR_NONE = 0,
	SIM_VENDOR_RTL8761BU,	/* "realtek-8761bu" 0bda:8771 */
	SIM_VENDOR_RTL8821C,	/* "realtek-8821c"  0bda:c821 */
	SIM_VENDOR_INTEL_8265,	/* "intel-8265"     8087:0a2b (hw_variant 0x0c, dev_revid 16) */
	SIM_VENDOR_INTEL_AX200, /* "intel-ax200"    8087:0029 (hw_variant 0x14, rev 1, fw rev 3) */
	SIM_VENDOR_BCM20702,	/* "broadcom-20702" 0a5c:21e8 (BCM20702A1) */
	SIM_VENDOR_INTEL_AX210, /* "intel-ax210"    8087:0032 (TLV, variant 0x17, ECDSA: ibt-0041-0041) */
	SIM_VENDOR_INTEL_AX211, /* "intel-ax211"    8087:0033 (TLV, variant 0x18, RSA: ibt-0140-0041) */
	SIM_VENDOR_RTL8852BU,	/* "realtek-8852bu" 0bda:b85b (v2 "RTBTCore" patch; ROM version 1, key id 0) */
	SIM_VENDOR_COUNT
};

/* What a vendor personality received of a download (sim_ctrl_vendor_stats). */
struct sim_vendor_stats {
	const char *personality; /* its name ("" none) */
	unsigned cmds;	     /* download commands accepted (chunks, fragments, patchram commands) */
	uint64_t bytes;	     /* their data octets */
	uint32_t hash;	     /* FNV-1a 32 over those octets, in order (Realtek: the chunks' data;
			      * Intel: every fragment's data, i.e. the .sfi file but for the 4-octet
			      * exponent at 384 that is not sent; Broadcom: each
			      * command as Opcode(2) Length(1) Parameters, i.e. the .hcd file) */
	unsigned nacked;     /* commands answered with an error (vendor_nack or a check) */
	unsigned ddc;	     /* Intel DDC records written */
	bool complete;	     /* the download ended (Realtek last chunk, Intel image, Broadcom Launch RAM) */
	bool running;	     /* the new firmware runs (reports its new version) */
	char error[160];     /* the first thing the host did wrong ("" none) */
};

/* Security fault injection (per controller; docs/simulator.md "Security").
 *  NC_MISMATCH   a man in the middle: this controller sees a forged public key of its peer in
 *                Simple Pairing, so the two sides show different numeric values and the DHKey
 *                check fails (Authentication Failure) even if both hosts confirm.
 *  REJECT        the controller refuses security on its host's behalf whenever the peer asks:
 *                a Link Key Request, IO Capability Request, PIN Code Request or LE Long Term
 *                Key Request is answered as if the host had sent the negative reply (IO
 *                capability: Pairing Not Allowed) and never reaches the host.
 *  KEY_MISMATCH  the link key or LTK this controller's host gives (Link Key Request Reply, LE
 *                Enable Encryption, LE LTK Request Reply) is altered: stored-key
 *                authentication fails, LE encryption ends in a MIC failure.
 *  CUT_IN_PAIRING  the link is cut (no more air traffic; both sides see the supervision
 *                timeout) the moment pairing or encryption reaches the peer's host: Simple
 *                Pairing after the IO capability exchange, legacy pairing / stored-key
 *                authentication at the responder's request, LE at the LTK request. */
#define SIM_SEC_FAULT_NC_MISMATCH 0x01u
#define SIM_SEC_FAULT_REJECT 0x02u
#define SIM_SEC_FAULT_KEY_MISMATCH 0x04u
#define SIM_SEC_FAULT_CUT_IN_PAIRING 0x08u

/* Counters of one controller since it was created. */
struct sim_ctrl_stats {
	uint64_t cmds;		/* commands received */
	uint64_t cmds_unknown;	/* answered Unknown HCI Command */
	uint64_t cmd_overruns;	/* received without a Num_HCI_Command_Packets credit */
	uint64_t acl_in;	/* ACL packets accepted from the host */
	uint64_t acl_overflow;	/* dropped: no free buffer (Data Buffer Overflow sent) */
	uint64_t acl_rejected;	/* dropped: bad handle / PB / BC / length */
	uint64_t acl_out;	/* ACL packets delivered to the host */
	uint64_t events;	/* events queued for the host */
	uint64_t events_masked; /* suppressed by the event masks */
	uint64_t events_dropped; /* lost because the host did not read (output queue full) */
	uint64_t frozen_drops;	 /* packets from the host lost while the air was frozen */
};

/* Traffic of one link.  In sim_ctrl_link_stats() index 0 is what the asking controller sent,
 * index 1 what it received; in the air-wide totals both directions are summed in [0]. */
struct sim_link_stats {
	uint64_t pdus[2];	     /* L2CAP PDUs (start fragments) put on the air */
	uint64_t air_packets[2];     /* air packets (LL PDUs / baseband packets) with data */
	uint64_t bytes[2];	     /* ACL payload bytes delivered to the receiving controller */
	uint64_t pdus_dropped[2];    /* PDUs dropped by loss injection */
	uint64_t packets_corrupted[2]; /* air packets corrupted by injection */
};

struct sim_air_stats {
	uint64_t links_created;
	uint64_t links_lost; /* ended by supervision timeout */
	struct sim_link_stats traffic; /* all links ever, directions summed in [0] */
};

/* --- airs --------------------------------------------------------------------------------- */

/* Get the named air (NULL or "" = "default"), creating it, and take a reference.  Airs live in
 * a process-wide registry until their last reference (sim_air_close, or a controller on it) is
 * gone.  Returns NULL when out of memory or the name is longer than 63 bytes. */
struct sim_air *sim_air_open(const char *name);
void sim_air_close(struct sim_air *air);
/* Look an air up without taking a reference (NULL when none). */
/* Take one more reference on the air (sim_air_close drops one). */
void sim_air_ref(struct sim_air *air);
struct sim_air *sim_air_find(const char *name);
const char *sim_air_name(const struct sim_air *air);
void sim_air_lock(struct sim_air *air);
void sim_air_unlock(struct sim_air *air);

uint64_t sim_air_now_us(const struct sim_air *air);
/* Run everything due up to now (never goes back in time). */
void sim_air_advance(struct sim_air *air, uint64_t now_ms);
void sim_air_advance_us(struct sim_air *air, uint64_t now_us);
/* When the air next has something to do (ms rounded up / us); UINT64_MAX when idle. */
uint64_t sim_air_next_due(const struct sim_air *air);
uint64_t sim_air_next_due_us(const struct sim_air *air);

/* Timing: an LE profile sets the timing of LE links, a BR/EDR profile that of BR/EDR links,
 * "unlimited" both.  Defaults: le-1m and bredr-3dh5.  Applies to running links at once. */
void sim_air_set_profile(struct sim_air *air, enum sim_profile p);
enum sim_profile sim_air_profile(const struct sim_air *air, bool le);

/* Faults.  p in [0, 1], else L2K_EINVAL.  The seed restarts the PRNG (default seed 1). */
int sim_air_set_loss(struct sim_air *air, double p);
int sim_air_set_corrupt(struct sim_air *air, double p);
void sim_air_set_seed(struct sim_air *air, uint64_t seed);
/* Cut the link(s) between the controllers with public addresses a and b at at_ms (air clock;
 * a time in the past means now).  Returns the number of links cut or L2K_ENOLINK. */
int sim_air_cut_link(struct sim_air *air, const hci_bdaddr_t *a, const hci_bdaddr_t *b,
		     uint64_t at_ms);
/* Cut every link that exists when the air clock reaches at_ms (UINT64_MAX: cancel). */
void sim_air_cut_all(struct sim_air *air, uint64_t at_ms);
/* Freeze the air (a controller process stopped, a firmware hang): while frozen nothing happens
 * on it - its clock stands still, no timer fires, links stay as they are (no supervision
 * timeout) - and its controllers give their hosts nothing (sim_ctrl_pop returns 0, they have no
 * output) and lose what their hosts send (counted in frozen_drops).  Thawed, the air's clock
 * catches up at the next advance and everything due meanwhile happens then. */
void sim_air_freeze(struct sim_air *air, bool frozen);
bool sim_air_frozen(const struct sim_air *air);

void sim_air_get_stats(const struct sim_air *air, struct sim_air_stats *out);
struct sim_ctrl *sim_air_ctrl_by_addr(struct sim_air *air, const hci_bdaddr_t *addr);

/* --- profiles ----------------------------------------------------------------------------- */

/* Profile for a name ("le-2m" ...), or L2K_EINVAL. */
int sim_profile_by_name(const char *name);
const char *sim_profile_name(enum sim_profile p);

/* What a one-way bulk transfer of identical L2CAP PDUs can reach under the timing model when
 * the sender always has data queued: payload bytes per second (INFINITY for "unlimited", 0 for
 * invalid parameters).  Formulas in docs/simulator.md. */
struct sim_goodput_params {
	enum sim_profile profile;
	uint32_t conn_interval_us; /* LE: connection interval (7500 .. 4000000) */
	uint16_t le_data_len;	   /* LE: data length of the sending direction (27 .. 251) */
	uint16_t acl_mtu;	   /* host fragment size (the sender's ACL buffer size) */
	uint32_t pdu_payload;	   /* payload bytes counted per L2CAP PDU */
	uint32_t pdu_overhead;	   /* other bytes per PDU (4 for a B-frame header) */
};
double sim_profile_goodput(const struct sim_goodput_params *g);

/* --- controllers -------------------------------------------------------------------------- */

void sim_ctrl_config_init(struct sim_ctrl_config *cfg, enum sim_ctrl_type type);
/* "nc-mismatch", "reject", "key-mismatch", "cut-in-pairing" -> SIM_SEC_FAULT_*, or L2K_EINVAL. */
int sim_sec_fault_by_name(const char *name);
/* Change a controller's security faults (applies to procedures that start afterwards). */
void sim_ctrl_set_sec_faults(struct sim_ctrl *c, uint32_t faults);
/* New controller on the air (takes a reference on it).  L2K_EINVAL for a bad configuration,
 * L2K_EADDRINUSE if the address is taken on this air, L2K_ENOMEM. */
int sim_ctrl_new(struct sim_air *air, const struct sim_ctrl_config *cfg, struct sim_ctrl **out);
/* "realtek-8761bu" ... -> SIM_VENDOR_*, or L2K_EINVAL; the name of one ("" for none). */
int sim_vendor_by_name(const char *name);
const char *sim_vendor_name(int v);
/* The USB VID:PID of the controller's vendor personality: false when it has none. */
bool sim_ctrl_usb_id(const struct sim_ctrl *c, uint16_t *vid, uint16_t *pid);
void sim_ctrl_vendor_stats(const struct sim_ctrl *c, struct sim_vendor_stats *out);
/* Remove the controller (its links drop; peers get Disconnection Complete 0x15). */
void sim_ctrl_free(struct sim_ctrl *c);
void sim_ctrl_get_address(const struct sim_ctrl *c, hci_bdaddr_t *out);
struct sim_air *sim_ctrl_air(const struct sim_ctrl *c);

/* One packet from the host: type HCI_H4_CMD or HCI_H4_ACL, pkt/len without the type byte.
 * Returns 0 (whatever the controller did with it, as a controller would), L2K_EBADMSG when the
 * packet is shorter than its header or its length field does not match len, L2K_ENOTSUP for
 * other packet types.  Never produces output synchronously for the caller to act on: output
 * waits in the controller's queue. */
int sim_ctrl_feed(struct sim_ctrl *c, uint8_t type, const uint8_t *pkt, size_t len);

/* Take the next packet for the host: returns its length (type in *type) or 0 when none.  cap
 * must be >= SIM_PKT_MAX. */
size_t sim_ctrl_pop(struct sim_ctrl *c, uint8_t *type, uint8_t *buf, size_t cap);
bool sim_ctrl_has_output(const struct sim_ctrl *c);
/* How many packets for the host are queued now. */
size_t sim_ctrl_output_count(const struct sim_ctrl *c);
typedef void (*sim_out_fn)(void *user, uint8_t type, const uint8_t *pkt, size_t len);
/* Pop up to max packets (0 = all that are queued now) into fn.  Returns how many. */
size_t sim_ctrl_deliver(struct sim_ctrl *c, size_t max, sim_out_fn fn, void *user);

void sim_ctrl_get_stats(const struct sim_ctrl *c, struct sim_ctrl_stats *out);
/* Stats of the link with this controller's handle; L2K_ENOLINK if none. */
int sim_ctrl_link_stats(const struct sim_ctrl *c, uint16_t handle, struct sim_link_stats *out);
/* Cut the link with this handle at at_ms; L2K_ENOLINK if none. */
int sim_ctrl_cut_link(struct sim_ctrl *c, uint16_t handle, uint64_t at_ms);

/* --- helpers -------------------------------------------------------------------------------- */

/* "00:11:22:33:44:55" (most significant first) <-> wire order.  Parse returns 0 or L2K_EINVAL. */
int sim_parse_bdaddr(const char *s, hci_bdaddr_t *out);
void sim_format_bdaddr(const hci_bdaddr_t *a, char out[18]);

#endif
