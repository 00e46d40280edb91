"""The asyncio face: open_channel / start_server with async send / recv, ten channels at once,
back-pressure through the send descriptor, errors, over the simulator and vctrl."""

import asyncio
import threading

import pytest

import l2kit


def run(coro, timeout=60):
    return asyncio.run(asyncio.wait_for(coro, timeout))


@pytest.mark.parametrize("mode", ["ertm", "le"])
def test_ten_channels_at_once(pair, mode):
    a, b = pair
    le = mode == "le"

    async def main():
        async def echo(ch):
            async with ch:
                while True:
                    d = await ch.recv()
                    if not d and ch.eof:
                        return
                    await ch.send(d)

        async with await b.start_server(echo, 0x80 if le else 0x1001, mode=mode) as srv:
            assert srv.psm == (0x80 if le else 0x1001)
            peer = b.address + ("/le-public" if le else "")

            async def client(i):
                async with await a.open_channel(peer, srv.psm, mode=mode) as ch:
                    for k in range(30):
                        m = b"%d:%d:" % (i, k) + bytes([k]) * (k * 20)
                        await ch.send(m)
                        assert await ch.recv() == m
                return i

            # every wait is the loop watching descriptors: no thread per call
            before = threading.active_count()
            results = await asyncio.gather(*(client(i) for i in range(10)))
            assert threading.active_count() == before
            assert results == list(range(10))

    run(main())


def test_send_waits_for_room_on_the_send_descriptor(pair):
    """The receiver grants one credit and no more until it says so: the sender's queue fills,
    send() parks on l2k_sock_send_fd's descriptor, and goes on when credits come."""
    a, b = pair

    async def main():
        b.advertise(True)
        accepted = asyncio.get_running_loop().create_future()
        srv = await b.start_server(accepted.set_result, 0x80, mode="le", manual_credits=True, credits=1)
        ch = await a.open_channel(b.address + "/le-public", 0x80, tx_queue_bytes=1024)
        peer = await accepted
        sent = 0
        while True:  # fill the queue: the first SDU took the only credit
            try:
                ch.sock.send(b"s" * 100)
                sent += 1
            except BlockingIOError:
                break
        assert 5 < sent < 100  # bounded by the queue (at least our MTU + 8: 2056 bytes)
        t = asyncio.ensure_future(ch.send(b"L" * 100))
        await asyncio.sleep(0.05)
        assert not t.done()  # no credit can come: it waits (on the descriptor, no thread)
        peer.sock.give_credits(100)
        await t
        for _ in range(sent):
            assert await peer.recv() == b"s" * 100
        assert await peer.recv() == b"L" * 100
        await ch.close()
        await peer.close()
        srv.close()
        await srv.wait_closed()

    run(main())


def test_errors_reach_the_coroutine(pair):
    a, b = pair

    async def main():
        with pytest.raises(l2kit.RefusedError) as ei:
            await a.open_channel(b.address, 0x1003)
        assert ei.value.result == 0x0002
        with pytest.raises(ValueError):
            await a.open_channel("nonsense", 0x1003)
        # giving up (cancelling) a connect that cannot finish: the LE peer does not advertise
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(a.open_channel(b.address + "/le-public", 0x80), 0.3)

    run(main())


def test_a_blocking_callback_and_server_close(pair):
    a, b = pair

    async def main():
        seen = []
        srv = await b.start_server(lambda ch: seen.append(ch), 0x1001)  # a plain function
        ch = await a.open_channel(b.address, 0x1001)
        await ch.send(b"hello")
        while not seen:
            await asyncio.sleep(0.01)
        assert await seen[0].recv() == b"hello"
        assert seen[0].getpeername() == (a.address, 0x1001)
        srv.close()
        await srv.wait_closed()
        assert not srv.is_serving()
        with pytest.raises(l2kit.RefusedError):  # nobody serves the PSM any more
            await a.open_channel(b.address, 0x1001)
        ch.abort()
        await seen[0].close()

    run(main())
