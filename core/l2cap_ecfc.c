/* Enhanced Credit Based Flow Control mode signaling (Core 5.2+, Vol 3 Part A 4.25-4.28 and
 * 10.2), on LE-U and ACL-U: one request opens up to five channels; channels can be reconfigured
 * (MTU may only grow; MPS may shrink only when one channel is named).  The data path is the
 * credit based one (core/mode_credit.c), shared with LE Credit Based mode. */
#include <stdlib.h>
#include <string.h>

#include "core/l2cap_int.h"

static bool dyn_cid_ok(const struct l2cap_link *l, uint16_t cid)
{
	return cid >= L2CAP_CID_DYN_START && (!l->le || cid <= L2CAP_CID_LE_DYN_END);
}

/* ---- initiator -------------------------------------------------------------------------- */

/* Send one Credit Based Connection Request for `first` and every other channel of its group
 * that waits on this link (at most five). */
void l2cap_ecfc_connect(struct l2cap_link *l, struct l2k_chan *first)
{
	struct l2cap_ecfc_conn_req rq = {0};
	struct l2k_chan *members[L2CAP_ECFC_MAX_CIDS];
	int n = 0;
	for (size_t i = 0; i < l->chans_cap && n < L2CAP_ECFC_MAX_CIDS; i++) {
		struct l2k_chan *ch = l->chans[i];
		if (ch && ch->state == CH_WAIT_INFO && ch->mode == L2K_MODE_ECFC && ch->ecfc_group == first->ecfc_group)
			members[n++] = ch;
	}
	if (!n)
		return;
	if (!l->le && !(l->peer_features & L2CAP_FEAT_ECFC)) {
		/* the peer does not support the mode on BR/EDR (its feature mask says so) */
		for (int i = 0; i < n; i++)
			l2cap_chan_closed(members[i], L2K_CLOSE_CONFIG_FAILED);
		return;
	}
	for (int i = 0; i < n; i++) {
		members[i]->mode = L2K_MODE_ECFC;
		l2cap_credit_params(members[i]);
	}
	/* one MTU/MPS/credit value for all the channels of a request (4.25): the first's */
	rq.spsm = first->psm;
	rq.mtu = members[0]->local_mtu;
	rq.mps = members[0]->local_mps;
	rq.credits = members[0]->rx_initial;
	rq.n_scid = (uint8_t)n;
	uint8_t id = l2cap_next_ident(l);
	struct l2cap_pending_sig *p = l2cap_pend_add(l, id, L2CAP_CREDIT_BASED_CONNECTION_REQ, 0, l->eng->rtx_ms);
	for (int i = 0; i < n; i++) {
		struct l2k_chan *ch = members[i];
		ch->local_mtu = rq.mtu;
		ch->local_mps = rq.mps;
		ch->rx_initial = rq.credits;
		ch->rx_credits = rq.credits;
		rq.scid[i] = ch->lcid;
		ch->sig_ident = id;
		ch->state = CH_WAIT_CONNECT_RSP;
		timer_cancel(&ch->eng->timers, &ch->sig_timer);
		if (p)
			p->cids[i] = ch->lcid;
	}
	if (!p) {
		for (int i = 0; i < n; i++)
			l2cap_chan_closed(members[i], L2K_CLOSE_LINK_FAILED);
		return;
	}
	p->ncids = (uint8_t)n;
	size_t len = l2cap_build_ecfc_conn_req(SIGBUF(l), SIGCAP(l), id, &rq);
	l2cap_send_sig(l, SIGBUF(l), len);
}

/* Results of a Credit Based Connection Response (4.26): "some refused" ones are decided per
 * Destination CID (0x0000: that channel was refused); "all pending" ones are followed by a
 * final response; every other value refuses every channel of the request, whatever CIDs the
 * response carries. */
