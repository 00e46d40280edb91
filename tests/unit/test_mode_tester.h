/* Helpers for the mode conformance tests (test_mode_*.c, test_conf_*.c): the tester side of an
 * I-frame channel on top of tests/common/tester.h.  The tester builds every frame byte by byte
 * with the codecs of core/l2cap_frame.h (FCS included) and decodes every frame the IUT sends,
 * checking its FCS.  Header-only (static functions). */
#ifndef TEST_MODE_TESTER_H
#define TEST_MODE_TESTER_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/l2cap_conf.h"
#include "core/l2cap_frame.h"
#include "tests/common/tester.h"

#define MT_PSM 0x1001
#define MT_TCID 0x0041
#define MT_FEAT_ALL (L2CAP_FEAT_FLOW_CONTROL | L2CAP_FEAT_RETRANSMISSION | L2CAP_FEAT_ERTM | \
		     L2CAP_FEAT_STREAMING | L2CAP_FEAT_FCS | L2CAP_FEAT_EXT_FLOW_SPEC |       \
		     L2CAP_FEAT_FIXED_CHANNELS | L2CAP_FEAT_EXT_WINDOW)

struct mt {
	struct tester t;
	struct tester_rec r;
	l2k_chan *ch;	/* the IUT's channel */
	uint16_t icid;	/* its CID */
	uint16_t tcid;	/* the tester's CID */
	enum l2cap_ctrl_fmt fmt;
	int fcs;
	struct l2cap_conf_opts iut_req; /* the IUT's last Configuration Request */
	uint8_t iut_req_id;
};

static inline void mt_setup(struct mt *m)
{
	memset(m, 0, sizeof(*m));
	assert_int_equal(tester_setup(&m->t, &(struct tester_opts){.le = false}), 0);
	m->tcid = MT_TCID;
	m->fmt = L2CAP_CTRL_ENHANCED;
	m->fcs = 1;
}

static inline void mt_teardown(struct mt *m)
{
	tester_teardown(&m->t);
}

/* ---- signaling -------------------------------------------------------------------------------- */

static inline size_t mt_opts(uint8_t *buf, size_t cap, const struct l2cap_conf_opts *o)
{
	int n = l2cap_conf_build(buf, cap, o);
	assert_true(n >= 0);
	return (size_t)n;
}

/* The IUT connects to MT_PSM with o; the tester answers the information exchange with feat
 * and accepts the connection.  Returns when the connection response is out. */
static inline void mt_iut_connect_start(struct mt *m, const struct l2k_chan_opts *o, uint32_t feat)
{
	struct l2k_chan_cbs cb = tester_rec_cbs(&m->r);
	assert_int_equal(l2k_chan_connect(m->t.iut, &m->t.tst_addr, L2K_ADDR_BREDR, MT_PSM, o, &cb, &m->ch), 0);
	assert_int_equal(tester_answer_info(&m->t, feat, 0x86), 0);
	const struct tester_pdu *p = tester_expect_sig(&m->t, 0x02, 5000);
	if (!p)
		return; /* the caller checks what happened (CMC/BV-12: no request at all) */
	m->icid = t_get16(p->data + 6);
	uint8_t rsp[8];
	t_put16(rsp, m->tcid);
	t_put16(rsp + 2, m->icid);
	t_put16(rsp + 4, 0);
	t_put16(rsp + 6, 0);
	tester_send_sig(&m->t, 0x03, p->data[1], rsp, 8);
}

/* The tester connects to the IUT's server on MT_PSM (added by the caller). */
static inline void mt_tester_connect_start(struct mt *m)
{
	uint8_t rq[4];
	t_put16(rq, MT_PSM);
	t_put16(rq + 2, m->tcid);
	uint8_t id = tester_ident(&m->t);
	tester_send_sig(&m->t, 0x02, id, rq, 4);
	const struct tester_pdu *p = tester_expect_sig(&m->t, 0x03, 5000);
	assert_non_null(p);
	assert_int_equal(t_get16(p->data + 8), 0);
	m->icid = t_get16(p->data + 4);
}

/* As mt_tester_connect_start for an IUT server in a mode other than Basic: after accepting,
 * the IUT learns the tester's features before it proposes its mode (7.1, CMC/BV-01); the
 * tester answers with feat. */
static inline void mt_tester_connect_start_feat(struct mt *m, uint32_t feat)
{
	mt_tester_connect_start(m);
	assert_int_equal(tester_answer_info(&m->t, feat, 0x86), 0);
}

