"""Two Generals and the FLP demonstration: analytic values, properties, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalelab import consensus

losses = st.floats(0, 1, allow_nan=False)
counts = st.integers(1, 60)


def test_two_generals_success_is_one_minus_loss_to_the_k():
    assert consensus.two_generals_success(0.5, 3) == pytest.approx(0.875)
    assert consensus.two_generals_success(0.3, 6) == pytest.approx(1 - 0.3**6)
    np.testing.assert_allclose(consensus.two_generals_success(0.1, [1, 2, 3]), [0.9, 0.99, 0.999])


def test_a_perfect_or_a_hopeless_valley():
    assert consensus.two_generals_success(0.0, 1) == 1.0
    assert consensus.two_generals_success(1.0, 50) == 0.0


@settings(deadline=None)  # a busy 2-core machine can take longer than 200 ms
@given(st.floats(0.01, 0.99), counts)
def test_more_messengers_help_but_never_give_certainty(p, k):
    s = consensus.two_generals_success(p, k)
    assert consensus.two_generals_success(p, k + 1) >= s
    assert s < 1 or p ** k < 1e-16  # equals 1 only where floating point rounds it


def test_messengers_needed_is_the_smallest_sufficient_count():
    k = consensus.messengers_needed(0.3, 0.999)
    assert k == 6  # ln(0.001) / ln(0.3) = 5.74
    assert consensus.two_generals_success(0.3, k) >= 0.999 > consensus.two_generals_success(0.3, k - 1)


@settings(deadline=None)  # a busy 2-core machine can take longer than 200 ms
@given(st.floats(0.01, 0.95), st.floats(0.01, 0.9999))
def test_messengers_needed_meets_the_target(p, target):
    k = consensus.messengers_needed(p, target)
    assert consensus.two_generals_success(p, k) >= target - 1e-12
    if k > 1:
        assert consensus.two_generals_success(p, k - 1) < target + 1e-12


def test_longer_acknowledgement_chains_are_less_likely_to_complete():
    assert consensus.chain_success(0.1, 3) == pytest.approx(0.729)
    assert consensus.chain_success(0.1, 10) < consensus.chain_success(0.1, 3)


@pytest.mark.parametrize("rounds", [1, 2, 5, 12])
def test_whoever_sends_the_last_message_cannot_know_it_arrived(rounds):
    table = consensus.acknowledgement_chain(rounds)
    assert len(table) == rounds and table["arrived"].all()
    last = table.iloc[-1]
    # The last receiver learns one more level than the last sender can be sure of.
    assert last["sender cannot know"] == "whether " + last["receiver now knows"]
    assert last["from"] == ("A" if rounds % 2 else "B")


def test_a_captured_messenger_ends_the_exchange():
    table = consensus.acknowledgement_chain(6, lost_at=3)
    assert list(table.index) == [1, 2, 3]
    assert not table.loc[3, "arrived"]


def test_flp_wait_for_all_decides_under_a_fair_scheduler():
    r = consensus.flp_run("wait for all", "fair")
    assert r.all_decided and r.agreement and r.decisions["P1"] == 0 and not r.in_flight


@pytest.mark.parametrize("max_steps", [10, 100, 1000])
def test_flp_adversary_delays_one_message_and_wait_for_all_never_decides(max_steps):
    r = consensus.flp_run("wait for all", "adversary", max_steps=max_steps)
    assert r.steps == max_steps  # bounded: the run stops at the limit, it does not hang
    assert r.decisions["P1"] is None
    assert r.in_flight == [("P3", "P1")]


def test_flp_adversary_splits_wait_for_all_but_one():
    r = consensus.flp_run("wait for all but one", "adversary")
    assert r.all_decided and not r.agreement
    fair = consensus.flp_run("wait for all but one", "fair")
    assert fair.all_decided and fair.agreement


def test_flp_summary_shows_the_dilemma_in_four_runs():
    table = consensus.flp_summary(max_steps=50)
    assert table["outcome"].tolist() == ["agreement", "NO DECISION", "agreement", "DISAGREEMENT"]
    assert table.loc[1, "steps"] == 50 and table.loc[1, "still in flight"] == "P3->P1"


@settings(deadline=None)  # a busy 2-core machine can take longer than 200 ms
@given(st.lists(st.integers(0, 1), min_size=3, max_size=6))
def test_wait_for_all_never_disagrees_whatever_the_scheduler(values):
    for scheduler in consensus.SCHEDULERS:
        r = consensus.flp_run("wait for all", scheduler, tuple(values), max_steps=200)
        assert r.agreement


@settings(deadline=None)  # a busy 2-core machine can take longer than 200 ms
@given(st.lists(st.integers(0, 1), min_size=3, max_size=6).filter(lambda v: len(v) - 1 <= sum(v) < len(v)))
def test_the_adversary_splits_wait_for_all_but_one_when_enough_inputs_are_one(values):
    # Deciding the minimum of n - 1 values can give 1 only if n - 1 inputs are 1.
    r = consensus.flp_run("wait for all but one", "adversary", tuple(values), max_steps=200)
    assert not r.agreement


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: consensus.two_generals_success(1.5, 2), r"loss must be in \[0, 1\], got 1.5"),
        (lambda: consensus.two_generals_success(-0.1, 2), r"loss must be in \[0, 1\], got -0.1"),
        (lambda: consensus.two_generals_success(0.5, 0), r"messengers must be >= 1, got 0"),
        (lambda: consensus.two_generals_success(float("nan"), 2), r"loss must be in \[0, 1\], got nan"),
        (lambda: consensus.messengers_needed(0, 0.9), r"loss must be in \(0, 1\), got 0"),
        (lambda: consensus.messengers_needed(0.5, 1), r"target must be in \(0, 1\), got 1"),
        (lambda: consensus.acknowledgement_chain(0), r"rounds must be a whole number and in \[1, 10000\]"),
        (lambda: consensus.acknowledgement_chain(3, lost_at=4), r"lost_at must be a whole number and in \[1, 3\]"),
        (lambda: consensus.flp_run("paxos"), r"protocol must be one of"),
        (lambda: consensus.flp_run(scheduler="random"), r"scheduler must be one of"),
        (lambda: consensus.flp_run(values=(0, 1)), r"values must hold at least 3"),
        (lambda: consensus.flp_run(values=(0, 1, 2)), r"values must be a whole number and in \[0, 1\], got 2"),
        (lambda: consensus.flp_run(max_steps=0), r"max_steps must be a whole number and in \[1, 10000\]"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter_and_range(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- Raft-style leader election ---------------------------------------------------------



@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 7), st.sampled_from([0.0, 2.0, 10.0, 50.0, 150.0]),
       st.sampled_from([0.0, 0.1, 0.3]), st.one_of(st.none(), st.floats(0, 1500)))
def test_never_two_leaders_in_one_term(seed, nodes, spread, loss, crash_at):
    run = consensus.simulate_election(nodes, timeout_spread_ms=spread, loss=loss, crash_leader_at_ms=crash_at,
                                      recover_after_ms=300.0, duration_ms=1500.0, seed=seed)
    assert run.max_leaders_per_term <= 1
    # Each leader won a majority, so it stood as a candidate in its term.
    for t, who in run.leaders.items():
        assert set(who) <= set(run.candidates[t])


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 7))
def test_equal_timeouts_split_every_vote_forever(seed, nodes):
    # Every node times out at the same instant and votes for itself: no majority, ever.
    run = consensus.simulate_election(nodes, timeout_spread_ms=0, duration_ms=1500.0, seed=seed)
    assert run.leaders == {}
    assert run.split_votes == len(run.candidates) == 10  # one term per 150 ms


def test_a_fresh_cluster_elects_one_leader_that_everyone_follows():
    run = consensus.simulate_election(seed=0, duration_ms=1000.0)
    assert len(run.leaders) == 1
    (term, (leader,)), = run.leaders.items()
    last = {node: (r, t) for node, _, _, r, t in run.spans}  # spans are sorted: the last per node wins
    assert last[leader] == ("leader", term)
    assert all(r == "follower" and t == term for node, (r, t) in last.items() if node != leader)


def test_a_crashed_leader_is_replaced_in_a_later_term_and_rejoins_as_follower():
    run = consensus.simulate_election(seed=1, crash_leader_at_ms=1000.0, recover_after_ms=500.0)
    crash = next(e for e in run.events if e[2] == "crash")
    later = [(t, who[0]) for t, who in run.leaders.items() if who and t > crash[3]]
    assert later and later[0][1] != crash[1]
    assert run.split_votes >= 1  # this seed shows a split vote on the way
    final = {node: (r, t) for node, _, _, r, t in run.spans}
    assert final[crash[1]] == ("follower", max(run.leaders))


def test_a_run_is_determined_by_its_seed():
    a = consensus.simulate_election(seed=3, loss=0.2, crash_leader_at_ms=800.0)
    b = consensus.simulate_election(seed=3, loss=0.2, crash_leader_at_ms=800.0)
    assert a.log == b.log and a.spans == b.spans


def test_wider_timeout_ranges_elect_a_first_leader_sooner():
    table = consensus.election_statistics(spreads_ms=(0, 5, 150), seeds=40, limit_ms=3000.0)
    assert table["runs with a leader"].tolist()[0] == 0.0
    assert table["runs with a leader"].tolist()[2] == 1.0
    assert table["mean split votes before a leader"].iloc[1] > table["mean split votes before a leader"].iloc[2]
    assert (table["most leaders in a term"] <= 1).all()


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 7), st.sampled_from([0.0, 10.0, 150.0]),
       st.sampled_from([0.0, 0.2]), st.one_of(st.none(), st.floats(0, 1500)))
def test_each_nodes_role_spans_cover_the_whole_run_without_gaps(seed, nodes, spread, loss, crash_at):
    # The timeline draws these spans: a candidate that stands again (a split vote) must
    # keep its earlier term's stretch, so every node has a role at every instant.
    run = consensus.simulate_election(nodes, timeout_spread_ms=spread, loss=loss, crash_leader_at_ms=crash_at,
                                      recover_after_ms=300.0, duration_ms=1500.0, seed=seed)
    for node in range(1, nodes + 1):
        mine = [(start, end) for n, start, end, _, _ in run.spans if n == node]
        assert mine[0][0] == 0.0 and mine[-1][1] == run.duration_ms
        assert all(a[1] == b[0] for a, b in zip(mine, mine[1:])), node


def test_equal_timeouts_draw_every_node_as_a_candidate_from_the_first_timeout_on():
    run = consensus.simulate_election(5, timeout_spread_ms=0, duration_ms=1000.0)
    for node in range(1, 6):
        drawn = sum(end - start for n, start, end, role, _ in run.spans if n == node and role == "candidate")
        assert drawn == pytest.approx(1000.0 - 150.0)


def test_the_explorer_frames_the_chapter_describes():
    # Chapter 5: with a 10 ms range every seed splits at least four votes in 2 s, seeds 4
    # and 8 (no others) do not replace their crashed leader, and seed 2 elects its first
    # leader only at 1,398 ms (no crash); with 50 or 150 ms no seed splits more than once.
    def run(seed, spread):
        return consensus.simulate_election(5, timeout_spread_ms=spread, crash_leader_at_ms=1000.0,
                                           recover_after_ms=500.0, duration_ms=2000.0, seed=seed)
    assert min(run(seed, 10).split_votes for seed in range(10)) >= 4
    def not_replaced(r):
        crash = [e for e in r.events if e[2] == "crash"]
        return bool(crash) and not any(who for t, who in r.leaders.items() if t > crash[0][3])
    assert [seed for seed in range(10) if not_replaced(run(seed, 10))] == [4, 8]
    two = run(2, 10)
    assert not any(e[2] == "crash" for e in two.events) and round(two.first_leader_ms) == 1398
    assert max(run(seed, spread).split_votes for seed in range(10) for spread in (50, 150)) <= 1


def test_timeline_curves_have_the_same_names_at_every_setting():
    names = list(consensus.election_timeline_curves(0, 0))
    assert names == list(consensus.election_timeline_curves(7, 150))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: consensus.simulate_election(nodes=0), r"nodes must be a whole number and in \[1, 15\], got 0"),
        (lambda: consensus.simulate_election(nodes=16), r"nodes must be a whole number and in \[1, 15\], got 16"),
        (lambda: consensus.simulate_election(timeout_min_ms=0), r"timeout_min_ms must be in \(0, 60000\]"),
        (lambda: consensus.simulate_election(timeout_spread_ms=-1), r"timeout_spread_ms must be in \[0, 60000\]"),
        (lambda: consensus.simulate_election(delay_ms=(10, 5)), r"delay_ms must be \(shortest, longest\)"),
        (lambda: consensus.simulate_election(loss=1), r"loss must be in \[0, 1\), got 1"),
        (lambda: consensus.simulate_election(duration_ms=1e6), r"duration_ms must be in \(0, 60000\]"),
        (lambda: consensus.simulate_election(heartbeat_ms=0.001, duration_ms=60000), r"MAX_MESSAGES"),
    ],
)
def test_election_refuses_bad_or_oversized_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_an_order_with_j_acknowledgements_is_j_plus_one_crossings():
    assert consensus.acknowledged_order_success(0.3, 5) == pytest.approx(0.7**6)  # order + 5 acks
    assert consensus.acknowledged_order_success(0.3, 6) == pytest.approx(0.7**7)
    assert consensus.acknowledged_order_success(0.3, 0) == pytest.approx(0.7)


def test_copies_and_chains_are_drawn_on_separate_axes():
    copies = consensus.two_generals_curves(0.3, 3)
    chain = consensus.ack_chain_curves(0.3, 5)
    assert list(copies) == ["at least one of k copies arrives", "chosen k"]
    assert chain["chosen j"]["y"][0] == pytest.approx(0.7**6)
    assert chain["order + j acknowledgements all arrive"][0][0] == 0  # x counts acknowledgements


def test_election_summary_says_the_leaders_the_crash_and_the_split_votes_the_timeline_draws():
    """The election timeline's text alternative, checked against the run it draws."""
    import re

    for seed in range(4):
        for spread in (0, 10, 50, 150):
            said = consensus.election_summary(seed, spread)
            run = consensus.simulate_election(5, timeout_spread_ms=spread, crash_leader_at_ms=1000.0,
                                              recover_after_ms=500.0, duration_ms=2000.0, seed=seed)
            elected = [(int(n), int(term)) for n, term in re.findall(r"[Nn]ode (\d) is elected leader at [\d,]+ ms \(term (\d+)\)", said)]
            assert elected == [(node, term) for _, node, k, term in run.events if k == "leader"]
            # the leader crashes at 1,000 ms only if one was elected by then
            assert ("crashes at 1,000 ms" in said) == any(k == "leader" and t < 1000 for t, _, k, _ in run.events)
            # and where none leads then, it says so (the title says "whoever leads at 1 s crashes")
            crashed = any(k == "crash" for _, _, k, _ in run.events)
            assert ("no node leads at 1,000 ms, so none crashes" in said.lower()) == (not crashed)
            assert said.startswith("No leader is elected") == (not run.leaders)
            splits = "No term" if run.split_votes == 0 else f"{run.split_votes} term{'s' if run.split_votes > 1 else ''}"
            assert said.endswith(f". {splits} ended in a split vote.")
            restarts = [(node, t) for t, node, k, _ in run.events if k == "recover"]
            assert re.findall(r"node (\d) restarts at ([\d,]+) ms", said) == [(str(n), f"{t:,.0f}") for n, t in restarts]
    # a range of 0 (perfect symmetry): every term a split vote, no leader
    assert consensus.election_summary(0, 0) == ("No leader is elected in 2,000 ms; no node leads at 1,000 ms, so none "
                                                "crashes. 13 terms ended in a split vote.")
