"""Real sockets on 127.0.0.1: structure and loose bounds only (the CI machine is busy)."""

from __future__ import annotations

import socket
import threading

import pytest

from scalelab import loopback


def test_tcp_echo_returns_what_was_sent_and_the_server_stops():
    before = threading.active_count()
    with loopback.echo_server("tcp") as port:
        assert port > 0
        with socket.create_connection((loopback.HOST, port), timeout=2) as s:
            s.sendall(b"hello")
            assert loopback.recv_exact(s, 5) == b"hello"
    assert threading.active_count() <= before


def test_round_trips_over_loopback_take_under_a_tenth_of_a_second():
    for kind in ("tcp", "udp"):
        t = loopback.round_trip_times(kind, n=20)
        assert len(t) == 20 and 0 < sorted(t)[10] < 0.1


def test_opening_a_connection_takes_positive_bounded_time():
    t = loopback.connection_setup_times(5)
    assert len(t) == 5 and (t > 0).all() and (t < 1).all()


def test_throughput_table_covers_each_size():
    table = loopback.throughput_by_size([100, 100_000], budget_s=0.02, max_repeats=5)
    assert table["size_bytes"].tolist() == [100, 100_000] and (table["Mbit/s"] > 0).all()


def test_tcp_merges_messages_and_framing_and_udp_keep_them_apart():
    raw, framed, udp = loopback.stream_vs_datagrams(messages=8, size_bytes=50)
    assert raw.first_receive_bytes > 50 and not raw.intact  # several messages run together
    assert framed.intact and framed.recovered == 8
    assert udp.intact and udp.receives == 8 and udp.first_receive_bytes == 50


def test_many_connections_share_one_server_port_with_distinct_client_ports():
    table = loopback.connection_tuples(5)
    assert table["server port"].nunique() == 1 and table["client port"].nunique() == 5


def test_nodelay_table_has_both_settings():
    table = loopback.nodelay_effect(n=2)
    assert list(table.index) == [False, True] and (table["median (ms)"] > 0).all()


def test_ephemeral_port_range_is_read_or_none(tmp_path):
    f = tmp_path / "range"
    f.write_text("32768\t60999\n")
    assert loopback.ephemeral_port_range(str(f)) == (32768, 60999)
    assert loopback.ephemeral_port_range(str(tmp_path / "missing")) is None


def test_framing_round_trips_a_message():
    a, b = socket.socketpair()
    with a, b:
        a.settimeout(2)
        b.settimeout(2)
        loopback.send_framed(a, b"abc" * 1000)
        assert loopback.recv_framed(b) == b"abc" * 1000


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: loopback.round_trip_times("tcp", n=0), r"n must be a whole number and in \[1, 100000\]"),
        (lambda: loopback.echo_server("quic").__enter__(), r"kind must be 'tcp' or 'udp'"),
        (lambda: loopback.fit_latency_bandwidth([1], [1]), r"at least 2"),
    ],
)
def test_bad_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
