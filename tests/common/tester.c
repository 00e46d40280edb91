/* The conformance tester (see tester.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common/tester.h"
#include "transport/sim/sim.h"

static void tst_acl_rx(void *ctx, uint16_t handle, const uint8_t *pdu, size_t len)
{
	struct tester *t = ctx;
	if (len < 4 || t->rx_count == TESTER_MAX_RX)
		return;
	int slot = (t->rx_head + t->rx_count) % TESTER_MAX_RX;
	struct tester_pdu *p = &t->rx[slot];
	p->cid = hci_get16(pdu + 2);
	p->len = len - 4;
	memcpy(p->data, pdu + 4, len - 4);
	p->at_ms = t->vc.now_ms;
	t->rx_count++;
}

static void tst_link_up(void *ctx, const struct hci_link_info *li)
{
	struct tester *t = ctx;
	t->tst_handle = li->handle;
}

static void tst_link_down(void *ctx, uint16_t handle, uint8_t reason)
{
	((struct tester *)ctx)->tst_link_down = true;
}

static void iut_link_up(void *u, const struct l2k_link_info *li)
{
	struct tester *t = u;
	t->iut_handle = li->handle;
}

static void iut_link_down(void *u, const struct l2k_link_info *li, uint8_t reason)
{
	struct tester *t = u;
	t->iut_link_down = true;
	t->iut_down_reason = reason;
}

static bool both_ready(void *arg)
{
	struct tester *t = arg;
	return t->iut->ready_err <= 0 && t->tst->ready_err <= 0;
}

static bool both_linked(void *arg)
{
	struct tester *t = arg;
	return t->iut_handle && t->tst_handle;
}

static int air_counter;

int tester_setup(struct tester *t, const struct tester_opts *o)
{
	memset(t, 0, sizeof(*t));
	t->le = o->le;
	t->next_ident = 0x40;
	snprintf(t->air, sizeof(t->air), "tester%d", ++air_counter);
	char spec[160];
	int n = snprintf(spec, sizeof(spec), "sim:air=%s,type=%s", t->air, o->le ? "le" : "bredr");
	if (o->acl_mtu)
		n += snprintf(spec + n, sizeof(spec) - (size_t)n, ",%s=%u,%s=%u", o->le ? "le-acl-mtu" : "acl-mtu",
			      o->acl_mtu, o->le ? "le-acl-count" : "acl-count", o->acl_count ? o->acl_count : 8);
	for (int i = 0; i < TESTER_MAX_RX; i++) {
		t->rx[i].data = malloc(TESTER_PDU_MAX);
		if (!t->rx[i].data)
			return L2K_ENOMEM;
	}
	struct l2k_stack_opts so = {.clock = l2k_vclock_now, .clock_arg = &t->vc, .btsnoop_path = o->btsnoop};
	struct l2k_stack_cbs ic = {.user = t, .link_up = iut_link_up, .link_down = iut_link_down};
	char err[256];
	int r = l2k_stack_open(spec, &so, &ic, &t->iut, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "tester: IUT: %s\n", err);
		return r;
	}
	so.btsnoop_path = NULL;
	r = l2k_stack_open(spec, &so, NULL, &t->tst, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "tester: tester stack: %s\n", err);
		return r;
	}
	/* Disconnect the tester's L2CAP engine: its PDUs come to the test instead, and it never
	 * answers anything by itself. */
	t->tst_engine = t->tst->upper;
	t->tst->upper.ctx = t;
	t->tst->upper.tick = NULL;
	t->tst->upper.next_timer = NULL;
	t->tst->upper.destroy = NULL;
	t->tst->upper.acl_rx = tst_acl_rx;
	t->tst->upper.link_up = tst_link_up;
	t->tst->upper.link_down = tst_link_down;
	t->tst->upper.event = NULL;
	t->tst->upper.acl_tx_room = NULL;
	t->tst->upper.link_failed = NULL;
	/* the engine object itself stays owned by the stack (freed by destroy) */
	l2k_stack *st[2] = {t->iut, t->tst};
	if (l2k_sim_run_until(st, 2, &t->vc, both_ready, t, 10000) < 0 || t->iut->ready_err || t->tst->ready_err) {
		fprintf(stderr, "tester: bring-up failed: %s / %s\n", l2k_last_error(t->iut), l2k_last_error(t->tst));
		return L2K_EIO;
	}
	struct l2k_controller_info ii, ti;
	l2k_controller_info(t->iut, &ii);
	l2k_controller_info(t->tst, &ti);
	t->iut_addr = ii.addr;
	t->tst_addr = ti.addr;
	if (o->iut_central) {
		if (o->le)
			hci_host_le_advertise(t->tst->hci, true, NULL, 0);
		r = l2k_link_connect(t->iut, &t->tst_addr, o->le ? L2K_ADDR_LE_PUBLIC : L2K_ADDR_BREDR);
	} else {
		if (o->le)
			l2k_le_advertise(t->iut, true, NULL, 0);
		hci_bdaddr_t a;
		memcpy(a.b, t->iut_addr.b, 6);
		r = hci_host_connect(t->tst->hci, o->le ? HCI_LINK_LE : HCI_LINK_BREDR, &a, HCI_ADDR_LE_PUBLIC);
	}
	if (r < 0 || l2k_sim_run_until(st, 2, &t->vc, both_linked, t, 10000) < 0) {
		fprintf(stderr, "tester: link not created (%s)\n", l2k_strerror(r));
		return L2K_EIO;
	}
	/* let the link settle (the IUT may send an Information Request at once on BR/EDR: tests
	 * see it through tester_next) */
	return 0;
}

