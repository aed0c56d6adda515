"""Concurrency on one machine: waiting for I/O, threads, processes, races and deadlocks.

A processor that waits for a disk or a network does nothing useful, so an operating
system runs another task in the meantime. With ``n`` tasks that each wait for I/O a
fraction ``p`` of the time, and wait independently of one another, the processor is
idle only when all of them wait at once: utilization is ``1 - p**n`` (the classic
multiprogramming model, Tanenbaum and Bos). With one real processor that tasks queue
for, the exact answer is the finite-source ("machine repairman") queue, which this
module also gives, with a SimPy simulation that checks both.

The second half measures, on the reader's machine, what threads buy in Python: I/O
waits overlap on threads, CPU-bound work does not (the global interpreter lock), and
processes do run in parallel. It also makes races and deadlocks happen for real, on
purpose, with a timeout on every wait so that nothing can hang, and checks the
thread-pool sizing rule ``threads = cores (1 + wait / compute)`` (Goetz et al. 2006).

References
----------
- A. S. Tanenbaum and H. Bos, *Modern Operating Systems*, 4th ed., Pearson, 2015,
  section 2.1.7 (modeling multiprogramming).
- L. Kleinrock, *Queueing Systems, Volume 1*, Wiley, 1975, section 3.8 (finite sources).
- B. Goetz et al., *Java Concurrency in Practice*, Addison-Wesley, 2006, section 8.2.
- E. W. Dijkstra, "Hierarchical ordering of sequential processes", Acta Informatica 1,
  1971 (the dining philosophers).
- I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, ch. 4.
"""

from __future__ import annotations

import math
import threading
import time
from contextlib import nullcontext

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ._validate import at_least, in_range, number, positive, scalar, seed as check_seed

#: Largest deadline (seconds) the demonstrations here accept; ``inf`` is refused.
MAX_TIMEOUT_S = 300.0

#: Names that live in :mod:`scalelab.threadmeasure` and stay importable from here.
_MEASURED = (
    "MeasurementError", "measure_overlap", "overlap_verdict", "overlap_figure", "measure_pool",
    "pool_verdict", "pool_figure", "measure_task_scale", "task_scale_verdict", "gil_enabled",
)


def __getattr__(name: str):
    """The measurements moved to :mod:`scalelab.threadmeasure`; import them on first use."""
    if name in _MEASURED:
        from . import threadmeasure

        return getattr(threadmeasure, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "instructions_during_wait",
    "DEVICES",
    "io_wait_curves",
    "source_wait_table",
    "cpu_utilization",
    "cpu_utilization_one_cpu",
    "simulate_cpu_utilization",
    "simulate_cpu_shares",
    "utilization_curves",
    "utilization_table",
    "pool_size",
    "pool_throughput_per_s",
    "pool_curves",
    "sleep_task",
    "lost_update",
    "racy_counter",
    "run_threads",
    "dining_philosophers",
    "MAX_TIMEOUT_S",
    *_MEASURED,
]


# --- Waiting for I/O -----------------------------------------------------------------


def instructions_during_wait(wait_s: ArrayLike, instructions_per_s: ArrayLike) -> float | np.ndarray:
    """Instructions a processor could have run while it waited ``wait_s`` seconds.

    Parameters
    ----------
    wait_s : length of the wait in seconds, >= 0.
    instructions_per_s : the processor's rate in instructions per second, > 0
        (10 MIPS is ``10e6``).

    Returns
    -------
    ``wait_s * instructions_per_s``, instructions.

    References
    ----------
    Gorton 2022, ch. 4: a 10 ms disk read against an 80386 at 10 MIPS.

    >>> instructions_during_wait(0.010, 10e6)
    100000.0
    """
    w = at_least("wait_s", wait_s, 0)
    r = positive("instructions_per_s", instructions_per_s)
    return scalar(w * r)


#: Typical waits, in seconds (orders of magnitude; see the chapter's sources).
DEVICES: dict[str, float] = {
    "main memory reference": 100e-9,
    "SSD random read": 100e-6,
    "round trip in a data centre": 500e-6,
    "magnetic disk read": 10e-3,
    "round trip across a continent": 70e-3,
}

