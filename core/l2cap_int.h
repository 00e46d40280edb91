/* The L2CAP engine's internal structures, shared by core/l2cap_*.c and core/mode_*.c.
 *
 * Objects: the engine (one per stack) holds links (one per ACL/LE link), servers and fixed-
 * channel bindings; a link holds its channels (indexed by local CID), its signaling state
 * (identifiers, outstanding requests, information exchange); a channel holds its state, its
 * negotiated parameters and its mode, which implements the data path through l2cap_mode_ops.
 */
#ifndef L2K_L2CAP_INT_H
#define L2K_L2CAP_INT_H

#include "core/l2cap_conf.h"
#include "core/l2cap_defs.h"
#include "core/l2cap_frame.h"
#include "core/l2cap_sig.h"
#include "base/l2k_error.h"
#include "core/l2k_types.h"
#include "hci/hci_host.h"
#include "base/timer.h"
#include "base/ring.h"

struct l2cap_engine;
struct l2cap_link;

enum l2cap_chan_state {
	CH_WAIT_LINK,	     /* waiting for the ACL/LE link */
	CH_WAIT_INFO,	     /* waiting for the peer's feature mask before connecting */
	CH_WAIT_CONNECT_RSP, /* our Connection Request is out */
	CH_WAIT_ACCEPT,	     /* incoming request offered to the server (pending) */
	CH_WAIT_SECURITY,    /* the link is being raised to the channel's security level */
	CH_CONFIG,	     /* BR/EDR configuration in progress */
	CH_OPEN,
	CH_WAIT_DISCONNECT, /* our Disconnection Request is out */
	CH_CLOSED,
};

/* The timers of the I-frame modes (Vol 3 Part A 8.6.2 for ERTM, 8.1-8.5 of the editions with
 * the legacy modes; their values 5.4), one struct timer each in ch->mode_timers[]: the channel
 * owns them, so that closing it cancels them whatever its mode state holds, and its mode's
 * timer() is told which one expired. */
enum l2cap_mode_timer {
	L2CAP_TIMER_RETRANS, /* Retransmission time-out */
	L2CAP_TIMER_MONITOR, /* Monitor time-out */
	L2CAP_TIMER_ACK,     /* l2kit's: how long a received I-frame may wait for its acknowledgement */
	L2CAP_TIMER_SUPERVISE, /* l2kit's: ERTM receiver, SREJs and acknowledgements left unanswered */
	L2CAP_MODE_TIMERS
};

/* The data path of a mode.  Every function is optional except rx (or rx_pdu). */
struct l2cap_mode_ops {
	const char *name;
	/* channel became OPEN: allocate mode state (no allocation later on the data path) */
	int (*open)(struct l2k_chan *ch);
	/* push queued SDUs out as far as credits / window / the link allow */
	void (*pump)(struct l2k_chan *ch);
	/* one PDU for this channel: payload after the basic header */
	void (*rx)(struct l2k_chan *ch, const uint8_t *p, size_t len);
	/* or, for a mode that parses its frames with core/l2cap_frame.h: the whole PDU, basic
	 * header included (its Length already checked by the engine).  Used instead of rx when
	 * set. */
	void (*rx_pdu)(struct l2k_chan *ch, const uint8_t *pdu, size_t len);
	/* ch->mode_timers[which] expired (the mode arms them with l2cap_arm) */
	void (*timer)(struct l2k_chan *ch, enum l2cap_mode_timer which);
	/* the application consumed received data (credit modes return credits) */
	void (*consumed)(struct l2k_chan *ch);
	void (*close)(struct l2k_chan *ch);
	/* everything handed to the mode has left it (nothing staged or unacknowledged); NULL
	 * means "when the SDU queue is empty" */
	bool (*tx_idle)(const struct l2k_chan *ch);
};

struct l2k_chan {
	struct l2cap_engine *eng;
	struct l2cap_link *link;
	enum l2cap_chan_state state;
	enum l2k_mode mode;
	const struct l2cap_mode_ops *ops;
	bool le;	/* on an LE-U link */
	bool initiator; /* we sent the connection request */
	uint16_t psm;
	uint16_t lcid, rcid;
	l2k_addr peer;
	enum l2k_addr_type peer_type;
	struct l2k_chan_opts opts;
	struct l2k_chan_cbs cbs;
	struct l2k_server *server;
	uint8_t sec_asked; /* CH_WAIT_SECURITY: the level the link is being raised to */
	bool sec_pending_sent; /* accepted: "pending, authentication" answered to its request */

