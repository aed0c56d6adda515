"""Real sockets on 127.0.0.1: structure and invariants only, never this machine's speed."""

from __future__ import annotations

import socket
import sys
import threading

import numpy as np

import pytest

from scalelab import loopback, measure


def test_tcp_echo_returns_what_was_sent_and_the_server_stops():
    before = threading.active_count()
    with loopback.echo_server("tcp") as port:
        assert port > 0
        with socket.create_connection((loopback.HOST, port), timeout=2) as s:
            s.sendall(b"hello")
            assert loopback.recv_exact(s, 5) == b"hello"
    assert threading.active_count() <= before


def test_round_trips_over_loopback_return_one_positive_time_each():
    for kind in ("tcp", "udp"):
        t = loopback.round_trip_times(kind, n=20)
        assert len(t) == 20 and np.isfinite(t).all() and (t > 0).all()


def test_opening_a_connection_takes_positive_time_within_the_socket_timeout():
    # Not "under 1 s": a dropped SYN legitimately costs one second (RFC 6298).
    t = loopback.connection_setup_times(5)
    assert len(t) == 5 and (t > 0).all() and (t < 3 * loopback.TIMEOUT_S).all()


@pytest.mark.parametrize("kind", ["tcp", "udp"])
def test_a_server_in_a_separate_process_echoes_and_ends_with_its_block(kind):
    import multiprocessing

    before = len(multiprocessing.active_children())
    with loopback.echo_server(kind, separate_process=True) as port:
        assert len(multiprocessing.active_children()) == before + 1
        s = loopback._client(kind, port)
        with s:
            s.sendall(b"ping") if kind == "tcp" else s.send(b"ping")
            assert (loopback.recv_exact(s, 4) if kind == "tcp" else s.recv(100)) == b"ping"
    assert len(multiprocessing.active_children()) == before


def test_latency_samples_interleave_three_kinds_with_their_round_medians():
    s = loopback.latency_samples(n=30, rounds=3)
    assert s.rounds == 3 and all(len(v) == 30 for v in s.samples.values())
    assert all(len(m) == 3 for m in s.round_medians.values())
    table = s.table()
    assert list(table.index) == ["TCP connect", "TCP echo", "UDP echo"] and (table["p99 / median"] >= 1).all()


def _samples(connects):
    t = np.asarray(connects, dtype=float)
    return loopback.LatencySamples({"TCP connect": t}, {"TCP connect": [float(np.median(t))]}, 1, 1.0)


def test_the_verdict_quotes_the_load_read_before_the_measurement():
    s = loopback.LatencySamples({"TCP echo": np.full(10, 5e-5)}, {"TCP echo": [5e-5]}, 1, 1.0, load_average=9.5)
    assert "load average 9.5" in s.verdict()
    assert loopback.latency_samples(n=6, rounds=2).load_average is not None or not hasattr(__import__("os"), "getloadavg")


def _tailed():
    t = np.r_[np.full(98, 1e-5), [1e-3, 1e-3]]  # p99 about 100x the median
    return loopback.LatencySamples({"TCP echo": t}, {"TCP echo": [1e-5]}, 1, 1.0, load_average=10.0)


def test_a_host_load_above_the_host_cpus_is_named_as_the_cause_of_long_tails():
    host = measure.host_load(10.0, measure.CpuCount(affinity=4, quota=None, usable=4), host_cpus=4)
    text = _tailed().verdict(host)
    assert "Long tails" in text and "host is busy (1-minute load average 10.0 on its 4 CPUs)" in text
    assert "quota" not in text.split("\n")[-1]


def test_a_cgroup_quota_not_the_host_load_is_named_on_a_quiet_large_host():
    # Binder-like: 2 CPUs of quota on a 64-CPU host whose load average is 10 (the whole host's).
    host = measure.host_load(10.0, measure.CpuCount(affinity=64, quota=2.0, usable=2), host_cpus=64)
    text = _tailed().verdict(host)
    last = text.split("\n")[-1]
    assert "Long tails" in last and "host is busy" not in last and "load 10.0 on 2" not in text
    assert "quota is 2 CPUs, below the 64 CPUs of the affinity mask" in last and "next period" in last
    assert "10.0 on the host's 64 CPUs" in text


