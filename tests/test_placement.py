"""Replica placement on the ring: the successor list (Dynamo, SimpleStrategy) and racks (NTS)."""

from __future__ import annotations

import bisect

import numpy as np

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalelab import hashing
from scalelab.hashing import ConsistentHashRing
from scalelab.placement import preference_list, replica_walk

NODES = list("ABCDEF")
RACKS = {"A": "r1", "B": "r1", "C": "r2", "D": "r2", "E": "r3", "F": "r3"}
RING = ConsistentHashRing(NODES, vnodes=4)


def _successors(ring, key, n):
    """The definition, directly: distinct owners of the points clockwise from the key."""
    points, owners = ring.positions.tolist(), ring.owners.tolist()
    i = bisect.bisect_left(points, int(hashing.hash64([key])[0]))
    out = []
    for step in range(len(points)):
        node = owners[(i + step) % len(points)]
        if node not in out:
            out.append(node)
        if len(out) == n:
            return out
    return out


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 6))
def test_simple_strategy_takes_the_first_n_distinct_nodes_clockwise(i, n):
    key = f"user:{i}"
    got = preference_list(RING, key, n)
    assert got == _successors(RING, key, n)
    assert len(set(got)) == n and got[0] == RING.lookup([key])[0]  # partitioning picks replica 1


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 6))
def test_rack_aware_placement_uses_as_many_racks_as_it_can(i, n):
    key = f"user:{i}"
    got = preference_list(RING, key, n, RACKS)
    assert len(set(got)) == n and got[0] == RING.lookup([key])[0]
    assert len({RACKS[x] for x in got}) == min(n, 3)


def test_rack_aware_placement_differs_where_simple_puts_two_copies_in_one_rack():
    # user:11: the successor list is D, E, F, and E and F share rack r3.
    assert preference_list(RING, "user:11", 3) == ["D", "E", "F"]
    assert preference_list(RING, "user:11", 3, RACKS) == ["D", "E", "B"]
    walk = replica_walk(RING, "user:11", 3, RACKS)
    assert "pass over: rack r3 already has a copy" in " ".join(walk["decision"])


def test_with_one_rack_per_node_rack_aware_is_the_simple_strategy():
    own = {n: f"rack-{n}" for n in NODES}
    for i in range(200):
        assert preference_list(RING, f"k{i}", 3, own) == preference_list(RING, f"k{i}", 3)


def _older_cassandra_rule(ring, key, n, racks):
    """Older Cassandra's NetworkTopologyStrategy (skippedDcEndpoints), one data centre: pass over a node whose rack
    has a copy; once every rack has one, take the passed-over nodes in ring order, then
    any new node met further on."""
    points, owners = ring.positions.tolist(), ring.owners.tolist()
    i = bisect.bisect_left(points, int(hashing.hash64([key])[0]))
    all_racks = set(racks.values())
    out, seen, skipped = [], set(), []
    for step in range(len(points)):
        node = owners[(i + step) % len(points)]
        if len(out) == n:
            break
        if node in out or node in skipped:
            continue
        if seen == all_racks:
            out.append(node)
        elif racks[node] in seen:
            skipped.append(node)
        else:
            seen.add(racks[node])
            out.append(node)
            if seen == all_racks:
                while skipped and len(out) < n:
                    out.append(skipped.pop(0))
    return out


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 6), st.lists(st.sampled_from("xyz"), min_size=6, max_size=6))
def test_the_current_rack_rule_picks_the_same_nodes_as_the_older_one(i, n, rack_of):
    racks = dict(zip(NODES, rack_of))
    got = preference_list(RING, f"user:{i}", n, racks)
    assert len(set(got)) == n and got[0] == RING.lookup([f"user:{i}"])[0]
    assert len({racks[x] for x in got}) == min(n, len(set(rack_of)))
    assert set(got) == set(_older_cassandra_rule(RING, f"user:{i}", n, racks))


def test_fewer_racks_than_replicas_fills_from_the_passed_over_nodes():
    two = {"A": "x", "B": "x", "C": "x", "D": "y", "E": "y", "F": "y"}
    for i in range(200):
        got = preference_list(RING, f"k{i}", 4, two)
        assert len(set(got)) == 4 and {two[n] for n in got} == {"x", "y"}


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: preference_list(RING, "k", 7), r"replicas must be a whole number and in \[1, 6\], got 7"),
        (lambda: preference_list(RING, "k", 0), r"replicas must be a whole number and in \[1, 6\], got 0"),
        (lambda: preference_list(RING, 5, 3), r"key must be a str, got 5"),
        (lambda: preference_list("ring", "k", 3), r"ring must be a ConsistentHashRing"),
        (lambda: preference_list(RING, "k", 3, {"A": "r1"}), r"racks must name a rack for every node, got none for 'B'"),
        (lambda: preference_list(RING, "k", 3, ["r1"]), r"racks must be a mapping"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_replica_picture_marks_the_successor_list_at_every_setting():
    from scalelab.placement import PICTURE_KEY, replica_picture
    names = list(replica_picture(3, 1, 1))
    for n in range(3, 7):
        for v in (1, 2, 4, 8):
            for r in (1, 2, 3):
                pic = replica_picture(n, v, r)
                assert list(pic) == names  # the explorer needs the same curves everywhere
                # nodes are lettered on their diamonds, not listed in a legend that frames do not update
                assert all(pic[f"node {c}"]["text"] == c and pic[f"node {c}"]["showlegend"] is False
                           for c in "ABCDEF")
                walk = replica_walk(ConsistentHashRing(list("ABCDEF")[:n], vnodes=v), PICTURE_KEY, r)
                assert np.isfinite(pic["copies"]["x"]).sum() == r
                assert np.isfinite(pic["skipped: same node again"]["x"]).sum() == walk["decision"].str.startswith("skip").sum()
    with pytest.raises(ValueError, match=r"replicas must be a whole number and in \[1, 3\], got 4"):
        replica_picture(3, 1, 4)


def test_replica_summary_names_the_successor_list_and_the_skipped_points():
    """The replica picture's text alternative names the nodes preference_list chooses, in
    walk order, and counts the points skipped because their node already holds a copy."""
    from scalelab.placement import PICTURE_KEY, replica_summary

    for n in range(3, 7):
        for v in (1, 2, 4, 8):
            for r in (1, 2, 3):
                said = replica_summary(n, v, r)
                ring = ConsistentHashRing(list("ABCDEF")[:n], vnodes=v)
                chosen = preference_list(ring, PICTURE_KEY, r)
                named = said.split(" go to " if r > 1 else " goes to ")[1].split(";")[0]
                assert named.replace(" and ", ", ").split(", ") == chosen
                skips = int(replica_walk(ring, PICTURE_KEY, r)["decision"].str.startswith("skip").sum())
                assert ("skips no point" in said) == (skips == 0)
                assert skips == 0 or f"skips {skips} point" in said
    assert replica_summary(3, 8, 3).endswith("it skips 7 points whose nodes already hold a copy: 3 of A, 4 of B.")
    with pytest.raises(ValueError, match=r"replicas must be a whole number and in \[1, 3\], got 4"):
        replica_summary(3, 1, 4)
