/* BR/EDR signaling (CID 0x0001, Vol 3 Part A 4): connection, configuration, disconnection,
 * echo, information, command reject; the RTX/ERTX expiry actions. */
#include <string.h>

#include "core/l2cap_int.h"

void l2cap_send_cmd_reject(struct l2cap_link *l, uint8_t ident, uint16_t reason, uint16_t a, uint16_t b)
{
	struct l2cap_cmd_rej rj = {.reason = reason, .mtu = a, .local_cid = a, .remote_cid = b};
	size_t n = l2cap_build_cmd_rej(SIGBUF(l), SIGCAP(l), ident, &rj);
	l->eng->sig_rejects_sent++;
	l2cap_send_sig(l, SIGBUF(l), n);
}

/* ---- outgoing requests ---------------------------------------------------------------------- */

void l2cap_br_info_start(struct l2cap_link *l)
{
	uint8_t id = l2cap_next_ident(l);
	struct l2cap_info_req rq = {.type = L2CAP_INFO_EXTENDED_FEATURES};
	size_t n = l2cap_build_info_req(SIGBUF(l), SIGCAP(l), id, &rq);
	struct l2cap_pending_sig *p = l2cap_pend_add(l, id, L2CAP_INFORMATION_REQ, 0, l->eng->info_timeout_ms + 1000);
	if (p)
		p->info_type = rq.type;
	l->info_state = INFO_FEAT_SENT;
	timer_arm(&l->eng->timers, &l->info_timer, l->eng->now + l->eng->info_timeout_ms);
	l2cap_send_sig(l, SIGBUF(l), n);
}

static void info_send_fixed(struct l2cap_link *l)
{
	uint8_t id = l2cap_next_ident(l);
	struct l2cap_info_req rq = {.type = L2CAP_INFO_FIXED_CHANNELS};
	size_t n = l2cap_build_info_req(SIGBUF(l), SIGCAP(l), id, &rq);
	struct l2cap_pending_sig *p = l2cap_pend_add(l, id, L2CAP_INFORMATION_REQ, 0, l->eng->info_timeout_ms + 1000);
	if (p)
		p->info_type = rq.type;
	l->info_state = INFO_FIXED_SENT;
	timer_arm(&l->eng->timers, &l->info_timer, l->eng->now + l->eng->info_timeout_ms);
	l2cap_send_sig(l, SIGBUF(l), n);
}

static void info_done(struct l2cap_link *l)
{
	l->info_state = INFO_DONE;
	timer_cancel(&l->eng->timers, &l->info_timer);
	l2cap_chan_link_ready(l);
}

/* Decide the mode to ask for from what the peer supports (5.4, 7.1): the wanted mode if the
 * peer has it; otherwise Basic when the application allows falling back. */
static bool choose_mode(struct l2k_chan *ch)
{
	uint32_t f = ch->link->peer_features;
	uint32_t need = 0;
	switch (ch->opts.mode) {
	case L2K_MODE_ERTM: need = L2CAP_FEAT_ERTM; break;
	case L2K_MODE_STREAMING: need = L2CAP_FEAT_STREAMING; break;
	case L2K_MODE_RETRANS: need = L2CAP_FEAT_RETRANSMISSION; break;
	case L2K_MODE_FLOWCTL: need = L2CAP_FEAT_FLOW_CONTROL; break;
	default: break;
	}
	if (!need || (f & need)) {
		ch->mode = ch->opts.mode;
		return true;
	}
	if (ch->opts.mode_required)
		return false;
	ch->mode = L2K_MODE_BASIC;
	return true;
}

void l2cap_br_connect(struct l2k_chan *ch)
{
	struct l2cap_link *l = ch->link;
	if (!choose_mode(ch)) {
		l2cap_chan_closed(ch, L2K_CLOSE_CONFIG_FAILED);
		return;
	}
	uint8_t id = l2cap_next_ident(l);
	struct l2cap_conn_req rq = {.psm = ch->psm, .scid = ch->lcid};
	size_t n = l2cap_build_conn_req(SIGBUF(l), SIGCAP(l), id, &rq);
	if (!l2cap_pend_add(l, id, L2CAP_CONNECTION_REQ, ch->lcid, l->eng->rtx_ms)) {
		l2cap_chan_closed(ch, L2K_CLOSE_LINK_FAILED);
		return;
	}
	ch->sig_ident = id;
	ch->state = CH_WAIT_CONNECT_RSP;
	timer_cancel(&ch->eng->timers, &ch->sig_timer);
	l2cap_send_sig(l, SIGBUF(l), n);
}

