/* A whole l2kit stack on an in-memory fake controller with a scripted peer (see fz.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/l2cap_crc16.h"
#include "core/l2cap_defs.h"
#include "core/l2cap_sig.h"
#include "api/stack_internal.h"
#include "base/hci_defs.h"
#include "tests/fuzz/fz.h"

#define QCAP (1u << 20)	  /* bytes of packets waiting for the stack */
#define ADVANCE_STEPS 32	  /* timer instants stepped through per fz_advance() */
#define PUMP_LIMIT 4096	  /* service rounds per fz_pump: ends ping-pong between engine and peer */
#define PEER_PDU_MAX 2048 /* outgoing PDUs the peer reassembles (signaling is far smaller) */
#define NHANDLES 16 /* handles the fake controller hands out: 0x0001-0x000F */

struct fz_world {
	struct transport tr; /* the fake controller's transport face */
	l2k_stack *s;
	/* the scripted peer's answer to the next conf_answers Configuration Requests (instead of
	 * success with the options mirrored): fz_conf_answer() */
	int conf_answers;
	uint16_t conf_result;
	uint8_t conf_opts[FZ_CONF_ANSWER_MAX];
	size_t conf_opts_len;
	struct l2k_vclock vc;
	bool ready;
	bool auto_peer;
	bool auto_complete;
	/* packets from the "controller" to the host: records type(1) len(4) bytes */
	size_t qrd, qlen;
	/* the links */
	l2k_addr peer_bredr, peer_le;
	bool le_central;
	/* ACL packets the host sent per handle and not yet completed */
	uint16_t inflight[NHANDLES];
	/* reassembly of outgoing PDUs for the scripted peer (one per handle in use) */
	struct fz_reasm {
		size_t have, total;
		bool skipping;
		uint8_t buf[PEER_PDU_MAX];
	} out[2];
	uint8_t peer_ident;
	uint16_t next_pcid;
	struct fz_peer_chan pch[FZ_MAX_PEER_CHANS];
	struct fz_chan chans[FZ_MAX_CHANS];
	int nchans;
	int target;	   /* channel the data records aim at (-1: any) */
	bool defer;	   /* servers defer incoming channels */
	bool connecting;   /* inside l2k_chan_connect() */
	int last_accepted; /* index of the channel the last server accept() took */
	int in_pump;
	struct fz_stats st;
	fz_pdu_tap pdu_tap;
	fz_cmd_tap cmd_tap;
	void *tap_user;
};

static uint8_t g_queue[QCAP];
static struct fz_world *g_live;

_Noreturn void fz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: harness invariant failed: %s\n", file, line, what);
	abort();
}

l2k_stack *fz_stack(struct fz_world *w)
{
	return w->s;
}
const struct fz_stats *fz_world_stats(const struct fz_world *w)
{
	return &w->st;
}
int fz_nchans(const struct fz_world *w)
{
	return w->nchans;
}
struct fz_chan *fz_chan(struct fz_world *w, int i)
{
	return i >= 0 && i < w->nchans ? &w->chans[i] : NULL;
}
void fz_auto_peer(struct fz_world *w, bool on)
{
	w->auto_peer = on;
}
void fz_defer_accept(struct fz_world *w, bool on)
{
	w->defer = on;
}
bool fz_deferring(const struct fz_world *w)
{
	return w->defer;
}
void fz_auto_complete(struct fz_world *w, bool on)
{
	w->auto_complete = on;
}

/* ---- controller to host -------------------------------------------------------------------- */

void fz_inject(struct fz_world *w, uint8_t type, const uint8_t *pkt, size_t len)
{
	if (len > 0xFFFFFF || w->qlen + 5 + len > QCAP) {
		w->st.dropped_inject++;
		return;
	}
	uint8_t *q = g_queue + w->qlen;
	q[0] = type;
	q[1] = (uint8_t)len;
	q[2] = (uint8_t)(len >> 8);
	q[3] = (uint8_t)(len >> 16);
	q[4] = 0;
	if (len)
		memcpy(q + 5, pkt, len);
	w->qlen += 5 + len;
}

void fz_inject_event(struct fz_world *w, uint8_t code, const uint8_t *p, size_t n)
{
	uint8_t b[2 + 255];
	if (n > 255)
		n = 255;
	b[0] = code;
	b[1] = (uint8_t)n;
	if (n)
		memcpy(b + 2, p, n);
	fz_inject(w, HCI_H4_EVT, b, 2 + n);
}

static void trace(const char *dir, uint16_t handle, const uint8_t *p, size_t n);

static uint8_t g_pdu[4 + 4 + 65536 + 2];

void fz_inject_pdu(struct fz_world *w, uint16_t handle, uint16_t cid, const uint8_t *payload,
		   size_t len, bool add_fcs)
{
	size_t total = len + (add_fcs ? 2 : 0);
	if (total > 0xFFFF - 4)
		return;
	uint8_t *a = g_pdu;
	put_le16(a, (uint16_t)(handle | (HCI_ACL_PB_START << 12)));
	put_le16(a + 2, (uint16_t)(4 + total));
	put_le16(a + 4, (uint16_t)total);
	put_le16(a + 6, cid);
	if (len)
		memcpy(a + 8, payload, len);
	if (add_fcs) {
		uint16_t fcs = l2cap_crc16(a + 4, 4 + len);
		put_le16(a + 8 + len, fcs);
	}
	fz_inject(w, HCI_H4_ACL, a, 8 + total);
}

