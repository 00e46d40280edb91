/* Security in the public face: the security manager (sm/) plugged between the HCI host, the
 * L2CAP engine and the application; the key store (the application's, or api/keystore.c); the
 * agent (cbs->agent, or l2k_agent_wait's queue, or the auto_accept options); l2k_pair, bonds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/keystore.h"
#include "api/security.h"
#include "api/sockface_int.h"
#include "api/stack_internal.h"
#include "base/l2k_os.h"
#include "core/l2cap_int.h"
#include "sm/sm.h"

void l2k_security_opts_default(struct l2k_security_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->io_cap = L2K_IO_NO_INPUT_NO_OUTPUT;
	o->min_key_size = 7;
}

/* ---- the security manager's reports ------------------------------------------------------- */

static void queue_ask(l2k_stack *s, const struct l2k_agent_request *req)
{
	struct security *sec = s->sec;
	if (sec->nq == SEC_AGENT_QUEUE) {
		/* nobody reads the questions: refuse rather than let pairing hang */
		sm_agent_reply(s->sm, req->handle, false, 0, NULL, 0);
		return;
	}
	sec->q[(sec->qh + sec->nq++) % SEC_AGENT_QUEUE] = *req;
	security_agent_signal(s);
}

/* The agent's questions: to cbs->agent when the application set one (it answers every question,
 * Just Works included); else Just Works is accepted at once (there is nothing for a person to
 * compare: the application chose Just Works by its IO capability, and refuses it by asking for
 * level 3), the auto_accept options answer the rest, and l2k_agent_wait's queue gets what is
 * left. */
static void on_ask(void *user, const struct l2k_agent_request *req)
{
	l2k_stack *s = user;
	struct security *sec = s->sec;
	if (s->cbs.agent) {
		s->cbs.agent(s->cbs.user, req);
		return;
	}
	if (req->ask == L2K_ASK_JUST_WORKS) {
		sm_agent_reply(s->sm, req->handle, true, 0, NULL, 0);
		return;
	}
	if (sec->opts.auto_accept) {
		const char *pin = sec->opts.pin ? sec->opts.pin : "0000";
		switch (req->ask) {
		case L2K_ASK_PASSKEY_DISPLAY: return;
		case L2K_ASK_PASSKEY_ENTRY: sm_agent_reply(s->sm, req->handle, true, sec->opts.passkey, NULL, 0); return;
		case L2K_ASK_PIN: sm_agent_reply(s->sm, req->handle, true, 0, (const uint8_t *)pin, strlen(pin)); return;
		default: sm_agent_reply(s->sm, req->handle, true, 0, NULL, 0); return;
		}
	}
	/* a passkey to show is queued only for a reader (one waiting in l2k_agent_wait, or one that
	 * took l2k_agent_fd to poll it): nobody answers it, and unread ones would fill the queue */
	if (req->ask != L2K_ASK_PASSKEY_DISPLAY || sec->agent_waiting || sec->fd_r >= 0)
		queue_ask(s, req);
}

static void on_paired(void *user, uint16_t handle, const l2k_addr *peer, enum l2k_addr_type type, int err,
		      const char *why)
{
	l2k_stack *s = user;
	(void)handle;
	if (s->cbs.paired)
		s->cbs.paired(s->cbs.user, peer, type, err, why);
}

static void on_changed(void *user, uint16_t handle, const struct l2k_link_security *ls)
{
	l2k_stack *s = user;
	if (s->cbs.security)
		s->cbs.security(s->cbs.user, handle, ls);
}

static void on_failed(void *user, uint16_t handle, int err, const char *why)
{
	char msg[256];
	snprintf(msg, sizeof(msg), "security, link 0x%03x: %s", handle, why);
	l2k_stack_set_error(user, err, msg);
}

/* ---- what the engine asks (core's narrow security hook) --------------------------------- */

