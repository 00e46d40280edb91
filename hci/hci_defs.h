/* HCI constants and little-endian helpers (Core Specification Vol 4 Part E).
 *
 * Shared by the host (hci/) and the simulated controller (transport/sim/).
 * Only C11; no operating system headers. */
#ifndef L2K_HCI_DEFS_H
#define L2K_HCI_DEFS_H

#include <stddef.h>
#include <stdint.h>

/* H4 packet indicators (Vol 4 Part A, 2) */
#define HCI_H4_CMD 0x01
#define HCI_H4_ACL 0x02
#define HCI_H4_SCO 0x03
#define HCI_H4_EVT 0x04
#define HCI_H4_ISO 0x05

/* Header sizes (without the H4 indicator) */
#define HCI_CMD_HDR 3 /* opcode(2) plen(1) */
#define HCI_EVT_HDR 2 /* code(1) plen(1) */
#define HCI_ACL_HDR 4 /* handle+flags(2) dlen(2) */
#define HCI_SCO_HDR 3
#define HCI_ISO_HDR 4
#define HCI_MAX_CMD_PARAM 255
#define HCI_MAX_EVT_PARAM 255
#define HCI_MAX_ACL_DATA 65535

/* ACL header: handle (12 bits), Packet_Boundary (2), Broadcast (2) (Vol 4 Part E, 5.4.2) */
#define HCI_ACL_HANDLE(hf) ((uint16_t)((hf)&0x0FFF))
#define HCI_ACL_PB(hf) ((uint8_t)(((hf) >> 12) & 0x3))
#define HCI_ACL_BC(hf) ((uint8_t)(((hf) >> 14) & 0x3))
#define HCI_ACL_PB_START_NOFLUSH 0x0 /* host to controller, first non-automatically-flushable */
#define HCI_ACL_PB_CONT 0x1
#define HCI_ACL_PB_START 0x2 /* first automatically flushable */
#define HCI_ACL_PB_COMPLETE 0x3
#define HCI_MAX_HANDLE 0x0EFF

#define HCI_OP(ogf, ocf) ((uint16_t)(((ogf) << 10) | (ocf)))
#define HCI_OGF(op) ((uint16_t)((op) >> 10))
#define HCI_OCF(op) ((uint16_t)((op)&0x03FF))

