/* The kernel side's pairing agent for the VM security scenario: what bluetoothd's agent does
 * for a desktop, reduced to what a test needs.  It opens the management control channel
 * (AF_BLUETOOTH, BTPROTO_HCI, HCI_CHANNEL_CONTROL), optionally sets the controller's IO
 * capability, and answers the kernel's pairing questions for one controller:
 *
 *   User Confirmation Request   -> User Confirm Reply (or Neg Reply with --reject)
 *   User Passkey Request        -> User Passkey Reply with --passkey (default 0)
 *   PIN Code Request            -> PIN Code Reply with --pin (default "0000")
 *
 * Every question, answer and key the kernel reports (New Link Key, New Long Term Key, New
 * IRK, Authentication Failed, Passkey Notify, device (dis)connected) is printed as one line on
 * stdout, flushed at once, so that a scenario can check what happened, e.g. that both sides
 * compared the same number:
 *
 *   kagent: confirm 00:AA:01:01:00:01 bredr value 123456 hint 0 -> accept
 *
 *   kagent [--index N] [--desktop] [--io-cap N] [--reject] [--passkey N] [--pin PIN]
 *          [--keys FILE] [--pair ADDR] [--ready-file F] [--timeout S]
 *   --desktop: set the controller as bluetoothd sets it for a desktop, one command after the
 *           other: Simple Pairing, Secure Connections, bondable, LE, BR/EDR, connectable on
 *           (then the IO capability and the keys below), powered on last; the settings the
 *           kernel reports are printed ("settings: powered connectable bondable ssp ...").
 *   --io-cap: 0 DisplayOnly, 1 DisplayYesNo, 2 KeyboardOnly, 3 NoInputNoOutput,
 *             4 KeyboardDisplay (MGMT Set IO Capability; the kernel's own default is 3)
 *   --keys: the BR/EDR bonds, kept as bluetoothd keeps them across restarts of the controller:
 *           at start the file's keys are given to the kernel (MGMT Load Link Keys; a missing
 *           file is no keys), and every New Link Key the kernel reports with store_hint 1
 *           replaces that peer's line.  One line a bond: "ADDRESS TYPE KEY PIN_LENGTH", the
 *           address most significant octet first, TYPE the HCI key type in decimal, KEY 32 hex
 *           digits in HCI order (as Link Key Notification carries it).
 *   --pair: at SIGUSR1 (once set up), pair with ADDR (BR/EDR; MGMT Pair Device, the kernel's
 *           dedicated bonding) and print the result: "kagent: pair ADDR bredr: status 0xNN"
 *           (0 paired).
 *   --ready-file is written once all of the above but the pairing is done.
 *   Runs until SIGTERM / SIGINT or --timeout seconds (default 600).  Exit 0, or 1 when the
 *   control channel cannot be opened, the IO capability cannot be set or the keys not loaded.
 *
 * The management protocol's constants and layouts are BlueZ's doc/mgmt-api.txt (and the
 * kernel's include/net/bluetooth/mgmt.h): every message is a 6-octet header (opcode, controller
 * index, parameter length; little endian) and its parameters.  A test fixture, not part of
 * l2kit; built by tests/vm/run.sh like kpeer.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef AF_BLUETOOTH
#define AF_BLUETOOTH 31
#endif
#define BTPROTO_HCI 1
#define HCI_CHANNEL_CONTROL 3
#define MGMT_INDEX_NONE 0xFFFF

/* commands */
#define MGMT_OP_SET_POWERED 0x0005
#define MGMT_OP_SET_CONNECTABLE 0x0007
#define MGMT_OP_SET_BONDABLE 0x0009
#define MGMT_OP_SET_SSP 0x000B
#define MGMT_OP_SET_LE 0x000D
#define MGMT_OP_LOAD_LINK_KEYS 0x0012
#define MGMT_OP_PAIR_DEVICE 0x0019
#define MGMT_OP_SET_BREDR 0x002A
#define MGMT_OP_SET_SECURE_CONN 0x002D
#define MGMT_OP_PIN_CODE_REPLY 0x0016
#define MGMT_OP_PIN_CODE_NEG_REPLY 0x0017
#define MGMT_OP_SET_IO_CAPABILITY 0x0018
#define MGMT_OP_USER_CONFIRM_REPLY 0x001C
#define MGMT_OP_USER_CONFIRM_NEG_REPLY 0x001D
#define MGMT_OP_USER_PASSKEY_REPLY 0x001E
#define MGMT_OP_USER_PASSKEY_NEG_REPLY 0x001F
/* events */
#define MGMT_EV_CMD_COMPLETE 0x0001
#define MGMT_EV_CMD_STATUS 0x0002
#define MGMT_EV_NEW_LINK_KEY 0x0009
#define MGMT_EV_NEW_LONG_TERM_KEY 0x000A
#define MGMT_EV_DEVICE_CONNECTED 0x000B
#define MGMT_EV_DEVICE_DISCONNECTED 0x000C
#define MGMT_EV_PIN_CODE_REQUEST 0x000E
#define MGMT_EV_USER_CONFIRM_REQUEST 0x000F
#define MGMT_EV_USER_PASSKEY_REQUEST 0x0010
#define MGMT_EV_AUTH_FAILED 0x0011
#define MGMT_EV_PASSKEY_NOTIFY 0x0017
#define MGMT_EV_NEW_IRK 0x0018