static int eng_status(void *ctx, uint16_t handle, struct l2cap_link_sec *out)
{
	struct l2k_link_security ls;
	int r = sm_link_security(ctx, handle, &ls);
	if (r < 0)
		return r;
	out->level = ls.level;
	out->encrypted = ls.encrypted;
	out->key_too_short = ls.encrypted && ls.level < L2K_SEC_MEDIUM;
	out->key_size = ls.key_size;
	out->authenticated = ls.authenticated;
	out->secure_conn = ls.secure_conn;
	out->has_key = sm_link_has_key(ctx, handle);
	int m4 = sm_link_mode4(ctx, handle);
	out->mode4 = m4 > 0;
	out->mode4_pending = m4 == L2K_EAGAIN;
	return 0;
}

static int eng_raise(void *ctx, uint16_t handle, uint8_t level, void (*done)(void *arg, uint16_t handle, int err),
		     void *arg)
{
	return sm_secure(ctx, handle, level, done, arg);
}

/* ---- opening and closing ------------------------------------------------------------------ */

int security_open(l2k_stack *s, const struct l2k_security_opts *o, char *errbuf, size_t errlen)
{
	struct security *sec = calloc(1, sizeof(*sec));
	if (!sec)
		return L2K_ENOMEM;
	sec->fd_r = sec->fd_w = -1;
	if (o)
		sec->opts = *o;
	else
		l2k_security_opts_default(&sec->opts);
	if (sec->opts.pin)
		sec->opts.pin = NULL; /* not kept past the call: copied below */
	if (o && o->pin) {
		size_t n = strlen(o->pin);
		if (n < 1 || n > 16) {
			free(sec);
			return L2K_EINVAL;
		}
		memcpy(sec->pin, o->pin, n);
		sec->opts.pin = sec->pin;
	}
	sec->opts.key_file = NULL;
	if (o && o->key_store) {
		sec->store = *o->key_store;
	} else {
		int r = keystore_open(o ? o->key_file : NULL, &sec->store, errbuf, errlen);
		if (r < 0) {
			free(sec);
			return r;
		}
		sec->own_store = true;
	}
	sec->opts.key_store = NULL;
	struct sm_config cfg;
	sm_config_default(&cfg);
	cfg.io_cap = sec->opts.io_cap;
	cfg.bondable = !sec->opts.no_bonding;
	cfg.sc_only = sec->opts.sc_only;
	cfg.no_mode4 = sec->opts.no_mode4;
	if (sec->opts.min_key_size)
		cfg.min_key_size = sec->opts.min_key_size;
	cfg.debug_keys = sec->opts.debug_keys;
	struct sm_ops ops = {.user = s, .ask = on_ask, .paired = on_paired, .changed = on_changed, .failed = on_failed};
	s->sm = sm_new(s->hci, l2cap_engine_of(s), &cfg, &sec->store, &ops);
	if (!s->sm) {
		if (sec->own_store)
			keystore_close(&sec->store);
		free(sec);
		return L2K_ENOMEM;
	}
	s->sec = sec;
	struct l2cap_security hook = {.ctx = s->sm, .status = eng_status, .raise = eng_raise};
	l2cap_engine_set_security(l2cap_engine_of(s), &hook);
	return 0;
}

void security_close(l2k_stack *s)
{
	if (!s->sec)
		return;
	sm_free(s->sm);
	s->sm = NULL;
	if (s->sec->own_store)
		keystore_close(&s->sec->store);
	if (s->sec->fd_r >= 0) {
		l2k_os_close(s->sec->fd_r);
		l2k_os_close(s->sec->fd_w);
	}
	free(s->sec);
	s->sec = NULL;
}

/* ---- the public calls --------------------------------------------------------------------- */

int l2k_agent_reply(l2k_stack *s, uint16_t handle, bool accept, uint32_t passkey, const char *pin)
{
	if (!s || !s->sm)
		return L2K_EINVAL;
	security_lock(s);
	int r = sm_agent_reply(s->sm, handle, accept, passkey, (const uint8_t *)pin, pin ? strlen(pin) : 0);
	security_unlock(s);
	return r;
}

