/* Internal structures of the simulator, shared by the files of transport/sim/. */
#ifndef L2K_SIM_INT_H
#define L2K_SIM_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/crypto.h"
#include "transport/sim/sim.h"
#include "transport/sim/sim_hci.h"
#include "base/ring.h"

#define SIM_NEVER UINT64_MAX
#define SIM_NONE 0xFFFFu
#define SIM_SLOT_US 625u
#define SIM_T_IFS_US 150u
#define SIM_LE_DEFAULT_DATA_LEN 27
#define SIM_BREDR_SUPERVISION_US 20000000ull /* 0x7D00 slots (Vol 4 Part E 7.3.42) */
#define SIM_PAGE_LATENCY_US 5000u	      /* page + LMP set-up until Connection Request */
#define SIM_ACCEPT_TIMEOUT_US 5000000u	      /* Connection_Accept_Timeout default 0x1F40 */
#define SIM_LL_RESPONSE_US 40000000ull	      /* LL/LMP response timeout (Vol 6 Part B 5.2) */
#define SIM_LMP_RESPONSE_US 30000000ull	      /* LMP response timeout (Vol 2 Part C) */
#define SIM_OUTQ_BYTES 65536u
#define SIM_EVENT_RESERVE 8192u /* outq bytes kept free of ACL so events still fit */
#define SIM_DUP_MAX 32
#define SIM_ACCEPT_LIST_SIZE 8

/* --- PRNG (splitmix64; deterministic from the seed) --- */
uint64_t sim_rng_next(uint64_t *state);
/* true with probability p (consumes one draw) */
bool sim_rng_chance(uint64_t *state, double p);

/* --- ACL buffer pool of a controller --- */
struct sim_slot {
	uint8_t *data;
	uint16_t len;  /* bytes in the packet */
	uint16_t sent; /* bytes already on the air */
	uint16_t next; /* next slot in the link direction's queue, SIM_NONE at the end */
	bool start;    /* first fragment of an L2CAP PDU */
};
struct sim_pool {
	uint16_t mtu, count, nfree;
	uint8_t *mem;
	struct sim_slot *slots;
	uint16_t *free;
};

enum sim_link_kind { SIM_LINK_BREDR = 1, SIM_LINK_LE = 2 };

enum sim_link_state {
	LS_PAGING,    /* BR/EDR: page in progress */
	LS_REQUESTED, /* BR/EDR: Connection Request at the acceptor's host */
	LS_SETUP,     /* accepted / CONNECT_IND sent: Connection Complete pending */
	LS_OPEN,
	LS_CLOSING, /* Disconnect in progress */
};

enum sim_link_timer {
	LT_SETUP,	/* page result / connection complete */
	LT_ACCEPT,	/* BR/EDR connection accept timeout */
	LT_STEP,	/* air exchange engine */
	LT_CUT,		/* the link is cut at this time */
	LT_SUPERVISION, /* supervision timeout after a cut */
	LT_TERM,	/* Disconnect command completes */
	LT_PROC,	/* LE connection parameter procedure */
	LT_INFO0,	/* remote information requested by end 0 */
	LT_INFO1,	/* ... by end 1 */
	LT_DLE,		/* data length update */
	LT_SEC,		/* BR/EDR authentication / pairing step */
	LT_ENC,		/* encryption start / pause / refresh (BR/EDR and LE) */
	LT_COUNT
};

/* remote information requests (bits of sim_link.info_req[end]) */
#define INFO_VERSION 0x01
#define INFO_FEATURES 0x02
#define INFO_LE_FEATURES 0x04
#define INFO_EXT_FEATURES 0x08

/* BR/EDR authentication and pairing of a link (sim_sec_bredr.c): LMP is not simulated, the
 * two controllers agree through this state; each message between them takes the link's
 * procedure delay. */