_WAIT_AXIS = np.logspace(-7, -1, 61)  # 100 ns .. 100 ms


def io_wait_curves(mips: float, cores: int) -> dict[str, dict]:
    """Instructions lost during a wait, against the wait (for an explorer).

    Parameters
    ----------
    mips : million instructions per second of one core, > 0.
    cores : cores that all sit idle during the wait, >= 1.

    >>> c = io_wait_curves(10, 1)
    >>> float(c["typical waits"]["y"][3])  # a 10 ms disk read on a 10 MIPS core
    100000.0
    """
    rate = float(positive("mips", mips, max_ndim=0)) * 1e6 * float(at_least("cores", cores, 1, integer=True, max_ndim=0))
    waits = np.array(list(DEVICES.values()))
    return {
        "instructions lost": {"x": _WAIT_AXIS, "y": instructions_during_wait(_WAIT_AXIS, rate), "mode": "lines"},
        "typical waits": {
            "x": waits, "y": instructions_during_wait(waits, rate), "mode": "markers+text",
            "text": [name.replace(" a ", "<br>a ") for name in DEVICES], "marker": {"size": 9},
            # Above the line to the left, or below it to the right, so that no label runs into
            # the line, another label or the plot's edge, from a 390 px phone up (a browser test
            # checks it at the first and last settings).
            "textposition": ["bottom right", "top left", "bottom right", "top left", "top left"],
        },
    }


#: Clocks per instruction of an 80386 on typical code, as measured (about 4.4).
CLOCKS_PER_INSTRUCTION_80386 = 4.4


def source_wait_table() -> pd.DataFrame:
    """The source's 80386 arithmetic beside the same arithmetic for today's hardware.

    The 80386 rows keep two kinds of figure apart. Clock rate over the measured ~4.4
    clocks per instruction gives about 3.6 MIPS at 16 MHz (the 1985 launch part) and
    7.5 MIPS at 33 MHz. The often-quoted 11.4 MIPS for the 33 MHz part would need 2.9
    clocks per instruction, so it does not belong in the same series; it is shown as
    quoted. A modern core at 3 GHz can retire 4 instructions a cycle at its peak
    (12,000 MIPS); typical server code retires 1-2 (shown: 1.5, 4,500 MIPS).
    """
    cpi = CLOCKS_PER_INSTRUCTION_80386
    cpus = {
        f"80386, 16 MHz / {cpi:g} clocks per instruction": 16e6 / cpi,
        "the source's 80386 (10 MIPS)": 10e6,
        f"80386, 33 MHz / {cpi:g} clocks per instruction": 33e6 / cpi,
        "80386, 33 MHz, the quoted 11.4 MIPS": 11.4e6,
        "modern core, typical (3 GHz x 1.5 per cycle)": 4.5e9,
        "modern core, peak (3 GHz x 4 per cycle)": 12e9,
    }
    waits = {"magnetic disk, 10 ms": 10e-3, "SSD, 100 us": 100e-6}
    rows = {cpu: {w: instructions_during_wait(s, r) for w, s in waits.items()} for cpu, r in cpus.items()}
    return pd.DataFrame(rows).T.rename_axis("processor")


# --- CPU utilization with n tasks -----------------------------------------------------


def cpu_utilization(io_fraction: ArrayLike, tasks: ArrayLike) -> float | np.ndarray:
    """Share of time the CPU is busy with ``tasks`` tasks that each wait for I/O a
    fraction ``io_fraction`` of the time, independently: ``1 - io_fraction**tasks``.

    Parameters
    ----------
    io_fraction : p, the share of its time one task spends waiting for I/O, in [0, 1].
    tasks : n, the number of tasks in memory at once, a whole number >= 1.

    Returns
    -------
    Utilization in [0, 1].

    References
    ----------
    Tanenbaum and Bos 2015, section 2.1.7.

    >>> round(cpu_utilization(0.8, 4), 4)
    0.5904
    >>> cpu_utilization(0.5, [1, 2, 3]).tolist()
    [0.5, 0.75, 0.875]
    """
    p = in_range("io_fraction", io_fraction, 0, 1)
    n = at_least("tasks", tasks, 1, integer=True)
    return scalar(1.0 - p**n)


