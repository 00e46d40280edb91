/* The IUT side of the control protocol (iut_core.h). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/l2tester/iut_core.h"
#include "tools/l2tester/lt_printf.h"

#define IUT_SERVERS 16
#define IUT_SDU_MAX 4096 /* the largest SDU an event line or a send request carries */

struct iut_slot {
	struct iut_core *c;
	int n;	      /* chan number (index + 1) */
	l2k_chan *ch; /* NULL: free */
	bool pending; /* offered with accept=pending: l2k_chan_accept at the next iut_core_poll */
};

struct iut_server {
	struct iut_core *c;
	l2k_server *srv;
	uint16_t psm;
	bool le;
	int accept; /* 0 accept, 1 pending, else an L2CAP result to refuse with */
	struct l2k_chan_opts opts;
};

struct iut_core {
	l2k_stack *s;
	void (*emit)(void *u, const char *line);
	void *u;
	struct iut_slot slots[IUT_CORE_CHANS];
	struct iut_server servers[IUT_SERVERS];
	bool adv_keep; /* LE advertising kept on between cases (iut_core_keep_advertising) */
	uint16_t cl_psm; /* cl-listen: the PSM whose connectionless data (CID 0x0002) is taken (0: none) */
	bool le_linking; /* a "link" request's LE attempt, to le_link_addr: given up at "reset" */
	l2k_addr le_link_addr;
	char pin[17];	 /* set pin=: the PIN the IUT's user enters for legacy pairing ("": none) */
};

