"""Recorded runs of small protocols on a simulated network, event by event.

A protocol is a set of *nodes*, each a small object with handlers (``start``, ``receive``,
``timer``, ``restart``) that send messages, set timers and change their visible state
through the :class:`Network`. The network is a SimPy model: every message gets a seeded
delay, and may be lost, duplicated, delayed extra (so it overtakes later ones: reordering),
cut by a partition between two nodes for an interval, or dropped on purpose ("drop message
3"); nodes crash and restart at given times. Everything that happens is recorded as an
:class:`Event` with its simulated time, so a run can be printed, drawn and stepped through.

The same protocol, parameters and seed give the same run in any process: the only
randomness is one ``numpy`` generator, drawn in the deterministic order SimPy runs events.
Every run is bounded in events (``max_events``) and simulated time (``until_s``).

>>> from scalelab.runs import Network, Node
>>> class Echo(Node):
...     def start(self, net):
...         if self.name == "a":
...             net.send(self.name, "b", "ping")
...     def receive(self, net, msg):
...         if msg.label == "ping":
...             net.send(self.name, msg.src, "pong")
>>> run = Network(["a", "b"], seed=1).run({"a": Echo("a"), "b": Echo("b")}, until_s=1.0)
>>> print(run.trace())
#0 t=0.000 a send m1 ping -> b
#1 t=0.015 b deliver m1 ping <- a
#2 t=0.015 b send m2 pong -> a
#3 t=0.028 a deliver m2 pong <- b
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from . import _validate

__all__ = ["Event", "Message", "Violation", "Run", "Node", "Network", "EVENT_KINDS", "MAX_EVENTS",
           "MAX_NODES", "MAX_TIME_S"]

#: Kinds of recorded event.
EVENT_KINDS = ("send", "deliver", "drop", "timer", "crash", "restart", "state")
#: Most events one run may record (a run that would record more is cut there, and says so).
MAX_EVENTS = 5_000
#: Most nodes in one run.
MAX_NODES = 12
#: Longest simulated time one run may cover, in seconds.
MAX_TIME_S = 3_600.0


@dataclass(frozen=True)
class Message:
    """One message: ``mid`` numbers messages 1, 2, ... in the order they are sent."""

    mid: int
    src: str
    dst: str
    label: str
    body: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    """One thing that happened at simulated time ``time_s`` at ``node``.

    ``kind`` is one of :data:`EVENT_KINDS`; ``peer`` is the other end of a message (send,
    deliver, drop); ``mid`` the message number; ``label`` what the message, timer or state
    change says; ``state`` the node's whole visible state after the event, as text.
    """

    index: int
    time_s: float
    kind: str
    node: str
    label: str = ""
    peer: str | None = None
    mid: int | None = None
    state: str = ""

    def line(self) -> str:
        """The event as one line of the text trace."""
        head = f"#{self.index} t={self.time_s:.3f} {self.node} {self.kind}"
        if self.kind == "send":
            return f"{head} m{self.mid} {self.label} -> {self.peer}"
        if self.kind == "deliver":
            return f"{head} m{self.mid} {self.label} <- {self.peer}"
        if self.kind == "drop":
            return f"{head} m{self.mid} {self.label}"
        return f"{head} {self.label}".rstrip()


@dataclass(frozen=True)
class Violation:
    """An invariant that failed: the checker's words and the events that show it."""

    text: str
    events: tuple[int, ...]


