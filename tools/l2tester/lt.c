/* l2tester's lower tester (lt.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "tools/l2tester/lt.h"

const char *lt_verdict_str(enum lt_verdict v)
{
	switch (v) {
	case LT_PASS:
		return "pass";
	case LT_FAIL:
		return "fail";
	case LT_INCONC:
		return "inconclusive";
	case LT_NA:
		return "not applicable";
	default:
		return "none";
	}
}

int lt_init(struct lt *t)
{
	memset(t, 0, sizeof(*t));
	t->rx = calloc(LT_MAX_RX, sizeof(*t->rx));
	t->log = malloc(LT_LOG_MAX);
	if (!t->rx || !t->log) {
		lt_free(t);
		return L2K_ENOMEM;
	}
	t->log[0] = 0;
	t->next_ident = 0x40;
	t->auto_info = true;
	t->obs.result = -1;
	return 0;
}

void lt_free(struct lt *t)
{
	free(t->rx);
	free(t->log);
	t->rx = NULL;
	t->log = NULL;
}

static void raw_rx(void *user, uint16_t handle, uint16_t cid, const uint8_t *p, size_t len)
{
	struct lt *t = user;
	if (handle != t->handle)
		return;
	if (t->rx_count == LT_MAX_RX) {
		lt_logf(t, "received (dropped: queue full) cid 0x%04x, %zu octets", cid, len);
		return;
	}
	struct lt_pdu *q = &t->rx[(t->rx_head + t->rx_count) % LT_MAX_RX];
	q->cid = cid;
	q->len = len;
	memcpy(q->data, p, len < LT_PDU_MAX ? len : LT_PDU_MAX);
	t->rx_count++;
}

struct l2k_raw_cbs lt_raw_cbs(struct lt *t)
{
	struct l2k_raw_cbs c = {.user = t, .rx = raw_rx};
	return c;
}

/* ---- log and verdicts --------------------------------------------------------------------- */

static void log_vadd(struct lt *t, const char *fmt, va_list ap)
{
	if (!t->log || t->log_len + 2 >= LT_LOG_MAX)
		return;
	int n = vsnprintf(t->log + t->log_len, LT_LOG_MAX - t->log_len - 1, fmt, ap);
	if (n < 0)
		return;
	t->log_len += (size_t)n < LT_LOG_MAX - t->log_len - 1 ? (size_t)n : LT_LOG_MAX - t->log_len - 2;
	t->log[t->log_len++] = '\n';
	t->log[t->log_len] = 0;
	if (t->verbose)
		fprintf(stderr, "  %.*s", (int)n + 1, t->log + t->log_len - (size_t)n - 1);
}

void lt_logf(struct lt *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vadd(t, fmt, ap);
	va_end(ap);
}

void lt_log_hex(struct lt *t, const char *what, uint16_t cid, const uint8_t *p, size_t n)
{
	char b[3 * 64 + 16];
	size_t k = 0, shown = n < 64 ? n : 64;
	for (size_t i = 0; i < shown; i++)
		k += (size_t)snprintf(b + k, sizeof(b) - k, "%s%02x", i ? " " : "", p[i]);
	if (shown < n)
		snprintf(b + k, sizeof(b) - k, " ...");
	lt_logf(t, "%s cid 0x%04x (%zu): %s", what, cid, n, b);
}

static bool set_verdict(struct lt *t, enum lt_verdict v, const char *fmt, va_list ap)
{
	if (t->verdict != LT_NONE)
		return false;
	t->verdict = v;
	vsnprintf(t->reason, sizeof(t->reason), fmt, ap);
	lt_logf(t, "%s: %s", lt_verdict_str(v), t->reason);
	return false;
}

bool lt_fail(struct lt *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_verdict(t, LT_FAIL, fmt, ap);
	va_end(ap);
	return false;
}

bool lt_inconclusive(struct lt *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_verdict(t, LT_INCONC, fmt, ap);
	va_end(ap);
	return false;
}

bool lt_na(struct lt *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_verdict(t, LT_NA, fmt, ap);
	va_end(ap);
	return false;
}

bool lt_done(const struct lt *t)
{
	return t->verdict != LT_NONE;
}

void lt_bound_arm(struct lt *t, uint64_t ms)
{
	t->limit_ms = ms;
	t->deadline = ms ? t->clk.now(t) + ms : 0;
}

uint64_t lt_bound_wait(struct lt *t, uint64_t ms)
{
	if (!t->deadline)
		return ms;
	uint64_t now = t->clk.now(t), left = t->deadline > now ? t->deadline - now : 0;
	return ms < left ? ms : left;
}

void lt_bound_check(struct lt *t)
{
	if (t->deadline && t->clk.now(t) >= t->deadline)
		lt_inconclusive(t, "the case ran past its time bound of %llu ms (l2tester --case-limit)",
				(unsigned long long)t->limit_ms);
}

