#!/usr/bin/env python3
"""Plays the person at the terminal of an l2kit tool's pairing agent (tools/common/security.c).

    sec_pty_agent.py [options] -- CMD ARGS...

Runs CMD with a new pseudo-terminal as its controlling terminal, so that the tool's agent asks
its questions there (/dev/tty); CMD's stdin, stdout and stderr stay this script's own (l2cat's
data never goes through the terminal).  Answers what the terminal shows:

  "Confirm that NNNNNN is shown on ADDR: yes/no? "  --confirm yes|no (default yes; none: no
                                                     answer); the number goes to --record FILE
  "Enter the passkey shown on ADDR: "               the passkey that "Passkey for ...: NNNNNN"
                                                     shows in --passkey-from FILE (the displaying
                                                     side's stderr), waited for; --wrong types it
                                                     plus one (mod 1000000)
  "PIN for ADDR: "                                  --pin PIN

Everything the terminal showed goes to --transcript FILE.  SIGINT and SIGTERM are passed on to
CMD.  --no-tty runs CMD in a new session
without any controlling terminal instead (the agent must refuse, saying why).  Exits with CMD's
exit status (128 + N when a signal N ended it); 3 when the terminal asked something it has no
answer for, or the displayed passkey never came (CMD is then killed)."""
import argparse
import fcntl
import os
import re
import select
import signal
import subprocess
import sys
import termios
import time

CONFIRM = re.compile(rb"Confirm that (\d{6}) is shown on (\S+): yes/no\? ")
ENTRY = re.compile(rb"Enter the passkey shown on (\S+): ")
PIN = re.compile(rb"PIN for (\S+): ")
DISPLAYED = re.compile(r"Passkey for \S+: (\d{6})")


def exit_status(st):
    if os.WIFSIGNALED(st):
        return 128 + os.WTERMSIG(st)
    return os.WEXITSTATUS(st)


def wait_passkey(path, deadline):
    while time.time() < deadline:
        try:
            m = DISPLAYED.search(open(path, errors="replace").read())
        except OSError:
            m = None
        if m:
            return int(m.group(1))
        time.sleep(0.05)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--confirm", choices=["yes", "no", "none"], default="yes")
    ap.add_argument("--record")
    ap.add_argument("--passkey-from")
    ap.add_argument("--wrong", action="store_true")
    ap.add_argument("--pin")
    ap.add_argument("--transcript")
    ap.add_argument("--no-tty", action="store_true")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    if not cmd:
        ap.error("no command")
    if a.no_tty:
        p = subprocess.Popen(cmd, start_new_session=True)
        try:
            return p.wait(timeout=a.timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            print("sec_pty_agent: %s did not end within %.0f s" % (cmd[0], a.timeout), file=sys.stderr)
            return 3

    master, slave = os.openpty()
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
            os.close(master)
            os.close(slave)
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    os.close(slave)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda n, f: os.kill(pid, n))
    seen = b""
    pos = 0
    status = None
    failed = False
    transcript = open(a.transcript, "wb") if a.transcript else None
    deadline = time.time() + a.timeout
    while True:
        if status is None:
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                status = exit_status(st)
        try:
            r, _, _ = select.select([master], [], [], 0.05)
        except InterruptedError:
            r = []
        if r:
            try:
                data = os.read(master, 4096)
            except OSError:
                data = b""
            if not data and status is not None:
                break
            seen += data
            if transcript:
                transcript.write(data)
                transcript.flush()
        elif status is not None:
            break
        if time.time() > deadline and status is None:
            print("sec_pty_agent: %s did not end within %.0f s" % (cmd[0], a.timeout), file=sys.stderr)
            os.kill(pid, signal.SIGKILL)
            failed = True
            continue
        # the next question the terminal shows
        for rx in (CONFIRM, ENTRY, PIN):
            m = rx.search(seen, pos)
            if not m:
                continue
            pos = m.end()
            if rx is CONFIRM:
                if a.record:
                    with open(a.record, "a") as f:
                        f.write(m.group(1).decode() + "\n")
                answer = a.confirm
                if answer == "none":
                    break
            elif rx is ENTRY:
                if not a.passkey_from:
                    print("sec_pty_agent: asked for a passkey, and no --passkey-from", file=sys.stderr)
                    os.kill(pid, signal.SIGKILL)
                    failed = True
                    break
                pk = wait_passkey(a.passkey_from, deadline)
                if pk is None:
                    print("sec_pty_agent: no 'Passkey for ...' in %s" % a.passkey_from, file=sys.stderr)
                    os.kill(pid, signal.SIGKILL)
                    failed = True
                    break
                if a.wrong:
                    pk = (pk + 1) % 1000000
                answer = "%06d" % pk
            else:
                if a.pin is None:
                    print("sec_pty_agent: asked for a PIN, and no --pin", file=sys.stderr)
                    os.kill(pid, signal.SIGKILL)
                    failed = True
                    break
                answer = a.pin
            os.write(master, answer.encode() + b"\n")
            break
    os.close(master)
    if status is None:
        _, st = os.waitpid(pid, 0)
        status = exit_status(st)
    return 3 if failed else status


if __name__ == "__main__":
    sys.exit(main())
