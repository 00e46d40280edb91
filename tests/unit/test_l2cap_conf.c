/* Unit tests: L2CAP configuration options codec (core/l2cap_conf.h), Vol 3 Part A 5. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/l2cap_conf.h"
#include "core/l2cap_sig.h"

/* Parses p[0..n-1] from an exact-size heap copy, so a read past it is caught by ASan/valgrind. */
static int parse_exact(const uint8_t *p, size_t n, struct l2cap_conf_opts *o)
{
	uint8_t *c = malloc(n ? n : 1);
	assert_non_null(c);
	if (n)
		memcpy(c, p, n);
	int rc = l2cap_conf_parse(c, n, o);
	free(c);
	return rc;
}

/* ---- exact vectors, written by hand from 5.1-5.7 ---- */

static void test_vector_every_option(void **state)
{
	(void)state;
	static const uint8_t v[] = {
		0x01, 0x02, 0xA0, 0x02,		    /* MTU 672 */
		0x02, 0x02, 0xFF, 0xFF,		    /* flush timeout infinite */
		0x03, 0x16, 0x00, 0x02,		    /* QoS: flags 0, guaranteed */
		0x10, 0x27, 0x00, 0x00,		    /*   token rate 10000 */
		0x00, 0x01, 0x00, 0x00,		    /*   bucket 256 */
		0x20, 0x4E, 0x00, 0x00,		    /*   peak 20000 */
		0xFF, 0xFF, 0xFF, 0xFF,		    /*   latency default */
		0x88, 0x13, 0x00, 0x00,		    /*   delay variation 5000 */
		0x04, 0x09, 0x03, 0x0A, 0x03,	    /* RFC: ERTM, TxWindow 10, MaxTransmit 3 */
		0xD0, 0x07, 0xE0, 0x2E, 0xF4, 0x01, /*   2000 ms, 12000 ms, MPS 500 */
		0x05, 0x01, 0x00,		    /* FCS none */
		0x06, 0x10, 0x01, 0x01, 0xF4, 0x01, /* EFS: id 1, best effort, max SDU 500 */
		0x40, 0x42, 0x0F, 0x00,		    /*   SDU inter-arrival 1000000 us */
		0x10, 0x27, 0x00, 0x00,		    /*   access latency 10000 us */
		0xFF, 0xFF, 0xFF, 0xFF,		    /*   flush timeout infinite */
		0x07, 0x02, 0xFF, 0x3F,		    /* EWS 16383 */
	};
	struct l2cap_conf_opts o;
	assert_int_equal(parse_exact(v, sizeof(v), &o), 0);
	assert_int_equal(o.present, L2CAP_CONF_HAS_ALL);
	assert_int_equal(o.mtu, 672);
	assert_int_equal(o.flush_timeout, 0xFFFF);
	assert_int_equal(o.qos.flags, 0);
	assert_int_equal(o.qos.service_type, L2CAP_SERVICE_GUARANTEED);
	assert_int_equal(o.qos.token_rate, 10000);
	assert_int_equal(o.qos.token_bucket_size, 256);
	assert_int_equal(o.qos.peak_bandwidth, 20000);
	assert_int_equal(o.qos.latency, 0xFFFFFFFFu);
	assert_int_equal(o.qos.delay_variation, 5000);
	assert_int_equal(o.rfc.mode, L2CAP_MODE_ERTM);
	assert_int_equal(o.rfc.tx_window, 10);
	assert_int_equal(o.rfc.max_transmit, 3);
	assert_int_equal(o.rfc.retrans_timeout, 2000);
	assert_int_equal(o.rfc.monitor_timeout, 12000);
	assert_int_equal(o.rfc.mps, 500);
	assert_int_equal(o.fcs, L2CAP_FCS_NONE);
	assert_int_equal(o.efs.id, 1);
	assert_int_equal(o.efs.service_type, L2CAP_SERVICE_BEST_EFFORT);
	assert_int_equal(o.efs.max_sdu, 500);
	assert_int_equal(o.efs.sdu_inter_time, 1000000);
	assert_int_equal(o.efs.access_latency, 10000);
	assert_int_equal(o.efs.flush_timeout, 0xFFFFFFFFu);
	assert_int_equal(o.ews, 0x3FFF);
	assert_int_equal(o.n_unknown, 0);
	/* and the builder writes exactly these octets back */
	uint8_t b[L2CAP_CONF_OPTS_MAX_LEN];
	assert_int_equal(sizeof(v), L2CAP_CONF_OPTS_MAX_LEN);
	assert_int_equal(l2cap_conf_build(b, sizeof(b), &o), sizeof(v));
	assert_memory_equal(b, v, sizeof(v));
}

