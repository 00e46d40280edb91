/* l2scan: find devices.  BR/EDR inquiry (with RSSI and Extended Inquiry Response) and LE
 * (passive) scanning at the same time, for --seconds; then, with --names, a Remote Name Request
 * to each BR/EDR device that gave no name.  One line per device at the end, or with --json a
 * JSON array of one object per device.
 *   l2scan -t SPEC [--bredr] [--le] [--seconds N] [--names] [--json] [--btsnoop FILE]
 *          [--timeout MS]
 * Event face, one thread. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <l2kit/l2kit.h>
#include "tools/common/security.h"
#include "tools/common/tool.h"

#define PROG "l2scan"
#define MAXDEV 256

struct dev {
	l2k_addr addr;
	enum l2k_addr_type type;
	bool has_rssi;
	int8_t rssi;
	bool has_cod;
	uint8_t cod[3];
	bool has_name, name_complete;
	char name[249];
	bool has_tx_power;
	int8_t tx_power;
	unsigned n_uuids;
	struct l2k_uuid uuids[L2K_EIR_MAX_UUIDS];
	bool bad_data; /* its EIR / AD data did not parse to the end */
};

struct scan {
	struct dev dev[MAXDEV];
	unsigned ndev, dropped;
	bool inq_done;
	int inq_err;
	uint8_t inq_status;
	bool name_done;
	int name_err;
	uint8_t name_status;
	char name[249];
	uint64_t until_us;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: l2scan -t SPEC [--bredr] [--le] [--seconds N] [--names] [--json]\n"
		   "              [--btsnoop FILE] [--timeout MS]\n"
		   "  Finds devices: BR/EDR inquiry (discoverable devices, with RSSI and their Extended\n"
		   "  Inquiry Response) and LE passive scanning (advertisers), both at once by default,\n"
		   "  then prints one line per device: address, type (bredr, le-public, le-random), RSSI,\n"
		   "  name and services (UUIDs from the EIR / advertising data).\n"
		   "  SPEC: unix:PATH | tcp:HOST:PORT | serial:DEV[,BAUD][,rtscts] | sim[:k=v,...]\n"
		   "        | hciN (Linux HCI user channel) | usb[:N|:VID:PID[#N]|:BUS-PORT] (libusb)\n"
		   "  --bredr       BR/EDR inquiry only\n"
		   "  --le          LE scanning only\n"
		   "  --seconds N   how long to look, 1..61 (default 10; BR/EDR inquiry in units of\n"
		   "                1.28 s, so it may last up to 1.28 s longer)\n"
		   "  --names       ask each BR/EDR device that sent no name for it (Remote Name\n"
		   "                Request, up to 5.12 s each for a device that does not answer)\n"
		   "  --json        print one JSON array, one object per device: {\"address\", \"type\",\n"
		   "                \"rssi\" (or null), \"name\" (or null), \"name_complete\", \"class\" (BR/EDR\n"
		   "                Class of Device, or null), \"tx_power\" (or null), \"services\" [\"0x110a\",\n"
		   "                ...]}\n"
		   "  --btsnoop FILE  capture the HCI traffic\n"
		   "  --timeout MS  wait this long for the bring-up, 1..600000 (default 10000)\n"
		   TOOL_VENDOR_HELP
		   "  Exit status: 0 (also when nothing was found: \"no devices found\" on stderr), 1 the\n"
		   "  controller or the transport failed, or cannot do what was asked, 2 usage,\n"
		   "  130 / 143 SIGINT / SIGTERM (what was found so far is printed).\n");
}

static struct dev *dev_get(struct scan *sc, const l2k_addr *a, enum l2k_addr_type type)
{
	for (unsigned i = 0; i < sc->ndev; i++)
		if (sc->dev[i].type == type && !memcmp(sc->dev[i].addr.b, a->b, 6))
			return &sc->dev[i];
	if (sc->ndev == MAXDEV) {
		sc->dropped++;
		return NULL;
	}
	struct dev *d = &sc->dev[sc->ndev++];
	memset(d, 0, sizeof(*d));
	d->addr = *a;
	d->type = type;
	return d;
}