void fz_inject_sig(struct fz_world *w, uint16_t handle, uint8_t code, uint8_t ident,
		   const uint8_t *data, size_t len)
{
	uint8_t b[4 + 1024];
	if (len > 1024)
		len = 1024;
	b[0] = code;
	b[1] = ident;
	put_le16(b + 2, (uint16_t)len);
	if (len)
		memcpy(b + 4, data, len);
	bool le = handle == FZ_H_LE;
	trace("peer>  ", handle, b, 4 + len);
	fz_inject_pdu(w, handle, le ? L2CAP_CID_LE_SIGNALING : L2CAP_CID_SIGNALING, b, 4 + len, false);
}

static uint8_t next_ident(struct fz_world *w)
{
	w->peer_ident = (uint8_t)(w->peer_ident == 255 ? 1 : w->peer_ident + 1);
	return w->peer_ident;
}

/* ---- the fake controller: answers commands ------------------------------------------------- */

static void cmd_complete(struct fz_world *w, uint16_t op, const uint8_t *ret, size_t n)
{
	uint8_t p[3 + 252];
	if (n > 252)
		n = 252;
	p[0] = 1;
	put_le16(p + 1, op);
	memcpy(p + 3, ret, n);
	fz_inject_event(w, HCI_EV_CMD_COMPLETE, p, 3 + n);
}

static void cmd_status(struct fz_world *w, uint16_t op, uint8_t status)
{
	uint8_t p[4] = {status, 1, (uint8_t)op, (uint8_t)(op >> 8)};
	fz_inject_event(w, HCI_EV_CMD_STATUS, p, 4);
}

static uint16_t free_handle(struct fz_world *w, uint16_t want)
{
	if (!hci_host_link(w->s->hci, want))
		return want;
	for (uint16_t h = 0x0003; h < NHANDLES; h++)
		if (!hci_host_link(w->s->hci, h))
			return h;
	return 0x0EFF;
}

static void conn_complete(struct fz_world *w, const uint8_t *addr)
{
	uint8_t p[11] = {0};
	uint16_t h = free_handle(w, FZ_H_BREDR);
	put_le16(p + 1, h);
	memcpy(p + 3, addr, 6);
	p[9] = 0x01; /* ACL */
	fz_inject_event(w, HCI_EV_CONN_COMPLETE, p, 11);
}

static void le_conn_complete(struct fz_world *w, const uint8_t *addr, uint8_t addr_type, uint8_t role)
{
	uint8_t p[19] = {0};
	uint16_t h = free_handle(w, FZ_H_LE);
	p[0] = HCI_LE_CONN_COMPLETE;
	put_le16(p + 2, h);
	p[4] = role;
	p[5] = addr_type;
	memcpy(p + 6, addr, 6);
	put_le16(p + 12, 0x0018);
	put_le16(p + 14, 0);
	put_le16(p + 16, 0x01F4);
	fz_inject_event(w, HCI_EV_LE_META, p, 19);
}

static void on_command(struct fz_world *w, const uint8_t *pkt, size_t len)
{
	if (len < 3)
		return;
	uint16_t op = get_le16(pkt);
	const uint8_t *prm = pkt + 3;
	size_t plen = len - 3;
	uint8_t r[80] = {0};
	switch (op) {
	case HCI_OP_READ_LOCAL_VERSION:
		r[1] = 0x0C;
		r[4] = 0x0C;
		put_le16(r + 5, 0x05F1);
		cmd_complete(w, op, r, 9);
		break;
	case HCI_OP_READ_LOCAL_COMMANDS:
		memset(r + 1, 0xFF, 64);
		cmd_complete(w, op, r, 65);
		break;
	case HCI_OP_READ_LOCAL_FEATURES:
		r[1 + 4] = 0x40; /* LE Supported (Controller); BR/EDR supported */
		r[1 + 0] = 0xFF;
		cmd_complete(w, op, r, 9);
		break;
	case HCI_OP_READ_BD_ADDR:
		for (int i = 0; i < 6; i++)
			r[1 + i] = (uint8_t)(0xA0 + i);
		cmd_complete(w, op, r, 7);
		break;
	case HCI_OP_READ_BUFFER_SIZE:
		put_le16(r + 1, 1021);
		r[3] = 64;
		put_le16(r + 4, 8);
		put_le16(r + 6, 8);
		cmd_complete(w, op, r, 8);
		break;
	case HCI_OP_LE_READ_BUFFER_SIZE_V2:
	case HCI_OP_LE_READ_BUFFER_SIZE:
		put_le16(r + 1, 251);
		r[3] = 8;
		cmd_complete(w, op, r, op == HCI_OP_LE_READ_BUFFER_SIZE ? 4 : 7);
		break;
	case HCI_OP_LE_READ_LOCAL_FEATURES:
		r[1] = 0x3F;
		cmd_complete(w, op, r, 9);
		break;
	case HCI_OP_DISCONNECT:
		cmd_status(w, op, 0);
		if (plen >= 3) {
			uint8_t d[4] = {0, prm[0], (uint8_t)(prm[1] & 0x0F), HCI_ERR_LOCAL_HOST_TERM};
			fz_inject_event(w, HCI_EV_DISCONN_COMPLETE, d, 4);
		}
		break;
	case HCI_OP_ACCEPT_CONN_REQ:
		cmd_status(w, op, 0);
		if (plen >= 6)
			conn_complete(w, prm);
		break;
	case HCI_OP_CREATE_CONN:
		cmd_status(w, op, 0);
		if (plen >= 6)
			conn_complete(w, prm);
		break;
	case HCI_OP_LE_CREATE_CONN:
		cmd_status(w, op, 0);
		if (plen >= 12)
			le_conn_complete(w, prm + 6, prm[5], 0x00);
		break;
	case HCI_OP_HOST_NUM_COMPLETED:
		break; /* no event unless invalid (Vol 4 Part E 7.3.40) */
	case HCI_OP_LE_CONN_UPDATE:
	case HCI_OP_REJECT_CONN_REQ:
	case HCI_OP_CREATE_CONN_CANCEL:
	case HCI_OP_LE_CREATE_CONN_CANCEL:
		cmd_status(w, op, 0);
		break;
	default:
		cmd_complete(w, op, r, 1);
		break;
	}
}