static void test_vector_build_mtu_only(void **state)
{
	(void)state;
	struct l2cap_conf_opts o;
	l2cap_conf_opts_clear(&o);
	o.present = L2CAP_CONF_HAS_MTU;
	o.mtu = 48;
	uint8_t b[8];
	assert_int_equal(l2cap_conf_build(b, sizeof(b), &o), 4);
	assert_memory_equal(b, ((const uint8_t[]){0x01, 0x02, 0x30, 0x00}), 4);
	/* nothing present: an empty list */
	o.present = 0;
	assert_int_equal(l2cap_conf_build(b, sizeof(b), &o), 0);
	assert_int_equal(l2cap_conf_build(NULL, 0, &o), 0);
}

/* ---- round trips of every subset ---- */

static uint32_t rng = 0xC0FFEEu;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void random_opts(struct l2cap_conf_opts *o, uint32_t present)
{
	l2cap_conf_opts_clear(o);
	o->present = present;
	o->mtu = (uint16_t)rnd();
	o->flush_timeout = (uint16_t)rnd();
	o->qos = (struct l2cap_conf_qos){(uint8_t)rnd(), (uint8_t)rnd(), rnd(), rnd(), rnd(), rnd(), rnd()};
	o->rfc = (struct l2cap_conf_rfc){(uint8_t)rnd(), (uint8_t)rnd(), (uint8_t)rnd(),
					 (uint16_t)rnd(), (uint16_t)rnd(), (uint16_t)rnd()};
	o->fcs = (uint8_t)rnd();
	o->efs = (struct l2cap_conf_efs){(uint8_t)rnd(), (uint8_t)rnd(), (uint16_t)rnd(), rnd(), rnd(), rnd()};
	o->ews = (uint16_t)rnd();
}

static void assert_same_present_values(const struct l2cap_conf_opts *a, const struct l2cap_conf_opts *b)
{
	assert_int_equal(a->present, b->present);
	if (a->present & L2CAP_CONF_HAS_MTU)
		assert_int_equal(a->mtu, b->mtu);
	if (a->present & L2CAP_CONF_HAS_FLUSH_TIMEOUT)
		assert_int_equal(a->flush_timeout, b->flush_timeout);
	if (a->present & L2CAP_CONF_HAS_QOS) {
		assert_int_equal(a->qos.flags, b->qos.flags);
		assert_int_equal(a->qos.service_type, b->qos.service_type);
		assert_int_equal(a->qos.token_rate, b->qos.token_rate);
		assert_int_equal(a->qos.token_bucket_size, b->qos.token_bucket_size);
		assert_int_equal(a->qos.peak_bandwidth, b->qos.peak_bandwidth);
		assert_int_equal(a->qos.latency, b->qos.latency);
		assert_int_equal(a->qos.delay_variation, b->qos.delay_variation);
	}
	if (a->present & L2CAP_CONF_HAS_RFC) {
		assert_int_equal(a->rfc.mode, b->rfc.mode);
		assert_int_equal(a->rfc.tx_window, b->rfc.tx_window);
		assert_int_equal(a->rfc.max_transmit, b->rfc.max_transmit);
		assert_int_equal(a->rfc.retrans_timeout, b->rfc.retrans_timeout);
		assert_int_equal(a->rfc.monitor_timeout, b->rfc.monitor_timeout);
		assert_int_equal(a->rfc.mps, b->rfc.mps);
	}
	if (a->present & L2CAP_CONF_HAS_FCS)
		assert_int_equal(a->fcs, b->fcs);
	if (a->present & L2CAP_CONF_HAS_EFS) {
		assert_int_equal(a->efs.id, b->efs.id);
		assert_int_equal(a->efs.service_type, b->efs.service_type);
		assert_int_equal(a->efs.max_sdu, b->efs.max_sdu);
		assert_int_equal(a->efs.sdu_inter_time, b->efs.sdu_inter_time);
		assert_int_equal(a->efs.access_latency, b->efs.access_latency);
		assert_int_equal(a->efs.flush_timeout, b->efs.flush_timeout);
	}
	if (a->present & L2CAP_CONF_HAS_EWS)
		assert_int_equal(a->ews, b->ews);
}

