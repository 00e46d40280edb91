/* l2bench section 5: out of process.  vctrl serves simulated controllers over TCP on the
 * loopback (profile 'unlimited': no air time), one l2cat listens and discards, another sends
 * patterned SDUs; each process's CPU time (user + system, from wait4) per MB moved.
 * Section 8 (python): the same transfer between two Python programs on the l2kit package
 * (python/examples/l2pycat.py, which takes l2cat's options for it) next to two l2cat in the
 * same run: results.json's python_vs_l2cat_ratio is their throughput ratio with 64 KiB SDUs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/bench/bench.h"
#include "tools/common/tool.h"

static const char *why_skip(const struct bench_opts *o, char *l2cat, char *vctrl, size_t len)
{
	snprintf(l2cat, len, "%s/l2cat", o->bindir);
	snprintf(vctrl, len, "%s/vctrl", o->bindir);
	if (access(vctrl, X_OK) != 0)
		return "build/bin/vctrl is not built";
	if (access(l2cat, X_OK) != 0)
		return "build/bin/l2cat is not built";
	return NULL;
}

/* One transfer of bytes in SDUs of sdu bytes; fills cpu[3] (sender, receiver, vctrl) and wall. */
struct oop_run {
	const char *mode; /* l2cat -m */
	bool le;
	unsigned long sdu;
};

static void rm_logs(const char *dir);

/* A program that takes l2cat's options for the transfer: argv[0..n-1] come before them. */
#define OOP_MAX_PREFIX 4
struct oop_prog {
	char *argv[OOP_MAX_PREFIX];
	int n;
	char *const *env; /* added to the children's environment (NULL: nothing) */
};

/* argv = prog's prefix + the NULL-terminated args */
static void oop_argv(char **out, size_t cap, const struct oop_prog *p, char *const *args)
{
	size_t k = 0;
	for (int i = 0; i < p->n && k + 1 < cap; i++)
		out[k++] = p->argv[i];
	for (int i = 0; args[i] && k + 1 < cap; i++)
		out[k++] = args[i];
	out[k] = NULL;
}

