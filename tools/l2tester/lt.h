/* l2tester's lower tester and case library (docs/l2tester.md).  Public l2kit API only: no
 * cmocka, no internal header, so the same cases run in the shipped tool and in make check.
 *
 * A case is a function that drives one struct lt: the tester's stack with its L2CAP engine
 * unplugged (l2k_raw_attach) and one link to the IUT, up when the case starts.  It sends raw
 * frames, waits for the IUT's and checks every byte; the first failed check sets the verdict
 * (fail, with the reason and the frames of the case).  IUT actions (listen, connect, send ...)
 * go through one text vocabulary, the control protocol's requests (lt_iut), whatever the
 * backend: in-process l2kit, an agent, a command hook or a person at the terminal. */
#ifndef L2TESTER_LT_H
#define L2TESTER_LT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <l2kit/l2kit.h>

#include "tools/l2tester/lt_printf.h"

enum lt_verdict { LT_NONE, LT_PASS, LT_FAIL, LT_INCONC, LT_NA };
const char *lt_verdict_str(enum lt_verdict v);

#define LT_MAX_RX 64
#define LT_PDU_MAX 2048 /* longer PDUs are cut to this (the length stays) */
#define LT_LOG_MAX 16384

struct lt_pdu {
	uint16_t cid;
	size_t len;	      /* the payload's real length */
	uint8_t data[LT_PDU_MAX]; /* its first LT_PDU_MAX octets */
};

/* An IUT backend: performs one request of the control protocol (a line without "\n", e.g.
 * "listen psm=4097 transport=bredr mode=basic").  Returns 0 and fills ans (the text after "ok",
 * e.g. "chan=1") when done; L2K_ENOTSUP when the IUT cannot do it, another negative code when
 * the action failed; ans then says why.  pump: take pending events (may be NULL); events: the
 * backend reports the IUT's application events (lt_iut_event); fd: a descriptor to poll
 * (-1: none). */
struct lt_iut_backend {
	const char *name;
	int (*action)(void *u, const char *req, char *ans, size_t n);
	void (*pump)(void *u);
	int (*fd)(void *u);
	bool events;
	void *u;
	struct lt *cur; /* the case running (set by the runner): where events go (lt_iut_event) */
};

/* What the IUT's application reported (events of the control protocol). */
#define LT_IUT_DATA_MAX 4096
struct lt_iut_obs {
	int opened, closed, sdus, link_up, link_down;
	int link_failed, link_failed_status; /* event link-failed: count, the last one's status */
	int chan;		 /* chan= of the last open */
	unsigned mtu, peer_mtu;	 /* of the last open */
	unsigned mps, peer_mps;
	char mode[16];		 /* mode= of the last open ("basic", "ertm", ...) */
	char reason[32];	 /* of the last close */
	int result;		 /* of the last close (-1: none given) */
	int echoes, echo_err;	 /* "echo" answers (event echo) and the last one's err */
	size_t echo_len;
	uint8_t echo_data[64];
	size_t len;		 /* of the last SDU */
	uint8_t data[LT_IUT_DATA_MAX];
	struct {		 /* the last SDU of each chan 1..7 (its first 64 octets) */
		int sdus;
		size_t len;
		uint8_t d[64];
	} per[8];
	int cl_sdus;		 /* connectionless data received (event cl-data) */
	unsigned cl_psm;	 /* ... the last one's PSM, length and first 64 octets */
	size_t cl_len;
	uint8_t cl_data[64];
};

struct lt;
/* How time passes: run the stacks until pred(arg) or ms pass (true: pred became true). */
struct lt_clock {
	bool (*run_until)(struct lt *t, bool (*pred)(void *arg), void *arg, uint64_t ms);
	uint64_t (*now)(struct lt *t);
	void *u;
};

