/* H4 framer: turns a byte stream into whole HCI packets (Core Specification Vol 4 Part A, UART
 * Transport Layer) and back.
 *
 * H4 puts one packet indicator byte before every HCI packet (Vol 4 Part A, 2) and nothing else:
 * no sync word, no checksum.  The only way to find where a packet ends is to read its header and
 * length field (Vol 4 Part E, 5.4), so one bad byte desynchronises the stream for good.  The
 * framer therefore treats an unknown indicator or an impossible length as fatal: it records a
 * message (stream offset, offending value), enters a sticky failed state and delivers nothing
 * more.  Vol 4 Part A, 4 (error recovery) calls a wrong indicator or an out-of-range length a
 * loss of synchronisation that needs a reset; the owner drops the connection.
 *
 * Pure C11: no OS calls, no allocation.  The owner gives it one buffer large enough for the
 * largest packet it accepts (H4_PKT_MAX for the full ACL range).
 */
#ifndef L2K_H4_H
#define L2K_H4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/hci_defs.h"

/* Largest packet without its indicator: ACL header + 65535 data bytes. */
#define H4_PKT_MAX (HCI_ACL_HDR + HCI_MAX_ACL_DATA)
/* ISO_Data_Load_Length is 14 bits (Vol 4 Part E, 5.4.5); the top two bits are RFU. */
#define H4_ISO_LEN_MASK 0x3FFF

/* Bit for each accepted packet type in h4_framer.types: H4_TYPE_BIT(HCI_H4_EVT) ... */
#define H4_TYPE_BIT(t) (1u << (t))
#define H4_TYPES_ALL                                                                           \
	(H4_TYPE_BIT(HCI_H4_CMD) | H4_TYPE_BIT(HCI_H4_ACL) | H4_TYPE_BIT(HCI_H4_SCO) |          \
	 H4_TYPE_BIT(HCI_H4_EVT) | H4_TYPE_BIT(HCI_H4_ISO))

/* One whole packet: type is the indicator, pkt/len the packet without it (header included).
 * pkt is only valid during the call. */
typedef void (*h4_packet_fn)(void *user, uint8_t type, const uint8_t *pkt, size_t len);

struct h4_framer {
	/* configuration (set by h4_init, adjustable before the first byte) */
	uint8_t *buf;	      /* reassembly buffer owned by the caller */
	size_t cap;	      /* its size */
	unsigned types;	      /* accepted types (H4_TYPE_BIT mask), default H4_TYPES_ALL */
	uint32_t max_len[6];  /* largest payload (after the header) accepted per type */
	h4_packet_fn deliver; /* called for every whole packet */
	void *user;
	/* state */
	uint8_t type;	 /* indicator of the packet being assembled, 0 = waiting for one */
	size_t hdr;	 /* header size of that packet */
	size_t need;	 /* total bytes (header + payload) it needs; == hdr until the header is in */
	size_t have;	 /* bytes of it in buf */
	uint64_t offset; /* stream offset of the next input byte */
	uint64_t pkt_offset; /* stream offset of the current packet's indicator */
	bool failed;
	char error[128]; /* why it failed ("" while healthy) */
};

/* Header size for a packet type, 0 for an unknown type. */
size_t h4_header_len(uint8_t type);

/* Payload length declared by a complete header of the given type (hdr holds h4_header_len(type)
 * bytes).  Does not check limits. */
size_t h4_payload_len(uint8_t type, const uint8_t *hdr);

/* Prepare a framer.  buf/cap is its reassembly buffer (needs h4_header_len + max payload of the
 * largest packet it should accept; H4_PKT_MAX covers everything).  Limits default to the largest
 * value each length field can hold, lowered to what fits in cap. */
void h4_init(struct h4_framer *f, uint8_t *buf, size_t cap, h4_packet_fn deliver, void *user);

/* Lower (or restore) the largest payload accepted for one type; a longer packet is a framing
 * error.  Values above the field's range or the buffer are clamped.  Returns 0 or L2K_EINVAL
 * for an unknown type. */
int h4_set_max_len(struct h4_framer *f, uint8_t type, uint32_t max);

/* Restrict the accepted packet types (a host may refuse HCI_H4_CMD from a controller). */
void h4_set_types(struct h4_framer *f, unsigned type_mask);

/* Feed len bytes (any chunking).  Every packet completed by them is delivered before it returns.
 * Returns 0, or L2K_EFRAMING once the stream is invalid (now or earlier): then h4_error() says
 * why and no further packet is ever delivered.  The deliver callback must not feed the same
 * framer. */
int h4_feed(struct h4_framer *f, const uint8_t *data, size_t len);

static inline bool h4_failed(const struct h4_framer *f)
{
	return f->failed;
}
static inline const char *h4_error(const struct h4_framer *f)
{
	return f->error;
}

/* Check that pkt/len is one well-formed packet of the given type: known type, complete header,
 * and a length field that matches len exactly.  Returns 0 or L2K_EINVAL. */
int h4_check(uint8_t type, const uint8_t *pkt, size_t len);

/* Write the indicator and the packet into out (1 + len bytes).  The packet is checked with
 * h4_check first.  Returns the number of bytes written, L2K_ENOBUFS if cap is too small, or
 * h4_check's error. */
int h4_encode(uint8_t *out, size_t cap, uint8_t type, const uint8_t *pkt, size_t len);

#endif