/* Link Control (OGF 0x01) */
#define HCI_OP_INQUIRY 0x0401
#define HCI_OP_INQUIRY_CANCEL 0x0402
#define HCI_OP_CREATE_CONN 0x0405
#define HCI_OP_DISCONNECT 0x0406
#define HCI_OP_CREATE_CONN_CANCEL 0x0408
#define HCI_OP_ACCEPT_CONN_REQ 0x0409
#define HCI_OP_REJECT_CONN_REQ 0x040A
#define HCI_OP_REMOTE_NAME_REQ 0x0419
#define HCI_OP_READ_REMOTE_FEATURES 0x041B
#define HCI_OP_READ_REMOTE_EXT_FEATURES 0x041C
#define HCI_OP_READ_REMOTE_VERSION 0x041D
/* security (Vol 4 Part E 7.1.10 - 7.1.53) */
#define HCI_OP_LINK_KEY_REPLY 0x040B	    /* BD_ADDR Link_Key(16) -> Status BD_ADDR */
#define HCI_OP_LINK_KEY_NEG_REPLY 0x040C    /* BD_ADDR -> Status BD_ADDR */
#define HCI_OP_PIN_CODE_REPLY 0x040D	    /* BD_ADDR PIN_Code_Length PIN_Code(16) -> Status BD_ADDR */
#define HCI_OP_PIN_CODE_NEG_REPLY 0x040E    /* BD_ADDR -> Status BD_ADDR */
#define HCI_OP_AUTH_REQUESTED 0x0411	    /* Connection_Handle; Command Status */
#define HCI_OP_SET_CONN_ENCRYPT 0x0413	    /* Connection_Handle Encryption_Enable; Command Status */
#define HCI_OP_IO_CAP_REPLY 0x042B	    /* BD_ADDR IO_Capability OOB_Data_Present Authentication_Requirements */
#define HCI_OP_USER_CONFIRM_REPLY 0x042C    /* BD_ADDR -> Status BD_ADDR */
#define HCI_OP_USER_CONFIRM_NEG_REPLY 0x042D /* BD_ADDR -> Status BD_ADDR */
#define HCI_OP_USER_PASSKEY_REPLY 0x042E    /* BD_ADDR Numeric_Value(4) -> Status BD_ADDR */
#define HCI_OP_USER_PASSKEY_NEG_REPLY 0x042F /* BD_ADDR -> Status BD_ADDR */
#define HCI_OP_REMOTE_OOB_REPLY 0x0430	    /* BD_ADDR C(16) R(16) -> Status BD_ADDR */
#define HCI_OP_REMOTE_OOB_NEG_REPLY 0x0433  /* BD_ADDR -> Status BD_ADDR */
#define HCI_OP_IO_CAP_NEG_REPLY 0x0434	    /* BD_ADDR Reason -> Status BD_ADDR */
#define HCI_OP_REMOTE_OOB_EXT_REPLY 0x0445  /* BD_ADDR C_192 R_192 C_256 R_256 -> Status BD_ADDR */
/* Controller & Baseband (OGF 0x03) */
#define HCI_OP_SET_EVENT_MASK 0x0C01
#define HCI_OP_RESET 0x0C03
#define HCI_OP_WRITE_LOCAL_NAME 0x0C13
#define HCI_OP_WRITE_PAGE_TIMEOUT 0x0C18
#define HCI_OP_READ_AUTH_ENABLE 0x0C1F
#define HCI_OP_WRITE_AUTH_ENABLE 0x0C20
#define HCI_OP_WRITE_SCAN_ENABLE 0x0C1A
#define HCI_OP_WRITE_CLASS_OF_DEV 0x0C24
#define HCI_OP_SET_CTRL_TO_HOST_FC 0x0C31
#define HCI_OP_HOST_BUFFER_SIZE 0x0C33
#define HCI_OP_HOST_NUM_COMPLETED 0x0C35
#define HCI_OP_WRITE_INQUIRY_MODE 0x0C45
#define HCI_OP_REFRESH_ENCRYPTION_KEY 0x0C53 /* Connection_Handle; Command Status */
#define HCI_OP_READ_SSP_MODE 0x0C55
#define HCI_OP_WRITE_SSP_MODE 0x0C56
#define HCI_OP_READ_LOCAL_OOB_DATA 0x0C57   /* -> Status C(16) R(16) */
#define HCI_OP_SEND_KEYPRESS_NOTIF 0x0C60   /* BD_ADDR Notification_Type -> Status BD_ADDR */
#define HCI_OP_SET_EVENT_MASK_PAGE2 0x0C63
#define HCI_OP_READ_LE_HOST_SUPPORTED 0x0C6C
#define HCI_OP_WRITE_LE_HOST_SUPPORTED 0x0C6D
#define HCI_OP_READ_SC_HOST_SUPPORT 0x0C79
#define HCI_OP_WRITE_SC_HOST_SUPPORT 0x0C7A
#define HCI_OP_READ_LOCAL_OOB_EXT_DATA 0x0C7D /* -> Status C_192 R_192 C_256 R_256 */
/* Informational (OGF 0x04) */
#define HCI_OP_READ_LOCAL_VERSION 0x1001
#define HCI_OP_READ_LOCAL_COMMANDS 0x1002
#define HCI_OP_READ_LOCAL_FEATURES 0x1003
#define HCI_OP_READ_LOCAL_EXT_FEATURES 0x1004
#define HCI_OP_READ_BUFFER_SIZE 0x1005
#define HCI_OP_READ_BD_ADDR 0x1009
/* Status Parameters (OGF 0x05) */
#define HCI_OP_READ_ENCRYPTION_KEY_SIZE 0x1408 /* Connection_Handle -> Status Handle Key_Size */
/* LE Controller (OGF 0x08) */
#define HCI_OP_LE_SET_EVENT_MASK 0x2001
#define HCI_OP_LE_READ_BUFFER_SIZE 0x2002
#define HCI_OP_LE_READ_LOCAL_FEATURES 0x2003
#define HCI_OP_LE_SET_RANDOM_ADDR 0x2005
#define HCI_OP_LE_SET_ADV_PARAMS 0x2006
#define HCI_OP_LE_READ_ADV_TX_POWER 0x2007
#define HCI_OP_LE_SET_ADV_DATA 0x2008
#define HCI_OP_LE_SET_SCAN_RSP_DATA 0x2009
#define HCI_OP_LE_SET_ADV_ENABLE 0x200A
#define HCI_OP_LE_SET_SCAN_PARAMS 0x200B
#define HCI_OP_LE_SET_SCAN_ENABLE 0x200C
#define HCI_OP_LE_CREATE_CONN 0x200D
#define HCI_OP_LE_CREATE_CONN_CANCEL 0x200E
#define HCI_OP_LE_READ_ACCEPT_LIST_SIZE 0x200F
#define HCI_OP_LE_CLEAR_ACCEPT_LIST 0x2010
#define HCI_OP_LE_CONN_UPDATE 0x2013
#define HCI_OP_LE_READ_REMOTE_FEATURES 0x2016
#define HCI_OP_LE_ENCRYPT 0x2017	     /* Key(16) Plaintext(16) -> Status Encrypted_Data(16) */
#define HCI_OP_LE_RAND 0x2018		     /* -> Status Random_Number(8) */
#define HCI_OP_LE_ENABLE_ENCRYPTION 0x2019 /* Handle Random(8) EDIV(2) LTK(16); Command Status */
#define HCI_OP_LE_LTK_REPLY 0x201A	     /* Handle LTK(16) -> Status Handle */
#define HCI_OP_LE_LTK_NEG_REPLY 0x201B	     /* Handle -> Status Handle */
#define HCI_OP_LE_READ_SUPPORTED_STATES 0x201C
#define HCI_OP_LE_REMOTE_CONN_PARAM_REPLY 0x2020
#define HCI_OP_LE_REMOTE_CONN_PARAM_NEG_REPLY 0x2021
#define HCI_OP_LE_SET_DATA_LENGTH 0x2022
#define HCI_OP_LE_READ_DEFAULT_DATA_LENGTH 0x2023
#define HCI_OP_LE_WRITE_DEFAULT_DATA_LENGTH 0x2024
#define HCI_OP_LE_READ_MAX_DATA_LENGTH 0x202F
#define HCI_OP_LE_READ_BUFFER_SIZE_V2 0x2060

