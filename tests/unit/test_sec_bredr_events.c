/* The BR/EDR half of the security manager (sm/bredr.c) fed HCI events directly, over a scripted
 * fake controller (test_hci_fake.h): requests for a peer without a link get the negative replies
 * the spec has for them, events shorter than their parameters are ignored (nothing read past
 * them, nothing sent), and a long random mix of security events, command answers, agent
 * answers, level requests, pairings, time and links going down never breaks the manager: every
 * caller of sm_secure / sm_pair is answered exactly once, never inside its call. */
#include "tests/unit/test_hci_fake.h"

#include "sm/sm.h"

#define HANDLE 0x0042
static const uint8_t PEER[6] = {1, 2, 3, 4, 5, 6};
static const uint8_t STRANGER[6] = {9, 9, 9, 9, 9, 9};

/* ---- a memory key store of one bond ---------------------------------------------------------- */

struct store1 {
	bool has;
	struct l2k_bond b;
	int puts, dels;
};

static int s_get(void *u, const l2k_addr *peer, enum l2k_addr_type type, struct l2k_bond *out)
{
	struct store1 *s = u;
	if (!s->has || memcmp(s->b.peer.b, peer->b, 6) || s->b.peer_type != type)
		return L2K_ENOENT;
	*out = s->b;
	return 0;
}

static int s_put(void *u, const struct l2k_bond *b)
{
	struct store1 *s = u;
	s->b = *b;
	s->has = true;
	s->puts++;
	return 0;
}

static int s_del(void *u, const l2k_addr *peer, enum l2k_addr_type type)
{
	struct store1 *s = u;
	if (!s->has || memcmp(s->b.peer.b, peer->b, 6) || s->b.peer_type != type)
		return L2K_ENOENT;
	s->has = false;
	s->dels++;
	return 0;
}

/* ---- the manager over the fake ----------------------------------------------------------------- */

struct rig {
	struct fake f;
	struct sm *sm;
	struct store1 store;
	int asks;
	struct l2k_agent_request last_ask;
	int paired;
	bool in_call; /* inside sm_secure / sm_pair */
	int calls;
	int done[16384]; /* per successful sm_secure / sm_pair call: how often answered */
};

static void r_ask(void *u, const struct l2k_agent_request *q)
{
	struct rig *r = u;
	r->asks++;
	r->last_ask = *q;
}

static void r_paired(void *u, uint16_t handle, const l2k_addr *peer, enum l2k_addr_type type, int err, const char *why)
{
	struct rig *r = u;
	(void)handle;
	(void)peer;
	(void)type;
	assert_non_null(why);
	assert_true(err <= 0);
	r->paired++;
}

static void r_done(void *arg, uint16_t handle, int err)
{
	int *count = arg;
	(void)handle;
	(void)err;
	(*count)++;
	assert_int_equal(*count, 1);
}

/* feat_read: the controller has extended features and Read Remote Extended Features (the
 * manager then reads the peer's host features at link up: Security Mode 4) */
static struct rig *rig_new_opts(bool with_link, bool feat_read, bool no_mode4)
{
	struct rig *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	fake_init(&r->f, true, false);
	if (feat_read) {
		set_bit(r->f.features, HCI_FEAT_EXTENDED_FEATURES);
		set_bit(r->f.commands, HCI_CMDBIT_READ_REMOTE_EXT_FEATURES);
	}
	const uint16_t bits[] = {HCI_CMDBIT_WRITE_SSP_MODE, HCI_CMDBIT_WRITE_SC_HOST_SUPPORT,
				 HCI_CMDBIT_READ_ENCRYPTION_KEY_SIZE, HCI_CMDBIT_REFRESH_ENCRYPTION_KEY,
				 HCI_CMDBIT_READ_LOCAL_OOB_EXT_DATA, HCI_CMDBIT_REMOTE_OOB_EXT_REPLY};
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		set_bit(r->f.commands, bits[i]);
	bring_up(&r->f);
	struct sm_config cfg;
	sm_config_default(&cfg);
	cfg.io_cap = L2K_IO_DISPLAY_YESNO;
	cfg.no_mode4 = no_mode4;
	struct l2k_key_store ks = {.user = &r->store, .get = s_get, .put = s_put, .del = s_del};
	struct sm_ops ops = {.user = r, .ask = r_ask, .paired = r_paired};
	r->sm = sm_new(r->f.h, NULL, &cfg, &ks, &ops);
	assert_non_null(r->sm);
	if (with_link) {
		struct hci_link_info li = {.handle = HANDLE, .type = HCI_LINK_BREDR, .role = 0};
		memcpy(li.peer.b, PEER, 6);
		sm_link_up(r->sm, &li);
	}
	return r;
}

