/* The socket face's internals, shared by api/sockface.c (the stack's thread, channel
 * callbacks, socket objects) and api/sockface_calls.c (the socket calls).  Every function here
 * expects the stack mutex held unless it says otherwise. */
#ifndef L2K_SOCKFACE_INT_H
#define L2K_SOCKFACE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "api/sockface.h"
#include "base/l2k_os.h" /* the wake-up pairs (pipes; loopback sockets on Windows) */
#include "api/stack_internal.h"
#include "core/l2cap_int.h"

/* A thread's sleep until another wakes it (api/sockface_drive.c): a semaphore where the C library
 * waits on one with CLOCK_MONOTONIC (glibc), else a mutex and condition variable - also under
 * ThreadSanitizer, which does not see sem_clockwait (its reports would be false). */
#if defined(__SANITIZE_THREAD__)
#define SF_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SF_TSAN 1
#endif
#endif
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 30)) && !defined(SF_TSAN)
#include <semaphore.h>
#define SF_SLEEP_SEM 1
struct sf_sleep {
	sem_t sem;
};
#else
struct sf_sleep {
	pthread_mutex_t m;
	pthread_cond_t cv;
	bool posted; /* under m */
};
#endif

/* The wait on the transport's descriptor and the wakeup pipe (api/sockface_drive.c): one epoll
 * instance per stack where there is epoll (the descriptors stay registered, so a wait costs no
 * registration and removal on every call), else poll(). */
#if defined(__linux__)
#define SF_EPOLL 1
#endif
struct sf_pollset {
	int ep;	  /* the epoll instance (-1: none, poll() is used) */
	int fd;	  /* the transport descriptor registered in it (-1: none) */
	bool out; /* registered for writability too */
};

/* Who ran the engine, and how often the threads were woken (tests, l2bench). */
struct sf_stats {
	uint64_t loop_steps;   /* steps of the loop thread */
	uint64_t caller_steps; /* steps of callers driving the engine while they wait */
	uint64_t handovers;    /* the loop thread gave the descriptors to a waiting caller */
	uint64_t takeovers;    /* ... and took them back from a driver gone for a while */
	uint64_t loop_wakes;   /* the parked loop thread woke (deadline or posted) */
	uint64_t pipe_writes;  /* the wakeup pipe was written */
	uint64_t blocking_reads; /* waits of a driver that were the transport's read itself */
	uint64_t posts;	       /* blocked callers were posted */
};

struct sockface {
	l2k_stack *s;
	pthread_mutex_t lock;
	pthread_t thread;
	bool running; /* the thread runs (between l2k_start and the end of l2k_stop) */
	bool stop;
	int wake_r, wake_w;
	bool wake_pending; /* a byte sits in the wakeup pipe */
	struct sf_pollset ps;
	/* The thread that waits on the descriptors now (the loop thread or the driver), and until
	 * when: a change that would shorten its wait or add writability writes the wakeup pipe,
	 * another does not (sockface_wake). */
	bool polling;
	uint64_t poll_due; /* stack clock, ms */
	bool poll_out;
	/* The driver: a caller blocked in a socket call runs the engine itself while it waits, the
	 * loop thread parked meanwhile (api/sockface_drive.c). */
	const void *drv;  /* the driving thread's token (NULL: the loop thread drives) */
	bool drv_polling; /* it waits on the descriptors now */
	bool drv_blocking; /* ... in the transport's blocking read (wait_input): the pipe cannot wake
			    * it, it looks again within SF_BLOCK_MS */
	bool drv_busy;	   /* its last wait ended with input: the next one reads while it waits */
	uint64_t drv_seq; /* its waits so far */
	uint64_t drv_left; /* when it last stopped waiting (stack clock, ms) */
	struct sf_sleep loop_sl; /* the parked loop thread's sleep */
	bool loop_parked;
	bool loop_long;	   /* parked without a deadline: the driver posts loop_sl when it leaves */
	bool loop_kicked;  /* loop_sl is posted (or about to be) */
	uint64_t loop_due; /* a parked loop thread's deadline (stack clock, ms; UINT64_MAX: none) */
	unsigned loop_look_ms; /* how often the parked loop thread looks at a busy driver */
	struct sf_stats stats;
	struct sf_waiter *waiters; /* threads blocked in a socket call (sockface_wait_until) */
	bool dirty;	   /* something a waiter may wait for happened (sockface_mark) */
	int failed;	   /* the transport failed: its error */
	struct l2k_sock *socks; /* every socket of the stack */
};

