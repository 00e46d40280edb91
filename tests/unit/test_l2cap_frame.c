/* Unit tests: L2CAP frame field codecs (core/l2cap_frame.h), Vol 3 Part A 3. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/l2cap_crc16.h"
#include "core/l2cap_frame.h"

static const enum l2cap_ctrl_fmt fmts[] = {L2CAP_CTRL_STANDARD, L2CAP_CTRL_ENHANCED,
					   L2CAP_CTRL_EXTENDED};

static uint32_t enc(enum l2cap_ctrl_fmt fmt, struct l2cap_ctrl c)
{
	uint32_t raw = 0xDEADBEEF;
	assert_int_equal(l2cap_ctrl_encode(fmt, &c, &raw), 0);
	return raw;
}

/* ---- basic header ---- */

static void test_basic_header(void **state)
{
	(void)state;
	uint8_t b[4];
	struct l2cap_hdr h;
	assert_int_equal(l2cap_hdr_pack(b, sizeof(b), 0x1234, 0x0040), 4);
	assert_memory_equal(b, ((const uint8_t[]){0x34, 0x12, 0x40, 0x00}), 4);
	assert_int_equal(l2cap_hdr_pack(b, 3, 1, 1), 0);
	assert_int_equal(l2cap_hdr_parse(b, 4, &h), 0);
	assert_int_equal(h.len, 0x1234);
	assert_int_equal(h.cid, 0x0040);
	for (size_t n = 0; n < 4; n++)
		assert_int_equal(l2cap_hdr_parse(b, n, &h), L2K_EBADMSG);
	assert_int_equal(l2cap_hdr_parse(b, 4, NULL), L2K_EINVAL);
	/* a complete PDU must agree with its Length field (COS/CED/BI-03) */
	static const uint8_t pdu[] = {0x03, 0x00, 0x40, 0x00, 0xAA, 0xBB, 0xCC, 0xDD};
	assert_int_equal(l2cap_pdu_parse(pdu, 7, &h), 0);
	assert_int_equal(h.len, 3);
	assert_int_equal(l2cap_pdu_parse(pdu, 8, &h), L2K_EBADMSG); /* one octet too many */
	assert_int_equal(l2cap_pdu_parse(pdu, 6, &h), L2K_EBADMSG); /* one octet short */
	assert_int_equal(l2cap_pdu_parse(pdu, 3, &h), L2K_EBADMSG);
}

/* ---- G-frames (3.2) ---- */

static void test_gframe(void **state)
{
	(void)state;
	/* Length 5, CID 0x0002, PSM 0x1001, payload AA BB CC */
	static const uint8_t f[] = {0x05, 0x00, 0x02, 0x00, 0x01, 0x10, 0xAA, 0xBB, 0xCC};
	struct l2cap_gframe g;
	assert_int_equal(l2cap_gframe_parse(f, sizeof(f), &g), 0);
	assert_int_equal(g.cid, 0x0002);
	assert_int_equal(g.psm, 0x1001);
	assert_ptr_equal(g.payload, f + 6);
	assert_int_equal(g.payload_len, 3);
	/* a PSM and nothing else: an empty payload */
	static const uint8_t e[] = {0x02, 0x00, 0x02, 0x00, 0x01, 0x10};
	assert_int_equal(l2cap_gframe_parse(e, sizeof(e), &g), 0);
	assert_int_equal(g.payload_len, 0);
	/* half a PSM, no PSM, a Length that disagrees, no header */
	static const uint8_t h1[] = {0x01, 0x00, 0x02, 0x00, 0x01};
	static const uint8_t h0[] = {0x00, 0x00, 0x02, 0x00};
	assert_int_equal(l2cap_gframe_parse(h1, sizeof(h1), &g), L2K_EBADMSG);
	assert_int_equal(l2cap_gframe_parse(h0, sizeof(h0), &g), L2K_EBADMSG);
	assert_int_equal(l2cap_gframe_parse(f, sizeof(f) - 1, &g), L2K_EBADMSG);
	assert_int_equal(l2cap_gframe_parse(f, 3, &g), L2K_EBADMSG);
	assert_int_equal(l2cap_gframe_parse(f, sizeof(f), NULL), L2K_EINVAL);
	assert_int_equal(l2cap_gframe_parse(NULL, 4, &g), L2K_EINVAL);
}

