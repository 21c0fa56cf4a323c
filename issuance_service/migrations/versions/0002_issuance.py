"""Issuers and their documents, investors, campaigns, investments.

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
    """CREATE TABLE issuers (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        owner_subject text NOT NULL,
        cash_account_id uuid NOT NULL,
        kyc_status text NOT NULL CHECK (kyc_status IN ('pending', 'verified', 'rejected')),
        kyc_reason text,
        kyc_reviewed_by text,
        kyc_reviewed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now())""",
    "CREATE INDEX ix_issuers_tenant ON issuers (tenant_id, created_at)",
    """CREATE TABLE issuer_documents (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        issuer_id uuid NOT NULL REFERENCES issuers (id),
        doc_type text NOT NULL,
        content_type text NOT NULL,
        size integer NOT NULL CHECK (size > 0),
        sha256 text NOT NULL,
        content bytea NOT NULL,
        uploaded_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now())""",
    "CREATE INDEX ix_issuer_documents_issuer ON issuer_documents (issuer_id)",
    """CREATE TABLE investors (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        subject text NOT NULL,
        cash_account_id uuid NOT NULL,
        jurisdiction text NOT NULL CHECK (jurisdiction ~ '^[A-Z]{2}$'),
        annual_income numeric NOT NULL CHECK (annual_income >= 0),
        net_worth numeric NOT NULL CHECK (net_worth >= 0),
        kyc_status text NOT NULL CHECK (kyc_status IN ('pending', 'verified', 'rejected')),
        kyc_reason text,
        accredited boolean NOT NULL DEFAULT false,
        wallet_address text CHECK (wallet_address ~ '^0x[0-9a-fA-F]{40}$'),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_investors_tenant_subject UNIQUE (tenant_id, subject))""",
    """CREATE TABLE campaigns (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        issuer_id uuid NOT NULL REFERENCES issuers (id),
        owner_subject text NOT NULL,
        name text NOT NULL,
        company text NOT NULL,
        currency text NOT NULL,
        cash_asset text NOT NULL,
        unit_price numeric NOT NULL CHECK (unit_price > 0),
        min_target numeric NOT NULL CHECK (min_target > 0),
        max_target numeric NOT NULL CHECK (max_target >= min_target),
        platform_fee_bps integer NOT NULL CHECK (platform_fee_bps BETWEEN 0 AND 10000),
        duration_days integer NOT NULL CHECK (duration_days >= 21),
        requires_accreditation boolean NOT NULL,
        allowed_jurisdictions text NOT NULL,
        status text NOT NULL,
        raised numeric NOT NULL DEFAULT 0 CHECK (raised >= 0 AND raised <= max_target),
        opened_at timestamptz,
        deadline timestamptz,
        extensions_used integer NOT NULL DEFAULT 0,
        early_close_noticed_at timestamptz,
        material_change_at timestamptz,
        material_change text,
        approved_by text,
        review_reason text,
        closed_at timestamptz,
        settled_at timestamptz,
        certificate_asset text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now())""",
    "CREATE INDEX ix_campaigns_tenant ON campaigns (tenant_id, created_at)",
    "CREATE INDEX ix_campaigns_due ON campaigns (deadline) WHERE status = 'active'",
    """CREATE INDEX ix_campaigns_unsettled ON campaigns (closed_at)
        WHERE settled_at IS NULL AND closed_at IS NOT NULL""",
    """CREATE TABLE investments (
        seq bigserial NOT NULL UNIQUE,
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        campaign_id uuid NOT NULL REFERENCES campaigns (id),
        investor_id uuid NOT NULL REFERENCES investors (id),
        amount numeric NOT NULL CHECK (amount > 0),
        units integer NOT NULL CHECK (units > 0),
        status text NOT NULL CHECK (status IN
            ('pending', 'pledged', 'rejected', 'canceled', 'confirmed', 'refunded')),
        hold_id uuid NOT NULL UNIQUE,
        reject_reason text,
        reconfirm_by timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now())""",
    "CREATE INDEX ix_investments_campaign ON investments (campaign_id, seq)",
    "CREATE INDEX ix_investments_investor ON investments (investor_id, created_at)",
    """CREATE INDEX ix_investments_reconfirm ON investments (reconfirm_by)
        WHERE reconfirm_by IS NOT NULL AND status = 'pledged'""",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for table in ("investments", "campaigns", "investors", "issuer_documents", "issuers"):
        op.execute(f"DROP TABLE {table}")
