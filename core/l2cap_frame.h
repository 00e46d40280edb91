/* L2CAP frame field codecs (Core v5.4 Vol 3 Part A, 3): basic header, G-frames, control fields
 * of I-frames and S-frames (standard, enhanced and extended), SDU Length, whole I/S-frames with
 * optional FCS, and K-frames.  Pure functions, no allocation.
 *
 * The receive path parses every PDU with these: the engine's dispatch (l2cap_engine_acl_rx)
 * with l2cap_pdu_parse() and l2cap_gframe_parse(), the credit based modes with
 * l2cap_kframe_parse().  tests/fuzz/fuzz_frame.c fuzzes them all.
 *
 * Control field layouts, bit 0 = least significant bit of the first octet on air (3.3.2):
 *
 *  Standard (16 bits; Retransmission and Flow Control modes, Table 3.2 "Standard"):
 *    I-frame:  SAR[15:14] ReqSeq[13:8] R[7] TxSeq[6:1] 0[0]
 *    S-frame:  X[15:14]   ReqSeq[13:8] R[7] X[6:4] S[3:2] X[1] 1[0]
 *  Enhanced (16 bits; Enhanced Retransmission and Streaming modes):
 *    I-frame:  SAR[15:14] ReqSeq[13:8] F[7] TxSeq[6:1] 0[0]
 *    S-frame:  X[15:14]   ReqSeq[13:8] F[7] X[6:5] P[4] S[3:2] X[1] 1[0]
 *  Extended (32 bits; ERTM/Streaming after the Extended Window Size option was agreed):
 *    I-frame:  TxSeq[31:18] SAR[17:16] ReqSeq[15:2] F[1] 0[0]
 *    S-frame:  X[31:19] P[18] S[17:16] ReqSeq[15:2] F[1] 1[0]
 *  X = reserved: written as 0, ignored on reception.  TxSeq/ReqSeq are 6 bits (modulo 64)
 *  in the 16-bit formats and 14 bits (modulo 16384) in the extended one.  SAR values are
 *  L2CAP_SAR_* (Table 3.4), S values L2CAP_S_* (Table 3.5).
 */
#ifndef L2K_L2CAP_FRAME_H
#define L2K_L2CAP_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "core/l2cap_defs.h"
#include "base/l2k_error.h"

/* ---- Basic header (3.1): Length(2) CID(2); Length counts the octets after the header ---- */
struct l2cap_hdr {
	uint16_t len;
	uint16_t cid;
};

/* The three basic-header functions are inline: the engine runs them on every PDU it receives
 * and sends. */

/* Reads the basic header.  0, L2K_EBADMSG if len < 4, L2K_EINVAL on NULL arguments.
 * Does not compare the Length field with len (a first ACL fragment holds only part of a PDU). */
static inline int l2cap_hdr_parse(const uint8_t *p, size_t len, struct l2cap_hdr *out)
{
	if (!out || (!p && len))
		return L2K_EINVAL;
	if (len < L2CAP_HDR_LEN)
		return L2K_EBADMSG;
	out->len = get_le16(p);
	out->cid = get_le16(p + 2);
	return 0;
}

/* Reads the basic header of a complete PDU p[0..len-1] and checks that its Length field equals
 * len - 4.  L2K_EBADMSG if len < 4 or the lengths disagree: drop such a frame (L2CAP.TS
 * COS/CED/BI-03, BI-06, BI-07). */
static inline int l2cap_pdu_parse(const uint8_t *p, size_t len, struct l2cap_hdr *out)
{
	int rc = l2cap_hdr_parse(p, len, out);
	if (rc)
		return rc;
	if ((size_t)out->len != len - L2CAP_HDR_LEN)
		return L2K_EBADMSG;
	return 0;
}

/* Writes a basic header.  Returns 4, or 0 if cap < 4 or buf is NULL. */
static inline size_t l2cap_hdr_pack(uint8_t *buf, size_t cap, uint16_t len, uint16_t cid)
{
	if (!buf || cap < L2CAP_HDR_LEN)
		return 0;
	put_le16(buf, len);
	put_le16(buf + 2, cid);
	return L2CAP_HDR_LEN;
}

/* ---- G-frames (3.2): Length(2) CID(2) = 0x0002, PSM(2) Information payload.  Connectionless
 *      data on ACL-U.  The PSM field is "2 octets minimum" with an extension rule no assigned
 *      PSM uses: it is read as 2 octets, as for the Connection Request (4.2). ---- */
