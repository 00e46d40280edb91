/* Channels sharing one link under real timing (the simulated air's timed profiles, virtual
 * clock): every channel gets its turn, whatever the others do.
 *
 * The clients send like `l2cat --send N --verify`: each channel keeps a window of unechoed SDUs
 * (each spanning several ACL packets) and sends the next one when an echo comes back; the server
 * echoes every SDU.  The channels that send often must not take every bit of link room freed
 * while another channel waits for room (issue 19: two of five ECFC channels stopped after 6
 * SDUs on bredr-3dh5, never woken).  Every channel must finish, and while all of them run they
 * must move about the same number of bytes per second (the fairness figure: max/min).
 *
 * Signaling gets through a link whose data queue is full: a Connection Response, the
 * configuration of a new channel and an Echo Response are not dropped behind the data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/l2cap_int.h"
#include "tests/common/tester.h"
#include "transport/sim/sim.h"

#define MAXCH 8
#define PSM_BR 0x1003
#define PSM_ERTM 0x1005
#define PSM_BASIC 0x1007
#define SPSM_LE 0x0081
#define SPSM_LE_CREDIT 0x0083

/* ---- the echo world ------------------------------------------------------------------------- */

struct echo_q { /* an SDU the server could not send back yet (EAGAIN) */
	uint8_t *p;
	size_t n;
};

struct chan_state {
	l2k_chan *ch;
	bool open, closed;
	enum l2k_close_reason reason;
	/* client */
	uint32_t sent, echoed, bad;
	uint64_t echoed_bytes;
	uint64_t t_done;     /* virtual ms when the last echo came (0: not yet) */
	uint64_t bytes_at_open;	      /* echoed bytes when the last channel opened */
	uint64_t bytes_at_first_done; /* echoed bytes when the first channel finished */
	/* server */
	struct echo_q q[64];
	int qh, qn;
	uint32_t echoes_sent;
};

struct world {
	struct l2k_vclock vc;
	l2k_stack *st[2];
	l2k_addr addr_b;
	int ready;
	int nch;
	size_t sdu;
	uint32_t total;	 /* SDUs each channel sends */
	uint32_t window; /* unechoed SDUs at most */
	struct chan_state c[MAXCH]; /* client side, in the order they were connected */
	struct chan_state s[MAXCH]; /* server side, in the order they opened */
	int s_n;
	uint64_t t_open;	  /* when the last channel opened */
	uint64_t t_first_done; /* when the first channel finished (0: none yet) */
	uint8_t *buf;
};

static uint8_t pat(uint32_t sdu, size_t k, int ch)
{
	return (uint8_t)(sdu * 131u + k * 7u + (k >> 8) + (unsigned)ch * 29u);
}

static int client_index(struct world *w, l2k_chan *ch)
{
	for (int i = 0; i < w->nch; i++)
		if (w->c[i].ch == ch)
			return i;
	return -1;
}

static void client_fill(struct world *w, int i)
{
	struct chan_state *c = &w->c[i];
	while (c->open && !c->closed && c->sent < w->total && c->sent - c->echoed < w->window) {
		w->buf[0] = (uint8_t)c->sent;
		w->buf[1] = (uint8_t)(c->sent >> 8);
		for (size_t k = 2; k < w->sdu; k++)
			w->buf[k] = pat(c->sent, k, i);
		int r = l2k_chan_send(c->ch, w->buf, w->sdu);
		if (r == L2K_EAGAIN)
			return; /* send_ready follows */
		assert_int_equal(r, 0);
		c->sent++;
	}
}

static void c_open(void *u, l2k_chan *ch)
{
	struct world *w = u;
	int i = client_index(w, ch);
	assert_true(i >= 0);
	w->c[i].open = true;
	client_fill(w, i);
}

static void c_recv(void *u, l2k_chan *ch, const uint8_t *p, size_t n)
{
	struct world *w = u;
	int i = client_index(w, ch);
	assert_true(i >= 0);
	struct chan_state *c = &w->c[i];
	uint32_t seq = (uint32_t)p[0] | (uint32_t)p[1] << 8;
	if (n != w->sdu || seq != (c->echoed & 0xFFFF))
		c->bad++;
	else
		for (size_t k = 2; k < n; k++)
			if (p[k] != pat(c->echoed, k, i)) {
				c->bad++;
				break;
			}
	c->echoed++;
	c->echoed_bytes += n;
	if (c->echoed == w->total) {
		c->t_done = w->vc.now_ms;
		if (!w->t_first_done) {
			w->t_first_done = w->vc.now_ms;
			for (int k = 0; k < w->nch; k++)
				w->c[k].bytes_at_first_done = w->c[k].echoed_bytes;
		}
	}
	client_fill(w, i);
}

