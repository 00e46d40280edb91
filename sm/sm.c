/* The security manager's common part: links and their security, levels, the callers waiting
 * for a level, the agent, and the routing of HCI events and SMP PDUs to the BR/EDR (bredr.c)
 * and LE (smp.c) halves. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "core/l2cap_int.h"
#include "sm/sm_int.h"

void sm_config_default(struct sm_config *c)
{
	memset(c, 0, sizeof(*c));
	c->io_cap = L2K_IO_NO_INPUT_NO_OUTPUT;
	c->bondable = true;
	c->min_key_size = 7;
	c->max_key_size = 16;
	c->smp_timeout_ms = 30000;
	c->max_attempts = 3;
}

/* ---- links ----------------------------------------------------------------------------------- */

struct sm_link *sm_link_of(struct sm *sm, uint16_t handle)
{
	for (int i = 0; i < SM_MAX_LINKS; i++)
		if (sm->links[i].used && sm->links[i].handle == handle)
			return &sm->links[i];
	return NULL;
}

struct sm_link *sm_link_by_addr(struct sm *sm, const uint8_t addr[6])
{
	for (int i = 0; i < SM_MAX_LINKS; i++)
		if (sm->links[i].used && !sm->links[i].le && !memcmp(sm->links[i].peer.b, addr, 6))
			return &sm->links[i];
	return NULL;
}

void sm_update_level(struct sm *sm, struct sm_link *l)
{
	struct l2k_link_security *s = &l->sec;
	uint8_t level = 1;
	if (s->encrypted && s->key_size >= sm->cfg.min_key_size) {
		level = s->authenticated ? 3 : 2;
		if (level == 3 && s->secure_conn && s->key_size == 16)
			level = 4;
	}
	s->level = level;
}

static void call_waiters(struct sm *sm, struct sm_link *l, bool (*pick)(const struct sm_waiter *, const struct sm_link *),
			 int err)
{
	/* take the chosen ones off first: a callback may add waiters or end the link */
	struct sm_waiter done[SM_MAX_WAITERS];
	int n = 0, keep = 0;
	uint16_t handle = l->handle;
	for (int i = 0; i < l->nwaiters; i++) {
		if (pick(&l->waiters[i], l))
			done[n++] = l->waiters[i];
		else
			l->waiters[keep++] = l->waiters[i];
	}
	l->nwaiters = keep;
	for (int i = 0; i < n; i++)
		done[i].done(done[i].arg, handle, err);
	(void)sm;
}

static bool reached(const struct sm_waiter *w, const struct sm_link *l)
{
	/* a caller of level 1 on an unencrypted link whose peer's Simple Pairing support is being
	 * read waits for it: whether level 1 is enough depends on it (Security Mode 4) */
	if (l->peer_ssp == SM_SSP_READING && l->sec.level < L2K_SEC_MEDIUM)
		return false;
	return w->level && l->sec.level >= w->level;
}

static bool any(const struct sm_waiter *w, const struct sm_link *l)
{
	(void)w;
	(void)l;
	return true;
}

static bool pairers(const struct sm_waiter *w, const struct sm_link *l)
{
	(void)l;
	return w->level == 0;
}

static uint8_t wanted(const struct sm_link *l)
{
	uint8_t want = 0;
	for (int i = 0; i < l->nwaiters; i++)
		if (l->waiters[i].level > want)
			want = l->waiters[i].level;
	return want;
}

static void proceed(struct sm *sm, struct sm_link *l)
{
	if (l->busy)
		return;
	l->want_level = wanted(l);
	if (l->want_level <= l->sec.level && !l->pairing)
		return;
	if (l->le)
		smp_start(sm, l);
	else
		sm_bredr_start(sm, l);
}

void sm_proceed(struct sm *sm, struct sm_link *l)
{
	proceed(sm, l);
}

void sm_peer_ssp_known(struct sm *sm, struct sm_link *l, bool ssp)
{
	l->peer_ssp = ssp ? SM_SSP_YES : SM_SSP_NO;
	l->br.feat_deadline = 0; /* (feat_seq stays until the Command Status of the read) */
	l->br.feat_retry_at = 0;
	call_waiters(sm, l, reached, 0);
	if (l->used)
		proceed(sm, l);
}

void sm_security_changed(struct sm *sm, struct sm_link *l)
{
	sm_update_level(sm, l);
	if (sm->ops.changed)
		sm->ops.changed(sm->ops.user, l->handle, &l->sec);
	if (!l->used)
		return;
	call_waiters(sm, l, reached, 0);
	if (l->used)
		proceed(sm, l);
}

void sm_fail_waiters(struct sm *sm, struct sm_link *l, int err)
{
	l->busy = false;
	call_waiters(sm, l, any, err);
}