static struct rig *rig_new(bool with_link)
{
	return rig_new_opts(with_link, false, false);
}

static void rig_free(struct rig *r)
{
	sm_free(r->sm);
	hci_host_free(r->f.h);
	free(r);
}

static void feed(struct rig *r, uint8_t code, const uint8_t *p, size_t n)
{
	uint8_t b[2 + 255];
	b[0] = code;
	b[1] = (uint8_t)n;
	memcpy(b + 2, p, n);
	sm_hci_event(r->sm, b, 2 + n);
}

/* The n-th command sent since the last reset (NULL if fewer). */
static const struct pkt *cmd(struct rig *r, int n)
{
	int k = 0;
	for (int i = 0; i < r->f.nout; i++)
		if (r->f.out[i].type == HCI_H4_CMD && k++ == n)
			return &r->f.out[i];
	return NULL;
}

static void flush_cmds(struct rig *r)
{
	answer_all(&r->f);
	r->f.nout = r->f.answered = 0;
}

/* ---- no link for the peer ------------------------------------------------------------------- */

static void test_requests_for_a_peer_without_a_link_are_refused(void **st)
{
	(void)st;
	struct rig *r = rig_new(true);
	static const struct {
		uint8_t code;
		uint8_t len;
		uint16_t reply;
	} t[] = {
	    {HCI_EV_LINK_KEY_REQUEST, 6, HCI_OP_LINK_KEY_NEG_REPLY},
	    {HCI_EV_IO_CAP_REQUEST, 6, HCI_OP_IO_CAP_NEG_REPLY},
	    {HCI_EV_USER_CONFIRM_REQUEST, 10, HCI_OP_USER_CONFIRM_NEG_REPLY},
	    {HCI_EV_USER_PASSKEY_REQUEST, 6, HCI_OP_USER_PASSKEY_NEG_REPLY},
	    {HCI_EV_REMOTE_OOB_REQUEST, 6, HCI_OP_REMOTE_OOB_NEG_REPLY},
	    {HCI_EV_PIN_CODE_REQUEST, 6, HCI_OP_PIN_CODE_NEG_REPLY},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint8_t p[10] = {0};
		memcpy(p, STRANGER, 6);
		feed(r, t[i].code, p, t[i].len);
		const struct pkt *c = cmd(r, 0);
		assert_non_null(c);
		assert_int_equal(opcode_of(c), t[i].reply);
		assert_memory_equal(c->b + 3, STRANGER, 6);
		if (t[i].reply == HCI_OP_IO_CAP_NEG_REPLY)
			assert_int_equal(c->b[3 + 6], HCI_ERR_PAIRING_NOT_ALLOWED);
		assert_null(cmd(r, 1));
		flush_cmds(r);
	}
	assert_int_equal(r->asks, 0);
	rig_free(r);
}

/* ---- short events ------------------------------------------------------------------------ */