static void test_roundtrip_every_subset(void **state)
{
	(void)state;
	for (uint32_t set = 0; set < 128; set++) {
		struct l2cap_conf_opts in, out;
		random_opts(&in, set << 1); /* bits 1..7 = types 1..7 */
		uint8_t b[L2CAP_CONF_OPTS_MAX_LEN];
		int n = l2cap_conf_build(b, sizeof(b), &in);
		assert_true(n >= 0);
		assert_int_equal(parse_exact(b, (size_t)n, &out), 0);
		assert_same_present_values(&in, &out);
		/* every smaller capacity is refused */
		for (int cap = 0; cap < n; cap++)
			assert_int_equal(l2cap_conf_build(b, (size_t)cap, &in), L2K_ENOBUFS);
	}
}

/* ---- malformed lists, in request and in response bodies ---- */

/* Wraps opts in a Configuration Request and in a Configuration Response, decodes each command
 * and then its options; both must give want. */
static void check_in_both_bodies(const uint8_t *opts, size_t n, int want)
{
	uint8_t b[128];
	struct l2cap_conf_opts o;
	struct l2cap_conf_req q = {0x0040, 0, opts, (uint16_t)n}, q2;
	size_t len = l2cap_build_conf_req(b, sizeof(b), 1, &q);
	assert_true(len > 0);
	assert_int_equal(l2cap_parse_conf_req(b + 4, len - 4, &q2), 0);
	assert_int_equal(parse_exact(q2.opts, q2.opts_len, &o), want);
	struct l2cap_conf_rsp r = {0x0040, 0, L2CAP_CONF_UNACCEPTABLE, opts, (uint16_t)n}, r2;
	len = l2cap_build_conf_rsp(b, sizeof(b), 1, &r);
	assert_true(len > 0);
	assert_int_equal(l2cap_parse_conf_rsp(b + 4, len - 4, &r2), 0);
	assert_int_equal(parse_exact(r2.opts, r2.opts_len, &o), want);
}

static void test_mtu_of_wrong_length(void **state)
{
	(void)state;
	static const uint8_t len1[] = {0x01, 0x01, 0x30};
	static const uint8_t len3[] = {0x01, 0x03, 0x30, 0x00, 0x00};
	static const uint8_t len0[] = {0x01, 0x00};
	/* a wrong MTU followed by a good option: still the whole list is malformed */
	static const uint8_t len3_then_fcs[] = {0x01, 0x03, 0x30, 0x00, 0x00, 0x05, 0x01, 0x01};
	check_in_both_bodies(len1, sizeof(len1), L2K_EBADMSG);
	check_in_both_bodies(len3, sizeof(len3), L2K_EBADMSG);
	check_in_both_bodies(len0, sizeof(len0), L2K_EBADMSG);
	check_in_both_bodies(len3_then_fcs, sizeof(len3_then_fcs), L2K_EBADMSG);
}

static void test_rfc_longer_than_what_remains(void **state)
{
	(void)state;
	/* RFC says 9 octets, 3 are left */
	static const uint8_t v[] = {0x01, 0x02, 0x30, 0x00, 0x04, 0x09, 0x03, 0x0A, 0x03};
	check_in_both_bodies(v, sizeof(v), L2K_EBADMSG);
	/* RFC of length 8 with 8 present: wrong size for the type */
	static const uint8_t w[] = {0x04, 0x08, 0x03, 0x0A, 0x03, 0xD0, 0x07, 0xE0, 0x2E, 0xF4};
	check_in_both_bodies(w, sizeof(w), L2K_EBADMSG);
}