static void emitf(struct iut_core *c, const char *fmt, ...) LT_PRINTF(2, 3);
static void emitf(struct iut_core *c, const char *fmt, ...)
{
	char line[2 * IUT_SDU_MAX + 128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	c->emit(c->u, line);
}

struct iut_core *iut_core_new(l2k_stack *s, void (*emit)(void *u, const char *line), void *u)
{
	struct iut_core *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->s = s;
	c->emit = emit;
	c->u = u;
	for (int i = 0; i < IUT_CORE_CHANS; i++) {
		c->slots[i].c = c;
		c->slots[i].n = i + 1;
	}
	for (int i = 0; i < IUT_SERVERS; i++)
		c->servers[i].c = c;
	return c;
}

static void forget_all(struct iut_core *c, bool close)
{
	for (int i = 0; i < IUT_CORE_CHANS; i++) {
		l2k_chan *ch = c->slots[i].ch;
		if (!ch)
			continue;
		c->slots[i].ch = NULL;
		struct l2k_chan_cbs none = {0};
		l2k_chan_set_cbs(ch, &none);
		if (close)
			l2k_chan_close(ch);
	}
	for (int i = 0; i < IUT_SERVERS; i++) {
		if (c->servers[i].srv)
			l2k_server_remove(c->servers[i].srv);
		c->servers[i].srv = NULL;
	}
	if (c->cl_psm)
		l2k_fixed_unbind(c->s, 0x0002, false);
	c->cl_psm = 0;
}

void iut_core_free(struct iut_core *c)
{
	if (!c)
		return;
	forget_all(c, false);
	free(c);
}

static const char *reason_name(enum l2k_close_reason r)
{
	static const char *n[] = {"local",    "remote",	      "link-lost",   "refused",	 "timeout", "protocol",
				  "max-transmit", "config-failed", "link-failed", "security", "controller"};
	return (unsigned)r < sizeof(n) / sizeof(n[0]) ? n[r] : "other";
}

static void hex(char *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = 0;
}

static void cb_open(void *user, l2k_chan *ch)
{
	struct iut_slot *sl = user;
	struct l2k_chan_info ci;
	if (l2k_chan_get_info(ch, &ci) < 0)
		memset(&ci, 0, sizeof(ci));
	emitf(sl->c, "event open chan=%d psm=%u mode=%s mtu=%u peer-mtu=%u mps=%u peer-mps=%u", sl->n, ci.psm,
	      l2k_mode_name(ci.mode), ci.local_mtu, ci.remote_mtu, ci.local_mps, ci.remote_mps);
}

static void cb_recv(void *user, l2k_chan *ch, const uint8_t *sdu, size_t len)
{
	struct iut_slot *sl = user;
	(void)ch;
	static char h[2 * IUT_SDU_MAX + 1];
	hex(h, sdu, len < IUT_SDU_MAX ? len : IUT_SDU_MAX);
	emitf(sl->c, "event data chan=%d len=%zu hex=%s", sl->n, len, h);
}

static void cb_closed(void *user, l2k_chan *ch, enum l2k_close_reason reason)
{
	struct iut_slot *sl = user;
	struct l2k_chan_info ci;
	char res[24] = "";
	if (reason == L2K_CLOSE_REFUSED && l2k_chan_get_info(ch, &ci) == 0)
		snprintf(res, sizeof(res), " result=%u", ci.result);
	sl->ch = NULL;
	emitf(sl->c, "event closed chan=%d reason=%s%s", sl->n, reason_name(reason), res);
}

static struct iut_slot *new_slot(struct iut_core *c)
{
	for (int i = 0; i < IUT_CORE_CHANS; i++)
		if (!c->slots[i].ch) {
			c->slots[i].pending = false;
			return &c->slots[i];
		}
	return NULL;
}

static struct l2k_chan_cbs slot_cbs(struct iut_slot *sl)
{
	struct l2k_chan_cbs cb = {.user = sl, .open = cb_open, .recv = cb_recv, .closed = cb_closed};
	return cb;
}

static int srv_accept(void *user, const struct l2k_conn_request *req, struct l2k_chan_opts *opts,
		      struct l2k_chan_cbs *cbs)
{
	struct iut_server *sv = user;
	if (sv->accept != 0 && sv->accept != L2K_ACCEPT_PENDING)
		return sv->accept;
	struct iut_slot *sl = new_slot(sv->c);
	if (!sl)
		return 0x0004; /* no resources */
	sl->ch = req->chan;
	sl->pending = sv->accept == L2K_ACCEPT_PENDING;
	*opts = sv->opts;
	*cbs = slot_cbs(sl);
	return sv->accept;
}

void iut_core_poll(struct iut_core *c)
{
	/* the IUT's user: a PIN question (legacy BR/EDR pairing) is answered with the PIN of
	 * "set pin=" (refused without one), numeric comparison is confirmed; Just Works needs no
	 * answer (l2kit accepts it without an agent) */
	struct l2k_agent_request rq;
	while (l2k_agent_wait(c->s, &rq, 0) == 0) {
		if (rq.ask == L2K_ASK_PIN)
			l2k_agent_reply(c->s, rq.handle, c->pin[0] != 0, 0, c->pin[0] ? c->pin : NULL);
		else if (rq.ask == L2K_ASK_CONFIRM)
			l2k_agent_reply(c->s, rq.handle, true, 0, NULL);
	}
	for (int i = 0; i < IUT_CORE_CHANS; i++) {
		struct iut_slot *sl = &c->slots[i];
		if (sl->ch && sl->pending) {
			sl->pending = false;
			l2k_chan_accept(sl->ch, 0, NULL);
		}
	}
}

/* ---- request parsing ------------------------------------------------------------------------ */

struct kv {
	char key[16];
	char val[2 * IUT_SDU_MAX + 1];
};

#define MAX_KV 12

static int split(const char *req, char *verb, size_t vn, struct kv *kv, int *nkv, char *why, size_t wn)
{
	const char *p = req;
	size_t i = 0;
	while (*p == ' ')
		p++;
	while (*p && *p != ' ' && i + 1 < vn)
		verb[i++] = *p++;
	verb[i] = 0;
	*nkv = 0;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (*nkv == MAX_KV) {
			snprintf(why, wn, "too many fields");
			return -1;
		}
		struct kv *e = &kv[(*nkv)++];
		i = 0;
		while (*p && *p != '=' && *p != ' ' && i + 1 < sizeof(e->key))
			e->key[i++] = *p++;
		e->key[i] = 0;
		if (*p != '=') {
			snprintf(why, wn, "field '%s' has no value", e->key);
			return -1;
		}
		p++;
		i = 0;
		while (*p && *p != ' ' && i + 1 < sizeof(e->val))
			e->val[i++] = *p++;
		e->val[i] = 0;
		if (*p && *p != ' ') {
			snprintf(why, wn, "value of '%s' too long", e->key);
			return -1;
		}
	}
	return 0;
}

