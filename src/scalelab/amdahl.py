"""Scaling up: Amdahl's law, Gustafson's law and the Universal Scalability Law.

A job whose fraction ``s`` must run serially can never go faster than ``1/s``, however
many cores it gets (Amdahl 1967). Gustafson (1988) asks the opposite question: if the
problem grows with the machine, how much more work gets done in the same time?
Gunther's Universal Scalability Law (USL) adds a cost that grows with the number of
pairs of cores (coherency), so throughput can fall past a peak.

All functions broadcast over numpy arrays. Fractions are in [0, 1]; cores are >= 1.

References
----------
- G. M. Amdahl, "Validity of the single processor approach to achieving large scale
  computing capabilities", AFIPS Spring Joint Computer Conference, 1967.
- J. L. Gustafson, "Reevaluating Amdahl's law", Communications of the ACM 31(5), 1988.
- N. J. Gunther, *Guerrilla Capacity Planning*, Springer, 2007, ch. 4-5 (the USL).
- I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, ch. 4 (the data points).
- Y. Shi, "Reevaluating Amdahl's law and Gustafson's law", Temple University, 1996
  (the two serial fractions of one workload, and why the laws then agree).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validate import at_least, count, in_range, number, scalar

__all__ = [
    "speedup",
    "efficiency",
    "speedup_limit",
    "cores_for_share_of_limit",
    "gustafson_speedup",
    "amdahl_fraction_from_gustafson",
    "gustafson_fraction_from_amdahl",
    "usl_speedup",
    "usl_peak_cores",
    "fit_usl",
    "speedup_curves",
    "efficiency_curves",
    "amdahl_vs_gustafson",
    "usl_curves",
    "source_data_points",
]


def _fraction(name: str, value: ArrayLike) -> np.ndarray:
    return in_range(name, value, 0, 1)


def speedup(serial_fraction: ArrayLike, cores: ArrayLike) -> float | np.ndarray:
    """Amdahl speedup ``1 / (s + (1 - s) / n)`` of a job with serial fraction ``s`` on ``n`` cores.

    Parameters
    ----------
    serial_fraction : share of the one-core run time that cannot be parallelized, in [0, 1].
    cores : number of cores, >= 1 (need not be whole, for smooth curves).

    References
    ----------
    Amdahl 1967; Gorton 2022, ch. 4 (5% serial: nothing gained past 2,048 cores).

    >>> round(speedup(0.05, 2048), 2)
    19.82
    >>> speedup(0.5, 1)
    1.0
    """
    s = _fraction("serial_fraction", serial_fraction)
    n = at_least("cores", cores, 1)
    return scalar(1.0 / (s + (1.0 - s) / n))


def efficiency(serial_fraction: ArrayLike, cores: ArrayLike) -> float | np.ndarray:
    """Parallel efficiency: Amdahl speedup per core, in (0, 1].

    >>> round(efficiency(0.05, 20), 3)
    0.513
    """
    n = at_least("cores", cores, 1)
    return scalar(np.asarray(speedup(serial_fraction, n)) / n)


def speedup_limit(serial_fraction: ArrayLike) -> float | np.ndarray:
    """The ceiling ``1 / s`` that Amdahl speedup approaches as cores grow (inf for s = 0).

    >>> speedup_limit(0.05)
    20.0
    """
    s = _fraction("serial_fraction", serial_fraction)
    with np.errstate(divide="ignore", over="ignore"):
        return scalar(np.where(s == 0, np.inf, 1.0 / np.where(s == 0, 1.0, s)))


def cores_for_share_of_limit(serial_fraction: ArrayLike, share: ArrayLike = 0.9) -> float | np.ndarray:
    """Cores at which Amdahl speedup reaches ``share`` of its limit ``1/s``.

    Solving ``1 / (s + (1 - s)/n) = share / s`` gives ``n = share (1 - s) / (s (1 - share))``;
    for 90% that is ``9 (1 - s) / s``. The result may be below 1 when even one core is
    already that close (large ``s``).

    Parameters
    ----------
    serial_fraction : in (0, 1].
    share : share of the limit, in (0, 1).

    >>> round(cores_for_share_of_limit(0.05), 1)
    171.0
    >>> round(cores_for_share_of_limit(0.5), 6)
    9.0
    """
    s = in_range("serial_fraction", serial_fraction, 0, 1, low_open=True)
    f = in_range("share", share, 0, 1, low_open=True, high_open=True)
    return scalar(f * (1.0 - s) / (s * (1.0 - f)))


def gustafson_speedup(serial_fraction: ArrayLike, cores: ArrayLike) -> float | np.ndarray:
    """Gustafson's scaled speedup ``n - s (n - 1)``.

    Here ``s`` is the serial share of the run time *on the n-core machine*, and the
    problem grows with ``n``: the speedup is how much more work is done in the same time.

    >>> gustafson_speedup(0.05, 2048)
    1945.65
    """
    s = _fraction("serial_fraction", serial_fraction)
    n = at_least("cores", cores, 1)
    return scalar(n - s * (n - 1.0))


def amdahl_fraction_from_gustafson(serial_fraction: ArrayLike, cores: ArrayLike) -> float | np.ndarray:
    """Amdahl's serial fraction (share of the one-core time) of a run whose serial share on
    ``n`` cores is Gustafson's ``s_G``: ``s_A = s_G / (s_G + (1 - s_G) n)``.

    The n-core run takes ``s_G + (1 - s_G) = 1``; on one core the parallel part takes
    ``n`` times longer, so the one-core time is ``s_G + (1 - s_G) n`` and the serial part
    is a smaller share of it. With this ``s_A``, Amdahl's speedup on ``n`` cores equals
    Gustafson's: for one workload the two laws agree (Shi 1996).

    >>> s_a = amdahl_fraction_from_gustafson(0.05, 64)
    >>> round(s_a, 6), round(speedup(s_a, 64), 2), gustafson_speedup(0.05, 64)
    (0.000822, 60.85, 60.85)
    """
    s = _fraction("serial_fraction", serial_fraction)
    n = at_least("cores", cores, 1)
    return scalar(s / (s + (1.0 - s) * n))


def gustafson_fraction_from_amdahl(serial_fraction: ArrayLike, cores: ArrayLike) -> float | np.ndarray:
    """The inverse: the serial share on ``n`` cores of a job with one-core serial fraction
    ``s_A``, ``s_G = s_A n / (s_A n + 1 - s_A)``.

    >>> round(gustafson_fraction_from_amdahl(0.05, 64), 4)
    0.7711
    """
    s = _fraction("serial_fraction", serial_fraction)
    n = at_least("cores", cores, 1)
    return scalar(s * n / (s * n + 1.0 - s))


def usl_speedup(cores: ArrayLike, contention: ArrayLike, coherency: ArrayLike) -> float | np.ndarray:
    """Universal Scalability Law: ``N / (1 + contention (N - 1) + coherency N (N - 1))``.

    With ``coherency = 0`` this is Amdahl's law with ``serial_fraction = contention``.

    Parameters
    ----------
    cores : N, >= 1.
    contention : sigma, the serialized share, in [0, 1].
    coherency : kappa, the cost per pair of cores of keeping data consistent, >= 0.

    References
    ----------
    Gunther 2007, eq. 4.31.

    >>> round(usl_speedup(2048, 0.05, 0.0), 2)
    19.82
    >>> round(usl_speedup(32, 0.02, 0.0005), 2)
    15.12
    """
    n = at_least("cores", cores, 1)
    sigma = _fraction("contention", contention)
    kappa = at_least("coherency", coherency, 0)
    return scalar(n / (1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0)))


def usl_peak_cores(contention: ArrayLike, coherency: ArrayLike) -> float | np.ndarray:
    """Cores where USL speedup peaks, ``sqrt((1 - contention) / coherency)`` (inf if coherency = 0).

    >>> usl_peak_cores(0.02, 0.0005)
    44.27188724235731
    """
    sigma = _fraction("contention", contention)
    kappa = at_least("coherency", coherency, 0)
    with np.errstate(divide="ignore"):
        return scalar(np.sqrt((1.0 - sigma) / kappa))


def fit_usl(cores: ArrayLike, measured_speedup: ArrayLike) -> tuple[float, float]:
    """Least-squares fit of USL ``(contention, coherency)`` to measured speedups.

    Uses Gunther's linearization ``N / S(N) - 1 = sigma (N - 1) + kappa N (N - 1)``,
    fitted through the origin with both coefficients kept >= 0 (a negative one is set
    to zero and the other refitted). Needs at least two distinct core counts above 1.

    >>> n = np.array([1, 2, 4, 8, 16])
    >>> [round(v, 4) for v in fit_usl(n, usl_speedup(n, 0.1, 0.01))]
    [0.1, 0.01]
    """
    n = at_least("cores", cores, 1).ravel()
    s = in_range("measured_speedup", measured_speedup, 0, low_open=True).ravel()
    if n.shape != s.shape:
        raise ValueError(f"cores and measured_speedup must have the same length, got {n.size} and {s.size}")
    if np.unique(n[n > 1]).size < 2:
        raise ValueError("cores must hold at least two distinct values above 1 to fit the USL")
    y = n / s - 1.0
    x = np.column_stack([n - 1.0, n * (n - 1.0)])
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    if coef[0] < 0 or coef[1] < 0:
        # Best one-coefficient fits, through the origin; keep the better admissible one.
        candidates = []
        for j in (0, 1):
            c = max(0.0, float(x[:, j] @ y / (x[:, j] @ x[:, j])))
            pair = np.array([c, 0.0]) if j == 0 else np.array([0.0, c])
            candidates.append((float(np.sum((x @ pair - y) ** 2)), pair))
        coef = min(candidates, key=lambda t: t[0])[1]
    return float(min(coef[0], 1.0)), float(coef[1])


# --- Models for the explorers: parameters in, named curves out -----------------------

CORE_AXIS = np.unique(np.round(np.logspace(0, 12, 121, base=2)))  # 1 .. 4096 cores


def speedup_curves(serial_fraction: float, max_cores: int = 4096) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Amdahl speedup, its ceiling and ideal linear speedup against cores (for an explorer).

    >>> sorted(speedup_curves(0.05))
    ['Amdahl speedup', 'ideal (linear)', 'limit 1/s']
    """
    serial_fraction = number("serial_fraction", serial_fraction, 0, 1)
    max_cores = count("max_cores", max_cores, int(CORE_AXIS[-1]))
    n = CORE_AXIS[CORE_AXIS <= max_cores]
    limit = speedup_limit(serial_fraction)
    return {
        "Amdahl speedup": (n, speedup(serial_fraction, n)),
        "limit 1/s": (n[[0, -1]], np.full(2, limit if np.isfinite(limit) else np.nan)),  # none at s = 0
        "ideal (linear)": (n, n.astype(float)),
    }


