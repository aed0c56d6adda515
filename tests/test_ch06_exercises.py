"""Chapter 6 exercises: right answers pass, the tempting wrong ones are refused with the reason."""

from __future__ import annotations

import pytest

from scalelab import check


@pytest.mark.parametrize("key, right", [("6.1", 1.2e6), ("6.2", 11), ("6.3", 80), ("6.4", 1000 / 6),
                                        ("6.5", 28.60), ("6.6", "c"), ("6.7", 1), ("6.8", 5)])
def test_each_exercise_accepts_its_answer(key, right):
    assert check(key, right).correct


@pytest.mark.parametrize(
    "key, wrong, reason",
    [
        ("6.1", 3e5, "4 a cycle"),
        ("6.1", 4.5e5, "typical 1.5"),
        ("6.1", 1.2e8, "10 ms disk read"),
        ("6.2", 10, "just short of 90%"),
        ("6.3", 72, "leaves out the 1"),
        ("6.3", 10, "threads per core"),
        ("6.4", 200, "no buffer reaches"),
        ("6.4", 133.33, "unbuffered"),
        ("6.5", 0.638, "E[S]^2"),
        ("6.5", 0.0556, "moved off the loop"),
        ("6.6", "a", "one interpreter lock"),
        ("6.6", "b", "take turns"),
        ("6.7", 8, "one thread does not make a read-modify-write safe"),
        ("6.8", 40, "one effective core"),
    ],
)
def test_the_tempting_wrong_answer_is_refused_with_its_reason(key, wrong, reason):
    feedback = check(key, wrong)
    assert feedback.correct is False and reason in feedback.message


def test_counts_must_be_whole():
    assert not check("6.2", 10.6).correct
    assert not check("6.8", 5.4).correct
    assert not check("6.3", 79.5).correct  # a pool size is a whole number; the rule gives exactly 80
    assert not check("6.6", "e").correct
