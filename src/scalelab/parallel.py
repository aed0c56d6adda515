"""Measuring speedup for real: one CPU-bound job split over 1..k worker processes.

The job has a serial part, run in the parent process, and a parallel part split into
equal chunks, one per worker. Workers are processes (not threads) so that Python's
global interpreter lock does not serialize them; they live in this importable module
because process pools must be able to import the function they run.

Everything is bounded: the job is calibrated to a few hundred milliseconds on one core,
and each run has a timeout.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import time

import numpy as np
import pandas as pd

from . import amdahl
from ._validate import at_least, in_range, positive


def burn(iterations: int) -> int:
    """Pure-Python CPU work: ``iterations`` steps of a linear congruential generator."""
    x = 1
    for _ in range(int(iterations)):
        x = (1103515245 * x + 12345) & 0x7FFFFFFF
    return x


def timed_burn(iterations: int) -> tuple[int, float, float]:
    """Run :func:`burn` and report ``(process id, start, end)`` on the system-wide
    monotonic clock, so runs in different processes can be compared."""
    start = time.monotonic()
    burn(iterations)
    return os.getpid(), start, time.monotonic()


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS reports it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _iterations_per_second() -> float:
    n = 50_000
    best = min(_timed(burn, n) for _ in range(3))
    return n / best


def _timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def measure_speedup(
    serial_fraction: float = 0.2,
    max_workers: int | None = None,
    work_seconds: float = 0.4,
    repeats: int = 2,
    timeout_s: float = 30.0,
) -> pd.DataFrame:
    """Time the job with 1..``max_workers`` worker processes and compare with Amdahl.

    Parameters
    ----------
    serial_fraction : share of the one-core work done serially in the parent, in [0, 1].
    max_workers : largest pool; default twice the available cores, at most 8, so the
        table shows what happens past the core count.
    work_seconds : target one-core run time in seconds, in (0, 5].
    repeats : runs per pool size; the fastest counts (least disturbed by other work).
    timeout_s : give up (``TimeoutError``) if one run takes longer than this.

    Returns
    -------
    DataFrame with ``workers``, ``seconds``, ``speedup`` (one-worker time / time) and
    ``amdahl`` (the prediction for ``min(workers, available cores)`` cores).
    """
    s = float(in_range("serial_fraction", serial_fraction, 0, 1))
    cores = available_cores()
    k = int(at_least("max_workers", max_workers, 1, integer=True)) if max_workers is not None else min(2 * cores, 8)
    w = float(in_range("work_seconds", work_seconds, 0, 5, low_open=True))
    r = int(at_least("repeats", repeats, 1, integer=True))
    t_max = float(positive("timeout_s", timeout_s))

    total = int(_iterations_per_second() * w)
    serial_part = int(total * s)
    parallel_part = total - serial_part
    best = {workers: np.inf for workers in range(1, k + 1)}
    # One pool of k processes serves every pool size (idle workers cost nothing), and the
    # repeats go round all sizes in turn, so a machine that speeds up or slows down over
    # a few seconds does not favour one size over another.
    with cf.ProcessPoolExecutor(max_workers=k) as pool:
        list(pool.map(burn, [1] * k))  # start every worker before timing
        for _ in range(r):
            for workers in best:
                chunk = [parallel_part // workers] * workers
                chunk[0] += parallel_part - sum(chunk)
                start = time.perf_counter()
                burn(serial_part)  # the serial part runs alone, before the parallel part
                futures = [pool.submit(burn, c) for c in chunk]
                done, pending = cf.wait(futures, timeout=t_max)
                if pending:
                    raise TimeoutError(f"a run with {workers} workers took longer than {t_max} s")
                best[workers] = min(best[workers], time.perf_counter() - start)
    rows = [{"workers": workers, "seconds": seconds} for workers, seconds in best.items()]
    table = pd.DataFrame(rows)
    table["speedup"] = table["seconds"].iloc[0] / table["seconds"]
    table["amdahl"] = amdahl.speedup(s, np.minimum(table["workers"], cores))
    return table


def measurement_figure(measured: pd.DataFrame, serial_fraction: float, contention: float, coherency: float):
    """Measured speedup against Amdahl's prediction and a USL fit, as a displayable figure."""
    import plotly.graph_objects as go

    from .explorer import show

    n = np.arange(1, int(measured["workers"].max()) + 1)
    cores = available_cores()
    fig = go.Figure(
        [
            go.Scatter(x=measured["workers"], y=measured["speedup"], mode="markers+lines", name="measured"),
            go.Scatter(x=n, y=amdahl.speedup(serial_fraction, np.minimum(n, cores)), name=f"Amdahl, s = {serial_fraction:g}, {cores} cores", line={"dash": "dash"}),
            go.Scatter(x=n, y=amdahl.usl_speedup(n, contention, coherency), name="USL fit", line={"dash": "dot"}),
        ],
        {
            "title": {"text": "Measured speedup on this machine"},
            "xaxis": {"title": {"text": "worker processes"}, "dtick": 1},
            "yaxis": {"title": {"text": "speedup"}, "rangemode": "tozero"},
            "template": "plotly_white",
            "height": 420,
            "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        },
    )
    return show(fig)
