"""Erlang-style actors in Python: no shared state, a mailbox each, receive by pattern.

An actor owns its state and shares none of it. Others affect it only by sending
messages, which queue in the actor's mailbox; the actor handles them one at a time, so
its state needs no lock. Erlang copies every message, and its ``receive`` takes the
oldest message that matches one of its patterns, leaving the others in the mailbox for
later (a selective receive). Here an actor is a daemon thread with a mailbox; messages
are deep-copied on send; patterns are tuples in which :data:`ANY` matches anything and a
type matches any value of that type. Every wait has a timeout.

References
----------
- C. Hewitt, P. Bishop and R. Steiger, "A universal modular ACTOR formalism for
  artificial intelligence", IJCAI, 1973.
- J. Armstrong, *Programming Erlang*, 2nd ed., Pragmatic Bookshelf, 2013, ch. 12
  (processes, mailboxes and selective receive).
- I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, ch. 4.
"""

from __future__ import annotations

import copy
import threading
import time
from typing import Any, Callable

from ._validate import at_least, in_range, number, positive

#: Longest wait a receive or join accepts, s.
MAX_TIMEOUT_S = 3600.0
#: Most messages :func:`count_with_actor` sends in all (``senders * adds``; some 20
#: microseconds each on a busy 2-core machine, so about 2 s).
MAX_MESSAGES = 100_000
#: Most messages :func:`selective_receive_demo` accepts: each urgent-first step scans the
#: whole mailbox, so the cost grows with the square of the count (about 2 s at 2,000).
MAX_DEMO_MESSAGES = 2_000
from .concurrency import run_threads

__all__ = ["ANY", "matches", "Actor", "spawn", "inbox", "counter", "count_with_actor", "selective_receive_demo", "copy_on_send_demo",
           "get_then_set_demo", "MAX_TIMEOUT_S", "MAX_MESSAGES", "MAX_DEMO_MESSAGES"]


class _Any:
    def __repr__(self) -> str:
        return "ANY"


#: In a pattern, matches any value (Erlang's ``_``).
ANY = _Any()


def matches(pattern: Any, message: Any) -> bool:
    """Does ``message`` match ``pattern``?

    :data:`ANY` matches anything; a type matches its instances; a tuple matches a tuple
    of the same length whose items match; anything else matches an equal value.

    >>> matches(("add", int), ("add", 3))
    True
    >>> matches(("add", int), ("add", "3"))
    False
    >>> matches(("reply", ANY), ("reply", [1, 2]))
    True
    """
    if pattern is ANY:
        return True
    if isinstance(pattern, type):
        return isinstance(message, pattern)
    if isinstance(pattern, tuple):
        return (isinstance(message, tuple) and len(message) == len(pattern)
                and all(matches(p, m) for p, m in zip(pattern, message)))
    return bool(pattern == message)


class Actor:
    """An actor: ``send`` puts a copy of a message in its mailbox; its behaviour calls
    ``receive`` to take messages out, choosing them by pattern.

    Made by :func:`spawn` (with a behaviour, run on its own thread) or :func:`inbox`
    (no behaviour: a mailbox the calling code reads, like Erlang's shell).
    """

    def __init__(self, behaviour: Callable[..., Any] | None = None, *args: Any, name: str = "actor") -> None:
        if behaviour is not None and not callable(behaviour):
            raise ValueError(f"behaviour must be a callable or None, got {behaviour!r}"[:200])
        if not isinstance(name, str):
            raise ValueError(f"name must be a str, got {name!r}"[:200])
        self.name = name
        self._mailbox: list[Any] = []
        self._cond = threading.Condition()
        self._behaviour = behaviour
        self._args = args
        self._thread: threading.Thread | None = None
        self.result: Any = None
        self.error: BaseException | None = None

    def __repr__(self) -> str:
        return f"<Actor {self.name}>"

    def __deepcopy__(self, memo: dict) -> "Actor":
        return self  # an address is copied as itself, like an Erlang pid

    def send(self, message: Any) -> None:
        """Deliver a deep copy of ``message``: the sender keeps nothing the actor can see."""
        message = copy.deepcopy(message)
        with self._cond:
            self._mailbox.append(message)
            self._cond.notify_all()

    def receive(self, *patterns: Any, timeout_s: float = 5.0) -> Any:
        """Take the oldest message matching any of ``patterns`` (all messages if none given).

        Messages that match no pattern stay in the mailbox, in order. Raises
        ``TimeoutError`` if none arrives within ``timeout_s`` (0 means: only look).
        """
        deadline = time.monotonic() + number("timeout_s", timeout_s, 0, MAX_TIMEOUT_S)
        with self._cond:
            while True:
                for i, message in enumerate(self._mailbox):
                    if not patterns or any(matches(p, message) for p in patterns):
                        return self._mailbox.pop(i)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{self.name}: no message matching {patterns} within {timeout_s} s")
                self._cond.wait(left)

    def pending(self) -> int:
        """Messages waiting in the mailbox."""
        with self._cond:
            return len(self._mailbox)

    def start(self) -> "Actor":
        """Run the behaviour on a daemon thread (``spawn`` does this for you)."""
        if self._behaviour is None:
            raise ValueError(f"{self.name} has no behaviour to start")

        def run() -> None:
            try:
                self.result = self._behaviour(self, *self._args)
            except BaseException as exc:  # kept for join() to re-raise
                self.error = exc

        self._thread = threading.Thread(target=run, daemon=True, name=self.name)
        self._thread.start()
        return self

    def join(self, timeout_s: float = 5.0) -> Any:
        """Wait for the behaviour to return; give its result, or raise its error or ``TimeoutError``."""
        wait_s = number("timeout_s", timeout_s, 0, MAX_TIMEOUT_S, low_open=True)
        if self._thread is not None:
            self._thread.join(wait_s)
            if self._thread.is_alive():
                raise TimeoutError(f"{self.name} still running after {timeout_s} s")
        if self.error is not None:
            raise self.error
        return self.result


