"""Growth regimes, Little's law and servers needed, against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalelab import capacity

capacities = st.floats(1, 1e9, allow_nan=False)


def test_linear_cost_doubles_when_capacity_doubles():
    assert capacity.linear_cost(2) == 2 * capacity.linear_cost(1)


def test_square_root_cost_buys_four_times_the_capacity_for_twice_the_cost():
    assert capacity.sublinear_cost(4, 0.5) == pytest.approx(2)
    assert capacity.sublinear_cost(1_000_000, 0.5) == pytest.approx(1000)


def test_hyperscale_cost_adds_a_fixed_amount_per_doubling():
    # 2**10 = 1024 times the capacity: ten doublings at 0.5 each.
    assert capacity.hyperscale_cost(1024, 0.5) == pytest.approx(6.0)
    assert capacity.hyperscale_cost(2048, 0.5) - capacity.hyperscale_cost(1024, 0.5) == pytest.approx(0.5)


def test_exponential_capacity_growth_gives_linear_hyperscale_cost_over_time():
    years = np.arange(0, 11)
    cost = capacity.hyperscale_cost(capacity.capacity_after(years, 1.0), 1.0)
    np.testing.assert_allclose(np.diff(cost), 1.0)  # one unit more each year


def test_capacity_doubling_every_year_is_1024_times_after_ten_years():
    assert capacity.capacity_after(10, 1.0) == pytest.approx(1024)
    assert capacity.capacity_after(0, 0.7) == 1


def test_littles_law_worked_example_from_the_source():
    # Gorton 2022 ch. 1: 100 concurrent requests at 1 s each is 100 req/s; at that
    # throughput, 1,000 concurrent requests take 10 s each.
    assert capacity.little_throughput_per_s(100, 1.0) == pytest.approx(100)
    assert capacity.little_response_time_s(1000, 100) == pytest.approx(10)
    assert capacity.little_concurrency(100, 10) == pytest.approx(1000)


def test_ten_percent_overhead_needs_ten_percent_more_servers_not_eleven():
    assert capacity.servers_needed(100_000, 1000, 0.10) == 110
    assert capacity.capacity_lost(0.10) == pytest.approx(1 / 11)


def test_servers_needed_is_exact_at_whole_numbers_despite_float_rounding():
    # 40,000 x 1.1 / 1,000 is 44.000000000000004 in floating point.
    assert capacity.servers_needed(40_000, 1000, 0.10) == 44
    assert capacity.servers_needed(40_001, 1000, 0.10) == 45


def test_servers_needed_matches_the_chapter_exercise():
    assert capacity.servers_needed(45_000, 800, 0.0) == 57
    assert capacity.servers_needed(45_000, 800, 0.08) == 61


def test_explorer_models_return_the_same_curves_for_every_slider_value():
    assert list(capacity.cost_curves(0.5, 0.2)) == list(capacity.cost_curves(1.0, 3.0))
    a, b = capacity.servers_curves(0.05, 500), capacity.servers_curves(0.3, 2000)
    assert list(a) == list(b)
    assert np.all(b["extra servers"]["y"] >= 0)


@settings(deadline=None)  # timing is not the claim; the CI machine is busy
@given(capacities, st.floats(0.05, 1))
def test_sublinear_cost_never_exceeds_linear(c, b):
    assert capacity.sublinear_cost(c, b) <= capacity.linear_cost(c) * (1 + 1e-12)


@settings(deadline=None)  # timing is not the claim; the CI machine is busy
@given(st.floats(2, 1e9), st.floats(0, 1))
def test_hyperscale_at_one_unit_per_doubling_or_less_never_exceeds_linear_from_two_units_on(c, k):
    # 1 + log2(c) = c at c = 1 and c = 2, and lies above c in between (log2 is concave).
    assert capacity.hyperscale_cost(c, k) <= capacity.linear_cost(c) * (1 + 1e-12)


def test_hyperscale_at_one_unit_per_doubling_costs_more_than_linear_below_two_units():
    assert capacity.hyperscale_cost(1.5, 1.0) > capacity.linear_cost(1.5)


rates = st.floats(1e-3, 1e6)  # realistic request rates (no subnormal floats)


@settings(deadline=None)  # timing is not the claim; the CI machine is busy
@given(rates, st.floats(1e-3, 1e4), st.floats(1e-6, 1e3))
def test_littles_law_round_trips(x, r, n):
    assert capacity.little_response_time_s(capacity.little_concurrency(x, r), x) == pytest.approx(r)
    assert capacity.little_throughput_per_s(n, r) * r == pytest.approx(n)


@settings(deadline=None)  # timing is not the claim; the CI machine is busy
@given(rates | st.just(0.0), st.floats(1, 1e4), st.floats(0, 1), st.floats(0, 1))
def test_more_overhead_never_needs_fewer_servers(d, c, o1, o2):
    lo, hi = sorted((o1, o2))
    assert capacity.servers_needed(d, c, lo) <= capacity.servers_needed(d, c, hi)
    assert capacity.servers_needed(d, c, lo) * c >= d * (1 + lo) * (1 - 1e-9)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: capacity.linear_cost(0.5), r"capacity must be >= 1, got 0.5"),
        (lambda: capacity.sublinear_cost(10, 0), r"exponent must be in \(0, 1\], got 0"),
        (lambda: capacity.sublinear_cost(10, 1.5), r"exponent must be in \(0, 1\], got 1.5"),
        (lambda: capacity.hyperscale_cost(10, -1), r"cost_per_doubling must be >= 0, got -1"),
        (lambda: capacity.capacity_after(-1, 0.5), r"years must be >= 0, got -1"),
        (lambda: capacity.little_response_time_s(10, 0), r"throughput_per_s must be > 0, got 0"),
        (lambda: capacity.little_throughput_per_s(10, 0), r"response_time_s must be > 0, got 0"),
        (lambda: capacity.little_concurrency(-5, 1), r"throughput_per_s must be >= 0, got -5"),
        (lambda: capacity.servers_needed(100, 0, 0.1), r"capacity_per_server_per_s must be > 0, got 0"),
        (lambda: capacity.servers_needed(100, 10, -0.1), r"overhead must be >= 0, got -0.1"),
        (lambda: capacity.servers_needed(float("nan"), 10), r"demand_per_s must be >= 0, got nan"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter_and_range(call, message):
    with pytest.raises(ValueError, match=message):
        call()
