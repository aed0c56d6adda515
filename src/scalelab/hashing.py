"""Placing keys on nodes by hashing: modulo placement, consistent hashing, Redis slots.

A distributed store decides where a key lives by hashing it. The simplest rule,
``hash(key) mod N``, spreads keys evenly but moves almost every key when ``N`` changes.
Consistent hashing (Karger et al. 1997) puts nodes and keys on the same circle of hash
values; a key belongs to the first node point clockwise from it, so a node joining or
leaving moves only the keys of its own arcs. Each node gets many points on the circle
(kappa log C points per cache in Karger et al.; "virtual nodes" in Dynamo) so that its
share of the circle is close to ``1/N``.
Redis Cluster takes a third route: a fixed table of 16,384 slots, the slot of a key
being ``CRC16(key) mod 16384``.

Every hash here is computed on the UTF-8 bytes of the key, vectorized over a whole batch
of keys with numpy (one pass per byte column, never a Python loop over keys), and is the
same in every process and on every machine: never Python's salted ``hash()``.

References
----------
- D. Karger, E. Lehman, T. Leighton, R. Panigrahy, M. Levine, D. Lewin, "Consistent
  hashing and random trees", STOC 1997.
- G. DeCandia et al., "Dynamo: Amazon's highly available key-value store", SOSP 2007.
- G. Fowler, L. C. Noll, K.-P. Vo, D. Eastlake, "The FNV non-cryptographic hash
  algorithm", IETF draft-eastlake-fnv (FNV-1a and its offset basis and prime).
- A. Appleby, MurmurHash3 (the 64-bit finalizer ``fmix64``), SMHasher, 2011.
- Redis Cluster specification, "Keys distribution model" and Appendix A (CRC16).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from math import gcd

import numpy as np

from ._validate import at_least, count, in_range, number
from .palette import BLUE, BROWN, GREY, INK, ORANGE, RED, TEAL, _letter_on

#: Most virtual nodes per node, and most ring points (nodes x vnodes) a ring holds.
MAX_VNODES = 100_000
MAX_RING_POINTS = 10_000_000
#: Most keys, nodes and repeats :func:`benchmark_lookup` accepts.
MAX_BENCH_KEYS = 5_000_000
MAX_BENCH_NODES = 10_000
MAX_REPEATS = 100

__all__ = [
    "encode_keys",
    "fnv1a_64",
    "fmix64",
    "hash64",
    "modulo_lookup",
    "modulo_moved_fraction",
    "consistent_moved_fraction",
    "load_cv",
    "vnodes_for_load_cv",
    "sampling_noise_cv",
    "spread_check",
    "ConsistentHashRing",
    "crc16_xmodem",
    "redis_hash_slot",
    "REDIS_SLOTS",
    "benchmark_lookup",
    "compare_lookup",
]

FNV64_OFFSET = np.uint64(0xCBF29CE484222325)
FNV64_PRIME = np.uint64(0x100000001B3)
REDIS_SLOTS = 16_384
_BUCKET_BITS = 16
_BUCKET_SHIFT = np.uint64(64 - _BUCKET_BITS)


def _as_key_array(keys: str | Iterable[str]) -> np.ndarray:
    if isinstance(keys, (str, bytes)):
        raise ValueError("keys must be a sequence of str keys, got a single string: wrap it in a list")
    arr = np.asarray(keys if isinstance(keys, np.ndarray) else list(keys))
    if arr.ndim != 1:
        raise ValueError(f"keys must be a one-dimensional sequence of str, got shape {arr.shape}")
    if arr.size == 0:
        return np.zeros(0, dtype="<U1")
    if arr.dtype.kind != "U":
        raise ValueError(f"keys must be str, got numpy dtype {arr.dtype}")
    return arr


def encode_keys(keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """UTF-8 bytes of each key as a zero-padded ``uint8`` matrix, and each key's byte length.

    Keys go through numpy's fixed-width unicode array (UCS-4 code points), and the
    UTF-8 encoding is computed for all keys at once. Like every numpy string, a key
    loses trailing NUL characters (``"a\\x00"`` is read as ``"a"``).

    Parameters
    ----------
    keys : sequence of str (not a single str).

    Returns
    -------
    (bytes, lengths) : ``uint8`` array of shape ``(len(keys), max bytes)`` and an
        ``int64`` array of byte lengths.

    References
    ----------
    RFC 3629, "UTF-8, a transformation format of ISO 10646", section 3.

    >>> b, n = encode_keys(["ab", "é"])
    >>> b.tolist(), n.tolist()
    ([[97, 98], [195, 169]], [2, 2])
    """
    arr = _as_key_array(keys)
    if arr.size == 0:
        return np.zeros((0, 0), dtype=np.uint8), np.zeros(0, dtype=np.int64)
    width = arr.dtype.itemsize // 4
    cp = arr.view(np.uint32).reshape(arr.size, width)
    if width == 0 or int(cp.max(initial=0)) < 0x80:  # ASCII: one byte per code point
        return cp.astype(np.uint8), np.strings.str_len(arr).astype(np.int64)
    if np.any((cp >= 0xD800) & (cp < 0xE000)):
        raise ValueError("keys must be valid unicode text, got a lone surrogate code point")
    nbytes = (cp > 0).astype(np.int64) + (cp >= 0x80) + (cp >= 0x800) + (cp >= 0x10000)
    # A NUL inside a key is one byte, not padding: padding is only past the key's length.
    chars = np.strings.str_len(arr)
    inside = np.arange(width) < chars[:, None]
    nbytes = np.where(inside & (cp == 0), 1, nbytes)
    ends = np.cumsum(nbytes, axis=1)
    starts = ends - nbytes
    lengths = ends[:, -1]
    out = np.zeros((arr.size, int(lengths.max())), dtype=np.uint8)
    rows = np.broadcast_to(np.arange(arr.size)[:, None], cp.shape)
    lead = np.array([0, 0x00, 0xC0, 0xE0, 0xF0], dtype=np.uint32)
    for k in range(4):  # byte k of each code point's encoding (at most 4)
        has = nbytes > k
        shift = (6 * (nbytes - 1 - k)).clip(0).astype(np.uint32)
        if k == 0:
            value = lead[nbytes] | (cp >> shift)
        else:
            value = 0x80 | ((cp >> shift) & 0x3F)
        out[rows[has], (starts + k)[has]] = value[has].astype(np.uint8)
    return out, lengths.astype(np.int64)


def fnv1a_64(keys: Sequence[str]) -> np.ndarray:
    """64-bit FNV-1a of each key's UTF-8 bytes, as ``uint64`` (vectorized over keys).

    For each byte: ``h = (h XOR byte) * 0x100000001b3`` modulo 2**64, starting from the
    offset basis ``0xcbf29ce484222325``.

    References
    ----------
    Fowler, Noll, Vo and Eastlake, draft-eastlake-fnv; the test vectors there give
    FNV-1a-64("a") = 0xaf63dc4c8601ec8c and FNV-1a-64("foobar") = 0x85944171f73967e8.

    >>> [hex(int(h)) for h in fnv1a_64(["", "a", "foobar"])]
    ['0xcbf29ce484222325', '0xaf63dc4c8601ec8c', '0x85944171f73967e8']
    """
    data, lengths = encode_keys(keys)
    h = np.full(len(lengths), FNV64_OFFSET, dtype=np.uint64)
    shortest = int(lengths.min(initial=0))
    for j in range(data.shape[1]):
        column = data[:, j].astype(np.uint64)
        inside = None if j < shortest else (j < lengths)  # skip keys that have ended
        np.bitwise_xor(h, column, out=h, where=True if inside is None else inside)
        np.multiply(h, FNV64_PRIME, out=h, where=True if inside is None else inside)  # wraps mod 2**64
    return h


def fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer: a bijection that spreads every input bit over the output.

    FNV-1a alone leaves similar keys (``user1``, ``user2``) close in their high bits;
    this avalanche step makes ring positions look uniformly random.

    References
    ----------
    Appleby, MurmurHash3.cpp, ``fmix64`` (constants 0xff51afd7ed558ccd, 0xc4ceb9fe1a85ec53).

    >>> int(fmix64(np.array([0], dtype=np.uint64))[0])
    0
    """
    h = _uint64s("h", h).copy()
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


