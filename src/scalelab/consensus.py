"""Agreement over unreliable links: the Two Generals' Problem and the FLP result.

* **Two Generals.** Two armies must attack together; their only link is messengers who
  cross a valley and are captured with probability ``loss``. Sending ``k`` copies of a
  message gets at least one through with probability ``1 - loss**k``: as close to 1 as
  you like, never equal to it. Acknowledging does not help either: whoever sends the
  last message of any exchange cannot know it arrived, so no finite protocol makes both
  generals *certain* (Akkoyunlu, Ekanadham and Huber 1975; Gray 1978).
* **FLP.** Fischer, Lynch and Paterson (1985) proved that on an asynchronous network,
  where messages may be delayed for any finite time, every deterministic protocol that
  never disagrees and tolerates one crash has a run (with no crash and every message
  delivered) that never decides. :func:`flp_run` runs two *naive* protocols that are
  not FLP's subject: one that waits for every process (a held-back message only delays
  it; it tolerates no crash) and one that stops waiting for a process (it can disagree,
  so it is no consensus protocol). The chapter uses them to show what FLP is not.
* **Raft leader election.** :func:`simulate_election` is a seeded SimPy model of Raft's
  election (Ongaro and Ousterhout 2014): terms, one vote per node per term, majorities,
  randomized timeouts, split votes and a crashed leader replaced. Equal timeouts on
  nodes started together split every vote for ever, FLP's non-deciding run made by
  symmetry; random ones end it.

References
----------
- E. A. Akkoyunlu, K. Ekanadham and R. V. Huber, "Some constraints and tradeoffs in the
  design of network communications", *SOSP* 1975.
- J. Gray, "Notes on data base operating systems", in *Operating Systems: An Advanced
  Course*, LNCS 60, Springer, 1978 (the generals' paradox).
- M. J. Fischer, N. A. Lynch and M. S. Paterson, "Impossibility of distributed consensus
  with one faulty process", *Journal of the ACM* 32(2):374-382, 1985.
- D. Ongaro and J. Ousterhout, "In search of an understandable consensus algorithm",
  *USENIX ATC* 2014.
- I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, ch. 3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from ._validate import at_least, count, flag, in_range, number, probability, scalar, seed as check_seed
from .palette import BLUE, INK, ORANGE, RED, TEAL

#: Most steps one FLP run may take (each step scans the messages in flight).
MAX_STEPS = 10_000
#: Most processes in an FLP run.
MAX_PROCESSES = 50
#: Most messengers or rounds in the explorer model.
MAX_MESSENGERS = 10_000

__all__ = [
    "two_generals_success",
    "messengers_needed",
    "chain_success",
    "two_generals_curves",
    "acknowledged_order_success",
    "ack_chain_curves",
    "acknowledgement_chain",
    "FlpResult",
    "flp_run",
    "flp_summary",
    "MAX_NODES",
    "MAX_DURATION_MS",
    "MAX_MESSAGES",
    "ElectionRun",
    "simulate_election",
    "election_timeline_curves",
    "election_statistics",
]


def two_generals_success(loss: ArrayLike, messengers: ArrayLike) -> float | np.ndarray:
    """Probability that at least one of ``messengers`` independent messengers gets through.

    Each messenger is captured with probability ``loss``, so all are captured with
    probability ``loss**messengers`` and at least one arrives with ``1 - loss**messengers``.

    Parameters
    ----------
    loss : probability that one messenger is captured, in [0, 1].
    messengers : messengers sent with the same message, >= 1.

    Returns
    -------
    Probability in [0, 1].

    References
    ----------
    Gorton 2022, ch. 3; Gray 1978.

    >>> two_generals_success(0.5, 3)
    0.875
    >>> two_generals_success(0.1, [1, 2])
    array([0.9 , 0.99])
    """
    p = probability("loss", loss)
    k = at_least("messengers", messengers, 1)
    return scalar(1.0 - p**k)


def messengers_needed(loss: float, target: float) -> int:
    """The fewest messengers that get at least one through with probability >= ``target``.

    Solves ``1 - loss**k >= target``: ``k = ceil(ln(1 - target) / ln(loss))``.

    Parameters
    ----------
    loss : capture probability, in (0, 1).
    target : wanted delivery probability, in (0, 1).

    >>> messengers_needed(0.3, 0.999)
    6
    """
    p = float(in_range("loss", loss, 0, 1, low_open=True, high_open=True, max_ndim=0))
    t = float(in_range("target", target, 0, 1, low_open=True, high_open=True, max_ndim=0))
    k = math.log(1.0 - t) / math.log(p)
    return max(1, math.ceil(k - 1e-12))


def chain_success(loss: ArrayLike, rounds: ArrayLike) -> float | np.ndarray:
    """Probability that a chain of ``rounds`` single messengers, sent one after another,
    all arrive (``rounds`` counts every messenger: the order is the first).

    Message, acknowledgement, acknowledgement of the acknowledgement...: each must
    arrive, so the chain completes with probability ``(1 - loss)**rounds``. Longer
    chains are *less* likely to complete, and even a complete one leaves its last
    sender unsure.

    >>> round(chain_success(0.1, 3), 3)
    0.729
    """
    p = probability("loss", loss)
    n = at_least("rounds", rounds, 0)
    return scalar((1.0 - p) ** n)


MESSENGER_AXIS = np.arange(1, 21)
ACK_AXIS = np.arange(0, 20)


def acknowledged_order_success(loss: ArrayLike, acknowledgements: ArrayLike) -> float | np.ndarray:
    """Probability that an order *and* ``acknowledgements`` acknowledgements after it all
    arrive: ``1 + acknowledgements`` single messengers must cross, so
    ``(1 - loss) ** (1 + acknowledgements)``.

    >>> round(acknowledged_order_success(0.3, 5), 4)  # six messengers: the order and five acks
    0.1176
    >>> round(acknowledged_order_success(0.3, 6), 4)  # seven messengers
    0.0824
    """
    n = at_least("acknowledgements", acknowledgements, 0, integer=True)
    return chain_success(loss, 1 + n)


def two_generals_curves(loss: float, messengers: int) -> dict:
    """Explorer model: probability that at least one of ``k`` copies of the order arrives,
    against ``k``, with the chosen count marked.

    (An acknowledgement chain is a different experiment with its own axis: see
    :func:`ack_chain_curves`.)

    >>> list(two_generals_curves(0.3, 4))
    ['at least one of k copies arrives', 'chosen k']
    """
    loss = float(probability("loss", loss, max_ndim=0))
    messengers = count("messengers", messengers, MAX_MESSENGERS)
    k = MESSENGER_AXIS
    return {
        "at least one of k copies arrives": (k, two_generals_success(loss, k)),
        "chosen k": dict(x=np.array([messengers]), y=np.array([two_generals_success(loss, messengers)]),
                         mode="markers", marker={"size": 12, "symbol": "diamond"}),
    }


def ack_chain_curves(loss: float, acknowledgements: int) -> dict:
    """Explorer model: probability that the order and ``j`` acknowledgements after it all
    arrive (``1 + j`` messengers, one after another), against ``j``, chosen ``j`` marked.

    >>> list(ack_chain_curves(0.3, 5))
    ['order + j acknowledgements all arrive', 'chosen j']
    """
    in_range("acknowledgements", acknowledgements, 0, integer=True, max_ndim=0)
    j = ACK_AXIS
    return {
        "order + j acknowledgements all arrive": (j, acknowledged_order_success(loss, j)),
        "chosen j": dict(x=np.array([acknowledgements]),
                         y=np.array([acknowledged_order_success(loss, acknowledgements)]),
                         mode="markers", marker={"size": 12, "symbol": "diamond"}),
    }


def _knowledge(level: int, receiver: str, other: str) -> str:
    """What the receiver of the ``level``-th message knows, as a sentence."""
    chain = f"{receiver} knows " + "".join(
        f"{(other, receiver)[i % 2]} knows " for i in range(level - 1)
    )
    return chain + "the plan"


def acknowledgement_chain(rounds: int, lost_at: int | None = None) -> "pd.DataFrame":
    """Step through the generals' acknowledgement protocol for ``rounds`` messages.

    General A sends "attack at dawn"; B acknowledges; A acknowledges the acknowledgement;
    and so on, alternating. Each row says who sent what, whether it arrived, what the
    receiver now knows, and what the sender cannot know. If ``lost_at`` is given, that
    message is captured and the exchange stops there.

    Parameters
    ----------
    rounds : messages in the exchange, >= 1.
    lost_at : the step (1-based) whose messenger is captured, or None.

    Returns
    -------
    DataFrame indexed by step.

    >>> t = acknowledgement_chain(3)
    >>> t.loc[3, "sender cannot know"]
    'whether B knows A knows B knows the plan'
    """
    import pandas as pd

    n = count("rounds", rounds, MAX_MESSENGERS)
    if lost_at is not None:
        lost_at = int(in_range("lost_at", lost_at, 1, n, integer=True, max_ndim=0))
    rows = []
    for step in range(1, n + 1):
        sender, receiver = ("A", "B") if step % 2 else ("B", "A")
        message = "attack at dawn" if step == 1 else "ack of step " + str(step - 1)
        arrived = step != lost_at
        learns = _knowledge(step, receiver, sender) if arrived else "nothing (the messenger was captured)"
        rows.append({
            "step": step,
            "from": sender,
            "to": receiver,
            "message": message,
            "arrived": arrived,
            "receiver now knows": learns,
            "sender cannot know": "whether " + _knowledge(step, receiver, sender),
        })
        if not arrived:
            break
    return pd.DataFrame(rows).set_index("step")


# --- FLP: a bounded demonstration of the dilemma --------------------------------------


@dataclass
class FlpResult:
    """The outcome of :func:`flp_run`."""

    protocol: str
    scheduler: str
    decisions: dict[str, int | None]
    steps: int
    in_flight: list[tuple[str, str]]
    log: list[str] = field(default_factory=list)

    @property
    def all_decided(self) -> bool:
        return all(v is not None for v in self.decisions.values())

    @property
    def agreement(self) -> bool:
        decided = {v for v in self.decisions.values() if v is not None}
        return len(decided) <= 1

    def __str__(self) -> str:
        shown = ", ".join(f"{p}={'undecided' if v is None else v}" for p, v in self.decisions.items())
        flight = ", ".join(f"{s}->{r}" for s, r in self.in_flight) or "none"
        verdict = ("agreement" if self.agreement else "DISAGREEMENT") if self.all_decided else "NO DECISION"
        return (f"{self.protocol}, {self.scheduler} scheduler, {self.steps} steps: {shown}. "
                f"Messages still in flight: {flight}. Outcome: {verdict}.")

    __repr__ = __str__


PROTOCOLS = ("wait for all", "wait for all but one")
SCHEDULERS = ("fair", "adversary")


def flp_run(protocol: str = "wait for all", scheduler: str = "adversary",
            values: tuple[int, ...] = (0, 1, 1), max_steps: int = 30) -> FlpResult:
    """Run a one-shot agreement protocol under a message scheduler, for at most ``max_steps``.

    Each process broadcasts its input value and decides the *smallest* value it has
    heard (its own included) once it has heard enough:

    - ``"wait for all"``: every process's value. Never disagrees, but a process that
      waits for a crashed one waits forever.
    - ``"wait for all but one"``: all values but one, so it tolerates one crash.

    At each step the scheduler delivers one message in flight. The ``"fair"`` scheduler
    delivers the oldest. The ``"adversary"`` may delay any message for any finite time,
    as an asynchronous network may. Against "wait for all" it delays the message from
    the last process to the first, so the first never decides (to it, that process is
    indistinguishable from one that crashed). Against "wait for all but one" it
    first lets processes holding 1 hear only each other until one decides 1, then
    delivers whichever message makes another process decide differently (with the
    minimum rule a split needs at least n - 1 inputs equal to 1). Both runs are bounded
    by ``max_steps``: the adversary's delay is finite, just longer than the run.

    Parameters
    ----------
    protocol : "wait for all" or "wait for all but one".
    scheduler : "fair" or "adversary".
    values : the processes' inputs, 0 or 1, at least 3 processes.
    max_steps : delivery steps before the run is cut off, >= 1.

    References
    ----------
    Fischer, Lynch and Paterson 1985 (the theorem; this is an illustration of its
    dilemma, not its proof).

    >>> print(flp_run("wait for all", "fair"))
    wait for all, fair scheduler, 6 steps: P1=0, P2=0, P3=0. Messages still in flight: none. Outcome: agreement.
    >>> flp_run("wait for all", "adversary").all_decided
    False
    >>> flp_run("wait for all but one", "adversary").agreement
    False
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {PROTOCOLS}, got {protocol!r}")
    if scheduler not in SCHEDULERS:
        raise ValueError(f"scheduler must be one of {SCHEDULERS}, got {scheduler!r}")
    vals = [int(v) for v in in_range("values", values, 0, 1, integer=True, max_ndim=1).ravel()]
    if len(vals) > MAX_PROCESSES:
        raise ValueError(f"values must hold at most {MAX_PROCESSES} processes' inputs, got {len(vals)}")
    if len(vals) < 3:
        raise ValueError(f"values must hold at least 3 processes' inputs, got {len(vals)}")
    limit = count("max_steps", max_steps, MAX_STEPS)

    names = [f"P{i + 1}" for i in range(len(vals))]
    value = dict(zip(names, vals))
    need = len(names) if protocol == "wait for all" else len(names) - 1
    heard = {p: {p: value[p]} for p in names}
    decided: dict[str, int | None] = {p: None for p in names}
    flight = [(s, r) for s in names for r in names if s != r]  # broadcast, in send order
    victim = (names[-1], names[0])
    log = [f"Start: inputs {', '.join(f'{p}={value[p]}' for p in names)}; "
           f"each process decides the minimum once it has heard {need} values."]

    def outcome_if(msg):
        s, r = msg
        if decided[r] is not None or len(heard[r]) + 1 < need:
            return None
        return min([*heard[r].values(), value[s]])

    steps = 0
    while steps < limit:
        if scheduler == "fair":
            candidates = flight[:1]
        elif protocol == "wait for all":
            candidates = [m for m in flight if m != victim][:1]
        else:
            made = {v for v in decided.values() if v is not None}
            split = [m for m in flight if made and outcome_if(m) is not None and outcome_if(m) not in made]
            if made:  # push the others towards a different value
                steer = [m for m in flight if value[m[0]] not in made]
            else:  # first let the 1s hear only 1s, so that someone decides 1
                steer = [m for m in flight if value[m[0]] == value[m[1]] == 1]
            candidates = (split or steer or flight)[:1]
        steps += 1
        if not candidates:
            log.append(f"Step {steps}: the adversary delays {victim[0]}->{victim[1]} once more.")
            continue
        msg = candidates[0]
        flight.remove(msg)
        s, r = msg
        if decided[r] is not None:
            log.append(f"Step {steps}: {s}->{r} delivered; {r} has already decided.")
        else:
            heard[r][s] = value[s]
            note = ""
            if len(heard[r]) >= need:
                decided[r] = min(heard[r].values())
                note = f"; {r} has heard {sorted(heard[r])} and decides {decided[r]}"
            log.append(f"Step {steps}: {s}->{r} delivered ({s}={value[s]}){note}.")
        if not flight:
            break
    return FlpResult(protocol, scheduler, decided, steps, list(flight), log)


