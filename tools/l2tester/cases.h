/* The case tables of l2tester's library (cases_*.c), joined by cases.c. */
#ifndef L2TESTER_CASES_H
#define L2TESTER_CASES_H

#include "tools/l2tester/lt.h"

/* Each ends with an entry whose id is NULL. */
extern const struct lt_case lt_cases_bredr[];
extern const struct lt_case lt_cases_le[];
extern const struct lt_case lt_cases_config[];
extern const struct lt_case lt_cases_modes[];
extern const struct lt_case lt_cases_misc[];
extern const struct lt_case lt_cases_ertm[];
extern const struct lt_case lt_cases_ecfc[];
extern const struct lt_case lt_cases_sec[];
/* The BR/EDR encryption key size the tester's controller must offer for case c (0: any): the
 * in-process runner gives its simulated controller that size (cases_sec.c). */
uint8_t lt_case_tst_key_size(const struct lt_case *c);
/* Whether case c needs the tester's security manager on its SMP channel (l2k_raw_attach_ex's
 * L2K_RAW_KEEP_SM: the cases of cases_sec.c, which pair and encrypt); every other case takes
 * the IUT's SMP PDUs raw (an IUT raising its security after a refusal is seen, not answered). */
bool lt_case_keeps_sm(const struct lt_case *c);

#endif
