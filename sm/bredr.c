/* BR/EDR security: the host's side of LMP pairing and encryption.  The controller runs LMP
 * (authentication, Secure Simple Pairing, legacy PIN pairing, encryption); the host answers its
 * requests and decides (Core Vol 4 Part E 7.1, 7.7; Vol 3 Part C 5.2.2; docs/security.md):
 *
 *  - Link Key Request: the key store's key for the peer when it is good enough for what this
 *    side wants (never a debug key; in Secure Connections Only mode only an authenticated P-256
 *    key), else a negative reply, and the controller pairs.
 *  - IO Capability Request: the configured IO capability (KeyboardDisplay is DisplayYesNo on
 *    BR/EDR), OOB data present when the application gave the peer's (l2k_oob_remote), and
 *    Authentication_Requirements: MITM when this side wants level 3 or more (or pairs
 *    explicitly, or answers a peer that asks for it, with an IO capability able to give it);
 *    Dedicated Bonding for l2k_pair, General Bonding otherwise, No Bonding when not bondable
 *    (or, answering, when the peer asked for none).
 *  - User Confirmation Request: numeric comparison (both DisplayYesNo, MITM asked) asks the
 *    agent to confirm the value; anything else is Just Works and asks L2K_ASK_JUST_WORKS, or is
 *    refused when this side needs MITM protection.  User Passkey Request / Notification: the
 *    agent enters / shows the passkey.  Remote OOB Data Request: the peer's OOB data.  PIN Code
 *    Request (legacy pairing): the agent's PIN.
 *  - Link Key Notification: the key is bonded (stored) when bondable; Simple Pairing Complete
 *    and Authentication Complete end the pairing (a failure names the step and the HCI status).
 *  - Authentication Complete at the side that asked: then Set Connection Encryption (or Refresh
 *    Encryption Key on a link encrypted with an older key).  A stored key the peer no longer
 *    has (0x05 / 0x06) is deleted and pairing starts again, once.
 *  - Encryption Change (v1, then Read Encryption Key Size; v2 carries the size): the link's
 *    level (sm_update_level); a key shorter than min_key_size (KNOB) leaves it at 1 and the
 *    waiters fail with L2K_EKEYSIZE.
 * Events name the peer (BD_ADDR) or the connection handle; every parser checks the length. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "base/bytes.h"
#include "sm/sm_int.h"

#define RETRY_MS 250	      /* Command Disallowed (another procedure runs): try again then */
#define RETRY_MAX 20	      /* ... at most this many times in a row */
#define LEGACY_RESP_MS 30000  /* a responder's legacy pairing with no outcome after this: failed */

/* ---- helpers ---------------------------------------------------------------------------------- */

static const char *status_name(uint8_t st)
{
	switch (st) {
	case 0x00: return "Success";
	case 0x02: return "Unknown Connection Identifier";
	case 0x05: return "Authentication Failure";
	case 0x06: return "PIN or Key Missing";
	case 0x08: return "Connection Timeout";
	case 0x0C: return "Command Disallowed";
	case 0x0E: return "Connection Rejected due to Security Reasons";
	case 0x11: return "Unsupported Feature or Parameter Value";
	case 0x12: return "Invalid HCI Command Parameters";
	case 0x13: return "Remote User Terminated Connection";
	case 0x14: return "Remote Device Terminated Connection due to Low Resources";
	case 0x15: return "Remote Device Terminated Connection due to Power Off";
	case 0x16: return "Connection Terminated by Local Host";
	case 0x17: return "Repeated Attempts";
	case 0x18: return "Pairing Not Allowed";
	case 0x1A: return "Unsupported Remote Feature";
	case 0x1F: return "Unspecified Error";
	case 0x22: return "LMP Response Timeout";
	case 0x25: return "Encryption Mode Not Acceptable";
	case 0x29: return "Pairing With Unit Key Not Supported";
	case 0x2F: return "Insufficient Security";
	case 0x37: return "Secure Simple Pairing Not Supported by Host";
	case 0x3D: return "Connection Terminated due to MIC Failure";
	default: return "error";
	}
}

/* Statuses that say the link went away rather than that pairing was refused. */
static int status_err(uint8_t st)
{
	switch (st) {
	case HCI_ERR_CONN_TIMEOUT:
	case HCI_ERR_REMOTE_USER_TERM:
	case HCI_ERR_REMOTE_LOW_RESOURCES:
	case HCI_ERR_REMOTE_POWER_OFF:
	case HCI_ERR_LOCAL_HOST_TERM:
	case HCI_ERR_MIC_FAILURE: return L2K_ELINKLOSS;
	default: return L2K_EAUTH;
	}
}

static int send(struct sm *sm, uint16_t op, const uint8_t *p, size_t n)
{
	return hci_host_cmd(sm->hci, op, p, n, NULL, NULL);
}

static int send_addr(struct sm *sm, uint16_t op, const uint8_t addr[6])
{
	return send(sm, op, addr, 6);
}

static int send_handle(struct sm *sm, uint16_t op, uint16_t handle, int extra)
{
	uint8_t p[3];
	put_le16(p, handle);
	p[2] = (uint8_t)extra;
	return send(sm, op, p, extra < 0 ? 2 : 3);
}

/* The IO capability this side announces on BR/EDR (0x00..0x03: KeyboardDisplay is LE only;
 * a device with a keyboard and a display answers yes/no on BR/EDR). */
static uint8_t local_io(const struct sm *sm)
{
	switch (sm->cfg.io_cap) {
	case L2K_IO_DISPLAY_ONLY: return HCI_IO_DISPLAY_ONLY;
	case L2K_IO_DISPLAY_YESNO:
	case L2K_IO_KEYBOARD_DISPLAY: return HCI_IO_DISPLAY_YES_NO;
	case L2K_IO_KEYBOARD_ONLY: return HCI_IO_KEYBOARD_ONLY;
	default: return HCI_IO_NO_INPUT_OUTPUT;
	}
}

/* What a link key gives: authenticated (made with MITM protection) and P-256 (Secure
 * Connections).  Legacy combination keys count as authenticated only from a 16-digit PIN
 * (Vol 3 Part C 5.2.2.8: only a long PIN resists guessing); a changed combination key keeps
 * what the key it replaced had. */
static void key_class(uint8_t type, bool legacy_auth, bool prev_auth, bool *auth, bool *p256)
{
	*p256 = type == HCI_LINK_KEY_UNAUTH_P256 || type == HCI_LINK_KEY_AUTH_P256;
	switch (type) {
	case HCI_LINK_KEY_COMBINATION: *auth = legacy_auth; break;
	case HCI_LINK_KEY_AUTH_P192:
	case HCI_LINK_KEY_AUTH_P256: *auth = true; break;
	case HCI_LINK_KEY_CHANGED_COMBINATION: *auth = prev_auth; break;
	default: *auth = false; break; /* unit keys, debug, unauthenticated */
	}
}

