"""Replication: replica lag, stale reads, and quorums of N replicas with R reads and W writes.

A store keeps each item on ``N`` replicas (the replication factor). A write is sent to
all ``N`` and counts as done once ``W`` of them acknowledge it; a read asks ``R``
replicas and returns the newest value it sees. When ``R + W > N`` (a strict quorum)
every read set meets every write set, so a read that starts after a write was
acknowledged asks at least one replica that has it; that is not linearizability (a read
concurrent with a write can see new, then a later one old: :func:`concurrent_read_trace`),
and sloppy quorums and clock timestamps break even the overlap (Kleppmann 2017, ch. 5).
When ``R + W <= N`` a read may ask only replicas that have not received the write yet.

Models here:

- the probability that a read right after a write misses it, ``C(N-W, R) / C(N, R)``
  (Bailis et al. 2012), and how it decays while the write spreads to the remaining
  replicas (exponential delays; a closed form, checked against a SimPy simulation);
- a follower lagging behind its leader: the chance that a read misses a recent write;
- the availability of a quorum of ``q`` out of ``N`` replicas when each replica is down
  independently with probability ``p`` (a binomial tail).

References
----------
- P. Bailis, S. Venkataraman, M. J. Franklin, J. M. Hellerstein, I. Stoica,
  "Probabilistically bounded staleness for practical partial quorums", PVLDB 5(8), 2012.
- D. K. Gifford, "Weighted voting for replicated data", SOSP 1979 (R + W > N).
- G. DeCandia et al., "Dynamo: Amazon's highly available key-value store", SOSP 2007.
- H. Attiya, A. Bar-Noy, D. Dolev, "Sharing memory robustly in message-passing systems",
  JACM 42(1), 1995 (ABD: a read writes back what it read before returning).
- M. Kleppmann, *Designing Data-Intensive Applications*, O'Reilly, 2017, ch. 5,
  "Limitations of quorum consistency".
- E. Brewer, "CAP twelve years later: how the 'rules' have changed", IEEE Computer 45(2),
  2012; S. Gilbert and N. Lynch, "Brewer's conjecture and the feasibility of consistent,
  available, partition-tolerant web services", SIGACT News 33(2), 2002.
"""

from __future__ import annotations

from math import comb

import numpy as np

from ._validate import at_least, count, in_range, number, positive, probability, scalar, seed as check_seed
from .runs import Node, Violation

#: Most replicas N a model accepts; most N in :func:`quorum_table` (N x N rows); most
#: SimPy trials of one :func:`simulate_stale_reads` call.
MAX_REPLICAS = 1_000
MAX_TABLE_REPLICAS = 50
MAX_TRIALS = 100_000

__all__ = [
    "stale_read_probability",
    "is_strict_quorum",
    "stale_read_probability_after",
    "simulate_stale_reads",
    "follower_stale_probability",
    "quorum_availability",
    "quorum_table",
    "staleness_curves",
    "availability_curves",
    "simulation_table",
    "concurrent_read_trace",
]


def _nrw(n: int, r: int, w: int) -> tuple[int, int, int]:
    n_ = count("n", n, MAX_REPLICAS)
    r_ = int(in_range("r", r, 1, n_, integer=True, max_ndim=0))
    w_ = int(in_range("w", w, 1, n_, integer=True, max_ndim=0))
    return n_, r_, w_


def stale_read_probability(n: int, r: int, w: int) -> float:
    """Probability that a read of ``r`` random replicas, right after a write reached ``w`` of ``n``, misses it.

    The read misses the write only if all ``r`` replicas it asks are among the ``n - w``
    that do not have it yet: ``C(n - w, r) / C(n, r)``, which is 0 when ``r + w > n``.

    Parameters
    ----------
    n : replicas (replication factor), a whole number >= 1.
    r : replicas a read waits for, whole, in [1, n].
    w : replicas that acknowledged the write, whole, in [1, n].

    References
    ----------
    Bailis et al. 2012, section 3.1 (k-staleness with k = 1, equation 1).

    >>> stale_read_probability(3, 1, 1)
    0.6666666666666666
    >>> stale_read_probability(5, 2, 2)
    0.3
    >>> stale_read_probability(3, 2, 2)
    0.0
    """
    n_, r_, w_ = _nrw(n, r, w)
    return comb(n_ - w_, r_) / comb(n_, r_)