def _uint64s(name: str, value) -> np.ndarray:
    """Whole numbers in [0, 2**64) as a uint64 array (floats, bools, strings refused)."""
    if isinstance(value, (bool, np.bool_, str, bytes)) or value is None:
        raise ValueError(f"{name} must be whole numbers in [0, 2**64), got {value!r}"[:200])
    arr = np.asarray(value)
    if arr.dtype.kind == "u":
        return arr.astype(np.uint64)
    if arr.dtype.kind == "i" and (arr.size == 0 or arr.min() >= 0):
        return arr.astype(np.uint64)
    if arr.dtype.kind == "O" and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                                     and 0 <= v < 2**64 for v in arr.flat):
        return arr.astype(np.uint64)
    raise ValueError(f"{name} must be whole numbers in [0, 2**64) (an unsigned or non-negative int array), "
                     f"got {value!r}"[:200])


def hash64(keys: Sequence[str]) -> np.ndarray:
    """The course's key hash: FNV-1a-64 of the UTF-8 bytes, then ``fmix64``. Stable everywhere.

    >>> hex(int(hash64(["user:42"])[0]))
    '0x998817bee6718248'
    """
    return fmix64(fnv1a_64(keys))


def _node_names(nodes: Iterable[str]) -> list[str]:
    if isinstance(nodes, str):
        raise ValueError("nodes must be a sequence of node names, got a single string: wrap it in a list")
    names = list(nodes)
    if not names:
        raise ValueError("nodes must hold at least one node, got none")
    bad = [n for n in names if not isinstance(n, str) or not n]
    if bad:
        raise ValueError(f"nodes must be non-empty str names, got {bad[0]!r}")
    if len(set(names)) != len(names):
        raise ValueError("nodes must have distinct names, got a duplicate")
    return names


def modulo_lookup(keys: Sequence[str], nodes: Sequence[str]) -> np.ndarray:
    """Place each key on ``nodes[hash64(key) mod N]``: even, but fragile when N changes.

    Parameters
    ----------
    keys : sequence of str keys.
    nodes : sequence of distinct node names (at least one).

    Returns
    -------
    numpy array of str: the node of each key.

    >>> modulo_lookup(["a", "b", "c"], ["n0", "n1"]).tolist()
    ['n1', 'n0', 'n0']
    """
    names = np.asarray(_node_names(nodes))
    h = hash64(keys)
    return names[(h % np.uint64(len(names))).astype(np.intp)]


def modulo_moved_fraction(nodes_before: int, nodes_after: int) -> float:
    """Share of uniformly hashed keys whose node changes when ``hash mod a`` becomes ``hash mod b``.

    A key stays put when ``h mod a == h mod b``. Over one period ``lcm(a, b)`` of hash
    values exactly ``min(a, b)`` do (one for each common remainder), so the moved share is
    ``1 - min(a, b) / lcm(a, b)``. From ``N`` to ``N + 1`` nodes that is ``N / (N + 1)``.

    Parameters
    ----------
    nodes_before, nodes_after : whole numbers of nodes, >= 1.

    >>> modulo_moved_fraction(10, 11)
    0.9090909090909091
    >>> modulo_moved_fraction(4, 8)
    0.5
    """
    a = int(at_least("nodes_before", nodes_before, 1, integer=True, max_ndim=0))
    b = int(at_least("nodes_after", nodes_after, 1, integer=True, max_ndim=0))
    lcm = a * b // gcd(a, b)
    return 1.0 - min(a, b) / lcm


