/* LE Security Manager Protocol (Core Vol 3 Part H): the pairing state machine of both roles -
 * here the manager's LE state, the pairing object and its timers, commands in and out, failures.
 *
 * A pairing on a link (struct smp_pairing, l->smp) goes through
 *   phase 1  the Pairing Request / Response exchange (3.5.1, 3.5.2): IO capabilities, OOB flags,
 *            AuthReq, key size and key distribution; the association model (2.3.5.1)
 *            (smp_start.c, with the Security Request and the end of a pairing);
 *   phase 2  authentication: legacy pairing (smp_legacy.c: c1, s1, the STK) or LE Secure
 *            Connections (smp_sc.c: public keys, f4, g2, f5, f6, the LTK);
 *   then     encryption with the STK / LTK (the central starts it, smp_hci.c), and
 *   phase 3  key distribution (smp_legacy.c), the bond stored when both sides bond.
 * The central starts pairing, or encrypts with a stored key when that gives the level wanted;
 * the peripheral asks for it with a Security Request (3.6.7).  Every command the peer sends out
 * of turn, with a bad length or a bad value is answered with Pairing Failed and the reason of
 * 3.5.5; the Security Manager Timer (3.4) ends a pairing that stalls for 30 s, after which the
 * link carries no SMP until it reconnects; failed pairings in a row make the peer wait longer
 * and longer (2.3.6). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "core/l2cap_int.h"
#include "sm/smp_int.h"

/* ---- the manager's LE state ------------------------------------------------------------------- */

struct smp_global *smp_global(struct sm *sm)
{
	if (!sm->smp_g)
		sm->smp_g = calloc(1, sizeof(*sm->smp_g));
	return sm->smp_g;
}

#define STAT(sm, f)                                                                                 \
	do {                                                                                        \
		struct smp_global *g_ = smp_global(sm);                                             \
		if (g_)                                                                             \
			g_->stats.f++;                                                              \
	} while (0)

void sm_smp_stats(const struct sm *sm, struct sm_smp_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (sm->smp_g)
		*out = sm->smp_g->stats;
}

const char *smp_why(struct sm *sm, const char *fmt, ...)
{
	struct smp_global *g = smp_global(sm);
	if (!g)
		return fmt;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(g->why, sizeof(g->why), fmt, ap);
	va_end(ap);
	return g->why;
}

void smp_sync_now(struct sm *sm)
{
	/* sm_tick tells the manager the time after the stack's input: an SMP command or an event
	 * may come first, after a long idle time (a run loop sleeps until it arrives), and the
	 * timers it arms must start from now */
	if (!sm->eng)
		return;
	l2cap_sync_now(sm->eng);
	if (sm->eng->now > sm->now)
		sm->now = sm->eng->now;
}

struct sm_link *smp_link(struct smp_pairing *p)
{
	struct sm_link *l = sm_link_of(p->sm, p->handle);
	return l && l->smp == p ? l : NULL;
}

uint8_t smp_wanted(const struct sm_link *l)
{
	uint8_t w = 0;
	for (int i = 0; i < l->nwaiters; i++)
		if (l->waiters[i].level > w)
			w = l->waiters[i].level;
	return w;
}

int smp_random_passkey(uint32_t *out)
{
	uint8_t b[4];
	int r = crypto_random(b, sizeof(b));
	*out = r == 0 ? get_le32(b) % 1000000u : 0;
	return r;
}

void smp_passkey_value(uint32_t passkey, uint8_t out[16])
{
	memset(out, 0, 16);
	put_le32(out, passkey);
}

/* ---- repeated attempts (2.3.6) -------------------------------------------------------------- */

static int attempt_slot(struct sm *sm, const struct sm_link *l, bool create)
{
	struct smp_global *g = smp_global(sm);
	if (!g)
		return -1;
	int free_i = -1, oldest = 0;
	for (int i = 0; i < SMP_ATTEMPT_PEERS; i++) {
		if (!g->attempts[i].used) {
			if (free_i < 0)
				free_i = i;
			continue;
		}
		if (g->attempts[i].type == l->id_type && !memcmp(g->attempts[i].addr.b, l->id_addr.b, 6))
			return i;
		if (g->attempts[i].last < g->attempts[oldest].last)
			oldest = i;
	}
	if (!create)
		return -1;
	int i = free_i >= 0 ? free_i : oldest;
	memset(&g->attempts[i], 0, sizeof(g->attempts[i]));
	g->attempts[i].used = true;
	g->attempts[i].addr = l->id_addr;
	g->attempts[i].type = l->id_type;
	return i;
}

