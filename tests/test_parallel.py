"""The real speedup measurement: bounded, honest about CPUs, failures and timeouts.

Structure and invariants only: no test asserts how fast this machine is."""

from __future__ import annotations

import math
import os
import time

import pandas as pd
import pytest

from scalelab import measure, parallel

PARENT = os.getpid()


def fails_in_worker(iterations: int) -> int:
    if os.getpid() != PARENT:
        raise ZeroDivisionError("boom in a worker")
    return parallel.burn(iterations)


def hangs_in_worker(iterations: int) -> int:
    if os.getpid() != PARENT:
        time.sleep(60)
    return parallel.burn(iterations)


def dies_in_worker(iterations: int) -> int:
    if os.getpid() != PARENT:
        os._exit(3)
    return parallel.burn(iterations)


def test_burn_is_deterministic():
    assert parallel.burn(1000) == parallel.burn(1000)


def test_available_cores_is_the_usable_cpu_count():
    assert parallel.available_cores() == measure.usable_cpus().usable >= 1


def test_measurement_is_bounded_and_its_table_is_consistent():
    table = parallel.measure_speedup(serial_fraction=0.5, max_workers=2, work_seconds=0.05, repeats=3)
    assert list(table.columns) == ["workers", "seconds", "min_s", "max_s", "runs", "speedup", "amdahl"]
    assert list(table.workers) == [1, 2]
    assert table.speedup.iloc[0] == 1.0
    assert (table.min_s <= table.seconds).all() and (table.seconds <= table.max_s).all()
    assert (table.runs >= 3).all()
    usable = table.attrs["cpus"].usable
    assert table.amdahl.iloc[1] == pytest.approx(4 / 3 if usable >= 2 else 1.0)
    assert isinstance(table.attrs["timings"], measure.Timings)


def _table(speedups, usable, load=0.1, spread=0.05):
    n = len(speedups)
    seconds = [1.0 / s for s in speedups]
    t = pd.DataFrame({"workers": range(1, n + 1), "seconds": seconds,
                      "min_s": [x * (1 - spread / 2) for x in seconds], "max_s": [x * (1 + spread / 2) for x in seconds],
                      "runs": 5, "speedup": speedups})
    from scalelab import amdahl

    t["amdahl"] = amdahl.speedup(0.2, [min(w, usable) for w in t.workers])
    t.attrs.update(cpus=measure.CpuCount(affinity=usable, quota=None, usable=usable), serial_fraction=0.2,
                   load_average=load, host_cpus=usable)
    return t


def test_verdict_agrees_when_the_numbers_match_amdahl():
    text = parallel.verdict(_table([1.0, 1.66, 1.65, 1.64], usable=2))
    assert "agrees with the model" in text and "stops growing" in text


def test_verdict_calls_a_small_rise_past_the_cpu_count_noise_not_a_stop():
    # 1.71 against 1.60 did rise: the verdict must not say it stopped, nor call it a gain.
    text = parallel.verdict(_table([1.0, 1.60, 1.71, 1.57], usable=2))
    assert "stops growing" not in text and "no more than the noise" in text
    text = parallel.verdict(_table([1.0, 1.60, 2.2, 1.57], usable=2))
    assert "still grew" in text


def test_the_load_average_is_read_before_the_workers_start(monkeypatch):
    loads = iter([7.0, 0.0])
    monkeypatch.setattr(parallel.os, "getloadavg", lambda: (next(loads), 0.0, 0.0))
    table = parallel.measure_speedup(serial_fraction=0.5, max_workers=1, work_seconds=0.02, repeats=1)
    assert table.attrs["load_average"] == 7.0


def test_verdict_names_a_busy_machine_when_the_load_is_high():
    text = parallel.verdict(_table([1.0, 1.1, 1.2, 1.2], usable=2, load=6.0))
    assert "below the model" in text and "busy" in text and "load average 6.0 on the host's 2 CPUs" in text


def test_verdict_reads_the_host_load_against_the_host_cpus_not_a_quota():
    # load 10 on a 64-CPU host with a 2-CPU quota: the host is not busy
    t = _table([1.0, 1.1, 1.2, 1.2], usable=2, load=10.0)
    t.attrs.update(cpus=measure.CpuCount(affinity=64, quota=2.0, usable=2), host_cpus=64)
    text = parallel.verdict(t)
    assert "below the model" in text and "busy" not in text


def test_on_a_busy_machine_even_agreement_carries_a_caution():
    text = parallel.verdict(_table([1.0, 1.66, 1.65, 1.64], usable=2, load=6.0))
    assert "agrees with the model" in text and "Caution: the machine was busy" in text
    assert "Caution" not in parallel.verdict(_table([1.0, 1.66, 1.65, 1.64], usable=2, load=0.2))


def test_verdict_without_load_names_hand_off_costs_or_smt():
    text = parallel.verdict(_table([1.0, 1.2, 1.2, 1.2], usable=2, load=0.5))
    assert "SMT" in text