def cpu_utilization_one_cpu(io_fraction: ArrayLike, tasks: ArrayLike) -> float | np.ndarray:
    """Exact utilization of one CPU shared by ``tasks`` tasks (the finite-source queue).

    Each task alternates a CPU burst (exponential, mean ``c``) and an I/O wait (mean
    ``w``), and waits in line when the CPU is busy. ``io_fraction`` is the share of
    time a task would wait for I/O if it had the CPU to itself, ``w / (w + c)``. With
    ``r = c / w`` the CPU is idle with probability
    ``P0 = 1 / sum_{k=0..n} n! / (n-k)! r**k``, and utilization is ``1 - P0``.

    Parameters
    ----------
    io_fraction : in [0, 1].
    tasks : a whole number >= 1 (at most 10,000).

    References
    ----------
    Kleinrock 1975, section 3.8 (the M/M/1//n queue).

    >>> round(cpu_utilization_one_cpu(0.8, 4), 4)
    0.6893
    >>> cpu_utilization_one_cpu(0.5, 1)
    0.5
    """
    p = in_range("io_fraction", io_fraction, 0, 1)
    n = in_range("tasks", tasks, 1, 10_000, integer=True)
    p, n = np.broadcast_arrays(p, n)
    out = np.empty(p.shape)
    for idx in np.ndindex(p.shape):
        pi, ni = float(p[idx]), int(n[idx])
        if pi == 0:
            out[idx] = 1.0
        elif pi == 1:
            out[idx] = 0.0
        else:
            r = (1.0 - pi) / pi
            k = np.arange(ni + 1)
            # log of n! / (n-k)! r^k, summed stably
            logs = np.concatenate([[0.0], np.cumsum(np.log(ni - k[:-1]))]) + k * math.log(r)
            top = logs.max()
            out[idx] = 1.0 - math.exp(-top) / float(np.sum(np.exp(logs - top)))
    return scalar(out)


def simulate_cpu_utilization(
    io_fraction: float,
    tasks: int,
    *,
    shared_cpu: bool = True,
    bursts: int = 4000,
    seed: int = 0,
) -> float:
    """Simulate ``tasks`` tasks alternating CPU bursts and I/O waits (SimPy); the busy share.

    Bursts and waits are exponential with means ``1 - io_fraction`` and ``io_fraction``
    (time units). With ``shared_cpu`` the tasks queue for one CPU (a SimPy resource).
    Without it each task computes on a CPU of its own, and "busy" means at least one
    task computes: that checks only the arithmetic of ``1 - p**n`` (it simulates ``n``
    private CPUs, so it agrees with the formula by construction, not as evidence).

    Parameters
    ----------
    io_fraction : in (0, 1).
    tasks : a whole number in [1, 64].
    shared_cpu : queue for one CPU (True) or run independently (False).
    bursts : CPU bursts simulated in all, in [100, 10**6].
    seed : seed of the random generator.

    Returns
    -------
    The busy share of simulated time.

    >>> round(simulate_cpu_utilization(0.5, 1, seed=1), 1)
    0.5
    """
    return simulate_cpu_shares(io_fraction, tasks, shared_cpu=shared_cpu, bursts=bursts, seed=seed)["busy"]


