"""Chapter 6 exercises: waiting for I/O, CPU utilization, pool sizing, channels, the event loop."""

from __future__ import annotations

from .. import concurrency, csp, eventloop
from . import Exercise, Mistake, register


def _loop_wait_ms() -> float:
    mean, second = eventloop.mixture_moments(0.001, 0.2, 0.01)
    return eventloop.pk_mean_wait_s(100, mean, second) * 1e3


register(
    Exercise(
        key="6.1",
        prompt="A core runs 3 billion cycles a second and retires, at its peak, 4 instructions a cycle. "
        "How many instructions could it run during one 100 microsecond SSD read, at that peak?",
        answer=lambda: concurrency.instructions_during_wait(100e-6, 3e9 * 4),
        unit="instructions",
        mistakes=(
            Mistake(3e5, "that counts one instruction a cycle; the question asks for the peak of 4 a cycle."),
            Mistake(4.5e5, "that is a typical 1.5 instructions a cycle; the question asks for the peak of 4."),
            Mistake(1.2e8, "that is a 10 ms disk read; an SSD read is 100 microseconds, a hundred times shorter."),
        ),
        hint="wait in seconds times instructions per second.",
    ),
    Exercise(
        key="6.2",
        prompt="Tasks wait for I/O 80% of the time. Under the independence model, how many "
        "tasks are needed for at least 90% CPU utilization?",
        answer=lambda: float(next(n for n in range(1, 1000) if concurrency.cpu_utilization(0.8, n) >= 0.9)),
        rel_tol=0.0,
        whole=True,
        unit="tasks",
        mistakes=(Mistake(10, "ten tasks give 1 - 0.8**10 = 0.893, just short of 90%: round up, not to the nearest."),),
        hint="Find the smallest whole n with 1 - 0.8**n >= 0.9.",
    ),
    Exercise(
        key="6.3",
        prompt="A service runs on 8 cores; each request computes for 5 ms and waits 45 ms "
        "for a database. What pool size does the sizing rule give? (A whole number.)",
        answer=lambda: concurrency.pool_size(8, 45, 5),
        rel_tol=0.0,
        whole=True,
        unit="threads",
        mistakes=(
            Mistake(72, "8 x 45/5 leaves out the 1: each thread also computes, so a core needs 1 + W/C threads."),
            Mistake(10, "that is the threads per core; the service has 8 cores."),
        ),
        hint="cores x (1 + wait / compute).",
    ),
    Exercise(
        key="6.4",
        prompt="A producer and a consumer both handle 200 values a second on average "
        "(exponential times). What throughput does a channel of capacity 3 give?",
        answer=lambda: csp.pipeline_throughput_per_s(200, 200, 3),
        unit="values/s",
        mistakes=(
            Mistake(200, "no buffer reaches the sides' own rate: with random times each side still waits for the "
                    "other now and then (the buffer is sometimes empty, sometimes full)."),
            Mistake(lambda: csp.pipeline_throughput_per_s(200, 200, 0),
                    "that is the unbuffered channel; capacity 3 lets the producer run ahead."),
        ),
        hint="With equal rates the throughput is mu (B + 2) / (B + 3).",
    ),
    Exercise(
        key="6.5",
        prompt="An event loop gets 100 requests a second; each takes 1 ms of callback, except "
        "1% that also sort for 200 ms on the loop. What is the mean wait (P-K) in ms?",
        answer=_loop_wait_ms,
        unit="ms",
        mistakes=(
            Mistake(lambda: eventloop.pk_mean_wait_s(100, 0.00299, 0.00299**2) * 1e3,
                    "that uses E[S]^2 for E[S^2], as if every callback took the mean time; the rare 200 ms "
                    "sorts count with the square of their length."),
            Mistake(lambda: eventloop.pk_mean_wait_s(100, 0.001, 1e-6) * 1e3,
                    "that is the wait with the sorts moved off the loop; here they run on it."),
        ),
        hint="E[S] = 0.99 x 1 ms + 0.01 x 200 ms (take the long callbacks as 200 ms in all); "
        "W = lambda E[S^2] / (2 (1 - lambda E[S])).",
    ),
    Exercise(
        key="6.6",
        prompt="Predict a measurement. On CPython with its interpreter lock, on a machine with 4 "
        "free cores, a batch of 8 pure-Python CPU-bound tasks runs first on a pool of 1 thread, then on a "
        "pool of 4 threads. About what speedup will the 4-thread pool show? (a) about 4x, (b) about 2x, "
        "(c) about 1x, (d) below 0.25x.",
        answer="c",
        choices={"a": "about 4x", "b": "about 2x", "c": "about 1x", "d": "below 0.25x"},
        mistakes=(
            Mistake("a", "4x is what 4 processes could give; threads share one interpreter lock, so only one "
                    "runs Python code at a time."),
            Mistake("b", "no share of the lock is gained: the threads take turns, they do not half overlap. (On a "
                    "busy machine more threads can win more of a contended CPU and show a wall-clock gain like "
                    "this; the CPUs kept busy, never above 1, show it is not parallelism.)"),
        ),
        hint="Which of the chapter's three workloads is this, and what did its curve do?",
    ),
    Exercise(
        key="6.7",
        prompt="Read a run. Eight asyncio tasks on one event loop each run "
        "`seen = balance; await asyncio.sleep(0); balance = seen + 1`, starting from balance 0, "
        "with no lock. What is the final balance?",
        answer=lambda: float(eventloop.async_lost_update(8)["final"]),
        rel_tol=0.0,
        whole=True,
        unit="",
        mistakes=(Mistake(8, "one thread does not make a read-modify-write safe: at the await every other task "
                          "runs its read before the first task writes."),),
        hint="Each task runs until its await. What has each task read by the time the first one writes?",
    ),
    Exercise(
        key="6.8",
        prompt="Choose a design. A Python service (CPython with its interpreter lock) runs on 8 cores as one "
        "process. Each request computes 10 ms of pure Python, then waits 40 ms for a database. By the rule "
        "cores x (1 + W/C), how many threads should its one pool have?",
        answer=lambda: concurrency.pool_size(1, 40, 10),
        rel_tol=0.0,
        whole=True,
        unit="threads",
        mistakes=(Mistake(40, "that counts 8 cores; one process's threads compute on one effective core: "
                          "the interpreter lock. For 8 cores of Python computing, run 8 processes of 5 threads."),),
        hint="How many cores can one CPython process's threads compute on at once?",
    ),
)
