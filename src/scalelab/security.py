"""Security costs capacity: what encrypting data at rest costs, measured on this machine.

Encrypting data before it is stored (transparent data encryption of whole files or
pages, or finer field-level encryption of single values) takes CPU time on every write
and read. Studies quoted by Gorton (2022, ch. 1) put the overhead at 5-10%. This module
measures it for real: it writes records to a temporary file plain, then encrypted with
AES-GCM (authenticated encryption from the ``cryptography`` package), and reports the
overhead for small (field-sized) and large (page-sized) records.

AES-GCM also shows two of the three CIA properties at work: the ciphertext keeps data
confidential, and its authentication tag detects any change (integrity).

Everything is bounded: a fixed amount of data per record size, a few repeats, and a
time budget checked between repeats.

References
----------
- M. Dworkin, *Recommendation for Block Cipher Modes of Operation: Galois/Counter Mode
  (GCM) and GMAC*, NIST SP 800-38D, 2007.
- I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, ch. 1.
- The ``cryptography`` package, ``cryptography.hazmat.primitives.ciphers.aead.AESGCM``.
"""

from __future__ import annotations

import os
import tempfile

import numpy as np
import pandas as pd

from ._validate import at_least, in_range, positive, seed as check_seed
from .palette import TEMPLATE

__all__ = ["NONCE_BYTES", "TAG_BYTES", "stored_size_bytes", "integrity_demo", "replay_demo", "measure_encryption",
           "encryption_verdict", "measurement_figure", "MIN_UNIT_CPU_S", "MAX_PASSES"]

NONCE_BYTES = 12  # 96-bit nonce, the size NIST SP 800-38D recommends
TAG_BYTES = 16  # 128-bit authentication tag


def stored_size_bytes(record_bytes: int) -> int:
    """Bytes stored for one AES-GCM-encrypted record: the record, its nonce and its tag.

    Parameters
    ----------
    record_bytes : plaintext size in bytes, a whole number >= 0.

    References
    ----------
    NIST SP 800-38D (12-byte nonce, 16-byte tag).

    >>> stored_size_bytes(64)
    92
    """
    n = int(at_least("record_bytes", record_bytes, 0, integer=True, max_ndim=0))
    return n + NONCE_BYTES + TAG_BYTES


def _deterministic_key(seed: int) -> bytes:
    return np.random.default_rng(check_seed("seed", seed)).integers(0, 256, 32, dtype=np.uint8).tobytes()


def integrity_demo(message: bytes = b"balance=100.00", seed: int = 0) -> dict[str, object]:
    """Encrypt a record, then flip one bit of the stored bytes and try to decrypt.

    Shows confidentiality (the stored bytes do not contain the message) and integrity
    (the changed record is rejected, not silently decrypted to something else). The
    key and nonce come from ``seed``: fine for a demonstration, never for real data,
    where a nonce must not repeat under one key.

    >>> demo = integrity_demo()
    >>> demo["plaintext visible in stored bytes"], demo["decrypts unchanged"], demo["change detected"]
    (False, True, True)
    """
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not isinstance(message, (bytes, bytearray)) or not message:
        raise ValueError(f"message must be non-empty bytes, got {message!r}"[:200])
    aead = AESGCM(_deterministic_key(seed))
    nonce = np.random.default_rng(seed + 1).integers(0, 256, NONCE_BYTES, dtype=np.uint8).tobytes()
    stored = nonce + aead.encrypt(nonce, message, None)
    ok = aead.decrypt(stored[:NONCE_BYTES], stored[NONCE_BYTES:], None) == message
    tampered = bytearray(stored)
    tampered[NONCE_BYTES] ^= 0x01  # flip one bit of the first ciphertext byte
    try:
        aead.decrypt(bytes(tampered[:NONCE_BYTES]), bytes(tampered[NONCE_BYTES:]), None)
        detected = False
    except InvalidTag:
        detected = True
    return {
        "stored bytes (hex, first 16)": stored[:16].hex(),
        "stored size": len(stored),
        "plaintext visible in stored bytes": message in stored,
        "decrypts unchanged": ok,
        "change detected": detected,
    }


