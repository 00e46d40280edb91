/* A scripted fake controller for the HCI host's unit tests (test_hci_host.c, test_hci_rxflow.c):
 * it records what the host sends, answers commands like a well-behaved controller (answer_all)
 * and feeds events and ACL data in.  Header-only (static inline). */
#ifndef TEST_HCI_FAKE_H
#define TEST_HCI_FAKE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/l2k_error.h"
#include "hci/hci_host.h"

/* ---- fake controller ----------------------------------------------------------------------- */

#define MAXPKT 256
struct pkt {
	uint8_t type;
	size_t len;
	uint8_t b[4 + 1024];
};

struct fake {
	struct hci_host *h;
	struct pkt out[MAXPKT]; /* what the host sent */
	int nout;
	int answered; /* commands in out[] already answered by auto mode */
	/* controller personality */
	uint8_t commands[64];
	uint8_t features[8];
	uint16_t acl_mtu, acl_count, le_mtu;
	uint8_t le_count;
	bool silent_op_enabled;
	uint16_t silent_op; /* never answered */
	/* host upcalls */
	int ready_err;
	bool ready_called;
	int links_up, links_down;
	uint16_t last_handle;
	uint8_t last_reason;
	int failed_connects;
	uint8_t rx[70000];
	size_t rx_len;
	int rx_count;
	uint8_t rx_tags[MAXPKT]; /* first payload octet of each PDU received, in order */
	uint16_t rx_handles[MAXPKT];
	int room_calls;
	int errors;
	char last_error[256];
	int events; /* events passed up (ops->event) */
	int host_failed; /* ops->failed calls */
	int failed_err;
	int links_at_failure; /* links still up when ops->failed was called */
};

static inline void set_bit(uint8_t *bm, uint16_t bit)
{
	bm[bit / 8] |= (uint8_t)(1u << (bit % 8));
}

static inline int f_send(void *user, uint8_t type, const uint8_t *p, size_t len)
{
	struct fake *f = user;
	assert_true(f->nout < MAXPKT);
	assert_true(len <= sizeof(f->out[0].b));
	f->out[f->nout].type = type;
	f->out[f->nout].len = len;
	memcpy(f->out[f->nout].b, p, len);
	f->nout++;
	return 0;
}
static inline void f_ready(void *user, int err)
{
	struct fake *f = user;
	f->ready_called = true;
	f->ready_err = err;
}
static inline void f_link_up(void *user, const struct hci_link_info *li)
{
	struct fake *f = user;
	f->links_up++;
	f->last_handle = li->handle;
}
static inline void f_link_down(void *user, uint16_t handle, uint8_t reason)
{
	struct fake *f = user;
	f->links_down++;
	f->last_handle = handle;
	f->last_reason = reason;
}
static inline void f_failed(void *user, uint8_t type, const hci_bdaddr_t *a, uint8_t st)
{
	struct fake *f = user;
	f->failed_connects++;
	f->last_reason = st;
}
static inline void f_acl_rx(void *user, uint16_t handle, const uint8_t *pdu, size_t len)
{
	struct fake *f = user;
	memcpy(f->rx, pdu, len);
	f->rx_len = len;
	if (f->rx_count < MAXPKT) {
		f->rx_tags[f->rx_count] = len > 4 ? pdu[4] : 0;
		f->rx_handles[f->rx_count] = handle;
	}
	f->rx_count++;
}
static inline void f_room(void *user, uint16_t handle)
{
	((struct fake *)user)->room_calls++;
}
static inline void f_error(void *user, int err, const char *msg)
{
	struct fake *f = user;
	f->errors++;
	strncpy(f->last_error, msg, sizeof(f->last_error) - 1);
}

static inline void f_event(void *user, const uint8_t *evt, size_t len)
{
	((struct fake *)user)->events++;
}

static inline void f_host_failed(void *user, int err)
{
	struct fake *f = user;
	f->host_failed++;
	f->failed_err = err;
	f->links_at_failure = f->links_up - f->links_down;
}

static const struct hci_host_ops fops = {
    .send = f_send,
    .ready = f_ready,
    .link_up = f_link_up,
    .link_down = f_link_down,
    .connect_failed = f_failed,
    .acl_rx = f_acl_rx,
    .acl_tx_room = f_room,
    .error = f_error,
    .failed = f_host_failed,
    .event = f_event,
};

