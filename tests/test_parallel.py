"""The real speedup measurement: bounded, honest about cores, and close to Amdahl."""

from __future__ import annotations

import time

import pytest

from scalelab import parallel


def test_burn_is_deterministic():
    assert parallel.burn(1000) == parallel.burn(1000)


def test_available_cores_is_at_least_one():
    assert parallel.available_cores() >= 1


def test_measurement_is_bounded_and_its_table_is_consistent():
    start = time.perf_counter()
    table = parallel.measure_speedup(serial_fraction=0.5, max_workers=2, work_seconds=0.1, repeats=1)
    assert time.perf_counter() - start < 20
    assert list(table.columns) == ["workers", "seconds", "speedup", "amdahl"]
    assert list(table.workers) == [1, 2]
    assert table.speedup.iloc[0] == 1.0
    assert table.amdahl.iloc[1] == pytest.approx(4 / 3 if parallel.available_cores() >= 2 else 1.0)


@pytest.mark.skipif(parallel.available_cores() < 2, reason="needs two cores")
def test_two_workers_run_at_the_same_time_in_separate_processes():
    # What Amdahl's parallel part needs from the pool: two processes burning at once.
    # (How much faster that makes the job depends on the host: on this 2-vCPU VM the
    # measured speedup with the same code ranged from 0.9 to 1.4, so it is shown in
    # chapter 3, not asserted here.)
    import concurrent.futures as cf

    with cf.ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(parallel.burn, [1, 1]))
        (pid_a, start_a, end_a), (pid_b, start_b, end_b) = pool.map(parallel.timed_burn, [300_000, 300_000])
    assert pid_a != pid_b
    assert max(start_a, start_b) < min(end_a, end_b), "the two workers did not overlap in time"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"serial_fraction": 1.2}, "serial_fraction must be in"),
        ({"max_workers": 0}, "max_workers must be"),
        ({"work_seconds": 0}, "work_seconds must be in"),
        ({"repeats": 0}, "repeats must be"),
    ],
)
def test_bad_input_raises_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        parallel.measure_speedup(**kwargs)
