"""Replicated availability, nines and downtime, against hand-computed and published values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalelab import availability as av


def test_two_replicas_at_two_nines_give_four_nines():
    assert av.replicated_availability(0.99, 2) == pytest.approx(0.9999)
    assert av.nines(av.replicated_availability(0.99, 2)) == pytest.approx(4)


def test_one_replica_is_just_its_own_availability():
    assert av.replicated_availability(0.95, 1) == pytest.approx(0.95)


def test_a_shared_dependency_caps_the_nines():
    capped = av.replicated_availability(0.99, 8, shared_availability=0.9999)
    assert av.nines(capped) < 4
    assert av.nines(capped) == pytest.approx(4, abs=0.01)


def test_three_nines_allow_8_76_hours_a_year_and_43_8_minutes_a_month():
    # Published SLA tables (365-day year): 99.9% -> 8.76 h/year, 43.8 min/month.
    assert av.downtime_s(0.999) / 3600 == pytest.approx(8.76)
    assert av.downtime_s(0.999, av.SECONDS_PER_MONTH) / 60 == pytest.approx(43.8)


def test_five_nines_allow_about_five_minutes_a_year():
    assert av.downtime_s(0.99999) / 60 == pytest.approx(5.256)


def test_nines_table_lists_each_level_with_its_downtime():
    table = av.nines_table(6)
    assert list(table.index) == [1, 2, 3, 4, 5, 6]
    assert table.loc[3, "availability"] == "99.9%"
    assert table.loc[5, "per year"] == "5.26 minutes"
    assert table.loc[6, "per month"] == "2.63 seconds"


def test_replicas_for_target_is_the_fewest_that_reach_it():
    n = av.replicas_for_target(0.95, 0.99999)
    assert n == 4
    assert av.replicated_availability(0.95, n) >= 0.99999
    assert av.replicated_availability(0.95, n - 1) < 0.99999
    assert av.replicas_for_target(0.99, 0.9999) == 2  # exactly reached: no extra replica


def test_monte_carlo_agrees_with_the_formula():
    for a, n in ((0.9, 1), (0.8, 2), (0.7, 3)):
        assert av.simulate_replicas(a, n, samples=200_000, seed=3) == pytest.approx(
            av.replicated_availability(a, n), abs=0.005
        )


def test_replica_curves_keep_their_shape():
    a, b = av.replica_curves(0.9, 1.0), av.replica_curves(0.999, 0.99)
    assert list(a) == list(b)
    assert np.all(np.isfinite(a["independent replicas"]["y"]))


@settings(deadline=None)  # timing is not the claim; the CI machine is busy
@given(st.floats(0, 1), st.integers(1, 20), st.integers(1, 20))
def test_more_replicas_never_lower_availability(a, n1, n2):
    lo, hi = sorted((n1, n2))
    assert av.replicated_availability(a, lo) <= av.replicated_availability(a, hi) + 1e-15


@settings(deadline=None)  # timing is not the claim; the CI machine is busy
@given(st.floats(0, 1), st.integers(1, 20), st.floats(0, 1))
def test_replicated_availability_is_a_probability_at_most_the_shared_part(a, n, s):
    value = av.replicated_availability(a, n, s)
    assert 0 <= value <= s + 1e-15


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: av.replicated_availability(1.2, 2), r"availability must be in \[0, 1\], got 1.2"),
        (lambda: av.replicated_availability(0.9, 0), r"replicas must be a whole number and >= 1, got 0"),
        (lambda: av.replicated_availability(0.9, 2.5), r"replicas must be a whole number and >= 1, got 2.5"),
        (lambda: av.replicated_availability(0.9, 2, -0.1), r"shared_availability must be in \[0, 1\]"),
        (lambda: av.downtime_s(0.9, 0), r"period_s must be > 0, got 0"),
        (lambda: av.replicas_for_target(1.0, 0.9), r"availability must be in \(0, 1\), got 1"),
        (lambda: av.replicas_for_target(0.9, 1.0), r"target must be in \[0, 1\), got 1"),
        (lambda: av.nines(float("nan")), r"availability must be in \[0, 1\], got nan"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter_and_range(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_nines_come_from_the_unavailability_not_a_rounded_availability():
    # Six replicas at 99.9%: unavailability 1e-3**6 = 1e-18, so 18 nines (a float 1 - 1e-18 is 1.0).
    assert av.replicated_nines(0.999, 6) == pytest.approx(18.0)
    assert av.replicated_unavailability(0.999, 6) == pytest.approx(1e-18, rel=1e-9)
    y = av.replica_curves(0.999, 1.0)["independent replicas"]["y"]
    assert np.allclose(y, 3.0 * np.arange(1, 7))


def test_replicated_nines_match_nines_where_floats_are_exact():
    for a, n, s in ((0.99, 2, 1.0), (0.9, 3, 0.9999), (0.95, 4, 0.999)):
        assert av.replicated_nines(a, n, s) == pytest.approx(av.nines(av.replicated_availability(a, n, s)), rel=1e-6)


def test_k_of_n_is_plain_redundancy_for_k_1_and_all_up_for_k_n():
    assert av.k_of_n_availability(0.99, 3, 1) == pytest.approx(av.replicated_availability(0.99, 3))
    assert av.k_of_n_availability(0.99, 3, 3) == pytest.approx(0.99**3)
    # N+1 with N = 4 at 99%: P(at least 4 of 5 up) = 0.99^5 + 5 * 0.99^4 * 0.01 = 0.99902
    assert av.k_of_n_availability(0.99, 5, 4) == pytest.approx(0.99**5 + 5 * 0.99**4 * 0.01)
    with pytest.raises(ValueError, match="needed"):
        av.k_of_n_availability(0.99, 3, 4)


def test_failover_gaps_add_to_the_downtime_and_cap_the_nines():
    no_gap = av.failover_unavailability(0.99, 3, 12, 0)
    assert no_gap == pytest.approx(1e-6)
    with_gap = av.failover_unavailability(0.99, 3, 12, 60)
    assert with_gap * av.SECONDS_PER_YEAR == pytest.approx(31.536 + 720)
    assert -np.log10(with_gap) == pytest.approx(4.62, abs=0.01)
