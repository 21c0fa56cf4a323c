"""CPU seconds used by each part of the fleet during a step, read from /proc (Linux).

Groups: each fleet process by the Procfile name it runs as (`portfolio-app`, `ledger-worker`,
...: a Celery worker's forked children count with it), the Postgres backends serving the
fleet's databases, the fleet's private Redis, and the load driver itself. Postgres' shared
background processes (WAL writer, checkpointer) serve every database on the machine and are left
out; so is the CPU of a process that exited during the step.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK")
_PACKAGE = re.compile(r"\b(\w+)_service\b")
# "postgres: [cluster: ]user database host(port) state", or "[local]" for a socket.
_POSTGRES_BACKEND = re.compile(r"^postgres: (?:\S+: )?\S+ (\S+) (?:\S+\(\d+\)|\[local\])")

Snapshot = dict[int, tuple[str, float]]
# What the whole machine did, every process of every user included: the share other work took.
MACHINE = "machine (all processes)"


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds in user and system mode) of a live process."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # the name in brackets may hold spaces
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS


def _cmdline(pid: int) -> str:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def process_group(cmdline: str) -> str | None:
    """The Procfile-style name of a fleet process from its command line, or None."""
    found = _PACKAGE.search(cmdline)
    if found is None:
        return None
    service = found.group(1)
    if "uvicorn" in cmdline:
        return f"{service}-app"
    if "celery" in cmdline:
        return f"{service}-worker"
    if ".bus" in cmdline:
        return f"{service}-bus"
    if "devnode" in cmdline or "anvil" in cmdline:
        return f"{service}-chain"
    return None


def postgres_database(cmdline: str) -> str | None:
    """The database a Postgres backend serves, from its process title."""
    found = _POSTGRES_BACKEND.match(cmdline)
    return found.group(1) if found else None


def snapshot(fleet_root: int, databases: Iterable[str], redis_pid: int) -> Snapshot:
    """CPU seconds so far of every process of interest, by pid, with its group."""
    stats = {int(p.name): _stat(int(p.name)) for p in PROC.iterdir() if p.name.isdigit()}
    children: dict[int, list[int]] = defaultdict(list)
    for pid, stat in stats.items():
        if stat is not None:
            children[stat[0]].append(pid)
    wanted = set(databases)
    taken: Snapshot = {}
    stack = list(children[fleet_root])
    while stack:
        pid = stack.pop()
        stack.extend(children[pid])
        group, stat = process_group(_cmdline(pid)), stats.get(pid)
        if group is not None and stat is not None:
            taken[pid] = (group, stat[1])
    taken[0] = (MACHINE, machine_busy_seconds())
    for pid, stat in stats.items():
        if stat is None or pid in taken:
            continue
        if pid == redis_pid:
            taken[pid] = ("redis", stat[1])
        elif pid == os.getpid():
            taken[pid] = ("load driver", stat[1])
        elif postgres_database(_cmdline(pid)) in wanted:
            taken[pid] = ("postgres", stat[1])
    return taken


def cpu_seconds_by_group(before: Snapshot, after: Snapshot) -> dict[str, float]:
    """CPU seconds each group used between two snapshots (a process born in between counts
    from zero)."""
    used: dict[str, float] = defaultdict(float)
    for pid, (group, seconds) in after.items():
        previous = before.get(pid)
        used[group] += seconds - (previous[1] if previous and previous[0] == group else 0.0)
    return dict(used)


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent running something (user, nice, system, irq, softirq) since
    boot; idle, I/O wait and time a hypervisor stole are left out."""
    user, nice, system, _idle, _iowait, irq, softirq = (
        int(v) for v in (PROC / "stat").read_text().splitlines()[0].split()[1:8]
    )
    return (user + nice + system + irq + softirq) / TICKS
