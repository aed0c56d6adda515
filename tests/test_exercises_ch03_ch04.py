"""Chapters 3 and 4: each understanding exercise accepts its answer and rejects the
tempting wrong one with its reason."""

from __future__ import annotations

import pytest

from scalelab import amdahl, check, network


@pytest.mark.parametrize(
    "key, right, wrong, reason",
    [
        ("3.4", 60.85, amdahl.speedup(0.05, 64), "0.08% serial"),
        ("3.5", 0.05 / 60.85, 0.05, "share on 64 cores"),
        ("3.6", 1 / (0.2 + 0.8 / 2), 1 / (0.2 + 0.8 / 4), "2 CPUs"),
        ("3.7", "c", "b", "ignores coherency"),
        ("3.7", "c", "d", "does not level off"),
    ],
)
def test_chapter_3_checkers_reject_the_tempting_answer(key, right, wrong, reason):
    assert check(key, right).correct
    feedback = check(key, wrong)
    assert feedback.correct is False and reason in feedback.message


def test_the_usl_choice_is_true_of_the_model():
    assert amdahl.usl_speedup(64, 0.05, 0.002) < amdahl.usl_speedup(16, 0.05, 0.002)
    assert amdahl.usl_peak_cores(0.05, 0.002) == pytest.approx(21.8, abs=0.05)


@pytest.mark.parametrize(
    "key, right, wrong, reason",
    [
        ("4.6", "b", "a", "another process"),
        ("4.6", "b", "c", "RFC 6298"),
        ("4.7", 28_232 / 60, 65_535 / 60, "ephemeral range"),
        ("4.7", 28_232 / 60, 28_232, "TIME_WAIT"),
        ("4.8", "b", "c", "numbers the bytes"),
        ("4.8", "b", "a", "rarer but not impossible"),
        ("4.4", 14.30, 8 * 1460 / 0.1 * 1.31 / 0.01 / 1e6, "independent losses"),
        ("4.4", 14.30, 8 * 1460 / 0.1 * 0.75 ** 0.5 / 0.01 / 1e6, "delayed ACKs"),
    ],
)
def test_chapter_4_checkers_reject_the_tempting_answer(key, right, wrong, reason):
    assert check(key, right).correct
    feedback = check(key, wrong)
    assert feedback.correct is False and reason in feedback.message


def test_the_port_exercise_uses_linux_defaults():
    assert network.new_connections_per_s(60_999 - 32_768 + 1, 60) == pytest.approx(470.53, abs=0.01)
