/* The security manager's internals, shared by sm/sm.c (links, levels, waiters, the agent),
 * sm/bredr.c (BR/EDR: the host's side of LMP pairing and encryption) and sm/smp*.c (LE SMP).
 * Nothing outside sm/ includes this. */
#ifndef L2K_SM_INT_H
#define L2K_SM_INT_H

#include "base/hci_defs.h"
#include "base/l2k_error.h"
#include "base/timer.h"
#include "sm/sm.h"

#define SM_MAX_LINKS 64
#define SM_MAX_WAITERS 8 /* sm_secure callers waiting on one link */

struct smp_pairing; /* LE SMP state of a pairing in progress (sm/smp.c) */

/* BR/EDR state of a link beyond the fields of struct sm_link (sm/bredr.c) */
struct sm_bredr_link {
	/* procedures this side started, until their end (busy stays set meanwhile) */
	bool auth_pending;    /* Authentication Requested sent: Authentication Complete to come */
	bool refresh_pending; /* Refresh Encryption Key sent (a new key on an encrypted link) */
	bool keysize_pending; /* Read Encryption Key Size sent (Encryption Change v1) */
	uint32_t auth_seq, enc_seq, refresh_seq; /* awaiting their Command Status (0: not) */
	uint8_t retries;      /* Command Disallowed answers in a row (another procedure ran) */
	/* pairing */
	bool active;	      /* a pairing is under way on the link */
	bool force_pair;      /* answer Link Key Request negatively: pair anew */
	bool dedicated;	      /* l2k_pair: Dedicated Bonding */
	bool stale_retried;   /* a stale stored key was deleted and pairing started again */
	bool peer_pairing;    /* the peer started this pairing (no Authentication Complete here) */
	bool legacy;	      /* this pairing is legacy PIN pairing (else Simple Pairing) */
	uint8_t spc_status;   /* Simple Pairing Complete's failure, until Authentication Complete */
	uint8_t tried_level;  /* the highest level this side authenticated / paired for */
	uint8_t paired_level; /* ... when a pairing of this side made the link's key (0: none) */
	uint8_t local_io, local_auth_req, local_oob, peer_oob;
	uint8_t pin_len;      /* legacy: length of the PIN this side gave */
	const char *step;     /* where the pairing is, for the failure reason */
	const char *refused;  /* this side refused (agent, policy): why */
	/* the link key in use (from the store, or made by pairing on this link) */
	bool key_known, key_auth, key_p256, key_from_store, key_stored;
	uint8_t key_type;
	uint8_t enc_type;     /* Encryption_Enabled of the last Encryption Change */
	/* the peer's host features (Security Mode 4): Read Remote Extended Features page 1 */
	uint32_t feat_seq;    /* awaiting its Command Status (0: not) */
	uint64_t feat_deadline; /* no answer by then: not Simple Pairing (0: none) */
	uint64_t feat_retry_at; /* the controller was busy: read again then (0: none) */
	uint8_t feat_tries;	/* reads sent */
	/* timed work (sm->br.timer): a failure reported outside the call that found it, a retry,
	 * the end of a responder's legacy pairing that never ended */
	int deferred_err;
	char deferred_why[160];
	uint64_t retry_at, deadline; /* 0: none */
};

/* What this side knows of the peer's host support for Secure Simple Pairing (BR/EDR): NO also
 * when it does not matter (our host has it off, the opt-out, LE), READING while Read Remote
 * Extended Features page 1 is under way (level 1 waiters are held until the answer). */
enum sm_peer_ssp { SM_SSP_NO = 0, SM_SSP_READING, SM_SSP_YES };

struct sm_waiter {
	sm_done_fn done;
	void *arg;
	uint8_t level; /* the level it waits for (0: sm_pair: any successful pairing) */
};

struct sm_link {
	bool used;
	uint16_t handle;
	bool le;
	uint8_t role; /* 0 central, 1 peripheral */
	l2k_addr peer;			/* as the controller reported it */
	enum l2k_addr_type peer_type;
	l2k_addr id_addr;		/* the peer's identity (LE: after IRK resolution / key distribution) */
	enum l2k_addr_type id_type;
	struct l2k_link_security sec;
	struct sm_waiter waiters[SM_MAX_WAITERS];
	int nwaiters;
	/* what the waiters need and what is under way */
	uint8_t want_level;
	bool busy;		/* authentication / encryption / pairing in progress */
	/* BR/EDR (sm/bredr.c) */
	uint8_t peer_ssp;	/* enum sm_peer_ssp: whether the peer's host supports Simple Pairing */
	uint8_t peer_io_cap, peer_auth_req;
	bool peer_io_known;
	bool pairing;		/* Simple Pairing or PIN pairing under way */
	bool enc_pending;	/* Set Connection Encryption sent */
	uint8_t pending_link_key_type; /* from Link Key Notification, until Authentication Complete */
	struct sm_bredr_link br;
	/* LE (sm/smp.c) */
	struct smp_pairing *smp;
	uint8_t smp_failures;	/* pairing failures in a row (repeated attempts back-off) */
	uint64_t smp_retry_at;	/* no new pairing before (ms) */
	/* the agent's question waiting for an answer */
	bool asking;
	struct l2k_agent_request ask;
};

