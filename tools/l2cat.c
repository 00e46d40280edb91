/* l2cat: netcat for L2CAP channels, on l2kit's socket face.
 *
 *   l2cat -t SPEC [options] -l PSM                          serve one channel (-k: keep serving)
 *   l2cat -t SPEC [options] ADDR[/le-public|/le-random] PSM  connect
 *
 * stdin becomes SDUs (one per read, at most the peer's MTU), received SDUs go to stdout.  End of
 * stdin ends the channel gracefully (l2k_shutdown: what was sent goes out first, the peer
 * confirms the disconnection).  Two threads per channel: a writer feeds the channel (stdin: the
 * main thread, for every channel; --send: a thread per channel), a receiver thread drains it (the
 * socket face is thread-safe), so neither direction can stall the other.
 * With -m ecfc --channels N (Enhanced Credit Based Flow Control) N channels open in one request
 * and each carries a full copy of the data (stdin, or --send); -o PREFIX writes what channel i
 * receives to PREFIX.i.  A listener serves up to N channels at once, each as soon as it opens,
 * and the stack refuses more (l2k_listen_limit).  --reconfigure-mtu raises our receive MTU on
 * all of them mid-transfer.  SIGINT / SIGTERM end every channel and link gracefully (exit 130 /
 * 143).  Exit status 0 only when everything sent was delivered (as far as the mode lets the
 * sender know: see docs/l2cat.md), nothing received was dropped, --send sent all its SDUs and
 * --verify found every echo intact.
 *
 * This file: the options, the stack and its links, main().  tools/l2cat/conn.c: the channels
 * (start, verdict, end, --reconfigure-mtu); tools/l2cat/io.c: the data (receiver thread,
 * writers); tools/l2cat/l2cat.h: what they share. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <l2kit/l2kit.h>
#include "tools/common/security.h"
#include "tools/common/tool.h"
#include "tools/common/tool_os.h"
#include "tools/l2cat/l2cat.h"

static void usage(FILE *f)
{
	char built[128];
	tool_mode_list(built, sizeof(built), true);
	fprintf(f,
		"usage: l2cat -t SPEC [options] -l PSM\n"
		"       l2cat -t SPEC [options] ADDR[/le-public|/le-random] PSM\n"
		"  Opens an L2CAP channel (listening: serves one, -k: keeps serving); stdin becomes SDUs\n"
		"  (one per read, at most the peer's MTU), received SDUs go to stdout.  End of stdin ends\n"
		"  the channel gracefully.  Exit status 0 only when everything sent was delivered; 2 for a\n"
		"  bad command line (numbers are checked strictly); SIGINT / SIGTERM end the channels and\n"
		"  links gracefully with a summary, exit status 130 / 143.\n"
		"  -t, --transport SPEC   controller: unix:PATH | tcp:HOST:PORT | serial:DEV[,BAUD] | sim[:...]\n"
		"                         | hciN (Linux HCI user channel) | usb[:N|:VID:PID[#N]|:BUS-PORT] (libusb)\n"
		"  -m, --mode MODE        channel mode (built: %s); default basic, or le for LE addresses\n"
		"      --le               serve / connect over LE (implied by -m le and /le-* addresses)\n"
		"      --mtu N            largest SDU we receive (default 672 BR/EDR, 2048 LE)\n"
		"      --mps N            largest PDU payload we receive (credit modes, ertm, streaming,\n"
		"                         retrans, flowctl; default: one I-frame per ACL packet)\n"
		"      --fcs none|crc16   ertm/streaming: ask for no FCS (used only if the peer agrees)\n"
		"      --window N         ertm/retrans/flowctl: our receive window (default 63; legacy <= 32)\n"
		"      --max-transmit N   ertm/retrans: transmissions before giving up (default 3, 0 = never)\n"
		"      --ext-window       ertm: Extended Window Size option (--window up to 16383)\n"
		"      --credits N        credits granted at connection (credit modes)\n"
		"      --channels N       -m ecfc: open N channels (1..5) in one request; listening: serve up to\n"
		"                         N at once, each as soon as it opens, and refuse more (0x0004);\n"
		"                         each carries a full copy of stdin / --send\n"
		"  -o, --output PREFIX    what channel i receives goes to PREFIX.i instead of stdout\n"
		"      --reconfigure-mtu N  -m ecfc: once --reconfigure-at BYTES have moved (sent and\n"
		"                         received, all channels), ask for receive MTU N on every channel\n"
		"      --reconfigure-mps N  with it: MPS N too (default: unchanged)\n"
		"      --reconfigure-at BYTES  (default 0: as soon as the channels are open)\n"
		"  -l, --listen PSM       listen on PSM (BR/EDR: odd, e.g. 0x1001; LE SPSM 0x0001-0x00FF;\n"
		"                         BR/EDR: discoverable (inquiry scan, name \"l2cat\") while it listens;\n"
		"                         LE: advertises, again after every central that leaves)\n"
		"      --no-discoverable  with -l over BR/EDR: connectable only, not found by inquiries\n"
		"  -k, --keep             with -l: keep serving channels (up to --channels at a time) until\n"
		"                         SIGINT / SIGTERM\n"
		"  -d, --recv-only        do not read stdin: receive until the peer ends the channel\n"
		"      --echo             send every received SDU back (stdin is not read); one larger than\n"
		"                         the peer's MTU goes back in pieces of the peer's MTU\n"
		"      --sink             discard what is received (stdin is not read)\n"
		"      --send N           send N patterned SDUs instead of stdin (fewer sent is an error)\n"
		"      --size S           size of those SDUs (default: the peer's MTU)\n"
		"      --verify           with --send: the peer echoes; check every echo byte for byte (no echo\n"
		"                         for --timeout: stop sending, exit 1)\n"
		"      --rate BYTES       send at most BYTES per second (suffix k = 1000, M = 1000000):\n"
		"                         for modes without flow control and receivers that cannot keep up\n"
		"  -w, --timeout MS       connect, and wait for echoes / the disconnection (default 30000)\n"
		"      --watchdog MS      a controller silent this long while links are up (no completions for\n"
		"                         the packets it holds) must answer a probe within MS too, else it is\n"
		"                         taken for frozen: every channel ends, exit 1 (default 2500, 0 = off)\n"
		"      --btsnoop FILE     capture every HCI packet to FILE (btmon -r, wireshark)\n"
		TOOL_VENDOR_HELP
		"  -v, --verbose          channel parameters, the link's security, and a summary (bytes, SDUs,\n"
		"                         s, MB/s, controller input the host dropped as malformed) on stderr\n"
		"  -h, --help\n",
		built);
	tool_sec_usage(f, "the channel's level (listening: the server's); the link is raised\n"
			  "first (encrypted with a stored key, or paired and encrypted)");
}

/* ---- stack events -------------------------------------------------------------------------- */

