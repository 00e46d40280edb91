/* L2CAP constants and helpers (Bluetooth Core Specification v5.4, Vol 3 Part A).
 *
 * Section numbers below are those of Vol 3 Part A unless another volume is named.  Everything
 * here is a plain constant or a static inline helper: no state, no I/O, only C11. */
#ifndef L2K_L2CAP_DEFS_H
#define L2K_L2CAP_DEFS_H

#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"

/* ---- Channel identifiers (2.1, Tables 2.1 and 2.2) ---- */
#define L2CAP_CID_NULL 0x0000		/* never used as a destination */
#define L2CAP_CID_SIGNALING 0x0001	/* ACL-U signaling channel */
#define L2CAP_CID_CONNECTIONLESS 0x0002 /* ACL-U connectionless (G-frames) */
#define L2CAP_CID_AMP_MANAGER 0x0003	/* AMP Manager Protocol: withdrawn with AMP */
#define L2CAP_CID_ATT 0x0004		/* LE-U Attribute Protocol */
#define L2CAP_CID_LE_SIGNALING 0x0005	/* LE-U signaling channel */
#define L2CAP_CID_SMP 0x0006		/* LE-U Security Manager Protocol */
#define L2CAP_CID_BREDR_SMP 0x0007	/* ACL-U BR/EDR Security Manager */
#define L2CAP_CID_AMP_TEST 0x003F	/* AMP Test Manager: withdrawn */
#define L2CAP_CID_DYN_START 0x0040	/* first dynamically allocated CID (both links) */
#define L2CAP_CID_ACL_DYN_END 0xFFFF	/* ACL-U dynamic range 0x0040-0xFFFF */
#define L2CAP_CID_LE_DYN_END 0x007F	/* LE-U dynamic range 0x0040-0x007F */

static inline int l2cap_cid_is_acl_dynamic(uint16_t cid)
{
	return cid >= L2CAP_CID_DYN_START; /* upper bound is 0xFFFF */
}
static inline int l2cap_cid_is_le_dynamic(uint16_t cid)
{
	return cid >= L2CAP_CID_DYN_START && cid <= L2CAP_CID_LE_DYN_END;
}

/* ---- PSM and SPSM (4.2, 4.22) ----
 * A BR/EDR PSM is valid when the least significant bit of its least significant octet is 1
 * and the least significant bit of its most significant octet is 0 (so it is odd, and bit 8
 * is clear).  0x0001-0x0EFF are assigned by the SIG, 0x1000-0xFFFF are dynamic.
 * An LE SPSM is one octet wide in value: 0x0001-0x007F fixed (SIG-assigned), 0x0080-0x00FF
 * dynamic; 0x0000 and 0x0100-0xFFFF are reserved. */
#define L2CAP_PSM_SDP 0x0001
#define L2CAP_PSM_RFCOMM 0x0003
#define L2CAP_PSM_ATT 0x001F
#define L2CAP_PSM_EATT 0x0027
#define L2CAP_PSM_FIXED_MAX 0x0EFF
#define L2CAP_PSM_DYN_START 0x1000
#define L2CAP_SPSM_FIXED_START 0x0001
#define L2CAP_SPSM_FIXED_END 0x007F
#define L2CAP_SPSM_DYN_START 0x0080
#define L2CAP_SPSM_DYN_END 0x00FF

static inline int l2cap_psm_valid(uint16_t psm)
{
	return (psm & 0x0001) == 0x0001 && (psm & 0x0100) == 0;
}
static inline int l2cap_spsm_valid(uint16_t spsm)
{
	return spsm >= L2CAP_SPSM_FIXED_START && spsm <= L2CAP_SPSM_DYN_END;
}

/* ---- Frame layout sizes (3) ---- */
#define L2CAP_HDR_LEN 4	      /* basic header: Length(2) CID(2), 3.1 */
#define L2CAP_SIG_HDR_LEN 4   /* command header: Code(1) Identifier(1) Length(2), 4 */
#define L2CAP_CTRL_STD_LEN 2  /* standard / enhanced control field, 3.3.2 */
#define L2CAP_CTRL_EXT_LEN 4  /* extended control field, 3.3.2 */
#define L2CAP_SDU_LEN_LEN 2   /* L2CAP SDU Length field, 3.3.3 (I-frames) and 3.4.2 (K-frames) */
#define L2CAP_FCS_LEN 2	      /* Frame Check Sequence, 3.3.5 */
#define L2CAP_PSM_FIELD_LEN 2 /* PSM field of a G-frame, 3.2 */

