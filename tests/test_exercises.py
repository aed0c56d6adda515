"""The exercise checker: clear right and wrong answers, and a bank that matches the models."""

from __future__ import annotations

import pytest

from scalelab import amdahl, check
from scalelab.exercises import exercises, solution


def test_a_correct_answer_is_accepted_within_tolerance():
    fb = check("3.1", 6.4 * 1.005)
    assert fb.correct is True and "correct" in str(fb)


def test_a_wrong_answer_is_rejected_and_says_which_way():
    fb = check("3.1", 8.0)
    assert fb.correct is False
    assert "too high" in str(fb) and "Hint" in str(fb)


def test_no_answer_yet_is_neither_right_nor_wrong():
    fb = check("3.2", None)
    assert fb.correct is None and "Replace None" in str(fb)


def test_a_non_number_is_rejected_with_a_message():
    assert check("3.3", "thirty").correct is False
    assert check("3.3", float("nan")).correct is False


def test_answers_come_from_the_models():
    assert solution("3.1") == pytest.approx(amdahl.speedup(0.1, 16))
    assert solution("3.2") == pytest.approx(441)
    assert solution("3.3") == pytest.approx(30.82, abs=0.01)
    assert solution("3.4") == pytest.approx(60.85)


def test_every_exercise_accepts_its_own_solution():
    bank = exercises()
    assert len([k for k in bank if k.startswith("3.")]) >= 3
    for key in bank:
        assert check(key, solution(key)).correct, key


def test_unknown_exercise_raises_value_error_listing_the_keys():
    with pytest.raises(ValueError, match=r"exercise must be one of .*\b3\.1\b"):
        check("99.9", 1)
