"""Erlang-style actors: private state, copied messages, selective receive, bounded waits."""

from __future__ import annotations

import time

import pytest

from scalelab import actors
from scalelab.actors import ANY


def test_patterns_match_by_shape_type_and_value():
    assert actors.matches(("add", int), ("add", 2))
    assert not actors.matches(("add", int), ("add", 2.5))
    assert not actors.matches(("add", int), ("add", 2, 3))
    assert actors.matches(ANY, object())
    assert actors.matches(("stop",), ("stop",)) and not actors.matches(("stop",), "stop")


def test_a_counter_actor_loses_no_update_without_any_lock():
    assert actors.count_with_actor(senders=8, adds=200) == 1600


def test_selective_receive_takes_matching_messages_first_and_keeps_the_rest_in_order():
    order = actors.selective_receive_demo([("log", 1), ("urgent", "a"), ("log", 2), ("urgent", "b"), ("log", 3)])
    assert order == [("urgent", "a"), ("urgent", "b"), ("log", 1), ("log", 2), ("log", 3)]


def test_messages_are_copied_so_the_sender_cannot_change_what_the_actor_holds():
    result = actors.copy_on_send_demo()
    assert result["actor holds"] == [1, 2, 3]
    assert result["sender now has"] == [1, 2, 3, 99]


def test_unmatched_messages_stay_in_the_mailbox():
    box = actors.inbox()
    box.send(("b", 1))
    box.send(("a", 2))
    assert box.receive(("a", ANY)) == ("a", 2)
    assert box.pending() == 1 and box.receive() == ("b", 1)


def test_receive_times_out_instead_of_hanging():
    start = time.perf_counter()
    with pytest.raises(TimeoutError):
        actors.inbox().receive(("never",), timeout_s=0.05)
    assert time.perf_counter() - start < 5  # a 0.05 s timeout, bounded; room for a busy machine


def test_an_error_in_a_behaviour_reaches_join():
    def broken(me):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        actors.spawn(broken).join()


def test_a_stuck_actor_makes_join_time_out():
    def waits(me):
        me.receive(("go",), timeout_s=2)

    actor = actors.spawn(waits)
    with pytest.raises(TimeoutError):
        actor.join(timeout_s=0.05)
    actor.send(("go",))
    actor.join()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: actors.count_with_actor(0), r"senders must be a whole number and in \[1, 64\], got 0"),
        (lambda: actors.inbox().receive(timeout_s=-1), r"timeout_s must be in \[0, 3600\], got -1"),
        (lambda: actors.inbox().start(), r"has no behaviour"),
    ],
)
def test_bad_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_message_counts_have_documented_maxima_checked_first():
    with pytest.raises(ValueError, match=r"senders \* adds <= 100000 messages, got 64 \* 100000 = 6400000"):
        actors.count_with_actor(64, 100_000)
    with pytest.raises(ValueError, match=r"messages must hold at most 2000 messages, got 2001"):
        actors.selective_receive_demo([("log", i) for i in range(actors.MAX_DEMO_MESSAGES + 1)])
    assert 8 * 100 <= actors.MAX_MESSAGES  # the chapter's call


def test_a_get_then_set_pair_loses_updates_even_with_actors_and_one_message_does_not():
    from scalelab import actors as _actors
    assert _actors.get_then_set_demo(5) == {"expected": 5, "final": 1, "lost": 4}
    assert _actors.get_then_set_demo(5, atomic=True) == {"expected": 5, "final": 5, "lost": 0}