/* Events */
#define HCI_EV_INQUIRY_COMPLETE 0x01
#define HCI_EV_CONN_COMPLETE 0x03
#define HCI_EV_CONN_REQUEST 0x04
#define HCI_EV_DISCONN_COMPLETE 0x05
#define HCI_EV_AUTH_COMPLETE 0x06	     /* Status Connection_Handle */
#define HCI_EV_ENCRYPT_CHANGE 0x08	     /* Status Connection_Handle Encryption_Enabled */
#define HCI_EV_REMOTE_FEATURES 0x0B
#define HCI_EV_REMOTE_VERSION 0x0C
#define HCI_EV_CMD_COMPLETE 0x0E
#define HCI_EV_CMD_STATUS 0x0F
#define HCI_EV_HARDWARE_ERROR 0x10
#define HCI_EV_ROLE_CHANGE 0x12
#define HCI_EV_NUM_COMPLETED 0x13
#define HCI_EV_PIN_CODE_REQUEST 0x16	     /* BD_ADDR */
#define HCI_EV_LINK_KEY_REQUEST 0x17	     /* BD_ADDR */
#define HCI_EV_LINK_KEY_NOTIFICATION 0x18   /* BD_ADDR Link_Key(16) Key_Type */
#define HCI_EV_DATA_BUFFER_OVERFLOW 0x1A
#define HCI_EV_MAX_SLOTS_CHANGE 0x1B
#define HCI_EV_REMOTE_EXT_FEATURES 0x23     /* Status Handle Page Max_Page Features(8) */
#define HCI_EV_ENCRYPT_KEY_REFRESH 0x30     /* Status Connection_Handle */
#define HCI_EV_IO_CAP_REQUEST 0x31	     /* BD_ADDR */
#define HCI_EV_IO_CAP_RESPONSE 0x32	     /* BD_ADDR IO_Capability OOB_Data_Present Auth_Requirements */
#define HCI_EV_USER_CONFIRM_REQUEST 0x33    /* BD_ADDR Numeric_Value(4) */
#define HCI_EV_USER_PASSKEY_REQUEST 0x34    /* BD_ADDR */
#define HCI_EV_REMOTE_OOB_REQUEST 0x35	     /* BD_ADDR */
#define HCI_EV_SIMPLE_PAIRING_COMPLETE 0x36 /* Status BD_ADDR */
#define HCI_EV_USER_PASSKEY_NOTIFICATION 0x3B /* BD_ADDR Passkey(4) */
#define HCI_EV_KEYPRESS_NOTIFICATION 0x3C   /* BD_ADDR Notification_Type */
#define HCI_EV_LE_META 0x3E
#define HCI_EV_ENCRYPT_CHANGE_V2 0x59	     /* Status Handle Encryption_Enabled Encryption_Key_Size */
#define HCI_EV_VENDOR 0xFF

