/* Firmware files for the vendor start-up (hci/vendor.h): NAME ("rtl_bt/rtl8761bu_fw.bin") is
 * looked up in the stack's firmware_dir, then /lib/firmware/updates and /lib/firmware, as the
 * Linux kernel does. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/stack_internal.h"

#define FW_MAX (16u << 20) /* no vendor firmware is near this */

/* 0, L2K_ENOENT (no such file), or another error with why in where. */
static int read_file(const char *path, uint8_t **data, size_t *len, char *where, size_t wlen)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return errno == ENOENT || errno == ENOTDIR ? L2K_ENOENT : (snprintf(where, wlen, "%s: %s", path, strerror(errno)), L2K_EIO);
	size_t cap = 64 * 1024, n = 0;
	uint8_t *b = malloc(cap);
	int r = 0;
	while (b) {
		if (n == cap) {
			if (cap >= FW_MAX) {
				snprintf(where, wlen, "%s: larger than %u octets: not a firmware file", path, FW_MAX);
				r = L2K_EMSGSIZE;
				break;
			}
			uint8_t *nb = realloc(b, cap * 2);
			if (!nb)
				break;
			b = nb;
			cap *= 2;
		}
		size_t k = fread(b + n, 1, cap - n, f);
		n += k;
		if (k == 0) {
			if (ferror(f)) {
				snprintf(where, wlen, "%s: read error", path);
				r = L2K_EIO;
			}
			break;
		}
	}
	fclose(f);
	if (!b)
		return L2K_ENOMEM;
	if (r < 0) {
		free(b);
		return r;
	}
	*data = b;
	*len = n;
	snprintf(where, wlen, "%s", path);
	return 0;
}

int l2k_firmware_load(void *arg, const char *name, uint8_t **data, size_t *len, char *where, size_t wlen)
{
	l2k_stack *s = arg;
	const char *dirs[3];
	int nd = 0;
	if (s->fw_dir[0])
		dirs[nd++] = s->fw_dir;
	dirs[nd++] = "/lib/firmware/updates";
	dirs[nd++] = "/lib/firmware";
	char looked[256] = "";
	for (int i = 0; i < nd; i++) {
		char path[768];
		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
		int r = read_file(path, data, len, where, wlen);
		if (r != L2K_ENOENT)
			return r;
		size_t l = strlen(looked);
		snprintf(looked + l, sizeof(looked) - l, "%s%s", i ? ", " : "", dirs[i]);
	}
	snprintf(where, wlen, "%s", looked);
	return L2K_ENOENT;
}
