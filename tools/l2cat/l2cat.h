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

#include <l2kit/l2kit.h>
#include "tools/common/security.h"

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
	bool no_discoverable; /* --no-discoverable: a BR/EDR listener stays out of inquiries */
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
	uint32_t watchdog_ms;	  /* --watchdog (0: the stack's default) */
	struct tool_sec sec;	  /* --security, --io-cap, --keys ... */
};

/* Why a --send writer stopped before sending all its SDUs. */
enum feed_end { FEED_ALL, FEED_ERROR, FEED_ENDED, FEED_NO_ECHO, FEED_HALTED };

struct conn {
	const struct cfg *c;
	struct cfg cc; /* c with this channel's --size settled */
	int idx, n;    /* channel idx of n (listening: the slot, n = --channels) */
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
	uint64_t rx_sdus, rx_bytes, echo_sdus, echo_bytes, bad;
	bool rx_ended, out_err;
	int rx_err, echo_err;
	volatile bool stop;
	/* the writer's */
	uint64_t tx_sdus, tx_bytes;
	int tx_err;
	enum feed_end feed_end;
	volatile bool halt; /* interrupted (SIGINT / SIGTERM): writers and waits stop at once */
	int ev_w;	    /* a byte here when the receiver or the --send thread ended (-1: none) */
	/* --send: its thread (the writer, the wait for echoes, l2k_shutdown), then done */
	pthread_t drv;
	bool drv_started;
	atomic_bool drv_done;
	int shut_v; /* l2k_shutdown's result, when the --send thread made it */
};

/* ---- io.c: the data ------------------------------------------------------------------------ */

/* Bytes sent and received on every channel so far (--reconfigure-at). */
extern atomic_ullong moved;

/* A channel's receiver thread (arg: its struct conn): received SDUs to the sink until the end
 * of the stream, an error or k->stop; then rx_ended, and a byte on done_w and on ev_w. */
void *rx_main(void *arg);
/* "channel 2: " when several channels are served, "" otherwise. */
const char *chan_tag(const struct conn *k, char *buf, size_t len);
/* Send one SDU, waiting for room but giving up (L2K_EINTR) once k->halt is set or SIGINT /
 * SIGTERM came. */
long send_sdu(struct conn *k, const void *buf, size_t len);
/* stdin: one read (at most the smallest peer MTU of the n channels) sent on each of them (every
 * channel carries a copy of what is read while it is open).  A channel whose send failed gets
 * its tx_err and is left out from then on (*gone[i] set).  Returns the bytes read, 0 at the end
 * of stdin, -1 when reading failed. */
long feed_stdin_once(struct conn **ks, int n, bool *gone, uint8_t *buf, uint64_t t0, uint64_t *fed);
/* --send: c->send_n patterned SDUs of c->size bytes on one channel; k->feed_end says why it
 * stopped. */
void feed_pattern(struct conn *k);
/* --verify: wait until every echo came back, the channel ended, k->halt, or no echo came for
 * timeout_ms. */
void wait_echoes(struct conn *k);

/* ---- conn.c: the channels ------------------------------------------------------------------ */

/* An error that means the channel ended (its verdict comes from l2k_shutdown). */
bool is_end_error(long r);
/* A channel error with its detail (tool_chan_error, credit based result codes for ECFC). */
void chan_error(char *msg, size_t len, int err, const struct l2k_chan_info *ci);
/* The channels from start to end: the data, the reconfiguration, the verdicts.  Connecting:
 * the n open sockets sks.  Listening (*lsp, sks NULL): the channels the listener accepts, each
 * served as soon as it opens, at most c->nchan at once; without -k until the first ones ended,
 * with -k until a signal.  SIGINT / SIGTERM end every channel gracefully (and close the
 * listener).  Every socket is released.  True when everything went right; *why_out: how the
 * channels ended (link lost if one did, else the first one's reason). */
bool serve(const struct cfg *c, l2k_stack *s, l2k_sock **lsp, l2k_sock **sks, int n,
	   enum l2k_close_reason *why_out);

#endif