static bool result_per_dcid(uint16_t r)
{
	return r == L2CAP_ECFC_SUCCESS || r == L2CAP_ECFC_SOME_NO_RESOURCES || r == L2CAP_ECFC_SOME_INVALID_SCID ||
	       r == L2CAP_ECFC_SOME_SCID_IN_USE;
}

static bool result_pending(uint16_t r)
{
	return r >= L2CAP_ECFC_PENDING_NO_INFO && r <= L2CAP_ECFC_PENDING_AUTHORIZATION;
}

static void on_conn_rsp(struct l2cap_link *l, uint8_t id, const uint8_t *d, size_t len)
{
	struct l2cap_pending_sig *p = l2cap_pend_find(l, id);
	if (!p || p->code != L2CAP_CREDIT_BASED_CONNECTION_REQ)
		return;
	struct l2cap_ecfc_conn_rsp r;
	bool bad = l2cap_parse_ecfc_conn_rsp(d, len, &r) < 0;
	if (bad && len >= l2cap_sig_cmd_info(L2CAP_CREDIT_BASED_CONNECTION_RSP)->min_len) {
		/* The fixed fields are there (the parser decoded them) but the DCID list is not well
		 * formed (an odd octet, more than five).  A result that refuses the whole request
		 * needs no DCID (they are to be 0x0000 and mean nothing, 4.26): take the refusal and
		 * its cause rather than fail the request as malformed. */
		uint16_t res = r.result;
		if (!result_per_dcid(res) && !result_pending(res)) {
			memset(&r, 0, sizeof(r));
			r.result = res;
			bad = false;
		}
	}
	if (!bad && result_pending(r.result)) {
		/* the peer decides later: wait for its final response, up to ERTX (6.2.2) */
		p->due = l->eng->now + l->eng->ertx_ms;
		l2cap_link_rearm_sig_timer(l);
		return;
	}
	struct l2cap_pending_sig pend = *p;
	l2cap_pend_del(l, p);
	/* values below the mode's minimum make every channel of the response unusable */
	bool bad_params = !bad && (r.mtu < L2CAP_MIN_MTU_ECFC || r.mps < L2CAP_MIN_MPS_ECFC ||
				   r.mps > L2CAP_MAX_MPS_CREDIT);
	bool per_dcid = !bad && result_per_dcid(r.result);
	for (int i = 0; i < pend.ncids; i++) {
		struct l2k_chan *ch = l2cap_link_chan(l, pend.cids[i]);
		if (!ch || ch->state != CH_WAIT_CONNECT_RSP)
			continue;
		if (bad) {
			/* a malformed response (shorter than its fixed fields, odd or more than five
			 * CIDs): the request failed (4.26); nothing was established */
			ch->last_result = 0xFFFF;
			l2cap_chan_closed(ch, L2K_CLOSE_PROTOCOL);
			continue;
		}
		ch->last_result = r.result;
		uint16_t dcid = per_dcid && i < r.n_dcid ? r.dcid[i] : 0;
		if (dcid == 0) {
			/* refused (a missing DCID counts as 0x0000) */
			l2cap_chan_closed(ch, L2K_CLOSE_REFUSED);
			continue;
		}
		bool again = false; /* the response gives this DCID to a later channel too */
		for (int k = i + 1; k < r.n_dcid && k < pend.ncids; k++)
			again |= r.dcid[k] == dcid;
		if (again && dcid >= L2CAP_CID_DYN_START) {
			/* this one is the "original" of a duplicate (4.26): the peer believes it
			 * established, so it is disconnected, but never opened for the application */
			ch->rcid = dcid;
			ch->state = CH_OPEN;
			l2cap_chan_disconnect(ch, L2K_CLOSE_PROTOCOL);
			continue;
		}
		struct l2k_chan *orig = l2cap_link_chan_by_rcid(l, dcid);
		if (orig && orig != ch) {
			/* a DCID already assigned on this link (earlier, or to another channel of this
			 * response): both the original channel and the new one are discarded (4.26).
			 * The new one was never established: it goes without a word; the original is
			 * disconnected (ECFC/BV-29, BI-07). */
			l2cap_chan_closed(ch, L2K_CLOSE_PROTOCOL);
			if (orig->mode == L2K_MODE_ECFC && orig->state == CH_OPEN)
				l2cap_chan_disconnect(orig, L2K_CLOSE_PROTOCOL);
			continue;
		}
		if (dcid < L2CAP_CID_DYN_START) {
			/* a fixed channel's CID: nothing that could be disconnected */
			l2cap_chan_closed(ch, L2K_CLOSE_PROTOCOL);
			continue;
		}
		ch->rcid = dcid;
		if (!dyn_cid_ok(l, dcid) || bad_params) {
			/* a success we cannot use: the peer holds a channel, so disconnect it */
			ch->state = CH_OPEN; /* so that the disconnection names both CIDs */
			l2cap_chan_disconnect(ch, L2K_CLOSE_PROTOCOL);
			continue;
		}
		ch->remote_mtu = r.mtu;
		ch->remote_mps = r.mps;
		ch->tx_credits = r.credits;
		if (ch->close_pending) {
			ch->state = CH_OPEN;
			l2cap_chan_disconnect(ch, L2K_CLOSE_LOCAL);
			continue;
		}
		l2cap_chan_set_open(ch);
	}
}

