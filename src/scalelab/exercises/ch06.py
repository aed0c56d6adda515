"""Chapter 6 exercises: waiting for I/O, CPU utilization, pool sizing, channels, the event loop."""

from __future__ import annotations

from .. import concurrency, csp, eventloop
from . import Exercise, register


def _loop_wait_ms() -> float:
    mean, second = eventloop.mixture_moments(0.001, 0.2, 0.01)
    return eventloop.pk_mean_wait_s(100, mean, second) * 1e3


register(
    Exercise(
        key="6.1",
        prompt="A core runs 3 billion cycles a second and retires 4 instructions a cycle. "
        "How many instructions could it run during one 100 microsecond SSD read?",
        answer=lambda: concurrency.instructions_during_wait(100e-6, 3e9 * 4),
        unit="instructions",
        hint="wait in seconds times instructions per second.",
    ),
    Exercise(
        key="6.2",
        prompt="Tasks wait for I/O 80% of the time. Under the independence model, how many "
        "tasks are needed for at least 90% CPU utilization?",
        answer=lambda: float(next(n for n in range(1, 1000) if concurrency.cpu_utilization(0.8, n) >= 0.9)),
        rel_tol=0.0,
        unit="tasks",
        hint="Find the smallest whole n with 1 - 0.8**n >= 0.9.",
    ),
    Exercise(
        key="6.3",
        prompt="A service runs on 8 cores; each request computes for 5 ms and waits 45 ms "
        "for a database. What pool size does the sizing rule give?",
        answer=lambda: concurrency.pool_size(8, 45, 5),
        unit="threads",
        hint="cores x (1 + wait / compute).",
    ),
    Exercise(
        key="6.4",
        prompt="A producer and a consumer both handle 200 values a second on average "
        "(exponential times). What throughput does a channel of capacity 3 give?",
        answer=lambda: csp.pipeline_throughput_per_s(200, 200, 3),
        unit="values/s",
        hint="With equal rates the throughput is mu (B + 2) / (B + 3).",
    ),
    Exercise(
        key="6.5",
        prompt="An event loop gets 100 requests a second; each takes 1 ms of callback, except "
        "1% that also sort for 200 ms on the loop. What is the mean wait (P-K) in ms?",
        answer=_loop_wait_ms,
        unit="ms",
        hint="E[S] = 0.99 x 1 ms + 0.01 x 200 ms (take the long callbacks as 200 ms in all); "
        "W = lambda E[S^2] / (2 (1 - lambda E[S])).",
    ),
)
