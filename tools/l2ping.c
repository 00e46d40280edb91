/* l2ping: L2CAP Echo Requests over a BR/EDR link, printed like BlueZ's l2ping.
 *   l2ping -t SPEC ADDR [-c N] [-s SIZE] [-i MS] [-f] [--timeout MS] [--btsnoop FILE]
 * Creates the ACL link to ADDR, sends Echo Requests (Vol 3 Part A 4.8) one at a time, prints the
 * round trip of each answer and a summary.  The data of an Echo Response is the responder's
 * choice (4.9: some stacks, BTstack for one, send none): an answer counts whatever it carries,
 * and one that is not the data sent says so.  Exit 1 if any request got no answer.  Event
 * face, one thread: the stack is driven with l2k_run_until between requests. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <l2kit/l2kit.h>
#include "tools/common/tool.h"

#define PROG "l2ping"
#define MAX_SIZE 668 /* l2k_echo keeps a request within the minimum signaling MTU (672 - 4) */

struct ping {
	l2k_addr peer;
	bool link_up, link_failed, link_down;
	uint8_t status;
	uint16_t handle;
	/* the request in flight */
	bool waiting, answered;
	int err;
	uint8_t sent[MAX_SIZE], got[MAX_SIZE];
	size_t sent_len, got_len; /* got_len: bytes kept in got (the response may be longer) */
	size_t got_full;	  /* the response's data length */
	uint64_t t_sent, t_got;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: l2ping -t SPEC ADDR [-c N] [-s SIZE] [-i MS] [-f] [--timeout MS] [--btsnoop FILE]\n"
		   "  Sends L2CAP Echo Requests to ADDR over a BR/EDR link (created if needed) and prints\n"
		   "  the round trip of each answer, then a summary.  An answer counts whatever data it\n"
		   "  carries (the responder's choice); other data than sent is shown.  Exit status 1 if\n"
		   "  any request got no answer.\n"
		   "  -t, --transport SPEC  controller: unix:PATH | tcp:HOST:PORT | serial:DEV[,BAUD] | sim[:...]\n"
		   "                        | hciN (Linux HCI user channel) | usb[:N|:VID:PID[#N]|:BUS-PORT] (libusb)\n"
		   "  -c, --count N         send N requests (default: until interrupted)\n"
		   "  -s, --size SIZE       data bytes per request, 0..668 (default 44)\n"
		   "  -i, --interval MS     wait between requests (default 1000)\n"
		   "  -f, --flood           no wait between requests\n"
		   "      --timeout MS      wait this long for each answer (default 10000) and for the link\n"
		   "      --btsnoop FILE    capture every HCI packet to FILE\n"
		   "  -h, --help\n"
		   "  SIGINT / SIGTERM stop it: the summary is printed, the link it made is disconnected,\n"
		   "  exit status 130 / 143.\n");
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
	fprintf(stderr, PROG ": controller: %s\n", msg);
}