/* ---- frames ------------------------------------------------------------------------------- */

static bool never(void *arg)
{
	(void)arg;
	return false;
}

void lt_run(struct lt *t, uint64_t ms)
{
	t->clk.run_until(t, never, NULL, ms);
}

uint8_t lt_ident(struct lt *t)
{
	uint8_t id = t->next_ident++;
	if (t->next_ident == 0)
		t->next_ident = 1;
	return id;
}

uint16_t lt_sig_cid(const struct lt *t)
{
	return t->le ? 0x0005 : 0x0001;
}

int lt_send(struct lt *t, uint16_t cid, const uint8_t *payload, size_t len)
{
	lt_log_hex(t, "sent", cid, payload, len);
	int r = l2k_raw_send(t->st, t->handle, cid, payload, len);
	if (r < 0)
		lt_logf(t, "(the tester's stack did not take it: %s)", l2k_strerror(r));
	return r;
}

int lt_send_sig(struct lt *t, uint8_t code, uint8_t ident, const uint8_t *data, size_t len)
{
	uint8_t b[4 + 1024];
	if (len > 1024)
		return L2K_EMSGSIZE;
	b[0] = code;
	b[1] = ident;
	lt_put16(b + 2, (uint16_t)len);
	if (len)
		memcpy(b + 4, data, len);
	return lt_send(t, lt_sig_cid(t), b, len + 4);
}

int lt_send_acl(struct lt *t, uint8_t pb, const uint8_t *data, size_t len)
{
	char what[32];
	snprintf(what, sizeof(what), "sent ACL pb=%u", pb);
	lt_log_hex(t, what, 0, data, len);
	return l2k_raw_send_acl(t->st, t->handle, pb, data, len);
}

int lt_send_kframe(struct lt *t, uint16_t cid, int sdu_len, const uint8_t *data, size_t n)
{
	uint8_t b[2 + 1024];
	size_t k = 0;
	if (n > 1024)
		return L2K_EMSGSIZE;
	if (sdu_len >= 0) {
		lt_put16(b, (uint16_t)sdu_len);
		k = 2;
	}
	if (n)
		memcpy(b + k, data, n);
	return lt_send(t, cid, b, k + n);
}

static bool have_rx(void *arg)
{
	return ((struct lt *)arg)->rx_count > 0;
}

/* Answer an Information Request (Vol 3 Part A 4.10/4.11) as a peer with t->info_feat and the
 * signaling channel only: true when p was one (and is consumed). */
static bool answer_info(struct lt *t, const struct lt_pdu *p)
{
	if (!t->auto_info || t->le || p->cid != 0x0001 || p->len != 6 || p->data[0] != 0x0A)
		return false;
	uint16_t type = lt_get16(p->data + 4);
	uint8_t rsp[12];
	size_t n = 4;
	lt_put16(rsp, type);
	lt_put16(rsp + 2, 0);
	if (type == 0x0002) {
		lt_put16(rsp + 4, (uint16_t)t->info_feat);
		lt_put16(rsp + 6, (uint16_t)(t->info_feat >> 16));
		n = 8;
	} else if (type == 0x0003) {
		memset(rsp + 4, 0, 8);
		rsp[4] = 0x02; /* the signaling channel */
		n = 12;
	} else {
		lt_put16(rsp + 2, 1); /* not supported */
	}
	lt_send_sig(t, 0x0B, p->data[1], rsp, n);
	return true;
}

const struct lt_pdu *lt_next(struct lt *t, uint64_t ms)
{
	uint64_t end = t->clk.now(t) + ms;
	for (;;) {
		if (!t->rx_count) {
			uint64_t now = t->clk.now(t);
			if (now >= end || !t->clk.run_until(t, have_rx, t, end - now))
				if (!t->rx_count)
					return NULL;
		}
		const struct lt_pdu *p = &t->rx[t->rx_head];
		t->rx_head = (t->rx_head + 1) % LT_MAX_RX;
		t->rx_count--;
		lt_log_hex(t, "received", p->cid, p->data, p->len < LT_PDU_MAX ? p->len : LT_PDU_MAX);
		if (answer_info(t, p))
			continue;
		return p;
	}
}

const struct lt_pdu *lt_next_on(struct lt *t, uint16_t cid, uint64_t ms)
{
	uint64_t end = t->clk.now(t) + ms;
	for (;;) {
		uint64_t now = t->clk.now(t);
		const struct lt_pdu *p = lt_next(t, end > now ? end - now : 0);
		if (!p || p->cid == cid)
			return p;
	}
}

