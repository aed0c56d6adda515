"""Redis Cluster for real: three masters on 127.0.0.1, next to :func:`scalelab.hashing.redis_hash_slot`.

:func:`cluster_lab` starts three ``redis-server`` processes (Debian package
``redis-server``) in cluster mode, gives each a third of the 16384 hash slots and joins
them, then:

1. asks the server for ``CLUSTER KEYSLOT`` of thousands of keys (plain keys, hash tags,
   empty and unclosed braces, non-ASCII) and compares every answer with
   :func:`scalelab.hashing.redis_hash_slot`;
2. sends a ``GET`` to a node that does not own the key's slot and shows the ``MOVED``
   reply, then lets a small cluster-aware client (:class:`ClusterClient`) that starts out
   knowing a single node follow the redirects and learn the slot map;
3. writes several keys at once with ``MSET``: keys sharing a hash tag go to one slot and
   succeed, keys in different slots are refused with ``CROSSSLOT``;
4. moves a range of slots from one master to another, key batch by key batch with
   ``CLUSTER SETSLOT ... IMPORTING/MIGRATING``, ``MIGRATE`` and ``SETSLOT ... NODE``,
   while the client reads every key between the steps, and counts the ``ASK`` and
   ``MOVED`` redirects and any wrong answer.

It speaks Redis's wire protocol (RESP) through the small :class:`Resp` client below, on
127.0.0.1 only. Without ``redis-server`` the lab returns the stored result of a run
recorded with Debian's Redis 7.0.15, labelled as such.

References
----------
- Redis Cluster specification, https://redis.io/docs/reference/cluster-spec/ ("Keys
  distribution model", "Hash tags", "MOVED Redirection", "ASK redirection", "Live
  reconfiguration").
- Redis protocol specification (RESP 2), https://redis.io/docs/reference/protocol-spec/.
"""

from __future__ import annotations

import socket
import time

import numpy as np

from ._validate import count, seed as check_seed
from .hashing import REDIS_SLOTS, redis_hash_slot
from .servers import HOST, LabResult, ServerGroup, free_port, have, stored_result

__all__ = ["Resp", "RespError", "ClusterClient", "lab_keys", "cluster_lab", "MAX_KEYS", "MAX_MOVE_SLOTS"]

#: Most keys :func:`cluster_lab` compares with CLUSTER KEYSLOT.
MAX_KEYS = 100_000
#: Most slots :func:`cluster_lab` migrates (with at most 50 keys each).
MAX_MOVE_SLOTS = 200
MASTERS = 3


class RespError(str):
    """An error reply from Redis (``-MOVED 3999 127.0.0.1:6381``), returned, not raised."""


class Resp:
    """A minimal RESP 2 client on one TCP connection to 127.0.0.1 (enough for the lab).

    ``call(*args)`` sends one command and returns its reply: ``str`` for simple strings,
    ``RespError`` for errors, ``int``, ``bytes`` or ``None`` for bulk strings, ``list``
    for arrays. ``pipeline(commands)`` sends many commands in one write and reads all
    their replies.
    """

    def __init__(self, port: int, timeout_s: float = 5.0) -> None:
        self.port = int(port)
        self.sock = socket.create_connection((HOST, self.port), timeout=timeout_s)
        self.reader = self.sock.makefile("rb")

    @staticmethod
    def encode(*args) -> bytes:
        parts = [b"*%d\r\n" % len(args)]
        for a in args:
            b = a if isinstance(a, bytes) else str(a).encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(b), b))
        return b"".join(parts)

    def read(self):
        line = self.reader.readline()
        if not line:
            raise ConnectionError(f"redis on port {self.port} closed the connection")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RespError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.reader.read(n + 2)
            return data[:-2]
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise ConnectionError(f"unexpected reply from redis: {line!r}")

    def call(self, *args):
        self.sock.sendall(self.encode(*args))
        return self.read()

    def pipeline(self, commands) -> list:
        commands = list(commands)
        self.sock.sendall(b"".join(self.encode(*c) for c in commands))
        return [self.read() for _ in commands]

    def close(self) -> None:
        self.reader.close()
        self.sock.close()


def _address(reply: str) -> tuple[int, int]:
    """(slot, port) of a ``MOVED slot host:port`` or ``ASK slot host:port`` reply."""
    _, slot, where = reply.split()
    return int(slot), int(where.rsplit(":", 1)[1])


