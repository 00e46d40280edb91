/* l2bench section 5: out of process.  vctrl serves simulated controllers over TCP on the
 * loopback (profile 'unlimited': no air time), one l2cat listens and discards, another sends
 * patterned SDUs; each process's CPU time (user + system, from wait4) per MB moved. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/bench/bench.h"
#include "tools/common/tool.h"

struct child {
	pid_t pid;
	struct rusage ru;
	int status;
	bool done;
};

/* Start argv[0] with stdin from /dev/null, stdout to /dev/null and stderr to errpath. */
static int spawn(struct child *c, char *const argv[], const char *errpath)
{
	memset(c, 0, sizeof(*c));
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY), out = open("/dev/null", O_WRONLY);
		int err = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (in < 0 || out < 0 || err < 0)
			_exit(127);
		dup2(in, 0);
		dup2(out, 1);
		dup2(err, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	c->pid = pid;
	return 0;
}

/* Wait for the child until deadline (bench_wall_s clock); false on timeout, and at once when
 * SIGINT / SIGTERM came (the children are then stopped). */
static bool reap_until(struct child *c, double deadline, bool interruptible)
{
	while (!c->done) {
		pid_t r = wait4(c->pid, &c->status, WNOHANG, &c->ru);
		if (r == c->pid) {
			c->done = true;
			break;
		}
		if (r < 0 && errno != EINTR)
			return false;
		if (bench_wall_s() > deadline || (interruptible && tool_signal()))
			return false;
		usleep(2000);
	}
	return true;
}

static bool reap(struct child *c, double deadline)
{
	return reap_until(c, deadline, true);
}

static void stop(struct child *c)
{
	if (c->pid > 0 && !c->done) {
		kill(c->pid, SIGTERM);
		if (!reap_until(c, bench_wall_s() + 5, false)) {
			kill(c->pid, SIGKILL);
			reap_until(c, bench_wall_s() + 5, false);
		}
	}
}

static double cpu_of(const struct child *c)
{
	return (double)c->ru.ru_utime.tv_sec + c->ru.ru_utime.tv_usec / 1e6 + (double)c->ru.ru_stime.tv_sec +
	       c->ru.ru_stime.tv_usec / 1e6;
}

/* Wait until the file contains the text; with out != NULL copy the 17 characters after it. */
static bool wait_for(const char *path, const char *text, char *out, double deadline)
{
	while (bench_wall_s() < deadline && !tool_signal()) {
		FILE *f = fopen(path, "r");
		if (f) {
			char line[512];
			while (fgets(line, sizeof(line), f)) {
				char *p = strstr(line, text);
				if (p) {
					if (out) {
						snprintf(out, 18, "%s", p + strlen(text));
					}
					fclose(f);
					return true;
				}
			}
			fclose(f);
		}
		usleep(5000);
	}
	return false;
}

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

static int oop_case(const struct bench_opts *o, const char *l2cat, const char *vctrl, const char *dir,
		    const struct oop_run *r, uint64_t bytes, double cpu[3], double *wall)
{
	char portf[512], vlog[512], slog[512], clog[512], port[32] = "", spec[64], addr[18] = "";
	snprintf(portf, sizeof(portf), "%s/port", dir);
	snprintf(vlog, sizeof(vlog), "%s/vctrl.log", dir);
	snprintf(slog, sizeof(slog), "%s/server.log", dir);
	snprintf(clog, sizeof(clog), "%s/client.log", dir);
	unlink(portf);
	struct child v, s, c;
	memset(&s, 0, sizeof(s));
	memset(&c, 0, sizeof(c));
	char *va[] = {(char *)vctrl, "--listen", "tcp:127.0.0.1:0", "--port-file", portf, "--profile", "unlimited",
		      "--type", "dual", NULL};
	if (spawn(&v, va, vlog) < 0)
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
	char *sa[] = {(char *)l2cat, "-t", spec, "-m", (char *)r->mode, "--mtu", mtu, "--sink", "-v", "-l", (char *)psm, NULL};
	if (spawn(&s, sa, slog) < 0 || !wait_for(vlog, "connected", NULL, bench_wall_s() + 10) ||
	    !wait_for(vlog, "controller ", addr, bench_wall_s() + 10) ||
	    !wait_for(slog, "listening on", NULL, bench_wall_s() + 10)) {
		fprintf(stderr, "l2bench: the receiving l2cat did not come up (see %s, %s)\n", slog, vlog);
		goto out;
	}
	snprintf(peer, sizeof(peer), "%s%s", addr, r->le ? "/le-public" : "");
	char *ca[] = {(char *)l2cat, "-t", spec, "-m", (char *)r->mode, "--send", n, "--size", size, "-v", peer, (char *)psm, NULL};
	double w0 = bench_wall_s();
	if (spawn(&c, ca, clog) < 0 || !reap(&c, w0 + 300) || !reap(&s, bench_wall_s() + 30)) {
		fprintf(stderr, "l2bench: the transfer did not finish in time (see %s, %s)\n", clog, slog);
		goto out;
	}
	*wall = bench_wall_s() - w0;
	if (!WIFEXITED(c.status) || WEXITSTATUS(c.status) != 0 || !WIFEXITED(s.status) || WEXITSTATUS(s.status) != 0) {
		fprintf(stderr, "l2bench: l2cat failed (exit %d / %d; see %s, %s)\n", WEXITSTATUS(c.status),
			WEXITSTATUS(s.status), clog, slog);
		goto out;
	}
	char got[64];
	snprintf(got, sizeof(got), "received %llu bytes", (unsigned long long)(bytes / sdu * sdu));
	if (!wait_for(slog, got, NULL, bench_wall_s() + 1)) {
		fprintf(stderr, "l2bench: the receiver did not report %s (see %s)\n", got, slog);
		goto out;
	}
	rc = 0;
out:
	stop(&c);
	stop(&s);
	stop(&v);
	cpu[0] = cpu_of(&c);
	cpu[1] = cpu_of(&s);
	cpu[2] = cpu_of(&v);
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
		if (oop_case(o, l2cat, vctrl, dir, &runs[i], bytes, cpu, &wall) < 0) {
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
	if (!failures) {
		char path[600];
		const char *names[] = {"port", "vctrl.log", "server.log", "client.log"};
		for (size_t i = 0; i < 4; i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			unlink(path);
		}
		rmdir(dir);
	}
	return failures ? -1 : 0;
}
