# An L2CAP client in PyBluez style: connects to PSM 0x1001 at the address on the command line,
# sends each line typed (until an empty line or the end of input) and prints the answer.  The
# import is the only line that is l2kit's: with "import bluetooth" it runs on PyBluez.  The
# controller: L2KIT_TRANSPORT (e.g. usb, hci0, tcp:127.0.0.1:9000).
import sys

import l2kit.bluetooth as bluetooth

if len(sys.argv) < 2:
    print("usage: l2cap-client.py <addr>")
    sys.exit(2)

bt_addr = sys.argv[1]
port = 0x1001

sock = bluetooth.BluetoothSocket(bluetooth.L2CAP)
print("Trying to connect to %s on PSM 0x%X" % (bt_addr, port))
sock.connect((bt_addr, port))
print("Connected. Type something...")

while True:
    try:
        line = input()
    except EOFError:
        break
    if not line:
        break
    sock.send(line)
    data = sock.recv(1024)
    print("Data received:", data.decode())

sock.close()
