/* l2kit's simulated controller, public: the controllers and the simulated air that the "sim"
 * transport runs on (docs/simulator.md), for programs that serve simulated controllers to other
 * processes or stacks over H4 (as vctrl does) or that set the air's conditions (timing profile,
 * loss, corruption) while stacks run on it.  Installed as <l2kit/l2kit_sim.h>.
 *
 * An air is a named simulated radio space with its own clock; every controller on it can page,
 * advertise to and connect to the others.  A controller takes HCI packets from its host
 * (l2k_sim_ctrl_feed, or l2k_sim_ctrl_feed_h4 for an H4 byte stream) and queues packets for it
 * (l2k_sim_ctrl_pop).  Time moves only when the program advances the air (l2k_sim_air_advance):
 * with the clock of its choice (vctrl: the monotonic clock).  None of these functions is
 * thread-safe: use an air from one thread (a stack on a "sim" transport steps its air from its
 * own thread: do not share an air between such a stack and these calls across threads). */
#ifndef L2KIT_SIM_H
#define L2KIT_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <l2kit/l2kit.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct l2k_sim_air l2k_sim_air;
typedef struct l2k_sim_ctrl l2k_sim_ctrl;

enum l2k_sim_type {
	L2K_SIM_BREDR = 1, /* BR/EDR only */
	L2K_SIM_LE = 2,	   /* LE only */
	L2K_SIM_DUAL = 3,  /* both */
};

/* Security faults a controller injects (docs/simulator.md, "Security"). */
#define L2K_SIM_FAULT_NC_MISMATCH 0x01u	  /* a forged peer public key: numeric values differ */
#define L2K_SIM_FAULT_REJECT 0x02u	  /* refuses security on its host's behalf */
#define L2K_SIM_FAULT_KEY_MISMATCH 0x04u  /* alters the link key / LTK its host gives */
#define L2K_SIM_FAULT_CUT_IN_PAIRING 0x08u /* cuts the link when pairing reaches the peer */

/* A controller's configuration (defaults from l2k_sim_opts_default). */
struct l2k_sim_opts {
	enum l2k_sim_type type;
	bool addr_set;		  /* false: the air gives a distinct address 00:AA:01:NN:NN:NN */
	l2k_addr addr;		  /* public BD_ADDR when addr_set */
	uint16_t acl_mtu;	  /* ACL buffer size, 27..65535 (1021) */
	uint16_t acl_count;	  /* ACL buffers, >= 1 (8) */
	uint16_t le_acl_mtu;	  /* LE ACL buffer size, 27..65535 (251) */
	uint8_t le_acl_count;	  /* LE ACL buffers (8); 0: LE shares the BR/EDR buffers */
	uint16_t le_max_data_len; /* LE maximum data length, 27..251 (251) */
	uint8_t le_max_conn;	  /* LE connections at once, 1..255 (64) */
	uint16_t rx_count;	  /* air packets held for the host, >= 1 (16) */
	uint8_t enc_key_size;	  /* BR/EDR encryption key size offered, 1..16 (16) */
	uint32_t sec_faults;	  /* L2K_SIM_FAULT_* (0) */
	/* Vendor personality (docs/simulator.md "Vendor personalities"): "realtek-8761bu",
	 * "realtek-8821c", "realtek-8852bu", "intel-8265", "intel-ax200", "intel-ax210",
	 * "intel-ax211", "broadcom-20702" - a dongle before its vendor start-up, which takes the
	 * download protocol and checks it - or NULL (none).
	 * vendor_nack: answer the Nth download command with an error (0: none). */
	const char *vendor;
	uint32_t vendor_nack;
};
L2K_API void l2k_sim_opts_default(struct l2k_sim_opts *o, enum l2k_sim_type type);

/* ---- the air ------------------------------------------------------------------------------ */

/* The named air (NULL or "": "default"), made if needed, with a reference taken; NULL when out
 * of memory or the name is longer than 63 bytes.  l2k_sim_air_close drops the reference. */
L2K_API l2k_sim_air *l2k_sim_air_open(const char *name);
L2K_API void l2k_sim_air_close(l2k_sim_air *air);
/* The named air if it exists (no reference taken): e.g. the air of "sim:air=NAME" stacks. */
L2K_API l2k_sim_air *l2k_sim_air_find(const char *name);

/* Timing profile by name: "le-1m", "le-2m" (LE links), "bredr-dh5", "bredr-2dh5", "bredr-3dh5"
 * (BR/EDR links), "unlimited" (both).  0 or L2K_EINVAL.  l2k_sim_air_profile: the name of the
 * profile of LE (le) or BR/EDR links. */
L2K_API int l2k_sim_air_set_profile(l2k_sim_air *air, const char *name);
L2K_API bool l2k_sim_profile_known(const char *name);
L2K_API const char *l2k_sim_air_profile(const l2k_sim_air *air, bool le);
/* Faults: drop whole L2CAP PDUs / corrupt one octet of an air packet with probability p
 * (0..1, else L2K_EINVAL); the seed of their random draws (default 1). */
