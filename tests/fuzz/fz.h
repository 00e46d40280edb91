/* Fuzzing support shared by the harnesses in tests/fuzz/ (see docs/fuzzing.md).
 *
 * A "world" is a whole l2kit stack (HCI host + L2CAP engine) on an in-memory fake controller
 * (fz_world.c), driven with a virtual clock and no I/O, so every harness input can build a fresh
 * one and nothing leaks from one input into the next:
 *   - the fake controller answers bring-up and every later command like a well-behaved one;
 *   - an optional scripted peer (the "auto peer") answers the engine's signaling (information,
 *     connection, configuration, disconnection, LE / enhanced credit based connections) so that
 *     channels in every mode can be opened during set-up;
 *   - fz_script() interprets the fuzzer's bytes as a sequence of records: PDUs for a channel,
 *     signaling commands, raw L2CAP PDUs, raw ACL fragments, raw HCI events, virtual time,
 *     application calls (send, credits, close, connect, echo) - see fz_script.c for the format.
 * Internal test code: it includes the engine's internal headers.
 */
#ifndef L2K_FZ_H
#define L2K_FZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/l2kit.h"

#define FZ_MAX_CHANS 24
#define FZ_MAX_PEER_CHANS 32

/* Connection handles of the two links every world has after fz_world_links(). */
#define FZ_H_BREDR 0x0001
#define FZ_H_LE 0x0002

/* PSMs served by the world (BR/EDR servers, one per mode; LE SPSMs) */
#define FZ_PSM_BASIC 0x1001
#define FZ_PSM_RETRANS 0x1003
#define FZ_PSM_FLOWCTL 0x1005
#define FZ_PSM_ERTM 0x1007
#define FZ_PSM_STREAMING 0x1009
#define FZ_PSM_ECFC_BR 0x100B
#define FZ_SPSM_LE 0x0080
#define FZ_SPSM_ECFC 0x0081

struct fz_chan {
	l2k_chan *ch; /* NULL once closed */
	enum l2k_mode mode;
	bool open;
	bool pending; /* accept() deferred it (L2K_ACCEPT_PENDING) */
	uint16_t handle;
	uint16_t lcid; /* the engine's CID, valid once open */
};

/* What the scripted peer knows about a channel it takes part in. */
struct fz_peer_chan {
	bool used;
	uint16_t handle;
	uint16_t pcid; /* the peer's CID (the engine's remote CID) */
	uint16_t ecid; /* the engine's CID (0 until known) */
	bool conf_sent; /* the peer sent its own Configuration Request */
};

struct fz_world;

struct fz_world *fz_world_new(void);
void fz_world_free(struct fz_world *w);
l2k_stack *fz_stack(struct fz_world *w);

/* Bring the two links up: BR/EDR (peer-initiated Connection Request accepted by the host) and
 * LE (the local side is central when le_central).  Returns 0 or -1. */
int fz_world_links(struct fz_world *w, bool le_central);
/* Register one server per mode that this build supports (both link kinds). */
void fz_world_servers(struct fz_world *w);

/* Open a channel in mode m: initiated by the engine (l2k_chan_connect) or by the peer
 * (scripted request).  The auto peer must be on.  Returns the fz_chan index or -1 when the
 * mode is not built or the channel did not open. */
int fz_open(struct fz_world *w, enum l2k_mode m, bool local_initiator);
/* Every channel mode, the FZ_BREDR_CONF_MODES ones configured on BR/EDR first (the whole-stack
 * harness opens one channel in each; script records pick from them). */
#define FZ_NMODES 7
#define FZ_BREDR_CONF_MODES 5
extern const enum l2k_mode fz_modes[FZ_NMODES];
/* The same with the application's options for a locally initiated channel (NULL: the
 * harness's defaults, fz_chan_opts()). */
int fz_open_with(struct fz_world *w, enum l2k_mode m, bool local_initiator, const struct l2k_chan_opts *opts);
/* The options the harness opens and serves channels in mode m with. */
void fz_chan_opts(struct l2k_chan_opts *o, enum l2k_mode m);
/* The scripted peer answers the next count Configuration Requests it gets with result and
 * these options (at most FZ_CONF_ANSWER_MAX octets, taken as they are) instead of success with
 * the request's options mirrored. */
