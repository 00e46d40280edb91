/* LE signaling (CID 0x0005, Vol 3 Part A 4 and 10.1): LE Credit Based Connection, Flow Control
 * Credit, Disconnection, Connection Parameter Update, Command Reject. */
#include <string.h>

#include "core/l2cap_int.h"

/* Our receive MPS and initial credits for a credit based channel (LE or enhanced). */
void l2cap_credit_params(struct l2k_chan *ch)
{
	uint16_t min_mps = ch->mode == L2K_MODE_ECFC ? L2CAP_MIN_MPS_ECFC : L2CAP_MIN_MPS_LE;
	uint16_t mps = ch->opts.mps;
	if (!mps) {
		/* LE: one K-frame per LE data packet of 251 octets: 251 - 4 (basic header).
		 * BR/EDR (enhanced credit based): one K-frame per SDU, which the HCI layer cuts to the
		 * controller's buffer size.  247 there would put 251 octets in a 3-DH3 where a 3-DH5
		 * carries 1021: 36-50 % of the link (docs/performance.md). */
		uint32_t whole = (uint32_t)ch->local_mtu + 2;
		mps = ch->le ? 247 : (uint16_t)(whole > L2CAP_MAX_MPS_CREDIT ? L2CAP_MAX_MPS_CREDIT : whole);
		if (mps > ch->local_mtu + 2)
			mps = (uint16_t)(ch->local_mtu + 2);
		if (mps < min_mps)
			mps = min_mps;
	}
	ch->local_mps = mps;
	uint32_t cr = ch->opts.credits;
	if (!cr) {
		/* Enough for two whole SDUs in flight, and at least 32 K-frames: a credit comes back
		 * only after a round trip through both hosts and both controllers, during which an
		 * LE 2M link moves ~2 small K-frames per ms; with 8 the sender stalls and the
		 * connection event ends early (LE 2M, 23-octet SDUs: 55 % of the link with 8, 98 %
		 * with 16, 99.9 % with 32; docs/performance.md). */
		uint32_t per_sdu = ((uint32_t)ch->local_mtu + 2 + mps - 1) / mps;
		cr = per_sdu * 2 < 32 ? 32 : per_sdu * 2;
		if (cr > 0xFFFF)
			cr = 0xFFFF;
	}
	ch->rx_initial = (uint16_t)cr;
	ch->rx_credits = cr;
}

void l2cap_le_connect(struct l2k_chan *ch)
{
	struct l2cap_link *l = ch->link;
	l2cap_credit_params(ch);
	uint8_t id = l2cap_next_ident(l);
	struct l2cap_le_conn_req rq = {.spsm = ch->psm, .scid = ch->lcid, .mtu = ch->local_mtu,
				       .mps = ch->local_mps, .credits = ch->rx_initial};
	size_t n = l2cap_build_le_conn_req(SIGBUF(l), SIGCAP(l), id, &rq);
	if (!l2cap_pend_add(l, id, L2CAP_LE_CREDIT_BASED_CONNECTION_REQ, ch->lcid, l->eng->rtx_ms)) {
		l2cap_chan_closed(ch, L2K_CLOSE_LINK_FAILED);
		return;
	}
	ch->sig_ident = id;
	ch->state = CH_WAIT_CONNECT_RSP;
	timer_cancel(&ch->eng->timers, &ch->sig_timer);
	l2cap_send_sig(l, SIGBUF(l), n);
}

void l2cap_send_credits(struct l2k_chan *ch, uint16_t n)
{
	struct l2cap_link *l = ch->link;
	if (!n || !l)
		return;
	struct l2cap_credit_ind ci = {.cid = ch->lcid, .credits = n};
	size_t len = l2cap_build_credit_ind(SIGBUF(l), SIGCAP(l), l2cap_next_ident(l), &ci);
	l2cap_send_sig(l, SIGBUF(l), len);
}

static void send_le_rsp(struct l2cap_link *l, uint8_t id, const struct l2cap_le_conn_rsp *r)
{
	size_t n = l2cap_build_le_conn_rsp(SIGBUF(l), SIGCAP(l), id, r);
	l2cap_send_sig(l, SIGBUF(l), n);
}

static void le_refuse(struct l2cap_link *l, uint8_t id, uint16_t result)
{
	struct l2cap_le_conn_rsp r = {.result = result};
	send_le_rsp(l, id, &r);
}

void l2cap_le_accept_decided(struct l2k_chan *ch, int result)
{
	struct l2cap_link *l = ch->link;
	if (result != 0) {
		le_refuse(l, ch->peer_conn_ident, (uint16_t)result);
		ch->last_result = (uint16_t)result;
		l2cap_chan_closed(ch, L2K_CLOSE_REFUSED);
		return;
	}
	l2cap_credit_params(ch);
	struct l2cap_le_conn_rsp r = {.dcid = ch->lcid, .mtu = ch->local_mtu, .mps = ch->local_mps,
				      .credits = ch->rx_initial, .result = L2CAP_LE_SUCCESS};
	send_le_rsp(l, ch->peer_conn_ident, &r);
	l2cap_chan_set_open(ch);
}

