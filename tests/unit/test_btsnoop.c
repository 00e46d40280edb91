/* The btsnoop writer (hci/btsnoop.c): the header and every record are in the file as soon as
 * the call returns, before any close, so that a program killed mid-run (SIGTERM from timeout,
 * SIGKILL, a crash) leaves a capture that btmon -r reads up to its last packet; timestamps are
 * the format's (microseconds since year 0). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/l2k_error.h"
#include "hci/btsnoop.h"
#include "base/hci_defs.h"

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The whole file as another reader sees it now (not through the writer's stdio buffer). */
static size_t read_file(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	size_t n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static void every_record_is_on_disk_before_close(void **st)
{
	(void)st;
	char path[] = "/tmp/l2kit-test-btsnoop-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct hci_btsnoop *s = hci_btsnoop_open(path);
	assert_non_null(s);
	static uint8_t buf[4096];
	/* the header alone, right after the open */
	assert_int_equal(read_file(path, buf, sizeof(buf)), 16);
	assert_memory_equal(buf, "btsnoop\0", 8);
	assert_int_equal(be32(buf + 8), 1);
	assert_int_equal(be32(buf + 12), 1002);
	/* small records: each one is there when the call returns */
	const uint8_t reset[3] = {0x03, 0x0C, 0x00}; /* HCI_Reset */
	const uint8_t done[6] = {0x0E, 0x04, 0x01, 0x03, 0x0C, 0x00};
	size_t want = 16;
	for (int i = 0; i < 5; i++) {
		assert_int_equal(hci_btsnoop_write(s, 1000u * (uint64_t)i, false, HCI_H4_CMD, reset, sizeof(reset)), 0);
		want += 24 + 1 + sizeof(reset);
		assert_int_equal(read_file(path, buf, sizeof(buf)), want);
		assert_int_equal(hci_btsnoop_write(s, 1000u * (uint64_t)i + 1, true, HCI_H4_EVT, done, sizeof(done)), 0);
		want += 24 + 1 + sizeof(done);
		assert_int_equal(read_file(path, buf, sizeof(buf)), want);
	}
	/* the last record as written: lengths (with the H4 type byte), flags (received event), type */
	const uint8_t *rec = buf + want - (24 + 1 + sizeof(done));
	assert_int_equal(be32(rec), 1 + sizeof(done));
	assert_int_equal(be32(rec + 4), 1 + sizeof(done));
	assert_int_equal(be32(rec + 8), 3);
	assert_int_equal(rec[24], HCI_H4_EVT);
	assert_memory_equal(rec + 25, done, sizeof(done));
	hci_btsnoop_close(s);
	assert_int_equal(read_file(path, buf, sizeof(buf)), want);
	unlink(path);
}

/* The timestamp counts microseconds from midnight, 1 January of year 0: the offset of the Unix
 * epoch is Wireshark's (wiretap/btsnoop.c: 0x00dcddb30f2f8000), and 2000-01-01 00:00:00 UTC is
 * BlueZ's base (src/shared/btsnoop.c writes microseconds since 2000 plus 0x00E03AB44A676000).
 * (Captures of 2026 were dated 2056: the writer added the 2000 base to Unix time.) */
static void timestamps_count_from_year_0(void **st)
{
	(void)st;
	char path[] = "/tmp/l2kit-test-btsnoop-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct hci_btsnoop *s = hci_btsnoop_open(path);
	assert_non_null(s);
	const uint8_t reset[3] = {0x03, 0x0C, 0x00};
	const uint64_t y2000_unix_us = 946684800ULL * 1000000ULL;
	assert_int_equal(hci_btsnoop_write(s, 0, false, HCI_H4_CMD, reset, sizeof(reset)), 0);
	assert_int_equal(hci_btsnoop_write(s, y2000_unix_us + 7, false, HCI_H4_CMD, reset, sizeof(reset)), 0);
	hci_btsnoop_close(s);
	static uint8_t buf[256];
	assert_int_equal(read_file(path, buf, sizeof(buf)), 16 + 2 * (24 + 1 + sizeof(reset)));
	const uint8_t *r0 = buf + 16, *r1 = r0 + 24 + 1 + sizeof(reset);
	uint64_t t0 = (uint64_t)be32(r0 + 16) << 32 | be32(r0 + 20);
	uint64_t t1 = (uint64_t)be32(r1 + 16) << 32 | be32(r1 + 20);
	assert_true(t0 == 0x00dcddb30f2f8000ULL);
	assert_true(t1 == 0x00E03AB44A676000ULL + 7);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_record_is_on_disk_before_close),
	    cmocka_unit_test(timestamps_count_from_year_0),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