def is_strict_quorum(n: int, r: int, w: int) -> bool:
    """True when every read set overlaps every write set: ``r + w > n``.

    >>> is_strict_quorum(3, 2, 2), is_strict_quorum(3, 1, 2)
    (True, False)
    """
    n_, r_, w_ = _nrw(n, r, w)
    return r_ + w_ > n_


def stale_read_probability_after(n: int, r: int, w: int, t_s, mean_delay_s: float):
    """Probability that a read issued ``t_s`` seconds after a write commits still misses it.

    The write reaches each replica after an independent exponential delay of mean
    ``mean_delay_s`` and commits when the ``w``-th replica has it. Delays being
    memoryless, each of the ``n - w`` others still lacks it ``t_s`` later with
    probability ``exp(-t_s / mean_delay_s)``, independently; averaging
    ``C(M, r) / C(n, r)`` over the binomial number ``M`` of replicas still missing it gives
    ``C(n - w, r) / C(n, r) * exp(-r t_s / mean_delay_s)``. Reads are taken as instant.

    Parameters
    ----------
    n, r, w : as in :func:`stale_read_probability`.
    t_s : seconds after commit, >= 0 (scalar or array).
    mean_delay_s : mean time for the write to reach one replica, seconds, > 0.

    References
    ----------
    Bailis et al. 2012, section 4 (t-visibility; their WARS model with exponential
    W latencies and instant A, R, S).

    >>> round(stale_read_probability_after(3, 1, 1, 0.005, 0.005), 4)
    0.2453
    """
    n_, r_, w_ = _nrw(n, r, w)
    t = at_least("t_s", t_s, 0)
    m = float(positive("mean_delay_s", mean_delay_s, max_ndim=0))
    return scalar(comb(n_ - w_, r_) / comb(n_, r_) * np.exp(-r_ * t / m))


def simulate_stale_reads(n: int, r: int, w: int, t_s: float, mean_delay_s: float,
                         trials: int = 2000, seed: int = 0) -> float:
    """SimPy simulation of the same process: the share of reads, ``t_s`` after commit, that miss the write.

    Each trial runs a coordinator process that sends the write to ``n`` replica
    processes, waits for ``w`` acknowledgements, waits ``t_s`` more, then reads ``r``
    replicas chosen at random.

    >>> round(simulate_stale_reads(3, 1, 1, 0.0, 0.005, trials=3000, seed=1), 2)
    0.67
    """
    import simpy

    n_, r_, w_ = _nrw(n, r, w)
    t = float(at_least("t_s", t_s, 0, max_ndim=0))
    m = float(positive("mean_delay_s", mean_delay_s, max_ndim=0))
    k = count("trials", trials, MAX_TRIALS)
    rng = np.random.default_rng(check_seed("seed", seed))
    stale = 0

    def replica(env, i, delay, has, acks):
        yield env.timeout(delay)
        has[i] = True
        yield acks.put(i)

    def coordinator(env, has, acks, out):
        for _ in range(w_):
            yield acks.get()
        yield env.timeout(t)
        asked = rng.choice(n_, size=r_, replace=False)
        out.append(not any(has[j] for j in asked))

    for _ in range(k):
        env = simpy.Environment()
        has = [False] * n_
        acks = simpy.Store(env)
        out: list[bool] = []
        for i, delay in enumerate(rng.exponential(m, size=n_)):
            env.process(replica(env, i, delay, has, acks))
        env.process(coordinator(env, has, acks, out))
        env.run()
        stale += out[0]
    return stale / k


def follower_stale_probability(write_rate_per_s, lag_s):
    """Chance that a read from a follower lagging ``lag_s`` behind its leader misses a write.

    With writes to a key arriving as a Poisson process of rate ``write_rate_per_s``, the
    follower is behind on that key when at least one write came in the last ``lag_s``
    seconds: ``1 - exp(-rate * lag)``.

    >>> round(follower_stale_probability(1.0, 0.1), 4)
    0.0952
    """
    rate = at_least("write_rate_per_s", write_rate_per_s, 0)
    lag = at_least("lag_s", lag_s, 0)
    return scalar(-np.expm1(-rate * lag))