void l2cap_br_send_conf_req(struct l2k_chan *ch)
{
	struct l2cap_link *l = ch->link;
	uint8_t opts[L2CAP_CONF_OPTS_MAX_LEN];
	int on = l2cap_conf_build_request(ch, opts, sizeof(opts));
	if (on < 0)
		on = 0;
	uint8_t id = l2cap_next_ident(l);
	struct l2cap_conf_req rq = {.dcid = ch->rcid, .flags = 0, .opts = opts, .opts_len = (uint16_t)on};
	size_t n = l2cap_build_conf_req(SIGBUF(l), SIGCAP(l), id, &rq);
	if (!l2cap_pend_add(l, id, L2CAP_CONFIGURATION_REQ, ch->lcid, l->eng->rtx_ms)) {
		l2cap_chan_disconnect(ch, L2K_CLOSE_LINK_FAILED); /* every identifier is in use */
		return;
	}
	ch->sig_ident = id;
	ch->conf_req_sent = true;
	l2cap_send_sig(l, SIGBUF(l), n);
}

void l2cap_send_disconn_req(struct l2k_chan *ch)
{
	struct l2cap_link *l = ch->link;
	uint8_t id = l2cap_next_ident(l);
	struct l2cap_disconn d = {.dcid = ch->rcid, .scid = ch->lcid};
	size_t n = l2cap_build_disconn_req(SIGBUF(l), SIGCAP(l), id, &d);
	if (!l2cap_pend_add(l, id, L2CAP_DISCONNECTION_REQ, ch->lcid, l->eng->rtx_ms)) {
		/* no identifier free to wait for the answer: send it anyway and let the channel go
		 * on the next timer round (never free it under the caller's feet) */
		l2cap_send_sig_after_data(l, SIGBUF(l), n);
		l2cap_arm(ch, &ch->sig_timer, 0);
		return;
	}
	ch->sig_ident = id;
	/* behind the channel's data already queued on the link, which the peer must still get */
	l2cap_send_sig_after_data(l, SIGBUF(l), n);
}

/* An outstanding request got no answer in time (RTX/ERTX, 6.2.1). */
void l2cap_sig_timeout(struct l2cap_link *l, struct l2cap_pending_sig *p)
{
	struct l2k_chan *ch = p->cid ? l2cap_link_chan(l, p->cid) : NULL;
	switch (p->code) {
	case L2CAP_INFORMATION_REQ:
		info_done(l);
		break;
	case L2CAP_CREDIT_BASED_CONNECTION_REQ:
	case L2CAP_CREDIT_BASED_RECONFIGURE_REQ:
		l2cap_ecfc_failed(l, p, false);
		break;
	case L2CAP_CONNECTION_REQ:
	case L2CAP_LE_CREDIT_BASED_CONNECTION_REQ:
		if (ch)
			l2cap_chan_closed(ch, L2K_CLOSE_TIMEOUT);
		break;
	case L2CAP_CONFIGURATION_REQ:
		if (ch)
			l2cap_chan_disconnect(ch, L2K_CLOSE_TIMEOUT);
		break;
	case L2CAP_DISCONNECTION_REQ:
		/* the peer never confirmed: the channel is gone for us anyway (6.1.6).  A close we
		 * asked for reports the silence (L2K_CLOSE_TIMEOUT), so that a caller waiting for the
		 * peer's confirmation can tell it did not come; other reasons are kept. */
		if (ch)
			l2cap_chan_closed(ch, ch->last_result == L2K_CLOSE_LOCAL ? L2K_CLOSE_TIMEOUT
					      : ch->last_result <= L2CAP_CLOSE_REASON_MAX
						  ? (enum l2k_close_reason)ch->last_result
						  : L2K_CLOSE_LOCAL);
		break;
	default:
		break;
	}
}

/* ---- incoming ------------------------------------------------------------------------------- */

static void send_conn_rsp(struct l2cap_link *l, uint8_t id, uint16_t dcid, uint16_t scid,
			  uint16_t result, uint16_t status)
{
	struct l2cap_conn_rsp r = {.dcid = dcid, .scid = scid, .result = result, .status = status};
	size_t n = l2cap_build_conn_rsp(SIGBUF(l), SIGCAP(l), id, &r);
	l2cap_send_sig(l, SIGBUF(l), n);
}

/* The application decided about an incoming channel (at once or after a deferral). */
void l2cap_br_accept_decided(struct l2k_chan *ch, int result)
{
	struct l2cap_link *l = ch->link;
	if (result != 0) {
		send_conn_rsp(l, ch->peer_conn_ident, 0, ch->rcid, (uint16_t)result, 0);
		ch->last_result = (uint16_t)result;
		l2cap_chan_closed(ch, L2K_CLOSE_REFUSED);
		return;
	}
	send_conn_rsp(l, ch->peer_conn_ident, ch->lcid, ch->rcid, L2CAP_CR_SUCCESS, 0);
	l2cap_sync_now(l->eng);
	ch->conn_rsp_at = l->eng->now;
	ch->conn_rsp_timed = true;
	ch->state = CH_CONFIG;
	/* Ask for the mode the application wants where the peer can do it (7.1, CMC/BV-01): a
	 * mode other than Basic waits for the peer's feature mask, learnt once per link. */
	if (ch->opts.mode != L2K_MODE_BASIC && l->info_state != INFO_DONE) {
		ch->mode = ch->opts.mode; /* tentative, for judging a request that comes first */
		ch->conf_wait_info = true;
		if (l->info_state == INFO_NONE)
			l2cap_br_info_start(l);
		return;
	}
	if (!choose_mode(ch)) {
		l2cap_chan_disconnect(ch, L2K_CLOSE_CONFIG_FAILED);
		return;
	}
	l2cap_br_send_conf_req(ch);
}

