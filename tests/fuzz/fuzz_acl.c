/* libFuzzer harness: ACL reassembly (and fragmentation) in the HCI host.
 * Input: u16 reassembly bound (max_rx_pdu), u16 controller ACL length, then records:
 *   op < 0xE0   one ACL packet from the controller: handle+flags(2), L(2, clamped), data;
 *               op bit 0 set: the ACL length field is the declared L even when less data
 *               follows (a lying header)
 *   0xE0-0xEF   the host sends a PDU of u16 % 3000 octets on link op & 3 (fragmentation)
 *   0xF0-0xF7   Number Of Completed Packets for everything sent
 *   0xF8-0xFB   Disconnection Complete for link op & 3, and it comes back
 *   0xFC-0xFF   a new link comes up (handle from the next octet)
 * Links 1 (BR/EDR), 2 (LE) and 3 (BR/EDR) are up from the start.  The host must hand up only
 * whole PDUs whose basic header matches their length and that fit the bound. */
#include <string.h>

#include "base/hci_defs.h"
#include "tests/fuzz/fz.h"
#include "tests/fuzz/fz_host.h"

static uint8_t g_pkt[4 + 65536];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	struct fz_host f;
	uint32_t max = get_le16(data);
	uint16_t mtu = get_le16(data + 2);
	if (mtu < 27)
		mtu = 27;
	if (!fz_host_init(&f, max ? max + 4 : 0, mtu))
		return 0;
	fz_host_start(&f, true);
	FZ_ASSERT(f.ready_called && f.ready_err == 0);
	fz_host_link(&f, 1, false);
	fz_host_link(&f, 2, true);
	fz_host_link(&f, 3, false);
	size_t i = 4;
	while (i < size) {
		uint8_t op = data[i++];
		if (op < 0xE0) {
			if (i + 4 > size)
				break;
			uint16_t hf = get_le16(data + i);
			uint16_t l = get_le16(data + i + 2);
			i += 4;
			size_t have = size - i < l ? size - i : l;
			put_le16(g_pkt, hf);
			put_le16(g_pkt + 2, (op & 1) ? l : (uint16_t)have);
			memcpy(g_pkt + 4, data + i, have);
			i += have;
			hci_host_input(f.h, HCI_H4_ACL, g_pkt, 4 + have);
		} else if (op < 0xF0) {
			uint16_t n = i + 2 <= size ? get_le16(data + i) % 3000 : 4;
			i += 2;
			if (n < 4)
				n = 4;
			memset(g_pkt, 0x5A, n);
			put_le16(g_pkt, (uint16_t)(n - 4));
			hci_host_acl_send(f.h, op & 3, g_pkt, n);
		} else if (op < 0xF8) {
			fz_host_complete_all(&f);
		} else if (op < 0xFC) {
			uint8_t p[4] = {0, (uint8_t)(op & 3), 0, 0x13};
			fz_host_event(&f, HCI_EV_DISCONN_COMPLETE, p, 4);
			fz_host_link(&f, op & 3, (op & 3) == 2);
		} else {
			uint8_t h = i < size ? data[i] : 4;
			i++;
			fz_host_link(&f, h & 0x0F, op & 1);
		}
	}
	const struct hci_host_stats *st = hci_host_stats(f.h);
	FZ_ASSERT(st->rx_pdus == f.pdus);
	fz_host_fini(&f);
	return 0;
}
