/* libFuzzer harness: the H4 framer (transport/h4.h).
 * Input: config octet (bit 0: accept only events and ACL, as a host does; bit 1: ACL payloads
 * limited to 1021 octets), then the byte stream.  Checks: the stream fed whole and fed in
 * chunks of varying size (taken from the stream itself) gives the same packets and the same
 * failure; every delivered packet passes h4_check and survives h4_encode + a fresh framer;
 * after a failure nothing more is delivered. */
#include <stdlib.h>
#include <string.h>

#include "base/l2k_error.h"
#include "tests/fuzz/fz.h"
#include "transport/h4.h"

struct digest {
	uint64_t h;
	size_t n;
	bool after_fail;
	struct h4_framer *owner;
};

static uint8_t g_buf[3][H4_PKT_MAX];
static uint8_t g_enc[1 + H4_PKT_MAX];

static void one(void *user, uint8_t type, const uint8_t *pkt, size_t len)
{
	*(int *)user += 1;
	(void)type;
	(void)pkt;
	(void)len;
}

static void got(void *user, uint8_t type, const uint8_t *pkt, size_t len)
{
	struct digest *d = user;
	FZ_ASSERT(!h4_failed(d->owner));
	FZ_ASSERT(h4_check(type, pkt, len) == 0);
	FZ_ASSERT(len <= H4_PKT_MAX);
	d->n++;
	d->h = (d->h ^ type) * 1099511628211ULL;
	d->h = (d->h ^ len) * 1099511628211ULL;
	for (size_t i = 0; i < len; i++)
		d->h = (d->h ^ pkt[i]) * 1099511628211ULL;
	/* encode again and frame it with a fresh framer: exactly this packet comes back */
	int n = h4_encode(g_enc, sizeof(g_enc), type, pkt, len);
	FZ_ASSERT(n == (int)len + 1);
	struct h4_framer f3;
	int count = 0;
	h4_init(&f3, g_buf[2], sizeof(g_buf[2]), one, &count);
	FZ_ASSERT(h4_feed(&f3, g_enc, (size_t)n) == 0);
	FZ_ASSERT(count == 1);
	/* a buffer one octet too small is refused */
	FZ_ASSERT(h4_encode(g_enc, len, type, pkt, len) == L2K_ENOBUFS);
}

static void setup(struct h4_framer *f, uint8_t *buf, struct digest *d, uint8_t cfg)
{
	memset(d, 0, sizeof(*d));
	d->h = 1469598103934665603ULL;
	d->owner = f;
	h4_init(f, buf, H4_PKT_MAX, got, d);
	if (cfg & 1)
		h4_set_types(f, H4_TYPE_BIT(HCI_H4_EVT) | H4_TYPE_BIT(HCI_H4_ACL));
	if (cfg & 2)
		h4_set_max_len(f, HCI_H4_ACL, 1021);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t cfg = data[0];
	data++;
	size--;
	struct h4_framer a, b;
	struct digest da, db;
	setup(&a, g_buf[0], &da, cfg);
	setup(&b, g_buf[1], &db, cfg);
	int ra = h4_feed(&a, data, size);
	int rb = 0;
	for (size_t off = 0; off < size;) {
		size_t n = (size_t)(data[off] % 23) + 1;
		if (n > size - off)
			n = size - off;
		rb = h4_feed(&b, data + off, n);
		off += n;
	}
	FZ_ASSERT(ra == 0 || ra == L2K_EFRAMING);
	FZ_ASSERT(ra == rb);
	FZ_ASSERT(da.n == db.n && da.h == db.h);
	FZ_ASSERT(h4_failed(&a) == (ra != 0));
	FZ_ASSERT(!h4_failed(&a) || h4_error(&a)[0] != '\0');
	if (h4_failed(&a)) {
		size_t before = da.n;
		FZ_ASSERT(h4_feed(&a, data, size) == L2K_EFRAMING);
		FZ_ASSERT(da.n == before);
	}
	return 0;
}
