#!/usr/bin/env python3
"""Small fake vendor firmware files with the right headers, for the vendor start-up tests
(tests/integration/vendor_vctrl.sh; the unit test tests/unit/test_vendor.c builds its own).

    tests/vendor_fw.py DIR

writes DIR/rtl_bt/rtl8761bu_fw.bin + rtl8761bu_config.bin (epatch v1, project id 14, patches for
chip ids 1..3), DIR/rtl_bt/rtl8852bu_fw.bin + rtl8852bu_config.bin (epatch v2 "RTBTCore", project
id 20, snippet / dummy / security sections with subsections for ecos 1..3),
DIR/intel/ibt-20-1-3.sfi + .ddc (legacy RSA header, Write Boot Params),
DIR/intel/ibt-0041-0041.sfi + .ddc (TLV era, AX210: RSA header, ECDSA header, Write Boot
Params) and DIR/brcm/BCM20702A1-0a5c-21e8.hcd (Write RAM commands, Launch RAM), and prints, one
per line, "NAME HASH" with the FNV-1a 32 of what the simulated controller must receive for each
(realtek, realtek-v2 (ROM version 1, key id 0), intel, intel-ax210 - whose engine is ECDSA -,
broadcom): the hash its vendor report shows, and "realtek-v2-octets N", the octets sent."""
import os
import struct
import sys


def fnv(data, h=2166136261):
    for b in data:
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


def realtek():
    lens = [700, 3000, 900]
    fw_version = 0x0999646B
    hdr = b"Realtech" + struct.pack("<IH", fw_version, 3)
    off = len(hdr) + 3 * 8
    ids, ls, offs, body = b"", b"", b"", b""
    want = None
    for k, n in enumerate(lens):
        patch = bytes((i * 7 + k * 31 + (i >> 8)) & 0xFF for i in range(n))
        ids += struct.pack("<H", k + 1)
        ls += struct.pack("<H", n)
        offs += struct.pack("<I", off + len(body))
        if k + 1 == 2:  # ROM version 1 -> chip id 2
            want = patch[:-4] + struct.pack("<I", fw_version)
        body += patch
    fw = hdr + ids + ls + offs + body + bytes([14, 1, 0]) + b"\x51\x04\xfd\x77"
    cfg_body = bytes((0xC0 ^ i) & 0xFF for i in range(40))
    cfg = struct.pack("<IH", 0x8723AB55, len(cfg_body)) + cfg_body
    return fw, cfg, fnv(want + cfg)


def realtek_v2():
    # (section opcode, eco, prio, key id, length); the 8852BU personality has ROM version 1
    # (eco 2) and key id 0: it takes the eco-2 subsections of the snippet (0x01) and dummy
    # header (0x02) sections by ascending prio, among equal prios the later one first; no
    # security header (0x03, only for a chip with a key id), nothing of other opcodes
    subs = [(0x01, 1, 5, 0, 300), (0x01, 2, 7, 0, 7000), (0x01, 2, 3, 0, 500), (0x01, 3, 1, 0, 400),
            (0x01, 2, 7, 0, 260), (0x02, 2, 5, 0, 100), (0x02, 1, 2, 0, 50), (0x03, 2, 0, 1, 256),
            (0x7F, 2, 1, 0, 90)]
    data = [bytes((j * 13 + k * 41 + (j >> 8)) & 0xFF for j in range(s[4])) for k, s in enumerate(subs)]
    ops = [0x01, 0x02, 0x03, 0x7F]
    f = b"RTBTCore" + struct.pack("<III", 0x11223344, 0x55667788, len(ops))
    for op in ops:
        body = b""
        num = 0
        for k, (sop, eco, prio, key, n) in enumerate(subs):
            if sop != op:
                continue
            body += struct.pack("<BBBBI", eco, prio, key if op == 0x03 else 0, 0, n) + data[k]
            num += 1
        body = struct.pack("<HH", num, 0) + body
        f += struct.pack("<II", op, len(body)) + body
    fw = f + bytes([20, 1, 0]) + b"\x51\x04\xfd\x77"
    want = data[2] + data[5] + data[4] + data[1]  # prio 3, 5, 7 (the later of the two 7s first)
    cfg_body = bytes((0xA0 ^ i) & 0xFF for i in range(30))
    cfg = struct.pack("<IH", 0x8723AB55, len(cfg_body)) + cfg_body
    return fw, cfg, fnv(want + cfg), len(want + cfg)


