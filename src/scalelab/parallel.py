"""Measuring speedup for real: one CPU-bound job split over 1..k worker processes.

The job has a serial part and a parallel part split into equal chunks, one per worker.
Both run in worker processes (not threads, so that Python's global interpreter lock
does not serialize them): first the serial part alone on one worker, then the chunks
at once. The workers live in this importable module because process pools must be
able to import the function they run.

The method follows :mod:`scalelab.measure`: the usable CPUs are the smaller of the
affinity mask and the cgroup quota; a warm-up round, then rounds that interleave every
pool size, each timed unit a few hundred milliseconds; the median and the spread are
reported; the whole measurement stops after ``budget_s``; a timed run that exceeds
``timeout_s`` stops at once (its workers are terminated) with ``TimeoutError``; a task
that fails, or a worker that dies, raises ``RuntimeError`` naming the cause.

:func:`verdict` turns a table into sentences computed from its numbers, and
:func:`usl_fit` fits the Universal Scalability Law only where that means something.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import time
from concurrent.futures.process import BrokenProcessPool
from typing import Callable

import numpy as np
import pandas as pd

from . import amdahl, measure
from ._validate import at_least, count, in_range
from .palette import TEMPLATE

__all__ = ["burn", "timed_burn", "available_cores", "physical_cores", "measure_speedup", "usl_fit", "verdict",
           "measurement_figure", "MAX_WORKERS", "MAX_TIMEOUT_S", "MAX_WORK_SECONDS", "MAX_REPEATS", "MAX_ITERATIONS"]

#: Largest pool :func:`measure_speedup` starts.
MAX_WORKERS = 32
#: Largest per-run timeout accepted, in seconds.
MAX_TIMEOUT_S = 300.0
#: Largest one-core run time accepted, in seconds.
MAX_WORK_SECONDS = 5.0
#: Most interleaved rounds.
MAX_REPEATS = 50
#: Most steps one :func:`burn` takes (tens of seconds of one core; the largest job
#: :func:`measure_speedup` hands out, ``MAX_WORK_SECONDS`` of work, is far below).
MAX_ITERATIONS = 500_000_000


def burn(iterations: int) -> int:
    """Pure-Python CPU work: ``iterations`` steps of a linear congruential generator.

    ``iterations`` is a whole number in [0, MAX_ITERATIONS].
    """
    iterations = count("iterations", iterations, MAX_ITERATIONS, low=0)
    x = 1
    for _ in range(iterations):
        x = (1103515245 * x + 12345) & 0x7FFFFFFF
    return x


def timed_burn(iterations: int) -> tuple[int, float, float]:
    """Run :func:`burn` and report ``(process id, start, end)`` on the system-wide
    monotonic clock, so runs in different processes can be compared (``iterations`` as in :func:`burn`)."""
    count("iterations", iterations, MAX_ITERATIONS, low=0)
    start = time.monotonic()
    burn(iterations)
    return os.getpid(), start, time.monotonic()


def available_cores() -> int:
    """CPUs this process may use: the smaller of its affinity mask and its cgroup quota
    (:func:`scalelab.measure.usable_cpus`)."""
    return measure.usable_cpus().usable


def physical_cores(sysfs: str = "/sys/devices/system/cpu") -> int | None:
    """Distinct physical cores under this process's affinity mask, or None if unknown.

    Read from each CPU's ``topology/thread_siblings_list`` (Linux): CPUs that are SMT
    siblings (hardware threads of one core) share one list. Fewer cores than CPUs
    means SMT: two busy processes on sibling CPUs share one core's execution units.
    """
    from pathlib import Path

    if not hasattr(os, "sched_getaffinity"):
        return None
    groups = set()
    for cpu in os.sched_getaffinity(0):
        try:
            groups.add((Path(sysfs) / f"cpu{cpu}" / "topology" / "thread_siblings_list").read_text().strip())
        except OSError:
            return None
    return len(groups) or None


def _iterations_per_second(task: Callable[[int], object]) -> float:
    n = 50_000
    best = np.inf
    for _ in range(3):
        start = time.perf_counter()
        task(n)
        best = min(best, time.perf_counter() - start)
    return n / max(best, 1e-9)


def _stop_pool(pool: cf.ProcessPoolExecutor) -> None:
    """Terminate the pool's workers now (a timed-out run must not be waited for)."""
    for process in list(getattr(pool, "_processes", {}).values()):
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def _wait_all(futures, timeout_s: float, workers: int) -> None:
    done, pending = cf.wait(futures, timeout=timeout_s)
    if pending:
        raise TimeoutError(f"a run with {workers} worker(s) took longer than timeout_s = {timeout_s:g} s")
    for f in done:
        try:
            f.result()
        except BrokenProcessPool as exc:
            raise RuntimeError(f"a worker process died during the run with {workers} worker(s): {exc}") from exc
        except Exception as exc:  # the task itself failed: say how
            raise RuntimeError(f"a task failed during the run with {workers} worker(s): {exc!r}") from exc


