/* l2pair: pair and bond with a Bluetooth device, list and remove bonds (l2kit's key store).
 *
 *   l2pair -t SPEC [options] [--le | --le-random] ADDR                pair (and bond) with ADDR
 *   l2pair -t SPEC --keys FILE --list                                 the bonds in FILE
 *   l2pair -t SPEC --keys FILE --remove ADDR[/le-public|/le-random]   forget a bond
 *
 * Pairing: creates the link (BR/EDR, or LE as central), pairs anew with l2k_pair (Dedicated
 * Bonding; the association model follows --io-cap and the peer's), waits for the link to be
 * encrypted with the new key, prints the level and key reached, and disconnects.  Exit 0 when
 * the pairing succeeded (and reached --security LEVEL when given), 1 otherwise, 2 for a bad
 * command line; SIGINT / SIGTERM end it gracefully (the link is disconnected), exit 130 / 143.
 * Questions go to the terminal unless --auto-accept (tools/common/security.h).  Event face, one
 * thread: tool_run_until drives the stack. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <l2kit/l2kit.h>
#include "tools/common/security.h"
#include "tools/common/tool.h"

#define PROG "l2pair"
#define MAX_BONDS 256 /* the key store file's bound (docs/security.md) */

struct pair {
	l2k_addr peer;
	enum l2k_addr_type type;
	bool link_up, link_failed, link_down;
	uint8_t status;
	uint16_t handle;
	bool paired;
	int pair_err;
	bool secured;
	int sec_err;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: l2pair -t SPEC [options] [--le | --le-random] ADDR[/le-public|/le-random]\n"
		"       l2pair -t SPEC --keys FILE --list\n"
		"       l2pair -t SPEC --keys FILE --remove ADDR[/le-public|/le-random]\n"
		"  Pairs and bonds with ADDR: creates the link (BR/EDR, or LE as central), pairs anew, waits\n"
		"  until the link is encrypted with the new key, prints the security level and key reached,\n"
		"  and disconnects.  --list prints the bonds of the key store FILE, one a line; --remove\n"
		"  forgets one (its keys are deleted).  Exit status 0 on success, 1 when pairing failed or\n"
		"  fell short of --security, or the bond to remove is not there; 2 for a bad command line;\n"
		"  SIGINT / SIGTERM disconnect and exit 130 / 143.\n"
		"  -t, --transport SPEC   controller: unix:PATH | tcp:HOST:PORT | serial:DEV[,BAUD] | sim[:...]\n"
		"                         | hciN (Linux HCI user channel) | usb[:N|:VID:PID[#N]|:BUS-PORT] (libusb)\n"
		"      --le               ADDR is an LE public address (as ADDR/le-public)\n"
		"      --le-random        ADDR is an LE random address (as ADDR/le-random)\n"
		"      --list             list the bonds in --keys FILE: address, type, keys held,\n"
		"                         authenticated, Secure Connections, key size\n"
		"      --remove ADDR      remove the bond with ADDR (BR/EDR, or ADDR/le-public, ADDR/le-random)\n"
		"  -w, --timeout MS       give up creating the link or pairing after MS (default 60000)\n"
		"      --btsnoop FILE     capture every HCI packet to FILE (btmon -r, wireshark)\n"
		TOOL_VENDOR_HELP
		"  -v, --verbose          the controller, the link, the association model on stderr\n"
		"  -h, --help\n");
	tool_sec_usage(f, "the level the pairing must reach (exit status 1 if lower)");
}

static void on_link_up(void *user, const struct l2k_link_info *li)
{
	struct pair *p = user;
	if (!memcmp(li->peer.b, p->peer.b, 6) && (li->type == L2K_ADDR_BREDR) == (p->type == L2K_ADDR_BREDR)) {
		p->link_up = true;
		p->handle = li->handle;
	}
}

static void on_link_failed(void *user, const l2k_addr *peer, enum l2k_addr_type type, uint8_t status)
{
	struct pair *p = user;
	(void)type;
	if (!memcmp(peer->b, p->peer.b, 6)) {
		p->link_failed = true;
		p->status = status;
	}
}

