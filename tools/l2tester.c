/* l2tester: the lower tester of the Bluetooth SIG's L2CAP test specification against any IUT
 * (docs/l2tester.md).  The cases are tools/l2tester/cases_*.c; make check runs the same ones
 * in-process (tests/conformance/test_l2tester_cases.c). */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <l2kit/l2kit.h>

#include "tools/common/tool.h"
#include "tools/l2tester/runner.h"

#define PROG "l2tester"
#define MAX_SEL 64

static void usage(FILE *f)
{
	fprintf(f,
		"usage: l2tester -t SPEC --iut ADDR[/bredr|/le-public|/le-random] [--psm N]\n"
		"                [--case ID ...] [--group G ...] [--iut-agent unix:PATH | --iut-control CMD]\n"
		"                [--json FILE] [--junit FILE] [--btsnoop-dir DIR] [--case-limit S] [-v]\n"
		"       l2tester --in-process [--case ID ...] [--group G ...] [--iut-defect NAME] [reports]\n"
		"       l2tester --list | --table\n"
		"  Runs L2CAP.TS test cases as the lower tester against the IUT at ADDR and checks every\n"
		"  byte it answers; one verdict per case (pass, fail, inconclusive, not applicable), a\n"
		"  summary line 'N passed, N failed, N inconclusive, N not applicable'.  Exit status 1\n"
		"  when a case failed, 2 on a usage or set-up error.  See docs/l2tester.md.\n"
		"  -t, --transport SPEC  the tester's controller: hciN | usb[:...] | unix:PATH | tcp:HOST:PORT |\n"
		"                        serial:DEV[,BAUD] | sim[:...]\n"
		"      --iut ADDR[/TYPE] the IUT; the type picks the cases' transport (default bredr)\n"
		"      --psm N           the IUT's PSM (BR/EDR, default 0x1001) or SPSM (LE, default 0x0080)\n"
		"      --case ID         run this case (repeatable; the L2CAP/ prefix may be left out)\n"
		"      --group G         run this group, e.g. COS/CED, LE/CFC (repeatable)\n"
		"      --iut-agent unix:PATH  drive the IUT through an agent (l2iut) speaking the control protocol\n"
		"      --iut-control CMD run 'CMD REQUEST...' per IUT action (exit 0 done, 3 cannot)\n"
		"                        (neither: the actions are asked on the terminal)\n"
		"      --in-process      the IUT is l2kit in this process on a simulated air (no -t, no --iut)\n"
		"      --iut-defect NAME with --in-process: a deliberately broken IUT (wrong-ident, skip-mtu-check)\n"
		"      --json FILE       write a JSON report\n"
		"      --junit FILE      write a JUnit XML report\n"
		"      --btsnoop-dir DIR a btsnoop capture of the tester's HCI traffic per case\n"
		"      --case-limit S    a case still running after S seconds ends inconclusive (default: no bound)\n"
		"      --list            list every case: ID, transport, group, status (case or n/a: reason)\n"
		"      --table           the Markdown table of docs/conformance.md's l2tester section\n"
		"  -v, --verbose         print every frame and IUT action as it happens\n"
		"  -h, --help\n");
}

struct run_entry {
	const struct lt_case *c;
	struct lt_result r;
	char snoop[512];
};

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void xml_str(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		switch (ch) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\n': fputs("&#10;", f); break;
		default:
			if (ch >= 0x20 || ch == '\t')
				fputc(ch, f);
		}
	}
}

static int write_json(const char *path, const char *iut, struct run_entry *e, size_t n, const int cnt[5])
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "{\"tool\": \"l2tester\", \"version\": 1, \"iut\": ");
	json_str(f, iut);
	fprintf(f, ",\n \"summary\": {\"passed\": %d, \"failed\": %d, \"inconclusive\": %d, \"not_applicable\": %d},\n",
		cnt[LT_PASS], cnt[LT_FAIL], cnt[LT_INCONC], cnt[LT_NA]);
	fprintf(f, " \"cases\": [");
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s\n  {\"id\": ", i ? "," : "");
		json_str(f, e[i].c->id);
		fprintf(f, ", \"group\": ");
		json_str(f, e[i].c->group);
		fprintf(f, ", \"verdict\": ");
		json_str(f, lt_verdict_str(e[i].r.verdict));
		fprintf(f, ", \"reason\": ");
		json_str(f, e[i].r.reason);
		fprintf(f, ", \"ms\": %llu, \"btsnoop\": ", (unsigned long long)e[i].r.ms);
		if (e[i].snoop[0])
			json_str(f, e[i].snoop);
		else
			fputs("null", f);
		fprintf(f, ", \"frames\": [");
		const char *p = e[i].r.log;
		bool first = true;
		while (p && *p) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);
			char line[1024];
			snprintf(line, sizeof(line), "%.*s", (int)(len < sizeof(line) - 1 ? len : sizeof(line) - 1), p);
			fprintf(f, "%s", first ? "" : ", ");
			json_str(f, line);
			first = false;
			p = nl ? nl + 1 : p + len;
		}
		fprintf(f, "]}");
	}
	fprintf(f, "\n ]}\n");
	return fclose(f) == 0 ? 0 : -1;
}