/* ---- control fields: every field at its limits, values written by hand from 3.3.2 ---- */

static void test_standard_control_field_limits(void **state)
{
	(void)state;
	const enum l2cap_ctrl_fmt F = L2CAP_CTRL_STANDARD;
	assert_int_equal(enc(F, (struct l2cap_ctrl){.type = 0, .txseq = 63}), 0x007E);
	assert_int_equal(enc(F, (struct l2cap_ctrl){.type = 0, .reqseq = 63}), 0x3F00);
	assert_int_equal(enc(F, (struct l2cap_ctrl){.type = 0, .sar = 3}), 0xC000);
	assert_int_equal(enc(F, (struct l2cap_ctrl){.type = 0, .r = 1}), 0x0080);
	assert_int_equal(enc(F, (struct l2cap_ctrl){0, 3, 0, 1, 0, 0, 63, 63}), 0xFFFE);
	assert_int_equal(enc(F, (struct l2cap_ctrl){.type = 1, .sfunc = 3}), 0x000D);
	assert_int_equal(enc(F, (struct l2cap_ctrl){.type = 1, .sfunc = L2CAP_S_RNR}), 0x0009);
	assert_int_equal(enc(F, (struct l2cap_ctrl){.type = 1, .sfunc = L2CAP_S_REJ}), 0x0005);
	assert_int_equal(enc(F, (struct l2cap_ctrl){.type = 1, .reqseq = 63, .r = 1}), 0x3F81);
	struct l2cap_ctrl c;
	assert_int_equal(l2cap_ctrl_decode(F, 0xFFFE, &c), 0);
	assert_int_equal(c.type, L2CAP_FRAME_I);
	assert_int_equal(c.txseq, 63);
	assert_int_equal(c.reqseq, 63);
	assert_int_equal(c.sar, 3);
	assert_int_equal(c.r, 1);
	assert_int_equal(c.f, 0);
	/* S-frame with every reserved bit set: they are ignored, P does not exist here */
	assert_int_equal(l2cap_ctrl_decode(F, 0xFFFF, &c), 0);
	assert_int_equal(c.type, L2CAP_FRAME_S);
	assert_int_equal(c.sfunc, 3);
	assert_int_equal(c.reqseq, 63);
	assert_int_equal(c.r, 1);
	assert_int_equal(c.p, 0);
	assert_int_equal(c.txseq, 0);
	assert_int_equal(c.sar, 0);
}

static void test_enhanced_control_field_limits(void **state)
{
	(void)state;
	const enum l2cap_ctrl_fmt F = L2CAP_CTRL_ENHANCED;
	/* the two control fields of the 3.3.5 examples */
	assert_int_equal(enc(F, (struct l2cap_ctrl){.type = 0, .txseq = 1}), 0x0002);
	assert_int_equal(enc(F, (struct l2cap_ctrl){.type = 1, .sfunc = L2CAP_S_RR, .reqseq = 1}),
			 0x0101);
	assert_int_equal(enc(F, (struct l2cap_ctrl){.type = 0, .f = 1}), 0x0080);
	assert_int_equal(enc(F, (struct l2cap_ctrl){0, 3, 0, 0, 1, 0, 63, 63}), 0xFFFE);
	assert_int_equal(enc(F, (struct l2cap_ctrl){.type = 1, .p = 1}), 0x0011);
	assert_int_equal(enc(F, (struct l2cap_ctrl){.type = 1, .sfunc = L2CAP_S_SREJ, .p = 1, .f = 1,
						    .reqseq = 63}),
			 0x3F9D);
	struct l2cap_ctrl c;
	assert_int_equal(l2cap_ctrl_decode(F, 0xFFFF, &c), 0);
	assert_int_equal(c.type, L2CAP_FRAME_S);
	assert_int_equal(c.sfunc, 3);
	assert_int_equal(c.p, 1);
	assert_int_equal(c.f, 1);
	assert_int_equal(c.r, 0);
	assert_int_equal(c.reqseq, 63);
	assert_int_equal(l2cap_ctrl_decode(F, 0x0002, &c), 0);
	assert_int_equal(c.type, L2CAP_FRAME_I);
	assert_int_equal(c.txseq, 1);
	assert_int_equal(c.sar, L2CAP_SAR_UNSEGMENTED);
	assert_int_equal(l2cap_ctrl_decode(F, 0x4000, &c), 0);
	assert_int_equal(c.sar, L2CAP_SAR_START);
	assert_int_equal(l2cap_ctrl_decode(F, 0x8000, &c), 0);
	assert_int_equal(c.sar, L2CAP_SAR_END);
}