def replay_demo(seed: int = 0) -> dict[str, object]:
    """Replay an old, valid ciphertext in place of a newer one, with and without associated data.

    A record is stored encrypted (``balance=100.00``), later overwritten with a new
    encryption (``balance=5.00``). An attacker with write access to the storage puts
    the old bytes back. Without associated data AES-GCM accepts them: the old
    ciphertext is authentic, merely out of date. Binding each ciphertext to its record
    id and a version number kept elsewhere (the associated data, authenticated but not
    encrypted) makes the stale copy fail to decrypt.

    >>> demo = replay_demo()
    >>> demo["old copy accepted, no associated data"], demo["old copy accepted, version bound"]
    (True, False)
    """
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aead = AESGCM(_deterministic_key(seed))
    nonces = np.random.default_rng(seed + 1).integers(0, 256, (2, NONCE_BYTES), dtype=np.uint8)
    old_nonce, new_nonce = nonces[0].tobytes(), nonces[1].tobytes()
    old_plain, new_plain = b"balance=100.00", b"balance=5.00"

    def accepted(nonce: bytes, stored: bytes, ad: bytes | None) -> bool:
        try:
            aead.decrypt(nonce, stored, ad)
            return True
        except InvalidTag:
            return False

    old_bare = aead.encrypt(old_nonce, old_plain, None)
    old_bound = aead.encrypt(old_nonce, old_plain, b"account 42, version 1")
    # the current version is 2; the application checks the stored bytes against it
    return {
        "old copy accepted, no associated data": accepted(old_nonce, old_bare, None),
        "old copy decrypts to": aead.decrypt(old_nonce, old_bare, None).decode(),
        "old copy accepted, version bound": accepted(old_nonce, old_bound, b"account 42, version 2"),
        "current copy accepted, version bound": accepted(
            new_nonce, aead.encrypt(new_nonce, new_plain, b"account 42, version 2"), b"account 42, version 2"),
    }


def _write_records(path: str, records: list[bytes], encrypt, nonce_of, passes: int = 1) -> None:
    """Overwrite the start of an existing file with ``records``, ``passes`` times.

    The file is opened without truncation and already holds enough bytes, so every
    ``write`` lands in pages the page cache already has: no block allocation, no
    truncation, and no writeback started by closing a truncated file (ext4 starts one
    for the replace-by-truncate pattern), all of which cost wildly varying time.
    """
    with open(path, "r+b") as f:
        for _ in range(passes):
            f.seek(0)
            if encrypt is None:
                for r in records:
                    f.write(r)
            else:
                for i, r in enumerate(records):
                    nonce = nonce_of(i)
                    f.write(nonce + encrypt(nonce, r, None))  # one write per record, as plain
        f.flush()


def _encrypt_only(records: list[bytes], encrypt, nonce_of, passes: int = 1) -> None:
    for _ in range(passes):
        for i, r in enumerate(records):
            encrypt(nonce_of(i), r, None)


#: Shortest CPU time, in seconds, that one timed unit of :func:`measure_encryption` aims for.
MIN_UNIT_CPU_S = 0.02
#: Most passes over the data one timed unit of :func:`measure_encryption` makes.
MAX_PASSES = 32


