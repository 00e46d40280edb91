/* Configuration of the I-frame modes (L2CAP.TS CMC, FOC, EWC, EXF and the RFC/EFS/EWS rules of
 * Vol 3 Part A 5.4-5.7, 7.1): every Configuration Request and Response l2kit sends is decoded
 * and checked by the tester. */
#include "tests/unit/test_mode_tester.h"

static int setup(void **state)
{
	struct mt *m = calloc(1, sizeof(*m));
	mt_setup(m);
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	mt_teardown(*state);
	free(*state);
	return 0;
}

static struct l2k_chan_opts mode_opts(enum l2k_mode mode, bool required)
{
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mode = mode;
	o.mode_required = required;
	return o;
}

static struct l2cap_conf_opts none(void)
{
	struct l2cap_conf_opts o;
	l2cap_conf_opts_clear(&o);
	return o;
}

static bool asks_mode(const struct mt *m, uint8_t mode)
{
	if (mode == L2CAP_MODE_BASIC)
		return !(m->iut_req.present & L2CAP_CONF_HAS_RFC) || m->iut_req.rfc.mode == 0;
	return (m->iut_req.present & L2CAP_CONF_HAS_RFC) && m->iut_req.rfc.mode == mode;
}

/* Accept the IUT's current request (echoing its RFC with ERTM timeouts). */
static void accept_iut(struct mt *m)
{
	struct l2cap_conf_opts r = none();
	if (m->iut_req.present & L2CAP_CONF_HAS_RFC) {
		r.present = L2CAP_CONF_HAS_RFC;
		r.rfc = m->iut_req.rfc;
		if (r.rfc.mode == L2CAP_MODE_ERTM) {
			r.rfc.retrans_timeout = 2000;
			r.rfc.monitor_timeout = 12000;
		}
	}
	mt_send_conf_rsp(m, 0, &r);
}

static enum l2k_mode opened_mode(struct mt *m)
{
	tester_run(&m->t, 20);
	assert_int_equal(m->r.opened, 1);
	struct l2k_chan_info ci;
	l2k_chan_get_info(m->r.ch ? m->r.ch : m->ch, &ci);
	return ci.mode;
}

static void expect_disconnect(struct mt *m)
{
	const struct tester_pdu *p = tester_expect_sig(&m->t, 0x06, 2000);
	assert_non_null(p);
	uint8_t rsp[4];
	memcpy(rsp, p->data + 4, 4);
	tester_send_sig(&m->t, 0x07, p->data[1], rsp, 4);
	tester_run(&m->t, 20);
	assert_int_equal(m->r.closed, 1);
	assert_int_equal(m->r.opened, 0);
}

/* ---- CMC ------------------------------------------------------------------------------------ */

/* L2CAP/CMC/BV-01-C, BV-02-C (ERTM) and BV-04-C, BV-05-C (Streaming): on a channel the tester
 * opens, the IUT proposes its mode and accepts the tester's request for it */
static void acceptor_mode(struct mt *m, enum l2k_mode mode)
{
	struct l2k_chan_opts o = mode_opts(mode, false);
	assert_int_equal(tester_server(&m->t, MT_PSM, false, &o, &m->r), 0);
	mt_tester_connect_start_feat(m, MT_FEAT_ALL); /* "after learning the peer supports it" */
	assert_true(mt_expect_conf_req(m));
	assert_true(asks_mode(m, (uint8_t)mode));
	accept_iut(m);
	struct l2cap_conf_opts t = mt_rfc((uint8_t)mode, 10, 3, 500);
	uint8_t id = mt_send_conf_req(m, &t);
	struct l2cap_conf_opts r;
	assert_int_equal(mt_expect_conf_rsp(m, id, &r), 0);
	assert_true(r.present & L2CAP_CONF_HAS_RFC);
	assert_int_equal(r.rfc.mode, mode);
	assert_int_equal(r.rfc.mps, 500);
	if (mode == L2K_MODE_ERTM) {
		/* the timeouts for the tester's transmitter come in the response, fitted to the link
		 * (docs/modes.md "Loss", tests/unit/test_ertm_recovery.c): at most 2 s, and for its
		 * MaxTransmit 3 a monitor time-out of 12 s / 3 */
		assert_true(r.rfc.retrans_timeout >= 100 && r.rfc.retrans_timeout <= 2000);
		assert_int_equal(r.rfc.monitor_timeout, 4000);
	}
	assert_int_equal(opened_mode(m), mode);
}

static void cmc_bv01_bv02_acceptor_ertm(void **state)
{
	acceptor_mode(*state, L2K_MODE_ERTM);
}

static void cmc_bv04_bv05_acceptor_streaming(void **state)
{
	acceptor_mode(*state, L2K_MODE_STREAMING);
}