static const char *sig_name(uint8_t code)
{
	static const char *n[] = {NULL,
				  "Command Reject",
				  "Connection Request",
				  "Connection Response",
				  "Configuration Request",
				  "Configuration Response",
				  "Disconnection Request",
				  "Disconnection Response",
				  "Echo Request",
				  "Echo Response",
				  "Information Request",
				  "Information Response",
				  [0x12] = "Connection Parameter Update Request",
				  [0x13] = "Connection Parameter Update Response",
				  [0x14] = "LE Credit Based Connection Request",
				  [0x15] = "LE Credit Based Connection Response",
				  [0x16] = "Flow Control Credit",
				  [0x17] = "Credit Based Connection Request",
				  [0x18] = "Credit Based Connection Response",
				  [0x19] = "Credit Based Reconfigure Request",
				  [0x1A] = "Credit Based Reconfigure Response"};
	return code < sizeof(n) / sizeof(n[0]) && n[code] ? n[code] : "unknown command";
}

const struct lt_pdu *lt_expect_sig(struct lt *t, uint8_t code, uint64_t ms)
{
	const struct lt_pdu *p = lt_next_on(t, lt_sig_cid(t), ms);
	if (!p) {
		lt_fail(t, "expected a %s (0x%02x) from the IUT within %llu ms, got nothing", sig_name(code), code,
			(unsigned long long)ms);
		return NULL;
	}
	if (p->len < 4 || p->data[0] != code) {
		lt_fail(t, "expected a %s (0x%02x), got %s (0x%02x, %zu octets)", sig_name(code), code,
			p->len ? sig_name(p->data[0]) : "an empty frame", p->len ? p->data[0] : 0, p->len);
		return NULL;
	}
	if (lt_get16(p->data + 2) != p->len - 4) {
		lt_fail(t, "the IUT's %s says length %u but carries %zu octets", sig_name(code),
			lt_get16(p->data + 2), p->len - 4);
		return NULL;
	}
	return p;
}

bool lt_quiet(struct lt *t, uint64_t ms)
{
	const struct lt_pdu *p = lt_next(t, ms);
	if (p)
		return lt_fail(t, "expected no frame from the IUT, got one on cid 0x%04x (%zu octets%s%s)", p->cid, p->len,
			       p->cid == lt_sig_cid(t) && p->len ? ": " : "",
			       p->cid == lt_sig_cid(t) && p->len ? sig_name(p->data[0]) : "");
	return true;
}

bool lt_quiet_sig(struct lt *t, uint64_t ms)
{
	const struct lt_pdu *p = lt_next_on(t, lt_sig_cid(t), ms);
	if (p)
		return lt_fail(t, "expected no signaling from the IUT, got a %s (%zu octets)",
			       p->len ? sig_name(p->data[0]) : "empty frame", p->len);
	return true;
}

/* The name of octet i of a signaling command with this code (Vol 3 Part A 4). */
static const char *sig_field(uint8_t code, size_t i)
{
	if (i == 0)
		return "code";
	if (i == 1)
		return "identifier";
	if (i < 4)
		return "length";
	size_t k = (i - 4) / 2;
	static const char *const conn_rsp[] = {"DCID", "SCID", "result", "status"};
	static const char *const conf_req[] = {"DCID", "flags"};
	static const char *const conf_rsp[] = {"SCID", "flags", "result"};
	static const char *const disc[] = {"DCID", "SCID"};
	static const char *const le_req[] = {"SPSM", "SCID", "MTU", "MPS", "initial credits"};
	static const char *const le_rsp[] = {"DCID", "MTU", "MPS", "initial credits", "result"};
	static const char *const ecfc_req[] = {"SPSM", "MTU", "MPS", "initial credits"};
	static const char *const ecfc_rsp[] = {"MTU", "MPS", "initial credits", "result"};
	switch (code) {
	case 0x01:
		return k == 0 ? "reason" : "reason data";
	case 0x02:
		return k == 0 ? "PSM" : "SCID";
	case 0x03:
		return k < 4 ? conn_rsp[k] : "data";
	case 0x04:
		return k < 2 ? conf_req[k] : "options";
	case 0x05:
		return k < 3 ? conf_rsp[k] : "options";
	case 0x06:
	case 0x07:
		return k < 2 ? disc[k] : "data";
	case 0x0A:
		return "info type";
	case 0x0B:
		return k == 0 ? "info type" : k == 1 ? "result" : "info data";
	case 0x14:
		return k < 5 ? le_req[k] : "data";
	case 0x15:
		return k < 5 ? le_rsp[k] : "data";
	case 0x16:
		return k == 0 ? "CID" : k == 1 ? "credits" : "data";
	case 0x17:
		return k < 4 ? ecfc_req[k] : "Source CID";
	case 0x18:
		return k < 4 ? ecfc_rsp[k] : "DCID";
	case 0x19:
		return k == 0 ? "MTU" : k == 1 ? "MPS" : "DCID";
	case 0x1A:
		return k == 0 ? "result" : "data";
	default:
		return "data";
	}
}