L2K_API int l2k_sim_air_set_loss(l2k_sim_air *air, double p);
L2K_API int l2k_sim_air_set_corrupt(l2k_sim_air *air, double p);
L2K_API void l2k_sim_air_set_seed(l2k_sim_air *air, uint64_t seed);
/* Cut every link that exists when the air's clock reaches at_ms (UINT64_MAX: cancel). */
L2K_API void l2k_sim_air_cut_all(l2k_sim_air *air, uint64_t at_ms);
/* Freeze (true) or thaw the air, as a controller process that is stopped (SIGSTOP) and
 * continued: while frozen nothing happens on it (its clock stands still, links neither carry
 * data nor time out), its controllers hand their hosts nothing and lose what the hosts send,
 * while the hosts' transports stay open.  Thawed, everything due meanwhile happens at the next
 * advance.  For testing a host's controller watchdogs (docs/simulator.md). */
L2K_API void l2k_sim_air_freeze(l2k_sim_air *air, bool frozen);
/* Run everything due up to now_ms (the air's clock never goes back); when the air next has
 * something to do (UINT64_MAX: nothing). */
L2K_API void l2k_sim_air_advance(l2k_sim_air *air, uint64_t now_ms);
L2K_API uint64_t l2k_sim_air_next_due(const l2k_sim_air *air);

/* Goodput (payload bytes per second) of a one-way bulk transfer of identical L2CAP PDUs under a
 * profile's timing model, the sender never waiting (docs/simulator.md): the reference of
 * link-utilisation figures.  le_data_len and conn_interval_us matter on LE profiles.  0 for
 * invalid parameters; INFINITY for "unlimited". */
L2K_API double l2k_sim_goodput(const char *profile, uint32_t conn_interval_us, uint16_t le_data_len, uint16_t acl_mtu,
			       uint32_t pdu_payload, uint32_t pdu_overhead);

/* ---- controllers --------------------------------------------------------------------------- */

/* A new controller on the air.  0, L2K_EINVAL (bad options), L2K_EADDRINUSE (the address is
 * taken on this air), L2K_ENOMEM. */
L2K_API int l2k_sim_ctrl_new(l2k_sim_air *air, const struct l2k_sim_opts *o, l2k_sim_ctrl **out);
/* Remove it: its links drop (peers get Disconnection Complete, reason 0x15). */
L2K_API void l2k_sim_ctrl_free(l2k_sim_ctrl *c);
L2K_API void l2k_sim_ctrl_address(const l2k_sim_ctrl *c, l2k_addr *out);

/* One HCI packet from the host: type 0x01 (command) or 0x02 (ACL), pkt without the type octet.
 * 0 whatever the controller made of it; L2K_EBADMSG (shorter than its header, or its length
 * field disagrees with len), L2K_ENOTSUP (other types). */
L2K_API int l2k_sim_ctrl_feed(l2k_sim_ctrl *c, uint8_t type, const uint8_t *pkt, size_t len);
/* The host's H4 byte stream, in pieces of any size: whole packets are fed as they complete.
 * 0, or L2K_EBADMSG when the stream is broken (a packet type other than command or ACL, a
 * length over the largest packet): l2k_sim_ctrl_h4_error says what, and the stream cannot be
 * resynchronised (close the connection). */
L2K_API int l2k_sim_ctrl_feed_h4(l2k_sim_ctrl *c, const uint8_t *bytes, size_t len);
L2K_API const char *l2k_sim_ctrl_h4_error(const l2k_sim_ctrl *c);
/* The next packet for the host: its length (type octet in *type, not in buf), 0 when none.  cap
 * must be at least L2K_SIM_PKT_MAX. */
#define L2K_SIM_PKT_MAX 1025
L2K_API size_t l2k_sim_ctrl_pop(l2k_sim_ctrl *c, uint8_t *type, uint8_t *buf, size_t cap);
L2K_API bool l2k_sim_ctrl_has_output(const l2k_sim_ctrl *c);

/* The personality's USB VID:PID (l2k_stack_opts usb_vid/usb_pid for a stack that reaches this
 * controller through another transport): false when it has none. */
L2K_API bool l2k_sim_ctrl_usb_id(const l2k_sim_ctrl *c, uint16_t *vid, uint16_t *pid);
/* What the personality received of a download, as one line ("download: 12 chunks, 2996
 * octets, FNV-1a 0x1234abcd, complete, new firmware runs" and the first protocol error), or
 * "" when it has no personality. */
L2K_API void l2k_sim_ctrl_vendor_report(const l2k_sim_ctrl *c, char *buf, size_t len);

/* "nc-mismatch", "reject", "key-mismatch", "cut-in-pairing" -> L2K_SIM_FAULT_*, or L2K_EINVAL. */
L2K_API int l2k_sim_fault_by_name(const char *name);

#ifdef __cplusplus
}
#endif
#endif
