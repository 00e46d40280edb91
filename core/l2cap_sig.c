/* L2CAP signaling codec (Core v5.4 Vol 3 Part A, 4).  Contracts are in core/l2cap_sig.h. */
#include "core/l2cap_sig.h"

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

/* Table 4.2 plus the fixed-field sizes of 4.1-4.28 */
#define A L2CAP_LINK_ACL
#define L L2CAP_LINK_LE
static const struct l2cap_sig_cmd_info cmd_table[] = {
	[L2CAP_COMMAND_REJECT_RSP] = {"L2CAP_COMMAND_REJECT_RSP", 2, 1, A | L, L2CAP_SIG_RESPONSE},
	[L2CAP_CONNECTION_REQ] = {"L2CAP_CONNECTION_REQ", 4, 0, A, L2CAP_SIG_REQUEST},
	[L2CAP_CONNECTION_RSP] = {"L2CAP_CONNECTION_RSP", 8, 0, A, L2CAP_SIG_RESPONSE},
	[L2CAP_CONFIGURATION_REQ] = {"L2CAP_CONFIGURATION_REQ", 4, 1, A, L2CAP_SIG_REQUEST},
	[L2CAP_CONFIGURATION_RSP] = {"L2CAP_CONFIGURATION_RSP", 6, 1, A, L2CAP_SIG_RESPONSE},
	[L2CAP_DISCONNECTION_REQ] = {"L2CAP_DISCONNECTION_REQ", 4, 0, A | L, L2CAP_SIG_REQUEST},
	[L2CAP_DISCONNECTION_RSP] = {"L2CAP_DISCONNECTION_RSP", 4, 0, A | L, L2CAP_SIG_RESPONSE},
	[L2CAP_ECHO_REQ] = {"L2CAP_ECHO_REQ", 0, 1, A, L2CAP_SIG_REQUEST},
	[L2CAP_ECHO_RSP] = {"L2CAP_ECHO_RSP", 0, 1, A, L2CAP_SIG_RESPONSE},
	[L2CAP_INFORMATION_REQ] = {"L2CAP_INFORMATION_REQ", 2, 0, A, L2CAP_SIG_REQUEST},
	[L2CAP_INFORMATION_RSP] = {"L2CAP_INFORMATION_RSP", 4, 1, A, L2CAP_SIG_RESPONSE},
	[L2CAP_CONN_PARAM_UPDATE_REQ] = {"L2CAP_CONNECTION_PARAMETER_UPDATE_REQ", 8, 0, L,
					 L2CAP_SIG_REQUEST},
	[L2CAP_CONN_PARAM_UPDATE_RSP] = {"L2CAP_CONNECTION_PARAMETER_UPDATE_RSP", 2, 0, L,
					 L2CAP_SIG_RESPONSE},
	[L2CAP_LE_CREDIT_BASED_CONNECTION_REQ] = {"L2CAP_LE_CREDIT_BASED_CONNECTION_REQ", 10, 0, L,
						  L2CAP_SIG_REQUEST},
	[L2CAP_LE_CREDIT_BASED_CONNECTION_RSP] = {"L2CAP_LE_CREDIT_BASED_CONNECTION_RSP", 10, 0, L,
						  L2CAP_SIG_RESPONSE},
	[L2CAP_FLOW_CONTROL_CREDIT_IND] = {"L2CAP_FLOW_CONTROL_CREDIT_IND", 4, 0, A | L,
					   L2CAP_SIG_INDICATION},
	[L2CAP_CREDIT_BASED_CONNECTION_REQ] = {"L2CAP_CREDIT_BASED_CONNECTION_REQ", 10, 1, A | L,
					       L2CAP_SIG_REQUEST},
	[L2CAP_CREDIT_BASED_CONNECTION_RSP] = {"L2CAP_CREDIT_BASED_CONNECTION_RSP", 8, 1, A | L,
					       L2CAP_SIG_RESPONSE},
	[L2CAP_CREDIT_BASED_RECONFIGURE_REQ] = {"L2CAP_CREDIT_BASED_RECONFIGURE_REQ", 6, 1, A | L,
						L2CAP_SIG_REQUEST},
	[L2CAP_CREDIT_BASED_RECONFIGURE_RSP] = {"L2CAP_CREDIT_BASED_RECONFIGURE_RSP", 2, 0, A | L,
						L2CAP_SIG_RESPONSE},
};
#undef A
#undef L

