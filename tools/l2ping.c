/* l2ping: L2CAP Echo Requests over a BR/EDR link, with BlueZ's l2ping flags and output.
 *   l2ping -i SPEC [-s SIZE] [-c COUNT] [-t TIMEOUT] [-d DELAY] [-f] [-v] [--watchdog MS]
 *          [--btsnoop FILE] [--security LEVEL ...] ADDR
 * Creates the ACL link to ADDR, sends Echo Requests (Vol 3 Part A 4.8) one at a time, prints the
 * round trip of each answer and a summary.  The data of an Echo Response is the responder's
 * choice (4.9: some stacks, BTstack for one, send none): an answer counts whatever it carries,
 * and one that is not the data sent says so; with -v (as BlueZ's -v) such an answer ends the run
 * with an error.  Exit 1 if any request got no answer.  With --security the link is raised to
 * that level first (l2k_link_secure: authenticated with a stored key or paired, encrypted).
 * Event face, one thread: the stack is driven with tool_run_until (l2k_run_until, with the
 * terminal agent's answers passed on) between requests. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <l2kit/l2kit.h>
#include "tools/common/security.h"
#include "tools/common/tool.h"

#define PROG "l2ping"
#define MAX_SIZE 668 /* l2k_echo keeps a request within the minimum signaling MTU (672 - 4) */
/* One tag per request in flight, indexed by request number: the engine keeps at most 255
 * signaling requests outstanding on a link, so a tag is not reused while its request lives. */
#define TAGS 256

struct ping;
/* The user pointer of one Echo Request: an answer (or the engine's RTX expiry) that comes after
 * l2ping gave up on its request is recognised by its number and ignored, as BlueZ ignores an
 * answer with another identifier, instead of being taken for the request now in flight. */
struct echo_tag {
	struct ping *p;
	unsigned long id;
};

struct ping {
	l2k_addr peer;
	bool link_up, link_failed, link_down;
	bool secured; /* --security: l2k_link_secure answered (sec_err) */
	int sec_err;
	uint8_t status;
	uint16_t handle;
	/* the request in flight */
	unsigned long id;
	bool waiting, answered;
	int err;
	uint8_t sent[MAX_SIZE], got[MAX_SIZE];
	size_t sent_len, got_len; /* got_len: bytes kept in got (the response may be longer) */
	size_t got_full;	  /* the response's data length */
	uint64_t t_sent, t_got;
	struct echo_tag tags[TAGS];
};

static void usage(FILE *f)
{
	fprintf(f, "usage: l2ping -i SPEC [-s SIZE] [-c COUNT] [-t TIMEOUT] [-d DELAY] [-f] [-v] [--watchdog MS]\n"
		   "              [--btsnoop FILE] ADDR\n"
		   "  Sends L2CAP Echo Requests to ADDR over a BR/EDR link (created if needed) and prints\n"
		   "  the round trip of each answer, then a summary; the flags are BlueZ's l2ping's.  An\n"
		   "  answer counts whatever data it carries (the responder's choice); other data than sent\n"
		   "  is shown, and with -v ends the run.  Exit status 1 if any request got no answer.\n"
		   "  -i, --transport SPEC  controller: hciN (Linux HCI user channel) | usb[:N|:VID:PID[#N]|:BUS-PORT]\n"
		   "                        (libusb) | unix:PATH | tcp:HOST:PORT | serial:DEV[,BAUD] | sim[:...]\n"
		   "  -s, --size SIZE       data bytes per request, 0..668 (default 44)\n"
		   "  -c, --count COUNT     send COUNT requests (default: until interrupted)\n"
		   "  -t TIMEOUT            wait TIMEOUT seconds for each answer, 1..3600 (default 10)\n"
		   "      --timeout-ms MS   the same in milliseconds, 1..3600000\n"
		   "  -d DELAY              wait DELAY seconds between requests, 0..3600 (default 1)\n"
		   "      --delay-ms MS     the same in milliseconds, 0..3600000\n"
		   "  -f, --flood           no wait between requests (-d 0)\n"
		   "  -v, --verify          an answer must carry the data sent: stop with an error if not\n"
		   "  -r                    (BlueZ's reverse ping) refused: see l2ping(1)\n"
		   "      --watchdog MS     a controller silent this long with the link up must answer a probe\n"
		   "                        within MS too, else it is taken for frozen: the run ends, exit 1\n"
		   "                        (default 2500, 0 = off)\n"
		   "      --btsnoop FILE    capture every HCI packet to FILE\n"
		   TOOL_VENDOR_HELP
		   "  -h, --help\n"
		   "  SIGINT / SIGTERM stop it: the summary is printed, the link it made is disconnected,\n"
		   "  exit status 130 / 143.\n");
	tool_sec_usage(f, "raise the link to this level before the first request (authenticate\n"
			  "with a stored key or pair, then encrypt)");
}

