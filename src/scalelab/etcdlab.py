"""Raft for real: a three-member etcd cluster on 127.0.0.1, next to the course's election model.

:func:`election_lab` starts three etcd members (Debian package ``etcd-server``), kills
the leader with SIGKILL a few times, and measures how long the survivors take to elect a
new leader and to accept a write again, and by how much the Raft term moved. It compares
those times with :func:`scalelab.consensus.simulate_election` run with the same
heartbeat and election timeout. etcd's Raft library counts time in ticks of one
heartbeat interval ``h``: a follower draws its election timeout as a whole number of
ticks, uniformly from ``T/h`` to ``2T/h - 1`` (``T`` is ``--election-timeout``), and
counts ticks from the last message it heard from the leader. Its first tick after that
message comes anywhere in the next ``h`` (its ticker does not run in step with the
leader's), so it campaigns a time uniform in ``[T - h, 2T - h]`` after that message:
the range the model uses (``timeout_min_ms = T - h``, ``timeout_spread_ms = T``).

:func:`stale_read_lab` pauses members with SIGSTOP so that one member is alive but cut
off from a majority and behind, then reads a key from it twice: a *serializable* read
(answered from the member's own copy) and a *linearizable* read (which needs the
leader to confirm it is current).

It talks to etcd through etcd's HTTP/JSON gateway (``POST /v3/kv/put``, ``/v3/kv/range``,
``/v3/maintenance/status``), on 127.0.0.1 only. Without etcd installed both functions
return the stored result of a run recorded with Debian's etcd 3.4.23, labelled as such.

References
----------
- D. Ongaro and J. Ousterhout, "In search of an understandable consensus algorithm",
  USENIX ATC 2014, sec. 5.2 (randomized election timeouts) and 6.4 (read-only queries).
- etcd documentation, "Tuning" (``--heartbeat-interval``, ``--election-timeout``) and
  "API guarantees" (linearizable and serializable reads), https://etcd.io/docs/v3.4/.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.error
import urllib.request

import numpy as np

from ._validate import count, in_range
from .measure import HostLoad, host_load
from .servers import HOST, LabResult, ServerGroup, free_port, have, stored_result

__all__ = ["election_lab", "stale_read_lab", "model_failover_ms", "election_figure", "MAX_KILLS", "MAX_TRIES"]

#: Most leader kills :func:`election_lab` performs (each takes about a second or two).
MAX_KILLS = 8
#: Longest a lab waits for any one thing (a leader, a write, a restart), seconds.
WAIT_S = 10.0
MEMBERS = 3


def _call(port: int, path: str, body: dict, timeout_s: float) -> dict:
    req = urllib.request.Request(f"http://{HOST}:{port}{path}", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=timeout_s) as resp:
        return json.loads(resp.read())


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _status(port: int, timeout_s: float = 0.3) -> tuple[str, str, int]:
    """(member id, leader id, raft term) as one member sees them."""
    s = _call(port, "/v3/maintenance/status", {}, timeout_s)
    return s["header"]["member_id"], s.get("leader", "0"), int(s.get("raftTerm", 0))


def _put(port: int, key: str, value: str, timeout_s: float) -> int:
    """Write; returns the Raft term in the reply's header."""
    return int(_call(port, "/v3/kv/put", {"key": _b64(key), "value": _b64(value)}, timeout_s)["header"]["raft_term"])


def _get(port: int, key: str, serializable: bool, timeout_s: float) -> str | None:
    reply = _call(port, "/v3/kv/range", {"key": _b64(key), "serializable": serializable}, timeout_s)
    kvs = reply.get("kvs") or []
    return base64.b64decode(kvs[0]["value"]).decode() if kvs else None


def _until(test, what: str, wait_s: float = WAIT_S, every_s: float = 0.01):
    end = time.perf_counter() + wait_s
    while time.perf_counter() < end:
        try:
            value = test()
            if value:
                return value
        except (OSError, urllib.error.URLError, ValueError, KeyError):
            pass
        time.sleep(every_s)
    raise TimeoutError(f"etcd lab: {what} did not happen within {wait_s:g} s")