void tester_teardown(struct tester *t)
{
	l2k_stack_close(t->iut);
	if (t->tst) {
		t->tst->upper = t->tst_engine;
		l2k_stack_close(t->tst);
	}
	for (int i = 0; i < TESTER_MAX_RX; i++)
		free(t->rx[i].data);
	struct sim_air *air = sim_air_find(t->air);
	if (air)
		sim_air_close(air);
	memset(t, 0, sizeof(*t));
}

static bool never(void *arg)
{
	return false;
}

void tester_run(struct tester *t, uint64_t ms)
{
	l2k_stack *st[2] = {t->iut, t->tst};
	l2k_sim_run_until(st, 2, &t->vc, never, NULL, ms);
}

bool tester_run_until(struct tester *t, bool (*pred)(void *arg), void *arg, uint64_t within_ms)
{
	l2k_stack *st[2] = {t->iut, t->tst};
	return l2k_sim_run_until(st, 2, &t->vc, pred, arg, within_ms) == 0;
}

int tester_send(struct tester *t, uint16_t cid, const uint8_t *payload, size_t len)
{
	uint8_t hdr[4];
	hci_put16(hdr, (uint16_t)len);
	hci_put16(hdr + 2, cid);
	struct hci_iov iov[2] = {{hdr, 4}, {payload, len}};
	return hci_host_acl_sendv(t->tst->hci, t->tst_handle, iov, 2);
}

int tester_send_acl(struct tester *t, uint8_t pb, const uint8_t *data, size_t len)
{
	uint8_t b[4 + 1024];
	if (len > 1024)
		return L2K_EMSGSIZE;
	hci_put16(b, (uint16_t)(t->tst_handle | (pb << 12)));
	hci_put16(b + 2, (uint16_t)len);
	memcpy(b + 4, data, len);
	return l2k_transport_send(t->tst->tr, HCI_H4_ACL, b, len + 4);
}

int tester_send_sig(struct tester *t, uint8_t code, uint8_t ident, const uint8_t *data, size_t len)
{
	uint8_t b[4 + 1024];
	if (len > 1024)
		return L2K_EMSGSIZE;
	b[0] = code;
	b[1] = ident;
	hci_put16(b + 2, (uint16_t)len);
	if (len)
		memcpy(b + 4, data, len);
	return tester_send(t, t->le ? 0x0005 : 0x0001, b, len + 4);
}

static bool have_rx(void *arg)
{
	return ((struct tester *)arg)->rx_count > 0;
}

static const struct tester_pdu *take(struct tester *t)
{
	const struct tester_pdu *p = &t->rx[t->rx_head];
	t->rx_head = (t->rx_head + 1) % TESTER_MAX_RX;
	t->rx_count--;
	return p;
}

const struct tester_pdu *tester_next(struct tester *t, uint64_t within_ms)
{
	if (!t->rx_count && !tester_run_until(t, have_rx, t, within_ms))
		return NULL;
	return t->rx_count ? take(t) : NULL;
}

const struct tester_pdu *tester_next_on(struct tester *t, uint16_t cid, uint64_t within_ms)
{
	uint64_t end = t->vc.now_ms + within_ms;
	for (;;) {
		uint64_t left = end > t->vc.now_ms ? end - t->vc.now_ms : 0;
		const struct tester_pdu *p = tester_next(t, left);
		if (!p || p->cid == cid)
			return p;
	}
}

const struct tester_pdu *tester_expect_sig(struct tester *t, uint8_t code, uint64_t within_ms)
{
	const struct tester_pdu *p = tester_next_on(t, t->le ? 0x0005 : 0x0001, within_ms);
	if (!p || p->len < 4 || p->data[0] != code)
		return NULL;
	return p;
}

void tester_flush(struct tester *t)
{
	t->rx_head = 0;
	t->rx_count = 0;
}

bool tester_quiet(struct tester *t, uint64_t ms)
{
	return tester_next(t, ms) == NULL;
}

uint8_t tester_ident(struct tester *t)
{
	uint8_t id = t->next_ident++;
	if (t->next_ident == 0)
		t->next_ident = 1;
	return id;
}
