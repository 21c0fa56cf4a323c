"""Use cases of benchmarks: define or replace one (owners, admins), list, look one up."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.ids import new_id
from fleetkit.policy import Principal, Resource, authorize
from portfolio_service.benchmarks.models import Benchmark
from portfolio_service.benchmarks.schemas import BenchmarkPublic, BenchmarkPut
from portfolio_service.portfolios.access import tenant_of


def public(benchmark: Benchmark) -> BenchmarkPublic:
    fields = {"name": benchmark.name, "components": benchmark.components}
    return BenchmarkPublic.model_validate({**fields, "updated_at": benchmark.updated_at})


async def put_benchmark(
    session: AsyncSession, principal: Principal, name: str, body: BenchmarkPut
) -> BenchmarkPublic:
    """Define the tenant's benchmark `name`, or replace its components."""
    tenant = tenant_of(principal)
    authorize(principal, "manage_settings", Resource("benchmark", str(tenant)))
    components = [c.model_dump(mode="json", exclude_none=True) for c in body.components]
    statement = insert(Benchmark).values(
        id=new_id(), tenant_id=tenant, name=name, components=components
    )
    await session.execute(
        statement.on_conflict_do_update(
            constraint="uq_benchmarks_tenant_name",
            set_={"components": components, "updated_at": func.now()},
        )
    )
    found = await benchmark_named(session, tenant, name)
    assert found is not None
    await session.refresh(found)
    return public(found)


async def benchmark_named(
    session: AsyncSession, tenant_id: uuid.UUID, name: str
) -> Benchmark | None:
    """The tenant's benchmark of that name, if any."""
    found = await session.execute(
        select(Benchmark).where(Benchmark.tenant_id == tenant_id, Benchmark.name == name)
    )
    return found.scalar_one_or_none()


async def benchmarks(session: AsyncSession, principal: Principal) -> list[BenchmarkPublic]:
    """The tenant's benchmarks by name (staff of the tenant)."""
    tenant = tenant_of(principal)
    authorize(principal, "read", Resource("benchmark", str(tenant)))
    rows = await session.execute(
        select(Benchmark).where(Benchmark.tenant_id == tenant).order_by(Benchmark.name)
    )
    return [public(b) for b in rows.scalars()]
