/* The runner behind tests/win/cmocka.h (see there): runs a group's tests in order, each one's
 * setup, body and teardown; a failed assertion prints where and why and jumps back here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmocka.h"

static jmp_buf g_jump;
static bool g_in_test;
static const char *g_filter;

enum { OUT_PASS, OUT_FAIL, OUT_SKIP };

void cmocka_set_test_filter(const char *pattern)
{
	g_filter = pattern;
}

/* cmocka's wildcards: * any run, ? any one character */
static bool match(const char *p, const char *s)
{
	if (!*p)
		return !*s;
	if (*p == '*')
		return match(p + 1, s) || (*s && match(p, s + 1));
	return *s && (*p == '?' || *p == *s) && match(p + 1, s + 1);
}

void print_message(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

void print_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static _Noreturn void leave(int outcome)
{
	if (!g_in_test) {
		printf("[  ERROR   ] an assertion outside a test\n");
		fflush(stdout);
		exit(1);
	}
	longjmp(g_jump, outcome);
}

void _cmk_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	printf("[  ERROR   ] --- ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n[   LINE   ] --- %s:%d: error: Failure!\n", file, line);
	leave(OUT_FAIL);
}

void _cmk_skip(const char *file, int line)
{
	(void)file;
	(void)line;
	leave(OUT_SKIP);
}

void _cmk_true(int v, const char *expr, const char *file, int line)
{
	if (!v)
		_cmk_fail(file, line, "%s", expr);
}

void _cmk_int_equal(uintmax_t a, uintmax_t b, int want_equal, const char *file, int line)
{
	if ((a == b) != !!want_equal)
		_cmk_fail(file, line, "%#jx (%jd) %s %#jx (%jd)", a, (intmax_t)a, want_equal ? "!=" : "==",
			  b, (intmax_t)b);
}

void _cmk_ptr_equal(const void *a, const void *b, int want_equal, const char *file, int line)
{
	if ((a == b) != !!want_equal)
		_cmk_fail(file, line, "%p %s %p", a, want_equal ? "!=" : "==", b);
}

void _cmk_memory_equal(const void *a, const void *b, size_t n, int want_equal, const char *file,
		       int line)
{
	if (!a || !b)
		_cmk_fail(file, line, "a NULL buffer compared");
	const unsigned char *x = a, *y = b;
	size_t i = 0;
	while (i < n && x[i] == y[i])
		i++;
	if (want_equal && i < n)
		_cmk_fail(file, line, "buffers differ from octet %zu of %zu: %02x != %02x", i, n, x[i],
			  y[i]);
	if (!want_equal && i == n)
		_cmk_fail(file, line, "the %zu octets are equal", n);
}

void _cmk_string_equal(const char *a, const char *b, int want_equal, const char *file, int line)
{
	if (!a || !b)
		_cmk_fail(file, line, "a NULL string compared");
	if ((strcmp(a, b) == 0) != !!want_equal)
		_cmk_fail(file, line, "\"%s\" %s \"%s\"", a, want_equal ? "!=" : "==", b);
}

void _cmk_in_range(uintmax_t v, uintmax_t lo, uintmax_t hi, int want_in, const char *file,
		   int line)
{
	bool in = v >= lo && v <= hi;
	if (in != !!want_in)
		_cmk_fail(file, line, "%ju is %s [%ju, %ju]", v, want_in ? "not in" : "in", lo, hi);
}

/* One fixture or body, under the jump: its outcome. */
static int run_part(void (*body)(void **), int (*fixture)(void **), void **state)
{
	volatile int outcome = OUT_PASS;
	g_in_test = true;
	int j = setjmp(g_jump);
	if (j == 0) {
		if (body)
			body(state);
		else if (fixture(state) != 0) {
			printf("[  ERROR   ] --- a fixture returned non-zero\n");
			outcome = OUT_FAIL;
		}
	} else {
		outcome = j;
	}
	g_in_test = false;
	return outcome;
}

int _cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *tests, size_t n,
			    CMFixtureFunction group_setup, CMFixtureFunction group_teardown)
{
	size_t selected = 0, passed = 0, failed = 0, skipped = 0;
	const char **failures = calloc(n ? n : 1, sizeof(*failures));
	for (size_t i = 0; i < n; i++)
		if (!g_filter || match(g_filter, tests[i].name))
			selected++;
	printf("[==========] %s: Running %zu test(s).\n", group_name, selected);
	void *group_state = NULL;
	if (group_setup && run_part(NULL, group_setup, &group_state) != OUT_PASS) {
		printf("[  ERROR   ] %s: group setup failed\n", group_name);
		free(failures);
		return (int)(selected ? selected : 1);
	}
	for (size_t i = 0; i < n; i++) {
		const struct CMUnitTest *t = &tests[i];
		if (g_filter && !match(g_filter, t->name))
			continue;
		printf("[ RUN      ] %s\n", t->name);
		fflush(stdout);
		void *state = t->initial_state ? t->initial_state : group_state;
		int o = OUT_PASS;
		if (t->setup_func)
			o = run_part(NULL, t->setup_func, &state);
		if (o == OUT_PASS)
			o = run_part(t->test_func, NULL, &state);
		if (t->teardown_func) {
			int td = run_part(NULL, t->teardown_func, &state);
			if (o == OUT_PASS && td == OUT_FAIL)
				o = OUT_FAIL;
		}
		if (o == OUT_PASS) {
			passed++;
			printf("[       OK ] %s\n", t->name);
		} else if (o == OUT_SKIP) {
			skipped++;
			printf("[  SKIPPED ] %s\n", t->name);
		} else {
			failures[failed++] = t->name;
			printf("[  FAILED  ] %s\n", t->name);
		}
		fflush(stdout);
	}
	if (group_teardown)
		run_part(NULL, group_teardown, &group_state);
	printf("[==========] %s: %zu test(s) run.\n", group_name, selected);
	printf("[  PASSED  ] %zu test(s).\n", passed);
	if (skipped)
		printf("[  SKIPPED ] %zu test(s).\n", skipped);
	if (failed) {
		printf("[  FAILED  ] %zu test(s), listed below:\n", failed);
		for (size_t i = 0; i < failed; i++)
			printf("[  FAILED  ] %s\n", failures[i]);
	}
	fflush(stdout);
	free(failures);
	return (int)failed;
}