/* L2CAP/CMC/BV-03-C, BV-06-C: optional mode refused by the tester: renegotiate to Basic */
static void refused_to_basic(struct mt *m, enum l2k_mode mode)
{
	struct l2k_chan_opts o = mode_opts(mode, false);
	mt_iut_connect_start(m, &o, MT_FEAT_ALL);
	assert_true(mt_expect_conf_req(m));
	assert_true(asks_mode(m, (uint8_t)mode));
	struct l2cap_conf_opts r = mt_rfc(L2CAP_MODE_BASIC, 0, 0, 0);
	mt_send_conf_rsp(m, L2CAP_CONF_UNACCEPTABLE, &r);
	assert_true(mt_expect_conf_req(m));
	assert_true(asks_mode(m, L2CAP_MODE_BASIC));
	accept_iut(m);
	struct l2cap_conf_opts t = none();
	assert_int_equal(mt_expect_conf_rsp(m, mt_send_conf_req(m, &t), NULL), 0);
	assert_int_equal(opened_mode(m), L2K_MODE_BASIC);
}

static void cmc_bv03_ertm_refused(void **state)
{
	refused_to_basic(*state, L2K_MODE_ERTM);
}

static void cmc_bv06_streaming_refused(void **state)
{
	refused_to_basic(*state, L2K_MODE_STREAMING);
}

/* L2CAP/CMC/BV-07-C, BV-08-C: the IUT asked for its optional mode, the tester asks for Basic:
 * the IUT settles on Basic (and asks again in Basic once its first request is answered) */
static void peer_asks_basic(struct mt *m, enum l2k_mode mode)
{
	struct l2k_chan_opts o = mode_opts(mode, false);
	mt_iut_connect_start(m, &o, MT_FEAT_ALL);
	assert_true(mt_expect_conf_req(m));
	assert_true(asks_mode(m, (uint8_t)mode));
	uint8_t first = m->iut_req_id;
	struct l2cap_conf_opts t = none();
	assert_int_equal(mt_expect_conf_rsp(m, mt_send_conf_req(m, &t), NULL), 0);
	m->iut_req_id = first;
	accept_iut(m); /* accepted, but in a mode the IUT left */
	assert_true(mt_expect_conf_req(m));
	assert_true(asks_mode(m, L2CAP_MODE_BASIC));
	accept_iut(m);
	assert_int_equal(opened_mode(m), L2K_MODE_BASIC);
}

static void cmc_bv07_ertm_peer_basic(void **state)
{
	peer_asks_basic(*state, L2K_MODE_ERTM);
}

static void cmc_bv08_streaming_peer_basic(void **state)
{
	peer_asks_basic(*state, L2K_MODE_STREAMING);
}

/* L2CAP/CMC/BV-09-C: the IUT prefers Basic: it refuses ERTM and ends in Basic */
static void cmc_bv09_prefers_basic(void **state)
{
	struct mt *m = *state;
	struct l2k_chan_opts o = mode_opts(L2K_MODE_BASIC, false);
	assert_int_equal(tester_server(&m->t, MT_PSM, false, &o, &m->r), 0);
	mt_tester_connect_start(m);
	assert_true(mt_expect_conf_req(m));
	assert_true(asks_mode(m, L2CAP_MODE_BASIC));
	accept_iut(m);
	struct l2cap_conf_opts t = mt_rfc(L2CAP_MODE_ERTM, 10, 3, 500), r;
	assert_int_equal(mt_expect_conf_rsp(m, mt_send_conf_req(m, &t), &r), L2CAP_CONF_UNACCEPTABLE);
	assert_true(r.present & L2CAP_CONF_HAS_RFC);
	assert_int_equal(r.rfc.mode, L2CAP_MODE_BASIC);
	t = none();
	assert_int_equal(mt_expect_conf_rsp(m, mt_send_conf_req(m, &t), NULL), 0);
	assert_int_equal(opened_mode(m), L2K_MODE_BASIC);
}

/* L2CAP/CMC/BV-10-C, BV-11-C: optional mode, the peer's features lack it: Basic asked at once */
static void peer_lacks(struct mt *m, enum l2k_mode mode)
{
	struct l2k_chan_opts o = mode_opts(mode, false);
	mt_iut_connect_start(m, &o, L2CAP_FEAT_FIXED_CHANNELS);
	assert_true(mt_expect_conf_req(m));
	assert_true(asks_mode(m, L2CAP_MODE_BASIC));
}

static void cmc_bv10_no_ertm_feature(void **state)
{
	peer_lacks(*state, L2K_MODE_ERTM);
}

static void cmc_bv11_no_streaming_feature(void **state)
{
	peer_lacks(*state, L2K_MODE_STREAMING);
}

/* L2CAP/CMC/BV-12-C, BV-13-C: mandatory mode the peer lacks: no channel is attempted */
static void mandatory_lacking(struct mt *m, enum l2k_mode mode)
{
	struct l2k_chan_opts o = mode_opts(mode, true);
	struct l2k_chan_cbs cb = tester_rec_cbs(&m->r);
	assert_int_equal(l2k_chan_connect(m->t.iut, &m->t.tst_addr, L2K_ADDR_BREDR, MT_PSM, &o, &cb, &m->ch), 0);
	assert_int_equal(tester_answer_info(&m->t, L2CAP_FEAT_FIXED_CHANNELS, 0x86), 0);
	assert_true(tester_quiet(&m->t, 1000)); /* no Connection Request */
	assert_int_equal(m->r.closed, 1);
	assert_int_equal(m->r.reason, L2K_CLOSE_CONFIG_FAILED);
}

