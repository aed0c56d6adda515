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

import concurrent.futures as cf
import math
import threading
import time
from contextlib import nullcontext

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ._validate import at_least, in_range, positive, scalar
from .parallel import available_cores, burn

__all__ = [
    "instructions_during_wait",
    "DEVICES",
    "io_wait_curves",
    "source_wait_table",
    "cpu_utilization",
    "cpu_utilization_one_cpu",
    "simulate_cpu_utilization",
    "utilization_curves",
    "utilization_table",
    "pool_size",
    "pool_throughput_per_s",
    "pool_curves",
    "measure_overlap",
    "overlap_figure",
    "lost_update",
    "racy_counter",
    "dining_philosophers",
    "measure_pool",
    "pool_figure",
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
    rate = float(positive("mips", mips)) * 1e6 * float(at_least("cores", cores, 1, integer=True))
    waits = np.array(list(DEVICES.values()))
    return {
        "instructions lost": {"x": _WAIT_AXIS, "y": instructions_during_wait(_WAIT_AXIS, rate), "mode": "lines"},
        "typical waits": {
            "x": waits, "y": instructions_during_wait(waits, rate), "mode": "markers+text",
            "text": list(DEVICES), "marker": {"size": 9},
            "textposition": ["top right", "bottom right", "top left", "bottom right", "top left"],
        },
    }


def source_wait_table() -> pd.DataFrame:
    """The source's 80386 arithmetic beside the same arithmetic for today's hardware.

    Rates: an 80386 at 16 MHz (its 1985 launch speed, about 4 MIPS measured at 20 MHz),
    the source's 10 MIPS, a 33 MHz 80386 (about 11.4 MIPS), and one modern core at
    3 GHz retiring 4 instructions a cycle (12,000 MIPS).
    """
    cpus = {
        "80386, 1985 launch (about 4 MIPS)": 4e6,
        "the source's 80386 (10 MIPS)": 10e6,
        "80386 at 33 MHz (about 11.4 MIPS)": 11.4e6,
        "modern core (3 GHz x 4 per cycle)": 12e9,
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
    """Simulate ``tasks`` tasks alternating CPU bursts and I/O waits (SimPy).

    Bursts and waits are exponential with means ``1 - io_fraction`` and ``io_fraction``
    (time units). With ``shared_cpu`` the tasks queue for one CPU (a SimPy resource);
    without it each task computes on its own, so the tasks are independent, and the
    "CPU" counts as busy whenever at least one task computes: the assumption behind
    ``1 - p**n``.

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
    import simpy

    p = float(in_range("io_fraction", io_fraction, 0, 1, low_open=True, high_open=True))
    n = int(in_range("tasks", tasks, 1, 64, integer=True))
    total = int(in_range("bursts", bursts, 100, 10**6, integer=True))
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    cpu = simpy.Resource(env, capacity=1)
    state = {"computing": 0, "busy": 0.0, "since": 0.0, "bursts": 0}
    done = env.event()

    def change(delta: int) -> None:
        if state["computing"] > 0:
            state["busy"] += env.now - state["since"]
        state["since"] = env.now
        state["computing"] += delta

    def task():
        while True:
            yield env.timeout(rng.exponential(p))  # I/O wait
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
    return state["busy"] / env.now


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


def utilization_table(io_fraction: float = 0.8, tasks: ArrayLike = (1, 2, 4, 8), seed: int = 0) -> pd.DataFrame:
    """Both formulas beside SimPy simulations of both situations."""
    rows = []
    for n in np.atleast_1d(tasks):
        n = int(n)
        rows.append({
            "tasks": n,
            "1 - p^n": cpu_utilization(io_fraction, n),
            "simulated, independent": simulate_cpu_utilization(io_fraction, n, shared_cpu=False, seed=seed),
            "finite-source queue": cpu_utilization_one_cpu(io_fraction, n),
            "simulated, one CPU": simulate_cpu_utilization(io_fraction, n, shared_cpu=True, seed=seed),
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
    ratio = float(at_least("wait_over_compute", wait_over_compute, 0))
    n = float(at_least("cores", cores, 1))
    best = pool_size(n, ratio, 1.0)
    return {
        "cores kept busy": {"x": _THREAD_AXIS, "y": pool_throughput_per_s(_THREAD_AXIS, n, ratio, 1.0) / n, "mode": "lines"},
        "rule: cores x (1 + W/C)": {"x": np.array([best, best]), "y": np.array([0.0, 1.0]), "mode": "lines",
                                    "line": {"dash": "dot", "color": "grey"}},
    }


# --- Measurements: threads and processes ------------------------------------------------


def sleep_task(wait_s: float) -> float:
    """An I/O-bound task: it only waits (``time.sleep`` releases the interpreter lock)."""
    time.sleep(wait_s)
    return wait_s


def _iterations_for(seconds: float) -> int:
    n = 20_000
    start = time.perf_counter()
    burn(n)
    best = time.perf_counter() - start
    start = time.perf_counter()
    burn(n)
    best = min(best, time.perf_counter() - start)
    return max(1, int(n * seconds / best))


def _run_batch(executor: str, workers: int, fn, args: list, timeout_s: float) -> float:
    pool_cls = cf.ThreadPoolExecutor if executor == "threads" else cf.ProcessPoolExecutor
    with pool_cls(max_workers=workers) as pool:
        list(pool.map(sleep_task, [0.02] * workers))  # start every worker before timing
        start = time.perf_counter()
        futures = [pool.submit(fn, a) for a in args]
        _, pending = cf.wait(futures, timeout=timeout_s)
        if pending:
            for f in pending:
                f.cancel()
            raise TimeoutError(f"{len(pending)} tasks on {workers} {executor} took longer than {timeout_s} s")
        return time.perf_counter() - start


def measure_overlap(
    workers: ArrayLike = (1, 2, 4, 8),
    io_tasks: int = 16,
    io_wait_s: float = 0.02,
    cpu_tasks: int = 4,
    cpu_task_s: float = 0.05,
    timeout_s: float = 20.0,
) -> pd.DataFrame:
    """Time I/O-bound tasks on threads, and CPU-bound tasks on threads and on processes.

    Each batch runs a fixed set of tasks on a pool of ``w`` workers; speedup is the
    one-worker time over the ``w``-worker time.

    Parameters
    ----------
    workers : pool sizes to try, whole numbers in [1, 32].
    io_tasks, io_wait_s : I/O-bound tasks (each sleeps ``io_wait_s``, in (0, 0.2]).
    cpu_tasks, cpu_task_s : CPU-bound tasks (a pure-Python loop of about ``cpu_task_s``
        seconds, in (0, 0.2]).
    timeout_s : a batch that takes longer raises ``TimeoutError``.

    Returns
    -------
    DataFrame with ``workload``, ``workers``, ``seconds``, ``speedup``.
    """
    ws = [int(w) for w in np.atleast_1d(in_range("workers", workers, 1, 32, integer=True))]
    n_io = int(in_range("io_tasks", io_tasks, 1, 256, integer=True))
    wait = float(in_range("io_wait_s", io_wait_s, 0, 0.2, low_open=True))
    n_cpu = int(in_range("cpu_tasks", cpu_tasks, 1, 64, integer=True))
    work = float(in_range("cpu_task_s", cpu_task_s, 0, 0.2, low_open=True))
    t_max = float(positive("timeout_s", timeout_s))
    iterations = _iterations_for(work)
    batches = {
        "I/O-bound on threads": ("threads", sleep_task, [wait] * n_io),
        "CPU-bound on threads": ("threads", burn, [iterations] * n_cpu),
        "CPU-bound on processes": ("processes", burn, [iterations] * n_cpu),
    }
    rows = []
    for name, (executor, fn, args) in batches.items():
        for w in ws:
            rows.append({"workload": name, "workers": w, "seconds": _run_batch(executor, w, fn, args, t_max)})
    table = pd.DataFrame(rows)
    first = table.groupby("workload")["seconds"].transform("first")
    table["speedup"] = first / table["seconds"]
    return table


def overlap_figure(measured: pd.DataFrame):
    """Measured speedup of each workload against the pool size, as a displayable figure."""
    import plotly.graph_objects as go

    from .explorer import show

    top = int(measured["workers"].max())
    fig = go.Figure(
        [go.Scatter(x=g["workers"], y=g["speedup"], mode="markers+lines", name=name)
         for name, g in measured.groupby("workload", sort=False)]
        + [go.Scatter(x=np.arange(1, top + 1), y=np.arange(1, top + 1), name="ideal", mode="lines",
                      line={"dash": "dot", "color": "grey"})],
        {
            "title": {"text": f"Speedup on this machine ({available_cores()} cores available)"},
            "xaxis": {"title": {"text": "workers in the pool"}, "type": "log", "tickvals": sorted(set(measured["workers"]))},
            "yaxis": {"title": {"text": "speedup"}, "rangemode": "tozero"},
            "template": "plotly_white", "height": 420,
            "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        },
    )
    return show(fig)


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
    timeout_s : bound on every wait (barrier, join), > 0.

    Returns
    -------
    ``{"expected": threads, "final": balance, "lost": expected - final}``.

    >>> lost_update(4)
    {'expected': 4, 'final': 1, 'lost': 3}
    >>> lost_update(4, use_lock=True)
    {'expected': 4, 'final': 4, 'lost': 0}
    """
    n = int(in_range("threads", threads, 2, 64, integer=True))
    t_max = float(positive("timeout_s", timeout_s))
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

    run_threads([deposit] * n, t_max)
    return {"expected": n, "final": account.balance, "lost": n - account.balance}


def racy_counter(threads: int = 4, increments: int = 200, use_lock: bool = False, timeout_s: float = 10.0) -> int:
    """Final count when ``threads`` threads each add 1 ``increments`` times, yielding
    (``time.sleep(0)``) between the read and the write, as a longer computation would.
    Without a lock the result is usually below ``threads * increments`` and varies
    from run to run; with the lock it is exact.

    >>> racy_counter(2, 50, use_lock=True)
    100
    """
    n = int(in_range("threads", threads, 1, 64, integer=True))
    k = int(in_range("increments", increments, 1, 100_000, integer=True))
    t_max = float(positive("timeout_s", timeout_s))
    account = _Account()
    lock = threading.Lock()

    def work() -> None:
        for _ in range(k):
            with lock if use_lock else nullcontext():
                seen = account.balance
                time.sleep(0)
                account.balance = seen + 1

    run_threads([work] * n, t_max)
    return account.balance


def run_threads(targets: list, timeout_s: float) -> None:
    """Start daemon threads, join each with a deadline, and fail loudly if one is stuck."""
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
    deadline = time.monotonic() + timeout_s
    for w in workers:
        w.join(max(0.0, deadline - time.monotonic()))
    if any(w.is_alive() for w in workers):
        raise TimeoutError(f"threads still running after {timeout_s} s")
    if errors:
        raise errors[0]


# --- Deadlock ---------------------------------------------------------------------------


def dining_philosophers(
    philosophers: int = 5,
    ordered: bool = False,
    acquire_timeout_s: float = 0.5,
    gather_s: float = 0.2,
    eat_s: float = 0.005,
) -> pd.DataFrame:
    """Run the dining philosophers once, for real, with a timeout on every lock.

    Philosopher ``i`` needs forks ``i`` and ``(i + 1) % n`` (one ``threading.Lock``
    each). Naively each takes the left fork, then the right. With ``ordered`` each takes
    the lower-numbered fork first: a global lock order, so no cycle of waits can form.
    To make the bad schedule certain rather than lucky, every philosopher waits (at most
    ``gather_s``) until all hold their first fork before reaching for the second. A
    second fork not obtained within ``acquire_timeout_s`` means a deadlock was detected:
    the philosopher puts the first fork down and gives up.

    Parameters
    ----------
    philosophers : whole number in [2, 16].
    ordered : take forks in global order (the fix).
    acquire_timeout_s, gather_s, eat_s : seconds, > 0.

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
    n = int(in_range("philosophers", philosophers, 2, 16, integer=True))
    t_acq = float(positive("acquire_timeout_s", acquire_timeout_s))
    t_gather = float(positive("gather_s", gather_s))
    t_eat = float(positive("eat_s", eat_s))
    forks = [threading.Lock() for _ in range(n)]
    gathered = threading.Barrier(n, timeout=t_gather)
    decided = threading.Barrier(n, timeout=t_acq + t_gather + n * t_eat + 1)
    rows = [None] * n

    def dine(i: int) -> None:
        left, right = i, (i + 1) % n
        first, second = (min(left, right), max(left, right)) if ordered else (left, right)
        ate = timed_out = waited = False
        if forks[first].acquire(timeout=t_acq + t_gather + n * t_eat):
            try:
                try:
                    gathered.wait()
                except threading.BrokenBarrierError:
                    pass  # someone could not get a first fork: no full gathering
                if forks[second].acquire(timeout=t_acq):
                    try:
                        time.sleep(t_eat)
                        ate = True
                    finally:
                        forks[second].release()
                else:
                    timed_out = True
                    _wait(decided)  # hold the fork until everyone has tried: a clean verdict
                    waited = True
            finally:
                forks[first].release()
        else:
            timed_out = True
        if not waited:
            _wait(decided)
        rows[i] = {"philosopher": i, "first fork": first, "second fork": second, "ate": ate, "timed out": timed_out}

    run_threads([lambda i=i: dine(i) for i in range(n)], 4 * (t_acq + t_gather) + n * t_eat + 5)
    return pd.DataFrame(rows).set_index("philosopher")


def _wait(barrier: threading.Barrier) -> None:
    """Wait at a barrier; a broken or timed-out barrier only ends the wait."""
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        pass


# --- A measured pool --------------------------------------------------------------------


def _mixed_task(args: tuple[int, float]) -> None:
    iterations, wait_s = args
    burn(iterations)
    time.sleep(wait_s)


def measure_pool(
    threads: ArrayLike = (1, 2, 3, 4, 5, 6, 8),
    tasks: int = 24,
    compute_s: float = 0.01,
    wait_s: float = 0.04,
    timeout_s: float = 20.0,
) -> pd.DataFrame:
    """Throughput of a thread pool running tasks that compute, then wait.

    In CPython only one thread runs Python code at a time, so a thread pool has one
    effective core for the compute part: the sizing rule predicts its best size at
    ``pool_size(1, wait_s, compute_s)``.

    Parameters
    ----------
    threads : pool sizes to try, whole numbers in [1, 64].
    tasks : tasks per pool size, in [1, 1000].
    compute_s, wait_s : per task, seconds, in (0, 0.2] and [0, 0.5].
    timeout_s : per pool size.

    Returns
    -------
    DataFrame with ``threads``, ``seconds``, ``throughput_per_s`` and ``model_per_s``
    (:func:`pool_throughput_per_s` with one core).
    """
    ts = [int(t) for t in np.atleast_1d(in_range("threads", threads, 1, 64, integer=True))]
    n = int(in_range("tasks", tasks, 1, 1000, integer=True))
    c = float(in_range("compute_s", compute_s, 0, 0.2, low_open=True))
    w = float(in_range("wait_s", wait_s, 0, 0.5))
    t_max = float(positive("timeout_s", timeout_s))
    work = [(_iterations_for(c), w)] * n
    rows = []
    for t in ts:
        seconds = _run_batch("threads", t, _mixed_task, work, t_max)
        rows.append({"threads": t, "seconds": seconds, "throughput_per_s": n / seconds})
    table = pd.DataFrame(rows)
    table["model_per_s"] = pool_throughput_per_s(table["threads"].to_numpy(), 1, w, c)
    return table


def pool_figure(measured: pd.DataFrame, compute_s: float = 0.01, wait_s: float = 0.04):
    """Measured pool throughput beside the model and the sizing rule's pool size."""
    import plotly.graph_objects as go

    from .explorer import show

    best = pool_size(1, wait_s, compute_s)
    t = np.arange(1, int(measured["threads"].max()) + 1)
    model = pool_throughput_per_s(t, 1, wait_s, compute_s)
    fig = go.Figure(
        [
            go.Scatter(x=measured["threads"], y=measured["throughput_per_s"], mode="markers+lines", name="measured"),
            go.Scatter(x=t, y=model, name="model, one effective core", line={"dash": "dash"}),
            go.Scatter(x=[best, best], y=[0, float(model.max()) * 1.1], mode="lines",
                       name=f"rule: 1 x (1 + W/C) = {best:g} threads", line={"dash": "dot", "color": "grey"}),
        ],
        {
            "title": {"text": f"A thread pool: tasks compute {compute_s * 1e3:g} ms, then wait {wait_s * 1e3:g} ms"},
            "xaxis": {"title": {"text": "threads in the pool"}, "dtick": 1},
            "yaxis": {"title": {"text": "tasks per second"}, "rangemode": "tozero"},
            "template": "plotly_white", "height": 420,
            "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        },
    )
    return show(fig)
