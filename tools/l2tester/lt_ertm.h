/* l2tester's frame helpers for the BR/EDR modes with a control field (Vol 3 Part A 3.3): ERTM
 * and Streaming (enhanced 16-bit or extended 32-bit control), Retransmission and Flow Control
 * (standard 16-bit control), the FCS (3.3.5), and the configuration options of those modes
 * (5.4 Retransmission and Flow Control, 5.5 FCS, 5.7 Extended Window Size).  Public API only,
 * like the rest of the case library (lt.h). */
#ifndef L2TESTER_LT_ERTM_H
#define L2TESTER_LT_ERTM_H

#include "tools/l2tester/lt.h"

/* The control field's form. */
enum lt_ctl_kind {
	LT_CTL_STD, /* standard 16-bit: Retransmission / Flow Control modes (R bit) */
	LT_CTL_ENH, /* enhanced 16-bit: ERTM / Streaming (6-bit sequence numbers) */
	LT_CTL_EXT, /* extended 32-bit: ERTM / Streaming with Extended Window Size (14-bit) */
};

/* S-frame functions (the S bits). */
enum { LT_S_RR = 0, LT_S_REJ = 1, LT_S_RNR = 2, LT_S_SREJ = 3 };
/* SAR values. */
enum { LT_SAR_UNSEG = 0, LT_SAR_START = 1, LT_SAR_END = 2, LT_SAR_CONT = 3 };

struct lt_ctl {
	bool s;		 /* an S-frame (else an I-frame) */
	uint16_t txseq;	 /* I-frame */
	uint16_t reqseq;
	uint8_t sar;	 /* I-frame */
	uint8_t sfunc;	 /* S-frame: LT_S_* */
	bool p, f;	 /* enhanced / extended (S-frames carry P; both carry F) */
	bool r;		 /* standard */
};

/* The format of one channel's frames. */
struct lt_fmt {
	enum lt_ctl_kind kind;
	bool fcs; /* a 2-octet FCS ends each frame */
};

/* Octets of the control field (2 or 4). */
size_t lt_ctl_len(enum lt_ctl_kind k);
/* Encode c into out (lt_ctl_len octets); decode: false if n is too short. */
size_t lt_ctl_put(enum lt_ctl_kind k, const struct lt_ctl *c, uint8_t *out);
bool lt_ctl_get(enum lt_ctl_kind k, const uint8_t *p, size_t n, struct lt_ctl *c);
/* "I(tx=3 req=1 sar=0 F=0)" / "RR(req=2 P=1 F=0)" for the log and reasons. */
const char *lt_ctl_str(const struct lt_ctl *c, char *buf, size_t n);

/* CRC-16 of 3.3.5 (generator x^16 + x^15 + x^2 + 1, initial 0, LSB first) over n octets,
 * continuing from crc (0 to start). */
uint16_t lt_crc16(const uint8_t *p, size_t n, uint16_t crc);

/* Send one frame on cid: the control field, the SDU length field when sdu_len >= 0 (an
 * I-frame with SAR start), the information octets and (f->fcs) the FCS over the basic header
 * and all that precedes it. */
int lt_send_frame(struct lt *t, uint16_t cid, const struct lt_fmt *f, const struct lt_ctl *c, int sdu_len,
		  const uint8_t *info, size_t n);
static inline int lt_send_s(struct lt *t, uint16_t cid, const struct lt_fmt *f, uint8_t sfunc, uint16_t reqseq,
			    bool p, bool fbit)
{
	struct lt_ctl c = {.s = true, .sfunc = sfunc, .reqseq = reqseq, .p = p, .f = fbit};
	return lt_send_frame(t, cid, f, &c, -1, NULL, 0);
}
static inline int lt_send_i(struct lt *t, uint16_t cid, const struct lt_fmt *f, uint16_t txseq, uint16_t reqseq,
			    bool fbit, const uint8_t *sdu, size_t n)
{
	struct lt_ctl c = {.txseq = txseq, .reqseq = reqseq, .f = fbit, .sar = LT_SAR_UNSEG};
	return lt_send_frame(t, cid, f, &c, -1, sdu, n);
}

/* A frame the IUT sent, decoded. */
struct lt_frame {
	struct lt_ctl c;
	int sdu_len;	     /* I-frame with SAR start: the SDU length field, else -1 */
	const uint8_t *info; /* the information octets (into the PDU) */
	size_t info_len;
};
/* Decode p (a PDU of the channel) in format f: the length, the FCS (when f->fcs) and the
 * reserved bits are checked; false with a fail verdict naming what (what: "the IUT's I-frame")
 * and the frame. */
bool lt_frame_parse(struct lt *t, const struct lt_pdu *p, const struct lt_fmt *f, struct lt_frame *out,
		    const char *what);
/* The next frame on cid within ms, decoded (NULL with a fail verdict when none comes or it is
 * malformed).  out->info points into the returned PDU. */
const struct lt_pdu *lt_next_frame(struct lt *t, uint16_t cid, const struct lt_fmt *f, struct lt_frame *out,
				   uint64_t ms, const char *what);

/* ---- configuration options (5.4, 5.5, 5.7): each writes the option and returns its length */
struct lt_rfc {
	uint8_t mode; /* 0 Basic, 1 Retransmission, 2 Flow Control, 3 ERTM, 4 Streaming */
	uint8_t txwin, max_transmit;
	uint16_t rtx_ms, mon_ms, mps;
};
size_t lt_opt_rfc(uint8_t *out, const struct lt_rfc *r);
size_t lt_opt_fcs(uint8_t *out, uint8_t type); /* 0 none, 1 CRC-16 */
size_t lt_opt_ews(uint8_t *out, uint16_t win);
size_t lt_opt_mtu(uint8_t *out, uint16_t mtu);
/* The option of this type (hint bit ignored) among the n option octets at p: a pointer to its
 * type octet, or NULL (none, or the options are malformed).  *len gets its value's length. */
const uint8_t *lt_opt_find(const uint8_t *p, size_t n, uint8_t type, size_t *len);
bool lt_rfc_parse(const uint8_t *opt, size_t len, struct lt_rfc *r);

/* Extended features bits (Information Response type 0x0002, 4.12). */
enum {
	LT_FEAT_FLOWCTL = 1u << 0,
	LT_FEAT_RETRANS = 1u << 1,
	LT_FEAT_ERTM = 1u << 3,
	LT_FEAT_STREAMING = 1u << 4,
	LT_FEAT_FCS = 1u << 5,
	LT_FEAT_FIXED = 1u << 7,
	LT_FEAT_EWS = 1u << 8,
	LT_FEAT_UCD = 1u << 9,
	LT_FEAT_ECFC = 1u << 10,
};

#endif
