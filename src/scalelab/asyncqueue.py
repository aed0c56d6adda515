"""Responsiveness through asynchrony: the ski-lift scanner, modelled and built for real.

Every time a rider's pass is scanned at a lift, the scan event must end up in the
resort's database. Two designs:

* **synchronous**: the scanner sends the event and waits until the database has
  written it; the gate opens only then;
* **acknowledge, then queue**: a capture service appends the event to a durable queue,
  acknowledges at once, and a consumer writes queued events to the database at its
  own pace.

:func:`ski_lift_day` is a fluid model of a day with a morning rush. While scans arrive
faster than the database writes them, a backlog builds up; it drains once the rush is
over. Both designs have that backlog; they differ in who waits for it. Synchronously,
riders wait at the gate; with the queue, they get their acknowledgement in
milliseconds and only the *time until stored* grows.

:class:`DurableQueue` is a small real queue in SQLite. A committed insert is the
acknowledgement: once ``put`` returns, the event survives a crash of the capture
service. :func:`durable_queue_run` fills it from a capture process that it kills
part-way, checks that every acknowledged event is still there, lets a consumer
process drain the queue, kills that consumer part-way too (SIGKILL, no clean-up),
restarts both, and checks that every event was stored exactly once and in order. The consumer is at-least-once (it stores
an event, then removes it from the queue) and the store is idempotent (keyed by the
event's sequence number), so a crash between the two steps causes neither loss nor
duplicates. Order is kept because there is one queue and one consumer at a time:
FIFO holds per queue, not across several.

References
----------
- I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, ch. 2 (the ski-lift
  scanner) and ch. 7 (asynchronous messaging).
- SQLite documentation, "Atomic commit in SQLite" and "Write-ahead logging"
  (https://sqlite.org/atomiccommit.html, https://sqlite.org/wal.html).
- D. V. Lindley, 1952 (the backlog recursion, here for a fluid queue).
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from typing import Any

import numpy as np
import pandas as pd

from ._validate import at_least, count, in_range, number, positive
from .palette import BLUE, GREY, RED, TEMPLATE

__all__ = [
    "arrival_rate_per_s",
    "ski_lift_day",
    "drain_summary",
    "ski_lift_curves",
    "DurableQueue",
    "consume",
    "durable_queue_run",
    "durable_queue_figure",
    "durable_queue_verdict",
]

OPEN_H, CLOSE_H = 8.0, 17.0
#: Smallest time step of :func:`ski_lift_day`, s (a 9-hour day in at most 64,800 steps).
MIN_STEP_S = 0.5
#: Longest wait a consumer accepts for its idle spell and its deadline, s.
MAX_CONSUME_S = 3600.0
#: Most items one consumer stores.
MAX_ITEMS = 10_000_000
#: Longest simulated write, s.
MAX_WRITE_COST_S = 1.0


def arrival_rate_per_s(time_h: np.ndarray, peak_rate_per_s: float, base_rate_per_s: float = 10.0,
                       rush_peak_h: float = 9.0, rush_width_h: float = 0.5) -> np.ndarray:
    """Scans per second over the day: a base rate plus a bell-shaped morning rush.

    ``base + (peak - base) exp(-((t - rush_peak) / width)^2 / 2)``, t in hours of the day.
    Inner helper for :func:`ski_lift_day`; its parameters are checked as there
    (``time_h`` finite hours in [0, 24]).
    """
    time_h = in_range("time_h", time_h, 0, 24)
    base_rate_per_s = number("base_rate_per_s", base_rate_per_s, 0)
    peak_rate_per_s = _peak(peak_rate_per_s, base_rate_per_s)
    rush_peak_h = number("rush_peak_h", rush_peak_h, OPEN_H, CLOSE_H)
    rush_width_h = number("rush_width_h", rush_width_h, 0, 4, low_open=True)
    bump = np.exp(-0.5 * ((time_h - rush_peak_h) / rush_width_h) ** 2)
    return base_rate_per_s + (peak_rate_per_s - base_rate_per_s) * bump


def _peak(peak_rate_per_s: float, base: float) -> float:
    peak = number("peak_rate_per_s", peak_rate_per_s, 0)
    if peak < base:
        raise ValueError(f"peak_rate_per_s must be >= base_rate_per_s = {base:g}, got {peak_rate_per_s!r}")
    return peak


def ski_lift_day(peak_rate_per_s: float = 60.0, db_writes_per_s: float = 40.0, base_rate_per_s: float = 10.0,
                 write_ms: float | None = None, ack_ms: float = 3.0, rush_peak_h: float = 9.0,
                 rush_width_h: float = 0.5, step_s: float = 10.0) -> pd.DataFrame:
    """A day of lift scans, from 8:00 to 17:00, as a fluid queue in front of the database.

    The backlog ``Q`` (events not yet written) follows ``Q <- max(0, Q + (lambda(t) - mu) dt)``,
    a Lindley recursion, computed without a loop. An event arriving at ``t`` is stored
    after ``write_ms + Q(t) / mu``. A fluid model: it ignores random bunching, which adds
    some queueing even below capacity (see the M/M/1 model).

    Parameters
    ----------
    peak_rate_per_s : scans per second at the height of the rush, >= base_rate_per_s.
    db_writes_per_s : mu, events per second the database can write, > 0.
    base_rate_per_s : scans per second outside the rush, >= 0.
    write_ms : time for one database write when there is no backlog, ms, >= 0; by
        default ``1000 / db_writes_per_s`` (one write at a time).
    ack_ms : time for the capture service to append to the durable queue and reply, ms, >= 0.
    rush_peak_h : hour of the day the rush peaks, in [8, 17].
    rush_width_h : standard deviation of the rush, hours, in (0, 4].
    step_s : time step, seconds, in [MIN_STEP_S, 600] = [0.5, 600].

    Returns
    -------
    DataFrame indexed by ``time_h`` with ``arrival_rate_per_s``, ``backlog_events``,
    ``synchronous_ack_s`` (the rider waits for the write), ``queued_ack_s`` and
    ``time_until_stored_s`` (equal to the synchronous acknowledgement).

    References
    ----------
    Gorton 2022, ch. 2 (the scenario; the numbers here are illustrative).

    >>> day = ski_lift_day(peak_rate_per_s=60, db_writes_per_s=40)
    >>> round(day["backlog_events"].max())
    46019
    >>> round(float(day["queued_ack_s"].max()), 3)
    0.003
    """
    base = number("base_rate_per_s", base_rate_per_s, 0)
    peak = _peak(peak_rate_per_s, base)
    mu = number("db_writes_per_s", db_writes_per_s, 0, low_open=True)
    write = 1.0 / mu if write_ms is None else number("write_ms", write_ms, 0) / 1000.0
    ack = number("ack_ms", ack_ms, 0) / 1000.0
    centre = number("rush_peak_h", rush_peak_h, OPEN_H, CLOSE_H)
    width = number("rush_width_h", rush_width_h, 0, 4, low_open=True)
    dt = number("step_s", step_s, MIN_STEP_S, 600)
    t_s = np.arange(0.0, (CLOSE_H - OPEN_H) * 3600.0 + dt / 2, dt)
    time_h = OPEN_H + t_s / 3600.0
    lam = arrival_rate_per_s(time_h, peak, base, centre, width)
    partial = np.concatenate(([0.0], np.cumsum((lam[:-1] - mu) * dt)))
    backlog = partial - np.minimum.accumulate(partial)
    stored_after = write + backlog / mu
    return pd.DataFrame({
        "time_h": time_h,
        "arrival_rate_per_s": lam,
        "backlog_events": backlog,
        "synchronous_ack_s": stored_after,
        "queued_ack_s": np.full(time_h.shape, ack),
        "time_until_stored_s": stored_after,
    }).set_index("time_h")


def drain_summary(day: pd.DataFrame) -> dict[str, float]:
    """Peak backlog, when it peaks, when the queue is empty again, and the drain time.

    ``drain_min`` is the time from the peak of the backlog to an empty queue, in minutes
    (0 when no backlog forms; ``inf`` if it never drains before closing).

    >>> s = drain_summary(ski_lift_day(60, 40))
    >>> round(s["peak_backlog_events"]), round(s["drain_min"])
    (46019, 44)
    """
    q = day["backlog_events"].to_numpy()
    t = day.index.to_numpy()
    k = int(np.argmax(q))
    if q[k] <= 0:
        return {"peak_backlog_events": 0.0, "peak_at_h": float("nan"), "empty_at_h": float("nan"),
                "drain_min": 0.0, "longest_wait_s": float(day["time_until_stored_s"].max())}
    after = np.flatnonzero(q[k:] <= 0)
    empty = float(t[k + after[0]]) if after.size else float("inf")
    return {
        "peak_backlog_events": float(q[k]),
        "peak_at_h": float(t[k]),
        "empty_at_h": empty,
        "drain_min": (empty - float(t[k])) * 60.0,
        "longest_wait_s": float(day["time_until_stored_s"].max()),
    }


def ski_lift_curves(peak_rate_per_s: float, db_writes_per_s: float) -> dict[str, dict]:
    """Acknowledgement latency and backlog over the day, for an explorer (times in seconds).

    >>> list(ski_lift_curves(60, 40))[:2]
    ['synchronous: the rider waits (= time until stored)', 'queued: acknowledgement']
    """
    day = ski_lift_day(peak_rate_per_s, db_writes_per_s, step_s=10.0).iloc[::18]  # one point per 3 min
    t = day.index.to_numpy()
    return {
        "synchronous: the rider waits (= time until stored)": dict(
            x=t, y=day["synchronous_ack_s"].to_numpy(), mode="lines", line={"color": RED}),
        "queued: acknowledgement": dict(
            x=t, y=day["queued_ack_s"].to_numpy(), mode="lines", line={"color": BLUE}),
        "backlog (thousands of events)": dict(
            x=t, y=day["backlog_events"].to_numpy() / 1000.0, mode="lines", yaxis="y2",
            line={"color": GREY, "dash": "dot"}),
    }


# --- A real durable FIFO queue in SQLite ----------------------------------------------

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS queue (seq INTEGER PRIMARY KEY AUTOINCREMENT, scanned_at REAL NOT NULL, "
    "payload TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS stored (seq INTEGER PRIMARY KEY, scanned_at REAL NOT NULL, "
    "stored_at REAL NOT NULL, payload TEXT NOT NULL UNIQUE)",  # an event re-sent after a crash is stored once
)


class DurableQueue:
    """A FIFO queue of scan events in one SQLite file, plus the table they are stored in.

    ``put`` commits one insert (with ``synchronous=FULL``: the commit reaches the disk
    before it returns) and that commit is the acknowledgement. ``store_next`` takes the
    oldest event, spends ``write_cost_s`` on the (stand-in) database write, records it in
    ``stored`` (ignoring an event already stored) and only then deletes it from the queue.

    Times are ``time.monotonic()`` seconds, comparable between processes on one machine.

    Parameters
    ----------
    path : the SQLite file (created if missing): a non-empty str or os.PathLike.
    timeout_s : how long a statement waits for a lock before raising, seconds, in (0, 60].

    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     q = DurableQueue(os.path.join(d, "q.db"))
    ...     _ = q.put("pass 1"); _ = q.put("pass 2")
    ...     print(q.store_next(0.0), q.store_next(0.0), q.store_next(0.0), q.counts())
    ...     q.close()
    True True False (0, 2)
    """

    def __init__(self, path: str | os.PathLike, timeout_s: float = 5.0) -> None:
        t = number("timeout_s", timeout_s, 0, 60, low_open=True)
        self.path = _check_path(path)
        self._db = sqlite3.connect(self.path, timeout=t, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        for statement in _SCHEMA:
            self._db.execute(statement)

    def put(self, payload: str) -> float:
        """Append an event; return the acknowledgement latency in seconds (the commit's)."""
        if not isinstance(payload, str):
            raise ValueError(f"payload must be a str, got {payload!r}"[:200])
        start = time.monotonic()
        self._db.execute("INSERT INTO queue (scanned_at, payload) VALUES (?, ?)", (start, payload))
        return time.monotonic() - start

    def store_next(self, write_cost_s: float = 0.0) -> bool:
        """Store the oldest queued event, then remove it from the queue; False if empty.

        ``write_cost_s``: seconds the stand-in database spends on the write, in [0, 1].
        """
        write_cost_s = number("write_cost_s", write_cost_s, 0, MAX_WRITE_COST_S)
        row = self._db.execute("SELECT seq, scanned_at, payload FROM queue ORDER BY seq LIMIT 1").fetchone()
        if row is None:
            return False
        if write_cost_s > 0:
            time.sleep(write_cost_s)  # the slower database the queue protects riders from
        self._db.execute("INSERT OR IGNORE INTO stored (seq, scanned_at, stored_at, payload) VALUES (?, ?, ?, ?)",
                         (row[0], row[1], time.monotonic(), row[2]))
        self._db.execute("DELETE FROM queue WHERE seq = ?", (row[0],))
        return True

    def counts(self) -> tuple[int, int]:
        """(events still queued, events stored)."""
        queued = self._db.execute("SELECT COUNT(*) FROM queue").fetchone()[0]
        stored = self._db.execute("SELECT COUNT(*) FROM stored").fetchone()[0]
        return int(queued), int(stored)

    def stored_events(self) -> pd.DataFrame:
        """Every stored event, in the order it was stored."""
        return pd.read_sql_query("SELECT seq, scanned_at, stored_at, payload FROM stored ORDER BY stored_at, seq",
                                 self._db)

    def close(self) -> None:
        self._db.close()


def consume(path: str, write_cost_s: float = 0.005, max_items: int = 1_000_000, idle_timeout_s: float = 1.0,
            deadline_s: float = 30.0) -> int:
    """A consumer: store queued events until ``max_items``, an idle spell, or the deadline.

    Module-level so that a separate process can run it. Returns the number stored.

    Parameters
    ----------
    path : the queue's SQLite file.
    write_cost_s : seconds per simulated write, in [0, 1].
    max_items : whole number in [1, 10,000,000].
    idle_timeout_s, deadline_s : seconds, in (0, 3600].
    """
    path = _check_path(path)
    write_cost_s = number("write_cost_s", write_cost_s, 0, MAX_WRITE_COST_S)
    max_items = count("max_items", max_items, MAX_ITEMS)
    idle_timeout_s = number("idle_timeout_s", idle_timeout_s, 0, MAX_CONSUME_S, low_open=True)
    deadline_s = number("deadline_s", deadline_s, 0, MAX_CONSUME_S, low_open=True)
    q = DurableQueue(path)
    done = 0
    start = idle_since = time.monotonic()
    try:
        while done < max_items and time.monotonic() - start < deadline_s:
            if q.store_next(write_cost_s):
                done += 1
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > idle_timeout_s:
                break
            else:
                time.sleep(0.002)
    finally:
        q.close()
    return done


def _payload(i: int) -> str:
    return f"pass {i:05d} at lift {i % 7}"


def capture(path: str, first: int, n_events: int, conn) -> None:
    """The capture service: put events ``first .. n_events - 1``, sending ``(i, ack_s)`` after each commit.

    Module-level so that a separate process can run it (and be killed part-way). A
    message on ``conn`` is the acknowledgement the scanner receives: it is sent only
    after ``put`` has committed. ``first`` and ``n_events`` are whole numbers with
    ``0 <= first <= n_events <= MAX_ITEMS``; ``conn`` is one end of a ``multiprocessing.Pipe``.
    """
    path = _check_path(path)
    first = count("first", first, MAX_ITEMS, low=0)
    n_events = count("n_events", n_events, MAX_ITEMS, low=first)
    if not callable(getattr(conn, "send", None)):
        raise ValueError(f"conn must be a connection with a send method (multiprocessing.Pipe), got {conn!r}")
    q = DurableQueue(path)
    try:
        for i in range(first, n_events):
            conn.send((i, q.put(_payload(i))))
    finally:
        q.close()


def _check_path(path: Any, name: str = "path") -> str:
    """A file path: a non-empty str or os.PathLike (None would make a file named "None")."""
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    if not isinstance(path, str) or not path:
        raise ValueError(f"{name} must be a non-empty str or os.PathLike, got {path!r}")
    return path


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def durable_queue_run(n_events: int = 100, write_cost_s: float = 0.005, kill_at_share: float = 0.4,
                      timeout_s: float = 20.0, directory: str | None = None,
                      crash_capture_at_share: float | None = 0.3) -> dict:
    """Crash the capture service and the consumer of a real SQLite queue, restart both, check.

    1. A consumer process starts draining the (empty) queue.
    2. The capture service, in its own process, puts ``n_events`` scans as fast as it
       can (a rush) and sends each acknowledgement (after the commit) to this process.
    3. When ``crash_capture_at_share`` of the events are acknowledged, the capture
       process is killed with SIGKILL. Every acknowledged event is then looked for in
       the queue and the store (``acked_lost`` counts those missing).
    4. A restarted capture service re-sends every event not acknowledged, as a scanner
       that got no answer would retry; an event committed just before the crash but
       never acknowledged is thus sent twice (``resent_duplicates``).
    5. When ``kill_at_share`` of the events are stored, the consumer is killed with
       SIGKILL too; a new consumer drains the rest.
    6. Every event is checked: stored once, none missing, stored in the order scanned.

    With ``crash_capture_at_share=None`` the capture service runs in this process and
    is not crashed (steps 3 and 4 are skipped).

    What this can and cannot show: a killed process loses nothing the kernel already
    holds, so these crashes test that a *committed* transaction survives the death of
    the process that wrote it, and that the consumer's store is idempotent. The queue
    also runs with ``synchronous=FULL``, which in WAL mode syncs the log to disk at
    every commit: that is what makes a commit survive a power cut or an operating
    system crash, which a test on a running machine cannot produce.

    Parameters
    ----------
    n_events : scans to send, whole number in [10, 5,000].
    write_cost_s : time the stand-in database spends per write, seconds, in [0, 0.1].
    kill_at_share : share of events stored when the first consumer is killed, in (0, 1).
    timeout_s : upper bound on each phase, seconds, in (0, 120].
    directory : where to put the SQLite file; a fresh temporary directory by default
        (removed afterwards).
    crash_capture_at_share : share of events acknowledged when the capture process is
        killed, in (0, 1), or None.

    Returns
    -------
    dict with ``events`` (DataFrame: seq, ack_s, until_stored_s, and scanned_s and
    stored_s counted from the first scan, one row per stored
    event), ``acked_before_crash``, ``acked_lost``, ``resent_duplicates``,
    ``stored_when_killed``, ``queued_when_killed``, ``stored``, ``missing``,
    ``duplicates``, ``still_queued``, ``in_order``, ``synchronous``, ``filesystem``
    (the type of the file system that held the queue, from /proc/mounts) and
    ``write_cost_s``.
    """
    n = count("n_events", n_events, 5_000, low=10)
    cost = number("write_cost_s", write_cost_s, 0, 0.1)
    share = number("kill_at_share", kill_at_share, 0, 1, low_open=True, high_open=True)
    limit = number("timeout_s", timeout_s, 0, 120, low_open=True)
    crash = (None if crash_capture_at_share is None else
             number("crash_capture_at_share", crash_capture_at_share, 0, 1, low_open=True, high_open=True))
    ctx = _context()
    acks: dict[int, float] = {}
    acked_before_crash = acked_lost = resent_duplicates = 0
    if directory is not None:
        directory = _check_path(directory, "directory")
    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        path = str(Path(tmp) / "scans.db")
        DurableQueue(path).close()  # create the schema before anyone else opens the file
        worker = ctx.Process(target=consume, args=(path, cost, n, 5.0, limit), daemon=True)
        worker.start()
        try:
            first = 0
            if crash is not None:
                receive, send = ctx.Pipe(duplex=False)
                producer = ctx.Process(target=capture, args=(path, 0, n, send), daemon=True)
                producer.start()
                send.close()
                deadline = time.monotonic() + limit
                try:
                    while len(acks) < crash * n and time.monotonic() < deadline:
                        if receive.poll(0.05):
                            i, ack = receive.recv()
                            acks[i] = ack
                        elif not producer.is_alive():
                            break
                finally:
                    if producer.is_alive():
                        producer.kill()
                    producer.join(timeout=5)
                while receive.poll(0):  # acknowledgements already sent before the kill
                    try:
                        i, ack = receive.recv()
                    except EOFError:
                        break
                    acks[i] = ack
                receive.close()
                acked_before_crash = len(acks)
                capture_q = DurableQueue(path)
                present = {int(p[5:10]) for (p,) in capture_q._db.execute(
                    "SELECT payload FROM queue UNION SELECT payload FROM stored")}
                acked_lost = len(set(acks) - present)
                resent_duplicates = len(present - set(acks))
                first = max(acks) + 1 if acks else 0
            else:
                capture_q = DurableQueue(path)
            for i in range(first, n):  # the restarted capture service re-sends what was not acknowledged
                acks[i] = capture_q.put(_payload(i))
            deadline = time.monotonic() + limit
            while capture_q.counts()[1] < share * n and time.monotonic() < deadline and worker.is_alive():
                time.sleep(0.005)
        finally:
            if worker.is_alive():
                worker.kill()
            worker.join(timeout=5)
        queued_killed, stored_killed = capture_q.counts()
        consume(path, cost, max_items=2 * n, idle_timeout_s=0.2, deadline_s=limit)  # the restarted consumer
        queued, _ = capture_q.counts()
        stored = capture_q.stored_events()
        sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[capture_q._db.execute("PRAGMA synchronous").fetchone()[0]]
        capture_q.close()
        fs_type = _filesystem_type(tmp)
    index = np.array([int(p[5:10]) for p in stored["payload"]], dtype=int)
    seqs = stored["seq"].to_numpy()
    events = pd.DataFrame({
        "seq": seqs,
        "ack_s": np.array([acks.get(i, np.nan) for i in index.tolist()]),
        "until_stored_s": (stored["stored_at"] - stored["scanned_at"]).to_numpy(),
        "scanned_s": (stored["scanned_at"] - stored["scanned_at"].min()).to_numpy(),
        "stored_s": (stored["stored_at"] - stored["scanned_at"].min()).to_numpy(),
    })
    distinct = len(set(index.tolist()))
    return {
        "events": events,
        "acked_before_crash": acked_before_crash,
        "acked_lost": acked_lost,
        "resent_duplicates": resent_duplicates,
        "stored_when_killed": stored_killed,
        "queued_when_killed": queued_killed,
        "stored": distinct,
        "still_queued": queued,
        "missing": n - distinct,
        "duplicates": int(len(index) - distinct),
        "in_order": bool(np.all(np.diff(index) > 0)),
        "synchronous": sync,
        "filesystem": fs_type,
        "write_cost_s": cost,
    }


def durable_queue_figure(run: dict):
    """Acknowledgement latency and time until stored for each event of a run (log scale)."""
    import plotly.graph_objects as go

    from .explorer import show

    ev = run["events"]
    fig = go.Figure(
        [
            go.Scatter(x=ev["seq"], y=1000 * ev["until_stored_s"], mode="lines", name="time until stored"),
            go.Scatter(x=ev["seq"], y=1000 * ev["ack_s"], mode="markers", marker={"size": 4}, name="acknowledgement (commit)"),
        ],
        {
            "title": {"text": "A real durable queue: acknowledged at once, stored later"},
            "xaxis": {"title": {"text": "event (in scan order)"}},
            "yaxis": {"title": {"text": "milliseconds"}, "type": "log"},
            "template": TEMPLATE,
            "height": 420,
            "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        },
    )
    return show(fig)


def _filesystem_type(path: str | os.PathLike, mounts_file: str | os.PathLike = "/proc/mounts") -> str:
    """Type of the file system that holds ``path`` (``"ext4"``, ``"tmpfs"``, ...), or ``"unknown"``.

    Read from the longest mount point in ``mounts_file`` (Linux's ``/proc/mounts``) that
    contains the path; ``"unknown"`` where that file cannot be read (macOS, Windows).

    >>> _filesystem_type("/", mounts_file="/nonexistent/mounts")
    'unknown'
    """
    try:
        lines = Path(mounts_file).read_text().splitlines()
    except OSError:
        return "unknown"
    real = os.path.realpath(os.fspath(path))
    best, kind = "", "unknown"
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        mount = fields[1].replace("\\040", " ")
        inside = real == mount or real.startswith(mount.rstrip("/") + "/")
        if inside and len(mount) >= len(best):
            best, kind = mount, fields[2]
    return kind


def durable_queue_verdict(run: dict, model_ack_ms: float = 3.0, usable_cpus: int | None = None) -> str:
    """A verdict computed from a :func:`durable_queue_run`: the measured acknowledgement
    against the ski-lift model's, with the likely causes of a gap, and why storing takes longer.

    Parameters
    ----------
    run : the dict :func:`durable_queue_run` returns.
    model_ack_ms : the acknowledgement the ski-lift model assumes (:func:`ski_lift_day`), ms, > 0.
    usable_cpus : CPUs the three processes shared; by default :func:`scalelab.measure.usable_cpus`.
    """
    model = float(positive("model_ack_ms", model_ack_ms))
    cost_ms = 1000.0 * float(run["write_cost_s"])
    if usable_cpus is None:
        from .measure import usable_cpus as _usable

        usable_cpus = _usable().usable
    cpus = count("usable_cpus", usable_cpus, 1_000_000)
    ev = run["events"]
    ack = 1000.0 * float(ev["ack_s"].median())
    stored = 1000.0 * float(ev["until_stored_s"].median())
    ratio = ack / model
    if 0.5 <= ratio <= 2.0:
        against = f"close to the {model:g} ms the ski-lift model assumes"
    elif ratio > 2.0:
        against = f"{ratio:.1f} times the {model:g} ms the ski-lift model assumes"
    else:
        against = f"a factor {1 / ratio:.1f} below the {model:g} ms the ski-lift model assumes"
    fs = run.get("filesystem", "unknown")
    if fs == "tmpfs":
        where = ("The queue's file was in memory (tmpfs), so the sync at each commit reached no disk; on a "
                 "real disk each commit would also wait for the disk's flush")
    elif fs == "unknown":
        where = "The file system under the queue could not be determined"
    else:
        where = f"The queue's file was on {fs}, so each commit waited for its log to be synced to the storage below"
    busy = (f"; {cpus} usable CPU{'s' if cpus != 1 else ''} for three busy processes, so a commit could also "
            "wait its turn for a processor" if cpus < 3 else "")
    lags = 1000.0 * ev["until_stored_s"].to_numpy(dtype=float)
    k = max(1, len(lags) // 10)
    first, last = float(np.median(lags[:k])), float(np.median(lags[-k:]))
    lines = [f"Acknowledgement: median {ack:.1f} ms, {against}. {where}{busy}.",
             f"Time until stored: median {stored:.0f} ms, {stored / ack:.0f} times the acknowledgement; from "
             f"{first:.0f} ms for the first tenth of the events to {last:.0f} ms for the last."]
    if "scanned_s" in ev and "stored_s" in ev:
        puts_end = float(ev["scanned_s"].max())
        during = int((ev["stored_s"] <= puts_end).sum())
        put_ms = 1000 * puts_end / max(1, len(ev) - 1)
        pace_ms = 1000 * (float(ev["stored_s"].max()) - puts_end) / max(1, len(ev) - during)
        # How many events the consumer could have stored in the rush at its own later pace:
        # only when that is clearly more than it stored does the run point at the write lock.
        allowed = 1000 * puts_end / pace_ms if pace_ms > 0 else float("inf")
        rush = (f"While the capture service committed all {len(ev)} scans ({1000 * puts_end:.0f} ms, one every "
                f"{put_ms:.1f} ms), the consumer ")
        pace = f"one event every {pace_ms:.1f} ms (a {cost_ms:g} ms write and two commits)"
        if during >= 0.75 * len(ev):
            lines.append(
                f"{rush}stored {during} of them, at its own pace of one {cost_ms:g} ms write plus its commits per "
                "event; the others waited behind those queued before them.")
        elif allowed >= 8 and during < 0.5 * allowed:
            lines.append(
                f"{rush}stored only {during}, where its own pace afterwards, {pace}, would have allowed about "
                f"{allowed:.0f}: SQLite lets one writer commit at a time, and the capture service, committing back "
                "to back, most likely held the write lock whenever the consumer tried, so every event queued "
                "during the rush waited it out. The consumer's crash added little: its successor started at once.")
        elif during >= 0.5 * allowed:
            lines.append(
                f"{rush}stored {during}, about what its own pace, {pace}, allows in that time (about "
                f"{allowed:.0f}): the backlog is the gap between the two rates, as in the ski-lift model. The "
                "consumer's crash added little: its successor started at once.")
        else:
            lines.append(
                f"{rush}stored {during}; its own pace, {pace}, would allow only about {allowed:.0f} in so short "
                "a rush, too few to tell a held write lock from the gap between the two rates. Either way the "
                "backlog is that gap, as in the ski-lift model. The consumer's crash added little: its successor "
                "started at once.")
    return "\n".join(lines)
