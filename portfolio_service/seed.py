"""Demo identity for a dev fleet: `python -m portfolio_service.seed`.

One tenant ("FinFleet Demo") and one user per role, `demo-<role>@finfleet.example`, all with the
password of `PORTFOLIO_DEMO_PASSWORD` (default `finfleet demo password` outside production;
production refuses to seed). Running it again changes nothing. Investors are seeded KYC-verified,
accredited, in DE, so that they may invest where a campaign allows.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid

from sqlalchemy.ext.asyncio import AsyncEngine

from fleetkit.db import make_engine, make_sessionmaker
from fleetkit.policy import Role
from portfolio_service.config import get_settings
from portfolio_service.identity import repository
from portfolio_service.identity.models import Membership, Tenant, User
from portfolio_service.identity.secrets import hash_password

DEMO_NAMESPACE = uuid.UUID("0193a1b2-0000-7000-8000-64656d6f0001")
DEMO_TENANT = uuid.uuid5(DEMO_NAMESPACE, "tenant")
DEFAULT_PASSWORD = "finfleet demo password"  # noqa: S105 - development only, refused in production
ROLES = [role for role in Role if role is not Role.SERVICE]
INVESTOR_ATTRIBUTES = {"kyc_status": "verified", "accredited": "true", "jurisdiction": "DE"}


def demo_email(role: Role) -> str:
    """The demo user of a role."""
    return f"demo-{role.value}@finfleet.example"


async def seed_demo_identity(engine: AsyncEngine, password: str) -> int:
    """Create what is missing of the demo tenant and users; returns how many users were new."""
    created = 0
    async with make_sessionmaker(engine)() as session, session.begin():
        if await session.get(Tenant, DEMO_TENANT) is None:
            session.add(Tenant(id=DEMO_TENANT, name="FinFleet Demo"))
            await session.flush()
        for role in ROLES:
            if await repository.user_by_email(session, demo_email(role)) is not None:
                continue
            user = User(
                id=uuid.uuid5(DEMO_NAMESPACE, role.value), email=demo_email(role),
                display_name=f"Demo {role.value}", password_hash=hash_password(password),
                attributes=INVESTOR_ATTRIBUTES if role is Role.INVESTOR else {},
                failed_logins=0,
            )  # fmt: skip
            session.add(user)
            await session.flush()
            session.add(Membership(tenant_id=DEMO_TENANT, user_id=user.id, roles=[role.value]))
            created += 1
    return created


def main() -> int:
    settings = get_settings()
    if settings.is_production:
        print("refusing to seed demo users in production", file=sys.stderr)
        return 2
    password = os.environ.get("PORTFOLIO_DEMO_PASSWORD", DEFAULT_PASSWORD)
    engine = make_engine(settings.database_url.get_secret_value(), pool_size=1)

    async def run() -> int:
        try:
            return await seed_demo_identity(engine, password)
        finally:
            await engine.dispose()

    created = asyncio.run(run())
    print(f"demo tenant {DEMO_TENANT}: {created} new users (demo-<role>@finfleet.example)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
