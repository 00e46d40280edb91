/* The conformance tester (see tester.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/common/tester.h"
#include "api/security.h"
#include "core/l2cap_int.h"
#include "transport/sim/sim.h"

#if defined(__GNUC__)
/* L2K_TEST_FILTER=PATTERN runs only the tests whose names match (cmocka wildcards * and ?), in
 * every test binary (tests/common is linked into all of them). */
__attribute__((constructor)) static void tester_filter_from_env(void)
{
	const char *f = getenv("L2K_TEST_FILTER");
	if (f && *f)
		cmocka_set_test_filter(f);
}
#endif

static void tst_acl_rx(void *ctx, uint16_t handle, const uint8_t *pdu, size_t len)
{
	struct tester *t = ctx;
	if (len < 4)
		return;
	if (t->tst_smp && get_le16(pdu + 2) == 0x0006 && handle == t->tst_handles[1]) {
		/* LE SMP: the tester stack's security manager answers (opts.tst_smp) */
		t->tst_engine.acl_rx(t->tst_engine.ctx, handle, pdu, len);
		return;
	}
	if (t->rx_count == TESTER_MAX_RX)
		return;
	int slot = (t->rx_head + t->rx_count) % TESTER_MAX_RX;
	struct tester_pdu *p = &t->rx[slot];
	p->handle = handle;
	p->cid = get_le16(pdu + 2);
	p->len = len - 4;
	memcpy(p->data, pdu + 4, len - 4);
	p->at_ms = t->vc.now_ms;
	t->rx_count++;
}

static void tst_link_up(void *ctx, const struct hci_link_info *li)
{
	struct tester *t = ctx;
	t->tst_handles[li->type == HCI_LINK_LE] = li->handle;
	if (!t->tst_handle)
		t->tst_handle = li->handle;
	/* the tester's engine knows the links only to carry its security manager's SMP PDUs */
	if (t->tst_smp)
		t->tst_engine.link_up(t->tst_engine.ctx, li);
}

static void tst_link_down(void *ctx, uint16_t handle, uint8_t reason)
{
	struct tester *t = ctx;
	t->tst_link_down = true;
	if (t->tst_smp)
		t->tst_engine.link_down(t->tst_engine.ctx, handle, reason);
}

/* The tester's host answers the controller like any host: an LE Remote Connection Parameter
 * Request (the IUT as central changing the parameters) is accepted as asked. */
static void tst_event(void *ctx, const uint8_t *evt, size_t len)
{
	struct tester *t = ctx;
	if (len >= 2 + 11 && evt[0] == HCI_EV_LE_META && evt[2] == HCI_LE_REMOTE_CONN_PARAM_REQ) {
		uint8_t c[14];
		memcpy(c, evt + 3, 10);
		put_le16(c + 10, 0);
		put_le16(c + 12, 0);
		hci_host_cmd(t->tst->hci, HCI_OP_LE_REMOTE_CONN_PARAM_REPLY, c, 14, NULL, NULL);
	}
}

static void iut_link_up(void *u, const struct l2k_link_info *li)
{
	struct tester *t = u;
	t->iut_handles[li->type != L2K_ADDR_BREDR] = li->handle;
	if (!t->iut_handle)
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
	t->tst_smp = o->tst_smp;
	t->next_ident = 0x40;
	snprintf(t->air, sizeof(t->air), "tester%d", ++air_counter);
	char spec[160];
	int n = snprintf(spec, sizeof(spec), "sim:air=%s,type=%s", t->air,
			 o->dual ? "dual" : o->le ? "le" : "bredr");
	if (o->acl_mtu)
		n += snprintf(spec + n, sizeof(spec) - (size_t)n, ",%s=%u,%s=%u", o->le ? "le-acl-mtu" : "acl-mtu",
			      o->acl_mtu, o->le ? "le-acl-count" : "acl-count", o->acl_count ? o->acl_count : 8);
	for (int i = 0; i < TESTER_MAX_RX; i++) {
		t->rx[i].data = malloc(TESTER_PDU_MAX);
		if (!t->rx[i].data)
			return L2K_ENOMEM;
	}
	struct l2k_stack_opts so = {.clock = l2k_vclock_now, .clock_arg = &t->vc, .btsnoop_path = o->btsnoop,
				    .security = o->iut_sec};
	struct l2k_stack_cbs ic = {.user = t, .link_up = iut_link_up, .link_down = iut_link_down};
	char err[256];
	int r = l2k_stack_open(spec, &so, &ic, &t->iut, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "tester: IUT: %s\n", err);
		return r;
	}
	so.btsnoop_path = NULL;
	so.security = o->tst_sec;
	struct l2k_security_opts legacy;
	if (!o->tst_sec && !o->tst_ssp) {
		l2k_security_opts_default(&legacy);
		legacy.legacy_pairing = true;
		so.security = &legacy;
	}
	if (o->tst_enc_key_size)
		snprintf(spec + n, sizeof(spec) - (size_t)n, ",enc-key-size=%u", o->tst_enc_key_size);
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
	t->tst->upper.event = tst_event;
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