enum sim_bs_state {
	BS_IDLE,
	BS_LK_I,	 /* Link Key Request at the initiator's host */
	BS_LK_R_SEND,	 /* LMP_au_rand on its way */
	BS_LK_R,	 /* Link Key Request at the responder's host */
	BS_IOCAP_I,	 /* IO Capability Request at the initiator's host */
	BS_IOCAP_R_SEND, /* LMP_io_capability_req on its way */
	BS_IOCAP_R,	 /* IO Capability Request at the responder's host */
	BS_IOCAP_I_SEND, /* LMP_io_capability_res on its way */
	BS_STAGE1_SEND,	 /* public keys and commitments being exchanged */
	BS_STAGE1,	 /* confirmation / passkey / OOB answers awaited */
	BS_PIN_I,	 /* PIN Code Request at the initiator's host */
	BS_PIN_R_SEND,	 /* LMP_in_rand on its way */
	BS_PIN_R,	 /* PIN Code Request at the responder's host */
	BS_FINISH,	 /* outcome on its way to both sides */
};
enum sim_assoc { AM_JUST_WORKS, AM_NUMERIC, AM_PASSKEY, AM_OOB };

struct sim_bsec {
	uint8_t state;	 /* enum sim_bs_state */
	uint8_t init;	 /* end whose host sent Authentication Requested */
	uint8_t status;	 /* outcome delivered in BS_FINISH */
	uint8_t wait;	 /* bit (1 << end): that end's host answer is awaited */
	bool ssp[2];	 /* the end's host got IO Capability Request (gets Simple Pairing Complete) */
	bool pairing;	 /* a new link key is being made (not a stored-key check) */
	bool legacy;	 /* PIN pairing */
	uint8_t io[2], oob[2], authreq[2];
	uint8_t model;	 /* enum sim_assoc */
	bool mitm;	 /* the new key is authenticated */
	bool sc;	 /* P-256 key types: both hosts enabled Secure Connections */
	bool keyboard[2];
	bool answered[2];
	uint32_t passkey, entered[2];
	uint8_t key[2][16]; /* stored-key path: the keys the hosts gave */
	uint8_t pin[2][16], pin_len[2];
	uint8_t nonce[2][16];
	uint8_t pub[2][64];  /* public key of end i */
	uint8_t view[2][64]; /* the peer public key end i works with (forged under NC_MISMATCH) */
	uint8_t dh[2][32];
	/* result, kept for the life of the link */
	bool auth;	     /* a link key is established on this link */
	uint8_t link_key[16], key_type;
};

enum sim_enc_proc { EP_NONE, EP_BR_START, EP_BR_REFRESH, EP_LE_REQ, EP_LE_WAIT_LTK, EP_LE_START };

/* Encryption of a link (sim_sec_bredr.c, sim_sec_le.c). */
struct sim_enc {
	uint8_t on;	   /* HCI_ENC_*: as the link runs now */
	uint8_t key_size;  /* octets, while on */
	uint8_t proc;	   /* enum sim_enc_proc */
	uint8_t want;	   /* BR/EDR: the Encryption_Enable asked */
	bool was_on;	   /* LE: encryption was on when the procedure started (key refresh) */
	bool ltk_ok;	   /* LE: the two LTKs agree */
	uint8_t status;	   /* LE: outcome of the procedure (0 or the peripheral's rejection) */
	uint8_t rand[8];   /* LE: Random_Number and EDIV of LE Enable Encryption */
	uint8_t ediv[2];
	uint8_t ltk[2][16]; /* LE: the LTK each end's host gave */
};

enum sim_proc_state { PROC_NONE, PROC_REQ_SENT, PROC_WAIT_REPLY, PROC_INSTANT };

struct sim_link_dir {
	uint16_t head, tail;   /* slot queue in the sender's pool */
	uint16_t inflight;     /* bytes of the head slot on the air now */
	uint16_t rx_reserved;  /* bytes reserved in the receiver for them */
	uint16_t max_tx;       /* LE: effective max tx octets */
	uint16_t req_tx;       /* LE: octets the sender's host asked for */
	uint32_t nocp;	       /* completed packets not yet reported to the sender */
	bool dropping;	       /* the current PDU is being dropped (loss) */
	bool host_started;     /* the host has sent a start fragment on this link */
	bool inflight_start;
};

