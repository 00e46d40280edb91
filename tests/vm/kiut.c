/* kiut: an IUT agent whose implementation under test is the Linux kernel's own L2CAP, for the
 * VM scenario tests/vm/scenario_l2tester.sh.  It obeys the control protocol of docs/l2tester.md
 * (the one l2iut speaks) on a unix socket and performs every request with the kernel's sockets:
 * AF_BLUETOOTH, BTPROTO_L2CAP, SOCK_SEQPACKET channels, a SOCK_RAW L2CAP socket for Echo
 * Requests (as BlueZ's l2ping), and a raw HCI socket that sees a copy of the controller's
 * traffic: connection events (event link-up / link-down) and the LE / BR/EDR signaling (the MPS,
 * refusal results and unanswered requests a socket does not tell).
 *
 *   kiut --control unix:PATH [--index N] [--le-adv] [--ready-file F] [--log FILE]
 *   --index: the kernel's controller hciN (0); --le-adv: keep it advertising, connectable, for LE
 *   testers (MGMT Add Advertising at start and again after every LE link that ends); --log:
 *   every line received and sent, time-stamped.
 *
 * Requests and how the kernel performs them:
 *   hello          ok kiut 1 kernel=RELEASE addr=ADDR (ADDR: hciN's address, HCIGETDEVINFO)
 *   listen         socket, BT_SECURITY (sec=), bind (BDADDR_ANY, the PSM, BR/EDR or LE public),
 *                  the mode (BR/EDR: L2CAP_OPTIONS mode 0/3/4 and imtu; LE: LE credit based is
 *                  the kernel's default, ecfc is BT_MODE = BT_MODE_EXT_FLOWCTL, which needs the
 *                  module parameter bluetooth.enable_ecred=1; mtu= is BT_RCVMTU), listen; every
 *                  channel is accept()ed in the poll loop.  accept=pending sets BT_DEFER_SETUP:
 *                  the kernel answers "pending, authorization" (BR/EDR) or nothing (LE), and
 *                  the channel stays undecided (kiut never reads from it, which would accept it).
 *   connect        a non-blocking connect() on such a socket: "ok chan=N" at once, "event open"
 *                  when the socket becomes writable, "event closed" when it fails
 *   send           one send() of the SDU; what the kernel has no room for yet (no credits, a full
 *                  window) waits in kiut, in order, and goes when the socket becomes writable
 *                  (as an application's blocking send() would)
 *   disconnect     shutdown() with SO_LINGER (in a thread, on a duplicate of the socket): the
 *                  kernel sends the Disconnection Request and the shutdown returns when the
 *                  channel is closed (the Disconnection Response came, or the kernel's timer,
 *                  40 s, gave up; l2cap_sock_shutdown, bt_sock_wait_state): "event closed
 *                  reason=local" follows then (link-lost if the link went down meanwhile); a
 *                  channel not open yet is close()d, reported at once
 *   listen/connect BR/EDR mode options (L2CAP_OPTIONS, as l2cap_build_conf_req proposes them):
 *                  fcs=0|1 (fcs: 0 makes the kernel propose "no FCS"), window=N (txwin_size, its
 *                  receive window; 0: 63), max-transmit=N (max_tx; l2kit's 0 is the default 3,
 *                  255 "for ever", the kernel's 0), ext-window=yes with window over 63 (the kernel
 *                  then proposes the Extended Window Size to a peer claiming the feature;
 *                  without ext-window=yes a window is at most 63), required=no (the kernel's
 *                  modes are optional: required=yes for ERTM/Streaming is not supported, see
 *                  kopts_of), flush-timeout=0 or 65535 (infinite: the kernel never proposes another)
 *   echo           a raw L2CAP socket connected to ADDR (BR/EDR) sends the Echo Request; the
 *                  response comes as "event echo err=0 hex=..." (err=-110: none in 10 s)
 *   reset          every channel, server and raw socket closed (no events)
 *   quit           ok, then kiut exits
 * What the kernel's socket API cannot do is answered "err not supported: WHY", so that a case
 * needing it is inconclusive with that reason:
 *   mps= and credits= (the kernel chooses the MPS from the link's buffer size and the initial
 *   credits from MTU / MPS), the credits request (the kernel returns credits itself as the
 *   application reads), accept=no and accept=RESULT but for 3 (BR/EDR) / 6 (LE) (a listening kernel
 *   socket refuses only by closing a deferred channel: with Security Block after a pending
 *   response on BR/EDR, Insufficient Authorization on LE; accept=3 / accept=6 do that), set
 *   defect=... (the kernel has no deliberate defects), mode=ecfc while
 *   bluetooth.enable_ecred=0, cl-listen / cl-unlisten / cl-send (connectionless data: kiut does
 *   not drive the kernel's SOCK_DGRAM sockets), set pin= / io= (pairing questions are
 *   bluetoothd's agent's, not kiut's), mode=retrans and mode=flowctl (L2CAP_OPTIONS takes Basic, ERTM and
 *   Streaming only), busy (no socket call puts a channel in local busy: the kernel does it
 *   itself when the socket's receive buffer is full), flush-timeout= other than infinite (the
 *   kernel never sends a Flush Timeout option), ext-window=yes with a window of 63 or less (or on
 *   a kernel with High Speed support but bluetooth.enable_hs=0), required=yes with ERTM or
 *   Streaming (no socket makes a mode mandatory: l2cap_sock_init's CONF_STATE2_DEVICE for a
 *   SOCK_STREAM socket is cleared by the l2cap_chan_set_defaults it calls next).  Requests kiut does not know (link, conn-update: no socket call
 *   makes the kernel create an LE link as central on request or send a Connection Parameter
 *   Update Request; unpair: MGMT Unpair Device would, not done) answer "err unknown request NAME".
 *
 * Events:
 *   event open chan=N psm=N mode=M mtu=N peer-mtu=N [mps=N peer-mps=N] handle=N
 *       mtu / peer-mtu read back from the socket: L2CAP_OPTIONS imtu / omtu (BR/EDR), BT_RCVMTU /
 *       BT_SNDMTU (LE); mode as the kernel reports it (BR/EDR) or as asked (LE: le, ecfc); on LE
 *       mps / peer-mps as the two sides announced them in the credit based connection signaling,
 *       on BR/EDR ERTM / Streaming from the RFC options of the configuration (a success
 *       response's MPS, else the request's: Vol 3 Part A 5.4) (no socket option tells them:
 *       kiut reads the signaling on its raw HCI socket)
 *   event data chan=N len=N hex=...      one recv() (the first 4096 octets in hex)
 *   event closed chan=N reason=R errno=E
 *       R from the socket's error: none (recv() returned 0: the peer's Disconnection Request)
 *       remote, ECONNRESET remote (link-lost when the link went down first; protocol when the
 *       kernel itself sent the Disconnection Request for the channel, seen in the signaling:
 *       it ends a channel only for its peer's protocol errors), ECONNABORTED with the kernel's
 *       own Disconnection Request max-transmit (its monitor timer expired MaxTransmit times),
 *       ECONNRESET of a channel still connecting with the kernel's own Disconnection Request
 *       config-failed (a mode it requires that the peer lacks, options it cannot take),
 *       ECONNREFUSED refused, ETIMEDOUT timeout (link-lost likewise), EHOSTDOWN / EHOSTUNREACH
 *       link-failed, EACCES / EPERM / EKEYREJECTED security, EPROTO / EBADMSG / EINVAL /
 *       EMSGSIZE protocol, ECONNABORTED link-lost, no error (end of file) remote; else other.
 *       A connect the peer never answered, that the kernel's timer ended, is reason=timeout (the
 *       kernel's application sees ECONNREFUSED for it).
 *       result=N with reason=refused: the peer's L2CAP result for the kernel's request, read in
 *       the signaling on the raw HCI socket (the kernel's application itself sees only the
 *       errno, ECONNREFUSED: errno= says what it saw).
 *   event link-up addr=ADDR handle=N              (HCI (LE) Connection Complete on hciN)
 *   event link-down addr=ADDR handle=N reason=N   (HCI Disconnection Complete on hciN)
 *   event echo err=N hex=...
 *
 * One client at a time; when it goes away every channel and server is closed.  Constants are
 * the kernel's uapi values, so no BlueZ headers are needed.  A test fixture, not part of l2kit;
 * compiled by tests/vm/run.sh like kpeer.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef AF_BLUETOOTH
#define AF_BLUETOOTH 31
#endif
#define BTPROTO_L2CAP 0
#define BTPROTO_HCI 1
#define SOL_HCI 0
#define HCI_DATA_DIR 1
#define HCI_FILTER 2
#define HCI_CMSG_DIR 0x0001
#define HCI_CHANNEL_RAW 0
#define HCI_CHANNEL_CONTROL 3
#define MGMT_OP_ADD_ADVERTISING 0x003E
#define MGMT_OP_REMOVE_ADVERTISING 0x003F
#define HCIGETDEVINFO _IOR('H', 211, int)
#define SOL_BLUETOOTH 274
#define BT_SECURITY 4
#define BT_DEFER_SETUP 7
#define BT_SNDMTU 12
#define BT_RCVMTU 13
#define BT_MODE 15
#define BT_MODE_EXT_FLOWCTL 0x04
#define SOL_L2CAP 6
#define L2CAP_OPTIONS 0x01
#define L2CAP_CONNINFO 0x02
#define L2CAP_MODE_BASIC 0x00
#define L2CAP_MODE_ERTM 0x03
#define L2CAP_MODE_STREAMING 0x04
#define L2CAP_DEFAULT_TX_WINDOW 63
#define L2CAP_DEFAULT_MAX_TX 3
#define L2CAP_DEFAULT_EXT_WINDOW 0x3FFF
#define BDADDR_BREDR 0x00
#define BDADDR_LE_PUBLIC 0x01
#define BDADDR_LE_RANDOM 0x02

#define MAX_CHANS 64
#define MAX_SERVERS 16
#define SDU_MAX 65535
#define HEX_MAX 4096 /* octets of an SDU shown in an event line */
#define ECHO_WAIT_MS 10000
/* how long a disconnect waits for the kernel to finish (its own timer ends the channel after
 * L2CAP_CONN_TIMEOUT, 40 s, when no Disconnection Response comes) */
#define DISC_LINGER_S 60

struct l2_sockaddr {
	sa_family_t l2_family;
	unsigned short l2_psm;
	uint8_t l2_bdaddr[6]; /* least significant octet first */
	unsigned short l2_cid;
	uint8_t l2_bdaddr_type;
};

struct l2_options {
	uint16_t omtu;
	uint16_t imtu;
	uint16_t flush_to;
	uint8_t mode;
	uint8_t fcs;
	uint8_t max_tx;
	uint16_t txwin_size;
};

struct l2_conninfo {
	uint16_t hci_handle;
	uint8_t dev_class[3];
};

struct bt_security {
	uint8_t level;
	uint8_t key_size;
};

struct hci_sockaddr {
	sa_family_t hci_family;
	unsigned short hci_dev;
	unsigned short hci_channel;
};

struct hci_filter_s {
	uint32_t type_mask;
	uint32_t event_mask[2];
	uint16_t opcode;
};