/* Next Configuration Request from the IUT: parsed into m->iut_req. */
static inline bool mt_expect_conf_req(struct mt *m)
{
	const struct tester_pdu *p = tester_expect_sig(&m->t, 0x04, 5000);
	if (!p || p->len < 8)
		return false;
	assert_int_equal(t_get16(p->data + 4), m->tcid);
	m->iut_req_id = p->data[1];
	assert_int_equal(l2cap_conf_parse(p->data + 8, p->len - 8, &m->iut_req), 0);
	return true;
}

static inline void mt_send_conf_rsp(struct mt *m, uint16_t result, const struct l2cap_conf_opts *o)
{
	uint8_t d[6 + 80];
	t_put16(d, m->icid);
	t_put16(d + 2, 0);
	t_put16(d + 4, result);
	size_t n = o ? mt_opts(d + 6, 80, o) : 0;
	tester_send_sig(&m->t, 0x05, m->iut_req_id, d, 6 + n);
}

/* Send the tester's Configuration Request; returns its identifier. */
static inline uint8_t mt_send_conf_req(struct mt *m, const struct l2cap_conf_opts *o)
{
	uint8_t d[4 + 80];
	t_put16(d, m->icid);
	t_put16(d + 2, 0);
	size_t n = o ? mt_opts(d + 4, 80, o) : 0;
	uint8_t id = tester_ident(&m->t);
	tester_send_sig(&m->t, 0x04, id, d, 4 + n);
	return id;
}

/* The IUT's answer to our request: result, options in *o. */
static inline uint16_t mt_expect_conf_rsp(struct mt *m, uint8_t id, struct l2cap_conf_opts *o)
{
	const struct tester_pdu *p = tester_expect_sig(&m->t, 0x05, 5000);
	assert_non_null(p);
	assert_int_equal(p->data[1], id);
	assert_int_equal(t_get16(p->data + 4), m->tcid);
	uint16_t result = t_get16(p->data + 8);
	struct l2cap_conf_opts tmp;
	assert_int_equal(l2cap_conf_parse(p->data + 10, p->len - 10, o ? o : &tmp), 0);
	return result;
}

/* An RFC option for mode with window, max_transmit, mps (timeouts 0). */
static inline struct l2cap_conf_opts mt_rfc(uint8_t mode, uint8_t win, uint8_t maxtx, uint16_t mps)
{
	struct l2cap_conf_opts o;
	l2cap_conf_opts_clear(&o);
	o.present = L2CAP_CONF_HAS_RFC;
	o.rfc.mode = mode;
	o.rfc.tx_window = win;
	o.rfc.max_transmit = maxtx;
	o.rfc.mps = mps;
	if (mode == L2CAP_MODE_ERTM) {
		o.rfc.retrans_timeout = 2000;
		o.rfc.monitor_timeout = 12000;
	}
	return o;
}

/* A whole channel in a mode: the IUT connects with o (mode etc.), the tester accepts the IUT's
 * request echoing its RFC (with the ERTM timeouts) and sends its own request topt.  Asserts
 * the channel opened; m->fmt / m->fcs follow what was agreed (the caller sets m->fcs = 0 when
 * both sides asked for no FCS). */
static inline void mt_open_iut(struct mt *m, const struct l2k_chan_opts *o, uint32_t feat,
			       const struct l2cap_conf_opts *topt)
{
	mt_iut_connect_start(m, o, feat);
	assert_true(mt_expect_conf_req(m));
	struct l2cap_conf_opts rsp;
	l2cap_conf_opts_clear(&rsp);
	if (m->iut_req.present & L2CAP_CONF_HAS_RFC) {
		rsp.present = L2CAP_CONF_HAS_RFC;
		rsp.rfc = m->iut_req.rfc;
		if (rsp.rfc.mode == L2CAP_MODE_ERTM) {
			rsp.rfc.retrans_timeout = 2000;
			rsp.rfc.monitor_timeout = 12000;
		}
	}
	mt_send_conf_rsp(m, 0, &rsp);
	uint8_t id = mt_send_conf_req(m, topt);
	assert_int_equal(mt_expect_conf_rsp(m, id, NULL), 0);
	tester_run(&m->t, 5);
	assert_int_equal(m->r.opened, 1);
	if ((m->iut_req.present & L2CAP_CONF_HAS_EWS) || (topt && (topt->present & L2CAP_CONF_HAS_EWS)))
		m->fmt = L2CAP_CTRL_EXTENDED;
}