def flp_summary(values: tuple[int, ...] = (0, 1, 1), max_steps: int = 20) -> "pd.DataFrame":
    """Both protocols under both schedulers, one row per run (see :func:`flp_run`).

    >>> flp_summary()["outcome"].tolist()
    ['agreement', 'NO DECISION', 'agreement', 'DISAGREEMENT']
    """
    import pandas as pd

    in_range("values", values, 0, 1, integer=True, max_ndim=1)
    count("max_steps", max_steps, MAX_STEPS)
    rows = []
    for protocol in PROTOCOLS:
        for scheduler in SCHEDULERS:
            r = flp_run(protocol, scheduler, values, max_steps)
            rows.append({
                "protocol": protocol,
                "scheduler": scheduler,
                "steps": r.steps,
                "decisions": ", ".join(f"{p}={'?' if v is None else v}" for p, v in r.decisions.items()),
                "still in flight": ", ".join(f"{s}->{t}" for s, t in r.in_flight) or "none",
                "outcome": ("agreement" if r.agreement else "DISAGREEMENT") if r.all_decided else "NO DECISION",
            })
    return pd.DataFrame(rows)


# --- Consensus that works: Raft-style leader election ---------------------------------

#: Largest cluster :func:`simulate_election` accepts.
MAX_NODES = 15
#: Longest simulated run, in simulated milliseconds.
MAX_DURATION_MS = 60_000.0
#: Most messages one run may send before it is refused as too large.
MAX_MESSAGES = 200_000
#: Most work :func:`election_statistics` does: seeds x spreads x limit_ms x nodes**2 (the default call's).
MAX_ELECTION_WORK = 125_000_000


