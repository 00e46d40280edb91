/* The event face's entry points (<l2kit/l2kit.h>): channels, servers, Echo, fixed channels,
 * connection parameters.  Each hands the call to the L2CAP engine (core/), which never calls
 * back up into these. */
#include "api/stack_internal.h"
#include "core/l2cap_int.h"

const char *l2k_mode_name(enum l2k_mode m)
{
	return l2cap_mode_name(m);
}

int l2k_mode_parse(const char *name, enum l2k_mode *out)
{
	return l2cap_mode_parse(name, out);
}

bool l2k_mode_supported(enum l2k_mode m)
{
	return l2cap_mode_supported(m);
}

const char *l2k_close_reason_str(enum l2k_close_reason r)
{
	return l2cap_close_reason_str(r);
}

void l2k_chan_opts_default(struct l2k_chan_opts *o)
{
	l2cap_chan_opts_default(o);
}

/* ---- channels -------------------------------------------------------------------------------- */

int l2k_chan_connect(l2k_stack *s, const l2k_addr *peer, enum l2k_addr_type type, uint16_t psm,
		     const struct l2k_chan_opts *opts, const struct l2k_chan_cbs *cbs, l2k_chan **out)
{
	return l2cap_chan_connect_group(l2cap_engine_of(s), peer, type, psm, opts, cbs, 0, out);
}

int l2k_chan_connect_ecfc(l2k_stack *s, const l2k_addr *peer, enum l2k_addr_type type, uint16_t psm, int n,
			  const struct l2k_chan_opts *opts, const struct l2k_chan_cbs *cbs, l2k_chan **out)
{
	return l2cap_ecfc_connect_each(l2cap_engine_of(s), peer, type, psm, n, opts, cbs, 1, out);
}

int l2k_chan_reconfigure(l2k_chan **chans, int n, uint16_t mtu, uint16_t mps)
{
	return l2cap_chan_reconfigure(chans, n, mtu, mps);
}

int l2k_chan_send(l2k_chan *ch, const uint8_t *sdu, size_t len)
{
	return l2cap_chan_send(ch, sdu, len);
}

size_t l2k_chan_send_room(const l2k_chan *ch)
{
	return l2cap_chan_send_room(ch);
}

int l2k_chan_close(l2k_chan *ch)
{
	return l2cap_chan_close(ch);
}

int l2k_chan_give_credits(l2k_chan *ch, uint16_t n)
{
	return l2cap_chan_give_credits(ch, n);
}

int l2k_chan_set_busy(l2k_chan *ch, bool busy)
{
	return l2cap_chan_set_busy(ch, busy);
}

int l2k_chan_get_info(const l2k_chan *ch, struct l2k_chan_info *out)
{
	return l2cap_chan_get_info(ch, out);
}

void *l2k_chan_user(const l2k_chan *ch)
{
	return ch->cbs.user;
}

void l2k_chan_set_cbs(l2k_chan *ch, const struct l2k_chan_cbs *cbs)
{
	ch->cbs = *cbs;
}

int l2k_chan_accept(l2k_chan *ch, int result, const struct l2k_chan_cbs *cbs)
{
	return l2cap_chan_accept(ch, result, cbs);
}

/* ---- servers ------------------------------------------------------------------------------- */

int l2k_server_add(l2k_stack *s, uint16_t psm, bool le, const struct l2k_chan_opts *opts,
		   const struct l2k_server_cbs *cbs, l2k_server **out)
{
	return l2cap_server_add(l2cap_engine_of(s), psm, le, opts, cbs, out);
}

void l2k_server_remove(l2k_server *srv)
{
	l2cap_server_remove(srv);
}

/* ---- Echo, fixed channels, connection parameters ------------------------------------------- */

int l2k_echo(l2k_stack *s, const l2k_addr *peer, const uint8_t *data, size_t len, l2k_echo_cb cb, void *user)
{
	return l2cap_echo(l2cap_engine_of(s), peer, data, len, cb, user);
}

int l2k_fixed_bind(l2k_stack *s, uint16_t cid, bool le, uint16_t psm, l2k_fixed_rx_cb cb, void *user)
{
	return l2cap_fixed_bind(l2cap_engine_of(s), cid, le, psm, cb, user);
}

int l2k_fixed_unbind(l2k_stack *s, uint16_t cid, bool le)
{
	return l2cap_fixed_unbind(l2cap_engine_of(s), cid, le);
}

int l2k_fixed_send(l2k_stack *s, uint16_t handle, uint16_t cid, uint16_t psm, const uint8_t *pdu, size_t len)
{
	return l2cap_fixed_send(l2cap_engine_of(s), handle, cid, psm, pdu, len);
}

int l2k_fixed_wait_room(l2k_stack *s, uint16_t handle, l2k_fixed_room_cb cb, void *user)
{
	return l2cap_fixed_wait_room(l2cap_engine_of(s), handle, cb, user);
}

int l2k_le_conn_update(l2k_stack *s, uint16_t handle, uint16_t interval_min, uint16_t interval_max,
		       uint16_t latency, uint16_t timeout)
{
	return l2cap_le_conn_update(l2cap_engine_of(s), handle, interval_min, interval_max, latency, timeout);
}
