/* L2CAP configuration options codec (Core v5.4 Vol 3 Part A, 5): decode the option list of a
 * Configuration Request or Response into one struct, and write any subset of options back.
 * Pure functions, no allocation.
 *
 * Option format (5): Type(1) Length(1) Data(Length).  Bit 7 of Type is the hint bit: an
 * option the receiver does not understand is skipped silently when the bit is 1; when it is 0
 * the whole request is refused with result 0x0003 "Unknown options" and the response lists
 * the unknown option types, one type octet each, hints excluded (4.5).
 *
 * Malformed option lists.  Every option of 5.1-5.7 has one exact length (MTU 2, Flush Timeout
 * 2, QoS 22, RFC 9, FCS 1, EFS 16, EWS 2), and an option list is a sequence of whole options.
 * A known option whose Length differs from its size, an option header cut short (one octet
 * left), or an option whose Length runs past the end of the list cannot be interpreted; the
 * specification defines no partial acceptance, so l2kit treats the whole list as malformed:
 *   - in a Configuration Request: answer a Configuration Response with result 0x0002
 *     "Rejected (no reason provided)" (4.5) and apply none of its options (Zephyr answers the
 *     same for an MTU option of the wrong length);
 *   - in a Configuration Response: apply none of it and treat the exchange as failed
 *     (the channel state machine disconnects, as for any failed configuration).
 * A known option with the hint bit set is decoded like the option itself (the hint bit only
 * matters for options that are not understood).  A repeated option overwrites the earlier
 * value.  Unknown hints of any length are skipped (their length still has to fit the list).
 */
#ifndef L2K_L2CAP_CONF_H
#define L2K_L2CAP_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "core/l2cap_defs.h"
#include "base/l2k_error.h"

/* Presence bits: bit N stands for option type N. */
#define L2CAP_CONF_HAS(type) (1u << (type))
#define L2CAP_CONF_HAS_MTU L2CAP_CONF_HAS(L2CAP_CONF_OPT_MTU)
#define L2CAP_CONF_HAS_FLUSH_TIMEOUT L2CAP_CONF_HAS(L2CAP_CONF_OPT_FLUSH_TIMEOUT)
#define L2CAP_CONF_HAS_QOS L2CAP_CONF_HAS(L2CAP_CONF_OPT_QOS)
#define L2CAP_CONF_HAS_RFC L2CAP_CONF_HAS(L2CAP_CONF_OPT_RFC)
#define L2CAP_CONF_HAS_FCS L2CAP_CONF_HAS(L2CAP_CONF_OPT_FCS)
#define L2CAP_CONF_HAS_EFS L2CAP_CONF_HAS(L2CAP_CONF_OPT_EFS)
#define L2CAP_CONF_HAS_EWS L2CAP_CONF_HAS(L2CAP_CONF_OPT_EWS)
#define L2CAP_CONF_HAS_ALL 0xFEu

/* Longest list l2cap_conf_build() can write (every option once): 7 headers + 54 data octets */
#define L2CAP_CONF_OPTS_MAX_LEN 68
/* Unknown option types remembered by the parser */
#define L2CAP_CONF_MAX_UNKNOWN 16

/* Quality of Service flow specification (5.3), 22 octets */
struct l2cap_conf_qos {
	uint8_t flags;	      /* reserved, 0 */
	uint8_t service_type; /* L2CAP_SERVICE_* */
	uint32_t token_rate;  /* octets/s */
	uint32_t token_bucket_size; /* octets */
	uint32_t peak_bandwidth;    /* octets/s */
	uint32_t latency;	    /* microseconds */
	uint32_t delay_variation;   /* microseconds */
};

/* Retransmission and Flow Control (5.4), 9 octets */
struct l2cap_conf_rfc {
	uint8_t mode; /* L2CAP_MODE_* */
	uint8_t tx_window;
	uint8_t max_transmit;
	uint16_t retrans_timeout;  /* ms */
	uint16_t monitor_timeout;  /* ms */
	uint16_t mps;		   /* maximum PDU payload size */
};

/* Extended Flow Specification (5.6), 16 octets */
struct l2cap_conf_efs {
	uint8_t id;
	uint8_t service_type;	   /* L2CAP_SERVICE_* */
	uint16_t max_sdu;	   /* octets */
	uint32_t sdu_inter_time;   /* microseconds */
	uint32_t access_latency;   /* microseconds */
	uint32_t flush_timeout;	   /* microseconds */
};

