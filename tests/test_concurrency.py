"""Waiting for I/O, CPU utilization, pool sizing, and real races and deadlocks that cannot hang."""

from __future__ import annotations

import math
import os
import threading
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalelab import concurrency as cc
from scalelab import threadmeasure as tm
from scalelab.measure import usable_cpus

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
    assert disk["modern core, peak (3 GHz x 4 per cycle)"] / disk["the source's 80386 (10 MIPS)"] == pytest.approx(1200)
    # one series, one clocks-per-instruction: 33 MHz / 4.4 = 7.5 MIPS, not the quoted 11.4
    assert disk["80386, 33 MHz / 4.4 clocks per instruction"] == pytest.approx(0.010 * 33e6 / 4.4)
    assert disk["modern core, typical (3 GHz x 1.5 per cycle)"] == pytest.approx(4.5e7)


def test_cpu_utilization_matches_hand_computed_values():
    # Tanenbaum and Bos 2015, fig. 2-6: 80% I/O wait needs about 10 processes for 90% utilization.
    assert cc.cpu_utilization(0.8, 1) == pytest.approx(0.2)
    assert cc.cpu_utilization(0.8, 4) == pytest.approx(1 - 0.4096)
    assert cc.cpu_utilization(0.8, 10) == pytest.approx(0.8926, abs=1e-4)
    assert cc.cpu_utilization(0.0, 3) == 1.0 and cc.cpu_utilization(1.0, 3) == 0.0


@settings(deadline=None)  # no timing limits: a busy machine is slow
@given(fractions, task_counts)
def test_utilization_is_a_probability_and_never_falls_when_a_task_is_added(p, n):
    u, u_next = cc.cpu_utilization(p, n), cc.cpu_utilization(p, n + 1)
    assert 0 <= u <= u_next <= 1


def test_one_shared_cpu_matches_the_finite_source_queue_by_hand():
    # n = 2, r = c/w = 1 (p = 0.5): P0 = 1 / (1 + 2 r + 2 r^2) = 1/5.
    assert cc.cpu_utilization_one_cpu(0.5, 2) == pytest.approx(0.8)
    # one task never queues: utilization is its own CPU share 1 - p
    assert cc.cpu_utilization_one_cpu(0.3, 1) == pytest.approx(0.7)


@settings(max_examples=50, deadline=None)  # no timing limits: a busy machine is slow
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


@settings(deadline=None)  # no timing limits: a busy machine is slow
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
    assert time.perf_counter() - start < 15  # bounded by its timeouts (about 1 s here); room for a busy machine
    assert table["timed out"].all() and not table["ate"].any()
    assert list(table["second fork"]) == [1, 2, 3, 4, 0]  # the cycle of waits


def test_ordered_forks_let_every_philosopher_eat():
    table = cc.dining_philosophers(5, ordered=True)
    assert table["ate"].all() and not table["timed out"].any()
    assert (table["first fork"] < table["second fork"]).all()


def test_overlap_table_has_every_setting_with_a_median_spread_and_ideal():
    # Structure and what the code controls only: no assertion about this machine's speed.
    table = cc.measure_overlap(workers=(1, 4), io_tasks=8, io_wait_s=0.03, cpu_tasks=2, cpu_task_s=0.03,
                               repeats=3, budget_s=5)
    assert list(table["workload"].unique()) == list(tm.WORKLOADS)
    assert (table["runs"] >= 3).all()
    assert (table["min_s"] <= table["seconds"]).all() and (table["seconds"] <= table["max_s"]).all()
    row = table.set_index(["workload", "workers"])
    assert (row.xs(1, level="workers")["speedup"] == 1.0).all()  # the baseline against itself
    # a sleep never ends early: 8 waits of 30 ms on 4 threads take at least 2 x 30 ms
    assert row.loc[("I/O-bound on threads", 4), "min_s"] >= 2 * 0.03
    assert row.loc[("I/O-bound on threads", 1), "min_s"] >= 8 * 0.03
    assert row.loc[("I/O-bound on threads", 4), "ideal"] == 4
    if tm.gil_enabled():
        assert row.loc[("CPU-bound on threads", 4), "ideal"] == 1
        # the lock, not the machine: one process's Python threads never keep much more than one CPU busy
        assert row.loc[("CPU-bound on threads", 4), "cpus_busy"] <= 1.3
    cpus = usable_cpus().usable
    assert row.loc[("CPU-bound on processes", 4), "ideal"] == min(4, cpus, 2)
    verdict = cc.overlap_verdict(table)
    assert "usable CPUs" in verdict and "CPU-bound on processes" in verdict


