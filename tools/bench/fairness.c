/* l2bench section 7: fairness between channels on one link.  Host 0 opens credit based and
 * I-frame channels to host 1 on one link under a timed profile (the air is the bottleneck), and
 * every channel sends the same amount at once in SDUs that span several ACL packets.  The
 * figure: bytes per second of each channel while all of them were sending (from the start until
 * the first one finished); max/min is 1.0 for a perfectly fair share.  Every channel must
 * finish, and max/min must stay under 1.5. */
#include <string.h>

#include "tools/bench/bench.h"

struct fair_case {
	const char *profile;
	bool le;
	enum l2k_mode mode[2];
	uint32_t n[2];
	size_t sdu;
	uint64_t bytes; /* per channel */
};

static const struct fair_case cases[] = {
    {"bredr-3dh5", false, {L2K_MODE_ECFC, L2K_MODE_ERTM}, {3, 3}, 3000, 1000000},
    {"bredr-dh5", false, {L2K_MODE_ECFC, L2K_MODE_ERTM}, {3, 3}, 3000, 500000},
    {"le-1m", true, {L2K_MODE_ECFC, L2K_MODE_LE_CREDIT}, {3, 3}, 600, 150000},
};

struct fair_run {
	struct bgroup g[2];
	bool first_done;
	uint64_t t_first;
	uint64_t at_first[2][8]; /* bytes received per flow when the first flow finished */
	struct bworld *w;
};

static bool fair_done(void *arg)
{
	struct fair_run *r = arg;
	bool all = true;
	for (int k = 0; k < 2; k++) {
		struct bgroup *g = &r->g[k];
		if (g->failed)
			return true;
		for (uint32_t i = 0; i < g->nflows; i++) {
			if (g->f[i].received < g->f[i].total)
				all = false;
			else if (!r->first_done) {
				r->first_done = true;
				r->t_first = r->w->vc.now_ms;
				for (int q = 0; q < 2; q++)
					for (uint32_t j = 0; j < r->g[q].nflows && j < 8; j++)
						r->at_first[q][j] = r->g[q].f[j].received;
			}
		}
	}
	return all;
}

int bench_fairness(const struct bench_opts *o)
{
	printf("\n7. Fairness: credit based and I-frame channels on one link under a timed profile, all\n"
	       "   sending the same amount at once (SDUs of several ACL packets).  Per channel: bytes/s\n"
	       "   while all were sending (until the first finished); max/min = 1.00 is a fair share.\n\n");
	printf("%-11s %-22s %6s %12s %12s %12s %8s\n", "profile", "channels", "SDU", "total KB/s", "min KB/s",
	       "max KB/s", "max/min");
	bj_arr("fairness");
	int failures = 0;
	for (size_t ci = 0; ci < sizeof(cases) / sizeof(cases[0]); ci++) {
		const struct fair_case *c = &cases[ci];
		struct bworld w;
		if (bw_open(&w, 2, c->le ? "le" : "bredr", c->profile, NULL) < 0) {
			failures++;
			continue;
		}
		struct fair_run r;
		memset(&r, 0, sizeof(r));
		r.w = &w;
		/* the whole amount even with --quick: virtual time, a few milliseconds of CPU, and the
		 * share is only fair over many SDUs (a few dozen per channel show max/min 1.8) */
		uint64_t bytes = c->bytes;
		int e = 0, made = 0;
		for (int k = 0; k < 2 && !e; k++) {
			e = bg_init(&r.g[k], &w, c->mode[k], c->n[k], c->sdu, bytes);
			if (!e)
				made++;
		}
		for (int k = 0; k < 2 && !e; k++)
			e = bg_open_all(&r.g[k]);
		uint64_t t0 = w.vc.now_ms;
		uint64_t at0[2][8] = {{0}};
		if (!e) {
			for (int k = 0; k < 2; k++)
				for (uint32_t j = 0; j < r.g[k].nflows && j < 8; j++)
					at0[k][j] = r.g[k].f[j].received;
			for (int k = 0; k < 2; k++)
				bg_start(&r.g[k]);
			e = bw_run(&w, fair_done, &r, 3600000);
			if (!e && (r.g[0].failed || r.g[1].failed || r.g[0].bad || r.g[1].bad))
				e = -1;
		}
		char names[64], l0[16], l1[16];
		snprintf(names, sizeof(names), "%u %s + %u %s", c->n[0], bench_mode_label(c->mode[0], c->le, l0, sizeof(l0)),
			 c->n[1], bench_mode_label(c->mode[1], c->le, l1, sizeof(l1)));
		if (e < 0 || !r.first_done || r.t_first <= t0) {
			printf("%-11s %-22s FAILED (not every channel finished)\n", c->profile, names);
			failures++;
		} else {
			double secs = (double)(r.t_first - t0) / 1000, min = 1e18, max = 0;
			for (int k = 0; k < 2; k++)
				for (uint32_t j = 0; j < r.g[k].nflows && j < 8; j++) {
					double rate = (double)(r.at_first[k][j] - at0[k][j]) / secs;
					if (rate < min)
						min = rate;
					if (rate > max)
						max = rate;
				}
			double total = (double)(r.g[0].received + r.g[1].received) / ((double)(w.vc.now_ms - t0) / 1000);
			double ratio = min > 0 ? max / min : 1e9;
			bool ok = ratio < 1.5;
			failures += !ok;
			char rs[16];
			if (min > 0)
				snprintf(rs, sizeof(rs), "%.2f", ratio);
			else
				snprintf(rs, sizeof(rs), "inf");
			printf("%-11s %-22s %6zu %12.1f %12.1f %12.1f %8s%s\n", c->profile, names, c->sdu, total / 1e3,
			       min / 1e3, max / 1e3, rs, ok ? "" : "  FAIL (a channel starved or max/min >= 1.5)");
			bj_obj(NULL);
			bj_str("profile", c->profile);
			bj_str("channels", names);
			bj_int("sdu", (long long)c->sdu);
			bj_int("bytes_per_channel", (long long)bytes);
			bj_num("total_Bps", total);
			bj_num("min_channel_Bps", min);
			bj_num("max_channel_Bps", max);
			bj_num("max_over_min", ratio);
			bj_bool("passed", ok);
			bj_end();
		}
		fflush(stdout);
		bw_close(&w); /* before the flows: closing calls their callbacks */
		for (int k = 0; k < made; k++)
			bg_free(&r.g[k]);
	}
	bj_end();
	return failures ? -1 : 0;
}