struct sim_link {
	struct sim_air *air;
	struct sim_link *next;
	uint32_t id;
	enum sim_link_kind kind;
	enum sim_link_state state;
	struct sim_ctrl *end[2]; /* 0 = initiator (LE central), 1 = acceptor (LE peripheral) */
	uint16_t handle[2];
	uint8_t role[2];	   /* 0x00 central, 0x01 peripheral */
	hci_bdaddr_t addr[2];	   /* the address each end shows to the other */
	uint8_t addr_type[2];	   /* LE address type of that address */
	struct sim_link_dir dir[2]; /* dir[d]: from end[d] to end[1-d] */
	uint32_t host_out[2];	   /* ACL packets outstanding at end[i]'s host (flow control) */
	/* timing */
	uint64_t start_us;  /* BR/EDR slot origin, LE first anchor */
	uint64_t anchor_us; /* LE: start of the latest connection event */
	bool anchor_used;   /* an exchange already happened in the event at anchor_us */
	bool active;	    /* an exchange is in flight (LT_STEP marks its end) */
	bool event_open;    /* exchanges run back to back (LE: in the current event) */
	bool role_switch;   /* BR/EDR: roles swap when the connection completes */
	uint16_t interval;  /* LE, 1.25 ms units */
	uint16_t latency;
	uint16_t sup_timeout; /* LE, 10 ms units */
	bool cut;
	bool allow_role_switch;
	uint8_t term_reason;  /* reason given by the host that disconnects */
	uint8_t term_by;      /* end that sent Disconnect */
	/* LE connection parameter procedure */
	enum sim_proc_state proc;
	uint8_t proc_by; /* initiating end */
	uint16_t p_min, p_max, p_latency, p_timeout;
	uint8_t proc_status;
	/* remote information */
	uint8_t info_req[2];
	uint8_t ext_page[2]; /* page asked by Read Remote Extended Features */
	bool dle_notify[2];
	/* security */
	struct sim_bsec bs;
	struct sim_enc enc;
	uint64_t tmr[LT_COUNT];
	struct sim_link_stats st; /* [d] = sent by end[d] */
};

enum sim_ctrl_timer {
	CT_ADV,
	CT_NOCP,
	CT_INQ,	    /* BR/EDR inquiry: next inquiry response may be heard */
	CT_INQ_END, /* BR/EDR inquiry: Inquiry_Length elapsed */
	CT_NAME,    /* BR/EDR Remote Name Request: answer or page timeout */
	CT_COUNT
};

#define SIM_INQ_SEEN_MAX 64 /* devices one inquiry reports at most (Num_Responses 0) */

struct sim_ctrl {
	struct sim_air *air;
	struct sim_ctrl *next;
	uint32_t id;
	struct sim_ctrl_config cfg;
	hci_bdaddr_t addr;
	uint8_t commands[64];
	uint8_t features[8];
	uint8_t le_features[8];
	/* host-written state (reset by HCI Reset) */
	uint64_t event_mask, event_mask2, le_event_mask;
	uint8_t scan_enable;
	uint16_t page_timeout; /* slots */
	uint8_t cod[3];
	uint8_t local_name[248]; /* Write Local Name (UTF-8, NUL padded) */
	uint8_t eir[240], eir_fec;
	uint8_t inq_mode; /* Write Inquiry Mode: 0 standard, 1 with RSSI, 2 with RSSI or EIR */
	/* inquiry in progress (sim_inquiry.c) */
	bool inq_on;
	uint8_t inq_max;  /* Num_Responses, 0 = unlimited */
	uint8_t inq_nseen;
	uint32_t inq_seen[SIM_INQ_SEEN_MAX]; /* ids of the controllers already reported */
	/* Remote Name Request in progress */
	bool name_on;
	hci_bdaddr_t name_peer;
	uint8_t ssp_mode, le_host, le_simul, sc_host;
	uint8_t fc_enable;
	uint16_t host_acl_len, host_acl_total;
	uint32_t host_acl_used;
	/* LE */
	hci_bdaddr_t random_addr;
	bool random_set;
	struct {
		uint16_t itv_min, itv_max;
		uint8_t type, own_type, peer_type, chmap, filter;
		hci_bdaddr_t peer;
	} adv;
	uint8_t adv_data[31], adv_len, scan_rsp[31], scan_rsp_len;
	bool adv_on;
	uint64_t adv_until; /* high duty cycle directed advertising ends */
	struct {
		uint8_t type, own_type, filter;
		uint16_t itv, win;
	} scan;
	bool scan_on, scan_dup;
	uint8_t ndup;
	struct {
		uint8_t type;
		hci_bdaddr_t a;
		uint8_t evt;
	} dup[SIM_DUP_MAX];
	struct {
		bool on;
		uint8_t filter, peer_type, own_type;
		hci_bdaddr_t peer;
		uint16_t itv_min, itv_max, latency, timeout;
	} init;
	uint8_t nacc;
	struct {
		uint8_t type;
		hci_bdaddr_t a;
	} acc[SIM_ACCEPT_LIST_SIZE];
	uint16_t def_tx_octets;
	/* security: the controller's P-256 key pair (made on first use from the air's PRNG) */
	struct crypto_p256_key *kp;
	uint8_t pub[64];
	/* command flow control */
	uint8_t cmd_credits;
	/* buffers */
	struct sim_pool pool_br, pool_le;
	struct ring hold;  /* air packets received, waiting for the host: [handle(2) start(1)] data */
	size_t hold_off;    /* bytes of the head record already passed to outq */
	size_t hold_bytes, hold_cap, hold_reserved;
	uint32_t hold_reserved_n;
	bool answered; /* the current command got its Command Complete / Status */
	struct ring outq;  /* packets for the host: [type(1) flags(1)] packet */
	uint8_t scratch[SIM_PKT_MAX + 16];
	uint16_t next_handle;
	uint64_t tmr[CT_COUNT];
	struct sim_ctrl_stats st;
	/* vendor personality (sim_vendor.c) */
	struct {
		struct sim_vendor_stats st;
		unsigned seen;	       /* download commands received (for vendor_nack) */
		bool minidriver;       /* Broadcom: Download Minidriver received */
		bool launched;	       /* Broadcom: Launch RAM received: runs after the next Reset */
		uint8_t phase;	       /* Intel: 0 CSS header, 1 public key, 2 signature, 3 payload */
		uint32_t phase_bytes;
		uint32_t image_len;    /* Intel: from the CSS header's size (dwords) */
		uint32_t got;	       /* Intel: image octets received */
		uint8_t cmd[258];      /* Intel: the payload command being collected */
		size_t cmd_have;
		bool have_boot;
		uint32_t boot_addr;
		uint8_t build[3];
	} vend;
};