static void add_uuid(struct dev *d, const struct l2k_uuid *u)
{
	for (unsigned i = 0; i < d->n_uuids; i++)
		if (d->uuids[i].size == u->size && !memcmp(d->uuids[i].b, u->b, u->size))
			return;
	if (d->n_uuids < L2K_EIR_MAX_UUIDS)
		d->uuids[d->n_uuids++] = *u;
}

/* EIR and LE AD share the format: merge what it says into d */
static void merge_data(struct dev *d, const uint8_t *data, size_t len)
{
	struct l2k_eir e;
	if (l2k_eir_parse(data, len, &e) < 0)
		d->bad_data = true;
	if (e.has_name && (e.name_complete || !d->name_complete)) {
		memcpy(d->name, e.name, sizeof(d->name));
		d->has_name = true;
		d->name_complete = e.name_complete;
	}
	if (e.has_tx_power) {
		d->has_tx_power = true;
		d->tx_power = e.tx_power;
	}
	for (unsigned i = 0; i < e.n_uuids; i++)
		add_uuid(d, &e.uuids[i]);
}

static void on_inquiry_result(void *user, const struct l2k_inquiry_result *r)
{
	struct scan *sc = user;
	struct dev *d = dev_get(sc, &r->addr, L2K_ADDR_BREDR);
	if (!d)
		return;
	d->has_cod = true;
	memcpy(d->cod, r->cod, 3);
	if (r->has_rssi) {
		d->has_rssi = true;
		d->rssi = r->rssi;
	}
	if (r->eir)
		merge_data(d, r->eir, r->eir_len);
}

static void on_inquiry_complete(void *user, int err, uint8_t status)
{
	struct scan *sc = user;
	sc->inq_done = true;
	sc->inq_err = err;
	sc->inq_status = status;
}

static void on_adv(void *user, const l2k_addr *addr, enum l2k_addr_type type, int8_t rssi, const uint8_t *ad,
		   size_t ad_len)
{
	struct scan *sc = user;
	struct dev *d = dev_get(sc, addr, type);
	if (!d)
		return;
	if (rssi != 127) { /* 127: RSSI not available (Vol 4 Part E 7.7.65.2) */
		d->has_rssi = true;
		d->rssi = rssi;
	}
	merge_data(d, ad, ad_len);
}

static void on_name(void *user, const l2k_addr *peer, int err, uint8_t status, const char *name)
{
	struct scan *sc = user;
	(void)peer;
	sc->name_done = true;
	sc->name_err = err;
	sc->name_status = status;
	snprintf(sc->name, sizeof(sc->name), "%s", name ? name : "");
}

static bool inquiry_and_time_done(void *arg)
{
	struct scan *sc = arg;
	return tool_signal() || (sc->inq_done && tool_now_us() >= sc->until_us);
}

static bool name_done(void *arg)
{
	struct scan *sc = arg;
	return tool_signal() || sc->name_done;
}

static const char *type_str(enum l2k_addr_type t)
{
	switch (t) {
	case L2K_ADDR_BREDR: return "bredr";
	case L2K_ADDR_LE_PUBLIC: return "le-public";
	default: return "le-random";
	}
}

static void uuid_str(const struct l2k_uuid *u, char *buf, size_t len)
{
	if (u->size == 2)
		snprintf(buf, len, "0x%04x", (unsigned)(u->b[0] | u->b[1] << 8));
	else if (u->size == 4)
		snprintf(buf, len, "0x%08lx",
			 (unsigned long)u->b[0] | (unsigned long)u->b[1] << 8 | (unsigned long)u->b[2] << 16 |
			     (unsigned long)u->b[3] << 24);
	else {
		/* 128-bit UUIDs are little-endian on the air: printed most significant first */
		size_t o = 0;
		for (int i = 15; i >= 0 && o + 3 < len; i--) {
			o += (size_t)snprintf(buf + o, len - o, "%02x", u->b[i]);
			if ((i == 12 || i == 10 || i == 8 || i == 6) && o + 1 < len)
				buf[o++] = '-';
		}
		buf[o < len ? o : len - 1] = 0;
	}
}

