/* The socket face (api/sockface.c): internal hooks for the stack.  Its public functions are
 * declared in api/l2kit.h. */
#ifndef L2K_SOCKFACE_H
#define L2K_SOCKFACE_H

#include "api/l2kit.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- internal ------------------------------------------------------------------------------ */

/* l2k_stack_close(): stop the stack's thread and free every socket (their channels are detached
 * first, so the engine's teardown does not call back into freed sockets). */
void sockface_stack_close(l2k_stack *s);

#ifdef __cplusplus
}
#endif
#endif
