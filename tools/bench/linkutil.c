/* l2bench section 2: link utilisation.  On the timed profiles of the simulated air, one channel
 * with the default credits / windows / MPS moves a fixed amount of data; its goodput (virtual
 * time from the first send to the last byte received, so every round trip of credits,
 * acknowledgements and Number Of Completed Packets through the timing model counts) is set
 * against the profile's theoretical L2CAP goodput for the same SDU size: what the air carries
 * when every SDU goes as one PDU with only the mode's mandatory header bytes and the sender
 * never waits (l2k_sim_goodput, docs/simulator.md). */
#include <math.h>
#include <string.h>

#include "tools/bench/bench.h"
#include "tools/common/tool.h"
#include <l2kit/l2kit_sim.h>

struct util_profile {
	const char *profile;
	const char *type;
	const char *extra; /* controller settings */
	uint16_t interval; /* LE connection interval, 1.25 ms units (0: BR/EDR) */
	uint16_t data_len; /* LE data length */
	uint16_t acl_mtu;  /* controller buffer size the host fragments to */
	const char *what;
	const char *tag; /* short name for the plot */
};

/* 30 ms is what l2kit's LE Create Connection asks first (30-50 ms); the bench sets it with a
 * connection update so that the reference uses the interval that really ran. */
static const struct util_profile profiles[] = {
    {"le-2m", "le", "le-max-data-len=251,le-acl-mtu=251", 24, 251, 251, "LE 2M, data length 251, 30 ms", "LE2M"},
    {"le-1m", "le", "le-max-data-len=251,le-acl-mtu=251", 24, 251, 251, "LE 1M, data length 251, 30 ms", "LE1M"},
    {"le-2m", "le", "le-max-data-len=251,le-acl-mtu=251", 6, 251, 251, "LE 2M, data length 251, 7.5 ms", "LE2M/7.5ms"},
    {"bredr-3dh5", "bredr", "acl-mtu=1021", 0, 0, 1021, "BR/EDR 3-DH5, 1021-byte buffers", "3-DH5"},
};

static const enum l2k_mode le_modes[] = {L2K_MODE_LE_CREDIT, L2K_MODE_ECFC};
static const enum l2k_mode br_modes[] = {L2K_MODE_BASIC, L2K_MODE_FLOWCTL, L2K_MODE_RETRANS,
					 L2K_MODE_ERTM, L2K_MODE_STREAMING, L2K_MODE_ECFC};
static const size_t le_sdus[] = {23, 245, 2048, 65535};
static const size_t br_sdus[] = {23, 672, 4096, 65535};

/* Mandatory bytes around one SDU sent whole: basic header 4; credit modes + SDU length 2 (a
 * second K-frame when SDU + 2 exceeds the largest MPS, 65533); I-frame modes + control 2 + FCS
 * 2 (+ SDU length 2 and a second frame when the SDU does not fit one I-frame). */
static uint32_t min_overhead(enum l2k_mode m, size_t sdu)
{
	switch (m) {
	case L2K_MODE_BASIC: return 4;
	case L2K_MODE_LE_CREDIT:
	case L2K_MODE_ECFC: return sdu + 2 > 65533 ? 10 : 6;
	default: return sdu + 4 > 65535 ? 18 : 8;
	}
}

static double theory(const struct util_profile *p, enum l2k_mode m, size_t sdu)
{
	return l2k_sim_goodput(p->profile, (uint32_t)p->interval * 1250u, p->data_len, p->acl_mtu, (uint32_t)sdu,
			       min_overhead(m, sdu));
}

static int util_case(const struct bench_opts *o, const struct util_profile *p, enum l2k_mode m, size_t sdu,
		     double *goodput, struct l2k_chan_info *ci)
{
	struct bworld w;
	if (bw_open(&w, 2, p->type, p->profile, p->extra) < 0)
		return -1;
	struct bgroup g = {0};
	int rc = -1;
	if (bg_init(&g, &w, m, 1, sdu, 0) < 0)
		goto out;
	if (bg_open_all(&g) < 0)
		goto out_g;
	if (p->interval) {
		uint16_t h;
		if (l2k_link_find(w.st[0], &w.addr[1], L2K_ADDR_LE_PUBLIC, &h) < 0 ||
		    l2k_le_conn_update(w.st[0], h, p->interval, p->interval, 0, 500) < 0) {
			fprintf(stderr, "l2bench: connection update failed\n");
			goto out_g;
		}
		bw_run(&w, NULL, NULL, 2000); /* the update takes effect after a few events */
	}
	uint64_t bytes = o->util_bytes;
	if (sdu <= 32)
		bytes /= 8; /* small SDUs: the air carries few bytes per second */
	if (bytes < 16 * (uint64_t)sdu)
		bytes = 16 * (uint64_t)sdu;
	bg_more(&g, bytes);
	uint64_t t0 = w.vc.now_ms;
	if (bg_transfer(&g, 3600000) < 0)
		goto out_g;
	uint64_t dt = w.vc.now_ms - t0;
	*goodput = dt ? (double)g.received * 1000.0 / (double)dt : 0;
	*ci = g.f[0].info; /* as it was when the channel opened: the initial credits */
	rc = 0;
out_g:
out:
	bw_close(&w); /* first: closing the stacks closes the channels */
	bg_free(&g);
	return rc;
}