/* ---- the scripted peer --------------------------------------------------------------------- */

static struct fz_peer_chan *pch_by_pcid(struct fz_world *w, uint16_t handle, uint16_t pcid)
{
	for (int i = 0; i < FZ_MAX_PEER_CHANS; i++)
		if (w->pch[i].used && w->pch[i].handle == handle && w->pch[i].pcid == pcid)
			return &w->pch[i];
	return NULL;
}

static struct fz_peer_chan *pch_new(struct fz_world *w, uint16_t handle)
{
	bool le = handle == FZ_H_LE;
	for (int i = 0; i < FZ_MAX_PEER_CHANS; i++) {
		struct fz_peer_chan *p = &w->pch[i];
		if (p->used)
			continue;
		memset(p, 0, sizeof(*p));
		p->used = true;
		p->handle = handle;
		/* LE dynamic CIDs end at 0x007F */
		p->pcid = (uint16_t)(0x0040 + (w->next_pcid++ % (le ? 0x40 : 0x400)));
		return p;
	}
	return NULL;
}

/* Mirror the engine's options back: as an accepting response (with the RFC timeouts a responder
 * fills in, 5.4) or as the peer's own request. */
static size_t mirror_opts(const uint8_t *in, size_t n, uint8_t *out, size_t cap, bool response)
{
	if (n > cap)
		n = cap;
	memcpy(out, in, n);
	if (!response)
		return n;
	for (size_t off = 0; off + 2 <= n;) {
		uint8_t t = out[off] & 0x7F, l = out[off + 1];
		if (off + 2 + l > n)
			break;
		if (t == L2CAP_CONF_OPT_RFC && l == 9 && out[off + 2] != L2CAP_MODE_BASIC) {
			uint8_t *d = out + off + 2;
			if (!get_le16(d + 3))
				put_le16(d + 3, 2000);
			if (!get_le16(d + 5))
				put_le16(d + 5, 12000);
		}
		off += 2 + (size_t)l;
	}
	return n;
}

static int g_trace = -1; /* FZ_TRACE=1 in the environment: print the signaling both ways */

static void trace(const char *dir, uint16_t handle, const uint8_t *p, size_t n)
{
	if (g_trace < 0)
		g_trace = getenv("FZ_TRACE") != NULL;
	if (!g_trace)
		return;
	fprintf(stderr, "%s h%u:", dir, handle);
	for (size_t i = 0; i < n && i < 40; i++)
		fprintf(stderr, " %02x", p[i]);
	fprintf(stderr, "\n");
}