	/* negotiated values */
	uint16_t local_mtu, remote_mtu; /* we receive / the peer receives */
	uint16_t local_mps, remote_mps;
	uint16_t flush_timeout;
	bool fcs;
	/* credit modes */
	uint32_t tx_credits;  /* K-frames we may send */
	uint32_t rx_credits;  /* K-frames the peer may still send us */
	uint16_t rx_initial;  /* credits granted at connection (replenish target) */
	uint32_t rx_consumed; /* K-frames received and consumed, not yet returned */

	/* signaling */
	uint8_t sig_ident;     /* identifier of our outstanding request for this channel */
	uint8_t peer_conn_ident; /* identifier of the peer's Connection Request (pending answer) */
	struct timer sig_timer; /* RTX / ERTX / connect timeout */
	/* BR/EDR configuration */
	bool conf_out_done;	/* our request was accepted */
	bool conf_in_done;	/* we accepted the peer's request */
	bool conf_req_sent;
	uint8_t conf_tries;	/* Unacceptable-parameters rounds */
	uint8_t conf_reqs_in;	/* the peer's Configuration Requests on the channel (bounded) */
	uint32_t conf_omit;	/* L2CAP_CONF_HAS_* options the peer did not understand */
	bool configured_once;	/* a configuration completed before (re-configuration) */
	bool conf_wait_info;	/* accepted: our request waits for the peer's feature mask */
	bool conn_rsp_timed;	/* accepted: conn_rsp_at is when our Connection Response (success)
				 * went out, until the peer's first Configuration Request came (a
				 * round trip of the link) */
	uint64_t conn_rsp_at;
	uint8_t conf_after;	/* judging the peer's request decided, to do after our response: */
#define L2CAP_CONF_AFTER_RESEND 0x01	/* send our request again (our mode changed) */
#define L2CAP_CONF_AFTER_GIVE_UP 0x02	/* disconnect: no agreement possible */
	struct l2cap_conf_opts conf_in; /* accumulated peer options (continuation) */
	bool conf_in_partial;

	/* transmit: SDUs waiting (bounded), segmentation progress of the head SDU */
	struct ring txq;
	size_t tx_off;
	bool want_send_ready;
	/* waiting for room on the link (l2cap_link.wait_head list); link_deficit: octets it may
	 * still send in its turns (deficit round robin, l2cap_link_pump) */
	bool link_waiting;
	struct l2k_chan *wait_next;
	int32_t link_deficit;
	/* receive reassembly (SAR modes): buffer of local_mtu bytes */
	uint8_t *rx_sdu;
	size_t rx_sdu_len, rx_sdu_total;
	bool rx_in_sdu;

	/* mode state (ERTM etc.) */
	void *mode_state;
	struct timer mode_timers[L2CAP_MODE_TIMERS];

	/* socket face attachment */
	void *sock;
	bool rx_hold; /* the application's receive buffer is full: withhold credits / signal busy */

	struct l2k_chan_info_counters {
		uint64_t tx_sdus, rx_sdus, tx_bytes, rx_bytes, retransmissions, rx_dropped, bad_fcs;
	} st;
	uint16_t last_result;
	uint8_t hci_reason;
	bool in_callback_close; /* closed() is being delivered */
	bool close_pending;	/* l2k_chan_close() before the connection response */
	uint32_t ecfc_group;	/* enhanced credit based: channels requested together */
	uint16_t reconf_mps;	/* our MPS asked for in a pending reconfiguration */
	struct l2k_chan *next_pending; /* link list of channels waiting for link/info */
};

/* requests we may have outstanding on one link: every identifier (1-255) could be in use */
#define L2CAP_MAX_PENDING_SIG 255