def simulate_cpu_shares(
    io_fraction: float,
    tasks: int,
    *,
    shared_cpu: bool = True,
    bursts: int = 4000,
    seed: int = 0,
) -> dict[str, float]:
    """As :func:`simulate_cpu_utilization`, also giving the share of its time a task
    was really in I/O (``io_share``): below ``io_fraction`` when tasks queue for the CPU,
    because a queueing task is neither computing nor waiting for I/O.

    >>> s = simulate_cpu_shares(0.8, 4, bursts=20_000, seed=2)
    >>> s["io_share"] < 0.8
    True
    """
    import simpy

    p = float(in_range("io_fraction", io_fraction, 0, 1, low_open=True, high_open=True, max_ndim=0))
    n = int(in_range("tasks", tasks, 1, 64, integer=True, max_ndim=0))
    total = int(in_range("bursts", bursts, 100, 10**6, integer=True, max_ndim=0))
    rng = np.random.default_rng(check_seed("seed", seed))
    env = simpy.Environment()
    cpu = simpy.Resource(env, capacity=1)
    state = {"computing": 0, "busy": 0.0, "since": 0.0, "bursts": 0, "io": 0.0}
    done = env.event()

    def change(delta: int) -> None:
        if state["computing"] > 0:
            state["busy"] += env.now - state["since"]
        state["since"] = env.now
        state["computing"] += delta

    def task():
        while True:
            started = env.now
            try:
                yield env.timeout(rng.exponential(p))  # I/O wait
            finally:
                state["io"] += env.now - started
            with (cpu.request() if shared_cpu else nullcontext()) as req:
                if req is not None:
                    yield req
                change(+1)
                yield env.timeout(rng.exponential(1.0 - p))  # CPU burst
                change(-1)
            state["bursts"] += 1
            if state["bursts"] >= total and not done.triggered:
                done.succeed()

    for _ in range(n):
        env.process(task())
    env.run(until=done)
    change(0)
    return {"busy": state["busy"] / env.now, "io_share": state["io"] / (n * env.now)}


_TASK_AXIS = np.arange(1, 17)