/* True while the peer must wait before pairing again. */
bool smp_backing_off(struct sm *sm, const struct sm_link *l)
{
	int i = attempt_slot(sm, l, false);
	return i >= 0 && sm->cfg.max_attempts && sm->smp_g->attempts[i].failures >= sm->cfg.max_attempts &&
	       sm->now < sm->smp_g->attempts[i].retry_at;
}

void smp_attempt_result(struct sm *sm, const struct sm_link *l, bool ok)
{
	int i = attempt_slot(sm, l, !ok);
	if (i < 0)
		return;
	struct smp_global *g = sm->smp_g;
	if (ok) {
		g->attempts[i].used = false;
		return;
	}
	/* each failure from max_attempts on doubles the waiting interval */
	uint8_t f = g->attempts[i].failures < 255 ? ++g->attempts[i].failures : 255;
	g->attempts[i].last = sm->now;
	if (sm->cfg.max_attempts && f >= sm->cfg.max_attempts) {
		unsigned shift = f - sm->cfg.max_attempts;
		if (shift > SMP_BACKOFF_MAX_SHIFT)
			shift = SMP_BACKOFF_MAX_SHIFT;
		g->attempts[i].retry_at = sm->now + ((uint64_t)SMP_BACKOFF_BASE_MS << shift);
	}
}

/* ---- the pairing object, its timers --------------------------------------------------------- */

static void timeout_fire(struct timer *t, uint64_t now);
static void later_fire(struct timer *t, uint64_t now);

struct smp_pairing *smp_pairing_new(struct sm *sm, struct sm_link *l, enum smp_state st)
{
	struct smp_pairing *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->sm = sm;
	p->handle = l->handle;
	p->state = st;
	p->timeout.fire = timeout_fire;
	p->later.fire = later_fire;
	l->smp = p;
	if (st != SMP_S_DEAD && st != SMP_S_ENCRYPTING && st != SMP_S_FAILING)
		timer_arm(&sm->timers, &p->timeout, sm->now + sm->cfg.smp_timeout_ms);
	return p;
}

void smp_pairing_free(struct sm *sm, struct sm_link *l)
{
	struct smp_pairing *p = l->smp;
	if (!p)
		return;
	timer_cancel(&sm->timers, &p->timeout);
	timer_cancel(&sm->timers, &p->later);
	l->asking = false; /* a question of this pairing has no answer to wait for any more */
	smp_sc_free(p);
	crypto_wipe(p, sizeof(*p));
	free(p);
	l->smp = NULL;
}

int smp_send(struct sm *sm, struct sm_link *l, const struct smp_pdu *pdu)
{
	uint8_t b[SMP_PDU_MAX];
	size_t n = smp_build(pdu, b);
	if (!n || !sm->eng)
		return L2K_EINVAL;
	int r = l2cap_fixed_send(sm->eng, l->handle, L2CAP_CID_SMP, 0, b, n);
	crypto_wipe(b, sizeof(b));
	if (r < 0)
		return r;
	STAT(sm, tx);
	if (pdu->code == SMP_PAIRING_FAILED)
		STAT(sm, failed_sent);
	/* 3.4: the timer restarts whenever a command is queued */
	struct smp_pairing *p = l->smp;
	if (p && timer_armed(&p->timeout))
		timer_arm(&sm->timers, &p->timeout, sm->now + sm->cfg.smp_timeout_ms);
	return 0;
}

int smp_send_value(struct sm *sm, struct sm_link *l, uint8_t code, const uint8_t v[16])
{
	struct smp_pdu d = {.code = code};
	memcpy(d.u.value, v, 16);
	return smp_send(sm, l, &d);
}

void smp_send_failed(struct sm *sm, struct sm_link *l, uint8_t reason)
{
	struct smp_pdu d = {.code = SMP_PAIRING_FAILED};
	d.u.reason = reason;
	smp_send(sm, l, &d);
}

static int err_of_reason(uint8_t reason)
{
	return reason == SMP_ERR_ENCRYPTION_KEY_SIZE ? L2K_EKEYSIZE : L2K_EAUTH;
}

/* Report err to the link's waiters and the application: through the pairing's end when one was
 * under way, else through ops->failed (cbs->error), as BR/EDR does. */