static void c_ready(void *u, l2k_chan *ch)
{
	struct world *w = u;
	int i = client_index(w, ch);
	if (i >= 0)
		client_fill(w, i);
}

static void c_closed(void *u, l2k_chan *ch, enum l2k_close_reason r)
{
	struct world *w = u;
	int i = client_index(w, ch);
	if (i >= 0) {
		w->c[i].closed = true;
		w->c[i].reason = r;
		w->c[i].ch = NULL;
	}
}

static struct chan_state *server_of(struct world *w, l2k_chan *ch)
{
	for (int i = 0; i < w->s_n; i++)
		if (w->s[i].ch == ch)
			return &w->s[i];
	return NULL;
}

static void server_flush(struct chan_state *s)
{
	while (s->qn && !s->closed) {
		struct echo_q *e = &s->q[s->qh];
		int r = l2k_chan_send(s->ch, e->p, e->n);
		if (r == L2K_EAGAIN)
			return;
		assert_int_equal(r, 0);
		free(e->p);
		s->qh = (s->qh + 1) % 64;
		s->qn--;
		s->echoes_sent++;
	}
}

static void s_open(void *u, l2k_chan *ch)
{
	struct world *w = u;
	assert_true(w->s_n < MAXCH);
	w->s[w->s_n].ch = ch;
	w->s[w->s_n++].open = true;
}

static void s_recv(void *u, l2k_chan *ch, const uint8_t *p, size_t n)
{
	struct chan_state *s = server_of(u, ch);
	assert_non_null(s);
	assert_true(s->qn < 64);
	struct echo_q *e = &s->q[(s->qh + s->qn) % 64];
	e->p = malloc(n ? n : 1);
	assert_non_null(e->p);
	memcpy(e->p, p, n);
	e->n = n;
	s->qn++;
	server_flush(s);
}

static void s_ready(void *u, l2k_chan *ch)
{
	struct chan_state *s = server_of(u, ch);
	if (s)
		server_flush(s);
}

static void s_closed(void *u, l2k_chan *ch, enum l2k_close_reason r)
{
	struct chan_state *s = server_of(u, ch);
	if (s) {
		s->closed = true;
		while (s->qn) {
			free(s->q[s->qh].p);
			s->qh = (s->qh + 1) % 64;
			s->qn--;
		}
	}
}

static int s_accept(void *u, const struct l2k_conn_request *rq, struct l2k_chan_opts *o, struct l2k_chan_cbs *cb)
{
	cb->user = u;
	cb->open = s_open;
	cb->recv = s_recv;
	cb->send_ready = s_ready;
	cb->closed = s_closed;
	return 0;
}

static void on_ready(void *u, int err)
{
	assert_int_equal(err, 0);
	((struct world *)u)->ready++;
}

static bool c_ready2(void *a)
{
	return ((struct world *)a)->ready >= 2;
}

static bool c_all_open(void *a)
{
	struct world *w = a;
	for (int i = 0; i < w->nch; i++)
		if (!w->c[i].open && !w->c[i].closed)
			return false;
	return w->s_n >= w->nch;
}

static bool c_all_done(void *a)
{
	struct world *w = a;
	for (int i = 0; i < w->nch; i++)
		if (w->c[i].closed || w->c[i].echoed < w->total)
			return w->c[i].closed; /* a close ends the run (and fails it) */
	return true;
}

