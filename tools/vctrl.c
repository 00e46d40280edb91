/* vctrl: simulated Bluetooth controllers for other processes and other host stacks.
 *
 * Listens on TCP and/or unix stream sockets and speaks plain H4 (packet type byte + HCI
 * packet).  Every accepted connection gets a new simulated controller with a distinct address,
 * all on one simulated air (transport/sim/) driven by the wall clock.  A listener may give its
 * controllers a fixed address (",addr=AA:BB:CC:DD:EE:FF"), so a bonded pair finds its keys again
 * from new processes; while one such controller is connected a second connection on that
 * address is refused.  A client that goes away, even in the middle of a packet, only takes its
 * own controller with it: its links drop and the peers get Disconnection Complete (reason 0x15).
 * See docs/simulator.md. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <l2kit/l2kit_sim.h>

#include "tools/common/tool.h"

#define MAX_LISTEN 8
#define MAX_CLIENTS 64
#define OUT_CAP (512u * 1024u)

struct listener {
	int fd;
	bool is_unix;
	char path[108];
	char name[160];
	struct l2k_sim_opts cfg; /* for the controllers it accepts */
};

struct client {
	int fd;
	unsigned id;
	l2k_sim_ctrl *ctrl;
	uint8_t *out;
	size_t out_head, out_len;
	char addr[18];
	char peer[80];
	bool dead;
	const char *why;
	/* --verbose: what went through */
	uint64_t t_conn, bytes_in, bytes_out, events_out, acl_out;
};

static volatile sig_atomic_t stop;
static struct listener listeners[MAX_LISTEN];
static int nlisten;
static struct client *clients[MAX_CLIENTS];
static unsigned next_id = 1;
static l2k_sim_air *air;
static struct l2k_sim_opts ctrl_cfg;
static bool verbose;
static uint64_t t_start;

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vctrl --listen tcp:HOST:PORT|unix:PATH[,KEY=VALUE...] [--listen ...] [options]\n"
		"  Simulated Bluetooth controllers over H4 sockets: each accepted connection gets a\n"
		"  new controller (its address is printed on stderr), all on one simulated air.\n"
		"options:\n"
		"  --listen SPEC        tcp:HOST:PORT (PORT 0: any free port) or unix:PATH; repeatable.\n"
		"                       Keys for the controllers of that listener only:\n"
		"                         addr=AA:BB:CC:DD:EE:FF  fixed public address (one client at\n"
		"                                                 a time; a second one is refused)\n"
		"                         enc-key-size=N          as --enc-key-size\n"
		"                         sec-fault=NAME          as --sec-fault (repeatable)\n"
		"  --type le|bredr|dual controller type (dual)\n"
		"  --acl-mtu N          ACL buffer size, Read Buffer Size (1021; >= 27)\n"
		"  --acl-count N        number of ACL buffers (8)\n"
		"  --le-acl-mtu N       LE ACL buffer size (251; type le: --acl-mtu if given)\n"
		"  --le-acl-count N     number of LE ACL buffers (8; 0 = share the ACL buffers;\n"
		"                       type le: --acl-count if given)\n"
		"  --le-max-data-len N  LE maximum data length, 27..251 (251)\n"
		"  --le-max-conn N      LE connections a controller holds at once, 1..255 (64)\n"
		"  --rx-count N         receive buffer, air packets held for the host (16)\n"
		"  --profile NAME       timing: le-1m le-2m (LE links), bredr-dh5 bredr-2dh5\n"
		"                       bredr-3dh5 (BR/EDR links), unlimited (both); repeatable\n"
		"                       (default le-1m and bredr-3dh5)\n"
		"  --loss P             drop whole L2CAP PDUs with probability P (0)\n"
		"  --corrupt P          corrupt one byte of an air packet with probability P (0)\n"
		"  --seed N             seed of the fault PRNG (1)\n"
		"  --cut-at MS          cut every link that exists MS ms after start\n"
		"  --enc-key-size N     BR/EDR encryption key size the controllers offer, 1..16 (16)\n"
		"  --sec-fault NAME     security fault of every controller, repeatable: nc-mismatch\n"
		"                       (forged public key: numeric values differ, pairing fails),\n"
		"                       reject (refuse pairing/encryption for the host), key-mismatch\n"
		"                       (alter the host's link key / LTK), cut-in-pairing (cut the\n"
		"                       link when pairing reaches the peer's host)\n"
		"  --vendor NAME        every controller is a USB dongle before its vendor start-up,\n"
		"                       taking the vendor's download protocol and checking it:\n"
		"                       realtek-8761bu (0bda:8771), realtek-8821c (0bda:c821),\n"
		"                       realtek-8852bu (0bda:b85b, v2 patch file),\n"
		"                       intel-8265 (8087:0a2b), intel-ax200 (8087:0029),\n"
		"                       intel-ax210 (8087:0032), intel-ax211 (8087:0033),\n"
		"                       broadcom-20702 (0a5c:21e8); give the host its VID:PID\n"
		"                       (--usb-id); what it received is logged when the client goes\n"
		"  --vendor-nack N      refuse the Nth download command (chunk, fragment) (0: none)\n"
		"  --port-file FILE     write the port of the first TCP listener to FILE\n"
		"  -v, --verbose        also log each client's links (made, ended, encrypted) and, when it\n"
		"                       goes, what it sent and received\n"
		"  -h, --help           this text\n"
		"Numbers are checked strictly (a bad one: exit 2).  Stops cleanly on SIGINT / SIGTERM\n"
		"(every client's controller goes, their links drop), exit status 130 / 143.\n");
}

