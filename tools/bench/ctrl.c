/* l2bench section 11: CPU per MB on a controller link.  Two l2cat processes move 10 MB one way
 * in 1000-byte SDUs through a controller that takes one ACL packet at a time: BlueZ's emulator
 * btvirt (BR/EDR, ACL buffers 192 x 1: Basic and ERTM) and vctrl (LE, 'unlimited' profile, LE
 * ACL buffers 251 x 1: LE credit based).  Per process: CPU time (user + system, wait4) per MB,
 * median of 3; and, in separate runs under strace -f -c, system calls per ACL data packet (the
 * packets counted in a btsnoop capture of the other process, so that its writes do not count).
 * The floor for such a controller is about two system calls per packet: write the packet, read
 * the Number Of Completed Packets event (sender); read the packet (receiver) - plus the wait.
 *
 * btvirt serves fixed paths (/tmp/bt-server-bredr), so its runs happen inside
 * tests/with_btvirt.sh (a private /tmp): l2bench runs itself there with --ctrl-inner FILE,
 * which runs the btvirt cases and writes one line per case into FILE for the outer run. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/bench/bench.h"
#include "tools/common/tool.h"

#define CTRL_SDU 1000ul
#define CTRL_REPS 3
#define CTRL_FLOOR 2

struct ctrl_res {
	char ctrl[24], mode[16];
	double bytes, wall, s_cpu, r_cpu;   /* medians */
	double s_sc, r_sc;		    /* system calls per ACL data packet (-1: not measured) */
	double acl;			    /* ACL data packets of the transfer (counted) */
	char counter[8];		    /* what counted the calls: perf, strace ("-": nothing) */
	int lossy;			    /* timed runs whose every try lost data (see PAIR_SHORT) */
};

static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/bin:/bin";
	for (const char *p = path;;) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char f[4200];
		snprintf(f, sizeof(f), "%.*s/%s", (int)n, p, prog);
		if (n && access(f, X_OK) == 0)
			return true;
		if (!e)
			return false;
		p = e + 1;
	}
}

static double median3(double *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int k = i; k > 0 && v[k] < v[k - 1]; k--) {
			double t = v[k];
			v[k] = v[k - 1];
			v[k - 1] = t;
		}
	return v[n / 2];
}

/* ACL packets in a btsnoop capture (datalink H4), in one direction: -1 when unreadable. */
static long long btsnoop_acl(const char *path, bool incoming)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	uint8_t h[24];
	long long n = -1;
	if (fread(h, 1, 16, f) == 16 && !memcmp(h, "btsnoop", 8)) {
		n = 0;
		while (fread(h, 1, 24, f) == 24) {
			uint32_t incl = (uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 | (uint32_t)h[6] << 8 | h[7];
			uint32_t flags = (uint32_t)h[8] << 24 | (uint32_t)h[9] << 16 | (uint32_t)h[10] << 8 | h[11];
			int type = incl ? fgetc(f) : -1;
			if (type == 2 && (flags & 1u) == (incoming ? 1u : 0u))
				n++;
			if (incl > 1 && fseek(f, (long)incl - 1, SEEK_CUR) != 0)
				break;
		}
	}
	fclose(f);
	return n;
}

/* How system calls are counted: perf stat on the raw_syscalls:sys_enter tracepoint (barely
 * slows the process), else strace -f -c (slows it: the other side then finds more packets per
 * read than it would), else not at all. */
enum counter { COUNT_NONE, COUNT_PERF, COUNT_STRACE };

static enum counter pick_counter(const char *dir)
{
	if (in_path("perf")) {
		char err[4300];
		snprintf(err, sizeof(err), "%s/perf-probe.txt", dir);
		char *argv[] = {"perf", "stat", "-x,", "-e", "raw_syscalls:sys_enter", "-o", "/dev/null", "--", "true", NULL};
		struct bchild c;
		if (bench_spawn(&c, argv, NULL, err) == 0 && bench_reap(&c, bench_wall_s() + 20) && WIFEXITED(c.status) &&
		    WEXITSTATUS(c.status) == 0) {
			unlink(err);
			return COUNT_PERF;
		}
		bench_stop(&c);
		unlink(err);
	}
	return in_path("strace") ? COUNT_STRACE : COUNT_NONE;
}

