"""Services calling services: fan-out tail latency and the availability of call chains.

A request that fans out to ``n`` backends in parallel must wait for the slowest. If each
backend is slow (above its 99th percentile, say) with probability ``p``, independently,
the request is slow with probability ``1 - (1 - p)^n``: rare slowness in each part
becomes common slowness in the whole (Dean and Barroso 2013: p = 1%, n = 100 gives 63%).

A request that must pass through ``k`` services in turn, each available with
probability ``a``, succeeds with probability ``a^k``. Replicating each service ``r``
times (independent failures, any replica will do) lifts each link to
``1 - (1 - a)^r``.

References
----------
- J. Dean and L. A. Barroso, "The tail at scale", *Communications of the ACM*
  56(2):74-80, 2013.
- I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, ch. 2 (SOA and
  microservices) and ch. 9.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validate import at_least, in_range, probability, scalar

__all__ = ["fanout_slow_probability", "fanout_for_slow_share", "chain_availability", "release_failure_probability",
           "fanout_curves", "chain_curves"]


def fanout_slow_probability(slow_probability: ArrayLike, fanout: ArrayLike) -> float | np.ndarray:
    """Probability that at least one of ``fanout`` parallel calls is slow: ``1 - (1 - p)^n``.

    Parameters
    ----------
    slow_probability : p, chance that one call is slow, in [0, 1].
    fanout : n, parallel calls per request, >= 1 (whole numbers in practice).

    References
    ----------
    Dean and Barroso 2013, table 1 (p = 0.01, n = 100: 63%).

    >>> round(fanout_slow_probability(0.01, 100), 3)
    0.634
    """
    p = probability("slow_probability", slow_probability)
    n = at_least("fanout", fanout, 1)
    return scalar(-np.expm1(n * np.log1p(-p)) if np.all(p < 1) else 1.0 - (1.0 - p) ** n)


def fanout_for_slow_share(slow_probability: ArrayLike, slow_share: ArrayLike) -> float | np.ndarray:
    """Fan-out at which ``slow_share`` of requests are slow: ``ln(1 - s) / ln(1 - p)``.

    >>> round(fanout_for_slow_share(0.01, 0.5), 1)
    69.0
    """
    p = probability("slow_probability", slow_probability, open_low=True, open_high=True)
    s = probability("slow_share", slow_share, open_low=True, open_high=True)
    return scalar(np.log1p(-s) / np.log1p(-p))


def release_failure_probability(change_failure_probability: ArrayLike, changes_per_release: ArrayLike) -> float | np.ndarray:
    """Chance that a release carrying ``k`` independent changes contains at least one bad one.

    ``1 - (1 - p)^k``, the fan-out formula again: a monolith that ships fifty changes
    together fails (or must be rolled back whole) far more often than a service that
    ships one change at a time, and finding the bad change among fifty takes longer.

    Parameters
    ----------
    change_failure_probability : p, chance that one change breaks the release, in [0, 1].
    changes_per_release : k, changes shipped together, >= 1.

    References
    ----------
    J. Humble and D. Farley, *Continuous Delivery*, Addison-Wesley, 2010, ch. 1 (small,
    frequent releases); N. Forsgren, J. Humble and G. Kim, *Accelerate*, IT Revolution,
    2018 (change failure rate).

    >>> round(release_failure_probability(0.01, 50), 3), round(release_failure_probability(0.01, 1), 3)
    (0.395, 0.01)
    """
    p = probability("change_failure_probability", change_failure_probability)
    k = at_least("changes_per_release", changes_per_release, 1)
    return fanout_slow_probability(p, k)


def chain_availability(availability: ArrayLike, services: ArrayLike, replicas: ArrayLike = 1) -> float | np.ndarray:
    """Availability of a request that needs ``services`` services in turn: ``(1 - (1 - a)^r)^k``.

    Parameters
    ----------
    availability : a, availability of one replica of each service, in [0, 1].
    services : k, services on the call path, whole number >= 1.
    replicas : r, independent replicas of each service, whole number >= 1.

    >>> round(chain_availability(0.999, 5), 4)
    0.995
    >>> round(chain_availability(0.99, 10, replicas=2), 4)
    0.999
    """
    a = probability("availability", availability)
    k = at_least("services", services, 1, integer=True)
    r = at_least("replicas", replicas, 1, integer=True)
    return scalar((1.0 - (1.0 - a) ** r) ** k)


FANOUT_AXIS = np.unique(np.round(np.logspace(0, 3, 120)))


def fanout_curves(slow_percent: float) -> dict[str, dict]:
    """Share of slow requests against fan-out, with Dean and Barroso's point n = 100 marked.

    >>> round(float(fanout_curves(1.0)["at n = 100"]["y"][0]), 3)
    0.634
    """
    p = float(in_range("slow_percent", slow_percent, 0, 100, max_ndim=0)) / 100.0
    return {
        "one request is slow": dict(x=FANOUT_AXIS, y=fanout_slow_probability(p, FANOUT_AXIS), mode="lines"),
        "at n = 100": dict(x=[100], y=[fanout_slow_probability(p, 100)], mode="markers", marker={"size": 10}),
    }


CHAIN_AXIS = np.arange(1, 41)


def chain_curves(availability_percent: float, replicas: int) -> dict[str, dict]:
    """Availability (%) of a chain of services against its length, single and replicated.

    >>> list(chain_curves(99.9, 2))
    ['one replica each', 'replicated']
    """
    a = float(in_range("availability_percent", availability_percent, 0, 100, max_ndim=0)) / 100.0
    r = int(at_least("replicas", replicas, 1, integer=True, max_ndim=0))
    return {
        "one replica each": dict(x=CHAIN_AXIS, y=100 * chain_availability(a, CHAIN_AXIS), mode="lines+markers"),
        "replicated": dict(x=CHAIN_AXIS, y=100 * chain_availability(a, CHAIN_AXIS, r), mode="lines+markers"),
    }
