/* Enhanced Retransmission mode internals shared by mode_ertm_tx.c and mode_ertm_rx.c. */
#ifndef L2K_MODE_ERTM_H
#define L2K_MODE_ERTM_H

#include "core/mode_ifr.h"

/* mode_ertm_tx.c: transmitter side of ERTM, used by mode_ertm_rx.c */
void ertm_pump(struct l2k_chan *ch);
/* PassToTx: ReqSeq (acknowledgement) and F; false when the channel was closed (bad ReqSeq). */
bool ertm_pass_reqseq_fbit(struct l2k_chan *ch, uint16_t reqseq, uint8_t f);
bool ertm_pass_fbit(struct l2k_chan *ch, uint8_t f);
bool ertm_reqseq_valid(struct l2k_chan *ch, uint16_t reqseq);
void ertm_retransmit_all(struct l2k_chan *ch, uint16_t from);
bool ertm_retransmit_one(struct l2k_chan *ch, uint16_t seq);
void ertm_handle_rej(struct l2k_chan *ch, const struct l2cap_ctrl *c);
void ertm_handle_srej(struct l2k_chan *ch, const struct l2cap_ctrl *c);
/* SendRRorRNR with P or F set as given (ReqSeq = BufferSeq) */
void ertm_send_rr_or_rnr(struct l2k_chan *ch, uint8_t p, uint8_t f);
/* SendIorRRorRNR(F=1): answer a poll */
void ertm_send_i_or_rr_or_rnr(struct l2k_chan *ch);
/* The retransmission or the monitor timer expired */
void ertm_timer_expired(struct l2k_chan *ch, enum l2cap_mode_timer which);
/* Local busy changed (rx_hold) */
void ertm_local_busy(struct l2k_chan *ch, bool busy);
/* Close with MaxTransmit / protocol error */
void ertm_fail(struct l2k_chan *ch, enum l2k_close_reason why);
/* mode_ertm_rx.c */
/* SendAck: acknowledge at once (now, or the threshold reached) or arm the ack timer */
void ertm_send_ack(struct l2k_chan *ch, bool now);
/* Pass up the frames kept in order while busy or during SREJ recovery */
void ertm_rx_resume(struct l2k_chan *ch);

#endif