int bench_link_util(const struct bench_opts *o, FILE *dat)
{
	printf("\n2. Link utilisation: one channel, default credits / windows / MPS, on the timed profiles;\n"
	       "   goodput in virtual time (air timing, connection events, credit and acknowledgement\n"
	       "   round trips all count) as a share of the profile's theoretical L2CAP goodput for the\n"
	       "   same SDU size.  Target: >= 95 %%.\n\n");
	printf("%-32s %-11s %6s %10s %10s %8s %9s %s\n", "profile", "mode", "SDU", "kB/s", "theory", "util %",
	       "MTU/MPS", "credits/window");
	bj_arr("link_utilisation");
	int failures = 0, below = 0;
	double worst = 1e9;
	for (size_t pi = 0; pi < sizeof(profiles) / sizeof(profiles[0]); pi++) {
		if (tool_signal())
			break; /* SIGINT / SIGTERM: l2bench ends here */
		const struct util_profile *p = &profiles[pi];
		bool le = p->interval != 0;
		const enum l2k_mode *ms = le ? le_modes : br_modes;
		size_t nm = le ? sizeof(le_modes) / sizeof(le_modes[0]) : sizeof(br_modes) / sizeof(br_modes[0]);
		const size_t *ss = le ? le_sdus : br_sdus;
		for (size_t mi = 0; mi < nm; mi++) {
			if (tool_signal())
				break; /* SIGINT / SIGTERM: l2bench ends here */
			enum l2k_mode m = ms[mi];
			char label[32];
			bench_mode_label(m, le, label, sizeof(label));
			if (!l2k_mode_supported(m) || (o->mode && strcmp(o->mode, label) != 0))
				continue;
			if (dat)
				fprintf(dat, "\"%s %s\"", p->tag, label);
			for (size_t si = 0; si < 4; si++) {
				if (tool_signal())
					break; /* SIGINT / SIGTERM: l2bench ends here */
				size_t sdu = ss[si];
				if (!bench_selected(o, label, sdu)) {
					if (dat)
						fprintf(dat, " NaN");
					continue;
				}
				double gp = 0, th = theory(p, m, sdu);
				struct l2k_chan_info ci;
				if (util_case(o, p, m, sdu, &gp, &ci) < 0) {
					printf("%-32s %-11s %6zu FAILED (see above)\n", p->what, label, sdu);
					failures++;
					if (dat)
						fprintf(dat, " NaN");
					continue;
				}
				double u = th > 0 ? gp / th * 100.0 : 0;
				if (u < worst)
					worst = u;
				if (u < 95.0)
					below++;
				char mm[24], cw[24];
				snprintf(mm, sizeof(mm), "%u/%u", ci.remote_mtu, ci.remote_mps);
				if (m == L2K_MODE_LE_CREDIT || m == L2K_MODE_ECFC)
					snprintf(cw, sizeof(cw), "%u credits", ci.credits_tx);
				else
					snprintf(cw, sizeof(cw), "-");
				printf("%-32s %-11s %6zu %10.1f %10.1f %7.1f%s %9s %s\n", p->what, label, sdu, gp / 1e3,
				       th / 1e3, u, u < 95.0 ? "!" : " ", mm, cw);
				fflush(stdout);
				bj_obj(NULL);
				bj_str("profile", p->profile);
				bj_str("setup", p->what);
				bj_str("mode", label);
				bj_int("sdu", (long long)sdu);
				bj_num("goodput_Bps", gp);
				bj_num("theoretical_Bps", th);
				bj_num("utilisation_pct", u);
				bj_int("remote_mtu", ci.remote_mtu);
				bj_int("remote_mps", ci.remote_mps);
				bj_end();
				if (dat)
					fprintf(dat, " %.2f", u);
			}
			if (dat)
				fprintf(dat, "\n");
		}
	}
	bj_end();
	bj_obj("link_utilisation_summary");
	bj_num("min_utilisation_pct", worst);
	bj_int("cases_below_95_pct", below);
	bj_end();
	printf("\n   lowest utilisation %.1f %%, %d case(s) below 95 %% (marked !)\n", worst, below);
	return failures || below ? -1 : 0;
}