/* ---- MTUs and defaults (5.1, 4, 3.4) ---- */
#define L2CAP_MIN_MTU_BREDR 48	   /* minimum MTU on ACL-U (5.1) */
#define L2CAP_MIN_MTU_LE 23	   /* minimum MTU on LE-U / LE credit based (4.22) */
#define L2CAP_MIN_MTU_ECFC 64	   /* minimum MTU for enhanced credit based (4.25) */
#define L2CAP_MIN_MPS_LE 23	   /* LE credit based MPS 23-65533 (4.22) */
#define L2CAP_MIN_MPS_ECFC 64	   /* enhanced credit based MPS 64-65533 (4.25) */
#define L2CAP_MAX_MPS_CREDIT 65533 /* both credit based modes */
#define L2CAP_DEFAULT_MTU 672	   /* MTU when not configured (5.1) */
#define L2CAP_SIG_MTU_MIN_BREDR 48 /* MTUsig minimum on ACL-U (4) */
#define L2CAP_SIG_MTU_MIN_LE 23	   /* MTUsig minimum on LE-U (4) */
#define L2CAP_ECFC_MAX_CIDS 5	   /* CIDs in one Credit Based Connection/Reconfigure (4.25) */
#define L2CAP_MAX_CREDITS 65535	   /* credit count above this is a protocol error (10.1) */

/* Flush timeout option values in milliseconds (5.2) */
#define L2CAP_FLUSH_TO_NO_RETX 0x0001 /* no retransmissions at the baseband */
#define L2CAP_FLUSH_TO_INFINITE 0xFFFF /* default: reliable channel */
#define L2CAP_DEFAULT_FLUSH_TO L2CAP_FLUSH_TO_INFINITE
#define L2CAP_EFS_FLUSH_TO_INFINITE 0xFFFFFFFFu /* EFS flush timeout in microseconds (5.6) */

/* Retransmission and Flow Control option defaults and limits (5.4) */
#define L2CAP_DEFAULT_RETX_TIMEOUT 2000	   /* ms, ERTM when the flush timeout is infinite */
#define L2CAP_DEFAULT_MONITOR_TIMEOUT 12000 /* ms, ERTM when the flush timeout is infinite */
#define L2CAP_TX_WINDOW_MAX_ERTM 63	   /* TxWindow 1-63 in ERTM (standard control field) */
#define L2CAP_TX_WINDOW_MAX_LEGACY 32	   /* TxWindow 1-32 in Retransmission/Flow Control */
#define L2CAP_EXT_WINDOW_MAX 0x3FFF	   /* Extended Window Size option 1-16383 (5.7) */
#define L2CAP_SEQ_MOD_STD 64		   /* TxSeq/ReqSeq modulus, 6-bit fields */
#define L2CAP_SEQ_MOD_EXT 16384		   /* TxSeq/ReqSeq modulus, 14-bit fields */

/* Signaling timers (6.2.1, 6.2.2), milliseconds */
#define L2CAP_RTX_MIN_MS 1000
#define L2CAP_RTX_MAX_MS 60000
#define L2CAP_ERTX_MIN_MS 60000
#define L2CAP_ERTX_MAX_MS 300000

/* ---- Signaling command codes (4, Table 4.2) ----
 * Allowed on: ACL-U = signaling channel 0x0001, LE-U = LE signaling channel 0x0005. */