static void cmc_bv12_mandatory_ertm_lacking(void **state)
{
	mandatory_lacking(*state, L2K_MODE_ERTM);
}

static void cmc_bv13_mandatory_streaming_lacking(void **state)
{
	mandatory_lacking(*state, L2K_MODE_STREAMING);
}

/* The same on a link that already knows the peer's features, so the channel could fail inside
 * l2k_chan_connect(): the call must hand back a live channel and the failure come from the
 * next step (found by the fuzzer: closed() ran and the channel was freed before the call
 * returned it). */
static void mandatory_lacking_known_features_fails_after_return(void **state)
{
	struct mt *m = *state;
	mandatory_lacking(m, L2K_MODE_ERTM);
	struct l2k_chan_opts o = mode_opts(L2K_MODE_ERTM, true);
	struct l2k_chan_cbs cb = tester_rec_cbs(&m->r);
	l2k_chan *ch = NULL;
	assert_int_equal(l2k_chan_connect(m->t.iut, &m->t.tst_addr, L2K_ADDR_BREDR, MT_PSM, &o, &cb, &ch), 0);
	assert_non_null(ch);
	assert_int_equal(m->r.closed, 1); /* not yet */
	struct l2k_chan_info ci;
	assert_int_equal(l2k_chan_get_info(ch, &ci), 0);
	assert_int_equal(ci.mode, L2K_MODE_ERTM);
	assert_true(tester_quiet(&m->t, 1000)); /* still no Connection Request */
	assert_int_equal(m->r.closed, 2);
	assert_int_equal(m->r.reason, L2K_CLOSE_CONFIG_FAILED);
}

/* L2CAP/CMC/BV-14-C: optional Streaming, the tester counter-proposes ERTM: ERTM */
static void cmc_bv14_streaming_to_ertm(void **state)
{
	struct mt *m = *state;
	struct l2k_chan_opts o = mode_opts(L2K_MODE_STREAMING, false);
	mt_iut_connect_start(m, &o, MT_FEAT_ALL);
	assert_true(mt_expect_conf_req(m));
	assert_true(asks_mode(m, L2CAP_MODE_STREAMING));
	struct l2cap_conf_opts r = mt_rfc(L2CAP_MODE_ERTM, 10, 3, 500);
	mt_send_conf_rsp(m, L2CAP_CONF_UNACCEPTABLE, &r);
	assert_true(mt_expect_conf_req(m));
	assert_true(asks_mode(m, L2CAP_MODE_ERTM));
	accept_iut(m);
	struct l2cap_conf_opts t = mt_rfc(L2CAP_MODE_ERTM, 10, 3, 500);
	assert_int_equal(mt_expect_conf_rsp(m, mt_send_conf_req(m, &t), NULL), 0);
	assert_int_equal(opened_mode(m), L2K_MODE_ERTM);
}

/* L2CAP/CMC/BV-15-C: optional Streaming, the tester requests ERTM: the IUT settles on ERTM */
static void cmc_bv15_peer_requests_ertm(void **state)
{
	struct mt *m = *state;
	struct l2k_chan_opts o = mode_opts(L2K_MODE_STREAMING, false);
	mt_iut_connect_start(m, &o, MT_FEAT_ALL);
	assert_true(mt_expect_conf_req(m));
	uint8_t first = m->iut_req_id;
	struct l2cap_conf_opts t = mt_rfc(L2CAP_MODE_ERTM, 10, 3, 500);
	assert_int_equal(mt_expect_conf_rsp(m, mt_send_conf_req(m, &t), NULL), 0);
	m->iut_req_id = first;
	accept_iut(m);
	assert_true(mt_expect_conf_req(m));
	assert_true(asks_mode(m, L2CAP_MODE_ERTM));
	accept_iut(m);
	assert_int_equal(opened_mode(m), L2K_MODE_ERTM);
}

/* L2CAP/CMC/BI-01-C, BI-03-C: mandatory mode refused in the response: disconnect */
static void mandatory_refused(struct mt *m, enum l2k_mode mode)
{
	struct l2k_chan_opts o = mode_opts(mode, true);
	mt_iut_connect_start(m, &o, MT_FEAT_ALL);
	assert_true(mt_expect_conf_req(m));
	struct l2cap_conf_opts r = mt_rfc(L2CAP_MODE_BASIC, 0, 0, 0);
	mt_send_conf_rsp(m, L2CAP_CONF_UNACCEPTABLE, &r);
	expect_disconnect(m);
	assert_int_equal(m->r.reason, L2K_CLOSE_CONFIG_FAILED);
}

static void cmc_bi01_mandatory_ertm_refused(void **state)
{
	mandatory_refused(*state, L2K_MODE_ERTM);
}

static void cmc_bi03_mandatory_streaming_refused(void **state)
{
	mandatory_refused(*state, L2K_MODE_STREAMING);
}

