/* HCI command queue: honours Num_HCI_Command_Packets, matches Command Complete / Command Status
 * to the command by opcode (Vol 4 Part E 4.4), and reports commands the controller never
 * answered. */
#include <string.h>

#include "base/l2k_error.h"
#include "hci/hci_internal.h"

static void slot_remove(struct hci_host *h, unsigned i)
{
	memmove(&h->slots[i], &h->slots[i + 1], (h->nslots - i - 1) * sizeof(h->slots[0]));
	h->nslots--;
}

int hci_cmd_queue(struct hci_host *h, uint16_t opcode, const uint8_t *params, size_t plen,
		  hci_cmd_cb cb, void *arg, uint32_t timeout_ms, bool probe)
{
	if (plen > HCI_MAX_CMD_PARAM || (plen && !params))
		return L2K_EINVAL;
	if (h->failed)
		return L2K_ENETDOWN;
	if (!hci_host_cmd_supported(h, opcode))
		return L2K_ENOTSUP;
	if (h->nslots == HCI_CMDQ_LEN)
		return L2K_ENOBUFS;
	struct hci_cmd_slot *s = &h->slots[h->nslots++];
	s->opcode = opcode;
	s->plen = (uint8_t)plen;
	s->sent = false;
	s->probe = probe;
	s->timeout_ms = timeout_ms ? timeout_ms : h->cfg.cmd_timeout_ms;
	/* an ordinary command's time runs from when it goes out; one with a timeout of its own
	 * from now (a controller that never gives a credit back does not stop it) */
	s->deadline = timeout_ms ? h->now + timeout_ms : 0;
	s->cb = cb;
	s->arg = arg;
	if (plen)
		memcpy(s->params, params, plen);
	hci_cmdq_pump(h);
	return 0;
}

int hci_host_cmd(struct hci_host *h, uint16_t opcode, const uint8_t *params, size_t plen,
		 hci_cmd_cb cb, void *arg)
{
	return hci_cmd_queue(h, opcode, params, plen, cb, arg, 0, false);
}

/* Host Number Of Completed Packets goes out at once, in front of queued commands: the normal
 * command flow control is not used for it, it needs no Num_HCI_Command_Packets credit and no
 * event follows it unless the controller finds it invalid (Vol 4 Part E 4.2, 7.3.40). */
int hci_cmd_send_unqueued(struct hci_host *h, uint16_t opcode, const uint8_t *params, size_t plen)
{
	if (plen > HCI_MAX_CMD_PARAM || (plen && !params))
		return L2K_EINVAL;
	uint8_t pkt[HCI_CMD_HDR + HCI_MAX_CMD_PARAM];
	put_le16(pkt, opcode);
	pkt[2] = (uint8_t)plen;
	if (plen)
		memcpy(pkt + HCI_CMD_HDR, params, plen);
	return hci_send_packet(h, HCI_H4_CMD, pkt, HCI_CMD_HDR + plen);
}

/* Send waiting commands while the controller has room for them. */
void hci_cmdq_pump(struct hci_host *h)
{
	for (unsigned i = 0; i < h->nslots && h->cmd_credits > 0; i++) {
		struct hci_cmd_slot *s = &h->slots[i];
		if (s->sent)
			continue;
		uint8_t pkt[HCI_CMD_HDR + HCI_MAX_CMD_PARAM];
		put_le16(pkt, s->opcode);
		pkt[2] = s->plen;
		memcpy(pkt + HCI_CMD_HDR, s->params, s->plen);
		s->sent = true;
		if (!s->deadline)
			s->deadline = h->now + s->timeout_ms;
		h->cmd_credits--;
		hci_send_packet(h, HCI_H4_CMD, pkt, HCI_CMD_HDR + s->plen);
	}
}

/* A Command Complete or Command Status arrived.  credits is its Num_HCI_Command_Packets: the
 * number of commands the controller can take now (it replaces, not adds to, the count). */