static void peer_cmd(struct fz_world *w, uint16_t handle, const struct l2cap_sig_cmd *c)
{
	trace("engine>", handle, c->data - 4, 4 + (size_t)c->len);
	const uint8_t *d = c->data;
	size_t n = c->len;
	uint8_t b[600];
	switch (c->code) {
	case L2CAP_INFORMATION_REQ: {
		if (n < 2)
			return;
		uint16_t type = get_le16(d);
		put_le16(b, type);
		put_le16(b + 2, L2CAP_INFO_SUCCESS);
		size_t k = 4;
		if (type == L2CAP_INFO_EXTENDED_FEATURES) {
			put_le32(b + 4, 0x000007FF & ~L2CAP_FEAT_BIDIR_QOS);
			k = 8;
		} else if (type == L2CAP_INFO_FIXED_CHANNELS) {
			memset(b + 4, 0, 8);
			b[4] = 0x86;
			k = 12;
		} else if (type == L2CAP_INFO_CONNECTIONLESS_MTU) {
			put_le16(b + 4, 672);
			k = 6;
		} else {
			put_le16(b + 2, L2CAP_INFO_NOT_SUPPORTED);
		}
		fz_inject_sig(w, handle, L2CAP_INFORMATION_RSP, c->ident, b, k);
		break;
	}
	case L2CAP_CONNECTION_REQ: {
		if (n < 4)
			return;
		struct fz_peer_chan *p = pch_new(w, handle);
		if (!p)
			return;
		p->ecid = get_le16(d + 2);
		put_le16(b, p->pcid);
		put_le16(b + 2, p->ecid);
		put_le16(b + 4, L2CAP_CR_SUCCESS);
		put_le16(b + 6, 0);
		fz_inject_sig(w, handle, L2CAP_CONNECTION_RSP, c->ident, b, 8);
		break;
	}
	case L2CAP_CONNECTION_RSP: {
		if (n < 8)
			return;
		struct fz_peer_chan *p = pch_by_pcid(w, handle, get_le16(d + 2));
		if (p && get_le16(d + 4) == L2CAP_CR_SUCCESS)
			p->ecid = get_le16(d);
		else if (p && get_le16(d + 4) != L2CAP_CR_PENDING)
			p->used = false;
		break;
	}
	case L2CAP_CONFIGURATION_REQ: {
		if (n < 4)
			return;
		struct fz_peer_chan *p = pch_by_pcid(w, handle, get_le16(d));
		if (!p || !p->ecid)
			return;
		put_le16(b, p->ecid);
		put_le16(b + 2, 0);
		put_le16(b + 4, L2CAP_CONF_SUCCESS);
		size_t k;
		if (w->conf_answers > 0) {
			w->conf_answers--;
			put_le16(b + 4, w->conf_result);
			memcpy(b + 6, w->conf_opts, w->conf_opts_len);
			k = w->conf_opts_len;
		} else {
			k = mirror_opts(d + 4, n - 4, b + 6, 256, true);
		}
		fz_inject_sig(w, handle, L2CAP_CONFIGURATION_RSP, c->ident, b, 6 + k);
		if (!p->conf_sent) {
			p->conf_sent = true;
			put_le16(b, p->ecid);
			put_le16(b + 2, 0);
			k = mirror_opts(d + 4, n - 4, b + 4, 256, false);
			fz_inject_sig(w, handle, L2CAP_CONFIGURATION_REQ, next_ident(w), b, 4 + k);
		}
		break;
	}
	case L2CAP_DISCONNECTION_REQ: {
		if (n < 4)
			return;
		fz_inject_sig(w, handle, L2CAP_DISCONNECTION_RSP, c->ident, d, 4);
		struct fz_peer_chan *p = pch_by_pcid(w, handle, get_le16(d));
		if (p)
			p->used = false;
		break;
	}
	case L2CAP_ECHO_REQ:
		fz_inject_sig(w, handle, L2CAP_ECHO_RSP, c->ident, d, n > 512 ? 512 : n);
		break;
	case L2CAP_LE_CREDIT_BASED_CONNECTION_REQ: {
		if (n < 10)
			return;
		struct fz_peer_chan *p = pch_new(w, handle);
		if (!p)
			return;
		p->ecid = get_le16(d + 2);
		put_le16(b, p->pcid);
		put_le16(b + 2, 512);
		put_le16(b + 4, 200);
		put_le16(b + 6, 32);
		put_le16(b + 8, 0);
		fz_inject_sig(w, handle, L2CAP_LE_CREDIT_BASED_CONNECTION_RSP, c->ident, b, 10);
		break;
	}
	case L2CAP_CREDIT_BASED_CONNECTION_REQ: {
		if (n < 10)
			return;
		size_t ncid = (n - 8) / 2;
		if (ncid > 5)
			ncid = 5;
		put_le16(b, 512);
		put_le16(b + 2, 200);
		put_le16(b + 4, 32);
		put_le16(b + 6, 0);
		for (size_t i = 0; i < ncid; i++) {
			struct fz_peer_chan *p = pch_new(w, handle);
			uint16_t pc = 0;
			if (p) {
				p->ecid = get_le16(d + 8 + 2 * i);
				pc = p->pcid;
			}
			put_le16(b + 8 + 2 * i, pc);
		}
		fz_inject_sig(w, handle, L2CAP_CREDIT_BASED_CONNECTION_RSP, c->ident, b, 8 + 2 * ncid);
		break;
	}
	case L2CAP_CREDIT_BASED_RECONFIGURE_REQ:
		put_le16(b, 0);
		fz_inject_sig(w, handle, L2CAP_CREDIT_BASED_RECONFIGURE_RSP, c->ident, b, 2);
		break;
	case L2CAP_CONN_PARAM_UPDATE_REQ:
		put_le16(b, 0);
		fz_inject_sig(w, handle, L2CAP_CONN_PARAM_UPDATE_RSP, c->ident, b, 2);
		break;
	case L2CAP_LE_CREDIT_BASED_CONNECTION_RSP: {
		/* answer to a request the peer sent: learn the engine's CID */
		if (n < 10)
			return;
		for (int i = 0; i < FZ_MAX_PEER_CHANS; i++) {
			struct fz_peer_chan *p = &w->pch[i];
			if (p->used && p->handle == handle && !p->ecid && get_le16(d + 8) == 0) {
				p->ecid = get_le16(d);
				break;
			}
		}
		break;
	}
	default:
		break;
	}
}

