"""The bad-input audit of issue 12: call every public callable of scalelab with bad values.

Walks the package by introspection (functions, classes and their public methods, defined
in each public module), finds valid baseline arguments for each (its defaults, the
declared ``BASELINE`` below, or guesses refined by the ``ValueError`` messages), then
replaces one numeric parameter at a time with each kind of bad value and runs the call in
a forked child with a time limit and a memory cap (``resource.setrlimit``).

Outcomes of a call:

``ok``           a ValueError naming the parameter (or, for a value that may be legal,
                 a prompt result with no new NaN or inf);
``accepted``     the value is declared legal in ``ACCEPTS`` and the call returned;
``wrong_error``  a ValueError that does not name the parameter;
``other_error``  any other exception (TypeError, OverflowError, ...);
``returned``     a clearly bad value (NaN, a string, None...) was accepted silently;
``nonfinite``    the result holds NaN or inf where the baseline's did not;
``hang``         no answer within the time limit;
``memory``       MemoryError (or killed) under the memory cap.

Run it by hand for the counts: ``.venv/bin/python tests/bad_inputs.py`` (all calls) or
``--sample 0.3``. tests/test_bad_inputs.py runs a seeded sample and fails on anything
but ``ok`` and ``accepted``.

Every declaration lives in this file, in the four tables below.
"""

from __future__ import annotations

import importlib
import inspect
import json
import math
import os
import pkgutil
import random
import resource
import select
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

import scalelab

# ---------------------------------------------------------------------------------------
# The one declared place.
# ---------------------------------------------------------------------------------------

#: Modules not walked, with the reason.
SKIP_MODULES: dict[str, str] = {
    "scalelab.sphinxext": "a Sphinx extension hook: its one argument is the Sphinx app",
    "scalelab.sphinx_repository": "a Sphinx extension: a hook on the Sphinx app and a reader of the "
                                  "build's environment, not of a reader's values (tests/test_publish.py)",
    "scalelab.threadmeasure": "starts real threads and processes, which the child's address-space cap "
                              "forbids; its bad inputs are tested in tests/test_concurrency.py",
    "scalelab.servers": "starts real server processes, which the child's address-space cap forbids; its bad "
                        "inputs are tested in tests/test_servers.py",
    "scalelab.etcdlab": "starts a real etcd cluster (its baseline call would); bad inputs in tests/test_labs.py",
    "scalelab.redislab": "starts a real Redis Cluster (its baseline call would); bad inputs in tests/test_labs.py",
    "scalelab.balancerlab": "starts HAProxy and replica processes (its baseline call would); bad inputs in "
                            "tests/test_labs.py",
    "scalelab.player": "a display helper over a protocol function, like scalelab.explorer; its bad "
                       "inputs are tested in tests/test_player.py",
    "scalelab.exercises": "the checker answers a reader's answer with feedback, not a ValueError "
                          "(its input handling is tested in tests/test_exercises.py)",
}

RECORD = "a result record (dataclass) that the module's functions fill in; its fields are outputs, not inputs"

#: Callables not called, with the reason ("module.name" or "module.Class.method").
SKIP_CALLABLES: dict[str, str] = {
    "actors.counter": "an actor behaviour, run by spawn(counter); its one argument is the actor itself",
    "consensus.FlpResult": RECORD,
    "consensus.ElectionRun": RECORD,
    "transport.Transfer": RECORD,
    "loopback.Boundaries": RECORD,
    "measure.CpuCount": RECORD,
    "measure.Timings": RECORD,
    "measure.HostLoad": RECORD,
    "csp.pipeline_verdict": "takes a result table or object made by the module's own measurement or model, not a reader's value",
    "eventloop.heartbeat_verdict": "takes a result table or object made by the module's own measurement or model, not a reader's value",
    "loopback.LatencySamples": RECORD,
    "loopback.LatencySamples.table": "takes a result table or object made by the module's own measurement or model, not a reader's value",
    "loopback.LatencySamples.verdict": "takes a result table or object made by the module's own measurement or model, not a reader's value",
    "placement.preference_list": "takes a result table or object made by the module's own measurement or model, not a reader's value (a ConsistentHashRing, checked by type)",
    "placement.replica_walk": "takes a result table or object made by the module's own measurement or model, not a reader's value (a ConsistentHashRing, checked by type)",
    "runs.Run": RECORD,
    "runs.Event": RECORD,
    "runs.Message": RECORD,
    "runs.Violation": RECORD,
    "runs.Node": "a protocol node's base class: its handlers are called by Network.run, not by a reader",
    **{f"runs.Network.{m}": "called by a protocol's handlers while Network.run runs it, not by a reader"
       for m in ("send", "set_timer", "cancel_timer", "changed", "up")},
    **{f"runs.{m}": "a method of a record made by Network.run (tests/test_runs.py)"
       for m in ("Event.line", "Run.messages", "Run.states", "Run.trace")},
    **{f"runs.Node.{m}": "a protocol node's handler, called by Network.run" for m in
       ("describe", "receive", "restart", "start", "timer")},
    "failures.check_payment": "takes the events of a run made by the module's own payment_run",
    "replication.check_quorum_read": "takes the events of a run made by the module's own quorum_run",
    "consensus.check_one_leader_per_term": "takes the events of a run made by the module's own raft_election_run",
    "security.encryption_verdict": "takes a result table or object made by the module's own measurement or model, not a reader's value",
    "asyncqueue.durable_queue_verdict": "takes a result table or object made by the module's own measurement or model, not a reader's value",
}