/* L2CAP/CMC/BI-02-C, BI-04-C: mandatory mode, the tester keeps asking for Basic: refused with
 * our mode, then disconnected */
static void mandatory_peer_basic(struct mt *m, enum l2k_mode mode)
{
	struct l2k_chan_opts o = mode_opts(mode, true);
	mt_iut_connect_start(m, &o, MT_FEAT_ALL);
	assert_true(mt_expect_conf_req(m));
	struct l2cap_conf_opts t = none(), r;
	for (int k = 0; k < 2; k++) {
		assert_int_equal(mt_expect_conf_rsp(m, mt_send_conf_req(m, &t), &r), L2CAP_CONF_UNACCEPTABLE);
		assert_true(r.present & L2CAP_CONF_HAS_RFC);
		assert_int_equal(r.rfc.mode, mode);
	}
	/* the third request is still answered (with our mode), then the IUT disconnects: the
	 * response comes first on the air */
	assert_int_equal(mt_expect_conf_rsp(m, mt_send_conf_req(m, &t), &r), L2CAP_CONF_UNACCEPTABLE);
	expect_disconnect(m);
}

static void cmc_bi02_mandatory_ertm_peer_basic(void **state)
{
	mandatory_peer_basic(*state, L2K_MODE_ERTM);
}

static void cmc_bi04_mandatory_streaming_peer_basic(void **state)
{
	mandatory_peer_basic(*state, L2K_MODE_STREAMING);
}

/* L2CAP/CMC/BI-05-C: the IUT wants Basic, the tester insists on ERTM: disconnected */
static void cmc_bi05_basic_peer_insists(void **state)
{
	struct mt *m = *state;
	struct l2k_chan_opts o = mode_opts(L2K_MODE_BASIC, false);
	assert_int_equal(tester_server(&m->t, MT_PSM, false, &o, &m->r), 0);
	mt_tester_connect_start(m);
	assert_true(mt_expect_conf_req(m));
	struct l2cap_conf_opts t = mt_rfc(L2CAP_MODE_ERTM, 10, 3, 500);
	for (int k = 0; k < 2; k++)
		assert_int_equal(mt_expect_conf_rsp(m, mt_send_conf_req(m, &t), NULL), L2CAP_CONF_UNACCEPTABLE);
	assert_int_equal(mt_expect_conf_rsp(m, mt_send_conf_req(m, &t), NULL), L2CAP_CONF_UNACCEPTABLE);
	expect_disconnect(m);
}

/* A mandatory-ERTM server refusing the tester's Streaming request (CMC/BI-02's situation with
 * Streaming instead of Basic) names ERTM with values it would itself accept: a TxWindow of
 * 1..63, an MPS of at least 48, the ERTM timeouts - not the zeros of a Streaming RFC, which it
 * answers Unacceptable when they come back.  The tester takes the proposal as its next request
 * word for word, and the channel opens in ERTM. */
static void ertm_refuses_streaming_with_valid_rfc(void **state)
{
	struct mt *m = *state;
	struct l2k_chan_opts o = mode_opts(L2K_MODE_ERTM, true);
	assert_int_equal(tester_server(&m->t, MT_PSM, false, &o, &m->r), 0);
	mt_tester_connect_start_feat(m, MT_FEAT_ALL);
	assert_true(mt_expect_conf_req(m));
	assert_true(asks_mode(m, L2CAP_MODE_ERTM));
	accept_iut(m);
	struct l2cap_conf_opts t = mt_rfc(L2CAP_MODE_STREAMING, 0, 0, 500), r;
	assert_int_equal(mt_expect_conf_rsp(m, mt_send_conf_req(m, &t), &r), L2CAP_CONF_UNACCEPTABLE);
	assert_true(r.present & L2CAP_CONF_HAS_RFC);
	assert_int_equal(r.rfc.mode, L2CAP_MODE_ERTM);
	assert_in_range(r.rfc.tx_window, 1, 63);
	assert_int_equal(r.rfc.mps, 500); /* the peer's MPS is fine in ERTM too */
	/* the ERTM timeouts for the peer's transmitter, fitted to the link (docs/modes.md "Loss") */
	assert_in_range(r.rfc.retrans_timeout, 100, 2000);
	assert_in_range(r.rfc.monitor_timeout, r.rfc.retrans_timeout, 12000);
	/* a Streaming request without an MPS worth keeping: ours is proposed */
	struct l2cap_conf_opts t0 = mt_rfc(L2CAP_MODE_STREAMING, 0, 0, 0);
	assert_int_equal(mt_expect_conf_rsp(m, mt_send_conf_req(m, &t0), &r), L2CAP_CONF_UNACCEPTABLE);
	assert_int_equal(r.rfc.mode, L2CAP_MODE_ERTM);
	assert_in_range(r.rfc.tx_window, 1, 63);
	assert_in_range(r.rfc.mps, 48, 65527);
	/* the proposal, as the next request: accepted */
	struct l2cap_conf_opts next;
	l2cap_conf_opts_clear(&next);
	next.present = L2CAP_CONF_HAS_RFC;
	next.rfc = r.rfc;
	next.rfc.retrans_timeout = next.rfc.monitor_timeout = 0; /* a request's are 0 in ERTM */
	assert_int_equal(mt_expect_conf_rsp(m, mt_send_conf_req(m, &next), NULL), L2CAP_CONF_SUCCESS);
	assert_int_equal(opened_mode(m), L2K_MODE_ERTM);
}