static inline void evt(struct fake *f, uint8_t code, const uint8_t *p, size_t n)
{
	uint8_t b[260];
	b[0] = code;
	b[1] = (uint8_t)n;
	memcpy(b + 2, p, n);
	hci_host_input(f->h, HCI_H4_EVT, b, n + 2);
}

static inline void cmd_complete(struct fake *f, uint16_t op, const uint8_t *ret, size_t n)
{
	uint8_t p[256];
	p[0] = 1;
	put_le16(p + 1, op);
	memcpy(p + 3, ret, n);
	evt(f, HCI_EV_CMD_COMPLETE, p, 3 + n);
}

static inline void cmd_status(struct fake *f, uint16_t op, uint8_t status)
{
	uint8_t p[4] = {status, 1, (uint8_t)op, (uint8_t)(op >> 8)};
	evt(f, HCI_EV_CMD_STATUS, p, 4);
}

static inline uint16_t opcode_of(const struct pkt *p)
{
	return get_le16(p->b);
}

/* Answer every command not answered yet, like a well-behaved controller. */
static inline void answer_all(struct fake *f)
{
	while (f->answered < f->nout) {
		struct pkt *p = &f->out[f->answered++];
		if (p->type != HCI_H4_CMD)
			continue;
		uint16_t op = opcode_of(p);
		if (f->silent_op_enabled && op == f->silent_op)
			continue;
		uint8_t r[80] = {0};
		switch (op) {
		case HCI_OP_READ_LOCAL_VERSION:
			r[1] = 9;
			put_le16(r + 5, 0x05f1);
			r[4] = 9;
			cmd_complete(f, op, r, 9);
			break;
		case HCI_OP_READ_LOCAL_COMMANDS:
			memcpy(r + 1, f->commands, 64);
			cmd_complete(f, op, r, 65);
			break;
		case HCI_OP_READ_LOCAL_FEATURES:
			memcpy(r + 1, f->features, 8);
			cmd_complete(f, op, r, 9);
			break;
		case HCI_OP_READ_BD_ADDR:
			for (int i = 0; i < 6; i++)
				r[1 + i] = (uint8_t)(0x10 + i);
			cmd_complete(f, op, r, 7);
			break;
		case HCI_OP_READ_BUFFER_SIZE:
			put_le16(r + 1, f->acl_mtu);
			r[3] = 64;
			put_le16(r + 4, f->acl_count);
			put_le16(r + 6, 8);
			cmd_complete(f, op, r, 8);
			break;
		case HCI_OP_LE_READ_BUFFER_SIZE:
			put_le16(r + 1, f->le_mtu);
			r[3] = f->le_count;
			cmd_complete(f, op, r, 4);
			break;
		case HCI_OP_LE_READ_BUFFER_SIZE_V2:
			put_le16(r + 1, f->le_mtu);
			r[3] = f->le_count;
			cmd_complete(f, op, r, 7);
			break;
		case HCI_OP_LE_READ_LOCAL_FEATURES:
			cmd_complete(f, op, r, 9);
			break;
		case HCI_OP_CREATE_CONN:
		case HCI_OP_DISCONNECT:
		case HCI_OP_ACCEPT_CONN_REQ:
		case HCI_OP_REJECT_CONN_REQ:
		case HCI_OP_LE_CREATE_CONN:
			cmd_status(f, op, 0);
			break;
		case HCI_OP_HOST_NUM_COMPLETED:
			break; /* no event unless invalid (Vol 4 Part E 7.3.40) */
		default:
			cmd_complete(f, op, r, 1);
			break;
		}
	}
}