@dataclass
class ElectionRun:
    """The outcome of :func:`simulate_election`.

    ``leaders`` maps each term to the nodes that became leader in it (Raft's election
    safety says at most one); ``spans`` lists ``(node, start_ms, end_ms, role, term)``
    for each stretch of time a node spent in one role; ``log`` says what happened.
    """

    nodes: int
    duration_ms: float
    leaders: dict[int, list[int]]
    candidates: dict[int, list[int]]
    spans: list[tuple[int, float, float, str, int]]
    log: list[str]
    events: list[tuple[float, int, str, int]]
    messages: int

    @property
    def max_leaders_per_term(self) -> int:
        return max((len(v) for v in self.leaders.values()), default=0)

    @property
    def split_votes(self) -> int:
        """Terms in which two or more nodes stood and none won."""
        return sum(1 for t, c in self.candidates.items() if len(c) >= 2 and not self.leaders.get(t))

    @property
    def terms_without_leader(self) -> int:
        return sum(1 for t in self.candidates if not self.leaders.get(t))

    @property
    def first_leader_ms(self) -> float | None:
        times = [t for t, _, kind, _ in self.events if kind == "leader"]
        return min(times) if times else None

    def __str__(self) -> str:
        elected = ", ".join(f"term {t}: node {v[0]}" for t, v in sorted(self.leaders.items()) if v) or "none"
        most = self.max_leaders_per_term
        safety = "no leader elected" if most == 0 else f"at most {most} leader{'s' if most > 1 else ''} per term"
        return (f"{self.nodes} nodes, {self.duration_ms:g} ms: {len(self.candidates)} terms, "
                f"{self.split_votes} split vote{'' if self.split_votes == 1 else 's'}; leaders {elected}; {safety}.")

    __repr__ = __str__