static void test_extended_control_field_limits(void **state)
{
	(void)state;
	const enum l2cap_ctrl_fmt F = L2CAP_CTRL_EXTENDED;
	assert_int_equal(enc(F, (struct l2cap_ctrl){.type = 0, .f = 1}), 0x00000002u);
	assert_int_equal(enc(F, (struct l2cap_ctrl){.type = 0, .reqseq = 16383}), 0x0000FFFCu);
	assert_int_equal(enc(F, (struct l2cap_ctrl){.type = 0, .sar = 3}), 0x00030000u);
	assert_int_equal(enc(F, (struct l2cap_ctrl){.type = 0, .txseq = 16383}), 0xFFFC0000u);
	assert_int_equal(enc(F, (struct l2cap_ctrl){0, 3, 0, 0, 1, 0, 16383, 16383}), 0xFFFFFFFEu);
	assert_int_equal(enc(F, (struct l2cap_ctrl){.type = 1, .sfunc = 3}), 0x00030001u);
	assert_int_equal(enc(F, (struct l2cap_ctrl){.type = 1, .p = 1}), 0x00040001u);
	assert_int_equal(enc(F, (struct l2cap_ctrl){1, 0, 3, 0, 1, 1, 0, 16383}), 0x0007FFFFu);
	struct l2cap_ctrl c;
	assert_int_equal(l2cap_ctrl_decode(F, 0xFFFFFFFFu, &c), 0); /* reserved 19-31 ignored */
	assert_int_equal(c.type, L2CAP_FRAME_S);
	assert_int_equal(c.f, 1);
	assert_int_equal(c.reqseq, 16383);
	assert_int_equal(c.sfunc, 3);
	assert_int_equal(c.p, 1);
	assert_int_equal(c.txseq, 0);
	assert_int_equal(l2cap_ctrl_decode(F, 0xFFFFFFFEu, &c), 0);
	assert_int_equal(c.type, L2CAP_FRAME_I);
	assert_int_equal(c.txseq, 16383);
	assert_int_equal(c.sar, 3);
	assert_int_equal(c.p, 0);
	/* on air: little-endian, 4 octets */
	uint8_t b[4];
	struct l2cap_ctrl s = {.type = 1, .sfunc = L2CAP_S_RNR, .reqseq = 0x1234, .p = 1};
	assert_int_equal(l2cap_ctrl_pack(F, &s, b, sizeof(b)), 4);
	/* 0x1234 << 2 = 0x48D0; S=2 -> 0x20000; P -> 0x40000; type 1 */
	assert_memory_equal(b, ((const uint8_t[]){0xD1, 0x48, 0x06, 0x00}), 4);
	assert_int_equal(l2cap_ctrl_unpack(F, b, 4, &c), 4);
	assert_int_equal(c.reqseq, 0x1234);
	assert_int_equal(c.sfunc, L2CAP_S_RNR);
	assert_int_equal(c.p, 1);
}