class ClusterClient:
    """A small cluster-aware client: a slot map, MOVED and ASK followed, redirects counted.

    It computes a key's slot with the course's :func:`scalelab.hashing.redis_hash_slot`.
    On ``MOVED`` it records the slot's new owner and retries there; on ``ASK`` it sends
    ``ASKING`` and the command to the named node once, without changing its map (the
    slot is being migrated and still belongs to the old owner), as the cluster
    specification prescribes.
    """

    def __init__(self, seed_port: int) -> None:
        self.slots = np.full(REDIS_SLOTS, int(seed_port), dtype=np.int64)  # knows one node only
        self.conns: dict[int, Resp] = {}
        self.moved = 0
        self.ask = 0

    def conn(self, port: int) -> Resp:
        if port not in self.conns:
            self.conns[port] = Resp(port)
        return self.conns[port]

    def refresh(self) -> None:
        """Load the whole slot map with CLUSTER SLOTS."""
        any_port = int(self.slots[0])
        for start, stop, master, *_ in self.conn(any_port).call("CLUSTER", "SLOTS"):
            self.slots[start:stop + 1] = int(master[1])

    def call(self, *args, key: str):
        slot = int(redis_hash_slot([key])[0])
        port = int(self.slots[slot])
        for _ in range(5):
            reply = self.conn(port).call(*args)
            if isinstance(reply, RespError) and reply.startswith("MOVED "):
                self.moved += 1
                _, port = _address(reply)
                self.slots[slot] = port
                continue
            if isinstance(reply, RespError) and reply.startswith("ASK "):
                self.ask += 1
                _, target = _address(reply)
                c = self.conn(target)
                c.pipeline([("ASKING",)])
                return c.call(*args)
            return reply
        raise ConnectionError(f"more than 5 redirects for key {key!r}")

    def close(self) -> None:
        for c in self.conns.values():
            c.close()


EDGE_KEYS = ["somekey", "foo{hash_tag}", "bar{hash_tag}", "{user1000}.following", "{user1000}.followers",
             "foo{}{bar}", "foo{{bar}}zap", "foo{bar}{zap}", "{", "}", "{}", "}{", "{a", "a}", "a{b", "{}a{b}",
             "", " ", "ключ", "clé{été}", "日本{語}", "😀{😀}x"]


def lab_keys(n_keys: int = 5000, seed: int = 11) -> list[str]:
    """Keys to test slots with: :data:`EDGE_KEYS`, then random keys, half of them drawn with braces.

    Random keys draw up to 16 characters from letters, digits, ``:{}`` and a few
    non-ASCII letters, so hash tags (closed, empty, unclosed, nested) appear often.

    >>> keys = lab_keys(100)
    >>> len(keys), keys[:2]
    (100, ['somekey', 'foo{hash_tag}'])
    """
    n = count("n_keys", n_keys, MAX_KEYS, low=len(EDGE_KEYS))
    rng = np.random.default_rng(check_seed("seed", seed))
    plain = list("abcdefghijklmnopqrstuvwxyz0123456789:_-") + ["é", "ß", "猫"]
    braced = plain + ["{", "}"] * 6
    keys = list(EDGE_KEYS)
    while len(keys) < n:
        alphabet = braced if rng.random() < 1 / 2 else plain
        keys.append("".join(rng.choice(alphabet, rng.integers(1, 17))))
    return keys


def _kind(key: str) -> str:
    if "{" not in key:
        return "no brace" if key.isascii() else "no brace, non-ASCII"
    i = key.index("{")
    j = key.find("}", i + 1)
    if j < 0:
        return "brace never closed"
    return "empty tag {} (whole key hashed)" if j == i + 1 else "hash tag"