/* The link's feature mask is known: accepted channels that waited for it configure now. */
void l2cap_br_info_ready(struct l2cap_link *l)
{
	for (size_t i = 0; i < l->chans_cap; i++) {
		struct l2k_chan *ch = l->chans[i];
		if (!ch || ch->state != CH_CONFIG || !ch->conf_wait_info)
			continue;
		ch->conf_wait_info = false;
		enum l2k_mode was = ch->mode;
		if (!choose_mode(ch)) {
			l2cap_chan_disconnect(ch, L2K_CLOSE_CONFIG_FAILED);
			continue;
		}
		/* a request of the peer judged with the tentative mode is answered again by the
		 * peer's next request; ours goes out now in the mode both can do */
		if (ch->mode != was)
			ch->conf_in_done = false;
		if (!ch->conf_req_sent || ch->mode != was)
			l2cap_br_send_conf_req(ch);
	}
}

static void offer(struct l2k_chan *ch);

static void on_conn_req(struct l2cap_link *l, uint8_t id, const struct l2cap_conn_req *rq)
{
	struct l2cap_engine *e = l->eng;
	/* PSM rules (4.2): odd least significant octet, even most significant one; 0 is invalid */
	if (!l2cap_psm_valid_bredr(rq->psm)) {
		send_conn_rsp(l, id, 0, rq->scid, L2CAP_CR_PSM_NOT_SUPPORTED, 0);
		return;
	}
	if (rq->scid < L2CAP_CID_DYN_START) {
		send_conn_rsp(l, id, 0, rq->scid, L2CAP_CR_INVALID_SCID, 0);
		return;
	}
	if (l2cap_link_chan_by_rcid(l, rq->scid)) {
		send_conn_rsp(l, id, 0, rq->scid, L2CAP_CR_SCID_IN_USE, 0);
		return;
	}
	struct l2k_server *sv = l2cap_server_find(e, rq->psm, false);
	if (!sv) {
		send_conn_rsp(l, id, 0, rq->scid, L2CAP_CR_PSM_NOT_SUPPORTED, 0);
		return;
	}
	struct l2k_chan *ch = l2cap_chan_new(e, &sv->opts, NULL);
	if (!ch || l2cap_chan_attach(l, ch, l2cap_alloc_cid(l)) < 0) {
		if (ch)
			l2cap_chan_closed(ch, L2K_CLOSE_LOCAL);
		send_conn_rsp(l, id, 0, rq->scid, L2CAP_CR_NO_RESOURCES, 0);
		return;
	}
	ch->psm = rq->psm;
	ch->rcid = rq->scid;
	ch->server = sv;
	ch->peer_conn_ident = id;
	struct l2cap_link_sec sec;
	l2cap_link_sec(l, &sec);
	bool unknown;
	if (sec.level < l2cap_sec_need(false, ch->psm, l2cap_chan_level(ch), &sec, &unknown) || unknown) {
		/* The link falls short of the service's level (or of level 2 between two Simple
		 * Pairing hosts, Security Mode 4; or whether it does is being learnt): answer
		 * "pending, authentication" and raise it (pair, authenticate, encrypt), then offer
		 * the channel or refuse it with Security Block (4.3; as Linux does).  The peer waits
		 * up to its ERTX.  Learning the peer's host features takes a moment only: no
		 * pending answer for it (the peer waits for a response up to its RTX) unless a
		 * raise follows. */
		ch->state = CH_WAIT_SECURITY;
		if (!unknown)
			l2cap_br_security_pending(ch);
		if (l2cap_chan_raise(ch) < 0)
			l2cap_br_security_decided(ch, false);
		return;
	}
	offer(ch);
}

/* The server decides about an incoming channel whose link has the security it needs. */
static void offer(struct l2k_chan *ch)
{
	ch->state = CH_WAIT_ACCEPT;
	int r = l2cap_server_offer(ch->server, ch, 0, 0);
	if (r == L2K_ACCEPT_PENDING) {
		send_conn_rsp(ch->link, ch->peer_conn_ident, ch->lcid, ch->rcid, L2CAP_CR_PENDING,
			      L2CAP_CS_AUTHORIZATION_PENDING);
		return;
	}
	l2cap_br_accept_decided(ch, r);
}

