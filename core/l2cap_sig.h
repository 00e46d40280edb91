/* L2CAP signaling codec: pure encode/decode of signaling C-frames and of every command
 * (Core v5.4 Vol 3 Part A, 4).  No state, no I/O, no allocation.
 *
 * Receiving.  The payload of a C-frame (the bytes after the 4-octet basic header on CID 0x0001
 * or 0x0005) holds commands back to back: Code(1) Identifier(1) Length(2) Data(Length).
 * Walk it with l2cap_sig_next(); for each complete command look its code up with
 * l2cap_sig_cmd_info() (unknown code or not allowed on this link -> Command Reject "not
 * understood" with the command's identifier, 4.1) and decode its data with the matching
 * l2cap_parse_X(cmd.data, cmd.len, &x).
 *
 * Parsers.  Every l2cap_parse_X(d, len, out) reads only d[0..len-1] and returns:
 *   0            decoded; out is filled;
 *   L2K_EBADMSG  the data is shorter than the command's fixed fields, longer than a fixed-size
 *                command (see below), or, for the variable parts described at each parser,
 *                not well formed.  A request answered this
 *                way gets Command Reject reason 0x0000 "Command not understood" carrying the
 *                request's identifier (4.1: sent "when sending the corresponding response is
 *                inappropriate"; L2CAP.TS COS/CED/BI-10/-11/-12); a malformed response is
 *                dropped (a response is never answered with Command Reject).
 * When the fixed fields are all there but a variable part is malformed (a CID list, the value of
 * a Command Reject or Information Response), the fixed fields are decoded in out; after any
 * other error out's content is unspecified.
 * A command's Data is exactly what its layout holds (Vol 3 Part A 4: the Code field
 * determines the format of the Data field, the Length field its length).  A command of a fixed
 * size (Connection, Disconnection, Information and Connection Parameter Update Requests, the LE
 * Credit Based Connection Request, the Flow Control Credit Indication, their responses ...)
 * whose Length is larger than that size is as malformed as a shorter one: L2K_EBADMSG, so a
 * request gets Command Reject "not understood" in both cases and a response is dropped in both
 * (l2kit used to decode a longer command from its prefix; Linux and Zephyr reject the extra
 * octets of these commands with "not understood", and a Connection Request with a longer PSM
 * field - the PSM is extensible, 4.2 - would have had its Source CID read from the PSM's
 * octets).  A variable part takes the rest: configuration options, echo data, a CID list (in
 * whole CIDs), and the data of a Command Reject reason or an Information Response InfoType
 * l2kit does not know; the data of a known reason / InfoType have their fixed size.
 * l2cap_sig_cmd_info(code) tells min_len and whether the command is variable.
 * Pointers placed in out (options, echo data, reject data, info data) point into d: they are
 * valid as long as the caller's buffer is.
 *
 * One declaration per command.  core/l2cap_sig.c declares each command once, in a table (code,
 * name, links, kind, and its fields in wire order naming the members of the struct below);
 * every parser and builder here is a one-line wrapper over one table-driven parser and builder,
 * and l2cap_sig_cmd_info() returns the same table's entry.
 *
 * Builders.  Every l2cap_build_X(buf, cap, ident, in) writes the complete command, 4-octet
 * command header included, and returns its length in octets; it returns 0 (writing nothing
 * useful) if cap is too small or if in cannot be encoded (documented per builder).  They do
 * not add the basic L2CAP header and do not check the peer's MTUsig: the caller does both.
 */
#ifndef L2K_L2CAP_SIG_H
#define L2K_L2CAP_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/l2cap_defs.h"
#include "base/l2k_error.h"

/* ---------------------------------------------------------------------------------------- */
/* C-frame iteration                                                                         */

/* One command seen in a C-frame. */
struct l2cap_sig_cmd {
	uint8_t code;
	uint8_t ident;
	uint16_t len;	     /* the Length field as received */
	const uint8_t *data; /* first data octet (inside the caller's buffer) */
	size_t avail;	     /* data octets actually present: == len, except after L2K_EMSGSIZE */
};

