/* l2bench section 4: scale.  Host 0 opens 1 .. 1000 Basic-mode channels spread over 1 .. 30
 * BR/EDR links (one peer host per link) on the unlimited profile; then every channel sends at
 * once.  Reports channel setup rate, memory per open channel, aggregate throughput and the CPU
 * cost per SDU, which must not grow with the number of channels (no linear scans on the data
 * path). */
#include <string.h>

#include "tools/bench/bench.h"
#include "tools/common/tool.h"

static const struct {
	uint32_t chans, links;
} configs[] = {{1, 1}, {10, 1}, {10, 10}, {100, 1}, {100, 30}, {1000, 1}, {1000, 30}};

int bench_scale(const struct bench_opts *o)
{
	const size_t sdu = 672;
	printf("\n4. Scale: Basic mode, BR/EDR, profile 'unlimited', %zu-byte SDUs; host 0 opens the\n"
	       "   channels (at most 4 connecting per link at a time), then all send at once, %.0f MB in\n"
	       "   all.  Memory: heap growth per channel pair (both ends live in this process) once each\n"
	       "   link carries one channel; RSS after the transfer.  'vs fewest': CPU per SDU against\n"
	       "   the fewest channels on as many links (the channel count alone; with more links the\n"
	       "   simulated air's own per-link work grows, see docs/performance.md).\n\n",
	       sdu, (double)o->scale_bytes / 1e6);
	printf("%6s %5s %11s %12s %12s %10s %9s %9s\n", "chans", "links", "setup ch/s", "heap B/chan",
	       "RSS B/chan", "MB/s", "ns/SDU", "vs fewest");
	bj_arr("scale");
	int failures = 0;
	double base[64] = {0}; /* ns/SDU of the first configuration with this many links */
	for (size_t ci = 0; ci < sizeof(configs) / sizeof(configs[0]); ci++) {
		if (tool_signal())
			break; /* SIGINT / SIGTERM: l2bench ends here */
		uint32_t nch = configs[ci].chans, nl = configs[ci].links;
		if (o->scale_chans && (o->scale_chans != nch || o->scale_links != nl))
			continue;
		struct bworld w;
		long long rss0 = bench_rss_bytes();
		if (bw_open(&w, (int)nl + 1, "bredr", "unlimited", NULL) < 0) {
			failures++;
			continue;
		}
		struct bgroup g;
		if (bg_init(&g, &w, L2K_MODE_BASIC, nch, sdu, 0) < 0) {
			bw_close(&w);
			failures++;
			continue;
		}
		long long h0 = bench_heap_bytes();
		double c0 = bench_cpu_s();
		int r = bg_open_n(&g, nl); /* one channel per link: creates the links */
		double c1 = bench_cpu_s();
		long long h1 = bench_heap_bytes();
		if (r == 0)
			r = bg_open_all(&g);
		double c2 = bench_cpu_s();
		long long h2 = bench_heap_bytes();
		uint64_t bytes = o->scale_bytes / nch;
		double t0 = 0, t1 = 0;
		uint64_t sdus0 = g.rx_sdus, rx0 = g.received;
		if (r == 0) {
			bg_more(&g, bytes);
			t0 = bench_cpu_s();
			r = bg_transfer(&g, 3600000);
			t1 = bench_cpu_s();
		}
		long long rss1 = bench_rss_bytes();
		if (r < 0) {
			printf("%6u %5u FAILED (see above)\n", nch, nl);
			failures++;
			bw_close(&w);
			bg_free(&g);
			continue;
		}
		double setup_all = (double)nch / (c2 - c0);
		/* with more channels than links: the channels opened on existing links only */
		double setup = nch > nl ? (double)(nch - nl) / (c2 - c1) : setup_all;
		double heap_per = nch > nl && h2 >= 0 ? (double)(h2 - h1) / (nch - nl)
						      : (h1 >= 0 ? (double)(h1 - h0) / nch : -1);
		double rss_per = rss0 >= 0 && rss1 >= 0 ? (double)(rss1 - rss0) / nch : -1;
		uint64_t moved = g.received - rx0, sdus = g.rx_sdus - sdus0;
		double ns_sdu = (t1 - t0) / (double)sdus * 1e9;
		double mbs = (double)moved / (t1 - t0) / 1e6;
		if (base[nl % 64] == 0)
			base[nl % 64] = ns_sdu;
		double rel = ns_sdu / base[nl % 64];
		printf("%6u %5u %11.0f %12.0f %12.0f %10.1f %9.0f %8.2fx\n", nch, nl, setup, heap_per, rss_per, mbs,
		       ns_sdu, rel);
		fflush(stdout);
		bj_obj(NULL);
		bj_int("channels", nch);
		bj_int("links", nl);
		bj_int("sdu", (long long)sdu);
		bj_num("setup_channels_per_cpu_s", setup);
		bj_num("setup_incl_links_channels_per_cpu_s", setup_all);
		bj_num("heap_bytes_per_channel_pair", heap_per);
		bj_num("rss_bytes_per_channel_pair", rss_per);
		bj_int("bytes", (long long)moved);
		bj_num("throughput_MBps", mbs);
		bj_num("cpu_ns_per_sdu", ns_sdu);
		bj_num("cost_vs_fewest_channels_same_links", rel);
		bj_end();
		bw_close(&w);
		bg_free(&g);
	}
	bj_end();
	return failures ? -1 : 0;
}
