/* libFuzzer harness: the receive path of a channel in L2K_MODE_STREAMING (input format in fz_mode.c
 * and fz_script.c).  Does nothing while this build lacks the mode. */
#include "tests/fuzz/fz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_mode_run(L2K_MODE_STREAMING, data, size);
}