struct l2cap_pending_sig {
	uint8_t ident;
	uint8_t code;
	uint16_t cid; /* channel the request is about (0: link-level, or several: see cids) */
	uint64_t due;
	l2k_echo_cb echo_cb;
	void *echo_user;
	uint64_t sent_at;
	uint16_t info_type;
	uint8_t ncids;				/* enhanced credit based requests: */
	uint16_t cids[L2CAP_ECFC_MAX_CIDS];	/* our channels named in the request */
};

#define L2CAP_FIXED_ROOM_WAITERS 8

struct l2cap_link {
	struct l2cap_engine *eng;
	bool used;
	uint16_t handle;
	bool le;
	l2k_addr peer;
	enum l2k_addr_type peer_type;
	uint8_t role;
	uint8_t next_ident;
	/* channels indexed by local CID - 0x40 */
	struct l2k_chan **chans;
	size_t chans_cap;
	size_t nchans;
	/* raises of the link under way, per level (l2cap_chan_raise): channels wanting a level that
	 * is being raised to wait for that raise instead of asking again (the security manager
	 * keeps a few callers per link; security_done looks at every waiting channel) */
	uint16_t sec_raises[L2K_SEC_FIPS + 1];
	/* information exchange (BR/EDR) */
	enum { INFO_NONE, INFO_FEAT_SENT, INFO_FIXED_SENT, INFO_DONE } info_state;
	uint32_t peer_features;
	uint64_t peer_fixed;
	struct timer info_timer;
	/* outstanding requests we sent (RTX/ERTX): pend[] is at the end */
	uint16_t pend_top; /* pend[pend_top..] are free and not even cleared: nothing reads them */
	struct timer sig_timer;
	/* Channels waiting for room on the link, in order (l2cap_chan_send_pdu): while any waits,
	 * no other channel's PDU goes ahead of them.  When room appears they are served in turn,
	 * a quantum of octets each while others wait (l2cap_link_pump). */
	struct l2k_chan *wait_head, *wait_tail;
	struct l2k_chan *serving; /* the channel l2cap_link_pump is pumping */
	bool pumping;
	/* fixed-channel senders waiting for room (l2cap_fixed_wait_room), told before the
	 * channels of the wait list are pumped: one-shot */
	struct {
		l2k_fixed_room_cb cb;
		void *user;
	} room_wait[L2CAP_FIXED_ROOM_WAITERS];
	uint8_t n_room_wait;
	/* a Basic channel's receiver holds: the HCI host keeps the link's incoming data */
	bool rx_held;
	/* the last Credit Based Connection Request we answered and our response: a duplicate
	 * (same identifier and octets, its channels still there) gets the same response (4) */
	uint8_t ecfc_last_ident; /* 0: none */
	uint8_t ecfc_last_req_len, ecfc_last_rsp_len;
	uint8_t ecfc_last_req[8 + 2 * L2CAP_ECFC_MAX_CIDS];
	uint8_t ecfc_last_rsp[L2CAP_SIG_HDR_LEN + 8 + 2 * L2CAP_ECFC_MAX_CIDS];
	/* The link's round trip: the shortest time an Information or Echo Request of ours took to
	 * be answered (the peer answers both at once), in ms; sets the timeouts l2kit gives the
	 * I-frame modes on this link (ifr_link_timeouts, core/mode_ifr.c). */
	uint32_t rtt_ms;
	bool rtt_known;
	/* last, so that a link comes up and goes away clearing only what is before it (14 KiB) */
	struct l2cap_pending_sig pend[L2CAP_MAX_PENDING_SIG];
};

struct l2k_server {
	struct l2cap_engine *eng;
	bool used;
	uint16_t psm;
	bool le;
	struct l2k_chan_opts opts;
	struct l2k_server_cbs cbs;
	void *sock; /* socket face listener */
};

struct l2cap_fixed_bind {
	bool used;
	uint16_t cid;
	bool le;
	uint16_t psm;
	l2k_fixed_rx_cb cb;
	void *user;
};

#define L2CAP_MAX_SERVERS 64
#define L2CAP_MAX_FIXED 16

