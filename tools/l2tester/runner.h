/* Running l2tester's cases (lt.h): in-process against l2kit on a simulated air and a virtual
 * clock, or on a real transport against any IUT through a backend (agent, command hook,
 * terminal prompt).  Public l2kit API only. */
#ifndef L2TESTER_RUNNER_H
#define L2TESTER_RUNNER_H

#include "tools/l2tester/lt.h"

struct lt_result {
	enum lt_verdict verdict;
	char reason[512];
	char *log;    /* the case's frames and actions (malloc'd; lt_result_free) */
	uint64_t ms;  /* how long it took (the run's clock) */
};
void lt_result_free(struct lt_result *r);

struct lt_run_opts {
	const char *btsnoop; /* capture of the tester's HCI traffic (NULL: none) */
	bool verbose;	     /* frames to stderr as they go */
	uint16_t psm;	     /* the IUT's PSM / SPSM (0: the case's default) */
	/* in-process only: a defect of the IUT's engine (l2k_test_defect), NULL: none */
	const char *iut_defect;
	/* in-process only: the IUT answers every BR/EDR Connection Request "pending" (result
	 * 0x0001, Vol 3 Part A 4.3) before its success, as a kernel does while its own Information
	 * Request is outstanding: every "listen" gets accept=pending unless it names accept= */
	bool iut_pending;
	/* a case still running after this long (ms; the virtual clock in-process) ends
	 * inconclusive, "ran past its time bound" (0: no bound) */
	uint32_t case_limit_ms;
};

/* A fresh air with two controllers (BR/EDR or LE as the case needs), an l2kit IUT obeying the
 * control protocol in-process, the tester, a link: runs c and fills *res.  0, or an error
 * (set-up failed: *res is inconclusive with the reason). */
int lt_run_inproc(const struct lt_case *c, const struct lt_run_opts *o, struct lt_result *res);

/* Shared by runner.c (in-process) and runner_real.c (real transports; POSIX only, not in the
 * Windows build): a case's verdict, reason and log into *res; the PSM a case uses by default. */
void lt_take_result(struct lt *t, struct lt_result *res, uint64_t ms);
uint16_t lt_default_psm(const struct lt_case *c, bool le);

/* The tester's stack on spec (opened per case, so each case has its own capture and a fresh
 * link), the IUT at iut/type driven through b: runs c and fills *res. */
int lt_run_real(const struct lt_case *c, const char *spec, const l2k_addr *iut, enum l2k_addr_type type,
		struct lt_iut_backend *b, const struct lt_run_opts *o, struct lt_result *res);

/* Backends for lt_run_real.  agent: "unix:PATH" (0 or an error with why); cmd: a shell command
 * run per action; prompt: the terminal (inconclusive when stdin is not a terminal). */
int lt_backend_agent(const char *where, struct lt_iut_backend *b, char *why, size_t wn);
void lt_backend_cmd(const char *cmd, struct lt_iut_backend *b);
void lt_backend_prompt(struct lt_iut_backend *b);
void lt_backend_close(struct lt_iut_backend *b);
/* What an agent's "err REASON" line means: L2K_ENOTSUP ("the IUT cannot do this": the case is
 * inconclusive with the reason) for "unknown request ...", "not supported: ..." and a mode
 * "not built" in; L2K_EIO (the action failed) for any other reason. */
int lt_agent_err(const char *line);
/* The agent's address of the IUT ("hello", its addr= field): 0, or an error. */
int lt_backend_hello(struct lt_iut_backend *b, l2k_addr *addr, char *why, size_t wn);

#endif