struct lt {
	l2k_stack *st; /* the tester's stack (engine unplugged) */
	struct lt_clock clk;
	struct lt_iut_backend *iut;
	bool le;		 /* the link is LE */
	uint16_t handle;	 /* the link's handle at the tester (0: none) */
	l2k_addr iut_addr, tst_addr;
	enum l2k_addr_type iut_type;
	uint16_t psm;		 /* the IUT's PSM / SPSM for the cases */
	bool link_down;
	uint8_t link_down_reason;
	bool auto_info;		 /* answer the IUT's Information Requests (default on) */
	bool iut_is_l2kit;	 /* the in-process run: values l2kit documents are checked exactly */
	uint32_t info_feat;	 /* ... with these extended features (0) */
	struct lt_pdu *rx;	 /* LT_MAX_RX slots */
	int rx_head, rx_count;
	uint8_t next_ident;
	struct lt_iut_obs obs;
	/* verdict */
	enum lt_verdict verdict;
	char reason[512];
	char *log; /* "sent ..." / "received ..." lines */
	size_t log_len;
	bool verbose;
	/* the per-case time bound (lt_run_opts.case_limit_ms): its length, and the clock time it
	 * ends at while the case runs (0: none) */
	uint64_t limit_ms, deadline;
};

/* ---- set-up (the runners) --------------------------------------------------------------- */
int lt_init(struct lt *t);
void lt_free(struct lt *t);
/* The raw callbacks for l2k_raw_attach, feeding t's receive queue. */
struct l2k_raw_cbs lt_raw_cbs(struct lt *t);
/* An event line of the control protocol ("event open chan=1 ...") into t->obs. */
void lt_iut_event(struct lt *t, const char *line);
/* The per-case time bound, for the runners' clocks: lt_bound_arm(t, ms) as the case starts (0:
 * none), lt_bound_arm(t, 0) after it; a clock's wait of ms lasts at most lt_bound_wait(t, ms),
 * and a wait that ended without its condition calls lt_bound_check(t): past the bound the case
 * is inconclusive (the first verdict stays, so the checks that then time out do not count). */
void lt_bound_arm(struct lt *t, uint64_t ms);
uint64_t lt_bound_wait(struct lt *t, uint64_t ms);
void lt_bound_check(struct lt *t);

/* ---- verdicts --------------------------------------------------------------------------- */
/* The first verdict set stays (a fail after an inconclusive does not replace it).  All return
 * false, so that a case can write `return lt_fail(...)` style checks. */
bool lt_fail(struct lt *t, const char *fmt, ...) LT_PRINTF(2, 3);
bool lt_inconclusive(struct lt *t, const char *fmt, ...) LT_PRINTF(2, 3);
bool lt_na(struct lt *t, const char *fmt, ...) LT_PRINTF(2, 3);
bool lt_done(const struct lt *t); /* a verdict is set */
void lt_logf(struct lt *t, const char *fmt, ...) LT_PRINTF(2, 3);
void lt_log_hex(struct lt *t, const char *what, uint16_t cid, const uint8_t *p, size_t n);

/* ---- frames ----------------------------------------------------------------------------- */
void lt_run(struct lt *t, uint64_t ms);
uint8_t lt_ident(struct lt *t);
uint16_t lt_sig_cid(const struct lt *t);
int lt_send(struct lt *t, uint16_t cid, const uint8_t *payload, size_t len);
int lt_send_sig(struct lt *t, uint8_t code, uint8_t ident, const uint8_t *data, size_t len);
int lt_send_acl(struct lt *t, uint8_t pb, const uint8_t *data, size_t len);
int lt_send_kframe(struct lt *t, uint16_t cid, int sdu_len, const uint8_t *data, size_t n);
/* The next PDU (any CID / this CID, others dropped) within ms; NULL if none (no verdict set).
 * Information Requests on the signaling channel are answered and skipped when t->auto_info. */
const struct lt_pdu *lt_next(struct lt *t, uint64_t ms);
const struct lt_pdu *lt_next_on(struct lt *t, uint16_t cid, uint64_t ms);
/* The next signaling PDU must be one command with this code: else fail (NULL). */
const struct lt_pdu *lt_expect_sig(struct lt *t, uint8_t code, uint64_t ms);
/* Nothing comes on the signaling channel (sig) / at all within ms: else fail (false). */
bool lt_quiet(struct lt *t, uint64_t ms);
bool lt_quiet_sig(struct lt *t, uint64_t ms);
/* p's payload is exactly want[0..n): else fail naming what and both frames. */
bool lt_is(struct lt *t, const struct lt_pdu *p, const uint8_t *want, size_t n, const char *what);
void lt_flush(struct lt *t);
/* Answer the Information Requests already received (when t->auto_info), leaving the other
 * PDUs queued in order: before the tester sends a PDU in fragments, so that no complete PDU
 * goes between its start and continuation fragments (Vol 3 Part A 7.2). */
