"""A small process supervisor for the chaos suite: each Procfile line runs as its own process
group, and a child that exits (killed or not) is started again, as a container orchestrator or
systemd would (`Restart=always`).

honcho is not used here: it stops the whole fleet when one child exits, which is right for
`make dev` and the e2e suite, and the opposite of what a fault-injection run needs.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from fleetkit.testing.fleet import Fleet

RESTART_PAUSE_SECONDS = 0.5
REDIS = "redis"


@dataclass
class Program:
    """One supervised command and what happened to it."""

    name: str
    argv: list[str]
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    held: bool = False
    starts: int = 0
    exits: list[tuple[int, int]] = field(default_factory=list)
    exited_at: float = 0.0


def read_procfile(path: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    """name → (argv, leading VAR=value assignments) for every line of a Procfile."""
    programs = {}
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, command = line.split(":", 1)
        words = shlex.split(command)
        assignments = {}
        while words and "=" in words[0] and not words[0].startswith("-"):
            key, value = words.pop(0).split("=", 1)
            assignments[key] = value
        programs[name.strip()] = (words, assignments)
    return programs


class Supervisor:
    """Starts programs, restarts the ones that exit, and lets a test kill or hold them."""

    def __init__(self, cwd: Path, log: IO[bytes]) -> None:
        self.cwd = cwd
        self.log = log
        self.programs: dict[str, Program] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.watcher = threading.Thread(target=self._watch, name="supervisor", daemon=True)

    def add(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        self.programs[name] = Program(name, argv, env)
        with self.lock:
            self._start(self.programs[name])

    def run(self) -> None:
        self.watcher.start()

    def pid(self, name: str) -> int:
        process = self.programs[name].process
        if process is None or process.poll() is not None:
            raise RuntimeError(f"{name} is not running")
        return process.pid

    def running(self, name: str) -> bool:
        process = self.programs[name].process
        return process is not None and process.poll() is None

    def signal_group(self, name: str, signum: int) -> int:
        """Send `signum` to the program's whole process group (a worker's pool children, the
        chain node's anvil): what a container runtime's kill does. Returns the pid."""
        pid = self.pid(name)
        os.killpg(pid, signum)
        return pid

    def signal_main(self, name: str, signum: int) -> int:
        """Send `signum` to the program's main process only (a graceful stop asks it alone)."""
        pid = self.pid(name)
        os.kill(pid, signum)
        return pid

    def hold(self, name: str) -> None:
        """Stop restarting `name` once it exits (the test brings it back with `release`)."""
        self.programs[name].held = True

    def release(self, name: str) -> None:
        self.programs[name].held = False

    def wait_exit(self, name: str, pid: int, seconds: float) -> int | None:
        """The exit status of the process `pid` of `name` once it exited; None on timeout."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                for exited, status in self.programs[name].exits:
                    if exited == pid:
                        return status
            time.sleep(0.1)
        return None

    def wait_restarted(self, name: str, old_pid: int, seconds: float = 60) -> int:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            process = self.programs[name].process
            if process is not None and process.pid != old_pid and process.poll() is None:
                return process.pid
            time.sleep(0.1)
        raise RuntimeError(f"{name} was not restarted within {seconds}s")

    def stop(self, seconds: float = 30) -> None:
        """SIGTERM every group, then SIGKILL what is left after `seconds`."""
        self.stopping.set()
        self.watcher.join(timeout=5)
        live = [p.process for p in self.programs.values() if p.process and p.process.poll() is None]
        for process in live:
            _signal_group(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + seconds
        for process in live:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            _signal_group(process.pid, signal.SIGKILL)  # children left behind by the leader

    def _start(self, program: Program) -> None:
        program.process = subprocess.Popen(
            program.argv,
            cwd=self.cwd,
            env=program.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        program.starts += 1

    def _watch(self) -> None:
        while not self.stopping.is_set():
            now = time.monotonic()
            with self.lock:
                for program in self.programs.values():
                    process = program.process
                    if process is not None and process.poll() is not None:
                        program.exits.append((process.pid, process.returncode))
                        program.process, program.exited_at = None, now
                        _signal_group(process.pid, signal.SIGKILL)  # orphans of a killed leader
                    if (
                        program.process is None
                        and not program.held
                        and now - program.exited_at >= RESTART_PAUSE_SECONDS
                    ):
                        self._start(program)
            time.sleep(0.1)


def _signal_group(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signum)


@dataclass
class SupervisedFleet:
    """A fleet whose processes (and Redis, as `REDIS`) run under `supervisor`."""

    fleet: Fleet
    supervisor: Supervisor

    @property
    def programs(self) -> list[str]:
        """Every supervised process but Redis, in Procfile order."""
        return [name for name in self.supervisor.programs if name != REDIS]
