"""Threads, processes and pools measured on the reader's machine, honestly.

Three measurements back chapter 6, and each prints a verdict computed from its own
numbers:

* :func:`measure_overlap` times I/O-bound tasks on threads, and CPU-bound tasks on
  threads and on processes, for several pool sizes;
* :func:`measure_pool` times a thread pool whose tasks compute, then wait, against the
  sizing rule ``threads = cores (1 + W / C)``;
* :func:`measure_task_scale` starts many waiting asyncio tasks and many waiting OS
  threads, each in a fresh interpreter, and reports the time and memory per unit.

The method follows :mod:`scalelab.measure`: every pool is started and warmed before any
timing, the settings compared are timed in interleaved rounds (a burst of load from
elsewhere hits all of them alike), medians and spreads are reported, each timed batch
lasts tens of milliseconds or more, and the whole run has a hard deadline
(``timeout_s``). Every task's result is checked: a task that raises, or a worker process
that dies, makes the measurement raise :class:`MeasurementError` naming the cause,
instead of reporting a rate for work that never happened. A timed-out run does not wait
for the tasks still running: thread tasks see an abort flag and stop within a few
milliseconds, worker processes are terminated.

Sizes are capped (:data:`MAX_WORKERS`, :data:`MAX_TOTAL_WORKERS`, :data:`MAX_TASKS`,
:data:`MAX_TIMEOUT_S`, :data:`MAX_SCALE_TASKS`, :data:`MAX_SCALE_THREADS`) so that the
largest accepted call finishes in well under a minute on a small machine.

References
----------
- B. Goetz et al., *Java Concurrency in Practice*, Addison-Wesley, 2006, section 8.2.
- Python documentation, ``concurrent.futures`` and "Thread state and the global
  interpreter lock"; PEP 703, "Making the global interpreter lock optional in CPython".
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from typing import Any, Callable

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ._validate import in_range
from .measure import CpuCount, HostLoad, _terminate_executor, interleaved, load_average_1min, usable_cpus
from .parallel import burn
from .palette import TEMPLATE

__all__ = [
    "MeasurementError",
    "MAX_WORKERS",
    "MAX_TOTAL_WORKERS",
    "MAX_TASKS",
    "MAX_TIMEOUT_S",
    "MAX_SCALE_TASKS",
    "MAX_SCALE_THREADS",
    "gil_enabled",
    "measure_overlap",
    "overlap_verdict",
    "overlap_figure",
    "measure_pool",
    "pool_verdict",
    "pool_figure",
    "measure_task_scale",
    "task_scale_verdict",
]

#: Largest pool (threads or processes) any measurement starts.
MAX_WORKERS = 32
#: Largest sum of pool sizes one measurement keeps alive at once.
MAX_TOTAL_WORKERS = 64
#: Largest number of tasks in one timed batch.
MAX_TASKS = 256
#: Largest hard deadline (seconds) a measurement accepts; ``inf`` is refused.
MAX_TIMEOUT_S = 300.0
#: Most waiting asyncio tasks :func:`measure_task_scale` starts at once.
MAX_SCALE_TASKS = 200_000
#: Most waiting OS threads :func:`measure_task_scale` starts at once (a shared machine).
MAX_SCALE_THREADS = 2_000

_CHUNK = 5_000  # burn iterations between two looks at the abort flag


class MeasurementError(RuntimeError):
    """A measurement that could not be taken: a task raised or a worker died."""


def gil_enabled() -> bool:
    """True unless this is a free-threaded CPython (PEP 703) running without its lock."""
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else bool(check())


# --- Tasks (module level, so that processes can run them) -----------------------------


def _wait_task(abort: threading.Event | None, wait_s: float) -> float:
    """An I/O-bound task: it only waits (the wait releases the interpreter lock)."""
    if abort is None:
        time.sleep(wait_s)
    else:
        abort.wait(wait_s)
    return wait_s


def _burn_task(abort: threading.Event | None, iterations: int) -> int:
    """A CPU-bound task: pure-Python work, in chunks so that an abort is seen quickly."""
    left = int(iterations)
    while left > 0:
        if abort is not None and abort.is_set():
            raise MeasurementError("aborted")
        burn(min(left, _CHUNK))
        left -= _CHUNK
    return int(iterations)


def _process_burn_task(abort: None, iterations: int) -> int:
    """The CPU-bound task as a worker process runs it (looked up when each batch runs)."""
    return _burn_task(abort, iterations)


def _mixed_task(abort: threading.Event | None, iterations: int, wait_s: float) -> None:
    """Compute, then wait: a request that works and then calls a database."""
    _burn_task(abort, iterations)
    _wait_task(abort, wait_s)


def _iterations_for(seconds: float) -> int:
    """Burn iterations that take about ``seconds`` of CPU time here (best of three short
    runs, timed by this thread's CPU clock, so that a busy machine does not shorten them)."""
    n = 20_000
    best = min(_timed(lambda: burn(n)) for _ in range(3))
    return max(1, int(n * seconds / best))


def _timed(fn: Callable[[], Any]) -> float:
    start = time.thread_time()
    fn()
    return max(time.thread_time() - start, 1e-6)


# --- A pool that is started once, timed many times, and cleaned up on failure ---------


class _Deadline:
    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self.end = time.monotonic() + timeout_s

    def left(self, what: str) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"the measurement did not finish within timeout_s={self.timeout_s!r} s ({what})")
        return left