static void test_control_encode_rejects_impossible_fields(void **state)
{
	(void)state;
	uint32_t raw;
	static const struct {
		enum l2cap_ctrl_fmt fmt;
		struct l2cap_ctrl c;
	} bad[] = {
		{L2CAP_CTRL_STANDARD, {.type = 0, .txseq = 64}},
		{L2CAP_CTRL_ENHANCED, {.type = 0, .txseq = 64}},
		{L2CAP_CTRL_EXTENDED, {.type = 0, .txseq = 16384}},
		{L2CAP_CTRL_STANDARD, {.type = 1, .reqseq = 64}},
		{L2CAP_CTRL_EXTENDED, {.type = 1, .reqseq = 16384}},
		{L2CAP_CTRL_ENHANCED, {.type = 0, .sar = 4}},
		{L2CAP_CTRL_EXTENDED, {.type = 1, .sfunc = 4}},
		{L2CAP_CTRL_ENHANCED, {.type = 2}},
		{L2CAP_CTRL_ENHANCED, {.type = 0, .r = 1}},  /* R only in the standard format */
		{L2CAP_CTRL_EXTENDED, {.type = 1, .r = 1}},
		{L2CAP_CTRL_STANDARD, {.type = 0, .f = 1}},  /* F not in the standard format */
		{L2CAP_CTRL_STANDARD, {.type = 1, .p = 1}},  /* nor P */
		{L2CAP_CTRL_ENHANCED, {.type = 0, .p = 1}},  /* P only in S-frames */
		{L2CAP_CTRL_EXTENDED, {.type = 0, .p = 1}},
		{L2CAP_CTRL_ENHANCED, {.type = 1, .txseq = 1}}, /* no TxSeq in S-frames */
		{L2CAP_CTRL_ENHANCED, {.type = 1, .sar = 1}},	/* no SAR in S-frames */
		{L2CAP_CTRL_ENHANCED, {.type = 0, .sfunc = 1}}, /* no S in I-frames */
		{L2CAP_CTRL_ENHANCED, {.type = 1, .f = 2}},
		{L2CAP_CTRL_STANDARD, {.type = 0, .r = 2}},
		{(enum l2cap_ctrl_fmt)7, {.type = 0}},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (l2cap_ctrl_encode(bad[i].fmt, &bad[i].c, &raw) != L2K_EINVAL)
			fail_msg("case %zu encoded", i);
		uint8_t b[4];
		assert_int_equal(l2cap_ctrl_pack(bad[i].fmt, &bad[i].c, b, 4), L2K_EINVAL);
	}
	struct l2cap_ctrl c;
	assert_int_equal(l2cap_ctrl_decode((enum l2cap_ctrl_fmt)7, 0, &c), L2K_EINVAL);
	assert_int_equal(l2cap_ctrl_len((enum l2cap_ctrl_fmt)7), 0);
}

static void test_control_every_16bit_value_roundtrips(void **state)
{
	(void)state;
	/* decode then encode gives the value back with the reserved bits cleared */
	for (uint32_t raw = 0; raw <= 0xFFFF; raw++) {
		struct l2cap_ctrl c;
		assert_int_equal(l2cap_ctrl_decode(L2CAP_CTRL_STANDARD, raw, &c), 0);
		assert_int_equal(enc(L2CAP_CTRL_STANDARD, c), raw & ((raw & 1) ? 0x3F8Du : 0xFFFFu));
		assert_int_equal(l2cap_ctrl_decode(L2CAP_CTRL_ENHANCED, raw, &c), 0);
		assert_int_equal(enc(L2CAP_CTRL_ENHANCED, c), raw & ((raw & 1) ? 0x3F9Du : 0xFFFFu));
	}
}

static void test_control_extended_values_roundtrip(void **state)
{
	(void)state;
	uint32_t x = 0x9E3779B9u;
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		struct l2cap_ctrl c;
		assert_int_equal(l2cap_ctrl_decode(L2CAP_CTRL_EXTENDED, x, &c), 0);
		assert_int_equal(enc(L2CAP_CTRL_EXTENDED, c), x & ((x & 1) ? 0x0007FFFFu : 0xFFFFFFFFu));
	}
}

