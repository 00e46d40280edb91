/* The controller watchdogs, and the end of a host whose controller stopped responding.
 *
 * Command watchdog (hci/cmdq.c): a controller answers every command it takes with Command
 * Complete or Command Status (Vol 4 Part E 4.4); one it leaves unanswered for cmd_timeout_ms has
 * stopped responding.
 *
 * ACL transmit watchdog: the controller reports every ACL packet it took off the host's hands
 * with Number Of Completed Packets (4.3).  While links are up, a controller that has sent
 * nothing at all for acl_tx_timeout_ms - no completion for the packets it holds, no other event
 * or data either - may be frozen (a process stopped, a firmware hang, a transport that still
 * takes bytes but delivers none).  Or it may be fine: the packets of a link wait when the peer
 * holds its incoming data (controller-to-host flow control: an l2kit peer's Basic channel whose
 * reader does not read), or when the peer is out of range (the link supervision timeout ends
 * such a link, reason 0x08), and an idle link has nothing to report.  So the host asks: it sends
 * a probe, a command every controller answers at once without touching the air (Read Local
 * Version Information), which must be answered within acl_tx_timeout_ms (or cmd_timeout_ms if
 * shorter).  An answer shows the controller alive and the links stay (Linux's ACL tx timeout,
 * 45 s, ends a link whose packets wait; l2kit's own Basic-mode hold makes such waits normal, so
 * a live controller's links are left to the supervision timeout and to the peer).  No answer:
 * the controller is declared unresponsive, within 2 x acl_tx_timeout_ms of its last sign of
 * life, whether the host was sending (packets outstanding) or only receiving.
 *
 * The end: the error goes to ops->error with what went unanswered, ops->failed is told, every
 * command fails with L2K_ECTRLTIMEOUT and every link goes down (reason 0x16, Connection
 * Terminated By Local Host: the controller cannot be asked to disconnect).  Nothing more is
 * sent; what the controller sends afterwards is counted and ignored. */
#include <stdio.h>

#include "base/l2k_error.h"
#include "hci/hci_internal.h"

void hci_watchdog_input(struct hci_host *h)
{
	h->wd.rx_last = h->now;
}

static bool cmd_outstanding(const struct hci_host *h)
{
	for (unsigned i = 0; i < h->nslots; i++)
		if (h->slots[i].deadline)
			return true;
	return false;
}

uint64_t hci_watchdog_next(const struct hci_host *h)
{
	uint32_t t = h->cfg.acl_tx_timeout_ms;
	if (h->dead || !h->ready || t == HCI_WATCHDOG_OFF || h->wd.probing || !h->nlinks)
		return UINT64_MAX;
	/* a command waiting for its answer is a probe already (the command watchdog times it);
	 * once it is answered the silence starts again */
	if (cmd_outstanding(h))
		return UINT64_MAX;
	return h->wd.rx_last + t;
}

static void probe_done(void *arg, int status, const uint8_t *ret, size_t len)
{
	struct hci_host *h = arg;
	(void)status; /* answered: alive (its event restarted the silence); not: the host failed */
	(void)ret;
	(void)len;
	h->wd.probing = false;
}

void hci_watchdog_tick(struct hci_host *h)
{
	uint64_t due = hci_watchdog_next(h);
	if (due > h->now)
		return;
	uint32_t t = h->cfg.acl_tx_timeout_ms;
	uint32_t wait = h->cfg.cmd_timeout_ms < t ? h->cfg.cmd_timeout_ms : t;
	h->wd.probe_silent = h->now - h->wd.rx_last;
	h->wd.probe_inflight = (uint32_t)h->pool_bredr.inflight + (h->info.le_shared ? 0 : h->pool_le.inflight);
	h->wd.probing = true;
	int r = hci_cmd_queue(h, HCI_OP_READ_LOCAL_VERSION, NULL, 0, probe_done, h, wait, true);
	if (r < 0) {
		/* (the queue is full only of commands waiting for a credit, which cannot be while
		 * none is outstanding): try again after another period rather than spin */
		h->wd.probing = false;
		h->wd.rx_last = h->now;
		return;
	}
	h->stats.probes++;
}

void hci_watchdog_cmd_timeout(struct hci_host *h, const struct hci_cmd_slot *s)
{
	char msg[300], nb[8];
	const char *name = hci_opcode_name(s->opcode, nb);
	if (s->probe && h->wd.probe_inflight) {
		snprintf(msg, sizeof(msg),
			 "controller not responding: %u ACL packet%s without Number Of Completed Packets and "
			 "nothing else from it for %llu ms, then no answer to a probe (command 0x%04x, %s) within "
			 "%u ms: ending every link",
			 (unsigned)h->wd.probe_inflight, h->wd.probe_inflight == 1 ? "" : "s",
			 (unsigned long long)h->wd.probe_silent, s->opcode, name,
			 (unsigned)s->timeout_ms);
	} else if (s->probe) {
		snprintf(msg, sizeof(msg),
			 "controller not responding: nothing from it for %llu ms with links up, then no answer to "
			 "a probe (command 0x%04x, %s) within %u ms: ending every link",
			 (unsigned long long)h->wd.probe_silent, s->opcode, name, (unsigned)s->timeout_ms);
	} else {
		snprintf(msg, sizeof(msg), "controller not responding: no answer to command 0x%04x (%s) within %u ms: %s",
			 s->opcode, name, (unsigned)s->timeout_ms, h->nlinks ? "ending every link" : "the host stops");
	}
	hci_host_fail(h, L2K_ECTRLTIMEOUT, msg);
}

void hci_host_fail(struct hci_host *h, int err, const char *msg)
{
	if (h->dead)
		return;
	h->dead = err;
	h->failed = true;
	h->wd.probing = false;
	if (h->ops.error)
		h->ops.error(h->user, err, msg);
	if (h->ops.failed)
		h->ops.failed(h->user, err);
	hci_cmdq_flush(h, err);
	for (unsigned i = 0; i < h->cfg.max_links; i++)
		if (h->links[i].used)
			hci_link_remove(h, h->links[i].info.handle, HCI_ERR_LOCAL_HOST_TERM);
}

int hci_host_failed(const struct hci_host *h)
{
	return h->dead;
}
