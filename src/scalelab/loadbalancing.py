"""Load-balancing policies: random, round robin, join the shortest queue, two choices.

A load balancer in front of ``n`` replicas must pick one for every request. Four
classic rules, from the one that knows nothing to the one that knows everything:

* **random**: pick a replica uniformly at random;
* **round robin**: take the replicas in turn;
* **two choices**: pick two replicas at random and send the request to the one with
  fewer requests in progress (Mitzenmacher's "power of two choices");
* **shortest queue** (JSQ): ask every replica and pick the one with the fewest.

:func:`simulate_policy` gives each request's response time under a policy, with the
same arrivals and service times for every policy (common random numbers), so that the
differences come from the policy alone. :func:`max_load` is the static version of
the question, balls into bins: after ``n`` requests into ``n`` replicas, how many does
the busiest one hold? One random choice gives about ``ln n / ln ln n``; two choices
give about ``ln ln n / ln 2`` (Azar, Broder, Karlin and Upfal 1999).

References
----------
- Y. Azar, A. Z. Broder, A. R. Karlin and E. Upfal, "Balanced allocations",
  *SIAM Journal on Computing* 29(1):180-200, 1999.
- M. Mitzenmacher, "The power of two choices in randomized load balancing",
  *IEEE Trans. Parallel and Distributed Systems* 12(10):1094-1104, 2001.
- M. Raab and A. Steger, "'Balls into bins': a simple and tight analysis",
  *RANDOM 1998*, LNCS 1518 (the one-choice maximum, ln n / ln ln n (1 + o(1))).
"""

from __future__ import annotations

import heapq
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike

from ._validate import at_least, count, in_range, positive, scalar, seed as check_seed
from .palette import BLUE, ORANGE, RED, TEAL

#: Most servers, requests, and servers x requests one policy simulation accepts (a few seconds).
MAX_SERVERS = 1_000
MAX_REQUESTS = 2_000_000
MAX_SERVER_REQUESTS = 20_000_000
#: Most balls, bins and choices for :func:`max_load` (balls x choices for more than one choice).
MAX_BALLS = 10_000_000
MAX_CHOICES = 64
MAX_BALL_CHOICES = 4_000_000
#: Most seeds averaged in :func:`max_load_table`.
MAX_SEEDS = 100
from .queueing import lindley_waits, reliable_ccdf

__all__ = [
    "POLICIES",
    "simulate_policy",
    "policy_table",
    "max_load",
    "max_load_one_choice_approx",
    "max_load_two_choices_approx",
    "max_load_table",
    "tail_curves",
    "tail_run_lengths",
    "tail_grid_check",
    "relaxation_requests",
    "round_robin_mean_wait",
    "exact_response_rate",
    "MAX_TABLE_REQUESTS",
]

#: Most requests per replication :func:`policy_table` simulates.
MAX_TABLE_REQUESTS = 400_000

POLICIES = ("random", "round robin", "two choices", "shortest queue")


def _by_length(arrivals: list, service: list, servers: int, first: list | None, second: list | None) -> np.ndarray:
    """Dispatch by requests in progress; ``first``/``second`` are the two sampled replicas
    (two choices) or None (shortest queue over all replicas). Ties go to the lower index."""
    counts = [0] * servers
    free = [0.0] * servers
    departures: list[tuple[float, int]] = []
    response = []
    push, pop, record = heapq.heappush, heapq.heappop, response.append
    for i, arrive in enumerate(arrivals):
        while departures and departures[0][0] <= arrive:
            counts[pop(departures)[1]] -= 1
        if first is None:
            k = counts.index(min(counts))
        else:
            a, b = first[i], second[i]
            k = a if counts[a] <= counts[b] else b
        start = free[k] if free[k] > arrive else arrive
        done = start + service[i]
        free[k] = done
        counts[k] += 1
        push(departures, (done, k))
        record(done - arrive)
    return np.asarray(response)


