"""Fan-out tail latency (Dean and Barroso 2013) and the availability of call chains."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalelab import microservices as m


def test_dean_and_barroso_one_percent_at_fan_out_100_gives_63_percent():
    # "The tail at scale", CACM 2013: 1 - 0.99^100 = 0.634.
    assert m.fanout_slow_probability(0.01, 100) == pytest.approx(0.634, abs=5e-4)


def test_fan_out_of_one_is_the_single_call():
    assert m.fanout_slow_probability(0.05, 1) == pytest.approx(0.05)


def test_fan_out_matches_a_simulation():
    rng = np.random.default_rng(0)
    slow = rng.random((20_000, 50)) < 0.02
    assert slow.any(axis=1).mean() == pytest.approx(m.fanout_slow_probability(0.02, 50), abs=0.01)


def test_fanout_for_slow_share_inverts_the_formula():
    n = m.fanout_for_slow_share(0.01, 0.5)
    assert m.fanout_slow_probability(0.01, n) == pytest.approx(0.5)


def test_chain_of_five_three_nines_services_is_about_99_5_percent():
    assert m.chain_availability(0.999, 5) == pytest.approx(0.999**5)


def test_replicating_each_link_restores_availability():
    assert m.chain_availability(0.99, 10, 2) == pytest.approx((1 - 0.01**2) ** 10)
    assert m.chain_availability(0.99, 10, 2) > m.chain_availability(0.99, 1, 1)


@settings(max_examples=50, deadline=None)
@given(st.floats(0, 1), st.integers(1, 1000), st.integers(1, 1000))
def test_more_fan_out_is_never_faster(p, a, b):
    lo, hi = sorted((a, b))
    assert m.fanout_slow_probability(p, lo) <= m.fanout_slow_probability(p, hi) + 1e-12


@settings(max_examples=50, deadline=None)
@given(st.floats(0, 1), st.integers(1, 50), st.integers(1, 5))
def test_a_longer_chain_is_never_more_available(a, k, r):
    assert m.chain_availability(a, k + 1, r) <= m.chain_availability(a, k, r) + 1e-12


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: m.fanout_slow_probability(1.5, 10), r"slow_probability must be in \[0, 1\], got 1.5"),
        (lambda: m.fanout_slow_probability(0.1, 0), r"fanout must be >= 1, got 0"),
        (lambda: m.chain_availability(0.9, 2.5), r"services must be a whole number"),
        (lambda: m.chain_availability(0.9, 3, 0), r"replicas must be a whole number and >= 1, got 0"),
        (lambda: m.fanout_curves(120), r"slow_percent must be in \[0, 100\], got 120"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter_and_range(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_release_failure_grows_with_changes_bundled():
    from scalelab import microservices as ms

    assert ms.release_failure_probability(0.01, 1) == pytest.approx(0.01)
    assert ms.release_failure_probability(0.01, 50) == pytest.approx(1 - 0.99**50)
    with pytest.raises(ValueError, match="changes_per_release"):
        ms.release_failure_probability(0.01, 0)