/* What the engine needs to know of a link's security. */
struct l2cap_link_sec {
	uint8_t level;	    /* enum l2k_sec_level */
	bool encrypted;
	bool key_too_short; /* encrypted with a key below the minimum (counts as level 1) */
	uint8_t key_size;   /* octets, while encrypted */
	bool authenticated; /* the key was made with MITM protection */
	bool secure_conn;   /* ... with Secure Connections (P-256) */
	bool has_key;	    /* a key this side could encrypt the link with is stored for the peer
			     * (LE: an LTK for its role; BR/EDR: a link key), encrypted or not */
	/* Security Mode 4 (BR/EDR, Vol 3 Part C 5.2.2): both hosts support Secure Simple Pairing,
	 * so channels other than SDP need level 2 (mode4); or whether they do is not known yet
	 * (mode4_pending: the peer's host features are being read; a raise to level 1 is answered
	 * once they are known) */
	bool mode4;
	bool mode4_pending;
};

/* The narrow hook through which the engine asks about a link's security (installed by the
 * public face, which wires the security manager in; without one every link is level 1):
 * status: the link's security now (0, or L2K_ENOLINK); raise: bring the link to at least
 * level, done(arg, handle, err) following exactly once, never inside the call. */
struct l2cap_security {
	void *ctx;
	int (*status)(void *ctx, uint16_t handle, struct l2cap_link_sec *out);
	int (*raise)(void *ctx, uint16_t handle, uint8_t level, void (*done)(void *arg, uint16_t handle, int err),
		     void *arg);
};

/* What a raise's done gets: the engine and the level asked (l2cap_chan_raise). */
struct l2cap_sec_tok {
	struct l2cap_engine *eng;
	uint8_t level;
};

/* Deliberate misbehaviours for testing conformance testers (l2k_test_defect, never by default). */
#define L2CAP_DEFECT_WRONG_IDENT 0x1u	 /* signaling responses carry ident + 1 */
#define L2CAP_DEFECT_SKIP_MTU_CHECK 0x2u /* a Configuration Request's MTU below 48 is accepted */

struct l2cap_engine {
	struct hci_host *hci;
	struct l2cap_security sec;
	struct l2cap_sec_tok sec_tok[L2K_SEC_FIPS + 1];
	uint64_t (*clock)(void *arg); /* the stack's clock (ms) */
	void *clock_arg;
	struct l2cap_link **links; /* max_links slots, each allocated when first used */
	uint16_t max_links;
	int16_t link_by_handle[4096];
	struct l2k_server servers[L2CAP_MAX_SERVERS];
	struct l2cap_fixed_bind fixed[L2CAP_MAX_FIXED];
	struct timers timers;
	uint64_t now;
	uint16_t sig_mtu_bredr; /* our MTUsig */
	uint16_t sig_mtu_le;
	uint32_t rtx_ms, ertx_ms, info_timeout_ms;
	struct l2k_chan *waiting; /* channels waiting for a link to appear */
	struct timer start_timer; /* due now: start waiting channels whose link is up */
	/* enhanced credit based groups (channels requested together): l2k_chan_connect_ecfc()
	 * numbers its groups from 1, a single channel gets one from 0x80000000 up */
	uint32_t ecfc_groups, ecfc_solo_groups;
	uint8_t sigbuf[1024];	  /* building outgoing signaling */
	uint64_t sig_rejects_sent;
	uint64_t sig_dropped; /* signaling not sent: the link's signaling queue was full */
	uint32_t defects;     /* TEST ONLY (l2k_test_defect): L2CAP_DEFECT_* misbehaviours, 0 */
	uint64_t drop_unknown_cid;
	uint64_t drop_bad_length;
};

/* ---- l2cap_engine.c -------------------------------------------------------------------- */
/* The engine on an HCI host, with the stack's clock.  NULL when out of memory.  Its upper-layer
 * hooks (link up/down, ACL in, room, events, ticks) are the l2cap_engine_* functions below,
 * which take the engine as ctx; l2cap_engine_free ends every link's channels and frees it. */
