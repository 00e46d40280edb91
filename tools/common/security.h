/* Security in the l2kit tools (l2cat, l2ping, l2pair): the shared options, the agent that asks
 * a person on the terminal (or answers for --auto-accept), and the messages of security
 * failures.  One stack per tool process, so the agent's state is the process's.
 *
 * The options: --security low|medium|high|fips, --io-cap noio|display|yesno|keyboard|
 * keyboard-display, --keys FILE, --passkey N, --pin PIN, --auto-accept, --no-bonding,
 * --sc-only, --min-key-size N, --legacy-pairing, --no-mode4 (docs/security.md, "Tools").
 *
 * The agent is the stack's cbs->agent: every question comes to it on the thread that drives the
 * stack.  What needs no person is answered there at once (Just Works; with --auto-accept a
 * numeric comparison; a passkey entry with --passkey; a PIN request with --pin); a passkey to
 * display is printed.  The rest goes to the agent's own thread, which asks on the terminal
 * (/dev/tty: never stdin, which is l2cat's data), reads the answer and replies with
 * l2k_agent_reply: from that thread when the stack runs on its own thread (l2k_start: threaded),
 * else through tool_agent_pump() from the thread that drives the stack (tool_run_until does it).
 * Without a terminal such a question is refused at once, with a message naming --auto-accept. */
#ifndef L2K_TOOL_SECURITY_H
#define L2K_TOOL_SECURITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <l2kit/l2kit.h>

/* getopt_long codes of the security options (above every tool's own) */
enum {
	TOOL_O_SECURITY = 0x700,
	TOOL_O_IOCAP,
	TOOL_O_KEYS,
	TOOL_O_PASSKEY,
	TOOL_O_PIN,
	TOOL_O_AUTO_ACCEPT,
	TOOL_O_NO_BONDING,
	TOOL_O_SC_ONLY,
	TOOL_O_MIN_KEY_SIZE,
	TOOL_O_LEGACY,
	TOOL_O_NO_MODE4,
};

/* For a tool's struct option array. */
#define TOOL_SEC_LONGOPTS                                                                                 \
	{"security", required_argument, 0, TOOL_O_SECURITY}, {"io-cap", required_argument, 0, TOOL_O_IOCAP}, \
	    {"keys", required_argument, 0, TOOL_O_KEYS}, {"passkey", required_argument, 0, TOOL_O_PASSKEY},   \
	    {"pin", required_argument, 0, TOOL_O_PIN}, {"auto-accept", no_argument, 0, TOOL_O_AUTO_ACCEPT},   \
	    {"no-bonding", no_argument, 0, TOOL_O_NO_BONDING}, {"sc-only", no_argument, 0, TOOL_O_SC_ONLY},   \
	    {"min-key-size", required_argument, 0, TOOL_O_MIN_KEY_SIZE},                                      \
	    {"legacy-pairing", no_argument, 0, TOOL_O_LEGACY}, {"no-mode4", no_argument, 0, TOOL_O_NO_MODE4}

struct tool_sec {
	uint8_t level; /* --security: 1..4 (0: not given, nothing required) */
	/* io_cap, key_file, no_bonding, sc_only, min_key_size, legacy_pairing, no_mode4.  The library's own
	 * auto_accept, passkey and pin stay unset: the tool's agent answers (and shows what it did). */
	struct l2k_security_opts opts;
	bool auto_accept;
	bool has_passkey;
	uint32_t passkey;
	const char *pin;
	bool verbose; /* the tool's -v: Just Works and link security changes are reported too */
};

void tool_sec_init(struct tool_sec *ts);
/* One getopt_long result: 1 when it was a security option (taken), 0 when it is not one, -1 for
 * a bad value ("PROG: bad value ..." printed: the tool exits 2). */
int tool_sec_opt(const char *prog, struct tool_sec *ts, int opt, const char *val);
/* The options' --help lines; level_what says what --security does in this tool (lines of at
 * most 70 characters, separated by \n). */
void tool_sec_usage(FILE *f, const char *level_what);

/* "low", "medium", "high", "fips" ("none" for 0). */
const char *tool_sec_level_name(uint8_t level);
/* "AA:BB:CC:DD:EE:FF" for BR/EDR, "AA:BB:CC:DD:EE:FF/le-public" ... for LE. */
char *tool_peer_str(const l2k_addr *a, enum l2k_addr_type type, char out[32]);
/* A link's security as a person reads it: "level 4 (fips): encrypted with a 16-octet key,
 * authenticated key, Secure Connections (P-256), bonded". */
void tool_sec_link_str(char *buf, size_t len, const struct l2k_link_security *ls);
/* An HCI link key type (0x00..0x08) in words: "authenticated P-256 (Secure Connections)". */
const char *tool_link_key_type_str(uint8_t type);

/* ---- the agent ------------------------------------------------------------------------------ */

/* Before the stack opens: sets cbs->agent, and cbs->paired and cbs->security when the tool left
 * them NULL (a tool with its own calls tool_sec_paired / tool_sec_changed from them).  threaded:
 * the stack will run on its own thread (l2k_start).  Opens the terminal when questions may go to
 * a person (no --auto-accept). */
void tool_agent_init(const char *prog, const struct tool_sec *ts, bool threaded, struct l2k_stack_cbs *cbs);
/* The stack the agent answers for (tool_stack_up calls it as soon as the stack exists). */
void tool_agent_attach(l2k_stack *s);
/* Start asking: after l2k_start when threaded, after the stack is up otherwise. */
void tool_agent_start(void);
/* Stop and join the agent's thread: before l2k_stack_close. */
void tool_agent_stop(void);
/* Not threaded: give the stack the answers typed meanwhile (from the thread that drives it). */
void tool_agent_pump(void);
/* A question waits for a person, or an answer for tool_agent_pump. */
bool tool_agent_busy(void);

/* What the tools do with cbs->paired and cbs->security (the defaults tool_agent_init sets):
 * questions about that peer are withdrawn, a failure is printed ("PROG: pairing with ADDR failed:
 * WHY") and kept as the last failure; with verbose, successes and changes are printed. */
void tool_sec_paired(const l2k_addr *peer, enum l2k_addr_type type, int err, const char *why);
void tool_sec_changed(uint16_t handle, const struct l2k_link_security *ls);
/* cbs->error: a security failure outside pairing (authentication with a stored key, encryption,
 * the key size) is printed as such and kept as the last failure: true; false for other errors
 * (the tool prints them its way). */
bool tool_sec_error(int err, const char *msg);
/* The last security failure in words ("" when none). */
const char *tool_sec_last_failure(void);

/* The event face's run loop with the agent: l2k_run_until, but answers typed on the terminal
 * reach the stack while it runs (in 20 ms steps while a question waits).  0 when done(arg),
 * L2K_ETIMEDOUT, or the transport's error. */
int tool_run_until(l2k_stack *s, bool (*done)(void *arg), void *arg, int timeout_ms);

#endif
