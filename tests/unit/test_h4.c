/* H4 framer (transport/h4.c): whole packets out of any chunking, fatal and sticky framing
 * errors, length limits, and the encoder/checker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/l2k_error.h"
#include "base/hci_defs.h"
#include "transport/h4.h"

/* Delivered packets, re-encoded as H4 so they can be compared with the input byte for byte. */
struct sink {
	uint8_t *bytes;
	size_t len, cap;
	size_t count;
	uint8_t last_type;
	size_t last_len;
};

static void sink_packet(void *user, uint8_t type, const uint8_t *pkt, size_t len)
{
	struct sink *s = user;
	assert_true(s->len + 1 + len <= s->cap);
	s->bytes[s->len++] = type;
	memcpy(s->bytes + s->len, pkt, len);
	s->len += len;
	s->count++;
	s->last_type = type;
	s->last_len = len;
}

static uint8_t framebuf[H4_PKT_MAX];

static void sink_init(struct sink *s, size_t cap)
{
	memset(s, 0, sizeof(*s));
	s->bytes = malloc(cap);
	assert_non_null(s->bytes);
	s->cap = cap;
}

static void sink_free(struct sink *s)
{
	free(s->bytes);
}

/* Append one packet (indicator + header + payload of plen pattern bytes) to a stream. */
static size_t put_packet(uint8_t *out, uint8_t type, size_t plen, uint8_t seed)
{
	size_t n = 0;
	out[n++] = type;
	switch (type) {
	case HCI_H4_CMD:
		put_le16(out + n, HCI_OP_RESET);
		out[n + 2] = (uint8_t)plen;
		n += 3;
		break;
	case HCI_H4_ACL:
		put_le16(out + n, 0x2001);
		put_le16(out + n + 2, (uint16_t)plen);
		n += 4;
		break;
	case HCI_H4_SCO:
		put_le16(out + n, 0x0002);
		out[n + 2] = (uint8_t)plen;
		n += 3;
		break;
	case HCI_H4_EVT:
		out[n] = HCI_EV_CMD_COMPLETE;
		out[n + 1] = (uint8_t)plen;
		n += 2;
		break;
	case HCI_H4_ISO:
		put_le16(out + n, 0x4003);
		put_le16(out + n + 2, (uint16_t)plen);
		n += 4;
		break;
	}
	for (size_t i = 0; i < plen; i++)
		out[n++] = (uint8_t)(seed + i * 7);
	return n;
}

/* A stream with every type, zero-length and short payloads: 10 packets. */
static size_t mixed_stream(uint8_t *out)
{
	size_t n = 0;
	uint8_t seed = 1;
	for (uint8_t t = HCI_H4_CMD; t <= HCI_H4_ISO; t++) {
		n += put_packet(out + n, t, 0, seed++);
		n += put_packet(out + n, t, 3 + t, seed++);
	}
	return n;
}

static void test_h4_delivers_every_packet_type_including_empty_payloads(void **state)
{
	(void)state;
	uint8_t in[256];
	size_t n = mixed_stream(in);
	struct sink s;
	struct h4_framer f;
	sink_init(&s, sizeof(in));
	h4_init(&f, framebuf, sizeof(framebuf), sink_packet, &s);
	assert_int_equal(h4_feed(&f, in, n), 0);
	assert_int_equal(s.count, 10);
	assert_int_equal(s.len, n);
	assert_memory_equal(s.bytes, in, n);
	assert_false(h4_failed(&f));
	assert_string_equal(h4_error(&f), "");
	sink_free(&s);
}

static void test_h4_partial_reads_at_every_split_point(void **state)
{
	(void)state;
	uint8_t in[256];
	size_t n = mixed_stream(in);
	struct sink s;
	struct h4_framer f;
	sink_init(&s, sizeof(in));
	/* every single split point, then every pair of split points (three reads) */
	for (size_t a = 0; a <= n; a++) {
		for (size_t b = a; b <= n; b++) {
			s.len = s.count = 0;
			h4_init(&f, framebuf, sizeof(framebuf), sink_packet, &s);
			assert_int_equal(h4_feed(&f, in, a), 0);
			assert_int_equal(h4_feed(&f, in + a, b - a), 0);
			assert_int_equal(h4_feed(&f, in + b, n - b), 0);
			assert_int_equal(s.count, 10);
			assert_int_equal(s.len, n);
			assert_memory_equal(s.bytes, in, n);
		}
	}
	sink_free(&s);
}