struct l2cap_engine *l2cap_engine_new(struct hci_host *hci, uint64_t (*clock)(void *arg), void *clock_arg);
void l2cap_engine_free(void *ctx);
void l2cap_engine_link_up(void *ctx, const struct hci_link_info *li);
void l2cap_engine_link_down(void *ctx, uint16_t handle, uint8_t reason);
void l2cap_engine_link_failed(void *ctx, const l2k_addr *peer, bool le, uint8_t status);
/* The controller stopped responding (the HCI host failed; it takes every link down next, and
 * their channels close with L2K_CLOSE_CONTROLLER): the channels still waiting for a link close
 * now, with that reason. */
void l2cap_engine_controller_lost(void *ctx);
void l2cap_engine_acl_rx(void *ctx, uint16_t handle, const uint8_t *pdu, size_t len);
void l2cap_engine_acl_tx_room(void *ctx, uint16_t handle);
void l2cap_engine_event(void *ctx, const uint8_t *evt, size_t len);
void l2cap_engine_tick(void *ctx, uint64_t now);
uint64_t l2cap_engine_next_timer(void *ctx);
void l2cap_engine_set_security(struct l2cap_engine *e, const struct l2cap_security *sec);
/* The security level a channel asks for (SDP's PSM 0x0001: 0; else its options', at least 1). */
uint8_t l2cap_chan_level(const struct l2k_chan *ch);
/* The level a channel (le, psm, asked: what l2cap_chan_level gives) needs on a link with
 * security s: asked, but at least 2 for a BR/EDR channel other than SDP when both hosts support
 * Simple Pairing (Security Mode 4, Vol 3 Part C 5.2.2); *unknown (may be NULL) is set when that
 * is not known yet and matters (asked 1, the link below level 2): wait for it. */
uint8_t l2cap_sec_need(bool le, uint16_t psm, uint8_t asked, const struct l2cap_link_sec *s, bool *unknown);
/* The link's security now (level 1, nothing else, without a security manager). */
void l2cap_link_sec(struct l2cap_link *l, struct l2cap_link_sec *out);
/* Raise the link for the channel (ch->state CH_WAIT_SECURITY): l2cap_security_done follows. */
int l2cap_chan_raise(struct l2k_chan *ch);
/* LE / enhanced credit based refusal for a link that falls short of level (Vol 3 Part A
 * 4.23/4.26), as the Generic Access Profile says (Vol 3 Part C 10.3.1, Table 10.2): not
 * encrypted: insufficient encryption (0x0008) when a key for the peer is stored, else
 * insufficient authentication (0x0005); encrypted: encryption key size too short (0x0007) for a
 * key below the minimum, or below 16 octets when that is all level 4 lacks; else insufficient
 * authentication (0x0005). */
uint16_t l2cap_le_security_result(struct l2cap_link *l, uint8_t level);
/* The last close reason (ch->last_result keeps a close reason until a response tells a result). */
#define L2CAP_CLOSE_REASON_MAX L2K_CLOSE_CONTROLLER
/* the open link to peer: 0 and *handle, or L2K_ENOLINK */
int l2cap_link_find(struct l2cap_engine *e, const l2k_addr *peer, enum l2k_addr_type type, uint16_t *handle);
/* ask the HCI host for a link to peer (completion: l2cap_engine_link_up / _link_failed) */
int l2cap_link_create(struct l2cap_engine *e, const l2k_addr *peer, enum l2k_addr_type type);
/* The last channel waiting for a link to peer closed (l2k_chan_close, its connect timeout):
 * cancel our LE link attempt to peer, if one is under way (BR/EDR: nothing, paging times out). */
void l2cap_link_attempt_release(struct l2cap_engine *e, const l2k_addr *peer, enum l2k_addr_type type);
/* refresh e->now from the stack's clock (entry points between l2k_step ticks) */
void l2cap_sync_now(struct l2cap_engine *e);
/* Start, from the next l2k_step(), the waiting channels whose link is already up.  Never
 * synchronously: a channel that fails at once must not be freed inside the call that made it. */
void l2cap_start_waiting_soon(struct l2cap_engine *e);
struct l2cap_link *l2cap_link_get(struct l2cap_engine *e, uint16_t handle);
struct l2k_chan *l2cap_link_chan(struct l2cap_link *l, uint16_t lcid);
struct l2k_chan *l2cap_link_chan_by_rcid(struct l2cap_link *l, uint16_t rcid);
/* send one whole PDU on the link (basic header added): 0, L2K_EAGAIN, L2K_ENOLINK */
int l2cap_send_pdu(struct l2cap_link *l, uint16_t cid, const uint8_t *const *parts,
		   const size_t *lens, int n);
