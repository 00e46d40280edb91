/* l2kit's public vocabulary: addresses, channel modes, channel options, callbacks, channel
 * information, connection results.  Part of the public API, included by <l2kit/l2kit.h> (which
 * declares the functions that use these types); the L2CAP engine (core/) speaks it too, which
 * is why it lives apart from the functions of the public face. */
#ifndef L2K_TYPES_H
#define L2K_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A Bluetooth device address; b[0] is the least significant octet (wire order). */
typedef struct {
	uint8_t b[6];
} l2k_addr;

/* Link (address) types */
enum l2k_addr_type {
	L2K_ADDR_BREDR = 0,
	L2K_ADDR_LE_PUBLIC = 1,
	L2K_ADDR_LE_RANDOM = 2,
};

typedef struct l2k_chan l2k_chan;
typedef struct l2k_server l2k_server;

enum l2k_mode {
	L2K_MODE_BASIC = 0x00,	    /* BR/EDR */
	L2K_MODE_RETRANS = 0x01,    /* BR/EDR, legacy Retransmission mode */
	L2K_MODE_FLOWCTL = 0x02,    /* BR/EDR, legacy Flow Control mode */
	L2K_MODE_ERTM = 0x03,	    /* BR/EDR, Enhanced Retransmission mode */
	L2K_MODE_STREAMING = 0x04,  /* BR/EDR, Streaming mode */
	L2K_MODE_LE_CREDIT = 0x80,  /* LE, LE Credit Based Flow Control */
	L2K_MODE_ECFC = 0x81,	    /* LE or BR/EDR, Enhanced Credit Based Flow Control */
};

/* Security levels (Core Vol 3 Part C 5.2.2.8; LE security mode 1 levels map onto them):
 *   0  none at all (only SDP's PSM 0x0001 on BR/EDR)
 *   1  no encryption required (the default)                          "low"
 *   2  encrypted, unauthenticated key (Just Works)                   "medium"
 *   3  encrypted, authenticated key (numeric comparison, passkey, OOB) "high"
 *   4  level 3 with Secure Connections (P-256) and a 128-bit key      "fips"
 * An encrypted link whose key is shorter than the minimum (default 7 octets) counts as level 1. */
enum l2k_sec_level {
	L2K_SEC_NONE = 0,
	L2K_SEC_LOW = 1,
	L2K_SEC_MEDIUM = 2,
	L2K_SEC_HIGH = 3,
	L2K_SEC_FIPS = 4,
};

struct l2k_chan_opts {
	enum l2k_mode mode;	 /* default Basic (BR/EDR); LE channels use L2K_MODE_LE_CREDIT */
	bool mode_required;	 /* do not fall back to Basic when the peer lacks the mode */
	uint16_t mtu;		 /* largest SDU we receive (0: 672 on BR/EDR, 2048 on LE) */
	uint16_t mps;		 /* largest PDU payload we receive (credit/ERTM modes; 0: auto) */
	uint16_t credits;	 /* credits we grant at connection (credit modes; 0: auto) */
	bool manual_credits;	 /* the application grants credits with l2k_chan_give_credits */
	uint8_t fcs;		 /* ERTM/Streaming/legacy: 1 = CRC-16 (default), 0 = none if peer agrees */
	uint16_t tx_window;	 /* ERTM/legacy: our receive window (0: 63; legacy modes at most 32,
				  * ERTM at most 63, or 0x3FFF with ext_window).  ERTM keeps
				  * tx_window * mps octets for out-of-sequence frames. */
	uint8_t max_transmit;	 /* ERTM/Retransmission: transmissions of an I-frame (and polls)
				  * before the channel closes with L2K_CLOSE_MAX_TRANSMIT (0: 3;
				  * L2K_MAX_TRANSMIT_UNLIMITED: never) */
	bool ext_window;	 /* ERTM: use the Extended Window Size option (windows up to 0x3FFF) */
	uint8_t flow_spec;	 /* ERTM/Streaming: send an Extended Flow Specification of this
				  * service type (0: none, 1 best effort, 2 guaranteed) */
	uint16_t flush_timeout;	 /* 0: infinite (0xFFFF) */
	uint8_t sec_level;	 /* the security level it needs (enum l2k_sec_level: 0 and 1 need no
				  * encryption; the link is raised first, or the peer refused) */
	uint32_t connect_timeout_ms; /* give up connecting after this (0: 30000) */
	uint32_t tx_queue_bytes;  /* SDU bytes queued for sending before L2K_EAGAIN (0: 262144) */
	uint32_t rx_queue_bytes;  /* socket face: received bytes buffered before back-pressure (0: 262144);
				   * Basic mode then holds the link (l2k_chan_set_busy), or drops
				   * without controller-to-host flow control */
};

/* max_transmit value meaning "retransmit for ever" (sent as MaxTransmit 0, Vol 3 Part A 5.4). */
#define L2K_MAX_TRANSMIT_UNLIMITED 0xFF