static void on_link_up(void *user, const struct l2k_link_info *li)
{
	struct ping *p = user;
	if (li->type == L2K_ADDR_BREDR && !memcmp(li->peer.b, p->peer.b, 6)) {
		p->link_up = true;
		p->handle = li->handle;
	}
}

static void on_link_failed(void *user, const l2k_addr *peer, enum l2k_addr_type type, uint8_t status)
{
	struct ping *p = user;
	if (!memcmp(peer->b, p->peer.b, 6)) {
		p->link_failed = true;
		p->status = status;
	}
}

static void on_link_down(void *user, const struct l2k_link_info *li, uint8_t reason)
{
	struct ping *p = user;
	if (p->link_up && li->handle == p->handle) {
		p->link_down = true;
		p->status = reason;
	}
}

static void on_error(void *user, int err, const char *msg)
{
	if (tool_sec_error(err, msg))
		return; /* a security failure, said as such */
	fprintf(stderr, PROG ": controller: %s\n", msg);
}

static void on_secured(void *user, uint16_t handle, int err)
{
	struct ping *p = user;
	(void)handle;
	p->secured = true;
	p->sec_err = err;
}

static bool link_secured(void *arg)
{
	struct ping *p = arg;
	return p->secured || p->link_down || tool_signal();
}

static void on_echo(void *user, int err, const uint8_t *data, size_t len, uint32_t rtt_ms)
{
	struct echo_tag *t = user;
	struct ping *p = t->p;
	if (!p->waiting || t->id != p->id)
		return; /* a request l2ping gave up on */
	p->t_got = tool_now_us();
	p->waiting = false;
	p->answered = true;
	p->err = err;
	p->got_full = len;
	p->got_len = len < sizeof(p->got) ? len : sizeof(p->got);
	if (err == 0 && data)
		memcpy(p->got, data, p->got_len);
}

static bool link_settled(void *arg)
{
	struct ping *p = arg;
	return p->link_up || p->link_failed || tool_signal();
}

static bool echo_done(void *arg)
{
	struct ping *p = arg;
	return !p->waiting || p->link_down || tool_signal();
}

static bool never(void *arg)
{
	return tool_signal();
}

static bool link_gone(void *arg)
{
	return ((struct ping *)arg)->link_down;
}

/* -t / -d: whole seconds (as BlueZ's), min_s..3600, into *ms. */
static int opt_seconds(const char *opt, const char *val, unsigned long min_s, unsigned long *ms)
{
	unsigned long v;
	char what[48];
	snprintf(what, sizeof(what), "seconds, %lu..3600", min_s);
	if (tool_opt_uint(PROG, opt, val, min_s, 3600, what, &v))
		return -1;
	*ms = v * 1000;
	return 0;
}