struct sm {
	struct hci_host *hci;
	struct l2cap_engine *eng;
	struct sm_config cfg;
	struct l2k_key_store store;
	struct sm_ops ops;
	struct smp_global *smp_g; /* LE SMP state of the manager (sm/smp_int.h): made on first use */
	uint64_t now;
	struct timers timers;
	struct timer kick; /* due now: waiters whose level is already there are answered */
	struct sm_link links[SM_MAX_LINKS];
	l2k_addr local_addr;
	bool local_addr_known;
	/* BR/EDR (sm/bredr.c) */
	struct {
		struct timer timer; /* deferred failures, retries, deadlines of links */
		uint32_t seq;	    /* command sequence numbers (Command Status matching) */
		int oob_local_state; /* 0 nothing read, 1 read under way, 2 read, < 0 failed */
		struct l2k_oob_data oob_local;
		struct {
			bool used;
			l2k_addr peer;
			struct l2k_oob_data d;
		} oob_remote[L2K_OOB_MAX];
	} br;
};

/* ---- sm.c ---------------------------------------------------------------------------------- */
struct sm_link *sm_link_of(struct sm *sm, uint16_t handle);
/* The BR/EDR link to this address (events name the peer, not the handle), or NULL. */
struct sm_link *sm_link_by_addr(struct sm *sm, const uint8_t addr[6]);
/* Recompute l->sec.level from the other fields. */
void sm_update_level(struct sm *sm, struct sm_link *l);
/* The link's security changed: tell the application, wake the waiters whose level is reached,
 * and go on towards the highest level still wanted. */
void sm_security_changed(struct sm *sm, struct sm_link *l);
/* A security procedure on the link failed: every waiter gets err. */
void sm_fail_waiters(struct sm *sm, struct sm_link *l, int err);
/* Pairing ended (after the keys of a success were stored): ops->paired, waiters of sm_pair. */
void sm_pairing_done(struct sm *sm, struct sm_link *l, int err, const char *why);
/* Ask the agent (the answer comes back through sm_bredr_agent_answer / smp_agent_answer). */
void sm_ask(struct sm *sm, struct sm_link *l, enum l2k_agent_ask ask, uint32_t value);
/* What this side knows of the peer's Simple Pairing support changed: answer the waiters held
 * for it. */
void sm_peer_ssp_known(struct sm *sm, struct sm_link *l, bool ssp);
/* A procedure that kept the link busy ended without changing its security: go on towards the
 * highest level still wanted (what sm_security_changed does after its report). */
void sm_proceed(struct sm *sm, struct sm_link *l);

/* ---- bredr.c: BR/EDR ------------------------------------------------------------------------- */
/* A BR/EDR link came up: learn whether the peer's host supports Simple Pairing when it matters
 * (Read Remote Extended Features page 1). */
void sm_bredr_link_up(struct sm *sm, struct sm_link *l);
/* Move the link towards l->want_level: Authentication Requested, then Set Connection Encryption. */
void sm_bredr_start(struct sm *sm, struct sm_link *l);
/* A security event of BR/EDR (IO capability, confirmation, passkey, PIN, link key, authentication,
 * encryption, key refresh); returns true when it was one. */
bool sm_bredr_event(struct sm *sm, uint8_t code, const uint8_t *p, size_t len);
void sm_bredr_agent_answer(struct sm *sm, struct sm_link *l, bool accept, uint32_t passkey, const uint8_t *pin,
			   size_t pin_len);

/* ---- smp.c: LE SMP --------------------------------------------------------------------------- */
void smp_start(struct sm *sm, struct sm_link *l); /* pair or encrypt towards l->want_level */
void smp_rx(struct sm *sm, struct sm_link *l, const uint8_t *pdu, size_t len);
bool smp_event(struct sm *sm, uint8_t code, const uint8_t *p, size_t len); /* LTK request, encryption */
void smp_agent_answer(struct sm *sm, struct sm_link *l, bool accept, uint32_t passkey);
void smp_link_down(struct sm *sm, struct sm_link *l, uint8_t reason);
void smp_free(struct sm *sm);	      /* the manager ends */
/* The identity of an LE resolvable private address from the stored IRKs (when the store has no
 * resolve of its own): 0 and *out, or L2K_ENOENT. */
int smp_resolve(struct sm *sm, const l2k_addr *rpa, struct l2k_bond *out);

#endif
