/* LE Security Manager Protocol internals (Core Vol 3 Part H), shared by the sm/smp*.c files:
 *   smp_pdu.c   the PDU codec: one parser per command with its length and range checks;
 *   smp.c       the pairing state machine: feature exchange, association model, legacy pairing
 *               (c1/s1), key distribution, Security Request, timeout, failures, back-off;
 *   smp_sc.c    LE Secure Connections: public keys, the authentication stage 1 of each model
 *               (f4, g2), the DHKey checks (f5, f6);
 *   smp_hci.c   the controller side: LE Enable Encryption, the Long Term Key Request, the
 *               Encryption Change / Key Refresh events, bonds in the key store, resolvable
 *               private addresses (ah), out-of-band data.
 * Nothing outside sm/ includes this. */
#ifndef L2K_SM_SMP_INT_H
#define L2K_SM_SMP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sm/sm_int.h"
#include "sm/smp_crypto.h"

/* ---- the protocol (Vol 3 Part H 3) ---------------------------------------------------------- */

/* Command codes (3.3, Table 3.1) */
enum smp_code {
	SMP_PAIRING_REQ = 0x01,
	SMP_PAIRING_RSP = 0x02,
	SMP_PAIRING_CONFIRM = 0x03,
	SMP_PAIRING_RANDOM = 0x04,
	SMP_PAIRING_FAILED = 0x05,
	SMP_ENCRYPTION_INFO = 0x06,
	SMP_CENTRAL_ID = 0x07,
	SMP_IDENTITY_INFO = 0x08,
	SMP_IDENTITY_ADDR_INFO = 0x09,
	SMP_SIGNING_INFO = 0x0A,
	SMP_SECURITY_REQ = 0x0B,
	SMP_PAIRING_PUBLIC_KEY = 0x0C,
	SMP_PAIRING_DHKEY_CHECK = 0x0D,
	SMP_KEYPRESS_NOTIFICATION = 0x0E,
};
#define SMP_CODE_MAX 0x0E

/* Pairing Failed reasons (3.5.5, Table 3.7) */
enum smp_reason {
	SMP_ERR_PASSKEY_ENTRY_FAILED = 0x01,
	SMP_ERR_OOB_NOT_AVAILABLE = 0x02,
	SMP_ERR_AUTH_REQUIREMENTS = 0x03,
	SMP_ERR_CONFIRM_VALUE_FAILED = 0x04,
	SMP_ERR_PAIRING_NOT_SUPPORTED = 0x05,
	SMP_ERR_ENCRYPTION_KEY_SIZE = 0x06,
	SMP_ERR_COMMAND_NOT_SUPPORTED = 0x07,
	SMP_ERR_UNSPECIFIED = 0x08,
	SMP_ERR_REPEATED_ATTEMPTS = 0x09,
	SMP_ERR_INVALID_PARAMETERS = 0x0A,
	SMP_ERR_DHKEY_CHECK_FAILED = 0x0B,
	SMP_ERR_NUMERIC_COMPARISON_FAILED = 0x0C,
	SMP_ERR_BREDR_PAIRING_IN_PROGRESS = 0x0D,
	SMP_ERR_CTKD_NOT_ALLOWED = 0x0E,
	SMP_ERR_KEY_REJECTED = 0x0F,
};

/* AuthReq (3.5.1, Figure 3.3) */
#define SMP_AUTH_BONDING 0x01 /* Bonding_Flags 0b01 (0b00: no bonding; others reserved) */
#define SMP_AUTH_BONDING_MASK 0x03
#define SMP_AUTH_MITM 0x04
#define SMP_AUTH_SC 0x08
#define SMP_AUTH_KEYPRESS 0x10
#define SMP_AUTH_CT2 0x20

/* Key distribution (3.6.1, Figure 3.11) */
#define SMP_DIST_ENC 0x01  /* legacy: Encryption Information + Central Identification */
#define SMP_DIST_ID 0x02   /* Identity Information + Identity Address Information */
#define SMP_DIST_SIGN 0x04 /* Signing Information */
#define SMP_DIST_LINK 0x08 /* SC: derive the BR/EDR link key (not done here) */

#define SMP_MIN_KEY_SIZE 7
#define SMP_MAX_KEY_SIZE 16
#define SMP_PDU_MAX 65 /* Pairing Public Key */

/* Keypress notification types (3.5.8) */
#define SMP_KEYPRESS_MAX 4

