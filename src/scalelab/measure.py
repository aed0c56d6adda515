"""Measuring on the reader's machine, honestly.

Every "measured on your machine" section of the course uses these two pieces:

* :func:`usable_cpus` counts the CPUs this process may really use: the smaller of the
  affinity mask (``os.sched_getaffinity``) and the cgroup CPU quota
  (``/sys/fs/cgroup/cpu.max`` on cgroup v2, ``cpu.cfs_quota_us`` on v1), which is what
  Binder and ``docker --cpus`` set. ``os.cpu_count()`` reports neither.
* :func:`host_load` reads the 1-minute load average against the CPUs it is spread over:
  the whole host's (``os.cpu_count()``), because a container does not namespace the load
  average, and names a cgroup quota below the affinity mask as a cause of waiting.
* :func:`interleaved` times several settings against each other: a warm-up run of each,
  then rounds in which every setting runs once (in a rotating order, so a burst of load
  from elsewhere hits all of them alike), stopping after ``repeats`` rounds or when the
  time budget is spent, whichever comes first (at least ``min_repeats`` rounds always
  run). It reports the median and the spread (min to max) of each setting.

A single timing of a short task is mostly noise on a shared machine: timer resolution,
a scheduler tick, another process. Make each timed unit long (tens of milliseconds at
least), repeat it, and read the median with its spread.

>>> cpus = usable_cpus()
>>> cpus.usable >= 1 and cpus.usable <= cpus.affinity
True
>>> t = interleaved({"short": lambda: sum(range(1000)), "long": lambda: sum(range(100_000))},
...                 repeats=3, warmup=1, budget_s=5)
>>> t.rounds, sorted(t.samples)
(3, ['long', 'short'])
"""

from __future__ import annotations

import math
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import pandas as pd

from ._validate import count, in_range, number

__all__ = ["CpuCount", "usable_cpus", "HostLoad", "host_load", "Timings", "interleaved", "MAX_BUDGET_S", "MAX_REPEATS"]

#: Largest time budget :func:`interleaved` accepts, in seconds.
MAX_BUDGET_S = 120.0
#: Largest number of rounds :func:`interleaved` accepts.
MAX_REPEATS = 1000

CGROUP_ROOT = Path("/sys/fs/cgroup")


@dataclass(frozen=True)
class CpuCount:
    """How many CPUs this process can use, and where each limit comes from.

    ``affinity`` is the number of CPUs in the affinity mask; ``quota`` is the cgroup CPU
    quota in CPUs (``None`` when there is none); ``usable`` is the smaller of the two,
    rounded down, and at least 1.
    """

    affinity: int
    quota: float | None
    usable: int

    def __str__(self) -> str:
        quota = "no cgroup CPU quota" if self.quota is None else f"cgroup quota {self.quota:g} CPUs"
        return f"usable CPUs: {self.usable} (affinity mask {self.affinity}, {quota})"


def _cgroup_quota(root: Path) -> float | None:
    """The CPU quota in CPUs from cgroup v2 (``cpu.max``) or v1 (``cpu.cfs_*``), if set."""
    try:
        text = (root / "cpu.max").read_text().split()
        if text and text[0] != "max":
            return int(text[0]) / int(text[1])
        if text:
            return None
    except (OSError, ValueError, IndexError):
        pass
    try:
        quota = int((root / "cpu" / "cpu.cfs_quota_us").read_text())
        period = int((root / "cpu" / "cpu.cfs_period_us").read_text())
        return quota / period if quota > 0 and period > 0 else None
    except (OSError, ValueError):
        return None


def usable_cpus(cgroup_root: Path | str = CGROUP_ROOT) -> CpuCount:
    """The CPUs this process may use: the smaller of its affinity mask and its cgroup quota."""
    if hasattr(os, "sched_getaffinity"):
        affinity = len(os.sched_getaffinity(0))
    else:  # pragma: no cover - macOS and Windows
        affinity = os.cpu_count() or 1
    quota = _cgroup_quota(Path(cgroup_root))
    usable = affinity if quota is None else max(1, min(affinity, math.floor(quota)))
    return CpuCount(affinity=affinity, quota=quota, usable=usable)


