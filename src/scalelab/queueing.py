"""Replicas behind a load balancer, as queues: M/M/1, M/M/c (Erlang C) and N x M/M/1.

A service replicated on ``c`` nodes can be fed two ways. With one shared queue, any
free replica takes the next request: that is the M/M/c queue, whose probability of
waiting is Erlang's C formula. With a balancer that sends each request to a replica
at random, every replica has its own queue and sees ``1/c`` of the traffic: ``c``
independent M/M/1 queues. Both have the same utilization; their waits differ a lot.

Two simulations check the formulas. :func:`simulate_fifo` is the fast one, in numpy
(a single server is Lindley's recursion, done with a cumulative sum and a running
minimum; several servers take a tight loop over a heap of free times).
:func:`simulate_simpy` is a process model in SimPy: a load balancer process and
replicas as ``simpy.Resource`` objects. Given the same seed, both see the very same
arrivals and service times, so they agree to rounding.

Rates are per second, times in seconds. Poisson arrivals, exponential service times,
first come first served.

References
----------
- A. K. Erlang, "Solution of some problems in the theory of probabilities of
  significance in automatic telephone exchanges", 1917 (the C formula).
- L. Kleinrock, *Queueing Systems, Volume 1: Theory*, Wiley, 1975, sections 3.2 and 3.5.
- D. V. Lindley, "The theory of queues with a single server", *Proc. Cambridge Phil.
  Soc.* 48, 1952 (the waiting-time recursion).
- M. Harchol-Balter, *Performance Modeling and Design of Computer Systems*, Cambridge
  University Press, 2013, ch. 14 (M/M/k vs k separate M/M/1 queues).
- I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, ch. 2 (scale out).
"""

from __future__ import annotations

import heapq
import math

import numpy as np
from numpy.typing import ArrayLike

from ._validate import at_least, count, in_range, number, option, positive, scalar, seed as check_seed
from .palette import BLUE, RED

__all__ = [
    "erlang_b",
    "erlang_c",
    "mm1_mean_response",
    "mmc_mean_wait",
    "mmc_mean_response",
    "mmc_response_quantile",
    "separate_queues_mean_response",
    "separate_queues_response_quantile",
    "lindley_waits",
    "fifo_waits",
    "simulate_fifo",
    "simulate_simpy",
    "random_dispatch_waits",
    "stationary_free_times",
    "batch_means_ci",
    "agreement_table",
    "replica_curves",
    "mmc_wait_ccdf",
    "wait_tail_curves",
    "tail_requests",
    "wait_tail_check",
    "MAX_TAIL_REQUESTS",
    "TAIL_MARKER_PRECISION",
    "reliable_ccdf",
]


#: Most servers a formula accepts (Erlang B loops once per server).
MAX_SERVERS = 100_000
#: Most requests and servers a simulation accepts (a few seconds at most), and SimPy's
#: (a Python process per request).
MAX_REQUESTS = 2_000_000
MAX_SIM_SERVERS = 1_000
MAX_SIMPY_REQUESTS = 200_000


def _servers(servers: ArrayLike) -> np.ndarray:
    return in_range("servers", servers, 1, MAX_SERVERS, integer=True)


