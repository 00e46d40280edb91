/* The I-frame machinery ("ifr") shared by the four BR/EDR modes that carry I-frames and S-frames
 * (Vol 3 Part A 3.3, 8), implemented in mode_ifr.c: Enhanced Retransmission (mode_ertm*.c, its
 * own internals in mode_ertm.h), Streaming (mode_streaming.c), Retransmission and Flow Control
 * (mode_legacy.c), and the configuration policy that negotiates them (l2cap_confneg.c).
 *
 * ch->mode_state points at one struct l2cap_ifr.  Configuration creates it (l2cap_ifr_get) and
 * records what was negotiated in ifr->neg; the mode's open() turns that into the running
 * parameters and allocates the frame buffers in the same block (one allocation per channel,
 * none on the data path; free(ch->mode_state) releases everything).
 *
 * Memory of an open channel: tx_alloc * remote_mps octets hold the I-frames sent and not yet
 * acknowledged (ERTM, Retransmission, Flow Control); rx_alloc * local_mps octets hold I-frames
 * received out of sequence while SREJs are outstanding (ERTM only); local_mtu octets reassemble
 * a segmented SDU (ch->rx_sdu); ERTM adds one octet per sequence number (64 or 16384) for the
 * copies of a frame still to come (ghost). */
#ifndef L2K_MODE_IFR_H
#define L2K_MODE_IFR_H

#include "core/l2cap_frame.h"
#include "core/l2cap_int.h"

/* MPS limits l2kit applies to I-frame modes: below 48 octets (the minimum ACL-U MTU, 5.1) a
 * proposal is refused as unacceptable; above 65527 the I-frame would not fit a PDU. */
#define L2CAP_MIN_MPS_IFR 48
#define L2CAP_MAX_MPS_IFR 65527
/* How long a received I-frame may wait for an acknowledgement when no I-frame carries one (at
 * most; less on a link whose time-outs are shorter, ifr_open), and after how many received
 * I-frames an acknowledgement goes at once (at most; a quarter of the window if less). */
#define IFR_ACK_TIMEOUT_MS 100
#define IFR_ACK_MAX_FRAMES 16
/* The time-outs l2kit gives a peer's transmitter on a link (ifr_link_timeouts): 48 round trips
 * of the link plus 100 ms, at least IFR_MIN_TIMEOUT_MS, at most the specification's values for
 * an infinite flush timeout (L2CAP_DEFAULT_RETX_TIMEOUT, L2CAP_DEFAULT_MONITOR_TIMEOUT); with
 * a finite MaxTransmit, never so short that MaxTransmit expiries come sooner than
 * IFR_PATIENCE_MS (ERTM: polls; Retransmission mode: transmissions of a frame). */
#define IFR_RTT_FACTOR 48
#define IFR_RTT_MARGIN_MS 100
#define IFR_MIN_TIMEOUT_MS 100
#define IFR_PATIENCE_MS 12000
/* SREJ supervision: an SREJ is sent again after at least this long */
#define IFR_SREJ_MIN_MS 10

/* Negotiation record, filled by l2cap_confneg.c while the channel is configured. */
struct l2cap_ifr_neg {
	bool peer_rfc;		/* the peer's accepted request carried an RFC option */
	struct l2cap_conf_rfc peer;	/* its RFC option (peer's receive side) */
	bool rsp_rfc;		/* the response to our request carried an RFC option */
	struct l2cap_conf_rfc rsp;	/* its values (timeouts for our transmitter, 5.4) */
	bool local_fcs_none;	/* our accepted request asked for no FCS */
	bool peer_fcs_none;	/* the peer's accepted request asked for no FCS */
	bool local_ews;		/* our request carried the Extended Window Size option */
	bool peer_ews;		/* the peer's request did */
	uint16_t peer_ews_val;	/* its value: the peer's receive window */
	bool peer_efs;		/* the peer's request carried an Extended Flow Specification */
	struct l2cap_conf_efs peer_efs_val;
	uint8_t mode_refusals;	/* peer requests refused for naming another mode */
	uint8_t req_mode;	/* the mode our latest request asked for */
};

/* The states of ERTM's transmitter and receiver (8.6.5; mode_ertm.h) */
enum ertm_tx_state { TX_XMIT, TX_WAIT_F };
enum ertm_rx_state { RX_RECV, RX_REJ_SENT, RX_SREJ_SENT };