/* Returns of l2cap_sig_next() */
#define L2CAP_SIG_DONE 0 /* *off == len: every command has been returned */
#define L2CAP_SIG_CMD 1	 /* *cmd is one complete command; *off moved past it */

/* Returns the next command of the C-frame payload p[0..len-1] starting at *off.
 *   L2CAP_SIG_CMD (1)  *cmd is complete (cmd->avail == cmd->len); *off advances past it.
 *   L2CAP_SIG_DONE (0) nothing is left (*off == len).
 *   L2K_EBADMSG        1 to 3 octets remain: too few for a command header.  *cmd is not
 *                      touched, *off is set to len.  Caller: discard those octets silently;
 *                      there is no complete header and so no identifier to answer (this is
 *                      the stray octet of L2CAP.TS COS/CED/BI-12/-13).
 *   L2K_EMSGSIZE       a header is present but its Length claims more octets than remain.
 *                      *cmd holds code, ident, the claimed len, data and avail (< len);
 *                      *off is set to len.  Caller: do not act on the command and stop
 *                      processing the C-frame.  Suggested: if it is a request (see
 *                      l2cap_sig_cmd_info()) answer Command Reject reason 0x0000 "Command
 *                      not understood" with cmd->ident, as BlueZ does (Zephyr drops it
 *                      silently instead; the specification prescribes neither).  Commands
 *                      returned before this one were complete and are answered normally
 *                      (L2CAP.TS COS/CED/BI-08/-09/-14 to -17/-20/-24/-25: a multi-command
 *                      PDU whose last command is truncated).
 *   L2K_EINVAL         p, off or cmd is NULL, or *off > len.
 * On ACL-U several commands may share one C-frame; on LE-U a C-frame carries exactly one
 * command (4), so an LE caller handles the first command only and ignores trailing octets.
 * The caller also checks the C-frame against its MTUsig before walking it (4: one Command
 * Reject 0x0001 for the whole frame, identifier of the first request) and treats an
 * identifier of 0x00 (L2CAP_SIG_IDENT_INVALID) as illegal. */
int l2cap_sig_next(const uint8_t *p, size_t len, size_t *off, struct l2cap_sig_cmd *cmd);

/* What kind of command a code is and where it may appear. */
#define L2CAP_LINK_ACL 0x01 /* allowed on the ACL-U signaling channel (CID 0x0001) */
#define L2CAP_LINK_LE 0x02  /* allowed on the LE-U signaling channel (CID 0x0005) */
enum l2cap_sig_kind { L2CAP_SIG_REQUEST, L2CAP_SIG_RESPONSE, L2CAP_SIG_INDICATION };

struct l2cap_sig_cmd_info {
	const char *name;	  /* e.g. "L2CAP_CONNECTION_REQ" */
	uint16_t min_len;	  /* smallest well-formed Data length: the fixed fields, plus
				   * one CID for the two credit based requests */
	uint8_t variable;	  /* 1 if Data may legitimately be longer than min_len */
	uint8_t links;		  /* L2CAP_LINK_* mask, Table 4.2 */
	enum l2cap_sig_kind kind; /* Command Reject counts as a response */
};

/* Facts about a command code; NULL for reserved codes and the withdrawn AMP codes 0x0C-0x11
 * (answer those with Command Reject "not understood" when they arrive in a request position). */
const struct l2cap_sig_cmd_info *l2cap_sig_cmd_info(uint8_t code);

/* 1 if code is a known command permitted on link (L2CAP_LINK_ACL or L2CAP_LINK_LE), else 0. */
int l2cap_sig_cmd_allowed(uint8_t code, uint8_t link);

/* Writes a command header plus data[0..len-1] (memmove: data may already sit at buf + 4).
 * Returns 4 + len, or 0 if cap < 4 + len, len > 0xFFFF, or data is NULL with len > 0. */