/* A channel's data PDU (to ch->rcid), in turn with the link's other channels: L2K_EAGAIN when
 * the link is full or other channels wait for room before it (the channel's pump runs again
 * when its turn comes). */
int l2cap_chan_send_pdu(struct l2k_chan *ch, const uint8_t *const *parts, const size_t *lens, int n);
/* Whether a PDU of len payload octets would be taken now (0), or L2K_EAGAIN (the channel then
 * waits for its turn as l2cap_chan_send_pdu would make it): lets a mode skip work (the FCS) on
 * a frame that cannot go yet. */
int l2cap_chan_send_check(struct l2k_chan *ch, size_t len);
/* Send one signaling command (already built, header included) on the link's signaling CID.
 * Signaling goes ahead of queued data (hci_host_acl_send_sig), in a bounded queue: 0, or
 * L2K_ENOBUFS when that queue is full (counted in sig_dropped), L2K_ENOLINK. */
int l2cap_send_sig(struct l2cap_link *l, const uint8_t *cmd, size_t len);
/* The same, but only after every PDU queued on the link before it (our Disconnection Request
 * follows the channel's last data). */
int l2cap_send_sig_after_data(struct l2cap_link *l, const uint8_t *cmd, size_t len);
/* Bytes of signaling the link would queue now. */
size_t l2cap_link_sig_room(struct l2cap_link *l);
uint8_t l2cap_next_ident(struct l2cap_link *l);
/* remember an outstanding request (RTX) */
struct l2cap_pending_sig *l2cap_pend_add(struct l2cap_link *l, uint8_t ident, uint8_t code,
					 uint16_t cid, uint32_t timeout_ms);
struct l2cap_pending_sig *l2cap_pend_find(struct l2cap_link *l, uint8_t ident);
void l2cap_pend_del(struct l2cap_link *l, struct l2cap_pending_sig *p);
/* Something sent at sent_at (engine ms) that the peer answers at once (an Information or Echo
 * Request; our Connection Response, answered by its Configuration Request) was answered now:
 * a sample of the link's round trip (l->rtt_ms keeps the shortest). */
void l2cap_link_rtt_sample(struct l2cap_link *l, uint64_t sent_at);
void l2cap_link_rearm_sig_timer(struct l2cap_link *l);
/* Hold the link's incoming data at the HCI host while an open Basic channel on it holds
 * (ch->rx_hold), release it when none does; leaving: a channel that is closing (not counted).
 * Nothing happens without controller-to-host flow control. */
void l2cap_link_rx_hold_update(struct l2cap_link *l, const struct l2k_chan *leaving);
/* Whether a Basic channel's receiver can hold its link (controller-to-host flow control on). */
bool l2cap_basic_rx_flow(const struct l2k_chan *ch);
uint32_t l2cap_local_features(void);
uint64_t l2cap_local_fixed_channels(void);

/* ---- l2cap_chan.c ---------------------------------------------------------------------- */
struct l2k_chan *l2cap_chan_new(struct l2cap_engine *e, const struct l2k_chan_opts *o,
				const struct l2k_chan_cbs *cbs);
int l2cap_chan_attach(struct l2cap_link *l, struct l2k_chan *ch, uint16_t lcid);
uint16_t l2cap_alloc_cid(struct l2cap_link *l);
void l2cap_chan_set_open(struct l2k_chan *ch);
/* the channel is finished: tell the application, detach and free it */
void l2cap_chan_closed(struct l2k_chan *ch, enum l2k_close_reason reason);
/* start the disconnection exchange (or finish at once if not connected yet) */
void l2cap_chan_disconnect(struct l2k_chan *ch, enum l2k_close_reason reason);
void l2cap_chan_deliver(struct l2k_chan *ch, const uint8_t *sdu, size_t len);
void l2cap_chan_tx_room(struct l2k_chan *ch);
void l2cap_chan_link_ready(struct l2cap_link *l);
void l2cap_link_pump(struct l2cap_link *l);
void l2cap_arm(struct l2k_chan *ch, struct timer *t, uint32_t ms);
struct l2k_server *l2cap_server_find(struct l2cap_engine *e, uint16_t psm, bool le);
/* Ask the server about an incoming channel (peer_mtu/peer_mps: the peer's, 0 on BR/EDR where
 * configuration tells them later); fills the channel's opts/cbs.  Returns 0 to accept,
 * L2K_ACCEPT_PENDING to defer, or a result code. */