#: Baseline arguments that guessing cannot find: {"module.name": {param: value or factory}}.
#: A factory is a zero-argument callable marked with ``Make``; it runs in the child.
@dataclass(frozen=True)
class Make:
    fn: Callable[[], Any]


_KEEP: list = []  # objects a baseline needs alive (a socket's peer, a server) in the child


def _events():
    from scalelab import clocks
    return clocks.random_exchange()


def _loaded_socket():
    """One end of a socket pair whose peer has sent one framed message (b"hello")."""
    import socket
    from scalelab import loopback
    a, b = socket.socketpair()
    loopback.send_framed(b, b"hello")
    a.settimeout(1.0)
    _KEEP.append(b)  # keep the peer open
    return a


def _rpc_server():
    """A Calculator served in this (child) process: (registry, address)."""
    from scalelab import rpc
    registry = rpc.Registry()
    server = rpc.serve(rpc.Calculator(), registry, "calc")
    address = server.__enter__()  # the child exits without leaving the block
    _KEEP.append(server)
    return registry, address


def _actor_with_mail():
    from scalelab import actors
    me = actors.inbox()
    me.send("hello")
    return me


def _channel_with_value():
    from scalelab import csp
    ch = csp.Channel(1)
    ch.send("x")
    return ch


def _stub():
    from scalelab import rpc
    return rpc.Stub(_rpc_server()[1])


def _timings():
    from scalelab import measure
    return measure.interleaved({"a": lambda: None, "b": lambda: None}, repeats=3, budget_s=1.0)


def _pipe_end():
    """The sending end of a multiprocessing pipe whose other end stays open."""
    import multiprocessing
    recv, send = multiprocessing.Pipe(duplex=False)
    _KEEP.append(recv)
    return send


def _explorer():
    from scalelab import amdahl, explorer
    return explorer.explore(amdahl.speedup_curves, serial_fraction=(0, 0.5, 0.1, 0.1), title="s = {serial_fraction}")


def _figure():
    import plotly.graph_objects as go
    return go.Figure([go.Scatter(x=[1, 2], y=[3, 4])])


def _speedup_table():
    """A table shaped like parallel.measure_speedup's (made by hand: no processes forked)."""
    import pandas as pd
    from scalelab import amdahl, measure
    cpus = measure.usable_cpus()
    seconds = [1.0, 0.55, 0.4, 0.35]
    table = pd.DataFrame({"workers": [1, 2, 3, 4], "seconds": seconds, "min_s": [s * 0.95 for s in seconds],
                          "max_s": [s * 1.05 for s in seconds], "runs": [3] * 4,
                          "speedup": [1.0 / s for s in seconds]})
    table["amdahl"] = amdahl.speedup(0.2, [min(w, cpus.usable) for w in table["workers"]])
    table.attrs.update(cpus=cpus, serial_fraction=0.2, physical_cores=None, load_average=1.0)
    return table


def _lazy(module: str, name: str, **kwargs):
    def make():
        return getattr(importlib.import_module(f"scalelab.{module}"), name)(**kwargs)
    return Make(make)