def consistent_moved_fraction(nodes_before: int, nodes_after: int) -> float:
    """Expected share of keys that move on a consistent-hashing ring when nodes join or leave.

    With equal shares, only the keys of the nodes that join (or leave) move:
    ``|b - a| / max(a, b)``; one node joining ``N`` moves ``1 / (N + 1)``.

    References
    ----------
    Karger et al. 1997 (monotonicity); DeCandia et al. 2007, section 4.2.

    >>> consistent_moved_fraction(10, 11)
    0.09090909090909091
    """
    a = int(at_least("nodes_before", nodes_before, 1, integer=True, max_ndim=0))
    b = int(at_least("nodes_after", nodes_after, 1, integer=True, max_ndim=0))
    return abs(b - a) / max(a, b)


def load_cv(vnodes: float, nodes: int | None = None) -> float:
    """Coefficient of variation of a node's share of the ring with ``vnodes`` points per node.

    The ``N v`` points are independent and uniform on the circle, so the ``N v`` arcs
    between them are uniform spacings (a flat Dirichlet), and a node's share, the sum of
    ``v`` of them, is a Beta(v, N v - v) variable of mean ``1/N``. Its coefficient of
    variation is exactly ``sqrt((N - 1) / (N v + 1))``. As ``N`` grows this tends to
    ``1 / sqrt(v)``, the value returned when ``nodes`` is None; at ``N = 4, v = 16`` the
    exact value is 0.215, not 0.25.

    Parameters
    ----------
    vnodes : virtual nodes per node, >= 1.
    nodes : number of nodes N, a whole number >= 1, or None for the large-N limit.

    References
    ----------
    H. A. David and H. N. Nagaraja, *Order Statistics*, 3rd ed., Wiley 2003, section 6.4
    (uniform spacings are exchangeable and Dirichlet distributed).

    >>> round(load_cv(160), 4), round(load_cv(16, nodes=4), 4)
    (0.0791, 0.2148)
    """
    v = float(at_least("vnodes", vnodes, 1, max_ndim=0))
    if nodes is None:
        return float(1.0 / np.sqrt(v))
    n = int(at_least("nodes", nodes, 1, integer=True, max_ndim=0))
    return float(np.sqrt((n - 1) / (n * v + 1)))


def vnodes_for_load_cv(target_cv: float, nodes: int | None = None) -> float:
    """Virtual nodes per node that bring the load's coefficient of variation down to ``target_cv``.

    Solves :func:`load_cv` for ``v``: ``((N - 1) / c**2 - 1) / N`` for ``N`` nodes (at
    least 1: if one point per node already meets the target, the answer is 1), or
    ``1 / c**2`` in the large-N limit (``nodes`` None).

    Parameters
    ----------
    target_cv : the coefficient of variation wanted, in (0, 1].
    nodes : number of nodes N, a whole number >= 2, or None for the large-N limit.

    >>> vnodes_for_load_cv(0.05), round(vnodes_for_load_cv(0.05, nodes=10), 6)
    (400.0, 359.9)
    """
    c = float(in_range("target_cv", target_cv, 0, 1, low_open=True, max_ndim=0))
    if nodes is None:
        return float(np.round(1.0 / c**2, 9))
    n = int(at_least("nodes", nodes, 2, integer=True, max_ndim=0))
    return float(max(1.0, np.round(((n - 1) / c**2 - 1) / n, 9)))