struct l2cap_gframe {
	uint16_t cid;
	uint16_t psm;
	const uint8_t *payload; /* after the PSM */
	uint16_t payload_len;
};

/* Parses a complete G-frame p[0..len-1].  L2K_EBADMSG if len < 4, the Length field != len - 4,
 * or fewer than 2 octets (the PSM) follow the header; L2K_EINVAL on NULL arguments.  The CID is
 * not checked (the caller dispatched on it). */
int l2cap_gframe_parse(const uint8_t *p, size_t len, struct l2cap_gframe *out);

/* ---- Control field (3.3.2) ---- */
enum l2cap_ctrl_fmt {
	L2CAP_CTRL_STANDARD, /* 16 bits with R: Retransmission / Flow Control modes */
	L2CAP_CTRL_ENHANCED, /* 16 bits with F/P: ERTM and Streaming */
	L2CAP_CTRL_EXTENDED, /* 32 bits with F/P: ERTM and Streaming with Extended Window Size */
};

struct l2cap_ctrl {
	uint8_t type;	 /* L2CAP_FRAME_I or L2CAP_FRAME_S */
	uint8_t sar;	 /* I-frames: L2CAP_SAR_* */
	uint8_t sfunc;	 /* S-frames: L2CAP_S_* */
	uint8_t r;	 /* standard format only: Retransmission Disable bit */
	uint8_t f;	 /* enhanced/extended only: Final bit */
	uint8_t p;	 /* enhanced/extended S-frames only: Poll bit */
	uint16_t txseq;	 /* I-frames: 0-63, or 0-16383 in the extended format */
	uint16_t reqseq; /* 0-63, or 0-16383 in the extended format */
};

/* 2 for the standard and enhanced formats, 4 for the extended one, 0 for an unknown fmt. */
size_t l2cap_ctrl_len(enum l2cap_ctrl_fmt fmt);

/* Decodes a control field value (the 16- or 32-bit little-endian integer read from the frame).
 * Every field that does not exist in that frame type and format is set to 0; reserved bits are
 * ignored.  Returns 0, or L2K_EINVAL for an unknown fmt or NULL out. */
int l2cap_ctrl_decode(enum l2cap_ctrl_fmt fmt, uint32_t raw, struct l2cap_ctrl *out);

/* Encodes *in into *raw.  Strict: returns L2K_EINVAL if type is not 0/1, a sequence number,
 * SAR or S value exceeds its width, a one-bit field exceeds 1, or a field that does not exist
 * for that frame type and format is non-zero (R outside the standard format; F in the standard
 * format; P in I-frames or the standard format; SAR/TxSeq in S-frames; S in I-frames). */
int l2cap_ctrl_encode(enum l2cap_ctrl_fmt fmt, const struct l2cap_ctrl *in, uint32_t *raw);

/* Reads the control field at p.  Returns the octets consumed (2 or 4), L2K_EBADMSG if len is
 * shorter than the field, L2K_EINVAL on a bad fmt or NULL arguments. */
int l2cap_ctrl_unpack(enum l2cap_ctrl_fmt fmt, const uint8_t *p, size_t len, struct l2cap_ctrl *out);

/* Writes the control field.  Returns 2 or 4, L2K_ENOBUFS if cap is too small, L2K_EINVAL as
 * for l2cap_ctrl_encode(). */
int l2cap_ctrl_pack(enum l2cap_ctrl_fmt fmt, const struct l2cap_ctrl *in, uint8_t *buf, size_t cap);

/* ---- SDU Length field (3.3.3 I-frames with SAR = Start; 3.4.2 first K-frame of an SDU) ---- */
/* Reads the 2-octet SDU Length at p: 0, L2K_EBADMSG if len < 2, L2K_EINVAL on NULL. */
int l2cap_sdu_len_get(const uint8_t *p, size_t len, uint16_t *out);
/* Writes it: 2, or 0 if cap < 2 or buf is NULL. */
size_t l2cap_sdu_len_put(uint8_t *buf, size_t cap, uint16_t sdu_len);

/* ---- Whole I-frames and S-frames (3.3) ----
 * Layout: Length(2) CID(2) Control(2|4) [SDU Length(2) if I-frame with SAR = Start]
 *         [Information payload, I-frames only] [FCS(2) if the FCS option is in force]. */