static void test_events_shorter_than_their_parameters_are_ignored(void **st)
{
	(void)st;
	static const struct {
		uint8_t code, len;
	} t[] = {
	    {HCI_EV_LINK_KEY_REQUEST, 6},	 {HCI_EV_IO_CAP_REQUEST, 6},	     {HCI_EV_IO_CAP_RESPONSE, 9},
	    {HCI_EV_USER_CONFIRM_REQUEST, 10}, {HCI_EV_USER_PASSKEY_REQUEST, 6},   {HCI_EV_USER_PASSKEY_NOTIFICATION, 10},
	    {HCI_EV_REMOTE_OOB_REQUEST, 6},	 {HCI_EV_SIMPLE_PAIRING_COMPLETE, 7}, {HCI_EV_LINK_KEY_NOTIFICATION, 23},
	    {HCI_EV_PIN_CODE_REQUEST, 6},	 {HCI_EV_AUTH_COMPLETE, 3},	     {HCI_EV_ENCRYPT_CHANGE, 4},
	    {HCI_EV_ENCRYPT_CHANGE_V2, 5},	 {HCI_EV_ENCRYPT_KEY_REFRESH, 3},    {HCI_EV_CMD_STATUS, 4},
	    {HCI_EV_CMD_COMPLETE, 3},
	};
	struct rig *r = rig_new(true);
	/* a request under way, so that the answers the short events would end are pending */
	int done = 0;
	assert_int_equal(sm_secure(r->sm, HANDLE, 3, r_done, &done), 0);
	flush_cmds(r);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		for (uint8_t n = 0; n < t[i].len; n++) {
			/* parameters that would make a reply: our peer, our handle, success */
			uint8_t p[32];
			memset(p, 0, sizeof(p));
			memcpy(p, PEER, n < 6 ? n : 6);
			if (t[i].code == HCI_EV_AUTH_COMPLETE || t[i].code == HCI_EV_ENCRYPT_CHANGE ||
			    t[i].code == HCI_EV_ENCRYPT_CHANGE_V2 || t[i].code == HCI_EV_ENCRYPT_KEY_REFRESH) {
				memset(p, 0, sizeof(p));
				p[1] = HANDLE;
				p[3] = 1;
			}
			feed(r, t[i].code, p, n);
			assert_int_equal(r->f.nout, 0);
		}
	}
	assert_int_equal(r->asks, 0);
	assert_int_equal(r->paired, 0);
	assert_int_equal(done, 0);
	struct l2k_link_security ls;
	assert_int_equal(sm_link_security(r->sm, HANDLE, &ls), 0);
	assert_false(ls.encrypted);
	rig_free(r);
	assert_int_equal(done, 1); /* ended by the link going down with the manager */
}

/* ---- a random mix ---------------------------------------------------------------------------- */

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