def efficiency_curves(serial_fraction: float, cores: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Amdahl efficiency against cores, with the point at ``cores`` marked (for an explorer).

    >>> point = efficiency_curves(0.05, 64)["at the chosen cores"]
    >>> round(float(point[1][0]), 3)
    0.241
    """
    serial_fraction = number("serial_fraction", serial_fraction, 0, 1)
    cores = number("cores", cores, 1)
    return {
        "efficiency": (CORE_AXIS, efficiency(serial_fraction, CORE_AXIS)),
        "at the chosen cores": (np.array([cores]), np.array([efficiency(serial_fraction, cores)])),
    }


def amdahl_vs_gustafson(serial_fraction: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Amdahl's fixed-size speedup against Gustafson's scaled speedup (for an explorer).

    Both curves take the slider's ``s`` as their own serial fraction: Amdahl's measured
    on one core, Gustafson's on ``n``. They are two different workloads; the third
    curve is Amdahl's law for Gustafson's workload (``s_A`` from
    :func:`amdahl_fraction_from_gustafson` at each ``n``), which lies on Gustafson's.
    """
    serial_fraction = number("serial_fraction", serial_fraction, 0, 1)
    same = speedup(amdahl_fraction_from_gustafson(serial_fraction, CORE_AXIS), CORE_AXIS)
    return {
        "Gustafson (problem grows), s on n cores": (CORE_AXIS, gustafson_speedup(serial_fraction, CORE_AXIS)),
        "Amdahl (problem fixed), s on one core": (CORE_AXIS, speedup(serial_fraction, CORE_AXIS)),
        "Amdahl for the growing problem (s converted)": {
            "x": CORE_AXIS[::8], "y": same[::8], "mode": "markers",
            "marker": {"size": 7, "symbol": "circle-open"}},
    }


USL_AXIS = np.arange(1, 129)


def usl_curves(contention: float, coherency: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """USL speedup against cores, with Amdahl (coherency 0) for comparison (for an explorer)."""
    contention = number("contention", contention, 0, 1)
    coherency = number("coherency", coherency, 0)
    peak = usl_peak_cores(contention, coherency)
    curves = {
        "USL": (USL_AXIS, usl_speedup(USL_AXIS, contention, coherency)),
        "Amdahl (coherency 0)": (USL_AXIS, usl_speedup(USL_AXIS, contention, 0.0)),
    }
    if np.isfinite(peak) and peak <= USL_AXIS[-1]:
        curves["peak"] = (np.array([peak]), np.array([usl_speedup(max(peak, 1.0), contention, coherency)]))
    else:
        curves["peak"] = (np.array([np.nan]), np.array([np.nan]))
    return curves


def source_data_points() -> "pd.DataFrame":
    """The source's two claims about Amdahl's law, with the arithmetic behind them.

    Gorton (2022, ch. 4): with 5% serial code, more than 2,048 cores adds essentially
    nothing; with 50%, more than 8 cores adds essentially nothing.
    """
    import pandas as pd

    rows = []
    for s, n_claim in ((0.05, 2048), (0.5, 8)):
        rows.append({
            "serial_fraction": s,
            "limit 1/s": speedup_limit(s),
            "S(8)": speedup(s, 8),
            "S(256)": speedup(s, 256),
            "S(2048)": speedup(s, 2048),
            "cores for 90% of limit": cores_for_share_of_limit(s, 0.9),
            "claim: nothing gained past": n_claim,
        })
    return pd.DataFrame(rows).set_index("serial_fraction")