def measure_encryption(record_sizes_bytes=(64, 1024, 8192, 65536), total_bytes: int = 4 * 2**20,
                       repeats: int = 7, time_budget_s: float = 15.0) -> pd.DataFrame:
    """Time writing records to a file plain and AES-GCM-encrypted, for several record sizes.

    For each size, ``total_bytes`` of random data is cut into records and written into a
    temporary file with one ``write`` per record; the encrypted run writes a fresh
    12-byte nonce and the ciphertext with its 16-byte tag. The file is created once,
    large enough, and every run overwrites it from the start, so the writes go into the
    page cache without allocating or truncating anything (no fsync): the cheapest write
    there is, and so the harshest comparison for the cipher. Encrypting without writing
    is timed too, to separate the cipher's cost from the file's.

    Each run is timed in CPU time of the calling thread (user plus system,
    ``time.thread_time``), not by the wall clock: that is the cost a capacity plan
    needs, and time spent waiting while other programs hold the CPU is not counted, so
    a busy machine disturbs the result far less. A timed unit makes enough passes over
    the data to take at least ``MIN_UNIT_CPU_S`` of CPU time when writing plain (at most
    ``MAX_PASSES``), the same number for the three ways of one size. Rounds follow
    :func:`scalelab.measure.interleaved`: one warm-up run of every setting, then rounds
    in which every (size, way) runs once in rotating order, until ``repeats`` rounds or
    the budget (wall clock) is spent, with at least ``min(3, repeats)`` rounds. Medians
    are reported, with the spread. On a quiet machine the call takes a few seconds; the
    budget bounds it (plus one round) on a busy one.

    Parameters
    ----------
    record_sizes_bytes : record sizes in bytes, each a whole number in [16, 2**22].
    total_bytes : data written per pass, in [2**16, 2**26] bytes.
    repeats : interleaved rounds at most, a whole number in [1, 10].
    time_budget_s : stop starting new rounds once this much wall-clock time has passed,
        in (0, 600] (at most 120 s are used).

    Returns
    -------
    DataFrame indexed by record size: ``plain MB/s`` (writing plain), ``encrypt only
    MB/s`` (encrypting, no writing) and ``encrypted MB/s`` (encrypting and writing), all
    medians in plaintext megabytes (10**6 bytes) per CPU second; ``overhead`` (median
    encrypted time / median plain time - 1), ``overhead low`` and ``overhead high``
    (the same ratio from the fastest and the slowest runs), ``sum of parts`` (the
    overhead predicted by adding the cipher's time to the plain write: median
    encrypt-only time / median plain time), ``cipher share`` (median encrypt-only time
    / median encrypted time), ``stored bytes`` per record, ``passes`` per timed unit
    and ``rounds``.
    """
    import time

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from .measure import interleaved

    sizes = [int(s) for s in np.atleast_1d(in_range("record_sizes_bytes", record_sizes_bytes, 16, 2**22, integer=True,
                                                    max_ndim=1))]
    if len(sizes) > 20:
        raise ValueError(f"record_sizes_bytes must hold at most 20 sizes, got {len(sizes)}")
    total = int(in_range("total_bytes", total_bytes, 2**16, 2**26, integer=True, max_ndim=0))
    r = int(in_range("repeats", repeats, 1, 10, integer=True, max_ndim=0))
    budget = float(in_range("time_budget_s", time_budget_s, 0, 600, low_open=True, max_ndim=0))

    aead = AESGCM(AESGCM.generate_key(bit_length=256))
    data = os.urandom(total)
    counter = iter(range(2**62))

    def nonce_of(_: int) -> bytes:  # a counter nonce: never repeats under this key
        return next(counter).to_bytes(NONCE_BYTES, "big")

    cpu_s: dict[tuple[int, str], list[float]] = {}

    def cpu_timed(label, fn):
        def run():
            t0 = time.thread_time()
            fn()
            cpu_s.setdefault(label, []).append(time.thread_time() - t0)
        return run

    rows = []
    with tempfile.TemporaryDirectory(prefix="scalelab-encrypt-") as tmp:
        path = os.path.join(tmp, "records.bin")
        records = {size: [data[i:i + size] for i in range(0, total - size + 1, size)] for size in sizes}
        with open(path, "wb") as f:  # room for the largest encrypted pass, allocated once
            f.write(bytes(max(len(records[s]) * stored_size_bytes(s) for s in sizes)))
        settings, passes = {}, {}
        for size in sizes:
            recs = records[size]
            t0 = time.thread_time()
            _write_records(path, recs, None, nonce_of)  # calibration, not timed
            one = max(time.thread_time() - t0, 1e-6)
            k = passes[size] = int(min(MAX_PASSES, max(1, np.ceil(MIN_UNIT_CPU_S / one))))
            settings[(size, "plain")] = cpu_timed((size, "plain"),
                                                  lambda recs=recs, k=k: _write_records(path, recs, None, nonce_of, k))
            settings[(size, "cipher")] = cpu_timed((size, "cipher"),
                                                   lambda recs=recs, k=k: _encrypt_only(recs, aead.encrypt, nonce_of, k))
            settings[(size, "encrypted")] = cpu_timed(
                (size, "encrypted"), lambda recs=recs, k=k: _write_records(path, recs, aead.encrypt, nonce_of, k))
        warmup = 1
        timings = interleaved(settings, repeats=r, warmup=warmup, budget_s=min(budget, 120.0), min_repeats=min(3, r))
        samples = {label: values[warmup:] for label, values in cpu_s.items()}
        for size in sizes:
            written = len(records[size]) * size * passes[size]
            plain, cipher, encrypted = (float(np.median(samples[(size, way)]))
                                        for way in ("plain", "cipher", "encrypted"))
            p, e = samples[(size, "plain")], samples[(size, "encrypted")]
            rows.append({
                "record bytes": size,
                "plain MB/s": written / plain / 1e6,
                "encrypt only MB/s": written / cipher / 1e6,
                "encrypted MB/s": written / encrypted / 1e6,
                "overhead": encrypted / plain - 1.0,
                "overhead low": min(e) / max(p) - 1.0,
                "overhead high": max(e) / min(p) - 1.0,
                "sum of parts": cipher / plain,
                "cipher share": cipher / encrypted,
                "stored bytes": stored_size_bytes(size),
                "passes": passes[size],
                "rounds": timings.rounds,
            })
    return pd.DataFrame(rows).set_index("record bytes")