static uint8_t key_level(bool auth, bool p256)
{
	return auth ? (p256 ? L2K_SEC_FIPS : L2K_SEC_HIGH) : L2K_SEC_MEDIUM;
}

static const char *key_desc(uint8_t type)
{
	switch (type) {
	case HCI_LINK_KEY_COMBINATION: return "a legacy combination key";
	case 0x01: return "a local unit key";
	case 0x02: return "a remote unit key";
	case HCI_LINK_KEY_DEBUG: return "a debug combination key";
	case HCI_LINK_KEY_UNAUTH_P192: return "an unauthenticated P-192 key";
	case HCI_LINK_KEY_AUTH_P192: return "an authenticated P-192 key";
	case HCI_LINK_KEY_CHANGED_COMBINATION: return "a changed combination key";
	case HCI_LINK_KEY_UNAUTH_P256: return "an unauthenticated P-256 key";
	case HCI_LINK_KEY_AUTH_P256: return "an authenticated P-256 key";
	default: return "a key of unknown type";
	}
}

/* Secure Connections Only mode takes only authenticated P-256 keys; debug keys never count. */
static bool key_type_allowed(const struct sm *sm, uint8_t type)
{
	if (type == HCI_LINK_KEY_DEBUG || type > HCI_LINK_KEY_AUTH_P256)
		return false;
	return !sm->cfg.sc_only || type == HCI_LINK_KEY_AUTH_P256;
}

/* The highest level the link's waiters want now. */
static uint8_t want_now(const struct sm_link *l)
{
	uint8_t w = 0;
	for (int i = 0; i < l->nwaiters; i++)
		if (l->waiters[i].level > w)
			w = l->waiters[i].level;
	return w;
}

/* This side needs MITM protection from the pairing now under way. */
static bool need_mitm(const struct sm *sm, const struct sm_link *l)
{
	return want_now(l) >= L2K_SEC_HIGH || sm->cfg.sc_only;
}

static bool busy_with_something(const struct sm_link *l)
{
	const struct sm_bredr_link *b = &l->br;
	return b->auth_pending || l->enc_pending || b->refresh_pending || b->keysize_pending || b->peer_pairing ||
	       b->retry_at || b->deferred_err;
}

/* The link's security fields from the key encrypting it. */
static void sec_from_key(struct sm_link *l)
{
	struct sm_bredr_link *b = &l->br;
	bool on = l->sec.encrypted;
	l->sec.authenticated = on && b->key_known && b->key_auth;
	l->sec.secure_conn = on && b->key_known && b->key_p256 && b->enc_type == HCI_ENC_AES_CCM;
	l->sec.bonded = b->key_known && b->key_stored;
}

/* ---- timed work ------------------------------------------------------------------------------- */

static void timer_fire(struct timer *t, uint64_t now);

static void rearm(struct sm *sm)
{
	uint64_t due = UINT64_MAX;
	for (int i = 0; i < SM_MAX_LINKS; i++) {
		const struct sm_link *l = &sm->links[i];
		if (!l->used || l->le)
			continue;
		if (l->br.deferred_err && sm->now < due)
			due = sm->now;
		if (l->br.retry_at && l->br.retry_at < due)
			due = l->br.retry_at;
		if (l->br.deadline && l->br.deadline < due)
			due = l->br.deadline;
		if (l->br.feat_deadline && l->br.feat_deadline < due)
			due = l->br.feat_deadline;
		if (l->br.feat_retry_at && l->br.feat_retry_at < due)
			due = l->br.feat_retry_at;
	}
	sm->br.timer.fire = timer_fire;
	if (due == UINT64_MAX)
		timer_cancel(&sm->timers, &sm->br.timer);
	else
		timer_arm(&sm->timers, &sm->br.timer, due);
}

/* A procedure (or the pairing) on the link ended in failure: a pairing's end is reported
 * through ops->paired (and its waiters), anything else through ops->failed; every waiter of the
 * link gets err. */
static void procedure_failed(struct sm *sm, struct sm_link *l, int err, const char *why)
{
	struct sm_bredr_link *b = &l->br;
	b->active = false;
	b->peer_pairing = false;
	b->force_pair = false;
	b->deadline = 0;
	l->busy = false;
	if (l->asking) /* a question the failure made pointless */
		l->asking = false;
	if (l->pairing) {
		sm_pairing_done(sm, l, err, why);
		return;
	}
	if (sm->ops.failed)
		sm->ops.failed(sm->ops.user, l->handle, err, why);
	if (l->used)
		sm_fail_waiters(sm, l, err);
}

/* A failure found where the waiters must not be answered at once (inside sm_secure): reported
 * from the timer, at the manager's now. */
static void fail_later(struct sm *sm, struct sm_link *l, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->br.deferred_why, sizeof(l->br.deferred_why), fmt, ap);
	va_end(ap);
	l->br.deferred_err = err;
	l->busy = true;
	rearm(sm);
}

static void feat_read(struct sm *sm, struct sm_link *l);

static void timer_fire(struct timer *t, uint64_t now)
{
	struct sm *sm = (struct sm *)((char *)t - offsetof(struct sm, br.timer));
	for (int i = 0; i < SM_MAX_LINKS; i++) {
		struct sm_link *l = &sm->links[i];
		if (!l->used || l->le)
			continue;
		struct sm_bredr_link *b = &l->br;
		if (b->deferred_err) {
			int err = b->deferred_err;
			char why[sizeof(b->deferred_why)];
			memcpy(why, b->deferred_why, sizeof(why));
			b->deferred_err = 0;
			procedure_failed(sm, l, err, why);
		}
		if (l->used && b->retry_at && b->retry_at <= now) {
			b->retry_at = 0;
			l->busy = false;
			sm_proceed(sm, l);
		}
		if (l->used && b->deadline && b->deadline <= now) {
			b->deadline = 0;
			procedure_failed(sm, l, L2K_EAUTH,
					 "legacy PIN pairing (answering the peer): no link key came within 30 s (the PINs "
					 "differ, or the peer gave up)");
		}
		if (l->used && b->feat_retry_at && b->feat_retry_at <= now) {
			b->feat_retry_at = 0;
			feat_read(sm, l);
		}
		if (l->used && b->feat_deadline && b->feat_deadline <= now)
			sm_peer_ssp_known(sm, l, false); /* the controller never answered: not Simple Pairing */
	}
	rearm(sm);
}

/* ---- the peer's host features (Security Mode 4) ------------------------------------------------ */

/* How long the peer's host features may take (a controller answers within the LMP response
 * timeout, 30 s, with the features or an error; this bounds a controller that never does) */
#define FEAT_READ_MS 10000
/* A controller busy with something else (another LMP procedure on the link, a full command
 * buffer) may refuse the read with Command Disallowed, Controller Busy or Memory Capacity
 * Exceeded: read again this much later, up to FEAT_TRIES reads in all, within FEAT_READ_MS */