/* L2CAP/CMC/BI-06-C: the IUT wants Basic, the tester refuses Basic: disconnected */
static void cmc_bi06_basic_refused(void **state)
{
	struct mt *m = *state;
	struct l2k_chan_opts o = mode_opts(L2K_MODE_BASIC, false);
	mt_iut_connect_start(m, &o, MT_FEAT_ALL);
	assert_true(mt_expect_conf_req(m));
	struct l2cap_conf_opts r = mt_rfc(L2CAP_MODE_ERTM, 10, 3, 500);
	mt_send_conf_rsp(m, L2CAP_CONF_UNACCEPTABLE, &r);
	expect_disconnect(m);
}

/* ---- FOC ------------------------------------------------------------------------------------ */

/* The IUT connects in ERTM with opts.fcs = iut_fcs to a tester with features feat whose request
 * carries FCS option tester_fcs (-1: none); checks the IUT's FCS option (want_opt: -1 none) and
 * that frames flow with the FCS in force or not. */
static void foc_initiator(struct mt *m, int iut_fcs, uint32_t feat, int tester_fcs, int want_opt, bool want_fcs)
{
	struct l2k_chan_opts o = mode_opts(L2K_MODE_ERTM, true);
	o.fcs = (uint8_t)iut_fcs;
	struct l2cap_conf_opts t = mt_rfc(L2CAP_MODE_ERTM, 10, 3, 500);
	if (tester_fcs >= 0) {
		t.present |= L2CAP_CONF_HAS_FCS;
		t.fcs = (uint8_t)tester_fcs;
	}
	mt_open_iut(m, &o, feat, &t);
	if (want_opt < 0) {
		assert_false(m->iut_req.present & L2CAP_CONF_HAS_FCS);
	} else {
		assert_true(m->iut_req.present & L2CAP_CONF_HAS_FCS);
		assert_int_equal(m->iut_req.fcs, want_opt);
	}
	struct l2k_chan_info ci;
	l2k_chan_get_info(m->ch, &ci);
	assert_int_equal(ci.fcs, want_fcs);
	m->fcs = want_fcs;
	uint8_t b[12];
	mt_pattern(b, sizeof(b), 1);
	assert_int_equal(l2k_chan_send(m->ch, b, sizeof(b)), 0);
	struct l2cap_eframe e;
	mt_expect_i(m, 100, 0, &e); /* parses only with the right FCS presence */
	assert_memory_equal(e.payload, b, sizeof(b));
	mt_send_i(m, 0, 1, 0, L2CAP_SAR_UNSEGMENTED, 0, b, sizeof(b));
	tester_run(&m->t, 50);
	assert_int_equal(m->r.sdus, 1);
}

static void foc_bv01_both_none(void **state)
{
	foc_initiator(*state, 0, MT_FEAT_ALL, 0, 0, false);
}

static void foc_bv02_tester_wants_fcs(void **state)
{
	foc_initiator(*state, 0, MT_FEAT_ALL, 1, 0, true);
}

static void foc_bv03_tester_omits(void **state)
{
	foc_initiator(*state, 0, MT_FEAT_ALL, -1, 0, true);
}

static void foc_bv04_iut_sends_crc16(void **state)
{
	foc_initiator(*state, 1, MT_FEAT_ALL, 0, 1, true);
}

static void foc_bv06_iut_sends_no_option(void **state)
{
	foc_initiator(*state, 1, MT_FEAT_ALL & ~L2CAP_FEAT_FCS, 0, -1, true);
}

/* An IUT asking for no FCS sends no FCS option to a peer without the FCS Option feature (4.12:
 * that peer does not know the option); the CRC-16 stays in force. */
static void foc_no_fcs_wish_to_peer_without_fcs_option(void **state)
{
	foc_initiator(*state, 0, MT_FEAT_ALL & ~L2CAP_FEAT_FCS, -1, -1, true);
}

