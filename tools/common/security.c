/* Security in the l2kit tools: options, the terminal agent, failure messages; see security.h. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifndef _WIN32
#include <termios.h>
#endif

#include "tools/common/security.h"
#include "tools/common/tool.h"
#include "tools/common/tool_os.h"

/* ---- options ------------------------------------------------------------------------------ */

void tool_sec_init(struct tool_sec *ts)
{
	memset(ts, 0, sizeof(*ts));
	l2k_security_opts_default(&ts->opts);
}

static const char *const level_names[] = {"none", "low", "medium", "high", "fips"};

const char *tool_sec_level_name(uint8_t level)
{
	return level < 5 ? level_names[level] : "?";
}

static const struct {
	const char *name;
	enum l2k_io_cap cap;
} io_caps[] = {
	{"noio", L2K_IO_NO_INPUT_NO_OUTPUT},
	{"display", L2K_IO_DISPLAY_ONLY},
	{"yesno", L2K_IO_DISPLAY_YESNO},
	{"keyboard", L2K_IO_KEYBOARD_ONLY},
	{"keyboard-display", L2K_IO_KEYBOARD_DISPLAY},
};

/* A passkey as a person types it: 1..6 decimal digits (leading zeros are decimal, not octal). */
static int parse_passkey(const char *s, uint32_t *out)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 1 || n > 6 || strspn(s, "0123456789") != n)
		return -1;
	*out = (uint32_t)strtoul(s, NULL, 10);
	return 0;
}

int tool_sec_opt(const char *prog, struct tool_sec *ts, int opt, const char *val)
{
	unsigned long v;
	switch (opt) {
	case TOOL_O_SECURITY:
		for (uint8_t l = 1; l < 5; l++)
			if (val && !strcmp(val, level_names[l])) {
				ts->level = l;
				return 1;
			}
		tool_bad_value(prog, "--security", val, "low, medium, high or fips");
		return -1;
	case TOOL_O_IOCAP:
		for (size_t i = 0; i < sizeof(io_caps) / sizeof(io_caps[0]); i++)
			if (val && !strcmp(val, io_caps[i].name)) {
				ts->opts.io_cap = io_caps[i].cap;
				return 1;
			}
		tool_bad_value(prog, "--io-cap", val, "noio, display, yesno, keyboard or keyboard-display");
		return -1;
	case TOOL_O_KEYS:
		if (!val || !*val) {
			tool_bad_value(prog, "--keys", val, "a file name");
			return -1;
		}
		ts->opts.key_file = val;
		return 1;
	case TOOL_O_PASSKEY:
		if (parse_passkey(val, &ts->passkey) < 0) {
			tool_bad_value(prog, "--passkey", val, "a passkey, 000000..999999");
			return -1;
		}
		ts->has_passkey = true;
		return 1;
	case TOOL_O_PIN:
		if (!val || strlen(val) < 1 || strlen(val) > 16) {
			tool_bad_value(prog, "--pin", val, "a PIN of 1..16 characters");
			return -1;
		}
		ts->pin = val;
		return 1;
	case TOOL_O_AUTO_ACCEPT: ts->auto_accept = true; return 1;
	case TOOL_O_NO_BONDING: ts->opts.no_bonding = true; return 1;
	case TOOL_O_SC_ONLY: ts->opts.sc_only = true; return 1;
	case TOOL_O_MIN_KEY_SIZE:
		if (tool_opt_uint(prog, "--min-key-size", val, 7, 16, "octets, 7..16", &v))
			return -1;
		ts->opts.min_key_size = (uint8_t)v;
		return 1;
	case TOOL_O_LEGACY: ts->opts.legacy_pairing = true; return 1;
	case TOOL_O_NO_MODE4: ts->opts.no_mode4 = true; return 1;
	default: return 0;
	}
}

