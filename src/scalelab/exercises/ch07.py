"""Chapter 7 exercises: partitioning, consistent hashing, replica placement, Redis slots, quorums."""

from __future__ import annotations

import math

from .. import hashing, placement, replication
from . import Exercise, Mistake, register

RACKS = {"A": "r1", "B": "r1", "C": "r2", "D": "r2", "E": "r3", "F": "r3"}
PLACEMENT_KEY = "cart:172"  # its walk on the chapter's six-node ring meets E, F, E, B, A, B, D
PLACEMENT_CHOICES = {"a": "E, F, B", "b": "E, B, A", "c": "E, B, D", "d": "E, F, E"}


def _rack_aware_letter() -> str:
    ring = hashing.ConsistentHashRing(list("ABCDEF"), vnodes=4)
    chosen = ", ".join(placement.preference_list(ring, PLACEMENT_KEY, 3, RACKS))
    return next(letter for letter, text in PLACEMENT_CHOICES.items() if text == chosen)


def _time_to_one_percent_ms() -> float:
    # P(stale at t) = C(N-W, R)/C(N, R) exp(-R t / m) = 0.01, for N = 3, R = W = 1, m = 5 ms.
    return 5.0 / 1 * math.log(replication.stale_read_probability(3, 1, 1) / 0.01)