BASELINE: dict[str, dict[str, Any]] = {
    # Keys that are not parameters of the callable go to its **kwargs (explore's sliders).
    # smaller runs than the defaults (seconds each on a busy machine; the bad values are the same)
    "csp.simulate_pipeline": {"producer_rate_per_s": 100.0, "consumer_rate_per_s": 100.0, "buffer": 2, "items": 2000},
    "csp.pipeline_table": {"buffers": (0, 1, 4), "items": 1000},
    "asyncqueue.capture": {"path": "queue.sqlite", "first": 0, "n_events": 3, "conn": Make(_pipe_end)},
    "asyncqueue.durable_queue_run": {"n_events": 20, "write_cost_s": 0.001, "timeout_s": 20.0},
    "clocks.injected_step_report": {"repeats": 1, "sleep_s": 0.05},
    "consensus.election_statistics": {"spreads_ms": (0, 150), "seeds": 3, "limit_ms": 1000.0},
    "consensus.election_timeline_curves": {"seed": 0, "timeout_spread_ms": 150.0},
    "consensus.election_summary": {"seed": 0, "timeout_spread_ms": 150.0},
    "hashing.compare_lookup": {"n_keys": 1000, "n_nodes": 4, "vnodes": 8, "repeats": 1, "budget_s": 0.5},
    "loopback.latency_samples": {"n": 20, "rounds": 2, "size_bytes": 64, "budget_s": 2.0},
    "loopback.throughput_by_size": {"sizes_bytes": (64, 4096), "budget_s": 0.05, "max_repeats": 5, "rounds": 2},
    "loopback.time_wait_after_close": {"n": 2, "wait_s": 0.2},
    "overload.limiter_table": {"rate_per_s": 3.0, "limits_per_s": (1.0, 5.0)},
    "placement.replica_picture": {"nodes": 4, "vnodes": 2, "replicas": 2},
    "placement.replica_summary": {"nodes": 4, "vnodes": 2, "replicas": 2},
    "queueing.reliable_ccdf": {"samples": [float(i % 7) for i in range(200)], "t": [1.0, 3.0], "batches": 10},
    "queueing.wait_tail_check": {"load": 0.5, "servers": 2},
    "availability.k_of_n_availability": {"availability": 0.9, "replicas": 5, "needed": 4},
    "concurrency.run_threads": {"targets": Make(lambda: [lambda: None]), "timeout_s": 1.0},
    "parallel.measure_speedup": {"serial_fraction": 0.2, "max_workers": 2, "work_seconds": 0.02, "repeats": 1,
                                 "timeout_s": 20.0, "budget_s": 0.5},
    "parallel.usl_fit": {"table": Make(_speedup_table)},
    "parallel.verdict": {"table": Make(_speedup_table)},
    "parallel.measurement_figure": {"measured": Make(_speedup_table), "serial_fraction": 0.2},
    "explorer.Slider": {"values": (0.1, 0.2, 0.3)},
    "explorer.Slider.shown": {"value": 0.2},
    "explorer.choices": {"values": [1, 2, 4]},
    "explorer.explore": {"model": Make(lambda: importlib.import_module("scalelab.amdahl").speedup_curves),
                         "serial_fraction": (0, 0.5, 0.1, 0.1)},
    "explorer.show": {"figure": Make(_figure)},
    "explorer.title_over_legend": {"title": "T", "height": 500},
    "explorer.Shown": {"figure": Make(_figure)},
    "explorer.Shown.to_html": {"__instance__": Make(lambda: importlib.import_module("scalelab.explorer").show(_figure()))},
    "explorer.Explorer": {"model": Make(lambda: importlib.import_module("scalelab.amdahl").speedup_curves),
                          "sliders": Make(lambda: [importlib.import_module("scalelab.explorer")._as_slider(
                              "serial_fraction", (0, 0.5, 0.1))]), "layout": {}},
    **{f"explorer.Explorer.{m}": {"__instance__": Make(_explorer)} for m in (
        "curves", "empty_frames", "figure", "static_figure_json", "static_spec", "to_html", "update", "widget")},
    "explorer.Explorer.title_at": {"__instance__": Make(_explorer), "params": {"serial_fraction": 0.1}},
    "explorer.Explorer.time_updates": {"__instance__": Make(_explorer), "max_points": 3, "min_samples": 3},
    "runs.Network": {"nodes": ["a", "b"]},
    "runs.Network.run": {"__instance__": Make(lambda: __import__("scalelab.runs").runs.Network(["a", "b"])),
                         "nodes": Make(lambda: {n: __import__("scalelab.runs").runs.Node(n) for n in "ab"})},
    "loadbalancing.exact_response_rate": {"policy": "random", "arrival_rate": 3.0, "service_rate": 1.0, "servers": 4},
    "loadbalancing.tail_grid_check": {"loads": (0.5,), "servers": (2,), "seeds": 2},
    "queueing.batch_means_ci": {"samples": [float(i % 7) for i in range(200)], "batches": 10},
    "queueing.stationary_free_times": {"arrival_rate": 0.5, "service_rate": 1.0, "servers": 2,
                                       "rng": Make(lambda: __import__("numpy").random.default_rng(0))},
    "measure.interleaved": {"settings": {"a": lambda: None, "b": lambda: None}},
    "measure.usable_cpus": {"cgroup_root": "/sys/fs/cgroup"},
    "measure.host_load": {"load_average": 1.0, "cpus": Make(lambda: __import__("scalelab.measure").measure.CpuCount(
        affinity=64, quota=2.0, usable=2)), "host_cpus": 64},
    "measure.HostLoad.busy": {"__instance__": Make(lambda: __import__("scalelab.measure").measure.host_load(1.0)),
                              "margin": 0.5},
    "measure.HostLoad.causes": {"__instance__": Make(lambda: __import__("scalelab.measure").measure.host_load(1.0)),
                                "margin": 0.5},
    "measure.Timings.median": {"__instance__": Make(lambda: _timings()), "label": "a"},
    "measure.Timings.spread": {"__instance__": Make(lambda: _timings()), "label": "a"},
    "measure.Timings.table": {"__instance__": Make(lambda: _timings())},
    "amdahl.fit_usl": {"cores": [1, 2, 4, 8, 16], "measured_speedup": [1.0, 1.8, 3.0, 4.4, 5.0]},
    "asyncqueue.drain_summary": {"day": _lazy("asyncqueue", "ski_lift_day")},
    "asyncqueue.durable_queue_figure": {"run": _lazy("asyncqueue", "durable_queue_run", n_events=20,
                                                     write_cost_s=0.001)},
    "asyncqueue.DurableQueue": {"path": "queue.sqlite"},
    "asyncqueue.consume": {"path": "queue.sqlite", "idle_timeout_s": 0.2},
    "clocks.check_against_happened_before": {"events": Make(_events)},
    "clocks.compare_events": {"events": _lazy("clocks", "random_exchange", processes=2, events=4),
                              "pairs": [("a1", "b1")]},
    "clocks.happened_before": {"events": Make(_events)},
    "clocks.lamport_timestamps": {"events": Make(_events)},
    "clocks.logical_clock_table": {"events": Make(_events)},
    "clocks.spacetime_figure": {"events": Make(_events)},
    "clocks.vector_order": {"u": {"a": 1, "b": 0}, "v": {"a": 1, "b": 2}},
    "clocks.vector_timestamps": {"events": Make(_events)},
    "csp.Channel": {"capacity": 1},
    "csp.go": {"fn": Make(lambda: (lambda *args: None))},
    "csp.pipeline_replay_s": {"make_s": [0.004, 0.002, 0.005], "use_s": [0.003, 0.004, 0.001], "buffer": 1},
    "csp.Channel.recv": {"__instance__": Make(_channel_with_value)},
    "databases.key_hash": {"key": "user:1"},
    "databases.node_for_key": {"key": "user:1"},
    "eventloop.pk_table": {"customers": 2000},
    "eventloop.simulate_mg1": {"customers": 2000},
    "overload.compare_with_simulation": {"attack_rates_per_s": (0, 1000), "limits_per_s": (math.inf, 10.0),
                                         "duration_s": 0.5},
    "overload.simulate_flood": {"legit_rate_per_s": 600.0, "attack_rate_per_s": 1000.0, "duration_s": 0.5},
    "hashing.fmix64": {"h": np.array([1, 2, 3], dtype=np.uint64)},
    "actors.Actor.receive": {"__instance__": Make(lambda: _actor_with_mail())},
    "actors.spawn": {"behaviour": Make(lambda: importlib.import_module("scalelab.actors").counter)},
    "hashing.ConsistentHashRing": {"nodes": ["a", "b", "c"]},
    "hashing.ConsistentHashRing.add": {"node": "d"},
    "hashing.ConsistentHashRing.remove": {"node": "a"},
    "hashing.ConsistentHashRing.lookup": {"keys": ["k1", "k2"]},
    "hashing.ConsistentHashRing.lookup_hashes": {"hashes": np.array([1, 2**40], dtype=np.uint64)},
    "hashing.crc16_xmodem": {"keys": ["k1", "k2"]},
    "hashing.encode_keys": {"keys": ["k1", "k2"]},
    "hashing.fnv1a_64": {"keys": ["k1", "k2"]},
    "hashing.hash64": {"keys": ["k1", "k2"]},
    "hashing.redis_hash_slot": {"keys": ["k1", "k2"]},
    "hashing.modulo_lookup": {"keys": ["k1", "k2"], "nodes": ["a", "b"]},
    "loadbalancing.simulate_policy": {"policy": "random", "n_requests": 1000},
    "loopback.fit_latency_bandwidth": {"sizes_bytes": [64, 512, 4096], "seconds": [1e-5, 2e-5, 6e-5]},
    "loopback.throughput_verdict": {"table": Make(lambda: __import__("pandas").DataFrame(
        {"size_bytes": [64, 4096, 1 << 20], "seconds": [1e-5, 1.1e-5, 3e-4], "Mbit/s": [51.2, 2978.9, 27962.0],
         "spread": [0.05, 0.05, 0.05]})), "latency_s": 1e-5, "bandwidth_bps": 2.9e10},
    "loopback.recv_exact": {"sock": Make(_loaded_socket), "n": 4},
    "loopback.recv_framed": {"sock": Make(_loaded_socket)},
    "loopback.send_framed": {"sock": Make(_loaded_socket), "payload": b"hi"},
    "loopback.rtt_figure": {"samples_s": {"tcp": np.array([1e-5, 2e-5, 3e-5])}},
    "loopback.throughput_figure": {"table": Make(lambda: __import__("pandas").DataFrame(
                                       {"size_bytes": [64, 4096], "Mbit/s": [50.0, 900.0]})),
                                   "latency_s": 1e-5, "bandwidth_bps": 1e9},
    "network.payload_share_curves": {"mtu_bytes": 1500},
    "partitioning.hash_partition": {"keys": ["a", "b", "c"]},
    "queueing.agreement_table": {"n_requests": 2000},
    "replication.simulation_table": {"trials": 100},
    "rpc.Registry.lookup": {"__instance__": Make(lambda: _rpc_server()[0]), "name": "calc"},
    "rpc.Registry.bind": {"name": "calc", "address": ("127.0.0.1", 9)},
    "rpc.Registry.unbind": {"name": "calc"},
    "rpc.Stub": {"address": Make(lambda: _rpc_server()[1])},
    "rpc.Stub.close": {"__instance__": Make(_stub)},
    "rpc.unmarshal": {"data": b"[1, 2]"},
    "rpc.marshalling_verdict": {"table": Make(lambda: __import__("pandas").DataFrame(
                                    {"bytes": [20, 19_241], "MB/s": [5.0, 35.0], "spread": [0.1, 0.1]}))},
    "rpc.serve": {"obj": Make(lambda: importlib.import_module("scalelab.rpc").Calculator()),
                  "registry": Make(lambda: importlib.import_module("scalelab.rpc").Registry()), "name": "calc"},
    "security.measurement_figure": {"measured": _lazy("security", "measure_encryption",
                                                      record_sizes_bytes=(64, 1024), total_bytes=65536,
                                                      repeats=1)},
    "transport.protocol_figure": {"table": _lazy("transport", "compare_protocols", loss_rates=(0.0, 0.1),
                                                 n_messages=50)},
    "transport.simulate_transfer": {"protocol": "tcp"},
    "transport.Transfer.summary": {"__instance__": _lazy("transport", "simulate_transfer", protocol="tcp",
                                                         loss_rate=0.01, n_messages=20)},
    "actors.Actor.start": {"__instance__": Make(lambda: importlib.import_module("scalelab.actors").Actor(
        importlib.import_module("scalelab.actors").counter))},
    "hashing.benchmark_lookup": {"n_keys": 1000},
    "loadbalancing.max_load_table": {"sizes": (100, 1000)},
    "transport.stream_stats": {"stream": _lazy("transport", "packet_stream")},
}