void lt_answer_queued_info(struct lt *t);
/* Queued PDUs on the signaling channel that are not Information Requests (not consumed). */
int lt_queued_sig(const struct lt *t);

static inline void lt_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static inline uint16_t lt_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* ---- the IUT ---------------------------------------------------------------------------- */
/* Ask the IUT to act (printf-style request of the control protocol).  true when done; else the
 * verdict is inconclusive with the reason.  ans (may be NULL) gets the answer's text. */
bool lt_iut(struct lt *t, char *ans, size_t n, const char *fmt, ...) LT_PRINTF(4, 5);
/* The same, returning the backend's result (0, L2K_ENOTSUP, another error) and setting no
 * verdict: for actions the IUT must refuse (an SDU over the MTU). */
int lt_iut_try(struct lt *t, char *ans, size_t n, const char *fmt, ...) LT_PRINTF(4, 5);
/* With events: run ms (taking them), then the IUT's application must have received exactly n
 * SDUs so far, else fail naming what.  Without events: inconclusive. */
bool lt_iut_sdus_are(struct lt *t, int n, uint64_t ms, const char *what);
/* The IUT's application events: wait until obs.opened / closed / sdus reach n; false (and the
 * verdict inconclusive when the backend has no events, else fail with what) if not. */
bool lt_iut_wait_open(struct lt *t, int n, uint64_t ms, const char *what);
bool lt_iut_wait_closed(struct lt *t, int n, uint64_t ms, const char *what);
bool lt_iut_wait_sdus(struct lt *t, int n, uint64_t ms, const char *what);
bool lt_iut_wait_echo(struct lt *t, int n, uint64_t ms, const char *what);
bool lt_iut_wait_cl(struct lt *t, int n, uint64_t ms, const char *what); /* obs.cl_sdus */
/* "reset" the IUT between cases, then forget every observation (t->obs): events of an
 * earlier case's channels that the backend delivers up to the reset's answer do not count.
 * false: the verdict is inconclusive (as lt_iut). */
bool lt_iut_reset(struct lt *t);
/* The backend reports events (else an observation makes the case inconclusive). */
bool lt_iut_observes(struct lt *t, const char *what);

/* BR/EDR: the IUT's Connection Response to our request ident: "pending" responses (12 octets,
 * this identifier, result 0x0001, Vol 3 Part A 4.3) are skipped, the next one returned (any
 * content: the caller checks it).  NULL (fail set) when none comes. */
const struct lt_pdu *lt_conn_rsp(struct lt *t, uint8_t ident, uint64_t ms);

/* ---- procedures ------------------------------------------------------------------------- */
/* BR/EDR: the tester sends a Connection Request from tcid to psm and checks the IUT's response
 * (12 octets, our identifier and SCID, status 0, a dynamic DCID; "pending" skipped): the IUT's
 * CID, or 0 with the verdict set (a refusal is inconclusive: the IUT was asked to listen). */
uint16_t lt_connect_bredr(struct lt *t, uint16_t psm, uint16_t tcid);
/* BR/EDR: the IUT's Connection Request (asked for with a "connect" request) to psm must come:
 * 8 octets, a non-zero identifier, that PSM, a dynamic SCID; answered success with tcid.  The
 * IUT's SCID, or 0 with the verdict set. */
uint16_t lt_take_conn_req(struct lt *t, uint16_t psm, uint16_t tcid);

/* BR/EDR: the tester opens a Basic channel from tcid to psm and configures it (the IUT's
 * request accepted as is, the tester's carrying opts).  The IUT's CID, or 0 (fail set). */
uint16_t lt_open_bredr(struct lt *t, uint16_t psm, uint16_t tcid, const uint8_t *opts, size_t olen);
/* The tester opens a channel from tcid to the IUT's psm and configures it both ways:
 * the IUT's Configuration Request is answered success with rsp_opts (may be empty), ours
 * carries opts; the IUT's request options are copied to iut_opts (*iut_olen, up to 64).
 * The IUT's CID, or 0 (a verdict is set; a refused connection is inconclusive). */
