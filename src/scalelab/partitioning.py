"""Partitioning data by key range or by key hash, and what skewed access does to each.

A partitioned store splits its keys over ``N`` partitions (shards). *Range*
partitioning gives each partition a contiguous run of keys: range scans stay on one
partition, but keys that are popular together (the newest orders, today's timestamps)
land together. *Hash* partitioning scatters keys by a hash of the key: neighbours are
spread out, so load evens out, but range scans must visit every partition. Neither
helps with one *hot key*: a key that alone draws a share ``p`` of the requests puts at
least ``p`` on its partition, an imbalance of at least ``p N``.

Popularity is modelled as Zipf's law: the ``k``-th most popular of ``K`` keys draws a
share proportional to ``1 / k**s``.

References
----------
- G. K. Zipf, *Human Behavior and the Principle of Least Effort*, 1949; L. Breslau et
  al., "Web caching and Zipf-like distributions", INFOCOM 1999 (s near 0.6-0.8 for web).
- G. DeCandia et al., "Dynamo: Amazon's highly available key-value store", SOSP 2007.
- M. Kleppmann, *Designing Data-Intensive Applications*, O'Reilly, 2017, ch. 6.
- MongoDB manual, "Hashed sharding" and "Ranged sharding".
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import hashing
from ._validate import at_least, count, in_range, number
from .palette import BLUE, INK, ORANGE, RED

#: Most keys a model builds arrays for (10 million: 80 MB per float array).
MAX_KEYS = 10_000_000
#: Most partitions.
MAX_PARTITIONS = 100_000

__all__ = [
    "zipf_weights",
    "range_partition",
    "hash_partition",
    "partition_shares",
    "imbalance",
    "hot_key_floor",
    "skew_bars",
    "skew_table",
]


def zipf_weights(n_keys: int, exponent: float) -> np.ndarray:
    """Request shares of ``n_keys`` keys under Zipf's law, most popular first (they sum to 1).

    Parameters
    ----------
    n_keys : number of keys, a whole number in [1, MAX_KEYS].
    exponent : Zipf exponent ``s`` >= 0, finite (0 = uniform; near 1 = a few keys dominate).

    References
    ----------
    Zipf 1949; Breslau et al. 1999.

    >>> zipf_weights(4, 0).tolist()
    [0.25, 0.25, 0.25, 0.25]
    >>> zipf_weights(3, 1).round(3).tolist()
    [0.545, 0.273, 0.182]
    """
    k = count("n_keys", n_keys, MAX_KEYS)
    s = number("exponent", exponent, 0)
    w = 1.0 / np.arange(1, k + 1, dtype=float) ** s
    return w / w.sum()


def range_partition(n_keys: int, n_partitions: int) -> np.ndarray:
    """Partition of key ``0 .. n_keys - 1`` when each partition holds an equal contiguous run.

    ``n_keys`` in [1, MAX_KEYS], ``n_partitions`` in [1, MAX_PARTITIONS] (so that
    ``key x n_partitions`` cannot overflow int64).

    >>> range_partition(6, 3).tolist()
    [0, 0, 1, 1, 2, 2]
    """
    k = count("n_keys", n_keys, MAX_KEYS)
    n = count("n_partitions", n_partitions, MAX_PARTITIONS)
    return (np.arange(k, dtype=np.int64) * n) // k


def hash_partition(keys, n_partitions: int) -> np.ndarray:
    """Partition of each str key: ``hash64(key) mod n_partitions`` (see :mod:`scalelab.hashing`).

    >>> hash_partition(["a", "b", "c"], 2).tolist()
    [1, 0, 0]
    """
    n = count("n_partitions", n_partitions, MAX_PARTITIONS)
    return (hashing.hash64(keys) % np.uint64(n)).astype(np.int64)


def partition_shares(weights: np.ndarray, partition: np.ndarray, n_partitions: int) -> np.ndarray:
    """Share of all requests that each partition receives.

    Parameters
    ----------
    weights : request share of each key, >= 0.
    partition : partition index of each key, in ``0 .. n_partitions - 1``.
    n_partitions : whole number in [1, MAX_PARTITIONS].

    >>> partition_shares(np.array([0.5, 0.3, 0.2]), np.array([0, 1, 1]), 2).tolist()
    [0.5, 0.5]
    """
    n = count("n_partitions", n_partitions, MAX_PARTITIONS)
    w = at_least("weights", weights, 0, max_ndim=1)
    p = in_range("partition", partition, 0, n - 1, integer=True, max_ndim=1).astype(np.intp)
    if w.shape != p.shape:
        raise ValueError(f"weights and partition must have the same length, got {w.size} and {p.size}")
    return np.bincount(p, weights=w, minlength=n)


def imbalance(shares: np.ndarray) -> float:
    """Busiest partition's load over the mean load (1 = perfectly even, N = all on one).

    >>> imbalance(np.array([0.5, 0.25, 0.25, 0.0]))
    2.0
    """
    s = at_least("shares", shares, 0, max_ndim=1)
    if s.size == 0 or s.sum() == 0:
        raise ValueError("shares must hold at least one positive value")
    return float(s.max() / s.mean())


def hot_key_floor(weights: np.ndarray, n_partitions: int) -> float:
    """The least imbalance any placement can reach: the hottest key's share times N (at least 1).

    No partitioning scheme splits a single key, so its partition carries at least its share.

    >>> round(hot_key_floor(zipf_weights(1000, 1.0), 16), 2)
    2.14
    """
    n = count("n_partitions", n_partitions, MAX_PARTITIONS)
    w = at_least("weights", weights, 0, max_ndim=1)
    if not w.sum() > 0:
        raise ValueError(f"weights must hold at least one positive value, got {weights!r}"[:200])
    return float(max(1.0, w.max() / w.sum() * n))


# --- Models for the explorer ---------------------------------------------------------

SKEW_KEYS = 10_000


@lru_cache(maxsize=64)
def _hashed(n_partitions: int) -> np.ndarray:
    keys = np.strings.add("order:", np.arange(SKEW_KEYS).astype(str))
    return hash_partition(keys, n_partitions)


def skew_bars(exponent: float, partitions: int) -> dict:
    """Load per partition under range and hash partitioning, for Zipf-popular sequential keys.

    The keys are ``order:0 .. order:9999`` and the newest (adjacent) keys are the most
    popular, as for recent orders. Loads are shares of all requests (they sum to 1).

    >>> bars = skew_bars(1.0, 4)
    >>> [round(float(v), 3) for v in bars["range partitioning"]["y"]]
    [0.029, 0.041, 0.071, 0.858]
    """
    exponent = number("exponent", exponent, 0)
    n = count("partitions", partitions, SKEW_KEYS)
    w = zipf_weights(SKEW_KEYS, exponent)[::-1]  # key 9999 is the newest and hottest
    x = np.arange(1, n + 1)
    by_range = partition_shares(w, range_partition(SKEW_KEYS, n), n)
    by_hash = partition_shares(w, _hashed(n), n)
    return {
        "range partitioning": {"x": x, "y": by_range, "type": "bar", "marker": {"color": RED}},
        "hash partitioning": {"x": x, "y": by_hash, "type": "bar", "marker": {"color": BLUE}},
        "even share": {"x": np.array([0.5, n + 0.5]), "y": np.full(2, 1 / n), "mode": "lines",
                       "line": {"color": INK, "dash": "dash"}},
        "hottest key alone": {"x": np.array([0.5, n + 0.5]), "y": np.full(2, w.max()), "mode": "lines",
                              "line": {"color": ORANGE, "dash": "dot"}},
    }


def skew_table(exponents=(0.0, 0.5, 0.8, 1.0, 1.2), partitions: int = 16):
    """Imbalance (max / mean load) of range and hash partitioning, and the hot-key floor."""
    import pandas as pd

    exponents = [float(e) for e in at_least("exponents", exponents, 0, max_ndim=1)]
    partitions = count("partitions", partitions, SKEW_KEYS)
    rows = []
    for s in exponents:
        w = zipf_weights(SKEW_KEYS, s)[::-1]
        rows.append({
            "Zipf exponent": s,
            "range: max/mean": imbalance(partition_shares(w, range_partition(SKEW_KEYS, partitions), partitions)),
            "hash: max/mean": imbalance(partition_shares(w, _hashed(partitions), partitions)),
            "hot-key floor": hot_key_floor(w, partitions),
        })
    return pd.DataFrame(rows).set_index("Zipf exponent")
