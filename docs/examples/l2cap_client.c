/* l2cap_client: the classic L2CAP client (connect to PSM 0x1001, send "hello!!", close) on
 * l2kit's socket face.
 *
 *   l2cap_client SPEC ADDR       e.g. l2cap_client unix:/tmp/bt-server-bredr 00:AA:01:00:00:42
 *
 * Build (from the l2kit tree, after make):
 *   cc -I. docs/examples/l2cap_client.c build/libl2kit.a -lpthread -o l2cap_client
 * (add -lusb-1.0 when l2kit was built with libusb). */
#include <stdio.h>
#include <string.h>

#include <l2kit/l2kit.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s SPEC ADDR\n", argv[0]);
		return 2;
	}
	l2k_addr dest;
	if (l2k_addr_parse(argv[2], &dest) < 0) {
		fprintf(stderr, "bad address '%s'\n", argv[2]);
		return 2;
	}
	char err[256];
	l2k_stack *s;
	int r = l2k_stack_open(argv[1], NULL, NULL, &s, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "open: %s\n", err);
		return 1;
	}
	if ((r = l2k_wait_ready(s, 10000)) < 0 || (r = l2k_start(s)) < 0) {
		fprintf(stderr, "controller: %s %s\n", l2k_strerror(r), l2k_last_error(s));
		l2k_stack_close(s);
		return 1;
	}

	/* set the MTU (what we receive) to 65535, like setsockopt(L2CAP_OPTIONS) */
	struct l2k_chan_opts opts;
	l2k_chan_opts_default(&opts);
	opts.mtu = 65535;

	/* connect to the server: the ACL link is created on the way */
	l2k_sock *sk;
	r = l2k_connect(s, &dest, L2K_ADDR_BREDR, 0x1001, &opts, 10000, &sk);
	if (r < 0) {
		struct l2k_chan_info ci = {0};
		if (sk)
			l2k_sock_info(sk, &ci);
		fprintf(stderr, "connect: %s (result 0x%04x, hci 0x%02x)\n", l2k_strerror(r), ci.result,
			ci.hci_reason);
		l2k_close(sk);
		l2k_stack_close(s);
		return 1;
	}

	/* send a message: one SDU */
	long n = l2k_send(sk, "hello!!", 7, 5000);
	if (n < 0)
		fprintf(stderr, "send: %s\n", l2k_strerror((int)n));

	/* close: l2k_shutdown delivers what was sent and waits for the server to confirm;
	 * l2k_close alone would discard SDUs still queued */
	r = l2k_shutdown(sk, 10000);
	if (r < 0)
		fprintf(stderr, "shutdown: %s\n", l2k_strerror(r));
	l2k_close(sk);
	l2k_stack_close(s);
	return n == 7 && r == 0 ? 0 : 1;
}
