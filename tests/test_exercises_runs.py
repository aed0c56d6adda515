"""The exercises on recorded runs (5.run, 7.run): the answer comes from the run the
chapter's player shows, and the tempting wrong answers are rejected with the reason."""

from scalelab import check
from scalelab.exercises import solution


def test_payment_run_exercise():
    assert solution("5.run") == 200
    assert check("5.run", 200).correct
    wrong = check("5.run", 100)
    assert wrong.correct is False and "believes" in str(wrong)


def test_quorum_run_exercise():
    assert solution("7.run") == 2
    assert check("7.run", 2).correct
    for tempting, why in ((0, "majority"), (3, "fresh")):
        fb = check("7.run", tempting)
        assert fb.correct is False and why in str(fb)


def test_transfer_run_exercise():
    assert solution("4.run") == 430
    assert check("4.run", 430).correct
    for tempting, why in ((400, "30 ms"), (220, "one duplicate ACK"), (190, "segment 2's run"), (130, "had it not been lost")):
        fb = check("4.run", tempting)
        assert fb.correct is False and why in str(fb)
