"""Bond trades settled in the ledger, coupon and redemption payments, price marks.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# One statement per entry: asyncpg runs one statement per execute call.
STATEMENTS = (
    """
    CREATE TABLE bond_trades (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        client_trade_id text NOT NULL,
        account_id uuid NOT NULL,
        bond_id uuid NOT NULL REFERENCES bonds (id),
        side text NOT NULL CHECK (side IN ('buy', 'sell')),
        face_amount numeric NOT NULL CHECK (face_amount > 0),
        clean_price numeric NOT NULL CHECK (clean_price > 0),
        accrued numeric NOT NULL,
        dirty_price numeric NOT NULL,
        outstanding numeric NOT NULL,
        cash_amount numeric NOT NULL CHECK (cash_amount > 0),
        cash_asset text NOT NULL,
        face_asset text NOT NULL,
        settlement_date date NOT NULL,
        ledger_transaction_id uuid NOT NULL UNIQUE,
        request_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, client_trade_id)
    )
    """,
    "CREATE INDEX ix_bond_trades_holders ON bond_trades (bond_id, tenant_id, account_id)",
    "CREATE INDEX ix_bond_trades_tenant ON bond_trades (tenant_id, created_at, id)",
    """
    CREATE TABLE bond_marks (
        id uuid PRIMARY KEY,
        bond_id uuid NOT NULL REFERENCES bonds (id),
        mark_date date NOT NULL,
        clean_price numeric NOT NULL CHECK (clean_price > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (bond_id, mark_date)
    )
    """,
    """
    CREATE TABLE bond_payments (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        bond_id uuid NOT NULL REFERENCES bonds (id),
        kind text NOT NULL CHECK (kind IN ('coupon', 'redemption')),
        payment_date date NOT NULL,
        record_date date NOT NULL,
        amount_per_100 numeric NOT NULL,
        final boolean NOT NULL,
        total numeric NOT NULL,
        payouts jsonb NOT NULL,
        ledger_transaction_id uuid,
        paid_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, bond_id, kind, payment_date)
    )
    """,
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for table in ("bond_payments", "bond_marks", "bond_trades"):
        op.execute(f"DROP TABLE {table}")
