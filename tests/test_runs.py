"""The recorded-run engine (scalelab.runs) and the protocols built on it: hand-worked runs
written out event by event, every fault, bad input, and property tests over seeds and loss."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalelab.failures import check_payment, payment_run
from scalelab.replication import quorum_run
from scalelab.runs import MAX_EVENTS, Network, Node


class Echo(Node):
    """a pings b; b answers every ping with a pong; a counts pongs."""

    durable = ("pongs",)

    def start(self, net):
        self.state.setdefault("pongs", 0)
        if self.name == "a":
            net.send("a", "b", "ping")
            net.set_timer("a", 0.5, "again")

    def receive(self, net, msg):
        if msg.label == "ping":
            net.send(self.name, msg.src, "pong")
        else:
            self.state["pongs"] += 1
            net.changed(self.name)

    def timer(self, net, name):
        net.send("a", "b", "ping")


def echo(**faults):
    until = faults.pop("until_s", 1.0)
    return Network(["a", "b"], seed=1, **faults).run({"a": Echo("a"), "b": Echo("b")}, until_s=until)


def test_hand_worked_echo_run():
    # seed 1: each send draws a delay uniform in [10, 20] ms, then loss, duplicate and
    # reorder coins (all False at probability 0). default_rng(1) gives delays 15.12,
    # 13.12, 15.50, 13.30 ms for m1..m4, so m1 arrives at 0.015, m2 at 0.015 + 0.013 =
    # 0.028, the timer fires at 0.500, m3 arrives at 0.5155, m4 at 0.5155 + 0.0133 = 0.529.
    assert echo().trace().splitlines() == [
        "#0 t=0.000 a send m1 ping -> b",
        "#1 t=0.015 b deliver m1 ping <- a",
        "#2 t=0.015 b send m2 pong -> a",
        "#3 t=0.028 a deliver m2 pong <- b",
        "#4 t=0.028 a state pongs=1",
        "#5 t=0.500 a timer again",
        "#6 t=0.500 a send m3 ping -> b",
        "#7 t=0.515 b deliver m3 ping <- a",
        "#8 t=0.515 b send m4 pong -> a",
        "#9 t=0.529 a deliver m4 pong <- b",
        "#10 t=0.529 a state pongs=2",
    ]


def test_hand_worked_payment_run_charges_twice_without_keys():
    run = payment_run(idempotency_keys=False, drop=(2,))
    assert run.trace().splitlines() == [
        "#0 t=0.000 client send m1 charge $100 -> server",
        "#1 t=0.023 server deliver m1 charge $100 <- client",
        "#2 t=0.023 server state applied charge $100",
        "#3 t=0.023 server send m2 ok -> client",
        "#4 t=0.049 client drop m2 ok server->client: dropped (fault)",
        "#5 t=0.100 client timer timeout",
        "#6 t=0.100 client state retry (attempt 2)",
        "#7 t=0.100 client send m3 charge $100 -> server",
        "#8 t=0.121 server deliver m3 charge $100 <- client",
        "#9 t=0.121 server state applied charge $100",
        "#10 t=0.121 server send m4 ok -> client",
        "#11 t=0.148 client deliver m4 ok <- server",
        "#12 t=0.148 client state payment confirmed",
        "VIOLATION charge applied twice (events 2 and 9)",
    ]
    assert run.events[9].state == "charged=200 charges=2"


def test_payment_with_keys_answers_the_retry_without_charging():
    run = payment_run(idempotency_keys=True, drop=(2,))
    assert run.violations == []
    assert run.events[9].label == "key k1 seen: no new charge"
    assert run.states(len(run.events) - 1)["server"].startswith("charged=100 charges=1")


def test_a_lost_request_is_retried_and_charged_once():
    run = payment_run(idempotency_keys=False, drop=(1,))
    assert run.violations == []
    assert [e.kind for e in run.events[:2]] == ["send", "drop"]


def test_same_seed_same_run_in_another_process():
    here = payment_run(loss=0.3, seed=7).trace()
    code = "from scalelab.failures import payment_run; print(payment_run(loss=0.3, seed=7).trace())"
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert there.rstrip("\n") == here
    assert payment_run(loss=0.3, seed=8).trace() != here or True  # other seeds may coincide; no claim


def test_partition_cuts_messages_in_its_interval_only():
    run = echo(partitions=[("a", "b", 0.0, 0.1)])
    drops = [e for e in run.events if e.kind == "drop"]
    assert [d.mid for d in drops] == [1] and "partition" in drops[0].label
    assert any(e.kind == "deliver" and e.mid == 3 for e in run.events)


def test_crash_drops_deliveries_and_timers_then_restart_keeps_durable_state():
    run = echo(crashes=[("a", 0.02, 0.6)])
    kinds = [(e.kind, e.node) for e in run.events]
    assert ("crash", "a") in kinds and ("restart", "a") in kinds
    assert any(e.kind == "drop" and "a is down" in e.label for e in run.events)
    assert not any(e.kind == "timer" for e in run.events)  # set before the crash: cancelled
    crash = next(e.index for e in run.events if e.kind == "crash")
    assert run.states(crash)["a"] == "down"


def test_duplicate_and_reorder():
    run = echo(duplicate=1.0)
    assert sum(e.kind == "deliver" and e.mid == 1 for e in run.events) == 2
    assert any("(duplicate)" in e.label for e in run.events)
    late = echo(reorder=1.0, delay_s=(0.01, 0.02))
    first = next(e for e in late.events if e.kind == "deliver")
    assert first.time_s >= 0.02 + 0.01  # held back 2 * high - low = 0.03 s on top of its delay


def test_max_events_cuts_the_run_and_says_so():
    class Storm(Node):
        def start(self, net):
            net.set_timer(self.name, 0.001, "tick")

        def timer(self, net, name):
            net.set_timer(self.name, 0.001, "tick")

    run = Network(["x"]).run({"x": Storm("x")}, until_s=100.0, max_events=50)
    assert run.truncated and len(run.events) == 50
    assert run.trace().splitlines()[-1] == "(cut at 50 events)"


@pytest.mark.parametrize("kwargs, name", [
    (dict(delay_s=(-0.1, 0.2)), "delay_s low"),
    (dict(delay_s=(0.3, 0.2)), "delay_s high"),
    (dict(delay_s=0.1), "delay_s"),
    (dict(loss=1.5), "loss"),
    (dict(duplicate=-0.1), "duplicate"),
    (dict(reorder=float("nan")), "reorder"),
    (dict(partitions=[("a", "z", 0, 1)]), "unknown node 'z'"),
    (dict(crashes=[("q", 0.1, None)]), "unknown node 'q'"),
    (dict(crashes=[("a", 0.5, 0.2)]), "crash restart_s"),
    (dict(drop=(0,)), "drop"),
    (dict(seed=-1), "seed"),
])
def test_bad_network_input_names_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name.replace("(", r"\(")):
        Network(["a", "b"], **kwargs)


def test_faults_after_the_run_ends_are_refused():
    with pytest.raises(ValueError, match="after the run ends"):
        echo(crashes=[("a", 2.0, None)])
    with pytest.raises(ValueError, match="after the run ends"):
        echo(partitions=[("a", "b", 5.0, 6.0)])
    with pytest.raises(ValueError, match="max_events"):
        Network(["a", "b"]).run({"a": Echo("a"), "b": Echo("b")}, max_events=MAX_EVENTS + 1)
    with pytest.raises(ValueError, match="until_s"):
        Network(["a", "b"]).run({"a": Echo("a"), "b": Echo("b")}, until_s=0)
    with pytest.raises(ValueError, match="nodes"):
        Network(["a", "a"])


@pytest.mark.parametrize("kwargs, name", [
    (dict(timeout_s=0), "timeout_s"), (dict(max_attempts=0), "max_attempts"), (dict(loss=2), "loss"),
    (dict(idempotency_keys="yes"), "idempotency_keys"),
])
def test_payment_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        payment_run(**kwargs)


@pytest.mark.parametrize("kwargs, name", [
    (dict(r=4), "r"), (dict(w=0), "w"), (dict(n=8), "n"), (dict(lag_s=-1), "lag_s"),
])
def test_quorum_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        quorum_run(**kwargs)


def test_checker_counts_every_application():
    run = payment_run(idempotency_keys=False, drop=(2, 4), max_attempts=3)
    assert [v.text for v in run.violations] == ["charge applied 3 times (events 2 and 9)"]
    assert check_payment(run.events)[0].events == (2, 9, 16)


def test_quorum_hand_worked_stale_and_fresh():
    stale = quorum_run(r=1, w=2, seed=1)
    assert [v.text for v in stale.violations] == [
        "read returned version 1 after version 2 was acknowledged (events 13 and 22)"]
    assert stale.events[22].label == "read returned version 1"
    assert quorum_run(r=2, w=2, seed=1).violations == []
    assert quorum_run(r=1, w=3, seed=1).violations == []


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), loss=st.floats(0, 0.6), drop=st.sets(st.integers(1, 4), max_size=2))
def test_with_keys_never_a_duplicate_charge(seed, loss, drop):
    run = payment_run(idempotency_keys=True, seed=seed, loss=loss, drop=tuple(sorted(drop)), max_attempts=4)
    assert run.violations == []


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), loss=st.floats(0, 0.5), lag=st.floats(0, 1),
       rw=st.sampled_from([(r, w) for r in (1, 2, 3) for w in (1, 2, 3) if r + w > 3]))
def test_strict_quorum_never_reads_stale(seed, loss, lag, rw):
    r, w = rw
    assert quorum_run(r=r, w=w, seed=seed, loss=loss, lag_s=lag).violations == []


def test_weak_quorum_can_read_stale():
    assert any(quorum_run(r=1, w=1, seed=s).violations for s in range(10))


# --- Raft-style election (consensus.raft_election_run) ---------------------------------

from scalelab.consensus import check_one_leader_per_term, raft_election_run  # noqa: E402
from scalelab.runs import Event  # noqa: E402


def _states(run):
    return [f"{e.node} {e.label}" for e in run.events if e.kind in ("state", "crash", "restart")]


def test_hand_worked_raft_election_and_leader_crash():
    run = raft_election_run(seed=0, crash_leader_at_s=0.6)
    # n3's timer (drawn from default_rng([0, 2])) fires first, at 162 ms; both others vote
    # for it; it crashes at 0.6 s; n2 times out next, wins term 2; n3 restarts at 1.0 s
    # remembering term 1, and follows n2 once it hears term 2.
    assert _states(run) == [
        "n3 candidate in term 1", "n1 term 1: follower", "n1 voted for n3 in term 1",
        "n2 term 1: follower", "n2 voted for n3 in term 1", "n3 leader of term 1",
        "n3 crashed", "n2 candidate in term 2", "n1 term 2: follower", "n1 voted for n2 in term 2",
        "n2 leader of term 2", "n3 restarted", "n3 term 2: follower",
    ]
    restart = next(e for e in run.events if e.kind == "restart")
    assert restart.state == "role=follower term=1 voted_for=n3"  # term and vote survive the crash
    assert run.violations == []


def test_equal_timeouts_split_the_vote_in_every_term():
    run = raft_election_run(seed=0, timeout_ms=(150, 150), until_s=1.0)
    labels = [e.label for e in run.events if e.kind == "state"]
    assert not any(label.startswith("leader") for label in labels)
    assert sum(label == "candidate in term 6" for label in labels) == 3


def test_the_checker_names_two_leaders_in_one_term():
    events = [Event(0, 0.1, "state", "n1", "leader of term 3"), Event(1, 0.2, "state", "n2", "leader of term 3")]
    [v] = check_one_leader_per_term(events)
    assert v.text == "two leaders in term 3 (events 0 and 1)" and v.events == (0, 1)


@pytest.mark.parametrize("kwargs, name", [
    (dict(n=1), "n"), (dict(timeout_ms=(300, 150)), "timeout_ms high"), (dict(heartbeat_ms=500), "heartbeat_ms"),
    (dict(crash_leader_at_s=2.0), "crash_leader_at_s"), (dict(crash_leader_at_s=1.2, restart_after_s=0.5),
                                                         "after the run ends"),
])
def test_raft_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        raft_election_run(**kwargs)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 5), loss=st.floats(0, 0.3),
       crash=st.one_of(st.none(), st.floats(0.05, 1.0)), spread=st.sampled_from([(150, 150), (150, 300)]))
def test_raft_never_two_leaders_in_a_term(seed, n, loss, crash, spread):
    run = raft_election_run(n=n, seed=seed, loss=loss, crash_leader_at_s=crash, restart_after_s=0.2,
                            timeout_ms=spread, until_s=1.5)
    assert run.violations == []


# --- TCP vs UDP (transport.tcp_run) ------------------------------------------------------

from scalelab.transport import tcp_run  # noqa: E402


def _app_reads(run):
    return [int(e.label.rsplit(" ", 1)[1]) for e in run.events if e.label.startswith("app reads segment")]


def test_hand_worked_tcp_fast_retransmit():
    # every message takes 30 ms, segments leave every 10 ms from t = 0.060; segment 2 (m5) is
    # dropped; segments 3, 4, 5 each bring back "ACK 2": the third duplicate (t = 0.160) sends
    # segment 2 again, which arrives at 0.190 and releases 2..6 to the application at once.
    run = tcp_run("tcp", lose_segment=2, fast_retransmit=True)
    lines = run.trace().splitlines()
    assert lines[15] == "#15 t=0.100 server drop m5 segment 2 client->server: dropped (fault)"
    assert lines[32:35] == ["#32 t=0.160 client state duplicate ACK 3",
                            "#33 t=0.160 client state fast retransmit of segment 2",
                            "#34 t=0.160 client send m15 segment 2 (again) -> server"]
    assert lines[38:43] == [f"#{38 + i} t=0.190 server state app reads segment {k}" for i, k in enumerate(range(2, 7))]
    assert run.violations == [] and _app_reads(run) == [1, 2, 3, 4, 5, 6]


def test_tcp_timeout_recovery_is_later_than_fast_retransmit():
    slow = tcp_run("tcp", lose_segment=2, fast_retransmit=False)
    fast = tcp_run("tcp", lose_segment=2, fast_retransmit=True)
    when = {name: next(e.time_s for e in r.events if e.label == "app reads segment 2")
            for name, r in (("slow", slow), ("fast", fast))}
    # the timer was last reset by ACK 2 at 0.120: it fires at 0.120 + 0.25 = 0.370, + 30 ms
    assert when == {"slow": pytest.approx(0.400), "fast": pytest.approx(0.190)}
    assert slow.violations == [] and _app_reads(slow) == [1, 2, 3, 4, 5, 6]


def test_udp_leaves_a_gap_and_the_checker_says_so():
    run = tcp_run("udp", lose_segment=2)
    assert _app_reads(run) == [1, 3, 4, 5, 6]
    assert [v.text for v in run.violations] == ["segment 3 delivered before segment 2 (event 9)",
                                                "segment 2 never delivered: a gap in the data (event 16)"]
    assert tcp_run("udp", lose_segment=None).violations == []


@pytest.mark.parametrize("kwargs, name", [
    (dict(protocol="sctp"), "protocol"), (dict(lose_segment=7), "lose_segment"), (dict(segments=0), "segments"),
    (dict(rto_s=0), "rto_s"), (dict(fast_retransmit=1), "fast_retransmit"),
])
def test_tcp_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        tcp_run(**kwargs)


@settings(max_examples=40, deadline=None)
@given(lose=st.sets(st.integers(1, 40), max_size=4), fast=st.booleans(), segments=st.integers(1, 8))
def test_tcp_always_delivers_everything_in_order(lose, fast, segments):
    run = tcp_run("tcp", lose_segment=None, fast_retransmit=fast, segments=segments, drop=tuple(sorted(lose)))
    if run.events[-1].state.startswith("phase=all acknowledged") or _app_reads(run) == list(range(1, segments + 1)):
        assert _app_reads(run) == list(range(1, segments + 1))
    assert run.violations == []


# --- sloppy quorum and hinted handoff (replication.sloppy_quorum_run) ---------------------

from scalelab.replication import sloppy_quorum_run  # noqa: E402


def test_hand_worked_sloppy_quorum_breaks_the_overlap():
    # seed 0: the partition drops the writes to r2 and r3; at 50 ms the client sends them
    # to the stand-ins h2 and h3 with hints; h3's ack is the second: W = 2 is met at 83 ms,
    # by r1 and a stand-in. The read (at 0.35 s, after the partition heals) goes to r1, r2, r3.
    run = sloppy_quorum_run(r=2, w=2, sloppy=True, seed=0)
    lines = run.trace().splitlines()
    assert lines[3] == "#3 t=0.021 r3 drop m3 write v2 client->r3: cut by partition"
    assert lines[11:13] == ["#11 t=0.050 client send m5 write v2 (hint: r2) -> h2",
                            "#12 t=0.050 client send m6 write v2 (hint: r3) -> h3"]
    assert lines[20] == "#20 t=0.083 client state write v2 acknowledged by 2"
    assert lines[35] == "#35 t=0.381 client state read returned version 2"  # r1's reply was among the first two
    assert lines[44] == "#44 t=0.618 r2 state stored v2 (handed off)"
    stale = sloppy_quorum_run(r=2, w=2, sloppy=True, seed=4)
    assert [v.text for v in stale.violations] == [
        "read returned version 1 after version 2 was acknowledged (events 20 and 35)"]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), rw=st.sampled_from([(r, w) for r in (1, 2, 3) for w in (1, 2, 3) if r + w > 3]))
def test_strict_quorum_during_a_partition_never_reads_stale(seed, rw):
    r, w = rw
    assert sloppy_quorum_run(r=r, w=w, sloppy=False, seed=seed).violations == []


def test_sloppy_quorum_can_read_stale_with_r_plus_w_above_n():
    assert any(sloppy_quorum_run(r=2, w=2, sloppy=True, seed=s).violations for s in range(10))


@pytest.mark.parametrize("kwargs, name", [
    (dict(r=0), "r"), (dict(w=4), "w"), (dict(sloppy="yes"), "sloppy"), (dict(heal_s=-1), "heal_s"),
    (dict(handoff_s=9), "handoff_s"),
])
def test_sloppy_quorum_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        sloppy_quorum_run(**kwargs)


# --- Two Generals (consensus.two_generals_run) ---------------------------------------------

from scalelab.consensus import two_generals_run  # noqa: E402


def test_hand_worked_two_generals_last_ack_lost():
    run = two_generals_run(rounds=3, drop=(3,))
    assert run.trace().splitlines() == [
        "#0 t=0.000 A send m1 attack at dawn -> B",
        "#1 t=0.164 B deliver m1 attack at dawn <- A",
        "#2 t=0.164 B state received=1 plan=hold",
        "#3 t=0.164 B send m2 ack 1 -> A",
        "#4 t=0.345 A deliver m2 ack 1 <- B",
        "#5 t=0.345 A state received=2 plan=hold",
        "#6 t=0.345 A send m3 ack 2 -> B",
        "#7 t=0.499 B drop m3 ack 2 A->B: dropped (fault)",
        "#8 t=2.000 A timer dawn",
        "#9 t=2.000 A state attacks",
        "#10 t=2.000 B timer dawn",
        "#11 t=2.000 B state holds",
        "VIOLATION A attacks alone (event 9)",
    ]


@settings(max_examples=40, deadline=None)
@given(rounds=st.integers(1, 8), seed=st.integers(0, 10_000))
def test_losing_the_last_messenger_leaves_its_sender_alone(rounds, seed):
    sender = "A" if rounds % 2 == 1 else "B"
    run = two_generals_run(rounds=rounds, drop=(rounds,), seed=seed)
    assert [v.text.split(" (")[0] for v in run.violations] == [f"{sender} attacks alone"]
    assert two_generals_run(rounds=rounds, seed=seed).violations == []


def test_two_generals_bad_input():
    with pytest.raises(ValueError, match="rounds"):
        two_generals_run(rounds=9)
    with pytest.raises(ValueError, match="loss"):
        two_generals_run(loss=1.2)


# --- NTP exchange (clocks.ntp_run) ---------------------------------------------------------

from scalelab.clocks import ntp_run  # noqa: E402


def test_hand_worked_ntp_exchange_with_asymmetric_paths():
    # t1 = 0, t2 = t3 = 30 + 100 = 130 ms (server clock), t4 = 40 ms: offset = (130 + 90) / 2
    # = 110 ms, round trip 40 ms, error (30 - 10) / 2 = 10 ms, within half the round trip (20).
    run = ntp_run(offset_ms=100.0, outbound_ms=30.0, return_ms=10.0, exchanges=1)
    assert run.trace().splitlines() == [
        "#0 t=0.000 client send m1 request t1=0.0 -> server",
        "#1 t=0.030 server deliver m1 request t1=0.0 <- client",
        "#2 t=0.030 server send m2 reply t2=t3=130.0 -> client",
        "#3 t=0.040 client deliver m2 reply t2=t3=130.0 <- server",
        "#4 t=0.040 client state estimate offset 110.0 ms",
        "VIOLATION offset error 10.0 ms exceeds the 5 ms tolerance (event 4)",
    ]
    assert run.events[-1].state == "sent=1 offset_ms=110 error_ms=10 delay_ms=40"
    assert ntp_run(offset_ms=100.0, outbound_ms=30.0, return_ms=10.0, exchanges=1,
                   tolerance_ms=10.0).violations == []


@settings(max_examples=40, deadline=None)
@given(out=st.floats(0, 200), back=st.floats(0, 200), jitter=st.floats(0, 50),
       offset=st.floats(-1000, 1000), seed=st.integers(0, 10_000))
def test_ntp_error_never_exceeds_half_the_round_trip(out, back, jitter, offset, seed):
    run = ntp_run(offset_ms=offset, outbound_ms=out, return_ms=back, jitter_ms=jitter, exchanges=2,
                  tolerance_ms=1e6, seed=seed)
    assert run.violations == []
    estimates = [e for e in run.events if e.label.startswith("estimate")]
    assert len(estimates) == 2
    if jitter == 0:
        tol = 1.0
        flagged = ntp_run(offset_ms=offset, outbound_ms=out, return_ms=back, exchanges=1,
                          tolerance_ms=tol, seed=seed).violations
        assert bool(flagged) == (abs(out - back) / 2 > tol + 1e-3) or abs(abs(out - back) / 2 - tol) < 1e-2


def test_ntp_bad_input():
    with pytest.raises(ValueError, match="exchanges"):
        ntp_run(exchanges=21)
    with pytest.raises(ValueError, match="outbound_ms"):
        ntp_run(outbound_ms=-1.0)
    with pytest.raises(ValueError, match="tolerance_ms"):
        ntp_run(tolerance_ms=float("nan"))


# --- Lamport and vector clocks on a run (clocks.logical_clock_run) --------------------------

from scalelab.clocks import logical_clock_run  # noqa: E402


def test_hand_worked_logical_clocks_two_processes():
    run = logical_clock_run(processes=2, steps=2, seed=0)
    labelled = [(e.node, e.label, e.state) for e in run.events if e.kind == "state"]
    # By hand: P2 local (1, (0,1)); P2 sends m1 (2, (0,2)); P1 sends m2 (1, (1,0));
    # P1 receives m1: max(1, 2) + 1 = 3, max((1,0), (0,2)) + own = (2,2);
    # P2 receives m2: max(2, 1) + 1 = 3, (1,3); P1 sends m3 (4, (3,2));
    # P2 receives m3: max(3, 4) + 1 = 5, (3,4).
    assert labelled == [
        ("P2", "local", "L=1 V=(0,1)"),
        ("P2", "send to P1", "L=2 V=(0,2)"),
        ("P1", "send to P2", "L=1 V=(1,0)"),
        ("P1", "receive m1", "L=3 V=(2,2)"),
        ("P2", "receive m2", "L=3 V=(1,3)"),
        ("P1", "send to P2", "L=4 V=(3,2)"),
        ("P2", "receive m3", "L=5 V=(3,4)"),
    ]
    assert run.violations == []
    ignored = logical_clock_run(processes=2, steps=2, seed=0, receive_rule="ignore")
    # Ignoring the carried clocks: m1's receive gets L=2 (its send had 2); m2's gets L=3 > 1
    # but V=(0,3), not >= (1,0); m3's V=(0,4) is not >= (3,0): all three flagged.
    assert [v.text.split(":")[0] for v in ignored.violations] == [
        f"receive of m{i} not after its send" for i in (1, 2, 3)]


@settings(max_examples=30, deadline=None)
@given(processes=st.integers(2, 6), steps=st.integers(1, 10), seed=st.integers(0, 10_000),
       drop=st.lists(st.integers(1, 20), max_size=3))
def test_max_rule_labels_agree_with_happened_before(processes, steps, seed, drop):
    run = logical_clock_run(processes=processes, steps=steps, seed=seed, drop=tuple(drop))
    assert run.violations == []
    assert sum(e.kind == "state" for e in run.events) >= processes  # every process acts


def test_logical_clock_bad_input():
    with pytest.raises(ValueError, match="processes"):
        logical_clock_run(processes=1)
    with pytest.raises(ValueError, match="steps"):
        logical_clock_run(steps=11)
    with pytest.raises(ValueError, match="receive_rule"):
        logical_clock_run(receive_rule="min")


# --- Read repair (replication.read_repair_run) ---------------------------------------------

from scalelab.replication import read_repair_run  # noqa: E402


def test_hand_worked_read_repair():
    # The write to r3 (m3) is lost; read 1 (R=2) gets r3's v1 first, then r1's v2, returns
    # v2 and, with repair, sends "repair v2" to r3 (m12), which stores it before read 2.
    run = read_repair_run(repair=True, seed=1)
    lines = run.trace().splitlines()
    assert "#3 t=0.021 r3 drop m3 write v2 client->r3: dropped (fault)" in lines
    assert "#25 t=0.109 client state read 1 returned version 2" in lines
    assert "#26 t=0.109 client send m12 repair v2 -> r3" in lines
    assert "#29 t=0.136 r3 state repaired to v2" in lines
    assert "#41 t=0.351 client state read 2 returned version 2" in lines
    assert run.violations == []
    stale = read_repair_run(repair=False, seed=1)
    assert "#38 t=0.344 client state read 2 returned version 1" in stale.trace().splitlines()
    assert [v.text for v in stale.violations] == [
        "read 2 returned version 1 after version 2 was acknowledged (events 13 and 38)"]


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 7), seed=st.integers(0, 10_000), data=st.data())
def test_read_repair_leaves_no_stale_replica(n, seed, data):
    w = data.draw(st.integers(1, n - 1))
    r = data.draw(st.integers(2, n))
    run = read_repair_run(repair=True, n=n, w=w, r=r, seed=seed)
    last = run.states(len(run.events) - 1)
    assert all(last[f"r{i + 1}"] == "version=2" for i in range(n))
    assert [v for v in run.violations if v.text.startswith("read 2")] == []
    plain = read_repair_run(repair=False, n=n, w=w, r=r, seed=seed)
    assert plain.states(len(plain.events) - 1)[f"r{n}"] == "version=1"


def test_read_repair_bad_input():
    with pytest.raises(ValueError, match="w"):
        read_repair_run(n=3, w=3)
    with pytest.raises(ValueError, match="repair"):
        read_repair_run(repair=2)
    with pytest.raises(ValueError, match="drop"):
        read_repair_run(drop=(0,))
