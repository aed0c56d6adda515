"""Where a key's N replicas sit on a consistent-hashing ring: the successor list.

Partitioning picks a key's first node; replication needs ``N`` distinct nodes. A
Dynamo-style store walks clockwise from the key's position and takes the owners of the
points it meets, skipping virtual nodes of a node it has already taken, until it has
``N`` distinct nodes: the key's *preference list* (Dynamo) or replica set (Cassandra's
``SimpleStrategy``). Walking past virtual nodes of the same node is what keeps the
copies on different machines.

Machines in one rack share a switch and a power feed, so Cassandra's
``NetworkTopologyStrategy`` also spreads the copies over racks: walking clockwise it takes
a node only if its rack holds no copy yet, remembers the nodes it passed over, and once
every rack holds a copy fills the remaining places from those passed-over nodes, in
ring order, then from further along the ring. This module models one data centre.

References
----------
- G. DeCandia et al., "Dynamo: Amazon's highly available key-value store", SOSP 2007,
  section 4.3 (replication, the preference list skips positions of the same node).
- Apache Cassandra documentation, "Data replication" (SimpleStrategy,
  NetworkTopologyStrategy), and ``NetworkTopologyStrategy.calculateNaturalReplicas``
  (racks seen, skipped endpoints filled once every rack has a replica).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ._validate import in_range
from .hashing import ConsistentHashRing, hash64

__all__ = ["preference_list", "replica_walk"]


def _check(ring: ConsistentHashRing, key: str, replicas: int, racks: Mapping[str, str] | None):
    if not isinstance(ring, ConsistentHashRing):
        raise ValueError(f"ring must be a ConsistentHashRing, got {type(ring).__name__}")
    if not isinstance(key, str):
        raise ValueError(f"key must be a str, got {key!r}")
    n = int(in_range("replicas", replicas, 1, len(ring.nodes), integer=True))
    if racks is not None:
        if not isinstance(racks, Mapping):
            raise ValueError(f"racks must be a mapping of node name to rack name, got {type(racks).__name__}")
        missing = [node for node in ring.nodes if node not in racks]
        if missing:
            raise ValueError(f"racks must name a rack for every node, got none for {missing[0]!r}")
    return n


def replica_walk(ring: ConsistentHashRing, key: str, replicas: int = 3,
                 racks: Mapping[str, str] | None = None):
    """The clockwise walk that picks a key's replicas, one row per ring point visited.

    Parameters
    ----------
    ring : the ring (its points and their owners).
    key : the key whose replicas are placed.
    replicas : how many distinct nodes hold a copy (the replication factor N), whole, in
        [1, number of nodes].
    racks : node name -> rack name, for rack-aware placement as in Cassandra's
        ``NetworkTopologyStrategy`` (one data centre); None for ``SimpleStrategy``.

    Returns
    -------
    pandas.DataFrame with the point's position (fraction of the circle, clockwise from 0),
    its node, its rack (if racks are given) and what the walk did there. The walk stops
    as soon as ``replicas`` nodes are chosen, and visits each point at most once.

    >>> ring = ConsistentHashRing(["A", "B", "C", "D"], vnodes=4)
    >>> walk = replica_walk(ring, "user:42", 3)
    >>> int(walk["decision"].str.startswith("replica").sum())
    3
    """
    import pandas as pd

    n = _check(ring, key, replicas, racks)
    positions, owners = ring.positions, ring.owners
    h = hash64([key])[0]
    start = int(np.searchsorted(positions, h, side="left")) % positions.size
    chosen: list[str] = []
    rows: list[dict] = []
    rack_count = len(set(racks[node] for node in ring.nodes)) if racks else 0
    seen_racks: set[str] = set()
    skipped: list[str] = []  # passed over for their rack, in ring order

    def take(node: str, how: str) -> None:
        chosen.append(node)
        rows[-1]["decision"] = f"replica {len(chosen)}{how}"

    for step in range(positions.size):
        if len(chosen) == n:
            break
        i = (start + step) % positions.size
        node = str(owners[i])
        rows.append({"position": float(positions[i]) / 2.0**64, "node": node,
                     **({"rack": racks[node]} if racks else {}), "decision": ""})
        if node in chosen:
            rows[-1]["decision"] = f"skip: node {node} already holds a copy"
        elif racks is None:
            take(node, "")
        elif node in skipped:
            rows[-1]["decision"] = f"skip: node {node} already passed over"
        elif racks[node] in seen_racks and len(seen_racks) < rack_count:
            skipped.append(node)
            rows[-1]["decision"] = f"pass over for now: rack {racks[node]} already has a copy"
        else:
            seen_racks.add(racks[node])
            take(node, "")
            if len(seen_racks) == rack_count:  # every rack has a copy: use the passed-over nodes
                while skipped and len(chosen) < n:
                    late = skipped.pop(0)
                    chosen.append(late)
                    rows.append({"position": float("nan"), "node": late,
                                 **({"rack": racks[late]} if racks else {}),
                                 "decision": f"replica {len(chosen)} (passed over earlier; every rack now has a copy)"})
    table = pd.DataFrame(rows)
    table.index = pd.RangeIndex(1, len(table) + 1, name="step")
    return table


def preference_list(ring: ConsistentHashRing, key: str, replicas: int = 3,
                    racks: Mapping[str, str] | None = None) -> list[str]:
    """The ``replicas`` distinct nodes that hold ``key``, first the key's own node (see :func:`replica_walk`).

    >>> ring = ConsistentHashRing(["A", "B", "C", "D"], vnodes=4)
    >>> pl = preference_list(ring, "user:42", 3)
    >>> pl[0] == ring.lookup(["user:42"])[0], len(set(pl))
    (True, 3)
    """
    walk = replica_walk(ring, key, replicas, racks)
    picked = walk[walk["decision"].str.startswith("replica")]
    return picked["node"].tolist()
