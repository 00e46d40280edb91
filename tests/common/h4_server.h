/* Simulated controllers served over a unix socket by a thread of the test process, the way
 * tools/vctrl serves them to other processes: every connection to the spec gets a new
 * controller on one air, driven by the wall clock.  A stack opened on the spec has a transport
 * with a descriptor (unix:PATH), which the in-process "sim" transport lacks: the socket face's
 * wait on the descriptor, and callers running the engine while they wait, are tested with it. */
#ifndef L2K_H4_SERVER_H
#define L2K_H4_SERVER_H

#include <stddef.h>

#include <l2kit/l2kit_sim.h>

struct h4_server;

/* Start serving controllers made with o (NULL: dual mode, defaults) on a fresh air with the
 * timing profile (NULL: none); spec gets "unix:PATH".  NULL on failure (printed). */
struct h4_server *h4_server_start(const char *profile, const struct l2k_sim_opts *o, char *spec, size_t len);
/* Stop the thread, drop every controller (their links drop), remove the socket. */
void h4_server_stop(struct h4_server *h);

#endif
