"""Go-style channels in Python: communicating sequential processes (CSP).

In Go, concurrent functions (goroutines) share no variables; they pass values over
channels. An *unbuffered* channel is a rendezvous: a send completes only when a
receiver takes the value, so the two goroutines meet. A *buffered* channel of capacity
``B`` lets a sender run up to ``B`` values ahead of the receiver. Here a goroutine is a
daemon thread and :class:`Channel` has Go's semantics, with a timeout on every wait.

A producer feeding a consumer through a channel is a two-stage line with a finite
buffer. With exponential production and consumption times the number of values past
the producer (in the buffer, being consumed, or held by a blocked producer) is a
birth-death chain on ``0 .. B + 2``, so the throughput has a closed form, which a SimPy
simulation and a real measurement with threads check.

References
----------
- C. A. R. Hoare, "Communicating sequential processes", Communications of the ACM
  21(8), 1978.
- A. A. A. Donovan and B. W. Kernighan, *The Go Programming Language*, Addison-Wesley,
  2015, ch. 8 (goroutines and channels).
- J. A. Buzacott and J. G. Shanthikumar, *Stochastic Models of Manufacturing Systems*,
  Prentice Hall, 1993, ch. 5 (two-stage lines with a finite buffer).
- I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, ch. 4.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any, Callable, Iterator

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ._validate import at_least, count, in_range, number, positive, scalar, seed as check_seed

#: Longest wait a channel operation or a measurement accepts, s.
MAX_TIMEOUT_S = 3600.0
#: Most values one :func:`simulate_pipeline` run simulates (1 to 5 s on a 2-core machine,
#: depending on its load: 6 to 25 microseconds a value), and the most :func:`pipeline_table`
#: simulates in all (``items`` times the number of buffers).
MAX_PIPELINE_ITEMS = 200_000
#: Most nominal sleeping :func:`measure_pipeline` accepts, ``len(buffers) * items * mean_s``
#: in seconds. A run takes 1 to 2 times this (an unbuffered channel makes each side wait for
#: the other, and every sleep overshoots): the largest accepted calls took about 7 s here.
MAX_PIPELINE_SLEEP_S = 4.0

__all__ = [
    "Channel",
    "ChannelClosed",
    "go",
    "rendezvous_demo",
    "pipeline_throughput_per_s",
    "simulate_pipeline",
    "measure_pipeline",
    "pipeline_replay_s",
    "pipeline_verdict",
    "pipeline_curves",
    "pipeline_table",
]


class ChannelClosed(Exception):
    """Raised by :meth:`Channel.recv` on a closed, drained channel, and by a send on a closed one."""


class Channel:
    """A Go channel: ``Channel()`` is unbuffered (a rendezvous), ``Channel(B)`` holds up to ``B`` values.

    Every blocking call takes ``timeout_s`` (default 5 s) and raises ``TimeoutError``
    when it expires, so a mistake cannot hang the program.

    >>> ch = Channel(2)
    >>> ch.send("a"); ch.send("b")
    >>> ch.recv(), ch.recv()
    ('a', 'b')
    >>> ch.close()
    >>> list(ch)
    []
    """

    def __init__(self, capacity: int = 0) -> None:
        self.capacity = int(in_range("capacity", capacity, 0, 1_000_000, integer=True, max_ndim=0))
        self._items: deque = deque()
        self._cond = threading.Condition()
        self._receivers = 0  # receivers waiting (an unbuffered send needs one)
        self._taken = 0  # values taken so far
        self._sent = 0  # values put in so far
        self._closed = False

    def send(self, value: Any, timeout_s: float = 5.0) -> None:
        """Put ``value`` in; block while the buffer is full, or, unbuffered, until a receiver takes it."""
        deadline = time.monotonic() + number("timeout_s", timeout_s, 0, MAX_TIMEOUT_S, low_open=True)
        with self._cond:
            room = max(self.capacity, 1)
            if not self._cond.wait_for(lambda: self._closed or len(self._items) < room, _left(deadline)):
                raise TimeoutError(f"send waited more than {timeout_s} s for room in the channel")
            if self._closed:
                raise ChannelClosed("send on a closed channel")
            self._items.append(value)
            self._sent += 1
            ticket = self._sent
            self._cond.notify_all()
            if self.capacity == 0:  # rendezvous: wait until this very value is taken
                if not self._cond.wait_for(lambda: self._taken >= ticket or self._closed, _left(deadline)):
                    self._items.clear()  # unbuffered: the one value waiting is ours
                    self._sent -= 1
                    raise TimeoutError(f"send waited more than {timeout_s} s for a receiver")
                if self._taken < ticket:  # closed while this send waited (in Go, a panic)
                    self._items.clear()
                    self._sent -= 1
                    raise ChannelClosed("channel closed while a send waited for a receiver")

    def recv(self, timeout_s: float = 5.0) -> Any:
        """Take the oldest value; block until there is one. Raises :class:`ChannelClosed`
        once the channel is closed and empty."""
        deadline = time.monotonic() + number("timeout_s", timeout_s, 0, MAX_TIMEOUT_S, low_open=True)
        with self._cond:
            if not self._cond.wait_for(lambda: self._items or self._closed, _left(deadline)):
                raise TimeoutError(f"recv waited more than {timeout_s} s for a value")
            if not self._items:
                raise ChannelClosed("channel closed")
            value = self._items.popleft()
            self._taken += 1
            self._cond.notify_all()
            return value

    def close(self) -> None:
        """No more sends; receivers drain what is left, then get :class:`ChannelClosed`."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def __iter__(self) -> Iterator[Any]:
        """``for v in ch`` receives until the channel is closed and drained (Go's ``range ch``)."""
        while True:
            try:
                yield self.recv()
            except ChannelClosed:
                return


