/* libFuzzer harness: configuration option parsing (core/l2cap_conf.h).
 * Input: an option list.  Checks: the walker covers the list exactly or reports the malformed
 * tail; parse then build then parse gives the same values; merging the list in two pieces cut
 * at an option boundary equals parsing it whole; builders never write past their buffer. */
#include <stdlib.h>
#include <string.h>

#include "core/l2cap_conf.h"
#include "tests/fuzz/fz.h"

static void same_values(const struct l2cap_conf_opts *a, const struct l2cap_conf_opts *b)
{
	uint32_t p = a->present & L2CAP_CONF_HAS_ALL;
	FZ_ASSERT((b->present & L2CAP_CONF_HAS_ALL) == p);
	if (p & L2CAP_CONF_HAS_MTU)
		FZ_ASSERT(a->mtu == b->mtu);
	if (p & L2CAP_CONF_HAS_FLUSH_TIMEOUT)
		FZ_ASSERT(a->flush_timeout == b->flush_timeout);
	if (p & L2CAP_CONF_HAS_QOS)
		FZ_ASSERT(!memcmp(&a->qos, &b->qos, sizeof(a->qos)));
	if (p & L2CAP_CONF_HAS_RFC)
		FZ_ASSERT(!memcmp(&a->rfc, &b->rfc, sizeof(a->rfc)));
	if (p & L2CAP_CONF_HAS_FCS)
		FZ_ASSERT(a->fcs == b->fcs);
	if (p & L2CAP_CONF_HAS_EFS)
		FZ_ASSERT(!memcmp(&a->efs, &b->efs, sizeof(a->efs)));
	if (p & L2CAP_CONF_HAS_EWS)
		FZ_ASSERT(a->ews == b->ews);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* exact-size copy: reads past the list are caught */
	uint8_t *d = malloc(size ? size : 1);
	FZ_ASSERT(d != NULL);
	memcpy(d, data, size);

	/* the walker */
	size_t off = 0, whole = 0, cut = 0;
	struct l2cap_conf_opt o;
	int r, nopts = 0;
	while ((r = l2cap_conf_next(d, size, &off, &o)) == 1) {
		FZ_ASSERT(o.data == d + off - o.len && off <= size);
		whole = off;
		if (++nopts == 2)
			cut = off; /* boundary after the second option */
	}
	FZ_ASSERT(r == 0 || r == L2K_EBADMSG);
	FZ_ASSERT(off == size);

	struct l2cap_conf_opts a, b, m;
	int pr = l2cap_conf_parse(d, size, &a);
	FZ_ASSERT(pr == 0 || pr == L2CAP_CONF_PARSE_UNKNOWN || pr == L2K_EBADMSG);
	if (r == L2K_EBADMSG)
		FZ_ASSERT(pr == L2K_EBADMSG);
	if (pr != L2K_EBADMSG) {
		FZ_ASSERT(whole == size);
		FZ_ASSERT(a.n_unknown <= L2CAP_CONF_MAX_UNKNOWN && a.n_unknown <= a.n_unknown_total);
		FZ_ASSERT((pr == L2CAP_CONF_PARSE_UNKNOWN) == (a.n_unknown_total > 0));
		/* build and parse back */
		uint8_t big[L2CAP_CONF_OPTS_MAX_LEN];
		int n = l2cap_conf_build(big, sizeof(big), &a);
		FZ_ASSERT(n >= 0);
		uint8_t *e = malloc(n ? (size_t)n : 1);
		FZ_ASSERT(e != NULL);
		FZ_ASSERT(l2cap_conf_build(e, (size_t)n, &a) == n);
		FZ_ASSERT(!memcmp(e, big, (size_t)n));
		if (n)
			FZ_ASSERT(l2cap_conf_build(e, (size_t)n - 1, &a) == L2K_ENOBUFS);
		FZ_ASSERT(l2cap_conf_parse(e, (size_t)n, &b) == 0);
		same_values(&a, &b);
		free(e);
		/* merge in two pieces at an option boundary */
		l2cap_conf_opts_clear(&m);
		int m1 = l2cap_conf_merge(d, cut, &m);
		int m2 = l2cap_conf_merge(d + cut, size - cut, &m);
		FZ_ASSERT(m1 != L2K_EBADMSG && m2 == pr);
		same_values(&a, &m);
		FZ_ASSERT(m.n_unknown_total == a.n_unknown_total && m.n_unknown == a.n_unknown);
		FZ_ASSERT(!memcmp(m.unknown, a.unknown, a.n_unknown));
		/* the unknown-types answer */
		if (a.n_unknown) {
			uint8_t *u = malloc(a.n_unknown);
			FZ_ASSERT(u != NULL);
			FZ_ASSERT(l2cap_conf_build_unknown(u, a.n_unknown, a.unknown, a.n_unknown) == a.n_unknown);
			FZ_ASSERT(l2cap_conf_build_unknown(u, a.n_unknown - 1u, a.unknown, a.n_unknown) ==
				  L2K_ENOBUFS);
			free(u);
		}
	}
	free(d);
	return 0;
}