static void world_up(struct world *w, const char *type, const char *profile)
{
	static int n_air;
	memset(w, 0, sizeof(*w));
	char spec[128], err[256];
	struct l2k_stack_cbs cbs = {.user = w, .ready = on_ready};
	struct l2k_stack_opts so = {.clock = l2k_vclock_now, .clock_arg = &w->vc};
	n_air++;
	for (int i = 0; i < 2; i++) {
		snprintf(spec, sizeof(spec), "sim:air=link-share-%d,type=%s,profile=%s", n_air, type, profile);
		int r = l2k_stack_open(spec, &so, &cbs, &w->st[i], err, sizeof(err));
		if (r < 0)
			fail_msg("open %s: %s", spec, err);
	}
	assert_int_equal(l2k_sim_run_until(w->st, 2, &w->vc, c_ready2, w, 10000), 0);
	struct l2k_controller_info ib;
	l2k_controller_info(w->st[1], &ib);
	w->addr_b = ib.addr;
	if (!strcmp(type, "le"))
		assert_int_equal(l2k_le_advertise(w->st[1], true, NULL, 0), 0);
	w->buf = malloc(65536);
	assert_non_null(w->buf);
}

static void world_down(struct world *w)
{
	for (int i = 0; i < w->s_n; i++)
		while (w->s[i].qn) {
			free(w->s[i].q[w->s[i].qh].p);
			w->s[i].qh = (w->s[i].qh + 1) % 64;
			w->s[i].qn--;
		}
	for (int i = 0; i < 2; i++)
		l2k_stack_close(w->st[i]);
	free(w->buf);
}

struct chan_kind {
	enum l2k_mode mode;
	int n;
};

/* Open the channels (kinds in order), run the echo transfer, check that every channel finished
 * intact and return the fairness figure: max/min bytes echoed per channel from the moment the
 * last channel opened until the first one finished. */
static double run_share(struct world *w, bool le, const struct chan_kind *kinds, int nkinds)
{
	struct l2k_chan_opts o;
	struct l2k_server_cbs sc = {.user = w, .accept = s_accept};
	struct l2k_chan_cbs cc = {.user = w, .open = c_open, .recv = c_recv, .send_ready = c_ready,
				  .closed = c_closed};
	for (int k = 0; k < nkinds; k++) {
		l2k_chan_opts_default(&o);
		o.mode = kinds[k].mode;
		o.mode_required = true;
		o.mtu = (uint16_t)(w->sdu + 8);
		uint16_t psm = le ? (kinds[k].mode == L2K_MODE_ECFC ? SPSM_LE : SPSM_LE_CREDIT)
				  : (kinds[k].mode == L2K_MODE_ECFC ? PSM_BR
				     : kinds[k].mode == L2K_MODE_BASIC ? PSM_BASIC : PSM_ERTM);
		int r = l2k_server_add(w->st[1], psm, le, &o, &sc, NULL);
		assert_true(r == 0 || r == L2K_EADDRINUSE);
		enum l2k_addr_type at = le ? L2K_ADDR_LE_PUBLIC : L2K_ADDR_BREDR;
		if (kinds[k].mode == L2K_MODE_ECFC) {
			l2k_chan *out[5];
			assert_int_equal(l2k_chan_connect_ecfc(w->st[0], &w->addr_b, at, psm, kinds[k].n, &o, &cc, out), 0);
			for (int i = 0; i < kinds[k].n; i++)
				w->c[w->nch++].ch = out[i];
		} else {
			for (int i = 0; i < kinds[k].n; i++) {
				assert_int_equal(l2k_chan_connect(w->st[0], &w->addr_b, at, psm, &o, &cc, &w->c[w->nch].ch), 0);
				w->nch++;
			}
		}
	}
	uint64_t t_start = w->vc.now_ms;
	assert_int_equal(l2k_sim_run_until(w->st, 2, &w->vc, c_all_open, w, 60000), 0);
	for (int i = 0; i < w->nch; i++)
		assert_true(w->c[i].open && !w->c[i].closed);
	w->t_open = w->vc.now_ms;
	for (int i = 0; i < w->nch; i++)
		w->c[i].bytes_at_open = w->c[i].echoed_bytes;
	int r = l2k_sim_run_until(w->st, 2, &w->vc, c_all_done, w, 600000);
	print_message("  all open after %.2f s, all done after %.2f s\n", (double)(w->t_open - t_start) / 1000,
		      (double)(w->vc.now_ms - t_start) / 1000);
	double min = 1e18, max = 0;
	for (int i = 0; i < w->nch; i++) {
		struct chan_state *c = &w->c[i];
		double b = (double)(c->bytes_at_first_done - c->bytes_at_open);
		print_message("  channel %d: %u/%u echoed, %.1f s, %.0f bytes while all ran\n", i, c->echoed,
			      w->total, c->t_done ? (double)(c->t_done - w->t_open) / 1000 : -1.0, b);
		assert_false(c->closed);
		assert_int_equal(c->bad, 0);
		assert_int_equal(c->echoed, w->total);
		if (b < min)
			min = b;
		if (b > max)
			max = b;
	}
	assert_int_equal(r, 0);
	assert_true(min > 0);
	/* the later channels' signaling is not stuck behind the first ones' data */
	assert_true(w->t_open - t_start < 1000);
	return max / min;
}

