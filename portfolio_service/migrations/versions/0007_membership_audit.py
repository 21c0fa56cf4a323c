"""The append-only audit log of a tenant's membership and role changes.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

STATEMENTS = [
    """CREATE TABLE membership_audit (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        actor_user_id uuid NOT NULL,
        action text NOT NULL CHECK (action IN
            ('member_invited', 'member_joined', 'roles_changed', 'member_removed')),
        member_user_id uuid,
        member_email text NOT NULL,
        before jsonb,
        after jsonb,
        at timestamptz NOT NULL DEFAULT now())""",
    "CREATE INDEX ix_membership_audit_tenant ON membership_audit (tenant_id, id)",
    # Appended, never rewritten: the table refuses UPDATE and DELETE to everybody.
    """CREATE FUNCTION membership_audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'membership_audit is append-only'; END $$""",
    """CREATE TRIGGER membership_audit_append_only BEFORE UPDATE OR DELETE ON membership_audit
        FOR EACH ROW EXECUTE FUNCTION membership_audit_is_append_only()""",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE membership_audit")
    op.execute("DROP FUNCTION membership_audit_is_append_only()")