def _proc_cpu_s(pids: list[int]) -> float:
    """CPU seconds (user + system) used so far by the processes ``pids`` (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            return float("nan")
    return total / ticks


class _Pool:
    """A started pool of ``workers`` threads or processes.

    Each run also records the CPU time the pool used (all threads of this process, or
    the worker processes), so that a verdict can tell parallel computing (more than
    one CPU busy) from a larger share of a busy machine's one CPU.
    """

    def __init__(self, kind: str, workers: int, deadline: _Deadline) -> None:
        self.kind, self.workers, self.deadline = kind, workers, deadline
        self.log: dict[str, list[tuple[float, float]]] = {}
        self.abort = threading.Event() if kind == "threads" else None
        make = cf.ThreadPoolExecutor if kind == "threads" else cf.ProcessPoolExecutor
        self.executor = make(max_workers=workers)
        # start every worker before anything is timed (pools start workers lazily)
        self.run(_wait_task, [(0.05,)] * workers, "starting the pool")

    def run(self, fn: Callable[..., Any], args: list[tuple], what: str) -> float:
        """Run ``fn(abort, *a)`` for each ``a``; return the seconds taken. Every result
        is checked; a failure or the deadline force-closes the pool and raises."""
        try:
            left = self.deadline.left(what)
        except TimeoutError:
            self.close(force=True)
            raise
        cpu_start = self._cpu_s()
        start = time.perf_counter()
        try:
            futures = [self.executor.submit(fn, self.abort, *a) for a in args]
        except Exception as exc:  # a broken pool refuses new work
            self.close(force=True)
            raise MeasurementError(f"{what}: {self.workers} {self.kind} could not take tasks: {exc!r}") from exc
        done, pending = cf.wait(futures, timeout=left, return_when=cf.FIRST_EXCEPTION)
        elapsed = time.perf_counter() - start
        self.log.setdefault(what, []).append((elapsed, self._cpu_s() - cpu_start))
        failed = [f for f in done if f.exception() is not None]
        if failed:
            exc = failed[0].exception()
            self.close(force=True)
            raise MeasurementError(
                f"{what}: {len(failed)} of {len(args)} tasks on {self.workers} {self.kind} failed; "
                f"first cause: {exc!r}") from exc
        if pending:
            self.close(force=True)
            raise TimeoutError(f"{what}: {len(pending)} of {len(args)} tasks on {self.workers} {self.kind} "
                               f"still running at the deadline (timeout_s={self.deadline.timeout_s!r} s)")
        return elapsed

    def _cpu_s(self) -> float:
        if self.kind == "threads":
            return time.process_time()  # every thread of this process
        procs = getattr(self.executor, "_processes", None)
        return _proc_cpu_s(list(procs)) if isinstance(procs, dict) and procs else float("nan")

    def cpus_busy(self, what: str, skip: int = 1) -> list[float]:
        """CPU seconds per wall-clock second of each logged run of ``what`` (after ``skip`` warm-ups)."""
        return [cpu / wall for wall, cpu in self.log.get(what, [])[skip:] if wall > 0]

    def close(self, force: bool = False) -> None:
        """Shut down. With ``force``, do not wait: thread tasks are told to stop, worker
        processes are terminated."""
        if not force:
            self.executor.shutdown(wait=True)
            return
        if self.abort is not None:
            self.abort.set()
        _terminate_executor(self.executor)


class _Pools:
    """Pools keyed by (kind, workers), all closed on exit (forcibly after an error)."""

    def __init__(self, deadline: _Deadline) -> None:
        self.deadline = deadline
        self.pools: dict[tuple[str, int], _Pool] = {}

    def get(self, kind: str, workers: int) -> _Pool:
        key = (kind, workers)
        if key not in self.pools:
            self.pools[key] = _Pool(kind, workers, self.deadline)
        return self.pools[key]

    def __enter__(self) -> "_Pools":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        for pool in self.pools.values():
            pool.close(force=exc_type is not None)


def _check_sizes(name: str, sizes: list[int]) -> None:
    if len(set(sizes)) != len(sizes):
        raise ValueError(f"{name} must not repeat a size, got {sizes!r}")
    if sum(sizes) > MAX_TOTAL_WORKERS:
        raise ValueError(f"{name} must add up to at most {MAX_TOTAL_WORKERS} workers in all, got {sizes!r}")


def _paired_ratios(base: tuple[float, ...], other: tuple[float, ...]) -> np.ndarray:
    n = min(len(base), len(other))
    return np.asarray(base[:n]) / np.asarray(other[:n])


def _load_1min() -> float:
    """The 1-minute load average now, or NaN where the platform has none."""
    load = load_average_1min()
    return float("nan") if load is None else load


def _load_note(load_1min: float | None = None) -> str:
    one = _load_1min() if load_1min is None else load_1min
    return f"load average {one:.2f}" if np.isfinite(one) else "load average unknown"


# --- Threads versus processes ----------------------------------------------------------

WORKLOADS = ("I/O-bound on threads", "CPU-bound on threads", "CPU-bound on processes")


def measure_overlap(
    workers: ArrayLike = (1, 2, 4, 8),
    io_tasks: int = 16,
    io_wait_s: float = 0.02,
    cpu_tasks: int = 8,
    cpu_task_s: float = 0.05,
    timeout_s: float = 120.0,
    *,
    repeats: int = 5,
    budget_s: float = 20.0,
) -> pd.DataFrame:
    """Time I/O-bound tasks on threads, and CPU-bound tasks on threads and on processes.

    Each timed unit runs a fixed batch of tasks on an already started pool of ``w``
    workers. The three workloads at every pool size are timed in interleaved rounds
    (:func:`scalelab.measure.interleaved`: one warm-up run each, then up to ``repeats``
    rounds, no new round after ``budget_s``). Speedup is the one-worker time over the
    ``w``-worker time, taken within each round and summarized by its median and range.

    Parameters
    ----------
    workers : pool sizes to try, distinct whole numbers in [1, :data:`MAX_WORKERS`],
        adding up to at most :data:`MAX_TOTAL_WORKERS`; the first is the baseline.
    io_tasks, io_wait_s : I/O-bound tasks per batch, in [1, :data:`MAX_TASKS`], each
        waiting ``io_wait_s`` seconds, in (0, 0.2].
    cpu_tasks, cpu_task_s : CPU-bound tasks per batch, in [1, :data:`MAX_TASKS`], each a
        pure-Python loop of about ``cpu_task_s`` seconds, in (0, 0.2].
    timeout_s : hard deadline on the whole measurement, in (0, :data:`MAX_TIMEOUT_S`]:
        past it, ``TimeoutError`` (running tasks are stopped, not waited for).
    repeats : interleaved rounds at most, in [3, 50].
    budget_s : no new round starts after this many seconds, in (0, ``timeout_s``].

    Returns
    -------
    DataFrame with ``workload``, ``workers``, ``seconds`` (median), ``min_s``,
    ``max_s``, ``speedup`` (median), ``speedup_low``, ``speedup_high``, ``runs`` and
    ``ideal`` (the speedup this machine could give: the pool size for waits; the usable
    CPUs, the tasks and the pool for processes; 1 for CPU-bound threads under the
    interpreter lock) and ``cpus_busy`` (median CPU seconds the pool used per second of
    the batch: above 1 only if it computed in parallel; NaN where the OS does not say).
    ``attrs`` holds the CPU count, the timing summary and the load.

    Raises
    ------
    MeasurementError
        A task raised or a worker process died (the cause is chained).
    TimeoutError
        The measurement passed ``timeout_s``.
    """
    ws = [int(w) for w in np.atleast_1d(in_range("workers", workers, 1, MAX_WORKERS, integer=True)).ravel()]
    if not ws:
        raise ValueError("workers must name at least one pool size, got []")
    _check_sizes("workers", ws)
    n_io = int(in_range("io_tasks", io_tasks, 1, MAX_TASKS, integer=True, max_ndim=0))
    wait = float(in_range("io_wait_s", io_wait_s, 0, 0.2, low_open=True, max_ndim=0))
    n_cpu = int(in_range("cpu_tasks", cpu_tasks, 1, MAX_TASKS, integer=True, max_ndim=0))
    work = float(in_range("cpu_task_s", cpu_task_s, 0, 0.2, low_open=True, max_ndim=0))
    t_max = float(in_range("timeout_s", timeout_s, 0, MAX_TIMEOUT_S, low_open=True, max_ndim=0))
    rounds = int(in_range("repeats", repeats, 3, 50, integer=True, max_ndim=0))
    budget = float(in_range("budget_s", budget_s, 0, t_max, low_open=True, max_ndim=0))
    deadline = _Deadline(t_max)
    cpus = usable_cpus()
    iterations = _iterations_for(work)
    with _Pools(deadline) as pools:
        settings: dict[tuple[str, int], Callable[[], float]] = {}
        for w in ws:
            threads, processes = pools.get("threads", w), pools.get("processes", w)
            settings[(WORKLOADS[0], w)] = lambda p=threads: p.run(_wait_task, [(wait,)] * n_io, WORKLOADS[0])
            settings[(WORKLOADS[1], w)] = lambda p=threads: p.run(_burn_task, [(iterations,)] * n_cpu, WORKLOADS[1])
            settings[(WORKLOADS[2], w)] = lambda p=processes: p.run(_process_burn_task, [(iterations,)] * n_cpu, WORKLOADS[2])
        timings = interleaved(settings, repeats=rounds, warmup=1, budget_s=budget, min_repeats=3)
        deadline.left("after the last round")
        busy = {(name, w): pools.get("processes" if name == WORKLOADS[2] else "threads", w).cpus_busy(name)
                for name in WORKLOADS for w in ws}
    rows = []
    for name in WORKLOADS:
        base = timings.samples[(name, ws[0])]
        for w in ws:
            samples = timings.samples[(name, w)]
            ratios = _paired_ratios(base, samples)
            tasks = n_io if name == WORKLOADS[0] else n_cpu
            if name == WORKLOADS[0]:
                ideal = min(w, tasks) / min(ws[0], tasks)
            elif name == WORKLOADS[1]:
                ideal = 1.0 if gil_enabled() else min(w, cpus.usable, tasks) / min(ws[0], cpus.usable, tasks)
            else:
                ideal = min(w, cpus.usable, tasks) / min(ws[0], cpus.usable, tasks)
            rows.append({"workload": name, "workers": w, "seconds": statistics.median(samples),
                         "min_s": min(samples), "max_s": max(samples), "speedup": float(np.median(ratios)),
                         "speedup_low": float(ratios.min()), "speedup_high": float(ratios.max()),
                         "runs": len(samples), "ideal": ideal,
                         "cpus_busy": float(np.median(busy[(name, w)])) if busy[(name, w)] else float("nan")})
    table = pd.DataFrame(rows)
    table.attrs.update({"cpus": str(cpus), "usable_cpus": cpus.usable, "timings": str(timings),
                        "load": _load_note(), "gil": gil_enabled()})
    return table


def overlap_verdict(measured: pd.DataFrame) -> str:
    """A short verdict on :func:`measure_overlap`'s table, computed from its numbers."""
    top = int(measured["workers"].max())
    row = measured.set_index(["workload", "workers"])
    lines = [f"{measured.attrs.get('cpus', 'usable CPUs: unknown')}; {measured.attrs.get('load', '')}",
             f"timing: {measured.attrs.get('timings', '')}"]
    io = row.loc[(WORKLOADS[0], top)]
    share = io["speedup"] / io["ideal"]
    lines.append(
        f"I/O-bound on threads: {io['speedup']:.2f}x on {top} threads (ideal {io['ideal']:.0f}x): "
        + ("the waits overlap." if share >= 0.6 else
           "less overlap than ideal; likely cause: a busy machine delays the threads' wake-ups.")
        + (f" (Above the ideal: noise, not a gain. Each wake-up is late by a varying amount, more on a busy "
           f"machine, and a ratio of two batch times carries that noise; the rounds ranged from "
           f"{io['speedup_low']:.2f}x to {io['speedup_high']:.2f}x.)" if share > 1.02 else ""))
    cpu_t = row.loc[WORKLOADS[1]]
    best_t = float(cpu_t["speedup"].max())
    busy_t = float(cpu_t["cpus_busy"].max()) if "cpus_busy" in cpu_t else float("nan")
    busy_1 = float(cpu_t["cpus_busy"].iloc[0]) if "cpus_busy" in cpu_t else float("nan")
    if measured.attrs.get("gil", True):
        lines.append("this CPython has the global interpreter lock (not a free-threaded build).")
        if not np.isfinite(busy_t):
            how = ""
        elif busy_t <= 1.15:
            how = f" The threads never kept more than {busy_t:.2f} CPUs busy: no parallel computing."
        else:
            how = f" The threads kept {busy_t:.2f} CPUs busy: unexpected under the lock."
        if best_t < 1.25:
            lines.append(f"CPU-bound on threads: best {best_t:.2f}x: no real gain, as the interpreter lock "
                         f"predicts (one thread runs Python at a time).{how}")
        elif np.isfinite(busy_t) and busy_t <= 1.15:
            lines.append(f"CPU-bound on threads: best {best_t:.2f}x in wall-clock time, but not from parallelism."
                         f"{how} The one-thread pool got only {busy_1:.2f} of a CPU on this busy machine; "
                         "more threads won a larger share of the contended CPU from the OS scheduler.")
        else:
            lines.append(f"CPU-bound on threads: best {best_t:.2f}x: more than the interpreter lock allows; likely "
                         f"cause: other load slowed the one-thread baseline (see the spread).{how}")
    else:
        lines.append(f"CPU-bound on threads: best {best_t:.2f}x on a free-threaded build (no interpreter lock).")
    cpu_p = row.loc[WORKLOADS[2]]
    best_w = int(cpu_p["speedup"].idxmax())
    best_p, ideal_p = float(cpu_p["speedup"].max()), float(cpu_p["ideal"].max())
    busy_p = float(cpu_p["cpus_busy"].max()) if "cpus_busy" in cpu_p else float("nan")
    if best_p >= 0.75 * ideal_p or ideal_p <= 1:
        cause = ""
    elif np.isfinite(busy_p) and busy_p >= 0.75 * ideal_p:
        cause = (f" Below the usable CPUs although the processes got {busy_p:.2f} CPUs' time: each CPU did less "
                 "work, as when two hardware threads (SMT) share one core or the clock runs slower with more "
                 "cores busy.")
    else:
        cause = " Below the usable CPUs; likely cause: other processes share the cores (a busy machine)."
    parallel = best_p >= 1.25 and (busy_p > 1.15 if np.isfinite(busy_p) else best_p >= 0.75 * ideal_p)
    if best_p > 1.1 * ideal_p and ideal_p >= 1:
        # more than the usable CPUs allow: the baseline got less than a CPU, and more
        # processes won a larger share of a contended machine
        base = float(cpu_p["cpus_busy"].iloc[0]) if "cpus_busy" in cpu_p else float("nan")
        parallel = False
        cause = (f" Above what {ideal_p:.0f} CPUs allow: "
                 + (f"the one-process baseline got only {base:.2f} of a CPU, so " if np.isfinite(base) else "")
                 + "more processes also won a larger share of a busy machine; the speedup is not all parallelism.")
    elif np.isfinite(busy_p) and busy_p <= 1.15 and ideal_p > 1:
        cause = (f" In all they kept no more than about one CPU busy (at most {busy_p:.2f}), so this run cannot tell parallel "
                 "computing from a larger share of a busy machine (several processes can take slices of "
                 "several cores at once); on free cores they could approach the usable CPUs.")
    lines.append(
        f"CPU-bound on processes: best {best_p:.2f}x (at {best_w} worker{'s' if best_w > 1 else ''}); this machine allows "
        f"{ideal_p:.0f}x ({measured.attrs.get('usable_cpus', '?')} usable CPUs)."
        + (f" The processes kept up to {busy_p:.2f} CPUs busy." if np.isfinite(busy_p) else "")
        + (" Processes computed in parallel." if parallel else "")
        + (" One usable CPU: no parallel speedup is possible here." if ideal_p <= 1 else "")
        + cause)
    return "\n".join(lines)


