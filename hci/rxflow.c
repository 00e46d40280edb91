/* Controller-to-host flow control (Vol 4 Part E 4.2, 7.3.38-7.3.40).
 *
 * At bring-up the host announces its buffers (Host Buffer Size: Host_Total_Num_ACL_Data_Packets
 * packets of up to Host_ACL_Data_Packet_Length octets) and turns flow control on for ACL.  From
 * then on the controller hands over at most that many ACL packets the host has not reported
 * completed, and the host reports them with Host Number Of Completed Packets once it has used
 * them - the mirror image of Number Of Completed Packets in the other direction.
 *
 * Here a packet is completed when it has been through reassembly (its PDU, once whole, went up
 * to L2CAP).  The upper layer may hold a link (hci_host_acl_rx_hold): its packets are then kept
 * unprocessed, in arrival order, in the link's park ring - these are the host buffers the
 * controller counts - and are not reported; once every buffer is in use the controller keeps
 * the data, and when its own buffers fill it stops taking packets from the air, so the peer's
 * sender is slowed instead of data being lost.  The buffers are shared by all links (the
 * controller divides them as it likes, 7.3.39): a link held long enough stops the data of every
 * link of the controller until it is released.  On release the kept packets are processed at
 * the next hci_host_tick (never inside the call that released them).
 *
 * Reports are batched, one command for every link: as soon as half of the buffers wait to be
 * reported, else C2H_REPORT_MS after the first packet that waits (a timer: a link that carries a
 * packet now and then gets its buffers back, and the controller always has at least half of
 * them to hand data over meanwhile).  The command is sent outside the
 * command queue: it uses no Num_HCI_Command_Packets credit and gets no event unless the
 * controller finds it invalid (4.2, 7.3.40).  Counts of a link that went down are forgotten:
 * after Disconnection Complete both sides consider its buffers free (4.3). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/l2k_error.h"
#include "hci/hci_internal.h"

/* Handles per Host Number Of Completed Packets: Num_Handles then 4 octets each, in 255. */
#define C2H_HANDLES_PER_CMD ((HCI_MAX_CMD_PARAM - 1) / 4)
/* The longest a processed packet waits to be reported. */
#define C2H_REPORT_MS 10

bool hci_host_ctrl_flow(const struct hci_host *h)
{
	return h->c2h;
}

void hci_rxflow_enable(struct hci_host *h)
{
	h->c2h = true;
	h->info.ctrl_flow = true;
}

/* Report every packet processed since the last report. */
static void report(struct hci_host *h)
{
	uint8_t p[1 + 4 * C2H_HANDLES_PER_CMD];
	unsigned n = 0;
	for (unsigned i = 0; i < h->cfg.max_links; i++) {
		struct hci_link *l = &h->links[i];
		if (!l->used || !l->c2h_done)
			continue;
		put_le16(p + 1 + 4 * n, l->info.handle);
		put_le16(p + 3 + 4 * n, l->c2h_done);
		h->stats.c2h_completed += l->c2h_done;
		l->c2h_done = 0;
		if (++n == C2H_HANDLES_PER_CMD) {
			p[0] = (uint8_t)n;
			h->stats.c2h_commands++;
			hci_cmd_send_unqueued(h, HCI_OP_HOST_NUM_COMPLETED, p, 1 + 4 * (size_t)n);
			n = 0;
		}
	}
	if (n) {
		p[0] = (uint8_t)n;
		h->stats.c2h_commands++;
		hci_cmd_send_unqueued(h, HCI_OP_HOST_NUM_COMPLETED, p, 1 + 4 * (size_t)n);
	}
	h->c2h_done = 0;
}

void hci_rxflow_done(struct hci_host *h, struct hci_link *l)
{
	if (!h->c2h || !l->used)
		return;
	if (!h->c2h_done)
		h->c2h_due = h->now + C2H_REPORT_MS;
	l->c2h_done++;
	h->c2h_done++;
	/* half of the host's buffers wait to be reported: do not wait for the timer */
	if (h->c2h_done >= (h->info.host_acl_count + 1u) / 2u)
		report(h);
}

