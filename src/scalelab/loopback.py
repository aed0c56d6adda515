"""Real TCP and UDP on this machine, over the loopback interface (127.0.0.1).

Small echo servers run on ports the operating system picks (bind to port 0). For the
timings they run in a separate process, so that the timing process holds only the
client: a server thread in the same process would compete with the client for Python's
interpreter lock (handed over every 5 ms by default), and the tail of the timings
would show that hand-off rather than the operating system. Every socket has a timeout,
every loop is bounded, and every server stops when its ``with`` block ends, so nothing
here can hang a notebook or a test.

What is measured: the cost of opening a TCP connection (the three-way handshake plus
the system calls), the round-trip time of a small message over TCP and UDP, effective
throughput against message size, the effect of ``TCP_NODELAY`` on a request written
in two pieces, and the difference between a byte stream (TCP) and datagrams (UDP).

References
----------
- W. R. Stevens, B. Fenner, A. M. Rudoff, *UNIX Network Programming*, vol. 1, 3rd ed.,
  Addison-Wesley, 2004 (sockets, SOCK_STREAM and SOCK_DGRAM, Nagle's algorithm).
- J. Nagle, RFC 896, "Congestion control in IP/TCP internetworks", 1984; RFC 1122,
  section 4.2.3.2 (delayed acknowledgements).
- Python documentation, ``socket`` module; ``sys.setswitchinterval`` (the 5 ms hand-off).
- V. Paxson, M. Allman, J. Chu, M. Sargent, RFC 6298, "Computing TCP's retransmission
  timer", 2011 (initial RTO of 1 s: a dropped SYN costs one second).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import socket
import sys
import struct
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ._validate import count as check_count, in_range, number, positive
from .measure import load_average_1min
from .palette import TEMPLATE

__all__ = [
    "HOST",
    "echo_server",
    "ephemeral_port_range",
    "connection_setup_times",
    "round_trip_times",
    "throughput_by_size",
    "nodelay_effect",
    "stream_vs_datagrams",
    "fit_latency_bandwidth",
    "throughput_verdict",
    "connection_tuples",
    "recv_exact",
    "send_framed",
    "recv_framed",
    "LatencySamples",
    "latency_samples",
    "syn_retransmit_demo",
    "time_wait_count",
    "time_wait_after_close",
    "MAX_SAMPLES",
]

#: Most samples :func:`latency_samples` takes per kind.
MAX_SAMPLES = 20_000

HOST = "127.0.0.1"
TIMEOUT_S = 2.0
#: Largest message :func:`recv_exact` and :func:`throughput_by_size` handle, bytes.
MAX_MESSAGE_BYTES = 64 << 20
#: Most message sizes in one :func:`throughput_by_size` call.
MAX_SIZES = 100


def recv_exact(sock: socket.socket, n: int) -> bytes:
    """Read exactly ``n`` bytes from a stream socket (TCP may hand them over in pieces).

    ``n``: whole number in [0, MAX_MESSAGE_BYTES].
    """
    n = check_count("n", n, MAX_MESSAGE_BYTES, low=0)
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            raise ConnectionError(f"connection closed after {got} of {n} bytes")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def send_framed(sock: socket.socket, payload: bytes) -> None:
    """Send one message as a 4-byte big-endian length followed by the bytes (framing)."""
    if not isinstance(payload, (bytes, bytearray, memoryview)):
        raise ValueError(f"payload must be bytes, got {type(payload).__name__}")
    if len(payload) >= 1 << 32:
        raise ValueError(f"payload must be shorter than 2**32 bytes (a 4-byte length), got {len(payload)}")
    sock.sendall(struct.pack("!I", len(payload)) + payload)


def recv_framed(sock: socket.socket) -> bytes:
    """Receive one length-prefixed message sent by :func:`send_framed`."""
    (n,) = struct.unpack("!I", recv_exact(sock, 4))
    return recv_exact(sock, n)


class _Server:
    """An echo server in a daemon thread; ``port`` is the one the OS chose."""

    def __init__(self, kind: str, handler=None):
        self.kind = kind
        self.stop = threading.Event()
        stype = socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM
        self.sock = socket.socket(socket.AF_INET, stype)
        self.sock.settimeout(0.05)
        self.sock.bind((HOST, 0))
        if kind == "tcp":
            self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.handler = handler or (self._echo_stream if kind == "tcp" else None)
        self.threads: list[threading.Thread] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                if self.kind == "tcp":
                    conn, _ = self.sock.accept()
                    conn.settimeout(TIMEOUT_S)
                    t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
                    t.start()
                    self.threads.append(t)
                else:
                    data, addr = self.sock.recvfrom(65_535)
                    self.sock.sendto(data, addr)
            except (socket.timeout, BlockingIOError):
                continue
            except OSError:
                break

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            with contextlib.suppress(OSError, ConnectionError):
                self.handler(conn, self.stop)

    @staticmethod
    def _echo_stream(conn: socket.socket, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                data = conn.recv(1 << 20)
            except socket.timeout:
                continue
            if not data:
                return
            conn.sendall(data)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=2.0)
        for t in self.threads:
            t.join(timeout=2.0)
        self.sock.close()


def _server_process(kind: str, handler, port_pipe, stop) -> None:
    """Body of a separate server process: serve until ``stop`` is set."""
    try:
        server = _Server(kind, handler)
    except OSError as exc:  # pragma: no cover - reported to the parent
        port_pipe.send(repr(exc))
        return
    port_pipe.send(server.port)
    stop.wait(600.0)  # the parent sets it; a forgotten server still ends after 10 minutes
    server.close()


def _process_context():
    # fork starts in milliseconds and needs nothing pickled; elsewhere, spawn.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") and "fork" in methods else "spawn")


@contextlib.contextmanager
def _separate_server(kind: str, handler):
    ctx = _process_context()
    stop = ctx.Event()
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_server_process, args=(kind, handler, sender, stop), daemon=True)
    proc.start()
    try:
        if not receiver.poll(10.0):
            raise RuntimeError("the echo server process did not start within 10 s")
        port = receiver.recv()
        if not isinstance(port, int):
            raise RuntimeError(f"the echo server process failed: {port}")
        yield port
    finally:
        stop.set()
        proc.join(timeout=3.0)
        if proc.is_alive():
            proc.terminate()
            proc.join(timeout=1.0)
        receiver.close()
        sender.close()


@contextlib.contextmanager
def echo_server(kind: str = "tcp", handler=None, *, separate_process: bool = False):
    """Run a TCP or UDP echo server on 127.0.0.1 for the ``with`` block; yields its port.

    ``handler(conn, stop_event)``, if given, serves each TCP connection instead of echoing
    (a module-level function when ``separate_process`` and the platform spawns).
    ``separate_process=True`` serves from another process, so timings taken in this one
    do not include handing Python's interpreter lock to a server thread.

    >>> with echo_server("udp") as port:
    ...     with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    ...         s.settimeout(2.0)
    ...         _ = s.sendto(b"ping", (HOST, port))
    ...         s.recv(100)
    b'ping'
    """
    if kind not in ("tcp", "udp"):
        raise ValueError(f"kind must be 'tcp' or 'udp', got {kind!r}")
    if not isinstance(separate_process, bool):
        raise ValueError(f"separate_process must be True or False, got {separate_process!r}")
    if separate_process:
        with _separate_server(kind, handler) as port:
            yield port
        return
    server = _Server(kind, handler)
    try:
        yield server.port
    finally:
        server.close()


def ephemeral_port_range(path: str = "/proc/sys/net/ipv4/ip_local_port_range") -> tuple[int, int] | None:
    """The range of client-side (ephemeral) ports this machine hands out, or None if unknown.

    On Linux this is ``/proc/sys/net/ipv4/ip_local_port_range`` (32768-60999 by default);
    IANA suggests 49152-65535 (RFC 6335).
    """
    try:
        low, high = (int(v) for v in Path(path).read_text().split()[:2])
    except (OSError, ValueError):
        return None
    return low, high


def _client(kind: str, port: int) -> socket.socket:
    if kind == "tcp":
        s = socket.create_connection((HOST, port), timeout=TIMEOUT_S)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(TIMEOUT_S)
        s.connect((HOST, port))
    return s


def connection_setup_times(n: int = 100) -> np.ndarray:
    """Seconds to open (and close) ``n`` TCP connections to a local server, one at a time.

    >>> len(connection_setup_times(3))
    3
    """
    count = int(in_range("n", n, 1, 5000, integer=True, max_ndim=0))
    times = []
    with echo_server("tcp", separate_process=True) as port:
        for _ in range(count):
            start = time.perf_counter()
            s = socket.create_connection((HOST, port), timeout=TIMEOUT_S)
            times.append(time.perf_counter() - start)
            s.close()
    return np.asarray(times)


def round_trip_times(kind: str = "tcp", n: int = 500, size_bytes: int = 64) -> np.ndarray:
    """Seconds for ``n`` echo round trips of a ``size_bytes`` message on one TCP
    connection (TCP_NODELAY set) or UDP socket.

    >>> len(round_trip_times("udp", n=5))
    5
    """
    count = int(in_range("n", n, 1, 100_000, integer=True, max_ndim=0))
    size = int(in_range("size_bytes", size_bytes, 1, 60_000, integer=True, max_ndim=0))
    message = b"x" * size
    times = []
    with echo_server(kind, separate_process=True) as port, _client(kind, port) as s:
        for _ in range(count):
            start = time.perf_counter()
            if kind == "tcp":
                s.sendall(message)
                recv_exact(s, size)
            else:
                s.send(message)
                s.recv(65_535)
            times.append(time.perf_counter() - start)
    return np.asarray(times)


def _sink_server(conn: socket.socket, stop: threading.Event) -> None:
    """Read length-prefixed messages and answer each with one byte."""
    while not stop.is_set():
        try:
            recv_framed(conn)
        except socket.timeout:
            continue
        except (ConnectionError, struct.error):
            return
        conn.sendall(b"k")


def throughput_by_size(sizes_bytes=(64, 512, 4_096, 32_768, 262_144, 1_048_576),
                       budget_s: float = 0.25, max_repeats: int = 200, rounds: int = 5) -> pd.DataFrame:
    """Send messages of each size over TCP to a server (in another process) that answers
    each with one byte.

    Effective throughput is size / (time from first byte sent to the answer). After one
    warm-up send of each size, ``rounds`` rounds visit every size in rotating order; in
    each round a size repeats for ``budget_s / rounds`` seconds or ``max_repeats /
    rounds`` sends (at least one). The median over all sends counts; ``spread`` is the
    range of the round medians over their median. Returns ``size_bytes``, ``seconds``,
    ``Mbit/s``, ``sends`` and ``spread``.

    ``sizes_bytes``: at most 20 whole sizes in [1, 64 MiB]; ``budget_s`` in (0, 5]; ``max_repeats`` a
    whole number in [1, 10,000]; ``rounds`` in [1, 20].

    >>> list(throughput_by_size([100], budget_s=0.01, max_repeats=3, rounds=1).columns)
    ['size_bytes', 'seconds', 'Mbit/s', 'sends', 'spread']
    """
    budget = number("budget_s", budget_s, 0, 5, low_open=True)
    reps = check_count("max_repeats", max_repeats, 10_000)
    r = check_count("rounds", rounds, 20)
    sizes = [int(v) for v in in_range("sizes_bytes", sizes_bytes, 1, 64 << 20, integer=True, max_ndim=1).ravel()]
    if len(sizes) > 20:
        raise ValueError(f"sizes_bytes must hold at most 20 sizes, got {len(sizes)}")
    messages = {size: b"x" * size for size in sizes}
    samples: dict[int, list[float]] = {size: [] for size in sizes}
    medians: dict[int, list[float]] = {size: [] for size in sizes}
    with echo_server("tcp", handler=_sink_server, separate_process=True) as port, _client("tcp", port) as s:

        def once(size: int) -> float:
            start = time.perf_counter()
            send_framed(s, messages[size])
            recv_exact(s, 1)
            return time.perf_counter() - start

        for size in sizes:
            once(size)
        for i in range(r):
            for size in sizes[i % len(sizes):] + sizes[:i % len(sizes)]:
                times, t_end = [], time.perf_counter() + budget / r
                while len(times) < max(1, reps // r) and (not times or time.perf_counter() < t_end):
                    times.append(once(size))
                samples[size].extend(times)
                medians[size].append(float(np.median(times)))
    rows = []
    for size in sizes:
        t = float(np.median(samples[size]))
        m = medians[size]
        rows.append({"size_bytes": size, "seconds": t, "Mbit/s": 8 * size / t / 1e6, "sends": len(samples[size]),
                     "spread": (max(m) - min(m)) / float(np.median(m))})
    return pd.DataFrame(rows)


def fit_latency_bandwidth(sizes_bytes, seconds) -> tuple[float, float]:
    """Least-squares fit of ``seconds = latency_s + 8 size / bandwidth_bps``; returns both.

    >>> from scalelab.network import transfer_time
    >>> sizes = np.array([1e2, 1e4, 1e6])
    >>> latency_s, bandwidth_bps = fit_latency_bandwidth(sizes, transfer_time(sizes, 8e9, 2e-5))
    >>> round(latency_s * 1e6, 3), round(bandwidth_bps / 1e9, 3)
    (20.0, 8.0)
    """
    x = in_range("sizes_bytes", sizes_bytes, 0, low_open=True, max_ndim=1)
    y = in_range("seconds", seconds, 0, low_open=True, max_ndim=1)
    if x.shape != y.shape or x.size < 2:
        raise ValueError("sizes_bytes and seconds must have the same length, at least 2")
    slope, intercept = np.polyfit(x, y, 1, w=1 / y)  # relative weights: small sizes count too
    return float(max(intercept, 0.0)), float(8.0 / slope) if slope > 0 else float("inf")


#: A gap between measurement and model smaller than this share is not read, whatever the spread.
GAP_FLOOR = 0.1


def _size_text(size: int) -> str:
    for unit, n in (("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= n and size % n == 0:
            return f"{size // n} {unit}"
    return f"{size:,} bytes"


def throughput_verdict(table: pd.DataFrame, latency_s: float, bandwidth_bps: float) -> str:
    """What a :func:`throughput_by_size` table says about the fitted ``l + 8 size / b`` model.

    For each size the measured median is divided by the model's time; the size with the
    largest ratio is read against that size's ``spread`` (the range of its round medians
    over their median). A gap no larger than the spread (or below ``GAP_FLOOR``) is noise
    as far as this run can tell. A spread of 1 or more means other work had the CPUs, and
    the run cannot tell a real gap from that. A gap clearly above the spread means the
    cost per byte grows at that size, which the model (one ``b`` for every size) cannot
    produce; the likely causes are named as likely, not verified: copies that no longer
    fit in the CPU caches, or messages larger than the socket buffers. The model's
    throughput ``size / (l + 8 size / b)`` only rises with size, so a measured throughput
    that falls is reported with the spread beside it.

    Parameters
    ----------
    table : DataFrame with ``size_bytes``, ``seconds``, ``Mbit/s`` and ``spread`` (at least 2 rows).
    latency_s : the fitted per-message cost, >= 0 seconds.
    bandwidth_bps : the fitted bandwidth, > 0 bits per second (inf for a flat fit).

    >>> import pandas as pd
    >>> quiet = pd.DataFrame({"size_bytes": [1_000, 1_000_000], "seconds": [1.1e-5, 3.1e-4],
    ...                       "Mbit/s": [727.0, 25_806.0], "spread": [0.05, 0.05]})
    >>> print(throughput_verdict(quiet, 1e-5, 8e6 / 3e-4).splitlines()[-1])
    Verdict: every size is within 10% of the model: the l + 8m/b shape fits this run.
    """
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"table must be a DataFrame from throughput_by_size, got {type(table).__name__}")
    missing = [c for c in ("size_bytes", "seconds", "Mbit/s", "spread") if c not in table.columns]
    if missing or len(table) < 2:
        raise ValueError(f"table must have columns size_bytes, seconds, Mbit/s and spread and at least 2 rows, "
                         f"got columns {list(table.columns)!r} and {len(table)} rows")
    lat = number("latency_s", latency_s, 0, 10)
    bw = number("bandwidth_bps", bandwidth_bps, 0, low_open=True, allow_inf=True)
    t = table.sort_values("size_bytes").reset_index(drop=True)
    sizes = in_range("table.size_bytes", t["size_bytes"], 1, MAX_MESSAGE_BYTES, max_ndim=1)
    seconds = in_range("table.seconds", t["seconds"], 0, 1e3, low_open=True, max_ndim=1)
    spreads = in_range("table.spread", t["spread"], 0, 1e6, max_ndim=1)
    model = lat + 8 * sizes / bw
    ratio = seconds / model
    i = int(np.argmax(ratio))
    size, gap, spread = int(sizes[i]), float(ratio[i] - 1), float(spreads[i])
    lines = [f"Fit: l = {lat * 1e6:.1f} us, b = {bw / 1e9:.1f} Gbit/s (time = l + 8 x size / b, each size "
             "weighted by its relative error).",
             f"Largest measured/model ratio: {ratio[i]:.2f} at {_size_text(size)} (median {seconds[i] * 1e6:.0f} us "
             f"against the model's {model[i] * 1e6:.0f} us); the round medians there spread by {spread:.2f} of "
             "their median."]
    rate = t["Mbit/s"].to_numpy(dtype=float)
    peak = int(np.argmax(rate))
    if peak < len(t) - 1:
        fall = 1 - rate[-1] / rate[peak]
        lines.append(f"Measured throughput peaks at {rate[peak] / 1e3:.1f} Gbit/s ({_size_text(int(sizes[peak]))}) "
                     f"and falls by {fall:.0%} to {rate[-1] / 1e3:.1f} Gbit/s at {_size_text(int(sizes[-1]))} "
                     f"(spread there {float(spreads[-1]):.2f}); the model's throughput only rises with size.")
    below = float(1 - ratio.min())
    if gap <= GAP_FLOOR and below <= GAP_FLOOR:
        lines.append(f"Verdict: every size is within {GAP_FLOOR:.0%} of the model: the l + 8m/b shape fits this run.")
    elif gap <= GAP_FLOOR:
        low = int(np.argmin(ratio))
        s_low = float(spreads[low])
        lines.append(f"Verdict: no size is more than {GAP_FLOOR:.0%} above the model, but {_size_text(int(sizes[low]))} "
                     f"is {below:.0%} below it (its round medians spread by {s_low:.2f})"
                     + (": the l + 8m/b shape does not fit every size of this run." if below > s_low and s_low < 1
                        else ", no more than that size's round medians differ by: this run cannot tell it from "
                        "run-to-run variation."))
    elif spread >= 1:
        lines.append(f"Verdict: the gap ({gap:.0%}) cannot be read: a spread of {spread:.2f} means the slowest "
                     "round took at least twice as long as the fastest, most likely because other work had the CPUs. "
                     "Re-run on a quieter machine to tell a growing cost per byte from that interference.")
    elif gap <= spread:
        lines.append(f"Verdict: the largest gap ({gap:.0%}) is within what the round medians at that size differ "
                     f"by ({spread:.0%}): this run cannot tell it from run-to-run variation, and does not "
                     "contradict the l + 8m/b shape.")
    elif 8 * size / bw < lat:
        # at this size the time is mostly the fixed cost per message: caches and socket
        # buffers, the causes of a growing cost per byte, cannot apply
        lines.append(f"Verdict: at {_size_text(size)} the measured time is {gap:.0%} above the model (round medians "
                     f"differ by {spread:.0%}): the cost per message at this size is above the fitted l, which the "
                     "model, with one l for every size, cannot produce.")
    else:
        clear = gap > 2 * spread
        lines.append(f"Verdict: at {_size_text(size)} the measured time is {gap:.0%} above the model, "
                     + (f"more than twice what the round medians differ by ({spread:.0%}): the cost per byte "
                        "grows at this size" if clear else
                        f"more than the round medians differ by ({spread:.0%}) but less than twice that: most "
                        "likely the cost per byte grows at this size (a re-run tells whether it holds)")
                     + ", which the model, with one b for every size, cannot produce. Likely causes, not verified "
                     "here: copies that no longer fit in the CPU caches, or messages larger than the socket "
                     "buffers, so that the sender waits for the receiver to drain them.")
    return "\n".join(lines)


def _two_part_server(conn: socket.socket, stop: threading.Event) -> None:
    """Read a 4-byte length, then the body, then answer with one byte."""
    while not stop.is_set():
        try:
            (n,) = struct.unpack("!I", recv_exact(conn, 4))
            recv_exact(conn, n)
        except socket.timeout:
            continue
        except (ConnectionError, struct.error):
            return
        conn.sendall(b"k")


def nodelay_effect(n: int = 20, body_bytes: int = 100) -> pd.DataFrame:
    """Requests written as two small sends (header, then body), with and without TCP_NODELAY.

    With Nagle's algorithm on (the default), the body waits until the header is
    acknowledged, and the server delays that acknowledgement hoping to piggyback it on
    a reply it cannot send yet: on Linux each request then takes tens of milliseconds.
    ``TCP_NODELAY`` sends the body at once. Two connections, one per setting, each send
    2 untimed requests, then ``n`` timed requests each, alternating between the two.
    Returns the median and maximum per request.
    """
    count = int(in_range("n", n, 1, 200, integer=True, max_ndim=0))
    body = b"b" * int(in_range("body_bytes", body_bytes, 1, 1000, integer=True, max_ndim=0))
    rows = []
    def request(s: socket.socket) -> float:
        start = time.perf_counter()
        s.sendall(struct.pack("!I", len(body)))
        s.sendall(body)
        recv_exact(s, 1)
        return time.perf_counter() - start

    times: dict[bool, list[float]] = {False: [], True: []}
    with echo_server("tcp", handler=_two_part_server, separate_process=True) as port, \
            contextlib.ExitStack() as stack:
        conns = {}
        for nodelay in (False, True):
            s = stack.enter_context(socket.create_connection((HOST, port), timeout=TIMEOUT_S))
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, int(nodelay))
            conns[nodelay] = s
        for s in conns.values():  # warm-up: past the start of the connection, where ACKs are not yet delayed
            for _ in range(2):
                request(s)
        for i in range(count):  # interleaved, so that a burst of load hits both settings alike
            for nodelay in ((False, True) if i % 2 == 0 else (True, False)):
                times[nodelay].append(request(conns[nodelay]))
    for nodelay, t in times.items():
        rows.append({"TCP_NODELAY": nodelay, "median (ms)": float(np.median(t) * 1e3),
                     "max (ms)": float(np.max(t) * 1e3)})
    return pd.DataFrame(rows).set_index("TCP_NODELAY")


@dataclass(frozen=True)
class Boundaries:
    """What the receiver saw when ``messages`` separate sends arrived."""

    protocol: str
    messages: int
    receives: int
    first_receive_bytes: int
    recovered: int
    intact: bool

    def __str__(self) -> str:
        return (f"{self.protocol}: {self.messages} sends of one message each; first receive "
                f"{self.first_receive_bytes} bytes; {self.receives} receive(s); messages come out "
                f"as sent: {self.intact}")


def stream_vs_datagrams(messages: int = 10, size_bytes: int = 100, wait_s: float = 0.2) -> list[Boundaries]:
    """Send ``messages`` messages of ``size_bytes`` with separate sends over TCP and UDP.

    The receiver waits ``wait_s`` before reading, so everything sent is already queued.
    TCP hands over a byte stream: one receive returns several messages run together,
    and only the framing (a length before each message) separates them again. UDP
    hands over one datagram per receive, each exactly one message.
    """
    m = int(in_range("messages", messages, 1, 100, integer=True, max_ndim=0))
    size = int(in_range("size_bytes", size_bytes, 5, 1000, integer=True, max_ndim=0))
    wait = float(in_range("wait_s", wait_s, 0, 60, low_open=True, max_ndim=0))
    sent = [bytes([65 + i % 26]) * size for i in range(m)]
    out = []
    # TCP, first without framing, then with a length prefix.
    for framed in (False, True):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as srv:
            srv.settimeout(TIMEOUT_S)
            srv.bind((HOST, 0))
            srv.listen(1)
            with socket.create_connection(srv.getsockname(), timeout=TIMEOUT_S) as c:
                conn, _ = srv.accept()
                with conn:
                    conn.settimeout(TIMEOUT_S)
                    for msg in sent:
                        send_framed(c, msg) if framed else c.sendall(msg)
                    time.sleep(wait)
                    if framed:
                        got = [recv_framed(conn) for _ in range(m)]
                        out.append(Boundaries("TCP with length framing", m, m, 4 + size, len(got), got == sent))
                    else:
                        first = conn.recv(1 << 16)
                        data, receives = first, 1
                        while len(data) < m * size:
                            data += conn.recv(1 << 16)
                            receives += 1
                        pieces = [data[i:i + size] for i in range(0, len(data), size)]
                        out.append(Boundaries("TCP, no framing", m, receives, len(first),
                                              receives, receives == m and pieces == sent))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as rx, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as tx:
        rx.settimeout(TIMEOUT_S)
        rx.bind((HOST, 0))
        for msg in sent:
            tx.sendto(msg, rx.getsockname())
        time.sleep(wait)
        got = [rx.recv(1 << 16) for _ in range(m)]
        out.append(Boundaries("UDP", m, len(got), len(got[0]), len(got), got == sent))
    return out


@dataclass(frozen=True)
class LatencySamples:
    """Seconds per operation from :func:`latency_samples`, with the median of each round."""

    samples: dict
    round_medians: dict
    rounds: int
    elapsed_s: float
    #: 1-minute load average read before the servers started (other work on the machine,
    #: not this measurement's own); None if unknown, and then :meth:`verdict` reads it.
    load_average: float | None = None

    def table(self) -> pd.DataFrame:
        """Median, 99th percentile, their ratio, the range of the round medians, and the
        count of operations slower than half a second, per kind (microseconds)."""
        rows = []
        for name, t in self.samples.items():
            med, p99 = float(np.median(t)), float(np.percentile(t, 99))
            rm = self.round_medians[name]
            rows.append({"operation": name, "samples": len(t), "median (us)": med * 1e6, "p99 (us)": p99 * 1e6,
                         "p99 / median": p99 / med, "round medians (us)": f"{min(rm) * 1e6:.0f}-{max(rm) * 1e6:.0f}",
                         "max (us)": float(np.max(t)) * 1e6, "over 0.5 s": int(np.sum(t > 0.5))})
        return pd.DataFrame(rows).set_index("operation")

    def verdict(self, host=None) -> str:
        """What the numbers say, computed from them.

        ``host`` is a :class:`scalelab.measure.HostLoad`; by default the load average
        read before the measurement against this machine's CPU counts. A long tail is put
        down to a busy host only when the load exceeds the host's CPUs (the load average
        is the whole host's, even in a container), and to a cgroup quota below the
        affinity mask when one is set.
        """
        from .measure import HostLoad, host_load

        if host is None:
            host = host_load(self.load_average)
        elif not isinstance(host, HostLoad):
            raise ValueError(f"host must be a HostLoad (from scalelab.measure.host_load) or None, got {host!r}")
        cpus = host.cpus
        lines = [f"{cpus}; {host}"]
        for name, t in self.samples.items():
            med, p99 = float(np.median(t)), float(np.percentile(t, 99))
            lines.append(f"{name}: median {med * 1e6:.0f} us, p99 {p99 * 1e6:.0f} us ({p99 / med:.1f}x the median).")
        connects = self.samples.get("TCP connect")
        if connects is not None:
            slow = int(np.sum(connects > 0.5))
            if slow:
                lines.append(f"{slow} of {len(connects)} connects took over 0.5 s (the slowest "
                             f"{float(np.max(connects)):.2f} s): consistent with a SYN or its SYN-ACK dropped and "
                             "resent after TCP's initial retransmission timeout of 1 s (RFC 6298).")
            else:
                lines.append(f"No connect took over 0.5 s: no SYN was dropped in these {len(connects)} connects.")
        # the connects over 0.5 s are dropped SYNs, counted above: the tail ratio leaves them out
        kept = [t[t <= 0.5] for t in self.samples.values()]
        worst = max(float(np.percentile(k, 99) / np.median(k)) for k in kept if k.size)
        causes = host.causes()
        if worst > 5:
            cause = ("likely cause: the client or the server process waits for a CPU, because "
                     + "; and because ".join(causes) if causes else
                     "the client and the server process wait for a CPU or a wake-up from time to time ("
                     + ("the host's load average is unknown here" if host.load is None else
                        "the host's load average is within its CPUs")
                     + " and no cgroup quota is below the affinity mask)")
            lines.append(f"Long tails (p99 up to {worst:.0f}x the median, leaving out any connect over 0.5 s): {cause}. "
                         "The servers run in another process, so this is not the interpreter lock.")
        else:
            lines.append(f"Short tails (p99 at most {worst:.1f}x the median, leaving out any connect over 0.5 s): few operations waited for a "
                         "CPU or a wake-up.")
        return "\n".join(lines)


def latency_samples(n: int = 500, rounds: int = 5, size_bytes: int = 64, budget_s: float = 10.0) -> LatencySamples:
    """Connection setup and small-message round trips, interleaved, servers in another process.

    After a warm-up of 20 operations of each kind, ``rounds`` rounds each take
    ``n / rounds`` samples of every kind (TCP connect, TCP echo, UDP echo) in rotating
    order, so that a burst of load from elsewhere hits all kinds alike. Stops starting
    rounds after ``budget_s`` (at least one round runs).

    Parameters
    ----------
    n : samples per kind, whole number in [rounds, ``MAX_SAMPLES``].
    rounds : whole number in [1, 50].
    size_bytes : echo message size, whole number in [1, 60000].
    budget_s : in (0, 60].

    >>> s = latency_samples(n=6, rounds=2)
    >>> sorted(s.samples), [len(v) for v in s.samples.values()]
    (['TCP connect', 'TCP echo', 'UDP echo'], [6, 6, 6])
    """
    r = check_count("rounds", rounds, 50)
    count = check_count("n", n, MAX_SAMPLES, low=r)
    size = check_count("size_bytes", size_bytes, 60_000)
    budget = number("budget_s", budget_s, 0, 60, low_open=True)
    message = b"x" * size
    load_before = load_average_1min()
    start_all = time.perf_counter()
    with echo_server("tcp", separate_process=True) as tport, echo_server("udp", separate_process=True) as uport, \
            _client("tcp", tport) as tcp, _client("udp", uport) as udp:

        def connect() -> float:
            t0 = time.perf_counter()
            c = socket.create_connection((HOST, tport), timeout=TIMEOUT_S)
            t = time.perf_counter() - t0
            c.close()
            return t

        def tcp_echo() -> float:
            t0 = time.perf_counter()
            tcp.sendall(message)
            recv_exact(tcp, size)
            return time.perf_counter() - t0

        def udp_echo() -> float:
            t0 = time.perf_counter()
            udp.send(message)
            udp.recv(65_535)
            return time.perf_counter() - t0

        kinds = {"TCP connect": connect, "TCP echo": tcp_echo, "UDP echo": udp_echo}
        for fn in kinds.values():
            for _ in range(20):
                fn()
        samples = {k: [] for k in kinds}
        medians = {k: [] for k in kinds}
        names = list(kinds)
        per_round = [count // r + (1 if i < count % r else 0) for i in range(r)]
        done = 0
        for i, m in enumerate(per_round):
            if i and time.perf_counter() - start_all > budget:
                break
            for name in names[i % 3:] + names[:i % 3]:
                got = [kinds[name]() for _ in range(m)]
                samples[name].extend(got)
                medians[name].append(float(np.median(got)))
            done += 1
    return LatencySamples({k: np.asarray(v) for k, v in samples.items()}, medians, done,
                          time.perf_counter() - start_all, load_before)


def syn_retransmit_demo(accept_after_s: float = 0.3) -> float:
    """Seconds one connect takes when its SYN is dropped because the accept queue is full.

    A listening socket with a backlog of 0 holds one finished connection (on Linux); a
    first client fills it. A second client's SYN is dropped; the server accepts the
    first connection ``accept_after_s`` later, freeing the queue, and the second client's
    SYN, resent after TCP's initial retransmission timeout (1 s, RFC 6298), gets through.
    So the connect takes about 1 s, whatever ``accept_after_s`` (below 1 s) is. On
    systems that do not drop the SYN it takes about ``accept_after_s`` or less.

    >>> 0 < syn_retransmit_demo(0.05) < 4
    True
    """
    wait = float(in_range("accept_after_s", accept_after_s, 0, 0.9, low_open=True, max_ndim=0))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as srv:
        srv.bind((HOST, 0))
        srv.listen(0)
        srv.settimeout(TIMEOUT_S)
        addr = srv.getsockname()
        accepted: list[socket.socket] = []
        timer = threading.Timer(wait, lambda: accepted.append(srv.accept()[0]))
        first = socket.create_connection(addr, timeout=TIMEOUT_S)
        try:
            timer.start()
            t0 = time.perf_counter()
            second = socket.create_connection(addr, timeout=4.0)
            elapsed = time.perf_counter() - t0
            second.close()
        finally:
            timer.join(timeout=TIMEOUT_S)
            first.close()
            for c in accepted:
                c.close()
    return elapsed


def time_wait_count(port: int, path: str = "/proc/net/tcp") -> int | None:
    """Sockets in TIME_WAIT whose remote or local port is ``port`` (Linux), or None if unknown."""
    pnum = int(in_range("port", port, 1, 65_535, integer=True, max_ndim=0))
    try:
        lines = Path(path).read_text().splitlines()[1:]
    except OSError:
        return None
    count = 0
    for line in lines:
        fields = line.split()
        if len(fields) > 3 and fields[3] == "06":  # TCP_TIME_WAIT
            local, remote = fields[1].split(":")[1], fields[2].split(":")[1]
            if int(local, 16) == pnum or int(remote, 16) == pnum:
                count += 1
    return count


def time_wait_after_close(n: int = 4, wait_s: float = 2.0) -> tuple[int, int | None]:
    """Open ``n`` connections to one echo server, use each once, close them from the client
    side, and count the sockets then in TIME_WAIT for that server port (Linux).

    The client closes first, so each connection should end in TIME_WAIT on the client side
    once the server's FIN arrives; the count is polled for up to ``wait_s``. Returns
    ``(n, count)``, with ``count`` None where ``/proc/net/tcp`` is not available.

    ``n`` (connections) is a whole number in [1, 50]; ``wait_s`` is in [0, 10] seconds.
    """
    count = check_count("n", n, 50)
    wait = number("wait_s", wait_s, 0, 10)
    with echo_server("tcp") as port:
        clients = [socket.create_connection((HOST, port), timeout=TIMEOUT_S) for _ in range(count)]
        try:
            for c in clients:  # one exchange each: the server has accepted and is serving it
                c.sendall(b"x")
                recv_exact(c, 1)
        finally:
            for c in clients:
                c.close()
        deadline = time.perf_counter() + wait
        found = time_wait_count(port)
        while found is not None and found < count and time.perf_counter() < deadline:
            time.sleep(0.02)
            found = time_wait_count(port)
    return count, found


def connection_tuples(n: int = 4) -> pd.DataFrame:
    """Open ``n`` TCP connections to one server port and list each one's 4-tuple."""
    count = int(in_range("n", n, 1, 50, integer=True, max_ndim=0))
    rows = []
    with echo_server("tcp") as port:
        clients = [socket.create_connection((HOST, port), timeout=TIMEOUT_S) for _ in range(count)]
        try:
            for c in clients:
                (cip, cport), (sip, sport) = c.getsockname(), c.getpeername()
                rows.append({"client IP": cip, "client port": cport, "server IP": sip, "server port": sport})
        finally:
            for c in clients:
                c.close()
    return pd.DataFrame(rows)