def overlap_figure(measured: pd.DataFrame):
    """Measured speedup of each workload against the pool size, with its range, as a figure."""
    import plotly.graph_objects as go

    from .explorer import show

    top = int(measured["workers"].max())
    traces = []
    for name, g in measured.groupby("workload", sort=False):
        traces.append(go.Scatter(
            x=g["workers"], y=g["speedup"], mode="markers+lines", name=name,
            error_y={"type": "data", "symmetric": False, "array": g["speedup_high"] - g["speedup"],
                     "arrayminus": g["speedup"] - g["speedup_low"]}))
    traces.append(go.Scatter(x=np.arange(1, top + 1), y=np.arange(1, top + 1), name="ideal", mode="lines",
                             line={"dash": "dot", "color": "grey"}))
    fig = go.Figure(traces, {
        "title": {"text": f"Speedup on this machine ({measured.attrs.get('usable_cpus', '?')} usable CPUs); "
                          "median and range of the rounds"},
        "xaxis": {"title": {"text": "workers in the pool"}, "type": "log", "tickvals": sorted(set(measured["workers"]))},
        "yaxis": {"title": {"text": "speedup"}, "rangemode": "tozero"},
        "template": TEMPLATE, "height": 420,
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
    })
    return show(fig)


# --- A measured pool -------------------------------------------------------------------


