/* l2kit's default key store: bonds in memory, and in a human-readable file when one is named
 * (docs/security.md, "The key store file").  The file is read when the stack opens and written
 * whole after every change: to a temporary file in the same folder, flushed to disk, then
 * renamed over the old one, so a crash leaves the old file or the new one, never a torn one.
 *
 *   # l2kit key store
 *   [00:AA:01:00:00:01 le-public]
 *   ltk = 0f1e2d3c4b5a69788796a5b4c3d2e1f0
 *   ediv = 0x1f2e
 *   ...
 *
 * One section per bonded peer, named by its identity address and type (bredr, le-public,
 * le-random); in it "key = value" lines (hexadecimal octets in the order the air carries them,
 * numbers in decimal or 0x hexadecimal, yes/no).  An unknown key or a malformed line is
 * reported with its line number and the file is not used, so that a store is never half-read
 * and then overwritten. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef _WIN32
#include <io.h>
#include <windows.h>
#endif

#include "api/keystore.h"

#define KS_MAX 256 /* bonds a store holds */

struct keystore {
	char *path; /* NULL: memory only */
	struct l2k_bond b[KS_MAX];
	int n;
};

static int find(const struct keystore *ks, const l2k_addr *peer, enum l2k_addr_type type)
{
	for (int i = 0; i < ks->n; i++)
		if (!memcmp(ks->b[i].peer.b, peer->b, 6) && ks->b[i].peer_type == type)
			return i;
	return -1;
}

static const char *type_name(enum l2k_addr_type t)
{
	return t == L2K_ADDR_LE_PUBLIC ? "le-public" : t == L2K_ADDR_LE_RANDOM ? "le-random" : "bredr";
}

/* ---- writing -------------------------------------------------------------------------------- */

static void put_hex(FILE *f, const char *key, const uint8_t *p, size_t n)
{
	fprintf(f, "%s = ", key);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
	fputc('\n', f);
}

static void write_bond(FILE *f, const struct l2k_bond *b)
{
	char a[18];
	fprintf(f, "\n[%s %s]\n", l2k_addr_str(&b->peer, a), type_name(b->peer_type));
	if (b->has_link_key) {
		put_hex(f, "link_key", b->link_key, 16);
		fprintf(f, "link_key_type = %u\n", b->link_key_type);
		if (b->pin_len)
			fprintf(f, "pin_length = %u\n", b->pin_len);
	}
	if (b->has_ltk) {
		put_hex(f, "ltk", b->ltk, 16);
		fprintf(f, "ediv = 0x%04x\n", b->ediv);
		put_hex(f, "rand", b->rand, 8);
	}
	if (b->has_local_ltk) {
		put_hex(f, "local_ltk", b->local_ltk, 16);
		fprintf(f, "local_ediv = 0x%04x\n", b->local_ediv);
		put_hex(f, "local_rand", b->local_rand, 8);
	}
	if (b->has_irk)
		put_hex(f, "irk", b->irk, 16);
	if (b->has_csrk)
		put_hex(f, "csrk", b->csrk, 16);
	fprintf(f, "key_size = %u\n", b->key_size);
	fprintf(f, "authenticated = %s\n", b->authenticated ? "yes" : "no");
	fprintf(f, "secure_connections = %s\n", b->secure_conn ? "yes" : "no");
}

static int save(struct keystore *ks)
{
	if (!ks->path)
		return 0;
	size_t n = strlen(ks->path) + 16;
	char *tmp = malloc(n);
	if (!tmp)
		return L2K_ENOMEM;
	snprintf(tmp, n, "%s.tmp", ks->path);
	/* link keys: readable by the owner only, whatever the umask */
#ifdef _WIN32 /* (the file's ACL, inherited from its folder, decides who reads it) */
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOINHERIT, 0600);
#else
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
#endif
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		free(tmp);
		return L2K_EIO;
	}
	fprintf(f, "# l2kit key store (docs/security.md): one section per bonded peer.\n"
		   "# Written by l2kit after every pairing or removal; keep it private.\n");
	for (int i = 0; i < ks->n; i++)
		write_bond(f, &ks->b[i]);
	int bad = fflush(f) != 0 || ferror(f);
