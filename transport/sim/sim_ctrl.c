/* Simulated controller core: creation, HCI input, command dispatch and flow control, events
 * (with the event masks), the queue towards the host and controller-to-host flow control. */
#include <stdlib.h>
#include <string.h>

#include "base/l2k_error.h"
#include "transport/sim/sim_int.h"

void sim_ctrl_config_init(struct sim_ctrl_config *cfg, enum sim_ctrl_type type)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->type = type;
	cfg->acl_mtu = 1021;
	cfg->acl_count = 8;
	cfg->le_acl_mtu = 251;
	cfg->le_acl_count = 8;
	cfg->le_max_data_len = 251;
	cfg->le_max_conn = 64;
	cfg->rx_count = 16;
	cfg->manufacturer = 0xFFFF;
	cfg->hci_version = 0x0C;
	cfg->enc_key_size = 16;
}

bool sim_ctrl_is_le(const struct sim_ctrl *c)
{
	return c->cfg.type & SIM_TYPE_LE;
}

bool sim_ctrl_is_bredr(const struct sim_ctrl *c)
{
	return c->cfg.type & SIM_TYPE_BREDR;
}

static void set_bit(uint8_t *m, uint16_t bit)
{
	m[bit / 8] |= (uint8_t)(1u << (bit % 8));
}

static void build_features(struct sim_ctrl *c)
{
	memset(c->features, 0, sizeof(c->features));
	memset(c->le_features, 0, sizeof(c->le_features));
	if (sim_ctrl_is_bredr(c)) {
		static const uint16_t br[] = {
			SIM_FEAT_3SLOT,	    SIM_FEAT_5SLOT,	   SIM_FEAT_ROLE_SWITCH,      SIM_FEAT_EDR_ACL_2M,
			SIM_FEAT_EDR_ACL_3M, SIM_FEAT_3SLOT_EDR,   SIM_FEAT_5SLOT_EDR,	      SIM_FEAT_NONFLUSH_PB,
			HCI_FEAT_ENCRYPTION, HCI_FEAT_PAUSE_ENCRYPTION, HCI_FEAT_SSP_CTRL, HCI_FEAT_ENCAPSULATED_PDU,
			HCI_FEAT_EXTENDED_FEATURES};
		for (size_t i = 0; i < sizeof(br) / sizeof(br[0]); i++)
			set_bit(c->features, br[i]);
	} else {
		set_bit(c->features, HCI_FEAT_BREDR_NOT_SUPPORTED);
	}
	if (sim_ctrl_is_le(c)) {
		set_bit(c->features, HCI_FEAT_LE_SUPPORTED_CTRL);
		if (sim_ctrl_is_bredr(c))
			set_bit(c->features, SIM_FEAT_SIMUL_LE_BREDR_CTRL);
		set_bit(c->le_features, HCI_LEFEAT_ENCRYPTION);
		set_bit(c->le_features, HCI_LEFEAT_EXT_REJECT_IND);
		set_bit(c->le_features, SIM_LEFEAT_CONN_PARAM_REQ);
		set_bit(c->le_features, SIM_LEFEAT_PERIPH_FEAT_EXCH);
		set_bit(c->le_features, SIM_LEFEAT_DATA_LEN_EXT);
	}
}

bool sim_ctrl_features_page(const struct sim_ctrl *c, uint8_t page, uint8_t out[8])
{
	memset(out, 0, 8);
	switch (page) {
	case 0: memcpy(out, c->features, 8); return true;
	case 1: /* host features (Vol 2 Part C 3.3, page 1) */
		if (c->ssp_mode)
			set_bit(out, HCI_FEAT1_SSP_HOST);
		if (c->le_host)
			set_bit(out, HCI_FEAT1_LE_HOST);
		if (c->le_simul)
			set_bit(out, HCI_FEAT1_SIMUL_LE_BREDR_HOST);
		if (c->sc_host)
			set_bit(out, HCI_FEAT1_SC_HOST);
		return true;
	case 2: set_bit(out, HCI_FEAT2_SC_CTRL); return true;
	default: return false;
	}
}