def measure_pool(
    threads: ArrayLike = (1, 2, 3, 4, 5, 6, 8),
    tasks: int = 20,
    compute_s: float = 0.01,
    wait_s: float = 0.04,
    timeout_s: float = 120.0,
    *,
    repeats: int = 5,
    budget_s: float = 25.0,
) -> pd.DataFrame:
    """Throughput of a thread pool running tasks that compute, then wait.

    In CPython with the interpreter lock only one thread runs Python code at a time, so
    a thread pool has one effective core for the compute part: the sizing rule predicts
    its best size at ``pool_size(1, wait_s, compute_s)``. Besides the pool sizes, the
    rounds time one task's compute alone on a single thread, so the model can also be
    drawn with the compute time this (perhaps busy) machine really gave.

    Parameters
    ----------
    threads : pool sizes, distinct whole numbers in [1, :data:`MAX_WORKERS`] adding up to
        at most :data:`MAX_TOTAL_WORKERS`.
    tasks : tasks per timed batch, in [1, :data:`MAX_TASKS`].
    compute_s, wait_s : per task, seconds, in (0, 0.2] and [0, 0.5].
    timeout_s : hard deadline on the whole measurement, in (0, :data:`MAX_TIMEOUT_S`].
    repeats, budget_s : as in :func:`measure_overlap`.

    Returns
    -------
    DataFrame with ``threads``, ``seconds`` (median), ``throughput_per_s`` (tasks over the
    median time), ``low_per_s`` and ``high_per_s`` (from the slowest and fastest round),
    ``model_per_s`` (:func:`scalelab.concurrency.pool_throughput_per_s`, one core, nominal
    compute), ``model_measured_per_s`` (the same with the measured CPU time of one task's
    compute, ``attrs["compute_s_measured"]``; its wall-clock time alone is
    ``attrs["compute_wall_s"]``; the 1-minute load average at the end of the
    measurement is ``attrs["load_1min"]``, NaN where unknown), ``model_batch_per_s``
    (the best a batch of ``tasks`` can do:
    ``tasks / max(ceil(tasks / threads) (W + C), tasks C + W)``, since the last task's wait
    overlaps nothing) and ``cpus_busy`` (CPU seconds per second the pool used).

    Raises
    ------
    MeasurementError, TimeoutError
        As in :func:`measure_overlap`: every task's result is checked.
    """
    from .concurrency import pool_throughput_per_s

    ts = [int(t) for t in np.atleast_1d(in_range("threads", threads, 1, MAX_WORKERS, integer=True)).ravel()]
    if not ts:
        raise ValueError("threads must name at least one pool size, got []")
    _check_sizes("threads", ts)
    n = int(in_range("tasks", tasks, 1, MAX_TASKS, integer=True, max_ndim=0))
    c = float(in_range("compute_s", compute_s, 0, 0.2, low_open=True, max_ndim=0))
    w = float(in_range("wait_s", wait_s, 0, 0.5, max_ndim=0))
    t_max = float(in_range("timeout_s", timeout_s, 0, MAX_TIMEOUT_S, low_open=True, max_ndim=0))
    rounds = int(in_range("repeats", repeats, 3, 50, integer=True, max_ndim=0))
    budget = float(in_range("budget_s", budget_s, 0, t_max, low_open=True, max_ndim=0))
    deadline = _Deadline(t_max)
    iterations = _iterations_for(c)
    calibration_tasks = max(1, round(0.05 / c))  # a timed unit of about 50 ms
    with _Pools(deadline) as pools:
        settings: dict[Any, Callable[[], float]] = {
            "compute alone": lambda p=pools.get("threads", 1): p.run(
                _burn_task, [(iterations,)] * calibration_tasks, "compute alone")}
        for t in ts:
            settings[t] = lambda p=pools.get("threads", t): p.run(
                _pool_task, [(iterations, w)] * n, f"pool of {p.workers}")
        timings = interleaved(settings, repeats=rounds, warmup=1, budget_s=budget, min_repeats=3)
        deadline.left("after the last round")
        alone = pools.get("threads", 1).log["compute alone"][1:]
        busy = {t: pools.get("threads", t).cpus_busy(f"pool of {t}") for t in ts}
    c_wall = timings.median("compute alone") / calibration_tasks
    cpu_per_task = [cpu / calibration_tasks for _, cpu in alone]
    c_measured = float(np.median(cpu_per_task)) if cpu_per_task and np.median(cpu_per_task) > 0 else c_wall
    rows = []
    for t in ts:
        samples = timings.samples[t]
        rows.append({"threads": t, "seconds": statistics.median(samples), "throughput_per_s": n / statistics.median(samples),
                     "low_per_s": n / max(samples), "high_per_s": n / min(samples), "runs": len(samples),
                     "cpus_busy": float(np.median(busy[t])) if busy[t] else float("nan")})
    table = pd.DataFrame(rows)
    table["model_per_s"] = pool_throughput_per_s(table["threads"].to_numpy(), 1, w, c)
    table["model_measured_per_s"] = pool_throughput_per_s(table["threads"].to_numpy(), 1, w, c_measured)
    # a finite batch cannot beat its own ends: the last task's wait overlaps nothing
    rounds_needed = np.ceil(n / table["threads"].to_numpy())
    table["model_batch_per_s"] = n / np.maximum(rounds_needed * (w + c_measured), n * c_measured + w)
    cpus = usable_cpus()
    load = _load_1min()  # recorded with the measurement: the verdict judges the machine by this number
    table.attrs.update({"compute_s": c, "wait_s": w, "compute_s_measured": c_measured,
                        "compute_wall_s": c_wall, "timings": str(timings),
                        "cpus": str(cpus), "usable_cpus": cpus.usable, "cpu_affinity": cpus.affinity,
                        "cpu_quota": cpus.quota, "host_cpus": os.cpu_count() or cpus.affinity, "load_1min": load,
                        "load": _load_note(load), "gil": gil_enabled()})
    return table