#define OUT_CREDIT 0x01 /* outq flag: popping this event returns the command credit */

struct sim_air {
	char name[64];
	int refs;
	struct sim_air *next; /* registry */
	pthread_mutex_t lock;
	uint64_t now;
	uint64_t rng;
	double loss, corrupt;
	uint64_t cut_all_at;
	bool frozen; /* sim_air_freeze */
	enum sim_profile le_profile, br_profile;
	struct sim_ctrl *ctrls;
	struct sim_link *links;
	uint32_t next_ctrl_id, next_link_id, next_addr;
	struct sim_air_stats st;
};

/* --- air (sim_air.c) --- */
void sim_link_add(struct sim_air *air, struct sim_link *l);
/* unlink and free (its timers vanish with it) */
void sim_link_destroy(struct sim_link *l);

/* --- profiles (sim_profile.c) --- */
/* Air time of one exchange: us for sender payloads a (end 0) and b (end 1), -1 = empty. */
uint32_t sim_exchange_us(enum sim_profile p, int a, int b);
/* Largest payload of one air packet under the profile (BR/EDR: the biggest packet type). */
uint16_t sim_profile_max_packet(enum sim_profile p, enum sim_link_kind kind);
bool sim_profile_is_le(enum sim_profile p);

/* --- controller core (sim_ctrl.c) --- */
/* Queue an event for the host, honouring the masks (code HCI_EV_LE_META: p[0] = subevent). */
void sim_event(struct sim_ctrl *c, uint8_t code, const uint8_t *p, size_t n);
/* Whether the masks let this event (LE Meta: subevent sub) through. */
bool sim_event_enabled(const struct sim_ctrl *c, uint8_t code, uint8_t sub);
/* LMP features page (0..2) of a BR/EDR controller into out; false for a page it does not have. */
bool sim_ctrl_features_page(const struct sim_ctrl *c, uint8_t page, uint8_t out[8]);
#define SIM_FEATURES_MAX_PAGE 2
void sim_cmd_complete(struct sim_ctrl *c, uint16_t op, const uint8_t *ret, size_t n);
void sim_cmd_status(struct sim_ctrl *c, uint16_t op, uint8_t status);
void sim_cc_status(struct sim_ctrl *c, uint16_t op, uint8_t status);
void sim_le_event(struct sim_ctrl *c, uint8_t sub, const uint8_t *p, size_t n);
uint16_t sim_ctrl_alloc_handle(struct sim_ctrl *c);
struct sim_link *sim_ctrl_link(const struct sim_ctrl *c, uint16_t handle, int *end);
struct sim_pool *sim_ctrl_pool(struct sim_ctrl *c, enum sim_link_kind kind);
uint16_t sim_ctrl_rx_frag(const struct sim_ctrl *c, enum sim_link_kind kind);
bool sim_ctrl_is_le(const struct sim_ctrl *c);
bool sim_ctrl_is_bredr(const struct sim_ctrl *c);
/* Move received data from the receive buffer to the host queue as flow control allows. */
void sim_ctrl_pump(struct sim_ctrl *c);
void sim_ctrl_fire(struct sim_ctrl *c, enum sim_ctrl_timer t);

