/* l2bench: how fast l2kit is, in numbers.  Runs, in one process on the simulated air with a
 * virtual clock unless said otherwise:
 *   1. host cost: CPU per byte through two hosts with no air time, per mode and SDU size,
 *      next to memcpy of the same bytes;
 *   2. link utilisation: goodput on the timed profiles as a share of the theoretical;
 *   3. latency: round trip of one small SDU through both hosts;
 *   4. scale: 1 .. 1000 channels over 1 .. 30 links;
 *   5. out of process: two l2cat processes over vctrl (TCP);
 *   6. CRC-16 (FCS) speed;
 *   7. fairness: channels of different modes sharing one link under a timed profile;
 *   8. Python: the l2kit package's sockets against l2cat, out of process over vctrl;
 *   9. pairing: CPU time of one pairing (LE SC, BR/EDR SSP) on the simulated air;
 *  10. loss: ERTM and Retransmission mode goodput at 1-20 % PDU loss against lossless, in
 *      process (3-DH5, virtual time) and out of process (vctrl, unlimited and 3-DH5), and
 *      100 MB byte-exact at 20 % loss (tools/bench/loss.c);
 *  11. controller link: CPU per MB and system calls per ACL packet of two l2cat processes
 *      through BlueZ's btvirt (in tests/with_btvirt.sh) and vctrl, one ACL buffer each.
 * Prints a table per section and writes OUT/results.json plus gnuplot data files.
 *   l2bench [--quick] [--out DIR] [--only LIST] [--seconds S] [--bindir DIR] [--python PATH]
 *           [--python-dir DIR] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "tools/bench/bench.h"
#include "tools/common/tool.h"

#define PROG "l2bench"
static const char *const sections[] = {"cost", "util", "latency", "scale", "oop", "fcs", "fair", "python", "pair", "loss", "ctrl"};
#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))

static void usage(FILE *f)
{
	fprintf(f,
		"usage: l2bench [--quick] [--out DIR] [--only LIST] [--seconds S] [--bindir DIR]\n"
		"               [--mode NAME] [--sdu N] [--bytes N] [--scale CxL] [--python PATH]\n"
		"               [--python-dir DIR]\n"
		"  Measures l2kit: host cost per mode and SDU size against memcpy, link utilisation on\n"
		"  the simulated air's timed profiles, round-trip latency, scale to 1000 channels, two\n"
		"  l2cat processes over vctrl, the Python package against l2cat, the CPU time of a\n"
		"  pairing, ERTM / Retransmission mode goodput under PDU loss (in process and over\n"
		"  vctrl), and CPU per MB on a controller link (btvirt, vctrl) with system calls per\n"
		"  ACL packet.  Prints tables and writes DIR/results.json (default DIR build/bench)\n"
		"  with gnuplot data (host_cost.dat, utilisation.dat).\n"
		"  --quick      smaller amounts (a smoke run of a few seconds)\n"
		"  --only LIST  comma-separated sections: cost,util,latency,scale,oop,fcs,fair,python,pair,\n"
		"               loss,ctrl\n"
		"  --seconds S  CPU seconds per host-cost run (default 0.3)\n"
		"  --bindir DIR where vctrl and l2cat are (default: this program's directory); the\n"
		"               shared library is DIR/../libl2kit.so\n"
		"  --python PATH       the Python interpreter (default /usr/bin/python3)\n"
		"  --python-dir DIR    the Python package's folder, with examples/ (default python)\n"
		"  --mode NAME  only this mode (basic, ertm, le, ecfc-le, ecfc-bredr ...)\n"
		"  --sdu N      only this SDU size (host cost, utilisation)\n"
		"  --bytes N    host cost: move exactly N bytes per run (repeatable instruction counts)\n"
		"  --scale CxL  scale: only C channels over L links (e.g. 1000x30; C 1..1000, L 1..%d)\n"
		"  --ctrl-inner FILE  (internal) section ctrl's btvirt cases, run by l2bench itself\n"
		"               inside tests/with_btvirt.sh; one line per case into FILE\n"
		"  Numbers are checked strictly (a bad one: exit 2), and so are --only's names.\n"
		"  SIGINT / SIGTERM end it after the measurement that runs; results.json then says\n"
		"  \"interrupted\" and \"all_passed\": false (exit 130 / 143).\n", BW_MAX_STACKS - 1);
}

/* --only LIST: every name must be a section.  0, or 2 after printing the bad one. */
static int check_only(const char *only)
{
	for (const char *p = only;;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		bool known = false;
		for (size_t i = 0; i < NSECTIONS; i++)
			known |= strlen(sections[i]) == len && strncmp(p, sections[i], len) == 0;
		if (!known) {
			fprintf(stderr, PROG ": unknown section '%.*s' in --only (sections: cost, util, latency, "
					"scale, oop, fcs, fair, python, pair, loss, ctrl)\n", (int)len, p);
			return 2;
		}
		if (!e)
			return 0;
		p = e + 1;
	}
}