def measure_speedup(
    serial_fraction: float = 0.2,
    max_workers: int | None = None,
    work_seconds: float = 0.4,
    repeats: int = 5,
    timeout_s: float = 30.0,
    *,
    budget_s: float = 20.0,
    task: Callable[[int], object] = burn,
) -> pd.DataFrame:
    """Time the job with 1..``max_workers`` worker processes and compare with Amdahl.

    Parameters
    ----------
    serial_fraction : share of the one-core work done serially (on one worker, alone), in [0, 1].
    max_workers : largest pool, a whole number in [1, ``MAX_WORKERS``]; default twice the
        usable CPUs, at most 8, so the table shows what happens past the CPU count.
    work_seconds : target one-core run time in seconds, in (0, ``MAX_WORK_SECONDS``].
    repeats : interleaved rounds at most, whole number in [1, ``MAX_REPEATS``]; each round
        times every pool size once, after one untimed warm-up round.
    timeout_s : one timed run longer than this, in (0, ``MAX_TIMEOUT_S``] seconds, stops
        the measurement at once with ``TimeoutError`` (workers terminated).
    budget_s : stop starting rounds after this many seconds (at least
        ``min(3, repeats)`` rounds run), in (0, ``measure.MAX_BUDGET_S``].
    task : the CPU work, a picklable module-level function of one int (iterations);
        :func:`burn` by default. A failure in it raises ``RuntimeError`` with the cause.

    Returns
    -------
    DataFrame with ``workers``, ``seconds`` (median), ``min_s``, ``max_s``, ``runs``,
    ``speedup`` (median one-worker time / median time), ``amdahl`` (the prediction for
    ``min(workers, usable CPUs)`` CPUs). ``attrs`` holds ``cpus`` (the
    :class:`~scalelab.measure.CpuCount`), ``serial_fraction``, ``timings`` (the
    :class:`~scalelab.measure.Timings`) and ``load_average`` (1-minute, read before the
    workers start, so that it counts other work on the machine and not this measurement's
    own processes; None where the platform has none) and ``host_cpus`` (``os.cpu_count()``,
    what the host's load average is read against).
    """
    s = float(in_range("serial_fraction", serial_fraction, 0, 1, max_ndim=0))
    cpus = measure.usable_cpus()
    if max_workers is None:
        k = min(2 * cpus.usable, 8)
    else:
        k = int(in_range("max_workers", max_workers, 1, MAX_WORKERS, integer=True, max_ndim=0))
    w = float(in_range("work_seconds", work_seconds, 0, MAX_WORK_SECONDS, low_open=True, max_ndim=0))
    r = int(in_range("repeats", repeats, 1, MAX_REPEATS, integer=True, max_ndim=0))
    t_max = float(in_range("timeout_s", timeout_s, 0, MAX_TIMEOUT_S, low_open=True, max_ndim=0))
    budget = float(in_range("budget_s", budget_s, 0, measure.MAX_BUDGET_S, low_open=True, max_ndim=0))
    if not callable(task):
        raise ValueError(f"task must be a callable of one int, got {task!r}")

    # The load before any worker starts: other work on the machine, not this measurement's own.
    load_before = measure.load_average_1min()
    total = int(_iterations_per_second(task) * w)
    serial_part = int(total * s)
    parallel_part = total - serial_part
    pool = cf.ProcessPoolExecutor(max_workers=k)
    stopped = False

    def run(workers: int) -> None:
        if serial_part:
            _wait_all([pool.submit(task, serial_part)], t_max, workers)
        chunk = [parallel_part // workers] * workers
        chunk[0] += parallel_part - sum(chunk)
        _wait_all([pool.submit(task, c) for c in chunk], t_max, workers)

    try:
        _wait_all([pool.submit(task, 1) for _ in range(k)], t_max, k)  # start every worker
        timings = measure.interleaved({workers: (lambda workers=workers: run(workers)) for workers in range(1, k + 1)},
                                      repeats=r, warmup=1, budget_s=budget, min_repeats=min(3, r))
    except BrokenProcessPool as exc:  # raised by submit itself once a worker has died
        _stop_pool(pool)
        stopped = True
        raise RuntimeError(f"a worker process died and broke the pool: {exc}") from exc
    except BaseException:
        _stop_pool(pool)
        stopped = True
        raise
    finally:
        if not stopped:
            pool.shutdown(wait=True)
    table = timings.table().reset_index().rename(columns={"setting": "workers", "median_s": "seconds"})
    table = table[["workers", "seconds", "min_s", "max_s", "runs"]].astype({"workers": int, "runs": int})
    table["speedup"] = table["seconds"].iloc[0] / table["seconds"]
    table["amdahl"] = amdahl.speedup(s, np.minimum(table["workers"], cpus.usable))
    table.attrs.update(cpus=cpus, serial_fraction=s, timings=timings, physical_cores=physical_cores(),
                       load_average=load_before, host_cpus=os.cpu_count())
    return table


def usl_fit(table: pd.DataFrame) -> tuple[tuple[float, float] | None, str]:
    """Fit the USL to a :func:`measure_speedup` table where the fit means something.

    Only pool sizes up to the usable CPUs count: past them, extra processes take turns
    on the same CPUs, which is time-sharing, not the contention and coherency the USL
    describes. The fit needs two distinct sizes above one worker, so at least 3 usable
    CPUs. Returns ``((contention, coherency), reason)`` or ``(None, reason)``.
    """
    usable = int(table.attrs["cpus"].usable) if "cpus" in table.attrs else available_cores()
    part = table[table["workers"] <= usable]
    if part["workers"].gt(1).sum() < 2:
        return None, (f"USL not fitted: with {usable} usable CPU(s) there are "
                      f"{int(part['workers'].gt(1).sum())} pool size(s) above one worker within the CPU count, "
                      "and the fit needs two; sizes past the CPU count measure time-sharing, not coherency.")
    fit = amdahl.fit_usl(part["workers"], part["speedup"])
    return fit, (f"USL fitted on 1..{usable} workers (the usable CPUs): "
                 f"contention {fit[0]:.3f}, coherency {fit[1]:.4f}")


def verdict(table: pd.DataFrame, tolerance: float = 0.15) -> str:
    """Sentences comparing a :func:`measure_speedup` table with Amdahl, from its own numbers.

    Within the usable CPUs, a speedup within ``tolerance`` (relative) of Amdahl's
    prediction agrees; a lower one is explained by what the table and the machine show
    (a busy machine: the host's load average above the host's CPUs, or a wide spread; otherwise
    process start-up and hand-off costs, or CPUs that are SMT siblings). Past the CPU
    count, the speedup should not grow.
    """
    tol = float(in_range("tolerance", tolerance, 0, 1, low_open=True, max_ndim=0))
    cpus = table.attrs.get("cpus") or measure.usable_cpus()
    s = table.attrs.get("serial_fraction")
    load = table.attrs.get("load_average")
    usable = cpus.usable
    cores = table.attrs.get("physical_cores")
    smt = cores is not None and cores < cpus.affinity
    lines = [f"{cpus}; 1-minute load average {load:.1f}" if load is not None else str(cpus)]
    if cores is not None:
        lines.append(f"The affinity mask's {cpus.affinity} CPU(s) sit on {cores} physical core(s)"
                     + (": some are SMT siblings." if smt else " (no SMT siblings)."))
    inside = table[(table["workers"] > 1) & (table["workers"] <= usable)]
    spread = float(((table["max_s"] - table["min_s"]) / table["seconds"]).max())
    # the host's load average, read against the host's CPUs (not the usable ones: a quota may be far below)
    host = measure.host_load(load, cpus, table.attrs.get("host_cpus")) if load is not None else None
    loaded = host is not None and host.busy(margin=0.5)
    busy = loaded or spread > 0.3
    for _, row in inside.iterrows():
        ratio = row["speedup"] / row["amdahl"]
        head = (f"{int(row['workers'])} workers: measured {row['speedup']:.2f}x, "
                f"Amdahl (s = {s:g}) {row['amdahl']:.2f}x ({ratio:.0%} of it)")
        if abs(ratio - 1) <= tol:
            lines.append(head + ": agrees with the model.")
        elif ratio < 1:
            if busy:
                evidence = []
                if loaded:
                    evidence.append(str(host))
                if spread > 0.3:
                    evidence.append(f"run-to-run spread up to {spread:.0%}")
                cause = (f"the machine is busy ({' and '.join(evidence)}): other processes take CPU time "
                         "from the workers")
            elif smt:
                cause = "CPUs that are SMT siblings share a core's execution units"
            else:
                cause = ("process hand-off costs, or CPUs that are hyperthreads (SMT siblings) of one core"
                         if cores is None else "process hand-off costs (the CPUs are separate cores)")
            lines.append(head + f": below the model; likely cause: {cause}.")
        else:
            lines.append(head + ": above the model (the one-worker run was slowed more than the others).")
    if inside.empty:
        lines.append("Only one usable CPU: no pool size can run in parallel, so no speedup is expected.")
    if busy:
        evidence = []
        if loaded:
            evidence.append(str(host))
        if spread > 0.3:
            evidence.append(f"run-to-run spread up to {spread:.0%}")
        lines.append(f"Caution: the machine was busy ({' and '.join(evidence)}). With other work competing "
                     f"for the CPUs (run-to-run spread here up to {spread:.0%}), a median can land above or "
                     "below the model by chance, agreement included: re-run on a quieter machine for a firm "
                     "comparison.")
    beyond = table[table["workers"] > usable]
    if not beyond.empty:
        at_cpus = float(table.loc[table["workers"] <= usable, "speedup"].max())
        best_beyond = float(beyond["speedup"].max())
        if best_beyond <= at_cpus:
            lines.append(f"Past {usable} workers the speedup stops growing (best {best_beyond:.2f}x "
                         f"against {at_cpus:.2f}x within the CPU count): extra processes take turns.")
        elif best_beyond <= at_cpus * (1 + tol):
            lines.append(f"Past {usable} workers the speedup grows no more than the noise (best "
                         f"{best_beyond:.2f}x against {at_cpus:.2f}x within the CPU count, within "
                         f"{tol:.0%}): extra processes take turns.")
        else:
            lines.append(f"Past {usable} workers the speedup still grew ({best_beyond:.2f}x against "
                         f"{at_cpus:.2f}x): the runs within the CPU count were slowed by other work.")
    return "\n".join(lines)


def measurement_figure(measured: pd.DataFrame, serial_fraction: float, contention: float | None = None,
                       coherency: float | None = None):
    """Measured speedup (median, with min-max whiskers) against Amdahl's prediction, and a
    USL fit when one is given, as a displayable figure."""
    import plotly.graph_objects as go

    from .explorer import show

    serial_fraction = float(in_range("serial_fraction", serial_fraction, 0, 1, max_ndim=0))
    if contention is not None:
        contention = float(in_range("contention", contention, 0, 1, max_ndim=0))
    if coherency is not None:
        coherency = float(in_range("coherency", coherency, 0, max_ndim=0))
    if not isinstance(measured, pd.DataFrame):
        raise ValueError(f"measured must be the DataFrame measure_speedup returns, got {type(measured).__name__}")
    n = np.arange(1, int(measured["workers"].max()) + 1)
    cpus = measured.attrs.get("cpus") or measure.usable_cpus()
    base = measured["seconds"].iloc[0]
    high = base / measured["min_s"] - measured["speedup"]
    low = measured["speedup"] - base / measured["max_s"]
    traces = [
        go.Scatter(x=measured["workers"], y=measured["speedup"], mode="markers+lines", name="measured (median)",
                   error_y={"type": "data", "array": high, "arrayminus": low, "visible": True}),
        go.Scatter(x=n, y=amdahl.speedup(serial_fraction, np.minimum(n, cpus.usable)),
                   name=f"Amdahl, s = {serial_fraction:g}, {cpus.usable} usable CPUs", line={"dash": "dash"}),
    ]
    if contention is not None and coherency is not None:
        traces.append(go.Scatter(x=n, y=amdahl.usl_speedup(n, contention, coherency), name="USL fit",
                                 line={"dash": "dot"}))
    fig = go.Figure(
        traces,
        {
            "title": {"text": "Measured speedup on this machine"},
            "xaxis": {"title": {"text": "worker processes"}, "dtick": 1},
            "yaxis": {"title": {"text": "speedup"}, "rangemode": "tozero"},
            "template": TEMPLATE,
            "height": 420,
            "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        },
    )
    return show(fig)