/* Links that are up (the callbacks run on the stack's thread). */
static struct {
	pthread_mutex_t m;
	pthread_cond_t cv;
	uint16_t h[16];
	int n;
	bool verbose;
} links = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, 0, false};

static void on_error(void *user, int err, const char *msg)
{
	if (tool_sec_error(err, msg))
		return; /* a security failure, said as such */
	fprintf(stderr, PROG ": controller: %s\n", msg);
}

/* The stack goes: the agent first (it answers for the stack). */
static void stack_close(l2k_stack *s)
{
	tool_agent_stop();
	l2k_stack_close(s);
}

static void on_link_up(void *user, const struct l2k_link_info *li)
{
	if (links.verbose) {
		char a[18];
		fprintf(stderr, PROG ": link up: %s handle 0x%03x\n", l2k_addr_str(&li->peer, a), li->handle);
	}
	pthread_mutex_lock(&links.m);
	if (links.n < (int)(sizeof(links.h) / sizeof(links.h[0])))
		links.h[links.n++] = li->handle;
	pthread_mutex_unlock(&links.m);
}

static void on_link_down(void *user, const struct l2k_link_info *li, uint8_t reason)
{
	pthread_mutex_lock(&links.m);
	for (int i = 0; i < links.n; i++)
		if (links.h[i] == li->handle) {
			links.h[i] = links.h[--links.n];
			break;
		}
	pthread_cond_broadcast(&links.cv);
	pthread_mutex_unlock(&links.m);
	if (links.verbose)
		fprintf(stderr, PROG ": link down: handle 0x%03x (HCI 0x%02x: %s)\n", li->handle, reason,
			tool_hci_status_str(reason));
}

