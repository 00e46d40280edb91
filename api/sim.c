/* <l2kit/l2kit_sim.h>: the simulated controller (transport/sim) and an H4 framer for its
 * host's byte stream, behind the public face. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/l2kit_sim.h"
#include "base/l2k_error.h"
#include "transport/h4.h"
#include "transport/sim/sim.h"

_Static_assert(L2K_SIM_FAULT_NC_MISMATCH == SIM_SEC_FAULT_NC_MISMATCH && L2K_SIM_FAULT_REJECT == SIM_SEC_FAULT_REJECT &&
		       L2K_SIM_FAULT_KEY_MISMATCH == SIM_SEC_FAULT_KEY_MISMATCH &&
		       L2K_SIM_FAULT_CUT_IN_PAIRING == SIM_SEC_FAULT_CUT_IN_PAIRING,
	       "public fault bits differ from the simulator's");
_Static_assert((int)L2K_SIM_BREDR == (int)SIM_TYPE_BREDR && (int)L2K_SIM_LE == (int)SIM_TYPE_LE &&
		       (int)L2K_SIM_DUAL == (int)SIM_TYPE_DUAL,
	       "public controller types differ from the simulator's");
_Static_assert(L2K_SIM_PKT_MAX == SIM_PKT_MAX, "L2K_SIM_PKT_MAX differs from SIM_PKT_MAX");

struct l2k_sim_ctrl {
	struct sim_ctrl *c;
	struct h4_framer h4;
	uint8_t *h4buf; /* made at the first l2k_sim_ctrl_feed_h4 */
};

static struct sim_air *air_of(l2k_sim_air *a)
{
	return (struct sim_air *)a;
}

static const struct sim_air *cair_of(const l2k_sim_air *a)
{
	return (const struct sim_air *)a;
}

void l2k_sim_opts_default(struct l2k_sim_opts *o, enum l2k_sim_type type)
{
	struct sim_ctrl_config c;
	sim_ctrl_config_init(&c, (enum sim_ctrl_type)type);
	memset(o, 0, sizeof(*o));
	o->type = type;
	o->acl_mtu = c.acl_mtu;
	o->acl_count = c.acl_count;
	o->le_acl_mtu = c.le_acl_mtu;
	o->le_acl_count = c.le_acl_count;
	o->le_max_data_len = c.le_max_data_len;
	o->le_max_conn = c.le_max_conn;
	o->rx_count = c.rx_count;
	o->enc_key_size = c.enc_key_size;
	o->sec_faults = c.sec_faults;
}

/* ---- the air ------------------------------------------------------------------------------ */

l2k_sim_air *l2k_sim_air_open(const char *name)
{
	return (l2k_sim_air *)sim_air_open(name);
}

void l2k_sim_air_close(l2k_sim_air *air)
{
	if (air)
		sim_air_close(air_of(air));
}

l2k_sim_air *l2k_sim_air_find(const char *name)
{
	return (l2k_sim_air *)sim_air_find(name);
}

int l2k_sim_air_set_profile(l2k_sim_air *air, const char *name)
{
	int p = sim_profile_by_name(name);
	if (p < 0)
		return L2K_EINVAL;
	sim_air_set_profile(air_of(air), (enum sim_profile)p);
	return 0;
}

bool l2k_sim_profile_known(const char *name)
{
	return name && sim_profile_by_name(name) >= 0;
}

const char *l2k_sim_air_profile(const l2k_sim_air *air, bool le)
{
	return sim_profile_name(sim_air_profile(cair_of(air), le));
}

int l2k_sim_air_set_loss(l2k_sim_air *air, double p)
{
	return sim_air_set_loss(air_of(air), p);
}

int l2k_sim_air_set_corrupt(l2k_sim_air *air, double p)
{
	return sim_air_set_corrupt(air_of(air), p);
}

void l2k_sim_air_set_seed(l2k_sim_air *air, uint64_t seed)
{
	sim_air_set_seed(air_of(air), seed);
}

void l2k_sim_air_cut_all(l2k_sim_air *air, uint64_t at_ms)
{
	sim_air_cut_all(air_of(air), at_ms);
}

void l2k_sim_air_freeze(l2k_sim_air *air, bool frozen)
{
	sim_air_freeze(air_of(air), frozen);
}

void l2k_sim_air_advance(l2k_sim_air *air, uint64_t now_ms)
{
	sim_air_advance(air_of(air), now_ms);
}

uint64_t l2k_sim_air_next_due(const l2k_sim_air *air)
{
	return sim_air_next_due(cair_of(air));
}

double l2k_sim_goodput(const char *profile, uint32_t conn_interval_us, uint16_t le_data_len, uint16_t acl_mtu,
		       uint32_t pdu_payload, uint32_t pdu_overhead)
{
	int p = sim_profile_by_name(profile);
	if (p < 0)
		return 0;
	struct sim_goodput_params g = {.profile = (enum sim_profile)p,
				       .conn_interval_us = conn_interval_us,
				       .le_data_len = le_data_len,
				       .acl_mtu = acl_mtu,
				       .pdu_payload = pdu_payload,
				       .pdu_overhead = pdu_overhead};
	return sim_profile_goodput(&g);
}

