/* L2CAP configuration options codec (Core v5.4 Vol 3 Part A, 5).  Contracts in l2cap_conf.h. */
#include "core/l2cap_conf.h"

#include <string.h>

int l2cap_conf_opt_len(uint8_t type)
{
	switch (type & L2CAP_CONF_OPT_TYPE_MASK) {
	case L2CAP_CONF_OPT_MTU: return L2CAP_CONF_LEN_MTU;
	case L2CAP_CONF_OPT_FLUSH_TIMEOUT: return L2CAP_CONF_LEN_FLUSH_TIMEOUT;
	case L2CAP_CONF_OPT_QOS: return L2CAP_CONF_LEN_QOS;
	case L2CAP_CONF_OPT_RFC: return L2CAP_CONF_LEN_RFC;
	case L2CAP_CONF_OPT_FCS: return L2CAP_CONF_LEN_FCS;
	case L2CAP_CONF_OPT_EFS: return L2CAP_CONF_LEN_EFS;
	case L2CAP_CONF_OPT_EWS: return L2CAP_CONF_LEN_EWS;
	default: return -1;
	}
}

int l2cap_conf_next(const uint8_t *p, size_t len, size_t *off, struct l2cap_conf_opt *opt)
{
	if (!off || !opt || *off > len || (!p && len))
		return L2K_EINVAL;
	size_t rem = len - *off;
	if (rem == 0)
		return 0;
	if (rem < L2CAP_CONF_OPT_HDR_LEN || (size_t)p[*off + 1] > rem - L2CAP_CONF_OPT_HDR_LEN) {
		*off = len;
		return L2K_EBADMSG;
	}
	opt->type = p[*off];
	opt->len = p[*off + 1];
	opt->data = p + *off + L2CAP_CONF_OPT_HDR_LEN;
	*off += L2CAP_CONF_OPT_HDR_LEN + (size_t)opt->len;
	return 1;
}

void l2cap_conf_opts_clear(struct l2cap_conf_opts *o)
{
	if (o)
		memset(o, 0, sizeof(*o));
}

/* Decodes one known option whose length has been checked. */
static void decode_known(struct l2cap_conf_opts *o, uint8_t type, const uint8_t *d)
{
	switch (type) {
	case L2CAP_CONF_OPT_MTU:
		o->mtu = get_le16(d);
		break;
	case L2CAP_CONF_OPT_FLUSH_TIMEOUT:
		o->flush_timeout = get_le16(d);
		break;
	case L2CAP_CONF_OPT_QOS:
		o->qos.flags = d[0];
		o->qos.service_type = d[1];
		o->qos.token_rate = get_le32(d + 2);
		o->qos.token_bucket_size = get_le32(d + 6);
		o->qos.peak_bandwidth = get_le32(d + 10);
		o->qos.latency = get_le32(d + 14);
		o->qos.delay_variation = get_le32(d + 18);
		break;
	case L2CAP_CONF_OPT_RFC:
		o->rfc.mode = d[0];
		o->rfc.tx_window = d[1];
		o->rfc.max_transmit = d[2];
		o->rfc.retrans_timeout = get_le16(d + 3);
		o->rfc.monitor_timeout = get_le16(d + 5);
		o->rfc.mps = get_le16(d + 7);
		break;
	case L2CAP_CONF_OPT_FCS:
		o->fcs = d[0];
		break;
	case L2CAP_CONF_OPT_EFS:
		o->efs.id = d[0];
		o->efs.service_type = d[1];
		o->efs.max_sdu = get_le16(d + 2);
		o->efs.sdu_inter_time = get_le32(d + 4);
		o->efs.access_latency = get_le32(d + 8);
		o->efs.flush_timeout = get_le32(d + 12);
		break;
	case L2CAP_CONF_OPT_EWS:
		o->ews = get_le16(d);
		break;
	default:
		return;
	}
	o->present |= L2CAP_CONF_HAS(type);
}

