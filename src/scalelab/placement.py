"""Where a key's N replicas sit on a consistent-hashing ring: the successor list.

Partitioning picks a key's first node; replication needs ``N`` distinct nodes. A
Dynamo-style store walks clockwise from the key's position and takes the owners of the
points it meets, skipping virtual nodes of a node it has already taken, until it has
``N`` distinct nodes: the key's *preference list* (Dynamo) or replica set (Cassandra's
``SimpleStrategy``). Walking past virtual nodes of the same node is what keeps the
copies on different machines.

Machines in one rack share a switch and a power feed, so Cassandra's
``NetworkTopologyStrategy`` also spreads the copies over racks: walking clockwise it takes
a node whose rack holds no copy yet, and passes over a node whose rack already holds one,
except that when there are fewer racks than copies it accepts the first ``N - racks``
such nodes it meets, so that every rack still gets a copy. (Older Cassandra versions passed
over them all and filled the remaining places from the passed-over nodes once every rack had
a copy; that picks the same set of nodes.) This module models one data centre.

References
----------
- G. DeCandia et al., "Dynamo: Amazon's highly available key-value store", SOSP 2007,
  section 4.3 (replication, the preference list skips positions of the same node).
- Apache Cassandra documentation, "Data replication" (SimpleStrategy,
  NetworkTopologyStrategy), and ``NetworkTopologyStrategy.calculateNaturalReplicas`` and
  its ``DatacenterEndpoints.addEndpointAndCheckIfDone`` (current versions, to 5.0: racks
  seen, ``acceptableRackRepeats = rf - racks``; older ones kept ``skippedDcEndpoints``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import numpy as np

from ._validate import count, in_range
from .hashing import RING_COLORS, RING_NODES, ConsistentHashRing, hash64
from .palette import GUIDE, INK, _letter_on

__all__ = ["preference_list", "replica_walk", "replica_picture", "replica_summary", "PICTURE_KEY", "PICTURE_RANGE"]


def _check(ring: ConsistentHashRing, key: str, replicas: int, racks: Mapping[str, str] | None):
    if not isinstance(ring, ConsistentHashRing):
        raise ValueError(f"ring must be a ConsistentHashRing, got {type(ring).__name__}")
    if not isinstance(key, str):
        raise ValueError(f"key must be a str, got {key!r}")
    n = int(in_range("replicas", replicas, 1, len(ring.nodes), integer=True, max_ndim=0))
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
    repeats_left = n - rack_count  # copies beyond one per rack, when racks are fewer than copies
    seen_racks: set[str] = set()

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
            chosen.append(node)
            rows[-1]["decision"] = f"replica {len(chosen)}"
        elif racks[node] not in seen_racks:
            seen_racks.add(racks[node])
            chosen.append(node)
            rows[-1]["decision"] = f"replica {len(chosen)}"
        elif repeats_left > 0:
            repeats_left -= 1
            chosen.append(node)
            rows[-1]["decision"] = (f"replica {len(chosen)} (rack {racks[node]} again: "
                                    f"{rack_count} racks for {n} copies)")
        else:
            rows[-1]["decision"] = f"pass over: rack {racks[node]} already has a copy"
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


# --- Model for the explorer ------------------------------------------------------------

PICTURE_KEY = "user:11"
_TURN = 2.0**64


def _xy(fraction: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """Points on a circle, clockwise from the top, for positions given as fractions of a turn."""
    theta = np.pi / 2 - 2 * np.pi * np.asarray(fraction, dtype=np.float64)
    return radius * np.cos(theta), radius * np.sin(theta)


def replica_picture(nodes: int, vnodes: int, replicas: int) -> dict:
    """The ring of ``nodes`` nodes (A, B, ...) and the walk that places one key's ``replicas`` copies.

    Diamonds are virtual nodes in their node's colour, marked with its letter (no node is
    in the legend, which would list all six at every setting); the star is the key
    (:data:`PICTURE_KEY`); the dashed grey arc is the walk clockwise from the key; circles mark
    the points whose nodes take a copy, crosses just outside the walk the points skipped because their node
    already has one (the successor list of :func:`preference_list`, no racks).

    Parameters
    ----------
    nodes : int
        Nodes on the ring, lettered A, B, ...; whole, in [1, 6].
    vnodes : int
        Virtual nodes per node; whole, in [1, 64].
    replicas : int
        Copies of the key (the replication factor N); whole, in [1, nodes].

    >>> pic = replica_picture(4, 4, 3)
    >>> int(np.isfinite(pic["copies"]["x"]).sum())
    3
    """
    return dict(_replica_picture(*_picture_args(nodes, vnodes, replicas)))


def _picture_args(nodes: int, vnodes: int, replicas: int) -> tuple[int, int, int]:
    """The replica picture's arguments, checked (for the picture and its summary)."""
    n = count("nodes", nodes, len(RING_NODES))
    return n, count("vnodes", vnodes, 64), count("replicas", replicas, n)