def simulate_policy(policy: str, arrival_rate: float, service_rate: float, servers: int,
                    n_requests: int, seed: int) -> np.ndarray:
    """Response times (seconds: wait plus service) of ``n_requests`` under a balancing policy.

    Poisson arrivals, exponential service, one FIFO queue per replica. Every policy sees
    the same arrivals and service times for the same seed.

    Parameters
    ----------
    policy : one of ``"random"``, ``"round robin"``, ``"two choices"``, ``"shortest queue"``.
    arrival_rate : requests per second to the whole service, > 0.
    service_rate : requests per second one replica completes, > 0.
    servers : replicas, whole number >= 1.
    n_requests : whole number in [1, 2,000,000].
    seed : whole number >= 0.

    Returns
    -------
    numpy array of response times in arrival order.

    References
    ----------
    Mitzenmacher 2001 (two choices); Harchol-Balter 2013, ch. 24 (JSQ).

    >>> r = {p: simulate_policy(p, 3.6, 1.0, 4, 20_000, seed=1).mean() for p in POLICIES}
    >>> bool(r["shortest queue"] < r["two choices"] < r["round robin"] < r["random"])
    True
    """
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {', '.join(POLICIES)}, got {policy!r}")
    lam = float(positive("arrival_rate", arrival_rate, max_ndim=0))
    mu = float(positive("service_rate", service_rate, max_ndim=0))
    c = count("servers", servers, MAX_SERVERS)
    n = count("n_requests", n_requests, MAX_REQUESTS)
    if c * n > MAX_SERVER_REQUESTS:
        raise ValueError(f"servers x n_requests must be at most {MAX_SERVER_REQUESTS}, got {c} x {n}")
    s = int(at_least("seed", seed, 0, integer=True, max_ndim=0))
    rng = np.random.default_rng(s)
    interarrival = rng.exponential(1.0 / lam, n)
    service = rng.exponential(1.0 / mu, n)
    picks = np.random.default_rng([s, 2])
    arrivals = np.cumsum(interarrival)
    if policy in ("random", "round robin"):
        target = picks.integers(0, c, n) if policy == "random" else np.arange(n) % c
        waits = np.empty(n)
        for k in range(c):
            mine = np.flatnonzero(target == k)
            if mine.size:
                waits[mine] = lindley_waits(np.diff(arrivals[mine], prepend=0.0), service[mine])
        return waits + service
    if policy == "two choices":
        first = picks.integers(0, c, n)
        second = (first + 1 + picks.integers(0, max(c - 1, 1), n)) % c if c > 1 else first
        return _by_length(arrivals.tolist(), service.tolist(), c, first.tolist(), second.tolist())
    return _by_length(arrivals.tolist(), service.tolist(), c, None, None)