bool lt_is(struct lt *t, const struct lt_pdu *p, const uint8_t *want, size_t n, const char *what)
{
	if (!p)
		return lt_fail(t, "%s: no frame", what);
	if (p->len == n && !memcmp(p->data, want, n))
		return true;
	lt_log_hex(t, "expected", p->cid, want, n);
	size_t i = 0;
	while (i < n && i < p->len && p->data[i] == want[i])
		i++;
	if (p->len != n && i == (p->len < n ? p->len : n))
		return lt_fail(t, "%s: %zu octets instead of %zu", what, p->len, n);
	char field[48] = "";
	if (p->cid == lt_sig_cid(t))
		snprintf(field, sizeof(field), " (%s)", sig_field(want[0], i));
	return lt_fail(t, "%s: octet %zu%s is 0x%02x, expected 0x%02x", what, i, field, p->data[i], want[i]);
}

void lt_flush(struct lt *t)
{
	t->rx_head = 0;
	t->rx_count = 0;
}

void lt_answer_queued_info(struct lt *t)
{
	int n = t->rx_count, keep = 0;
	for (int i = 0; i < n; i++) {
		struct lt_pdu *p = &t->rx[(t->rx_head + i) % LT_MAX_RX];
		bool info = t->auto_info && !t->le && p->cid == 0x0001 && p->len == 6 && p->data[0] == 0x0A;
		if (info) {
			lt_log_hex(t, "received", p->cid, p->data, p->len);
			answer_info(t, p);
			continue;
		}
		if (keep != i)
			t->rx[(t->rx_head + keep) % LT_MAX_RX] = *p;
		keep++;
	}
	/* PDUs that arrived while answering stay behind the kept ones, in order */
	int extra = t->rx_count - n;
	for (int j = 0; j < extra && keep != n; j++)
		t->rx[(t->rx_head + keep + j) % LT_MAX_RX] = t->rx[(t->rx_head + n + j) % LT_MAX_RX];
	t->rx_count = keep + extra;
}

int lt_queued_sig(const struct lt *t)
{
	int k = 0;
	for (int i = 0; i < t->rx_count; i++) {
		const struct lt_pdu *p = &t->rx[(t->rx_head + i) % LT_MAX_RX];
		if (p->cid == lt_sig_cid(t) && !(p->len >= 1 && p->data[0] == 0x0A))
			k++;
	}
	return k;
}

/* ---- the IUT ------------------------------------------------------------------------------ */

bool lt_iut(struct lt *t, char *ans, size_t n, const char *fmt, ...)
{
	static char req[2 * LT_IUT_DATA_MAX + 128];
	char a[256] = "";
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(req, sizeof(req), fmt, ap);
	va_end(ap);
	lt_logf(t, "IUT action: %s", req);
	int r = t->iut->action(t->iut->u, req, a, sizeof(a));
	if (ans)
		snprintf(ans, n, "%s", a);
	if (r == 0)
		return true;
	if (strlen(req) > 120)
		strcpy(req + 110, " ...");
	if (r == L2K_ENOTSUP)
		return lt_inconclusive(t, "the IUT cannot do '%s'%s%s", req, *a ? ": " : "", a);
	return lt_inconclusive(t, "IUT action '%s' failed%s%s", req, *a ? ": " : "", a);
}

bool lt_iut_reset(struct lt *t)
{
	char a[200];
	bool ok = lt_iut(t, a, sizeof(a), "reset");
	memset(&t->obs, 0, sizeof(t->obs));
	t->obs.result = -1;
	return ok;
}

int lt_iut_try(struct lt *t, char *ans, size_t n, const char *fmt, ...)
{
	static char req[2 * LT_IUT_DATA_MAX + 128];
	char a[256] = "";
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(req, sizeof(req), fmt, ap);
	va_end(ap);
	lt_logf(t, "IUT action: %s", req);
	int r = t->iut->action(t->iut->u, req, a, sizeof(a));
	lt_logf(t, "IUT answer: %s%s%s", r == 0 ? "ok" : "err", *a ? " " : "", a);
	if (ans)
		snprintf(ans, n, "%s", a);
	return r;
}

static const char *field(const char *line, const char *key, char *out, size_t n)
{
	size_t k = strlen(key);
	for (const char *p = line; (p = strstr(p, key)) != NULL; p += k) {
		if ((p == line || p[-1] == ' ') && p[k] == '=') {
			size_t i = 0;
			p += k + 1;
			while (p[i] && p[i] != ' ' && i + 1 < n) {
				out[i] = p[i];
				i++;
			}
			out[i] = 0;
			return out;
		}
	}
	return NULL;
}

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

