/* l2bench internals: a world of l2kit hosts on one simulated air driven by a virtual clock,
 * flows that move counted SDUs over channels, CPU and memory probes, the results writer, and
 * the measurements (host cost, link utilisation, latency, scale, out of process, CRC, fairness).
 * Only tools/l2bench.c and the files of tools/bench/ use this header. */
#ifndef L2K_BENCH_H
#define L2K_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <l2kit/l2kit.h>

#define BW_MAX_STACKS 40
#define BENCH_MAX_SDU 65535

/* ---- options shared by every section ------------------------------------------------------ */

struct bench_opts {
	double seconds;	      /* CPU seconds aimed at per host-cost case */
	int reps;	      /* repetitions per host-cost case (median kept) */
	uint64_t util_bytes;  /* bytes per link-utilisation case */
	uint64_t scale_bytes; /* bytes per scale case (all channels together) */
	uint64_t oop_bytes;   /* out-of-process transfer */
	int lat_iters;	      /* round trips per latency case */
	bool quick;
	const char *mode;   /* only this mode label ("basic", "le", "ecfc-le" ...; NULL: all) */
	unsigned long sdu;  /* only this SDU size (0: all) */
	unsigned scale_chans, scale_links; /* scale: only this configuration (0: all) */
	uint64_t cost_bytes; /* host cost: exactly this many bytes per run, no calibration (0: by time) */
	const char *bindir; /* where vctrl and l2cat live */
	const char *python;	/* the Python interpreter (section python) */
	const char *python_dir; /* the package's folder (python/: l2kit/ and examples/) */
	const char *outdir;
	uint64_t ctrl_bytes;	   /* controller-link transfer (section 9) */
	const char *self;	   /* this program (section 9 runs it inside btvirt_script) */
	const char *btvirt_script; /* tests/with_btvirt.sh */
	const char *ctrl_logdir;   /* --ctrl-inner: where the runs' logs go */
};

/* ---- the world: hosts on one air -------------------------------------------------------- */

struct bworld {
	struct l2k_vclock vc;
	l2k_stack *st[BW_MAX_STACKS];
	l2k_addr addr[BW_MAX_STACKS];
	int n;
	bool le;
	char air[32];
	int groups; /* groups made on this world (each serves its own PSM) */
};

/* Open n stacks of the given type ("le", "bredr", "dual") on a fresh air with profile and any
 * extra "k=v" sim keys (NULL: none); wait until each is ready.  Peers 1..n-1 are connectable
 * (LE: advertising).  0, or -1 after printing why. */
int bw_open(struct bworld *w, int n, const char *type, const char *profile, const char *extra);
void bw_close(struct bworld *w);
/* Step the world's stacks: see l2k_sim_run_until.  L2K_EINTR once SIGINT / SIGTERM came. */
int bw_run(struct bworld *w, bool (*done)(void *), void *arg, uint64_t max_ms);

/* ---- flows: counted SDUs from host 0 to a peer ------------------------------------------- */

struct bgroup;

struct bflow {
	struct bgroup *g;
	uint32_t idx;
	int peer;	    /* index of the receiving stack */
	l2k_chan *tx;	    /* on host 0 */
	l2k_chan *rx;	    /* on the peer (accepted) */
	uint64_t total;	    /* bytes to send (0: only echo) */
	uint64_t sent, received;
	uint32_t seq_tx, seq_rx;
	bool open, closed;
	enum l2k_close_reason why;
	struct l2k_chan_info info;
};

struct bgroup {
	struct bworld *w;
	struct bflow *f;
	uint32_t nflows;
	enum l2k_mode mode;
	size_t sdu;
	struct l2k_chan_opts opts;
	uint16_t psm;
	/* totals */
	uint64_t total, received, rx_sdus, bad;
	uint32_t opened, closed, failed;
	/* echo (latency): the peer sends every SDU back, host 0 counts them */
	bool echo;
	uint64_t echoed;
	/* opening in waves: at most this many channels connecting per link at once */
	uint32_t open_limit; /* flows [0, open_limit) may be opened */
	uint32_t connecting[BW_MAX_STACKS];
	uint32_t max_connecting;
};

/* Prepare a group of nflows channels of mode from host 0 to the peers (flow i goes to peer
 * 1 + i % (w->n - 1)), each moving bytes_per_flow bytes in SDUs of sdu bytes; registers the
 * servers on the peers.  0 or -1. */
int bg_init(struct bgroup *g, struct bworld *w, enum l2k_mode mode, uint32_t nflows, size_t sdu,
	    uint64_t bytes_per_flow);
/* The same with base as the options of both ends (mode, mode_required and MTU set on top). */
int bg_init_opts(struct bgroup *g, struct bworld *w, enum l2k_mode mode, uint32_t nflows, size_t sdu,
		 uint64_t bytes_per_flow, const struct l2k_chan_opts *base);
