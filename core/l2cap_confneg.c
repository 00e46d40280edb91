/* Configuration negotiation policy (Vol 3 Part A 5 and 7.1): what l2kit asks for, how it
 * judges the peer's options and how it reacts to the peer's answer, for every BR/EDR mode.
 *
 * Options l2kit sends in a Configuration Request:
 *   MTU always; Flush Timeout when not infinite;
 *   RFC (5.4) for any mode but Basic: our receive window (TxWindow), our MaxTransmit, MPS
 *     (ifr_fit_mps: one I-frame per ACL packet of our controller, never above the MTU);
 *     timeouts 0 for ERTM/Streaming (the responder chooses them) and our defaults for the
 *     legacy modes (there the request tells the peer's transmitter what to use);
 *   EWS (5.7) for ERTM when opts.ext_window and the peer's features have Extended Window Size;
 *   FCS (5.5) for ERTM/Streaming, only to a peer whose features have the FCS Option (4.12;
 *     as Linux): 0x00 when opts.fcs is 0, else 0x01; the FCS is left out only when both
 *     requests said 0x00 (a peer without the option always gets and sends the CRC-16);
 *   EFS (5.6) for ERTM/Streaming when opts.flow_spec and the peer has Extended Flow Spec.
 *
 * Mode (5.4, 7.1): both directions use one mode.  With opts.mode_required the mode is
 * mandatory: a peer that asks for or answers with another mode is refused (Unacceptable
 * parameters naming our mode) and the channel is disconnected when it persists.  Otherwise
 * l2kit settles for Basic, or for ERTM when it wanted Streaming, when the peer asks for that.
 * An application that wants Basic refuses ERTM/Streaming.
 *
 * Values refused with Unacceptable parameters (the response names an acceptable value): MTU
 * below 48, TxWindow 0 or above the mode's limit (63 ERTM, 32 legacy), Extended Window Size 0 or
 * above 0x3FFF, MPS below L2CAP_MIN_MPS_IFR, an FCS type other than 0/1, a guaranteed QoS.  A
 * guaranteed Extended Flow Specification is answered "flow spec rejected" (0x0005): l2kit has
 * no way to reserve air time; best effort is accepted and echoed.
 *
 * Lockstep (7.1.3): after an Unacceptable answer l2kit sends a new request with the values the
 * peer named (at most MAX_CONF_ROUNDS times); when its own mode changes after the peer already
 * accepted a request of the old mode, it asks again in the new mode. */
#include <string.h>

#include "core/mode_ifr.h"

#define MAX_CONF_ROUNDS 4
#define MAX_MODE_REFUSALS 2

static bool ertm_like(enum l2k_mode m)
{
	return m == L2K_MODE_ERTM || m == L2K_MODE_STREAMING;
}

static bool legacy(enum l2k_mode m)
{
	return m == L2K_MODE_RETRANS || m == L2K_MODE_FLOWCTL;
}

static uint32_t peer_features(const struct l2k_chan *ch)
{
	return ch->link ? ch->link->peer_features : 0;
}

static uint8_t our_max_transmit(const struct l2k_chan *ch)
{
	return ch->opts.max_transmit == L2K_MAX_TRANSMIT_UNLIMITED ? 0 : ch->opts.max_transmit;
}

