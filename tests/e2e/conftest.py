"""The whole fleet as real processes, started the way `make dev` starts it, once per session
(fleetkit.testing.fleet.running_fleet, shared with the chaos suite and the load bench), on fresh
`e2e_*` databases.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from fleetkit.testing.fleet import Fleet, running_fleet
from fleetkit.testing.plugin import ADMIN_URL, DB_PREFIX

E2E_PREFIX = "e2e" if DB_PREFIX == "test" else f"{DB_PREFIX}_e2e"


@pytest.fixture(scope="session")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    if shutil.which("redis-server") is None:
        pytest.fail(
            "redis-server is required for the end-to-end suite (apt-get install redis-server)"
        )
    with running_fleet(tmp_path_factory.mktemp("fleet"), database_prefix=E2E_PREFIX) as fleet:
        yield fleet


__all__ = ["ADMIN_URL", "Fleet"]
