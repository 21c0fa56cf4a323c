"""The ledger: assets, accounts, transactions, lines, entries, audit chain.

Balance limits are CHECK constraints, so the database refuses an overdraft even if the engine
had a bug. Transactions, lines, entries and audit links are append-only: a trigger refuses
UPDATE and DELETE on them.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY = ("transactions", "transaction_lines", "entries", "audit_links")

SCHEMA = """
CREATE TABLE assets (
    code text PRIMARY KEY,
    scale smallint NOT NULL CHECK (scale BETWEEN 0 AND 18),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE accounts (
    id uuid PRIMARY KEY,
    tenant_id text NOT NULL,
    name text NOT NULL,
    asset_code text NOT NULL REFERENCES assets (code),
    normal_side text NOT NULL CHECK (normal_side IN ('debit', 'credit')),
    debits_pending bigint NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
    debits_posted bigint NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
    credits_pending bigint NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
    credits_posted bigint NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
    debits_must_not_exceed_credits boolean NOT NULL DEFAULT false,
    credits_must_not_exceed_debits boolean NOT NULL DEFAULT false,
    closed boolean NOT NULL DEFAULT false,
    version bigint NOT NULL DEFAULT 0,
    metadata jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_accounts_tenant_name UNIQUE (tenant_id, name),
    CONSTRAINT ck_accounts_debits_within_credits CHECK (
        NOT debits_must_not_exceed_credits OR debits_pending + debits_posted <= credits_posted),
    CONSTRAINT ck_accounts_credits_within_debits CHECK (
        NOT credits_must_not_exceed_debits OR credits_pending + credits_posted <= debits_posted),
    CONSTRAINT ck_accounts_one_limit CHECK (
        NOT (debits_must_not_exceed_credits AND credits_must_not_exceed_debits))
);
CREATE INDEX ix_accounts_tenant_name ON accounts (tenant_id, name text_pattern_ops);

CREATE TABLE transactions (
    seq bigserial NOT NULL UNIQUE,
    id uuid PRIMARY KEY,
    tenant_id text NOT NULL,
    kind text NOT NULL CHECK (kind IN
        ('posted', 'pending', 'post_hold', 'void_hold', 'expire_hold', 'reversal')),
    target_id uuid REFERENCES transactions (id),
    effective_at timestamptz NOT NULL,
    committed_at timestamptz NOT NULL,
    expires_at timestamptz,
    metadata jsonb NOT NULL DEFAULT '{}',
    request_hash text NOT NULL,
    CHECK ((kind IN ('posted', 'pending')) = (target_id IS NULL)),
    CHECK (expires_at IS NULL OR kind = 'pending')
);
-- A hold is resolved (posted, voided or expired) at most once; a transaction reversed at most once.
CREATE UNIQUE INDEX uq_transactions_hold_resolution ON transactions (target_id)
    WHERE kind IN ('post_hold', 'void_hold', 'expire_hold');
CREATE UNIQUE INDEX uq_transactions_reversal ON transactions (target_id) WHERE kind = 'reversal';
CREATE INDEX ix_transactions_holds_by_expiry ON transactions (expires_at) WHERE kind = 'pending';
CREATE INDEX ix_transactions_tenant_seq ON transactions (tenant_id, seq);

CREATE TABLE transaction_lines (
    transaction_id uuid NOT NULL REFERENCES transactions (id),
    line_no integer NOT NULL,
    account_id uuid NOT NULL REFERENCES accounts (id),
    side text NOT NULL CHECK (side IN ('debit', 'credit')),
    amount bigint NOT NULL CHECK (amount > 0),
    PRIMARY KEY (transaction_id, line_no)
);
CREATE INDEX ix_transaction_lines_account ON transaction_lines (account_id);

CREATE TABLE entries (
    account_id uuid NOT NULL REFERENCES accounts (id),
    version bigint NOT NULL,
    transaction_id uuid NOT NULL REFERENCES transactions (id),
    committed_at timestamptz NOT NULL,
    effective_at timestamptz NOT NULL,
    debits_pending bigint NOT NULL,
    debits_posted bigint NOT NULL,
    credits_pending bigint NOT NULL,
    credits_posted bigint NOT NULL,
    PRIMARY KEY (account_id, version)
);
CREATE INDEX ix_entries_as_of ON entries (account_id, committed_at, version);

-- Transactions waiting to be linked into the audit chain (a work queue, not the book).
CREATE TABLE audit_queue (
    transaction_seq bigint PRIMARY KEY,
    transaction_id uuid NOT NULL
);

CREATE TABLE audit_links (
    seq bigserial PRIMARY KEY,
    transaction_ids uuid[] NOT NULL,
    previous_hash text NOT NULL,
    hash text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
"""


def statements(script: str) -> list[str]:
    """The script's statements, one each (asyncpg runs one statement per call); a `$$` body
    stays whole."""
    parts, current, in_body = [], [], False
    for line in script.strip().splitlines():
        current.append(line)
        in_body ^= line.count("$$") % 2 == 1
        if line.rstrip().endswith(";") and not in_body:
            parts.append("\n".join(current).strip())
            current = []
    return [part for part in parts if part.strip(";\n ")]


def upgrade() -> None:
    for statement in statements(SCHEMA):
        op.execute(statement)
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_change()"
        )


def downgrade() -> None:
    for table in (
        "audit_links",
        "audit_queue",
        "entries",
        "transaction_lines",
        "transactions",
        "accounts",
        "assets",
    ):
        op.execute(f"DROP TABLE {table}")
    op.execute("DROP FUNCTION refuse_change()")