def _pool_task(abort: threading.Event | None, iterations: int, wait_s: float) -> None:
    """The pool's task (looked up when each batch runs)."""
    _mixed_task(abort, iterations, wait_s)


#: A peak at or above this share of what the batch allows counts as reaching it; a gap of
#: 10% (8 tasks/s on the chapter's figure) is wider than the rounds' usual spread there.
POOL_NEAR_BOUND = 0.9
#: A larger pool counts as doing better than the rule's size only when its median is at
#: least this much higher and the two settings' ranges over the rounds do not overlap.
POOL_CLEAR_GAIN = 0.1


def _pool_bound_ending(peak_row: pd.Series, c_m: float, host: HostLoad, share_alone: float) -> str:
    """The peak against what a batch allows at its size, and if short, the likely cause."""
    peak, batch = float(peak_row["throughput_per_s"]), float(peak_row["model_batch_per_s"])
    if peak >= POOL_NEAR_BOUND * batch:
        return (f"the peak is within {1 - POOL_NEAR_BOUND:.0%} of that bound: this pool did what one effective core "
                "allows a batch of this size.")
    text = f"the peak is {batch - peak:.0f} tasks/s ({1 - peak / batch:.0%}) short of that bound."
    busy = float(peak_row.get("cpus_busy", float("nan")))
    if np.isfinite(busy) and busy > 0:
        cpu_per_task, need = busy / peak, batch * c_m
        text += (f" The pool used {cpu_per_task * 1e3:.1f} ms of CPU per task ({c_m * 1e3:.1f} ms alone) and kept "
                 f"{busy:.2f} CPUs busy, where the bound needs {need:.2f}")
        text += (": the gap is mostly CPU time the pool did not get." if cpu_per_task <= 1.1 * c_m else
                 ": each task also cost more CPU in the pool (switching between threads).")
    # A lone task that got clearly less than a whole CPU waited for one: direct evidence of
    # contention, whatever the load says; a quota matters only then (under the lock a pool
    # uses at most one CPU, so it cannot reach a quota of one CPU or more by itself).
    waited = share_alone < POOL_NEAR_BOUND
    causes = [c for c in host.causes() if waited or c.startswith("the host is busy")]
    if waited and not causes:
        causes = [f"other work took CPU time although the load average was not above the host's CPUs ({host})"
                  if host.load is not None else
                  "other work took CPU time (the load average is unknown, but a lone task waited for a CPU)"]
    if causes:
        return text + (f" Likely cause: {'; and '.join(causes)}. One task alone got {share_alone:.0%} of a CPU"
                       + (", so waking threads also waited for a CPU." if waited else
                          " (the load includes this measurement)."))
    if host.load is None:
        return text + (f" One task alone got {share_alone:.0%} of a CPU, but the load average is unknown, so the "
                       "run cannot tell a busy machine from a quiet one.")
    return text + (f" One task alone got {share_alone:.0%} of a CPU and the load average was not above the "
                   f"host's CPUs ({host}), so the likely cause is "
                   "the hand-offs: each time a thread wakes from its wait or takes the interpreter lock over, the "
                   "operating system needs a moment to run it, and meanwhile no thread computes.")


