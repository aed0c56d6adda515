"""The encryption measurement (structure and loose bounds only) and the CIA demonstration."""

from __future__ import annotations

import numpy as np
import pytest

from scalelab import security


def test_stored_record_grows_by_a_12_byte_nonce_and_a_16_byte_tag():
    # NIST SP 800-38D: 96-bit nonce, 128-bit tag.
    assert security.stored_size_bytes(0) == 28
    assert security.stored_size_bytes(8192) == 8220


def test_aes_gcm_hides_the_data_and_detects_a_flipped_bit():
    demo = security.integrity_demo(b"account=12345678", seed=4)
    assert demo["plaintext visible in stored bytes"] is False
    assert demo["decrypts unchanged"] is True
    assert demo["change detected"] is True
    assert demo["stored size"] == 16 + 28


def test_integrity_demo_is_deterministic_for_a_seed():
    assert security.integrity_demo(seed=2) == security.integrity_demo(seed=2)


def test_measurement_returns_positive_rates_for_every_size_and_runs_its_rounds():
    # No bound on elapsed time here: that would test the machine. The budget only stops
    # rounds after the minimum, which both of these are.
    table = security.measure_encryption((64, 4096), total_bytes=2**18, repeats=2, time_budget_s=5)
    assert list(table.index) == [64, 4096]
    assert list(table["rounds"]) == [2, 2]
    assert np.all(table[["plain MB/s", "encrypt only MB/s", "encrypted MB/s"]].to_numpy() > 0)
    assert list(table["stored bytes"]) == [92, 4124]
    assert table["passes"].between(1, security.MAX_PASSES).all()
    # the parts are timed apart: the cipher's time over the plain write's, and its share of the whole
    assert np.all(table["sum of parts"] > 0) and np.all(table["cipher share"].between(0, 10))


def test_encrypting_tiny_records_costs_more_per_byte_than_large_ones():
    # Each AES-GCM call has a fixed cost; 64-byte fields pay it 128 times per 8 KiB page.
    table = security.measure_encryption((64, 8192), total_bytes=2**19, repeats=3)
    assert table.loc[64, "encrypt only MB/s"] < table.loc[8192, "encrypt only MB/s"]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: security.stored_size_bytes(-1), r"record_bytes must be a whole number and >= 0, got -1"),
        (lambda: security.measure_encryption((8,)), r"record_sizes_bytes must be a whole number and in \[16, "),
        (lambda: security.measure_encryption(total_bytes=10), r"total_bytes must be a whole number and in \["),
        (lambda: security.measure_encryption(repeats=0), r"repeats must be a whole number and in \[1, 10\], got 0"),
        (lambda: security.measure_encryption(time_budget_s=0), r"time_budget_s must be in \(0, 600\], got 0"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter_and_range(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_replay_of_an_old_ciphertext_passes_without_associated_data_and_fails_with_a_version():
    demo = security.replay_demo()
    assert demo["old copy accepted, no associated data"] is True
    assert demo["old copy decrypts to"] == "balance=100.00"
    assert demo["old copy accepted, version bound"] is False
    assert demo["current copy accepted, version bound"] is True


def test_verdict_is_computed_from_the_table():
    import pandas as pd

    table = pd.DataFrame({"encrypt only MB/s": [10.0, 1000.0], "overhead": [5.0, 0.5], "overhead low": [4.0, 0.2],
                          "overhead high": [6.0, 0.9]}, index=pd.Index([64, 65536], name="record bytes"))
    text = security.encryption_verdict(table, disk_mb_per_s=500)
    assert "100 times slower per byte" in text
    assert "+500% against a page-cache write" in text and "about 50%" in text


def test_verdict_compares_the_whole_with_its_parts_and_refuses_a_negative_overhead():
    import pandas as pd

    table = pd.DataFrame({"encrypt only MB/s": [10.0, 1000.0], "overhead": [5.0, -0.2], "overhead low": [4.0, -0.5],
                          "overhead high": [6.0, 0.3], "sum of parts": [4.0, 0.4]},
                         index=pd.Index([64, 65536], name="record bytes"))
    text = security.encryption_verdict(table, disk_mb_per_s=500)
    assert "the cipher's own time predicts +400%" in text
    assert "cost more than the plain write and the cipher timed apart, by up to 100%" in text  # 5.0 - 4.0
    assert "A negative median overhead (65,536 B) cannot be real" in text
    assert "trust the medians" in text  # the 64-byte range is 200% wide


def test_verdict_without_a_negative_overhead_says_nothing_about_one():
    import pandas as pd

    table = pd.DataFrame({"encrypt only MB/s": [10.0, 1000.0], "overhead": [4.0, 0.4], "overhead low": [3.9, 0.3],
                          "overhead high": [4.1, 0.5], "sum of parts": [4.0, 0.4]},
                         index=pd.Index([64, 65536], name="record bytes"))
    text = security.encryption_verdict(table, disk_mb_per_s=500)
    assert "negative" not in text and "timed apart" not in text
    assert "runs of the same work agreed well" in text


def test_verdict_names_a_whole_cheaper_than_its_parts():
    import pandas as pd

    table = pd.DataFrame({"encrypt only MB/s": [10.0, 1000.0], "overhead": [4.0, 0.2], "overhead low": [3.9, 0.1],
                          "overhead high": [4.1, 0.3], "sum of parts": [4.0, 0.4]},
                         index=pd.Index([64, 65536], name="record bytes"))
    text = security.encryption_verdict(table, disk_mb_per_s=500)
    assert "cost less than the plain write and the cipher timed apart, by up to 20%" in text
