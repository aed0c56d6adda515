"""A cache in front of an M/M/c database: load, utilization and response time."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalelab import caching as c
from scalelab import queueing as q


def test_misses_are_one_minus_h_of_the_load():
    assert c.database_load(1000, 0.9) == pytest.approx(100)
    assert c.database_load(1000, 0.0) == pytest.approx(1000)


def test_utilization_is_miss_rate_times_service_time_over_servers():
    assert c.database_utilization(1000, 0.5, 4.0, 4) == pytest.approx(0.5)


def test_no_cache_and_no_lookup_cost_is_the_plain_database_queue():
    assert c.mean_response_ms(300, 0.0, 2.0, 1, cache_ms=0.0) == pytest.approx(1000 * q.mm1_mean_response(300, 500))


def test_response_time_with_hits_is_the_weighted_mean_of_cache_and_database():
    db = 1000 * q.mmc_mean_response(200, 250, 2)
    assert c.mean_response_ms(1000, 0.8, 4.0, 2, cache_ms=1.0) == pytest.approx(1.0 + 0.2 * db)


def test_hit_ratio_for_a_target_utilization_inverts_the_utilization():
    h = c.hit_ratio_for_utilization(1000, 0.6, 2.5, 1)
    assert h == pytest.approx(0.76)
    assert c.database_utilization(1000, h, 2.5, 1) == pytest.approx(0.6)


@settings(max_examples=50, deadline=None)
@given(st.floats(0, 0.9), st.floats(0, 0.09))
def test_a_higher_hit_ratio_never_slows_clients_down(h, extra):
    assert c.mean_response_ms(400, h + extra, 2.0, 1) <= c.mean_response_ms(400, h, 2.0, 1) + 1e-9


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: c.database_load(100, 1.2), r"hit_ratio must be in \[0, 1\], got 1.2"),
        (lambda: c.database_load(-5, 0.5), r"request_rate must be >= 0, got -5"),
        (lambda: c.database_utilization(100, 0.5, 0), r"db_service_ms must be > 0, got 0"),
        (lambda: c.mean_response_ms(1000, 0.0, 2.0, 1), r"must stay below its capacity"),
        (lambda: c.hit_ratio_for_utilization(100, 0, 2.0), r"target_utilization must be in \(0, 1\]"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter_and_range(call, message):
    with pytest.raises(ValueError, match=message):
        call()