void l2cap_br_security_pending(struct l2k_chan *ch)
{
	if (ch->sec_pending_sent)
		return;
	ch->sec_pending_sent = true;
	send_conn_rsp(ch->link, ch->peer_conn_ident, ch->lcid, ch->rcid, L2CAP_CR_PENDING,
		      L2CAP_CS_AUTHENTICATION_PENDING);
}

void l2cap_br_security_decided(struct l2k_chan *ch, bool ok)
{
	if (ok) {
		offer(ch);
		return;
	}
	/* refused for security; the application never saw the channel */
	send_conn_rsp(ch->link, ch->peer_conn_ident, 0, ch->rcid, L2CAP_CR_SECURITY_BLOCK, 0);
	ch->last_result = L2CAP_CR_SECURITY_BLOCK;
	l2cap_chan_closed(ch, L2K_CLOSE_SECURITY);
}

static void on_conn_rsp(struct l2cap_link *l, uint8_t id, const struct l2cap_conn_rsp *r)
{
	struct l2cap_pending_sig *p = l2cap_pend_find(l, id);
	if (!p || p->code != L2CAP_CONNECTION_REQ)
		return; /* unsolicited: ignore */
	struct l2k_chan *ch = l2cap_link_chan(l, p->cid);
	if (!ch || ch->state != CH_WAIT_CONNECT_RSP)
		return;
	/* The identifier ties the response to our request (4).  A success or pending names our
	 * channel in its SCID; a refusal's CIDs are to be ignored (4.3) - and some stacks fill
	 * them otherwise (BTstack swaps them: DCID = our SCID, SCID 0) - so a refusal is taken
	 * whatever they say, at once rather than after RTX. */
	bool refusal = r->result != L2CAP_CR_SUCCESS && r->result != L2CAP_CR_PENDING;
	if (!refusal && r->scid != ch->lcid)
		return;
	if (r->result == L2CAP_CR_PENDING) {
		/* wait longer: ERTX (6.2.2) */
		p->due = l->eng->now + l->eng->ertx_ms;
		l2cap_link_rearm_sig_timer(l);
		return;
	}
	l2cap_pend_del(l, p);
	if (r->result != L2CAP_CR_SUCCESS) {
		ch->last_result = r->result;
		l2cap_chan_closed(ch, L2K_CLOSE_REFUSED);
		return;
	}
	if (r->dcid < L2CAP_CID_DYN_START) {
		ch->last_result = r->result;
		l2cap_chan_closed(ch, L2K_CLOSE_PROTOCOL);
		return;
	}
	ch->rcid = r->dcid;
	ch->state = CH_CONFIG;
	if (ch->close_pending) {
		l2cap_chan_disconnect(ch, L2K_CLOSE_LOCAL);
		return;
	}
	l2cap_br_send_conf_req(ch);
}

static void maybe_open(struct l2k_chan *ch)
{
	if (ch->state == CH_CONFIG && ch->conf_in_done && ch->conf_out_done)
		l2cap_chan_set_open(ch);
}