def _start_cluster(group: ServerGroup) -> tuple[list[int], list[str]]:
    ports = [free_port(also_free_offset=10000) for _ in range(MASTERS)]
    for i, port in enumerate(ports):
        d = group.path(f"redis{i}")
        group.start(f"redis{i}", ["redis-server", "--port", str(port), "--bind", HOST, "--cluster-enabled", "yes",
                                  "--cluster-config-file", f"{d}/nodes.conf", "--dir", str(d), "--save", "",
                                  "--appendonly", "no", "--daemonize", "no", "--cluster-node-timeout", "5000",
                                  "--loglevel", "warning"], port=port)
    conns = [Resp(p) for p in ports]
    try:
        edges = np.linspace(0, REDIS_SLOTS, MASTERS + 1).astype(int)
        for i, c in enumerate(conns):
            c.call("CLUSTER", "ADDSLOTSRANGE", int(edges[i]), int(edges[i + 1]) - 1)
        for p in ports[1:]:
            conns[0].call("CLUSTER", "MEET", HOST, p)
        end = time.monotonic() + 15
        while not all(b"cluster_state:ok" in c.call("CLUSTER", "INFO") for c in conns):
            if time.monotonic() > end:
                raise TimeoutError("redis lab: the cluster did not reach cluster_state:ok within 15 s")
            time.sleep(0.05)
        ids = [c.call("CLUSTER", "MYID").decode() for c in conns]
        # every node must know every other before slots can move between them
        while not all(len([l for l in c.call("CLUSTER", "NODES").decode().splitlines() if "connected" in l]) == MASTERS
                      for c in conns):
            if time.monotonic() > end:
                raise TimeoutError("redis lab: the nodes did not all see each other within 15 s")
            time.sleep(0.05)
    finally:
        for c in conns:
            c.close()
    return ports, ids


