#!/usr/bin/env python3
"""A serial line for Wine made of a Linux pseudo-terminal: Wine's COMn is a symlink in its
prefix's dosdevices/ to a tty, so the pty's slave is linked there and its master is carried to
vctrl's TCP port (one connection; ends when vctrl's side ends, or when killed: it keeps the
slave open itself, so the line stays up between Wine's opens).  tests/win/l2cat_wine.sh uses it
to run serial:COMn under Wine.

    pty_bridge.py VCTRL_PORT LINK      (prints the slave's name once the link is made)"""
import os
import pty
import select
import socket
import sys
import tty

port, link = int(sys.argv[1]), sys.argv[2]
master, slave = pty.openpty()
tty.setraw(slave)
if os.path.lexists(link):
    os.unlink(link)
os.symlink(os.ttyname(slave), link)
conn = socket.create_connection(("127.0.0.1", port))
print(os.ttyname(slave), flush=True)
while True:
    ready, _, _ = select.select([master, conn], [], [])
    if master in ready:
        try:
            data = os.read(master, 65536)
        except OSError:  # the slave's last user closed it
            data = b""
        if not data:
            break
        conn.sendall(data)
    if conn in ready:
        data = conn.recv(65536)
        if not data:
            break
        os.write(master, data)