#define L2CAP_COMMAND_REJECT_RSP 0x01		/* ACL-U, LE-U */
#define L2CAP_CONNECTION_REQ 0x02		/* ACL-U */
#define L2CAP_CONNECTION_RSP 0x03		/* ACL-U */
#define L2CAP_CONFIGURATION_REQ 0x04		/* ACL-U */
#define L2CAP_CONFIGURATION_RSP 0x05		/* ACL-U */
#define L2CAP_DISCONNECTION_REQ 0x06		/* ACL-U, LE-U */
#define L2CAP_DISCONNECTION_RSP 0x07		/* ACL-U, LE-U */
#define L2CAP_ECHO_REQ 0x08			/* ACL-U */
#define L2CAP_ECHO_RSP 0x09			/* ACL-U */
#define L2CAP_INFORMATION_REQ 0x0A		/* ACL-U */
#define L2CAP_INFORMATION_RSP 0x0B		/* ACL-U */
/* 0x0C-0x11: Create Channel / Move Channel (AMP), withdrawn; treat as unknown codes. */
#define L2CAP_CONN_PARAM_UPDATE_REQ 0x12	/* LE-U, sent by the peripheral only */
#define L2CAP_CONN_PARAM_UPDATE_RSP 0x13	/* LE-U */
#define L2CAP_LE_CREDIT_BASED_CONNECTION_REQ 0x14 /* LE-U */
#define L2CAP_LE_CREDIT_BASED_CONNECTION_RSP 0x15 /* LE-U */
#define L2CAP_FLOW_CONTROL_CREDIT_IND 0x16	/* ACL-U, LE-U */
#define L2CAP_CREDIT_BASED_CONNECTION_REQ 0x17	/* ACL-U, LE-U */
#define L2CAP_CREDIT_BASED_CONNECTION_RSP 0x18	/* ACL-U, LE-U */
#define L2CAP_CREDIT_BASED_RECONFIGURE_REQ 0x19 /* ACL-U, LE-U */
#define L2CAP_CREDIT_BASED_RECONFIGURE_RSP 0x1A /* ACL-U, LE-U */

/* Identifier 0x00 is illegal in any command (4). */
#define L2CAP_SIG_IDENT_INVALID 0x00

/* ---- Command Reject reasons (4.1, Table 4.3) ---- */
#define L2CAP_REJ_NOT_UNDERSTOOD 0x0000	 /* no data */
#define L2CAP_REJ_SIG_MTU_EXCEEDED 0x0001 /* data: actual MTUsig (2) */
#define L2CAP_REJ_INVALID_CID 0x0002	 /* data: local endpoint (2), remote endpoint (2) */

/* ---- Connection Response (4.3) ---- */
#define L2CAP_CR_SUCCESS 0x0000
#define L2CAP_CR_PENDING 0x0001
#define L2CAP_CR_PSM_NOT_SUPPORTED 0x0002
#define L2CAP_CR_SECURITY_BLOCK 0x0003
#define L2CAP_CR_NO_RESOURCES 0x0004
/* 0x0005 was "Controller ID not supported" (AMP), now reserved */
#define L2CAP_CR_INVALID_SCID 0x0006
#define L2CAP_CR_SCID_IN_USE 0x0007
/* Status, meaningful with result Pending */
#define L2CAP_CS_NO_INFO 0x0000
#define L2CAP_CS_AUTHENTICATION_PENDING 0x0001
#define L2CAP_CS_AUTHORIZATION_PENDING 0x0002

/* ---- Configuration Request/Response (4.4, 4.5) ---- */
#define L2CAP_CONF_FLAG_CONTINUATION 0x0001 /* C bit of the Flags field */
#define L2CAP_CONF_SUCCESS 0x0000
#define L2CAP_CONF_UNACCEPTABLE 0x0001	/* unacceptable parameters: Config carries the values */
#define L2CAP_CONF_REJECTED 0x0002	/* rejected, no reason provided */
#define L2CAP_CONF_UNKNOWN_OPTIONS 0x0003 /* Config carries the unknown option types */
#define L2CAP_CONF_PENDING 0x0004
#define L2CAP_CONF_FLOW_SPEC_REJECTED 0x0005
/* Configuration Requests l2kit takes from the peer on one channel over its life (continuation
 * packets and reconfigurations included).  The specification sets no number; negotiation
 * converges in a few lockstep rounds (7.1.3), so a peer past this one loops or attacks (Linux
 * bounds its counters of them since its counter-wrap fix).  The next one is answered Rejected
 * and the channel is disconnected. */
#define L2CAP_CONF_MAX_PEER_REQS 16

