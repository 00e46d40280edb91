/* l2tester's cases that need the lower tester to pair or encrypt (its stack's security manager
 * kept by l2k_raw_attach_ex with L2K_RAW_KEEP_SM: lt_secure, lt_relink): credit based servers
 * refusing a bonded peer whose link is not encrypted (LE/CFC/BV-25, ECFC/BV-32: Vol 3 Part A
 * 4.23, 4.26, the result GAP's Table 10.2 gives, Vol 3 Part C 10.3.1) and connectionless data
 * on an encrypted BR/EDR link (CLS/UCD/BV-03).  Each case plays the
 * lower tester of L2CAP.TS and checks every byte the IUT sends (lt.h).  A case that bonds asks
 * the IUT to forget the bond at its end ("unpair"), so that later cases meet a peer without a key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/l2tester/cases.h"

#define TCID 0x0040 /* the tester's CID */

/* The IUT forgets the tester's keys (an IUT that cannot: left as is, logged). */
static void unpair(struct lt *t)
{
	char a[18], ans[128];
	int r = lt_iut_try(t, ans, sizeof(ans), "unpair addr=%s transport=%s", l2k_addr_str(&t->tst_addr, a),
			   t->le ? "le-public" : "bredr");
	if (r < 0)
		lt_logf(t, "(the IUT keeps its bond with the tester: %s)", ans);
}

/* The tester pairs with the IUT (bonding) at level 2, then makes a new link, not encrypted: the
 * IUT now holds a key for a peer whose link is plain.  false: a verdict is set. */
static bool bonded_plain_link(struct lt *t)
{
	int r = lt_secure(t, L2K_SEC_MEDIUM, 30000);
	if (r < 0)
		return lt_inconclusive(t, "the tester could not pair with the IUT (%s): the case needs a bond", l2k_strerror(r));
	struct l2k_link_security ls;
	if (lt_link_sec(t, &ls) < 0 || !ls.encrypted || !ls.bonded)
		return lt_inconclusive(t, "the tester's link is not encrypted with a stored key after pairing");
	if (!lt_relink(t, 10000))
		return false;
	if (lt_link_sec(t, &ls) < 0 || ls.encrypted)
		return lt_inconclusive(t, "the new link is encrypted already: the case needs a plain one");
	return true;
}

/* After a refusal for security: nothing from the IUT but, perhaps, an SMP Security Request
 * (peripheral) asking for the security the refusal named (Vol 3 Part H 3.6.7). */
static bool quiet_but_smp(struct lt *t)
{
	for (const struct lt_pdu *p; (p = lt_next(t, 500)) != NULL;) {
		if (p->cid == 0x0006 && p->len == 2 && p->data[0] == 0x0B) {
			lt_logf(t, "(the IUT asks for security: SMP Security Request)");
			continue;
		}
		return lt_fail(t, "expected no frame from the IUT (but an SMP Security Request), got %zu octets on cid "
				  "0x%04x", p->len, p->cid);
	}
	if (t->iut->events && t->obs.opened)
		return lt_fail(t, "the IUT's application saw a channel open");
	return true;
}

/* The tester encrypts the link with the bond's key (no pairing): false, inconclusive, if not. */
static bool encrypt_with_bond(struct lt *t)
{
	int r = lt_secure(t, L2K_SEC_MEDIUM, 30000);
	struct l2k_link_security ls;
	if (r < 0 || lt_link_sec(t, &ls) < 0 || !ls.encrypted)
		return lt_inconclusive(t, "the tester could not encrypt the link with the bond's key (%s)",
				       r < 0 ? l2k_strerror(r) : "not encrypted");
	return true;
}

/* ---- LE credit based ----------------------------------------------------------------------- */

/* Our LE Credit Based Connection Request (MTU 100, MPS 50, 5 credits) from TCID to the IUT's
 * SPSM; the IUT's response, or NULL (fail set). */
static const struct lt_pdu *le_request(struct lt *t, uint8_t id)
{
	uint8_t d[10];
	lt_put16(d, t->psm);
	lt_put16(d + 2, TCID);
	lt_put16(d + 4, 100);
	lt_put16(d + 6, 50);
	lt_put16(d + 8, 5);
	lt_send_sig(t, 0x14, id, d, 10);
	return lt_expect_sig(t, 0x15, 3000);
}