def _left(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())


def go(fn: Callable[..., Any], *args: Any) -> threading.Thread:
    """Start ``fn(*args)`` concurrently, like Go's ``go fn(args)`` (a daemon thread)."""
    if not callable(fn):
        raise ValueError(f"fn must be callable, got {fn!r}"[:200])
    thread = threading.Thread(target=fn, args=args, daemon=True)
    thread.start()
    return thread


def rendezvous_demo(capacity: int = 0, values: int = 4, receiver_delay_s: float = 0.2) -> pd.DataFrame:
    """A sender sends ``values`` values at once; the receiver starts ``receiver_delay_s`` late.

    Returns one row per value: whether its ``send`` had to wait for the late receiver,
    that is, it began before the receiver started receiving and returned only after.
    That is decided from the order of events, not from how long a send took, so the
    table does not depend on how busy the machine is: with an unbuffered channel the
    first send waits for the receiver; with capacity ``B`` the first ``B`` do not and
    the next one does. (A send that begins after the receiver has started may still
    wait briefly for it to come round to ``recv``; that is not waiting for a late
    receiver.) The one assumption is that the sender's first ``B + 1`` sends begin
    within ``receiver_delay_s`` of its start, which a machine would have to stall the
    sender's thread for that long to break.

    >>> rendezvous_demo(0, 2)["send blocked"].tolist()
    [True, False]
    >>> rendezvous_demo(2, 3)["send blocked"].tolist()
    [False, False, True]
    """
    n = int(in_range("values", values, 1, 100, integer=True, max_ndim=0))
    delay = float(in_range("receiver_delay_s", receiver_delay_s, 0.01, 1, max_ndim=0))
    ch = Channel(capacity)
    got: list[Any] = []
    ready = threading.Event()  # set when the sender is about to send
    started = threading.Event()  # set when the receiver starts receiving

    def receiver() -> None:
        ready.wait(5)
        time.sleep(delay)  # late: counted from the moment the sender starts
        started.set()
        for _ in range(n):
            got.append(ch.recv())

    t = go(receiver)
    rows = []
    ready.set()
    for i in range(n):
        before = started.is_set()
        ch.send(i)
        rows.append({"value": i, "send blocked": not before and started.is_set()})
    t.join(5)
    return pd.DataFrame(rows).set_index("value")


