/* The IUT side of the control protocol (docs/l2tester.md): one l2kit stack obeying request
 * lines and reporting its application's events as event lines.  Used by l2iut (over a unix
 * socket) and by l2tester's in-process backend (direct calls).  Public l2kit API only. */
#ifndef L2TESTER_IUT_CORE_H
#define L2TESTER_IUT_CORE_H

#include <stddef.h>

#include <l2kit/l2kit.h>

#define IUT_CORE_CHANS 64

struct iut_core;
/* emit(u, line): an event line (no "\n"). */
struct iut_core *iut_core_new(l2k_stack *s, void (*emit)(void *u, const char *line), void *u);
void iut_core_free(struct iut_core *c);
/* Perform one request line (no "\n").  Returns 0 with ans = the text after "ok" (may be ""),
 * L2K_ENOTSUP / another negative code with ans = the reason (the "err" line's text).  A "quit"
 * request sets *quit (may be NULL). */
int iut_core_request(struct iut_core *c, const char *req, char *ans, size_t n, int *quit);
/* Accept the channels offered to a server listening with accept=pending: they were answered
 * "pending" (4.3) when offered; call this from the run loop (after the stack's step). */
void iut_core_poll(struct iut_core *c);
/* Keep LE connectable advertising on (l2k_le_advertise_keep), again after each "reset" ("link"
 * stops it: a controller may not initiate while advertising). */
void iut_core_keep_advertising(struct iut_core *c);
/* A link of the stack came up (for "event link-up"). */
void iut_core_link_up(struct iut_core *c, const struct l2k_link_info *li);
/* The stack's link went down (for "event link-down"). */
void iut_core_link_down(struct iut_core *c, const struct l2k_link_info *li, uint8_t reason);
/* A link attempt of the stack failed or was refused (for "event link-failed"). */
void iut_core_link_failed(struct iut_core *c, const l2k_addr *peer, uint8_t status);

#endif