#: Bad values a parameter legitimately accepts: {("module.name", param): {kinds}}.
#: Kinds: see ``KINDS``. Only "range" kinds (neg, zero, huge) and inf can be accepted.
ACCEPTS: dict[tuple[str, str], set[str]] = {
    # documented: inf when nothing limits (s = 0 or coherency = 0); explorer curves leave
    # the missing line out as NaN
    ("amdahl.speedup_limit", "serial_fraction"): {"zero"},
    ("amdahl.speedup_curves", "serial_fraction"): {"zero"},
    ("amdahl.usl_peak_cores", "coherency"): {"zero"},
    ("amdahl.usl_curves", "coherency"): {"zero"},
    # documented: a quorum larger than N cannot form, its curve is hidden (NaN)
    ("replication.staleness_curves", "r"): {"huge"},
    ("replication.staleness_curves", "w"): {"huge"},
    ("replication.availability_curves", "r"): {"huge"},
    ("replication.availability_curves", "w"): {"huge"},
    # documented: replica counts too small for the load are left blank (all of them, here)
    ("caching.cache_curves", "db_service_ms"): {"huge"},  # rates the database cannot carry: blank
    # documented: inf wait when the load is 1 or more; inf bandwidth for a flat fit; an
    # empty list sums to 0; no legitimate requests (or none lost) leave those curves blank
    ("eventloop.pk_mean_wait_s", "arrival_rate_per_s"): {"huge"},
    ("loopback.fit_latency_bandwidth", "sizes_bytes"): {"huge"},
    # documented: the verdict reads the fit as given, and the fit's bandwidth is inf for a flat line
    ("loopback.throughput_verdict", "bandwidth_bps"): {"inf"},
    ("overload.simulate_flood", "legit_rate_per_s"): {"zero"},
    ("overload.compare_with_simulation", "legit_rate_per_s"): {"zero"},
    ("transport.packet_stream_curves", "loss_rate"): {"zero"},
    ("transport.packet_stream_curves", "duplicate_rate"): {"zero"},
    ("rpc.Calculator.total", "values"): {"empty"},
    # documented: a tail share too poorly measured to draw (none of the samples that far out) is NaN
    ("queueing.reliable_ccdf", "t"): {"huge"},
    # documented: inf means no rate limit
    ("overload.token_bucket_admitted_per_s", "bucket_rate_per_s"): {"inf"},
    ("overload.flood", "limit_per_client_per_s"): {"inf"},
    ("overload.simulate_flood", "limit_per_client_per_s"): {"inf"},
    ("overload.goodput_curves", "limit_per_client_per_s"): {"inf"},
    ("overload.drop_latency_curves", "limit_per_client_per_s"): {"inf"},
    ("overload.compare_with_simulation", "limits_per_s"): {"inf"},
    # documented: inf nines for A = 1 (availability); fitted bandwidth inf for a flat line
    ("availability.nines", "availability"): set(),
}

