/* Raw-HCI test harness for the simulated controller (no l2kit host involved): fake hosts that
 * send commands and L2CAP PDUs straight into sim controllers, capture events, reassemble ACL and
 * check it, on an air driven by a virtual clock.  Header-only (static inline) so each
 * test_sim_*.c is self-contained. */
#ifndef TEST_SIM_HARNESS_H
#define TEST_SIM_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/l2k_error.h"
#include "base/hci_defs.h"
#include "transport/sim/sim.h"

#define TH_MAXEV 1024
#define TH_NEVER UINT64_MAX

struct th_ev {
	uint8_t code, plen;
	uint8_t p[255];
};

/* PDU k of a stream: payload = 4-byte sequence number + pattern; length from the test's table */
static inline uint8_t th_pattern(uint32_t seq, size_t i)
{
	return (uint8_t)(seq * 131u + i * 7u + (i >> 8));
}

struct th_host {
	struct sim_ctrl *c;
	hci_bdaddr_t addr;
	struct th_ev *ev;
	unsigned nev;
	/* controller buffers learnt at bring-up */
	uint16_t acl_mtu, acl_count, le_mtu, le_count;
	/* sender (one stream per host) */
	uint16_t tx_handle;
	uint16_t tx_mtu;
	uint32_t credits;
	const uint32_t *tx_lens; /* payload length of each PDU (>= 4) */
	uint32_t tx_n, tx_seq;	 /* PDUs to send, next PDU */
	uint32_t tx_off;	 /* bytes of the current PDU (header included) sent */
	uint64_t nocp;		 /* packets reported completed */
	bool tx_ignore_credits;
	/* receiver */
	uint8_t *rx;
	size_t rx_have;
	bool rx_in_pdu;
	uint32_t rx_pdus, rx_bad, rx_partial, rx_orphans;
	uint64_t rx_bytes, rx_payload;
	uint16_t rx_max_frag, rx_min_first;
	uint32_t rx_frags, rx_pb_bad;
	uint32_t rx_hash;	 /* FNV-1a over every delivered ACL payload */
	uint64_t rx_last_us;
	const uint32_t *rx_lens; /* expected lengths by seq (NULL: do not check) */
	uint32_t rx_nlens;
	uint32_t acl_packets; /* ACL packets received */
	/* controller-to-host flow control: when set, do not auto-complete; count outstanding */
	bool hold_acl;
	uint32_t acl_outstanding;
};

struct th_world {
	struct sim_air *air;
	struct th_host *h[4];
	int n;
};

static inline struct th_world *th_world_new(const char *air_name)
{
	struct th_world *w = calloc(1, sizeof(*w));
	assert_non_null(w);
	w->air = sim_air_open(air_name);
	assert_non_null(w->air);
	return w;
}

static inline void th_world_free(struct th_world *w)
{
	for (int i = 0; i < w->n; i++) {
		if (w->h[i]->c)
			sim_ctrl_free(w->h[i]->c);
		free(w->h[i]->ev);
		free(w->h[i]->rx);
		free(w->h[i]);
	}
	sim_air_close(w->air);
	free(w);
}

static inline struct th_host *th_host_cfg(struct th_world *w, const struct sim_ctrl_config *cfg)
{
	struct th_host *h = calloc(1, sizeof(*h));
	assert_non_null(h);
	h->ev = calloc(TH_MAXEV, sizeof(*h->ev));
	h->rx = malloc(70000);
	assert_non_null(h->ev);
	assert_non_null(h->rx);
	assert_int_equal(sim_ctrl_new(w->air, cfg, &h->c), 0);
	sim_ctrl_get_address(h->c, &h->addr);
	h->rx_min_first = 0xFFFF;
	w->h[w->n++] = h;
	return h;
}

static inline struct th_host *th_host(struct th_world *w, enum sim_ctrl_type type)
{
	struct sim_ctrl_config cfg;
	sim_ctrl_config_init(&cfg, type);
	return th_host_cfg(w, &cfg);
}

static inline void th_fnv(uint32_t *h, const uint8_t *p, size_t n)
{
	if (!*h)
		*h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		*h ^= p[i];
		*h *= 16777619u;
	}
}