/* Power-on / HCI Reset values (Vol 4 Part E 7.3.1, 7.3.16, 7.8.1, 7.8.5, 7.8.10 ...). */
static void defaults(struct sim_ctrl *c)
{
	c->event_mask = SIM_EVMASK_DEFAULT;
	c->event_mask2 = 0;
	c->le_event_mask = SIM_LE_EVMASK_DEFAULT;
	c->scan_enable = 0;
	c->page_timeout = 0x2000;
	memset(c->cod, 0, sizeof(c->cod));
	c->ssp_mode = c->le_host = c->le_simul = c->sc_host = 0;
	c->fc_enable = 0;
	c->host_acl_len = c->host_acl_total = 0;
	c->host_acl_used = 0;
	c->cmd_credits = 1;
	sim_le_reset(c);
	sim_inq_reset(c);
}

static int pool_init(struct sim_pool *p, uint16_t mtu, uint16_t count)
{
	memset(p, 0, sizeof(*p));
	p->mtu = mtu;
	p->count = count;
	p->nfree = count;
	p->mem = malloc((size_t)mtu * count);
	p->slots = calloc(count, sizeof(*p->slots));
	p->free = malloc(sizeof(uint16_t) * count);
	if (!p->mem || !p->slots || !p->free)
		return L2K_ENOMEM;
	for (uint16_t i = 0; i < count; i++) {
		p->slots[i].data = p->mem + (size_t)i * mtu;
		p->free[i] = (uint16_t)(count - 1 - i);
	}
	return 0;
}

static void pool_free(struct sim_pool *p)
{
	free(p->mem);
	free(p->slots);
	free(p->free);
	memset(p, 0, sizeof(*p));
}

struct sim_pool *sim_ctrl_pool(struct sim_ctrl *c, enum sim_link_kind kind)
{
	if (kind == SIM_LINK_LE && c->cfg.le_acl_count)
		return &c->pool_le;
	return &c->pool_br;
}

static int check_config(const struct sim_ctrl_config *g)
{
	if (g->type != SIM_TYPE_BREDR && g->type != SIM_TYPE_LE && g->type != SIM_TYPE_DUAL)
		return L2K_EINVAL;
	if (g->acl_mtu < 27 || g->acl_count < 1 || g->rx_count < 1 || g->rx_count > 4096)
		return L2K_EINVAL;
	if (g->le_acl_count && g->le_acl_mtu < 27)
		return L2K_EINVAL;
	if (g->le_max_data_len < 27 || g->le_max_data_len > 251 || g->le_max_conn < 1)
		return L2K_EINVAL;
	if (g->enc_key_size < 1 || g->enc_key_size > 16 || g->vendor >= SIM_VENDOR_COUNT)
		return L2K_EINVAL;
	/* keep one controller's buffers below 64 MiB */
	if ((uint64_t)g->acl_mtu * g->acl_count + (uint64_t)g->le_acl_mtu * g->le_acl_count > (64u << 20))
		return L2K_EINVAL;
	return 0;
}

int sim_ctrl_new(struct sim_air *air, const struct sim_ctrl_config *cfg, struct sim_ctrl **out)
{
	int r = check_config(cfg);
	if (r < 0)
		return r;
	if (cfg->addr_set && sim_air_ctrl_by_addr(air, &cfg->addr))
		return L2K_EADDRINUSE;
	struct sim_ctrl *c = calloc(1, sizeof(*c));
	if (!c)
		return L2K_ENOMEM;
	c->cfg = *cfg;
	if (!sim_ctrl_is_le(c))
		c->cfg.le_acl_count = 0;
	size_t chunk = sim_ctrl_is_bredr(c) ? SIM_AIR_CHUNK_MAX : 251;
	c->hold_cap = (size_t)cfg->rx_count * chunk;
	r = pool_init(&c->pool_br, cfg->acl_mtu, cfg->acl_count);
	if (!r && c->cfg.le_acl_count)
		r = pool_init(&c->pool_le, cfg->le_acl_mtu, c->cfg.le_acl_count);
	if (!r)
		r = ring_init(&c->hold, c->hold_cap + (size_t)cfg->rx_count * 8 + 16);
	if (!r)
		r = ring_init(&c->outq, SIM_OUTQ_BYTES);
	if (r) {
		pool_free(&c->pool_br);
		pool_free(&c->pool_le);
		ring_free(&c->hold);
		ring_free(&c->outq);
		free(c);
		return r;
	}
	if (cfg->addr_set) {
		c->addr = cfg->addr;
	} else {
		/* 00:AA:01:NN:NN:NN, the first free number on this air */
		hci_bdaddr_t a;
		do {
			uint32_t n = air->next_addr++;
			a.b[0] = (uint8_t)n;
			a.b[1] = (uint8_t)(n >> 8);
			a.b[2] = (uint8_t)(n >> 16);
			a.b[3] = 0x01;
			a.b[4] = 0xAA;
			a.b[5] = 0x00;
		} while (sim_air_ctrl_by_addr(air, &a));
		c->addr = a;
	}
	c->air = air;
	sim_air_ref(air);
	c->id = ++air->next_ctrl_id;
	c->next_handle = 0x0001;
	for (int t = 0; t < CT_COUNT; t++)
		c->tmr[t] = SIM_NEVER;
	sim_cmd_bitmap((uint8_t)c->cfg.type, c->commands);
	build_features(c);
	defaults(c);
	struct sim_ctrl **pp = &air->ctrls;
	while (*pp)
		pp = &(*pp)->next;
	*pp = c;
	*out = c;
	return 0;
}

