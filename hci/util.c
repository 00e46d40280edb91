/* Small HCI helpers: opcode names for messages, address text. */
#include <ctype.h>
#include <stdio.h>

#include "base/l2k_error.h"
#include "hci/hci_host.h"

const char *hci_opcode_name(uint16_t op, char buf[8])
{
	switch (op) {
	case HCI_OP_INQUIRY: return "Inquiry";
	case HCI_OP_INQUIRY_CANCEL: return "Inquiry Cancel";
	case HCI_OP_REMOTE_NAME_REQ: return "Remote Name Request";
	case HCI_OP_WRITE_LOCAL_NAME: return "Write Local Name";
	case HCI_OP_WRITE_INQUIRY_MODE: return "Write Inquiry Mode";
	case HCI_OP_WRITE_EXT_INQUIRY_RSP: return "Write Extended Inquiry Response";
	case HCI_OP_CREATE_CONN: return "Create Connection";
	case HCI_OP_DISCONNECT: return "Disconnect";
	case HCI_OP_CREATE_CONN_CANCEL: return "Create Connection Cancel";
	case HCI_OP_ACCEPT_CONN_REQ: return "Accept Connection Request";
	case HCI_OP_REJECT_CONN_REQ: return "Reject Connection Request";
	case HCI_OP_READ_REMOTE_FEATURES: return "Read Remote Supported Features";
	case HCI_OP_READ_REMOTE_VERSION: return "Read Remote Version Information";
	case HCI_OP_SET_EVENT_MASK: return "Set Event Mask";
	case HCI_OP_RESET: return "Reset";
	case HCI_OP_WRITE_SCAN_ENABLE: return "Write Scan Enable";
	case HCI_OP_SET_CTRL_TO_HOST_FC: return "Set Controller To Host Flow Control";
	case HCI_OP_HOST_BUFFER_SIZE: return "Host Buffer Size";
	case HCI_OP_HOST_NUM_COMPLETED: return "Host Number Of Completed Packets";
	case HCI_OP_WRITE_LE_HOST_SUPPORTED: return "Write LE Host Support";
	case HCI_OP_READ_LOCAL_VERSION: return "Read Local Version Information";
	case HCI_OP_READ_LOCAL_COMMANDS: return "Read Local Supported Commands";
	case HCI_OP_READ_LOCAL_FEATURES: return "Read Local Supported Features";
	case HCI_OP_READ_LOCAL_EXT_FEATURES: return "Read Local Extended Features";
	case HCI_OP_READ_BUFFER_SIZE: return "Read Buffer Size";
	case HCI_OP_READ_BD_ADDR: return "Read BD_ADDR";
	case HCI_OP_LE_SET_EVENT_MASK: return "LE Set Event Mask";
	case HCI_OP_LE_READ_BUFFER_SIZE: return "LE Read Buffer Size";
	case HCI_OP_LE_READ_BUFFER_SIZE_V2: return "LE Read Buffer Size v2";
	case HCI_OP_LE_READ_LOCAL_FEATURES: return "LE Read Local Supported Features";
	case HCI_OP_LE_SET_ADV_PARAMS: return "LE Set Advertising Parameters";
	case HCI_OP_LE_SET_ADV_DATA: return "LE Set Advertising Data";
	case HCI_OP_LE_SET_ADV_ENABLE: return "LE Set Advertising Enable";
	case HCI_OP_LE_SET_SCAN_PARAMS: return "LE Set Scan Parameters";
	case HCI_OP_LE_SET_SCAN_ENABLE: return "LE Set Scan Enable";
	case HCI_OP_LE_CREATE_CONN: return "LE Create Connection";
	case HCI_OP_LE_CREATE_CONN_CANCEL: return "LE Create Connection Cancel";
	case HCI_OP_LE_CONN_UPDATE: return "LE Connection Update";
	case HCI_OP_LE_SET_DATA_LENGTH: return "LE Set Data Length";
	default:
		snprintf(buf, 8, "0x%04x", op);
		return buf;
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int hci_bdaddr_parse(const char *s, hci_bdaddr_t *out)
{
	if (!s)
		return L2K_EINVAL;
	for (int i = 5; i >= 0; i--) {
		int hi = hexval((unsigned char)s[0]);
		int lo = hi < 0 ? -1 : hexval((unsigned char)s[1]);
		if (hi < 0 || lo < 0)
			return L2K_EINVAL;
		out->b[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i > 0) {
			if (*s != ':')
				return L2K_EINVAL;
			s++;
		}
	}
	return *s == '\0' ? 0 : L2K_EINVAL;
}

void hci_bdaddr_str(const hci_bdaddr_t *a, char out[18])
{
	snprintf(out, 18, "%02X:%02X:%02X:%02X:%02X:%02X", a->b[5], a->b[4], a->b[3], a->b[2],
		 a->b[1], a->b[0]);
}