def _stable_queue(arrival_rate: ArrayLike, service_rate: ArrayLike, servers: ArrayLike
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check an M/M/c queue's parameters and its stability; return them as arrays."""
    lam = at_least("arrival_rate", arrival_rate, 0)
    mu = positive("service_rate", service_rate)
    c = _servers(servers)
    _stable(lam, mu, c)
    return lam, mu, c


def _stable(arrival_rate: np.ndarray, service_rate: np.ndarray, servers: np.ndarray) -> None:
    lam, mu, c = np.broadcast_arrays(arrival_rate, service_rate, servers)
    bad = lam >= c * mu
    if np.any(bad):
        i = np.argmax(bad)
        raise ValueError(
            "arrival_rate must be < servers x service_rate for a stable queue, "
            f"got {lam.flat[i]:g} >= {c.flat[i]:g} x {mu.flat[i]:g}"
        )


def erlang_b(servers: ArrayLike, offered_load: ArrayLike) -> float | np.ndarray:
    """Erlang's B formula: the share of requests blocked when ``c`` servers have no queue.

    Computed with the stable recursion ``B(k) = a B(k-1) / (k + a B(k-1))``, ``B(0) = 1``.

    Parameters
    ----------
    servers : c, a whole number >= 1.
    offered_load : a = arrival rate / service rate, in Erlangs, >= 0.

    >>> round(erlang_b(2, 1.0), 4)
    0.2
    """
    c = _servers(servers)
    a = at_least("offered_load", offered_load, 0)
    c, a = np.broadcast_arrays(c, a)
    b = np.ones(a.shape)
    out = np.zeros(a.shape)
    for k in range(1, int(c.max(initial=1)) + 1):
        b = a * b / (k + a * b)
        out = np.where(c == k, b, out)
    return scalar(out)


def erlang_c(servers: ArrayLike, offered_load: ArrayLike) -> float | np.ndarray:
    """Erlang's C formula: the probability that a request must wait in an M/M/c queue.

    Parameters
    ----------
    servers : c, a whole number >= 1.
    offered_load : a = arrival rate / service rate, in Erlangs, in [0, c): the queue
        must be stable.

    Returns
    -------
    P(wait > 0), in [0, 1). For one server it equals the utilization ``a``.

    References
    ----------
    Erlang 1917; Kleinrock 1975, eq. 3.40. Via Erlang B: ``C = c B / (c - a (1 - B))``.

    >>> round(erlang_c(4, 3.0), 4)
    0.5094
    >>> erlang_c(1, 0.7)
    0.7
    """
    c = _servers(servers)
    a = at_least("offered_load", offered_load, 0)
    c, a = np.broadcast_arrays(c, a)
    if np.any(a >= c):
        bad = np.argmax(a >= c)
        raise ValueError(
            f"offered_load must be < servers for a stable queue, got {a.flat[bad]:g} with {c.flat[bad]:g} servers"
        )
    b = np.asarray(erlang_b(c, a))
    return scalar(c * b / (c - a * (1.0 - b)))


def mm1_mean_response(arrival_rate: ArrayLike, service_rate: ArrayLike) -> float | np.ndarray:
    """Mean time in an M/M/1 system (queue plus service), ``1 / (mu - lambda)``, in seconds.

    Parameters
    ----------
    arrival_rate : lambda, requests per second, >= 0.
    service_rate : mu, requests per second one server completes, > 0; lambda < mu.

    References
    ----------
    Kleinrock 1975, eq. 3.26.

    >>> mm1_mean_response(70, 100)
    0.03333333333333333
    """
    lam = at_least("arrival_rate", arrival_rate, 0)
    mu = positive("service_rate", service_rate)
    _stable(lam, mu, np.asarray(1.0))
    return scalar(1.0 / (mu - lam))


def mmc_mean_wait(arrival_rate: ArrayLike, service_rate: ArrayLike, servers: ArrayLike) -> float | np.ndarray:
    """Mean time a request waits in the queue of an M/M/c system, in seconds.

    ``W_q = C(c, a) / (c mu - lambda)`` with ``a = lambda / mu``.

    Parameters
    ----------
    arrival_rate : lambda, requests per second, >= 0.
    service_rate : mu, requests per second per server, > 0.
    servers : c, whole number >= 1. Requires lambda < c mu (else ``ValueError``).

    References
    ----------
    Kleinrock 1975, eq. 3.43.

    >>> round(mmc_mean_wait(3.0, 1.0, 4), 4)
    0.5094
    >>> round(mmc_mean_wait(0.7, 1.0, 1), 4)
    2.3333
    """
    lam, mu, c = _stable_queue(arrival_rate, service_rate, servers)
    return scalar(np.asarray(erlang_c(c, lam / mu)) / (c * mu - lam))


def mmc_mean_response(arrival_rate: ArrayLike, service_rate: ArrayLike, servers: ArrayLike) -> float | np.ndarray:
    """Mean response time of an M/M/c system: mean wait plus mean service ``1/mu``, in seconds.

    >>> round(mmc_mean_response(3.0, 1.0, 4), 4)
    1.5094
    """
    mu = positive("service_rate", service_rate)
    return scalar(np.asarray(mmc_mean_wait(arrival_rate, mu, servers)) + 1.0 / mu)


def _mmc_response_ccdf(t: np.ndarray, mu: np.ndarray, alpha: np.ndarray, p_wait: np.ndarray) -> np.ndarray:
    """P(response > t): service alone with probability 1 - C, else Exp(alpha) + Exp(mu)."""
    close = np.abs(mu - alpha) < 1e-9 * mu
    diff = np.where(close, 1.0, mu - alpha)
    hypo = np.where(close, (1.0 + mu * t) * np.exp(-mu * t),
                    (mu * np.exp(-alpha * t) - alpha * np.exp(-mu * t)) / diff)
    return (1.0 - p_wait) * np.exp(-mu * t) + p_wait * hypo


def mmc_response_quantile(arrival_rate: ArrayLike, service_rate: ArrayLike, servers: ArrayLike,
                          quantile: ArrayLike = 0.99) -> float | np.ndarray:
    """The ``quantile`` of the response time of an M/M/c system, in seconds.

    A request finds a free server with probability ``1 - C`` and then takes only its
    service time, Exp(mu). Otherwise it waits Exp(c mu - lambda) first. The tail of
    that mixture is solved for ``quantile`` by bisection (vectorized).

    Parameters
    ----------
    arrival_rate, service_rate, servers : as in :func:`mmc_mean_wait`.
    quantile : in (0, 1), e.g. 0.99 for the 99th percentile.

    References
    ----------
    Kleinrock 1975, section 3.5; Harchol-Balter 2013, ch. 14.

    For one server the response time is Exp(mu - lambda), so the 99th percentile is
    ``ln(100) / (mu - lambda)``:

    >>> round(mmc_response_quantile(0.7, 1.0, 1, 0.99), 3)
    15.351
    """
    lam, mu, c = _stable_queue(arrival_rate, service_rate, servers)
    q = in_range("quantile", quantile, 0, 1, low_open=True, high_open=True)
    lam, mu, c, q = np.broadcast_arrays(lam, mu, c, q)
    p_wait = np.asarray(erlang_c(c, lam / mu))
    alpha = c * mu - lam
    target = 1.0 - q
    slow = np.minimum(alpha, mu)
    hi = (-np.log(target) + 2.0) / slow
    for _ in range(60):  # make sure the bracket holds the answer
        over = _mmc_response_ccdf(hi, mu, alpha, p_wait) > target
        if not np.any(over):
            break
        hi = np.where(over, 2.0 * hi, hi)
    lo = np.zeros_like(hi)
    for _ in range(42):  # 2^-42 of the bracket: far below a microsecond here
        mid = 0.5 * (lo + hi)
        above = _mmc_response_ccdf(mid, mu, alpha, p_wait) > target
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    return scalar(0.5 * (lo + hi))


def separate_queues_mean_response(arrival_rate: ArrayLike, service_rate: ArrayLike,
                                  servers: ArrayLike) -> float | np.ndarray:
    """Mean response time when a balancer spreads requests at random over ``c`` queues.

    Random splitting of a Poisson stream gives each replica a Poisson stream of rate
    ``lambda / c``: ``c`` independent M/M/1 queues, each with mean ``1 / (mu - lambda/c)``.

    >>> round(separate_queues_mean_response(3.0, 1.0, 4), 4)
    4.0
    """
    lam, mu, c = _stable_queue(arrival_rate, service_rate, servers)
    return scalar(1.0 / (mu - lam / c))


def separate_queues_response_quantile(arrival_rate: ArrayLike, service_rate: ArrayLike, servers: ArrayLike,
                                      quantile: ArrayLike = 0.99) -> float | np.ndarray:
    """The ``quantile`` of response time with random splitting over ``c`` M/M/1 queues, in seconds.

    Each queue's response time is Exp(mu - lambda/c), so the quantile is
    ``-ln(1 - q) / (mu - lambda/c)``.

    >>> round(separate_queues_response_quantile(3.0, 1.0, 4, 0.99), 3)
    18.421
    """
    lam, mu, c = _stable_queue(arrival_rate, service_rate, servers)
    q = in_range("quantile", quantile, 0, 1, low_open=True, high_open=True)
    return scalar(-np.log1p(-q) / (mu - lam / c))


# --- Simulation ---------------------------------------------------------------------


def lindley_waits(interarrival_s: np.ndarray, service_s: np.ndarray) -> np.ndarray:
    """Waiting times at one FIFO server, by Lindley's recursion without a Python loop.

    ``W[0] = 0`` and ``W[n] = max(0, W[n-1] + S[n-1] - T[n])``, where ``T[n]`` is the gap
    between arrivals ``n-1`` and ``n``. With ``X[n] = S[n-1] - T[n]`` and the partial sums
    ``P[n] = X[1] + ... + X[n]`` (``P[0] = 0``), the recursion unrolls to
    ``W[n] = P[n] - min(P[0..n])``: a cumulative sum and a running minimum.
    Both arrays: 1-D, the same non-zero length (at most MAX_REQUESTS), finite, >= 0.

    >>> lindley_waits(np.array([0.0, 1.0, 1.0, 5.0]), np.array([3.0, 2.0, 1.0, 1.0]))
    array([0., 2., 3., 0.])
    """
    interarrival_s, service_s = _two_samples(interarrival_s, service_s)
    steps = service_s[:-1] - interarrival_s[1:]
    partial = np.concatenate(([0.0], np.cumsum(steps)))
    return partial - np.minimum.accumulate(partial)


def fifo_waits(interarrival_s: np.ndarray, service_s: np.ndarray, servers: int,
               initial_free_s: np.ndarray | None = None) -> np.ndarray:
    """Waiting times in a first-come-first-served queue with ``servers`` identical servers.

    One server uses :func:`lindley_waits`. With more, each request in turn takes the
    server that frees up first (a heap of free times: the Kiefer-Wolfowitz recursion),
    in a tight loop over plain floats. Arrays as in :func:`lindley_waits`; ``servers`` a
    whole number in [1, MAX_SIM_SERVERS]. ``initial_free_s`` (one time per server) is
    when each server first becomes free, for a queue that does not start empty (see
    :func:`stationary_free_times`).

    >>> fifo_waits(np.array([0.0, 0.0, 0.0]), np.array([2.0, 2.0, 2.0]), 2)
    array([0., 0., 2.])
    """
    interarrival_s, service_s = _two_samples(interarrival_s, service_s)
    servers = count("servers", servers, MAX_SIM_SERVERS)
    if initial_free_s is None and servers == 1:
        return lindley_waits(interarrival_s, service_s)
    if servers == 1:  # a virtual request at time 0 holds the server for the initial work
        v = float(np.asarray(initial_free_s)[0])
        return lindley_waits(np.concatenate(([0.0], interarrival_s)), np.concatenate(([v], service_s)))[1:]
    arrivals = np.cumsum(interarrival_s).tolist()
    free = [0.0] * servers if initial_free_s is None else sorted(np.asarray(initial_free_s, dtype=float).tolist())
    waits = []
    push = waits.append
    replace = heapq.heapreplace
    for arrive, service in zip(arrivals, service_s.tolist()):
        first = free[0]
        start = arrive if arrive > first else first
        replace(free, start + service)
        push(start - arrive)
    return np.asarray(waits)


def stationary_free_times(arrival_rate: float, service_rate: float, servers: int,
                          rng: np.random.Generator) -> np.ndarray:
    """When each server of an M/M/c queue in steady state next becomes free (seconds from now).

    Starting a simulation empty biases it: the first requests find short queues, and at
    high load the queue takes thousands of requests to forget its start. Starting from a
    draw of the stationary state removes the bias exactly. The number in system ``N`` is
    drawn from the M/M/c distribution (with probability ``C(c, a)`` all servers are busy
    and ``N - c`` is geometric with ratio ``rho``; otherwise ``p_n`` is proportional to
    ``a**n / n!`` for ``n < c``). Busy servers have exponential residual service (memoryless),
    and the ``N - c`` waiting requests are then handed, in order, to the server that frees
    up first, each with a fresh exponential service time. Inner helper: trusted inputs,
    a stable queue.

    References
    ----------
    Kleinrock 1975, sec. 3.5 (the M/M/c state probabilities).

    ``servers`` is a whole number in [1, MAX_SIM_SERVERS], the queue must be stable
    (``arrival_rate < servers x service_rate``) and ``rng`` a ``numpy.random.Generator``.

    >>> free = stationary_free_times(0.5, 1.0, 1, np.random.default_rng(0))
    >>> free.shape
    (1,)
    """
    lam, mu, c = (float(v) for v in _stable_queue(number("arrival_rate", arrival_rate, 0),
                                                  number("service_rate", service_rate, 0, low_open=True),
                                                  count("servers", servers, MAX_SIM_SERVERS)))
    c = int(c)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {rng!r}")
    a, rho = lam / mu, lam / (c * mu)
    if rng.random() < float(erlang_c(c, a)):
        n = c + int(rng.geometric(1.0 - rho)) - 1
    else:
        k = np.arange(c)  # p_k ~ a**k / k!, in logs (k! overflows, and numpy's int product wraps, past k = 20)
        log_w = k * math.log(a) - np.array([math.lgamma(j + 1.0) for j in k]) if a > 0 else np.where(k == 0, 0.0, -np.inf)
        weights = np.exp(log_w - log_w.max())
        n = int(rng.choice(c, p=weights / weights.sum()))
    busy = min(n, c)
    free = [0.0] * (c - busy) + rng.exponential(1.0 / mu, busy).tolist()
    heapq.heapify(free)
    for extra in rng.exponential(1.0 / mu, n - busy).tolist():
        heapq.heapreplace(free, free[0] + extra)
    return np.sort(np.asarray(free))


def batch_means_ci(samples: np.ndarray, batches: int = 20) -> tuple[float, float]:
    """Mean of a correlated series and the half-width of its 95% confidence interval.

    Successive waits in a queue are strongly correlated, so ``std / sqrt(n)`` understates
    the error. The series is cut into ``batches`` consecutive batches; their means are
    nearly independent, and Student's t with ``batches - 1`` degrees of freedom gives the
    interval.

    Parameters
    ----------
    samples : 1-d array, at least ``2 x batches`` values.
    batches : whole number in [2, 1000].

    References
    ----------
    A. M. Law, *Simulation Modeling and Analysis*, 5th ed., McGraw-Hill, 2015, sec. 9.5.3.

    >>> m, h = batch_means_ci(np.arange(100.0), batches=10)
    >>> round(m, 1), h > 0
    (49.5, True)
    """
    b = count("batches", batches, 1000, low=2)
    x = in_range("samples", samples, max_ndim=1).ravel()
    if x.size < 2 * b:
        raise ValueError(f"samples must hold at least 2 x batches = {2 * b} values, got {x.size}")
    means = x[: x.size - x.size % b].reshape(b, -1).mean(axis=1)
    z, nu = 1.959964, b - 1.0  # Student's t 97.5% point by its Cornish-Fisher expansion (to 1e-3 for nu >= 5)
    t = z + (z**3 + z) / (4 * nu) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * nu**2)
    half = float(t * means.std(ddof=1) / np.sqrt(b))
    return float(x.mean()), half