void hci_cmdq_complete(struct hci_host *h, uint16_t opcode, int status, const uint8_t *ret,
		       size_t len, uint8_t credits)
{
	h->cmd_credits = credits;
	h->credit_stall_at = credits ? 0 : h->now + h->cfg.cmd_timeout_ms;
	if (opcode != 0x0000) { /* 0x0000: no command, just credits */
		for (unsigned i = 0; i < h->nslots; i++) {
			struct hci_cmd_slot *s = &h->slots[i];
			if (!s->sent || s->opcode != opcode)
				continue;
			hci_cmd_cb cb = s->cb;
			void *arg = s->arg;
			slot_remove(h, i);
			if (cb)
				cb(arg, status, ret, len);
			break;
		}
		/* An answer to a command we did not send is ignored (a controller may answer a
		 * command issued before a Reset). */
	}
	if (opcode == HCI_OP_HOST_NUM_COMPLETED && status != HCI_SUCCESS) {
		/* it is answered only when invalid (7.3.40): the controller's count and ours differ */
		hci_report(h, L2K_ECTRL, "controller refused Host Number Of Completed Packets (status 0x%02x)",
			   (unsigned)status);
	}
	hci_cmdq_pump(h);
}

/* Commands wait for a credit that nothing will bring: Num_HCI_Command_Packets is 0, no command
 * is outstanding (its answer would carry credits), and one is queued. */
static bool credit_stalled(const struct hci_host *h)
{
	if (h->cmd_credits || !h->credit_stall_at)
		return false;
	bool waiting = false;
	for (unsigned i = 0; i < h->nslots; i++) {
		if (h->slots[i].sent)
			return false;
		waiting = true;
	}
	return waiting;
}

/* The command watchdog: a command the controller did not answer in time means it stopped
 * responding (a controller that takes commands answers each with Command Complete or Command
 * Status, Vol 4 Part E 4.4): the host fails, with the command named.
 * A controller that answered with Num_HCI_Command_Packets 0 and gave no credit back for
 * cmd_timeout_ms (no NOP event) gets the next command anyway, as Linux's hci_cmd_timeout does:
 * a live controller answers it (and its answer carries credits), a dead one leaves it
 * unanswered and the watchdog above ends the host naming it, instead of waiting for ever. */
void hci_cmdq_tick(struct hci_host *h)
{
	if (credit_stalled(h) && h->now >= h->credit_stall_at) {
		h->credit_stall_at = 0;
		h->cmd_credits = 1;
		h->stats.cmd_credit_stalls++;
		hci_report(h, L2K_ECTRL, "controller gave no HCI command credit for %u ms (Num_HCI_Command_Packets 0): "
			   "sending the next command anyway", (unsigned)h->cfg.cmd_timeout_ms);
	}
	for (unsigned i = 0; i < h->nslots; i++) {
		struct hci_cmd_slot *s = &h->slots[i];
		if (!s->deadline || s->deadline > h->now)
			continue;
		struct hci_cmd_slot late = *s;
		slot_remove(h, i);
		h->stats.cmd_timeouts++;
		hci_watchdog_cmd_timeout(h, &late); /* fails the host: every other command fails too */
		if (late.cb)
			late.cb(late.arg, L2K_ECTRLTIMEOUT, NULL, 0);
		return;
	}
	hci_cmdq_pump(h);
}

uint64_t hci_cmdq_next_deadline(const struct hci_host *h)
{
	uint64_t t = credit_stalled(h) ? h->credit_stall_at : UINT64_MAX;
	for (unsigned i = 0; i < h->nslots; i++)
		if (h->slots[i].deadline && h->slots[i].deadline < t)
			t = h->slots[i].deadline;
	return t;
}

/* Fail every queued command (host shutting down or controller gone). */
void hci_cmdq_flush(struct hci_host *h, int status)
{
	while (h->nslots) {
		hci_cmd_cb cb = h->slots[0].cb;
		void *arg = h->slots[0].arg;
		slot_remove(h, 0);
		if (cb)
			cb(arg, status, NULL, 0);
	}
}