static void share_bredr(const char *profile, size_t sdu, uint32_t total, const struct chan_kind *kinds,
			int nkinds)
{
	struct world w;
	world_up(&w, "bredr", profile);
	w.sdu = sdu;
	w.total = total;
	w.window = 6; /* l2cat's --verify window for 10000-octet SDUs */
	double f = run_share(&w, false, kinds, nkinds);
	print_message("  %s: fairness max/min %.2f\n", profile, f);
	assert_true(f < 1.3);
	world_down(&w);
}

/* The outside tester's case: five ECFC channels of 10000-octet SDUs (ten ACL packets each). */
static void test_five_ecfc_channels_all_finish_3dh5(void **st)
{
	struct chan_kind kinds[] = {{L2K_MODE_ECFC, 5}};
	share_bredr("bredr-3dh5", 10000, 100, kinds, 1);
}

/* Credit based and I-frame channels (and a Basic one) of 3000-octet SDUs: K-frames of 3000
 * octets and I-frames of one ACL packet share the link by octets. */
static const struct chan_kind mixed[] = {{L2K_MODE_ECFC, 3}, {L2K_MODE_ERTM, 3}, {L2K_MODE_BASIC, 1}};

static void test_mixed_channels_share_a_bredr_link_3dh5(void **st)
{
	share_bredr("bredr-3dh5", 3000, 40, mixed, 3);
}

static void test_mixed_channels_share_a_bredr_link_dh5(void **st)
{
	share_bredr("bredr-dh5", 3000, 40, mixed, 3);
}

static void test_credit_channels_share_an_le_link(void **st)
{
	struct world w;
	world_up(&w, "le", "le-1m");
	w.sdu = 600; /* three LE ACL packets of 251 octets */
	w.total = 30;
	w.window = 4;
	struct chan_kind kinds[] = {{L2K_MODE_ECFC, 5}, {L2K_MODE_LE_CREDIT, 2}};
	double f = run_share(&w, true, kinds, 2);
	print_message("  le-1m: fairness max/min %.2f\n", f);
	assert_true(f < 1.3);
	world_down(&w);
}

/* ---- signaling through a full link --------------------------------------------------------- */

static const uint8_t basic_opts_mtu[] = {0x01, 0x02, 0xA0, 0x02}; /* MTU 672 */

/* The IUT's application fills a Basic channel until the link refuses more (its data queue and the
 * controller's buffers are full); the tester then sends signaling that needs answers. */
static void fill_link(struct tester *t, l2k_chan *ch)
{
	static uint8_t sdu[600];
	int n = 0;
	while (l2k_chan_send(ch, sdu, sizeof(sdu)) == 0)
		n++;
	assert_true(n > 100); /* the channel queue took what the link could not */
	assert_true(hci_host_acl_blocked(t->iut->hci, t->iut_handle));
}

