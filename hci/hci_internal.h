/* Internal state of the HCI host, shared by hci/host.c (events, bring-up, links), hci/cmdq.c
 * (command queue) and hci/acl.c (ACL data path).  Not part of any API. */
#ifndef L2K_HCI_INTERNAL_H
#define L2K_HCI_INTERNAL_H

#include "hci/hci_host.h"
#include "hci/vendor.h"
#include "base/l2k_compat.h"
#include "base/ring.h"

#define HCI_CMDQ_LEN 32
#define HCI_HANDLE_SPACE 4096

struct hci_cmd_slot {
	uint16_t opcode;
	uint8_t plen;
	bool sent;
	bool probe;	   /* the ACL transmit watchdog's probe */
	uint32_t timeout_ms; /* how long the controller has to answer it */
	uint64_t deadline; /* answer due by then (0: not counting yet: not sent) */
	hci_cmd_cb cb;
	void *arg;
	uint8_t params[HCI_MAX_CMD_PARAM];
};

struct hci_link {
	bool used;
	struct hci_link_info info;
	/* transmit */
	struct ring tx; /* queued outgoing PDUs */
	/* Signaling PDUs, sent before the data of tx at the next PDU boundary.  Each record is an
	 * 8-octet barrier (the tx_done the PDU waits for: 0 = none) and the PDU. */
	struct ring sig;
	uint64_t tx_pushed;  /* PDUs ever queued on tx */
	uint64_t tx_done;    /* PDUs of tx fragmented completely */
	bool cur_sig;	     /* the PDU being fragmented is sig's head (else tx's) */
	size_t tx_off;	    /* bytes of the PDU being fragmented already sent */
	uint32_t inflight; /* ACL packets handed to the controller, not yet completed */
	bool want_room;	   /* caller got L2K_EAGAIN: tell it when room appears */
	/* ring of links with queued PDUs, in round-robin order (hci_host.act is the next one) */
	struct hci_link *act_next, *act_prev;
	bool active;
	/* on hci_host.notify: want_room and its queue drained to half since */
	struct hci_link *notify_next;
	bool notify_pending;
	/* receive (reassembly) */
	uint8_t *rx;
	size_t rx_len;	  /* bytes collected */
	size_t rx_total;  /* expected PDU length (header included); 0 = idle */
	bool rx_skipping; /* discarding continuations of a dropped PDU */
	/* controller-to-host flow control (hci/rxflow.c) */
	bool rx_hold;	       /* the upper layer holds the link's incoming data */
	struct ring park;  /* ACL packets kept unprocessed (buf NULL until first needed) */
	uint16_t c2h_done;     /* ACL packets processed, not yet reported to the controller */
	struct hci_link_stats st;
};

/* A pool of controller ACL buffers (BR/EDR, or LE when not shared). */
struct hci_pool {
	uint16_t mtu;
	uint16_t count;
	uint16_t inflight;
};

struct hci_host {
	struct hci_host_config cfg;
	struct hci_host_ops ops;
	void *user;
	uint64_t now;

	/* command queue: slots[0..nslots) in order; the first ones may be sent */
	struct hci_cmd_slot slots[HCI_CMDQ_LEN];
	unsigned nslots;
	uint8_t cmd_credits;
	/* Num_HCI_Command_Packets went to 0 with no command outstanding: when (now) a command
	 * waiting for a credit is sent anyway (0: no such wait; see hci_cmdq_tick) */
	uint64_t credit_stall_at;

	/* bring-up */
	int bringup_step; /* -1 idle, >= 0 running, INT_MAX done */
	bool ready;
	bool failed; /* bring-up failed, or the controller stopped responding (dead) */
	int dead;    /* the controller stopped responding: the error (0: it did not) */
	unsigned nlinks;
	/* the link being taken down (hci_link_remove): its counters, while link_down is told */
	struct hci_link_stats gone_st;
	uint16_t gone_handle;
	bool gone_valid;
	struct hci_controller_info info;
	bool have_commands; /* info.commands is valid */
	/* vendor start-up (hci/vendor*.c): its result, and the procedure while it runs */
	struct hci_vendor_info vinfo;
	struct hci_vendor_run *vrun;

