/* Timing profiles of the simulated air and the theoretical goodput they allow.
 *
 * LE (Vol 6 Part B 2.1, 4.5.1, 4.5.6): a data channel PDU is preamble (1 octet on LE 1M, 2 on
 * LE 2M) + access address 4 + header 2 + payload + CRC 3 (+ a 4-octet MIC on an encrypted link:
 * the caller adds it to the payload, sim_link.c), sent
 * at 8 us/octet (1M) or 4 us/octet (2M).  In a connection event the central and peripheral
 * alternate, each PDU followed by T_IFS = 150 us, so one exchange of payloads a and b takes
 *     t(a) + 150 + t(b) + 150,   t(x) = (overhead + x) * us_per_octet
 * (an empty direction sends an empty PDU, x = 0).  Exchanges continue while one ends before the
 * next anchor (event start + connection interval); the first exchange of an event always runs.
 *
 * BR/EDR (Vol 2 Part B 6.5, 8.6): the central transmits in even slots, the peripheral answers in
 * the following slot(s); a packet occupies 1, 3 or 5 slots of 625 us depending on its type.  The
 * simulator sends each air packet in the smallest type of the profile that holds it and answers
 * an empty direction with POLL/NULL (1 slot):  exchange = (slots(a) + slots(b)) * 625 us.
 * bredr-3dh5 therefore moves 1021 bytes per 5 + 1 slots = 3750 us (272 266 bytes/s one way).
 */
#include <math.h>
#include <string.h>

#include "base/l2k_error.h"
#include "transport/sim/sim_int.h"

struct bb_type {
	uint16_t max;
	uint8_t slots;
};

struct profile_def {
	const char *name;
	uint8_t kind;	      /* SIM_LINK_LE, SIM_LINK_BREDR, 0 = unlimited */
	uint8_t us_per_octet; /* LE */
	uint8_t overhead;     /* LE: octets around the payload */
	struct bb_type bb[3]; /* BR/EDR: packet types, smallest first */
};

static const struct profile_def profiles[SIM_PROFILE_COUNT] = {
	[SIM_PROFILE_LE_1M] = {"le-1m", SIM_LINK_LE, 8, 10, {{0, 0}}},
	[SIM_PROFILE_LE_2M] = {"le-2m", SIM_LINK_LE, 4, 11, {{0, 0}}},
	/* DH1/DH3/DH5: Vol 2 Part B 6.5.4 */
	[SIM_PROFILE_BREDR_DH5] = {"bredr-dh5", SIM_LINK_BREDR, 0, 0, {{27, 1}, {183, 3}, {339, 5}}},
	/* 2-DH1/3/5 and 3-DH1/3/5: Vol 2 Part B 6.5.4, Table 6.10 */
	[SIM_PROFILE_BREDR_2DH5] = {"bredr-2dh5", SIM_LINK_BREDR, 0, 0, {{54, 1}, {367, 3}, {679, 5}}},
	[SIM_PROFILE_BREDR_3DH5] = {"bredr-3dh5", SIM_LINK_BREDR, 0, 0, {{83, 1}, {552, 3}, {1021, 5}}},
	[SIM_PROFILE_UNLIMITED] = {"unlimited", 0, 0, 0, {{0, 0}}},
};

int sim_profile_by_name(const char *name)
{
	for (int i = 0; i < SIM_PROFILE_COUNT; i++)
		if (name && strcmp(name, profiles[i].name) == 0)
			return i;
	return L2K_EINVAL;
}

const char *sim_profile_name(enum sim_profile p)
{
	return (unsigned)p < SIM_PROFILE_COUNT ? profiles[p].name : "?";
}

bool sim_profile_is_le(enum sim_profile p)
{
	return (unsigned)p < SIM_PROFILE_COUNT && profiles[p].kind == SIM_LINK_LE;
}

static uint32_t le_pdu_us(const struct profile_def *d, int payload)
{
	return ((uint32_t)d->overhead + (uint32_t)(payload > 0 ? payload : 0)) * d->us_per_octet;
}

static uint32_t bb_slots(const struct profile_def *d, int payload)
{
	if (payload < 0)
		return 1; /* POLL / NULL */
	for (int i = 0; i < 3; i++)
		if ((uint32_t)payload <= d->bb[i].max)
			return d->bb[i].slots;
	return d->bb[2].slots;
}

uint32_t sim_exchange_us(enum sim_profile p, int a, int b)
{
	if ((unsigned)p >= SIM_PROFILE_COUNT)
		return 0;
	const struct profile_def *d = &profiles[p];
	if (d->kind == SIM_LINK_LE)
		return le_pdu_us(d, a) + SIM_T_IFS_US + le_pdu_us(d, b) + SIM_T_IFS_US;
	if (d->kind == SIM_LINK_BREDR)
		return (bb_slots(d, a) + bb_slots(d, b)) * SIM_SLOT_US;
	return 0;
}

uint16_t sim_profile_max_packet(enum sim_profile p, enum sim_link_kind kind)
{
	if ((unsigned)p < SIM_PROFILE_COUNT && profiles[p].kind == SIM_LINK_BREDR)
		return profiles[p].bb[2].max;
	return kind == SIM_LINK_LE ? 251 : SIM_AIR_CHUNK_MAX;
}

double sim_profile_goodput(const struct sim_goodput_params *g)
{
	if (!g || (unsigned)g->profile >= SIM_PROFILE_COUNT || g->acl_mtu == 0 || g->pdu_payload == 0)
		return 0.0;
	const struct profile_def *d = &profiles[g->profile];
	if (d->kind == 0)
		return (double)INFINITY;
	uint64_t pdu = (uint64_t)g->pdu_payload + g->pdu_overhead;
	uint32_t maxpkt;
	if (d->kind == SIM_LINK_LE) {
		if (g->le_data_len < 27 || g->le_data_len > 251 || g->conn_interval_us < 7500 ||
		    g->conn_interval_us > 4000000)
			return 0.0;
		maxpkt = g->le_data_len;
	} else {
		maxpkt = d->bb[2].max;
	}
	/* Walk the air packets of successive PDUs: each host fragment (acl_mtu) becomes its own
	 * air packets of at most maxpkt bytes.  LE packs exchanges into connection events. */
	uint64_t pdus = 0, packets = 0, events = 1, total_us = 0, in_event = 0;
	while (pdus < 100000 && (packets < 200000 || pdus < 4)) {
		for (uint64_t off = 0; off < pdu; off += g->acl_mtu) {
			uint64_t frag = pdu - off < g->acl_mtu ? pdu - off : g->acl_mtu;
			for (uint64_t o = 0; o < frag; o += maxpkt) {
				int n = (int)(frag - o < maxpkt ? frag - o : maxpkt);
				uint32_t x = sim_exchange_us(g->profile, n, -1);
				packets++;
				if (d->kind == SIM_LINK_LE) {
					if (in_event > 0 && in_event + x > g->conn_interval_us) {
						events++;
						in_event = 0;
					}
					in_event += x;
				} else {
					total_us += x;
				}
			}
		}
		pdus++;
	}
	if (d->kind == SIM_LINK_LE)
		total_us = (events - 1) * (uint64_t)g->conn_interval_us + in_event;
	if (total_us == 0)
		return 0.0;
	return (double)pdus * (double)g->pdu_payload * 1e6 / (double)total_us;
}