/* ---- acceptor --------------------------------------------------------------------------- */

static void send_conn_rsp(struct l2cap_link *l, uint8_t id, const struct l2cap_ecfc_conn_rsp *r)
{
	size_t n = l2cap_build_ecfc_conn_rsp(SIGBUF(l), SIGCAP(l), id, r);
	if (l->ecfc_last_ident == id && n <= sizeof(l->ecfc_last_rsp)) {
		memcpy(l->ecfc_last_rsp, SIGBUF(l), n);
		l->ecfc_last_rsp_len = (uint8_t)n;
	}
	l2cap_send_sig(l, SIGBUF(l), n);
}

/* Vol 3 Part A 4: "A device receiving a duplicate request should reply with a duplicate
 * response" (the peer re-sends with the same identifier when its RTX expired).  A request is a
 * duplicate of the last one we answered when identifier and octets are the same and every
 * channel that answer created is still there as it was; otherwise (an identifier recycled
 * after the channels went) it is a new request.  Returns true when the duplicate response went. */
static bool answer_duplicate(struct l2cap_link *l, uint8_t id, const uint8_t *d, size_t len,
			     const struct l2cap_ecfc_conn_req *rq)
{
	if (!l->ecfc_last_ident || l->ecfc_last_ident != id || !l->ecfc_last_rsp_len || len != l->ecfc_last_req_len ||
	    memcmp(d, l->ecfc_last_req, len) != 0)
		return false;
	/* the response we gave (built by us: well formed) against the request's Source CIDs (rq:
	 * the first five of them decoded, n_scid how many whole ones came) */
	struct l2cap_ecfc_conn_rsp rsp;
	if (l2cap_parse_ecfc_conn_rsp(l->ecfc_last_rsp + L2CAP_SIG_HDR_LEN, l->ecfc_last_rsp_len - L2CAP_SIG_HDR_LEN,
				      &rsp) < 0)
		return false;
	for (size_t i = 0; i < rsp.n_dcid && i < rq->n_scid; i++) {
		uint16_t dcid = rsp.dcid[i], scid = rq->scid[i];
		if (!dcid)
			continue;
		const struct l2k_chan *ch = l2cap_link_chan(l, dcid);
		if (!ch || ch->rcid != scid || ch->peer_conn_ident != id || ch->mode != L2K_MODE_ECFC ||
		    (ch->state != CH_OPEN && ch->state != CH_WAIT_ACCEPT))
			return false;
	}
	memcpy(SIGBUF(l), l->ecfc_last_rsp, l->ecfc_last_rsp_len);
	l2cap_send_sig(l, SIGBUF(l), l->ecfc_last_rsp_len);
	return true;
}