#: Most CPUs :func:`host_load` accepts for a host.
MAX_HOST_CPUS = 1_000_000


def load_average_1min() -> float | None:
    """The host's 1-minute load average now (``os.getloadavg()``), or None where the
    platform has none. Read it against the host's CPUs: :func:`host_load`."""
    try:
        return float(os.getloadavg()[0]) if hasattr(os, "getloadavg") else None
    except OSError:  # pragma: no cover - unavailable
        return None


@dataclass(frozen=True)
class HostLoad:
    """The 1-minute load average, read against the CPUs it is spread over.

    ``os.getloadavg()`` counts the runnable tasks of the whole host: a container (Docker,
    Binder) does not namespace it. So ``load`` is compared with ``host_cpus``, the host's
    CPU count (``os.cpu_count()``), never with ``cpus.usable``, which may be a cgroup quota
    far below it (2 CPUs on a 64-CPU host: a load of 10 there is a quiet host). A quota
    below the affinity mask is a cause of waiting of its own, whatever the host's load:
    once the cgroup has used its quota in a scheduling period (100 ms by default), its
    processes wait for the next period (CFS bandwidth control).

    ``load`` is None where the platform has no load average.
    """

    load: float | None
    host_cpus: int
    cpus: CpuCount

    def busy(self, margin: float = 0.0) -> bool:
        """True when the load average exceeds the host's CPUs by more than ``margin``."""
        m = number("margin", margin, 0, MAX_HOST_CPUS)
        return self.load is not None and self.load > self.host_cpus + m

    @property
    def quota_limited(self) -> bool:
        """True when a cgroup CPU quota is set below the affinity mask's CPU count."""
        return self.cpus.quota is not None and self.cpus.quota < self.cpus.affinity

    def causes(self, margin: float = 0.0) -> list[str]:
        """Likely causes of waiting for a CPU that the machine's state shows, as phrases."""
        out = []
        if self.busy(margin):
            out.append(f"the host is busy (1-minute load average {self.load:.1f} on its {self.host_cpus} CPUs)")
        if self.quota_limited:
            out.append(f"the cgroup CPU quota is {self.cpus.quota:g} CPUs, below the {self.cpus.affinity} CPUs of "
                       "the affinity mask, and once the quota for a scheduling period is used the processes wait "
                       "for the next period")
        return out

    def __str__(self) -> str:
        if self.load is None:
            return "load average unknown"
        return f"1-minute load average {self.load:.1f} on the host's {self.host_cpus} CPUs"


def host_load(load_average: float | None = None, cpus: CpuCount | None = None,
              host_cpus: int | None = None) -> HostLoad:
    """The load average with the CPU counts it is read against (:class:`HostLoad`).

    Parameters
    ----------
    load_average : float >= 0, or None
        A 1-minute load average read earlier (before a measurement started, say); None
        reads ``os.getloadavg()`` now (None where the platform has none).
    cpus : CpuCount, or None
        What :func:`usable_cpus` returned; None reads it now.
    host_cpus : int in [1, ``MAX_HOST_CPUS``], or None
        The host's CPU count; None reads ``os.cpu_count()``.

    >>> h = host_load(10.0, CpuCount(affinity=64, quota=2.0, usable=2), host_cpus=64)
    >>> h.busy(), h.quota_limited
    (False, True)
    """
    if load_average is None:
        load = load_average_1min()
    else:
        load = float(number("load_average", load_average, 0, MAX_HOST_CPUS * 1000.0))
    if cpus is None:
        cpus = usable_cpus()
    elif not isinstance(cpus, CpuCount):
        raise ValueError(f"cpus must be a CpuCount (from usable_cpus()) or None, got {cpus!r}")
    if host_cpus is None:
        n = os.cpu_count() or cpus.affinity
    else:
        n = count("host_cpus", host_cpus, MAX_HOST_CPUS)
    return HostLoad(load=load, host_cpus=int(n), cpus=cpus)