def _start_cluster(group: ServerGroup, heartbeat_ms: int, election_ms: int) -> dict[str, dict]:
    names = [f"m{i}" for i in range(MEMBERS)]
    ports = {n: (free_port(), free_port()) for n in names}
    cluster = ",".join(f"{n}=http://{HOST}:{p[1]}" for n, p in ports.items())
    members = {}
    for n, (client, peer) in ports.items():
        cmd = ["etcd", "--name", n, "--data-dir", str(group.path(n)),
               "--listen-client-urls", f"http://{HOST}:{client}", "--advertise-client-urls", f"http://{HOST}:{client}",
               "--listen-peer-urls", f"http://{HOST}:{peer}", "--initial-advertise-peer-urls", f"http://{HOST}:{peer}",
               "--initial-cluster", cluster, "--initial-cluster-state", "new",
               "--initial-cluster-token", "scalelab-lab", "--heartbeat-interval", str(heartbeat_ms),
               "--election-timeout", str(election_ms), "--logger", "zap", "--log-level", "error"]
        group.start(n, cmd, port=client, ready=lambda s: True)
        members[n] = {"client": client}
    for n in names:
        members[n]["id"] = _until(lambda: _status(members[n]["client"])[0], f"{n} answering")
    _until(lambda: all(_status(m["client"])[1] != "0" for m in members.values()), "electing a first leader")
    return members


def _leader(members: dict) -> tuple[str, int]:
    by_id = {m["id"]: n for n, m in members.items()}
    for n, m in members.items():
        try:
            _, lead, term = _status(m["client"])
        except (OSError, urllib.error.URLError):
            continue
        if lead in by_id:
            return by_id[lead], term
    raise TimeoutError("no member names a leader")


def _check(kills, heartbeat_ms, election_timeout_ms):
    k = count("kills", kills, MAX_KILLS)
    hb = int(in_range("heartbeat_ms", heartbeat_ms, 10, 1000, integer=True))
    et = int(in_range("election_timeout_ms", election_timeout_ms, 50, 5000, integer=True))
    if et < 5 * hb:
        raise ValueError(f"election_timeout_ms must be at least 5 x heartbeat_ms (etcd refuses less), "
                         f"got {et} with heartbeat_ms={hb}")
    return k, hb, et


def model_failover_ms(heartbeat_ms: float = 50, election_timeout_ms: float = 500, runs: int = 200,
                      delay_ms: tuple[float, float] = (0.1, 1.0)) -> np.ndarray:
    """The course model's time from a leader crash to the next leader, ms, over ``runs`` seeds.

    Three nodes of :func:`scalelab.consensus.simulate_election` with timeouts uniform in
    ``[T - h, 2T - h]`` (``T = election_timeout_ms``, ``h = heartbeat_ms``): etcd draws
    ``T/h`` to ``2T/h - 1`` ticks of ``h`` and its first tick after a heartbeat comes up to
    ``h`` later (module docstring). The leader crashes 3 T after start (a leader exists
    by then in almost every run; runs without one are left out).

    >>> t = model_failover_ms(runs=20)
    >>> bool(400 < np.median(t) < 1100)
    True
    """
    from .consensus import simulate_election

    n = count("runs", runs, 2000)
    hb = float(in_range("heartbeat_ms", heartbeat_ms, 1, 5000))
    et = float(in_range("election_timeout_ms", election_timeout_ms, 5, 20_000))
    if et < 2 * hb:
        raise ValueError(f"election_timeout_ms must be at least 2 x heartbeat_ms, got {et!r} "
                         f"with heartbeat_ms={hb!r}")
    crash = 3 * et
    out = []
    for s in range(n):
        run = simulate_election(MEMBERS, et - hb, et, hb, delay_ms, crash_leader_at_ms=crash,
                                duration_ms=crash + 8 * et, seed=s)
        after = [t for t, _, kind, _ in run.events if kind == "leader" and t > crash]
        if after and any(kind == "crash" for _, _, kind, _ in run.events):
            out.append(after[0] - crash)
    return np.asarray(out)