static void on_link_down(void *user, const struct l2k_link_info *li, uint8_t reason)
{
	struct pair *p = user;
	if (p->link_up && li->handle == p->handle) {
		p->link_down = true;
		p->status = reason;
	}
}

static void on_error(void *user, int err, const char *msg)
{
	(void)user;
	if (tool_sec_error(err, msg))
		return;
	fprintf(stderr, PROG ": controller: %s\n", msg);
}

static void on_paired(void *user, const l2k_addr *peer, enum l2k_addr_type type, int err, const char *why)
{
	struct pair *p = user;
	tool_sec_paired(peer, type, err, why); /* prints a failure with its step and reason */
	if (p->link_up && !memcmp(peer->b, p->peer.b, 6)) {
		p->paired = true;
		p->pair_err = err;
	}
}

static void on_secured(void *user, uint16_t handle, int err)
{
	struct pair *p = user;
	(void)handle;
	p->secured = true;
	p->sec_err = err;
}

static bool link_settled(void *arg)
{
	struct pair *p = arg;
	return p->link_up || p->link_failed || tool_signal();
}

static bool pair_ended(void *arg)
{
	struct pair *p = arg;
	return p->paired || p->link_down || tool_signal();
}

static bool secured(void *arg)
{
	struct pair *p = arg;
	return p->secured || p->link_down || tool_signal();
}

static bool link_gone(void *arg)
{
	return ((struct pair *)arg)->link_down;
}

static const char *type_name(enum l2k_addr_type t)
{
	return t == L2K_ADDR_BREDR ? "bredr" : t == L2K_ADDR_LE_RANDOM ? "le-random" : "le-public";
}

/* One bond, one line: address, type, keys held, authenticated, Secure Connections, key size. */
static void print_bond(const struct l2k_bond *b)
{
	char a[18], keys[160] = "";
	size_t o = 0;
#define ADD(...)                                                                                 \
	do {                                                                                     \
		int w = snprintf(keys + o, sizeof(keys) - o, "%s", o ? "," : "");               \
		o += w > 0 ? (size_t)w : 0;                                                      \
		w = snprintf(keys + o, sizeof(keys) - o, __VA_ARGS__);                           \
		o += w > 0 ? (size_t)w : 0;                                                      \
		if (o >= sizeof(keys))                                                           \
			o = sizeof(keys) - 1;                                                    \
	} while (0)
	if (b->has_link_key)
		ADD("link-key(type 0x%02x)", b->link_key_type);
	if (b->has_ltk)
		ADD("ltk");
	if (b->has_local_ltk)
		ADD("local-ltk");
	if (b->has_irk)
		ADD("irk");
	if (b->has_csrk)
		ADD("csrk");
#undef ADD
	printf("%s %s keys=%s authenticated=%s secure-connections=%s key-size=%u\n", l2k_addr_str(&b->peer, a),
	       type_name(b->peer_type), o ? keys : "none", b->authenticated ? "yes" : "no", b->secure_conn ? "yes" : "no",
	       b->key_size ? b->key_size : 16);
}

static int do_list(l2k_stack *s, const char *file)
{
	static struct l2k_bond bonds[MAX_BONDS];
	int n = l2k_bonds(s, bonds, MAX_BONDS);
	if (n < 0) {
		fprintf(stderr, PROG ": cannot list the bonds of %s: %s\n", file, l2k_strerror(n));
		return 1;
	}
	for (int i = 0; i < n && i < MAX_BONDS; i++)
		print_bond(&bonds[i]);
	if (n == 0)
		fprintf(stderr, PROG ": no bonds in %s\n", file);
	fflush(stdout);
	return 0;
}