/* Why a channel closed (reason argument of the closed callback). */
enum l2k_close_reason {
	L2K_CLOSE_LOCAL = 0,		  /* l2k_chan_close() */
	L2K_CLOSE_REMOTE = 1,		  /* the peer disconnected the channel */
	L2K_CLOSE_LINK_LOST = 2,	  /* the ACL/LE link went down (see hci reason in info) */
	L2K_CLOSE_REFUSED = 3,		  /* the peer refused it: result code in info.result */
	L2K_CLOSE_TIMEOUT = 4,		  /* the peer did not answer (RTX/ERTX or connect timeout) */
	L2K_CLOSE_PROTOCOL = 5,		  /* the peer broke the protocol (MTU/MPS/credit violation ...) */
	L2K_CLOSE_MAX_TRANSMIT = 6,	  /* ERTM/Retransmission: MaxTransmit reached */
	L2K_CLOSE_CONFIG_FAILED = 7,	  /* configuration could not be agreed */
	L2K_CLOSE_LINK_FAILED = 8,	  /* the link for it could not be created */
	L2K_CLOSE_SECURITY = 9,		  /* the security it needs could not be had (pairing, encryption) */
	L2K_CLOSE_CONTROLLER = 10,	  /* the controller stopped responding (a command or the ACL
					   * transmit watchdog's probe unanswered): every link ended */
};

struct l2k_chan_cbs {
	void *user;
	void (*open)(void *user, l2k_chan *ch);
	/* one whole SDU */
	void (*recv)(void *user, l2k_chan *ch, const uint8_t *sdu, size_t len);
	/* l2k_chan_send returned L2K_EAGAIN earlier and there is room again */
	void (*send_ready)(void *user, l2k_chan *ch);
	/* the channel is closed and will be freed after this returns */
	void (*closed)(void *user, l2k_chan *ch, enum l2k_close_reason reason);
};

struct l2k_chan_info {
	enum l2k_mode mode;
	enum l2k_addr_type link_type;
	l2k_addr peer;
	uint16_t handle;
	uint16_t psm;
	uint16_t local_cid, remote_cid;
	uint16_t local_mtu, remote_mtu; /* what we receive / what the peer receives */
	uint16_t local_mps, remote_mps;
	uint16_t credits_tx;		/* credits we may still spend (credit modes) */
	uint16_t credits_rx;		/* credits the peer still has from us */
	bool fcs;
	uint16_t result;		/* last connection result from the peer (refusals) */
	uint8_t hci_reason;		/* link-loss reason */
	/* counters */
	uint64_t tx_sdus, rx_sdus, tx_bytes, rx_bytes;
	uint64_t retransmissions;	/* ERTM/Retransmission */
	uint64_t rx_sdus_dropped;	/* Streaming/Flow Control: SDUs lost or damaged */
	uint64_t rx_frames_bad_fcs;
	/* what the HCI host dropped of the channel's link's incoming ACL data (malformed: a
	 * continuation with no start, a fragment past its PDU's length, a start shorter than the
	 * basic header, a PDU over the largest reassembled, a PDU cut short by a new start, a length
	 * field that disagrees with the packet): ACL packets, since the link came up (l2k_link_stats
	 * has them one by one) */
	uint64_t link_acl_dropped;
};

enum l2k_result {
	L2K_RESULT_PSM_NOT_SUPPORTED = 0x0002,
	L2K_RESULT_SECURITY_BLOCK = 0x0003,
	L2K_RESULT_NO_RESOURCES = 0x0004,
	L2K_RESULT_AUTHORIZATION = 0x0006,
	L2K_RESULT_UNACCEPTABLE_PARAMS = 0x000B, /* LE credit based */
};

struct l2k_conn_request {
	l2k_addr peer;
	enum l2k_addr_type link_type;
	uint16_t handle;
	uint16_t psm;
	enum l2k_mode mode; /* what the peer asks for (credit modes; Basic/ERTM are negotiated later) */
	uint16_t peer_mtu, peer_mps;
	l2k_chan *chan; /* the channel being offered (for l2k_chan_accept after a deferral) */
};

/* accept() may return L2K_ACCEPT_PENDING: the peer is told the request is pending
 * (authorization) and the channel waits until l2k_chan_accept(). */
#define L2K_ACCEPT_PENDING 1

struct l2k_server_cbs {
	void *user;
	int (*accept)(void *user, const struct l2k_conn_request *req, struct l2k_chan_opts *opts,
		      struct l2k_chan_cbs *cbs);
};

typedef void (*l2k_echo_cb)(void *user, int err, const uint8_t *data, size_t len, uint32_t rtt_ms);

typedef void (*l2k_fixed_rx_cb)(void *user, uint16_t handle, const uint8_t *pdu, size_t len);
/* l2k_fixed_wait_room: the link takes PDUs again (err 0), or it went down first (L2K_ELINKLOSS). */
typedef void (*l2k_fixed_room_cb)(void *user, uint16_t handle, int err);

#ifdef __cplusplus
}
#endif
#endif
