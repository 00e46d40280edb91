/* libFuzzer harness: the HCI event decoder of the host (bring-up answers, command queue, link
 * events, completed packets, LE meta events, inquiry results with their EIR data, remote names).
 * Input: flags octet (bit 0: the fake controller completes bring-up first, otherwise the
 * input's events must answer it; bit 1: the fake keeps answering commands), then records:
 *   op < 0xC0   one event: code octet, length octet, parameters (length field made correct,
 *               except op 0xBF which keeps the declared length and truncates)
 *   0xC0-0xDF   time passes: u16 ms (command timeouts)
 *   0xE0-0xFF   a host API call picked by op & 7 (connect, disconnect, advertise, scan, raw
 *               command, ACL send; op & 7 == 6: connectable, discoverable, inquiry, remote
 *               name or inquiry cancel by the argument's top bits) so that commands are in
 *               flight. */
#include <string.h>

#include "base/hci_defs.h"
#include "tests/fuzz/fz.h"
#include "tests/fuzz/fz_host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct fz_host f;
	if (!fz_host_init(&f, 0, 0))
		return 0;
	uint8_t flags = data[0];
	fz_host_start(&f, flags & 1);
	f.answer = (flags & 2) != 0;
	size_t i = 1;
	while (i < size) {
		uint8_t op = data[i++];
		if (op < 0xC0) {
			if (i + 2 > size)
				break;
			uint8_t code = data[i], n = data[i + 1];
			i += 2;
			size_t have = size - i < n ? size - i : n;
			uint8_t b[257];
			b[0] = code;
			b[1] = op == 0xBF ? n : (uint8_t)have;
			memcpy(b + 2, data + i, have);
			i += have;
			hci_host_input(f.h, HCI_H4_EVT, b, 2 + have);
			fz_host_flush(&f);
		} else if (op < 0xE0) {
			uint16_t ms = i + 2 <= size ? get_le16(data + i) : 0;
			i += 2;
			f.now += (uint64_t)ms * 4;
			hci_host_tick(f.h, f.now);
			fz_host_flush(&f);
		} else {
			uint8_t a = i < size ? data[i] : 0;
			i++;
			hci_bdaddr_t addr = {{a, 1, 2, 3, 4, 5}};
			switch (op & 7) {
			case 0: hci_host_connect(f.h, a & 1, &addr, a >> 7); break;
			case 1: hci_host_disconnect(f.h, a & 0x0F, 0x13); break;
			case 2: {
				size_t ad = a % 40, left = i < size ? size - i : 0;
				hci_host_le_advertise(f.h, a & 1, data + size - left, ad < left ? ad : left);
				break;
			}
			case 3: hci_host_le_scan(f.h, a & 1, a & 2); break;
			case 4: hci_host_cmd(f.h, (uint16_t)(0x0C00 | a), &a, 1, NULL, NULL); break;
			case 5: {
				uint8_t pdu[64] = {60, 0, 0x40, 0};
				hci_host_acl_send(f.h, a & 0x0F, pdu, 64);
				break;
			}
			case 6:
				switch (a >> 5) {
				case 0: hci_host_set_connectable(f.h, a & 1); break;
				case 1: hci_host_set_discoverable(f.h, a & 1); break;
				case 2: case 3: hci_host_inquiry(f.h, a & 0x3F, a & 3); break;
				case 4: case 5: hci_host_remote_name(f.h, &addr); break;
				default: hci_host_inquiry_cancel(f.h); break;
				}
				break;
			case 7: hci_host_connect_cancel(f.h, a & 1, &addr); break;
			}
			fz_host_flush(&f);
		}
	}
	fz_host_fini(&f);
	return 0;
}