static int write_junit(const char *path, struct run_entry *e, size_t n, const int cnt[5], uint64_t total_ms)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuite name=\"l2tester\" tests=\"%zu\" failures=\"%d\" errors=\"0\" skipped=\"%d\" time=\"%.3f\">\n", n,
		cnt[LT_FAIL], cnt[LT_INCONC] + cnt[LT_NA], (double)total_ms / 1000);
	for (size_t i = 0; i < n; i++) {
		char cls[64];
		const char *id = e[i].c->id, *last = strrchr(id, '/');
		snprintf(cls, sizeof(cls), "%.*s", (int)(last - id), id);
		for (char *p = cls; *p; p++)
			if (*p == '/')
				*p = '.';
		fprintf(f, "  <testcase classname=\"%s\" name=\"%s\" time=\"%.3f\">", cls, last + 1, (double)e[i].r.ms / 1000);
		if (e[i].r.verdict == LT_FAIL) {
			fprintf(f, "\n    <failure message=\"");
			xml_str(f, e[i].r.reason);
			fprintf(f, "\">");
			xml_str(f, e[i].r.log);
			fprintf(f, "</failure>\n  ");
		} else if (e[i].r.verdict != LT_PASS) {
			fprintf(f, "\n    <skipped message=\"%s: ", lt_verdict_str(e[i].r.verdict));
			xml_str(f, e[i].r.reason);
			fprintf(f, "\"/>\n  ");
		}
		fprintf(f, "</testcase>\n");
	}
	fprintf(f, "</testsuite>\n");
	return fclose(f) == 0 ? 0 : -1;
}

static const char *tr_name(enum lt_transport t)
{
	return t == LT_LE ? "le" : t == LT_BREDR ? "bredr" : "any";
}