size_t l2cap_build_cmd(uint8_t *buf, size_t cap, uint8_t code, uint8_t ident, const uint8_t *data,
		       size_t len);

/* ---------------------------------------------------------------------------------------- */
/* Command Reject (0x01, 4.1): Reason(2) Data(0-4)                                           */
struct l2cap_cmd_rej {
	uint16_t reason;     /* L2CAP_REJ_* */
	uint16_t mtu;	     /* reason 0x0001: the rejecter's actual MTUsig */
	uint16_t local_cid;  /* reason 0x0002: the rejecter's endpoint = DCID of the rejected cmd */
	uint16_t remote_cid; /* reason 0x0002: the other endpoint = SCID of the rejected cmd */
	const uint8_t *data; /* raw reason data (any reason) */
	uint16_t data_len;
};
/* L2K_EBADMSG if len < 2, or if reason 0x0001 has other than 2 data octets, or reason 0x0002
 * other than 4 (a truncated or overlong Command Reject).  Reason 0x0000 and unknown reasons
 * decode with only the raw data (any length).
 * The caller never answers a Command Reject (it is a response). */
int l2cap_parse_cmd_rej(const uint8_t *d, size_t len, struct l2cap_cmd_rej *out);
/* Writes reason plus 0, 2 (mtu) or 4 (local_cid, remote_cid) octets according to reason;
 * data/data_len are ignored (unknown reasons get no data). */
size_t l2cap_build_cmd_rej(uint8_t *buf, size_t cap, uint8_t ident, const struct l2cap_cmd_rej *in);

/* Connection Request (0x02, 4.2): PSM(2) Source CID(2).  Fixed 4 octets.
 * The PSM field is defined as "2 octets minimum" with an extension rule that no assigned PSM
 * uses; l2kit reads it as 2 octets (as every deployed stack does); l2cap_psm_valid() tells
 * whether the value obeys the LSB rules. */
struct l2cap_conn_req {
	uint16_t psm;
	uint16_t scid;
};
int l2cap_parse_conn_req(const uint8_t *d, size_t len, struct l2cap_conn_req *out);
size_t l2cap_build_conn_req(uint8_t *buf, size_t cap, uint8_t ident,
			    const struct l2cap_conn_req *in);

/* Connection Response (0x03, 4.3): DCID(2) SCID(2) Result(2) Status(2).  Fixed 8 octets. */
struct l2cap_conn_rsp {
	uint16_t dcid;
	uint16_t scid;
	uint16_t result; /* L2CAP_CR_* */
	uint16_t status; /* L2CAP_CS_*, meaningful with L2CAP_CR_PENDING */
};
int l2cap_parse_conn_rsp(const uint8_t *d, size_t len, struct l2cap_conn_rsp *out);
size_t l2cap_build_conn_rsp(uint8_t *buf, size_t cap, uint8_t ident,
			    const struct l2cap_conn_rsp *in);

/* Configuration Request (0x04, 4.4): DCID(2) Flags(2) Options(0+).
 * The options are left raw: decode them with l2cap_conf_parse() (core/l2cap_conf.h). */
struct l2cap_conf_req {
	uint16_t dcid;
	uint16_t flags;	     /* L2CAP_CONF_FLAG_CONTINUATION; other bits reserved */
	const uint8_t *opts; /* options blob (in the parser: points into d) */
	uint16_t opts_len;
};
int l2cap_parse_conf_req(const uint8_t *d, size_t len, struct l2cap_conf_req *out);
/* Copies opts with memmove, so the options may have been built in place at buf + 8. */
size_t l2cap_build_conf_req(uint8_t *buf, size_t cap, uint8_t ident,
			    const struct l2cap_conf_req *in);

/* Configuration Response (0x05, 4.5): SCID(2) Flags(2) Result(2) Options(0+).
 * With result L2CAP_CONF_UNKNOWN_OPTIONS the "options" are the bare type octets of the
 * options that were not understood (4.5). */
