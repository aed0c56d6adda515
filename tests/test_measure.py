"""usable_cpus reads both limits; interleaved rotates, warms up, and keeps to its budget."""

from __future__ import annotations

import itertools

import pytest

from scalelab import measure


def _cgroup(tmp_path, text):
    (tmp_path / "cpu.max").write_text(text)
    return tmp_path


def test_a_cgroup_quota_below_the_affinity_mask_limits_usable_cpus(tmp_path):
    cpus = measure.usable_cpus(_cgroup(tmp_path, "50000 100000\n"))
    assert cpus.quota == 0.5 and cpus.usable == 1
    assert "affinity mask" in str(cpus) and "0.5 CPUs" in str(cpus)


def test_no_quota_leaves_the_affinity_mask(tmp_path):
    cpus = measure.usable_cpus(_cgroup(tmp_path, "max 100000\n"))
    assert cpus.quota is None and cpus.usable == cpus.affinity


def test_cgroup_v1_quota_is_read_too(tmp_path):
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("150000")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000")
    cpus = measure.usable_cpus(tmp_path)
    assert cpus.quota == 1.5 and cpus.usable == 1


def test_rounds_rotate_the_order_and_warm_up_first():
    calls = []
    timings = measure.interleaved({k: (lambda k=k: calls.append(k)) for k in "abc"},
                                  repeats=3, warmup=1, budget_s=10)
    assert calls == list("abc") + list("abc") + list("bca") + list("cab")
    assert timings.rounds == 3 and set(timings.table().index) == set("abc")


def test_the_budget_stops_new_rounds_after_the_minimum():
    ticks = itertools.count(step=1.0)  # a fake clock: every reading is one second later
    timings = measure.interleaved({"x": lambda: None}, repeats=100, warmup=0, budget_s=4,
                                  min_repeats=2, clock=lambda: next(ticks))
    assert 2 <= timings.rounds < 100


@pytest.mark.parametrize("kwargs, name", [({"repeats": 0}, "repeats"), ({"budget_s": float("inf")}, "budget_s"),
                                          ({"warmup": 11}, "warmup"), ({"repeats": 2, "min_repeats": 3}, "min_repeats")])
def test_bad_settings_are_refused(kwargs, name):
    with pytest.raises(ValueError, match=name):
        measure.interleaved({"x": lambda: None}, **kwargs)


def test_settings_must_be_callables():
    with pytest.raises(ValueError, match="settings"):
        measure.interleaved({})
    with pytest.raises(ValueError, match="callable"):
        measure.interleaved({"x": 3})


def test_the_load_average_is_read_against_the_host_cpus_not_a_quota():
    # os.getloadavg() is the whole host's: load 10 on a 64-CPU host is quiet, even with a 2-CPU quota.
    quota = measure.CpuCount(affinity=64, quota=2.0, usable=2)
    h = measure.host_load(10.0, quota, host_cpus=64)
    assert not h.busy() and h.quota_limited
    assert "on the host's 64 CPUs" in str(h)
    assert len(h.causes()) == 1 and "quota is 2 CPUs" in h.causes()[0] and "next period" in h.causes()[0]
    busy = measure.host_load(10.0, measure.CpuCount(affinity=4, quota=None, usable=4), host_cpus=4)
    assert busy.busy() and not busy.quota_limited and "host is busy" in busy.causes()[0]
    assert not busy.busy(margin=6.5)


def test_one_reader_of_the_load_average_and_none_where_the_platform_has_none(monkeypatch):
    monkeypatch.setattr(measure.os, "getloadavg", lambda: (3.5, 2.0, 1.0), raising=False)
    assert measure.load_average_1min() == 3.5
    assert measure.host_load().load == 3.5
    monkeypatch.delattr(measure.os, "getloadavg", raising=False)
    assert measure.load_average_1min() is None and measure.host_load().load is None
    assert str(measure.host_load()) == "load average unknown"


def test_host_load_refuses_bad_values_at_the_door():
    for kwargs, name in (({"load_average": -1.0}, "load_average"), ({"host_cpus": 0}, "host_cpus"),
                         ({"cpus": 2}, "cpus")):
        with pytest.raises(ValueError, match=name):
            measure.host_load(**kwargs)