def simulate_election(
    nodes: int = 5,
    timeout_min_ms: float = 150.0,
    timeout_spread_ms: float = 150.0,
    heartbeat_ms: float = 50.0,
    delay_ms: tuple[float, float] = (5.0, 15.0),
    loss: float = 0.0,
    crash_leader_at_ms: float | None = None,
    recover_after_ms: float | None = None,
    duration_ms: float = 2000.0,
    seed: int = 0,
    stop_at_first_leader: bool = False,
) -> ElectionRun:
    """Simulate Raft's leader election (no log replication) with SimPy.

    Every node starts as a follower with an election timer drawn uniformly from
    ``[timeout_min_ms, timeout_min_ms + timeout_spread_ms]``, drawn afresh each time the
    timer is reset. A follower whose timer fires starts a new term: it becomes a
    candidate, votes for itself and asks every other node for its vote. A node grants
    at most one vote per term (to the first candidate that asks) and resets its timer
    when it does. A candidate with votes from a majority becomes leader and sends
    heartbeats every ``heartbeat_ms``; a node that hears a heartbeat of the current or a
    later term follows that leader and resets its timer. Any message with a later term
    makes its receiver adopt the term and become a follower. Terms and votes survive a
    crash (Raft keeps them on disk). Each message takes a delay drawn uniformly from
    ``delay_ms`` and is lost with probability ``loss``.

    If ``crash_leader_at_ms`` is set, the node leading at that moment crashes (drops
    every message and timer); after ``recover_after_ms`` more it restarts as a follower.

    Parameters
    ----------
    nodes : cluster size, in [1, MAX_NODES].
    timeout_min_ms : shortest election timeout, ms, > 0.
    timeout_spread_ms : width of the random range of timeouts, ms, >= 0 (0: all equal).
    heartbeat_ms : leader's heartbeat interval, ms, > 0 (Raft wants it well below the
        election timeout).
    delay_ms : (shortest, longest) one-way message delay, ms, 0 < shortest <= longest.
    loss : probability that a message is lost, in [0, 1).
    crash_leader_at_ms : when the current leader crashes, ms, or None.
    recover_after_ms : how long the crashed node stays down, ms, or None (for good).
    duration_ms : simulated time, ms, in (0, MAX_DURATION_MS].
    seed : seed of the random generator; a run is fully determined by its arguments.
    stop_at_first_leader : end the run as soon as a leader is elected.

    Returns
    -------
    ElectionRun.

    References
    ----------
    D. Ongaro and J. Ousterhout, "In search of an understandable consensus algorithm",
    *USENIX ATC* 2014, sec. 5.2 (leader election, randomized timeouts of 150-300 ms) and
    Figure 2 (the RequestVote rules).

    >>> run = simulate_election(seed=1)
    >>> run.max_leaders_per_term, run.first_leader_ms is not None
    (1, True)
    >>> simulate_election(timeout_spread_ms=0, duration_ms=1000).leaders
    {}
    """
    import simpy

    n = count("nodes", nodes, MAX_NODES)
    t_min = number("timeout_min_ms", timeout_min_ms, 0, MAX_DURATION_MS, low_open=True)
    spread = number("timeout_spread_ms", timeout_spread_ms, 0, MAX_DURATION_MS)
    beat = number("heartbeat_ms", heartbeat_ms, 0, MAX_DURATION_MS, low_open=True)
    delays = in_range("delay_ms", delay_ms, 0, MAX_DURATION_MS, low_open=True, max_ndim=1)
    if delays.shape != (2,):
        raise ValueError(f"delay_ms must be (shortest, longest), two numbers, got {delay_ms!r}")
    d_lo, d_hi = (float(v) for v in delays)
    if d_lo > d_hi:
        raise ValueError(f"delay_ms must be (shortest, longest) with shortest <= longest, got {tuple(delay_ms)!r}")
    p_loss = float(probability("loss", loss, open_high=True, max_ndim=0))
    crash_at = None if crash_leader_at_ms is None else number("crash_leader_at_ms", crash_leader_at_ms, 0,
                                                              MAX_DURATION_MS)
    down = None if recover_after_ms is None else number("recover_after_ms", recover_after_ms, 0, MAX_DURATION_MS,
                                                        low_open=True)
    horizon = number("duration_ms", duration_ms, 0, MAX_DURATION_MS, low_open=True)
    check_seed("seed", seed)
    flag("stop_at_first_leader", stop_at_first_leader)
    if (n - 1) * horizon / beat > MAX_MESSAGES / 2:
        raise ValueError(f"a leader would send about {(n - 1) * horizon / beat:.0f} heartbeats, more than "
                         f"MAX_MESSAGES / 2 = {MAX_MESSAGES // 2}; shorten duration_ms or lengthen heartbeat_ms")

    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    ids = list(range(1, n + 1))
    majority = n // 2 + 1
    term = {i: 0 for i in ids}
    voted: dict[int, int | None] = {i: None for i in ids}
    role = {i: "follower" for i in ids}
    votes: dict[int, set[int]] = {i: set() for i in ids}
    timer_gen = {i: 0 for i in ids}
    since = {i: 0.0 for i in ids}
    spans: list[tuple[int, float, float, str, int]] = []
    leaders: dict[int, list[int]] = {}
    candidates: dict[int, list[int]] = {}
    log: list[str] = []
    events: list[tuple[float, int, str, int]] = []
    sent = [0]
    done = env.event()

    def note(node: int, kind: str, text: str) -> None:
        events.append((env.now, node, kind, term[node]))
        log.append(f"{env.now:7.1f} ms  node {node} {text}")

    def set_role(node: int, new: str) -> None:
        if role[node] != new:
            spans.append((node, since[node], env.now, role[node], term[node]))
            since[node] = env.now
            role[node] = new

    def send(src: int, dst: int, handler, *args) -> None:
        sent[0] += 1
        if sent[0] > MAX_MESSAGES:
            raise ValueError(f"the run sent more than MAX_MESSAGES = {MAX_MESSAGES} messages; "
                             "shorten duration_ms or lengthen heartbeat_ms")
        if rng.random() < p_loss:
            return
        env.process(_deliver(d_lo + (d_hi - d_lo) * rng.random(), dst, handler, args))

    def _deliver(delay, dst, handler, args):
        yield env.timeout(delay)
        if role[dst] != "crashed":
            handler(dst, *args)

    def reset_timer(node: int) -> None:
        timer_gen[node] += 1
        env.process(_timer(node, timer_gen[node], t_min + spread * rng.random()))

    def _timer(node, gen, wait):
        yield env.timeout(wait)
        if gen == timer_gen[node] and role[node] != "crashed":
            on_timeout(node)

    def adopt(node: int, new_term: int) -> None:
        if new_term > term[node]:
            was = role[node]
            set_role(node, "follower")  # the span just closed keeps the old term
            term[node], voted[node] = new_term, None
            if was in ("leader", "candidate"):
                note(node, "step down", f"sees term {new_term} and steps down to follower")

    def on_timeout(node: int) -> None:
        if role[node] == "leader":
            reset_timer(node)
            return
        if role[node] == "candidate":  # a candidate standing again: close its last term's span
            spans.append((node, since[node], env.now, "candidate", term[node]))
            since[node] = env.now
        set_role(node, "candidate")
        term[node] += 1
        voted[node], votes[node] = node, {node}
        candidates.setdefault(term[node], []).append(node)
        note(node, "candidate", f"times out and stands for term {term[node]}")
        reset_timer(node)
        if len(votes[node]) >= majority:
            become_leader(node)
        for other in ids:
            if other != node:
                send(node, other, on_request_vote, term[node], node)

    def on_request_vote(node: int, t: int, cand: int) -> None:
        adopt(node, t)
        grant = t == term[node] and voted[node] in (None, cand)
        if grant and voted[node] is None:
            voted[node] = cand
            reset_timer(node)
            note(node, "vote", f"votes for node {cand} in term {t}")
        send(node, cand, on_vote, term[node], node, grant)

    def on_vote(node: int, t: int, voter: int, granted: bool) -> None:
        adopt(node, t)
        if role[node] == "candidate" and t == term[node] and granted:
            votes[node].add(voter)
            if len(votes[node]) >= majority:
                become_leader(node)

    def become_leader(node: int) -> None:
        set_role(node, "leader")
        leaders.setdefault(term[node], []).append(node)
        note(node, "leader", f"has {len(votes[node])} of {n} votes: leader of term {term[node]}")
        env.process(_heartbeats(node, term[node]))
        if stop_at_first_leader and not done.triggered:
            done.succeed()

    def _heartbeats(node, t):
        while role[node] == "leader" and term[node] == t:
            for other in ids:
                if other != node:
                    send(node, other, on_heartbeat, t, node)
            yield env.timeout(beat)

    def on_heartbeat(node: int, t: int, leader: int) -> None:
        if t < term[node]:
            send(node, leader, on_heartbeat_reply, term[node])  # tells a stale leader
            return
        if t > term[node] and role[node] == "follower":
            note(node, "follow", f"hears leader {leader} of term {t} and follows it")
        adopt(node, t)
        if role[node] == "candidate":
            note(node, "step down", f"hears leader {leader} of term {t} and steps down")
        set_role(node, "follower")
        reset_timer(node)

    def on_heartbeat_reply(node: int, t: int) -> None:
        adopt(node, t)

    def _crash():
        yield env.timeout(crash_at)
        current = [i for i in ids if role[i] == "leader"]
        if not current:
            log.append(f"{env.now:7.1f} ms  no leader to crash")
            return
        victim = max(current, key=lambda i: term[i])
        note(victim, "crash", "(the leader) crashes")
        set_role(victim, "crashed")
        if down is not None:
            yield env.timeout(down)
            set_role(victim, "follower")
            note(victim, "recover", f"restarts as a follower, still in term {term[victim]}")
            reset_timer(victim)

    for i in ids:
        reset_timer(i)
    if crash_at is not None:
        env.process(_crash())
    env.run(until=env.any_of([done, env.timeout(horizon)]))
    end = env.now
    for i in ids:
        spans.append((i, since[i], end, role[i], term[i]))
    spans = [s for s in spans if s[2] > s[1]]
    return ElectionRun(n, end, leaders, candidates, sorted(spans), log, events, sent[0])