def test_usl_is_fitted_only_within_the_usable_cpus():
    fit, reason = parallel.usl_fit(_table([1.0, 1.6, 1.5, 1.4], usable=2))
    assert fit is None and "needs two" in reason
    from scalelab import amdahl

    exact = [float(amdahl.usl_speedup(n, 0.1, 0.01)) for n in range(1, 7)]
    fit, reason = parallel.usl_fit(_table(exact + [1.0, 1.0], usable=6))  # the two past 6 are ignored
    assert fit == pytest.approx((0.1, 0.01), abs=1e-6)


def _meet(barrier) -> int:
    """Wait until two workers stand at the barrier at once; only two processes can."""
    barrier.wait(timeout=120)
    return os.getpid()


def test_two_workers_run_at_the_same_time_in_separate_processes():
    # What Amdahl's parallel part needs from the pool: two processes busy at once. A
    # barrier of two proves it without timing anything: one process alone can never
    # pass it, however busy (or idle) the machine is.
    import concurrent.futures as cf
    import multiprocessing

    with multiprocessing.Manager() as manager, cf.ProcessPoolExecutor(max_workers=2) as pool:
        barrier = manager.Barrier(2)
        pid_a, pid_b = pool.map(_meet, [barrier, barrier])
    assert pid_a != pid_b


def test_a_timeout_stops_the_run_instead_of_waiting_for_it():
    # The work hangs for 60 s in a worker; a 0.5 s timeout must end the call long before
    # (it used to come only after the pool had waited for every task). The bound, 30 s,
    # is half the hang: it holds however slow a busy machine makes the rest.
    start = time.perf_counter()
    with pytest.raises(TimeoutError, match="timeout_s"):
        parallel.measure_speedup(0.2, max_workers=2, work_seconds=0.05, timeout_s=0.5, task=hangs_in_worker)
    assert time.perf_counter() - start < 30.0


def test_a_failing_task_raises_with_its_cause():
    with pytest.raises(RuntimeError, match="boom in a worker") as info:
        parallel.measure_speedup(0.2, max_workers=2, work_seconds=0.05, task=fails_in_worker)
    assert isinstance(info.value.__cause__, ZeroDivisionError)


def test_a_worker_that_dies_raises_instead_of_reporting_a_table():
    with pytest.raises(RuntimeError, match="died"):
        parallel.measure_speedup(0.2, max_workers=2, work_seconds=0.05, task=dies_in_worker)


def test_a_pool_broken_before_a_submit_raises_runtime_error(monkeypatch):
    # A worker that dies can break the pool before the next task is even submitted; then
    # submit raises BrokenProcessPool itself (seen once in ten runs on a busy machine).
    from concurrent.futures.process import BrokenProcessPool

    class Broken:
        def __init__(self, *args, **kwargs):
            self._processes = {}

        def submit(self, *args, **kwargs):
            raise BrokenProcessPool("a child process terminated abruptly")

        def shutdown(self, *args, **kwargs):
            pass

    monkeypatch.setattr(parallel.cf, "ProcessPoolExecutor", Broken)
    with pytest.raises(RuntimeError, match="died") as info:
        parallel.measure_speedup(0.2, max_workers=2, work_seconds=0.05)
    assert isinstance(info.value.__cause__, BrokenProcessPool)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"serial_fraction": 1.2}, "serial_fraction must be in"),
        ({"max_workers": 0}, "max_workers must be"),
        ({"max_workers": 10**6}, "max_workers must be"),
        ({"work_seconds": 0}, "work_seconds must be in"),
        ({"work_seconds": 60}, "work_seconds must be in"),
        ({"repeats": 0}, "repeats must be"),
        ({"timeout_s": math.inf}, "timeout_s must be"),
        ({"timeout_s": 1e12}, "timeout_s must be"),
        ({"timeout_s": 0}, "timeout_s must be"),
        ({"budget_s": math.inf}, "budget_s must be"),
        ({"task": 3}, "task must be"),
    ],
)
def test_bad_input_raises_value_error_before_any_work(kwargs, message, monkeypatch):
    def no_work(*args, **kw):
        raise AssertionError("work started before the input was checked")

    # Refused at the door: neither the calibration nor a pool may start.
    monkeypatch.setattr(parallel, "_iterations_per_second", no_work)
    monkeypatch.setattr(parallel.cf, "ProcessPoolExecutor", no_work)
    with pytest.raises(ValueError, match=message):
        parallel.measure_speedup(**kwargs)


def test_physical_cores_groups_smt_siblings(tmp_path):
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if not cpus:
        pytest.skip("no affinity mask here")
    for cpu in cpus:  # pretend every CPU is a sibling of the first one: one core
        d = tmp_path / f"cpu{cpu}" / "topology"
        d.mkdir(parents=True)
        d.joinpath("thread_siblings_list").write_text(",".join(map(str, cpus)) + "\n")
    assert parallel.physical_cores(str(tmp_path)) == 1
    assert parallel.physical_cores(str(tmp_path / "missing")) is None


def test_verdict_names_smt_when_the_cpus_share_a_core():
    t = _table([1.0, 1.2, 1.2, 1.2], usable=2, load=0.5)
    t.attrs["physical_cores"] = 1
    text = parallel.verdict(t)
    assert "SMT siblings share" in text and "on 1 physical core" in text
    t.attrs["physical_cores"] = 2
    assert "separate cores" in parallel.verdict(t)
