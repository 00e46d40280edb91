/* The lower tester's face: a stack whose L2CAP engine is unplugged (l2k_raw_attach, l2kit.h).
 * The engine object stays allocated (other api/ functions may look at it: it simply knows no
 * link) and is freed with the stack. */
#include <stdlib.h>
#include <string.h>

#include "api/stack_internal.h"
#include "base/bytes.h"
#include "base/hci_defs.h"
#include "core/l2cap_int.h"
#include "hci/hci_host.h"
#include "transport/transport.h"

struct l2k_raw {
	l2k_stack *s;
	struct l2k_upper engine; /* the engine's hooks, for its destruction */
	struct l2k_raw_cbs cbs;
	unsigned flags; /* L2K_RAW_* */
};

struct l2cap_engine *l2k_raw_engine(l2k_stack *s)
{
	return s->raw->engine.ctx;
}

static void raw_acl_rx(void *ctx, uint16_t handle, const uint8_t *pdu, size_t len)
{
	struct l2k_raw *r = ctx;
	if (len < 4)
		return;
	if ((r->flags & L2K_RAW_KEEP_SM) && get_le16(pdu + 2) == L2CAP_CID_SMP) {
		/* LE SMP: the stack's security manager answers (its fixed channel in the engine) */
		struct l2cap_link *l = l2cap_link_get(r->engine.ctx, handle);
		if (l && l->le && r->engine.acl_rx) {
			r->engine.acl_rx(r->engine.ctx, handle, pdu, len);
			return;
		}
	}
	if (!r->cbs.rx)
		return;
	r->cbs.rx(r->cbs.user, handle, get_le16(pdu + 2), pdu + 4, len - 4);
}

/* Like any host: an LE Remote Connection Parameter Request (the peer central changing the
 * parameters, Vol 4 Part E 7.7.65.6) is accepted as asked. */
static void raw_event(void *ctx, const uint8_t *evt, size_t len)
{
	struct l2k_raw *r = ctx;
	if (len >= 2 + 11 && evt[0] == HCI_EV_LE_META && evt[2] == HCI_LE_REMOTE_CONN_PARAM_REQ) {
		uint8_t c[14];
		memcpy(c, evt + 3, 10);
		put_le16(c + 10, 0);
		put_le16(c + 12, 0);
		hci_host_cmd(r->s->hci, HCI_OP_LE_REMOTE_CONN_PARAM_REPLY, c, 14, NULL, NULL);
	}
}

/* L2K_RAW_KEEP_SM: the engine knows the links only to carry its security manager's PDUs (it
 * has no channel on them, so it sends nothing else by itself) */
static void raw_link_up(void *ctx, const struct hci_link_info *li)
{
	struct l2k_raw *r = ctx;
	if (r->engine.link_up)
		r->engine.link_up(r->engine.ctx, li);
}

static void raw_link_down(void *ctx, uint16_t handle, uint8_t reason)
{
	struct l2k_raw *r = ctx;
	if (r->engine.link_down)
		r->engine.link_down(r->engine.ctx, handle, reason);
}

static void raw_acl_tx_room(void *ctx, uint16_t handle)
{
	struct l2k_raw *r = ctx;
	if (r->engine.acl_tx_room) /* the security manager's PDUs the engine queued */
		r->engine.acl_tx_room(r->engine.ctx, handle);
}

static void raw_destroy(void *ctx)
{
	struct l2k_raw *r = ctx;
	if (r->engine.destroy)
		r->engine.destroy(r->engine.ctx);
	r->s->raw = NULL;
	free(r);
}

int l2k_raw_attach(l2k_stack *s, const struct l2k_raw_cbs *cbs)
{
	return l2k_raw_attach_ex(s, cbs, 0);
}

int l2k_raw_attach_ex(l2k_stack *s, const struct l2k_raw_cbs *cbs, unsigned flags)
{
	if (!s || !cbs || (flags & ~(unsigned)L2K_RAW_KEEP_SM))
		return L2K_EINVAL;
	if (s->raw)
		return L2K_EBUSY;
	struct l2k_raw *r = calloc(1, sizeof(*r));
	if (!r)
		return L2K_ENOMEM;
	r->s = s;
	r->engine = s->upper;
	r->cbs = *cbs;
	r->flags = flags;
	s->raw = r;
	s->upper = (struct l2k_upper){
	    .ctx = r,
	    .acl_rx = raw_acl_rx,
	    .event = raw_event,
	    .destroy = raw_destroy,
	};
	if (flags & L2K_RAW_KEEP_SM) {
		s->upper.link_up = raw_link_up;
		s->upper.link_down = raw_link_down;
		s->upper.acl_tx_room = raw_acl_tx_room;
	}
	return 0;
}

int l2k_raw_send(l2k_stack *s, uint16_t handle, uint16_t cid, const uint8_t *payload, size_t len)
{
	if (!s || !s->raw || len > 0xFFFF || (len && !payload))
		return L2K_EINVAL;
	uint8_t hdr[4];
	put_le16(hdr, (uint16_t)len);
	put_le16(hdr + 2, cid);
	struct hci_iov iov[2] = {{hdr, 4}, {payload, len}};
	return hci_host_acl_sendv(s->hci, handle, iov, 2);
}

int l2k_raw_send_acl(l2k_stack *s, uint16_t handle, uint8_t pb, const uint8_t *data, size_t len)
{
	uint8_t b[4 + 1024];
	if (!s || !s->raw || len > 1024 || pb > 3 || handle > 0x0EFF || (len && !data))
		return L2K_EINVAL;
	put_le16(b, (uint16_t)(handle | (pb << 12)));
	put_le16(b + 2, (uint16_t)len);
	if (len)
		memcpy(b + 4, data, len);
	return transport_send(s->tr, HCI_H4_ACL, b, len + 4);
}

int l2k_test_defect(l2k_stack *s, const char *name)
{
	struct l2cap_engine *e = s ? l2cap_engine_of(s) : NULL;
	if (!e || !name)
		return L2K_EINVAL;
	if (!strcmp(name, "wrong-ident"))
		e->defects |= L2CAP_DEFECT_WRONG_IDENT;
	else if (!strcmp(name, "skip-mtu-check"))
		e->defects |= L2CAP_DEFECT_SKIP_MTU_CHECK;
	else
		return L2K_EINVAL;
	return 0;
}