ROLE_STYLE = {
    "follower": {"color": BLUE, "width": 4},
    "candidate": {"color": ORANGE, "width": 8},
    "leader": {"color": TEAL, "width": 12},
    "crashed": {"color": RED, "width": 4},
}


def election_timeline_curves(seed: int, timeout_spread_ms: float, nodes: int = 5,
                             crash_leader_at_ms: float = 1000.0, recover_after_ms: float = 500.0,
                             duration_ms: float = 2000.0) -> dict:
    """Explorer model: each node's role over time in one :func:`simulate_election` run.

    One horizontal band per node, coloured by role (follower, candidate, leader,
    crashed); markers where a node stands for election and where one is elected. The
    current leader crashes at ``crash_leader_at_ms`` and restarts ``recover_after_ms``
    later.

    Arguments as in :func:`simulate_election` (here the crash time and the downtime are numbers, not None).

    >>> list(election_timeline_curves(0, 150))
    ['follower', 'candidate', 'leader', 'crashed', 'stands for election', 'elected leader']
    """
    run = _timeline_run(seed, timeout_spread_ms, nodes, crash_leader_at_ms, recover_after_ms, duration_ms)
    curves = {}
    for name, style in ROLE_STYLE.items():
        xs, ys = [], []
        for node, start, end, r, _ in run.spans:
            if r == name:
                xs += [start, end, np.nan]
                ys += [node, node, np.nan]
        curves[name] = dict(x=np.array(xs or [np.nan]), y=np.array(ys or [np.nan]), mode="lines",
                            line=style, connectgaps=False)
    for name, kind, symbol in (("stands for election", "candidate", "circle"),
                               ("elected leader", "leader", "star")):
        pts = [(t, node) for t, node, k, _ in run.events if k == kind]
        curves[name] = dict(x=np.array([p[0] for p in pts] or [np.nan]), y=np.array([p[1] for p in pts] or [np.nan]),
                            mode="markers", marker={"size": 11, "symbol": symbol, "color": "white",
                                                    "line": {"color": INK, "width": 1.5}})
    return curves


