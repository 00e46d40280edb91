/* libFuzzer harness: the whole stack with a channel open in every mode this build has, fed
 * arbitrary ACL packets, signaling, HCI events, time and application calls (fz_script.c). */
#include "tests/fuzz/fz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_stack_run(data, size);
}