/* The number of calls in the counter's output file, or -1: perf stat -x, gives
 * "COUNT,,raw_syscalls:sys_enter,..."; strace -c ends with a "total" line. */
static long long calls_counted(enum counter how, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char line[512];
	long long calls = -1;
	while (fgets(line, sizeof(line), f)) {
		if (how == COUNT_PERF) {
			if (strstr(line, "raw_syscalls:sys_enter") && line[0] >= '0' && line[0] <= '9')
				calls = atoll(line);
			continue;
		}
		char *tok[8];
		int nt = 0;
		for (char *t = strtok(line, " \t\n"); t && nt < 8; t = strtok(NULL, " \t\n"))
			tok[nt++] = t;
		if (nt >= 5 && !strcmp(tok[nt - 1], "total"))
			calls = atoll(tok[3]);
	}
	fclose(f);
	return calls;
}

/* pair(): the receiver got less than was sent.  btvirt drops what a host does not read before
 * its socket to that host fills (about 150 ACL packets, a few ms of this transfer), and Basic
 * mode has no flow control to stop the sender: a receiver held off the CPU that long on a
 * loaded machine loses data (the l2kit of before this benchmark did too).  Such a run is made
 * again, at most CTRL_TRIES times in all; when every try lost some, the last one counts, its
 * receiver's CPU per MB it got, and the row says so. */
#define PAIR_SHORT (-2)
#define CTRL_TRIES 3

/* One transfer: the listener on spec, the sender to it.  wrap_s / wrap_r: argv prefixes (strace)
 * or NULL; snoop_s / snoop_r: btsnoop paths or NULL.  Fills cpu[2] (sender, receiver), wall. */
static int pair(const struct bench_opts *o, const char *dir, const char *spec, const char *mode, bool le,
		uint64_t bytes, char *const *wrap_s, char *const *wrap_r, const char *snoop_s, const char *snoop_r,
		double cpu[2], double *wall, double *got_bytes)
{
	char l2cat[4200], slog[4300], clog[4300], n[24], size[24], addr[18] = "", peer[40];
	snprintf(l2cat, sizeof(l2cat), "%s/l2cat", o->bindir);
	snprintf(slog, sizeof(slog), "%s/server.log", dir);
	snprintf(clog, sizeof(clog), "%s/client.log", dir);
	unlink(slog); /* (bench_wait_for must not find the last run's lines) */
	unlink(clog);
	snprintf(size, sizeof(size), "%lu", CTRL_SDU);
	snprintf(n, sizeof(n), "%llu", (unsigned long long)(bytes / CTRL_SDU));
	const char *psm = le ? "0x0081" : "0x1001";
	char *sa[24], *ca[24];
	int k = 0;
	for (int i = 0; wrap_r && wrap_r[i]; i++)
		sa[k++] = wrap_r[i];
	char *sargs[] = {l2cat, "-t", (char *)spec, "-m", (char *)mode, "--mtu", size, "--sink", "-v", "-l", (char *)psm, NULL};
	for (int i = 0; sargs[i]; i++)
		sa[k++] = sargs[i];
	if (snoop_r) {
		sa[k++] = "--btsnoop";
		sa[k++] = (char *)snoop_r;
	}
	sa[k] = NULL;
	struct bchild s, c;
	memset(&c, 0, sizeof(c));
	int rc = -1;
	if (bench_spawn(&s, sa, NULL, slog) < 0)
		return -1;
	if (!bench_wait_for(slog, "listening on", NULL, bench_wall_s() + 20) ||
	    !bench_wait_for(slog, "l2cat: controller ", addr, bench_wall_s() + 1)) {
		fprintf(stderr, "l2bench: the receiving l2cat did not come up (see %s)\n", slog);
		goto out;
	}
	snprintf(peer, sizeof(peer), "%s%s", addr, le ? "/le-public" : "");
	k = 0;
	for (int i = 0; wrap_s && wrap_s[i]; i++)
		ca[k++] = wrap_s[i];
	char *cargs[] = {l2cat, "-t", (char *)spec, "-m", (char *)mode, "--send", n, "--size", size, "-v", peer, (char *)psm, NULL};
	for (int i = 0; cargs[i]; i++)
		ca[k++] = cargs[i];
	if (snoop_s) {
		ca[k++] = "--btsnoop";
		ca[k++] = (char *)snoop_s;
	}
	ca[k] = NULL;
	double w0 = bench_wall_s();
	if (bench_spawn(&c, ca, NULL, clog) < 0 || !bench_reap(&c, w0 + 600) || !bench_reap(&s, bench_wall_s() + 30)) {
		fprintf(stderr, "l2bench: the transfer did not finish in time (see %s, %s)\n", clog, slog);
		goto out;
	}
	*wall = bench_wall_s() - w0;
	char got[64];
	snprintf(got, sizeof(got), "received %llu bytes", (unsigned long long)(bytes / CTRL_SDU * CTRL_SDU));
	*got_bytes = (double)(bytes / CTRL_SDU * CTRL_SDU);
	if (!bench_wait_for(slog, got, NULL, bench_wall_s() + 1)) {
		/* (when what btvirt dropped was the Disconnection Request, both exit 1: the sender
		 * gets no answer, the receiver loses the link) */
		char rn[24] = "";
		*got_bytes = bench_wait_for(slog, "SDUs, received ", rn, bench_wall_s() + 1) ? strtod(rn, NULL) : 0;
		fprintf(stderr, "l2bench: the receiver got %.0f of %llu bytes (see %s)\n", *got_bytes,
			(unsigned long long)(bytes / CTRL_SDU * CTRL_SDU), slog);
		rc = *got_bytes > 0 ? PAIR_SHORT : -1;
		goto out;
	}
	if (!WIFEXITED(c.status) || WEXITSTATUS(c.status) != 0 || !WIFEXITED(s.status) || WEXITSTATUS(s.status) != 0) {
		fprintf(stderr, "l2bench: l2cat failed (exit %d / %d; see %s, %s)\n", WEXITSTATUS(c.status),
			WEXITSTATUS(s.status), clog, slog);
		if (bench_wait_for(clog, "did not answer the disconnection", NULL, bench_wall_s() + 1))
			rc = PAIR_SHORT; /* all the data came, btvirt dropped the Disconnection Request */
		goto out;
	}
	rc = 0;
out:
	bench_stop(&c);
	bench_stop(&s);
	cpu[0] = bench_child_cpu(&c);
	cpu[1] = bench_child_cpu(&s);
	return rc;
}

