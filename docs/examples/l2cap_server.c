/* l2cap_server: the classic L2CAP server (bind PSM 0x1001, accept, receive) on l2kit's socket
 * face.  Waits for one connection, prints who connected and the first SDU, and exits.
 *
 *   l2cap_server SPEC            e.g. l2cap_server unix:/tmp/bt-server-bredr
 *
 * Build (from the l2kit tree, after make):
 *   cc -I. docs/examples/l2cap_server.c build/libl2kit.a -lpthread -o l2cap_server
 * (add -lusb-1.0 when l2kit was built with libusb). */
#include <stdio.h>
#include <string.h>

#include <l2kit/l2kit.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s SPEC\n", argv[0]);
		return 2;
	}
	/* the stack: one controller behind one transport */
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

	/* bind + listen: PSM 0x1001, Basic mode, receive SDUs up to 65535 bytes */
	struct l2k_chan_opts opts;
	l2k_chan_opts_default(&opts);
	opts.mtu = 65535;
	l2k_sock *ls, *client;
	r = l2k_listen(s, 0x1001, false, &opts, 1, &ls);
	if (r < 0) {
		fprintf(stderr, "listen: %s\n", l2k_strerror(r));
		l2k_stack_close(s);
		return 1;
	}

	/* accept one connection */
	r = l2k_accept(ls, -1, &client);
	if (r < 0) {
		fprintf(stderr, "accept: %s\n", l2k_strerror(r));
		l2k_stack_close(s);
		return 1;
	}
	struct l2k_chan_info ci;
	l2k_sock_info(client, &ci);
	char addr[18];
	fprintf(stderr, "accepted connection from %s (mtu in %u, out %u)\n", l2k_addr_str(&ci.peer, addr),
		ci.local_mtu, ci.remote_mtu);

	/* read data from the client, one SDU at a time, until the client closes the channel (0);
	 * closing first and exiting at once would drop the link under a client still finishing */
	static char buf[65536];
	long n, got = 0;
	while ((n = l2k_recv(client, buf, sizeof(buf) - 1, NULL, -1)) > 0) {
		buf[n] = '\0';
		printf("received [%s]\n", buf);
		got += n;
	}
	if (n < 0)
		fprintf(stderr, "recv: %s\n", l2k_strerror((int)n));
	else if (!got)
		printf("closed without data (%s)\n", l2k_close_reason_str(l2k_sock_close_reason(client)));

	/* close connection */
	l2k_close(client);
	l2k_close(ls);
	l2k_stack_close(s);
	return n == 0 && got > 0 ? 0 : 1;
}