static void on_conf_req(struct l2cap_link *l, uint8_t id, const struct l2cap_conf_req *rq)
{
	struct l2k_chan *ch = l2cap_link_chan(l, rq->dcid);
	if (!ch || (ch->state != CH_CONFIG && ch->state != CH_OPEN)) {
		/* 4.1: invalid CID in request */
		l2cap_send_cmd_reject(l, id, L2CAP_REJ_INVALID_CID, rq->dcid, 0);
		return;
	}
	/* an acceptor's first sample of the link: the peer asks for its configuration as soon as
	 * our Connection Response arrives (waiting longer only makes the sample longer) */
	if (ch->conn_rsp_timed) {
		l2cap_link_rtt_sample(l, ch->conn_rsp_at);
		ch->conn_rsp_timed = false;
	}
	if (ch->conf_reqs_in >= L2CAP_CONF_MAX_PEER_REQS) {
		/* a peer that never stops configuring (L2CAP_CONF_MAX_PEER_REQS): the generic
		 * refusal, "Failure - rejected (no reason provided)" (4.5), then the channel ends as
		 * one whose configuration cannot be agreed */
		struct l2cap_conf_rsp r = {.scid = ch->rcid, .result = L2CAP_CONF_REJECTED};
		size_t n = l2cap_build_conf_rsp(SIGBUF(l), SIGCAP(l), id, &r);
		l2cap_send_sig(l, SIGBUF(l), n);
		ch->conf_in_partial = false;
		l2cap_chan_disconnect(ch, L2K_CLOSE_CONFIG_FAILED);
		return;
	}
	ch->conf_reqs_in++;
	uint8_t rsp_opts[L2CAP_CONF_OPTS_MAX_LEN + 16];
	uint16_t result = L2CAP_CONF_SUCCESS;
	int on = 0;
	if (!ch->conf_in_partial)
		l2cap_conf_opts_clear(&ch->conf_in);
	int pr = l2cap_conf_merge(rq->opts, rq->opts_len, &ch->conf_in);
	if (pr == L2K_EBADMSG) {
		result = L2CAP_CONF_REJECTED;
		ch->conf_in_partial = false;
	} else if (rq->flags & L2CAP_CONF_FLAG_CONTINUATION) {
		/* more options follow in another request: acknowledge this part (4.4) */
		ch->conf_in_partial = true;
		struct l2cap_conf_rsp r = {.scid = ch->rcid, .flags = L2CAP_CONF_FLAG_CONTINUATION,
					   .result = L2CAP_CONF_SUCCESS};
		size_t n = l2cap_build_conf_rsp(SIGBUF(l), SIGCAP(l), id, &r);
		l2cap_send_sig(l, SIGBUF(l), n);
		return;
	} else {
		ch->conf_in_partial = false;
		if (pr == L2CAP_CONF_PARSE_UNKNOWN) {
			result = L2CAP_CONF_UNKNOWN_OPTIONS;
			on = l2cap_conf_build_unknown(rsp_opts, sizeof(rsp_opts), ch->conf_in.unknown,
						      ch->conf_in.n_unknown);
		} else {
			on = l2cap_conf_eval_request(ch, &ch->conf_in, &result, rsp_opts, sizeof(rsp_opts));
		}
		if (on < 0)
			on = 0;
	}
	struct l2cap_conf_rsp r = {.scid = ch->rcid, .flags = 0, .result = result, .opts = rsp_opts,
				   .opts_len = (uint16_t)on};
	size_t n = l2cap_build_conf_rsp(SIGBUF(l), SIGCAP(l), id, &r);
	l2cap_send_sig(l, SIGBUF(l), n);
	/* what judging the request decided comes after the response, in that order on the air */
	uint8_t after = ch->conf_after;
	ch->conf_after = 0;
	if (after & L2CAP_CONF_AFTER_GIVE_UP) {
		l2cap_chan_disconnect(ch, L2K_CLOSE_CONFIG_FAILED);
		return;
	}
	if (after & L2CAP_CONF_AFTER_RESEND)
		l2cap_br_send_conf_req(ch);
	if (result == L2CAP_CONF_SUCCESS) {
		ch->conf_in_done = true;
		/* COS/CFD/BV-03: an acceptor that had not sent its own request yet does it now
		 * (unless it still waits for the peer's features to choose its mode) */
		if (ch->state == CH_CONFIG && !ch->conf_req_sent && !ch->conf_wait_info)
			l2cap_br_send_conf_req(ch);
		maybe_open(ch);
	}
}

static void on_conf_rsp(struct l2cap_link *l, uint8_t id, const struct l2cap_conf_rsp *r)
{
	struct l2cap_pending_sig *p = l2cap_pend_find(l, id);
	if (!p || p->code != L2CAP_CONFIGURATION_REQ)
		return;
	/* Taken by identifier: the request named the channel (p->cid).  Its SCID should repeat
	 * our CID; a peer that puts another value there (its own CID) still answered this
	 * request. */
	struct l2k_chan *ch = l2cap_link_chan(l, p->cid);
	if (!ch || (ch->state != CH_CONFIG && ch->state != CH_OPEN))
		return;
	if (r->result == L2CAP_CONF_PENDING) {
		p->due = l->eng->now + l->eng->ertx_ms;
		l2cap_link_rearm_sig_timer(l);
		return;
	}
	l2cap_pend_del(l, p);
	struct l2cap_conf_opts o;
	int pr = l2cap_conf_parse(r->opts, r->opts_len, &o);
	if (r->result == L2CAP_CONF_UNKNOWN_OPTIONS) {
		/* the data are the bare types the peer did not understand: stop sending them (a
		 * type we never send - any of 0x08-0x7F - changes nothing) */
		l2cap_conf_opts_clear(&o);
		for (uint16_t i = 0; i < r->opts_len; i++) {
			uint8_t t = r->opts[i] & L2CAP_CONF_OPT_TYPE_MASK;
			if (t >= L2CAP_CONF_OPT_MTU && t <= L2CAP_CONF_OPT_EWS)
				ch->conf_omit |= L2CAP_CONF_HAS(t);
		}
		pr = 0;
	}
	if (pr == L2K_EBADMSG) {
		l2cap_chan_disconnect(ch, L2K_CLOSE_CONFIG_FAILED);
		return;
	}
	if (r->flags & L2CAP_CONF_FLAG_CONTINUATION) {
		/* the peer continues its response: ask for the rest with an empty request (4.5) */
		uint8_t nid = l2cap_next_ident(l);
		struct l2cap_conf_req rq = {.dcid = ch->rcid};
		size_t n = l2cap_build_conf_req(SIGBUF(l), SIGCAP(l), nid, &rq);
		l2cap_pend_add(l, nid, L2CAP_CONFIGURATION_REQ, ch->lcid, l->eng->rtx_ms);
		l2cap_send_sig(l, SIGBUF(l), n);
		return;
	}
	int ar = l2cap_conf_apply_response(ch, r->result, &o);
	if (ar < 0) {
		l2cap_chan_disconnect(ch, L2K_CLOSE_CONFIG_FAILED);
		return;
	}
	if (ar == 1) { /* adjusted: propose again (lockstep, 7.1.3) */
		l2cap_br_send_conf_req(ch);
		return;
	}
	ch->conf_out_done = true;
	maybe_open(ch);
}

