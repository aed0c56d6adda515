"""A remote call, built by hand: registry, stub, marshalling, skeleton, reply.

Java RMI (and every RPC system since Birrell and Nelson, 1984) makes a call on an
object in another process look like a local call. The pieces, here in a few dozen
lines of Python over a TCP socket on 127.0.0.1:

* a **registry** maps a name to the network address of an exported object;
* a **stub** (client-side proxy) has the object's methods; each one *marshals* the
  method name and arguments into bytes (JSON here) and sends them;
* a **skeleton** (server side) receives the bytes, *unmarshals* them, calls the real
  method and sends the marshalled result (or error) back, which the stub unmarshals.

:func:`remote_call_time` is the cost model: a local call plus marshalling and
unmarshalling both ways, one network round trip and the time to push the bytes.

References
----------
- A. D. Birrell, B. J. Nelson, "Implementing remote procedure calls", ACM TOCS 2(1), 1984.
- Oracle, *Java RMI Specification* (stubs, skeletons, the registry).
- I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, ch. 3 (the eight steps).
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
from typing import Any

import numpy as np
import pandas as pd

from ._validate import at_least, count, in_range, number, positive, scalar
from .loopback import HOST, TIMEOUT_S, echo_server, recv_exact, send_framed
from .measure import MAX_REPEATS, interleaved
from .palette import BLUE, GUIDE, ORANGE, RED, TEAL

#: Largest request or reply accepted, bytes: a longer length prefix means the peer is
#: not speaking this protocol (an HTTP server's "HTTP" reads as 1.2 GB).
MAX_FRAME_BYTES = 64 << 20
#: Longest wait for a reply a stub accepts, s.
MAX_TIMEOUT_S = 600.0
#: Most floats per payload and most calls in the timing helpers.
MAX_MARSHAL_FLOATS = 1_000_000
MAX_CALLS = 100_000


class ProtocolError(RuntimeError):
    """The peer did not answer as an RPC server (or client) of this module."""

__all__ = [
    "STEPS",
    "Registry",
    "Stub",
    "Calculator",
    "ProtocolError",
    "MAX_FRAME_BYTES",
    "serve",
    "marshal",
    "unmarshal",
    "call_times",
    "marshalling_times",
    "marshalling_verdict",
    "remote_call_time",
    "remote_call_curves",
]

#: The eight steps of a remote call, as this module numbers them.
STEPS = {
    1: "server: export the object and register its name with the registry",
    2: "client: look the name up in the registry and get a stub",
    3: "client: call the method on the stub, as if it were local",
    4: "stub: marshal the method name and arguments, send the request",
    5: "skeleton: receive the request and unmarshal it",
    6: "skeleton: call the method on the real object",
    7: "skeleton: marshal the result, send the reply",
    8: "stub: receive and unmarshal the reply, return the result to the caller",
}


def marshal(value: Any) -> bytes:
    """Turn a value made of numbers, strings, lists and dicts into bytes (JSON, UTF-8).

    >>> marshal({"method": "add", "args": [1, 2]})
    b'{"method":"add","args":[1,2]}'
    """
    return json.dumps(value, separators=(",", ":")).encode()


def unmarshal(data: bytes) -> Any:
    """The inverse of :func:`marshal`.

    >>> unmarshal(marshal([1.5, "x"]))
    [1.5, 'x']
    """
    return json.loads(data.decode())


class Registry:
    """Names to addresses, like the RMI registry (here an in-process, thread-safe dict)."""

    def __init__(self) -> None:
        self._names: dict[str, tuple[str, int]] = {}
        self._lock = threading.Lock()

    def bind(self, name: str, address: tuple[str, int]) -> None:
        _check_name(name)
        address = _check_address(address)
        with self._lock:
            self._names[name] = address

    def unbind(self, name: str) -> None:
        _check_name(name)
        with self._lock:
            self._names.pop(name, None)

    def lookup(self, name: str, trace: list | None = None, timeout_s: float = TIMEOUT_S) -> "Stub":
        """A stub for the object bound to ``name`` (``LookupError`` if none is)."""
        _check_name(name)
        with self._lock:
            if name not in self._names:
                raise LookupError(f"no object is registered as {name!r}")
            address = self._names[name]
        _log(trace, 2, f"{name!r} is at a TCP port on {address[0]}")
        return Stub(address, trace, timeout_s=timeout_s)


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string, got {name!r}")
    return name


def _check_address(address: Any) -> tuple[str, int]:
    ok = (isinstance(address, (tuple, list)) and len(address) == 2 and isinstance(address[0], str)
          and isinstance(address[1], int) and not isinstance(address[1], bool) and 0 < address[1] < 65536)
    if not ok:
        raise ValueError(f"address must be a (host, port) pair with a port in [1, 65535], got {address!r}")
    return (address[0], int(address[1]))


def _check_trace(trace: Any) -> list | None:
    if trace is not None and not isinstance(trace, list):
        raise ValueError(f"trace must be a list or None, got {trace!r}")
    return trace


def _log(trace: list | None, step: int, detail: str) -> None:
    if trace is not None:
        trace.append((step, STEPS[step], detail))


class Stub:
    """Client-side proxy: ``stub.add(1, 2)`` runs ``add`` on the server object.

    One TCP connection per stub (with TCP_NODELAY); every socket wait has a timeout
    (``timeout_s``, at most ``MAX_TIMEOUT_S``). Each request carries a number, and the
    reply must carry the same one: a late reply to a call that already timed out is
    discarded, never returned to the next call (which is why RPC frameworks number
    their requests). A peer that does not answer in this protocol raises
    :class:`ProtocolError`.
    """

    def __init__(self, address: tuple[str, int], trace: list | None = None, timeout_s: float = TIMEOUT_S):
        address = _check_address(address)
        self._trace = _check_trace(trace)
        self._timeout_s = number("timeout_s", timeout_s, 0, MAX_TIMEOUT_S, low_open=True)
        self._address = address
        self._sock = socket.create_connection(address, timeout=self._timeout_s)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buffer = b""
        self._next_id = 0
        self.discarded = 0  # late replies thrown away

    def _read_frame(self, deadline: float) -> bytes:
        """One framed reply; bytes of a frame cut by a timeout stay buffered for the next call."""
        while True:
            if len(self._buffer) >= 4:
                (n,) = struct.unpack("!I", self._buffer[:4])
                if n > MAX_FRAME_BYTES:
                    raise ProtocolError(
                        f"the server at {self._address} is not an RPC server of this module: its reply "
                        f"announces {n} bytes (more than MAX_FRAME_BYTES = {MAX_FRAME_BYTES})")
                if len(self._buffer) >= 4 + n:
                    frame, self._buffer = self._buffer[4:4 + n], self._buffer[4 + n:]
                    return frame
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no reply from {self._address} within {self._timeout_s:g} s")
            self._sock.settimeout(left)
            try:
                chunk = self._sock.recv(1 << 20)
            except socket.timeout:
                raise TimeoutError(f"no reply from {self._address} within {self._timeout_s:g} s") from None
            if not chunk:
                raise ConnectionError(f"the server at {self._address} closed the connection")
            self._buffer += chunk

    def _reply(self, frame: bytes) -> dict:
        try:
            answer = unmarshal(frame)
        except (ValueError, UnicodeDecodeError):
            answer = None
        if not (isinstance(answer, dict) and isinstance(answer.get("id"), int)
                and ("result" in answer or "error" in answer)):
            raise ProtocolError(f"the server at {self._address} is not an RPC server of this module: "
                                f"it answered {frame[:60]!r}")
        return answer

    def _call(self, method: str, *args: Any) -> Any:
        _log(self._trace, 3, f"{method}{args}")
        self._next_id += 1
        request_id = self._next_id
        request = marshal({"id": request_id, "method": method, "args": list(args)})
        _log(self._trace, 4, f"{len(request)} bytes: {request[:60].decode()}")
        send_framed(self._sock, request)
        deadline = time.monotonic() + self._timeout_s
        while True:
            reply = self._read_frame(deadline)
            answer = self._reply(reply)
            if answer["id"] == request_id:
                break
            self.discarded += 1  # the late reply of an earlier call that timed out
        _log(self._trace, 8, f"{len(reply)} bytes back, result {answer.get('result')!r}")
        if "error" in answer:
            raise RuntimeError(f"remote {method} failed: {answer['error']}")
        return answer["result"]

    def __getattr__(self, method: str):
        if method.startswith("_"):
            raise AttributeError(method)
        return lambda *args: self._call(method, *args)

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> "Stub":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class Calculator:
    """The remote object of the examples."""

    def add(self, a: float, b: float) -> float:
        number("a", a)
        number("b", b)
        return a + b

    def total(self, values: list[float]) -> float:
        return float(sum(in_range("values", values, max_ndim=1, allow_empty=True).tolist()))


def _parse_request(request: bytes) -> tuple[Any, str, list]:
    """(id, method, args) of a request, or ``ValueError`` saying what is wrong with it."""
    try:
        call = unmarshal(request)
    except (ValueError, UnicodeDecodeError):
        raise ValueError(f"not JSON: {request[:60]!r}") from None
    if not isinstance(call, dict):
        raise ValueError(f"not an object: {request[:60]!r}")
    request_id, method, args = call.get("id"), call.get("method"), call.get("args", [])
    if not isinstance(method, str) or not isinstance(args, list):
        raise ValueError(f"needs a string 'method' and a list 'args': {request[:60]!r}")
    return request_id, method, args


def _skeleton(obj: Any, conn: socket.socket, stop: threading.Event, trace: list | None) -> None:
    """Serve one connection until it closes; a malformed request gets an error reply."""
    while not stop.is_set():
        try:
            header = recv_exact(conn, 4)
        except socket.timeout:
            continue
        except (ConnectionError, OSError):
            return
        (n,) = struct.unpack("!I", header)
        try:
            if n > MAX_FRAME_BYTES:
                send_framed(conn, marshal({"id": None, "error": f"BadRequest: {n} bytes is more than "
                                                               f"MAX_FRAME_BYTES = {MAX_FRAME_BYTES}"}))
                return  # the stream cannot be resynchronized
            conn.settimeout(TIMEOUT_S)
            request = recv_exact(conn, n)
            conn.settimeout(0.2)
        except (ConnectionError, OSError):
            return
        request_id = None
        try:
            request_id, method, args = _parse_request(request)
        except ValueError as exc:
            reply = marshal({"id": request_id, "error": f"BadRequest: {exc}"})
        else:
            _log(trace, 5, f"method {method!r}, arguments {args}")
            try:
                if method.startswith("_"):
                    raise AttributeError(f"{method} is not a remote method")
                result = getattr(obj, method)(*args)
                _log(trace, 6, f"{type(obj).__name__}.{method} returned {result!r}")
                reply = marshal({"id": request_id, "result": result})
            except Exception as exc:  # the error travels back to the caller
                reply = marshal({"id": request_id, "error": f"{type(exc).__name__}: {exc}"})
        _log(trace, 7, f"{len(reply)} bytes")
        try:
            send_framed(conn, reply)
        except OSError:
            return


@contextlib.contextmanager
def serve(obj: Any, registry: Registry, name: str, trace: list | None = None):
    """Export ``obj`` on 127.0.0.1 (port chosen by the OS) under ``name`` for the ``with`` block.

    >>> registry = Registry()
    >>> with serve(Calculator(), registry, "calc"):
    ...     with registry.lookup("calc") as calc:
    ...         calc.add(2, 3)
    5
    """
    if not isinstance(registry, Registry):
        raise ValueError(f"registry must be a Registry, got {registry!r}")
    _check_name(name)
    _check_trace(trace)
    stop = threading.Event()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    workers: list[threading.Thread] = []

    def accept_loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn.settimeout(0.2)

            def handle(c=conn):
                with c:
                    _skeleton(obj, c, stop, trace)

            t = threading.Thread(target=handle, daemon=True)
            t.start()
            workers.append(t)

    acceptor = threading.Thread(target=accept_loop, daemon=True)
    bound = False
    try:
        listener.settimeout(0.05)
        listener.bind((HOST, 0))
        listener.listen(16)
        acceptor.start()
        registry.bind(name, listener.getsockname())
        bound = True
        _log(trace, 1, f"{type(obj).__name__} registered as {name!r}")
        yield listener.getsockname()
    finally:  # also when setting up failed: no socket or thread is left behind
        if bound:
            registry.unbind(name)
        stop.set()
        if acceptor.is_alive():
            acceptor.join(timeout=2.0)
        for t in workers:
            t.join(timeout=2.0)
        listener.close()


def _calculator_skeleton(conn: socket.socket, stop: threading.Event) -> None:
    """Serve one connection with a :class:`Calculator` (module level, so that a server
    process started by ``spawn`` can import it)."""
    conn.settimeout(0.2)
    _skeleton(Calculator(), conn, stop, None)


def call_times(n: int = 2000, warmup: int = 20, rounds: int = 5) -> pd.DataFrame:
    """Median and 99th percentile time of ``n`` local calls and ``n`` remote calls of ``add``.

    The remote object is served from a separate process (as in :mod:`scalelab.loopback`),
    so the remote times do not include handing Python's interpreter lock to a server
    thread of this process. Both kinds of call run ``warmup`` untimed calls first; then
    ``rounds`` rounds each time ``n / rounds`` calls of each kind (at least one), local
    first in even rounds and remote first in odd ones, so that a burst of load from
    elsewhere hits both alike. The local call includes :meth:`Calculator.add`'s argument
    checks (microseconds in Python), which the remote call also runs, on the server;
    ``added (us)`` is the remote median minus the local one, what the remote path itself
    costs, and ``round medians (us)`` the range of the medians of single rounds.
    ``rounds`` is a whole number in [1, 50].
    """
    count_ = count("n", n, MAX_CALLS)
    warm = count("warmup", warmup, 1000, low=0)
    n_rounds = count("rounds", rounds, 50)
    obj = Calculator()
    per_round = [count_ // n_rounds + (1 if r < count_ % n_rounds else 0) for r in range(n_rounds)]
    per_round = [k for k in per_round if k] or [count_]
    times: dict[str, list[np.ndarray]] = {"local call": [], "remote call (loopback)": []}
    with echo_server("tcp", handler=_calculator_skeleton, separate_process=True) as port, \
            Stub((HOST, port)) as calc:
        kinds = {"local call": obj.add, "remote call (loopback)": calc.add}
        for add in kinds.values():
            for i in range(warm):
                add(i, 1)
        for r, k in enumerate(per_round):
            for name in (list(kinds) if r % 2 == 0 else list(kinds)[::-1]):
                add, t = kinds[name], np.empty(k)
                for i in range(k):
                    start = time.perf_counter()
                    add(i, 1)
                    t[i] = time.perf_counter() - start
                times[name].append(t)
    rows = []
    for name, parts in times.items():
        v = np.concatenate(parts)
        medians = [float(np.median(t)) * 1e6 for t in parts]
        rows.append({"call": name, "median (us)": np.median(v) * 1e6, "99th pct (us)": np.percentile(v, 99) * 1e6,
                     "round medians (us)": f"{min(medians):.1f}-{max(medians):.1f}"})
    table = pd.DataFrame(rows).set_index("call")
    table["x local"] = table["median (us)"] / table["median (us)"].iloc[0]
    table["added (us)"] = table["median (us)"] - table["median (us)"].iloc[0]
    return table


def _calls_per_run(fn, unit_s: float, max_calls: int = MAX_CALLS) -> int:
    """Fewest calls of ``fn`` in the sequence 1, 2, 5, 10, 20, 50, ... that take at least
    ``unit_s`` together (as :meth:`timeit.Timer.autorange` picks its loop count), at most
    ``max_calls``. These runs are not kept: they choose the size of a timed run."""
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        if time.perf_counter() - start >= unit_s or calls >= max_calls:
            return min(calls, max_calls)
        calls = calls * 5 // 2 if str(calls)[0] == "2" else calls * 2


def marshalling_times(counts=(1, 10, 100, 1_000, 10_000, 30_000), budget_s: float = 0.15, *,
                      unit_s: float = 0.01, rounds: int = 50) -> pd.DataFrame:
    """Time to marshal and unmarshal a list of ``count`` floats, against its size in bytes.

    The method of :func:`scalelab.measure.interleaved`. Each timed run makes enough
    calls of ``unmarshal(marshal(values))`` to take at least ``unit_s`` (chosen first,
    with the doubling runs of :func:`_calls_per_run`; one call for a list that takes
    longer), so that the timer's resolution and a scheduler tick are small against it.
    After one untimed run of every size, rounds run every size once, each round starting
    at the next size, until ``budget_s`` per size (``budget_s * len(counts)`` in all,
    counting the untimed runs) has passed, at least 3 rounds and at most ``rounds``.

    Returns one row per size: ``floats``, ``bytes`` (the marshalled size), ``seconds``
    (per call: the median run over its number of calls), ``MB/s`` (bytes / seconds),
    ``calls per run``, ``runs`` and ``spread`` ((max - min) / median of the runs; 1 or
    more means some run took at least twice as long as the fastest, most likely because
    other work had the CPU). ``attrs["method"]`` says how many rounds ran and how long they took.

    Parameters
    ----------
    counts : at most 20 distinct whole numbers of floats, each in [1, ``MAX_MARSHAL_FLOATS``].
    budget_s : seconds per size, in (0, 5].
    unit_s : shortest timed run, s, in (0, 1].
    rounds : most rounds, a whole number in [3, 1000].

    >>> table = marshalling_times([10], budget_s=0.01, unit_s=0.001)
    >>> list(table.columns)
    ['floats', 'bytes', 'seconds', 'MB/s', 'calls per run', 'runs', 'spread']
    """
    budget = number("budget_s", budget_s, 0, 5, low_open=True)
    unit = number("unit_s", unit_s, 0, 1, low_open=True)
    most_rounds = count("rounds", rounds, MAX_REPEATS, low=3)
    sizes = [int(c) for c in in_range("counts", counts, 1, MAX_MARSHAL_FLOATS, integer=True, max_ndim=1).ravel()]
    if len(sizes) > 20 or len(set(sizes)) != len(sizes):
        raise ValueError(f"counts must hold at most 20 distinct sizes, got {counts!r}")
    rng = np.random.default_rng(0)
    values = {n_floats: rng.random(n_floats).tolist() for n_floats in sizes}

    def run_of(payload: list[float], calls: int):
        def run() -> None:
            for _ in range(calls):
                unmarshal(marshal(payload))
        return run

    calls = {n_floats: _calls_per_run(run_of(values[n_floats], 1), unit) for n_floats in sizes}
    timings = interleaved({n_floats: run_of(values[n_floats], calls[n_floats]) for n_floats in sizes},
                          repeats=most_rounds, warmup=1, budget_s=budget * len(sizes), min_repeats=3)
    rows = []
    for n_floats in sizes:
        size = len(marshal(values[n_floats]))
        runs = timings.samples[n_floats]
        t = timings.median(n_floats) / calls[n_floats]
        rows.append({"floats": n_floats, "bytes": size, "seconds": t, "MB/s": size / t / 1e6,
                     "calls per run": calls[n_floats], "runs": len(runs),
                     "spread": (max(runs) - min(runs)) / timings.median(n_floats)})
    table = pd.DataFrame(rows)
    table.attrs["method"] = str(timings)
    return table


def marshalling_verdict(table: pd.DataFrame, payload_bytes: float = 4e3, rtt_s: float = 0.5e-3) -> str:
    """What :func:`marshalling_times` measured, against a network round trip.

    The rate is the median ``MB/s`` over the payloads of 1,000 bytes and more (smaller
    ones are dominated by the cost per call); the verdict compares marshalling and
    unmarshalling ``payload_bytes`` at that rate with ``rtt_s`` (a whole round trip: the
    default, 0.5 ms, is one inside a data center; chapter 4's link table takes a LAN's
    latency as 0.5 ms each way, a 1 ms round trip), and reads the largest
    ``spread`` of those payloads: below 0.5 the runs agree, otherwise some were slowed,
    most likely by other work on the CPUs.

    >>> quiet = pd.DataFrame({"bytes": [2e3, 2e4], "MB/s": [40.0, 40.0], "spread": [0.1, 0.2]})
    >>> print(marshalling_verdict(quiet))
    JSON marshal + unmarshal here: 40.0 MB/s, so 4 KB costs 0.10 ms, less than a 0.5 ms round trip. The runs of each payload agree (largest spread 0.20).
    """
    size = number("payload_bytes", payload_bytes, 0, low_open=True)
    rtt = number("rtt_s", rtt_s, 0, low_open=True)
    if not isinstance(table, pd.DataFrame) or not {"bytes", "MB/s", "spread"} <= set(table.columns):
        raise ValueError(f"table must be a DataFrame from marshalling_times, got {type(table).__name__}")
    big = table[table["bytes"] >= 1_000]
    if big.empty:
        return "No payload of 1,000 bytes or more was timed: the rate per byte is not measured here."
    rate = float(big["MB/s"].median()) * 1e6
    took = size / rate
    spread = float(big["spread"].max())
    noise = (f"The runs of each payload agree (largest spread {spread:.2f})." if spread < 0.5 else
             f"Runs of one payload differ by up to {spread:.1f} times their median: most likely other work had "
             "the CPU during some of them, so the medians, not single runs, are the numbers to read.")
    return (f"JSON marshal + unmarshal here: {rate / 1e6:.1f} MB/s, so {size / 1e3:g} KB costs {took * 1e3:.2f} ms, "
            f"{'more' if took > rtt else 'less'} than a {rtt * 1e3:g} ms round trip. {noise}")


def remote_call_time(payload_bytes: Any, rtt_s: Any, bandwidth_bps: Any, marshal_bytes_per_s: Any,
                     local_call_s: Any = 1e-7) -> float | np.ndarray:
    """Cost model of a remote call carrying ``payload_bytes`` of arguments (small reply).

    ``local_call_s + payload / marshal_rate (marshal + unmarshal) + rtt_s + 8 payload / bandwidth``.

    Parameters
    ----------
    payload_bytes : marshalled size of the arguments, >= 0.
    rtt_s : network round-trip time, s, >= 0.
    bandwidth_bps : bits per second, > 0.
    marshal_bytes_per_s : bytes per second to marshal and then unmarshal them, > 0.
    local_call_s : the same call made locally, s, >= 0.

    References
    ----------
    Birrell and Nelson 1984 (where an RPC's time goes); Gorton 2022, ch. 3.

    >>> round(remote_call_time(1e6, 1e-3, 1e9, 100e6) * 1e3, 3)   # 1 MB over a 1 Gbps LAN
    19.0
    """
    size = at_least("payload_bytes", payload_bytes, 0)
    rtt = at_least("rtt_s", rtt_s, 0)
    bw = positive("bandwidth_bps", bandwidth_bps)
    rate = positive("marshal_bytes_per_s", marshal_bytes_per_s)
    local = at_least("local_call_s", local_call_s, 0)
    return scalar(local + size / rate + rtt + 8.0 * size / bw)


PAYLOAD_AXIS = np.logspace(1, 8, 71)  # 10 bytes .. 100 MB


def remote_call_curves(rtt_ms: float, marshal_mb_per_s: float) -> dict[str, Any]:
    """Where a remote call's time goes against payload size, on a 1 Gbps link (for an explorer).

    The three parts that grow with the payload are solid lines; the two fixed costs (the
    round trip and a local call) are dashed.
    """
    rtt_ms = number("rtt_ms", rtt_ms, 0)
    rate = number("marshal_mb_per_s", marshal_mb_per_s, 0, low_open=True) * 1e6
    ends = PAYLOAD_AXIS[[0, -1]]
    return {
        "remote call, total": {"x": PAYLOAD_AXIS, "y": remote_call_time(PAYLOAD_AXIS, rtt_ms / 1e3, 1e9, rate) * 1e3,
                               "mode": "lines", "line": {"color": BLUE}},
        "marshal + unmarshal": {"x": PAYLOAD_AXIS, "y": PAYLOAD_AXIS / rate * 1e3, "mode": "lines",
                                "line": {"color": RED}},
        "round trip": {"x": ends, "y": np.full(2, rtt_ms), "mode": "lines", "line": {"color": ORANGE, "dash": "dash"}},
        "bytes on a 1 Gbps link": {"x": PAYLOAD_AXIS, "y": 8 * PAYLOAD_AXIS / 1e9 * 1e3, "mode": "lines",
                                   "line": {"color": TEAL}},
        "local call (0.1 us)": {"x": ends, "y": np.full(2, 1e-4), "mode": "lines", "line": {"color": GUIDE, "dash": "dash"}},
    }
