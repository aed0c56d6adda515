"""The lifecycle helper for real servers (scalelab.servers): start, readiness, cleanup.

Cleanup is checked after a normal exit, after an exception in the middle and after a
KeyboardInterrupt: no process, listening port or directory may be left behind.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

from scalelab import servers
from scalelab.servers import MissingProgram, ServerGroup, free_port, port_accepts, port_is_free

REPLICA = str(Path(servers.__file__).with_name("_replica.py"))


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _start_two(group: ServerGroup) -> list[tuple[int, int]]:
    out = []
    for k in range(2):
        port = free_port()
        s = group.start(f"web{k}", [sys.executable, "-I", REPLICA, str(port)], port=port, ready_s=20)
        out.append((s.pid, port))
    return out


def _assert_clean(started, directory: Path) -> None:
    for pid, port in started:
        assert _gone(pid), f"process {pid} is still there"
        assert port_is_free(port), f"port {port} is still taken"
        assert not port_accepts(port)
    assert not directory.exists(), f"{directory} was left behind"


def test_normal_exit_cleans_up():
    with ServerGroup() as group:
        started = _start_two(group)
        assert all(port_accepts(p) for _, p in started)
        (group.path("data") / "x").write_text("data")
    _assert_clean(started, group.directory)


def test_exception_in_the_middle_cleans_up():
    with pytest.raises(ZeroDivisionError):
        with ServerGroup() as group:
            started = _start_two(group)
            assert group.pause("web0")  # every thread stopped; a paused process is stopped too
            1 / 0
    _assert_clean(started, group.directory)


@pytest.fixture
def sigint_raises():
    """Python's own SIGINT handler for the test, restored afterwards.

    A process started in the background by a shell without job control (``nohup``,
    ``cmd &`` in a script, some CI runners) starts with SIGINT ignored, and Python then
    installs no handler, so the interrupt would never arrive; a Jupyter kernel installs its own.
    """
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


def test_keyboard_interrupt_cleans_up(sigint_raises):
    with pytest.raises(KeyboardInterrupt):
        with ServerGroup() as group:
            started = _start_two(group)
            os.kill(os.getpid(), signal.SIGINT)  # what Jupyter's "interrupt kernel" sends
    _assert_clean(started, group.directory)


def test_kill_and_restart_keep_the_port():
    with ServerGroup() as group:
        (pid, port), _ = _start_two(group)
        group.kill("web0")
        assert _gone(pid) and not port_accepts(port)
        again = group.restart("web0", ready_s=20)
        assert again.pid != pid and port_accepts(port)
    assert _gone(again.pid)


def test_missing_program_names_the_debian_package(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    for program, package in servers.DEBIAN_PACKAGES.items():
        with pytest.raises(MissingProgram, match=f"apt-get install -y {package}"):
            servers.require(program)
    with ServerGroup() as group:
        with pytest.raises(MissingProgram, match="etcd-server"):
            group.start("etcd", ["etcd", "--version"])
    assert not group.directory.exists()


def test_a_server_that_dies_reports_its_log():
    with ServerGroup() as group:
        with pytest.raises(RuntimeError, match="(?s)exited with code 3.*boom"):
            group.start("dies", [sys.executable, "-c", "print('boom'); raise SystemExit(3)"], port=free_port())


def test_readiness_deadline():
    with ServerGroup() as group:
        with pytest.raises(TimeoutError, match="not ready within 0.3 s"):
            group.start("never", ["sleep", "30"], ready=lambda s: False, ready_s=0.3)
        pid = group.servers["never"].pid
    assert _gone(pid)


@pytest.mark.parametrize("kwargs, match", [
    ({"name": "", "command": ["sleep", "1"]}, "name must be"),
    ({"name": "a/b", "command": ["sleep", "1"]}, "name must be"),
    ({"name": "x", "command": "sleep 1"}, "command must be"),
    ({"name": "x", "command": []}, "command must be"),
    ({"name": "x", "command": ["sleep", "1"], "ready_s": 0}, "ready_s must be"),
    ({"name": "x", "command": ["sleep", "1"], "ready_s": 1e9}, "ready_s must be"),
])
def test_bad_input_is_refused(kwargs, match):
    with ServerGroup() as group:
        with pytest.raises(ValueError, match=match):
            group.start(**kwargs)
        with pytest.raises(ValueError, match="sig must be"):
            group.signal("x", "hup")
    with pytest.raises(ValueError, match="prefix must be"):
        ServerGroup(prefix="a/b")
    with pytest.raises(ValueError, match="port must be"):
        port_is_free(0)
    with pytest.raises(RuntimeError, match="closed"):
        group.start("late", ["sleep", "1"])


def test_free_ports_are_not_handed_out_twice():
    ports = {free_port() for _ in range(20)}
    assert len(ports) == 20
    p = free_port(also_free_offset=10000)
    assert port_is_free(p + 10000)