/* One decoded SMP command. */
struct smp_pairing_params {
	uint8_t io_cap, oob, auth_req, max_key_size, init_dist, resp_dist;
};
struct smp_pdu {
	uint8_t code;
	union {
		struct smp_pairing_params pairing; /* Pairing Request / Response */
		uint8_t value[16];	/* Confirm, Random, LTK, IRK, CSRK, DHKey Check (air order) */
		uint8_t reason;		/* Pairing Failed */
		struct {
			uint16_t ediv;
			uint8_t rand[8];
		} central_id;
		struct {
			uint8_t type; /* 0x00 public, 0x01 static random */
			uint8_t addr[6];
		} id_addr;
		uint8_t auth_req;	/* Security Request */
		uint8_t public_key[64]; /* X then Y, air order */
		uint8_t keypress;	/* notification type */
	} u;
};

/* smp_pdu.c.  smp_parse: 0 and *out, or the Pairing Failed reason that answers the PDU (> 0):
 * Invalid Parameters for a length that is not the command's (3.3: every command has one fixed
 * length) or a field outside its range (3.5.1: IO capability, OOB flag; 3.6.5: address type;
 * 3.5.8: keypress type), Encryption Key Size for a Maximum Encryption Key Size below 7,
 * Command Not Supported for a reserved code.  Values the state machine judges (key sizes
 * against the local minimum, the key itself) are left to it. */
int smp_parse(const uint8_t *p, size_t len, struct smp_pdu *out);
/* The command's length on the air (Code included), 0 for a reserved code. */
size_t smp_pdu_len(uint8_t code);
/* Encodes pdu into buf (SMP_PDU_MAX octets): the length, 0 for a reserved code. */
size_t smp_build(const struct smp_pdu *pdu, uint8_t *buf);
/* Names for messages and traces. */
const char *smp_code_name(uint8_t code);
const char *smp_reason_name(uint8_t reason);

/* ---- the state of a pairing on a link ------------------------------------------------------- */

/* Association models (2.3.5.1) */
enum smp_method {
	SMP_JUST_WORKS,
	SMP_NUMERIC_COMPARISON, /* LE Secure Connections only */
	SMP_PASSKEY_DISPLAY,	/* this side shows the passkey, the peer types it */
	SMP_PASSKEY_ENTRY,	/* this side types the passkey the peer shows */
	SMP_PASSKEY_BOTH,	/* both sides type the same passkey (two keyboards) */
	SMP_OOB,
};

enum smp_state {
	SMP_S_SECREQ,	     /* peripheral: Security Request sent, waiting for the central */
	SMP_S_ENCRYPTING,    /* central: encrypting with a stored key (no pairing) */
	SMP_S_PAIR_RSP,	     /* central: Pairing Request sent */
	SMP_S_PHASE2,	     /* authentication: confirm / random / public keys / DHKey check */
	SMP_S_START_ENC,     /* phase 2 done: the central encrypts, the peripheral waits for it */
	SMP_S_KEYS,	     /* key distribution */
	SMP_S_DEAD,	     /* the SMP timer expired: no SMP on this link until it reconnects (3.4) */
	SMP_S_FAILING,	     /* nothing under way: a failure is reported from the next tick */
};

/* What the key the link is being encrypted with is worth (set when encryption starts or the
 * LTK Request is answered, applied by the Encryption Change / Key Refresh). */
struct smp_key_info {
	bool valid;
	uint8_t key_size;
	bool authenticated, secure_conn, bonded;
};

