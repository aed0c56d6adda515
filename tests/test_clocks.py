"""Drift, NTP, clock steps and logical clocks against RFC 5905, Lamport 1978 and analytic values."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalelab import clocks

ppms = st.floats(-500, 500, allow_nan=False)
delays = st.floats(0, 1, allow_nan=False)


def test_one_ppm_is_86_point_4_ms_per_day():
    assert clocks.drift_seconds(1, 86_400) == pytest.approx(0.0864)


def test_quartz_at_20_to_50_ppm_drifts_1_7_to_4_3_seconds_a_day():
    assert clocks.drift_seconds(20, 86_400) == pytest.approx(1.728)
    assert clocks.drift_seconds(50, 86_400) == pytest.approx(4.32)


@settings(deadline=None)  # a busy 2-core machine can take longer than 200 ms
@given(ppms, st.floats(0, 1e7), st.floats(0, 1e7))
def test_drift_is_linear_in_time(ppm, t1, t2):
    assert clocks.drift_seconds(ppm, t1 + t2) == pytest.approx(
        clocks.drift_seconds(ppm, t1) + clocks.drift_seconds(ppm, t2), abs=1e-9)


def test_two_clocks_drift_apart_at_the_difference_of_their_rates_and_sync_resets_them():
    c = clocks.drift_curves(20, -30, 0)
    assert c["A minus B"]["y"][-1] == pytest.approx(50e-6 * 48 * 3600)
    synced = clocks.drift_curves(20, -30, 6)
    assert np.max(np.abs(synced["A minus B"]["y"])) <= 50e-6 * 6 * 3600 + 1e-12


def test_ntp_offset_and_delay_follow_rfc_5905_on_a_worked_example():
    # Server 100 ms ahead, 20 ms each way, 1 ms processing: exact offset, delay 40 ms.
    t = clocks.ntp_timestamps(0.1, 0.02, 0.02, 0.001, t1=10.0)
    offset, delay = clocks.ntp_offset_delay(*t)
    assert offset == pytest.approx(0.1) and delay == pytest.approx(0.04)


@settings(deadline=None)  # a busy 2-core machine can take longer than 200 ms
@given(st.floats(-10, 10), delays, delays, st.floats(0, 0.1))
def test_ntp_estimate_is_off_by_half_the_asymmetry_and_never_more_than_half_the_delay(offset, up, down, proc):
    t = clocks.ntp_timestamps(offset, up, down, proc, t1=1000.0)
    est, delay = clocks.ntp_offset_delay(*t)
    assert delay == pytest.approx(up + down, abs=1e-9)
    assert est - offset == pytest.approx(clocks.asymmetry_error_s(up, down), abs=1e-9)
    assert abs(est - offset) <= delay / 2 + 1e-9


def test_ntp_rejects_timestamps_out_of_causal_order():
    with pytest.raises(ValueError, match=r"t4 must be >= t1"):
        clocks.ntp_offset_delay(10.0, 10.1, 10.2, 9.9)
    with pytest.raises(ValueError, match=r"t3 must be >= t2"):
        clocks.ntp_offset_delay(10.0, 10.2, 10.1, 10.3)


def test_worst_case_error_grows_by_half_a_round_trip_per_stratum():
    b = clocks.stratum_error_bound_s(np.arange(1, 16), 0.02, reference_error_s=0)
    np.testing.assert_allclose(np.diff(b), 0.01)
    assert clocks.stratum_error_bound_s(1, 0.02) == pytest.approx(1e-6)


@pytest.mark.parametrize("stratum, asymmetry", [(2, 1.0), (5, 0.5), (15, 0.3)])
def test_typical_stratum_error_matches_a_seeded_monte_carlo(stratum, asymmetry):
    rms = clocks.stratum_error_rms_s(stratum, 0.02, asymmetry, reference_error_s=0)
    sim = clocks.stratum_error_simulated_s(stratum, 0.02, asymmetry, trials=40_000, seed=3)
    assert sim == pytest.approx(rms, rel=0.03)


@settings(deadline=None)  # a busy 2-core machine can take longer than 200 ms
@given(st.integers(2, 15), st.floats(0.01, 1))
def test_typical_error_grows_as_sqrt_of_hops_and_stays_below_the_worst_case(k, a):
    rms = clocks.stratum_error_rms_s(k, 0.02, a, reference_error_s=0)
    assert rms == pytest.approx(math.sqrt(k - 1) * a * 0.01 / math.sqrt(3))
    assert rms <= clocks.stratum_error_bound_s(k, 0.02, reference_error_s=0)


def test_slewing_at_500_ppm_takes_2000_seconds_per_second_of_offset():
    assert clocks.slew_time_s(1.0) == pytest.approx(2000)
    assert clocks.slew_time_s(-0.128) == pytest.approx(256)


def test_a_backward_step_makes_time_of_day_durations_negative_but_not_monotonic_ones():
    d = clocks.duration_across_step(2.0, -5.0)
    assert d["time-of-day clock"] == pytest.approx(-3.0)
    assert d["monotonic clock"] == pytest.approx(2.0) == d["true duration"]


@settings(deadline=None)  # a busy 2-core machine can take longer than 200 ms
@given(st.floats(0, 100), st.floats(-100, 100), st.floats(0, 1))
def test_monotonic_durations_ignore_any_step(work, step, at):
    d = clocks.duration_across_step(work, step, at)
    assert d["monotonic clock"] == pytest.approx(work, abs=1e-6)
    assert d["time-of-day clock"] == pytest.approx(work + step, abs=1e-6)


def test_injected_wall_clock_steps_without_touching_the_system_clock():
    clock = clocks.InjectedWallClock()
    before = time.time()
    clock.step(-3600)
    assert clock() < before - 3000
    assert abs(time.time() - before) < 60


def test_real_measurement_across_an_injected_step_has_the_right_signs():
    m = clocks.measure_across_injected_step(sleep_s=0.05, step_s=-1.0)
    # No speed: a sleep lasts at least what was asked (on the monotonic clock), however
    # late the sleeper wakes, and the stepped clock reads less than the unstepped one.
    assert m["monotonic clock"] >= 0.05 - 1e-6
    assert m["time-of-day clock"] < m["monotonic clock"]


def test_clock_info_reports_monotonic_clocks_as_monotonic():
    table = clocks.clock_info_table()
    assert bool(table.loc["time.monotonic()", "monotonic"]) and bool(table.loc["time.perf_counter()", "monotonic"])
    assert not bool(table.loc["time.time()", "monotonic"])


def test_lamport_clocks_of_the_example_follow_lamport_1978():
    assert clocks.lamport_timestamps(clocks.EXAMPLE_EXCHANGE) == [1, 2, 1, 3, 4, 1, 2, 3, 5, 4]


def test_vector_clocks_of_the_example():
    v = clocks.vector_timestamps(clocks.EXAMPLE_EXCHANGE)
    assert v[8] == {"A": 2, "B": 3, "C": 3}  # c3 receives m2 from b3
    assert clocks.vector_order(v[4], v[9]) == "concurrent"  # b3 and a4: same Lamport time 4


@settings(deadline=None)  # a busy 2-core machine can take longer than 200 ms
@given(st.integers(0, 10_000), st.integers(2, 5), st.integers(1, 30))
def test_lamport_order_is_consistent_with_happened_before(seed, n, m):
    events = clocks.random_exchange(n, m, seed)
    hb = clocks.happened_before(events)
    lam = np.array(clocks.lamport_timestamps(events))
    i, j = np.nonzero(hb)
    assert np.all(lam[i] < lam[j])


@settings(deadline=None)  # a busy 2-core machine can take longer than 200 ms
@given(st.integers(0, 10_000), st.integers(2, 5), st.integers(1, 30))
def test_vector_clocks_detect_exactly_happened_before_and_concurrency(seed, n, m):
    events = clocks.random_exchange(n, m, seed)
    hb = clocks.happened_before(events)
    vec = clocks.vector_timestamps(events)
    for a in range(len(events)):
        for b in range(len(events)):
            if a == b:
                continue
            order = clocks.vector_order(vec[a], vec[b])
            expected = "before" if hb[a, b] else "after" if hb[b, a] else "concurrent"
            assert order == expected


def test_lamport_clocks_cannot_detect_concurrency():
    # a4 and b3 are concurrent, yet L(b3) = L(a4) = 4 and c1 (L=1) < a2 (L=2) though concurrent.
    events = clocks.EXAMPLE_EXCHANGE
    hb = clocks.happened_before(events)
    lam = clocks.lamport_timestamps(events)
    assert not hb[5, 1] and not hb[1, 5] and lam[5] < lam[1]


def test_compare_events_reports_lamport_times_and_the_vector_verdict():
    table = clocks.compare_events(clocks.EXAMPLE_EXCHANGE, [("a2", "c3"), ("c1", "a2")])
    assert list(table["vector clocks say"]) == ["before", "concurrent"]
    assert list(table["L(e)"]) == [2, 1] and list(table["L(f)"]) == [5, 2]


@pytest.mark.parametrize("seed", range(5))
def test_check_against_happened_before_finds_vector_clocks_always_right(seed):
    summary = clocks.check_against_happened_before(clocks.random_exchange(4, 40, seed))
    assert summary["all correct"] and summary["pairs"] == 40 * 39 // 2
    assert 0 < summary["concurrent"] < summary["pairs"]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: clocks.drift_seconds(10, -1), r"elapsed_s must be >= 0, got -1"),
        (lambda: clocks.drift_seconds(float("nan"), 1), r"ppm must be in \[-1e\+06, 1e\+06\], got nan"),
        (lambda: clocks.ntp_offset_delay(0, float("inf"), 1, 2), r"t2 must be in"),
        (lambda: clocks.ntp_timestamps(0, -0.1, 0.1), r"outbound_s must be >= 0, got -0.1"),
        (lambda: clocks.stratum_error_bound_s(16, 0.02), r"stratum must be in \[1, 15\], got 16"),
        (lambda: clocks.stratum_error_rms_s(3, 0.02, 1.5), r"asymmetry must be in \[0, 1\], got 1.5"),
        (lambda: clocks.slew_time_s(1, 0), r"max_slew_ppm must be in \(0, 1e\+06\], got 0"),
        (lambda: clocks.duration_across_step(-1, 1), r"work_s must be >= 0, got -1"),
        (lambda: clocks.measure_across_injected_step(sleep_s=10), r"sleep_s must be in \(0, 2\], got 10"),
        (lambda: clocks.random_exchange(1), r"processes must be a whole number and in \[2, 26\], got 1"),
        (lambda: clocks.lamport_timestamps([clocks.Event("A", "receive", "m9")]), r"must receive a message already sent"),
        (lambda: clocks.vector_timestamps([clocks.Event("A", "jump")]), r"kind must be 'local', 'send' or 'receive'"),
        (lambda: clocks.compare_events(clocks.EXAMPLE_EXCHANGE, [("a1", "z9")]), r"pairs must name events"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter_and_range(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_injected_step_report_states_both_clocks_and_a_verdict_without_asserting_speed():
    text = clocks.injected_step_report(repeats=2, sleep_s=0.02, step_s=-1.0)
    assert "usable CPUs" in text and "verdict:" in text
    assert "differs from it by the step (-1.000 s" in text  # both clocks span the same interval


@pytest.mark.parametrize("mono, verdict", [
    (0.2004, "plus 0.4 ms of wake-up delay"),
    (0.2300, "plus 30 ms: the sleeper was woken late"),
    (0.1990, "LESS than the time slept"),
])
def test_injected_step_report_verdict_follows_the_readings(monkeypatch, mono, verdict):
    # The verdict is computed from the readings: feed it fixed ones, no clock involved.
    monkeypatch.setattr(clocks, "measure_across_injected_step",
                        lambda sleep_s, step_s: {"time-of-day clock": mono + step_s, "monotonic clock": mono})
    text = clocks.injected_step_report(repeats=3, sleep_s=0.2, step_s=-1.0)
    assert verdict in text and "wrong by the whole step" in text


def test_injected_step_report_says_so_when_the_real_clock_moved_too(monkeypatch):
    # A time-of-day reading 50 ms away from monotonic + step: the verdict must not call it
    # "the whole step" (the system clock itself was stepped during the sleep).
    monkeypatch.setattr(clocks, "measure_across_injected_step",
                        lambda sleep_s, step_s: {"time-of-day clock": 0.2 + step_s + 0.05, "monotonic clock": 0.2})
    text = clocks.injected_step_report(repeats=3, sleep_s=0.2, step_s=-1.0)
    assert "wrong by the whole step" not in text and "also moved" in text and "50.0 ms" in text


def test_injected_step_report_refuses_too_many_repeats():
    with pytest.raises(ValueError, match=r"repeats must be a whole number and in \[1, 20\], got 21"):
        clocks.injected_step_report(repeats=21)


def test_drift_sawtooth_peaks_at_the_full_drift_just_before_each_sync():
    # Chapter 5: hourly sync keeps 100 ppm of difference under 0.4 s; the peak drawn must
    # be the whole hour's drift (0.36 s), not the last 15-minute sample before it (0.27 s).
    c = clocks.drift_curves(50, -50, 1)
    y = np.asarray(c["A minus B"]["y"])
    assert y.max() == pytest.approx(100e-6 * 3600)
    x = np.asarray(c["A minus B"]["x"])
    assert np.all(np.diff(x) >= 0)
    at_six = np.flatnonzero(x == 6.0)
    assert len(at_six) == 2 and y[at_six[0]] == pytest.approx(0.36) and y[at_six[1]] == 0


def test_injected_step_report_refuses_more_sleep_in_all_than_its_documented_maximum():
    # 20 x 2 s would sleep 40 s: refused before any sleep, naming both parameters.
    with pytest.raises(ValueError, match=r"repeats \* sleep_s must be at most 5 s.*repeats=20.*sleep_s=2"):
        clocks.injected_step_report(repeats=20, sleep_s=2)


def test_the_space_time_diagram_says_every_event_with_its_lamport_time_and_vector_clock():
    """Its text alternative carries what the figure is for: each event's timestamps, and
    who sent which message to whom."""
    import html
    import re

    from scalelab import clocks

    evs = list(clocks.EXAMPLE_EXCHANGE)
    page = clocks.spacetime_figure(evs, title="T").to_html()
    alt = html.unescape(re.search(r'aria-live="polite">(.*?)</figcaption>', page).group(1))
    lam, vec = clocks.lamport_timestamps(evs), clocks.vector_timestamps(evs)
    for e, t, v in zip(evs, lam, vec):
        assert f"{e.label} on {e.process}, " in alt and f": L={t}, [{v['A']},{v['B']},{v['C']}]" in alt
    assert "a2 on A, sends m1 to B: L=2, [2,0,0]" in alt and "b2 on B, receives m1 from A: L=3, [2,2,0]" in alt


def test_space_time_labels_sit_away_from_arrows_and_from_their_nearer_neighbour():
    """A message's two events are labelled on the side away from its arrow; a local event
    on the side away from its nearer neighbour on the lane; a label leans away from an arrow
    passing over it, or left of the next label on its side of the lane (the browser test
    checks that no label then prints over another, under an arrow or out of the plot)."""
    from scalelab import clocks

    evs = list(clocks.EXAMPLE_EXCHANGE)
    row = {"A": 2, "B": 1, "C": 0}
    side = dict(zip((e.label for e in evs), clocks._label_sides(evs, row)))
    assert side["a2"] == "top" and side["b2"] == "bottom"  # m1 goes down from A to B
    assert side["c2"] == "bottom" and side["a3"] == "top"  # m3 goes up from C to A
    assert side["a1"] == "bottom" and side["b1"] == "top" and side["c1"] == "top"  # next to a2, b2, c2
    assert set(clocks._label_sides(clocks.random_exchange(4, 30, seed=2), {p: i for i, p in enumerate("ABCD")})) \
        <= {"top", "bottom"}
    lean = dict(zip((e.label for e in evs), clocks._label_leans(evs, row, list(side.values()))))
    assert lean["b1"] == "left"  # m1 passes over b1's place above lane B, down from a2 on its left
    assert lean["c2"] == "left" and lean["c3"] == "center"  # two along, both below lane C
    assert lean["b3"] == "right"  # away from m1's arrowhead at b2, which comes in from above
    assert lean["a2"] == lean["b2"] == lean["a3"] == lean["a1"] == "center"


def test_the_space_time_summary_says_a_message_never_received_as_such():
    from scalelab import clocks

    evs = clocks.random_exchange(3, 8, seed=1)
    page = clocks.spacetime_figure(evs).to_html()
    assert "sends m5, never received" in page and "None" not in page.split("figcaption")[1]
