/* The l2kit side of the VM scenarios (tests/vm): one controller, one channel, a file each way.
 * Uses only the public API (socket face).
 *
 *   vm_xfer modes
 *       print the channel modes this build implements, one per line
 *   vm_xfer -t SPEC addr
 *       bring the controller up and print its address
 *   vm_xfer -t SPEC serve MS
 *       stay up (connectable, LE advertising) for MS ms: a peer may ping us meanwhile
 *   vm_xfer -t SPEC listen PSM MODE SEND RECV BYTES
 *   vm_xfer -t SPEC connect ADDR PSM MODE SEND RECV BYTES
 *       open one channel in MODE (basic, ertm, streaming, le, ecfc ...; le/ecfc run on LE),
 *       send the file SEND (BYTES long) while receiving BYTES into the file RECV, both at
 *       once; then the connecting side sends "DONE", the listening side answers "DONE", the
 *       connecting side closes and the listening side waits for that close.
 *   options: --btsnoop FILE, --ready-file FILE (written once listening), --timeout MS
 *   (each wait, default 180000), --mtu N, --sdu N (largest SDU sent; default the peer's MTU),
 *   --read-delay MS (the receiver starts reading MS after the channel opened: a slow reader),
 *   --no-ctrl-flow (leave controller-to-host flow control off),
 *   --expect-fail (connect: the channel must end with an error mid-transfer, e.g. unplug),
 *   --le-link ADDR (listen on LE: first create the LE link to ADDR, as central, so a peer that
 *   cannot see our advertising - an extended scanner on btvirt - can open its channel on it).
 *   Security (docs/security.md): --security LEVEL (the channel's level: low, medium, high,
 *   fips or 0..4), --io-cap noio|display|yesno|keyboard|keyboard-display, --keys FILE (the key
 *   store; without it keys live in memory only), --reject (the agent refuses).  The agent
 *   answers every question at once and prints it ("agent: confirm value 123456 ... ->
 *   accept"); pairing results and the link's security once the channel is open are printed
 *   too, and at the end how many questions and pairings there were ("security: N agent
 *   questions, N pairings"), so that a run can tell a bonded reconnect from a pairing.
 * Exit status 0 on success; 1 with a message naming what failed.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/l2kit.h"

#define DONE_MARK "DONE"

static const char *prog = "vm_xfer";
static int timeout_ms = 180000;
static int read_delay_ms;
static l2k_stack *stack;
static bool agent_rejects;
static int agent_questions, pairings;

struct xfer {
	l2k_sock *sk;
	const uint8_t *out;
	size_t out_len;
	size_t sdu;
	long result;    /* sender: 0 or the error */
	size_t sent;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_error(void *u, int err, const char *msg)
{
	(void)u;
	fprintf(stderr, "%s: stack error: %s (%s)\n", prog, msg, l2k_strerror(err));
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
	if (b && n > 0 && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*len = n > 0 ? (size_t)n : 0;
	return b;
}

static void *sender(void *arg)
{
	struct xfer *x = arg;
	while (x->sent < x->out_len) {
		size_t n = x->out_len - x->sent < x->sdu ? x->out_len - x->sent : x->sdu;
		long r = l2k_send(x->sk, x->out + x->sent, n, timeout_ms);
		if (r < 0) {
			x->result = r;
			return NULL;
		}
		x->sent += n;
	}
	return NULL;
}

/* ---- security: the agent and what it saw ---------------------------------------------------- */

static const char *ask_name(enum l2k_agent_ask a)
{
	switch (a) {
	case L2K_ASK_CONFIRM: return "confirm";
	case L2K_ASK_JUST_WORKS: return "just-works";
	case L2K_ASK_PASSKEY_ENTRY: return "passkey-entry";
	case L2K_ASK_PASSKEY_DISPLAY: return "passkey-display";
	case L2K_ASK_PIN: return "pin";
	case L2K_ASK_AUTHORIZE: return "authorize";
	default: return "?";
	}
}

/* Runs on the stack's thread: answer at once (l2k_agent_reply is allowed from a callback). */
static void on_agent(void *u, const struct l2k_agent_request *req)
{
	(void)u;
	char a[18];
	bool accept = !agent_rejects;
	agent_questions++;
	l2k_addr_str(&req->peer, a);
	const char *ans = req->ask == L2K_ASK_PASSKEY_DISPLAY ? "shown" : accept ? "accept" : "reject";
	printf("%s: agent: %s value %06u peer %s handle 0x%03x -> %s\n", prog, ask_name(req->ask),
	       (unsigned)req->value, a, req->handle, ans);
	fflush(stdout);
	if (req->ask != L2K_ASK_PASSKEY_DISPLAY)
		l2k_agent_reply(stack, req->handle, accept, 0, req->ask == L2K_ASK_PIN ? "0000" : NULL);
}

static void on_paired(void *u, const l2k_addr *peer, enum l2k_addr_type type, int err, const char *why)
{
	(void)u;
	(void)type;
	char a[18];
	pairings++;
	l2k_addr_str(peer, a);
	if (err)
		printf("%s: paired with %s: FAILED: %s (%s)\n", prog, a, l2k_strerror(err), why);
	else
		printf("%s: paired with %s: ok\n", prog, a);
	fflush(stdout);
}

static void show_link_security(l2k_sock *sk)
{
	struct l2k_chan_info ci;
	struct l2k_link_security ls;
	l2k_sock_info(sk, &ci);
	int r = l2k_link_security(stack, ci.handle, &ls); /* takes the stack's lock itself */
	if (r < 0) {
		printf("%s: link security: %s\n", prog, l2k_strerror(r));
		return;
	}
	printf("%s: link security: level %u, %s, key size %u, authenticated %s, secure connections %s, "
	       "bonded %s\n", prog, ls.level, ls.encrypted ? "encrypted" : "not encrypted", ls.key_size,
	       ls.authenticated ? "yes" : "no", ls.secure_conn ? "yes" : "no", ls.bonded ? "yes" : "no");
	fflush(stdout);
}

static int parse_level(const char *s)
{
	static const char *names[] = {"none", "low", "medium", "high", "fips"};
	for (int i = 0; i < 5; i++)
		if (!strcmp(s, names[i]) || (s[0] == '0' + i && !s[1]))
			return i;
	return -1;
}

static int parse_io_cap(const char *s)
{
	static const struct {
		const char *name;
		enum l2k_io_cap cap;
	} caps[] = {{"display", L2K_IO_DISPLAY_ONLY}, {"yesno", L2K_IO_DISPLAY_YESNO},
		    {"keyboard", L2K_IO_KEYBOARD_ONLY}, {"noio", L2K_IO_NO_INPUT_NO_OUTPUT},
		    {"keyboard-display", L2K_IO_KEYBOARD_DISPLAY}};
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (!strcmp(s, caps[i].name))
			return (int)caps[i].cap;
	return -1;
}

static void describe_close(l2k_sock *sk, const char *what, long r)
{
	struct l2k_chan_info ci;
	memset(&ci, 0, sizeof(ci));
	l2k_sock_info(sk, &ci);
	fprintf(stderr, "%s: %s: %s (channel: %s; result 0x%04x, hci reason 0x%02x; %lu SDUs dropped)\n",
		prog, what, r < 0 ? l2k_strerror((int)r) : "channel closed",
		l2k_close_reason_str(l2k_sock_close_reason(sk)), ci.result, ci.hci_reason,
		(unsigned long)ci.rx_sdus_dropped);
}

/* Both directions at once, then the DONE exchange.  0 or -1. */
static int transfer(l2k_sock *sk, const char *send_path, const char *recv_path, size_t bytes,
		    size_t sdu_max, bool closer, bool expect_fail)
{
	struct l2k_chan_info ci;
	l2k_sock_info(sk, &ci);
	printf("%s: channel open: mode %s, psm 0x%04x, cid 0x%04x/0x%04x, mtu %u/%u, mps %u/%u, "
	       "fcs %d\n", prog, l2k_mode_name(ci.mode), ci.psm, ci.local_cid, ci.remote_cid,
	       ci.local_mtu, ci.remote_mtu, ci.local_mps, ci.remote_mps, ci.fcs);
	fflush(stdout);
	size_t out_len;
	uint8_t *out = read_file(send_path, &out_len);
	if (!out || out_len != bytes) {
		fprintf(stderr, "%s: %s: cannot read %zu bytes\n", prog, send_path, bytes);
		return -1;
	}
	FILE *rf = fopen(recv_path, "wb");
	if (!rf) {
		perror(recv_path);
		return -1;
	}
	struct xfer x = { .sk = sk, .out = out, .out_len = out_len };
	x.sdu = ci.remote_mtu;
	if (sdu_max && sdu_max < x.sdu)
		x.sdu = sdu_max;
	double t0 = now_s();
	pthread_t th;
	pthread_create(&th, NULL, sender, &x);
	static uint8_t buf[65536];
	size_t got = 0, sdus = 0;
	long r = 0;
	if (read_delay_ms > 0) {
		struct timespec ts = {read_delay_ms / 1000, (long)(read_delay_ms % 1000) * 1000000L};
		nanosleep(&ts, NULL);
	}
	while (got < bytes) {
		size_t full;
		r = l2k_recv(sk, buf, sizeof(buf), &full, timeout_ms);
		if (r <= 0)
			break;
		if (got + (size_t)r > bytes) {
			fprintf(stderr, "%s: received more than %zu bytes\n", prog, bytes);
			r = -1;
			break;
		}
		fwrite(buf, 1, (size_t)r, rf);
		got += (size_t)r;
		sdus++;
	}
	double t_recv = now_s() - t0;
	fclose(rf);
	if (got < bytes) {
		if (expect_fail) {
			describe_close(sk, "the channel ended as expected", r);
			printf("%s: channel ended with an error after %zu of %zu bytes received, %zu "
			       "sent\n", prog, got, bytes, x.sent);
			pthread_join(th, NULL);
			free(out);
			return r < 0 || l2k_sock_close_reason(sk) != L2K_CLOSE_LOCAL ? 0 : -1;
		}
		describe_close(sk, "receiving", r);
		fprintf(stderr, "%s: received %zu of %zu bytes (%zu SDUs)\n", prog, got, bytes, sdus);
		pthread_join(th, NULL);
		free(out);
		return -1;
	}
	pthread_join(th, NULL);
	double t_send = now_s() - t0;
	free(out);
	if (x.result < 0) {
		describe_close(sk, "sending", x.result);
		fprintf(stderr, "%s: sent %zu of %zu bytes\n", prog, x.sent, bytes);
		return -1;
	}
	if (expect_fail) {
		fprintf(stderr, "%s: the transfer completed but was expected to fail\n", prog);
		return -1;
	}
	printf("%s: received %zu bytes in %zu SDUs (%.1f s, %.1f KB/s); sent %zu bytes in SDUs of "
	       "<= %zu (%.1f s)\n", prog, got, sdus, t_recv, (double)got / 1024.0 / t_recv, x.sent,
	       x.sdu, t_send);
	fflush(stdout);
	/* DONE both ways, the closer first: the closer's DONE tells the listener that all its data
	 * arrived; the listener's DONE, sent only after the closer's arrived, tells the closer that
	 * nothing of its own is still in flight - so the close cuts nothing (a close drops what is
	 * still queued). */
	size_t full;
	for (int step = 0; step < 2; step++) {
		if ((step == 0) == closer) {
			r = l2k_send(sk, DONE_MARK, 4, timeout_ms);
			if (r < 0) {
				describe_close(sk, "sending DONE", r);
				return -1;
			}
		} else {
			r = l2k_recv(sk, buf, sizeof(buf), &full, timeout_ms);
			if (r != 4 || memcmp(buf, DONE_MARK, 4) != 0) {
				describe_close(sk, "waiting for the peer's DONE", r);
				return -1;
			}
		}
	}
	if (!closer) {
		r = l2k_recv(sk, buf, sizeof(buf), &full, timeout_ms);
		if (r != 0) {
			fprintf(stderr, "%s: expected the peer to close the channel, got %ld\n", prog, r);
			return -1;
		}
		printf("%s: peer closed the channel (%s)\n", prog,
		       l2k_close_reason_str(l2k_sock_close_reason(sk)));
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: vm_xfer -t SPEC [--btsnoop F] [--ready-file F] [--timeout MS] "
		"[--mtu N] [--sdu N] [--expect-fail] [--le-link ADDR] [--read-delay MS] [--no-ctrl-flow]\n"
		"         [--security LEVEL] [--io-cap CAP] [--keys FILE] [--reject]\n"
		"         modes | addr | serve MS | listen PSM MODE SEND RECV BYTES |\n"
		"         connect ADDR PSM MODE SEND RECV BYTES\n");
	return 2;
}

static int link_state; /* 0 pending, 1 up, -1 failed */
static void on_link_up(void *u, const struct l2k_link_info *l)
{
	(void)u;
	(void)l;
	link_state = 1;
}
static void on_link_failed(void *u, const l2k_addr *peer, enum l2k_addr_type type, uint8_t st)
{
	(void)u;
	(void)peer;
	(void)type;
	fprintf(stderr, "%s: LE link failed: HCI status 0x%02x\n", prog, st);
	link_state = -1;
}
static bool link_settled(void *arg)
{
	(void)arg;
	return link_state != 0;
}

static volatile sig_atomic_t stop_flag;
static void on_term(int sig)
{
	(void)sig;
	stop_flag = 1;
}

int main(int argc, char **argv)
{
	const char *spec = NULL, *snoop = NULL, *ready_file = NULL, *le_link = NULL, *keys = NULL;
	unsigned mtu = 0, sdu = 0;
	int sec_level = -1, io_cap = -1;
	bool expect_fail = false, no_ctrl_flow = false;
	char *pos[8];
	int npos = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-t") && i + 1 < argc)
			spec = argv[++i];
		else if (!strcmp(argv[i], "--btsnoop") && i + 1 < argc)
			snoop = argv[++i];
		else if (!strcmp(argv[i], "--ready-file") && i + 1 < argc)
			ready_file = argv[++i];
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
			timeout_ms = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--mtu") && i + 1 < argc)
			mtu = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--sdu") && i + 1 < argc)
			sdu = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--le-link") && i + 1 < argc)
			le_link = argv[++i];
		else if (!strcmp(argv[i], "--expect-fail"))
			expect_fail = true;
		else if (!strcmp(argv[i], "--read-delay") && i + 1 < argc)
			read_delay_ms = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--no-ctrl-flow"))
			no_ctrl_flow = true;
		else if (!strcmp(argv[i], "--security") && i + 1 < argc) {
			if ((sec_level = parse_level(argv[++i])) < 0)
				return usage();
		} else if (!strcmp(argv[i], "--io-cap") && i + 1 < argc) {
			if ((io_cap = parse_io_cap(argv[++i])) < 0)
				return usage();
		} else if (!strcmp(argv[i], "--keys") && i + 1 < argc)
			keys = argv[++i];
		else if (!strcmp(argv[i], "--reject"))
			agent_rejects = true;
		else if (npos < 8)
			pos[npos++] = argv[i];
		else
			return usage();
	}
	if (npos == 1 && !strcmp(pos[0], "modes")) {
		static const enum l2k_mode all[] = { L2K_MODE_BASIC, L2K_MODE_RETRANS, L2K_MODE_FLOWCTL,
						     L2K_MODE_ERTM, L2K_MODE_STREAMING,
						     L2K_MODE_LE_CREDIT, L2K_MODE_ECFC };
		for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
			if (l2k_mode_supported(all[i]))
				printf("%s\n", l2k_mode_name(all[i]));
		return 0;
	}
	if (!spec || npos < 1)
		return usage();
	const char *cmd = pos[0];

	struct l2k_stack_cbs cbs = { .error = on_error, .link_up = on_link_up,
				     .link_failed = on_link_failed, .agent = on_agent,
				     .paired = on_paired };
	struct l2k_security_opts sec;
	l2k_security_opts_default(&sec);
	if (io_cap >= 0)
		sec.io_cap = (enum l2k_io_cap)io_cap;
	sec.key_file = keys;
	struct l2k_stack_opts so = { .btsnoop_path = snoop, .no_ctrl_flow = no_ctrl_flow,
				     .security = &sec };
	l2k_stack *s;
	char err[512];
	int r = l2k_stack_open(spec, &so, &cbs, &s, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", prog, err[0] ? err : l2k_strerror(r));
		return 1;
	}
	stack = s;
	r = l2k_wait_ready(s, 20000);
	if (r < 0) {
		fprintf(stderr, "%s: controller not ready: %s (%s)\n", prog, l2k_strerror(r),
			l2k_last_error(s));
		l2k_stack_close(s);
		return 1;
	}
	struct l2k_controller_info info;
	l2k_controller_info(s, &info);
	char a[18];
	l2k_addr_str(&info.addr, a);

	if (!strcmp(cmd, "addr")) {
		printf("%s\n", a);
		l2k_stack_close(s);
		return 0;
	}
	if (!strcmp(cmd, "serve") && npos == 2) {
		signal(SIGTERM, on_term);
		signal(SIGINT, on_term);
		if (info.le) /* connectable all along, whoever comes and goes */
			l2k_le_advertise_keep(s, NULL, 0, 0);
		if (ready_file) {
			FILE *f = fopen(ready_file, "w");
			if (f)
				fclose(f);
		}
		double end = now_s() + atoi(pos[1]) / 1000.0;
		while (!stop_flag && now_s() < end) {
			r = l2k_run(s, 100);
			if (r < 0) {
				fprintf(stderr, "%s: %s\n", prog, l2k_last_error(s));
				break;
			}
		}
		l2k_stack_close(s);
		return r < 0 ? 1 : 0;
	}
	bool listen = !strcmp(cmd, "listen");
	if (!(listen && npos == 6) && !(!strcmp(cmd, "connect") && npos == 7)) {
		l2k_stack_close(s);
		return usage();
	}
	int k = listen ? 1 : 2;
	unsigned long psm = strtoul(pos[k], NULL, 0);
	enum l2k_mode mode;
	if (l2k_mode_parse(pos[k + 1], &mode) < 0) {
		fprintf(stderr, "%s: unknown mode '%s'\n", prog, pos[k + 1]);
		return 2;
	}
	if (!l2k_mode_supported(mode)) {
		fprintf(stderr, "%s: mode %s is not built\n", prog, pos[k + 1]);
		return 2;
	}
	bool le = mode == L2K_MODE_LE_CREDIT || mode == L2K_MODE_ECFC;
	size_t bytes = strtoul(pos[k + 4], NULL, 0);
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mode = mode;
	o.mode_required = true;
	if (sec_level >= 0)
		o.sec_level = (uint8_t)sec_level;
	if (mtu)
		o.mtu = (uint16_t)mtu;
	/* Streaming has no flow control: what the receive queue cannot hold while this process is
	 * not scheduled is lost (by design).  Basic mode has none of its own either: l2kit holds
	 * the sender back with controller-to-host flow control, but BlueZ's emulator, the
	 * controller of these scenarios, lacks it (no Host Number Of Completed Packets), and the
	 * kernel's Basic sender then runs as fast as this machine lets it - under load the reader
	 * thread fell behind and SDUs were dropped (72 once).  The check here is interoperability,
	 * not this machine's scheduling, so without that flow control the queue holds the whole
	 * transfer (the kernel's side, tests/vm/kpeer.c, does the same with SO_RCVBUF). */
	if ((mode == L2K_MODE_STREAMING || (mode == L2K_MODE_BASIC && !info.ctrl_flow)) &&
	    bytes + 65536 > o.rx_queue_bytes)
		o.rx_queue_bytes = (uint32_t)(bytes + 65536);
	char qb[32] = "the default";
	if (o.rx_queue_bytes)
		snprintf(qb, sizeof(qb), "%u bytes", (unsigned)o.rx_queue_bytes);
	printf("%s: controller-to-host flow control %s; receive queue %s\n", prog,
	       info.ctrl_flow ? "on" : (info.ctrl_flow_supported ? "off" : "not supported by the controller"), qb);
	fflush(stdout);
	if (listen && le && le_link) {
		l2k_addr peer;
		if (l2k_addr_parse(le_link, &peer) < 0) {
			fprintf(stderr, "%s: bad address '%s'\n", prog, le_link);
			return 2;
		}
		r = l2k_link_connect(s, &peer, L2K_ADDR_LE_PUBLIC);
		if (r < 0 || l2k_run_until(&s, 1, link_settled, NULL, 20000) < 0 || link_state != 1) {
			fprintf(stderr, "%s: cannot create the LE link to %s (%s)\n", prog, le_link,
				l2k_strerror(r));
			return 1;
		}
		printf("%s: LE link to %s up\n", prog, le_link);
	} else if (listen && le) {
		l2k_le_advertise_keep(s, NULL, 0, 0); /* a central that opens nothing does not end it */
	}
	r = l2k_start(s);
	if (r < 0) {
		fprintf(stderr, "%s: cannot start the stack thread: %s\n", prog, l2k_strerror(r));
		l2k_stack_close(s);
		return 1;
	}
	/* from here on every way out stops the stack first: a process that exits while the
	 * stack's thread is writing the btsnoop capture can leave a torn last record */
	l2k_sock *sk = NULL, *ls = NULL;
	int status = 1;
	if (listen) {
		r = l2k_listen(s, (uint16_t)psm, le, &o, 1, &ls);
		if (r < 0) {
			fprintf(stderr, "%s: listen on psm 0x%lx: %s\n", prog, psm, l2k_strerror(r));
			goto out;
		}
		printf("%s: %s listening on psm 0x%04lx, mode %s\n", prog, a, psm, l2k_mode_name(mode));
		fflush(stdout);
		if (ready_file) {
			FILE *f = fopen(ready_file, "w");
			if (f)
				fclose(f);
		}
		r = l2k_accept(ls, timeout_ms, &sk);
		if (r < 0) {
			fprintf(stderr, "%s: accept: %s\n", prog, l2k_strerror(r));
			goto out;
		}
	} else {
		l2k_addr peer;
		if (l2k_addr_parse(pos[1], &peer) < 0) {
			fprintf(stderr, "%s: bad address '%s'\n", prog, pos[1]);
			status = 2;
			goto out;
		}
		r = l2k_connect(s, &peer, le ? L2K_ADDR_LE_PUBLIC : L2K_ADDR_BREDR, (uint16_t)psm, &o,
				timeout_ms, &sk);
		if (r < 0) {
			fprintf(stderr, "%s: connect to %s psm 0x%lx (%s): %s\n", prog, pos[1], psm,
				l2k_mode_name(mode), l2k_strerror(r));
			goto out;
		}
	}
	show_link_security(sk);
	r = transfer(sk, pos[k + 2], pos[k + 3], bytes, sdu, !listen, expect_fail);
	l2k_close(sk);
	status = r == 0 ? 0 : 1;
out:
	if (ls)
		l2k_close(ls);
	l2k_stop(s);
	l2k_stack_close(s);
	printf("%s: security: %d agent questions, %d pairings\n", prog, agent_questions, pairings);
	if (status == 0)
		printf("%s: PASSED\n", prog);
	return status;
}
