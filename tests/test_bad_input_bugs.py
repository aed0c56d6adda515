"""The wrong answers issue 12 found, each pinned by a test (outside explorer, parallel and
concurrency, which other tests cover)."""

from __future__ import annotations

import json
import math
import socket
import struct
import threading
import time

import numpy as np
import pytest

from scalelab import amdahl, asyncqueue, loopback, partitioning, queueing, rpc, transport


# --- rpc -----------------------------------------------------------------------------------


class Sleeper:
    def slow(self, seconds):
        time.sleep(seconds)
        return f"slept {seconds}"

    def add(self, a, b):
        return a + b


def test_a_late_reply_is_discarded_not_returned_to_the_next_call():
    registry = rpc.Registry()
    with rpc.serve(Sleeper(), registry, "sleeper"):
        with registry.lookup("sleeper", timeout_s=0.3) as stub:
            with pytest.raises(TimeoutError):
                stub.slow(0.8)
            time.sleep(0.7)  # the late reply arrives while nobody waits for it
            assert stub.add(1, 2) == 3
            assert stub.discarded == 1


def _raw_request(sock: socket.socket, payload: bytes) -> dict:
    loopback.send_framed(sock, payload)
    return json.loads(loopback.recv_framed(sock))


def test_a_malformed_request_gets_an_error_reply_and_the_server_keeps_serving():
    registry = rpc.Registry()
    with rpc.serve(rpc.Calculator(), registry, "calc") as address:
        with socket.create_connection(address, timeout=2) as s:
            for bad in (b"not json", b"[1, 2]", b'{"method": 5, "args": []}', b'{"method": "add", "args": 3}',
                        b"\xff\xfe"):
                reply = _raw_request(s, bad)
                assert reply["error"].startswith("BadRequest"), reply
            assert _raw_request(s, b'{"id": 7, "method": "add", "args": [1, 2]}') == {"id": 7, "result": 3}
        with registry.lookup("calc") as calc:  # and new connections still work
            assert calc.add(2, 2) == 4


class _NotRpc:
    """A TCP server that answers anything like a web server."""

    def __init__(self, answer: bytes):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.answer, self.stop = answer, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            with conn:
                conn.settimeout(1)
                try:
                    conn.recv(1024)
                    conn.sendall(self.answer)
                    time.sleep(0.2)
                except OSError:
                    pass

    def close(self):
        self.stop.set()
        self.thread.join(2)
        self.sock.close()


@pytest.mark.parametrize("answer", [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                                    struct.pack("!I", 4) + b"null",
                                    struct.pack("!I", 22) + b'{"method":"x","id":1}\n'])
def test_a_registry_pointing_at_a_non_rpc_server_gives_a_clear_error(answer):
    server = _NotRpc(answer)
    try:
        registry = rpc.Registry()
        registry.bind("calc", server.sock.getsockname())
        with registry.lookup("calc", timeout_s=1.0) as calc:
            start = time.monotonic()
            with pytest.raises(rpc.ProtocolError, match="not an RPC server"):
                calc.add(1, 2)
            assert time.monotonic() - start < 1.0
    finally:
        server.close()


def test_an_echo_server_is_not_mistaken_for_an_rpc_server():
    with loopback.echo_server("tcp") as port:
        with rpc.Stub(("127.0.0.1", port), timeout_s=1.0) as stub:
            with pytest.raises(rpc.ProtocolError, match="not an RPC server"):
                stub.add(1, 2)


class _BrokenRegistry(rpc.Registry):
    def bind(self, name, address):
        raise RuntimeError("registry unavailable")


def _live_threads() -> int:
    time.sleep(0.3)
    return threading.active_count()


def test_a_failing_serve_leaves_no_socket_or_thread_behind():
    before = _live_threads()
    with pytest.raises(RuntimeError, match="registry unavailable"):
        with rpc.serve(rpc.Calculator(), _BrokenRegistry(), "calc"):
            pass
    with pytest.raises(ValueError, match="registry must be a Registry"):
        with rpc.serve(rpc.Calculator(), "not a registry", "calc"):
            pass
    with pytest.raises(ValueError, match="name must be a non-empty string"):
        with rpc.serve(rpc.Calculator(), rpc.Registry(), ""):
            pass
    assert _live_threads() == before


