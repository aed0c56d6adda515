"""M/M/c and N x M/M/1 against published values, and the two simulations against both."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalelab import queueing as q


def test_erlang_c_matches_published_table_values():
    # Kleinrock 1975 eq. 3.40, hand-checked: c = 2, a = 1 gives 1/3; c = 4, a = 3 gives 0.5094.
    assert q.erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert q.erlang_c(4, 3.0) == pytest.approx(0.509434, abs=1e-6)
    # Call-centre textbook example: 10 agents, 8 Erlangs -> P(wait) = 0.4092.
    assert q.erlang_c(10, 8.0) == pytest.approx(0.4092, abs=1e-4)


def test_erlang_c_for_one_server_is_the_utilization():
    assert q.erlang_c(1, np.array([0.1, 0.5, 0.9])) == pytest.approx([0.1, 0.5, 0.9])


def test_erlang_b_recursion_matches_the_closed_form():
    a, c = 5.0, 7
    closed = (a**c / math.factorial(c)) / sum(a**k / math.factorial(k) for k in range(c + 1))
    assert q.erlang_b(c, a) == pytest.approx(closed)


def test_mm1_mean_wait_is_rho_over_mu_minus_lambda():
    assert q.mmc_mean_wait(0.7, 1.0, 1) == pytest.approx(0.7 / 0.3)
    assert q.mm1_mean_response(70, 100) == pytest.approx(1 / 30)


def test_one_shared_queue_beats_a_queue_per_replica_at_the_same_load():
    # Harchol-Balter 2013 ch. 14: M/M/4 at load 0.75 vs four M/M/1 queues.
    shared = q.mmc_mean_response(3.0, 1.0, 4)
    separate = q.separate_queues_mean_response(3.0, 1.0, 4)
    assert shared == pytest.approx(1.509434, abs=1e-6)
    assert separate == pytest.approx(4.0)


def test_response_quantile_for_one_server_is_exponential():
    assert q.mmc_response_quantile(0.7, 1.0, 1, 0.99) == pytest.approx(math.log(100) / 0.3, rel=1e-9)


def test_response_quantile_solves_the_mixture_tail():
    lam, mu, c = 6.0, 1.0, 8
    t = q.mmc_response_quantile(lam, mu, c, 0.99)
    p = q.erlang_c(c, lam / mu)
    alpha = c * mu - lam
    tail = (1 - p) * math.exp(-mu * t) + p * (mu * math.exp(-alpha * t) - alpha * math.exp(-mu * t)) / (mu - alpha)
    assert tail == pytest.approx(0.01, rel=1e-9)


def test_lindley_recursion_matches_a_plain_loop():
    rng = np.random.default_rng(0)
    gaps, service = rng.exponential(1.0, 500), rng.exponential(0.8, 500)
    w = [0.0]
    for n in range(1, 500):
        w.append(max(0.0, w[-1] + service[n - 1] - gaps[n]))
    np.testing.assert_allclose(q.lindley_waits(gaps, service), w, atol=1e-12)


def test_heap_loop_with_one_server_equals_lindley():
    rng = np.random.default_rng(1)
    gaps, service = rng.exponential(1.0, 1000), rng.exponential(0.9, 1000)
    arrivals = np.cumsum(gaps)
    free, waits = 0.0, []
    for a, s in zip(arrivals, service):
        start = max(a, free)
        waits.append(start - a)
        free = start + s
    np.testing.assert_allclose(q.lindley_waits(gaps, service), waits, atol=1e-9)


@pytest.mark.parametrize("servers", [1, 2, 4])
def test_simulate_fifo_mean_wait_is_within_five_percent_of_erlang_c(servers):
    lam = 0.7 * servers
    w = q.simulate_fifo(lam, 1.0, servers, 200_000, seed=2024)
    assert w.mean() == pytest.approx(q.mmc_mean_wait(lam, 1.0, servers), rel=0.05)


@pytest.mark.parametrize("servers", [1, 3])
def test_simpy_model_and_numpy_model_agree_request_by_request(servers):
    fast = q.simulate_fifo(0.8 * servers, 1.0, servers, 3_000, seed=9)
    slow = q.simulate_simpy(0.8 * servers, 1.0, servers, 3_000, seed=9)
    np.testing.assert_allclose(fast, slow, atol=1e-9)


def test_random_dispatch_simpy_and_numpy_agree_and_match_n_separate_mm1_queues():
    fast = q.random_dispatch_waits(3.0, 1.0, 4, 40_000, seed=4)
    slow = q.simulate_simpy(3.0, 1.0, 4, 40_000, seed=4, dispatch="random")
    np.testing.assert_allclose(fast, slow, atol=1e-9)
    assert fast.mean() == pytest.approx(q.separate_queues_mean_response(3.0, 1.0, 4) - 1.0, rel=0.1)


def test_simulate_fifo_is_deterministic_for_a_seed():
    np.testing.assert_array_equal(q.simulate_fifo(0.5, 1, 2, 100, 3), q.simulate_fifo(0.5, 1, 2, 100, 3))
    assert not np.array_equal(q.simulate_fifo(0.5, 1, 2, 100, 3), q.simulate_fifo(0.5, 1, 2, 100, 4))


def test_wait_tail_formula_matches_simulation_at_zero():
    w = q.simulate_fifo(3.0, 1.0, 4, 100_000, seed=5)
    assert np.mean(w > 0) == pytest.approx(q.erlang_c(4, 3.0), abs=0.02)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 30), st.floats(0.01, 0.99))
def test_erlang_c_is_a_probability_at_least_erlang_b(c, load):
    a = load * c
    pc, pb = q.erlang_c(c, a), q.erlang_b(c, a)
    assert 0 <= pb <= pc < 1


@settings(max_examples=50, deadline=None)
@given(st.integers(2, 30), st.floats(0.05, 0.95))
def test_pooling_never_loses_to_separate_queues(c, load):
    assert q.mmc_mean_response(load * c, 1.0, c) <= q.separate_queues_mean_response(load * c, 1.0, c) + 1e-12


def test_replica_curves_leave_unstable_replica_counts_blank():
    curves = q.replica_curves(1000, 10)  # needs more than 10 replicas
    y = curves["one shared queue: mean"]["y"]
    assert np.isnan(y[:10]).all() and np.isfinite(y[10:]).all()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: q.erlang_c(0, 0.5), r"servers must be a whole number and in \[1, 100000\], got 0"),
        (lambda: q.erlang_c(2.5, 0.5), r"servers must be a whole number"),
        (lambda: q.erlang_c(2, 2.0), r"offered_load must be < servers for a stable queue, got 2 with 2 servers"),
        (lambda: q.erlang_c(2, -1), r"offered_load must be >= 0, got -1"),
        (lambda: q.mmc_mean_wait(4.0, 1.0, 4), r"arrival_rate must be < servers x service_rate"),
        (lambda: q.mmc_mean_wait(1.0, 0.0, 4), r"service_rate must be > 0, got 0"),
        (lambda: q.mmc_mean_wait(-1.0, 1.0, 4), r"arrival_rate must be >= 0, got -1"),
        (lambda: q.mmc_mean_wait(float("nan"), 1.0, 4), r"arrival_rate must be >= 0, got nan"),
        (lambda: q.mmc_response_quantile(1.0, 1.0, 2, 1.0), r"quantile must be in \(0, 1\), got 1"),
        (lambda: q.simulate_fifo(1.0, 1.0, 1, 0, 1), r"n_requests must be a whole number and in \[1, 2e\+06\]"),
        (lambda: q.simulate_fifo(1.0, 1.0, 1, 10, -1), r"seed must be a whole number and >= 0, got -1"),
        (lambda: q.simulate_simpy(1.0, 1.0, 1, 10, 1, dispatch="fastest"), r"dispatch must be 'shared' or 'random'"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter_and_range(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_replica_curves_show_something_at_every_setting_of_the_chapter_grid():
    # The chapter's explorer: 200-2000 req/s, 5-50 ms. At 1,400 req/s of 50 ms (70 replicas'
    # worth of load) a fixed 1-64 axis drew nothing; the axis now reaches twice the minimum.
    for rate in range(200, 2001, 200):
        for ms in range(5, 51, 5):
            curves = q.replica_curves(rate, ms)
            y = curves["one shared queue: mean"]["y"]
            assert np.isfinite(y).any(), (rate, ms)
            assert curves["one shared queue: mean"]["x"][-1] >= 2 * (rate * ms / 1000)


@pytest.mark.parametrize("load, servers", [(0.95, 16), (0.9, 8), (0.95, 1)])
def test_wait_tail_markers_shown_agree_with_the_formulas(load, servers):
    # Stationary start (no start-up bias), run length growing with load, and markers only
    # where their batch-means interval is within 30%: every marker drawn is within 45%.
    curves = q.wait_tail_curves(load, servers)
    for name in ("one shared queue", "a queue per replica"):
        y, f = curves[f"{name}: simulated"]["y"], curves[f"{name}: formula"]["y"]
        shown = np.isfinite(y)
        assert shown.sum() >= 5
        assert np.all(np.abs(np.log(y[shown] / f[shown])) < np.log(1.45)), name


def test_stationary_start_keeps_the_arrivals_and_removes_the_empty_start():
    empty = q.simulate_fifo(0.9, 1.0, 1, 1_000, 3)
    steady = q.simulate_fifo(0.9, 1.0, 1, 1_000, 3, start="stationary")
    assert empty[0] == 0.0
    assert steady.shape == empty.shape
    free = q.stationary_free_times(3.6, 1.0, 4, np.random.default_rng(1))
    assert free.shape == (4,) and np.all(free >= 0)
    with pytest.raises(ValueError, match="start"):
        q.simulate_fifo(0.9, 1.0, 1, 10, 3, start="warm")


def test_batch_means_interval_covers_the_mean_of_iid_samples():
    x = np.random.default_rng(4).exponential(1.0, 20_000)
    m, h = q.batch_means_ci(x)
    assert abs(m - 1.0) < h < 0.1


def test_agreement_table_short_runs_are_within_their_own_interval_and_the_two_models_agree():
    # Chapter 2's table: the 5-10% gaps of 10,000-request runs are sampling noise of
    # correlated waits, not a flaw of Erlang C; the long steady-start runs settle it.
    table = q.agreement_table(load=0.7, n_requests=10_000)
    assert table["simulate_fifo (numpy)"].to_numpy() == pytest.approx(table["SimPy model"].to_numpy(), rel=1e-9)
    assert ((table["simulate_fifo (numpy)"] - table["formula"]).abs() <= table["short run +/-"]).all()
    assert ((table["long run"] - table["formula"]).abs() <= table["long run +/-"]).all()
    assert (table["long run +/-"] < table["short run +/-"]).all()


def test_wait_tail_markers_stay_near_their_lines_at_the_grids_worst_point():
    # Chapter 2: over the whole grid of the explorer the drawn markers lie within a factor
    # of 1.34 of the formula; a walk of the grid found the worst case at load 0.7, 16 replicas.
    curves = q.wait_tail_curves(0.7, 16)
    for label in ("one shared queue", "a queue per replica"):
        x, y = np.asarray(curves[f"{label}: simulated"]["x"], float), np.asarray(curves[f"{label}: simulated"]["y"], float)
        fx, fy = (np.asarray(curves[f"{label}: formula"][k], float) for k in ("x", "y"))
        drawn = np.isfinite(y) & (y > 0)
        assert drawn.any()
        assert np.all(np.abs(np.log(y[drawn] / np.interp(x[drawn], fx, fy))) < np.log(1.35)), label