#ifdef _WIN32
	if (!bad && _commit(fileno(f)) != 0)
		bad = 1;
	if (fclose(f) != 0)
		bad = 1;
	/* rename() does not replace an existing file on Windows */
	if (bad || !MoveFileExA(tmp, ks->path, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
#else
	if (!bad && fsync(fileno(f)) != 0)
		bad = 1;
	if (fclose(f) != 0)
		bad = 1;
	if (bad || rename(tmp, ks->path) != 0) {
#endif
		unlink(tmp);
		free(tmp);
		return L2K_EIO;
	}
	free(tmp);
	return 0;
}

/* ---- reading -------------------------------------------------------------------------------- */

static int hex(const char *v, uint8_t *out, size_t n)
{
	if (strlen(v) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned x;
		if (sscanf(v + 2 * i, "%2x", &x) != 1)
			return -1;
		out[i] = (uint8_t)x;
	}
	return 0;
}

static int number(const char *v, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long x = strtoul(v, &end, 0);
	if (errno || end == v || *end || x > max || *v == '-')
		return -1;
	*out = x;
	return 0;
}

static int yesno(const char *v, bool *out)
{
	if (!strcmp(v, "yes"))
		*out = true;
	else if (!strcmp(v, "no"))
		*out = false;
	else
		return -1;
	return 0;
}

static int field(struct l2k_bond *b, const char *k, const char *v)
{
	unsigned long x;
	if (!strcmp(k, "link_key")) {
		b->has_link_key = true;
		return hex(v, b->link_key, 16);
	}
	if (!strcmp(k, "link_key_type"))
		return number(v, 8, &x) ? -1 : (b->link_key_type = (uint8_t)x, 0);
	if (!strcmp(k, "pin_length"))
		return number(v, 16, &x) ? -1 : (b->pin_len = (uint8_t)x, 0);
	if (!strcmp(k, "ltk")) {
		b->has_ltk = true;
		return hex(v, b->ltk, 16);
	}
	if (!strcmp(k, "ediv"))
		return number(v, 0xFFFF, &x) ? -1 : (b->ediv = (uint16_t)x, 0);
	if (!strcmp(k, "rand"))
		return hex(v, b->rand, 8);
	if (!strcmp(k, "local_ltk")) {
		b->has_local_ltk = true;
		return hex(v, b->local_ltk, 16);
	}
	if (!strcmp(k, "local_ediv"))
		return number(v, 0xFFFF, &x) ? -1 : (b->local_ediv = (uint16_t)x, 0);
	if (!strcmp(k, "local_rand"))
		return hex(v, b->local_rand, 8);
	if (!strcmp(k, "irk")) {
		b->has_irk = true;
		return hex(v, b->irk, 16);
	}
	if (!strcmp(k, "csrk")) {
		b->has_csrk = true;
		return hex(v, b->csrk, 16);
	}
	if (!strcmp(k, "key_size"))
		return number(v, 16, &x) || x < 1 ? -1 : (b->key_size = (uint8_t)x, 0);
	if (!strcmp(k, "authenticated"))
		return yesno(v, &b->authenticated);
	if (!strcmp(k, "secure_connections"))
		return yesno(v, &b->secure_conn);
	return -1;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = 0;
	return s;
}

static int load(struct keystore *ks, char *errbuf, size_t errlen)
{
	FILE *f = fopen(ks->path, "r");
	if (!f) {
		if (errno == ENOENT)
			return 0; /* a new store */
		snprintf(errbuf, errlen, "key store %s: %s", ks->path, strerror(errno));
		return L2K_EIO;
	}
	char line[512];
	int lineno = 0;
	struct l2k_bond *cur = NULL;
	int r = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		char *l = trim(line);
		if (!*l || *l == '#')
			continue;
		if (*l == '[') {
			char a[32], t[32];
			l2k_addr peer;
			enum l2k_addr_type type;
			if (sscanf(l, "[%31s %31[^]]]", a, t) != 2 || l2k_addr_parse(a, &peer) < 0)
				goto bad;
			if (!strcmp(t, "bredr"))
				type = L2K_ADDR_BREDR;
			else if (!strcmp(t, "le-public"))
				type = L2K_ADDR_LE_PUBLIC;
			else if (!strcmp(t, "le-random"))
				type = L2K_ADDR_LE_RANDOM;
			else
				goto bad;
			if (ks->n == KS_MAX || find(ks, &peer, type) >= 0)
				goto bad;
			cur = &ks->b[ks->n++];
			memset(cur, 0, sizeof(*cur));
			cur->peer = peer;
			cur->peer_type = type;
			cur->key_size = 16;
			continue;
		}
		char *eq = strchr(l, '=');
		if (!cur || !eq)
			goto bad;
		*eq = 0;
		if (field(cur, trim(l), trim(eq + 1)) < 0)
			goto bad;
	}
	fclose(f);
	return 0;
bad:
	snprintf(errbuf, errlen, "key store %s: line %d is not understood (docs/security.md says what the file holds)",
		 ks->path, lineno);
	r = L2K_EINVAL;
	fclose(f);
	ks->n = 0;
	return r;
}

