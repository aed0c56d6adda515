"""Timeouts, retries and idempotency keys against analytic values and a SimPy model."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalelab import failures

losses = st.floats(0, 0.9, allow_nan=False)
attempts = st.integers(1, 8)


def test_half_of_requests_exceed_the_median_latency():
    assert failures.latency_exceedance(0.02, 0.02, 0.7) == pytest.approx(0.5)


def test_exceedance_matches_the_normal_tail_of_log_latency():
    # ln L is normal: P(L > m e^{sigma z}) = 1 - Phi(z); Phi(2.326348) = 0.99.
    t = 0.02 * math.exp(0.5 * 2.326348)
    assert failures.latency_exceedance(t, 0.02, 0.5) == pytest.approx(0.01, rel=1e-5)


def test_k_attempts_multiply_false_suspicions_and_detection_time():
    p1 = failures.false_suspicion_probability(0.05, 0.02, 0.6)
    assert failures.false_suspicion_probability(0.05, 0.02, 0.6, attempts=3) == pytest.approx(p1**3)
    assert failures.detection_time_s(0.05, attempts=3) == pytest.approx(0.15)


@settings(deadline=None)  # a busy 2-core machine can take longer than 200 ms
@given(st.floats(1e-6, 0.5), st.floats(0.05, 2.0), attempts)
def test_timeout_for_a_target_gives_back_that_target(target, sigma, k):
    t = failures.timeout_for_false_suspicion(target, 0.02, sigma, k)
    assert failures.false_suspicion_probability(t, 0.02, sigma, k) == pytest.approx(target, rel=1e-6)


@settings(deadline=None)  # a busy 2-core machine can take longer than 200 ms
@given(st.floats(1e-4, 10), st.floats(1e-4, 10), st.floats(0.1, 2))
def test_longer_timeouts_never_suspect_more(t_a, t_b, sigma):
    lo, hi = sorted((t_a, t_b))
    assert failures.latency_exceedance(hi, 0.02, sigma) <= failures.latency_exceedance(lo, 0.02, sigma)


def test_retry_outcomes_match_hand_computation():
    # a = b = 0.1, three attempts: q = 0.81, confirmed = 1 - 0.19^3, applied = 1 - 0.1^3.
    r = failures.retry_outcomes(0.1, 0.1, 3)
    assert r["confirmed"] == pytest.approx(1 - 0.19**3)
    assert r["applied"] == pytest.approx(0.999)
    assert r["expected_applications"] == pytest.approx(0.9 * (1 + 0.19 + 0.19**2))
    assert r["expected_duplicates"] == pytest.approx(0.9 * (1 + 0.19 + 0.19**2) - 0.999)


def test_no_loss_means_no_duplicates_and_certain_confirmation():
    r = failures.retry_outcomes(0.0, 0.0, 5)
    assert r["confirmed"] == 1 and r["expected_duplicates"] == 0 and r["unsure"] == 0


def test_a_single_attempt_never_duplicates_but_leaves_lost_replies_unsure():
    r = failures.retry_outcomes(0.2, 0.3, 1)
    assert r["expected_duplicates"] == pytest.approx(0)
    assert r["unsure"] == pytest.approx(0.8 * 0.3)


@settings(deadline=None)  # a busy 2-core machine can take longer than 200 ms
@given(losses, losses, attempts)
def test_outcomes_are_probabilities_that_add_up(a, b, m):
    r = failures.retry_outcomes(a, b, m)
    assert r["confirmed"] + r["unsure"] + r["never_applied"] == pytest.approx(1)
    assert r["expected_duplicates"] >= -1e-12
    assert r["expected_applications"] <= m


@settings(deadline=None)  # a busy 2-core machine can take longer than 200 ms
@given(losses, attempts)
def test_more_attempts_confirm_more_and_duplicate_more(p, m):
    r1, r2 = failures.retry_outcomes(p, p, m), failures.retry_outcomes(p, p, m + 1)
    assert r2["confirmed"] >= r1["confirmed"] - 1e-12
    assert r2["expected_duplicates"] >= r1["expected_duplicates"] - 1e-12


def test_simpy_model_agrees_with_the_analytic_model_within_sampling_error():
    n = 4000
    r = failures.retry_outcomes(0.15, 0.15, 3)
    sim = failures.simulate_payments(n, 0.15, 0.15, 3, idempotency_keys=False, seed=7)
    # Binomial-scale tolerances: four standard errors of a share out of 4,000.
    dup_sd = math.sqrt(r["expected_duplicates"] * 2 / n)
    assert sim["duplicates"] / n == pytest.approx(r["expected_duplicates"], abs=4 * dup_sd)
    conf_sd = math.sqrt(r["confirmed"] * (1 - r["confirmed"]) / n)
    assert sim["confirmed"] / n == pytest.approx(r["confirmed"], abs=4 * conf_sd + 1e-3)


def test_without_keys_lost_replies_cause_duplicate_charges():
    sim = failures.simulate_payments(1000, 0.0, 0.3, 3, idempotency_keys=False, seed=3)
    assert sim["duplicates"] > 100  # about 1000 * 0.3 * (1 + 0.3) = 390 expected
    assert sim["never_applied"] == 0


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(0, 0.6), st.floats(0, 0.6), attempts)
def test_with_idempotency_keys_duplicates_are_zero_for_every_seed(seed, a, b, m):
    sim = failures.simulate_payments(200, a, b, m, idempotency_keys=True, seed=seed)
    assert sim["duplicates"] == 0
    assert sim["charges"] == sim["payments"] - sim["never_applied"]


def test_keys_change_charges_but_not_what_the_client_sees():
    no = failures.simulate_payments(800, 0.2, 0.2, 4, idempotency_keys=False, seed=11)
    yes = failures.simulate_payments(800, 0.2, 0.2, 4, idempotency_keys=True, seed=11)
    assert yes["duplicates"] == 0 < no["duplicates"]
    assert yes["confirmed"] == no["confirmed"]  # same random draws, same messages lost


def test_simulation_is_deterministic_for_a_seed():
    assert failures.simulate_payments(300, 0.2, 0.1, 3, seed=5) == failures.simulate_payments(300, 0.2, 0.1, 3, seed=5)


def test_explorer_models_return_the_same_curves_for_every_slider_value():
    names = list(failures.timeout_tradeoff_curves(20, 0.5, 50))
    assert names == list(failures.timeout_tradeoff_curves(100, 1.5, 1000))
    keys = failures.retry_curves(5)["duplicates, with keys"][1]
    assert np.all(keys == 0)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: failures.latency_exceedance(0, 0.02, 0.5), r"timeout_s must be > 0, got 0"),
        (lambda: failures.latency_exceedance(0.1, -1, 0.5), r"median_s must be > 0, got -1"),
        (lambda: failures.latency_exceedance(0.1, 0.02, 0), r"sigma must be in \(0, 5\], got 0"),
        (lambda: failures.false_suspicion_probability(0.1, 0.02, 0.5, 0), r"attempts must be a whole number and >= 1, got 0"),
        (lambda: failures.false_suspicion_probability(0.1, 0.02, 0.5, 1.5), r"attempts must be a whole number"),
        (lambda: failures.timeout_for_false_suspicion(1, 0.02, 0.5), r"target must be in \(0, 1\), got 1"),
        (lambda: failures.retry_outcomes(1, 0.1, 3), r"request_loss must be in \[0, 1\), got 1"),
        (lambda: failures.retry_outcomes(0.1, -0.1, 3), r"reply_loss must be in \[0, 1\), got -0.1"),
        (lambda: failures.retry_outcomes(0.1, 0.1, 0), r"max_attempts must be a whole number and in \[1, 100\], got 0"),
        (lambda: failures.simulate_payments(0), r"payments must be a whole number and in \[1, 200000\], got 0"),
        (lambda: failures.simulate_payments(10, one_way_delay_s=0), r"one_way_delay_s must be > 0"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter_and_range(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_any_reply_detector_is_the_product_of_widening_windows():
    t, m, s = 0.05, 0.02, 0.5
    expected = np.prod([failures.latency_exceedance(j * t, m, s) for j in (1, 2, 3)])
    assert failures.false_suspicion_any_reply(t, m, s, 3) == pytest.approx(expected)
    assert failures.false_suspicion_any_reply(t, m, s, 1) == pytest.approx(failures.latency_exceedance(t, m, s))


@settings(deadline=None)  # a busy 2-core machine can take longer than 200 ms
@given(st.floats(1e-3, 1.0), st.floats(0.1, 2.0), attempts)
def test_counting_late_replies_never_suspects_more(t, sigma, k):
    assert failures.false_suspicion_any_reply(t, 0.02, sigma, k) <= failures.false_suspicion_probability(t, 0.02, sigma, k) * (1 + 1e-9)


def test_both_detectors_match_a_monte_carlo_of_their_rules():
    # Draw latencies for 3 attempts sent T apart; the server is suspected at 3T if no
    # reply counts. Discarding: every attempt's own reply is later than T. Any reply:
    # attempt i's reply is later than (3 - i + 1) T.
    rng = np.random.default_rng(0)
    t, m, s, n = 0.03, 0.02, 0.8, 400_000
    lat = m * np.exp(s * rng.standard_normal((n, 3)))
    discard = np.mean((lat > t).all(axis=1))
    any_reply = np.mean((lat > np.array([3 * t, 2 * t, t])).all(axis=1))
    for measured, model in ((discard, failures.false_suspicion_probability(t, m, s, 3)),
                            (any_reply, failures.false_suspicion_any_reply(t, m, s, 3))):
        assert measured == pytest.approx(model, abs=5 * math.sqrt(model * (1 - model) / n))


def test_explorer_shows_every_marker_on_or_at_the_floor_of_the_axis():
    import itertools
    for med, sig, tmo in itertools.product([5, 20, 100], [0.25, 0.5, 1.5], [10, 100, 1000]):
        c = failures.timeout_tradeoff_curves(med, sig, tmo)
        on = np.isfinite(c["the chosen timeout"]["y"])
        below = np.isfinite(c[f"chosen timeout, below {failures.SUSPICION_FLOOR:g} (off the axis)"]["y"])
        assert np.all(on ^ below)  # each of the five markers is drawn exactly once
        assert np.all(c["the chosen timeout"]["y"][on] >= failures.SUSPICION_FLOOR)


def test_a_delayed_duplicate_of_a_set_reverts_a_later_write_unless_keys_are_kept():
    run = failures.delayed_duplicate_run(first_delay_ms=300, timeout_ms=50)
    assert run["balance, no keys"].tolist() == [100, 40, 100]
    assert run["balance, with keys"].iloc[-1] == 40
    quick = failures.delayed_duplicate_run(first_delay_ms=20, timeout_ms=50)  # no retry, no duplicate
    assert len(quick) == 2 and quick["balance, no keys"].iloc[-1] == 40


def test_capped_retries_with_keys_are_at_most_once():
    r = failures.retry_outcomes(0.2, 0.2, 3)
    assert r["never_applied"] == pytest.approx(0.2**3)  # 8 in 1,000 never charged
    sim = failures.simulate_payments(2000, 0.2, 0.2, 3, idempotency_keys=True, seed=2)
    assert sim["never_applied"] > 0 and sim["duplicates"] == 0


# --- Chapter 5 exercises: right answers pass, the tempting wrong ones are refused -------

from scalelab.exercises import check, exercises  # noqa: E402

CH5_MISTAKES = [
    ("5.1", 50.9, "normal"), ("5.1", 63.9, "99%"), ("5.1", 0.0938, "seconds"),
    ("5.2", 1103.5, "every charge"), ("5.2", 190, "0.19"), ("5.2", 203.5, "retry's charge"), ("5.2", 0.1045, "per payment"), ("5.2", 103.5, "0.999"),
    ("5.3", 5, "rounded up"), ("5.3", 3, "97.3%"),
    ("5.4", 3.024, "one day"), ("5.4", 0.0212, "1e-6"),
    ("5.5a", 5.030, "t2 - t1"), ("5.5a", 4.970, "t3 - t4"), ("5.5a", -5.0, "minus the client's"), ("5.5a", 5000, "milliseconds"),
    ("5.5b", 0.0, "equal time"), ("5.5b", 30, "milliseconds"),
    ("5.5b", 0.060, "half"), ("5.5b", 0.0305, "server's 1 ms"), ("5.5b", 0.061, "processing"),
    ("5.6", "b", "150 ms"), ("5.6", "d", "voted twice"), ("5.6", "a", "same instant"),
    ("5.7", 1, "node 3"), ("5.7", 3, "node 4"),
    ("5.8", "a", "never applied"), ("5.8", "c", "uncharged"), ("5.8", "d", "expiry"),
    ("5.9", 0.1176, "seven"), ("5.9", 0.99978, "copies"),
    ("5.10", "a", "never decides"), ("5.10", "c", "safety"), ("5.10", "d", "Two"),
]


@pytest.mark.parametrize("key, wrong, reason", CH5_MISTAKES)
def test_ch5_checkers_refuse_the_tempting_wrong_answer_and_say_why(key, wrong, reason):
    feedback = check(key, wrong)
    assert not feedback and "tempting" in feedback.message and reason in feedback.message


@pytest.mark.parametrize("key, right", [
    ("5.1", 93.8), ("5.2", 104.5), ("5.3", 6), ("5.4", 21.17), ("5.5a", 5.0), ("5.5b", 0.030),
    ("5.6", "c"), ("5.7", 2), ("5.8", "b"), ("5.9", 0.0824), ("5.10", "b"),
])
def test_ch5_checkers_accept_the_right_answer(key, right):
    assert check(key, right).correct


def test_ch5_probabilities_use_an_absolute_tolerance():
    ex = exercises()["5.9"]
    assert ex.rel_tol == 0 and 0 < ex.abs_tol <= 0.002
    assert not check("5.9", 0.0824 + 0.003)
