"""The load bench's CPU accounting (bench/load/resources.py): which process belongs to which
group, and what a group used between two snapshots."""

from __future__ import annotations

import os
from pathlib import Path

from bench.load.resources import (
    MACHINE,
    cpu_seconds_by_group,
    postgres_database,
    process_group,
    snapshot,
)

PROCFILE = Path(__file__).resolve().parents[2] / "Procfile.dev"


def test_every_procfile_process_falls_in_its_group() -> None:
    for line in PROCFILE.read_text().splitlines():
        if line.startswith("#") or ":" not in line:
            continue
        name, command = line.split(":", 1)
        assert process_group(command) == name, line


def test_a_postgres_backend_is_known_by_its_database() -> None:
    title = "postgres: 15/main: postgres load_load_ledger 127.0.0.1(50806) idle"
    assert postgres_database(title) == "load_load_ledger"
    assert postgres_database("postgres: 15/main: checkpointer ") is None
    assert postgres_database("postgres: postgres bench_ledger [local] idle") == "bench_ledger"


def test_cpu_by_group_counts_a_new_process_from_zero() -> None:
    before = {1: ("ledger-app", 2.0), 2: ("postgres", 1.0)}
    after = {1: ("ledger-app", 3.5), 2: ("postgres", 1.25), 3: ("postgres", 0.5)}
    assert cpu_seconds_by_group(before, after) == {"ledger-app": 1.5, "postgres": 0.75}


def test_the_driver_itself_is_measured() -> None:
    taken = snapshot(fleet_root=-1, databases=[], redis_pid=-1)
    assert taken[os.getpid()][0] == "load driver"
    assert taken[0][0] == MACHINE  # the whole host, for the share other work took
    assert taken[0][1] >= taken[os.getpid()][1]
