"""Start and stop real servers (etcd, Redis, HAProxy, small Python replicas) safely.

The labs of chapters 2, 5 and 7 run the systems the course models, on the reader's own
machine. This module is their one lifecycle helper:

* every server is a child process in its own process group (so a signal reaches it and
  anything it forks), bound to 127.0.0.1 only, on a port checked free, with its data and
  log in one temporary directory;
* :meth:`ServerGroup.start` waits for readiness with a deadline and reports the server's
  log if it dies or never becomes ready;
* :class:`ServerGroup` is a context manager: on normal exit, on an exception and on a
  ``KeyboardInterrupt`` (the kernel's "interrupt") it stops every process group it
  started (resuming paused ones first), reaps them and deletes the directory;
* a missing program raises :class:`MissingProgram`, whose message names the Debian
  package to install (:data:`DEBIAN_PACKAGES`).

>>> with ServerGroup() as group:
...     server = group.start("sleeper", ["sleep", "30"], ready=lambda s: True)
...     alive = server.alive
>>> alive, server.alive, group.directory.exists()
(True, False, False)
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from ._validate import number, option

__all__ = ["DEBIAN_PACKAGES", "MissingProgram", "Server", "ServerGroup", "free_port", "have",
           "port_is_free", "require", "MAX_READY_S"]

#: The Debian package that provides each program the labs run.
DEBIAN_PACKAGES = {
    "etcd": "etcd-server",
    "etcdctl": "etcd-client",
    "redis-server": "redis-server",
    "redis-cli": "redis-tools",
    "haproxy": "haproxy",
}
#: Longest readiness deadline :meth:`ServerGroup.start` accepts, seconds.
MAX_READY_S = 60.0
#: How long a process group gets after SIGTERM before SIGKILL, seconds.
STOP_GRACE_S = 3.0
HOST = "127.0.0.1"

_handed_out: set[int] = set()  # ports given out by free_port in this process


class MissingProgram(RuntimeError):
    """A program a lab needs is not installed; the message names the Debian package."""


def have(*programs: str) -> bool:
    """True if every program is on ``PATH``.

    >>> have("sh"), have("no-such-program-scalelab")
    (True, False)
    """
    return all(shutil.which(p) for p in programs)


def require(program: str) -> str:
    """The full path of ``program``, or :class:`MissingProgram` naming its Debian package.

    >>> require("no-such-program-scalelab")
    Traceback (most recent call last):
    ...
    scalelab.servers.MissingProgram: no-such-program-scalelab is not installed ...
    """
    if not isinstance(program, str) or not program:
        raise ValueError(f"program must be a non-empty string, got {program!r}")
    path = shutil.which(program)
    if path:
        return path
    package = DEBIAN_PACKAGES.get(program)
    hint = (f"on Debian or Ubuntu: sudo apt-get install -y {package} (Debian package {package!r}); "
            "`bash tools/system-deps.sh` installs every package the labs need") if package else \
        "install it and make sure it is on PATH"
    raise MissingProgram(f"{program} is not installed ({hint})")


def port_is_free(port: int) -> bool:
    """True if a TCP socket can bind ``127.0.0.1:port`` now."""
    port = int(number("port", port, 1, 65535))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port(also_free_offset: int | None = None) -> int:
    """A TCP port on 127.0.0.1 that is free now and was not handed out before in this process.

    The operating system picks it (bind to port 0). ``also_free_offset`` asks that
    ``port + offset`` be free too (Redis Cluster's bus listens on port + 10000).
    """
    offset = None if also_free_offset is None else int(number("also_free_offset", also_free_offset, 1, 30000))
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((HOST, 0))
            port = s.getsockname()[1]
        if port in _handed_out or (offset is not None and (port + offset > 65535 or not port_is_free(port + offset))):
            continue
        _handed_out.add(port)
        if offset is not None:
            _handed_out.add(port + offset)
        return port
    raise RuntimeError("found no free TCP port on 127.0.0.1 in 200 tries")


def port_accepts(port: int, timeout_s: float = 0.2) -> bool:
    """True if something accepts TCP connections on ``127.0.0.1:port``."""
    try:
        with socket.create_connection((HOST, int(port)), timeout=timeout_s):
            return True
    except OSError:
        return False


@dataclass
class Server:
    """One started server: its name, command, port, process and log file."""

    name: str
    command: list[str]
    port: int | None
    process: subprocess.Popen
    log: Path
    paused: bool = False

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


@dataclass
class ServerGroup:
    """A context manager that owns some server processes and one temporary directory.

    Parameters
    ----------
    prefix : name prefix of the temporary directory.

    Use ``with ServerGroup() as group: group.start(...)``; leaving the block in any way
    stops everything (see the module docstring).
    """

    prefix: str = "scalelab-"
    directory: Path = field(init=False)
    servers: dict[str, Server] = field(init=False, default_factory=dict)
    _closed: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        if not isinstance(self.prefix, str) or "/" in self.prefix:
            raise ValueError(f"prefix must be a string without '/', got {self.prefix!r}")
        self.directory = Path(tempfile.mkdtemp(prefix=self.prefix))

    def __enter__(self) -> "ServerGroup":
        return self

    def __exit__(self, *exc) -> bool:
        self.close()
        return False  # exceptions, KeyboardInterrupt included, go on up

    def __del__(self) -> None:  # a group dropped without close still cleans up
        try:
            self.close()
        except Exception:
            pass

    def path(self, name: str) -> Path:
        """A subdirectory of the group's directory (created)."""
        p = self.directory / name
        p.mkdir(parents=True, exist_ok=True)
        return p

    def start(self, name: str, command: Sequence[str], *, port: int | None = None,
              ready: Callable[[Server], bool] | None = None, ready_s: float = 10.0,
              env: dict[str, str] | None = None) -> Server:
        """Start ``command`` as ``name`` and wait until ``ready(server)`` is true.

        Parameters
        ----------
        name : unique name in this group (also the name of its log file).
        command : program and arguments; the program must be installed.
        port : the port it listens on, if any; by default readiness means it accepts
            connections there.
        ready : readiness test, called every 20 ms; default: accepts on ``port`` (or
            nothing to wait for without a port).
        ready_s : deadline for readiness, seconds, in (0, MAX_READY_S].
        env : extra environment variables.
        """
        if self._closed:
            raise RuntimeError("this ServerGroup is closed; start a new one")
        if not isinstance(name, str) or not name or "/" in name or name in self.servers:
            raise ValueError(f"name must be a new non-empty string without '/', got {name!r}")
        if isinstance(command, str) or not command or not all(isinstance(c, str) for c in command):
            raise ValueError(f"command must be a non-empty list of strings, got {command!r}")
        deadline_s = number("ready_s", ready_s, 0, MAX_READY_S, low_open=True)
        program = require(command[0]) if "/" not in command[0] else command[0]
        log = self.directory / f"{name}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen([program, *command[1:]], cwd=self.directory, stdout=out,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       start_new_session=True, env={**os.environ, **(env or {})})
        server = Server(name, list(command), port, process, log)
        self.servers[name] = server
        if ready is None:
            ready = (lambda s: port_accepts(s.port)) if port is not None else (lambda s: True)
        end = time.monotonic() + deadline_s
        while True:
            if not server.alive:
                raise RuntimeError(f"{name} exited with code {process.returncode} before it was ready; "
                                   f"its log ends:\n{server.log_tail()}")
            try:
                if ready(server):
                    return server
            except OSError:
                pass
            if time.monotonic() > end:
                raise TimeoutError(f"{name} was not ready within {deadline_s:g} s; its log ends:\n{server.log_tail()}")
            time.sleep(0.02)

    def signal(self, name: str, sig: str) -> None:
        """Send ``sig`` ("kill", "term", "stop" or "cont") to the process group of ``name``."""
        which = option("sig", sig, ("kill", "term", "stop", "cont"))
        server = self.servers.get(name)
        if server is None:
            raise ValueError(f"name must be one of {sorted(self.servers)}, got {name!r}")
        number_ = {"kill": signal.SIGKILL, "term": signal.SIGTERM, "stop": signal.SIGSTOP, "cont": signal.SIGCONT}[which]
        if server.alive:
            try:
                os.killpg(server.pid, number_)
            except ProcessLookupError:
                pass
        server.paused = which == "stop"
        if which == "kill":
            server.process.wait(timeout=STOP_GRACE_S)

    def kill(self, name: str) -> None:
        """SIGKILL ``name`` (a crash: no shutdown) and reap it; its data stays for a restart."""
        self.signal(name, "kill")

    def restart(self, name: str, **kwargs) -> Server:
        """Start a stopped server again with the same command and port (same data)."""
        old = self.servers.get(name)
        if old is None:
            raise ValueError(f"name must be one of {sorted(self.servers)}, got {name!r}")
        if old.alive:
            raise RuntimeError(f"{name} is still running")
        del self.servers[name]
        return self.start(name, old.command, port=old.port, **kwargs)

    def pause(self, name: str, wait_s: float = 2.0) -> bool:
        """SIGSTOP ``name``: it keeps its sockets but answers nothing until :meth:`resume`.

        A signal takes effect when each thread is next scheduled, which on a busy machine
        can be a while: this waits (at most ``wait_s``) until every thread of the process
        is stopped, and says whether they all were.
        """
        limit = number("wait_s", wait_s, 0, 10)
        self.signal(name, "stop")
        tasks = Path(f"/proc/{self.servers[name].pid}/task")
        end = time.monotonic() + limit
        while tasks.exists():
            try:
                states = [(t / "stat").read_text().rsplit(")", 1)[1].split()[0] for t in tasks.iterdir()]
            except (OSError, IndexError):
                states = []
            if states and all(st in "Tt" for st in states):
                return True
            if time.monotonic() > end:
                return False
            time.sleep(0.002)
        return False  # the process is gone

    def resume(self, name: str) -> None:
        """SIGCONT a paused ``name``."""
        self.signal(name, "cont")

    def close(self) -> None:
        """Stop every process group (SIGCONT, SIGTERM, then SIGKILL), reap, delete the directory."""
        if self._closed:
            return
        self._closed = True
        for server in self.servers.values():
            for sig in (signal.SIGCONT, signal.SIGTERM):
                try:
                    os.killpg(server.pid, sig)
                except (ProcessLookupError, PermissionError):
                    pass
        end = time.monotonic() + STOP_GRACE_S
        for server in self.servers.values():
            try:
                server.process.wait(timeout=max(0.05, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(server.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
                server.process.wait(timeout=STOP_GRACE_S)
        shutil.rmtree(self.directory, ignore_errors=True)


# --- A lab's result, measured now or stored from an earlier run -------------------------

DATA = Path(__file__).with_name("data")


@dataclass
class LabResult:
    """What a lab measured: named tables, named numbers, a verdict, and where it came from.

    ``source`` says whether the numbers were measured just now on this machine or are
    the stored record of an earlier run (when the servers are not installed); ``command``
    says what the lab runs.
    """

    name: str
    tables: dict
    facts: dict
    verdict: str
    source: str
    command: str = ""

    @property
    def stored(self) -> bool:
        return self.source.startswith("stored")

    def __str__(self) -> str:
        return f"{self.name} ({self.source}): {self.verdict}"

    __repr__ = __str__

    def to_json(self) -> dict:
        return {"name": self.name, "facts": self.facts, "verdict": self.verdict, "source": self.source,
                "command": self.command,
                "tables": {k: v.to_dict(orient="split") for k, v in self.tables.items()}}

    def save(self, path: Path | None = None) -> Path:
        """Write the result as JSON (default: the package's data/<name>.json)."""
        import json

        path = Path(path) if path is not None else DATA / f"{self.name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=1, default=float) + "\n")
        return path


def stored_result(name: str, why: str) -> LabResult:
    """The stored result ``data/<name>.json``, labelled as stored with the reason ``why``."""
    import json

    import pandas as pd

    path = DATA / f"{name}.json"
    if not path.exists():
        raise ValueError(f"name must name a stored lab result in {DATA}, got {name!r}")
    raw = json.loads(path.read_text())
    tables = {k: pd.DataFrame(**v) for k, v in raw["tables"].items()}
    return LabResult(raw["name"], tables, raw["facts"], raw["verdict"],
                     f"stored: {why}; these numbers are {raw['source']}", raw.get("command", ""))