def test_measured_pool_reports_what_the_waits_allow_and_the_exact_model():
    table = cc.measure_pool(threads=(1, 5), tasks=10, compute_s=0.005, wait_s=0.02, repeats=3, budget_s=5)
    # each task waits at least 20 ms, so t threads finish at most t / 0.02 tasks a second
    assert (table["high_per_s"] <= table["threads"] / 0.02 * 1.0001).all()
    assert list(table["model_per_s"]) == pytest.approx([40, 200])
    assert table.attrs["compute_s_measured"] > 0
    assert "rule: 1 x (1 + 20/5) = 5 threads" in cc.pool_verdict(table)


def _always_fails(abort, *args):
    raise ZeroDivisionError("task failed on purpose")


def _dies(abort, *args):
    os._exit(3)


def test_a_pool_whose_every_task_raises_reports_no_rate_but_the_cause(monkeypatch):
    monkeypatch.setattr(tm, "_pool_task", _always_fails)
    start = time.monotonic()
    with pytest.raises(tm.MeasurementError, match="ZeroDivisionError") as info:
        cc.measure_pool(threads=(1, 2), tasks=4, compute_s=0.005, wait_s=0.01)
    assert isinstance(info.value.__cause__, ZeroDivisionError)
    assert time.monotonic() - start < 10


def test_a_worker_process_that_exits_fails_the_overlap_measurement(monkeypatch):
    monkeypatch.setattr(tm, "_process_burn_task", _dies)
    with pytest.raises(tm.MeasurementError, match="BrokenProcessPool|terminated"):
        cc.measure_overlap(workers=(1, 2), io_tasks=2, io_wait_s=0.01, cpu_tasks=2, cpu_task_s=0.01, repeats=3)


def _threads_started_since(before: set[threading.Thread], grace_s: float = 5.0) -> list[threading.Thread]:
    """Threads started after ``before`` was taken that are still alive after ``grace_s``.

    Compares thread identities, not counts: a thread left by an earlier test that ends
    meanwhile must neither hide a leak nor make a false one."""
    deadline = time.monotonic() + grace_s
    while True:
        new = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not new or time.monotonic() > deadline:
            return new
        time.sleep(0.05)


def test_the_timeout_is_honoured_and_running_tasks_are_not_waited_for():
    before = set(threading.enumerate())
    # The bounds below are a tenth or less of what waiting for the tasks would take, so a
    # busy machine cannot make them fail while a helper that waits for its tasks always would.
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        cc.measure_pool(threads=(1,), tasks=250, compute_s=0.01, wait_s=0.2, timeout_s=0.5, budget_s=0.5)
    assert time.monotonic() - start < 15  # 250 tasks of 0.21 s take 52 s on one thread
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        cc.measure_overlap(workers=(1,), io_tasks=250, io_wait_s=0.2, cpu_tasks=1, cpu_task_s=0.01,
                           timeout_s=0.5, budget_s=0.5)
    assert time.monotonic() - start < 15  # 250 waits of 0.2 s take 50 s on one thread
    assert _threads_started_since(before) == []  # the aborted pools' threads ended


def test_run_threads_wakes_stuck_threads_after_its_timeout():
    barrier = threading.Barrier(3)  # only two threads will come: they would wait forever
    before = set(threading.enumerate())
    with pytest.raises(TimeoutError, match="2 of 2 threads still running after 0.2 s; 0 still running"):
        cc.run_threads([barrier.wait, barrier.wait], 0.2, on_timeout=barrier.abort)
    assert _threads_started_since(before, grace_s=0) == []  # run_threads already joined them


