/* LE Security Manager Protocol (Vol 3 Part H).  (Being written.) */
#include "sm/sm_int.h"

void smp_start(struct sm *sm, struct sm_link *l)
{
	sm_fail_waiters(sm, l, L2K_ENOTSUP);
}

void smp_rx(struct sm *sm, struct sm_link *l, const uint8_t *pdu, size_t len)
{
	(void)sm;
	(void)l;
	(void)pdu;
	(void)len;
}

bool smp_event(struct sm *sm, uint8_t code, const uint8_t *p, size_t len)
{
	(void)sm;
	(void)code;
	(void)p;
	(void)len;
	return false;
}

void smp_agent_answer(struct sm *sm, struct sm_link *l, bool accept, uint32_t passkey)
{
	(void)sm;
	(void)l;
	(void)accept;
	(void)passkey;
}

void smp_link_down(struct sm *sm, struct sm_link *l)
{
	(void)sm;
	(void)l;
}