static inline void fake_init(struct fake *f, bool bredr, bool le)
{
	memset(f, 0, sizeof(*f));
	uint16_t bits[] = {HCI_CMDBIT_RESET, HCI_CMDBIT_READ_LOCAL_VERSION, HCI_CMDBIT_READ_LOCAL_FEATURES,
			   HCI_CMDBIT_READ_BD_ADDR, HCI_CMDBIT_READ_BUFFER_SIZE, HCI_CMDBIT_SET_EVENT_MASK,
			   HCI_CMDBIT_DISCONNECT};
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		set_bit(f->commands, bits[i]);
	if (bredr) {
		set_bit(f->commands, HCI_CMDBIT_CREATE_CONN);
		set_bit(f->commands, HCI_CMDBIT_ACCEPT_CONN_REQ);
		set_bit(f->commands, HCI_CMDBIT_REJECT_CONN_REQ);
		set_bit(f->commands, HCI_CMDBIT_WRITE_SCAN_ENABLE);
	} else {
		set_bit(f->features, HCI_FEAT_BREDR_NOT_SUPPORTED);
	}
	if (le) {
		set_bit(f->features, HCI_FEAT_LE_SUPPORTED_CTRL);
		set_bit(f->commands, HCI_CMDBIT_LE_SET_EVENT_MASK);
		set_bit(f->commands, HCI_CMDBIT_LE_READ_BUFFER_SIZE);
		set_bit(f->commands, HCI_CMDBIT_LE_READ_LOCAL_FEATURES);
		set_bit(f->commands, HCI_CMDBIT_LE_CREATE_CONN);
		if (bredr)
			set_bit(f->commands, HCI_CMDBIT_WRITE_LE_HOST_SUPPORTED);
	}
	f->acl_mtu = 27;
	f->acl_count = 2;
	f->le_mtu = 27;
	f->le_count = 3;
}

static inline void host_new(struct fake *f, const struct hci_host_config *cfg)
{
	f->h = hci_host_new(cfg, &fops, f);
	assert_non_null(f->h);
}

static inline void bring_up(struct fake *f)
{
	host_new(f, NULL);
	assert_int_equal(hci_host_start(f->h), 0);
	for (int i = 0; i < 20 && !f->ready_called; i++)
		answer_all(f);
	assert_true(f->ready_called);
	assert_int_equal(f->ready_err, 0);
	f->nout = f->answered = 0;
}

static inline bool host_sent(const struct fake *f, uint16_t op)
{
	for (int i = 0; i < f->nout; i++)
		if (f->out[i].type == HCI_H4_CMD && opcode_of(&f->out[i]) == op)
			return true;
	return false;
}

static inline void conn_complete(struct fake *f, uint16_t handle, uint8_t status)
{
	uint8_t p[11] = {status, (uint8_t)handle, (uint8_t)(handle >> 8), 1, 2, 3, 4, 5, 6, 0x01, 0};
	evt(f, HCI_EV_CONN_COMPLETE, p, sizeof(p));
}

static inline void le_conn_complete(struct fake *f, uint16_t handle)
{
	uint8_t p[19] = {HCI_LE_CONN_COMPLETE, 0, (uint8_t)handle, (uint8_t)(handle >> 8), 0, 0, 1, 2, 3, 4, 5, 6,
			 0x18, 0, 0, 0, 0xF4, 0x01, 0};
	evt(f, HCI_EV_LE_META, p, sizeof(p));
}

static inline void nocp(struct fake *f, uint16_t handle, uint16_t count)
{
	uint8_t p[5] = {1, (uint8_t)handle, (uint8_t)(handle >> 8), (uint8_t)count, (uint8_t)(count >> 8)};
	evt(f, HCI_EV_NUM_COMPLETED, p, 5);
}

static inline void disconn(struct fake *f, uint16_t handle, uint8_t reason)
{
	uint8_t p[4] = {0, (uint8_t)handle, (uint8_t)(handle >> 8), reason};
	evt(f, HCI_EV_DISCONN_COMPLETE, p, 4);
}

static inline void acl_in(struct fake *f, uint16_t handle, uint8_t pb, const uint8_t *d, size_t n)
{
	uint8_t b[4 + 1024];
	put_le16(b, (uint16_t)(handle | (pb << 12)));
	put_le16(b + 2, (uint16_t)n);
	memcpy(b + 4, d, n);
	hci_host_input(f->h, HCI_H4_ACL, b, n + 4);
}

static inline int count_acl(const struct fake *f, uint16_t handle)
{
	int c = 0;
	for (int i = 0; i < f->nout; i++)
		if (f->out[i].type == HCI_H4_ACL && HCI_ACL_HANDLE(get_le16(f->out[i].b)) == handle)
			c++;
	return c;
}

#endif