static int parse_num(const char *opt, const char *v, unsigned long lo, unsigned long hi, unsigned long *out);

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int listen_tcp(const char *spec, struct listener *l)
{
	char host[128];
	const char *colon = strrchr(spec, ':');
	if (!colon || (size_t)(colon - spec) >= sizeof(host)) {
		fprintf(stderr, "vctrl: bad tcp listen spec 'tcp:%s' (want tcp:HOST:PORT)\n", spec);
		return -1;
	}
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = 0;
	size_t hl = strlen(host);
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') { /* [::1]:9001 */
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = 0;
	}
	const char *port = colon + 1;
	struct addrinfo hints = {0}, *res = NULL;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	int gr = getaddrinfo(*host ? host : NULL, port, &hints, &res);
	if (gr) {
		fprintf(stderr, "vctrl: tcp:%s: %s\n", spec, gai_strerror(gr));
		return -1;
	}
	int fd = -1;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0)
			continue;
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 16) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		fprintf(stderr, "vctrl: cannot listen on tcp:%s: %s\n", spec, strerror(errno));
		return -1;
	}
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int bound = 0;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		bound = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						       : ((struct sockaddr_in *)&ss)->sin_port);
	l->fd = fd;
	l->is_unix = false;
	bool v6 = strchr(host, ':') != NULL;
	snprintf(l->name, sizeof(l->name), "tcp:%s%s%s:%d", v6 ? "[" : "", host, v6 ? "]" : "", bound);
	return bound;
}

static int listen_unix(const char *path, struct listener *l)
{
	struct sockaddr_un sa = {0};
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "vctrl: unix socket path too long: %s\n", path);
		return -1;
	}
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path); /* a stale socket from an earlier run */
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		fprintf(stderr, "vctrl: cannot listen on unix:%s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	l->fd = fd;
	l->is_unix = true;
	strcpy(l->path, path);
	/* path is shorter than sun_path (checked above), so it fits after "unix:" */
	memcpy(l->name, "unix:", 5);
	memcpy(l->name + 5, path, strlen(path) + 1);
	return 0;
}

