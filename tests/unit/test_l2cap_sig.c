/* Unit tests: L2CAP signaling codec (core/l2cap_sig.h), Core v5.4 Vol 3 Part A 4. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/l2cap_sig.h"

/* Returns the single command held by b[0..n-1], asserting that it is complete and alone. */
static struct l2cap_sig_cmd one_cmd(const uint8_t *b, size_t n)
{
	struct l2cap_sig_cmd c;
	size_t off = 0;
	assert_int_equal(l2cap_sig_next(b, n, &off, &c), L2CAP_SIG_CMD);
	assert_int_equal(c.avail, c.len);
	assert_int_equal(off, n);
	assert_int_equal(l2cap_sig_next(b, n, &off, &c), L2CAP_SIG_DONE);
	return c;
}

/* ---- exact vectors, written by hand from the field layouts of 4.x ---- */

static void test_vector_connection_req(void **state)
{
	(void)state;
	/* Connection Request, ident 1, PSM 0x0001 (SDP), SCID 0x0040 (4.2) */
	static const uint8_t want[] = {0x02, 0x01, 0x04, 0x00, 0x01, 0x00, 0x40, 0x00};
	uint8_t b[16];
	struct l2cap_conn_req in = {.psm = 0x0001, .scid = 0x0040}, out;
	assert_int_equal(l2cap_build_conn_req(b, sizeof(b), 0x01, &in), sizeof(want));
	assert_memory_equal(b, want, sizeof(want));
	struct l2cap_sig_cmd c = one_cmd(want, sizeof(want));
	assert_int_equal(l2cap_parse_conn_req(c.data, c.len, &out), 0);
	assert_int_equal(out.psm, 0x0001);
	assert_int_equal(out.scid, 0x0040);
}

static void test_vector_connection_rsp_pending(void **state)
{
	(void)state;
	/* DCID 0x0041 SCID 0x0040 result Pending status Authentication pending (4.3) */
	static const uint8_t want[] = {0x03, 0x07, 0x08, 0x00, 0x41, 0x00, 0x40,
				       0x00, 0x01, 0x00, 0x01, 0x00};
	uint8_t b[16];
	struct l2cap_conn_rsp in = {0x0041, 0x0040, L2CAP_CR_PENDING, L2CAP_CS_AUTHENTICATION_PENDING};
	assert_int_equal(l2cap_build_conn_rsp(b, sizeof(b), 0x07, &in), sizeof(want));
	assert_memory_equal(b, want, sizeof(want));
}

static void test_vector_configuration_req_mtu(void **state)
{
	(void)state;
	/* DCID 0x0040, flags 0, option MTU(0x01) len 2 value 672 = 0x02A0 (4.4, 5.1) */
	static const uint8_t want[] = {0x04, 0x02, 0x08, 0x00, 0x40, 0x00,
				       0x00, 0x00, 0x01, 0x02, 0xA0, 0x02};
	static const uint8_t opt[] = {0x01, 0x02, 0xA0, 0x02};
	uint8_t b[16];
	struct l2cap_conf_req in = {.dcid = 0x0040, .flags = 0, .opts = opt, .opts_len = 4}, out;
	assert_int_equal(l2cap_build_conf_req(b, sizeof(b), 0x02, &in), sizeof(want));
	assert_memory_equal(b, want, sizeof(want));
	struct l2cap_sig_cmd c = one_cmd(want, sizeof(want));
	assert_int_equal(l2cap_parse_conf_req(c.data, c.len, &out), 0);
	assert_int_equal(out.dcid, 0x0040);
	assert_int_equal(out.opts_len, 4);
	assert_memory_equal(out.opts, opt, 4);
}

static void test_vector_command_reject_invalid_cid(void **state)
{
	(void)state;
	/* reason 0x0002, local endpoint 0x0041, remote endpoint 0x0040 (4.1) */
	static const uint8_t want[] = {0x01, 0x05, 0x06, 0x00, 0x02, 0x00, 0x41, 0x00, 0x40, 0x00};
	uint8_t b[16];
	struct l2cap_cmd_rej in = {.reason = L2CAP_REJ_INVALID_CID, .local_cid = 0x41, .remote_cid = 0x40};
	assert_int_equal(l2cap_build_cmd_rej(b, sizeof(b), 0x05, &in), sizeof(want));
	assert_memory_equal(b, want, sizeof(want));
}

static void test_vector_info_rsp_features(void **state)
{
	(void)state;
	/* Extended features: ERTM|Streaming|FCS|Fixed channels = 0x000000B8 (4.11, 4.12) */
	static const uint8_t want[] = {0x0B, 0x03, 0x08, 0x00, 0x02, 0x00,
				       0x00, 0x00, 0xB8, 0x00, 0x00, 0x00};
	uint8_t b[16];
	struct l2cap_info_rsp in = {.type = L2CAP_INFO_EXTENDED_FEATURES, .result = L2CAP_INFO_SUCCESS,
				    .features = L2CAP_FEAT_ERTM | L2CAP_FEAT_STREAMING |
						L2CAP_FEAT_FCS | L2CAP_FEAT_FIXED_CHANNELS};
	assert_int_equal(l2cap_build_info_rsp(b, sizeof(b), 0x03, &in), sizeof(want));
	assert_memory_equal(b, want, sizeof(want));
}

static void test_vector_le_credit_conn_req(void **state)
{
	(void)state;
	/* SPSM 0x0080 SCID 0x0040 MTU 512 MPS 247 credits 10 (4.22) */
	static const uint8_t want[] = {0x14, 0x01, 0x0A, 0x00, 0x80, 0x00, 0x40,
				       0x00, 0x00, 0x02, 0xF7, 0x00, 0x0A, 0x00};
	uint8_t b[16];
	struct l2cap_le_conn_req in = {0x0080, 0x0040, 512, 247, 10};
	assert_int_equal(l2cap_build_le_conn_req(b, sizeof(b), 0x01, &in), sizeof(want));
	assert_memory_equal(b, want, sizeof(want));
}