void tool_sec_usage(FILE *f, const char *level_what)
{
	fprintf(f, "  Security (docs/security.md; questions go to the terminal, /dev/tty, unless --auto-accept):\n"
		   "      --security LEVEL   low | medium | high | fips (levels 1..4; default low: none required):\n");
	/* the tool's own lines, indented under the option */
	for (const char *l = level_what; *l;) {
		size_t n = strcspn(l, "\n");
		fprintf(f, "                         %.*s\n", (int)n, l);
		l += n + (l[n] == '\n');
	}
	fprintf(f,
		"                         medium = encrypted, high = with an authenticated key, fips = an\n"
		"                         authenticated Secure Connections key and a 16-octet encryption key\n"
		"      --io-cap CAP       noio | display | yesno | keyboard | keyboard-display: what this device\n"
		"                         can show and enter, which picks the association model (default noio)\n"
		"      --keys FILE        key store: bonds are read from and written to FILE (default: memory)\n"
		"      --auto-accept      no person: accept numeric comparisons and authorizations, answer\n"
		"                         passkey entry with --passkey and PIN requests with --pin (or 0000)\n"
		"      --passkey N        the passkey to enter when asked, 000000..999999 (no question then)\n"
		"      --pin PIN          the legacy PIN (1..16 characters) to give when asked\n"
		"      --no-bonding       pair without storing keys\n"
		"      --sc-only          Secure Connections Only mode: only authenticated P-256 keys count\n"
		"      --min-key-size N   shortest encryption key that counts, 7..16 octets (default 7)\n"
		"      --legacy-pairing   BR/EDR: Simple Pairing off, legacy PIN pairing (a pre-2.1 device)\n"
		"      --no-mode4         BR/EDR: no Security Mode 4 minimum: at level low a channel stays\n"
		"                         unencrypted even when both hosts do Simple Pairing (test benches)\n");
}

/* ---- words -------------------------------------------------------------------------------- */

char *tool_peer_str(const l2k_addr *a, enum l2k_addr_type type, char out[32])
{
	char s[18];
	l2k_addr_str(a, s);
	snprintf(out, 32, "%s%s", s,
		 type == L2K_ADDR_BREDR ? "" : type == L2K_ADDR_LE_RANDOM ? "/le-random" : "/le-public");
	return out;
}

void tool_sec_link_str(char *buf, size_t len, const struct l2k_link_security *ls)
{
	if (!ls->encrypted) {
		snprintf(buf, len, "level %u (%s): not encrypted%s", ls->level, tool_sec_level_name(ls->level),
			 ls->bonded ? ", bonded" : "");
		return;
	}
	snprintf(buf, len, "level %u (%s): encrypted with a %u-octet key, %s key%s%s", ls->level,
		 tool_sec_level_name(ls->level), ls->key_size, ls->authenticated ? "authenticated" : "unauthenticated",
		 ls->secure_conn ? ", Secure Connections (P-256)" : "", ls->bonded ? ", bonded" : "");
}

const char *tool_link_key_type_str(uint8_t type)
{
	/* Vol 4 Part E 7.7.24 */
	switch (type) {
	case 0x00: return "combination key (legacy PIN pairing)";
	case 0x01: return "local unit key";
	case 0x02: return "remote unit key";
	case 0x03: return "debug combination key";
	case 0x04: return "unauthenticated P-192 key";
	case 0x05: return "authenticated P-192 key";
	case 0x06: return "changed combination key";
	case 0x07: return "unauthenticated P-256 key (Secure Connections)";
	case 0x08: return "authenticated P-256 key (Secure Connections)";
	default: return "unknown key type";
	}
}

/* ---- the agent ---------------------------------------------------------------------------- */

#define QMAX 8

struct answer {
	uint16_t handle;
	bool accept;
	uint32_t passkey;
	char pin[17];
	bool has_pin;
};

static struct {
	pthread_mutex_t m;
	bool inited;
	const char *prog;
	struct tool_sec ts;
	bool threaded;
	l2k_stack *s;
	int tty, tty_err;
	int wake_r, wake_w;
	pthread_t th;
	bool started, stop;
	/* questions for a person, oldest first */
	struct l2k_agent_request q[QMAX];
	int nq;
	struct l2k_agent_request cur; /* the one being asked */
	bool asking, cur_withdrawn;
	/* answers for tool_agent_pump (not threaded) */
	struct answer ans[QMAX];
	int nans;
	char last_failure[320];
} ag = {.m = PTHREAD_MUTEX_INITIALIZER, .tty = -1, .wake_r = -1, .wake_w = -1, .prog = "l2kit"};

