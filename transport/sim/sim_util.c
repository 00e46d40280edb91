/* Simulator utilities: PRNG, address text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/l2k_error.h"
#include "transport/sim/sim_int.h"

/* splitmix64 (Steele, Lea, Flood 2014): tiny, full period, good enough for fault dice. */
uint64_t sim_rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

bool sim_rng_chance(uint64_t *state, double p)
{
	/* 53 random bits -> [0, 1) */
	double u = (double)(sim_rng_next(state) >> 11) * (1.0 / 9007199254740992.0);
	return u < p;
}

int sim_parse_bdaddr(const char *s, hci_bdaddr_t *out)
{
	hci_bdaddr_t a;
	if (!s || strlen(s) != 17)
		return L2K_EINVAL;
	for (int i = 0; i < 6; i++) {
		const char *g = s + i * 3;
		int v = 0;
		for (int k = 0; k < 2; k++) {
			char ch = g[k];
			int d;
			if (ch >= '0' && ch <= '9')
				d = ch - '0';
			else if (ch >= 'a' && ch <= 'f')
				d = ch - 'a' + 10;
			else if (ch >= 'A' && ch <= 'F')
				d = ch - 'A' + 10;
			else
				return L2K_EINVAL;
			v = v * 16 + d;
		}
		if (i < 5 && g[2] != ':')
			return L2K_EINVAL;
		a.b[5 - i] = (uint8_t)v;
	}
	*out = a;
	return 0;
}

void sim_format_bdaddr(const hci_bdaddr_t *a, char out[18])
{
	snprintf(out, 18, "%02X:%02X:%02X:%02X:%02X:%02X", a->b[5], a->b[4], a->b[3], a->b[2],
		 a->b[1], a->b[0]);
}
