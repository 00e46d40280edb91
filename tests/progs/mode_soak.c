/* Long transfers in the I-frame modes on the simulated air (virtual time), with loss and
 * corruption; prints throughput and retransmission counts per run.  Exit 0 when every run
 * delivered what its mode guarantees (see tests/unit/test_mode_xfer.h).
 *   mode_soak [--mb N] [--mode M] [--loss P] [--corrupt P] [--seed N] [--mtu N] [--window N]
 *             [--max-transmit N] [--ext-window] [--no-fcs] [--profile NAME]
 * Without --mode/--loss: the matrix ertm, retrans, streaming, flowctl x loss 0, 1, 5, 20 % (+ 1 %
 * corruption), N MB each (default 100). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_mode_xfer.h"

int main(int argc, char **argv)
{
	double mb = 100;
	/* 20 % loss in Retransmission mode runs at ~3 kB/s: 100 MB need ~9 hours of virtual time */
	struct xfer_cfg base = {.fcs = 1, .max_transmit = L2K_MAX_TRANSMIT_UNLIMITED, .seed = 1,
				.max_vms = 48ull * 3600 * 1000};
	const char *mode = NULL;
	double loss = -1, corrupt = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "0";
		if (!strcmp(a, "--mb")) mb = atof(v), i++;
		else if (!strcmp(a, "--mode")) mode = v, i++;
		else if (!strcmp(a, "--loss")) loss = atof(v) / 100, i++;
		else if (!strcmp(a, "--corrupt")) corrupt = atof(v) / 100, i++;
		else if (!strcmp(a, "--seed")) base.seed = strtoull(v, NULL, 0), i++;
		else if (!strcmp(a, "--mtu")) base.mtu = (uint16_t)atoi(v), i++;
		else if (!strcmp(a, "--mps")) base.mps = (uint16_t)atoi(v), i++;
		else if (!strcmp(a, "--window")) base.window = (uint16_t)atoi(v), i++;
		else if (!strcmp(a, "--max-transmit")) base.max_transmit = (uint8_t)atoi(v), i++;
		else if (!strcmp(a, "--ext-window")) base.ext_window = true;
		else if (!strcmp(a, "--no-fcs")) base.fcs = 0;
		else if (!strcmp(a, "--profile")) base.profile = v, i++;
		else {
			fprintf(stderr, "unknown option %s\n", a);
			return 2;
		}
	}
	base.bytes = (uint64_t)(mb * 1e6);
	static const char *modes[] = {"ertm", "retrans", "streaming", "flowctl"};
	static const double losses[][2] = {{0, 0}, {0.01, 0}, {0.05, 0}, {0.20, 0}, {0.01, 0.01}};
	int fails = 0, runs = 0;
	for (int m = 0; m < 4; m++) {
		if (mode && strcmp(mode, modes[m]))
			continue;
		for (int l = 0; l < 5; l++) {
			struct xfer_cfg c = base;
			l2k_mode_parse(modes[m], &c.mode);
			c.loss = loss >= 0 ? loss : losses[l][0];
			c.corrupt = corrupt >= 0 ? corrupt : losses[l][1];
			struct xfer_result r;
			xfer_run(&c, &r);
			xfer_print(stdout, &c, &r);
			fflush(stdout);
			runs++;
			fails += r.err != 0;
			if (loss >= 0 || corrupt >= 0)
				break;
		}
	}
	printf("%d runs, %d failed\n", runs, fails);
	return fails ? 1 : 0;
}