def quorum_availability(n: int, q: int, p_fail):
    """Probability that at least ``q`` of ``n`` replicas are up, each down independently with ``p_fail``.

    ``sum_{k=q}^{n} C(n, k) (1 - p)^k p^(n - k)``: the binomial tail. A read (write) with
    quorum ``R`` (``W``) can proceed only when that many replicas answer.

    Parameters
    ----------
    n : replicas, whole, >= 1.
    q : replicas needed, whole, in [1, n].
    p_fail : probability that one replica is down, in [0, 1] (scalar or array).

    >>> round(quorum_availability(3, 2, 0.1), 4)
    0.972
    >>> round(quorum_availability(5, 3, 0.1), 5)
    0.99144
    """
    n_ = count("n", n, MAX_REPLICAS)
    q_ = int(in_range("q", q, 1, n_, integer=True, max_ndim=0))
    p = probability("p_fail", p_fail)
    up = 1.0 - p
    total = np.zeros_like(p)
    for k in range(q_, n_ + 1):
        total = total + comb(n_, k) * up**k * p ** (n_ - k)
    return scalar(np.clip(total, 0.0, 1.0))


def quorum_table(n: int = 3, p_fail: float = 0.05):
    """Every (R, W) for ``n`` replicas: strict or not, stale-read chance, and availability."""
    import pandas as pd

    n_ = count("n", n, MAX_TABLE_REPLICAS)
    probability("p_fail", p_fail, max_ndim=0)
    rows = []
    for r in range(1, n_ + 1):
        for w in range(1, n_ + 1):
            rows.append({
                "R": r, "W": w, "R + W > N": is_strict_quorum(n_, r, w),
                "P(stale) at commit": stale_read_probability(n_, r, w),
                "read available": quorum_availability(n_, r, p_fail),
                "write available": quorum_availability(n_, w, p_fail),
            })
    return pd.DataFrame(rows).set_index(["R", "W"])


def simulation_table(cases=((3, 1, 1), (3, 1, 2), (5, 2, 2)), mean_delay_s: float = 0.005,
                     times_s=(0.0, 0.002, 0.005, 0.01), trials: int = 800, seed: int = 7):
    """The closed form of :func:`stale_read_probability_after` beside the SimPy simulation.

    Besides the two probabilities, each row gives the binomial standard error of
    ``trials`` reads at the closed-form probability, ``sqrt(p (1 - p) / trials)``, and the
    gap between simulation and closed form in those standard errors (0 when both are 0).
    """
    import pandas as pd

    triples = in_range("cases", cases, 1, MAX_REPLICAS, integer=True, max_ndim=2)
    if triples.ndim != 2 or triples.shape[1] != 3:
        raise ValueError(f"cases must be a list of (N, R, W) triples, got {cases!r}"[:200])
    cases = [tuple(int(v) for v in row) for row in triples]
    times_s = [float(t) for t in at_least("times_s", times_s, 0, max_ndim=1)]
    positive("mean_delay_s", mean_delay_s, max_ndim=0)
    k = count("trials", trials, MAX_TRIALS)
    check_seed("seed", seed)
    rows = []
    for i, (n, r, w) in enumerate(cases):
        for j, t in enumerate(times_s):
            p = stale_read_probability_after(n, r, w, t, mean_delay_s)
            sim = simulate_stale_reads(n, r, w, t, mean_delay_s, trials=k, seed=seed + 100 * i + j)
            se = float(np.sqrt(p * (1 - p) / k))
            rows.append({
                "N": n, "R": r, "W": w, "t (ms)": t * 1000, "closed form": p, "SimPy": sim,
                "std. error": se, "gap (std. errors)": (sim - p) / se if se > 0 else 0.0,
            })
    return pd.DataFrame(rows).set_index(["N", "R", "W", "t (ms)"])