/* ---- controllers --------------------------------------------------------------------------- */

int l2k_sim_ctrl_new(l2k_sim_air *air, const struct l2k_sim_opts *o, l2k_sim_ctrl **out)
{
	if (!air || !o || !out)
		return L2K_EINVAL;
	struct sim_ctrl_config c;
	sim_ctrl_config_init(&c, (enum sim_ctrl_type)o->type);
	c.addr_set = o->addr_set;
	memcpy(c.addr.b, o->addr.b, 6);
	c.acl_mtu = o->acl_mtu;
	c.acl_count = o->acl_count;
	c.le_acl_mtu = o->le_acl_mtu;
	c.le_acl_count = o->le_acl_count;
	c.le_max_data_len = o->le_max_data_len;
	c.le_max_conn = o->le_max_conn;
	c.rx_count = o->rx_count;
	c.enc_key_size = o->enc_key_size;
	c.sec_faults = o->sec_faults;
	if (o->vendor) {
		int v = sim_vendor_by_name(o->vendor);
		if (v < 0)
			return L2K_EINVAL;
		c.vendor = (uint8_t)v;
	}
	c.vendor_nack = o->vendor_nack;
	l2k_sim_ctrl *sc = calloc(1, sizeof(*sc));
	if (!sc)
		return L2K_ENOMEM;
	int r = sim_ctrl_new(air_of(air), &c, &sc->c);
	if (r < 0) {
		free(sc);
		return r;
	}
	*out = sc;
	return 0;
}

bool l2k_sim_ctrl_usb_id(const l2k_sim_ctrl *c, uint16_t *vid, uint16_t *pid)
{
	return c && sim_ctrl_usb_id(c->c, vid, pid);
}

void l2k_sim_ctrl_vendor_report(const l2k_sim_ctrl *c, char *buf, size_t len)
{
	if (!len)
		return;
	buf[0] = '\0';
	if (!c)
		return;
	struct sim_vendor_stats st;
	sim_ctrl_vendor_stats(c->c, &st);
	if (!st.personality[0])
		return;
	snprintf(buf, len, "%s download: %u commands, %llu octets, FNV-1a 0x%08x, %u refused%s%s%s%s",
		 st.personality, st.cmds, (unsigned long long)st.bytes, (unsigned)st.hash,
		 st.nacked, st.complete ? ", complete" : ", incomplete",
		 st.running ? ", new firmware runs" : ", old firmware", st.error[0] ? "; host error: " : "", st.error);
}

void l2k_sim_ctrl_free(l2k_sim_ctrl *c)
{
	if (!c)
		return;
	sim_ctrl_free(c->c);
	free(c->h4buf);
	free(c);
}

void l2k_sim_ctrl_address(const l2k_sim_ctrl *c, l2k_addr *out)
{
	hci_bdaddr_t a;
	sim_ctrl_get_address(c->c, &a);
	memcpy(out->b, a.b, 6);
}

int l2k_sim_ctrl_feed(l2k_sim_ctrl *c, uint8_t type, const uint8_t *pkt, size_t len)
{
	return sim_ctrl_feed(c->c, type, pkt, len);
}

static void h4_packet(void *user, uint8_t type, const uint8_t *pkt, size_t len)
{
	l2k_sim_ctrl *c = user;
	(void)sim_ctrl_feed(c->c, type, pkt, len); /* a refused packet is the controller's business */
}

int l2k_sim_ctrl_feed_h4(l2k_sim_ctrl *c, const uint8_t *bytes, size_t len)
{
	if (!c->h4buf) {
		if (!(c->h4buf = malloc(H4_PKT_MAX)))
			return L2K_ENOMEM;
		h4_init(&c->h4, c->h4buf, H4_PKT_MAX, h4_packet, c);
		h4_set_types(&c->h4, H4_TYPE_BIT(HCI_H4_CMD) | H4_TYPE_BIT(HCI_H4_ACL));
	}
	return h4_feed(&c->h4, bytes, len) < 0 ? L2K_EBADMSG : 0;
}

const char *l2k_sim_ctrl_h4_error(const l2k_sim_ctrl *c)
{
	return c->h4buf ? h4_error(&c->h4) : "";
}

size_t l2k_sim_ctrl_pop(l2k_sim_ctrl *c, uint8_t *type, uint8_t *buf, size_t cap)
{
	if (cap < L2K_SIM_PKT_MAX)
		return 0;
	return sim_ctrl_pop(c->c, type, buf, cap);
}

bool l2k_sim_ctrl_has_output(const l2k_sim_ctrl *c)
{
	return sim_ctrl_has_output(c->c);
}

int l2k_sim_fault_by_name(const char *name)
{
	return sim_sec_fault_by_name(name);
}
