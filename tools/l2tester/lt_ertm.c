/* l2tester's frame helpers for the modes with a control field (lt_ertm.h). */
#include <stdio.h>
#include <string.h>

#include "tools/l2tester/lt_ertm.h"

size_t lt_ctl_len(enum lt_ctl_kind k)
{
	return k == LT_CTL_EXT ? 4 : 2;
}

size_t lt_ctl_put(enum lt_ctl_kind k, const struct lt_ctl *c, uint8_t *out)
{
	uint32_t v;
	if (k == LT_CTL_EXT) {
		/* 3.3.2: type bit 0, F bit 1, ReqSeq bits 2-15; I: SAR 16-17, TxSeq 18-31; S: S 16-17, P 18 */
		v = (uint32_t)c->s | (uint32_t)c->f << 1 | (uint32_t)(c->reqseq & 0x3FFF) << 2;
		if (c->s)
			v |= (uint32_t)(c->sfunc & 3) << 16 | (uint32_t)c->p << 18;
		else
			v |= (uint32_t)(c->sar & 3) << 16 | (uint32_t)(c->txseq & 0x3FFF) << 18;
		for (int i = 0; i < 4; i++)
			out[i] = (uint8_t)(v >> (8 * i));
		return 4;
	}
	/* standard and enhanced: type bit 0, ReqSeq bits 8-13; I: TxSeq 1-6, SAR 14-15; S: S 2-3;
	 * enhanced: F bit 7, P bit 4 (S-frames); standard: R bit 7 */
	v = (uint32_t)c->s | (uint32_t)(c->reqseq & 0x3F) << 8;
	if (c->s)
		v |= (uint32_t)(c->sfunc & 3) << 2;
	else
		v |= (uint32_t)(c->txseq & 0x3F) << 1 | (uint32_t)(c->sar & 3) << 14;
	if (k == LT_CTL_ENH) {
		v |= (uint32_t)c->f << 7;
		if (c->s)
			v |= (uint32_t)c->p << 4;
	} else {
		v |= (uint32_t)c->r << 7;
	}
	out[0] = (uint8_t)v;
	out[1] = (uint8_t)(v >> 8);
	return 2;
}

bool lt_ctl_get(enum lt_ctl_kind k, const uint8_t *p, size_t n, struct lt_ctl *c)
{
	memset(c, 0, sizeof(*c));
	if (n < lt_ctl_len(k))
		return false;
	if (k == LT_CTL_EXT) {
		uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		c->s = v & 1;
		c->f = (v >> 1) & 1;
		c->reqseq = (uint16_t)((v >> 2) & 0x3FFF);
		if (c->s) {
			c->sfunc = (uint8_t)((v >> 16) & 3);
			c->p = (v >> 18) & 1;
		} else {
			c->sar = (uint8_t)((v >> 16) & 3);
			c->txseq = (uint16_t)(v >> 18);
		}
		return true;
	}
	uint16_t v = lt_get16(p);
	c->s = v & 1;
	c->reqseq = (v >> 8) & 0x3F;
	if (c->s) {
		c->sfunc = (v >> 2) & 3;
	} else {
		c->txseq = (v >> 1) & 0x3F;
		c->sar = (uint8_t)(v >> 14);
	}
	if (k == LT_CTL_ENH) {
		c->f = (v >> 7) & 1;
		c->p = c->s && ((v >> 4) & 1);
	} else {
		c->r = (v >> 7) & 1;
	}
	return true;
}

/* Bits the form reserves (they must be 0 in what the IUT sends). */
static uint32_t ctl_reserved(enum lt_ctl_kind k, const uint8_t *p)
{
	if (k == LT_CTL_EXT) {
		uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		return (v & 1) ? v & 0xFFF80000u : 0;
	}
	uint16_t v = lt_get16(p);
	if (!(v & 1))
		return 0;
	/* S-frames: bit 1 and bits 14-15 reserved; enhanced also bits 5-6, standard bits 4-6 */
	return v & (k == LT_CTL_ENH ? 0xC062u : 0xC072u);
}

const char *lt_ctl_str(const struct lt_ctl *c, char *buf, size_t n)
{
	static const char *const sname[4] = {"RR", "REJ", "RNR", "SREJ"};
	if (c->s)
		snprintf(buf, n, "%s(req=%u P=%d F=%d R=%d)", sname[c->sfunc & 3], c->reqseq, c->p, c->f, c->r);
	else
		snprintf(buf, n, "I(tx=%u req=%u sar=%u F=%d R=%d)", c->txseq, c->reqseq, c->sar, c->f, c->r);
	return buf;
}

uint16_t lt_crc16(const uint8_t *p, size_t n, uint16_t crc)
{
	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int b = 0; b < 8; b++)
			crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xA001) : (uint16_t)(crc >> 1);
	}
	return crc;
}

