/* Helpers shared by the l2kit tools; see tool.h. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools/common/security.h"
#include "tools/common/tool.h"
#include "tools/common/tool_os.h"

int tool_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	if (!s || *s < '0' || *s > '9') /* no sign, no blank, no empty string */
		return -1;
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 0);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int tool_bad_value(const char *prog, const char *opt, const char *val, const char *what)
{
	fprintf(stderr, "%s: bad value '%s' for %s: expected %s\n", prog, val ? val : "", opt, what);
	return 2;
}

int tool_opt_uint(const char *prog, const char *opt, const char *val, unsigned long min, unsigned long max,
		  const char *what, unsigned long *out)
{
	if (tool_parse_uint(val, min, max, out) == 0)
		return 0;
	tool_bad_value(prog, opt, val, what);
	return -1;
}

int tool_opt_u64(const char *prog, const char *opt, const char *val, uint64_t min, uint64_t max,
		 const char *what, uint64_t *out)
{
	if (val && *val >= '0' && *val <= '9') {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(val, &end, 0);
		if (!errno && !*end && v >= min && v <= max) {
			*out = v;
			return 0;
		}
	}
	tool_bad_value(prog, opt, val, what);
	return -1;
}

int tool_opt_double(const char *prog, const char *opt, const char *val, double min, double max,
		    const char *what, double *out)
{
	/* digits or a point first: no sign, blank, "nan" or "inf" */
	if (val && ((*val >= '0' && *val <= '9') || *val == '.')) {
		char *end;
		errno = 0;
		double v = strtod(val, &end);
		if (!errno && !*end && isfinite(v) && v >= min && v <= max) {
			*out = v;
			return 0;
		}
	}
	tool_bad_value(prog, opt, val, what);
	return -1;
}

/* ---- SIGINT / SIGTERM ------------------------------------------------------------------- */

static const char *sig_prog = "";
static volatile sig_atomic_t sig_got, sig_graceful;
static int sig_pipe[2] = {-1, -1};

static const char *sig_str(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}

/* async-signal-safe: write(2) and _exit(2) only */
static void sig_say(const char *a, const char *b, const char *c)
{
	const char *parts[4] = {sig_prog, a, b, c};
	for (int i = 0; i < 4; i++) {
		size_t n = strlen(parts[i]);
		if (n && write(2, parts[i], n) < 0)
			return;
	}
}

static void on_signal(int sig)
{
#ifdef _WIN32
	signal(sig, on_signal); /* (the C runtime resets it on delivery) */
#endif
	if (!sig_graceful) {
		sig_say(": interrupted (", sig_str(sig), ")\n");
		_exit(128 + sig);
	}
	if (sig_got) {
		sig_say(": ", sig_str(sig), " again: exiting at once\n");
		_exit(128 + sig);
	}
	sig_got = sig;
	int e = errno;
	if (sig_pipe[1] >= 0)
		tool_wake_put(sig_pipe[1]); /* (missed: the flag is set, tool_signal() says it) */
	errno = e;
}

void tool_signals_init(const char *prog)
{
	sig_prog = prog;
	if (sig_pipe[0] < 0 && tool_wake_pair(sig_pipe) < 0)
		sig_pipe[0] = sig_pipe[1] = -1;
#ifdef _WIN32
	/* the C runtime's console handler (Ctrl-C, Ctrl-Break: SIGINT; on its own thread) */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
#else
	struct sigaction sa, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: a blocking call of the receiving thread returns EINTR */
	/* A SIGINT that was ignored when the program started stays ignored (the Unix convention: a
	 * shell without job control starts background commands so, and Ctrl-C in its terminal must
	 * not stop them; nohup too).  SIGTERM is always handled. */
	if (sigaction(SIGINT, NULL, &old) == 0 && old.sa_handler != SIG_IGN)
		sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
#endif
}

void tool_signals_graceful(bool on)
{
	sig_graceful = on;
}

int tool_signal(void)
{
	return sig_got;
}

int tool_signal_fd(void)
{
	return sig_pipe[0];
}

const char *tool_signal_name(void)
{
	return sig_got ? sig_str(sig_got) : "";
}

int tool_signal_status(void)
{
	return sig_got ? 128 + sig_got : 0;
}

