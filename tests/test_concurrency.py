"""Waiting for I/O, CPU utilization, pool sizing, and real races and deadlocks that cannot hang."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalelab import concurrency as cc
from scalelab.parallel import available_cores

fractions = st.floats(0, 1, allow_nan=False)
task_counts = st.integers(1, 200)


def test_a_10_ms_disk_read_costs_an_80386_at_10_mips_100000_instructions():
    # Gorton 2022, ch. 4.
    assert cc.instructions_during_wait(0.010, 10e6) == pytest.approx(100_000)


def test_a_modern_core_loses_about_a_million_instructions_to_one_ssd_read():
    assert cc.instructions_during_wait(100e-6, 3e9 * 4) == pytest.approx(1.2e6)


def test_source_wait_table_shows_a_thousandfold_gap_between_eras():
    table = cc.source_wait_table()
    disk = table["magnetic disk, 10 ms"]
    assert disk["the source's 80386 (10 MIPS)"] == pytest.approx(1e5)
    assert disk["modern core (3 GHz x 4 per cycle)"] / disk["the source's 80386 (10 MIPS)"] == pytest.approx(1200)


def test_cpu_utilization_matches_hand_computed_values():
    # Tanenbaum and Bos 2015, fig. 2-6: 80% I/O wait needs about 10 processes for 90% utilization.
    assert cc.cpu_utilization(0.8, 1) == pytest.approx(0.2)
    assert cc.cpu_utilization(0.8, 4) == pytest.approx(1 - 0.4096)
    assert cc.cpu_utilization(0.8, 10) == pytest.approx(0.8926, abs=1e-4)
    assert cc.cpu_utilization(0.0, 3) == 1.0 and cc.cpu_utilization(1.0, 3) == 0.0


@given(fractions, task_counts)
def test_utilization_is_a_probability_and_never_falls_when_a_task_is_added(p, n):
    u, u_next = cc.cpu_utilization(p, n), cc.cpu_utilization(p, n + 1)
    assert 0 <= u <= u_next <= 1


def test_one_shared_cpu_matches_the_finite_source_queue_by_hand():
    # n = 2, r = c/w = 1 (p = 0.5): P0 = 1 / (1 + 2 r + 2 r^2) = 1/5.
    assert cc.cpu_utilization_one_cpu(0.5, 2) == pytest.approx(0.8)
    # one task never queues: utilization is its own CPU share 1 - p
    assert cc.cpu_utilization_one_cpu(0.3, 1) == pytest.approx(0.7)


@settings(max_examples=50)
@given(st.floats(0.01, 0.99), st.integers(1, 60))
def test_finite_source_utilization_is_in_range_and_grows_with_tasks(p, n):
    u, u_next = cc.cpu_utilization_one_cpu(p, n), cc.cpu_utilization_one_cpu(p, n + 1)
    assert 0 < u <= u_next <= 1


@pytest.mark.parametrize("tasks", [1, 2, 4, 8])
def test_simpy_with_independent_tasks_agrees_with_one_minus_p_to_the_n(tasks):
    sim = cc.simulate_cpu_utilization(0.8, tasks, shared_cpu=False, bursts=20_000, seed=7)
    assert sim == pytest.approx(cc.cpu_utilization(0.8, tasks), abs=0.02)


@pytest.mark.parametrize("tasks", [1, 2, 4, 8])
def test_simpy_with_one_shared_cpu_agrees_with_the_finite_source_queue(tasks):
    sim = cc.simulate_cpu_utilization(0.8, tasks, shared_cpu=True, bursts=20_000, seed=7)
    assert sim == pytest.approx(cc.cpu_utilization_one_cpu(0.8, tasks), abs=0.02)


def test_pool_size_follows_goetz_rule():
    # Goetz et al. 2006, section 8.2: N_threads = N_cpu (1 + W/C).
    assert cc.pool_size(8, 45, 5) == pytest.approx(80)
    assert cc.pool_size(1, 40, 10) == pytest.approx(5)
    assert cc.pool_size(4, 0, 1) == pytest.approx(4)


@given(st.integers(1, 128), st.floats(0, 10), st.floats(0.001, 10))
def test_model_throughput_reaches_its_ceiling_exactly_at_the_rule_pool_size(cores, w, c):
    best = cc.pool_size(cores, w, c)
    ceiling = cores / c
    assert cc.pool_throughput_per_s(best, cores, w, c) == pytest.approx(ceiling)
    assert cc.pool_throughput_per_s(max(1.0, best * 0.5), cores, w, c) <= ceiling * (1 + 1e-12)


def test_io_wait_explorer_curve_reads_the_source_point():
    curves = cc.io_wait_curves(10, 1)
    assert list(curves) == ["instructions lost", "typical waits"]
    assert curves["typical waits"]["y"][3] == pytest.approx(1e5)


def test_lost_update_loses_all_but_one_update_every_time_without_a_lock():
    for _ in range(3):
        assert cc.lost_update(6) == {"expected": 6, "final": 1, "lost": 5}


def test_a_lock_around_read_modify_write_loses_nothing():
    assert cc.lost_update(6, use_lock=True)["lost"] == 0
    assert cc.racy_counter(4, 100, use_lock=True) == 400


def test_unlocked_counter_never_gains_updates():
    assert 1 <= cc.racy_counter(4, 100) <= 400


def test_naive_philosophers_deadlock_and_every_one_detects_it_within_the_timeout():
    start = time.perf_counter()
    table = cc.dining_philosophers(5, acquire_timeout_s=0.3)
    assert time.perf_counter() - start < 5
    assert table["timed out"].all() and not table["ate"].any()
    assert list(table["second fork"]) == [1, 2, 3, 4, 0]  # the cycle of waits


def test_ordered_forks_let_every_philosopher_eat():
    table = cc.dining_philosophers(5, ordered=True)
    assert table["ate"].all() and not table["timed out"].any()
    assert (table["first fork"] < table["second fork"]).all()


def test_io_bound_threads_overlap_and_cpu_bound_threads_do_not():
    table = cc.measure_overlap(workers=(1, 4), io_tasks=8, io_wait_s=0.03, cpu_tasks=2, cpu_task_s=0.03)
    speed = table.set_index(["workload", "workers"])["speedup"]
    assert speed["I/O-bound on threads", 4] > 2.0  # ideal 4; loose for a busy machine
    assert speed["CPU-bound on threads", 4] < 1.5  # the interpreter lock: no real overlap
    if available_cores() >= 2:
        assert speed["CPU-bound on processes", 4] > 0.5  # structure only: timing on CI is noisy


def test_measured_pool_gets_faster_up_to_the_rule_size():
    table = cc.measure_pool(threads=(1, 5), tasks=10, compute_s=0.005, wait_s=0.02)
    assert table["throughput_per_s"].iloc[1] > 1.8 * table["throughput_per_s"].iloc[0]
    assert list(table["model_per_s"]) == pytest.approx([40, 200])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: cc.cpu_utilization(1.5, 2), r"io_fraction must be in \[0, 1\], got 1.5"),
        (lambda: cc.cpu_utilization(-0.1, 2), r"io_fraction must be in \[0, 1\], got -0.1"),
        (lambda: cc.cpu_utilization(0.5, 0), r"tasks must be a whole number and >= 1, got 0"),
        (lambda: cc.cpu_utilization(0.5, 2.5), r"tasks must be a whole number and >= 1, got 2.5"),
        (lambda: cc.cpu_utilization(math.nan, 2), r"io_fraction must be in \[0, 1\], got nan"),
        (lambda: cc.cpu_utilization_one_cpu(0.5, 0), r"tasks must be a whole number"),
        (lambda: cc.pool_size(0, 1, 1), r"cores must be >= 1, got 0"),
        (lambda: cc.pool_size(4, -1, 1), r"wait_time must be >= 0, got -1"),
        (lambda: cc.pool_size(4, 1, 0), r"compute_time must be > 0, got 0"),
        (lambda: cc.instructions_during_wait(0.01, 0), r"instructions_per_s must be > 0"),
        (lambda: cc.simulate_cpu_utilization(1.0, 2), r"io_fraction must be in \(0, 1\)"),
        (lambda: cc.lost_update(1), r"threads must be a whole number and in \[2, 64\]"),
        (lambda: cc.dining_philosophers(1), r"philosophers must be a whole number and in \[2, 16\]"),
        (lambda: cc.measure_overlap(workers=(0, 2)), r"workers must be a whole number"),
        (lambda: cc.measure_pool(compute_s=0), r"compute_s must be in \(0, 0.2\]"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter_and_range(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_utilization_broadcasts_over_arrays():
    p = np.array([[0.5], [0.9]])
    assert cc.cpu_utilization(p, np.array([1, 2, 3])).shape == (2, 3)
    assert cc.cpu_utilization_one_cpu(p, np.array([1, 2, 3])).shape == (2, 3)
