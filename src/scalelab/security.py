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
import time

import numpy as np
import pandas as pd

from ._validate import at_least, in_range, positive, seed as check_seed

__all__ = ["NONCE_BYTES", "TAG_BYTES", "stored_size_bytes", "integrity_demo", "measure_encryption",
           "measurement_figure"]

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


def _write_records(path: str, records: list[bytes], encrypt, nonce_of) -> float:
    start = time.perf_counter()
    with open(path, "wb") as f:
        if encrypt is None:
            for r in records:
                f.write(r)
        else:
            for i, r in enumerate(records):
                nonce = nonce_of(i)
                f.write(nonce + encrypt(nonce, r, None))  # one write per record, as plain
        f.flush()
    return time.perf_counter() - start


def _encrypt_only(records: list[bytes], encrypt, nonce_of) -> float:
    start = time.perf_counter()
    for i, r in enumerate(records):
        encrypt(nonce_of(i), r, None)
    return time.perf_counter() - start


def measure_encryption(record_sizes_bytes=(64, 1024, 8192, 65536), total_bytes: int = 2 * 2**20,
                       repeats: int = 5, time_budget_s: float = 8.0) -> pd.DataFrame:
    """Time writing records to a file plain and AES-GCM-encrypted, for several record sizes.

    For each size, ``total_bytes`` of random data is cut into records and written to a
    temporary file (through the page cache, no fsync) with one ``write`` per record;
    the encrypted run writes a fresh 12-byte nonce and the ciphertext with its 16-byte
    tag. Each way runs ``repeats`` times, alternating, and the fastest run counts; encrypting
    without writing is timed too, to separate the cipher's cost from the file's.

    Parameters
    ----------
    record_sizes_bytes : record sizes in bytes, each a whole number in [16, 2**22].
    total_bytes : data written per run, in [2**16, 2**26] bytes.
    repeats : runs of each way per size, a whole number in [1, 10].
    time_budget_s : stop repeating once this much time has passed, > 0 (each size
        still runs at least once).

    Returns
    -------
    DataFrame indexed by record size: ``plain MB/s`` (writing plain), ``encrypt only
    MB/s`` (encrypting, no writing) and ``encrypted MB/s`` (encrypting and writing), all
    in plaintext megabytes (10**6 bytes) per second; ``overhead`` (encrypted time / plain
    time - 1) and ``stored bytes`` per record.
    """
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

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

    started = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory(prefix="scalelab-encrypt-") as tmp:
        path = os.path.join(tmp, "records.bin")
        for size in sizes:
            records = [data[i:i + size] for i in range(0, total - size + 1, size)]
            written = len(records) * size
            plain, cipher, encrypted = np.inf, np.inf, np.inf
            for k in range(r):
                if k and time.perf_counter() - started > budget:
                    break
                if k % 2:  # alternate the order, so neither way always runs on a warm cache
                    encrypted = min(encrypted, _write_records(path, records, aead.encrypt, nonce_of))
                plain = min(plain, _write_records(path, records, None, nonce_of))
                cipher = min(cipher, _encrypt_only(records, aead.encrypt, nonce_of))
                if not k % 2:
                    encrypted = min(encrypted, _write_records(path, records, aead.encrypt, nonce_of))
            rows.append({
                "record bytes": size,
                "plain MB/s": written / plain / 1e6,
                "encrypt only MB/s": written / cipher / 1e6,
                "encrypted MB/s": written / encrypted / 1e6,
                "overhead": encrypted / plain - 1.0,
                "stored bytes": stored_size_bytes(size),
            })
    return pd.DataFrame(rows).set_index("record bytes")


def measurement_figure(measured: pd.DataFrame):
    """Measured write throughput, plain and encrypted, against record size (a figure)."""
    import plotly.graph_objects as go

    from .explorer import show

    sizes = measured.index.to_numpy()
    fig = go.Figure(
        [
            go.Bar(x=[f"{s:,} B" for s in sizes], y=measured["plain MB/s"], name="plain write"),
            go.Bar(x=[f"{s:,} B" for s in sizes], y=measured["encrypted MB/s"], name="AES-GCM, then write",
                   text=[f"{100 * o:+.0f}%" for o in measured["overhead"]], textposition="outside"),
        ],
        {
            "title": {"text": "Writing data plain and encrypted on this machine"},
            "xaxis": {"title": {"text": "record size"}},
            "yaxis": {"title": {"text": "MB of data per second"}, "rangemode": "tozero"},
            "barmode": "group",
            "template": "plotly_white",
            "height": 420,
            "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        },
    )
    return show(fig)