/* Refuse every channel of a request: result, MTU/MPS/credits 0 and a zero DCID for each
 * Source CID it carried (at most five: a response has no room for more). */
static void refuse_all(struct l2cap_link *l, uint8_t id, uint16_t result, int n)
{
	struct l2cap_ecfc_conn_rsp r = {.result = result};
	r.n_dcid = (uint8_t)(n > L2CAP_ECFC_MAX_CIDS ? L2CAP_ECFC_MAX_CIDS : n);
	send_conn_rsp(l, id, &r);
}

/* What the server's accept() returned, as a Credit Based Connection Response result.  The
 * "all connections refused" results (4.26: SPSM not supported, insufficient authentication,
 * authorization, key size, encryption, unacceptable parameters) refuse the whole request;
 * anything else that is not one of the mode's results (a deferral, a BR/EDR-only code) counts as
 * "some refused - no resources" for that channel. */
static uint16_t accept_result(int a, bool *all)
{
	*all = false;
	switch (a) {
	case L2CAP_ECFC_SPSM_NOT_SUPPORTED:
	case L2CAP_ECFC_INSUFF_AUTHENTICATION:
	case L2CAP_ECFC_INSUFF_AUTHORIZATION:
	case L2CAP_ECFC_INSUFF_KEY_SIZE:
	case L2CAP_ECFC_INSUFF_ENCRYPTION:
	case L2CAP_ECFC_UNACCEPTABLE_PARAMS:
		*all = true;
		return (uint16_t)a;
	default:
		return L2CAP_ECFC_SOME_NO_RESOURCES;
	}
}

/* Our receive parameters for the first channel accepted in a request; the others take the same
 * (one MTU/MPS/credits triple per response, 4.26).  The mode's minimums apply whatever the
 * server's options say (an LE server may allow an MTU or MPS down to 23). */
static void first_params(struct l2k_chan *ch)
{
	if (ch->local_mtu < L2CAP_MIN_MTU_ECFC)
		ch->local_mtu = L2CAP_MIN_MTU_ECFC;
	l2cap_credit_params(ch);
	if (ch->local_mps < L2CAP_MIN_MPS_ECFC)
		ch->local_mps = L2CAP_MIN_MPS_ECFC;
}