/* Disconnection Request / Response (4.6, 4.7): the same on ACL-U and LE-U. */
void l2cap_on_disconn_req(struct l2cap_link *l, uint8_t id, const struct l2cap_disconn *d)
{
	struct l2k_chan *ch = l2cap_link_chan(l, d->dcid);
	if (!ch || ch->rcid != d->scid || ch->state == CH_WAIT_ACCEPT || ch->state == CH_WAIT_CONNECT_RSP) {
		/* 4.1 reason 0x0002: the data carry the CIDs of the rejected request, ours first
		 * (LE/CFC/BV-23 on LE) */
		l2cap_send_cmd_reject(l, id, L2CAP_REJ_INVALID_CID, d->dcid, d->scid);
		return;
	}
	size_t n = l2cap_build_disconn_rsp(SIGBUF(l), SIGCAP(l), id, d);
	l2cap_send_sig(l, SIGBUF(l), n);
	l2cap_chan_closed(ch, ch->state == CH_WAIT_DISCONNECT && ch->last_result <= L2CAP_CLOSE_REASON_MAX
				      ? (enum l2k_close_reason)ch->last_result
				      : L2K_CLOSE_REMOTE);
}

void l2cap_on_disconn_rsp(struct l2cap_link *l, uint8_t id, const struct l2cap_disconn *d)
{
	struct l2cap_pending_sig *p = l2cap_pend_find(l, id);
	if (!p || p->code != L2CAP_DISCONNECTION_REQ)
		return;
	struct l2k_chan *ch = l2cap_link_chan(l, p->cid);
	l2cap_pend_del(l, p);
	/* Taken by identifier (4): its CIDs should repeat the request's, but one that names them
	 * otherwise (swapped) still ends the channel - which has no timer left to end it
	 * otherwise. */
	(void)d;
	if (!ch)
		return;
	l2cap_chan_closed(ch, ch->last_result <= L2CAP_CLOSE_REASON_MAX ? (enum l2k_close_reason)ch->last_result
								     : L2K_CLOSE_LOCAL);
}

static void on_info_req(struct l2cap_link *l, uint8_t id, const struct l2cap_info_req *rq)
{
	struct l2cap_info_rsp r = {.type = rq->type, .result = L2CAP_INFO_SUCCESS};
	switch (rq->type) {
	case L2CAP_INFO_CONNECTIONLESS_MTU: r.mtu = L2CAP_DEFAULT_MTU; break;
	case L2CAP_INFO_EXTENDED_FEATURES: r.features = l2cap_local_features(); break;
	case L2CAP_INFO_FIXED_CHANNELS: r.fixed_channels = l2cap_local_fixed_channels(); break;
	default: r.result = L2CAP_INFO_NOT_SUPPORTED; break;
	}
	size_t n = l2cap_build_info_rsp(SIGBUF(l), SIGCAP(l), id, &r);
	l2cap_send_sig(l, SIGBUF(l), n);
}

static void on_info_rsp(struct l2cap_link *l, uint8_t id, const struct l2cap_info_rsp *r)
{
	struct l2cap_pending_sig *p = l2cap_pend_find(l, id);
	if (!p || p->code != L2CAP_INFORMATION_REQ || r->type != p->info_type)
		return;
	l2cap_link_rtt_sample(l, p->sent_at);
	l2cap_pend_del(l, p);
	if (r->type == L2CAP_INFO_EXTENDED_FEATURES && l->info_state == INFO_FEAT_SENT) {
		l->peer_features = r->result == L2CAP_INFO_SUCCESS ? r->features : 0;
		if (l->peer_features & L2CAP_FEAT_FIXED_CHANNELS)
			info_send_fixed(l);
		else
			info_done(l);
	} else if (r->type == L2CAP_INFO_FIXED_CHANNELS && l->info_state == INFO_FIXED_SENT) {
		l->peer_fixed = r->result == L2CAP_INFO_SUCCESS ? r->fixed_channels : 0;
		info_done(l);
	}
}