class ConsistentHashRing:
    """A consistent-hashing ring with virtual nodes; lookups are vectorized over keys.

    Each node puts ``vnodes`` points on a circle of 2**64 hash values, at
    ``hash64("<node>#<i>")`` for ``i = 0 .. vnodes - 1``. A key belongs to the node
    owning the first point at or after the key's hash, wrapping around at the top.
    Lookups hash the whole batch of keys with numpy and place them with one
    ``np.searchsorted`` on the sorted points.

    Parameters
    ----------
    nodes : sequence of distinct, non-empty str node names (at least one).
    vnodes : virtual nodes (points on the ring) per node, a whole number >= 1.

    References
    ----------
    Karger et al. 1997; DeCandia et al. 2007 (Dynamo), section 4.2.

    >>> ring = ConsistentHashRing(["a", "b", "c"], vnodes=64)
    >>> ring.lookup(["user:1", "user:2", "user:3"]).tolist()
    ['a', 'c', 'c']
    >>> ring.add("d"); ring.nodes
    ['a', 'b', 'c', 'd']
    """

    def __init__(self, nodes: Sequence[str], vnodes: int = 160) -> None:
        self.vnodes = count("vnodes", vnodes, MAX_VNODES)
        self._nodes = _node_names(nodes)
        if len(self._nodes) * self.vnodes > MAX_RING_POINTS:
            raise ValueError(f"nodes x vnodes must be at most {MAX_RING_POINTS}, got {len(self._nodes)} x {self.vnodes}")
        self._points: dict[str, np.ndarray] = {}
        for name in self._nodes:
            self._points[name] = self._node_points(name)
        self._rebuild()

    def _node_points(self, name: str) -> np.ndarray:
        labels = np.strings.add(name + "#", np.arange(self.vnodes).astype(str))
        return hash64(labels)

    def _rebuild(self) -> None:
        positions = np.concatenate([self._points[n] for n in self._nodes])
        owners = np.repeat(np.arange(len(self._nodes)), self.vnodes)
        order = np.lexsort((owners, positions))  # ties (astronomically rare) go to the earlier node
        self._positions = positions[order]
        self._owners = owners[order]
        self._names = np.asarray(self._nodes)
        # A jump table over the top 16 bits of the circle: for each of 65,536 equal
        # buckets, the first point at or after the bucket's start. A lookup starts
        # there and steps past the (few) points of its bucket below its hash, which
        # beats np.searchsorted over the points several times over (5x to 16x at
        # 50,000 to 200,000 keys on 3,200 points, measured on a 2-core machine).
        starts = np.arange(1 << _BUCKET_BITS, dtype=np.uint64) << _BUCKET_SHIFT
        self._first = np.searchsorted(self._positions, starts, side="left").astype(np.intp)
        self._padded = np.append(self._positions, np.uint64(2**64 - 1))

    @property
    def nodes(self) -> list[str]:
        """The node names, in the order they were added."""
        return list(self._nodes)

    @property
    def positions(self) -> np.ndarray:
        """The sorted ring points (``uint64``)."""
        return self._positions.copy()

    @property
    def owners(self) -> np.ndarray:
        """The node name owning each sorted ring point."""
        return self._names[self._owners]

    def add(self, node: str) -> None:
        """Add a node (with ``vnodes`` points); only keys on its new arcs move to it."""
        if not isinstance(node, str) or not node:
            raise ValueError(f"node must be a non-empty str name, got {node!r}")
        if node in self._points:
            raise ValueError(f"node must not be on the ring already, got {node!r}")
        self._nodes.append(node)
        self._points[node] = self._node_points(node)
        self._rebuild()

    def remove(self, node: str) -> None:
        """Remove a node; its keys move to the next points clockwise. The last node cannot go."""
        if node not in self._points:
            raise ValueError(f"node must be on the ring, got {node!r}")
        if len(self._nodes) == 1:
            raise ValueError("nodes must hold at least one node: cannot remove the last one")
        self._nodes.remove(node)
        del self._points[node]
        self._rebuild()

    def lookup_hashes(self, hashes: np.ndarray) -> np.ndarray:
        """Index (into :attr:`nodes`) of the owner of each 64-bit hash value (whole numbers in [0, 2**64))."""
        h = _uint64s("hashes", hashes)
        idx = self._first[(h >> _BUCKET_SHIFT).astype(np.intp)]
        while True:  # the padded end (2**64 - 1) stops every walk
            behind = self._padded[idx] < h
            if not behind.any():
                break
            idx += behind
        idx[idx == len(self._positions)] = 0  # past the last point: wrap to the first
        return self._owners[idx]

    def lookup(self, keys: Sequence[str]) -> np.ndarray:
        """The node name of each key (a numpy array of str), for a whole batch at once."""
        return self._names[self.lookup_hashes(hash64(keys))]

    def shares(self) -> dict[str, float]:
        """Each node's share of the circle (the expected share of keys it holds)."""
        gaps = np.diff(self._positions.astype(np.float64), prepend=self._positions[-1].astype(np.float64) - 2.0**64)
        totals = np.bincount(self._owners, weights=gaps, minlength=len(self._nodes)) / 2.0**64
        return dict(zip(self._nodes, totals.tolist()))

    def __len__(self) -> int:
        return len(self._nodes)

    def __repr__(self) -> str:
        return f"ConsistentHashRing({len(self._nodes)} nodes, vnodes={self.vnodes})"


# --- Redis Cluster: CRC16 and 16,384 hash slots ---------------------------------------


def _crc16_table() -> np.ndarray:
    table = np.zeros(256, dtype=np.uint16)
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
        table[byte] = crc & 0xFFFF
    return table


_CRC16 = _crc16_table()