static inline void th_rx_pdu_done(struct th_host *h)
{
	const uint8_t *p = h->rx;
	size_t len = h->rx_have;
	h->rx_in_pdu = false;
	h->rx_have = 0;
	if (len < 8) {
		h->rx_bad++;
		return;
	}
	uint32_t seq = (uint32_t)p[4] | ((uint32_t)p[5] << 8) | ((uint32_t)p[6] << 16) | ((uint32_t)p[7] << 24);
	size_t pl = len - 4;
	bool ok = true;
	if (h->rx_lens && (seq >= h->rx_nlens || h->rx_lens[seq] != pl))
		ok = false;
	for (size_t i = 4; ok && i < pl; i++)
		if (p[4 + i] != th_pattern(seq, i))
			ok = false;
	if (ok) {
		h->rx_pdus++;
		h->rx_payload += pl;
	} else {
		h->rx_bad++;
	}
}

static inline void th_on_acl(struct th_host *h, const uint8_t *pkt, size_t len)
{
	assert_true(len >= 4);
	uint16_t hf = get_le16(pkt);
	uint16_t dlen = get_le16(pkt + 2);
	assert_int_equal(dlen, len - 4);
	uint8_t pb = HCI_ACL_PB(hf);
	const uint8_t *d = pkt + 4;
	h->acl_packets++;
	h->rx_frags++;
	h->rx_bytes += dlen;
	th_fnv(&h->rx_hash, d, dlen);
	if (dlen > h->rx_max_frag)
		h->rx_max_frag = dlen;
	if (h->hold_acl)
		h->acl_outstanding++;
	if (pb == HCI_ACL_PB_START) {
		if (h->rx_in_pdu)
			h->rx_partial++;
		h->rx_in_pdu = true;
		h->rx_have = 0;
		if (dlen < h->rx_min_first)
			h->rx_min_first = dlen;
	} else if (pb == HCI_ACL_PB_CONT) {
		if (!h->rx_in_pdu) {
			h->rx_orphans++;
			return;
		}
	} else {
		h->rx_pb_bad++;
		return;
	}
	if (h->rx_have + dlen > 65539) {
		h->rx_bad++;
		h->rx_in_pdu = false;
		return;
	}
	memcpy(h->rx + h->rx_have, d, dlen);
	h->rx_have += dlen;
	if (h->rx_have >= 4 && h->rx_have >= 4u + get_le16(h->rx)) {
		if (h->rx_have > 4u + get_le16(h->rx))
			h->rx_bad++;
		th_rx_pdu_done(h);
	}
}

static inline void th_dispatch(struct th_host *h, uint8_t type, const uint8_t *pkt, size_t len)
{
	if (type == HCI_H4_ACL) {
		th_on_acl(h, pkt, len);
		return;
	}
	assert_int_equal(type, HCI_H4_EVT);
	assert_true(len >= 2);
	assert_int_equal(pkt[1], len - 2); /* well-formed: length byte matches */
	if (pkt[0] == HCI_EV_NUM_COMPLETED) {
		assert_true(len >= 3);
		assert_int_equal(len, 3u + 4u * pkt[2]);
		for (unsigned i = 0; i < pkt[2]; i++) {
			uint16_t hd = get_le16(pkt + 3 + 4 * i), k = get_le16(pkt + 5 + 4 * i);
			h->nocp += k;
			if (hd == h->tx_handle)
				h->credits += k;
		}
		return;
	}
	assert_true(h->nev < TH_MAXEV);
	struct th_ev *e = &h->ev[h->nev++];
	e->code = pkt[0];
	e->plen = pkt[1];
	memcpy(e->p, pkt + 2, pkt[1]);
}