static void on_echo_rsp(struct l2cap_link *l, uint8_t id, const struct l2cap_echo *ec)
{
	struct l2cap_pending_sig *p = l2cap_pend_find(l, id);
	if (!p || p->code != L2CAP_ECHO_REQ)
		return;
	l2k_echo_cb cb = p->echo_cb;
	void *u = p->echo_user;
	uint32_t rtt = (uint32_t)(l->eng->now - p->sent_at);
	l2cap_link_rtt_sample(l, p->sent_at);
	l2cap_pend_del(l, p);
	if (cb)
		cb(u, 0, ec->data, ec->len, rtt);
}

static void on_cmd_rej(struct l2cap_link *l, uint8_t id, const struct l2cap_cmd_rej *rj)
{
	struct l2cap_pending_sig *p = l2cap_pend_find(l, id);
	if (!p)
		return;
	struct l2cap_pending_sig copy = *p;
	l2cap_pend_del(l, p);
	struct l2k_chan *ch = copy.cid ? l2cap_link_chan(l, copy.cid) : NULL;
	switch (copy.code) {
	case L2CAP_INFORMATION_REQ:
		info_done(l); /* a 1.1 peer: no extended features */
		break;
	case L2CAP_ECHO_REQ:
		if (copy.echo_cb)
			copy.echo_cb(copy.echo_user, L2K_EREFUSED, NULL, 0, 0);
		break;
	case L2CAP_CREDIT_BASED_CONNECTION_REQ:
	case L2CAP_CREDIT_BASED_RECONFIGURE_REQ:
		l2cap_ecfc_failed(l, &copy, true);
		break;
	case L2CAP_CONNECTION_REQ:
	case L2CAP_LE_CREDIT_BASED_CONNECTION_REQ:
		if (ch) {
			ch->last_result = 0xFFFF;
			l2cap_chan_closed(ch, L2K_CLOSE_REFUSED);
		}
		break;
	case L2CAP_CONFIGURATION_REQ:
		if (ch)
			l2cap_chan_disconnect(ch, L2K_CLOSE_CONFIG_FAILED);
		break;
	case L2CAP_DISCONNECTION_REQ:
		if (ch) /* the peer does not know the channel: it is gone */
			l2cap_chan_closed(ch, L2K_CLOSE_LOCAL);
		break;
	default:
		break;
	}
}

