/* Configuration negotiation policy (Vol 3 Part A 5 and 7.1): what l2kit asks for, how it
 * judges the peer's options and how it reacts to the peer's answer.  The modes with their own
 * options (RFC, FCS, EFS, EWS) are judged here too, so the channel machinery stays the same
 * when modes are added. */
#include <string.h>

#include "core/l2cap_int.h"

int l2cap_conf_build_request(struct l2k_chan *ch, uint8_t *buf, size_t cap);
int l2cap_conf_eval_request(struct l2k_chan *ch, const struct l2cap_conf_opts *in, uint16_t *result,
			    uint8_t *rsp_opts, size_t cap);
int l2cap_conf_apply_response(struct l2k_chan *ch, uint16_t result, const struct l2cap_conf_opts *o);

#define MAX_CONF_ROUNDS 4

int l2cap_conf_build_request(struct l2k_chan *ch, uint8_t *buf, size_t cap)
{
	struct l2cap_conf_opts o;
	l2cap_conf_opts_clear(&o);
	/* MTU always: explicit is clearer to every peer than relying on the 672 default */
	o.present |= L2CAP_CONF_HAS_MTU;
	o.mtu = ch->local_mtu;
	if (ch->opts.flush_timeout != L2CAP_FLUSH_TO_INFINITE) {
		o.present |= L2CAP_CONF_HAS_FLUSH_TIMEOUT;
		o.flush_timeout = ch->opts.flush_timeout;
	}
	if (ch->mode != L2K_MODE_BASIC) {
		o.present |= L2CAP_CONF_HAS_RFC;
		o.rfc.mode = (uint8_t)ch->mode;
	}
	o.present &= ~ch->conf_omit;
	return l2cap_conf_build(buf, cap, &o);
}

int l2cap_conf_eval_request(struct l2k_chan *ch, const struct l2cap_conf_opts *in, uint16_t *result,
			    uint8_t *rsp_opts, size_t cap)
{
	struct l2cap_conf_opts out;
	l2cap_conf_opts_clear(&out);
	*result = L2CAP_CONF_SUCCESS;
	/* MTU (5.1): what the peer can receive; below the 48-octet minimum is unacceptable and
	 * the response names the value we can accept (COS/CFD/BV-11). */
	if (in->present & L2CAP_CONF_HAS_MTU) {
		out.present |= L2CAP_CONF_HAS_MTU;
		if (in->mtu < L2CAP_MIN_MTU_BREDR) {
			*result = L2CAP_CONF_UNACCEPTABLE;
			out.mtu = L2CAP_MIN_MTU_BREDR;
		} else {
			out.mtu = in->mtu;
		}
	}
	/* Flush timeout (5.2): accepted as given (l2kit does not flush on its own). */
	/* QoS (5.3): best effort and no traffic are fine; a guaranteed service l2kit cannot
	 * promise, so it answers with best effort as the acceptable value. */
	if ((in->present & L2CAP_CONF_HAS_QOS) && in->qos.service_type == L2CAP_SERVICE_GUARANTEED) {
		*result = L2CAP_CONF_UNACCEPTABLE;
		out.present |= L2CAP_CONF_HAS_QOS;
		out.qos = in->qos;
		out.qos.service_type = L2CAP_SERVICE_BEST_EFFORT;
	}
	/* Mode (5.4): both directions use one mode; a request for another mode than ours is
	 * answered Unacceptable with our mode (7.1.3). */
	if (in->present & L2CAP_CONF_HAS_RFC) {
		if (in->rfc.mode != (uint8_t)ch->mode) {
			*result = L2CAP_CONF_UNACCEPTABLE;
			out.present |= L2CAP_CONF_HAS_RFC;
			memset(&out.rfc, 0, sizeof(out.rfc));
			out.rfc.mode = (uint8_t)ch->mode;
		}
	} else if (ch->mode != L2K_MODE_BASIC) {
		/* no RFC option means Basic: we want another mode */
		*result = L2CAP_CONF_UNACCEPTABLE;
		out.present |= L2CAP_CONF_HAS_RFC;
		memset(&out.rfc, 0, sizeof(out.rfc));
		out.rfc.mode = (uint8_t)ch->mode;
	}
	if (*result == L2CAP_CONF_SUCCESS) {
		if (in->present & L2CAP_CONF_HAS_MTU)
			ch->remote_mtu = in->mtu;
		else if (!ch->configured_once)
			ch->remote_mtu = L2CAP_DEFAULT_MTU;
		if (in->present & L2CAP_CONF_HAS_FLUSH_TIMEOUT)
			ch->flush_timeout = in->flush_timeout;
		ch->configured_once = true;
	}
	return l2cap_conf_build(rsp_opts, cap, &out);
}

/* Returns 0 when our request is accepted, 1 when we adjusted and must ask again, -1 when the
 * configuration cannot be agreed (the caller disconnects). */
int l2cap_conf_apply_response(struct l2k_chan *ch, uint16_t result, const struct l2cap_conf_opts *o)
{
	switch (result) {
	case L2CAP_CONF_SUCCESS:
		return 0;
	case L2CAP_CONF_UNACCEPTABLE:
		/* COS/CFD/BV-02: re-propose acceptable values */
		if (++ch->conf_tries > MAX_CONF_ROUNDS)
			return -1;
		if (o->present & L2CAP_CONF_HAS_MTU) {
			if (o->mtu < L2CAP_MIN_MTU_BREDR)
				return -1;
			ch->local_mtu = o->mtu;
		}
		if (o->present & L2CAP_CONF_HAS_FLUSH_TIMEOUT)
			ch->opts.flush_timeout = o->flush_timeout;
		if (o->present & L2CAP_CONF_HAS_RFC && o->rfc.mode != (uint8_t)ch->mode) {
			enum l2k_mode m = (enum l2k_mode)o->rfc.mode;
			bool ok = l2k_mode_supported(m) && m != L2K_MODE_LE_CREDIT &&
				  (m == ch->opts.mode || (m == L2K_MODE_BASIC && !ch->opts.mode_required));
			if (!ok)
				return -1;
			ch->mode = m;
		}
		return 1;
	case L2CAP_CONF_UNKNOWN_OPTIONS:
		if (++ch->conf_tries > MAX_CONF_ROUNDS)
			return -1;
		/* the omitted options were recorded by the caller; MTU and RFC cannot be dropped
		 * when they carry non-default values */
		if ((ch->conf_omit & L2CAP_CONF_HAS_MTU) && ch->local_mtu != L2CAP_DEFAULT_MTU)
			return -1;
		if ((ch->conf_omit & L2CAP_CONF_HAS_RFC) && ch->mode != L2K_MODE_BASIC)
			return -1;
		return 1;
	default: /* Rejected, Flow spec rejected */
		return -1;
	}
}