# ---------------------------------------------------------------------------------------

#: kind -> (value for a scalar baseline, strict?). Strict kinds must always be refused;
#: the others (values that may be inside a parameter's range) must be refused or give a
#: prompt, finite result.
KINDS: dict[str, tuple[Any, bool]] = {
    "nan": (math.nan, True),
    "inf": (math.inf, True),
    "-inf": (-math.inf, True),
    "toobig": (10**400, True),
    "frac": (2.5, True),  # only for whole-number parameters
    "str": ("3", True),
    "none": (None, True),  # not for parameters whose default is None
    "bool": (True, True),
    "empty": ([], True),
    "2d": ([[1.0, 2.0], [3.0, 4.0]], True),
    "neg": (-1, False),
    "zero": (0, False),
    "huge": (10**12, False),
}

TIME_LIMIT_S = 5.0
MEMORY_CAP_BYTES = 1 << 30  # on top of what the parent already maps


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))


def _is_numeric_array(x: Any) -> bool:
    if isinstance(x, (list, tuple)) and x and all(_is_number(v) for v in x):
        return True
    return isinstance(x, np.ndarray) and x.ndim == 1 and x.size > 0 and x.dtype.kind in "iuf"


def _is_whole(x: Any) -> bool:
    return isinstance(x, (int, np.integer))


@dataclass
class Target:
    qualname: str  # "scalelab.amdahl.speedup" or "scalelab.rpc.Stub.close"
    fn: Any
    params: list[inspect.Parameter]
    owner: "Target | None" = None  # the class, for a method
    args: dict[str, Any] = field(default_factory=dict)  # baseline
    baseline_ok: bool = False
    baseline_error: str = ""
    baseline_nonfinite: bool = False
    baseline_s: float = 0.0

    @property
    def short(self) -> str:
        return self.qualname.removeprefix("scalelab.")