/* Drop every link of c; peers hear reason peer_reason, c itself nothing. */
static void drop_links(struct sim_ctrl *c, uint8_t peer_reason)
{
	sim_bredr_ctrl_gone(c);
	sim_le_ctrl_gone(c);
	struct sim_link *l = c->air->links;
	while (l) {
		struct sim_link *next = l->next;
		int e = sim_link_end_of(l, c);
		if (e >= 0)
			sim_link_close(l, e == 0 ? 0xFF : peer_reason, e == 1 ? 0xFF : peer_reason);
		l = next;
	}
}

void sim_ctrl_free(struct sim_ctrl *c)
{
	if (!c)
		return;
	struct sim_air *air = c->air;
	drop_links(c, HCI_ERR_REMOTE_POWER_OFF);
	for (struct sim_ctrl **pp = &air->ctrls; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	pool_free(&c->pool_br);
	pool_free(&c->pool_le);
	ring_free(&c->hold);
	ring_free(&c->outq);
	sim_sec_ctrl_reset(c);
	free(c);
	sim_air_close(air);
}

void sim_ctrl_get_address(const struct sim_ctrl *c, hci_bdaddr_t *out)
{
	*out = c->addr;
}

struct sim_air *sim_ctrl_air(const struct sim_ctrl *c)
{
	return c->air;
}

void sim_ctrl_get_stats(const struct sim_ctrl *c, struct sim_ctrl_stats *out)
{
	*out = c->st;
}

uint16_t sim_ctrl_alloc_handle(struct sim_ctrl *c)
{
	for (int tries = 0; tries < HCI_MAX_HANDLE + 1; tries++) {
		uint16_t h = c->next_handle;
		c->next_handle = h >= HCI_MAX_HANDLE ? 1 : (uint16_t)(h + 1);
		bool used = false;
		for (struct sim_link *l = c->air->links; l && !used; l = l->next)
			for (int i = 0; i < 2; i++)
				if (l->end[i] == c && l->handle[i] == h)
					used = true;
		if (!used)
			return h;
	}
	return SIM_NONE;
}

struct sim_link *sim_ctrl_link(const struct sim_ctrl *c, uint16_t handle, int *end)
{
	for (struct sim_link *l = c->air->links; l; l = l->next) {
		if (l->state != LS_OPEN && l->state != LS_CLOSING)
			continue;
		for (int i = 0; i < 2; i++)
			if (l->end[i] == c && l->handle[i] == handle) {
				if (end)
					*end = i;
				return l;
			}
	}
	return NULL;
}

int sim_ctrl_link_stats(const struct sim_ctrl *c, uint16_t handle, struct sim_link_stats *out)
{
	int e;
	struct sim_link *l = sim_ctrl_link(c, handle, &e);
	if (!l)
		return L2K_ENOLINK;
	const struct sim_link_stats *s = &l->st;
	int o = 1 - e;
	out->pdus[0] = s->pdus[e], out->pdus[1] = s->pdus[o];
	out->air_packets[0] = s->air_packets[e], out->air_packets[1] = s->air_packets[o];
	out->bytes[0] = s->bytes[e], out->bytes[1] = s->bytes[o];
	out->pdus_dropped[0] = s->pdus_dropped[e], out->pdus_dropped[1] = s->pdus_dropped[o];
	out->packets_corrupted[0] = s->packets_corrupted[e];
	out->packets_corrupted[1] = s->packets_corrupted[o];
	return 0;
}

/* --- output towards the host ------------------------------------------------------------- */

static void out_push(struct sim_ctrl *c, uint8_t type, uint8_t flags, const uint8_t *pkt, size_t n)
{
	uint8_t h[2] = {type, flags};
	if (ring_push2(&c->outq, h, 2, pkt, n) < 0) {
		c->st.events_dropped++;
		if (flags & OUT_CREDIT)
			c->cmd_credits = 1; /* never lose the credit, even when the host stalls */
		return;
	}
	if (type == HCI_H4_EVT)
		c->st.events++;
}

bool sim_event_enabled(const struct sim_ctrl *c, uint8_t code, uint8_t sub)
{
	switch (code) {
	case HCI_EV_CMD_COMPLETE:
	case HCI_EV_CMD_STATUS:
	case HCI_EV_NUM_COMPLETED:
	case HCI_EV_VENDOR: /* no mask covers vendor events */
		return true;
	case HCI_EV_LE_META:
		return (c->event_mask >> SIM_EVMASK_LE_META) & 1u && sub >= 1 && sub <= 64 &&
		       (c->le_event_mask >> (sub - 1)) & 1u;
	default:
		/* codes 0x01..0x3F: Set Event Mask; 0x40..0x7F: Set Event Mask Page 2 */
		if (code >= 0x01 && code <= 0x3F)
			return (c->event_mask >> HCI_EVMASK_BIT(code)) & 1u;
		if (code >= 0x40 && code <= 0x7F)
			return (c->event_mask2 >> HCI_EVMASK2_BIT(code)) & 1u;
		return false;
	}
}

void sim_event(struct sim_ctrl *c, uint8_t code, const uint8_t *p, size_t n)
{
	uint8_t pkt[2 + HCI_MAX_EVT_PARAM];
	if (n > HCI_MAX_EVT_PARAM)
		return;
	if (!sim_event_enabled(c, code, n ? p[0] : 0)) {
		c->st.events_masked++;
		return;
	}
	pkt[0] = code;
	pkt[1] = (uint8_t)n;
	if (n)
		memcpy(pkt + 2, p, n);
	out_push(c, HCI_H4_EVT, 0, pkt, n + 2);
}

void sim_le_event(struct sim_ctrl *c, uint8_t sub, const uint8_t *p, size_t n)
{
	uint8_t b[HCI_MAX_EVT_PARAM];
	if (n + 1 > sizeof(b))
		return;
	b[0] = sub;
	memcpy(b + 1, p, n);
	sim_event(c, HCI_EV_LE_META, b, n + 1);
}

void sim_cmd_complete(struct sim_ctrl *c, uint16_t op, const uint8_t *ret, size_t n)
{
	uint8_t pkt[2 + HCI_MAX_EVT_PARAM];
	if (n + 3 > HCI_MAX_EVT_PARAM)
		n = HCI_MAX_EVT_PARAM - 3;
	pkt[0] = HCI_EV_CMD_COMPLETE;
	pkt[1] = (uint8_t)(3 + n);
	pkt[2] = 1; /* Num_HCI_Command_Packets */
	put_le16(pkt + 3, op);
	if (n)
		memcpy(pkt + 5, ret, n);
	out_push(c, HCI_H4_EVT, c->answered ? 0 : OUT_CREDIT, pkt, 5 + n);
	c->answered = true;
}

void sim_cc_status(struct sim_ctrl *c, uint16_t op, uint8_t status)
{
	sim_cmd_complete(c, op, &status, 1);
}

void sim_cmd_status(struct sim_ctrl *c, uint16_t op, uint8_t status)
{
	uint8_t pkt[6] = {HCI_EV_CMD_STATUS, 4, status, 1, 0, 0};
	put_le16(pkt + 4, op);
	out_push(c, HCI_H4_EVT, c->answered ? 0 : OUT_CREDIT, pkt, sizeof(pkt));
	c->answered = true;
}

uint16_t sim_ctrl_rx_frag(const struct sim_ctrl *c, enum sim_link_kind kind)
{
	uint16_t own = (kind == SIM_LINK_LE && c->cfg.le_acl_count) ? c->cfg.le_acl_mtu : c->cfg.acl_mtu;
	if (c->host_acl_len && c->host_acl_len < own)
		own = c->host_acl_len;
	return own ? own : 1;
}

static bool host_fc_blocked(const struct sim_ctrl *c)
{
	return (c->fc_enable & 0x01) && c->host_acl_total && c->host_acl_used >= c->host_acl_total;
}

void sim_ctrl_pump(struct sim_ctrl *c)
{
	bool freed = false;
	while (c->hold.count) {
		uint8_t *rec = c->scratch;
		size_t len = ring_peek_copy(&c->hold, rec, sizeof(c->scratch));
		if (len < 3 || len > sizeof(c->scratch)) { /* cannot happen; do not spin on it */
			ring_pop(&c->hold);
			continue;
		}
		uint16_t handle = get_le16(rec);
		bool start = rec[2] != 0;
		const uint8_t *data = rec + 3;
		size_t dlen = len - 3;
		int e = -1;
		struct sim_link *l = sim_ctrl_link(c, handle, &e);
		enum sim_link_kind kind = l ? l->kind : SIM_LINK_BREDR;
		size_t frag = sim_ctrl_rx_frag(c, kind);
		while (l && c->hold_off < dlen) {
			if (host_fc_blocked(c))
				goto out;
			size_t n = dlen - c->hold_off < frag ? dlen - c->hold_off : frag;
			if (c->outq.limit - c->outq.used < n + 12 + SIM_EVENT_RESERVE)
				goto out;
			uint8_t pkt[HCI_ACL_HDR + SIM_AIR_CHUNK_MAX];
			uint8_t pb = (start && c->hold_off == 0) ? HCI_ACL_PB_START : HCI_ACL_PB_CONT;
			put_le16(pkt, (uint16_t)(handle | (pb << 12)));
			put_le16(pkt + 2, (uint16_t)n);
			memcpy(pkt + 4, data + c->hold_off, n);
			out_push(c, HCI_H4_ACL, 0, pkt, HCI_ACL_HDR + n);
			if (c->fc_enable & 0x01) {
				c->host_acl_used++;
				l->host_out[e]++;
			}
			c->hold_off += n;
		}
		ring_pop(&c->hold);
		c->hold_bytes -= dlen;
		c->hold_off = 0;
		freed = true;
	}
out:
	if (freed)
		sim_ctrl_kick_links(c);
}

size_t sim_ctrl_pop(struct sim_ctrl *c, uint8_t *type, uint8_t *buf, size_t cap)
{
	if (c->air->frozen)
		return 0;
	uint8_t rec[2 + SIM_PKT_MAX];
	size_t len = ring_peek_copy(&c->outq, rec, sizeof(rec));
	if (len < 2)
		return 0;
	ring_pop(&c->outq);
	if (rec[1] & OUT_CREDIT)
		c->cmd_credits = 1;
	*type = rec[0];
	if (rec[0] == HCI_H4_ACL)
		c->st.acl_out++;
	len -= 2;
	if (len > cap)
		len = cap;
	memcpy(buf, rec + 2, len);
	sim_ctrl_pump(c);
	return len;
}

size_t sim_ctrl_output_count(const struct sim_ctrl *c)
{
	return c->air->frozen ? 0 : c->outq.count;
}

bool sim_ctrl_has_output(const struct sim_ctrl *c)
{
	return !c->air->frozen && c->outq.count > 0;
}

size_t sim_ctrl_deliver(struct sim_ctrl *c, size_t max, sim_out_fn fn, void *user)
{
	uint8_t buf[SIM_PKT_MAX];
	size_t n = 0, limit = max ? max : c->outq.count;
	while (n < limit) {
		uint8_t type;
		size_t len = sim_ctrl_pop(c, &type, buf, sizeof(buf));
		if (!len)
			break;
		n++;
		if (fn)
			fn(user, type, buf, len);
	}
	return n;
}

/* --- input from the host ----------------------------------------------------------------- */

void sim_ctrl_reset(struct sim_ctrl *c)
{
	drop_links(c, HCI_ERR_REMOTE_POWER_OFF);
	ring_clear(&c->hold);
	c->hold_off = c->hold_bytes = 0;
	c->hold_reserved = 0;
	c->hold_reserved_n = 0;
	ring_clear(&c->outq);
	for (int t = 0; t < CT_COUNT; t++)
		c->tmr[t] = SIM_NEVER;
	sim_sec_ctrl_reset(c);
	defaults(c);
	sim_vendor_reset(c);
}

/* Host Number Of Completed Packets (Vol 4 Part E 7.3.40): needs no command credit and gets no
 * event unless it is malformed. */
static void host_completed(struct sim_ctrl *c, const uint8_t *p, size_t n)
{
	if (n < 1 || n != 1u + 4u * p[0]) {
		uint8_t pkt[6] = {HCI_EV_CMD_COMPLETE, 4, 1, 0, 0, HCI_ERR_INVALID_PARAMS};
		put_le16(pkt + 3, HCI_OP_HOST_NUM_COMPLETED);
		out_push(c, HCI_H4_EVT, 0, pkt, sizeof(pkt));
		return;
	}
	if (!(c->fc_enable & 0x01))
		return; /* ignored while flow control is off */
	for (unsigned i = 0; i < p[0]; i++) {
		uint16_t h = get_le16(p + 1 + 4 * i) & 0x0FFF;
		uint16_t k = get_le16(p + 3 + 4 * i);
		int e;
		struct sim_link *l = sim_ctrl_link(c, h, &e);
		if (!l)
			continue;
		if (k > l->host_out[e])
			k = (uint16_t)l->host_out[e];
		l->host_out[e] -= k;
		c->host_acl_used -= k;
	}
	sim_ctrl_pump(c);
}

static void command(struct sim_ctrl *c, const uint8_t *pkt, size_t len)
{
	uint16_t op = get_le16(pkt);
	const uint8_t *p = pkt + HCI_CMD_HDR;
	size_t n = len - HCI_CMD_HDR;
	c->st.cmds++;
	if (op == HCI_OP_HOST_NUM_COMPLETED && sim_cmd_find(op, (uint8_t)c->cfg.type)) {
		host_completed(c, p, n);
		return;
	}
	if (!c->cmd_credits) {
		/* The host ignored Num_HCI_Command_Packets: a controller with one command buffer
		 * loses the command.  Say so loudly. */
		uint8_t code = SIM_HWERR_CMD_OVERRUN;
		c->st.cmd_overruns++;
		sim_event(c, HCI_EV_HARDWARE_ERROR, &code, 1);
		return;
	}
	c->cmd_credits = 0;
	c->answered = false;
	const struct sim_cmd *e = sim_cmd_find(op, (uint8_t)c->cfg.type);
	if (c->cfg.vendor && sim_vendor_command(c, op, p, n)) {
		/* answered by the personality */
	} else if (!e) {
		c->st.cmds_unknown++;
		sim_cmd_status(c, op, HCI_ERR_UNKNOWN_COMMAND);
	} else if (e->plen >= 0 && n != (size_t)e->plen) {
		if (e->kind == CMD_CS)
			sim_cmd_status(c, op, HCI_ERR_INVALID_PARAMS);
		else
			sim_cc_status(c, op, HCI_ERR_INVALID_PARAMS);
	} else {
		e->fn(c, op, p, n);
	}
	if (!c->answered)
		c->cmd_credits = 1;
}

int sim_ctrl_feed(struct sim_ctrl *c, uint8_t type, const uint8_t *pkt, size_t len)
{
	if (c->air->frozen && (type == HCI_H4_CMD || type == HCI_H4_ACL)) {
		c->st.frozen_drops++;
		return 0;
	}
	if (type == HCI_H4_CMD) {
		if (!pkt || len < HCI_CMD_HDR || pkt[2] != len - HCI_CMD_HDR)
			return L2K_EBADMSG;
		command(c, pkt, len);
		return 0;
	}
	if (type == HCI_H4_ACL) {
		if (!pkt || len < HCI_ACL_HDR || get_le16(pkt + 2) != len - HCI_ACL_HDR)
			return L2K_EBADMSG;
		sim_acl_from_host(c, pkt, len);
		return 0;
	}
	return L2K_ENOTSUP;
}

void sim_ctrl_fire(struct sim_ctrl *c, enum sim_ctrl_timer t)
{
	switch (t) {
	case CT_ADV: sim_le_adv_event(c); break;
	case CT_NOCP: sim_link_flush_nocp(c); break;
	case CT_INQ: sim_inq_step(c); break;
	case CT_INQ_END: sim_inq_end(c); break;
	case CT_NAME: sim_name_fire(c); break;
	default: break;
	}
}
