/* The record interpreter: the fuzzer's bytes as a sequence of things that can happen to a stack.
 *
 * Each record starts with one op octet; its low 4 bits pick the kind, the high 4 bits are a
 * parameter (usually which channel or link).  Lengths are one octet, or 0xFF followed by a
 * 16-bit little-endian length; every read is clamped to what is left of the input, so any byte
 * string is a valid script.
 *   0-3, 14, 15  data PDU for a channel: L payload (bit 0 of op: append a correct FCS, so that
 *                ERTM/Streaming frames get past the FCS check; bit 1: split into two ACL
 *                fragments at an offset given by one more octet)
 *   4            one signaling command on BR/EDR (hi bit 0) or LE: code, ident, L data
 *   5            a raw C-frame payload (several / truncated commands): L bytes
 *   6            a raw L2CAP PDU: CID(2), L payload (fixed channels, unknown CIDs ...)
 *   7            a raw ACL packet: handle+flags(2), L data (the ACL length field is correct
 *                unless hi bit 2 is set, then it is taken from the next two octets)
 *   8            an HCI event: code, L parameters (length octet correct)
 *   9            virtual time passes: u16 ms x (hi + 1), timers fire
 *   10           the application sends an SDU of u16 % 2048 octets on a channel
 *   11           another application call, picked by hi (close, credits, connect, echo, defer
 *                and later accept or refuse incoming channels, reconfigure enhanced credit
 *                based channels, connect several of them with one request, open a channel
 *                with options of its own while the peer answers its configuration as the
 *                script says, hold reception ...)
 *   12           Number Of Completed Packets for a link: count octet
 *   13           Disconnection Complete for a link, then the link comes back
 * After every record the fake controller completes the ACL packets the host sent (when auto
 * complete is on) and the stack processes everything queued. */
#include <string.h>

#include "core/l2cap_crc16.h"
#include "core/l2cap_defs.h"
#include "base/hci_defs.h"
#include "tests/fuzz/fz.h"

struct rd {
	const uint8_t *p;
	size_t n;
};

static uint8_t u8(struct rd *r)
{
	if (!r->n)
		return 0;
	r->n--;
	return *r->p++;
}

static uint16_t u16(struct rd *r)
{
	uint16_t lo = u8(r);
	return (uint16_t)(lo | (uint16_t)u8(r) << 8);
}

static size_t len_field(struct rd *r)
{
	size_t l = u8(r);
	if (l == 0xFF)
		l = u16(r);
	return l;
}

static const uint8_t *take(struct rd *r, size_t *len)
{
	if (*len > r->n)
		*len = r->n;
	const uint8_t *p = r->p;
	r->p += *len;
	r->n -= *len;
	return p;
}

static struct fz_chan *pick(struct fz_world *w, unsigned sel)
{
	int n = fz_nchans(w);
	if (!n)
		return NULL;
	int t = fz_target(w);
	if (t >= 0 && !(sel & 8))
		return fz_chan(w, t);
	return fz_chan(w, (int)(sel % (unsigned)n));
}

static uint16_t pick_handle(unsigned sel)
{
	return (sel & 1) ? FZ_H_LE : FZ_H_BREDR;
}

static uint8_t g_buf[4 + 65536 + 4];

static void data_pdu(struct fz_world *w, uint8_t op, struct rd *r)
{
	struct fz_chan *c = pick(w, op >> 4);
	size_t len = len_field(r);
	const uint8_t *d = take(r, &len);
	if (!c || !c->lcid)
		return;
	bool fcs = op & 1;
	if (!(op & 2)) {
		fz_inject_pdu(w, c->handle, c->lcid, d, len, fcs);
		return;
	}
	/* two ACL fragments: start and continuation, cut at split */
	size_t total = len + (fcs ? 2 : 0);
	size_t split = (size_t)u8(r) + 1;
	uint8_t *a = g_buf;
	put_le16(a, (uint16_t)total);
	put_le16(a + 2, c->lcid);
	memcpy(a + 4, d, len);
	if (fcs) {
		put_le16(a + 4 + len, l2cap_crc16(a, 4 + len));
	}
	size_t pdu = 4 + total;
	if (split > pdu)
		split = pdu;
	uint8_t f[4 + 1024];
	size_t off = 0;
	int frag = 0;
	while (off < pdu && frag < 64) {
		size_t n = pdu - off < split ? pdu - off : split;
		if (n > 1024)
			n = 1024;
		uint8_t pb = off ? HCI_ACL_PB_CONT : HCI_ACL_PB_START;
		put_le16(f, (uint16_t)(c->handle | pb << 12));
		put_le16(f + 2, (uint16_t)n);
		memcpy(f + 4, a + off, n);
		fz_inject(w, HCI_H4_ACL, f, 4 + n);
		off += n;
		frag++;
	}
}

