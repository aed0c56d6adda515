"""Chapter 2 exercises: replicas, caching, fan-out, call chains and hash partitioning."""

from __future__ import annotations

from .. import caching, databases, microservices, queueing
from . import Exercise, Mistake, register

register(
    Exercise(
        key="2.1",
        prompt="Four replicas share one queue; 300 requests per second arrive and each replica "
        "serves 100 per second. What is the probability that a request has to wait?",
        answer=lambda: queueing.erlang_c(4, 300 / 100),
        rel_tol=0,
        abs_tol=0.005,
        mistakes=(Mistake(0.75, "0.75 is each replica's utilization; with a shared queue a request waits only "
                          "when all four are busy, which Erlang C gives."),
                  Mistake(lambda: queueing.erlang_b(4, 300 / 100),
                          "0.206 is Erlang B, the share of requests a system without a queue would turn "
                          "away; here requests wait instead, and Erlang C = cB / (c - a(1 - B)) = 0.509 "
                          "is the chance of waiting.")),
        hint="Erlang C with c = 4 servers and offered load a = lambda / mu = 3 Erlangs.",
    ),
    Exercise(
        key="2.2",
        prompt="1,000 requests per second reach a service whose database spends 2.5 ms per query "
        "on one worker. What cache hit ratio keeps the database at 60% utilization?",
        answer=lambda: caching.hit_ratio_for_utilization(1000, 0.6, 2.5, 1),
        rel_tol=0,
        abs_tol=0.005,
        mistakes=(Mistake(0.24, "0.24 is the miss ratio 1 - h, the share of requests that still reach the "
                          "database; the hit ratio is 1 - 0.24."),),
        hint="Utilization is (1 - h) x R x service time; solve (1 - h) x 1000 x 0.0025 = 0.6 for h.",
    ),
    Exercise(
        key="2.3",
        prompt="A request fans out to 50 backends in parallel; each is slow 1% of the time. "
        "What share of requests is slow?",
        answer=lambda: microservices.fanout_slow_probability(0.01, 50),
        rel_tol=0,
        abs_tol=0.005,
        mistakes=(Mistake(0.5, "adding 50 x 1% counts requests with two slow calls twice; a request is fast "
                          "only if all 50 calls are: 1 - 0.99^50."),
                  Mistake(lambda: 0.99**50, "0.99^50 is the share of requests that are fast; the slow share is "
                          "1 - 0.99^50."),),
        hint="The request is fast only if all 50 calls are: 1 - 0.99^50.",
    ),
    Exercise(
        key="2.4",
        prompt="A checkout calls six services in turn, each available 99.9% of the time. "
        "What is the availability of checkout?",
        answer=lambda: microservices.chain_availability(0.999, 6),
        rel_tol=0,
        abs_tol=0.0005,
        hint="Every link must be up: 0.999^6.",
    ),
    Exercise(
        key="2.5",
        prompt="Keys are placed with hash(key) mod n. What share of keys moves to another node "
        "when a cluster grows from 9 to 10 nodes?",
        answer=lambda: databases.expected_moved_share(9, 10),
        rel_tol=0,
        abs_tol=0.005,
        mistakes=(Mistake(0.1, "1/10 is the share that stays: a key keeps its node only if h mod 9 == h mod 10."),),
        hint="A key stays only if h mod 9 == h mod 10, which holds for 9 of every 90 hashes.",
    ),
    Exercise(
        key="2.6",
        prompt="At load 0.75, which gives the lower mean response time? (a) four replicas sharing one "
        "queue (M/M/4); (b) one server four times as fast (M/M/1); (c) they are the same.",
        answer="b",
        choices={"a": "four replicas, one shared queue", "b": "one server four times as fast",
                 "c": "the same"},
        mistakes=(
            Mistake("c", "they share only the decay rate of the waiting tail, c mu - lambda; the mean is "
                    "1.51 service times for M/M/4 against 1.00 for the fast server."),
            Mistake("a", "each request still takes a full service time on a replica, while the fast server "
                    "takes a quarter of it: 1.51 against 1.00 service times."),
        ),
    ),
    Exercise(
        key="2.7",
        prompt="The capture service acknowledges a scan after its commit; the consumer stores an event "
        "and then deletes it from the queue. Which crash can lead to an event being stored twice if "
        "the store did not ignore repeats? (a) the capture process, between its commit and the "
        "acknowledgement; (b) the consumer, between storing and deleting; (c) both.",
        answer="c",
        choices={"a": "the capture process only", "b": "the consumer only", "c": "both"},
        mistakes=(
            Mistake("b", "a capture process killed after its commit but before the acknowledgement leaves "
                    "a committed event that the scanner, having no answer, sends again."),
            Mistake("a", "a consumer killed after storing but before deleting leaves the event in the queue, "
                    "and its successor stores it again."),
        ),
    ),
    Exercise(
        key="2.8",
        prompt="A monolith ships 20 changes per release; each change breaks the release 2% of the time, "
        "independently. What share of releases break?",
        answer=lambda: microservices.release_failure_probability(0.02, 20),
        rel_tol=0,
        abs_tol=0.005,
        mistakes=(
            Mistake(0.4, "adding the probabilities (20 x 2%) counts releases with two bad changes twice; "
                    "a release is good only if all 20 changes are: 1 - 0.98^20."),
            Mistake(lambda: 0.98**20, "0.98^20 is the share of releases that are good; the question asks for "
                    "those that break: 1 - 0.98^20."),
        ),
        hint="A release is good only if every one of its changes is.",
    ),
)