struct hci_dev_info_s {
	uint16_t dev_id;
	char name[8];
	uint8_t bdaddr[6];
	uint32_t flags;
	uint8_t type;
	uint8_t features[8];
	uint32_t pkt_type, link_policy, link_mode;
	uint16_t acl_mtu, acl_pkts, sco_mtu, sco_pkts;
	uint32_t stat[10];
};

enum chan_state { CH_FREE, CH_CONNECTING, CH_OPEN, CH_DEFERRED, CH_CLOSING };

#define TXQ 32
struct sdu {
	uint8_t *p;
	size_t n;
};

struct chan {
	enum chan_state st;
	int fd;
	struct sdu q[TXQ]; /* SDUs the kernel had no room for yet (no credits, window full) */
	int qh, qn;
	uint16_t psm;
	uint16_t cid; /* the kernel's CID for the channel (getsockname), 0 unknown */
	bool le, ecfc;
	int handle;  /* -1 unknown */
	unsigned gen; /* bumped at every chan_new: a finished disconnect names the one it ended */
};

struct server {
	int fd; /* -1 free */
	uint16_t psm;
	bool le, ecfc, defer, refuse;
};

#define MAX_LINKS 16
struct link {
	bool used, down, le;
	uint16_t handle;
	uint8_t addr[6];
};

#define MAX_ANN 64
/* kind: what announced it.  A_LE: an LE / enhanced credit based request or response (cid: the
 * sender's CID); on BR/EDR the MPS of an RFC option (ERTM, Streaming) in A_REQ a Configuration
 * Request (cid: its DCID, the receiver's CID) or A_RSP a success Configuration Response (cid:
 * its SCID, the CID of the channel at the receiver of the response). */
enum ann_kind { A_LE, A_REQ, A_RSP };
struct ann {
	bool used, out; /* out: the kernel sent it */
	enum ann_kind kind;
	uint16_t handle, cid, mtu, mps;
};
static struct ann anns[MAX_ANN];
static int ann_next;

/* Refusals of the kernel's own connection requests, seen in the signaling: the result the peer
 * gave for the kernel's CID (a socket only tells ECONNREFUSED). */
#define MAX_REQ 16
static struct {
	bool used, le, answered;
	uint16_t handle;
	uint8_t ident;
	uint16_t scid[5];
	int n;
} reqs[MAX_REQ];
static int req_next;
#define MAX_REF 16
static struct {
	bool used;
	uint16_t cid, result;
} refs[MAX_REF];
static int ref_next;

static struct chan chans[MAX_CHANS];
static struct server servers[MAX_SERVERS];
static struct link links[MAX_LINKS];
static int ctl_fd = -1, cli_fd = -1, hci_fd = -1, echo_fd = -1, mgmt_fd = -1;
static int hci_index;
static uint8_t echo_ident;
static double echo_deadline;
static char inbuf[2 * SDU_MAX + 256];
static size_t inlen;
static FILE *logf_;
static bool quitting;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void logline(const char *dir, const char *line)
{
	if (!logf_)
		return;
	fprintf(logf_, "%.3f %s %s\n", now_ms() / 1000.0, dir, line);
	fflush(logf_);
}

