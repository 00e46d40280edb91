/* L2CAP signaling codec (Core v5.4 Vol 3 Part A, 4).  Contracts are in core/l2cap_sig.h.
 *
 * Design: one table, one interpreter.  Every command is declared once, in sig_table[] below:
 * its code, specification name, links (Table 4.2), kind, the struct l2cap_X that holds it, and
 * its Data fields in wire order, each naming the struct member it fills.  One generic parser
 * (sig_parse) and one generic builder (sig_build) walk that field list and read or write the
 * struct through offsetof(); every l2cap_parse_X / l2cap_build_X of l2cap_sig.h is a one-line
 * wrapper over them, and l2cap_sig_cmd_info() returns the same table entry.  The facts of
 * l2cap_sig_cmd_info (min_len, variable) are computed from the field list at compile time, so
 * no layout, size or offset is written twice.
 *
 * Field kinds (as BTstack's format strings or Bumble's field lists, in C):
 *   (U16, m)                 2 octets, little endian <-> uint16_t m (U32, U64 likewise)
 *   (BYTES, p, n)            the rest of Data <-> const uint8_t *p, uint16_t n (the parser
 *                            points into the caller's buffer; the builder copies with memmove,
 *                            so the octets may already sit where they belong)
 *   (CIDS, a, n, fewest)     the rest of Data as 16-bit CIDs <-> uint16_t a[5], uint8_t n;
 *                            well formed with fewest..5 whole CIDs.  A bad list in a request is
 *                            L2K_EINVAL (the fields before it are valid: the caller answers
 *                            with a result code), in a response L2K_EBADMSG
 *   (RAW, p, n)              the rest of Data seen as raw octets (p, n) without consuming them:
 *                            the conditional fields after it decode the same octets.  Not
 *                            written by the builder
 *   (RAW_ELSE, p, n)         the same, but the builder writes p/n when no conditional field
 *                            applies (an unknown type has only raw data)
 *   (U16_IF, m, s, v)        a U16 present only when the uint16_t member s == v (decoded
 *                            earlier); (U16_IF2, m, s, v, s2, v2) and U32_IF2, U64_IF2 need
 *                            s2 == v2 too.  Absent: nothing on air, and the parser sets m to 0
 * Every read is bounds-checked against the command's Length as it happens; a struct member of
 * the wrong C type for its field kind does not compile (_Generic in SIG_OFF), and the typed
 * wrappers pass sizeof their struct, which must be the table's (else L2K_EINVAL / 0).
 *
 * Why an interpreter rather than a function generated per command: the whole codec stays one
 * short piece of code to read, fuzz (tests/fuzz/fuzz_sig.c) and extend (a new command is one
 * table line), and signaling is rare next to data.  Its price, measured with callgrind: a
 * command made of U16s only (14 of the 20; they take a straight loop) costs some 70-100
 * instructions to parse or build where the hand-written code took 15-40, the others 150-300;
 * over the L2CAP.TS COS/CED suite that is +10 % on the signaling path (l2cap_sig_input with
 * its handlers) and +0.1 % on the whole run. */
#include "core/l2cap_sig.h"

#include <stdbool.h>
#include <string.h>

/* ---- iteration ---- */

int l2cap_sig_next(const uint8_t *p, size_t len, size_t *off, struct l2cap_sig_cmd *cmd)
{
	if (!off || !cmd || *off > len || (!p && len))
		return L2K_EINVAL;
	size_t rem = len - *off;
	if (rem == 0)
		return L2CAP_SIG_DONE;
	if (rem < L2CAP_SIG_HDR_LEN) {
		*off = len;
		return L2K_EBADMSG;
	}
	const uint8_t *h = p + *off;
	cmd->code = h[0];
	cmd->ident = h[1];
	cmd->len = get_le16(h + 2);
	cmd->data = h + L2CAP_SIG_HDR_LEN;
	rem -= L2CAP_SIG_HDR_LEN;
	if (cmd->len > rem) {
		cmd->avail = rem;
		*off = len;
		return L2K_EMSGSIZE;
	}
	cmd->avail = cmd->len;
	*off += L2CAP_SIG_HDR_LEN + (size_t)cmd->len;
	return L2CAP_SIG_CMD;
}