static void test_random_event_mix_answers_every_caller_once(void **st)
{
	(void)st;
	static const uint8_t codes[] = {
	    HCI_EV_LINK_KEY_REQUEST,	     HCI_EV_IO_CAP_REQUEST,	     HCI_EV_IO_CAP_RESPONSE,
	    HCI_EV_USER_CONFIRM_REQUEST,     HCI_EV_USER_PASSKEY_REQUEST,     HCI_EV_USER_PASSKEY_NOTIFICATION,
	    HCI_EV_REMOTE_OOB_REQUEST,	     HCI_EV_SIMPLE_PAIRING_COMPLETE, HCI_EV_LINK_KEY_NOTIFICATION,
	    HCI_EV_PIN_CODE_REQUEST,	     HCI_EV_AUTH_COMPLETE,	     HCI_EV_ENCRYPT_CHANGE,
	    HCI_EV_ENCRYPT_CHANGE_V2,	     HCI_EV_ENCRYPT_KEY_REFRESH,     HCI_EV_KEYPRESS_NOTIFICATION,
	    HCI_EV_CMD_STATUS,		     HCI_EV_CMD_COMPLETE};
	static const uint16_t ops[] = {HCI_OP_AUTH_REQUESTED, HCI_OP_SET_CONN_ENCRYPT, HCI_OP_REFRESH_ENCRYPTION_KEY,
				       HCI_OP_READ_ENCRYPTION_KEY_SIZE, HCI_OP_READ_LOCAL_OOB_DATA,
				       HCI_OP_READ_LOCAL_OOB_EXT_DATA, HCI_OP_RESET};
	struct rig *r = rig_new(true);
	uint64_t seed = 0x5eed, now = 0;
	bool link = true;
	for (int it = 0; it < 200000; it++) {
		uint32_t x = rnd(&seed);
		switch (x % 16) {
		case 0: { /* a level, or a pairing */
			if (!link || r->calls == (int)(sizeof(r->done) / sizeof(r->done[0])))
				break;
			int *d = &r->done[r->calls];
			int rc = (x >> 8) % 5 == 0 ? sm_pair(r->sm, HANDLE, r_done, d)
						   : sm_secure(r->sm, HANDLE, (uint8_t)(1 + (x >> 12) % 4), r_done, d);
			assert_int_equal(*d, 0); /* never inside the call */
			if (rc == 0)
				r->calls++;
			else
				assert_int_equal(rc, L2K_EBUSY);
			break;
		}
		case 1: /* the agent answers (or not) */
			sm_agent_reply(r->sm, HANDLE, (x >> 8) & 1, (x >> 9) % 1200000, (const uint8_t *)"0123456789abcdefXYZ",
				       (x >> 16) % 20);
			break;
		case 2: /* time */
			now += (x >> 8) % 40000;
			sm_tick(r->sm, now);
			break;
		case 3: /* the link goes and comes back */
			if ((x >> 8) % 50)
				break;
			if (link)
				sm_link_down(r->sm, HANDLE, HCI_ERR_CONN_TIMEOUT);
			else {
				struct hci_link_info li = {.handle = HANDLE, .type = HCI_LINK_BREDR};
				memcpy(li.peer.b, PEER, 6);
				sm_link_up(r->sm, &li);
			}
			link = !link;
			break;
		case 4:
			if ((x >> 8) % 8 == 0)
				sm_oob_local_read(r->sm);
			else {
				l2k_addr pa;
				memcpy(pa.b, PEER, 6);
				struct l2k_oob_data d = {.has_p192 = x & 0x100, .has_p256 = x & 0x200};
				sm_oob_remote(r->sm, &pa, (x & 0x400) ? NULL : &d);
			}
			break;
		default: { /* an event about our peer / handle (mostly), of any length */
			uint8_t p[80];
			for (size_t i = 0; i < sizeof(p); i++)
				p[i] = (uint8_t)rnd(&seed);
			uint8_t code = codes[(x >> 4) % sizeof(codes)];
			bool by_addr = code != HCI_EV_AUTH_COMPLETE && code != HCI_EV_ENCRYPT_CHANGE &&
				       code != HCI_EV_ENCRYPT_CHANGE_V2 && code != HCI_EV_ENCRYPT_KEY_REFRESH;
			if ((x >> 10) % 8) {
				if (code == HCI_EV_SIMPLE_PAIRING_COMPLETE)
					memcpy(p + 1, PEER, 6);
				else if (by_addr)
					memcpy(p, PEER, 6);
				else
					put_le16(p + 1, HANDLE);
				if ((x >> 13) % 2)
					p[0] = 0; /* success */
				if (code == HCI_EV_LINK_KEY_NOTIFICATION)
					p[22] %= 10;
			}
			if (code == HCI_EV_CMD_STATUS)
				put_le16(p + 2, ops[(x >> 14) % (sizeof(ops) / sizeof(ops[0]))]);
			if (code == HCI_EV_CMD_COMPLETE) {
				put_le16(p + 1, ops[(x >> 14) % (sizeof(ops) / sizeof(ops[0]))]);
				if ((x >> 17) % 2)
					put_le16(p + 4, HANDLE);
			}
			feed(r, code, p, (x >> 20) % 70);
			break;
		}
		}
		if (r->f.nout > MAXPKT / 2)
			flush_cmds(r);
		struct l2k_link_security ls;
		if (link && sm_link_security(r->sm, HANDLE, &ls) == 0)
			assert_true(ls.level >= 1 && ls.level <= 4);
	}
	int calls = r->calls;
	print_message("  %d calls, %d questions, %d pairings ended, %d keys stored, %d deleted\n", calls, r->asks,
		      r->paired, r->store.puts, r->store.dels);
	/* the mix reached the manager's paths, not only its length checks */
	assert_true(r->asks > 100 && r->paired > 100 && r->store.puts > 10);
	int *done = malloc(sizeof(r->done));
	assert_non_null(done);
	sm_free(r->sm); /* ends what still waits */
	memcpy(done, r->done, sizeof(r->done));
	r->sm = NULL;
	hci_host_free(r->f.h);
	free(r);
	assert_true(calls > 1000);
	for (int i = 0; i < calls; i++)
		if (done[i] != 1)
			fail_msg("call %d answered %d times", i, done[i]);
	free(done);
}

/* ---- the peer's host features (Security Mode 4) --------------------------------------------- */

/* Read Remote Extended Features Complete for HANDLE: status, page, the host features' octet 0 */
static void ext_features(struct rig *r, uint8_t status, uint8_t page, uint8_t host0, size_t len)
{
	uint8_t p[13] = {status, 0, 0, page, 2, host0};
	put_le16(p + 1, HANDLE);
	feed(r, HCI_EV_REMOTE_EXT_FEATURES, p, len);
}

/* How the read ends: 0 the page says SSP host, 1 the page says no SSP, 2 an error event, 3 the
 * command refused (Command Status: Unsupported Feature), 4 no answer at all (the bound: 10 s) */