const struct l2cap_sig_cmd_info *l2cap_sig_cmd_info(uint8_t code)
{
	if (code >= sizeof(cmd_table) / sizeof(cmd_table[0]) || !cmd_table[code].name)
		return NULL;
	return &cmd_table[code];
}

int l2cap_sig_cmd_allowed(uint8_t code, uint8_t link)
{
	const struct l2cap_sig_cmd_info *i = l2cap_sig_cmd_info(code);
	return i && (i->links & link) != 0;
}

/* ---- building blocks ---- */

/* Writes the command header for a data part of dlen octets; NULL if it does not fit. */
static uint8_t *put_hdr(uint8_t *buf, size_t cap, uint8_t code, uint8_t ident, size_t dlen)
{
	if (!buf || dlen > 0xFFFF || cap < L2CAP_SIG_HDR_LEN + dlen)
		return NULL;
	buf[0] = code;
	buf[1] = ident;
	put_le16(buf + 2, (uint16_t)dlen);
	return buf + L2CAP_SIG_HDR_LEN;
}

size_t l2cap_build_cmd(uint8_t *buf, size_t cap, uint8_t code, uint8_t ident, const uint8_t *data,
		       size_t len)
{
	if (!data && len)
		return 0;
	uint8_t *d = put_hdr(buf, cap, code, ident, len);
	if (!d)
		return 0;
	if (len)
		memmove(d, data, len);
	return L2CAP_SIG_HDR_LEN + len;
}

/* Writes n 16-bit values as a complete fixed-size command. */
static size_t build_u16s(uint8_t *buf, size_t cap, uint8_t code, uint8_t ident, const uint16_t *v,
			 size_t n)
{
	uint8_t *d = put_hdr(buf, cap, code, ident, 2 * n);
	if (!d)
		return 0;
	for (size_t i = 0; i < n; i++)
		put_le16(d + 2 * i, v[i]);
	return L2CAP_SIG_HDR_LEN + 2 * n;
}

/* Reads n 16-bit values; EBADMSG if fewer than 2n octets. */
static int parse_u16s(const uint8_t *d, size_t len, uint16_t *v, size_t n)
{
	if (!d && len)
		return L2K_EINVAL;
	if (len < 2 * n)
		return L2K_EBADMSG;
	for (size_t i = 0; i < n; i++)
		v[i] = get_le16(d + 2 * i);
	return 0;
}

/* ---- Command Reject ---- */

int l2cap_parse_cmd_rej(const uint8_t *d, size_t len, struct l2cap_cmd_rej *out)
{
	if (!out || (!d && len))
		return L2K_EINVAL;
	if (len < 2)
		return L2K_EBADMSG;
	memset(out, 0, sizeof(*out));
	out->reason = get_le16(d);
	out->data = d + 2;
	out->data_len = (uint16_t)((len - 2) > 0xFFFF ? 0xFFFF : len - 2);
	switch (out->reason) {
	case L2CAP_REJ_SIG_MTU_EXCEEDED:
		if (len < 4)
			return L2K_EBADMSG;
		out->mtu = get_le16(d + 2);
		break;
	case L2CAP_REJ_INVALID_CID:
		if (len < 6)
			return L2K_EBADMSG;
		out->local_cid = get_le16(d + 2);
		out->remote_cid = get_le16(d + 4);
		break;
	default:
		break;
	}
	return 0;
}