def rtt_figure(samples_s: dict[str, np.ndarray]):
    """Histograms (log-spaced bins, microseconds) of measured times, one trace per name."""
    import plotly.graph_objects as go

    from .explorer import show

    all_us = np.concatenate([np.asarray(v) * 1e6 for v in samples_s.values()])
    edges = np.logspace(np.log10(max(all_us.min(), 1.0)) - 0.05, np.log10(all_us.max()) + 0.05, 41)
    centers = np.sqrt(edges[:-1] * edges[1:])
    fig = go.Figure(layout={
        "title": {"text": "Measured on this machine, over 127.0.0.1"},
        "xaxis": {"title": {"text": "microseconds (log scale)"}, "type": "log", "dtick": 1,
                  "tickformat": "~s"},  # powers of ten: 4 decades on a phone
        "yaxis": {"title": {"text": "share of samples"}},
        "template": TEMPLATE, "height": 420,
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
    })
    for name, values in samples_s.items():
        counts, _ = np.histogram(np.asarray(values) * 1e6, edges)
        fig.add_trace(go.Scatter(x=centers, y=counts / max(len(values), 1), name=name, mode="lines",
                                 line={"shape": "hvh"}))
    return show(fig)


def throughput_figure(table: pd.DataFrame, latency_s: float, bandwidth_bps: float):
    """Measured effective throughput against message size, with the fitted transfer-time model."""
    import plotly.graph_objects as go

    from .explorer import show
    from .network import transfer_time

    latency_s = number("latency_s", latency_s, 0)
    bandwidth_bps = number("bandwidth_bps", bandwidth_bps, 0, low_open=True)
    sizes = np.logspace(np.log10(table["size_bytes"].min()), np.log10(table["size_bytes"].max()), 60)
    model = 8 * sizes / transfer_time(sizes, bandwidth_bps, latency_s) / 1e6
    fig = go.Figure(
        [
            go.Scatter(x=table["size_bytes"], y=table["Mbit/s"], mode="markers", name="measured",
                       marker={"size": 10}),
            go.Scatter(x=sizes, y=model, mode="lines", line={"dash": "dash"},
                       name=f"fit: {latency_s * 1e6:.0f} us + 8 x size / {bandwidth_bps / 1e9:.1f} Gbit/s"),
        ],
        {
            "title": {"text": "Effective TCP throughput over loopback against message size"},
            "xaxis": {"title": {"text": "message size (bytes)"}, "type": "log"},
            "yaxis": {"title": {"text": "size / time (Mbit/s)"}, "type": "log"},
            "template": TEMPLATE, "height": 420,
            "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        },
    )
    return show(fig)
