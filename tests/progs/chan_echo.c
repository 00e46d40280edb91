/* Two l2kit stacks: B serves an echo on a PSM, A connects a channel and sends SDUs of several
 * sizes, checks each echo byte for byte, closes, and both sides must report the close.
 * Works on any pair of transports (btvirt BR/EDR, the simulator for LE).
 *   chan_echo SPEC_A SPEC_B [le] [--count N] [--mtu N] [--btsnoop-a F] [--btsnoop-b F] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/l2kit.h"

struct st {
	l2k_chan *a, *b;
	bool a_open, a_closed, b_closed;
	enum l2k_close_reason a_reason, b_reason;
	int echoes;
	uint8_t last[70000];
	size_t last_len;
	int ready;
	bool link_a;
};

static void b_recv(void *u, l2k_chan *ch, const uint8_t *p, size_t n)
{
	int r = l2k_chan_send(ch, p, n);
	if (r < 0)
		fprintf(stderr, "echo send failed: %s\n", l2k_strerror(r));
}
static void b_closed(void *u, l2k_chan *ch, enum l2k_close_reason r)
{
	struct st *s = u;
	s->b_closed = true;
	s->b_reason = r;
}
static void b_open(void *u, l2k_chan *ch)
{
	((struct st *)u)->b = ch;
}
static int b_accept(void *u, const struct l2k_conn_request *rq, struct l2k_chan_opts *o, struct l2k_chan_cbs *cb)
{
	cb->user = u;
	cb->recv = b_recv;
	cb->closed = b_closed;
	cb->open = b_open;
	return 0;
}
static void a_open(void *u, l2k_chan *ch)
{
	((struct st *)u)->a_open = true;
}
static void a_recv(void *u, l2k_chan *ch, const uint8_t *p, size_t n)
{
	struct st *s = u;
	memcpy(s->last, p, n);
	s->last_len = n;
	s->echoes++;
}
static void a_closed(void *u, l2k_chan *ch, enum l2k_close_reason r)
{
	struct st *s = u;
	s->a_closed = true;
	s->a_reason = r;
}
static void on_ready(void *u, int err)
{
	((struct st *)u)->ready++;
}
static void on_err(void *u, int err, const char *m)
{
	fprintf(stderr, "error: %s\n", m);
}

static struct st S;
static int want;
static bool c_ready(void *a) { return S.ready >= 2; }
static bool c_open(void *a) { return S.a_open || S.a_closed; }
static bool c_echo(void *a) { return S.echoes >= want || S.a_closed; }
static bool c_closed(void *a) { return S.a_closed && S.b_closed; }

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	bool le = argc > 3 && !strcmp(argv[3], "le");
	const char *sa = NULL, *sb = NULL;
	int count = 20;
	uint16_t mtu = le ? 2048 : 672;
	for (int i = 3; i + 1 < argc; i++) {
		if (!strcmp(argv[i], "--btsnoop-a")) sa = argv[i + 1];
		if (!strcmp(argv[i], "--btsnoop-b")) sb = argv[i + 1];
		if (!strcmp(argv[i], "--count")) count = atoi(argv[i + 1]);
		if (!strcmp(argv[i], "--mtu")) mtu = (uint16_t)atoi(argv[i + 1]);
	}
	l2k_stack *st[2];
	char err[256];
	struct l2k_stack_cbs cbs = {.user = &S, .ready = on_ready, .error = on_err};
	struct l2k_stack_opts oa = {.btsnoop_path = sa}, ob = {.btsnoop_path = sb};
	if (l2k_stack_open(argv[1], &oa, &cbs, &st[0], err, sizeof(err)) < 0 ||
	    l2k_stack_open(argv[2], &ob, &cbs, &st[1], err, sizeof(err)) < 0) {
		fprintf(stderr, "open: %s\n", err);
		return 1;
	}
	if (l2k_run_until(st, 2, c_ready, NULL, 5000) < 0)
		return 1;
	struct l2k_controller_info ib;
	l2k_controller_info(st[1], &ib);
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mtu = mtu;
	struct l2k_server_cbs sc = {.user = &S, .accept = b_accept};
	uint16_t psm = le ? 0x0080 : 0x1001;
	int r = l2k_server_add(st[1], psm, le, &o, &sc, NULL);
	if (r < 0) {
		fprintf(stderr, "server: %s\n", l2k_strerror(r));
		return 1;
	}
	if (le)
		l2k_le_advertise(st[1], true, NULL, 0);
	struct l2k_chan_cbs ac = {.user = &S, .open = a_open, .recv = a_recv, .closed = a_closed};
	r = l2k_chan_connect(st[0], &ib.addr, le ? L2K_ADDR_LE_PUBLIC : L2K_ADDR_BREDR, psm, &o, &ac, &S.a);
	if (r < 0 || l2k_run_until(st, 2, c_open, NULL, 10000) < 0 || !S.a_open) {
		fprintf(stderr, "channel not open (%s, closed=%d reason %s)\n", l2k_strerror(r), S.a_closed,
			l2k_close_reason_str(S.a_reason));
		return 1;
	}
	struct l2k_chan_info ci;
	l2k_chan_get_info(S.a, &ci);
	printf("open: mode %s lcid 0x%04x rcid 0x%04x mtu %u/%u mps %u/%u credits %u\n", l2k_mode_name(ci.mode),
	       ci.local_cid, ci.remote_cid, ci.local_mtu, ci.remote_mtu, ci.local_mps, ci.remote_mps, ci.credits_tx);
	static uint8_t buf[70000];
	for (int i = 0; i < count; i++) {
		size_t n = (size_t)((i * 7919u) % ((unsigned)ci.remote_mtu + 1));
		if (i == 0) n = 0;
		if (i == 1) n = ci.remote_mtu;
		for (size_t k = 0; k < n; k++)
			buf[k] = (uint8_t)(k * 31 + (unsigned)i);
		want = S.echoes + 1;
		r = l2k_chan_send(S.a, buf, n);
		if (r < 0 || l2k_run_until(st, 2, c_echo, NULL, 10000) < 0 || S.last_len != n ||
		    memcmp(S.last, buf, n)) {
			fprintf(stderr, "echo %d of %zu bytes failed (%s)\n", i, n, l2k_strerror(r));
			return 1;
		}
	}
	printf("%d echoes intact\n", count);
	r = l2k_chan_send(S.a, buf, (size_t)ci.remote_mtu + 1);
	if (r != L2K_EMSGSIZE) {
		fprintf(stderr, "oversized SDU not refused\n");
		return 1;
	}
	l2k_chan_close(S.a);
	if (l2k_run_until(st, 2, c_closed, NULL, 10000) < 0) {
		fprintf(stderr, "close not seen on both sides (a %d b %d)\n", S.a_closed, S.b_closed);
		return 1;
	}
	printf("closed: A %s, B %s\n", l2k_close_reason_str(S.a_reason), l2k_close_reason_str(S.b_reason));
	if (S.a_reason != L2K_CLOSE_LOCAL || S.b_reason != L2K_CLOSE_REMOTE)
		return 1;
	l2k_stack_close(st[0]);
	l2k_stack_close(st[1]);
	printf("PASSED\n");
	return 0;
}