int l2cap_conf_merge(const uint8_t *p, size_t len, struct l2cap_conf_opts *o)
{
	if (!o || (!p && len))
		return L2K_EINVAL;
	size_t off = 0;
	struct l2cap_conf_opt opt;
	int rc;
	while ((rc = l2cap_conf_next(p, len, &off, &opt)) == 1) {
		int want = l2cap_conf_opt_len(opt.type);
		if (want >= 0) {
			if (opt.len != want)
				return L2K_EBADMSG; /* e.g. an MTU of length 1 or 3 */
			decode_known(o, opt.type & L2CAP_CONF_OPT_TYPE_MASK, opt.data);
		} else if (opt.type & L2CAP_CONF_OPT_HINT) {
			if (o->n_hints_skipped < 0xFFFF)
				o->n_hints_skipped++;
		} else {
			if (o->n_unknown < L2CAP_CONF_MAX_UNKNOWN)
				o->unknown[o->n_unknown++] = opt.type;
			if (o->n_unknown_total < 0xFFFF)
				o->n_unknown_total++;
		}
	}
	if (rc < 0)
		return rc; /* truncated option header or length past the end */
	return o->n_unknown_total ? L2CAP_CONF_PARSE_UNKNOWN : 0;
}

int l2cap_conf_parse(const uint8_t *p, size_t len, struct l2cap_conf_opts *o)
{
	if (!o || (!p && len))
		return L2K_EINVAL;
	l2cap_conf_opts_clear(o);
	return l2cap_conf_merge(p, len, o);
}

/* Encodes one option's data into d (d has room for its exact length). */
static void encode_known(const struct l2cap_conf_opts *o, uint8_t type, uint8_t *d)
{
	switch (type) {
	case L2CAP_CONF_OPT_MTU:
		put_le16(d, o->mtu);
		break;
	case L2CAP_CONF_OPT_FLUSH_TIMEOUT:
		put_le16(d, o->flush_timeout);
		break;
	case L2CAP_CONF_OPT_QOS:
		d[0] = o->qos.flags;
		d[1] = o->qos.service_type;
		put_le32(d + 2, o->qos.token_rate);
		put_le32(d + 6, o->qos.token_bucket_size);
		put_le32(d + 10, o->qos.peak_bandwidth);
		put_le32(d + 14, o->qos.latency);
		put_le32(d + 18, o->qos.delay_variation);
		break;
	case L2CAP_CONF_OPT_RFC:
		d[0] = o->rfc.mode;
		d[1] = o->rfc.tx_window;
		d[2] = o->rfc.max_transmit;
		put_le16(d + 3, o->rfc.retrans_timeout);
		put_le16(d + 5, o->rfc.monitor_timeout);
		put_le16(d + 7, o->rfc.mps);
		break;
	case L2CAP_CONF_OPT_FCS:
		d[0] = o->fcs;
		break;
	case L2CAP_CONF_OPT_EFS:
		d[0] = o->efs.id;
		d[1] = o->efs.service_type;
		put_le16(d + 2, o->efs.max_sdu);
		put_le32(d + 4, o->efs.sdu_inter_time);
		put_le32(d + 8, o->efs.access_latency);
		put_le32(d + 12, o->efs.flush_timeout);
		break;
	case L2CAP_CONF_OPT_EWS:
		put_le16(d, o->ews);
		break;
	default:
		break;
	}
}

int l2cap_conf_build(uint8_t *buf, size_t cap, const struct l2cap_conf_opts *o)
{
	if (!o || (!buf && cap))
		return L2K_EINVAL;
	size_t need = 0;
	for (uint8_t t = L2CAP_CONF_OPT_MTU; t <= L2CAP_CONF_OPT_EWS; t++)
		if (o->present & L2CAP_CONF_HAS(t))
			need += L2CAP_CONF_OPT_HDR_LEN + (size_t)l2cap_conf_opt_len(t);
	if (need > cap)
		return L2K_ENOBUFS;
	size_t off = 0;
	for (uint8_t t = L2CAP_CONF_OPT_MTU; t <= L2CAP_CONF_OPT_EWS; t++) {
		if (!(o->present & L2CAP_CONF_HAS(t)))
			continue;
		uint8_t olen = (uint8_t)l2cap_conf_opt_len(t);
		buf[off] = t;
		buf[off + 1] = olen;
		encode_known(o, t, buf + off + L2CAP_CONF_OPT_HDR_LEN);
		off += L2CAP_CONF_OPT_HDR_LEN + olen;
	}
	return (int)off;
}

int l2cap_conf_build_unknown(uint8_t *buf, size_t cap, const uint8_t *types, size_t n)
{
	if ((!buf && cap) || (!types && n) || n > 0xFFFF)
		return L2K_EINVAL;
	if (n > cap)
		return L2K_ENOBUFS;
	if (n)
		memmove(buf, types, n);
	return (int)n;
}