/* "SPEC,KEY=VALUE,...": cut the keys off spec (in place) into the listener's configuration. */
static int listen_options(char *spec, struct listener *l)
{
	char *comma = strchr(spec, ',');
	if (!comma)
		return 0;
	*comma = 0;
	char *save = NULL;
	for (char *kv = strtok_r(comma + 1, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		unsigned long v;
		if (!eq) {
			fprintf(stderr, "vctrl: --listen %s: expected KEY=VALUE, got '%s'\n", spec, kv);
			return -1;
		}
		*eq = 0;
		const char *val = eq + 1;
		if (!strcmp(kv, "addr")) {
			if (l2k_addr_parse(val, &l->cfg.addr) < 0) {
				fprintf(stderr, "vctrl: --listen %s: addr '%s' is not AA:BB:CC:DD:EE:FF\n", spec, val);
				return -1;
			}
			l->cfg.addr_set = true;
		} else if (!strcmp(kv, "enc-key-size")) {
			if (parse_num("enc-key-size", val, 1, 16, &v))
				return -1;
			l->cfg.enc_key_size = (uint8_t)v;
		} else if (!strcmp(kv, "sec-fault")) {
			int f = l2k_sim_fault_by_name(val);
			if (f < 0) {
				fprintf(stderr, "vctrl: --listen %s: unknown sec-fault '%s' (nc-mismatch, reject, "
						"key-mismatch, cut-in-pairing)\n", spec, val);
				return -1;
			}
			l->cfg.sec_faults |= (uint32_t)f;
		} else {
			fprintf(stderr, "vctrl: --listen %s: unknown key '%s' (addr, enc-key-size, sec-fault)\n",
				spec, kv);
			return -1;
		}
	}
	return 0;
}

static void client_drop(struct client *c)
{
	char vr[320];
	l2k_sim_ctrl_vendor_report(c->ctrl, vr, sizeof(vr));
	if (vr[0])
		fprintf(stderr, "vctrl: client %u: %s\n", c->id, vr);
	fprintf(stderr, "vctrl: client %u (%s, controller %s) gone: %s\n", c->id, c->peer, c->addr,
		c->why ? c->why : "closed");
	if (verbose)
		fprintf(stderr,
			"vctrl: client %u: %.1f s, %llu bytes from the host, %llu bytes to it (%llu events, "
			"%llu ACL packets)\n",
			c->id, (double)(mono_ms() - c->t_conn) / 1000.0, (unsigned long long)c->bytes_in,
			(unsigned long long)c->bytes_out, (unsigned long long)c->events_out,
			(unsigned long long)c->acl_out);
	l2k_sim_ctrl_free(c->ctrl); /* its links drop; peers get Disconnection Complete */
	close(c->fd);
	free(c->out);
	free(c);
}

static void client_accept(struct listener *l)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd = accept(l->fd, (struct sockaddr *)&ss, &sl);
	if (fd < 0)
		return;
	int slot = -1;
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (!clients[i]) {
			slot = i;
			break;
		}
	struct client *c = slot >= 0 ? calloc(1, sizeof(*c)) : NULL;
	if (c)
		c->out = malloc(OUT_CAP);
	int r = c && c->out ? l2k_sim_ctrl_new(air, &l->cfg, &c->ctrl) : L2K_ENOMEM;
	if (slot < 0 || r < 0) {
		char why[160];
		if (slot < 0) {
			snprintf(why, sizeof(why), "too many clients");
		} else if (r == L2K_EADDRINUSE) {
			char a[18];
			unsigned holder = 0;
			l2k_addr_str(&l->cfg.addr, a);
			for (int i = 0; i < MAX_CLIENTS; i++)
				if (clients[i] && !strcmp(clients[i]->addr, a))
					holder = clients[i]->id;
			if (holder)
				snprintf(why, sizeof(why), "controller address %s is in use by client %u", a, holder);
			else
				snprintf(why, sizeof(why), "controller address %s is in use", a);
		} else {
			snprintf(why, sizeof(why), "%s", l2k_strerror(r));
		}
		fprintf(stderr, "vctrl: refusing connection on %s: %s\n", l->name, why);
		if (c) {
			free(c->out);
			free(c);
		}
		close(fd);
		return;
	}
	set_nonblock(fd);
	int one = 1;
	if (!l->is_unix)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->fd = fd;
	c->id = next_id++;
	c->t_conn = mono_ms();
	l2k_addr a;
	l2k_sim_ctrl_address(c->ctrl, &a);
	l2k_addr_str(&a, c->addr);
	if (l->is_unix) {
		snprintf(c->peer, sizeof(c->peer), "%s", l->name);
	} else {
		char h[64] = "?", p[16] = "?";
		getnameinfo((struct sockaddr *)&ss, sl, h, sizeof(h), p, sizeof(p), NI_NUMERICHOST | NI_NUMERICSERV);
		snprintf(c->peer, sizeof(c->peer), "%s:%s", h, p);
	}
	clients[slot] = c;
	uint16_t vid, pid;
	char vend[96] = "";
	if (l2k_sim_ctrl_usb_id(c->ctrl, &vid, &pid))
		snprintf(vend, sizeof(vend), ", vendor %s (USB %04x:%04x)", l->cfg.vendor, vid, pid);
	fprintf(stderr, "vctrl: client %u connected (%s): controller %s%s%s\n", c->id, c->peer, c->addr,
		l->cfg.addr_set ? " (fixed address)" : "", vend);
}