/* The mode l2kit may change to when the peer insists on m (see the top of the file). */
static bool mode_acceptable(const struct l2k_chan *ch, enum l2k_mode m)
{
	if (m == ch->opts.mode)
		return true;
	if (ch->opts.mode_required || ch->opts.mode == L2K_MODE_BASIC || m > L2K_MODE_STREAMING ||
	    !l2cap_mode_supported(m))
		return false;
	if (m == L2K_MODE_BASIC)
		return true;
	return m == L2K_MODE_ERTM && ch->opts.mode == L2K_MODE_STREAMING &&
	       (peer_features(ch) & L2CAP_FEAT_ERTM);
}

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
	struct l2cap_ifr *f = ch->mode != L2K_MODE_BASIC ? l2cap_ifr_get(ch) : ifr_of(ch);
	if (f)
		f->neg.local_fcs_none = f->neg.local_ews = false;
	if (ch->mode != L2K_MODE_BASIC && f) {
		uint32_t feat = peer_features(ch);
		bool ews = ch->mode == L2K_MODE_ERTM && ch->opts.ext_window && (feat & L2CAP_FEAT_EXT_WINDOW) &&
			   !(ch->conf_omit & L2CAP_CONF_HAS_EWS);
		f->neg.local_ews = ews;
		ch->local_mps = ifr_fit_mps(ch, ews);
		uint16_t win = ifr_local_window(ch);
		o.present |= L2CAP_CONF_HAS_RFC;
		o.rfc.mode = (uint8_t)ch->mode;
		o.rfc.mps = ch->local_mps;
		if (ch->mode != L2K_MODE_STREAMING) {
			o.rfc.tx_window = (uint8_t)(win > L2CAP_TX_WINDOW_MAX_ERTM ? L2CAP_TX_WINDOW_MAX_ERTM : win);
			o.rfc.max_transmit = our_max_transmit(ch);
		}
		if (legacy(ch->mode)) {
			/* the timeouts for the peer's transmitter (the legacy modes take them from the
			 * request): fitted to the link, for the peer's MaxTransmit when its request
			 * came first, else for ours */
			uint8_t mt = f->neg.peer_rfc ? f->neg.peer.max_transmit : our_max_transmit(ch);
			ifr_link_timeouts(ch, mt, &o.rfc.retrans_timeout, &o.rfc.monitor_timeout);
		}
		if (ews) {
			o.present |= L2CAP_CONF_HAS_EWS;
			o.ews = win;
		}
		if (ertm_like(ch->mode) && !(ch->conf_omit & L2CAP_CONF_HAS_FCS)) {
			if (!ch->opts.fcs && (feat & L2CAP_FEAT_FCS)) {
				o.present |= L2CAP_CONF_HAS_FCS;
				o.fcs = L2CAP_FCS_NONE;
				f->neg.local_fcs_none = true;
			} else if (feat & L2CAP_FEAT_FCS) {
				o.present |= L2CAP_CONF_HAS_FCS;
				o.fcs = L2CAP_FCS_16BIT;
			}
		}
		if (ertm_like(ch->mode) && ch->opts.flow_spec && (feat & L2CAP_FEAT_EXT_FLOW_SPEC)) {
			o.present |= L2CAP_CONF_HAS_EFS;
			o.efs.id = 1;
			o.efs.service_type = ch->opts.flow_spec == 2 ? L2CAP_SERVICE_GUARANTEED : L2CAP_SERVICE_BEST_EFFORT;
			o.efs.max_sdu = ch->local_mtu;
			o.efs.sdu_inter_time = L2CAP_EFS_DEFAULT_SDU_INTER_TIME;
			o.efs.access_latency = L2CAP_EFS_DEFAULT_ACCESS_LATENCY;
			o.efs.flush_timeout = L2CAP_EFS_FLUSH_TO_INFINITE;
		}
	}
	o.present &= ~ch->conf_omit;
	if (f)
		f->neg.req_mode = (uint8_t)ch->mode;
	return l2cap_conf_build(buf, cap, &o);
}

/* Our mode changed while configuring: a request of the old mode that the peer accepted no
 * longer holds, ask again (lockstep, 7.1.3). */
/* Our mode changed while judging the peer's request: our own request (if already agreed) must
 * be made again, after our response goes out (the caller, on_conf_req, does it). */
static void mode_changed(struct l2k_chan *ch)
{
	if (ch->conf_out_done) {
		ch->conf_out_done = false;
		ch->conf_after |= L2CAP_CONF_AFTER_RESEND;
	}
}

/* Judge the RFC option of a request in our mode; fills *rfc with the acceptable values.
 * Returns true when every value is acceptable. */