bool hci_rxflow_park(struct hci_host *h, struct hci_link *l, const uint8_t *pkt, size_t len)
{
	if (!h->c2h)
		return false;
	/* a compliant controller never has more packets at the host than it was told (7.3.39) */
	if (h->c2h_parked + h->c2h_done >= h->info.host_acl_count)
		h->stats.c2h_overrun++;
	if (!l->rx_hold && !l->park.count)
		return false;
	/* keep it, behind those already kept: the link's packets stay in order */
	uint64_t b = (uint64_t)h->info.host_acl_count * ((uint64_t)HCI_ACL_HDR + h->info.host_acl_len + RING_REC_HDR);
	size_t bound = b > SIZE_MAX ? SIZE_MAX : (size_t)b;
	const uint8_t *parts[1] = {pkt};
	size_t lens[1] = {len};
	if ((!l->park.buf && ring_init(&l->park, bound) < 0) || ring_push(&l->park, parts, lens, 1) < 0) {
		/* more than the buffers we announced (or no memory): the controller broke the flow
		 * control; the packet is dropped and its buffer given back */
		h->stats.rx_drop_park_full++;
		hci_rxflow_done(h, l);
		return true;
	}
	h->c2h_parked++;
	h->stats.rx_parked++;
	return true;
}

int hci_host_acl_rx_hold(struct hci_host *h, uint16_t handle, bool hold)
{
	struct hci_link *l = hci_link_by_handle(h, handle);
	if (!l)
		return L2K_ENOLINK;
	if (!h->c2h)
		return L2K_ENOTSUP;
	l->rx_hold = hold;
	if (!hold && l->park.count)
		h->c2h_replay = true;
	return 0;
}

/* Process the kept packets of every link that is no longer held, in order, until a link is
 * held again (the upper layer may do so while one of them goes up). */
static void replay(struct hci_host *h)
{
	if (!h->c2h_replay || h->in_replay)
		return;
	h->c2h_replay = false;
	h->in_replay = true;
	for (unsigned i = 0; i < h->cfg.max_links; i++) {
		struct hci_link *l = &h->links[i];
		while (l->used && !l->rx_hold && l->park.count) {
			size_t n = ring_head_len(&l->park);
			if (n > h->c2h_buf_cap) {
				uint8_t *b = realloc(h->c2h_buf, n);
				if (!b) {
					h->c2h_replay = true; /* try again at the next tick */
					break;
				}
				h->c2h_buf = b;
				h->c2h_buf_cap = n;
			}
			ring_head_read(&l->park, 0, h->c2h_buf, n);
			ring_pop(&l->park);
			h->c2h_parked--;
			hci_acl_rx_packet(h, l, h->c2h_buf, n);
		}
	}
	h->in_replay = false;
}

void hci_rxflow_tick(struct hci_host *h)
{
	if (!h->c2h)
		return;
	replay(h);
	if (h->c2h_done && h->now >= h->c2h_due)
		report(h);
}

uint64_t hci_rxflow_next(const struct hci_host *h)
{
	if (!h->c2h)
		return UINT64_MAX;
	if (h->c2h_replay)
		return h->now;
	return h->c2h_done ? h->c2h_due : UINT64_MAX;
}

void hci_rxflow_link_release(struct hci_host *h, struct hci_link *l)
{
	h->c2h_done -= l->c2h_done <= h->c2h_done ? l->c2h_done : h->c2h_done;
	h->c2h_parked -= l->park.count <= h->c2h_parked ? (uint32_t)l->park.count : h->c2h_parked;
	l->c2h_done = 0;
	l->rx_hold = false;
	if (l->park.buf)
		ring_free(&l->park);
	memset(&l->park, 0, sizeof(l->park));
}
