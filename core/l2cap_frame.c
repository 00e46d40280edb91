/* L2CAP frame field codecs (Core v5.4 Vol 3 Part A, 3).  Contracts in core/l2cap_frame.h. */
#include "core/l2cap_frame.h"

#include <string.h>

#include "core/l2cap_crc16.h"

/* ---- G-frames ---- */

int l2cap_gframe_parse(const uint8_t *p, size_t len, struct l2cap_gframe *out)
{
	if (!out || (!p && len))
		return L2K_EINVAL;
	struct l2cap_hdr h;
	int rc = l2cap_pdu_parse(p, len, &h);
	if (rc)
		return rc;
	if (len - L2CAP_HDR_LEN < L2CAP_PSM_FIELD_LEN)
		return L2K_EBADMSG;
	out->cid = h.cid;
	out->psm = get_le16(p + L2CAP_HDR_LEN);
	out->payload = p + L2CAP_HDR_LEN + L2CAP_PSM_FIELD_LEN;
	out->payload_len = (uint16_t)(len - L2CAP_HDR_LEN - L2CAP_PSM_FIELD_LEN);
	return 0;
}

/* ---- control field ---- */

size_t l2cap_ctrl_len(enum l2cap_ctrl_fmt fmt)
{
	switch (fmt) {
	case L2CAP_CTRL_STANDARD:
	case L2CAP_CTRL_ENHANCED: return L2CAP_CTRL_STD_LEN;
	case L2CAP_CTRL_EXTENDED: return L2CAP_CTRL_EXT_LEN;
	default: return 0;
	}
}

int l2cap_ctrl_decode(enum l2cap_ctrl_fmt fmt, uint32_t raw, struct l2cap_ctrl *out)
{
	if (!out || !l2cap_ctrl_len(fmt))
		return L2K_EINVAL;
	memset(out, 0, sizeof(*out));
	out->type = (uint8_t)(raw & 1u);
	if (fmt == L2CAP_CTRL_EXTENDED) {
		out->f = (uint8_t)((raw >> 1) & 1u);
		out->reqseq = (uint16_t)((raw >> 2) & 0x3FFFu);
		if (out->type == L2CAP_FRAME_I) {
			out->sar = (uint8_t)((raw >> 16) & 3u);
			out->txseq = (uint16_t)((raw >> 18) & 0x3FFFu);
		} else {
			out->sfunc = (uint8_t)((raw >> 16) & 3u);
			out->p = (uint8_t)((raw >> 18) & 1u);
		}
		return 0;
	}
	uint8_t bit7 = (uint8_t)((raw >> 7) & 1u);
	if (fmt == L2CAP_CTRL_STANDARD)
		out->r = bit7;
	else
		out->f = bit7;
	out->reqseq = (uint16_t)((raw >> 8) & 0x3Fu);
	if (out->type == L2CAP_FRAME_I) {
		out->txseq = (uint16_t)((raw >> 1) & 0x3Fu);
		out->sar = (uint8_t)((raw >> 14) & 3u);
	} else {
		out->sfunc = (uint8_t)((raw >> 2) & 3u);
		if (fmt == L2CAP_CTRL_ENHANCED)
			out->p = (uint8_t)((raw >> 4) & 1u);
	}
	return 0;
}

