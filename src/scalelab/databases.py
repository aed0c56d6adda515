"""Scaling the database: where a key lives when data is spread over many nodes.

Distributed NoSQL stores such as Cassandra (and MongoDB with hashed sharding) place each item on a node by
hashing its key: the hash gives a number, and the number picks the node. This module
is a first taste, with the simplest rule, ``hash(key) mod n``. It spreads keys evenly,
but when a node is added almost every key has to move: going from ``n`` to ``n + 1``
nodes, a key stays only if ``hash mod n == hash mod (n + 1)``, which happens for a share
``1 / (n + 1)`` of hashes. Chapter 7 fixes that with consistent hashing.

Hashes come from the course's one key hash, :func:`scalelab.hashing.hash64`, not Python's
``hash()``, whose value for strings changes from one process to the next: placement must
be the same on every machine.

References
----------
- D. Karger et al., "Consistent hashing and random trees", *STOC* 1997 (the problem
  modulo placement has when nodes come and go).
- A. Lakshman and P. Malik, "Cassandra: a decentralized structured storage system",
  *ACM SIGOPS Operating Systems Review* 44(2), 2010.
- MongoDB manual, "Hashed sharding"; Neo4j Operations Manual, "Clustering".
- I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, ch. 2 and ch. 10-13.
"""

from __future__ import annotations

import numpy as np

from ._validate import at_least, in_range

#: Most nodes a model accepts (keys_per_node returns one count per node).
MAX_NODES = 100_000
from .hashing import hash64, modulo_moved_fraction

__all__ = ["key_hash", "node_for_key", "keys_per_node", "moved_share", "expected_moved_share", "store_families"]


def key_hash(key: str) -> int:
    """A 64-bit hash of ``key`` that is the same in every process and on every machine.

    >>> key_hash("ticket-42") == key_hash("ticket-42")
    True
    """
    if not isinstance(key, str):
        raise ValueError(f"key must be a string, got {type(key).__name__}")
    return int(hash64([key])[0])


def node_for_key(key: str, nodes: int) -> int:
    """The node (0 .. nodes - 1) that holds ``key`` under modulo placement.

    Parameters
    ----------
    key : the database key, a string.
    nodes : number of nodes, whole number >= 1.

    >>> node_for_key("ticket-42", 1)
    0
    >>> 0 <= node_for_key("ticket-42", 5) < 5
    True
    """
    n = int(in_range("nodes", nodes, 1, MAX_NODES, integer=True, max_ndim=0))
    return key_hash(key) % n


def _hashes(n_keys: int) -> np.ndarray:
    return hash64([f"key-{i}" for i in range(n_keys)])


def keys_per_node(n_keys: int, nodes: int) -> np.ndarray:
    """How many of the keys ``key-0 .. key-(n_keys - 1)`` each node holds.

    >>> counts = keys_per_node(10_000, 4)
    >>> int(counts.sum()), bool(counts.min() > 2_300)
    (10000, True)
    """
    k = int(in_range("n_keys", n_keys, 1, 10_000_000, integer=True, max_ndim=0))
    n = int(in_range("nodes", nodes, 1, MAX_NODES, integer=True, max_ndim=0))
    return np.bincount((_hashes(k) % np.uint64(n)).astype(np.int64), minlength=n)


def moved_share(n_keys: int, nodes_before: int, nodes_after: int) -> float:
    """Share of ``n_keys`` real keys whose node changes when ``nodes_before`` becomes ``nodes_after``.

    >>> round(moved_share(20_000, 4, 5), 2)
    0.8
    """
    k = int(in_range("n_keys", n_keys, 1, 10_000_000, integer=True, max_ndim=0))
    a = int(in_range("nodes_before", nodes_before, 1, MAX_NODES, integer=True, max_ndim=0))
    b = int(in_range("nodes_after", nodes_after, 1, MAX_NODES, integer=True, max_ndim=0))
    h = _hashes(k)
    return float(np.mean(h % np.uint64(a) != h % np.uint64(b)))