static int on_conn_req(struct l2cap_link *l, uint8_t id, const uint8_t *d, size_t len)
{
	struct l2cap_engine *e = l->eng;
	struct l2cap_ecfc_conn_req rq;
	int pr = l2cap_parse_ecfc_conn_req(d, len, &rq);
	if (pr == L2K_EBADMSG)
		return pr; /* shorter than the fixed fields: Command Reject (COS/CED/BI-24) */
	if (answer_duplicate(l, id, d, len, &rq))
		return 0;
	l->ecfc_last_ident = len <= sizeof(l->ecfc_last_req) ? id : 0;
	l->ecfc_last_rsp_len = 0;
	if (l->ecfc_last_ident) {
		memcpy(l->ecfc_last_req, d, len);
		l->ecfc_last_req_len = (uint8_t)len;
	}
	if (pr == L2K_EINVAL || rq.mtu < L2CAP_MIN_MTU_ECFC || rq.mps < L2CAP_MIN_MPS_ECFC ||
	    rq.mps > L2CAP_MAX_MPS_CREDIT) {
		/* no CID, an odd octet or more than five channels, or an MTU / MPS outside the ranges
		 * the request's fields allow (4.25: MTU at least 64, MPS 64-65533): invalid
		 * parameters, one zero DCID per whole Source CID present (COS/CED/BI-22,
		 * ECFC/BV-26).  Checked first, as for a malformed request: the values are not ones
		 * a service could accept or refuse ("unacceptable parameters", 0x000B, is the
		 * service's answer to valid values it does not take, ECFC/BV-27). */
		refuse_all(l, id, L2CAP_ECFC_INVALID_PARAMS, rq.n_scid);
		return 0;
	}
	bool psm_ok = l->le ? (rq.spsm && rq.spsm <= L2CAP_SPSM_DYN_END) : l2cap_psm_valid_bredr(rq.spsm);
	struct l2k_server *sv = psm_ok ? l2cap_server_find(e, rq.spsm, l->le) : NULL;
	if (!sv) {
		refuse_all(l, id, L2CAP_ECFC_SPSM_NOT_SUPPORTED, rq.n_scid);
		return 0;
	}
	/* the service's security (SDP is not served over credit based channels): refused for
	 * authentication, key size or encryption (the same codes as LE credit based, 4.26) */
	uint8_t need = sv->opts.sec_level > L2K_SEC_LOW ? sv->opts.sec_level : L2K_SEC_LOW;
	struct l2cap_link_sec sec;
	l2cap_link_sec(l, &sec);
	/* BR/EDR between two Simple Pairing hosts: level 2 at least (Security Mode 4; refused
	 * rather than raised here, and level 1 while the peer's host features are unknown) */
	need = l2cap_sec_need(l->le, rq.spsm, need, &sec, NULL);
	if (sec.level < need) {
		refuse_all(l, id, l2cap_le_security_result(l, need), rq.n_scid);
		return 0;
	}
	struct l2cap_ecfc_conn_rsp r = {.result = L2CAP_ECFC_SUCCESS};
	r.n_dcid = rq.n_scid;
	struct l2k_chan *made[L2CAP_ECFC_MAX_CIDS] = {0};
	bool params_set = false;
	uint16_t refuse_every = 0; /* an "all refused" answer of the server */
	for (int i = 0; i < rq.n_scid && !refuse_every; i++) {
		uint16_t scid = rq.scid[i];
		uint16_t why = 0;
		bool dup = false;
		for (int k = 0; k < i; k++)
			dup |= rq.scid[k] == scid;
		if (!dyn_cid_ok(l, scid))
			why = L2CAP_ECFC_SOME_INVALID_SCID;
		else if (dup || l2cap_link_chan_by_rcid(l, scid))
			why = L2CAP_ECFC_SOME_SCID_IN_USE;
		struct l2k_chan *ch = NULL;
		if (!why) {
			ch = l2cap_chan_new(e, &sv->opts, NULL);
			if (!ch || l2cap_chan_attach(l, ch, l2cap_alloc_cid(l)) < 0) {
				if (ch)
					l2cap_chan_closed(ch, L2K_CLOSE_LOCAL);
				ch = NULL;
				why = L2CAP_ECFC_SOME_NO_RESOURCES;
			}
		}
		if (ch) {
			ch->psm = rq.spsm;
			ch->rcid = scid;
			ch->server = sv;
			ch->mode = L2K_MODE_ECFC;
			ch->peer_conn_ident = id;
			ch->remote_mtu = rq.mtu;
			ch->remote_mps = rq.mps;
			ch->tx_credits = rq.credits;
			ch->state = CH_WAIT_ACCEPT;
			int a = l2cap_server_offer(sv, ch, rq.mtu, rq.mps);
			if (a != 0) {
				/* refused by the application (a deferral is not offered for this mode) */
				bool all;
				why = accept_result(a, &all);
				if (all)
					refuse_every = why;
				ch->last_result = why;
				/* closed() reaches the application only when accept() handed it the
				 * channel (a deferral, unusable options): it may hold the pointer
				 * (tests/fuzz/regress/mode_ecfc/deferred-ecfc-channel-refused) */
				l2cap_chan_closed(ch, L2K_CLOSE_REFUSED);
				ch = NULL;
			}
		}
		if (ch) {
			ch->mode = L2K_MODE_ECFC;
			if (!params_set) {
				first_params(ch);
				r.mtu = ch->local_mtu;
				r.mps = ch->local_mps;
				r.credits = ch->rx_initial;
				params_set = true;
			} else {
				ch->local_mtu = r.mtu;
				ch->local_mps = r.mps;
				ch->rx_initial = r.credits;
				ch->rx_credits = r.credits;
			}
			r.dcid[i] = ch->lcid;
			made[i] = ch;
		} else {
			r.dcid[i] = 0;
			if (r.result == L2CAP_ECFC_SUCCESS)
				r.result = why;
		}
	}
	if (refuse_every) {
		/* the server refused the peer itself (authorization, ...): every channel goes, those
		 * accepted before it too (their application heard accept(), so it hears closed()) */
		for (int i = 0; i < rq.n_scid; i++)
			if (made[i]) {
				made[i]->last_result = refuse_every;
				l2cap_chan_closed(made[i], L2K_CLOSE_REFUSED);
			}
		refuse_all(l, id, refuse_every, rq.n_scid);
		return 0;
	}
	/* (with nothing accepted, MTU, MPS and credits stay 0, as in every refusal) */
	send_conn_rsp(l, id, &r);
	for (int i = 0; i < rq.n_scid; i++)
		if (made[i])
			l2cap_chan_set_open(made[i]);
	return 0;
}

