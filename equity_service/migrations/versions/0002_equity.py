"""Instruments, market data, orders, their events and fills, ledger instructions.

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
    """CREATE TABLE instruments (
        id uuid PRIMARY KEY,
        symbol text NOT NULL UNIQUE CHECK (symbol ~ '^[A-Z][A-Z0-9.]{0,11}$'),
        name text NOT NULL,
        isin text NOT NULL UNIQUE,
        currency text NOT NULL,
        fractionable boolean NOT NULL,
        min_notional numeric NOT NULL CHECK (min_notional >= 0),
        tick_size numeric NOT NULL CHECK (tick_size > 0),
        lot_size numeric NOT NULL CHECK (lot_size > 0),
        status text NOT NULL CHECK (status IN ('active', 'halted', 'delisted')),
        created_at timestamptz NOT NULL DEFAULT now())""",
    """CREATE TABLE bars (
        instrument_id uuid NOT NULL REFERENCES instruments (id),
        day date NOT NULL,
        open numeric NOT NULL, high numeric NOT NULL, low numeric NOT NULL,
        close numeric NOT NULL, volume numeric NOT NULL CHECK (volume >= 0),
        PRIMARY KEY (instrument_id, day),
        CHECK (low <= open AND low <= close AND high >= open AND high >= close AND low > 0))""",
    """CREATE TABLE quotes (
        instrument_id uuid PRIMARY KEY REFERENCES instruments (id),
        bid numeric NOT NULL CHECK (bid > 0), ask numeric NOT NULL,
        bid_size numeric NOT NULL, ask_size numeric NOT NULL,
        as_of timestamptz NOT NULL, CHECK (ask >= bid))""",
    """CREATE TABLE orders (
        seq bigserial NOT NULL UNIQUE,
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        client_order_id text NOT NULL,
        request_hash text NOT NULL,
        account_id uuid NOT NULL,
        instrument_id uuid NOT NULL REFERENCES instruments (id),
        symbol text NOT NULL,
        side text NOT NULL CHECK (side IN ('buy', 'sell')),
        type text NOT NULL CHECK (type IN ('market', 'limit', 'stop', 'stop_limit')),
        time_in_force text NOT NULL CHECK (time_in_force IN ('day', 'gtc', 'ioc', 'fok', 'gtd')),
        qty numeric NOT NULL CHECK (qty > 0),
        notional numeric,
        limit_price numeric, stop_price numeric,
        expire_at timestamptz,
        status text NOT NULL,
        triggered boolean NOT NULL DEFAULT false,
        filled_qty numeric NOT NULL DEFAULT 0 CHECK (filled_qty >= 0 AND filled_qty <= qty),
        filled_value numeric NOT NULL DEFAULT 0,
        reserved numeric NOT NULL DEFAULT 0 CHECK (reserved >= 0),
        used numeric NOT NULL DEFAULT 0 CHECK (used >= 0 AND used <= reserved),
        cash_scale smallint NOT NULL,
        hold_id uuid,
        hold_posted boolean NOT NULL DEFAULT false,
        reject_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_orders_tenant_client_order_id UNIQUE (tenant_id, client_order_id))""",
    """CREATE INDEX ix_orders_open ON orders (symbol, seq)
        WHERE status IN ('new', 'partially_filled', 'pending_cancel')""",
    "CREATE INDEX ix_orders_tenant_seq ON orders (tenant_id, seq)",
    """CREATE TABLE order_events (
        seq bigserial PRIMARY KEY,
        order_id uuid NOT NULL REFERENCES orders (id),
        type text NOT NULL,
        status text NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}',
        at timestamptz NOT NULL DEFAULT now())""",
    "CREATE INDEX ix_order_events_order ON order_events (order_id, seq)",
    """CREATE TABLE fills (
        seq bigserial NOT NULL UNIQUE,
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        order_id uuid NOT NULL REFERENCES orders (id),
        counter_order_id uuid REFERENCES orders (id),
        qty numeric NOT NULL CHECK (qty > 0),
        price numeric NOT NULL CHECK (price > 0),
        cash numeric NOT NULL,
        fee numeric NOT NULL,
        at timestamptz NOT NULL DEFAULT now())""",
    "CREATE INDEX ix_fills_order ON fills (order_id, seq)",
    """CREATE TABLE ledger_instructions (
        seq bigserial PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        tenant_id text NOT NULL,
        order_id uuid REFERENCES orders (id),
        kind text NOT NULL CHECK (kind IN ('settle', 'release', 'split', 'dividend')),
        body jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        done_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        last_error text)""",
    "CREATE INDEX ix_ledger_instructions_todo ON ledger_instructions (seq) WHERE done_at IS NULL",
    """CREATE TABLE corporate_actions (
        id uuid PRIMARY KEY,
        instrument_id uuid NOT NULL REFERENCES instruments (id),
        kind text NOT NULL CHECK (kind IN ('split', 'dividend')),
        ratio_to numeric, ratio_from numeric,
        cash_per_share numeric,
        record_date date,
        pay_date date,
        declared_at timestamptz NOT NULL DEFAULT now(),
        applied_at timestamptz,
        CHECK (kind <> 'split' OR (ratio_to > 0 AND ratio_from > 0)),
        CHECK (kind <> 'dividend' OR (cash_per_share > 0 AND record_date IS NOT NULL
                                      AND pay_date >= record_date)))""",
    """CREATE INDEX ix_corporate_actions_due ON corporate_actions (pay_date)
        WHERE kind = 'dividend' AND applied_at IS NULL""",
]

TABLES = (
    "corporate_actions",
    "ledger_instructions",
    "fills",
    "order_events",
    "orders",
    "quotes",
    "bars",
    "instruments",
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TABLE {table}")