static void test_efs_of_wrong_length(void **state)
{
	(void)state;
	uint8_t v[2 + 17] = {0x06, 15};
	for (uint8_t l = 0; l <= 17; l++) {
		if (l == 16)
			continue;
		v[1] = l;
		check_in_both_bodies(v, 2 + (size_t)l, L2K_EBADMSG);
	}
	v[1] = 16;
	check_in_both_bodies(v, 18, 0);
}

static void test_every_known_option_at_every_wrong_length(void **state)
{
	(void)state;
	uint8_t v[2 + 32];
	memset(v, 0x5A, sizeof(v));
	for (uint8_t t = 1; t <= 7; t++) {
		for (uint8_t l = 0; l <= 30; l++) {
			v[0] = t;
			v[1] = l;
			int want = l == l2cap_conf_opt_len(t) ? 0 : L2K_EBADMSG;
			struct l2cap_conf_opts o;
			assert_int_equal(parse_exact(v, 2 + (size_t)l, &o), want);
			v[0] = (uint8_t)(t | L2CAP_CONF_OPT_HINT); /* same rule with the hint bit */
			assert_int_equal(parse_exact(v, 2 + (size_t)l, &o), want);
		}
	}
}

static void test_truncated_option_headers(void **state)
{
	(void)state;
	static const uint8_t one[] = {0x01};
	static const uint8_t mtu_then_one[] = {0x01, 0x02, 0x30, 0x00, 0x02};
	static const uint8_t hint_too_long[] = {0x90, 0x05, 0x00, 0x00};
	check_in_both_bodies(one, sizeof(one), L2K_EBADMSG);
	check_in_both_bodies(mtu_then_one, sizeof(mtu_then_one), L2K_EBADMSG);
	check_in_both_bodies(hint_too_long, sizeof(hint_too_long), L2K_EBADMSG);
}

/* ---- unknown options and hints ---- */

static void test_unknown_non_hint_options_are_listed(void **state)
{
	(void)state;
	/* MTU, unknown 0x09 (2 octets), unknown hint 0xC0, unknown 0x7F (0 octets) */
	static const uint8_t v[] = {0x01, 0x02, 0x00, 0x01, 0x09, 0x02, 0xAA, 0xBB,
				    0xC0, 0x01, 0xCC, 0x7F, 0x00};
	struct l2cap_conf_opts o;
	assert_int_equal(parse_exact(v, sizeof(v), &o), L2CAP_CONF_PARSE_UNKNOWN);
	assert_int_equal(o.present, L2CAP_CONF_HAS_MTU); /* known ones still decoded */
	assert_int_equal(o.mtu, 256);
	assert_int_equal(o.n_unknown, 2);
	assert_int_equal(o.n_unknown_total, 2);
	assert_int_equal(o.unknown[0], 0x09);
	assert_int_equal(o.unknown[1], 0x7F);
	assert_int_equal(o.n_hints_skipped, 1);
	check_in_both_bodies(v, sizeof(v), L2CAP_CONF_PARSE_UNKNOWN);
	/* the Config field of the 0x0003 response: the type octets, hints excluded (4.5) */
	uint8_t b[8];
	assert_int_equal(l2cap_conf_build_unknown(b, sizeof(b), o.unknown, o.n_unknown), 2);
	assert_memory_equal(b, ((const uint8_t[]){0x09, 0x7F}), 2);
	assert_int_equal(l2cap_conf_build_unknown(b, 1, o.unknown, o.n_unknown), L2K_ENOBUFS);
	assert_int_equal(l2cap_conf_build_unknown(NULL, 4, o.unknown, 2), L2K_EINVAL);
}