#define FEAT_RETRY_MS 200
#define FEAT_TRIES 4

/* Send Read Remote Extended Features page 1 for the link (peer_ssp READING); a command that
 * cannot even be queued makes the peer count as legacy. */
static void feat_read(struct sm *sm, struct sm_link *l)
{
	if (send_handle(sm, HCI_OP_READ_REMOTE_EXT_FEATURES, l->handle, 1) < 0) {
		sm_peer_ssp_known(sm, l, false);
		return;
	}
	l->br.feat_tries++;
	l->br.feat_seq = ++sm->br.seq;
}

/* The read failed with status st (its Command Status or its Complete event): a busy controller
 * is asked again, anything else (the peer has no extended features, did not answer ...) means
 * not Simple Pairing. */
static void feat_refused(struct sm *sm, struct sm_link *l, uint8_t st)
{
	bool busy = st == HCI_ERR_COMMAND_DISALLOWED || st == HCI_ERR_CONTROLLER_BUSY || st == HCI_ERR_MEMORY_FULL;
	if (busy && l->br.feat_tries < FEAT_TRIES && sm->now + FEAT_RETRY_MS < l->br.feat_deadline) {
		l->br.feat_retry_at = sm->now + FEAT_RETRY_MS;
		return;
	}
	sm_peer_ssp_known(sm, l, false);
}

void sm_bredr_link_up(struct sm *sm, struct sm_link *l)
{
	/* Security Mode 4 matters only when our host has Simple Pairing on; the peer's host support
	 * is bit 0 of its extended features page 1 (Vol 2 Part C 3.3), which our controller reads
	 * when it has the command and extended features (else the peer counts as legacy; an IO
	 * Capability exchange still tells it later) */
	const struct hci_controller_info *in = hci_host_info(sm->hci);
	l->peer_ssp = SM_SSP_NO;
	if (sm->cfg.no_mode4 || !in->bredr || !in->ssp || !hci_bit_test(in->features, 8, HCI_FEAT_EXTENDED_FEATURES) ||
	    !hci_host_cmd_supported(sm->hci, HCI_OP_READ_REMOTE_EXT_FEATURES))
		return;
	if (send_handle(sm, HCI_OP_READ_REMOTE_EXT_FEATURES, l->handle, 1) < 0)
		return;
	l->peer_ssp = SM_SSP_READING;
	l->br.feat_tries = 1;
	l->br.feat_retry_at = 0;
	l->br.feat_seq = ++sm->br.seq;
	l->br.feat_deadline = sm->now + FEAT_READ_MS;
	rearm(sm);
}

/* Read Remote Extended Features Complete: Status Connection_Handle(2) Page_Number
 * Maximum_Page_Number Extended_LMP_Features(8) (Vol 4 Part E 7.7.34) */
static void ev_remote_ext_features(struct sm *sm, const uint8_t *p, size_t len)
{
	if (len < 13)
		return;
	struct sm_link *l = sm_link_of(sm, get_le16(p + 1) & 0x0FFF);
	if (!l || l->le || l->peer_ssp != SM_SSP_READING || (p[0] == HCI_SUCCESS && p[3] != 1))
		return;
	if (p[0] != HCI_SUCCESS)
		feat_refused(sm, l, p[0]);
	else
		sm_peer_ssp_known(sm, l, hci_bit_test(p + 5, 8, HCI_FEAT1_SSP_HOST));
	rearm(sm);
}

/* The peer's host takes part in Simple Pairing (an IO Capability exchange): it supports it. */
static void peer_does_ssp(struct sm *sm, struct sm_link *l)
{
	if (l->peer_ssp != SM_SSP_READING) {
		l->peer_ssp = SM_SSP_YES;
		return;
	}
	sm_peer_ssp_known(sm, l, true); /* the level-1 callers held for it are answered */
	rearm(sm);
}

/* ---- starting procedures ---------------------------------------------------------------------- */

static int auth_request(struct sm *sm, struct sm_link *l)
{
	struct sm_bredr_link *b = &l->br;
	int r = send_handle(sm, HCI_OP_AUTH_REQUESTED, l->handle, -1);
	if (r < 0)
		return r;
	b->auth_pending = true;
	b->auth_seq = ++sm->br.seq;
	b->key_from_store = false;
	b->spc_status = 0;
	b->dedicated = l->pairing; /* l2k_pair: Dedicated Bonding, else General */
	if (l->want_level > b->tried_level)
		b->tried_level = l->want_level;
	l->busy = true;
	return 0;
}

static int set_encryption(struct sm *sm, struct sm_link *l)
{
	int r = send_handle(sm, HCI_OP_SET_CONN_ENCRYPT, l->handle, 0x01);
	if (r < 0)
		return r;
	l->enc_pending = true;
	l->br.enc_seq = ++sm->br.seq;
	l->busy = true;
	return 0;
}

void sm_bredr_start(struct sm *sm, struct sm_link *l)
{
	struct sm_bredr_link *b = &l->br;
	int r;
	l->busy = true;
	if (busy_with_something(l))
		return; /* what runs now goes on from its end */
	if (l->pairing) {
		/* l2k_pair: pair anew whatever the link has (Dedicated Bonding) */
		b->force_pair = true;
		if ((r = auth_request(sm, l)) < 0)
			fail_later(sm, l, r, "cannot send Authentication Requested: %s", l2k_strerror(r));
		return;
	}
	uint8_t need = l->want_level;
	if (need <= l->sec.level) {
		l->busy = false;
		return;
	}
	if (b->key_known && key_level(b->key_auth, b->key_p256) >= need &&
	    (key_type_allowed(sm, b->key_type) || b->key_type == HCI_LINK_KEY_DEBUG)) {
		/* the link has a key good enough: encryption is what is missing */
		if (!l->sec.encrypted) {
			if ((r = set_encryption(sm, l)) < 0)
				fail_later(sm, l, r, "cannot send Set Connection Encryption: %s", l2k_strerror(r));
		} else if (!l->sec.key_size) {
			fail_later(sm, l, L2K_ECTRL, "the controller did not report the encryption key size");
		} else if (l->sec.key_size < sm->cfg.min_key_size) {
			fail_later(sm, l, L2K_EKEYSIZE,
				   "the encryption key is %u octets, shorter than the minimum of %u (min_key_size; a "
				   "KNOB attack, CVE-2019-9506, or a peer that offers no more): the link stays at level 1",
				   l->sec.key_size, sm->cfg.min_key_size);
		} else if (l->sec.key_size < 16) {
			fail_later(sm, l, L2K_EKEYSIZE, "level %u needs a 16-octet encryption key: this link has %u octets",
				   need, l->sec.key_size);
		} else {
			fail_later(sm, l, L2K_EAUTH,
				   "level %u needs AES-CCM encryption (Secure Connections): the controller encrypts the "
				   "link with E0", need);
		}
		return;
	}
	if (b->key_known && b->paired_level >= need) {
		/* this side paired for this level already and got a weaker key: no loop */
		fail_later(sm, l, L2K_EAUTH, "the pairing gave %s, level %u needs %s", key_desc(b->key_type), need,
			   need >= L2K_SEC_FIPS ? "an authenticated P-256 key (Secure Connections at both sides and "
						  "an association model with MITM protection)"
			   : need >= L2K_SEC_HIGH ? "an authenticated key (an association model with MITM protection)"
						 : "a link key");
		return;
	}
	if ((r = auth_request(sm, l)) < 0)
		fail_later(sm, l, r, "cannot send Authentication Requested: %s", l2k_strerror(r));
}