def encryption_verdict(measured: pd.DataFrame, disk_mb_per_s: float = 500.0) -> str:
    """A verdict computed from a :func:`measure_encryption` table (several sentences).

    Compares the smallest and largest records' cipher speed (the fixed cost per call),
    states the overhead measured against a page-cache write for each size, and what the
    same encryption would add next to a disk that writes ``disk_mb_per_s`` (an assumed
    figure, not measured: about what a SATA SSD sustains).

    Parameters
    ----------
    measured : the table from :func:`measure_encryption`.
    disk_mb_per_s : assumed disk write speed, MB/s, in (0, 1e5].
    """
    disk = float(in_range("disk_mb_per_s", disk_mb_per_s, 0, 1e5, low_open=True, max_ndim=0))
    small, large = measured.index.min(), measured.index.max()
    per_byte = measured.loc[large, "encrypt only MB/s"] / measured.loc[small, "encrypt only MB/s"]
    call_us = small / measured.loc[small, "encrypt only MB/s"]  # bytes / (MB/s) = microseconds
    lines = [f"Encrypting {small}-byte records ran {per_byte:.0f} times slower per byte than {large:,}-byte "
             f"records: each call to the cipher has a fixed cost (here about {call_us:.2g} us of CPU per "
             f"{small}-byte record, the Python loop included)."]
    for size, row in measured.iterrows():
        vs_disk = row["encrypt only MB/s"] and disk / row["encrypt only MB/s"]
        parts = f"; the cipher's own time predicts {row['sum of parts']:+.0%}" if "sum of parts" in row else ""
        lines.append(f"{size:>6,} B: {row['overhead']:+.0%} against a page-cache write "
                     f"(runs ranged {row['overhead low']:+.0%} to {row['overhead high']:+.0%}{parts}); "
                     f"next to a {disk:g} MB/s disk the cipher would add about {vs_disk:.0%}.")
    if "sum of parts" in measured.columns:
        excess = measured["overhead"] - measured["sum of parts"]
        if float(excess.max()) > 0.05:
            lines.append("Encrypting and writing cost more than the plain write and the cipher timed apart, by up "
                         f"to {float(excess.max()):.0%} of a plain write: the encrypted run also joins nonce, "
                         "ciphertext and tag into a new buffer for every record and writes 28 more bytes per record.")
        elif float(excess.min()) < -0.05:
            lines.append("Encrypting and writing cost less than the plain write and the cipher timed apart, by up "
                         f"to {-float(excess.min()):.0%} of a plain write: the ciphertext, just made, is still in "
                         "the processor's cache when it is written, or the runs were disturbed.")
    negative = [f"{size:,} B" for size, row in measured.iterrows() if row["overhead"] < 0]
    if negative:
        lines.append(f"A negative median overhead ({', '.join(negative)}) cannot be real, since the encrypted run "
                     "does all the plain run's work and more: those runs were disturbed (other programs, the "
                     "processor's clock or caches); run the cell again on a quieter machine.")
    if {"overhead low", "overhead high"} <= set(measured.columns):
        widest = float((measured["overhead high"] - measured["overhead low"]).max())
        lines.append(f"The widest overhead range was {widest:.0%} wide: "
                     + ("runs of the same work varied a lot, so this machine was busy; trust the medians, "
                        "not single runs." if widest > 0.5 else "runs of the same work agreed well."))
    return "\n".join(lines)


def measurement_figure(measured: pd.DataFrame):
    """Measured write throughput, plain and encrypted, against record size (a figure)."""
    import plotly.graph_objects as go

    from .explorer import show

    sizes = measured.index.to_numpy()
    fig = go.Figure(
        [
            go.Bar(x=[f"{s:,} B" for s in sizes], y=measured["plain MB/s"], name="plain write"),
            go.Bar(x=[f"{s:,} B" for s in sizes], y=measured["encrypted MB/s"], name="AES-GCM, then write",
                   text=[f"{100 * o:+.0f}%" for o in measured["overhead"]], textposition="outside",
                   textangle=-90, constraintext="none", cliponaxis=False),  # upright: as narrow as its bar on a phone
        ],
        {
            "title": {"text": "Writing data plain and encrypted on this machine (CPU time)"},
            "xaxis": {"title": {"text": "record size"}},
            "yaxis": {"title": {"text": "MB of data per CPU second"}, "rangemode": "tozero"},
            "barmode": "group",
            "template": TEMPLATE,
            "height": 420,
            "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        },
    )
    return show(fig)