def public_targets() -> list[Target]:
    """Every public function, class and public method defined in a public module of scalelab."""
    found: list[Target] = []
    names = [m.name for m in pkgutil.walk_packages(scalelab.__path__, "scalelab.")]
    for modname in sorted(names):
        if any(part.startswith("_") for part in modname.split(".")):
            continue
        if any(modname == s or modname.startswith(s + ".") for s in SKIP_MODULES):
            continue
        mod = importlib.import_module(modname)
        for name, obj in sorted(vars(mod).items()):
            if name.startswith("_") or getattr(obj, "__module__", None) != modname:
                continue
            if inspect.isfunction(obj):
                found.append(_target(f"{modname}.{name}", obj))
            elif inspect.isclass(obj) and not issubclass(obj, BaseException):
                cls = _target(f"{modname}.{name}", obj)
                found.append(cls)
                for mname, member in sorted(vars(obj).items()):
                    if mname.startswith("_") or not inspect.isfunction(member):
                        continue
                    found.append(_target(f"{modname}.{name}.{mname}", member, owner=cls, drop_self=True))
    return [t for t in found if t.short not in SKIP_CALLABLES and t.qualname not in SKIP_CALLABLES]


def _target(qualname: str, obj: Any, owner: Target | None = None, drop_self: bool = False) -> Target:
    try:
        params = list(inspect.signature(obj).parameters.values())
    except (TypeError, ValueError):
        params = []
    if drop_self and params:
        params = params[1:]
    params = [p for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and not p.name.startswith("_")]
    return Target(qualname, obj, params, owner)


# ---------------------------------------------------------------------------------------
# Running one call in a forked child.
# ---------------------------------------------------------------------------------------


def _resolve(value: Any) -> Any:
    return value.fn() if isinstance(value, Make) else value


def _has_nonfinite(x: Any, depth: int = 0) -> bool:
    if depth > 4:
        return False
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover
        pd = None
    if isinstance(x, (float, np.floating)):
        return not math.isfinite(x)
    if isinstance(x, np.ndarray) and x.dtype.kind in "fc":
        return bool(x.size) and not bool(np.isfinite(x).all())
    if pd is not None and isinstance(x, pd.DataFrame):
        num = x.select_dtypes("number").to_numpy(dtype=float)
        return bool(num.size) and not bool(np.isfinite(num).all())
    if isinstance(x, dict):
        return any(_has_nonfinite(v, depth + 1) for v in list(x.values())[:200])
    if isinstance(x, (list, tuple)):
        return any(_has_nonfinite(v, depth + 1) for v in list(x)[:200])
    return False


def _invoke(target: Target, args: dict[str, Any]) -> Any:
    kwargs = {k: _resolve(v) for k, v in args.items() if k != "__instance__"}
    if target.owner is None:
        return _enter(target.fn(**kwargs))
    if "__instance__" in args:
        instance = _resolve(args["__instance__"])
    else:
        owner = target.owner
        instance = owner.fn(**{k: _resolve(v) for k, v in owner.args.items()})
    return _enter(getattr(instance, target.fn.__name__)(**kwargs))


def _enter(result: Any) -> Any:
    """A generator-based context manager (``rpc.serve``) does its work on entry: enter it."""
    import contextlib
    if isinstance(result, contextlib._GeneratorContextManager):
        return result.__enter__()
    return result


def _child(target: Target, args: dict[str, Any], wfd: int) -> None:
    """Runs in the forked child: cap memory, make the call, report as JSON, exit."""
    os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        with open("/proc/self/statm") as f:
            mapped = int(f.read().split()[0]) * resource.getpagesize()
        cap = mapped + MEMORY_CAP_BYTES
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (OSError, ValueError):
        pass
    os.chdir(tempfile.mkdtemp(prefix="bad-inputs-"))
    report: dict[str, Any]
    try:
        result = _invoke(target, args)
        report = {"outcome": "returned", "nonfinite": _has_nonfinite(result)}
    except MemoryError:
        report = {"outcome": "memory"}
    except ValueError as e:
        report = {"outcome": "value_error", "message": str(e)[:500]}
    except BaseException as e:  # noqa: BLE001 - report anything else
        report = {"outcome": "other_error", "type": type(e).__name__, "message": str(e)[:300],
                  "where": traceback.format_exc(limit=-2)[-400:]}
    try:
        os.write(wfd, json.dumps(report).encode())
    finally:
        os._exit(0)