static void test_h4_one_byte_at_a_time(void **state)
{
	(void)state;
	uint8_t in[256];
	size_t n = mixed_stream(in);
	struct sink s;
	struct h4_framer f;
	sink_init(&s, sizeof(in));
	h4_init(&f, framebuf, sizeof(framebuf), sink_packet, &s);
	for (size_t i = 0; i < n; i++) {
		size_t before = s.count;
		assert_int_equal(h4_feed(&f, in + i, 1), 0);
		/* a packet comes out exactly when its last byte goes in, never earlier */
		assert_true(s.count == before || s.count == before + 1);
	}
	assert_int_equal(s.count, 10);
	assert_memory_equal(s.bytes, in, n);
	sink_free(&s);
}

static void test_h4_many_packets_in_one_read(void **state)
{
	(void)state;
	size_t cap = 2000 * 300;
	uint8_t *in = malloc(cap);
	assert_non_null(in);
	size_t n = 0;
	for (size_t i = 0; i < 2000; i++)
		n += put_packet(in + n, (uint8_t)(HCI_H4_CMD + i % 5), (i * 13) % 200, (uint8_t)i);
	struct sink s;
	struct h4_framer f;
	sink_init(&s, n);
	h4_init(&f, framebuf, sizeof(framebuf), sink_packet, &s);
	assert_int_equal(h4_feed(&f, in, n), 0);
	assert_int_equal(s.count, 2000);
	assert_memory_equal(s.bytes, in, n);
	/* the same bytes in odd-sized chunks (packets straddle every chunk boundary) */
	s.len = s.count = 0;
	h4_init(&f, framebuf, sizeof(framebuf), sink_packet, &s);
	for (size_t off = 0; off < n; off += 977)
		assert_int_equal(h4_feed(&f, in + off, n - off < 977 ? n - off : 977), 0);
	assert_int_equal(s.count, 2000);
	assert_memory_equal(s.bytes, in, n);
	sink_free(&s);
	free(in);
}

static void test_h4_max_lengths_of_every_type(void **state)
{
	(void)state;
	static const struct {
		uint8_t type;
		size_t plen;
	} cases[] = {
		{ HCI_H4_CMD, 255 }, { HCI_H4_ACL, 65535 }, { HCI_H4_SCO, 255 },
		{ HCI_H4_EVT, 255 }, { HCI_H4_ISO, 16383 },
	};
	uint8_t *in = malloc(1 + H4_PKT_MAX);
	assert_non_null(in);
	struct sink s;
	sink_init(&s, 1 + H4_PKT_MAX);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		size_t n = put_packet(in, cases[c].type, cases[c].plen, (uint8_t)c);
		assert_int_equal(n, 1 + h4_header_len(cases[c].type) + cases[c].plen);
		for (size_t chunk = 1; chunk <= n; chunk = chunk * 3 + 1) {
			struct h4_framer f;
			s.len = s.count = 0;
			h4_init(&f, framebuf, sizeof(framebuf), sink_packet, &s);
			for (size_t off = 0; off < n; off += chunk)
				assert_int_equal(h4_feed(&f, in + off, n - off < chunk ? n - off : chunk),
						 0);
			assert_int_equal(s.count, 1);
			assert_int_equal(s.len, n);
			assert_memory_equal(s.bytes, in, n);
		}
	}
	sink_free(&s);
	free(in);
}

static void test_h4_iso_length_ignores_rfu_bits(void **state)
{
	(void)state;
	/* ISO_Data_Load_Length is 14 bits; the two top bits are RFU (Vol 4 Part E, 5.4.5) */
	uint8_t in[] = { HCI_H4_ISO, 0x03, 0x40, 0x02, 0xC0, 0xAA, 0xBB, HCI_H4_EVT, 0x0E, 0x00 };
	struct sink s;
	struct h4_framer f;
	sink_init(&s, sizeof(in));
	h4_init(&f, framebuf, sizeof(framebuf), sink_packet, &s);
	assert_int_equal(h4_feed(&f, in, sizeof(in)), 0);
	assert_int_equal(s.count, 2);
	assert_memory_equal(s.bytes, in, sizeof(in));
	sink_free(&s);
}

static void test_h4_unknown_type_fails_and_delivers_nothing_more(void **state)
{
	(void)state;
	static const uint8_t bad_types[] = { 0x00, 0x06, 0x07, 0x80, 0xFF };
	for (size_t b = 0; b < sizeof(bad_types); b++) {
		uint8_t in[64];
		size_t n = put_packet(in, HCI_H4_EVT, 4, 1); /* 7 bytes, fine */
		size_t bad_at = n;
		in[n++] = bad_types[b];
		n += put_packet(in + n, HCI_H4_EVT, 0, 2); /* valid, but after the bad byte */
		for (int bytewise = 0; bytewise < 2; bytewise++) {
			struct sink s;
			struct h4_framer f;
			sink_init(&s, sizeof(in));
			h4_init(&f, framebuf, sizeof(framebuf), sink_packet, &s);
			int rc = 0;
			if (bytewise)
				for (size_t i = 0; i < n; i++)
					rc = h4_feed(&f, in + i, 1);
			else
				rc = h4_feed(&f, in, n);
			assert_int_equal(rc, L2K_EFRAMING);
			assert_true(h4_failed(&f));
			assert_int_equal(s.count, 1); /* only the packet before the bad byte */
			char want[64];
			snprintf(want, sizeof(want), "0x%02x", bad_types[b]);
			assert_non_null(strstr(h4_error(&f), want));
			snprintf(want, sizeof(want), "offset %zu", bad_at);
			assert_non_null(strstr(h4_error(&f), want));
			sink_free(&s);
		}
	}
}