#define MGMT_HDR 6
#define ADDR_INFO 7 /* bdaddr (6, least significant octet first), address type (1) */
#define LINK_KEY_INFO 25 /* addr info, key type (1), value (16), pin length (1) */
#define MAX_KEYS 16

struct hci_sockaddr {
	sa_family_t family;
	unsigned short dev;
	unsigned short channel;
};

static volatile sig_atomic_t stop, pair_now;
static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}
static void on_usr1(int sig)
{
	(void)sig;
	pair_now = 1;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* The names of a settings bit field (MGMT Read Controller Information's current settings) */
static void settings_str(uint32_t v, char *out, size_t cap)
{
	static const char *names[] = {"powered", "connectable", "fast-connectable", "discoverable",
				      "bondable", "link-security", "ssp", "br/edr", "hs", "le",
				      "advertising", "secure-conn", "debug-keys", "privacy"};
	size_t n = 0;
	out[0] = 0;
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (v & (1u << i) && n + strlen(names[i]) + 2 < cap)
			n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? " " : "", names[i]);
}

/* The setup, one command at a time (each waits for the one before to complete) */
struct setup_cmd {
	uint16_t op;
	uint16_t len;
	uint8_t par[3 + MAX_KEYS * LINK_KEY_INFO];
	const char *what;
};
static struct setup_cmd setup[12];
static int nsetup;

static void setup_add(uint16_t op, const void *par, size_t len, const char *what)
{
	struct setup_cmd *c = &setup[nsetup++];
	c->op = op;
	c->len = (uint16_t)len;
	memcpy(c->par, par, len);
	c->what = what;
}

/* "AA:BB:CC:DD:EE:FF type" of a mgmt_addr_info */
static const char *addr_str(const uint8_t *a, char out[40])
{
	static const char *types[] = {"bredr", "le-public", "le-random"};
	snprintf(out, 40, "%02X:%02X:%02X:%02X:%02X:%02X %s", a[5], a[4], a[3], a[2], a[1], a[0],
		 a[6] < 3 ? types[a[6]] : "type?");
	return out;
}

static int send_cmd(int fd, uint16_t op, uint16_t index, const uint8_t *par, size_t len)
{
	uint8_t buf[MGMT_HDR + 3 + MAX_KEYS * LINK_KEY_INFO];
	if (len > sizeof(buf) - MGMT_HDR)
		return -1;
	put_le16(buf, op);
	put_le16(buf + 2, index);
	put_le16(buf + 4, (uint16_t)len);
	if (len)
		memcpy(buf + MGMT_HDR, par, len);
	ssize_t r = write(fd, buf, MGMT_HDR + len);
	if (r != (ssize_t)(MGMT_HDR + len)) {
		printf("kagent: sending command 0x%04x: %s\n", op, r < 0 ? strerror(errno) : "short write");
		return -1;
	}
	return 0;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("kagent: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
	va_end(ap);
}

static int usage(void)
{
	fprintf(stderr, "usage: kagent [--index N] [--desktop] [--io-cap N] [--reject] [--passkey N] "
		"[--pin PIN] [--keys FILE] [--pair ADDR] [--ready-file F] [--timeout S]\n");
	return 2;
}

/* ---- the key file: MAX_KEYS entries of LINK_KEY_INFO octets (mgmt_link_key_info) --------- */

static uint8_t keys[MAX_KEYS][LINK_KEY_INFO];
static int nkeys;

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Reads FILE (a missing one is empty).  0, or -1 with a message for a malformed line. */
static int keys_read(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? 0 : -1;
	char line[256];
	int n = 0;
	while (fgets(line, sizeof(line), f)) {
		n++;
		unsigned a[6], type, pin;
		char hex[40];
		if (sscanf(line, "%2x:%2x:%2x:%2x:%2x:%2x %u %39s %u", &a[0], &a[1], &a[2], &a[3], &a[4],
			   &a[5], &type, hex, &pin) != 9 || type > 8 || pin > 16 || strlen(hex) != 32 ||
		    nkeys == MAX_KEYS) {
			fprintf(stderr, "kagent: %s line %d: not ADDRESS TYPE KEY PIN_LENGTH\n", path, n);
			fclose(f);
			return -1;
		}
		uint8_t *k = keys[nkeys];
		for (int i = 0; i < 6; i++)
			k[i] = (uint8_t)a[5 - i];
		k[6] = 0; /* BR/EDR */
		k[7] = (uint8_t)type;
		for (int i = 0; i < 16; i++) {
			int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
			if (hi < 0 || lo < 0) {
				fprintf(stderr, "kagent: %s line %d: bad key\n", path, n);
				fclose(f);
				return -1;
			}
			k[8 + i] = (uint8_t)(hi << 4 | lo);
		}
		k[24] = (uint8_t)pin;
		nkeys++;
	}
	fclose(f);
	return 0;
}

/* Writes every entry to FILE.tmp, then renames it over FILE.  0 or -1. */
static int keys_write(const char *path)
{
	char tmp[512];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	for (int i = 0; i < nkeys; i++) {
		const uint8_t *k = keys[i];
		fprintf(f, "%02X:%02X:%02X:%02X:%02X:%02X %u ", k[5], k[4], k[3], k[2], k[1], k[0], k[7]);
		for (int j = 0; j < 16; j++)
			fprintf(f, "%02x", k[8 + j]);
		fprintf(f, " %u\n", k[24]);
	}
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, path);
}

/* A New Link Key's mgmt_link_key_info: replace the peer's entry or add one. */
static void keys_put(const uint8_t *info)
{
	int i = 0;
	while (i < nkeys && memcmp(keys[i], info, ADDR_INFO) != 0)
		i++;
	if (i == MAX_KEYS)
		return;
	memcpy(keys[i], info, LINK_KEY_INFO);
	if (i == nkeys)
		nkeys++;
}

int main(int argc, char **argv)
{
	unsigned index = 0;
	int io_cap = -1;
	bool reject = false;
	uint32_t passkey = 0;
	const char *pin = "0000", *ready = NULL, *keyfile = NULL, *pair = NULL;
	bool desktop = false;
	int timeout_s = 600;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--index") && i + 1 < argc)
			index = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--io-cap") && i + 1 < argc)
			io_cap = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--reject"))
			reject = true;
		else if (!strcmp(argv[i], "--passkey") && i + 1 < argc)
			passkey = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--pin") && i + 1 < argc)
			pin = argv[++i];
		else if (!strcmp(argv[i], "--desktop"))
			desktop = true;
		else if (!strcmp(argv[i], "--pair") && i + 1 < argc)
			pair = argv[++i];
		else if (!strcmp(argv[i], "--keys") && i + 1 < argc)
			keyfile = argv[++i];
		else if (!strcmp(argv[i], "--ready-file") && i + 1 < argc)
			ready = argv[++i];
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
			timeout_s = atoi(argv[++i]);
		else
			return usage();
	}
	if (io_cap > 4 || strlen(pin) < 1 || strlen(pin) > 16 || passkey > 999999)
		return usage();

	int fd = socket(AF_BLUETOOTH, SOCK_RAW | SOCK_CLOEXEC, BTPROTO_HCI);
	if (fd < 0) {
		fprintf(stderr, "kagent: socket(AF_BLUETOOTH, BTPROTO_HCI): %s\n", strerror(errno));
		return 1;
	}
	struct hci_sockaddr sa = {.family = AF_BLUETOOTH, .dev = MGMT_INDEX_NONE, .channel = HCI_CHANNEL_CONTROL};
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "kagent: bind to the management control channel: %s\n", strerror(errno));
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGUSR1, on_usr1);

	const uint8_t on = 1;
	if (desktop) {
		setup_add(MGMT_OP_SET_SSP, &on, 1, "Set Simple Pairing");
		setup_add(MGMT_OP_SET_SECURE_CONN, &on, 1, "Set Secure Connections");
		setup_add(MGMT_OP_SET_BONDABLE, &on, 1, "Set Bondable");
		setup_add(MGMT_OP_SET_LE, &on, 1, "Set LE");
		setup_add(MGMT_OP_SET_BREDR, &on, 1, "Set BR/EDR");
		setup_add(MGMT_OP_SET_CONNECTABLE, &on, 1, "Set Connectable");
	}
	if (io_cap >= 0) {
		uint8_t c = (uint8_t)io_cap;
		setup_add(MGMT_OP_SET_IO_CAPABILITY, &c, 1, "Set IO Capability");
	}
	if (keyfile) {
		if (keys_read(keyfile) < 0)
			return 1;
		/* debug_keys(1) key_count(2) keys; the list replaces what the kernel has */
		uint8_t par[3 + MAX_KEYS * LINK_KEY_INFO];
		par[0] = 0;
		put_le16(par + 1, (uint16_t)nkeys);
		for (int i = 0; i < nkeys; i++)
			memcpy(par + 3 + i * LINK_KEY_INFO, keys[i], LINK_KEY_INFO);
		setup_add(MGMT_OP_LOAD_LINK_KEYS, par, 3 + (size_t)nkeys * LINK_KEY_INFO, "Load Link Keys");
	}
	if (desktop)
		setup_add(MGMT_OP_SET_POWERED, &on, 1, "Set Powered");
	uint8_t pair_par[ADDR_INFO + 1];
	if (pair) {
		unsigned a[6];
		if (sscanf(pair, "%2x:%2x:%2x:%2x:%2x:%2x", &a[0], &a[1], &a[2], &a[3], &a[4], &a[5]) != 6)
			return usage();
		for (int i = 0; i < 6; i++)
			pair_par[i] = (uint8_t)a[5 - i];
		pair_par[6] = 0; /* BR/EDR */
		pair_par[7] = io_cap >= 0 ? (uint8_t)io_cap : 1;
	}
	int next = 0;        /* the setup command to send */
	bool waiting = false; /* for setup[next - 1] */
	bool ready_done = false;
	say("answering for hci%u%s", index, reject ? " (refusing confirmations)" : "");

	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	uint8_t buf[1024];
	char as[40];
	while (!stop) {
		if (!waiting && next < nsetup) {
			if (send_cmd(fd, setup[next].op, (uint16_t)index, setup[next].par, setup[next].len) < 0)
				return 1;
			next++;
			waiting = true;
		}
		if (!ready_done && !waiting && next == nsetup) {
			ready_done = true;
			if (ready) {
				FILE *f = fopen(ready, "w");
				if (f)
					fclose(f);
			}
		}
		if (ready_done && pair && pair_now) {
			pair_now = 0;
			say("pairing with %s", pair);
			if (send_cmd(fd, MGMT_OP_PAIR_DEVICE, (uint16_t)index, pair_par, sizeof(pair_par)) < 0)
				return 1;
		}
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec >= timeout_s) {
			say("no more to do after %d s: ending", timeout_s);
			break;
		}
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int pr = poll(&p, 1, 200);
		if (pr < 0 && errno != EINTR) {
			fprintf(stderr, "kagent: poll: %s\n", strerror(errno));
			return 1;
		}
		if (pr <= 0)
			continue;
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "kagent: read: %s\n", strerror(errno));
			return 1;
		}
		if (n < MGMT_HDR)
			continue;
		uint16_t ev = le16(buf), idx = le16(buf + 2), plen = le16(buf + 4);
		if ((size_t)n < MGMT_HDR + (size_t)plen)
			continue; /* truncated: not a whole message */
		const uint8_t *pp = buf + MGMT_HDR;
		if (idx != index)
			continue;
		switch (ev) {
		case MGMT_EV_CMD_COMPLETE:
		case MGMT_EV_CMD_STATUS: {
			/* Command Complete: opcode(2) status(1) ...; Command Status: the same two */
			if (plen < 3)
				break;
			uint16_t op = le16(pp);
			uint8_t st = pp[2];
			if (waiting && op == setup[next - 1].op) {
				waiting = false;
				if (st) {
					say("%s failed: status 0x%02x", setup[next - 1].what, st);
					return 1;
				}
				if (op == MGMT_OP_SET_IO_CAPABILITY)
					say("io capability %d set", io_cap);
				else if (op == MGMT_OP_LOAD_LINK_KEYS)
					say("%d link keys loaded from %s", nkeys, keyfile);
				else if (op == MGMT_OP_SET_POWERED && ev == MGMT_EV_CMD_COMPLETE && plen >= 7) {
					char ss[200];
					settings_str(le32(pp + 3), ss, sizeof(ss));
					say("settings: %s", ss);
				}
			} else if (op == MGMT_OP_PAIR_DEVICE && pair) {
				say("pair %s: status 0x%02x", plen >= 3 + ADDR_INFO ? addr_str(pp + 3, as) : pair, st);
			} else if (op >= MGMT_OP_PIN_CODE_REPLY && op <= MGMT_OP_USER_PASSKEY_NEG_REPLY) {
				say("reply 0x%04x: status 0x%02x", op, st);
			}
			break;
		}
		case MGMT_EV_USER_CONFIRM_REQUEST: /* addr confirm_hint(1) value(4) */
			if (plen < ADDR_INFO + 5)
				break;
			say("confirm %s value %06u hint %u -> %s", addr_str(pp, as), le32(pp + ADDR_INFO + 1),
			    pp[ADDR_INFO], reject ? "reject" : "accept");
			send_cmd(fd, reject ? MGMT_OP_USER_CONFIRM_NEG_REPLY : MGMT_OP_USER_CONFIRM_REPLY,
				 (uint16_t)index, pp, ADDR_INFO);
			break;
		case MGMT_EV_USER_PASSKEY_REQUEST: { /* addr */
			if (plen < ADDR_INFO)
				break;
			uint8_t r[ADDR_INFO + 4];
			memcpy(r, pp, ADDR_INFO);
			r[ADDR_INFO] = (uint8_t)passkey;
			r[ADDR_INFO + 1] = (uint8_t)(passkey >> 8);
			r[ADDR_INFO + 2] = (uint8_t)(passkey >> 16);
			r[ADDR_INFO + 3] = (uint8_t)(passkey >> 24);
			say("passkey request %s -> %06u", addr_str(pp, as), passkey);
			send_cmd(fd, MGMT_OP_USER_PASSKEY_REPLY, (uint16_t)index, r, sizeof(r));
			break;
		}
		case MGMT_EV_PIN_CODE_REQUEST: { /* addr secure(1) */
			if (plen < ADDR_INFO + 1)
				break;
			uint8_t r[ADDR_INFO + 17] = {0}; /* addr pin_len pin_code(16) */
			memcpy(r, pp, ADDR_INFO);
			r[ADDR_INFO] = (uint8_t)strlen(pin);
			memcpy(r + ADDR_INFO + 1, pin, strlen(pin));
			say("PIN request %s (secure %u) -> %s", addr_str(pp, as), pp[ADDR_INFO], pin);
			send_cmd(fd, MGMT_OP_PIN_CODE_REPLY, (uint16_t)index, r, sizeof(r));
			break;
		}
		case MGMT_EV_PASSKEY_NOTIFY: /* addr passkey(4) entered(1) */
			if (plen >= ADDR_INFO + 5)
				say("passkey notify %s value %06u entered %u", addr_str(pp, as), le32(pp + ADDR_INFO),
				    pp[ADDR_INFO + 4]);
			break;
		case MGMT_EV_NEW_LINK_KEY: { /* store_hint(1) addr type(1) val(16) pin_len(1) */
			if (plen < 1 + LINK_KEY_INFO)
				break;
			char hex[33];
			for (int i = 0; i < 16; i++)
				snprintf(hex + 2 * i, 3, "%02x", pp[1 + ADDR_INFO + 1 + i]);
			say("new link key %s type 0x%02x store_hint %u key %s", addr_str(pp + 1, as), pp[1 + ADDR_INFO],
			    pp[0], hex);
			if (keyfile && pp[0]) {
				keys_put(pp + 1);
				if (keys_write(keyfile) < 0)
					say("cannot write %s: %s", keyfile, strerror(errno));
			}
			break;
		}
		case MGMT_EV_NEW_LONG_TERM_KEY: /* store_hint(1) addr type(1) central(1) enc_size(1) ... */
			if (plen >= 1 + ADDR_INFO + 3)
				say("new long term key %s type 0x%02x central %u key size %u store_hint %u",
				    addr_str(pp + 1, as), pp[1 + ADDR_INFO], pp[2 + ADDR_INFO], pp[3 + ADDR_INFO], pp[0]);
			break;
		case MGMT_EV_NEW_IRK: /* store_hint(1) rpa(6) addr val(16) */
			if (plen >= 1 + 6 + ADDR_INFO)
				say("new IRK %s store_hint %u", addr_str(pp + 7, as), pp[0]);
			break;
		case MGMT_EV_AUTH_FAILED: /* addr status(1) */
			if (plen >= ADDR_INFO + 1)
				say("authentication failed %s status 0x%02x", addr_str(pp, as), pp[ADDR_INFO]);
			break;
		case MGMT_EV_DEVICE_CONNECTED:
			if (plen >= ADDR_INFO)
				say("connected %s", addr_str(pp, as));
			break;
		case MGMT_EV_DEVICE_DISCONNECTED: /* addr reason(1) */
			if (plen >= ADDR_INFO + 1)
				say("disconnected %s reason %u", addr_str(pp, as), pp[ADDR_INFO]);
			break;
		default: break;
		}
	}
	close(fd);
	return 0;
}