register(
    Exercise(
        key="7.1",
        prompt="Keys are placed with hash(key) mod N on 10 nodes. An 11th node is added. "
        "What share of the keys changes node?",
        answer=lambda: hashing.modulo_moved_fraction(10, 11),
        rel_tol=0,
        abs_tol=0.005,
        hint="A key stays only if h mod 10 == h mod 11; over 110 consecutive hash values, how many do?",
        mistakes=(
            Mistake(1 / 11, "1/11 is what a consistent-hashing ring moves. With hash mod N the divisor "
                    "changes for every key, so most keys change node."),
            Mistake(0.1, "a tenth is how much capacity the new node adds, not the share of keys whose "
                    "node changes."),
        ),
    ),
    Exercise(
        key="7.2",
        prompt="A consistent-hashing ring with many virtual nodes holds 1,000,000 keys on 9 "
        "nodes. A 10th node joins. About how many keys move?",
        answer=lambda: hashing.consistent_moved_fraction(9, 10) * 1_000_000,
        unit="keys",
        hint="Only the keys that the new node takes over move; it takes an even share of the new ring.",
        mistakes=(
            Mistake(900_000, "that is modulo hashing's 9/10. On a ring only the keys the newcomer "
                    "takes over move."),
            Mistake(1_000_000 / 9, "1/9 is one node's share before the join. The newcomer ends with an "
                    "even share of the new ring of 10 nodes."),
        ),
    ),
    Exercise(
        key="7.3",
        prompt="A ring has N = 10 nodes, each with v virtual nodes at random points. How many "
        "virtual nodes per node bring the coefficient of variation of the nodes' shares of the "
        "ring down to 5%? Use the exact formula.",
        answer=lambda: hashing.vnodes_for_load_cv(0.05, nodes=10),
        unit="virtual nodes",
        hint="Solve sqrt((N - 1) / (N v + 1)) = 0.05 for v, with N = 10.",
        mistakes=(
            Mistake(400, "400 = 1 / 0.05**2 comes from the large-N shortcut 1/sqrt(v). With N = 10 "
                    "the exact spread sqrt((N - 1)/(N v + 1)) is smaller, so fewer virtual nodes do."),
        ),
    ),
    Exercise(
        key="7.4",
        prompt="With N = 5 replicas, a write is acknowledged by W = 2 and a read asks R = 2 "
        "random replicas immediately after. What is the probability that the read misses the write?",
        answer=lambda: replication.stale_read_probability(5, 2, 2),
        rel_tol=0,
        abs_tol=0.005,
        hint="The read misses only if both replicas it asks are among the N - W without the write: "
        "C(N - W, R) / C(N, R).",
        mistakes=(
            Mistake(0.6, "0.6 = (N - W)/N is the chance that one replica lacks the write. The read misses "
                    "only if both replicas it asks lack it."),
            Mistake(0.36, "0.6 squared draws the two replicas with replacement. The read asks two different "
                    "replicas: 3/5 times 2/4."),
        ),
    ),
    Exercise(
        key="7.5",
        prompt="Each of N = 5 replicas is down with probability 0.1, independently. What is the "
        "probability that a write quorum of W = 3 can be formed?",
        answer=lambda: replication.quorum_availability(5, 3, 0.1),
        rel_tol=0,
        abs_tol=0.0005,
        hint="Add the binomial probabilities of 3, 4 and 5 replicas up: C(5, k) 0.9^k 0.1^(5-k).",
        mistakes=(
            Mistake(0.9**5, "0.9^5 is the chance that all five are up. The write needs only three."),
            Mistake(0.9**3, "0.9^3 is the chance that three particular replicas are up. Any three of the "
                    "five will do."),
            Mistake(10 * 0.9**3 * 0.1**2, "that is the chance that exactly three are up. Four or five up "
                    "also form the quorum."),
        ),
    ),
    Exercise(
        key="7.6",
        prompt="Which Redis Cluster hash slot holds the key 'user:{42}:cart'?",
        answer=lambda: float(hashing.redis_hash_slot(["user:{42}:cart"])[0]),
        rel_tol=0.0,
        whole=True,
        unit="",
        hint="Only the hash tag between the braces is hashed: CRC16('42') mod 16384. "
        "scalelab.hashing.crc16_xmodem computes the CRC.",
        mistakes=(
            Mistake(lambda: float(int(hashing.crc16_xmodem(["user:{42}:cart"])[0]) % hashing.REDIS_SLOTS),
                    "that hashes the whole key. With a hash tag only the part between the braces is hashed."),
            Mistake(lambda: float(hashing.crc16_xmodem(["42"])[0]),
                    "that is the CRC itself, 16 bits. The slot is the CRC modulo 16,384."),
        ),
    ),
    Exercise(
        key="7.7",
        prompt="On a Dynamo-style store with N = 3 you need linearizable reads: once a read has "
        "returned a value, no later read may return an older one. Which design gives it?",
        answer="b",
        choices={
            "a": "R = W = 2, so that R + W > N",
            "b": "R = W = 2 on the key's own replicas (no sloppy quorum), each read writing back "
                 "what it saw before returning",
            "c": "R = 1, W = 3: every replica acknowledges every write",
            "d": "R = W = 1 with last-write-wins timestamps",
        },
        hint="Look at the two reads in the chapter's trace: what did read 1 leave behind for read 2?",
        mistakes=(
            Mistake("a", "R + W > N alone lets a read that overlaps a write see new, then a later read old "
                    "(the chapter's trace), and sloppy quorums break the overlap itself."),
            Mistake("c", "a write still in flight has reached some replicas and not others, so two R = 1 "
                    "reads can see new, then old; and W = 3 makes every write fail while any replica is down."),
            Mistake("d", "R + W <= N may miss the latest write altogether, and last-write-wins trusts "
                    "clocks that drift."),
        ),
    ),
    Exercise(
        key="7.8",
        prompt="In the staleness explorer, set N = 3, R = 1, W = 1 and a mean delay of 5 ms. "
        "Predict from the closed form: how many milliseconds after the write commits does the "
        "chance of a stale read fall to 1%?",
        answer=_time_to_one_percent_ms,
        rel_tol=0.03,
        unit="ms",
        hint="Solve (2/3) exp(-R t / m) = 0.01 for t.",
        mistakes=(
            Mistake(5 * math.log(100), "that solves exp(-t/m) = 0.01, starting from 1. At commit the chance is "
                    "already C(2, 1)/C(3, 1) = 2/3, not 1."),
            Mistake(15, "three mean delays leave 2/3 e^-3 = 3.3%, not 1%."),
        ),
    ),
    Exercise(
        key="7.9",
        prompt="Six nodes sit in three racks: A and B in r1, C and D in r2, E and F in r3. Walking "
        "clockwise from a key, the ring's points belong to E, F, E, B, A, B, D, ... With N = 3 copies, "
        "which nodes hold them under rack-aware placement (Cassandra's NetworkTopologyStrategy)?",
        answer=_rack_aware_letter,
        choices=PLACEMENT_CHOICES,
        hint="Take a node only if it holds no copy yet and its rack holds none; stop at three.",
        mistakes=(
            Mistake("a", "E, F, B is the simple successor list, and E and F share rack r3."),
            Mistake("b", "B and A share rack r1: the walk passes A over while rack r2 has no copy."),
            Mistake("d", "a node holds at most one copy of a key: the walk skips E's second point."),
        ),
    ),
)


def _stale_runs_w1_r2() -> float:
    # the chapter's quorum player: W = 1, R = 2, the write to r2 (m2) dropped, seeds 1, 2, 3
    return float(sum(bool(replication.quorum_run(r=2, w=1, seed=s, drop=(2,)).violations) for s in (1, 2, 3)))


register(
    Exercise(
        key="7.run",
        prompt="In the quorum player set W = 1, R = 2 and drop the write to r2 (m2). Of the runs "
        "with seeds 1, 2 and 3, how many does the checker flag with a stale read?",
        answer=_stale_runs_w1_r2,
        rel_tol=0,
        whole=True,
        unit="runs",
        hint="Step each of the three runs to its end and read the checker's line under the diagram.",
        mistakes=(
            Mistake(0, "R = 2 is a majority of the replicas, but W = 1 is not: R + W = 3 = N, so a "
                    "read quorum can miss the one replica that acknowledged. Look at the runs."),
            Mistake(3, "one of the three runs reads fresh: which replicas answer the read first "
                    "depends on the delays the seed draws."),
        ),
    ),
)