size_t l2cap_build_cmd_rej(uint8_t *buf, size_t cap, uint8_t ident, const struct l2cap_cmd_rej *in)
{
	if (!in)
		return 0;
	uint16_t v[3] = {in->reason, 0, 0};
	size_t n = 1;
	if (in->reason == L2CAP_REJ_SIG_MTU_EXCEEDED) {
		v[1] = in->mtu;
		n = 2;
	} else if (in->reason == L2CAP_REJ_INVALID_CID) {
		v[1] = in->local_cid;
		v[2] = in->remote_cid;
		n = 3;
	}
	return build_u16s(buf, cap, L2CAP_COMMAND_REJECT_RSP, ident, v, n);
}

/* ---- Connection ---- */

int l2cap_parse_conn_req(const uint8_t *d, size_t len, struct l2cap_conn_req *out)
{
	uint16_t v[2];
	if (!out)
		return L2K_EINVAL;
	int rc = parse_u16s(d, len, v, 2);
	if (rc)
		return rc;
	out->psm = v[0];
	out->scid = v[1];
	return 0;
}

size_t l2cap_build_conn_req(uint8_t *buf, size_t cap, uint8_t ident,
			    const struct l2cap_conn_req *in)
{
	if (!in)
		return 0;
	const uint16_t v[2] = {in->psm, in->scid};
	return build_u16s(buf, cap, L2CAP_CONNECTION_REQ, ident, v, 2);
}

int l2cap_parse_conn_rsp(const uint8_t *d, size_t len, struct l2cap_conn_rsp *out)
{
	uint16_t v[4];
	if (!out)
		return L2K_EINVAL;
	int rc = parse_u16s(d, len, v, 4);
	if (rc)
		return rc;
	out->dcid = v[0];
	out->scid = v[1];
	out->result = v[2];
	out->status = v[3];
	return 0;
}

size_t l2cap_build_conn_rsp(uint8_t *buf, size_t cap, uint8_t ident,
			    const struct l2cap_conn_rsp *in)
{
	if (!in)
		return 0;
	const uint16_t v[4] = {in->dcid, in->scid, in->result, in->status};
	return build_u16s(buf, cap, L2CAP_CONNECTION_RSP, ident, v, 4);
}

/* ---- Configuration ---- */

/* Fixed part of nfix 16-bit fields followed by an options blob. */
static size_t build_with_opts(uint8_t *buf, size_t cap, uint8_t code, uint8_t ident,
			      const uint16_t *v, size_t nfix, const uint8_t *opts, size_t opts_len)
{
	if (!opts && opts_len)
		return 0;
	size_t fix = 2 * nfix;
	uint8_t *d = put_hdr(buf, cap, code, ident, fix + opts_len);
	if (!d)
		return 0;
	/* move the options first: they may have been built in place where they belong */
	if (opts_len)
		memmove(d + fix, opts, opts_len);
	for (size_t i = 0; i < nfix; i++)
		put_le16(d + 2 * i, v[i]);
	return L2CAP_SIG_HDR_LEN + fix + opts_len;
}

static uint16_t clamp16(size_t n)
{
	return n > 0xFFFF ? 0xFFFF : (uint16_t)n;
}

int l2cap_parse_conf_req(const uint8_t *d, size_t len, struct l2cap_conf_req *out)
{
	uint16_t v[2];
	if (!out)
		return L2K_EINVAL;
	int rc = parse_u16s(d, len, v, 2);
	if (rc)
		return rc;
	out->dcid = v[0];
	out->flags = v[1];
	out->opts = d + 4;
	out->opts_len = clamp16(len - 4);
	return 0;
}

size_t l2cap_build_conf_req(uint8_t *buf, size_t cap, uint8_t ident,
			    const struct l2cap_conf_req *in)
{
	if (!in)
		return 0;
	const uint16_t v[2] = {in->dcid, in->flags};
	return build_with_opts(buf, cap, L2CAP_CONFIGURATION_REQ, ident, v, 2, in->opts,
			       in->opts_len);
}