int l2k_pair(l2k_stack *s, const l2k_addr *peer, enum l2k_addr_type type)
{
	if (!s || !s->sm || !peer)
		return L2K_EINVAL;
	security_lock(s);
	uint16_t handle;
	int r = l2cap_link_find(l2cap_engine_of(s), peer, type, &handle);
	if (r == 0)
		r = sm_pair(s->sm, handle, security_pair_done, s);
	security_unlock(s);
	return r;
}

int l2k_le_oob_local(l2k_stack *s, uint8_t r[16], uint8_t c[16])
{
	if (!s || !s->sm || !r || !c)
		return L2K_EINVAL;
	security_lock(s);
	int e = sm_le_oob_local(s->sm, r, c);
	security_unlock(s);
	return e;
}

int l2k_le_oob_peer(l2k_stack *s, const l2k_addr *peer, enum l2k_addr_type type, const struct l2k_le_oob *oob)
{
	if (!s || !s->sm || !peer || type == L2K_ADDR_BREDR)
		return L2K_EINVAL;
	security_lock(s);
	int e = sm_le_oob_peer(s->sm, peer, type, oob);
	security_unlock(s);
	return e;
}

int l2k_link_secure(l2k_stack *s, uint16_t handle, uint8_t level,
		    void (*done)(void *user, uint16_t handle, int err), void *user)
{
	if (!s || !s->sm || !done || level < L2K_SEC_LOW || level > L2K_SEC_FIPS)
		return L2K_EINVAL;
	security_lock(s);
	int r = sm_secure(s->sm, handle, level, done, user);
	security_unlock(s);
	return r;
}

int l2k_pairing_caps(l2k_stack *s, enum l2k_io_cap io_cap, uint8_t max_key_size)
{
	if (!s || !s->sm)
		return L2K_EINVAL;
	security_lock(s);
	int r = sm_set_caps(s->sm, io_cap, max_key_size);
	if (r == 0)
		s->sec->opts.io_cap = io_cap;
	security_unlock(s);
	return r;
}

int l2k_link_security(l2k_stack *s, uint16_t handle, struct l2k_link_security *out)
{
	if (!s || !s->sm || !out)
		return L2K_EINVAL;
	security_lock(s);
	int r = sm_link_security(s->sm, handle, out);
	security_unlock(s);
	return r;
}

int l2k_bonds(l2k_stack *s, struct l2k_bond *out, int max)
{
	if (!s || !s->sec || max < 0 || (max && !out))
		return L2K_EINVAL;
	if (!s->sec->store.list)
		return L2K_ENOTSUP;
	security_lock(s);
	int r = s->sec->store.list(s->sec->store.user, out, max);
	security_unlock(s);
	return r;
}

int l2k_bond_remove(l2k_stack *s, const l2k_addr *peer, enum l2k_addr_type type)
{
	if (!s || !s->sec || !peer)
		return L2K_EINVAL;
	security_lock(s);
	int r = s->sec->store.del(s->sec->store.user, peer, type);
	security_unlock(s);
	return r;
}

/* ---- Out of Band data ---------------------------------------------------------------------- */

static bool oob_read_done(void *arg)
{
	l2k_stack *s = arg;
	struct l2k_oob_data d;
	return sm_oob_local_result(s->sm, &d) != L2K_EAGAIN || s->failed;
}

