/* The SMP command codec (Core Vol 3 Part H 3.3 - 3.6): every command has one fixed length, and
 * a PDU of any other length is refused before a field is read; fields with a defined range are
 * checked here, the rest is the state machine's (sm/smp.c). */
#include <string.h>

#include "base/bytes.h"
#include "sm/smp_int.h"

/* Table 3.1 with each command's length, Code octet included (0: reserved code) */
static const uint8_t pdu_len[SMP_CODE_MAX + 1] = {
	[SMP_PAIRING_REQ] = 7,
	[SMP_PAIRING_RSP] = 7,
	[SMP_PAIRING_CONFIRM] = 17,
	[SMP_PAIRING_RANDOM] = 17,
	[SMP_PAIRING_FAILED] = 2,
	[SMP_ENCRYPTION_INFO] = 17,
	[SMP_CENTRAL_ID] = 11,
	[SMP_IDENTITY_INFO] = 17,
	[SMP_IDENTITY_ADDR_INFO] = 8,
	[SMP_SIGNING_INFO] = 17,
	[SMP_SECURITY_REQ] = 2,
	[SMP_PAIRING_PUBLIC_KEY] = 65,
	[SMP_PAIRING_DHKEY_CHECK] = 17,
	[SMP_KEYPRESS_NOTIFICATION] = 2,
};

size_t smp_pdu_len(uint8_t code)
{
	return code <= SMP_CODE_MAX ? pdu_len[code] : 0;
}

int smp_parse(const uint8_t *p, size_t len, struct smp_pdu *out)
{
	memset(out, 0, sizeof(*out));
	if (len < 1)
		return SMP_ERR_INVALID_PARAMETERS; /* not even a Code: the length is invalid */
	uint8_t code = p[0];
	size_t want = smp_pdu_len(code);
	out->code = code;
	if (!want)
		return SMP_ERR_COMMAND_NOT_SUPPORTED;
	if (len != want)
		return SMP_ERR_INVALID_PARAMETERS;
	const uint8_t *d = p + 1;
	switch (code) {
	case SMP_PAIRING_REQ:
	case SMP_PAIRING_RSP: {
		struct smp_pairing_params *q = &out->u.pairing;
		q->io_cap = d[0];
		q->oob = d[1];
		q->auth_req = d[2];
		q->max_key_size = d[3];
		q->init_dist = d[4];
		q->resp_dist = d[5];
		/* 3.5.1: IO Capability 0x00-0x04, OOB data flag 0x00-0x01, key size 7-16 */
		if (q->io_cap > L2K_IO_KEYBOARD_DISPLAY || q->oob > 1 || q->max_key_size > SMP_MAX_KEY_SIZE)
			return SMP_ERR_INVALID_PARAMETERS;
		if (q->max_key_size < SMP_MIN_KEY_SIZE)
			return SMP_ERR_ENCRYPTION_KEY_SIZE;
		return 0;
	}
	case SMP_PAIRING_FAILED:
		out->u.reason = d[0];
		return 0;
	case SMP_CENTRAL_ID:
		out->u.central_id.ediv = get_le16(d);
		memcpy(out->u.central_id.rand, d + 2, 8);
		return 0;
	case SMP_IDENTITY_ADDR_INFO:
		/* 3.6.4: AddrType 0x00 public, 0x01 static random */
		out->u.id_addr.type = d[0];
		memcpy(out->u.id_addr.addr, d + 1, 6);
		if (d[0] > 1)
			return SMP_ERR_INVALID_PARAMETERS;
		return 0;
	case SMP_SECURITY_REQ:
		out->u.auth_req = d[0];
		return 0;
	case SMP_PAIRING_PUBLIC_KEY:
		memcpy(out->u.public_key, d, 64);
		return 0;
	case SMP_KEYPRESS_NOTIFICATION:
		out->u.keypress = d[0];
		return d[0] > SMP_KEYPRESS_MAX ? SMP_ERR_INVALID_PARAMETERS : 0;
	default: /* the 16-octet values */
		memcpy(out->u.value, d, 16);
		return 0;
	}
}

