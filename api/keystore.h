/* l2kit's default key store (api/keystore.c): in memory, and in a file when path is given. */
#ifndef L2K_API_KEYSTORE_H
#define L2K_API_KEYSTORE_H

#include <stddef.h>

#include "api/l2kit.h"

/* Fill *out with the store's functions.  0, L2K_ENOMEM, L2K_EIO (the file cannot be read),
 * L2K_EINVAL (the file is not a key store: errbuf names the line). */
int keystore_open(const char *path, struct l2k_key_store *out, char *errbuf, size_t errlen);
void keystore_close(struct l2k_key_store *st);

#endif