/* The runs of one case on a controller served at spec. */
static int ctrl_case(const struct bench_opts *o, const char *dir, const char *spec, const char *ctrl, const char *mode,
		     bool le, struct ctrl_res *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->ctrl, sizeof(r->ctrl), "%s", ctrl);
	snprintf(r->mode, sizeof(r->mode), "%s", mode);
	uint64_t bytes = o->ctrl_bytes / CTRL_SDU * CTRL_SDU;
	r->bytes = (double)bytes;
	int reps = o->quick ? 1 : CTRL_REPS;
	double sc[CTRL_REPS], rc[CTRL_REPS], wl[CTRL_REPS];
	for (int i = 0; i < reps; i++) {
		double cpu[2], got = 0;
		int pr = PAIR_SHORT;
		for (int t = 0; t < CTRL_TRIES && pr == PAIR_SHORT && !tool_signal(); t++)
			pr = pair(o, dir, spec, mode, le, bytes, NULL, NULL, NULL, NULL, cpu, &wl[i], &got);
		if (pr == PAIR_SHORT) {
			r->lossy++; /* every try lost some: this one counts, per MB the receiver got */
			cpu[1] *= (double)bytes / got;
		} else if (pr < 0) {
			return -1;
		}
		sc[i] = cpu[0];
		rc[i] = cpu[1];
	}
	r->s_cpu = median3(sc, reps);
	r->r_cpu = median3(rc, reps);
	r->wall = median3(wl, reps);
	r->s_sc = r->r_sc = -1;
	enum counter how = pick_counter(dir);
	if (how == COUNT_NONE)
		return 0;
	/* Counting runs, separate from the timed ones: a tenth and a fifth of the bytes; the
	 * difference of the two counts over the difference of the ACL data packets is the cost per
	 * packet without the bring-up and the end (a few hundred calls each). */
	char cf[4300], sn[4300];
	snprintf(cf, sizeof(cf), "%s/calls.txt", dir);
	snprintf(sn, sizeof(sn), "%s/snoop.btsnoop", dir);
	char *perf[] = {"perf", "stat", "-x,", "-e", "raw_syscalls:sys_enter", "-o", cf, "--", NULL};
	char *strace[] = {"strace", "-f", "-c", "-o", cf, NULL};
	char *const *wrap = how == COUNT_PERF ? perf : strace;
	double cpu[2], w;
	for (int side = 0; side < 2; side++) {
		long long calls[2] = {-1, -1}, acl[2] = {-1, -1};
		for (int k = 0; k < 2; k++) {
			uint64_t cbytes = bytes / (k ? 5 : 10) / CTRL_SDU * CTRL_SDU;
			int pr = PAIR_SHORT;
			double got;
			for (int t = 0; t < CTRL_TRIES && pr == PAIR_SHORT && !tool_signal(); t++) {
				unlink(cf);
				unlink(sn);
				pr = pair(o, dir, spec, mode, le, cbytes, side == 0 ? wrap : NULL, side == 1 ? wrap : NULL,
					  side == 1 ? sn : NULL, side == 0 ? sn : NULL, cpu, &w, &got);
			}
			if (pr < 0 && pr != PAIR_SHORT)
				return -1;
			calls[k] = calls_counted(how, cf);
			/* the data packets: sent by the sender = received by the receiver, counted in the
			 * other side's capture (its own calls are not counted) */
			acl[k] = btsnoop_acl(sn, side == 0);
		}
		if (calls[0] > 0 && calls[1] > calls[0] && acl[0] > 0 && acl[1] > acl[0]) {
			*(side == 0 ? &r->s_sc : &r->r_sc) = (double)(calls[1] - calls[0]) / (double)(acl[1] - acl[0]);
			r->acl = (double)(acl[1] - acl[0]) / (double)(bytes / 10 / CTRL_SDU) * (double)(bytes / CTRL_SDU);
		}
	}
	unlink(cf);
	unlink(sn);
	snprintf(r->counter, sizeof(r->counter), "%s", how == COUNT_PERF ? "perf" : "strace");
	return 0;
}