static void test_h4_failed_state_is_sticky(void **state)
{
	(void)state;
	uint8_t bad = 0x09;
	uint8_t good[16];
	size_t n = put_packet(good, HCI_H4_EVT, 2, 5);
	struct sink s;
	struct h4_framer f;
	sink_init(&s, 64);
	h4_init(&f, framebuf, sizeof(framebuf), sink_packet, &s);
	assert_int_equal(h4_feed(&f, &bad, 1), L2K_EFRAMING);
	char first[sizeof(f.error)];
	strcpy(first, h4_error(&f));
	for (int i = 0; i < 3; i++) {
		assert_int_equal(h4_feed(&f, good, n), L2K_EFRAMING);
		assert_int_equal(h4_feed(&f, good, 0), L2K_EFRAMING);
	}
	assert_int_equal(s.count, 0);
	assert_true(h4_failed(&f));
	assert_string_equal(h4_error(&f), first); /* the first cause is kept */
	sink_free(&s);
}

static void test_h4_acl_longer_than_configured_max_is_rejected(void **state)
{
	(void)state;
	uint8_t *in = malloc(4096);
	assert_non_null(in);
	for (int bytewise = 0; bytewise < 2; bytewise++) {
		struct sink s;
		struct h4_framer f;
		sink_init(&s, 4096);
		h4_init(&f, framebuf, sizeof(framebuf), sink_packet, &s);
		assert_int_equal(h4_set_max_len(&f, HCI_H4_ACL, 1021), 0);
		size_t n = put_packet(in, HCI_H4_ACL, 1021, 3); /* at the limit: fine */
		size_t bad_at = n;
		n += put_packet(in + n, HCI_H4_ACL, 1022, 4); /* one past it */
		int rc = 0;
		if (bytewise)
			for (size_t i = 0; i < n && rc == 0; i++)
				rc = h4_feed(&f, in + i, 1);
		else
			rc = h4_feed(&f, in, n);
		assert_int_equal(rc, L2K_EFRAMING);
		assert_int_equal(s.count, 1);
		assert_int_equal(s.last_len, 4 + 1021);
		assert_non_null(strstr(h4_error(&f), "ACL"));
		assert_non_null(strstr(h4_error(&f), "1022"));
		assert_non_null(strstr(h4_error(&f), "1021"));
		char want[32];
		snprintf(want, sizeof(want), "offset %zu", bad_at);
		assert_non_null(strstr(h4_error(&f), want));
		sink_free(&s);
	}
	free(in);
}

static void test_h4_limits_clamp_to_buffer_and_field_range(void **state)
{
	(void)state;
	uint8_t small[64];
	uint8_t in[128];
	struct sink s;
	struct h4_framer f;
	sink_init(&s, sizeof(in));
	h4_init(&f, small, sizeof(small), sink_packet, &s);
	assert_int_equal(f.max_len[HCI_H4_ACL], 60);
	assert_int_equal(f.max_len[HCI_H4_EVT], 62);
	size_t n = put_packet(in, HCI_H4_ACL, 60, 1);
	assert_int_equal(h4_feed(&f, in, n), 0);
	assert_int_equal(s.count, 1);
	n = put_packet(in, HCI_H4_ACL, 61, 1);
	assert_int_equal(h4_feed(&f, in, 2), 0); /* header not complete yet */
	assert_int_equal(h4_feed(&f, in + 2, n - 2), L2K_EFRAMING);
	assert_int_equal(s.count, 1);
	/* a raised limit never exceeds what the field can hold; unknown types are refused */
	h4_init(&f, framebuf, sizeof(framebuf), sink_packet, &s);
	assert_int_equal(h4_set_max_len(&f, HCI_H4_EVT, 100000), 0);
	assert_int_equal(f.max_len[HCI_H4_EVT], 255);
	assert_int_equal(f.max_len[HCI_H4_ISO], 16383);
	assert_int_equal(f.max_len[HCI_H4_ACL], 65535);
	assert_int_equal(h4_set_max_len(&f, 0x06, 10), L2K_EINVAL);
	sink_free(&s);
}