def _pool_rule_ending(measured: pd.DataFrame, peak_row: pd.Series, rule: float, w: float, c_m: float) -> str:
    """What the rule's own pool size got against its bound, and whether more threads did better."""
    at_rule = measured[measured["threads"] == rule]
    if at_rule.empty:
        return f"the rule's size, {rule:g} threads, was not measured."
    r = at_rule.iloc[0]
    size, best = int(r["threads"]), int(peak_row["threads"])
    r_tp, r_bound = float(r["throughput_per_s"]), float(r["model_batch_per_s"])
    share = r_tp / r_bound
    text = (f"at the rule's own size, {size} threads, the pool did {r_tp:.0f} tasks/s, {share:.0%} of the "
            f"{r_bound:.0f} a batch allows there")
    gain = float(peak_row["throughput_per_s"]) / r_tp - 1 if best > size else 0.0
    clear = gain >= POOL_CLEAR_GAIN and (float(peak_row.get("low_per_s", np.inf)) > float(r.get("high_per_s", -np.inf)))
    if best <= size:
        text += "; no larger pool did better"
    elif clear:
        text += (f"; {best} threads did {gain:.0%} more (their ranges over the rounds do not overlap), so this run "
                 "needed more threads than the rule gives")
        one = measured[measured["threads"] == 1]
        if not one.empty:
            cycle = 1 / float(one.iloc[0]["throughput_per_s"])
            if cycle > 1.05 * (w + c_m):
                text += (f": one thread took {cycle * 1e3:.0f} ms per task, not W + C = {(w + c_m) * 1e3:.0f} ms, "
                         "so each task held its thread longer than the rule assumes")
    elif gain >= POOL_CLEAR_GAIN:
        text += (f"; {best} threads measured {gain:.0%} more, but their ranges over the rounds overlap, so the run "
                 "cannot tell whether more threads helped")
    else:
        text += f"; more threads added {gain:.0%}"
    if clear or gain >= POOL_CLEAR_GAIN:  # the larger pool's gain, clear or not, was said above
        return text + "."
    if share >= POOL_NEAR_BOUND:
        return text + ": the rule's size was enough here."
    return text + ": what was short was CPU time, not threads."