static void on_le_conn_req(struct l2cap_link *l, uint8_t id, const struct l2cap_le_conn_req *rq)
{
	struct l2cap_engine *e = l->eng;
	/* Checks in the order of 4.23: SPSM served, source CID range and uniqueness, parameter
	 * ranges (MTU >= 23, 23 <= MPS <= 65533). */
	struct l2k_server *sv = rq->spsm && rq->spsm <= L2CAP_SPSM_DYN_END ? l2cap_server_find(e, rq->spsm, true) : NULL;
	if (!sv) {
		le_refuse(l, id, L2CAP_LE_SPSM_NOT_SUPPORTED);
		return;
	}
	/* the service's security before anything else (as Linux orders it): an LE request has no
	 * "pending": the central pairs or encrypts and asks again */
	uint8_t need = sv->opts.sec_level > L2K_SEC_LOW ? sv->opts.sec_level : L2K_SEC_LOW;
	struct l2cap_link_sec sec;
	l2cap_link_sec(l, &sec);
	if (sec.level < need) {
		le_refuse(l, id, l2cap_le_security_result(l, need));
		return;
	}
	if (rq->scid < L2CAP_CID_DYN_START || rq->scid > L2CAP_CID_LE_DYN_END) {
		le_refuse(l, id, L2CAP_LE_INVALID_SCID);
		return;
	}
	if (l2cap_link_chan_by_rcid(l, rq->scid)) {
		le_refuse(l, id, L2CAP_LE_SCID_IN_USE);
		return;
	}
	if (rq->mtu < L2CAP_MIN_MTU_LE || rq->mps < L2CAP_MIN_MPS_LE || rq->mps > L2CAP_MAX_MPS_CREDIT) {
		le_refuse(l, id, L2CAP_LE_UNACCEPTABLE_PARAMS); /* 0x000B: valid in every revision */
		return;
	}
	struct l2k_chan *ch = l2cap_chan_new(e, &sv->opts, NULL);
	if (!ch || l2cap_chan_attach(l, ch, l2cap_alloc_cid(l)) < 0) {
		if (ch)
			l2cap_chan_closed(ch, L2K_CLOSE_LOCAL);
		le_refuse(l, id, L2CAP_LE_NO_RESOURCES);
		return;
	}
	ch->psm = rq->spsm;
	ch->rcid = rq->scid;
	ch->server = sv;
	ch->peer_conn_ident = id;
	ch->mode = L2K_MODE_LE_CREDIT;
	ch->remote_mtu = rq->mtu;
	ch->remote_mps = rq->mps;
	ch->tx_credits = rq->credits;
	ch->state = CH_WAIT_ACCEPT;
	int r = l2cap_server_offer(sv, ch, rq->mtu, rq->mps);
	if (r == 0 || r == L2K_ACCEPT_PENDING)
		ch->mode = L2K_MODE_LE_CREDIT;
	if (r == L2K_ACCEPT_PENDING)
		return; /* LE credit based has no pending result: the peer waits (its RTX runs) */
	l2cap_le_accept_decided(ch, r);
}

static void on_le_conn_rsp(struct l2cap_link *l, uint8_t id, const struct l2cap_le_conn_rsp *r)
{
	struct l2cap_pending_sig *p = l2cap_pend_find(l, id);
	if (!p || p->code != L2CAP_LE_CREDIT_BASED_CONNECTION_REQ)
		return;
	struct l2k_chan *ch = l2cap_link_chan(l, p->cid);
	l2cap_pend_del(l, p);
	if (!ch || ch->state != CH_WAIT_CONNECT_RSP)
		return;
	if (r->result != L2CAP_LE_SUCCESS) {
		ch->last_result = r->result;
		l2cap_chan_closed(ch, L2K_CLOSE_REFUSED);
		return;
	}
	if (r->dcid < L2CAP_CID_DYN_START || r->dcid > L2CAP_CID_LE_DYN_END || r->mtu < L2CAP_MIN_MTU_LE ||
	    r->mps < L2CAP_MIN_MPS_LE || r->mps > L2CAP_MAX_MPS_CREDIT) {
		/* a success with impossible values: we cannot use the channel */
		ch->rcid = r->dcid;
		if (r->dcid >= L2CAP_CID_DYN_START) {
			ch->state = CH_OPEN; /* so that disconnect sends a request */
			l2cap_chan_disconnect(ch, L2K_CLOSE_PROTOCOL);
		} else {
			l2cap_chan_closed(ch, L2K_CLOSE_PROTOCOL);
		}
		return;
	}
	ch->rcid = r->dcid;
	ch->remote_mtu = r->mtu;
	ch->remote_mps = r->mps;
	ch->tx_credits = r->credits;
	if (ch->close_pending) {
		ch->state = CH_OPEN;
		l2cap_chan_disconnect(ch, L2K_CLOSE_LOCAL);
		return;
	}
	l2cap_chan_set_open(ch);
}