struct l2cap_eframe {
	uint16_t cid;
	struct l2cap_ctrl ctrl;
	uint8_t has_sdu_len;	/* set by the parser: I-frame with SAR = Start */
	uint16_t sdu_len;	/* valid when has_sdu_len (the builder uses it then) */
	const uint8_t *payload; /* information payload, SDU Length and FCS excluded */
	uint16_t payload_len;
};

/* Parses one complete I-frame or S-frame p[0..len-1] (basic header included).  with_fcs says
 * whether the channel uses the FCS.  Returns:
 *   0             decoded;
 *   L2K_EBADMSG   malformed: len < 4, Length field != len - 4, too short for its control
 *                 field (+ SDU Length for SAR = Start) (+ FCS), or an S-frame with payload
 *                 octets.  The mode decides: ERTM closes the channel on such an invalid
 *                 frame, Streaming drops it (3.3.6, 3.3.7);
 *   L2K_EIO       the FCS does not match: drop the frame silently (3.3.5, 3.3.6);
 *   L2K_EINVAL    bad fmt or NULL arguments.
 * Payload size checks against MPS/MTU are the caller's. */
int l2cap_eframe_parse(enum l2cap_ctrl_fmt fmt, int with_fcs, const uint8_t *p, size_t len,
		       struct l2cap_eframe *out);

/* Writes basic header + control (+ SDU Length when in->ctrl is an I-frame with SAR = Start)
 * for a frame whose payload of in->payload_len octets (and FCS when with_fcs) follows
 * separately: the Length field accounts for them.  in->payload is not read.  Returns the
 * octets written (the "head"), 0 if cap is too small, the control field does not encode, an
 * S-frame has a payload, or the PDU would exceed 65535 octets.  For zero-copy senders: checksum
 * the head and the payload with l2cap_crc16_update() and append the FCS yourself. */
size_t l2cap_eframe_build_head(enum l2cap_ctrl_fmt fmt, int with_fcs, uint8_t *buf, size_t cap,
			       const struct l2cap_eframe *in);

/* Writes the complete frame: head, in->payload (memmove: the payload may already lie anywhere
 * in buf), and the FCS when with_fcs.
 * Returns the frame length, or 0 as for l2cap_eframe_build_head() or if payload is NULL with
 * payload_len > 0. */
size_t l2cap_eframe_build(enum l2cap_ctrl_fmt fmt, int with_fcs, uint8_t *buf, size_t cap,
			  const struct l2cap_eframe *in);

/* ---- K-frames (3.4): Length(2) CID(2) [SDU Length(2) in the first K-frame of an SDU]
 *      Information payload.  Used by LE and enhanced credit based flow control modes. ---- */
struct l2cap_kframe {
	uint16_t cid;
	uint8_t has_sdu_len;	/* = first */
	uint16_t sdu_len;
	const uint8_t *payload; /* SDU segment, SDU Length excluded */
	uint16_t payload_len;
};

/* Parses a complete K-frame; first says whether it starts an SDU (the receiver knows from its
 * reassembly state).  L2K_EBADMSG if len < 4, the Length field != len - 4, or first and fewer
 * than 2 octets follow the header.  MPS/MTU checks (and the resulting disconnection, 3.4.3)
 * are the caller's.  Inline: the credit based modes run it on every K-frame they receive. */
static inline int l2cap_kframe_parse(const uint8_t *p, size_t len, int first, struct l2cap_kframe *out)
{
	if (!out)
		return L2K_EINVAL;
	struct l2cap_hdr h;
	int rc = l2cap_pdu_parse(p, len, &h); /* L2K_EINVAL for p NULL with len > 0 */
	if (rc)
		return rc;
	size_t off = L2CAP_HDR_LEN;
	out->cid = h.cid;
	out->has_sdu_len = first ? 1 : 0;
	out->sdu_len = 0;
	if (first) {
		if (len - off < L2CAP_SDU_LEN_LEN)
			return L2K_EBADMSG;
		out->sdu_len = get_le16(p + off);
		off += L2CAP_SDU_LEN_LEN;
	}
	out->payload = p + off;
	out->payload_len = (uint16_t)(len - off);
	return 0;
}

/* Writes a complete K-frame (SDU Length when in->has_sdu_len).  Returns its length, or 0 if
 * cap is too small, payload is NULL with payload_len > 0, or the PDU would exceed 65535. */
size_t l2cap_kframe_build(uint8_t *buf, size_t cap, const struct l2cap_kframe *in);

#endif
