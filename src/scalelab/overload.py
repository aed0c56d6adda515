"""Availability under attack: a request flood against a finite queue, and rate limiting.

A service with one server (service rate ``mu``) and room for ``K`` requests in all
(one in service, ``K - 1`` waiting) is an M/M/1/K queue when requests arrive as a
Poisson stream. An arrival that finds ``K`` requests already there is dropped. The
blocking probability has a closed form (Kleinrock 1975, sec. 3.6),

    P_K = (1 - rho) rho**K / (1 - rho**(K + 1)),   rho = lambda / mu,

and because Poisson arrivals see time averages (PASTA), a legitimate request is dropped
with the same probability as an attacking one. A flood (DDoS) raises ``lambda`` until
almost every request, legitimate or not, is dropped.

A per-client token bucket (rate ``r`` tokens per second, depth ``b``) admits a client's
request only if a token is left. Over a long run it passes ``min(lambda_i, r)`` of a
client's rate ``lambda_i`` (the fluid approximation used by :func:`flood`); the SimPy
model :func:`simulate_flood` keeps real buckets and checks it.

References
----------
- L. Kleinrock, *Queueing Systems, Volume 1: Theory*, Wiley, 1975, sec. 3.6 (M/M/1/K).
- J. D. C. Little, "A proof for the queuing formula L = lambda W", Operations
  Research 9(3), 1961.
- J. Heinanen and R. Guerin, "A Single Rate Three Color Marker", RFC 2697, 1999 (token
  bucket metering); J. Mirkovic and P. Reiher, "A taxonomy of DDoS attack and DDoS
  defense mechanisms", ACM SIGCOMM CCR 34(2), 2004.
- I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, ch. 1 (availability
  under attack, DDoS).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from ._validate import at_least, count as check_count, in_range, number, positive, scalar, seed as check_seed
from .palette import BLUE, GREY, RED

__all__ = [
    "mm1k_state_probabilities",
    "mm1k_blocking",
    "mm1k_mean_in_system",
    "mm1k_response_time_s",
    "token_bucket_admitted_per_s",
    "poisson_bucket_admitted_per_s",
    "limiter_table",
    "flood",
    "simulate_flood",
    "compare_with_simulation",
    "goodput_curves",
    "drop_latency_curves",
]


#: Largest queue capacity K (the state distribution has K + 1 entries per rate).
MAX_CAPACITY = 10_000
#: Most clients (bots or legitimate) and most requests one simulated flood draws.
MAX_CLIENTS = 100_000
MAX_FLOOD_REQUESTS = 2_000_000


def _queue_args(arrival_rate_per_s: ArrayLike, service_rate_per_s: ArrayLike, capacity: ArrayLike):
    lam = at_least("arrival_rate_per_s", arrival_rate_per_s, 0)
    mu = positive("service_rate_per_s", service_rate_per_s)
    k = in_range("capacity", capacity, 1, MAX_CAPACITY, integer=True)
    return lam, mu, k


def mm1k_state_probabilities(arrival_rate_per_s: float, service_rate_per_s: float,
                             capacity: int) -> np.ndarray:
    """Long-run probabilities of 0, 1, ..., K requests in an M/M/1/K system.

    ``p_n`` is proportional to ``rho**n``; weights are scaled so that no power overflows.

    Parameters
    ----------
    arrival_rate_per_s : lambda, offered requests per second, >= 0 (scalar).
    service_rate_per_s : mu, requests per second the server completes, > 0.
    capacity : K, most requests in the system (in service plus waiting), whole, >= 1.

    References
    ----------
    Kleinrock 1975, eq. 3.43.

    >>> mm1k_state_probabilities(1.0, 1.0, 3).tolist()
    [0.25, 0.25, 0.25, 0.25]
    """
    lam = number("arrival_rate_per_s", arrival_rate_per_s, 0)
    mu = number("service_rate_per_s", service_rate_per_s, 0, low_open=True)
    k = check_count("capacity", capacity, MAX_CAPACITY)
    return _probabilities(np.atleast_1d(lam / mu), int(k))[0]


def _probabilities(rho: np.ndarray, k: int) -> np.ndarray:
    """Rows of state probabilities, one row per load in ``rho`` (1-d)."""
    n = np.arange(k + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_rho = np.log(rho)[:, None]
        log_w = np.where(rho[:, None] == 0, np.where(n == 0, 0.0, -np.inf), n * log_rho)
    log_w = log_w - log_w.max(axis=1, keepdims=True)
    w = np.exp(log_w)
    return w / w.sum(axis=1, keepdims=True)


def mm1k_blocking(arrival_rate_per_s: ArrayLike, service_rate_per_s: ArrayLike,
                  capacity: ArrayLike) -> float | np.ndarray:
    """Probability that an arriving request is dropped by a full M/M/1/K system.

    Closed form ``(1 - rho) rho**K / (1 - rho**(K + 1))`` (``1 / (K + 1)`` at rho = 1),
    computed as ``(1 - q) / (1 - q**(K + 1))`` with ``q = 1 / rho`` when rho > 1 so
    that it stays exact under a flood.

    Parameters
    ----------
    arrival_rate_per_s : lambda, offered requests per second, >= 0.
    service_rate_per_s : mu, requests per second the server completes, > 0.
    capacity : K, most requests in the system, a whole number >= 1.

    Returns
    -------
    The blocking probability, in [0, 1).

    References
    ----------
    Kleinrock 1975, sec. 3.6.

    >>> round(mm1k_blocking(1500, 1000, 20), 4)
    0.3334
    >>> mm1k_blocking(10, 10, 4)
    0.2
    """
    lam, mu, k = _queue_args(arrival_rate_per_s, service_rate_per_s, capacity)
    rho = lam / mu
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        low = np.minimum(rho, 1.0)  # rho <= 1: (1 - rho) rho^K / (1 - rho^(K+1))
        low_value = (1.0 - low) * low**k / -np.expm1((k + 1) * np.log(low))
        q = 1.0 / np.maximum(rho, 1.0)  # rho > 1: (1 - q) / (1 - q^(K+1))
        high_value = (1.0 - q) / -np.expm1((k + 1) * np.log(q))
        value = np.where(rho > 1.0, high_value, low_value)
        value = np.where(np.abs(rho - 1.0) < 1e-12, 1.0 / (k + 1.0), value)
        value = np.where(rho == 0, 0.0, value)
    return scalar(value)


def mm1k_mean_in_system(arrival_rate_per_s: ArrayLike, service_rate_per_s: ArrayLike,
                        capacity: ArrayLike) -> float | np.ndarray:
    """Mean number of requests in an M/M/1/K system, ``L = sum n p_n``.

    Closed form ``rho / (1 - rho) - (K + 1) rho**(K+1) / (1 - rho**(K+1))`` for rho < 1
    (``K / 2`` at rho = 1); for rho > 1 the same formula in ``q = 1 / rho`` counts the
    empty places, ``L = K - L(q)``, so nothing overflows under a flood.

    Parameters
    ----------
    arrival_rate_per_s : lambda, offered requests per second, >= 0.
    service_rate_per_s : mu, > 0.
    capacity : K, a whole number >= 1.

    References
    ----------
    Kleinrock 1975, sec. 3.6.

    >>> mm1k_mean_in_system(1.0, 1.0, 4)  # rho = 1: uniform on 0..K
    2.0
    >>> round(mm1k_mean_in_system(500, 1000, 200), 6)  # a big buffer: M/M/1, rho / (1 - rho)
    1.0
    """
    lam, mu, k = _queue_args(arrival_rate_per_s, service_rate_per_s, capacity)
    rho = lam / mu
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        x = np.where(rho > 1.0, 1.0 / np.maximum(rho, 1e-300), rho)  # the load in (0, 1]
        tail = -np.expm1((k + 1) * np.log(x))  # 1 - x^(K+1)
        partial = x / (1.0 - x) - (k + 1) * x ** (k + 1) / tail
        mean = np.where(rho > 1.0, k - partial, partial)
        mean = np.where(np.abs(rho - 1.0) < 1e-9, k / 2.0, mean)
        mean = np.where(rho == 0, 0.0, mean)
    return scalar(mean)


def mm1k_response_time_s(arrival_rate_per_s: ArrayLike, service_rate_per_s: ArrayLike,
                         capacity: ArrayLike) -> float | np.ndarray:
    """Mean time an admitted request spends in an M/M/1/K system, in seconds.

    By Little's law, ``W = L / (lambda (1 - P_K))``; with no load it is ``1 / mu``.

    Parameters
    ----------
    arrival_rate_per_s : lambda, >= 0.
    service_rate_per_s : mu, > 0.
    capacity : K, a whole number >= 1.

    References
    ----------
    Little 1961; Kleinrock 1975, sec. 3.6.

    >>> round(mm1k_response_time_s(0.0, 1000, 10) * 1000, 3)  # ms
    1.0
    >>> round(mm1k_response_time_s(1e9, 1000, 10) * 1000, 3)  # a full queue: about K / mu
    10.0
    """
    lam, mu, k = _queue_args(arrival_rate_per_s, service_rate_per_s, capacity)
    mean = np.asarray(mm1k_mean_in_system(lam, mu, k))
    admitted = lam * (1.0 - np.asarray(mm1k_blocking(lam, mu, k)))
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(admitted > 0, mean / np.where(admitted > 0, admitted, 1.0), 1.0 / mu)
    return scalar(w)


def token_bucket_admitted_per_s(rate_per_s: ArrayLike, bucket_rate_per_s: ArrayLike) -> float | np.ndarray:
    """Long-run rate a token bucket lets through: ``min(rate, bucket rate)`` (fluid model).

    The bucket's depth only matters for bursts, so it drops out of the long-run rate;
    near ``rate = bucket rate`` random arrivals lose a little more (see
    :func:`simulate_flood`).

    Parameters
    ----------
    rate_per_s : one client's offered requests per second, >= 0.
    bucket_rate_per_s : tokens added per second, > 0 (inf: no limit).

    References
    ----------
    RFC 2697 (token bucket metering).

    >>> token_bucket_admitted_per_s(50, 10), token_bucket_admitted_per_s(3, 10)
    (10.0, 3.0)
    """
    lam = at_least("rate_per_s", rate_per_s, 0)
    r = positive("bucket_rate_per_s", bucket_rate_per_s, allow_inf=True)
    return scalar(np.minimum(lam, r))


#: Most requests :func:`poisson_bucket_admitted_per_s` simulates.
MAX_BUCKET_REQUESTS = 1_000_000


def poisson_bucket_admitted_per_s(rate_per_s: float, bucket_rate_per_s: float, bucket_depth: float | None = None,
                                  n_requests: int = 100_000, seed: int = 0) -> float:
    """Long-run rate a token bucket passes from one client sending a Poisson stream (simulated).

    The fluid model ``min(lambda, r)`` treats requests as a smooth flow. A Poisson client
    sends in clumps: after a clump has emptied the bucket, the next requests are refused
    even though the client's average is below the limit, and while the bucket is full
    tokens are wasted. The loss is largest when ``lambda`` is close to ``r`` and the
    bucket is shallow. With a depth of one token it is exact in closed form: after each
    admitted request the bucket needs ``1 / r`` to refill and then waits on average
    ``1 / lambda`` for the next arrival, so the client gets ``r lambda / (r + lambda)``.

    Parameters
    ----------
    rate_per_s : lambda, the client's Poisson rate, > 0.
    bucket_rate_per_s : r, tokens per second, > 0.
    bucket_depth : tokens the bucket holds, >= 1 (default: one second of tokens, at least 1,
        as in :func:`simulate_flood`).
    n_requests : arrivals simulated, whole number in [1,000, MAX_BUCKET_REQUESTS].
    seed : seed of the generator.

    References
    ----------
    RFC 2697 (token bucket); the depth-1 case is a renewal argument.

    >>> round(poisson_bucket_admitted_per_s(3, 1), 2)  # exact: 1 x 3 / (1 + 3) = 0.75
    0.75
    """
    lam = float(positive("rate_per_s", rate_per_s, max_ndim=0))
    r = float(positive("bucket_rate_per_s", bucket_rate_per_s, max_ndim=0))
    depth = float(at_least("bucket_depth", bucket_depth, 1, max_ndim=0)) if bucket_depth is not None else max(1.0, r)
    n = int(in_range("n_requests", n_requests, 1_000, MAX_BUCKET_REQUESTS, integer=True, max_ndim=0))
    check_seed("seed", seed)
    times = np.cumsum(np.random.default_rng(seed).exponential(1.0 / lam, n)).tolist()  # ~0.4 s per 100,000
    level, last, passed = depth, 0.0, 0
    for t in times:
        level = min(depth, level + r * (t - last))
        last = t
        if level >= 1.0:
            level -= 1.0
            passed += 1
    return passed / times[-1]


def limiter_table(rate_per_s: float = 3.0, limits_per_s=(1.0, 2.0, 3.0, 5.0, 10.0)) -> "pd.DataFrame":
    """One Poisson client through a token bucket: the fluid rate against the simulated one.

    ``rate_per_s`` > 0; ``limits_per_s``: at most 20 finite bucket rates, each > 0.
    """
    import pandas as pd

    number("rate_per_s", rate_per_s, 0, low_open=True)
    limits_per_s = positive("limits_per_s", limits_per_s, max_ndim=1).ravel().tolist()
    if len(limits_per_s) > 20:
        raise ValueError(f"limits_per_s must hold at most 20 limits, got {len(limits_per_s)}")
    rows = []
    for limit in limits_per_s:
        fluid = float(token_bucket_admitted_per_s(rate_per_s, limit))
        real = poisson_bucket_admitted_per_s(rate_per_s, limit)
        rows.append({"limit req/s": limit, "fluid min(rate, limit)": fluid, "simulated (Poisson client)": real,
                     "fluid overstates by": fluid / real - 1.0})
    return pd.DataFrame(rows).set_index("limit req/s")


def flood(legit_rate_per_s: float, attack_rate_per_s: ArrayLike, *, service_rate_per_s: float = 1000.0,
          capacity: int = 50, bots: int = 100, legit_clients: int = 200,
          limit_per_client_per_s: float = math.inf) -> dict[str, np.ndarray]:
    """Legitimate goodput, drops and latency of a service under a request flood.

    Legitimate load comes from ``legit_clients`` clients sharing ``legit_rate_per_s``
    evenly, the attack from ``bots`` machines sharing ``attack_rate_per_s``. Each
    client passes a token bucket of ``limit_per_client_per_s`` (fluid model); what
    passes enters an M/M/1/K queue and is dropped with its blocking probability.

    Parameters
    ----------
    legit_rate_per_s : legitimate requests per second, >= 0.
    attack_rate_per_s : attacking requests per second, >= 0 (scalar or 1-d array).
    service_rate_per_s : mu, requests per second the server completes, > 0.
    capacity : K, most requests in the system, a whole number >= 1.
    bots : attacking machines, a whole number >= 1.
    legit_clients : legitimate clients, a whole number >= 1.
    limit_per_client_per_s : token rate per client, > 0; inf for no rate limiting.

    Returns
    -------
    dict of arrays (shaped like ``attack_rate_per_s``): ``legit_goodput_per_s``,
    ``legit_dropped_share`` (at the limiter or the queue), ``attack_goodput_per_s``,
    ``blocking`` (at the queue), ``response_time_s`` (mean, admitted requests) and
    ``utilization``.

    References
    ----------
    Kleinrock 1975, sec. 3.6; RFC 2697; Mirkovic and Reiher 2004.

    >>> out = flood(600, 20_000)
    >>> round(float(out["legit_goodput_per_s"]), 1)
    29.1
    >>> round(float(flood(600, 20_000, limit_per_client_per_s=10)["legit_goodput_per_s"]), 1)
    375.0
    """
    legit = float(at_least("legit_rate_per_s", legit_rate_per_s, 0, max_ndim=0))
    attack = at_least("attack_rate_per_s", attack_rate_per_s, 0)
    mu = float(positive("service_rate_per_s", service_rate_per_s, max_ndim=0))
    k = check_count("capacity", capacity, MAX_CAPACITY)
    n_bots = float(check_count("bots", bots, MAX_CLIENTS))
    n_legit = float(check_count("legit_clients", legit_clients, MAX_CLIENTS))
    limit = float(positive("limit_per_client_per_s", limit_per_client_per_s, allow_inf=True, max_ndim=0))

    legit_in = n_legit * np.minimum(legit / n_legit, limit)
    attack_in = n_bots * np.minimum(attack / n_bots, limit)
    offered = legit_in + attack_in
    blocked = np.asarray(mm1k_blocking(offered, mu, k))
    legit_goodput = legit_in * (1.0 - blocked)
    carried = offered * (1.0 - blocked)
    return {
        "legit_goodput_per_s": legit_goodput,
        "legit_dropped_share": 1.0 - legit_goodput / legit if legit > 0 else np.zeros_like(attack),
        "attack_goodput_per_s": attack_in * (1.0 - blocked),
        "blocking": blocked,
        "response_time_s": np.asarray(mm1k_response_time_s(offered, mu, k)),
        "utilization": carried / mu,
    }


# --- The same service as a SimPy process model ---------------------------------------------

#: Most requests :func:`simulate_flood` generates (rate x duration), and most tokens in all buckets.
MAX_SIM_REQUESTS = 2_000_000
MAX_SIM_TOKENS = 10_000_000


def simulate_flood(legit_rate_per_s: float, attack_rate_per_s: float, *, service_rate_per_s: float = 1000.0,
                   capacity: int = 50, bots: int = 100, legit_clients: int = 200,
                   limit_per_client_per_s: float = math.inf, bucket_depth: float | None = None,
                   duration_s: float = 2.0, warmup_s: float = 0.2, seed: int = 0,
                   bucket_start: str = "random") -> dict[str, float]:
    """Simulate the flooded service in SimPy, with a real token bucket per client.

    Poisson arrivals from every client; each client's bucket holds at most
    ``bucket_depth`` tokens (default: one second of tokens, at least 1) and starts at
    a level drawn uniformly from [0, depth] (``bucket_start="random"``) or full
    (``"full"``). Full buckets at t = 0 put every heavy sender in phase: all empty
    their buckets at once and then earn their next token at the same instants, so the
    bots fire in synchronized bursts that no Poisson model describes. One server
    with exponential service times; room for ``capacity`` requests. Requests arriving
    before ``warmup_s`` load the system but are not counted.

    Parameters
    ----------
    legit_rate_per_s, attack_rate_per_s, service_rate_per_s, capacity, bots,
    legit_clients, limit_per_client_per_s : as in :func:`flood`.
    bucket_depth : tokens a bucket holds, >= 1.
    duration_s : simulated seconds, in (0, 60].
    warmup_s : simulated seconds not counted, in [0, duration_s).
    seed : seed of the random generator.
    bucket_start : ``"random"`` or ``"full"``.

    Returns
    -------
    dict: ``legit_goodput_per_s``, ``legit_dropped_share``, ``attack_goodput_per_s``,
    ``legit_admitted_per_s`` and ``attack_admitted_per_s`` (past the buckets),
    ``response_time_s`` (mean over admitted legitimate requests) and ``requests``.

    >>> out = simulate_flood(600, 0, duration_s=1.0, seed=1)
    >>> 0.95 < out["legit_goodput_per_s"] / 600 < 1.05
    True
    """
    import simpy

    legit = float(at_least("legit_rate_per_s", legit_rate_per_s, 0, max_ndim=0))
    attack = float(at_least("attack_rate_per_s", attack_rate_per_s, 0, max_ndim=0))
    mu = float(positive("service_rate_per_s", service_rate_per_s, max_ndim=0))
    k = check_count("capacity", capacity, MAX_CAPACITY)
    n_bots = check_count("bots", bots, MAX_CLIENTS)
    n_legit = check_count("legit_clients", legit_clients, MAX_CLIENTS)
    limit = float(positive("limit_per_client_per_s", limit_per_client_per_s, allow_inf=True, max_ndim=0))
    duration = float(in_range("duration_s", duration_s, 0, 60, low_open=True, max_ndim=0))
    warmup = float(in_range("warmup_s", warmup_s, 0, duration, high_open=True, max_ndim=0))
    depth = float(at_least("bucket_depth", bucket_depth, 1, max_ndim=0)) if bucket_depth is not None else max(1.0, limit)
    if bucket_start not in ("random", "full"):
        raise ValueError(f"bucket_start must be 'random' or 'full', got {bucket_start!r}")
    if math.isfinite(limit) and depth * (n_legit + n_bots) > MAX_SIM_TOKENS:
        raise ValueError(f"bucket_depth x clients must be <= {MAX_SIM_TOKENS:g} (the depth defaults to "
                         f"limit_per_client_per_s, at least 1), got {depth * (n_legit + n_bots):g}")
    if (legit + attack) * duration > MAX_SIM_REQUESTS:
        raise ValueError(f"(legit_rate_per_s + attack_rate_per_s) x duration_s must be <= {MAX_SIM_REQUESTS:g}, "
                         f"got {(legit + attack) * duration:g}")

    rng = np.random.default_rng(check_seed("seed", seed))
    total = legit + attack
    count = int(rng.poisson(total * duration)) if total > 0 else 0
    times = np.sort(rng.uniform(0.0, duration, count))
    is_attack = rng.random(count) < (attack / total if total > 0 else 0.0)
    client = np.where(is_attack, n_legit + rng.integers(n_bots, size=count), rng.integers(n_legit, size=count))
    service = rng.exponential(1.0 / mu, count)

    admitted = np.ones(count, dtype=bool)
    if math.isfinite(limit):  # each client's bucket, refilled lazily at its arrivals
        start = np.random.default_rng([seed, 1])
        tokens = start.uniform(0.0, depth, n_legit + n_bots) if bucket_start == "random" else np.full(n_legit + n_bots, depth)
        last = np.zeros(n_legit + n_bots)
        for i, (t, c) in enumerate(zip(times.tolist(), client.tolist())):
            level = min(depth, tokens[c] + limit * (t - last[c]))
            last[c] = t
            if level >= 1.0:
                tokens[c] = level - 1.0
            else:
                tokens[c] = level
                admitted[i] = False

    env = simpy.Environment()
    server = simpy.Resource(env, capacity=1)
    state = {"in_system": 0, "legit_done": 0, "attack_done": 0, "legit_time": 0.0}

    def request(i: int, arrived: float):
        with server.request() as turn:
            yield turn
            yield env.timeout(service[i])
        state["in_system"] -= 1
        if arrived >= warmup:
            if is_attack[i]:
                state["attack_done"] += 1
            else:
                state["legit_done"] += 1
                state["legit_time"] += env.now - arrived

    def arrivals():
        for i in np.flatnonzero(admitted).tolist():
            yield env.timeout(times[i] - env.now)
            if state["in_system"] < k:
                state["in_system"] += 1
                env.process(request(i, times[i]))

    env.process(arrivals())
    env.run(until=duration + 60.0 * k / mu)  # let admitted requests finish
    counted = times >= warmup
    legit_offered = int(np.sum(counted & ~is_attack))
    legit_admitted = int(np.sum(counted & ~is_attack & admitted))
    attack_admitted = int(np.sum(counted & is_attack & admitted))
    span = duration - warmup
    goodput = state["legit_done"] / span
    return {
        "legit_goodput_per_s": goodput,
        "legit_dropped_share": 1.0 - state["legit_done"] / legit_offered if legit_offered else 0.0,
        "attack_goodput_per_s": state["attack_done"] / span,
        "legit_admitted_per_s": legit_admitted / span,
        "attack_admitted_per_s": attack_admitted / span,
        "response_time_s": state["legit_time"] / state["legit_done"] if state["legit_done"] else math.nan,
        "requests": count,
    }


def compare_with_simulation(attack_rates_per_s=(0, 1000, 5000, 20000), limits_per_s=(math.inf, 10.0),
                            legit_rate_per_s: float = 600.0, duration_s: float = 4.0, seed: int = 1,
                            **service: float) -> "pd.DataFrame":
    """The fluid M/M/1/K model next to the SimPy model, at a few attack rates.

    Returns a DataFrame with one row per (limit, attack rate): legitimate goodput
    (req/s) and mean latency of admitted legitimate requests (ms) from each model; the
    SimPy buckets start at random levels. With a limit, one more column repeats the
    simulation with every bucket full at t = 0 (the phase-locked bursts).
    """
    import pandas as pd

    attack_rates_per_s = [float(a) for a in at_least("attack_rates_per_s", attack_rates_per_s, 0, max_ndim=1)]
    limits_per_s = [float(v) for v in positive("limits_per_s", limits_per_s, allow_inf=True, max_ndim=1)]
    legit = number("legit_rate_per_s", legit_rate_per_s, 0)
    duration = number("duration_s", duration_s, 0, 60, low_open=True)
    check_seed("seed", seed)
    clients = check_count("bots", service.get("bots", 100), MAX_CLIENTS) + check_count(
        "legit_clients", service.get("legit_clients", 200), MAX_CLIENTS)
    for limit in limits_per_s:
        if math.isfinite(limit) and "bucket_depth" not in service and max(1.0, limit) * clients > MAX_SIM_TOKENS:
            raise ValueError(f"limits_per_s x clients (each client's bucket holds one second of tokens) must be "
                             f"<= {MAX_SIM_TOKENS:g}, got {limit!r} x {clients}")
    if (legit + max(attack_rates_per_s)) * duration > MAX_FLOOD_REQUESTS:
        raise ValueError(f"(legit_rate_per_s + attack_rates_per_s) x duration_s must be at most "
                         f"{MAX_FLOOD_REQUESTS} requests, got {(legit + max(attack_rates_per_s)) * duration:g}")
    rows = []
    for limit in limits_per_s:
        for attack in attack_rates_per_s:
            fast = flood(legit_rate_per_s, attack, limit_per_client_per_s=limit, **service)
            sim = simulate_flood(legit_rate_per_s, attack, limit_per_client_per_s=limit,
                                 duration_s=duration_s, seed=seed, **service)
            full = (simulate_flood(legit_rate_per_s, attack, limit_per_client_per_s=limit, duration_s=duration_s,
                                   seed=seed, bucket_start="full", **service)["legit_goodput_per_s"]
                    if math.isfinite(limit) else math.nan)
            rows.append({
                "limit per client": "none" if math.isinf(limit) else f"{limit:g} req/s",
                "attack req/s": attack,
                "goodput model": float(fast["legit_goodput_per_s"]),
                "goodput SimPy": sim["legit_goodput_per_s"],
                "goodput SimPy, full buckets": full,
                "latency ms model": 1000 * float(fast["response_time_s"]),
                "latency ms SimPy": 1000 * sim["response_time_s"],
            })
    return pd.DataFrame(rows).set_index(["limit per client", "attack req/s"])


# --- Models for the explorers ---------------------------------------------------------------

ATTACK_AXIS = np.unique(np.concatenate([np.linspace(0, 2_000, 41), np.linspace(2_000, 20_000, 61)]))  # dense at the knee


def goodput_curves(bots: int, limit_per_client_per_s: float,
                   legit_rate_per_s: float = 600.0) -> dict[str, tuple[np.ndarray, np.ndarray] | dict]:
    """Legitimate goodput against attack rate, without and with per-client rate limiting.

    >>> curves = goodput_curves(100, 10)
    >>> round(float(curves["with rate limiting"]["y"][-1]), 1)
    375.0
    """
    bots = check_count("bots", bots, MAX_CLIENTS)
    limit_per_client_per_s = number("limit_per_client_per_s", limit_per_client_per_s, 0, low_open=True, allow_inf=True)
    legit_rate_per_s = number("legit_rate_per_s", legit_rate_per_s, 0)
    a = ATTACK_AXIS
    return {
        "legitimate load offered": dict(x=a[[0, -1]], y=np.full(2, legit_rate_per_s), mode="lines",
                                        line={"dash": "dash", "color": GREY}),
        "no rate limiting": dict(x=a, y=flood(legit_rate_per_s, a, bots=bots)["legit_goodput_per_s"],
                                 line={"color": RED}),
        "with rate limiting": dict(x=a, y=flood(legit_rate_per_s, a, bots=bots,
                                                limit_per_client_per_s=limit_per_client_per_s)["legit_goodput_per_s"],
                                   line={"color": BLUE}),
    }


def drop_latency_curves(capacity: int, limit_per_client_per_s: float, bots: int = 100,
                        legit_rate_per_s: float = 600.0) -> dict[str, dict]:
    """Share of legitimate requests dropped (left axis, %) and mean latency (right axis, ms).

    Solid lines are drops, dotted lines latency; one colour per defence.
    """
    capacity = check_count("capacity", capacity, MAX_CAPACITY)
    limit_per_client_per_s = number("limit_per_client_per_s", limit_per_client_per_s, 0, low_open=True, allow_inf=True)
    bots = check_count("bots", bots, MAX_CLIENTS)
    legit_rate_per_s = number("legit_rate_per_s", legit_rate_per_s, 0)
    a = ATTACK_AXIS
    plain = flood(legit_rate_per_s, a, capacity=capacity, bots=bots)
    limited = flood(legit_rate_per_s, a, capacity=capacity, bots=bots, limit_per_client_per_s=limit_per_client_per_s)
    none_colour, limit_colour = RED, BLUE  # as in goodput_curves: apart for colour-blind readers too
    return {
        "drops, no limit": dict(x=a, y=100 * plain["legit_dropped_share"], line={"color": none_colour}),
        "drops, limited": dict(x=a, y=100 * limited["legit_dropped_share"], line={"color": limit_colour}),
        "latency, no limit": dict(x=a, y=1000 * plain["response_time_s"], yaxis="y2",
                                  line={"color": none_colour, "dash": "dot"}),
        "latency, limited": dict(x=a, y=1000 * limited["response_time_s"], yaxis="y2",
                                 line={"color": limit_colour, "dash": "dot"}),
    }
