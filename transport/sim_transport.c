/* The "sim" transport: a new simulated controller on a named air, behind the transport
 * interface.  Spec keys are listed in sim.h and docs/simulator.md. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/l2k_error.h"
#include "transport/sim_transport.h"

struct sim_tr {
	struct transport base;
	struct sim_air *air;
	struct sim_ctrl *ctrl;
};

static const struct transport_ops sim_ops;

static int tr_send(struct transport *t, uint8_t type, const uint8_t *pkt, size_t len)
{
	struct sim_tr *s = (struct sim_tr *)t;
	sim_air_lock(s->air);
	int r = sim_ctrl_feed(s->ctrl, type, pkt, len);
	sim_air_unlock(s->air);
	return r;
}

static int tr_fd(struct transport *t)
{
	return -1;
}

static bool tr_want_write(struct transport *t)
{
	return false;
}

static int tr_service(struct transport *t, uint64_t now_ms)
{
	struct sim_tr *s = (struct sim_tr *)t;
	uint8_t buf[SIM_PKT_MAX];
	sim_air_lock(s->air);
	sim_air_advance(s->air, now_ms);
	size_t n = sim_ctrl_output_count(s->ctrl); /* what is queued now; later output waits for next call */
	sim_air_unlock(s->air);
	for (size_t i = 0; i < n; i++) {
		uint8_t type;
		sim_air_lock(s->air);
		size_t len = sim_ctrl_pop(s->ctrl, &type, buf, sizeof(buf));
		sim_air_unlock(s->air);
		if (!len)
			break;
		if (t->rx)
			t->rx(t->user, type, buf, len);
	}
	return 0;
}

static uint64_t tr_next_due(struct transport *t)
{
	struct sim_tr *s = (struct sim_tr *)t;
	sim_air_lock(s->air);
	uint64_t due = sim_ctrl_has_output(s->ctrl) ? sim_air_now_us(s->air) / 1000 : sim_air_next_due(s->air);
	sim_air_unlock(s->air);
	return due;
}

static void tr_close(struct transport *t)
{
	struct sim_tr *s = (struct sim_tr *)t;
	struct sim_air *air = s->air;
	sim_air_ref(air); /* keep the air (and its lock) alive past the controller */
	sim_air_lock(air);
	sim_ctrl_free(s->ctrl);
	sim_air_unlock(air);
	sim_air_close(air);
	free(s);
}

static bool tr_usb_id(struct transport *t, uint16_t *vid, uint16_t *pid)
{
	struct sim_tr *s = (struct sim_tr *)t;
	sim_air_lock(s->air);
	bool r = sim_ctrl_usb_id(s->ctrl, vid, pid);
	sim_air_unlock(s->air);
	return r;
}

static const struct transport_ops sim_ops = {
	.kind = "sim",
	.usb_id = tr_usb_id,
	.send = tr_send,
	.fd = tr_fd,
	.want_write = tr_want_write,
	.service = tr_service,
	.next_due = tr_next_due,
	.close = tr_close,
};

struct sim_tr_opts {
	struct sim_ctrl_config cfg;
	char air[64];
	bool acl_mtu_set, acl_count_set, le_mtu_set, le_count_set;
	int profile; /* -1 = unchanged */
	bool loss_set, corrupt_set, seed_set, cut_set;
	double loss, corrupt;
	uint64_t seed, cut_at;
};

