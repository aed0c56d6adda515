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
def test_a_second_core_speeds_up_the_parallel_part():
    # Two workers, half the work serial: Amdahl says 1.33. This VM's speed drifts from
    # second to second, so one measurement can hide the second core; three cannot all.
    speedups = []
    for _ in range(3):
        table = parallel.measure_speedup(serial_fraction=0.5, max_workers=2, work_seconds=0.3, repeats=3)
        speedups.append(table.speedup.iloc[1])
        if 1.15 < speedups[-1] < 1.6:
            break
    assert any(1.15 < x < 1.6 for x in speedups), speedups


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
