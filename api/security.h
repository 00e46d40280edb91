/* Security in the public face (api/security.c): the stack's security manager, key store and
 * agent questions.  Internal to api/. */
#ifndef L2K_API_SECURITY_H
#define L2K_API_SECURITY_H

#include <stdbool.h>

#include "api/l2kit.h"

#define SEC_AGENT_QUEUE 8 /* agent questions waiting for l2k_agent_wait */

struct security {
	struct l2k_security_opts opts;
	char pin[17];
	struct l2k_key_store store;
	bool own_store; /* api/keystore.c's */
	struct l2k_agent_request q[SEC_AGENT_QUEUE];
	int qh, nq;
	bool agent_waiting; /* a thread waits in l2k_agent_wait */
	int fd_r, fd_w;	    /* l2k_agent_fd's pipe: readable while a question waits (-1: not made) */
	bool fd_readable;
};

/* Made by the stack's open (after the engine), ended by its close (before the engine). */
int security_open(l2k_stack *s, const struct l2k_security_opts *o, char *errbuf, size_t errlen);
void security_close(l2k_stack *s);
/* Take the oldest queued agent question: 0 or L2K_EAGAIN. */
int security_agent_take(l2k_stack *s, struct l2k_agent_request *out);
/* A question was queued: wake l2k_agent_wait and make l2k_agent_fd readable. */
void security_agent_signal(l2k_stack *s);
void security_pair_done(void *arg, uint16_t handle, int err);
/* The socket face's lock when its thread runs and this is not that thread (l2k_lock). */
void security_lock(l2k_stack *s);
void security_unlock(l2k_stack *s);

#endif