/* Flow Control Credit Indication (4.24), on LE-U and (enhanced credit based) ACL-U. */
void l2cap_credit_ind(struct l2cap_link *l, const struct l2cap_credit_ind *ci)
{
	/* CID is the sender's source CID: our remote CID (4.24) */
	struct l2k_chan *ch = l2cap_link_chan_by_rcid(l, ci->cid);
	if (!ch || ch->state != CH_OPEN)
		return;
	if (ch->tx_credits + ci->credits > L2CAP_MAX_CREDITS) {
		/* LE/CFC/BI-01: credit count overflow: disconnect (10.1) */
		l2cap_chan_disconnect(ch, L2K_CLOSE_PROTOCOL);
		return;
	}
	ch->tx_credits += ci->credits;
	if (ch->ops && ch->ops->pump)
		ch->ops->pump(ch);
}

static void on_conn_param_req(struct l2cap_link *l, uint8_t id, const struct l2cap_conn_param_req *rq)
{
	if (l->role != 0) {
		/* only a Central acts on it (4.20; LE/CPU/BI-02) */
		l2cap_send_cmd_reject(l, id, L2CAP_REJ_NOT_UNDERSTOOD, 0, 0);
		return;
	}
	/* LE/CPU/BV-02, BI-01: check the ranges (Vol 4 Part E 7.8.18) and the timeout rule
	 * timeout(10 ms) > (1 + latency) * interval_max(1.25 ms) * 2 */
	bool ok = rq->interval_min >= L2CAP_CPU_INTERVAL_MIN && rq->interval_max <= L2CAP_CPU_INTERVAL_MAX &&
		  rq->interval_min <= rq->interval_max && rq->latency <= L2CAP_CPU_LATENCY_MAX &&
		  rq->timeout >= L2CAP_CPU_TIMEOUT_MIN && rq->timeout <= L2CAP_CPU_TIMEOUT_MAX &&
		  (uint32_t)rq->timeout * 4 > (1u + rq->latency) * rq->interval_max;
	struct l2cap_conn_param_rsp r = {.result = ok ? L2CAP_CPU_ACCEPTED : L2CAP_CPU_REJECTED};
	size_t n = l2cap_build_conn_param_rsp(SIGBUF(l), SIGCAP(l), id, &r);
	l2cap_send_sig(l, SIGBUF(l), n);
	if (ok) {
		uint8_t c[14];
		put_le16(c, l->handle);
		put_le16(c + 2, rq->interval_min);
		put_le16(c + 4, rq->interval_max);
		put_le16(c + 6, rq->latency);
		put_le16(c + 8, rq->timeout);
		put_le16(c + 10, 0);
		put_le16(c + 12, 0);
		hci_host_cmd(l->eng->hci, HCI_OP_LE_CONN_UPDATE, c, 14, NULL, NULL);
	}
}

static void on_cmd_rej(struct l2cap_link *l, uint8_t id)
{
	struct l2cap_pending_sig *p = l2cap_pend_find(l, id);
	if (!p)
		return;
	struct l2cap_pending_sig pend = *p;
	struct l2k_chan *ch = p->cid ? l2cap_link_chan(l, p->cid) : NULL;
	l2cap_pend_del(l, p);
	if (pend.code == L2CAP_CREDIT_BASED_CONNECTION_REQ || pend.code == L2CAP_CREDIT_BASED_RECONFIGURE_REQ) {
		l2cap_ecfc_failed(l, &pend, true);
		return;
	}
	if (!ch)
		return;
	if (pend.code == L2CAP_LE_CREDIT_BASED_CONNECTION_REQ) {
		/* LE/CFC/BV-01: a peer without LE CoC rejects the request: no channel */
		ch->last_result = 0xFFFF;
		l2cap_chan_closed(ch, L2K_CLOSE_REFUSED);
	} else if (pend.code == L2CAP_DISCONNECTION_REQ) {
		l2cap_chan_closed(ch, L2K_CLOSE_LOCAL);
	}
}