static int oop_case(const struct bench_opts *o, const struct oop_prog *prog, const char *vctrl, const char *dir,
		    const struct oop_run *r, uint64_t bytes, double cpu[3], double *wall)
{
	char portf[512], vlog[512], slog[512], clog[512], port[32] = "", spec[64], addr[18] = "";
	snprintf(portf, sizeof(portf), "%s/port", dir);
	snprintf(vlog, sizeof(vlog), "%s/vctrl.log", dir);
	snprintf(slog, sizeof(slog), "%s/server.log", dir);
	snprintf(clog, sizeof(clog), "%s/client.log", dir);
	unlink(portf);
	struct bchild v, s, c;
	memset(&s, 0, sizeof(s));
	memset(&c, 0, sizeof(c));
	char *va[] = {(char *)vctrl, "--listen", "tcp:127.0.0.1:0", "--port-file", portf, "--profile", "unlimited",
		      "--type", "dual", NULL};
	if (bench_spawn(&v, va, NULL, vlog) < 0)
		return -1;
	int rc = -1;
	double t_end = bench_wall_s() + 10;
	while (bench_wall_s() < t_end) {
		FILE *f = fopen(portf, "r");
		if (f) {
			bool ok = fgets(port, sizeof(port), f) != NULL;
			fclose(f);
			port[strcspn(port, "\r\n")] = 0;
			if (ok && port[0])
				break;
		}
		usleep(5000);
	}
	if (!port[0]) {
		fprintf(stderr, "l2bench: vctrl did not start (see %s)\n", vlog);
		goto out;
	}
	snprintf(spec, sizeof(spec), "tcp:127.0.0.1:%s", port);
	char mtu[24], n[24], size[24];
	unsigned long sdu = r->sdu;
	snprintf(mtu, sizeof(mtu), "%lu", sdu < 672 ? 672 : sdu);
	snprintf(size, sizeof(size), "%lu", sdu);
	snprintf(n, sizeof(n), "%llu", (unsigned long long)(bytes / sdu));
	const char *psm = r->le ? "0x0081" : "0x1001";
	char peer[40];
	char *sargs[] = {"-t", spec, "-m", (char *)r->mode, "--mtu", mtu, "--sink", "-v", "-l", (char *)psm, NULL};
	char *sa[OOP_MAX_PREFIX + 16];
	oop_argv(sa, sizeof(sa) / sizeof(sa[0]), prog, sargs);
	if (bench_spawn(&s, sa, prog->env, slog) < 0 || !bench_wait_for(vlog, "connected", NULL, bench_wall_s() + 10) ||
	    !bench_wait_for(vlog, "controller ", addr, bench_wall_s() + 10) ||
	    !bench_wait_for(slog, "listening on", NULL, bench_wall_s() + 10)) {
		fprintf(stderr, "l2bench: the receiving l2cat did not come up (see %s, %s)\n", slog, vlog);
		goto out;
	}
	snprintf(peer, sizeof(peer), "%s%s", addr, r->le ? "/le-public" : "");
	char *cargs[] = {"-t", spec, "-m", (char *)r->mode, "--send", n, "--size", size, "-v", peer, (char *)psm, NULL};
	char *ca[OOP_MAX_PREFIX + 16];
	oop_argv(ca, sizeof(ca) / sizeof(ca[0]), prog, cargs);
	double w0 = bench_wall_s();
	if (bench_spawn(&c, ca, prog->env, clog) < 0 || !bench_reap(&c, w0 + 300) || !bench_reap(&s, bench_wall_s() + 30)) {
		fprintf(stderr, "l2bench: the transfer did not finish in time (see %s, %s)\n", clog, slog);
		goto out;
	}
	*wall = bench_wall_s() - w0;
	if (!WIFEXITED(c.status) || WEXITSTATUS(c.status) != 0 || !WIFEXITED(s.status) || WEXITSTATUS(s.status) != 0) {
		fprintf(stderr, "l2bench: %s failed (exit %d / %d; see %s, %s)\n", prog->argv[prog->n - 1],
			WEXITSTATUS(c.status), WEXITSTATUS(s.status), clog, slog);
		goto out;
	}
	char got[64];
	snprintf(got, sizeof(got), "received %llu bytes", (unsigned long long)(bytes / sdu * sdu));
	if (!bench_wait_for(slog, got, NULL, bench_wall_s() + 1)) {
		fprintf(stderr, "l2bench: the receiver did not report %s (see %s)\n", got, slog);
		goto out;
	}
	rc = 0;
out:
	bench_stop(&c);
	bench_stop(&s);
	bench_stop(&v);
	cpu[0] = bench_child_cpu(&c);
	cpu[1] = bench_child_cpu(&s);
	cpu[2] = bench_child_cpu(&v);
	return rc;
}

