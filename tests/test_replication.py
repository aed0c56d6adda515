"""Quorums, stale reads and availability: analytic values, a SimPy cross-check, bad input."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalelab import replication as rep


def test_stale_read_probability_matches_bailis_hand_computed_values():
    # Bailis et al. 2012, eq. 1 with k = 1: C(N-W, R) / C(N, R).
    assert rep.stale_read_probability(3, 1, 1) == pytest.approx(2 / 3)
    assert rep.stale_read_probability(5, 2, 2) == pytest.approx(3 / 10)
    assert rep.stale_read_probability(5, 1, 3) == pytest.approx(2 / 5)


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 12).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n), st.integers(1, n))))
def test_strict_quorums_are_never_stale_and_partial_ones_sometimes_are(nrw):
    n, r, w = nrw
    p = rep.stale_read_probability(n, r, w)
    assert (p == 0) == rep.is_strict_quorum(n, r, w)
    assert 0 <= p < 1


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 9).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n - 1))))
def test_stale_read_probability_falls_as_r_or_w_grows(nq):
    n, q = nq
    assert rep.stale_read_probability(n, q + 1, 1) <= rep.stale_read_probability(n, q, 1)
    assert rep.stale_read_probability(n, 1, q + 1) <= rep.stale_read_probability(n, 1, q)


def test_staleness_after_commit_decays_as_exp_minus_r_t_over_mean_delay():
    p = rep.stale_read_probability_after(5, 2, 2, np.array([0.0, 0.005]), 0.005)
    assert p[0] == pytest.approx(0.3)
    assert p[1] == pytest.approx(0.3 * np.exp(-2))


@pytest.mark.parametrize("n, r, w, t_s", [(3, 1, 1, 0.0), (3, 1, 2, 0.004), (5, 2, 2, 0.002)])
def test_simpy_simulation_agrees_with_the_closed_form(n, r, w, t_s):
    trials = 3000
    expected = rep.stale_read_probability_after(n, r, w, t_s, 0.005)
    simulated = rep.simulate_stale_reads(n, r, w, t_s, 0.005, trials=trials, seed=11)
    tolerance = 4 * np.sqrt(expected * (1 - expected) / trials)  # four standard errors
    assert simulated == pytest.approx(expected, abs=tolerance)


def test_simulation_with_a_strict_quorum_never_reads_stale():
    assert rep.simulate_stale_reads(3, 2, 2, 0.0, 0.005, trials=300, seed=2) == 0.0


def test_quorum_availability_is_the_binomial_tail():
    assert rep.quorum_availability(3, 2, 0.1) == pytest.approx(0.9**3 + 3 * 0.9**2 * 0.1)
    assert rep.quorum_availability(5, 3, 0.1) == pytest.approx(
        sum(comb(5, k) * 0.9**k * 0.1 ** (5 - k) for k in (3, 4, 5)))
    assert rep.quorum_availability(4, 1, 0.2) == pytest.approx(1 - 0.2**4)
    assert rep.quorum_availability(4, 4, 0.2) == pytest.approx(0.8**4)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 9).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n))), st.floats(0, 1))
def test_larger_quorums_are_never_more_available(nq, p):
    n, q = nq
    a = rep.quorum_availability(n, q, p)
    assert 0 <= a <= 1
    if q > 1:
        assert a <= rep.quorum_availability(n, q - 1, p) + 1e-12


def test_majority_of_three_beats_one_replica_when_failures_are_rare():
    p = np.array([0.01, 0.1, 0.3])
    assert np.all(rep.quorum_availability(3, 2, p) > 1 - p)
    assert rep.quorum_availability(3, 2, 0.6) < 0.4  # and loses when they are common


def test_follower_staleness_is_one_minus_exp_minus_rate_times_lag():
    assert rep.follower_stale_probability(2.0, 0.5) == pytest.approx(1 - np.exp(-1))
    assert rep.follower_stale_probability(5.0, 0.0) == 0.0


def test_explorer_models_hide_impossible_quorums_without_changing_their_curves():
    ok, bad = rep.staleness_curves(3, 1, 1, 5), rep.staleness_curves(3, 5, 1, 5)
    assert list(ok) == list(bad) and np.isnan(bad["P(stale read)"][1]).all()
    a = rep.availability_curves(3, 4, 2)
    assert np.isnan(a["reads (R of N up)"][1]).all() and list(a) == list(rep.availability_curves(5, 3, 3))
    assert np.isfinite(a["writes (W of N up)"]["y"]).all()  # a possible write quorum stays visible


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: rep.stale_read_probability(0, 1, 1), r"n must be a whole number and in \[1, 1000\], got 0"),
        (lambda: rep.stale_read_probability(3, 4, 1), r"r must be a whole number and in \[1, 3\], got 4"),
        (lambda: rep.stale_read_probability(3, 1, 0), r"w must be a whole number and in \[1, 3\], got 0"),
        (lambda: rep.stale_read_probability(3, 1.5, 1), r"r must be a whole number"),
        (lambda: rep.quorum_availability(3, 2, 1.5), r"p_fail must be in \[0, 1\], got 1.5"),
        (lambda: rep.quorum_availability(3, 4, 0.1), r"q must be a whole number and in \[1, 3\]"),
        (lambda: rep.stale_read_probability_after(3, 1, 1, -1, 0.005), r"t_s must be >= 0, got -1"),
        (lambda: rep.stale_read_probability_after(3, 1, 1, 0, 0), r"mean_delay_s must be > 0, got 0"),
        (lambda: rep.simulate_stale_reads(3, 1, 1, 0, 0.005, trials=0), r"trials must be a whole number and in \[1, 100000\]"),
        (lambda: rep.follower_stale_probability(-1, 0.1), r"write_rate_per_s must be >= 0, got -1"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter_and_range(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_strict_quorum_read_can_see_new_then_old_without_read_repair():
    # Kleppmann 2017, ch. 9 "Linearizability and quorums": R + W > N is not enough.
    plain = rep.concurrent_read_trace()
    assert rep.is_strict_quorum(3, 2, 2)
    assert plain["read returns"].tolist()[2:4] == ["new", "old"]
    # ABD (Attiya, Bar-Noy, Dolev 1995): write back before returning, and the later read sees it.
    repaired = rep.concurrent_read_trace(read_repair=True)
    assert repaired["read returns"].tolist()[2:4] == ["new", "new"]
    assert (repaired.loc[2, ["A", "B"]] == "new").all()  # a majority holds it when read 1 returns


def test_concurrent_read_trace_refuses_a_non_bool():
    with pytest.raises(ValueError, match="read_repair must be True or False, got 'yes'"):
        rep.concurrent_read_trace("yes")


def test_simulation_table_reports_each_gap_in_binomial_standard_errors():
    t = rep.simulation_table(cases=((3, 1, 1),), times_s=(0.0, 0.005), trials=400, seed=7)
    se = np.sqrt(t["closed form"] * (1 - t["closed form"]) / 400)
    assert np.allclose(t["std. error"], se)
    assert np.allclose(t["gap (std. errors)"], (t["SimPy"] - t["closed form"]) / se)
    assert t["gap (std. errors)"].abs().max() < 4  # seeded: the same run every time


def test_every_setting_of_the_chapter_quorum_explorers_draws_finite_curves():
    # The sliders stop at R, W <= 3, the smallest N, so no setting is a quorum that cannot exist.
    for n in (3, 5, 7):
        for r in (1, 2, 3):
            for w in (1, 2, 3):
                s = rep.staleness_curves(n, r, w, 5)
                a = rep.availability_curves(n, r, w)
                assert np.isfinite(s["P(stale read)"][1]).all()
                assert np.isfinite(a["reads (R of N up)"][1]).all() and np.isfinite(a["writes (W of N up)"]["y"]).all()
