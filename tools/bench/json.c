/* l2bench: a minimal streaming JSON writer for build/bench/results.json. */
#include <math.h>
#include <stdio.h>

#include "tools/bench/bench.h"

#define BJ_DEPTH 16

static FILE *out;
static int depth;
static bool first[BJ_DEPTH];
static char kinds[BJ_DEPTH]; /* '{' or '[' of each open level */

int bj_open(const char *path)
{
	out = fopen(path, "w");
	if (!out)
		return -1;
	depth = 0;
	first[0] = true;
	fputc('{', out);
	return 0;
}

int bj_close(void)
{
	if (!out)
		return -1;
	fputs("\n}\n", out);
	int r = fclose(out);
	out = NULL;
	return r == 0 ? 0 : -1;
}

static void str(const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void item(const char *key)
{
	if (!first[depth])
		fputc(',', out);
	first[depth] = false;
	fprintf(out, "\n%*s", 2 * (depth + 1), "");
	if (key) {
		str(key);
		fputs(": ", out);
	}
}

static void open_(const char *key, char c)
{
	if (!out || depth + 1 >= BJ_DEPTH)
		return;
	item(key);
	fputc(c, out);
	first[++depth] = true;
	kinds[depth] = c;
}

void bj_obj(const char *key)
{
	open_(key, '{');
}

void bj_arr(const char *key)
{
	open_(key, '[');
}

void bj_end(void)
{
	if (!out || depth == 0)
		return;
	fprintf(out, "\n%*s%c", 2 * depth, "", kinds[depth] == '[' ? ']' : '}');
	depth--;
}

void bj_num(const char *key, double v)
{
	if (!out)
		return;
	item(key);
	if (isfinite(v))
		fprintf(out, "%.6g", v);
	else
		fputs("null", out);
}

void bj_int(const char *key, long long v)
{
	if (!out)
		return;
	item(key);
	fprintf(out, "%lld", v);
}

void bj_str(const char *key, const char *v)
{
	if (!out)
		return;
	item(key);
	str(v ? v : "");
}

void bj_bool(const char *key, bool v)
{
	if (!out)
		return;
	item(key);
	fputs(v ? "true" : "false", out);
}