int l2cap_server_offer(struct l2k_server *sv, struct l2k_chan *ch, uint16_t peer_mtu, uint16_t peer_mps);
const struct l2cap_mode_ops *l2cap_mode_ops_for(enum l2k_mode m);
bool l2cap_psm_valid_bredr(uint16_t psm);
void l2cap_link_failed(struct l2cap_engine *e, const l2k_addr *peer, bool le, uint8_t status);
int l2cap_chan_connect_group(struct l2cap_engine *e, const l2k_addr *peer, enum l2k_addr_type type, uint16_t psm,
			     const struct l2k_chan_opts *opts, const struct l2k_chan_cbs *cbs, uint32_t group,
			     l2k_chan **out);

/* ---- l2cap_confneg.c: configuration negotiation policy (BR/EDR, 5 and 7.1) ------------- */
/* Our Configuration Request's options for ch into buf: their length, or < 0. */
int l2cap_conf_build_request(struct l2k_chan *ch, uint8_t *buf, size_t cap);
/* Judge the peer's accumulated options in: *result (L2CAP_CONF_*) and the response's options
 * in rsp_opts; returns their length, or < 0. */
int l2cap_conf_eval_request(struct l2k_chan *ch, const struct l2cap_conf_opts *in, uint16_t *result,
			    uint8_t *rsp_opts, size_t cap);
/* The peer's answer to our request: 0 accepted, 1 adjusted (ask again), -1 no agreement
 * possible (the caller disconnects). */
int l2cap_conf_apply_response(struct l2k_chan *ch, uint16_t result, const struct l2cap_conf_opts *o);

/* ---- l2cap_sigbr.c / l2cap_sigle.c ------------------------------------------------------ */
/* The engine's buffer for building an outgoing signaling command (one at a time: built, then
 * sent at once) and its size. */
#define SIGBUF(l) ((l)->eng->sigbuf)
#define SIGCAP(l) (sizeof((l)->eng->sigbuf))
void l2cap_sig_input(struct l2cap_link *l, const uint8_t *p, size_t len);
void l2cap_sigle_input(struct l2cap_link *l, const uint8_t *p, size_t len);
void l2cap_br_connect(struct l2k_chan *ch);	  /* send Connection Request */
void l2cap_br_send_conf_req(struct l2k_chan *ch);
void l2cap_le_connect(struct l2k_chan *ch);	  /* send LE Credit Based Connection Request */
void l2cap_send_disconn_req(struct l2k_chan *ch);
void l2cap_on_disconn_req(struct l2cap_link *l, uint8_t id, const struct l2cap_disconn *d);
void l2cap_on_disconn_rsp(struct l2cap_link *l, uint8_t id, const struct l2cap_disconn *d);
void l2cap_br_info_start(struct l2cap_link *l);
void l2cap_br_info_ready(struct l2cap_link *l);
void l2cap_sig_timeout(struct l2cap_link *l, struct l2cap_pending_sig *p);
void l2cap_send_cmd_reject(struct l2cap_link *l, uint8_t ident, uint16_t reason, uint16_t a,
			   uint16_t b);
void l2cap_br_accept_decided(struct l2k_chan *ch, int result);
/* An incoming BR/EDR channel waits for its link's security to be raised: answer its request
 * "pending, authentication" (once). */
void l2cap_br_security_pending(struct l2k_chan *ch);
/* An incoming BR/EDR channel waited for its link's security: offer it, or refuse (0x0003). */
void l2cap_br_security_decided(struct l2k_chan *ch, bool ok);
void l2cap_le_accept_decided(struct l2k_chan *ch, int result);
void l2cap_send_credits(struct l2k_chan *ch, uint16_t n);
void l2cap_credit_params(struct l2k_chan *ch);
void l2cap_credit_ind(struct l2cap_link *l, const struct l2cap_credit_ind *ci);