@lru_cache(maxsize=256)
def _picture_walk(n: int, v: int, r: int) -> tuple[ConsistentHashRing, pandas.DataFrame]:
    """The ring of the picture and the walk for :data:`PICTURE_KEY` (read only: cached)."""
    ring = ConsistentHashRing(list(RING_NODES[:n]), vnodes=v)
    return ring, replica_walk(ring, PICTURE_KEY, r)


def replica_summary(nodes: int, vnodes: int, replicas: int) -> str:
    """What :func:`replica_picture` shows, in words (the figure's text alternative): where
    the walk from the key puts its copies, and which points it skips.

    Parameters
    ----------
    nodes : int
        Nodes on the ring, lettered A, B, ...; whole, in [1, 6].
    vnodes : int
        Virtual nodes per node; whole, in [1, 64].
    replicas : int
        Copies of the key (the replication factor N); whole, in [1, nodes].

    Returns
    -------
    str
        The nodes that take a copy, in walk order, and the skipped points per node.

    >>> replica_summary(6, 2, 3)
    'Walking clockwise from user:11, the copies go to D, E and B; it skips 1 point, of D, which already holds a copy.'
    """
    n, v, r = _picture_args(nodes, vnodes, replicas)
    _, walk = _picture_walk(n, v, r)
    chosen = walk.loc[walk["decision"].str.startswith("replica"), "node"].tolist()
    skipped = walk.loc[walk["decision"].str.startswith("skip"), "node"].tolist()
    said = chosen[0] if len(chosen) == 1 else f"{', '.join(chosen[:-1])} and {chosen[-1]}"
    text = f"Walking clockwise from {PICTURE_KEY}, the {'copy goes' if r == 1 else 'copies go'} to {said}"
    if not skipped:
        return text + "; it skips no point."
    if len(skipped) == 1:
        return text + f"; it skips 1 point, of {skipped[0]}, which already holds a copy."
    tally = ", ".join(f"{skipped.count(m)} of {m}" for m in dict.fromkeys(skipped))
    return text + f"; it skips {len(skipped)} points whose nodes already hold a copy: {tally}."


#: Where :func:`replica_picture` marks a skipped point: outside the ring (radius 1) and the walk (1.1).
SKIP_RADIUS = 1.19
#: The axis range that shows the whole picture, crosses included (``x_range`` and ``y_range``).
PICTURE_RANGE = (-1.32, 1.32)


@lru_cache(maxsize=256)
def _replica_picture(n: int, v: int, r: int) -> tuple:
    ring, walk = _picture_walk(n, v, r)
    key_at = float(hash64([PICTURE_KEY])[0]) / _TURN
    end = float(walk["position"].iloc[-1])
    span = (end - key_at) % 1.0
    arc = key_at + np.linspace(0.0, span, max(2, int(span * 180) + 2))
    hidden = np.array([np.nan])
    traces = {}
    cx, cy = _xy(np.linspace(0, 1, 181), 1.0)
    traces["ring"] = {"x": cx, "y": cy, "mode": "lines", "line": {"color": GUIDE, "width": 2},
                      "showlegend": False, "hoverinfo": "skip"}
    wx, wy = _xy(arc % 1.0, 1.1)
    traces["walk from the key"] = {"x": wx, "y": wy, "mode": "lines", "line": {"color": INK, "width": 3, "dash": "dash"}}
    positions, owners = ring.positions.astype(np.float64) / _TURN, ring.owners
    for i, name in enumerate(RING_NODES):
        if i < n:
            px, py = _xy(positions[owners == name], 1.0)
        else:
            px = py = hidden
        # Lettered diamonds instead of legend entries: only x and y change between frames,
        # so a legend would list nodes D-F on a ring of three.
        traces[f"node {name}"] = {"x": px, "y": py, "mode": "markers+text", "showlegend": False,
                                  "text": name, "textposition": "middle center",
                                  "textfont": {"color": _letter_on(RING_COLORS[i]), "size": 10},
                                  "marker": {"color": RING_COLORS[i], "size": 19, "symbol": "diamond",
                                             "line": {"color": "white", "width": 1.5}}}
    taken = walk["decision"].str.startswith("replica").to_numpy()
    skipped = walk["decision"].str.startswith("skip").to_numpy()
    tx, ty = _xy(walk["position"].to_numpy()[taken], 1.0)
    # a skipped point's cross stands just outside the walk, not on the diamond (it would hide the letter)
    sx, sy = _xy(walk["position"].to_numpy()[skipped], SKIP_RADIUS) if skipped.any() else (hidden, hidden)
    traces["copies"] = {"x": tx, "y": ty, "mode": "markers",
                        "marker": {"color": INK, "size": 28, "symbol": "circle-open", "line": {"width": 2.5}}}
    traces["skipped: same node again"] = {"x": sx, "y": sy, "mode": "markers",
                                          "marker": {"color": "white", "size": 13, "symbol": "x",
                                                     "line": {"color": INK, "width": 1.5}}}
    kx, ky = _xy(np.array([key_at]), 1.1)
    traces[f"key {PICTURE_KEY}"] = {"x": kx, "y": ky, "mode": "markers",
                                    "marker": {"color": INK, "size": 15, "symbol": "star"}}
    return tuple(traces.items())
