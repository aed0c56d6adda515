"""The real-server labs (etcd, Redis Cluster, HAProxy): structure, exact agreements, cleanup.

These start real servers (marker ``servers``; `make test` installs the Debian packages
through tools/system-deps.sh and runs them, `make unit` leaves them out). No test asserts
a time: the machine may be busy. The stored results (used where a program is missing)
are checked on every machine.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from scalelab import balancerlab, etcdlab, redislab, servers
from scalelab.hashing import redis_hash_slot

needs = {"etcd": "etcd-server", "redis-server": "redis-server", "haproxy": "haproxy"}


def _require(program: str) -> None:
    if not servers.have(program):
        pytest.fail(f"{program} is not installed: apt-get install -y {needs[program]} "
                    "(bash tools/system-deps.sh installs it; make test runs that)")


def _ours(prefix: str) -> list[int]:
    """Processes whose command line or working directory names this directory (a lab's
    servers run in their group's directory, the replicas of the balancer lab included)."""
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if prefix.encode() in (d / "cmdline").read_bytes() or os.readlink(d / "cwd").startswith(prefix):
                    pids.append(int(d.name))
            except OSError:
                pass
    return pids


@pytest.fixture
def made(monkeypatch) -> list[Path]:
    """The directories of the ServerGroups this test makes (and only those: other sessions
    on the machine may be running a lab at the same time, with their own directories)."""
    dirs: list[Path] = []
    real = servers.ServerGroup.__post_init__

    def record(self) -> None:
        real(self)
        dirs.append(self.directory)

    monkeypatch.setattr(servers.ServerGroup, "__post_init__", record)
    return dirs


def _left(dirs: list[Path]) -> list:
    """What is left of this test's groups: their directories, and processes naming them."""
    return [str(d) for d in dirs if d.exists()] + [pid for d in dirs for pid in _ours(str(d))]


# --- stored results: present, labelled, same structure as a live run --------------------

@pytest.mark.parametrize("module, function, program", [
    (etcdlab, "election_lab", "etcd"), (etcdlab, "stale_read_lab", "etcd"),
    (redislab, "cluster_lab", "redis-server"), (balancerlab, "balancer_lab", "haproxy")])
def test_missing_program_gives_the_stored_result_labelled(monkeypatch, module, function, program):
    monkeypatch.setattr(module, "have", lambda *p: False)
    result = getattr(module, function)()
    assert result.stored and result.source.startswith("stored: ")
    assert needs[program] in result.source and "recorded on" in result.source
    assert result.command and result.verdict and result.tables


def test_stored_redis_result_agrees_exactly():
    r = servers.stored_result("redis_cluster", "test")
    assert r.facts["agree"] == r.facts["keys"] >= 5000
    assert r.facts["wrong_reads"] == 0


# --- bad input is refused before anything starts ------------------------------------------

@pytest.mark.parametrize("call, match", [
    (lambda: etcdlab.election_lab(kills=0), "kills must be"),
    (lambda: etcdlab.election_lab(kills=100), "kills must be"),
    (lambda: etcdlab.election_lab(heartbeat_ms=100, election_timeout_ms=200), "at least 5 x heartbeat_ms"),
    (lambda: etcdlab.stale_read_lab(read_timeout_s=60), "read_timeout_s must be"),
    (lambda: etcdlab.stale_read_lab(tries=0), "tries must be"),
    (lambda: redislab.cluster_lab(n_keys=10**7), "n_keys must be"),
    (lambda: redislab.cluster_lab(keys_per_slot=1), "keys_per_slot must be"),
    (lambda: redislab.cluster_lab(seed=-1), "seed must be"),
    (lambda: balancerlab.balancer_lab(load=1.0), "load must be"),
    (lambda: balancerlab.balancer_lab(replicas=100), "replicas must be"),
    (lambda: balancerlab.balancer_lab(seconds=0.01), "between 20 and"),
    (lambda: etcdlab.election_figure("x"), "result must be"),
    (lambda: balancerlab.balancer_figure("x"), "result must be"),
])
def test_bad_input_is_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_lab_keys_cover_the_hash_tag_cases():
    keys = redislab.lab_keys(3000)
    kinds = {redislab._kind(k) for k in keys}
    assert {"hash tag", "empty tag {} (whole key hashed)", "brace never closed", "no brace"} <= kinds
    assert len(set(keys)) > 2500


def test_the_tiny_resp_client_encodes_like_the_spec():
    assert redislab.Resp.encode("SET", "k", 1) == b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n1\r\n"
    assert redislab._address("MOVED 3999 127.0.0.1:6381") == (3999, 6381)


# --- live labs -----------------------------------------------------------------------------

@pytest.mark.servers
def test_redis_cluster_agrees_on_every_slot_and_counts_redirects(made):
    _require("redis-server")
    r = redislab.cluster_lab(n_keys=3000, move_slots=4, keys_per_slot=6)
    assert not r.stored
    slots = r.tables["slots"]
    assert slots["agree"].sum() == slots["keys"].sum() == 3000
    assert slots.loc[slots["kind of key"] == "hash tag", "keys"].sum() > 100
    m = r.tables["migration"].set_index("phase")
    assert m["wrong or missing"].sum() == 0
    assert m["ASK"].tolist() == [0, 4 * 3, 4 * 6, 0, 0]  # half, then all keys of each slot
    assert m["MOVED"].tolist() == [0, 0, 0, 4, 0]  # one per slot, then the map is right
    assert r.tables["moved"]["reply or count"][0].startswith("MOVED ")
    # the verdict's "then none" is computed from the second pass, which learned the map
    assert r.tables["moved"]["reply or count"][2] == "0" and "redirects, then none;" in r.verdict
    assert r.tables["colocation"]["MSET reply"].tolist()[0] == "OK"
    assert r.tables["colocation"]["MSET reply"].tolist()[1].startswith("CROSSSLOT")
    assert made and not _left(made)


@pytest.mark.servers
def test_redis_keyslot_matches_for_awkward_keys():
    _require("redis-server")
    with servers.ServerGroup(prefix="scalelab-redis-") as group:
        ports, _ = redislab._start_cluster(group)
        c = redislab.Resp(ports[0])
        keys = redislab.EDGE_KEYS + ["{" * 5 + "x" + "}" * 5, "a" * 300 + "{b}", "\t{\n}"]
        theirs = c.pipeline([("CLUSTER", "KEYSLOT", k) for k in keys])
        c.close()
    assert theirs == redis_hash_slot(keys).tolist()


@pytest.mark.servers
def test_redis_lab_cleans_up_after_an_exception(monkeypatch, made):
    _require("redis-server")
    monkeypatch.setattr(redislab, "_keys_in_slots", lambda *a: 1 / 0)  # fails mid-lab, servers running
    with pytest.raises(ZeroDivisionError):
        redislab.cluster_lab(n_keys=100, move_slots=2)
    assert made and not _left(made)


@pytest.mark.servers
def test_etcd_election_lab_structure(made):
    _require("etcd")
    r = etcdlab.election_lab(kills=2, model_runs=20)
    kills = r.tables["kills"]
    assert list(kills["kill"]) == [1, 2]
    assert (kills["term change"] >= 1).all()
    assert (kills["killed leader"] != kills["new leader"]).all()
    assert (kills["ms to accepted write"] >= kills["ms to new leader"]).all()
    assert r.facts["election_timeout_ms"] == 500 and len(r.tables["model"]) > 10
    assert "leader kills" in r.verdict
    etcdlab.election_figure(r)
    assert made and not _left(made)


@pytest.mark.servers
def test_etcd_stale_read_structure_and_safety(made):
    _require("etcd")
    r = etcdlab.stale_read_lab(tries=2, read_timeout_s=0.5)
    reads = r.tables["reads"]
    assert list(reads["try"]) == [1, 1, 1, 1, 2, 2, 2, 2]
    cut = reads[reads.step == "X cut off"].set_index("read")
    # a serializable read may be stale (a race, not asserted); a linearizable one never is
    assert r.facts["linearizable_stale"] == 0
    assert all(a.startswith("no answer") or a == latest for a, latest in
               zip(cut.loc["linearizable", "answer"], cut.loc["linearizable", "latest write"]))
    assert r.facts["fresh_after"] == r.facts["reads_after"] == 4
    assert made and not _left(made)


@pytest.mark.servers
def test_etcd_lab_cleans_up_after_an_exception(monkeypatch, made):
    _require("etcd")
    calls = []

    def broken(*a, **k):
        calls.append(1)
        raise KeyboardInterrupt  # as if the reader interrupted the kernel mid-lab

    monkeypatch.setattr(etcdlab, "_leader", broken)
    with pytest.raises(KeyboardInterrupt):
        etcdlab.election_lab(kills=1, model_runs=1)
    assert calls and made and not _left(made)


@pytest.mark.servers
def test_balancer_lab_structure(monkeypatch, made):
    _require("haproxy")
    ports = _recording_ports(monkeypatch, balancerlab)
    r = balancerlab.balancer_lab(seconds=0.5, rounds=1, model_runs=10)
    t = r.tables["percentiles"]
    assert list(t.index) == list(balancerlab.HAPROXY_POLICIES)
    assert (t["requests"] == t["requests"].iloc[0]).all()
    assert np.allclose(r.tables["shares"].sum(axis=1), 1 - t["failed"] / t["requests"])
    assert r.tables["shares"].loc["roundrobin"].max() - r.tables["shares"].loc["roundrobin"].min() <= 0.05
    assert {"p50 measured", "p90 model", "p99 model at real load"} <= set(t.columns)
    balancerlab.balancer_figure(r)
    assert made and not _left(made)
    assert len(ports) == 4 + 4 and not any(servers.port_accepts(p) for p in ports)


# --- the models are the real systems' rules (second review) ----------------------------------

def test_etcd_model_uses_etcds_tick_quantized_timeout_range():
    # etcd campaigns (T/h .. 2T/h - 1) ticks after the last heartbeat, its first tick up to h
    # later: uniform in [T - h, 2T - h]; the leader dies up to h after its last heartbeat.
    t = etcdlab.model_failover_ms(heartbeat_ms=50, election_timeout_ms=500, runs=60)
    assert len(t) >= 55
    assert t.min() >= 500 - 2 * 50 - 1  # the floor: T - 2h (delays under 1 ms)
    assert (t < 500).any()  # failovers shorter than the configured timeout do happen
    assert np.median(t) < 2 * 500 - 50  # the shorter of two draws, well inside the range
    with pytest.raises(ValueError, match="election_timeout_ms must be at least 2 x heartbeat_ms"):
        etcdlab.model_failover_ms(heartbeat_ms=100, election_timeout_ms=150)


def test_haproxy_random2_model_draws_twice_with_replacement():
    from scalelab.loadbalancing import simulate_policy

    args = (0.9 * 2 * 1.0, 1.0, 2, 20_000, 1)  # 2 replicas at load 0.9
    with_replacement = balancerlab._random2_with_replacement("two choices", *args).mean()
    distinct = simulate_policy("two choices", *args).mean()  # with 2 replicas: the shorter queue always
    random = simulate_policy("random", *args).mean()
    assert distinct < with_replacement < random


def test_haproxy_config_gives_every_replica_weight_256():
    cfg = balancerlab._config({"random(1)": 1001, "leastconn": 1002}, [2001, 2002, 2003])
    servers_ = [line for line in cfg.splitlines() if line.strip().startswith("server ")]
    assert len(servers_) == 6 and all(line.endswith(" weight 256") for line in servers_)
    assert "bind 127.0.0.1:1001" in cfg and "0.0.0.0" not in cfg


def _recording_ports(monkeypatch, module) -> list[int]:
    ports: list[int] = []
    real = module.free_port

    def recorded(*a, **k):
        p = real(*a, **k)
        ports.append(p)
        return p

    monkeypatch.setattr(module, "free_port", recorded)
    return ports


@pytest.mark.servers
def test_balancer_lab_cleans_up_after_an_interrupt(monkeypatch, made):
    _require("haproxy")
    ports = _recording_ports(monkeypatch, balancerlab)
    calls = []

    def interrupted(*a, **k):
        calls.append(1)
        raise KeyboardInterrupt  # as if the reader interrupted the kernel with every server up

    monkeypatch.setattr(balancerlab, "_generate", interrupted)
    with pytest.raises(KeyboardInterrupt):
        balancerlab.balancer_lab(seconds=0.5, rounds=1, model_runs=1)
    assert calls and len(ports) == 4 + 4  # 4 replicas, 4 frontends
    assert made and not _left(made)
    assert not any(servers.port_accepts(p) for p in ports)  # replicas and HAProxy are gone


@pytest.mark.servers
def test_stale_read_lab_cleans_up_after_an_exception_with_members_paused(monkeypatch, made):
    _require("etcd")
    ports = _recording_ports(monkeypatch, etcdlab)
    real_pause = servers.ServerGroup.pause

    def pause_then_fail(self, name, wait_s=2.0):
        real_pause(self, name, wait_s)
        raise RuntimeError("failed with a member paused")

    monkeypatch.setattr(servers.ServerGroup, "pause", pause_then_fail)
    with pytest.raises(RuntimeError, match="member paused"):
        etcdlab.stale_read_lab(tries=1)
    assert len(ports) == 6
    assert made and not _left(made)
    assert not any(servers.port_accepts(p) for p in ports)


# --- Exercise 5.11: predict etcd's shortest failover ------------------------------------------

@pytest.mark.parametrize("wrong, reason", [(500, "not a floor"), (450, "last heartbeat a survivor"),
                                           (550, "do not start at the kill")])
def test_exercise_5_11_refuses_the_tempting_wrong_answers(wrong, reason):
    from scalelab.exercises import check

    feedback = check("5.11", wrong)
    assert not feedback and "tempting" in feedback.message and reason in feedback.message


def test_exercise_5_11_answer_is_the_model_floor():
    from scalelab.exercises import check

    assert check("5.11", 400).correct
    # the model of the lab never fails over sooner than this floor
    assert etcdlab.model_failover_ms(50, 500, runs=40).min() >= 400 - 1


def test_etcd_verdict_names_the_likely_cause_of_a_late_failover():
    import pandas as pd

    from scalelab.measure import CpuCount, HostLoad

    kills = pd.DataFrame({"ms to new leader": [700.0, 760.0, 820.0, 900.0],
                          "ms to accepted write": [705.0, 766.0, 826.0, 904.0], "term change": [1, 1, 1, 1]})
    model = np.linspace(450, 820, 200)  # median 635 ms
    two = CpuCount(affinity=2, quota=None, usable=2)
    busy = etcdlab._verdict(kills, model, 500, 50, HostLoad(load=9.0, host_cpus=2, cpus=two))
    assert "came 155 ms after the model's, beyond what a median of 4 kills strays by" in busy
    assert "likely cause: the host is busy (1-minute load average 9.0" in busy
    quiet = etcdlab._verdict(kills, model, 500, 50, HostLoad(load=0.3, host_cpus=2, cpus=two))
    assert "on a quiet machine" in quiet and "busy" not in quiet and "cannot make up 155 ms" in quiet
    slow_disk = kills.assign(**{"ms to accepted write": kills["ms to new leader"] + 200})
    slow = etcdlab._verdict(slow_disk, model, 500, 50, HostLoad(load=0.3, host_cpus=2, cpus=two))
    assert "took a median 200 ms) can make up 155 ms" in slow
    unknown = etcdlab._verdict(kills, model, 500, 50, HostLoad(load=None, host_cpus=2, cpus=two))
    assert "cannot be ruled out" in unknown and "quiet" not in unknown and "likely cause" not in unknown
    binder = etcdlab._verdict(kills, model, 500, 50, HostLoad(load=10.0, host_cpus=64,
                                                              cpus=CpuCount(affinity=64, quota=2.0, usable=2)))
    assert "cgroup CPU quota is 2 CPUs" in binder and "host is busy" not in binder
    early = etcdlab._verdict(kills.assign(**{"ms to new leader": [500.0, 520.0, 540.0, 560.0]}), model, 500, 50)
    assert "before the model's" in early
    # 45 ms later is within what a median of four model runs strays by: no cause is named
    near = etcdlab._verdict(kills.assign(**{"ms to new leader": [620.0, 660.0, 700.0, 720.0]}), model, 500, 50,
                            HostLoad(load=9.0, host_cpus=2, cpus=two))
    assert "came 45 ms after the model's, within what a median of 4 kills strays by" in near
    assert "likely cause" not in near


def test_etcd_verdict_puts_a_gap_made_by_lost_terms_on_the_lost_terms():
    import pandas as pd

    from scalelab.measure import CpuCount, HostLoad

    # the stored run's shape: two one-term failovers near the model, two that lost a term
    kills = pd.DataFrame({"ms to new leader": [506.0, 660.0, 984.0, 1407.0],
                          "ms to accepted write": [513.0, 663.0, 986.0, 1409.0], "term change": [1, 1, 2, 2]})
    model = etcdlab.model_failover_ms(50, 500, 200)
    busy = HostLoad(load=2.9, host_cpus=2, cpus=CpuCount(affinity=2, quota=None, usable=2))
    verdict = etcdlab._verdict(kills, model, 500, 50, busy)
    assert "the kills that moved the term by one took a median 583 ms" in verdict
    assert "make the gap" in verdict and "host is busy" not in verdict