def _keys_in_slots(slots: list[int], per_slot: int) -> dict[int, list[str]]:
    """``per_slot`` keys for each slot, made with a hash tag that lands in it."""
    tags = [f"t{i}" for i in range(60 * REDIS_SLOTS // 10)]
    found = {}
    for tag, slot in zip(tags, redis_hash_slot(tags).tolist()):
        if slot in slots and slot not in found:
            found[slot] = tag
    return {s: [f"{{{found[s]}}}:k{j}" for j in range(per_slot)] for s in slots}


def cluster_lab(n_keys: int = 5000, move_slots: int = 16, keys_per_slot: int = 10, seed: int = 11) -> LabResult:
    """Run the four Redis Cluster experiments of the module docstring.

    Parameters
    ----------
    n_keys : keys compared with CLUSTER KEYSLOT, in [len(EDGE_KEYS), MAX_KEYS].
    move_slots : slots migrated from the first master to the second, in [1, MAX_MOVE_SLOTS].
    keys_per_slot : keys stored in each migrated slot, in [2, 50].
    seed : seed of the random keys.

    Returns
    -------
    LabResult with tables ``slots`` (agreement per kind of key), ``moved`` (the raw
    redirect and the client's two passes), ``colocation`` (MSET with and without a hash
    tag) and ``migration`` (redirects per phase), facts and a verdict.
    """
    import pandas as pd

    keys = lab_keys(n_keys, seed)
    n_move = count("move_slots", move_slots, MAX_MOVE_SLOTS)
    per = count("keys_per_slot", keys_per_slot, 50, low=2)
    command = (f"3 redis-server masters in cluster mode on 127.0.0.1; CLUSTER KEYSLOT for {len(keys)} keys; "
               f"a MOVED redirect; MSET with and without a hash tag; migrate {n_move} slots "
               f"({per} keys each) while a client reads")
    if not have("redis-server"):
        return stored_result("redis_cluster", "redis-server is not installed here (Debian package redis-server)")
    with ServerGroup(prefix="scalelab-redis-") as group:
        ports, ids = _start_cluster(group)
        admin = [Resp(p) for p in ports]
        client = ClusterClient(ports[0])
        try:
            # 1. slots
            theirs = np.array(admin[0].pipeline([("CLUSTER", "KEYSLOT", k) for k in keys]), dtype=np.int64)
            ours = redis_hash_slot(keys)
            kinds = pd.Series([_kind(k) for k in keys])
            slots = (pd.DataFrame({"kind of key": kinds, "agree": theirs == ours})
                     .groupby("kind of key")["agree"].agg(keys="size", agree="sum").reset_index())
            # 2. MOVED, raw and followed
            key = "user:1000"
            slot = int(redis_hash_slot([key])[0])
            # the same integer edges as _start_cluster's ADDSLOTSRANGE (master 0: 0 .. 5460, ...)
            edges = np.linspace(0, REDIS_SLOTS, MASTERS + 1).astype(int)
            owner = int(np.searchsorted(edges[1:], slot, side="right"))
            wrong = (owner + 1) % MASTERS
            raw = admin[wrong].call("GET", key)
            sample = [f"user:{i}" for i in range(30)]
            for k in sample:
                client.call("SET", k, k.upper(), key=k)
            first = client.moved
            for k in sample:
                client.call("GET", k, key=k)
            moved = pd.DataFrame([
                {"what": f"GET {key} sent to the node on port {ports[wrong]} (slot {slot} is elsewhere)",
                 "reply or count": str(raw)},
                {"what": f"client knowing one node writes {len(sample)} keys: MOVED redirects followed",
                 "reply or count": str(first)},
                {"what": f"same client reads the {len(sample)} keys again: MOVED redirects",
                 "reply or count": str(client.moved - first)},
            ])
            # 3. co-location with a hash tag
            tagged = ["{user:42}:name", "{user:42}:cart", "{user:42}:visits"]
            plain = ["user:42:name", "user:42:cart", "user:42:visits"]
            rows = []
            for label, ks in (("with hash tag {user:42}", tagged), ("without a hash tag", plain)):
                s = redis_hash_slot(ks).tolist()
                args = [x for k in ks for x in (k, "v")]
                reply = client.call("MSET", *args, key=ks[0])
                rows.append({"keys": ", ".join(ks), "slots (redis_hash_slot)": ", ".join(map(str, s)),
                             "MSET reply": str(reply)})
            coloc = pd.DataFrame(rows)
            # 4. migrate slots from master 0 to master 1 while the client reads
            client.refresh()
            moving = list(range(n_move))  # master 0 owns slots 0 .. 5460
            data = _keys_in_slots(moving, per)
            every = [k for s in moving for k in data[s]]
            for k in every:
                client.call("SET", k, "value-of-" + k, key=k)
            src, dst, third = admin[0], admin[1], admin[2]
            phases = []

            def read_all(phase: str) -> None:
                a, m = client.ask, client.moved
                bad = sum(client.call("GET", k, key=k) != ("value-of-" + k).encode() for k in every)
                phases.append({"phase": phase, "reads": len(every), "ASK": client.ask - a,
                               "MOVED": client.moved - m, "wrong or missing": bad})

            def migrate(ks: list[str]) -> None:
                reply = src.call("MIGRATE", HOST, ports[1], "", 0, 5000, "KEYS", *ks)
                if reply != "OK":
                    raise RuntimeError(f"MIGRATE failed: {reply}")

            read_all("before the move")
            for s in moving:
                dst.call("CLUSTER", "SETSLOT", s, "IMPORTING", ids[0])
                src.call("CLUSTER", "SETSLOT", s, "MIGRATING", ids[1])
                migrate(data[s][: per // 2])
            read_all("half the keys of each slot moved")
            for s in moving:
                migrate(data[s][per // 2:])
            read_all("all keys moved, slots still MIGRATING")
            for s in moving:
                for c in (dst, src, third):
                    c.call("CLUSTER", "SETSLOT", s, "NODE", ids[1])
            read_all("slots handed over (SETSLOT NODE)")
            read_all("after the move")
            migration = pd.DataFrame(phases)
        finally:
            client.close()
            for c in admin:
                c.close()
    agree, total = int(slots["agree"].sum()), int(slots["keys"].sum())
    again = int(moved["reply or count"][2])  # MOVED on the second pass: none once the map is learned
    second = "none" if again == 0 else f"{again} more on reading the same keys again"
    asks = int(migration["ASK"].sum())
    moveds = int(migration["MOVED"].sum())
    bad = int(migration["wrong or missing"].sum())
    facts = {"keys": total, "agree": agree, "tagged keys": int(slots.loc[slots["kind of key"] == "hash tag", "keys"].sum()),
             "moved_followed": first, "ask_during_migration": asks, "moved_during_migration": moveds,
             "wrong_reads": bad, "slots_moved": n_move, "keys_per_slot": per}
    verdict = (f"CLUSTER KEYSLOT and redis_hash_slot agreed on {agree} of {total} keys "
               f"({facts['tagged keys']} with a hash tag); a node answered a GET for another node's slot with "
               f"{str(raw).split()[0]}, and the client that knew one node followed {first} MOVED redirects, then "
               f"{second}; MSET succeeded for keys sharing a hash tag ({coloc['MSET reply'][0]}) and was refused for keys "
               f"in different slots ({coloc['MSET reply'][1].split()[0]}); moving {n_move} slots of {per} keys "
               f"cost the reading client {asks} ASK and {moveds} MOVED redirects and {bad} wrong or missing answers.")
    return LabResult("redis_cluster", {"slots": slots, "moved": moved, "colocation": coloc, "migration": migration},
                     facts, verdict, "measured just now on this machine", command)
