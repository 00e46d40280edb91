/* An HCI host (hci/hci_host.h) alone on a fake controller, for the HCI event and ACL harnesses.
 * The fake answers bring-up like a well-behaved controller when asked to (fz_host_bringup);
 * otherwise the harness's input answers it. */
#ifndef L2K_FZ_HOST_H
#define L2K_FZ_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hci/hci_host.h"

struct fz_host {
	struct hci_host *h;
	uint64_t now;
	uint32_t max_rx_pdu;
	bool answer;	   /* answer commands like a controller */
	uint16_t acl_mtu;  /* what Read Buffer Size reports */
	uint16_t inflight[16];
	/* what the upper layer saw */
	uint64_t pdus, links_up, links_down, cmds_sent, acl_sent, events_seen;
	bool ready_called;
	int ready_err;
};

/* A host with the given reassembly bound (0: default).  Returns false when it cannot be made. */
bool fz_host_init(struct fz_host *f, uint32_t max_rx_pdu, uint16_t acl_mtu);
void fz_host_fini(struct fz_host *f);
/* Start bring-up; with answer set the fake controller completes it. */
void fz_host_start(struct fz_host *f, bool answer);
/* Deliver the commands' answers queued by the fake controller. */
void fz_host_flush(struct fz_host *f);
void fz_host_event(struct fz_host *f, uint8_t code, const uint8_t *p, size_t n);
/* Connection Complete (BR/EDR) or LE Connection Complete for handle. */
void fz_host_link(struct fz_host *f, uint16_t handle, bool le);
void fz_host_complete_all(struct fz_host *f);

#endif