int bench_out_of_process(const struct bench_opts *o)
{
	char l2cat[4200], vctrl[4200];
	const char *why = why_skip(o, l2cat, vctrl, sizeof(l2cat));
	printf("\n5. Out of process: vctrl (simulated controllers over TCP on the loopback, profile\n"
	       "   'unlimited') and two l2cat processes, %.0f MB from one to the other per mode;\n"
	       "   CPU time (user + system) of each process per MB.\n\n", (double)o->oop_bytes / 1e6);
	bj_obj("out_of_process");
	if (why) {
		printf("   skipped: %s\n", why);
		bj_str("skipped", why);
		bj_end();
		return 0;
	}
	char dir[] = "/tmp/l2bench.XXXXXX";
	if (!mkdtemp(dir)) {
		printf("   skipped: no temporary directory\n");
		bj_str("skipped", "no temporary directory");
		bj_end();
		return 0;
	}
	/* Modes with flow control: Basic has none, and a sender faster than the receiving
	 * application overflows its socket buffer (l2cat reports the SDUs it dropped). */
	static const struct oop_run runs[] = {{"ertm", false, 672}, {"ertm", false, 65535}, {"le", true, 65535}};
	printf("%-10s %6s %10s %9s %14s %14s %14s\n", "mode", "SDU", "MB", "MB/s", "sender s/MB", "receiver s/MB",
	       "vctrl s/MB");
	bj_arr("runs");
	int failures = 0;
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		if (tool_signal())
			break; /* SIGINT / SIGTERM: l2bench ends here */
		double cpu[3] = {0, 0, 0}, wall = 0;
		enum l2k_mode m;
		if (l2k_mode_parse(runs[i].mode, &m) < 0 || !l2k_mode_supported(m))
			continue;
		uint64_t bytes = o->oop_bytes / runs[i].sdu * runs[i].sdu;
		struct oop_prog prog = {.argv = {l2cat}, .n = 1};
		if (oop_case(o, &prog, vctrl, dir, &runs[i], bytes, cpu, &wall) < 0) {
			printf("%-10s %6lu FAILED (logs in %s)\n", runs[i].mode, runs[i].sdu, dir);
			failures++;
			continue;
		}
		double mb = (double)bytes / 1e6;
		printf("%-10s %6lu %10.1f %9.1f %14.5f %14.5f %14.5f\n", runs[i].mode, runs[i].sdu, mb, mb / wall,
		       cpu[0] / mb, cpu[1] / mb, cpu[2] / mb);
		fflush(stdout);
		bj_obj(NULL);
		bj_str("mode", runs[i].mode);
		bj_str("link", runs[i].le ? "le" : "bredr");
		bj_int("sdu", (long long)runs[i].sdu);
		bj_int("bytes", (long long)bytes);
		bj_num("wall_s", wall);
		bj_num("throughput_MBps", mb / wall);
		bj_num("sender_cpu_s_per_MB", cpu[0] / mb);
		bj_num("receiver_cpu_s_per_MB", cpu[1] / mb);
		bj_num("vctrl_cpu_s_per_MB", cpu[2] / mb);
		bj_end();
	}
	bj_end();
	bj_end();
	if (!failures)
		rm_logs(dir);
	return failures ? -1 : 0;
}

/* ---- 8. Python --------------------------------------------------------------------------- */