static void links_wait_down(int ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&links.m);
	while (links.n > 0 && pthread_cond_timedwait(&links.cv, &links.m, &ts) == 0)
		;
	pthread_mutex_unlock(&links.m);
}

/* Before the stack goes away: what we last sent (a Disconnection Response, say) must not die in
 * the controller with it.  When the peer ended the channel it also ends the link: give it the
 * time to; then disconnect what is left ourselves and wait for the controller to confirm. */
static void links_finish(l2k_stack *s, bool peer_ends)
{
	if (peer_ends)
		links_wait_down(2000);
	pthread_mutex_lock(&links.m);
	uint16_t h[16];
	int n = links.n;
	memcpy(h, links.h, sizeof(h));
	pthread_mutex_unlock(&links.m);
	if (!n)
		return;
	l2k_lock(s);
	for (int i = 0; i < n; i++)
		l2k_link_disconnect(s, h[i], 0);
	l2k_unlock(s);
	links_wait_down(2000);
}

/* While l2k_connect waits (up to --timeout), SIGINT / SIGTERM cannot wake it: this thread
 * disconnects the links that are up (and keeps doing so until the call returned), which ends
 * the channels being set up at once; the peer sees a plain disconnection (HCI 0x13). */
struct watch {
	l2k_stack *s;
	pthread_t th;
	atomic_bool done;
};

static void *watch_main(void *arg)
{
	struct watch *w = arg;
	while (!atomic_load(&w->done)) {
		struct pollfd pf = {tool_signal_fd(), POLLIN, 0};
		if (!tool_signal()) {
			tool_poll(&pf, tool_signal_fd() >= 0 ? 1 : 0, 100);
			continue;
		}
		pthread_mutex_lock(&links.m);
		uint16_t h[16];
		int n = links.n;
		memcpy(h, links.h, sizeof(h));
		pthread_mutex_unlock(&links.m);
		l2k_lock(w->s);
		for (int i = 0; i < n; i++)
			l2k_link_disconnect(w->s, h[i], 0);
		l2k_unlock(w->s);
		tool_poll(NULL, 0, 100);
	}
	return NULL;
}

/* ---- main ---------------------------------------------------------------------------------- */

enum { O_MTU = 256, O_MPS, O_CREDITS, O_ECHO, O_SINK, O_SEND, O_SIZE, O_VERIFY, O_SNOOP, O_LE,
       O_FCS, O_WINDOW, O_MAXTX, O_EXTWIN, O_RATE, O_CHANNELS, O_RMTU, O_RMPS, O_RAT, O_WATCHDOG,
       O_NODISC };

/* N, Nk, NM: bytes per second */
static int parse_rate(const char *s, unsigned long *out)
{
	char num[32];
	size_t n = strlen(s);
	unsigned long mul = 1;
	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n + 1);
	if (num[n - 1] == 'k' || num[n - 1] == 'K')
		mul = 1000;
	else if (num[n - 1] == 'M')
		mul = 1000000;
	if (mul > 1)
		num[n - 1] = '\0';
	unsigned long v;
	if (tool_parse_uint(num, 1, 4000000000ul / mul, &v))
		return -1;
	*out = v * mul;
	return 0;
}

