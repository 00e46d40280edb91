/* Two l2kit hosts on two controllers: create an ACL link, exchange L2CAP PDUs of many sizes in
 * both directions on a test channel, check them byte for byte, then disconnect and check that
 * both sides report it.  Used by tests/integration/btvirt_acl.sh (BlueZ's emulator) and the
 * simulator tests; tests/btsnoop_check.py then checks flow control independently on the
 * captures.
 *
 *   acl_exchange SPEC_A SPEC_B [--btsnoop-a F] [--btsnoop-b F] [--sizes 0,1,4,...] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/stack_internal.h"

#define TEST_CID 0x0040

struct side {
	const char *name;
	l2k_stack *s;
	bool up, down;
	uint16_t handle;
	uint8_t down_reason;
	uint8_t *rx;
	size_t rx_len;
	int rx_count;
	struct l2k_upper engine;
};

static void on_link_up(void *u, const struct l2k_link_info *li)
{
	struct side *sd = u;
	sd->up = true;
	sd->handle = li->handle;
}
static void on_link_down(void *u, const struct l2k_link_info *li, uint8_t reason)
{
	struct side *sd = u;
	sd->down = true;
	sd->down_reason = reason;
}
static void on_error(void *u, int err, const char *msg)
{
	fprintf(stderr, "[%s] error: %s\n", ((struct side *)u)->name, msg);
}
static void on_acl(void *ctx, uint16_t handle, const uint8_t *pdu, size_t len)
{
	struct side *sd = ctx;
	memcpy(sd->rx, pdu, len);
	sd->rx_len = len;
	sd->rx_count++;
}

static bool both_ready(void *arg)
{
	struct side *sd = arg;
	return sd[0].s->ready_err <= 0 && sd[1].s->ready_err <= 0;
}
static bool both_up(void *arg)
{
	struct side *sd = arg;
	return sd[0].up && sd[1].up;
}
static bool both_down(void *arg)
{
	struct side *sd = arg;
	return sd[0].down && sd[1].down;
}
static struct side *waiting_rx;
static int waiting_count;
static bool got_rx(void *arg)
{
	return waiting_rx->rx_count >= waiting_count;
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
	uint32_t x = seed * 2654435761u + 1;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

static int exchange(struct side *from, struct side *to, l2k_stack **st, size_t size, unsigned seed)
{
	static uint8_t pdu[4 + 65535];
	put_le16(pdu, (uint16_t)size);
	put_le16(pdu + 2, TEST_CID);
	fill(pdu + 4, size, seed);
	int r = hci_host_acl_send(from->s->hci, from->handle, pdu, 4 + size);
	if (r < 0) {
		fprintf(stderr, "send %zu from %s: %s\n", size, from->name, l2k_strerror(r));
		return 1;
	}
	waiting_rx = to;
	waiting_count = to->rx_count + 1;
	r = l2k_run_until(st, 2, got_rx, NULL, 20000);
	if (r < 0) {
		fprintf(stderr, "PDU of %zu bytes %s -> %s not delivered: %s\n", size, from->name, to->name,
			l2k_strerror(r));
		return 1;
	}
	if (to->rx_len != 4 + size || memcmp(to->rx, pdu, 4 + size) != 0) {
		fprintf(stderr, "PDU of %zu bytes %s -> %s corrupted (got %zu bytes)\n", size, from->name,
			to->name, to->rx_len);
		return 1;
	}
	printf("ok %s -> %s: %zu-byte payload (%zu-byte PDU) intact\n", from->name, to->name, size, size + 4);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: acl_exchange SPEC_A SPEC_B [--btsnoop-a F] [--btsnoop-b F] [--sizes LIST]\n");
		return 2;
	}
	const char *snoop[2] = {NULL, NULL};
	const char *sizes = "0,1,4,188,192,1000,4096,65535";
	for (int i = 3; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--btsnoop-a"))
			snoop[0] = argv[i + 1];
		else if (!strcmp(argv[i], "--btsnoop-b"))
			snoop[1] = argv[i + 1];
		else if (!strcmp(argv[i], "--sizes"))
			sizes = argv[i + 1];
	}
	struct side sd[2] = {{.name = "A"}, {.name = "B"}};
	l2k_stack *st[2];
	for (int i = 0; i < 2; i++) {
		sd[i].rx = malloc(4 + 65535);
		struct l2k_stack_opts o = {.btsnoop_path = snoop[i]};
		struct l2k_stack_cbs cb = {.user = &sd[i], .link_up = on_link_up, .link_down = on_link_down,
					   .error = on_error};
		char err[256];
		int r = l2k_stack_open(argv[1 + i], &o, &cb, &st[i], err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "open %s: %s\n", argv[1 + i], err);
			return 1;
		}
		sd[i].s = st[i];
		/* this test works below L2CAP: take the engine out of the way (restored at close) */
		sd[i].engine = st[i]->upper;
		memset(&st[i]->upper, 0, sizeof(st[i]->upper));
		st[i]->upper.ctx = &sd[i];
		st[i]->upper.acl_rx = on_acl;
	}
	if (l2k_run_until(st, 2, both_ready, sd, 10000) < 0 || st[0]->ready_err || st[1]->ready_err) {
		fprintf(stderr, "bring-up failed: A %s / B %s\n", l2k_last_error(st[0]), l2k_last_error(st[1]));
		return 1;
	}
	struct l2k_controller_info ia, ib;
	l2k_controller_info(st[0], &ia);
	l2k_controller_info(st[1], &ib);
	char a1[18], a2[18];
	printf("A %s (ACL %u x %u), B %s (ACL %u x %u)\n", l2k_addr_str(&ia.addr, a1), ia.acl_mtu,
	       ia.acl_count, l2k_addr_str(&ib.addr, a2), ib.acl_mtu, ib.acl_count);
	int r = l2k_link_connect(st[0], &ib.addr, L2K_ADDR_BREDR);
	if (r < 0 || l2k_run_until(st, 2, both_up, sd, 10000) < 0) {
		fprintf(stderr, "link not established (%s)\n", r < 0 ? l2k_strerror(r) : "timeout");
		return 1;
	}
	printf("link up: A handle 0x%04x, B handle 0x%04x\n", sd[0].handle, sd[1].handle);
	int fails = 0;
	unsigned seed = 1;
	char *list = strdup(sizes);
	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		size_t n = strtoul(tok, NULL, 10);
		fails += exchange(&sd[0], &sd[1], st, n, seed++);
		fails += exchange(&sd[1], &sd[0], st, n, seed++);
	}
	free(list);
	const struct hci_host_stats *hs = hci_host_stats(st[0]->hci);
	printf("A sent %llu PDUs in %llu ACL packets; B reassembled %llu PDUs from %llu fragments\n",
	       (unsigned long long)hs->tx_pdus, (unsigned long long)hs->tx_frags,
	       (unsigned long long)hci_host_stats(st[1]->hci)->rx_pdus,
	       (unsigned long long)hci_host_stats(st[1]->hci)->rx_frags);
	l2k_link_disconnect(st[0], sd[0].handle, 0);
	if (l2k_run_until(st, 2, both_down, sd, 10000) < 0) {
		fprintf(stderr, "disconnect not reported on both sides (A %d, B %d)\n", sd[0].down, sd[1].down);
		return 1;
	}
	printf("disconnect reported: A reason 0x%02x, B reason 0x%02x\n", sd[0].down_reason, sd[1].down_reason);
	if (sd[1].down_reason != HCI_ERR_REMOTE_USER_TERM) {
		fprintf(stderr, "B should see reason 0x13 (remote user terminated)\n");
		fails++;
	}
	for (int i = 0; i < 2; i++) {
		st[i]->upper = sd[i].engine;
		l2k_stack_close(st[i]);
		free(sd[i].rx);
	}
	printf("%s\n", fails ? "FAILED" : "PASSED");
	return fails ? 1 : 0;
}