/* ---- reconfiguration -------------------------------------------------------------------- */

static void send_reconf_rsp(struct l2cap_link *l, uint8_t id, uint16_t result)
{
	struct l2cap_ecfc_reconf_rsp r = {.result = result};
	size_t n = l2cap_build_ecfc_reconf_rsp(SIGBUF(l), SIGCAP(l), id, &r);
	l2cap_send_sig(l, SIGBUF(l), n);
}

static int on_reconf_req(struct l2cap_link *l, uint8_t id, const uint8_t *d, size_t len)
{
	struct l2cap_ecfc_reconf_req rq;
	int pr = l2cap_parse_ecfc_reconf_req(d, len, &rq);
	if (pr == L2K_EBADMSG)
		return pr;
	if (pr == L2K_EINVAL) {
		send_reconf_rsp(l, id, L2CAP_RECONF_UNACCEPTABLE);
		return 0;
	}
	if (rq.mtu < L2CAP_MIN_MTU_ECFC || rq.mps < L2CAP_MIN_MPS_ECFC || rq.mps > L2CAP_MAX_MPS_CREDIT) {
		send_reconf_rsp(l, id, L2CAP_RECONF_UNACCEPTABLE);
		return 0;
	}
	/* The CIDs are the requester's own (its source CIDs): our remote CIDs (4.27). */
	struct l2k_chan *chs[L2CAP_ECFC_MAX_CIDS];
	for (int i = 0; i < rq.n_dcid; i++) {
		chs[i] = l2cap_link_chan_by_rcid(l, rq.dcid[i]);
		if (!chs[i] || chs[i]->mode != L2K_MODE_ECFC || chs[i]->state != CH_OPEN) {
			send_reconf_rsp(l, id, L2CAP_RECONF_INVALID_DCID);
			return 0;
		}
	}
	for (int i = 0; i < rq.n_dcid; i++) {
		if (rq.mtu < chs[i]->remote_mtu) {
			send_reconf_rsp(l, id, L2CAP_RECONF_MTU_REDUCED);
			return 0;
		}
		if (rq.mps < chs[i]->remote_mps && rq.n_dcid > 1) {
			send_reconf_rsp(l, id, L2CAP_RECONF_MPS_REDUCED);
			return 0;
		}
	}
	for (int i = 0; i < rq.n_dcid; i++) {
		chs[i]->remote_mtu = rq.mtu;
		chs[i]->remote_mps = rq.mps;
	}
	send_reconf_rsp(l, id, L2CAP_RECONF_SUCCESS);
	return 0;
}