static int bad_arg(const char *opt, const char *val, const char *why)
{
	return tool_bad_value(PROG, opt, val, why);
}

int main(int argc, char **argv)
{
	struct cfg c;
	memset(&c, 0, sizeof(c));
	tool_stdio_binary();
	l2k_chan_opts_default(&c.opts);
	c.timeout_ms = 30000;
	c.nchan = 1;
	bool echo = false, sink = false, recv_only = false, verify = false, send = false;
	tool_signals_init(PROG);
	static const struct option lo[] = {
	    {"transport", required_argument, 0, 't'}, {"mode", required_argument, 0, 'm'},
	    {"mtu", required_argument, 0, O_MTU},     {"mps", required_argument, 0, O_MPS},
	    {"credits", required_argument, 0, O_CREDITS}, {"listen", required_argument, 0, 'l'},
	    {"keep", no_argument, 0, 'k'},	      {"recv-only", no_argument, 0, 'd'},
	    {"echo", no_argument, 0, O_ECHO},	      {"sink", no_argument, 0, O_SINK},
	    {"send", required_argument, 0, O_SEND},   {"size", required_argument, 0, O_SIZE},
	    {"verify", no_argument, 0, O_VERIFY},     {"timeout", required_argument, 0, 'w'},
	    {"rate", required_argument, 0, O_RATE},
	    {"btsnoop", required_argument, 0, O_SNOOP}, {"le", no_argument, 0, O_LE},
	    {"fcs", required_argument, 0, O_FCS},     {"window", required_argument, 0, O_WINDOW},
	    {"max-transmit", required_argument, 0, O_MAXTX}, {"ext-window", no_argument, 0, O_EXTWIN},
	    {"channels", required_argument, 0, O_CHANNELS}, {"output", required_argument, 0, 'o'},
	    {"reconfigure-mtu", required_argument, 0, O_RMTU}, {"reconfigure-mps", required_argument, 0, O_RMPS},
	    {"reconfigure-at", required_argument, 0, O_RAT}, {"watchdog", required_argument, 0, O_WATCHDOG},
	    {"no-discoverable", no_argument, 0, O_NODISC},
	    {"verbose", no_argument, 0, 'v'},	      {"help", no_argument, 0, 'h'},
	    TOOL_SEC_LONGOPTS,
	    TOOL_VENDOR_LONGOPTS,
	    {0, 0, 0, 0}};
	int o;
	unsigned long v;
	struct tool_vendor tv = {0};
	tool_sec_init(&c.sec);
	while ((o = getopt_long(argc, argv, "t:m:l:kdw:o:vh", lo, NULL)) != -1) {
		int so = tool_sec_opt(PROG, &c.sec, o, optarg);
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
		case 't': c.spec = optarg; break;
		case 'm':
			if (tool_parse_mode(PROG, optarg, &c.mode) < 0)
				return 2;
			c.mode_set = true;
			break;
		case O_MTU:
			if (tool_opt_uint(PROG, "--mtu", optarg, 23, 65535, "23..65535 (BR/EDR needs >= 48)", &v))
				return 2;
			c.opts.mtu = (uint16_t)v;
			break;
		case O_MPS:
			if (tool_opt_uint(PROG, "--mps", optarg, 23, 65533, "23..65533", &v))
				return 2;
			c.opts.mps = (uint16_t)v;
			break;
		case O_CREDITS:
			if (tool_opt_uint(PROG, "--credits", optarg, 1, 65535, "1..65535", &v))
				return 2;
			c.opts.credits = (uint16_t)v;
			break;
		case 'l':
			if (tool_opt_uint(PROG, "-l", optarg, 1, 0xFFFF, "a PSM, e.g. 0x1001 or 128", &v))
				return 2;
			c.listen = true;
			c.psm = (uint16_t)v;
			break;
		case 'k': c.keep = true; break;
		case O_NODISC: c.no_discoverable = true; break;
		case 'd': recv_only = true; break;
		case O_ECHO: echo = true; break;
		case O_SINK: sink = true; break;
		case O_SEND:
			if (tool_opt_uint(PROG, "--send", optarg, 0, 0xFFFFFFFFul, "a count", &v))
				return 2;
			c.send_n = v;
			send = true;
			break;
		case O_SIZE:
			if (tool_opt_uint(PROG, "--size", optarg, 0, 65535, "0..65535", &v))
				return 2;
			c.size = v;
			c.size_set = true;
			break;
		case O_VERIFY: verify = true; break;
		case O_RATE:
			if (parse_rate(optarg, &c.rate))
				return bad_arg("--rate", optarg, "bytes per second, e.g. 500000, 500k, 2M");
			break;
		case 'w':
			if (tool_opt_uint(PROG, "--timeout", optarg, 1, 86400000, "milliseconds, 1..86400000", &v))
				return 2;
			c.timeout_ms = (int)v;
			break;
		case O_SNOOP: c.snoop = optarg; break;
		case O_LE: c.le = true; break;
		case O_FCS:
			if (strcmp(optarg, "none") && strcmp(optarg, "crc16"))
				return bad_arg("--fcs", optarg, "none or crc16");
			c.opts.fcs = !strcmp(optarg, "crc16");
			break;
		case O_WINDOW:
			if (tool_opt_uint(PROG, "--window", optarg, 1, 0x3FFF, "1..63 (ERTM), 1..32 (legacy), up to 16383 with --ext-window", &v))
				return 2;
			c.opts.tx_window = (uint16_t)v;
			break;
		case O_MAXTX:
			if (tool_opt_uint(PROG, "--max-transmit", optarg, 0, 254, "1..254, or 0 for unlimited", &v))
				return 2;
			c.opts.max_transmit = v ? (uint8_t)v : L2K_MAX_TRANSMIT_UNLIMITED;
			break;
		case O_EXTWIN: c.opts.ext_window = true; break;
		case O_CHANNELS:
			if (tool_opt_uint(PROG, "--channels", optarg, 1, MAXCH, "1..5 (one Credit Based Connection Request)", &v))
				return 2;
			c.nchan = (int)v;
			break;
		case 'o': c.out_prefix = optarg; break;
		case O_RMTU:
			if (tool_opt_uint(PROG, "--reconfigure-mtu", optarg, 64, 65535, "64..65535", &v))
				return 2;
			c.reconf_mtu = v;
			break;
		case O_RMPS:
			if (tool_opt_uint(PROG, "--reconfigure-mps", optarg, 64, 65533, "64..65533", &v))
				return 2;
			c.reconf_mps = v;
			break;
		case O_RAT:
			if (tool_opt_uint(PROG, "--reconfigure-at", optarg, 0, 0xFFFFFFFFul, "a byte count", &v))
				return 2;
			c.reconf_at = v;
			break;
		case O_WATCHDOG:
			if (tool_opt_watchdog(PROG, optarg, &c.watchdog_ms))
				return 2;
			break;
		case 'v': c.verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!c.spec) {
		fprintf(stderr, PROG ": no transport: give -t SPEC (e.g. -t unix:/tmp/bt-server-bredr)\n");
		return 2;
	}
	int npos = argc - optind;
	if (c.listen ? npos != 0 : npos != 2) {
		fprintf(stderr, PROG ": %s\n", c.listen ? "-l PSM takes no address" : "give ADDR and PSM (or -l PSM)");
		usage(stderr);
		return 2;
	}
	if (!c.listen) {
		bool typed;
		if (tool_parse_peer(argv[optind], &c.peer, &c.ptype, &typed) < 0) {
			fprintf(stderr, PROG ": bad address '%s' (AA:BB:CC:DD:EE:FF[/bredr|/le-public|/le-random])\n",
				argv[optind]);
			return 2;
		}
		if (tool_opt_uint(PROG, "PSM", argv[optind + 1], 1, 0xFFFF, "a PSM, e.g. 0x1001 or 128", &v))
			return 2;
		c.psm = (uint16_t)v;
		if (c.ptype != L2K_ADDR_BREDR)
			c.le = true;
		else if (!typed && (c.le || (c.mode_set && c.mode == L2K_MODE_LE_CREDIT)))
			c.ptype = L2K_ADDR_LE_PUBLIC;
		if (c.ptype != L2K_ADDR_BREDR)
			c.le = true;
	}
	if (c.mode_set && c.mode == L2K_MODE_LE_CREDIT)
		c.le = true;
	if (c.le && !c.mode_set)
		c.mode = L2K_MODE_LE_CREDIT;
	if (c.le && c.mode == L2K_MODE_BASIC) {
		fprintf(stderr, PROG ": mode basic is BR/EDR only; LE channels use -m le\n");
		return 2;
	}
	c.opts.mode = c.mode;
	c.opts.sec_level = c.sec.level;
	c.sec.verbose = c.verbose;
	if (echo + sink + send > 1 || (echo && recv_only)) {
		fprintf(stderr, PROG ": --echo, --sink and --send exclude each other\n");
		return 2;
	}
	if (verify && !send) {
		fprintf(stderr, PROG ": --verify needs --send N (the peer must echo: l2cat --echo)\n");
		return 2;
	}
	if (c.size_set && !send) {
		fprintf(stderr, PROG ": --size goes with --send\n");
		return 2;
	}
	c.src = send ? SRC_PATTERN : (echo || sink || recv_only) ? SRC_NONE : SRC_STDIN;
	c.snk = echo ? SINK_ECHO : verify ? SINK_VERIFY : sink ? SINK_DISCARD : SINK_STDOUT;
	if (c.keep && !c.listen) {
		fprintf(stderr, PROG ": -k goes with -l\n");
		return 2;
	}
	if (c.no_discoverable && (!c.listen || c.le)) {
		fprintf(stderr, PROG ": --no-discoverable goes with -l over BR/EDR\n");
		return 2;
	}
	if (c.nchan > 1 && c.mode != L2K_MODE_ECFC) {
		fprintf(stderr, PROG ": --channels N opens several channels in one request: -m ecfc\n");
		return 2;
	}
	if ((c.reconf_mps || c.reconf_at) && !c.reconf_mtu) {
		fprintf(stderr, PROG ": --reconfigure-mps / --reconfigure-at go with --reconfigure-mtu N\n");
		return 2;
	}
	if (c.reconf_mtu && c.mode != L2K_MODE_ECFC) {
		fprintf(stderr, PROG ": --reconfigure-mtu needs -m ecfc (Credit Based Reconfigure Request)\n");
		return 2;
	}
	if (c.out_prefix && c.snk != SINK_STDOUT) {
		fprintf(stderr, PROG ": -o writes received data to files: not with --echo, --sink or --verify\n");
		return 2;
	}
#ifdef SIGPIPE /* (Windows has none: a closed pipe is an error from write) */
	signal(SIGPIPE, SIG_IGN);
#endif

	l2k_stack *s;
	links.verbose = c.verbose;
	struct l2k_stack_cbs cbs = {.user = &c, .error = on_error, .link_up = on_link_up, .link_down = on_link_down};
	/* pairing questions: answered for --auto-accept, else asked on the terminal by the agent's
	 * thread, which replies from there (the stack runs on its own thread, l2k_start) */
	tool_agent_init(PROG, &c.sec, true, &cbs);
	struct l2k_stack_opts so = {.btsnoop_path = c.snoop, .no_page_scan = !(c.listen && !c.le),
				    .security = &c.sec.opts, .acl_tx_timeout_ms = c.watchdog_ms};
	tool_vendor_apply(&tv, &so);
	if (tool_stack_up(PROG, c.spec, &so, &cbs, 10000, &s) < 0)
		return 1;
	/* from here on SIGINT / SIGTERM end the channels and links gracefully (exit 130 / 143) */
	tool_signals_graceful(true);
	struct l2k_controller_info inf;
	l2k_controller_info(s, &inf);
	if (c.verbose) {
		char a[18];
		char fc[300];
		tool_ctrl_flow_str(fc, sizeof(fc), &inf);
		fprintf(stderr, PROG ": controller %s ready on %s\n", l2k_addr_str(&inf.addr, a), c.spec);
		fprintf(stderr, PROG ": controller-to-host flow control %s\n", fc);
	}
	if (c.le && !inf.le) {
		fprintf(stderr, PROG ": %s: the controller does not support LE\n", c.spec);
		stack_close(s);
		return 1;
	}
	if (!c.le && !inf.bredr) {
		fprintf(stderr, PROG ": %s: the controller does not support BR/EDR (LE: -m le)\n", c.spec);
		stack_close(s);
		return 1;
	}
	if (c.listen && c.le) {
		/* connectable, and again after every central that came and went (or connected while
		 * a channel was served), for as long as we serve */
		int ar = l2k_le_advertise_keep(s, NULL, 0, 0);
		if (ar < 0) {
			fprintf(stderr, PROG ": %s: cannot advertise: %s\n", c.spec, l2k_strerror(ar));
			stack_close(s);
			return 1;
		}
	}
	if (c.listen && !c.le && !c.no_discoverable) {
		/* found by inquiries (with a name) while it listens */
		int dr = l2k_set_local_name(s, "l2cat");
		if (dr == 0)
			dr = l2k_set_discoverable(s, true);
		if (dr < 0)
			fprintf(stderr, PROG ": %s: cannot make the listener discoverable: %s\n", c.spec,
				l2k_strerror(dr));
	}
	int r = l2k_start(s);
	if (r < 0) {
		fprintf(stderr, PROG ": cannot start the stack's thread: %s\n", l2k_strerror(r));
		stack_close(s);
		return 1;
	}
	tool_agent_start();
	bool ok = true;
	char msg[512];
	enum l2k_close_reason why = L2K_CLOSE_LOCAL;
	if (c.listen) {
		l2k_sock *ls;
		/* a backlog of --channels, and no more held at once: the stack refuses (0x0004) what
		 * l2cat would not serve now */
		r = l2k_listen(s, c.psm, c.le, &c.opts, c.nchan, &ls);
		if (r == 0)
			r = l2k_listen_limit(ls, c.nchan);
		if (r < 0) {
			if (r == L2K_EINVAL)
				fprintf(stderr, PROG ": cannot listen on 0x%04x: invalid PSM or options (BR/EDR PSMs are "
					"odd with an even upper octet, LE SPSMs 0x0001-0x00FF; MTU >= %d)\n",
					c.psm, c.le ? 23 : 48);
			else
				fprintf(stderr, PROG ": cannot listen on 0x%04x: %s\n", c.psm, l2k_strerror(r));
			stack_close(s);
			return 1;
		}
		if (c.verbose)
			fprintf(stderr, PROG ": listening on %s psm 0x%04x%s\n", c.le ? "LE" : "BR/EDR", c.psm,
				c.le ? " (advertising)" : "");
		ok = serve(&c, s, &ls, NULL, 0, &why);
		if (ls)
			l2k_close(ls);
	} else {
		l2k_sock *sk[MAXCH] = {NULL};
		uint64_t t0 = tool_now_us();
		struct watch w = {.s = s};
		bool watching = pthread_create(&w.th, NULL, watch_main, &w) == 0;
		if (c.mode == L2K_MODE_ECFC)
			r = l2k_connect_ecfc(s, &c.peer, c.ptype, c.psm, c.nchan, &c.opts, c.timeout_ms, sk);
		else
			r = l2k_connect(s, &c.peer, c.ptype, c.psm, &c.opts, c.timeout_ms, &sk[0]);
		atomic_store(&w.done, true);
		if (watching)
			pthread_join(w.th, NULL);
		if (r < 0 && tool_signal()) {
			fprintf(stderr, PROG ": interrupted (%s) while connecting\n", tool_signal_name());
			for (int i = 0; i < c.nchan; i++)
				l2k_close(sk[i]);
			links_finish(s, false);
			stack_close(s);
			return tool_signal_status();
		}
		if (r < 0) {
			struct l2k_chan_info ci;
			memset(&ci, 0, sizeof(ci));
			ci.link_type = c.ptype;
			ci.mode = c.mode;
			int bad = 0; /* the first channel that did not open tells why */
			for (int i = 0; i < c.nchan; i++) {
				struct l2k_chan_info x;
				if (sk[i] && l2k_sock_info(sk[i], &x) == 0 && l2k_sock_close_reason(sk[i]) != L2K_CLOSE_LOCAL) {
					bad = i;
					break;
				}
			}
			if (sk[bad])
				l2k_sock_info(sk[bad], &ci);
			char a[18];
			if (r == L2K_EINVAL)
				snprintf(msg, sizeof(msg), "invalid PSM or options (BR/EDR PSMs are odd with an even "
							   "upper octet, LE SPSMs 0x0001-0x00FF; MTU >= %d)", c.le ? 23 : 48);
			else if (r == L2K_ETIMEDOUT) {
				/* the engine gives up on an unanswered request (RTX) before -w may run out */
				unsigned long ms = (unsigned long)((tool_now_us() - t0) / 1000);
				if (ms + 500 < (unsigned long)c.timeout_ms)
					snprintf(msg, sizeof(msg), "no answer within %lu ms (the peer did not answer "
						 "the request)", ms);
				else
					snprintf(msg, sizeof(msg), "no answer within %d ms", c.timeout_ms);
			}
			else if ((r == L2K_EAUTH || r == L2K_EKEYSIZE) && c.sec.level) {
				const char *failure = tool_sec_last_failure();
				snprintf(msg, sizeof(msg), "security level %u (%s) could not be established, no channel was "
					 "requested: %s", c.sec.level, tool_sec_level_name(c.sec.level),
					 failure[0] ? failure : l2k_strerror(r));
			}
			else if (r == L2K_EIO || r == L2K_ENETDOWN)
				snprintf(msg, sizeof(msg), "%s: %s", l2k_strerror(r), l2k_last_error(s));
			else
				chan_error(msg, sizeof(msg), r, &ci);
			char which[48] = "";
			if (c.nchan > 1)
				snprintf(which, sizeof(which), " (channel %d of %d)", bad, c.nchan);
			fprintf(stderr, PROG ": connect to %s psm 0x%04x%s: %s\n", l2k_addr_str(&c.peer, a), c.psm, which,
				msg);
			for (int i = 0; i < c.nchan; i++)
				l2k_close(sk[i]);
			stack_close(s);
			return 1;
		}
		ok = serve(&c, s, NULL, sk, c.nchan, &why);
	}
	if (why != L2K_CLOSE_LINK_LOST && why != L2K_CLOSE_CONTROLLER) /* else the links are gone already */
		links_finish(s, why == L2K_CLOSE_REMOTE);
	if (c.verbose) {
		struct l2k_hci_stats hs;
		char d[400];
		l2k_lock(s);
		l2k_hci_stats(s, &hs);
		l2k_unlock(s);
		tool_hci_drops_str(d, sizeof(d), &hs);
		fprintf(stderr, PROG ": controller input discarded as malformed: %s\n", d);
	}
	stack_close(s);
	if (tool_signal()) {
		fprintf(stderr, PROG ": interrupted (%s)%s\n", tool_signal_name(), ok ? "" : "; see above");
		return tool_signal_status();
	}
	return ok ? 0 : 1;
}
