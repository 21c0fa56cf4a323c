"""Chain intents (crash-safe writes), one nonce manager per signing key, reconciliation runs.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

STATEMENTS = [
    """CREATE TABLE chain_intents (
        seq bigserial PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        tenant_id text NOT NULL,
        business_key text NOT NULL UNIQUE,
        kind text NOT NULL CHECK (kind IN ('verify_holder', 'mint')),
        investment_id uuid REFERENCES investments (id),
        args jsonb NOT NULL,
        status text NOT NULL CHECK (status IN
            ('new', 'signed', 'broadcast', 'mined', 'confirmed', 'failed')),
        signer text,
        nonce bigint,
        signed_tx bytea,
        tx_hash text,
        block_number bigint,
        block_hash text,
        confirmations integer NOT NULL DEFAULT 0,
        broadcasts integer NOT NULL DEFAULT 0,
        reorgs integer NOT NULL DEFAULT 0,
        token_id numeric,
        holder text,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_chain_intents_signer_nonce UNIQUE (signer, nonce))""",
    "CREATE INDEX ix_chain_intents_open ON chain_intents (status, seq) WHERE status <> 'confirmed'",
    "CREATE INDEX ix_chain_intents_investment ON chain_intents (investment_id)",
    """CREATE TABLE nonce_managers (
        signer text PRIMARY KEY,
        chain_id bigint NOT NULL,
        next_nonce bigint NOT NULL CHECK (next_nonce >= 0))""",
    """CREATE TABLE chain_reconciliations (
        id bigserial PRIMARY KEY,
        ran_at timestamptz NOT NULL DEFAULT now(),
        checked integer NOT NULL,
        differences jsonb NOT NULL)""",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for table in ("chain_reconciliations", "nonce_managers", "chain_intents"):
        op.execute(f"DROP TABLE {table}")