/* --scale CxL */
static int parse_scale(const char *v, unsigned *chans, unsigned *links)
{
	const char *x = strchr(v, 'x');
	char c[32];
	unsigned long nc, nl;
	if (!x || (size_t)(x - v) >= sizeof(c))
		return -1;
	memcpy(c, v, (size_t)(x - v));
	c[x - v] = '\0';
	if (tool_parse_uint(c, 1, 1000, &nc) || tool_parse_uint(x + 1, 1, BW_MAX_STACKS - 1, &nl))
		return -1;
	*chans = (unsigned)nc;
	*links = (unsigned)nl;
	return 0;
}

/* --mode NAME: a label bench_mode_label gives to a mode this build implements. */
static bool known_mode_label(const char *name)
{
	for (int m = 0; m <= 0xFF; m++) {
		if (!l2k_mode_name((enum l2k_mode)m) || !l2k_mode_supported((enum l2k_mode)m))
			continue;
		char a[32], b[32];
		if (!strcmp(name, bench_mode_label((enum l2k_mode)m, false, a, sizeof(a))) ||
		    !strcmp(name, bench_mode_label((enum l2k_mode)m, true, b, sizeof(b))))
			return true;
	}
	return false;
}

static bool want(const char *only, const char *name)
{
	if (!only)
		return true;
	size_t n = strlen(name);
	for (const char *p = only; *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p += len + (e ? 1 : 0);
	}
	return false;
}

static void machine(void)
{
	struct utsname u;
	char cpu[256] = "unknown";
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (f) {
		char line[512];
		while (fgets(line, sizeof(line), f))
			if (strncmp(line, "model name", 10) == 0) {
				char *c = strchr(line, ':');
				if (c) {
					snprintf(cpu, sizeof(cpu), "%s", c + 2);
					cpu[strcspn(cpu, "\n")] = 0;
				}
				break;
			}
		fclose(f);
	}
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	bj_obj("machine");
	if (uname(&u) == 0) {
		bj_str("system", u.sysname);
		bj_str("release", u.release);
		bj_str("arch", u.machine);
		printf("machine: %s %s %s, %s, %ld CPUs\n", u.sysname, u.release, u.machine, cpu, ncpu);
	}
	bj_str("cpu", cpu);
	bj_int("cpus", ncpu);
	double load[1];
	if (getloadavg(load, 1) == 1) {
		bj_num("load_average_1min_at_start", load[0]);
		printf("load average at start: %.2f (other processes share these CPUs)\n", load[0]);
	}
#if defined(__clang__)
	bj_str("compiler", "clang " __clang_version__);
#elif defined(__GNUC__)
	bj_str("compiler", "gcc " __VERSION__);
#endif
	bj_end();
}

