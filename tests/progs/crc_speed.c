/* crc_speed: speed of the FCS (CRC-16, Vol 3 Part A 3.3.5) l2kit computes, against the
 * bit-at-a-time definition, over 1 KiB frames.  Prints "table MBPS bitwise MBPS" on one line;
 * exit 1 when the two disagree.  Run by l2bench's "fcs" section (the CRC is internal to the
 * library, so the tool asks this test program). */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "core/l2cap_crc16.h"

static uint16_t crc_bitwise(const uint8_t *p, size_t n)
{
	uint16_t c = 0;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int b = 0; b < 8; b++)
			c = (uint16_t)(c & 1 ? (c >> 1) ^ 0xA001 : c >> 1);
	}
	return c;
}

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static volatile uint16_t sink;

static double rate(uint16_t (*fn)(const uint8_t *, size_t), const uint8_t *buf, size_t len)
{
	uint64_t bytes = 0;
	double t0 = cpu_s(), t;
	do {
		for (int i = 0; i < 16; i++)
			sink = fn(buf, len);
		bytes += 16 * len;
		t = cpu_s() - t0;
	} while (t < 0.1);
	return (double)bytes / t;
}

int main(void)
{
	static uint8_t buf[1024];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	if (l2cap_crc16(buf, sizeof(buf)) != crc_bitwise(buf, sizeof(buf))) {
		fprintf(stderr, "crc_speed: the table CRC-16 disagrees with the bitwise definition\n");
		return 1;
	}
	printf("table %.1f bitwise %.1f\n", rate(l2cap_crc16, buf, sizeof(buf)) / 1e6,
	       rate(crc_bitwise, buf, sizeof(buf)) / 1e6);
	return 0;
}