size_t smp_build(const struct smp_pdu *pdu, uint8_t *buf)
{
	size_t n = smp_pdu_len(pdu->code);
	if (!n)
		return 0;
	memset(buf, 0, n);
	buf[0] = pdu->code;
	uint8_t *d = buf + 1;
	switch (pdu->code) {
	case SMP_PAIRING_REQ:
	case SMP_PAIRING_RSP: {
		const struct smp_pairing_params *q = &pdu->u.pairing;
		d[0] = q->io_cap;
		d[1] = q->oob;
		d[2] = q->auth_req;
		d[3] = q->max_key_size;
		d[4] = q->init_dist;
		d[5] = q->resp_dist;
		break;
	}
	case SMP_PAIRING_FAILED: d[0] = pdu->u.reason; break;
	case SMP_CENTRAL_ID:
		put_le16(d, pdu->u.central_id.ediv);
		memcpy(d + 2, pdu->u.central_id.rand, 8);
		break;
	case SMP_IDENTITY_ADDR_INFO:
		d[0] = pdu->u.id_addr.type;
		memcpy(d + 1, pdu->u.id_addr.addr, 6);
		break;
	case SMP_SECURITY_REQ: d[0] = pdu->u.auth_req; break;
	case SMP_PAIRING_PUBLIC_KEY: memcpy(d, pdu->u.public_key, 64); break;
	case SMP_KEYPRESS_NOTIFICATION: d[0] = pdu->u.keypress; break;
	default: memcpy(d, pdu->u.value, 16); break;
	}
	return n;
}

const char *smp_code_name(uint8_t code)
{
	switch (code) {
	case SMP_PAIRING_REQ: return "Pairing Request";
	case SMP_PAIRING_RSP: return "Pairing Response";
	case SMP_PAIRING_CONFIRM: return "Pairing Confirm";
	case SMP_PAIRING_RANDOM: return "Pairing Random";
	case SMP_PAIRING_FAILED: return "Pairing Failed";
	case SMP_ENCRYPTION_INFO: return "Encryption Information";
	case SMP_CENTRAL_ID: return "Central Identification";
	case SMP_IDENTITY_INFO: return "Identity Information";
	case SMP_IDENTITY_ADDR_INFO: return "Identity Address Information";
	case SMP_SIGNING_INFO: return "Signing Information";
	case SMP_SECURITY_REQ: return "Security Request";
	case SMP_PAIRING_PUBLIC_KEY: return "Pairing Public Key";
	case SMP_PAIRING_DHKEY_CHECK: return "Pairing DHKey Check";
	case SMP_KEYPRESS_NOTIFICATION: return "Keypress Notification";
	default: return "reserved command";
	}
}

const char *smp_reason_name(uint8_t reason)
{
	switch (reason) {
	case SMP_ERR_PASSKEY_ENTRY_FAILED: return "Passkey Entry Failed";
	case SMP_ERR_OOB_NOT_AVAILABLE: return "OOB Not Available";
	case SMP_ERR_AUTH_REQUIREMENTS: return "Authentication Requirements";
	case SMP_ERR_CONFIRM_VALUE_FAILED: return "Confirm Value Failed";
	case SMP_ERR_PAIRING_NOT_SUPPORTED: return "Pairing Not Supported";
	case SMP_ERR_ENCRYPTION_KEY_SIZE: return "Encryption Key Size";
	case SMP_ERR_COMMAND_NOT_SUPPORTED: return "Command Not Supported";
	case SMP_ERR_UNSPECIFIED: return "Unspecified Reason";
	case SMP_ERR_REPEATED_ATTEMPTS: return "Repeated Attempts";
	case SMP_ERR_INVALID_PARAMETERS: return "Invalid Parameters";
	case SMP_ERR_DHKEY_CHECK_FAILED: return "DHKey Check Failed";
	case SMP_ERR_NUMERIC_COMPARISON_FAILED: return "Numeric Comparison Failed";
	case SMP_ERR_BREDR_PAIRING_IN_PROGRESS: return "BR/EDR Pairing In Progress";
	case SMP_ERR_CTKD_NOT_ALLOWED: return "Cross-transport Key Derivation Not Allowed";
	case SMP_ERR_KEY_REJECTED: return "Key Rejected";
	default: return "reserved reason";
	}
}