	/* links */
	struct hci_link *links; /* cfg.max_links entries */
	int16_t handle_map[HCI_HANDLE_SPACE];
	struct hci_link *act;	   /* round robin: the next link with queued PDUs (NULL: none) */
	struct hci_link *act_last; /* the link that sent the last packet (ends the turn) */
	struct hci_link *notify; /* links to tell about room when the scheduler is done */
	struct hci_pool pool_bredr, pool_le;
	uint8_t *frag; /* scratch: H4-less ACL packet = 4 + largest mtu */
	size_t frag_cap;
	bool in_schedule;

	/* LE legacy connectable advertising (hci_host_le_advertise / _keep) */
	struct {
		bool on;	    /* the controller advertises, as far as the host knows */
		bool keep;	    /* keep mode: enable it again whenever it stops */
		uint8_t enabling;   /* LE Set Advertising Enable (on) commands outstanding */
		uint16_t max_links; /* keep mode: only while fewer LE links (0: no bound of ours) */
	} adv;
	/* Our LE Create Connection (one at a time: a controller initiates to one peer with the
	 * legacy command, a second gets Command Disallowed) from hci_host_connect until its LE
	 * Connection Complete or refusal; cancelled with hci_host_connect_cancel. */
	struct {
		bool on;	 /* sent, not yet completed or refused */
		bool cancelling; /* LE Create Connection Cancel sent */
		bool pinned;	 /* the application asked for this link itself (hci_host_le_connect_pin) */
		hci_bdaddr_t peer;
		/* asked for while the attempt was being cancelled: sent when the cancel ends */
		bool next, next_pinned;
		uint8_t next_type;
		hci_bdaddr_t next_peer;
	} le_init;
	/* BR/EDR discovery (hci/inquiry.c) */
	bool scan_page, scan_inquiry; /* Scan_Enable as last written */
	bool inq_on;		      /* our Inquiry runs */
	bool name_on;		      /* our Remote Name Request runs */
	hci_bdaddr_t name_peer;
	/* when the host stops waiting for Inquiry Complete / Remote Name Request Complete (a
	 * controller that never sends it must not leave the inquiry or the name busy forever) */
	uint64_t inq_deadline, name_deadline;
	/* controller-to-host flow control (hci/rxflow.c) */
	bool c2h;	      /* on: the controller counts the host's buffers */
	uint32_t c2h_done;    /* ACL packets processed, not yet reported (every link) */
	uint64_t c2h_due;     /* ... to be reported by then */
	uint32_t c2h_parked;  /* ACL packets kept unprocessed (every link) */
	bool c2h_replay;      /* a released link has kept packets: process them at the next tick */
	bool in_replay;
	uint8_t *c2h_buf;     /* scratch: one kept packet */
	size_t c2h_buf_cap;

	/* ACL transmit watchdog (hci/watchdog.c) */
	struct {
		uint64_t rx_last;	 /* when the controller last sent anything */
		bool probing;		 /* the probe is queued or waits for its answer */
		uint64_t probe_silent;	 /* how long the controller had been silent when it went */
		uint32_t probe_inflight; /* ACL packets the controller held then */
	} wd;

	struct hci_host_stats stats;
};

/* cmdq.c */
/* hci_host_cmd with a timeout of its own (0: cfg.cmd_timeout_ms) that runs from now even while
 * the command waits for a Num_HCI_Command_Packets credit; probe marks the watchdog's probe. */
int hci_cmd_queue(struct hci_host *h, uint16_t opcode, const uint8_t *params, size_t plen,
		  hci_cmd_cb cb, void *arg, uint32_t timeout_ms, bool probe);
/* Send a command now, outside the queue and without Num_HCI_Command_Packets credit (only Host
 * Number Of Completed Packets may be sent so, Vol 4 Part E 7.3.40). */
int hci_cmd_send_unqueued(struct hci_host *h, uint16_t opcode, const uint8_t *params, size_t plen);
void hci_cmdq_pump(struct hci_host *h);
void hci_cmdq_complete(struct hci_host *h, uint16_t opcode, int status, const uint8_t *ret,
		       size_t len, uint8_t credits);
void hci_cmdq_tick(struct hci_host *h);
uint64_t hci_cmdq_next_deadline(const struct hci_host *h);
void hci_cmdq_flush(struct hci_host *h, int status);