static void on_reconf_rsp(struct l2cap_link *l, uint8_t id, const uint8_t *d, size_t len)
{
	struct l2cap_pending_sig *p = l2cap_pend_find(l, id);
	if (!p || p->code != L2CAP_CREDIT_BASED_RECONFIGURE_REQ)
		return;
	struct l2cap_pending_sig pend = *p;
	l2cap_pend_del(l, p);
	struct l2cap_ecfc_reconf_rsp r;
	uint16_t result = l2cap_parse_ecfc_reconf_rsp(d, len, &r) < 0 ? 0xFFFF : r.result;
	for (int i = 0; i < pend.ncids; i++) {
		struct l2k_chan *ch = l2cap_link_chan(l, pend.cids[i]);
		if (!ch)
			continue;
		ch->last_result = result;
		if (result == L2CAP_RECONF_SUCCESS && ch->reconf_mps)
			ch->local_mps = ch->reconf_mps;
		ch->reconf_mps = 0;
	}
	/* On failure the channels keep working with the peer's old view of our sizes: we only
	 * ever grew what we accept, so nothing is lost. */
}

/* Our request got no answer (RTX) or a Command Reject (refused = true). */
void l2cap_ecfc_failed(struct l2cap_link *l, const struct l2cap_pending_sig *p, bool refused)
{
	for (int i = 0; i < p->ncids; i++) {
		struct l2k_chan *ch = l2cap_link_chan(l, p->cids[i]);
		if (!ch)
			continue;
		if (p->code == L2CAP_CREDIT_BASED_CONNECTION_REQ) {
			ch->last_result = refused ? 0xFFFF : 0;
			l2cap_chan_closed(ch, refused ? L2K_CLOSE_REFUSED : L2K_CLOSE_TIMEOUT);
		} else if (!refused) {
			l2cap_chan_disconnect(ch, L2K_CLOSE_TIMEOUT); /* reconfiguration unanswered */
		} else {
			ch->last_result = 0xFFFF; /* a peer that does not know reconfiguration */
			ch->reconf_mps = 0;
		}
	}
}

bool l2cap_ecfc_reconf_pending(const struct l2k_chan *ch)
{
	const struct l2cap_link *l = ch->link;
	if (!l || ch->state == CH_CLOSED)
		return false;
	for (int i = 0; i < l->pend_top; i++) {
		const struct l2cap_pending_sig *p = &l->pend[i];
		if (!p->ident || p->code != L2CAP_CREDIT_BASED_RECONFIGURE_REQ)
			continue;
		for (int k = 0; k < p->ncids; k++)
			if (p->cids[k] == ch->lcid)
				return true;
	}
	return false;
}

int l2cap_ecfc_input(struct l2cap_link *l, uint8_t code, uint8_t ident, const uint8_t *d, size_t len)
{
	if (!l2cap_mode_supported(L2K_MODE_ECFC))
		return L2K_ENOTSUP;
	switch (code) {
	case L2CAP_CREDIT_BASED_CONNECTION_REQ: return on_conn_req(l, ident, d, len);
	case L2CAP_CREDIT_BASED_CONNECTION_RSP: on_conn_rsp(l, ident, d, len); return 0;
	case L2CAP_CREDIT_BASED_RECONFIGURE_REQ: return on_reconf_req(l, ident, d, len);
	case L2CAP_CREDIT_BASED_RECONFIGURE_RSP: on_reconf_rsp(l, ident, d, len); return 0;
	default: return L2K_EINVAL;
	}
}

/* ---- what the public face calls ---------------------------------------------------------- */