static void test_unknown_hints_are_skipped_silently(void **state)
{
	(void)state;
	static const uint8_t v[] = {0x80, 0x00, 0x88, 0x03, 1, 2, 3, 0xFF, 0x01, 0x00,
				    0x05, 0x01, 0x01};
	struct l2cap_conf_opts o;
	assert_int_equal(parse_exact(v, sizeof(v), &o), 0);
	assert_int_equal(o.present, L2CAP_CONF_HAS_FCS);
	assert_int_equal(o.fcs, L2CAP_FCS_16BIT);
	assert_int_equal(o.n_unknown, 0);
	assert_int_equal(o.n_hints_skipped, 3);
	check_in_both_bodies(v, sizeof(v), 0);
}

static void test_known_option_with_hint_bit_is_decoded(void **state)
{
	(void)state;
	static const uint8_t v[] = {0x81, 0x02, 0x40, 0x00, 0x87, 0x02, 0x10, 0x00};
	struct l2cap_conf_opts o;
	assert_int_equal(parse_exact(v, sizeof(v), &o), 0);
	assert_int_equal(o.present, L2CAP_CONF_HAS_MTU | L2CAP_CONF_HAS_EWS);
	assert_int_equal(o.mtu, 64);
	assert_int_equal(o.ews, 16);
}

static void test_many_unknown_options_are_counted(void **state)
{
	(void)state;
	uint8_t v[2 * 20];
	for (int i = 0; i < 20; i++) {
		v[2 * i] = (uint8_t)(0x10 + i);
		v[2 * i + 1] = 0;
	}
	struct l2cap_conf_opts o;
	assert_int_equal(parse_exact(v, sizeof(v), &o), L2CAP_CONF_PARSE_UNKNOWN);
	assert_int_equal(o.n_unknown, L2CAP_CONF_MAX_UNKNOWN);
	assert_int_equal(o.n_unknown_total, 20);
	assert_int_equal(o.unknown[15], 0x1F);
}

static void test_repeated_option_keeps_last_value(void **state)
{
	(void)state;
	static const uint8_t v[] = {0x01, 0x02, 0x30, 0x00, 0x01, 0x02, 0x00, 0x04};
	struct l2cap_conf_opts o;
	assert_int_equal(parse_exact(v, sizeof(v), &o), 0);
	assert_int_equal(o.mtu, 0x0400);
}

static void test_empty_list(void **state)
{
	(void)state;
	struct l2cap_conf_opts o;
	memset(&o, 0xFF, sizeof(o));
	assert_int_equal(l2cap_conf_parse(NULL, 0, &o), 0);
	assert_int_equal(o.present, 0);
	assert_int_equal(o.n_unknown_total, 0);
	assert_int_equal(l2cap_conf_parse(NULL, 3, &o), L2K_EINVAL);
	assert_int_equal(l2cap_conf_parse((const uint8_t *)"", 0, NULL), L2K_EINVAL);
	assert_int_equal(l2cap_conf_build(NULL, 0, NULL), L2K_EINVAL);
}

static void test_merge_across_continuation_fragments(void **state)
{
	(void)state;
	/* a request split in two by the continuation flag (COS/CFD/BV-01 shape) */
	static const uint8_t part1[] = {0x01, 0x02, 0xA0, 0x02, 0x0A, 0x00};
	static const uint8_t part2[] = {0x04, 0x09, 0x03, 0x05, 0x04, 0xD0, 0x07,
					0xE0, 0x2E, 0x00, 0x04};
	struct l2cap_conf_opts o;
	assert_int_equal(l2cap_conf_parse(part1, sizeof(part1), &o), L2CAP_CONF_PARSE_UNKNOWN);
	assert_int_equal(l2cap_conf_merge(part2, sizeof(part2), &o), L2CAP_CONF_PARSE_UNKNOWN);
	assert_int_equal(o.present, L2CAP_CONF_HAS_MTU | L2CAP_CONF_HAS_RFC);
	assert_int_equal(o.mtu, 672);
	assert_int_equal(o.rfc.tx_window, 5);
	assert_int_equal(o.rfc.mps, 1024);
	assert_int_equal(o.n_unknown, 1);
	/* a fresh parse forgets the earlier fragment */
	assert_int_equal(l2cap_conf_parse(part2, sizeof(part2), &o), 0);
	assert_int_equal(o.present, L2CAP_CONF_HAS_RFC);
}