/* ---- the field descriptors ---- */

enum sig_ftype {
	SF_INT,	  /* an integer of width octets, conditional when ncond > 0 */
	SF_BYTES, /* the rest of Data: pointer (off) + length (off2) */
	SF_CIDS,  /* the rest of Data as CIDs: uint16_t[5] (off) + uint8_t count (off2) */
	SF_RAW,	  /* the rest of Data, not consumed: pointer (off) + length (off2) */
};

struct sig_field {
	uint8_t type;	/* enum sig_ftype */
	uint8_t width;	/* SF_INT: 2, 4 or 8; SF_CIDS: fewest CIDs; SF_RAW: 1 = written when no
			 * conditional field applies */
	uint8_t ncond;	/* SF_INT: conditions (0-2) */
	uint16_t off;	/* offsetof the member */
	uint16_t off2;	/* SF_BYTES/SF_RAW: the uint16_t length; SF_CIDS: the uint8_t count */
	uint16_t sel[2]; /* conditions: offsetof a uint16_t member ... */
	uint16_t val[2]; /* ... and the value it must have */
};

#define SIG_MAX_FIELDS 8

struct sig_desc {
	struct l2cap_sig_cmd_info info; /* first: l2cap_sig_cmd_info() returns it */
	uint16_t size;			/* sizeof the struct l2cap_X */
	uint8_t plain;			/* every field is an unconditional U16 */
	uint8_t nfields;
	struct sig_field f[SIG_MAX_FIELDS];
};

/* offsetof(struct l2cap_T, m), compiling only if the member has type ty */
#define SIG_OFF(T, m, ty) _Generic(((struct l2cap_##T *)0)->m, ty: offsetof(struct l2cap_##T, m))

/* One descriptor per field kind (see the top of the file). */
#define SIG_FIELD_U16(T, m) {.type = SF_INT, .width = 2, .off = SIG_OFF(T, m, uint16_t)},
#define SIG_FIELD_U32(T, m) {.type = SF_INT, .width = 4, .off = SIG_OFF(T, m, uint32_t)},
#define SIG_FIELD_U64(T, m) {.type = SF_INT, .width = 8, .off = SIG_OFF(T, m, uint64_t)},
#define SIG_FIELD_BYTES(T, p, n)                                                                \
	{.type = SF_BYTES, .off = SIG_OFF(T, p, const uint8_t *), .off2 = SIG_OFF(T, n, uint16_t)},
#define SIG_FIELD_CIDS(T, a, n, fewest)                                                         \
	{.type = SF_CIDS, .width = fewest, .off = SIG_OFF(T, a, uint16_t *) + SIG_CIDS_ARRAY(T, a),    \
	 .off2 = SIG_OFF(T, n, uint8_t)},