/* L2CAP/LE/CFC/BV-25-C: an LE credit based server needing encryption (level 2); the tester
 * bonded with the IUT, on a new link not encrypted: the request is refused "insufficient
 * encryption" (0x0008, 4.23; Table 10.2: a key exists, encryption is what is missing), every
 * other field 0.  Once the tester encrypts with the bond's key the same request succeeds, so a
 * refusal for another reason cannot pass. */
static void cfc_bv25(struct lt *t)
{
	if (!lt_iut(t, NULL, 0, "listen psm=%u transport=le mode=le sec=2", t->psm) || !bonded_plain_link(t))
		goto out;
	uint8_t id = lt_ident(t);
	const struct lt_pdu *p = le_request(t, id);
	uint8_t w[14] = {0x15, id, 0x0A, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00};
	if (!p || !lt_is(t, p, w, 14, "the IUT's LE Credit Based Connection Response (bonded, link not encrypted)") ||
	    !quiet_but_smp(t) || !encrypt_with_bond(t))
		goto out;
	id = lt_ident(t);
	if (!(p = le_request(t, id)))
		goto out;
	if (p->len != 14 || p->data[1] != id || lt_get16(p->data + 2) != 10)
		lt_fail(t, "the IUT's LE Credit Based Connection Response on the encrypted link: %zu octets, identifier "
			   "0x%02x, length %u; expected 14, 0x%02x, 10 (4.23)", p->len, p->data[1], lt_get16(p->data + 2), id);
	else if (lt_get16(p->data + 12) != 0x0000)
		lt_fail(t, "the IUT refused the request on the encrypted link with result 0x%04x: expected success (0x0000), "
			   "the link now has the server's level", lt_get16(p->data + 12));
	else if (lt_get16(p->data + 4) < 0x0040 || lt_get16(p->data + 4) > 0x007F)
		lt_fail(t, "the IUT's DCID 0x%04x is outside the LE dynamic range 0x0040-0x007F (2.1)", lt_get16(p->data + 4));
	else if (lt_get16(p->data + 6) < 23 || lt_get16(p->data + 8) < 23 || lt_get16(p->data + 8) > 65533)
		lt_fail(t, "the IUT's MTU %u / MPS %u: the MTU must be 23 or more, the MPS 23..65533 (4.23)",
			lt_get16(p->data + 6), lt_get16(p->data + 8));
	else
		lt_iut_wait_open(t, 1, 2000, "the channel accepted on the encrypted link");
out:
	unpair(t);
}

/* ---- key size -------------------------------------------------------------------------------- */

/* The key size the tester offers in LE pairing for the BV-15 cases: authenticated (numeric
 * comparison), Secure Connections, but shorter than the 16 octets level 4 needs. */
#define LE_SHORT_KEY 12

/* The IUT serves its SPSM at level 4 (authenticated Secure Connections and a 16-octet key) and
 * SPSM + 1 at level 3 (mode le or ecfc); both sides DisplayYesNo; the tester pairs (numeric
 * comparison, the IUT's user confirming) offering a 12-octet key: the link has all level 4 needs
 * but the key size.  false: a verdict is set. */
static bool short_authenticated_key(struct lt *t, const char *mode)
{
	if (!lt_iut(t, NULL, 0, "set io=display-yesno") ||
	    !lt_iut(t, NULL, 0, "listen psm=%u transport=le mode=%s sec=4", t->psm, mode) ||
	    !lt_iut(t, NULL, 0, "listen psm=%u transport=le mode=%s sec=3", t->psm + 1u, mode))
		return false;
	int r = l2k_pairing_caps(t->st, L2K_IO_DISPLAY_YESNO, LE_SHORT_KEY);
	if (r == 0)
		r = lt_secure(t, L2K_SEC_HIGH, 30000);
	struct l2k_link_security ls;
	if (r < 0 || lt_link_sec(t, &ls) < 0)
		return lt_inconclusive(t, "the tester could not pair with the IUT at level 3 (%s): the case needs an "
					  "authenticated key", l2k_strerror(r));
	if (!ls.encrypted || !ls.authenticated || !ls.secure_conn || ls.key_size != LE_SHORT_KEY)
		return lt_inconclusive(t, "the tester's link after pairing: encrypted %d, authenticated %d, Secure "
					  "Connections %d, %u octets; the case needs an authenticated Secure Connections "
					  "key of %u octets", ls.encrypted, ls.authenticated, ls.secure_conn, ls.key_size,
				       LE_SHORT_KEY);
	lt_logf(t, "(the link is encrypted with an authenticated Secure Connections key of %u octets)", ls.key_size);
	lt_flush(t);
	return true;
}

