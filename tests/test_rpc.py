"""The hand-made remote call: the eight steps happen in order, and the cost model adds up."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scalelab import rpc


def test_a_remote_call_returns_the_same_result_as_a_local_one():
    registry = rpc.Registry()
    with rpc.serve(rpc.Calculator(), registry, "calc"), registry.lookup("calc") as calc:
        assert calc.add(2, 3) == rpc.Calculator().add(2, 3)
        assert calc.total([0.5, 1.5, 2.0]) == 4.0


def test_the_eight_steps_happen_once_each_in_order():
    registry, trace = rpc.Registry(), []
    with rpc.serve(rpc.Calculator(), registry, "calc", trace=trace):
        with registry.lookup("calc", trace=trace) as calc:
            calc.add(1, 1)
    assert [step for step, _, _ in trace] == [1, 2, 3, 4, 5, 6, 7, 8]


def test_a_remote_error_travels_back_to_the_caller():
    registry = rpc.Registry()
    with rpc.serve(rpc.Calculator(), registry, "calc"), registry.lookup("calc") as calc:
        with pytest.raises(RuntimeError, match="remote missing failed"):
            calc.missing()


def test_looking_up_an_unknown_name_fails():
    with pytest.raises(LookupError, match="no object is registered as 'nope'"):
        rpc.Registry().lookup("nope")


def test_call_times_reports_both_calls_with_positive_times():
    # Structure only: which is faster is the chapter's measurement, not a test's claim.
    table = rpc.call_times(50)
    assert list(table.index) == ["local call", "remote call (loopback)"]
    assert (table["median (us)"] > 0).all() and (table["99th pct (us)"] >= table["median (us)"]).all()
    assert table.loc["local call", "x local"] == 1.0


def test_call_times_interleaves_rounds_and_reports_their_range():
    table = rpc.call_times(7, warmup=0, rounds=3)
    assert "round medians (us)" in table.columns
    for text in table["round medians (us)"]:
        low, high = map(float, text.split("-"))
        assert 0 < low <= high
    with pytest.raises(ValueError, match="rounds"):
        rpc.call_times(10, rounds=0)


def test_marshalling_table_grows_with_payload():
    table = rpc.marshalling_times(counts=(10, 10_000), budget_s=0.01, unit_s=0.001)
    assert table["bytes"].is_monotonic_increasing and (table["seconds"] > 0).all()


def test_marshalling_times_interleaves_at_least_three_rounds_and_reports_the_spread():
    # Structure and invariants only: no claim about how fast JSON is here.
    table = rpc.marshalling_times(counts=(1, 100, 1_000), budget_s=0.001, unit_s=0.001, rounds=4)
    assert list(table.columns) == ["floats", "bytes", "seconds", "MB/s", "calls per run", "runs", "spread"]
    assert list(table["floats"]) == [1, 100, 1_000]
    assert table["runs"].between(3, 4).all() and table["runs"].nunique() == 1  # every size, every round
    assert (table["calls per run"] >= 1).all() and (table["spread"] >= 0).all()
    assert table["MB/s"].to_numpy() == pytest.approx((table["bytes"] / table["seconds"] / 1e6).to_numpy())
    assert "interleaved rounds after 1 warm-up run" in table.attrs["method"]


def test_calls_per_run_tries_1_2_5_10_20_calls_until_long_enough_or_the_cap():
    assert rpc._calls_per_run(lambda: time.sleep(0.002), unit_s=0.001) == 1  # one call already lasts
    calls = []
    assert rpc._calls_per_run(lambda: calls.append(1), unit_s=3600, max_calls=12) == 12
    assert len(calls) == 1 + 2 + 5 + 10 + 20  # the run of 20 reached the cap


@pytest.mark.parametrize("kwargs, match", [
    ({"counts": (10, 10)}, "counts must hold at most 20 distinct sizes"),
    ({"counts": list(range(1, 22))}, "counts must hold at most 20 distinct sizes"),
    ({"counts": (0,)}, "counts"),
    ({"budget_s": 0}, "budget_s"),
    ({"unit_s": 2}, "unit_s"),
    ({"rounds": 2}, "rounds"),
])
def test_marshalling_times_refuses_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        rpc.marshalling_times(**kwargs)


def _marshalling_table(rate_mb_per_s, spread):
    return pd.DataFrame({"bytes": [20, 1_928, 19_241], "MB/s": [1.0, rate_mb_per_s, rate_mb_per_s],
                         "spread": [5.0, 0.1, spread]})


def test_marshalling_verdict_follows_the_measured_rate_and_spread():
    quiet = rpc.marshalling_verdict(_marshalling_table(40.0, 0.2))
    assert "40.0 MB/s" in quiet and "0.10 ms, less than a 0.5 ms" in quiet and "agree" in quiet
    # A busy or slow machine: the same code says the opposite, and names the cause of the noise.
    busy = rpc.marshalling_verdict(_marshalling_table(5.0, 1.5))
    assert "0.80 ms, more than a 0.5 ms" in busy and "other work had the CPU" in busy
    # The small payload's spread (5.0) and rate (1 MB/s) are not read: per-call cost dominates it.
    assert "1.0 MB/s" not in quiet and "agree" in quiet
    assert "not measured" in rpc.marshalling_verdict(_marshalling_table(40.0, 0.2).iloc[:1])
    with pytest.raises(ValueError, match="table"):
        rpc.marshalling_verdict(pd.DataFrame({"bytes": [1]}))


def test_cost_model_adds_local_marshalling_round_trip_and_transfer():
    # 1 MB at 100 MB/s marshalling (10 ms) + 1 ms RTT + 8 Mbit at 1 Gbps (8 ms) + 0.1 us
    assert rpc.remote_call_time(1e6, 1e-3, 1e9, 100e6) == pytest.approx(0.0190001)
    assert rpc.remote_call_time(0, 0, 1e9, 1e6, local_call_s=2e-7) == pytest.approx(2e-7)


@given(st.floats(0, 1e9), st.floats(0, 1), st.floats(1e6, 1e12), st.floats(1e5, 1e10))
def test_a_remote_call_is_never_faster_than_its_round_trip(size, rtt, bw, rate):
    assert rpc.remote_call_time(size, rtt, bw, rate) >= rtt


@given(st.recursive(st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=5),
                    lambda c: st.lists(c, max_size=4), max_leaves=10))
def test_unmarshal_inverts_marshal(value):
    assert rpc.unmarshal(rpc.marshal(value)) == value


def test_explorer_model_keeps_its_curves():
    a, b = rpc.remote_call_curves(0.1, 10), rpc.remote_call_curves(100, 1000)
    assert list(a) == list(b)
    assert np.all(a["remote call, total"]["y"] >= 0.1)  # never below the round trip


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: rpc.remote_call_time(-1, 0, 1e9, 1e6), r"payload_bytes must be >= 0, got -1"),
        (lambda: rpc.remote_call_time(1, -1, 1e9, 1e6), r"rtt_s must be >= 0"),
        (lambda: rpc.remote_call_time(1, 0, 0, 1e6), r"bandwidth_bps must be > 0"),
        (lambda: rpc.remote_call_time(1, 0, 1e9, 0), r"marshal_bytes_per_s must be > 0"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()