/* Dispatch one complete command of an ACL-U C-frame. */
static void dispatch(struct l2cap_link *l, const struct l2cap_sig_cmd *c)
{
	const struct l2cap_sig_cmd_info *info = l2cap_sig_cmd_info(c->code);
	if (!info || !l2cap_sig_cmd_allowed(c->code, L2CAP_LINK_ACL)) {
		/* unknown or LE-only command (COS/CED/BI-01): Command Reject, not understood */
		l2cap_send_cmd_reject(l, c->ident, L2CAP_REJ_NOT_UNDERSTOOD, 0, 0);
		return;
	}
	bool request = info->kind == L2CAP_SIG_REQUEST;
	int r = 0;
	union {
		struct l2cap_conn_req conn_req;
		struct l2cap_conn_rsp conn_rsp;
		struct l2cap_conf_req conf_req;
		struct l2cap_conf_rsp conf_rsp;
		struct l2cap_disconn disc;
		struct l2cap_echo echo;
		struct l2cap_info_req info_req;
		struct l2cap_info_rsp info_rsp;
		struct l2cap_cmd_rej rej;
	} u;
	switch (c->code) {
	case L2CAP_CONNECTION_REQ:
		if (!(r = l2cap_parse_conn_req(c->data, c->len, &u.conn_req)))
			on_conn_req(l, c->ident, &u.conn_req);
		break;
	case L2CAP_CONNECTION_RSP:
		if (!(r = l2cap_parse_conn_rsp(c->data, c->len, &u.conn_rsp)))
			on_conn_rsp(l, c->ident, &u.conn_rsp);
		break;
	case L2CAP_CONFIGURATION_REQ:
		if (!(r = l2cap_parse_conf_req(c->data, c->len, &u.conf_req)))
			on_conf_req(l, c->ident, &u.conf_req);
		break;
	case L2CAP_CONFIGURATION_RSP:
		if (!(r = l2cap_parse_conf_rsp(c->data, c->len, &u.conf_rsp)))
			on_conf_rsp(l, c->ident, &u.conf_rsp);
		break;
	case L2CAP_DISCONNECTION_REQ:
		if (!(r = l2cap_parse_disconn_req(c->data, c->len, &u.disc)))
			l2cap_on_disconn_req(l, c->ident, &u.disc);
		break;
	case L2CAP_DISCONNECTION_RSP:
		if (!(r = l2cap_parse_disconn_rsp(c->data, c->len, &u.disc)))
			l2cap_on_disconn_rsp(l, c->ident, &u.disc);
		break;
	case L2CAP_ECHO_REQ:
		if (!(r = l2cap_parse_echo(c->data, c->len, &u.echo))) {
			/* COS/ECH/BV-01: answer at once with the same data */
			size_t n = l2cap_build_echo_rsp(SIGBUF(l), SIGCAP(l), c->ident, &u.echo);
			if (!n) { /* too large to echo: answer without data (data is optional) */
				struct l2cap_echo none = {0};
				n = l2cap_build_echo_rsp(SIGBUF(l), SIGCAP(l), c->ident, &none);
			}
			l2cap_send_sig(l, SIGBUF(l), n);
		}
		break;
	case L2CAP_ECHO_RSP:
		if (!(r = l2cap_parse_echo(c->data, c->len, &u.echo)))
			on_echo_rsp(l, c->ident, &u.echo);
		break;
	case L2CAP_INFORMATION_REQ:
		if (!(r = l2cap_parse_info_req(c->data, c->len, &u.info_req)))
			on_info_req(l, c->ident, &u.info_req);
		break;
	case L2CAP_INFORMATION_RSP:
		if (!(r = l2cap_parse_info_rsp(c->data, c->len, &u.info_rsp)))
			on_info_rsp(l, c->ident, &u.info_rsp);
		break;
	case L2CAP_COMMAND_REJECT_RSP:
		if (!(r = l2cap_parse_cmd_rej(c->data, c->len, &u.rej)))
			on_cmd_rej(l, c->ident, &u.rej);
		break;
	case L2CAP_FLOW_CONTROL_CREDIT_IND: {
		struct l2cap_credit_ind ci;
		if (!(r = l2cap_parse_credit_ind(c->data, c->len, &ci)))
			l2cap_credit_ind(l, &ci);
		break;
	}
	case L2CAP_CREDIT_BASED_CONNECTION_REQ:
	case L2CAP_CREDIT_BASED_CONNECTION_RSP:
	case L2CAP_CREDIT_BASED_RECONFIGURE_REQ:
	case L2CAP_CREDIT_BASED_RECONFIGURE_RSP:
		r = l2cap_ecfc_input(l, c->code, c->ident, c->data, c->len);
		if (r == L2K_ENOTSUP && request) { /* mode not built: not understood */
			l2cap_send_cmd_reject(l, c->ident, L2CAP_REJ_NOT_UNDERSTOOD, 0, 0);
			return;
		}
		break;
	default:
		if (request)
			l2cap_send_cmd_reject(l, c->ident, L2CAP_REJ_NOT_UNDERSTOOD, 0, 0);
		return;
	}
	if (r < 0 && request) /* shorter than its fixed fields (COS/CED/BI-10) */
		l2cap_send_cmd_reject(l, c->ident, L2CAP_REJ_NOT_UNDERSTOOD, 0, 0);
}

void l2cap_sig_input(struct l2cap_link *l, const uint8_t *p, size_t len)
{
	/* A C-frame longer than our MTUsig is not processed: one Command Reject "signaling MTU
	 * exceeded" carrying our MTUsig and the first command's identifier (4.1). */
	if (len > l->eng->sig_mtu_bredr) {
		uint8_t id = len >= 2 ? p[1] : 0;
		if (id)
			l2cap_send_cmd_reject(l, id, L2CAP_REJ_SIG_MTU_EXCEEDED, l->eng->sig_mtu_bredr, 0);
		return;
	}
	size_t off = 0;
	struct l2cap_sig_cmd c;
	for (;;) {
		int r = l2cap_sig_next(p, len, &off, &c);
		if (r == L2CAP_SIG_DONE || r == L2K_EBADMSG || r == L2K_EINVAL)
			return;
		if (r == L2K_EMSGSIZE) {
			/* the Length claims more than the frame holds (COS/CED/BI-08, BI-14..) */
			const struct l2cap_sig_cmd_info *info = l2cap_sig_cmd_info(c.code);
			if (c.ident && (!info || info->kind == L2CAP_SIG_REQUEST))
				l2cap_send_cmd_reject(l, c.ident, L2CAP_REJ_NOT_UNDERSTOOD, 0, 0);
			return;
		}
		if (c.ident == L2CAP_SIG_IDENT_INVALID)
			continue; /* identifier 0 is illegal: ignore the command */
		dispatch(l, &c);
		if (!l->used)
			return;
	}
}

int l2cap_chan_accept(l2k_chan *ch, int result, const struct l2k_chan_cbs *cbs)
{
	if (ch->state != CH_WAIT_ACCEPT)
		return L2K_EINVAL;
	if (cbs)
		ch->cbs = *cbs;
	if (result == L2K_ACCEPT_PENDING)
		return L2K_EINVAL;
	if (ch->le)
		l2cap_le_accept_decided(ch, result);
	else
		l2cap_br_accept_decided(ch, result);
	return 0;
}