/* The end of a BV-15 case: the IUT forgets the key and its IO capability. */
static void short_key_end(struct lt *t)
{
	char ans[128];
	lt_iut_try(t, ans, sizeof(ans), "set io=no-input-no-output");
	unpair(t);
}

/* L2CAP/LE/CFC/BV-15-C: the encryption key is shorter than the IUT requires: an LE credit based
 * request for the level-4 SPSM (16 octets) on a link encrypted with an authenticated Secure
 * Connections key of 12 is refused "insufficient encryption key size" (0x0007, 4.23; GAP's
 * Table 10.2), every other field 0; the level-3 SPSM on the same link accepts (the refusal was
 * the key size's). */
static void cfc_bv15(struct lt *t)
{
	if (!short_authenticated_key(t, "le"))
		goto out;
	uint8_t id = lt_ident(t);
	const struct lt_pdu *p = le_request(t, id);
	uint8_t w[14] = {0x15, id, 0x0A, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x07, 0x00};
	if (!p || !lt_is(t, p, w, 14, "the IUT's LE Credit Based Connection Response (level 4, a 12-octet key)") ||
	    !quiet_but_smp(t))
		goto out;
	id = lt_ident(t);
	uint8_t d[10];
	lt_put16(d, (uint16_t)(t->psm + 1));
	lt_put16(d + 2, TCID + 1);
	lt_put16(d + 4, 100);
	lt_put16(d + 6, 50);
	lt_put16(d + 8, 5);
	lt_send_sig(t, 0x14, id, d, 10);
	if (!(p = lt_expect_sig(t, 0x15, 3000)))
		goto out;
	if (p->len != 14 || p->data[1] != id || lt_get16(p->data + 12) != 0x0000)
		lt_fail(t, "the IUT's LE Credit Based Connection Response for the level-3 SPSM: %zu octets, identifier "
			   "0x%02x, result 0x%04x; expected 14, 0x%02x, success (the link has level 3)",
			p->len, p->data[1], p->len >= 14 ? lt_get16(p->data + 12) : 0xFFFF, id);
	else if (lt_get16(p->data + 4) < 0x0040 || lt_get16(p->data + 4) > 0x007F)
		lt_fail(t, "the IUT's DCID 0x%04x is outside the LE dynamic range 0x0040-0x007F (2.1)", lt_get16(p->data + 4));
	else
		lt_iut_wait_open(t, 1, 2000, "the channel of the level-3 SPSM");
out:
	short_key_end(t);
}

/* ---- enhanced credit based ------------------------------------------------------------------- */

/* Our Credit Based Connection Request for two channels (MTU 100, MPS 70, 5 credits; CIDs TCID,
 * TCID + 1); the IUT's response, or NULL (fail set). */
static const struct lt_pdu *ecfc_request_to(struct lt *t, uint8_t id, uint16_t psm, uint16_t scid)
{
	uint8_t d[12];
	lt_put16(d, psm);
	lt_put16(d + 2, 100);
	lt_put16(d + 4, 70);
	lt_put16(d + 6, 5);
	lt_put16(d + 8, scid);
	lt_put16(d + 10, (uint16_t)(scid + 1));
	lt_send_sig(t, 0x17, id, d, 12);
	return lt_expect_sig(t, 0x18, 3000);
}

static const struct lt_pdu *ecfc_request(struct lt *t, uint8_t id, uint16_t scid)
{
	return ecfc_request_to(t, id, t->psm, scid);
}