static bool judge_rfc(struct l2k_chan *ch, const struct l2cap_conf_opts *in, struct l2cap_conf_rfc *rfc)
{
	bool ok = true;
	*rfc = in->rfc;
	if (ch->mode == L2K_MODE_ERTM || legacy(ch->mode)) {
		uint8_t max = legacy(ch->mode) ? L2CAP_TX_WINDOW_MAX_LEGACY : L2CAP_TX_WINDOW_MAX_ERTM;
		bool ews = (in->present & L2CAP_CONF_HAS_EWS) && ch->mode == L2K_MODE_ERTM;
		/* with EWS the RFC TxWindow is not used (5.7); otherwise it must be 1..max */
		if (!ews && (rfc->tx_window == 0 || rfc->tx_window > max)) {
			rfc->tx_window = rfc->tx_window ? max : 1;
			ok = false;
		}
	}
	if (rfc->mps < L2CAP_MIN_MPS_IFR) {
		rfc->mps = L2CAP_MIN_MPS_IFR;
		ok = false;
	} else if (rfc->mps > L2CAP_MAX_MPS_IFR) {
		rfc->mps = L2CAP_MAX_MPS_IFR; /* we never send more than fits a PDU */
	}
	if (ch->mode == L2K_MODE_ERTM) {
		/* the timeouts the peer's transmitter uses are ours to give (5.4): fitted to the
		 * link's round trip and to the MaxTransmit the peer asked for */
		ifr_link_timeouts(ch, in->rfc.max_transmit, &rfc->retrans_timeout, &rfc->monitor_timeout);
	} else if (ch->mode == L2K_MODE_STREAMING) {
		rfc->tx_window = 0;
		rfc->max_transmit = 0;
		rfc->retrans_timeout = rfc->monitor_timeout = 0;
	}
	return ok;
}

/* The RFC option of an Unacceptable answer naming our mode (ch->mode, not Basic) when the
 * peer asked for another one: values that we would accept in the peer's next request in our
 * mode (7.1.3: the response carries acceptable values), never the zeros of the mode it asked
 * for - a TxWindow and an MPS of 0 are what judge_rfc refuses.  The peer's own values are kept
 * where they are valid in our mode; the others are ours (our receive window, our MPS, our
 * MaxTransmit). */
