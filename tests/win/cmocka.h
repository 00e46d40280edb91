/* The subset of cmocka's API that l2kit's unit and conformance tests use, for the Windows
 * cross build only (Debian has no cmocka for mingw-w64).  Written for l2kit, not copied from
 * cmocka: the same names and the same output lines (tests/run.sh reads "[  PASSED  ] N test"),
 * with none of cmocka's mocking, signal catching or leak checking.  The host build uses the
 * real cmocka; this folder is on the include path of the Windows build only. */
#ifndef L2K_TESTS_WIN_CMOCKA_H
#define L2K_TESTS_WIN_CMOCKA_H

#include <stddef.h>
#include <stdint.h>

typedef uintmax_t LargestIntegralType;
typedef void (*CMUnitTestFunction)(void **state);
typedef int (*CMFixtureFunction)(void **state);

struct CMUnitTest {
	const char *name;
	CMUnitTestFunction test_func;
	CMFixtureFunction setup_func;
	CMFixtureFunction teardown_func;
	void *initial_state;
};

#define cmocka_unit_test(f) {#f, f, NULL, NULL, NULL}
#define cmocka_unit_test_setup_teardown(f, setup, teardown) {#f, f, setup, teardown, NULL}
#define cmocka_unit_test_prestate(f, state) {#f, f, NULL, NULL, state}

int _cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *tests, size_t n,
			    CMFixtureFunction group_setup, CMFixtureFunction group_teardown);
#define cmocka_run_group_tests(tests, setup, teardown) \
	_cmocka_run_group_tests(#tests, tests, sizeof(tests) / sizeof((tests)[0]), setup, teardown)
#define cmocka_run_group_tests_name(name, tests, setup, teardown) \
	_cmocka_run_group_tests(name, tests, sizeof(tests) / sizeof((tests)[0]), setup, teardown)
void cmocka_set_test_filter(const char *pattern);

void print_message(const char *fmt, ...) __attribute__((format(gnu_printf, 1, 2)));
void print_error(const char *fmt, ...) __attribute__((format(gnu_printf, 1, 2)));

_Noreturn void _cmk_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(gnu_printf, 3, 4)));
_Noreturn void _cmk_skip(const char *file, int line);
void _cmk_int_equal(uintmax_t a, uintmax_t b, int want_equal, const char *file, int line);
void _cmk_true(int v, const char *expr, const char *file, int line);
void _cmk_ptr_equal(const void *a, const void *b, int want_equal, const char *file, int line);
void _cmk_memory_equal(const void *a, const void *b, size_t n, int want_equal, const char *file,
		       int line);
void _cmk_string_equal(const char *a, const char *b, int want_equal, const char *file, int line);
void _cmk_in_range(uintmax_t v, uintmax_t lo, uintmax_t hi, int want_in, const char *file,
		   int line);

#define assert_true(c) _cmk_true(!!(c), #c, __FILE__, __LINE__)
#define assert_false(c) _cmk_true(!(c), "!(" #c ")", __FILE__, __LINE__)
#define assert_non_null(c) _cmk_true((c) != NULL, #c " != NULL", __FILE__, __LINE__)
#define assert_null(c) _cmk_true((c) == NULL, #c " == NULL", __FILE__, __LINE__)
#define assert_int_equal(a, b) \
	_cmk_int_equal((uintmax_t)(a), (uintmax_t)(b), 1, __FILE__, __LINE__)
#define assert_int_not_equal(a, b) \
	_cmk_int_equal((uintmax_t)(a), (uintmax_t)(b), 0, __FILE__, __LINE__)
#define assert_ptr_equal(a, b) _cmk_ptr_equal((a), (b), 1, __FILE__, __LINE__)
#define assert_ptr_not_equal(a, b) _cmk_ptr_equal((a), (b), 0, __FILE__, __LINE__)
#define assert_memory_equal(a, b, n) _cmk_memory_equal((a), (b), (n), 1, __FILE__, __LINE__)
#define assert_memory_not_equal(a, b, n) _cmk_memory_equal((a), (b), (n), 0, __FILE__, __LINE__)
#define assert_string_equal(a, b) _cmk_string_equal((a), (b), 1, __FILE__, __LINE__)
#define assert_string_not_equal(a, b) _cmk_string_equal((a), (b), 0, __FILE__, __LINE__)
#define assert_in_range(v, lo, hi) \
	_cmk_in_range((uintmax_t)(v), (uintmax_t)(lo), (uintmax_t)(hi), 1, __FILE__, __LINE__)
#define assert_not_in_range(v, lo, hi) \
	_cmk_in_range((uintmax_t)(v), (uintmax_t)(lo), (uintmax_t)(hi), 0, __FILE__, __LINE__)
#define fail() _cmk_fail(__FILE__, __LINE__, "failed")
#define fail_msg(...) _cmk_fail(__FILE__, __LINE__, __VA_ARGS__)
#define skip() _cmk_skip(__FILE__, __LINE__)

#endif
