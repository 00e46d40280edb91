/* Streaming mode conformance (L2CAP.TS STM) and the FCS option in force (OFS): frames checked
 * byte for byte by the tester. */
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

/* Open a channel in mode (ERTM or Streaming); fcs: whether both sides keep the FCS; ext: the
 * tester proposes the Extended Window Size option; tmps: the tester's MPS. */
static void open_mode(struct mt *m, enum l2k_mode mode, bool fcs, bool ext, uint16_t tmps)
{
	struct l2k_chan_opts o;
	l2k_chan_opts_default(&o);
	o.mode = mode;
	o.mode_required = true;
	o.fcs = fcs;
	struct l2cap_conf_opts t = mt_rfc((uint8_t)mode, mode == L2K_MODE_ERTM ? 10 : 0, 3, tmps);
	if (!fcs) {
		t.present |= L2CAP_CONF_HAS_FCS;
		t.fcs = L2CAP_FCS_NONE;
	}
	if (ext) {
		t.present |= L2CAP_CONF_HAS_EWS;
		t.ews = 100;
	}
	mt_open_iut(m, &o, MT_FEAT_ALL, &t);
	if (!fcs) {
		assert_true(m->iut_req.present & L2CAP_CONF_HAS_FCS);
		assert_int_equal(m->iut_req.fcs, L2CAP_FCS_NONE);
	}
	m->fcs = fcs;
	struct l2k_chan_info ci;
	l2k_chan_get_info(m->ch, &ci);
	assert_int_equal(ci.fcs, fcs);
	assert_int_equal(ci.mode, mode);
}

static void send_sdus(struct mt *m, int n, size_t len)
{
	uint8_t b[2048];
	for (int k = 0; k < n; k++) {
		mt_pattern(b, len, (unsigned)k);
		assert_int_equal(l2k_chan_send(m->ch, b, len), 0);
	}
}

/* Source checks shared by STM/BV-01, BV-03, BV-11, BV-13 and OFS/BV-03, BV-07: TxSeq counts
 * up, ReqSeq and F are 0, SAR as the size demands, and nothing is ever retransmitted. */
static void check_source_from(struct mt *m, size_t len, int nsdus, uint16_t mps, uint16_t seq)
{
	send_sdus(m, nsdus, len);
	uint8_t want[2048];
	for (int k = 0; k < nsdus; k++) {
		mt_pattern(want, len, (unsigned)k);
		size_t off = 0;
		while (off < len) {
			struct l2cap_eframe e;
			mt_expect_i(m, 200, seq++, &e);
			assert_int_equal(e.ctrl.reqseq, 0);
			assert_int_equal(e.ctrl.f, 0);
			if (len <= mps) {
				assert_int_equal(e.ctrl.sar, L2CAP_SAR_UNSEGMENTED);
			} else if (off == 0) {
				assert_int_equal(e.ctrl.sar, L2CAP_SAR_START);
				assert_int_equal(e.sdu_len, len);
			} else {
				assert_int_equal(e.ctrl.sar, off + e.payload_len == len ? L2CAP_SAR_END : L2CAP_SAR_CONTINUE);
			}
			assert_memory_equal(e.payload, want + off, e.payload_len);
			off += e.payload_len;
		}
		assert_int_equal(off, len);
	}
	struct l2cap_eframe e;
	assert_false(mt_recv(m, 15000, &e)); /* no S-frame, no retransmission */
}

static void check_source(struct mt *m, size_t len, int nsdus, uint16_t mps)
{
	check_source_from(m, len, nsdus, mps, 0);
}

/* L2CAP/STM/BV-01-C (source), OFS/BV-07-C (FCS appended) */
static void stm_bv01_source(void **state)
{
	struct mt *m = *state;
	open_mode(m, L2K_MODE_STREAMING, true, false, 1000);
	check_source(m, 60, 4, 1000);
}

/* L2CAP/STM/BV-03-C: SAR segmentation */
static void stm_bv03_source_sar(void **state)
{
	struct mt *m = *state;
	open_mode(m, L2K_MODE_STREAMING, true, false, 100);
	check_source(m, 333, 2, 100);
}