struct smp_pairing {
	struct sm *sm;
	uint16_t handle;
	enum smp_state state;
	struct timer timeout; /* the Security Manager Timer (3.4) */
	struct timer later;   /* due now: a failure reported outside the call that found it */
	int later_err;
	const char *later_why;
	bool initiator; /* this side sent the Pairing Request (the central) */
	bool sc;	/* LE Secure Connections */
	bool bond;	/* both sides asked for bonding and we are bondable: keys are stored */
	bool mitm_needed; /* this side requires an authenticated key */
	enum smp_method method;
	uint8_t want_level;	 /* the level this pairing was started for */
	uint8_t preq[7], pres[7]; /* the Pairing Request / Response as sent (c1, f6's IOcap) */
	uint8_t key_size;
	uint8_t dist_local, dist_peer; /* keys still to send / still to receive */
	uint8_t expect;		 /* the SMP command expected next (0: none now) */
	/* addresses of the connection: initiator then responder (type 0 public, 1 random) */
	uint8_t ia_type, ra_type;
	uint8_t ia[6], ra[6];
	/* the user's part */
	bool user_wait;	 /* a question is open */
	bool user_ok;	 /* confirmation given / passkey known */
	uint32_t passkey;
	/* legacy pairing */
	uint8_t tk[16];
	uint8_t local_rand[16], peer_rand[16]; /* Mrand / Srand */
	uint8_t local_confirm[16], peer_confirm[16];
	bool have_peer_confirm;
	/* LE Secure Connections */
	struct crypto_p256_key *key;
	bool key_borrowed; /* the key is the OOB key pair owned by struct smp_global */
	uint8_t pk_local[64], pk_peer[64];
	uint8_t dhkey[32];
	uint8_t na[16], nb[16]; /* the initiator's / responder's nonce (this round in passkey entry) */
	uint8_t round;		/* passkey entry: bit 0..19 */
	uint8_t ra_oob[16], rb_oob[16]; /* r of the initiator / responder (OOB, passkey: the passkey) */
	uint8_t mackey[16];
	uint8_t peer_check[16];
	bool have_peer_check;
	/* the key the link is being encrypted with, and what it is worth */
	uint8_t enc_key[16];
	/* the bond as it is collected */
	struct l2k_bond b;
	bool got_enc_info, got_id_info;
};

/* LE state of the whole manager (sm->smp_g): repeated-attempt records, out-of-band data,
 * the pending LE Enable Encryption commands, counters. */
#define SMP_ATTEMPT_PEERS 16
#define SMP_OOB_PEERS 8
#define SMP_BACKOFF_BASE_MS 2000u
#define SMP_BACKOFF_MAX_SHIFT 6

struct smp_cmd_ctx; /* an HCI command's callback context (smp_hci.c) */

struct smp_global {
	struct {
		bool used;
		l2k_addr addr;
		enum l2k_addr_type type;
		uint8_t failures;
		uint64_t retry_at;
		uint64_t last;
	} attempts[SMP_ATTEMPT_PEERS];
	struct {
		bool used;
		l2k_addr addr;
		enum l2k_addr_type type;
		struct l2k_le_oob oob;
	} oob[SMP_OOB_PEERS];
	/* our Secure Connections OOB data: the key pair it was made for and r */
	struct crypto_p256_key *oob_key;
	uint8_t oob_r[16];
	struct smp_cmd_ctx *cmds;
	struct smp_key_info lk[SM_MAX_LINKS]; /* per link slot (sm->links) */
	struct sm_smp_stats stats;
	char why[128]; /* the text of the last failure (ops->paired copies it at once) */
};

/* ---- smp.c: the manager's LE state, the pairing object, commands in and out ------------------ */
struct smp_global *smp_global(struct sm *sm);
/* Bring sm->now up to the stack's clock (at every entry from outside: commands, events, calls). */
void smp_sync_now(struct sm *sm);
struct sm_link *smp_link(struct smp_pairing *p);
/* Send one command on the link (and restart the Security Manager Timer: 3.4). */
int smp_send(struct sm *sm, struct sm_link *l, const struct smp_pdu *pdu);
int smp_send_value(struct sm *sm, struct sm_link *l, uint8_t code, const uint8_t v[16]);
/* Pairing fails: Pairing Failed with reason (0: none is sent, e.g. the peer's own Pairing
 * Failed), the state is dropped, waiters and the application learn err and why. */
void smp_fail(struct sm *sm, struct sm_link *l, uint8_t reason, int err, const char *why);
/* Pairing Failed for a reason found locally: err from the reason. */
void smp_abort(struct sm *sm, struct sm_link *l, uint8_t reason, const char *why);
/* Phase 2 ended with this key (STK, or the SC LTK): encrypt (central) or wait (peripheral). */
void smp_phase2_done(struct sm *sm, struct sm_link *l, const uint8_t key[16]);
/* The link is encrypted (status 0) or encryption failed (HCI status). */
void smp_encrypted(struct sm *sm, struct sm_link *l, uint8_t status);
/* Ask the agent; the answer may come inside the call (callers touch nothing after it). */
void smp_ask_user(struct sm *sm, struct sm_link *l, enum l2k_agent_ask ask, uint32_t value);
/* Key distribution done: the bond is stored, the pairing succeeded. */
void smp_pairing_complete(struct sm *sm, struct sm_link *l);
void smp_key_info(const struct smp_pairing *p, struct smp_key_info *k);
/* A text for a failure, kept in the manager until the next one. */
const char *smp_why(struct sm *sm, const char *fmt, ...);
/* The association model (2.3.5.1) from this side's and the peer's Pairing Request/Response
 * fields; sc: both sides set the SC bit; initiator: this side sent the request. */