/* ---- pairing --------------------------------------------------------------------------------- */

static void pairing_begin(struct sm *sm, struct sm_link *l, bool legacy)
{
	struct sm_bredr_link *b = &l->br;
	(void)sm;
	if (b->active)
		return;
	b->active = true;
	b->legacy = legacy;
	b->step = legacy ? "the PIN request" : "the IO capability exchange";
	b->refused = NULL;
	b->pin_len = 0;
	b->local_io = b->local_auth_req = b->local_oob = 0;
	l->peer_io_known = false;
	l->pairing = true;
	if (!b->auth_pending) {
		/* the peer asked: this side answers (it gets no Authentication Complete) */
		b->peer_pairing = true;
		b->dedicated = false;
		l->busy = true;
	}
}

static void pairing_succeeded(struct sm *sm, struct sm_link *l)
{
	struct sm_bredr_link *b = &l->br;
	b->paired_level = b->peer_pairing ? 0 : b->tried_level;
	b->active = false;
	b->peer_pairing = false;
	b->force_pair = false;
	b->deadline = 0;
	sm_pairing_done(sm, l, 0, "");
}

static void pairing_failed(struct sm *sm, struct sm_link *l, uint8_t st)
{
	struct sm_bredr_link *b = &l->br;
	char why[192];
	const char *kind = b->legacy ? "legacy PIN pairing" : "Simple Pairing";
	const char *step = b->step ? b->step : "the start";
	if (b->refused)
		snprintf(why, sizeof(why), "%s failed at %s: %s (HCI status 0x%02x %s)", kind, step, b->refused, st,
			 status_name(st));
	else
		snprintf(why, sizeof(why), "%s failed at %s (HCI status 0x%02x %s)", kind, step, st, status_name(st));
	procedure_failed(sm, l, status_err(st), why);
}

/* Whether the key of this pairing is bonded: bondable, and neither side asked for No Bonding
 * (legacy pairing has no such request). */
static bool bonding_agreed(const struct sm *sm, const struct sm_link *l)
{
	const struct sm_bredr_link *b = &l->br;
	if (!sm->cfg.bondable)
		return false;
	if (b->legacy || !b->active)
		return true;
	return (b->local_auth_req & 0x06) && (!l->peer_io_known || (l->peer_auth_req & 0x06));
}

static void store_key(struct sm *sm, struct sm_link *l, const uint8_t key[16], uint8_t type)
{
	struct sm_bredr_link *b = &l->br;
	struct l2k_bond bd;
	if (!sm->store.put)
		return;
	/* keep what the store has for the peer besides the link key */
	if (!sm->store.get || sm->store.get(sm->store.user, &l->peer, L2K_ADDR_BREDR, &bd) != 0) {
		memset(&bd, 0, sizeof(bd));
		bd.peer = l->peer;
		bd.peer_type = L2K_ADDR_BREDR;
	}
	bd.has_link_key = true;
	memcpy(bd.link_key, key, 16);
	bd.link_key_type = type;
	bd.pin_len = b->legacy ? b->pin_len : 0;
	bd.key_size = 16;
	bd.authenticated = b->key_auth;
	bd.secure_conn = b->key_p256;
	if (sm->store.put(sm->store.user, &bd) == 0)
		b->key_stored = true;
	else if (sm->ops.failed)
		sm->ops.failed(sm->ops.user, l->handle, L2K_EIO, "paired, but the key store did not take the link key");
	memset(&bd, 0, sizeof(bd));
}

/* ---- events ---------------------------------------------------------------------------------- */

static void ev_link_key_request(struct sm *sm, const uint8_t *p)
{
	struct sm_link *l = sm_link_by_addr(sm, p);
	struct l2k_bond bd;
	if (!l) {
		send_addr(sm, HCI_OP_LINK_KEY_NEG_REPLY, p);
		return;
	}
	struct sm_bredr_link *b = &l->br;
	bool use = false;
	bool auth = false, p256 = false;
	if (!b->force_pair && sm->store.get && sm->store.get(sm->store.user, &l->peer, L2K_ADDR_BREDR, &bd) == 0 &&
	    bd.has_link_key && key_type_allowed(sm, bd.link_key_type)) {
		key_class(bd.link_key_type, bd.authenticated, bd.authenticated, &auth, &p256);
		/* asking, this side wants a level the key can give; answering, the peer decides */
		use = !b->auth_pending || key_level(auth, p256) >= want_now(l);
	}
	if (!use) {
		send_addr(sm, HCI_OP_LINK_KEY_NEG_REPLY, p);
		memset(&bd, 0, sizeof(bd));
		return;
	}
	uint8_t r[22];
	memcpy(r, p, 6);
	memcpy(r + 6, bd.link_key, 16);
	send(sm, HCI_OP_LINK_KEY_REPLY, r, sizeof(r));
	b->key_type = bd.link_key_type;
	memset(r, 0, sizeof(r));
	memset(&bd, 0, sizeof(bd));
	b->key_known = true;
	b->key_auth = auth;
	b->key_p256 = p256;
	b->key_from_store = true;
	b->key_stored = true;
	b->step = "authentication with the stored key";
}

