"""Partial failure: timeouts against a latency distribution, retries, idempotency keys.

On an asynchronous network a client that hears nothing cannot tell a lost request, a
slow server, a crashed server and a lost reply apart. It can only wait for a *timeout*
and then suspect the server, or retry. This module puts numbers on both choices:

* **Timeouts.** Latency is modelled as log-normal (a common fit for service latency:
  a body near the median and a long right tail). A timeout ``T`` falsely suspects a
  healthy server with probability ``P(latency > T)``, and a crashed server is declared
  dead after ``T`` per attempt. Shorter timeouts detect crashes sooner and accuse more
  healthy servers.
* **Retries.** A client that retries after a timeout delivers a request *at least once*
  but possibly several times: when the reply, not the request, was lost, the server has
  already done the work. For a state-changing call (a payment) that is a duplicate
  charge. An *idempotency key* chosen by the client, and a server-side record of the
  keys it has applied (committed with the effect), make every repeat harmless. With
  retries until a reply comes that is exactly-once effect; with a capped number of
  attempts it is at-most-once, since all of a payment's requests may be lost
  (``never_applied``). Keys do not undo reordering of *different* operations, and a
  key the server has pruned protects nothing (:func:`delayed_duplicate_run`).

The analytic retry model (:func:`retry_outcomes`) is checked against a SimPy process
model of clients, a lossy network and a server (:func:`simulate_payments`).

References
----------
- I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, ch. 3 (partial failures,
  at-least-once delivery, idempotency).
- J. Dean and L. A. Barroso, "The tail at scale", *Communications of the ACM* 56(2), 2013
  (long-tailed latency and its consequences).
- M. Kleppmann, *Designing Data-Intensive Applications*, O'Reilly, 2017, ch. 8 (timeouts
  and unbounded delays) and ch. 11 (exactly-once and idempotence).
- Stripe API reference, "Idempotent requests" (idempotency keys on payment APIs).
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike

from ._validate import at_least, count as check_count, in_range, positive, probability, scalar, seed as check_seed
from .palette import BLUE, ORANGE, TEAL

#: Most payments, attempts and clients one SimPy run accepts (a few seconds at most).
MAX_PAYMENTS = 200_000
MAX_ATTEMPTS = 100
MAX_CLIENTS = 1_000

__all__ = [
    "latency_exceedance",
    "false_suspicion_probability",
    "detection_time_s",
    "false_suspicion_any_reply",
    "timeout_for_false_suspicion",
    "timeout_tradeoff_curves",
    "retry_outcomes",
    "retry_curves",
    "simulate_payments",
    "compare_with_simulation",
    "delayed_duplicate_run",
]

_ERFC = np.frompyfunc(math.erfc, 1, 1)


def latency_exceedance(timeout_s: ArrayLike, median_s: float, sigma: float) -> float | np.ndarray:
    """Probability that a log-normal latency exceeds ``timeout_s``.

    Latency ``L`` has ``ln L ~ Normal(ln median_s, sigma^2)``, so
    ``P(L > T) = erfc((ln T - ln median) / (sigma sqrt 2)) / 2``.

    Parameters
    ----------
    timeout_s : the time waited, in seconds, > 0.
    median_s : median latency in seconds, > 0.
    sigma : log-normal shape (standard deviation of ``ln L``), in (0, 5]; 0.5 is a
        moderate tail, 1.5 a heavy one.

    Returns
    -------
    P(latency > timeout), in [0, 1].

    References
    ----------
    Any probability text, e.g. N. L. Johnson, S. Kotz and N. Balakrishnan, *Continuous
    Univariate Distributions*, vol. 1, Wiley, 1994, ch. 14 (the log-normal).

    >>> latency_exceedance(0.020, 0.020, 0.5)
    0.5
    >>> round(latency_exceedance(0.020 * math.exp(0.5 * 2.326348), 0.020, 0.5), 4)
    0.01
    """
    t = positive("timeout_s", timeout_s)
    m = float(positive("median_s", median_s, max_ndim=0))
    s = float(in_range("sigma", sigma, 0, 5, low_open=True, max_ndim=0))
    z = (np.log(t) - math.log(m)) / (s * math.sqrt(2.0))
    return scalar(0.5 * np.asarray(_ERFC(z), dtype=float))


def false_suspicion_probability(timeout_s: ArrayLike, median_s: float, sigma: float,
                                attempts: int = 1) -> float | np.ndarray:
    """Probability that a healthy server is declared dead: every one of ``attempts``
    independent requests waits longer than ``timeout_s``.

    Parameters
    ----------
    timeout_s : timeout per attempt, seconds, > 0.
    median_s, sigma : the log-normal latency (see :func:`latency_exceedance`).
    attempts : requests that must all time out before the server is suspected, >= 1.

    Returns
    -------
    ``P(L > T) ** attempts``.

    >>> false_suspicion_probability(0.020, 0.020, 0.5, attempts=3)
    0.125
    """
    k = int(at_least("attempts", attempts, 1, integer=True, max_ndim=0))
    return scalar(np.asarray(latency_exceedance(timeout_s, median_s, sigma)) ** k)


def detection_time_s(timeout_s: ArrayLike, attempts: int = 1) -> float | np.ndarray:
    """Time from a crash to the client declaring the server dead: ``attempts * timeout_s``.

    A crashed server never replies, so each attempt waits its full timeout.

    >>> detection_time_s(0.25, attempts=3)
    0.75
    """
    t = positive("timeout_s", timeout_s)
    k = int(at_least("attempts", attempts, 1, integer=True, max_ndim=0))
    return scalar(k * t)


def timeout_for_false_suspicion(target: float, median_s: float, sigma: float, attempts: int = 1) -> float:
    """The shortest timeout whose false-suspicion probability is at most ``target``.

    Inverts :func:`false_suspicion_probability`: each attempt may exceed the timeout
    with probability ``q = target ** (1 / attempts)``, so ``T = median exp(sigma z)``
    with ``z`` the standard normal quantile of ``1 - q``.

    Parameters
    ----------
    target : accepted probability of accusing a healthy server, in (0, 1).
    median_s, sigma : the log-normal latency.
    attempts : attempts that must all time out, >= 1.

    Returns
    -------
    Timeout in seconds.

    >>> round(timeout_for_false_suspicion(0.001, 0.020, 0.5) * 1000, 1)  # ms
    93.8
    """
    q = float(in_range("target", target, 0, 1, low_open=True, high_open=True, max_ndim=0))
    m = float(positive("median_s", median_s, max_ndim=0))
    s = float(in_range("sigma", sigma, 0, 5, low_open=True, max_ndim=0))
    k = int(at_least("attempts", attempts, 1, integer=True, max_ndim=0))
    per_attempt = q ** (1.0 / k)
    return m * math.exp(s * NormalDist().inv_cdf(1.0 - per_attempt))


def false_suspicion_any_reply(timeout_s: ArrayLike, median_s: float, sigma: float,
                              attempts: int = 1) -> float | np.ndarray:
    """Probability that a healthy server is declared dead by a detector that counts *any*
    reply, however late, as a sign of life.

    Attempt ``i`` (1-based) is sent at ``(i - 1) T`` and the server is declared dead at
    ``k T`` if no reply to any attempt has come. Attempt ``i``'s reply still counts if it
    arrives within ``(k - i + 1) T`` of being sent, so with independent latencies

    ``P(suspect) = P(L > T) P(L > 2T) ... P(L > k T)``,

    never more than :func:`false_suspicion_probability`, which discards a reply that
    arrives after its own attempt's timeout. Both detect a crash after ``k T``.

    Parameters
    ----------
    timeout_s : timeout per attempt, seconds, > 0.
    median_s, sigma : the log-normal latency (see :func:`latency_exceedance`).
    attempts : attempts sent before the server is declared dead, whole number in [1, MAX_ATTEMPTS] = [1, 100].

    References
    ----------
    T. D. Chandra and S. Toueg, "Unreliable failure detectors for reliable distributed
    systems", *JACM* 43(2), 1996 (detectors that suspect on silence); N. Hayashibara et
    al., "The phi accrual failure detector", *SRDS* 2004 (any heartbeat counts).

    >>> false_suspicion_any_reply(0.020, 0.020, 0.5, attempts=1)
    0.5
    >>> round(false_suspicion_any_reply(0.05, 0.02, 0.5, 2) / false_suspicion_probability(0.05, 0.02, 0.5, 2), 3)
    0.019
    """
    k = check_count("attempts", attempts, MAX_ATTEMPTS)
    t = positive("timeout_s", timeout_s)
    p = np.ones_like(np.asarray(t, dtype=float))
    for j in range(1, k + 1):
        p = p * np.asarray(latency_exceedance(j * t, median_s, sigma))
    return scalar(p)


TIMEOUT_AXIS_MS = np.logspace(0, 4, 161)  # 1 ms .. 10 s
#: The explorer's lowest false-suspicion probability; smaller values sit below the axis.
SUSPICION_FLOOR = 1e-12


def _above_floor(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y, dtype=float)
    return np.where(y >= SUSPICION_FLOOR, y, np.nan)


def timeout_tradeoff_curves(median_ms: float, sigma: float, timeout_ms: float) -> dict:
    """False suspicions against crash-detection time, for 1, 2 and 3 attempts (explorer).

    Each curve sweeps the timeout; its x is the detection time (``attempts * timeout``)
    and its y the false-suspicion probability, solid for a detector that discards late
    replies to earlier attempts (:func:`false_suspicion_probability`), dashed for one
    that counts any reply (:func:`false_suspicion_any_reply`). The diamonds mark the
    chosen timeout; a diamond below :data:`SUSPICION_FLOOR` is drawn as a triangle on
    the floor, so every setting shows all its markers.

    >>> curves = timeout_tradeoff_curves(20, 0.5, 50)
    >>> list(curves)[:3]
    ['1 attempt', '2 attempts', '3 attempts']
    >>> [round(float(y), 6) for y in curves["the chosen timeout"]["y"]]
    [0.033432, 0.001118, 3.7e-05, 2.2e-05, 0.0]
    """
    m = float(positive("median_ms", median_ms, max_ndim=0)) / 1000
    t_axis = TIMEOUT_AXIS_MS / 1000
    chosen = float(positive("timeout_ms", timeout_ms, max_ndim=0)) / 1000
    curves = {}
    colors = (BLUE, ORANGE, TEAL)  # pairwise apart for colour-blind readers too (palette)
    for k, color in zip((1, 2, 3), colors):
        name = "1 attempt" if k == 1 else f"{k} attempts"
        y = false_suspicion_probability(t_axis, m, sigma, k)
        curves[name] = dict(x=k * TIMEOUT_AXIS_MS, y=_above_floor(y), mode="lines", line={"color": color})
    for k, color in zip((2, 3), colors[1:]):
        y = false_suspicion_any_reply(t_axis, m, sigma, k)
        curves[f"{k} attempts, any late reply counts"] = dict(
            x=k * TIMEOUT_AXIS_MS, y=_above_floor(y), mode="lines", line={"color": color, "dash": "dash"})
    xs = np.array([1, 2, 3, 2, 3]) * timeout_ms
    ys = np.array([false_suspicion_probability(chosen, m, sigma, k) for k in (1, 2, 3)]
                  + [false_suspicion_any_reply(chosen, m, sigma, k) for k in (2, 3)])
    marker_colors = [*colors, *colors[1:]]
    low = ys < SUSPICION_FLOOR
    curves["the chosen timeout"] = dict(
        x=np.where(low, np.nan, xs), y=np.where(low, np.nan, ys), mode="markers",
        marker={"size": 11, "color": marker_colors, "symbol": ["diamond"] * 3 + ["diamond-open"] * 2})
    curves[f"chosen timeout, below {SUSPICION_FLOOR:g} (off the axis)"] = dict(
        x=np.where(low, xs, np.nan), y=np.where(low, 1.5 * SUSPICION_FLOOR, np.nan), mode="markers",
        marker={"size": 11, "color": marker_colors, "symbol": "triangle-down"})
    return curves


# --- Retries and idempotency ---------------------------------------------------------


def retry_outcomes(request_loss: float, reply_loss: float, max_attempts: int) -> dict[str, float]:
    """What happens to one state-changing call tried up to ``max_attempts`` times (first attempt included).

    Each attempt's request is lost with probability ``a`` (the server never sees it);
    if it arrives, the server applies it and replies, and the reply is lost with
    probability ``b``. The client stops at the first reply or after ``max_attempts``
    attempts. With ``q = (1 - a)(1 - b)``, the chance an attempt gets a reply:

    - ``confirmed`` = ``1 - (1 - q)^m``: the client gets a reply;
    - ``applied`` = ``1 - a^m``: the server applied it at least once;
    - ``expected_applications`` = ``(1 - a)(1 - (1 - q)^m) / q`` without keys;
    - ``expected_duplicates`` = extra applications beyond the first (0 with keys);
    - ``unsure`` = applied, but the client gave up without a reply;
    - ``never_applied`` = ``a^m``.

    Parameters
    ----------
    request_loss, reply_loss : loss probabilities per message, in [0, 1).
    max_attempts : the first try plus retries, >= 1.

    References
    ----------
    Gorton 2022, ch. 3 (at-least-once delivery, idempotence); Kleppmann 2017, ch. 11.

    >>> r = retry_outcomes(0.1, 0.1, 3)
    >>> round(r["expected_duplicates"], 4), round(r["confirmed"], 4)
    (0.1045, 0.9931)
    >>> retry_outcomes(0.0, 0.5, 1)["unsure"]
    0.5
    """
    a = float(probability("request_loss", request_loss, open_high=True, max_ndim=0))
    b = float(probability("reply_loss", reply_loss, open_high=True, max_ndim=0))
    m = check_count("max_attempts", max_attempts, MAX_ATTEMPTS)
    return _retry_outcomes(a, b, m)


def _retry_outcomes(a, b, m):
    q = (1 - a) * (1 - b)
    confirmed = 1 - (1 - q) ** m
    applied = 1 - a**m
    applications = (1 - a) * confirmed / q
    return {
        "confirmed": confirmed,
        "applied": applied,
        "expected_applications": applications,
        "expected_duplicates": applications - applied,
        "unsure": applied - confirmed,
        "never_applied": a**m,
    }


LOSS_AXIS = np.linspace(0, 0.5, 51)


def retry_curves(max_attempts: int) -> dict:
    """Per 1,000 payments, against loss (same on requests and replies): duplicate
    charges without and with idempotency keys, and payments left unsure (explorer).

    >>> c = retry_curves(3)
    >>> float(c["duplicates, with keys"][1].max())
    0.0
    """
    m = check_count("max_attempts", max_attempts, MAX_ATTEMPTS)
    p = LOSS_AXIS
    r = _retry_outcomes(p, p, m)
    return {
        "duplicates, no keys": (p, 1000 * r["expected_duplicates"]),
        "duplicates, with keys": (p, np.zeros_like(p)),
        "unsure (applied, no reply)": (p, 1000 * r["unsure"]),
        "never applied": (p, 1000 * r["never_applied"]),
    }


def simulate_payments(
    payments: int = 2000,
    request_loss: float = 0.1,
    reply_loss: float = 0.1,
    max_attempts: int = 3,
    idempotency_keys: bool = False,
    clients: int = 4,
    one_way_delay_s: float = 0.005,
    seed: int = 0,
) -> dict[str, float]:
    """Simulate clients paying through a lossy network, with SimPy, and count charges.

    Each client makes its payments one after another. A payment is sent with a fresh
    idempotency key; a lost message simply never arrives; each one-way trip takes
    between ``one_way_delay_s`` and twice that. The client's timeout is five one-way
    delays, longer than any round trip, so a timeout always means a lost message. On a
    timeout the client resends the *same* request (same key) until ``max_attempts``.
    The server charges the card for every request it receives, unless
    ``idempotency_keys`` is on and it has seen the key: then it replays the stored reply.

    Parameters
    ----------
    payments : total payments across clients, >= 1.
    request_loss, reply_loss : loss probabilities, in [0, 1).
    max_attempts : first try plus retries, >= 1.
    idempotency_keys : whether the server records keys and applies each once.
    clients : concurrent clients, >= 1.
    one_way_delay_s : minimum one-way network delay, seconds, > 0.
    seed : seed of the random generator (the run is fully deterministic).

    Returns
    -------
    dict with ``payments``, ``charges`` (card charges made), ``duplicates`` (charges
    beyond one per payment), ``confirmed``, ``unsure`` (charged, no reply) and
    ``never_applied``.

    >>> simulate_payments(500, 0.2, 0.2, 4, idempotency_keys=True, seed=1)["duplicates"]
    0
    """
    import simpy

    n = check_count("payments", payments, MAX_PAYMENTS)
    a = float(probability("request_loss", request_loss, open_high=True, max_ndim=0))
    b = float(probability("reply_loss", reply_loss, open_high=True, max_ndim=0))
    m = check_count("max_attempts", max_attempts, MAX_ATTEMPTS)
    c = check_count("clients", clients, MAX_CLIENTS)
    d = float(positive("one_way_delay_s", one_way_delay_s, max_ndim=0))
    rng = np.random.default_rng(check_seed("seed", seed))
    env = simpy.Environment()
    timeout = 5 * d
    charges: dict[str, int] = {}
    replies_by_key: dict[str, str] = {}
    confirmed: set[str] = set()
    waiting: dict[str, simpy.Event] = {}

    def transmit(loss: float, deliver, *args):
        if rng.random() < loss:
            return  # lost: it never arrives, and nobody is told
        delay = d * (1 + rng.random())
        env.process(_after(delay, deliver, *args))

    def _after(delay, deliver, *args):
        yield env.timeout(delay)
        deliver(*args)

    def server_receives(key: str):
        if idempotency_keys and key in replies_by_key:
            transmit(b, client_receives, key)  # replay the stored reply, charge nothing
            return
        charges[key] = charges.get(key, 0) + 1
        replies_by_key[key] = "ok"
        transmit(b, client_receives, key)

    def client_receives(key: str):
        event = waiting.get(key)
        if event is not None and not event.triggered:
            event.succeed()

    def client(index: int, count: int):
        for j in range(count):
            key = f"c{index}-p{j}"
            for _ in range(m):
                waiting[key] = env.event()
                transmit(a, server_receives, key)
                result = yield waiting[key] | env.timeout(timeout)
                if waiting[key] in result:
                    confirmed.add(key)
                    break
            waiting.pop(key, None)
            yield env.timeout(d)  # a late duplicate reply finds nobody waiting

    share = [n // c + (1 if i < n % c else 0) for i in range(c)]
    for i, count in enumerate(share):
        if count:
            env.process(client(i, count))
    env.run()
    applied = len(charges)
    total = sum(charges.values())
    return {
        "payments": n,
        "charges": total,
        "duplicates": total - applied,
        "confirmed": len(confirmed),
        "unsure": len(set(charges) - confirmed),
        "never_applied": n - applied,
    }


def compare_with_simulation(request_loss: float = 0.1, reply_loss: float = 0.1, max_attempts: int = 3,
                            payments: int = 4000, seed: int = 0) -> "pd.DataFrame":
    """Analytic expectations next to SimPy counts, with and without idempotency keys.

    Rows: confirmed, unsure, never applied, duplicate charges (all per 1,000 payments).
    """
    import pandas as pd

    check_count("payments", payments, MAX_PAYMENTS)
    check_seed("seed", seed)
    r = retry_outcomes(request_loss, reply_loss, max_attempts)
    rows = {}
    for keys in (False, True):
        sim = simulate_payments(payments, request_loss, reply_loss, max_attempts, keys, seed=seed)
        label = "with keys" if keys else "no keys"
        rows[f"model, {label}"] = {
            "confirmed": 1000 * r["confirmed"],
            "unsure": 1000 * r["unsure"],
            "never applied": 1000 * r["never_applied"],
            "duplicate charges": 0.0 if keys else 1000 * r["expected_duplicates"],
        }
        rows[f"SimPy, {label}"] = {
            "confirmed": 1000 * sim["confirmed"] / payments,
            "unsure": 1000 * sim["unsure"] / payments,
            "never applied": 1000 * sim["never_applied"] / payments,
            "duplicate charges": 1000 * sim["duplicates"] / payments,
        }
    table = pd.DataFrame(rows).T
    table.index.name = "per 1,000 payments"
    return table


def delayed_duplicate_run(first_delay_ms: float = 300.0, timeout_ms: float = 50.0,
                          hop_ms: float = 5.0) -> "pd.DataFrame":
    """A "set the balance" request whose first attempt is delayed, replayed after a later write.

    The client sends "set balance to 100" (key k1). If no reply has come after
    ``timeout_ms`` it sends the same request again, which takes ``hop_ms`` each way; on
    the reply it sends the next operation, "set balance to 40" (key k2). The first
    attempt, delayed ``first_delay_ms`` on the way, finally arrives. Without keys the
    server applies whatever arrives, so a late duplicate of the *earlier* write reverts
    the later one; with keys it recognises k1 and replays the stored reply.

    Parameters
    ----------
    first_delay_ms : one-way delay of the first attempt, ms, in (0, 1e6].
    timeout_ms : the client's timeout, ms, in (0, 1e6].
    hop_ms : one-way delay of every other message, ms, in (0, 1e6].

    Returns
    -------
    DataFrame, one row per arrival at the server, with the balance after it without
    and with idempotency keys.

    References
    ----------
    Kleppmann 2017, ch. 11 (idempotence and reordering); Gorton 2022, ch. 3.

    >>> delayed_duplicate_run()["balance, no keys"].tolist()
    [100, 40, 100]
    >>> delayed_duplicate_run()["balance, with keys"].tolist()
    [100, 40, 40]
    """
    import pandas as pd

    d1 = float(in_range("first_delay_ms", first_delay_ms, 0, 1e6, low_open=True, max_ndim=0))
    t = float(in_range("timeout_ms", timeout_ms, 0, 1e6, low_open=True, max_ndim=0))
    h = float(in_range("hop_ms", hop_ms, 0, 1e6, low_open=True, max_ndim=0))
    arrivals = [(d1, "k1", 100, "set balance to 100 (attempt 1, delayed)")]
    first_reply = d1 + h
    if first_reply > t:  # the timeout fires first: a retry with the same key
        arrivals.append((t + h, "k1", 100, "set balance to 100 (attempt 2, the retry)"))
        first_reply = min(first_reply, t + 2 * h)
    arrivals.append((first_reply + h, "k2", 40, "set balance to 40 (the next operation)"))
    arrivals.sort(key=lambda a: a[0])
    rows, plain, keyed, seen = [], 0, 0, set()
    for at, key, value, what in arrivals:
        plain = value
        if key not in seen:
            keyed = value
            seen.add(key)
        rows.append({"arrives at (ms)": at, "request": what, "key": key,
                     "balance, no keys": plain, "balance, with keys": keyed})
    return pd.DataFrame(rows).set_index("arrives at (ms)")


# --- A payment retried over a lossy link, as a recorded run (scalelab.runs) -----------


def payment_run(idempotency_keys: bool = False, drop: tuple[int, ...] = (), loss: float = 0.0, seed: int = 0,
                timeout_s: float = 0.1, max_attempts: int = 3, amount: int = 100, crashes=()):
    """One payment of ``amount`` sent by a client to a payment server, retried on timeout.

    The client sends ``charge`` (with an idempotency key when ``idempotency_keys``) and
    sets a timer of ``timeout_s``; when the timer fires before the reply it sends the same
    charge again, up to ``max_attempts`` in all. Without keys the server applies every
    charge that reaches it; with keys it applies each key once and answers a repeat with
    the stored result. ``drop=(2,)`` drops message 2 (the first reply, when the request
    got through): the client cannot tell a lost request from a lost reply, retries, and
    without keys the card is charged twice. Message delays are uniform in [10, 30] ms;
    ``loss`` loses each message with that probability; ``crashes`` as in
    :class:`scalelab.runs.Network`.

    Returns a :class:`scalelab.runs.Run` whose violations say "charge applied twice
    (events i and j)" when the server applied the payment more than once.

    References
    ----------
    Kleppmann 2017, ch. 11 (idempotence); Stripe API docs, "Idempotent requests".

    >>> run = payment_run(idempotency_keys=False, drop=(2,))
    >>> [v.text for v in run.violations]
    ['charge applied twice (events 2 and 9)']
    >>> payment_run(idempotency_keys=True, drop=(2,)).violations
    []
    """
    from . import _validate
    from .runs import Network, Node

    keys = _validate.flag("idempotency_keys", idempotency_keys)
    t_out = _validate.number("timeout_s", timeout_s, 0, 10.0, low_open=True)
    attempts = _validate.count("max_attempts", max_attempts, 20)
    amt = int(_validate.count("amount", amount, 10**9))

    class Client(Node):
        def start(self, net):
            self.state.update(attempt=1, status="waiting")
            self._send(net)

        def _send(self, net):
            body = {"key": "k1"} if keys else {}
            net.send(self.name, "server", f"charge ${amt}" + (" key=k1" if keys else ""), **body)
            net.set_timer(self.name, t_out, "timeout")

        def timer(self, net, name):
            if self.state["status"] != "waiting":
                return
            if self.state["attempt"] >= attempts:
                self.state["status"] = "gave up"
                net.changed(self.name, "gave up")
                return
            self.state["attempt"] += 1
            net.changed(self.name, f"retry (attempt {self.state['attempt']})")
            self._send(net)

        def receive(self, net, msg):
            if self.state["status"] == "waiting":
                self.state["status"] = "paid"
                net.cancel_timer(self.name, "timeout")
                net.changed(self.name, "payment confirmed")

    class Server(Node):
        durable = ("charged", "charges", "keys")

        def start(self, net):
            self.state.setdefault("charged", 0)
            self.state.setdefault("charges", 0)
            if keys:
                self.state.setdefault("keys", frozenset())

        def receive(self, net, msg):
            key = msg.body.get("key")
            if key is not None and key in self.state["keys"]:
                net.changed(self.name, f"key {key} seen: no new charge")
            else:
                if key is not None:
                    self.state["keys"] = self.state["keys"] | {key}
                self.state["charged"] += amt
                self.state["charges"] += 1
                net.changed(self.name, f"applied charge ${amt}")
            net.send(self.name, msg.src, "ok")

    net = Network(["client", "server"], seed=seed, delay_s=(0.01, 0.03), loss=loss, drop=drop, crashes=crashes)
    title = f"Payment retry, {'with' if keys else 'without'} idempotency keys"
    return net.run({"client": Client("client"), "server": Server("server")},
                   until_s=t_out * (attempts + 2), max_events=200, check=check_payment, title=title)


def check_payment(events) -> list:
    """The payment invariant: the server applies the one payment at most once. Returns a
    :class:`scalelab.runs.Violation` naming the first two events that applied it."""
    from .runs import Violation

    applied = [e.index for e in events if e.kind == "state" and e.label.startswith("applied charge")]
    if len(applied) > 1:
        times = "twice" if len(applied) == 2 else f"{len(applied)} times"
        return [Violation(f"charge applied {times} (events {applied[0]} and {applied[1]})", tuple(applied))]
    return []