@dataclass
class Run:
    """A recorded run: its nodes, its events in order, and its invariant violations."""

    nodes: tuple[str, ...]
    events: list[Event]
    until_s: float
    truncated: bool = False
    violations: list[Violation] = field(default_factory=list)
    title: str = ""

    def trace(self) -> str:
        """The run as text, one line per event, then one line per violation."""
        lines = [e.line() for e in self.events]
        if self.truncated:
            lines.append(f"(cut at {len(self.events)} events)")
        lines += [f"VIOLATION {v.text}" for v in self.violations]
        return "\n".join(lines)

    def messages(self) -> dict[int, str]:
        """Every message sent, by number: ``{mid: "a -> b: label"}``."""
        return {e.mid: f"{e.node} -> {e.peer}: {e.label}" for e in self.events if e.kind == "send"}

    def states(self, upto: int) -> dict[str, str]:
        """Each node's visible state after event ``upto`` (inclusive)."""
        out = {n: "" for n in self.nodes}
        for e in self.events[: upto + 1]:
            if e.kind in ("state", "crash", "restart") or e.state:
                out[e.node] = e.state
        return out

    def __str__(self) -> str:
        verdict = "; ".join(v.text for v in self.violations) or "no invariant violated"
        return f"Run {self.title!r}: {len(self.nodes)} nodes, {len(self.events)} events; {verdict}"

    __repr__ = __str__


class Node:
    """A protocol node. Subclasses override the handlers; ``state`` is what the figure shows.

    ``restart`` is called after a crash: the default forgets ``state`` except the keys
    listed in ``durable`` (what the node keeps on disk), then calls ``start``.
    """

    durable: tuple[str, ...] = ()

    def __init__(self, name: str) -> None:
        self.name = name
        self.state: dict[str, Any] = {}

    def start(self, net: "Network") -> None:  # noqa: D401 - handler
        """Called once at time 0."""

    def receive(self, net: "Network", msg: Message) -> None:
        """Called when a message is delivered to this node."""

    def timer(self, net: "Network", name: str) -> None:
        """Called when a timer set with :meth:`Network.set_timer` fires."""

    def restart(self, net: "Network") -> None:
        """Called when the node comes back after a crash."""
        self.state = {k: v for k, v in self.state.items() if k in self.durable}
        self.start(net)

    def describe(self) -> str:
        """The node's visible state as text (``key=value`` pairs, in insertion order)."""
        return " ".join(f"{k}={_show(v)}" for k, v in self.state.items())


def _show(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (set, frozenset)):
        return "{" + ",".join(sorted(map(str, v))) + "}"
    return str(v)


class _Stop(Exception):
    pass