static void rm_logs(const char *dir)
{
	char path[600];
	const char *names[] = {"port", "vctrl.log", "server.log", "client.log"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* Throughput (MB/s) of the best of reps transfers of bytes by prog; 0 when one failed. */
static double oop_best(const struct bench_opts *o, const struct oop_prog *prog, const char *vctrl, const char *dir,
		       const struct oop_run *r, uint64_t bytes, int reps, double cpu_best[3])
{
	double best = 0;
	for (int i = 0; i < reps; i++) {
		double cpu[3] = {0, 0, 0}, wall = 0;
		if (oop_case(o, prog, vctrl, dir, r, bytes, cpu, &wall) < 0)
			return 0;
		double mbps = (double)bytes / 1e6 / wall;
		if (mbps > best) {
			best = mbps;
			memcpy(cpu_best, cpu, sizeof(cpu));
		}
	}
	return best;
}

int bench_python(const struct bench_opts *o)
{
	char l2cat[4200], vctrl[4200], script[4200], lib[4300], pypath[4300], libenv[4400];
	const char *why = why_skip(o, l2cat, vctrl, sizeof(l2cat));
	snprintf(script, sizeof(script), "%s/examples/l2pycat.py", o->python_dir);
	snprintf(lib, sizeof(lib), "%s/../libl2kit.so", o->bindir);
	if (!why && access(o->python, X_OK) != 0)
		why = "no Python interpreter (--python)";
	if (!why && access(script, R_OK) != 0)
		why = "the l2kit Python package is not there (--python-dir)";
	if (!why && access(lib, R_OK) != 0)
		why = "the shared library (libl2kit.so) is not built";
	int reps = o->quick ? 1 : 3;
	printf("\n8. Python: the l2kit package's sockets (python/examples/l2pycat.py: one process sends\n"
	       "   %.0f MB in ERTM SDUs, one receives with recv_into) against two l2cat in the same run,\n"
	       "   vctrl over TCP loopback, profile 'unlimited'; best of %d, MB/s; goal: Python >= 0.5 x l2cat.\n\n",
	       (double)o->oop_bytes / 1e6, reps);
	bj_obj("python");
	if (why) {
		printf("   skipped: %s\n", why);
		bj_str("skipped", why);
		bj_end();
		return 0;
	}
	char dir[] = "/tmp/l2bench.XXXXXX";
	if (!mkdtemp(dir)) {
		printf("   skipped: no temporary directory\n");
		bj_str("skipped", "no temporary directory");
		bj_end();
		return 0;
	}
	/* the children find the package and this build's library */
	snprintf(pypath, sizeof(pypath), "PYTHONPATH=%s", o->python_dir);
	snprintf(libenv, sizeof(libenv), "L2KIT_LIBRARY=%s", lib);
	char *env[] = {pypath, libenv, NULL};
	struct oop_prog py = {.argv = {(char *)o->python, script}, .n = 2, .env = env};
	struct oop_prog c = {.argv = {l2cat}, .n = 1};
	static const struct oop_run runs[] = {{"ertm", false, 65535}, {"ertm", false, 672}};
	printf("%-6s %6s %12s %12s %7s %16s %18s\n", "mode", "SDU", "l2cat MB/s", "Python MB/s", "ratio",
	       "Py sender s/MB", "Py receiver s/MB");
	bj_str("mode", "ertm");
	bj_str("python", o->python);
	bj_arr("runs");
	int failures = 0;
	double ratio64k = -1;
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		uint64_t bytes = o->oop_bytes / runs[i].sdu * runs[i].sdu;
		double cc[3] = {0, 0, 0}, pc[3] = {0, 0, 0};
		double lc = oop_best(o, &c, vctrl, dir, &runs[i], bytes, reps, cc);
		double pm = lc > 0 ? oop_best(o, &py, vctrl, dir, &runs[i], bytes, reps, pc) : 0;
		if (lc <= 0 || pm <= 0) {
			printf("%-6s %6lu FAILED (%s; logs in %s)\n", runs[i].mode, runs[i].sdu, lc <= 0 ? "l2cat" : "Python", dir);
			failures++;
			continue;
		}
		double mb = (double)bytes / 1e6;
		printf("%-6s %6lu %12.1f %12.1f %7.2f %16.5f %18.5f\n", runs[i].mode, runs[i].sdu, lc, pm, pm / lc,
		       pc[0] / mb, pc[1] / mb);
		fflush(stdout);
		if (runs[i].sdu == 65535)
			ratio64k = pm / lc;
		bj_obj(NULL);
		bj_int("sdu", (long long)runs[i].sdu);
		bj_int("bytes", (long long)bytes);
		bj_num("l2cat_MBps", lc);
		bj_num("python_MBps", pm);
		bj_num("ratio", pm / lc);
		bj_num("python_sender_cpu_s_per_MB", pc[0] / mb);
		bj_num("python_receiver_cpu_s_per_MB", pc[1] / mb);
		bj_num("l2cat_sender_cpu_s_per_MB", cc[0] / mb);
		bj_num("l2cat_receiver_cpu_s_per_MB", cc[1] / mb);
		bj_end();
	}
	bj_end();
	bj_end();
	if (ratio64k >= 0) {
		bj_num("python_vs_l2cat_ratio", ratio64k);
		printf("\n   Python / l2cat with 64 KiB SDUs: %.2f (goal >= 0.5: %s)\n", ratio64k,
		       ratio64k >= 0.5 ? "met" : "NOT MET");
		if (ratio64k < 0.5)
			failures++;
	}
	if (!failures)
		rm_logs(dir);
	return failures ? -1 : 0;
}