/* L2CAP/STM/BV-11-C, BV-13-C: extended control field (the tester proposed EWS) */
static void stm_bv11_bv13_ext_source(void **state)
{
	struct mt *m = *state;
	open_mode(m, L2K_MODE_STREAMING, true, true, 100);
	assert_int_equal(m->fmt, L2CAP_CTRL_EXTENDED);
	check_source(m, 50, 1, 100);
	check_source_from(m, 250, 1, 100, 1);
}

/* L2CAP/OFS/BV-03-C: Streaming without FCS: frames carry none */
static void ofs_bv03_stm_no_fcs_tx(void **state)
{
	struct mt *m = *state;
	open_mode(m, L2K_MODE_STREAMING, false, false, 1000);
	check_source(m, 33, 2, 1000);
}

/* Sink checks shared by STM/BV-02, BV-12 and OFS/BV-04, BV-08: in-order SDUs pass; a gap
 * loses only what was missing, a damaged SDU never passes, nothing is acknowledged. */
static void check_sink(struct mt *m)
{
	uint8_t b[5][40];
	for (int k = 0; k < 5; k++)
		mt_pattern(b[k], 40, (unsigned)k);
	mt_send_i(m, 0, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b[0], 40);
	mt_send_i(m, 1, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b[1], 40);
	/* 2 is lost; 3 is the start of an SDU whose end (4) arrives */
	mt_send_i(m, 3, 0, 0, L2CAP_SAR_START, 60, b[3], 30);
	mt_send_i(m, 4, 0, 0, L2CAP_SAR_END, 0, b[4], 30);
	/* 6 is the end of an SDU whose start (5) was lost: dropped */
	mt_send_i(m, 6, 0, 0, L2CAP_SAR_END, 0, b[2], 10);
	mt_send_i(m, 7, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b[2], 40);
	tester_run(&m->t, 100);
	assert_int_equal(m->r.sdus, 4);
	assert_memory_equal(m->r.data, b[2], 40);
	assert_int_equal(m->r.total, 40 + 40 + 60 + 40);
	struct l2k_chan_info ci;
	l2k_chan_get_info(m->ch, &ci);
	assert_int_equal(ci.rx_sdus_dropped, 2); /* frame 2's SDU and the one ending in 6 */
	struct l2cap_eframe e;
	assert_false(mt_recv(m, 5000, &e));
}

/* L2CAP/STM/BV-02-C (sink), OFS/BV-08-C (FCS checked) */
static void stm_bv02_sink(void **state)
{
	struct mt *m = *state;
	open_mode(m, L2K_MODE_STREAMING, true, false, 1000);
	check_sink(m);
	/* a frame with a bad FCS is dropped and counted; the SDU is reported lost */
	uint8_t raw[32];
	struct l2cap_eframe e = {.cid = m->icid, .ctrl = {.type = L2CAP_FRAME_I, .txseq = 8},
				 .payload = (const uint8_t *)"0123456789", .payload_len = 10};
	size_t n = l2cap_eframe_build(m->fmt, 1, raw, sizeof(raw), &e);
	raw[9] ^= 0x01;
	tester_send(&m->t, m->icid, raw + 4, n - 4);
	uint8_t b[4] = {4, 3, 2, 1};
	mt_send_i(m, 9, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, b, 4);
	tester_run(&m->t, 100);
	struct l2k_chan_info ci;
	l2k_chan_get_info(m->ch, &ci);
	assert_int_equal(ci.rx_frames_bad_fcs, 1);
	assert_int_equal(ci.rx_sdus_dropped, 3);
	assert_int_equal(m->r.sdus, 5);
	assert_memory_equal(m->r.data, b, 4);
}

/* Streaming sink, SAR broken without a TxSeq gap (the sender never finished an SDU, or
 * damaged its lengths): the broken SDU is dropped and counted, and the complete SDU that
 * follows it - a new start, or an unsegmented frame, arriving where a continuation was due -
 * begins afresh and is delivered (3.3.2: a frame with SAR start or unsegmented begins an SDU). */