void bg_free(struct bgroup *g);
/* Open every channel (ECFC: up to 5 per request) and wait until all are open; the flows do not
 * send yet.  0, or -1 after printing why. */
int bg_open_all(struct bgroup *g);
/* The same for flows [0, n) only (the rest stay closed until a later call). */
int bg_open_n(struct bgroup *g, uint32_t n);
/* Start sending on every flow and run until every byte arrived.  0, or -1 after printing why. */
int bg_transfer(struct bgroup *g, uint64_t max_virtual_ms);
/* Start sending on every flow without running the world (several groups at once: then run it
 * with bw_run). */
void bg_start(struct bgroup *g);
/* Add more bytes to every flow (for repeated measurements on open channels). */
void bg_more(struct bgroup *g, uint64_t bytes_per_flow);
/* Send one SDU of sdu bytes on flow 0 and run until the peer's echo is back: 0 or -1. */
int bg_echo_once(struct bgroup *g);

/* ---- probes -------------------------------------------------------------------------------- */

double bench_cpu_s(void);  /* process CPU time */
double bench_wall_s(void); /* monotonic */
/* Heap bytes in use (malloc'ed, including mmapped blocks), or -1 when unknown. */
long long bench_heap_bytes(void);
/* Resident set size in bytes, or -1. */
long long bench_rss_bytes(void);
/* Seconds of CPU per byte of memcpy in chunks of sdu bytes over total bytes. */
double bench_memcpy_s_per_byte(size_t sdu, uint64_t total);
/* Name of a mode on a link: "basic", "le", "ecfc-le", "ecfc-bredr" ... */
const char *bench_mode_label(enum l2k_mode m, bool le, char *buf, size_t len);
/* Whether the --mode / --sdu filters let this case run. */
bool bench_selected(const struct bench_opts *o, const char *label, size_t sdu);
/* Whether the mode carries SDUs on an LE link in these benches. */
bool bench_mode_le(enum l2k_mode m);

/* ---- child processes (tools/bench/proc.c) ------------------------------------------------- */

#include <sys/resource.h>
#include <sys/types.h>

struct bchild {
	pid_t pid;
	struct rusage ru; /* its CPU time, once reaped */
	int status;
	bool done;
};

/* Start argv[0] (searched in PATH when it has no slash) with stdin from inpath, stdout to
 * outpath (NULL: /dev/null for either) and stderr to errpath, with the "NAME=VALUE" strings of
 * env (NULL-terminated; NULL: none) added to the environment.  0 or -1.  bench_spawn_out: stdin
 * from /dev/null; bench_spawn: stdout to /dev/null too. */
int bench_spawn_io(struct bchild *c, char *const argv[], char *const env[], const char *inpath,
		   const char *outpath, const char *errpath);
int bench_spawn_out(struct bchild *c, char *const argv[], char *const env[], const char *outpath,
		    const char *errpath);
int bench_spawn(struct bchild *c, char *const argv[], char *const env[], const char *errpath);
/* Wait for the child until deadline (bench_wall_s clock); false on timeout, and at once when
 * SIGINT / SIGTERM came. */
bool bench_reap(struct bchild *c, double deadline);
/* SIGTERM (then SIGKILL) a child not yet reaped, and reap it. */
void bench_stop(struct bchild *c);
/* user + system seconds of a reaped child */
double bench_child_cpu(const struct bchild *c);
/* Wait until the file contains the text; with out != NULL copy the 17 characters after it. */
bool bench_wait_for(const char *path, const char *text, char *out, double deadline);

/* ---- results: a JSON document and the printed tables -------------------------------------- */

/* Open the JSON writer on path; every call below adds to it.  Keys are plain ASCII. */
int bj_open(const char *path);
int bj_close(void);
void bj_obj(const char *key); /* key NULL inside an array */
void bj_arr(const char *key);
void bj_end(void);
void bj_num(const char *key, double v);
void bj_int(const char *key, long long v);
void bj_str(const char *key, const char *v);
void bj_bool(const char *key, bool v);

/* ---- sections ------------------------------------------------------------------------------ */

int bench_host_cost(const struct bench_opts *o, FILE *dat);
int bench_link_util(const struct bench_opts *o, FILE *dat);
int bench_latency(const struct bench_opts *o);
int bench_scale(const struct bench_opts *o);
int bench_out_of_process(const struct bench_opts *o);
int bench_crc(const struct bench_opts *o);
int bench_fairness(const struct bench_opts *o);
int bench_python(const struct bench_opts *o);
int bench_pairing(const struct bench_opts *o);
int bench_loss(const struct bench_opts *o); /* tools/bench/loss.c */
int bench_ctrl(const struct bench_opts *o);
/* l2bench --ctrl-inner FILE (inside tests/with_btvirt.sh): the controller link's btvirt cases */
int bench_ctrl_inner(const struct bench_opts *o, const char *path);

#endif