/* A thread blocked in a socket call, on its own sleep (not the stack mutex: see
 * api/sockface_drive.c wait_on): woken only when what it waits for may have come (ready), so
 * that a reader is not woken by a send on the same socket and a blocked sender not by every
 * received SDU. */
struct sf_waiter {
	struct sf_waiter *prev, *next; /* sf->waiters */
	struct sf_sleep sl;
	/* true when the call may go on (lock held); NULL: after any change (sockface_mark) */
	bool (*ready)(const void *arg);
	const void *arg;
	bool step;	/* waits for the engine's progress: woken after every step where ready holds */
	bool woken;	/* chosen to be woken: its sleep is posted (or about to be) */
	const void *me; /* its thread's token */
	bool may_drive; /* it may take the driver's role (the transport has a descriptor) */
	bool drive;	/* woken to take the driver's role */
	bool polling;	/* the driver itself, waiting on the descriptors: woken through the pipe */
	struct sf_waiter *wake_next; /* the list of those to post after the unlock */
};

enum sk_kind { SK_CHAN, SK_LISTEN };
enum sk_state { SK_CONNECTING, SK_OPEN, SK_CLOSED };

struct l2k_sock {
	struct sockface *sf;
	struct l2k_sock *prev, *next; /* sf->socks */
	enum sk_kind kind;
	enum sk_state state;
	l2k_chan *ch; /* NULL once closed or detached */
	int fd_r, fd_w; /* l2k_sock_fd's pipe (-1 until asked for) */
	bool readable; /* a byte sits in it */
	int tx_fd_r, tx_fd_w; /* l2k_sock_send_fd's pipe (-1 until asked for) */
	bool tx_readable;     /* a byte sits in it */
	bool tx_blocked;      /* the last send found the queue full and no send_ready came since */
	/* receive queue */
	struct ring rxq;
	size_t rx_bound;
	uint64_t rx_dropped;
	/* end */
	enum l2k_close_reason reason;
	struct l2k_chan_info info; /* snapshot taken when the channel closed */
	size_t tx_lost;		   /* SDUs still queued for sending when it closed */
	bool shut;		   /* l2k_shutdown: no more sends */
	bool disc_sent;		   /* l2k_shutdown asked for the disconnection */
	bool open_unseen;	   /* non-blocking connect finished: readable until looked at */
	bool nb_connect;
	/* listener */
	l2k_server *srv;
	int backlog_max, backlog_n;
	struct l2k_sock *bl_head, *bl_tail; /* children not yet accepted */
	int held_max;			    /* l2k_listen_limit (0: none) */
	int accepted_n;			    /* children accepted and not yet released */
	/* child of a listener, until accepted */
	struct l2k_sock *parent, *bl_next;
	/* child accepted from a listener, until released (counted in its accepted_n) */
	struct l2k_sock *acc_from;
};

/* timeout_ms from now on the monotonic clock (no lock needed) */
void sockface_deadline(struct timespec *ts, int timeout_ms);

/* ---- api/sockface_drive.c: who runs the engine, how callers wait and wake -------------------- */

/* The epoll instance or nothing (poll); 0 or L2K_ENOMEM. */
int sockface_drive_init(struct sockface *sf);
void sockface_drive_free(struct sockface *sf);
/* the loop thread (l2k_start) */
void *sockface_loop_main(void *arg);
/* The poll set or the timers may have changed (a call queued output, armed a timer, stop was
 * asked): the thread waiting on the descriptors is woken through the pipe only when its wait
 * would now end too late or miss writability, a parked loop thread only when a timer comes due
 * before its deadline; on stop both, always. */