void sm_pairing_done(struct sm *sm, struct sm_link *l, int err, const char *why)
{
	l->pairing = false;
	if (sm->ops.paired)
		sm->ops.paired(sm->ops.user, l->handle, &l->id_addr, l->id_type, err, why);
	if (!l->used)
		return;
	call_waiters(sm, l, pairers, err);
	if (err < 0 && l->used)
		sm_fail_waiters(sm, l, err);
}

void sm_ask(struct sm *sm, struct sm_link *l, enum l2k_agent_ask ask, uint32_t value)
{
	l->asking = ask != L2K_ASK_PASSKEY_DISPLAY;
	memset(&l->ask, 0, sizeof(l->ask));
	l->ask.handle = l->handle;
	l->ask.peer = l->id_addr;
	l->ask.peer_type = l->id_type;
	l->ask.ask = ask;
	l->ask.value = value;
	if (sm->ops.ask)
		sm->ops.ask(sm->ops.user, &l->ask);
}

/* ---- the manager ---------------------------------------------------------------------------- */

static void kick_fire(struct timer *t, uint64_t now)
{
	struct sm *sm = (struct sm *)((char *)t - offsetof(struct sm, kick));
	(void)now;
	for (int i = 0; i < SM_MAX_LINKS; i++)
		if (sm->links[i].used && sm->links[i].nwaiters)
			call_waiters(sm, &sm->links[i], reached, 0);
}

static void smp_fixed_rx(void *user, uint16_t handle, const uint8_t *pdu, size_t len)
{
	struct sm *sm = user;
	struct sm_link *l = sm_link_of(sm, handle);
	if (l && l->le)
		smp_rx(sm, l, pdu, len);
}

struct sm *sm_new(struct hci_host *hci, struct l2cap_engine *eng, const struct sm_config *cfg,
		  const struct l2k_key_store *store, const struct sm_ops *ops)
{
	struct sm *sm = calloc(1, sizeof(*sm));
	if (!sm)
		return NULL;
	sm->hci = hci;
	sm->eng = eng;
	if (cfg)
		sm->cfg = *cfg;
	else
		sm_config_default(&sm->cfg);
	if (sm->cfg.min_key_size < 7 || sm->cfg.min_key_size > 16)
		sm->cfg.min_key_size = 7;
	if (sm->cfg.max_key_size < 7 || sm->cfg.max_key_size > 16)
		sm->cfg.max_key_size = 16;
	if (!sm->cfg.smp_timeout_ms)
		sm->cfg.smp_timeout_ms = 30000;
	if (store)
		sm->store = *store;
	if (ops)
		sm->ops = *ops;
	timers_init(&sm->timers);
	sm->kick.fire = kick_fire;
	if (eng && l2cap_fixed_bind(eng, L2CAP_CID_SMP, true, 0, smp_fixed_rx, sm) < 0) {
		timers_free(&sm->timers);
		free(sm);
		return NULL;
	}
	return sm;
}

void sm_free(struct sm *sm)
{
	if (!sm)
		return;
	for (int i = 0; i < SM_MAX_LINKS; i++)
		if (sm->links[i].used)
			sm_link_down(sm, sm->links[i].handle, HCI_ERR_LOCAL_HOST_TERM);
	if (sm->eng)
		l2cap_fixed_unbind(sm->eng, L2CAP_CID_SMP, true);
	smp_free(sm);
	timers_free(&sm->timers);
	free(sm);
}

void sm_hci_event(struct sm *sm, const uint8_t *evt, size_t len)
{
	if (len < 2 || (size_t)evt[1] + 2 > len)
		return;
	uint8_t code = evt[0];
	const uint8_t *p = evt + 2;
	size_t plen = evt[1];
	/* LE links' encryption events and the LE Long Term Key Request go to SMP, the rest to BR/EDR */
	if (!smp_event(sm, code, p, plen))
		sm_bredr_event(sm, code, p, plen);
}

void sm_link_up(struct sm *sm, const struct hci_link_info *li)
{
	struct sm_link *l = NULL;
	for (int i = 0; i < SM_MAX_LINKS && !l; i++)
		if (!sm->links[i].used)
			l = &sm->links[i];
	if (!l)
		return; /* the HCI host has the same bound */
	memset(l, 0, sizeof(*l));
	l->used = true;
	l->handle = li->handle;
	l->le = li->type == HCI_LINK_LE;
	l->role = li->role;
	memcpy(l->peer.b, li->peer.b, 6);
	l->peer_type = !l->le ? L2K_ADDR_BREDR
			      : (li->peer_addr_type == HCI_ADDR_LE_RANDOM ? L2K_ADDR_LE_RANDOM : L2K_ADDR_LE_PUBLIC);
	l->id_addr = l->peer;
	l->id_type = l->peer_type;
	if (l->le && l->peer_type == L2K_ADDR_LE_RANDOM && (l->peer.b[5] & 0xC0) == 0x40) {
		/* a resolvable private address: a bonded peer's identity if one of the IRKs fits (the
		 * store's resolve, else SMP's ah over the IRKs the store lists) */
		struct l2k_bond b;
		int r = sm->store.resolve ? sm->store.resolve(sm->store.user, &l->peer, &b) : smp_resolve(sm, &l->peer, &b);
		if (r == 0) {
			l->id_addr = b.peer;
			l->id_type = b.peer_type;
		}
	}
	sm_update_level(sm, l);
	if (!l->le)
		sm_bredr_link_up(sm, l);
}