/* An echo's outcome: an answer (data within what a signaling PDU can carry) or an error,
 * never both. */
static void echo_done(void *user, int err, const uint8_t *data, size_t len, uint32_t rtt_ms)
{
	(void)user;
	(void)rtt_ms;
	FZ_ASSERT(err ? (data == NULL && len == 0) : (len == 0 || data != NULL));
	FZ_ASSERT(len <= 0xFFFF);
	if (len) { /* the whole answer is readable (ASan checks both ends) */
		volatile uint8_t first = data[0], last = data[len - 1];
		(void)first;
		(void)last;
	}
}

static void app_call(struct fz_world *w, uint8_t op, struct rd *r)
{
	l2k_stack *s = fz_stack(w);
	unsigned sub = op >> 4;
	switch (sub) {
	case 0: { /* close a channel */
		struct fz_chan *c = pick(w, u8(r));
		if (c && c->ch)
			l2k_chan_close(c->ch);
		break;
	}
	case 1: { /* give credits (refused unless manual credits) */
		struct fz_chan *c = pick(w, u8(r));
		uint16_t n = u16(r);
		if (c && c->ch)
			l2k_chan_give_credits(c->ch, n);
		break;
	}
	case 2:
	case 3: { /* open one more channel, locally (2) or by the peer (3) */
		enum l2k_mode m = fz_modes[u8(r) % FZ_NMODES];
		fz_open(w, m, sub == 2);
		break;
	}
	case 4: { /* echo request */
		size_t len = len_field(r);
		const uint8_t *d = take(r, &len);
		l2k_echo(s, fz_peer_addr(w, false), d, len, echo_done, NULL);
		break;
	}
	case 5: { /* LE connection parameter update */
		uint16_t a = u16(r), b = u16(r), c = u16(r), d = u16(r);
		l2k_le_conn_update(s, FZ_H_LE, a, b, c, d);
		break;
	}
	case 6: /* the application drops a link */
		l2k_link_disconnect(s, pick_handle(u8(r)), 0);
		break;
	case 7: { /* channel info (reads every field) and send room; with bit 4 of the selector
		   * the application also holds reception (bit 5 set) or releases it */
		uint8_t sel = u8(r);
		struct fz_chan *c = pick(w, sel);
		if (c && c->ch) {
			struct l2k_chan_info in;
			l2k_chan_get_info(c->ch, &in);
			(void)l2k_chan_send_room(c->ch);
			if (sel & 0x10)
				l2k_chan_set_busy(c->ch, (sel & 0x20) != 0);
		}
		break;
	}
	case 8: /* the peer's scripted answers on/off */
		fz_auto_peer(w, !fz_auto_peering(w));
		break;
	case 9: /* automatic completion of sent packets on/off */
		fz_auto_complete(w, !fz_auto_completing(w));
		break;
	case 10: { /* connectionless data (G-frame) to the peer */
		size_t len = len_field(r);
		const uint8_t *d = take(r, &len);
		l2k_fixed_send(s, FZ_H_BREDR, L2CAP_CID_CONNECTIONLESS, 0x1001, d, len);
		break;
	}
	case 11: /* servers defer incoming channels on/off */
		fz_defer_accept(w, !fz_deferring(w));
		break;
	case 12: { /* decide every deferred channel: accept, or refuse */
		uint8_t how = u8(r);
		for (int i = 0; i < fz_nchans(w); i++) {
			struct fz_chan *c = fz_chan(w, i);
			if (c->ch && c->pending) {
				c->pending = false;
				l2k_chan_accept(c->ch, (how >> (i & 7)) & 1 ? L2K_RESULT_NO_RESOURCES : 0, NULL);
			}
		}
		break;
	}
	case 13: { /* reconfigure the open enhanced credit based channels a mask picks */
		uint8_t mask = u8(r);
		uint16_t mtu = u16(r), mps = u16(r);
		l2k_chan *chans[5];
		int n = 0;
		uint16_t handle = 0;
		for (int i = 0; i < fz_nchans(w) && n < 5; i++) {
			struct fz_chan *c = fz_chan(w, i);
			if (!c->ch || !c->open || c->mode != L2K_MODE_ECFC || !((mask >> (i & 7)) & 1))
				continue;
			if (n && c->handle != handle)
				continue; /* one request names channels of one link */
			handle = c->handle;
			chans[n++] = c->ch;
		}
		if (n)
			l2k_chan_reconfigure(chans, n, mtu, mps);
		break;
	}
	case 14: { /* several enhanced credit based channels with one request */
		uint8_t v = u8(r);
		fz_open_ecfc_group(w, (v & 1) != 0, 1 + (v >> 1) % 5);
		break;
	}
	case 15: { /* open a BR/EDR channel with options of its own (v: mode, who opens, how many
		    * of the peer's answers are scripted; f: which options); the peer answers the
		    * next Configuration Requests with a result and options from the script */
		uint8_t v = u8(r), f = u8(r);
		uint16_t txw = u16(r), flush = u16(r), mtu = u16(r), mps = u16(r), result = u16(r);
		size_t len = len_field(r);
		const uint8_t *d = take(r, &len);
		enum l2k_mode m = fz_modes[(v & 7) % FZ_BREDR_CONF_MODES];
		struct l2k_chan_opts o;
		fz_chan_opts(&o, m);
		o.ext_window = f & 1;
		o.fcs = (f & 2) ? 0 : 1;
		o.flow_spec = (uint8_t)(((f >> 2) & 3) % 3);
		o.mode_required = !(f & 0x10);
		if (f & 0x20)
			o.tx_window = txw;
		if (f & 0x40)
			o.flush_timeout = flush;
		if (f & 0x80) {
			o.mtu = mtu;
			o.mps = mps % 2048; /* the window's buffers are tx_window x mps octets */
		}
		fz_conf_answer(w, 1 + (v >> 4), result, d, len);
		fz_open_with(w, m, (v & 8) != 0, &o);
		break;
	}
	default:
		break;
	}
}