struct l2cap_conf_rsp {
	uint16_t scid;
	uint16_t flags;
	uint16_t result; /* L2CAP_CONF_* results */
	const uint8_t *opts;
	uint16_t opts_len;
};
int l2cap_parse_conf_rsp(const uint8_t *d, size_t len, struct l2cap_conf_rsp *out);
/* Copies opts with memmove, so the options may have been built in place at buf + 10. */
size_t l2cap_build_conf_rsp(uint8_t *buf, size_t cap, uint8_t ident,
			    const struct l2cap_conf_rsp *in);

/* Disconnection Request / Response (0x06 / 0x07, 4.6 / 4.7): DCID(2) SCID(2).  Fixed 4. */
struct l2cap_disconn {
	uint16_t dcid;
	uint16_t scid;
};
int l2cap_parse_disconn_req(const uint8_t *d, size_t len, struct l2cap_disconn *out);
int l2cap_parse_disconn_rsp(const uint8_t *d, size_t len, struct l2cap_disconn *out);
size_t l2cap_build_disconn_req(uint8_t *buf, size_t cap, uint8_t ident,
			       const struct l2cap_disconn *in);
size_t l2cap_build_disconn_rsp(uint8_t *buf, size_t cap, uint8_t ident,
			       const struct l2cap_disconn *in);

/* Echo Request / Response (0x08 / 0x09, 4.8 / 4.9): Data(0+), ACL-U only.  Never malformed. */
struct l2cap_echo {
	const uint8_t *data;
	uint16_t len;
};
int l2cap_parse_echo(const uint8_t *d, size_t len, struct l2cap_echo *out);
size_t l2cap_build_echo_req(uint8_t *buf, size_t cap, uint8_t ident, const struct l2cap_echo *in);
size_t l2cap_build_echo_rsp(uint8_t *buf, size_t cap, uint8_t ident, const struct l2cap_echo *in);

/* Information Request (0x0A, 4.10): InfoType(2).  Fixed 2. */
struct l2cap_info_req {
	uint16_t type; /* L2CAP_INFO_CONNECTIONLESS_MTU / _EXTENDED_FEATURES / _FIXED_CHANNELS */
};
int l2cap_parse_info_req(const uint8_t *d, size_t len, struct l2cap_info_req *out);
size_t l2cap_build_info_req(uint8_t *buf, size_t cap, uint8_t ident,
			    const struct l2cap_info_req *in);

/* Information Response (0x0B, 4.11): InfoType(2) Result(2) Data(0+).
 * With result Success the data is 2 octets (connectionless MTU), 4 (extended feature mask,
 * 4.12) or 8 (fixed channels mask, 4.13) according to type. */
struct l2cap_info_rsp {
	uint16_t type;
	uint16_t result;	 /* L2CAP_INFO_SUCCESS / L2CAP_INFO_NOT_SUPPORTED */
	uint16_t mtu;		 /* type 0x0001 + success */
	uint32_t features;	 /* type 0x0002 + success: L2CAP_FEAT_* */
	uint64_t fixed_channels; /* type 0x0003 + success: L2CAP_FIXED_CHAN_* */
	const uint8_t *data;	 /* raw data for any type */
	uint16_t data_len;
};
/* L2K_EBADMSG if len < 4, or if the result is Success for a known type and the data is not
 * that type's size (a truncated or overlong Information Response).  Unknown types and
 * non-success results decode with the raw data only (any length). */
int l2cap_parse_info_rsp(const uint8_t *d, size_t len, struct l2cap_info_rsp *out);
/* With result Success and a known type writes that type's value field (mtu / features /
 * fixed_channels); otherwise writes data/data_len as given (NULL/0 for none). */
size_t l2cap_build_info_rsp(uint8_t *buf, size_t cap, uint8_t ident,
			    const struct l2cap_info_rsp *in);