/* A stored I-frame (sent and unacknowledged, or received out of sequence). */
struct ifr_slot {
	uint16_t len;	   /* information payload octets (SDU Length excluded) */
	uint16_t sdu_len;  /* SDU Length when sar == START */
	uint8_t sar;
	uint8_t retries;   /* transmissions so far (tx) */
	bool present;	   /* rx: holds a frame */
	uint8_t *data;
};

/* An entry of SrejList (ERTM receiver): a missing TxSeq asked for with SREJ. */
struct ifr_srej {
	uint32_t at;   /* when the latest SREJ for it went out (engine ms, low 32 bits) */
	uint16_t seq;
	uint8_t tries; /* SREJs sent for it */
	uint8_t maybe; /* earlier SREJs for it not known to be lost: each may still bring a copy */
};

/* A queued S-frame that could not go out because the link queue was full. */
#define IFR_SQ_MAX 8

struct l2cap_ifr {
	struct l2cap_ifr_neg neg;
	bool running; /* open() ran: the fields below are valid */

	/* parameters in force */
	enum l2cap_ctrl_fmt fmt;
	uint16_t mod;		/* sequence number modulus: 64 or 16384 */
	uint16_t tx_win;	/* unacknowledged I-frames we may have outstanding */
	uint16_t rx_win;	/* I-frames the peer may send beyond our last ReqSeq */
	uint16_t ack_thresh;	/* acknowledge at once after this many unacknowledged frames */
	uint8_t max_transmit;	/* 0 = unlimited */
	uint32_t retrans_ms, monitor_ms, ack_ms;

	/* transmitter (the names in comments are the variables of 8.6.5) */
	enum ertm_tx_state tx_state; /* ERTM */
	uint16_t next_tx_seq;	  /* NextTxSeq */
	uint16_t expected_ack_seq; /* ExpectedAckSeq */
	uint32_t ack_ctr;	  /* running count of ExpectedAckSeq (slot index base) */
	uint16_t unacked;	  /* UnackedFrames */
	bool staged;		  /* slot of next_tx_seq holds a segment not yet sent (link full) */
	uint8_t retry_count;	  /* polls sent in WAIT_F (RetryCount) */
	bool remote_busy;	  /* RNR received (ERTM) / R=1 received (Retransmission mode) */
	bool rej_actioned;	  /* RejActioned (REJ_ACT): a REJ was acted on while waiting for F */
	bool srej_actioned;	  /* SrejActioned (SREJ_ACT): an SREJ was, for srej_save_reqseq */
	uint16_t srej_save_reqseq; /* SrejSaveReqSeq */
	bool send_f;		  /* the next frame we send carries F=1 */
	bool in_pump, pump_again; /* pump re-entered from an application callback */
	uint16_t *retx;		  /* retransmission queue of TxSeq values */
	uint16_t retx_head, retx_n;
	struct ifr_slot *tx;
	uint16_t tx_alloc;

	/* receiver */
	enum ertm_rx_state rx_state; /* ERTM */
	uint16_t expected_tx_seq; /* ExpectedTxSeq */
	uint16_t buffer_seq;	  /* BufferSeq: oldest frame not yet passed up */
	uint32_t buffer_ctr;	  /* running count of buffer_seq (slot index base) */
	uint16_t last_acked_seq;  /* ReqSeq last sent */
	bool local_busy;	  /* LocalBusy: the application stopped reading */
	bool rnr_sent;		  /* RNRsent: an RNR told the peer so */
	bool rej_sent;		  /* legacy Retransmission mode: REJ exception condition */
	bool dup_acked;		  /* legacy: an RR answered a duplicate since the last new frame */
	struct ifr_srej *srej;	  /* SrejList, in the order sent (so oldest request first) */
	uint16_t srej_head, srej_n;
	/* SREJ supervision (l2kit's, mode_ertm_rx.c): the time from an SREJ to the frame it asks
	 * for, smoothed (ms x 8) with its mean deviation (ms x 4) as TCP estimates a round trip
	 * (RFC 6298); an SREJ unanswered for srej_rto ms is sent again (the wait doubles, up to
	 * srej_rto_max, while answers stay away) */
	uint32_t srej_srtt8, srej_var4, srej_rto, srej_rto_max;
	bool srej_rtt_known;
	/* ERTM: per TxSeq, copies of a frame that may still come after the one received (it was
	 * asked for again before the earlier request was known to be lost); the next that many
	 * frames with that TxSeq are taken as those copies, never as the frame of the next turn
	 * of the sequence numbers (mode_ertm_rx.c) */
	uint8_t *ghost;
	bool ack_unconfirmed;	  /* an RR acknowledged frames and no I-frame came since */
	uint32_t ack_sent_at;	  /* when (engine ms, low 32 bits) */
	struct ifr_slot *rx;
	uint16_t rx_alloc;
	/* reassembly state beyond ch->rx_sdu/rx_sdu_len/rx_sdu_total/rx_in_sdu */
	bool rx_discarding;	  /* streaming/flow control: dropping the rest of a damaged SDU */
	bool app_busy;		  /* streaming: l2k_chan_set_busy(true) in force */