static void features_end(int how)
{
	struct rig *r = rig_new_opts(true, true, false);
	/* at link up: Read Remote Extended Features, page 1 */
	const struct pkt *c = cmd(r, 0);
	assert_non_null(c);
	assert_int_equal(opcode_of(c), HCI_OP_READ_REMOTE_EXT_FEATURES);
	assert_int_equal(c->b[2], 3);
	assert_int_equal(get_le16(c->b + 3), HANDLE);
	assert_int_equal(c->b[5], 1);
	assert_int_equal(sm_link_mode4(r->sm, HANDLE), L2K_EAGAIN);
	/* a caller of level 1 waits for the answer (it decides whether level 1 is enough) */
	int done = 0;
	assert_int_equal(sm_secure(r->sm, HANDLE, L2K_SEC_LOW, r_done, &done), 0);
	sm_tick(r->sm, 1);
	assert_int_equal(done, 0);
	/* a short event, another page: not the answer */
	ext_features(r, 0, 1, 0x01, 12);
	ext_features(r, 0, 2, 0x01, 13);
	sm_tick(r->sm, 2);
	assert_int_equal(done, 0);
	assert_int_equal(sm_link_mode4(r->sm, HANDLE), L2K_EAGAIN);
	uint8_t cs[4] = {HCI_SUCCESS, 1, 0, 0};
	put_le16(cs + 2, HCI_OP_READ_REMOTE_EXT_FEATURES);
	switch (how) {
	case 0: ext_features(r, 0, 1, 0x01 | 0x08, 13); break;
	case 1: ext_features(r, 0, 1, 0x08, 13); break; /* SC host bit, no SSP host bit */
	case 2: ext_features(r, HCI_ERR_UNSUPPORTED_REMOTE, 1, 0x01, 13); break;
	case 3:
		cs[0] = HCI_ERR_UNSUPPORTED;
		feed(r, HCI_EV_CMD_STATUS, cs, 4);
		break;
	default:
		feed(r, HCI_EV_CMD_STATUS, cs, 4); /* accepted, and then nothing */
		sm_tick(r->sm, 9999);
		assert_int_equal(done, 0);
		sm_tick(r->sm, 10001);
		break;
	}
	sm_tick(r->sm, 20000);
	assert_int_equal(done, 1); /* answered: level 1 is there either way */
	assert_int_equal(sm_link_mode4(r->sm, HANDLE), how == 0 ? 1 : 0);
	rig_free(r);
}

static void test_peer_ssp_host_bit_makes_mode4(void **st)
{
	features_end(0);
}

static void test_peer_without_ssp_host_bit_is_legacy(void **st)
{
	features_end(1);
}

static void test_features_error_event_counts_as_legacy(void **st)
{
	features_end(2);
}

static void test_features_command_refused_counts_as_legacy(void **st)
{
	features_end(3);
}

static void test_features_never_answered_counts_as_legacy_after_10_s(void **st)
{
	features_end(4);
}

/* A Command Status to the HCI host (it frees the command slot, so the next command goes out)
 * and to the manager. */
static void status_both(struct rig *r, const uint8_t cs[4])
{
	evt(&r->f, HCI_EV_CMD_STATUS, cs, 4);
	feed(r, HCI_EV_CMD_STATUS, cs, 4);
}

/* How many Read Remote Extended Features commands were sent so far. */
static int feature_reads(struct rig *r)
{
	int n = 0;
	for (const struct pkt *c; (c = cmd(r, n)) && opcode_of(c) == HCI_OP_READ_REMOTE_EXT_FEATURES;)
		n++;
	return n;
}

/* A controller busy with something else refuses the read (Command Disallowed, Controller
 * Busy, Memory Capacity Exceeded; in its Command Status or its Complete event): it is read
 * again 200 ms later, and the peer's answer then counts (before, the first refusal made a
 * Simple Pairing peer count as legacy: no Security Mode 4, and a desktop refused the
 * channel).  A controller that stays busy: 4 reads, then legacy. */
