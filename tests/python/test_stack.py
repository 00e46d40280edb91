"""l2kit.Stack: controller info, LE advertising and scanning, links up and down."""

import errno
import threading

import pytest

import l2kit


def test_controller_info(pair):
    a, b = pair
    i = a.info
    assert i.address == a.address != b.address
    assert len(i.address) == 17 and i.bredr and i.le
    assert i.acl_mtu > 0 and i.acl_count > 0 and i.le_acl_mtu > 0
    assert repr(a).startswith("<l2kit.Stack ")


def test_advertising_is_seen_by_a_scanner(pair):
    a, b = pair
    seen = threading.Event()
    reports = []

    def on_report(address, rssi, data):
        reports.append((address, rssi, data))
        if address == b.address + "/le-public" and data == b"\x02\x01\x06":
            seen.set()

    a.scan(True, on_report)
    b.advertise(True, b"\x02\x01\x06")
    assert seen.wait(20), reports[:5]
    a.scan(False)
    b.advertise(False)


@pytest.mark.parametrize("le", [False, True])
def test_links_up_and_down(pair, le):
    a, b = pair
    if le:
        b.advertise(True)
    target = b.address + ("/le-public" if le else "")
    ups, downs = [], []
    b.on_link_up = ups.append
    b.on_link_down = lambda link, reason: downs.append((link, reason))
    link = a.connect_link(target, timeout=20)
    assert link.address == target and link.type == ("le-public" if le else "bredr")
    assert link.role == ("central" if le else None) and a.links == [link]  # (BR/EDR: not reported)
    assert a.connect_link(target) == link  # up already
    a.disconnect_link(link)
    for _ in range(200):
        if not a.links and not b.links:
            break
        threading.Event().wait(0.05)
    assert a.links == [] and b.links == []
    assert [l.address for l in ups] == [a.address + ("/le-public" if le else "")]
    assert downs == [(ups[0], 0x13)]  # remote user terminated the connection


def test_connect_link_gives_up_at_its_timeout(pair):
    a, b = pair
    with pytest.raises(l2kit.Timeout):
        a.connect_link("00:11:22:33:44:55/le-public", timeout=0.2)  # nobody advertises


def test_hci_stats_count_the_stack_and_each_link(pair):
    a, b = pair
    before = a.hci_stats()
    assert set(before) == {"acl_rx_packets", "acl_rx_pdus", "acl_bad_header", "acl_unknown_handle",
                           "acl_cont_without_start", "acl_overrun", "acl_short_start", "acl_too_big",
                           "acl_incomplete", "evt_malformed", "nocp_excess", "rx_after_failure",
                           "cmd_timeouts", "probes"}
    ls = b.listen(0x80, le=True, mtu=2000)
    b.advertise(True)
    got = []
    t = threading.Thread(target=lambda: got.append(ls.accept()), daemon=True)
    t.start()
    with a.connect(b.address + "/le-public", 0x80, timeout=10, mtu=2000) as ch:
        t.join(10)
        peer_ch = got[0][0]
        for _ in range(5):
            peer_ch.send(b"x" * 1500)  # several PDUs, each in several ACL packets
        for _ in range(5):
            assert ch.recv(4000) == b"x" * 1500
        [link] = a.links
        mine = a.hci_stats(link)
        assert a.hci_stats(link.handle) == mine
        total = a.hci_stats()
        assert mine["acl_rx_pdus"] >= 5 and mine["acl_rx_packets"] > mine["acl_rx_pdus"]
        assert total["acl_rx_packets"] - before["acl_rx_packets"] >= mine["acl_rx_packets"]
        assert all(v == 0 for k, v in total.items() if k not in ("acl_rx_packets", "acl_rx_pdus", "probes"))
        peer_ch.close()
    a.disconnect_link(link)
    for _ in range(200):
        if not a.links:
            break
        threading.Event().wait(0.05)
    with pytest.raises(l2kit.Error) as e:
        a.hci_stats(link)
    assert e.value.errno == errno.ENOTCONN
    ls.close()