/* Channels still open at the end of a test would report their closing to recorders that lived
 * on the test's stack: silence them first. */
static void forget_callbacks(l2k_stack *s)
{
	struct l2cap_engine *e = s ? l2cap_engine_of(s) : NULL;
	if (!e)
		return;
	for (unsigned i = 0; i < e->max_links; i++) {
		struct l2cap_link *l = e->links[i];
		for (size_t k = 0; l && l->used && k < l->chans_cap; k++)
			if (l->chans[k])
				memset(&l->chans[k]->cbs, 0, sizeof(l->chans[k]->cbs));
	}
	for (struct l2k_chan *ch = e->waiting; ch; ch = ch->next_pending)
		memset(&ch->cbs, 0, sizeof(ch->cbs));
}

void tester_teardown(struct tester *t)
{
	forget_callbacks(t->iut);
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
	put_le16(hdr, (uint16_t)len);
	put_le16(hdr + 2, cid);
	struct hci_iov iov[2] = {{hdr, 4}, {payload, len}};
	return hci_host_acl_sendv(t->tst->hci, t->tst_handle, iov, 2);
}

int tester_send_acl(struct tester *t, uint8_t pb, const uint8_t *data, size_t len)
{
	uint8_t b[4 + 1024];
	if (len > 1024)
		return L2K_EMSGSIZE;
	put_le16(b, (uint16_t)(t->tst_handle | (pb << 12)));
	put_le16(b + 2, (uint16_t)len);
	memcpy(b + 4, data, len);
	return transport_send(t->tst->tr, HCI_H4_ACL, b, len + 4);
}