# --- Producer and consumer through a channel --------------------------------------------


def pipeline_throughput_per_s(
    producer_rate_per_s: ArrayLike, consumer_rate_per_s: ArrayLike, buffer: ArrayLike
) -> float | np.ndarray:
    """Throughput of a producer feeding a consumer through a channel of capacity ``buffer``.

    Production and consumption times are exponential with the given rates; the producer
    blocks while the channel is full (unbuffered: until the consumer takes the value).
    Values past the producer form a birth-death chain on ``0..K`` with ``K = buffer + 2``
    and ``P(k) ~ rho**k`` (``rho`` = producer rate / consumer rate), so the throughput is
    ``mu_c (1 - P(0))``.

    Parameters
    ----------
    producer_rate_per_s, consumer_rate_per_s : values per second, > 0.
    buffer : channel capacity, a whole number >= 0 (0 = unbuffered).

    References
    ----------
    Buzacott and Shanthikumar 1993, ch. 5.

    >>> round(pipeline_throughput_per_s(100, 100, 0), 2)  # equal rates, rendezvous: 2/3
    66.67
    >>> round(pipeline_throughput_per_s(100, 100, 8), 2)  # (B + 2) / (B + 3)
    90.91
    """
    lam = positive("producer_rate_per_s", producer_rate_per_s)
    mu = positive("consumer_rate_per_s", consumer_rate_per_s)
    b = at_least("buffer", buffer, 0, integer=True)
    k = b + 2.0
    rho = lam / mu
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # P(0) = (1 - rho) / (1 - rho^(K+1)), written stably for rho on either side of 1.
        log_rho = np.log(rho)
        p0 = np.where(
            np.isclose(rho, 1.0, rtol=1e-9, atol=0),
            1.0 / (k + 1.0),
            np.where(rho < 1, -np.expm1(log_rho) / -np.expm1((k + 1) * log_rho),
                     -np.expm1(-log_rho) * np.exp(-k * log_rho) / -np.expm1(-(k + 1) * log_rho)),
        )
    return scalar(mu * (1.0 - p0))


def simulate_pipeline(
    producer_rate_per_s: float, consumer_rate_per_s: float, buffer: int, items: int = 20_000, seed: int = 0
) -> float:
    """SimPy simulation of the producer, the channel and the consumer; returns values per second.

    The channel is a ``simpy.Store`` of capacity ``buffer``; the unbuffered case is a
    store of one place plus an acknowledgement the producer waits for (a rendezvous).

    Parameters
    ----------
    producer_rate_per_s, consumer_rate_per_s : values per second, > 0.
    buffer : channel capacity, a whole number in [0, 10,000] (0 = unbuffered).
    items : values simulated, a whole number in [100, :data:`MAX_PIPELINE_ITEMS`].
    seed : seed of the generator.

    >>> round(simulate_pipeline(100, 100, 0, items=50_000, seed=1) / 100, 2)
    0.67
    """
    import simpy

    lam = float(positive("producer_rate_per_s", producer_rate_per_s, max_ndim=0))
    mu = float(positive("consumer_rate_per_s", consumer_rate_per_s, max_ndim=0))
    b = int(in_range("buffer", buffer, 0, 10_000, integer=True, max_ndim=0))
    n = count("items", items, MAX_PIPELINE_ITEMS, low=100)
    rng = np.random.default_rng(check_seed("seed", seed))
    make = rng.exponential(1.0 / lam, n)
    use = rng.exponential(1.0 / mu, n)
    env = simpy.Environment()
    store = simpy.Store(env, capacity=max(b, 1))
    finished = env.event()

    def producer():
        for i in range(n):
            yield env.timeout(make[i])
            taken = env.event()
            yield store.put((i, taken))
            if b == 0:
                yield taken  # the send completes only when the consumer takes the value

    def consumer():
        for i in range(n):
            _, taken = yield store.get()
            taken.succeed()
            yield env.timeout(use[i])
        finished.succeed()

    env.process(producer())
    env.process(consumer())
    env.run(until=finished)
    return float(n / env.now)