static void err(char *buf, size_t len, const char *fmt, ...)
{
	if (!buf || !len)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static int parse_u64(const char *v, uint64_t max, uint64_t *out)
{
	char *end;
	if (!*v || *v == '-')
		return -1;
	errno = 0;
	unsigned long long x = strtoull(v, &end, 0);
	if (errno || *end || x > max)
		return -1;
	*out = x;
	return 0;
}

static int parse_prob(const char *v, double *out)
{
	char *end;
	errno = 0;
	double x = strtod(v, &end);
	if (!*v || errno || *end || !(x >= 0.0 && x <= 1.0))
		return -1;
	*out = x;
	return 0;
}

static int parse_kv(struct sim_tr_opts *o, const char *k, const char *v, char *eb, size_t el)
{
	uint64_t x;
	if (strcmp(k, "type") == 0) {
		if (strcmp(v, "le") == 0)
			o->cfg.type = SIM_TYPE_LE;
		else if (strcmp(v, "bredr") == 0)
			o->cfg.type = SIM_TYPE_BREDR;
		else if (strcmp(v, "dual") == 0)
			o->cfg.type = SIM_TYPE_DUAL;
		else
			goto bad;
	} else if (strcmp(k, "addr") == 0) {
		if (sim_parse_bdaddr(v, &o->cfg.addr) < 0)
			goto bad;
		o->cfg.addr_set = true;
	} else if (strcmp(k, "acl-mtu") == 0) {
		if (parse_u64(v, 65535, &x) || x < 27)
			goto bad;
		o->cfg.acl_mtu = (uint16_t)x;
		o->acl_mtu_set = true;
	} else if (strcmp(k, "acl-count") == 0) {
		if (parse_u64(v, 65535, &x) || x < 1)
			goto bad;
		o->cfg.acl_count = (uint16_t)x;
		o->acl_count_set = true;
	} else if (strcmp(k, "le-acl-mtu") == 0) {
		if (parse_u64(v, 65535, &x) || x < 27)
			goto bad;
		o->cfg.le_acl_mtu = (uint16_t)x;
		o->le_mtu_set = true;
	} else if (strcmp(k, "le-acl-count") == 0) {
		if (parse_u64(v, 255, &x))
			goto bad;
		o->cfg.le_acl_count = (uint8_t)x;
		o->le_count_set = true;
	} else if (strcmp(k, "le-max-data-len") == 0) {
		if (parse_u64(v, 251, &x) || x < 27)
			goto bad;
		o->cfg.le_max_data_len = (uint16_t)x;
	} else if (strcmp(k, "le-max-conn") == 0) {
		if (parse_u64(v, 255, &x) || x < 1)
			goto bad;
		o->cfg.le_max_conn = (uint8_t)x;
	} else if (strcmp(k, "rx-count") == 0) {
		if (parse_u64(v, 4096, &x) || x < 1)
			goto bad;
		o->cfg.rx_count = (uint16_t)x;
	} else if (strcmp(k, "enc-key-size") == 0) {
		if (parse_u64(v, 16, &x) || x < 1)
			goto bad;
		o->cfg.enc_key_size = (uint8_t)x;
	} else if (strcmp(k, "sec-fault") == 0) {
		int f = sim_sec_fault_by_name(v);
		if (f < 0) {
			err(eb, el, "sim: unknown sec-fault '%s' (nc-mismatch, reject, key-mismatch, cut-in-pairing)", v);
			return L2K_ESPEC;
		}
		o->cfg.sec_faults |= (uint32_t)f;
	} else if (strcmp(k, "vendor") == 0) {
		int vv = sim_vendor_by_name(v);
		if (vv < 0) {
			err(eb, el, "sim: unknown vendor '%s' (realtek-8761bu, realtek-8821c, realtek-8852bu, intel-8265, "
				    "intel-ax200, intel-ax210, intel-ax211, broadcom-20702)", v);
			return L2K_ESPEC;
		}
		o->cfg.vendor = (uint8_t)vv;
	} else if (strcmp(k, "vendor-booted") == 0) {
		if (parse_u64(v, 1, &x) < 0)
			goto bad;
		o->cfg.vendor_booted = x != 0;
	} else if (strcmp(k, "vendor-tlv-extra") == 0) {
		size_t len = strlen(v);
		if (len % 2 || len / 2 > sizeof(o->cfg.vendor_tlv_extra))
			goto bad;
		for (size_t i = 0; i < len; i++) {
			char ch = v[i];
			int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
				: ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
			if (d < 0)
				goto bad;
			if (i % 2 == 0)
				o->cfg.vendor_tlv_extra[i / 2] = (uint8_t)(d << 4);
			else
				o->cfg.vendor_tlv_extra[i / 2] |= (uint8_t)d;
		}
		o->cfg.vendor_tlv_extra_len = (uint8_t)(len / 2);
	} else if (strcmp(k, "vendor-nack") == 0) {
		if (parse_u64(v, UINT32_MAX, &x) < 0)
			goto bad;
		o->cfg.vendor_nack = (uint32_t)x;
	} else if (strcmp(k, "vendor-rom") == 0) {
		if (parse_u64(v, 255, &x) < 0)
			goto bad;
		o->cfg.vendor_rom = (uint8_t)x;
		o->cfg.vendor_rom_set = true;
	} else if (strcmp(k, "vendor-key-id") == 0) {
		if (parse_u64(v, 255, &x) < 0)
			goto bad;
		o->cfg.vendor_key_id = (uint8_t)x;
		o->cfg.vendor_key_set = true;
	} else if (strcmp(k, "air") == 0) {
		if (!*v || strlen(v) >= sizeof(o->air))
			goto bad;
		strcpy(o->air, v);
	} else if (strcmp(k, "profile") == 0) {
		o->profile = sim_profile_by_name(v);
		if (o->profile < 0)
			goto bad;
	} else if (strcmp(k, "loss") == 0) {
		if (parse_prob(v, &o->loss))
			goto bad;
		o->loss_set = true;
	} else if (strcmp(k, "corrupt") == 0) {
		if (parse_prob(v, &o->corrupt))
			goto bad;
		o->corrupt_set = true;
	} else if (strcmp(k, "seed") == 0) {
		if (parse_u64(v, UINT64_MAX, &o->seed))
			goto bad;
		o->seed_set = true;
	} else if (strcmp(k, "cut-at") == 0) {
		if (parse_u64(v, UINT64_MAX / 1000 - 1, &o->cut_at))
			goto bad;
		o->cut_set = true;
	} else {
		err(eb, el, "sim: unknown key '%s' (type, addr, acl-mtu, acl-count, le-acl-mtu, "
			    "le-acl-count, le-max-data-len, le-max-conn, rx-count, enc-key-size, sec-fault, vendor, vendor-nack, vendor-booted, vendor-tlv-extra, vendor-rom, vendor-key-id, air, profile, "
			    "loss, corrupt, seed, cut-at)",
		    k);
		return L2K_ESPEC;
	}
	return 0;
bad:
	err(eb, el, "sim: bad value '%s' for '%s'", v, k);
	return L2K_ESPEC;
}

static int parse_args(const char *args, struct sim_tr_opts *o, char *eb, size_t el)
{
	memset(o, 0, sizeof(*o));
	sim_ctrl_config_init(&o->cfg, SIM_TYPE_DUAL);
	strcpy(o->air, "default");
	o->profile = -1;
	char buf[256];
	if (strlen(args) >= sizeof(buf)) {
		err(eb, el, "sim: argument string too long");
		return L2K_ESPEC;
	}
	strcpy(buf, args);
	char *save = NULL;
	for (char *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		if (!eq) {
			err(eb, el, "sim: expected key=value, got '%s'", kv);
			return L2K_ESPEC;
		}
		*eq = 0;
		int r = parse_kv(o, kv, eq + 1, eb, el);
		if (r < 0)
			return r;
	}
	/* an LE-only controller's only buffers are the LE ones */
	if (o->cfg.type == SIM_TYPE_LE) {
		if (o->acl_mtu_set && !o->le_mtu_set)
			o->cfg.le_acl_mtu = o->cfg.acl_mtu;
		if (o->acl_count_set && !o->le_count_set)
			o->cfg.le_acl_count = o->cfg.acl_count > 255 ? 255 : (uint8_t)o->cfg.acl_count;
		if (o->cfg.le_acl_count == 0) {
			err(eb, el, "sim: an LE-only controller needs le-acl-count >= 1");
			return L2K_ESPEC;
		}
	}
	return 0;
}

int sim_transport_open(const char *args, struct transport **out, char *errbuf, size_t errlen)
{
	struct sim_tr_opts o;
	int r = parse_args(args ? args : "", &o, errbuf, errlen);
	if (r < 0)
		return r;
	struct sim_tr *s = calloc(1, sizeof(*s));
	struct sim_air *air = s ? sim_air_open(o.air) : NULL;
	if (!air) {
		free(s);
		err(errbuf, errlen, "sim: out of memory");
		return L2K_ENOMEM;
	}
	sim_air_lock(air);
	if (o.profile >= 0)
		sim_air_set_profile(air, (enum sim_profile)o.profile);
	if (o.loss_set)
		sim_air_set_loss(air, o.loss);
	if (o.corrupt_set)
		sim_air_set_corrupt(air, o.corrupt);
	if (o.seed_set)
		sim_air_set_seed(air, o.seed);
	if (o.cut_set)
		sim_air_cut_all(air, o.cut_at);
	r = sim_ctrl_new(air, &o.cfg, &s->ctrl);
	sim_air_unlock(air);
	if (r < 0) {
		err(errbuf, errlen, "sim:%s: %s", args ? args : "",
		    r == L2K_EADDRINUSE ? "address already on this air" : l2k_strerror(r));
		sim_air_close(air);
		free(s);
		return r == L2K_EINVAL ? L2K_ESPEC : r;
	}
	sim_air_close(air); /* the controller holds its own reference */
	s->air = air;
	s->base.ops = &sim_ops;
	snprintf(s->base.spec, sizeof(s->base.spec), "sim%s%s", args && *args ? ":" : "", args ? args : "");
	*out = &s->base;
	return 0;
}

struct sim_ctrl *sim_transport_ctrl(struct transport *t)
{
	if (!t || t->ops != &sim_ops)
		return NULL;
	return ((struct sim_tr *)t)->ctrl;
}