static void ev_io_cap_request(struct sm *sm, const uint8_t *p)
{
	struct sm_link *l = sm_link_by_addr(sm, p);
	if (!l) {
		uint8_t r[7];
		memcpy(r, p, 6);
		r[6] = HCI_ERR_PAIRING_NOT_ALLOWED;
		send(sm, HCI_OP_IO_CAP_NEG_REPLY, r, sizeof(r));
		return;
	}
	struct sm_bredr_link *b = &l->br;
	pairing_begin(sm, l, false);
	const struct hci_controller_info *in = hci_host_info(sm->hci);
	uint8_t io = local_io(sm), oob = 0;
	for (int i = 0; i < L2K_OOB_MAX; i++) {
		const struct l2k_oob_data *d = &sm->br.oob_remote[i].d;
		if (!sm->br.oob_remote[i].used || memcmp(sm->br.oob_remote[i].peer.b, l->peer.b, 6))
			continue;
		/* OOB_Data_Present: 0x01 P-192, 0x02 P-256, 0x03 both (7.1.29) */
		bool p256 = d->has_p256 && in->sc;
		oob = (uint8_t)((d->has_p192 ? 0x01 : 0) | (p256 ? 0x02 : 0));
	}
	/* MITM: when this side needs it (even without IO: the peer's OOB data may still give it),
	 * and whenever the IO capability can give it to an explicit pairing or a peer asking */
	bool mitm = need_mitm(sm, l) ||
		    (io != HCI_IO_NO_INPUT_OUTPUT &&
		     (b->dedicated || (l->peer_io_known && (l->peer_auth_req & HCI_AUTHREQ_MITM))));
	/* Authentication_Requirements: 0x00/0x01 No Bonding, 0x02/0x03 Dedicated, 0x04/0x05 General */
	uint8_t bonding;
	if (!sm->cfg.bondable)
		bonding = 0x00;
	else if (b->dedicated)
		bonding = 0x02;
	else if (l->peer_io_known && b->peer_pairing)
		bonding = (l->peer_auth_req & 0x06) == 0 ? 0x00 : (l->peer_auth_req & 0x06) == 0x02 ? 0x02 : 0x04;
	else
		bonding = 0x04;
	b->local_io = io;
	b->local_oob = oob;
	b->local_auth_req = (uint8_t)(bonding | (mitm ? HCI_AUTHREQ_MITM : 0));
	uint8_t r[9];
	memcpy(r, p, 6);
	r[6] = io;
	r[7] = oob;
	r[8] = b->local_auth_req;
	send(sm, HCI_OP_IO_CAP_REPLY, r, sizeof(r));
	b->step = "the IO capability exchange";
	peer_does_ssp(sm, l);
}

static void ev_io_cap_response(struct sm *sm, const uint8_t *p)
{
	struct sm_link *l = sm_link_by_addr(sm, p);
	if (!l)
		return;
	pairing_begin(sm, l, false);
	l->peer_io_cap = p[6];
	l->br.peer_oob = p[7];
	l->peer_auth_req = p[8];
	l->peer_io_known = true;
	peer_does_ssp(sm, l);
}

/* Numeric comparison proper (an authenticated key) happens only when both sides can show and
 * confirm and one asked for MITM protection (Vol 3 Part C 5.2.2.6); every other User
 * Confirmation Request is Just Works (numeric comparison confirmed automatically somewhere). */
static bool numeric_comparison(const struct sm_link *l)
{
	const struct sm_bredr_link *b = &l->br;
	if (!l->peer_io_known)
		return true; /* cannot tell: show the number */
	bool mitm = (b->local_auth_req | l->peer_auth_req) & HCI_AUTHREQ_MITM;
	return mitm && b->local_io == HCI_IO_DISPLAY_YES_NO && l->peer_io_cap == HCI_IO_DISPLAY_YES_NO;
}

static void ev_user_confirm(struct sm *sm, const uint8_t *p)
{
	struct sm_link *l = sm_link_by_addr(sm, p);
	if (!l) {
		send_addr(sm, HCI_OP_USER_CONFIRM_NEG_REPLY, p);
		return;
	}
	struct sm_bredr_link *b = &l->br;
	pairing_begin(sm, l, false);
	bool nc = numeric_comparison(l);
	b->step = nc ? "numeric comparison" : "the Just Works confirmation";
	if (!nc && need_mitm(sm, l)) {
		b->refused = sm->cfg.sc_only ? "Secure Connections Only mode needs an authenticated key, and the IO "
					       "capabilities allow only Just Works"
					     : "this side wants level 3 or more (MITM protection), and the IO capabilities "
					       "allow only Just Works";
		send_addr(sm, HCI_OP_USER_CONFIRM_NEG_REPLY, p);
		return;
	}
	sm_ask(sm, l, nc ? L2K_ASK_CONFIRM : L2K_ASK_JUST_WORKS, nc ? get_le32(p + 6) : 0);
}

static void ev_passkey_request(struct sm *sm, const uint8_t *p)
{
	struct sm_link *l = sm_link_by_addr(sm, p);
	if (!l) {
		send_addr(sm, HCI_OP_USER_PASSKEY_NEG_REPLY, p);
		return;
	}
	pairing_begin(sm, l, false);
	l->br.step = "passkey entry";
	sm_ask(sm, l, L2K_ASK_PASSKEY_ENTRY, 0);
}

static void ev_passkey_notification(struct sm *sm, const uint8_t *p)
{
	struct sm_link *l = sm_link_by_addr(sm, p);
	if (!l)
		return;
	pairing_begin(sm, l, false);
	l->br.step = "passkey entry on the peer";
	sm_ask(sm, l, L2K_ASK_PASSKEY_DISPLAY, get_le32(p + 6));
}

static void ev_remote_oob_request(struct sm *sm, const uint8_t *p)
{
	struct sm_link *l = sm_link_by_addr(sm, p);
	const struct l2k_oob_data *d = NULL;
	for (int i = 0; i < L2K_OOB_MAX; i++)
		if (sm->br.oob_remote[i].used && !memcmp(sm->br.oob_remote[i].peer.b, p, 6))
			d = &sm->br.oob_remote[i].d;
	if (l) {
		pairing_begin(sm, l, false);
		l->br.step = "the OOB data check";
	}
	const struct hci_controller_info *in = hci_host_info(sm->hci);
	if (d && d->has_p256 && in->sc && hci_host_cmd_supported(sm->hci, HCI_OP_REMOTE_OOB_EXT_REPLY)) {
		/* BD_ADDR C_192 R_192 C_256 R_256 (7.1.53): zeros for P-192 data we do not have */
		uint8_t r[70] = {0};
		memcpy(r, p, 6);
		if (d->has_p192) {
			memcpy(r + 6, d->c192, 16);
			memcpy(r + 22, d->r192, 16);
		}
		memcpy(r + 38, d->c256, 16);
		memcpy(r + 54, d->r256, 16);
		send(sm, HCI_OP_REMOTE_OOB_EXT_REPLY, r, sizeof(r));
	} else if (d && d->has_p192) {
		uint8_t r[38]; /* BD_ADDR C R (7.1.34) */
		memcpy(r, p, 6);
		memcpy(r + 6, d->c192, 16);
		memcpy(r + 22, d->r192, 16);
		send(sm, HCI_OP_REMOTE_OOB_REPLY, r, sizeof(r));
	} else {
		if (l)
			l->br.refused = "no OOB data of the peer was given (l2k_oob_remote)";
		send_addr(sm, HCI_OP_REMOTE_OOB_NEG_REPLY, p);
	}
}