static void client_read(struct client *c)
{
	uint8_t buf[65536];
	for (int i = 0; i < 16; i++) {
		ssize_t n = read(c->fd, buf, sizeof(buf));
		if (n > 0) {
			c->bytes_in += (uint64_t)n;
			if (l2k_sim_ctrl_feed_h4(c->ctrl, buf, (size_t)n) < 0) {
				c->dead = true;
				c->why = l2k_sim_ctrl_h4_error(c->ctrl);
				return;
			}
			continue;
		}
		if (n == 0) {
			c->dead = true;
			c->why = "connection closed by the client";
		} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			c->dead = true;
			c->why = strerror(errno);
		}
		return;
	}
}

/* --verbose: count what the controller gives its host, and log the events that make or end a
 * link or change its security (with their status, handle, peer and reason). */
static void log_packet(struct client *c, uint8_t type, const uint8_t *p, size_t len)
{
	c->bytes_out += len + 1;
	if (type == 0x02)
		c->acl_out++;
	if (type != 0x04 || len < 2)
		return;
	c->events_out++;
	const uint8_t *q = p + 2;
	size_t n = len - 2;
	char a[18];
	switch (p[0]) {
	case 0x03: /* Connection Complete: Status Handle BD_ADDR Link_Type Encryption_Enabled */
		if (n < 11)
			return;
		l2k_addr_str(&(l2k_addr){{q[3], q[4], q[5], q[6], q[7], q[8]}}, a);
		fprintf(stderr, "vctrl: client %u: BR/EDR link to %s: status 0x%02x, handle 0x%03x\n", c->id, a,
			q[0], (unsigned)(q[1] | q[2] << 8));
		return;
	case 0x05: /* Disconnection Complete: Status Handle Reason */
		if (n < 4)
			return;
		fprintf(stderr, "vctrl: client %u: link 0x%03x down: status 0x%02x, reason 0x%02x\n", c->id,
			(unsigned)(q[1] | q[2] << 8), q[0], q[3]);
		return;
	case 0x08: /* Encryption Change: Status Handle Encryption_Enabled */
		if (n < 4)
			return;
		fprintf(stderr, "vctrl: client %u: link 0x%03x encryption %s (status 0x%02x)\n", c->id,
			(unsigned)(q[1] | q[2] << 8), q[3] ? "on" : "off", q[0]);
		return;
	case 0x3E: /* LE Meta: (Enhanced) Connection Complete: Sub Status Handle Role Type BD_ADDR */
		if (n < 12 || (q[0] != 0x01 && q[0] != 0x0A))
			return;
		l2k_addr_str(&(l2k_addr){{q[6], q[7], q[8], q[9], q[10], q[11]}}, a);
		fprintf(stderr, "vctrl: client %u: LE link to %s (%s): status 0x%02x, handle 0x%03x, %s\n", c->id, a,
			q[5] ? "random" : "public", q[1], (unsigned)(q[2] | q[3] << 8), q[4] ? "peripheral" : "central");
		return;
	default: return;
	}
}