int main(int argc, char **argv)
{
	struct bench_opts o = {.seconds = 0.3,
			       .reps = 5,
			       .util_bytes = 2u << 20,
			       .scale_bytes = 64u << 20,
			       .oop_bytes = 100u * 1000 * 1000,
			       .lat_iters = 20000,
			       .outdir = "build/bench",
			       .python = "/usr/bin/python3",
			       .python_dir = "python",
			       .ctrl_bytes = 10u * 1000 * 1000,
			       .btvirt_script = "tests/with_btvirt.sh"};
	const char *ctrl_inner = NULL;
	const char *only = NULL;
	static char bindir[4096];
	static const struct option lo[] = {{"quick", no_argument, 0, 'q'},	{"out", required_argument, 0, 'o'},
					   {"only", required_argument, 0, 'n'}, {"seconds", required_argument, 0, 's'},
					   {"bindir", required_argument, 0, 'b'}, {"help", no_argument, 0, 'h'},
					   {"mode", required_argument, 0, 'm'},	{"sdu", required_argument, 0, 'z'},
					   {"bytes", required_argument, 0, 'y'},	{"scale", required_argument, 0, 'S'},
					   {"python", required_argument, 0, 'P'}, {"python-dir", required_argument, 0, 'D'},
					   {"ctrl-inner", required_argument, 0, 'C'},
					   {0, 0, 0, 0}};
	int c;
	unsigned long v;
	tool_signals_init(PROG);
	snprintf(bindir, sizeof(bindir), "%s", argv[0]);
	char *slash = strrchr(bindir, '/');
	if (slash)
		*slash = 0;
	else
		snprintf(bindir, sizeof(bindir), ".");
	o.bindir = bindir;
	o.self = argv[0];
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'q':
			o.quick = true;
			o.seconds = 0.03;
			o.reps = 1;
			o.util_bytes = 256u << 10;
			o.scale_bytes = 4u << 20;
			o.oop_bytes = 8u << 20;
			o.lat_iters = 1000;
			o.ctrl_bytes = 1000u * 1000;
			break;
		case 'C': ctrl_inner = optarg; break;
		case 'o': o.outdir = optarg; break;
		case 'n':
			if (check_only(optarg))
				return 2;
			only = optarg;
			break;
		case 's':
			if (tool_opt_double(PROG, "--seconds", optarg, 0.001, 3600, "CPU seconds, 0.001..3600",
					    &o.seconds))
				return 2;
			break;
		case 'b': o.bindir = optarg; break;
		case 'P': o.python = optarg; break;
		case 'D': o.python_dir = optarg; break;
		case 'm':
			if (!known_mode_label(optarg))
				return tool_bad_value(PROG, "--mode", optarg,
						      "a mode of this build: basic, ertm, le, ecfc-le, ecfc-bredr ...");
			o.mode = optarg;
			break;
		case 'z':
			if (tool_opt_uint(PROG, "--sdu", optarg, 1, BENCH_MAX_SDU, "an SDU size, 1..65535", &v))
				return 2;
			o.sdu = v;
			break;
		case 'y':
			if (tool_opt_u64(PROG, "--bytes", optarg, 1, 1ull << 40, "a byte count, 1..2^40",
					 &o.cost_bytes))
				return 2;
			break;
		case 'S':
			if (parse_scale(optarg, &o.scale_chans, &o.scale_links))
				return tool_bad_value(PROG, "--scale", optarg, "CHANNELSxLINKS, e.g. 1000x30");
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	tool_signals_graceful(true); /* a signal ends the run after the measurement in progress */
	mkdir(o.outdir, 0777);
	if (ctrl_inner) {
		o.ctrl_logdir = o.outdir;
		return bench_ctrl_inner(&o, ctrl_inner);
	}
	char path[4200];
	snprintf(path, sizeof(path), "%s/results.json", o.outdir);
	if (bj_open(path) < 0) {
		fprintf(stderr, "l2bench: cannot write %s\n", path);
		return 1;
	}
	time_t now = time(NULL);
	char when[64];
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	printf("l2kit %s benchmark%s, %s\n", L2K_VERSION, o.quick ? " (quick)" : "", when);
	bj_str("l2kit_version", L2K_VERSION);
	bj_str("date", when);
	bj_bool("quick", o.quick);
	machine();
	double w0 = bench_wall_s();
	int failed = 0;
	FILE *dat;
	if (want(only, "cost")) {
		snprintf(path, sizeof(path), "%s/host_cost.dat", o.outdir);
		dat = fopen(path, "w");
		if (dat)
			fprintf(dat, "# mode MB/s(CPU) for SDU 23 672 4096 65535\n");
		failed |= bench_host_cost(&o, dat) < 0;
		if (dat)
			fclose(dat);
	}
	if (!tool_signal() && want(only, "util")) {
		snprintf(path, sizeof(path), "%s/utilisation.dat", o.outdir);
		dat = fopen(path, "w");
		if (dat)
			fprintf(dat, "# profile+mode utilisation%% for the 4 SDU sizes (LE 23 245 2048 65535, BR/EDR 23 672 4096 65535)\n");
		failed |= bench_link_util(&o, dat) < 0;
		if (dat)
			fclose(dat);
	}
	if (!tool_signal() && want(only, "latency"))
		failed |= bench_latency(&o) < 0;
	if (!tool_signal() && want(only, "scale"))
		failed |= bench_scale(&o) < 0;
	if (!tool_signal() && want(only, "oop"))
		failed |= bench_out_of_process(&o) < 0;
	if (!tool_signal() && want(only, "fcs"))
		failed |= bench_crc(&o) < 0;
	if (want(only, "fair"))
		failed |= bench_fairness(&o) < 0;
	if (want(only, "python"))
		failed |= bench_python(&o) < 0;
	if (!tool_signal() && want(only, "pair"))
		failed |= bench_pairing(&o) < 0;
	if (!tool_signal() && want(only, "loss"))
		failed |= bench_loss(&o) < 0;
	if (!tool_signal() && want(only, "ctrl"))
		failed |= bench_ctrl(&o) < 0;
	double wall = bench_wall_s() - w0;
	bj_num("bench_wall_s", wall);
	if (tool_signal())
		bj_str("interrupted", tool_signal_name());
	bj_bool("all_passed", !failed && !tool_signal());
	snprintf(path, sizeof(path), "%s/results.json", o.outdir);
	if (bj_close() < 0)
		fprintf(stderr, "l2bench: writing %s failed\n", path);
	if (tool_signal()) {
		printf("\nresults: %s (%.0f s); interrupted (%s): incomplete\n", path, wall, tool_signal_name());
		return tool_signal_status();
	}
	printf("\nresults: %s (%.0f s)%s\n", path, wall, failed ? "; SOME CHECKS FAILED (see above)" : "");
	return failed ? 1 : 0;
}
