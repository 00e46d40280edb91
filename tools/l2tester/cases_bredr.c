/* l2tester's BR/EDR cases: COS/CED, COS/CFD, COS/ECH (Vol 3 Part A 4, 5, 7).  Each case plays
 * the lower tester of L2CAP.TS and checks every byte the IUT sends (lt.h). */
#include <stdio.h>
#include <string.h>

#include "tools/l2tester/cases.h"

#define TCID 0x0050 /* the tester's CID */

static char chan[16]; /* the IUT's chan= of the channel a case opened through it */

/* The IUT listens on t->psm (Basic mode, options as given). */
static bool iut_listen(struct lt *t, const char *extra)
{
	return lt_iut(t, NULL, 0, "listen psm=%u transport=bredr mode=basic%s%s", t->psm, *extra ? " " : "", extra);
}

/* The IUT connects to the tester's PSM 0x1001 (extra: options); its Connection Request is
 * checked (length, PSM, a dynamic SCID) and its SCID returned (0: verdict set). */
static uint16_t iut_connects(struct lt *t, const char *extra)
{
	char a[18], ans[64];
	if (!lt_iut(t, ans, sizeof(ans), "connect addr=%s transport=bredr psm=4097 mode=basic%s%s",
		    l2k_addr_str(&t->tst_addr, a), *extra ? " " : "", extra))
		return 0;
	snprintf(chan, sizeof(chan), "%.8s", strncmp(ans, "chan=", 5) ? "1" : ans + 5);
	return lt_take_conn_req(t, 0x1001, TCID);
}

/* A Configuration Request p that carries no option where opts is exactly MTU 672: the same
 * request, since a value at its default may be omitted (Vol 3 Part A 5.1: no MTU option means
 * 672 on BR/EDR). */
static bool default_mtu_omitted(const struct lt_pdu *p, const uint8_t *opts, size_t olen)
{
	static const uint8_t mtu672[4] = {0x01, 0x02, 0xA0, 0x02};
	return p->len == 8 && olen == 4 && !memcmp(opts, mtu672, 4);
}

/* The IUT's Configuration Request for our CID: checked to carry flags 0 and exactly opts
 * (when want_opts); answered success.  false: verdict set. */
static bool take_conf_req(struct lt *t, uint16_t scid, const uint8_t *opts, size_t olen, bool want_opts)
{
	const struct lt_pdu *p = lt_expect_sig(t, 0x04, 5000);
	if (!p)
		return false;
	if (p->len < 8 || lt_get16(p->data + 4) != TCID)
		return lt_fail(t, "the IUT's Configuration Request is not for our CID 0x%04x", TCID);
	if (lt_get16(p->data + 6) != 0)
		return lt_fail(t, "the IUT's Configuration Request has flags 0x%04x (0 expected)", lt_get16(p->data + 6));
	if (want_opts && !default_mtu_omitted(p, opts, olen)) {
		uint8_t w[8 + 32];
		memcpy(w, p->data, 8);
		memcpy(w + 8, opts, olen);
		lt_put16(w + 2, (uint16_t)(4 + olen));
		if (!lt_is(t, p, w, 8 + olen, "the IUT's Configuration Request"))
			return false;
	}
	uint8_t crsp[6];
	lt_put16(crsp, scid);
	lt_put16(crsp + 2, 0);
	lt_put16(crsp + 4, 0);
	lt_send_sig(t, 0x05, p->data[1], crsp, 6);
	return true;
}

/* The MTU our options set for the IUT's sending (the MTU option's value, else the 672 in force
 * by default, 5.1). */
static uint16_t mtu_in_force(const uint8_t *opts, size_t olen)
{
	for (size_t i = 0; i + 2 <= olen; i += 2 + (size_t)opts[i + 1])
		if ((opts[i] & 0x7F) == 0x01 && opts[i + 1] == 2 && i + 4 <= olen)
			return lt_get16(opts + i + 2);
	return 672;
}

/* Send our Configuration Request (flags, options) to the IUT's cid and take its response: the
 * code, identifier (ours), SCID (ours), flags and result checked, its options not.  NULL:
 * verdict set. */
static const struct lt_pdu *conf_exchange_rsp(struct lt *t, uint16_t icid, uint16_t flags, const uint8_t *opts,
					      size_t olen, uint16_t rflags, uint16_t result)
{
	uint8_t b[4 + 64];
	uint8_t id = lt_ident(t);
	lt_put16(b, icid);
	lt_put16(b + 2, flags);
	if (olen)
		memcpy(b + 4, opts, olen);
	lt_send_sig(t, 0x04, id, b, 4 + olen);
	const struct lt_pdu *p = lt_expect_sig(t, 0x05, 5000);
	if (!p)
		return NULL;
	if (p->len < 10)
		return lt_fail(t, "the IUT's Configuration Response has %zu octets (10 at least)", p->len), NULL;
	uint8_t w[10] = {0x05, id};
	memcpy(w + 2, p->data + 2, 2);
	lt_put16(w + 4, TCID);
	lt_put16(w + 6, rflags);
	lt_put16(w + 8, result);
	struct lt_pdu head = *p;
	head.len = 10;
	return lt_is(t, &head, w, 10, "the IUT's Configuration Response") ? p : NULL;
}

/* Send our Configuration Request (flags, options) to the IUT's cid and check its response:
 * SCID = ours, the identifier ours, flags, result and options exactly.  A success that was to
 * carry no option may restate the MTU in force (the IUT repeating what applies is no change). */
static bool conf_exchange(struct lt *t, uint16_t icid, uint16_t flags, const uint8_t *opts, size_t olen,
			  uint16_t rflags, uint16_t result, const uint8_t *ropts, size_t rolen)
{
	const struct lt_pdu *p = conf_exchange_rsp(t, icid, flags, opts, olen, rflags, result);
	if (!p)
		return false;
	uint8_t w[10 + 64];
	memcpy(w, p->data, 10);
	lt_put16(w + 2, (uint16_t)(6 + rolen));
	if (rolen)
		memcpy(w + 10, ropts, rolen);
	if (result == 0 && rolen == 0 && p->len == 14 && p->data[10] == 0x01 && p->data[11] == 2 &&
	    lt_get16(p->data + 12) == mtu_in_force(opts, olen) && lt_get16(p->data + 2) == 10) {
		lt_logf(t, "(the IUT restates the MTU in force, %u)", lt_get16(p->data + 12));
		return true;
	}
	return lt_is(t, p, w, 10 + rolen, "the IUT's Configuration Response");
}

/* As conf_exchange, the response's options not checked (they may repeat what was agreed). */
static bool conf_exchange_hdr(struct lt *t, uint16_t icid, uint16_t flags, const uint8_t *opts, size_t olen,
			      uint16_t rflags, uint16_t result)
{
	return conf_exchange_rsp(t, icid, flags, opts, olen, rflags, result) != NULL;
}

/* The tester connects to the IUT's PSM and takes its Configuration Request without answering:
 * the IUT's CID (0: verdict set); *cfg_id its identifier. */
static uint16_t connect_only(struct lt *t, uint8_t *cfg_id, const uint8_t *want, size_t wlen)
{
	uint16_t icid = lt_connect_bredr(t, t->psm, TCID);
	if (!icid)
		return 0;
	const struct lt_pdu *p = lt_expect_sig(t, 0x04, 5000);
	if (!p)
		return 0;
	if (p->len < 8 || lt_get16(p->data + 4) != TCID)
		return lt_fail(t, "the IUT's Configuration Request is not for our CID"), 0;
	if (want && !default_mtu_omitted(p, want, wlen)) {
		uint8_t w[8 + 32];
		memcpy(w, p->data, 8);
		lt_put16(w + 2, (uint16_t)(4 + wlen));
		lt_put16(w + 6, 0);
		memcpy(w + 8, want, wlen);
		if (!lt_is(t, p, w, 8 + wlen, "the IUT's Configuration Request"))
			return 0;
	}
	*cfg_id = p->data[1];
	return icid;
}