class Network:
    """A seeded network between named nodes, with faults; :meth:`run` records a run.

    Parameters
    ----------
    nodes : node names (1 to :data:`MAX_NODES`, distinct, non-empty).
    seed : seed of the one random generator (delays, loss, duplication, reordering).
    delay_s : ``(low, high)``: each message's delay is uniform in [low, high] seconds.
    loss : probability that a message is lost, in [0, 1].
    duplicate : probability that a delivered message is delivered a second time, in [0, 1].
    reorder : probability that a message is held back an extra ``high - low + high``
        seconds, so that later messages overtake it, in [0, 1].
    partitions : ``(a, b, start_s, end_s)`` tuples: messages between ``a`` and ``b`` sent in
        ``[start_s, end_s)`` are dropped.
    crashes : ``(node, at_s, restart_s)`` tuples (``restart_s`` None: it stays down). A
        down node receives nothing and its timers do not fire.
    drop : message numbers to drop (``drop=(3,)`` drops the third message sent; a number
        the run never reaches drops nothing).
    link_delay_s : ``{(src, dst): extra seconds}`` added to every message on that link.
    """

    def __init__(self, nodes: Sequence[str], *, seed: int = 0, delay_s: tuple[float, float] = (0.01, 0.02),
                 loss: float = 0.0, duplicate: float = 0.0, reorder: float = 0.0,
                 partitions: Iterable[tuple[str, str, float, float]] = (),
                 crashes: Iterable[tuple[str, float, float | None]] = (), drop: Iterable[int] = (),
                 link_delay_s: Mapping[tuple[str, str], float] | None = None) -> None:
        names = tuple(nodes) if not isinstance(nodes, str) else (nodes,)
        _validate.count("number of nodes", len(names), MAX_NODES)
        if any(not isinstance(n, str) or not n for n in names) or len(set(names)) != len(names):
            raise ValueError(f"nodes must be distinct, non-empty names, got {names!r}")
        self.nodes = names
        self.seed = _validate.seed("seed", seed)
        if not isinstance(delay_s, (tuple, list)) or len(delay_s) != 2:
            raise ValueError(f"delay_s must be a pair (low, high) of seconds, got {delay_s!r}")
        low = float(_validate.number("delay_s low", delay_s[0], 0, 60.0))
        high = float(_validate.number("delay_s high", delay_s[1], low, 60.0))
        self.delay_s = (low, high)
        self.loss = float(_validate.probability("loss", loss))
        self.duplicate = float(_validate.probability("duplicate", duplicate))
        self.reorder = float(_validate.probability("reorder", reorder))
        self.partitions = []
        for p in partitions:
            if len(p) != 4:
                raise ValueError(f"partitions must hold (a, b, start_s, end_s) tuples, got {p!r}")
            a, b, s, e = p
            self._known("partitions", a)
            self._known("partitions", b)
            s = float(_validate.number("partition start_s", s, 0, MAX_TIME_S))
            e = float(_validate.number("partition end_s", e, s, MAX_TIME_S))
            self.partitions.append((a, b, s, e))
        self.crashes = []
        for c in crashes:
            if len(c) != 3:
                raise ValueError(f"crashes must hold (node, at_s, restart_s) tuples, got {c!r}")
            n, at, back = c
            self._known("crashes", n)
            at = float(_validate.number("crash at_s", at, 0, MAX_TIME_S))
            back = None if back is None else float(_validate.number("crash restart_s", back, at, MAX_TIME_S,
                                                                    low_open=True))
            self.crashes.append((n, at, back))
        self.drop = set()
        for m in drop:
            self.drop.add(_validate.count("drop (a message number)", m, MAX_EVENTS))
        self.link_delay_s = {}
        for (a, b), extra in (link_delay_s or {}).items():
            self._known("link_delay_s", a)
            self._known("link_delay_s", b)
            self.link_delay_s[(a, b)] = float(_validate.number(f"link_delay_s[{a!r}, {b!r}]", extra, 0, 60.0))

    def _known(self, what: str, name: Any) -> None:
        if name not in self.nodes:
            raise ValueError(f"{what} names unknown node {name!r} (nodes: {', '.join(self.nodes)})")

    # -- what handlers call ----------------------------------------------------------
    def send(self, src: str, dst: str, label: str, **body: Any) -> int:
        """Send ``label`` from ``src`` to ``dst``; returns the message number."""
        self._known("send", dst)
        self._mid += 1
        msg = Message(self._mid, src, dst, label, dict(body))
        self._record("send", src, label, peer=dst, mid=msg.mid)
        now = self.env.now
        low, high = self.delay_s
        delay = float(self._rng.uniform(low, high)) + self.link_delay_s.get((src, dst), 0.0)
        lost = self._rng.random() < self.loss
        dup = self._rng.random() < self.duplicate
        late = self._rng.random() < self.reorder
        if late:
            delay += 2 * high - low
        reason = None
        if msg.mid in self.drop:
            reason = "dropped (fault)"
        elif any({a, b} == {src, dst} and s <= now < e for a, b, s, e in self.partitions):
            reason = "cut by partition"
        elif lost:
            reason = "lost"
        self.env.process(self._carry(msg, delay, reason))
        if dup and reason is None:
            self.env.process(self._carry(msg, delay + float(self._rng.uniform(low, high)), None, copy=True))
        return msg.mid

    def set_timer(self, node: str, delay_s: float, name: str, quiet: bool = False) -> None:
        """Fire ``node``'s ``timer(net, name)`` after ``delay_s`` seconds, unless it crashes
        (or the timer is cancelled) first. A ``quiet`` timer (e.g. pacing a sender) is not
        recorded as an event."""
        epoch = self._epoch[node]
        self._timers[(node, name)] = self._timers.get((node, name), 0) + 1
        ticket = self._timers[(node, name)]
        self.env.process(self._fire(node, float(delay_s), name, epoch, ticket, quiet))

    def cancel_timer(self, node: str, name: str) -> None:
        """Cancel ``node``'s pending timer ``name`` (if any)."""
        self._timers[(node, name)] = self._timers.get((node, name), 0) + 1

    def changed(self, node: str, what: str = "") -> None:
        """Record that ``node``'s visible state changed (``what`` says how)."""
        self._record("state", node, what or self._node[node].describe())

    @property
    def now(self) -> float:
        return float(self.env.now)

    def up(self, node: str) -> bool:
        return node not in self._down

    # -- the SimPy processes ----------------------------------------------------------
    def _record(self, kind: str, node: str, label: str = "", peer: str | None = None, mid: int | None = None) -> None:
        if len(self._events) >= self._max_events:
            self._truncated = True
            raise _Stop()
        state = self._node[node].describe() if node not in self._down else "down"
        self._events.append(Event(len(self._events), round(float(self.env.now), 9), kind, node, label, peer, mid,
                                  state))

    def _carry(self, msg: Message, delay: float, reason: str | None, copy: bool = False):
        yield self.env.timeout(delay)
        label = msg.label + (" (duplicate)" if copy else "")
        if reason is None and msg.dst in self._down:
            reason = f"{msg.dst} is down"
        if reason is not None:
            self._record("drop", msg.dst, f"{msg.label} {msg.src}->{msg.dst}: {reason}", peer=msg.src, mid=msg.mid)
            return
        self._record("deliver", msg.dst, label, peer=msg.src, mid=msg.mid)
        self._node[msg.dst].receive(self, msg)

    def _fire(self, node: str, delay: float, name: str, epoch: int, ticket: int, quiet: bool = False):
        yield self.env.timeout(delay)
        if node in self._down or self._epoch[node] != epoch or self._timers.get((node, name)) != ticket:
            return
        if not quiet:
            self._record("timer", node, name)
        self._node[node].timer(self, name)

    def _crash(self, node: str, at: float, back: float | None):
        yield self.env.timeout(at)
        self._down.add(node)
        self._epoch[node] += 1
        self._record("crash", node, "crashed")
        if back is None:
            return
        yield self.env.timeout(back - at)
        self._down.discard(node)
        self._node[node].restart(self)
        self._record("restart", node, "restarted")

    def run(self, nodes: Mapping[str, Node], *, until_s: float = 10.0, max_events: int = 1_000,
            check: Callable[[list[Event]], list[Violation]] | None = None, title: str = "") -> Run:
        """Run the protocol ``nodes`` (one :class:`Node` per name) until ``until_s`` seconds
        or ``max_events`` events, and check the run with ``check`` (events -> violations)."""
        import simpy

        until = float(_validate.number("until_s", until_s, 0, MAX_TIME_S, low_open=True))
        self._max_events = _validate.count("max_events", max_events, MAX_EVENTS)
        if set(nodes) != set(self.nodes):
            raise ValueError(f"nodes must give one Node per name {list(self.nodes)}, got {sorted(nodes)}")
        for n, at, back in self.crashes:
            if at >= until or (back is not None and back >= until):
                raise ValueError(f"crashes: a fault at {back if at < until else at!r} s is after the run ends "
                                 f"(until_s={until!r})")
        for a, b, s, e in self.partitions:
            if s >= until:
                raise ValueError(f"partitions: start_s={s!r} is after the run ends (until_s={until!r})")
        self.env = simpy.Environment()
        self._rng = np.random.default_rng(self.seed)
        self._node = dict(nodes)
        self._events: list[Event] = []
        self._down: set[str] = set()
        self._epoch = {n: 0 for n in self.nodes}
        self._timers: dict[tuple[str, str], int] = {}
        self._mid = 0
        self._truncated = False
        for n, at, back in self.crashes:
            self.env.process(self._crash(n, at, back))
        try:
            for n in self.nodes:
                self._node[n].start(self)
            self.env.run(until=until)
        except _Stop:
            pass
        run = Run(self.nodes, self._events, until, self._truncated, title=title)
        if check is not None:
            run.violations = list(check(run.events))
        return run
