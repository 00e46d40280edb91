/* l2cat internals: the settings (struct cfg), one open channel's state (struct conn), and what
 * tools/l2cat.c (options, stack, main), tools/l2cat/io.c (moving the data) and
 * tools/l2cat/conn.c (a channel's start, verdict and end) call of each other.
 * Only tools/l2cat.c and the files of tools/l2cat/ use this header. */
#ifndef L2K_L2CAT_H
#define L2K_L2CAT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/l2kit.h"

#define PROG "l2cat"
#define RXBUF 65536
#define MAXCH 5 /* channels of one Credit Based Connection Request (Vol 3 Part A 4.25) */

enum source { SRC_STDIN, SRC_PATTERN, SRC_NONE };
enum sink { SINK_STDOUT, SINK_DISCARD, SINK_VERIFY, SINK_ECHO };

struct cfg {
	const char *spec, *snoop;
	enum l2k_mode mode;
	bool mode_set, le;
	struct l2k_chan_opts opts;
	bool listen, keep, verbose;
	uint16_t psm;
	enum source src;
	enum sink snk;
	unsigned long send_n, size;
	bool size_set;
	unsigned long rate; /* bytes per second sent at most (0: as fast as the channel takes) */
	int timeout_ms;
	l2k_addr peer;
	enum l2k_addr_type ptype;
	int nchan;		  /* --channels (ECFC) */
	const char *out_prefix;	  /* -o: channel i's data to PREFIX.i */
	unsigned long reconf_mtu; /* --reconfigure-mtu (0: none) */
	unsigned long reconf_mps; /* --reconfigure-mps (0: keep) */
	unsigned long reconf_at;  /* --reconfigure-at: bytes moved before it */
};

struct conn {
	const struct cfg *c;
	struct cfg cc; /* c with this channel's --size settled */
	int idx, n;    /* channel idx of n */
	l2k_stack *s;
	l2k_sock *sk;
	int out_fd;    /* where received data goes (SINK_STDOUT) */
	uint64_t t0;
	bool ok;
	struct l2k_chan_info ci;
	pthread_t rx;
	int done_r, done_w; /* the receiver ended (wakes a writer blocked on stdin) */
	pthread_mutex_t m;
	pthread_cond_t cv;
	/* the receiver's counters (under m) */
	uint64_t rx_sdus, rx_bytes, echo_sdus, echo_bytes, bad, stalls;
	bool rx_ended, out_err;
	int rx_err, echo_err;
	volatile bool stop;
	/* the writer's */
	uint64_t tx_sdus, tx_bytes;
	int tx_err;
};

/* ---- io.c: the data ------------------------------------------------------------------------ */

/* Bytes sent and received on every channel so far (--reconfigure-at). */
extern atomic_ullong moved;

/* A channel's receiver thread (arg: its struct conn): received SDUs to the sink until the end
 * of the stream, an error or k->stop; then rx_ended, and a byte on done_w. */
void *rx_main(void *arg);
/* stdin to SDUs on each of n channels (every one carries a full copy). */
void feed_stdin(struct conn *ks, int n);
/* --send: c->send_n patterned SDUs of c->size bytes on one channel. */
void feed_pattern(struct conn *k);
/* feed_pattern as a thread (arg: the struct conn). */
void *feed_main(void *arg);
/* --verify: wait until every echo came back, the channel ended, or no echo came for timeout_ms. */
void wait_echoes(struct conn *k);
/* Receive only / echo: wait until the receivers ended (or one failed). */
void wait_receivers(struct conn *ks, int n);

/* ---- conn.c: the channels ------------------------------------------------------------------ */

/* An error that means the channel ended (its verdict comes from l2k_shutdown). */
bool is_end_error(long r);
/* A channel error with its detail (tool_chan_error, credit based result codes for ECFC). */
void chan_error(char *msg, size_t len, int err, const struct l2k_chan_info *ci);
/* n open channels (1, or up to MAXCH enhanced credit based ones) from start to end: the data,
 * the reconfiguration, the verdict.  Every socket is released.  True when everything went right;
 * *why_out: how the channels ended. */
bool serve(const struct cfg *c, l2k_stack *s, l2k_sock **sks, int n, enum l2k_close_reason *why_out);

#endif
