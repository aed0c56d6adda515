"""Chapter 2 exercises: replicas, caching, fan-out, call chains and hash partitioning."""

from __future__ import annotations

from .. import caching, databases, microservices, queueing
from . import Exercise, register

register(
    Exercise(
        key="2.1",
        prompt="Four replicas share one queue; 300 requests per second arrive and each replica "
        "serves 100 per second. What is the probability that a request has to wait?",
        answer=lambda: queueing.erlang_c(4, 300 / 100),
        hint="Erlang C with c = 4 servers and offered load a = lambda / mu = 3 Erlangs.",
    ),
    Exercise(
        key="2.2",
        prompt="1,000 requests per second reach a service whose database spends 2.5 ms per query "
        "on one worker. What cache hit ratio keeps the database at 60% utilization?",
        answer=lambda: caching.hit_ratio_for_utilization(1000, 0.6, 2.5, 1),
        hint="Utilization is (1 - h) x R x service time; solve (1 - h) x 1000 x 0.0025 = 0.6 for h.",
    ),
    Exercise(
        key="2.3",
        prompt="A request fans out to 50 backends in parallel; each is slow 1% of the time. "
        "What share of requests is slow?",
        answer=lambda: microservices.fanout_slow_probability(0.01, 50),
        hint="The request is fast only if all 50 calls are: 1 - 0.99^50.",
    ),
    Exercise(
        key="2.4",
        prompt="A checkout calls six services in turn, each available 99.9% of the time. "
        "What is the availability of checkout?",
        answer=lambda: microservices.chain_availability(0.999, 6),
        hint="Every link must be up: 0.999^6.",
    ),
    Exercise(
        key="2.5",
        prompt="Keys are placed with hash(key) mod n. What share of keys moves to another node "
        "when a cluster grows from 9 to 10 nodes?",
        answer=lambda: databases.expected_moved_share(9, 10),
        hint="A key stays only if h mod 9 == h mod 10, which holds for 9 of every 90 hashes.",
    ),
)
