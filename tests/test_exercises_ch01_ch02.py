"""The understanding exercises of chapters 1 and 2: their answers come from the models,
and the tempting wrong answers are rejected with their reasons."""

from __future__ import annotations

import pytest

from scalelab import availability, check, microservices, queueing
from scalelab.exercises import solution


def test_1_2_and_1_3_want_whole_machines_rounded_up():
    assert check("1.2", 4).correct
    assert not check("1.2", 3.84).correct and "whole number" in check("1.2", 3.84).message
    assert not check("1.2", 3).correct and "rounded up" in check("1.2", 3).message
    assert check("1.3", 61).correct
    assert not check("1.3", 60.75).correct and "whole number" in check("1.3", 60.75).message
    assert "round up" in check("1.3", 60).message
    assert "round once, at the end" in check("1.3", 62).message
    assert "without encryption" in check("1.3", 57).message


def test_1_5_failover_gap_beats_a_fourth_replica_in_the_models():
    now = availability.failover_unavailability(0.99, 3, 12, 60)
    fourth = availability.failover_unavailability(0.99, 4, 12, 60)
    faster = availability.failover_unavailability(0.99, 3, 12, 5)
    assert faster < fourth < now and fourth > 0.9 * now
    assert check("1.5", "b").correct
    assert "dominate" in check("1.5", "a").message and not check("1.5", "a").correct
    assert not check("1.5", "c").correct and "5.5 nines" in check("1.5", "c").message


def test_1_6_rejects_the_regular_traffic_explanation():
    assert check("1.6", "B").correct
    feedback = check("1.6", "a")
    assert not feedback.correct and "in phase" in feedback.message
    assert "not noise" in check("1.6", "c").message


def test_1_7_rejects_the_fluid_rate():
    assert solution("1.7") == pytest.approx(0.75)
    assert check("1.7", 0.75).correct
    feedback = check("1.7", 1.0)
    assert not feedback.correct and "fluid model" in feedback.message


def test_2_6_pooling_is_not_one_fast_server():
    assert queueing.mmc_mean_response(3.0, 1.0, 4) == pytest.approx(1.509, abs=0.001)
    assert queueing.mm1_mean_response(3.0, 4.0) == pytest.approx(1.0)
    assert check("2.6", "b").correct
    feedback = check("2.6", "c")
    assert not feedback.correct and "decay rate" in feedback.message


def test_2_7_both_crashes_can_duplicate():
    assert check("2.7", "c").correct
    assert "sends again" in check("2.7", "b").message and not check("2.7", "b").correct
    assert not check("2.7", "a").correct


def test_2_8_rejects_adding_probabilities():
    assert solution("2.8") == pytest.approx(1 - 0.98**20)
    assert check("2.8", 0.332).correct
    feedback = check("2.8", 0.4)
    assert not feedback.correct and "counts releases with two bad changes twice" in feedback.message
    assert microservices.release_failure_probability(0.02, 20) < 0.4


def test_chapter_2_probabilities_use_absolute_tolerances_and_reject_tempting_answers():
    assert check("2.1", 0.51).correct and not check("2.1", 0.52).correct
    assert "utilization" in check("2.1", 0.75).message
    assert not check("2.1", 0.206).correct and "Erlang B" in check("2.1", 0.206).message
    assert "counts requests with two slow calls twice" in check("2.3", 0.5).message
    assert check("2.4", 0.994).correct and not check("2.4", 0.999).correct
    assert "the share that stays" in check("2.5", 0.1).message


def test_complements_and_inverted_formulas_are_named():
    # The tempting slips of the numeric exercises: X / R for Little's law, ignoring the
    # flood, and answering with the complement (the miss ratio, the fast or good share).
    assert "N = X R" in check("1.1", 1250).message and not check("1.1", 1250).correct
    assert "as often as attacking ones" in check("1.4", 500).message
    assert check("1.4", 333.3).correct
    assert "miss ratio" in check("2.2", 0.24).message and check("2.2", 0.76).correct
    assert "share of requests that are fast" in check("2.3", 0.605).message
    assert "share of releases that are good" in check("2.8", 0.668).message