/* A line for the person: on the terminal when the agent asks there, else on stderr. */
static void say(const char *fmt, ...)
{
	char buf[400];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	size_t len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
	int fd = ag.tty >= 0 ? ag.tty : 2;
	if (write(fd, buf, len) < 0) {
		/* nowhere to say it */
	}
}

/* A note on stderr (what the agent did without asking). */
static void note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", ag.prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void wake(void)
{
	if (ag.wake_w >= 0)
		tool_wake_put(ag.wake_w); /* (full: the thread wakes anyway) */
}

static void reply_now(const struct l2k_agent_request *rq, bool accept, uint32_t passkey, const char *pin)
{
	int r = l2k_agent_reply(ag.s, rq->handle, accept, passkey, pin);
	if (r < 0 && r != L2K_ENOENT)
		note("answering the pairing question failed: %s", l2k_strerror(r));
}

static const char *ask_what(const struct l2k_agent_request *rq, char *buf, size_t len)
{
	switch (rq->ask) {
	case L2K_ASK_CONFIRM: snprintf(buf, len, "numeric comparison (%06u)", rq->value); break;
	case L2K_ASK_PASSKEY_ENTRY: snprintf(buf, len, "the passkey shown on it"); break;
	case L2K_ASK_PIN: snprintf(buf, len, "a PIN (legacy pairing)"); break;
	case L2K_ASK_AUTHORIZE: snprintf(buf, len, "authorization to use PSM 0x%04x", rq->psm); break;
	default: snprintf(buf, len, "question %d", (int)rq->ask); break;
	}
	return buf;
}

/* cbs->agent, on the thread that drives the stack */
static void on_agent(void *user, const struct l2k_agent_request *rq)
{
	(void)user;
	const struct tool_sec *ts = &ag.ts;
	char who[32], what[64];
	tool_peer_str(&rq->peer, rq->peer_type, who);
	switch (rq->ask) {
	case L2K_ASK_PASSKEY_DISPLAY:
		say("%s: Passkey for %s: %06u (type it on that device)\n", ag.prog, who, rq->value);
		return;
	case L2K_ASK_JUST_WORKS:
		/* nothing for a person to compare: the IO capabilities chose it (a level that needs an
		 * authenticated key refuses it by itself) */
		if (ts->verbose)
			note("pairing with %s: Just Works (nothing to compare; the key is unauthenticated)", who);
		reply_now(rq, true, 0, NULL);
		return;
	case L2K_ASK_CONFIRM:
		if (ts->auto_accept) {
			note("numeric comparison with %s: %06u, accepted (--auto-accept)", who, rq->value);
			reply_now(rq, true, 0, NULL);
			return;
		}
		break;
	case L2K_ASK_PASSKEY_ENTRY:
		if (ts->has_passkey) {
			note("passkey entry for %s: %06u entered (--passkey)", who, ts->passkey);
			reply_now(rq, true, ts->passkey, NULL);
			return;
		}
		if (ts->auto_accept) {
			note("pairing with %s asks for the passkey shown on it, and no --passkey was given: refused", who);
			reply_now(rq, false, 0, NULL);
			return;
		}
		break;
	case L2K_ASK_PIN:
		if (ts->pin || ts->auto_accept) {
			note("PIN request from %s: %s given (%s)", who, ts->pin ? "the PIN" : "0000",
			     ts->pin ? "--pin" : "--auto-accept without --pin");
			reply_now(rq, true, 0, ts->pin ? ts->pin : "0000");
			return;
		}
		break;
	case L2K_ASK_AUTHORIZE:
		if (ts->auto_accept) {
			reply_now(rq, true, 0, NULL);
			return;
		}
		break;
	default:
		note("pairing with %s: unknown question %d refused", who, (int)rq->ask);
		reply_now(rq, false, 0, NULL);
		return;
	}
	if (ag.tty < 0) {
		note("pairing with %s asks for %s, and there is no terminal to ask (/dev/tty: %s): refused; for runs "
		     "without a person use --auto-accept (with --passkey N, --pin PIN)",
		     who, ask_what(rq, what, sizeof(what)), strerror(ag.tty_err));
		reply_now(rq, false, 0, NULL);
		return;
	}
	pthread_mutex_lock(&ag.m);
	if (ag.nq == QMAX) {
		pthread_mutex_unlock(&ag.m);
		note("pairing with %s: too many questions waiting for an answer: refused", who);
		reply_now(rq, false, 0, NULL);
		return;
	}
	ag.q[ag.nq++] = *rq;
	pthread_mutex_unlock(&ag.m);
	wake();
}