/* A whole PDU the host sent on a link: the peer reacts to signaling and returns credits. */
static void peer_pdu(struct fz_world *w, uint16_t handle, const uint8_t *pdu, size_t len)
{
	if (len < 4)
		return;
	uint16_t cid = get_le16(pdu + 2);
	const uint8_t *p = pdu + 4;
	size_t n = len - 4;
	if (cid == L2CAP_CID_SIGNALING || cid == L2CAP_CID_LE_SIGNALING) {
		size_t off = 0;
		struct l2cap_sig_cmd c;
		while (l2cap_sig_next(p, n, &off, &c) == L2CAP_SIG_CMD)
			peer_cmd(w, handle, &c);
		return;
	}
	if (cid >= L2CAP_CID_DYN_START && handle == FZ_H_LE) {
		/* a K-frame: give the credit back so the engine keeps sending */
		uint8_t b[4];
		put_le16(b, cid);
		put_le16(b + 2, 1);
		fz_inject_sig(w, handle, L2CAP_FLOW_CONTROL_CREDIT_IND, next_ident(w), b, 4);
	}
}

static void on_acl_out(struct fz_world *w, const uint8_t *pkt, size_t len)
{
	if (len < 4)
		return;
	uint16_t hf = get_le16(pkt);
	uint16_t handle = HCI_ACL_HANDLE(hf);
	size_t dlen = len - 4;
	const uint8_t *d = pkt + 4;
	if (handle < NHANDLES)
		w->inflight[handle]++;
	w->st.tx_acl++;
	if (!w->auto_peer && !w->pdu_tap)
		return;
	int slot = handle == FZ_H_BREDR ? 0 : handle == FZ_H_LE ? 1 : -1;
	if (slot < 0)
		return;
	struct fz_reasm *o = &w->out[slot];
	if (HCI_ACL_PB(hf) != HCI_ACL_PB_CONT) {
		o->have = 0;
		o->skipping = dlen < 4;
		if (o->skipping)
			return;
		o->total = 4 + (size_t)get_le16(d);
		o->skipping = o->total > PEER_PDU_MAX || dlen > o->total;
		if (o->skipping)
			return;
	} else if (o->skipping || o->total == 0 || o->have + dlen > o->total) {
		o->skipping = true;
		return;
	}
	memcpy(o->buf + o->have, d, dlen);
	o->have += dlen;
	if (o->have == o->total) {
		o->total = 0;
		o->skipping = true;
		if (w->pdu_tap)
			w->pdu_tap(w->tap_user, handle, o->buf, o->have);
		if (w->auto_peer)
			peer_pdu(w, handle, o->buf, o->have);
	}
}

/* ---- transport ops -------------------------------------------------------------------------- */

static struct fz_world *world_of(struct transport *t)
{
	return (struct fz_world *)t; /* tr is the first member */
}

static int t_send(struct transport *t, uint8_t type, const uint8_t *pkt, size_t len)
{
	struct fz_world *w = world_of(t);
	if (type == HCI_H4_CMD && w->cmd_tap)
		w->cmd_tap(w->tap_user, pkt, len);
	if (type == HCI_H4_CMD)
		on_command(w, pkt, len);
	else if (type == HCI_H4_ACL)
		on_acl_out(w, pkt, len);
	return 0;
}

static int t_service(struct transport *t, uint64_t now)
{
	struct fz_world *w = world_of(t);
	size_t end = w->qlen; /* packets queued while these are handled wait for the next round */
	while (w->qrd < end) {
		const uint8_t *q = g_queue + w->qrd;
		size_t len = (size_t)q[1] | (size_t)q[2] << 8 | (size_t)q[3] << 16;
		w->qrd += 5 + len;
		if (t->rx)
			t->rx(t->user, q[0], q + 5, len);
	}
	if (w->qrd == w->qlen) {
		w->qrd = w->qlen = 0;
	} else {
		memmove(g_queue, g_queue + w->qrd, w->qlen - w->qrd);
		w->qlen -= w->qrd;
		w->qrd = 0;
	}
	return 0;
}

static uint64_t t_next_due(struct transport *t)
{
	struct fz_world *w = world_of(t);
	return w->qlen > w->qrd ? 0 : UINT64_MAX;
}

static void t_close(struct transport *t)
{
}

static const struct transport_ops fz_tr_ops = {
    .kind = "fuzz",
    .send = t_send,
    .service = t_service,
    .next_due = t_next_due,
    .close = t_close,
};

/* ---- driving -------------------------------------------------------------------------------- */

void fz_pump(struct fz_world *w)
{
	if (w->in_pump)
		return; /* called from a callback: the outer pump carries on */
	w->in_pump++;
	for (int i = 0; i < PUMP_LIMIT; i++) {
		if (w->auto_complete)
			fz_complete_all(w);
		if (w->qlen == w->qrd)
			break;
		l2k_step(w->s);
	}
	/* A peer that keeps answering forever is cut off: drop what is left. */
	w->qrd = w->qlen = 0;
	w->in_pump--;
}