void lt_iut_event(struct lt *t, const char *line)
{
	char v[64];
	lt_logf(t, "IUT %s", line);
	if (!strncmp(line, "event open ", 11)) {
		t->obs.opened++;
		t->obs.chan = field(line, "chan", v, sizeof(v)) ? atoi(v) : 0;
		t->obs.mtu = field(line, "mtu", v, sizeof(v)) ? (unsigned)strtoul(v, NULL, 0) : 0;
		t->obs.peer_mtu = field(line, "peer-mtu", v, sizeof(v)) ? (unsigned)strtoul(v, NULL, 0) : 0;
		t->obs.mps = field(line, "mps", v, sizeof(v)) ? (unsigned)strtoul(v, NULL, 0) : 0;
		t->obs.peer_mps = field(line, "peer-mps", v, sizeof(v)) ? (unsigned)strtoul(v, NULL, 0) : 0;
		if (!field(line, "mode", t->obs.mode, sizeof(t->obs.mode)))
			t->obs.mode[0] = 0;
	} else if (!strncmp(line, "event closed ", 13)) {
		t->obs.closed++;
		if (!field(line, "reason", t->obs.reason, sizeof(t->obs.reason)))
			t->obs.reason[0] = 0;
		t->obs.result = field(line, "result", v, sizeof(v)) ? (int)strtol(v, NULL, 0) : -1;
	} else if (!strncmp(line, "event data ", 11)) {
		const char *h = strstr(line, " hex=");
		size_t n = 0;
		t->obs.sdus++;
		if (h) {
			h += 5;
			while (hexval(h[0]) >= 0 && hexval(h[1]) >= 0) {
				if (n < LT_IUT_DATA_MAX)
					t->obs.data[n] = (uint8_t)(hexval(h[0]) << 4 | hexval(h[1]));
				n++;
				h += 2;
			}
		}
		t->obs.len = n;
		int c = field(line, "chan", v, sizeof(v)) ? atoi(v) : 0;
		if (c > 0 && c < 8) {
			t->obs.per[c].sdus++;
			t->obs.per[c].len = n;
			memcpy(t->obs.per[c].d, t->obs.data, n < 64 ? n : 64);
		}
	} else if (!strncmp(line, "event echo ", 11)) {
		const char *h = strstr(line, " hex=");
		size_t n = 0;
		t->obs.echoes++;
		t->obs.echo_err = field(line, "err", v, sizeof(v)) ? atoi(v) : 0;
		for (h = h ? h + 5 : ""; hexval(h[0]) >= 0 && hexval(h[1]) >= 0; h += 2, n++)
			if (n < sizeof(t->obs.echo_data))
				t->obs.echo_data[n] = (uint8_t)(hexval(h[0]) << 4 | hexval(h[1]));
		t->obs.echo_len = n;
	} else if (!strncmp(line, "event cl-data ", 14)) {
		const char *h = strstr(line, " hex=");
		size_t n = 0;
		t->obs.cl_sdus++;
		t->obs.cl_psm = field(line, "psm", v, sizeof(v)) ? (unsigned)strtoul(v, NULL, 0) : 0;
		for (h = h ? h + 5 : ""; hexval(h[0]) >= 0 && hexval(h[1]) >= 0; h += 2, n++)
			if (n < sizeof(t->obs.cl_data))
				t->obs.cl_data[n] = (uint8_t)(hexval(h[0]) << 4 | hexval(h[1]));
		t->obs.cl_len = n;
	} else if (!strncmp(line, "event link-up", 13)) {
		t->obs.link_up++;
	} else if (!strncmp(line, "event link-down", 15)) {
		t->obs.link_down++;
	} else if (!strncmp(line, "event link-failed", 17)) {
		t->obs.link_failed++;
		t->obs.link_failed_status = field(line, "status", v, sizeof(v)) ? (int)strtol(v, NULL, 0) : -1;
	}
}

bool lt_iut_observes(struct lt *t, const char *what)
{
	if (t->iut->events)
		return true;
	return lt_inconclusive(t, "needs the IUT application's observation (%s): run with --iut-agent", what);
}

struct obs_wait {
	struct lt *t;
	const int *v;
	int n;
};

static bool obs_reached(void *arg)
{
	struct obs_wait *w = arg;
	if (w->t->iut->pump)
		w->t->iut->pump(w->t->iut->u);
	return *w->v >= w->n;
}

static bool wait_obs(struct lt *t, const int *v, int n, uint64_t ms, const char *what)
{
	if (!lt_iut_observes(t, what))
		return false;
	struct obs_wait w = {t, v, n};
	if (obs_reached(&w) || t->clk.run_until(t, obs_reached, &w, ms))
		return true;
	return lt_fail(t, "the IUT's application did not see %s within %llu ms", what, (unsigned long long)ms);
}

bool lt_iut_sdus_are(struct lt *t, int n, uint64_t ms, const char *what)
{
	if (!lt_iut_observes(t, what))
		return false;
	struct obs_wait w = {t, &t->obs.sdus, INT32_MAX};
	t->clk.run_until(t, obs_reached, &w, ms);
	if (t->obs.sdus != n)
		return lt_fail(t, "%s: the IUT's application received %d SDUs, expected %d", what, t->obs.sdus, n);
	return true;
}