static void test_h4_restricted_types_reject_the_others(void **state)
{
	(void)state;
	uint8_t in[32];
	size_t n = put_packet(in, HCI_H4_EVT, 1, 1);
	n += put_packet(in + n, HCI_H4_CMD, 0, 1); /* a host does not expect commands */
	struct sink s;
	struct h4_framer f;
	sink_init(&s, sizeof(in));
	h4_init(&f, framebuf, sizeof(framebuf), sink_packet, &s);
	h4_set_types(&f, H4_TYPES_ALL & ~H4_TYPE_BIT(HCI_H4_CMD));
	assert_int_equal(h4_feed(&f, in, n), L2K_EFRAMING);
	assert_int_equal(s.count, 1);
	assert_non_null(strstr(h4_error(&f), "command"));
	assert_non_null(strstr(h4_error(&f), "0x01"));
	sink_free(&s);
}

static void test_h4_error_offset_counts_across_reads(void **state)
{
	(void)state;
	uint8_t in[300];
	size_t n = 0;
	for (int i = 0; i < 20; i++)
		n += put_packet(in + n, HCI_H4_EVT, 8, (uint8_t)i); /* 11 bytes each */
	in[n++] = 0x42;
	struct sink s;
	struct h4_framer f;
	sink_init(&s, sizeof(in));
	h4_init(&f, framebuf, sizeof(framebuf), sink_packet, &s);
	assert_int_equal(h4_feed(&f, in, 100), 0);
	assert_int_equal(h4_feed(&f, in + 100, n - 100), L2K_EFRAMING);
	assert_int_equal(s.count, 20);
	assert_non_null(strstr(h4_error(&f), "offset 220"));
	assert_non_null(strstr(h4_error(&f), "0x42"));
	sink_free(&s);
}

static void test_h4_check_accepts_only_consistent_packets(void **state)
{
	(void)state;
	uint8_t p[16];
	size_t n = put_packet(p, HCI_H4_ACL, 5, 1);
	assert_int_equal(h4_check(HCI_H4_ACL, p + 1, n - 1), 0);
	assert_int_equal(h4_check(HCI_H4_ACL, p + 1, n - 2), L2K_EINVAL); /* short */
	assert_int_equal(h4_check(HCI_H4_ACL, p + 1, n), L2K_EINVAL);	 /* long */
	assert_int_equal(h4_check(HCI_H4_ACL, p + 1, 3), L2K_EINVAL);	 /* no header */
	assert_int_equal(h4_check(0x06, p + 1, n - 1), L2K_EINVAL);
	assert_int_equal(h4_check(HCI_H4_EVT, NULL, 0), L2K_EINVAL);
	n = put_packet(p, HCI_H4_EVT, 0, 1);
	assert_int_equal(h4_check(HCI_H4_EVT, p + 1, n - 1), 0);
}

static void test_h4_encode_writes_indicator_and_packet(void **state)
{
	(void)state;
	uint8_t p[16], out[16];
	size_t n = put_packet(p, HCI_H4_CMD, 4, 9);
	assert_int_equal(h4_encode(out, sizeof(out), HCI_H4_CMD, p + 1, n - 1), (int)n);
	assert_memory_equal(out, p, n);
	assert_int_equal(h4_encode(out, n - 1, HCI_H4_CMD, p + 1, n - 1), L2K_ENOBUFS);
	assert_int_equal(h4_encode(out, sizeof(out), HCI_H4_CMD, p + 1, n - 2), L2K_EINVAL);
	/* what the encoder writes, the framer reads back */
	struct sink s;
	struct h4_framer f;
	sink_init(&s, sizeof(out));
	h4_init(&f, framebuf, sizeof(framebuf), sink_packet, &s);
	assert_int_equal(h4_feed(&f, out, n), 0);
	assert_int_equal(s.count, 1);
	assert_memory_equal(s.bytes, p, n);
	sink_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_h4_delivers_every_packet_type_including_empty_payloads),
		cmocka_unit_test(test_h4_partial_reads_at_every_split_point),
		cmocka_unit_test(test_h4_one_byte_at_a_time),
		cmocka_unit_test(test_h4_many_packets_in_one_read),
		cmocka_unit_test(test_h4_max_lengths_of_every_type),
		cmocka_unit_test(test_h4_iso_length_ignores_rfu_bits),
		cmocka_unit_test(test_h4_unknown_type_fails_and_delivers_nothing_more),
		cmocka_unit_test(test_h4_failed_state_is_sticky),
		cmocka_unit_test(test_h4_acl_longer_than_configured_max_is_rejected),
		cmocka_unit_test(test_h4_limits_clamp_to_buffer_and_field_range),
		cmocka_unit_test(test_h4_restricted_types_reject_the_others),
		cmocka_unit_test(test_h4_error_offset_counts_across_reads),
		cmocka_unit_test(test_h4_check_accepts_only_consistent_packets),
		cmocka_unit_test(test_h4_encode_writes_indicator_and_packet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