def test_stub_and_registry_arguments_are_checked():
    with pytest.raises(ValueError, match="address must be a"):
        rpc.Stub("localhost")
    with pytest.raises(ValueError, match=r"timeout_s must be"):
        rpc.Stub(("127.0.0.1", 9), timeout_s=math.inf)
    with pytest.raises(ValueError, match="port in"):
        rpc.Registry().bind("x", ("127.0.0.1", 70000))


# --- models --------------------------------------------------------------------------------


def test_range_partition_cannot_overflow():
    with pytest.raises(ValueError, match=r"n_partitions must be a whole number and in \[1, 100000\], got "):
        partitioning.range_partition(100, 10**17)
    p = partitioning.range_partition(10_000, partitioning.MAX_PARTITIONS)
    assert p.min() >= 0 and p.max() < partitioning.MAX_PARTITIONS and np.all(np.diff(p) >= 0)


def test_hot_key_floor_needs_a_positive_weight():
    with pytest.raises(ValueError, match="weights must hold at least one positive value"):
        partitioning.hot_key_floor([0, 0, 0], 16)
    assert partitioning.hot_key_floor([1, 0, 0], 16) == 16.0


def test_lindley_waits_refuses_empty_and_mismatched_arrays():
    with pytest.raises(ValueError, match="interarrival_s must not be empty"):
        queueing.lindley_waits(np.array([]), np.array([]))
    with pytest.raises(ValueError, match="must have the same length, got 3 and 2"):
        queueing.lindley_waits(np.zeros(3), np.ones(2))
    with pytest.raises(ValueError, match="service_s must be >= 0"):
        queueing.lindley_waits(np.zeros(2), np.array([1.0, -1.0]))
    with pytest.raises(ValueError, match="must have the same length"):
        queueing.fifo_waits(np.zeros(3), np.ones(2), 2)


def test_durable_queue_needs_a_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for bad in (None, "", 3):
        with pytest.raises(ValueError, match="path must be a non-empty str or os.PathLike"):
            asyncqueue.DurableQueue(bad)
    assert list(tmp_path.iterdir()) == []  # no file named "None"
    q = asyncqueue.DurableQueue(tmp_path / "q.db")  # a PathLike is fine
    with pytest.raises(ValueError, match="payload must be a str"):
        q.put(None)
    with pytest.raises(ValueError, match="write_cost_s must be"):
        q.store_next(math.inf)
    q.close()


def test_arrival_rate_per_s_checks_its_arguments():
    t = np.array([8.0, 9.0, 10.0])
    assert asyncqueue.arrival_rate_per_s(t, 60, 10)[1] == pytest.approx(60)
    for kwargs, name in [({"peak_rate_per_s": math.nan}, "peak_rate_per_s"),
                         ({"peak_rate_per_s": 5}, "peak_rate_per_s"),  # below the base rate
                         ({"peak_rate_per_s": 60, "base_rate_per_s": -1}, "base_rate_per_s"),
                         ({"peak_rate_per_s": 60, "rush_width_h": 0}, "rush_width_h"),
                         ({"peak_rate_per_s": 60, "rush_peak_h": math.inf}, "rush_peak_h")]:
        with pytest.raises(ValueError, match=name):
            asyncqueue.arrival_rate_per_s(t, **kwargs)
    with pytest.raises(ValueError, match="time_h"):
        asyncqueue.arrival_rate_per_s(np.array([math.nan]), 60)


def test_consume_refuses_a_nan_idle_timeout(tmp_path):
    path = str(tmp_path / "q.db")
    asyncqueue.DurableQueue(path).close()
    for name in ("idle_timeout_s", "deadline_s"):
        with pytest.raises(ValueError, match=name):
            asyncqueue.consume(path, **{name: math.nan})
    with pytest.raises(ValueError, match="max_items"):
        asyncqueue.consume(path, max_items=math.inf)