static void test_features_read_again_when_the_controller_is_busy(void **st)
{
	const uint8_t busy[3] = {HCI_ERR_COMMAND_DISALLOWED, HCI_ERR_CONTROLLER_BUSY, HCI_ERR_MEMORY_FULL};
	for (int k = 0; k < 3; k++) {
		struct rig *r = rig_new_opts(true, true, false);
		int done = 0;
		assert_int_equal(sm_secure(r->sm, HANDLE, L2K_SEC_LOW, r_done, &done), 0);
		uint8_t cs[4] = {busy[k], 1, 0, 0};
		put_le16(cs + 2, HCI_OP_READ_REMOTE_EXT_FEATURES);
		status_both(r, cs); /* refused at once */
		sm_tick(r->sm, 199);
		assert_int_equal(feature_reads(r), 1);
		sm_tick(r->sm, 200);
		assert_int_equal(feature_reads(r), 2);
		assert_int_equal(sm_link_mode4(r->sm, HANDLE), L2K_EAGAIN);
		assert_int_equal(done, 0);
		cs[0] = HCI_SUCCESS;
		status_both(r, cs);
		ext_features(r, busy[k], 0, 0, 13); /* the Complete event says busy (page 0) */
		sm_tick(r->sm, 400);
		assert_int_equal(feature_reads(r), 3);
		status_both(r, cs);
		ext_features(r, 0, 1, 0x01, 13);
		sm_tick(r->sm, 401);
		assert_int_equal(done, 1);
		assert_int_equal(sm_link_mode4(r->sm, HANDLE), 1);
		assert_int_equal(feature_reads(r), 3);
		rig_free(r);
	}
	/* always busy */
	struct rig *r = rig_new_opts(true, true, false);
	uint8_t cs[4] = {HCI_ERR_COMMAND_DISALLOWED, 1, 0, 0};
	put_le16(cs + 2, HCI_OP_READ_REMOTE_EXT_FEATURES);
	for (int i = 1; i <= 4; i++) {
		assert_int_equal(feature_reads(r), i);
		assert_int_equal(sm_link_mode4(r->sm, HANDLE), L2K_EAGAIN);
		status_both(r, cs);
		sm_tick(r->sm, 200u * (unsigned)i);
	}
	assert_int_equal(feature_reads(r), 4);
	assert_int_equal(sm_link_mode4(r->sm, HANDLE), 0);
	rig_free(r);
}

/* An IO Capability exchange tells it before the read's answer: the peer's host does SSP. */
static void test_io_capability_exchange_means_ssp(void **st)
{
	struct rig *r = rig_new_opts(true, true, false);
	int done = 0;
	assert_int_equal(sm_secure(r->sm, HANDLE, L2K_SEC_LOW, r_done, &done), 0);
	uint8_t p[9] = {0};
	memcpy(p, PEER, 6);
	p[6] = 3;
	feed(r, HCI_EV_IO_CAP_RESPONSE, p, 9);
	sm_tick(r->sm, 1);
	assert_int_equal(done, 1);
	assert_int_equal(sm_link_mode4(r->sm, HANDLE), 1);
	/* the read's late answer changes nothing */
	ext_features(r, 0, 1, 0x00, 13);
	assert_int_equal(sm_link_mode4(r->sm, HANDLE), 1);
	rig_free(r);
}

/* No read without the command or extended features, or with the opt-out: Security Mode 4 does
 * not apply, and a level-1 caller is answered at once. */
static void test_no_read_without_the_command_or_with_the_opt_out(void **st)
{
	for (int k = 0; k < 2; k++) {
		struct rig *r = rig_new_opts(true, k == 1, k == 1);
		assert_null(cmd(r, 0));
		assert_int_equal(sm_link_mode4(r->sm, HANDLE), 0);
		int done = 0;
		assert_int_equal(sm_secure(r->sm, HANDLE, L2K_SEC_LOW, r_done, &done), 0);
		sm_tick(r->sm, 1);
		assert_int_equal(done, 1);
		rig_free(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_requests_for_a_peer_without_a_link_are_refused),
	    cmocka_unit_test(test_events_shorter_than_their_parameters_are_ignored),
	    cmocka_unit_test(test_random_event_mix_answers_every_caller_once),
	    cmocka_unit_test(test_peer_ssp_host_bit_makes_mode4),
	    cmocka_unit_test(test_peer_without_ssp_host_bit_is_legacy),
	    cmocka_unit_test(test_features_error_event_counts_as_legacy),
	    cmocka_unit_test(test_features_command_refused_counts_as_legacy),
	    cmocka_unit_test(test_features_never_answered_counts_as_legacy_after_10_s),
	    cmocka_unit_test(test_features_read_again_when_the_controller_is_busy),
	    cmocka_unit_test(test_io_capability_exchange_means_ssp),
	    cmocka_unit_test(test_no_read_without_the_command_or_with_the_opt_out),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
