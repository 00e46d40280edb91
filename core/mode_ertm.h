/* Enhanced Retransmission mode (Vol 3 Part A 8.6), organised as the state tables of 8.6.5.
 *
 * Two state machines run per channel.  The transmitter (mode_ertm_tx.c) is in XMIT or WAIT_F,
 * the receiver (mode_ertm_rx.c) in RECV, REJ_SENT or SREJ_SENT.  Each state is one function
 * taking the events of its table by name; each case is the table's rows for that event, with
 * the row's condition and actions in its comment and the actions by their names in the code
 * (PassToTx, Process-ReqSeq, SendRRorRNR, SendIorRRorRNR, SendSREJ, Send-SREJ-List, Retransmit-
 * I-frames, Start-RetransTimer ...).  The variables of 8.6.5 (NextTxSeq, ExpectedAckSeq,
 * UnackedFrames, RetryCount, RemoteBusy, RejActioned, SrejActioned, ExpectedTxSeq, BufferSeq,
 * SrejList, LocalBusy, RNRsent ...) are fields of struct l2cap_ifr (mode_ifr.h); the
 * retransmission, monitor and acknowledgement timers are three timers of the channel
 * (ch->mode_timers[], enum l2cap_mode_timer): the retransmission timer runs only in XMIT, the
 * monitor timer only in WAIT_F.
 *
 * mode_ertm.c turns what happens to the channel into events: a received frame, decoded and
 * checked, into a Recv event of the receiver; an expired timer into Retrans-Timer-Expires or
 * Monitor-Timer-Expires; the application's reading into Local-Busy-Detected / -Clear; queued
 * SDUs and room on the link into Data-Request.  The receiver hands the ReqSeq and F-bit of what
 * it gets to the transmitter (PassToTx: Recv ReqSeqAndFbit, Recv Fbit).
 *
 * A new way of recovering (a poll when the tail of a burst may be lost, another SREJ policy,
 * time-outs fitted to the link) is a new event or a new row: the state functions are the place
 * to add it, the conditions (ertm_rx: With-*-TxSeq, With-Invalid-ReqSeq) and actions below are
 * what rows are made of. */
#ifndef L2K_MODE_ERTM_H
#define L2K_MODE_ERTM_H

#include "core/mode_ifr.h"

/* Events of the transmitter's tables (8.6.5 XMIT, WAIT_F). */
enum ertm_tx_event {
	ERTM_TX_DATA_REQUEST,	       /* Data-Request: SDUs wait in ch->txq (or the link has room) */
	ERTM_TX_LOCAL_BUSY_DETECTED,   /* Local-Busy-Detected: the application stopped reading */
	ERTM_TX_LOCAL_BUSY_CLEAR,      /* Local-Busy-Clear: it reads again */
	ERTM_TX_RECV_REQSEQ_AND_FBIT,  /* Recv ReqSeqAndFbit: a received frame's ReqSeq and F-bit */
	ERTM_TX_RECV_FBIT,	       /* Recv Fbit: its F-bit alone (SREJ without P) */
	ERTM_TX_RETRANS_TIMER_EXPIRES, /* Retrans-Timer-Expires */
	ERTM_TX_MONITOR_TIMER_EXPIRES, /* Monitor-Timer-Expires */
};

/* Events of the receiver's tables (8.6.5 RECV, REJ_SENT, SREJ_SENT): a valid frame came. */
enum ertm_rx_event {
	ERTM_RX_RECV_IFRAME, /* Recv I-frame */
	ERTM_RX_RECV_RR,     /* Recv RR */
	ERTM_RX_RECV_REJ,    /* Recv REJ */
	ERTM_RX_RECV_RNR,    /* Recv RNR */
	ERTM_RX_RECV_SREJ,   /* Recv SREJ */
};

static inline bool ertm_open_ok(const struct l2k_chan *ch)
{
	return ch->state == CH_OPEN && ch->ops == &l2cap_mode_ertm;
}

/* ---- mode_ertm_tx.c: the transmitter ------------------------------------------------------ */
/* An event for the transmitter in its state; c: the received frame's control field for
 * ERTM_TX_RECV_*, else NULL. */
void ertm_tx(struct l2k_chan *ch, enum ertm_tx_event ev, const struct l2cap_ctrl *c);
/* Send what may go now: S-frames that waited for the link, the retransmissions asked for, then
 * new I-frames as far as XMIT, the peer and the window allow (Send-Data; otherwise they wait:
 * Pend-Data). */
void ertm_send_pending(struct l2k_chan *ch);
/* Condition With-Valid-ReqSeq: ExpectedAckSeq <= ReqSeq <= NextTxSeq */
bool ertm_reqseq_valid(struct l2k_chan *ch, uint16_t reqseq);
/* Retransmit-I-frames: every unacknowledged I-frame from TxSeq from (not while RemoteBusy) */
void ertm_retransmit_all(struct l2k_chan *ch, uint16_t from);
/* Retransmit-Requested-I-frame: the one with TxSeq seq, if unacknowledged (not while RemoteBusy) */
void ertm_retransmit_one(struct l2k_chan *ch, uint16_t seq);
/* SendRRorRNR with P and F as given (ReqSeq = BufferSeq; RNR while LocalBusy) */
void ertm_send_rr_or_rnr(struct l2k_chan *ch, uint8_t p, uint8_t f);
/* SendIorRRorRNR(F=1): the answer to a poll */
void ertm_send_i_or_rr_or_rnr(struct l2k_chan *ch);

/* ---- mode_ertm_rx.c: the receiver --------------------------------------------------------- */
/* A frame received on the open channel (decoded and checked by ifr_parse): the conditions that
 * hold in every state are settled here, then the event goes to the receiver's state. */
void ertm_rx(struct l2k_chan *ch, const struct ifr_frame *fr);
/* SendAck: acknowledge at once (now, or the threshold reached) or arm the ack timer */
void ertm_send_ack(struct l2k_chan *ch, bool now);
/* Pass up the frames kept in sequence (while LocalBusy, or during SREJ recovery) */
void ertm_rx_resume(struct l2k_chan *ch);
/* The SREJ supervision timer expired (l2kit's: SREJ_SENT asks again for what stays missing) */
void ertm_supervise_timer(struct l2k_chan *ch);

/* ---- mode_ertm.c ---------------------------------------------------------------------------- */
/* The application's reading (ch->rx_hold) differs from LocalBusy: Local-Busy-Detected / -Clear */
void ertm_sync_busy(struct l2k_chan *ch);

#endif