static void propose_rfc(struct l2k_chan *ch, const struct l2cap_conf_opts *in, struct l2cap_conf_rfc *rfc)
{
	struct l2cap_conf_opts p = *in;
	p.present &= ~L2CAP_CONF_HAS_EWS;
	p.rfc.mode = (uint8_t)ch->mode;
	if (!(in->present & L2CAP_CONF_HAS_RFC) || in->rfc.mode == L2K_MODE_BASIC ||
	    in->rfc.mode == L2K_MODE_STREAMING) {
		/* no window / MaxTransmit of the peer's in those modes */
		uint16_t win = ifr_local_window(ch);
		uint8_t max = legacy(ch->mode) ? L2CAP_TX_WINDOW_MAX_LEGACY : L2CAP_TX_WINDOW_MAX_ERTM;
		p.rfc.tx_window = (uint8_t)(win > max ? max : win);
		p.rfc.max_transmit = our_max_transmit(ch);
	}
	if (!(in->present & L2CAP_CONF_HAS_RFC) || in->rfc.mps < L2CAP_MIN_MPS_IFR)
		p.rfc.mps = ch->local_mps >= L2CAP_MIN_MPS_IFR ? ch->local_mps : ifr_fit_mps(ch, false);
	judge_rfc(ch, &p, rfc);
	rfc->mode = (uint8_t)ch->mode;
	if (legacy(ch->mode) && !rfc->retrans_timeout) {
		rfc->retrans_timeout = L2CAP_DEFAULT_RETX_TIMEOUT;
		rfc->monitor_timeout = L2CAP_DEFAULT_MONITOR_TIMEOUT;
	}
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
		if (in->mtu < L2CAP_MIN_MTU_BREDR && !(ch->eng->defects & L2CAP_DEFECT_SKIP_MTU_CHECK)) {
			*result = L2CAP_CONF_UNACCEPTABLE;
			out.mtu = L2CAP_MIN_MTU_BREDR;
		} else {
			out.mtu = in->mtu;
		}
	}
	/* QoS (5.3): best effort and no traffic are fine; a guaranteed service l2kit cannot
	 * promise, so it answers with best effort as the acceptable value. */
	if ((in->present & L2CAP_CONF_HAS_QOS) && in->qos.service_type == L2CAP_SERVICE_GUARANTEED) {
		*result = L2CAP_CONF_UNACCEPTABLE;
		out.present |= L2CAP_CONF_HAS_QOS;
		out.qos = in->qos;
		out.qos.service_type = L2CAP_SERVICE_BEST_EFFORT;
	}
	/* Mode (5.4): no RFC option means Basic. */
	enum l2k_mode want = (in->present & L2CAP_CONF_HAS_RFC) ? (enum l2k_mode)in->rfc.mode : L2K_MODE_BASIC;
	bool reconf = ch->state == CH_OPEN;
	struct l2cap_ifr *f = ch->mode != L2K_MODE_BASIC || want != L2K_MODE_BASIC ? l2cap_ifr_get(ch) : NULL;
	if (want != ch->mode && !reconf && mode_acceptable(ch, want)) {
		ch->mode = want; /* settle on the peer's mode (CMC/BV-07, BV-14) */
		mode_changed(ch);
	}
	if (want != ch->mode) {
		*result = L2CAP_CONF_UNACCEPTABLE;
		out.present |= L2CAP_CONF_HAS_RFC;
		memset(&out.rfc, 0, sizeof(out.rfc));
		out.rfc.mode = (uint8_t)ch->mode;
		if (ch->mode != L2K_MODE_BASIC && f)
			propose_rfc(ch, in, &out.rfc);
		if (f && ++f->neg.mode_refusals > MAX_MODE_REFUSALS) {
			/* the peer insists on a mode we cannot use (CMC/BI-02, BI-05): answer, then
			 * disconnect (on_conf_req does it after the response) */
			ch->conf_after |= L2CAP_CONF_AFTER_GIVE_UP;
		}
		return l2cap_conf_build(rsp_opts, cap, &out);
	}
	bool peer_fcs_none = false, peer_ews = false;
	uint16_t peer_ews_val = 0;
	if (ch->mode != L2K_MODE_BASIC && f) {
		struct l2cap_conf_rfc rfc;
		out.present |= L2CAP_CONF_HAS_RFC;
		if (!judge_rfc(ch, in, &rfc))
			*result = L2CAP_CONF_UNACCEPTABLE;
		out.rfc = rfc;
		if (ertm_like(ch->mode) && (in->present & L2CAP_CONF_HAS_EWS)) {
			peer_ews = true;
			peer_ews_val = in->ews;
			if (in->ews == 0 || in->ews > L2CAP_EXT_WINDOW_MAX) {
				*result = L2CAP_CONF_UNACCEPTABLE;
				out.present |= L2CAP_CONF_HAS_EWS;
				out.ews = in->ews ? L2CAP_EXT_WINDOW_MAX : 1;
			}
		}
		if (ertm_like(ch->mode) && (in->present & L2CAP_CONF_HAS_FCS)) {
			if (in->fcs > L2CAP_FCS_16BIT) {
				*result = L2CAP_CONF_UNACCEPTABLE;
				out.present |= L2CAP_CONF_HAS_FCS;
				out.fcs = L2CAP_FCS_16BIT;
			}
			peer_fcs_none = in->fcs == L2CAP_FCS_NONE;
		}
		if (ertm_like(ch->mode) && (in->present & L2CAP_CONF_HAS_EFS)) {
			out.present |= L2CAP_CONF_HAS_EFS;
			out.efs = in->efs;
			if (in->efs.service_type == L2CAP_SERVICE_GUARANTEED) {
				/* 5.6: l2kit cannot reserve air time for a guaranteed flow */
				if (*result == L2CAP_CONF_SUCCESS)
					*result = L2CAP_CONF_FLOW_SPEC_REJECTED;
				out.efs.service_type = L2CAP_SERVICE_BEST_EFFORT;
			}
		}
	}
	if (*result == L2CAP_CONF_SUCCESS) {
		if (in->present & L2CAP_CONF_HAS_MTU)
			ch->remote_mtu = in->mtu;
		else if (!ch->configured_once)
			ch->remote_mtu = L2CAP_DEFAULT_MTU;
		if (in->present & L2CAP_CONF_HAS_FLUSH_TIMEOUT)
			ch->flush_timeout = in->flush_timeout;
		if (f && ch->mode != L2K_MODE_BASIC && !reconf) {
			f->neg.peer_rfc = true;
			f->neg.peer = out.rfc;
			f->neg.peer.tx_window = in->rfc.tx_window;
			f->neg.peer_ews = peer_ews;
			f->neg.peer_ews_val = peer_ews_val;
			f->neg.peer_fcs_none = peer_fcs_none;
			f->neg.peer_efs = (in->present & L2CAP_CONF_HAS_EFS) != 0;
			f->neg.peer_efs_val = in->efs;
			ch->remote_mps = out.rfc.mps;
		}
		ch->configured_once = true;
	}
	return l2cap_conf_build(rsp_opts, cap, &out);
}