/* L2CAP/FOC/BV-05-C, BV-07-C, BV-08-C: the IUT as responder (tester opens the channel) */
static void foc_acceptor(struct mt *m, int iut_fcs, int tester_fcs, bool want_fcs)
{
	struct l2k_chan_opts o = mode_opts(L2K_MODE_ERTM, true);
	o.fcs = (uint8_t)iut_fcs;
	assert_int_equal(tester_server(&m->t, MT_PSM, false, &o, &m->r), 0);
	mt_tester_connect_start_feat(m, MT_FEAT_ALL);
	assert_true(mt_expect_conf_req(m));
	if (iut_fcs == 0) {
		assert_true(m->iut_req.present & L2CAP_CONF_HAS_FCS);
		assert_int_equal(m->iut_req.fcs, 0);
	} else {
		/* the IUT learnt the tester's features (FCS among them) before proposing: it asks
		 * for the CRC-16 explicitly */
		assert_true(m->iut_req.present & L2CAP_CONF_HAS_FCS);
		assert_int_equal(m->iut_req.fcs, 1);
	}
	accept_iut(m);
	struct l2cap_conf_opts t = mt_rfc(L2CAP_MODE_ERTM, 10, 3, 500);
	t.present |= L2CAP_CONF_HAS_FCS;
	t.fcs = (uint8_t)tester_fcs;
	assert_int_equal(mt_expect_conf_rsp(m, mt_send_conf_req(m, &t), NULL), 0);
	assert_int_equal(opened_mode(m), L2K_MODE_ERTM);
	struct l2k_chan_info ci;
	l2k_chan_get_info(m->r.ch, &ci);
	assert_int_equal(ci.fcs, want_fcs);
	m->fcs = want_fcs;
	uint8_t b[7] = {7, 6, 5, 4, 3, 2, 1};
	assert_int_equal(l2k_chan_send(m->r.ch, b, 7), 0);
	struct l2cap_eframe e;
	mt_expect_i(m, 100, 0, &e);
}

static void foc_bv05_acceptor_no_fcs(void **state)
{
	foc_acceptor(*state, 0, 0, false);
}

static void foc_bv07_acceptor_fcs(void **state)
{
	foc_acceptor(*state, 1, 0, true);
}

static void foc_bv08_acceptor_no_option(void **state)
{
	foc_acceptor(*state, 1, 1, true);
}

/* ---- EWC, EXF, EFS, invalid values ------------------------------------------------------------ */

/* L2CAP/EWC/BV-01-C: the IUT proposes Extended Window Size (its window above 63) */
static void ewc_bv01_proposes_ews(void **state)
{
	struct mt *m = *state;
	struct l2k_chan_opts o = mode_opts(L2K_MODE_ERTM, true);
	o.ext_window = true;
	o.tx_window = 500;
	mt_iut_connect_start(m, &o, MT_FEAT_ALL);
	assert_true(mt_expect_conf_req(m));
	assert_true(m->iut_req.present & L2CAP_CONF_HAS_EWS);
	assert_int_equal(m->iut_req.ews, 500);
	assert_int_equal(m->iut_req.rfc.tx_window, 63);
}

/* The peer answers "unknown options" naming EWS and a type l2kit never sends (0x55; any type
 * from 32 up once made the engine shift 1u out of range, found by the fuzzer): the next request
 * leaves EWS out, the unknown type changes nothing, and the channel opens. */
static void unknown_options_response_omits_only_what_we_sent(void **state)
{
	struct mt *m = *state;
	struct l2k_chan_opts o = mode_opts(L2K_MODE_ERTM, true);
	o.ext_window = true;
	o.tx_window = 500;
	mt_iut_connect_start(m, &o, MT_FEAT_ALL);
	assert_true(mt_expect_conf_req(m));
	assert_true(m->iut_req.present & L2CAP_CONF_HAS_EWS);
	uint8_t d[8];
	t_put16(d, m->icid);
	t_put16(d + 2, 0);
	t_put16(d + 4, L2CAP_CONF_UNKNOWN_OPTIONS);
	d[6] = L2CAP_CONF_OPT_EWS;
	d[7] = 0x55;
	tester_send_sig(&m->t, 0x05, m->iut_req_id, d, 8);
	assert_true(mt_expect_conf_req(m));
	assert_false(m->iut_req.present & L2CAP_CONF_HAS_EWS);
	assert_true(asks_mode(m, L2CAP_MODE_ERTM));
	accept_iut(m);
	struct l2cap_conf_opts t = mt_rfc(L2CAP_MODE_ERTM, 63, 3, 500);
	assert_int_equal(mt_expect_conf_rsp(m, mt_send_conf_req(m, &t), NULL), 0);
	assert_int_equal(opened_mode(m), L2K_MODE_ERTM);
}

/* L2CAP/EWC/BV-02-C: the tester proposes EWS; the IUT accepts and uses the extended control */
static void ewc_bv02_accepts_ews(void **state)
{
	struct mt *m = *state;
	struct l2k_chan_opts o = mode_opts(L2K_MODE_ERTM, true);
	struct l2cap_conf_opts t = mt_rfc(L2CAP_MODE_ERTM, 63, 3, 500);
	t.present |= L2CAP_CONF_HAS_EWS;
	t.ews = 1000;
	mt_open_iut(m, &o, MT_FEAT_ALL, &t);
	assert_int_equal(m->fmt, L2CAP_CTRL_EXTENDED);
	uint8_t b[5] = {5, 5, 5, 5, 5};
	for (int k = 0; k < 70; k++) /* more than 63 outstanding: the peer's window is 1000 */
		assert_int_equal(l2k_chan_send(m->ch, b, 5), 0);
	struct l2cap_eframe e;
	for (uint16_t k = 0; k < 70; k++)
		mt_expect_i(m, 200, k, &e);
}