int l2cap_parse_conf_rsp(const uint8_t *d, size_t len, struct l2cap_conf_rsp *out)
{
	uint16_t v[3];
	if (!out)
		return L2K_EINVAL;
	int rc = parse_u16s(d, len, v, 3);
	if (rc)
		return rc;
	out->scid = v[0];
	out->flags = v[1];
	out->result = v[2];
	out->opts = d + 6;
	out->opts_len = clamp16(len - 6);
	return 0;
}

size_t l2cap_build_conf_rsp(uint8_t *buf, size_t cap, uint8_t ident,
			    const struct l2cap_conf_rsp *in)
{
	if (!in)
		return 0;
	const uint16_t v[3] = {in->scid, in->flags, in->result};
	return build_with_opts(buf, cap, L2CAP_CONFIGURATION_RSP, ident, v, 3, in->opts,
			       in->opts_len);
}

/* ---- Disconnection ---- */

static int parse_disconn(const uint8_t *d, size_t len, struct l2cap_disconn *out)
{
	uint16_t v[2];
	if (!out)
		return L2K_EINVAL;
	int rc = parse_u16s(d, len, v, 2);
	if (rc)
		return rc;
	out->dcid = v[0];
	out->scid = v[1];
	return 0;
}

int l2cap_parse_disconn_req(const uint8_t *d, size_t len, struct l2cap_disconn *out)
{
	return parse_disconn(d, len, out);
}

int l2cap_parse_disconn_rsp(const uint8_t *d, size_t len, struct l2cap_disconn *out)
{
	return parse_disconn(d, len, out);
}

size_t l2cap_build_disconn_req(uint8_t *buf, size_t cap, uint8_t ident,
			       const struct l2cap_disconn *in)
{
	if (!in)
		return 0;
	const uint16_t v[2] = {in->dcid, in->scid};
	return build_u16s(buf, cap, L2CAP_DISCONNECTION_REQ, ident, v, 2);
}

size_t l2cap_build_disconn_rsp(uint8_t *buf, size_t cap, uint8_t ident,
			       const struct l2cap_disconn *in)
{
	if (!in)
		return 0;
	const uint16_t v[2] = {in->dcid, in->scid};
	return build_u16s(buf, cap, L2CAP_DISCONNECTION_RSP, ident, v, 2);
}

/* ---- Echo ---- */

int l2cap_parse_echo(const uint8_t *d, size_t len, struct l2cap_echo *out)
{
	if (!out || (!d && len))
		return L2K_EINVAL;
	out->data = d;
	out->len = clamp16(len);
	return 0;
}

size_t l2cap_build_echo_req(uint8_t *buf, size_t cap, uint8_t ident, const struct l2cap_echo *in)
{
	if (!in)
		return 0;
	return l2cap_build_cmd(buf, cap, L2CAP_ECHO_REQ, ident, in->data, in->len);
}

size_t l2cap_build_echo_rsp(uint8_t *buf, size_t cap, uint8_t ident, const struct l2cap_echo *in)
{
	if (!in)
		return 0;
	return l2cap_build_cmd(buf, cap, L2CAP_ECHO_RSP, ident, in->data, in->len);
}

/* ---- Information ---- */

int l2cap_parse_info_req(const uint8_t *d, size_t len, struct l2cap_info_req *out)
{
	if (!out)
		return L2K_EINVAL;
	return parse_u16s(d, len, &out->type, 1);
}

size_t l2cap_build_info_req(uint8_t *buf, size_t cap, uint8_t ident,
			    const struct l2cap_info_req *in)
{
	if (!in)
		return 0;
	return build_u16s(buf, cap, L2CAP_INFORMATION_REQ, ident, &in->type, 1);
}