static void test_control_pack_unpack_bounds(void **state)
{
	(void)state;
	uint8_t b[4];
	struct l2cap_ctrl c = {.type = 0, .txseq = 5, .reqseq = 9, .sar = L2CAP_SAR_CONTINUE};
	for (size_t f = 0; f < 3; f++) {
		size_t n = l2cap_ctrl_len(fmts[f]);
		assert_int_equal(n, fmts[f] == L2CAP_CTRL_EXTENDED ? 4 : 2);
		for (size_t cap = 0; cap < n; cap++)
			assert_int_equal(l2cap_ctrl_pack(fmts[f], &c, b, cap), L2K_ENOBUFS);
		assert_int_equal(l2cap_ctrl_pack(fmts[f], &c, b, n), (int)n);
		struct l2cap_ctrl d;
		for (size_t len = 0; len < n; len++)
			assert_int_equal(l2cap_ctrl_unpack(fmts[f], b, len, &d), L2K_EBADMSG);
		assert_int_equal(l2cap_ctrl_unpack(fmts[f], b, n, &d), (int)n);
		assert_int_equal(d.txseq, 5);
		assert_int_equal(d.reqseq, 9);
		assert_int_equal(d.sar, L2CAP_SAR_CONTINUE);
	}
}

static void test_sdu_length_field(void **state)
{
	(void)state;
	uint8_t b[2];
	uint16_t v;
	assert_int_equal(l2cap_sdu_len_put(b, 2, 0xBEEF), 2);
	assert_memory_equal(b, ((const uint8_t[]){0xEF, 0xBE}), 2);
	assert_int_equal(l2cap_sdu_len_put(b, 1, 1), 0);
	assert_int_equal(l2cap_sdu_len_get(b, 2, &v), 0);
	assert_int_equal(v, 0xBEEF);
	assert_int_equal(l2cap_sdu_len_get(b, 1, &v), L2K_EBADMSG);
}

/* ---- whole I/S-frames ---- */