/* Connection Parameter Update Request (0x12, 4.20): IntervalMin(2) IntervalMax(2)
 * Latency(2) Timeout(2).  Fixed 8.  LE-U only; only a Peripheral sends it.  The codec does
 * not check the ranges: use L2CAP_CPU_* from l2cap_defs.h. */
struct l2cap_conn_param_req {
	uint16_t interval_min; /* 1.25 ms units */
	uint16_t interval_max;
	uint16_t latency;  /* peripheral latency, connection events */
	uint16_t timeout;  /* supervision timeout multiplier, 10 ms units */
};
int l2cap_parse_conn_param_req(const uint8_t *d, size_t len, struct l2cap_conn_param_req *out);
size_t l2cap_build_conn_param_req(uint8_t *buf, size_t cap, uint8_t ident,
				  const struct l2cap_conn_param_req *in);

/* Connection Parameter Update Response (0x13, 4.21): Result(2).  Fixed 2. */
struct l2cap_conn_param_rsp {
	uint16_t result; /* L2CAP_CPU_ACCEPTED / L2CAP_CPU_REJECTED */
};
int l2cap_parse_conn_param_rsp(const uint8_t *d, size_t len, struct l2cap_conn_param_rsp *out);
size_t l2cap_build_conn_param_rsp(uint8_t *buf, size_t cap, uint8_t ident,
				  const struct l2cap_conn_param_rsp *in);

/* LE Credit Based Connection Request (0x14, 4.22): SPSM(2) SCID(2) MTU(2) MPS(2)
 * InitialCredits(2).  Fixed 10.  Ranges (MTU >= 23, MPS 23-65533, SPSM, dynamic SCID) are the
 * caller's to check: they map to result codes, not to Command Reject. */
struct l2cap_le_conn_req {
	uint16_t spsm;
	uint16_t scid;
	uint16_t mtu;
	uint16_t mps;
	uint16_t credits;
};
int l2cap_parse_le_conn_req(const uint8_t *d, size_t len, struct l2cap_le_conn_req *out);
size_t l2cap_build_le_conn_req(uint8_t *buf, size_t cap, uint8_t ident,
			       const struct l2cap_le_conn_req *in);

/* LE Credit Based Connection Response (0x15, 4.23): DCID(2) MTU(2) MPS(2) InitialCredits(2)
 * Result(2).  Fixed 10. */
struct l2cap_le_conn_rsp {
	uint16_t dcid;
	uint16_t mtu;
	uint16_t mps;
	uint16_t credits;
	uint16_t result; /* L2CAP_LE_* */
};
int l2cap_parse_le_conn_rsp(const uint8_t *d, size_t len, struct l2cap_le_conn_rsp *out);
size_t l2cap_build_le_conn_rsp(uint8_t *buf, size_t cap, uint8_t ident,
			       const struct l2cap_le_conn_rsp *in);

/* Flow Control Credit Indication (0x16, 4.24): CID(2) Credits(2).  Fixed 4.
 * CID is the sender's source CID (the receiver's destination). */
struct l2cap_credit_ind {
	uint16_t cid;
	uint16_t credits;
};
int l2cap_parse_credit_ind(const uint8_t *d, size_t len, struct l2cap_credit_ind *out);
size_t l2cap_build_credit_ind(uint8_t *buf, size_t cap, uint8_t ident,
			      const struct l2cap_credit_ind *in);

/* Credit Based Connection Request (0x17, 4.25): SPSM(2) MTU(2) MPS(2) InitialCredits(2)
 * SourceCID(2) x 1..5.  Variable, 10..18 octets. */
