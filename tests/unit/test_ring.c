/* The byte ring of records (base/ring.h): bounded by its limit, growing its buffer on demand with
 * the queued records kept in order (also when they wrap), never past the bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/l2k_error.h"
#include "base/ring.h"

static int push(struct ring *r, uint8_t fill, size_t n)
{
	static uint8_t b[70000];
	memset(b, fill, n);
	const uint8_t *parts[1] = {b};
	size_t lens[1] = {n};
	return ring_push(r, parts, lens, 1);
}

/* pops the head record and checks its length and contents */
static void expect_pop(struct ring *r, uint8_t fill, size_t n)
{
	static uint8_t b[70000];
	assert_true(r->count > 0);
	assert_int_equal(ring_head_len(r), n);
	ring_head_read(r, 0, b, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(b[i], fill);
	ring_pop(r);
}

static void starts_small_and_grows_to_the_bound(void **st)
{
	(void)st;
	struct ring r;
	assert_int_equal(ring_init(&r, 256 * 1024), 0);
	assert_int_equal(r.cap, RING_INITIAL);
	assert_int_equal(ring_room(&r), 256 * 1024 - RING_REC_HDR);
	/* fill to the bound with 1000-byte records: the buffer grows, never past the limit */
	int n = 0;
	while (push(&r, (uint8_t)n, 1000) == 0)
		n++;
	assert_int_equal(n, 256 * 1024 / 1004);
	assert_true(r.cap <= r.limit);
	assert_int_equal(push(&r, 0xEE, 1000), L2K_EAGAIN);
	for (int i = 0; i < n; i++)
		expect_pop(&r, (uint8_t)i, 1000);
	assert_int_equal(r.count, 0);
	ring_free(&r);
}

static void growth_keeps_wrapped_records_in_order(void **st)
{
	(void)st;
	struct ring r;
	assert_int_equal(ring_init(&r, 64 * 1024), 0);
	/* move the head near the end of the initial buffer, so that records wrap */
	assert_int_equal(push(&r, 1, 3000), 0);
	expect_pop(&r, 1, 3000); /* empty again: the ring restarts at 0 */
	assert_int_equal(push(&r, 2, 3000), 0);
	assert_int_equal(push(&r, 3, 500), 0);
	expect_pop(&r, 2, 3000);
	assert_int_equal(push(&r, 4, 2000), 0); /* wraps in the 4096-byte buffer */
	assert_int_equal(r.cap, RING_INITIAL);
	assert_int_equal(push(&r, 5, 10000), 0); /* grows: 3 and 4 move, unwrapped */
	assert_true(r.cap >= 500 + 2000 + 10000 + 3 * RING_REC_HDR);
	assert_int_equal(push(&r, 6, 0), 0); /* empty records are records too */
	expect_pop(&r, 3, 500);
	expect_pop(&r, 4, 2000);
	expect_pop(&r, 5, 10000);
	expect_pop(&r, 6, 0);
	ring_free(&r);
}

static void small_bound_allocates_only_the_bound(void **st)
{
	(void)st;
	struct ring r;
	assert_int_equal(ring_init(&r, 100), 0);
	assert_int_equal(r.cap, 100);
	assert_int_equal(push(&r, 7, 96), 0);
	assert_int_equal(push(&r, 7, 0), L2K_EAGAIN);
	expect_pop(&r, 7, 96);
	ring_free(&r);
}

static void raised_limit_takes_larger_records(void **st)
{
	(void)st;
	struct ring r;
	assert_int_equal(ring_init(&r, 8192), 0);
	assert_int_equal(push(&r, 8, 6000), 0);
	assert_int_equal(push(&r, 9, 6000), L2K_EAGAIN);
	ring_raise_limit(&r, 4096); /* lower: ignored */
	assert_int_equal(r.limit, 8192);
	ring_raise_limit(&r, 65536 + 8);
	assert_int_equal(push(&r, 9, 6000), 0);
	assert_int_equal(push(&r, 10, 50000), 0);
	expect_pop(&r, 8, 6000);
	expect_pop(&r, 9, 6000);
	expect_pop(&r, 10, 50000);
	ring_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(starts_small_and_grows_to_the_bound),
	    cmocka_unit_test(growth_keeps_wrapped_records_in_order),
	    cmocka_unit_test(small_bound_allocates_only_the_bound),
	    cmocka_unit_test(raised_limit_takes_larger_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