/* Size of the value field of a successful Information Response, 0 for unknown types. */
static size_t info_value_len(uint16_t type)
{
	switch (type) {
	case L2CAP_INFO_CONNECTIONLESS_MTU: return 2;
	case L2CAP_INFO_EXTENDED_FEATURES: return 4;
	case L2CAP_INFO_FIXED_CHANNELS: return 8;
	default: return 0;
	}
}

int l2cap_parse_info_rsp(const uint8_t *d, size_t len, struct l2cap_info_rsp *out)
{
	uint16_t v[2];
	if (!out)
		return L2K_EINVAL;
	int rc = parse_u16s(d, len, v, 2);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	out->type = v[0];
	out->result = v[1];
	out->data = d + 4;
	out->data_len = clamp16(len - 4);
	if (out->result != L2CAP_INFO_SUCCESS)
		return 0;
	size_t need = info_value_len(out->type);
	if (len - 4 < need)
		return L2K_EBADMSG;
	switch (out->type) {
	case L2CAP_INFO_CONNECTIONLESS_MTU: out->mtu = get_le16(d + 4); break;
	case L2CAP_INFO_EXTENDED_FEATURES: out->features = get_le32(d + 4); break;
	case L2CAP_INFO_FIXED_CHANNELS: out->fixed_channels = get_le64(d + 4); break;
	default: break;
	}
	return 0;
}

size_t l2cap_build_info_rsp(uint8_t *buf, size_t cap, uint8_t ident,
			    const struct l2cap_info_rsp *in)
{
	if (!in)
		return 0;
	uint8_t val[8];
	const uint8_t *data = in->data;
	size_t dlen = in->data_len;
	size_t vlen = in->result == L2CAP_INFO_SUCCESS ? info_value_len(in->type) : 0;
	if (vlen) {
		switch (in->type) {
		case L2CAP_INFO_CONNECTIONLESS_MTU: put_le16(val, in->mtu); break;
		case L2CAP_INFO_EXTENDED_FEATURES: put_le32(val, in->features); break;
		default: put_le64(val, in->fixed_channels); break;
		}
		data = val;
		dlen = vlen;
	}
	const uint16_t v[2] = {in->type, in->result};
	return build_with_opts(buf, cap, L2CAP_INFORMATION_RSP, ident, v, 2, data, dlen);
}

/* ---- Connection Parameter Update ---- */

int l2cap_parse_conn_param_req(const uint8_t *d, size_t len, struct l2cap_conn_param_req *out)
{
	uint16_t v[4];
	if (!out)
		return L2K_EINVAL;
	int rc = parse_u16s(d, len, v, 4);
	if (rc)
		return rc;
	out->interval_min = v[0];
	out->interval_max = v[1];
	out->latency = v[2];
	out->timeout = v[3];
	return 0;
}

size_t l2cap_build_conn_param_req(uint8_t *buf, size_t cap, uint8_t ident,
				  const struct l2cap_conn_param_req *in)
{
	if (!in)
		return 0;
	const uint16_t v[4] = {in->interval_min, in->interval_max, in->latency, in->timeout};
	return build_u16s(buf, cap, L2CAP_CONN_PARAM_UPDATE_REQ, ident, v, 4);
}

int l2cap_parse_conn_param_rsp(const uint8_t *d, size_t len, struct l2cap_conn_param_rsp *out)
{
	if (!out)
		return L2K_EINVAL;
	return parse_u16s(d, len, &out->result, 1);
}

size_t l2cap_build_conn_param_rsp(uint8_t *buf, size_t cap, uint8_t ident,
				  const struct l2cap_conn_param_rsp *in)
{
	if (!in)
		return 0;
	return build_u16s(buf, cap, L2CAP_CONN_PARAM_UPDATE_RSP, ident, &in->result, 1);
}

/* ---- LE Credit Based Connection ---- */

