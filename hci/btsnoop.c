/* btsnoop writer: "btsnoop\0", version 1, datalink 1002, then records of
 * original length, included length, flags, cumulative drops (all 32-bit big endian) and a
 * 64-bit big-endian timestamp in microseconds since 0000-01-01 (RFC 1761 style).
 * The header and every record reach the file (fflush) before the call returns: a program that
 * is killed, crashes or exits without closing the stack leaves every record written so far. */
#include <stdio.h>
#include <stdlib.h>

#include "base/l2k_error.h"
#include "hci/btsnoop.h"
#include "base/hci_defs.h"

/* microseconds from btsnoop's epoch (midnight, 1 January of year 0 AD) to 1970-01-01, as
 * Wireshark and BlueZ's btmon count them (BlueZ writes microseconds since 2000-01-01 plus its
 * 0x00E03AB44A676000, the same instant) */
#define BTSNOOP_EPOCH_DELTA 0x00DCDDB30F2F8000ULL
#define BTSNOOP_DLT_H4 1002

struct hci_btsnoop {
	FILE *f;
};

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

struct hci_btsnoop *hci_btsnoop_open(const char *path)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return NULL;
	struct hci_btsnoop *s = malloc(sizeof(*s));
	if (!s) {
		fclose(f);
		return NULL;
	}
	s->f = f;
	uint8_t hdr[16] = {'b', 't', 's', 'n', 'o', 'o', 'p', 0};
	be32(hdr + 8, 1);
	be32(hdr + 12, BTSNOOP_DLT_H4);
	if (fwrite(hdr, 1, sizeof(hdr), f) != sizeof(hdr) || fflush(f) != 0) {
		fclose(f);
		free(s);
		return NULL;
	}
	return s;
}

int hci_btsnoop_write(struct hci_btsnoop *s, uint64_t unix_us, bool incoming, uint8_t type,
		      const uint8_t *pkt, size_t len)
{
	if (!s)
		return L2K_EINVAL;
	uint8_t rec[25];
	uint32_t flags = incoming ? 1u : 0u;
	if (type == HCI_H4_CMD || type == HCI_H4_EVT)
		flags |= 2u;
	be32(rec + 0, (uint32_t)(len + 1));
	be32(rec + 4, (uint32_t)(len + 1));
	be32(rec + 8, flags);
	be32(rec + 12, 0);
	uint64_t ts = unix_us + BTSNOOP_EPOCH_DELTA;
	be32(rec + 16, (uint32_t)(ts >> 32));
	be32(rec + 20, (uint32_t)ts);
	rec[24] = type;
	if (fwrite(rec, 1, sizeof(rec), s->f) != sizeof(rec) || fwrite(pkt, 1, len, s->f) != len ||
	    fflush(s->f) != 0) /* one write(2) per record (when it fits the buffer) */
		return L2K_EIO;
	return 0;
}

void hci_btsnoop_close(struct hci_btsnoop *s)
{
	if (!s)
		return;
	fclose(s->f);
	free(s);
}
