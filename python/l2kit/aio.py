"""asyncio face: channels driven from the event loop through their descriptors.

    ch = await stack.open_channel("00:AA:01:00:00:02", 0x1001)
    await ch.send(b"hello")
    data = await ch.recv()
    await ch.close()

    async def echo(ch):
        while (sdu := await ch.recv()) or not ch.eof:
            await ch.send(sdu)
    server = await stack.start_server(echo, 0x1001)

Every wait is the loop watching a descriptor (``loop.add_reader``): the socket's descriptor for
received SDUs, accepted channels and finished connects, the send descriptor
(``l2k_sock_send_fd``) for room to send.  No thread is started per call; l2kit's own thread
runs the stack.
"""

import asyncio
import inspect

from . import _lib, errors
from .socket import L2CAPSocket

__all__ = ["Channel", "Server", "open_channel", "start_server"]


class _Readable:
    """Tasks waiting for one descriptor to turn readable, with one loop reader for all."""

    def __init__(self, loop, fd):
        self._loop = loop
        self._fd = fd
        self._waiters = []
        self._reading = False

    async def wait(self):
        fut = self._loop.create_future()
        self._waiters.append(fut)
        if not self._reading:
            self._loop.add_reader(self._fd, self._ready)
            self._reading = True
        try:
            await fut
        finally:
            if fut in self._waiters:
                self._waiters.remove(fut)
            if not self._waiters and self._reading:
                self._loop.remove_reader(self._fd)
                self._reading = False

    def _ready(self):
        self._loop.remove_reader(self._fd)
        self._reading = False
        waiters, self._waiters = self._waiters, []
        for f in waiters:
            if not f.done():
                f.set_result(None)

    def close(self):
        if self._reading:
            self._loop.remove_reader(self._fd)
            self._reading = False
        waiters, self._waiters = self._waiters, []
        for f in waiters:
            if not f.done():
                f.set_exception(errors.make(_lib.L2K_EBADF, message="the channel was closed"))


class Channel:
    """An L2CAP channel for asyncio: ``await send(data)`` (one SDU), ``await recv()`` (one SDU),
    ``await close()``; ``sock`` is the non-blocking L2CAPSocket underneath (info(),
    getpeername() ...).  ``async with`` closes it."""

    def __init__(self, sock, loop=None):
        self._loop = loop or asyncio.get_running_loop()
        sock.setblocking(False)
        self.sock = sock
        self._rd = _Readable(self._loop, sock.fileno())
        self._wr = None

    async def recv(self, bufsize=65535):
        """One SDU (truncated to bufsize); b'' at the end of the stream (see ``eof``)."""
        while True:
            try:
                return self.sock.recv(bufsize)
            except BlockingIOError:
                await self._rd.wait()

    async def recv_into(self, buffer, nbytes=0):
        while True:
            try:
                return self.sock.recv_into(buffer, nbytes)
            except BlockingIOError:
                await self._rd.wait()

    async def send(self, data):
        """Send one SDU; waits (on the send descriptor) while the channel has no room."""
        while True:
            try:
                return self.sock.send(data)
            except BlockingIOError:
                if self._wr is None:
                    self._wr = _Readable(self._loop, self.sock.send_fileno())
                await self._wr.wait()

    @property
    def eof(self):
        return self.sock.eof

    def info(self):
        return self.sock.info()

    def getpeername(self):
        return self.sock.getpeername()

    async def shutdown(self):
        """End the channel gracefully (see L2CAPSocket.shutdown); returns when the peer confirmed."""
        delay = 0.002
        while True:
            try:
                return self.sock.shutdown()
            except BlockingIOError:
                # the disconnection is a handful of packets: look again soon
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.05)

    async def close(self):
        """Deliver what was sent (for up to the socket's linger seconds), then release the
        channel."""
        self._stop()
        try:
            if self.sock.linger and not self.sock.eof:
                await asyncio.wait_for(self.shutdown(), self.sock.linger)
        except (OSError, asyncio.TimeoutError):
            pass
        finally:
            self.abort()

    def abort(self):
        """Release the channel now (SDUs still queued are dropped)."""
        self._stop()
        self.sock.linger = 0
        self.sock.close()

    def _stop(self):
        self._rd.close()
        if self._wr is not None:
            self._wr.close()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.close()

    def __repr__(self):
        return "<l2kit.aio.Channel %r>" % (self.sock,)


async def open_channel(stack, address, psm, **options):
    """Connect to psm at address ("AA:BB:CC:DD:EE:FF[/le-public]") from asyncio; options as
    for L2CAPSocket.  Cancel it (asyncio.wait_for ...) to give up."""
    loop = asyncio.get_running_loop()
    sock = L2CAPSocket(stack, **options)
    try:
        sock.setblocking(False)
        rd = None
        while True:
            try:
                sock.connect((address, psm))
                break
            except BlockingIOError:
                if rd is None:
                    rd = _Readable(loop, sock.fileno())
                await rd.wait()
    except BaseException:
        sock.linger = 0
        sock.close()
        raise
    return Channel(sock, loop)


class Server:
    """Accepts channels on a listening L2CAPSocket and hands each to the callback."""

    def __init__(self, sock, callback, loop):
        self.sock = sock
        self._cb = callback
        self._loop = loop
        self._tasks = set()
        self._closed = loop.create_future()
        self._serving = True
        sock.setblocking(False)
        loop.add_reader(sock.fileno(), self._accept_all)

    @property
    def psm(self):
        return self.sock.getsockname()[1]

    def _accept_all(self):
        while self._serving:
            try:
                c, _ = self.sock.accept()
            except BlockingIOError:
                return
            except OSError as e:
                self._loop.call_exception_handler({"message": "l2kit server: accept failed", "exception": e})
                return
            ch = Channel(c, self._loop)
            try:
                r = self._cb(ch)
            except Exception as e:
                self._loop.call_exception_handler({"message": "l2kit server: callback failed", "exception": e})
                continue
            if inspect.isawaitable(r):
                t = self._loop.create_task(r)
                self._tasks.add(t)
                t.add_done_callback(self._tasks.discard)

    def close(self):
        """Stop serving (channels already accepted go on)."""
        if self._serving:
            self._serving = False
            self._loop.remove_reader(self.sock.fileno())
            self.sock.close()
            if not self._closed.done():
                self._closed.set_result(None)

    async def wait_closed(self):
        await asyncio.shield(self._closed)

    async def serve_forever(self):
        await self.wait_closed()

    def is_serving(self):
        return self._serving

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        self.close()
        await self.wait_closed()


async def start_server(stack, client_connected_cb, psm=0, *, backlog=16, **options):
    """Serve psm (0: a free one, see Server.psm): client_connected_cb(channel) runs for every
    channel (a coroutine function gets a task).  LE with le=True or mode='le'."""
    loop = asyncio.get_running_loop()
    sock = L2CAPSocket(stack, **options)
    try:
        sock.bind(("", psm))
        sock.listen(backlog)
    except BaseException:
        sock.close()
        raise
    return Server(sock, client_connected_cb, loop)