/* ---- l2cap_ecfc.c: Enhanced Credit Based Flow Control signaling (both link types) -------- */
/* Handle an enhanced credit based command; returns 0, or < 0 when malformed (the caller sends
 * Command Reject for a malformed request). */
int l2cap_ecfc_input(struct l2cap_link *l, uint8_t code, uint8_t ident, const uint8_t *d, size_t len);
void l2cap_ecfc_connect(struct l2cap_link *l, struct l2k_chan *first);
void l2cap_ecfc_failed(struct l2cap_link *l, const struct l2cap_pending_sig *p, bool refused);
/* l2k_chan_connect_ecfc with callbacks per channel: cbs holds ncbs entries, 1 (shared) or n. */
int l2cap_ecfc_connect_each(struct l2cap_engine *e, const l2k_addr *peer, enum l2k_addr_type type, uint16_t psm, int n,
			    const struct l2k_chan_opts *opts, const struct l2k_chan_cbs *cbs, int ncbs, l2k_chan **out);
/* A Credit Based Reconfigure Request of ours naming the channel waits for its answer. */
bool l2cap_ecfc_reconf_pending(const struct l2k_chan *ch);

/* ---- modes ------------------------------------------------------------------------------ */
extern const struct l2cap_mode_ops l2cap_mode_basic;
extern const struct l2cap_mode_ops l2cap_mode_credit;

/* ---- what the public face (api/) calls: the engine's side of the l2k_* functions ---------
 * Each does what the l2k_ function of the same name says in <l2kit/l2kit.h>. */
const char *l2cap_mode_name(enum l2k_mode m);
int l2cap_mode_parse(const char *name, enum l2k_mode *out);
bool l2cap_mode_supported(enum l2k_mode m);
const char *l2cap_close_reason_str(enum l2k_close_reason r);
void l2cap_chan_opts_default(struct l2k_chan_opts *o);
int l2cap_chan_send(l2k_chan *ch, const uint8_t *sdu, size_t len);
size_t l2cap_chan_send_room(const l2k_chan *ch);
int l2cap_chan_close(l2k_chan *ch);
int l2cap_chan_set_busy(l2k_chan *ch, bool busy);
int l2cap_chan_give_credits(l2k_chan *ch, uint16_t n);
int l2cap_chan_get_info(const l2k_chan *ch, struct l2k_chan_info *out);
int l2cap_chan_reconfigure(l2k_chan **chans, int n, uint16_t mtu, uint16_t mps);
int l2cap_chan_accept(l2k_chan *ch, int result, const struct l2k_chan_cbs *cbs);
int l2cap_server_add(struct l2cap_engine *e, uint16_t psm, bool le, const struct l2k_chan_opts *opts,
		     const struct l2k_server_cbs *cbs, l2k_server **out);
void l2cap_server_remove(l2k_server *srv);
int l2cap_echo(struct l2cap_engine *e, const l2k_addr *peer, const uint8_t *data, size_t len, l2k_echo_cb cb,
	       void *user);
int l2cap_fixed_bind(struct l2cap_engine *e, uint16_t cid, bool le, uint16_t psm, l2k_fixed_rx_cb cb, void *user);
int l2cap_fixed_unbind(struct l2cap_engine *e, uint16_t cid, bool le);
int l2cap_fixed_send(struct l2cap_engine *e, uint16_t handle, uint16_t cid, uint16_t psm, const uint8_t *pdu,
		     size_t len);
int l2cap_fixed_wait_room(struct l2cap_engine *e, uint16_t handle, l2k_fixed_room_cb cb, void *user);
/* Tell the link's fixed-channel room waiters (err 0: room; L2K_ELINKLOSS: the link goes). */
void l2cap_fixed_room_tell(struct l2cap_link *l, int err);
int l2cap_le_conn_update(struct l2cap_engine *e, uint16_t handle, uint16_t interval_min, uint16_t interval_max,
			 uint16_t latency, uint16_t timeout);

#endif