/* LE Meta subevents */
#define HCI_LE_CONN_COMPLETE 0x01
#define HCI_LE_ADV_REPORT 0x02
#define HCI_LE_CONN_UPDATE_COMPLETE 0x03
#define HCI_LE_REMOTE_FEATURES 0x04
#define HCI_LE_LTK_REQUEST 0x05
#define HCI_LE_REMOTE_CONN_PARAM_REQ 0x06
#define HCI_LE_DATA_LENGTH_CHANGE 0x07
#define HCI_LE_ENH_CONN_COMPLETE 0x0A

/* Error codes (Vol 1 Part F) */
#define HCI_SUCCESS 0x00
#define HCI_ERR_UNKNOWN_COMMAND 0x01
#define HCI_ERR_UNKNOWN_CONN_ID 0x02
#define HCI_ERR_HARDWARE_FAILURE 0x03
#define HCI_ERR_PAGE_TIMEOUT 0x04
#define HCI_ERR_AUTH_FAILURE 0x05
#define HCI_ERR_PIN_OR_KEY_MISSING 0x06
#define HCI_ERR_MEMORY_FULL 0x07
#define HCI_ERR_CONN_TIMEOUT 0x08
#define HCI_ERR_CONN_LIMIT 0x09
#define HCI_ERR_ACL_EXISTS 0x0B
#define HCI_ERR_COMMAND_DISALLOWED 0x0C
#define HCI_ERR_REJ_LIMITED_RESOURCES 0x0D
#define HCI_ERR_REJ_SECURITY 0x0E
#define HCI_ERR_REJ_BAD_ADDR 0x0F
#define HCI_ERR_ACCEPT_TIMEOUT 0x10
#define HCI_ERR_UNSUPPORTED 0x11
#define HCI_ERR_INVALID_PARAMS 0x12
#define HCI_ERR_REMOTE_USER_TERM 0x13
#define HCI_ERR_REMOTE_LOW_RESOURCES 0x14
#define HCI_ERR_REMOTE_POWER_OFF 0x15
#define HCI_ERR_LOCAL_HOST_TERM 0x16
#define HCI_ERR_REPEATED_ATTEMPTS 0x17
#define HCI_ERR_PAIRING_NOT_ALLOWED 0x18
#define HCI_ERR_UNSUPPORTED_REMOTE 0x1A
#define HCI_ERR_UNSPECIFIED 0x1F
#define HCI_ERR_INVALID_LL_PARAMS 0x1E
#define HCI_ERR_LL_RESPONSE_TIMEOUT 0x22 /* also LMP Response Timeout */
#define HCI_ERR_ENC_MODE_NOT_ACCEPTABLE 0x25
#define HCI_ERR_UNIT_KEY_NOT_SUPPORTED 0x29
#define HCI_ERR_INSUFFICIENT_SECURITY 0x2F
#define HCI_ERR_SSP_NOT_SUPPORTED_BY_HOST 0x37
#define HCI_ERR_UNACCEPTABLE_CONN_PARAMS 0x3B
#define HCI_ERR_MIC_FAILURE 0x3D /* Connection Terminated due to MIC Failure */
#define HCI_ERR_CONN_FAILED_ESTABLISH 0x3E
#define HCI_ERR_UNKNOWN_ADV_ID 0x42

/* Supported Commands bitmap (Read Local Supported Commands, Vol 4 Part E 6.27):
 * bit index = octet * 8 + bit. */
