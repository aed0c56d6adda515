"""Go-style channels: rendezvous, buffering, closing, timeouts, and pipeline throughput."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalelab import csp


def test_an_unbuffered_send_waits_for_the_receiver():
    table = csp.rendezvous_demo(0, values=3, receiver_delay_s=0.3)
    assert table["send blocked"].tolist() == [True, False, False]


def test_a_buffered_channel_lets_the_sender_run_ahead_by_its_capacity():
    table = csp.rendezvous_demo(3, values=4, receiver_delay_s=0.3)
    assert table["send blocked"].tolist() == [False, False, False, True]


def test_values_arrive_in_order_and_range_stops_when_closed():
    ch = csp.Channel(0)

    def producer():
        for i in range(5):
            ch.send(i)
        ch.close()

    t = csp.go(producer)
    assert list(ch) == [0, 1, 2, 3, 4]
    t.join(2)
    assert not t.is_alive()


def test_every_blocking_call_times_out_instead_of_hanging():
    start = time.perf_counter()
    with pytest.raises(TimeoutError):
        csp.Channel(0).send("nobody listens", timeout_s=0.05)
    with pytest.raises(TimeoutError):
        csp.Channel(1).recv(timeout_s=0.05)
    full = csp.Channel(1)
    full.send(1)
    with pytest.raises(TimeoutError):
        full.send(2, timeout_s=0.05)
    assert time.perf_counter() - start < 10  # three 0.05 s timeouts, bounded; room for a busy machine


def test_a_timed_out_unbuffered_send_leaves_nothing_behind():
    ch = csp.Channel(0)
    with pytest.raises(TimeoutError):
        ch.send("late", timeout_s=0.02)
    with pytest.raises(TimeoutError):
        ch.recv(timeout_s=0.02)


def test_send_on_a_closed_channel_raises():
    ch = csp.Channel(2)
    ch.close()
    with pytest.raises(csp.ChannelClosed):
        ch.send(1)


def test_closing_an_unbuffered_channel_releases_a_waiting_sender():
    ch = csp.Channel(0)
    threading.Timer(0.05, ch.close).start()
    with pytest.raises(csp.ChannelClosed):
        ch.send(1, timeout_s=30)  # returns when the channel closes, not after 30 s
    with pytest.raises(csp.ChannelClosed):
        ch.recv(timeout_s=1)  # the value that was never taken is gone


def test_a_timed_out_pipeline_measurement_does_not_leave_its_producer_running(monkeypatch):
    # The first value takes 34 ms to make (seed 0); the consumer gives up after 5 ms. The
    # channel is then closed, so the producer stops quietly at its next send instead of
    # running on until a send of its own times out and dies with an uncaught error. (On a
    # busy machine the close can come after that send has timed out: it stops quietly too.)
    before = set(threading.enumerate())
    errors = []
    monkeypatch.setattr(threading, "excepthook", errors.append)
    with pytest.raises(TimeoutError):
        csp.measure_pipeline(buffers=[0], items=10, mean_s=0.05, timeout_s=0.005)
    deadline = time.monotonic() + 10
    while set(threading.enumerate()) - before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not set(threading.enumerate()) - before
    assert errors == []


def test_a_timed_out_pipeline_stops_its_producer_quietly_even_if_the_close_comes_late(monkeypatch):
    # A busy machine, made on purpose: the consumer's close comes 80 ms after its receive
    # timed out, so the producer's first send (after 34 ms) times out before the channel
    # closes. The producer must stop quietly then too, not die with an uncaught error.
    errors = []
    monkeypatch.setattr(threading, "excepthook", errors.append)
    close = csp.Channel.close

    def late_close(self):
        time.sleep(0.08)
        close(self)

    monkeypatch.setattr(csp.Channel, "close", late_close)
    before = set(threading.enumerate())
    with pytest.raises(TimeoutError):
        csp.measure_pipeline(buffers=[0], items=10, mean_s=0.05, timeout_s=0.005)
    deadline = time.monotonic() + 10
    while set(threading.enumerate()) - before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not set(threading.enumerate()) - before  # the producer stopped
    assert errors == []


def test_pipeline_with_equal_rates_follows_b_plus_2_over_b_plus_3():
    # Birth-death chain on 0..B+2 with rho = 1: throughput mu (B + 2) / (B + 3).
    for b in (0, 1, 5, 20):
        assert csp.pipeline_throughput_per_s(50, 50, b) == pytest.approx(50 * (b + 2) / (b + 3))


def test_pipeline_throughput_matches_the_closed_form_for_unequal_rates():
    # rho = 0.5, K = 2: P0 = (1 - 0.5) / (1 - 0.5^3) = 4/7; throughput = mu (1 - P0) = 100 * 3/7.
    assert csp.pipeline_throughput_per_s(50, 100, 0) == pytest.approx(300 / 7)


@settings(deadline=None)  # no timing limits: a busy machine is slow
@given(st.floats(1, 1e4), st.floats(1, 1e4), st.integers(0, 200))
def test_throughput_never_exceeds_the_slower_stage_and_grows_with_the_buffer(lam, mu, b):
    x = csp.pipeline_throughput_per_s(lam, mu, b)
    assert x <= min(lam, mu) * (1 + 1e-9)
    assert csp.pipeline_throughput_per_s(lam, mu, b + 1) >= x * (1 - 1e-9)


@pytest.mark.parametrize("b", [0, 1, 4])
def test_simpy_pipeline_agrees_with_the_closed_form(b):
    sim = csp.simulate_pipeline(100, 80, b, items=30_000, seed=11)
    assert sim == pytest.approx(csp.pipeline_throughput_per_s(100, 80, b), rel=0.03)


def test_real_threaded_pipeline_runs_and_is_bounded():
    start = time.perf_counter()
    table = csp.measure_pipeline(buffers=(0, 8), items=40, mean_s=0.002)
    assert time.perf_counter() - start < 30  # bounded by its timeouts; room for a busy machine
    assert list(table.index) == [0, 8]
    assert (table[["measured_per_s", "replay_per_s", "model_per_s"]] > 0).all().all()
    # What the code controls, whatever the machine: real hand-offs only add delay to a
    # replay of the same sleeps, so no run beats its replay (a small margin for clock reads).
    assert (table["measured_per_s"] <= table["replay_per_s"] * 1.02).all()
    # and the consumer sleeps at least its drawn times, so no run can beat items / (their sum)
    rng = np.random.default_rng(0)  # measure_pipeline's seed: the producer's draws, then the consumer's
    rng.exponential(0.002, 40)
    use = rng.exponential(0.002, 40)
    assert (table["replay_per_s"] <= 40 / use.sum() * 1.0001).all()
    verdict = csp.pipeline_verdict(table)
    assert "hand-offs" in verdict and "replay against the model" in verdict


def test_replay_with_constant_times_matches_the_hand_count():
    # unbuffered, equal times c: the producer makes value i + 1 while the consumer uses value i
    assert csp.pipeline_replay_s([1.0] * 5, [1.0] * 5, 0) == pytest.approx(6.0)
    # a slow consumer sets the pace whatever the buffer: first value made, then n uses
    for b in (0, 1, 3, 10):
        assert csp.pipeline_replay_s([1.0] * 5, [3.0] * 5, b) == pytest.approx(1 + 5 * 3)
    # a slow producer: n makes, then the last use
    assert csp.pipeline_replay_s([3.0] * 5, [1.0] * 5, 2) == pytest.approx(5 * 3 + 1)


@pytest.mark.parametrize("b", [0, 1, 4])
def test_a_long_replay_of_exponential_times_reaches_the_closed_form(b):
    # The replay is the same blocking pipeline as the birth-death chain; over 200,000 values
    # the start from an empty channel no longer matters (Buzacott and Shanthikumar 1993, ch. 5).
    rng = np.random.default_rng(3)
    n = 200_000
    make, use = rng.exponential(1 / 100, n), rng.exponential(1 / 80, n)
    rate = n / csp.pipeline_replay_s(make, use, b)
    assert rate == pytest.approx(csp.pipeline_throughput_per_s(100, 80, b), rel=0.01)


def test_simulation_and_measurement_sizes_have_documented_maxima_checked_first():
    with pytest.raises(ValueError, match=r"items must be a whole number and in \[100, 200000\], got 1000000"):
        csp.simulate_pipeline(100, 100, 0, items=10**6)
    with pytest.raises(ValueError, match=r"items must be a whole number and in \[100, 200000\]"):
        csp.pipeline_table(buffers=[0], items=csp.MAX_PIPELINE_ITEMS + 1)
    with pytest.raises(ValueError, match=r"items \* len\(buffers\) <= 200000, got 100000 \* 3 = 300000"):
        csp.pipeline_table(buffers=[0, 1, 2], items=100_000)
    with pytest.raises(ValueError, match=r"len\(buffers\) \* items \* mean_s <= 4 s of sleeping"):
        csp.measure_pipeline(buffers=[0, 1, 4, 16, 32], items=5000, mean_s=0.05, timeout_s=3600)
    # the chapter's calls stay inside the maxima
    assert 6 * 6000 <= csp.MAX_PIPELINE_ITEMS and 4 * 200 * 0.004 <= csp.MAX_PIPELINE_SLEEP_S


def test_replay_refuses_mismatched_or_negative_times():
    with pytest.raises(ValueError, match="same number of values"):
        csp.pipeline_replay_s([1, 2], [1], 0)
    with pytest.raises(ValueError, match="make_s must be >= 0"):
        csp.pipeline_replay_s([-1, 2], [1, 1], 0)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: csp.Channel(-1), r"capacity must be a whole number and in \[0, 1e\+06\], got -1"),
        (lambda: csp.pipeline_throughput_per_s(0, 1, 1), r"producer_rate_per_s must be > 0, got 0"),
        (lambda: csp.pipeline_throughput_per_s(1, 1, 1.5), r"buffer must be a whole number and >= 0, got 1.5"),
        (lambda: csp.Channel(1).recv(timeout_s=0), r"timeout_s must be in \(0, 3600\], got 0"),
        (lambda: csp.simulate_pipeline(1, 1, 0, items=10), r"items must be a whole number and in \[100"),
        (lambda: csp.go(1.5), r"fn must be callable, got 1.5"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter_and_range(call, message):
    with pytest.raises(ValueError, match=message):
        call()