void fz_advance(struct fz_world *w, uint64_t ms)
{
	uint64_t end = w->vc.now_ms + ms;
	/* At most ADVANCE_STEPS timer instants per record (the last step runs every timer due by
	 * the end at once): a periodic timer - a Retransmission mode channel polls every monitor
	 * timeout - would otherwise turn one record into hundreds of identical frames. */
	for (int i = 0; i < ADVANCE_STEPS; i++) {
		fz_pump(w);
		uint64_t due = l2k_next_due(w->s);
		if (due > end)
			break;
		if (due > w->vc.now_ms)
			w->vc.now_ms = due;
		l2k_step(w->s);
	}
	w->vc.now_ms = end;
	l2k_step(w->s);
	fz_pump(w);
}

void fz_complete_all(struct fz_world *w)
{
	uint8_t p[1 + 4 * NHANDLES];
	unsigned k = 0;
	for (uint16_t h = 0; h < NHANDLES; h++) {
		if (!w->inflight[h])
			continue;
		put_le16(p + 1 + 4 * k, h);
		put_le16(p + 3 + 4 * k, w->inflight[h]);
		w->inflight[h] = 0;
		k++;
	}
	if (!k)
		return;
	p[0] = (uint8_t)k;
	fz_inject_event(w, HCI_EV_NUM_COMPLETED, p, 1 + 4 * k);
}

bool fz_auto_completing(const struct fz_world *w)
{
	return w->auto_complete;
}
bool fz_auto_peering(const struct fz_world *w)
{
	return w->auto_peer;
}

const l2k_addr *fz_peer_addr(const struct fz_world *w, bool le)
{
	return le ? &w->peer_le : &w->peer_bredr;
}

void fz_set_taps(struct fz_world *w, fz_pdu_tap pdu, fz_cmd_tap cmd, void *user)
{
	w->pdu_tap = pdu;
	w->cmd_tap = cmd;
	w->tap_user = user;
}

void fz_set_target(struct fz_world *w, int idx)
{
	w->target = idx;
}
int fz_target(const struct fz_world *w)
{
	return w->target;
}

static void on_ready(void *user, int err)
{
	struct fz_world *w = user;
	w->ready = err == 0;
}

struct fz_world *fz_world_new(void)
{
	if (g_live)
		fz_fail(__FILE__, __LINE__, "one world at a time");
	struct fz_world *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->tr.ops = &fz_tr_ops;
	snprintf(w->tr.spec, sizeof(w->tr.spec), "fuzz");
	w->vc.now_ms = 1000;
	w->auto_peer = true;
	w->auto_complete = true;
	w->target = -1;
	for (int i = 0; i < 6; i++) {
		w->peer_bredr.b[i] = (uint8_t)(0x10 + i);
		w->peer_le.b[i] = (uint8_t)(0x20 + i);
	}
	struct l2k_stack_opts o = {0};
	o.clock = l2k_vclock_now;
	o.clock_arg = &w->vc;
	o.link_tx_queue = 16 * 1024; /* raised to one maximal PDU by the host */
	o.max_rx_pdu = 8192;	     /* larger PDUs take the too-big path; keeps each input cheap */
	struct l2k_stack_cbs cbs = {.user = w, .ready = on_ready};
	g_live = w;
	if (l2k_stack_open_transport(&w->tr, &o, &cbs, &w->s, NULL, 0) < 0) {
		g_live = NULL;
		free(w);
		return NULL;
	}
	fz_pump(w);
	if (!w->ready) {
		fz_world_free(w);
		return NULL;
	}
	return w;
}

void fz_world_free(struct fz_world *w)
{
	if (!w)
		return;
	l2k_stack_close(w->s);
	g_live = NULL;
	free(w);
}

/* ---- channels ------------------------------------------------------------------------------ */

static void c_open(void *user, l2k_chan *ch)
{
	struct fz_world *w = user;
	for (int i = 0; i < w->nchans; i++)
		if (w->chans[i].ch == ch) {
			struct l2k_chan_info in;
			l2k_chan_get_info(ch, &in);
			w->chans[i].open = true;
			w->chans[i].pending = false;
			w->chans[i].lcid = in.local_cid;
			w->chans[i].mode = in.mode;
		}
}

static void c_recv(void *user, l2k_chan *ch, const uint8_t *sdu, size_t len)
{
	struct fz_world *w = user;
	struct l2k_chan_info in;
	l2k_chan_get_info(ch, &in);
	/* an SDU larger than the MTU we announced must never reach the application */
	FZ_ASSERT(len <= in.local_mtu);
	w->st.sdus_delivered++;
	/* touch every byte so that ASan sees reads of what the engine handed up */
	volatile uint8_t x = 0;
	for (size_t i = 0; i < len; i++)
		x ^= sdu[i];
	(void)x;
}