int l2cap_ecfc_connect_each(struct l2cap_engine *e, const l2k_addr *peer, enum l2k_addr_type type, uint16_t psm, int n,
			    const struct l2k_chan_opts *opts, const struct l2k_chan_cbs *cbs, int ncbs, l2k_chan **out)
{
	if (n < 1 || n > L2CAP_ECFC_MAX_CIDS || !out || !peer || (ncbs != 1 && ncbs != n))
		return L2K_EINVAL;
	struct l2k_chan_opts o;
	if (opts)
		o = *opts;
	else
		l2cap_chan_opts_default(&o);
	o.mode = L2K_MODE_ECFC;
	if (!o.mtu || o.mtu < L2CAP_MIN_MTU_ECFC)
		o.mtu = o.mtu ? L2CAP_MIN_MTU_ECFC : 0;
	uint32_t g = ++e->ecfc_groups;
	if (!g || g >= 0x80000000u) /* 0 and the upper half are taken (single channels) */
		g = e->ecfc_groups = 1;
	for (int i = 0; i < n; i++) {
		const struct l2k_chan_cbs *cb = cbs ? &cbs[ncbs == 1 ? 0 : i] : NULL;
		int r = l2cap_chan_connect_group(e, peer, type, psm, &o, cb, g, &out[i]);
		if (r < 0) {
			for (int k = 0; k < i; k++)
				l2cap_chan_close(out[k]);
			return r;
		}
	}
	/* the whole group exists: if the link is already there, start it (one request) */
	uint16_t handle;
	if (l2cap_link_find(e, peer, type, &handle) == 0)
		l2cap_start_waiting_soon(e);
	return 0;
}

int l2cap_chan_reconfigure(l2k_chan **chans, int n, uint16_t mtu, uint16_t mps)
{
	if (n < 1 || n > L2CAP_ECFC_MAX_CIDS || mtu < L2CAP_MIN_MTU_ECFC || mps < L2CAP_MIN_MPS_ECFC ||
	    mps > L2CAP_MAX_MPS_CREDIT)
		return L2K_EINVAL;
	struct l2cap_link *l = chans[0]->link;
	for (int i = 0; i < n; i++) {
		struct l2k_chan *ch = chans[i];
		if (ch->state != CH_OPEN || ch->mode != L2K_MODE_ECFC || ch->link != l)
			return L2K_EINVAL;
		if (mtu < ch->local_mtu)
			return L2K_EINVAL; /* the MTU may only grow (4.27) */
		if (mps < ch->local_mps && n > 1)
			return L2K_EINVAL;
	}
	/* grow the reassembly buffers first: from the request on, the peer may use the new MTU */
	for (int i = 0; i < n; i++) {
		struct l2k_chan *ch = chans[i];
		if (mtu > ch->local_mtu) {
			uint8_t *nb = realloc(ch->rx_sdu, mtu);
			if (!nb)
				return L2K_ENOMEM;
			ch->rx_sdu = nb;
		}
	}
	struct l2cap_ecfc_reconf_req rq = {.mtu = mtu, .mps = mps, .n_dcid = (uint8_t)n};
	uint8_t id = l2cap_next_ident(l);
	struct l2cap_pending_sig *p = l2cap_pend_add(l, id, L2CAP_CREDIT_BASED_RECONFIGURE_REQ, 0, l->eng->rtx_ms);
	if (!p)
		return L2K_EBUSY;
	for (int i = 0; i < n; i++) {
		rq.dcid[i] = chans[i]->lcid; /* our own CIDs */
		p->cids[i] = chans[i]->lcid;
		chans[i]->local_mtu = mtu;
		/* a smaller MPS applies once the peer confirmed: K-frames of the old size may still
		 * be on their way */
		chans[i]->reconf_mps = mps;
		if (mps > chans[i]->local_mps)
			chans[i]->local_mps = mps;
	}
	p->ncids = (uint8_t)n;
	size_t len = l2cap_build_ecfc_reconf_req(SIGBUF(l), SIGCAP(l), id, &rq);
	return l2cap_send_sig(l, SIGBUF(l), len);
}