static int do_remove(l2k_stack *s, const char *file, const l2k_addr *peer, enum l2k_addr_type type)
{
	char who[32];
	tool_peer_str(peer, type, who);
	int r = l2k_bond_remove(s, peer, type);
	if (r == L2K_ENOENT) {
		fprintf(stderr, PROG ": no bond with %s (%s) in %s\n", who, type_name(type), file);
		return 1;
	}
	if (r < 0) {
		fprintf(stderr, PROG ": cannot remove the bond with %s: %s\n", who, l2k_strerror(r));
		return 1;
	}
	printf("Removed the bond with %s (%s) from %s\n", who, type_name(type), file);
	return 0;
}

/* Pair with p->peer; returns the exit status. */
static int do_pair(l2k_stack *s, struct pair *p, const struct tool_sec *ts, int timeout_ms, bool verbose)
{
	char who[32];
	tool_peer_str(&p->peer, p->type, who);
	int status = 1;
	bool made_link = false;
	if (l2k_link_find(s, &p->peer, p->type, &p->handle) == 0) {
		p->link_up = true;
	} else {
		int r = l2k_link_connect(s, &p->peer, p->type);
		if (r < 0) {
			fprintf(stderr, PROG ": cannot connect to %s: %s\n", who, l2k_strerror(r));
			return 1;
		}
		r = tool_run_until(s, link_settled, p, timeout_ms);
		if (!p->link_up) {
			if (tool_signal())
				fprintf(stderr, PROG ": interrupted (%s) while connecting\n", tool_signal_name());
			else if (p->link_failed)
				fprintf(stderr, PROG ": cannot connect to %s: HCI 0x%02x: %s\n", who, p->status,
					tool_hci_status_str(p->status));
			else
				fprintf(stderr, PROG ": cannot connect to %s: %s\n", who,
					r < 0 ? l2k_strerror(r) : "no answer");
			return 1;
		}
		made_link = true;
	}
	if (verbose)
		fprintf(stderr, PROG ": link up: %s handle 0x%03x\n", who, p->handle);
	int r = l2k_pair(s, &p->peer, p->type);
	if (r < 0) {
		fprintf(stderr, PROG ": cannot pair with %s: %s\n", who,
			r == L2K_EBUSY ? "a pairing with it is already running" : l2k_strerror(r));
		goto disconnect;
	}
	r = tool_run_until(s, pair_ended, p, timeout_ms);
	if (!p->paired) {
		if (tool_signal())
			fprintf(stderr, PROG ": interrupted (%s) while pairing\n", tool_signal_name());
		else if (p->link_down)
			fprintf(stderr, PROG ": pairing with %s failed: the link went down (HCI 0x%02x: %s)\n", who,
				p->status, tool_hci_status_str(p->status));
		else
			fprintf(stderr, PROG ": pairing with %s did not end within %d ms\n", who, timeout_ms);
		goto disconnect;
	}
	if (p->pair_err < 0)
		goto disconnect; /* on_paired printed the step and the reason */
	/* the pairing gave a key: the link is encrypted with it next (level 2 at least) */
	r = l2k_link_secure(s, p->handle, L2K_SEC_MEDIUM, on_secured, p);
	if (r == 0)
		r = tool_run_until(s, secured, p, timeout_ms);
	if (r == 0 && !p->secured)
		r = tool_signal() ? L2K_EINTR : L2K_ELINKLOSS;
	else if (r == 0)
		r = p->sec_err;
	if (r < 0) {
		const char *why = tool_sec_last_failure();
		if (r == L2K_EINTR)
			fprintf(stderr, PROG ": interrupted (%s) while encrypting the link\n", tool_signal_name());
		else
			fprintf(stderr, PROG ": paired with %s, but the link was not encrypted with the new key: %s\n", who,
				why[0] ? why : l2k_strerror(r));
		goto disconnect;
	}
	struct l2k_link_security ls;
	if (l2k_link_security(s, p->handle, &ls) < 0) {
		fprintf(stderr, PROG ": paired with %s, but the link went\n", who);
		goto disconnect;
	}
	char d[160];
	tool_sec_link_str(d, sizeof(d), &ls);
	printf("Paired with %s: %s\n", who, d);
	struct l2k_bond b;
	memset(&b, 0, sizeof(b));
	static struct l2k_bond bonds[MAX_BONDS];
	int n = l2k_bonds(s, bonds, MAX_BONDS);
	bool found = false;
	for (int i = 0; i < n && i < MAX_BONDS && !found; i++)
		if (!memcmp(bonds[i].peer.b, p->peer.b, 6) &&
		    (bonds[i].peer_type == L2K_ADDR_BREDR) == (p->type == L2K_ADDR_BREDR)) {
			b = bonds[i];
			found = true;
		}
	if (found && b.has_link_key)
		printf("Bonded: %s (link key type 0x%02x)%s%s\n", tool_link_key_type_str(b.link_key_type), b.link_key_type,
		       ts->opts.key_file ? " in " : ", in memory only (no --keys FILE)",
		       ts->opts.key_file ? ts->opts.key_file : "");
	else if (found)
		printf("Bonded: %s%s key of %u octets%s%s\n", b.authenticated ? "authenticated" : "unauthenticated",
		       b.secure_conn ? " Secure Connections" : "", b.key_size ? b.key_size : 16,
		       ts->opts.key_file ? " in " : ", in memory only (no --keys FILE)",
		       ts->opts.key_file ? ts->opts.key_file : "");
	else
		printf("Not bonded: %s\n", ts->opts.no_bonding ? "--no-bonding" : "the key was not stored (a side asked "
											"for no bonding)");
	fflush(stdout);
	if (ts->level && ls.level < ts->level) {
		fprintf(stderr, PROG ": the pairing reached level %u (%s), short of --security %s (level %u)\n", ls.level,
			tool_sec_level_name(ls.level), tool_sec_level_name(ts->level), ts->level);
		goto disconnect;
	}
	status = 0;
disconnect:
	if (made_link && !p->link_down && l2k_link_disconnect(s, p->handle, 0) == 0)
		tool_run_until(s, link_gone, p, 2000);
	return status;
}

