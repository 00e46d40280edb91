/* The simulated controller as a transport: an in-process controller (transport/sim) on a
 * named simulated air, opened from the spec "sim" / "sim:k=v,...". */
#ifndef L2K_SIM_TRANSPORT_H
#define L2K_SIM_TRANSPORT_H

#include <stddef.h>

#include "transport/sim/sim.h"
#include "transport/transport.h"

/* Spec "sim" / "sim:k=v,...": args is the text after "sim:" ("" for bare "sim").  Keys:
 *   type=le|bredr|dual  addr=AA:BB:CC:DD:EE:FF  acl-mtu=N acl-count=N le-acl-mtu=N
 *   le-acl-count=N (0 = shared)  le-max-data-len=N  rx-count=N  enc-key-size=N (1..16)
 *   sec-fault=NAME (repeatable, see SIM_SEC_FAULT_*)  air=NAME (default "default")
 *   profile=NAME  loss=P  corrupt=P  seed=N  cut-at=MS  (these last five change the air)
 * For type=le, acl-mtu / acl-count also set the LE buffers unless le-acl-* are given.
 * Each open creates a new controller on the named air.  fd() is -1; service(now) advances the
 * air to now and delivers queued output; next_due() is now while output is queued, else the
 * air's next due time. */
int sim_transport_open(const char *args, struct transport **out, char *errbuf, size_t errlen);
/* The controller behind a sim transport (NULL for any other transport). */
struct sim_ctrl *sim_transport_ctrl(struct transport *t);


#endif