/* Configuration option types (5) and their exact lengths in octets */
#define L2CAP_CONF_OPT_MTU 0x01
#define L2CAP_CONF_OPT_FLUSH_TIMEOUT 0x02
#define L2CAP_CONF_OPT_QOS 0x03
#define L2CAP_CONF_OPT_RFC 0x04 /* Retransmission and Flow Control */
#define L2CAP_CONF_OPT_FCS 0x05
#define L2CAP_CONF_OPT_EFS 0x06 /* Extended Flow Specification */
#define L2CAP_CONF_OPT_EWS 0x07 /* Extended Window Size */
#define L2CAP_CONF_OPT_HINT 0x80 /* type bit 7: skip silently if not understood */
#define L2CAP_CONF_OPT_TYPE_MASK 0x7F
#define L2CAP_CONF_OPT_HDR_LEN 2
#define L2CAP_CONF_LEN_MTU 2
#define L2CAP_CONF_LEN_FLUSH_TIMEOUT 2
#define L2CAP_CONF_LEN_QOS 22
#define L2CAP_CONF_LEN_RFC 9
#define L2CAP_CONF_LEN_FCS 1
#define L2CAP_CONF_LEN_EFS 16
#define L2CAP_CONF_LEN_EWS 2

/* Channel modes, RFC option Mode field (5.4) */
#define L2CAP_MODE_BASIC 0x00
#define L2CAP_MODE_RETRANSMISSION 0x01
#define L2CAP_MODE_FLOW_CONTROL 0x02
#define L2CAP_MODE_ERTM 0x03
#define L2CAP_MODE_STREAMING 0x04

/* FCS option values (5.5) */
#define L2CAP_FCS_NONE 0x00
#define L2CAP_FCS_16BIT 0x01

/* QoS / EFS service types (5.3, 5.6) and QoS defaults */
#define L2CAP_SERVICE_NO_TRAFFIC 0x00
#define L2CAP_SERVICE_BEST_EFFORT 0x01
#define L2CAP_SERVICE_GUARANTEED 0x02
#define L2CAP_QOS_DEFAULT_LATENCY 0xFFFFFFFFu
#define L2CAP_QOS_DEFAULT_DELAY_VARIATION 0xFFFFFFFFu
#define L2CAP_EFS_DEFAULT_MAX_SDU 0xFFFF
#define L2CAP_EFS_DEFAULT_SDU_INTER_TIME 0xFFFFFFFFu
#define L2CAP_EFS_DEFAULT_ACCESS_LATENCY 0xFFFFFFFFu

/* ---- Disconnection, Echo: no result codes (4.6-4.9) ---- */

/* ---- Information Request/Response (4.10, 4.11) ---- */
#define L2CAP_INFO_CONNECTIONLESS_MTU 0x0001 /* data: 2 octets */
#define L2CAP_INFO_EXTENDED_FEATURES 0x0002  /* data: 4 octets, 4.12 */
#define L2CAP_INFO_FIXED_CHANNELS 0x0003     /* data: 8 octets, 4.13 */
#define L2CAP_INFO_SUCCESS 0x0000
#define L2CAP_INFO_NOT_SUPPORTED 0x0001

/* Extended feature mask bits (4.12, Table 4.13) */
#define L2CAP_FEAT_FLOW_CONTROL (1u << 0)
#define L2CAP_FEAT_RETRANSMISSION (1u << 1)
#define L2CAP_FEAT_BIDIR_QOS (1u << 2)
#define L2CAP_FEAT_ERTM (1u << 3)
#define L2CAP_FEAT_STREAMING (1u << 4)
#define L2CAP_FEAT_FCS (1u << 5)
#define L2CAP_FEAT_EXT_FLOW_SPEC (1u << 6)
#define L2CAP_FEAT_FIXED_CHANNELS (1u << 7)
#define L2CAP_FEAT_EXT_WINDOW (1u << 8)
#define L2CAP_FEAT_UCD (1u << 9) /* unicast connectionless data reception */
#define L2CAP_FEAT_ECFC (1u << 10) /* enhanced credit based flow control mode */
#define L2CAP_FEAT_EXTENSION (1u << 31) /* reserved for feature mask extension */

/* Fixed channels supported mask (4.13): bit N set = fixed channel with CID N supported. */
#define L2CAP_FIXED_CHAN_BIT(cid) ((uint64_t)1 << (cid))
#define L2CAP_FIXED_CHAN_SIGNALING L2CAP_FIXED_CHAN_BIT(L2CAP_CID_SIGNALING)
#define L2CAP_FIXED_CHAN_CONNECTIONLESS L2CAP_FIXED_CHAN_BIT(L2CAP_CID_CONNECTIONLESS)
#define L2CAP_FIXED_CHAN_BREDR_SMP L2CAP_FIXED_CHAN_BIT(L2CAP_CID_BREDR_SMP)

