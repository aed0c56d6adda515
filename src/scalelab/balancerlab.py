"""A real load balancer: HAProxy in front of replica processes, next to the policy models.

:func:`balancer_lab` starts ``replicas`` small single-threaded Python HTTP servers on
127.0.0.1 (each serves one request at a time; the others wait in its listen queue, so
each replica is a FIFO queue with one server) and one HAProxy (Debian package
``haproxy``) with one frontend per policy: ``random(1)`` (one random draw),
``roundrobin``, ``leastconn`` (fewest open connections: join the shortest queue) and
``random(2)`` (the least loaded of two random draws: the power of two choices; HAProxy
draws twice independently, so both draws may name the same replica, and the model here
draws the same way). Every replica has weight 256, so that the consistent-hash ring
that ``random`` looks its random numbers up on gives every replica nearly the same share.

An open-loop load generator then sends the same seeded Poisson stream of requests
through each frontend in turn. Each request carries its own service time, drawn from
a seeded exponential distribution; the replica sleeps that long. Every policy thus sees
the same arrivals and the same service times, as in
:func:`scalelab.loadbalancing.simulate_policy` (common random numbers). A request's
response time runs from its scheduled send time (so a late generator cannot hide
queueing) to the last byte of the reply.

The model is :func:`scalelab.loadbalancing.simulate_policy` with the same arrival rate,
service rate and number of replicas: its percentiles over many runs of the same length
give a 5-95% band for what a run of that length shows. Without ``haproxy`` the lab
returns the stored result of a run recorded with Debian's HAProxy 2.6.12, labelled.

References
----------
- HAProxy 2.6 Configuration Manual, section 4.2, ``balance``
  (https://docs.haproxy.org/2.6/configuration.html#4.2-balance).
- M. Mitzenmacher, "The power of two choices in randomized load balancing", IEEE TPDS
  12(10), 2001.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from pathlib import Path

import numpy as np

from ._validate import count, in_range, seed as check_seed
from .measure import load_average_1min, usable_cpus
from .palette import BLUE, GREEN, RED, _faded
from .servers import HOST, LabResult, ServerGroup, free_port, have, port_accepts, stored_result

__all__ = ["HAPROXY_POLICIES", "balancer_lab", "model_percentiles", "balancer_figure", "MAX_REQUESTS"]

#: HAProxy ``balance`` setting -> the name of the same policy in :mod:`scalelab.loadbalancing`.
HAPROXY_POLICIES = {"random(1)": "random", "roundrobin": "round robin", "random(2)": "two choices",
                    "leastconn": "shortest queue"}
#: Most requests per policy (the generator is bounded in count as well as in time).
MAX_REQUESTS = 5_000
#: Longest one request may take before it counts as failed, seconds.
RUN_TIMEOUT_S = 8.0
QUANTILES = (0.5, 0.9, 0.99)


def _workload(rate: float, mean_ms: float, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return np.cumsum(rng.exponential(1.0 / rate, n)), rng.exponential(mean_ms, n)


async def _one(port: int, start: float, at_s: float, ms: float, out: list, took: list, where: list, i: int,
               timeout_s: float) -> None:
    delay = start + at_s - time.perf_counter()
    if delay > 0:
        await asyncio.sleep(delay)
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), timeout_s)
        writer.write(f"GET /?ms={ms:.3f} HTTP/1.0\r\nHost: lab\r\n\r\n".encode())
        reply = await asyncio.wait_for(reader.read(), timeout_s)
        writer.close()
        if reply.startswith(b"HTTP/1.") and b" 200 " in reply[:20]:
            out[i] = time.perf_counter() - (start + at_s)
            fields = reply.rsplit(b"ok ", 1)[1].split()
            took[i], where[i] = float(fields[0]), int(fields[1])
    except (OSError, asyncio.TimeoutError, ValueError, IndexError):
        pass


def _generate(port: int, arrivals_s: np.ndarray, service_ms: np.ndarray, timeout_s: float
              ) -> tuple[np.ndarray, np.ndarray]:
    """Send the requests open-loop (each at its time, whatever the others do).

    Returns response times (s), the service time each replica reported (ms; NaN where
    a request failed or timed out) and the port of the replica that served it (0).
    """
    out = [float("nan")] * len(arrivals_s)
    took = [float("nan")] * len(arrivals_s)
    where = [0] * len(arrivals_s)

    async def main():
        start = time.perf_counter() + 0.05
        await asyncio.gather(*(_one(port, start, float(a), float(m), out, took, where, i, timeout_s)
                               for i, (a, m) in enumerate(zip(arrivals_s, service_ms))))

    # a thread of its own: a notebook already runs an event loop in this one
    worker = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    worker.start()
    worker.join(float(arrivals_s[-1]) + timeout_s + 5)
    return np.asarray(out), np.asarray(took), np.asarray(where)


def _random2_with_replacement(policy: str, arrival_rate: float, service_rate: float, servers: int,
                              n_requests: int, seed: int) -> np.ndarray:
    """Two choices as HAProxy's ``random(2)`` makes them: two independent draws, which may
    name the same replica (a quarter of the time with 4), the one serving fewer requests wins.

    Same arrivals and service times as :func:`scalelab.loadbalancing.simulate_policy` for the
    same seed; its ``"two choices"`` draws two different replicas.
    """
    from .loadbalancing import _by_length

    rng = np.random.default_rng(seed)
    interarrival = rng.exponential(1.0 / arrival_rate, n_requests)
    service = rng.exponential(1.0 / service_rate, n_requests)
    picks = np.random.default_rng([seed, 2])
    first, second = picks.integers(0, servers, n_requests), picks.integers(0, servers, n_requests)
    return _by_length(np.cumsum(interarrival).tolist(), service.tolist(), servers, first.tolist(), second.tolist())


def model_percentiles(load: float = 0.7, replicas: int = 4, mean_service_ms: float = 20.0, n_requests: int = 400,
                      runs: int = 100, rounds: int = 1) -> "pd.DataFrame":
    """The model's response-time percentiles (ms) for runs of ``rounds`` x ``n_requests``, per HAProxy policy.

    For each policy, ``runs`` times: ``rounds`` seeds of
    :func:`scalelab.loadbalancing.simulate_policy` of ``n_requests`` each (for
    ``random(2)``, the same with two draws that may coincide, as HAProxy draws), every one
    starting empty like a round of the lab, pooled; columns ``p50``, ``p90``, ``p99`` (median over
    runs) and ``p50 lo``/``p50 hi`` etc. (5th and 95th percentile over runs).

    >>> t = model_percentiles(n_requests=200, runs=5)
    >>> list(t.index), bool(t.loc["random(1)", "p90"] > t.loc["leastconn", "p90"])
    (['random(1)', 'roundrobin', 'random(2)', 'leastconn'], True)
    """
    import pandas as pd

    from .loadbalancing import simulate_policy

    rho = float(in_range("load", load, 0, 1, low_open=True, high_open=True))
    c = count("replicas", replicas, 32)
    mean_ms = float(in_range("mean_service_ms", mean_service_ms, 1, 1000))
    n = count("n_requests", n_requests, MAX_REQUESTS, low=20)
    k = count("runs", runs, 1000)
    r = count("rounds", rounds, 10)
    mu = 1000.0 / mean_ms
    rows = {}
    for name, policy in HAPROXY_POLICIES.items():
        run = _random2_with_replacement if name == "random(2)" else simulate_policy
        q = np.array([np.quantile(np.concatenate([run(policy, rho * c * mu, mu, c, n, r * s + j)
                                                  for j in range(r)]), QUANTILES) for s in range(k)])
        row = {}
        for j, p in enumerate(QUANTILES):
            label = f"p{100 * p:g}"
            row[label] = 1000 * float(np.median(q[:, j]))
            row[f"{label} lo"], row[f"{label} hi"] = (1000 * float(v) for v in np.percentile(q[:, j], [5, 95]))
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def _config(frontends: dict[str, int], replica_ports: list[int]) -> str:
    lines = ["global", "    maxconn 4096", "defaults", "    mode tcp", "    timeout connect 2s",
             "    timeout client 20s", "    timeout server 20s", "    timeout queue 20s"]
    for i, (policy, port) in enumerate(frontends.items()):
        lines += [f"frontend f{i}", f"    bind {HOST}:{port}", f"    default_backend b{i}",
                  f"backend b{i}", f"    balance {policy}"]
        # weight 256 (the most HAProxy allows): random(n) looks a random number up on a
        # consistent-hash ring with 16 points per unit of weight, so with the default weight 1
        # the ring's arcs give 4 replicas unequal shares (measured: 18% to 28%); 4096 points
        # each make the draw nearly uniform, as the model assumes. Equal weights change
        # nothing for roundrobin and leastconn.
        lines += [f"    server r{k} {HOST}:{p} weight 256" for k, p in enumerate(replica_ports)]
    return "\n".join(lines) + "\n"


def balancer_lab(load: float = 0.6, replicas: int = 4, mean_service_ms: float = 25.0, seconds: float = 1.25,
                 rounds: int = 2, seed: int = 13, model_runs: int = 100) -> LabResult:
    """Measure response-time percentiles through HAProxy for four policies, against the model.

    The policies take turns: ``rounds`` rounds, each running every policy for
    ``seconds`` on the same workload (a new seeded workload per round), so that a
    change in how busy the machine is spreads over all of them. Each request's
    response time is measured, and so is the service time the replica really took
    (a busy machine oversleeps). Two models are set beside the measurement: one at the
    load asked for, and one at the load the replicas really carried (the mean service
    time they reported).

    Parameters
    ----------
    load : utilization of the replicas asked for, in (0, 0.9].
    replicas : replica processes, in [2, 8].
    mean_service_ms : mean of the exponential service time, ms, in [5, 200].
    seconds : length of one policy's run in one round, in (0, 5].
    rounds : rounds, in [1, 4]; requests per run = arrival rate x seconds, in [20, MAX_REQUESTS].
    seed : seed of arrivals and service times (round k uses seed + k for every policy).
    model_runs : seeds of the model per policy, in [1, 1000].

    Returns
    -------
    LabResult with tables ``percentiles`` (measured and both models per policy, ms) and
    ``shares`` (share of requests each replica served, per policy), facts and a verdict.
    """
    import pandas as pd

    rho = float(in_range("load", load, 0, 0.9, low_open=True))
    c = count("replicas", replicas, 8, low=2)
    mean_ms = float(in_range("mean_service_ms", mean_service_ms, 5, 200))
    secs = float(in_range("seconds", seconds, 0, 5, low_open=True))
    r = count("rounds", rounds, 4)
    s = check_seed("seed", seed)
    runs = count("model_runs", model_runs, 1000)
    rate = rho * c * 1000.0 / mean_ms
    n = int(round(rate * secs))
    if not 20 <= n <= MAX_REQUESTS:
        raise ValueError(f"load x replicas / mean_service_ms x seconds must give between 20 and {MAX_REQUESTS} "
                         f"requests, got {n}")
    command = (f"{c} single-threaded Python HTTP replicas and HAProxy (balance random(1), roundrobin, leastconn, "
               f"random(2)) on 127.0.0.1; {r} rounds x {n} requests per policy, Poisson at {rate:.0f}/s, "
               f"exponential service of mean {mean_ms:g} ms (load {rho:g})")
    if not have("haproxy"):
        return stored_result("haproxy_balancer", "haproxy is not installed here (Debian package haproxy)")
    workloads = [_workload(rate, mean_ms, n, s + k) for k in range(r)]
    measured = {p: [] for p in HAPROXY_POLICIES}
    served = {p: [] for p in HAPROXY_POLICIES}
    took = []
    with ServerGroup(prefix="scalelab-haproxy-") as group:
        replica_ports = [free_port() for _ in range(c)]
        script = str(Path(__file__).with_name("_replica.py"))
        for k, p in enumerate(replica_ports):
            group.start(f"replica{k}", [sys.executable, "-I", script, str(p)], port=p)
        frontends = {policy: free_port() for policy in HAPROXY_POLICIES}
        cfg = group.directory / "haproxy.cfg"
        cfg.write_text(_config(frontends, replica_ports))
        group.start("haproxy", ["haproxy", "-db", "-f", str(cfg)],
                    ready=lambda _: all(port_accepts(p) for p in frontends.values()))
        for port in frontends.values():  # warm-up, not measured
            _generate(port, np.arange(1, 9) * 0.005, np.full(8, 1.0), 2.0)
        # overhead: requests with no service time, one at a time (40 ms apart), through the proxy
        idle_ms = 1000 * float(np.nanmedian(_generate(frontends["roundrobin"], np.arange(1, 11) * 0.04,
                                                      np.zeros(10), 2.0)[0]))
        for arrivals, service in workloads:
            for policy, port in frontends.items():
                times, real, where = _generate(port, arrivals, service, RUN_TIMEOUT_S)
                measured[policy].append(times)
                served[policy].append(where)
                took.append(real)
    asked = model_percentiles(rho, c, mean_ms, n, runs, r)
    real_ms = float(np.nanmean(np.concatenate(took)))
    drawn_ms = float(np.mean(np.concatenate([w[1] for w in workloads])))
    # The replicas took real_ms per request where the drawn services asked for drawn_ms: the same
    # slow-down applied to the workload asked for keeps its arrival rate and stretches its mean
    # service time to mean_ms x real_ms / drawn_ms, a load of rho x real_ms / drawn_ms.
    slow = real_ms / drawn_ms
    rho_real = rho * slow
    real_model = model_percentiles(rho_real, c, mean_ms * slow, n, runs, r) if rho_real < 0.98 else None
    rows = []
    for policy, parts in measured.items():
        times = np.concatenate(parts)
        ok = times[np.isfinite(times)]
        row = {"policy": policy, "model policy": HAPROXY_POLICIES[policy], "requests": times.size,
               "failed": int(times.size - ok.size)}
        for p in QUANTILES:
            label = f"p{100 * p:g}"
            value = 1000 * float(np.quantile(ok, p)) if ok.size else float("nan")
            row[f"{label} measured"] = value
            for name, model in (("model", asked), ("model at real load", real_model)):
                if model is None:
                    row[f"{label} {name}"], row[f"{label} {name} 5-95%"], row[f"{label} {name} inside"] = \
                        float("nan"), "unstable", False
                    continue
                lo, hi = model.loc[policy, f"{label} lo"], model.loc[policy, f"{label} hi"]
                row[f"{label} {name}"] = model.loc[policy, label]
                row[f"{label} {name} 5-95%"] = f"{lo:.0f}-{hi:.0f}"
                row[f"{label} {name} inside"] = bool(lo <= value <= hi)
        rows.append(row)
    table = pd.DataFrame(rows).set_index("policy")
    shares = pd.DataFrame({policy: [float(np.mean(np.concatenate(w) == p)) for p in replica_ports]
                           for policy, w in served.items()}, index=[f"replica {k}" for k in range(c)]).T
    shares.index.name = "policy"
    facts = {"load": rho, "replicas": c, "mean_service_ms": mean_ms, "requests_per_policy": int(r * n),
             "rounds": r, "arrival_rate_per_s": rate, "seconds": secs, "idle_round_trip_ms": idle_ms,
             "drawn_mean_service_ms": drawn_ms, "real_mean_service_ms": real_ms, "slow_down": slow,
             "real_load": rho_real,
             "load_average_1min": load_average_1min(), "usable_cpus": usable_cpus().usable,
             "host_cpus": os.cpu_count()}
    return LabResult("haproxy_balancer", {"percentiles": table, "shares": shares}, facts, _verdict(table, shares, facts),
                     "measured just now on this machine", command)


def _verdict(table, shares, facts: dict) -> str:
    def inside(name: str) -> int:
        return int(sum(table[f"p{100 * p:g} {name} inside"].sum() for p in QUANTILES))

    total = len(table) * len(QUANTILES)
    by_measured = list(table["p90 measured"].sort_values().index)
    by_model = list(table["p90 model"].sort_values().index)
    gap = (table["p50 measured"] - table["p50 model"]).median()
    failed = int(table["failed"].sum())
    real = (f"{inside('model at real load')} of {total} lie inside the band of the model run at that real load"
            if facts["real_load"] < 0.98 else "at that load the model's queues grow without bound")
    return (f"{inside('model')} of {total} measured percentiles (p50, p90, p99 of 4 policies) lie inside the "
            f"model's 5-95% band for runs of this length at the load asked for ({facts['load']:g}); the measured "
            f"median is {gap:+.1f} ms off the model's. The replicas took {facts['real_mean_service_ms']:.1f} ms per "
            f"request on average where {facts['drawn_mean_service_ms']:.1f} ms was asked (sleeping, as each replica "
            f"timed it, on a machine with a 1-minute load average of {facts['load_average_1min']:.1f} on "
            + (f"the host's {facts['host_cpus']} CPUs, {facts['usable_cpus']} of them usable here), "
               if facts.get("host_cpus") else f"{facts['usable_cpus']} usable CPUs), ")
            + f"{facts['real_mean_service_ms'] / facts['drawn_mean_service_ms']:.2f} "
            f"times as long, which turns the workload asked for into a load of {facts['real_load']:.2f}; {real}. "
            f"A request alone took {facts['idle_round_trip_ms']:.1f} ms end to end with no service time. "
            f"By p90 the measured order, best first, is {', '.join(by_measured)}; the model's is "
            f"{', '.join(by_model)}{' (the same)' if by_measured == by_model else ''}; random(2) "
            f"{'beat' if table.loc['random(2)', 'p90 measured'] < table.loc['random(1)', 'p90 measured'] else 'did not beat'}"
            f" random(1) here. Each replica served between {100 * shares.min(axis=1).min():.0f}% and "
            f"{100 * shares.max(axis=1).max():.0f}% of a policy's requests ({100 / shares.shape[1]:.0f}% would be "
            f"even; under random(1): {100 * shares.loc['random(1)'].min():.0f}-{100 * shares.loc['random(1)'].max():.0f}%). "
            f"{failed} requests failed.")


def balancer_figure(result: LabResult):
    """Measured p50/p90/p99 per policy (markers) beside the model's band (bars from 5% to 95%)."""
    import plotly.graph_objects as go

    from .explorer import show, title_over_legend

    if not isinstance(result, LabResult) or "percentiles" not in result.tables:
        raise ValueError(f"result must be the LabResult of balancer_lab, got {result!r}")
    t = result.tables["percentiles"]
    fig = go.Figure()
    bars: list[str] = []
    for p, colour in zip(QUANTILES, (GREEN, BLUE, RED)):
        label = f"p{100 * p:g}"
        xs = [f"{policy} {label}" for policy in t.index]
        bars += xs
        lo_hi = [tuple(float(v) for v in s.split("-")) for s in t[f"{label} model 5-95%"]]
        real = t[f"{label} model at real load"].round(1).tolist()
        fig.add_trace(go.Bar(x=xs, y=[hi - lo for lo, hi in lo_hi], base=[lo for lo, _ in lo_hi],
                             marker={"color": _faded(colour, 0.3), "line": {"color": colour, "width": 1.5}},
                             name=f"model {label}, 5-95% of runs"))
        fig.add_trace(go.Scatter(x=xs, y=t[f"{label} measured"].round(1).tolist(), mode="markers",
                                 marker={"color": colour, "size": 11, "symbol": "diamond"},
                                 name=f"HAProxy {label}, measured"))
        fig.add_trace(go.Scatter(x=xs, y=real, mode="markers", marker={"color": colour, "size": 9, "symbol": "x"},
                                 name=f"model {label} at the load carried"))
    fig.update_layout(**title_over_legend("Response time through HAProxy against the policy model", 520),
                      yaxis_title="ms", barmode="overlay",
                      # every bar labelled: on a phone plotly would skip every other category
                      xaxis={"title": {"text": "policy and percentile"}, "tickmode": "array", "tickvals": bars})
    return show(fig)
