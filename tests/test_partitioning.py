"""Range vs hash partitioning under Zipf-skewed access, and the hot-key floor."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalelab import partitioning as part


def test_zipf_weights_sum_to_one_and_match_the_harmonic_numbers():
    w = part.zipf_weights(3, 1.0)
    assert w.tolist() == pytest.approx([6 / 11, 3 / 11, 2 / 11])  # 1, 1/2, 1/3 over H_3 = 11/6
    assert part.zipf_weights(1000, 0.8).sum() == pytest.approx(1.0)


def test_range_partition_gives_each_partition_an_equal_contiguous_run():
    p = part.range_partition(1000, 8)
    assert np.all(np.diff(p) >= 0)
    assert np.bincount(p).tolist() == [125] * 8


def test_uniform_access_is_even_under_both_schemes():
    w = part.zipf_weights(part.SKEW_KEYS, 0.0)
    ranged = part.partition_shares(w, part.range_partition(part.SKEW_KEYS, 10), 10)
    assert part.imbalance(ranged) == pytest.approx(1.0)
    hashed = part.skew_bars(0.0, 10)["hash partitioning"]["y"]
    assert hashed.max() < 0.11  # 1,000 keys per partition on average: a few percent of noise


def test_range_partitioning_of_hot_adjacent_keys_is_far_more_skewed_than_hashing():
    table = part.skew_table(exponents=(0.8, 1.0), partitions=16)
    assert (table["range: max/mean"] > 3 * table["hash: max/mean"]).all()


def test_the_hot_key_floor_is_the_hottest_share_times_n():
    w = part.zipf_weights(1000, 1.0)
    assert part.hot_key_floor(w, 16) == pytest.approx(16 / sum(1 / k for k in range(1, 1001)))
    assert part.hot_key_floor(part.zipf_weights(1000, 0.0), 16) == 1.0


@settings(max_examples=40, deadline=None)
@given(st.floats(0, 1.5), st.sampled_from([2, 4, 8, 16, 32]))
def test_no_scheme_beats_the_hot_key_floor_and_shares_sum_to_one(s, n):
    w = part.zipf_weights(part.SKEW_KEYS, s)[::-1]
    floor = part.hot_key_floor(w, n)
    for scheme in ("range partitioning", "hash partitioning"):
        y = part.skew_bars(s, n)[scheme]["y"]
        assert y.sum() == pytest.approx(1.0)  # loads are shares of all requests
        assert y.max() * n >= floor * (1 - 1e-9)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: part.zipf_weights(0, 1), r"n_keys must be a whole number and in \[1, 1e\+07\], got 0"),
        (lambda: part.zipf_weights(10, -1), r"exponent must be >= 0, got -1"),
        (lambda: part.range_partition(10, 0), r"n_partitions must be a whole number and in \[1, 100000\]"),
        (lambda: part.partition_shares(np.ones(2), np.array([0, 3]), 2), r"partition must be a whole number and in \[0, 1\], got 3"),
        (lambda: part.partition_shares(np.ones(3), np.array([0, 1]), 2), r"same length"),
        (lambda: part.imbalance(np.zeros(3)), r"shares must hold at least one positive value"),
        (lambda: part.hash_partition("abc", 2), r"keys must be a sequence of str keys"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()