void tool_mode_list(char *buf, size_t len, bool supported_only)
{
	size_t o = 0;
	if (len)
		buf[0] = '\0';
	for (int m = 0; m <= 0xFF; m++) {
		const char *n = l2k_mode_name((enum l2k_mode)m);
		if (!n || (supported_only && !l2k_mode_supported((enum l2k_mode)m)))
			continue;
		int w = snprintf(buf + o, len > o ? len - o : 0, "%s%s", o ? ", " : "", n);
		if (w > 0)
			o += (size_t)w;
	}
}

int tool_parse_mode(const char *prog, const char *name, enum l2k_mode *out)
{
	char built[128];
	tool_mode_list(built, sizeof(built), true);
	if (l2k_mode_parse(name, out) < 0) {
		char all[160];
		tool_mode_list(all, sizeof(all), false);
		fprintf(stderr, "%s: unknown mode '%s' (modes: %s; built: %s)\n", prog, name, all, built);
		return -1;
	}
	if (!l2k_mode_supported(*out)) {
		fprintf(stderr, "%s: mode '%s' is not implemented in this build of l2kit (built: %s)\n",
			prog, name, built);
		return -1;
	}
	return 0;
}

int tool_parse_peer(const char *s, l2k_addr *addr, enum l2k_addr_type *type, bool *typed)
{
	char a[18];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	if (n != 17)
		return -1;
	memcpy(a, s, 17);
	a[17] = '\0';
	if (l2k_addr_parse(a, addr) < 0)
		return -1;
	*type = L2K_ADDR_BREDR;
	*typed = slash != NULL;
	if (!slash)
		return 0;
	if (!strcmp(slash + 1, "bredr"))
		*type = L2K_ADDR_BREDR;
	else if (!strcmp(slash + 1, "le-public") || !strcmp(slash + 1, "le"))
		*type = L2K_ADDR_LE_PUBLIC;
	else if (!strcmp(slash + 1, "le-random"))
		*type = L2K_ADDR_LE_RANDOM;
	else
		return -1;
	return 0;
}

const char *tool_hci_status_str(uint8_t st)
{
	/* Vol 1 Part F 1.3: the codes a host meets on links */
	switch (st) {
	case 0x00: return "Success";
	case 0x02: return "Unknown Connection Identifier";
	case 0x04: return "Page Timeout";
	case 0x05: return "Authentication Failure";
	case 0x07: return "Memory Capacity Exceeded";
	case 0x08: return "Connection Timeout";
	case 0x09: return "Connection Limit Exceeded";
	case 0x0B: return "ACL Connection Already Exists";
	case 0x0C: return "Command Disallowed";
	case 0x0D: return "Connection Rejected due to Limited Resources";
	case 0x0E: return "Connection Rejected due to Security Reasons";
	case 0x0F: return "Connection Rejected due to Unacceptable BD_ADDR";
	case 0x10: return "Connection Accept Timeout Exceeded";
	case 0x11: return "Unsupported Feature or Parameter Value";
	case 0x12: return "Invalid HCI Command Parameters";
	case 0x13: return "Remote User Terminated Connection";
	case 0x14: return "Remote Device Terminated Connection due to Low Resources";
	case 0x15: return "Remote Device Terminated Connection due to Power Off";
	case 0x16: return "Connection Terminated by Local Host";
	case 0x1A: return "Unsupported Remote Feature";
	case 0x1F: return "Unspecified Error";
	case 0x22: return "LL Response Timeout";
	case 0x3B: return "Unacceptable Connection Parameters";
	case 0x3E: return "Connection Failed to be Established";
	default: return "unknown status";
	}
}

const char *tool_conn_result_str(uint16_t r, bool le)
{
	if (le) {
		/* Vol 3 Part A 4.23 */
		switch (r) {
		case 0x0000: return "success";
		case 0x0002: return "SPSM not supported";
		case 0x0004: return "no resources available";
		case 0x0005: return "insufficient authentication";
		case 0x0006: return "insufficient authorization";
		case 0x0007: return "encryption key size too short";
		case 0x0008: return "insufficient encryption";
		case 0x0009: return "invalid Source CID";
		case 0x000A: return "Source CID already allocated";
		case 0x000B: return "unacceptable parameters";
		case 0x000C: return "invalid parameters";
		default: break;
		}
	} else {
		/* Vol 3 Part A 4.3 */
		switch (r) {
		case 0x0000: return "success";
		case 0x0001: return "pending";
		case 0x0002: return "PSM not supported";
		case 0x0003: return "security block";
		case 0x0004: return "no resources available";
		case 0x0006: return "invalid Source CID";
		case 0x0007: return "Source CID already allocated";
		default: break;
		}
	}
	return r == 0xFFFF ? "Command Reject" : "unknown result";
}