/* 0, compiling only if T.a holds L2CAP_ECFC_MAX_CIDS CIDs */
#define SIG_CIDS_ARRAY(T, a)                                                                    \
	0 * sizeof(char[sizeof(((struct l2cap_##T *)0)->a) == 2 * L2CAP_ECFC_MAX_CIDS ? 1 : -1])
#define SIG_FIELD_RAW(T, p, n)                                                                  \
	{.type = SF_RAW, .off = SIG_OFF(T, p, const uint8_t *), .off2 = SIG_OFF(T, n, uint16_t)},
#define SIG_FIELD_RAW_ELSE(T, p, n)                                                             \
	{.type = SF_RAW, .width = 1, .off = SIG_OFF(T, p, const uint8_t *), .off2 = SIG_OFF(T, n, uint16_t)},
#define SIG_COND(T, w, ty, m, n, s, v, s2, v2)                                                  \
	{.type = SF_INT, .width = w, .ncond = n, .off = SIG_OFF(T, m, ty),                      \
	 .sel = {SIG_OFF(T, s, uint16_t), SIG_OFF(T, s2, uint16_t)}, .val = {v, v2}},
#define SIG_FIELD_U16_IF(T, m, s, v) SIG_COND(T, 2, uint16_t, m, 1, s, v, s, v)
#define SIG_FIELD_U16_IF2(T, m, s, v, s2, v2) SIG_COND(T, 2, uint16_t, m, 2, s, v, s2, v2)
#define SIG_FIELD_U32_IF2(T, m, s, v, s2, v2) SIG_COND(T, 4, uint32_t, m, 2, s, v, s2, v2)
#define SIG_FIELD_U64_IF2(T, m, s, v, s2, v2) SIG_COND(T, 8, uint64_t, m, 2, s, v, s2, v2)

/* The smallest well-formed Data: the unconditional integers plus the fewest CIDs. */
#define SIG_MINLEN_U16(T, m) 2 +
#define SIG_MINLEN_U32(T, m) 4 +
#define SIG_MINLEN_U64(T, m) 8 +
#define SIG_MINLEN_BYTES(T, p, n)
#define SIG_MINLEN_CIDS(T, a, n, fewest) 2 * (fewest) +
#define SIG_MINLEN_RAW(T, p, n)
#define SIG_MINLEN_RAW_ELSE(T, p, n)
#define SIG_MINLEN_U16_IF(T, ...)
#define SIG_MINLEN_U16_IF2(T, ...)
#define SIG_MINLEN_U32_IF2(T, ...)
#define SIG_MINLEN_U64_IF2(T, ...)

/* Whether the field is an unconditional U16: a command made only of those (14 of the 20) takes
 * the interpreter's straight path. */
#define SIG_PLAIN_U16(T, m)
#define SIG_PLAIN_U32(T, m) 0 &&
#define SIG_PLAIN_U64(T, m) 0 &&
#define SIG_PLAIN_BYTES(T, p, n) 0 &&
#define SIG_PLAIN_CIDS(T, a, n, fewest) 0 &&
#define SIG_PLAIN_RAW(T, p, n) 0 &&
#define SIG_PLAIN_RAW_ELSE(T, p, n) 0 &&
#define SIG_PLAIN_U16_IF(T, ...) 0 &&
#define SIG_PLAIN_U16_IF2(T, ...) 0 &&
#define SIG_PLAIN_U32_IF2(T, ...) 0 &&
#define SIG_PLAIN_U64_IF2(T, ...) 0 &&

/* Whether Data may be longer than that: a variable tail. */
#define SIG_VAR_U16(T, m)
#define SIG_VAR_U32(T, m)
#define SIG_VAR_U64(T, m)
#define SIG_VAR_BYTES(T, p, n) 1 |
#define SIG_VAR_CIDS(T, a, n, fewest) 1 |
#define SIG_VAR_RAW(T, p, n) 1 |
#define SIG_VAR_RAW_ELSE(T, p, n) 1 |
#define SIG_VAR_U16_IF(T, ...)
#define SIG_VAR_U16_IF2(T, ...)
#define SIG_VAR_U32_IF2(T, ...)
#define SIG_VAR_U64_IF2(T, ...)

/* SIG_EACH(M, T, (kind, args...), ...) expands M##kind(T, args...) for each field tuple. */
#define SIG_CAT(a, b) SIG_CAT_(a, b)
#define SIG_CAT_(a, b) a##b
#define SIG_NARG(...) SIG_NARG_(__VA_ARGS__, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define SIG_NARG_(a1, a2, a3, a4, a5, a6, a7, a8, n, ...) n
#define SIG_UNPACK(...) __VA_ARGS__
#define SIG_APPLY(M, T, ...) SIG_APPLY_(M, T, __VA_ARGS__)
#define SIG_APPLY_(M, T, kind, ...) M##kind(T, __VA_ARGS__)
#define SIG_ONE(M, T, f) SIG_APPLY(M, T, SIG_UNPACK f)
#define SIG_EACH(M, T, ...) SIG_CAT(SIG_EACH_, SIG_NARG(__VA_ARGS__))(M, T, __VA_ARGS__)
#define SIG_EACH_1(M, T, f) SIG_ONE(M, T, f)
#define SIG_EACH_2(M, T, f, ...) SIG_ONE(M, T, f) SIG_EACH_1(M, T, __VA_ARGS__)
#define SIG_EACH_3(M, T, f, ...) SIG_ONE(M, T, f) SIG_EACH_2(M, T, __VA_ARGS__)
#define SIG_EACH_4(M, T, f, ...) SIG_ONE(M, T, f) SIG_EACH_3(M, T, __VA_ARGS__)
#define SIG_EACH_5(M, T, f, ...) SIG_ONE(M, T, f) SIG_EACH_4(M, T, __VA_ARGS__)
#define SIG_EACH_6(M, T, f, ...) SIG_ONE(M, T, f) SIG_EACH_5(M, T, __VA_ARGS__)
#define SIG_EACH_7(M, T, f, ...) SIG_ONE(M, T, f) SIG_EACH_6(M, T, __VA_ARGS__)
#define SIG_EACH_8(M, T, f, ...) SIG_ONE(M, T, f) SIG_EACH_7(M, T, __VA_ARGS__)

/* One table entry: CMD(code, name, links, kind, T, fields...) for struct l2cap_T. */
#define CMD(code, name, links, kind, T, ...)                                                    \
	[code] = {{name, SIG_EACH(SIG_MINLEN_, T, __VA_ARGS__) 0, SIG_EACH(SIG_VAR_, T, __VA_ARGS__) 0, \
		   links, L2CAP_SIG_##kind},                                                    \
		  sizeof(struct l2cap_##T), SIG_EACH(SIG_PLAIN_, T, __VA_ARGS__) 1, SIG_NARG(__VA_ARGS__), \
		  {SIG_EACH(SIG_FIELD_, T, __VA_ARGS__)}}

/* ---- the commands: Table 4.2 and the field layouts of 4.1-4.28 ---- */
#define A L2CAP_LINK_ACL
#define L L2CAP_LINK_LE
static const struct sig_desc sig_table[] = {
	CMD(L2CAP_COMMAND_REJECT_RSP, "L2CAP_COMMAND_REJECT_RSP", A | L, RESPONSE, cmd_rej,
	    (U16, reason), (RAW, data, data_len),
	    (U16_IF, mtu, reason, L2CAP_REJ_SIG_MTU_EXCEEDED),
	    (U16_IF, local_cid, reason, L2CAP_REJ_INVALID_CID),
	    (U16_IF, remote_cid, reason, L2CAP_REJ_INVALID_CID)),
	CMD(L2CAP_CONNECTION_REQ, "L2CAP_CONNECTION_REQ", A, REQUEST, conn_req,
	    (U16, psm), (U16, scid)),
	CMD(L2CAP_CONNECTION_RSP, "L2CAP_CONNECTION_RSP", A, RESPONSE, conn_rsp,
	    (U16, dcid), (U16, scid), (U16, result), (U16, status)),
	CMD(L2CAP_CONFIGURATION_REQ, "L2CAP_CONFIGURATION_REQ", A, REQUEST, conf_req,
	    (U16, dcid), (U16, flags), (BYTES, opts, opts_len)),
	CMD(L2CAP_CONFIGURATION_RSP, "L2CAP_CONFIGURATION_RSP", A, RESPONSE, conf_rsp,
	    (U16, scid), (U16, flags), (U16, result), (BYTES, opts, opts_len)),
	CMD(L2CAP_DISCONNECTION_REQ, "L2CAP_DISCONNECTION_REQ", A | L, REQUEST, disconn,
	    (U16, dcid), (U16, scid)),
	CMD(L2CAP_DISCONNECTION_RSP, "L2CAP_DISCONNECTION_RSP", A | L, RESPONSE, disconn,
	    (U16, dcid), (U16, scid)),
	CMD(L2CAP_ECHO_REQ, "L2CAP_ECHO_REQ", A, REQUEST, echo, (BYTES, data, len)),
	CMD(L2CAP_ECHO_RSP, "L2CAP_ECHO_RSP", A, RESPONSE, echo, (BYTES, data, len)),
	CMD(L2CAP_INFORMATION_REQ, "L2CAP_INFORMATION_REQ", A, REQUEST, info_req, (U16, type)),
	CMD(L2CAP_INFORMATION_RSP, "L2CAP_INFORMATION_RSP", A, RESPONSE, info_rsp,
	    (U16, type), (U16, result), (RAW_ELSE, data, data_len),
	    (U16_IF2, mtu, type, L2CAP_INFO_CONNECTIONLESS_MTU, result, L2CAP_INFO_SUCCESS),
	    (U32_IF2, features, type, L2CAP_INFO_EXTENDED_FEATURES, result, L2CAP_INFO_SUCCESS),
	    (U64_IF2, fixed_channels, type, L2CAP_INFO_FIXED_CHANNELS, result, L2CAP_INFO_SUCCESS)),
	CMD(L2CAP_CONN_PARAM_UPDATE_REQ, "L2CAP_CONNECTION_PARAMETER_UPDATE_REQ", L, REQUEST,
	    conn_param_req, (U16, interval_min), (U16, interval_max), (U16, latency), (U16, timeout)),
	CMD(L2CAP_CONN_PARAM_UPDATE_RSP, "L2CAP_CONNECTION_PARAMETER_UPDATE_RSP", L, RESPONSE,
	    conn_param_rsp, (U16, result)),
	CMD(L2CAP_LE_CREDIT_BASED_CONNECTION_REQ, "L2CAP_LE_CREDIT_BASED_CONNECTION_REQ", L, REQUEST,
	    le_conn_req, (U16, spsm), (U16, scid), (U16, mtu), (U16, mps), (U16, credits)),
	CMD(L2CAP_LE_CREDIT_BASED_CONNECTION_RSP, "L2CAP_LE_CREDIT_BASED_CONNECTION_RSP", L, RESPONSE,
	    le_conn_rsp, (U16, dcid), (U16, mtu), (U16, mps), (U16, credits), (U16, result)),
	CMD(L2CAP_FLOW_CONTROL_CREDIT_IND, "L2CAP_FLOW_CONTROL_CREDIT_IND", A | L, INDICATION,
	    credit_ind, (U16, cid), (U16, credits)),
	CMD(L2CAP_CREDIT_BASED_CONNECTION_REQ, "L2CAP_CREDIT_BASED_CONNECTION_REQ", A | L, REQUEST,
	    ecfc_conn_req, (U16, spsm), (U16, mtu), (U16, mps), (U16, credits), (CIDS, scid, n_scid, 1)),
	CMD(L2CAP_CREDIT_BASED_CONNECTION_RSP, "L2CAP_CREDIT_BASED_CONNECTION_RSP", A | L, RESPONSE,
	    ecfc_conn_rsp, (U16, mtu), (U16, mps), (U16, credits), (U16, result), (CIDS, dcid, n_dcid, 0)),
	CMD(L2CAP_CREDIT_BASED_RECONFIGURE_REQ, "L2CAP_CREDIT_BASED_RECONFIGURE_REQ", A | L, REQUEST,
	    ecfc_reconf_req, (U16, mtu), (U16, mps), (CIDS, dcid, n_dcid, 1)),
	CMD(L2CAP_CREDIT_BASED_RECONFIGURE_RSP, "L2CAP_CREDIT_BASED_RECONFIGURE_RSP", A | L, RESPONSE,
	    ecfc_reconf_rsp, (U16, result)),
};
#undef A
#undef L

static const struct sig_desc *sig_desc(uint8_t code)
{
	if (code >= sizeof(sig_table) / sizeof(sig_table[0]) || !sig_table[code].info.name)
		return NULL;
	return &sig_table[code];
}

const struct l2cap_sig_cmd_info *l2cap_sig_cmd_info(uint8_t code)
{
	const struct sig_desc *c = sig_desc(code);
	return c ? &c->info : NULL;
}

int l2cap_sig_cmd_allowed(uint8_t code, uint8_t link)
{
	const struct sig_desc *c = sig_desc(code);
	return c && (c->info.links & link) != 0;
}

/* ---- struct members by offset (memcpy: no assumption about the struct's alignment) ---- */

static uint16_t mem_u16(const void *s, uint16_t off)
{
	uint16_t v;
	memcpy(&v, (const char *)s + off, sizeof(v));
	return v;
}

static void set_u16(void *s, uint16_t off, uint16_t v)
{
	memcpy((char *)s + off, &v, sizeof(v));
}

static const uint8_t *mem_ptr(const void *s, uint16_t off)
{
	const uint8_t *p;
	memcpy(&p, (const char *)s + off, sizeof(p));
	return p;
}

static void set_ptr(void *s, uint16_t off, const uint8_t *p)
{
	memcpy((char *)s + off, &p, sizeof(p));
}

/* A conditional field applies when each of its selectors holds its value. */
static int field_applies(const struct sig_field *f, const void *s)
{
	for (uint8_t i = 0; i < f->ncond; i++)
		if (mem_u16(s, f->sel[i]) != f->val[i])
			return 0;
	return 1;
}

static uint16_t clamp16(size_t n)
{
	return n > 0xFFFF ? 0xFFFF : (uint16_t)n;
}

/* ---- the generic parser and builder ---- */

static void get_int(void *s, uint16_t off, const uint8_t *p, uint8_t width)
{
	char *m = (char *)s + off;
	if (width == 2) {
		uint16_t v = get_le16(p);
		memcpy(m, &v, sizeof(v));
	} else if (width == 4) {
		uint32_t v = get_le32(p);
		memcpy(m, &v, sizeof(v));
	} else {
		uint64_t v = get_le64(p);
		memcpy(m, &v, sizeof(v));
	}
}

static void put_int(uint8_t *p, const void *s, uint16_t off, uint8_t width)
{
	const char *m = (const char *)s + off;
	if (width == 2) {
		uint16_t v;
		memcpy(&v, m, sizeof(v));
		put_le16(p, v);
	} else if (width == 4) {
		uint32_t v;
		memcpy(&v, m, sizeof(v));
		put_le32(p, v);
	} else {
		uint64_t v;
		memcpy(&v, m, sizeof(v));
		put_le64(p, v);
	}
}

/* sig_parse() for the commands with other fields than unconditional U16s */
static int sig_parse_fields(const struct sig_desc *c, const uint8_t *d, size_t len, void *out)
{
	const struct sig_field *f = c->f;
	const unsigned nf = c->nfields;
	size_t pos = 0;
	/* the raw octets of a RAW field are the command's data unless a conditional field after it
	 * decodes them (a known reason / InfoType): then their layout is fixed too */
	bool raw_tail = false;
	for (unsigned i = 0; i < nf; i++, f++) {
		switch (f->type) {
		case SF_INT:
			if (f->ncond && !field_applies(f, out)) {
				memset((char *)out + f->off, 0, f->width); /* absent: 0 */
				break;
			}
			if (len - pos < f->width)
				return L2K_EBADMSG;
			get_int(out, f->off, d + pos, f->width);
			pos += f->width;
			if (f->ncond)
				raw_tail = false;
			break;
		case SF_BYTES:
		case SF_RAW:
			set_ptr(out, f->off, d ? d + pos : NULL);
			set_u16(out, f->off2, clamp16(len - pos));
			if (f->type == SF_BYTES)
				pos = len;
			else
				raw_tail = true;
			break;
		case SF_CIDS: {
			size_t rem = len - pos, n = rem / 2;
			uint8_t count = (uint8_t)(n > 255 ? 255 : n);
			memcpy((char *)out + f->off2, &count, 1);
			for (size_t k = 0; k < L2CAP_ECFC_MAX_CIDS; k++) /* unused ones: 0 */
				set_u16(out, (uint16_t)(f->off + 2 * k), k < n ? get_le16(d + pos + 2 * k) : 0);
			if (rem % 2 || n < f->width || n > L2CAP_ECFC_MAX_CIDS)
				return c->info.kind == L2CAP_SIG_REQUEST ? L2K_EINVAL : L2K_EBADMSG;
			pos = len;
			break;
		}
		default:
			return L2K_EINVAL;
		}
	}
	/* octets after a fixed layout: not this command (see l2cap_sig.h) */
	if (pos < len && !raw_tail)
		return L2K_EBADMSG;
	return 0;
}

/* Decodes d[0..len-1] as the Data of command code into out (size octets: the caller's struct,
 * checked against the table). */
static int sig_parse(uint8_t code, const uint8_t *d, size_t len, void *out, size_t size)
{
	const struct sig_desc *c = sig_desc(code);
	if (!c || c->size != size || !out || (!d && len))
		return L2K_EINVAL;
	if (!c->plain)
		return sig_parse_fields(c, d, len, out);
	if (len != 2u * c->nfields) /* shorter, or longer than its fixed size (l2cap_sig.h) */
		return L2K_EBADMSG;
	for (unsigned i = 0; i < c->nfields; i++)
		set_u16(out, c->f[i].off, get_le16(d + 2 * i));
	return 0;
}

/* sig_build() for the commands with other fields than unconditional U16s */
static size_t sig_build_fields(const struct sig_desc *c, uint8_t *buf, size_t cap, uint8_t code, uint8_t ident,
			       const void *in)
{
	const struct sig_field *f = c->f;
	const unsigned nf = c->nfields;
	uint8_t *d = buf + L2CAP_SIG_HDR_LEN;
	/* pass 1: which fields go on air, their sizes and the Data length */
	size_t flen[SIG_MAX_FIELDS];
	size_t dlen = 0;
	int cond_applied = 0, raw = -1;
	for (unsigned i = 0; i < nf; i++) {
		const struct sig_field *fi = &f[i];
		size_t n = 0;
		switch (fi->type) {
		case SF_INT:
			if (fi->ncond && !field_applies(fi, in)) {
				n = SIZE_MAX; /* absent */
				break;
			}
			cond_applied |= fi->ncond != 0;
			n = fi->width;
			break;
		case SF_RAW:
			raw = fi->width ? (int)i : -1; /* present when no conditional field applies */
			n = SIZE_MAX;
			break;
		case SF_BYTES:
			n = mem_u16(in, fi->off2);
			if (n && !mem_ptr(in, fi->off))
				return 0;
			break;
		case SF_CIDS: {
			uint8_t k;
			memcpy(&k, (const char *)in + fi->off2, 1);
			if (k < fi->width || k > L2CAP_ECFC_MAX_CIDS)
				return 0;
			n = 2 * (size_t)k;
			break;
		}
		default: return 0;
		}
		flen[i] = n;
		dlen += n == SIZE_MAX ? 0 : n;
	}
	if (raw >= 0 && !cond_applied) {
		size_t n = mem_u16(in, f[raw].off2);
		if (n && !mem_ptr(in, f[raw].off))
			return 0;
		flen[raw] = n;
		dlen += n;
	}
	if (dlen > 0xFFFF || cap < L2CAP_SIG_HDR_LEN + dlen)
		return 0;
	buf[0] = code;
	buf[1] = ident;
	put_le16(buf + 2, (uint16_t)dlen);
	/* pass 2, from the last field back: the variable tail (memmove: its octets may have been
	 * built in place, where they belong) is written before the integers in front of it */
	size_t end = dlen;
	for (unsigned i = nf; i-- > 0;) {
		const struct sig_field *fi = &f[i];
		size_t n = flen[i];
		if (n == SIZE_MAX)
			continue;
		end -= n;
		if (fi->type == SF_INT)
			put_int(d + end, in, fi->off, fi->width);
		else if (fi->type == SF_CIDS)
			for (size_t k = 0; k < n / 2; k++)
				put_le16(d + end + 2 * k, mem_u16(in, (uint16_t)(fi->off + 2 * k)));
		else if (n)
			memmove(d + end, mem_ptr(in, fi->off), n);
	}
	return L2CAP_SIG_HDR_LEN + dlen;
}

/* Writes command code with identifier ident from in (size octets, checked against the table):
 * header and Data; 0 if cap is too small or in cannot be encoded. */
static size_t sig_build(uint8_t *buf, size_t cap, uint8_t code, uint8_t ident, const void *in, size_t size)
{
	const struct sig_desc *c = sig_desc(code);
	if (!c || c->size != size || !in || !buf)
		return 0;
	if (!c->plain)
		return sig_build_fields(c, buf, cap, code, ident, in);
	size_t dlen = 2u * c->nfields;
	if (cap < L2CAP_SIG_HDR_LEN + dlen)
		return 0;
	buf[0] = code;
	buf[1] = ident;
	put_le16(buf + 2, (uint16_t)dlen);
	for (unsigned i = 0; i < c->nfields; i++)
		put_le16(buf + L2CAP_SIG_HDR_LEN + 2 * i, mem_u16(in, c->f[i].off));
	return L2CAP_SIG_HDR_LEN + dlen;
}

size_t l2cap_build_cmd(uint8_t *buf, size_t cap, uint8_t code, uint8_t ident, const uint8_t *data,
		       size_t len)
{
	if (!buf || (!data && len) || len > 0xFFFF || cap < L2CAP_SIG_HDR_LEN + len)
		return 0;
	buf[0] = code;
	buf[1] = ident;
	put_le16(buf + 2, (uint16_t)len);
	if (len)
		memmove(buf + L2CAP_SIG_HDR_LEN, data, len);
	return L2CAP_SIG_HDR_LEN + len;
}

/* ---- the typed entry points of l2cap_sig.h: one line each over the table ---- */

#define SIG_PARSER(name, T, code)                                                              \
	int l2cap_parse_##name(const uint8_t *d, size_t len, struct l2cap_##T *out)             \
	{                                                                                       \
		return sig_parse(code, d, len, out, sizeof(*out));                              \
	}
#define SIG_BUILDER(name, T, code)                                                             \
	size_t l2cap_build_##name(uint8_t *buf, size_t cap, uint8_t ident, const struct l2cap_##T *in) \
	{                                                                                       \
		return sig_build(buf, cap, code, ident, in, sizeof(*in));                       \
	}
#define SIG_CODEC(name, T, code) SIG_PARSER(name, T, code) SIG_BUILDER(name, T, code)

SIG_CODEC(cmd_rej, cmd_rej, L2CAP_COMMAND_REJECT_RSP)
SIG_CODEC(conn_req, conn_req, L2CAP_CONNECTION_REQ)
SIG_CODEC(conn_rsp, conn_rsp, L2CAP_CONNECTION_RSP)
SIG_CODEC(conf_req, conf_req, L2CAP_CONFIGURATION_REQ)
SIG_CODEC(conf_rsp, conf_rsp, L2CAP_CONFIGURATION_RSP)
SIG_CODEC(disconn_req, disconn, L2CAP_DISCONNECTION_REQ)
SIG_CODEC(disconn_rsp, disconn, L2CAP_DISCONNECTION_RSP)
SIG_PARSER(echo, echo, L2CAP_ECHO_REQ) /* the same Data for the response */
SIG_BUILDER(echo_req, echo, L2CAP_ECHO_REQ)
SIG_BUILDER(echo_rsp, echo, L2CAP_ECHO_RSP)
SIG_CODEC(info_req, info_req, L2CAP_INFORMATION_REQ)
SIG_CODEC(info_rsp, info_rsp, L2CAP_INFORMATION_RSP)
SIG_CODEC(conn_param_req, conn_param_req, L2CAP_CONN_PARAM_UPDATE_REQ)
SIG_CODEC(conn_param_rsp, conn_param_rsp, L2CAP_CONN_PARAM_UPDATE_RSP)
SIG_CODEC(le_conn_req, le_conn_req, L2CAP_LE_CREDIT_BASED_CONNECTION_REQ)
SIG_CODEC(le_conn_rsp, le_conn_rsp, L2CAP_LE_CREDIT_BASED_CONNECTION_RSP)
SIG_CODEC(credit_ind, credit_ind, L2CAP_FLOW_CONTROL_CREDIT_IND)
SIG_CODEC(ecfc_conn_req, ecfc_conn_req, L2CAP_CREDIT_BASED_CONNECTION_REQ)
SIG_CODEC(ecfc_conn_rsp, ecfc_conn_rsp, L2CAP_CREDIT_BASED_CONNECTION_RSP)
SIG_CODEC(ecfc_reconf_req, ecfc_reconf_req, L2CAP_CREDIT_BASED_RECONFIGURE_REQ)
SIG_CODEC(ecfc_reconf_rsp, ecfc_reconf_rsp, L2CAP_CREDIT_BASED_RECONFIGURE_RSP)