def concurrent_read_trace(read_repair: bool = False):
    """Two quorum reads during one slow write (N = 3, R = W = 2): new, then old.

    Replicas A, B and C hold ``x = old`` (timestamp 1). A write of ``x = new``
    (timestamp 2) reaches A at t = 1 ms and B and C only at t = 5 ms, when it is
    acknowledged. Read 1 (t = 2 ms) asks A and B; read 2 starts at t = 3 ms, after read 1
    has returned, and asks B and C. Each read returns the value with the newest
    timestamp it sees. Without read repair, read 1 returns ``new`` and the later read 2
    returns ``old``: R + W > N, yet the reads are not linearizable. With read repair
    before returning (the write-back phase of Attiya, Bar-Noy and Dolev's algorithm),
    read 1 first writes ``new`` to B, so that a majority holds it, and read 2 sees it.

    Parameters
    ----------
    read_repair : bool
        Whether a read writes the newest value back to the replicas it asked (and waits
        for them) before returning.

    Returns
    -------
    pandas.DataFrame, one row per event: time (ms), the event, each replica's value
    after it, and what a read returned.

    References
    ----------
    Attiya, Bar-Noy and Dolev 1995; Kleppmann 2017, ch. 5 ("Limitations of quorum
    consistency" and "Linearizability and quorums", ch. 9).

    >>> concurrent_read_trace()["read returns"].tolist()
    ['', '', 'new', 'old', '']
    >>> concurrent_read_trace(read_repair=True)["read returns"].tolist()
    ['', '', 'new', 'new', '']
    """
    import pandas as pd

    if not isinstance(read_repair, (bool, np.bool_)):
        raise ValueError(f"read_repair must be True or False, got {read_repair!r}")
    state = {"A": (1, "old"), "B": (1, "old"), "C": (1, "old")}
    rows = []

    def row(t_ms, event, returned=""):
        rows.append({"t (ms)": t_ms, "event": event, **{k: v[1] for k, v in state.items()},
                     "read returns": returned})

    def read(asked):
        newest = max(state[k] for k in asked)
        if read_repair:
            for k in asked:
                state[k] = max(state[k], newest)
        return newest[1]

    row(0, "write x = new (timestamp 2) sent to A, B, C")
    state["A"] = (2, "new")
    row(1, "the write reaches A (1 of W = 2 acks)")
    repair = ", writes back" if read_repair else ""
    row(2, f"read 1 asks A, B{repair}", read(("A", "B")))
    row(3, f"read 1 has returned; read 2 asks B, C{repair}", read(("B", "C")))
    state["B"] = state["C"] = (2, "new")
    row(5, "the write reaches B and C: acknowledged")
    return pd.DataFrame(rows).set_index("t (ms)")


# --- Models for the explorers ----------------------------------------------------------

T_AXIS_MS = np.linspace(0, 30, 121)
P_AXIS = np.linspace(0, 0.5, 101)


def _nan(x: np.ndarray) -> np.ndarray:
    return np.full(x.shape, np.nan)


def staleness_curves(n: int, r: int, w: int, mean_delay_ms: float) -> dict:
    """Chance of a stale read against time after commit (hidden when R or W exceeds N).

    >>> c = staleness_curves(3, 1, 1, 5)
    >>> round(float(c["P(stale read)"][1][0]), 3)
    0.667
    """
    n, r, w = (count(name, v, MAX_REPLICAS) for name, v in (("n", n), ("r", r), ("w", w)))
    mean_delay_ms = number("mean_delay_ms", mean_delay_ms, 0, low_open=True)
    valid = r <= n and w <= n
    y = stale_read_probability_after(n, r, w, T_AXIS_MS / 1000, mean_delay_ms / 1000) if valid else _nan(T_AXIS_MS)
    p0 = stale_read_probability(n, r, w) if valid else np.nan
    return {
        "P(stale read)": (T_AXIS_MS, y),
        "at commit: C(N-W, R) / C(N, R)": {"x": np.array([0.0]), "y": np.array([p0]), "mode": "markers",
                                           "marker": {"size": 11}},
    }


