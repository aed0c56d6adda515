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


# --- kinds of answer: choices, probabilities, counts, tempting mistakes -------------------

from scalelab.exercises import Exercise, Mistake  # noqa: E402

CHOICE = Exercise(key="t.choice", prompt="Which?", answer="b",
                  choices={"a": "one server four times as fast", "b": "four servers"},
                  mistakes=(Mistake("a", "a pooled M/M/4 waits longer than one fast server."),))
PROB = Exercise(key="t.prob", prompt="P?", answer=0.003, rel_tol=0, abs_tol=0.0005,
                mistakes=(Mistake(0.03, "that counts every request, not only the slow ones."),))
COUNT = Exercise(key="t.count", prompt="How many?", answer=4, rel_tol=0.2, whole=True)


def _checked(ex, answer):
    from scalelab import exercises as bank
    bank.register(ex)
    try:
        return check(ex.key, answer)
    finally:
        bank._BANK.pop(ex.key)


def test_a_choice_is_answered_by_its_letter_in_any_case():
    assert _checked(CHOICE, "B").correct and _checked(CHOICE, "(b)").correct
    feedback = _checked(CHOICE, "c")
    assert feedback.correct is False and "a, b" in feedback.message


def test_the_tempting_wrong_choice_is_rejected_with_its_reason():
    feedback = _checked(CHOICE, "a")
    assert feedback.correct is False and "M/M/4 waits longer" in feedback.message


def test_probabilities_use_an_absolute_tolerance():
    assert _checked(PROB, 0.0034).correct
    assert not _checked(PROB, 0.0040).correct
    feedback = _checked(PROB, 0.03)
    assert not feedback.correct and "every request" in feedback.message


def test_counts_must_be_whole_numbers():
    assert _checked(COUNT, 4).correct and _checked(COUNT, 4.0).correct
    assert not _checked(COUNT, 3.6).correct and "whole number" in _checked(COUNT, 3.6).message


def test_bools_huge_numbers_texts_and_arrays_are_refused_clearly():
    import numpy as np
    for bad in (True, np.bool_(True), 10**400, "4", [4], np.array([4.0, 5.0]), float("nan")):
        feedback = _checked(COUNT, bad)
        assert feedback.correct is False and "expected" in feedback.message, bad


def test_minus_zero_is_zero():
    zero = Exercise(key="t.zero", prompt="0?", answer=0.0, rel_tol=0, abs_tol=1e-9)
    assert _checked(zero, -0.0).correct


def test_a_key_that_is_not_a_string_is_a_value_error():
    with pytest.raises(ValueError, match="exercise must be one of"):
        check(3.1, 1.0)
    with pytest.raises(ValueError, match="exercise must be one of"):
        check(["3.1"], 1.0)


def test_a_choice_answer_must_be_one_of_the_choices():
    with pytest.raises(ValueError, match="not one of its choices"):
        Exercise(key="t.bad", prompt="?", answer="z", choices={"a": "x"})


def test_a_near_miss_on_an_absolute_scale_says_how_far_in_the_answers_units():
    # 5.5a is judged within 0.0002 s: a miss of 0.0003 s must not read as "too high by 0%".
    text = str(check("5.5a", 5.0003))
    assert "5.0003 s is too high by 0.0003 s" in text and "0%" not in text


def test_a_probability_given_as_a_percentage_is_told_to_use_a_fraction():
    expected = float(exercises()["2.3"].expected())
    text = str(check("2.3", round(100 * expected, 2)))
    assert "looks like a percentage" in text and "correct" not in text


def test_every_declared_mistake_is_refused_with_its_reason():
    """A tempting answer inside the right answer's tolerance would be accepted before the
    checker ever looks at the mistakes (exercise 5.2 accepted 103.5 for 104.5 at 1%)."""
    from scalelab.exercises import exercises

    accepted = []
    for key, ex in exercises().items():
        for mistake in ex.mistakes:
            feedback = check(key, mistake.value())
            if feedback.correct or "tempting" not in feedback.message:
                accepted.append((key, mistake.value(), feedback.message[:80]))
    assert not accepted, accepted