def _crc16_masked(data: np.ndarray, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    crc = np.zeros(data.shape[0], dtype=np.uint16)
    for j in range(data.shape[1]):
        step = ((crc << np.uint16(8)) ^ _CRC16[(crc >> np.uint16(8)) ^ data[:, j]]).astype(np.uint16)
        crc = np.where((start <= j) & (j < stop), step, crc)
    return crc


def crc16_xmodem(keys: Sequence[str]) -> np.ndarray:
    """CRC-16/XMODEM of each key's UTF-8 bytes (poly 0x1021, init 0, no reflection), vectorized.

    References
    ----------
    Redis Cluster specification, Appendix A: the output for "123456789" is 0x31C3.

    >>> hex(int(crc16_xmodem(["123456789"])[0]))
    '0x31c3'
    """
    data, lengths = encode_keys(keys)
    return _crc16_masked(data, np.zeros_like(lengths), lengths)


def redis_hash_slot(keys: Sequence[str]) -> np.ndarray:
    """Redis Cluster's slot of each key: ``CRC16(key) mod 16384``, honouring hash tags.

    If a key holds a ``{`` followed later by a ``}`` with at least one byte between the
    first ``{`` and the first ``}`` after it, only those bytes are hashed, so
    ``user:{42}:cart`` and ``user:{42}:orders`` share a slot.

    References
    ----------
    Redis Cluster specification, "Keys distribution model" and "Hash tags"; the
    ``CLUSTER KEYSLOT`` documentation gives somekey -> 11058 and foo{hash_tag} -> 2515.

    >>> redis_hash_slot(["somekey", "foo{hash_tag}", "bar{hash_tag}"]).tolist()
    [11058, 2515, 2515]
    """
    data, lengths = encode_keys(keys)
    if data.shape[1] == 0:  # no keys, or only empty ones: CRC16 of nothing is 0
        return np.zeros(len(lengths), dtype=np.int64)
    cols = np.arange(data.shape[1])
    inside = cols < lengths[:, None]
    is_open = (data == ord("{")) & inside
    has_open = is_open.any(axis=1)
    open_at = np.where(has_open, is_open.argmax(axis=1), -1)
    is_close = (data == ord("}")) & inside & (cols > open_at[:, None]) & has_open[:, None]
    has_close = is_close.any(axis=1)
    close_at = is_close.argmax(axis=1)
    tagged = has_close & (close_at > open_at + 1)
    start = np.where(tagged, open_at + 1, 0)
    stop = np.where(tagged, close_at, lengths)
    return (_crc16_masked(data, start, stop) % REDIS_SLOTS).astype(np.int64)


# --- The performance check of issue 7 (used by benchmarks/bench_hashing.py) ------------


def benchmark_lookup(n_keys: int = 200_000, n_nodes: int = 20, vnodes: int = 160, repeats: int = 3) -> dict:
    """Time this module's ring against ``uhashring`` (if installed) on the same keys.

    Each ring is built once; lookups are timed ``repeats`` times and the best run counts
    (uhashring, being slow, runs once when the batch is large). Keys are ``"key-<i>"``.

    Returns
    -------
    dict with ``n_keys``, ``n_nodes``, ``vnodes``, ``scalelab_s``, ``uhashring_s`` (NaN if
    uhashring is missing), ``ratio`` (uhashring time / ours), ``cv`` (coefficient of
    variation of the keys per node, ours) and ``agreement`` (share of keys both rings put
    on the same node: expected near ``1/N``, since the hash functions differ).
    """
    import time

    n = count("n_keys", n_keys, MAX_BENCH_KEYS)
    m = count("n_nodes", n_nodes, MAX_BENCH_NODES)
    v = count("vnodes", vnodes, MAX_VNODES)
    r = count("repeats", repeats, MAX_REPEATS)
    if m * v > MAX_RING_POINTS:
        raise ValueError(f"n_nodes x vnodes must be at most {MAX_RING_POINTS}, got {m} x {v}")
    keys = np.strings.add("key-", np.arange(n).astype(str)).tolist()
    nodes = [f"node-{i:02d}" for i in range(m)]
    ring = ConsistentHashRing(nodes, vnodes=v)
    ours = np.inf
    for _ in range(r):
        start = time.perf_counter()
        placed = ring.lookup(keys)
        ours = min(ours, time.perf_counter() - start)
    counts = np.unique(placed, return_counts=True)[1]
    counts = np.concatenate([counts, np.zeros(m - counts.size)])
    result = {"n_keys": n, "n_nodes": m, "vnodes": v, "scalelab_s": ours, "uhashring_s": float("nan"),
              "ratio": float("nan"), "cv": float(counts.std() / counts.mean()), "agreement": float("nan")}
    try:
        from uhashring import HashRing
    except ImportError:
        return result
    other = HashRing(nodes=nodes, vnodes=v)
    theirs = np.inf
    for _ in range(r if n <= 20_000 else 1):
        start = time.perf_counter()
        get = other.get_node
        their_nodes = [get(k) for k in keys]
        theirs = min(theirs, time.perf_counter() - start)
    result.update(uhashring_s=theirs, ratio=theirs / ours,
                  agreement=float(np.mean(np.asarray(their_nodes) == placed)))
    return result


MAX_COMPARE_KEYS = 1_000_000  # the largest batch compare_lookup times (uhashring: about 10 s)


def compare_lookup(n_keys: int = 200_000, n_nodes: int = 20, vnodes: int = 160, repeats: int = 5,
                   budget_s: float = 15.0) -> dict:
    """Time this module's ring against ``uhashring`` on the same keys, by the course's measuring rules.

    One warm-up lookup of each, then up to ``repeats`` interleaved rounds
    (:func:`scalelab.measure.interleaved`); no new round starts after ``budget_s``
    seconds (at least three always run). Each timed unit is one lookup of the whole
    batch (at 200,000 keys, measured on a busy 2-core machine at 50 to 130 ms for ours
    and 0.4 to 0.9 s for uhashring). A third setting times only the first
    step of ours, turning the Python list of keys into one numpy string array, so that
    the verdict can say how much of our time that step takes.

    Returns
    -------
    dict with ``timings`` (a :class:`scalelab.measure.Timings`, labels ``"scalelab"``,
    ``"keys to array"`` and ``"uhashring"``), ``convert_share`` (the median of
    ``"keys to array"`` over the median of ``"scalelab"``), ``ratio`` (uhashring's
    median over ours; NaN without uhashring),
    ``ratio_low`` and ``ratio_high`` (the lowest and highest ratio within one round; the
    median ratio lies between them), ``cv`` (coefficient of variation of keys per node on our ring),
    ``cv_expected`` and ``cv_se`` (what one random ring gives: the ring's spread and the
    key sample's noise combined, and the standard error of one ring's value), and
    ``verdict``, a sentence computed from these numbers.

    ``n_keys`` is a whole number in [1, MAX_COMPARE_KEYS], ``n_nodes`` in [2, 1024], ``vnodes`` in
    [1, 1024], ``repeats`` in [1, measure.MAX_REPEATS] and ``budget_s`` in (0, measure.MAX_BUDGET_S].
    """
    from . import measure

    n = int(in_range("n_keys", n_keys, 1, MAX_COMPARE_KEYS, integer=True, max_ndim=0))
    m = int(in_range("n_nodes", n_nodes, 2, 1024, integer=True, max_ndim=0))
    v = int(in_range("vnodes", vnodes, 1, _MAX_VNODES, integer=True, max_ndim=0))
    repeats = count("repeats", repeats, measure.MAX_REPEATS)
    budget_s = number("budget_s", budget_s, 0, measure.MAX_BUDGET_S, low_open=True)
    keys = np.strings.add("key-", np.arange(n).astype(str)).tolist()
    nodes = [f"node-{i:02d}" for i in range(m)]
    ring = ConsistentHashRing(nodes, vnodes=v)
    settings = {"scalelab": lambda: ring.lookup(keys), "keys to array": lambda: np.asarray(keys)}
    try:
        from uhashring import HashRing
    except ImportError:
        HashRing = None
    if HashRing is not None:
        other = HashRing(nodes=nodes, vnodes=v)
        settings["uhashring"] = lambda: [other.get_node(k) for k in keys]
    timings = measure.interleaved(settings, repeats=repeats, warmup=1, budget_s=budget_s,
                                  min_repeats=min(3, int(repeats)))
    counts = np.bincount(ring.lookup_hashes(hash64(keys)), minlength=m)
    cv = float(counts.std() / counts.mean())
    expected = float(np.hypot(load_cv(v, nodes=m), sampling_noise_cv(n, m)))
    se = expected / np.sqrt(2 * (m - 1))
    spread_words = ("in line with" if abs(cv - expected) <= 2 * se else "unusually far from")
    balance = (f"keys per node vary by {cv:.3f} (CV), {spread_words} the {expected:.3f} ± {se:.3f} "
               f"expected of one random ring with {v} virtual nodes and {n:,} keys")
    ours = timings.median("scalelab")
    convert = timings.median("keys to array") / ours
    out = {"timings": timings, "ratio": float("nan"), "ratio_low": float("nan"), "ratio_high": float("nan"),
           "convert_share": convert, "cv": cv, "cv_expected": expected, "cv_se": float(se)}
    inside = f"turning the {n:,} Python strings into one numpy array takes {convert:.0%} of ours"
    if HashRing is None:
        out["verdict"] = (f"scalelab: {ours * 1000:.0f} ms per batch; uhashring is not installed. "
                          f"{inside[0].upper()}{inside[1:]}. {balance}.")
        return out
    theirs = timings.median("uhashring")
    # Each round times both, so the ratio within a round is what one burst of load hit alike.
    per_round = [t / o for t, o in zip(timings.samples["uhashring"], timings.samples["scalelab"])]
    lo, hi = min(per_round), max(per_round)
    noisy = max(timings.table().loc[["scalelab", "uhashring"], "spread"]) > 0.5
    if theirs >= ours:
        how = f"{theirs / ours:.1f}x faster (from {lo:.1f}x to {hi:.1f}x in single rounds)"
    else:
        how = (f"{ours / theirs:.1f}x slower (uhashring over ours from {lo:.2f} to {hi:.2f} in single "
               "rounds)")
    verdict = (f"scalelab {ours * 1000:.0f} ms, uhashring {theirs * 1000:.0f} ms (medians of {timings.rounds} "
               f"interleaved rounds): the batch lookup is {how}")
    if noisy:
        verdict += "; the rounds varied by more than half their median, so the machine was busy"
    verdict += f"; {inside}"
    out.update(ratio=theirs / ours, ratio_low=lo, ratio_high=hi, verdict=f"{verdict}. {balance[0].upper()}{balance[1:]}.")
    return out


# --- Models for the explorers ----------------------------------------------------------

RING_NODES = ("A", "B", "C", "D", "E", "F")
#: The nodes' colours, in the order of ``RING_NODES``: the six of the palette that stay furthest apart
#: for colour-blind readers too (ΔE2000 8.9 or more; 10 or more for the first four). Each node's
#: diamonds carry its letter, and each arc ends at its node's diamond.
RING_COLORS = (BLUE, RED, TEAL, ORANGE, BROWN, GREY)
RING_KEYS = tuple(f"key-{i}" for i in range(48))
_TURN = 2.0**64


def _xy(hashes: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """Points on a circle, clockwise from the top, for 64-bit hash values."""
    theta = np.pi / 2 - 2 * np.pi * (np.asarray(hashes, dtype=np.float64) / _TURN)
    return radius * np.cos(theta), radius * np.sin(theta)


def ring_picture(nodes: int, vnodes: int) -> dict:
    """The ring drawn: each node's arcs and virtual nodes, and 48 keys just inside the circle.

    A key belongs to the first virtual node (diamond) clockwise from it; the arc that
    ends at a virtual node is drawn in its node's color, so each key is held by the node
    whose arc it sits beside. Keys never move; arcs do, as nodes join. Each diamond carries
    its node's letter; nodes are not in the legend, which would list all six at every setting.

    >>> pic = ring_picture(3, 2)
    >>> len(pic), int(np.isfinite(pic["A: virtual nodes"]["x"]).sum())
    (13, 2)
    """
    return dict(_ring_picture(*_ring_args(nodes, vnodes)))


def _ring_args(nodes: int, vnodes: int) -> tuple[int, int]:
    """The ring picture's arguments, checked (for the picture and its summary)."""
    return (int(in_range("nodes", nodes, 1, len(RING_NODES), integer=True, max_ndim=0)),
            int(in_range("vnodes", vnodes, 1, _MAX_VNODES, integer=True, max_ndim=0)))


def ring_summary(nodes: int, vnodes: int) -> str:
    """What :func:`ring_picture` shows, in words (the figure's text alternative): each
    node's share of the circle and how many of the 48 keys it holds.

    Parameters
    ----------
    nodes : int
        Nodes on the ring, lettered A, B, ...; whole, in [1, 6].
    vnodes : int
        Virtual nodes (points on the circle) per node; whole, in [1, 1024].

    Returns
    -------
    str
        The shares as percentages of the circle (one decimal) and the key counts.

    >>> ring_summary(3, 1)
    'Share of the circle: A 0.4%, B 65.5%, C 34.1%. Keys held, of 48: A 0, B 36, C 12.'
    """
    n, v = _ring_args(nodes, vnodes)
    ring = ConsistentHashRing(RING_NODES[:n], vnodes=v)
    shares = ring.shares()
    held = dict(zip(*np.unique(ring.lookup(list(RING_KEYS)), return_counts=True)))
    names = RING_NODES[:n]
    return (f"Share of the circle: {', '.join(f'{m} {100 * shares[m]:.1f}%' for m in names)}. "
            f"Keys held, of {len(RING_KEYS)}: {', '.join(f'{m} {int(held.get(m, 0))}' for m in names)}.")


@lru_cache(maxsize=64)
def _ring_picture(n: int, vnodes: int) -> tuple:
    ring = ConsistentHashRing(RING_NODES[:n], vnodes=vnodes)
    pos = ring._positions.astype(np.float64)
    owner = ring._owners
    prev = np.roll(pos, 1)
    prev[0] -= _TURN
    hidden = np.array([np.nan])
    arcs, points = {}, {}
    for i, name in enumerate(RING_NODES):
        color = RING_COLORS[i]
        if i < n:
            xs, ys = [], []
            for a, b in zip(prev[owner == i], pos[owner == i]):
                steps = max(2, int(np.ceil((b - a) / _TURN * 90)) + 1)
                x, y = _xy(np.linspace(a, b, steps) % _TURN, 1.0)
                xs += [*x, np.nan]
                ys += [*y, np.nan]
            ax, ay = np.array(xs), np.array(ys)
            px, py = _xy(ring._positions[owner == i], 1.0)
        else:
            ax = ay = px = py = hidden
        arcs[f"{name}: arcs"] = {"x": ax, "y": ay, "mode": "lines", "line": {"color": color, "width": 7},
                                 "showlegend": False, "hoverinfo": "skip"}
        # Each diamond carries its node's letter, and no node is in the legend: the explorer
        # updates only x and y per frame, so a legend entry would stay for nodes not on the ring.
        points[f"{name}: virtual nodes"] = {
            "x": px, "y": py, "mode": "markers+text", "name": f"node {name}", "showlegend": False,
            "text": name, "textposition": "middle center", "textfont": {"color": _letter_on(color), "size": 10},
            "marker": {"color": color, "size": 19, "symbol": "diamond", "line": {"color": "white", "width": 1.5}},
        }
    kx, ky = _xy(hash64(list(RING_KEYS)), 0.9)
    keys = {"keys": {"x": kx, "y": ky, "mode": "markers", "name": "keys",
                     "marker": {"color": INK, "size": 6}}}
    return tuple({**arcs, **keys, **points}.items())


MOVE_KEYS = 5_000
MOVE_NODES = np.arange(1, 31)
_MAX_VNODES = 1024


@lru_cache(maxsize=16)
def _point_table(prefix: str, n_nodes: int, vnodes: int) -> np.ndarray:
    """Ring points of nodes ``<prefix><j>`` (rows) for virtual nodes ``0 .. vnodes - 1`` (columns)."""
    names = np.strings.add(prefix, np.arange(n_nodes).astype(str))
    labels = np.strings.add(np.strings.add(names[:, None], "#"), np.arange(vnodes).astype(str)[None, :])
    return hash64(labels.ravel()).reshape(n_nodes, vnodes)


@lru_cache(maxsize=4)
def _key_hashes(prefix: str, n_keys: int) -> np.ndarray:
    return hash64(np.strings.add(prefix, np.arange(n_keys).astype(str)))


def _owners(table: np.ndarray, n: int, v: int, key_hashes: np.ndarray) -> np.ndarray:
    """Owner (row index) of each key hash on the ring of the first ``n`` rows, ``v`` columns."""
    pos = table[:n, :v].ravel()
    own = np.repeat(np.arange(n), v)
    order = np.argsort(pos, kind="stable")
    pos, own = pos[order], own[order]
    idx = np.searchsorted(pos, key_hashes, side="left")
    idx[idx == pos.size] = 0
    return own[idx]


def _ring_shares(table: np.ndarray, n: int, v: int) -> np.ndarray:
    pos = table[:n, :v].ravel()
    own = np.repeat(np.arange(n), v)
    order = np.argsort(pos, kind="stable")
    pos = pos[order].astype(np.float64)
    gaps = np.diff(pos, prepend=pos[-1] - _TURN)
    return np.bincount(own[order], weights=gaps, minlength=n) / _TURN


@lru_cache(maxsize=32)
def _movement(vnodes: int) -> tuple[np.ndarray, np.ndarray]:
    table = _point_table("node-", int(MOVE_NODES[-1]) + 1, _MAX_VNODES)
    keys = _key_hashes("item-", MOVE_KEYS)
    modulo = np.array([np.mean(keys % np.uint64(n) != keys % np.uint64(n + 1)) for n in MOVE_NODES])
    ring = np.array([np.mean(_owners(table, n, vnodes, keys) != _owners(table, n + 1, vnodes, keys))
                     for n in MOVE_NODES])
    return modulo, ring


def movement_curves(vnodes: int) -> dict:
    """Share of 5,000 keys that move when one node joins N, for modulo and consistent hashing.

    >>> c = movement_curves(160)
    >>> round(float(c["modulo, measured"]["y"][9]), 2), round(float(c["consistent, measured"]["y"][9]), 2)
    (0.91, 0.07)
    """
    v = int(in_range("vnodes", vnodes, 1, _MAX_VNODES, integer=True, max_ndim=0))
    modulo, ring = _movement(v)
    n = MOVE_NODES
    return {
        "modulo, measured": {"x": n, "y": modulo, "mode": "markers", "marker": {"color": RED}},
        "N / (N + 1)": {"x": n, "y": n / (n + 1), "line": {"color": RED, "dash": "dot"}},
        "consistent, measured": {"x": n, "y": ring, "mode": "markers+lines", "marker": {"color": BLUE},
                                 "line": {"width": 1}},
        "1 / (N + 1)": {"x": n, "y": 1 / (n + 1), "line": {"color": BLUE, "dash": "dot"}},
    }


BALANCE_KEYS = 20_000  # kept for callers; the bars now use exact ring shares


def sampling_noise_cv(n_keys: int, nodes: int) -> float:
    """Coefficient of variation that sampling ``n_keys`` keys adds to per-node key counts.

    On a perfectly even ring each node's count is Binomial(K, 1/N), whose coefficient of
    variation is ``sqrt((N - 1) / K)``. Counting keys measures the ring's spread only
    where this noise floor is well below :func:`load_cv` (20,000 keys on 32 nodes: 0.039,
    above the ring's own 0.031 at 1,024 virtual nodes).

    >>> round(sampling_noise_cv(20_000, 32), 4)
    0.0394
    """
    k = int(at_least("n_keys", n_keys, 1, integer=True, max_ndim=0))
    n = int(at_least("nodes", nodes, 1, integer=True, max_ndim=0))
    return float(np.sqrt((n - 1) / k))


@lru_cache(maxsize=128)
def _balance(n: int, v: int) -> np.ndarray:
    table = _point_table("node-", 64, _MAX_VNODES)
    load = np.sort(_ring_shares(table, n, v) * n)[::-1]
    load.flags.writeable = False
    return load


def balance_bars(nodes: int, vnodes: int) -> dict:
    """Each node's share of the ring (over the even share), busiest first, with the exact spread band.

    The bars are the nodes' exact shares of the circle, the share of keys each would hold
    with infinitely many keys: counting a finite sample of keys would add the noise of
    :func:`sampling_noise_cv`. The band is ``1 ± sqrt((N - 1) / (N v + 1))``
    (:func:`load_cv`).

    >>> bars = balance_bars(10, 1)
    >>> round(float(bars["share of the ring"]["y"].mean()), 6)
    1.0
    """
    n = int(in_range("nodes", nodes, 1, 64, integer=True, max_ndim=0))
    v = int(in_range("vnodes", vnodes, 1, _MAX_VNODES, integer=True, max_ndim=0))
    load = _balance(n, v)
    edge = np.array([0.5, n + 0.5])
    cv = load_cv(v, nodes=n)
    return {
        "share of the ring": {"x": np.arange(1, n + 1), "y": load, "type": "bar", "marker": {"color": BLUE}},
        "even share": {"x": edge, "y": np.ones(2), "mode": "lines", "line": {"color": INK, "dash": "dash"}},
        "1 ± √((N-1)/(Nv+1))": {"x": np.array([0.5, n + 0.5, np.nan, 0.5, n + 0.5]),
                                "y": np.array([1 + cv, 1 + cv, np.nan, 1 - cv, 1 - cv]), "mode": "lines",
                                "line": {"color": ORANGE, "dash": "dot"}},
    }


V_AXIS = np.array([1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024])
SPREAD_SAMPLES = 300  # rings x (N - 1): the spread's standard error is about 1/sqrt(2 * 300), 4%


def _rings_for(nodes: int) -> int:
    """How many rings :func:`spread_curves` averages over: at least 6, and (N - 1) x rings >= 300."""
    return max(6, -(-SPREAD_SAMPLES // (nodes - 1)))


@lru_cache(maxsize=16)
def _spread(nodes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rings = _rings_for(nodes)
    cvs = np.zeros((rings, V_AXIS.size))
    peaks = np.zeros((rings, V_AXIS.size))
    for s in range(rings):
        table = _point_table(f"cluster{s}-node-", nodes, _MAX_VNODES)
        for j, v in enumerate(V_AXIS):
            share = _ring_shares(table, nodes, int(v)) * nodes
            cvs[s, j] = share.std()
            peaks[s, j] = share.max()
    variance = cvs**2  # each ring's mean squared deviation; the shares' mean is exactly 1
    cv = np.sqrt(variance.mean(axis=0))
    # Standard error of the root mean square, by the delta method, from the rings' own
    # scatter (heavier-tailed shares at small v give a larger error than 1/sqrt(2 x 300)).
    se = variance.std(axis=0, ddof=1) / np.sqrt(rings) / (2 * cv)
    return cv, peaks.mean(axis=0), se, peaks.std(axis=0, ddof=1) / np.sqrt(rings)


def spread_check(nodes: int):
    """The measured spread of :func:`spread_curves` beside the exact formula, with its standard error.

    Returns a pandas DataFrame indexed by ``v`` with the measured coefficient of
    variation (root mean square over the rings), the exact ``sqrt((N - 1)/(N v + 1))``,
    the measurement's standard error (from the scatter of the rings' own variances, by
    the delta method), the gap in those standard errors, and the busiest node's mean
    share over the even share with its standard error.

    >>> t = spread_check(10)
    >>> bool((t["gap (std. errors)"].abs() < 4).all())
    True
    """
    import pandas as pd

    n = int(in_range("nodes", nodes, 2, 64, integer=True, max_ndim=0))
    cv, peak, se, peak_se = _spread(n)
    exact = np.sqrt((n - 1) / (n * V_AXIS + 1.0))
    return pd.DataFrame({"v": V_AXIS, "measured": cv, "exact": exact, "std. error": se,
                         "gap (std. errors)": (cv - exact) / se, "busiest / even": peak,
                         "busiest std. error": peak_se}).set_index("v")


def spread_curves(nodes: int) -> dict:
    """Measured spread of the nodes' ring shares against virtual nodes, beside the exact formula.

    The coefficient of variation is the root mean square over enough rings with
    different node names that ``(N - 1)`` times the rings is at least 300 (a standard
    error of about 4%); the busiest node's share is their mean. The exact curve is
    ``sqrt((N - 1) / (N v + 1))`` (:func:`load_cv`); ``1/sqrt(v)`` is its large-N limit.

    >>> c = spread_curves(20)
    >>> round(float(c["coefficient of variation, measured"]["y"][-1] * 32), 1)
    1.0
    """
    n = int(in_range("nodes", nodes, 2, 64, integer=True, max_ndim=0))
    cv, peak, _, _ = _spread(n)
    return {
        "coefficient of variation, measured": {"x": V_AXIS, "y": cv, "mode": "markers+lines"},
        "exact: √((N-1)/(Nv+1))": {"x": V_AXIS, "y": np.sqrt((n - 1) / (n * V_AXIS + 1.0)),
                                   "line": {"dash": "dot"}},
        "1/√v (large N)": {"x": V_AXIS, "y": 1 / np.sqrt(V_AXIS), "line": {"dash": "dashdot", "color": "grey"}},
        "busiest node's share over even, minus 1": {"x": V_AXIS, "y": peak - 1, "mode": "markers+lines",
                                                    "line": {"dash": "dash"}},
    }