static void test_vector_ecfc_exchange(void **state)
{
	(void)state;
	/* An exchange as a qualification tester logs it: request SPSM 0x27 MTU 65 MPS 64
	 * credits 10 SCID 0x40; response MTU 65 MPS 65 credits 2 success DCID 0x40;
	 * reconfigure MTU 64 MPS 64 DCID 0x40 (4.25, 4.26, 4.27) */
	static const uint8_t req[] = {0x17, 0x01, 0x0A, 0x00, 0x27, 0x00, 0x41,
				      0x00, 0x40, 0x00, 0x0A, 0x00, 0x40, 0x00};
	static const uint8_t rsp[] = {0x18, 0x01, 0x0A, 0x00, 0x41, 0x00, 0x41,
				      0x00, 0x02, 0x00, 0x00, 0x00, 0x40, 0x00};
	static const uint8_t rcf[] = {0x19, 0x02, 0x06, 0x00, 0x40, 0x00, 0x40, 0x00, 0x40, 0x00};
	uint8_t b[32];
	struct l2cap_ecfc_conn_req rq = {.spsm = 0x27, .mtu = 65, .mps = 64, .credits = 10,
					 .n_scid = 1, .scid = {0x40}};
	assert_int_equal(l2cap_build_ecfc_conn_req(b, sizeof(b), 0x01, &rq), sizeof(req));
	assert_memory_equal(b, req, sizeof(req));
	struct l2cap_sig_cmd c = one_cmd(rsp, sizeof(rsp));
	struct l2cap_ecfc_conn_rsp rs;
	assert_int_equal(l2cap_parse_ecfc_conn_rsp(c.data, c.len, &rs), 0);
	assert_int_equal(rs.mtu, 65);
	assert_int_equal(rs.mps, 65);
	assert_int_equal(rs.credits, 2);
	assert_int_equal(rs.result, L2CAP_ECFC_SUCCESS);
	assert_int_equal(rs.n_dcid, 1);
	assert_int_equal(rs.dcid[0], 0x40);
	struct l2cap_ecfc_reconf_req rc = {.mtu = 64, .mps = 64, .n_dcid = 1, .dcid = {0x40}};
	assert_int_equal(l2cap_build_ecfc_reconf_req(b, sizeof(b), 0x02, &rc), sizeof(rcf));
	assert_memory_equal(b, rcf, sizeof(rcf));
}

/* ---- round trips of every command ---- */