def round_robin_mean_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean wait in queue under round robin: each replica is an E_c/M/1 queue.

    Round robin hands each replica every ``c``-th request of a Poisson stream, so its
    gaps are Erlang-``c`` (sum of ``c`` exponential gaps). For a GI/M/1 queue the mean
    wait is ``sigma / (mu (1 - sigma))``, where ``sigma`` in (0, 1) solves
    ``sigma = A*(mu (1 - sigma))`` and ``A*(s) = (lambda / (lambda + s))^c`` is the
    Laplace transform of the gap. Solved by fixed-point iteration.

    References
    ----------
    Kleinrock 1975, section 6.4 (the G/M/1 queue).

    One replica is M/M/1, where sigma is the load:

    >>> round(round_robin_mean_wait(0.7, 1.0, 1), 4)
    2.3333
    """
    lam = float(positive("arrival_rate", arrival_rate, max_ndim=0))
    mu = float(positive("service_rate", service_rate, max_ndim=0))
    c = int(at_least("servers", servers, 1, integer=True, max_ndim=0))
    if lam >= c * mu:
        raise ValueError(f"arrival_rate must be < servers x service_rate for a stable queue, got {lam:g} >= {c} x {mu:g}")
    sigma = 0.5
    for _ in range(10_000):
        new = (lam / (lam + mu * (1.0 - sigma))) ** c
        if abs(new - sigma) < 1e-13:
            break
        sigma = new
    return sigma / (mu * (1.0 - sigma))


def exact_response_rate(policy: str, arrival_rate: float, service_rate: float, servers: int) -> float:
    """Rate of the exponential response-time distribution, where the policy has one; else NaN.

    Random dispatch makes each replica an M/M/1 queue fed at ``lambda / c``: the response
    time is exponential with rate ``mu - lambda / c``. Round robin makes it an E_c/M/1
    queue; in any GI/M/1 FIFO queue the response time is exponential with rate
    ``mu (1 - sigma)`` (:func:`round_robin_mean_wait` gives sigma). Two choices and JSQ
    have no such closed form.

    References
    ----------
    Kleinrock 1975, sections 3.2 and 6.4.

    >>> round(exact_response_rate("random", 7.2, 1.0, 8), 6)
    0.1
    """
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {', '.join(POLICIES)}, got {policy!r}")
    lam = float(positive("arrival_rate", arrival_rate, max_ndim=0))
    mu = float(positive("service_rate", service_rate, max_ndim=0))
    c = int(at_least("servers", servers, 1, integer=True, max_ndim=0))
    if lam >= c * mu:
        raise ValueError(f"arrival_rate must be < servers x service_rate for a stable queue, got {lam:g} >= {c} x {mu:g}")
    if policy == "random":
        return mu - lam / c
    if policy == "round robin":
        wait = round_robin_mean_wait(lam, mu, c)
        return 1.0 / (wait + 1.0 / mu)  # mean response 1 / (mu (1 - sigma))
    return float("nan")


def policy_table(load: float = 0.9, servers: int = 8, n_requests: int = 100_000, seed: int = 3,
                 replications: int = 5, warmup_share: float = 0.1) -> "pd.DataFrame":
    """Mean, 99th and 99.9th percentile response time per policy, with 95% intervals.

    Each policy runs ``replications`` independent simulations of ``n_requests`` (seeds
    ``seed, seed + 1, ...``; every policy sees the same ones), each starting empty with
    its first ``warmup_share`` of requests discarded as warm-up. A statistic's value is
    its mean over the replications and ``+/-`` the half-width of its 95% interval
    (Student's t over replications). Where the policy has an exact answer
    (:func:`exact_response_rate`: random and round robin) it is shown beside.
    Service rate 1: times are in mean service times.

    Parameters
    ----------
    load : utilization, in (0, 1).
    servers : replicas, whole number >= 1.
    n_requests : requests per replication, whole number in [1,000, MAX_TABLE_REQUESTS].
    seed : first seed, whole number >= 0.
    replications : independent runs, whole number in [2, 20].
    warmup_share : share of each run discarded, in [0, 0.5].
    """
    import pandas as pd

    rho = float(in_range("load", load, 0, 1, low_open=True, high_open=True, max_ndim=0))
    c = count("servers", servers, MAX_SERVERS)
    n = int(in_range("n_requests", n_requests, 1_000, MAX_TABLE_REQUESTS, integer=True, max_ndim=0))
    s0 = int(check_seed("seed", seed))
    reps = int(in_range("replications", replications, 2, 20, integer=True, max_ndim=0))
    skip = int(n * float(in_range("warmup_share", warmup_share, 0, 0.5, max_ndim=0)))
    t975 = {2: 12.706, 3: 4.303, 4: 3.182, 5: 2.776, 6: 2.571, 7: 2.447, 8: 2.365, 9: 2.306, 10: 2.262}
    rows = []
    for policy in POLICIES:
        stats = []
        for k in range(reps):
            r = simulate_policy(policy, rho * c, 1.0, c, n, s0 + k)[skip:]
            stats.append((r.mean(), np.quantile(r, 0.99), np.quantile(r, 0.999)))
        stats = np.asarray(stats)
        half = t975.get(reps, 2.09) * stats.std(axis=0, ddof=1) / np.sqrt(reps)
        rate = exact_response_rate(policy, rho * c, 1.0, c)
        row = {"policy": policy}
        for j, (name, q) in enumerate((("mean", None), ("p99", 0.99), ("p99.9", 0.999))):
            row[name] = stats[:, j].mean()
            row[f"{name} +/-"] = half[j]
            row[f"{name} exact"] = (1.0 / rate if q is None else -np.log1p(-q) / rate) if np.isfinite(rate) else np.nan
        rows.append(row)
    return pd.DataFrame(rows).set_index("policy")


# --- Balls into bins ------------------------------------------------------------------


def max_load(balls: int, bins: int, choices: int = 1, seed: int = 0) -> int:
    """The largest number of balls in any bin after throwing ``balls`` into ``bins``.

    Each ball picks ``choices`` bins independently and uniformly at random and goes to
    the least full of them (the first on a tie), as in Azar et al. With ``choices = 1`` it is plain random placement.

    Parameters
    ----------
    balls : whole number in [0, 10,000,000].
    bins : whole number >= 1.
    choices : bins sampled per ball, whole number >= 1.
    seed : whole number >= 0.

    References
    ----------
    Azar et al. 1999, theorems 1.1 and 1.2.

    >>> max_load(100_000, 100_000, 1, seed=1) > max_load(100_000, 100_000, 2, seed=1)
    True
    """
    m = count("balls", balls, MAX_BALLS, low=0)
    n = count("bins", bins, MAX_BALLS)
    d = count("choices", choices, MAX_CHOICES)
    if d > 1 and n > 1 and m * min(d, n) > MAX_BALL_CHOICES:
        raise ValueError(f"balls x choices must be at most {MAX_BALL_CHOICES} for more than one choice, "
                         f"got {m} x {d}")
    s = int(at_least("seed", seed, 0, integer=True, max_ndim=0))
    rng = np.random.default_rng(s)
    if m == 0:
        return 0
    if d == 1 or n == 1:
        return int(np.bincount(rng.integers(0, n, m), minlength=n).max())
    d = min(d, n)
    picks = np.stack([rng.integers(0, n, m) for _ in range(d)], axis=1)
    load = [0] * n
    for row in picks.tolist():
        k = min(row, key=load.__getitem__)
        load[k] += 1
    return max(load)


def max_load_one_choice_approx(bins: ArrayLike) -> float | np.ndarray:
    """``ln n / ln ln n``: the leading term of the busiest bin's load, one random choice, n balls.

    >>> round(max_load_one_choice_approx(1e6), 2)
    5.26
    """
    n = in_range("bins", bins, np.e, low_open=True)
    return scalar(np.log(n) / np.log(np.log(n)))


def max_load_two_choices_approx(bins: ArrayLike, choices: ArrayLike = 2) -> float | np.ndarray:
    """``ln ln n / ln d``: the leading term of the busiest bin's load with ``d`` choices, n balls.

    >>> round(max_load_two_choices_approx(1e6), 2)
    3.79
    """
    n = in_range("bins", bins, np.e, low_open=True)
    d = at_least("choices", choices, 2, integer=True)
    return scalar(np.log(np.log(n)) / np.log(d))


def max_load_table(sizes: tuple[int, ...] = (100, 1_000, 10_000, 100_000), seeds: int = 3) -> "pd.DataFrame":
    """Busiest replica after n requests into n replicas: simulated (mean over seeds) and formulas."""
    import pandas as pd

    sizes = [int(n) for n in in_range("sizes", sizes, 3, MAX_BALL_CHOICES // 2, integer=True, max_ndim=1)]
    seeds = count("seeds", seeds, MAX_SEEDS)
    rows = []
    for n in sizes:
        one = np.mean([max_load(n, n, 1, seed) for seed in range(seeds)])
        two = np.mean([max_load(n, n, 2, seed) for seed in range(seeds)])
        rows.append({
            "replicas n": n,
            "random: simulated": one,
            "ln n / ln ln n": float(max_load_one_choice_approx(n)),
            "two choices: simulated": two,
            "ln ln n / ln 2": float(max_load_two_choices_approx(n)),
        })
    return pd.DataFrame(rows).set_index("replicas n")


# --- Explorer model -------------------------------------------------------------------

TAIL_AXIS = np.linspace(0.0, 30.0, 121)
_COLORS = {"random": RED, "round robin": ORANGE, "two choices": BLUE, "shortest queue": TEAL}  # apart for colour-blind readers too


#: Relaxation times (:func:`relaxation_requests`) of warm-up that :func:`tail_curves` drops,
#: and that it then keeps, unless told otherwise; and the floors of both, in requests.
TAIL_WARMUP_RELAXATIONS = 3
TAIL_KEPT_RELAXATIONS = 10
TAIL_MIN_WARMUP = 1_000
TAIL_MIN_KEPT = 36_000
#: Most requests (warm-up plus kept) in one policy run of :func:`tail_curves`.
MAX_TAIL_RUN = 1_000_000


def relaxation_requests(load: float, servers: int) -> float:
    """Requests the whole service receives in one relaxation time of a replica's queue.

    Under random dispatch each replica is an M/M/1 queue at load ``rho``. Started empty,
    its distribution approaches the steady state like ``exp(-t / tau)`` with the
    relaxation time ``tau = 1 / (mu (1 - sqrt(rho))**2)``, the inverse of the gap
    ``(sqrt(mu) - sqrt(lambda))**2`` at the bottom of its generator's spectrum (Morse
    1955; about ``4 / (mu (1 - rho)**2)`` near full load). In that time the ``c``
    replicas receive ``c rho / (1 - sqrt(rho))**2`` requests. Round robin's more
    regular arrivals (an ``E_c/M/1`` queue, squared coefficient of variation ``1/c``
    instead of 1) cut the heavy-traffic variance of a replica's backlog, and with it
    the relaxation time, by a factor ``(1 + 1/c) / 2``; two choices and JSQ keep every
    queue short. Random's relaxation time is the one to wait for.

    Parameters
    ----------
    load : utilization rho, in (0, 1).
    servers : replicas c, whole number in [1, MAX_SERVERS].

    Returns
    -------
    requests per relaxation time (a float).

    References
    ----------
    P. M. Morse, "Stochastic properties of waiting lines", *Operations Research*
    3(3):255-261, 1955; J. Abate and W. Whitt, "Transient behavior of the M/M/1 queue:
    starting at the origin", *Queueing Systems* 2:41-65, 1987.

    >>> round(relaxation_requests(0.95, 32))
    47416
    """
    rho = float(in_range("load", load, 0, 1, low_open=True, high_open=True, max_ndim=0))
    c = count("servers", servers, MAX_SERVERS)
    return c * rho / (1.0 - np.sqrt(rho)) ** 2


def tail_run_lengths(load: float, servers: int) -> tuple[int, int]:
    """Requests :func:`tail_curves` drops as warm-up and then keeps, per policy run.

    Warm-up: ``TAIL_WARMUP_RELAXATIONS`` (3) relaxation times, at least 1,000 requests;
    kept: ``TAIL_KEPT_RELAXATIONS`` (10) relaxation times, at least 36,000
    (:func:`relaxation_requests`), so that each of the 10 batches behind a curve's
    interval spans at least one. A run started empty under-counts slow requests by at
    most the whole share, a deficit that shrinks like ``exp(-t / tau)``; after three
    relaxation times about ``e**-3`` (5%) of it is left, and averaged over a kept run of
    ten it adds at most ``e**-3 / 10``, under 1%, to the tail.

    ``load`` in (0, 1), ``servers`` a whole number in [1, MAX_SERVERS].

    >>> tail_run_lengths(0.5, 2), tail_run_lengths(0.95, 32)
    ((1000, 36000), (142249, 474163))
    """
    tau = relaxation_requests(load, servers)
    return (max(TAIL_MIN_WARMUP, int(np.ceil(TAIL_WARMUP_RELAXATIONS * tau))),
            max(TAIL_MIN_KEPT, int(np.ceil(TAIL_KEPT_RELAXATIONS * tau))))


@lru_cache(maxsize=512)
def _tails(load: float, servers: int, kept: int, warmup: int, seed: int) -> tuple[np.ndarray, ...]:
    out = []
    for policy in POLICIES:
        r = simulate_policy(policy, load * servers, 1.0, servers, warmup + kept, seed)[warmup:]
        out.append(reliable_ccdf(r, TAIL_AXIS, batches=10)[0])
    return tuple(out)


def tail_curves(load: float, servers: int, n_requests: int | None = None, seed: int = 3,
                warmup_requests: int | None = None) -> dict[str, dict]:
    """Share of requests slower than t (in mean service times) under each policy.

    Each policy's run starts empty, so its first requests see short queues: it drops a
    warm-up of ``warmup_requests`` and keeps the next ``n_requests``. By default both
    grow with the queues' relaxation time (:func:`tail_run_lengths`: 3 relaxation times
    dropped, then 10 kept, at least 1,000 and 36,000 requests), so the start-up bias is
    small against what the figure shows: at load 0.95 on 32 replicas, averaged over 40
    seeds, the shares stay within 1% (random) and 4% (round robin) of the exact tails
    where drawn, inside the check's own 95% intervals, where a fixed 40,000-request run with 10%
    warm-up drew random's tail 21% low at t = 23.
    A curve is drawn only where its 95% batch-means interval is within 30% of its value
    (:func:`scalelab.queueing.reliable_ccdf`), so that it stops where the run is too
    short to say more. Random and round robin have exact tails (dotted, from
    :func:`exact_response_rate`). Simulations are cached per (load, servers): the
    static page precomputes every slider position anyway, and a live slider then
    only redraws.

    Parameters
    ----------
    load : utilization, in (0, 1).
    servers : replicas, whole number in [1, MAX_SERVERS].
    n_requests : requests kept after the warm-up, whole number in [1,000, MAX_TABLE_REQUESTS],
        or None for :func:`tail_run_lengths`.
    seed : whole number >= 0 (every policy sees the same arrivals and service times).
    warmup_requests : requests dropped first, whole number in [0, MAX_TAIL_RUN], or None
        for :func:`tail_run_lengths`. Warm-up plus kept must be at most MAX_TAIL_RUN
        (1,000,000) and, times ``servers``, at most MAX_SERVER_REQUESTS: the default
        lengths refuse, for example, load 0.95 on 64 replicas.

    >>> list(tail_curves(0.8, 4))[:4]
    ['random', 'round robin', 'two choices', 'shortest queue']
    """
    rho = float(in_range("load", load, 0, 1, low_open=True, high_open=True, max_ndim=0))
    c = count("servers", servers, MAX_SERVERS)
    auto_warmup, auto_kept = tail_run_lengths(rho, c)
    n = auto_kept if n_requests is None else int(
        in_range("n_requests", n_requests, 1_000, MAX_TABLE_REQUESTS, integer=True, max_ndim=0))
    w = auto_warmup if warmup_requests is None else int(
        in_range("warmup_requests", warmup_requests, 0, MAX_TAIL_RUN, integer=True, max_ndim=0))
    check_seed("seed", seed)
    if w + n > min(MAX_TAIL_RUN, MAX_SERVER_REQUESTS // c):
        raise ValueError(f"warmup_requests + n_requests must be at most {min(MAX_TAIL_RUN, MAX_SERVER_REQUESTS // c)} "
                         f"on {c} servers, got {w} + {n} (load {rho:g}; the default lengths are "
                         f"{TAIL_WARMUP_RELAXATIONS} + {TAIL_KEPT_RELAXATIONS} relaxation times: use fewer servers or a lower load)")
    curves = {}
    for policy, share in zip(POLICIES, _tails(round(rho, 6), c, n, w, int(seed))):
        curves[policy] = dict(x=TAIL_AXIS, y=share, mode="lines", line={"color": _COLORS[policy]})
    for policy in ("random", "round robin"):
        rate = exact_response_rate(policy, rho * c, 1.0, c)
        curves[f"{policy}: exact"] = dict(x=TAIL_AXIS, y=np.exp(-rate * TAIL_AXIS), mode="lines",
                                          line={"color": _COLORS[policy], "dash": "dot"})
    return curves


def tail_grid_check(loads: tuple[float, ...], servers: tuple[int, ...], seeds: int = 20) -> "pd.DataFrame":
    """Where :func:`tail_curves` strays furthest from the exact tails, and whether it is bias.

    For random and round robin, walks every (load, servers) of the grid (the explorer's
    own runs, cached), finds the drawn point whose ratio to the exact tail is furthest
    from 1, then re-runs that setting with ``seeds`` other seeds (``1000, 1001, ...``;
    same run lengths) and averages the share slower than that t. A mean within its 95%
    interval of the exact value says the gap in the figure is the one run's sampling
    error; a mean outside it would be a bias of the simulation.

    ``loads`` in (0, 1); ``servers`` whole numbers in [1, MAX_SERVERS]; ``seeds`` a whole
    number in [2, MAX_SEEDS].

    >>> list(tail_grid_check((0.5,), (2,), seeds=2).columns)[:4]
    ['load', 'servers', 't', 'drawn / exact']
    """
    import pandas as pd

    loads = [float(x) for x in np.atleast_1d(in_range("loads", loads, 0, 1, low_open=True, high_open=True, max_ndim=1))]
    servers = [int(x) for x in np.atleast_1d(in_range("servers", servers, 1, MAX_SERVERS, integer=True, max_ndim=1))]
    n_seeds = count("seeds", seeds, MAX_SEEDS, low=2)
    rows = []
    for policy in ("random", "round robin"):
        worst = (0.0, None)
        for rho in loads:
            for c in servers:
                curves = tail_curves(rho, c)
                y, exact = np.asarray(curves[policy]["y"], float), curves[f"{policy}: exact"]["y"]
                shown = np.flatnonzero(np.isfinite(y) & (y > 0))
                gap = np.abs(np.log(y[shown] / exact[shown]))
                k = int(np.argmax(gap))
                if gap[k] > worst[0]:
                    worst = (gap[k], (rho, c, int(shown[k]), y[shown[k]] / exact[shown[k]]))
        rho, c, i, ratio = worst[1]
        warmup, kept = tail_run_lengths(rho, c)
        t = float(TAIL_AXIS[i])
        exact_t = float(np.exp(-exact_response_rate(policy, rho * c, 1.0, c) * t))
        shares = np.array([np.mean(simulate_policy(policy, rho * c, 1.0, c, warmup + kept, 1000 + s)[warmup:] > t)
                           for s in range(n_seeds)]) / exact_t
        z, nu = 1.959964, n_seeds - 1.0  # Student's t quantile by its expansion in 1 / nu
        tq = z + (z**3 + z) / (4 * nu) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * nu**2)
        half = tq * shares.std(ddof=1) / np.sqrt(n_seeds)
        rows.append({"policy": policy, "load": rho, "servers": c, "t": t, "drawn / exact": ratio,
                     f"mean of {n_seeds} runs / exact": shares.mean(), "95% +/-": half})
    return pd.DataFrame(rows).set_index("policy")