void tool_chan_error(char *buf, size_t len, int err, const struct l2k_chan_info *ci)
{
	bool le = ci && ci->link_type != L2K_ADDR_BREDR;
	switch (err) {
	case L2K_EREFUSED: {
		uint16_t r = ci ? ci->result : 0;
		/* the security refusals: what the peer's service wants (Vol 3 Part A 4.3, 4.23) */
		const char *hint = "";
		if (!le && r == 0x0003)
			hint = ": the peer's service needs a higher security level (--security medium, high or fips)";
		else if (le && r == 0x0005)
			hint = ": the peer's service needs pairing, or on an encrypted link an authenticated key "
			       "(--security medium, high or fips)";
		else if (le && r == 0x0007)
			hint = ": the link's encryption key is shorter than the peer's service accepts";
		else if (le && r == 0x0008)
			hint = ": the peer's service needs the link encrypted with the key it holds for us "
			       "(--security medium or more)";
		snprintf(buf, len, "refused by the peer (result 0x%04x: %s%s)", r, tool_conn_result_str(r, le), hint);
		return;
	}
	case L2K_EAUTH:
	case L2K_EKEYSIZE: {
		const char *why = tool_sec_last_failure();
		snprintf(buf, len, "the security the channel needs could not be established%s%s", why[0] ? ": " : "",
			 why[0] ? why : l2k_strerror(err));
		return;
	}
	case L2K_EHOSTUNREACH:
		if (ci && ci->hci_reason)
			snprintf(buf, len, "the link could not be created (HCI 0x%02x: %s)", ci->hci_reason,
				 tool_hci_status_str(ci->hci_reason));
		else
			snprintf(buf, len, "the link could not be created");
		return;
	case L2K_ELINKLOSS:
		if (ci && ci->hci_reason)
			snprintf(buf, len, "link lost (HCI 0x%02x: %s)", ci->hci_reason,
				 tool_hci_status_str(ci->hci_reason));
		else
			snprintf(buf, len, "link lost (the transport to the controller failed)");
		return;
	case L2K_ECONNRESET:
		snprintf(buf, len, "the peer disconnected the channel");
		return;
	case L2K_ETIMEDOUT:
		snprintf(buf, len, "timed out (the peer did not answer)");
		return;
	case L2K_EPROTO:
		snprintf(buf, len, "the peer violated the protocol; channel closed");
		return;
	case L2K_ECONNABORTED:
		snprintf(buf, len, "channel configuration could not be agreed");
		return;
	case L2K_ECTRLTIMEOUT:
		snprintf(buf, len, "the controller stopped responding (watchdog): every link ended");
		return;
	default:
		snprintf(buf, len, "%s", l2k_strerror(err));
		return;
	}
}

int tool_stack_up(const char *prog, const char *spec, const struct l2k_stack_opts *o,
		  const struct l2k_stack_cbs *cbs, int timeout_ms, l2k_stack **out)
{
	char err[256] = "";
	l2k_stack *s;
	int r = l2k_stack_open(spec, o, cbs, &s, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", prog, err[0] ? err : l2k_strerror(r));
		return -1;
	}
	tool_agent_attach(s);
	r = l2k_wait_ready(s, timeout_ms);
	if (r < 0) {
		const char *why = l2k_last_error(s);
		fprintf(stderr, "%s: %s: controller bring-up failed: %s%s%s\n", prog, spec, l2k_strerror(r),
			why[0] ? ": " : "", why);
		tool_agent_attach(NULL);
		l2k_stack_close(s);
		return -1;
	}
	tool_vendor_report(prog, s);
	*out = s;
	return 0;
}