/* a JSON string: quotes, backslashes and control characters escaped (names are UTF-8, passed
 * on as they are) */
static void json_str(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

/* a name for a text line: control characters shown as '?' */
static void text_name(const char *s, char *out, size_t len)
{
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && o + 1 < len; p++)
		out[o++] = *p < 0x20 || *p == 0x7F ? '?' : (char)*p;
	out[o] = 0;
}

static void print_devices(const struct scan *sc, bool json)
{
	if (json)
		printf("[");
	for (unsigned i = 0; i < sc->ndev; i++) {
		const struct dev *d = &sc->dev[i];
		char a[18];
		l2k_addr_str(&d->addr, a);
		if (json) {
			printf("%s\n  {\"address\": \"%s\", \"type\": \"%s\", \"rssi\": ", i ? "," : "", a,
			       type_str(d->type));
			if (d->has_rssi)
				printf("%d", d->rssi);
			else
				printf("null");
			printf(", \"name\": ");
			if (d->has_name)
				json_str(d->name);
			else
				printf("null");
			printf(", \"name_complete\": %s, \"class\": ", d->has_name && d->name_complete ? "true" : "false");
			if (d->has_cod)
				printf("\"0x%02x%02x%02x\"", d->cod[2], d->cod[1], d->cod[0]);
			else
				printf("null");
			printf(", \"tx_power\": ");
			if (d->has_tx_power)
				printf("%d", d->tx_power);
			else
				printf("null");
			printf(", \"services\": [");
			for (unsigned k = 0; k < d->n_uuids; k++) {
				char u[40];
				uuid_str(&d->uuids[k], u, sizeof(u));
				printf("%s\"%s\"", k ? ", " : "", u);
			}
			printf("]}");
			continue;
		}
		char rssi[16] = "-";
		if (d->has_rssi)
			snprintf(rssi, sizeof(rssi), "%d dBm", d->rssi);
		char name[260] = "-";
		if (d->has_name) {
			char n[249];
			text_name(d->name, n, sizeof(n));
			snprintf(name, sizeof(name), "\"%s\"%s", n, d->name_complete ? "" : " (short)");
		}
		printf("%s  %-9s  %-7s  %s", a, type_str(d->type), rssi, name);
		if (d->n_uuids) {
			printf("  services:");
			for (unsigned k = 0; k < d->n_uuids; k++) {
				char u[40];
				uuid_str(&d->uuids[k], u, sizeof(u));
				printf(" %s", u);
			}
		}
		printf("\n");
	}
	if (json)
		printf("%s]\n", sc->ndev ? "\n" : "");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *spec = NULL, *snoop = NULL;
	bool json = false, want_br = false, want_le = false, names = false;
	unsigned long seconds = 10, timeout = 10000;
	tool_signals_init(PROG);
	static const struct option lo[] = {{"transport", required_argument, 0, 't'},
					   {"bredr", no_argument, 0, 'B'},
					   {"le", no_argument, 0, 'L'},
					   {"seconds", required_argument, 0, 's'},
					   {"names", no_argument, 0, 'n'},
					   {"json", no_argument, 0, 'j'},
					   {"btsnoop", required_argument, 0, 'b'},
					   {"timeout", required_argument, 0, 'T'},
					   {"help", no_argument, 0, 'h'},
					   TOOL_VENDOR_LONGOPTS,
					   {0, 0, 0, 0}};
	int c;
	struct tool_vendor tv = {0};
	while ((c = getopt_long(argc, argv, "t:s:njh", lo, NULL)) != -1) {
		int vr = tool_vendor_option("l2scan", c, optarg, &tv);
		if (vr < 0)
			return 2;
		if (vr)
			continue;
		switch (c) {
		case 't': spec = optarg; break;
		case 'B': want_br = true; break;
		case 'L': want_le = true; break;
		case 's':
			if (tool_opt_uint(PROG, "--seconds", optarg, 1, 61, "seconds, 1..61", &seconds))
				return 2;
			break;
		case 'n': names = true; break;
		case 'j': json = true; break;
		case 'b': snoop = optarg; break;
		case 'T':
			if (tool_opt_uint(PROG, "--timeout", optarg, 1, 600000, "milliseconds, 1..600000", &timeout))
				return 2;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!spec || optind != argc) {
		usage(stderr);
		return 2;
	}
	bool both = !want_br && !want_le;
	struct scan *sc = calloc(1, sizeof(*sc));
	if (!sc) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	struct l2k_stack_opts o = {.btsnoop_path = snoop, .no_page_scan = true};
	tool_vendor_apply(&tv, &o);
	struct l2k_stack_cbs cbs = {.user = sc,
				    .inquiry_result = on_inquiry_result,
				    .inquiry_complete = on_inquiry_complete,
				    .adv_report = on_adv,
				    .remote_name = on_name};
	l2k_stack *s;
	if (tool_stack_up(PROG, spec, &o, &cbs, (int)timeout, &s) < 0) {
		free(sc);
		return 1;
	}
	tool_signals_graceful(true);
	struct l2k_controller_info in;
	l2k_controller_info(s, &in);
	bool do_br = in.bredr && (both || want_br), do_le = in.le && (both || want_le);
	int rc = 0;
	if ((want_br && !in.bredr) || (want_le && !in.le) || (!do_br && !do_le)) {
		fprintf(stderr, PROG ": %s: the controller does not do %s\n", spec,
			want_br && !in.bredr ? "BR/EDR (no inquiry)" : want_le && !in.le ? "LE (no scanning)"
										 : "BR/EDR or LE");
		rc = 1;
		goto out;
	}
	sc->until_us = tool_now_us() + (uint64_t)seconds * 1000000u;
	int r;
	if (do_le && (r = l2k_le_scan(s, true)) < 0) {
		fprintf(stderr, PROG ": cannot start LE scanning: %s\n", l2k_strerror(r));
		rc = 1;
		goto out;
	}
	if (do_br && (r = l2k_inquiry(s, (unsigned)seconds, 0)) < 0) {
		fprintf(stderr, PROG ": cannot start the inquiry: %s\n", l2k_strerror(r));
		rc = 1;
		goto out;
	}
	if (!do_br)
		sc->inq_done = true;
	r = tool_run_until(s, inquiry_and_time_done, sc, (int)(seconds * 1000 + 5000));
	if (r < 0 && !tool_signal()) {
		fprintf(stderr, PROG ": %s: %s%s%s\n", spec, l2k_strerror(r), l2k_last_error(s)[0] ? ": " : "",
			l2k_last_error(s));
		rc = 1;
		goto out;
	}
	if (do_br && sc->inq_done && sc->inq_err) {
		fprintf(stderr, PROG ": the inquiry failed: %s (HCI 0x%02x: %s)\n", l2k_strerror(sc->inq_err),
			sc->inq_status, tool_hci_status_str(sc->inq_status));
		rc = 1;
	}
	if (do_br && !sc->inq_done)
		l2k_inquiry_cancel(s);
	if (do_le)
		l2k_le_scan(s, false);
	if (names && do_br) {
		for (unsigned i = 0; i < sc->ndev && !tool_signal(); i++) {
			struct dev *d = &sc->dev[i];
			if (d->type != L2K_ADDR_BREDR || (d->has_name && d->name_complete))
				continue;
			sc->name_done = false;
			if (l2k_remote_name(s, &d->addr) < 0)
				continue;
			if (tool_run_until(s, name_done, sc, 30000) < 0 || !sc->name_done)
				continue;
			if (sc->name_err == 0 && sc->name[0]) { /* an empty name is none */
				memcpy(d->name, sc->name, sizeof(d->name));
				d->has_name = d->name_complete = true;
			}
		}
	}
	print_devices(sc, json);
	if (!sc->ndev)
		fprintf(stderr, PROG ": no devices found\n");
	if (sc->dropped)
		fprintf(stderr, PROG ": %u more devices not listed (at most %d)\n", sc->dropped, MAXDEV);
	if (tool_signal())
		rc = tool_signal_status();
out:
	tool_agent_attach(NULL);
	l2k_stack_close(s);
	free(sc);
	return rc;
}