	/* S-frames waiting for link room */
	struct l2cap_ctrl sq[IFR_SQ_MAX];
	uint8_t sq_n;
};

/* ---- mode_ifr.c ----------------------------------------------------------------------------- */
/* The channel's l2cap_ifr, created (zeroed) when missing.  NULL only when out of memory. */
struct l2cap_ifr *l2cap_ifr_get(struct l2k_chan *ch);
static inline struct l2cap_ifr *ifr_of(struct l2k_chan *ch)
{
	return (struct l2cap_ifr *)ch->mode_state;
}
/* Parameters from the negotiation, buffers.  rx_frames: out-of-sequence slots to allocate. */
int ifr_open(struct l2k_chan *ch, bool keep_tx, bool rx_buffer);

/* The Retransmission and Monitor time-outs l2kit gives the peer's transmitter on this
 * channel's link (ERTM: in our Configuration Response, 5.4; Retransmission and Flow Control
 * mode: in our Configuration Request), for a transmitter that gives up after max_transmit
 * transmissions (0: never).  Without a measured round trip: the specification's 2 s / 12 s. */
void ifr_link_timeouts(const struct l2k_chan *ch, uint8_t max_transmit, uint16_t *retrans, uint16_t *monitor);

/* The receive window we advertise (TxWindow or Extended Window Size) for the channel's mode. */
uint16_t ifr_local_window(const struct l2k_chan *ch);
/* Our MPS: opts.mps, else fitted so that one I-frame fills one ACL packet of our controller,
 * never above the MTU nor below L2CAP_MIN_MPS_IFR. */
uint16_t ifr_fit_mps(const struct l2k_chan *ch, bool ext);

static inline uint16_t seq_add(const struct l2cap_ifr *f, uint16_t s, uint32_t n)
{
	return (uint16_t)((s + n) % f->mod);
}
/* (a - b) mod the sequence space */
static inline uint16_t seq_off(const struct l2cap_ifr *f, uint16_t a, uint16_t b)
{
	return (uint16_t)((a + f->mod - b) % f->mod);
}
struct ifr_slot *ifr_tx_slot(struct l2cap_ifr *f, uint16_t seq);
struct ifr_slot *ifr_rx_slot(struct l2cap_ifr *f, uint16_t seq);
/* The I-frame with TxSeq seq was sent and is not acknowledged yet. */
static inline bool ifr_unacked(const struct l2cap_ifr *f, uint16_t seq)
{
	return seq_off(f, seq, f->expected_ack_seq) < f->unacked;
}

/* The retransmission queue: TxSeq values to send again, in the order asked, each once. */
static inline bool ifr_retx_has(const struct l2cap_ifr *f, uint16_t seq)
{
	for (uint16_t i = 0; i < f->retx_n; i++)
		if (f->retx[(f->retx_head + i) % f->tx_alloc] == seq)
			return true;
	return false;
}
static inline void ifr_retx_push(struct l2cap_ifr *f, uint16_t seq)
{
	if (f->retx_n >= f->tx_alloc || ifr_retx_has(f, seq))
		return;
	f->retx[(f->retx_head + f->retx_n) % f->tx_alloc] = seq;
	f->retx_n++;
}
static inline void ifr_retx_pop(struct l2cap_ifr *f)
{
	f->retx_head = (uint16_t)((f->retx_head + 1) % f->tx_alloc);
	f->retx_n--;
}