static const char *get(struct kv *kv, int n, const char *key, bool *used)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(kv[i].key, key)) {
			used[i] = true;
			return kv[i].val;
		}
	return NULL;
}

static int num(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	unsigned long v = strtoul(s, &end, 0);
	if (*end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int unhex(const char *h, uint8_t *out, size_t cap, size_t *n)
{
	size_t len = strlen(h);
	if (len % 2 || len / 2 > cap)
		return -1;
	for (size_t i = 0; i < len / 2; i++) {
		unsigned v;
		if (sscanf(h + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	*n = len / 2;
	return 0;
}

/* The BR/EDR mode options a listen or connect request may carry (docs/l2tester.md). */
#define CHAN_OPT_KEYS " fcs window max-transmit flush-timeout ext-window required "

/* Channel options from the fields mode, mtu, mps, credits, sec and CHAN_OPT_KEYS. */
static int chan_opts(struct kv *kv, int nkv, bool *used, bool le, struct l2k_chan_opts *o, char *why, size_t wn)
{
	l2k_chan_opts_default(o);
	const char *m = get(kv, nkv, "mode", used);
	if (m) {
		if (l2k_mode_parse(m, &o->mode) < 0) {
			snprintf(why, wn, "unknown mode %s", m);
			return L2K_EINVAL;
		}
		if (!l2k_mode_supported(o->mode)) {
			snprintf(why, wn, "mode %s is not built in", m);
			return L2K_ENOTSUP;
		}
	} else if (le) {
		o->mode = L2K_MODE_LE_CREDIT;
	}
	/* the numeric fields: key, largest value, where it goes (uint16_t or uint8_t) */
	const struct {
		const char *key;
		unsigned long max;
		uint16_t *u16;
		uint8_t *u8;
	} nums[] = {{"mtu", 0xFFFF, &o->mtu, NULL},
		    {"mps", 0xFFFF, &o->mps, NULL},
		    {"credits", 0xFFFF, &o->credits, NULL},
		    {"sec", 4, NULL, &o->sec_level},
		    {"fcs", 1, NULL, &o->fcs},
		    {"window", 0x3FFF, &o->tx_window, NULL},
		    {"max-transmit", 0xFF, NULL, &o->max_transmit},
		    {"flush-timeout", 0xFFFF, &o->flush_timeout, NULL}};
	unsigned long v;
	const char *s;
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		if ((s = get(kv, nkv, nums[i].key, used)) == NULL)
			continue;
		if (num(s, nums[i].max, &v) < 0) {
			snprintf(why, wn, "%s=%s: not a number from 0 to %lu", nums[i].key, s, nums[i].max);
			return L2K_EINVAL;
		}
		if (nums[i].u16)
			*nums[i].u16 = (uint16_t)v;
		else
			*nums[i].u8 = (uint8_t)v;
	}
	const char *yn[2] = {"ext-window", "required"};
	bool *dst[2] = {&o->ext_window, &o->mode_required};
	for (int i = 0; i < 2; i++)
		if ((s = get(kv, nkv, yn[i], used)) != NULL) {
			if (strcmp(s, "yes") && strcmp(s, "no")) {
				snprintf(why, wn, "%s= yes or no", yn[i]);
				return L2K_EINVAL;
			}
			*dst[i] = !strcmp(s, "yes");
		}
	if ((s = get(kv, nkv, "manual-credits", used)) != NULL) {
		if (strcmp(s, "yes") && strcmp(s, "no")) {
			snprintf(why, wn, "manual-credits= yes or no");
			return L2K_EINVAL;
		}
		o->manual_credits = !strcmp(s, "yes");
	}
	return 0;
}

static int transport_le(const char *s, bool *le, enum l2k_addr_type *type)
{
	if (!s || !strcmp(s, "bredr")) {
		*le = false;
		*type = L2K_ADDR_BREDR;
	} else if (!strcmp(s, "le") || !strcmp(s, "le-public")) {
		*le = true;
		*type = L2K_ADDR_LE_PUBLIC;
	} else if (!strcmp(s, "le-random")) {
		*le = true;
		*type = L2K_ADDR_LE_RANDOM;
	} else {
		return -1;
	}
	return 0;
}

static struct iut_slot *slot_of(struct iut_core *c, const char *s)
{
	unsigned long v;
	if (num(s, IUT_CORE_CHANS, &v) < 0 || v == 0 || !c->slots[v - 1].ch)
		return NULL;
	return &c->slots[v - 1];
}

/* cl-listen: one G-frame for the bound PSM (l2kit took the PSM field off). */
static void cl_rx(void *user, uint16_t handle, const uint8_t *p, size_t len)
{
	struct iut_core *c = user;
	static char h[2 * IUT_SDU_MAX + 1];
	hex(h, p, len < IUT_SDU_MAX ? len : IUT_SDU_MAX);
	emitf(c, "event cl-data handle=%u psm=%u len=%zu hex=%s", handle, c->cl_psm, len, h);
}

/* cl-listen, cl-unlisten, cl-send: connectionless data on CID 0x0002 (BR/EDR, Vol 3 Part A 3.2). */
static int cl_request(struct iut_core *c, const char *verb, struct kv *kv, int nkv, bool *used, char *ans, size_t n)
{
	unsigned long v;
	const char *s;
	int r;
	if (!strcmp(verb, "cl-unlisten")) {
		if (!c->cl_psm) {
			snprintf(ans, n, "not listening for connectionless data");
			return L2K_ENOENT;
		}
		l2k_fixed_unbind(c->s, 0x0002, false);
		c->cl_psm = 0;
		return 0;
	}
	if (num(get(kv, nkv, "psm", used), 0xFFFF, &v) < 0 || v == 0) {
		snprintf(ans, n, "psm= missing or bad");
		return L2K_EINVAL;
	}
	if (!strcmp(verb, "cl-listen")) {
		if (c->cl_psm)
			l2k_fixed_unbind(c->s, 0x0002, false);
		c->cl_psm = 0;
		r = l2k_fixed_bind(c->s, 0x0002, false, (uint16_t)v, cl_rx, c);
		if (r == 0)
			c->cl_psm = (uint16_t)v;
	} else {
		l2k_addr a;
		uint16_t h;
		static uint8_t b[IUT_SDU_MAX];
		size_t len = 0;
		if (!(s = get(kv, nkv, "addr", used)) || l2k_addr_parse(s, &a) < 0) {
			snprintf(ans, n, "addr= missing or bad");
			return L2K_EINVAL;
		}
		if (!(s = get(kv, nkv, "hex", used)) || unhex(s, b, sizeof(b), &len) < 0) {
			snprintf(ans, n, "hex= missing or bad");
			return L2K_EINVAL;
		}
		r = l2k_link_find(c->s, &a, L2K_ADDR_BREDR, &h);
		if (r == 0)
			r = l2k_fixed_send(c->s, h, 0x0002, (uint16_t)v, b, len);
	}
	if (r < 0)
		snprintf(ans, n, "%s", l2k_strerror(r));
	return r;
}

static void echo_done(void *user, int err, const uint8_t *data, size_t len, uint32_t rtt_ms)
{
	struct iut_core *c = user;
	static char h[2 * IUT_SDU_MAX + 1];
	(void)rtt_ms;
	hex(h, data, len < IUT_SDU_MAX ? len : IUT_SDU_MAX);
	emitf(c, "event echo err=%d hex=%s", err, err ? "" : h);
}

/* connect n=2..5 (mode ecfc): one Credit Based Connection Request for n channels, answered
 * "chan=A,B,..." in the request's order. */
static int connect_several(struct iut_core *c, const l2k_addr *a, enum l2k_addr_type type, uint16_t psm,
			   const struct l2k_chan_opts *o, int nch, char *ans, size_t n)
{
	struct iut_slot *sl[5] = {0};
	l2k_chan *ch[5];
	int k = 0;
	if (o->mode != L2K_MODE_ECFC) {
		snprintf(ans, n, "n= needs mode=ecfc");
		return L2K_EINVAL;
	}
	for (int i = 0; i < IUT_CORE_CHANS && k < nch; i++)
		if (!c->slots[i].ch) {
			c->slots[i].pending = false;
			sl[k++] = &c->slots[i];
		}
	if (k < nch) {
		snprintf(ans, n, "too many channels");
		return L2K_ENOMEM;
	}
	struct l2k_chan_cbs cb = slot_cbs(sl[0]);
	int r = l2k_chan_connect_ecfc(c->s, a, type, psm, nch, o, &cb, ch);
	if (r < 0) {
		snprintf(ans, n, "%s", l2k_strerror(r));
		return r;
	}
	size_t w = (size_t)snprintf(ans, n, "chan=");
	for (int i = 0; i < nch; i++) {
		sl[i]->ch = ch[i];
		if (i) {
			struct l2k_chan_cbs ci = slot_cbs(sl[i]);
			l2k_chan_set_cbs(ch[i], &ci);
		}
		if (w < n)
			w += (size_t)snprintf(ans + w, n - w, "%s%d", i ? "," : "", sl[i]->n);
	}
	return 0;
}

/* reconfigure chan=A[,B...] mtu=N mps=N: a Credit Based Reconfigure Request for those channels. */
static int reconfigure(struct iut_core *c, struct kv *kv, int nkv, bool *used, char *ans, size_t n)
{
	l2k_chan *ch[5];
	int nch = 0;
	unsigned long mtu, mps;
	const char *s = get(kv, nkv, "chan", used);
	char one[8];
	while (s && *s) {
		size_t k = strcspn(s, ",");
		if (k == 0 || k >= sizeof(one) || nch == 5) {
			s = NULL;
			break;
		}
		memcpy(one, s, k);
		one[k] = 0;
		struct iut_slot *sl = slot_of(c, one);
		if (!sl) {
			snprintf(ans, n, "no such chan %s", one);
			return L2K_ENOENT;
		}
		ch[nch++] = sl->ch;
		s += k + (s[k] == ',');
	}
	if (!s || !nch) {
		snprintf(ans, n, "chan= 1 to 5 chans, comma separated");
		return L2K_EINVAL;
	}
	if (num(get(kv, nkv, "mtu", used), 0xFFFF, &mtu) < 0 || num(get(kv, nkv, "mps", used), 0xFFFF, &mps) < 0) {
		snprintf(ans, n, "mtu= and mps= needed");
		return L2K_EINVAL;
	}
	int r = l2k_chan_reconfigure(ch, nch, (uint16_t)mtu, (uint16_t)mps);
	if (r < 0)
		snprintf(ans, n, "%s", l2k_strerror(r));
	return r;
}

int iut_core_request(struct iut_core *c, const char *req, char *ans, size_t n, int *quit)
{
	char verb[16];
	static struct kv kv[MAX_KV];
	bool used[MAX_KV] = {0};
	int nkv, r = 0;
	unsigned long v, v2;
	const char *s;
	ans[0] = 0;
	if (split(req, verb, sizeof(verb), kv, &nkv, ans, n) < 0)
		return L2K_EINVAL;
	/* the fields each request takes: anything else is refused before acting */
	static const char *const keys[][2] = {
	    {"hello", ""},
	    {"listen", " psm transport mode mtu mps credits sec accept" CHAN_OPT_KEYS},
	    {"unlisten", " psm transport "},
	    {"connect", " addr transport psm mode mtu mps credits sec" CHAN_OPT_KEYS},
	    {"send", " chan hex "}, {"disconnect", " chan "}, {"credits", " chan n "}, {"echo", " addr hex "},
	    {"busy", " chan on "},
	    {"set", " defect pin io "},  {"reset", ""}, {"quit", ""}, {"link", " addr transport "},
	    {"conn-update", " addr transport min max latency timeout "},
	    {"cl-listen", " psm "}, {"cl-unlisten", ""}, {"cl-send", " addr psm hex "},
	    /* a verb may have several lines: a key is allowed when one of them names it */
	    {"listen", " manual-credits "},
	    {"connect", " n manual-credits "},
	    {"reconfigure", " chan mtu mps "},
	    {"unpair", " addr transport "}};
	bool known = false;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(verb, keys[i][0]))
			known = true;
	for (int i = 0; known && i < nkv; i++) {
		char k[20];
		bool ok = false;
		snprintf(k, sizeof(k), " %.15s ", kv[i].key);
		for (size_t j = 0; j < sizeof(keys) / sizeof(keys[0]) && !ok; j++)
			ok = !strcmp(verb, keys[j][0]) && strstr(keys[j][1], k);
		if (!ok) {
			snprintf(ans, n, "unknown key %s", kv[i].key);
			return L2K_EINVAL;
		}
	}
	if (!strcmp(verb, "hello")) {
		struct l2k_controller_info ci;
		char a[18];
		l2k_controller_info(c->s, &ci);
		snprintf(ans, n, "l2iut 1 addr=%s", l2k_addr_str(&ci.addr, a));
	} else if (!strcmp(verb, "listen") || !strcmp(verb, "unlisten")) {
		bool le;
		enum l2k_addr_type type;
		if (num(get(kv, nkv, "psm", used), 0xFFFF, &v) < 0 || v == 0) {
			snprintf(ans, n, "psm= missing or bad");
			return L2K_EINVAL;
		}
		if (transport_le(get(kv, nkv, "transport", used), &le, &type) < 0) {
			snprintf(ans, n, "bad transport");
			return L2K_EINVAL;
		}
		struct iut_server *sv = NULL;
		for (int i = 0; i < IUT_SERVERS && !sv; i++)
			if (c->servers[i].srv && c->servers[i].psm == v && c->servers[i].le == le)
				sv = &c->servers[i];
		if (!strcmp(verb, "unlisten")) {
			if (!sv) {
				snprintf(ans, n, "not listening on 0x%04lx", v);
				return L2K_ENOENT;
			}
			l2k_server_remove(sv->srv);
			sv->srv = NULL;
		} else {
			struct l2k_chan_opts o;
			if ((r = chan_opts(kv, nkv, used, le, &o, ans, n)) < 0)
				return r;
			int acc = 0;
			if ((s = get(kv, nkv, "accept", used)) != NULL) {
				if (!strcmp(s, "no"))
					acc = 0x0004; /* no resources (BR/EDR 0x0004, LE 0x0004) */
				else if (!strcmp(s, "pending"))
					acc = L2K_ACCEPT_PENDING;
				else if (strcmp(s, "yes") && (num(s, 0xFFFF, &v2) < 0 || v2 < 2)) {
					snprintf(ans, n, "accept= yes, no, pending or an L2CAP result (2..0xFFFF)");
					return L2K_EINVAL;
				} else if (strcmp(s, "yes"))
					acc = (int)v2;
			}
			if (sv) {
				l2k_server_remove(sv->srv);
				sv->srv = NULL;
			}
			for (int i = 0; i < IUT_SERVERS && !sv; i++)
				if (!c->servers[i].srv)
					sv = &c->servers[i];
			if (!sv) {
				snprintf(ans, n, "too many servers");
				return L2K_ENOMEM;
			}
			sv->psm = (uint16_t)v;
			sv->le = le;
			sv->opts = o;
			sv->accept = acc;
			struct l2k_server_cbs cb = {.user = sv, .accept = srv_accept};
			r = l2k_server_add(c->s, sv->psm, le, &o, &cb, &sv->srv);
			if (r < 0) {
				sv->srv = NULL;
				snprintf(ans, n, "%s", l2k_strerror(r));
				return r;
			}
		}
	} else if (!strcmp(verb, "connect")) {
		bool le;
		enum l2k_addr_type type;
		l2k_addr a;
		if (!(s = get(kv, nkv, "addr", used)) || l2k_addr_parse(s, &a) < 0) {
			snprintf(ans, n, "addr= missing or bad");
			return L2K_EINVAL;
		}
		if (transport_le(get(kv, nkv, "transport", used), &le, &type) < 0 ||
		    num(get(kv, nkv, "psm", used), 0xFFFF, &v) < 0) {
			snprintf(ans, n, "transport= or psm= bad");
			return L2K_EINVAL;
		}
		struct l2k_chan_opts o;
		if ((r = chan_opts(kv, nkv, used, le, &o, ans, n)) < 0)
			return r;
		unsigned long nch = 1;
		if ((s = get(kv, nkv, "n", used)) != NULL && (num(s, 5, &nch) < 0 || nch == 0)) {
			snprintf(ans, n, "n= 1..5");
			return L2K_EINVAL;
		}
		if (nch > 1)
			return connect_several(c, &a, type, (uint16_t)v, &o, (int)nch, ans, n);
		struct iut_slot *sl = new_slot(c);
		if (!sl) {
			snprintf(ans, n, "too many channels");
			return L2K_ENOMEM;
		}
		struct l2k_chan_cbs cb = slot_cbs(sl);
		r = l2k_chan_connect(c->s, &a, type, (uint16_t)v, &o, &cb, &sl->ch);
		if (r < 0) {
			sl->ch = NULL;
			snprintf(ans, n, "%s", l2k_strerror(r));
			return r;
		}
		snprintf(ans, n, "chan=%d", sl->n);
	} else if (!strcmp(verb, "reconfigure")) {
		return reconfigure(c, kv, nkv, used, ans, n);
	} else if (!strcmp(verb, "send") || !strcmp(verb, "disconnect") || !strcmp(verb, "credits") ||
		   !strcmp(verb, "busy")) {
		struct iut_slot *sl = slot_of(c, get(kv, nkv, "chan", used));
		if (!sl) {
			snprintf(ans, n, "no such chan");
			return L2K_ENOENT;
		}
		if (!strcmp(verb, "send")) {
			static uint8_t b[IUT_SDU_MAX];
			size_t len = 0;
			if (!(s = get(kv, nkv, "hex", used)) || unhex(s, b, sizeof(b), &len) < 0) {
				snprintf(ans, n, "hex= missing or bad");
				return L2K_EINVAL;
			}
			r = l2k_chan_send(sl->ch, b, len);
		} else if (!strcmp(verb, "credits")) {
			if (num(get(kv, nkv, "n", used), 0xFFFF, &v) < 0) {
				snprintf(ans, n, "n= missing or bad");
				return L2K_EINVAL;
			}
			r = l2k_chan_give_credits(sl->ch, (uint16_t)v);
		} else if (!strcmp(verb, "busy")) {
			s = get(kv, nkv, "on", used);
			if (!s || (strcmp(s, "yes") && strcmp(s, "no"))) {
				snprintf(ans, n, "on= yes or no");
				return L2K_EINVAL;
			}
			r = l2k_chan_set_busy(sl->ch, !strcmp(s, "yes"));
		} else {
			r = l2k_chan_close(sl->ch);
		}
		if (r < 0) {
			snprintf(ans, n, "%s", l2k_strerror(r));
			return r;
		}
	} else if (!strcmp(verb, "echo")) {
		l2k_addr a;
		static uint8_t b[IUT_SDU_MAX];
		size_t len = 0;
		if (!(s = get(kv, nkv, "addr", used)) || l2k_addr_parse(s, &a) < 0) {
			snprintf(ans, n, "addr= missing or bad");
			return L2K_EINVAL;
		}
		if ((s = get(kv, nkv, "hex", used)) && unhex(s, b, sizeof(b), &len) < 0) {
			snprintf(ans, n, "hex= bad");
			return L2K_EINVAL;
		}
		r = l2k_echo(c->s, &a, b, len, echo_done, c);
		if (r < 0) {
			snprintf(ans, n, "%s", l2k_strerror(r));
			return r;
		}
	} else if (!strcmp(verb, "link") || !strcmp(verb, "conn-update")) {
		bool le;
		enum l2k_addr_type type;
		l2k_addr a;
		if (!(s = get(kv, nkv, "addr", used)) || l2k_addr_parse(s, &a) < 0 ||
		    transport_le(get(kv, nkv, "transport", used), &le, &type) < 0) {
			snprintf(ans, n, "addr= or transport= missing or bad");
			return L2K_EINVAL;
		}
		if (!strcmp(verb, "link")) {
			/* a controller may refuse to initiate while it advertises (Command Disallowed):
			 * advertising stops until the next reset */
			if (le)
				l2k_le_advertise(c->s, false, NULL, 0);
			r = l2k_link_connect(c->s, &a, type);
			if (r == 0 && le) {
				c->le_linking = true;
				c->le_link_addr = a;
			}
		} else {
			unsigned long p4[4];
			static const char *const k4[4] = {"min", "max", "latency", "timeout"};
			uint16_t h;
			for (int i = 0; i < 4; i++)
				if (num(get(kv, nkv, k4[i], used), 0xFFFF, &p4[i]) < 0) {
					snprintf(ans, n, "%s= missing or bad", k4[i]);
					return L2K_EINVAL;
				}
			r = l2k_link_find(c->s, &a, type, &h);
			if (r == 0)
				r = l2k_le_conn_update(c->s, h, (uint16_t)p4[0], (uint16_t)p4[1], (uint16_t)p4[2],
						       (uint16_t)p4[3]);
		}
		if (r < 0) {
			snprintf(ans, n, "%s", l2k_strerror(r));
			return r;
		}
	} else if (!strcmp(verb, "set")) {
		(void)used;
		if ((s = get(kv, nkv, "defect", used)) != NULL) {
			if (l2k_test_defect(c->s, s) < 0) {
				snprintf(ans, n, "unknown defect %s", s);
				return L2K_EINVAL;
			}
		} else if ((s = get(kv, nkv, "pin", used)) != NULL) {
			if (strlen(s) > 16) {
				snprintf(ans, n, "pin= longer than 16 characters");
				return L2K_EINVAL;
			}
			snprintf(c->pin, sizeof(c->pin), "%s", s);
		} else if ((s = get(kv, nkv, "io", used)) != NULL) {
			static const char *const io[] = {"display-only", "display-yesno", "keyboard-only",
							 "no-input-no-output", "keyboard-display"};
			int k = -1;
			for (int i = 0; i < 5; i++)
				if (!strcmp(s, io[i]))
					k = i;
			if (k < 0 || l2k_pairing_caps(c->s, (enum l2k_io_cap)k, 16) < 0) {
				snprintf(ans, n, "io= bad (display-only, display-yesno, keyboard-only, no-input-no-output, "
						 "keyboard-display)");
				return L2K_EINVAL;
			}
		} else {
			snprintf(ans, n, "unknown setting");
			return L2K_ENOTSUP;
		}
	} else if (!strcmp(verb, "reset")) {
		forget_all(c, true);
		/* an LE link the last case asked for and never got: the controller would initiate
		 * for ever, refusing the next case's LE Create Connection */
		if (c->le_linking)
			l2k_link_cancel(c->s, &c->le_link_addr, L2K_ADDR_LE_PUBLIC);
		c->le_linking = false;
		if (c->adv_keep)
			l2k_le_advertise_keep(c->s, NULL, 0, 0);
	} else if (!strcmp(verb, "unpair")) {
		/* forget the bond with ADDR (its keys): a case that paired leaves no key behind */
		bool le;
		enum l2k_addr_type type;
		l2k_addr a;
		if (!(s = get(kv, nkv, "addr", used)) || l2k_addr_parse(s, &a) < 0 ||
		    transport_le(get(kv, nkv, "transport", used), &le, &type) < 0) {
			snprintf(ans, n, "addr= or transport= missing or bad");
			return L2K_EINVAL;
		}
		(void)le;
		r = l2k_bond_remove(c->s, &a, type);
		if (r < 0 && r != L2K_ENOENT) {
			snprintf(ans, n, "%s", l2k_strerror(r));
			return r;
		}
	} else if (!strncmp(verb, "cl-", 3) && known) {
		return cl_request(c, verb, kv, nkv, used, ans, n);
	} else if (!strcmp(verb, "quit")) {
		if (quit)
			*quit = 1;
	} else {
		snprintf(ans, n, "unknown request %s", verb);
		return L2K_ENOTSUP;
	}
	return 0;
}

void iut_core_keep_advertising(struct iut_core *c)
{
	c->adv_keep = true;
	l2k_le_advertise_keep(c->s, NULL, 0, 0);
}

void iut_core_link_up(struct iut_core *c, const struct l2k_link_info *li)
{
	char a[18];
	emitf(c, "event link-up addr=%s handle=%u", l2k_addr_str(&li->peer, a), li->handle);
}

void iut_core_link_down(struct iut_core *c, const struct l2k_link_info *li, uint8_t reason)
{
	emitf(c, "event link-down handle=%u reason=%u", li->handle, reason);
}

void iut_core_link_failed(struct iut_core *c, const l2k_addr *peer, uint8_t status)
{
	char a[18];
	emitf(c, "event link-failed addr=%s status=%u", l2k_addr_str(peer, a), status);
}
