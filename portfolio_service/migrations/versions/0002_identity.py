"""Identity: tenants, users, memberships, invitations, refresh tokens, API keys.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# asyncpg takes one statement per execute call: each entry is run on its own.
STATEMENTS = [
    """CREATE TABLE tenants (
        id uuid PRIMARY KEY,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        created_at timestamptz NOT NULL DEFAULT now())""",
    """CREATE TABLE users (
        id uuid PRIMARY KEY,
        email text NOT NULL UNIQUE CHECK (email = lower(email)),
        display_name text NOT NULL,
        password_hash text NOT NULL,
        attributes jsonb NOT NULL DEFAULT '{}',
        failed_logins integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
        locked_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now())""",
    """CREATE TABLE memberships (
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        user_id uuid NOT NULL REFERENCES users (id),
        roles text[] NOT NULL CHECK (cardinality(roles) > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, user_id))""",
    "CREATE INDEX ix_memberships_user ON memberships (user_id)",
    """CREATE TABLE invitations (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        email text NOT NULL CHECK (email = lower(email)),
        roles text[] NOT NULL CHECK (cardinality(roles) > 0),
        token_hash text NOT NULL UNIQUE,
        invited_by uuid NOT NULL REFERENCES users (id),
        expires_at timestamptz NOT NULL,
        accepted_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now())""",
    """CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY,
        family_id uuid NOT NULL,
        user_id uuid NOT NULL REFERENCES users (id),
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        token_hash text NOT NULL UNIQUE,
        expires_at timestamptz NOT NULL,
        rotated_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now())""",
    "CREATE INDEX ix_refresh_tokens_family ON refresh_tokens (family_id)",
    """CREATE TABLE api_keys (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        user_id uuid NOT NULL REFERENCES users (id),
        name text NOT NULL,
        prefix text NOT NULL UNIQUE,
        key_hash text NOT NULL,
        roles text[] NOT NULL,
        scopes text[] NOT NULL CHECK (cardinality(scopes) > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        last_used_at timestamptz)""",
    "CREATE INDEX ix_api_keys_tenant ON api_keys (tenant_id, created_at)",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for table in ("api_keys", "refresh_tokens", "invitations", "memberships", "users", "tenants"):
        op.execute(f"DROP TABLE {table}")