def utilization_curves(io_fraction: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Utilization against the number of tasks, both models (for an explorer).

    >>> c = utilization_curves(0.8)
    >>> round(float(c["independent tasks, 1 - p^n"][1][3]), 4)
    0.5904
    """
    return {
        "independent tasks, 1 - p^n": (_TASK_AXIS, cpu_utilization(io_fraction, _TASK_AXIS)),
        "one shared CPU (finite-source queue)": (_TASK_AXIS, cpu_utilization_one_cpu(io_fraction, _TASK_AXIS)),
    }


def utilization_table(io_fraction: float = 0.8, tasks: ArrayLike = (1, 2, 4, 8), seed: int = 0,
                      bursts: int = 20_000) -> pd.DataFrame:
    """Both formulas beside a SimPy simulation of tasks sharing one CPU.

    The two formulas read ``p`` differently. In ``1 - p**n`` it is the share of time a
    task spends in I/O in the running system; in the finite-source queue it is the
    share it would spend in I/O with the CPU to itself, ``w / (w + c)``. The table
    therefore also shows the I/O share the simulated tasks really had (``observed p``,
    lower, since a task also queues) and ``1 - p**n`` with that value plugged in.
    Each row has its own seed (``seed + n``).
    """
    if not isinstance(check_seed("seed", seed), int):
        raise ValueError(f"seed must be a whole number here (row n uses seed + n), got {seed!r}")
    ts = [int(n) for n in np.atleast_1d(in_range("tasks", tasks, 1, 64, integer=True)).ravel()]
    if len(ts) > 16:
        raise ValueError(f"tasks must list at most 16 sizes, got {len(ts)}")
    rows = []
    for n in ts:
        sim = simulate_cpu_shares(io_fraction, n, shared_cpu=True, bursts=bursts, seed=int(seed) + n)
        rows.append({
            "tasks": n,
            "1 - p^n": cpu_utilization(io_fraction, n),
            "finite-source queue": cpu_utilization_one_cpu(io_fraction, n),
            "simulated, one CPU": sim["busy"],
            "observed p": sim["io_share"],
            "1 - (observed p)^n": 1.0 - sim["io_share"] ** n,
        })
    return pd.DataFrame(rows).set_index("tasks")


# --- Thread-pool sizing ---------------------------------------------------------------


def pool_size(cores: ArrayLike, wait_time: ArrayLike, compute_time: ArrayLike) -> float | np.ndarray:
    """Threads that keep ``cores`` busy when each task waits ``wait_time`` for every
    ``compute_time`` it computes: ``cores * (1 + wait_time / compute_time)``.

    Parameters
    ----------
    cores : cores to keep busy, >= 1.
    wait_time : time a task spends waiting (I/O, remote calls) per task, >= 0.
    compute_time : CPU time per task, > 0, in the same unit as ``wait_time``.

    Returns
    -------
    The number of threads (not rounded).

    References
    ----------
    Goetz et al. 2006, section 8.2 (N_threads = N_cpu * U_cpu * (1 + W/C), with U_cpu = 1).

    >>> pool_size(8, 50, 5)
    88.0
    >>> pool_size(4, 0, 10)
    4.0
    """
    n = at_least("cores", cores, 1)
    w = at_least("wait_time", wait_time, 0)
    c = positive("compute_time", compute_time)
    return scalar(n * (1.0 + w / c))


def pool_throughput_per_s(threads: ArrayLike, cores: ArrayLike, wait_s: ArrayLike, compute_s: ArrayLike) -> float | np.ndarray:
    """Best-case throughput of a pool: ``min(threads / (wait + compute), cores / compute)``.

    Each thread completes at most one task per ``wait_s + compute_s``; the cores
    complete at most ``cores / compute_s`` tasks a second. The knee is at
    :func:`pool_size` threads.

    >>> pool_throughput_per_s(5, 1, 0.04, 0.01)
    100.0
    >>> pool_throughput_per_s(10, 1, 0.04, 0.01)
    100.0
    """
    t = at_least("threads", threads, 1)
    n = at_least("cores", cores, 1)
    w = at_least("wait_s", wait_s, 0)
    c = positive("compute_s", compute_s)
    return scalar(np.minimum(t / (w + c), n / c))


_THREAD_AXIS = np.unique(np.round(np.logspace(0, 10, 101, base=2)))  # 1 .. 1024 threads


def pool_curves(cores: int, wait_over_compute: float) -> dict[str, dict]:
    """Share of the cores a pool keeps busy, against the pool size (for an explorer).

    The share is pool throughput over its ceiling ``cores / compute``.

    >>> c = pool_curves(4, 9)
    >>> float(c["rule: cores x (1 + W/C)"]["x"][0])
    40.0
    >>> float(c["cores kept busy"]["y"][-1])
    1.0
    """
    ratio = float(at_least("wait_over_compute", wait_over_compute, 0, max_ndim=0))
    n = float(at_least("cores", cores, 1, integer=True, max_ndim=0))
    best = pool_size(n, ratio, 1.0)
    return {
        "cores kept busy": {"x": _THREAD_AXIS, "y": pool_throughput_per_s(_THREAD_AXIS, n, ratio, 1.0) / n, "mode": "lines"},
        "rule: cores x (1 + W/C)": {"x": np.array([best, best]), "y": np.array([0.0, 1.0]), "mode": "lines",
                                    "line": {"dash": "dot", "color": "grey"}},
    }


def sleep_task(wait_s: float) -> float:
    """An I/O-bound task: it only waits (``time.sleep`` releases the interpreter lock).

    ``wait_s`` is in seconds, in [0, MAX_TIMEOUT_S].
    """
    wait_s = number("wait_s", wait_s, 0, MAX_TIMEOUT_S)
    time.sleep(wait_s)
    return wait_s


def _timeout(name: str, value) -> float:
    return float(in_range(name, value, 0, MAX_TIMEOUT_S, low_open=True, max_ndim=0))


# --- Races ----------------------------------------------------------------------------


class _Account:
    def __init__(self) -> None:
        self.balance = 0


def lost_update(threads: int = 8, use_lock: bool = False, timeout_s: float = 5.0) -> dict[str, int]:
    """Each of ``threads`` threads adds 1 to a shared balance by read, pause, write.

    Without a lock, the pause is a barrier that every thread reaches after its read and
    before its write: the unlucky interleaving that a context switch can cause, made
    certain. Every thread then writes ``0 + 1`` and all but one update is lost. With a
    lock held from the read to the write no interleaving is possible (the pause is then
    a plain yield, since the others cannot reach a barrier while one holds the lock).

    Parameters
    ----------
    threads : whole number in [2, 64].
    use_lock : hold a ``threading.Lock`` around the read-modify-write.
    timeout_s : bound on every wait (barrier, join), seconds in (0, 300].

    Returns
    -------
    ``{"expected": threads, "final": balance, "lost": expected - final}``.

    >>> lost_update(4)
    {'expected': 4, 'final': 1, 'lost': 3}
    >>> lost_update(4, use_lock=True)
    {'expected': 4, 'final': 4, 'lost': 0}
    """
    n = int(in_range("threads", threads, 2, 64, integer=True, max_ndim=0))
    t_max = _timeout("timeout_s", timeout_s)
    account = _Account()
    lock = threading.Lock()
    barrier = threading.Barrier(n, timeout=t_max)

    def deposit() -> None:
        with lock if use_lock else nullcontext():
            seen = account.balance  # read
            if use_lock:
                time.sleep(0)  # yield: no one else can get in
            else:
                barrier.wait()  # everyone has read before anyone writes
            account.balance = seen + 1  # write

    run_threads([deposit] * n, t_max, on_timeout=barrier.abort)
    return {"expected": n, "final": account.balance, "lost": n - account.balance}


def racy_counter(threads: int = 4, increments: int = 200, use_lock: bool = False, timeout_s: float = 10.0) -> int:
    """Final count when ``threads`` threads each add 1 ``increments`` times, yielding
    (``time.sleep(0)``) between the read and the write, as a longer computation would.
    Without a lock the result is usually below ``threads * increments`` and varies
    from run to run; with the lock it is exact.

    >>> racy_counter(2, 50, use_lock=True)
    100
    """
    n = int(in_range("threads", threads, 1, 64, integer=True, max_ndim=0))
    k = int(in_range("increments", increments, 1, 100_000, integer=True, max_ndim=0))
    t_max = _timeout("timeout_s", timeout_s)
    account = _Account()
    lock = threading.Lock()
    stop = threading.Event()

    def work() -> None:
        for _ in range(k):
            if stop.is_set():
                return
            with lock if use_lock else nullcontext():
                seen = account.balance
                time.sleep(0)
                account.balance = seen + 1

    run_threads([work] * n, t_max, on_timeout=stop.set)
    return account.balance


def run_threads(targets: list, timeout_s: float, *, on_timeout=None, grace_s: float = 2.0) -> None:
    """Start one daemon thread per target, join them all by one deadline, and fail loudly.

    Parameters
    ----------
    targets : functions of no arguments, at most 1,024.
    timeout_s : the deadline for all of them, seconds in (0, :data:`MAX_TIMEOUT_S`].
    on_timeout : called once if the deadline passes, to make the threads end (abort a
        barrier, set a stop flag); the threads then get ``grace_s`` more seconds.
    grace_s : seconds in [0, 60].

    Raises
    ------
    TimeoutError
        Threads were still running at the deadline; the message says how many were
        still running after ``on_timeout`` and the grace period (0 when the cleanup
        worked). A thread cannot be killed in Python, so every target must bound its
        own waits.
    BaseException
        The first error a target raised, re-raised here.
    """
    t_max = _timeout("timeout_s", timeout_s)
    grace = float(in_range("grace_s", grace_s, 0, 60, max_ndim=0))
    if not isinstance(targets, (list, tuple)) or not all(callable(t) for t in targets):
        raise ValueError(f"targets must be a list of functions of no arguments, got {targets!r}"[:300])
    if len(targets) > 1024:
        raise ValueError(f"targets must hold at most 1024 functions, got {len(targets)}")
    errors: list[BaseException] = []

    def guard(fn):
        def run():
            try:
                fn()
            except BaseException as exc:  # reported in the caller's thread
                errors.append(exc)
        return run

    workers = [threading.Thread(target=guard(t), daemon=True) for t in targets]
    for w in workers:
        w.start()
    deadline = time.monotonic() + t_max
    for w in workers:
        w.join(max(0.0, deadline - time.monotonic()))
    stuck = sum(w.is_alive() for w in workers)
    if stuck:
        if on_timeout is not None:
            on_timeout()
        end = time.monotonic() + grace
        for w in workers:
            w.join(max(0.0, end - time.monotonic()))
        left = sum(w.is_alive() for w in workers)
        raise TimeoutError(f"{stuck} of {len(workers)} threads still running after {t_max!r} s; "
                           f"{left} still running after the cleanup")
    if errors:
        raise errors[0]


# --- Deadlock ---------------------------------------------------------------------------


def dining_philosophers(
    philosophers: int = 5,
    ordered: bool = False,
    acquire_timeout_s: float = 0.5,
    gather_s: float = 5.0,
    eat_s: float = 0.005,
) -> pd.DataFrame:
    """Run the dining philosophers once, for real, with a timeout on every lock.

    Philosopher ``i`` needs forks ``i`` and ``(i + 1) % n`` (one ``threading.Lock``
    each). Naively each takes the left fork, then the right. With ``ordered`` each takes
    the lower-numbered fork first: a global lock order, so no cycle of waits can form.

    To make the bad schedule certain rather than lucky, every philosopher first *tries*
    its first fork without waiting, and then all meet at a barrier (at most
    ``gather_s``) before anyone reaches for a second fork; one who found the first fork
    taken waits for it after the barrier. Naively every philosopher then holds one fork
    and waits for the next: a second fork not obtained within ``acquire_timeout_s``
    means a deadlock was detected, and no one puts a fork down until everyone has
    tried, so the verdict does not depend on how fast the threads run. With
    ``ordered`` a wait is for a fork that its holder will put down after eating, not a
    deadlock, so those waits are bounded more generously (``10 * acquire_timeout_s``
    plus the eating), and a loaded machine does not turn them into false alarms.

    Parameters
    ----------
    philosophers : whole number in [2, 16].
    ordered : take forks in global order (the fix).
    acquire_timeout_s, gather_s : seconds in (0, 30]; eat_s : seconds in (0, 1].

    Returns
    -------
    One row per philosopher: ``first fork``, ``second fork``, ``ate``, ``timed out``.

    References
    ----------
    Dijkstra 1971; Coffman et al., "System deadlocks", Computing Surveys 3(2), 1971.

    >>> dining_philosophers(3)["timed out"].tolist()
    [True, True, True]
    >>> dining_philosophers(3, ordered=True)["ate"].tolist()
    [True, True, True]
    """
    n = int(in_range("philosophers", philosophers, 2, 16, integer=True, max_ndim=0))
    t_acq = float(in_range("acquire_timeout_s", acquire_timeout_s, 0, 30, low_open=True, max_ndim=0))
    t_gather = float(in_range("gather_s", gather_s, 0, 30, low_open=True, max_ndim=0))
    t_eat = float(in_range("eat_s", eat_s, 0, 1, low_open=True, max_ndim=0))
    t_wait = 10 * t_acq + n * t_eat if ordered else t_acq  # the bound on a wait for a fork
    forks = [threading.Lock() for _ in range(n)]
    gathered = threading.Barrier(n, timeout=t_gather)
    decided = threading.Barrier(n, timeout=2 * t_wait + t_gather + n * t_eat + 1)
    rows = [None] * n

    def dine(i: int) -> None:
        left, right = i, (i + 1) % n
        first, second = (min(left, right), max(left, right)) if ordered else (left, right)
        ate = timed_out = False
        holding = forks[first].acquire(blocking=False)  # try, without waiting
        _wait(gathered)  # everyone has tried a first fork before anyone reaches for a second
        if not holding:
            holding = forks[first].acquire(timeout=t_wait)
        if holding:
            try:
                if forks[second].acquire(timeout=t_wait):
                    try:
                        time.sleep(t_eat)
                        ate = True
                    finally:
                        forks[second].release()
                else:
                    timed_out = True
                    _wait(decided)  # hold the fork until everyone has tried: a clean verdict
            finally:
                forks[first].release()
        else:
            timed_out = True
        if ate or not holding:
            _wait(decided)
        rows[i] = {"philosopher": i, "first fork": first, "second fork": second, "ate": ate, "timed out": timed_out}

    def wake() -> None:
        gathered.abort()
        decided.abort()

    run_threads([lambda i=i: dine(i) for i in range(n)], 3 * t_wait + t_gather + n * t_eat + 10, on_timeout=wake)
    return pd.DataFrame(rows).set_index("philosopher")


def _wait(barrier: threading.Barrier) -> None:
    """Wait at a barrier; a broken or timed-out barrier only ends the wait."""
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        pass


