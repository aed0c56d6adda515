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

    >>> curves = replica_curves(0.99, 0.9999)
    >>> [round(float(v), 2) for v in curves["with the shared dependency"]["y"][:3]]
    [2.0, 3.7, 4.0]
    """
    availability = float(probability("availability", availability, max_ndim=0))
    shared_availability = float(probability("shared_availability", shared_availability, max_ndim=0))
    n = REPLICA_AXIS
    independent = nines(replicated_availability(availability, n))
    shared = nines(replicated_availability(availability, n, shared_availability))
    return {
        "independent replicas": dict(x=n, y=np.minimum(independent, 20.0), mode="lines+markers"),
        "with the shared dependency": dict(x=n, y=np.minimum(shared, 20.0), mode="lines+markers"),
        "the shared dependency alone": dict(x=n[[0, -1]], y=np.full(2, float(nines(shared_availability))
                                                                    if shared_availability < 1 else np.nan),
                                            mode="lines", line={"dash": "dot"}),
    }