/* Move controller output into the client's buffer while it has room for a whole packet. */
static void client_fill(struct client *c)
{
	uint8_t pkt[1 + L2K_SIM_PKT_MAX];
	while (l2k_sim_ctrl_has_output(c->ctrl)) {
		if (c->out_head + c->out_len + sizeof(pkt) > OUT_CAP) {
			memmove(c->out, c->out + c->out_head, c->out_len);
			c->out_head = 0;
			if (c->out_len + sizeof(pkt) > OUT_CAP)
				return; /* the client is not reading; the controller holds the rest */
		}
		uint8_t type;
		size_t len = l2k_sim_ctrl_pop(c->ctrl, &type, pkt + 1, L2K_SIM_PKT_MAX);
		if (!len)
			break;
		pkt[0] = type;
		if (verbose)
			log_packet(c, type, pkt + 1, len);
		memcpy(c->out + c->out_head + c->out_len, pkt, len + 1);
		c->out_len += len + 1;
	}
}

static void client_write(struct client *c)
{
	while (c->out_len) {
		ssize_t n = write(c->fd, c->out + c->out_head, c->out_len);
		if (n > 0) {
			c->out_head += (size_t)n;
			c->out_len -= (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		c->dead = true;
		c->why = n < 0 ? strerror(errno) : "write failed";
		return;
	}
	c->out_head = 0;
}

static int parse_num(const char *opt, const char *v, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char what[64];
	snprintf(what, sizeof(what), "a number in %lu..%lu", lo, hi);
	return tool_opt_uint("vctrl", opt, v, lo, hi, what, out);
}

static int parse_prob(const char *opt, const char *v, double *out)
{
	return tool_opt_double("vctrl", opt, v, 0.0, 1.0, "a probability in [0, 1]", out);
}

static int write_port_file(const char *file, int port)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", file, (int)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0 || rename(tmp, file) != 0) {
		fprintf(stderr, "vctrl: cannot write port file %s: %s\n", file, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *listen_specs[MAX_LISTEN];
	int nspecs = 0;
	const char *port_file = NULL;
	const char *profiles[4];
	int nprof = 0;
	double loss = 0, corrupt = 0;
	unsigned long seed = 1, cut_at = 0, v;
	bool seed_set = false, cut_set = false, mtu_set = false, count_set = false, le_mtu_set = false,
	     le_count_set = false;
	l2k_sim_opts_default(&ctrl_cfg, L2K_SIM_DUAL);
	tool_signals_init("vctrl");
	for (int i = 1; i < argc; i++) {
		char *arg = argv[i], *val = NULL;
		char *eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
		if (eq) {
			*eq = 0;
			val = eq + 1;
		}
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(arg, "-v") || !strcmp(arg, "--verbose")) {
			verbose = true;
			continue;
		}
		if (strncmp(arg, "--", 2) != 0) {
			fprintf(stderr, "vctrl: unexpected argument '%s'\n", arg);
			usage(stderr);
			return 2;
		}
		if (!val) {
			if (i + 1 >= argc) {
				fprintf(stderr, "vctrl: %s needs a value\n", arg);
				return 2;
			}
			val = argv[++i];
		}
		int bad = 0;
		if (!strcmp(arg, "--listen")) {
			if (nspecs == MAX_LISTEN) {
				fprintf(stderr, "vctrl: at most %d --listen\n", MAX_LISTEN);
				return 2;
			}
			listen_specs[nspecs++] = val;
		} else if (!strcmp(arg, "--type")) {
			if (!strcmp(val, "le"))
				ctrl_cfg.type = L2K_SIM_LE;
			else if (!strcmp(val, "bredr"))
				ctrl_cfg.type = L2K_SIM_BREDR;
			else if (!strcmp(val, "dual"))
				ctrl_cfg.type = L2K_SIM_DUAL;
			else {
				fprintf(stderr, "vctrl: --type: le, bredr or dual, not '%s'\n", val);
				bad = 1;
			}
		} else if (!strcmp(arg, "--acl-mtu")) {
			bad = parse_num(arg, val, 27, 65535, &v);
			ctrl_cfg.acl_mtu = (uint16_t)v;
			mtu_set = true;
		} else if (!strcmp(arg, "--acl-count")) {
			bad = parse_num(arg, val, 1, 65535, &v);
			ctrl_cfg.acl_count = (uint16_t)v;
			count_set = true;
		} else if (!strcmp(arg, "--le-acl-mtu")) {
			bad = parse_num(arg, val, 27, 65535, &v);
			ctrl_cfg.le_acl_mtu = (uint16_t)v;
			le_mtu_set = true;
		} else if (!strcmp(arg, "--le-acl-count")) {
			bad = parse_num(arg, val, 0, 255, &v);
			ctrl_cfg.le_acl_count = (uint8_t)v;
			le_count_set = true;
		} else if (!strcmp(arg, "--le-max-data-len")) {
			bad = parse_num(arg, val, 27, 251, &v);
			ctrl_cfg.le_max_data_len = (uint16_t)v;
		} else if (!strcmp(arg, "--le-max-conn")) {
			bad = parse_num(arg, val, 1, 255, &v);
			ctrl_cfg.le_max_conn = (uint8_t)v;
		} else if (!strcmp(arg, "--rx-count")) {
			bad = parse_num(arg, val, 1, 4096, &v);
			ctrl_cfg.rx_count = (uint16_t)v;
		} else if (!strcmp(arg, "--profile")) {
			if (!l2k_sim_profile_known(val) || nprof == 4) {
				fprintf(stderr, "vctrl: --profile: unknown profile '%s' (le-1m le-2m bredr-dh5 "
						"bredr-2dh5 bredr-3dh5 unlimited)\n", val);
				bad = 1;
			} else {
				profiles[nprof++] = val;
			}
		} else if (!strcmp(arg, "--loss")) {
			bad = parse_prob(arg, val, &loss);
		} else if (!strcmp(arg, "--corrupt")) {
			bad = parse_prob(arg, val, &corrupt);
		} else if (!strcmp(arg, "--seed")) {
			bad = parse_num(arg, val, 0, (unsigned long)-1, &seed);
			seed_set = true;
		} else if (!strcmp(arg, "--cut-at")) {
			bad = parse_num(arg, val, 0, 1ul << 40, &cut_at);
			cut_set = true;
		} else if (!strcmp(arg, "--enc-key-size")) {
			bad = parse_num(arg, val, 1, 16, &v);
			ctrl_cfg.enc_key_size = (uint8_t)v;
		} else if (!strcmp(arg, "--sec-fault")) {
			int f = l2k_sim_fault_by_name(val);
			if (f < 0) {
				fprintf(stderr, "vctrl: --sec-fault: unknown fault '%s' (nc-mismatch, reject, "
						"key-mismatch, cut-in-pairing)\n", val);
				bad = 1;
			} else {
				ctrl_cfg.sec_faults |= (uint32_t)f;
			}
		} else if (!strcmp(arg, "--vendor")) {
			static const char *const known[] = {"realtek-8761bu", "realtek-8821c", "realtek-8852bu",
							    "intel-8265", "intel-ax200", "intel-ax210", "intel-ax211",
							    "broadcom-20702"};
			bad = 1;
			for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
				if (!strcmp(val, known[k]))
					bad = 0;
			if (bad)
				fprintf(stderr, "vctrl: --vendor: unknown personality '%s' (realtek-8761bu, "
						"realtek-8821c, realtek-8852bu, intel-8265, intel-ax200, intel-ax210, "
						"intel-ax211, broadcom-20702)\n", val);
			ctrl_cfg.vendor = val;
		} else if (!strcmp(arg, "--vendor-nack")) {
			bad = parse_num(arg, val, 0, 0xFFFFFFFFul, &v);
			ctrl_cfg.vendor_nack = (uint32_t)v;
		} else if (!strcmp(arg, "--port-file")) {
			port_file = val;
		} else {
			fprintf(stderr, "vctrl: unknown option '%s'\n", arg);
			usage(stderr);
			return 2;
		}
		if (bad)
			return 2;
	}
	if (!nspecs) {
		fprintf(stderr, "vctrl: give at least one --listen tcp:HOST:PORT or unix:PATH\n");
		usage(stderr);
		return 2;
	}
	if (ctrl_cfg.type == L2K_SIM_LE) {
		if (mtu_set && !le_mtu_set)
			ctrl_cfg.le_acl_mtu = ctrl_cfg.acl_mtu;
		if (count_set && !le_count_set)
			ctrl_cfg.le_acl_count = ctrl_cfg.acl_count > 255 ? 255 : (uint8_t)ctrl_cfg.acl_count;
		if (!ctrl_cfg.le_acl_count) {
			fprintf(stderr, "vctrl: an LE-only controller needs --le-acl-count >= 1\n");
			return 2;
		}
	}
	/* check the configuration once before listening */
	air = l2k_sim_air_open("vctrl");
	l2k_sim_ctrl *probe;
	struct l2k_sim_opts pcfg = ctrl_cfg;
	pcfg.addr_set = true; /* do not use up the first automatic address */
	memset(pcfg.addr.b, 0xFE, 6);
	int r = air ? l2k_sim_ctrl_new(air, &pcfg, &probe) : L2K_ENOMEM;
	if (r < 0) {
		fprintf(stderr, "vctrl: bad controller configuration: %s\n", l2k_strerror(r));
		return 2;
	}
	l2k_sim_ctrl_free(probe);
	for (int i = 0; i < nprof; i++)
		l2k_sim_air_set_profile(air, profiles[i]);
	l2k_sim_air_set_loss(air, loss);
	l2k_sim_air_set_corrupt(air, corrupt);
	if (seed_set)
		l2k_sim_air_set_seed(air, seed);
	if (cut_set)
		l2k_sim_air_cut_all(air, cut_at);

	tool_signals_graceful(true); /* the loop below sees it within 500 ms and shuts down */
	signal(SIGPIPE, SIG_IGN);

	int first_port = -1;
	for (int i = 0; i < nspecs; i++) {
		struct listener *l = &listeners[nlisten];
		char spec[512];
		int port = -1;
		l->cfg = ctrl_cfg;
		if (strlen(listen_specs[i]) >= sizeof(spec)) {
			fprintf(stderr, "vctrl: --listen spec too long\n");
		} else {
			strcpy(spec, listen_specs[i]);
			if (listen_options(spec, l) < 0)
				;
			else if (!strncmp(spec, "tcp:", 4))
				port = listen_tcp(spec + 4, l);
			else if (!strncmp(spec, "unix:", 5))
				port = listen_unix(spec + 5, l);
			else
				fprintf(stderr, "vctrl: --listen wants tcp:HOST:PORT or unix:PATH, not '%s'\n",
					listen_specs[i]);
		}
		if (port < 0) {
			stop = 2;
			break;
		}
		set_nonblock(l->fd);
		nlisten++;
		if (!l->is_unix && first_port < 0)
			first_port = port;
		if (l->cfg.addr_set) {
			char a[18];
			l2k_addr_str(&l->cfg.addr, a);
			fprintf(stderr, "vctrl: listening on %s (controller address %s)\n", l->name, a);
		} else {
			fprintf(stderr, "vctrl: listening on %s\n", l->name);
		}
	}
	if (!stop && port_file) {
		if (first_port < 0) {
			fprintf(stderr, "vctrl: --port-file needs a tcp listener\n");
			stop = 2;
		} else if (write_port_file(port_file, first_port) < 0) {
			stop = 2;
		}
	}
	if (!stop)
		fprintf(stderr, "vctrl: type %s, ACL %u x %u, LE ACL %u x %u, profiles %s / %s, loss %g, "
				"corrupt %g\n",
			ctrl_cfg.type == L2K_SIM_LE ? "le" : ctrl_cfg.type == L2K_SIM_BREDR ? "bredr" : "dual",
			ctrl_cfg.acl_mtu, ctrl_cfg.acl_count, ctrl_cfg.le_acl_mtu, ctrl_cfg.le_acl_count,
			l2k_sim_air_profile(air, true), l2k_sim_air_profile(air, false),
			loss, corrupt);
	if (!stop && (ctrl_cfg.enc_key_size != 16 || ctrl_cfg.sec_faults))
		fprintf(stderr, "vctrl: security: encryption key size %u, faults 0x%x\n", ctrl_cfg.enc_key_size,
			(unsigned)ctrl_cfg.sec_faults);

	t_start = mono_ms();
	struct pollfd pfd[1 + MAX_LISTEN + MAX_CLIENTS];
	struct client *pc[1 + MAX_LISTEN + MAX_CLIENTS];
	while (!stop && !tool_signal()) {
		uint64_t now = mono_ms() - t_start;
		int n = 0;
		pfd[n] = (struct pollfd){tool_signal_fd(), POLLIN, 0};
		pc[n++] = NULL;
		for (int i = 0; i < nlisten; i++) {
			pfd[n] = (struct pollfd){listeners[i].fd, POLLIN, 0};
			pc[n++] = NULL;
		}
		for (int i = 0; i < MAX_CLIENTS; i++) {
			struct client *c = clients[i];
			if (!c)
				continue;
			pfd[n] = (struct pollfd){c->fd, (short)(POLLIN | (c->out_len ? POLLOUT : 0)), 0};
			pc[n++] = c;
		}
		uint64_t due = l2k_sim_air_next_due(air);
		int timeout = 500; /* also bounds the reaction time to a signal */
		if (due != UINT64_MAX)
			timeout = due <= now ? 0 : (due - now < 500 ? (int)(due - now) : 500);
		int pr = poll(pfd, (nfds_t)n, timeout);
		if (pr < 0 && errno != EINTR) {
			fprintf(stderr, "vctrl: poll: %s\n", strerror(errno));
			break;
		}
		now = mono_ms() - t_start;
		l2k_sim_air_advance(air, now);
		for (int i = 1; pr > 0 && i < n; i++) {
			if (!pfd[i].revents)
				continue;
			if (!pc[i]) {
				client_accept(&listeners[i - 1]);
			} else {
				if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
					client_read(pc[i]);
				if (pfd[i].revents & POLLOUT)
					client_write(pc[i]);
			}
		}
		l2k_sim_air_advance(air, now);
		for (int i = 0; i < MAX_CLIENTS; i++) {
			struct client *c = clients[i];
			if (c && c->dead) {
				client_drop(c);
				clients[i] = NULL;
			}
		}
		for (int i = 0; i < MAX_CLIENTS; i++) {
			struct client *c = clients[i];
			if (!c)
				continue;
			client_fill(c);
			client_write(c);
		}
	}
	int rc = stop == 2 ? 1 : tool_signal_status();
	if (tool_signal())
		fprintf(stderr, "vctrl: %s: shutting down\n", tool_signal_name());
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (clients[i]) {
			clients[i]->why = "vctrl shutting down";
			client_drop(clients[i]);
			clients[i] = NULL;
		}
	for (int i = 0; i < nlisten; i++) {
		close(listeners[i].fd);
		if (listeners[i].is_unix)
			unlink(listeners[i].path);
	}
	l2k_sim_air_close(air);
	return rc;
}