static void conf_ok(struct lt *t, uint16_t icid, uint8_t id)
{
	uint8_t b[6] = {0, 0, 0, 0, 0, 0};
	lt_put16(b, icid);
	lt_send_sig(t, 0x05, id, b, 6);
}

/* The IUT opens and configures a Basic channel (MTU 672 asked, or no option: the same); our
 * request has no options.
 * Its SCID, or 0. */
static uint16_t iut_opens_basic(struct lt *t)
{
	uint16_t scid = iut_connects(t, "");
	static const uint8_t mtu672[4] = {0x01, 0x02, 0xA0, 0x02};
	if (!scid || !take_conf_req(t, scid, mtu672, 4, true) || !conf_exchange(t, scid, 0, NULL, 0, 0, 0, NULL, 0))
		return 0;
	if (!lt_iut_wait_open(t, 1, 2000, "the channel open"))
		return 0;
	return scid;
}

/* L2CAP/COS/CED/BV-01-C: the IUT opens a Basic channel to the tester's PSM: Connection Request,
 * then configuration both ways, every field checked. */
static void ced_bv01(struct lt *t)
{
	iut_opens_basic(t);
}

/* L2CAP/COS/CED/BV-03-C: data both ways on an open Basic channel: the IUT's SDU arrives as one
 * B-frame on our CID, ours reaches the IUT's application. */
static void ced_bv03(struct lt *t)
{
	uint16_t scid = iut_opens_basic(t);
	if (!scid || !lt_iut(t, NULL, 0, "send chan=%s hex=68656c6c6f2121", chan))
		return;
	const struct lt_pdu *p = lt_next_on(t, TCID, 2000);
	static const uint8_t hello[7] = {'h', 'e', 'l', 'l', 'o', '!', '!'};
	if (!p)
		return (void)lt_fail(t, "the IUT's SDU did not arrive on our CID");
	if (!lt_is(t, p, hello, 7, "the IUT's B-frame"))
		return;
	lt_send(t, scid, (const uint8_t *)"abc", 3);
	if (!lt_iut_wait_sdus(t, 1, 2000, "our B-frame"))
		return;
	if (t->obs.len != 3 || memcmp(t->obs.data, "abc", 3))
		lt_fail(t, "the IUT's application received %zu octets, not our 3 ('abc')", t->obs.len);
}

/* L2CAP/COS/CED/BV-07-C: the tester disconnects an open channel: the IUT answers with the same
 * CIDs and identifier and releases the channel. */
static void ced_bv07(struct lt *t)
{
	uint16_t scid = iut_opens_basic(t);
	if (!scid)
		return;
	uint8_t dreq[4];
	lt_put16(dreq, scid);
	lt_put16(dreq + 2, TCID);
	uint8_t id = lt_ident(t);
	lt_send_sig(t, 0x06, id, dreq, 4);
	const struct lt_pdu *p = lt_expect_sig(t, 0x07, 2000);
	uint8_t want[8] = {0x07, id, 0x04, 0x00, dreq[0], dreq[1], dreq[2], dreq[3]};
	if (!p || !lt_is(t, p, want, 8, "the IUT's Disconnection Response"))
		return;
	if (lt_iut_wait_closed(t, 1, 2000, "the channel closed") && strcmp(t->obs.reason, "remote"))
		lt_fail(t, "the IUT's application saw the channel close for '%s', not 'remote'", t->obs.reason);
}

/* L2CAP/COS/CED/BV-04-C: the IUT closes an open channel with a Disconnection Request naming both
 * CIDs and completes when the tester answers; data to the old CID is then dropped. */
static void ced_bv04(struct lt *t)
{
	uint8_t cfg_id;
	if (!lt_iut(t, NULL, 0, "listen psm=%u transport=bredr mode=basic", t->psm))
		return;
	uint16_t icid = connect_only(t, &cfg_id, NULL, 0);
	if (!icid || !conf_exchange(t, icid, 0, NULL, 0, 0, 0, NULL, 0))
		return;
	conf_ok(t, icid, cfg_id);
	if (!lt_iut_wait_open(t, 1, 2000, "the channel open"))
		return;
	char c[16];
	snprintf(c, sizeof(c), "%d", t->obs.chan);
	if (!lt_iut(t, NULL, 0, "disconnect chan=%s", c))
		return;
	const struct lt_pdu *p = lt_expect_sig(t, 0x06, 2000);
	if (!p)
		return;
	uint8_t want[8] = {0x06, p->data[1], 0x04, 0x00};
	lt_put16(want + 4, TCID);
	lt_put16(want + 6, icid);
	if (!lt_is(t, p, want, 8, "the IUT's Disconnection Request"))
		return;
	if (t->iut->events && t->obs.closed)
		return (void)lt_fail(t, "the IUT's application saw the channel close before the Disconnection Response");
	lt_send_sig(t, 0x07, p->data[1], want + 4, 4);
	if (t->iut->events && lt_iut_wait_closed(t, 1, 2000, "the channel closed") && strcmp(t->obs.reason, "local"))
		return (void)lt_fail(t, "the IUT's application saw the close as '%s', not 'local'", t->obs.reason);
	lt_run(t, 50);
	lt_send(t, icid, (const uint8_t *)"x", 1);
	lt_quiet(t, 500);
}

/* L2CAP/COS/CED/BV-09-C: several commands in one C-frame are each answered, in order. */
static void ced_bv09(struct lt *t)
{
	uint8_t f[32];
	size_t n = 0;
	f[n++] = 0x0A, f[n++] = 0x61, lt_put16(f + n, 2), n += 2, lt_put16(f + n, 0x0002), n += 2;
	f[n++] = 0x08, f[n++] = 0x62, lt_put16(f + n, 3), n += 2, f[n++] = 'a', f[n++] = 'b', f[n++] = 'c';
	f[n++] = 0x0A, f[n++] = 0x63, lt_put16(f + n, 2), n += 2, lt_put16(f + n, 0x0003), n += 2;
	lt_send(t, 0x0001, f, n);
	const struct lt_pdu *p = lt_expect_sig(t, 0x0B, 2000);
	if (!p)
		return;
	if (p->data[1] != 0x61)
		return (void)lt_fail(t, "first Information Response identifier 0x%02x, expected 0x61", p->data[1]);
	p = lt_expect_sig(t, 0x09, 2000);
	static const uint8_t echo[7] = {0x09, 0x62, 0x03, 0x00, 'a', 'b', 'c'};
	if (!p || !lt_is(t, p, echo, 7, "the Echo Response"))
		return;
	p = lt_expect_sig(t, 0x0B, 2000);
	if (p && p->data[1] != 0x63)
		lt_fail(t, "second Information Response identifier 0x%02x, expected 0x63", p->data[1]);
}

/* L2CAP/COS/CED/BI-01-C: an unknown signaling code gets Command Reject "not understood" with the
 * same identifier. */
static void ced_bi01(struct lt *t)
{
	static const uint8_t data[2] = {0x12, 0x34};
	lt_send_sig(t, 0x3F, 0x21, data, 2);
	const struct lt_pdu *p = lt_expect_sig(t, 0x01, 2000);
	static const uint8_t want[6] = {0x01, 0x21, 0x02, 0x00, 0x00, 0x00};
	if (p)
		lt_is(t, p, want, 6, "the IUT's Command Reject");
}

