"""A cache in front of the database: the hit ratio decides how much load reaches it.

Of ``R`` requests per second, a cache with hit ratio ``h`` answers ``h R`` itself, in
about ``cache_ms``; only ``(1 - h) R`` reach the database. The database is modelled as
an M/M/c queue (``db_servers`` workers, each serving one query in ``db_service_ms`` on
average), so its utilization is ``(1 - h) R x service time / c`` and its response time
grows sharply as that nears one. The mean response time a client sees is

``T = h x cache_ms + (1 - h) x (cache_ms + T_db)``

(a miss looks in the cache first, then asks the database).

References
----------
- I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, ch. 2 (caching in front
  of the database) and ch. 6.
- L. Kleinrock, *Queueing Systems, Volume 1*, Wiley, 1975 (the M/M/c queue).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validate import at_least, in_range, number, positive, probability, scalar
from .queueing import MAX_SERVERS
from .queueing import mmc_mean_response

__all__ = ["database_load", "database_utilization", "mean_response_ms", "hit_ratio_for_utilization", "cache_curves"]


def database_load(request_rate: ArrayLike, hit_ratio: ArrayLike) -> float | np.ndarray:
    """Requests per second that miss the cache and reach the database: ``(1 - h) R``.

    Parameters
    ----------
    request_rate : R, requests per second, >= 0.
    hit_ratio : h, share of requests the cache answers, in [0, 1].

    >>> round(database_load(1000, 0.8), 6)
    200.0
    """
    r = at_least("request_rate", request_rate, 0)
    h = probability("hit_ratio", hit_ratio)
    return scalar((1.0 - h) * r)


def database_utilization(request_rate: ArrayLike, hit_ratio: ArrayLike, db_service_ms: ArrayLike,
                         db_servers: ArrayLike = 1) -> float | np.ndarray:
    """Share of the database's capacity in use: ``(1 - h) R x service time / servers``.

    Values of 1 or more mean the database cannot keep up.

    Parameters
    ----------
    request_rate : R, requests per second, >= 0.
    hit_ratio : h, in [0, 1].
    db_service_ms : mean time one database worker spends on a query, ms, > 0.
    db_servers : database workers, whole number >= 1.

    >>> round(database_utilization(1000, 0.8, 2.0, 1), 6)
    0.4
    """
    s = positive("db_service_ms", db_service_ms)
    c = in_range("db_servers", db_servers, 1, MAX_SERVERS, integer=True)
    return scalar(np.asarray(database_load(request_rate, hit_ratio)) * s / 1000.0 / c)


def mean_response_ms(request_rate: ArrayLike, hit_ratio: ArrayLike, db_service_ms: ArrayLike,
                     db_servers: ArrayLike = 1, cache_ms: ArrayLike = 0.5) -> float | np.ndarray:
    """Mean response time (ms) seen by clients of a cache in front of an M/M/c database.

    Parameters
    ----------
    request_rate, hit_ratio, db_service_ms, db_servers : as in :func:`database_utilization`;
        the database must stay below full utilization (else ``ValueError``).
    cache_ms : time to look in the cache, ms, >= 0.

    References
    ----------
    Kleinrock 1975, eq. 3.43 (M/M/c response time).

    With no cache and one database worker at 2 ms per query, 400 requests per second
    give 2 / (1 - 0.8) = 10 ms; an 80% hit ratio brings that under 1 ms:

    >>> round(mean_response_ms(400, 0.0, 2.0, 1, cache_ms=0.0), 3)
    10.0
    >>> round(mean_response_ms(400, 0.8, 2.0, 1, cache_ms=0.5), 3)
    0.976
    """
    h = probability("hit_ratio", hit_ratio)
    s = positive("db_service_ms", db_service_ms)
    c = in_range("db_servers", db_servers, 1, MAX_SERVERS, integer=True)
    cache = at_least("cache_ms", cache_ms, 0)
    misses = np.asarray(database_load(request_rate, h))
    if np.any(misses * s / 1000.0 >= c):
        raise ValueError("the database load (1 - hit_ratio) x request_rate must stay below its capacity "
                         f"db_servers x 1000 / db_service_ms = {float(np.min(c * 1000.0 / s)):g} per second")
    db_ms = 1000.0 * np.asarray(mmc_mean_response(misses, 1000.0 / s, c))
    return scalar(cache + (1.0 - h) * db_ms)


def hit_ratio_for_utilization(request_rate: ArrayLike, target_utilization: ArrayLike, db_service_ms: ArrayLike,
                              db_servers: ArrayLike = 1) -> float | np.ndarray:
    """Smallest hit ratio that keeps database utilization at ``target_utilization`` (0 if none needed).

    >>> round(hit_ratio_for_utilization(1000, 0.6, 2.5, 1), 3)
    0.76
    """
    r = positive("request_rate", request_rate)
    u = probability("target_utilization", target_utilization, open_low=True)
    s = positive("db_service_ms", db_service_ms)
    c = in_range("db_servers", db_servers, 1, MAX_SERVERS, integer=True)
    return scalar(np.clip(1.0 - u * c * 1000.0 / (r * s), 0.0, 1.0))


RATE_AXIS = np.linspace(0.0, 2000.0, 161)


def cache_curves(hit_ratio: float, db_service_ms: float) -> dict[str, dict]:
    """Mean response time (ms) against request rate, without a cache and with hit ratio h.

    One database worker; a cache lookup takes 0.5 ms. Rates the database cannot carry
    are left blank.

    >>> list(cache_curves(0.8, 2.0))
    ['no cache', 'with the cache', 'database saturates (with the cache)']
    """
    h = float(probability("hit_ratio", hit_ratio, max_ndim=0))
    s = number("db_service_ms", db_service_ms, 0, low_open=True)
    r = RATE_AXIS
    capacity = 1000.0 / s
    curves = {}
    for name, ratio, cache in (("no cache", 0.0, 0.0), ("with the cache", h, 0.5)):
        ok = (1.0 - ratio) * r < 0.98 * capacity
        y = np.full(r.shape, np.nan)
        if ok.any():
            y[ok] = mean_response_ms(r[ok], ratio, s, 1, cache)
        curves[name] = dict(x=r, y=y, mode="lines")
    limit = capacity / (1.0 - h) if h < 1 else np.inf
    shown = limit if limit <= r[-1] else np.nan
    curves["database saturates (with the cache)"] = dict(x=[shown, shown], y=[0.0, 1e9], mode="lines",
                                                       line={"dash": "dot", "color": "gray"})
    return curves