int l2k_oob_local(l2k_stack *s, struct l2k_oob_data *out)
{
	if (!s || !s->sm || !out)
		return L2K_EINVAL;
	const int timeout_ms = 5000; /* a controller answers a command at once, or never */
	security_lock(s);
	int r = sm_oob_local_read(s->sm);
	if (r < 0) {
		security_unlock(s);
		return r;
	}
	if (s->sf && s->sf->running) {
		/* the stack's thread runs it: wait for that thread to bring the answer */
		if (sockface_on_loop_thread(s->sf)) {
			security_unlock(s);
			return L2K_EBUSY; /* from a callback: the answer cannot come while it runs */
		}
		struct timespec dl;
		sockface_deadline(&dl, timeout_ms);
		bool timed_out = false;
		while ((r = sm_oob_local_result(s->sm, out)) == L2K_EAGAIN) {
			int w = sockface_wait_more(s->sf, timeout_ms, &dl, &timed_out, true);
			if (w < 0) {
				r = w;
				break;
			}
		}
		security_unlock(s);
		return r;
	}
	security_unlock(s);
	/* the event face: run the stack here until the controller answers */
	if (s->virtual_clock)
		r = l2k_sim_run_until(&s, 1, (struct l2k_vclock *)s->clock_arg, oob_read_done, s, timeout_ms);
	else
		r = l2k_run_until(&s, 1, oob_read_done, s, timeout_ms);
	if (r < 0)
		return r;
	if (s->failed)
		return s->failed;
	return sm_oob_local_result(s->sm, out);
}

int l2k_oob_remote(l2k_stack *s, const l2k_addr *peer, const struct l2k_oob_data *data)
{
	if (!s || !s->sm || !peer || (data && !data->has_p192 && !data->has_p256))
		return L2K_EINVAL;
	security_lock(s);
	int r = sm_oob_remote(s->sm, peer, data);
	security_unlock(s);
	return r;
}

void security_pair_done(void *arg, uint16_t handle, int err)
{
	/* cbs->paired already told the application (sm ops); nothing else waits here */
	(void)arg;
	(void)handle;
	(void)err;
}

int security_agent_take(l2k_stack *s, struct l2k_agent_request *out)
{
	struct security *sec = s->sec;
	if (!sec || !sec->nq)
		return L2K_EAGAIN;
	*out = sec->q[sec->qh];
	sec->qh = (sec->qh + 1) % SEC_AGENT_QUEUE;
	sec->nq--;
	return 0;
}

/* ---- the agent for the socket face ------------------------------------------------------- */

void security_lock(l2k_stack *s)
{
	l2k_lock(s);
}

void security_unlock(l2k_stack *s)
{
	l2k_unlock(s);
}

static void agent_fd_update(struct security *sec)
{
	if (sec->fd_r < 0)
		return;
	bool want = sec->nq > 0;
	if (want == sec->fd_readable)
		return;
	if (want)
		l2k_os_wake_put(sec->fd_w);
	else
		l2k_os_wake_drain(sec->fd_r);
	sec->fd_readable = want;
}

void security_agent_signal(l2k_stack *s)
{
	agent_fd_update(s->sec);
	if (s->sf)
		sockface_mark(s->sf);
}

int l2k_agent_fd(l2k_stack *s)
{
	if (!s || !s->sec)
		return L2K_EINVAL;
	security_lock(s);
	struct security *sec = s->sec;
	int r = 0;
	if (sec->fd_r < 0)
		r = l2k_os_wake_pair(&sec->fd_r, &sec->fd_w);
	if (r == 0) {
		sec->fd_readable = false;
		agent_fd_update(sec);
		r = sec->fd_r;
	}
	security_unlock(s);
	return r;
}

int l2k_agent_wait(l2k_stack *s, struct l2k_agent_request *out, int timeout_ms)
{
	if (!s || !s->sec || !out)
		return L2K_EINVAL;
	security_lock(s);
	struct security *sec = s->sec;
	struct timespec dl;
	sockface_deadline(&dl, timeout_ms);
	bool timed_out = false;
	int r;
	for (;;) {
		r = security_agent_take(s, out);
		if (r == 0) {
			agent_fd_update(sec);
			break;
		}
		if (!s->sf || !s->sf->running || sockface_on_loop_thread(s->sf)) {
			/* no thread runs the stack (or this is it): nothing can come while we wait */
			r = timeout_ms == 0 ? L2K_EAGAIN : L2K_ENETDOWN;
			break;
		}
		sec->agent_waiting = true;
		r = sockface_wait_more(s->sf, timeout_ms, &dl, &timed_out, false);
		sec->agent_waiting = false;
		if (r < 0)
			break;
	}
	security_unlock(s);
	return r;
}
