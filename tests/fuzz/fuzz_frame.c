/* libFuzzer harness: L2CAP frame codecs (core/l2cap_frame.h) and the FCS (core/l2cap_crc16.h),
 * the first thing every mode's receive path runs on a PDU.
 * Input: a PDU (basic header included).  It is parsed as an I/S-frame in the three control
 * formats with and without FCS, as a G-frame and as a K-frame (first or not); every successful
 * I/S/K parse is built again and must parse back to the same fields (and for K-frames to the
 * same bytes); a G-frame must agree with the basic header and hold its payload. */
#include <stdlib.h>
#include <string.h>

#include "core/l2cap_crc16.h"
#include "core/l2cap_frame.h"
#include "tests/fuzz/fz.h"

static uint8_t g_out[4 + 4 + 2 + 65536 + 2];

static void same_ctrl(const struct l2cap_ctrl *a, const struct l2cap_ctrl *b)
{
	FZ_ASSERT(a->type == b->type && a->sar == b->sar && a->sfunc == b->sfunc && a->r == b->r &&
		  a->f == b->f && a->p == b->p && a->txseq == b->txseq && a->reqseq == b->reqseq);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);
	FZ_ASSERT(p != NULL);
	memcpy(p, data, size);

	struct l2cap_hdr h = {0};
	int hr = l2cap_pdu_parse(p, size, &h);
	FZ_ASSERT(hr == 0 || hr == L2K_EBADMSG);
	if (hr == 0)
		FZ_ASSERT(h.len == size - 4);

	for (int fmt = L2CAP_CTRL_STANDARD; fmt <= L2CAP_CTRL_EXTENDED; fmt++) {
		/* control field alone: decode, encode, decode */
		struct l2cap_ctrl c, c2;
		if (l2cap_ctrl_unpack((enum l2cap_ctrl_fmt)fmt, p, size, &c) > 0) {
			uint32_t raw;
			FZ_ASSERT(l2cap_ctrl_encode((enum l2cap_ctrl_fmt)fmt, &c, &raw) == 0);
			FZ_ASSERT(l2cap_ctrl_decode((enum l2cap_ctrl_fmt)fmt, raw, &c2) == 0);
			same_ctrl(&c, &c2);
		}
		for (int fcs = 0; fcs <= 1; fcs++) {
			struct l2cap_eframe e, e2;
			int r = l2cap_eframe_parse((enum l2cap_ctrl_fmt)fmt, fcs, p, size, &e);
			FZ_ASSERT(r == 0 || r == L2K_EBADMSG || r == L2K_EIO);
			if (r != 0)
				continue;
			FZ_ASSERT(hr == 0);
			FZ_ASSERT(e.payload_len == 0 || (e.payload >= p && e.payload + e.payload_len <= p + size));
			if (fcs)
				FZ_ASSERT(l2cap_fcs_ok(p, size));
			size_t n = l2cap_eframe_build((enum l2cap_ctrl_fmt)fmt, fcs, g_out, sizeof(g_out), &e);
			FZ_ASSERT(n == size);
			FZ_ASSERT(l2cap_eframe_parse((enum l2cap_ctrl_fmt)fmt, fcs, g_out, n, &e2) == 0);
			same_ctrl(&e.ctrl, &e2.ctrl);
			FZ_ASSERT(e.cid == e2.cid && e.has_sdu_len == e2.has_sdu_len && e.payload_len == e2.payload_len);
			FZ_ASSERT(!e.has_sdu_len || e.sdu_len == e2.sdu_len);
			FZ_ASSERT(!memcmp(e.payload, e2.payload, e.payload_len));
			/* one octet short is refused */
			FZ_ASSERT(l2cap_eframe_build((enum l2cap_ctrl_fmt)fmt, fcs, g_out, n - 1, &e) == 0);
		}
	}
	struct l2cap_gframe g;
	int gr = l2cap_gframe_parse(p, size, &g);
	FZ_ASSERT(gr == 0 || gr == L2K_EBADMSG);
	if (gr == 0) {
		FZ_ASSERT(hr == 0 && g.cid == h.cid && size >= 6 && g.psm == (p[4] | p[5] << 8));
		FZ_ASSERT(g.payload == p + 6 && g.payload_len == size - 6);
	} else {
		FZ_ASSERT(hr != 0 || size < 6);
	}
	for (int first = 0; first <= 1; first++) {
		struct l2cap_kframe k;
		int r = l2cap_kframe_parse(p, size, first, &k);
		FZ_ASSERT(r == 0 || r == L2K_EBADMSG);
		if (r != 0)
			continue;
		FZ_ASSERT(k.payload_len == 0 || (k.payload >= p && k.payload + k.payload_len <= p + size));
		size_t n = l2cap_kframe_build(g_out, sizeof(g_out), &k);
		FZ_ASSERT(n == size && !memcmp(g_out, p, size));
		FZ_ASSERT(l2cap_kframe_build(g_out, n - 1, &k) == 0);
	}
	/* FCS: split updates equal the one-shot value; appending it makes the frame check */
	if (size) {
		size_t cut = p[0] % (size + 1);
		uint16_t c = l2cap_crc16_update(l2cap_crc16_start(), p, cut);
		c = l2cap_crc16_update(c, p + cut, size - cut);
		FZ_ASSERT(l2cap_crc16_finish(c) == l2cap_crc16(p, size));
		if (size <= 65536) {
			memcpy(g_out, p, size);
			uint16_t f = l2cap_crc16(p, size);
			g_out[size] = (uint8_t)f;
			g_out[size + 1] = (uint8_t)(f >> 8);
			FZ_ASSERT(l2cap_fcs_ok(g_out, size + 2));
		}
	}
	free(p);
	return 0;
}
