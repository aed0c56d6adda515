"""The ski-lift day (fluid queue) and the real SQLite durable queue."""

from __future__ import annotations

import numpy as np
import pytest

from scalelab import asyncqueue as aq


def test_no_backlog_when_the_database_keeps_up_with_the_rush():
    day = aq.ski_lift_day(peak_rate_per_s=30, db_writes_per_s=40)
    assert day["backlog_events"].max() == 0
    assert aq.drain_summary(day)["drain_min"] == 0


def test_backlog_peaks_when_arrivals_fall_back_below_capacity():
    day = aq.ski_lift_day(peak_rate_per_s=60, db_writes_per_s=40, base_rate_per_s=10, rush_peak_h=9, rush_width_h=0.5)
    s = aq.drain_summary(day)
    rate_at_peak = aq.arrival_rate_per_s(np.array([s["peak_at_h"]]), 60, 10, 9, 0.5)[0]
    assert rate_at_peak == pytest.approx(40, abs=0.5)
    assert s["peak_at_h"] > 9


def test_peak_backlog_is_the_integral_of_the_excess_arrival_rate():
    day = aq.ski_lift_day(peak_rate_per_s=60, db_writes_per_s=40, step_s=1.0)
    excess = np.clip(day["arrival_rate_per_s"] - 40, 0, None).sum()  # one-second steps
    assert day["backlog_events"].max() == pytest.approx(excess, rel=1e-3)


def test_queued_acknowledgement_stays_flat_while_time_until_stored_grows():
    day = aq.ski_lift_day(60, 40, ack_ms=3)
    assert np.allclose(day["queued_ack_s"], 0.003)
    assert day["time_until_stored_s"].max() > 100
    np.testing.assert_array_equal(day["synchronous_ack_s"], day["time_until_stored_s"])


def test_backlog_drains_when_the_spare_capacity_since_the_peak_adds_up_to_it():
    day = aq.ski_lift_day(peak_rate_per_s=60, db_writes_per_s=40, base_rate_per_s=20, step_s=1.0)
    s = aq.drain_summary(day)
    after = day.loc[s["peak_at_h"]:s["empty_at_h"]]
    spare = (40 - after["arrival_rate_per_s"]).sum()  # one-second steps
    assert spare == pytest.approx(s["peak_backlog_events"], rel=0.01)
    # and it takes at least backlog / (capacity - base rate)
    assert s["drain_min"] * 60 >= s["peak_backlog_events"] / 20


def test_durable_queue_is_fifo_and_acknowledges_with_a_commit(tmp_path):
    queue = aq.DurableQueue(tmp_path / "q.db")
    for i in range(5):
        assert queue.put(f"event {i}") >= 0
    queue.close()
    reopened = aq.DurableQueue(tmp_path / "q.db")  # acknowledged events survive a restart
    assert reopened.counts() == (5, 0)
    while reopened.store_next():
        pass
    assert reopened.stored_events()["payload"].tolist() == [f"event {i}" for i in range(5)]
    reopened.close()


def test_an_event_stored_but_not_yet_dequeued_is_not_stored_twice(tmp_path):
    queue = aq.DurableQueue(tmp_path / "q.db")
    queue.put("only")
    queue._db.execute("INSERT INTO stored SELECT seq, scanned_at, 0, payload FROM queue")  # crash after store
    assert queue.store_next()
    assert queue.counts() == (0, 1)
    queue.close()