/* acl.c */
int hci_acl_link_init(struct hci_host *h, struct hci_link *l);
void hci_acl_link_release(struct hci_host *h, struct hci_link *l);
void hci_acl_input(struct hci_host *h, const uint8_t *pkt, size_t len);
/* one ACL packet of link l (header checked): reassembly; counted as processed for flow control */
void hci_acl_rx_packet(struct hci_host *h, struct hci_link *l, const uint8_t *pkt, size_t len);
void hci_acl_completed(struct hci_host *h, uint16_t handle, uint16_t count);
void hci_acl_schedule(struct hci_host *h);
struct hci_pool *hci_acl_pool(struct hci_host *h, const struct hci_link *l);

/* rxflow.c: controller-to-host flow control */
/* Keep the packet if the link is held or has kept packets (flow control on): true if kept. */
bool hci_rxflow_park(struct hci_host *h, struct hci_link *l, const uint8_t *pkt, size_t len);
/* A packet of l was processed (or dropped): count it for Host Number Of Completed Packets. */
void hci_rxflow_done(struct hci_host *h, struct hci_link *l);
/* Process released links' packets, then report what was processed if it is time. */
void hci_rxflow_tick(struct hci_host *h);
/* When hci_rxflow_tick has work (UINT64_MAX: none). */
uint64_t hci_rxflow_next(const struct hci_host *h);
/* The link is gone: its kept packets and counts are forgotten (Vol 4 Part E 7.7.5). */
void hci_rxflow_link_release(struct hci_host *h, struct hci_link *l);
/* bring-up: Host Buffer Size and Set Controller To Host Flow Control succeeded */
void hci_rxflow_enable(struct hci_host *h);

/* watchdog.c: the ACL transmit watchdog, and the end of a host whose controller stopped
 * responding */
void hci_watchdog_input(struct hci_host *h);
void hci_watchdog_tick(struct hci_host *h);
uint64_t hci_watchdog_next(const struct hci_host *h);
/* A command went unanswered (it was removed from the queue; its callback follows): the host
 * fails with a message naming it. */
void hci_watchdog_cmd_timeout(struct hci_host *h, const struct hci_cmd_slot *s);
/* The controller stopped responding: report msg, tell ops->failed, fail every queued command
 * with err and take every link down (reason 0x16).  Once. */
void hci_host_fail(struct hci_host *h, int err, const char *msg);
/* hci/inquiry.c: whether an inquiry / name event is long enough (other codes: true), and its
 * handling */
bool hci_inquiry_event_fits(uint8_t code, const uint8_t *p, size_t n);
void hci_inquiry_event(struct hci_host *h, uint8_t code, const uint8_t *p, size_t n);
/* The inquiry's and the name request's own time-outs: ended with L2K_ETIMEDOUT (and a cancel
 * sent) when the controller's event is overdue; when the next one is due (UINT64_MAX: none). */
void hci_inquiry_tick(struct hci_host *h);
uint64_t hci_inquiry_next(const struct hci_host *h);

/* vendor.c: the vendor start-up, run by bring-up after Read Local Version.  hci_vendor_start:
 * true when a procedure runs (it ends with hci_bringup_vendor_done), false to go on at once. */
bool hci_vendor_start(struct hci_host *h);
void hci_vendor_event(struct hci_host *h, const uint8_t *p, size_t n); /* vendor event 0xFF */
void hci_vendor_tick(struct hci_host *h);
uint64_t hci_vendor_next(const struct hci_host *h);
void hci_vendor_stop(struct hci_host *h); /* free what runs (host freed / restarted) */
/* bringup.c: the vendor start-up ended (0, or the error it reported) */
void hci_bringup_vendor_done(struct hci_host *h, int err);

/* host.c */
/* The link is gone: its record is freed and ops->link_down told. */
void hci_link_remove(struct hci_host *h, uint16_t handle, uint8_t reason);
struct hci_link *hci_link_by_handle(const struct hci_host *h, uint16_t handle);
void hci_report(struct hci_host *h, int err, const char *fmt, ...)
#if defined(__GNUC__)
	L2K_PRINTF(3, 4)
#endif
	;
int hci_send_packet(struct hci_host *h, uint8_t type, const uint8_t *pkt, size_t len);

#endif