int main(int argc, char **argv)
{
	const char *spec = NULL, *snoop = NULL, *rm_addr = NULL;
	bool list = false, le = false, le_random = false, verbose = false;
	unsigned long timeout = 60000;
	struct tool_sec ts;
	tool_sec_init(&ts);
	enum { O_LE = 0x100, O_LE_RANDOM, O_LIST, O_REMOVE, O_BTSNOOP };
	static const struct option lo[] = {{"transport", required_argument, 0, 't'},
					   {"le", no_argument, 0, O_LE},
					   {"le-random", no_argument, 0, O_LE_RANDOM},
					   {"list", no_argument, 0, O_LIST},
					   {"remove", required_argument, 0, O_REMOVE},
					   {"timeout", required_argument, 0, 'w'},
					   {"btsnoop", required_argument, 0, O_BTSNOOP},
					   {"verbose", no_argument, 0, 'v'},
					   {"help", no_argument, 0, 'h'},
					   TOOL_SEC_LONGOPTS,
					   TOOL_VENDOR_LONGOPTS,
					   {0, 0, 0, 0}};
	tool_signals_init(PROG);
	int o;
	struct tool_vendor tv = {0};
	while ((o = getopt_long(argc, argv, "t:w:vh", lo, NULL)) != -1) {
		int so = tool_sec_opt(PROG, &ts, o, optarg);
		if (so < 0)
			return 2;
		if (so > 0)
			continue;
		so = tool_vendor_option(PROG, o, optarg, &tv);
		if (so < 0)
			return 2;
		if (so > 0)
			continue;
		switch (o) {
		case 't': spec = optarg; break;
		case O_LE: le = true; break;
		case O_LE_RANDOM: le_random = true; break;
		case O_LIST: list = true; break;
		case O_REMOVE: rm_addr = optarg; break;
		case 'w':
			if (tool_opt_uint(PROG, "--timeout", optarg, 1, 86400000, "milliseconds, 1..86400000", &timeout))
				return 2;
			break;
		case O_BTSNOOP: snoop = optarg; break;
		case 'v': verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	ts.verbose = verbose;
	if (!spec) {
		fprintf(stderr, PROG ": no transport: give -t SPEC (e.g. -t tcp:127.0.0.1:9001, -t hci0)\n");
		return 2;
	}
	if (list + (rm_addr != NULL) > 1) {
		fprintf(stderr, PROG ": --list and --remove exclude each other\n");
		return 2;
	}
	if ((list || rm_addr) && !ts.opts.key_file) {
		fprintf(stderr, PROG ": %s needs the key store: --keys FILE\n", list ? "--list" : "--remove");
		return 2;
	}
	if (le && le_random) {
		fprintf(stderr, PROG ": --le and --le-random exclude each other\n");
		return 2;
	}
	struct pair pr;
	memset(&pr, 0, sizeof(pr));
	const char *addr = rm_addr;
	if (list) {
		if (optind != argc) {
			fprintf(stderr, PROG ": --list takes no address\n");
			return 2;
		}
	} else if (rm_addr) {
		if (optind != argc) {
			fprintf(stderr, PROG ": --remove ADDR takes no other address\n");
			return 2;
		}
	} else {
		if (optind + 1 != argc) {
			usage(stderr);
			return 2;
		}
		addr = argv[optind];
	}
	if (addr) {
		bool typed;
		if (tool_parse_peer(addr, &pr.peer, &pr.type, &typed) < 0) {
			fprintf(stderr, PROG ": bad address '%s' (AA:BB:CC:DD:EE:FF[/bredr|/le-public|/le-random])\n", addr);
			return 2;
		}
		if (typed && (le || le_random) &&
		    pr.type != (le_random ? L2K_ADDR_LE_RANDOM : L2K_ADDR_LE_PUBLIC)) {
			fprintf(stderr, PROG ": %s: the address's type and %s disagree\n", addr, le ? "--le" : "--le-random");
			return 2;
		}
		if (!typed && le)
			pr.type = L2K_ADDR_LE_PUBLIC;
		if (!typed && le_random)
			pr.type = L2K_ADDR_LE_RANDOM;
	}
	struct l2k_stack_cbs cbs = {.user = &pr,
				    .link_up = on_link_up,
				    .link_failed = on_link_failed,
				    .link_down = on_link_down,
				    .error = on_error,
				    .paired = on_paired};
	/* pairing questions: answered for --auto-accept, else asked on the terminal; the answers
	 * reach the stack through tool_run_until on this thread */
	tool_agent_init(PROG, &ts, false, &cbs);
	l2k_stack *s;
	struct l2k_stack_opts so = {.btsnoop_path = snoop, .no_page_scan = true, .security = &ts.opts};
	tool_vendor_apply(&tv, &so);
	if (tool_stack_up(PROG, spec, &so, &cbs, 10000, &s) < 0)
		return 1;
	tool_signals_graceful(true); /* a signal ends the pairing; the link is disconnected */
	tool_agent_start();
	struct l2k_controller_info inf;
	l2k_controller_info(s, &inf);
	if (verbose) {
		char a[18];
		fprintf(stderr, PROG ": controller %s ready on %s\n", l2k_addr_str(&inf.addr, a), spec);
	}
	int status;
	if (list) {
		status = do_list(s, ts.opts.key_file);
	} else if (rm_addr) {
		status = do_remove(s, ts.opts.key_file, &pr.peer, pr.type);
	} else if (pr.type == L2K_ADDR_BREDR && !inf.bredr) {
		fprintf(stderr, PROG ": %s: the controller does not support BR/EDR (LE: --le)\n", spec);
		status = 1;
	} else if (pr.type != L2K_ADDR_BREDR && !inf.le) {
		fprintf(stderr, PROG ": %s: the controller does not support LE\n", spec);
		status = 1;
	} else {
		status = do_pair(s, &pr, &ts, (int)timeout, verbose);
	}
	tool_agent_stop();
	l2k_stack_close(s);
	if (tool_signal())
		return tool_signal_status();
	return status;
}