static void on_paired(void *user, const l2k_addr *peer, enum l2k_addr_type type, int err, const char *why)
{
	(void)user;
	tool_sec_paired(peer, type, err, why);
}

static void on_security(void *user, uint16_t handle, const struct l2k_link_security *ls)
{
	(void)user;
	tool_sec_changed(handle, ls);
}

void tool_agent_init(const char *prog, const struct tool_sec *ts, bool threaded, struct l2k_stack_cbs *cbs)
{
	ag.prog = prog;
	ag.ts = *ts;
	ag.threaded = threaded;
	ag.inited = true;
	cbs->agent = on_agent;
	if (!cbs->paired)
		cbs->paired = on_paired;
	if (!cbs->security)
		cbs->security = on_security;
	if (ts->auto_accept)
		return; /* no question goes to a person */
	ag.tty = tool_open_tty();
	ag.tty_err = ag.tty < 0 ? errno : 0;
	int p[2];
	if (ag.tty >= 0 && tool_wake_pair(p) == 0) {
		ag.wake_r = p[0];
		ag.wake_w = p[1];
	} else if (ag.tty >= 0) {
		ag.tty_err = errno;
		close(ag.tty);
		ag.tty = -1;
	}
}

void tool_agent_attach(l2k_stack *s)
{
	ag.s = s;
}

static void drain_wake(void)
{
	if (ag.wake_r >= 0)
		tool_wake_drain(ag.wake_r);
}

/* Whether the question being asked should be given up (stop, or withdrawn). */
static bool cur_gone(void)
{
	pthread_mutex_lock(&ag.m);
	bool gone = ag.stop || ag.cur_withdrawn;
	pthread_mutex_unlock(&ag.m);
	return gone;
}

/* One line typed on the terminal (without its newline and trailing blanks): 1, 0 at the end of
 * input, -1 when the question was withdrawn or the agent stops, -2 on a read error. */