static void put_line(FILE *f, const struct ctrl_res *r)
{
	fprintf(f, "%s %s %.0f %.6f %.6f %.6f %.4f %.4f %.0f %s %d\n", r->ctrl, r->mode, r->bytes, r->wall, r->s_cpu,
		r->r_cpu, r->s_sc, r->r_sc, r->acl, r->counter[0] ? r->counter : "-", r->lossy);
}

static bool get_line(const char *line, struct ctrl_res *r)
{
	memset(r, 0, sizeof(*r));
	return sscanf(line, "%23s %15s %lf %lf %lf %lf %lf %lf %lf %7s %d", r->ctrl, r->mode, &r->bytes, &r->wall,
		      &r->s_cpu, &r->r_cpu, &r->s_sc, &r->r_sc, &r->acl, r->counter, &r->lossy) == 11;
}

/* Inside tests/with_btvirt.sh: the btvirt cases, one line each into path.  Exit status. */
int bench_ctrl_inner(const struct bench_opts *o, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return 1;
	static const char *const modes[] = {"basic", "ertm"};
	int failed = 0;
	for (size_t i = 0; i < 2; i++) {
		if (o->mode && strcmp(o->mode, modes[i]))
			continue;
		struct ctrl_res r;
		if (ctrl_case(o, o->ctrl_logdir, "unix:/tmp/bt-server-bredr", "btvirt", modes[i], false, &r) < 0) {
			fprintf(f, "FAILED %s\n", modes[i]);
			failed = 1;
			continue;
		}
		put_line(f, &r);
		fflush(f);
	}
	fclose(f);
	return failed;
}