/* One line to the client (no "\n" in line). */
static void out_line(const char *line)
{
	logline(">", line);
	if (cli_fd < 0)
		return;
	size_t n = strlen(line);
	char *b = malloc(n + 1);
	if (!b)
		return;
	memcpy(b, line, n);
	b[n] = '\n';
	size_t off = 0;
	while (off < n + 1) {
		ssize_t w = write(cli_fd, b + off, n + 1 - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	free(b);
}

static void outf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void outf(const char *fmt, ...)
{
	static char line[2 * HEX_MAX + 512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	out_line(line);
}

static void addr_str(const uint8_t a[6], char out[18])
{
	snprintf(out, 18, "%02X:%02X:%02X:%02X:%02X:%02X", a[5], a[4], a[3], a[2], a[1], a[0]);
}

static int parse_addr(const char *s, uint8_t out[6])
{
	unsigned b[6];
	char tail;
	if (!s || strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[5], &b[4], &b[3], &b[2], &b[1], &b[0], &tail) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		out[i] = (uint8_t)b[i];
	return 0;
}

static void hex(char *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = 0;
}

static int unhex(const char *h, uint8_t *out, size_t cap, size_t *n)
{
	size_t len = strlen(h);
	if (len % 2 || len / 2 > cap)
		return -1;
	for (size_t i = 0; i < len / 2; i++) {
		unsigned v;
		if (!strchr("0123456789abcdefABCDEF", h[2 * i]) || !h[2 * i] ||
		    !strchr("0123456789abcdefABCDEF", h[2 * i + 1]) || !h[2 * i + 1] ||
		    sscanf(h + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	*n = len / 2;
	return 0;
}

static int num(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	unsigned long v = strtoul(s, &end, 0);
	if (*end || errno || v > max)
		return -1;
	*out = v;
	return 0;
}

static const char *errno_name(int e)
{
	switch (e) {
	case 0: return "0";
	case ECONNRESET: return "ECONNRESET";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ECONNABORTED: return "ECONNABORTED";
	case EHOSTDOWN: return "EHOSTDOWN";
	case EHOSTUNREACH: return "EHOSTUNREACH";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case EKEYREJECTED: return "EKEYREJECTED";
	case EPROTO: return "EPROTO";
	case EBADMSG: return "EBADMSG";
	case EINVAL: return "EINVAL";
	case EMSGSIZE: return "EMSGSIZE";
	case EPIPE: return "EPIPE";
	case ENOTCONN: return "ENOTCONN";
	case EBADE: return "EBADE";
	default: return NULL;
	}
}

static bool link_down(int handle)
{
	for (int i = 0; i < MAX_LINKS; i++)
		if (links[i].used && links[i].handle == handle)
			return links[i].down;
	return false;
}

/* The close reason (l2kit's names) for a socket error. */
static const char *reason_of(int err, int handle)
{
	bool down = handle >= 0 && link_down(handle);
	switch (err) {
	case 0:
		/* the end of the stream without an error: the kernel marks a socket shut down
		 * (and recv() then returns 0, the ECONNRESET it also records unseen) only when the
		 * peer's Disconnection Request arrived */
		return "remote";
	case ECONNRESET:
	case EPIPE:
		return down ? "link-lost" : "remote";
	case ECONNREFUSED:
		return "refused";
	case ETIMEDOUT:
		return down ? "link-lost" : "timeout";
	case ECONNABORTED:
		return "link-lost";
	case EHOSTDOWN:
	case EHOSTUNREACH:
		return "link-failed";
	case EACCES:
	case EPERM:
	case EKEYREJECTED:
		return "security";
	case EPROTO:
	case EBADMSG:
	case EINVAL:
	case EMSGSIZE:
	case EBADE:
		return "protocol";
	default:
		return "other";
	}
}

/* ---- channels --------------------------------------------------------------------------------- */

static int chan_no(const struct chan *c)
{
	return (int)(c - chans) + 1;
}

static struct chan *chan_new(int fd, uint16_t psm, bool le, bool ecfc, enum chan_state st)
{
	for (int i = 0; i < MAX_CHANS; i++)
		if (chans[i].st == CH_FREE) {
			unsigned gen = chans[i].gen + 1;
			chans[i] = (struct chan){.st = st, .fd = fd, .psm = psm, .le = le, .ecfc = ecfc, .handle = -1,
						 .gen = gen};
			return &chans[i];
		}
	return NULL;
}

static void chan_free(struct chan *c)
{
	for (; c->qn; c->qn--, c->qh = (c->qh + 1) % TXQ)
		free(c->q[c->qh].p);
	c->qh = 0;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->st = CH_FREE;
}

static void hci_read(void);

/* Disconnection Requests seen in the signaling (both signaling channels), by link and by the
 * kernel's CID: out, the kernel sent it for its channel (SCID); in, the peer asked (DCID).  A
 * socket tells ECONNRESET whichever side ended the channel; these say which did. */
#define MAX_DISC 32
static struct {
	bool used, out;
	uint16_t handle, cid;
} discs[MAX_DISC];
static int disc_next;

static void disc_seen(uint16_t handle, uint16_t cid, bool out)
{
	discs[disc_next].used = true;
	discs[disc_next].out = out;
	discs[disc_next].handle = handle;
	discs[disc_next].cid = cid;
	disc_next = (disc_next + 1) % MAX_DISC;
}

/* Forget the requests for a CID of a link (a new channel with that CID, the link gone). */
static void disc_forget(int handle, uint16_t cid)
{
	for (int i = 0; i < MAX_DISC; i++)
		if (discs[i].used && discs[i].handle == handle && (!cid || discs[i].cid == cid))
			discs[i].used = false;
}

/* 1: the kernel sent a Disconnection Request for cid on the link, 0: the peer did, -1: none seen */
static int disc_by(int handle, uint16_t cid)
{
	int by = -1;
	for (int i = 0; i < MAX_DISC; i++)
		if (discs[i].used && discs[i].handle == handle && discs[i].cid == cid && (discs[i].out || by < 0))
			by = discs[i].out;
	return by;
}

static bool link_down(int handle);

/* The reason of an open channel that ended with a connection reset or abort while its link is up:
 * the kernel ends a channel itself (l2cap_send_disconn_req) only for an error of its peer's: a
 * protocol violation (ECONNRESET: credits past 65535, an SDU over the MTU, a K-frame over the
 * MPS, an invalid ERTM frame, an I-frame retransmitted past MaxTransmit, a failed configuration)
 * or, with ECONNABORTED, the monitor timer expiring MaxTransmit times (l2cap_tx_state_wait_f).
 * A channel still connecting that the kernel disconnects itself failed its configuration
 * (ECONNRESET: a mode it requires that the peer lacks, CONF_STATE2_DEVICE, or options it cannot
 * take: l2cap_config_req).  Its Disconnection Request goes out as the socket learns the error:
 * wait for its copy a little.  NULL when the signaling does not tell (the errno's reason then). */
static const char *ended_by(const struct chan *c, uint16_t cid, int err)
{
	bool open = c->st == CH_OPEN;
	if ((!open && c->st != CH_CONNECTING) || !cid || c->handle < 0 || hci_fd < 0 ||
	    (err != ECONNRESET && (!open || err != ECONNABORTED)))
		return NULL;
	double end = now_ms() + 300;
	int by;
	hci_read();
	while ((by = disc_by(c->handle, cid)) < 0 && !link_down(c->handle) && now_ms() < end) {
		struct pollfd hp = {.fd = hci_fd, .events = POLLIN};
		if (poll(&hp, 1, 20) == 1)
			hci_read();
	}
	if (by < 0 || link_down(c->handle))
		return NULL;
	if (by == 0)
		return "remote";
	if (!open)
		return "config-failed";
	return err == ECONNABORTED ? "max-transmit" : "protocol";
}

static void chan_closed(struct chan *c, int err)
{
	const char *en = errno_name(err);
	char eb[16], res[24] = "";
	if (!en) {
		snprintf(eb, sizeof(eb), "%d", err);
		en = eb;
	}
	const char *reason = NULL;
	uint16_t cid = c->cid;
	if (c->st == CH_CONNECTING) {
		/* the peer's refusal result, from the signaling (the response came in before the
		 * kernel closed the socket: its copy is on the raw HCI socket already) */
		struct l2_sockaddr me;
		socklen_t ml = sizeof(me);
		memset(&me, 0, sizeof(me));
		if (hci_fd >= 0)
			hci_read();
		if (getsockname(c->fd, (struct sockaddr *)&me, &ml) == 0 && me.l2_cid) {
			cid = me.l2_cid;
			for (int i = 0; i < MAX_REF; i++)
				if (refs[i].used && refs[i].cid == me.l2_cid) {
					snprintf(res, sizeof(res), " result=%u", refs[i].result);
					refs[i].used = false;
				}
			/* the link of the kernel's request (a socket tells the handle only once open);
			 * a request never answered ended by the kernel's own timer, which it reports
			 * to the application as ECONNREFUSED (l2cap_chan_timeout) */
			for (int i = 0; i < MAX_REQ; i++)
				for (int k = 0; reqs[i].used && k < reqs[i].n; k++)
					if (reqs[i].scid[k] == me.l2_cid) {
						c->handle = reqs[i].handle;
						if (!reqs[i].answered && err == ECONNREFUSED && !link_down(c->handle))
							reason = "timeout";
					}
		}
	}
	if (!reason && !*res)
		reason = ended_by(c, cid, err);
	if (!reason)
		reason = reason_of(err, c->handle);
	outf("event closed chan=%d reason=%s%s errno=%s", chan_no(c), reason, res, en);
	chan_free(c);
}

static const struct ann *announced(int handle, bool out, uint16_t cid, enum ann_kind kind);

/* The MPS of a BR/EDR ERTM / Streaming channel both ways (kcid the kernel's CID, pcid the
 * peer's), from the RFC options of the configuration: a success response's MPS is what its
 * sender will send, so what the requester receives; without one, the request's stands
 * (Vol 3 Part A 5.4).  false while one is unknown. */
static bool bredr_mps(int handle, uint16_t kcid, uint16_t pcid, unsigned *mps, unsigned *peer)
{
	const struct ann *a = announced(handle, false, kcid, A_RSP);
	if (!a)
		a = announced(handle, true, pcid, A_REQ);
	const struct ann *b = announced(handle, true, pcid, A_RSP);
	if (!b)
		b = announced(handle, false, kcid, A_REQ);
	if (!a || !b)
		return false;
	*mps = a->mps;
	*peer = b->mps;
	return true;
}

static void chan_opened(struct chan *c)
{
	unsigned mtu = 0, peer = 0;
	const char *mode = c->ecfc ? "ecfc" : "le";
	struct l2_conninfo ci;
	socklen_t l = sizeof(ci);
	memset(&ci, 0, sizeof(ci));
	if (getsockopt(c->fd, SOL_L2CAP, L2CAP_CONNINFO, &ci, &l) == 0)
		c->handle = ci.hci_handle;
	char mps[48] = "";
	{
		struct l2_sockaddr me;
		socklen_t ml = sizeof(me);
		memset(&me, 0, sizeof(me));
		if (getsockname(c->fd, (struct sockaddr *)&me, &ml) == 0)
			c->cid = me.l2_cid;
		if (c->handle >= 0 && c->cid)
			disc_forget(c->handle, c->cid); /* CIDs and handles are reused */
	}
	if (c->le) {
		uint16_t s = 0, r = 0;
		l = sizeof(s);
		getsockopt(c->fd, SOL_BLUETOOTH, BT_SNDMTU, &s, &l);
		l = sizeof(r);
		getsockopt(c->fd, SOL_BLUETOOTH, BT_RCVMTU, &r, &l);
		mtu = r;
		peer = s;
		/* the MPS both ways as the signaling announced them (the kernel's own response
		 * may go out just after the channel is ready: wait for it a little) */
		struct l2_sockaddr me, him;
		socklen_t ml = sizeof(me), hl = sizeof(him);
		memset(&me, 0, sizeof(me));
		memset(&him, 0, sizeof(him));
		getsockname(c->fd, (struct sockaddr *)&me, &ml);
		getpeername(c->fd, (struct sockaddr *)&him, &hl);
		const struct ann *a, *b;
		double end = now_ms() + 300;
		while (!((a = announced(c->handle, true, me.l2_cid, A_LE)) &&
			 (b = announced(c->handle, false, him.l2_cid, A_LE))) &&
		       hci_fd >= 0 && now_ms() < end) {
			struct pollfd hp = {.fd = hci_fd, .events = POLLIN};
			if (poll(&hp, 1, 20) == 1)
				hci_read();
		}
		a = announced(c->handle, true, me.l2_cid, A_LE);
		b = announced(c->handle, false, him.l2_cid, A_LE);
		if (a && b)
			snprintf(mps, sizeof(mps), " mps=%u peer-mps=%u", a->mps, b->mps);
	} else {
		struct l2_options o;
		l = sizeof(o);
		memset(&o, 0, sizeof(o));
		getsockopt(c->fd, SOL_L2CAP, L2CAP_OPTIONS, &o, &l);
		mtu = o.imtu;
		peer = o.omtu;
		mode = o.mode == L2CAP_MODE_ERTM ? "ertm" : o.mode == L2CAP_MODE_STREAMING ? "streaming" : "basic";
		if (o.mode == L2CAP_MODE_ERTM || o.mode == L2CAP_MODE_STREAMING) {
			/* the MPS both ways from the configuration's RFC options (no socket option
			 * tells them); the kernel's own response may go out just after it is ready */
			struct l2_sockaddr him;
			socklen_t hl = sizeof(him);
			memset(&him, 0, sizeof(him));
			getpeername(c->fd, (struct sockaddr *)&him, &hl);
			unsigned km = 0, pm = 0;
			double end = now_ms() + 300;
			bool got;
			while (!(got = bredr_mps(c->handle, c->cid, him.l2_cid, &km, &pm)) && hci_fd >= 0 &&
			       now_ms() < end) {
				struct pollfd hp = {.fd = hci_fd, .events = POLLIN};
				if (poll(&hp, 1, 20) == 1)
					hci_read();
			}
			if (got)
				snprintf(mps, sizeof(mps), " mps=%u peer-mps=%u", km, pm);
		}
	}
	c->st = CH_OPEN;
	outf("event open chan=%d psm=%u mode=%s mtu=%u peer-mtu=%u%s handle=%d", chan_no(c), c->psm, mode, mtu,
	     peer, mps, c->handle);
}

/* An SDU to the client. */
static void chan_data(struct chan *c, const uint8_t *buf, size_t n)
{
	static char h[2 * HEX_MAX + 1];
	hex(h, buf, n < HEX_MAX ? n : HEX_MAX);
	outf("event data chan=%d len=%zu hex=%s", chan_no(c), n, h);
}

/* One SDU from a channel's (SOCK_SEQPACKET) socket. */
static ssize_t chan_recv1(struct chan *c, uint8_t *buf, size_t cap)
{
	return recv(c->fd, buf, cap, MSG_DONTWAIT);
}

/* The channel ended with err (0: the peer's Disconnection Request).  The kernel reports the
 * socket's error before the SDUs still queued (sock_error() comes first in
 * __skb_try_recv_datagram): they are read after it, then the end is reported. */
static void chan_ended(struct chan *c, int err, uint8_t *buf, size_t cap)
{
	for (;;) {
		ssize_t r = chan_recv1(c, buf, cap);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		chan_data(c, buf, (size_t)r);
	}
	chan_closed(c, err);
}

/* Take every SDU waiting on an open channel; report its end. */
static void chan_read(struct chan *c, short revents)
{
	static uint8_t buf[SDU_MAX];
	for (;;) {
		ssize_t r = chan_recv1(c, buf, sizeof(buf));
		if (r > 0) {
			chan_data(c, buf, (size_t)r);
			continue;
		}
		if (r == 0) {
			/* an empty SDU, or the end of the channel */
			struct pollfd p = {.fd = c->fd, .events = POLLIN};
			if (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR | POLLRDHUP))) {
				int e = 0;
				socklen_t l = sizeof(e);
				getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &l);
				chan_ended(c, e, buf, sizeof(buf));
				return;
			}
			outf("event data chan=%d len=0 hex=", chan_no(c));
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if (revents & (POLLHUP | POLLERR)) {
				int e = 0;
				socklen_t l = sizeof(e);
				getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &l);
				chan_ended(c, e, buf, sizeof(buf));
			}
			return;
		}
		chan_ended(c, errno, buf, sizeof(buf));
		return;
	}
}

static void chan_connecting(struct chan *c, short revents)
{
	int e = 0;
	socklen_t l = sizeof(e);
	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &l);
	if (e || (revents & (POLLHUP | POLLERR))) {
		chan_closed(c, e ? e : ECONNRESET);
		return;
	}
	if (revents & POLLOUT)
		chan_opened(c);
}

/* Give the kernel the SDUs it had no room for, in order, while it takes them.  0, or the errno
 * of a send that failed otherwise (the SDUs left are dropped). */
static int chan_flush(struct chan *c)
{
	while (c->qn) {
		struct sdu *q = &c->q[c->qh];
		ssize_t r = send(c->fd, q->p, q->n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		int e = r < 0 ? errno : 0;
		free(q->p);
		c->qh = (c->qh + 1) % TXQ;
		c->qn--;
		if (e)
			return e;
	}
	return 0;
}

/* ---- disconnect ------------------------------------------------------------------------------- */

/* An application learns that its disconnection finished (the Disconnection Response came, or the
 * kernel's timer gave up) from a shutdown() that lingers: with SO_LINGER it waits for the
 * channel's BT_CLOSED (l2cap_sock_shutdown, bt_sock_wait_state); a plain close() returns at
 * once.  The blocking shutdown runs in a thread of its own, on a duplicate of the socket, and
 * reports through a pipe; "event closed reason=local" follows then. */
static int disc_pipe[2] = {-1, -1};
struct disc_job {
	int fd, idx;
	unsigned gen;
};
struct disc_done {
	int idx, err;
	unsigned gen;
};

static void *disc_thread(void *arg)
{
	struct disc_job j = *(struct disc_job *)arg;
	free(arg);
	struct linger lg = {.l_onoff = 1, .l_linger = DISC_LINGER_S};
	struct disc_done d = {.idx = j.idx, .gen = j.gen};
	if (setsockopt(j.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) < 0 || shutdown(j.fd, SHUT_RDWR) < 0)
		d.err = errno;
	close(j.fd);
	ssize_t w;
	do
		w = write(disc_pipe[1], &d, sizeof(d));
	while (w < 0 && errno == EINTR);
	return NULL;
}

static int chan_disconnect(struct chan *c, char *ans, size_t n)
{
	if (c->st == CH_CLOSING) {
		snprintf(ans, n, "chan %d is disconnecting already", chan_no(c));
		return -1;
	}
	if (c->st == CH_OPEN && disc_pipe[1] >= 0) {
		struct disc_job *j = malloc(sizeof(*j));
		int dfd = fcntl(c->fd, F_DUPFD_CLOEXEC, 0);
		pthread_attr_t at;
		pthread_t th;
		bool started = false;
		if (j && dfd >= 0 && pthread_attr_init(&at) == 0) {
			*j = (struct disc_job){.fd = dfd, .idx = (int)(c - chans), .gen = c->gen};
			pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
			started = pthread_create(&th, &at, disc_thread, j) == 0;
			pthread_attr_destroy(&at);
		}
		if (started) {
			c->st = CH_CLOSING; /* no longer polled: its socket is shut down */
			return 0;
		}
		free(j);
		if (dfd >= 0)
			close(dfd);
		fprintf(stderr, "kiut: chan %d: no disconnect thread: closed at once\n", chan_no(c));
	}
	/* a channel not open yet (or no thread): close() */
	int no = chan_no(c);
	chan_free(c);
	outf("event closed chan=%d reason=local errno=0", no);
	return 0;
}

static void disc_read(void)
{
	struct disc_done d;
	while (read(disc_pipe[0], &d, sizeof(d)) == (ssize_t)sizeof(d)) {
		if (d.idx < 0 || d.idx >= MAX_CHANS)
			continue;
		struct chan *c = &chans[d.idx];
		if (c->st != CH_CLOSING || c->gen != d.gen)
			continue; /* reset meanwhile */
		if (hci_fd >= 0)
			hci_read();
		const char *en = errno_name(d.err);
		char eb[16];
		if (!en) {
			snprintf(eb, sizeof(eb), "%d", d.err);
			en = eb;
		}
		outf("event closed chan=%d reason=%s errno=%s", chan_no(c),
		     d.err && c->handle >= 0 && link_down(c->handle) ? "link-lost" : "local", en);
		chan_free(c);
	}
}

/* ---- sockets ---------------------------------------------------------------------------------- */

static int set_sec(int fd, unsigned level, char *why, size_t wn)
{
	struct bt_security s = {(uint8_t)level, 0};
	if (setsockopt(fd, SOL_BLUETOOTH, BT_SECURITY, &s, sizeof(s)) < 0) {
		snprintf(why, wn, "setsockopt BT_SECURITY %u: %s", level, strerror(errno));
		return -1;
	}
	return 0;
}

struct kv {
	char key[16];
	const char *val;
	bool used;
};
#define MAX_KV 16

static const char *get(struct kv *kv, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(kv[i].key, key)) {
			kv[i].used = true;
			return kv[i].val;
		}
	return NULL;
}

/* The BR/EDR mode options of a listen or connect request (docs/l2tester.md), as L2CAP_OPTIONS
 * takes them (l2cap_sock_setsockopt_old) and l2cap_build_conf_req proposes them. */
struct kopts {
	int fcs;	 /* -1: the kernel's default (CRC-16); 0: none (an FCS option "none"); 1 */
	long window;	 /* -1: default (63); else txwin_size, our receive window (RFC TxWindow) */
	long max_tx;	 /* -1: default (3); else max_tx (0: unlimited) */
};

/* Whether the kernel may propose the Extended Window Size at all.  Kernels with High Speed (AMP)
 * support use it only with HS on (bluetooth.enable_hs=1: __l2cap_ews_supported needs the A2MP
 * fixed channel); once AMP was removed (Linux 6.8, and Debian's 6.1.192 has that backport: its
 * bluetooth module has no enable_hs) the peer's Extended Window Size feature bit alone decides. */
static bool kernel_ews(void)
{
	char b[4] = "";
	FILE *f = fopen("/sys/module/bluetooth/parameters/enable_hs", "r");
	if (!f)
		return true;
	bool y = fgets(b, sizeof(b), f) && b[0] == 'Y';
	fclose(f);
	return y;
}

/* fcs= window= max-transmit= flush-timeout= ext-window= required=: what the kernel can apply, or
 * -1 with why (err "not supported: ..." for what it cannot). */
static int kopts_of(struct kv *kv, int nkv, bool le, const char *mode, struct kopts *o, char *why, size_t wn)
{
	*o = (struct kopts){.fcs = -1, .window = -1, .max_tx = -1};
	const char *s;
	unsigned long v;
	if ((s = get(kv, nkv, "fcs")) != NULL) {
		if (num(s, 1, &v) < 0) {
			snprintf(why, wn, "bad fcs '%s' (0 or 1)", s);
			return -1;
		}
		o->fcs = (int)v;
	}
	if ((s = get(kv, nkv, "window")) != NULL) {
		if (num(s, 0x3FFF, &v) < 0) {
			snprintf(why, wn, "bad window '%s'", s);
			return -1;
		}
		o->window = v ? (long)v : L2CAP_DEFAULT_TX_WINDOW;
	}
	if ((s = get(kv, nkv, "max-transmit")) != NULL) {
		if (num(s, 0xFF, &v) < 0) {
			snprintf(why, wn, "bad max-transmit '%s'", s);
			return -1;
		}
		/* l2kit's 0 is its default (3), 255 for ever; the kernel's max_tx 0 is for ever */
		o->max_tx = v == 0 ? L2CAP_DEFAULT_MAX_TX : v == 0xFF ? 0 : (long)v;
	}
	if ((s = get(kv, nkv, "flush-timeout")) != NULL) {
		if (num(s, 0xFFFF, &v) < 0) {
			snprintf(why, wn, "bad flush-timeout '%s'", s);
			return -1;
		}
		/* 0 and 0xFFFF: infinite, what the kernel assumes anyway */
		if (v != 0 && v != 0xFFFF && !le) {
			snprintf(why, wn, "not supported: the kernel never proposes a Flush Timeout option "
				 "(l2cap_build_conf_req); L2CAP_OPTIONS flush_to is only stored");
			return -1;
		}
	}
	bool ext = false;
	if ((s = get(kv, nkv, "ext-window")) != NULL) {
		if (strcmp(s, "yes") && strcmp(s, "no")) {
			snprintf(why, wn, "ext-window= yes or no");
			return -1;
		}
		ext = !strcmp(s, "yes");
	}
	if ((s = get(kv, nkv, "required")) != NULL) {
		if (strcmp(s, "yes") && strcmp(s, "no")) {
			snprintf(why, wn, "required= yes or no");
			return -1;
		}
		/* meaningful for ERTM and Streaming (Basic is always there; LE has one mode).  The
		 * kernel has no mandatory mode: l2cap_sock_init marks a SOCK_STREAM socket's ERTM
		 * CONF_STATE2_DEVICE and at once calls l2cap_chan_set_defaults, whose conf_state = 0
		 * clears it; L2CAP_OPTIONS and BT_MODE only ever clear it.  Every socket's mode falls
		 * back to Basic (l2cap_select_mode) when the peer lacks it or refuses it. */
		if (!strcmp(s, "yes") && !le && (!strcmp(mode, "ertm") || !strcmp(mode, "streaming"))) {
			snprintf(why, wn, "not supported: the kernel cannot make a mode mandatory (CONF_STATE2_DEVICE, "
				 "set for a SOCK_STREAM socket by l2cap_sock_init, is cleared by its "
				 "l2cap_chan_set_defaults): it falls back to Basic");
			return -1;
		}
	}
	if (ext && !le && !strcmp(mode, "ertm")) {
		if (!kernel_ews()) {
			snprintf(why, wn, "not supported: this kernel proposes the Extended Window Size option only "
				 "with High Speed enabled (bluetooth.enable_hs=1), which is off");
			return -1;
		}
		if (o->window <= L2CAP_DEFAULT_TX_WINDOW) {
			snprintf(why, wn, "not supported: the kernel proposes the Extended Window Size option only "
				 "for a window over 63 (l2cap_txwin_setup), and only to a peer that claims the feature");
			return -1;
		}
	} else if (o->window > L2CAP_DEFAULT_TX_WINDOW) {
		o->window = L2CAP_DEFAULT_TX_WINDOW; /* without the extended window: at most 63 */
	}
	return 0;
}

/* The mode, receive MTU and mode options of a bound socket. */
static int set_mode(int fd, bool le, const char *mode, long mtu, const struct kopts *ko, char *why, size_t wn)
{
	if (le) {
		if (!strcmp(mode, "ecfc")) {
			uint8_t m = BT_MODE_EXT_FLOWCTL;
			if (setsockopt(fd, SOL_BLUETOOTH, BT_MODE, &m, sizeof(m)) < 0) {
				int e = errno;
				if (e == ENOPROTOOPT)
					snprintf(why, wn, "not supported: the kernel serves enhanced credit based "
						 "channels only with bluetooth.enable_ecred=1");
				else
					snprintf(why, wn, "setsockopt BT_MODE ext_flowctl: %s", strerror(e));
				return -1;
			}
		}
		if (mtu >= 0) {
			uint16_t m = (uint16_t)mtu;
			if (setsockopt(fd, SOL_BLUETOOTH, BT_RCVMTU, &m, sizeof(m)) < 0) {
				snprintf(why, wn, "setsockopt BT_RCVMTU %ld: %s", mtu, strerror(errno));
				return -1;
			}
		}
		return 0;
	}
	struct l2_options o;
	socklen_t ol = sizeof(o);
	memset(&o, 0, sizeof(o));
	if (getsockopt(fd, SOL_L2CAP, L2CAP_OPTIONS, &o, &ol) < 0) {
		snprintf(why, wn, "getsockopt L2CAP_OPTIONS: %s", strerror(errno));
		return -1;
	}
	o.mode = !strcmp(mode, "ertm") ? L2CAP_MODE_ERTM : !strcmp(mode, "streaming") ? L2CAP_MODE_STREAMING
										       : L2CAP_MODE_BASIC;
	if (mtu >= 0)
		o.imtu = (uint16_t)mtu;
	if (ko && ko->fcs >= 0)
		o.fcs = (uint8_t)ko->fcs;
	if (ko && ko->window >= 0)
		o.txwin_size = (uint16_t)ko->window;
	if (ko && ko->max_tx >= 0)
		o.max_tx = (uint8_t)ko->max_tx;
	if (setsockopt(fd, SOL_L2CAP, L2CAP_OPTIONS, &o, sizeof(o)) < 0) {
		snprintf(why, wn, "setsockopt L2CAP_OPTIONS mode %u imtu %u: %s", o.mode, o.imtu, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- requests --------------------------------------------------------------------------------- */

/* mode= for a transport: the names l2kit uses (le-cfc is another name for le) */
static const char *mode_of(const char *m, bool le, char *why, size_t wn)
{
	if (!m)
		return le ? "le" : "basic";
	if (!le && (!strcmp(m, "basic") || !strcmp(m, "ertm") || !strcmp(m, "streaming")))
		return m;
	if (le && (!strcmp(m, "le") || !strcmp(m, "le-cfc") || !strcmp(m, "le-credit") || !strcmp(m, "lecoc")))
		return "le";
	if (le && !strcmp(m, "ecfc"))
		return m;
	if (!strcmp(m, "basic") || !strcmp(m, "ertm") || !strcmp(m, "streaming") || !strcmp(m, "le") ||
	    !strcmp(m, "le-cfc") || !strcmp(m, "le-credit") || !strcmp(m, "lecoc") || !strcmp(m, "ecfc"))
		snprintf(why, wn, "mode %s is not a mode of this transport", m);
	else if (!strcmp(m, "retrans") || !strcmp(m, "flowctl"))
		snprintf(why, wn, "not supported: the kernel has no %s mode (L2CAP_OPTIONS takes basic, ertm "
			 "and streaming only; LE: le and ecfc)", m);
	else
		snprintf(why, wn, "unknown mode %s", m);
	return NULL;
}

/* The fields the kernel cannot apply. */
static bool cannot(struct kv *kv, int n, char *why, size_t wn)
{
	if (get(kv, n, "mps")) {
		snprintf(why, wn, "not supported: the kernel chooses the MPS itself (from the link's buffer "
			 "size); a socket cannot set it");
		return true;
	}
	if (get(kv, n, "credits")) {
		snprintf(why, wn, "not supported: the kernel chooses the initial credits itself (MTU / MPS + 1); "
			 "a socket cannot set them");
		return true;
	}
	return false;
}

static int transport_of(const char *s, bool *le, uint8_t *type)
{
	if (!s || !strcmp(s, "bredr")) {
		*le = false;
		*type = BDADDR_BREDR;
	} else if (!strcmp(s, "le") || !strcmp(s, "le-public")) {
		*le = true;
		*type = BDADDR_LE_PUBLIC;
	} else if (!strcmp(s, "le-random")) {
		*le = true;
		*type = BDADDR_LE_RANDOM;
	} else {
		return -1;
	}
	return 0;
}

static void close_all(void)
{
	for (int i = 0; i < MAX_CHANS; i++)
		if (chans[i].st != CH_FREE)
			chan_free(&chans[i]);
	for (int i = 0; i < MAX_SERVERS; i++)
		if (servers[i].fd >= 0) {
			close(servers[i].fd);
			servers[i].fd = -1;
		}
	if (echo_fd >= 0)
		close(echo_fd);
	echo_fd = -1;
}

static int l2_socket(int type, int proto)
{
	return socket(AF_BLUETOOTH, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
}

static int hci_addr(uint8_t out[6])
{
	int fd = socket(AF_BLUETOOTH, SOCK_RAW | SOCK_CLOEXEC, BTPROTO_HCI);
	if (fd < 0)
		return -1;
	struct hci_dev_info_s di;
	memset(&di, 0, sizeof(di));
	di.dev_id = (uint16_t)hci_index;
	int r = ioctl(fd, HCIGETDEVINFO, &di);
	close(fd);
	if (r < 0)
		return -1;
	memcpy(out, di.bdaddr, 6);
	return 0;
}

/* the BR/EDR mode option keys of listen and connect (kopts_of) */
#define KOPT_KEYS " fcs window max-transmit flush-timeout ext-window required "

/* Performs one request: 0 with ans = the text after "ok", -1 with ans = the err reason. */
static int request(char *req, char *ans, size_t n)
{
	char verb[16] = "";
	struct kv kv[MAX_KV];
	int nkv = 0;
	ans[0] = 0;
	char *save = NULL;
	char *w = strtok_r(req, " ", &save);
	if (!w) {
		snprintf(ans, n, "empty request");
		return -1;
	}
	snprintf(verb, sizeof(verb), "%s", w);
	while ((w = strtok_r(NULL, " ", &save)) != NULL) {
		char *eq = strchr(w, '=');
		if (!eq || eq == w || (size_t)(eq - w) >= sizeof(kv[0].key)) {
			snprintf(ans, n, "field '%s' is not KEY=VALUE", w);
			return -1;
		}
		if (nkv == MAX_KV) {
			snprintf(ans, n, "too many fields");
			return -1;
		}
		*eq = 0;
		snprintf(kv[nkv].key, sizeof(kv[nkv].key), "%s", w);
		kv[nkv].val = eq + 1;
		kv[nkv].used = false;
		nkv++;
	}
	static const char *const keys[][2] = {
	    {"hello", ""},
	    {"listen", " psm transport mode mtu mps credits sec accept manual-credits" KOPT_KEYS},
	    {"unlisten", " psm transport "},
	    {"connect", " addr transport psm mode mtu mps credits sec n manual-credits" KOPT_KEYS},
	    {"reconfigure", NULL},
	    {"send", " chan hex "},
	    {"disconnect", " chan "},
	    {"credits", " chan n "},
	    {"busy", " chan on "},
	    {"echo", " addr hex "},
	    {"set", NULL},
	    {"reset", ""},
	    {"quit", ""},
	    {"cl-listen", " psm "}, {"cl-unlisten", ""}, {"cl-send", " addr psm hex "}};
	bool known = false;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(verb, keys[i][0]))
			continue;
		known = true;
		for (int k = 0; keys[i][1] && k < nkv; k++) {
			char pat[sizeof(kv[0].key) + 2];
			size_t kl = strnlen(kv[k].key, sizeof(kv[0].key) - 1);
			pat[0] = ' ';
			memcpy(pat + 1, kv[k].key, kl);
			pat[kl + 1] = ' ';
			pat[kl + 2] = 0;
			if (!strstr(keys[i][1], pat)) {
				snprintf(ans, n, "unknown key %s", kv[k].key);
				return -1;
			}
		}
	}
	if (!known) {
		snprintf(ans, n, "unknown request %s", verb);
		return -1;
	}
	unsigned long v;
	const char *s;

	if (!strcmp(verb, "hello")) {
		uint8_t a[6];
		char as[18];
		struct utsname u;
		if (hci_addr(a) < 0) {
			snprintf(ans, n, "cannot read hci%d's address: %s", hci_index, strerror(errno));
			return -1;
		}
		addr_str(a, as);
		uname(&u);
		/* addr= last: l2tester (so far) reads the address up to the end of the line */
		snprintf(ans, n, "kiut 1 kernel=%s addr=%s", u.release, as);
		return 0;
	}
	if (!strcmp(verb, "reset")) {
		close_all();
		return 0;
	}
	if (!strcmp(verb, "quit")) {
		quitting = true;
		return 0;
	}
	if (!strncmp(verb, "cl-", 3)) {
		snprintf(ans, n, "not supported: kiut does not drive the kernel's connectionless (SOCK_DGRAM) L2CAP "
				 "sockets");
		return -1;
	}
	if (!strcmp(verb, "set")) {
		if (nkv == 1 && !strcmp(kv[0].key, "defect"))
			snprintf(ans, n, "not supported: the kernel has no deliberate defects");
		else if (nkv == 1 && (!strcmp(kv[0].key, "pin") || !strcmp(kv[0].key, "io")))
			snprintf(ans, n, "not supported: kiut is no pairing agent (bluetoothd's agent answers the "
					 "kernel's pairing)");
		else
			snprintf(ans, n, "unknown setting");
		return -1;
	}
	/* enhanced credit based requests kiut does not drive through the socket API */
	if (!strcmp(verb, "reconfigure")) {
		snprintf(ans, n, "not supported: kiut does not drive the kernel's reconfiguration (BT_RCVMTU on a "
			 "connected socket)");
		return -1;
	}
	if ((s = get(kv, nkv, "manual-credits")) != NULL && strcmp(s, "no")) {
		snprintf(ans, n, "not supported: the kernel gives credits back itself as the application reads");
		return -1;
	}
	if ((s = get(kv, nkv, "n")) != NULL && strcmp(s, "1")) {
		snprintf(ans, n, "not supported: one kiut connect opens one socket, one channel");
		return -1;
	}
	if (!strcmp(verb, "listen") || !strcmp(verb, "unlisten")) {
		bool le;
		uint8_t type;
		if (num(get(kv, nkv, "psm"), 0xFFFF, &v) < 0 || v == 0) {
			snprintf(ans, n, "psm= missing or bad");
			return -1;
		}
		if (transport_of(get(kv, nkv, "transport"), &le, &type) < 0 || type == BDADDR_LE_RANDOM) {
			snprintf(ans, n, "bad transport (bredr or le)");
			return -1;
		}
		struct server *sv = NULL;
		for (int i = 0; i < MAX_SERVERS && !sv; i++)
			if (servers[i].fd >= 0 && servers[i].psm == v && servers[i].le == le)
				sv = &servers[i];
		if (!strcmp(verb, "unlisten")) {
			if (!sv) {
				snprintf(ans, n, "not listening on 0x%04lx", v);
				return -1;
			}
			close(sv->fd);
			sv->fd = -1;
			return 0;
		}
		const char *mode = mode_of(get(kv, nkv, "mode"), le, ans, n);
		if (!mode)
			return -1;
		long mtu = -1;
		unsigned long sec = 0, tmp;
		if ((s = get(kv, nkv, "mtu")) != NULL) {
			if (num(s, 0xFFFF, &tmp) < 0) {
				snprintf(ans, n, "bad mtu '%s'", s);
				return -1;
			}
			mtu = (long)tmp;
		}
		if ((s = get(kv, nkv, "sec")) != NULL && (num(s, 4, &sec) < 0 || sec == 0)) {
			snprintf(ans, n, "bad sec '%s' (1..4)", s);
			return -1;
		}
		bool defer = false, refuse = false;
		if ((s = get(kv, nkv, "accept")) != NULL) {
			if (!strcmp(s, "no")) {
				snprintf(ans, n, "not supported: a listening kernel socket cannot refuse with No "
					 "Resources (it refuses deferred channels with Security Block / Insufficient "
					 "Authorization only)");
				return -1;
			}
			unsigned long res;
			if (!strcmp(s, "pending")) {
				defer = true;
			} else if (num(s, 0xFFFF, &res) == 0 && res == (le ? 0x0006u : 0x0003u)) {
				/* the one refusal a kernel socket makes: a deferred channel closed unread
				 * (BR/EDR: "pending, authorization" first, then Security Block; LE:
				 * Insufficient Authorization) */
				defer = refuse = true;
			} else if (num(s, 0xFFFF, &res) == 0 && res >= 2) {
				snprintf(ans, n, "not supported: a listening kernel socket refuses only with %s",
					 le ? "0x0006 (insufficient authorization)" : "0x0003 (security block)");
				return -1;
			} else if (strcmp(s, "yes")) {
				snprintf(ans, n, "accept= yes, no, pending or an L2CAP result");
				return -1;
			}
		}
		if (cannot(kv, nkv, ans, n))
			return -1;
		struct kopts ko;
		if (kopts_of(kv, nkv, le, mode, &ko, ans, n) < 0)
			return -1;
		if (sv) {
			close(sv->fd);
			sv->fd = -1;
		}
		for (int i = 0; i < MAX_SERVERS && !sv; i++)
			if (servers[i].fd < 0)
				sv = &servers[i];
		if (!sv) {
			snprintf(ans, n, "too many servers");
			return -1;
		}
		int fd = l2_socket(SOCK_SEQPACKET, BTPROTO_L2CAP);
		if (fd < 0) {
			snprintf(ans, n, "socket(AF_BLUETOOTH, L2CAP): %s", strerror(errno));
			return -1;
		}
		struct l2_sockaddr sa;
		memset(&sa, 0, sizeof(sa));
		sa.l2_family = AF_BLUETOOTH;
		sa.l2_psm = (unsigned short)v;
		sa.l2_bdaddr_type = type;
		uint32_t one = 1;
		if ((sec && set_sec(fd, (unsigned)sec, ans, n) < 0)) {
			close(fd);
			return -1;
		}
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			snprintf(ans, n, "bind psm 0x%04lx: %s", v, strerror(errno));
			close(fd);
			return -1;
		}
		/* the mode once bound: BT_MODE is refused before (l2cap_sock_setsockopt) */
		if (set_mode(fd, le, mode, mtu, &ko, ans, n) < 0) {
			close(fd);
			return -1;
		}
		if (defer && setsockopt(fd, SOL_BLUETOOTH, BT_DEFER_SETUP, &one, sizeof(one)) < 0) {
			snprintf(ans, n, "setsockopt BT_DEFER_SETUP: %s", strerror(errno));
			close(fd);
			return -1;
		}
		if (listen(fd, 8) < 0) {
			snprintf(ans, n, "listen psm 0x%04lx: %s", v, strerror(errno));
			close(fd);
			return -1;
		}
		*sv = (struct server){.fd = fd, .psm = (uint16_t)v, .le = le, .ecfc = !strcmp(mode, "ecfc"), .defer = defer,
					.refuse = refuse};
		return 0;
	}
	if (!strcmp(verb, "connect")) {
		bool le;
		uint8_t type, a[6];
		if (parse_addr(get(kv, nkv, "addr"), a) < 0) {
			snprintf(ans, n, "addr= missing or bad");
			return -1;
		}
		if (transport_of(get(kv, nkv, "transport"), &le, &type) < 0 ||
		    num(get(kv, nkv, "psm"), 0xFFFF, &v) < 0) {
			snprintf(ans, n, "transport= or psm= bad");
			return -1;
		}
		const char *mode = mode_of(get(kv, nkv, "mode"), le, ans, n);
		if (!mode)
			return -1;
		long mtu = -1;
		unsigned long sec = 0, tmp;
		if ((s = get(kv, nkv, "mtu")) != NULL) {
			if (num(s, 0xFFFF, &tmp) < 0) {
				snprintf(ans, n, "bad mtu '%s'", s);
				return -1;
			}
			mtu = (long)tmp;
		}
		if ((s = get(kv, nkv, "sec")) != NULL && (num(s, 4, &sec) < 0 || sec == 0)) {
			snprintf(ans, n, "bad sec '%s' (1..4)", s);
			return -1;
		}
		if (cannot(kv, nkv, ans, n))
			return -1;
		struct kopts ko;
		if (kopts_of(kv, nkv, le, mode, &ko, ans, n) < 0)
			return -1;
		int fd = l2_socket(SOCK_SEQPACKET, BTPROTO_L2CAP);
		if (fd < 0) {
			snprintf(ans, n, "socket(AF_BLUETOOTH, L2CAP): %s", strerror(errno));
			return -1;
		}
		struct l2_sockaddr sa;
		memset(&sa, 0, sizeof(sa));
		sa.l2_family = AF_BLUETOOTH;
		sa.l2_bdaddr_type = le ? BDADDR_LE_PUBLIC : BDADDR_BREDR;
		if ((sec && set_sec(fd, (unsigned)sec, ans, n) < 0) ||
		    (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
		     snprintf(ans, n, "bind: %s", strerror(errno)) > 0) ||
		    set_mode(fd, le, mode, mtu, &ko, ans, n) < 0) {
			close(fd);
			return -1;
		}
		struct chan *c = chan_new(fd, (uint16_t)v, le, !strcmp(mode, "ecfc"), CH_CONNECTING);
		if (!c) {
			close(fd);
			snprintf(ans, n, "too many channels");
			return -1;
		}
		sa.l2_psm = (unsigned short)v;
		sa.l2_bdaddr_type = type;
		memcpy(sa.l2_bdaddr, a, 6);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
			snprintf(ans, n, "connect: %s", strerror(errno));
			chan_free(c);
			return -1;
		}
		snprintf(ans, n, "chan=%d", chan_no(c));
		return 0;
	}
	if (!strcmp(verb, "send") || !strcmp(verb, "disconnect") || !strcmp(verb, "credits") || !strcmp(verb, "busy")) {
		struct chan *c = NULL;
		if (num(get(kv, nkv, "chan"), MAX_CHANS, &v) == 0 && v >= 1 && chans[v - 1].st != CH_FREE)
			c = &chans[v - 1];
		if (!c) {
			snprintf(ans, n, "no such chan");
			return -1;
		}
		if (!strcmp(verb, "credits")) {
			if (num(get(kv, nkv, "n"), 0xFFFF, &v) < 0) {
				snprintf(ans, n, "n= missing or bad");
				return -1;
			}
			snprintf(ans, n, "not supported: the kernel gives credits back itself as the application "
				 "reads; a socket cannot give them");
			return -1;
		}
		if (!strcmp(verb, "busy")) {
			if (!(s = get(kv, nkv, "on")) || (strcmp(s, "yes") && strcmp(s, "no"))) {
				snprintf(ans, n, "on= yes or no");
				return -1;
			}
			snprintf(ans, n, "not supported: a kernel socket has no local busy control (the kernel "
				 "enters ERTM local busy itself when the socket's receive buffer is full)");
			return -1;
		}
		if (!strcmp(verb, "disconnect"))
			return chan_disconnect(c, ans, n);
		static uint8_t b[SDU_MAX];
		size_t len = 0;
		if (!(s = get(kv, nkv, "hex")) || unhex(s, b, sizeof(b), &len) < 0) {
			snprintf(ans, n, "hex= missing or bad");
			return -1;
		}
		if (c->st != CH_OPEN) {
			snprintf(ans, n, "chan %lu is not open", (unsigned long)chan_no(c));
			return -1;
		}
		/* as an application with a blocking socket: what the kernel has no room for (no
		 * credits, the window full) waits in kiut and goes when the socket is writable */
		if (!c->qn) {
			ssize_t r = send(c->fd, b, len, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (r >= 0)
				return 0;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				snprintf(ans, n, "send: %s", strerror(errno));
				return -1;
			}
		}
		if (c->qn == TXQ) {
			snprintf(ans, n, "send: %d SDUs wait for room in the kernel already", TXQ);
			return -1;
		}
		struct sdu *q = &c->q[(c->qh + c->qn) % TXQ];
		q->p = malloc(len ? len : 1);
		if (!q->p) {
			snprintf(ans, n, "send: out of memory");
			return -1;
		}
		memcpy(q->p, b, len);
		q->n = len;
		c->qn++;
		return 0;
	}
	if (!strcmp(verb, "echo")) {
		uint8_t a[6];
		static uint8_t b[SDU_MAX];
		size_t len = 0;
		static const uint8_t any[6];
		if (parse_addr(get(kv, nkv, "addr"), a) < 0 || !memcmp(a, any, 6)) {
			/* (a raw L2CAP socket connect()ed to 00:00:00:00:00:00 and closed again oopses
			 * Linux 6.1.192: list_del corruption in hci_chan_del) */
			snprintf(ans, n, "addr= missing or bad");
			return -1;
		}
		if ((s = get(kv, nkv, "hex")) && unhex(s, b + 4, sizeof(b) - 4, &len) < 0) {
			snprintf(ans, n, "hex= bad");
			return -1;
		}
		if (echo_fd >= 0)
			close(echo_fd);
		/* as BlueZ's l2ping: a raw L2CAP socket connected to the peer carries signaling
		 * commands; the kernel blocks for at most 5 s making the link if there is none */
		echo_fd = socket(AF_BLUETOOTH, SOCK_RAW | SOCK_CLOEXEC, BTPROTO_L2CAP);
		if (echo_fd < 0) {
			snprintf(ans, n, "socket(L2CAP, SOCK_RAW): %s", strerror(errno));
			return -1;
		}
		struct l2_sockaddr sa;
		memset(&sa, 0, sizeof(sa));
		sa.l2_family = AF_BLUETOOTH;
		struct timeval tv = {.tv_sec = 5};
		setsockopt(echo_fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (bind(echo_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			snprintf(ans, n, "raw bind: %s", strerror(errno));
			goto echo_fail;
		}
		memcpy(sa.l2_bdaddr, a, 6);
		if (connect(echo_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			snprintf(ans, n, "raw connect to %s: %s", get(kv, nkv, "addr"), strerror(errno));
			goto echo_fail;
		}
		echo_ident = (uint8_t)(echo_ident % 200 + 1);
		b[0] = 0x08; /* Echo Request */
		b[1] = echo_ident;
		b[2] = (uint8_t)len;
		b[3] = (uint8_t)(len >> 8);
		if (send(echo_fd, b, len + 4, 0) != (ssize_t)(len + 4)) {
			snprintf(ans, n, "raw send: %s", strerror(errno));
			goto echo_fail;
		}
		int fl = fcntl(echo_fd, F_GETFL);
		fcntl(echo_fd, F_SETFL, fl | O_NONBLOCK);
		echo_deadline = now_ms() + ECHO_WAIT_MS;
		return 0;
	echo_fail:
		close(echo_fd);
		echo_fd = -1;
		return -1;
	}
	snprintf(ans, n, "unknown request %s", verb);
	return -1;
}

static void echo_read(void)
{
	static uint8_t b[SDU_MAX];
	static char h[2 * HEX_MAX + 1];
	for (;;) {
		ssize_t r = recv(echo_fd, b, sizeof(b), MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return;
			outf("event echo err=-%d hex=", r < 0 ? errno : ECONNRESET);
			close(echo_fd);
			echo_fd = -1;
			return;
		}
		/* every signaling command of the link comes here: ours is 0x09 with our identifier */
		if (r >= 4 && b[0] == 0x09 && b[1] == echo_ident) {
			size_t len = (size_t)(b[2] | b[3] << 8);
			if (len > (size_t)r - 4)
				len = (size_t)r - 4;
			hex(h, b + 4, len < HEX_MAX ? len : HEX_MAX);
			outf("event echo err=0 hex=%s", h);
			close(echo_fd);
			echo_fd = -1;
			return;
		}
	}
}

/* ---- the controller's link events (raw HCI socket, a copy of every event) --------------------- */

static void hci_open(void)
{
	hci_fd = socket(AF_BLUETOOTH, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, BTPROTO_HCI);
	if (hci_fd < 0)
		return;
	struct hci_filter_s f;
	memset(&f, 0, sizeof(f));
	f.type_mask = 1u << 0x04 | 1u << 0x02; /* events, ACL data (the LE signaling: MPS) */
	f.event_mask[0] = (1u << 0x03) | (1u << 0x05); /* Connection Complete, Disconnection Complete */
	f.event_mask[1] = 1u << (0x3E - 32);	       /* LE Meta */
	struct hci_sockaddr ha = {.hci_family = AF_BLUETOOTH, .hci_dev = (unsigned short)hci_index,
				  .hci_channel = HCI_CHANNEL_RAW};
	int one = 1;
	if (bind(hci_fd, (struct sockaddr *)&ha, sizeof(ha)) < 0 ||
	    setsockopt(hci_fd, SOL_HCI, HCI_FILTER, &f, sizeof(f)) < 0 ||
	    setsockopt(hci_fd, SOL_HCI, HCI_DATA_DIR, &one, sizeof(one)) < 0) {
		fprintf(stderr, "kiut: raw HCI socket on hci%d: %s (no link-down events, no MPS)\n", hci_index,
			strerror(errno));
		close(hci_fd);
		hci_fd = -1;
	}
}

/* --le-adv: the kernel's connectable advertising (MGMT Add Advertising, instance 1, connectable),
 * again after every LE link that ends: BlueZ's emulator (5.66) forgets an advertising set once a
 * connection used it, and the kernel's own attempt to resume it then fails. */
static void mgmt_cmd(uint16_t op, const uint8_t *par, uint16_t len)
{
	uint8_t b[64];
	b[0] = (uint8_t)op;
	b[1] = (uint8_t)(op >> 8);
	b[2] = (uint8_t)hci_index;
	b[3] = (uint8_t)(hci_index >> 8);
	b[4] = (uint8_t)len;
	b[5] = (uint8_t)(len >> 8);
	memcpy(b + 6, par, len);
	if (write(mgmt_fd, b, 6u + len) != 6 + len)
		fprintf(stderr, "kiut: management command 0x%04x: %s\n", op, strerror(errno));
}

static void readvertise(void)
{
	if (mgmt_fd < 0)
		return;
	static const uint8_t rm[1] = {1};
	static const uint8_t add[11] = {1, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0}; /* instance 1, connectable */
	mgmt_cmd(MGMT_OP_REMOVE_ADVERTISING, rm, sizeof(rm));
	mgmt_cmd(MGMT_OP_ADD_ADVERTISING, add, sizeof(add));
	logline("-", "advertising (again)");
}

/* The management channel's answers and events: only a failed Add Advertising is of interest. */
static void mgmt_read(void)
{
	uint8_t b[512];
	for (;;) {
		ssize_t r = recv(mgmt_fd, b, sizeof(b), MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		/* Command Complete / Command Status: event 0x0001 / 0x0002, opcode at 6, status at 8 */
		if (r >= 9 && (b[0] == 0x01 || b[0] == 0x02) && b[1] == 0 &&
		    (b[6] | b[7] << 8) == MGMT_OP_ADD_ADVERTISING && b[8] != 0) {
			char line[80];
			snprintf(line, sizeof(line), "Add Advertising failed: status 0x%02x", b[8]);
			logline("-", line);
			fprintf(stderr, "kiut: %s\n", line);
		}
	}
}

static void mgmt_open(void)
{
	mgmt_fd = socket(AF_BLUETOOTH, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, BTPROTO_HCI);
	struct hci_sockaddr ha = {.hci_family = AF_BLUETOOTH, .hci_dev = 0xFFFF, .hci_channel = HCI_CHANNEL_CONTROL};
	if (mgmt_fd < 0 || bind(mgmt_fd, (struct sockaddr *)&ha, sizeof(ha)) < 0) {
		fprintf(stderr, "kiut: management channel: %s (no --le-adv)\n", strerror(errno));
		if (mgmt_fd >= 0)
			close(mgmt_fd);
		mgmt_fd = -1;
	}
}

static struct link *link_slot(uint16_t handle, bool make)
{
	for (int i = 0; i < MAX_LINKS; i++)
		if (links[i].used && links[i].handle == handle)
			return &links[i];
	if (!make)
		return NULL;
	for (int i = 0; i < MAX_LINKS; i++)
		if (!links[i].used || links[i].down) {
			links[i] = (struct link){.used = true, .handle = handle};
			return &links[i];
		}
	return NULL;
}

/* The MTU and MPS each side announced for its CID in the LE credit based signaling of a link,
 * seen on the raw HCI socket (a copy of every ACL packet both ways): a socket cannot tell the
 * MPS, "event open" carries it from here. */

static void announce_k(uint16_t handle, bool out, uint16_t cid, uint16_t mtu, uint16_t mps, enum ann_kind kind)
{
	struct ann *a = NULL;
	for (int i = 0; i < MAX_ANN && !a; i++)
		if (anns[i].used && anns[i].handle == handle && anns[i].out == out && anns[i].cid == cid &&
		    anns[i].kind == kind)
			a = &anns[i];
	if (!a) {
		a = &anns[ann_next];
		ann_next = (ann_next + 1) % MAX_ANN;
	}
	*a = (struct ann){.used = true, .out = out, .kind = kind, .handle = handle, .cid = cid, .mtu = mtu, .mps = mps};
}

static void announce(uint16_t handle, bool out, uint16_t cid, uint16_t mtu, uint16_t mps)
{
	announce_k(handle, out, cid, mtu, mps, A_LE);
}

static const struct ann *announced(int handle, bool out, uint16_t cid, enum ann_kind kind)
{
	for (int i = 0; i < MAX_ANN; i++)
		if (anns[i].used && anns[i].handle == handle && anns[i].out == out && anns[i].cid == cid &&
		    anns[i].kind == kind)
			return &anns[i];
	return NULL;
}

/* A link came up with a handle used before: what its last link announced is forgotten. */
static void ann_forget(uint16_t handle)
{
	for (int i = 0; i < MAX_ANN; i++)
		if (anns[i].used && anns[i].handle == handle)
			anns[i].used = false;
}

/* The RFC option's MPS among the configuration options at o (n octets): 0 when none. */
static uint16_t rfc_mps(const uint8_t *o, size_t n)
{
	uint16_t mps = 0;
	for (size_t k = 0; k + 2 <= n && k + 2 + o[k + 1] <= n; k += 2u + o[k + 1])
		if ((o[k] & 0x7F) == 0x04 && o[k + 1] == 9 && (o[k + 2] == L2CAP_MODE_ERTM || o[k + 2] == L2CAP_MODE_STREAMING))
			mps = (uint16_t)(o[k + 9] | o[k + 10] << 8);
	return mps;
}

/* One ACL packet (H4 type octet first): LE Credit Based / Credit Based Connection Requests and
 * successful Responses on the LE signaling channel (CID 0x0005), first fragments only. */
static void sniff_acl(const uint8_t *b, size_t n, bool out)
{
	if (n < 1 + 4 + 4 + 4)
		return;
	uint16_t handle = (uint16_t)((b[1] | b[2] << 8) & 0x0FFF);
	unsigned pb = (b[2] >> 4) & 3;
	size_t dlen = (size_t)(b[3] | b[4] << 8);
	if (pb == 1 || dlen + 5 > n)
		return;
	const uint8_t *l = b + 5;
	size_t llen = (size_t)(l[0] | l[1] << 8);
	uint16_t lcid = (uint16_t)(l[2] | l[3] << 8);
	if ((lcid != 0x0005 && lcid != 0x0001) || llen + 4 > dlen || llen < 4)
		return;
	const uint8_t *c = l + 4;
	size_t clen = (size_t)(c[2] | c[3] << 8);
	if (clen + 4 > llen)
		return;
	const uint8_t *d = c + 4;
#define G16(o) ((uint16_t)(d[(o)] | d[(o) + 1] << 8))
	/* Disconnection Request: DCID, SCID (the kernel's CID: SCID when it sends, DCID when it
	 * receives) */
	if (c[0] == 0x06 && clen >= 4)
		disc_seen(handle, out ? G16(2) : G16(0), out);
	/* BR/EDR configuration: the RFC option's MPS (ERTM, Streaming: "event open mps=") */
	if (lcid == 0x0001 && c[0] == 0x04 && clen >= 4) {
		uint16_t m = rfc_mps(d + 4, clen - 4);
		if (m)
			announce_k(handle, out, G16(0), 0, m, A_REQ);
	}
	if (lcid == 0x0001 && c[0] == 0x05 && clen >= 6 && G16(4) == 0) {
		uint16_t m = rfc_mps(d + 6, clen - 6);
		if (m)
			announce_k(handle, out, G16(0), 0, m, A_RSP);
	}
	/* the kernel's connection requests (identifier -> its CIDs) and their refusals */
	if (out && ((lcid == 0x0005 && (c[0] == 0x14 || c[0] == 0x17)) || (lcid == 0x0001 && c[0] == 0x02))) {
		int i = req_next;
		req_next = (req_next + 1) % MAX_REQ;
		reqs[i].used = true;
		reqs[i].answered = false;
		reqs[i].le = lcid == 0x0005;
		reqs[i].handle = handle;
		reqs[i].ident = c[1];
		reqs[i].n = 0;
		if (c[0] == 0x14 && clen >= 10)
			reqs[i].scid[reqs[i].n++] = G16(2);
		else if (c[0] == 0x02 && clen >= 4)
			reqs[i].scid[reqs[i].n++] = G16(2);
		else
			for (size_t o = 8; c[0] == 0x17 && o + 2 <= clen && reqs[i].n < 5; o += 2)
				reqs[i].scid[reqs[i].n++] = G16(o);
	}
	if (!out && c[0] == 0x01) /* a Command Reject answers the request of its identifier */
		for (int i = 0; i < MAX_REQ; i++)
			if (reqs[i].used && reqs[i].handle == handle && reqs[i].ident == c[1] &&
			    reqs[i].le == (lcid == 0x0005))
				reqs[i].answered = true;
	if (!out && ((lcid == 0x0005 && (c[0] == 0x15 || c[0] == 0x18)) || (lcid == 0x0001 && c[0] == 0x03))) {
		uint16_t result = c[0] == 0x15 && clen >= 10 ? G16(8) : c[0] == 0x18 && clen >= 8 ? G16(6)
				: c[0] == 0x03 && clen >= 8 ? G16(4) : 0;
		for (int i = 0; i < MAX_REQ; i++) /* a final answer ("pending" is none) */
			if (reqs[i].used && reqs[i].handle == handle && reqs[i].ident == c[1] &&
			    reqs[i].le == (lcid == 0x0005) && !(c[0] == 0x03 && result == 1))
				reqs[i].answered = true;
		for (int i = 0; result && result != (c[0] == 0x03 ? 1 : 0) && i < MAX_REQ; i++) {
			if (!reqs[i].used || reqs[i].handle != handle || reqs[i].ident != c[1] ||
			    reqs[i].le != (lcid == 0x0005))
				continue;
			for (int k = 0; k < reqs[i].n; k++) {
				/* an ECFC response refuses the CIDs it gives no DCID for */
				if (c[0] == 0x18 && 8 + 2 * (size_t)k + 2 <= clen && G16(8 + 2 * (size_t)k))
					continue;
				refs[ref_next].used = true;
				refs[ref_next].cid = reqs[i].scid[k];
				refs[ref_next].result = result;
				ref_next = (ref_next + 1) % MAX_REF;
			}
			reqs[i].used = false;
		}
	}
	if (lcid != 0x0005)
		return;
	switch (c[0]) {
	case 0x14: /* LE Credit Based Connection Request: SPSM, SCID, MTU, MPS, credits */
		if (clen >= 10)
			announce(handle, out, G16(2), G16(4), G16(6));
		break;
	case 0x15: /* ... Response: DCID, MTU, MPS, credits, result */
		if (clen >= 10 && G16(8) == 0)
			announce(handle, out, G16(0), G16(2), G16(4));
		break;
	case 0x17: /* Credit Based Connection Request: SPSM, MTU, MPS, credits, SCID... */
		for (size_t o = 8; clen >= 10 && o + 2 <= clen; o += 2)
			announce(handle, out, G16(o), G16(2), G16(4));
		break;
	case 0x18: /* ... Response: MTU, MPS, credits, result, DCID... */
		for (size_t o = 8; clen >= 10 && o + 2 <= clen; o += 2)
			if (G16(o))
				announce(handle, out, G16(o), G16(0), G16(2));
		break;
	default:
		break;
	}
#undef G16
}

static void hci_read(void)
{
	uint8_t b[1100];
	for (;;) {
		char cbuf[64];
		struct iovec iov = {.iov_base = b, .iov_len = sizeof(b)};
		struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
		ssize_t r = recvmsg(hci_fd, &m, MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		if (b[0] == 0x02) {
			int in = 1;
			for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm))
				if (cm->cmsg_level == SOL_HCI && cm->cmsg_type == HCI_CMSG_DIR &&
				    cm->cmsg_len >= CMSG_LEN(sizeof(int)))
					memcpy(&in, CMSG_DATA(cm), sizeof(int));
			sniff_acl(b, (size_t)r, !in);
			continue;
		}
		if (r < 3 || b[0] != 0x04 || (size_t)r < 3u + b[2])
			continue;
		const uint8_t *p = b + 3;
		size_t plen = b[2];
		struct link *l;
		if (b[1] == 0x03 && plen >= 11 && p[0] == 0) { /* Connection Complete */
			if ((l = link_slot((uint16_t)((p[1] | p[2] << 8) & 0x0FFF), true)) != NULL) {
				memcpy(l->addr, p + 3, 6);
				l->down = l->le = false; /* handles are reused */
				disc_forget(l->handle, 0);
				ann_forget(l->handle);
				char as[18];
				addr_str(l->addr, as);
				outf("event link-up addr=%s handle=%u", as, l->handle);
			}
		} else if (b[1] == 0x3E && plen >= 12 && (p[0] == 0x01 || p[0] == 0x0A) && p[1] == 0) {
			/* LE (Enhanced) Connection Complete: handle at 2, address at 6 */
			if ((l = link_slot((uint16_t)((p[2] | p[3] << 8) & 0x0FFF), true)) != NULL) {
				memcpy(l->addr, p + 6, 6);
				l->le = true;
				l->down = false;
				disc_forget(l->handle, 0);
				ann_forget(l->handle);
				char as[18];
				addr_str(l->addr, as);
				outf("event link-up addr=%s handle=%u", as, l->handle);
			}
		} else if (b[1] == 0x05 && plen >= 4 && p[0] == 0) { /* Disconnection Complete */
			uint16_t h = (uint16_t)((p[1] | p[2] << 8) & 0x0FFF);
			char as[18] = "00:00:00:00:00:00";
			if ((l = link_slot(h, true)) != NULL) {
				l->down = true;
				addr_str(l->addr, as);
			}
			outf("event link-down addr=%s handle=%u reason=%u", as, h, p[3]);
			if (l && l->le)
				readvertise();
		}
	}
}

/* ---- the control socket ----------------------------------------------------------------------- */

static void client_gone(void)
{
	logline("-", "client gone: every channel and server closed");
	close(cli_fd);
	cli_fd = -1;
	inlen = 0;
	close_all();
}

static void client_read(void)
{
	ssize_t r = read(cli_fd, inbuf + inlen, sizeof(inbuf) - 1 - inlen);
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0) {
		client_gone();
		return;
	}
	inlen += (size_t)r;
	char *nl;
	while (cli_fd >= 0 && (nl = memchr(inbuf, '\n', inlen)) != NULL) {
		*nl = 0;
		if (nl > inbuf && nl[-1] == '\r')
			nl[-1] = 0;
		static char ans[1024];
		logline("<", inbuf);
		int rc = request(inbuf, ans, sizeof(ans));
		if (rc == 0)
			outf("ok%s%s", *ans ? " " : "", ans);
		else
			outf("err %s", ans);
		size_t used = (size_t)(nl - inbuf) + 1;
		memmove(inbuf, nl + 1, inlen - used);
		inlen -= used;
		if (quitting)
			return;
	}
	if (inlen == sizeof(inbuf) - 1) {
		outf("err line too long");
		inlen = 0;
	}
}

enum { W_HCI = -1, W_CTL = -2, W_ECHO = -3, W_MGMT = -4, W_DISC = -5, W_SERVER = 1000 };

static int usage(void)
{
	fprintf(stderr, "usage: kiut --control unix:PATH [--index N] [--le-adv] [--ready-file F] [--log FILE]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *ctl = NULL, *ready = NULL;
	bool le_adv = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--control") && i + 1 < argc)
			ctl = argv[++i];
		else if (!strcmp(argv[i], "--index") && i + 1 < argc)
			hci_index = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--le-adv"))
			le_adv = true;
		else if (!strcmp(argv[i], "--ready-file") && i + 1 < argc)
			ready = argv[++i];
		else if (!strcmp(argv[i], "--log") && i + 1 < argc) {
			logf_ = fopen(argv[++i], "a");
			if (!logf_) {
				perror(argv[i]);
				return 1;
			}
		} else
			return usage();
	}
	if (!ctl || strncmp(ctl, "unix:", 5) || !ctl[5] || strlen(ctl + 5) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return usage();
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < MAX_SERVERS; i++)
		servers[i].fd = -1;
	for (int i = 0; i < MAX_CHANS; i++)
		chans[i].fd = -1;
	uint8_t a[6];
	if (hci_addr(a) < 0) {
		fprintf(stderr, "kiut: no controller hci%d: %s\n", hci_index, strerror(errno));
		return 1;
	}
	hci_open();
	if (pipe2(disc_pipe, O_CLOEXEC) < 0) {
		perror("kiut: pipe");
		disc_pipe[0] = disc_pipe[1] = -1;
	} else {
		fcntl(disc_pipe[0], F_SETFL, fcntl(disc_pipe[0], F_GETFL) | O_NONBLOCK);
	}
	if (le_adv) {
		mgmt_open();
		readvertise();
	}
	struct sockaddr_un su = {.sun_family = AF_UNIX};
	strcpy(su.sun_path, ctl + 5);
	unlink(su.sun_path);
	ctl_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ctl_fd < 0 || bind(ctl_fd, (struct sockaddr *)&su, sizeof(su)) < 0 || listen(ctl_fd, 1) < 0) {
		fprintf(stderr, "kiut: %s: %s\n", ctl, strerror(errno));
		return 1;
	}
	char as[18];
	addr_str(a, as);
	printf("kiut: hci%d %s, control %s\n", hci_index, as, ctl);
	fflush(stdout);
	if (ready) {
		FILE *f = fopen(ready, "w");
		if (f)
			fclose(f);
	}
	while (!quitting) {
		struct pollfd p[5 + MAX_SERVERS + MAX_CHANS];
		int who[5 + MAX_SERVERS + MAX_CHANS]; /* W_* or a server (W_SERVER + i) or a chan (i) */
		int np = 0;
		/* the controller's events first: a link that went down names the channels' reason */
		if (hci_fd >= 0) {
			p[np] = (struct pollfd){.fd = hci_fd, .events = POLLIN};
			who[np++] = W_HCI;
		}
		if (mgmt_fd >= 0) {
			p[np] = (struct pollfd){.fd = mgmt_fd, .events = POLLIN};
			who[np++] = W_MGMT;
		}
		if (disc_pipe[0] >= 0) {
			p[np] = (struct pollfd){.fd = disc_pipe[0], .events = POLLIN};
			who[np++] = W_DISC;
		}
		p[np] = (struct pollfd){.fd = cli_fd >= 0 ? cli_fd : ctl_fd, .events = POLLIN};
		who[np++] = W_CTL;
		if (echo_fd >= 0) {
			p[np] = (struct pollfd){.fd = echo_fd, .events = POLLIN};
			who[np++] = W_ECHO;
		}
		for (int i = 0; i < MAX_SERVERS; i++)
			if (servers[i].fd >= 0) {
				p[np] = (struct pollfd){.fd = servers[i].fd, .events = POLLIN};
				who[np++] = W_SERVER + i;
			}
		for (int i = 0; i < MAX_CHANS; i++) {
			if (chans[i].st == CH_OPEN)
				p[np] = (struct pollfd){.fd = chans[i].fd,
							.events = (short)(POLLIN | (chans[i].qn ? POLLOUT : 0))};
			else if (chans[i].st == CH_CONNECTING)
				p[np] = (struct pollfd){.fd = chans[i].fd, .events = POLLOUT};
			else
				continue; /* a deferred channel is never read: that would accept it; a
					   * closing one is shut down */
			who[np++] = i;
		}
		int timeout = -1;
		if (echo_fd >= 0) {
			double left = echo_deadline - now_ms();
			timeout = left > 0 ? (int)left + 1 : 0;
		}
		int r = poll(p, (nfds_t)np, timeout);
		if (r < 0 && errno != EINTR) {
			perror("kiut: poll");
			return 1;
		}
		if (echo_fd >= 0 && now_ms() >= echo_deadline) {
			outf("event echo err=-%d hex=", ETIMEDOUT);
			close(echo_fd);
			echo_fd = -1;
		}
		for (int i = 0; i < np && r > 0 && !quitting; i++) {
			if (!p[i].revents)
				continue;
			if (who[i] == W_HCI) {
				hci_read();
			} else if (who[i] == W_MGMT) {
				mgmt_read();
			} else if (who[i] == W_DISC) {
				disc_read();
			} else if (who[i] == W_CTL) {
				if (cli_fd < 0) {
					cli_fd = accept4(ctl_fd, NULL, NULL, SOCK_CLOEXEC);
					logline("-", "client connected");
				} else {
					client_read();
				}
			} else if (who[i] == W_ECHO) {
				if (echo_fd >= 0)
					echo_read();
			} else if (who[i] >= W_SERVER) {
				struct server *sv = &servers[who[i] - W_SERVER];
				if (sv->fd < 0)
					continue; /* closed by a request in this round */
				int cfd;
				while ((cfd = accept4(sv->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					if (sv->refuse) {
						close(cfd); /* a deferred channel closed unread: refused */
						continue;
					}
					struct chan *c = chan_new(cfd, sv->psm, sv->le, sv->ecfc, sv->defer ? CH_DEFERRED : CH_OPEN);
					if (!c) {
						close(cfd);
						continue;
					}
					if (!sv->defer)
						chan_opened(c);
				}
			} else {
				struct chan *c = &chans[who[i]];
				if (c->st == CH_OPEN && p[i].fd == c->fd && (p[i].revents & POLLOUT) && c->qn) {
					int e = chan_flush(c);
					if (e)
						fprintf(stderr, "kiut: chan %d: a queued SDU: send: %s\n", chan_no(c), strerror(e));
				}
				if (c->st == CH_OPEN && p[i].fd == c->fd && (p[i].revents & ~POLLOUT))
					chan_read(c, p[i].revents);
				else if (c->st == CH_CONNECTING && p[i].fd == c->fd)
					chan_connecting(c, p[i].revents);
			}
		}
	}
	close_all();
	if (cli_fd >= 0)
		close(cli_fd);
	unlink(su.sun_path);
	return 0;
}
