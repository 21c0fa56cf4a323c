"""Row-level security: Postgres keeps each tenant's rows apart, behind the repositories' filters.

DESIGN.md §6 asks for two walls: every repository query filters by the caller's tenant, and
Postgres enforces it again, so a query that forgot its filter still sees only its own tenant.

How the second wall works:
- Each tenant table gets a policy `tenant_id = current_setting('app.tenant_id')`
  (`isolate_tenants`, in the service's migration). Policies bind every role that neither owns
  the table nor bypasses RLS; the role `finfleet_tenant` (`create_tenant_role`) is such a role.
- A database transaction opened for a request that acts for a tenant switches to that role and
  sets the tenant (`TenantScopedSession`, one round trip when the transaction begins), both
  `LOCAL`, so they end with the transaction. It takes the tenant from the request's
  `TenantScope`, which `RequestContextMiddleware` opens and `fleetkit.auth.authenticate` fills.
- Work that is not a tenant's (sweeps, reconciliation, migrations, callers whose token names no
  tenant) runs as the connecting role, the tables' owner, and sees every row. So does a route
  whose use case spans the whole book by nature (the ledger's audit chain), which says so by
  taking `fleetkit.db.WholeBookSessionDep` instead of `SessionDep`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

TENANT_ROLE = "finfleet_tenant"
WHOLE_BOOK = "whole_book"  # Session.info key: this session's work spans every tenant
TENANT_SETTING = "app.tenant_id"
_SCOPE_SQL = (
    f"SELECT set_config('{TENANT_SETTING}', $1, true), set_config('role', '{TENANT_ROLE}', true)"
)


@dataclass
class TenantScope:
    """The tenant the current request acts for, once its token has been verified."""

    tenant_id: str | None = None


tenant_scope: ContextVar[TenantScope | None] = ContextVar("tenant_scope", default=None)


def bind_tenant(tenant_id: str | None) -> None:
    """Record the verified caller's tenant on the current request's scope."""
    scope = tenant_scope.get()
    if scope is not None:
        scope.tenant_id = tenant_id


@contextmanager
def acting_for(tenant_id: str | None) -> Iterator[None]:
    """Database transactions begun inside act for `tenant_id` (None: for no tenant)."""
    token = tenant_scope.set(TenantScope(tenant_id))
    try:
        yield
    finally:
        tenant_scope.reset(token)


class TenantScopedSession(Session):
    """A session whose transactions take on the tenant of the scope they begin in."""


@event.listens_for(TenantScopedSession, "after_begin")
def _act_for_scoped_tenant(session: Session, transaction: Any, connection: Any) -> None:
    scope = tenant_scope.get()
    if scope is None or not scope.tenant_id or session.info.get(WHOLE_BOOK):
        return
    connection.exec_driver_sql(_SCOPE_SQL, (scope.tenant_id,))


def create_tenant_role() -> list[str]:
    """Migration statements: the role tenant transactions switch to, with rights on the tables.

    The role is cluster-wide and shared by every service's database; the grants are per
    database and also cover tables later migrations create (default privileges).
    """
    return [
        f"""DO $$ BEGIN
            CREATE ROLE {TENANT_ROLE} NOLOGIN NOBYPASSRLS;
        EXCEPTION WHEN duplicate_object THEN NULL; END $$""",
        f"GRANT {TENANT_ROLE} TO CURRENT_USER",
        f"GRANT USAGE ON SCHEMA public TO {TENANT_ROLE}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {TENANT_ROLE}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {TENANT_ROLE}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {TENANT_ROLE}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {TENANT_ROLE}",
    ]


def isolate_tenants(table: str) -> list[str]:
    """Migration statements: `table`'s rows are visible and writable only for their tenant."""
    condition = f"tenant_id = current_setting('{TENANT_SETTING}', true)"
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant_isolation ON {table} USING ({condition}) WITH CHECK ({condition})",
    ]


def drop_tenant_isolation(table: str) -> list[str]:
    """Migration statements undoing `isolate_tenants`."""
    return [
        f"DROP POLICY IF EXISTS tenant_isolation ON {table}",
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
    ]
