"""Chapter 3 exercises: Amdahl's law, Gustafson's law and the USL."""

from __future__ import annotations

from .. import amdahl
from . import Exercise, Mistake, register

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
        mistakes=(Mistake(lambda: amdahl.speedup(0.05, 64),
                          "that is Amdahl's law with s = 0.05, yet 5% is this run's serial share on 64 "
                          "cores; on one core the same run is only 0.05 / 60.85 = 0.08% serial, and "
                          "Amdahl's law with that fraction gives Gustafson's answer"),),
    ),
    Exercise(
        key="3.5",
        prompt="The same run: what share of its one-core run time is serial (Amdahl's s)?",
        answer=lambda: amdahl.amdahl_fraction_from_gustafson(0.05, 64),
        hint="One core runs the serial part (0.05) and all 64 cores' parallel work (0.95 x 64).",
        mistakes=(Mistake(0.05, "0.05 is the share on 64 cores; on one core the parallel part takes "
                          "64 times longer, so the serial share is much smaller"),),
    ),
    Exercise(
        key="3.6",
        prompt="Predict the measurement: a job with s = 0.2 runs with 4 worker processes on a "
        "machine whose usable CPU count is 2 (affinity 4, cgroup quota 2). What speedup over one "
        "worker does Amdahl's law predict?",
        answer=lambda: amdahl.speedup(0.2, 2),
        hint="Workers beyond the usable CPUs take turns; count the CPUs, not the workers.",
        mistakes=(Mistake(lambda: amdahl.speedup(0.2, 4),
                          "that counts 4 cores; a quota of 2 CPUs lets the 4 processes use only "
                          "2 CPUs' worth of time between them"),),
    ),
    Exercise(
        key="3.7",
        prompt="A service's load tests fit the USL with contention 0.05 and coherency 0.002. It "
        "runs on 16 cores. What does moving it to a 64-core machine do to its throughput?",
        answer="c",
        choices={
            "a": "about four times as much: four times the cores",
            "b": "a little more, as Amdahl's law with s = 0.05 predicts (from 9.1 to 15.4)",
            "c": "less than on 16 cores: the peak is near 22 cores, and past it coherency costs more than a core adds",
            "d": "the same: past the peak throughput stays flat",
        },
        mistakes=(
            Mistake("a", "linear scaling ignores both contention and coherency"),
            Mistake("b", "that ignores coherency: with kappa > 0 the USL has a peak, here at "
                    "sqrt(0.95 / 0.002) = 21.8 cores, and falls past it"),
            Mistake("d", "past the peak the USL does not level off, it falls: the n(n-1) term keeps growing"),
        ),
        hint="Find the peak sqrt((1 - sigma) / kappa), then compare C(16) with C(64).",
    ),
)
