/* libFuzzer harness: the L2CAP signaling codec (core/l2cap_sig.h).
 * Input: a C-frame payload.  The first 8 commands l2cap_sig_next() returns are decoded by every
 * parser (whatever the code: a parser must cope with any bytes), later ones by their own; each
 * successful decode is built
 * again: into a buffer of exactly the needed size (same bytes as into a big one), into one
 * octet less (refused, nothing written past it), and parsed back to the same values. */
#include <stdlib.h>
#include <string.h>

#include "core/l2cap_sig.h"
#include "tests/fuzz/fz.h"

static uint8_t g_big[70000];

/* Build with BUILD into the big buffer, into an exact heap buffer and into one octet less;
 * parse the result back with PARSE into b. */
#define ROUND_TRIP(T, PARSE, BUILD, a, b, ident)                                                    \
	do {                                                                                        \
		size_t n_ = BUILD(g_big, sizeof(g_big), ident, &(a));                               \
		if (!n_)                                                                            \
			break;                                                                      \
		FZ_ASSERT(n_ >= 4 && n_ == 4 + (size_t)(g_big[2] | g_big[3] << 8));                 \
		FZ_ASSERT(g_big[1] == (ident));                                                     \
		uint8_t *e_ = malloc(n_);                                                           \
		FZ_ASSERT(e_ != NULL);                                                              \
		FZ_ASSERT(BUILD(e_, n_, ident, &(a)) == n_);                                        \
		FZ_ASSERT(!memcmp(e_, g_big, n_));                                                  \
		FZ_ASSERT(BUILD(e_, n_ - 1, ident, &(a)) == 0);                                     \
		memset(&(b), 0, sizeof(b));                                                         \
		FZ_ASSERT(PARSE(e_ + 4, n_ - 4, &(b)) == 0);                                        \
		free(e_);                                                                           \
	} while (0)

#define FIXED(T, PARSE, BUILD)                                                                      \
	do {                                                                                        \
		T a_, b_;                                                                           \
		memset(&a_, 0, sizeof(a_));                                                         \
		if (PARSE(d, len, &a_) == 0) {                                                      \
			ROUND_TRIP(T, PARSE, BUILD, a_, b_, ident);                                 \
			FZ_ASSERT(!memcmp(&a_, &b_, sizeof(a_)));                                   \
		}                                                                                   \
	} while (0)

