/* One l2kit host per process, for ACL tests across processes (e.g. two processes on vctrl):
 *   acl_peer SPEC --serve               accept a link, echo every L2CAP PDU back, exit 0 when
 *                                       the peer disconnects after at least one PDU
 *   acl_peer SPEC --to ADDR [--sizes L] connect, send PDUs of each size, check each echo byte for
 *                                       byte, disconnect
 * The L2CAP engine is taken out of the way: this works on raw PDUs of a test channel (CID 0x40).
 * The server prints "address XX:XX:..." on stdout as soon as its controller is up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/stack_internal.h"

static uint16_t handle;
static bool up, down;
static uint8_t reason;
static uint8_t *rx;
static size_t rx_len;
static int rx_count;
static l2k_stack *st;
static bool serving;

static void on_up(void *u, const struct l2k_link_info *li)
{
	handle = li->handle;
	up = true;
}
static void on_down(void *u, const struct l2k_link_info *li, uint8_t r)
{
	down = true;
	reason = r;
}
static void on_err(void *u, int e, const char *m)
{
	fprintf(stderr, "acl_peer: %s\n", m);
}
static void on_pdu(void *ctx, uint16_t h, const uint8_t *p, size_t n)
{
	rx_count++;
	if (serving) {
		int r = hci_host_acl_send(st->hci, h, p, n);
		if (r < 0)
			fprintf(stderr, "acl_peer: echo of %zu bytes: %s\n", n, l2k_strerror(r));
		return;
	}
	memcpy(rx, p, n);
	rx_len = n;
}
static bool is_up(void *a) { return up || down; }
static bool is_down(void *a) { return down; }
static int want;
static bool got(void *a) { return rx_count >= want || down; }

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: acl_peer SPEC --serve | --to ADDR [--sizes LIST]\n");
		return 2;
	}
	const char *to = NULL, *sizes = "0,1,4,23,27,28,54,1000,4096,65535";
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--serve"))
			serving = true;
		else if (!strcmp(argv[i], "--to") && i + 1 < argc)
			to = argv[++i];
		else if (!strcmp(argv[i], "--sizes") && i + 1 < argc)
			sizes = argv[++i];
	}
	rx = malloc(4 + 65535);
	struct l2k_stack_cbs cb = {.link_up = on_up, .link_down = on_down, .error = on_err};
	char err[256];
	if (l2k_stack_open(argv[1], NULL, &cb, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "acl_peer: %s\n", err);
		return 1;
	}
	struct l2k_upper engine = st->upper;
	memset(&st->upper, 0, sizeof(st->upper));
	st->upper.acl_rx = on_pdu;
	int rc = 1;
	if (l2k_wait_ready(st, 10000) < 0) {
		fprintf(stderr, "acl_peer: bring-up failed: %s\n", l2k_last_error(st));
		goto out;
	}
	struct l2k_controller_info in;
	l2k_controller_info(st, &in);
	char a[18];
	printf("address %s acl %u x %u\n", l2k_addr_str(&in.addr, a), in.acl_mtu, in.acl_count);
	fflush(stdout);
	if (serving) {
		if (l2k_run_until(&st, 1, is_down, NULL, 120000) < 0)
			goto out;
		printf("echoed %d PDUs; link down, reason 0x%02x\n", rx_count, reason);
		rc = rx_count > 0 ? 0 : 1;
		goto out;
	}
	l2k_addr peer;
	if (!to || l2k_addr_parse(to, &peer) < 0) {
		fprintf(stderr, "acl_peer: --to needs an address\n");
		goto out;
	}
	if (l2k_link_connect(st, &peer, L2K_ADDR_BREDR) < 0 || l2k_run_until(&st, 1, is_up, NULL, 10000) < 0 || !up) {
		fprintf(stderr, "acl_peer: no link to %s\n", to);
		goto out;
	}
	static uint8_t pdu[4 + 65535];
	char *list = strdup(sizes);
	int fails = 0;
	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		size_t n = strtoul(tok, NULL, 10);
		put_le16(pdu, (uint16_t)n);
		put_le16(pdu + 2, 0x0040);
		for (size_t k = 0; k < n; k++)
			pdu[4 + k] = (uint8_t)(k * 7 + n);
		want = rx_count + 1;
		if (hci_host_acl_send(st->hci, handle, pdu, n + 4) < 0 || l2k_run_until(&st, 1, got, NULL, 20000) < 0 ||
		    rx_len != n + 4 || memcmp(rx, pdu, n + 4)) {
			fprintf(stderr, "acl_peer: %zu-byte PDU not echoed intact\n", n);
			fails++;
			break;
		}
		printf("ok %zu-byte payload there and back\n", n);
	}
	free(list);
	l2k_link_disconnect(st, handle, 0);
	l2k_run_until(&st, 1, is_down, NULL, 10000);
	rc = fails || !down ? 1 : 0;
out:
	st->upper = engine;
	l2k_stack_close(st);
	free(rx);
	return rc;
}
