/* h4_reset_probe SPEC: opens an l2kit transport to a real controller (or emulator), sends
 * HCI_Reset and HCI_Read_BD_ADDR (Vol 4 Part E 7.3.2, 7.4.6) and checks the Command Complete
 * events (7.7.14).  Prints every packet it receives.  Exit 0 on success, 1 otherwise.
 * Built and run by tests/integration/transport_btvirt.sh against BlueZ's btvirt. */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/l2k_error.h"
#include "base/hci_defs.h"
#include "transport/transport.h"

struct probe {
	uint16_t want_op; /* opcode whose Command Complete we wait for, 0 once seen */
	uint8_t ret[255]; /* its return parameters */
	size_t ret_len;
	int failed;
};

static void on_rx(void *user, uint8_t type, const uint8_t *pkt, size_t len)
{
	struct probe *p = user;
	printf("<- %02x", type);
	for (size_t i = 0; i < len; i++)
		printf(" %02x", pkt[i]);
	printf("\n");
	/* Command Complete: code, plen, Num_HCI_Command_Packets, opcode(2), return params */
	if (type == HCI_H4_EVT && len >= 5 && pkt[0] == HCI_EV_CMD_COMPLETE &&
	    get_le16(pkt + 3) == p->want_op) {
		p->ret_len = len - 5;
		memcpy(p->ret, pkt + 5, p->ret_len);
		p->want_op = 0;
	}
}

static void on_err(void *user, int err, const char *msg)
{
	struct probe *p = user;
	fprintf(stderr, "transport failed: %s (%s)\n", msg, l2k_strerror(err));
	p->failed = err;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Send a parameterless command and wait up to 3 s for its Command Complete. */
static int command(struct transport *t, struct probe *p, uint16_t op)
{
	uint8_t cmd[3];
	put_le16(cmd, op);
	cmd[2] = 0;
	printf("-> 01 %02x %02x 00\n", cmd[0], cmd[1]);
	p->want_op = op;
	int rc = transport_send(t, HCI_H4_CMD, cmd, sizeof(cmd));
	if (rc < 0) {
		fprintf(stderr, "send: %s\n", l2k_strerror(rc));
		return rc;
	}
	uint64_t end = now_ms() + 3000;
	while (p->want_op && !p->failed && now_ms() < end) {
		struct pollfd pf = { transport_fd(t), POLLIN, 0 };
		if (transport_want_write(t))
			pf.events |= POLLOUT;
		poll(&pf, 1, 100);
		transport_service(t, now_ms());
	}
	if (p->failed)
		return p->failed;
	if (p->want_op) {
		fprintf(stderr, "no Command Complete for opcode 0x%04x within 3 s\n", op);
		return L2K_ETIMEDOUT;
	}
	if (p->ret_len < 1 || p->ret[0] != HCI_SUCCESS) {
		fprintf(stderr, "opcode 0x%04x failed: status 0x%02x\n", op,
			p->ret_len ? p->ret[0] : 0xff);
		return L2K_ECTRL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s TRANSPORT-SPEC\n", argv[0]);
		return 2;
	}
	char err[256];
	struct transport *t;
	int rc = transport_open(argv[1], &t, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "%s (%s)\n", err, l2k_strerror(rc));
		return 1;
	}
	struct probe p = { 0 };
	transport_set_callbacks(t, on_rx, on_err, &p);
	rc = command(t, &p, HCI_OP_RESET);
	if (rc == 0 && p.ret_len != 1) {
		fprintf(stderr, "Reset: Command Complete has %zu return bytes, want 1\n", p.ret_len);
		rc = L2K_EPROTO;
	}
	if (rc == 0)
		rc = command(t, &p, HCI_OP_READ_BD_ADDR);
	if (rc == 0 && p.ret_len != 7) {
		fprintf(stderr, "Read_BD_ADDR: %zu return bytes, want 7\n", p.ret_len);
		rc = L2K_EPROTO;
	}
	if (rc == 0)
		printf("controller address %02X:%02X:%02X:%02X:%02X:%02X\n", p.ret[6], p.ret[5],
		       p.ret[4], p.ret[3], p.ret[2], p.ret[1]);
	transport_close(t);
	printf("%s\n", rc == 0 ? "OK" : "FAILED");
	return rc == 0 ? 0 : 1;
}