struct l2cap_conf_opts {
	uint32_t present;	/* L2CAP_CONF_HAS_* bits of the options below */
	uint16_t mtu;		/* 5.1 */
	uint16_t flush_timeout; /* 5.2, ms */
	struct l2cap_conf_qos qos;
	struct l2cap_conf_rfc rfc;
	uint8_t fcs;		/* 5.5: L2CAP_FCS_NONE / L2CAP_FCS_16BIT */
	struct l2cap_conf_efs efs;
	uint16_t ews;		/* 5.7: maximum window size */
	/* filled by the parser, ignored by the builder: */
	uint8_t n_unknown;	/* unknown non-hint types stored in unknown[] */
	uint16_t n_unknown_total; /* unknown non-hint options seen (may exceed the array) */
	uint16_t n_hints_skipped; /* unknown hints skipped */
	uint8_t unknown[L2CAP_CONF_MAX_UNKNOWN]; /* their type octets, in order of arrival */
};

/* One raw option as found in a list. */
struct l2cap_conf_opt {
	uint8_t type; /* as received, hint bit included */
	uint8_t len;
	const uint8_t *data; /* into the caller's buffer */
};

/* Exact Length of a known option type (hint bit ignored); -1 for unknown types. */
int l2cap_conf_opt_len(uint8_t type);

/* Walks a raw option list p[0..len-1] from *off (start at 0).  Returns 1 and fills *opt
 * (advancing *off) for each whole option, 0 when *off == len, L2K_EBADMSG when one octet is
 * left or an option's Length runs past len (then *off = len), L2K_EINVAL on NULL arguments or
 * *off > len.  Checks nothing about types or lengths: see l2cap_conf_parse(). */
int l2cap_conf_next(const uint8_t *p, size_t len, size_t *off, struct l2cap_conf_opt *opt);

/* Returns of l2cap_conf_parse() / l2cap_conf_merge() besides 0 and L2K_EBADMSG */
#define L2CAP_CONF_PARSE_UNKNOWN 1

/* Resets o: nothing present, no unknown options. */
void l2cap_conf_opts_clear(struct l2cap_conf_opts *o);

/* Decodes the option list p[0..len-1] (len 0 = no options) into a cleared *o.  Returns:
 *   0                         every option was known or an unknown hint: o->present tells
 *                             which options came; the caller judges the values and answers
 *                             Success / Unacceptable parameters / Pending as it sees fit.
 *   L2CAP_CONF_PARSE_UNKNOWN  well formed, but at least one unknown non-hint option: answer
 *                             result 0x0003 with the type octets o->unknown[0..n_unknown-1]
 *                             (l2cap_conf_build_unknown()); known options were still decoded.
 *   L2K_EBADMSG               malformed (see the top of this file): answer 0x0002 Rejected
 *                             for a request; *o is then partially filled and must be ignored.
 *   L2K_EINVAL                o is NULL, or p is NULL with len > 0. */
int l2cap_conf_parse(const uint8_t *p, size_t len, struct l2cap_conf_opts *o);

/* As l2cap_conf_parse() without clearing *o first: for options spread over several
 * Configuration Requests joined by the continuation flag (4.4).  Later values overwrite
 * earlier ones, unknown types accumulate; returns L2CAP_CONF_PARSE_UNKNOWN if o holds any
 * unknown option after the merge.  Note that one option may not be split between two
 * fragments through this function; a caller that must accept that buffers the raw fragments
 * and calls l2cap_conf_parse() on the whole list. */
int l2cap_conf_merge(const uint8_t *p, size_t len, struct l2cap_conf_opts *o);

/* Writes every option whose L2CAP_CONF_HAS_* bit is set in o->present, in ascending type
 * order, hint bit clear, with the values from o.  Returns the number of octets written (0 when
 * nothing is present), L2K_ENOBUFS if cap is too small (nothing useful written), L2K_EINVAL if
 * o is NULL or buf is NULL with cap > 0.  Use it for Requests (the wanted values) and for
 * Responses (the accepted values, or with Unacceptable parameters the acceptable ones). */
int l2cap_conf_build(uint8_t *buf, size_t cap, const struct l2cap_conf_opts *o);

/* Writes n option type octets (the Config field of a result 0x0003 response, 4.5).
 * Returns n, L2K_ENOBUFS if cap < n, L2K_EINVAL on NULL arguments. */
int l2cap_conf_build_unknown(uint8_t *buf, size_t cap, const uint8_t *types, size_t n);

#endif