int tester_send_sig(struct tester *t, uint8_t code, uint8_t ident, const uint8_t *data, size_t len)
{
	uint8_t b[4 + 1024];
	if (len > 1024)
		return L2K_EMSGSIZE;
	b[0] = code;
	b[1] = ident;
	put_le16(b + 2, (uint16_t)len);
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
	if (!p || p->len < 4 || p->data[0] != code) {
		/* diagnostics only: the caller fails the test */
		if (p)
			fprintf(stderr, "tester: expected signaling code 0x%02x, got 0x%02x (%zu octets)\n", code,
				p->len ? p->data[0] : 0, p->len);
		else
			fprintf(stderr, "tester: expected signaling code 0x%02x, got nothing\n", code);
		return NULL;
	}
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

/* ---- additions for the conformance suites ------------------------------------------------- */

struct add_link_ctx {
	struct tester *t;
	bool le;
};

static bool other_linked(void *arg)
{
	struct add_link_ctx *a = arg;
	return a->t->iut_handles[a->le] && a->t->tst_handles[a->le];
}

int tester_add_link(struct tester *t, bool le)
{
	struct add_link_ctx a = {t, le};
	if (le)
		l2k_le_advertise(t->iut, true, NULL, 0);
	hci_bdaddr_t addr;
	memcpy(addr.b, t->iut_addr.b, 6);
	int r = hci_host_connect(t->tst->hci, le ? HCI_LINK_LE : HCI_LINK_BREDR, &addr, HCI_ADDR_LE_PUBLIC);
	if (r < 0)
		return r;
	return tester_run_until(t, other_linked, &a, 10000) ? 0 : L2K_EIO;
}

int tester_use_link(struct tester *t, bool le)
{
	if (!t->iut_handles[le] || !t->tst_handles[le])
		return L2K_ENOLINK;
	t->le = le;
	t->iut_handle = t->iut_handles[le];
	t->tst_handle = t->tst_handles[le];
	return 0;
}

static void rec_open(void *u, l2k_chan *ch)
{
	struct tester_rec *r = u;
	r->opened++;
	r->ch = ch;
}

static void rec_closed(void *u, l2k_chan *ch, enum l2k_close_reason why)
{
	struct tester_rec *r = u;
	struct l2k_chan_info ci;
	r->closed++;
	r->reason = why;
	if (l2k_chan_get_info(ch, &ci) == 0)
		r->last_result = ci.result;
	if (r->ch == ch)
		r->ch = NULL;
}

static void rec_recv(void *u, l2k_chan *ch, const uint8_t *p, size_t n)
{
	struct tester_rec *r = u;
	r->sdus++;
	r->len = n;
	r->total += n;
	memcpy(r->data, p, n < sizeof(r->data) ? n : sizeof(r->data));
}

struct rec_wait {
	const int *v;
	int n;
};

static bool rec_reached(void *arg)
{
	struct rec_wait *w = arg;
	return *w->v >= w->n;
}

bool tester_wait_open(struct tester *t, struct tester_rec *r, int n, uint64_t within_ms)
{
	struct rec_wait w = {&r->opened, n};
	return rec_reached(&w) || tester_run_until(t, rec_reached, &w, within_ms);
}

bool tester_wait_closed(struct tester *t, struct tester_rec *r, int n, uint64_t within_ms)
{
	struct rec_wait w = {&r->closed, n};
	return rec_reached(&w) || tester_run_until(t, rec_reached, &w, within_ms);
}

bool tester_wait_sdus(struct tester *t, struct tester_rec *r, int n, uint64_t within_ms)
{
	struct rec_wait w = {&r->sdus, n};
	return rec_reached(&w) || tester_run_until(t, rec_reached, &w, within_ms);
}

struct l2k_chan_cbs tester_rec_cbs(struct tester_rec *r)
{
	struct l2k_chan_cbs cb = {.user = r, .open = rec_open, .closed = rec_closed, .recv = rec_recv};
	return cb;
}

static int rec_accept(void *user, const struct l2k_conn_request *req, struct l2k_chan_opts *opts,
		      struct l2k_chan_cbs *cbs)
{
	struct tester_rec *r = user;
	r->accept_calls++;
	r->last_req = *req;
	r->ch = req->chan;
	*cbs = tester_rec_cbs(r);
	if (r->opts_set)
		*opts = r->opts;
	return r->accept_result;
}

int tester_server(struct tester *t, uint16_t psm, bool le, const struct l2k_chan_opts *opts,
		  struct tester_rec *r)
{
	struct l2k_server_cbs sc = {.user = r, .accept = rec_accept};
	return l2k_server_add(t->iut, psm, le, opts, &sc, NULL);
}

bool tester_next_sig(struct tester *t, struct tester_sig *s, uint64_t within_ms)
{
	const struct tester_pdu *p = tester_next_on(t, t->le ? 0x0005 : 0x0001, within_ms);
	if (!p || p->len < 4)
		return false;
	s->code = p->data[0];
	s->ident = p->data[1];
	s->len = t_get16(p->data + 2);
	s->d = p->data + 4;
	return true;
}

static void hexdump(const char *what, const uint8_t *p, size_t n)
{
	fprintf(stderr, "%s (%zu):", what, n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " %02x", p[i]);
	fprintf(stderr, "\n");
}

bool tester_sig_is(const struct tester_pdu *p, const uint8_t *want, size_t n)
{
	if (!p) {
		hexdump("tester: expected", want, n);
		fprintf(stderr, "tester: got no PDU\n");
		return false;
	}
	if (p->len == n && !memcmp(p->data, want, n))
		return true;
	hexdump("tester: expected", want, n);
	hexdump("tester: got     ", p->data, p->len);
	return false;
}

int tester_answer_info(struct tester *t, uint32_t feat, uint64_t fixed)
{
	const struct tester_pdu *p = tester_expect_sig(t, 0x0A, 5000);
	if (!p || p->len < 6)
		return -1;
	for (;;) {
		uint16_t type = t_get16(p->data + 4);
		uint8_t rsp[12];
		size_t n = 4;
		t_put16(rsp, type);
		t_put16(rsp + 2, 0);
		if (type == 0x0002) {
			t_put16(rsp + 4, (uint16_t)feat);
			t_put16(rsp + 6, (uint16_t)(feat >> 16));
			n = 8;
		} else if (type == 0x0003) {
			for (int i = 0; i < 8; i++)
				rsp[4 + i] = (uint8_t)(fixed >> (8 * i));
			n = 12;
		} else {
			t_put16(rsp + 2, 1); /* not supported */
		}
		tester_send_sig(t, 0x0B, p->data[1], rsp, n);
		if (type != 0x0002 || !(feat & (1u << 7)))
			return 0;
		p = tester_expect_sig(t, 0x0A, 5000);
		if (!p || p->len < 6)
			return -1;
	}
}

static int tfail(const char *msg)
{
	fprintf(stderr, "tester: %s\n", msg);
	return -1;
}

/* Accept the IUT's Configuration Request for tcid (answer success, no options). */
static int accept_conf_req(struct tester *t, uint16_t tcid, uint16_t iut_cid)
{
	const struct tester_pdu *p = tester_expect_sig(t, 0x04, 5000);
	if (!p || p->len < 8 || t_get16(p->data + 4) != tcid)
		return tfail("no Configuration Request for our CID");
	uint8_t rsp[6];
	t_put16(rsp, iut_cid);
	t_put16(rsp + 2, 0);
	t_put16(rsp + 4, 0);
	return tester_send_sig(t, 0x05, p->data[1], rsp, 6) < 0 ? -1 : 0;
}

/* Send our Configuration Request with opts and expect a success response. */
static int send_conf_req(struct tester *t, uint16_t tcid, uint16_t iut_cid, const uint8_t *opts, size_t olen)
{
	uint8_t rq[4 + 256];
	if (olen > 256)
		return tfail("options too long");
	t_put16(rq, iut_cid);
	t_put16(rq + 2, 0);
	if (olen)
		memcpy(rq + 4, opts, olen);
	uint8_t id = tester_ident(t);
	tester_send_sig(t, 0x04, id, rq, 4 + olen);
	const struct tester_pdu *p = tester_expect_sig(t, 0x05, 5000);
	if (!p || p->len < 10 || p->data[1] != id || t_get16(p->data + 4) != tcid || t_get16(p->data + 8) != 0)
		return tfail("our Configuration Request was not accepted");
	return 0;
}

int tester_open_bredr(struct tester *t, uint16_t psm, uint16_t tcid, const uint8_t *opts, size_t olen,
		      uint16_t *iut_cid)
{
	uint8_t rq[4];
	t_put16(rq, psm);
	t_put16(rq + 2, tcid);
	uint8_t id = tester_ident(t);
	tester_send_sig(t, 0x02, id, rq, 4);
	const struct tester_pdu *p = tester_expect_sig(t, 0x03, 5000);
	if (!p || p->len < 12 || p->data[1] != id || t_get16(p->data + 6) != tcid)
		return tfail("no Connection Response");
	if (t_get16(p->data + 8) != 0)
		return tfail("Connection Request refused");
	uint16_t icid = t_get16(p->data + 4);
	if (accept_conf_req(t, tcid, icid) < 0 || send_conf_req(t, tcid, icid, opts, olen) < 0)
		return -1;
	tester_run(t, 5);
	*iut_cid = icid;
	return 0;
}

int tester_iut_open_bredr(struct tester *t, uint16_t psm, const struct l2k_chan_opts *opts,
			  struct tester_rec *r, uint16_t tcid, const uint8_t *topts, size_t olen,
			  l2k_chan **ch, uint16_t *iut_cid)
{
	struct l2k_chan_cbs cb = tester_rec_cbs(r);
	if (l2k_chan_connect(t->iut, &t->tst_addr, L2K_ADDR_BREDR, psm, opts, &cb, ch) < 0)
		return tfail("l2k_chan_connect failed");
	const struct tester_pdu *p;
	for (;;) {
		p = tester_next_on(t, 0x0001, 5000);
		if (!p || p->len < 4)
			return tfail("no Connection Request");
		if (p->data[0] == 0x0A && p->len >= 6) { /* the first channel on the link asks first */
			uint8_t rsp[8] = {p->data[4], p->data[5], 0, 0, 0, 0, 0, 0};
			tester_send_sig(t, 0x0B, p->data[1], rsp, t_get16(p->data + 4) == 2 ? 8 : 4);
			continue;
		}
		break;
	}
	if (p->data[0] != 0x02 || p->len < 8 || t_get16(p->data + 4) != psm)
		return tfail("expected a Connection Request");
	uint16_t icid = t_get16(p->data + 6);
	uint8_t rsp[8];
	t_put16(rsp, tcid);
	t_put16(rsp + 2, icid);
	t_put16(rsp + 4, 0);
	t_put16(rsp + 6, 0);
	tester_send_sig(t, 0x03, p->data[1], rsp, 8);
	int opened = r->opened;
	if (accept_conf_req(t, tcid, icid) < 0 || send_conf_req(t, tcid, icid, topts, olen) < 0)
		return -1;
	if (!tester_wait_open(t, r, opened + 1, 1000))
		return tfail("the IUT did not open the channel");
	*iut_cid = icid;
	return 0;
}

static void le_fields(const uint8_t *d, struct tester_le_conn *o, bool rsp)
{
	if (rsp) {
		o->cid = t_get16(d);
		o->mtu = t_get16(d + 2);
		o->mps = t_get16(d + 4);
		o->credits = t_get16(d + 6);
		o->result = t_get16(d + 8);
	} else {
		o->spsm = t_get16(d);
		o->cid = t_get16(d + 2);
		o->mtu = t_get16(d + 4);
		o->mps = t_get16(d + 6);
		o->credits = t_get16(d + 8);
	}
}

int tester_le_connect(struct tester *t, uint8_t ident, const struct tester_le_conn *rq,
		      struct tester_le_conn *rsp)
{
	uint8_t d[10];
	t_put16(d, rq->spsm);
	t_put16(d + 2, rq->cid);
	t_put16(d + 4, rq->mtu);
	t_put16(d + 6, rq->mps);
	t_put16(d + 8, rq->credits);
	uint8_t id = ident ? ident : tester_ident(t);
	tester_send_sig(t, 0x14, id, d, 10);
	const struct tester_pdu *p = tester_expect_sig(t, 0x15, 5000);
	if (!p || p->len != 14 || p->data[1] != id || t_get16(p->data + 2) != 10)
		return tfail("no well-formed LE Credit Based Connection Response");
	le_fields(p->data + 4, rsp, true);
	return 0;
}

int tester_iut_le_connect(struct tester *t, uint16_t spsm, const struct l2k_chan_opts *opts,
			  struct tester_rec *r, const struct tester_le_conn *ans,
			  struct tester_le_conn *req, l2k_chan **ch)
{
	struct l2k_chan_cbs cb = tester_rec_cbs(r);
	if (l2k_chan_connect(t->iut, &t->tst_addr, L2K_ADDR_LE_PUBLIC, spsm, opts, &cb, ch) < 0)
		return tfail("l2k_chan_connect failed");
	const struct tester_pdu *p = tester_expect_sig(t, 0x14, 5000);
	if (!p || p->len != 14)
		return tfail("no LE Credit Based Connection Request");
	le_fields(p->data + 4, req, false);
	uint8_t d[10];
	t_put16(d, ans->cid);
	t_put16(d + 2, ans->mtu);
	t_put16(d + 4, ans->mps);
	t_put16(d + 6, ans->credits);
	t_put16(d + 8, ans->result);
	int opened = r->opened, closed = r->closed;
	tester_send_sig(t, 0x15, p->data[1], d, 10);
	if (ans->result == 0 && !tester_wait_open(t, r, opened + 1, 2000))
		return tfail("the IUT did not open the channel");
	if (ans->result != 0 && !tester_wait_closed(t, r, closed + 1, 2000))
		return tfail("the IUT did not close the refused channel");
	return 0;
}

int tester_send_kframe(struct tester *t, uint16_t cid, int sdu_len, const uint8_t *data, size_t n)
{
	uint8_t b[2 + 1024];
	size_t k = 0;
	if (n > 1024)
		return L2K_EMSGSIZE;
	if (sdu_len >= 0) {
		t_put16(b, (uint16_t)sdu_len);
		k = 2;
	}
	if (n)
		memcpy(b + k, data, n);
	return tester_send(t, cid, b, k + n);
}

/* ---- security ------------------------------------------------------------------------------ */

struct sec_wait {
	struct tester *t;
	bool done;
	int err;
};

static void sec_done(void *u, uint16_t handle, int err)
{
	struct sec_wait *w = u;
	(void)handle;
	w->done = true;
	w->err = err;
}

static bool sec_ended(void *a)
{
	return ((struct sec_wait *)a)->done;
}

static bool iut_encrypted(void *a)
{
	struct tester *t = a;
	struct l2k_link_security ls;
	return l2k_link_security(t->iut, t->iut_handle, &ls) == 0 && ls.encrypted;
}

int tester_secure(struct tester *t, uint8_t level)
{
	struct sec_wait w = {t, false, 0};
	int r = l2k_link_secure(t->tst, t->tst_handle, level, sec_done, &w);
	if (r < 0)
		return r;
	if (!tester_run_until(t, sec_ended, &w, 30000))
		return L2K_ETIMEDOUT;
	if (!iut_encrypted(t))
		tester_run_until(t, iut_encrypted, t, 1000);
	return w.err;
}

int tester_share_ltk(struct tester *t, uint8_t key_size, bool authenticated, bool sc)
{
	if (key_size < 1 || key_size > 16 || !t->iut->sec || !t->tst->sec)
		return L2K_EINVAL;
	struct l2k_bond ib = {.peer = t->tst_addr, .peer_type = L2K_ADDR_LE_PUBLIC, .key_size = key_size,
			      .authenticated = authenticated, .secure_conn = sc};
	struct l2k_bond tb = ib;
	tb.peer = t->iut_addr;
	uint8_t ltk[16] = {0};
	for (int i = 0; i < key_size; i++)
		ltk[i] = (uint8_t)(0x5A ^ (i * 29));
	static const uint8_t rand[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
	tb.has_ltk = true; /* the tester (central) encrypts with it */
	memcpy(tb.ltk, ltk, 16);
	if (sc) {
		ib.has_ltk = true; /* one LTK both ways, EDIV 0, Rand 0 */
		memcpy(ib.ltk, ltk, 16);
	} else {
		tb.ediv = 0x1234;
		memcpy(tb.rand, rand, 8);
		ib.has_local_ltk = true; /* the one the IUT (peripheral) gave */
		memcpy(ib.local_ltk, ltk, 16);
		ib.local_ediv = 0x1234;
		memcpy(ib.local_rand, rand, 8);
	}
	struct l2k_key_store *is = &t->iut->sec->store, *ts = &t->tst->sec->store;
	int r = is->put(is->user, &ib);
	return r < 0 ? r : ts->put(ts->user, &tb);
}

/* ---- cmocka fixtures ------------------------------------------------------------------------ */

static int fixture(void **state, struct tester *t, struct tester_opts o)
{
	if (tester_setup(t, &o) < 0)
		return -1;
	*state = t;
	return 0;
}

int tester_fixture_bredr(void **state)
{
	static struct tester t;
	return fixture(state, &t, (struct tester_opts){.le = false});
}

int tester_fixture_le(void **state)
{
	static struct tester t;
	return fixture(state, &t, (struct tester_opts){.le = true});
}

int tester_fixture_le_central(void **state)
{
	static struct tester t;
	return fixture(state, &t, (struct tester_opts){.le = true, .iut_central = true});
}

int tester_fixture_dual(void **state)
{
	static struct tester t;
	return fixture(state, &t, (struct tester_opts){.le = false, .dual = true});
}

int tester_fixture_teardown(void **state)
{
	tester_teardown(*state);
	return 0;
}
