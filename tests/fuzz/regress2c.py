#!/usr/bin/env python3
"""Writes tests/unit/test_fuzz_regress.c from the reproducers in tests/fuzz/regress/HARNESS/SHAPE:
one cmocka test per file, named test_HARNESS_SHAPE, that runs the input once more through the
harness code.  Run from the repository root after adding a reproducer:
    python3 tests/fuzz/regress2c.py > tests/unit/test_fuzz_regress.c"""
import glob
import os
import sys

MODES = {'mode_basic': 'L2K_MODE_BASIC', 'mode_ecfc': 'L2K_MODE_ECFC', 'mode_ertm': 'L2K_MODE_ERTM',
         'mode_flowctl': 'L2K_MODE_FLOWCTL', 'mode_le_credit': 'L2K_MODE_LE_CREDIT',
         'mode_retrans': 'L2K_MODE_RETRANS', 'mode_streaming': 'L2K_MODE_STREAMING'}


def main():
    with open('tests/unit/test_fuzz_regress.c') as f:
        head = f.read().split('static const uint8_t in_')[0]
    out, names = [head.rstrip('\n') + '\n'], []
    for path in sorted(glob.glob('tests/fuzz/regress/*/*')):
        harness, shape = path.split('/')[3], os.path.basename(path)
        if harness not in ('stack', 'smp', 'vendor') and harness not in MODES:
            sys.stderr.write('%s: only the stack, smp, vendor and mode harnesses are replayed here\n' % path)
            continue
        ident = (harness + '_' + shape).replace('-', '_')
        data = open(path, 'rb').read()
        parts = ['0x%02x' % b for b in data]
        rows = '\n'.join('\t' + ', '.join(parts[i:i + 16]) + ',' for i in range(0, len(parts), 16))
        out.append('static const uint8_t in_%s[] = {\n%s\n};\n' % (ident, rows))
        args = 'in_%s, sizeof(in_%s)' % (ident, ident)
        if harness == 'stack':
            call = 'fz_stack_run(%s)' % args
        elif harness == 'smp':
            call = 'fz_smp_run(%s)' % args  # fuzz_smp.c's LLVMFuzzerTestOneInput, renamed
        elif harness == 'vendor':
            call = 'fz_vendor_run(%s)' % args  # fuzz_vendor.c's, renamed
        else:
            call = 'fz_mode_run(%s, %s)' % (MODES[harness], args)
        out.append('static void test_%s(void **st)\n{\n\tassert_int_equal(%s, 0);\n}\n' % (ident, call))
        names.append(ident)
    out.append('int main(void)\n{\n\tconst struct CMUnitTest tests[] = {\n' +
               ''.join('\t    cmocka_unit_test(test_%s),\n' % n for n in names) +
               '\t};\n\treturn cmocka_run_group_tests(tests, NULL, NULL);\n}\n')
    sys.stdout.write('\n'.join(out))


if __name__ == '__main__':
    main()
