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

#include "core/stack_internal.h"

#define TESTER_MAX_RX 64
#define TESTER_PDU_MAX (4 + 65535)

struct tester_pdu {
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
};

struct tester {
	struct l2k_vclock vc;
	l2k_stack *iut;
	l2k_stack *tst;
	bool le;
	uint16_t iut_handle; /* the link's handle at the IUT */
	uint16_t tst_handle; /* the link's handle at the tester */
	l2k_addr iut_addr, tst_addr;
	struct tester_pdu rx[TESTER_MAX_RX]; /* PDUs the tester received, in order */
	int rx_head, rx_count;
	bool tst_link_down, iut_link_down;
	uint8_t iut_down_reason;
	char air[32];
	uint8_t next_ident;
	struct l2k_upper tst_engine; /* the tester stack's own engine hooks, restored at teardown */
};

/* Build the air, both stacks, bring them up and create the link.  Returns 0 or an error
 * (the test fails with the message printed). */
int tester_setup(struct tester *t, const struct tester_opts *o);
void tester_teardown(struct tester *t);

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

#endif