void sm_link_down(struct sm *sm, uint16_t handle, uint8_t reason)
{
	struct sm_link *l = sm_link_of(sm, handle);
	if (!l)
		return;
	if (l->le)
		smp_link_down(sm, l, reason);
	if (l->pairing)
		sm_pairing_done(sm, l, L2K_ELINKLOSS, "the link went down during pairing");
	if (l->used)
		sm_fail_waiters(sm, l, L2K_ELINKLOSS);
	l->used = false;
}

void sm_tick(struct sm *sm, uint64_t now_ms)
{
	if (now_ms > sm->now)
		sm->now = now_ms;
	timers_run(&sm->timers, sm->now);
}

uint64_t sm_next_timer(const struct sm *sm)
{
	return timers_next(&sm->timers);
}

int sm_link_security(const struct sm *sm, uint16_t handle, struct l2k_link_security *out)
{
	struct sm_link *l = sm_link_of((struct sm *)sm, handle);
	if (!l)
		return L2K_ENOLINK;
	*out = l->sec;
	return 0;
}

int sm_link_mode4(const struct sm *sm, uint16_t handle)
{
	const struct sm_link *l = sm_link_of((struct sm *)sm, handle);
	if (!l || l->le || sm->cfg.no_mode4)
		return 0;
	if (l->peer_ssp == SM_SSP_READING)
		return L2K_EAGAIN;
	return l->peer_ssp == SM_SSP_YES;
}

bool sm_link_has_key(struct sm *sm, uint16_t handle)
{
	struct sm_link *l = sm_link_of(sm, handle);
	struct l2k_bond b;
	if (!l || !sm->store.get || sm->store.get(sm->store.user, &l->id_addr, l->id_type, &b) != 0)
		return false;
	bool has;
	if (!l->le)
		has = b.has_link_key;
	else if (l->role == 0)
		has = b.has_ltk; /* the central encrypts with the peer's LTK (or the SC one) */
	else
		has = (b.secure_conn && b.has_ltk) || b.has_local_ltk;
	crypto_wipe(&b, sizeof(b));
	return has;
}

static int add_waiter(struct sm_link *l, uint8_t level, sm_done_fn done, void *arg)
{
	if (l->nwaiters == SM_MAX_WAITERS)
		return L2K_EBUSY;
	l->waiters[l->nwaiters++] = (struct sm_waiter){done, arg, level};
	return 0;
}

int sm_secure(struct sm *sm, uint16_t handle, uint8_t level, sm_done_fn done, void *arg)
{
	struct sm_link *l = sm_link_of(sm, handle);
	if (!l)
		return L2K_ENOLINK;
	if (level > 4 || !done || !level)
		return L2K_EINVAL;
	int r = add_waiter(l, level, done, arg);
	if (r < 0)
		return r;
	if (l->sec.level >= level) {
		/* already there: answered from the next tick, never inside this call */
		timer_arm(&sm->timers, &sm->kick, sm->now);
		return 0;
	}
	proceed(sm, l);
	return 0;
}

int sm_pair(struct sm *sm, uint16_t handle, sm_done_fn done, void *arg)
{
	struct sm_link *l = sm_link_of(sm, handle);
	if (!l)
		return L2K_ENOLINK;
	if (!done)
		return L2K_EINVAL;
	int r = add_waiter(l, 0, done, arg);
	if (r < 0)
		return r;
	l->pairing = true;
	proceed(sm, l);
	return 0;
}

int sm_agent_reply(struct sm *sm, uint16_t handle, bool accept, uint32_t passkey, const uint8_t *pin, size_t pin_len)
{
	struct sm_link *l = sm_link_of(sm, handle);
	if (!l || !l->asking)
		return L2K_ENOENT;
	l->asking = false;
	if (l->le)
		smp_agent_answer(sm, l, accept, passkey);
	else
		sm_bredr_agent_answer(sm, l, accept, passkey, pin, pin_len);
	return 0;
}

int sm_set_caps(struct sm *sm, enum l2k_io_cap io_cap, uint8_t max_key_size)
{
	if (io_cap > L2K_IO_KEYBOARD_DISPLAY || max_key_size < 7 || max_key_size > 16)
		return L2K_EINVAL;
	sm->cfg.io_cap = io_cap;
	sm->cfg.max_key_size = max_key_size;
	return 0;
}
