/* The conformance tester: two stacks on one simulated air driven by a virtual clock.
 *
 *  - iut: a complete l2kit stack (the Implementation Under Test), used through the public API;
 *  - tester: an l2kit stack whose L2CAP engine is disconnected: the test sends raw L2CAP PDUs
 *    (or raw ACL fragments) from it and reads every PDU the IUT sends back, byte for byte.
 *
 * An ACL (BR/EDR) or LE link between the two is up after tester_setup().  Time only moves
 * when the test runs the air (tester_run, tester_next...), so RTX/ERTX and other timeouts are
 * tested exactly and instantly.  This is how a conformance test "plays the tester" of the
 * Bluetooth SIG's L2CAP.TS: it drives the tester's frames and checks every byte l2kit answers. */
#ifndef L2K_TESTER_H
#define L2K_TESTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/stack_internal.h"

#define TESTER_MAX_RX 64
#define TESTER_PDU_MAX (4 + 65535)

struct tester_pdu {
	uint16_t handle; /* the tester's handle of the link it came on */
	uint16_t cid;
	size_t len; /* payload length (after the basic header) */
	uint8_t *data;
	uint64_t at_ms;
};

struct tester_opts {
	bool le;	     /* LE link (else BR/EDR) */
	bool iut_central;    /* the IUT creates the link (else the tester does) */
	uint16_t acl_mtu;    /* controller ACL buffer size for both sides (0: sim default) */
	uint16_t acl_count;
	const char *btsnoop; /* capture of the IUT's HCI traffic (optional) */
	bool dual;	     /* dual-mode controllers: a second link of the other kind can be
			      * added with tester_add_link() (LE/CID tests) */
	/* Security (tests/conformance/test_ts_security.c).  iut_sec / tst_sec: each stack's
	 * security options (NULL: the defaults: NoInputNoOutput, min_key_size 7, bonding, keys in
	 * memory).  tst_enc_key_size: the BR/EDR encryption key size the tester's controller
	 * offers, 1..16 (0: 16); a link gets the smaller of its two ends'.  tst_smp: LE SMP PDUs
	 * (CID 0x0006) go to the tester stack's own security manager instead of the test, so that
	 * tester_secure() can pair over LE. */
	const struct l2k_security_opts *iut_sec, *tst_sec;
	uint8_t tst_enc_key_size;
	bool tst_smp;
	/* The tester's host turns Secure Simple Pairing on (as the IUT's does by default), when
	 * tst_sec is NULL; else (the default) it leaves it off, as a pre-2.1 host: the IUT's
	 * channels at level 1 then have no security at all (Security Mode 4 does not apply to a
	 * legacy peer), so that the L2CAP test cases see only L2CAP.  With tst_ssp (or a tst_sec
	 * without legacy_pairing) the IUT pairs Just Works and encrypts before a BR/EDR channel
	 * other than SDP at level 1, and refuses or raises such a channel on an unencrypted link. */
	bool tst_ssp;
};

struct tester {
	struct l2k_vclock vc;
	l2k_stack *iut;
	l2k_stack *tst;
	bool le;
	uint16_t iut_handle; /* the link's handle at the IUT */
	uint16_t tst_handle; /* the link's handle at the tester */
	uint16_t iut_handles[2], tst_handles[2]; /* per link kind: [0] BR/EDR, [1] LE (dual) */
	l2k_addr iut_addr, tst_addr;
	struct tester_pdu rx[TESTER_MAX_RX]; /* PDUs the tester received, in order */
	int rx_head, rx_count;
	bool tst_link_down, iut_link_down;
	uint8_t iut_down_reason;
	char air[32];
	uint8_t next_ident;
	bool tst_smp; /* opts.tst_smp */
	struct l2k_upper tst_engine; /* the tester stack's own engine hooks, restored at teardown */
};

/* Build the air, both stacks, bring them up and create the link.  Returns 0 or an error
 * (the test fails with the message printed). */
int tester_setup(struct tester *t, const struct tester_opts *o);
void tester_teardown(struct tester *t);
/* cmocka fixtures (setup / teardown of a test, the tester in *state): a BR/EDR link, an LE
 * link (the tester central), an LE link with the IUT central, dual-mode controllers with a
 * BR/EDR link; tester_fixture_teardown ends any of them. */
int tester_fixture_bredr(void **state);
int tester_fixture_le(void **state);
int tester_fixture_le_central(void **state);
int tester_fixture_dual(void **state);
int tester_fixture_teardown(void **state);

/* Advance virtual time by ms, processing everything due. */
void tester_run(struct tester *t, uint64_t ms);
/* Run until pred(arg) is true or within_ms passes; returns pred's last value. */
bool tester_run_until(struct tester *t, bool (*pred)(void *arg), void *arg, uint64_t within_ms);