def spawn(behaviour: Callable[..., Any], *args: Any, name: str = "actor", start: bool = True) -> Actor:
    """Create an actor running ``behaviour(actor, *args)``; like Erlang's ``spawn``."""
    if not callable(behaviour):
        raise ValueError(f"behaviour must be a callable, got {behaviour!r}"[:200])
    actor = Actor(behaviour, *args, name=name)
    return actor.start() if start else actor


def inbox(name: str = "inbox") -> Actor:
    """A mailbox for code that is not an actor (a notebook cell) to receive replies in."""
    return Actor(None, name=name)


def counter(me: Actor) -> int:
    """Behaviour of a counter actor. Its count is a local variable no one else can touch.

    Messages: ``("add", n)``, ``("get", reply_to)`` answered with ``("count", n)``, and
    ``("stop",)``, after which the behaviour returns the count.
    """
    count = 0
    while True:
        match me.receive(("add", int), ("get", Actor), ("stop",)):
            case ("add", n):
                count += n
            case ("get", reply_to):
                reply_to.send(("count", count))
            case ("stop",):
                return count


def count_with_actor(senders: int = 8, adds: int = 100, timeout_s: float = 10.0) -> int:
    """``senders`` threads each send ``("add", 1)`` ``adds`` times to one counter actor;
    then ask it for the count. No lock anywhere, and no update is lost.

    ``senders`` in [1, 64], ``adds`` in [1, :data:`MAX_MESSAGES`], with ``senders * adds``
    at most :data:`MAX_MESSAGES`; ``timeout_s`` bounds every wait, in (0, :data:`MAX_TIMEOUT_S`].

    >>> count_with_actor(4, 25)
    100
    """
    n = int(in_range("senders", senders, 1, 64, integer=True, max_ndim=0))
    k = int(in_range("adds", adds, 1, MAX_MESSAGES, integer=True, max_ndim=0))
    if n * k > MAX_MESSAGES:
        raise ValueError(f"senders and adds must give senders * adds <= {MAX_MESSAGES} messages, "
                         f"got {n} * {k} = {n * k}")
    t_max = number("timeout_s", timeout_s, 0, MAX_TIMEOUT_S, low_open=True)
    actor = spawn(counter, name="counter")
    run_threads([lambda: [actor.send(("add", 1)) for _ in range(k)]] * n, t_max)  # the senders
    me = inbox()
    actor.send(("get", me))
    _, count = me.receive(("count", int), timeout_s=t_max)
    actor.send(("stop",))
    actor.join(t_max)
    return count


def _urgent_first(me: Actor) -> list[Any]:
    handled = []
    while True:
        try:  # anything urgent waiting? handle it before older, ordinary messages
            handled.append(me.receive(("urgent", ANY), timeout_s=0))
            continue
        except TimeoutError:
            pass
        message = me.receive()
        if message == ("stop",):
            return handled
        handled.append(message)