static void print_row(const struct ctrl_res *r, const char *buffers)
{
	double mb = r->bytes / 1e6;
	char s[16] = "-", c[16] = "-";
	if (r->s_sc >= 0)
		snprintf(s, sizeof(s), "%.2f", r->s_sc);
	if (r->r_sc >= 0)
		snprintf(c, sizeof(c), "%.2f", r->r_sc);
	printf("%-7s %-10s %-6s %7.2f %12.4f %14.4f %12s %14s %9.0f  %s", r->ctrl, buffers, r->mode, mb / r->wall,
	       r->s_cpu / mb, r->r_cpu / mb, s, c, r->acl, r->counter[0] ? r->counter : "-");
	if (r->lossy)
		printf("  (%d run%s lost data on every try)", r->lossy, r->lossy > 1 ? "s" : "");
	printf("\n");
	fflush(stdout);
	bj_obj(NULL);
	bj_str("controller", r->ctrl);
	bj_str("acl_buffers", buffers);
	bj_str("mode", r->mode);
	bj_int("sdu", (long long)CTRL_SDU);
	bj_int("bytes", (long long)r->bytes);
	bj_num("wall_s", r->wall);
	bj_num("throughput_MBps", mb / r->wall);
	bj_num("sender_cpu_s_per_MB", r->s_cpu / mb);
	bj_num("receiver_cpu_s_per_MB", r->r_cpu / mb);
	if (r->s_sc >= 0)
		bj_num("sender_syscalls_per_acl_packet", r->s_sc);
	if (r->r_sc >= 0)
		bj_num("receiver_syscalls_per_acl_packet", r->r_sc);
	if (r->acl > 0)
		bj_num("acl_packets", r->acl);
	if (r->s_sc >= 0 || r->r_sc >= 0)
		bj_str("syscalls_counted_by", r->counter);
	bj_int("runs_that_lost_data", r->lossy);
	bj_end();
}

