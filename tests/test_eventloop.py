"""The event loop: a real stall measured, and the M/G/1 Pollaczek-Khinchine model checked."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalelab import eventloop as ev


def test_pk_reduces_to_mm1_for_exponential_service():
    # M/M/1: Wq = rho / (mu - lambda); E[S^2] = 2 / mu^2.
    lam, mu = 80.0, 100.0
    assert ev.pk_mean_wait_s(lam, 1 / mu, 2 / mu**2) == pytest.approx((lam / mu) / (mu - lam))


def test_pk_for_deterministic_service_is_half_of_mm1():
    lam, s = 50.0, 0.01
    assert ev.pk_mean_wait_s(lam, s, s**2) == pytest.approx(0.5 * ev.pk_mean_wait_s(lam, s, 2 * s**2))


def test_pk_is_infinite_at_or_past_saturation():
    assert ev.pk_mean_wait_s(100, 0.01, 1e-4) == np.inf
    assert ev.pk_mean_wait_s(200, 0.01, 1e-4) == np.inf


def test_one_percent_of_long_callbacks_dominates_the_wait():
    mean, second = ev.mixture_moments(0.001, 0.2, 0.01)
    assert mean == pytest.approx(0.00299)
    with_long = ev.pk_mean_wait_s(100, mean, second)
    without = ev.pk_mean_wait_s(100, 0.001, 1e-6)
    assert with_long == pytest.approx(100 * second / (2 * (1 - 0.299)))
    assert with_long > 500 * without


@settings(deadline=None)  # no timing limits: a busy machine is slow
@given(st.floats(0, 900), st.floats(1.0, 10.0))
def test_wait_grows_with_the_second_moment(lam, factor):
    s = 0.001
    assert ev.pk_mean_wait_s(lam, s, s**2 * factor) >= ev.pk_mean_wait_s(lam, s, s**2) * (1 - 1e-12)


@pytest.mark.parametrize("rate", [100, 250])
def test_simpy_single_server_agrees_with_pollaczek_khinchine(rate):
    mean, second = ev.mixture_moments(0.001, 0.02, 0.02)
    sim = ev.simulate_mg1(rate, 0.001, 0.02, 0.02, customers=60_000, seed=5)
    assert sim == pytest.approx(ev.pk_mean_wait_s(rate, mean, second), rel=0.1)


def test_loop_wait_curves_hide_rates_past_saturation():
    curves = ev.loop_wait_curves(100, 0.01)
    on_loop = curves["long work on the loop"][1]
    assert np.isnan(on_loop[-1]) and np.isfinite(on_loop[0])
    assert np.all(np.isfinite(curves["long work moved to a worker"][1]))


def test_a_sort_on_the_loop_delays_the_heartbeat_by_about_the_sort_and_a_process_executor_does_not():
    blocked = ev.measure_heartbeat(ev.VARIANTS[0], items=100_000, interval_s=0.005)
    moved = ev.measure_heartbeat(ev.VARIANTS[2], items=100_000, interval_s=0.005)
    # What the code guarantees: a sort on the loop's own thread blocks the heartbeat for the
    # whole sort, less at most one interval already slept. How late the heartbeat is with the
    # sort in another process depends on how busy this machine is, so it is not asserted.
    assert blocked["max_late_ms"] >= blocked["sort_ms"] - 5.0 - 1.0
    for run in (blocked, moved):
        assert run["heartbeats"] >= 1 and run["sort_ms"] > 0 and run["max_late_ms"] >= run["median_late_ms"]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: ev.pk_mean_wait_s(-1, 0.01, 1e-4), r"arrival_rate_per_s must be >= 0, got -1"),
        (lambda: ev.pk_mean_wait_s(1, 0, 1e-4), r"service_mean_s must be > 0, got 0"),
        (lambda: ev.pk_mean_wait_s(1, 0.01, 1e-5), r"service_second_moment_s2 must be >= service_mean_s\*\*2"),
        (lambda: ev.mixture_moments(0.001, 0.1, 1.5), r"long_share must be in \[0, 1\], got 1.5"),
        (lambda: ev.simulate_mg1(2000, 0.001, 0.001, 0), r"arrival_rate_per_s must be < 1 / E\[S\]"),
        (lambda: ev.measure_heartbeat("somewhere"), r"variant must be one of"),
        (lambda: ev.measure_heartbeat(items=10), r"items must be a whole number and in \[1000"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter_and_range(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_read_modify_write_across_an_await_loses_updates_on_one_thread_every_time():
    for _ in range(3):
        assert ev.async_lost_update(6) == {"expected": 6, "final": 1, "lost": 5}
    assert ev.async_lost_update(6, use_lock=True) == {"expected": 6, "final": 6, "lost": 0}


def test_pk_table_gives_each_rate_its_own_seed_and_an_interval():
    table = ev.pk_table(rates_per_s=[100, 100], customers=20_000)
    a, b = table["simulated wait_ms"].to_numpy()
    assert a != b  # same rate, different seeds: independent rows
    assert (table["95% half-width_ms"] > 0).all()


def test_a_long_run_brings_the_simulation_within_a_few_percent_of_pollaczek_khinchine():
    # 1% of 50 ms callbacks: 10,000 customers leave errors of tens of percent; 1,000,000 a few.
    table = ev.pk_table(0.001, 0.05, 0.01, rates_per_s=[50, 150, 300], customers=1_000_000)
    assert (table["gap_%"].abs() < 5).all()


def test_heartbeat_verdict_compares_each_delay_with_its_own_sort():
    import pandas as pd
    t = pd.DataFrame({"sort_ms": [100.0, 100.0, 100.0], "heartbeats": [1, 2, 20], "median_late_ms": [1.0, 1.0, 1.0],
                      "max_late_ms": [99.0, 90.0, 5.0]}, index=pd.Index(ev.VARIANTS, name="variant"))
    verdict = ev.heartbeat_verdict(t)
    assert "holds the interpreter lock" in verdict and "kept running while the sort ran elsewhere" in verdict


def test_simulate_mg1_refuses_runs_past_its_documented_maximum():
    with pytest.raises(ValueError, match="customers must be a whole number and in"):
        ev.simulate_mg1(100, 0.001, 0.01, 0.01, customers=ev.MAX_CUSTOMERS + 1)


def test_documented_maxima_are_checked_before_any_work():
    # MAX_CUSTOMERS is what lindley_waits accepts, so the error names customers, not an inner array.
    with pytest.raises(ValueError, match=r"customers must be a whole number and in \[2000, 2e\+06\]"):
        ev.pk_table(rates_per_s=[50], customers=ev.MAX_CUSTOMERS + 1)
    with pytest.raises(ValueError, match=r"customers \* len\(rates_per_s\) <= 10000000, got 2000000 \* 6"):
        ev.pk_table(rates_per_s=[10, 20, 30, 40, 50, 60], customers=ev.MAX_CUSTOMERS)
    with pytest.raises(ValueError, match=r"items must be a whole number and in \[1, 2e\+06\]"):
        ev.sort_job(ev.MAX_SORT_ITEMS + 1)
    with pytest.raises(ValueError, match=r"items must be a whole number and in \[1000, 2e\+06\]"):
        ev.measure_heartbeat(items=ev.MAX_SORT_ITEMS + 1)
    # the chapter's calls stay inside the maxima
    assert 3 * 1_000_000 <= ev.MAX_TABLE_CUSTOMERS and 200_000 <= ev.MAX_SORT_ITEMS


def test_a_timed_out_heartbeat_run_does_not_wait_for_its_sort():
    # MAX_SORT_ITEMS (2,000,000) floats take 1-5 s to sort here (draw, list, sort); the run is cut at 0.3 s
    # and the worker process is terminated rather than waited for (about 0.4 s under load).
    import multiprocessing
    import time

    before = set(multiprocessing.active_children())
    start = time.monotonic()
    with pytest.raises((TimeoutError, asyncio.TimeoutError)):
        ev.measure_heartbeat(ev.VARIANTS[2], items=ev.MAX_SORT_ITEMS, interval_s=0.005, timeout_s=0.3)
    assert time.monotonic() - start < 8
    assert set(multiprocessing.active_children()) <= before  # the sorting worker is gone