bool lt_iut_wait_open(struct lt *t, int n, uint64_t ms, const char *what)
{
	return wait_obs(t, &t->obs.opened, n, ms, what);
}

bool lt_iut_wait_closed(struct lt *t, int n, uint64_t ms, const char *what)
{
	return wait_obs(t, &t->obs.closed, n, ms, what);
}

bool lt_iut_wait_echo(struct lt *t, int n, uint64_t ms, const char *what)
{
	return wait_obs(t, &t->obs.echoes, n, ms, what);
}

bool lt_iut_wait_cl(struct lt *t, int n, uint64_t ms, const char *what)
{
	return wait_obs(t, &t->obs.cl_sdus, n, ms, what);
}

bool lt_iut_wait_sdus(struct lt *t, int n, uint64_t ms, const char *what)
{
	return wait_obs(t, &t->obs.sdus, n, ms, what);
}

/* ---- procedures --------------------------------------------------------------------------- */

const struct lt_pdu *lt_conn_rsp(struct lt *t, uint8_t ident, uint64_t ms)
{
	uint64_t end = t->clk.now(t) + ms;
	for (;;) {
		uint64_t now = t->clk.now(t);
		const struct lt_pdu *p = lt_expect_sig(t, 0x03, end > now ? end - now : 0);
		if (!p || t->le || p->len != 12 || p->data[1] != ident || lt_get16(p->data + 8) != 0x0001)
			return p;
		lt_logf(t, "(a pending Connection Response, status 0x%04x: waiting for the final one)",
			lt_get16(p->data + 10));
	}
}

uint32_t lt_l2kit_features(void)
{
	uint32_t f = 1u << 7 | 1u << 9; /* fixed channels, unicast connectionless data */
	if (l2k_mode_supported(L2K_MODE_FLOWCTL))
		f |= 1u << 0;
	if (l2k_mode_supported(L2K_MODE_RETRANS))
		f |= 1u << 1;
	if (l2k_mode_supported(L2K_MODE_ERTM))
		f |= 1u << 3 | 1u << 5 | 1u << 6 | 1u << 8; /* ERTM, FCS, EFS, EWS */
	if (l2k_mode_supported(L2K_MODE_STREAMING))
		f |= 1u << 4 | 1u << 5;
	if (l2k_mode_supported(L2K_MODE_ECFC))
		f |= 1u << 10;
	return f;
}

bool lt_ask_features(struct lt *t, uint8_t ident, uint32_t *feat)
{
	static const uint8_t ty[2] = {0x02, 0x00};
	lt_send_sig(t, 0x0A, ident, ty, 2);
	const struct lt_pdu *p = lt_expect_sig(t, 0x0B, 2000);
	if (!p)
		return false;
	if (p->len != 12 || p->data[1] != ident || lt_get16(p->data + 4) != 0x0002 || lt_get16(p->data + 6) != 0) {
		uint8_t want[12] = {0x0B, ident, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00};
		if (p->len >= 12)
			memcpy(want + 8, p->data + 8, 4);
		return lt_is(t, p, want, 12, "the IUT's Information Response (extended features: 4.11, our identifier, success)");
	}
	*feat = (uint32_t)lt_get16(p->data + 8) | (uint32_t)lt_get16(p->data + 10) << 16;
	lt_logf(t, "the IUT's extended features: 0x%08x", (unsigned)*feat);
	if (*feat & 0xFFFFF800u)
		return lt_fail(t, "extended features 0x%08x set bits 11-31, which 4.12 reserves (0)", (unsigned)*feat);
	if (t->iut_is_l2kit && *feat != lt_l2kit_features())
		return lt_fail(t, "extended features 0x%08x, not l2kit's 0x%08x (docs/modes.md: exactly what is built in)",
			       (unsigned)*feat, (unsigned)lt_l2kit_features());
	return true;
}

uint16_t lt_connect_bredr(struct lt *t, uint16_t psm, uint16_t tcid)
{
	uint8_t rq[4];
	lt_put16(rq, psm);
	lt_put16(rq + 2, tcid);
	uint8_t id = lt_ident(t);
	lt_send_sig(t, 0x02, id, rq, 4);
	const struct lt_pdu *p = lt_conn_rsp(t, id, 5000);
	if (!p)
		return 0;
	if (p->len >= 12 && p->data[1] == id && lt_get16(p->data + 6) == tcid && lt_get16(p->data + 8) != 0)
		return lt_inconclusive(t, "the IUT refused the connection to PSM 0x%04x (result 0x%04x)", psm,
				       lt_get16(p->data + 8)),
		       0;
	uint8_t w[12] = {0x03, id, 0x08, 0x00};
	if (p->len >= 6)
		memcpy(w + 4, p->data + 4, 2);
	lt_put16(w + 6, tcid);
	lt_put16(w + 8, 0);
	lt_put16(w + 10, 0);
	if (!lt_is(t, p, w, 12, "the IUT's Connection Response"))
		return 0;
	uint16_t icid = lt_get16(p->data + 4);
	if (icid < 0x0040)
		return lt_fail(t, "the IUT's Connection Response gives DCID 0x%04x, outside the dynamic range (2.1)", icid),
		       0;
	return icid;
}

