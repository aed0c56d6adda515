"""One thread, one event loop: what a CPU-heavy callback does to everyone else.

Node.js runs every request's callbacks on one thread, in turn: while one callback
computes (a big sort), no other callback runs, however short. Python's ``asyncio`` works
the same way. This module measures that for real (a heartbeat task that should wake
every few milliseconds is held up while a sort blocks the loop) and the fix (run the
sort elsewhere: an executor). In CPython a *thread* executor does not help a sort,
which holds the interpreter lock throughout; a *process* executor does.

It also models the loop as a single server taking callbacks first come, first served:
an M/G/1 queue. The Pollaczek-Khinchine formula gives the mean wait before a callback
starts, ``W = lambda E[S^2] / (2 (1 - rho))``, which grows with the *second moment* of
the service time: a few long callbacks hurt far more than their share of the work.
A simulation (Lindley's recursion, long runs) checks the formula.

References
----------
- F. Pollaczek, "Über eine Aufgabe der Wahrscheinlichkeitstheorie", Mathematische
  Zeitschrift 32, 1930; A. Y. Khinchine, Matematicheskii Sbornik 39, 1932.
- L. Kleinrock, *Queueing Systems, Volume 1*, Wiley, 1975, section 5.6.
- Node.js documentation, "Don't block the event loop (or the worker pool)".
- I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, ch. 4.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import threading
import time

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .measure import _terminate_executor
from ._validate import at_least, count, in_range, number, positive, probability, scalar, seed as check_seed

__all__ = [
    "sort_job",
    "measure_heartbeat",
    "heartbeat_table",
    "mixture_moments",
    "pk_mean_wait_s",
    "simulate_mg1",
    "loop_wait_curves",
    "pk_table",
    "async_lost_update",
    "heartbeat_verdict",
    "MAX_CUSTOMERS",
    "MAX_TABLE_CUSTOMERS",
    "MAX_SORT_ITEMS",
]


# --- The real measurement --------------------------------------------------------------


#: Most floats :func:`sort_job` (and so :func:`measure_heartbeat`) sorts: about 1 s here,
#: so that :func:`heartbeat_table`, which sorts three times, takes a few seconds.
MAX_SORT_ITEMS = 2_000_000


def sort_job(items: int, seed: int = 0) -> float:
    """CPU-heavy work: sort ``items`` random floats with Python's ``sorted``; returns the smallest.

    ``items``: whole number in [1, :data:`MAX_SORT_ITEMS`].
    """
    items = int(in_range("items", items, 1, MAX_SORT_ITEMS, integer=True, max_ndim=0))
    values = np.random.default_rng(check_seed("seed", seed)).random(items).tolist()
    return sorted(values)[0]


VARIANTS = ("sort on the loop", "sort in a thread executor", "sort in a process executor")


async def _scenario(variant: str, items: int, interval_s: float, pool: cf.Executor | None) -> dict[str, float]:
    loop = asyncio.get_running_loop()
    lateness: list[float] = []
    stop = asyncio.Event()

    async def heartbeat() -> None:
        while not stop.is_set():
            due = time.perf_counter() + interval_s
            await asyncio.sleep(interval_s)
            lateness.append(time.perf_counter() - due)

    async def request() -> float:
        await asyncio.sleep(5 * interval_s)  # let the heartbeat settle first
        start = time.perf_counter()
        if variant == VARIANTS[0]:
            sort_job(items)  # runs on the loop's own thread: nothing else can run
        else:
            await loop.run_in_executor(pool, sort_job, items)
        took = time.perf_counter() - start
        await asyncio.sleep(5 * interval_s)
        stop.set()
        return took

    beat = asyncio.create_task(heartbeat())
    took = await request()
    await beat
    late = np.asarray(lateness)
    return {"variant": variant, "sort_ms": took * 1e3, "heartbeats": late.size,
            "median_late_ms": float(np.median(late)) * 1e3, "max_late_ms": float(late.max()) * 1e3}


def measure_heartbeat(variant: str = VARIANTS[0], items: int = 200_000, interval_s: float = 0.005,
                      timeout_s: float = 30.0) -> dict[str, float]:
    """Run a heartbeat every ``interval_s`` on an asyncio loop while a request sorts ``items`` floats.

    Parameters
    ----------
    variant : one of :data:`VARIANTS`: where the sort runs.
    items : floats to sort, in [1000, :data:`MAX_SORT_ITEMS`].
    interval_s : heartbeat period in seconds, in [0.001, 0.1].
    timeout_s : the whole run is cancelled after this many seconds (``TimeoutError``).

    Returns
    -------
    ``variant``, ``sort_ms`` (how long the request took), ``heartbeats`` (how many woke),
    ``median_late_ms`` and ``max_late_ms`` (how late they woke).
    """
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(VARIANTS)}, got {variant!r}")
    n = int(in_range("items", items, 1000, MAX_SORT_ITEMS, integer=True, max_ndim=0))
    dt = float(in_range("interval_s", interval_s, 0.001, 0.1, max_ndim=0))
    t_max = float(in_range("timeout_s", timeout_s, 0, 3600, low_open=True, max_ndim=0))
    pool: cf.Executor | None = None
    if variant == VARIANTS[1]:
        pool = cf.ThreadPoolExecutor(max_workers=1)
    elif variant == VARIANTS[2]:
        pool = cf.ProcessPoolExecutor(max_workers=1)
    ok = False
    try:
        if pool is not None:
            pool.submit(sort_job, 1000).result(timeout=t_max)  # start the worker before timing
        result = _run_loop_in_own_thread(_scenario(variant, n, dt, pool), t_max)
        ok = True
        return result
    finally:
        if pool is not None:
            _close_executor(pool, wait=ok)


def _close_executor(pool: cf.Executor, wait: bool) -> None:
    """Shut an executor down; after a failure or a timeout, without waiting for a sort
    still running in it (a worker process is terminated, a thread finishes its sort)."""
    if wait:
        pool.shutdown(wait=True)
        return
    _terminate_executor(pool)


def _run_loop_in_own_thread(coro, timeout_s: float):
    """``asyncio.run(coro)`` on a fresh thread, so it also works where a loop is already
    running (a Jupyter kernel), with a deadline on the whole run."""
    out: dict[str, object] = {}

    def main() -> None:
        try:
            out["value"] = asyncio.run(asyncio.wait_for(coro, timeout_s))
        except BaseException as exc:  # re-raised in the caller's thread
            out["error"] = exc

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    thread.join(timeout_s + 5)
    if thread.is_alive():
        raise TimeoutError(f"the event loop ran longer than {timeout_s} s")
    if "error" in out:
        raise out["error"]
    return out["value"]


def heartbeat_table(items: int = 200_000, interval_s: float = 0.005) -> pd.DataFrame:
    """:func:`measure_heartbeat` for every variant, as a table."""
    return pd.DataFrame([measure_heartbeat(v, items, interval_s) for v in VARIANTS]).set_index("variant")


# --- The model: M/G/1 and Pollaczek-Khinchine ------------------------------------------


def mixture_moments(short_s: ArrayLike, long_s: ArrayLike, long_share: ArrayLike) -> tuple:
    """Mean and second moment of a service time that is ``long_s`` with probability
    ``long_share`` and ``short_s`` otherwise (both fixed).

    >>> mean, second = mixture_moments(0.001, 0.1, 0.01)
    >>> round(mean * 1e3, 3), round(second * 1e6, 2)
    (1.99, 100.99)
    """
    s = positive("short_s", short_s)
    ell = positive("long_s", long_s)
    q = probability("long_share", long_share)
    return scalar((1 - q) * s + q * ell), scalar((1 - q) * s**2 + q * ell**2)


def pk_mean_wait_s(arrival_rate_per_s: ArrayLike, service_mean_s: ArrayLike, service_second_moment_s2: ArrayLike) -> float | np.ndarray:
    """Mean wait in line of an M/G/1 queue (Pollaczek-Khinchine): ``lambda E[S^2] / (2 (1 - rho))``.

    Parameters
    ----------
    arrival_rate_per_s : lambda, Poisson arrivals per second, >= 0.
    service_mean_s : E[S], seconds, > 0.
    service_second_moment_s2 : E[S^2], seconds squared, >= E[S]^2.

    Returns
    -------
    Seconds; ``inf`` when the load ``rho = lambda E[S]`` is 1 or more.

    References
    ----------
    Kleinrock 1975, eq. 5.72.

    >>> round(pk_mean_wait_s(500, 0.001, 2e-6), 6)  # M/M/1, rho 0.5: W = rho/(1-rho) E[S]
    0.001
    >>> round(pk_mean_wait_s(500, 0.001, 1e-6), 6)  # M/D/1 waits half as long
    0.0005
    """
    lam = at_least("arrival_rate_per_s", arrival_rate_per_s, 0)
    es = positive("service_mean_s", service_mean_s)
    es2 = positive("service_second_moment_s2", service_second_moment_s2)
    if np.any(es2 < es**2 * (1 - 1e-9)):
        raise ValueError("service_second_moment_s2 must be >= service_mean_s**2 (a variance cannot be negative)")
    rho = lam * es
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(rho < 1, lam * es2 / (2 * (1 - np.minimum(rho, 0.999999999))), np.inf)
    return scalar(w)


#: Largest number of customers :func:`simulate_mg1` simulates (the most
#: :func:`scalelab.queueing.lindley_waits` accepts; under a second here).
MAX_CUSTOMERS = 2_000_000
#: Most customers :func:`pk_table` simulates in all (``customers`` times the number of
#: rates; about 2 s on a busy 2-core machine).
MAX_TABLE_CUSTOMERS = 10_000_000


def _simulated_waits(arrival_rate_per_s: float, short_s: float, long_s: float, long_share: float,
                     customers: int, seed) -> np.ndarray:
    from .queueing import lindley_waits

    rng = np.random.default_rng(seed)
    gaps = rng.exponential(1 / arrival_rate_per_s, customers)
    service = np.where(rng.random(customers) < long_share, long_s, short_s)
    return lindley_waits(gaps, service)


def simulate_mg1(arrival_rate_per_s: float, short_s: float, long_s: float, long_share: float,
                 customers: int = 400_000, seed: int = 0) -> float:
    """Simulate the loop as one FIFO server; return the mean wait in seconds.

    Poisson arrivals, each callback ``long_s`` with probability ``long_share`` and
    ``short_s`` otherwise; waits by Lindley's recursion (the same queue a discrete-event
    simulation runs, computed with a cumulative sum). The first 10% of customers are a
    warm-up (the queue starts empty) and are left out of the mean.

    Parameters
    ----------
    customers : in [100, :data:`MAX_CUSTOMERS`]. A rare long callback makes the mean
        converge slowly: at 1% of 50 ms callbacks, 10,000 customers leave errors of
        tens of percent, 400,000 a few percent (see :func:`pk_table`'s interval).
    seed : seed of the generator; give each setting its own.

    >>> w = simulate_mg1(500, 0.001, 0.001, 0.0, customers=20_000, seed=3)  # M/D/1
    >>> abs(w / 0.0005 - 1) < 0.1
    True
    """
    lam = float(positive("arrival_rate_per_s", arrival_rate_per_s, max_ndim=0))
    for name, value in (("short_s", short_s), ("long_s", long_s)):
        positive(name, value, max_ndim=0)
    in_range("long_share", long_share, 0, 1, max_ndim=0)
    check_seed("seed", seed)
    mean, _ = mixture_moments(short_s, long_s, long_share)
    if lam * mean >= 1:
        raise ValueError(f"arrival_rate_per_s must be < 1 / E[S] = {1 / mean:g} for a stable queue (E[S] from "
                         f"short_s={short_s!r}, long_s={long_s!r}, long_share={long_share!r}), got {lam:g}")
    n = int(in_range("customers", customers, 100, MAX_CUSTOMERS, integer=True, max_ndim=0))
    waits = _simulated_waits(lam, float(short_s), float(long_s), float(long_share), n, seed)
    return float(waits[n // 10:].mean())


_RATE_AXIS = np.linspace(10, 950, 95)


def loop_wait_curves(long_ms: float, long_share: float, short_ms: float = 1.0) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Mean wait before a callback runs against the request rate (for an explorer).

    Each request needs a ``short_ms`` callback; a share ``long_share`` also needs a
    ``long_ms`` computation, either on the loop or moved to a worker (where the loop
    only pays the short callback). Rates past saturation show as gaps.

    >>> c = loop_wait_curves(100, 0.01)
    >>> bool(np.isnan(c["long work on the loop"][1][-1]))
    True
    """
    short = float(positive("short_ms", short_ms, max_ndim=0)) / 1e3
    on_loop = mixture_moments(short, short + float(positive("long_ms", long_ms, max_ndim=0)) / 1e3, long_share)
    moved = (short, short**2)
    curves = {}
    for name, (m1, m2) in (("long work on the loop", on_loop), ("long work moved to a worker", moved)):
        w = np.asarray(pk_mean_wait_s(_RATE_AXIS, m1, m2)) * 1e3
        curves[name] = (_RATE_AXIS, np.where(np.isfinite(w), w, np.nan))
    return curves


def pk_table(short_s: float = 0.001, long_s: float = 0.05, long_share: float = 0.01,
             rates_per_s: ArrayLike = (50, 100, 200, 300), customers: int = 400_000, seed: int = 0) -> pd.DataFrame:
    """Pollaczek-Khinchine against simulation, mean wait in milliseconds.

    Each rate gets its own seed (from ``SeedSequence([seed, i])``), so the rows are
    independent. Beside each simulated mean are the half-width of a 95% interval from 20
    batch means (after the 10% warm-up), the gap to the formula in percent, and whether
    the formula falls inside the interval (about one row in twenty will not, by chance).

    ``rates_per_s``: at most 20 rates, each below ``1 / E[S]``; ``customers`` per rate, in
    [2000, :data:`MAX_CUSTOMERS`], with ``customers * len(rates_per_s)`` at most
    :data:`MAX_TABLE_CUSTOMERS`.
    """
    for name, value in (("short_s", short_s), ("long_s", long_s)):
        positive(name, value, max_ndim=0)
    in_range("long_share", long_share, 0, 1, max_ndim=0)
    check_seed("seed", seed)
    mean, second = mixture_moments(short_s, long_s, long_share)
    rates = np.atleast_1d(in_range("rates_per_s", rates_per_s, 0, low_open=True, max_ndim=1)).ravel()
    if rates.size > 20:
        raise ValueError(f"rates_per_s must hold at most 20 rates, got {rates.size}")
    n = int(in_range("customers", customers, 2_000, MAX_CUSTOMERS, integer=True, max_ndim=0))
    if n * rates.size > MAX_TABLE_CUSTOMERS:
        raise ValueError(f"customers and rates_per_s must give customers * len(rates_per_s) <= "
                         f"{MAX_TABLE_CUSTOMERS}, got {n} * {rates.size} = {n * rates.size}")
    if np.any(rates * mean >= 1):
        raise ValueError(f"rates_per_s must be < 1 / E[S] = {1 / mean:g} for a stable queue (E[S] from "
                         f"short_s, long_s and long_share), got {float(rates.max())!r}")
    rows = []
    for i, lam in enumerate(rates):
        lam = float(lam)
        if lam * mean >= 1:
            raise ValueError(f"rates_per_s must be < 1 / E[S] = {1 / mean:g} for a stable queue, got {lam:g}")
        waits = _simulated_waits(lam, float(short_s), float(long_s), float(long_share), n,
                                 np.random.SeedSequence([int(seed), i]))[n // 10:]
        batches = np.array([b.mean() for b in np.array_split(waits, 20)])
        half = 2.093 * batches.std(ddof=1) / np.sqrt(batches.size)  # Student t, 19 degrees of freedom
        formula = pk_mean_wait_s(lam, mean, second)
        rows.append({
            "requests_per_s": lam,
            "load": lam * mean,
            "P-K wait_ms": formula * 1e3,
            "simulated wait_ms": waits.mean() * 1e3,
            "95% half-width_ms": half * 1e3,
            "gap_%": (waits.mean() / formula - 1) * 100,
            "P-K inside interval": bool(abs(waits.mean() - formula) <= half),
        })
    return pd.DataFrame(rows).set_index("requests_per_s")


# --- One thread is no protection: a read-modify-write across an await ------------------

#: Most asyncio tasks :func:`async_lost_update` starts.
MAX_UPDATE_TASKS = 10_000


async def _deposits(tasks: int, use_lock: bool) -> int:
    balance = 0
    lock = asyncio.Lock()

    async def deposit() -> None:
        nonlocal balance
        if use_lock:
            async with lock:  # no other task can enter until this one has written
                seen = balance
                await asyncio.sleep(0)
                balance = seen + 1
        else:
            seen = balance  # read
            await asyncio.sleep(0)  # any await (a database call) lets other callbacks run
            balance = seen + 1  # write: based on what was read before the await

    await asyncio.gather(*(deposit() for _ in range(tasks)))
    return balance


def async_lost_update(tasks: int = 8, use_lock: bool = False, timeout_s: float = 10.0) -> dict[str, int]:
    """The lost update on an event loop: ``tasks`` asyncio tasks each read a balance,
    ``await`` once, and write back what they read plus one.

    Everything runs on one thread, and each callback runs to completion, yet the
    read-modify-write spans an ``await``: every task reads 0 before any of them writes
    (the loop runs ready tasks in the order they became ready, so the outcome is the
    same on every run). With an ``asyncio.Lock`` around the three steps nothing is lost.

    Parameters
    ----------
    tasks : whole number in [2, :data:`MAX_UPDATE_TASKS`].
    use_lock : hold an ``asyncio.Lock`` from the read to the write.
    timeout_s : bound on the whole run, seconds in (0, 300].

    Returns
    -------
    ``{"expected": tasks, "final": balance, "lost": expected - final}``.

    >>> async_lost_update(4)
    {'expected': 4, 'final': 1, 'lost': 3}
    >>> async_lost_update(4, use_lock=True)
    {'expected': 4, 'final': 4, 'lost': 0}
    """
    n = count("tasks", tasks, MAX_UPDATE_TASKS, low=2)
    t_max = number("timeout_s", timeout_s, 0, 300, low_open=True)
    final = _run_loop_in_own_thread(_deposits(n, bool(use_lock)), t_max)
    return {"expected": n, "final": final, "lost": n - final}


def heartbeat_verdict(table: pd.DataFrame) -> str:
    """A short verdict on :func:`heartbeat_table`, computed from its numbers.

    Each variant's worst heartbeat delay is compared with that variant's own sort time
    (the machine's load changes how long a sort takes from one run to the next)."""
    rows = table.to_dict("index")
    lines = []
    for name in VARIANTS:
        row = rows[name]
        share = row["max_late_ms"] / row["sort_ms"] if row["sort_ms"] > 0 else float("nan")
        head = f"{name}: heartbeat up to {row['max_late_ms']:.0f} ms late during a {row['sort_ms']:.0f} ms sort ({share:.0%})"
        if share > 0.5:
            why = {VARIANTS[0]: "the loop could not run while it sorted",
                   VARIANTS[1]: "the sort holds the interpreter lock, so the loop's thread waits for it",
                   VARIANTS[2]: "likely cause: a busy machine delayed the loop"}[name]
        else:
            why = "the loop kept running while the sort ran elsewhere"
        lines.append(f"{head}: {why}.")
    return "\n".join(lines)