/* ---- Connection Parameter Update (4.20, 4.21; ranges from Vol 6 Part B 4.5.1) ---- */
#define L2CAP_CPU_ACCEPTED 0x0000
#define L2CAP_CPU_REJECTED 0x0001
#define L2CAP_CPU_INTERVAL_MIN 0x0006	/* units of 1.25 ms */
#define L2CAP_CPU_INTERVAL_MAX 0x0C80
#define L2CAP_CPU_LATENCY_MAX 0x01F3
#define L2CAP_CPU_TIMEOUT_MIN 0x000A	/* units of 10 ms */
#define L2CAP_CPU_TIMEOUT_MAX 0x0C80

/* ---- LE Credit Based Connection Response results (4.23) ---- */
#define L2CAP_LE_SUCCESS 0x0000
#define L2CAP_LE_SPSM_NOT_SUPPORTED 0x0002
#define L2CAP_LE_NO_RESOURCES 0x0004
#define L2CAP_LE_INSUFF_AUTHENTICATION 0x0005
#define L2CAP_LE_INSUFF_AUTHORIZATION 0x0006
#define L2CAP_LE_INSUFF_KEY_SIZE 0x0007
#define L2CAP_LE_INSUFF_ENCRYPTION 0x0008
#define L2CAP_LE_INVALID_SCID 0x0009
#define L2CAP_LE_SCID_IN_USE 0x000A
#define L2CAP_LE_UNACCEPTABLE_PARAMS 0x000B
#define L2CAP_LE_INVALID_PARAMS 0x000C

/* ---- Credit Based Connection Response results (4.26) ---- */
#define L2CAP_ECFC_SUCCESS 0x0000		/* all connections successful */
#define L2CAP_ECFC_SPSM_NOT_SUPPORTED 0x0002	/* all refused */
#define L2CAP_ECFC_SOME_NO_RESOURCES 0x0004	/* some refused */
#define L2CAP_ECFC_INSUFF_AUTHENTICATION 0x0005 /* all refused */
#define L2CAP_ECFC_INSUFF_AUTHORIZATION 0x0006	/* all refused */
#define L2CAP_ECFC_INSUFF_KEY_SIZE 0x0007	/* all refused */
#define L2CAP_ECFC_INSUFF_ENCRYPTION 0x0008	/* all refused */
#define L2CAP_ECFC_SOME_INVALID_SCID 0x0009	/* some refused */
#define L2CAP_ECFC_SOME_SCID_IN_USE 0x000A	/* some refused */
#define L2CAP_ECFC_UNACCEPTABLE_PARAMS 0x000B	/* all refused */
#define L2CAP_ECFC_INVALID_PARAMS 0x000C	/* all refused */
#define L2CAP_ECFC_PENDING_NO_INFO 0x000D	/* all pending */
#define L2CAP_ECFC_PENDING_AUTHENTICATION 0x000E
#define L2CAP_ECFC_PENDING_AUTHORIZATION 0x000F

/* ---- Credit Based Reconfigure Response results (4.28) ---- */
#define L2CAP_RECONF_SUCCESS 0x0000
#define L2CAP_RECONF_MTU_REDUCED 0x0001	  /* reduction of the MTU not allowed */
#define L2CAP_RECONF_MPS_REDUCED 0x0002	  /* MPS reduction not allowed (several channels) */
#define L2CAP_RECONF_INVALID_DCID 0x0003  /* one or more Destination CIDs invalid */
#define L2CAP_RECONF_UNACCEPTABLE 0x0004  /* other unacceptable parameters */

/* ---- Control field values (3.3.2) ---- */
#define L2CAP_FRAME_I 0 /* Type bit 0 = 0 */
#define L2CAP_FRAME_S 1 /* Type bit 0 = 1 */
/* Segmentation and Reassembly, Table 3.4 */
#define L2CAP_SAR_UNSEGMENTED 0x0
#define L2CAP_SAR_START 0x1 /* the I-frame carries the 2-octet SDU Length field */
#define L2CAP_SAR_END 0x2
#define L2CAP_SAR_CONTINUE 0x3
/* Supervisory function, Table 3.5 */
#define L2CAP_S_RR 0x0	 /* Receiver Ready */
#define L2CAP_S_REJ 0x1	 /* Reject */
#define L2CAP_S_RNR 0x2	 /* Receiver Not Ready */
#define L2CAP_S_SREJ 0x3 /* Selective Reject */

#endif
