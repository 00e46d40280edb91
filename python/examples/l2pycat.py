#!/usr/bin/env python3
"""l2pycat: a small l2cat in Python on l2kit.L2CAPSocket (the part l2bench's Python section
uses): serve one channel and discard what arrives, or send patterned SDUs to a peer.

    l2pycat.py -t SPEC [-m MODE] [--mtu N] [-v] -l PSM --sink
    l2pycat.py -t SPEC [-m MODE] [--mtu N] [-v] --send N [--size S] ADDR[/le-public] PSM

Like l2cat, the sender ends the channel gracefully (shutdown: the peer confirmed everything),
and with -v both print a summary line on stderr: "sent/received N bytes in K SDUs, T s, R MB/s".
Exit status 0 only when that went well.
"""

import argparse
import sys
import time

import l2kit


def main():
    ap = argparse.ArgumentParser(prog="l2pycat.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("-t", "--transport", required=True)
    ap.add_argument("-m", "--mode")
    ap.add_argument("--mtu", type=lambda s: int(s, 0), default=0)
    ap.add_argument("-l", "--listen", type=lambda s: int(s, 0))
    ap.add_argument("--sink", action="store_true")
    ap.add_argument("--send", type=int)
    ap.add_argument("--size", type=int)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("peer", nargs="*")
    a = ap.parse_args()
    opts = {}
    if a.mode:
        opts["mode"] = a.mode
    if a.mtu:
        opts["mtu"] = a.mtu
    le = a.mode == "le" or any("/le" in p for p in a.peer)
    with l2kit.Stack(a.transport, connectable=a.listen is not None) as st:
        if a.verbose:
            print("l2pycat: controller %s ready on %s" % (st.address, a.transport), file=sys.stderr)
        if a.listen is not None:
            if not a.sink:
                ap.error("listening: only --sink is implemented")
            ls = st.listen(a.listen, le=le, **opts)
            if a.verbose:
                print("l2pycat: listening on %s psm 0x%04x" % ("LE" if le else "BR/EDR", a.listen),
                      file=sys.stderr, flush=True)
            ch, peer = ls.accept()
            buf = bytearray(65535)
            n = total = 0
            t0 = time.monotonic()
            while True:
                k = ch.recv_into(buf)
                if k == 0 and ch.eof:
                    break
                total += k
                n += 1
            dt = time.monotonic() - t0
            dropped = ch.info().rx_sdus_dropped
            ch.close()
            ls.close()
            if a.verbose:
                print("l2pycat: received %d bytes in %d SDUs, %.3f s, %.3f MB/s (%s)"
                      % (total, n, dt, total / dt / 1e6 if dt else 0, ch.close_reason or "end"),
                      file=sys.stderr)
            return 1 if dropped else 0
        if len(a.peer) != 2 or a.send is None:
            ap.error("give --send N, ADDR and PSM (or -l PSM --sink)")
        ch = st.connect(a.peer[0], int(a.peer[1], 0), timeout=30, **opts)
        size = a.size or ch.info().peer_mtu
        data = bytes((i * 7 + (i >> 8)) & 0xFF for i in range(size))
        t0 = time.monotonic()
        for _ in range(a.send):
            ch.send(data)
        ch.shutdown()  # the peer confirmed: everything arrived
        dt = time.monotonic() - t0
        ch.close()
        if a.verbose:
            print("l2pycat: sent %d bytes in %d SDUs, %.3f s, %.3f MB/s"
                  % (size * a.send, a.send, dt, size * a.send / dt / 1e6 if dt else 0), file=sys.stderr)
        return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except l2kit.Error as e:
        print("l2pycat: %s" % e, file=sys.stderr)
        sys.exit(1)