static inline void th_send_more(struct th_host *h)
{
	uint8_t pkt[4 + 65535 + 4];
	while (h->tx_seq < h->tx_n && (h->credits > 0 || h->tx_ignore_credits)) {
		uint32_t pl = h->tx_lens[h->tx_seq];
		uint32_t total = 4 + pl;
		uint32_t n = total - h->tx_off;
		if (n > h->tx_mtu)
			n = h->tx_mtu;
		uint8_t *d = pkt + 4;
		for (uint32_t i = 0; i < n; i++) {
			uint32_t o = h->tx_off + i; /* offset in the PDU */
			uint8_t b;
			if (o < 2)
				b = (uint8_t)(pl >> (8 * o));
			else if (o < 4)
				b = o == 2 ? 0x40 : 0x00; /* CID 0x0040 */
			else if (o < 8)
				b = (uint8_t)(h->tx_seq >> (8 * (o - 4)));
			else
				b = th_pattern(h->tx_seq, o - 4);
			d[i] = b;
		}
		uint8_t pb = h->tx_off == 0 ? HCI_ACL_PB_START_NOFLUSH : HCI_ACL_PB_CONT;
		put_le16(pkt, (uint16_t)(h->tx_handle | (pb << 12)));
		put_le16(pkt + 2, (uint16_t)n);
		assert_int_equal(sim_ctrl_feed(h->c, HCI_H4_ACL, pkt, 4 + n), 0);
		if (h->credits)
			h->credits--;
		h->tx_off += n;
		if (h->tx_off == total) {
			h->tx_off = 0;
			h->tx_seq++;
		}
	}
}

static inline void th_stream(struct th_host *h, uint16_t handle, uint16_t mtu, uint32_t credits,
			     const uint32_t *lens, uint32_t n)
{
	h->tx_handle = handle;
	h->tx_mtu = mtu;
	h->credits = credits;
	h->tx_lens = lens;
	h->tx_n = n;
	h->tx_seq = 0;
	h->tx_off = 0;
}

/* Deliver everything queued to the fake hosts and let senders refill; true if anything moved. */
static inline bool th_pump(struct th_world *w)
{
	bool any = false;
	uint8_t buf[SIM_PKT_MAX];
	for (int round = 0; round < 1000; round++) {
		bool moved = false;
		for (int i = 0; i < w->n; i++) {
			struct th_host *h = w->h[i];
			if (!h->c)
				continue;
			uint8_t type;
			size_t len;
			while ((len = sim_ctrl_pop(h->c, &type, buf, sizeof(buf))) > 0) {
				th_dispatch(h, type, buf, len);
				moved = true;
				h->rx_last_us = sim_air_now_us(w->air);
			}
			uint32_t before = h->tx_seq * 65536u + h->tx_off;
			th_send_more(h);
			if (h->tx_seq * 65536u + h->tx_off != before)
				moved = true;
		}
		if (!moved)
			break;
		any = true;
	}
	return any;
}

typedef bool (*th_cond_fn)(struct th_world *w, void *arg);

/* Run the virtual clock (jumping to each due time) until cond is true or max_ms pass. */
static inline bool th_run_until(struct th_world *w, th_cond_fn cond, void *arg, uint64_t max_ms)
{
	uint64_t deadline = sim_air_now_us(w->air) + max_ms * 1000;
	for (;;) {
		th_pump(w);
		if (cond && cond(w, arg))
			return true;
		uint64_t due = sim_air_next_due_us(w->air);
		if (due == TH_NEVER || due > deadline) {
			sim_air_advance_us(w->air, deadline);
			th_pump(w);
			return cond ? cond(w, arg) : true;
		}
		sim_air_advance_us(w->air, due);
	}
}

static inline void th_run_for(struct th_world *w, uint64_t ms)
{
	th_run_until(w, NULL, NULL, ms);
}

static inline int th_find_ev(struct th_host *h, uint8_t code, int sub)
{
	for (unsigned i = 0; i < h->nev; i++)
		if (h->ev[i].code == code && (sub < 0 || (h->ev[i].plen > 0 && h->ev[i].p[0] == sub)))
			return (int)i;
	return -1;
}

/* Remove the first matching event into out (may be NULL); false if none. */
static inline bool th_take_ev(struct th_host *h, uint8_t code, int sub, struct th_ev *out)
{
	int i = th_find_ev(h, code, sub);
	if (i < 0)
		return false;
	if (out)
		*out = h->ev[i];
	memmove(&h->ev[i], &h->ev[i + 1], (h->nev - (unsigned)i - 1) * sizeof(h->ev[0]));
	h->nev--;
	return true;
}

struct th_wait {
	struct th_host *h;
	uint8_t code;
	int sub;
};