def run_calls(calls: list[tuple[Target, dict[str, Any]]], workers: int = 2,
              time_limit_s: float | None = None) -> list[dict[str, Any]]:
    """Run each (target, args) in its own forked child, ``workers`` at a time.

    Time limit per call: ``time_limit_s``, or by default TIME_LIMIT_S plus twice the
    time the target's valid baseline call took (a busy machine slows both alike).
    """
    results: list[dict[str, Any] | None] = [None] * len(calls)
    pending = list(range(len(calls)))[::-1]
    running: dict[int, tuple[int, int, float, list[bytes]]] = {}  # fd -> (index, pid, start, chunks)
    sys.stdout.flush()
    sys.stderr.flush()
    while pending or running:
        while pending and len(running) < workers:
            i = pending.pop()
            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:  # child
                os.close(r)
                _child(calls[i][0], calls[i][1], w)
            os.close(w)
            running[r] = (i, pid, time.monotonic(), [])
        ready, _, _ = select.select(list(running), [], [], 0.05)
        for fd in ready:
            i, pid, start, chunks = running[fd]
            data = os.read(fd, 65536)
            if data:
                chunks.append(data)
                continue
            os.close(fd)
            del running[fd]
            _, status = os.waitpid(pid, 0)
            elapsed = time.monotonic() - start
            try:
                report = json.loads(b"".join(chunks).decode())
            except ValueError:
                sig = -status if os.WIFSIGNALED(status) else 0
                report = {"outcome": "memory" if sig in (0, signal.SIGKILL, signal.SIGSEGV, signal.SIGABRT)
                          else "other_error", "message": f"child died (status {status})"}
            report["elapsed_s"] = elapsed
            results[i] = report
        now = time.monotonic()
        for fd, (i, pid, start, chunks) in list(running.items()):
            limit = time_limit_s if time_limit_s is not None else TIME_LIMIT_S + 2 * calls[i][0].baseline_s
            if now - start > limit:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                os.waitpid(pid, 0)
                os.close(fd)
                del running[fd]
                results[i] = {"outcome": "hang", "elapsed_s": now - start}
    return [r if r is not None else {"outcome": "hang"} for r in results]


# ---------------------------------------------------------------------------------------
# Baselines.
# ---------------------------------------------------------------------------------------

INT_GUESSES = [4, 2, 1, 8, 3, 16]
FLOAT_GUESSES = [0.5, 2.0, 0.1, 4.0, 0.9, 100.0, 0.01, 1.0]


def _guesses(p: inspect.Parameter) -> list[Any]:
    ann = str(p.annotation)
    if p.name in ("seed", "seeds"):
        return [0, 2]
    if ann in ("str", "<class 'str'>") or ann.startswith("str |"):
        return ["x"]
    if ann in ("bytes", "<class 'bytes'>"):
        return [b"x"]
    if ann.startswith("int") or ann == "<class 'int'>":
        return INT_GUESSES
    if "ndarray" in ann or "list" in ann or p.name.endswith("s") and p.name in ("weights", "shares", "keys"):
        return [np.array([0.5, 0.3, 0.2]), np.array([1.0, 2.0, 3.0])]
    return FLOAT_GUESSES


def find_baselines(targets: list[Target], workers: int = 2, rounds: int = 8) -> None:
    """Find valid arguments for every target, refining guesses by the ValueError messages."""
    choice: dict[str, dict[str, int]] = {}
    for t in targets:
        declared = BASELINE.get(t.short, {})
        t.args = {}
        choice[t.qualname] = {}
        if "__instance__" in declared:
            t.args["__instance__"] = declared["__instance__"]
        for p in t.params:
            if p.name in declared:
                t.args[p.name] = declared[p.name]
            elif p.default is not p.empty:
                t.args[p.name] = p.default
            else:
                choice[t.qualname][p.name] = 0
                t.args[p.name] = _guesses(p)[0]
        for name, value in declared.items():  # the rest go to the callable's **kwargs
            t.args.setdefault(name, value)
    # classes first (their methods need an instance), then everything else
    for group in ([t for t in targets if t.owner is None], [t for t in targets if t.owner is not None]):
        needs_owner = [t for t in group if t.owner is not None and "__instance__" not in t.args]
        todo = [t for t in group if t not in needs_owner or t.owner.baseline_ok]
        for t in needs_owner:
            if not t.owner.baseline_ok:
                t.baseline_error = "its class has no baseline"
        for _ in range(rounds):
            if not todo:
                break
            reports = run_calls([(t, t.args) for t in todo], workers, time_limit_s=6 * TIME_LIMIT_S)
            again = []
            for t, rep in zip(todo, reports):
                if rep["outcome"] == "returned":
                    t.baseline_ok, t.baseline_nonfinite = True, rep.get("nonfinite", False)
                    t.baseline_s = rep.get("elapsed_s", 0.0)
                    continue
                t.baseline_error = f"{rep['outcome']}: {rep.get('type', '')} {rep.get('message', '')}".strip()
                if rep["outcome"] != "value_error":
                    continue
                msg = rep["message"]
                named = [n for n in choice[t.qualname] if msg.startswith(n + " ") or f" {n} " in msg]
                moved = False
                for n in named:
                    p = next(p for p in t.params if p.name == n)
                    options = _guesses(p)
                    if choice[t.qualname][n] + 1 < len(options):
                        choice[t.qualname][n] += 1
                        t.args[n] = options[choice[t.qualname][n]]
                        moved = True
                        break
                if moved:
                    again.append(t)
            todo = again


# ---------------------------------------------------------------------------------------
# Bad calls.
# ---------------------------------------------------------------------------------------


@dataclass
class BadCall:
    target: Target
    param: str
    kind: str
    args: dict[str, Any]


