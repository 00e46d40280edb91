# An L2CAP echo server in PyBluez style: waits for one client on PSM 0x1001 and sends every
# message back until the client disconnects.  The import is the only line that is l2kit's:
# with "import bluetooth" it runs on PyBluez.  The controller: L2KIT_TRANSPORT (e.g. usb, hci0,
# tcp:127.0.0.1:9000).
import l2kit.bluetooth as bluetooth

server_sock = bluetooth.BluetoothSocket(bluetooth.L2CAP)

port = 0x1001
server_sock.bind(("", port))
server_sock.listen(1)
print("Waiting for a connection on PSM 0x%X" % port)

client_sock, address = server_sock.accept()
print("Accepted connection from", address)

data = client_sock.recv(1024)
while data:
    print("Data received:", data.decode())
    client_sock.send(b"Echo: " + data)
    data = client_sock.recv(1024)
print("Client disconnected")

client_sock.close()
server_sock.close()