uint16_t lt_take_conn_req(struct lt *t, uint16_t psm, uint16_t tcid)
{
	const struct lt_pdu *p = lt_expect_sig(t, 0x02, 5000);
	if (!p)
		return 0;
	if (p->len != 8)
		return lt_fail(t, "the IUT's Connection Request has %zu octets (8 expected)", p->len), 0;
	if (!p->data[1])
		return lt_fail(t, "the IUT's Connection Request has identifier 0 (never used, 4)"), 0;
	if (lt_get16(p->data + 4) != psm)
		return lt_fail(t, "the IUT's Connection Request is for PSM 0x%04x, expected 0x%04x", lt_get16(p->data + 4),
			       psm),
		       0;
	uint16_t scid = lt_get16(p->data + 6);
	if (scid < 0x0040)
		return lt_fail(t, "the IUT's Connection Request has SCID 0x%04x: not a dynamic CID (0x0040-0xFFFF, 2.1)",
			       scid),
		       0;
	uint8_t rsp[8];
	lt_put16(rsp, tcid);
	lt_put16(rsp + 2, scid);
	lt_put16(rsp + 4, 0);
	lt_put16(rsp + 6, 0);
	lt_send_sig(t, 0x03, p->data[1], rsp, 8);
	return scid;
}

uint16_t lt_open_bredr(struct lt *t, uint16_t psm, uint16_t tcid, const uint8_t *opts, size_t olen)
{
	return lt_open_bredr_ex(t, psm, tcid, opts, olen, NULL, 0, NULL, NULL);
}

uint16_t lt_open_bredr_ex(struct lt *t, uint16_t psm, uint16_t tcid, const uint8_t *opts, size_t olen,
			  const uint8_t *rsp_opts, size_t rsp_olen, uint8_t *iut_opts, size_t *iut_olen)
{
	uint8_t rq[4 + 64];
	uint16_t icid = lt_connect_bredr(t, psm, tcid);
	if (!icid)
		return 0;
	const struct lt_pdu *p = lt_expect_sig(t, 0x04, 5000);
	if (!p)
		return 0;
	if (p->len < 8 || lt_get16(p->data + 4) != tcid) {
		lt_fail(t, "the IUT's Configuration Request is not for our CID 0x%04x", tcid);
		return 0;
	}
	if (iut_olen) {
		size_t k = p->len - 8 < 64 ? p->len - 8 : 64;
		if (iut_opts && k)
			memcpy(iut_opts, p->data + 8, k);
		*iut_olen = k;
	}
	uint8_t ok[6 + 64];
	if (rsp_olen > 64)
		rsp_olen = 64;
	lt_put16(ok, icid);
	lt_put16(ok + 2, 0);
	lt_put16(ok + 4, 0);
	if (rsp_olen)
		memcpy(ok + 6, rsp_opts, rsp_olen);
	lt_send_sig(t, 0x05, p->data[1], ok, 6 + rsp_olen);
	if (olen > 64)
		olen = 64;
	lt_put16(rq, icid);
	lt_put16(rq + 2, 0);
	if (olen)
		memcpy(rq + 4, opts, olen);
	uint8_t id = lt_ident(t);
	lt_send_sig(t, 0x04, id, rq, 4 + olen);
	p = lt_expect_sig(t, 0x05, 5000);
	if (!p)
		return 0;
	if (p->len < 10 || p->data[1] != id || lt_get16(p->data + 4) != tcid || lt_get16(p->data + 8) != 0) {
		lt_fail(t, "the IUT did not accept our Configuration Request (identifier, SCID or result)");
		return 0;
	}
	return icid;
}

static bool le_linked(void *arg)
{
	struct lt *t = arg;
	uint16_t h;
	return l2k_link_find(t->st, &t->iut_addr, L2K_ADDR_LE_PUBLIC, &h) == 0;
}