void smp_report_failure(struct sm *sm, struct sm_link *l, int err, const char *why)
{
	l->busy = false;
	if (l->pairing) {
		sm_pairing_done(sm, l, err, why);
		return;
	}
	if (sm->ops.failed)
		sm->ops.failed(sm->ops.user, l->handle, err, why ? why : "LE security failed");
	if (l->used)
		sm_fail_waiters(sm, l, err);
}

static void end_with(struct sm *sm, struct sm_link *l, uint8_t reason, int err, const char *why, bool dead,
		     bool counts)
{
	struct smp_pairing *p = l->smp;
	if (p && p->state == SMP_S_DEAD)
		return;
	/* a pairing, a Security Request, an encryption was under way (else only the answer goes) */
	bool under_way = p && p->state != SMP_S_FAILING;
	if (reason)
		smp_send_failed(sm, l, reason);
	if (counts && under_way && p->state != SMP_S_ENCRYPTING)
		smp_attempt_result(sm, l, false);
	if (p && p->state == SMP_S_FAILING)
		return; /* its own report follows */
	smp_pairing_free(sm, l);
	if (dead)
		smp_pairing_new(sm, l, SMP_S_DEAD); /* without memory the link merely stays usable */
	if (under_way || l->pairing)
		smp_report_failure(sm, l, err, why);
}

void smp_fail(struct sm *sm, struct sm_link *l, uint8_t reason, int err, const char *why)
{
	end_with(sm, l, reason, err, why, false, true);
}

void smp_abort(struct sm *sm, struct sm_link *l, uint8_t reason, const char *why)
{
	smp_fail(sm, l, reason, err_of_reason(reason), why);
}

static void timeout_fire(struct timer *t, uint64_t now)
{
	struct smp_pairing *p = (struct smp_pairing *)((char *)t - offsetof(struct smp_pairing, timeout));
	struct sm *sm = p->sm;
	struct sm_link *l = smp_link(p);
	(void)now;
	if (!l)
		return;
	if (p->state == SMP_S_SECREQ) {
		/* our Security Request went unanswered: no pairing ever started, SMP stays usable */
		smp_pairing_free(sm, l);
		smp_report_failure(sm, l, L2K_ETIMEDOUT, "the central did not answer the Security Request within 30 s");
		return;
	}
	/* 3.4: the procedure failed; no further SMP command is sent on this link */
	end_with(sm, l, 0, L2K_ETIMEDOUT, "SMP timeout: the peer stopped answering (no security procedure on this link until it reconnects)",
		 true, true);
}

static void later_fire(struct timer *t, uint64_t now)
{
	struct smp_pairing *p = (struct smp_pairing *)((char *)t - offsetof(struct smp_pairing, later));
	struct sm *sm = p->sm;
	struct sm_link *l = smp_link(p);
	(void)now;
	if (!l)
		return;
	int err = p->later_err;
	const char *why = p->later_why;
	if (p->state != SMP_S_DEAD)
		smp_pairing_free(sm, l);
	smp_report_failure(sm, l, err, why);
}

/* smp_start runs inside sm_secure / sm_pair, whose callers learn the outcome later, never
 * inside the call: a failure found at once is reported from the next tick. */
void smp_fail_later(struct sm *sm, struct sm_link *l, int err, const char *why)
{
	struct smp_pairing *p = l->smp;
	if (!p && !(p = smp_pairing_new(sm, l, SMP_S_FAILING)))
		return;
	l->busy = true;
	p->later_err = err;
	p->later_why = why;
	timer_arm(&sm->timers, &p->later, sm->now);
}

/* ---- commands in -------------------------------------------------------------------------------- */

static bool passkey_method(enum smp_method m)
{
	return m == SMP_PASSKEY_DISPLAY || m == SMP_PASSKEY_ENTRY || m == SMP_PASSKEY_BOTH;
}