void l2cap_sigle_input(struct l2cap_link *l, const uint8_t *p, size_t len)
{
	if (len > l->eng->sig_mtu_le) {
		uint8_t id = len >= 2 ? p[1] : 0;
		if (id)
			l2cap_send_cmd_reject(l, id, L2CAP_REJ_SIG_MTU_EXCEEDED, l->eng->sig_mtu_le, 0);
		return;
	}
	size_t off = 0;
	struct l2cap_sig_cmd c;
	/* one command per LE C-frame (4); trailing octets are ignored */
	int r = l2cap_sig_next(p, len, &off, &c);
	if (r == L2K_EMSGSIZE) {
		const struct l2cap_sig_cmd_info *info = l2cap_sig_cmd_info(c.code);
		if (c.ident && (!info || info->kind == L2CAP_SIG_REQUEST))
			l2cap_send_cmd_reject(l, c.ident, L2CAP_REJ_NOT_UNDERSTOOD, 0, 0);
		return;
	}
	if (r != L2CAP_SIG_CMD || c.ident == L2CAP_SIG_IDENT_INVALID)
		return;
	const struct l2cap_sig_cmd_info *info = l2cap_sig_cmd_info(c.code);
	if (!info || !l2cap_sig_cmd_allowed(c.code, L2CAP_LINK_LE)) {
		/* LE/REJ/BI-01/02 */
		l2cap_send_cmd_reject(l, c.ident, L2CAP_REJ_NOT_UNDERSTOOD, 0, 0);
		return;
	}
	bool request = info->kind == L2CAP_SIG_REQUEST;
	union {
		struct l2cap_le_conn_req req;
		struct l2cap_le_conn_rsp rsp;
		struct l2cap_credit_ind ci;
		struct l2cap_disconn d;
		struct l2cap_conn_param_req cpr;
		struct l2cap_conn_param_rsp cprs;
		struct l2cap_cmd_rej rej;
	} u;
	int pr = 0;
	switch (c.code) {
	case L2CAP_LE_CREDIT_BASED_CONNECTION_REQ:
		if (!(pr = l2cap_parse_le_conn_req(c.data, c.len, &u.req)))
			on_le_conn_req(l, c.ident, &u.req);
		break;
	case L2CAP_LE_CREDIT_BASED_CONNECTION_RSP:
		if (!(pr = l2cap_parse_le_conn_rsp(c.data, c.len, &u.rsp)))
			on_le_conn_rsp(l, c.ident, &u.rsp);
		break;
	case L2CAP_FLOW_CONTROL_CREDIT_IND:
		if (!(pr = l2cap_parse_credit_ind(c.data, c.len, &u.ci)))
			l2cap_credit_ind(l, &u.ci);
		break;
	case L2CAP_DISCONNECTION_REQ:
		if (!(pr = l2cap_parse_disconn_req(c.data, c.len, &u.d)))
			l2cap_on_disconn_req(l, c.ident, &u.d);
		break;
	case L2CAP_DISCONNECTION_RSP:
		if (!(pr = l2cap_parse_disconn_rsp(c.data, c.len, &u.d)))
			l2cap_on_disconn_rsp(l, c.ident, &u.d);
		break;
	case L2CAP_CONN_PARAM_UPDATE_REQ:
		if (!(pr = l2cap_parse_conn_param_req(c.data, c.len, &u.cpr)))
			on_conn_param_req(l, c.ident, &u.cpr);
		break;
	case L2CAP_CONN_PARAM_UPDATE_RSP:
		if (!(pr = l2cap_parse_conn_param_rsp(c.data, c.len, &u.cprs))) {
			struct l2cap_pending_sig *pp = l2cap_pend_find(l, c.ident);
			if (pp && pp->code == L2CAP_CONN_PARAM_UPDATE_REQ)
				l2cap_pend_del(l, pp);
		}
		break;
	case L2CAP_COMMAND_REJECT_RSP:
		if (!(pr = l2cap_parse_cmd_rej(c.data, c.len, &u.rej)))
			on_cmd_rej(l, c.ident);
		break;
	case L2CAP_CREDIT_BASED_CONNECTION_REQ:
	case L2CAP_CREDIT_BASED_CONNECTION_RSP:
	case L2CAP_CREDIT_BASED_RECONFIGURE_REQ:
	case L2CAP_CREDIT_BASED_RECONFIGURE_RSP:
		pr = l2cap_ecfc_input(l, c.code, c.ident, c.data, c.len);
		if (pr == L2K_ENOTSUP && request) {
			l2cap_send_cmd_reject(l, c.ident, L2CAP_REJ_NOT_UNDERSTOOD, 0, 0);
			return;
		}
		break;
	default:
		if (request)
			l2cap_send_cmd_reject(l, c.ident, L2CAP_REJ_NOT_UNDERSTOOD, 0, 0);
		return;
	}
	if (pr < 0 && request)
		l2cap_send_cmd_reject(l, c.ident, L2CAP_REJ_NOT_UNDERSTOOD, 0, 0);
}
