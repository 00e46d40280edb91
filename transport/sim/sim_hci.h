/* HCI constants the simulated controller needs beyond base/hci_defs.h (Core Specification
 * Vol 4 Part E).  SIM_ prefixed so a later addition to hci_defs.h cannot clash. */
#ifndef L2K_SIM_HCI_H
#define L2K_SIM_HCI_H

#include "base/hci_defs.h"

/* Opcodes (Vol 4 Part E 7.1, 7.3, 7.8) */
#define SIM_OP_LE_ADD_ACCEPT_LIST 0x2011
#define SIM_OP_LE_REMOVE_ACCEPT_LIST 0x2012

/* Supported Commands bit positions (Vol 4 Part E 6.27) not in hci_defs.h; checked against
 * the spec's table as reproduced by Zephyr's hci.c and BlueZ's emulator/btdev.c. */
#define SIM_CMDBIT_WRITE_LOCAL_NAME HCI_CMDBIT(7, 0)
#define SIM_CMDBIT_WRITE_PAGE_TIMEOUT HCI_CMDBIT(7, 5)
#define SIM_CMDBIT_WRITE_CLASS_OF_DEV HCI_CMDBIT(9, 1)
#define SIM_CMDBIT_LE_ADD_ACCEPT_LIST HCI_CMDBIT(27, 0)
#define SIM_CMDBIT_LE_REMOVE_ACCEPT_LIST HCI_CMDBIT(27, 1)
#define SIM_CMDBIT_LE_READ_SUPPORTED_STATES HCI_CMDBIT(28, 3)
/* Read Local Supported Commands itself has no bit: octet 14 bit 4 is reserved. */
#define SIM_CMDBIT_NONE 0xFFFF

/* Event_Mask bits (Vol 4 Part E 7.3.1): for event codes 0x01..0x3F not listed as reserved the
 * bit is code - 1; LE Meta is bit 61.  Command Complete, Command Status and Number Of Completed
 * Packets cannot be masked. */
#define SIM_EVMASK_LE_META 61
#define SIM_EVMASK_DEFAULT 0x00001FFFFFFFFFFFull
/* LE_Event_Mask (Vol 4 Part E 7.8.1): subevent code - 1; default bits 0-4 */
#define SIM_LE_EVMASK_DEFAULT 0x000000000000001Full

/* LMP feature bits, page 0 (Vol 2 Part C 3.3) */
#define SIM_FEAT_3SLOT HCI_CMDBIT(0, 0)
#define SIM_FEAT_5SLOT HCI_CMDBIT(0, 1)
#define SIM_FEAT_ROLE_SWITCH HCI_CMDBIT(0, 5)
#define SIM_FEAT_EDR_ACL_2M HCI_CMDBIT(3, 1)
#define SIM_FEAT_EDR_ACL_3M HCI_CMDBIT(3, 2)
#define SIM_FEAT_3SLOT_EDR HCI_CMDBIT(4, 7)
#define SIM_FEAT_5SLOT_EDR HCI_CMDBIT(5, 0)
#define SIM_FEAT_SIMUL_LE_BREDR_CTRL HCI_CMDBIT(6, 1)
#define SIM_FEAT_NONFLUSH_PB HCI_CMDBIT(6, 6)

/* LE features (Vol 6 Part B 4.6) */
#define SIM_LEFEAT_CONN_PARAM_REQ 1
#define SIM_LEFEAT_PERIPH_FEAT_EXCH 3
#define SIM_LEFEAT_DATA_LEN_EXT 5

/* Advertising PDU types as used in LE Set Advertising Parameters (Vol 4 Part E 7.8.5) and the
 * Event_Type of the LE Advertising Report (7.7.65.2) */
#define SIM_ADV_IND 0x00
#define SIM_ADV_DIRECT_IND 0x01
#define SIM_ADV_SCAN_IND 0x02
#define SIM_ADV_NONCONN_IND 0x03
#define SIM_ADV_DIRECT_IND_LOW 0x04
#define SIM_REPORT_SCAN_RSP 0x04

#define SIM_ERR_ADV_TIMEOUT 0x3C
#define SIM_ERR_UNKNOWN_CONN_ID HCI_ERR_UNKNOWN_CONN_ID

/* Hardware_Code of the Hardware Error event the simulator sends when a host sends a command
 * while it holds no Num_HCI_Command_Packets credit (vendor-specific value). */
#define SIM_HWERR_CMD_OVERRUN 0x5C

#endif