void fz_script(struct fz_world *w, const uint8_t *data, size_t size)
{
	struct rd r = {data, size};
	while (r.n) {
		uint8_t op = u8(&r);
		switch (op & 0x0F) {
		case 0:
		case 1:
		case 2:
		case 3:
		case 14:
		case 15:
			data_pdu(w, (uint8_t)(op & 0xF3), &r);
			break;
		case 4: {
			uint8_t code = u8(&r), ident = u8(&r);
			size_t len = len_field(&r);
			const uint8_t *d = take(&r, &len);
			fz_inject_sig(w, pick_handle(op >> 4), code, ident, d, len);
			break;
		}
		case 5: {
			size_t len = len_field(&r);
			const uint8_t *d = take(&r, &len);
			bool le = (op >> 4) & 1;
			fz_inject_pdu(w, pick_handle(op >> 4), le ? L2CAP_CID_LE_SIGNALING : L2CAP_CID_SIGNALING,
				      d, len, false);
			break;
		}
		case 6: {
			uint16_t cid = u16(&r);
			size_t len = len_field(&r);
			const uint8_t *d = take(&r, &len);
			fz_inject_pdu(w, pick_handle(op >> 4), cid, d, len, (op >> 5) & 1);
			break;
		}
		case 7: {
			uint16_t hf = u16(&r);
			unsigned hs = (op >> 4) & 3;
			if (hs < 2)
				hf = (uint16_t)((hf & 0xF000) | pick_handle(hs));
			uint16_t declared = (op >> 6) & 1 ? u16(&r) : 0;
			size_t len = len_field(&r);
			const uint8_t *d = take(&r, &len);
			if (len > 0xFFFF)
				len = 0xFFFF;
			put_le16(g_buf, hf);
			put_le16(g_buf + 2, (op >> 6) & 1 ? declared : (uint16_t)len);
			memcpy(g_buf + 4, d, len);
			fz_inject(w, HCI_H4_ACL, g_buf, 4 + len);
			break;
		}
		case 8: {
			uint8_t code = u8(&r);
			size_t len = u8(&r);
			const uint8_t *d = take(&r, &len);
			fz_inject_event(w, code, d, len);
			break;
		}
		case 9:
			fz_advance(w, (uint64_t)u16(&r) * (1u + (op >> 4)));
			break;
		case 10: {
			struct fz_chan *c = pick(w, op >> 4);
			size_t len = u16(&r) % 2048;
			if (c && c->ch) {
				memset(g_buf, (int)len, len);
				l2k_chan_send(c->ch, g_buf, len);
			}
			break;
		}
		case 11:
			app_call(w, op, &r);
			break;
		case 12: {
			uint8_t p[5] = {1};
			put_le16(p + 1, pick_handle(op >> 4));
			put_le16(p + 3, u8(&r));
			fz_inject_event(w, HCI_EV_NUM_COMPLETED, p, 5);
			break;
		}
		case 13: {
			uint16_t h = pick_handle(op >> 4);
			uint8_t p[4] = {0, (uint8_t)h, (uint8_t)(h >> 8), HCI_ERR_REMOTE_USER_TERM};
			fz_inject_event(w, HCI_EV_DISCONN_COMPLETE, p, 4);
			fz_pump(w);
			if (op & 0x20)
				fz_world_links(w, (op & 0x40) != 0);
			break;
		}
		}
		if (fz_auto_completing(w))
			fz_complete_all(w);
		fz_pump(w);
	}
}