/* --- command handlers --- */
struct sim_cmd {
	uint16_t op;
	uint16_t bit;	/* Supported Commands bit or SIM_CMDBIT_NONE */
	uint8_t types;	/* bit (1 << sim_ctrl_type) for each type that has it */
	uint8_t kind;	/* CMD_CC, CMD_CS or CMD_NONE (no event on success) */
	int16_t plen;	/* exact parameter length, -1 = checked by the handler */
	void (*fn)(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n);
};
enum { CMD_CC, CMD_CS, CMD_NONE };
#define T_BR (1u << SIM_TYPE_BREDR)
#define T_LE (1u << SIM_TYPE_LE)
#define T_DUAL (1u << SIM_TYPE_DUAL)
#define T_ALL (T_BR | T_LE | T_DUAL)
#define T_BREDR (T_BR | T_DUAL)
#define T_LEX (T_LE | T_DUAL)
extern const struct sim_cmd sim_cmds_base[];
extern const struct sim_cmd sim_cmds_bredr[];
extern const struct sim_cmd sim_cmds_le[];
extern const struct sim_cmd sim_cmds_sec_bredr[];
extern const struct sim_cmd sim_cmds_sec_conf[];
extern const struct sim_cmd sim_cmds_sec_le[];
const struct sim_cmd *sim_cmd_find(uint16_t op, uint8_t type);
void sim_cmd_bitmap(uint8_t type, uint8_t out[64]);

/* --- links and data path (sim_link.c) --- */
struct sim_link *sim_link_new(struct sim_air *air, enum sim_link_kind kind, struct sim_ctrl *a,
			      struct sim_ctrl *b);
int sim_link_end_of(const struct sim_link *l, const struct sim_ctrl *c);
/* host ACL packet (header already parsed) */
void sim_acl_from_host(struct sim_ctrl *c, const uint8_t *pkt, size_t len);
/* wake the exchange engine of links that may send now */
void sim_link_kick(struct sim_link *l);
void sim_ctrl_kick_links(struct sim_ctrl *c);
/* Close a link: Disconnection Complete (status 0) with reason[i] to end i (0xFF: no event). */
void sim_link_close(struct sim_link *l, uint8_t reason0, uint8_t reason1);
void sim_link_fire(struct sim_link *l, enum sim_link_timer t);
void sim_link_opened(struct sim_link *l); /* state -> open, arm cut time */
uint64_t sim_link_proc_delay(const struct sim_link *l);
void sim_link_flush_nocp(struct sim_ctrl *c);

/* --- BR/EDR and LE procedures (sim_cmd_bredr.c, sim_cmd_le.c) --- */
void sim_bredr_link_timer(struct sim_link *l, enum sim_link_timer t);
void sim_le_link_timer(struct sim_link *l, enum sim_link_timer t);
void sim_le_adv_event(struct sim_ctrl *c);
void sim_le_reset(struct sim_ctrl *c);
void sim_bredr_ctrl_gone(struct sim_ctrl *c);
/* inquiry, inquiry scan and remote name (sim_inquiry.c) */
extern const struct sim_cmd sim_cmds_inquiry[];
void sim_inq_reset(struct sim_ctrl *c); /* power-on / HCI Reset values, no events */
void sim_inq_step(struct sim_ctrl *c);
void sim_inq_end(struct sim_ctrl *c);
void sim_name_fire(struct sim_ctrl *c);
void sim_le_ctrl_gone(struct sim_ctrl *c);
void sim_le_link_open(struct sim_link *l);
void sim_info_complete(struct sim_link *l, int end);