static void ev_pin_request(struct sm *sm, const uint8_t *p)
{
	struct sm_link *l = sm_link_by_addr(sm, p);
	if (!l) {
		send_addr(sm, HCI_OP_PIN_CODE_NEG_REPLY, p);
		return;
	}
	struct sm_bredr_link *b = &l->br;
	pairing_begin(sm, l, true);
	b->step = "the PIN request";
	if (sm->cfg.sc_only) {
		b->refused = "Secure Connections Only mode refuses legacy PIN pairing";
		send_addr(sm, HCI_OP_PIN_CODE_NEG_REPLY, p);
		if (b->peer_pairing)
			pairing_failed(sm, l, HCI_ERR_PIN_OR_KEY_MISSING);
		return;
	}
	if (b->peer_pairing) {
		b->deadline = sm->now + LEGACY_RESP_MS;
		rearm(sm);
	}
	sm_ask(sm, l, L2K_ASK_PIN, 0);
}

static void ev_simple_pairing_complete(struct sm *sm, const uint8_t *p)
{
	struct sm_link *l = sm_link_by_addr(sm, p + 1);
	if (!l)
		return;
	struct sm_bredr_link *b = &l->br;
	uint8_t st = p[0];
	if (st == HCI_SUCCESS) {
		b->step = "the link key notification";
		return;
	}
	if (b->auth_pending) {
		b->spc_status = st; /* Authentication Complete follows and ends it */
		return;
	}
	if (b->active)
		pairing_failed(sm, l, st);
}

static void ev_link_key_notification(struct sm *sm, const uint8_t *p)
{
	struct sm_link *l = sm_link_by_addr(sm, p);
	if (!l)
		return;
	struct sm_bredr_link *b = &l->br;
	uint8_t type = p[22];
	bool auth, p256;
	key_class(type, b->legacy && b->pin_len == 16, b->key_known && b->key_auth, &auth, &p256);
	b->key_known = true;
	b->key_type = type;
	b->key_auth = auth;
	b->key_p256 = p256;
	b->key_from_store = false;
	b->key_stored = false;
	l->pending_link_key_type = type;
	if (sm->cfg.sc_only && type != HCI_LINK_KEY_AUTH_P256) {
		/* not a key this mode accepts: it protects no level above 2 and is not stored */
		b->key_auth = false;
		b->refused = type == HCI_LINK_KEY_UNAUTH_P256
				     ? "Secure Connections Only mode: the pairing gave an unauthenticated P-256 key"
				     : "Secure Connections Only mode: the pairing gave a P-192 or legacy key (the peer "
				       "has no Secure Connections)";
	} else if (type != HCI_LINK_KEY_DEBUG && bonding_agreed(sm, l)) {
		store_key(sm, l, p + 6, type);
	}
	if (!b->active) {
		/* a key with no pairing seen (Change Connection Link Key ...): the link's key */
		return;
	}
	if (b->auth_pending)
		return; /* this side asked: Authentication Complete ends the pairing */
	/* answering the peer, the pairing ends here */
	if (b->refused) {
		pairing_failed(sm, l, HCI_ERR_AUTH_FAILURE);
		return;
	}
	pairing_succeeded(sm, l);
	if (!l->used)
		return;
	l->busy = false;
	sm_proceed(sm, l);
}

static void start_encryption_after_auth(struct sm *sm, struct sm_link *l, bool new_key)
{
	struct sm_bredr_link *b = &l->br;
	int r;
	if (!l->sec.encrypted) {
		if ((r = set_encryption(sm, l)) < 0) {
			char why[96];
			snprintf(why, sizeof(why), "cannot send Set Connection Encryption: %s", l2k_strerror(r));
			procedure_failed(sm, l, r, why);
		}
		return;
	}
	if (new_key && hci_host_cmd_supported(sm->hci, HCI_OP_REFRESH_ENCRYPTION_KEY)) {
		/* a new key on an encrypted link: pause and resume encryption with it */
		if (send_handle(sm, HCI_OP_REFRESH_ENCRYPTION_KEY, l->handle, -1) == 0) {
			b->refresh_pending = true;
			b->refresh_seq = ++sm->br.seq;
			l->busy = true;
			return;
		}
	}
	l->busy = false;
	sec_from_key(l);
	sm_security_changed(sm, l);
}

static void ev_auth_complete(struct sm *sm, const uint8_t *p)
{
	struct sm_link *l = sm_link_of(sm, get_le16(p + 1) & 0x0FFF);
	if (!l || l->le)
		return;
	struct sm_bredr_link *b = &l->br;
	if (!b->auth_pending)
		return;
	b->auth_pending = false;
	b->auth_seq = 0;
	b->retries = 0;
	uint8_t st = p[0] ? p[0] : b->spc_status;
	b->spc_status = 0;
	if (st == HCI_SUCCESS) {
		bool paired = b->active;
		if (paired) {
			if (b->refused) { /* Secure Connections Only refused the key */
				pairing_failed(sm, l, HCI_ERR_AUTH_FAILURE);
				return;
			}
			pairing_succeeded(sm, l);
			if (!l->used)
				return;
		}
		b->force_pair = false;
		start_encryption_after_auth(sm, l, paired);
		return;
	}
	if ((st == HCI_ERR_AUTH_FAILURE || st == HCI_ERR_PIN_OR_KEY_MISSING) && b->key_from_store && !b->active &&
	    !b->stale_retried) {
		/* the peer no longer has our key (or has another): forget it and pair again, once */
		b->stale_retried = true;
		b->key_known = b->key_from_store = b->key_stored = false;
		if (sm->store.del)
			sm->store.del(sm->store.user, &l->peer, L2K_ADDR_BREDR);
		l->sec.bonded = false;
		b->force_pair = true;
		int r = auth_request(sm, l);
		if (r == 0)
			return;
		char why[96];
		snprintf(why, sizeof(why), "cannot send Authentication Requested: %s", l2k_strerror(r));
		procedure_failed(sm, l, r, why);
		return;
	}
	if (b->active) {
		pairing_failed(sm, l, st);
		return;
	}
	char why[192];
	if (b->key_from_store)
		snprintf(why, sizeof(why),
			 "authentication with the stored link key failed (HCI status 0x%02x %s)%s", st, status_name(st),
			 b->stale_retried ? ": the key was deleted already, and pairing again did not start" : "");
	else
		snprintf(why, sizeof(why), "authentication failed (HCI status 0x%02x %s)", st, status_name(st));
	b->key_from_store = false;
	procedure_failed(sm, l, status_err(st), why);
}

static void encryption_settled(struct sm *sm, struct sm_link *l)
{
	sec_from_key(l);
	l->busy = busy_with_something(l);
	sm_security_changed(sm, l);
}