int bench_ctrl(const struct bench_opts *o)
{
	char dir[4200], vctrl[4200], l2cat[4200];
	snprintf(dir, sizeof(dir), "%s/ctrl", o->outdir);
	snprintf(vctrl, sizeof(vctrl), "%s/vctrl", o->bindir);
	snprintf(l2cat, sizeof(l2cat), "%s/l2cat", o->bindir);
	printf("\n11. Controller link: two l2cat processes, %.0f MB one way in %lu-byte SDUs through a\n"
	       "   controller that takes one ACL packet at a time; CPU (user + system) of each process\n"
	       "   per MB, median of %d; system calls per ACL data packet in separate runs (perf stat\n"
	       "   or strace -f -c; the difference between 1/10 and 1/5 of the bytes, so without the\n"
	       "   bring-up).  Floor: about %d calls per packet: the sender writes the packet and reads\n"
	       "   its Number Of Completed Packets, the receiver reads it (and each waits for it: one\n"
	       "   more call when the wait is not the read itself).\n"
	       "   Goal: sender <= 0.10, receiver <= 0.07 CPU s/MB on btvirt.\n\n",
	       (double)o->ctrl_bytes / 1e6, CTRL_SDU, o->quick ? 1 : CTRL_REPS, CTRL_FLOOR);
	bj_obj("controller_link");
	bj_int("syscall_floor_per_acl_packet", CTRL_FLOOR);
	if (access(l2cat, X_OK) != 0 || access(vctrl, X_OK) != 0) {
		printf("   skipped: build/bin/l2cat or vctrl is not built\n");
		bj_str("skipped", "l2cat or vctrl is not built");
		bj_end();
		return 0;
	}
	mkdir(dir, 0777);
	if (!in_path("strace") && !in_path("perf"))
		printf("   (neither perf nor strace is installed: system calls not counted)\n");
	printf("%-7s %-10s %-6s %7s %12s %14s %12s %14s %9s  %s\n", "ctrl", "ACL bufs", "mode", "MB/s", "sender s/MB",
	       "receiver s/MB", "sender sc/ACL", "receiver sc/ACL", "ACL pkts", "counted by");
	bj_arr("runs");
	int failures = 0;
	/* btvirt, in its own /tmp */
	bool want_bredr = !o->mode || !strcmp(o->mode, "basic") || !strcmp(o->mode, "ertm");
	char skip[256] = "";
	if (want_bredr && !tool_signal()) {
		if (!in_path("btvirt"))
			snprintf(skip, sizeof(skip), "btvirt not installed (Debian bluez-test-tools)");
		else if (access(o->btvirt_script, R_OK) != 0)
			snprintf(skip, sizeof(skip), "%s not found (run from the source tree)", o->btvirt_script);
	}
	if (want_bredr && !skip[0] && !tool_signal()) {
		char res[4300], out[4300], err[4300], self[4200];
		snprintf(res, sizeof(res), "%s/btvirt.txt", dir);
		snprintf(out, sizeof(out), "%s/btvirt.out", dir);
		snprintf(err, sizeof(err), "%s/btvirt.err", dir);
		snprintf(self, sizeof(self), "%s", o->self);
		unlink(res);
		char *argv[20];
		int k = 0;
		argv[k++] = "sh";
		argv[k++] = (char *)o->btvirt_script;
		argv[k++] = self;
		argv[k++] = "--ctrl-inner";
		argv[k++] = res;
		argv[k++] = "--bindir";
		argv[k++] = (char *)o->bindir;
		argv[k++] = "--out";
		argv[k++] = dir;
		if (o->quick)
			argv[k++] = "--quick";
		if (o->mode) {
			argv[k++] = "--mode";
			argv[k++] = (char *)o->mode;
		}
		argv[k] = NULL;
		/* tests/with_btvirt.sh gives the run a private /tmp: it keeps $BUILD (and the current
		 * directory) reachable, so the results and logs land where this run finds them */
		char absdir[4300], benv[4400];
		if (!realpath(dir, absdir))
			snprintf(absdir, sizeof(absdir), "%s", dir);
		snprintf(benv, sizeof(benv), "BUILD=%s", absdir);
		char *env[] = {benv, NULL};
		struct bchild c;
		if (bench_spawn_out(&c, argv, env, out, err) < 0 || !bench_reap(&c, bench_wall_s() + 1800)) {
			bench_stop(&c);
			snprintf(skip, sizeof(skip), "interrupted");
		} else if (WIFEXITED(c.status) && WEXITSTATUS(c.status) == 77) {
			/* with_btvirt.sh: "skipped: why" on its stdout */
			FILE *f = fopen(out, "r");
			char line[256] = "";
			if (f) {
				while (fgets(line, sizeof(line), f))
					if (!strncmp(line, "skipped: ", 9))
						break;
				fclose(f);
			}
			line[strcspn(line, "\n")] = 0;
			snprintf(skip, sizeof(skip), "%s", !strncmp(line, "skipped: ", 9) ? line + 9 : "btvirt cannot run here");
		} else {
			FILE *f = fopen(res, "r");
			char line[512];
			int rows = 0;
			while (f && fgets(line, sizeof(line), f)) {
				struct ctrl_res r;
				if (get_line(line, &r)) {
					print_row(&r, "192 x 1");
					rows++;
				} else {
					printf("btvirt  %s", line);
					failures++;
				}
			}
			if (f)
				fclose(f);
			if (!rows && !failures) {
				printf("btvirt  FAILED (see %s, %s)\n", out, err);
				failures++;
			}
		}
	}
	if (skip[0]) {
		printf("btvirt  skipped: %s\n", skip);
		bj_obj(NULL);
		bj_str("controller", "btvirt");
		bj_str("skipped", skip);
		bj_end();
	}
	/* vctrl, LE, one 251-byte LE ACL buffer */
	if ((!o->mode || !strcmp(o->mode, "le")) && !tool_signal()) {
		char sock[4300], vlog[4300], spec[4400];
		snprintf(sock, sizeof(sock), "%s/vctrl.sock", dir);
		snprintf(vlog, sizeof(vlog), "%s/vctrl.log", dir);
		snprintf(spec, sizeof(spec), "unix:%s", sock);
		unlink(sock);
		char *va[] = {vctrl, "--listen", spec, "--type", "le", "--profile", "unlimited", "--acl-mtu", "251",
			      "--acl-count", "1", NULL};
		struct bchild v;
		struct ctrl_res r;
		int rc = -1;
		if (bench_spawn(&v, va, NULL, vlog) == 0) {
			struct stat st;
			for (double t = bench_wall_s() + 10; stat(sock, &st) != 0 && bench_wall_s() < t;)
				usleep(5000);
			rc = ctrl_case(o, dir, spec, "vctrl", "le", true, &r);
			bench_stop(&v);
		}
		if (rc < 0) {
			printf("vctrl   LE         le     FAILED (logs in %s)\n", dir);
			failures++;
		} else {
			print_row(&r, "251 x 1 LE");
		}
	}
	bj_end();
	bj_end();
	return failures ? -1 : 0;
}