def pipeline_replay_s(make_s: ArrayLike, use_s: ArrayLike, buffer: int) -> float:
    """How long the producer-consumer run would take with these exact times and free hand-offs.

    The producer spends ``make_s[i]`` on value ``i``, then sends it; the consumer
    receives value ``i``, then spends ``use_s[i]`` on it. With channel operations that
    cost nothing, the times at which things happen follow max-plus recursions: value
    ``i`` is made at ``a_i = d_{i-1} + make_s[i]``; its send completes at
    ``d_i = max(a_i, r_{i-B})`` for capacity ``B >= 1`` (room once value ``i - B`` has
    been taken), or at ``d_i = r_i`` unbuffered (a rendezvous); the consumer takes it
    at ``r_i = max(d_i, r_{i-1} + use_s[i-1])`` buffered, or ``max(a_i, ...)``
    unbuffered (the value waits in the channel from ``a_i``). The run ends at
    ``r_{n-1} + use_s[n-1]``.

    Every real delay (a thread waking up late, a lock) only postpones events in these
    recursions, so a real run with the same sleeps can never finish sooner: the replay
    is a lower bound on its time, and the gap is what the hand-offs cost.

    Parameters
    ----------
    make_s, use_s : seconds per value, >= 0, one-dimensional, of the same length (at
        most 10**6).
    buffer : channel capacity, a whole number in [0, 10**6] (0 = unbuffered).

    Returns
    -------
    Seconds from the first value's making to the last value's use.

    >>> pipeline_replay_s([1, 1, 1], [1, 1, 1], 0)  # each value is made while the last is used
    4.0
    >>> pipeline_replay_s([1, 1, 1], [2, 2, 2], 4)  # a buffer cannot beat the slower side
    7.0
    """
    make = np.asarray(at_least("make_s", make_s, 0, max_ndim=1), dtype=float).ravel()
    use = np.asarray(at_least("use_s", use_s, 0, max_ndim=1), dtype=float).ravel()
    b = int(in_range("buffer", buffer, 0, 1_000_000, integer=True, max_ndim=0))
    if make.size != use.size or not 1 <= make.size <= 10**6:
        raise ValueError(f"make_s and use_s must hold the same number of values, 1 to 10**6, got "
                         f"{make.size} and {use.size}")
    taken = np.empty(make.size)  # r_i
    sent = 0.0  # d_{i-1}
    free = 0.0  # r_{i-1} + use_{i-1}: when the consumer is back at recv
    for i in range(make.size):
        made = sent + make[i]
        if b == 0:
            taken[i] = max(made, free)
            sent = taken[i]
        else:
            sent = max(made, taken[i - b]) if i >= b else made
            taken[i] = max(sent, free)
        free = taken[i] + use[i]
    return float(free)


def _produce_consume(capacity: int, make: np.ndarray, use: np.ndarray,
                     timeout_s: float) -> tuple[float, np.ndarray, np.ndarray]:
    """Run the pipeline; return elapsed seconds and the real length of every sleep on each side."""
    ch = Channel(capacity)
    slept = {"make": np.zeros(len(make)), "use": np.zeros(len(use))}

    def nap(side: str, i: int, seconds: float) -> None:
        start = time.perf_counter()
        time.sleep(seconds)
        slept[side][i] = time.perf_counter() - start

    def producer() -> None:
        try:
            for i, wait in enumerate(make):
                nap("make", i, wait)
                ch.send(1, timeout_s)
        except (ChannelClosed, TimeoutError):
            # The consumer gave up (its receive timed out, and it closes the channel), or is
            # slower than the timeout: stop at once. In both cases the consumer's own receive
            # times out and reports it; on a busy machine the close may come after this send
            # has timed out, which must not kill the thread with an uncaught error.
            return
        ch.close()

    start = time.perf_counter()
    t = go(producer)
    try:
        for i, wait in enumerate(use):
            ch.recv(timeout_s)
            nap("use", i, wait)
        elapsed = time.perf_counter() - start
    finally:
        ch.close()  # on a timeout too, so the producer does not outlive this call by more than one sleep
        t.join(timeout_s)
    return elapsed, slept["make"], slept["use"]