/* Every parser when all is set (the first commands of a frame), else only code's own. */
static void all_parsers(const uint8_t *d, size_t len, uint8_t ident, uint8_t code, bool all)
{
#define ON(c) if (all || code == (c))
	ON(L2CAP_CONNECTION_REQ) FIXED(struct l2cap_conn_req, l2cap_parse_conn_req, l2cap_build_conn_req);
	ON(L2CAP_CONNECTION_RSP) FIXED(struct l2cap_conn_rsp, l2cap_parse_conn_rsp, l2cap_build_conn_rsp);
	ON(L2CAP_DISCONNECTION_REQ) FIXED(struct l2cap_disconn, l2cap_parse_disconn_req, l2cap_build_disconn_req);
	ON(L2CAP_DISCONNECTION_RSP) FIXED(struct l2cap_disconn, l2cap_parse_disconn_rsp, l2cap_build_disconn_rsp);
	ON(L2CAP_INFORMATION_REQ) FIXED(struct l2cap_info_req, l2cap_parse_info_req, l2cap_build_info_req);
	ON(L2CAP_CONN_PARAM_UPDATE_REQ) FIXED(struct l2cap_conn_param_req, l2cap_parse_conn_param_req, l2cap_build_conn_param_req);
	ON(L2CAP_CONN_PARAM_UPDATE_RSP) FIXED(struct l2cap_conn_param_rsp, l2cap_parse_conn_param_rsp, l2cap_build_conn_param_rsp);
	ON(L2CAP_LE_CREDIT_BASED_CONNECTION_REQ) FIXED(struct l2cap_le_conn_req, l2cap_parse_le_conn_req, l2cap_build_le_conn_req);
	ON(L2CAP_LE_CREDIT_BASED_CONNECTION_RSP) FIXED(struct l2cap_le_conn_rsp, l2cap_parse_le_conn_rsp, l2cap_build_le_conn_rsp);
	ON(L2CAP_FLOW_CONTROL_CREDIT_IND) FIXED(struct l2cap_credit_ind, l2cap_parse_credit_ind, l2cap_build_credit_ind);
	ON(L2CAP_CREDIT_BASED_CONNECTION_RSP) FIXED(struct l2cap_ecfc_conn_rsp, l2cap_parse_ecfc_conn_rsp, l2cap_build_ecfc_conn_rsp);
	ON(L2CAP_CREDIT_BASED_RECONFIGURE_RSP) FIXED(struct l2cap_ecfc_reconf_rsp, l2cap_parse_ecfc_reconf_rsp, l2cap_build_ecfc_reconf_rsp);

	ON(L2CAP_CREDIT_BASED_CONNECTION_REQ) { /* variable CID lists: L2K_EINVAL keeps the fixed fields */
		struct l2cap_ecfc_conn_req a, b;
		memset(&a, 0, sizeof(a));
		int r = l2cap_parse_ecfc_conn_req(d, len, &a);
		FZ_ASSERT(r == 0 || r == L2K_EBADMSG || r == L2K_EINVAL);
		if (r == 0) {
			FZ_ASSERT(a.n_scid >= 1 && a.n_scid <= 5);
			ROUND_TRIP(x, l2cap_parse_ecfc_conn_req, l2cap_build_ecfc_conn_req, a, b, ident);
			FZ_ASSERT(!memcmp(&a, &b, sizeof(a)));
		}
	}
	ON(L2CAP_CREDIT_BASED_RECONFIGURE_REQ) {
		struct l2cap_ecfc_reconf_req a, b;
		memset(&a, 0, sizeof(a));
		int r = l2cap_parse_ecfc_reconf_req(d, len, &a);
		FZ_ASSERT(r == 0 || r == L2K_EBADMSG || r == L2K_EINVAL);
		if (r == 0) {
			FZ_ASSERT(a.n_dcid >= 1 && a.n_dcid <= 5);
			ROUND_TRIP(x, l2cap_parse_ecfc_reconf_req, l2cap_build_ecfc_reconf_req, a, b, ident);
			FZ_ASSERT(!memcmp(&a, &b, sizeof(a)));
		}
	}
	ON(L2CAP_CONFIGURATION_REQ) { /* pointers into the input: must stay inside it */
		struct l2cap_conf_req a, b;
		if (l2cap_parse_conf_req(d, len, &a) == 0) {
			FZ_ASSERT(a.opts_len == 0 || (a.opts >= d && a.opts + a.opts_len <= d + len));
			ROUND_TRIP(x, l2cap_parse_conf_req, l2cap_build_conf_req, a, b, ident);
			FZ_ASSERT(a.dcid == b.dcid && a.flags == b.flags && a.opts_len == b.opts_len);
		}
	}
	ON(L2CAP_CONFIGURATION_RSP) {
		struct l2cap_conf_rsp a, b;
		if (l2cap_parse_conf_rsp(d, len, &a) == 0) {
			FZ_ASSERT(a.opts_len == 0 || (a.opts >= d && a.opts + a.opts_len <= d + len));
			ROUND_TRIP(x, l2cap_parse_conf_rsp, l2cap_build_conf_rsp, a, b, ident);
			FZ_ASSERT(a.scid == b.scid && a.result == b.result && a.opts_len == b.opts_len);
		}
	}
	ON(L2CAP_ECHO_REQ) {
		struct l2cap_echo a, b;
		FZ_ASSERT(l2cap_parse_echo(d, len, &a) == 0);
		FZ_ASSERT(a.len == 0 || (a.data >= d && a.data + a.len <= d + len));
		ROUND_TRIP(x, l2cap_parse_echo, l2cap_build_echo_req, a, b, ident);
		ROUND_TRIP(x, l2cap_parse_echo, l2cap_build_echo_rsp, a, b, ident);
	}
	ON(L2CAP_COMMAND_REJECT_RSP) {
		struct l2cap_cmd_rej a, b;
		if (l2cap_parse_cmd_rej(d, len, &a) == 0) {
			FZ_ASSERT(a.data_len == 0 || (a.data >= d && a.data + a.data_len <= d + len));
			ROUND_TRIP(x, l2cap_parse_cmd_rej, l2cap_build_cmd_rej, a, b, ident);
			FZ_ASSERT(a.reason == b.reason);
		}
	}
	ON(L2CAP_INFORMATION_RSP) {
		struct l2cap_info_rsp a, b;
		if (l2cap_parse_info_rsp(d, len, &a) == 0) {
			FZ_ASSERT(a.data_len == 0 || (a.data >= d && a.data + a.data_len <= d + len));
			ROUND_TRIP(x, l2cap_parse_info_rsp, l2cap_build_info_rsp, a, b, ident);
			FZ_ASSERT(a.type == b.type && a.result == b.result);
		}
	}
#undef ON
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;
	struct l2cap_sig_cmd c;
	int guard = 0;
	for (;;) {
		size_t before = off;
		int r = l2cap_sig_next(data, size, &off, &c);
		FZ_ASSERT(off <= size);
		if (r != L2CAP_SIG_CMD) {
			FZ_ASSERT(r == L2CAP_SIG_DONE || r == L2K_EBADMSG || r == L2K_EMSGSIZE);
			FZ_ASSERT(r != L2CAP_SIG_DONE || before == size);
			if (r == L2K_EMSGSIZE) {
				FZ_ASSERT(c.avail < c.len && c.data + c.avail == data + size);
				all_parsers(c.data, c.avail, c.ident, c.code, true);
			}
			break;
		}
		FZ_ASSERT(off == before + 4 + c.len && c.avail == c.len);
		FZ_ASSERT(c.data == data + before + 4);
		const struct l2cap_sig_cmd_info *info = l2cap_sig_cmd_info(c.code);
		FZ_ASSERT(!info || info->name);
		(void)l2cap_sig_cmd_allowed(c.code, L2CAP_LINK_ACL);
		(void)l2cap_sig_cmd_allowed(c.code, L2CAP_LINK_LE);
		/* an exact-size copy so that ASan sees any read past the command */
		uint8_t *cp = malloc(c.len ? c.len : 1);
		FZ_ASSERT(cp != NULL);
		memcpy(cp, c.data, c.len);
		all_parsers(cp, c.len, c.ident, c.code, guard < 8);
		free(cp);
		FZ_ASSERT(++guard <= 70000);
	}
	return 0;
}
