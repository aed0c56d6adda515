"""Capacity and its cost: growth regimes, Little's law, and servers lost to an overhead.

Three ways the cost of a system can grow with its capacity ``C`` (in units of one
starting system, so cost is 1 at ``C = 1``):

* linear: cost ``C`` (twice the capacity, twice the cost);
* sub-linear: cost ``C**b`` with ``0 < b < 1`` (economies of scale);
* hyperscale: cost ``1 + k log2(C)``, a fixed extra cost ``k`` per doubling, so
  capacity can grow exponentially while cost grows linearly. This is the goal that
  Gorton (2022, ch. 1) sets for hyperscale systems, not a law any system obeys.

Little's law ``N = X R`` links the mean number of requests in a system, its throughput
and its mean response time (Little 1961). An overhead (e.g. encryption) that adds a
share of work to every request raises the servers a load needs.

References
----------
- I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, ch. 1.
- J. D. C. Little, "A proof for the queuing formula L = lambda W", Operations
  Research 9(3):383-387, 1961.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validate import at_least, in_range, number, positive, scalar

__all__ = [
    "linear_cost",
    "sublinear_cost",
    "hyperscale_cost",
    "capacity_after",
    "little_concurrency",
    "little_throughput_per_s",
    "little_response_time_s",
    "servers_needed",
    "capacity_lost",
    "cost_curves",
    "cost_per_unit_curves",
    "servers_curves",
]


def linear_cost(capacity: ArrayLike) -> float | np.ndarray:
    """Cost that grows in proportion to capacity: ``cost = C``.

    Parameters
    ----------
    capacity : capacity in units of the starting system, >= 1.

    Returns
    -------
    Cost in units of the starting system's cost.

    References
    ----------
    Gorton 2022, ch. 1 (the baseline that hyperscale systems try to beat).

    >>> linear_cost(8)
    8.0
    """
    c = at_least("capacity", capacity, 1)
    return scalar(c.copy())


def sublinear_cost(capacity: ArrayLike, exponent: ArrayLike) -> float | np.ndarray:
    """Cost with economies of scale: ``cost = C**exponent``, exponent in (0, 1].

    Parameters
    ----------
    capacity : capacity in units of the starting system, >= 1.
    exponent : b, in (0, 1]; 1 is linear, 0.5 means 4x capacity for 2x cost.

    Returns
    -------
    Cost in units of the starting system's cost.

    References
    ----------
    Gorton 2022, ch. 1.

    >>> sublinear_cost(4, 0.5)
    2.0
    """
    c = at_least("capacity", capacity, 1)
    b = in_range("exponent", exponent, 0, 1, low_open=True)
    return scalar(c**b)


def hyperscale_cost(capacity: ArrayLike, cost_per_doubling: ArrayLike) -> float | np.ndarray:
    """Hyperscale cost: a fixed extra cost per doubling, ``cost = 1 + k log2(C)``.

    Exponential growth in capacity then costs only linear growth in money and effort:
    the design goal Gorton (2022, ch. 1) calls hyperscale.

    Parameters
    ----------
    capacity : capacity in units of the starting system, >= 1.
    cost_per_doubling : k, extra cost (in starting-system costs) per doubling, >= 0.

    Returns
    -------
    Cost in units of the starting system's cost.

    References
    ----------
    Gorton 2022, ch. 1.

    >>> hyperscale_cost(1024, 0.5)
    6.0
    """
    c = at_least("capacity", capacity, 1)
    k = at_least("cost_per_doubling", cost_per_doubling, 0)
    return scalar(1.0 + k * np.log2(c))


def capacity_after(years: ArrayLike, growth_per_year: ArrayLike) -> float | np.ndarray:
    """Capacity after ``years`` of compound growth: ``(1 + g)**years``.

    Parameters
    ----------
    years : elapsed time in years, >= 0.
    growth_per_year : g, yearly growth as a fraction (1.0 doubles each year), >= 0.
    Together they must give a capacity a float can hold (below about 1.8e308).

    >>> capacity_after(10, 1.0)
    1024.0
    """
    t = at_least("years", years, 0)
    g = at_least("growth_per_year", growth_per_year, 0)
    with np.errstate(over="ignore"):
        out = (1.0 + g) ** t
    if not np.all(np.isfinite(out)):
        raise ValueError("years and growth_per_year give a capacity too large for a float, "
                         f"got years={years!r}, growth_per_year={growth_per_year!r}"[:300])
    return scalar(out)


# --- Little's law ---------------------------------------------------------------------


def little_concurrency(throughput_per_s: ArrayLike, response_time_s: ArrayLike) -> float | np.ndarray:
    """Mean number of requests in the system, ``N = X R`` (Little's law).

    Parameters
    ----------
    throughput_per_s : X, completed requests per second, >= 0.
    response_time_s : R, mean time a request spends in the system, in seconds, >= 0.

    References
    ----------
    Little 1961.

    >>> little_concurrency(100, 1.0)
    100.0
    """
    x = at_least("throughput_per_s", throughput_per_s, 0)
    r = at_least("response_time_s", response_time_s, 0)
    return scalar(x * r)


def little_throughput_per_s(concurrency: ArrayLike, response_time_s: ArrayLike) -> float | np.ndarray:
    """Throughput a system sustains with ``N`` requests in it, ``X = N / R``.

    Parameters
    ----------
    concurrency : N, mean number of requests in the system, >= 0.
    response_time_s : R, mean response time in seconds, > 0.

    References
    ----------
    Little 1961.

    >>> little_throughput_per_s(100, 1.0)
    100.0
    """
    n = at_least("concurrency", concurrency, 0)
    r = positive("response_time_s", response_time_s)
    return scalar(n / r)


def little_response_time_s(concurrency: ArrayLike, throughput_per_s: ArrayLike) -> float | np.ndarray:
    """Mean response time, ``R = N / X``: with throughput fixed, more requests wait longer.

    Parameters
    ----------
    concurrency : N, mean number of requests in the system, >= 0.
    throughput_per_s : X, completed requests per second, > 0.

    References
    ----------
    Little 1961; Gorton 2022, ch. 1 example (1,000 concurrent at 100 req/s: 10 s each).

    >>> little_response_time_s(1000, 100)
    10.0
    """
    n = at_least("concurrency", concurrency, 0)
    x = positive("throughput_per_s", throughput_per_s)
    return scalar(n / x)


# --- An overhead turned into servers ---------------------------------------------------


def servers_needed(demand_per_s: ArrayLike, capacity_per_server_per_s: ArrayLike,
                   overhead: ArrayLike = 0.0) -> float | np.ndarray:
    """Whole servers needed for a load when each request costs ``1 + overhead`` times more.

    ``ceil(demand (1 + overhead) / capacity)``: an overhead of 10% means each request
    needs 10% more server time (e.g. to encrypt what it stores).

    Parameters
    ----------
    demand_per_s : requests per second to serve, >= 0.
    capacity_per_server_per_s : requests per second one server handles with no overhead, > 0.
    overhead : extra work per request as a fraction of its plain cost, >= 0.

    Returns
    -------
    Number of servers (a whole number, as float or array).

    References
    ----------
    Gorton 2022, ch. 1 (encryption at rest quoted at 5-10% overhead).

    >>> servers_needed(45_000, 800, 0.0), servers_needed(45_000, 800, 0.08)
    (57.0, 61.0)
    """
    d = at_least("demand_per_s", demand_per_s, 0)
    c = positive("capacity_per_server_per_s", capacity_per_server_per_s)
    o = at_least("overhead", overhead, 0)
    exact = d * (1.0 + o) / c
    whole = np.ceil(exact * (1.0 - 1e-12)) + 0.0  # 44.000000000000004 servers is 44
    return scalar(np.where((exact > 0) & (whole < 1), 1.0, whole))  # any load needs a server


def capacity_lost(overhead: ArrayLike) -> float | np.ndarray:
    """Share of a server's capacity an overhead takes, ``o / (1 + o)``.

    A 10% overhead per request leaves a server 1/1.1 = 90.9% of its plain throughput, so
    it loses 9.1% of its capacity (and a fleet needs 10% more servers).

    Parameters
    ----------
    overhead : extra work per request as a fraction of its plain cost, >= 0.

    >>> round(capacity_lost(0.10), 4)
    0.0909
    """
    o = at_least("overhead", overhead, 0)
    return scalar(o / (1.0 + o))


# --- Models for the explorers -----------------------------------------------------------

CAPACITY_AXIS = np.logspace(0, 6, 121)  # 1x .. 1,000,000x the starting system
YEARS_AXIS = np.linspace(0, 10, 101)


def cost_curves(exponent: float, cost_per_doubling: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Cost against capacity for the three growth regimes (for an explorer).

    >>> list(cost_curves(0.8, 1.0))
    ['linear', 'sub-linear', 'hyperscale']
    """
    exponent = number("exponent", exponent, 0, 1, low_open=True)
    cost_per_doubling = number("cost_per_doubling", cost_per_doubling, 0)
    c = CAPACITY_AXIS
    return {
        "linear": (c, linear_cost(c)),
        "sub-linear": (c, sublinear_cost(c, exponent)),
        "hyperscale": (c, hyperscale_cost(c, cost_per_doubling)),
    }


def cost_per_unit_curves(growth_per_year: float, exponent: float,
                         cost_per_doubling: float = 1.0) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Cost per unit of capacity over ten years of compound growth (for an explorer).

    >>> curves = cost_per_unit_curves(1.0, 0.8)
    >>> round(float(curves["hyperscale"][1][-1]), 4)  # 1024x capacity for 11x the cost
    0.0107
    """
    growth_per_year = number("growth_per_year", growth_per_year, 0)
    exponent = number("exponent", exponent, 0, 1, low_open=True)
    cost_per_doubling = number("cost_per_doubling", cost_per_doubling, 0)
    c = capacity_after(YEARS_AXIS, growth_per_year)
    return {
        "linear": (YEARS_AXIS, linear_cost(c) / c),
        "sub-linear": (YEARS_AXIS, sublinear_cost(c, exponent) / c),
        "hyperscale": (YEARS_AXIS, hyperscale_cost(c, cost_per_doubling) / c),
    }


DEMAND_AXIS = np.linspace(0, 20_000, 101)


def servers_curves(overhead: float, capacity_per_server_per_s: float) -> dict[str, dict]:
    """Servers needed against demand, without and with an overhead (for an explorer)."""
    overhead = number("overhead", overhead, 0)
    capacity_per_server_per_s = number("capacity_per_server_per_s", capacity_per_server_per_s, 0, low_open=True)
    plain = servers_needed(DEMAND_AXIS, capacity_per_server_per_s, 0.0)
    loaded = servers_needed(DEMAND_AXIS, capacity_per_server_per_s, overhead)
    return {
        "no overhead": dict(x=DEMAND_AXIS, y=plain, line={"shape": "hv"}),
        "with the overhead": dict(x=DEMAND_AXIS, y=loaded, line={"shape": "hv"}),
        "extra servers": dict(x=DEMAND_AXIS, y=loaded - plain, line={"shape": "hv", "dash": "dot"}),
    }
