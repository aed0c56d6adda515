"""Modulo hash partitioning: stable placement, balance, and how many keys move."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalelab import databases as d


def test_placement_is_the_same_in_another_process_with_another_hash_seed():
    # hashing.hash64, not Python's salted hash(): a fixed key has a fixed hash everywhere.
    code = "from scalelab import databases as d; print(d.key_hash('ticket-42'), d.node_for_key('ticket-42', 7))"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == [str(d.key_hash("ticket-42")), str(d.node_for_key("ticket-42", 7))]


def test_keys_spread_evenly_over_nodes():
    counts = d.keys_per_node(40_000, 8)
    assert counts.sum() == 40_000
    assert counts.max() / counts.mean() < 1.05


def test_adding_a_node_moves_n_over_n_plus_one_of_keys():
    for n in (2, 4, 9):
        assert d.expected_moved_share(n, n + 1) == pytest.approx(n / (n + 1))
        assert d.moved_share(20_000, n, n + 1) == pytest.approx(n / (n + 1), abs=0.02)


def test_doubling_the_nodes_moves_half_of_the_keys():
    assert d.expected_moved_share(4, 8) == pytest.approx(0.5)
    assert d.moved_share(20_000, 4, 8) == pytest.approx(0.5, abs=0.02)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 60), st.integers(1, 60))
def test_moved_share_is_symmetric_and_zero_only_for_the_same_count(a, b):
    share = d.expected_moved_share(a, b)
    assert share == pytest.approx(d.expected_moved_share(b, a))
    assert (share == 0) == (a == b)


def test_store_families_keep_two_sql_classes_apart_and_neo4j_5_places_databases():
    table = d.store_families()
    assert "subset" in table.loc["Neo4j 5", "where data lives"]
    # Two SQL classes, kept apart; the replication column says how copies are kept.
    assert table["class"].str.startswith("scaled-out SQL").sum() == 1
    assert table["class"].str.startswith("NewSQL").sum() == 1
    assert "Raft" in table.loc["Google Spanner, CockroachDB, YugabyteDB", "replication"]
    assert "4.2 (2019)" in table.loc["MongoDB", "transactions"]
    assert "leader" in table.loc["Neo4j 5", "replication"]  # one primary takes writes, not every primary
    assert not table["replication"].str.contains("transactions").any()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: d.node_for_key("k", 0), r"nodes must be a whole number and in \[1, 100000\], got 0"),
        (lambda: d.key_hash(42), r"key must be a string, got int"),
        (lambda: d.moved_share(0, 2, 3), r"n_keys must be a whole number"),
        (lambda: d.expected_moved_share(3, 1.5), r"nodes_after must be a whole number"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter_and_range(call, message):
    with pytest.raises(ValueError, match=message):
        call()