static void on_echo(void *user, int err, const uint8_t *data, size_t len, uint32_t rtt_ms)
{
	struct ping *p = user;
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

int main(int argc, char **argv)
{
	const char *spec = NULL, *snoop = NULL;
	unsigned long count = 0, size = 44, interval = 1000, timeout = 10000, v;
	static const struct option lo[] = {{"transport", required_argument, 0, 't'},
					   {"count", required_argument, 0, 'c'},
					   {"size", required_argument, 0, 's'},
					   {"interval", required_argument, 0, 'i'},
					   {"flood", no_argument, 0, 'f'},
					   {"timeout", required_argument, 0, 'T'},
					   {"btsnoop", required_argument, 0, 'b'},
					   {"help", no_argument, 0, 'h'},
					   {0, 0, 0, 0}};
	int o;
	tool_signals_init(PROG);
	while ((o = getopt_long(argc, argv, "t:c:s:i:fh", lo, NULL)) != -1) {
		switch (o) {
		case 't': spec = optarg; break;
		case 'c':
			if (tool_opt_uint(PROG, "--count", optarg, 1, 1000000000ul, "a count, 1..1000000000", &count))
				return 2;
			break;
		case 's':
			if (tool_opt_uint(PROG, "--size", optarg, 0, MAX_SIZE,
					  "0..668 (a request must fit the minimum signaling MTU)", &size))
				return 2;
			break;
		case 'i':
			if (tool_opt_uint(PROG, "--interval", optarg, 0, 3600000, "milliseconds, 0..3600000", &interval))
				return 2;
			break;
		case 'f': interval = 0; break;
		case 'T':
			if (tool_opt_uint(PROG, "--timeout", optarg, 1, 3600000, "milliseconds, 1..3600000", &v))
				return 2;
			timeout = v;
			break;
		case 'b': snoop = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!spec) {
		fprintf(stderr, PROG ": no transport: give -t SPEC (e.g. -t unix:/tmp/bt-server-bredr)\n");
		return 2;
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	struct ping p;
	memset(&p, 0, sizeof(p));
	if (l2k_addr_parse(argv[optind], &p.peer) < 0) {
		fprintf(stderr, PROG ": bad address '%s' (AA:BB:CC:DD:EE:FF)\n", argv[optind]);
		return 2;
	}
	tool_signals_graceful(true); /* a signal stops the pings; the summary and the disconnection follow */

	struct l2k_stack_cbs cbs = {.user = &p,
				    .link_up = on_link_up,
				    .link_failed = on_link_failed,
				    .link_down = on_link_down,
				    .error = on_error};
	l2k_stack *s;
	if (tool_stack_up(PROG, spec, snoop, true, &cbs, 10000, &s) < 0)
		return 1;
	char a[18], la[18];
	struct l2k_controller_info inf;
	l2k_controller_info(s, &inf);
	if (!inf.bredr) {
		fprintf(stderr, PROG ": %s: the controller does not support BR/EDR\n", spec);
		l2k_stack_close(s);
		return 1;
	}
	l2k_addr_str(&p.peer, a);
	l2k_addr_str(&inf.addr, la);
	bool made_link = false;
	if (l2k_link_find(s, &p.peer, L2K_ADDR_BREDR, &p.handle) == 0) {
		p.link_up = true;
	} else {
		int r = l2k_link_connect(s, &p.peer, L2K_ADDR_BREDR);
		if (r < 0) {
			fprintf(stderr, PROG ": cannot connect to %s: %s\n", a, l2k_strerror(r));
			l2k_stack_close(s);
			return 1;
		}
		r = l2k_run_until(&s, 1, link_settled, &p, (int)timeout + 10000);
		if (r < 0 || !p.link_up) {
			if (p.link_failed)
				fprintf(stderr, PROG ": cannot connect to %s: HCI 0x%02x: %s\n", a, p.status,
					tool_hci_status_str(p.status));
			else if (tool_signal())
				fprintf(stderr, PROG ": interrupted (%s) while connecting\n", tool_signal_name());
			else
				fprintf(stderr, PROG ": cannot connect to %s: %s%s%s\n", a,
					r < 0 ? l2k_strerror(r) : "no answer", l2k_last_error(s)[0] ? ": " : "",
					l2k_last_error(s));
			l2k_stack_close(s);
			return tool_signal() ? tool_signal_status() : 1;
		}
		made_link = true;
	}
	printf("Ping: %s from %s (data size %lu) ...\n", a, la, size);
	fflush(stdout);
	unsigned long sent = 0, received = 0, other = 0;
	for (unsigned long id = 0; (!count || id < count) && !tool_signal() && !p.link_down; id++) {
		for (size_t i = 0; i < size; i++)
			p.sent[i] = (uint8_t)('A' + (i + id) % 40);
		p.sent_len = size;
		p.waiting = true;
		p.answered = false;
		p.t_sent = tool_now_us();
		int r = l2k_echo(s, &p.peer, p.sent, size, on_echo, &p);
		if (r < 0) {
			fprintf(stderr, PROG ": send failed: %s\n", l2k_strerror(r));
			break;
		}
		sent++;
		r = l2k_run_until(&s, 1, echo_done, &p, (int)timeout);
		if (r < 0 && r != L2K_ETIMEDOUT) {
			fprintf(stderr, PROG ": transport failed: %s%s%s\n", l2k_strerror(r),
				l2k_last_error(s)[0] ? ": " : "", l2k_last_error(s));
			break;
		}
		if (!p.answered) {
			if (tool_signal()) {
				sent--; /* not given its chance */
				break;
			}
			printf("no response from %s: id %lu\n", a, id);
		} else if (p.err < 0) {
			printf("no response from %s: id %lu (%s)\n", a, id, l2k_strerror(p.err));
		} else {
			/* answered: the response's data is the responder's choice (Vol 3 Part A 4.9) */
			received++;
			char diff[64] = "";
			if (p.got_full != p.sent_len || memcmp(p.got, p.sent, p.sent_len)) {
				other++;
				snprintf(diff, sizeof(diff), " (%zu bytes sent, %zu back%s)", p.sent_len, p.got_full,
					 p.got_full == p.sent_len ? ", other data" : "");
			}
			printf("%zu bytes from %s id %lu time %.2fms%s\n", p.got_full, a, id,
			       (double)(p.t_got - p.t_sent) / 1000.0, diff);
		}
		fflush(stdout);
		if (interval && (!count || id + 1 < count))
			l2k_run_until(&s, 1, never, NULL, (int)interval);
	}
	if (p.link_down)
		fprintf(stderr, PROG ": link to %s lost: HCI 0x%02x: %s\n", a, p.status,
			tool_hci_status_str(p.status));
	printf("%lu sent, %lu received, %lu%% loss", sent, received, sent ? (sent - received) * 100 / sent : 0);
	if (other)
		printf(", %lu answered with other data than sent", other);
	printf("\n");
	if (made_link && !p.link_down && l2k_link_disconnect(s, p.handle, 0) == 0)
		l2k_run_until(&s, 1, link_gone, &p, 2000);
	l2k_stack_close(s);
	if (tool_signal())
		return tool_signal_status();
	return sent && received == sent ? 0 : 1;
}