bool lt_dual_up(struct lt *t, struct lt_dual *d)
{
	uint16_t h;
	struct l2k_controller_info ci;
	if (l2k_controller_info(t->st, &ci) == 0 && !ci.le)
		return lt_na(t, "the tester's controller has no LE: the case needs a BR/EDR and an LE link to the IUT");
	d->br = t->handle;
	int r = l2k_link_connect(t->st, &t->iut_addr, L2K_ADDR_LE_PUBLIC);
	if (r < 0 && r != L2K_EALREADY)
		return lt_inconclusive(t, "cannot create an LE link to the IUT: %s", l2k_strerror(r));
	if (!le_linked(t))
		t->clk.run_until(t, le_linked, t, 10000);
	if (l2k_link_find(t->st, &t->iut_addr, L2K_ADDR_LE_PUBLIC, &h) < 0)
		return lt_inconclusive(t, "no LE link to the IUT within 10 s (it must advertise connectable on LE with "
					  "its public address)");
	d->le = h;
	lt_logf(t, "(an LE link to the IUT too: handle 0x%04x; BR/EDR 0x%04x)", d->le, d->br);
	return true;
}

void lt_dual_use(struct lt *t, const struct lt_dual *d, bool le)
{
	t->le = le;
	t->handle = le ? d->le : d->br;
	lt_logf(t, "(on the %s link)", le ? "LE" : "BR/EDR");
}

bool lt_le_connect(struct lt *t, const struct lt_le_conn *rq, struct lt_le_conn *rsp)
{
	uint8_t d[10];
	lt_put16(d, rq->spsm);
	lt_put16(d + 2, rq->cid);
	lt_put16(d + 4, rq->mtu);
	lt_put16(d + 6, rq->mps);
	lt_put16(d + 8, rq->credits);
	uint8_t id = lt_ident(t);
	lt_send_sig(t, 0x14, id, d, 10);
	const struct lt_pdu *p = lt_expect_sig(t, 0x15, 5000);
	if (!p)
		return false;
	if (p->len != 14)
		return lt_fail(t, "LE Credit Based Connection Response of %zu octets (14 expected)", p->len);
	if (p->data[1] != id)
		return lt_fail(t, "LE Credit Based Connection Response identifier 0x%02x, expected 0x%02x (the request's)",
			       p->data[1], id);
	rsp->cid = lt_get16(p->data + 4);
	rsp->mtu = lt_get16(p->data + 6);
	rsp->mps = lt_get16(p->data + 8);
	rsp->credits = lt_get16(p->data + 10);
	rsp->result = lt_get16(p->data + 12);
	return true;
}

/* ---- running a case ----------------------------------------------------------------------- */

enum lt_verdict lt_case_run(const struct lt_case *c, struct lt *t)
{
	if (c->na) {
		lt_na(t, "%s", c->na);
		return t->verdict;
	}
	c->run(t);
	if (t->verdict == LT_NONE) {
		t->verdict = LT_PASS;
		lt_logf(t, "pass");
	}
	return t->verdict;
}

/* ---- security ----------------------------------------------------------------------------- */

struct lt_sec_wait {
	bool done;
	int err;
};

static void lt_sec_done(void *u, uint16_t handle, int err)
{
	struct lt_sec_wait *w = u;
	(void)handle;
	w->done = true;
	w->err = err;
}

static bool lt_sec_ended(void *a)
{
	return ((struct lt_sec_wait *)a)->done;
}

int lt_secure(struct lt *t, uint8_t level, uint64_t ms)
{
	struct lt_sec_wait w = {false, 0};
	int r = l2k_link_secure(t->st, t->handle, level, lt_sec_done, &w);
	if (r < 0)
		return r;
	if (!t->clk.run_until(t, lt_sec_ended, &w, ms))
		return L2K_ETIMEDOUT;
	if (w.err == 0)
		lt_logf(t, "(the tester raised the link to level %u)", level);
	else
		lt_logf(t, "(the tester could not raise the link to level %u: %s)", level, l2k_strerror(w.err));
	return w.err;
}

int lt_link_sec(struct lt *t, struct l2k_link_security *out)
{
	return l2k_link_security(t->st, t->handle, out);
}

static bool lt_is_down(void *a)
{
	return ((struct lt *)a)->link_down;
}

static bool lt_is_up(void *a)
{
	return ((struct lt *)a)->handle != 0;
}

bool lt_relink(struct lt *t, uint64_t ms)
{
	int r = l2k_link_disconnect(t->st, t->handle, 0x13);
	if (r < 0 || !t->clk.run_until(t, lt_is_down, t, ms))
		return lt_inconclusive(t, "the tester could not take its link to the IUT down (%s)", l2k_strerror(r));
	lt_flush(t);
	t->handle = 0;
	t->link_down = false;
	lt_run(t, 100); /* the IUT sees the link go and advertises again */
	r = l2k_link_connect(t->st, &t->iut_addr, t->iut_type);
	if (r < 0 || !t->clk.run_until(t, lt_is_up, t, ms))
		return lt_inconclusive(t, "no new link to the IUT (%s)", r < 0 ? l2k_strerror(r) : "timeout");
	lt_logf(t, "(a new link to the IUT: handle 0x%04x)", t->handle);
	lt_run(t, 100);
	return true;
}