/* L2CAP/COS/ECH/BV-01-C: an Echo Request is answered with the same identifier and data. */
static void ech_bv01(struct lt *t)
{
	static const uint8_t data[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	lt_send_sig(t, 0x08, 0x33, data, 10);
	const struct lt_pdu *p = lt_expect_sig(t, 0x09, 2000);
	uint8_t want[14] = {0x09, 0x33, 0x0A, 0x00};
	memcpy(want + 4, data, 10);
	if (p)
		lt_is(t, p, want, 14, "the IUT's Echo Response");
}

/* L2CAP/COS/CFD/BV-01-C: a configuration split over two requests with the continuation flag:
 * the first part is acknowledged with C=1 and no options, the whole applied at the end (the
 * IUT's peer MTU is then the first part's 200). */
static void cfd_bv01(struct lt *t)
{
	uint8_t cfg_id;
	if (!iut_listen(t, ""))
		return;
	uint16_t icid = connect_only(t, &cfg_id, NULL, 0);
	static const uint8_t mtu200[4] = {0x01, 0x02, 0xC8, 0x00}, flush[4] = {0x02, 0x02, 0xFF, 0xFF};
	if (!icid || !conf_exchange(t, icid, 0x0001, mtu200, 4, 0x0001, 0, NULL, 0))
		return;
	if (!conf_exchange_hdr(t, icid, 0, flush, 4, 0, 0))
		return;
	conf_ok(t, icid, cfg_id);
	if (lt_iut_wait_open(t, 1, 2000, "the channel open") && t->obs.peer_mtu != 200)
		lt_fail(t, "the IUT uses peer MTU %u, not the 200 of the first part", t->obs.peer_mtu);
}

/* L2CAP/COS/CFD/BV-03-C: an option-less request is answered success without options (the
 * default MTU 672 applies) and the IUT's own request carries the MTU it needs (512 here). */
static void cfd_bv03(struct lt *t)
{
	uint8_t cfg_id;
	static const uint8_t mtu512[4] = {0x01, 0x02, 0x00, 0x02};
	if (!iut_listen(t, "mtu=512"))
		return;
	uint16_t icid = connect_only(t, &cfg_id, mtu512, 4);
	if (!icid)
		return;
	if (!conf_exchange(t, icid, 0, NULL, 0, 0, 0, NULL, 0))
		return;
	conf_ok(t, icid, cfg_id);
	if (lt_iut_wait_open(t, 1, 2000, "the channel open") && (t->obs.peer_mtu != 672 || t->obs.mtu != 512))
		lt_fail(t, "the IUT's MTUs are %u (ours) / %u (its), expected 672 / 512", t->obs.peer_mtu, t->obs.mtu);
}

/* L2CAP/COS/CFD/BV-08-C: the IUT (initiator) answers the tester's Configuration Request at once,
 * while its own request is still unanswered. */
static void cfd_bv08(struct lt *t)
{
	uint16_t scid = iut_connects(t, "");
	if (!scid)
		return;
	const struct lt_pdu *p = lt_expect_sig(t, 0x04, 5000);
	if (!p)
		return;
	uint8_t cfg_id = p->data[1];
	static const uint8_t mtu100[4] = {0x01, 0x02, 0x64, 0x00};
	if (!conf_exchange(t, scid, 0, mtu100, 4, 0, 0, mtu100, 4))
		return;
	if (t->iut->events && t->obs.opened)
		return (void)lt_fail(t, "the IUT opened the channel before its own request was answered");
	conf_ok(t, scid, cfg_id);
	lt_iut_wait_open(t, 1, 2000, "the channel open");
}

/* L2CAP/COS/CFD/BV-09-C: the IUT works with the minimum MTU of 48 both ways: it asks for 48,
 * sends a 48-octet SDU as one B-frame and takes ours. */
static void cfd_bv09(struct lt *t)
{
	uint16_t scid = iut_connects(t, "mtu=48");
	static const uint8_t mtu48[4] = {0x01, 0x02, 0x30, 0x00};
	if (!scid || !take_conf_req(t, scid, mtu48, 4, true) || !conf_exchange(t, scid, 0, mtu48, 4, 0, 0, mtu48, 4))
		return;
	if (!lt_iut_wait_open(t, 1, 2000, "the channel open"))
		return;
	if (t->obs.mtu != 48 || t->obs.peer_mtu != 48)
		return (void)lt_fail(t, "the IUT's MTUs are %u / %u, not 48 / 48", t->obs.mtu, t->obs.peer_mtu);
	char h[97];
	memset(h, '4', 96);
	h[96] = 0;
	if (!lt_iut(t, NULL, 0, "send chan=%s hex=%s", chan, h))
		return;
	const struct lt_pdu *p = lt_next_on(t, TCID, 2000);
	if (!p)
		return (void)lt_fail(t, "the IUT's 48-octet SDU did not arrive");
	if (p->len != 48)
		return (void)lt_fail(t, "the IUT's B-frame has %zu octets, not 48", p->len);
	uint8_t b[48];
	memset(b, 0x48, sizeof(b));
	lt_send(t, scid, b, 48);
	if (lt_iut_wait_sdus(t, 1, 2000, "our 48-octet SDU") && t->obs.len != 48)
		lt_fail(t, "the IUT's application got %zu octets, not 48", t->obs.len);
}

/* L2CAP/COS/CFD/BV-11-C: values the IUT cannot take are answered Unacceptable with a usable
 * value: an MTU under 48 (answer 48) and a Guaranteed QoS (answer Best Effort). */
static void cfd_bv11(struct lt *t)
{
	uint8_t cfg_id;
	if (!iut_listen(t, ""))
		return;
	uint16_t icid = connect_only(t, &cfg_id, NULL, 0);
	static const uint8_t mtu40[4] = {0x01, 0x02, 0x28, 0x00}, mtu48[4] = {0x01, 0x02, 0x30, 0x00};
	if (!icid)
		return;
	/* Unacceptable with a usable MTU: any of 48 or more (the kernel's 672; l2kit's 48) */
	const struct lt_pdu *p = conf_exchange_rsp(t, icid, 0, mtu40, 4, 0, 0x0001);
	if (!p)
		return;
	if (p->len != 14 || p->data[10] != 0x01 || p->data[11] != 2 || lt_get16(p->data + 12) < 48 ||
	    (t->iut_is_l2kit && lt_get16(p->data + 12) != 48)) {
		uint8_t w[14] = {0x05, p->data[1], 0x0A, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x02, 0x30, 0x00};
		return (void)lt_is(t, p, w, 14, "the IUT's Configuration Response (one MTU option of 48 or more)");
	}
	uint8_t qos[24] = {0x03, 22, 0x00, 0x02}, qos_be[24];
	memset(qos + 4, 0x11, 20);
	memcpy(qos_be, qos, 24);
	qos_be[3] = 0x01;
	if (!conf_exchange(t, icid, 0, qos, 24, 0, 0x0001, qos_be, 24))
		return;
	conf_ok(t, icid, cfg_id);
	if (!conf_exchange(t, icid, 0, mtu48, 4, 0, 0, mtu48, 4))
		return;
	lt_iut_wait_open(t, 1, 2000, "the channel open");
}

/* L2CAP/COS/CFD/BV-12-C: unknown options flagged as hints are skipped: success, and the response
 * does not name them. */
static void cfd_bv12(struct lt *t)
{
	uint8_t cfg_id;
	if (!iut_listen(t, ""))
		return;
	uint16_t icid = connect_only(t, &cfg_id, NULL, 0);
	static const uint8_t opts[13] = {0x90, 0x03, 1, 2, 3, 0x01, 0x02, 0x64, 0x00, 0xFF, 0x02, 0xAA, 0xBB};
	static const uint8_t mtu100[4] = {0x01, 0x02, 0x64, 0x00};
	if (!icid || !conf_exchange(t, icid, 0, opts, sizeof(opts), 0, 0, mtu100, 4))
		return;
	conf_ok(t, icid, cfg_id);
	lt_iut_wait_open(t, 1, 2000, "the channel open");
}

/* The data of a Configuration Response "unknown options" (result 0x0003) names exactly the
 * option types want (each once).  Vol 3 Part A 4.5 (Configuration Response, Config): "On an
 * unknown option failure (Result=0x0003), the option types not understood by the recipient of
 * the Request shall be included in the Response unless they are hints."  The spec asks for the
 * types and fixes no other encoding, while the Config field is otherwise a list of options
 * (type, length, value; 5): both a bare list of the type octets (the TS's reading, l2kit's) and
 * options bearing those types (the Linux kernel's, each of length 1 with the type as value:
 * 10 01 10 11 01 11) include them.  Either reading must give exactly the types wanted. */
static bool types_exactly(const uint8_t *got, size_t n, const uint8_t *want, size_t wn)
{
	if (n != wn)
		return false;
	for (size_t i = 0; i < wn; i++) {
		size_t k = 0;
		for (size_t j = 0; j < n; j++)
			k += (got[j] & 0x7F) == want[i];
		if (k != 1)
			return false;
	}
	return true;
}

static bool unknown_types_are(const uint8_t *d, size_t n, const uint8_t *want, size_t wn)
{
	if (types_exactly(d, n, want, wn))
		return true;
	uint8_t ty[32];
	size_t k = 0, i = 0;
	while (i < n) {
		if (i + 2 > n || i + 2 + (size_t)d[i + 1] > n || k == sizeof(ty))
			return false;
		ty[k++] = d[i];
		i += 2 + (size_t)d[i + 1];
	}
	return types_exactly(ty, k, want, wn);
}

/* L2CAP/COS/CFD/BV-14-C: unknown non-hint options: result Unknown Options listing their types
 * (hints excluded); a request without them then succeeds. */
static void cfd_bv14(struct lt *t)
{
	uint8_t cfg_id;
	if (!iut_listen(t, ""))
		return;
	uint16_t icid = connect_only(t, &cfg_id, NULL, 0);
	static const uint8_t opts[12] = {0x10, 0x02, 1, 2, 0x01, 0x02, 0x64, 0x00, 0x90, 0x00, 0x11, 0x00};
	static const uint8_t types[2] = {0x10, 0x11};
	if (!icid)
		return;
	const struct lt_pdu *p = conf_exchange_rsp(t, icid, 0, opts, sizeof(opts), 0, 0x0003);
	if (!p)
		return;
	if (!unknown_types_are(p->data + 10, p->len - 10, types, 2) || (t->iut_is_l2kit && p->len != 12)) {
		uint8_t w[12] = {0x05, p->data[1], 0x08, 0x00, 0x50, 0x00, 0x00, 0x00, 0x03, 0x00, 0x10, 0x11};
		return (void)lt_is(t, p, w, 12, "the IUT's Configuration Response (the unknown option types 0x10, 0x11)");
	}
	conf_ok(t, icid, cfg_id);
	if (t->iut->events) {
		lt_run(t, 50);
		if (t->obs.opened)
			return (void)lt_fail(t, "the IUT opened the channel with our configuration unfinished");
	}
	if (!conf_exchange(t, icid, 0, opts + 4, 4, 0, 0, opts + 4, 4))
		return;
	lt_iut_wait_open(t, 1, 2000, "the channel open");
}

/* The IUT listens (options extra) and the tester opens a Basic channel to it, configured without
 * options: the IUT's CID, or 0 (verdict set). */
static uint16_t tester_opens_basic(struct lt *t, const char *extra)
{
	if (!iut_listen(t, extra))
		return 0;
	uint16_t icid = lt_open_bredr(t, t->psm, TCID, NULL, 0);
	if (!icid || !lt_iut_wait_open(t, 1, 2000, "the channel open"))
		return 0;
	return icid;
}

/* One raw ACL packet from the tester (PB flag pb), then a little time for the IUT. */
static void acl(struct lt *t, uint8_t pb, const uint8_t *p, size_t n)
{
	lt_send_acl(t, pb, p, n);
	lt_run(t, 20);
}

#define PB_START 0x2
#define PB_CONT 0x1

/* L2CAP/COS/CED/BV-05-C: the IUT accepts an incoming Basic channel configured with the minimum
 * MTU (48) and carries a 48-octet PDU both ways; one octet more is dropped / refused. */
static void ced_bv05(struct lt *t)
{
	if (!iut_listen(t, "mtu=48"))
		return;
	uint16_t icid = lt_connect_bredr(t, t->psm, TCID);
	if (!icid)
		return;
	const struct lt_pdu *p = lt_expect_sig(t, 0x04, 5000);
	if (!p)
		return;
	uint8_t want_cfg[12] = {0x04, p->data[1], 0x08, 0x00, 0, 0, 0x00, 0x00, 0x01, 0x02, 0x30, 0x00};
	lt_put16(want_cfg + 4, TCID);
	if (!lt_is(t, p, want_cfg, 12, "the IUT's Configuration Request"))
		return;
	conf_ok(t, icid, p->data[1]);
	static const uint8_t mtu48[4] = {0x01, 0x02, 0x30, 0x00};
	if (!conf_exchange_hdr(t, icid, 0, mtu48, 4, 0, 0) || !lt_iut_wait_open(t, 1, 2000, "the channel open"))
		return;
	int c = t->obs.chan;
	uint8_t pdu[49];
	for (int i = 0; i < 49; i++)
		pdu[i] = (uint8_t)i;
	lt_send(t, icid, pdu, 48);
	if (!lt_iut_wait_sdus(t, 1, 2000, "our 48-octet PDU"))
		return;
	if (t->obs.len != 48 || memcmp(t->obs.data, pdu, 48))
		return (void)lt_fail(t, "the IUT's application got %zu octets, not our 48", t->obs.len);
	lt_send(t, icid, pdu, 49); /* over the IUT's MTU: discarded (5.1) */
	if (!lt_iut_sdus_are(t, 1, 50, "a PDU over the IUT's MTU of 48"))
		return;
	char h[2 * 49 + 1];
	for (int i = 0; i < 49; i++)
		snprintf(h + 2 * i, 3, "%02x", pdu[i]);
	h[96] = 0;
	if (!lt_iut(t, NULL, 0, "send chan=%d hex=%s", c, h))
		return;
	p = lt_next_on(t, TCID, 2000);
	if (!p)
		return (void)lt_fail(t, "the IUT's 48-octet SDU did not arrive");
	if (!lt_is(t, p, pdu, 48, "the IUT's B-frame"))
		return;
	snprintf(h + 96, 3, "%02x", pdu[48]);
	if (lt_iut_try(t, NULL, 0, "send chan=%d hex=%s", c, h) == 0)
		return (void)lt_fail(t, "the IUT took a 49-octet SDU for a peer whose MTU is 48");
	lt_quiet(t, 300);
}

/* L2CAP/COS/CED/BV-08-C: the tester never answers the IUT's Connection Request: the IUT gives up
 * when RTX expires (at least 1 s, 6.2.1) and its application hears a timeout. */
static void ced_bv08(struct lt *t)
{
	char a[18];
	if (!lt_iut(t, NULL, 0, "connect addr=%s transport=bredr psm=4099 mode=basic", l2k_addr_str(&t->tst_addr, a)))
		return;
	if (!lt_expect_sig(t, 0x02, 5000))
		return;
	uint64_t sent = t->clk.now(t);
	if (!lt_iut_wait_closed(t, 1, 70000, "the channel closed for a timeout"))
		return;
	if (strcmp(t->obs.reason, "timeout") || t->obs.opened)
		return (void)lt_fail(t, "the IUT's application saw '%s' (opened %d), not a timeout", t->obs.reason,
				     t->obs.opened);
	if (t->clk.now(t) - sent < 1000)
		lt_fail(t, "the IUT gave up after %llu ms: RTX is at least 1 s",
			(unsigned long long)(t->clk.now(t) - sent));
}

/* L2CAP/COS/CED/BV-11-C: an MTU above 48 is negotiated both ways and honoured: the IUT asks for
 * its 1000, accepts the tester's 900, sends 900-octet SDUs but not 901, takes 1000. */
static void ced_bv11(struct lt *t)
{
	uint8_t cfg_id;
	static const uint8_t mtu1000[4] = {0x01, 0x02, 0xE8, 0x03}, mtu900[4] = {0x01, 0x02, 0x84, 0x03};
	if (!iut_listen(t, "mtu=1000"))
		return;
	uint16_t icid = connect_only(t, &cfg_id, mtu1000, 4);
	if (!icid)
		return;
	conf_ok(t, icid, cfg_id);
	if (!conf_exchange(t, icid, 0, mtu900, 4, 0, 0, mtu900, 4) || !lt_iut_wait_open(t, 1, 2000, "the channel open"))
		return;
	int c = t->obs.chan;
	static uint8_t big[1000];
	static char h[2 * 901 + 1];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	for (int i = 0; i < 901; i++)
		snprintf(h + 2 * i, 3, "%02x", big[i]);
	h[1800] = 0;
	if (!lt_iut(t, NULL, 0, "send chan=%d hex=%s", c, h))
		return;
	const struct lt_pdu *p = lt_next_on(t, TCID, 2000);
	if (!p)
		return (void)lt_fail(t, "the IUT's 900-octet SDU did not arrive");
	if (!lt_is(t, p, big, 900, "the IUT's B-frame"))
		return;
	snprintf(h + 1800, 3, "%02x", big[900]);
	if (lt_iut_try(t, NULL, 0, "send chan=%d hex=%s", c, h) == 0)
		return (void)lt_fail(t, "the IUT took a 901-octet SDU for a peer whose MTU is 900");
	lt_send(t, icid, big, 1000);
	if (lt_iut_wait_sdus(t, 1, 2000, "our 1000-octet SDU") && (t->obs.len != 1000 || memcmp(t->obs.data, big, 1000)))
		lt_fail(t, "the IUT's application got %zu octets, not our 1000", t->obs.len);
}

/* L2CAP/COS/CED/BV-12-C: signaling PDUs that arrive split over ACL fragments are rebuilt and
 * answered: a Connection Request in 2 fragments, an Echo Request in 4.  The fragments of a PDU go
 * back to back: on one ACL link a start fragment ends an unfinished PDU (Vol 3 Part A 7.2, Vol 4
 * Part E 5.4.2), so the IUT's Information Requests are answered before a PDU starts or after it
 * ends, never between its fragments. */
static void ced_bv12(struct lt *t)
{
	if (!iut_listen(t, ""))
		return;
	lt_run(t, 300); /* an IUT may ask for our features when the link comes up */
	lt_answer_queued_info(t);
	uint8_t f[12] = {0x08, 0x00, 0x01, 0x00, 0x02, 0x31, 0x04, 0x00, 0, 0, 0, 0};
	lt_put16(f + 8, t->psm);
	lt_put16(f + 10, TCID);
	acl(t, PB_START, f, 7);
	lt_run(t, 200);
	if (lt_queued_sig(t)) /* nothing before the PDU is whole */
		return (void)lt_fail(t, "the IUT answered before the second fragment of the Connection Request");
	acl(t, PB_CONT, f + 7, 5);
	const struct lt_pdu *p = lt_conn_rsp(t, 0x31, 2000);
	if (!p)
		return;
	if (p->len != 12 || p->data[1] != 0x31 || lt_get16(p->data + 6) != TCID || lt_get16(p->data + 8) != 0)
		return (void)lt_fail(t, "the Connection Response to the split request is not a success for it");
	lt_run(t, 100);
	lt_answer_queued_info(t);
	lt_flush(t); /* the IUT's Configuration Request of the channel */
	uint8_t e[28] = {24, 0x00, 0x01, 0x00, 0x08, 0x32, 20, 0x00};
	for (int i = 0; i < 20; i++)
		e[8 + i] = (uint8_t)(0xA0 + i);
	acl(t, PB_START, e, 4);
	acl(t, PB_CONT, e + 4, 6);
	acl(t, PB_CONT, e + 10, 10);
	acl(t, PB_CONT, e + 20, 8);
	p = lt_next_on(t, 0x0001, 2000);
	while (p && p->len >= 1 && p->data[0] == 0x04) /* the IUT's Configuration Request of the channel */
		p = lt_next_on(t, 0x0001, 2000);
	uint8_t want[24] = {0x09, 0x32, 20, 0x00};
	memcpy(want + 4, e + 8, 20);
	if (!p)
		return (void)lt_fail(t, "no Echo Response to the request in 4 fragments");
	lt_is(t, p, want, 24, "the IUT's Echo Response");
}

/* L2CAP/COS/CED/BI-03-C: a B-frame whose length field disagrees with the octets received (in one
 * ACL packet, claiming more or fewer) is dropped; the next good one is delivered. */
static void ced_bi03(struct lt *t)
{
	if (!lt_iut_observes(t, "what the application received"))
		return;
	uint16_t icid = tester_opens_basic(t, "");
	if (!icid)
		return;
	uint8_t f[4 + 10];
	lt_put16(f + 2, icid);
	memset(f + 4, 0x5A, 10);
	lt_put16(f, 12); /* claims 12, carries 10: incomplete */
	acl(t, PB_START, f, sizeof(f));
	lt_put16(f, 8); /* claims 8, carries 10: overrun */
	acl(t, PB_START, f, sizeof(f));
	if (!lt_iut_sdus_are(t, 0, 20, "B-frames with wrong lengths"))
		return;
	lt_put16(f, 10);
	acl(t, PB_START, f, sizeof(f));
	if (!lt_iut_wait_sdus(t, 1, 2000, "the good B-frame"))
		return;
	if (t->obs.len != 10)
		return (void)lt_fail(t, "the IUT's application got %zu octets, not 10", t->obs.len);
	if (lt_quiet(t, 200) && t->obs.closed)
		lt_fail(t, "the IUT closed the channel");
}

/* L2CAP/COS/CED/BI-06-C (split 2) and BI-07-C (split 4): a bad-length B-frame over a start and
 * continuation fragments is dropped (too long: the continuation overruns; too short: a new start
 * interrupts it); a good one after them is delivered. */
static void bad_length_split(struct lt *t, size_t total, size_t piece, uint16_t over, uint16_t under)
{
	if (!lt_iut_observes(t, "what the application received"))
		return;
	uint16_t icid = tester_opens_basic(t, "");
	if (!icid)
		return;
	uint8_t f[4 + 64];
	lt_put16(f + 2, icid);
	for (size_t i = 0; i < total; i++)
		f[4 + i] = (uint8_t)i;
	uint16_t lens[3] = {over, under, (uint16_t)total};
	for (int k = 0; k < 3; k++) {
		lt_put16(f, lens[k]);
		for (size_t off = 0; off < 4 + total; off += piece)
			acl(t, off ? PB_CONT : PB_START, f + off, off + piece <= 4 + total ? piece : 4 + total - off);
		if (k < 2 && !lt_iut_sdus_are(t, 0, 20, "a B-frame whose length field is wrong"))
			return;
	}
	if (!lt_iut_wait_sdus(t, 1, 2000, "the good B-frame"))
		return;
	if (t->obs.len != total || memcmp(t->obs.data, f + 4, total))
		return (void)lt_fail(t, "the IUT's application got %zu octets, not our %zu", t->obs.len, total);
	lt_quiet(t, 200);
}

static void ced_bi06(struct lt *t)
{
	bad_length_split(t, 20, 12, 16, 30);
}

static void ced_bi07(struct lt *t)
{
	bad_length_split(t, 40, 11, 33, 60);
}

/* L2CAP/COS/CED/BI-04-C: an Echo Request C-frame whose basic-header length is wrong is not acted
 * on (no Echo Response, no Command Reject); a good one after it is answered. */
static void ced_bi04(struct lt *t)
{
	uint8_t f[4 + 8] = {0, 0, 0x01, 0x00, 0x08, 0x41, 0x04, 0x00, 1, 2, 3, 4};
	lt_put16(f, 6); /* 6 claimed, 8 sent */
	acl(t, PB_START, f, sizeof(f));
	if (!lt_quiet_sig(t, 300))
		return;
	lt_put16(f, 10); /* 10 claimed, 8 sent */
	f[5] = 0x42;
	acl(t, PB_START, f, sizeof(f));
	if (!lt_quiet_sig(t, 300))
		return;
	lt_put16(f, 8);
	f[5] = 0x43;
	acl(t, PB_START, f, sizeof(f));
	const struct lt_pdu *p = lt_expect_sig(t, 0x09, 2000);
	static const uint8_t want[8] = {0x09, 0x43, 0x04, 0x00, 1, 2, 3, 4};
	if (p && lt_is(t, p, want, 8, "the IUT's Echo Response"))
		lt_quiet_sig(t, 300);
}

/* L2CAP/COS/CED/BI-28-C: the IUT silently discards responses carrying an identifier it never
 * used, and duplicates of responses it already took (4). */
static void ced_bi28(struct lt *t)
{
	char a[18];
	if (!lt_iut(t, NULL, 0, "connect addr=%s transport=bredr psm=4097 mode=basic", l2k_addr_str(&t->tst_addr, a)))
		return;
	int c = 0;
	const struct lt_pdu *p = lt_expect_sig(t, 0x02, 5000);
	if (!p || p->len != 8)
		return (void)(p && lt_fail(t, "Connection Request of %zu octets", p->len));
	uint8_t id = p->data[1];
	uint16_t icid = lt_get16(p->data + 6);
	uint8_t rsp[8];
	lt_put16(rsp, TCID);
	lt_put16(rsp + 2, icid);
	lt_put16(rsp + 4, 0);
	lt_put16(rsp + 6, 0);
	lt_send_sig(t, 0x03, (uint8_t)(id ^ 0x80), rsp, 8); /* an identifier never used */
	if (!lt_quiet_sig(t, 1000))
		return;
	lt_send_sig(t, 0x03, id, rsp, 8);
	p = lt_expect_sig(t, 0x04, 2000);
	if (!p)
		return;
	uint8_t cfg_id = p->data[1];
	lt_send_sig(t, 0x03, id, rsp, 8); /* duplicate: no second Configuration Request */
	uint8_t crsp[6];
	lt_put16(crsp, icid);
	lt_put16(crsp + 2, 0);
	lt_put16(crsp + 4, 0);
	lt_send_sig(t, 0x05, (uint8_t)(cfg_id ^ 0x80), crsp, 6); /* stray Configuration Response */
	if (!lt_quiet_sig(t, 1000))
		return;
	lt_send_sig(t, 0x05, cfg_id, crsp, 6);
	if (!conf_exchange_hdr(t, icid, 0, NULL, 0, 0, 0) || !lt_iut_wait_open(t, 1, 2000, "the channel open"))
		return;
	c = t->obs.chan;
	uint8_t d[4];
	lt_put16(d, TCID);
	lt_put16(d + 2, icid);
	lt_send_sig(t, 0x07, 0x77, d, 4);
	lt_send_sig(t, 0x09, 0x78, d, 4);
	static const uint8_t info[8] = {0x02, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF}, rej[2] = {0, 0};
	lt_send_sig(t, 0x0B, 0x79, info, 8);
	lt_send_sig(t, 0x01, 0x7A, rej, 2);
	lt_send_sig(t, 0x05, cfg_id, crsp, 6); /* duplicate Configuration Response */
	if (!lt_quiet(t, 1000))
		return;
	if (t->obs.closed)
		return (void)lt_fail(t, "the IUT closed the channel on stray responses");
	if (!lt_iut(t, NULL, 0, "send chan=%d hex=6f6b", c))
		return;
	p = lt_next_on(t, TCID, 2000);
	static const uint8_t ok[2] = {'o', 'k'};
	if (!p)
		return (void)lt_fail(t, "the channel does not carry data after the stray responses");
	lt_is(t, p, ok, 2, "the IUT's B-frame");
}

/* L2CAP/COS/ECH/BV-02-C: the IUT sends an Echo Request with the data its application gave; the
 * tester's response (other data) reaches the application. */
static void ech_bv02(struct lt *t)
{
	char a[18];
	if (!lt_iut(t, NULL, 0, "echo addr=%s hex=70696e6721", l2k_addr_str(&t->tst_addr, a)))
		return;
	const struct lt_pdu *p = lt_expect_sig(t, 0x08, 3000);
	if (!p)
		return;
	uint8_t want[9] = {0x08, p->data[1], 0x05, 0x00, 'p', 'i', 'n', 'g', '!'};
	if (!lt_is(t, p, want, 9, "the IUT's Echo Request"))
		return;
	if (p->data[1] == 0)
		return (void)lt_fail(t, "the IUT's Echo Request has identifier 0 (never used, 4)");
	lt_send_sig(t, 0x09, p->data[1], (const uint8_t *)"pong", 4);
	if (lt_iut_wait_echo(t, 1, 2000, "the Echo Response") &&
	    (t->obs.echo_err || t->obs.echo_len != 4 || memcmp(t->obs.echo_data, "pong", 4)))
		lt_fail(t, "the IUT's application got err %d and %zu octets, not our 'pong'", t->obs.echo_err,
			t->obs.echo_len);
}

/* The next signaling command must be Command Reject "not understood" (0x0000) for ident. */
static bool not_understood(struct lt *t, uint8_t ident)
{
	const struct lt_pdu *p = lt_expect_sig(t, 0x01, 3000);
	uint8_t want[6] = {0x01, ident, 0x02, 0x00, 0x00, 0x00};
	return p && lt_is(t, p, want, 6, "the IUT's Command Reject");
}

/* L2CAP/COS/CED/BI-08-C: a command whose Length claims more than the C-frame holds is not acted
 * on: Command Reject "not understood" (Echo Request, Information Request), no response. */
static void ced_bi08(struct lt *t)
{
	static const uint8_t echo[8] = {0x08, 0x81, 0x0A, 0x00, 1, 2, 3, 4}; /* claims 10, has 4 */
	static const uint8_t info[6] = {0x0A, 0x82, 0x04, 0x00, 0x02, 0x00}; /* claims 4, has 2 */
	lt_send(t, 0x0001, echo, sizeof(echo));
	if (!not_understood(t, 0x81))
		return;
	lt_send(t, 0x0001, info, sizeof(info));
	if (not_understood(t, 0x82))
		lt_quiet_sig(t, 500);
}

/* L2CAP/COS/CED/BI-10-C: every request shorter than its fixed fields, and every fixed-size one
 * longer than its size, gets Command Reject "not understood" with its identifier and is not acted
 * on: no channel, no Information Response, the channel a long Disconnection Request names stays
 * open (the right length then closes it). */
static void ced_bi10(struct lt *t)
{
	uint16_t icid = tester_opens_basic(t, "");
	if (!icid)
		return;
	static const uint8_t d[4] = {0x01, 0x10, 0x51, 0x00};
	static const struct {
		uint8_t code;
		size_t len;
	} shorts[] = {{0x02, 0}, {0x02, 3}, {0x04, 0}, {0x04, 3}, {0x06, 0}, {0x06, 2}, {0x0A, 0}, {0x0A, 1}};
	for (size_t i = 0; i < sizeof(shorts) / sizeof(shorts[0]); i++) {
		uint8_t id = (uint8_t)(0x90 + i);
		lt_send_sig(t, shorts[i].code, id, d, shorts[i].len);
		if (!not_understood(t, id))
			return;
	}
	static const uint8_t c6[6] = {0x01, 0x10, 0x51, 0x00, 0xEE, 0xEE}, it[4] = {0x02, 0x00, 0x00, 0x00};
	lt_send_sig(t, 0x02, 0x71, c6, 6);
	if (!not_understood(t, 0x71))
		return;
	lt_send_sig(t, 0x0A, 0x72, it, 3);
	if (!not_understood(t, 0x72))
		return;
	lt_send_sig(t, 0x0A, 0x73, it, 4);
	if (!not_understood(t, 0x73))
		return;
	uint8_t dr[6] = {0, 0, 0x50, 0x00, 0x00, 0x00};
	lt_put16(dr, icid);
	lt_send_sig(t, 0x06, 0x74, dr, 6);
	if (!not_understood(t, 0x74) || !lt_quiet_sig(t, 500))
		return;
	if (t->obs.opened != 1 || t->obs.closed)
		return (void)lt_fail(t, "the IUT's application saw %d opens and %d closes (1 and 0 expected)", t->obs.opened,
				     t->obs.closed);
	lt_send_sig(t, 0x06, 0x75, dr, 4);
	const struct lt_pdu *p = lt_expect_sig(t, 0x07, 2000);
	uint8_t want[8] = {0x07, 0x75, 0x04, 0x00, dr[0], dr[1], dr[2], dr[3]};
	if (p)
		lt_is(t, p, want, 8, "the IUT's Disconnection Response");
}

/* L2CAP/COS/CED/BI-12-C: a command with a short Length followed by a stray octet: one Command
 * Reject for the command, the stray octet ignored. */
static void ced_bi12(struct lt *t)
{
	static const uint8_t info[6] = {0x0A, 0xB1, 0x01, 0x00, 0x02, 0x00};
	static const uint8_t conn[8] = {0x02, 0xB2, 0x03, 0x00, 0x01, 0x10, 0x50, 0x00};
	lt_send(t, 0x0001, info, sizeof(info));
	if (!not_understood(t, 0xB1))
		return;
	lt_send(t, 0x0001, conn, sizeof(conn));
	if (not_understood(t, 0xB2))
		lt_quiet_sig(t, 500);
}

/* L2CAP/COS/CED/BI-14-C: a multi-command C-frame whose last command (Echo Request) is cut short:
 * the complete Information Request before it is answered (the connectionless MTU, or "not
 * supported"), the Echo Request rejected. */
static void ced_bi14(struct lt *t)
{
	static const uint8_t f[13] = {0x0A, 0xC1, 0x02, 0x00, 0x01, 0x00, 0x08, 0xC2, 0x08, 0x00, 0xEE, 0xEE, 0xEE};
	lt_send(t, 0x0001, f, sizeof(f));
	const struct lt_pdu *p = lt_expect_sig(t, 0x0B, 2000);
	if (!p)
		return;
	/* the connectionless MTU: any value of 48 or more (l2kit's: 672, checked in-process), or
	 * "not supported" with no data (4.11: an IUT without connectionless traffic may answer so);
	 * either way the case's subject is the truncated Echo Request after it */
	static const uint8_t unsupported[8] = {0x0B, 0xC1, 0x04, 0x00, 0x01, 0x00, 0x01, 0x00};
	bool unsup = !t->iut_is_l2kit && p->len == 8 && !memcmp(p->data, unsupported, 8);
	if (!unsup && (p->len != 10 || p->data[1] != 0xC1 || lt_get16(p->data + 4) != 1 || lt_get16(p->data + 6) != 0 ||
		       lt_get16(p->data + 8) < 48 || (t->iut_is_l2kit && lt_get16(p->data + 8) != 672))) {
		uint8_t want[10] = {0x0B, 0xC1, 0x06, 0x00, 0x01, 0x00, 0x00, 0x00, 0xA0, 0x02};
		return (void)lt_is(t, p, want, 10, "the IUT's Information Response (connectionless MTU)");
	}
	if (not_understood(t, 0xC2))
		lt_quiet_sig(t, 500);
}

/* L2CAP/COS/CED/BI-15-C: as BI-14 with a truncated Disconnection Request after an Echo Request:
 * the echo is answered, the request rejected, and the channel it names stays open. */
static void ced_bi15(struct lt *t)
{
	uint16_t icid = tester_opens_basic(t, "");
	if (!icid)
		return;
	uint8_t f[12] = {0x08, 0xC3, 0x02, 0x00, 'h', 'i', 0x06, 0xC4, 0x04, 0x00, 0, 0};
	lt_put16(f + 10, icid);
	lt_send(t, 0x0001, f, 12);
	const struct lt_pdu *p = lt_expect_sig(t, 0x09, 2000);
	static const uint8_t want[6] = {0x09, 0xC3, 0x02, 0x00, 'h', 'i'};
	if (!p || !lt_is(t, p, want, 6, "the IUT's Echo Response") || !not_understood(t, 0xC4) || !lt_quiet_sig(t, 500))
		return;
	if (t->obs.closed)
		lt_fail(t, "the IUT closed the channel a truncated request named");
}

/* An Information Request the IUT must send: exactly code, an identifier, length 2, type. */
static const struct lt_pdu *expect_info_req(struct lt *t, uint16_t type)
{
	const struct lt_pdu *p = lt_expect_sig(t, 0x0A, 5000);
	if (!p)
		return NULL;
	uint8_t want[6] = {0x0A, p->data[1], 0x02, 0x00, 0, 0};
	lt_put16(want + 4, type);
	return lt_is(t, p, want, 6, "the IUT's Information Request") ? p : NULL;
}

/* L2CAP/COS/IEX/BV-01-C: before its first channel on a link the IUT asks for the peer's extended
 * features; a peer without the fixed-channels bit gets no second request and the Connection
 * Request follows; a second channel on the link asks nothing again. */
static void iex_bv01(struct lt *t)
{
	char a[18];
	t->auto_info = false;
	if (!lt_iut(t, NULL, 0, "connect addr=%s transport=bredr psm=4097 mode=basic", l2k_addr_str(&t->tst_addr, a)))
		return;
	const struct lt_pdu *p = expect_info_req(t, 0x0002);
	if (!p)
		return;
	static const uint8_t rsp[8] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
	lt_send_sig(t, 0x0B, p->data[1], rsp, 8);
	p = lt_expect_sig(t, 0x02, 5000);
	if (!p)
		return;
	if (p->len != 8 || lt_get16(p->data + 4) != 0x1001)
		return (void)lt_fail(t, "the Connection Request is not for PSM 0x1001");
	if (!lt_iut(t, NULL, 0, "connect addr=%s transport=bredr psm=4099 mode=basic", a))
		return;
	p = lt_expect_sig(t, 0x02, 5000);
	if (p && (p->len != 8 || lt_get16(p->data + 4) != 0x1003))
		lt_fail(t, "the second Connection Request is not for PSM 0x1003");
}

/* L2CAP/FIX/BV-01-C: a peer whose features have the fixed-channels bit (7) is asked for its
 * fixed channels mask; then the IUT goes on with the Connection Request. */
static void fix_bv01(struct lt *t)
{
	char a[18];
	t->auto_info = false;
	if (!lt_iut(t, NULL, 0, "connect addr=%s transport=bredr psm=4097 mode=basic", l2k_addr_str(&t->tst_addr, a)))
		return;
	const struct lt_pdu *p = expect_info_req(t, 0x0002);
	if (!p)
		return;
	static const uint8_t feat[8] = {0x02, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00};
	lt_send_sig(t, 0x0B, p->data[1], feat, 8);
	p = expect_info_req(t, 0x0003);
	if (!p)
		return;
	static const uint8_t fixed[12] = {0x03, 0x00, 0x00, 0x00, 0x06, 0, 0, 0, 0, 0, 0, 0};
	lt_send_sig(t, 0x0B, p->data[1], fixed, 12);
	if (lt_expect_sig(t, 0x02, 5000) && t->iut->events && t->obs.closed)
		lt_fail(t, "the IUT gave up the channel");
}

/* L2CAP/COS/IEX/BV-02-C: the IUT answers an Information Request for its extended features
 * (lt_ask_features: every octet; in-process exactly the features l2kit was built with), and an
 * unknown type with "not supported". */
static void iex_bv02(struct lt *t)
{
	static const uint8_t unk[2] = {0x77, 0x00};
	uint32_t feat;
	if (!lt_ask_features(t, 0x71, &feat))
		return;
	lt_send_sig(t, 0x0A, 0x73, unk, 2);
	const struct lt_pdu *p = lt_expect_sig(t, 0x0B, 2000);
	if (p && (p->len < 8 || p->data[1] != 0x73 || lt_get16(p->data + 4) != 0x0077 || lt_get16(p->data + 6) != 1))
		lt_fail(t, "an unknown information type is not answered 'not supported' (0x0001)");
}

/* L2CAP/FIX/BV-03-C: the IUT answers an Information Request for its fixed channels: the
 * signaling channel's bit set (in-process: exactly l2kit's 0x06, signaling and connectionless). */
static void fix_bv03(struct lt *t)
{
	static const uint8_t ty[2] = {0x03, 0x00};
	lt_send_sig(t, 0x0A, 0x72, ty, 2);
	const struct lt_pdu *p = lt_expect_sig(t, 0x0B, 2000);
	if (!p)
		return;
	static const uint8_t want[16] = {0x0B, 0x72, 0x0C, 0x00, 0x03, 0x00, 0x00, 0x00, 0x06, 0, 0, 0, 0, 0, 0, 0};
	if (t->iut_is_l2kit || p->len != 16 || !(p->data[8] & 0x02) || p->data[1] != 0x72 || lt_get16(p->data + 6))
		lt_is(t, p, want, 16, "the IUT's Information Response (fixed channels)");
}

/* L2CAP/COS/CFD/BV-02-C: the tester answers the IUT's Configuration Request Unacceptable with
 * another MTU (300): the IUT proposes again with that value under a new identifier, and opens
 * (receiving MTU 300) once it is accepted. */
static void cfd_bv02(struct lt *t)
{
	uint8_t cfg_id;
	if (!iut_listen(t, ""))
		return;
	uint16_t icid = connect_only(t, &cfg_id, NULL, 0);
	if (!icid)
		return;
	uint8_t rsp[10] = {0, 0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x02, 0x2C, 0x01}; /* Unacceptable, MTU 300 */
	lt_put16(rsp, icid);
	lt_send_sig(t, 0x05, cfg_id, rsp, 10);
	const struct lt_pdu *p = lt_expect_sig(t, 0x04, 3000);
	if (!p)
		return;
	uint8_t want[12] = {0x04, p->data[1], 0x08, 0x00, 0, 0, 0x00, 0x00, 0x01, 0x02, 0x2C, 0x01};
	lt_put16(want + 4, TCID);
	if (!lt_is(t, p, want, 12, "the IUT's second Configuration Request"))
		return;
	if (p->data[1] == cfg_id)
		return (void)lt_fail(t, "the new Configuration Request reuses identifier 0x%02x", cfg_id);
	uint8_t id2 = p->data[1];
	if (!conf_exchange(t, icid, 0, NULL, 0, 0, 0, NULL, 0))
		return;
	if (t->iut->events) {
		lt_run(t, 50);
		if (t->obs.opened)
			return (void)lt_fail(t, "the IUT opened the channel before its request was accepted");
	}
	conf_ok(t, icid, id2);
	if (lt_iut_wait_open(t, 1, 2000, "the channel open") && t->obs.mtu != 300)
		lt_fail(t, "the IUT receives with MTU %u, not the 300 agreed", t->obs.mtu);
}

const struct lt_case lt_cases_bredr[] = {
    {"L2CAP/COS/CED/BV-01-C", "COS/CED", LT_BREDR, "IUT connects", ced_bv01, NULL, false},
    {"L2CAP/COS/CED/BV-03-C", "COS/CED", LT_BREDR, "IUT connects, data both ways", ced_bv03, NULL, false},
    {"L2CAP/COS/CED/BV-04-C", "COS/CED", LT_BREDR, "IUT listens, then disconnects", ced_bv04, NULL, false},
    {"L2CAP/COS/CED/BV-05-C", "COS/CED", LT_BREDR, "IUT listens (MTU 48), data both ways", ced_bv05, NULL, false},
    {"L2CAP/COS/CED/BV-07-C", "COS/CED", LT_BREDR, "IUT connects, tester disconnects", ced_bv07, NULL, false},
    {"L2CAP/COS/CED/BV-08-C", "COS/CED", LT_BREDR, "IUT connects, waits RTX (60 s)", ced_bv08, NULL, false},
    {"L2CAP/COS/CED/BV-09-C", "COS/CED", LT_BREDR, "IUT answers", ced_bv09, NULL, false},
    {"L2CAP/COS/CED/BV-11-C", "COS/CED", LT_BREDR, "IUT listens (MTU 1000), data both ways", ced_bv11, NULL, false},
    {"L2CAP/COS/CED/BV-12-C", "COS/CED", LT_BREDR, "IUT listens", ced_bv12, NULL, false},
    {"L2CAP/COS/CED/BV-13-C", "COS/CED", LT_BREDR, NULL, NULL, "older TS revision, not in TS p41: no procedure to play", false},
    {"L2CAP/COS/CED/BI-01-C", "COS/CED", LT_BREDR, "IUT answers", ced_bi01, NULL, false},
    {"L2CAP/COS/CED/BI-02-C", "COS/CED", LT_BREDR, NULL, NULL, "older TS revision, not in TS p41: no procedure to play", false},
    {"L2CAP/COS/CED/BI-03-C", "COS/CED", LT_BREDR, "IUT listens, reports SDUs", ced_bi03, NULL, false},
    {"L2CAP/COS/CED/BI-04-C", "COS/CED", LT_BREDR, "IUT answers", ced_bi04, NULL, false},
    {"L2CAP/COS/CED/BI-06-C", "COS/CED", LT_BREDR, "IUT listens, reports SDUs", ced_bi06, NULL, false},
    {"L2CAP/COS/CED/BI-07-C", "COS/CED", LT_BREDR, "IUT listens, reports SDUs", ced_bi07, NULL, false},
    {"L2CAP/COS/CED/BI-08-C", "COS/CED", LT_BREDR, "IUT answers", ced_bi08, NULL, false},
    {"L2CAP/COS/CED/BI-10-C", "COS/CED", LT_BREDR, "IUT listens", ced_bi10, NULL, false},
    {"L2CAP/COS/CED/BI-12-C", "COS/CED", LT_BREDR, "IUT answers", ced_bi12, NULL, false},
    {"L2CAP/COS/CED/BI-14-C", "COS/CED", LT_BREDR, "IUT answers", ced_bi14, NULL, false},
    {"L2CAP/COS/CED/BI-15-C", "COS/CED", LT_BREDR, "IUT listens", ced_bi15, NULL, false},
    {"L2CAP/COS/CED/BI-28-C", "COS/CED", LT_BREDR, "IUT connects, sends", ced_bi28, NULL, false},
    {"L2CAP/COS/CFD/BV-01-C", "COS/CFD", LT_BREDR, "IUT listens", cfd_bv01, NULL, false},
    {"L2CAP/COS/CFD/BV-02-C", "COS/CFD", LT_BREDR, "IUT listens", cfd_bv02, NULL, false},
    {"L2CAP/COS/CFD/BV-03-C", "COS/CFD", LT_BREDR, "IUT listens (MTU 512)", cfd_bv03, NULL, false},
    {"L2CAP/COS/CFD/BV-08-C", "COS/CFD", LT_BREDR, "IUT connects", cfd_bv08, NULL, false},
    {"L2CAP/COS/CFD/BV-09-C", "COS/CFD", LT_BREDR, "IUT connects (MTU 48), data both ways", cfd_bv09, NULL, false},
    {"L2CAP/COS/CFD/BV-11-C", "COS/CFD", LT_BREDR, "IUT listens", cfd_bv11, NULL, false},
    {"L2CAP/COS/CFD/BV-12-C", "COS/CFD", LT_BREDR, "IUT listens", cfd_bv12, NULL, false},
    {"L2CAP/COS/CFD/BV-14-C", "COS/CFD", LT_BREDR, "IUT listens", cfd_bv14, NULL, false},
    {"L2CAP/COS/ECH/BV-01-C", "COS/ECH", LT_BREDR, "IUT answers", ech_bv01, NULL, false},
    {"L2CAP/COS/ECH/BV-02-C", "COS/ECH", LT_BREDR, "IUT sends an Echo Request", ech_bv02, NULL, false},
    {"L2CAP/COS/IEX/BV-01-C", "COS/IEX", LT_BREDR, "IUT connects twice", iex_bv01, NULL, false},
    {"L2CAP/COS/IEX/BV-02-C", "COS/IEX", LT_BREDR, "IUT answers", iex_bv02, NULL, false},
    {"L2CAP/FIX/BV-01-C", "FIX", LT_BREDR, "IUT connects", fix_bv01, NULL, false},
    {"L2CAP/FIX/BV-02-C", "FIX", LT_BREDR, NULL, NULL,
     "AMP Manager fixed channel (AMP withdrawn from the specification; out of scope)", false},
    {"L2CAP/FIX/BV-03-C", "FIX", LT_BREDR, "IUT answers", fix_bv03, NULL, false},
    {NULL, NULL, LT_ANY, NULL, NULL, NULL, false},
};