def measure_pipeline(
    buffers: ArrayLike = (0, 1, 4, 16), items: int = 120, mean_s: float = 0.004, seed: int = 0, timeout_s: float = 10.0
) -> pd.DataFrame:
    """Real threads and a real :class:`Channel`: producer and consumer each take an
    exponential time of mean ``mean_s`` per value (``time.sleep``).

    Returns, for each buffer size, ``measured_per_s`` (values per second), beside two
    figures computed from the sleeps as they really happened (a sleep overshoots a
    little, more on a busy machine): ``replay_per_s``, the same run with hand-offs that
    cost nothing (:func:`pipeline_replay_s`, an upper bound on the measured rate), and
    ``model_per_s``, the steady state of :func:`pipeline_throughput_per_s` at the mean
    rates the sleeps achieved. The replay differs from the model because the run is
    finite: it starts with an empty channel, and its particular draws are not their
    average. ``attrs`` holds ``items`` and ``mean_s``.

    Parameters
    ----------
    buffers : channel capacities, whole numbers in [0, 1000].
    items : values per run, a whole number in [10, 5000].
    mean_s : mean sleep per value and side, seconds in [0.0005, 0.05].
    timeout_s : bound on each blocking send or receive, seconds in (0, :data:`MAX_TIMEOUT_S`].

    ``len(buffers) * items * mean_s`` must be at most :data:`MAX_PIPELINE_SLEEP_S`, so that
    the largest accepted call sleeps for seconds, not hours.
    """
    bs = [int(b) for b in np.atleast_1d(in_range("buffers", buffers, 0, 1000, integer=True, max_ndim=1))]
    n = int(in_range("items", items, 10, 5000, integer=True, max_ndim=0))
    m = float(in_range("mean_s", mean_s, 0.0005, 0.05, max_ndim=0))
    if len(bs) * n * m > MAX_PIPELINE_SLEEP_S:
        raise ValueError(f"buffers, items and mean_s must give len(buffers) * items * mean_s <= "
                         f"{MAX_PIPELINE_SLEEP_S:g} s of sleeping, got {len(bs)} * {n} * {m!r} = {len(bs) * n * m:g}")
    t_max = number("timeout_s", timeout_s, 0, MAX_TIMEOUT_S, low_open=True)
    rng = np.random.default_rng(check_seed("seed", seed))
    make, use = rng.exponential(m, n), rng.exponential(m, n)
    rows = []
    for b in bs:
        seconds, make_s, use_s = _produce_consume(b, make, use, t_max)
        rows.append({"buffer": b, "measured_per_s": n / seconds,
                     "replay_per_s": n / pipeline_replay_s(make_s, use_s, b),
                     "model_per_s": pipeline_throughput_per_s(1 / make_s.mean(), 1 / use_s.mean(), b)})
    table = pd.DataFrame(rows).set_index("buffer")
    table.attrs.update({"items": n, "mean_s": m})
    return table


def _span(values: pd.Series, signed: bool = False) -> str:
    """'3%' if the values round alike, else '1% to 5%' (with signs if ``signed``)."""
    fmt = "{:+.0%}" if signed else "{:.0%}"
    lo, hi = fmt.format(float(values.min())), fmt.format(float(values.max()))
    return lo if lo == hi else f"{lo} to {hi}"


