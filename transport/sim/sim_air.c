/* The simulated air: registry of named airs, the shared clock, the discrete-event loop, fault
 * settings and statistics.
 *
 * Events are timers embedded in the controllers (CT_*) and links (LT_*): the next due event is
 * the smallest of them, ties broken by creation order (controllers first, then links, then
 * timer index), so a run is a pure function of the inputs and the seed. */
#include <stdlib.h>
#include <string.h>

#include "base/l2k_error.h"
#include "transport/sim/sim_int.h"

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sim_air *registry;

static struct sim_air *find_locked(const char *name)
{
	for (struct sim_air *a = registry; a; a = a->next)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

struct sim_air *sim_air_open(const char *name)
{
	if (!name || !*name)
		name = "default";
	if (strlen(name) >= sizeof(((struct sim_air *)0)->name))
		return NULL;
	pthread_mutex_lock(&registry_lock);
	struct sim_air *a = find_locked(name);
	if (a) {
		a->refs++;
		pthread_mutex_unlock(&registry_lock);
		return a;
	}
	a = calloc(1, sizeof(*a));
	if (a) {
		strcpy(a->name, name);
		a->refs = 1;
		pthread_mutex_init(&a->lock, NULL);
		a->rng = 1;
		a->cut_all_at = SIM_NEVER;
		a->le_profile = SIM_PROFILE_LE_1M;
		a->br_profile = SIM_PROFILE_BREDR_3DH5;
		a->next_addr = 1;
		a->next = registry;
		registry = a;
	}
	pthread_mutex_unlock(&registry_lock);
	return a;
}

void sim_air_ref(struct sim_air *air)
{
	pthread_mutex_lock(&registry_lock);
	air->refs++;
	pthread_mutex_unlock(&registry_lock);
}

void sim_air_close(struct sim_air *air)
{
	if (!air)
		return;
	pthread_mutex_lock(&registry_lock);
	if (--air->refs > 0) {
		pthread_mutex_unlock(&registry_lock);
		return;
	}
	for (struct sim_air **pp = &registry; *pp; pp = &(*pp)->next) {
		if (*pp == air) {
			*pp = air->next;
			break;
		}
	}
	pthread_mutex_unlock(&registry_lock);
	/* Controllers hold references, so none is left; links die with their controllers. */
	while (air->links)
		sim_link_destroy(air->links);
	pthread_mutex_destroy(&air->lock);
	free(air);
}

struct sim_air *sim_air_find(const char *name)
{
	if (!name || !*name)
		name = "default";
	pthread_mutex_lock(&registry_lock);
	struct sim_air *a = find_locked(name);
	pthread_mutex_unlock(&registry_lock);
	return a;
}

const char *sim_air_name(const struct sim_air *air)
{
	return air->name;
}

void sim_air_lock(struct sim_air *air)
{
	pthread_mutex_lock(&air->lock);
}

void sim_air_unlock(struct sim_air *air)
{
	pthread_mutex_unlock(&air->lock);
}

uint64_t sim_air_now_us(const struct sim_air *air)
{
	return air->now;
}

/* The earliest timer; *kind: 0 air cut, 1 controller, 2 link. */
static uint64_t earliest(const struct sim_air *air, int *kind, void **obj, int *idx)
{
	uint64_t best = air->cut_all_at;
	*kind = 0;
	*obj = NULL;
	*idx = 0;
	for (struct sim_ctrl *c = air->ctrls; c; c = c->next)
		for (int t = 0; t < CT_COUNT; t++)
			if (c->tmr[t] < best) {
				best = c->tmr[t];
				*kind = 1;
				*obj = c;
				*idx = t;
			}
	for (struct sim_link *l = air->links; l; l = l->next)
		for (int t = 0; t < LT_COUNT; t++)
			if (l->tmr[t] < best) {
				best = l->tmr[t];
				*kind = 2;
				*obj = l;
				*idx = t;
			}
	return best;
}

void sim_air_freeze(struct sim_air *air, bool frozen)
{
	air->frozen = frozen;
}

bool sim_air_frozen(const struct sim_air *air)
{
	return air->frozen;
}

void sim_air_advance_us(struct sim_air *air, uint64_t now_us)
{
	if (air->frozen)
		return; /* time stands still on a frozen air */
	/* Zero-duration work (the unlimited profile) can fire many events at one instant, but each
	 * moves data that already sits in a bounded buffer, so this bound is never reached by a
	 * correct run; it only turns a bug into a stall instead of a hang. */
	for (unsigned long guard = 0; guard < 50000000ul; guard++) {
		int kind, idx;
		void *obj;
		uint64_t t = earliest(air, &kind, &obj, &idx);
		if (t == SIM_NEVER || t > now_us)
			break;
		if (t > air->now)
			air->now = t;
		if (kind == 0) {
			air->cut_all_at = SIM_NEVER;
			for (struct sim_link *l = air->links; l; l = l->next)
				if (!l->cut && l->tmr[LT_CUT] == SIM_NEVER)
					l->tmr[LT_CUT] = air->now;
		} else if (kind == 1) {
			struct sim_ctrl *c = obj;
			c->tmr[idx] = SIM_NEVER;
			sim_ctrl_fire(c, (enum sim_ctrl_timer)idx);
		} else {
			struct sim_link *l = obj;
			l->tmr[idx] = SIM_NEVER;
			sim_link_fire(l, (enum sim_link_timer)idx);
		}
	}
	if (now_us > air->now)
		air->now = now_us;
}

void sim_air_advance(struct sim_air *air, uint64_t now_ms)
{
	if (now_ms >= SIM_NEVER / 1000)
		now_ms = SIM_NEVER / 1000 - 1;
	sim_air_advance_us(air, now_ms * 1000);
}

uint64_t sim_air_next_due_us(const struct sim_air *air)
{
	int kind, idx;
	void *obj;
	if (air->frozen)
		return SIM_NEVER;
	return earliest(air, &kind, &obj, &idx);
}

uint64_t sim_air_next_due(const struct sim_air *air)
{
	uint64_t t = sim_air_next_due_us(air);
	return t == SIM_NEVER ? SIM_NEVER : (t + 999) / 1000;
}

void sim_air_set_profile(struct sim_air *air, enum sim_profile p)
{
	if ((unsigned)p >= SIM_PROFILE_COUNT)
		return;
	if (p == SIM_PROFILE_UNLIMITED) {
		air->le_profile = air->br_profile = p;
	} else if (sim_profile_is_le(p)) {
		air->le_profile = p;
	} else {
		air->br_profile = p;
	}
}

enum sim_profile sim_air_profile(const struct sim_air *air, bool le)
{
	return le ? air->le_profile : air->br_profile;
}

int sim_air_set_loss(struct sim_air *air, double p)
{
	if (!(p >= 0.0 && p <= 1.0))
		return L2K_EINVAL;
	air->loss = p;
	return 0;
}

int sim_air_set_corrupt(struct sim_air *air, double p)
{
	if (!(p >= 0.0 && p <= 1.0))
		return L2K_EINVAL;
	air->corrupt = p;
	return 0;
}

void sim_air_set_seed(struct sim_air *air, uint64_t seed)
{
	air->rng = seed;
}

static uint64_t ms_to_us_at(const struct sim_air *air, uint64_t at_ms)
{
	uint64_t at = at_ms >= SIM_NEVER / 1000 ? SIM_NEVER : at_ms * 1000;
	return at < air->now ? air->now : at;
}

int sim_air_cut_link(struct sim_air *air, const hci_bdaddr_t *a, const hci_bdaddr_t *b,
		     uint64_t at_ms)
{
	int n = 0;
	for (struct sim_link *l = air->links; l; l = l->next) {
		if (!l->end[0] || !l->end[1])
			continue;
		const hci_bdaddr_t *x = &l->end[0]->addr, *y = &l->end[1]->addr;
		if ((sim_addr_eq(x, a) && sim_addr_eq(y, b)) || (sim_addr_eq(x, b) && sim_addr_eq(y, a))) {
			l->tmr[LT_CUT] = ms_to_us_at(air, at_ms);
			n++;
		}
	}
	return n ? n : L2K_ENOLINK;
}

void sim_air_cut_all(struct sim_air *air, uint64_t at_ms)
{
	air->cut_all_at = at_ms == SIM_NEVER ? SIM_NEVER : ms_to_us_at(air, at_ms);
}

int sim_ctrl_cut_link(struct sim_ctrl *c, uint16_t handle, uint64_t at_ms)
{
	struct sim_link *l = sim_ctrl_link(c, handle, NULL);
	if (!l)
		return L2K_ENOLINK;
	l->tmr[LT_CUT] = ms_to_us_at(c->air, at_ms);
	return 0;
}

static void add_stats(struct sim_link_stats *sum, const struct sim_link_stats *s)
{
	for (int d = 0; d < 2; d++) {
		sum->pdus[0] += s->pdus[d];
		sum->air_packets[0] += s->air_packets[d];
		sum->bytes[0] += s->bytes[d];
		sum->pdus_dropped[0] += s->pdus_dropped[d];
		sum->packets_corrupted[0] += s->packets_corrupted[d];
	}
}

void sim_air_get_stats(const struct sim_air *air, struct sim_air_stats *out)
{
	*out = air->st;
	for (const struct sim_link *l = air->links; l; l = l->next)
		add_stats(&out->traffic, &l->st);
}

struct sim_ctrl *sim_air_ctrl_by_addr(struct sim_air *air, const hci_bdaddr_t *addr)
{
	for (struct sim_ctrl *c = air->ctrls; c; c = c->next)
		if (sim_addr_eq(&c->addr, addr))
			return c;
	return NULL;
}

void sim_link_add(struct sim_air *air, struct sim_link *l)
{
	struct sim_link **pp = &air->links;
	while (*pp)
		pp = &(*pp)->next;
	l->next = NULL;
	*pp = l;
	air->st.links_created++;
}

void sim_link_destroy(struct sim_link *l)
{
	struct sim_air *air = l->air;
	for (struct sim_link **pp = &air->links; *pp; pp = &(*pp)->next) {
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	}
	add_stats(&air->st.traffic, &l->st);
	free(l);
}