def expected_moved_share(nodes_before: int, nodes_after: int) -> float:
    """Share of uniformly spread hashes that change node under modulo placement.

    A hash ``h`` keeps its node when ``h mod a == h mod b == r``. That needs
    ``r < min(a, b)``, and then ``h == r (mod lcm(a, b))`` (Chinese remainder theorem):
    one value per period of ``lcm(a, b)`` for each such ``r``. So a share
    ``min(a, b) / lcm(a, b)`` stays; from ``n`` to ``n + 1`` nodes that is ``1 / (n + 1)``.

    Parameters
    ----------
    nodes_before, nodes_after : node counts, whole numbers >= 1.

    >>> expected_moved_share(4, 5)
    0.8
    >>> expected_moved_share(4, 8)
    0.5
    """
    return modulo_moved_fraction(nodes_before, nodes_after)  # chapter 7's hashing module


def store_families() -> "pd.DataFrame":
    """Ways to scale a database out, as the chapter compares them (a small table).

    Five rows in three classes: an existing SQL engine scaled out, a SQL database born
    distributed (NewSQL), and three NoSQL stores. Columns: ``class``, ``data model``,
    ``where data lives``, ``replication`` (how copies are kept) and ``transactions``.

    References
    ----------
    Oracle RAC and Vitess documentation; J. C. Corbett et al., "Spanner: Google's
    globally-distributed database", OSDI 2012; CockroachDB docs, "Replication layer"
    (Raft); Apache Cassandra 4 docs, "Dynamo" (token ring, replication factor,
    consistency levels); MongoDB manual, "Sharding", "Replication" and "Transactions"
    (multi-document transactions on replica sets since 4.0, 2018, across shards since
    4.2, 2019); Neo4j Operations Manual 5, "Clustering" (databases hosted on a subset of
    servers) and "Composite databases" (sharding a graph).

    >>> list(store_families().columns)
    ['class', 'data model', 'where data lives', 'replication', 'transactions']
    """
    import pandas as pd

    rows = [
        ("Oracle RAC; MySQL + Vitess; PostgreSQL + Citus", "scaled-out SQL engine", "relational tables",
         "RAC: one database on shared disks, many engine instances; Vitess, Citus: a routing layer "
         "shards tables over ordinary MySQL or PostgreSQL servers",
         "each shard's primary streams its log to replicas (RAC: storage-level mirroring)",
         "full SQL within a shard; across shards limited or slower (two-phase commit)"),
        ("Google Spanner, CockroachDB, YugabyteDB", "NewSQL: SQL born distributed", "relational tables",
         "key ranges split and moved between nodes automatically",
         "each range a consensus group (Paxos in Spanner, Raft in the others) of usually 3 or 5 replicas",
         "ACID SQL transactions across nodes: serializable by default in Spanner and CockroachDB, in YugabyteDB snapshot isolation, or read committed on new clusters since v2025.2 (serializable on request)"),
        ("Cassandra", "NoSQL: wide-column", "tables of rows grouped by partition key",
         "hash of the partition key on a token ring",
         "each partition on replication-factor nodes, no leader; consistency chosen per query (ONE, QUORUM, ALL)",
         "single-partition lightweight transactions (Paxos); no multi-partition transactions"),
        ("MongoDB", "NoSQL: document", "JSON-like documents",
         "shards by ranges or by a hash of the shard key",
         "each shard a replica set: one elected primary takes writes, secondaries copy its log",
         "multi-document ACID transactions, across shards since 4.2 (2019)"),
        ("Neo4j 5", "NoSQL: graph", "nodes and relationships",
         "each database on a chosen subset of the cluster's servers; a graph can be split by hand "
         "into several databases queried together as one composite database",
         "per database, one primary (the Raft leader) takes writes and commits once most "
         "primaries hold them; secondaries copy asynchronously for reads",
         "ACID transactions within one database"),
    ]
    return pd.DataFrame(rows, columns=["store", "class", "data model", "where data lives", "replication",
                                       "transactions"]).set_index("store")