def pipeline_verdict(measured: pd.DataFrame) -> str:
    """A short verdict on :func:`measure_pipeline`'s table, computed from its numbers."""
    t = measured.sort_index()
    n = measured.attrs.get("items")
    lo, hi = t.iloc[0], t.iloc[-1]
    lines = []
    gain = hi["measured_per_s"] / lo["measured_per_s"] - 1
    model_gain = hi["model_per_s"] / lo["model_per_s"] - 1
    lines.append(f"buffer {t.index[0]} -> {t.index[-1]}: measured {lo['measured_per_s']:.0f} -> "
                 f"{hi['measured_per_s']:.0f} values/s ({gain:+.0%}); the model says {model_gain:+.0%}"
                 + (": the buffer helped, as the model predicts." if gain > 0.5 * model_gain > 0 else
                    ": less gain than the model; see the two gaps below."))
    cost = (1 / t["measured_per_s"] - 1 / t["replay_per_s"]) * 1e3  # ms per value
    share = 1 - t["measured_per_s"] / t["replay_per_s"]
    lines.append(f"hand-offs: the measured rate is {_span(share)} below a replay of the same sleeps with free "
                 f"hand-offs ({cost.min():.2f} to {cost.max():.2f} ms per value): the cost of waking a thread "
                 "through the channel" + (" on a busy machine." if share.max() > 0.1 else "."))
    off = t["replay_per_s"] / t["model_per_s"] - 1
    lines.append(f"replay against the model: {_span(off, signed=True)}"
                 + (f": one run of {n} values per buffer starts from an empty channel, and real sleeps, which "
                    "overshoot by a roughly fixed amount, vary less than the model's exponential times."
                    if n else "."))
    return "\n".join(lines)


_BUFFER_AXIS = np.arange(0, 33)


def pipeline_curves(producer_rate_per_s: float, consumer_rate_per_s: float) -> dict[str, dict]:
    """Throughput against channel capacity, with the two stages' own rates (for an explorer).

    >>> c = pipeline_curves(100, 100)
    >>> round(float(c["throughput"]["y"][0]), 2)
    66.67
    """
    producer_rate_per_s = number("producer_rate_per_s", producer_rate_per_s, 0, low_open=True)
    consumer_rate_per_s = number("consumer_rate_per_s", consumer_rate_per_s, 0, low_open=True)
    ceiling = min(producer_rate_per_s, consumer_rate_per_s)
    return {
        "throughput": {"x": _BUFFER_AXIS, "y": pipeline_throughput_per_s(producer_rate_per_s, consumer_rate_per_s, _BUFFER_AXIS),
                       "mode": "lines+markers", "marker": {"size": 5}},
        "slower stage's rate": {"x": _BUFFER_AXIS[[0, -1]], "y": np.full(2, ceiling), "line": {"dash": "dot", "color": "grey"}},
    }


def pipeline_table(
    producer_rate_per_s: float = 100, consumer_rate_per_s: float = 100, buffers: ArrayLike = (0, 1, 2, 4, 8, 16),
    items: int = 6000, seed: int = 0,
) -> pd.DataFrame:
    """Closed form against SimPy, values per second, for a few buffer sizes.

    ``buffers``: whole numbers in [0, 10,000]; ``items`` per buffer, in [100,
    :data:`MAX_PIPELINE_ITEMS`], with ``items * len(buffers)`` at most
    :data:`MAX_PIPELINE_ITEMS` too (the whole table then takes a few seconds).
    """
    number("producer_rate_per_s", producer_rate_per_s, 0, low_open=True)
    number("consumer_rate_per_s", consumer_rate_per_s, 0, low_open=True)
    buffers = in_range("buffers", buffers, 0, 10_000, integer=True, max_ndim=1)
    n = count("items", items, MAX_PIPELINE_ITEMS, low=100)
    check_seed("seed", seed)
    if n * np.size(buffers) > MAX_PIPELINE_ITEMS:
        raise ValueError(f"items and buffers must give items * len(buffers) <= {MAX_PIPELINE_ITEMS}, got "
                         f"{n} * {np.size(buffers)} = {n * np.size(buffers)}")
    rows = []
    for b in np.atleast_1d(buffers):
        rows.append({
            "buffer": int(b),
            "model": pipeline_throughput_per_s(producer_rate_per_s, consumer_rate_per_s, int(b)),
            "SimPy": simulate_pipeline(producer_rate_per_s, consumer_rate_per_s, int(b), items=items, seed=seed),
        })
    return pd.DataFrame(rows).set_index("buffer")