def pool_verdict(measured: pd.DataFrame) -> str:
    """A short verdict on :func:`measure_pool`'s table, computed from its numbers.

    It ends with two findings: the peak against the most a batch of this size allows at
    its pool size (near it; or short of it, with the CPU the pool used and the likely
    cause: a load average above the host's CPUs or a cgroup CPU quota, or hand-offs on a
    quiet machine), and
    what the rule's own pool size got against its bound, and whether a larger pool did
    clearly better. The load is the one recorded with the measurement
    (``attrs["load_1min"]``), not the load when the verdict is printed.
    """
    from .concurrency import pool_size

    c, w = measured.attrs["compute_s"], measured.attrs["wait_s"]
    c_m = measured.attrs["compute_s_measured"]
    c_wall = measured.attrs.get("compute_wall_s", c_m)
    load = float(measured.attrs.get("load_1min", float("nan")))
    cpus = int(measured.attrs.get("usable_cpus") or usable_cpus().usable)
    peak_row = measured.loc[measured["throughput_per_s"].idxmax()]
    best, peak = int(peak_row["threads"]), float(peak_row["throughput_per_s"])
    rule = pool_size(1, w, c)
    lines = [f"{measured.attrs.get('cpus', '')}; {measured.attrs.get('load', '')}",
             f"timing: {measured.attrs.get('timings', '')}",
             f"rule: 1 x (1 + {w * 1e3:g}/{c * 1e3:g}) = {rule:g} threads; ceiling 1/C = {1 / c:.0f} tasks/s nominal.",
             f"one task's compute used {c_m * 1e3:.1f} ms of CPU (nominal {c * 1e3:g} ms) and took "
             f"{c_wall * 1e3:.1f} ms of wall-clock time alone: the thread got {c_m / c_wall:.0%} of a CPU."]
    busy = float(peak_row.get("cpus_busy", float("nan")))
    lines.append(f"measured peak {peak:.0f} tasks/s at {best} threads; the model with the measured CPU time "
                 f"allows {1 / c_m:.0f}." + (f" The pool kept {busy:.2f} CPUs busy there (at most 1 under the "
                                             "interpreter lock)." if np.isfinite(busy) else ""))
    small = measured[measured["threads"] < rule]
    if len(small) >= 1:
        first = small.iloc[0]
        lines.append(f"below the knee: {first['threads']:.0f} thread(s) give {first['throughput_per_s']:.0f} tasks/s "
                     f"(model {first['model_measured_per_s']:.0f}).")
    batch = float(peak_row["model_batch_per_s"])
    lines.append(f"a batch of this size can reach at most {batch:.0f} tasks/s at {best} threads (its last wait "
                 f"overlaps nothing): the peak is {peak / batch:.0%} of that.")
    quota = measured.attrs.get("cpu_quota")
    host = HostLoad(load=load if np.isfinite(load) else None,
                    host_cpus=int(measured.attrs.get("host_cpus") or cpus),
                    cpus=CpuCount(affinity=int(measured.attrs.get("cpu_affinity") or cpus),
                                  quota=None if quota is None else float(quota), usable=cpus))
    lines.append(_pool_bound_ending(peak_row, c_m, host, c_m / c_wall))
    lines.append(_pool_rule_ending(measured, peak_row, rule, w, c_m))
    return "\n".join(lines)


def pool_figure(measured: pd.DataFrame, compute_s: float | None = None, wait_s: float | None = None):
    """Measured pool throughput (median and range) beside the model and the rule's pool size."""
    import plotly.graph_objects as go

    from .concurrency import pool_size, pool_throughput_per_s
    from .explorer import show

    c = float(measured.attrs.get("compute_s", 0.01) if compute_s is None else compute_s)
    w = float(measured.attrs.get("wait_s", 0.04) if wait_s is None else wait_s)
    best = pool_size(1, w, c)
    t = np.arange(1, int(measured["threads"].max()) + 1)
    model = pool_throughput_per_s(t, 1, w, c)
    traces = [
        go.Scatter(x=measured["threads"], y=measured["throughput_per_s"], mode="markers+lines", name="measured",
                   error_y={"type": "data", "symmetric": False,
                            "array": measured["high_per_s"] - measured["throughput_per_s"],
                            "arrayminus": measured["throughput_per_s"] - measured["low_per_s"]}
                   if "high_per_s" in measured else None),
        go.Scatter(x=t, y=model, name="model, one effective core", line={"dash": "dash"}),
    ]
    if "compute_s_measured" in measured.attrs:
        c_m = measured.attrs["compute_s_measured"]
        traces.append(go.Scatter(x=t, y=pool_throughput_per_s(t, 1, w, c_m), name="model, measured CPU per task",
                                 line={"dash": "dashdot"}))
    traces.append(go.Scatter(x=[best, best], y=[0, float(model.max()) * 1.1], mode="lines",
                             name=f"rule: 1 x (1 + W/C) = {best:g} threads", line={"dash": "dot", "color": "grey"}))
    fig = go.Figure(traces, {
        "title": {"text": f"A thread pool: tasks compute {c * 1e3:g} ms, then wait {w * 1e3:g} ms"},
        "xaxis": {"title": {"text": "threads in the pool"}, "dtick": 1},
        "yaxis": {"title": {"text": "tasks per second"}, "rangemode": "tozero"},
        "template": TEMPLATE, "height": 420,
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
    })
    return show(fig)


# --- How many can wait at once: asyncio tasks against OS threads -------------------------

