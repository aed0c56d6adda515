"""Availability: replicas, "nines" and the downtime they allow.

A service replicated on ``n`` nodes that fail independently, each available a share
``a`` of the time, is down only when all ``n`` are down: its availability is
``1 - (1 - a)**n``. Availability is often quoted in nines: 99.9% is three nines,
``-log10(1 - A)``. Independence is the catch: anything the replicas share (power, a
network switch, a bad deployment) multiplies in and caps the result.

Downtime uses a 365-day year and a month of one twelfth of it (30.42 days), as most
published SLA tables do.

References
----------
- I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, ch. 1-2.
- M. L. Shooman, *Reliability of Computer Systems and Networks*, Wiley, 2002, ch. 3
  (parallel redundancy, ``1 - prod(1 - a_i)``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validate import at_least, count, in_range, number, positive, probability, scalar, seed as check_seed

__all__ = [
    "SECONDS_PER_YEAR",
    "SECONDS_PER_MONTH",
    "replicated_availability",
    "replicated_unavailability",
    "replicated_nines",
    "k_of_n_availability",
    "failover_unavailability",
    "nines",
    "downtime_s",
    "replicas_for_target",
    "nines_table",
    "replica_curves",
    "simulate_replicas",
]

SECONDS_PER_YEAR = 365 * 24 * 3600.0
SECONDS_PER_MONTH = SECONDS_PER_YEAR / 12


def replicated_availability(availability: ArrayLike, replicas: ArrayLike,
                            shared_availability: ArrayLike = 1.0) -> float | np.ndarray:
    """Availability of ``n`` independent replicas, ``a_s (1 - (1 - a)**n)``.

    Parameters
    ----------
    availability : a, share of time one replica is up, in [0, 1].
    replicas : n, number of replicas, a whole number >= 1.
    shared_availability : a_s, availability of what every replica depends on (power,
        network, deployment), in [0, 1]; 1 means the replicas share nothing.

    Returns
    -------
    Share of time at least one replica (and the shared part) is up.

    References
    ----------
    Shooman 2002, ch. 3 (parallel systems); Gorton 2022, ch. 2.

    >>> round(replicated_availability(0.99, 2), 6)
    0.9999
    >>> round(replicated_availability(0.99, 3, shared_availability=0.9999), 6)  # capped
    0.999899
    """
    a = probability("availability", availability)
    n = at_least("replicas", replicas, 1, integer=True)
    s = probability("shared_availability", shared_availability)
    return scalar(s * (1.0 - (1.0 - a) ** n))


def replicated_unavailability(availability: ArrayLike, replicas: ArrayLike,
                              shared_availability: ArrayLike = 1.0) -> float | np.ndarray:
    """Share of time ``n`` independent replicas are all down: ``(1 - a_s) + a_s (1 - a)**n``.

    This is ``1 - replicated_availability(...)``, computed without the subtraction, so that
    it stays exact when the availability is too close to 1 for a float: six replicas at
    99.9% are down ``1e-18`` of the time, while ``1 - 1e-18`` rounds to 1.0.

    Parameters
    ----------
    availability, replicas, shared_availability : as in :func:`replicated_availability`.

    >>> replicated_unavailability(0.999, 6)  # doctest: +ELLIPSIS
    1.0000000000000...e-18
    """
    a = probability("availability", availability)
    n = at_least("replicas", replicas, 1, integer=True)
    s = probability("shared_availability", shared_availability)
    return scalar((1.0 - s) + s * (1.0 - a) ** n)


def replicated_nines(availability: ArrayLike, replicas: ArrayLike,
                     shared_availability: ArrayLike = 1.0) -> float | np.ndarray:
    """Nines of ``n`` independent replicas, ``-log10`` of :func:`replicated_unavailability`.

    Independent replicas give ``-n log10(1 - a)`` nines: six at 99.9% are 18 nines, which a
    ``nines(1 - 1e-18)`` computed through the availability would report as infinite.

    >>> round(replicated_nines(0.999, 6), 6)
    18.0
    >>> round(replicated_nines(0.99, 3, shared_availability=0.9999), 3)
    3.996
    """
    a = probability("availability", availability)
    n = at_least("replicas", replicas, 1, integer=True)
    s = probability("shared_availability", shared_availability)
    with np.errstate(divide="ignore", invalid="ignore"):  # in logs: (1 - a)**n underflows for many replicas
        log_u = np.logaddexp(np.log1p(-s), np.log(s) + n * np.log1p(-a))
        log_u = np.where((a == 1.0) & (s == 1.0), -np.inf, log_u)
    return scalar(-log_u / np.log(10.0) + 0.0)  # + 0.0: no -0.0 nines


def k_of_n_availability(availability: ArrayLike, replicas: int, needed: int) -> float | np.ndarray:
    """Share of time at least ``needed`` of ``n`` independent replicas are up (binomial).

    When one replica cannot carry the whole load, the service needs ``k`` replicas up at
    once, and ``n = k + 1`` ("N+1") buys far less than ``1 - (1 - a)**n``:
    ``sum_{j >= k} C(n, j) a**j (1 - a)**(n - j)``.

    Parameters
    ----------
    availability : a, one replica's availability, in [0, 1].
    replicas : n, whole number in [1, 1000].
    needed : k, replicas that must be up, whole number in [1, n].

    References
    ----------
    Shooman 2002, ch. 3 (k-out-of-n systems).

    >>> round(k_of_n_availability(0.99, 2, 1), 6)  # k = 1 is plain redundancy
    0.9999
    >>> round(k_of_n_availability(0.99, 5, 4), 6)  # N+1 with N = 4
    0.99902
    """
    from math import comb

    a = probability("availability", availability)
    n = count("replicas", replicas, 1000)
    k = count("needed", needed, n)
    total = sum(comb(n, j) * a**j * (1.0 - a) ** (n - j) for j in range(k, n + 1))
    return scalar(np.asarray(total))


def failover_unavailability(availability: ArrayLike, replicas: ArrayLike, failures_per_year: ArrayLike,
                            failover_s: ArrayLike) -> float | np.ndarray:
    """Unavailability when every failure of the serving replica costs a failover gap.

    ``(1 - a)**n`` assumes that the moment a replica fails another answers in its place.
    Real failover first has to notice the failure (missed heartbeats, a health check
    timing out) and then redirect traffic; the service is down for that gap every time
    the serving replica fails. To first order (gaps short next to the time between
    failures) the two kinds of downtime add:
    ``(1 - a)**n + failures_per_year * failover_s / SECONDS_PER_YEAR``.

    Parameters
    ----------
    availability : a, one replica's availability, in [0, 1].
    replicas : n, whole number >= 1.
    failures_per_year : failures of the serving replica per year, >= 0.
    failover_s : seconds from a failure until another replica answers, >= 0.

    >>> round(failover_unavailability(0.99, 3, 12, 60) * SECONDS_PER_YEAR, 1)  # seconds a year
    751.5
    """
    u = np.asarray(replicated_unavailability(availability, replicas))
    f = at_least("failures_per_year", failures_per_year, 0)
    d = at_least("failover_s", failover_s, 0)
    return scalar(np.minimum(1.0, u + f * d / SECONDS_PER_YEAR))


def nines(availability: ArrayLike) -> float | np.ndarray:
    """Number of nines, ``-log10(1 - A)`` (inf for A = 1).

    Parameters
    ----------
    availability : A, in [0, 1].

    >>> round(nines(0.999), 6)
    3.0
    """
    a = probability("availability", availability)
    with np.errstate(divide="ignore"):
        return scalar(-np.log10(1.0 - a))


def downtime_s(availability: ArrayLike, period_s: ArrayLike = SECONDS_PER_YEAR) -> float | np.ndarray:
    """Downtime allowed in a period, ``(1 - A) * period``, in seconds.

    Parameters
    ----------
    availability : A, in [0, 1].
    period_s : the period in seconds, > 0 (default a 365-day year).

    >>> round(downtime_s(0.999) / 3600, 2)  # three nines: hours per year
    8.76
    """
    a = probability("availability", availability)
    p = positive("period_s", period_s)
    return scalar((1.0 - a) * p)


def replicas_for_target(availability: ArrayLike, target: ArrayLike) -> float | np.ndarray:
    """Fewest independent replicas with ``1 - (1 - a)**n >= target``.

    ``n = ceil(log(1 - target) / log(1 - a))``.

    Parameters
    ----------
    availability : a, one replica's availability, in (0, 1).
    target : the availability wanted, in [0, 1).

    >>> replicas_for_target(0.95, 0.99999)
    4.0
    """
    a = in_range("availability", availability, 0, 1, low_open=True, high_open=True)
    t = in_range("target", target, 0, 1, high_open=True)
    exact = np.log1p(-t) / np.log1p(-a)
    return scalar(np.maximum(1.0, np.ceil(exact * (1.0 - 1e-12))))


#: Most nines in :func:`nines_table` (beyond 15, 1 - A is below a float's resolution).
MAX_NINES = 15
#: Most replica-instants one :func:`simulate_replicas` call draws (80 MB of floats).
MAX_DRAWS = 10_000_000


def nines_table(max_nines: int = 6) -> "pd.DataFrame":
    """Downtime each number of nines allows, per month and per year.

    >>> nines_table(3)["per year"].tolist()
    ['36.5 days', '3.65 days', '8.76 hours']
    """
    import pandas as pd

    k = count("max_nines", max_nines, MAX_NINES)
    rows = []
    for n in range(1, k + 1):
        a = 1.0 - 10.0**-n
        rows.append({
            "nines": n,
            "availability": f"{100 * a:.{max(n - 2, 0)}f}%",
            "per month": _duration(downtime_s(a, SECONDS_PER_MONTH)),
            "per year": _duration(downtime_s(a, SECONDS_PER_YEAR)),
        })
    return pd.DataFrame(rows).set_index("nines")


def _duration(seconds: float) -> str:
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.3g} seconds"


# --- A check by simulation ----------------------------------------------------------------


def simulate_replicas(availability: float, replicas: int, samples: int = 100_000,
                      seed: int = 0) -> float:
    """Share of random instants at which at least one of ``n`` independent replicas is up.

    Each replica is up with probability ``a`` at each sampled instant, independently: a
    Monte Carlo check of :func:`replicated_availability`. ``replicas x samples`` is at
    most MAX_DRAWS (10 million); ``seed`` a whole number >= 0 or a numpy Generator.

    >>> round(simulate_replicas(0.9, 2, seed=1), 2)
    0.99
    """
    a = float(probability("availability", availability, max_ndim=0))
    n = count("replicas", replicas, MAX_DRAWS)
    m = count("samples", samples, MAX_DRAWS // n)
    rng = np.random.default_rng(check_seed("seed", seed))
    up = rng.random((m, n)) < a
    return float(up.any(axis=1).mean())


# --- Model for an explorer -----------------------------------------------------------------

REPLICA_AXIS = np.arange(1, 7)


def replica_curves(availability: float, shared_availability: float) -> dict[str, dict]:
    """Nines against replicas: independent replicas, and with a shared dependency.

    Nines come from the unavailability (:func:`replicated_nines`), never from an
    availability rounded to 1.0: six replicas at 99.9% show 18 nines.

    >>> curves = replica_curves(0.99, 0.9999)
    >>> [round(float(v), 2) for v in curves["with the shared dependency"]["y"][:3]]
    [2.0, 3.7, 4.0]
    >>> round(float(replica_curves(0.999, 1.0)["independent replicas"]["y"][-1]), 6)
    18.0
    """
    availability = float(probability("availability", availability, max_ndim=0))
    shared_availability = float(probability("shared_availability", shared_availability, max_ndim=0))
    n = REPLICA_AXIS
    independent = replicated_nines(availability, n)
    shared = replicated_nines(availability, n, shared_availability)
    return {
        "independent replicas": dict(x=n, y=np.asarray(independent), mode="lines+markers"),
        "with the shared dependency": dict(x=n, y=np.asarray(shared), mode="lines+markers"),
        "the shared dependency alone": dict(x=n[[0, -1]], y=np.full(2, float(nines(shared_availability))
                                                                    if shared_availability < 1 else np.nan),
                                            mode="lines", line={"dash": "dot"}),
    }