#define HCI_CMDBIT(octet, bit) ((uint16_t)((octet)*8 + (bit)))
#define HCI_CMDBIT_CREATE_CONN HCI_CMDBIT(0, 4)
#define HCI_CMDBIT_DISCONNECT HCI_CMDBIT(0, 5)
#define HCI_CMDBIT_CREATE_CONN_CANCEL HCI_CMDBIT(0, 7)
#define HCI_CMDBIT_ACCEPT_CONN_REQ HCI_CMDBIT(1, 0)
#define HCI_CMDBIT_REJECT_CONN_REQ HCI_CMDBIT(1, 1)
#define HCI_CMDBIT_LINK_KEY_REPLY HCI_CMDBIT(1, 2)
#define HCI_CMDBIT_LINK_KEY_NEG_REPLY HCI_CMDBIT(1, 3)
#define HCI_CMDBIT_PIN_CODE_REPLY HCI_CMDBIT(1, 4)
#define HCI_CMDBIT_PIN_CODE_NEG_REPLY HCI_CMDBIT(1, 5)
#define HCI_CMDBIT_AUTH_REQUESTED HCI_CMDBIT(1, 7)
#define HCI_CMDBIT_SET_CONN_ENCRYPT HCI_CMDBIT(2, 0)
#define HCI_CMDBIT_READ_REMOTE_FEATURES HCI_CMDBIT(2, 5)
#define HCI_CMDBIT_READ_REMOTE_EXT_FEATURES HCI_CMDBIT(2, 6)
#define HCI_CMDBIT_READ_REMOTE_VERSION HCI_CMDBIT(2, 7)
#define HCI_CMDBIT_SET_EVENT_MASK HCI_CMDBIT(5, 6)
#define HCI_CMDBIT_RESET HCI_CMDBIT(5, 7)
#define HCI_CMDBIT_WRITE_SCAN_ENABLE HCI_CMDBIT(7, 7)
#define HCI_CMDBIT_SET_CTRL_TO_HOST_FC HCI_CMDBIT(10, 5)
#define HCI_CMDBIT_HOST_BUFFER_SIZE HCI_CMDBIT(10, 6)
#define HCI_CMDBIT_HOST_NUM_COMPLETED HCI_CMDBIT(10, 7)
#define HCI_CMDBIT_READ_LOCAL_VERSION HCI_CMDBIT(14, 3)
#define HCI_CMDBIT_READ_LOCAL_FEATURES HCI_CMDBIT(14, 5)
#define HCI_CMDBIT_READ_LOCAL_EXT_FEATURES HCI_CMDBIT(14, 6)
#define HCI_CMDBIT_READ_BUFFER_SIZE HCI_CMDBIT(14, 7)
#define HCI_CMDBIT_READ_BD_ADDR HCI_CMDBIT(15, 1)
#define HCI_CMDBIT_REFRESH_ENCRYPTION_KEY HCI_CMDBIT(17, 2)
#define HCI_CMDBIT_READ_SSP_MODE HCI_CMDBIT(17, 5)
#define HCI_CMDBIT_WRITE_SSP_MODE HCI_CMDBIT(17, 6)
#define HCI_CMDBIT_READ_LOCAL_OOB_DATA HCI_CMDBIT(17, 7)
#define HCI_CMDBIT_IO_CAP_REPLY HCI_CMDBIT(18, 7)
#define HCI_CMDBIT_USER_CONFIRM_REPLY HCI_CMDBIT(19, 0)
#define HCI_CMDBIT_USER_CONFIRM_NEG_REPLY HCI_CMDBIT(19, 1)
#define HCI_CMDBIT_USER_PASSKEY_REPLY HCI_CMDBIT(19, 2)
#define HCI_CMDBIT_USER_PASSKEY_NEG_REPLY HCI_CMDBIT(19, 3)
#define HCI_CMDBIT_REMOTE_OOB_REPLY HCI_CMDBIT(19, 4)
#define HCI_CMDBIT_REMOTE_OOB_NEG_REPLY HCI_CMDBIT(19, 7)
#define HCI_CMDBIT_SEND_KEYPRESS_NOTIF HCI_CMDBIT(20, 2)
#define HCI_CMDBIT_IO_CAP_NEG_REPLY HCI_CMDBIT(20, 3)
#define HCI_CMDBIT_READ_ENCRYPTION_KEY_SIZE HCI_CMDBIT(20, 4)
#define HCI_CMDBIT_SET_EVENT_MASK_PAGE2 HCI_CMDBIT(22, 2)
#define HCI_CMDBIT_READ_LE_HOST_SUPPORTED HCI_CMDBIT(24, 5)
#define HCI_CMDBIT_WRITE_LE_HOST_SUPPORTED HCI_CMDBIT(24, 6)
#define HCI_CMDBIT_LE_SET_EVENT_MASK HCI_CMDBIT(25, 0)
#define HCI_CMDBIT_LE_READ_BUFFER_SIZE HCI_CMDBIT(25, 1)
#define HCI_CMDBIT_LE_READ_LOCAL_FEATURES HCI_CMDBIT(25, 2)
#define HCI_CMDBIT_LE_SET_RANDOM_ADDR HCI_CMDBIT(25, 4)
#define HCI_CMDBIT_LE_SET_ADV_PARAMS HCI_CMDBIT(25, 5)
#define HCI_CMDBIT_LE_READ_ADV_TX_POWER HCI_CMDBIT(25, 6)
#define HCI_CMDBIT_LE_SET_ADV_DATA HCI_CMDBIT(25, 7)
#define HCI_CMDBIT_LE_SET_SCAN_RSP_DATA HCI_CMDBIT(26, 0)
#define HCI_CMDBIT_LE_SET_ADV_ENABLE HCI_CMDBIT(26, 1)
#define HCI_CMDBIT_LE_SET_SCAN_PARAMS HCI_CMDBIT(26, 2)
#define HCI_CMDBIT_LE_SET_SCAN_ENABLE HCI_CMDBIT(26, 3)
#define HCI_CMDBIT_LE_CREATE_CONN HCI_CMDBIT(26, 4)
#define HCI_CMDBIT_LE_CREATE_CONN_CANCEL HCI_CMDBIT(26, 5)
#define HCI_CMDBIT_LE_READ_ACCEPT_LIST_SIZE HCI_CMDBIT(26, 6)
#define HCI_CMDBIT_LE_CLEAR_ACCEPT_LIST HCI_CMDBIT(26, 7)
#define HCI_CMDBIT_LE_CONN_UPDATE HCI_CMDBIT(27, 2)
#define HCI_CMDBIT_LE_READ_REMOTE_FEATURES HCI_CMDBIT(27, 5)
#define HCI_CMDBIT_LE_ENCRYPT HCI_CMDBIT(27, 6)
#define HCI_CMDBIT_LE_RAND HCI_CMDBIT(27, 7)
#define HCI_CMDBIT_LE_ENABLE_ENCRYPTION HCI_CMDBIT(28, 0)
#define HCI_CMDBIT_LE_LTK_REPLY HCI_CMDBIT(28, 1)
#define HCI_CMDBIT_LE_LTK_NEG_REPLY HCI_CMDBIT(28, 2)
#define HCI_CMDBIT_REMOTE_OOB_EXT_REPLY HCI_CMDBIT(32, 1)
#define HCI_CMDBIT_READ_SC_HOST_SUPPORT HCI_CMDBIT(32, 2)
#define HCI_CMDBIT_WRITE_SC_HOST_SUPPORT HCI_CMDBIT(32, 3)
#define HCI_CMDBIT_READ_LOCAL_OOB_EXT_DATA HCI_CMDBIT(32, 6)
#define HCI_CMDBIT_LE_REMOTE_CONN_PARAM_REPLY HCI_CMDBIT(33, 4)
#define HCI_CMDBIT_LE_REMOTE_CONN_PARAM_NEG_REPLY HCI_CMDBIT(33, 5)
#define HCI_CMDBIT_LE_SET_DATA_LENGTH HCI_CMDBIT(33, 6)
#define HCI_CMDBIT_LE_READ_DEFAULT_DATA_LENGTH HCI_CMDBIT(33, 7)
#define HCI_CMDBIT_LE_WRITE_DEFAULT_DATA_LENGTH HCI_CMDBIT(34, 0)
#define HCI_CMDBIT_LE_READ_MAX_DATA_LENGTH HCI_CMDBIT(35, 3)
#define HCI_CMDBIT_LE_READ_BUFFER_SIZE_V2 HCI_CMDBIT(41, 5)