def availability_curves(n: int, r: int, w: int) -> dict:
    """Availability of read and write quorums against each replica's failure probability.

    A quorum larger than ``n`` cannot be formed; its curve is hidden (NaN).

    >>> c = availability_curves(3, 2, 4)
    >>> round(float(c["reads (R of N up)"][1][20]), 4), bool(np.isnan(c["writes (W of N up)"]["y"]).all())
    (0.972, True)
    """
    n, r, w = (count(name, v, MAX_REPLICAS) for name, v in (("n", n), ("r", r), ("w", w)))
    return {
        "reads (R of N up)": (P_AXIS, quorum_availability(n, r, P_AXIS) if r <= n else _nan(P_AXIS)),
        "writes (W of N up)": {"x": P_AXIS, "y": quorum_availability(n, w, P_AXIS) if w <= n else _nan(P_AXIS),
                               "line": {"dash": "dash"}},
        "one replica": {"x": P_AXIS, "y": 1 - P_AXIS, "line": {"color": "grey", "dash": "dot"}},
    }


# --- A quorum write then read on N replicas, as a recorded run (scalelab.runs) ---------


class _Replica(Node):
    """A replica of the runs below: holds ``version`` (1 at the start), kept across a crash."""

    durable = ("version",)

    def start(self, net):
        self.state.setdefault("version", 1)


def _nearest_last(names: list[str]) -> dict[tuple[str, str], float]:
    """Extra delay on the links between the client and every replica but the last (10 ms
    each way), which makes the last replica the client's nearest."""
    return {link: 0.01 for name in names[:-1] for link in (("client", name), (name, "client"))}


def _count_ack(client, net, w: int, phase: str) -> bool:
    """One acknowledgement of version 2 at the client; at the ``w``-th, the write is
    acknowledged and the client moves to ``phase``. True then."""
    client.state["acks"] += 1
    if client.state["acks"] < w:
        net.changed(client.name)
        return False
    client.state["phase"] = phase
    net.changed(client.name, f"write v2 acknowledged by {w}")
    return True


def _take_reply(client, net, version: int, r: int) -> None:
    """One reply to the read at the client: the newest of the first ``r`` is the result."""
    client.replies.append(version)
    if len(client.replies) == r:
        client.state["phase"] = f"read v{max(client.replies)}"
        net.changed(client.name, f"read returned version {max(client.replies)}")


def quorum_run(r: int = 1, w: int = 2, n: int = 3, lag_s: float = 0.2, seed: int = 1, drop: tuple[int, ...] = (),
               loss: float = 0.0, crashes=()):
    """A client writes version 2 to ``n`` replicas (all hold version 1), waits for ``w``
    acknowledgements, then reads from all and takes the newest of the first ``r`` replies.

    The last replica lags: it applies a write ``lag_s`` seconds after receiving it (a
    backlog), and acknowledges only then. It is also the client's nearest replica (the
    others are 10 ms further away), so its reply to a read comes first. Message delays
    are otherwise uniform in [10, 30] ms (``drop``, ``loss``, ``crashes`` as in
    :class:`scalelab.runs.Network`). With ``r + w > n`` every read quorum overlaps
    the write quorum, so the read sees version 2; with ``r + w <= n`` it may not.

    Returns a :class:`scalelab.runs.Run` whose violations say "read returned version 1
    after version 2 was acknowledged (events i and j)" for a stale read.

    References
    ----------
    DeCandia et al. 2007 (Dynamo, section 4.5); Kleppmann 2017, ch. 5 (quorums).

    >>> [v.text for v in quorum_run(r=1, w=2).violations]
    ['read returned version 1 after version 2 was acknowledged (events 13 and 22)']
    >>> quorum_run(r=2, w=2).violations
    []
    """
    from . import _validate
    from .runs import Network

    size = _validate.count("n", n, 7)
    rr = _validate.count("r", r, size)
    ww = _validate.count("w", w, size)
    lag = _validate.number("lag_s", lag_s, 0, 10.0)
    names = [f"r{i + 1}" for i in range(size)]
    slow = names[-1]

    class Client(Node):
        def start(self, net):
            self.state.update(acks=0, phase="writing v2")
            self.replies = []
            for name in names:
                net.send(self.name, name, "write v2", version=2)

        def receive(self, net, msg):
            if msg.label.startswith("ack") and self.state["phase"] == "writing v2":
                if _count_ack(self, net, ww, "reading"):
                    for name in names:
                        net.send(self.name, name, "read")
            elif msg.label.startswith("value") and self.state["phase"] == "reading":
                _take_reply(self, net, msg.body["version"], rr)

    class Replica(_Replica):
        def receive(self, net, msg):
            if msg.label.startswith("write"):
                if self.name == slow and lag > 0:
                    net.set_timer(self.name, lag, "apply v2")
                    return
                self._apply(net)
            else:
                net.send(self.name, "client", f"value v{self.state['version']}", version=self.state["version"])

        def timer(self, net, name):
            self._apply(net)

        def _apply(self, net):
            self.state["version"] = 2
            net.changed(self.name, "stored v2")
            net.send(self.name, "client", "ack v2")

    net = Network(["client", *names], seed=seed, delay_s=(0.01, 0.03), loss=loss, drop=drop,
                  link_delay_s=_nearest_last(names), crashes=crashes)
    nodes = {"client": Client("client"), **{name: Replica(name) for name in names}}
    return net.run(nodes, until_s=1.0 + lag, max_events=400, check=check_quorum_read,
                   title=f"Quorum write and read, N={size}, W={ww}, R={rr}")