static void c_closed(void *user, l2k_chan *ch, enum l2k_close_reason reason)
{
	struct fz_world *w = user;
	bool known = false;
	for (int i = 0; i < w->nchans; i++)
		if (w->chans[i].ch == ch) {
			w->chans[i].ch = NULL;
			w->chans[i].open = false;
			known = true;
		}
	/* l2k_chan_connect() must never fail the new channel before it returns (it did once:
	 * reproducer tests/fuzz/regress/mode_ecfc/connect-refused-mode-closes-inside-connect):
	 * closed() inside the call would leave the caller holding a freed channel. */
	FZ_ASSERT(known || !w->connecting);
}

static const struct l2k_chan_cbs chan_cbs_proto = {
    .open = c_open,
    .recv = c_recv,
    .closed = c_closed,
};

static struct fz_chan *chan_slot(struct fz_world *w)
{
	for (int i = 0; i < w->nchans; i++)
		if (!w->chans[i].ch)
			return &w->chans[i];
	if (w->nchans < FZ_MAX_CHANS)
		return &w->chans[w->nchans++];
	return NULL;
}

static int s_accept(void *user, const struct l2k_conn_request *rq, struct l2k_chan_opts *o,
		    struct l2k_chan_cbs *cbs)
{
	struct fz_world *w = user;
	struct fz_chan *fc = chan_slot(w);
	if (!fc)
		return L2K_RESULT_NO_RESOURCES;
	memset(fc, 0, sizeof(*fc));
	fc->ch = rq->chan;
	fc->mode = o->mode;
	fc->handle = rq->handle;
	w->last_accepted = (int)(fc - w->chans);
	*cbs = chan_cbs_proto;
	cbs->user = w;
	if (w->defer) {
		/* decided later by l2k_chan_accept(); closed() must still reach us meanwhile */
		fc->pending = true;
		return L2K_ACCEPT_PENDING;
	}
	return 0;
}

void fz_conf_answer(struct fz_world *w, int count, uint16_t result, const uint8_t *opts, size_t len)
{
	if (len > sizeof(w->conf_opts))
		len = sizeof(w->conf_opts);
	w->conf_answers = count;
	w->conf_result = result;
	if (len)
		memcpy(w->conf_opts, opts, len);
	w->conf_opts_len = len;
}

const enum l2k_mode fz_modes[FZ_NMODES] = {L2K_MODE_BASIC, L2K_MODE_RETRANS, L2K_MODE_FLOWCTL,
					  L2K_MODE_ERTM, L2K_MODE_STREAMING, L2K_MODE_LE_CREDIT,
					  L2K_MODE_ECFC};

void fz_chan_opts(struct l2k_chan_opts *o, enum l2k_mode m)
{
	l2k_chan_opts_default(o);
	o->mode = m;
	o->mode_required = true;
	o->tx_queue_bytes = 8192; /* small queues reach back-pressure quickly */
}

void fz_world_servers(struct fz_world *w)
{
	static const struct {
		enum l2k_mode m;
		uint16_t psm;
		bool le;
	} sv[] = {
	    {L2K_MODE_BASIC, FZ_PSM_BASIC, false},	 {L2K_MODE_RETRANS, FZ_PSM_RETRANS, false},
	    {L2K_MODE_FLOWCTL, FZ_PSM_FLOWCTL, false},	 {L2K_MODE_ERTM, FZ_PSM_ERTM, false},
	    {L2K_MODE_STREAMING, FZ_PSM_STREAMING, false}, {L2K_MODE_ECFC, FZ_PSM_ECFC_BR, false},
	    {L2K_MODE_LE_CREDIT, FZ_SPSM_LE, true},	 {L2K_MODE_ECFC, FZ_SPSM_ECFC, true},
	};
	for (size_t i = 0; i < sizeof(sv) / sizeof(sv[0]); i++) {
		if (!l2k_mode_supported(sv[i].m))
			continue;
		struct l2k_chan_opts o;
		fz_chan_opts(&o, sv[i].m);
		struct l2k_server_cbs cb = {.user = w, .accept = s_accept};
		l2k_server_add(w->s, sv[i].psm, sv[i].le, &o, &cb, NULL);
	}
}

int fz_world_links(struct fz_world *w, bool le_central)
{
	/* BR/EDR: the peer pages us (Connection Request, accepted by the host) */
	uint8_t p[10];
	memcpy(p, w->peer_bredr.b, 6);
	p[6] = 0x0C;
	p[7] = 0x01;
	p[8] = 0x5A;
	p[9] = 0x01;
	fz_inject_event(w, HCI_EV_CONN_REQUEST, p, 10);
	fz_pump(w);
	/* LE: a connection completes with us in the given role */
	w->le_central = le_central;
	le_conn_complete(w, w->peer_le.b, 0, le_central ? 0 : 1);
	fz_pump(w);
	return hci_host_link(w->s->hci, FZ_H_BREDR) && hci_host_link(w->s->hci, FZ_H_LE) ? 0 : -1;
}

static uint16_t psm_for(enum l2k_mode m, bool *le)
{
	*le = false;
	switch (m) {
	case L2K_MODE_BASIC: return FZ_PSM_BASIC;
	case L2K_MODE_RETRANS: return FZ_PSM_RETRANS;
	case L2K_MODE_FLOWCTL: return FZ_PSM_FLOWCTL;
	case L2K_MODE_ERTM: return FZ_PSM_ERTM;
	case L2K_MODE_STREAMING: return FZ_PSM_STREAMING;
	case L2K_MODE_LE_CREDIT: *le = true; return FZ_SPSM_LE;
	case L2K_MODE_ECFC: *le = true; return FZ_SPSM_ECFC;
	}
	return 0;
}