def test_a_quiet_host_without_a_quota_names_no_busy_machine():
    host = measure.host_load(1.0, measure.CpuCount(affinity=2, quota=None, usable=2), host_cpus=2)
    last = _tailed().verdict(host).split("\n")[-1]
    assert "Long tails" in last and "busy" not in last and "likely cause" not in last
    with pytest.raises(ValueError, match="host"):
        _tailed().verdict(host="busy")


def test_the_verdict_names_a_one_second_connect_as_a_dropped_syn():
    text = _samples([5e-5] * 99 + [1.02]).verdict()
    assert "1 of 100 connects took over 0.5 s" in text and "RFC 6298" in text
    assert "No connect took over 0.5 s" in _samples([5e-5] * 100).verdict()


def test_dropped_syns_are_not_counted_as_a_long_tail():
    # 6 of 500 connects resent after 1 s would put p99 at 1 s: they are the dropped SYNs
    # counted on their own line, not CPU waits
    text = _samples([1.1e-5] * 494 + [1.02] * 6).verdict()
    assert "6 of 500 connects took over 0.5 s" in text
    assert "Short tails" in text and "Long tails" not in text


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux drops a SYN when the accept queue is full")
def test_a_dropped_syn_costs_the_one_second_initial_retransmission_timeout():
    # Not a speed: the kernel cannot resend the SYN before its 1 s initial RTO (RFC 6298, 2.1).
    assert loopback.syn_retransmit_demo(0.2) >= 0.9


def test_time_wait_count_reads_proc_net_tcp(tmp_path):
    f = tmp_path / "tcp"
    f.write_text("  sl  local_address rem_address   st\n"
                 "   0: 0100007F:1F90 0100007F:C350 06 x\n"
                 "   1: 0100007F:1F90 0100007F:C351 01 x\n")
    assert loopback.time_wait_count(0x1F90, str(f)) == 1
    assert loopback.time_wait_count(80, str(tmp_path / "missing")) is None


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
        (lambda: loopback.latency_samples(n=10**9), r"n must be"),
        (lambda: loopback.latency_samples(budget_s=float("inf")), r"budget_s must be"),
        (lambda: loopback.syn_retransmit_demo(5), r"accept_after_s must be"),
        (lambda: loopback.echo_server("tcp", separate_process=1).__enter__(), r"separate_process must be"),
    ],
)
def test_bad_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/net/tcp")
def test_connections_the_client_closes_end_in_time_wait():
    assert loopback.time_wait_after_close(3) == (3, 3)


def _throughput_table(seconds, spreads, sizes=(64, 512, 4_096, 32_768, 262_144, 1_048_576)):
    import pandas as pd

    t = pd.DataFrame({"size_bytes": list(sizes), "seconds": seconds, "sends": 200, "spread": spreads})
    t["Mbit/s"] = 8 * t["size_bytes"] / t["seconds"] / 1e6
    return t


# Made-up tables, not speeds: an exact l + 8m/b machine (10 us, 30 Gbit/s), then one whose
# 1 MB messages cost 1.7x the model (the shape of the stored run), quiet and busy.
_SIZES = np.array([64, 512, 4_096, 32_768, 262_144, 1_048_576])
_EXACT = list(10e-6 + 8 * _SIZES / 30e9)
_BENT = _EXACT[:-1] + [1.7 * _EXACT[-1]]


def test_the_throughput_verdict_accepts_a_run_that_follows_the_model():
    t = _throughput_table(_EXACT, [0.05] * 6)
    text = loopback.throughput_verdict(t, *loopback.fit_latency_bandwidth(t.size_bytes, t.seconds))
    assert "l = 10.0 us, b = 30.0 Gbit/s" in text
    assert "shape fits this run" in text and "cost per byte grows" not in text and "falls" not in text


def test_the_throughput_verdict_says_when_a_size_is_far_below_the_model():
    low = list(_EXACT)
    low[3] *= 0.8  # 32 KB 20% faster than the line, no size above it by more than 10%
    t = _throughput_table(low, [0.05] * 6)
    text = loopback.throughput_verdict(t, 10e-6, 30e9)
    assert "32 KB is 20% below it" in text and "shape fits this run" not in text
    for spread in (0.5, 1.5):  # no more than the round medians differ by: not read as a misfit
        t = _throughput_table(low, [0.05, 0.05, 0.05, spread, 0.05, 0.05])
        text = loopback.throughput_verdict(t, 10e-6, 30e9)
        assert "cannot tell it from run-to-run variation" in text and "does not fit" not in text