enum smp_method smp_association(bool sc, bool initiator, const struct smp_pairing_params *ours,
				const struct smp_pairing_params *peer);
/* The highest level a waiter of the link wants (0: none). */
uint8_t smp_wanted(const struct sm_link *l);
/* A random passkey 0..999999; 0 or an error. */
int smp_random_passkey(uint32_t *out);
/* The passkey as a 128-bit value (air order). */
void smp_passkey_value(uint32_t passkey, uint8_t out[16]);

/* The pairing object of the link in state st (the timer armed, except for the states that
 * send nothing), and its end; NULL without memory. */
struct smp_pairing *smp_pairing_new(struct sm *sm, struct sm_link *l, enum smp_state st);
void smp_pairing_free(struct sm *sm, struct sm_link *l);
/* Repeated attempts (2.3.6): whether the peer must still wait; a pairing's outcome. */
bool smp_backing_off(struct sm *sm, const struct sm_link *l);
void smp_attempt_result(struct sm *sm, const struct sm_link *l, bool ok);
void smp_send_failed(struct sm *sm, struct sm_link *l, uint8_t reason);
/* err to the link's waiters, and to the application when a pairing was under way. */
void smp_report_failure(struct sm *sm, struct sm_link *l, int err, const char *why);
/* The same from the next tick (inside sm_secure / sm_pair nothing is reported). */
void smp_fail_later(struct sm *sm, struct sm_link *l, int err, const char *why);

/* ---- smp_start.c: starting and ending (phase 1, Security Request, encryption, the bond) ---- */
void smp_rx_pairing_req(struct sm *sm, struct sm_link *l, const struct smp_pdu *d, const uint8_t *raw);
void smp_rx_pairing_rsp(struct sm *sm, struct sm_link *l, const struct smp_pdu *d, const uint8_t *raw);
void smp_rx_security_req(struct sm *sm, struct sm_link *l, const struct smp_pdu *d);

/* ---- smp_legacy.c: legacy pairing's phase 2, and key distribution ---------------------------- */
void smp_legacy_begin(struct sm *sm, struct sm_link *l);
void smp_legacy_rx(struct sm *sm, struct sm_link *l, const struct smp_pdu *pdu);
void smp_legacy_user(struct sm *sm, struct sm_link *l);
/* Encrypted with the new key: the responder sends its keys, the initiator waits for them. */
void smp_keys_start(struct sm *sm, struct sm_link *l);
void smp_keys_rx(struct sm *sm, struct sm_link *l, const struct smp_pdu *pdu);

/* ---- smp_sc.c --------------------------------------------------------------------------------- */
/* After the feature exchange: the initiator sends its public key. */
void smp_sc_start(struct sm *sm, struct sm_link *l);
/* Phase 2 commands of LE Secure Connections. */
void smp_sc_rx(struct sm *sm, struct sm_link *l, const struct smp_pdu *pdu);
/* The user answered (confirmation, passkey). */
void smp_sc_user(struct sm *sm, struct sm_link *l);
void smp_sc_free(struct smp_pairing *p);

/* ---- smp_hci.c -------------------------------------------------------------------------------- */
/* LE Enable Encryption with key/ediv/rand (central), the key worth k.  0 or an error (nothing
 * sent). */
int smp_hci_encrypt(struct sm *sm, struct sm_link *l, const uint8_t key[16], uint16_t ediv, const uint8_t rand[8],
		    const struct smp_key_info *k);
/* The link came or went: its LE records start afresh. */
void smp_link_reset(struct sm *sm, struct sm_link *l);
/* The stored bond of the link's peer (by its identity): 0 and *out, or L2K_ENOENT. */
int smp_bond_get(struct sm *sm, const struct sm_link *l, struct l2k_bond *out);
/* Out-of-band data this side holds for the peer (NULL: none). */
const struct l2k_le_oob *smp_oob_for(struct sm *sm, const struct sm_link *l);
/* The local address of the connection (type 0 public: l2kit connects with its public address). */
void smp_local_addr(struct sm *sm, uint8_t *type, uint8_t addr[6]);
void smp_hci_free(struct sm *sm);

#endif