def check_quorum_read(events) -> list:
    """A read that starts after version 2 was acknowledged must return version 2: each state
    "read ... returned version 1" after "write v2 acknowledged" is a violation, named by
    that read's own words ("read returned ...", "read 2 returned ...")."""
    acked = next((e.index for e in events if e.kind == "state" and e.label.startswith("write v2 acknowledged")), None)
    out = []
    for e in events:
        if acked is not None and e.kind == "state" and e.label.startswith("read") and " returned version " in e.label:
            version = int(e.label.rsplit(" ", 1)[1])
            if version < 2:
                out.append(Violation(f"{e.label} after version 2 was acknowledged (events {acked} and {e.index})",
                                     (acked, e.index)))
    return out


def sloppy_quorum_run(r: int = 2, w: int = 2, sloppy: bool = True, seed: int = 0, heal_s: float = 0.3,
                      handoff_s: float = 0.6, drop: tuple[int, ...] = (), crashes=()):
    """A quorum write during a partition, with or without a sloppy quorum, then a read.

    Home replicas r1, r2, r3 (N = 3) hold version 1. A partition cuts the client off from
    r2 and r3 until ``heal_s``. The client writes version 2 to all three; 50 ms later, for
    each home replica that has not acknowledged, it either (strict quorum) sends the write
    to that replica again, every 100 ms, or (``sloppy``) sends it once to a stand-in node
    (h2 for r2, h3 for r3) with a hint naming the home replica; a stand-in's
    acknowledgement counts toward ``w`` (Dynamo's sloppy quorum; DeCandia et al. 2007,
    section 4.6). Once ``w`` acknowledgements are in, the client reads from the three home
    replicas, no earlier than 50 ms after the partition heals, and returns the newest of
    the first ``r`` replies. A stand-in hands its write to the home replica at
    ``handoff_s`` (hinted handoff). Message delays are uniform in [10, 30] ms.

    With a strict quorum and ``r + w > 3`` the read always overlaps the write; a sloppy
    quorum breaks that overlap until the handoff: the checker may flag "read returned
    version 1 after version 2 was acknowledged (events i and j)".

    >>> sloppy_quorum_run(sloppy=False).violations
    []
    """
    from . import _validate
    from .runs import Network

    rr = _validate.count("r", r, 3)
    ww = _validate.count("w", w, 3)
    use_sloppy = _validate.flag("sloppy", sloppy)
    heal = _validate.number("heal_s", heal_s, 0, 5.0)
    handoff = _validate.number("handoff_s", handoff_s, 0, 5.0)
    homes = ["r1", "r2", "r3"]
    stand_in = {"r2": "h2", "r3": "h3"}

    class Client(Node):
        def start(self, net):
            self.state.update(acks=0, phase="writing v2")
            self.acked_by, self.replies, self.hinted = set(), [], set()
            for home in homes:
                net.send(self.name, home, "write v2", version=2)
            net.set_timer(self.name, 0.05, "missing acks")

        def timer(self, net, name):
            if name == "read":
                self.state["phase"] = "reading"
                net.changed(self.name, "reading from r1, r2, r3")
                for home in homes:
                    net.send(self.name, home, "read")
                return
            if self.state["phase"] != "writing v2":
                return
            for home in homes:
                if home in self.acked_by:
                    continue
                if use_sloppy and home in stand_in and home not in self.hinted:
                    self.hinted.add(home)
                    net.send(self.name, stand_in[home], f"write v2 (hint: {home})", version=2, home=home)
                elif not use_sloppy:
                    net.send(self.name, home, "write v2 (again)", version=2)
            if not use_sloppy:
                net.set_timer(self.name, 0.1, "missing acks")

        def receive(self, net, msg):
            if msg.label.startswith("ack") and self.state["phase"] == "writing v2":
                if msg.body["home"] in self.acked_by:  # a second ack for the same replica
                    return
                self.acked_by.add(msg.body["home"])
                if _count_ack(self, net, ww, "acknowledged"):
                    net.cancel_timer(self.name, "missing acks")
                    net.set_timer(self.name, max(0.0, heal + 0.05 - net.now), "read")
            elif msg.label.startswith("value") and self.state["phase"] == "reading":
                _take_reply(self, net, msg.body["version"], rr)

    class Replica(_Replica):
        def receive(self, net, msg):
            if msg.label.startswith("write"):
                if self.state["version"] < 2:
                    self.state["version"] = 2
                    net.changed(self.name, "stored v2" + (" (handed off)" if "handoff" in msg.label else ""))
                if "handoff" not in msg.label:
                    net.send(self.name, msg.src, "ack v2", home=self.name)
            else:
                net.send(self.name, msg.src, f"value v{self.state['version']}", version=self.state["version"])

    class StandIn(Node):
        def start(self, net):
            self.state.setdefault("hint", "-")

        def receive(self, net, msg):
            self.state.update(hint=f"v2 for {msg.body['home']}")
            net.changed(self.name, f"stored v2 with a hint for {msg.body['home']}")
            net.send(self.name, msg.src, "ack v2 (stand-in)", home=msg.body["home"])
            net.set_timer(self.name, max(0.0, handoff - net.now), "hand off")

        def timer(self, net, name):
            home = self.state["hint"].rsplit(" ", 1)[1]
            net.send(self.name, home, "write v2 (handoff)", version=2)
            self.state["hint"] = "-"
            net.changed(self.name, f"handed v2 to {home}")

    names = ["client", *homes, "h2", "h3"]
    cut = [("client", "r2", 0.0, heal), ("client", "r3", 0.0, heal)]
    net = Network(names, seed=seed, delay_s=(0.01, 0.03), drop=drop, partitions=cut, crashes=crashes)
    nodes = {"client": Client("client"), **{h: Replica(h) for h in homes}, "h2": StandIn("h2"),
             "h3": StandIn("h3")}
    kind = "sloppy quorum" if use_sloppy else "strict quorum"
    return net.run(nodes, until_s=max(heal, handoff) + 0.5, max_events=600, check=check_quorum_read,
                   title=f"Write in a partition, {kind}, W={ww}, R={rr}")


