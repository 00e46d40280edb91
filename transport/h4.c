/* H4 framer and encoder (Core Specification Vol 4 Part A, UART Transport Layer).
 *
 * Packet layouts after the indicator (Vol 4 Part E, 5.4):
 *   0x01 command:  opcode(2) plen(1)                          header 3, length at offset 2
 *   0x02 ACL:      handle+flags(2) dlen(2, little endian)     header 4, length at offset 2
 *   0x03 SCO:      handle+flags(2) dlen(1)                    header 3, length at offset 2
 *   0x04 event:    code(1) plen(1)                            header 2, length at offset 1
 *   0x05 ISO:      handle+flags(2) dlen(14 bits + 2 RFU)      header 4, length at offset 2
 */
#include "transport/h4.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/l2k_compat.h"
#include "base/l2k_error.h"

static const char *type_name(uint8_t type)
{
	switch (type) {
	case HCI_H4_CMD: return "command";
	case HCI_H4_ACL: return "ACL";
	case HCI_H4_SCO: return "SCO";
	case HCI_H4_EVT: return "event";
	case HCI_H4_ISO: return "ISO";
	default: return "unknown";
	}
}

size_t h4_header_len(uint8_t type)
{
	switch (type) {
	case HCI_H4_CMD: return HCI_CMD_HDR;
	case HCI_H4_ACL: return HCI_ACL_HDR;
	case HCI_H4_SCO: return HCI_SCO_HDR;
	case HCI_H4_EVT: return HCI_EVT_HDR;
	case HCI_H4_ISO: return HCI_ISO_HDR;
	default: return 0;
	}
}

size_t h4_payload_len(uint8_t type, const uint8_t *hdr)
{
	switch (type) {
	case HCI_H4_CMD: return hdr[2];
	case HCI_H4_ACL: return get_le16(hdr + 2);
	case HCI_H4_SCO: return hdr[2];
	case HCI_H4_EVT: return hdr[1];
	case HCI_H4_ISO: return get_le16(hdr + 2) & H4_ISO_LEN_MASK;
	default: return 0;
	}
}

/* The largest value each length field can hold. */
static uint32_t field_max(uint8_t type)
{
	switch (type) {
	case HCI_H4_ACL: return HCI_MAX_ACL_DATA;
	case HCI_H4_ISO: return H4_ISO_LEN_MASK;
	default: return 255;
	}
}

void h4_init(struct h4_framer *f, uint8_t *buf, size_t cap, h4_packet_fn deliver, void *user)
{
	memset(f, 0, sizeof(*f));
	f->buf = buf;
	f->cap = cap;
	f->types = H4_TYPES_ALL;
	f->deliver = deliver;
	f->user = user;
	for (uint8_t t = HCI_H4_CMD; t <= HCI_H4_ISO; t++)
		h4_set_max_len(f, t, UINT32_MAX);
}

int h4_set_max_len(struct h4_framer *f, uint8_t type, uint32_t max)
{
	size_t hdr = h4_header_len(type);
	if (!hdr)
		return L2K_EINVAL;
	uint32_t m = field_max(type);
	if (max < m)
		m = max;
	size_t room = f->cap > hdr ? f->cap - hdr : 0;
	if (m > room)
		m = (uint32_t)room;
	f->max_len[type] = m;
	return 0;
}

void h4_set_types(struct h4_framer *f, unsigned type_mask)
{
	f->types = type_mask & H4_TYPES_ALL;
}

#if defined(__GNUC__)
L2K_PRINTF(2, 3)
#endif
static int fail(struct h4_framer *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->error, sizeof(f->error), fmt, ap);
	va_end(ap);
	f->failed = true;
	return L2K_EFRAMING;
}

/* A packet indicator at stream offset `at`: is it one we accept? */
static int check_type(struct h4_framer *f, uint8_t type, uint64_t at)
{
	size_t hdr = h4_header_len(type);
	if (!hdr)
		return fail(f, "unknown H4 packet type 0x%02x at stream offset %llu", type,
			    (unsigned long long)at);
	if (!(f->types & H4_TYPE_BIT(type)))
		return fail(f, "unexpected H4 %s packet (type 0x%02x) at stream offset %llu",
			    type_name(type), type, (unsigned long long)at);
	if (hdr > f->cap)
		return fail(f, "H4 %s header does not fit the %zu-byte buffer (stream offset %llu)",
			    type_name(type), f->cap, (unsigned long long)at);
	return 0;
}

static int check_len(struct h4_framer *f, uint8_t type, size_t plen, uint64_t at)
{
	if (plen > f->max_len[type])
		return fail(f, "H4 %s packet at stream offset %llu declares %zu data bytes, more "
			       "than the maximum %lu", type_name(type), (unsigned long long)at, plen,
			    (unsigned long)f->max_len[type]);
	return 0;
}

int h4_feed(struct h4_framer *f, const uint8_t *data, size_t len)
{
	size_t i = 0;

	if (f->failed)
		return L2K_EFRAMING;
	while (i < len) {
		if (f->type == 0) {
			/* Start of a packet: the indicator (Vol 4 Part A, 2). */
			uint8_t type = data[i];
			uint64_t at = f->offset + i;
			if (check_type(f, type, at) < 0)
				return L2K_EFRAMING;
			i++;
			size_t hdr = h4_header_len(type);
			if (len - i >= hdr) {
				/* Header in this chunk: validate now, and when the whole packet is
				 * here too, hand it over without copying it. */
				size_t plen = h4_payload_len(type, data + i);
				if (check_len(f, type, plen, at) < 0)
					return L2K_EFRAMING;
				if (len - i >= hdr + plen) {
					if (f->deliver)
						f->deliver(f->user, type, data + i, hdr + plen);
					i += hdr + plen;
					continue;
				}
			}
			f->type = type;
			f->hdr = hdr;
			f->need = hdr;
			f->have = 0;
			f->pkt_offset = at;
			continue;
		}
		size_t n = f->need - f->have;
		if (n > len - i)
			n = len - i;
		memcpy(f->buf + f->have, data + i, n);
		f->have += n;
		i += n;
		if (f->have < f->need)
			break; /* input exhausted */
		if (f->need == f->hdr) {
			/* Header complete: now the length is known. */
			size_t plen = h4_payload_len(f->type, f->buf);
			if (check_len(f, f->type, plen, f->pkt_offset) < 0)
				return L2K_EFRAMING;
			f->need = f->hdr + plen;
			if (plen)
				continue;
		}
		uint8_t type = f->type;
		f->type = 0;
		if (f->deliver)
			f->deliver(f->user, type, f->buf, f->need);
	}
	f->offset += len;
	return 0;
}

int h4_check(uint8_t type, const uint8_t *pkt, size_t len)
{
	size_t hdr = h4_header_len(type);
	if (!hdr || len < hdr || !pkt)
		return L2K_EINVAL;
	if (len - hdr != h4_payload_len(type, pkt))
		return L2K_EINVAL;
	return 0;
}

int h4_encode(uint8_t *out, size_t cap, uint8_t type, const uint8_t *pkt, size_t len)
{
	int err = h4_check(type, pkt, len);
	if (err < 0)
		return err;
	if (cap < 1 + len)
		return L2K_ENOBUFS;
	out[0] = type;
	memcpy(out + 1, pkt, len);
	return (int)(1 + len);
}