/* ---- frames ------------------------------------------------------------------------------------ */

static inline void mt_send_frame(struct mt *m, const struct l2cap_eframe *e)
{
	uint8_t buf[4 + 4 + 2 + 2048 + 2];
	struct l2cap_eframe c = *e;
	c.cid = m->icid;
	size_t n = l2cap_eframe_build(m->fmt, m->fcs, buf, sizeof(buf), &c);
	assert_true(n >= 4);
	assert_int_equal(tester_send(&m->t, m->icid, buf + 4, n - 4), 0);
}

static inline void mt_send_i(struct mt *m, uint16_t txseq, uint16_t reqseq, uint8_t f, uint8_t sar,
			     uint16_t sdu_len, const uint8_t *p, size_t n)
{
	struct l2cap_eframe e = {.ctrl = {.type = L2CAP_FRAME_I, .txseq = txseq, .reqseq = reqseq, .sar = sar},
				 .sdu_len = sdu_len, .payload = p, .payload_len = (uint16_t)n};
	if (m->fmt == L2CAP_CTRL_STANDARD)
		e.ctrl.r = f;
	else
		e.ctrl.f = f;
	mt_send_frame(m, &e);
}

static inline void mt_send_s(struct mt *m, uint8_t sfunc, uint16_t reqseq, uint8_t p, uint8_t f)
{
	struct l2cap_eframe e = {.ctrl = {.type = L2CAP_FRAME_S, .sfunc = sfunc, .reqseq = reqseq}};
	if (m->fmt == L2CAP_CTRL_STANDARD)
		e.ctrl.r = f;
	else {
		e.ctrl.p = p;
		e.ctrl.f = f;
	}
	mt_send_frame(m, &e);
}

/* Next frame on the channel from the IUT within ms (signaling is skipped): decoded with its
 * FCS checked.  false when none came. */
static inline bool mt_recv(struct mt *m, uint64_t ms, struct l2cap_eframe *e)
{
	const struct tester_pdu *p = tester_next_on(&m->t, m->tcid, ms);
	if (!p)
		return false;
	static uint8_t buf[4 + 65535];
	t_put16(buf, (uint16_t)p->len);
	t_put16(buf + 2, m->tcid);
	memcpy(buf + 4, p->data, p->len);
	int r = l2cap_eframe_parse(m->fmt, m->fcs, buf, p->len + 4, e);
	if (r)
		fprintf(stderr, "frame from the IUT does not parse (%d), %zu octets\n", r, p->len);
	assert_int_equal(r, 0);
	return true;
}

/* Expect an S-frame with these fields within ms. */
static inline void mt_expect_s(struct mt *m, uint64_t ms, uint8_t sfunc, uint16_t reqseq, uint8_t p,
			       uint8_t f)
{
	struct l2cap_eframe e;
	assert_true(mt_recv(m, ms, &e));
	if (e.ctrl.type != L2CAP_FRAME_S || e.ctrl.sfunc != sfunc || e.ctrl.reqseq != reqseq || e.ctrl.p != p)
		fprintf(stderr, "want S %u reqseq %u p %u f %u; got type %u S %u txseq %u reqseq %u p %u f %u r %u\n",
			sfunc, reqseq, p, f, e.ctrl.type, e.ctrl.sfunc, e.ctrl.txseq, e.ctrl.reqseq, e.ctrl.p,
			e.ctrl.f, e.ctrl.r);
	assert_int_equal(e.ctrl.type, L2CAP_FRAME_S);
	assert_int_equal(e.ctrl.sfunc, sfunc);
	assert_int_equal(e.ctrl.reqseq, reqseq);
	assert_int_equal(e.ctrl.p, p);
	if (m->fmt == L2CAP_CTRL_STANDARD)
		assert_int_equal(e.ctrl.r, f);
	else
		assert_int_equal(e.ctrl.f, f);
}

/* Expect an I-frame with TxSeq txseq within ms; *e gets it. */
static inline void mt_expect_i(struct mt *m, uint64_t ms, uint16_t txseq, struct l2cap_eframe *e)
{
	assert_true(mt_recv(m, ms, e));
	assert_int_equal(e->ctrl.type, L2CAP_FRAME_I);
	assert_int_equal(e->ctrl.txseq, txseq);
}

/* The payload of SDU k of a test (n octets). */
static inline void mt_pattern(uint8_t *p, size_t n, unsigned k)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(k * 17 + i * 3 + 1);
}

#endif