/* Returns 0 when our request is accepted, 1 when we adjusted and must ask again, -1 when the
 * configuration cannot be agreed (the caller disconnects). */
int l2cap_conf_apply_response(struct l2k_chan *ch, uint16_t result, const struct l2cap_conf_opts *o)
{
	struct l2cap_ifr *f = ifr_of(ch);
	switch (result) {
	case L2CAP_CONF_SUCCESS:
		if (f && f->neg.req_mode != (uint8_t)ch->mode)
			return 1; /* accepted in a mode we have left since: ask again */
		if (o->present & L2CAP_CONF_HAS_RFC) {
			if (o->rfc.mode != (uint8_t)ch->mode && ch->state != CH_OPEN)
				return -1; /* "success" in another mode than we asked for */
			if (f && ch->state != CH_OPEN) {
				f->neg.rsp_rfc = true;
				f->neg.rsp = o->rfc;
			}
		}
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
		if (o->present & L2CAP_CONF_HAS_RFC) {
			enum l2k_mode m = (enum l2k_mode)o->rfc.mode;
			if (m != ch->mode) {
				/* CMC/BV-03, BV-06: fall back where allowed; CMC/BI-01, BI-03, BI-06 */
				if (!mode_acceptable(ch, m))
					return -1;
				ch->mode = m;
			} else if (m != L2K_MODE_BASIC) {
				/* same mode, other values: adopt them when we can live with them */
				if (o->rfc.mps && o->rfc.mps >= L2CAP_MIN_MPS_IFR && o->rfc.mps < ch->local_mps)
					ch->opts.mps = o->rfc.mps;
				if (o->rfc.tx_window && o->rfc.tx_window < ifr_local_window(ch))
					ch->opts.tx_window = o->rfc.tx_window;
			}
		}
		if (o->present & L2CAP_CONF_HAS_EWS) {
			if (!o->ews)
				ch->conf_omit |= L2CAP_CONF_HAS_EWS;
			else if (o->ews < ifr_local_window(ch))
				ch->opts.tx_window = o->ews;
		}
		if ((o->present & L2CAP_CONF_HAS_FCS) && o->fcs == L2CAP_FCS_16BIT)
			ch->opts.fcs = 1;
		return 1;
	case L2CAP_CONF_UNKNOWN_OPTIONS:
		if (++ch->conf_tries > MAX_CONF_ROUNDS)
			return -1;
		/* the omitted options were recorded by the caller; MTU cannot be dropped when it
		 * carries a non-default value; without RFC the peer only knows Basic */
		if ((ch->conf_omit & L2CAP_CONF_HAS_MTU) && ch->local_mtu != L2CAP_DEFAULT_MTU)
			return -1;
		if ((ch->conf_omit & L2CAP_CONF_HAS_RFC) && ch->mode != L2K_MODE_BASIC) {
			if (!mode_acceptable(ch, L2K_MODE_BASIC))
				return -1;
			ch->mode = L2K_MODE_BASIC;
		}
		return 1;
	case L2CAP_CONF_FLOW_SPEC_REJECTED:
		/* a guaranteed flow the peer cannot serve: ask for best effort once */
		if (++ch->conf_tries > MAX_CONF_ROUNDS || ch->opts.flow_spec != 2)
			return -1;
		ch->opts.flow_spec = 1;
		return 1;
	default: /* Rejected */
		return -1;
	}
}
