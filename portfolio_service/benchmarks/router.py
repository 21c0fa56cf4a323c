"""Public API of benchmarks, the yardsticks of attribution."""

from __future__ import annotations

from fastapi import APIRouter, Path

from fleetkit.db import SessionDep
from portfolio_service.benchmarks import service
from portfolio_service.benchmarks.schemas import NAME_PATTERN, BenchmarkPublic, BenchmarkPut
from portfolio_service.identity.authentication import CurrentCaller
from portfolio_service.identity.tokens import require_scope

router = APIRouter(prefix="/api/v1/benchmarks", tags=["benchmarks"])


@router.put("/{name}", response_model=BenchmarkPublic)
async def put_benchmark(
    body: BenchmarkPut,
    caller: CurrentCaller,
    session: SessionDep,
    name: str = Path(pattern=NAME_PATTERN),
) -> BenchmarkPublic:
    """Define (or replace) a benchmark: asset-class weights summing to 1, each class tracked by
    a listed equity's daily closes (`index`) or a constant annual rate (`annual_rate`)."""
    require_scope(caller, "write")
    return await service.put_benchmark(session, caller.principal, name, body)


@router.get("", response_model=list[BenchmarkPublic])
async def list_benchmarks(caller: CurrentCaller, session: SessionDep) -> list[BenchmarkPublic]:
    """The tenant's benchmarks."""
    return await service.benchmarks(session, caller.principal)