/* Send one L2CAP PDU (basic header added) from the tester to the IUT. */
int tester_send(struct tester *t, uint16_t cid, const uint8_t *payload, size_t len);
/* Send one raw ACL packet (header built from pb and the data length) from the tester, bypassing
 * the tester host's fragmentation: for split PDUs and malformed fragment sequences. */
int tester_send_acl(struct tester *t, uint8_t pb, const uint8_t *data, size_t len);
/* A signaling command on the link's signaling channel (CID 1 or 5): header built here. */
int tester_send_sig(struct tester *t, uint8_t code, uint8_t ident, const uint8_t *data, size_t len);

/* Wait up to within_ms for the next PDU from the IUT; NULL if none came.  The PDU stays valid
 * until the next call that receives.  tester_next_on() skips PDUs on other CIDs (discarding
 * them) — most tests want only the signaling channel. */
const struct tester_pdu *tester_next(struct tester *t, uint64_t within_ms);
const struct tester_pdu *tester_next_on(struct tester *t, uint16_t cid, uint64_t within_ms);
/* Wait for the next signaling command from the IUT with this code (skipping nothing: another
 * command first is a failure, reported by returning NULL with *got set to its code). */
const struct tester_pdu *tester_expect_sig(struct tester *t, uint8_t code, uint64_t within_ms);
/* Drop every PDU received so far. */
void tester_flush(struct tester *t);
/* True when no PDU arrives within ms. */
bool tester_quiet(struct tester *t, uint64_t ms);
uint8_t tester_ident(struct tester *t);

/* Little-endian helpers for building frames in tests. */
static inline void t_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static inline uint16_t t_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* ---- additions for the conformance suites (tests/conformance/test_ts_*.c) -------------------------
 * Everything below is built on the functions above; none of them changes their behaviour.
 * Besides these functions:
 *  - the tester's host accepts an LE Remote Connection Parameter Request event as asked (like
 *    any host), so a central IUT can change the connection parameters (LE/CPU);
 *  - at teardown the IUT's channels forget their callbacks before the stack closes, so tests may
 *    keep their recorders on the stack;
 *  - tester_expect_sig() prints what came instead when it fails;
 *  - L2K_TEST_FILTER=PATTERN in the environment runs only the matching tests of a binary. */

/* Dual-mode air (opts.dual): create a link of the other kind between the same two controllers
 * (the tester connects; the IUT advertises / page-scans).  0 or an error. */
int tester_add_link(struct tester *t, bool le);
/* Make the link of this kind the current one: tester_send*, tester_expect_sig and t->le then
 * refer to it.  0, or L2K_ENOLINK if there is no such link. */
int tester_use_link(struct tester *t, bool le);

/* Security.  tester_secure: the tester's security manager raises the link to level as a peer
 * would: BR/EDR authentication (stored key or Secure Simple Pairing) and encryption through HCI,
 * the IUT's security manager answering; LE (the tester central): encryption with the bond of
 * tester_share_ltk(), else SMP pairing (needs opts.tst_smp).  Runs until it ends and then until
 * the IUT sees the link encrypted (up to 1 s more); returns its result: 0, L2K_EAUTH,
 * L2K_EKEYSIZE (the key is shorter than the tester's min_key_size: the link stays encrypted
 * with it) ..., L2K_ETIMEDOUT when it did not end within 30 s. */
int tester_secure(struct tester *t, uint8_t level);
/* LE: store one LTK at both sides as after a pairing with bonding, the IUT's bond naming the
 * tester and the tester's the IUT: an LE Secure Connections LTK (EDIV 0, Rand 0) when sc, else a
 * legacy one the IUT distributed (the tester encrypts with it, the IUT answers the LTK Request
 * with it); key_size octets (the LTK's other octets zero), authenticated or not.  The link stays
 * as it is until tester_secure().  0 or an error. */
int tester_share_ltk(struct tester *t, uint8_t key_size, bool authenticated, bool sc);

/* Skip a test with a message (cmocka skip()); tests/conformance_table.py reads the message. */
#define TESTER_SKIP(msg)                                                                       \
	do {                                                                                   \
		print_message("SKIP: %s\n", msg);                                              \
		skip();                                                                        \
	} while (0)

/* What the IUT's channel callbacks saw.  One recorder may serve several channels (counts add
 * up; data/ch refer to the last one). */