def test_the_throughput_verdict_names_a_growing_cost_per_byte_on_a_quiet_run():
    t = _throughput_table(_BENT, [0.05] * 6)
    text = loopback.throughput_verdict(t, *loopback.fit_latency_bandwidth(t.size_bytes, t.seconds))
    assert "at 1 MB" in text and "the cost per byte grows at this size" in text and "most likely" not in text
    assert "Likely causes, not verified" in text and "CPU caches" in text and "socket buffers" in text
    assert "falls by" in text and "only rises with size" in text and "fits this run" not in text


def test_a_gap_between_once_and_twice_the_spread_is_called_most_likely():
    t = _throughput_table(_BENT, [0.05] * 5 + [0.3])  # the fit takes part of the bend: the gap is 44%
    text = loopback.throughput_verdict(t, *loopback.fit_latency_bandwidth(t.size_bytes, t.seconds))
    assert "most likely the cost per byte grows" in text


def test_the_throughput_verdict_refuses_to_read_a_gap_on_a_busy_run():
    t = _throughput_table(_BENT, [0.05] * 5 + [1.2])
    text = loopback.throughput_verdict(t, *loopback.fit_latency_bandwidth(t.size_bytes, t.seconds))
    assert "cannot be read" in text and "other work had the CPUs" in text and "cost per byte grows at" not in text


def test_a_gap_within_the_spread_is_not_read_as_a_gap():
    t = _throughput_table(_BENT, [0.05] * 5 + [0.9])  # the gap at 1 MB (44% after the fit) is below 0.9
    text = loopback.throughput_verdict(t, *loopback.fit_latency_bandwidth(t.size_bytes, t.seconds))
    assert "cannot tell it from run-to-run variation" in text and "does not contradict" in text
    assert "cost per byte grows" not in text and "fits this run" not in text


def test_the_throughput_verdict_refuses_a_table_it_cannot_read():
    t = _throughput_table(_EXACT, [0.05] * 6)
    for bad, match in ((t.drop(columns="spread"), "table"), (t.iloc[:1], "table"), ("table", "table")):
        with pytest.raises(ValueError, match=match):
            loopback.throughput_verdict(bad, 1e-5, 3e10)
    with pytest.raises(ValueError, match="latency_s"):
        loopback.throughput_verdict(t, -1.0, 3e10)
    with pytest.raises(ValueError, match="bandwidth_bps"):
        loopback.throughput_verdict(t, 1e-5, 0)


def test_the_throughput_verdict_reads_a_gap_at_a_small_size_as_a_cost_per_message():
    small = list(_EXACT)
    small[0] *= 1.5  # 64 B 50% above the line: its time is almost all the fixed cost l
    text = loopback.throughput_verdict(_throughput_table(small, [0.05] * 6), 10e-6, 30e9)
    assert "at 64 bytes the measured time is 50% above the model" in text
    assert "cost per message at this size is above the fitted l" in text and "caches" not in text


def test_the_latency_verdict_without_a_load_average_does_not_claim_one():
    from scalelab.measure import CpuCount, HostLoad

    host = HostLoad(load=None, host_cpus=2, cpus=CpuCount(affinity=2, quota=None, usable=2))
    t = np.r_[np.full(98, 1e-5), [1e-3, 1e-3]]  # p99 about 100x the median: a long tail
    text = loopback.LatencySamples({"TCP echo": t}, {"TCP echo": [1e-5]}, 1, 1.0).verdict(host=host)
    assert "load average is unknown here" in text and "within its CPUs" not in text


def test_the_throughput_figure_names_the_fitted_line_as_drawn():
    # size is in bytes: the drawn line is l + 8 x size / b, and its legend must say so
    fig = loopback.throughput_figure(_throughput_table(_EXACT, [0.05] * 6), 10e-6, 30e9).figure
    fit = [t for t in fig.data if (t.name or "").startswith("fit:")]
    assert fit and fit[0].name == "fit: 10 us + 8 x size / 30.0 Gbit/s"
    size = np.asarray(fit[0].x, dtype=float)
    assert np.allclose(8 * size / (10e-6 + 8 * size / 30e9) / 1e6, np.asarray(fit[0].y, dtype=float), rtol=1e-3)
