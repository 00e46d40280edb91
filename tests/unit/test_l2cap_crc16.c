/* Unit tests: L2CAP FCS (core/l2cap_crc16.h), Vol 3 Part A 3.3.5. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/l2cap_crc16.h"

/* Straight from the definition: generator x^16 + x^15 + x^2 + 1, shift register fed least
 * significant bit first, initial value 0 (3.3.5). */
static uint16_t crc_bitwise(const uint8_t *p, size_t n)
{
	uint16_t r = 0;
	for (size_t i = 0; i < n; i++) {
		for (int b = 0; b < 8; b++) {
			unsigned in = (p[i] >> b) & 1u;
			unsigned fb = (r & 1u) ^ in;
			r >>= 1;
			if (fb)
				r ^= 0xA001; /* x^16+x^15+x^2+1, bit-reversed without x^16 */
		}
	}
	return r;
}

static uint32_t rng = 0xDEADBEEFu;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void test_spec_example_iframe(void **state)
{
	(void)state;
	/* 3.3.5 example 1: I-frame, Length 14, CID 0x0040, Control 0x0002, payload 00..09 */
	static const uint8_t f[] = {0x0E, 0x00, 0x40, 0x00, 0x02, 0x00, 0x00, 0x01,
				    0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};
	assert_int_equal(l2cap_crc16(f, sizeof(f)), 0x6138);
	assert_int_equal(crc_bitwise(f, sizeof(f)), 0x6138);
}

static void test_spec_example_rr(void **state)
{
	(void)state;
	/* 3.3.5 example 2: RR S-frame, Length 4, CID 0x0040, Control 0x0101 */
	static const uint8_t f[] = {0x04, 0x00, 0x40, 0x00, 0x01, 0x01};
	assert_int_equal(l2cap_crc16(f, sizeof(f)), 0x14D4);
}

static void test_catalogue_check_value(void **state)
{
	(void)state;
	/* the same CRC is catalogued as CRC-16/ARC, check value over "123456789" */
	assert_int_equal(l2cap_crc16((const uint8_t *)"123456789", 9), 0xBB3D);
	assert_int_equal(l2cap_crc16(NULL, 0), 0x0000);
	assert_int_equal(l2cap_crc16((const uint8_t *)"\0", 1), 0x0000);
}

static void test_matches_bitwise_on_random_data(void **state)
{
	(void)state;
	static uint8_t buf[1100];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rnd();
	/* every length up to 70 (all tail sizes of the 8-octet loop), then random lengths,
	 * at every alignment 0..7 */
	for (size_t align = 0; align < 8; align++) {
		for (size_t n = 0; n <= 70; n++)
			assert_int_equal(l2cap_crc16(buf + align, n), crc_bitwise(buf + align, n));
		for (int k = 0; k < 50; k++) {
			size_t n = rnd() % (sizeof(buf) - 8);
			assert_int_equal(l2cap_crc16(buf + align, n), crc_bitwise(buf + align, n));
		}
	}
}

static void test_incremental_equals_one_shot(void **state)
{
	(void)state;
	uint8_t buf[300];
	for (int iter = 0; iter < 500; iter++) {
		size_t n = rnd() % sizeof(buf);
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)rnd();
		size_t a = n ? rnd() % (n + 1) : 0;
		size_t b = a + (n - a ? rnd() % (n - a + 1) : 0);
		uint16_t c = l2cap_crc16_start();
		c = l2cap_crc16_update(c, buf, a);
		c = l2cap_crc16_update(c, buf + a, b - a);
		c = l2cap_crc16_update(c, buf + b, n - b);
		assert_int_equal(l2cap_crc16_finish(c), l2cap_crc16(buf, n));
	}
	/* octet by octet */
	uint16_t c = l2cap_crc16_start();
	for (size_t i = 0; i < 100; i++)
		c = l2cap_crc16_update(c, buf + i, 1);
	assert_int_equal(c, crc_bitwise(buf, 100));
	assert_int_equal(l2cap_crc16_update(0x1234, NULL, 0), 0x1234);
}

static void test_fcs_ok_detects_every_single_bit_error(void **state)
{
	(void)state;
	uint8_t f[] = {0x0E, 0x00, 0x40, 0x00, 0x02, 0x00, 0x00, 0x01, 0x02,
		       0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x38, 0x61};
	assert_true(l2cap_fcs_ok(f, sizeof(f)));
	for (size_t i = 0; i < sizeof(f); i++) {
		for (int b = 0; b < 8; b++) {
			f[i] ^= (uint8_t)(1u << b);
			assert_false(l2cap_fcs_ok(f, sizeof(f)));
			f[i] ^= (uint8_t)(1u << b);
		}
	}
	assert_false(l2cap_fcs_ok(f, 1));
	assert_false(l2cap_fcs_ok(NULL, 4));
	static const uint8_t zero_fcs[] = {0x00, 0x00}; /* empty frame, FCS 0x0000 */
	assert_true(l2cap_fcs_ok(zero_fcs, 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_example_iframe),
		cmocka_unit_test(test_spec_example_rr),
		cmocka_unit_test(test_catalogue_check_value),
		cmocka_unit_test(test_matches_bitwise_on_random_data),
		cmocka_unit_test(test_incremental_equals_one_shot),
		cmocka_unit_test(test_fcs_ok_detects_every_single_bit_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
