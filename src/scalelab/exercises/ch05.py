"""Chapter 5 exercises: timeouts, retries, Two Generals, drift and NTP."""

from __future__ import annotations

from .. import clocks, consensus, failures
from . import Exercise, register

register(
    Exercise(
        key="5.1",
        prompt="Latency is log-normal with median 20 ms and sigma 0.5. What is the shortest "
        "timeout, in milliseconds, that suspects a healthy server at most once in 1,000 requests?",
        answer=lambda: 1000 * failures.timeout_for_false_suspicion(0.001, 0.020, 0.5),
        unit="ms",
        hint="T = median * exp(sigma * z), with z the standard normal quantile of 0.999 (3.09).",
    ),
    Exercise(
        key="5.2",
        prompt="A client retries a payment up to 3 times; requests and replies are each lost "
        "with probability 0.1, and the server keeps no idempotency keys. How many duplicate "
        "charges do you expect per 1,000 payments?",
        answer=lambda: 1000 * failures.retry_outcomes(0.1, 0.1, 3)["expected_duplicates"],
        unit="charges",
        hint="Attempt i happens with probability 0.19^(i-1) and charges with probability 0.9; "
        "subtract the first charge (probability 1 - 0.1^3).",
    ),
    Exercise(
        key="5.3",
        prompt="Each messenger is captured with probability 0.3. How many messengers must "
        "carry the same message so that at least one arrives with probability 99.9%?",
        answer=lambda: consensus.messengers_needed(0.3, 0.999),
        rel_tol=0.0,
        unit="messengers",
        hint="Solve 1 - 0.3^k >= 0.999 for the smallest whole k.",
    ),
    Exercise(
        key="5.4",
        prompt="A server's quartz clock runs 35 ppm fast and is never synchronized. How many "
        "seconds ahead is it after one week?",
        answer=lambda: clocks.drift_seconds(35, 7 * clocks.SECONDS_PER_DAY),
        unit="s",
        hint="ppm * 1e-6 * seconds elapsed; a week is 604,800 s.",
    ),
    Exercise(
        key="5.5",
        prompt="An NTP exchange gives t1 = 0.000, t2 = 5.030, t3 = 5.031, t4 = 0.061 (seconds). "
        "What offset, in seconds, does the client estimate for the server's clock?",
        answer=lambda: clocks.ntp_offset_delay(0.000, 5.030, 5.031, 0.061)[0],
        unit="s",
        hint="((t2 - t1) + (t3 - t4)) / 2.",
    ),
)