#define ROUNDTRIP(name, code_, in_, out_)                                                   \
	do {                                                                                \
		uint8_t b_[64];                                                             \
		size_t n_ = l2cap_build_##name(b_, sizeof(b_), 0xA5, &(in_));               \
		assert_true(n_ >= L2CAP_SIG_HDR_LEN);                                       \
		struct l2cap_sig_cmd c_ = one_cmd(b_, n_);                                  \
		assert_int_equal(c_.code, (code_));                                         \
		assert_int_equal(c_.ident, 0xA5);                                           \
		assert_int_equal(c_.len, n_ - L2CAP_SIG_HDR_LEN);                           \
		memset(&(out_), 0xEE, sizeof(out_));                                        \
		assert_int_equal(l2cap_parse_##name(c_.data, c_.len, &(out_)), 0);          \
		for (size_t k_ = 0; k_ < n_; k_++) /* too small: nothing */                 \
			assert_int_equal(l2cap_build_##name(b_, k_, 0xA5, &(in_)), 0);      \
	} while (0)

static void test_roundtrip_fixed_commands(void **state)
{
	(void)state;
	struct l2cap_conn_req cq = {0x1001, 0xFFFF}, cq2;
	ROUNDTRIP(conn_req, L2CAP_CONNECTION_REQ, cq, cq2);
	assert_memory_equal(&cq, &cq2, sizeof(cq));

	struct l2cap_conn_rsp cr = {0x0040, 0x7F01, L2CAP_CR_SCID_IN_USE, 0x0002}, cr2;
	ROUNDTRIP(conn_rsp, L2CAP_CONNECTION_RSP, cr, cr2);
	assert_memory_equal(&cr, &cr2, sizeof(cr));

	struct l2cap_disconn dq = {0x1234, 0xABCD}, dq2;
	ROUNDTRIP(disconn_req, L2CAP_DISCONNECTION_REQ, dq, dq2);
	assert_memory_equal(&dq, &dq2, sizeof(dq));
	ROUNDTRIP(disconn_rsp, L2CAP_DISCONNECTION_RSP, dq, dq2);
	assert_memory_equal(&dq, &dq2, sizeof(dq));

	struct l2cap_info_req iq = {L2CAP_INFO_FIXED_CHANNELS}, iq2;
	ROUNDTRIP(info_req, L2CAP_INFORMATION_REQ, iq, iq2);
	assert_int_equal(iq2.type, L2CAP_INFO_FIXED_CHANNELS);

	struct l2cap_conn_param_req pq = {6, 3200, 499, 3200}, pq2;
	ROUNDTRIP(conn_param_req, L2CAP_CONN_PARAM_UPDATE_REQ, pq, pq2);
	assert_memory_equal(&pq, &pq2, sizeof(pq));
	struct l2cap_conn_param_rsp pr = {L2CAP_CPU_REJECTED}, pr2;
	ROUNDTRIP(conn_param_rsp, L2CAP_CONN_PARAM_UPDATE_RSP, pr, pr2);
	assert_int_equal(pr2.result, L2CAP_CPU_REJECTED);

	struct l2cap_le_conn_req lq = {0x00FF, 0x007F, 65535, 65533, 65535}, lq2;
	ROUNDTRIP(le_conn_req, L2CAP_LE_CREDIT_BASED_CONNECTION_REQ, lq, lq2);
	assert_memory_equal(&lq, &lq2, sizeof(lq));
	struct l2cap_le_conn_rsp lr = {0x0041, 23, 23, 0, L2CAP_LE_INVALID_PARAMS}, lr2;
	ROUNDTRIP(le_conn_rsp, L2CAP_LE_CREDIT_BASED_CONNECTION_RSP, lr, lr2);
	assert_memory_equal(&lr, &lr2, sizeof(lr));

	struct l2cap_credit_ind ci = {0x0040, 0xFFFF}, ci2;
	ROUNDTRIP(credit_ind, L2CAP_FLOW_CONTROL_CREDIT_IND, ci, ci2);
	assert_memory_equal(&ci, &ci2, sizeof(ci));

	struct l2cap_ecfc_reconf_rsp rr = {L2CAP_RECONF_UNACCEPTABLE}, rr2;
	ROUNDTRIP(ecfc_reconf_rsp, L2CAP_CREDIT_BASED_RECONFIGURE_RSP, rr, rr2);
	assert_int_equal(rr2.result, L2CAP_RECONF_UNACCEPTABLE);
}

static void test_roundtrip_command_reject_each_reason(void **state)
{
	(void)state;
	struct l2cap_cmd_rej a = {.reason = L2CAP_REJ_NOT_UNDERSTOOD}, o;
	ROUNDTRIP(cmd_rej, L2CAP_COMMAND_REJECT_RSP, a, o);
	assert_int_equal(o.reason, 0);
	assert_int_equal(o.data_len, 0);

	struct l2cap_cmd_rej m = {.reason = L2CAP_REJ_SIG_MTU_EXCEEDED, .mtu = 48};
	ROUNDTRIP(cmd_rej, L2CAP_COMMAND_REJECT_RSP, m, o);
	assert_int_equal(o.reason, 1);
	assert_int_equal(o.mtu, 48);
	assert_int_equal(o.data_len, 2);

	struct l2cap_cmd_rej c = {.reason = L2CAP_REJ_INVALID_CID, .local_cid = 0x45, .remote_cid = 0x99};
	ROUNDTRIP(cmd_rej, L2CAP_COMMAND_REJECT_RSP, c, o);
	assert_int_equal(o.local_cid, 0x45);
	assert_int_equal(o.remote_cid, 0x99);
	assert_int_equal(o.data_len, 4);
}

static void test_roundtrip_configuration_with_continuation(void **state)
{
	(void)state;
	static const uint8_t opts[] = {0x01, 0x02, 0x30, 0x00, 0x05, 0x01, 0x00};
	struct l2cap_conf_req q = {0x0040, L2CAP_CONF_FLAG_CONTINUATION, opts, sizeof(opts)}, q2;
	ROUNDTRIP(conf_req, L2CAP_CONFIGURATION_REQ, q, q2);
	assert_int_equal(q2.flags, L2CAP_CONF_FLAG_CONTINUATION);
	assert_int_equal(q2.opts_len, sizeof(opts));
	assert_memory_equal(q2.opts, opts, sizeof(opts));

	struct l2cap_conf_rsp r = {0x0041, 0, L2CAP_CONF_UNACCEPTABLE, opts, 4}, r2;
	ROUNDTRIP(conf_rsp, L2CAP_CONFIGURATION_RSP, r, r2);
	assert_int_equal(r2.scid, 0x0041);
	assert_int_equal(r2.result, L2CAP_CONF_UNACCEPTABLE);
	assert_int_equal(r2.opts_len, 4);
	assert_memory_equal(r2.opts, opts, 4);

	/* option-less request and response */
	struct l2cap_conf_req e = {0x0042, 0, NULL, 0};
	ROUNDTRIP(conf_req, L2CAP_CONFIGURATION_REQ, e, q2);
	assert_int_equal(q2.opts_len, 0);
}

static void test_build_conf_req_options_in_place(void **state)
{
	(void)state;
	uint8_t b[32];
	static const uint8_t opts[] = {0x01, 0x02, 0xA0, 0x02, 0x02, 0x02, 0xFF, 0xFF};
	memcpy(b + 8, opts, sizeof(opts)); /* options written where they end up */
	struct l2cap_conf_req q = {0x0040, 0, b + 8, sizeof(opts)};
	assert_int_equal(l2cap_build_conf_req(b, sizeof(b), 9, &q), 8 + sizeof(opts));
	assert_memory_equal(b + 8, opts, sizeof(opts));
	memcpy(b + 10, opts, sizeof(opts));
	struct l2cap_conf_rsp r = {0x0040, 0, 0, b + 10, sizeof(opts)};
	assert_int_equal(l2cap_build_conf_rsp(b, sizeof(b), 9, &r), 10 + sizeof(opts));
	assert_memory_equal(b + 10, opts, sizeof(opts));
}

static void test_roundtrip_echo(void **state)
{
	(void)state;
	static const uint8_t data[] = "arbitrary echo data";
	struct l2cap_echo e = {data, sizeof(data)}, e2;
	uint8_t b[64];
	size_t n = l2cap_build_echo_req(b, sizeof(b), 3, &e);
	assert_int_equal(n, 4 + sizeof(data));
	struct l2cap_sig_cmd c = one_cmd(b, n);
	assert_int_equal(c.code, L2CAP_ECHO_REQ);
	assert_int_equal(l2cap_parse_echo(c.data, c.len, &e2), 0);
	assert_int_equal(e2.len, sizeof(data));
	assert_memory_equal(e2.data, data, sizeof(data));
	n = l2cap_build_echo_rsp(b, sizeof(b), 3, &e2);
	assert_int_equal(b[0], L2CAP_ECHO_RSP);
	assert_int_equal(n, 4 + sizeof(data));
	assert_int_equal(l2cap_build_echo_rsp(b, n - 1, 3, &e2), 0);
	struct l2cap_echo empty = {NULL, 0};
	assert_int_equal(l2cap_build_echo_req(b, sizeof(b), 4, &empty), 4);
	assert_int_equal(l2cap_parse_echo(b + 4, 0, &e2), 0);
	assert_int_equal(e2.len, 0);
}

static void test_roundtrip_information_rsp_each_type(void **state)
{
	(void)state;
	struct l2cap_info_rsp o;
	struct l2cap_info_rsp m = {.type = L2CAP_INFO_CONNECTIONLESS_MTU, .mtu = 670};
	ROUNDTRIP(info_rsp, L2CAP_INFORMATION_RSP, m, o);
	assert_int_equal(o.mtu, 670);
	assert_int_equal(o.data_len, 2);
	struct l2cap_info_rsp f = {.type = L2CAP_INFO_EXTENDED_FEATURES, .features = 0x800007FFu};
	ROUNDTRIP(info_rsp, L2CAP_INFORMATION_RSP, f, o);
	assert_int_equal(o.features, 0x800007FFu);
	struct l2cap_info_rsp x = {.type = L2CAP_INFO_FIXED_CHANNELS,
				   .fixed_channels = 0x8000000000000086ull};
	ROUNDTRIP(info_rsp, L2CAP_INFORMATION_RSP, x, o);
	assert_true(o.fixed_channels == 0x8000000000000086ull);
	assert_int_equal(o.data_len, 8);
	struct l2cap_info_rsp ns = {.type = L2CAP_INFO_FIXED_CHANNELS, .result = L2CAP_INFO_NOT_SUPPORTED};
	ROUNDTRIP(info_rsp, L2CAP_INFORMATION_RSP, ns, o);
	assert_int_equal(o.result, L2CAP_INFO_NOT_SUPPORTED);
	assert_int_equal(o.data_len, 0);
	assert_true(o.fixed_channels == 0);
	static const uint8_t raw[] = {1, 2, 3};
	struct l2cap_info_rsp unk = {.type = 0x0099, .data = raw, .data_len = 3};
	ROUNDTRIP(info_rsp, L2CAP_INFORMATION_RSP, unk, o);
	assert_int_equal(o.type, 0x0099);
	assert_int_equal(o.data_len, 3);
	assert_memory_equal(o.data, raw, 3);
}

static void test_roundtrip_ecfc_one_to_five_cids(void **state)
{
	(void)state;
	for (uint8_t n = 1; n <= L2CAP_ECFC_MAX_CIDS; n++) {
		struct l2cap_ecfc_conn_req q = {0x0081, 64, 64, 5, n, {0}}, q2;
		struct l2cap_ecfc_conn_rsp r = {100, 80, 3, L2CAP_ECFC_SOME_NO_RESOURCES, n, {0}}, r2;
		struct l2cap_ecfc_reconf_req c = {200, 100, n, {0}}, c2;
		for (uint8_t i = 0; i < n; i++) {
			q.scid[i] = (uint16_t)(0x40 + i);
			r.dcid[i] = (uint16_t)(i % 2 ? 0 : 0x70 + i);
			c.dcid[i] = (uint16_t)(0x50 + i);
		}
		ROUNDTRIP(ecfc_conn_req, L2CAP_CREDIT_BASED_CONNECTION_REQ, q, q2);
		assert_int_equal(q2.spsm, 0x0081);
		assert_int_equal(q2.mtu, 64);
		assert_int_equal(q2.mps, 64);
		assert_int_equal(q2.credits, 5);
		assert_int_equal(q2.n_scid, n);
		assert_memory_equal(q2.scid, q.scid, sizeof(q.scid));
		ROUNDTRIP(ecfc_conn_rsp, L2CAP_CREDIT_BASED_CONNECTION_RSP, r, r2);
		assert_int_equal(r2.mtu, 100);
		assert_int_equal(r2.mps, 80);
		assert_int_equal(r2.credits, 3);
		assert_int_equal(r2.result, L2CAP_ECFC_SOME_NO_RESOURCES);
		assert_int_equal(r2.n_dcid, n);
		assert_memory_equal(r2.dcid, r.dcid, sizeof(r.dcid));
		ROUNDTRIP(ecfc_reconf_req, L2CAP_CREDIT_BASED_RECONFIGURE_REQ, c, c2);
		assert_int_equal(c2.mtu, 200);
		assert_int_equal(c2.mps, 100);
		assert_int_equal(c2.n_dcid, n);
		assert_memory_equal(c2.dcid, c.dcid, sizeof(c.dcid));
	}
	/* a refusal with no DCIDs at all is representable */
	struct l2cap_ecfc_conn_rsp z = {0, 0, 0, L2CAP_ECFC_INVALID_PARAMS, 0, {0}}, z2;
	ROUNDTRIP(ecfc_conn_rsp, L2CAP_CREDIT_BASED_CONNECTION_RSP, z, z2);
	assert_int_equal(z2.n_dcid, 0);
}

static void test_builders_refuse_unencodable_input(void **state)
{
	(void)state;
	uint8_t b[64];
	struct l2cap_ecfc_conn_req q = {.n_scid = 0};
	assert_int_equal(l2cap_build_ecfc_conn_req(b, sizeof(b), 1, &q), 0);
	q.n_scid = 6;
	assert_int_equal(l2cap_build_ecfc_conn_req(b, sizeof(b), 1, &q), 0);
	struct l2cap_ecfc_conn_rsp r = {.n_dcid = 6};
	assert_int_equal(l2cap_build_ecfc_conn_rsp(b, sizeof(b), 1, &r), 0);
	struct l2cap_ecfc_reconf_req c = {.n_dcid = 0};
	assert_int_equal(l2cap_build_ecfc_reconf_req(b, sizeof(b), 1, &c), 0);
	c.n_dcid = 6;
	assert_int_equal(l2cap_build_ecfc_reconf_req(b, sizeof(b), 1, &c), 0);
	struct l2cap_echo e = {NULL, 5};
	assert_int_equal(l2cap_build_echo_req(b, sizeof(b), 1, &e), 0);
	assert_int_equal(l2cap_build_conn_req(b, sizeof(b), 1, NULL), 0);
	assert_int_equal(l2cap_build_cmd(b, sizeof(b), 0x08, 1, NULL, 1), 0);
	static uint8_t big[0x10000 + 8];
	assert_int_equal(l2cap_build_cmd(big, sizeof(big), 0x08, 1, big + 4, 0x10000), 0);
	assert_int_equal(l2cap_build_cmd(big, sizeof(big), 0x08, 1, big + 4, 0xFFFF), 0x10003);
}

/* ---- malformed: shorter than the fixed fields, or longer than a fixed size ---- */

typedef int (*parse_fn)(const uint8_t *, size_t, void *);
#define WRAP(name, type)                                                                    \
	static int w_##name(const uint8_t *d, size_t l, void *o)                            \
	{                                                                                   \
		return l2cap_parse_##name(d, l, (struct type *)o);                          \
	}
WRAP(cmd_rej, l2cap_cmd_rej)
WRAP(conn_req, l2cap_conn_req)
WRAP(conn_rsp, l2cap_conn_rsp)
WRAP(conf_req, l2cap_conf_req)
WRAP(conf_rsp, l2cap_conf_rsp)
WRAP(disconn_req, l2cap_disconn)
WRAP(disconn_rsp, l2cap_disconn)
WRAP(echo, l2cap_echo)
WRAP(info_req, l2cap_info_req)
WRAP(info_rsp, l2cap_info_rsp)
WRAP(conn_param_req, l2cap_conn_param_req)
WRAP(conn_param_rsp, l2cap_conn_param_rsp)
WRAP(le_conn_req, l2cap_le_conn_req)
WRAP(le_conn_rsp, l2cap_le_conn_rsp)
WRAP(credit_ind, l2cap_credit_ind)
WRAP(ecfc_conn_req, l2cap_ecfc_conn_req)
WRAP(ecfc_conn_rsp, l2cap_ecfc_conn_rsp)
WRAP(ecfc_reconf_req, l2cap_ecfc_reconf_req)
WRAP(ecfc_reconf_rsp, l2cap_ecfc_reconf_rsp)

static const struct {
	const char *name;
	parse_fn fn;
	size_t fixed; /* octets below which L2K_EBADMSG is due */
} parsers[] = {
	{"cmd_rej", w_cmd_rej, 2},	       {"conn_req", w_conn_req, 4},
	{"conn_rsp", w_conn_rsp, 8},	       {"conf_req", w_conf_req, 4},
	{"conf_rsp", w_conf_rsp, 6},	       {"disconn_req", w_disconn_req, 4},
	{"disconn_rsp", w_disconn_rsp, 4},     {"echo", w_echo, 0},
	{"info_req", w_info_req, 2},	       {"info_rsp", w_info_rsp, 4},
	{"conn_param_req", w_conn_param_req, 8}, {"conn_param_rsp", w_conn_param_rsp, 2},
	{"le_conn_req", w_le_conn_req, 10},    {"le_conn_rsp", w_le_conn_rsp, 10},
	{"credit_ind", w_credit_ind, 4},       {"ecfc_conn_req", w_ecfc_conn_req, 8},
	{"ecfc_conn_rsp", w_ecfc_conn_rsp, 8}, {"ecfc_reconf_req", w_ecfc_reconf_req, 4},
	{"ecfc_reconf_rsp", w_ecfc_reconf_rsp, 2},
};

static void test_every_parser_rejects_short_data(void **state)
{
	(void)state;
	union {
		struct l2cap_ecfc_conn_req a;
		struct l2cap_info_rsp b;
		struct l2cap_cmd_rej c;
		uint8_t raw[128];
	} out;
	for (size_t i = 0; i < sizeof(parsers) / sizeof(parsers[0]); i++) {
		for (size_t len = 0; len < parsers[i].fixed; len++) {
			/* exact-size heap copy: ASan/valgrind catch any read past it */
			uint8_t *d = malloc(len ? len : 1);
			assert_non_null(d);
			memset(d, 0x00, len ? len : 1);
			int rc = parsers[i].fn(d, len, &out);
			if (rc != L2K_EBADMSG)
				fail_msg("%s accepted %zu octets (rc %d)", parsers[i].name, len, rc);
			free(d);
		}
		assert_int_equal(parsers[i].fn(NULL, 0, NULL), L2K_EINVAL);
	}
}

/* A command of a fixed size is exactly that size: extra octets make it as malformed as missing
 * ones (l2cap_sig.h); variable parts take the rest; a known Command Reject reason or
 * Information Response type has its fixed data. */
static void test_fixed_commands_reject_extra_octets(void **state)
{
	(void)state;
	static const uint8_t d[] = {0x40, 0x00, 0x41, 0x00, 0xDE, 0xAD};
	struct l2cap_disconn o;
	assert_int_equal(l2cap_parse_disconn_req(d, sizeof(d), &o), L2K_EBADMSG);
	assert_int_equal(l2cap_parse_disconn_req(d, 5, &o), L2K_EBADMSG);
	assert_int_equal(l2cap_parse_disconn_req(d, 4, &o), 0);
	assert_int_equal(o.dcid, 0x40);
	assert_int_equal(o.scid, 0x41);
	struct l2cap_le_conn_req l;
	uint8_t e[12] = {0x80, 0, 0x40, 0, 23, 0, 23, 0, 1, 0, 0xFF, 0xFF};
	assert_int_equal(l2cap_parse_le_conn_req(e, sizeof(e), &l), L2K_EBADMSG);
	assert_int_equal(l2cap_parse_le_conn_req(e, 10, &l), 0);
	assert_int_equal(l.credits, 1);
	/* every fixed-size parser: one octet more is refused */
	for (size_t i = 0; i < sizeof(parsers) / sizeof(parsers[0]); i++) {
		static const char *const fixed[] = {"conn_req", "conn_rsp", "disconn_req", "disconn_rsp", "info_req",
						    "conn_param_req", "conn_param_rsp", "le_conn_req", "le_conn_rsp",
						    "credit_ind", "ecfc_reconf_rsp"};
		bool is_fixed = false;
		for (size_t k = 0; k < sizeof(fixed) / sizeof(fixed[0]); k++)
			is_fixed |= !strcmp(fixed[k], parsers[i].name);
		uint8_t buf[64] = {0};
		union {
			struct l2cap_ecfc_conn_req a;
			struct l2cap_info_rsp b;
			struct l2cap_cmd_rej c;
			uint8_t raw[128];
		} out;
		int rc = parsers[i].fn(buf, parsers[i].fixed + 1, &out);
		if (is_fixed && rc != L2K_EBADMSG)
			fail_msg("%s took %zu octets (rc %d)", parsers[i].name, parsers[i].fixed + 1, rc);
		if (is_fixed)
			assert_int_equal(parsers[i].fn(buf, parsers[i].fixed, &out), 0);
		assert_int_equal(l2cap_sig_cmd_info(0x06)->variable, 0);
	}
	/* variable parts: options, echo data, whole CIDs */
	struct l2cap_conf_req cr;
	const uint8_t c[8] = {0x40, 0, 0, 0, 0x01, 0x02, 0x80, 0x02};
	assert_int_equal(l2cap_parse_conf_req(c, sizeof(c), &cr), 0);
	assert_int_equal(cr.opts_len, 4);
	/* a known Command Reject reason has its size; reason 0x0000 and unknown ones any */
	struct l2cap_cmd_rej rj;
	const uint8_t r1[6] = {0x01, 0x00, 0x30, 0x00, 0xAA, 0xBB};
	assert_int_equal(l2cap_parse_cmd_rej(r1, 4, &rj), 0);
	assert_int_equal(l2cap_parse_cmd_rej(r1, 6, &rj), L2K_EBADMSG);
	const uint8_t r0[4] = {0x00, 0x00, 0xAA, 0xBB};
	assert_int_equal(l2cap_parse_cmd_rej(r0, 4, &rj), 0);
	const uint8_t r9[4] = {0x09, 0x00, 0xAA, 0xBB};
	assert_int_equal(l2cap_parse_cmd_rej(r9, 4, &rj), 0);
	assert_int_equal(rj.data_len, 2);
	/* Information Response: the feature mask of a success is 4 octets, no more */
	struct l2cap_info_rsp ir;
	const uint8_t i2[10] = {0x02, 0x00, 0x00, 0x00, 0xB8, 0x00, 0x00, 0x00, 0xCC, 0xCC};
	assert_int_equal(l2cap_parse_info_rsp(i2, 8, &ir), 0);
	assert_int_equal(l2cap_parse_info_rsp(i2, 10, &ir), L2K_EBADMSG);
	const uint8_t i9[6] = {0x09, 0x00, 0x00, 0x00, 0xCC, 0xCC}; /* unknown type: raw data */
	assert_int_equal(l2cap_parse_info_rsp(i9, 6, &ir), 0);
}

static void test_truncated_command_rejects(void **state)
{
	(void)state;
	struct l2cap_cmd_rej o;
	static const uint8_t r1[] = {0x01, 0x00, 0x30};		/* MTU exceeded, 1 of 2 */
	static const uint8_t r2[] = {0x02, 0x00, 0x40, 0x00, 0x41}; /* invalid CID, 3 of 4 */
	static const uint8_t r3[] = {0x00};			/* half a reason */
	assert_int_equal(l2cap_parse_cmd_rej(r1, sizeof(r1), &o), L2K_EBADMSG);
	assert_int_equal(l2cap_parse_cmd_rej(r2, sizeof(r2), &o), L2K_EBADMSG);
	assert_int_equal(l2cap_parse_cmd_rej(r3, sizeof(r3), &o), L2K_EBADMSG);
	static const uint8_t r4[] = {0x02, 0x00, 0x40, 0x00}; /* invalid CID, 2 of 4 */
	assert_int_equal(l2cap_parse_cmd_rej(r4, sizeof(r4), &o), L2K_EBADMSG);
	static const uint8_t unk[] = {0x77, 0x00, 0x01}; /* unknown reason: raw data only */
	assert_int_equal(l2cap_parse_cmd_rej(unk, sizeof(unk), &o), 0);
	assert_int_equal(o.reason, 0x0077);
	assert_int_equal(o.data_len, 1);
}

static void test_truncated_information_responses(void **state)
{
	(void)state;
	struct l2cap_info_rsp o;
	/* success for each known type with one octet too few */
	static const uint8_t mtu[] = {0x01, 0x00, 0x00, 0x00, 0x30};
	static const uint8_t feat[] = {0x02, 0x00, 0x00, 0x00, 0xB8, 0x00, 0x00};
	static const uint8_t fix[] = {0x03, 0x00, 0x00, 0x00, 0x86, 0, 0, 0, 0, 0, 0};
	static const uint8_t hdr_only[] = {0x02, 0x00, 0x00, 0x00};
	assert_int_equal(l2cap_parse_info_rsp(mtu, sizeof(mtu), &o), L2K_EBADMSG);
	assert_int_equal(l2cap_parse_info_rsp(feat, sizeof(feat), &o), L2K_EBADMSG);
	assert_int_equal(l2cap_parse_info_rsp(fix, sizeof(fix), &o), L2K_EBADMSG);
	assert_int_equal(l2cap_parse_info_rsp(hdr_only, sizeof(hdr_only), &o), L2K_EBADMSG);
	/* Not supported needs no data */
	static const uint8_t ns[] = {0x02, 0x00, 0x01, 0x00};
	assert_int_equal(l2cap_parse_info_rsp(ns, sizeof(ns), &o), 0);
	assert_int_equal(o.result, L2CAP_INFO_NOT_SUPPORTED);
	assert_int_equal(o.features, 0);
}

static void test_ecfc_conn_req_bad_cid_lists(void **state)
{
	(void)state;
	struct l2cap_ecfc_conn_req o;
	uint8_t d[32] = {0x27, 0x00, 0x40, 0x00, 0x40, 0x00, 0x05, 0x00};
	for (int i = 0; i < 6; i++)
		put_le16(d + 8 + 2 * i, (uint16_t)(0x40 + i));
	/* six CIDs: fixed fields decoded, n_scid tells how many came */
	assert_int_equal(l2cap_parse_ecfc_conn_req(d, 8 + 12, &o), L2K_EINVAL);
	assert_int_equal(o.n_scid, 6);
	assert_int_equal(o.mtu, 64);
	assert_int_equal(o.credits, 5);
	assert_int_equal(o.scid[4], 0x44);
	/* seven CIDs */
	put_le16(d + 20, 0x46);
	assert_int_equal(l2cap_parse_ecfc_conn_req(d, 8 + 14, &o), L2K_EINVAL);
	assert_int_equal(o.n_scid, 7);
	/* odd length: one CID and a half */
	assert_int_equal(l2cap_parse_ecfc_conn_req(d, 8 + 3, &o), L2K_EINVAL);
	assert_int_equal(o.n_scid, 1);
	/* no CID at all */
	assert_int_equal(l2cap_parse_ecfc_conn_req(d, 8, &o), L2K_EINVAL);
	assert_int_equal(o.n_scid, 0);
	assert_int_equal(o.spsm, 0x27);
	/* five is fine */
	assert_int_equal(l2cap_parse_ecfc_conn_req(d, 8 + 10, &o), 0);
	assert_int_equal(o.n_scid, 5);
}

static void test_ecfc_conn_rsp_malformed(void **state)
{
	(void)state;
	struct l2cap_ecfc_conn_rsp o;
	uint8_t d[24] = {64, 0, 64, 0, 1, 0, 0, 0, 0x40, 0, 0x41, 0, 0x42, 0, 0x43, 0, 0x44, 0,
			 0x45, 0};
	for (size_t len = 0; len < 8; len++) /* shorter than 8: malformed */
		assert_int_equal(l2cap_parse_ecfc_conn_rsp(d, len, &o), L2K_EBADMSG);
	assert_int_equal(l2cap_parse_ecfc_conn_rsp(d, 9, &o), L2K_EBADMSG);  /* odd */
	assert_int_equal(l2cap_parse_ecfc_conn_rsp(d, 20, &o), L2K_EBADMSG); /* six DCIDs */
	assert_int_equal(o.credits, 1); /* the fixed fields are decoded all the same */
	assert_int_equal(o.result, 0);
	d[6] = 0x04; /* a refusal with a malformed list: its result is readable */
	assert_int_equal(l2cap_parse_ecfc_conn_rsp(d, 9, &o), L2K_EBADMSG);
	assert_int_equal(o.result, 0x0004);
	d[6] = 0x00;
	assert_int_equal(l2cap_parse_ecfc_conn_rsp(d, 18, &o), 0);
	assert_int_equal(o.n_dcid, 5);
	assert_int_equal(o.dcid[4], 0x44);
	assert_int_equal(l2cap_parse_ecfc_conn_rsp(d, 8, &o), 0);
	assert_int_equal(o.n_dcid, 0);
}

static void test_ecfc_reconfigure_malformed(void **state)
{
	(void)state;
	struct l2cap_ecfc_reconf_req o;
	uint8_t d[20] = {0x00, 0x01, 0x80, 0x00, 0x40, 0x00, 0x41, 0x00, 0x42, 0x00,
			 0x43, 0x00, 0x44, 0x00, 0x45, 0x00};
	for (size_t len = 0; len < 4; len++) /* shorter than MTU + MPS */
		assert_int_equal(l2cap_parse_ecfc_reconf_req(d, len, &o), L2K_EBADMSG);
	assert_int_equal(l2cap_parse_ecfc_reconf_req(d, 4, &o), L2K_EINVAL); /* no CID */
	assert_int_equal(o.mtu, 0x0100);
	assert_int_equal(o.mps, 0x0080);
	assert_int_equal(l2cap_parse_ecfc_reconf_req(d, 5, &o), L2K_EINVAL);  /* half a CID */
	assert_int_equal(l2cap_parse_ecfc_reconf_req(d, 16, &o), L2K_EINVAL); /* six */
	assert_int_equal(o.n_dcid, 6);
	assert_int_equal(l2cap_parse_ecfc_reconf_req(d, 14, &o), 0);
	assert_int_equal(o.n_dcid, 5);
	struct l2cap_ecfc_reconf_rsp r;
	assert_int_equal(l2cap_parse_ecfc_reconf_rsp(d, 1, &r), L2K_EBADMSG);
}

/* ---- C-frame iteration ---- */

static void test_iterate_multi_command_frame(void **state)
{
	(void)state;
	/* Connection Request + Echo Request (3 data octets) + Information Request (BV-09 shape) */
	static const uint8_t f[] = {0x02, 0x01, 0x04, 0x00, 0x01, 0x00, 0x40, 0x00,
				    0x08, 0x02, 0x03, 0x00, 0xAA, 0xBB, 0xCC,
				    0x0A, 0x03, 0x02, 0x00, 0x02, 0x00};
	struct l2cap_sig_cmd c;
	size_t off = 0;
	assert_int_equal(l2cap_sig_next(f, sizeof(f), &off, &c), L2CAP_SIG_CMD);
	assert_int_equal(c.code, L2CAP_CONNECTION_REQ);
	assert_int_equal(c.ident, 1);
	assert_int_equal(off, 8);
	assert_int_equal(l2cap_sig_next(f, sizeof(f), &off, &c), L2CAP_SIG_CMD);
	assert_int_equal(c.code, L2CAP_ECHO_REQ);
	assert_int_equal(c.len, 3);
	assert_ptr_equal(c.data, f + 12);
	assert_int_equal(l2cap_sig_next(f, sizeof(f), &off, &c), L2CAP_SIG_CMD);
	assert_int_equal(c.code, L2CAP_INFORMATION_REQ);
	assert_int_equal(c.ident, 3);
	assert_int_equal(l2cap_sig_next(f, sizeof(f), &off, &c), L2CAP_SIG_DONE);
	assert_int_equal(l2cap_sig_next(f, 0, &(size_t){0}, &c), L2CAP_SIG_DONE);
}

static void test_iterate_truncated_last_command(void **state)
{
	(void)state;
	/* COS/CED/BI-14 shape: a complete Info Request, then an Echo Request claiming 8 data
	 * octets of which 3 arrived */
	static const uint8_t f[] = {0x0A, 0x01, 0x02, 0x00, 0x01, 0x00,
				    0x08, 0x02, 0x08, 0x00, 0x11, 0x22, 0x33};
	struct l2cap_sig_cmd c;
	size_t off = 0;
	assert_int_equal(l2cap_sig_next(f, sizeof(f), &off, &c), L2CAP_SIG_CMD);
	assert_int_equal(c.code, L2CAP_INFORMATION_REQ);
	assert_int_equal(l2cap_sig_next(f, sizeof(f), &off, &c), L2K_EMSGSIZE);
	assert_int_equal(c.code, L2CAP_ECHO_REQ);
	assert_int_equal(c.ident, 2); /* to answer Command Reject with */
	assert_int_equal(c.len, 8);
	assert_int_equal(c.avail, 3);
	assert_int_equal(off, sizeof(f));
	assert_int_equal(l2cap_sig_next(f, sizeof(f), &off, &c), L2CAP_SIG_DONE);

	/* BI-15 shape: a truncated Disconnection Request (2 of 4 octets) */
	static const uint8_t g[] = {0x06, 0x09, 0x04, 0x00, 0x40, 0x00};
	off = 0;
	assert_int_equal(l2cap_sig_next(g, sizeof(g), &off, &c), L2K_EMSGSIZE);
	assert_int_equal(c.ident, 9);
	assert_int_equal(c.avail, 2);
}

static void test_iterate_trailing_partial_header(void **state)
{
	(void)state;
	/* COS/CED/BI-12 shape: a Disconnection Request whose Length says 3 (one short of its
	 * fixed fields) followed by one stray zero octet */
	static const uint8_t f[] = {0x06, 0x04, 0x03, 0x00, 0x40, 0x00, 0x41, 0x00};
	struct l2cap_sig_cmd c;
	struct l2cap_disconn d;
	size_t off = 0;
	assert_int_equal(l2cap_sig_next(f, sizeof(f), &off, &c), L2CAP_SIG_CMD);
	assert_int_equal(c.len, 3);
	assert_int_equal(l2cap_parse_disconn_req(c.data, c.len, &d), L2K_EBADMSG);
	assert_int_equal(l2cap_sig_next(f, sizeof(f), &off, &c), L2K_EBADMSG);
	assert_int_equal(off, sizeof(f));
	for (size_t n = 1; n < 4; n++) { /* 1..3 octets alone */
		off = 0;
		assert_int_equal(l2cap_sig_next(f, n, &off, &c), L2K_EBADMSG);
		assert_int_equal(off, n);
	}
}

static void test_iterate_bad_arguments(void **state)
{
	(void)state;
	uint8_t f[4] = {0x08, 1, 0, 0};
	struct l2cap_sig_cmd c;
	size_t off = 5;
	assert_int_equal(l2cap_sig_next(f, 4, &off, &c), L2K_EINVAL);
	off = 0;
	assert_int_equal(l2cap_sig_next(f, 4, NULL, &c), L2K_EINVAL);
	assert_int_equal(l2cap_sig_next(f, 4, &off, NULL), L2K_EINVAL);
	assert_int_equal(l2cap_sig_next(NULL, 4, &off, &c), L2K_EINVAL);
}

static void test_command_table(void **state)
{
	(void)state;
	/* Table 4.2: which link each code belongs to */
	static const struct {
		uint8_t code, links;
	} t[] = {
		{0x01, 3}, {0x02, 1}, {0x03, 1}, {0x04, 1}, {0x05, 1}, {0x06, 3}, {0x07, 3},
		{0x08, 1}, {0x09, 1}, {0x0A, 1}, {0x0B, 1}, {0x12, 2}, {0x13, 2}, {0x14, 2},
		{0x15, 2}, {0x16, 3}, {0x17, 3}, {0x18, 3}, {0x19, 3}, {0x1A, 3},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const struct l2cap_sig_cmd_info *inf = l2cap_sig_cmd_info(t[i].code);
		assert_non_null(inf);
		assert_int_equal(inf->links, t[i].links);
		assert_int_equal(l2cap_sig_cmd_allowed(t[i].code, L2CAP_LINK_ACL), t[i].links & 1);
		assert_int_equal(l2cap_sig_cmd_allowed(t[i].code, L2CAP_LINK_LE), (t[i].links & 2) != 0);
	}
	static const uint8_t unknown[] = {0x00, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11, 0x1B, 0x80, 0xFF};
	for (size_t i = 0; i < sizeof(unknown); i++) {
		assert_null(l2cap_sig_cmd_info(unknown[i]));
		assert_int_equal(l2cap_sig_cmd_allowed(unknown[i], L2CAP_LINK_ACL | L2CAP_LINK_LE), 0);
	}
	assert_int_equal(l2cap_sig_cmd_info(0x08)->kind, L2CAP_SIG_REQUEST);
	assert_int_equal(l2cap_sig_cmd_info(0x01)->kind, L2CAP_SIG_RESPONSE);
	assert_int_equal(l2cap_sig_cmd_info(0x16)->kind, L2CAP_SIG_INDICATION);
	assert_string_equal(l2cap_sig_cmd_info(0x17)->name, "L2CAP_CREDIT_BASED_CONNECTION_REQ");
}

/* ---- robustness: random input never reads out of bounds (run under ASan/valgrind) ---- */

static uint32_t rng = 0x12345678u;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void test_random_input_is_safe(void **state)
{
	(void)state;
	union {
		struct l2cap_ecfc_conn_req a;
		struct l2cap_info_rsp b;
		uint8_t raw[128];
	} out;
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = rnd() % 40;
		uint8_t *p = malloc(len ? len : 1);
		assert_non_null(p);
		for (size_t i = 0; i < len; i++)
			p[i] = (uint8_t)rnd();
		if (len >= 4 && (rnd() & 1)) /* plausible lengths now and then */
			put_le16(p + 2, (uint16_t)(rnd() % 24));
		size_t off = 0;
		struct l2cap_sig_cmd c;
		int rc, guard = 0;
		while ((rc = l2cap_sig_next(p, len, &off, &c)) == L2CAP_SIG_CMD) {
			assert_true(c.data + c.len <= p + len);
			for (size_t k = 0; k < sizeof(parsers) / sizeof(parsers[0]); k++)
				parsers[k].fn(c.data, c.len, &out);
			assert_true(++guard <= 10);
		}
		assert_true(rc == L2CAP_SIG_DONE || rc == L2K_EBADMSG || rc == L2K_EMSGSIZE);
		assert_int_equal(off, len);
		free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_connection_req),
		cmocka_unit_test(test_vector_connection_rsp_pending),
		cmocka_unit_test(test_vector_configuration_req_mtu),
		cmocka_unit_test(test_vector_command_reject_invalid_cid),
		cmocka_unit_test(test_vector_info_rsp_features),
		cmocka_unit_test(test_vector_le_credit_conn_req),
		cmocka_unit_test(test_vector_ecfc_exchange),
		cmocka_unit_test(test_roundtrip_fixed_commands),
		cmocka_unit_test(test_roundtrip_command_reject_each_reason),
		cmocka_unit_test(test_roundtrip_configuration_with_continuation),
		cmocka_unit_test(test_build_conf_req_options_in_place),
		cmocka_unit_test(test_roundtrip_echo),
		cmocka_unit_test(test_roundtrip_information_rsp_each_type),
		cmocka_unit_test(test_roundtrip_ecfc_one_to_five_cids),
		cmocka_unit_test(test_builders_refuse_unencodable_input),
		cmocka_unit_test(test_every_parser_rejects_short_data),
		cmocka_unit_test(test_fixed_commands_reject_extra_octets),
		cmocka_unit_test(test_truncated_command_rejects),
		cmocka_unit_test(test_truncated_information_responses),
		cmocka_unit_test(test_ecfc_conn_req_bad_cid_lists),
		cmocka_unit_test(test_ecfc_conn_rsp_malformed),
		cmocka_unit_test(test_ecfc_reconfigure_malformed),
		cmocka_unit_test(test_iterate_multi_command_frame),
		cmocka_unit_test(test_iterate_truncated_last_command),
		cmocka_unit_test(test_iterate_trailing_partial_header),
		cmocka_unit_test(test_iterate_bad_arguments),
		cmocka_unit_test(test_command_table),
		cmocka_unit_test(test_random_input_is_safe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