static void test_raw_option_iteration(void **state)
{
	(void)state;
	static const uint8_t v[] = {0x01, 0x02, 0x30, 0x00, 0x99, 0x00, 0x05, 0x01, 0x01};
	struct l2cap_conf_opt opt;
	size_t off = 0;
	assert_int_equal(l2cap_conf_next(v, sizeof(v), &off, &opt), 1);
	assert_int_equal(opt.type, 0x01);
	assert_int_equal(opt.len, 2);
	assert_ptr_equal(opt.data, v + 2);
	assert_int_equal(l2cap_conf_next(v, sizeof(v), &off, &opt), 1);
	assert_int_equal(opt.type, 0x99);
	assert_int_equal(opt.len, 0);
	assert_int_equal(l2cap_conf_next(v, sizeof(v), &off, &opt), 1);
	assert_int_equal(opt.type, 0x05);
	assert_int_equal(l2cap_conf_next(v, sizeof(v), &off, &opt), 0);
	off = 0;
	assert_int_equal(l2cap_conf_next(v, 3, &off, &opt), L2K_EBADMSG);
	assert_int_equal(off, 3);
	off = 10;
	assert_int_equal(l2cap_conf_next(v, sizeof(v), &off, &opt), L2K_EINVAL);
	assert_int_equal(l2cap_conf_opt_len(0x04), 9);
	assert_int_equal(l2cap_conf_opt_len(0x86), 16);
	assert_int_equal(l2cap_conf_opt_len(0x08), -1);
	assert_int_equal(l2cap_conf_opt_len(0x00), -1);
}

static void test_random_lists_are_safe(void **state)
{
	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		uint8_t v[48];
		size_t n = rnd() % sizeof(v);
		for (size_t i = 0; i < n; i++)
			v[i] = (uint8_t)rnd();
		for (size_t i = 0; i + 1 < n; i += 2 + (rnd() % 4)) /* mostly plausible shapes */
			if (rnd() & 1)
				v[i + 1] = (uint8_t)(rnd() % 24);
		struct l2cap_conf_opts o;
		int rc = parse_exact(v, n, &o);
		assert_true(rc == 0 || rc == L2CAP_CONF_PARSE_UNKNOWN || rc == L2K_EBADMSG);
		if (rc >= 0) { /* whatever decoded must build and decode to the same values */
			uint8_t b[L2CAP_CONF_OPTS_MAX_LEN];
			struct l2cap_conf_opts o2;
			int m = l2cap_conf_build(b, sizeof(b), &o);
			assert_true(m >= 0);
			assert_int_equal(parse_exact(b, (size_t)m, &o2), 0);
			assert_same_present_values(&o, &o2);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_every_option),
		cmocka_unit_test(test_vector_build_mtu_only),
		cmocka_unit_test(test_roundtrip_every_subset),
		cmocka_unit_test(test_mtu_of_wrong_length),
		cmocka_unit_test(test_rfc_longer_than_what_remains),
		cmocka_unit_test(test_efs_of_wrong_length),
		cmocka_unit_test(test_every_known_option_at_every_wrong_length),
		cmocka_unit_test(test_truncated_option_headers),
		cmocka_unit_test(test_unknown_non_hint_options_are_listed),
		cmocka_unit_test(test_unknown_hints_are_skipped_silently),
		cmocka_unit_test(test_known_option_with_hint_bit_is_decoded),
		cmocka_unit_test(test_many_unknown_options_are_counted),
		cmocka_unit_test(test_repeated_option_keeps_last_value),
		cmocka_unit_test(test_empty_list),
		cmocka_unit_test(test_merge_across_continuation_fragments),
		cmocka_unit_test(test_raw_option_iteration),
		cmocka_unit_test(test_random_lists_are_safe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