static bool ev_encrypt_change(struct sm *sm, uint8_t code, const uint8_t *p, size_t len)
{
	if (len < (code == HCI_EV_ENCRYPT_CHANGE_V2 ? 5u : 4u))
		return false;
	struct sm_link *l = sm_link_of(sm, get_le16(p + 1) & 0x0FFF);
	if (!l || l->le)
		return false; /* LE links: sm/smp.c */
	struct sm_bredr_link *b = &l->br;
	bool ours = l->enc_pending;
	l->enc_pending = false;
	b->enc_seq = 0;
	uint8_t st = p[0];
	if (st != HCI_SUCCESS) {
		if (ours) {
			char why[128];
			snprintf(why, sizeof(why), "encryption (Set Connection Encryption) failed (HCI status 0x%02x %s)",
				 st, status_name(st));
			procedure_failed(sm, l, L2K_EAUTH, why);
		}
		return true;
	}
	b->retries = 0;
	b->enc_type = p[3];
	l->sec.encrypted = p[3] != HCI_ENC_OFF;
	l->sec.key_size = 0;
	if (!l->sec.encrypted) {
		encryption_settled(sm, l);
		return true;
	}
	if (code == HCI_EV_ENCRYPT_CHANGE_V2) {
		l->sec.key_size = p[4];
	} else if (hci_host_cmd_supported(sm->hci, HCI_OP_READ_ENCRYPTION_KEY_SIZE) &&
		   send_handle(sm, HCI_OP_READ_ENCRYPTION_KEY_SIZE, l->handle, -1) == 0) {
		b->keysize_pending = true; /* the level waits for the size */
		l->busy = true;
		sec_from_key(l);
		return true;
	} else {
		l->sec.key_size = 16; /* a controller that cannot tell: assume the full size */
	}
	encryption_settled(sm, l);
	return true;
}

static bool ev_key_refresh(struct sm *sm, const uint8_t *p)
{
	struct sm_link *l = sm_link_of(sm, get_le16(p + 1) & 0x0FFF);
	if (!l || l->le)
		return false;
	struct sm_bredr_link *b = &l->br;
	bool ours = b->refresh_pending;
	b->refresh_pending = false;
	b->refresh_seq = 0;
	if (p[0] != HCI_SUCCESS) {
		if (ours) {
			char why[128];
			snprintf(why, sizeof(why), "Refresh Encryption Key failed (HCI status 0x%02x %s)", p[0],
				 status_name(p[0]));
			procedure_failed(sm, l, L2K_EAUTH, why);
		}
		return true;
	}
	encryption_settled(sm, l);
	return true;
}

/* Command Status of a procedure this side started: the oldest link waiting for it. */
static bool ev_cmd_status(struct sm *sm, uint8_t st, uint16_t op)
{
	if (op == HCI_OP_READ_REMOTE_EXT_FEATURES) {
		/* ours (the oldest link reading): a refusal means no answer comes: not Simple Pairing */
		struct sm_link *l = NULL;
		for (int i = 0; i < SM_MAX_LINKS; i++) {
			struct sm_link *c = &sm->links[i];
			if (c->used && !c->le && c->br.feat_seq && (!l || c->br.feat_seq < l->br.feat_seq))
				l = c;
		}
		if (!l)
			return false;
		l->br.feat_seq = 0;
		if (st != HCI_SUCCESS && l->peer_ssp == SM_SSP_READING) {
			feat_refused(sm, l, st);
			rearm(sm);
		}
		return true;
	}
	if (op != HCI_OP_AUTH_REQUESTED && op != HCI_OP_SET_CONN_ENCRYPT && op != HCI_OP_REFRESH_ENCRYPTION_KEY)
		return false;
	struct sm_link *l = NULL;
	uint32_t best = 0;
	for (int i = 0; i < SM_MAX_LINKS; i++) {
		struct sm_link *c = &sm->links[i];
		if (!c->used || c->le)
			continue;
		uint32_t s = op == HCI_OP_AUTH_REQUESTED ? c->br.auth_seq
			     : op == HCI_OP_SET_CONN_ENCRYPT ? c->br.enc_seq
							     : c->br.refresh_seq;
		if (s && (!l || s < best)) {
			l = c;
			best = s;
		}
	}
	if (!l)
		return true;
	struct sm_bredr_link *b = &l->br;
	if (op == HCI_OP_AUTH_REQUESTED)
		b->auth_seq = 0;
	else if (op == HCI_OP_SET_CONN_ENCRYPT)
		b->enc_seq = 0;
	else
		b->refresh_seq = 0;
	if (st == HCI_SUCCESS)
		return true;
	/* refused: the procedure never started */
	if (op == HCI_OP_AUTH_REQUESTED)
		b->auth_pending = false;
	else if (op == HCI_OP_SET_CONN_ENCRYPT)
		l->enc_pending = false;
	else
		b->refresh_pending = false;
	if (st == HCI_ERR_COMMAND_DISALLOWED && b->retries < RETRY_MAX) {
		/* another procedure runs on the link (the peer's, most likely): look again shortly */
		b->retries++;
		b->retry_at = sm->now + RETRY_MS;
		l->busy = true;
		rearm(sm);
		return true;
	}
	char nb[8], why[128];
	snprintf(why, sizeof(why), "the controller refused %s (HCI status 0x%02x %s)", hci_opcode_name(op, nb), st,
		 status_name(st));
	procedure_failed(sm, l, L2K_ECTRL, why);
	return true;
}

static bool ev_cmd_complete(struct sm *sm, uint16_t op, const uint8_t *r, size_t n)
{
	/* r: Status, then the return parameters */
	switch (op) {
	case HCI_OP_READ_ENCRYPTION_KEY_SIZE: {
		if (n < 4) /* Status Connection_Handle(2) Key_Size */
			return true;
		struct sm_link *l = sm_link_of(sm, get_le16(r + 1) & 0x0FFF);
		if (!l || l->le)
			return false;
		if (!l->br.keysize_pending)
			return true;
		l->br.keysize_pending = false;
		l->sec.key_size = r[0] == HCI_SUCCESS && l->sec.encrypted ? r[3] : 0;
		encryption_settled(sm, l);
		return true;
	}
	case HCI_OP_READ_LOCAL_OOB_DATA:
	case HCI_OP_READ_LOCAL_OOB_EXT_DATA: {
		if (sm->br.oob_local_state != 1)
			return true;
		bool ext = op == HCI_OP_READ_LOCAL_OOB_EXT_DATA;
		if (n < 1 || r[0] != HCI_SUCCESS || n < (ext ? 65u : 33u)) {
			sm->br.oob_local_state = L2K_ECTRL;
			return true;
		}
		struct l2k_oob_data *d = &sm->br.oob_local;
		memset(d, 0, sizeof(*d));
		d->has_p192 = true;
		memcpy(d->c192, r + 1, 16);
		memcpy(d->r192, r + 17, 16);
		if (ext) {
			d->has_p256 = true;
			memcpy(d->c256, r + 33, 16);
			memcpy(d->r256, r + 49, 16);
		}
		sm->br.oob_local_state = 2;
		return true;
	}
	default: return false;
	}
}

