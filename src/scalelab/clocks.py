"""Time on many machines: drift, NTP, time-of-day vs monotonic clocks, logical clocks.

* **Drift.** A quartz oscillator runs fast or slow by some parts per million (ppm);
  one ppm is 1 microsecond per second, 86.4 ms per day.
* **NTP.** A client timestamps a request (t1) and its reply (t4); the server
  timestamps their arrival (t2) and departure (t3). RFC 5905 estimates the clock
  offset as ``((t2 - t1) + (t3 - t4)) / 2`` and the round-trip delay as
  ``(t4 - t1) - (t3 - t2)``. The estimate assumes equal delays both ways; an
  asymmetric path makes it wrong by half the difference, at most half the delay.
  Errors add up down the stratum hierarchy.
* **Two clocks per machine.** The time-of-day clock can be stepped (set back or
  forward) by NTP or an administrator; the monotonic clock never goes back. Durations
  belong on the monotonic clock. :class:`SimulatedClocks` and :class:`InjectedWallClock`
  show why without needing root to set the real clock.
* **Logical clocks.** Lamport (1978) and vector clocks (Fidge 1988, Mattern 1989) order
  events by cause rather than by reading a clock; vector clocks also detect events
  that are concurrent.

References
----------
- D. Mills, J. Martin, J. Burbank and W. Kasch, "Network Time Protocol Version 4:
  Protocol and Algorithms Specification", RFC 5905, IETF, 2010 (sections 8 and 11.2).
- L. Lamport, "Time, clocks, and the ordering of events in a distributed system",
  *Communications of the ACM* 21(7):558-565, 1978.
- C. J. Fidge, "Timestamps in message-passing systems that preserve the partial
  ordering", *Australian Computer Science Conference*, 1988; F. Mattern, "Virtual time
  and global states of distributed systems", *Parallel and Distributed Algorithms*, 1989.
- N. Minar, "A survey of the NTP network", MIT Media Lab, 1999 (at least 175,000 hosts).
- I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, ch. 3.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
from numpy.typing import ArrayLike

from ._validate import at_least, count, in_range, probability, scalar, seed as check_seed
from .palette import BLUE, GREEN, GREY, GUIDE, ORANGE, TEMPLATE

__all__ = [
    "SECONDS_PER_DAY",
    "MAX_STEP_REPEATS",
    "injected_step_report",
    "drift_seconds",
    "drift_curves",
    "ntp_offset_delay",
    "ntp_timestamps",
    "asymmetry_error_s",
    "stratum_error_bound_s",
    "stratum_error_rms_s",
    "stratum_error_simulated_s",
    "stratum_curves",
    "slew_time_s",
    "SimulatedClocks",
    "duration_across_step",
    "InjectedWallClock",
    "measure_across_injected_step",
    "clock_info_table",
    "Event",
    "EXAMPLE_EXCHANGE",
    "random_exchange",
    "lamport_timestamps",
    "vector_timestamps",
    "vector_order",
    "happened_before",
    "logical_clock_table",
    "compare_events",
    "check_against_happened_before",
    "spacetime_figure",
]

SECONDS_PER_DAY = 86_400.0


def drift_seconds(ppm: ArrayLike, elapsed_s: ArrayLike) -> float | np.ndarray:
    """Time a clock gains (positive ``ppm``) or loses (negative) over ``elapsed_s``.

    A rate error of ``ppm`` parts per million adds ``ppm * 1e-6`` seconds per second.

    Parameters
    ----------
    ppm : rate error in parts per million, in [-1e6, 1e6]; quartz in computers is
        typically within +-20 to 50 ppm.
    elapsed_s : true time elapsed, seconds, >= 0.

    Returns
    -------
    Clock error in seconds (same sign as ``ppm``).

    References
    ----------
    RFC 5905, section 11 (frequency tolerance: NTP assumes at most 500 ppm).

    >>> round(drift_seconds(1, SECONDS_PER_DAY), 4)   # 1 ppm is 86.4 ms a day
    0.0864
    >>> round(drift_seconds(-50, SECONDS_PER_DAY), 2)
    -4.32
    """
    r = in_range("ppm", ppm, -1e6, 1e6)
    t = at_least("elapsed_s", elapsed_s, 0)
    return scalar(r * 1e-6 * t)


#: Most random draws of one simulation (trials x hops), and most events of an exchange.
MAX_DRAWS = 10_000_000
MAX_EVENTS = 1_000

DRIFT_HOURS = np.linspace(0, 48, 193)  # every 15 minutes over two days


def drift_curves(ppm_a: float, ppm_b: float, sync_every_h: float) -> dict:
    """Explorer model: two clocks drifting from true time, optionally reset by NTP.

    ``sync_every_h = 0`` means never synchronized; otherwise each clock is set back to
    true time every ``sync_every_h`` hours (an ideal sync with no residual error).
    Errors in seconds against hours.

    >>> c = drift_curves(20, -30, 0)
    >>> round(float(c["A minus B"]["y"][-1]), 3)   # 50 ppm apart for 48 h
    8.64
    """
    ppm_a = float(in_range("ppm_a", ppm_a, -1e6, 1e6, max_ndim=0))
    ppm_b = float(in_range("ppm_b", ppm_b, -1e6, 1e6, max_ndim=0))
    sync = float(at_least("sync_every_h", sync_every_h, 0, max_ndim=0))
    h = DRIFT_HOURS
    since_sync = h
    if sync > 0:
        # Each sync is drawn as a vertical drop: the full drift just before it, 0 at it,
        # so the sawtooth's peaks are the real worst case, not the last sample before.
        resets = np.arange(sync, h[-1] + 1e-9, sync)
        before = np.concatenate([h, resets])
        order = np.argsort(before, kind="stable")
        h = before[order]
        since_sync = np.concatenate([np.mod(DRIFT_HOURS, sync), np.full(resets.size, sync)])[order]
        # a reset time on the grid sorts after its "just before" twin (stable sort keeps
        # grid points first), so swap each such pair: the peak comes before the drop
        on_grid = np.flatnonzero((np.diff(h) == 0) & (since_sync[:-1] < since_sync[1:]))
        since_sync[on_grid], since_sync[on_grid + 1] = since_sync[on_grid + 1], since_sync[on_grid].copy()
    a = drift_seconds(ppm_a, since_sync * 3600)
    b = drift_seconds(ppm_b, since_sync * 3600)
    return {
        "clock A minus true time": (h, a),
        "clock B minus true time": (h, b),
        "A minus B": dict(x=h, y=a - b, line={"dash": "dot", "width": 3}),
    }


def ntp_offset_delay(t1: float, t2: float, t3: float, t4: float) -> tuple[float, float]:
    """Clock offset and round-trip delay from one NTP exchange (RFC 5905).

    Parameters
    ----------
    t1 : client's clock when the request left, seconds.
    t2 : server's clock when the request arrived.
    t3 : server's clock when the reply left (>= t2).
    t4 : client's clock when the reply arrived (>= t1).

    Returns
    -------
    ``(offset, delay)``: ``offset = ((t2 - t1) + (t3 - t4)) / 2``, the server's clock
    minus the client's; ``delay = (t4 - t1) - (t3 - t2)``, the time spent on the
    network. Offset is exact only if the two directions take equal time.

    References
    ----------
    RFC 5905, section 8 (on-wire protocol).

    >>> ntp_offset_delay(10.000, 10.120, 10.121, 10.041)
    (0.1, 0.04)
    """
    ts = [float(in_range(name, v, -1e18, 1e18, max_ndim=0))  # finite numbers
          for name, v in zip(("t1", "t2", "t3", "t4"), (t1, t2, t3, t4))]
    t1f, t2f, t3f, t4f = ts
    if t4f < t1f:
        raise ValueError(f"t4 must be >= t1 (the reply cannot reach the client before the request left), got t1={t1f:g}, t4={t4f:g}")
    if t3f < t2f:
        raise ValueError(f"t3 must be >= t2 (the server cannot reply before the request arrived), got t2={t2f:g}, t3={t3f:g}")
    offset = ((t2f - t1f) + (t3f - t4f)) / 2
    delay = (t4f - t1f) - (t3f - t2f)
    return round(offset, 12), round(delay, 12)


def ntp_timestamps(offset_s: float, outbound_s: float, return_s: float, processing_s: float = 0.0,
                   t1: float = 0.0) -> tuple[float, float, float, float]:
    """The four timestamps of an NTP exchange with a known true offset and path delays.

    The server's clock reads ``offset_s`` more than the client's.

    >>> ntp_timestamps(0.1, 0.03, 0.01, 0.001, t1=10.0)
    (10.0, 10.13, 10.131, 10.041)
    """
    o = float(in_range("offset_s", offset_s, -1e9, 1e9, max_ndim=0))
    up = float(at_least("outbound_s", outbound_s, 0, max_ndim=0))
    down = float(at_least("return_s", return_s, 0, max_ndim=0))
    proc = float(at_least("processing_s", processing_s, 0, max_ndim=0))
    t1f = float(in_range("t1", t1, -1e18, 1e18, max_ndim=0))
    t2 = t1f + up + o
    t3 = t2 + proc
    t4 = t1f + up + proc + down
    return tuple(round(v, 12) for v in (t1f, t2, t3, t4))


def asymmetry_error_s(outbound_s: ArrayLike, return_s: ArrayLike) -> float | np.ndarray:
    """Error of the NTP offset estimate caused by unequal path delays: ``(out - back) / 2``.

    Its size is at most half the round-trip delay (all delay one way).

    >>> round(asymmetry_error_s(0.03, 0.01), 6)
    0.01
    """
    up = at_least("outbound_s", outbound_s, 0)
    down = at_least("return_s", return_s, 0)
    return scalar((up - down) / 2)


def stratum_error_bound_s(stratum: ArrayLike, round_trip_s: float, reference_error_s: float = 1e-6) -> float | np.ndarray:
    """Worst-case offset error of a server at ``stratum``: half of every hop's delay, added.

    A stratum-1 server reads a reference clock (error ``reference_error_s``); a stratum-k
    server is k - 1 network hops below, each able to add up to half its round-trip delay
    (RFC 5905's root distance adds half the root delay in the same way).

    >>> round(stratum_error_bound_s(3, 0.020) * 1000, 3)   # ms
    20.001
    """
    k = in_range("stratum", stratum, 1, 15)
    rtt = float(at_least("round_trip_s", round_trip_s, 0, max_ndim=0))
    ref = float(at_least("reference_error_s", reference_error_s, 0, max_ndim=0))
    return scalar(ref + (k - 1) * rtt / 2)


def stratum_error_rms_s(stratum: ArrayLike, round_trip_s: float, asymmetry: float,
                        reference_error_s: float = 1e-6) -> float | np.ndarray:
    """Typical (root-mean-square) offset error at ``stratum`` when each hop's error is random.

    Each hop's outbound share of its round trip is uniform in ``[(1 - asymmetry)/2,
    (1 + asymmetry)/2]``, so its error is uniform in ``+-asymmetry * rtt / 2`` with RMS
    ``asymmetry * rtt / (2 sqrt 3)``. Independent errors add in quadrature: the RMS grows
    as ``sqrt(k - 1)`` while the worst case grows as ``k - 1``.

    >>> round(stratum_error_rms_s(5, 0.020, 1.0) * 1000, 2)   # ms, sqrt(4) * 10 / sqrt(3)
    11.55
    """
    k = in_range("stratum", stratum, 1, 15)
    rtt = float(at_least("round_trip_s", round_trip_s, 0, max_ndim=0))
    a = float(probability("asymmetry", asymmetry, max_ndim=0))
    ref = float(at_least("reference_error_s", reference_error_s, 0, max_ndim=0))
    return scalar(np.sqrt(ref**2 + (k - 1) * (a * rtt / 2) ** 2 / 3))


def stratum_error_simulated_s(stratum: int, round_trip_s: float, asymmetry: float,
                              trials: int = 20_000, seed: int = 0) -> float:
    """Monte Carlo check of :func:`stratum_error_rms_s`: RMS of the summed hop errors
    (reference error left out), each hop timed with :func:`ntp_offset_delay`'s formula."""
    k = int(in_range("stratum", stratum, 1, 15, integer=True, max_ndim=0))
    rtt = float(at_least("round_trip_s", round_trip_s, 0, max_ndim=0))
    a = float(probability("asymmetry", asymmetry, max_ndim=0))
    n = int(in_range("trials", trials, 1, MAX_DRAWS // max(k - 1, 1), integer=True, max_ndim=0))
    rng = np.random.default_rng(check_seed("seed", seed))
    share = rng.uniform((1 - a) / 2, (1 + a) / 2, size=(n, k - 1))
    out, back = share * rtt, (1 - share) * rtt
    errors = ((out - back) / 2).sum(axis=1)
    return float(np.sqrt(np.mean(errors**2)))


STRATA = np.arange(1, 16)


def stratum_curves(round_trip_ms: float, asymmetry: float) -> dict:
    """Explorer model: worst-case and typical offset error (ms) against stratum 1..15.

    >>> c = stratum_curves(20, 0.5)
    >>> round(float(c["worst case (half of each hop's delay)"][1][2]), 3)
    20.001
    """
    rtt = float(at_least("round_trip_ms", round_trip_ms, 0, max_ndim=0)) / 1000
    return {
        "worst case (half of each hop's delay)": (STRATA, 1000 * stratum_error_bound_s(STRATA, rtt)),
        "typical (RMS), random asymmetry": (STRATA, 1000 * stratum_error_rms_s(STRATA, rtt, asymmetry)),
    }


def slew_time_s(offset_s: ArrayLike, max_slew_ppm: float = 500.0) -> float | np.ndarray:
    """Time to remove ``offset_s`` by slewing (running the clock slightly fast or slow).

    Slewing never makes time jump or go back, but at ``max_slew_ppm`` it corrects only
    ``max_slew_ppm * 1e-6`` seconds per second: 500 ppm (the classic Unix ``adjtime`` and
    ntpd limit) takes 2,000 s, over half an hour, per second of offset.

    >>> slew_time_s(1.0)
    2000.0
    >>> round(slew_time_s(1.0, 83333.333), 1)   # chrony's default maxslewrate
    12.0
    """
    o = np.abs(in_range("offset_s", offset_s, -1e9, 1e9))
    r = float(in_range("max_slew_ppm", max_slew_ppm, 0, 1e6, low_open=True, max_ndim=0))
    return scalar(o / (r * 1e-6))


# --- Time-of-day vs monotonic ------------------------------------------------------


@dataclass
class SimulatedClocks:
    """A machine's two clocks, driven by simulated true time (no real clock is touched).

    ``wall()`` is the time-of-day clock (seconds since 1 January 1970, UTC, like
    Python's ``time.time()`` or Java's ``System.currentTimeMillis() / 1000``).
    ``monotonic()`` counts seconds from an arbitrary origin and never goes back (like
    ``time.monotonic()`` or Java's ``System.nanoTime() / 1e9``).

    >>> c = SimulatedClocks()
    >>> c.advance(2.0); c.ntp_step(-5.0)
    >>> c.wall() - 1_700_000_000.0, c.monotonic()
    (-3.0, 2.0)
    """

    wall_start_s: float = 1_700_000_000.0
    _true: float = 0.0
    _wall_adjust: float = 0.0

    def __post_init__(self) -> None:
        self.wall_start_s = float(in_range("wall_start_s", self.wall_start_s, -1e18, 1e18, max_ndim=0))

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` of true time pass (>= 0)."""
        self._true += float(at_least("seconds", seconds, 0, max_ndim=0))

    def ntp_step(self, seconds: float) -> None:
        """NTP (or an administrator) sets the time-of-day clock by ``seconds``, either way."""
        self._wall_adjust += float(in_range("seconds", seconds, -1e9, 1e9, max_ndim=0))

    def wall(self) -> float:
        return self.wall_start_s + self._true + self._wall_adjust

    def monotonic(self) -> float:
        return self._true


def duration_across_step(work_s: float, step_s: float, step_at: float = 0.5) -> dict[str, float]:
    """Measure a task of ``work_s`` seconds with both clocks while NTP steps the wall clock.

    The step of ``step_s`` seconds happens after ``step_at`` of the work.

    >>> duration_across_step(2.0, -5.0)
    {'true duration': 2.0, 'time-of-day clock': -3.0, 'monotonic clock': 2.0}
    """
    w = float(at_least("work_s", work_s, 0, max_ndim=0))
    share = float(probability("step_at", step_at, max_ndim=0))
    step_s = float(in_range("step_s", step_s, -1e9, 1e9, max_ndim=0))
    clocks = SimulatedClocks()
    wall0, mono0 = clocks.wall(), clocks.monotonic()
    clocks.advance(w * share)
    clocks.ntp_step(step_s)
    clocks.advance(w * (1 - share))
    return {
        "true duration": w,
        "time-of-day clock": round(clocks.wall() - wall0, 9),
        "monotonic clock": round(clocks.monotonic() - mono0, 9),
    }


class InjectedWallClock:
    """A time-of-day clock for the program to use instead of ``time.time``, which a test
    (or a lesson) can step like NTP would, without root and without touching the system.

    >>> clock = InjectedWallClock(source=lambda: 100.0)
    >>> clock.step(-1.5); clock()
    98.5
    """

    def __init__(self, source: Callable[[], float] = time.time) -> None:
        self._source = source
        self._offset = 0.0

    def step(self, seconds: float) -> None:
        self._offset += float(in_range("seconds", seconds, -1e9, 1e9, max_ndim=0))

    def __call__(self) -> float:
        return self._source() + self._offset


def measure_across_injected_step(sleep_s: float = 0.2, step_s: float = -1.0) -> dict[str, float]:
    """Really sleep ``sleep_s`` seconds, stepping an injected wall clock halfway through,
    and time the sleep with it and with ``time.monotonic``.

    Returns the two measured durations in seconds (real timings: they vary a little).
    """
    s = float(in_range("sleep_s", sleep_s, 0, 2, low_open=True, max_ndim=0))
    step_s = float(in_range("step_s", step_s, -1e9, 1e9, max_ndim=0))
    wall = InjectedWallClock()
    w0, m0 = wall(), time.monotonic()
    time.sleep(s / 2)
    wall.step(step_s)
    time.sleep(s / 2)
    return {"time-of-day clock": wall() - w0, "monotonic clock": time.monotonic() - m0}


#: Most repeats :func:`injected_step_report` runs (each one sleeps ``sleep_s``).
MAX_STEP_REPEATS = 20
#: How far (ms) the two clocks' difference may be from the injected step for
#: :func:`injected_step_report` to call it "the step"; NTP's slew of at most 500 ppm
#: moves the real clock by 1 ms in 2 s, so more means the real clock was stepped.
STEP_AGREEMENT_MS = 5.0
#: Most seconds :func:`injected_step_report` may sleep in all (``repeats * sleep_s``).
MAX_STEP_SLEEP_TOTAL_S = 5.0


def injected_step_report(repeats: int = 5, sleep_s: float = 0.2, step_s: float = -1.0) -> str:
    """Repeat :func:`measure_across_injected_step` and say, from the measured numbers,
    what each clock reported.

    The whole call sleeps ``repeats * sleep_s`` seconds, at most
    ``MAX_STEP_SLEEP_TOTAL_S`` (5 s; the chapter uses 5 x 0.2 s = 1 s). The verdict compares the monotonic median with the time
    slept (any excess is the scheduler waking the sleeper late, larger on a busy
    machine) and the time-of-day reading with the monotonic one plus the step.

    Parameters
    ----------
    repeats : measurements, in [1, MAX_STEP_REPEATS].
    sleep_s : each real sleep, seconds, in (0, 2].
    step_s : the injected step of the time-of-day clock, seconds.

    Returns
    -------
    A few lines of text: medians, ranges, usable CPUs and the verdict.
    """
    from .measure import usable_cpus

    k = count("repeats", repeats, MAX_STEP_REPEATS)
    in_range("sleep_s", sleep_s, 0, 2, low_open=True, max_ndim=0)  # checked again per run; here before any sleep
    in_range("step_s", step_s, -1e9, 1e9, max_ndim=0)
    if k * float(sleep_s) > MAX_STEP_SLEEP_TOTAL_S:
        raise ValueError(f"repeats * sleep_s must be at most {MAX_STEP_SLEEP_TOTAL_S:g} s in all, "
                         f"got repeats={repeats!r} and sleep_s={sleep_s!r}")
    runs = [measure_across_injected_step(sleep_s, step_s) for _ in range(k)]
    mono = sorted(r["monotonic clock"] for r in runs)
    wall = sorted(r["time-of-day clock"] for r in runs)
    gap = sorted(r["time-of-day clock"] - r["monotonic clock"] for r in runs)
    med = lambda v: float(np.median(v))  # noqa: E731
    late_ms = 1000 * (med(mono) - sleep_s)
    lines = [
        f"{k} sleeps of {sleep_s:g} s, time-of-day clock stepped {step_s:+g} s halfway; {usable_cpus()}",
        f"monotonic clock:   median {med(mono):+.3f} s (range {mono[0]:+.3f} to {mono[-1]:+.3f})",
        f"time-of-day clock: median {med(wall):+.3f} s (range {wall[0]:+.3f} to {wall[-1]:+.3f})",
    ]
    if late_ms < 0:
        lines.append(f"verdict: the monotonic clock read {-late_ms:.1f} ms LESS than the time slept, "
                     "which a monotonic clock should never do: check the platform's sleep.")
    elif late_ms <= 10:
        lines.append(f"verdict: the monotonic clock gives the {sleep_s:g} s slept, plus {late_ms:.1f} ms "
                     "of wake-up delay;")
    else:
        lines.append(f"verdict: the monotonic clock gives the {sleep_s:g} s slept plus {late_ms:.0f} ms: "
                     "the sleeper was woken late, as on a busy machine;")
    off_ms = 1000 * max(abs(g - step_s) for g in gap)
    if off_ms <= STEP_AGREEMENT_MS:
        lines.append(f"the time-of-day clock differs from it by the step ({med(gap):+.3f} s, at most "
                     f"{off_ms:.1f} ms away from {step_s:+g} s), so its duration is wrong by the whole step.")
    else:
        lines.append(f"the time-of-day clock differs from it by {med(gap):+.3f} s (median), up to {off_ms:.1f} ms "
                     f"away from the {step_s:+g} s step: the machine's own time-of-day clock also moved "
                     "during a sleep (NTP stepping or slewing it), the very hazard measured here.")
    return "\n".join(lines)


def clock_info_table() -> "pd.DataFrame":
    """``time.get_clock_info`` for ``time``, ``monotonic`` and ``perf_counter`` on this machine."""
    import pandas as pd

    rows = {}
    for name in ("time", "monotonic", "perf_counter"):
        info = time.get_clock_info(name)
        rows[f"time.{name}()"] = {
            "implementation": info.implementation,
            "resolution (ns)": round(info.resolution * 1e9, 3),
            "monotonic": info.monotonic,
            "adjustable": info.adjustable,
        }
    return pd.DataFrame(rows).T


# --- Logical clocks -----------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One event: ``kind`` is "local", "send" or "receive"; ``message`` names the message
    sent or received (None for local events)."""

    process: str
    kind: str
    message: str | None = None
    label: str = ""


# A small exchange among three processes: two concurrent updates, one chain of cause.
EXAMPLE_EXCHANGE: tuple[Event, ...] = (
    Event("A", "local", None, "a1"),
    Event("A", "send", "m1", "a2"),
    Event("B", "local", None, "b1"),
    Event("B", "receive", "m1", "b2"),
    Event("B", "send", "m2", "b3"),
    Event("C", "local", None, "c1"),
    Event("C", "send", "m3", "c2"),
    Event("A", "receive", "m3", "a3"),
    Event("C", "receive", "m2", "c3"),
    Event("A", "local", None, "a4"),
)


def _check_exchange(events) -> list[Event]:
    events = list(events)
    sent: set[str] = set()
    received: set[str] = set()
    for i, e in enumerate(events):
        if e.kind not in ("local", "send", "receive"):
            raise ValueError(f"events[{i}].kind must be 'local', 'send' or 'receive', got {e.kind!r}")
        if e.kind == "send":
            if e.message is None or e.message in sent:
                raise ValueError(f"events[{i}] must send a new, named message, got {e.message!r}")
            sent.add(e.message)
        if e.kind == "receive":
            if e.message not in sent or e.message in received:
                raise ValueError(f"events[{i}] must receive a message already sent and not yet received, got {e.message!r}")
            received.add(e.message)
    return events


def random_exchange(processes: int = 3, events: int = 12, seed: int = 0) -> tuple[Event, ...]:
    """A random, valid exchange: each step one process does a local event, sends to
    another, or receives a message waiting for it.

    >>> len(random_exchange(3, 12, seed=1))
    12
    """
    n = int(in_range("processes", processes, 2, 26, integer=True, max_ndim=0))
    total = int(in_range("events", events, 1, MAX_EVENTS, integer=True, max_ndim=0))
    rng = np.random.default_rng(check_seed("seed", seed))
    names = [chr(ord("A") + i) for i in range(n)]
    pending: dict[str, list[str]] = {p: [] for p in names}
    counts = {p: 0 for p in names}
    out = []
    for j in range(total):
        p = names[rng.integers(n)]
        counts[p] += 1
        label = f"{p.lower()}{counts[p]}"
        roll = rng.random()
        if pending[p] and roll < 0.45:
            msg = pending[p].pop(int(rng.integers(len(pending[p]))))
            out.append(Event(p, "receive", msg, label))
        elif roll < 0.8:
            others = [q for q in names if q != p]
            q = others[rng.integers(len(others))]
            msg = f"m{j + 1}"
            pending[q].append(msg)
            out.append(Event(p, "send", msg, label))
        else:
            out.append(Event(p, "local", None, label))
    return tuple(out)


def lamport_timestamps(events) -> list[int]:
    """Lamport clock value of each event, in the order given (a valid execution order).

    Each process ticks its counter by one per event; a message carries the sender's
    value, and the receiver first jumps to ``max(own, received)``. If ``e`` happened
    before ``f`` then ``L(e) < L(f)``; the converse does not hold.

    References
    ----------
    Lamport 1978, conditions IR1 and IR2.

    >>> lamport_timestamps(EXAMPLE_EXCHANGE)
    [1, 2, 1, 3, 4, 1, 2, 3, 5, 4]
    """
    evs = _check_exchange(events)
    clock: dict[str, int] = {}
    carried: dict[str, int] = {}
    out = []
    for e in evs:
        c = clock.get(e.process, 0)
        if e.kind == "receive":
            c = max(c, carried[e.message])
        c += 1
        if e.kind == "send":
            carried[e.message] = c
        clock[e.process] = c
        out.append(c)
    return out


def vector_timestamps(events) -> list[dict[str, int]]:
    """Vector clock of each event: one counter per process (Fidge 1988, Mattern 1989).

    A process increments its own entry per event; a message carries the sender's vector
    and the receiver takes the element-wise maximum before incrementing. Then ``e``
    happened before ``f`` exactly when ``V(e) <= V(f)`` entry by entry and they differ
    in at least one entry.

    >>> vector_timestamps(EXAMPLE_EXCHANGE)[3]
    {'A': 2, 'B': 2, 'C': 0}
    """
    evs = _check_exchange(events)
    names = sorted({e.process for e in evs})
    clock = {p: dict.fromkeys(names, 0) for p in names}
    carried: dict[str, dict[str, int]] = {}
    out = []
    for e in evs:
        v = dict(clock[e.process])
        if e.kind == "receive":
            v = {p: max(v[p], carried[e.message][p]) for p in names}
        v[e.process] += 1
        if e.kind == "send":
            carried[e.message] = dict(v)
        clock[e.process] = v
        out.append(v)
    return out


def vector_order(u: dict[str, int], v: dict[str, int]) -> str:
    """Compare two vector timestamps: "before", "after", "equal" or "concurrent".

    >>> vector_order({"A": 1, "B": 0}, {"A": 1, "B": 2})
    'before'
    >>> vector_order({"A": 2, "B": 0}, {"A": 1, "B": 2})
    'concurrent'
    """
    keys = set(u) | set(v)
    le = all(u.get(k, 0) <= v.get(k, 0) for k in keys)
    ge = all(u.get(k, 0) >= v.get(k, 0) for k in keys)
    if le and ge:
        return "equal"
    if le:
        return "before"
    if ge:
        return "after"
    return "concurrent"


def happened_before(events) -> np.ndarray:
    """The true happened-before relation, from the exchange's structure alone.

    ``hb[i, j]`` is True when event i happened before event j: i precedes j on the same
    process, or i sends a message that j receives, or a chain of these links them
    (the transitive closure; Lamport 1978). Used to check the clocks.
    """
    evs = _check_exchange(events)
    n = len(evs)
    hb = np.zeros((n, n), dtype=bool)
    last: dict[str, int] = {}
    send_of: dict[str, int] = {}
    for j, e in enumerate(evs):
        if e.process in last:
            hb[last[e.process], j] = True
        if e.kind == "send":
            send_of[e.message] = j
        if e.kind == "receive":
            hb[send_of[e.message], j] = True
        last[e.process] = j
    for k in range(n):  # Warshall's transitive closure
        hb |= hb[:, [k]] & hb[[k], :]
    return hb


def logical_clock_table(events) -> "pd.DataFrame":
    """Each event with its Lamport time and vector clock, in execution order."""
    import pandas as pd

    evs = _check_exchange(events)
    lam = lamport_timestamps(evs)
    vec = vector_timestamps(evs)
    names = sorted({e.process for e in evs})
    rows = []
    for e, lt, v in zip(evs, lam, vec):
        what = {"local": "local", "send": f"send {e.message}", "receive": f"receive {e.message}"}[e.kind]
        rows.append({"event": e.label, "process": e.process, "what": what, "Lamport": lt,
                     "vector": "[" + ", ".join(str(v[p]) for p in names) + "]"})
    return pd.DataFrame(rows).set_index("event")


def compare_events(events, pairs) -> "pd.DataFrame":
    """For each pair of event labels, both Lamport times and what the vector clocks say.

    >>> compare_events(EXAMPLE_EXCHANGE, [("b3", "a4")]).iloc[0]["vector clocks say"]
    'concurrent'
    """
    import pandas as pd

    evs = _check_exchange(events)
    index = {e.label: i for i, e in enumerate(evs)}
    for a, b in pairs:
        for label in (a, b):
            if label not in index:
                raise ValueError(f"pairs must name events of the exchange, got {label!r}")
    lam = lamport_timestamps(evs)
    vec = vector_timestamps(evs)
    rows = [{"e": a, "f": b, "L(e)": lam[index[a]], "L(f)": lam[index[b]],
             "vector clocks say": vector_order(vec[index[a]], vec[index[b]])} for a, b in pairs]
    return pd.DataFrame(rows)


def check_against_happened_before(events) -> dict[str, int | bool]:
    """Compare vector-clock verdicts with the true happened-before relation, pair by pair.

    Returns the number of pairs, how many are concurrent, and whether the vector clocks
    got every pair right (before, after or concurrent).

    >>> check_against_happened_before(EXAMPLE_EXCHANGE)["all correct"]
    True
    """
    evs = _check_exchange(events)
    truth = happened_before(evs)
    vec = vector_timestamps(evs)
    pairs = concurrent = right = 0
    for i in range(len(evs)):
        for j in range(i + 1, len(evs)):
            expected = "before" if truth[i, j] else "after" if truth[j, i] else "concurrent"
            got = vector_order(vec[i], vec[j])
            pairs += 1
            concurrent += expected == "concurrent"
            right += got == expected
    return {"pairs": pairs, "concurrent": concurrent, "all correct": right == pairs}


def spacetime_figure(events, title: str = "Events and messages"):
    """A space-time diagram of an exchange: one line per process, messages as arrows,
    each event labelled with its Lamport time and vector clock."""
    import plotly.graph_objects as go

    from .explorer import show

    evs = _check_exchange(events)
    names = sorted({e.process for e in evs})
    row = {p: len(names) - 1 - i for i, p in enumerate(names)}
    lam = lamport_timestamps(evs)
    vec = vector_timestamps(evs)
    x = np.arange(1, len(evs) + 1)
    fig = go.Figure()
    for p in names:
        fig.add_trace(go.Scatter(x=[0.5, len(evs) + 0.5], y=[row[p]] * 2, mode="lines",
                                 line={"color": GUIDE}, showlegend=False, hoverinfo="skip"))
    send_at = {e.message: i for i, e in enumerate(evs) if e.kind == "send"}
    for i, e in enumerate(evs):
        if e.kind == "receive":
            s = send_at[e.message]
            fig.add_annotation(x=x[i], y=row[e.process], ax=x[s], ay=row[evs[s].process],
                               xref="x", yref="y", axref="x", ayref="y", showarrow=True,
                               arrowhead=3, arrowsize=1.2, arrowcolor=ORANGE, text="")
    colors = {"local": GREY, "send": BLUE, "receive": GREEN}
    side = _label_sides(evs, row)
    lean = _label_leans(evs, row, side)
    for kind in ("local", "send", "receive"):
        idx = [i for i, e in enumerate(evs) if e.kind == kind]
        fig.add_trace(go.Scatter(
            x=x[idx], y=[row[evs[i].process] for i in idx], mode="markers+text", name=kind,
            marker={"size": 12, "color": colors[kind], "line": {"color": "white", "width": 1.5}},  # apart from the lane
            text=[f"{evs[i].label} L={lam[i]}<br>[{','.join(str(vec[i][p]) for p in names)}]" for i in idx],
            textposition=[f"{side[i]} {lean[i]}" for i in idx], textfont={"size": 11}))
    fig.update_layout(
        title={"text": title}, template=TEMPLATE, height=300 + 60 * len(names),
        xaxis={"title": {"text": "execution order (not a clock)"}, "showgrid": False, "zeroline": False,
               "tickvals": x, "range": [-0.1, len(evs) + 1.1]},  # room for the end events' labels
        yaxis={"tickvals": [row[p] for p in names], "ticktext": [f"process {p}" for p in names],
               "range": [-0.65, len(names) - 0.35], "showgrid": False, "zeroline": False},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        margin={"l": 90, "r": 20, "t": 80, "b": 50},
    )
    return show(fig, summary=_spacetime_summary(evs, names, lam, vec))


def _label_sides(evs: list[Event], row: dict[str, int]) -> list[str]:
    """Above ("top") or below ("bottom") its lane, each event's label: a message's send and
    receive on the side away from the arrow, a local event on the side away from its nearer
    neighbour on the lane, so that labels of neighbouring events do not print over each other."""
    other = {}
    for e in evs:
        if e.kind != "local":
            other.setdefault(e.message, []).append(e.process)
    side: list[str | None] = []
    for e in evs:
        ends = other.get(e.message, []) if e.kind != "local" else []
        far = [row[p] for p in ends if p != e.process]
        side.append(None if not far else "top" if far[0] < row[e.process] else "bottom")
    for i, e in enumerate(evs):
        if side[i] is None:
            lane = [j for j, f in enumerate(evs) if f.process == e.process and j != i]
            near = min(lane, key=lambda j: (abs(j - i), j > i), default=None)
            if near is None or side[near] is None:
                side[i] = "top"
            else:
                side[i] = "bottom" if side[near] == "top" else "top"
    return side


def _label_leans(evs: list[Event], row: dict[str, int], side: list[str]) -> list[str]:
    """Which way each event's label leans ("left", "center" or "right") from its event, so
    that on a narrow screen it keeps clear of arrows and of the label two events along on
    the same side of its lane: towards the far end of an arrow that crosses its event's
    place on the label's side of the lane; else away from an arrowhead on its lane one place
    along (in execution order, the x axis) that comes in from that side; else left of a label
    on the same side of its lane two places along. Tested on the diagram the book draws."""
    at = {e.message: i for i, e in enumerate(evs) if e.kind == "send"}
    arrows = [(at[e.message], j) for j, e in enumerate(evs) if e.kind == "receive"]
    lean = []
    for i, e in enumerate(evs):
        up = 1 if side[i] == "top" else -1
        toward = 0
        for s, r in arrows:
            if min(s, r) < i < max(s, r):
                y = row[evs[s].process] + (row[evs[r].process] - row[evs[s].process]) * (i - s) / (r - s)
                if 0 < (y - row[e.process]) * up <= 1:  # over the label, within one lane
                    far = s if (row[evs[s].process] - row[e.process]) * up > 0 else r
                    toward = -1 if far < i else 1
                    break  # the first such arrow decides: a second whose far end lay the other way could not also be cleared
        for j in (i - 1, i + 1):  # an arrowhead one step along, coming in from the label's side
            if not toward and 0 <= j < len(evs) and evs[j].process == e.process and evs[j].kind == "receive" \
                    and (row[evs[at[evs[j].message]].process] - row[e.process]) * up > 0:
                toward = 1 if j < i else -1
        if not toward and i + 2 < len(evs) and evs[i + 2].process == e.process and side[i + 2] == side[i]:
            toward = -1
        lean.append({-1: "left", 0: "center", 1: "right"}[toward])
    return lean


def _spacetime_summary(evs: list[Event], names: list[str], lam: list[int], vec: list[dict[str, int]]) -> str:
    """The space-time diagram in words (its text alternative): every event in execution
    order, with what it does and its Lamport time and vector clock."""
    sender = {e.message: e.process for e in evs if e.kind == "send"}
    to = {e.message: e.process for e in evs if e.kind == "receive"}
    said = []
    for e, t, v in zip(evs, lam, vec):
        does = {"local": "local",
                "send": f"sends {e.message} to {to[e.message]}" if e.message in to else f"sends {e.message}, never received",
                "receive": f"receives {e.message} from {sender.get(e.message)}"}[e.kind]
        said.append(f"{e.label or e.kind} on {e.process}, {does}: L={t}, [{','.join(str(v[p]) for p in names)}]")
    return f"Events in execution order (vector clocks in process order {', '.join(names)}): " + "; ".join(said) + "."


def ntp_run(offset_ms: float = 100.0, outbound_ms: float = 10.0, return_ms: float = 10.0,
            jitter_ms: float = 0.0, exchanges: int = 3, tolerance_ms: float = 5.0, seed: int = 0,
            drop: tuple[int, ...] = (), crashes=()):
    """NTP's four-timestamp exchange as a recorded run (client and server, message by message).

    The server's clock reads ``offset_ms`` more than the client's (which reads simulated
    time). Every second the client sends a request stamped ``t1``; the server stamps
    ``t2`` on arrival and ``t3`` on its immediate reply; the client stamps ``t4`` and
    estimates the offset ``((t2 - t1) + (t3 - t4)) / 2`` and the round trip
    ``(t4 - t1) - (t3 - t2)`` (:func:`ntp_offset_delay`). The request takes
    ``outbound_ms`` and the reply ``return_ms``, each plus a seeded uniform
    0-``jitter_ms``. The estimate's error is then ``(out - back) / 2``, at most half the
    round trip.

    Parameters
    ----------
    offset_ms : true offset, server minus client, in [-1e6, 1e6] ms.
    outbound_ms, return_ms : one-way path delays, in [0, 1000] ms.
    jitter_ms : extra uniform delay per message, in [0, 1000] ms.
    exchanges : requests sent, 1 to 20 (one per second).
    tolerance_ms : the checker flags an estimate whose error exceeds this, in [0, 1e6] ms.
    seed : seed of the jitter.

    Returns a :class:`scalelab.runs.Run`; its checker flags "offset error E ms exceeds the
    T ms tolerance (event i)" and, never expected, "offset error E ms exceeds half the
    round trip (event i)".

    >>> [v.text for v in ntp_run(outbound_ms=30.0, return_ms=10.0, exchanges=1).violations]
    ['offset error 10.0 ms exceeds the 5 ms tolerance (event 4)']
    >>> ntp_run().violations
    []
    """
    from . import _validate
    from .runs import Network, Node, Violation

    offset = float(_validate.number("offset_ms", offset_ms, -1e6, 1e6)) / 1e3
    up = float(_validate.number("outbound_ms", outbound_ms, 0, 1000.0)) / 1e3
    down = float(_validate.number("return_ms", return_ms, 0, 1000.0)) / 1e3
    jitter = float(_validate.number("jitter_ms", jitter_ms, 0, 1000.0)) / 1e3
    rounds = _validate.count("exchanges", exchanges, 20)
    tolerance = float(_validate.number("tolerance_ms", tolerance_ms, 0, 1e6))

    class Client(Node):
        def start(self, net):
            self.state.update(sent=0, offset_ms="-", error_ms="-", delay_ms="-")
            self.timer(net, "poll")

        def timer(self, net, name):
            if self.state["sent"] < rounds:
                self.state["sent"] += 1
                net.send("client", "server", f"request t1={net.now * 1e3:.1f}", t1=net.now)
                net.set_timer("client", 1.0, "poll", quiet=True)

        def receive(self, net, msg):
            t1, t2, t3, t4 = msg.body["t1"], msg.body["t2"], msg.body["t3"], net.now
            est, rtt = ntp_offset_delay(t1, t2, t3, t4)
            self.state.update(offset_ms=round(est * 1e3, 3), error_ms=round((est - offset) * 1e3, 3),
                              delay_ms=round(rtt * 1e3, 3))
            net.changed("client", f"estimate offset {est * 1e3:.1f} ms")

    class Server(Node):
        def start(self, net):
            self.state.update(replies=0)

        def receive(self, net, msg):
            t2 = net.now + offset
            self.state["replies"] += 1
            net.send("server", "client", f"reply t2=t3={t2 * 1e3:.1f}", t1=msg.body["t1"], t2=t2, t3=t2)

    def check(events):
        out = []
        for e in events:
            if e.kind == "state" and e.node == "client" and e.label.startswith("estimate"):
                vals = dict(kv.split("=") for kv in e.state.split())
                err, rtt = float(vals["error_ms"]), float(vals["delay_ms"])
                if abs(err) > rtt / 2 + 1e-3:  # both are stored rounded to 1 microsecond
                    out.append(Violation(f"offset error {err:.1f} ms exceeds half the round trip (event {e.index})",
                                         (e.index,)))
                if abs(err) > tolerance + 1e-6:
                    out.append(Violation(f"offset error {err:.1f} ms exceeds the {tolerance:g} ms tolerance "
                                         f"(event {e.index})", (e.index,)))
        return out

    net = Network(["client", "server"], seed=seed, delay_s=(0.0, jitter), drop=drop, crashes=crashes,
                  link_delay_s={("client", "server"): up, ("server", "client"): down})
    return net.run({"client": Client("client"), "server": Server("server")}, until_s=rounds + 2.5,
                   max_events=400, check=check, title=f"NTP exchange, {outbound_ms:g} ms out, {return_ms:g} ms back")


def logical_clock_run(processes: int = 3, steps: int = 4, receive_rule: str = "max", seed: int = 0,
                      drop: tuple[int, ...] = (), crashes=()):
    """Lamport and vector clocks labelling the events of a recorded run.

    Processes P1..P``processes`` each take ``steps`` steps at seeded random times (50 to
    300 ms apart); a step is a local event (one time in four) or a message to a random
    other process carrying the sender's clocks. Every event ticks the process's Lamport
    clock ``L`` and its own entry of its vector clock ``V``. On a receive, the rule
    ``receive_rule`` says what the receiver does with the carried clocks before ticking:
    ``"max"`` (correct: the element-wise maximum, Lamport 1978, Fidge 1988, Mattern
    1989), ``"ignore"`` (keeps its own) or ``"overwrite"`` (takes the carried ones).

    Returns a :class:`scalelab.runs.Run`; its checker flags "P clock went backwards" (or
    "did not advance") and "receive of mK not after its send" when the labels contradict
    happened-before (each event after the previous one at its process, each receive
    after its send).

    >>> logical_clock_run().violations
    []
    >>> sorted({v.text.split(' (')[0] for v in logical_clock_run(receive_rule="overwrite").violations})
    ['P1 clock went backwards', 'P2 clock went backwards', 'P3 clock went backwards']
    """
    from . import _validate
    from .runs import Network, Node, Violation

    n = _validate.count("processes", processes, 6, low=2)
    k = _validate.count("steps", steps, 10)
    rule = _validate.option("receive_rule", receive_rule, ("max", "ignore", "overwrite"))
    rng = np.random.default_rng(check_seed("seed", seed))
    names = [f"P{i + 1}" for i in range(n)]

    class Proc(Node):
        durable = ("L", "V")

        def start(self, net):
            self.state.setdefault("L", 0)
            self.state.setdefault("V", "(" + ",".join("0" * n) + ")")
            self.done = 0
            net.set_timer(self.name, float(rng.uniform(0.05, 0.3)), "step", quiet=True)

        def _tick(self, carried_l=None, carried_v=None):
            vec = [int(x) for x in self.state["V"][1:-1].split(",")]
            lam = self.state["L"]
            if carried_l is not None and rule == "max":
                lam, vec = max(lam, carried_l), [max(a, b) for a, b in zip(vec, carried_v)]
            elif carried_l is not None and rule == "overwrite":
                lam, vec = carried_l, list(carried_v)
            vec[names.index(self.name)] += 1
            self.state["L"], self.state["V"] = lam + 1, "(" + ",".join(map(str, vec)) + ")"
            return lam + 1, tuple(vec)

        def timer(self, net, name):
            self.done += 1
            if rng.random() < 0.25:
                self._tick()
                net.changed(self.name, "local")
            else:
                dst = names[(names.index(self.name) + 1 + int(rng.integers(n - 1))) % n]
                lam, vec = self._tick()
                net.changed(self.name, f"send to {dst}")
                net.send(self.name, dst, f"L={lam} V={self.state['V']}", L=lam, V=vec)
            if self.done < k:
                net.set_timer(self.name, float(rng.uniform(0.05, 0.3)), "step", quiet=True)

        def receive(self, net, msg):
            self._tick(msg.body["L"], msg.body["V"])
            net.changed(self.name, f"receive m{msg.mid}")

    def check(events):
        out, last, sent = [], {}, {}
        for e in events:
            if e.kind == "send":
                sent[e.mid] = e.state
            if e.kind != "state" or "L=" not in e.state:
                continue
            vals = dict(kv.split("=") for kv in e.state.split())
            lam, vec = int(vals["L"]), [int(x) for x in vals["V"][1:-1].split(",")]
            if e.node in last:
                plam, pvec = last[e.node]
                if lam < plam or any(a < b for a, b in zip(vec, pvec)):
                    out.append(Violation(f"{e.node} clock went backwards (event {e.index})", (e.index,)))
                elif lam == plam or vec == pvec:
                    out.append(Violation(f"{e.node} clock did not advance (event {e.index})", (e.index,)))
            last[e.node] = (lam, vec)
            if e.label.startswith("receive m"):
                mid = int(e.label[len("receive m"):])
                svals = dict(kv.split("=") for kv in sent[mid].split())
                slam, svec = int(svals["L"]), [int(x) for x in svals["V"][1:-1].split(",")]
                if lam <= slam or any(a < b for a, b in zip(vec, svec)):
                    out.append(Violation(f"receive of m{mid} not after its send: L={lam} V={vals['V']} "
                                         f"vs L={slam} V={svals['V']} (event {e.index})", (e.index,)))
        return out

    net = Network(names, seed=seed, delay_s=(0.02, 0.2), drop=drop, crashes=crashes)
    return net.run({p: Proc(p) for p in names}, until_s=4.0, max_events=600, check=check,
                   title=f"Logical clocks on {n} processes, receive rule {rule!r}")