/* The IUT's Credit Based Connection Response p to our request id must refuse both channels with
 * result, both DCIDs 0 (4.26; MTU, MPS and credits checked, 0, only for l2kit). */
static bool ecfc_refused(struct lt *t, const struct lt_pdu *p, uint8_t id, uint16_t result, const char *what)
{
	uint8_t w[16] = {0x18, id, 0x0C, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	lt_put16(w + 10, result);
	struct lt_pdu q = *p;
	if (!t->iut_is_l2kit && q.len == 16) /* MTU, MPS, credits of a refusal: not checked (4.26) */
		memset(q.data + 4, 0, 6);
	return lt_is(t, &q, w, 16, what);
}

/* The response p to our request id must accept both channels: result 0, two distinct DCIDs of the
 * dynamic range (LE: up to 0x007F), MTU and MPS of 64 or more (4.25, 4.26). */
static bool ecfc_accepted(struct lt *t, const struct lt_pdu *p, uint8_t id, const char *what)
{
	uint16_t d0 = p->len >= 16 ? lt_get16(p->data + 12) : 0, d1 = p->len >= 16 ? lt_get16(p->data + 14) : 0;
	uint16_t end = t->le ? 0x007F : 0xFFFF;
	if (p->len != 16 || p->data[1] != id || lt_get16(p->data + 2) != 12)
		return lt_fail(t, "%s: %zu octets, identifier 0x%02x; expected 16 (two DCIDs), 0x%02x (4.26)", what, p->len,
			       p->data[1], id);
	if (lt_get16(p->data + 10) != 0x0000)
		return lt_fail(t, "%s: result 0x%04x, expected success (0x0000): the link has the server's level", what,
			       lt_get16(p->data + 10));
	if (d0 < 0x0040 || d0 > end || d1 < 0x0040 || d1 > end || d0 == d1)
		return lt_fail(t, "%s: DCIDs 0x%04x, 0x%04x; two distinct CIDs of the dynamic range 0x0040-0x%04x expected "
				  "(2.1, 4.26)", what, d0, d1, end);
	if (lt_get16(p->data + 4) < 64 || lt_get16(p->data + 6) < 64)
		return lt_fail(t, "%s: MTU %u / MPS %u; at least 64 each for enhanced credit based channels (4.25)", what,
			       lt_get16(p->data + 4), lt_get16(p->data + 6));
	return true;
}

/* L2CAP/ECFC/BV-32-C: the same for an enhanced credit based request for two channels (LE):
 * both refused "some connections refused - insufficient encryption" (0x0008, 4.26), both DCIDs
 * 0x0000 (l2kit: MTU, MPS and credits 0 too); once encrypted with the bond's key, both accepted
 * (two distinct DCIDs of the LE dynamic range). */
static void ecfc_bv32(struct lt *t)
{
	if (!lt_iut(t, NULL, 0, "listen psm=%u transport=le mode=ecfc sec=2", t->psm) || !bonded_plain_link(t))
		goto out;
	uint8_t id = lt_ident(t);
	const struct lt_pdu *p = ecfc_request(t, id, TCID);
	if (!p || !ecfc_refused(t, p, id, 0x0008, "the IUT's Credit Based Connection Response (bonded, link not encrypted)") ||
	    !quiet_but_smp(t) || !encrypt_with_bond(t))
		goto out;
	id = lt_ident(t);
	if ((p = ecfc_request(t, id, TCID + 2)) != NULL &&
	    ecfc_accepted(t, p, id, "the IUT's Credit Based Connection Response on the encrypted link"))
		lt_iut_wait_open(t, 2, 2000, "the two channels accepted on the encrypted link");
out:
	unpair(t);
}

/* L2CAP/ECFC/BV-15-C: the same for an enhanced credit based request for two channels (LE): both
 * refused "some connections refused - encryption key size too short" (0x0007, 4.26), both
 * DCIDs 0; the level-3 SPSM accepts both. */
static void ecfc_bv15(struct lt *t)
{
	if (!short_authenticated_key(t, "ecfc"))
		goto out;
	uint8_t id = lt_ident(t);
	const struct lt_pdu *p = ecfc_request(t, id, TCID);
	if (!p || !ecfc_refused(t, p, id, 0x0007, "the IUT's Credit Based Connection Response (level 4, a 12-octet key)") ||
	    !quiet_but_smp(t))
		goto out;
	id = lt_ident(t);
	if ((p = ecfc_request_to(t, id, (uint16_t)(t->psm + 1), TCID + 2)) != NULL &&
	    ecfc_accepted(t, p, id, "the IUT's Credit Based Connection Response for the level-3 SPSM"))
		lt_iut_wait_open(t, 2, 2000, "the two channels of the level-3 SPSM");
out:
	short_key_end(t);
}

/* The BR/EDR encryption key size the tester's controller must offer for ECFC/BV-70-C: shorter
 * than the 7 octets any IUT must require (the KNOB attack's kind). */
#define SHORT_KEY 5

bool lt_case_keeps_sm(const struct lt_case *c)
{
	for (const struct lt_case *k = lt_cases_sec; c && c->id && k->id; k++)
		if (!strcmp(k->id, c->id))
			return true;
	return false;
}

uint8_t lt_case_tst_key_size(const struct lt_case *c)
{
	return c && c->id && !strcmp(c->id, "L2CAP/ECFC/BV-70-C") ? SHORT_KEY : 0;
}

/* L2CAP/ECFC/BV-70-C: BR/EDR, the tester's controller negotiates a 5-octet encryption key: the
 * link is encrypted but with a key shorter than the IUT requires, so an enhanced credit based
 * request for a PSM needing encryption (level 2) is refused "some connections refused -
 * encryption key size too short" (0x0007, 4.26) for both channels; a PSM at level 1 on the same
 * link accepts (the refusal was the key size's).  The tester pairs (legacy PIN, "set pin=") and
 * encrypts; a controller that will not make a key that short (any real one, vctrl without
 * enc-key-size=5) makes the case inconclusive. */
static void ecfc_bv70(struct lt *t)
{
	uint16_t psm1 = (uint16_t)(t->psm + 2);
	if (!lt_iut(t, NULL, 0, "set pin=%s", LT_PIN) ||
	    !lt_iut(t, NULL, 0, "listen psm=%u transport=bredr mode=ecfc sec=2", t->psm) ||
	    !lt_iut(t, NULL, 0, "listen psm=%u transport=bredr mode=ecfc sec=1", psm1))
		goto out;
	int r = lt_secure(t, L2K_SEC_MEDIUM, 30000); /* the tester's own minimum is 7: L2K_EKEYSIZE */
	struct l2k_link_security ls;
	if (lt_link_sec(t, &ls) < 0 || !ls.encrypted) {
		lt_inconclusive(t, "the tester could not pair with the IUT and encrypt the link (%s)", l2k_strerror(r));
		goto out;
	}
	if (ls.key_size >= 7) {
		lt_inconclusive(t, "the tester's controller made a %u-octet encryption key: the case needs one shorter than 7 "
				   "(a controller offering %u octets, e.g. vctrl --listen ...,enc-key-size=%u)",
				ls.key_size, SHORT_KEY, SHORT_KEY);
		goto out;
	}
	lt_logf(t, "(the link is encrypted with a %u-octet key)", ls.key_size);
	lt_flush(t);
	uint8_t id = lt_ident(t);
	const struct lt_pdu *p = ecfc_request(t, id, TCID);
	if (!p || !ecfc_refused(t, p, id, 0x0007, "the IUT's Credit Based Connection Response (level 2, a short key)") ||
	    !lt_quiet_sig(t, 300))
		goto out;
	if (t->iut->events && t->obs.opened) {
		lt_fail(t, "the IUT's application saw a channel open on a link whose key is too short");
		goto out;
	}
	id = lt_ident(t);
	if ((p = ecfc_request_to(t, id, psm1, TCID + 2)) != NULL &&
	    ecfc_accepted(t, p, id, "the IUT's Credit Based Connection Response (level 1, same link)"))
		lt_iut_wait_open(t, 2, 2000, "the two channels accepted at level 1");
out:
	unpair(t);
}

/* ---- connectionless data ------------------------------------------------------------------- */

/* L2CAP/CLS/UCD/BV-03-C: the IUT sends unicast connectionless data on an encrypted BR/EDR link.
 * The tester (a pre-2.1 host) pairs with the IUT (legacy PIN pairing: the IUT's user is given
 * the PIN, "set pin=") and encrypts; the IUT's application sends one SDU: one G-frame on CID
 * 0x0002, the PSM then the data, exactly (3.2); and the tester's G-frame on that link reaches the
 * IUT's application without the PSM field. */
static void cls_ucd_bv03(struct lt *t)
{
	char a[18];
	if (!lt_iut(t, NULL, 0, "set pin=%s", LT_PIN))
		return;
	int r = lt_secure(t, L2K_SEC_MEDIUM, 30000);
	struct l2k_link_security ls;
	if (r < 0 || lt_link_sec(t, &ls) < 0 || !ls.encrypted) {
		lt_inconclusive(t, "the tester could not pair with the IUT and encrypt the link (%s)",
				r < 0 ? l2k_strerror(r) : "not encrypted");
		goto out;
	}
	lt_flush(t);
	if (!lt_iut(t, NULL, 0, "cl-send addr=%s psm=%u hex=7365616c6564", l2k_addr_str(&t->tst_addr, a), t->psm))
		goto out;
	const struct lt_pdu *p = lt_next_on(t, 0x0002, 2000);
	if (!p) {
		lt_fail(t, "no G-frame from the IUT on the connectionless CID 0x0002 (encrypted link)");
		goto out;
	}
	uint8_t w[2 + 6] = {0, 0, 's', 'e', 'a', 'l', 'e', 'd'};
	lt_put16(w, t->psm);
	if (!lt_is(t, p, w, sizeof(w), "the IUT's G-frame on the encrypted link (PSM, then the data)") || !lt_quiet(t, 300) ||
	    !lt_iut(t, NULL, 0, "cl-listen psm=%u", t->psm))
		goto out;
	uint8_t g[2 + 3] = {0, 0, 'b', 'a', 'k'};
	lt_put16(g, t->psm);
	lt_send(t, 0x0002, g, sizeof(g));
	if (!lt_iut_wait_cl(t, 1, 2000, "the connectionless data on the encrypted link"))
		goto out;
	if (t->obs.cl_sdus != 1 || t->obs.cl_psm != t->psm || t->obs.cl_len != 3 || memcmp(t->obs.cl_data, "bak", 3))
		lt_fail(t, "the IUT's application received %d connectionless SDUs, the last %zu octets for PSM 0x%04x; "
			   "expected one, 'bak' (3 octets) for 0x%04x: the PSM field (3.2) is not the data",
			t->obs.cl_sdus, t->obs.cl_len, t->obs.cl_psm, t->psm);
out:
	unpair(t);
}

/* ---- the table ----------------------------------------------------------------------------------- */

const struct lt_case lt_cases_sec[] = {
    {"L2CAP/LE/CFC/BV-25-C", "LE/CFC", LT_LE, "IUT listens at level 2, refuses a bonded plain link 0x0008", cfc_bv25, NULL, false},
    {"L2CAP/LE/CFC/BV-15-C", "LE/CFC", LT_LE, "IUT listens at level 4, refuses a 12-octet key 0x0007", cfc_bv15, NULL, false},
    {"L2CAP/ECFC/BV-15-C", "ECFC", LT_LE, "IUT listens (ECFC) at level 4, refuses a 12-octet key 0x0007", ecfc_bv15, NULL, false},
    {"L2CAP/ECFC/BV-32-C", "ECFC", LT_LE, "IUT listens (ECFC) at level 2, refuses a bonded plain link 0x0008", ecfc_bv32, NULL, false},
    {"L2CAP/CLS/UCD/BV-03-C", "CLS/UCD", LT_BREDR, "IUT pairs (PIN), sends connectionless data encrypted", cls_ucd_bv03, NULL, false},
    {"L2CAP/ECFC/BV-70-C", "ECFC", LT_BREDR, "IUT listens (ECFC) at level 2, refuses a 5-octet key 0x0007", ecfc_bv70, NULL, false},
    {NULL, NULL, LT_ANY, NULL, NULL, NULL, false},
};