#define TESTER_REC_MAX 4096
struct tester_rec {
	int opened, closed, sdus;
	enum l2k_close_reason reason;
	l2k_chan *ch;		     /* last channel opened or accepted (NULL once it closed) */
	size_t len;		     /* length of the last SDU */
	uint8_t data[TESTER_REC_MAX]; /* its first TESTER_REC_MAX octets */
	size_t total;		     /* bytes of every SDU received */
	uint16_t last_result;	     /* l2k_chan_info.result when the channel closed */
	/* server side (tester_server) */
	int accept_calls;
	int accept_result;	     /* what accept() returns: 0, an L2K_RESULT_*, L2K_ACCEPT_PENDING */
	struct l2k_conn_request last_req;
	bool opts_set;		     /* accept() replaces the server options with opts */
	struct l2k_chan_opts opts;
};
/* Run until r has seen at least n opens (tester_wait_open) / closes (tester_wait_closed) /
 * SDUs (tester_wait_sdus), or within_ms passes; returns whether it happened.  LE links only
 * move data at connection events (30-50 ms apart), so LE tests wait rather than run a fixed
 * time. */
bool tester_wait_open(struct tester *t, struct tester_rec *r, int n, uint64_t within_ms);
bool tester_wait_closed(struct tester *t, struct tester_rec *r, int n, uint64_t within_ms);
bool tester_wait_sdus(struct tester *t, struct tester_rec *r, int n, uint64_t within_ms);
/* Callbacks that record into r. */
struct l2k_chan_cbs tester_rec_cbs(struct tester_rec *r);
/* Add a server on the IUT whose accept() records into r and returns r->accept_result. */
int tester_server(struct tester *t, uint16_t psm, bool le, const struct l2k_chan_opts *opts,
		  struct tester_rec *r);

/* A signaling command seen by the tester: the header fields and the data. */
struct tester_sig {
	uint8_t code, ident;
	uint16_t len;
	const uint8_t *d; /* data (valid until the next receive) */
};
/* The next signaling PDU's first command, whatever its code (false if none in within_ms). */
bool tester_next_sig(struct tester *t, struct tester_sig *s, uint64_t within_ms);
/* Compare a signaling PDU with an exact expected command (header + data); prints both on a
 * mismatch.  Returns true when they are byte for byte equal. */
bool tester_sig_is(const struct tester_pdu *p, const uint8_t *want, size_t n);

/* BR/EDR: answer the IUT's Information Requests as a peer with these extended features and
 * fixed channels (the fixed-channels request only comes if feat has bit 7).  Waits for the
 * first request up to 5 s.  Returns 0, or -1 if no Information Request came. */
int tester_answer_info(struct tester *t, uint32_t feat, uint64_t fixed);

/* BR/EDR: the tester opens a Basic channel to the IUT's psm from tester CID tcid and completes
 * configuration (the IUT's request is accepted as is; the tester's request carries opts).
 * *iut_cid gets the IUT's CID.  Returns 0, or -1 with a message. */
int tester_open_bredr(struct tester *t, uint16_t psm, uint16_t tcid, const uint8_t *opts,
		      size_t olen, uint16_t *iut_cid);
/* BR/EDR: the IUT connects to psm (opts may be NULL), the tester answers every step with
 * success (Information Requests as a peer without extended features) using tester CID tcid,
 * and configures with the options topts (MTU etc.).  *ch and *iut_cid filled.  0 or -1. */
int tester_iut_open_bredr(struct tester *t, uint16_t psm, const struct l2k_chan_opts *opts,
			  struct tester_rec *r, uint16_t tcid, const uint8_t *topts, size_t olen,
			  l2k_chan **ch, uint16_t *iut_cid);

/* LE Credit Based Connection Request/Response fields. */
struct tester_le_conn {
	uint16_t spsm, cid, mtu, mps, credits, result; /* cid: SCID of a request / DCID of a rsp */
};
/* LE: send an LE Credit Based Connection Request (ident: 0 picks one) and wait for the
 * response; *rsp gets its fields.  0, or -1 if none came (or something else came). */
int tester_le_connect(struct tester *t, uint8_t ident, const struct tester_le_conn *rq,
		      struct tester_le_conn *rsp);
/* LE: the IUT connects to spsm; the tester answers success with *ans (ans->cid = its CID).
 * *req gets the IUT's request fields.  0 or -1. */
int tester_iut_le_connect(struct tester *t, uint16_t spsm, const struct l2k_chan_opts *opts,
			  struct tester_rec *r, const struct tester_le_conn *ans,
			  struct tester_le_conn *req, l2k_chan **ch);
/* Send a K-frame / B-frame payload on cid built from sdu_len (negative: none) and data. */
int tester_send_kframe(struct tester *t, uint16_t cid, int sdu_len, const uint8_t *data, size_t n);

#endif