int l2cap_ctrl_encode(enum l2cap_ctrl_fmt fmt, const struct l2cap_ctrl *in, uint32_t *raw)
{
	if (!in || !raw || !l2cap_ctrl_len(fmt))
		return L2K_EINVAL;
	const int ext = fmt == L2CAP_CTRL_EXTENDED;
	const uint16_t seq_max = ext ? 0x3FFF : 0x3F;
	const int is_i = in->type == L2CAP_FRAME_I;
	if (in->type > 1 || in->reqseq > seq_max || in->f > 1 || in->p > 1 || in->r > 1)
		return L2K_EINVAL;
	if (is_i && (in->txseq > seq_max || in->sar > 3 || in->sfunc || in->p))
		return L2K_EINVAL;
	if (!is_i && (in->txseq || in->sar || in->sfunc > 3))
		return L2K_EINVAL;
	if (fmt == L2CAP_CTRL_STANDARD ? (in->f || in->p) : in->r)
		return L2K_EINVAL;

	uint32_t v = in->type;
	if (ext) {
		v |= (uint32_t)in->f << 1 | (uint32_t)in->reqseq << 2;
		if (is_i)
			v |= (uint32_t)in->sar << 16 | (uint32_t)in->txseq << 18;
		else
			v |= (uint32_t)in->sfunc << 16 | (uint32_t)in->p << 18;
	} else {
		v |= (uint32_t)(fmt == L2CAP_CTRL_STANDARD ? in->r : in->f) << 7;
		v |= (uint32_t)in->reqseq << 8;
		if (is_i)
			v |= (uint32_t)in->txseq << 1 | (uint32_t)in->sar << 14;
		else
			v |= (uint32_t)in->sfunc << 2 | (uint32_t)in->p << 4;
	}
	*raw = v;
	return 0;
}

int l2cap_ctrl_unpack(enum l2cap_ctrl_fmt fmt, const uint8_t *p, size_t len, struct l2cap_ctrl *out)
{
	size_t n = l2cap_ctrl_len(fmt);
	if (!n || !out || (!p && len))
		return L2K_EINVAL;
	if (len < n)
		return L2K_EBADMSG;
	uint32_t raw = n == 4 ? get_le32(p) : get_le16(p);
	l2cap_ctrl_decode(fmt, raw, out);
	return (int)n;
}

int l2cap_ctrl_pack(enum l2cap_ctrl_fmt fmt, const struct l2cap_ctrl *in, uint8_t *buf, size_t cap)
{
	uint32_t raw;
	int rc = l2cap_ctrl_encode(fmt, in, &raw);
	if (rc)
		return rc;
	size_t n = l2cap_ctrl_len(fmt);
	if (!buf || cap < n)
		return L2K_ENOBUFS;
	if (n == 4)
		put_le32(buf, raw);
	else
		put_le16(buf, (uint16_t)raw);
	return (int)n;
}

/* ---- SDU Length ---- */

int l2cap_sdu_len_get(const uint8_t *p, size_t len, uint16_t *out)
{
	if (!out || (!p && len))
		return L2K_EINVAL;
	if (len < L2CAP_SDU_LEN_LEN)
		return L2K_EBADMSG;
	*out = get_le16(p);
	return 0;
}

size_t l2cap_sdu_len_put(uint8_t *buf, size_t cap, uint16_t sdu_len)
{
	if (!buf || cap < L2CAP_SDU_LEN_LEN)
		return 0;
	put_le16(buf, sdu_len);
	return L2CAP_SDU_LEN_LEN;
}

/* ---- I-frames and S-frames ---- */

int l2cap_eframe_parse(enum l2cap_ctrl_fmt fmt, int with_fcs, const uint8_t *p, size_t len,
		       struct l2cap_eframe *out)
{
	size_t clen = l2cap_ctrl_len(fmt);
	if (!clen || !out || (!p && len))
		return L2K_EINVAL;
	struct l2cap_hdr h;
	int rc = l2cap_pdu_parse(p, len, &h);
	if (rc)
		return rc;
	size_t fcs_len = with_fcs ? L2CAP_FCS_LEN : 0;
	if (len < L2CAP_HDR_LEN + clen + fcs_len)
		return L2K_EBADMSG;
	if (with_fcs && !l2cap_fcs_ok(p, len))
		return L2K_EIO;
	memset(out, 0, sizeof(*out));
	out->cid = h.cid;
	l2cap_ctrl_unpack(fmt, p + L2CAP_HDR_LEN, clen, &out->ctrl);
	size_t off = L2CAP_HDR_LEN + clen;
	size_t end = len - fcs_len;
	if (out->ctrl.type == L2CAP_FRAME_S) {
		if (end != off)
			return L2K_EBADMSG; /* an S-frame carries no payload */
		out->payload = p + off;
		return 0;
	}
	if (out->ctrl.sar == L2CAP_SAR_START) {
		if (end - off < L2CAP_SDU_LEN_LEN)
			return L2K_EBADMSG;
		out->has_sdu_len = 1;
		out->sdu_len = get_le16(p + off);
		off += L2CAP_SDU_LEN_LEN;
	}
	out->payload = p + off;
	out->payload_len = (uint16_t)(end - off);
	return 0;
}