uint16_t lt_open_bredr_ex(struct lt *t, uint16_t psm, uint16_t tcid, const uint8_t *opts, size_t olen,
			  const uint8_t *rsp_opts, size_t rsp_olen, uint8_t *iut_opts, size_t *iut_olen);

/* One peer over BR/EDR and LE (LE/CID): a case that starts on the BR/EDR link adds an LE link
 * to the IUT (which must be connectable on LE with the same public address, as l2iut is) and
 * switches between the two with lt_dual_use (lt receives from one link at a time: the other's
 * PDUs are not taken while it waits).  lt_dual_up: false with the verdict set (not applicable
 * when the tester's controller has no LE, inconclusive when no LE link comes in 10 s). */
struct lt_dual {
	uint16_t br, le; /* the tester's handles */
};
bool lt_dual_up(struct lt *t, struct lt_dual *d);
void lt_dual_use(struct lt *t, const struct lt_dual *d, bool le);

/* LE credit based connection request fields. */
struct lt_le_conn {
	uint16_t spsm, cid, mtu, mps, credits, result;
};
/* LE: send an LE Credit Based Connection Request and take the response: false (fail) if none
 * well-formed came with our identifier. */
bool lt_le_connect(struct lt *t, const struct lt_le_conn *rq, struct lt_le_conn *rsp);

/* BR/EDR: ask the IUT for its extended features (Information Request type 0x0002 with identifier
 * ident, Vol 3 Part A 4.10) and check its response's every octet (4.11: our identifier, length 8,
 * type 0x0002, result success, bits 11-31 zero as 4.12 reserves them); *feat gets the mask.
 * In-process (t->iut_is_l2kit) the mask must be exactly lt_l2kit_features().  false: fail set. */
bool lt_ask_features(struct lt *t, uint8_t ident, uint32_t *feat);
/* The extended features l2kit documents (docs/modes.md): Fixed Channels and UCD, each mode built
 * in, with ERTM the FCS option, Extended Window Size and Extended Flow Specification, with
 * Streaming the FCS option. */
uint32_t lt_l2kit_features(void);

/* ---- security (the tester's stack pairs and encrypts like any peer: l2k_raw_attach_ex with
 * L2K_RAW_KEEP_SM; its security options are the runner's: Just Works on LE, legacy PIN pairing
 * on BR/EDR as a pre-2.1 host) ------------------------------------------------------------ */
/* Raise the link to level (l2k_link_secure at the tester: pair if no key, else encrypt with
 * the stored one) and wait for the end (up to ms): 0, or the error (L2K_ETIMEDOUT, L2K_EAUTH,
 * L2K_EKEYSIZE ...).  No verdict is set. */
int lt_secure(struct lt *t, uint8_t level, uint64_t ms);
/* The PIN the tester's stack answers legacy pairing with (a case gives it to the IUT: set pin=). */
#define LT_PIN "0000"
/* The link's security as the tester sees it: 0 and *out, or an error. */
int lt_link_sec(struct lt *t, struct l2k_link_security *out);
/* Take the link down (the tester disconnects) and make a new one to the IUT (the IUT must be
 * connectable / advertising again): true when it is up (t->handle the new one); false with the
 * verdict inconclusive. */
bool lt_relink(struct lt *t, uint64_t ms);

/* ---- the case library ------------------------------------------------------------------- */
enum lt_transport { LT_BREDR, LT_LE, LT_ANY };
struct lt_case {
	const char *id;	   /* "L2CAP/COS/CED/BV-01-C" */
	const char *group; /* "COS/CED" */
	enum lt_transport tr;
	const char *role;  /* what the case makes the IUT do, in a few words */
	void (*run)(struct lt *t);
	const char *na;	   /* not NULL: not applicable, the reason (run is NULL) */
	bool iut_central;  /* LE: the IUT creates the link (request "link"), the tester advertises */
};
/* Every case and n/a entry, in the CSV's order of groups; *n their count. */
const struct lt_case *lt_cases(size_t *n);
const struct lt_case *lt_case_find(const char *id);
/* Run c on t (set up by the runner, the link up): the verdict (pass when no check failed). */
enum lt_verdict lt_case_run(const struct lt_case *c, struct lt *t);

#endif
