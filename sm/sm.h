/* The security manager (Core Vol 3 Part C 5 "Security aspects", Part H "Security Manager"):
 * security levels, BR/EDR pairing decisions (the controller runs LMP pairing; the host answers
 * the IO capability, confirmation, passkey, PIN and link key requests), LE SMP on the fixed
 * channel 0x0006, encryption, bonding through a key store, and the agent that asks a person.
 *
 * Sans-I/O like the engine below it: fed HCI events (sm_hci_event), links coming and going,
 * SMP PDUs (through the L2CAP engine's fixed channel), the time (sm_tick), API calls and agent
 * answers; it sends HCI commands (hci_host_cmd) and SMP PDUs (l2cap_fixed_send), reports
 * through struct sm_ops.  The public face (api/) wires it between the HCI host, the engine,
 * the key store and the application.
 *
 * The vocabulary (levels, IO capabilities, the agent's questions, bonds, the key store) is the
 * public one of sm/l2k_security.h. */
#ifndef L2K_SM_H
#define L2K_SM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/l2k_types.h"
#include "hci/hci_host.h"
#include "sm/l2k_security.h"

struct sm;
struct l2cap_engine;

/* The IO capability and LE Maximum Encryption Key Size of the next pairings (l2k_pairing_caps):
 * 0 or L2K_EINVAL. */
int sm_set_caps(struct sm *sm, enum l2k_io_cap io_cap, uint8_t max_key_size);

/* ---- configuration and reports ------------------------------------------------------------ */

struct sm_config {
	enum l2k_io_cap io_cap;	   /* default L2K_IO_NO_INPUT_NO_OUTPUT */
	bool bondable;		   /* store keys (default true) */
	bool sc_only;		   /* refuse legacy pairing (Secure Connections Only mode) */
	uint8_t min_key_size;	   /* 7..16 (default 7: KNOB) */
	uint8_t max_key_size;	   /* LE: the Maximum Encryption Key Size we offer, 7..16 (16) */
	bool debug_keys;	   /* LE SC: use the debug key pair (2.3.5.6.1), for sniffing */
	uint32_t smp_timeout_ms;   /* 30000 (Vol 3 Part H 3.4) */
	uint8_t max_attempts;	   /* failed pairings in a row before the back-off (default 3) */
	/* BR/EDR: no Security Mode 4 minimum (sm_link_mode4 always 0): channels at level 1 stay
	 * unencrypted between Simple Pairing hosts */
	bool no_mode4;
	/* LE only */
	bool le_legacy_only;	   /* do not offer LE Secure Connections (an old peer's behaviour) */
	bool has_irk;		   /* distribute this IRK and the public address as our identity */
	uint8_t irk[16];
};
void sm_config_default(struct sm_config *c);

struct sm_ops {
	void *user;
	/* a question for the agent: answer later with sm_agent_reply (the request is copied) */
	void (*ask)(void *user, const struct l2k_agent_request *req);
	/* pairing (with or without bonding) ended: err 0, or the failure (L2K_EAUTH ..., see
	 * docs/security.md) with a readable reason */
	void (*paired)(void *user, uint16_t handle, const l2k_addr *peer, enum l2k_addr_type type, int err,
		       const char *why);
	/* the link's security changed (encrypted, key refreshed, level raised) */
	void (*changed)(void *user, uint16_t handle, const struct l2k_link_security *sec);
	/* a security procedure failed outside pairing (those go to paired): authentication with a
	 * stored key, encryption, a key shorter than min_key_size ...; the waiters get err */
	void (*failed)(void *user, uint16_t handle, int err, const char *why);
};

/* ---- the manager ---------------------------------------------------------------------------- */

struct sm *sm_new(struct hci_host *hci, struct l2cap_engine *eng, const struct sm_config *cfg,
		  const struct l2k_key_store *store, const struct sm_ops *ops);
void sm_free(struct sm *sm);

/* What the stack feeds it: every HCI event (it picks the security ones), links, the time. */
void sm_hci_event(struct sm *sm, const uint8_t *evt, size_t len);
void sm_link_up(struct sm *sm, const struct hci_link_info *li);
void sm_link_down(struct sm *sm, uint16_t handle, uint8_t reason);
void sm_tick(struct sm *sm, uint64_t now_ms);
uint64_t sm_next_timer(const struct sm *sm);