int main(int argc, char **argv)
{
	const char *spec = NULL, *snoop = NULL;
	unsigned long count = 0, size = 44, delay = 1000, timeout = 10000;
	bool verify = false;
	enum { O_TIMEOUT_MS = 0x100, O_DELAY_MS, O_BTSNOOP, O_WATCHDOG };
	uint32_t watchdog = 0;
	static const struct option lo[] = {{"transport", required_argument, 0, 'i'},
					   {"count", required_argument, 0, 'c'},
					   {"size", required_argument, 0, 's'},
					   {"timeout-ms", required_argument, 0, O_TIMEOUT_MS},
					   {"delay-ms", required_argument, 0, O_DELAY_MS},
					   {"flood", no_argument, 0, 'f'},
					   {"verify", no_argument, 0, 'v'},
					   {"btsnoop", required_argument, 0, O_BTSNOOP},
					   {"watchdog", required_argument, 0, O_WATCHDOG},
					   {"help", no_argument, 0, 'h'},
					   TOOL_SEC_LONGOPTS,
					   TOOL_VENDOR_LONGOPTS,
					   {0, 0, 0, 0}};
	int o;
	struct tool_vendor tv = {0};
	struct tool_sec sec;
	tool_sec_init(&sec);
	tool_signals_init(PROG);
	while ((o = getopt_long(argc, argv, "i:c:s:t:d:fvrh", lo, NULL)) != -1) {
		int so = tool_sec_opt(PROG, &sec, o, optarg);
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
		case 'i': spec = optarg; break;
		case 'c':
			if (tool_opt_uint(PROG, "--count", optarg, 1, 1000000000ul, "a count, 1..1000000000", &count))
				return 2;
			break;
		case 's':
			if (tool_opt_uint(PROG, "--size", optarg, 0, MAX_SIZE,
					  "0..668 (a request must fit the minimum signaling MTU)", &size))
				return 2;
			break;
		case 't':
			if (opt_seconds("-t", optarg, 1, &timeout)) {
				fprintf(stderr, PROG ": (-t is the answer timeout in seconds, as in BlueZ's l2ping; "
						"the controller is -i SPEC)\n");
				return 2;
			}
			break;
		case O_TIMEOUT_MS:
			if (tool_opt_uint(PROG, "--timeout-ms", optarg, 1, 3600000, "milliseconds, 1..3600000", &timeout))
				return 2;
			break;
		case 'd':
			if (opt_seconds("-d", optarg, 0, &delay))
				return 2;
			break;
		case O_DELAY_MS:
			if (tool_opt_uint(PROG, "--delay-ms", optarg, 0, 3600000, "milliseconds, 0..3600000", &delay))
				return 2;
			break;
		case 'f': delay = 0; break;
		case 'v': verify = true; break;
		case 'r':
			/* BlueZ's -r sends an Echo Response instead of a request: nothing answers a response
			 * (the peer discards it), so every "ping" ends lost after the timeout.  The public
			 * API sends Echo Responses only as the engine's answers to requests. */
			fprintf(stderr, PROG ": -r (reverse ping: send Echo Responses instead of requests) is not "
					"supported: l2kit sends an Echo Response only to answer a request, and an "
					"unsolicited one gets no answer to time\n");
			return 2;
		case O_BTSNOOP: snoop = optarg; break;
		case O_WATCHDOG:
			if (tool_opt_watchdog(PROG, optarg, &watchdog))
				return 2;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	if (!spec) {
		fprintf(stderr, PROG ": no controller: give -i SPEC (e.g. -i hci0, -i usb, -i tcp:127.0.0.1:9000)\n");
		return 2;
	}
	l2k_addr local;
	if (l2k_addr_parse(spec, &local) == 0) {
		fprintf(stderr, PROG ": -i %s: -i names a controller by its transport (hci0, usb, tcp:HOST:PORT, "
				"...), not by its address\n", spec);
		return 2;
	}
	if (spec[0] && strspn(spec, "0123456789") == strlen(spec)) {
		fprintf(stderr, PROG ": -i %s: -i names the controller (as in BlueZ's l2ping); the wait between "
				"requests is -d SECONDS or --delay-ms MS\n", spec);
		return 2;
	}
	static struct ping ping; /* (static: its tags must outlive every request, see out:) */
	struct ping *p = &ping;
	if (l2k_addr_parse(argv[optind], &p->peer) < 0) {
		fprintf(stderr, PROG ": bad address '%s' (AA:BB:CC:DD:EE:FF)\n", argv[optind]);
		return 2;
	}
	for (size_t i = 0; i < TAGS; i++)
		p->tags[i].p = p;
	tool_signals_graceful(true); /* a signal stops the pings; the summary and the disconnection follow */

	struct l2k_stack_cbs cbs = {.user = p,
				    .link_up = on_link_up,
				    .link_failed = on_link_failed,
				    .link_down = on_link_down,
				    .error = on_error};
	/* pairing questions: answered for --auto-accept, else asked on the terminal; the answers
	 * reach the stack through tool_run_until on this thread */
	tool_agent_init(PROG, &sec, false, &cbs);
	l2k_stack *s;
	struct l2k_stack_opts so = {.btsnoop_path = snoop, .no_page_scan = true, .security = &sec.opts,
				    .acl_tx_timeout_ms = watchdog};
	tool_vendor_apply(&tv, &so);
	if (tool_stack_up(PROG, spec, &so, &cbs, 10000, &s) < 0)
		return 1;
	tool_agent_start();
	int status = 1;
	char a[18], la[18];
	struct l2k_controller_info inf;
	l2k_controller_info(s, &inf);
	if (!inf.bredr) {
		fprintf(stderr, PROG ": %s: the controller does not support BR/EDR\n", spec);
		goto out;
	}
	l2k_addr_str(&p->peer, a);
	l2k_addr_str(&inf.addr, la);
	bool made_link = false;
	if (l2k_link_find(s, &p->peer, L2K_ADDR_BREDR, &p->handle) == 0) {
		p->link_up = true;
	} else {
		int r = l2k_link_connect(s, &p->peer, L2K_ADDR_BREDR);
		if (r < 0) {
			fprintf(stderr, PROG ": cannot connect to %s: %s\n", a, l2k_strerror(r));
			goto out;
		}
		r = tool_run_until(s, link_settled, p, (int)timeout + 10000);
		if (r < 0 || !p->link_up) {
			if (p->link_failed)
				fprintf(stderr, PROG ": cannot connect to %s: HCI 0x%02x: %s\n", a, p->status,
					tool_hci_status_str(p->status));
			else if (tool_signal())
				fprintf(stderr, PROG ": interrupted (%s) while connecting\n", tool_signal_name());
			else
				fprintf(stderr, PROG ": cannot connect to %s: %s%s%s\n", a,
					r < 0 ? l2k_strerror(r) : "no answer", l2k_last_error(s)[0] ? ": " : "",
					l2k_last_error(s));
			goto out;
		}
		made_link = true;
	}
	if (sec.level > L2K_SEC_LOW) {
		/* --security: the link at that level before the first request; pairing questions may
		 * wait for a person (the controller gives up after 30 s), so no -t timeout here */
		int r = l2k_link_secure(s, p->handle, sec.level, on_secured, p);
		if (r == 0)
			r = tool_run_until(s, link_secured, p, 120000);
		if (r == 0 && tool_signal() && !p->secured) {
			fprintf(stderr, PROG ": interrupted (%s) while securing the link\n", tool_signal_name());
			goto disconnect;
		}
		if (r == 0 && !p->secured && p->link_down)
			r = L2K_ELINKLOSS;
		else if (r == 0)
			r = p->sec_err;
		if (r < 0) {
			const char *why = tool_sec_last_failure();
			fprintf(stderr, PROG ": cannot raise the link to %s to security level %u (%s): %s\n", a, sec.level,
				tool_sec_level_name(sec.level), why[0] ? why : l2k_strerror(r));
			goto disconnect;
		}
		struct l2k_link_security ls;
		if (l2k_link_security(s, p->handle, &ls) == 0) {
			char d[160];
			tool_sec_link_str(d, sizeof(d), &ls);
			fprintf(stderr, PROG ": link to %s: security %s\n", a, d);
		}
	}
	printf("Ping: %s from %s (data size %lu) ...\n", a, la, size);
	fflush(stdout);
	unsigned long sent = 0, received = 0, other = 0;
	bool verify_failed = false;
	bool ctrl_gone = false;
	for (unsigned long id = 0; (!count || id < count) && !tool_signal() && !p->link_down; id++) {
		for (size_t i = 0; i < size; i++)
			p->sent[i] = (uint8_t)('A' + (i + id) % 40);
		p->sent_len = size;
		p->id = id;
		p->waiting = true;
		p->answered = false;
		p->t_sent = tool_now_us();
		struct echo_tag *tag = &p->tags[id % TAGS];
		tag->id = id;
		int r = l2k_echo(s, &p->peer, p->sent, size, on_echo, tag);
		if (r < 0) {
			fprintf(stderr, PROG ": send failed: %s\n", l2k_strerror(r));
			break;
		}
		sent++;
		r = tool_run_until(s, echo_done, p, (int)timeout);
		p->waiting = false; /* an answer from now on is late: on_echo ignores it */
		if (r == L2K_ECTRLTIMEOUT) {
			/* the watchdogs: the message (cbs->error) is printed already */
			fprintf(stderr, PROG ": the controller stopped responding: no answer for id %lu, the link "
					"to %s ended\n", id, a);
			ctrl_gone = true;
			break;
		}
		if (r < 0 && r != L2K_ETIMEDOUT) {
			fprintf(stderr, PROG ": transport failed: %s%s%s\n", l2k_strerror(r),
				l2k_last_error(s)[0] ? ": " : "", l2k_last_error(s));
			break;
		}
		if (!p->answered) {
			if (tool_signal()) {
				sent--; /* not given its chance */
				break;
			}
			printf("no response from %s: id %lu\n", a, id);
		} else if (p->err < 0) {
			printf("no response from %s: id %lu (%s)\n", a, id, l2k_strerror(p->err));
		} else {
			/* answered: the response's data is the responder's choice (Vol 3 Part A 4.9) */
			received++;
			bool same = p->got_full == p->sent_len && !memcmp(p->got, p->sent, p->sent_len);
			if (!same && verify) {
				/* BlueZ's -v: the answer is counted, its line not printed, the run ends */
				fflush(stdout);
				if (p->got_full != p->sent_len)
					fprintf(stderr, PROG ": Received %zu bytes, expected %zu (id %lu)\n", p->got_full,
						p->sent_len, id);
				else
					fprintf(stderr, PROG ": Response payload different (id %lu)\n", id);
				verify_failed = true;
				break;
			}
			char diff[64] = "";
			if (!same) {
				other++;
				snprintf(diff, sizeof(diff), " (%zu bytes sent, %zu back%s)", p->sent_len, p->got_full,
					 p->got_full == p->sent_len ? ", other data" : "");
			}
			printf("%zu bytes from %s id %lu time %.2fms%s\n", p->got_full, a, id,
			       (double)(p->t_got - p->t_sent) / 1000.0, diff);
		}
		fflush(stdout);
		if (delay && (!count || id + 1 < count))
			tool_run_until(s, never, NULL, (int)delay);
	}
	if (!ctrl_gone && l2k_step(s) == L2K_ECTRLTIMEOUT) { /* (between two requests) */
		fprintf(stderr, PROG ": the controller stopped responding: the link to %s ended\n", a);
		ctrl_gone = true;
	}
	if (p->link_down && !ctrl_gone)
		fprintf(stderr, PROG ": link to %s lost: HCI 0x%02x: %s\n", a, p->status,
			tool_hci_status_str(p->status));
	printf("%lu sent, %lu received, %lu%% loss", sent, received, sent ? (sent - received) * 100 / sent : 0);
	if (other)
		printf(", %lu answered with other data than sent", other);
	printf("\n");
	status = !verify_failed && sent && received == sent ? 0 : 1;
disconnect:
	if (made_link && !p->link_down && l2k_link_disconnect(s, p->handle, 0) == 0)
		tool_run_until(s, link_gone, p, 2000);
out:
	tool_agent_stop();
	l2k_stack_close(s); /* (calls back the requests still pending: their tags live in *p) */
	if (tool_signal())
		return tool_signal_status();
	return status;
}