def selective_receive_demo(messages: list[Any] | None = None) -> list[Any]:
    """The order in which an actor that handles ``("urgent", _)`` first processes its mailbox.

    The messages are all in the mailbox before the actor starts. ``messages``: a list or
    tuple of at most :data:`MAX_DEMO_MESSAGES` (None: a built-in five).

    >>> selective_receive_demo([("log", "a"), ("urgent", 1), ("log", "b"), ("urgent", 2)])
    [('urgent', 1), ('urgent', 2), ('log', 'a'), ('log', 'b')]
    """
    if messages is not None and not isinstance(messages, (list, tuple)):
        raise ValueError(f"messages must be a list or None, got {messages!r}"[:200])
    if messages is not None and len(messages) > MAX_DEMO_MESSAGES:
        raise ValueError(f"messages must hold at most {MAX_DEMO_MESSAGES} messages, got {len(messages)}")
    if messages is None:
        messages = [("log", "boot"), ("urgent", "disk full"), ("log", "tick"), ("urgent", "node down"), ("log", "tock")]
    actor = spawn(_urgent_first, name="triage", start=False)
    for m in messages:
        actor.send(m)
    actor.send(("stop",))
    return actor.start().join()


def _keeper(me: Actor) -> Any:
    _, value = me.receive(("keep", ANY))
    _, reply_to = me.receive(("show", Actor))
    reply_to.send(("kept", value))


def copy_on_send_demo() -> dict[str, Any]:
    """Send a list to an actor, change the list, and ask the actor what it holds.

    >>> copy_on_send_demo()
    {'sender now has': [1, 2, 3, 99], 'actor holds': [1, 2, 3]}
    """
    actor = spawn(_keeper, name="keeper")
    data = [1, 2, 3]
    actor.send(("keep", data))
    data.append(99)  # the sender changes its own list after sending
    me = inbox()
    actor.send(("show", me))
    _, held = me.receive(("kept", ANY))
    actor.join()
    return {"sender now has": data, "actor holds": held}


# --- Actors are no protection either: a get-then-set pair ------------------------------


def _register(me: Actor) -> int:
    """A store actor: ("get", reply_to) answers ("value", v); ("set", v) overwrites;
    ("add", n) adds inside one message; ("stop",) returns the value."""
    value = 0
    while True:
        match me.receive(("get", Actor), ("set", int), ("add", int), ("stop",)):
            case ("get", reply_to):
                reply_to.send(("value", value))
            case ("set", v):
                value = v
            case ("add", n):
                value += n
            case ("stop",):
                return value


def get_then_set_demo(clients: int = 8, atomic: bool = False, timeout_s: float = 10.0) -> dict[str, int]:
    """``clients`` threads each add one to a value held by a store actor.

    Naively each asks for the value (``get``), then sends back ``set(value + 1)``: two
    messages. The actor handles each message alone, but another client's messages can
    come between the two, and its update is overwritten. As with the threads'
    :func:`scalelab.concurrency.lost_update`, a barrier makes the bad schedule certain:
    every client has its reply before any sends its ``set``. With ``atomic`` each client
    sends one ``("add", 1)`` message, so the read-modify-write happens inside the actor.

    Parameters
    ----------
    clients : whole number in [2, 64].
    atomic : send one ``add`` message instead of a ``get`` and a ``set``.
    timeout_s : bound on every wait, seconds in (0, 300].

    >>> get_then_set_demo(4)
    {'expected': 4, 'final': 1, 'lost': 3}
    >>> get_then_set_demo(4, atomic=True)
    {'expected': 4, 'final': 4, 'lost': 0}
    """
    import threading

    n = int(in_range("clients", clients, 2, 64, integer=True, max_ndim=0))
    t_max = float(in_range("timeout_s", timeout_s, 0, 300, low_open=True, max_ndim=0))
    store = spawn(_register, name="store")
    barrier = threading.Barrier(n, timeout=t_max)

    def client() -> None:
        if atomic:
            store.send(("add", 1))
            return
        me = inbox("client")
        store.send(("get", me))
        _, seen = me.receive(("value", int), timeout_s=t_max)
        barrier.wait()  # every client has read before any writes
        store.send(("set", seen + 1))

    run_threads([client] * n, t_max, on_timeout=barrier.abort)
    store.send(("stop",))
    final = store.join(t_max)
    return {"expected": n, "final": final, "lost": n - final}
