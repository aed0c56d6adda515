"""Agreement over unreliable links: the Two Generals' Problem and the FLP result.

* **Two Generals.** Two armies must attack together; their only link is messengers who
  cross a valley and are captured with probability ``loss``. Sending ``k`` copies of a
  message gets at least one through with probability ``1 - loss**k``: as close to 1 as
  you like, never equal to it. Acknowledging does not help either: whoever sends the
  last message of any exchange cannot know it arrived, so no finite protocol makes both
  generals *certain* (Akkoyunlu, Ekanadham and Huber 1975; Gray 1978).
* **FLP.** Fischer, Lynch and Paterson (1985) proved that on an asynchronous network,
  where messages may be delayed for any finite time, no deterministic protocol can
  guarantee that processes reach agreement if even one of them may crash. The
  demonstration here (:func:`flp_run`) shows the dilemma behind the proof on two simple
  protocols: one that waits for every process is stalled forever by one delayed
  message; one that stops waiting for a process can be led into disagreement.

References
----------
- E. A. Akkoyunlu, K. Ekanadham and R. V. Huber, "Some constraints and tradeoffs in the
  design of network communications", *SOSP* 1975.
- J. Gray, "Notes on data base operating systems", in *Operating Systems: An Advanced
  Course*, LNCS 60, Springer, 1978 (the generals' paradox).
- M. J. Fischer, N. A. Lynch and M. S. Paterson, "Impossibility of distributed consensus
  with one faulty process", *Journal of the ACM* 32(2):374-382, 1985.
- I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, ch. 3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from ._validate import at_least, count, in_range, number, probability, scalar

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
    "acknowledgement_chain",
    "FlpResult",
    "flp_run",
    "flp_summary",
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
    """Probability that an acknowledgement chain of ``rounds`` single messengers all arrive.

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


def two_generals_curves(loss: float, messengers: int) -> dict:
    """Explorer model: delivery probability against messengers sent, with the chosen
    count marked, and the probability that an acknowledgement chain that long completes.

    >>> list(two_generals_curves(0.3, 4))
    ['at least one of k messengers arrives', 'a chain of k acknowledgements completes', 'chosen k']
    """
    loss = float(probability("loss", loss, max_ndim=0))
    messengers = count("messengers", messengers, MAX_MESSENGERS)
    k = MESSENGER_AXIS
    return {
        "at least one of k messengers arrives": (k, two_generals_success(loss, k)),
        "a chain of k acknowledgements completes": (k, chain_success(loss, k)),
        "chosen k": dict(x=np.array([messengers]), y=np.array([two_generals_success(loss, messengers)]),
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
    minimum rule a split needs at least n - 1 inputs equal to 1). Both runs are bounded by ``max_steps``: the adversary's delay is finite, just
    longer than the run.

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