int lt_send_frame(struct lt *t, uint16_t cid, const struct lt_fmt *f, const struct lt_ctl *c, int sdu_len,
		  const uint8_t *info, size_t n)
{
	uint8_t b[4 + 4 + 2 + LT_PDU_MAX + 2];
	if (n > LT_PDU_MAX)
		return L2K_EINVAL;
	size_t k = 4 + lt_ctl_put(f->kind, c, b + 4);
	if (sdu_len >= 0) {
		lt_put16(b + k, (uint16_t)sdu_len);
		k += 2;
	}
	if (n)
		memcpy(b + k, info, n);
	k += n;
	lt_put16(b, (uint16_t)(k - 4 + (f->fcs ? 2 : 0)));
	lt_put16(b + 2, cid);
	if (f->fcs) {
		lt_put16(b + k, lt_crc16(b, k, 0));
		k += 2;
	}
	return lt_send(t, cid, b + 4, k - 4);
}

bool lt_frame_parse(struct lt *t, const struct lt_pdu *p, const struct lt_fmt *f, struct lt_frame *out,
		    const char *what)
{
	size_t cl = lt_ctl_len(f->kind), tail = f->fcs ? 2 : 0;
	memset(out, 0, sizeof(*out));
	out->sdu_len = -1;
	if (p->len > LT_PDU_MAX)
		return lt_fail(t, "%s: %zu octets, longer than the tester keeps (%d)", what, p->len, LT_PDU_MAX);
	if (p->len < cl + tail)
		return lt_fail(t, "%s: %zu octets, shorter than its control field%s", what, p->len,
			       f->fcs ? " and FCS" : "");
	if (f->fcs) {
		uint8_t h[4];
		lt_put16(h, (uint16_t)p->len);
		lt_put16(h + 2, p->cid);
		uint16_t want = lt_crc16(p->data, p->len - 2, lt_crc16(h, 4, 0));
		uint16_t got = lt_get16(p->data + p->len - 2);
		if (want != got)
			return lt_fail(t, "%s: FCS 0x%04x, expected 0x%04x (CRC-16 over the basic header and the frame, 3.3.5)",
				       what, got, want);
	}
	lt_ctl_get(f->kind, p->data, p->len, &out->c);
	uint32_t rsv = ctl_reserved(f->kind, p->data);
	if (rsv)
		return lt_fail(t, "%s: reserved control field bits set (0x%x)", what, (unsigned)rsv);
	size_t k = cl, end = p->len - tail;
	if (out->c.s) {
		if (end != k)
			return lt_fail(t, "%s: an S-frame with %zu information octets (none allowed)", what, end - k);
		return true;
	}
	if (out->c.sar == LT_SAR_START) {
		if (end < k + 2)
			return lt_fail(t, "%s: a SAR start I-frame without its SDU length field", what);
		out->sdu_len = lt_get16(p->data + k);
		k += 2;
	}
	out->info = p->data + k;
	out->info_len = end - k;
	return true;
}

const struct lt_pdu *lt_next_frame(struct lt *t, uint16_t cid, const struct lt_fmt *f, struct lt_frame *out,
				   uint64_t ms, const char *what)
{
	const struct lt_pdu *p = lt_next_on(t, cid, ms);
	if (!p) {
		lt_fail(t, "%s: none came on CID 0x%04x within %llu ms", what, cid, (unsigned long long)ms);
		return NULL;
	}
	return lt_frame_parse(t, p, f, out, what) ? p : NULL;
}

size_t lt_opt_rfc(uint8_t *out, const struct lt_rfc *r)
{
	out[0] = 0x04;
	out[1] = 9;
	out[2] = r->mode;
	out[3] = r->txwin;
	out[4] = r->max_transmit;
	lt_put16(out + 5, r->rtx_ms);
	lt_put16(out + 7, r->mon_ms);
	lt_put16(out + 9, r->mps);
	return 11;
}

size_t lt_opt_fcs(uint8_t *out, uint8_t type)
{
	out[0] = 0x05;
	out[1] = 1;
	out[2] = type;
	return 3;
}

size_t lt_opt_ews(uint8_t *out, uint16_t win)
{
	out[0] = 0x07;
	out[1] = 2;
	lt_put16(out + 2, win);
	return 4;
}

size_t lt_opt_mtu(uint8_t *out, uint16_t mtu)
{
	out[0] = 0x01;
	out[1] = 2;
	lt_put16(out + 2, mtu);
	return 4;
}

const uint8_t *lt_opt_find(const uint8_t *p, size_t n, uint8_t type, size_t *len)
{
	size_t i = 0;
	while (i + 2 <= n) {
		size_t l = p[i + 1];
		if (i + 2 + l > n)
			return NULL;
		if ((p[i] & 0x7F) == type) {
			if (len)
				*len = l;
			return p + i;
		}
		i += 2 + l;
	}
	return NULL;
}

bool lt_rfc_parse(const uint8_t *opt, size_t len, struct lt_rfc *r)
{
	if (!opt || len != 9)
		return false;
	r->mode = opt[2];
	r->txwin = opt[3];
	r->max_transmit = opt[4];
	r->rtx_ms = lt_get16(opt + 5);
	r->mon_ms = lt_get16(opt + 7);
	r->mps = lt_get16(opt + 9);
	return true;
}
