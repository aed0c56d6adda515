"""Load-balancing policies and balls into bins, against analytic values and Azar et al."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalelab import loadbalancing as lb
from scalelab import queueing as q


def test_random_dispatch_mean_response_matches_n_separate_mm1_queues():
    r = lb.simulate_policy("random", 2.8, 1.0, 4, 200_000, seed=1)
    assert r.mean() == pytest.approx(q.separate_queues_mean_response(2.8, 1.0, 4), rel=0.05)


def test_round_robin_matches_the_erlang_arrivals_gi_m_1_formula():
    # Each replica sees Erlang-4 gaps; Kleinrock 1975 sec. 6.4 gives the mean wait.
    expected = lb.round_robin_mean_wait(2.8, 1.0, 4)
    r = lb.simulate_policy("round robin", 2.8, 1.0, 4, 200_000, seed=1)
    assert r.mean() - 1.0 == pytest.approx(expected, rel=0.05)


def test_round_robin_with_one_replica_is_mm1():
    assert lb.round_robin_mean_wait(0.5, 1.0, 1) == pytest.approx(1.0)


def test_shortest_queue_is_close_to_one_shared_queue_but_not_as_good():
    # A request that joins a queue cannot move when another replica frees up first.
    r = lb.simulate_policy("shortest queue", 3.2, 1.0, 4, 100_000, seed=2)
    shared = q.mmc_mean_response(3.2, 1.0, 4)
    assert shared < r.mean() <= 1.25 * shared
    assert r.mean() < 0.5 * q.separate_queues_mean_response(3.2, 1.0, 4)


def test_policies_rank_by_how_much_they_know_at_high_load():
    means = {p: lb.simulate_policy(p, 7.2, 1.0, 8, 50_000, seed=3).mean() for p in lb.POLICIES}
    assert means["shortest queue"] < means["two choices"] < means["round robin"] < means["random"]


def test_every_policy_sees_the_same_service_times():
    # With one replica every policy is the same queue, so results must be identical.
    base = lb.simulate_policy("random", 0.6, 1.0, 1, 2_000, seed=4)
    for policy in lb.POLICIES[1:]:
        np.testing.assert_allclose(lb.simulate_policy(policy, 0.6, 1.0, 1, 2_000, seed=4), base, atol=1e-9)


def test_one_choice_max_load_is_near_ln_n_over_ln_ln_n_times_a_small_constant():
    # Raab and Steger 1998: (1 + o(1)) ln n / ln ln n; at practical n the o(1) is large.
    n = 100_000
    m = np.mean([lb.max_load(n, n, 1, seed) for seed in range(3)])
    approx = lb.max_load_one_choice_approx(n)
    assert approx < m < 2 * approx


def test_two_choices_max_load_is_ln_ln_n_over_ln_2_plus_a_constant():
    # Azar et al. 1999, theorem 1.1: ln ln n / ln 2 + O(1) with high probability.
    n = 100_000
    m = np.mean([lb.max_load(n, n, 2, seed) for seed in range(3)])
    assert lb.max_load_two_choices_approx(n) <= m <= lb.max_load_two_choices_approx(n) + 2


def test_two_choices_beat_one_by_a_wide_margin():
    assert lb.max_load(50_000, 50_000, 2, seed=5) < lb.max_load(50_000, 50_000, 1, seed=5) - 2


def test_formulas_match_hand_computation():
    assert lb.max_load_one_choice_approx(1e6) == pytest.approx(math.log(1e6) / math.log(math.log(1e6)))
    assert lb.max_load_two_choices_approx(1e6) == pytest.approx(math.log(math.log(1e6)) / math.log(2))


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 3000), st.integers(1, 50), st.integers(1, 3))
def test_max_load_is_between_the_average_and_all_the_balls(balls, bins, choices):
    m = lb.max_load(balls, bins, choices, seed=0)
    assert math.ceil(balls / bins) <= m <= balls


def test_tail_curves_are_decreasing_shares():
    for curve in lb.tail_curves(0.8, 4).values():
        y = curve["y"][np.isfinite(curve["y"])]
        assert np.all(np.diff(y) <= 0) and y.max() <= 1


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: lb.simulate_policy("least loaded", 1, 1, 2, 10, 0), r"policy must be one of random, round robin"),
        (lambda: lb.simulate_policy("random", 0, 1, 2, 10, 0), r"arrival_rate must be > 0, got 0"),
        (lambda: lb.simulate_policy("random", 1, 1, 0, 10, 0), r"servers must be a whole number and in \[1, 1000\]"),
        (lambda: lb.max_load(10, 0), r"bins must be a whole number and in \[1, 1e\+07\], got 0"),
        (lambda: lb.max_load(-1, 3), r"balls must be a whole number"),
        (lambda: lb.max_load_one_choice_approx(2), r"bins must be > 2.71828"),
        (lambda: lb.round_robin_mean_wait(4, 1, 4), r"arrival_rate must be < servers x service_rate"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter_and_range(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_policy_table_gives_intervals_that_cover_the_exact_answers():
    table = lb.policy_table(load=0.8, servers=4, n_requests=20_000, replications=4)
    for policy in ("random", "round robin"):
        for stat in ("mean", "p99"):
            row = table.loc[policy]
            assert abs(row[stat] - row[f"{stat} exact"]) <= row[f"{stat} +/-"], (policy, stat)
    assert np.isnan(table.loc["two choices", "mean exact"])


def test_exact_response_rates():
    assert lb.exact_response_rate("random", 7.2, 1.0, 8) == pytest.approx(0.1)
    assert 1 / lb.exact_response_rate("round robin", 0.7, 1.0, 1) == pytest.approx(1 / 0.3)
    assert np.isnan(lb.exact_response_rate("shortest queue", 3.0, 1.0, 4))


def test_tail_curves_have_exact_lines_and_simulated_curves_near_them():
    curves = lb.tail_curves(0.9, 8)
    for policy in ("random", "round robin"):
        y, f = curves[policy]["y"], curves[f"{policy}: exact"]["y"]
        shown = np.isfinite(y) & (f > 1e-4)
        assert shown.sum() > 20
        assert np.all(np.abs(np.log(y[shown] / f[shown])) < np.log(1.7))


def test_relaxation_time_is_the_inverse_spectral_gap_of_the_mm1_generator():
    # Morse 1955: the M/M/1 queue forgets its start like exp(-(sqrt(mu) - sqrt(lambda))**2 t).
    # Check against the smallest non-zero rate of a truncated birth-death generator (symmetrized).
    lam, mu, size = 0.8, 1.0, 800
    a = np.diag(np.r_[lam, np.full(size - 2, lam + mu), mu]) - np.diag(np.full(size - 1, np.sqrt(lam * mu)), 1) \
        - np.diag(np.full(size - 1, np.sqrt(lam * mu)), -1)
    gap = np.sort(np.linalg.eigvalsh(a))[1]
    tau = lb.relaxation_requests(0.8, 1) / 0.8  # one replica: requests / rate lambda = time
    assert gap == pytest.approx(1 / tau, rel=0.01)
    assert lb.relaxation_requests(0.95, 32) == pytest.approx(32 * 0.95 / (1 - np.sqrt(0.95)) ** 2)


def test_tail_run_lengths_grow_with_the_relaxation_time_and_keep_their_floors():
    assert lb.tail_run_lengths(0.5, 2) == (lb.TAIL_MIN_WARMUP, lb.TAIL_MIN_KEPT)
    warmup, kept = lb.tail_run_lengths(0.95, 32)
    tau = lb.relaxation_requests(0.95, 32)
    assert warmup >= 3 * tau and kept >= 10 * tau
    assert 32 * (warmup + kept) <= lb.MAX_SERVER_REQUESTS


def test_tail_curves_random_at_load_0_95_on_32_replicas_follows_the_exact_tail_where_drawn():
    # The explorer's hardest setting, its own seed. A drawn point's 95% interval is within 30%
    # of its value (the figure's rule), so an unbiased run stays within a factor of 1.3 of the
    # exact tail; the old fixed run (40,000 requests, 10% warm-up) ended 36% low at t = 30.
    curves = lb.tail_curves(0.95, 32)
    y, exact = np.asarray(curves["random"]["y"], float), curves["random: exact"]["y"]
    shown = np.isfinite(y) & (y > 0)
    assert shown.sum() > 100  # drawn across the axis
    assert np.all(np.abs(np.log(y[shown] / exact[shown])) < np.log(1.3))
    old = lb.tail_curves(0.95, 32, n_requests=36_000, warmup_requests=4_000)
    y_old = np.asarray(old["random"]["y"], float)
    assert np.nanmin(y_old / exact) < 1 / 1.3


@pytest.mark.parametrize("policy, seeds, tolerance", [("random", 10, 0.07), ("round robin", 20, 0.08)])
def test_tail_curves_default_runs_carry_no_start_up_bias_at_load_0_95_on_32_replicas(policy, seeds, tolerance):
    # Mean over fixed seeds of the share slower than t = 15 (exact: 0.47 random, 0.24 round
    # robin), over its exact value. Its 95% interval is about +/-3% (random, 10 seeds) and
    # +/-4% (round robin, 20 seeds), inside the tolerance; the old fixed run (40,000 requests,
    # 10% warm-up) gave 0.87 and 0.89 on the same seeds, a start-up deficit well outside it.
    warmup, kept = lb.tail_run_lengths(0.95, 32)
    exact = np.exp(-lb.exact_response_rate(policy, 0.95 * 32, 1.0, 32) * 15.0)
    share = np.mean([np.mean(lb.simulate_policy(policy, 0.95 * 32, 1.0, 32, warmup + kept, s)[warmup:] > 15.0)
                     for s in range(seeds)])
    assert share / exact == pytest.approx(1.0, abs=tolerance)


def test_tail_curves_refuses_runs_longer_than_its_maximum():
    with pytest.raises(ValueError, match=r"warmup_requests \+ n_requests must be at most 312500 on 64 servers"):
        lb.tail_curves(0.95, 64)
    with pytest.raises(ValueError, match=r"warmup_requests must be a whole number and in \[0, 1e\+06\], got -1"):
        lb.tail_curves(0.9, 4, warmup_requests=-1)
    with pytest.raises(ValueError, match=r"n_requests must be a whole number"):
        lb.tail_curves(0.9, 4, n_requests=10)


def test_tail_grid_check_names_the_worst_drawn_point_and_its_mean_over_seeds():
    table = lb.tail_grid_check((0.5, 0.7), (2, 4), seeds=4)
    assert list(table.index) == ["random", "round robin"]
    assert set(table["load"]) <= {0.5, 0.7} and set(table["servers"]) <= {2, 4}
    assert np.all(table["95% +/-"] > 0)