def _bad_value(kind: str, base: Any) -> Any:
    value, _ = KINDS[kind]
    if _is_number(base) or kind in ("str", "none", "bool", "empty", "2d"):
        return value
    # an array baseline: spoil its first element
    items = list(np.asarray(base).tolist())
    items[0] = value
    return items


def bad_calls(targets: list[Target]) -> list[BadCall]:
    calls = []
    for t in targets:
        if not t.baseline_ok:
            continue
        for p in t.params:
            ann = "" if p.annotation is p.empty else str(p.annotation)
            if ann in ("Any", "object") or "Callable" in ann:
                continue  # a payload or a callable: any value is the caller's business
            base = _resolve(t.args.get(p.name)) if not isinstance(t.args.get(p.name), Make) else None
            if base is None or not (_is_number(base) or _is_numeric_array(base)):
                continue
            ann = "" if p.annotation is p.empty else str(p.annotation)
            says_int = ann.startswith("int") or "[int" in ann  # a count: int, int | None, tuple[int, ...]
            whole = says_int and (_is_whole(base) or (_is_numeric_array(base) and all(
                float(v).is_integer() for v in np.asarray(base).ravel())))
            for kind in KINDS:
                if kind == "frac" and not whole:
                    continue
                if kind == "none" and (p.default is None or "None" in str(p.annotation)):
                    continue
                if kind in ("toobig",) and not _is_number(base):
                    pass
                args = dict(t.args)
                args[p.name] = _bad_value(kind, base)
                calls.append(BadCall(t, p.name, kind, args))
    return calls


def _broadcasts(target: Target, param: str) -> bool:
    """A parameter annotated ArrayLike/ndarray (or not at all) may take arrays of any shape."""
    p = next(p for p in target.params if p.name == param)
    ann = "" if p.annotation is p.empty else str(p.annotation)
    return not ann or "ArrayLike" in ann or "ndarray" in ann or "Any" in ann


def judge(call: BadCall, rep: dict[str, Any]) -> str:
    """One outcome label for a bad call (see the module docstring)."""
    strict = KINDS[call.kind][1] and not (call.kind == "2d" and _broadcasts(call.target, call.param))
    if call.kind == "2d" and _broadcasts(call.target, call.param) and rep["outcome"] == "returned":
        return "ok"  # broadcasting over a 2-D grid is what ArrayLike promises (inf where documented)
    accepted = call.kind in ACCEPTS.get((call.target.short, call.param), set())
    out = rep["outcome"]
    if out in ("hang", "memory", "other_error"):
        return out
    if out == "value_error":
        msg = rep["message"]
        return "ok" if call.param in msg else "wrong_error"
    # returned
    if rep.get("nonfinite") and not call.target.baseline_nonfinite and not accepted:
        return "nonfinite"
    if accepted:
        return "accepted"
    return "returned" if strict else "ok"


def audit(sample: float = 1.0, seed: int = 12, workers: int = 2, only: str = ""):
    targets = [t for t in public_targets() if only in t.qualname]
    find_baselines(targets, workers)
    calls = bad_calls(targets)
    if sample < 1.0:
        rng = random.Random(seed)
        calls = [c for c in calls if rng.random() < sample]
    t0 = time.monotonic()
    reports = run_calls([(c.target, c.args) for c in calls], workers)
    verdicts = [judge(c, r) for c, r in zip(calls, reports)]
    return targets, calls, reports, verdicts, time.monotonic() - t0


def summary(targets, calls, reports, verdicts, elapsed_s) -> str:
    counts = Counter(verdicts)
    raw = Counter(r["outcome"] for r in reports)
    lines = [
        f"callables walked: {len(targets)}, with a baseline: {sum(t.baseline_ok for t in targets)}",
        f"bad calls: {len(calls)} in {elapsed_s:.0f} s",
        f"ValueError: {raw['value_error']} ({raw['value_error'] / max(len(calls), 1):.0%}); "
        f"naming the parameter: {sum(1 for c, r in zip(calls, reports) if r['outcome'] == 'value_error' and c.param in r['message'])}",
        "verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--show", type=int, default=40, help="how many failures to list")
    ap.add_argument("--json", help="write every call's verdict here")
    ap.add_argument("--only", default="", help="only callables whose qualified name contains this")
    ns = ap.parse_args(argv)
    targets, calls, reports, verdicts, elapsed = audit(ns.sample, ns.seed, ns.workers, ns.only)
    for t in targets:
        if not t.baseline_ok:
            print(f"NO BASELINE {t.short}: {t.baseline_error[:200]}")
    bad = [(c, r, v) for c, r, v in zip(calls, reports, verdicts) if v not in ("ok", "accepted")]
    for c, r, v in bad[: ns.show]:
        print(f"{v:12s} {c.target.short}({c.param}={c.kind}) {r.get('type', '')} {r.get('message', '')[:150]}")
    if ns.json:
        with open(ns.json, "w") as f:
            json.dump([{"target": c.target.short, "param": c.param, "kind": c.kind, "verdict": v,
                        "outcome": r["outcome"], "message": r.get("message", ""), "type": r.get("type", ""),
                        "elapsed_s": r.get("elapsed_s")} for c, r, v in zip(calls, reports, verdicts)], f, indent=0)
    print(summary(targets, calls, reports, verdicts, elapsed))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
