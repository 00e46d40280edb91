/* BR/EDR security: the host's side of LMP pairing and encryption.  (Being written.) */
#include "sm/sm_int.h"

void sm_bredr_start(struct sm *sm, struct sm_link *l)
{
	sm_fail_waiters(sm, l, L2K_ENOTSUP);
}

bool sm_bredr_event(struct sm *sm, uint8_t code, const uint8_t *p, size_t len)
{
	(void)sm;
	(void)code;
	(void)p;
	(void)len;
	return false;
}

void sm_bredr_agent_answer(struct sm *sm, struct sm_link *l, bool accept, uint32_t passkey, const uint8_t *pin,
			   size_t pin_len)
{
	(void)sm;
	(void)l;
	(void)accept;
	(void)passkey;
	(void)pin;
	(void)pin_len;
}

void sm_bredr_setup(struct sm *sm)
{
	(void)sm;
}