void sockface_wake(struct sockface *sf);
/* wake the callers blocked in the stack's socket calls */
void sockface_changed(struct sockface *sf);
/* Something a waiting call may be waiting for happened (a socket opened, closed, got data or
 * room, a listener got a channel, bring-up ended, an agent question came): the waiters are woken
 * at the end of the step or call.  Waiters for the engine's progress (step) wake after every
 * step instead. */
void sockface_mark(struct sockface *sf);
/* end of a socket call: wake the blocked callers and unlock */
void sockface_leave(struct sockface *sf);
/* the same as sockface_changed then unlock, the wake-ups after the unlock */
void sockface_changed_unlock(struct sockface *sf);
/* This thread runs sf's engine now: sf's loop thread, or a caller driving it, inside a step (it
 * holds the mutex in callbacks; no lock needed). */
bool sockface_on_loop_thread(const struct sockface *sf);
/* Wait for a change: 0, L2K_EAGAIN (timeout_ms 0), L2K_ETIMEDOUT, L2K_ENETDOWN (no thread).  A
 * caller that waits may run the engine itself meanwhile (then it returns after each step). */
int sockface_wait(struct sockface *sf, int timeout_ms, const struct timespec *dl, bool step);
/* the same, woken only once ready(arg) holds (or the stack's thread ends or fails) */
int sockface_wait_until(struct sockface *sf, int timeout_ms, const struct timespec *dl,
			bool (*ready)(const void *arg), const void *arg);
/* wake every waiting caller (the thread ends, the transport failed) */
void sockface_wake_all(struct sockface *sf);
/* The wait at the end of a blocking call's loop: 0 (look again), L2K_ETIMEDOUT once the
 * deadline passed and the caller had one last look (*timed_out tracks that), or another error
 * (L2K_EAGAIN for timeout_ms 0, L2K_ENETDOWN).  step: woken after every step of the engine
 * (where ready, if given, holds); else after a change where ready holds. */
int sockface_wait_more(struct sockface *sf, int timeout_ms, const struct timespec *dl, bool *timed_out, bool step);
int sockface_wait_more_until(struct sockface *sf, int timeout_ms, const struct timespec *dl, bool *timed_out,
			     bool (*ready)(const void *arg), const void *arg);
int sockface_wait_more_step_until(struct sockface *sf, int timeout_ms, const struct timespec *dl, bool *timed_out,
				  bool (*ready)(const void *arg), const void *arg);

/* ---- api/sockface.c ------------------------------------------------------------------------ */

/* The transport is gone: every channel socket ends (link lost), listeners report the error. */
void sockface_transport_failed(struct sockface *sf, int err);
/* the error a call reports for a channel that ended for this reason */
int sockface_reason_err(enum l2k_close_reason r);
/* set the socket's descriptor readable or not, as its state says */
void sockface_sk_update(struct l2k_sock *sk);
/* l2k_recv / l2k_accept would not wait; l2k_send would not wait for room (wait predicates) */
bool sockface_sk_readable(const void *sk);
bool sockface_sk_sendable(const void *sk);
struct l2k_sock *sockface_sk_new(struct sockface *sf, enum sk_kind kind);
void sockface_sk_free(struct l2k_sock *sk);
/* cut the socket from its channel (which is disconnected when disconnect; the engine finishes
 * it without calling back) */
void sockface_sk_detach(struct l2k_sock *sk, bool disconnect);
void sockface_backlog_unlink(struct l2k_sock *parent, struct l2k_sock *c);
/* everything l2k_send accepted has left the channel (and was acknowledged where the mode does) */
bool sockface_tx_done(const struct l2k_chan *ch);
/* the channel callbacks of a socket */
void sockface_sk_set_cbs(struct l2k_sock *sk, struct l2k_chan_cbs *cbs);
/* a listener's server accept callback */
int sockface_accept_cb(void *user, const struct l2k_conn_request *rq, struct l2k_chan_opts *opts,
		       struct l2k_chan_cbs *cbs);

#endif