def _median_noise_ms(model: np.ndarray, kills: int) -> tuple[float, float]:
    """5-95% range of (median of ``kills`` model failovers) - (model median): how far a
    median of that many kills strays by chance alone (seeded resampling of the model's runs)."""
    rng = np.random.default_rng(0)
    medians = np.median(rng.choice(model, (2000, kills)), axis=1) - np.median(model)
    lo, hi = np.percentile(medians, [5, 95])
    return float(lo), float(hi)


def _gap_cause(measured_ms: float, model_ms: float, host: HostLoad | None,
               noise_ms: tuple[float, float] = (0.0, 0.0), kills: int = 4,
               commit_ms: float = float("nan"), term_jumps: bool = False, lost_terms: str = "") -> str:
    """How etcd's median failover compares with the model's, and the likely cause of a later one
    (named only when the gap is beyond what a median of ``kills`` model runs strays by)."""
    gap = measured_ms - model_ms
    lo, hi = noise_ms
    if lo <= gap <= hi:
        return (f"etcd's median came {abs(gap):.0f} ms {'after' if gap > 0 else 'before'} the model's, within what "
                f"a median of {kills} kills strays by in the model itself ({lo:+.0f} to {hi:+.0f} ms): no gap to explain")
    if gap < 0:
        return f"etcd's median came {-gap:.0f} ms before the model's, earlier than a median of {kills} kills strays by"
    text = (f"etcd's median came {gap:.0f} ms after the model's, beyond what a median of {kills} kills strays by "
            f"in the model itself (up to {hi:+.0f} ms)")
    if lost_terms:  # the one-term failovers agree with the model: the lost terms make the gap
        return text + lost_terms
    if host is None:
        return text
    causes = host.causes()
    if causes:
        return (text + f"; likely cause: {'; and '.join(causes)}, so etcd's ticks and disk writes ran late"
                + ("; and the kills that moved the term by two (a term lost to check quorum, which the model "
                   "lacks)" if term_jumps else ""))
    if host.load is None:
        return text + " (the load average is unknown here, so a busy machine cannot be ruled out)"
    if 10 + commit_ms >= gap:
        return (text + f" on a quiet machine ({host}): the polling (at most 10 ms) and etcd's disk writes (a write "
                f"after the election took a median {commit_ms:.0f} ms) can make up {gap:.0f} ms")
    return (text + f" on a quiet machine ({host}): the polling (at most 10 ms) and etcd's disk writes (a write "
            f"after the election took a median {commit_ms:.0f} ms) cannot make up {gap:.0f} ms; "
            + ("the kills that moved the term by two (a term lost to check quorum, which the model lacks) can"
               if term_jumps else "something the model leaves out does: run the lab again"))


def _verdict(kills, model: np.ndarray, et: int, hb: int, host: HostLoad | None = None) -> str:
    measured = kills["ms to new leader"].to_numpy(float)
    lo, mid, hi = np.percentile(model, [5, 50, 95])
    inside = int(((measured >= lo) & (measured <= hi)).sum())
    half = et - hb + et / 2  # the middle of the range [T - h, 2T - h] of timeouts
    model_early = float(np.mean(model < half))
    early = int((measured < half).sum())
    steps = sorted(set(int(v) for v in kills["term change"]))
    below = int((measured < et).sum())
    commit = float(np.median(kills["ms to accepted write"].to_numpy(float) - measured))
    jumps = bool((kills["term change"].to_numpy() > 1).any())
    one = measured[kills["term change"].to_numpy() == 1]
    lost = ""
    if jumps and one.size:
        lo1, hi1 = _median_noise_ms(model, int(one.size))
        if lo1 <= float(np.median(one)) - float(mid) <= hi1:
            lost = (f"; the kills that moved the term by one took a median {np.median(one):.0f} ms, within what a "
                    f"median of {one.size} model runs strays by ({lo1:+.0f} to {hi1:+.0f} ms): the kills that moved "
                    "it by two (a term lost to check quorum, which the model lacks) make the gap")
    return (f"over {len(measured)} leader kills the survivors elected a new leader after a median "
            f"{np.median(measured):.0f} ms (range {measured.min():.0f}-{measured.max():.0f} ms) and accepted a write "
            f"after a median {kills['ms to accepted write'].median():.0f} ms; the model with the same settings gives "
            f"a median {mid:.0f} ms (5-95%: {lo:.0f}-{hi:.0f} ms), and {inside} of {len(measured)} measured times lie "
            f"in that range; {below} of {len(measured)} came sooner than the configured election timeout "
            f"({et} ms); the model ends {100 * model_early:.0f}% of its failovers before {half:.0f} ms (the middle "
            f"of the range of timeouts) and etcd ended {early} of {len(measured)} there; each kill moved the term by {' or '.join(map(str, steps))} "
            f"({'one election, no split vote' if steps == [1] else 'more than one term: a split vote or a disrupted election'}); "
            f"{_gap_cause(float(np.median(measured)), float(mid), host, _median_noise_ms(model, len(measured)), len(measured), commit, jumps, lost)}.")