bool sm_bredr_event(struct sm *sm, uint8_t code, const uint8_t *p, size_t len)
{
	switch (code) {
	case HCI_EV_CMD_STATUS: /* Status Num_HCI_Command_Packets Opcode(2) */
		return len >= 4 && ev_cmd_status(sm, p[0], get_le16(p + 2));
	case HCI_EV_CMD_COMPLETE: /* Num_HCI_Command_Packets Opcode(2) Return_Parameters */
		return len >= 3 && ev_cmd_complete(sm, get_le16(p + 1), p + 3, len - 3);
	case HCI_EV_REMOTE_EXT_FEATURES: ev_remote_ext_features(sm, p, len); return true;
	case HCI_EV_LINK_KEY_REQUEST:
		if (len >= 6)
			ev_link_key_request(sm, p);
		return true;
	case HCI_EV_IO_CAP_REQUEST:
		if (len >= 6)
			ev_io_cap_request(sm, p);
		return true;
	case HCI_EV_IO_CAP_RESPONSE:
		if (len >= 9)
			ev_io_cap_response(sm, p);
		return true;
	case HCI_EV_USER_CONFIRM_REQUEST:
		if (len >= 10)
			ev_user_confirm(sm, p);
		return true;
	case HCI_EV_USER_PASSKEY_REQUEST:
		if (len >= 6)
			ev_passkey_request(sm, p);
		return true;
	case HCI_EV_USER_PASSKEY_NOTIFICATION:
		if (len >= 10)
			ev_passkey_notification(sm, p);
		return true;
	case HCI_EV_REMOTE_OOB_REQUEST:
		if (len >= 6)
			ev_remote_oob_request(sm, p);
		return true;
	case HCI_EV_SIMPLE_PAIRING_COMPLETE:
		if (len >= 7)
			ev_simple_pairing_complete(sm, p);
		return true;
	case HCI_EV_LINK_KEY_NOTIFICATION:
		if (len >= 23)
			ev_link_key_notification(sm, p);
		return true;
	case HCI_EV_PIN_CODE_REQUEST:
		if (len >= 6)
			ev_pin_request(sm, p);
		return true;
	case HCI_EV_KEYPRESS_NOTIFICATION: return true;
	case HCI_EV_AUTH_COMPLETE:
		if (len >= 3)
			ev_auth_complete(sm, p);
		return true;
	case HCI_EV_ENCRYPT_CHANGE:
	case HCI_EV_ENCRYPT_CHANGE_V2: return ev_encrypt_change(sm, code, p, len);
	case HCI_EV_ENCRYPT_KEY_REFRESH: return len >= 3 && ev_key_refresh(sm, p);
	default: return false;
	}
}

/* ---- the agent's answers ---------------------------------------------------------------------- */

void sm_bredr_agent_answer(struct sm *sm, struct sm_link *l, bool accept, uint32_t passkey, const uint8_t *pin,
			   size_t pin_len)
{
	struct sm_bredr_link *b = &l->br;
	const uint8_t *a = l->peer.b;
	switch (l->ask.ask) {
	case L2K_ASK_CONFIRM:
	case L2K_ASK_JUST_WORKS:
		if (!accept)
			b->refused = "refused by this side's agent";
		send_addr(sm, accept ? HCI_OP_USER_CONFIRM_REPLY : HCI_OP_USER_CONFIRM_NEG_REPLY, a);
		break;
	case L2K_ASK_PASSKEY_ENTRY:
		if (accept && passkey <= 999999u) {
			uint8_t r[10];
			memcpy(r, a, 6);
			put_le32(r + 6, passkey);
			send(sm, HCI_OP_USER_PASSKEY_REPLY, r, sizeof(r));
		} else {
			b->refused = accept ? "the passkey given is above 999999" : "refused by this side's agent";
			send_addr(sm, HCI_OP_USER_PASSKEY_NEG_REPLY, a);
		}
		break;
	case L2K_ASK_PIN:
		if (accept && pin && pin_len >= 1 && pin_len <= 16) {
			uint8_t r[23] = {0}; /* BD_ADDR PIN_Code_Length PIN_Code(16) (7.1.12) */
			memcpy(r, a, 6);
			r[6] = (uint8_t)pin_len;
			memcpy(r + 7, pin, pin_len);
			send(sm, HCI_OP_PIN_CODE_REPLY, r, sizeof(r));
			memset(r, 0, sizeof(r));
			b->pin_len = (uint8_t)pin_len;
			b->step = "the PIN comparison";
		} else {
			b->refused = accept ? "the PIN given is not 1..16 characters" : "refused by this side's agent";
			send_addr(sm, HCI_OP_PIN_CODE_NEG_REPLY, a);
		}
		if (b->peer_pairing) {
			if (!accept || !pin || pin_len < 1 || pin_len > 16) {
				pairing_failed(sm, l, HCI_ERR_PIN_OR_KEY_MISSING);
				return;
			}
			b->deadline = sm->now + LEGACY_RESP_MS;
			rearm(sm);
		}
		break;
	default: break;
	}
}

/* ---- Out of Band data ------------------------------------------------------------------------- */

int sm_oob_local_read(struct sm *sm)
{
	const struct hci_controller_info *in = hci_host_info(sm->hci);
	if (!in->bredr || !in->ssp)
		return L2K_ENOTSUP;
	if (sm->br.oob_local_state == 1)
		return 0; /* a read is under way: its answer is the newest */
	bool ext = in->sc && hci_host_cmd_supported(sm->hci, HCI_OP_READ_LOCAL_OOB_EXT_DATA);
	int r = send(sm, ext ? HCI_OP_READ_LOCAL_OOB_EXT_DATA : HCI_OP_READ_LOCAL_OOB_DATA, NULL, 0);
	if (r < 0)
		return r;
	sm->br.oob_local_state = 1;
	return 0;
}

int sm_oob_local_result(const struct sm *sm, struct l2k_oob_data *out)
{
	switch (sm->br.oob_local_state) {
	case 0: return L2K_ENOENT;
	case 1: return L2K_EAGAIN;
	case 2: *out = sm->br.oob_local; return 0;
	default: return sm->br.oob_local_state;
	}
}

int sm_oob_remote(struct sm *sm, const l2k_addr *peer, const struct l2k_oob_data *data)
{
	int slot = -1;
	for (int i = 0; i < L2K_OOB_MAX; i++) {
		if (sm->br.oob_remote[i].used && !memcmp(sm->br.oob_remote[i].peer.b, peer->b, 6)) {
			slot = i;
			break;
		}
		if (!sm->br.oob_remote[i].used && slot < 0)
			slot = i;
	}
	if (!data) {
		if (slot >= 0 && sm->br.oob_remote[slot].used)
			memset(&sm->br.oob_remote[slot], 0, sizeof(sm->br.oob_remote[slot]));
		return 0;
	}
	if (slot < 0)
		return L2K_ENOBUFS;
	sm->br.oob_remote[slot].used = true;
	sm->br.oob_remote[slot].peer = *peer;
	sm->br.oob_remote[slot].d = *data;
	return 0;
}
