/* The body shared by the per-mode harnesses (fuzz_mode_*.c) and the whole-stack harness. */
#include <stdio.h>
#include <stdlib.h>

#include "tests/fuzz/fz.h"

/* Input: one flags octet, then a script (fz_script.c).
 *   bit 0  the LE link has us as central (else peripheral)
 *   bit 1  the channel is opened by us (else by the peer)
 *   bit 2  the scripted peer keeps answering signaling during the script
 *   bit 3  the fake controller completes sent ACL packets after every record */
int fz_mode_run(enum l2k_mode m, const uint8_t *data, size_t size)
{
	if (!l2k_mode_supported(m)) {
		static bool told;
		if (!told)
			fprintf(stderr, "fuzz: mode %s is not built: nothing to fuzz\n", l2k_mode_name(m));
		told = true;
		return 0;
	}
	if (size < 1)
		return 0;
	uint8_t flags = data[0];
	struct fz_world *w = fz_world_new();
	FZ_ASSERT(w != NULL);
	fz_world_servers(w);
	FZ_ASSERT(fz_world_links(w, flags & 1) == 0);
	int idx = fz_open(w, m, (flags & 2) != 0);
	if (idx < 0) {
		fprintf(stderr, "fuzz: a %s channel did not open with the scripted peer\n", l2k_mode_name(m));
		abort();
	}
	fz_set_target(w, idx);
	fz_auto_peer(w, (flags & 4) != 0);
	fz_auto_complete(w, (flags & 8) != 0);
	fz_script(w, data + 1, size - 1);
	fz_world_free(w);
	return 0;
}

/* Whole stack: one channel in every mode this build has (initiator from the flags bits 4-7
 * rotating over the modes), then the script aims at any of them. */
int fz_stack_run(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t flags = data[0];
	struct fz_world *w = fz_world_new();
	FZ_ASSERT(w != NULL);
	fz_world_servers(w);
	FZ_ASSERT(fz_world_links(w, flags & 1) == 0);
	for (size_t i = 0; i < FZ_NMODES; i++) {
		if (!l2k_mode_supported(fz_modes[i]))
			continue;
		bool local = ((flags >> 4) + i) & 1;
		if (fz_open(w, fz_modes[i], local) < 0) {
			fprintf(stderr, "fuzz: a %s channel did not open with the scripted peer\n",
				l2k_mode_name(fz_modes[i]));
			abort();
		}
	}
	fz_set_target(w, -1);
	fz_auto_peer(w, (flags & 4) != 0);
	fz_auto_complete(w, (flags & 8) != 0);
	fz_script(w, data + 1, size - 1);
	fz_world_free(w);
	return 0;
}