def test_killed_consumer_restarted_loses_nothing_and_keeps_order(tmp_path):
    run = aq.durable_queue_run(n_events=60, write_cost_s=0.003, kill_at_share=0.3, timeout_s=30,
                               directory=str(tmp_path))
    assert run["stored"] == 60 and run["missing"] == 0 and run["duplicates"] == 0
    assert run["still_queued"] == 0 and run["in_order"]
    assert 0 < run["stored_when_killed"] < 60
    ev = run["events"]
    # Times are this machine's: which median is larger is the chapter's measurement (with
    # its verdict), not something the code controls; every stored event has its times.
    acked = ev["ack_s"].dropna()  # an event committed just before the capture crash has no ack
    assert (ev["until_stored_s"] >= 0).all() and len(ev) == 60 and len(acked) > 0 and (acked >= 0).all()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: aq.ski_lift_day(peak_rate_per_s=5, base_rate_per_s=10), r"peak_rate_per_s must be >= base_rate_per_s = 10, got 5"),
        (lambda: aq.ski_lift_day(db_writes_per_s=0), r"db_writes_per_s must be > 0, got 0"),
        (lambda: aq.ski_lift_day(rush_peak_h=20), r"rush_peak_h must be in \[8, 17\], got 20"),
        (lambda: aq.durable_queue_run(n_events=5), r"n_events must be a whole number and in \[10, 5000\]"),
        (lambda: aq.durable_queue_run(kill_at_share=1), r"kill_at_share must be in \(0, 1\), got 1"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter_and_range(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_acknowledged_events_survive_a_killed_capture_process(tmp_path):
    run = aq.durable_queue_run(n_events=60, write_cost_s=0.002, kill_at_share=0.5, timeout_s=30,
                               directory=str(tmp_path), crash_capture_at_share=0.3)
    assert run["acked_before_crash"] >= 18
    assert run["acked_lost"] == 0
    assert run["synchronous"] == "FULL"
    # re-sent events (committed, never acknowledged) are stored once, like every other
    assert run["stored"] == 60 and run["missing"] == 0 and run["duplicates"] == 0 and run["in_order"]
    assert run["events"]["ack_s"].notna().all()


def test_a_resent_event_is_stored_once(tmp_path):
    queue = aq.DurableQueue(tmp_path / "q.db")
    queue.put("pass 00001 at lift 1")
    queue.put("pass 00001 at lift 1")  # the scanner got no answer and sent it again
    while queue.store_next():
        pass
    assert queue.counts() == (0, 1)
    queue.close()


def test_filesystem_type_takes_the_longest_mount_that_holds_the_path(tmp_path):
    mounts = tmp_path / "mounts"
    mounts.write_text("/dev/vda / ext4 rw 0 0\ntmpfs /tmp tmpfs rw 0 0\ntmpfs /tmpdata tmpfs rw 0 0\n"
                      "/dev/vdb /srv/my\\040disk xfs rw 0 0\n")
    assert aq._filesystem_type("/tmp/x/q.db", mounts_file=mounts) == "tmpfs"
    assert aq._filesystem_type("/tmpx/q.db", mounts_file=mounts) == "ext4"  # a prefix of the name is not a mount
    assert aq._filesystem_type("/srv/my disk/q.db", mounts_file=mounts) == "xfs"
    assert aq._filesystem_type("/", mounts_file=tmp_path / "missing") == "unknown"


def _run(ack_ms, scanned_ms, stored_ms, fs="ext4"):
    import pandas as pd

    scanned, stored = np.asarray(scanned_ms, float) / 1000, np.asarray(stored_ms, float) / 1000
    return {"events": pd.DataFrame({"ack_s": np.full(len(scanned), ack_ms / 1000), "until_stored_s": stored - scanned,
                                    "scanned_s": scanned, "stored_s": stored}),
            "filesystem": fs, "write_cost_s": 0.005}


def test_durable_queue_verdict_is_computed_from_the_run():
    # The verdict compares the acknowledgement with the ski-lift model's 3 ms, names the
    # file system, and counts what the consumer stored while the capture was committing:
    # a made-up run controls every number, so nothing here depends on this machine.
    n = 20
    scanned = 5.0 * np.arange(n)                      # a scan every 5 ms, the last at 95 ms
    # A short rush: at 14.5 ms an event the consumer could store about 7 in 95 ms, so
    # storing none is the gap between the two rates, not evidence of the write lock.
    short = _run(3.5, scanned, 100 + 15.0 * np.arange(n))
    text = aq.durable_queue_verdict(short, usable_cpus=2)
    assert "close to the 3 ms" in text and "ext4" in text and "2 usable CPUs" in text
    assert "stored 0; its own pace" in text and "would allow only about 7" in text
    assert "too few to tell a held write lock from the gap between the two rates" in text
    # A short rush in which the consumer kept near its pace: the rate gap, nothing more.
    near = _run(3.5, scanned, np.r_[20.0, 40.0, 60.0, 80.0, 100 + 15.0 * np.arange(n - 4)])
    text = aq.durable_queue_verdict(near, usable_cpus=2)
    assert "stored 4, about what its own pace" in text and "write lock" not in text
    # A long rush: 40 scans over 195 ms, room for about 13 stores at the consumer's pace,
    # and it stored none: the verdict names the write lock.
    long_scanned = 5.0 * np.arange(40)
    starved = _run(3.5, long_scanned, 200 + 15.0 * np.arange(40))
    text = aq.durable_queue_verdict(starved, usable_cpus=2)
    assert "stored only 0, where its own pace" in text and "would have allowed about 13" in text
    assert "write lock" in text
    kept_up = _run(30.0, scanned, scanned + 6.0, fs="tmpfs")
    text = aq.durable_queue_verdict(kept_up, usable_cpus=4)
    assert "10.0 times the 3 ms" in text and "in memory (tmpfs)" in text and "usable CPU" not in text
    assert f"stored {n - 2} of them" in text  # all but the two stored after the last scan (96 and 101 ms)
    with pytest.raises(ValueError, match="model_ack_ms"):
        aq.durable_queue_verdict(short, model_ack_ms=0)


def test_the_real_run_reports_its_file_system_and_timestamps(tmp_path):
    run = aq.durable_queue_run(n_events=20, write_cost_s=0.001, kill_at_share=0.5, timeout_s=30,
                               directory=str(tmp_path), crash_capture_at_share=None)
    ev = run["events"]
    assert run["filesystem"] == aq._filesystem_type(tmp_path) and run["write_cost_s"] == 0.001
    assert (ev["stored_s"] >= ev["scanned_s"]).all() and ev["scanned_s"].min() == 0
    assert np.allclose(ev["stored_s"] - ev["scanned_s"], ev["until_stored_s"])
    assert "Time until stored" in aq.durable_queue_verdict(run, usable_cpus=2)