def test_task_scale_measures_tasks_and_threads_in_fresh_interpreters():
    table = cc.measure_task_scale(tasks=(200,), threads=(50,), repeats=1, timeout_s=60)
    assert list(table.index) == [("asyncio tasks", 200), ("OS threads", 50)]
    assert (table["start_us_each"] > 0).all()
    assert "100,000 at these rates" in cc.task_scale_verdict(table)


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
        (lambda: cc.measure_pool(timeout_s=math.inf), r"timeout_s must be in \(0, 300\]"),
        (lambda: cc.measure_overlap(timeout_s=1e12), r"timeout_s must be in \(0, 300\]"),
        (lambda: cc.measure_overlap(workers=(1, 33)), r"workers must be a whole number and in \[1, 32\]"),
        (lambda: cc.measure_overlap(workers=(8, 16, 32, 31)), r"workers must add up to at most 64"),
        (lambda: cc.measure_pool(tasks=10**6), r"tasks must be a whole number and in \[1, 256\]"),
        (lambda: cc.measure_task_scale(threads=(10**5,)), r"threads must be a whole number and in \[1, 2000\]"),
        (lambda: cc.lost_update(4, timeout_s=math.inf), r"timeout_s must be in \(0, 300\]"),
        (lambda: cc.run_threads([], 0), r"timeout_s must be in \(0, 300\]"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter_and_range(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_utilization_broadcasts_over_arrays():
    p = np.array([[0.5], [0.9]])
    assert cc.cpu_utilization(p, np.array([1, 2, 3])).shape == (2, 3)
    assert cc.cpu_utilization_one_cpu(p, np.array([1, 2, 3])).shape == (2, 3)


def test_the_overlap_verdict_calls_a_speedup_above_the_ideal_noise():
    import pandas as pd

    rows = []
    for name in tm.WORKLOADS:
        for w in (1, 8):
            top_io = name == tm.WORKLOADS[0] and w == 8
            rows.append({"workload": name, "workers": w, "seconds": 1.0, "min_s": 1.0, "max_s": 1.0,
                         "speedup": 8.26 if top_io else 1.0, "speedup_low": 7.5 if top_io else 1.0,
                         "speedup_high": 8.9 if top_io else 1.0, "runs": 3,
                         "ideal": 8 if top_io else (2 if name == tm.WORKLOADS[2] and w == 8 else 1),
                         "cpus_busy": 0.9})
    table = pd.DataFrame(rows)
    table.attrs.update({"cpus": "usable CPUs: 2", "usable_cpus": 2, "timings": "", "load": "", "gil": True})
    verdict = cc.overlap_verdict(table)
    assert "Above the ideal: noise, not a gain" in verdict and "7.50x to 8.90x" in verdict
    assert "no parallel computing" in verdict
    # processes that never had a whole CPU in all: the run cannot show parallelism either way
    assert "cannot tell parallel computing from a larger share of a busy machine" in verdict


def _made_up_pool(throughput, busy, load, *, spread=0.02, c_m=0.01, c_wall=0.01, n=20, w=0.04):
    """A measure_pool table with chosen numbers (no measurement), for the verdict's endings."""
    import pandas as pd

    threads = np.array([1, 2, 3, 4, 5, 6, 8])
    tp = np.asarray(throughput, dtype=float)
    rounds = np.ceil(n / threads)
    table = pd.DataFrame({"threads": threads, "seconds": n / tp, "throughput_per_s": tp,
                          "low_per_s": tp * (1 - spread), "high_per_s": tp * (1 + spread), "runs": 5,
                          "cpus_busy": busy,
                          "model_per_s": cc.pool_throughput_per_s(threads, 1, w, 0.01),
                          "model_measured_per_s": cc.pool_throughput_per_s(threads, 1, w, c_m),
                          "model_batch_per_s": n / np.maximum(rounds * (w + c_m), n * c_m + w)})
    table.attrs.update({"compute_s": 0.01, "wait_s": w, "compute_s_measured": c_m, "compute_wall_s": c_wall,
                        "timings": "", "cpus": "usable CPUs: 2", "usable_cpus": 2, "load_1min": load,
                        "load": f"load average {load:.2f}", "gil": True})
    return table


def test_pool_verdict_on_a_quiet_machine_near_the_bound_says_the_rule_was_enough():
    # batch bound at 5 and 8 threads: 20 / max(4 x 0.05, 0.24) = 83.3 tasks/s
    table = _made_up_pool([20, 40, 58, 70, 80, 80, 81], busy=0.81, load=0.3)
    verdict = cc.pool_verdict(table)
    ending = verdict.splitlines()[-2:]
    assert "within 10% of that bound" in ending[0]
    assert "at the rule's own size, 5 threads, the pool did 80 tasks/s, 96% of the 83" in ending[1]
    assert "the rule's size was enough here" in ending[1]
    assert "busy machine" not in verdict and "short of that bound" not in verdict


def test_pool_verdict_on_a_busy_machine_names_the_load_not_the_rule():
    # the stored run that contradicted its text: load 3.43 on 2 CPUs, 68 tasks/s at 8 threads (81% of 84),
    # the rule's 5 threads 51 tasks/s (61%), one thread alone got 62% of a CPU
    table = _made_up_pool([17, 30, 40, 46, 51, 60, 68], busy=0.69, load=3.43, c_m=0.0099, c_wall=0.0159)
    verdict = cc.pool_verdict(table)
    bound, rule = verdict.splitlines()[-2:]
    assert "the peak is 16 tasks/s (19%) short of that bound" in bound
    assert "kept 0.69 CPUs busy, where the bound needs 0.83" in bound
    assert "the host is busy (1-minute load average 3.4 on its 2 CPUs)" in bound and "got 62% of a CPU" in bound
    assert "within 10%" not in verdict and "as the rule assumes" not in verdict and "was enough" not in verdict
    assert "5 threads, the pool did 51 tasks/s, 61% of the 84" in rule
    assert "8 threads did 33% more" in rule and "needed more threads than the rule gives" in rule
    assert "one thread took 59 ms per task, not W + C = 50 ms" in rule


def test_pool_verdict_on_a_quiet_machine_short_of_the_bound_blames_hand_offs_and_reads_the_stored_load(monkeypatch):
    table = _made_up_pool([19, 37, 52, 60, 64, 65, 66], busy=0.66, load=0.2)
    # the verdict judges the machine by the load recorded with the measurement, not by the load now
    monkeypatch.setattr(os, "getloadavg", lambda: (9.0, 9.0, 9.0))
    verdict = cc.pool_verdict(table)
    bound, rule = verdict.splitlines()[-2:]
    assert "short of that bound" in bound and "was not above the host's CPUs (1-minute load average 0.2 on the host's 2 CPUs)" in bound
    assert "hand-offs" in bound and "busy machine" not in verdict
    # 66 against 64 at the rule's size: not a clear gain, and the rule's size fell short too
    assert "more threads added 3%" in rule and "what was short was CPU time, not threads" in rule


def test_pool_verdict_does_not_call_a_gain_within_the_rounds_ranges_clear():
    table = _made_up_pool([19, 37, 52, 60, 64, 65, 72], busy=0.72, load=0.2, spread=0.08)
    rule = cc.pool_verdict(table).splitlines()[-1]
    assert "8 threads measured 12% more, but their ranges over the rounds overlap" in rule
    assert "needed more threads" not in rule and "what was short" not in rule


def test_pool_verdict_reads_the_load_against_the_host_and_names_a_quota():
    # Binder-like: a 2-CPU quota on a 64-CPU host whose load is 10 is a quiet host, but a quota
    table = _made_up_pool([17, 30, 40, 46, 51, 60, 68], busy=0.69, load=10.0, c_m=0.0099, c_wall=0.0159)
    table.attrs.update({"host_cpus": 64, "cpu_affinity": 64, "cpu_quota": 2.0, "usable_cpus": 2})
    bound = cc.pool_verdict(table).splitlines()[-2]
    assert "host is busy" not in bound
    assert "cgroup CPU quota is 2 CPUs, below the 64 CPUs of the affinity mask" in bound
    # no quota, a quiet host, but one task alone got 62% of a CPU: contention all the same
    table.attrs.update({"cpu_quota": None, "usable_cpus": 64})
    bound = cc.pool_verdict(table).splitlines()[-2]
    assert "other work took CPU time although the load average was not above the host's CPUs" in bound
    assert "hand-offs" not in bound
    # a quota, but a lone task got a whole CPU: the quota is not what held the pool back
    whole = _made_up_pool([17, 30, 40, 46, 51, 60, 68], busy=0.69, load=10.0, c_m=0.0099, c_wall=0.0099)
    whole.attrs.update({"host_cpus": 64, "cpu_affinity": 64, "cpu_quota": 2.0, "usable_cpus": 2})
    bound = cc.pool_verdict(whole).splitlines()[-2]
    assert "quota" not in bound and "hand-offs" in bound


def test_the_overlap_verdict_does_not_call_a_speedup_above_the_usable_cpus_parallelism():
    # 8 other CPU hogs on 2 CPUs: one process gets about 0.22 of a CPU, four about 0.67 of two,
    # so the wall-clock "speedup" passes the 2 usable CPUs without more parallelism
    import pandas as pd

    rows = []
    for name in tm.WORKLOADS:
        for w in (1, 4):
            procs = name == tm.WORKLOADS[2]
            rows.append({"workload": name, "workers": w, "seconds": 1.0, "min_s": 1.0, "max_s": 1.0,
                         "speedup": 3.0 if procs and w == 4 else 1.0, "speedup_low": 1.0, "speedup_high": 3.2,
                         "runs": 3, "ideal": (2 if w == 4 else 1) if procs else (4 if name == tm.WORKLOADS[0] and w == 4 else 1),
                         "cpus_busy": (1.5 if w == 4 else 0.22) if procs else 0.9})
    table = pd.DataFrame(rows)
    table.attrs.update({"cpus": "usable CPUs: 2", "usable_cpus": 2, "timings": "", "load": "", "gil": True})
    line = cc.overlap_verdict(table).splitlines()[-1]
    assert "Above what 2 CPUs allow: the one-process baseline got only 0.22 of a CPU" in line
    assert "computed in parallel" not in line