void smp_rx(struct sm *sm, struct sm_link *l, const uint8_t *pdu, size_t len)
{
	struct smp_pairing *p = l->smp;
	STAT(sm, rx);
	smp_sync_now(sm);
	if (p && p->state == SMP_S_DEAD)
		return; /* 3.4: nothing more on this link */
	struct smp_pdu d;
	int reason = smp_parse(pdu, len, &d);
	if (reason) {
		STAT(sm, rx_refused);
		smp_abort(sm, l, (uint8_t)reason,
			  reason == SMP_ERR_COMMAND_NOT_SUPPORTED ? "the peer sent an SMP command of a reserved code"
			  : reason == SMP_ERR_ENCRYPTION_KEY_SIZE ? "the peer's maximum key size is below 7"
								  : "the peer sent a malformed SMP command");
		return;
	}
	switch (d.code) {
	case SMP_PAIRING_FAILED:
		STAT(sm, failed_rcvd);
		if (p && p->state != SMP_S_ENCRYPTING && p->state != SMP_S_FAILING)
			smp_fail(sm, l, 0, err_of_reason(d.u.reason),
				 smp_why(sm, "the peer refused pairing: %s (0x%02x)", smp_reason_name(d.u.reason),
					 d.u.reason));
		return;
	case SMP_PAIRING_REQ: smp_rx_pairing_req(sm, l, &d, pdu); return;
	case SMP_SECURITY_REQ: smp_rx_security_req(sm, l, &d); return;
	case SMP_PAIRING_RSP:
		if (l->role != 0) {
			STAT(sm, rx_refused);
			smp_abort(sm, l, SMP_ERR_COMMAND_NOT_SUPPORTED, "the central sent a Pairing Response");
			return;
		}
		if (p && p->state == SMP_S_PAIR_RSP) {
			smp_rx_pairing_rsp(sm, l, &d, pdu);
			return;
		}
		break;
	case SMP_KEYPRESS_NOTIFICATION:
		/* 3.5.8: the peer types a passkey; nothing to do with it here */
		if (p && p->state == SMP_S_PHASE2 && passkey_method(p->method))
			return;
		break;
	default:
		if (p && p->state == SMP_S_PHASE2 && d.code == p->expect) {
			if (p->sc)
				smp_sc_rx(sm, l, &d);
			else
				smp_legacy_rx(sm, l, &d);
			return;
		}
		if (p && p->state == SMP_S_KEYS && d.code == p->expect) {
			smp_keys_rx(sm, l, &d);
			return;
		}
		break;
	}
	STAT(sm, rx_refused);
	smp_abort(sm, l, SMP_ERR_UNSPECIFIED, smp_why(sm, "the peer sent %s out of turn", smp_code_name(d.code)));
}

/* ---- the user's answers --------------------------------------------------------------------- */

void smp_agent_answer(struct sm *sm, struct sm_link *l, bool accept, uint32_t passkey)
{
	struct smp_pairing *p = l->smp;
	if (!p || p->state != SMP_S_PHASE2 || !p->user_wait)
		return;
	smp_sync_now(sm);
	p->user_wait = false;
	bool entry = p->method == SMP_PASSKEY_ENTRY || p->method == SMP_PASSKEY_BOTH;
	if (!accept || (entry && passkey > 999999)) {
		uint8_t reason = entry ? SMP_ERR_PASSKEY_ENTRY_FAILED
			       : p->sc ? SMP_ERR_NUMERIC_COMPARISON_FAILED
				       : SMP_ERR_UNSPECIFIED;
		smp_fail(sm, l, reason, L2K_EAUTH,
			 entry ? "the passkey entry was cancelled" : "the user refused the pairing (comparison not confirmed)");
		return;
	}
	if (entry)
		p->passkey = passkey;
	p->user_ok = true;
	if (p->sc)
		smp_sc_user(sm, l);
	else
		smp_legacy_user(sm, l);
}

void smp_ask_user(struct sm *sm, struct sm_link *l, enum l2k_agent_ask ask, uint32_t value)
{
	struct smp_pairing *p = l->smp;
	p->user_wait = ask != L2K_ASK_PASSKEY_DISPLAY;
	/* the answer may come inside this call (an agent that answers at once): callers do
	 * nothing with p after it */
	sm_ask(sm, l, ask, value);
}

/* ---- links ------------------------------------------------------------------------------------- */

void smp_link_down(struct sm *sm, struct sm_link *l, uint8_t reason)
{
	struct smp_pairing *p = l->smp;
	bool under_way = p && p->state != SMP_S_DEAD;
	smp_pairing_free(sm, l);
	smp_link_reset(sm, l);
	if (reason == HCI_ERR_MIC_FAILURE && (under_way || l->nwaiters || l->pairing)) {
		/* the peer's key differs from ours (Vol 6 Part B 5.1.3.1) */
		smp_report_failure(sm, l, L2K_EAUTH, "encryption failed: MIC failure (the peer has another key)");
	}
}

void smp_free(struct sm *sm)
{
	struct smp_global *g = sm->smp_g;
	if (!g)
		return;
	smp_hci_free(sm);
	crypto_p256_free(g->oob_key);
	crypto_wipe(g, sizeof(*g));
	free(g);
	sm->smp_g = NULL;
}