def _timeline_run(seed: int, timeout_spread_ms: float, nodes: int, crash_leader_at_ms: float,
                  recover_after_ms: float, duration_ms: float) -> ElectionRun:
    number("crash_leader_at_ms", crash_leader_at_ms, 0, MAX_DURATION_MS)  # a number here (None: no crash, is
    number("recover_after_ms", recover_after_ms, 0, MAX_DURATION_MS, low_open=True)  # simulate_election's)
    return simulate_election(nodes, timeout_spread_ms=timeout_spread_ms, crash_leader_at_ms=crash_leader_at_ms,
                             recover_after_ms=recover_after_ms, duration_ms=duration_ms, seed=seed)


def election_summary(seed: int, timeout_spread_ms: float, nodes: int = 5, crash_leader_at_ms: float = 1000.0,
                     recover_after_ms: float = 500.0, duration_ms: float = 2000.0) -> str:
    """What :func:`election_timeline_curves` draws, in words (the figure's text
    alternative): who is elected leader and when, the crash and the restart, and how many
    terms ended in a split vote.

    Parameters
    ----------
    seed, timeout_spread_ms, nodes, crash_leader_at_ms, recover_after_ms, duration_ms :
        as in :func:`election_timeline_curves` (and :func:`simulate_election`, which checks
        their ranges): times in milliseconds.

    Returns
    -------
    str
        The elections (node, time in ms, term), the crash and restart (or that no node
        leads when the crash is due, so none crashes), in time order, then the number of
        split votes.

    >>> election_summary(1, 150)
    'Node 3 is elected leader at 188 ms (term 1); node 3 crashes at 1,000 ms; node 4 is elected leader at 1,359 ms (term 3); node 3 restarts at 1,500 ms. 1 term ended in a split vote.'
    """
    run = _timeline_run(seed, timeout_spread_ms, nodes, crash_leader_at_ms, recover_after_ms, duration_ms)
    said = {"leader": "node {n} is elected leader at {t} ms (term {term})", "crash": "node {n} crashes at {t} ms",
            "recover": "node {n} restarts at {t} ms"}
    timed = [(t, said[k].format(n=node, t=f"{t:,.0f}", term=term)) for t, node, k, term in run.events if k in said]
    if crash_leader_at_ms < run.duration_ms and not any(k == "crash" for _, _, k, _ in run.events):
        timed.append((crash_leader_at_ms, f"no node leads at {crash_leader_at_ms:,.0f} ms, so none crashes"))
    steps = [text for _, text in sorted(timed, key=lambda step: step[0])]
    if not run.leaders:
        steps.insert(0, f"no leader is elected in {run.duration_ms:,.0f} ms")
    splits = run.split_votes
    text = "; ".join(steps) + ". " + ("No term" if splits == 0 else f"{splits} {'term' if splits == 1 else 'terms'}")
    text += " ended in a split vote."
    return text[0].upper() + text[1:]