int tool_vendor_option(const char *prog, int c, const char *arg, struct tool_vendor *v)
{
	switch (c) {
	case TOOL_OPT_FIRMWARE_DIR: v->firmware_dir = arg; return 1;
	case TOOL_OPT_NO_VENDOR_INIT: v->no_vendor_init = true; return 1;
	case TOOL_OPT_USB_ID: {
		unsigned vid, pid;
		char tail;
		if (sscanf(arg, "%4x:%4x%c", &vid, &pid, &tail) != 2 || strlen(arg) != 9) {
			tool_bad_value(prog, "--usb-id", arg, "VID:PID, 4 hexadecimal digits each (0bda:8771)");
			return -1;
		}
		v->usb_id_set = true;
		v->usb_vid = (uint16_t)vid;
		v->usb_pid = (uint16_t)pid;
		return 1;
	}
	default: return 0;
	}
}

void tool_vendor_apply(const struct tool_vendor *v, struct l2k_stack_opts *o)
{
	o->firmware_dir = v->firmware_dir;
	o->no_vendor_init = v->no_vendor_init;
	o->usb_id_set = v->usb_id_set;
	o->usb_vid = v->usb_vid;
	o->usb_pid = v->usb_pid;
}

void tool_vendor_report(const char *prog, l2k_stack *s)
{
	struct l2k_vendor_startup vs;
	if (l2k_vendor_startup(s, &vs) < 0 || !vs.loaded)
		return;
	fprintf(stderr, "%s: vendor start-up: %s: loaded %s%s%s (%s -> %s)\n", prog, vs.chip, vs.file,
		vs.file2[0] ? " + " : "", vs.file2, vs.before, vs.after);
}

int tool_opt_watchdog(const char *prog, const char *val, uint32_t *out)
{
	unsigned long v;
	if (tool_opt_uint(prog, "--watchdog", val, 0, 3600000, "milliseconds, 0 (off) or 1..3600000", &v))
		return -1;
	*out = v ? (uint32_t)v : L2K_WATCHDOG_OFF;
	return 0;
}

void tool_hci_drops_str(char *buf, size_t len, const struct l2k_hci_stats *st)
{
	const struct {
		uint64_t n;
		const char *one, *many;
	} d[] = {
	    {st->evt_malformed, "event cut short or with a wrong length", "events cut short or with a wrong length"},
	    {st->acl_bad_header, "ACL packet with a wrong length", "ACL packets with a wrong length"},
	    {st->acl_unknown_handle, "ACL packet for an unknown handle", "ACL packets for unknown handles"},
	    {st->acl_cont_without_start, "stray continuation fragment", "stray continuation fragments"},
	    {st->acl_overrun, "fragment past its PDU's length", "fragments past their PDU's length"},
	    {st->acl_short_start, "start fragment shorter than the L2CAP header",
	     "start fragments shorter than the L2CAP header"},
	    {st->acl_too_big, "PDU over the largest reassembled", "PDUs over the largest reassembled"},
	    {st->acl_incomplete, "PDU cut short by the next start", "PDUs cut short by the next start"},
	    {st->nocp_excess, "completion beyond the packets outstanding", "completions beyond the packets outstanding"},
	};
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		if (!d[i].n)
			continue;
		int w = snprintf(buf + off, len - off, "%s%llu %s", off ? ", " : "", (unsigned long long)d[i].n,
				 d[i].n == 1 ? d[i].one : d[i].many);
		if (w < 0 || (size_t)w >= len - off)
			return; /* cut at the buffer's end */
		off += (size_t)w;
	}
	if (!off)
		snprintf(buf, len, "none");
}

void tool_ctrl_flow_str(char *buf, size_t len, const struct l2k_controller_info *in)
{
	if (in->ctrl_flow)
		snprintf(buf, len, "on (%u host buffers of %u bytes)", in->host_acl_count, in->host_acl_mtu);
	else if (in->ctrl_flow_supported)
		snprintf(buf, len, "off (turned off, or refused by the controller): a Basic-mode reader "
				   "that falls behind loses data past its receive queue");
	else
		snprintf(buf, len, "off: the controller does not support it (Host Buffer Size, Set Controller "
				   "To Host Flow Control, Host Number Of Completed Packets): a Basic-mode reader "
				   "that falls behind loses data past its receive queue");
}

uint64_t tool_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