int l2cap_parse_le_conn_req(const uint8_t *d, size_t len, struct l2cap_le_conn_req *out)
{
	uint16_t v[5];
	if (!out)
		return L2K_EINVAL;
	int rc = parse_u16s(d, len, v, 5);
	if (rc)
		return rc;
	out->spsm = v[0];
	out->scid = v[1];
	out->mtu = v[2];
	out->mps = v[3];
	out->credits = v[4];
	return 0;
}

size_t l2cap_build_le_conn_req(uint8_t *buf, size_t cap, uint8_t ident,
			       const struct l2cap_le_conn_req *in)
{
	if (!in)
		return 0;
	const uint16_t v[5] = {in->spsm, in->scid, in->mtu, in->mps, in->credits};
	return build_u16s(buf, cap, L2CAP_LE_CREDIT_BASED_CONNECTION_REQ, ident, v, 5);
}

int l2cap_parse_le_conn_rsp(const uint8_t *d, size_t len, struct l2cap_le_conn_rsp *out)
{
	uint16_t v[5];
	if (!out)
		return L2K_EINVAL;
	int rc = parse_u16s(d, len, v, 5);
	if (rc)
		return rc;
	out->dcid = v[0];
	out->mtu = v[1];
	out->mps = v[2];
	out->credits = v[3];
	out->result = v[4];
	return 0;
}

size_t l2cap_build_le_conn_rsp(uint8_t *buf, size_t cap, uint8_t ident,
			       const struct l2cap_le_conn_rsp *in)
{
	if (!in)
		return 0;
	const uint16_t v[5] = {in->dcid, in->mtu, in->mps, in->credits, in->result};
	return build_u16s(buf, cap, L2CAP_LE_CREDIT_BASED_CONNECTION_RSP, ident, v, 5);
}

int l2cap_parse_credit_ind(const uint8_t *d, size_t len, struct l2cap_credit_ind *out)
{
	uint16_t v[2];
	if (!out)
		return L2K_EINVAL;
	int rc = parse_u16s(d, len, v, 2);
	if (rc)
		return rc;
	out->cid = v[0];
	out->credits = v[1];
	return 0;
}

size_t l2cap_build_credit_ind(uint8_t *buf, size_t cap, uint8_t ident,
			      const struct l2cap_credit_ind *in)
{
	if (!in)
		return 0;
	const uint16_t v[2] = {in->cid, in->credits};
	return build_u16s(buf, cap, L2CAP_FLOW_CONTROL_CREDIT_IND, ident, v, 2);
}

/* ---- Enhanced Credit Based (4.25-4.28) ---- */

/* Decodes a trailing CID list of rem octets at d into cids[5]; *n = whole CIDs present.
 * Returns 0 if the list is well formed with min_n..5 CIDs, L2K_EINVAL otherwise. */
static int parse_cid_list(const uint8_t *d, size_t rem, size_t min_n, uint8_t *n, uint16_t *cids)
{
	size_t count = rem / 2;
	*n = (uint8_t)(count > 255 ? 255 : count);
	for (size_t i = 0; i < count && i < L2CAP_ECFC_MAX_CIDS; i++)
		cids[i] = get_le16(d + 2 * i);
	for (size_t i = count; i < L2CAP_ECFC_MAX_CIDS; i++)
		cids[i] = 0;
	if (rem % 2 || count < min_n || count > L2CAP_ECFC_MAX_CIDS)
		return L2K_EINVAL;
	return 0;
}

/* Fixed part of nfix 16-bit fields followed by n CIDs. */
static size_t build_with_cids(uint8_t *buf, size_t cap, uint8_t code, uint8_t ident,
			      const uint16_t *v, size_t nfix, const uint16_t *cids, size_t n)
{
	uint16_t all[4 + L2CAP_ECFC_MAX_CIDS];
	for (size_t i = 0; i < nfix; i++)
		all[i] = v[i];
	for (size_t i = 0; i < n; i++)
		all[nfix + i] = cids[i];
	return build_u16s(buf, cap, code, ident, all, nfix + n);
}