def election_statistics(spreads_ms=(0, 5, 25, 75, 150), seeds: int = 200, nodes: int = 5,
                        timeout_min_ms: float = 150.0, limit_ms: float = 5000.0) -> "pd.DataFrame":
    """How randomizing the election timeout lets a fresh cluster elect its first leader.

    For each timeout spread, ``seeds`` runs of :func:`simulate_election` (seeds
    ``0 .. seeds - 1``), each stopped at its first leader or at ``limit_ms``. Columns:
    the share of runs with a leader by ``limit_ms``, the median and 90th percentile time
    to the first leader, the mean number of split votes before it, and the most leaders
    seen in any one term. ``seeds`` is a whole number in [1, 2,000]; ``spreads_ms`` holds
    at most 20 spreads; ``nodes``, ``timeout_min_ms`` and ``limit_ms`` (the run's
    ``duration_ms``) are as in :func:`simulate_election`; and the work, ``seeds x
    len(spreads_ms) x limit_ms x nodes**2``, is at most ``MAX_ELECTION_WORK`` (the
    default call's, 1.25e8), so that no call runs for minutes.

    >>> table = election_statistics(spreads_ms=(0, 150), seeds=5, limit_ms=1000)
    >>> table["runs with a leader"].tolist()
    [0.0, 1.0]
    """
    import pandas as pd

    k = count("seeds", seeds, 2000)
    spreads_ms = in_range("spreads_ms", spreads_ms, 0, MAX_DURATION_MS, max_ndim=1).ravel().tolist()
    if len(spreads_ms) > 20:
        raise ValueError(f"spreads_ms must hold at most 20 spreads, got {len(spreads_ms)}")
    n = count("nodes", nodes, MAX_NODES)
    number("timeout_min_ms", timeout_min_ms, 0, MAX_DURATION_MS, low_open=True)
    limit = number("limit_ms", limit_ms, 0, MAX_DURATION_MS, low_open=True)
    work = k * len(spreads_ms) * limit * n**2
    if work > MAX_ELECTION_WORK:
        raise ValueError(f"seeds x len(spreads_ms) x limit_ms x nodes**2 must be <= {MAX_ELECTION_WORK:g} "
                         f"(the default's), got {work:g} (seeds={seeds!r}, limit_ms={limit_ms!r}, nodes={nodes!r})")
    rows = []
    for spread in spreads_ms:
        runs = [simulate_election(nodes, timeout_min_ms, spread, duration_ms=limit_ms, seed=s,
                                  stop_at_first_leader=True) for s in range(k)]
        times = np.array([r.first_leader_ms for r in runs if r.first_leader_ms is not None])
        rows.append({
            "timeout range (ms)": f"{timeout_min_ms:g}-{timeout_min_ms + spread:g}",
            "runs with a leader": len(times) / k,
            "median ms to first leader": float(np.median(times)) if times.size else np.nan,
            "90th percentile ms": float(np.percentile(times, 90)) if times.size else np.nan,
            "mean split votes before a leader": float(np.mean([r.split_votes for r in runs])),
            "most leaders in a term": max(r.max_leaders_per_term for r in runs),
        })
    return pd.DataFrame(rows).set_index("timeout range (ms)")


# --- Raft-style leader election as a recorded run (scalelab.runs) ---------------------


def raft_election_run(n: int = 3, seed: int = 0, timeout_ms: tuple[float, float] = (150.0, 300.0),
                      heartbeat_ms: float = 100.0, crash_leader_at_s: float | None = None,
                      restart_after_s: float | None = 0.4, until_s: float = 1.5, drop: tuple[int, ...] = (),
                      loss: float = 0.0, crashes=()):
    """Raft's leader election (Ongaro and Ousterhout 2014, section 5.2) on ``n`` nodes.

    Every node starts as a follower in term 0 with an election timer drawn uniformly
    from ``timeout_ms`` (its own seeded draw each time it is reset). When the timer fires
    the node becomes a candidate: it increments its term, votes for itself and asks the
    others for their votes. A node grants one vote per term (first come, first served)
    and moves to any higher term it sees, stepping down to follower; a candidate with
    votes from a majority becomes leader and sends heartbeats every ``heartbeat_ms``,
    which reset the followers' timers. The term and the vote are kept on disk: a node
    that crashes and restarts remembers them. Message delays are uniform in [5, 15] ms.

    ``crash_leader_at_s`` crashes whichever node leads at that time (found by running the
    same seed without the crash), restarting it ``restart_after_s`` later (None: never).
    ``timeout_ms=(150, 150)`` gives every node the same timeout: candidates then start
    together, split the vote, and (without loss) do so again in every term.

    Returns a :class:`scalelab.runs.Run`; its violations say "two leaders in term T
    (events i and j)" if two nodes ever lead in the same term (Raft's Election Safety).

    >>> run = raft_election_run(seed=0)
    >>> [e.label for e in run.events if e.label.startswith("leader")][:1]
    ['leader of term 1']
    >>> run.violations
    []
    """
    from . import _validate
    from .runs import Network, Node

    size = _validate.count("n", n, 7, low=2)
    if not isinstance(timeout_ms, (tuple, list)) or len(timeout_ms) != 2:
        raise ValueError(f"timeout_ms must be a pair (low, high) in ms, got {timeout_ms!r}")
    t_lo = _validate.number("timeout_ms low", timeout_ms[0], 10.0, 10_000.0)
    t_hi = _validate.number("timeout_ms high", timeout_ms[1], t_lo, 10_000.0)
    beat = _validate.number("heartbeat_ms", heartbeat_ms, 1.0, t_lo)
    until = _validate.number("until_s", until_s, 0, 30.0, low_open=True)
    base_seed = _validate.seed("seed", seed)
    names = [f"n{i + 1}" for i in range(size)]
    majority = size // 2 + 1
    crash_list = list(crashes)
    pause = None if restart_after_s is None else _validate.number("restart_after_s", restart_after_s, 0, until,
                                                                   low_open=True)
    if crash_leader_at_s is not None:
        at = _validate.number("crash_leader_at_s", crash_leader_at_s, 0, until, high_open=True)
        back = None if pause is None else at + pause
        if back is not None and back >= until:
            raise ValueError(f"restart_after_s: the restart at {back!r} s is after the run ends (until_s={until!r})")
        first = raft_election_run(size, seed, timeout_ms, heartbeat_ms, None, None, until_s, drop, loss, crashes)
        leader = None
        for e in first.events:
            if e.time_s > at:
                break
            if e.kind == "state" and e.label.startswith("leader of term"):
                leader = e.node
            elif e.kind == "state" and e.node == leader and not e.state.startswith("role=leader"):
                leader = None
        if leader is not None:
            crash_list.append((leader, at, back))

    class Raft(Node):
        durable = ("term", "voted_for")

        def __init__(self, name, index):
            super().__init__(name)
            self.rng = np.random.default_rng([base_seed, index])

        def start(self, net):
            self.state.setdefault("term", 0)
            self.state.setdefault("voted_for", "-")
            self.state["role"] = "follower"
            self.state = {"role": self.state["role"], "term": self.state["term"], "voted_for": self.state["voted_for"]}
            self.votes = set()
            self._arm(net)

        def _arm(self, net):
            net.set_timer(self.name, float(self.rng.uniform(t_lo, t_hi)) / 1000, "election timeout")

        def _see_term(self, net, term):
            if term > self.state["term"]:
                self.state.update(role="follower", term=term, voted_for="-")
                net.changed(self.name, f"term {term}: follower")
                net.cancel_timer(self.name, "heartbeat")
                self._arm(net)

        def timer(self, net, name):
            if name == "heartbeat":
                if self.state["role"] == "leader":
                    for other in names:
                        if other != self.name:
                            net.send(self.name, other, f"heartbeat t{self.state['term']}", term=self.state["term"])
                    net.set_timer(self.name, beat / 1000, "heartbeat")
                return
            if self.state["role"] == "leader":
                return
            term = self.state["term"] + 1
            self.state.update(role="candidate", term=term, voted_for=self.name)
            self.votes = {self.name}
            net.changed(self.name, f"candidate in term {term}")
            for other in names:
                if other != self.name:
                    net.send(self.name, other, f"vote for me? t{term}", term=term)
            self._arm(net)

        def receive(self, net, msg):
            term = msg.body["term"]
            self._see_term(net, term)
            me = self.state
            if msg.label.startswith("vote for me"):
                granted = term == me["term"] and me["voted_for"] in ("-", msg.src)
                if granted:
                    me["voted_for"] = msg.src
                    net.changed(self.name, f"voted for {msg.src} in term {term}")
                    self._arm(net)
                net.send(self.name, msg.src, f"{'yes' if granted else 'no'} t{me['term']}", term=me["term"],
                         granted=granted)
            elif msg.label.startswith(("yes", "no")):
                if me["role"] == "candidate" and term == me["term"] and msg.body["granted"]:
                    self.votes.add(msg.src)
                    if len(self.votes) >= majority:
                        me["role"] = "leader"
                        net.cancel_timer(self.name, "election timeout")
                        net.changed(self.name, f"leader of term {term}")
                        self.timer(net, "heartbeat")
            elif msg.label.startswith("heartbeat"):
                if term == me["term"]:
                    if me["role"] != "follower":
                        me["role"] = "follower"
                        net.changed(self.name, f"follower of {msg.src} in term {term}")
                    self._arm(net)

    net = Network(names, seed=base_seed, delay_s=(0.005, 0.015), loss=loss, drop=drop, crashes=crash_list)
    nodes = {name: Raft(name, i) for i, name in enumerate(names)}
    spread = "equal timeouts" if t_lo == t_hi else f"timeouts {t_lo:g}-{t_hi:g} ms"
    crashed = f", leader crashed at {crash_leader_at_s:g} s" if crash_leader_at_s is not None else ""
    return net.run(nodes, until_s=until, max_events=2_000, check=check_one_leader_per_term,
                   title=f"Raft election, {size} nodes, {spread}{crashed}")