struct l2cap_ecfc_conn_req {
	uint16_t spsm;
	uint16_t mtu;
	uint16_t mps;
	uint16_t credits;
	uint8_t n_scid;			       /* see the parser */
	uint16_t scid[L2CAP_ECFC_MAX_CIDS];
};
/* Returns:
 *   0            well formed, 1 <= n_scid <= 5.
 *   L2K_EBADMSG  len < 8 (the fixed fields are missing): Command Reject "not understood".
 *   L2K_EINVAL   the fixed fields decoded (spsm/mtu/mps/credits valid in out) but the CID list
 *                is empty, has an odd number of octets or holds more than 5 CIDs.
 *                n_scid is the number of whole CIDs present (may exceed 5; only the first 5
 *                are stored).  Caller: answer a Credit Based Connection Response with result
 *                L2CAP_ECFC_INVALID_PARAMS (0x000C) and a zero DCID per requested CID, as
 *                BlueZ does (L2CAP.TS COS/CED/BI-18/-20/-22). */
int l2cap_parse_ecfc_conn_req(const uint8_t *d, size_t len, struct l2cap_ecfc_conn_req *out);
/* Returns 0 if n_scid is 0 or more than 5. */
size_t l2cap_build_ecfc_conn_req(uint8_t *buf, size_t cap, uint8_t ident,
				 const struct l2cap_ecfc_conn_req *in);

/* Credit Based Connection Response (0x18, 4.26): MTU(2) MPS(2) InitialCredits(2) Result(2)
 * DestinationCID(2) x 0..5 (one per requested channel; 0x0000 for a refused one). */
struct l2cap_ecfc_conn_rsp {
	uint16_t mtu;
	uint16_t mps;
	uint16_t credits;
	uint16_t result; /* L2CAP_ECFC_* */
	uint8_t n_dcid;
	uint16_t dcid[L2CAP_ECFC_MAX_CIDS];
};
/* L2K_EBADMSG if len < 8, if the DCID list has an odd number of octets or more than 5 CIDs
 * (a malformed response: drop it and treat the pending request as failed).  With len >= 8 the
 * fixed fields are decoded in out even then (a refusal of the whole request needs no DCID). */
int l2cap_parse_ecfc_conn_rsp(const uint8_t *d, size_t len, struct l2cap_ecfc_conn_rsp *out);
/* Returns 0 if n_dcid > 5 (0 DCIDs is allowed). */
size_t l2cap_build_ecfc_conn_rsp(uint8_t *buf, size_t cap, uint8_t ident,
				 const struct l2cap_ecfc_conn_rsp *in);

/* Credit Based Reconfigure Request (0x19, 4.27): MTU(2) MPS(2) DestinationCID(2) x 1..5.
 * The CIDs name the channels at the receiver of the request (its local CIDs). */
struct l2cap_ecfc_reconf_req {
	uint16_t mtu;
	uint16_t mps;
	uint8_t n_dcid;
	uint16_t dcid[L2CAP_ECFC_MAX_CIDS];
};
/* Returns 0; L2K_EBADMSG if len < 4 (Command Reject "not understood"); L2K_EINVAL if mtu and
 * mps decoded but the CID list is empty, odd or longer than 5 (n_dcid as for the connection
 * request).  Caller: answer a Reconfigure Response, result L2CAP_RECONF_UNACCEPTABLE (0x0004)
 * for a bad count, L2CAP_RECONF_INVALID_DCID for unknown CIDs. */
int l2cap_parse_ecfc_reconf_req(const uint8_t *d, size_t len, struct l2cap_ecfc_reconf_req *out);
/* Returns 0 if n_dcid is 0 or more than 5. */
size_t l2cap_build_ecfc_reconf_req(uint8_t *buf, size_t cap, uint8_t ident,
				   const struct l2cap_ecfc_reconf_req *in);

/* Credit Based Reconfigure Response (0x1A, 4.28): Result(2).  Fixed 2. */
struct l2cap_ecfc_reconf_rsp {
	uint16_t result; /* L2CAP_RECONF_* */
};
int l2cap_parse_ecfc_reconf_rsp(const uint8_t *d, size_t len, struct l2cap_ecfc_reconf_rsp *out);
size_t l2cap_build_ecfc_reconf_rsp(uint8_t *buf, size_t cap, uint8_t ident,
				   const struct l2cap_ecfc_reconf_rsp *in);

#endif