size_t l2cap_eframe_build_head(enum l2cap_ctrl_fmt fmt, int with_fcs, uint8_t *buf, size_t cap,
			       const struct l2cap_eframe *in)
{
	uint32_t raw;
	if (!in || !buf || l2cap_ctrl_encode(fmt, &in->ctrl, &raw))
		return 0;
	const int is_i = in->ctrl.type == L2CAP_FRAME_I;
	if (!is_i && in->payload_len)
		return 0;
	const int sdu = is_i && in->ctrl.sar == L2CAP_SAR_START;
	size_t head = L2CAP_HDR_LEN + l2cap_ctrl_len(fmt) + (sdu ? L2CAP_SDU_LEN_LEN : 0);
	size_t pdu = head - L2CAP_HDR_LEN + in->payload_len + (with_fcs ? L2CAP_FCS_LEN : 0);
	if (pdu > 0xFFFF || cap < head)
		return 0;
	l2cap_hdr_pack(buf, cap, (uint16_t)pdu, in->cid);
	size_t off = L2CAP_HDR_LEN;
	off += (size_t)l2cap_ctrl_pack(fmt, &in->ctrl, buf + off, cap - off);
	if (sdu)
		off += l2cap_sdu_len_put(buf + off, cap - off, in->sdu_len);
	return off;
}

size_t l2cap_eframe_build(enum l2cap_ctrl_fmt fmt, int with_fcs, uint8_t *buf, size_t cap,
			  const struct l2cap_eframe *in)
{
	uint8_t head[L2CAP_HDR_LEN + L2CAP_CTRL_EXT_LEN + L2CAP_SDU_LEN_LEN];
	if (!in || !buf || (!in->payload && in->payload_len))
		return 0;
	size_t fcs_len = with_fcs ? L2CAP_FCS_LEN : 0;
	size_t hlen = l2cap_eframe_build_head(fmt, with_fcs, head, sizeof(head), in);
	if (!hlen || cap < hlen || cap - hlen < (size_t)in->payload_len + fcs_len)
		return 0;
	/* payload first: it may already sit in buf (even where the head goes) */
	if (in->payload_len)
		memmove(buf + hlen, in->payload, in->payload_len);
	memcpy(buf, head, hlen);
	size_t n = hlen + in->payload_len;
	if (with_fcs) {
		put_le16(buf + n, l2cap_crc16(buf, n));
		n += L2CAP_FCS_LEN;
	}
	return n;
}

/* ---- K-frames ---- */

size_t l2cap_kframe_build(uint8_t *buf, size_t cap, const struct l2cap_kframe *in)
{
	if (!in || !buf || (!in->payload && in->payload_len))
		return 0;
	size_t sdu = in->has_sdu_len ? L2CAP_SDU_LEN_LEN : 0;
	size_t pdu = sdu + in->payload_len;
	if (pdu > 0xFFFF || cap < L2CAP_HDR_LEN + pdu)
		return 0;
	if (in->payload_len)
		memmove(buf + L2CAP_HDR_LEN + sdu, in->payload, in->payload_len);
	l2cap_hdr_pack(buf, cap, (uint16_t)pdu, in->cid);
	if (sdu)
		put_le16(buf + L2CAP_HDR_LEN, in->sdu_len);
	return L2CAP_HDR_LEN + pdu;
}