def read_repair_run(repair: bool = True, n: int = 3, w: int = 2, r: int = 2, seed: int = 1,
                    drop: tuple[int, ...] = (), loss: float = 0.0, crashes=()):
    """Read repair on a quorum store, as a recorded run: a stale replica is found by a
    read and, with ``repair``, brought up to date, so the next read no longer sees it.

    All ``n`` replicas hold version 1. The client writes version 2 to all of them, but the
    write to the last replica is lost (message m``n``), so it stays at version 1; the
    client waits for ``w`` acknowledgements (``w`` is 1 to ``n - 1``: the lost write is
    never acknowledged; ``n`` is 2 to 7, ``r`` 1 to ``n``). It then reads from all replicas and takes the
    newest of the first ``r`` replies (read 1). With ``repair``, every reply to read 1
    older than the newest one seen so far is answered with a "repair v2" write to that
    replica. 250 ms after the acknowledgement the client reads again, taking the first
    reply only (read 2). The stale replica is the client's nearest (the others are
    10 ms further away), so its reply arrives first. Message delays are uniform in
    [10, 30] ms; ``drop``, ``loss`` and ``crashes`` are as in :class:`scalelab.runs.Network`.

    Returns a :class:`scalelab.runs.Run` whose checker flags "read K returned version 1
    after version 2 was acknowledged (events i and j)".

    References
    ----------
    DeCandia et al. 2007 (Dynamo, section 5, read repair); Kleppmann 2017, ch. 5.

    >>> [v.text for v in read_repair_run(repair=False).violations]
    ['read 2 returned version 1 after version 2 was acknowledged (events 13 and 38)']
    >>> read_repair_run(repair=True).violations
    []
    """
    from . import _validate
    from .runs import Network

    fix = _validate.flag("repair", repair)
    size = _validate.count("n", n, 7, low=2)
    ww = _validate.count("w", w, size - 1)
    rr = _validate.count("r", r, size)
    names = [f"r{i + 1}" for i in range(size)]

    class Client(Node):
        def start(self, net):
            self.state.update(acks=0, phase="writing v2")
            self.replies = {1: [], 2: []}
            self.sources = []  # (replica, version) of read 1's replies not yet repaired
            for name in names:
                net.send(self.name, name, "write v2", version=2)

        def receive(self, net, msg):
            if msg.label.startswith("ack") and self.state["phase"] == "writing v2":
                if _count_ack(self, net, ww, "read 1"):
                    for name in names:
                        net.send(self.name, name, "read 1", read=1)
                    net.set_timer(self.name, 0.25, "read again")
            elif msg.label.startswith("value"):
                k, version = msg.body["read"], msg.body["version"]
                seen = self.replies[k]
                seen.append(version)
                if len(seen) == (rr if k == 1 else 1):
                    self.state["phase"] = f"read {k} got v{max(seen)}"
                    net.changed(self.name, f"read {k} returned version {max(seen)}")
                if k == 1 and fix and version < max(seen):
                    net.send(self.name, msg.src, f"repair v{max(seen)}", version=max(seen))
                if k == 1 and fix and version == max(seen) and len(seen) > 1:
                    for old_src, old_version in list(self.sources):
                        if old_version < version:
                            net.send(self.name, old_src, f"repair v{version}", version=version)
                            self.sources.remove((old_src, old_version))
                if k == 1:
                    self.sources.append((msg.src, version))

        def timer(self, net, name):
            self.state["phase"] = "read 2"
            for name_ in names:
                net.send(self.name, name_, "read 2", read=2)

    class Replica(_Replica):
        def receive(self, net, msg):
            if msg.label.startswith("write"):
                self.state["version"] = 2
                net.changed(self.name, "stored v2")
                net.send(self.name, "client", "ack v2")
            elif msg.label.startswith("repair"):
                if msg.body["version"] > self.state["version"]:
                    self.state["version"] = msg.body["version"]
                    net.changed(self.name, f"repaired to v{msg.body['version']}")
            else:
                net.send(self.name, "client", f"value v{self.state['version']} ({msg.label})",
                         version=self.state["version"], read=msg.body["read"])

    faults = (size, *drop) if isinstance(drop, (tuple, list)) else drop  # Network checks drop
    net = Network(["client", *names], seed=seed, delay_s=(0.01, 0.03), loss=loss, drop=faults,
                  link_delay_s=_nearest_last(names), crashes=crashes)
    nodes = {"client": Client("client"), **{name: Replica(name) for name in names}}
    return net.run(nodes, until_s=1.0, max_events=400, check=check_quorum_read,
                   title=f"Read repair {'on' if fix else 'off'}, N={size}, W={ww}, R={rr}")