static bool selected(const struct lt_case *c, const char **cases, int nc, const char **groups, int ng)
{
	if (!nc && !ng)
		return true;
	for (int i = 0; i < nc; i++)
		if (!strcmp(c->id, cases[i]) || !strcmp(c->id + 6, cases[i]))
			return true;
	for (int i = 0; i < ng; i++)
		if (!strcmp(c->group, groups[i]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	const char *spec = NULL, *iut_s = NULL, *agent = NULL, *control = NULL, *json = NULL, *junit = NULL;
	const char *snoopdir = NULL, *defect = NULL;
	const char *cases[MAX_SEL], *groups[MAX_SEL];
	int nc = 0, ng = 0;
	bool list = false, table = false, inproc = false, verbose = false;
	unsigned long psm = 0, limit = 0;
	enum { O_IUT = 0x100, O_PSM, O_CASE, O_GROUP, O_AGENT, O_CONTROL, O_INPROC, O_DEFECT, O_JSON, O_JUNIT,
	       O_SNOOP, O_LIST, O_TABLE, O_LIMIT };
	static const struct option lo[] = {{"transport", required_argument, 0, 't'},
					   {"iut", required_argument, 0, O_IUT},
					   {"psm", required_argument, 0, O_PSM},
					   {"case", required_argument, 0, O_CASE},
					   {"group", required_argument, 0, O_GROUP},
					   {"iut-agent", required_argument, 0, O_AGENT},
					   {"iut-control", required_argument, 0, O_CONTROL},
					   {"in-process", no_argument, 0, O_INPROC},
					   {"iut-defect", required_argument, 0, O_DEFECT},
					   {"json", required_argument, 0, O_JSON},
					   {"junit", required_argument, 0, O_JUNIT},
					   {"btsnoop-dir", required_argument, 0, O_SNOOP},
					   {"case-limit", required_argument, 0, O_LIMIT},
					   {"list", no_argument, 0, O_LIST},
					   {"table", no_argument, 0, O_TABLE},
					   {"verbose", no_argument, 0, 'v'},
					   {"help", no_argument, 0, 'h'},
					   {0, 0, 0, 0}};
	int o;
	tool_signals_init(PROG);
	while ((o = getopt_long(argc, argv, "t:vh", lo, NULL)) != -1) {
		switch (o) {
		case 't': spec = optarg; break;
		case O_IUT: iut_s = optarg; break;
		case O_PSM:
			if (tool_opt_uint(PROG, "--psm", optarg, 1, 0xFFFF, "a PSM, 1..0xFFFF", &psm))
				return 2;
			break;
		case O_CASE:
		case O_GROUP:
			if ((o == O_CASE ? nc : ng) == MAX_SEL) {
				fprintf(stderr, PROG ": too many --case / --group\n");
				return 2;
			}
			if (o == O_CASE)
				cases[nc++] = optarg;
			else
				groups[ng++] = optarg;
			break;
		case O_AGENT: agent = optarg; break;
		case O_CONTROL: control = optarg; break;
		case O_INPROC: inproc = true; break;
		case O_DEFECT: defect = optarg; break;
		case O_JSON: json = optarg; break;
		case O_JUNIT: junit = optarg; break;
		case O_SNOOP: snoopdir = optarg; break;
		case O_LIMIT:
			if (tool_opt_uint(PROG, "--case-limit", optarg, 1, 86400, "seconds, 1..86400", &limit))
				return 2;
			break;
		case O_LIST: list = true; break;
		case O_TABLE: table = true; break;
		case 'v': verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	size_t ncase;
	const struct lt_case *all = lt_cases(&ncase);
	for (int i = 0; i < nc; i++)
		if (!lt_case_find(cases[i])) {
			fprintf(stderr, PROG ": no case %s (see --list)\n", cases[i]);
			return 2;
		}
	if (list || table) {
		if (table)
			printf("| ID | transport | l2tester case |\n| --- | --- | --- |\n");
		for (size_t i = 0; i < ncase; i++) {
			const struct lt_case *c = &all[i];
			if (!selected(c, cases, nc, groups, ng))
				continue;
			if (table)
				printf("| %s | %s | %s%s |\n", c->id, tr_name(c->tr), c->na ? "not applicable: " : "",
				       c->na ? c->na : c->role);
			else
				printf("%s\t%s\t%s\t%s%s\n", c->id, tr_name(c->tr), c->group, c->na ? "n/a: " : "case: ",
				       c->na ? c->na : c->role);
		}
		return 0;
	}
	if (agent && control) {
		fprintf(stderr, PROG ": --iut-agent and --iut-control exclude each other\n");
		return 2;
	}
	if (defect && !inproc) {
		fprintf(stderr, PROG ": --iut-defect is for --in-process (l2iut has --defect)\n");
		return 2;
	}
	l2k_addr iut = {{0}};
	enum l2k_addr_type type = L2K_ADDR_BREDR;
	bool typed = false;
	struct lt_iut_backend b = {0};
	char why[256];
	if (inproc) {
		if (spec || iut_s || agent || control) {
			fprintf(stderr, PROG ": --in-process takes no -t, --iut, --iut-agent or --iut-control\n");
			return 2;
		}
	} else {
		if (!spec || !iut_s) {
			usage(stderr);
			return 2;
		}
		if (tool_parse_peer(iut_s, &iut, &type, &typed) < 0) {
			fprintf(stderr, PROG ": bad --iut '%s': expected AA:BB:CC:DD:EE:FF[/bredr|/le-public|/le-random]\n",
				iut_s);
			return 2;
		}
		if (agent) {
			if (lt_backend_agent(agent, &b, why, sizeof(why)) < 0) {
				fprintf(stderr, PROG ": %s\n", why);
				return 2;
			}
			l2k_addr said;
			if (lt_backend_hello(&b, &said, why, sizeof(why)) < 0) {
				fprintf(stderr, PROG ": the agent: %s\n", why);
				return 2;
			}
			if (memcmp(said.b, iut.b, 6)) {
				char a1[18], a2[18];
				fprintf(stderr, PROG ": warning: the agent's controller is %s, --iut is %s\n",
					l2k_addr_str(&said, a1), l2k_addr_str(&iut, a2));
			}
		} else if (control) {
			lt_backend_cmd(control, &b);
		} else {
			lt_backend_prompt(&b);
		}
	}
	if (snoopdir && mkdir(snoopdir, 0755) < 0) {
		struct stat sb;
		if (stat(snoopdir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
			fprintf(stderr, PROG ": cannot make --btsnoop-dir %s\n", snoopdir);
			return 2;
		}
	}
	struct run_entry *e = calloc(ncase ? ncase : 1, sizeof(*e));
	if (!e)
		return 2;
	size_t n = 0;
	int cnt[5] = {0};
	uint64_t total_ms = 0;
	bool le = type != L2K_ADDR_BREDR;
	for (size_t i = 0; i < ncase; i++) {
		const struct lt_case *c = &all[i];
		if (!selected(c, cases, nc, groups, ng))
			continue;
		if (tool_signal())
			break;
		struct run_entry *x = &e[n++];
		x->c = c;
		struct lt_run_opts ro = {.verbose = verbose, .psm = (uint16_t)psm, .iut_defect = defect,
					 .case_limit_ms = (uint32_t)(limit * 1000)};
		if (snoopdir && !c->na) {
			char name[64];
			snprintf(name, sizeof(name), "%s", c->id);
			for (char *p = name; *p; p++)
				if (*p == '/')
					*p = '_';
			snprintf(x->snoop, sizeof(x->snoop), "%s/%s.btsnoop", snoopdir, name);
			ro.btsnoop = x->snoop;
		}
		if (verbose)
			fprintf(stderr, "%s:\n", c->id);
		if (c->na) {
			x->r.verdict = LT_NA;
			snprintf(x->r.reason, sizeof(x->r.reason), "%s", c->na);
		} else if (!inproc && c->tr != LT_ANY && (c->tr == LT_LE) != le) {
			x->r.verdict = LT_NA;
			snprintf(x->r.reason, sizeof(x->r.reason), "an %s case; the IUT was given as %s",
				 c->tr == LT_LE ? "LE" : "BR/EDR", le ? "LE" : "BR/EDR");
		} else if (inproc) {
			lt_run_inproc(c, &ro, &x->r);
		} else {
			lt_run_real(c, spec, &iut, type, &b, &ro, &x->r);
		}
		if (!x->r.verdict)
			x->r.verdict = LT_INCONC;
		cnt[x->r.verdict]++;
		total_ms += x->r.ms;
		printf("%-24s %-14s %s\n", c->id, lt_verdict_str(x->r.verdict), x->r.reason);
		if (x->r.verdict == LT_FAIL && x->r.log && !verbose) {
			const char *p = x->r.log;
			while (*p) {
				const char *nl = strchr(p, '\n');
				size_t len = nl ? (size_t)(nl - p) : strlen(p);
				printf("    %.*s\n", (int)len, p);
				p += len + (nl ? 1 : 0);
			}
		}
		fflush(stdout);
	}
	char iutname[40];
	if (inproc)
		snprintf(iutname, sizeof(iutname), "in-process");
	else {
		char a[18];
		snprintf(iutname, sizeof(iutname), "%s/%s", l2k_addr_str(&iut, a),
			 type == L2K_ADDR_BREDR ? "bredr" : type == L2K_ADDR_LE_PUBLIC ? "le-public" : "le-random");
	}
	int rc = cnt[LT_FAIL] ? 1 : 0;
	if (json && write_json(json, iutname, e, n, cnt) < 0) {
		fprintf(stderr, PROG ": cannot write %s\n", json);
		rc = 2;
	}
	if (junit && write_junit(junit, e, n, cnt, total_ms) < 0) {
		fprintf(stderr, PROG ": cannot write %s\n", junit);
		rc = 2;
	}
	printf("%d passed, %d failed, %d inconclusive, %d not applicable\n", cnt[LT_PASS], cnt[LT_FAIL], cnt[LT_INCONC],
	       cnt[LT_NA]);
	if (agent)
		b.action(b.u, "reset", why, sizeof(why));
	lt_backend_close(&b);
	for (size_t i = 0; i < n; i++)
		lt_result_free(&e[i].r);
	free(e);
	if (tool_signal())
		return tool_signal_status();
	return rc;
}
