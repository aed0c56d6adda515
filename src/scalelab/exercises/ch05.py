"""Chapter 5 exercises: timeouts, retries, Two Generals, FLP, leader election, drift and NTP."""

from __future__ import annotations

import math

from .. import clocks, consensus, failures
from . import Exercise, Mistake, register



def _leaderless_term() -> int:
    """The first term without a leader in the chapter's printed election run."""
    run = consensus.simulate_election(5, timeout_spread_ms=150, crash_leader_at_ms=1000,
                                      recover_after_ms=500, duration_ms=2000, seed=1)
    return next(t for t in sorted(run.candidates) if not run.leaders.get(t))


register(
    Exercise(
        key="5.1",
        prompt="Latency is log-normal with median 20 ms and sigma 0.5. What is the shortest "
        "timeout, in milliseconds, that suspects a healthy server at most once in 1,000 requests?",
        answer=lambda: 1000 * failures.timeout_for_false_suspicion(0.001, 0.020, 0.5),
        unit="ms",
        hint="T = median * exp(sigma * z), with z the standard normal quantile of 0.999 (3.09).",
        mistakes=(
            Mistake(20 + 3.090 * 0.5 * 20, "it treats latency as normal (mean 20 ms, standard "
                    "deviation 10 ms); here ln L is normal, so the quantile multiplies the median."),
            Mistake(lambda: 20 * math.exp(0.5 * 2.326348), "that is the 99% point: it suspects one "
                    "healthy server in 100, not in 1,000."),
            Mistake(lambda: failures.timeout_for_false_suspicion(0.001, 0.020, 0.5), "that is the "
                    "timeout in seconds; the question asks for milliseconds."),
        ),
    ),
    Exercise(
        key="5.2",
        prompt="A client makes up to 3 attempts at a payment (the first and at most two retries); "
        "requests and replies are each lost "
        "with probability 0.1, and the server keeps no idempotency keys. How many duplicate "
        "charges do you expect per 1,000 payments?",
        answer=lambda: 1000 * failures.retry_outcomes(0.1, 0.1, 3)["expected_duplicates"],
        rel_tol=0.0,
        abs_tol=0.8,  # 104.5; 1% would also accept 103.5, the mistake below
        unit="charges",
        hint="Attempt i happens with probability 0.19^(i-1) and charges with probability 0.9; "
        "subtract the first charge (probability 1 - 0.1^3).",
        mistakes=(
            Mistake(lambda: 1000 * failures.retry_outcomes(0.1, 0.1, 3)["expected_applications"],
                    "that counts every charge; a duplicate is a charge beyond the first."),
            Mistake(lambda: 1000 * (failures.retry_outcomes(0.1, 0.1, 3)["expected_applications"] - 1),
                    "that subtracts a first charge from every payment, but one payment in 1,000 "
                    "(0.1^3) is never charged at all: subtract 1 - 0.1^3 = 0.999, not 1."),
            Mistake(190, "0.19 is the chance an attempt gets no reply, but a lost request charges "
                    "nothing and the third attempt is the last."),
            Mistake(lambda: 1000 * (failures.retry_outcomes(0.1, 0.1, 3)["expected_applications"] - 0.9),
                    "that counts every charge by a retry as a duplicate; when the first request "
                    "was lost, the retry's charge is the first one (subtract 1 - 0.1^3, not 0.9)."),
            Mistake(lambda: failures.retry_outcomes(0.1, 0.1, 3)["expected_duplicates"],
                    "that is per payment; the question asks per 1,000 payments."),
        ),
    ),
    Exercise(
        key="5.3",
        prompt="Each messenger is captured with probability 0.3. How many messengers must "
        "carry the same message so that at least one arrives with probability 99.9%?",
        answer=lambda: consensus.messengers_needed(0.3, 0.999),
        rel_tol=0.0,
        whole=True,
        unit="messengers",
        hint="Solve 1 - 0.3^k >= 0.999 for the smallest whole k.",
        mistakes=(
            Mistake(5, "ln 0.001 / ln 0.3 = 5.74 must be rounded up: five get through only "
                    "99.76% of the time."),
            Mistake(3, "three get through 97.3% of the time, short of 99.9%."),
        ),
    ),
    Exercise(
        key="5.4",
        prompt="A server's quartz clock runs 35 ppm fast and is never synchronized. How many "
        "seconds ahead is it after one week?",
        answer=lambda: clocks.drift_seconds(35, 7 * clocks.SECONDS_PER_DAY),
        unit="s",
        hint="ppm * 1e-6 * seconds elapsed; a week is 604,800 s.",
        mistakes=(
            Mistake(lambda: clocks.drift_seconds(35, clocks.SECONDS_PER_DAY), "that is one day's drift, not a week's."),
            Mistake(lambda: clocks.drift_seconds(35, 7 * clocks.SECONDS_PER_DAY) / 1000,
                    "a part per million is 1e-6, not 1e-9."),
        ),
    ),
    Exercise(
        key="5.5a",
        prompt="An NTP exchange gives t1 = 0.000, t2 = 5.030, t3 = 5.031, t4 = 0.061 (seconds). "
        "What offset, in seconds, does the client estimate for the server's clock?",
        answer=lambda: clocks.ntp_offset_delay(0.000, 5.030, 5.031, 0.061)[0],
        rel_tol=0.0,
        abs_tol=2e-4,
        unit="s",
        hint="((t2 - t1) + (t3 - t4)) / 2.",
        mistakes=(
            Mistake(5.030, "t2 - t1 alone still contains the request's trip across the network; "
                    "averaging with t3 - t4 cancels it if the two directions are equal."),
            Mistake(4.970, "t3 - t4 alone still contains the reply's trip; average it with t2 - t1."),
            Mistake(-5.000, "NTP's offset is the server's clock minus the client's: t2 is far ahead "
                    "of t1, so the server is five seconds ahead, not behind."),
            Mistake(5000.0, "that is in milliseconds; the question asks for seconds."),
        ),
    ),
    Exercise(
        key="5.5b",
        prompt="For the same exchange, what is the largest error, in seconds, that the offset "
        "estimate could have (whatever the split of the delay between the two directions)?",
        answer=lambda: clocks.ntp_offset_delay(0.000, 5.030, 5.031, 0.061)[1] / 2,
        rel_tol=0.0,
        abs_tol=2e-4,
        unit="s",
        hint="The delay is (t4 - t1) - (t3 - t2); the worst case puts all of it in one direction.",
        mistakes=(
            Mistake(0.060, "that is the whole round-trip delay; the error is at most half of it."),
            Mistake(0.0305, "half of t4 - t1 counts the server's 1 ms between t2 and t3, which is "
                    "not spent on the network."),
            Mistake(0.061, "t4 - t1 is the round trip plus the server's processing; the error is at "
                    "most half the network delay."),
            Mistake(30.0, "that is in milliseconds; the question asks for seconds."),
            Mistake(0.0, "the average cancels the delay only if both directions take equal time, "
                    "which the client cannot see: all 60 ms may have been spent one way."),
        ),
    ),
    Exercise(
        key="5.6",
        prompt="Five nodes, started at the same instant, run this chapter's Raft election with "
        "every election timeout exactly 150 ms (a range of 0) and no crash. What happens?",
        answer="c",
        choices={
            "a": "node 1 wins term 1",
            "b": "term 1 ends in a split vote, then some node wins term 2",
            "c": "every term ends in a split vote; no leader is ever elected",
            "d": "several nodes become leader of term 1",
        },
        hint="Who times out first, and whom does each candidate vote for?",
        mistakes=(
            Mistake("a", "nothing favours node 1: all five time out at the same instant, vote for "
                    "themselves and refuse the others."),
            Mistake("b", "after the split every timer is reset to the same 150 ms, so term 2 starts "
                    "exactly as term 1 did."),
            Mistake("d", "each node votes once per term and a leader needs a majority; two leaders "
                    "in one term would need a node that voted twice."),
        ),
    ),
    Exercise(
        key="5.7",
        prompt="In the chapter's printed election run (seed 1, the leader crashes at 1,000 ms), "
        "which term ended without a leader?",
        answer=lambda: _leaderless_term(),
        rel_tol=0.0,
        whole=True,
        unit="",
        hint="Look for a term in which two nodes stood and neither reached three votes.",
        mistakes=(
            Mistake(1, "node 3 won term 1 (every node voted for it); it is the crash later that "
                    "starts the trouble."),
            Mistake(3, "term 3 is the one node 4 won, with three of five votes."),
        ),
    ),
    Exercise(
        key="5.8",
        prompt="A payment client makes up to 3 attempts with one idempotency key per payment and "
        "then gives up; the server records keys in the same transaction as the charge. Which "
        "guarantee does each payment get?",
        answer="b",
        choices={
            "a": "exactly once: charged one time, always",
            "b": "at most once: charged one time or not at all",
            "c": "at least once: charged one or more times",
            "d": "exactly once, provided keys never expire",
        },
        hint="Look at the explorer's 'never applied' line.",
        mistakes=(
            Mistake("a", "a payment whose three requests are all lost is never charged: the "
                    "'never applied' line is a^3, not zero."),
            Mistake("c", "the keys stop repeats, so no payment is charged twice; but capped retries "
                    "can leave one uncharged."),
            Mistake("d", "expiry is a separate danger; even with keys kept for ever, three lost "
                    "requests mean no charge."),
        ),
    ),
    Exercise(
        key="5.9",
        prompt="General A sends the order; then B and A take turns acknowledging, one messenger "
        "each, until six acknowledgements have been sent. Each messenger is captured with "
        "probability 0.3. What is the probability that every messenger arrives?",
        answer=lambda: consensus.acknowledged_order_success(0.3, 6),
        rel_tol=0.0,
        abs_tol=0.002,
        hint="Count the messengers: the order and each acknowledgement must all cross.",
        mistakes=(
            Mistake(0.7**6, "that counts the six acknowledgements but not the order: seven "
                    "messengers cross."),
            Mistake(1 - 0.3**7, "that is for seven copies of one message, any of which may arrive; "
                    "a chain needs every messenger."),
        ),
    ),
    Exercise(
        key="5.10",
        prompt="Which statement is the FLP result?",
        answer="b",
        choices={
            "a": "on an asynchronous network consensus cannot be reached within a bounded time",
            "b": "a deterministic consensus protocol (deciding only a proposed value) that never "
                 "disagrees and tolerates one crash has a run, "
                 "with no crash and every message delivered, that never decides",
            "c": "an adversarial network can make any consensus protocol decide two values",
            "d": "consensus is impossible when messages can be lost",
        },
        hint="What does the run built in the proof look like?",
        mistakes=(
            Mistake("a", "an asynchronous network has no bounds, so nothing finishes within one; FLP "
                    "says more: some run never decides at all."),
            Mistake("c", "FLP leaves safety alone: Paxos and Raft never decide two values."),
            Mistake("d", "FLP holds even if no message is ever lost; lossy links are the Two "
                    "Generals' problem."),
        ),
    ),
    Exercise(
        key="5.11",
        prompt="The etcd lab runs three members with --heartbeat-interval 50 and "
        "--election-timeout 500 (ms). Leaving out message delays, what is the shortest time "
        "from the SIGKILL of the leader until a survivor starts an election, in ms?",
        answer=500 - 2 * 50,
        rel_tol=0.0,
        abs_tol=5.0,
        unit="ms",
        hint="etcd counts its timeout in 50 ms ticks from the last heartbeat a follower heard; "
        "when does its first tick come, and when did the leader die?",
        mistakes=(
            Mistake(500, "the configured timeout is not a floor: it is 10 ticks, the first of "
                    "which comes up to 50 ms after the last heartbeat, and the leader can die up to "
                    "50 ms after sending it."),
            Mistake(450, "that is the shortest wait after the last heartbeat a survivor heard; the "
                    "leader can die up to 50 ms after sending it, so less is left after the kill."),
            Mistake(550, "the survivors' timers do not start at the kill: they started at the last "
                    "heartbeat, before it."),
        ),
    ),
)


def _charged_after_lost_reply() -> float:
    # the run the chapter's player shows: keys off, the first reply (m2) dropped, seed 3
    from .. import failures

    run = failures.payment_run(idempotency_keys=False, drop=(2,), seed=3)
    return float(run.states(len(run.events) - 1)["server"].split()[0].split("=")[1])


register(
    Exercise(
        key="5.run",
        prompt="In the payment player: keys off, the first reply (m2) dropped, no random loss. By the "
        "end of the run, how many dollars has the server charged the card in all?",
        answer=_charged_after_lost_reply,
        rel_tol=0,
        unit="dollars",
        whole=True,
        hint="Step to the last event and read the server's state in the text under the diagram.",
        mistakes=(
            Mistake(100, "that is what the client believes: it saw one confirmation. Count the "
                    "server's 'applied charge' events."),
            Mistake(300, "the client made two attempts, not three: the second one got its reply."),
        ),
    ),
)