static inline bool th_has_ev(struct th_world *w, void *arg)
{
	struct th_wait *a = arg;
	return th_find_ev(a->h, a->code, a->sub) >= 0;
}

static inline bool th_wait_ev(struct th_world *w, struct th_host *h, uint8_t code, int sub,
			      uint64_t max_ms, struct th_ev *out)
{
	struct th_wait a = {h, code, sub};
	if (!th_run_until(w, th_has_ev, &a, max_ms))
		return false;
	return th_take_ev(h, code, sub, out);
}

/* Send a command; the answer must come at once with Num_HCI_Command_Packets = 1.  Returns the
 * status of a Command Complete (ret/retlen get its return parameters, status included) or
 * TH_CS(status) for a Command Status. */
static inline int th_cmd(struct th_world *w, struct th_host *h, uint16_t op, const void *p, size_t n,
			 uint8_t *ret, size_t *retlen)
{
	uint8_t pkt[3 + 255];
	put_le16(pkt, op);
	pkt[2] = (uint8_t)n;
	if (n)
		memcpy(pkt + 3, p, n);
	assert_int_equal(sim_ctrl_feed(h->c, HCI_H4_CMD, pkt, 3 + n), 0);
	th_pump(w);
	for (unsigned i = 0; i < h->nev; i++) {
		struct th_ev e = h->ev[i];
		bool cc = e.code == HCI_EV_CMD_COMPLETE && e.plen >= 3 && get_le16(e.p + 1) == op;
		bool cs = e.code == HCI_EV_CMD_STATUS && e.plen == 4 && get_le16(e.p + 2) == op;
		if (!cc && !cs)
			continue;
		memmove(&h->ev[i], &h->ev[i + 1], (h->nev - i - 1) * sizeof(h->ev[0]));
		h->nev--;
		if (cc) {
			assert_int_equal(e.p[0], 1); /* Num_HCI_Command_Packets */
			if (ret && retlen) {
				*retlen = e.plen - 3u;
				memcpy(ret, e.p + 3, *retlen);
			}
			return e.plen > 3 ? e.p[3] : -2; /* -2: no status byte */
		}
		assert_int_equal(e.p[1], 1);
		if (retlen)
			*retlen = 0;
		return 0x100 | e.p[0]; /* Command Status: 0x100 | status */
	}
	fail_msg("no Command Complete/Status for opcode 0x%04x", op);
	return -1;
}

#define TH_CS(st) (0x100 | (st))

static inline void th_bringup(struct th_world *w, struct th_host *h)
{
	uint8_t r[80];
	size_t rl;
	assert_int_equal(th_cmd(w, h, HCI_OP_RESET, NULL, 0, r, &rl), 0);
	uint8_t all[8] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x3F};
	assert_int_equal(th_cmd(w, h, HCI_OP_SET_EVENT_MASK, all, 8, r, &rl), 0);
	assert_int_equal(th_cmd(w, h, HCI_OP_READ_BUFFER_SIZE, NULL, 0, r, &rl), 0);
	h->acl_mtu = get_le16(r + 1);
	h->acl_count = get_le16(r + 4);
	uint8_t le_all[8] = {0xFF, 0x0F, 0, 0, 0, 0, 0, 0};
	if (th_cmd(w, h, HCI_OP_LE_SET_EVENT_MASK, le_all, 8, r, &rl) == 0) {
		assert_int_equal(th_cmd(w, h, HCI_OP_LE_READ_BUFFER_SIZE, NULL, 0, r, &rl), 0);
		h->le_mtu = get_le16(r + 1);
		h->le_count = r[3];
		if (!h->le_mtu) {
			h->le_mtu = h->acl_mtu;
			h->le_count = (uint16_t)h->acl_count;
		}
	}
	uint8_t scan = 0x02;
	int st = th_cmd(w, h, HCI_OP_WRITE_SCAN_ENABLE, &scan, 1, r, &rl);
	assert_true(st == 0 || st == TH_CS(HCI_ERR_UNKNOWN_COMMAND));
}