/* L2CAP/EWC/BV-03-C: the peer lacks Extended Window Size: normal window and control field */
static void ewc_bv03_peer_lacks_ews(void **state)
{
	struct mt *m = *state;
	struct l2k_chan_opts o = mode_opts(L2K_MODE_ERTM, true);
	o.ext_window = true;
	o.tx_window = 500;
	struct l2cap_conf_opts t = mt_rfc(L2CAP_MODE_ERTM, 10, 3, 500);
	mt_open_iut(m, &o, MT_FEAT_ALL & ~L2CAP_FEAT_EXT_WINDOW, &t);
	assert_false(m->iut_req.present & L2CAP_CONF_HAS_EWS);
	assert_int_equal(m->iut_req.rfc.tx_window, 63);
	assert_int_equal(m->fmt, L2CAP_CTRL_ENHANCED);
	uint8_t b[5] = {1};
	assert_int_equal(l2k_chan_send(m->ch, b, 5), 0);
	struct l2cap_eframe e;
	mt_expect_i(m, 100, 0, &e);
}

/* L2CAP/EXF/BV-01..08-C: the extended features advertise exactly what is implemented */
static void exf_features(void **state)
{
	struct mt *m = *state;
	uint8_t rq[2] = {0x02, 0x00};
	uint8_t id = tester_ident(&m->t);
	tester_send_sig(&m->t, 0x0A, id, rq, 2);
	const struct tester_pdu *p = tester_expect_sig(&m->t, 0x0B, 1000);
	assert_non_null(p);
	assert_int_equal(p->len, 12);
	assert_int_equal(t_get16(p->data + 6), 0); /* success */
	uint32_t f = t_get16(p->data + 8) | (uint32_t)t_get16(p->data + 10) << 16;
	uint32_t want = L2CAP_FEAT_FLOW_CONTROL | L2CAP_FEAT_RETRANSMISSION | L2CAP_FEAT_ERTM |
			L2CAP_FEAT_STREAMING | L2CAP_FEAT_FCS | L2CAP_FEAT_EXT_FLOW_SPEC |
			L2CAP_FEAT_FIXED_CHANNELS | L2CAP_FEAT_EXT_WINDOW | L2CAP_FEAT_UCD;
	if (l2k_mode_supported(L2K_MODE_ECFC))
		want |= L2CAP_FEAT_ECFC;
	assert_int_equal(f, want);
	assert_true(l2k_mode_supported(L2K_MODE_ERTM) && l2k_mode_supported(L2K_MODE_STREAMING) &&
		    l2k_mode_supported(L2K_MODE_RETRANS) && l2k_mode_supported(L2K_MODE_FLOWCTL));
}

/* Extended Flow Specification (5.6): best effort is accepted and echoed, guaranteed is answered
 * "flow spec rejected"; the IUT sends its own when asked to */
static void efs_exchange(void **state)
{
	struct mt *m = *state;
	struct l2k_chan_opts o = mode_opts(L2K_MODE_ERTM, true);
	o.flow_spec = 1;
	mt_iut_connect_start(m, &o, MT_FEAT_ALL);
	assert_true(mt_expect_conf_req(m));
	assert_true(m->iut_req.present & L2CAP_CONF_HAS_EFS);
	assert_int_equal(m->iut_req.efs.service_type, L2CAP_SERVICE_BEST_EFFORT);
	assert_int_equal(m->iut_req.efs.max_sdu, 672);
	accept_iut(m);
	struct l2cap_conf_opts t = mt_rfc(L2CAP_MODE_ERTM, 10, 3, 500), r;
	t.present |= L2CAP_CONF_HAS_EFS;
	t.efs = (struct l2cap_conf_efs){.id = 2, .service_type = L2CAP_SERVICE_GUARANTEED, .max_sdu = 100,
					.sdu_inter_time = 10000, .access_latency = 20000, .flush_timeout = 0xFFFFFFFF};
	assert_int_equal(mt_expect_conf_rsp(m, mt_send_conf_req(m, &t), &r), L2CAP_CONF_FLOW_SPEC_REJECTED);
	assert_true(r.present & L2CAP_CONF_HAS_EFS);
	assert_int_equal(r.efs.service_type, L2CAP_SERVICE_BEST_EFFORT);
	t.efs.service_type = L2CAP_SERVICE_BEST_EFFORT;
	assert_int_equal(mt_expect_conf_rsp(m, mt_send_conf_req(m, &t), &r), 0);
	assert_true(r.present & L2CAP_CONF_HAS_EFS);
	assert_int_equal(r.efs.id, 2);
	assert_int_equal(opened_mode(m), L2K_MODE_ERTM);
}

/* Invalid RFC/EWS values are refused with Unacceptable parameters naming acceptable ones; the
 * IUT's own MPS is fitted to the controller's ACL buffer (1021 in the simulator) and the MTU */