/* A received frame, checked and decoded. */
struct ifr_frame {
	struct l2cap_ctrl c;
	const uint8_t *payload; /* information payload (SDU Length excluded) */
	uint16_t len;
	uint16_t sdu_len; /* SAR = START */
};
/* Decode p[0..len-1] (the PDU after its basic header; the header is rebuilt for the FCS).
 * 0; L2K_EIO bad FCS (counted); L2K_EBADMSG malformed: too short, S-frame with payload,
 * Start without SDU Length, payload over our MPS. */
int ifr_parse(struct l2k_chan *ch, const uint8_t *p, size_t len, struct ifr_frame *out);
/* Keep a received I-frame in the receive slot of its TxSeq (ERTM: out of sequence, or while the
 * application is busy; Retransmission mode: while it is busy). */
void ifr_rx_store(struct l2cap_ifr *f, const struct ifr_frame *fr);

/* Send one S-frame (ReqSeq filled by the caller).  0 or L2K_EAGAIN (then queued, sent by
 * ifr_flush_sq from pump). */
int ifr_send_s(struct l2k_chan *ch, const struct l2cap_ctrl *c);
/* Send queued S-frames; false when the link is still full. */
bool ifr_flush_sq(struct l2k_chan *ch);
/* Send the I-frame stored in slot with this TxSeq, ReqSeq and F (R for the standard format). */
int ifr_send_i(struct l2k_chan *ch, const struct ifr_slot *s, uint16_t txseq, uint16_t reqseq,
	       uint8_t fbit);
/* Copy the next segment of the head SDU of ch->txq into s (SAR, SDU Length); pops the SDU when
 * it is complete.  false when the queue is empty. */
bool ifr_segment(struct l2k_chan *ch, struct ifr_slot *s);

/* Reassembly (3.3.2 SAR).  Returns 0 (frame consumed, SDU delivered if it completed),
 * L2K_EBADMSG on a SAR violation (partial SDU discarded), L2K_EMSGSIZE when the SDU exceeds our
 * MTU (discarded).  After a delivery the channel may have been closed by the application:
 * check ch->state. */
int ifr_reassemble(struct l2k_chan *ch, uint8_t sar, uint16_t sdu_len, const uint8_t *p, size_t n);
/* Drop a partially reassembled SDU; true if there was one. */
bool ifr_drop_partial(struct l2k_chan *ch);

/* The mode timers (ch->mode_timers[], l2cap_int.h): start (or restart) one for its duration
 * (retrans_ms, monitor_ms, ack_ms), stop it, ask whether it runs. */
void ifr_timer_start(struct l2k_chan *ch, enum l2cap_mode_timer which);
static inline void ifr_timer_stop(struct l2k_chan *ch, enum l2cap_mode_timer which)
{
	if (timer_armed(&ch->mode_timers[which])) /* (the data path stops timers that do not run) */
		timer_cancel(&ch->eng->timers, &ch->mode_timers[which]);
}
static inline bool ifr_timer_running(const struct l2k_chan *ch, enum l2cap_mode_timer which)
{
	return timer_armed(&ch->mode_timers[which]);
}
/* The mode's close(): every timer stopped. */
void ifr_close(struct l2k_chan *ch);
/* Give up the channel (MaxTransmit reached, a protocol error): ifr_close, then disconnect. */
void ifr_fail(struct l2k_chan *ch, enum l2k_close_reason why);

/* Whether everything handed to the mode has left it: nothing staged, no S-frame waiting and,
 * in ERTM / Retransmission / Flow Control mode, nothing unacknowledged.  true for channels of
 * other modes.  (For the socket face's graceful shutdown.) */
bool l2cap_ifr_tx_idle(const struct l2k_chan *ch);

/* ---- per-mode ops ---------------------------------------------------------------------------- */
extern const struct l2cap_mode_ops l2cap_mode_ertm;
extern const struct l2cap_mode_ops l2cap_mode_streaming;
extern const struct l2cap_mode_ops l2cap_mode_retrans;
extern const struct l2cap_mode_ops l2cap_mode_flowctl;

#endif