def election_lab(kills: int = 4, heartbeat_ms: int = 50, election_timeout_ms: int = 500,
                 model_runs: int = 200) -> LabResult:
    """Kill the leader of a 3-member etcd cluster ``kills`` times; time each failover.

    Each round: write a key, wait one to two heartbeat intervals (a seeded random share,
    so that the kill falls at a random moment between heartbeats, as the model assumes:
    the write's commit reset the survivors' timers), SIGKILL the leader, poll the two
    survivors every 10 ms
    until one names a new leader, write again (through a survivor) and time it from the
    kill; then restart the killed member on its old data and wait until it follows the
    new leader. Every wait is bounded by :data:`WAIT_S`.

    Parameters
    ----------
    kills : rounds, in [1, MAX_KILLS].
    heartbeat_ms : etcd's ``--heartbeat-interval``, ms, in [10, 1000].
    election_timeout_ms : etcd's ``--election-timeout``, ms, in [50, 5000], at least
        5 x ``heartbeat_ms``.
    model_runs : seeds of the course's model, in [1, 2000].

    Returns
    -------
    LabResult with tables ``kills`` (one row per kill) and ``model`` (the model's
    failover times), facts (settings, medians) and a verdict.
    """
    import pandas as pd

    k, hb, et = _check(kills, heartbeat_ms, election_timeout_ms)
    runs = count("model_runs", model_runs, 2000)
    command = (f"3 etcd members on 127.0.0.1 (--heartbeat-interval {hb} --election-timeout {et}); "
               f"{k} times: write, wait 1-2 heartbeats, SIGKILL the leader, time the next leader and the next accepted write")
    if not have("etcd"):
        return stored_result("etcd_election", "etcd is not installed here (Debian package etcd-server)")
    # etcd counts the election timeout in whole ticks (election_ms // heartbeat_ms): model that
    model = model_failover_ms(hb, (et // hb) * hb, runs)
    host = host_load()  # read before the cluster starts: the machine as the lab found it
    command += f"; {host.cpus}; {host}"
    rows = []
    pause = np.random.default_rng(0)
    with ServerGroup(prefix="scalelab-etcd-") as group:
        members = _start_cluster(group, hb, et)
        for i in range(k):
            old, old_term = _leader(members)
            survivors = [n for n in members if n != old]
            _put(members[survivors[0]]["client"], "lab/round", str(i), 2.0)
            # The put's commit message reset both survivors' election timers just now; the
            # model kills the leader at a random moment between heartbeats, so wait one to
            # two heartbeat intervals, a random (seeded) share, before the kill.
            time.sleep(hb / 1000 * (1 + pause.random()))
            group.kill(old)
            t0 = time.perf_counter()
            old_id = members[old]["id"]

            def new_leader():
                for n in survivors:
                    _, lead, term = _status(members[n]["client"], 0.2)
                    if lead not in ("0", old_id):
                        return n, lead, term
                return None

            _, lead_id, term = _until(new_leader, "electing a new leader")
            t_lead = time.perf_counter() - t0
            write_term = _until(lambda: _put(members[survivors[0]]["client"], "lab/after", str(i), 1.0),
                                "accepting a write")
            t_write = time.perf_counter() - t0
            new = next(n for n, m in members.items() if m["id"] == lead_id)
            rows.append({"kill": i + 1, "killed leader": old, "old term": old_term, "new leader": new,
                         "new term": max(term, write_term), "term change": max(term, write_term) - old_term,
                         "ms to new leader": 1000 * t_lead, "ms to accepted write": 1000 * t_write})
            group.restart(old, ready=lambda s: True)
            _until(lambda: _status(members[old]["client"])[1] == lead_id, f"{old} rejoining")
    table = pd.DataFrame(rows)
    facts = {"heartbeat_ms": hb, "election_timeout_ms": et, "members": MEMBERS,
             "median_ms_to_leader": float(table["ms to new leader"].median()),
             "median_ms_to_write": float(table["ms to accepted write"].median()),
             "model_median_ms": float(np.median(model)), "model_p5_ms": float(np.percentile(model, 5)),
             "model_p95_ms": float(np.percentile(model, 95)), "usable_cpus": host.cpus.usable,
             "cpu_quota": host.cpus.quota, "host_cpus": host.host_cpus, "load_1min": host.load}
    model_table = pd.DataFrame({"model ms to new leader": model})
    return LabResult("etcd_election", {"kills": table, "model": model_table}, facts, _verdict(table, model, et, hb, host),
                     "measured just now on this machine", command)


#: Most repetitions :func:`stale_read_lab` performs.
MAX_TRIES = 8


def stale_read_lab(tries: int = 3, heartbeat_ms: int = 50, election_timeout_ms: int = 500,
                   read_timeout_s: float = 1.0) -> LabResult:
    """A member cut off from the majority: serializable versus linearizable reads from it.

    Each try: write ``v<k>`` and wait until follower X holds it; SIGSTOP X; write
    ``v<k+1>`` through the other two; SIGSTOP those two; send a serializable read to X
    (the kernel queues it while X is stopped) and SIGCONT X, so X runs and cannot reach
    a majority; then a linearizable read from X; then SIGCONT the others, wait until X
    holds ``v<k+1>`` and read both ways again.

    A paused process is not a cut cable: what the leader sent X while it was stopped
    waits in X's socket buffers, and when X wakes it may apply the newer value before
    it answers the read. Sending the read before X wakes gives it a head start, but it
    stays a race, which is why the lab repeats it; a linearizable read from X can only
    time out or return the latest value.

    Parameters
    ----------
    tries : repetitions, in [1, MAX_TRIES].
    heartbeat_ms, election_timeout_ms : as in :func:`election_lab`.
    read_timeout_s : how long one read may wait, seconds, in [0.2, 5].

    Returns
    -------
    LabResult with table ``reads`` (try, step, read kind, answer, latest value, ms),
    facts (counts) and a verdict.
    """
    import pandas as pd

    n = count("tries", tries, MAX_TRIES)
    _, hb, et = _check(1, heartbeat_ms, election_timeout_ms)
    wait = float(in_range("read_timeout_s", read_timeout_s, 0.2, 5))
    command = (f"3 etcd members on 127.0.0.1; {n} times: write, SIGSTOP follower X, write a newer value, SIGSTOP "
               "the other two, SIGCONT X, read the key from X (serializable, then linearizable); SIGCONT the "
               "others; read again")
    if not have("etcd"):
        return stored_result("etcd_stale_read", "etcd is not installed here (Debian package etcd-server)")
    rows = []

    def read(k: int, step: str, port: int, serializable: bool, latest: str) -> None:
        t0 = time.perf_counter()
        try:
            answer = _get(port, "lab/x", serializable, wait) or "(none)"
        except (OSError, urllib.error.URLError) as e:
            answer = "no answer: " + ("timed out" if "timed out" in str(e) else type(e).__name__)
        rows.append({"try": k, "step": step, "read": "serializable" if serializable else "linearizable",
                     "answer": answer, "latest write": latest, "ms": 1000 * (time.perf_counter() - t0)})

    with ServerGroup(prefix="scalelab-etcd-") as group:
        members = _start_cluster(group, hb, et)
        for k in range(1, n + 1):
            leader, _ = _leader(members)
            x = next(m for m in members if m != leader)
            others = [m for m in members if m != x]
            port_x = members[x]["client"]
            old, new = f"v{2 * k - 1}", f"v{2 * k}"
            _put(members[leader]["client"], "lab/x", old, 2.0)
            _until(lambda: _get(port_x, "lab/x", True, 0.5) == old, "X holding the old value")
            group.pause(x)
            _put(members[leader]["client"], "lab/x", new, 2.0)
            for m in others:
                group.pause(m)
            # the serializable read is sent while X is still stopped (the kernel queues it), then X wakes
            early = threading.Thread(target=read, args=(k, "X cut off", port_x, True, new))
            early.start()
            time.sleep(0.05)
            group.resume(x)
            early.join(wait + 1)
            read(k, "X cut off", port_x, False, new)
            for m in others:
                group.resume(m)
            _until(lambda: _get(port_x, "lab/x", False, 1.0) == new, "X catching up")
            read(k, "all running again", port_x, True, new)
            read(k, "all running again", port_x, False, new)
    table = pd.DataFrame(rows)
    cut = table[table.step == "X cut off"]
    ser, lin = cut[cut.read == "serializable"], cut[cut.read == "linearizable"]
    after = table[table.step == "all running again"]
    stale = int((ser.answer != ser["latest write"]).sum())
    lin_stale = int(((lin.answer != lin["latest write"]) & ~lin.answer.str.startswith("no answer")).sum())
    lin_none = int(lin.answer.str.startswith("no answer").sum())
    fresh_after = int((after.answer == after["latest write"]).sum())
    facts = {"tries": n, "serializable_stale": stale, "linearizable_no_answer": lin_none,
             "linearizable_stale": lin_stale, "fresh_after": fresh_after, "reads_after": len(after),
             "heartbeat_ms": hb, "election_timeout_ms": et, "read_timeout_s": wait}
    verdict = (f"cut off from the majority, member X answered the serializable read with an older value than the "
               f"latest acknowledged write in {stale} of {n} tries"
               + (" (the latest value otherwise: X had applied what waited in its socket buffers first)"
                  if stale < n else "") + f"; the linearizable read gave no answer within "
               f"{wait:g} s in {lin_none} of {n} tries and returned an older value in {lin_stale}; once the others "
               f"ran again, {fresh_after} of {len(after)} reads from X gave the latest value.")
    return LabResult("etcd_stale_read", {"reads": table}, facts, verdict, "measured just now on this machine", command)


def election_figure(result: LabResult):
    """Measured failover times (one dot per kill) beside the model's distribution (a box)."""
    import plotly.graph_objects as go

    from .explorer import show, title_over_legend

    if not isinstance(result, LabResult) or "kills" not in result.tables:
        raise ValueError(f"result must be the LabResult of election_lab, got {result!r}")
    kills, model = result.tables["kills"], result.tables["model"]
    et = result.facts["election_timeout_ms"]
    times = model["model ms to new leader"].to_numpy(float)
    width = 25.0
    edges = np.arange(np.floor(times.min() / width) * width, times.max() + width, width)
    share, _ = np.histogram(times, edges)
    share = share / max(len(times), 1)
    top = float(share.max()) * 1.15 if share.size else 1.0
    fig = go.Figure()
    fig.add_trace(go.Bar(x=(edges[:-1] + width / 2).round(1).tolist(), y=share.round(4).tolist(), width=width,
                         name=f"model: share of {len(times)} runs per {width:g} ms"))
    fig.add_trace(go.Scatter(x=kills["ms to new leader"].round(1).tolist(), y=[top] * len(kills), mode="markers",
                             marker={"size": 12}, name="etcd: new leader elected (one dot per kill)"))
    fig.add_trace(go.Scatter(x=kills["ms to accepted write"].round(1).tolist(), y=[top * 1.08] * len(kills),
                             mode="markers", marker={"size": 11, "symbol": "diamond"},
                             name="etcd: write accepted again"))
    fig.add_trace(go.Scatter(x=[et, et], y=[0, top * 1.15], mode="lines", line={"dash": "dot", "color": "gray"},
                             name=f"configured election timeout ({et} ms)"))
    fig.update_layout(**title_over_legend("Leader killed: time until a new leader, etcd against the model", 430),
                      xaxis_title="ms after SIGKILL of the leader", yaxis_title="share of model runs")
    return show(fig)