int fz_open_ecfc_group(struct fz_world *w, bool le, int n)
{
	if (!l2k_mode_supported(L2K_MODE_ECFC) || n < 1 || n > 5)
		return -1;
	/* n distinct free slots: empty ones first, then new ones at the end */
	int idx[5], k = 0;
	for (int i = 0; i < w->nchans && k < n; i++)
		if (!w->chans[i].ch)
			idx[k++] = i;
	for (int i = w->nchans; i < FZ_MAX_CHANS && k < n; i++)
		idx[k++] = i;
	if (k < n)
		return -1;
	struct l2k_chan_opts o;
	fz_chan_opts(&o, L2K_MODE_ECFC);
	struct l2k_chan_cbs cb = chan_cbs_proto;
	cb.user = w;
	l2k_chan *ch[5];
	w->connecting = true;
	int r = l2k_chan_connect_ecfc(w->s, le ? &w->peer_le : &w->peer_bredr,
				      le ? L2K_ADDR_LE_PUBLIC : L2K_ADDR_BREDR,
				      le ? FZ_SPSM_ECFC : FZ_PSM_ECFC_BR, n, &o, &cb, ch);
	w->connecting = false;
	if (r < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		struct fz_chan *fc = &w->chans[idx[i]];
		memset(fc, 0, sizeof(*fc));
		fc->ch = ch[i];
		fc->mode = L2K_MODE_ECFC;
		fc->handle = le ? FZ_H_LE : FZ_H_BREDR;
		if (idx[i] >= w->nchans)
			w->nchans = idx[i] + 1;
	}
	l2k_step(w->s); /* the request goes out from the next step */
	fz_pump(w);
	return n;
}

int fz_open(struct fz_world *w, enum l2k_mode m, bool local_initiator)
{
	return fz_open_with(w, m, local_initiator, NULL);
}

int fz_open_with(struct fz_world *w, enum l2k_mode m, bool local_initiator, const struct l2k_chan_opts *opts)
{
	if (!l2k_mode_supported(m))
		return -1;
	bool le;
	uint16_t psm = psm_for(m, &le);
	uint16_t handle = le ? FZ_H_LE : FZ_H_BREDR;
	int idx;
	if (local_initiator) {
		struct fz_chan *fc = chan_slot(w);
		if (!fc)
			return -1;
		memset(fc, 0, sizeof(*fc));
		struct l2k_chan_opts o;
		if (opts)
			o = *opts;
		else
			fz_chan_opts(&o, m);
		struct l2k_chan_cbs cb = chan_cbs_proto;
		cb.user = w;
		l2k_chan *ch;
		w->connecting = true;
		int r = l2k_chan_connect(w->s, le ? &w->peer_le : &w->peer_bredr,
					 le ? L2K_ADDR_LE_PUBLIC : L2K_ADDR_BREDR, psm, &o, &cb, &ch);
		w->connecting = false;
		if (r < 0)
			return -1;
		fc->ch = ch;
		fc->mode = m;
		fc->handle = handle;
		idx = (int)(fc - w->chans);
		l2k_step(w->s); /* the request goes out from the next step, never inside the call */
		fz_pump(w);
	} else {
		w->last_accepted = -1;
		struct fz_peer_chan *p = pch_new(w, handle);
		if (!p)
			return -1;
		uint8_t b[18];
		if (m == L2K_MODE_LE_CREDIT) {
			put_le16(b, psm);
			put_le16(b + 2, p->pcid);
			put_le16(b + 4, 512);
			put_le16(b + 6, 200);
			put_le16(b + 8, 32);
			fz_inject_sig(w, handle, L2CAP_LE_CREDIT_BASED_CONNECTION_REQ, next_ident(w), b, 10);
		} else if (m == L2K_MODE_ECFC) {
			put_le16(b, psm);
			put_le16(b + 2, 512);
			put_le16(b + 4, 200);
			put_le16(b + 6, 32);
			put_le16(b + 8, p->pcid);
			fz_inject_sig(w, handle, L2CAP_CREDIT_BASED_CONNECTION_REQ, next_ident(w), b, 10);
		} else {
			put_le16(b, psm);
			put_le16(b + 2, p->pcid);
			fz_inject_sig(w, handle, L2CAP_CONNECTION_REQ, next_ident(w), b, 4);
		}
		fz_pump(w);
		/* the engine's answer names its CID; find the channel the server accepted */
		idx = w->last_accepted;
		if (idx < 0 || !w->chans[idx].ch)
			return -1;
		if (!p->ecid) {
			/* LE/ECFC: the engine's response carried its CID in the DCID field */
			struct l2k_chan_info in;
			l2k_chan_get_info(w->chans[idx].ch, &in);
			p->ecid = in.local_cid;
		}
	}
	return w->chans[idx].ch && w->chans[idx].open ? idx : -1;
}
