"""The real speedup measurement: bounded, honest about cores, and close to Amdahl."""

from __future__ import annotations

import time

import pytest

from scalelab import parallel


def test_burn_is_deterministic():
    assert parallel.burn(1000) == parallel.burn(1000)


def test_available_cores_is_at_least_one():
    assert parallel.available_cores() >= 1


def test_measurement_is_bounded_and_follows_amdahl_on_one_worker():
    start = time.perf_counter()
    table = parallel.measure_speedup(serial_fraction=0.5, max_workers=2, work_seconds=0.1, repeats=1)
    assert time.perf_counter() - start < 20
    assert list(table.workers) == [1, 2]
    assert table.speedup.iloc[0] == 1.0
    if parallel.available_cores() >= 2:
        # Two workers on two cores with half the work serial: Amdahl says 1.33. Allow noise.
        assert 1.05 < table.speedup.iloc[1] < 1.6


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
