/* L2CAP Frame Check Sequence (Core v5.4 Vol 3 Part A, 3.3.5).
 *
 * CRC-16 with generator polynomial x^16 + x^15 + x^2 + 1, register initialised to 0, bits
 * processed least significant first (the reflected form, 0xA001), no final inversion; the
 * result is sent as a 16-bit little-endian field after the payload.  It covers the whole
 * I-frame or S-frame before it: basic header (Length, CID), control field, SDU Length when
 * present, and the information payload.  Spec examples (3.3.5): the I-frame
 * 0E 00 40 00 02 00 00 01 .. 09 has FCS 0x6138; the RR S-frame 04 00 40 00 01 01 has 0x14D4.
 *
 * Table driven, slicing-by-16 (16 x 256 entries, 8 KiB of constants), no state, no allocation.
 * Incremental use, e.g. header and payload from different buffers without copying:
 *     uint16_t c = l2cap_crc16_start();
 *     c = l2cap_crc16_update(c, hdr, hdr_len);
 *     c = l2cap_crc16_update(c, payload, payload_len);
 *     uint16_t fcs = l2cap_crc16_finish(c);
 */
#ifndef L2K_L2CAP_CRC16_H
#define L2K_L2CAP_CRC16_H

#include <stddef.h>
#include <stdint.h>

/* The register value before any octet. */
static inline uint16_t l2cap_crc16_start(void)
{
	return 0x0000;
}

/* Folds len octets of data into crc and returns the new register (data may be NULL if len
 * is 0).  update(update(c, a, n), b, m) equals update(c, a||b, n+m). */
uint16_t l2cap_crc16_update(uint16_t crc, const uint8_t *data, size_t len);

/* The FCS value from the register (the L2CAP FCS has no final XOR). */
static inline uint16_t l2cap_crc16_finish(uint16_t crc)
{
	return crc;
}

/* One-shot: the FCS of data[0..len-1]. */
uint16_t l2cap_crc16(const uint8_t *data, size_t len);

/* 1 if the last two octets of frame[0..len-1] are the little-endian FCS of the octets before
 * them, 0 otherwise (including len < 2). */
int l2cap_fcs_ok(const uint8_t *frame, size_t len);

#endif
