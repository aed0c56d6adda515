"""Chapter 7's checkers: right answers accepted, the tempting wrong ones rejected with their reason."""

from __future__ import annotations

import pytest

from scalelab import check, hashing, placement, replication
from scalelab.exercises import exercises, solution
from scalelab.exercises.ch07 import PLACEMENT_KEY, RACKS


def _rejected(key, answer, reason):
    feedback = check(key, answer)
    assert feedback.correct is False and reason in feedback.message, feedback.message


def test_chapter_7_has_understanding_exercises_and_each_accepts_its_solution():
    bank = {k: e for k, e in exercises().items() if k.startswith("7.")}
    assert len(bank) >= 9
    assert sum(e.choices is not None for e in bank.values()) >= 2  # design and placement choices
    for key in bank:
        assert check(key, solution(key)).correct, key


def test_probabilities_are_checked_with_an_absolute_tolerance():
    for key in ("7.1", "7.4", "7.5"):
        ex = exercises()[key]
        assert ex.rel_tol == 0 and 0 < ex.abs_tol <= 0.005, key
    assert check("7.5", 0.9914).correct and not check("7.5", 0.985).correct  # 1% would accept 0.985
    assert check("7.4", 0.3).correct and not check("7.4", 0.31).correct


@pytest.mark.parametrize(
    "key, answer, reason",
    [
        ("7.1", 1 / 11, "consistent-hashing ring"),
        ("7.1", 0.1, "capacity"),
        ("7.2", 900_000, "modulo hashing"),
        ("7.2", 111_111, "before the join"),
        ("7.3", 400, "large-N shortcut"),
        ("7.4", 0.6, "one replica lacks the write"),
        ("7.4", 0.36, "with replacement"),
        ("7.5", 0.59049, "all five are up"),
        ("7.5", 0.729, "three particular replicas"),
        ("7.5", 0.0729, "exactly three"),
        ("7.6", 10125, "hashes the whole key"),
        ("7.6", 57152, "modulo 16,384"),
        ("7.7", "a", "R + W > N alone"),
        ("7.7", "c", "still in flight"),
        ("7.7", "d", "last-write-wins"),
        ("7.8", 23.03, "starting from 1"),
        ("7.8", 15, "three mean delays"),
        ("7.9", "a", "simple successor list"),
        ("7.9", "b", "share rack r1"),
        ("7.9", "d", "at most one copy"),
    ],
)
def test_the_tempting_wrong_answer_is_rejected_with_its_reason(key, answer, reason):
    _rejected(key, answer, reason)


def test_exercise_7_3_states_n_and_accepts_the_exact_answer():
    assert "N = 10" in exercises()["7.3"].prompt
    assert solution("7.3") == pytest.approx(359.9)
    assert check("7.3", 359.9).correct and check("7.3", 360).correct


def test_exercise_7_6_wants_the_exact_slot():
    slot = int(hashing.redis_hash_slot(["user:{42}:cart"])[0])
    assert slot == int(hashing.crc16_xmodem(["42"])[0]) % 16384 == 8000
    assert check("7.6", slot).correct and not check("7.6", slot + 1).correct


def test_exercise_7_8_matches_the_explorer_curve():
    t_ms = solution("7.8")
    assert replication.stale_read_probability_after(3, 1, 1, t_ms / 1000, 0.005) == pytest.approx(0.01)


def test_exercise_7_9_describes_the_chapter_ring_and_its_answer_comes_from_the_model():
    ring = hashing.ConsistentHashRing(list("ABCDEF"), vnodes=4)
    walk = placement.replica_walk(ring, PLACEMENT_KEY, 3, RACKS)
    assert walk["node"].dropna().tolist()[:7] == list("EFEBABD")
    assert "E, F, E, B, A, B, D" in exercises()["7.9"].prompt
    assert placement.preference_list(ring, PLACEMENT_KEY, 3, RACKS) == ["E", "B", "D"]
    assert placement.preference_list(ring, PLACEMENT_KEY, 3) == ["E", "F", "B"]
    assert solution("7.9") == "c"