@dataclass(frozen=True)
class Timings:
    """Seconds per run of each setting, from :func:`interleaved`, in the order run."""

    samples: Mapping[Any, tuple[float, ...]]
    warmup: int
    budget_s: float
    elapsed_s: float

    @property
    def rounds(self) -> int:
        return min(len(v) for v in self.samples.values())

    def median(self, label: Any) -> float:
        return statistics.median(self.samples[label])

    def spread(self, label: Any) -> tuple[float, float]:
        values = self.samples[label]
        return min(values), max(values)

    def table(self) -> pd.DataFrame:
        """One row per setting: median, min, max and relative spread ((max - min) / median)."""
        rows = []
        for label, values in self.samples.items():
            med = statistics.median(values)
            rows.append({"setting": label, "runs": len(values), "median_s": med, "min_s": min(values),
                         "max_s": max(values), "spread": (max(values) - min(values)) / med if med else 0.0})
        return pd.DataFrame(rows).set_index("setting")

    def __str__(self) -> str:
        return (f"{len(self.samples)} settings x {self.rounds} interleaved rounds after {self.warmup} warm-up "
                f"run(s), {self.elapsed_s:.1f} s of a {self.budget_s:g} s budget")


def interleaved(
    settings: Mapping[Any, Callable[[], Any]],
    *,
    repeats: int = 5,
    warmup: int = 1,
    budget_s: float = 20.0,
    min_repeats: int = 3,
    clock: Callable[[], float] = time.perf_counter,
) -> Timings:
    """Time each of ``settings`` (label -> function of no arguments) in interleaved rounds.

    Parameters
    ----------
    settings : mapping of label to a callable
        What to time; each call is one timed unit (make it long enough to dwarf timer
        and scheduler noise: tens of milliseconds or more).
    repeats : int, 1 to ``MAX_REPEATS``
        Rounds to run at most; each round runs every setting once.
    warmup : int, 0 to 10
        Untimed runs of each setting first (imports, caches, pool start-up, CPU clock).
    budget_s : float, in (0, ``MAX_BUDGET_S``]
        Stop starting new rounds once this much time has passed (the bound on the cell).
    min_repeats : int, 1 to ``repeats``
        Rounds that always run, budget or not, so the median means something.
    """
    if not isinstance(settings, Mapping) or not settings:
        raise ValueError(f"settings must be a non-empty mapping of label to callable, got {settings!r}")
    for label, fn in settings.items():
        if not callable(fn):
            raise ValueError(f"settings[{label!r}] must be callable, got {fn!r}")
    repeats = int(in_range("repeats", repeats, 1, MAX_REPEATS, integer=True, max_ndim=0))
    warmup = int(in_range("warmup", warmup, 0, 10, integer=True, max_ndim=0))
    budget_s = float(in_range("budget_s", budget_s, 0, MAX_BUDGET_S, low_open=True, max_ndim=0))
    min_repeats = int(in_range("min_repeats", min_repeats, 1, repeats, integer=True, max_ndim=0))
    labels = list(settings)
    start = clock()
    for _ in range(warmup):
        for label in labels:
            settings[label]()
    samples: dict[Any, list[float]] = {label: [] for label in labels}
    for round_index in range(repeats):
        if round_index >= min_repeats and clock() - start > budget_s:
            break
        shift = round_index % len(labels)
        for label in labels[shift:] + labels[:shift]:
            t0 = clock()
            settings[label]()
            samples[label].append(clock() - t0)
    return Timings(samples={k: tuple(v) for k, v in samples.items()}, warmup=warmup, budget_s=budget_s,
                   elapsed_s=clock() - start)


def _terminate_executor(executor) -> None:
    """Shut an executor down without waiting for its running tasks: a process pool's
    workers are terminated and reaped (at most about 4 s), a thread pool's queued tasks
    are cancelled. Shared by the measurements that must stop on a timeout."""
    procs = getattr(executor, "_processes", None)  # a private attribute, read defensively
    processes = list(procs.values()) if isinstance(procs, dict) else []
    executor.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        if p.is_alive():
            p.terminate()
    for p in processes:
        p.join(2)
    # The executor's own manager thread may reap a worker at the same moment, and then
    # our join returns before the exit is recorded: wait for it, boundedly.
    end = time.monotonic() + 2
    while any(p.exitcode is None for p in processes) and time.monotonic() < end:
        time.sleep(0.01)
