"""Chapter 3 exercises: Amdahl's law, Gustafson's law and the USL."""

from __future__ import annotations

from .. import amdahl
from . import Exercise, register

register(
    Exercise(
        key="3.1",
        prompt="A job is 10% serial. What speedup does Amdahl's law predict on 16 cores?",
        answer=lambda: amdahl.speedup(0.10, 16),
        hint="1 / (s + (1 - s) / n) with s = 0.1 and n = 16.",
    ),
    Exercise(
        key="3.2",
        prompt="With 2% of the work serial, how many cores reach 90% of the speedup limit?",
        answer=lambda: amdahl.cores_for_share_of_limit(0.02, 0.9),
        unit="cores",
        hint="The limit is 1/s; solve 1 / (s + (1 - s)/n) = 0.9 / s for n.",
    ),
    Exercise(
        key="3.3",
        prompt="A system fits the USL with contention 0.05 and coherency 0.001. "
        "At how many cores does its throughput peak?",
        answer=lambda: amdahl.usl_peak_cores(0.05, 0.001),
        unit="cores",
        hint="Set the derivative of N / (1 + a(N-1) + bN(N-1)) to zero: N* = sqrt((1 - a) / b).",
    ),
    Exercise(
        key="3.4",
        prompt="On 64 cores a run spends 5% of its time in serial code. What scaled "
        "speedup does Gustafson's law give?",
        answer=lambda: amdahl.gustafson_speedup(0.05, 64),
        hint="n - s (n - 1).",
    ),
)