int l2cap_parse_ecfc_conn_req(const uint8_t *d, size_t len, struct l2cap_ecfc_conn_req *out)
{
	uint16_t v[4];
	if (!out)
		return L2K_EINVAL;
	int rc = parse_u16s(d, len, v, 4);
	if (rc)
		return rc;
	out->spsm = v[0];
	out->mtu = v[1];
	out->mps = v[2];
	out->credits = v[3];
	return parse_cid_list(d + 8, len - 8, 1, &out->n_scid, out->scid);
}

size_t l2cap_build_ecfc_conn_req(uint8_t *buf, size_t cap, uint8_t ident,
				 const struct l2cap_ecfc_conn_req *in)
{
	if (!in || in->n_scid == 0 || in->n_scid > L2CAP_ECFC_MAX_CIDS)
		return 0;
	const uint16_t v[4] = {in->spsm, in->mtu, in->mps, in->credits};
	return build_with_cids(buf, cap, L2CAP_CREDIT_BASED_CONNECTION_REQ, ident, v, 4, in->scid,
			       in->n_scid);
}

int l2cap_parse_ecfc_conn_rsp(const uint8_t *d, size_t len, struct l2cap_ecfc_conn_rsp *out)
{
	uint16_t v[4];
	if (!out)
		return L2K_EINVAL;
	int rc = parse_u16s(d, len, v, 4);
	if (rc)
		return rc;
	out->mtu = v[0];
	out->mps = v[1];
	out->credits = v[2];
	out->result = v[3];
	if (parse_cid_list(d + 8, len - 8, 0, &out->n_dcid, out->dcid))
		return L2K_EBADMSG;
	return 0;
}

size_t l2cap_build_ecfc_conn_rsp(uint8_t *buf, size_t cap, uint8_t ident,
				 const struct l2cap_ecfc_conn_rsp *in)
{
	if (!in || in->n_dcid > L2CAP_ECFC_MAX_CIDS)
		return 0;
	const uint16_t v[4] = {in->mtu, in->mps, in->credits, in->result};
	return build_with_cids(buf, cap, L2CAP_CREDIT_BASED_CONNECTION_RSP, ident, v, 4, in->dcid,
			       in->n_dcid);
}

int l2cap_parse_ecfc_reconf_req(const uint8_t *d, size_t len, struct l2cap_ecfc_reconf_req *out)
{
	uint16_t v[2];
	if (!out)
		return L2K_EINVAL;
	int rc = parse_u16s(d, len, v, 2);
	if (rc)
		return rc;
	out->mtu = v[0];
	out->mps = v[1];
	return parse_cid_list(d + 4, len - 4, 1, &out->n_dcid, out->dcid);
}

size_t l2cap_build_ecfc_reconf_req(uint8_t *buf, size_t cap, uint8_t ident,
				   const struct l2cap_ecfc_reconf_req *in)
{
	if (!in || in->n_dcid == 0 || in->n_dcid > L2CAP_ECFC_MAX_CIDS)
		return 0;
	const uint16_t v[2] = {in->mtu, in->mps};
	return build_with_cids(buf, cap, L2CAP_CREDIT_BASED_RECONFIGURE_REQ, ident, v, 2, in->dcid,
			       in->n_dcid);
}

int l2cap_parse_ecfc_reconf_rsp(const uint8_t *d, size_t len, struct l2cap_ecfc_reconf_rsp *out)
{
	if (!out)
		return L2K_EINVAL;
	return parse_u16s(d, len, &out->result, 1);
}

size_t l2cap_build_ecfc_reconf_rsp(uint8_t *buf, size_t cap, uint8_t ident,
				   const struct l2cap_ecfc_reconf_rsp *in)
{
	if (!in)
		return 0;
	return build_u16s(buf, cap, L2CAP_CREDIT_BASED_RECONFIGURE_RSP, ident, &in->result, 1);
}