static void invalid_values(void **state)
{
	struct mt *m = *state;
	struct l2k_chan_opts o = mode_opts(L2K_MODE_ERTM, true);
	o.mtu = 4000;
	mt_iut_connect_start(m, &o, MT_FEAT_ALL);
	assert_true(mt_expect_conf_req(m));
	assert_int_equal(m->iut_req.rfc.mps, 1021 - 10);
	assert_int_equal(m->iut_req.rfc.tx_window, 63);
	assert_int_equal(m->iut_req.rfc.max_transmit, 3);
	assert_int_equal(m->iut_req.rfc.retrans_timeout, 0);
	struct l2cap_conf_opts t = mt_rfc(L2CAP_MODE_ERTM, 0, 3, 500), r;
	assert_int_equal(mt_expect_conf_rsp(m, mt_send_conf_req(m, &t), &r), L2CAP_CONF_UNACCEPTABLE);
	assert_int_equal(r.rfc.tx_window, 1);
	t = mt_rfc(L2CAP_MODE_ERTM, 10, 3, 20);
	assert_int_equal(mt_expect_conf_rsp(m, mt_send_conf_req(m, &t), &r), L2CAP_CONF_UNACCEPTABLE);
	assert_int_equal(r.rfc.mps, 48);
	t = mt_rfc(L2CAP_MODE_ERTM, 10, 3, 500);
	t.present |= L2CAP_CONF_HAS_EWS;
	t.ews = 0;
	assert_int_equal(mt_expect_conf_rsp(m, mt_send_conf_req(m, &t), &r), L2CAP_CONF_UNACCEPTABLE);
	assert_true(r.present & L2CAP_CONF_HAS_EWS);
	t = mt_rfc(L2CAP_MODE_ERTM, 10, 3, 500);
	assert_int_equal(mt_expect_conf_rsp(m, mt_send_conf_req(m, &t), &r), 0);
	accept_iut(m);
	assert_int_equal(opened_mode(m), L2K_MODE_ERTM);
	struct l2k_chan_info ci;
	l2k_chan_get_info(m->ch, &ci);
	assert_int_equal(ci.remote_mps, 500);
	assert_int_equal(ci.local_mps, 1011);
}

/* Lockstep (7.1.3): an Unacceptable answer naming a smaller MPS and window is followed by a new
 * request with those values */
static void lockstep_adopts_values(void **state)
{
	struct mt *m = *state;
	struct l2k_chan_opts o = mode_opts(L2K_MODE_ERTM, true);
	mt_iut_connect_start(m, &o, MT_FEAT_ALL);
	assert_true(mt_expect_conf_req(m));
	struct l2cap_conf_opts r = mt_rfc(L2CAP_MODE_ERTM, 20, 3, 300);
	mt_send_conf_rsp(m, L2CAP_CONF_UNACCEPTABLE, &r);
	assert_true(mt_expect_conf_req(m));
	assert_int_equal(m->iut_req.rfc.mps, 300);
	assert_int_equal(m->iut_req.rfc.tx_window, 20);
	accept_iut(m);
	struct l2cap_conf_opts t = mt_rfc(L2CAP_MODE_ERTM, 10, 3, 500);
	assert_int_equal(mt_expect_conf_rsp(m, mt_send_conf_req(m, &t), NULL), 0);
	assert_int_equal(opened_mode(m), L2K_MODE_ERTM);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(cmc_bv01_bv02_acceptor_ertm),
	    T(cmc_bv04_bv05_acceptor_streaming),
	    T(cmc_bv03_ertm_refused),
	    T(cmc_bv06_streaming_refused),
	    T(cmc_bv07_ertm_peer_basic),
	    T(cmc_bv08_streaming_peer_basic),
	    T(cmc_bv09_prefers_basic),
	    T(cmc_bv10_no_ertm_feature),
	    T(cmc_bv11_no_streaming_feature),
	    T(cmc_bv12_mandatory_ertm_lacking),
	    T(cmc_bv13_mandatory_streaming_lacking),
	    T(mandatory_lacking_known_features_fails_after_return),
	    T(unknown_options_response_omits_only_what_we_sent),
	    T(cmc_bv14_streaming_to_ertm),
	    T(cmc_bv15_peer_requests_ertm),
	    T(cmc_bi01_mandatory_ertm_refused),
	    T(cmc_bi03_mandatory_streaming_refused),
	    T(cmc_bi02_mandatory_ertm_peer_basic),
	    T(cmc_bi04_mandatory_streaming_peer_basic),
	    T(cmc_bi05_basic_peer_insists),
	    T(ertm_refuses_streaming_with_valid_rfc),
	    T(cmc_bi06_basic_refused),
	    T(foc_bv01_both_none),
	    T(foc_bv02_tester_wants_fcs),
	    T(foc_no_fcs_wish_to_peer_without_fcs_option),
	    T(foc_bv03_tester_omits),
	    T(foc_bv04_iut_sends_crc16),
	    T(foc_bv06_iut_sends_no_option),
	    T(foc_bv05_acceptor_no_fcs),
	    T(foc_bv07_acceptor_fcs),
	    T(foc_bv08_acceptor_no_option),
	    T(ewc_bv01_proposes_ews),
	    T(ewc_bv02_accepts_ews),
	    T(ewc_bv03_peer_lacks_ews),
	    T(exf_features),
	    T(efs_exchange),
	    T(invalid_values),
	    T(lockstep_adopts_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
