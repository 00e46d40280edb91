/* The case library's index (lt.h): the tables of cases_*.c, in one list. */
#include <stdlib.h>
#include <string.h>

#include "tools/l2tester/cases.h"

static const struct lt_case *const tables[] = {lt_cases_bredr, lt_cases_config, lt_cases_modes, lt_cases_ertm,
							lt_cases_le, lt_cases_ecfc, lt_cases_misc, lt_cases_sec};
static struct lt_case *all;
static size_t count;

const struct lt_case *lt_cases(size_t *n)
{
	if (!all) {
		size_t k = 0;
		for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
			for (const struct lt_case *c = tables[i]; c->id; c++)
				k++;
		all = calloc(k ? k : 1, sizeof(*all));
		if (!all) {
			*n = 0;
			return NULL;
		}
		for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
			for (const struct lt_case *c = tables[i]; c->id; c++)
				all[count++] = *c;
	}
	*n = count;
	return all;
}

const struct lt_case *lt_case_find(const char *id)
{
	size_t n;
	const struct lt_case *c = lt_cases(&n);
	const char *bare = strncmp(id, "L2CAP/", 6) ? id : id + 6;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(c[i].id + 6, bare))
			return &c[i];
	return NULL;
}