def check_one_leader_per_term(events) -> list:
    """Raft's Election Safety: at most one leader per term. Returns a violation naming the
    events where a second node became leader of a term that already had one."""
    from .runs import Violation

    leaders: dict[int, tuple[str, int]] = {}
    out = []
    for e in events:
        if e.kind == "state" and e.label.startswith("leader of term "):
            term = int(e.label.rsplit(" ", 1)[1])
            if term in leaders and leaders[term][0] != e.node:
                out.append(Violation(f"two leaders in term {term} (events {leaders[term][1]} and {e.index})",
                                     (leaders[term][1], e.index)))
            leaders.setdefault(term, (e.node, e.index))
    return out


def two_generals_run(rounds: int = 3, loss: float = 0.0, drop: tuple[int, ...] = (), seed: int = 0,
                     crashes=()):
    """The Two Generals' messengers as a recorded run: a chain of ``rounds`` messages.

    General A sends the order "attack at dawn" (message 1); each general answers every
    message of the chain with the next acknowledgement, up to ``rounds`` messages in all.
    At dawn (2 s, after the longest chain allowed has arrived) each general attacks if it has received every message of the chain
    that was addressed to it, and holds otherwise. Whoever sends the last message cannot
    know that it arrived, so dropping it (``drop=(rounds,)``) makes the sender attack
    alone, whatever ``rounds`` is. Messages take 100 to 200 ms and are lost with
    probability ``loss``.

    Returns a :class:`scalelab.runs.Run`; its checker flags "A attacks alone (event i)"
    (or B) when exactly one general attacks.

    >>> [v.text for v in two_generals_run(rounds=3, drop=(3,)).violations]
    ['A attacks alone (event 9)']
    >>> two_generals_run(rounds=3).violations
    []
    """
    from . import _validate
    from .runs import Network, Node, Violation

    chain = _validate.count("rounds", rounds, 8)

    class General(Node):
        def start(self, net):
            self.state.update(received=0, plan="hold")
            self.expected = [k for k in range(1, chain + 1) if (k % 2 == 1) == (self.name == "B")]
            if self.name == "A":
                net.send("A", "B", "attack at dawn", k=1)
            net.set_timer(self.name, 2.0, "dawn")

        def receive(self, net, msg):
            k = msg.body["k"]
            self.state["received"] = max(self.state["received"], k)
            net.changed(self.name)
            if k < chain:
                net.send(self.name, msg.src, f"ack {k}", k=k + 1)

        def timer(self, net, name):
            ready = all(k <= self.state["received"] for k in self.expected) and (
                self.name == "A" or self.state["received"] >= 1)
            self.state["plan"] = "attack" if ready else "hold"
            net.changed(self.name, "attacks" if ready else "holds")

    def check(events):
        plans = {e.node: (e.label, e.index) for e in events if e.kind == "state" and e.label in ("attacks", "holds")}
        attackers = [n for n, (what, _) in plans.items() if what == "attacks"]
        if len(attackers) == 1:
            return [Violation(f"{attackers[0]} attacks alone (event {plans[attackers[0]][1]})",
                              (plans[attackers[0]][1],))]
        return []

    net = Network(["A", "B"], seed=seed, delay_s=(0.1, 0.2), loss=loss, drop=drop, crashes=crashes)
    return net.run({"A": General("A"), "B": General("B")}, until_s=2.5, max_events=400, check=check,
                   title=f"Two Generals, a chain of {chain} messages")