/* LMP feature bits (Vol 2 Part C, 3.3), page 0: bit index = octet * 8 + bit */
#define HCI_FEAT_ENCRYPTION HCI_CMDBIT(0, 2)
#define HCI_FEAT_BREDR_NOT_SUPPORTED HCI_CMDBIT(4, 5)
#define HCI_FEAT_LE_SUPPORTED_CTRL HCI_CMDBIT(4, 6)
#define HCI_FEAT_PAUSE_ENCRYPTION HCI_CMDBIT(5, 2)
#define HCI_FEAT_SSP_CTRL HCI_CMDBIT(6, 3)
#define HCI_FEAT_ENCAPSULATED_PDU HCI_CMDBIT(6, 4)
#define HCI_FEAT_EXTENDED_FEATURES HCI_CMDBIT(7, 7)
/* page 1 (host features) */
#define HCI_FEAT1_SSP_HOST HCI_CMDBIT(0, 0)
#define HCI_FEAT1_LE_HOST HCI_CMDBIT(0, 1)
#define HCI_FEAT1_SIMUL_LE_BREDR_HOST HCI_CMDBIT(0, 2)
#define HCI_FEAT1_SC_HOST HCI_CMDBIT(0, 3)
/* page 2 */
#define HCI_FEAT2_SC_CTRL HCI_CMDBIT(1, 0)
/* LE features (Vol 6 Part B 4.6): bit index */
#define HCI_LEFEAT_ENCRYPTION 0
#define HCI_LEFEAT_EXT_REJECT_IND 2