_SCALE_SCRIPT = r"""
import asyncio, json, sys, threading, time

def status():
    try:
        fields = dict(line.split(":", 1) for line in open("/proc/self/status"))
        return int(fields["VmRSS"].split()[0]), int(fields["VmSize"].split()[0])
    except (OSError, KeyError, ValueError):
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, 0

kind, n = sys.argv[1], int(sys.argv[2])
rss0, vm0 = status()
if kind == "threads":
    go = threading.Event()
    start = time.perf_counter()
    threads = [threading.Thread(target=go.wait, args=(30,), daemon=True) for _ in range(n)]
    for t in threads:
        t.start()
    started = time.perf_counter() - start
    rss1, vm1 = status()
    go.set()
    for t in threads:
        t.join(30)
    alive = sum(t.is_alive() for t in threads)
else:
    async def main():
        go = asyncio.Event()
        start = time.perf_counter()
        tasks = [asyncio.ensure_future(go.wait()) for _ in range(n)]
        await asyncio.sleep(0)  # every task has run up to its wait
        started = time.perf_counter() - start
        rss1, vm1 = status()
        go.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 30)
        return started, rss1, vm1
    started, rss1, vm1 = asyncio.run(main())
    alive = 0
print(json.dumps({"started_s": started, "rss_kib": rss1 - rss0, "vm_kib": vm1 - vm0, "alive": alive}))
"""


def _run_scale(kind: str, n: int, timeout_s: float) -> dict[str, float]:
    try:
        done = subprocess.run([sys.executable, "-c", _SCALE_SCRIPT, kind, str(n)], capture_output=True,
                              text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired as exc:  # subprocess.run kills the child
        raise TimeoutError(f"{n} {kind} did not finish within {timeout_s:.1f} s") from exc
    if done.returncode != 0:
        raise MeasurementError(f"starting {n} {kind} failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    if out["alive"]:
        raise MeasurementError(f"{out['alive']} of {n} threads did not end")
    return out


def measure_task_scale(
    tasks: ArrayLike = (1_000, 10_000, 100_000),
    threads: ArrayLike = (500, 1_000, 2_000),
    repeats: int = 3,
    timeout_s: float = 120.0,
) -> pd.DataFrame:
    """Start many waiting asyncio tasks, and many waiting OS threads, and compare the cost.

    Each run is a fresh interpreter (so memory is measured from a clean start) that
    starts ``n`` tasks or threads which all wait on one event, reads its resident memory
    (``VmRSS``) and its reserved address space (``VmSize``) once all have started, then
    releases them and checks that every one finished. The runs of all settings are
    interleaved, ``repeats`` rounds, and the median of each figure is reported.

    Parameters
    ----------
    tasks : asyncio task counts, whole numbers in [1, :data:`MAX_SCALE_TASKS`].
    threads : OS thread counts, whole numbers in [1, :data:`MAX_SCALE_THREADS`].
    repeats : rounds, in [1, 9].
    timeout_s : hard deadline on the whole measurement, in (0, :data:`MAX_TIMEOUT_S`].

    Returns
    -------
    DataFrame with ``kind``, ``count``, ``start_us_each`` (microseconds to start one),
    ``rss_kib_each`` (resident memory per unit, KiB), ``reserved_kib_each`` (address
    space reserved per unit, KiB: a thread's stack) and ``runs``.
    """
    ns_task = [int(x) for x in np.atleast_1d(in_range("tasks", tasks, 1, MAX_SCALE_TASKS, integer=True)).ravel()]
    ns_thread = [int(x) for x in np.atleast_1d(in_range("threads", threads, 1, MAX_SCALE_THREADS, integer=True)).ravel()]
    rounds = int(in_range("repeats", repeats, 1, 9, integer=True, max_ndim=0))
    deadline = _Deadline(float(in_range("timeout_s", timeout_s, 0, MAX_TIMEOUT_S, low_open=True, max_ndim=0)))
    settings = [("asyncio tasks", n) for n in ns_task] + [("OS threads", n) for n in ns_thread]
    results: dict[tuple[str, int], list[dict]] = {s: [] for s in settings}
    for r in range(rounds):
        shift = r % len(settings)
        for kind, n in settings[shift:] + settings[:shift]:
            what = "threads" if kind == "OS threads" else "tasks"
            results[(kind, n)].append(_run_scale(what, n, deadline.left(f"{n} {kind}")))
    rows = []
    for (kind, n), runs in results.items():
        rows.append({"kind": kind, "count": n,
                     "start_us_each": statistics.median(x["started_s"] for x in runs) / n * 1e6,
                     "rss_kib_each": statistics.median(x["rss_kib"] for x in runs) / n,
                     "reserved_kib_each": statistics.median(x["vm_kib"] for x in runs) / n,
                     "runs": len(runs)})
    return pd.DataFrame(rows).set_index(["kind", "count"])


def task_scale_verdict(measured: pd.DataFrame) -> str:
    """Compare the per-unit costs of :func:`measure_task_scale` and extrapolate to 100,000."""
    tasks = measured.loc["asyncio tasks"]
    threads = measured.loc["OS threads"]
    t_row, h_row = tasks.iloc[-1], threads.iloc[-1]
    lines = [
        f"asyncio task ({tasks.index[-1]:,} at once): {t_row['rss_kib_each']:.1f} KiB resident, "
        f"{t_row['start_us_each']:.1f} us to start.",
        f"OS thread ({threads.index[-1]:,} at once): {h_row['rss_kib_each']:.1f} KiB resident, "
        f"{h_row['reserved_kib_each']:,.0f} KiB of address space reserved, {h_row['start_us_each']:.1f} us to start.",
    ]
    if t_row["rss_kib_each"] > 0:
        lines.append(f"per unit, a thread costs {h_row['rss_kib_each'] / t_row['rss_kib_each']:.1f}x the resident "
                     f"memory and {h_row['start_us_each'] / t_row['start_us_each']:.1f}x the start time of a task.")
    lines.append(
        f"100,000 at these rates: tasks {t_row['rss_kib_each'] * 1e5 / 2**20:.2f} GiB resident; threads "
        f"{h_row['rss_kib_each'] * 1e5 / 2**20:.2f} GiB resident and "
        f"{h_row['reserved_kib_each'] * 1e5 / 2**20:,.0f} GiB of address space (threads are capped at "
        f"{MAX_SCALE_THREADS:,} here, so that figure is extrapolated).")
    return "\n".join(lines)
