/* l2kit's security vocabulary: security levels, IO capabilities, the agent's questions, bonds
 * and the key store interface.  Part of the public API (installed as <l2kit/l2k_security.h>,
 * included by <l2kit/l2kit.h>); the security manager (sm/) speaks it too.  docs/security.md
 * explains levels, association models, the key store file and the agent. */
#ifndef L2K_SECURITY_H
#define L2K_SECURITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <l2kit/l2k_types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The security levels (enum l2k_sec_level) are in <l2kit/l2k_types.h>: channels ask for them. */

/* IO capabilities (Vol 3 Part C 5.2.2.4, Part H 2.3.2) */
enum l2k_io_cap {
	L2K_IO_DISPLAY_ONLY = 0x00,
	L2K_IO_DISPLAY_YESNO = 0x01,
	L2K_IO_KEYBOARD_ONLY = 0x02,
	L2K_IO_NO_INPUT_NO_OUTPUT = 0x03,
	L2K_IO_KEYBOARD_DISPLAY = 0x04,
};

/* What a link has now. */
struct l2k_link_security {
	bool encrypted;
	uint8_t key_size;   /* octets, 0 when not encrypted */
	bool authenticated; /* the key was made with MITM protection */
	bool secure_conn;   /* P-256 (BR/EDR Secure Connections, LE Secure Connections) */
	bool bonded;	    /* the key is stored */
	uint8_t level;	    /* enum l2k_sec_level */
};

/* ---- the agent: what a person (or the application for them) decides ----------------------- */

enum l2k_agent_ask {
	L2K_ASK_CONFIRM = 1,	     /* numeric comparison: show value, answer yes or no */
	L2K_ASK_JUST_WORKS = 2,	     /* Just Works: answer yes to pair (no value to compare) */
	L2K_ASK_PASSKEY_ENTRY = 3,   /* type the passkey the peer shows: answer with it */
	L2K_ASK_PASSKEY_DISPLAY = 4, /* show value to be typed on the peer: no answer */
	L2K_ASK_PIN = 5,	     /* legacy pairing: answer with a PIN (1..16 characters) */
	L2K_ASK_AUTHORIZE = 6,	     /* may this peer use the service psm: yes or no */
};

struct l2k_agent_request {
	uint16_t handle;
	l2k_addr peer;
	enum l2k_addr_type peer_type;
	enum l2k_agent_ask ask;
	uint32_t value; /* the 6-digit number (confirm, passkey display) */
	uint16_t psm;	/* L2K_ASK_AUTHORIZE */
};

/* ---- Out of Band data (BR/EDR Secure Simple Pairing, Vol 2 Part H 7.2.2) ------------------
 * A device's commitment C and randomizer R: P-192 (Simple Pairing) and/or P-256 (Secure
 * Connections), octets in HCI order (as Read Local OOB [Extended] Data returns them). */
struct l2k_oob_data {
	bool has_p192, has_p256;
	uint8_t c192[16], r192[16];
	uint8_t c256[16], r256[16];
};
#define L2K_OOB_MAX 8 /* peers whose OOB data a stack keeps at once (l2k_oob_remote) */

/* ---- bonds and the key store ------------------------------------------------------------- */

struct l2k_bond {
	l2k_addr peer;		       /* identity address */
	enum l2k_addr_type peer_type;  /* L2K_ADDR_BREDR, or the LE identity address type */
	/* BR/EDR */
	bool has_link_key;
	uint8_t link_key[16];
	uint8_t link_key_type;	       /* HCI key type 0x00..0x08 */
	uint8_t pin_len;	       /* legacy: length of the PIN it came from */
	/* LE: the peer's LTK (used when we are central) and ours (when peripheral); LE Secure
	 * Connections: one LTK both ways (in ltk, with ediv 0 and rand 0) */
	bool has_ltk, has_local_ltk;
	uint8_t ltk[16], local_ltk[16];
	uint16_t ediv, local_ediv;
	uint8_t rand[8], local_rand[8];
	bool has_irk, has_csrk;
	uint8_t irk[16];
	uint8_t csrk[16];
	/* for every key */
	uint8_t key_size; /* octets */
	bool authenticated;
	bool secure_conn;
};

/* A key store: the stack keeps bonds through it.  get: 0 and *out, or L2K_ENOENT; put replaces
 * what is stored for that peer; del: 0 or L2K_ENOENT; list: up to max bonds into out, returns
 * how many there are; resolve (may be NULL): the bond whose IRK resolves a resolvable private
 * address.  Calls come from the thread that drives the stack.  l2kit's default store is a file
 * (docs/security.md, l2k_stack_opts.key_file). */
struct l2k_key_store {
	void *user;
	int (*get)(void *user, const l2k_addr *peer, enum l2k_addr_type type, struct l2k_bond *out);
	int (*put)(void *user, const struct l2k_bond *bond);
	int (*del)(void *user, const l2k_addr *peer, enum l2k_addr_type type);
	int (*list)(void *user, struct l2k_bond *out, int max);
	int (*resolve)(void *user, const l2k_addr *rpa, struct l2k_bond *out);
};

/* ---- LE out-of-band pairing data (Vol 3 Part H 2.3.5.4, 2.3.5.6.4) ------------------------
 * What this side received from a peer out of band (NFC, a QR code...), for l2k_le_oob_peer:
 * legacy pairing takes a 128-bit TK both sides know; LE Secure Connections the peer's random r
 * and confirm value C (from its l2k_le_oob_local).  Octets in air order (least significant
 * first). */
struct l2k_le_oob {
	bool has_tk;
	uint8_t tk[16];
	bool has_sc;
	uint8_t r[16], c[16];
};

#ifdef __cplusplus
}
#endif
#endif