/* BR/EDR: a pages b, b accepts (staying peripheral); returns the handles. */
static inline void th_connect_bredr(struct th_world *w, struct th_host *a, struct th_host *b,
				    uint16_t *ha, uint16_t *hb)
{
	uint8_t p[13] = {0};
	memcpy(p, b->addr.b, 6);
	put_le16(p + 6, 0xCC18);
	p[12] = 0x01;
	assert_int_equal(th_cmd(w, a, HCI_OP_CREATE_CONN, p, 13, NULL, NULL), TH_CS(0));
	struct th_ev e = {0};
	assert_true(th_wait_ev(w, b, HCI_EV_CONN_REQUEST, -1, 10000, &e));
	assert_memory_equal(e.p, a->addr.b, 6);
	uint8_t acc[7];
	memcpy(acc, a->addr.b, 6);
	acc[6] = 0x01;
	assert_int_equal(th_cmd(w, b, HCI_OP_ACCEPT_CONN_REQ, acc, 7, NULL, NULL), TH_CS(0));
	assert_true(th_wait_ev(w, a, HCI_EV_CONN_COMPLETE, -1, 1000, &e));
	assert_int_equal(e.p[0], 0);
	*ha = get_le16(e.p + 1);
	assert_memory_equal(e.p + 3, b->addr.b, 6);
	assert_true(th_wait_ev(w, b, HCI_EV_CONN_COMPLETE, -1, 1000, &e));
	assert_int_equal(e.p[0], 0);
	*hb = get_le16(e.p + 1);
	assert_memory_equal(e.p + 3, a->addr.b, 6);
}

/* LE: b advertises (ADV_IND, 20 ms), a connects with interval itv (1.25 ms units). */
static inline void th_connect_le(struct th_world *w, struct th_host *a, struct th_host *b, uint16_t itv,
				 uint16_t *ha, uint16_t *hb)
{
	uint8_t ap[15] = {0x20, 0, 0x20, 0, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0x07, 0x00};
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_SET_ADV_PARAMS, ap, 15, NULL, NULL), 0);
	uint8_t on = 1;
	assert_int_equal(th_cmd(w, b, HCI_OP_LE_SET_ADV_ENABLE, &on, 1, NULL, NULL), 0);
	uint8_t cp[25] = {0};
	put_le16(cp, 0x0060);
	put_le16(cp + 2, 0x0030);
	cp[4] = 0x00;
	cp[5] = 0x00;
	memcpy(cp + 6, b->addr.b, 6);
	cp[12] = 0x00;
	put_le16(cp + 13, itv);
	put_le16(cp + 15, itv);
	put_le16(cp + 17, 0);
	put_le16(cp + 19, 0x0100); /* 2.56 s */
	assert_int_equal(th_cmd(w, a, HCI_OP_LE_CREATE_CONN, cp, 25, NULL, NULL), TH_CS(0));
	struct th_ev e = {0};
	assert_true(th_wait_ev(w, a, HCI_EV_LE_META, HCI_LE_CONN_COMPLETE, 5000, &e));
	assert_int_equal(e.p[1], 0);
	*ha = get_le16(e.p + 2);
	assert_int_equal(e.p[4], 0x00); /* central */
	assert_memory_equal(e.p + 6, b->addr.b, 6);
	assert_int_equal(get_le16(e.p + 12), itv);
	assert_true(th_wait_ev(w, b, HCI_EV_LE_META, HCI_LE_CONN_COMPLETE, 5000, &e));
	assert_int_equal(e.p[1], 0);
	*hb = get_le16(e.p + 2);
	assert_int_equal(e.p[4], 0x01); /* peripheral */
	assert_memory_equal(e.p + 6, a->addr.b, 6);
}

static inline void th_set_data_len(struct th_world *w, struct th_host *h, uint16_t handle, uint16_t oct)
{
	uint8_t p[6];
	put_le16(p, handle);
	put_le16(p + 2, oct);
	put_le16(p + 4, 0x0848);
	uint8_t r[8];
	size_t rl;
	assert_int_equal(th_cmd(w, h, HCI_OP_LE_SET_DATA_LENGTH, p, 6, r, &rl), 0);
}

struct th_done_arg {
	struct th_host *h;
	uint32_t pdus;
};

static inline bool th_rx_done(struct th_world *w, void *arg)
{
	struct th_done_arg *a = arg;
	return a->h->rx_pdus + a->h->rx_bad >= a->pdus;
}

#endif