static void test_eframe_spec_examples(void **state)
{
	(void)state;
	/* the two frames of 3.3.5, FCS included */
	static const uint8_t iframe[] = {0x0E, 0x00, 0x40, 0x00, 0x02, 0x00, 0x00, 0x01, 0x02,
					 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x38, 0x61};
	static const uint8_t rr[] = {0x04, 0x00, 0x40, 0x00, 0x01, 0x01, 0xD4, 0x14};
	static const uint8_t payload[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
	uint8_t b[32];
	struct l2cap_eframe in = {.cid = 0x0040, .ctrl = {.type = 0, .txseq = 1},
				  .payload = payload, .payload_len = 10};
	assert_int_equal(l2cap_eframe_build(L2CAP_CTRL_ENHANCED, 1, b, sizeof(b), &in), sizeof(iframe));
	assert_memory_equal(b, iframe, sizeof(iframe));
	for (size_t cap = 0; cap < sizeof(iframe); cap++)
		assert_int_equal(l2cap_eframe_build(L2CAP_CTRL_ENHANCED, 1, b, cap, &in), 0);
	struct l2cap_eframe s = {.cid = 0x0040, .ctrl = {.type = 1, .sfunc = L2CAP_S_RR, .reqseq = 1}};
	assert_int_equal(l2cap_eframe_build(L2CAP_CTRL_ENHANCED, 1, b, sizeof(b), &s), sizeof(rr));
	assert_memory_equal(b, rr, sizeof(rr));

	struct l2cap_eframe o;
	assert_int_equal(l2cap_eframe_parse(L2CAP_CTRL_ENHANCED, 1, iframe, sizeof(iframe), &o), 0);
	assert_int_equal(o.cid, 0x0040);
	assert_int_equal(o.ctrl.type, L2CAP_FRAME_I);
	assert_int_equal(o.ctrl.txseq, 1);
	assert_int_equal(o.has_sdu_len, 0);
	assert_int_equal(o.payload_len, 10);
	assert_memory_equal(o.payload, payload, 10);
	assert_int_equal(l2cap_eframe_parse(L2CAP_CTRL_ENHANCED, 1, rr, sizeof(rr), &o), 0);
	assert_int_equal(o.ctrl.type, L2CAP_FRAME_S);
	assert_int_equal(o.ctrl.sfunc, L2CAP_S_RR);
	assert_int_equal(o.ctrl.reqseq, 1);
	assert_int_equal(o.payload_len, 0);
}

static void test_eframe_start_segment_extended_no_fcs(void **state)
{
	(void)state;
	static const uint8_t seg[] = "segment";
	uint8_t b[64];
	struct l2cap_eframe in = {.cid = 0x0041,
				  .ctrl = {.type = 0, .txseq = 9000, .reqseq = 77, .sar = L2CAP_SAR_START},
				  .sdu_len = 1000, .payload = seg, .payload_len = 7};
	size_t n = l2cap_eframe_build(L2CAP_CTRL_EXTENDED, 0, b, sizeof(b), &in);
	/* header 4 + control 4 + SDU length 2 + 7 */
	assert_int_equal(n, 17);
	assert_int_equal(get_le16(b), 13);
	assert_int_equal(get_le16(b + 8), 1000);
	assert_memory_equal(b + 10, seg, 7);
	struct l2cap_eframe o;
	assert_int_equal(l2cap_eframe_parse(L2CAP_CTRL_EXTENDED, 0, b, n, &o), 0);
	assert_int_equal(o.ctrl.txseq, 9000);
	assert_int_equal(o.ctrl.reqseq, 77);
	assert_int_equal(o.has_sdu_len, 1);
	assert_int_equal(o.sdu_len, 1000);
	assert_int_equal(o.payload_len, 7);
	/* with FCS the same frame is two octets longer and checks */
	n = l2cap_eframe_build(L2CAP_CTRL_EXTENDED, 1, b, sizeof(b), &in);
	assert_int_equal(n, 19);
	assert_true(l2cap_fcs_ok(b, n));
	assert_int_equal(l2cap_eframe_parse(L2CAP_CTRL_EXTENDED, 1, b, n, &o), 0);
	assert_int_equal(o.payload_len, 7);
}

static void test_eframe_head_plus_incremental_fcs(void **state)
{
	(void)state;
	static const uint8_t payload[] = "zero copy payload";
	uint8_t whole[64], head[16];
	struct l2cap_eframe in = {.cid = 0x0050, .ctrl = {.type = 0, .txseq = 3, .sar = L2CAP_SAR_START},
				  .sdu_len = 40, .payload = payload, .payload_len = sizeof(payload)};
	size_t n = l2cap_eframe_build(L2CAP_CTRL_ENHANCED, 1, whole, sizeof(whole), &in);
	size_t h = l2cap_eframe_build_head(L2CAP_CTRL_ENHANCED, 1, head, sizeof(head), &in);
	assert_int_equal(h, 8);
	assert_memory_equal(head, whole, h);
	uint16_t c = l2cap_crc16_start();
	c = l2cap_crc16_update(c, head, h);
	c = l2cap_crc16_update(c, payload, sizeof(payload));
	assert_int_equal(l2cap_crc16_finish(c), get_le16(whole + n - 2));
	assert_int_equal(l2cap_eframe_build_head(L2CAP_CTRL_ENHANCED, 1, head, h - 1, &in), 0);
	/* payload already in place, and payload where the head goes */
	uint8_t b[64];
	memcpy(b + h, payload, sizeof(payload));
	struct l2cap_eframe ip = in;
	ip.payload = b + h;
	assert_int_equal(l2cap_eframe_build(L2CAP_CTRL_ENHANCED, 1, b, sizeof(b), &ip), n);
	assert_memory_equal(b, whole, n);
	memcpy(b, payload, sizeof(payload));
	ip.payload = b;
	assert_int_equal(l2cap_eframe_build(L2CAP_CTRL_ENHANCED, 1, b, sizeof(b), &ip), n);
	assert_memory_equal(b, whole, n);
}

static void test_eframe_build_refusals(void **state)
{
	(void)state;
	static uint8_t b[0x10010];
	struct l2cap_eframe s = {.cid = 0x40, .ctrl = {.type = 1}, .payload = b, .payload_len = 1};
	assert_int_equal(l2cap_eframe_build(L2CAP_CTRL_ENHANCED, 0, b, sizeof(b), &s), 0);
	struct l2cap_eframe bad = {.cid = 0x40, .ctrl = {.type = 0, .txseq = 64}};
	assert_int_equal(l2cap_eframe_build(L2CAP_CTRL_ENHANCED, 0, b, sizeof(b), &bad), 0);
	struct l2cap_eframe nul = {.cid = 0x40, .ctrl = {.type = 0}, .payload = NULL, .payload_len = 3};
	assert_int_equal(l2cap_eframe_build(L2CAP_CTRL_ENHANCED, 0, b, sizeof(b), &nul), 0);
	/* control 2 + payload + FCS 2 must fit the 16-bit Length */
	struct l2cap_eframe big = {.cid = 0x40, .ctrl = {.type = 0}, .payload = b + 8,
				   .payload_len = 0xFFFF - 4};
	assert_int_equal(l2cap_eframe_build(L2CAP_CTRL_ENHANCED, 1, b, sizeof(b), &big), 0xFFFF + 4);
	big.payload_len = 0xFFFF - 3;
	assert_int_equal(l2cap_eframe_build(L2CAP_CTRL_ENHANCED, 1, b, sizeof(b), &big), 0);
}

/* Builds an ENHANCED frame by hand: header, control, body, and a correct FCS. */
static size_t hand_frame(uint8_t *b, uint16_t ctrl, const uint8_t *body, size_t n)
{
	put_le16(b, (uint16_t)(2 + n + 2));
	put_le16(b + 2, 0x0040);
	put_le16(b + 4, ctrl);
	memcpy(b + 6, body, n);
	put_le16(b + 6 + n, l2cap_crc16(b, 6 + n));
	return 8 + n;
}

static void test_eframe_invalid_frames(void **state)
{
	(void)state;
	uint8_t b[32];
	struct l2cap_eframe o;
	const enum l2cap_ctrl_fmt E = L2CAP_CTRL_ENHANCED;
	size_t n = hand_frame(b, 0x0002, (const uint8_t *)"abc", 3);
	assert_int_equal(l2cap_eframe_parse(E, 1, b, n, &o), 0);
	b[7] ^= 0x01; /* payload bit error */
	assert_int_equal(l2cap_eframe_parse(E, 1, b, n, &o), L2K_EIO);
	b[7] ^= 0x01;
	assert_int_equal(l2cap_eframe_parse(E, 1, b, n - 1, &o), L2K_EBADMSG); /* Length disagrees */
	/* S-frame carrying a payload octet, FCS correct */
	n = hand_frame(b, 0x0101, (const uint8_t *)"x", 1);
	assert_int_equal(l2cap_eframe_parse(E, 1, b, n, &o), L2K_EBADMSG);
	/* SAR = Start with one octet where the SDU Length needs two */
	n = hand_frame(b, 0x4002, (const uint8_t *)"x", 1);
	assert_int_equal(l2cap_eframe_parse(E, 1, b, n, &o), L2K_EBADMSG);
	n = hand_frame(b, 0x4002, (const uint8_t *)"\x05\x00", 2);
	assert_int_equal(l2cap_eframe_parse(E, 1, b, n, &o), 0);
	assert_int_equal(o.sdu_len, 5);
	assert_int_equal(o.payload_len, 0);
	/* too short for control + FCS */
	static const uint8_t tiny[] = {0x02, 0x00, 0x40, 0x00, 0x01, 0x01};
	assert_int_equal(l2cap_eframe_parse(E, 1, tiny, sizeof(tiny), &o), L2K_EBADMSG);
	static const uint8_t tiny_ext[] = {0x02, 0x00, 0x40, 0x00, 0x01, 0x00};
	assert_int_equal(l2cap_eframe_parse(L2CAP_CTRL_EXTENDED, 0, tiny_ext, 6, &o), L2K_EBADMSG);
	assert_int_equal(l2cap_eframe_parse(E, 0, tiny, sizeof(tiny), &o), 0); /* no FCS: fine */
	assert_int_equal(l2cap_eframe_parse(E, 0, NULL, 0, NULL), L2K_EINVAL);
	/* random input never reads out of bounds */
	uint32_t x = 1;
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		size_t len = x % 24;
		uint8_t *p = malloc(len ? len : 1);
		assert_non_null(p);
		for (size_t k = 0; k < len; k++)
			p[k] = (uint8_t)(x >> (k % 24));
		if (len >= 4)
			put_le16(p, (uint16_t)(len - 4));
		int rc = l2cap_eframe_parse(fmts[i % 3], (int)(x >> 30) & 1, p, len, &o);
		assert_true(rc == 0 || rc == L2K_EBADMSG || rc == L2K_EIO);
		free(p);
	}
}