/* ---- the store interface ---------------------------------------------------------------------- */

static int ks_get(void *user, const l2k_addr *peer, enum l2k_addr_type type, struct l2k_bond *out)
{
	struct keystore *ks = user;
	int i = find(ks, peer, type);
	if (i < 0)
		return L2K_ENOENT;
	*out = ks->b[i];
	return 0;
}

static int ks_put(void *user, const struct l2k_bond *bond)
{
	struct keystore *ks = user;
	int i = find(ks, &bond->peer, bond->peer_type);
	struct l2k_bond old;
	bool had = i >= 0;
	if (!had) {
		if (ks->n == KS_MAX)
			return L2K_ENOBUFS;
		i = ks->n++;
	} else {
		old = ks->b[i];
	}
	ks->b[i] = *bond;
	int r = save(ks);
	if (r < 0) {
		/* the file keeps the old state: so does memory */
		if (had)
			ks->b[i] = old;
		else
			ks->n--;
	}
	return r;
}

static int ks_del(void *user, const l2k_addr *peer, enum l2k_addr_type type)
{
	struct keystore *ks = user;
	int i = find(ks, peer, type);
	if (i < 0)
		return L2K_ENOENT;
	struct l2k_bond old = ks->b[i];
	memmove(&ks->b[i], &ks->b[i + 1], (size_t)(ks->n - i - 1) * sizeof(ks->b[0]));
	ks->n--;
	int r = save(ks);
	if (r < 0) {
		memmove(&ks->b[i + 1], &ks->b[i], (size_t)(ks->n - i) * sizeof(ks->b[0]));
		ks->b[i] = old;
		ks->n++;
	}
	return r;
}

static int ks_list(void *user, struct l2k_bond *out, int max)
{
	struct keystore *ks = user;
	for (int i = 0; i < ks->n && i < max; i++)
		out[i] = ks->b[i];
	return ks->n;
}

int keystore_open(const char *path, struct l2k_key_store *out, char *errbuf, size_t errlen)
{
	struct keystore *ks = calloc(1, sizeof(*ks));
	if (!ks)
		return L2K_ENOMEM;
	if (path && !(ks->path = strdup(path))) {
		free(ks);
		return L2K_ENOMEM;
	}
	if (ks->path) {
		int r = load(ks, errbuf, errlen);
		if (r < 0) {
			free(ks->path);
			free(ks);
			return r;
		}
	}
	memset(out, 0, sizeof(*out));
	out->user = ks;
	out->get = ks_get;
	out->put = ks_put;
	out->del = ks_del;
	out->list = ks_list;
	out->resolve = NULL; /* the security manager resolves RPAs from the listed IRKs */
	return 0;
}

void keystore_close(struct l2k_key_store *st)
{
	struct keystore *ks = st->user;
	if (!ks)
		return;
	memset(ks->b, 0, sizeof(ks->b)); /* keys do not linger in freed memory */
	free(ks->path);
	free(ks);
	st->user = NULL;
}