static void test_signaling_answers_pass_a_full_link(void **st)
{
	struct tester t;
	struct tester_opts to = {.acl_mtu = 339, .acl_count = 2};
	assert_int_equal(tester_setup(&t, &to), 0);
	struct tester_rec r = {0};
	assert_int_equal(tester_server(&t, PSM_BASIC, false, NULL, &r), 0);
	uint16_t icid;
	assert_int_equal(tester_open_bredr(&t, PSM_BASIC, 0x0040, basic_opts_mtu, sizeof(basic_opts_mtu), &icid), 0);
	assert_true(tester_wait_open(&t, &r, 1, 1000));
	fill_link(&t, r.ch);
	tester_flush(&t);

	/* An Echo Request: the response comes before the queued data has gone (the data queue
	 * holds far more than the few PDUs that may still be in front of it). */
	static const uint8_t echo[] = {'p', 'i', 'n', 'g'};
	uint8_t id = tester_ident(&t);
	assert_int_equal(tester_send_sig(&t, 0x08, id, echo, sizeof(echo)), 0);
	const struct tester_pdu *p = tester_expect_sig(&t, 0x09, 2000);
	assert_non_null(p);
	assert_int_equal(p->data[1], id);
	assert_true(hci_host_acl_pending(t.iut->hci, t.iut_handle) > 20); /* data still queued */

	/* A second channel opens and configures while the first one's data waits. */
	tester_flush(&t);
	uint8_t req[4];
	t_put16(req, PSM_BASIC);
	t_put16(req + 2, 0x0041);
	id = tester_ident(&t);
	assert_int_equal(tester_send_sig(&t, 0x02, id, req, sizeof(req)), 0);
	p = tester_expect_sig(&t, 0x03, 2000);
	assert_non_null(p);
	assert_int_equal(t_get16(p->data + 4 + 4), 0x0000); /* result: success */
	uint16_t icid2 = t_get16(p->data + 4);
	p = tester_expect_sig(&t, 0x04, 2000); /* the IUT's Configuration Request */
	assert_non_null(p);
	uint8_t cid_id = p->data[1];
	uint8_t rsp[6];
	t_put16(rsp, icid2);
	t_put16(rsp + 2, 0);
	t_put16(rsp + 4, 0);
	assert_int_equal(tester_send_sig(&t, 0x05, cid_id, rsp, sizeof(rsp)), 0);
	uint8_t creq[4 + sizeof(basic_opts_mtu)];
	t_put16(creq, icid2);
	t_put16(creq + 2, 0);
	memcpy(creq + 4, basic_opts_mtu, sizeof(basic_opts_mtu));
	id = tester_ident(&t);
	assert_int_equal(tester_send_sig(&t, 0x04, id, creq, sizeof(creq)), 0);
	p = tester_expect_sig(&t, 0x05, 2000); /* its Configuration Response */
	assert_non_null(p);
	assert_int_equal(p->data[1], id);
	assert_true(tester_wait_open(&t, &r, 2, 1000));
	assert_true(hci_host_acl_pending(t.iut->hci, t.iut_handle) > 20);
	assert_int_equal(l2cap_engine_of(t.iut)->sig_dropped, 0);
	tester_teardown(&t);
}

/* Our Disconnection Request goes after the channel's data already queued on the link: the peer
 * gets every SDU sent before l2k_chan_close, then the request. */
static void test_disconnection_request_follows_the_queued_data(void **st)
{
	struct tester t;
	struct tester_opts to = {.acl_mtu = 339, .acl_count = 2};
	assert_int_equal(tester_setup(&t, &to), 0);
	struct tester_rec r = {0};
	assert_int_equal(tester_server(&t, PSM_BASIC, false, NULL, &r), 0);
	uint16_t icid;
	assert_int_equal(tester_open_bredr(&t, PSM_BASIC, 0x0040, basic_opts_mtu, sizeof(basic_opts_mtu), &icid), 0);
	assert_true(tester_wait_open(&t, &r, 1, 1000));
	static uint8_t sdu[600];
	int n = 0;
	/* as much as the link takes now: the channel's own queue keeps nothing back */
	while (l2k_chan_send_room(r.ch) && hci_host_acl_room(t.iut->hci, t.iut_handle) > 2 * sizeof(sdu) &&
	       l2k_chan_send(r.ch, sdu, sizeof(sdu)) == 0)
		n++;
	assert_true(n > 20);
	tester_flush(&t);
	assert_int_equal(l2k_chan_close(r.ch), 0);
	int data = 0;
	for (;;) {
		const struct tester_pdu *p = tester_next(&t, 5000);
		assert_non_null(p);
		if (p->cid == 0x0040) {
			data++;
			continue;
		}
		assert_int_equal(p->cid, 0x0001);
		assert_int_equal(p->data[0], 0x06); /* Disconnection Request, after all of the data */
		break;
	}
	assert_int_equal(data, n);
	tester_teardown(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_five_ecfc_channels_all_finish_3dh5),
	    cmocka_unit_test(test_mixed_channels_share_a_bredr_link_3dh5),
	    cmocka_unit_test(test_mixed_channels_share_a_bredr_link_dh5),
	    cmocka_unit_test(test_credit_channels_share_an_le_link),
	    cmocka_unit_test(test_signaling_answers_pass_a_full_link),
	    cmocka_unit_test(test_disconnection_request_follows_the_queued_data),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