#define FZ_CONF_ANSWER_MAX 64
void fz_conf_answer(struct fz_world *w, int count, uint16_t result, const uint8_t *opts, size_t len);
/* l2k_chan_connect_ecfc(): n (1-5) enhanced credit based channels with one request, on the LE
 * or the BR/EDR link.  Returns n, or -1 (mode not built, no slots, refused at once). */
int fz_open_ecfc_group(struct fz_world *w, bool le, int n);

void fz_auto_peer(struct fz_world *w, bool on);
/* Servers defer incoming channels (accept() returns L2K_ACCEPT_PENDING) while on. */
void fz_defer_accept(struct fz_world *w, bool on);
bool fz_deferring(const struct fz_world *w);
/* After every script record, acknowledge every ACL packet the host sent (Number Of Completed
 * Packets) so that transmit paths keep flowing. */
void fz_auto_complete(struct fz_world *w, bool on);

/* Deliver one packet from the "controller" (queued, then processed by the stack). */
void fz_inject(struct fz_world *w, uint8_t type, const uint8_t *pkt, size_t len);
/* One L2CAP PDU (basic header added) on a link, as a single ACL packet. */
void fz_inject_pdu(struct fz_world *w, uint16_t handle, uint16_t cid, const uint8_t *payload,
		   size_t len, bool add_fcs);
/* One signaling command (header added) on the link's signaling channel. */
void fz_inject_sig(struct fz_world *w, uint16_t handle, uint8_t code, uint8_t ident,
		   const uint8_t *data, size_t len);
void fz_inject_event(struct fz_world *w, uint8_t code, const uint8_t *p, size_t n);
/* Let the stack process everything queued (bounded). */
void fz_pump(struct fz_world *w);
/* Move the virtual clock forward by ms, running every timer due on the way. */
void fz_advance(struct fz_world *w, uint64_t ms);

int fz_nchans(const struct fz_world *w);
struct fz_chan *fz_chan(struct fz_world *w, int i);

/* Taps on what the host sends: every whole L2CAP PDU on a link (basic header included; the
 * LE and BR/EDR links only), every HCI command (opcode first).  NULL: none. */
typedef void (*fz_pdu_tap)(void *user, uint16_t handle, const uint8_t *pdu, size_t len);
typedef void (*fz_cmd_tap)(void *user, const uint8_t *cmd, size_t len);
void fz_set_taps(struct fz_world *w, fz_pdu_tap pdu, fz_cmd_tap cmd, void *user);

/* Acknowledge every ACL packet the host sent (one Number Of Completed Packets event). */
void fz_complete_all(struct fz_world *w);
bool fz_auto_completing(const struct fz_world *w);
bool fz_auto_peering(const struct fz_world *w);
const l2k_addr *fz_peer_addr(const struct fz_world *w, bool le);
/* The channel most data records aim at (a mode harness's channel), -1 for none. */
void fz_set_target(struct fz_world *w, int idx);
int fz_target(const struct fz_world *w);

/* The record interpreter (fz_script.c): runs the fuzzer's bytes against the world. */
void fz_script(struct fz_world *w, const uint8_t *data, size_t size);

/* Harness bodies (fz_mode.c): a world with one channel in mode m (nothing when the build lacks
 * the mode), or with one channel in every mode, then the script. */
int fz_mode_run(enum l2k_mode m, const uint8_t *data, size_t size);
int fz_stack_run(const uint8_t *data, size_t size);

/* libFuzzer's entry point, defined by each fuzz_*.c */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Counters for sanity checks in harnesses. */
struct fz_stats {
	uint64_t sdus_delivered;
	uint64_t tx_acl;
	uint64_t dropped_inject;
};
const struct fz_stats *fz_world_stats(const struct fz_world *w);

/* Abort with a message when an invariant the harness checks does not hold (a finding). */
#define FZ_ASSERT(c)                                                                                \
	do {                                                                                        \
		if (!(c))                                                                           \
			fz_fail(__FILE__, __LINE__, #c);                                            \
	} while (0)
_Noreturn void fz_fail(const char *file, int line, const char *what);

#endif