def test_the_examples_from_the_issue_are_refused():
    with pytest.raises(ValueError, match="cores must be finite"):
        amdahl.speedup(0.05, math.inf)
    with pytest.raises(ValueError, match="offered_load must be finite"):
        queueing.erlang_b(2, math.inf)
    with pytest.raises(ValueError, match="servers must be a number, got True"):
        queueing.erlang_b(True, 1)
    with pytest.raises(ValueError, match="cores must be a number, got '8'"):
        amdahl.speedup(0.05, "8")
    start = time.monotonic()
    with pytest.raises(ValueError, match=r"servers must be a whole number and in \[1, 100000\]"):
        queueing.erlang_b(10**9, 1)
    with pytest.raises(ValueError, match="step_s must be in"):
        asyncqueue.ski_lift_day(step_s=1e-5)
    with pytest.raises(ValueError, match="interval_s must be"):
        transport.simulate_transfer("tcp", 0.1, interval_s=math.inf)
    with pytest.raises(ValueError, match="rto_s must be in"):
        transport.simulate_transfer("tcp", 0.1, rto_s=1e-6)
    assert time.monotonic() - start < 2.0


# --- found by the audit once the chapter work's functions were walked -------------------


def test_a_stationary_start_with_more_than_20_servers_has_the_right_busy_servers():
    # The weights a**k / k! were computed with numpy's int product, which wraps past 20!;
    # in logs they are exact. In an M/M/c queue the mean number of busy servers is
    # a = lambda / mu (Little's law applied to the servers; Kleinrock 1975, sec. 3.5).
    rng = np.random.default_rng(1)
    c, a = 30, 24.0
    busy = [int(np.count_nonzero(queueing.stationary_free_times(a, 1.0, c, rng) > 0)) for _ in range(3000)]
    se = np.std(busy) / np.sqrt(len(busy))
    assert abs(np.mean(busy) - a) < 4 * se + 0.05
    w = queueing.simulate_fifo(900.0, 1.0, 1000, 1000, 0, start="stationary")  # used to divide by zero
    assert np.isfinite(w).all()


def test_stationary_free_times_checks_its_queue():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="arrival_rate"):
        queueing.stationary_free_times(2.0, 1.0, 2, rng)  # unstable
    with pytest.raises(ValueError, match="servers"):
        queueing.stationary_free_times(0.5, 1.0, 2.5, rng)
    with pytest.raises(ValueError, match="rng"):
        queueing.stationary_free_times(0.5, 1.0, 2, 0)


def test_nines_of_many_replicas_stay_finite():
    from scalelab import availability
    assert availability.replicated_nines(0.5, 10**12) == pytest.approx(10**12 * math.log10(2))
    assert availability.replicated_nines(0.999, 6) == pytest.approx(18.0)
    assert availability.replicated_nines(1.0, 3) == math.inf  # documented: A = 1 has infinite nines


def test_sizes_of_the_chapter_functions_are_checked_before_any_work():
    from scalelab import consensus, failures, parallel
    start = time.monotonic()
    with pytest.raises(ValueError, match="request_rate x service_ms"):
        queueing.replica_curves(10**12, 10)
    with pytest.raises(ValueError, match="attempts must be a whole number and in"):
        failures.false_suspicion_any_reply(0.1, 0.02, 0.5, attempts=10**12)
    with pytest.raises(ValueError, match="iterations must be a whole number and in"):
        parallel.burn(10**12)
    with pytest.raises(ValueError, match="seeds x len"):
        consensus.election_statistics(seeds=2000, limit_ms=60_000, nodes=15)
    with pytest.raises(ValueError, match="limit_ms"):
        consensus.election_statistics(limit_ms=math.nan)
    with pytest.raises(ValueError, match="long_requests"):
        queueing.agreement_table(long_requests=10**12)
    assert time.monotonic() - start < 30  # refused at the door: nothing above runs for minutes
