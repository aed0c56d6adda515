"""Hashing keys onto nodes: published test vectors, key movement, balance, and bad input."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalelab import hashing
from scalelab.hashing import ConsistentHashRing, modulo_lookup

KEYS = [f"user:{i}" for i in range(20_000)]
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12).map(lambda s: s.rstrip("\x00"))


def test_fnv1a_64_matches_the_published_test_vectors():
    # draft-eastlake-fnv test suite: FNV-1a 64-bit of "", "a" and "foobar".
    got = hashing.fnv1a_64(["", "a", "foobar"])
    assert [int(h) for h in got] == [0xCBF29CE484222325, 0xAF63DC4C8601EC8C, 0x85944171F73967E8]


def test_crc16_xmodem_of_123456789_is_0x31c3():
    # Redis Cluster specification, Appendix A: the check value of CRC-16/XMODEM.
    assert int(hashing.crc16_xmodem(["123456789"])[0]) == 0x31C3


def test_redis_slots_match_the_cluster_keyslot_documentation():
    # redis.io CLUSTER KEYSLOT: somekey -> 11058, foo{hash_tag} -> 2515, bar{hash_tag} -> 2515.
    slots = hashing.redis_hash_slot(["somekey", "foo{hash_tag}", "bar{hash_tag}", "{user1}.following"])
    assert slots.tolist() == [11058, 2515, 2515, 8106]


def test_redis_hash_tag_rules_follow_the_specification():
    # Empty tag: the whole key is hashed; only the first { and the first } after it count.
    crc = lambda k: int(hashing.crc16_xmodem([k])[0]) % 16384  # noqa: E731
    slots = hashing.redis_hash_slot(["foo{}{bar}", "foo{{bar}}zap", "foo{bar}{zap}", "{", "}{x}"])
    assert slots.tolist() == [crc("foo{}{bar}"), crc("{bar"), crc("bar"), crc("{"), crc("x")]


def _crc16_reference(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def _fnv_reference(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) % 2**64
    return h


@settings(max_examples=60, deadline=None)
@given(st.lists(text, min_size=1, max_size=8))
def test_vectorized_hashes_equal_byte_by_byte_references_on_any_unicode(keys):
    data, lengths = hashing.encode_keys(keys)
    for row, n, key in zip(data, lengths, keys):
        assert bytes(row[:n]) == key.encode("utf-8")
    assert [int(h) for h in hashing.fnv1a_64(keys)] == [_fnv_reference(k.encode()) for k in keys]
    assert [int(c) for c in hashing.crc16_xmodem(keys)] == [_crc16_reference(k.encode()) for k in keys]


def test_hashes_are_the_same_in_a_fresh_process_with_another_hash_seed():
    code = "from scalelab import hashing; print(int(hashing.hash64(['user:42', 'é'])[1]))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONHASHSEED": "12345", "PATH": ""}, timeout=60)
    assert int(out.stdout) == int(hashing.hash64(["user:42", "é"])[1])


def test_adding_one_node_to_modulo_placement_moves_about_n_over_n_plus_one_of_keys():
    for n in (3, 10):
        before = modulo_lookup(KEYS, [f"n{i}" for i in range(n)])
        after = modulo_lookup(KEYS, [f"n{i}" for i in range(n + 1)])
        assert np.mean(before != after) == pytest.approx(n / (n + 1), abs=0.01)
    assert hashing.modulo_moved_fraction(10, 11) == pytest.approx(10 / 11)
    assert hashing.modulo_moved_fraction(4, 8) == pytest.approx(0.5)  # doubling keeps half


def test_adding_a_node_moves_about_one_over_n_plus_one_of_keys_and_only_to_it():
    ring = ConsistentHashRing([f"node-{i}" for i in range(10)], vnodes=400)
    before = ring.lookup(KEYS)
    ring.add("node-10")
    after = ring.lookup(KEYS)
    moved = before != after
    assert moved.mean() == pytest.approx(1 / 11, rel=0.25)
    assert set(after[moved]) == {"node-10"}


def test_removing_a_node_moves_only_its_keys():
    ring = ConsistentHashRing([f"node-{i}" for i in range(8)], vnodes=100)
    before = ring.lookup(KEYS)
    ring.remove("node-3")
    after = ring.lookup(KEYS)
    moved = before != after
    assert set(before[moved]) == {"node-3"} and "node-3" not in set(after)
    assert moved.mean() == pytest.approx(1 / 8, rel=0.3)


def test_add_then_remove_restores_every_placement():
    ring = ConsistentHashRing(["a", "b", "c"], vnodes=50)
    before = ring.lookup(KEYS[:2000])
    ring.add("d")
    ring.remove("d")
    assert np.array_equal(ring.lookup(KEYS[:2000]), before)


def test_lookup_agrees_with_a_plain_bisect_reference():
    import bisect

    ring = ConsistentHashRing(["x", "y", "z", "w"], vnodes=30)
    points = [int(p) for p in ring.positions]
    owners = ring.owners.tolist()
    keys = KEYS[:3000] + ["", "é", "日本"]
    expected = []
    for key in keys:
        i = bisect.bisect_left(points, int(hashing.hash64([key])[0]))
        expected.append(owners[i % len(points)])
    assert ring.lookup(keys).tolist() == expected


def test_ring_shares_sum_to_one_and_spread_shrinks_as_one_over_sqrt_vnodes():
    for v, low, high in ((4, 0.25, 0.8), (400, 0.025, 0.08)):
        cvs = []
        for seed in range(4):
            shares = np.array(list(ConsistentHashRing([f"s{seed}-{i}" for i in range(20)], vnodes=v).shares().values()))
            assert shares.sum() == pytest.approx(1.0)
            cvs.append((shares * 20).std())
        assert low < np.sqrt(np.mean(np.square(cvs))) < high  # 1/sqrt(4) = 0.5, 1/sqrt(400) = 0.05
    assert hashing.load_cv(160) == pytest.approx(0.0791, abs=1e-4)
    assert hashing.vnodes_for_load_cv(0.05) == pytest.approx(400)


def test_issue_7_ring_balances_200k_keys_with_cv_below_0_12():
    ring = ConsistentHashRing([f"node-{i:02d}" for i in range(20)], vnodes=160)
    counts = np.unique(ring.lookup([f"key-{i}" for i in range(200_000)]), return_counts=True)[1]
    assert counts.size == 20 and counts.std() / counts.mean() < 0.12


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 12), st.integers(1, 12))
def test_moved_fractions_are_shares_and_zero_when_nothing_changes(a, b):
    for f in (hashing.modulo_moved_fraction, hashing.consistent_moved_fraction):
        assert 0 <= f(a, b) < 1
        assert f(a, a) == 0


def test_explorer_models_return_the_same_curves_for_every_slider_value():
    names = list(hashing.ring_picture(2, 1))
    assert all(list(hashing.ring_picture(n, v)) == names for n in (1, 6) for v in (1, 8))
    assert list(hashing.movement_curves(1)) == list(hashing.movement_curves(256))
    assert list(hashing.balance_bars(4, 1)) == list(hashing.balance_bars(32, 512))
    c = hashing.spread_curves(10)["coefficient of variation, measured"]["y"]
    assert c[-1] < c[0] / 10


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: ConsistentHashRing([]), r"nodes must hold at least one node"),
        (lambda: ConsistentHashRing(["a"], vnodes=0), r"vnodes must be a whole number and in \[1, 100000\], got 0"),
        (lambda: ConsistentHashRing(["a"], vnodes=2.5), r"vnodes must be a whole number"),
        (lambda: ConsistentHashRing(["a", "a"]), r"nodes must have distinct names"),
        (lambda: ConsistentHashRing("abc"), r"nodes must be a sequence of node names"),
        (lambda: ConsistentHashRing([1, 2]), r"nodes must be non-empty str names"),
        (lambda: ConsistentHashRing(["a"]).remove("a"), r"cannot remove the last one"),
        (lambda: ConsistentHashRing(["a"]).remove("b"), r"node must be on the ring"),
        (lambda: ConsistentHashRing(["a"]).add("a"), r"node must not be on the ring already"),
        (lambda: ConsistentHashRing(["a"]).lookup("key"), r"keys must be a sequence of str keys"),
        (lambda: ConsistentHashRing(["a"]).lookup([1, 2]), r"keys must be str"),
        (lambda: modulo_lookup(["k"], []), r"nodes must hold at least one node"),
        (lambda: hashing.modulo_moved_fraction(0, 3), r"nodes_before must be a whole number and >= 1, got 0"),
        (lambda: hashing.vnodes_for_load_cv(0), r"target_cv must be in \(0, 1\], got 0"),
        (lambda: hashing.encode_keys(["\ud800"]), r"lone surrogate"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_empty_key_batch_gives_empty_answers():
    assert ConsistentHashRing(["a"]).lookup([]).size == 0
    assert hashing.redis_hash_slot([]).size == 0


def test_benchmark_reports_both_rings_on_the_same_keys():
    r = hashing.benchmark_lookup(n_keys=2_000, n_nodes=5, vnodes=40, repeats=1)
    assert r["n_keys"] == 2_000 and r["scalelab_s"] > 0 and r["cv"] < 0.3
    assert r["uhashring_s"] > 0 and r["ratio"] == pytest.approx(r["uhashring_s"] / r["scalelab_s"])
    assert 0 <= r["agreement"] <= 1  # different hash functions: placements differ