/* --- security (sim_sec.c, sim_sec_bredr.c, sim_sec_le.c) --- */
/* n octets from the air's PRNG */
void sim_sec_random(struct sim_air *air, uint8_t *out, size_t n);
/* The controller's key pair (made from the air's PRNG on first use); 0 or a crypto error. */
int sim_sec_keypair(struct sim_ctrl *c);
void sim_sec_ctrl_reset(struct sim_ctrl *c); /* forget the key pair (HCI Reset, free) */
/* A fresh key pair from the air's PRNG (the forged key of NC_MISMATCH); pub gets its public key. */
int sim_sec_new_key(struct sim_air *air, struct crypto_p256_key **out, uint8_t pub[64]);
int sim_sec_dhkey(const struct crypto_p256_key *kp, const uint8_t peer[64], uint8_t dh[32]);
/* The simulator's Simple Pairing functions (AES-CMAC constructions, see sim_sec.c). */
int sim_sec_nc_value(const uint8_t pka[64], const uint8_t pkb[64], const uint8_t na[16],
		     const uint8_t nb[16], uint32_t *value);
int sim_sec_link_key(const uint8_t dh[32], const uint8_t na[16], const uint8_t nb[16],
		     const hci_bdaddr_t *a, const hci_bdaddr_t *b, uint8_t key[16]);
int sim_sec_oob_commit(const uint8_t pub[64], const uint8_t r[16], uint8_t tag, uint8_t c[16]);
int sim_sec_pin_key(const uint8_t *pin, uint8_t len, const uint8_t rnd[16], const hci_bdaddr_t *a,
		    const hci_bdaddr_t *b, uint8_t key[16]);
/* OOB commitment tags: P-192 data (Read Local OOB Data) / P-256 data (extended) */
#define SIM_OOB_TAG_P192 0x00
#define SIM_OOB_TAG_P256 0x01
/* The BR/EDR link of the Connection_Handle at p (NULL if none or LE). */
struct sim_link *sim_sec_bredr_link(struct sim_ctrl *c, const uint8_t *p, int *end);
/* Encryption Change (v2 when Set Event Mask Page 2 unmasked it, else v1) to end e. */
void sim_sec_enc_change(struct sim_link *l, int e, uint8_t status, uint8_t on, uint8_t key_size);
void sim_sec_key_refresh(struct sim_link *l, int e, uint8_t status);
/* Timers and link end (before Disconnection Complete; reason[i] 0xFF = no event to end i). */
void sim_sec_bredr_timer(struct sim_link *l);
void sim_sec_enc_timer(struct sim_link *l);
void sim_sec_le_enc_timer(struct sim_link *l);
void sim_sec_bredr_enc_timer(struct sim_link *l);
void sim_sec_link_closing(struct sim_link *l, uint8_t reason0, uint8_t reason1);
/* The end of a link hears reason now; the other end only sees the link go silent (cut), so it
 * ends with the supervision timeout.  Used for an LE MIC failure. */
void sim_link_drop_end(struct sim_link *l, int e, uint8_t reason);

/* shared command handlers (sim_cmd_base.c) and reset (sim_ctrl.c) */
void sim_ctrl_reset(struct sim_ctrl *c);
void sim_cmd_read_features(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n);
void sim_cmd_set_event_mask(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n);
void sim_cmd_read_remote(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n);
/* sim_vendor.c: a vendor command for the personality (true: answered), Read Local Version's
 * return parameters (9 octets with the status), HCI Reset */
bool sim_vendor_command(struct sim_ctrl *c, uint16_t op, const uint8_t *p, size_t n);
void sim_vendor_read_version(const struct sim_ctrl *c, uint8_t r[9]);
void sim_vendor_reset(struct sim_ctrl *c);

static inline void sim_put_addr(uint8_t *p, const hci_bdaddr_t *a)
{
	for (int i = 0; i < 6; i++)
		p[i] = a->b[i];
}
static inline void sim_get_addr(hci_bdaddr_t *a, const uint8_t *p)
{
	for (int i = 0; i < 6; i++)
		a->b[i] = p[i];
}
static inline bool sim_addr_eq(const hci_bdaddr_t *a, const hci_bdaddr_t *b)
{
	for (int i = 0; i < 6; i++)
		if (a->b[i] != b->b[i])
			return false;
	return true;
}

#endif
