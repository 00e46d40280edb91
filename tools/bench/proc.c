/* l2bench: child processes of the out-of-process sections (5, 8, 10, 11): start, wait with a
 * deadline, stop, their CPU time (from wait4), and waiting for a line in a log file. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/bench/bench.h"
#include "tools/common/tool.h"

int bench_spawn_io(struct bchild *c, char *const argv[], char *const env[], const char *inpath,
		   const char *outpath, const char *errpath)
{
	memset(c, 0, sizeof(*c));
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int in = open(inpath ? inpath : "/dev/null", O_RDONLY);
		int out = open(outpath ? outpath : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int err = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (in < 0 || out < 0 || err < 0)
			_exit(127);
		dup2(in, 0);
		dup2(out, 1);
		dup2(err, 2);
		for (int i = 0; env && env[i]; i++)
			putenv(env[i]);
		execvp(argv[0], argv);
		_exit(127);
	}
	c->pid = pid;
	return 0;
}

int bench_spawn_out(struct bchild *c, char *const argv[], char *const env[], const char *outpath,
		    const char *errpath)
{
	return bench_spawn_io(c, argv, env, NULL, outpath, errpath);
}

int bench_spawn(struct bchild *c, char *const argv[], char *const env[], const char *errpath)
{
	return bench_spawn_out(c, argv, env, NULL, errpath);
}

static bool reap_until(struct bchild *c, double deadline, bool interruptible)
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

bool bench_reap(struct bchild *c, double deadline)
{
	return reap_until(c, deadline, true);
}

void bench_stop(struct bchild *c)
{
	if (c->pid > 0 && !c->done) {
		kill(c->pid, SIGTERM);
		if (!reap_until(c, bench_wall_s() + 5, false)) {
			kill(c->pid, SIGKILL);
			reap_until(c, bench_wall_s() + 5, false);
		}
	}
}

double bench_child_cpu(const struct bchild *c)
{
	return (double)c->ru.ru_utime.tv_sec + c->ru.ru_utime.tv_usec / 1e6 + (double)c->ru.ru_stime.tv_sec +
	       c->ru.ru_stime.tv_usec / 1e6;
}

bool bench_wait_for(const char *path, const char *text, char *out, double deadline)
{
	while (bench_wall_s() < deadline && !tool_signal()) {
		FILE *f = fopen(path, "r");
		if (f) {
			char line[512];
			while (fgets(line, sizeof(line), f)) {
				char *p = strstr(line, text);
				if (p) {
					if (out)
						snprintf(out, 18, "%s", p + strlen(text));
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