/* Event_Mask bit of an event (Set Event Mask, Vol 4 Part E 7.3.1): code - 1 for codes
 * 0x01..0x3F; Set Event Mask Page 2 (7.3.69) covers codes 0x40..0x7F as bit code - 0x40
 * (Encryption Change [v2], 0x59, is page 2 bit 25). */
#define HCI_EVMASK_BIT(code) ((code)-1u)
#define HCI_EVMASK2_BIT(code) ((code)-0x40u)

/* Security parameters (Vol 4 Part E 7.1.29, 7.7.24, 7.7.8) */
#define HCI_IO_DISPLAY_ONLY 0x00
#define HCI_IO_DISPLAY_YES_NO 0x01
#define HCI_IO_KEYBOARD_ONLY 0x02
#define HCI_IO_NO_INPUT_OUTPUT 0x03
#define HCI_AUTHREQ_MITM 0x01 /* bit 0 of Authentication_Requirements (0x00..0x05) */
#define HCI_LINK_KEY_COMBINATION 0x00
#define HCI_LINK_KEY_DEBUG 0x03
#define HCI_LINK_KEY_UNAUTH_P192 0x04
#define HCI_LINK_KEY_AUTH_P192 0x05
#define HCI_LINK_KEY_CHANGED_COMBINATION 0x06
#define HCI_LINK_KEY_UNAUTH_P256 0x07
#define HCI_LINK_KEY_AUTH_P256 0x08
#define HCI_ENC_OFF 0x00
#define HCI_ENC_E0 0x01	     /* BR/EDR E0; on LE links: AES-CCM */
#define HCI_ENC_AES_CCM 0x02 /* BR/EDR AES-CCM (reported when Secure Connections host support is on) */

static inline int hci_bit_test(const uint8_t *bitmap, size_t octets, uint16_t bit)
{
	size_t o = bit / 8u;
	return o < octets && (bitmap[o] >> (bit % 8u)) & 1u;
}

static inline uint16_t hci_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t hci_get24(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16);
}
static inline uint32_t hci_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline void hci_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static inline void hci_put24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
}
static inline void hci_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* A Bluetooth device address in wire order: b[0] is the least significant octet.
 * Printed (and parsed) most significant first: "00:AA:01:00:00:01". */
typedef struct {
	uint8_t b[6];
} hci_bdaddr_t;

/* Address types as carried in LE commands/events (Vol 4 Part E 7.8.12) */
#define HCI_ADDR_LE_PUBLIC 0x00
#define HCI_ADDR_LE_RANDOM 0x01

#endif