/* The link's security now (0 and *out, or L2K_ENOLINK). */
int sm_link_security(const struct sm *sm, uint16_t handle, struct l2k_link_security *out);
/* Whether the key store holds a key this side could encrypt the link with, whatever the link
 * has now: BR/EDR a link key; LE as central the peer's LTK (or a Secure Connections one), as
 * peripheral a Secure Connections LTK or the one it distributed.  What an acceptor answers a
 * link that is not encrypted depends on it (Vol 3 Part C 10.3.1, Table 10.2). */
bool sm_link_has_key(struct sm *sm, uint16_t handle);

/* Security Mode 4 (Vol 3 Part C 5.2.2) on the link: 1 when both hosts support Secure Simple
 * Pairing (a BR/EDR channel other than SDP then needs at least level 2: encryption with an
 * unauthenticated key), 0 when not (the peer's host is legacy, ours has Simple Pairing off,
 * no_mode4, an LE link, no such link), L2K_EAGAIN while the peer's host features are being read
 * (an sm_secure caller waiting for level 1 is answered only once they are known). */
int sm_link_mode4(const struct sm *sm, uint16_t handle);

/* ---- LE ------------------------------------------------------------------------------------ */

/* Our LE Secure Connections out-of-band data: r and C = f4(PKx, PKx, r, 0) for the key pair the
 * next pairings use (made on the first call; a new call makes a new pair).  0 or an error. */
int sm_le_oob_local(struct sm *sm, uint8_t r[16], uint8_t c[16]);
/* What we received out of band from peer, for the next pairings with it (NULL: forget). */
int sm_le_oob_peer(struct sm *sm, const l2k_addr *peer, enum l2k_addr_type type, const struct l2k_le_oob *oob);

/* SMP traffic and outcomes since the manager started (tests, tools). */
struct sm_smp_stats {
	uint64_t rx, tx;		/* SMP commands received / sent */
	uint64_t rx_refused;		/* received commands answered with Pairing Failed */
	uint64_t failed_sent, failed_rcvd; /* Pairing Failed sent / received */
	uint64_t pairings, encryptions; /* pairings that succeeded; LE encryptions started */
	uint64_t ltk_requests, ltk_negative; /* LTK Requests answered / refused */
};
void sm_smp_stats(const struct sm *sm, struct sm_smp_stats *out);

/* Raise the link to at least level (authenticate, encrypt, pair as needed; BR/EDR and LE):
 * done(arg, handle, err) follows exactly once - err 0 when the link has the level, else why
 * not - never inside this call.  Several callers may wait on one link. */
typedef void (*sm_done_fn)(void *arg, uint16_t handle, int err);
int sm_secure(struct sm *sm, uint16_t handle, uint8_t level, sm_done_fn done, void *arg);

/* Pair (and bond when bondable) with the peer on this link whatever its current security. */
int sm_pair(struct sm *sm, uint16_t handle, sm_done_fn done, void *arg);

/* The agent's answer to request req->handle/ask: accept (confirm, just works, authorize),
 * passkey (entry), pin/pin_len (legacy PIN).  0, or L2K_ENOENT when nothing waits. */
int sm_agent_reply(struct sm *sm, uint16_t handle, bool accept, uint32_t passkey, const uint8_t *pin,
		   size_t pin_len);

/* BR/EDR Out of Band data (sm/bredr.c).  sm_oob_local_read asks the controller for ours (Read
 * Local OOB [Extended] Data): 0 (sm_oob_local_result then gives 0 and the data, L2K_EAGAIN while
 * the controller has not answered, or why it failed), L2K_ENOTSUP (no BR/EDR or no Simple
 * Pairing), or the command queue's error.  sm_oob_remote: the peer's data (NULL: forget it);
 * 0, L2K_ENOBUFS (L2K_OOB_MAX peers have data). */
int sm_oob_local_read(struct sm *sm);
int sm_oob_local_result(const struct sm *sm, struct l2k_oob_data *out);
int sm_oob_remote(struct sm *sm, const l2k_addr *peer, const struct l2k_oob_data *data);

#endif
