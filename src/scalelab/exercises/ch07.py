"""Chapter 7 exercises: partitioning, consistent hashing, Redis slots, quorums."""

from __future__ import annotations

from .. import hashing, replication
from . import Exercise, register

register(
    Exercise(
        key="7.1",
        prompt="Keys are placed with hash(key) mod N on 10 nodes. An 11th node is added. "
        "What share of the keys changes node?",
        answer=lambda: hashing.modulo_moved_fraction(10, 11),
        hint="A key stays only if h mod 10 == h mod 11; over 110 consecutive hash values, how many do?",
    ),
    Exercise(
        key="7.2",
        prompt="A consistent-hashing ring with many virtual nodes holds 1,000,000 keys on 9 "
        "nodes. A 10th node joins. About how many keys move?",
        answer=lambda: hashing.consistent_moved_fraction(9, 10) * 1_000_000,
        unit="keys",
        hint="Only the keys that the new node takes over move; it takes an even share.",
    ),
    Exercise(
        key="7.3",
        prompt="How many virtual nodes per node bring the coefficient of variation of the "
        "nodes' loads down to 5%?",
        answer=lambda: hashing.vnodes_for_load_cv(0.05),
        unit="virtual nodes",
        hint="The spread shrinks as 1 / sqrt(v): solve 1 / sqrt(v) = 0.05.",
    ),
    Exercise(
        key="7.4",
        prompt="With N = 5 replicas, a write is acknowledged by W = 2 and a read asks R = 2 "
        "random replicas immediately after. What is the probability that the read misses the write?",
        answer=lambda: replication.stale_read_probability(5, 2, 2),
        hint="The read misses only if both replicas it asks are among the N - W without the write: "
        "C(N - W, R) / C(N, R).",
    ),
    Exercise(
        key="7.5",
        prompt="Each of N = 5 replicas is down with probability 0.1, independently. What is the "
        "probability that a write quorum of W = 3 can be formed?",
        answer=lambda: replication.quorum_availability(5, 3, 0.1),
        hint="Add the binomial probabilities of 3, 4 and 5 replicas up: C(5, k) 0.9^k 0.1^(5-k).",
    ),
    Exercise(
        key="7.6",
        prompt="Which Redis Cluster hash slot holds the key 'user:{42}:cart'?",
        answer=lambda: float(hashing.redis_hash_slot(["user:{42}:cart"])[0]),
        rel_tol=0.0,
        unit="",
        hint="Only the hash tag between the braces is hashed: CRC16('42') mod 16384. "
        "scalelab.hashing.crc16_xmodem computes the CRC.",
    ),
)