/* ---- K-frames ---- */

static void test_kframe(void **state)
{
	(void)state;
	/* first K-frame of a 5-octet SDU "hello" on CID 0x0040 (3.4) */
	static const uint8_t want[] = {0x07, 0x00, 0x40, 0x00, 0x05, 0x00, 'h', 'e', 'l', 'l', 'o'};
	uint8_t b[16];
	struct l2cap_kframe in = {.cid = 0x40, .has_sdu_len = 1, .sdu_len = 5,
				  .payload = (const uint8_t *)"hello", .payload_len = 5};
	assert_int_equal(l2cap_kframe_build(b, sizeof(b), &in), sizeof(want));
	assert_memory_equal(b, want, sizeof(want));
	for (size_t cap = 0; cap < sizeof(want); cap++)
		assert_int_equal(l2cap_kframe_build(b, cap, &in), 0);
	struct l2cap_kframe o;
	assert_int_equal(l2cap_kframe_parse(want, sizeof(want), 1, &o), 0);
	assert_int_equal(o.cid, 0x40);
	assert_int_equal(o.has_sdu_len, 1);
	assert_int_equal(o.sdu_len, 5);
	assert_int_equal(o.payload_len, 5);
	assert_memory_equal(o.payload, "hello", 5);
	/* as a continuation K-frame the SDU Length octets are payload */
	assert_int_equal(l2cap_kframe_parse(want, sizeof(want), 0, &o), 0);
	assert_int_equal(o.has_sdu_len, 0);
	assert_int_equal(o.payload_len, 7);
	/* malformed */
	assert_int_equal(l2cap_kframe_parse(want, sizeof(want) - 1, 1, &o), L2K_EBADMSG);
	static const uint8_t one[] = {0x01, 0x00, 0x40, 0x00, 0x05};
	assert_int_equal(l2cap_kframe_parse(one, sizeof(one), 1, &o), L2K_EBADMSG);
	assert_int_equal(l2cap_kframe_parse(one, sizeof(one), 0, &o), 0);
	assert_int_equal(l2cap_kframe_parse(one, 3, 0, &o), L2K_EBADMSG);
	/* empty continuation, and a zero-length SDU start */
	struct l2cap_kframe e = {.cid = 0x41};
	assert_int_equal(l2cap_kframe_build(b, sizeof(b), &e), 4);
	e.has_sdu_len = 1;
	assert_int_equal(l2cap_kframe_build(b, sizeof(b), &e), 6);
	struct l2cap_kframe nul = {.cid = 0x41, .payload_len = 2};
	assert_int_equal(l2cap_kframe_build(b, sizeof(b), &nul), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_header),
		cmocka_unit_test(test_gframe),
		cmocka_unit_test(test_standard_control_field_limits),
		cmocka_unit_test(test_enhanced_control_field_limits),
		cmocka_unit_test(test_extended_control_field_limits),
		cmocka_unit_test(test_control_encode_rejects_impossible_fields),
		cmocka_unit_test(test_control_every_16bit_value_roundtrips),
		cmocka_unit_test(test_control_extended_values_roundtrip),
		cmocka_unit_test(test_control_pack_unpack_bounds),
		cmocka_unit_test(test_sdu_length_field),
		cmocka_unit_test(test_eframe_spec_examples),
		cmocka_unit_test(test_eframe_start_segment_extended_no_fcs),
		cmocka_unit_test(test_eframe_head_plus_incremental_fcs),
		cmocka_unit_test(test_eframe_build_refusals),
		cmocka_unit_test(test_eframe_invalid_frames),
		cmocka_unit_test(test_kframe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