def _two_samples(interarrival_s: np.ndarray, service_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = at_least("interarrival_s", interarrival_s, 0, max_ndim=1).reshape(-1)
    s = at_least("service_s", service_s, 0, max_ndim=1).reshape(-1)
    if t.size != s.size:
        raise ValueError(f"interarrival_s and service_s must have the same length, got {t.size} and {s.size}")
    if t.size > MAX_REQUESTS:
        raise ValueError(f"interarrival_s must hold at most {MAX_REQUESTS} values, got {t.size}")
    return t, s


def _workload(arrival_rate: float, service_rate: float, n_requests: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    interarrival = rng.exponential(1.0 / arrival_rate, n_requests)
    service = rng.exponential(1.0 / service_rate, n_requests)
    return interarrival, service


def _check_simulation(arrival_rate, service_rate, servers, n_requests, seed, max_requests=MAX_REQUESTS):
    lam = number("arrival_rate", arrival_rate, 0, low_open=True)
    mu = number("service_rate", service_rate, 0, low_open=True)
    c = count("servers", servers, MAX_SIM_SERVERS)
    n = count("n_requests", n_requests, max_requests)
    s = check_seed("seed", seed)
    if isinstance(s, np.random.Generator):
        raise ValueError("seed must be a whole number >= 0 here (the same seed is shared between models)")
    return lam, mu, c, n, s


def simulate_fifo(arrival_rate: float, service_rate: float, servers: int, n_requests: int,
                  seed: int, start: str = "empty") -> np.ndarray:
    """Each request's waiting time in queue (seconds) in a simulated M/M/c FIFO queue.

    Poisson arrivals at ``arrival_rate``, exponential service at ``service_rate`` per
    server, ``servers`` servers sharing one queue, first come first served, starting
    empty. Vectorized: see :func:`fifo_waits`.

    Parameters
    ----------
    arrival_rate : lambda, requests per second, > 0. An unstable queue (lambda >= c mu)
        is allowed: its waits simply grow.
    service_rate : mu, requests per second per server, > 0.
    servers : c, whole number in [1, MAX_SIM_SERVERS].
    n_requests : requests to simulate, whole number in [1, MAX_REQUESTS] = [1, 2,000,000].
    seed : seed of ``numpy.random.default_rng``, whole number >= 0. The same seed gives
        the same arrivals and service times as :func:`simulate_simpy`.
    start : ``"empty"`` (as :func:`simulate_simpy`) or ``"stationary"``: the queue starts
        in a state drawn from its steady state (:func:`stationary_free_times`), which
        removes the start-up bias; needs a stable queue.

    Returns
    -------
    numpy array of ``n_requests`` waits, in arrival order.

    References
    ----------
    Lindley 1952; J. Kiefer and J. Wolfowitz, "On the theory of queues with many
    servers", *Trans. AMS* 78, 1955.

    >>> w = simulate_fifo(0.7, 1.0, 1, 200_000, seed=1)
    >>> round(float(w.mean()), 1), round(mmc_mean_wait(0.7, 1.0, 1), 1)
    (2.3, 2.3)
    """
    lam, mu, c, n, s = _check_simulation(arrival_rate, service_rate, servers, n_requests, seed)
    initial = _initial_state(start, lam, mu, c, s)
    interarrival, service = _workload(lam, mu, n, s)
    return fifo_waits(interarrival, service, c, initial)


def _initial_state(start: str, lam: float, mu: float, c: int, seed: int) -> np.ndarray | None:
    if start not in ("empty", "stationary"):
        raise ValueError(f"start must be 'empty' or 'stationary', got {start!r}")
    if start == "empty":
        return None
    _stable_queue(lam, mu, c)
    return stationary_free_times(lam, mu, c, np.random.default_rng([seed, 3]))


def simulate_simpy(arrival_rate: float, service_rate: float, servers: int, n_requests: int,
                   seed: int, dispatch: str = "shared") -> np.ndarray:
    """The same workload as :func:`simulate_fifo`, as a SimPy process model.

    A load balancer process lets requests arrive; each request is a process that asks a
    replica (a ``simpy.Resource`` of capacity one, or one shared resource of capacity
    ``servers``) for service, waits its turn, and holds it for its service time.

    Parameters
    ----------
    arrival_rate, service_rate, servers, seed : as in :func:`simulate_fifo`.
    n_requests : whole number in [1, MAX_SIMPY_REQUESTS] = [1, 200,000].
    dispatch : ``"shared"`` (one queue for all replicas: M/M/c) or ``"random"`` (the
        balancer picks a replica uniformly at random; each has its own queue).

    Returns
    -------
    numpy array of waiting times in queue (seconds), in arrival order.

    >>> w = simulate_simpy(0.7, 1.0, 1, 2_000, seed=3)
    >>> bool(np.allclose(w, simulate_fifo(0.7, 1.0, 1, 2_000, seed=3)))
    True
    """
    import simpy

    lam, mu, c, n, s = _check_simulation(arrival_rate, service_rate, servers, n_requests, seed,
                                         max_requests=MAX_SIMPY_REQUESTS)
    option("dispatch", dispatch, ("shared", "random"))
    interarrival, service = _workload(lam, mu, n, s)
    env = simpy.Environment()
    if dispatch == "shared":
        replicas = [simpy.Resource(env, capacity=c)]
        target = np.zeros(n, dtype=int)
    else:
        replicas = [simpy.Resource(env, capacity=1) for _ in range(c)]
        target = np.random.default_rng([s, 1]).integers(0, c, n)
    waits = np.empty(n)

    def request(i: int, replica: "simpy.Resource", service_s: float):
        arrived = env.now
        with replica.request() as turn:
            yield turn
            waits[i] = env.now - arrived
            yield env.timeout(service_s)

    def load_balancer():
        for i, (gap, service_s, k) in enumerate(zip(interarrival.tolist(), service.tolist(), target.tolist())):
            yield env.timeout(gap)
            env.process(request(i, replicas[k], service_s))

    env.process(load_balancer())
    env.run()
    return waits


def random_dispatch_waits(arrival_rate: float, service_rate: float, servers: int, n_requests: int,
                          seed: int, start: str = "empty") -> np.ndarray:
    """Waits when the balancer picks a replica at random (fast twin of ``dispatch="random"``).

    Uses the same arrivals, service times and choices as :func:`simulate_simpy` with
    ``dispatch="random"``; each replica's queue is a Lindley recursion. ``start`` is as
    in :func:`simulate_fifo`: ``"stationary"`` starts each replica's M/M/1 queue (fed at
    ``arrival_rate / servers``) in its steady state.

    >>> w = random_dispatch_waits(3.0, 1.0, 4, 1_000, seed=2)
    >>> bool(np.allclose(w, simulate_simpy(3.0, 1.0, 4, 1_000, seed=2, dispatch="random")))
    True
    """
    lam, mu, c, n, s = _check_simulation(arrival_rate, service_rate, servers, n_requests, seed)
    if start not in ("empty", "stationary"):
        raise ValueError(f"start must be 'empty' or 'stationary', got {start!r}")
    interarrival, service = _workload(lam, mu, n, s)
    target = np.random.default_rng([s, 1]).integers(0, c, n)
    arrivals = np.cumsum(interarrival)
    if start == "stationary":
        _stable_queue(lam, mu, c)
        first = np.random.default_rng([s, 3])
        initial = [stationary_free_times(lam / c, mu, 1, first) for _ in range(c)]
    waits = np.empty(n)
    for k in range(c):
        mine = np.flatnonzero(target == k)
        if mine.size:
            gaps = np.diff(arrivals[mine], prepend=0.0)
            waits[mine] = (lindley_waits(gaps, service[mine]) if start == "empty"
                           else fifo_waits(gaps, service[mine], 1, initial[k]))
    return waits


def agreement_table(load: float = 0.7, n_requests: int = 20_000, seed: int = 7,
                    servers: tuple[int, ...] = (1, 2, 4), long_requests: int = 400_000) -> "pd.DataFrame":
    """Mean wait by Erlang C, by :func:`simulate_fifo` and by :func:`simulate_simpy`.

    Service rate 1 per second (times are in mean service times); arrival rate
    ``load x servers``. Also the random-dispatch model against N x M/M/1. Both
    simulations run ``n_requests`` from an empty start, request by request alike;
    ``short run +/-`` is the half-width of the numpy run's 95% batch-means interval
    (:func:`batch_means_ci`), which shows whether its gap to the formula is noise. The
    last two columns are a long numpy run (``long_requests``, steady-state start, see
    :func:`simulate_fifo`) and the half-width of its 95% batch-means interval
    (:func:`batch_means_ci`): the size of the sampling noise at this load.

    ``n_requests`` is a whole number in [1, MAX_SIMPY_REQUESTS], ``long_requests`` in [40,
    MAX_REQUESTS], ``servers`` whole numbers in [1, MAX_SIM_SERVERS]; ``load`` is in (0, 1).
    """
    import pandas as pd

    rho = number("load", load, 0, 1, low_open=True, high_open=True)
    n_requests = count("n_requests", n_requests, MAX_SIMPY_REQUESTS)
    long_requests = count("long_requests", long_requests, MAX_REQUESTS, low=40)
    check_seed("seed", seed)
    servers = [int(c) for c in in_range("servers", servers, 1, MAX_SIM_SERVERS, integer=True, max_ndim=1)]
    rows = []
    for c in servers:
        lam = rho * c
        long_run = batch_means_ci(simulate_fifo(lam, 1.0, c, long_requests, seed, start="stationary"))
        short = batch_means_ci(simulate_fifo(lam, 1.0, c, n_requests, seed))
        rows.append({
            "servers": c,
            "queues": "one shared",
            "formula": float(mmc_mean_wait(lam, 1.0, c)),
            "simulate_fifo (numpy)": short[0],
            "SimPy model": float(simulate_simpy(lam, 1.0, c, n_requests, seed).mean()),
            "short run +/-": short[1],
            "long run": long_run[0],
            "long run +/-": long_run[1],
        })
        if c > 1:
            long_run = batch_means_ci(random_dispatch_waits(lam, 1.0, c, long_requests, seed, start="stationary"))
            short = batch_means_ci(random_dispatch_waits(lam, 1.0, c, n_requests, seed))
            rows.append({
                "servers": c,
                "queues": "one per replica",
                "formula": float(separate_queues_mean_response(lam, 1.0, c)) - 1.0,
                "simulate_fifo (numpy)": short[0],
                "SimPy model": float(simulate_simpy(lam, 1.0, c, n_requests, seed, dispatch="random").mean()),
                "short run +/-": short[1],
                "long run": long_run[0],
                "long run +/-": long_run[1],
            })
    return pd.DataFrame(rows).set_index(["servers", "queues"])


# --- Models for the explorers -----------------------------------------------------

REPLICA_AXIS = np.arange(1, 65)
#: Most replicas :func:`replica_curves` draws (its axis runs to twice the minimum the load needs).
MAX_REPLICA_AXIS = 2_000


def replica_curves(request_rate: float, service_ms: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Mean and 99th-percentile response time (ms) against replicas, shared vs separate queues.

    Replica counts too small to carry the load (``N <= rate x service time``) are left
    blank: those queues grow without bound. The axis runs from 1 to 64 replicas, or
    further (to twice the minimum) when the load needs more than 32, so that every
    setting shows its curves; a load needing ``MAX_REPLICA_AXIS / 2 - 1`` = 999
    replicas or more is refused.

    >>> curves = replica_curves(1000, 10)
    >>> bool(np.isnan(curves["one shared queue: mean"]["y"][:10]).all())
    True
    >>> int(replica_curves(2000, 50)["one shared queue: mean"]["x"][-1])  # needs at least 101
    202
    """
    mu = 1000.0 / number("service_ms", service_ms, 0, low_open=True)
    lam = number("request_rate", request_rate, 0, low_open=True)
    if lam / mu >= MAX_REPLICA_AXIS // 2 - 1:
        raise ValueError(f"request_rate x service_ms / 1000 (the replicas the load needs) must be < "
                         f"{MAX_REPLICA_AXIS // 2 - 1}, got request_rate={request_rate!r}, service_ms={service_ms!r}")
    minimum = int(np.floor(lam / mu)) + 1
    n = REPLICA_AXIS if 2 * minimum <= REPLICA_AXIS[-1] else np.arange(1, 2 * minimum + 1)
    ok = lam < n * mu * (1 - 1e-9)
    out = {}
    for label, fn in (("one shared queue", mmc_mean_response), ("a queue per replica", separate_queues_mean_response)):
        mean = np.full(n.shape, np.nan)
        if ok.any():
            mean[ok] = 1000.0 * np.asarray(fn(lam, mu, n[ok]))
        out[f"{label}: mean"] = mean
    for label, fn in (("one shared queue", mmc_response_quantile), ("a queue per replica", separate_queues_response_quantile)):
        p99 = np.full(n.shape, np.nan)
        if ok.any():
            p99[ok] = 1000.0 * np.asarray(fn(lam, mu, n[ok], 0.99))
        out[f"{label}: p99"] = p99
    styles = {
        "one shared queue: mean": {"color": BLUE},
        "a queue per replica: mean": {"color": RED},
        "one shared queue: p99": {"color": BLUE, "dash": "dot"},
        "a queue per replica: p99": {"color": RED, "dash": "dot"},
    }
    return {k: dict(x=n, y=out[k], mode="lines", line=styles[k]) for k in styles}


WAIT_AXIS = np.linspace(0.0, 12.0, 61)


def mmc_wait_ccdf(arrival_rate: ArrayLike, service_rate: ArrayLike, servers: ArrayLike,
                  wait_s: ArrayLike) -> float | np.ndarray:
    """P(wait in queue > t) in an M/M/c queue: ``C(c, a) exp(-(c mu - lambda) t)``.

    References
    ----------
    Kleinrock 1975, eq. 3.41.

    >>> round(mmc_wait_ccdf(3.0, 1.0, 4, 0.0), 4)
    0.5094
    """
    lam, mu, c = _stable_queue(arrival_rate, service_rate, servers)
    t = at_least("wait_s", wait_s, 0)
    return scalar(np.asarray(erlang_c(c, lam / mu)) * np.exp(-(c * mu - lam) * t))


def _empirical_ccdf(samples: np.ndarray, t: np.ndarray) -> np.ndarray:
    ordered = np.sort(samples)
    share = 1.0 - np.searchsorted(ordered, t, side="right") / ordered.size
    return np.where(share > 0, share, np.nan)  # a log axis cannot show zero


#: A simulated tail marker is drawn only where its 95% interval is within this share of its value.
TAIL_MARKER_PRECISION = 0.3


def reliable_ccdf(samples: np.ndarray, t: np.ndarray, batches: int = 20,
                  precision: float = TAIL_MARKER_PRECISION) -> tuple[np.ndarray, np.ndarray]:
    """Empirical ``P(X > t)`` of a correlated series, and its 95% half-width by batch means.

    Values whose half-width exceeds ``precision`` times the value (too few independent
    excursions that far out in the tail) are returned as NaN, so that a figure shows only
    markers that can validate a formula.

    ``samples``: a 1-D array of at least ``2 x batches`` values; ``t``: finite numbers;
    ``batches``: a whole number in [2, 1000]; ``precision`` in (0, 1].

    >>> share, half = reliable_ccdf(np.random.default_rng(0).exponential(1.0, 100_000), np.array([1.0, 20.0]))
    >>> round(float(share[0]), 2), bool(np.isnan(share[1]))
    (0.37, True)
    """
    x = in_range("samples", samples, max_ndim=1).ravel()
    t = in_range("t", t, max_ndim=1)
    b = count("batches", batches, 1000, low=2)
    p = number("precision", precision, 0, 1, low_open=True)
    if x.size < 2 * b:
        raise ValueError(f"samples must hold at least 2 x batches = {2 * b} values, got {x.size}")
    share = 1.0 - np.searchsorted(np.sort(x), t, side="right") / x.size
    per = np.stack([1.0 - np.searchsorted(np.sort(chunk), t, side="right") / chunk.size
                    for chunk in np.array_split(x[: x.size - x.size % b], b)])
    z, nu = 1.959964, b - 1.0
    tq = z + (z**3 + z) / (4 * nu) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * nu**2)
    half = tq * per.std(axis=0, ddof=1) / np.sqrt(b)
    shown = np.where((share > 0) & (half <= p * share), share, np.nan)
    return shown, half


#: Most requests one explorer frame (or tail check) simulates.
MAX_TAIL_REQUESTS = 200_000


def tail_requests(load: float) -> int:
    """Requests simulated per frame at a load: ``2,000 / (1 - rho)**2``, in [20,000, MAX_TAIL_REQUESTS].

    A queue's memory grows like ``1 / (1 - rho)**2`` (its relaxation time), so a run of
    fixed length that is plenty at load 0.5 is far too short at 0.95.

    >>> tail_requests(0.5), tail_requests(0.95)
    (20000, 200000)
    """
    rho = float(in_range("load", load, 0, 1, low_open=True, high_open=True, max_ndim=0))
    return int(min(MAX_TAIL_REQUESTS, max(20_000, 2_000 / (1.0 - rho) ** 2)))


def wait_tail_curves(load: float, servers: int, n_requests: int | None = None, seed: int = 5) -> dict[str, dict]:
    """Share of requests waiting longer than t: formulas against simulate_fifo (for an explorer).

    Times are in mean service times (service rate 1). One shared queue (M/M/c, Erlang C)
    against a random choice of replica (c separate M/M/1 queues, each with
    ``P(W > t) = rho exp(-(1 - rho) t)``), both simulated with the same seed. Both
    simulations start in a steady state (``start="stationary"``), so they carry no
    start-up bias, and run :func:`tail_requests` requests (more at higher load); what
    is left is sampling noise. A marker is drawn only where its 95% batch-means interval
    is within ``TAIL_MARKER_PRECISION`` (30%) of its value (:func:`reliable_ccdf`).

    >>> sorted(wait_tail_curves(0.8, 4))[:2]
    ['a queue per replica: formula', 'a queue per replica: simulated']
    """
    rho = number("load", load, 0, 1, low_open=True, high_open=True)
    c = count("servers", servers, MAX_SIM_SERVERS)
    n = tail_requests(rho) if n_requests is None else int(in_range("n_requests", n_requests, 1, MAX_TAIL_REQUESTS, integer=True, max_ndim=0))
    lam = rho * c
    t = WAIT_AXIS
    shared = simulate_fifo(lam, 1.0, c, n, seed, start="stationary")
    separate = random_dispatch_waits(lam, 1.0, c, n, seed, start="stationary")
    return {
        "one shared queue: formula": dict(x=t, y=np.asarray(mmc_wait_ccdf(lam, 1.0, c, t)), mode="lines", line={"color": BLUE}),
        "one shared queue: simulated": dict(x=t, y=reliable_ccdf(shared, t)[0], mode="markers", marker={"color": BLUE, "size": 6}),
        "a queue per replica: formula": dict(x=t, y=rho * np.exp(-(1.0 - rho) * t), mode="lines", line={"color": RED}),
        "a queue per replica: simulated": dict(x=t, y=reliable_ccdf(separate, t)[0], mode="markers", marker={"color": RED, "size": 6, "symbol": "x"}),
    }


def wait_tail_check(load: float, servers: int, waits: tuple[float, ...] = (0.0, 2.4, 6.0), seed: int = 5,
                    start: str = "stationary") -> "pd.DataFrame":
    """P(wait > t) of one shared queue: the formula, one simulated run and its 95% interval.

    The run is the explorer's (same length, same seed). The interval comes from batch
    means of the indicator ``W > t`` (:func:`batch_means_ci`): successive requests are
    correlated, so the plain binomial error would be far too small. ``inside`` says
    whether the formula lies in the interval, ``drawn`` whether the explorer shows the
    marker (interval within ``TAIL_MARKER_PRECISION`` of the value).

    ``load`` is in (0, 1), ``servers`` a whole number in [1, MAX_SIM_SERVERS], ``waits`` finite
    times >= 0, ``start`` ``"empty"`` or ``"stationary"``.

    >>> table = wait_tail_check(0.8, 4)
    >>> list(table.columns)
    ['formula', 'simulated', '95% interval +/-', 'inside', 'drawn']
    """
    import pandas as pd

    rho = number("load", load, 0, 1, low_open=True, high_open=True)
    c = count("servers", servers, MAX_SIM_SERVERS)
    waits = in_range("waits", waits, 0, max_ndim=1).tolist()
    check_seed("seed", seed)
    option("start", start, ("empty", "stationary"))
    lam = rho * c
    w = simulate_fifo(lam, 1.0, c, tail_requests(rho), seed, start=start)
    rows = []
    for t in waits:
        exact = float(mmc_wait_ccdf(lam, 1.0, c, t))
        share, half = batch_means_ci((w > t).astype(float))
        rows.append({"wait t": t, "formula": exact, "simulated": share, "95% interval +/-": half,
                     "inside": bool(abs(share - exact) <= half),
                     "drawn": bool(share > 0 and half <= TAIL_MARKER_PRECISION * share)})
    return pd.DataFrame(rows).set_index("wait t")