static void stm_sink_sdu_after_broken_one(void **state)
{
	struct mt *m = *state;
	open_mode(m, L2K_MODE_STREAMING, true, false, 1000);
	uint8_t a[30], b[60], d[40], e[30], f[40], x[40];
	mt_pattern(a, 30, 1);
	mt_pattern(b, 60, 2);
	mt_pattern(d, 40, 4);
	mt_pattern(e, 30, 5);
	mt_pattern(f, 40, 6);
	mt_pattern(x, 40, 9);
	mt_send_i(m, 0, 0, 0, L2CAP_SAR_START, 60, a, 30);	/* A: its end never comes */
	mt_send_i(m, 1, 0, 0, L2CAP_SAR_START, 60, b, 30);	/* B: a new SDU, complete */
	mt_send_i(m, 2, 0, 0, L2CAP_SAR_END, 0, b + 30, 30);
	tester_run(&m->t, 50);
	assert_int_equal(m->r.sdus, 1);
	assert_int_equal(m->r.len, 60);
	assert_memory_equal(m->r.data, b, 60);
	mt_send_i(m, 3, 0, 0, L2CAP_SAR_START, 60, a, 30);	/* C: cut short by ... */
	mt_send_i(m, 4, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, d, 40); /* ... D, whole */
	tester_run(&m->t, 50);
	assert_int_equal(m->r.sdus, 2);
	assert_int_equal(m->r.len, 40);
	assert_memory_equal(m->r.data, d, 40);
	mt_send_i(m, 5, 0, 0, L2CAP_SAR_START, 60, e, 30);	/* E: a continuation overruns it */
	mt_send_i(m, 6, 0, 0, L2CAP_SAR_CONTINUE, 0, x, 40);
	mt_send_i(m, 7, 0, 0, L2CAP_SAR_END, 0, x, 10);		/* the rest of E: skipped */
	mt_send_i(m, 8, 0, 0, L2CAP_SAR_UNSEGMENTED, 0, f, 40); /* F, whole */
	tester_run(&m->t, 50);
	assert_int_equal(m->r.sdus, 3);
	assert_int_equal(m->r.len, 40);
	assert_memory_equal(m->r.data, f, 40);
	assert_int_equal(m->r.total, 60 + 40 + 40);
	struct l2k_chan_info ci;
	l2k_chan_get_info(m->ch, &ci);
	assert_int_equal(ci.rx_sdus_dropped, 3); /* A, C, E */
}

/* L2CAP/STM/BV-12-C: sink with the extended control field */
static void stm_bv12_ext_sink(void **state)
{
	struct mt *m = *state;
	open_mode(m, L2K_MODE_STREAMING, true, true, 1000);
	check_sink(m);
}

/* L2CAP/OFS/BV-04-C: Streaming without FCS accepts frames without FCS */
static void ofs_bv04_stm_no_fcs_rx(void **state)
{
	struct mt *m = *state;
	open_mode(m, L2K_MODE_STREAMING, false, false, 1000);
	check_sink(m);
}

/* L2CAP/OFS/BV-01-C, BV-02-C (ERTM without FCS) and BV-05-C, BV-06-C (with FCS): I-frames
 * out with or without a correct FCS, frames in accepted and acknowledged the same way */
static void ofs_ertm(struct mt *m, bool fcs)
{
	open_mode(m, L2K_MODE_ERTM, fcs, false, 1000);
	send_sdus(m, 2, 25);
	uint8_t want[25];
	struct l2cap_eframe e;
	for (uint16_t k = 0; k < 2; k++) {
		mt_expect_i(m, 100, k, &e); /* mt_recv checked the FCS, or its absence */
		mt_pattern(want, 25, k);
		assert_int_equal(e.payload_len, 25);
		assert_memory_equal(e.payload, want, 25);
	}
	mt_send_i(m, 0, 2, 0, L2CAP_SAR_UNSEGMENTED, 0, want, 25);
	tester_run(&m->t, 50);
	assert_int_equal(m->r.sdus, 1);
	mt_expect_s(m, 1000, L2CAP_S_RR, 1, 0, 0);
}

static void ofs_bv01_bv02_ertm_no_fcs(void **state)
{
	ofs_ertm(*state, false);
}

static void ofs_bv05_bv06_ertm_fcs(void **state)
{
	ofs_ertm(*state, true);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(stm_bv01_source),	       T(stm_bv03_source_sar),	  T(stm_bv11_bv13_ext_source),
	    T(ofs_bv03_stm_no_fcs_tx), T(stm_bv02_sink),	  T(stm_bv12_ext_sink),
	    T(ofs_bv04_stm_no_fcs_rx), T(ofs_bv01_bv02_ertm_no_fcs), T(ofs_bv05_bv06_ertm_fcs),
	    T(stm_sink_sdu_after_broken_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