static int read_line(char *line, size_t cap)
{
	size_t n = 0;
	bool overflow = false;
	for (;;) {
		struct pollfd pf[2] = {{.fd = ag.tty, .events = POLLIN}, {.fd = ag.wake_r, .events = POLLIN}};
		int pr = tool_poll(pf, 2, -1);
		if (pr < 0 && errno != EINTR)
			return -2;
		if (pr > 0 && pf[1].revents) {
			drain_wake();
			if (cur_gone())
				return -1;
		}
		if (pr <= 0 || !(pf[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		char c[128];
		ssize_t r = read(ag.tty, c, sizeof(c));
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0)
			return -2;
		if (r == 0)
			return 0;
		for (ssize_t i = 0; i < r; i++) {
			if (c[i] == '\n') {
				while (n && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r'))
					n--;
				line[n] = '\0';
				if (overflow)
					line[0] = '\x01'; /* too long: not a valid answer */
				return 1;
			}
			if (n + 1 < cap)
				line[n++] = c[i];
			else
				overflow = true;
		}
	}
}

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Ask the person one question on the terminal.  Returns 1 with the answer in *a, 0 when the
 * question went away (withdrawn, the agent stops). */
static int ask_person(const struct l2k_agent_request *rq, struct answer *a)
{
	char who[32], line[64];
	tool_peer_str(&rq->peer, rq->peer_type, who);
	memset(a, 0, sizeof(*a));
	a->handle = rq->handle;
#ifndef _WIN32 /* (no terminal agent on Windows yet: tool_open_tty) */
	tcflush(ag.tty, TCIFLUSH); /* nothing typed before the question answers it */
#endif
	switch (rq->ask) {
	case L2K_ASK_CONFIRM: say("%s: Confirm that %06u is shown on %s: yes/no? ", ag.prog, rq->value, who); break;
	case L2K_ASK_PASSKEY_ENTRY: say("%s: Enter the passkey shown on %s: ", ag.prog, who); break;
	case L2K_ASK_PIN: say("%s: PIN for %s: ", ag.prog, who); break;
	case L2K_ASK_AUTHORIZE: say("%s: Allow %s to use PSM 0x%04x: yes/no? ", ag.prog, who, rq->psm); break;
	default: return 1; /* refused */
	}
	for (;;) {
		int r = read_line(line, sizeof(line));
		if (r == -1)
			return 0;
		if (r <= 0) {
			say("\n%s: no answer from the terminal: refused\n", ag.prog);
			return 1;
		}
		const char *l = skip_blanks(line);
		switch (rq->ask) {
		case L2K_ASK_CONFIRM:
		case L2K_ASK_AUTHORIZE:
			if (!strcmp(l, "yes") || !strcmp(l, "y")) {
				a->accept = true;
				return 1;
			}
			if (!strcmp(l, "no") || !strcmp(l, "n"))
				return 1;
			say("%s: please answer yes or no: ", ag.prog);
			break;
		case L2K_ASK_PASSKEY_ENTRY:
			if (!*l || !strcmp(l, "no"))
				return 1;
			if (parse_passkey(l, &a->passkey) == 0) {
				a->accept = true;
				return 1;
			}
			say("%s: a passkey is 6 digits, 000000..999999 (an empty line refuses): ", ag.prog);
			break;
		case L2K_ASK_PIN:
			if (!*line)
				return 1;
			if (line[0] != '\x01' && strlen(line) <= 16) {
				memcpy(a->pin, line, strlen(line) + 1);
				a->has_pin = true;
				a->accept = true;
				return 1;
			}
			say("%s: a PIN has 1..16 characters (an empty line refuses): ", ag.prog);
			break;
		default: return 1;
		}
	}
}

static void *agent_main(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&ag.m);
		while (!ag.stop && ag.nq == 0) {
			pthread_mutex_unlock(&ag.m);
			struct pollfd pf = {.fd = ag.wake_r, .events = POLLIN};
			tool_poll(&pf, 1, -1);
			drain_wake();
			pthread_mutex_lock(&ag.m);
		}
		if (ag.stop) {
			pthread_mutex_unlock(&ag.m);
			return NULL;
		}
		ag.cur = ag.q[0];
		memmove(ag.q, ag.q + 1, (size_t)(ag.nq - 1) * sizeof(ag.q[0]));
		ag.nq--;
		ag.asking = true;
		ag.cur_withdrawn = false;
		struct l2k_agent_request rq = ag.cur;
		pthread_mutex_unlock(&ag.m);

		struct answer a;
		int got = ask_person(&rq, &a);
		pthread_mutex_lock(&ag.m);
		bool stop = ag.stop, withdrawn = ag.cur_withdrawn;
		if (got && !stop && !withdrawn && !ag.threaded && ag.nans < QMAX)
			ag.ans[ag.nans++] = a;
		bool deliver_here = got && !stop && !withdrawn && ag.threaded;
		pthread_mutex_unlock(&ag.m);
		if (stop)
			return NULL;
		if (withdrawn) {
			char who[32];
			say("\n%s: (the pairing with %s ended: question withdrawn)\n", ag.prog,
			    tool_peer_str(&rq.peer, rq.peer_type, who));
		} else if (deliver_here) {
			int r = l2k_agent_reply(ag.s, a.handle, a.accept, a.passkey, a.has_pin ? a.pin : NULL);
			if (r == L2K_ENOENT)
				say("%s: too late: the pairing ended before the answer\n", ag.prog);
		}
		pthread_mutex_lock(&ag.m);
		ag.asking = false;
		pthread_mutex_unlock(&ag.m);
	}
}

void tool_agent_start(void)
{
	if (ag.tty < 0 || ag.started)
		return;
	ag.stop = false;
	ag.started = pthread_create(&ag.th, NULL, agent_main, NULL) == 0;
	if (!ag.started) {
		note("cannot start the agent's thread: pairing questions will be refused");
		close(ag.tty);
		ag.tty = -1;
		ag.tty_err = ENOMEM;
	}
}

void tool_agent_stop(void)
{
	if (ag.started) {
		pthread_mutex_lock(&ag.m);
		ag.stop = true;
		pthread_mutex_unlock(&ag.m);
		wake();
		pthread_join(ag.th, NULL);
		ag.started = false;
	}
	ag.s = NULL;
}

void tool_agent_pump(void)
{
	struct answer a[QMAX];
	pthread_mutex_lock(&ag.m);
	int n = ag.nans;
	memcpy(a, ag.ans, (size_t)n * sizeof(a[0]));
	ag.nans = 0;
	pthread_mutex_unlock(&ag.m);
	for (int i = 0; i < n; i++)
		if (ag.s && l2k_agent_reply(ag.s, a[i].handle, a[i].accept, a[i].passkey, a[i].has_pin ? a[i].pin : NULL) ==
				L2K_ENOENT)
			say("%s: too late: the pairing ended before the answer\n", ag.prog);
}

bool tool_agent_busy(void)
{
	pthread_mutex_lock(&ag.m);
	bool busy = ag.nq > 0 || ag.asking || ag.nans > 0;
	pthread_mutex_unlock(&ag.m);
	return busy;
}

/* ---- reports ------------------------------------------------------------------------------ */

void tool_sec_paired(const l2k_addr *peer, enum l2k_addr_type type, int err, const char *why)
{
	char who[32];
	tool_peer_str(peer, type, who);
	pthread_mutex_lock(&ag.m);
	/* questions about this peer are pointless now */
	int k = 0;
	for (int i = 0; i < ag.nq; i++)
		if (memcmp(ag.q[i].peer.b, peer->b, 6))
			ag.q[k++] = ag.q[i];
	ag.nq = k;
	bool withdraw = ag.asking && !memcmp(ag.cur.peer.b, peer->b, 6);
	if (withdraw)
		ag.cur_withdrawn = true;
	if (err < 0)
		snprintf(ag.last_failure, sizeof(ag.last_failure), "pairing with %s failed: %s", who,
			 why && *why ? why : l2k_strerror(err));
	pthread_mutex_unlock(&ag.m);
	if (withdraw)
		wake();
	if (err < 0)
		fprintf(stderr, "%s: pairing with %s failed: %s\n", ag.prog, who, why && *why ? why : l2k_strerror(err));
	else if (ag.ts.verbose)
		fprintf(stderr, "%s: paired with %s\n", ag.prog, who);
}

void tool_sec_changed(uint16_t handle, const struct l2k_link_security *ls)
{
	if (!ag.ts.verbose)
		return;
	char d[160];
	tool_sec_link_str(d, sizeof(d), ls);
	fprintf(stderr, "%s: link 0x%03x security: %s\n", ag.prog, handle, d);
}

bool tool_sec_error(int err, const char *msg)
{
	if (strncmp(msg, "security", 8) && err != L2K_EAUTH && err != L2K_EKEYSIZE)
		return false;
	pthread_mutex_lock(&ag.m);
	snprintf(ag.last_failure, sizeof(ag.last_failure), "%s", msg);
	pthread_mutex_unlock(&ag.m);
	fprintf(stderr, "%s: %s\n", ag.prog, msg);
	return true;
}

const char *tool_sec_last_failure(void)
{
	/* read after the stack's callbacks ran (the tools look at it once a call failed) */
	return ag.last_failure;
}

/* ---- the event face's loop with the agent ---------------------------------------------------- */

struct run_ctx {
	bool (*done)(void *arg);
	void *arg;
	bool busy;
};

static bool run_done(void *arg)
{
	struct run_ctx *c = arg;
	if (c->done && c->done(c->arg))
		return true;
	return !c->busy && tool_agent_busy(); /* a question came: go on in small steps */
}

int tool_run_until(l2k_stack *s, bool (*done)(void *arg), void *arg, int timeout_ms)
{
	uint64_t t0 = tool_now_us();
	for (;;) {
		tool_agent_pump();
		if (done && done(arg))
			return 0;
		int slice = -1;
		if (timeout_ms >= 0) {
			uint64_t el = (tool_now_us() - t0) / 1000u;
			if (el >= (uint64_t)timeout_ms)
				return done ? L2K_ETIMEDOUT : 0;
			slice = (int)((uint64_t)timeout_ms - el);
		}
		struct run_ctx c = {done, arg, tool_agent_busy()};
		if (c.busy && (slice < 0 || slice > 20))
			slice = 20;
		int r = l2k_run_until(&s, 1, run_done, &c, slice);
		if (r < 0 && r != L2K_ETIMEDOUT)
			return r;
	}
}