def intel(tlv=False):
    f = bytearray((i * 13) & 0xFF for i in range(644))
    f[8:12] = struct.pack("<I", 0x00010000)
    if tlv:
        # the ECDSA header: 0x06, CSS header version 0x00020000 at 8, its size (itself and the
        # commands, dwords) at 24, public key 96, signature 96
        f += bytearray((i * 29 + 7) & 0xFF for i in range(644, 964))
        f[644] = 0x06
        f[652:656] = struct.pack("<I", 0x00020000)
    cmds = b""
    for k in range(40):
        pl = 1 + 4 * (k % 8)
        cmds += struct.pack("<HB", 0xFC8E, pl) + bytes((k + i) & 0xFF for i in range(pl))
        if k == 20:
            cmds += struct.pack("<HBI", 0xFC0E, 7, 0x00045678) + bytes([0x2A, 0x10, 0x14])
            cmds += struct.pack("<HB", 0xFC8E, 3) + b"\0\0\0"
    f += cmds
    assert len(f) % 4 == 0
    f[24:28] = struct.pack("<I", len(f) // 4)
    ddc = bytes([4, 1, 0, 0xAA, 0xBB, 3, 2, 0, 0xCC])
    if tlv:
        f[644 + 24:644 + 28] = struct.pack("<I", (len(f) - 644) // 4)
        f = bytes(f)
        return f, ddc, fnv(f[644:])  # ECDSA engine: its header and the commands
    f = bytes(f)
    return f, ddc, fnv(f[388:], fnv(f[:384]))  # the exponent (384..387) is not sent


def broadcom():
    f = b""
    for k in range(30):
        pl = 4 + k % 30
        f += struct.pack("<HBI", 0xFC4C, pl, 0x80000 + k * 64) + bytes((k ^ i) & 0xFF for i in range(4, pl))
    f += struct.pack("<HBI", 0xFC4E, 4, 0xFFFFFFFF)
    return f, fnv(f)


def main():
    d = sys.argv[1]
    for sub in ("rtl_bt", "intel", "brcm"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    fw, cfg, hr = realtek()
    open(os.path.join(d, "rtl_bt/rtl8761bu_fw.bin"), "wb").write(fw)
    open(os.path.join(d, "rtl_bt/rtl8761bu_config.bin"), "wb").write(cfg)
    fw2, cfg2, hr2, n2 = realtek_v2()
    open(os.path.join(d, "rtl_bt/rtl8852bu_fw.bin"), "wb").write(fw2)
    open(os.path.join(d, "rtl_bt/rtl8852bu_config.bin"), "wb").write(cfg2)
    sfi, ddc, hi = intel()
    open(os.path.join(d, "intel/ibt-20-1-3.sfi"), "wb").write(sfi)
    open(os.path.join(d, "intel/ibt-20-1-3.ddc"), "wb").write(ddc)
    sfi, ddc, ht = intel(tlv=True)
    open(os.path.join(d, "intel/ibt-0041-0041.sfi"), "wb").write(sfi)
    open(os.path.join(d, "intel/ibt-0041-0041.ddc"), "wb").write(ddc)
    hcd, hb = broadcom()
    open(os.path.join(d, "brcm/BCM20702A1-0a5c-21e8.hcd"), "wb").write(hcd)
    print("realtek 0x%08x" % hr)
    print("realtek-v2 0x%08x" % hr2)
    print("realtek-v2-octets %d" % n2)
    print("intel 0x%08x" % hi)
    print("intel-ax210 0x%08x" % ht)
    print("broadcom 0x%08x" % hb)


if __name__ == "__main__":
    main()
