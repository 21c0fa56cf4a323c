"""Buildings, units, renters, leases, the rent ledger, deposits, expenses, postings, audit.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MONEY = "numeric(14, 2)"

# asyncpg takes one statement per execute call: each entry is run on its own.
STATEMENTS = [
    """CREATE TABLE org_settings (
        tenant_id text PRIMARY KEY,
        fees_last boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now())""",
    f"""CREATE TABLE late_fee_policies (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        scope text NOT NULL CHECK (scope IN ('organization', 'building', 'lease')),
        scope_id uuid,
        grace_days integer NOT NULL CHECK (grace_days >= 0),
        initial_kind text NOT NULL
            CHECK (initial_kind IN ('flat', 'percent_rent', 'percent_outstanding')),
        initial_amount {MONEY} NOT NULL CHECK (initial_amount >= 0),
        recurrence text NOT NULL CHECK (recurrence IN ('none', 'daily', 'monthly')),
        recurring_amount {MONEY} NOT NULL CHECK (recurring_amount >= 0),
        cap_per_charge {MONEY} CHECK (cap_per_charge >= 0),
        minimum_outstanding {MONEY} NOT NULL CHECK (minimum_outstanding >= 0),
        applies_to text[] NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((scope = 'organization') = (scope_id IS NULL)))""",
    """CREATE UNIQUE INDEX uq_late_fee_policies_scope
        ON late_fee_policies (tenant_id, scope, coalesce(scope_id,
            '00000000-0000-0000-0000-000000000000'::uuid))""",
    f"""CREATE TABLE buildings (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        name text NOT NULL,
        address text NOT NULL DEFAULT '',
        currency text NOT NULL DEFAULT 'USD',
        purchase_price {MONEY} CHECK (purchase_price >= 0),
        purchase_date date,
        archived_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now())""",
    "CREATE INDEX ix_buildings_tenant ON buildings (tenant_id, name)",
    f"""CREATE TABLE appraisals (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        building_id uuid NOT NULL REFERENCES buildings (id),
        value {MONEY} NOT NULL CHECK (value >= 0),
        valued_on date NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now())""",
    "CREATE INDEX ix_appraisals_building ON appraisals (building_id, valued_on)",
    f"""CREATE TABLE units (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        building_id uuid NOT NULL REFERENCES buildings (id),
        label text NOT NULL,
        bedrooms integer CHECK (bedrooms >= 0),
        market_rent {MONEY} CHECK (market_rent >= 0),
        archived_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_units_building_label UNIQUE (building_id, label))""",
    "CREATE INDEX ix_units_tenant ON units (tenant_id, building_id)",
    """CREATE TABLE renters (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        name text NOT NULL,
        email text,
        phone text,
        created_at timestamptz NOT NULL DEFAULT now())""",
    "CREATE INDEX ix_renters_tenant ON renters (tenant_id, name)",
    f"""CREATE TABLE leases (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        unit_id uuid NOT NULL REFERENCES units (id),
        renter_id uuid NOT NULL REFERENCES renters (id),
        status text NOT NULL
            CHECK (status IN ('draft', 'active', 'ended', 'terminated', 'renewed')),
        start_on date NOT NULL,
        end_on date,
        moved_out_on date,
        due_day integer NOT NULL CHECK (due_day BETWEEN 1 AND 31),
        proration text NOT NULL
            CHECK (proration IN ('actual_days', 'thirty_day', 'annual', 'full', 'none')),
        deposit_amount {MONEY} NOT NULL DEFAULT 0 CHECK (deposit_amount >= 0),
        renewal_of uuid REFERENCES leases (id),
        termination_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (end_on IS NULL OR end_on >= start_on),
        CHECK (moved_out_on IS NULL OR moved_out_on >= start_on))""",
    "CREATE INDEX ix_leases_tenant_unit ON leases (tenant_id, unit_id)",
    "CREATE INDEX ix_leases_billable ON leases (status) WHERE status IN ('active', 'ended', "
    "'terminated', 'renewed')",
    f"""CREATE TABLE rent_steps (
        lease_id uuid NOT NULL REFERENCES leases (id),
        tenant_id text NOT NULL,
        effective_on date NOT NULL,
        amount {MONEY} NOT NULL CHECK (amount > 0),
        PRIMARY KEY (lease_id, effective_on))""",
    f"""CREATE TABLE charges (
        seq bigserial NOT NULL UNIQUE,
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        lease_id uuid NOT NULL REFERENCES leases (id),
        kind text NOT NULL,
        period text,
        dedupe_key text NOT NULL,
        amount {MONEY} NOT NULL CHECK (amount > 0),
        due_on date NOT NULL,
        posted_on date NOT NULL,
        memo text NOT NULL DEFAULT '',
        automatic boolean NOT NULL DEFAULT false,
        source_charge_id uuid REFERENCES charges (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_charges_lease_key UNIQUE (tenant_id, lease_id, dedupe_key))""",
    "CREATE INDEX ix_charges_lease ON charges (lease_id, due_on)",
    "CREATE INDEX ix_charges_source ON charges (source_charge_id) WHERE source_charge_id "
    "IS NOT NULL",
    f"""CREATE TABLE payments (
        seq bigserial NOT NULL UNIQUE,
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        lease_id uuid NOT NULL REFERENCES leases (id),
        amount {MONEY} NOT NULL CHECK (amount > 0),
        received_on date NOT NULL,
        method text NOT NULL,
        reference text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now())""",
    "CREATE INDEX ix_payments_lease ON payments (lease_id, received_on)",
    f"""CREATE TABLE payment_reversals (
        payment_id uuid PRIMARY KEY REFERENCES payments (id),
        tenant_id text NOT NULL,
        lease_id uuid NOT NULL REFERENCES leases (id),
        kind text NOT NULL CHECK (kind IN ('nsf', 'void')),
        reason text NOT NULL,
        reversed_on date NOT NULL,
        amount {MONEY} NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now())""",
    f"""CREATE TABLE adjustments (
        seq bigserial NOT NULL UNIQUE,
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        lease_id uuid NOT NULL REFERENCES leases (id),
        charge_id uuid NOT NULL REFERENCES charges (id),
        kind text NOT NULL CHECK (kind IN ('void', 'waive', 'write_off', 'fee_reversal')),
        amount {MONEY} NOT NULL CHECK (amount > 0),
        reason text NOT NULL,
        adjusted_on date NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now())""",
    "CREATE INDEX ix_adjustments_lease ON adjustments (lease_id)",
    f"""CREATE TABLE allocations (
        seq bigserial PRIMARY KEY,
        tenant_id text NOT NULL,
        lease_id uuid NOT NULL REFERENCES leases (id),
        charge_id uuid NOT NULL REFERENCES charges (id),
        payment_id uuid REFERENCES payments (id),
        adjustment_id uuid REFERENCES adjustments (id),
        amount {MONEY} NOT NULL CHECK (amount <> 0),
        effective_on date NOT NULL,
        booked_on date NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((payment_id IS NULL) <> (adjustment_id IS NULL)))""",
    "CREATE INDEX ix_allocations_lease ON allocations (lease_id, charge_id)",
    "CREATE INDEX ix_allocations_payment ON allocations (payment_id) WHERE payment_id IS NOT NULL",
    f"""CREATE TABLE deposit_entries (
        seq bigserial PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        tenant_id text NOT NULL,
        lease_id uuid NOT NULL REFERENCES leases (id),
        kind text NOT NULL CHECK (kind IN ('received', 'applied', 'refunded', 'forfeited')),
        amount {MONEY} NOT NULL CHECK (amount > 0),
        entered_on date NOT NULL,
        memo text NOT NULL DEFAULT '',
        payment_id uuid REFERENCES payments (id),
        created_at timestamptz NOT NULL DEFAULT now())""",
    "CREATE INDEX ix_deposit_entries_lease ON deposit_entries (lease_id)",
    f"""CREATE TABLE expenses (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        building_id uuid NOT NULL REFERENCES buildings (id),
        schedule_e_line integer NOT NULL CHECK (schedule_e_line BETWEEN 5 AND 19),
        amount {MONEY} NOT NULL CHECK (amount > 0),
        paid_on date NOT NULL,
        vendor text NOT NULL DEFAULT '',
        memo text NOT NULL DEFAULT '',
        receipt_name text,
        receipt_content_type text,
        receipt_size integer,
        receipt_sha256 text,
        created_at timestamptz NOT NULL DEFAULT now())""",
    "CREATE INDEX ix_expenses_tenant ON expenses (tenant_id, paid_on)",
    """CREATE TABLE receipts (
        expense_id uuid PRIMARY KEY REFERENCES expenses (id),
        tenant_id text NOT NULL,
        content bytea NOT NULL)""",
    """CREATE TABLE ledger_postings (
        seq bigserial PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        tenant_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('payment', 'reversal', 'deposit_received',
            'deposit_applied', 'deposit_refunded', 'deposit_forfeited')),
        payment_id uuid REFERENCES payments (id),
        deposit_entry_id uuid REFERENCES deposit_entries (id),
        amount numeric(14, 2) NOT NULL CHECK (amount > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        done_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        last_error text)""",
    "CREATE INDEX ix_ledger_postings_todo ON ledger_postings (seq) WHERE done_at IS NULL",
    """CREATE TABLE audit_log (
        seq bigserial PRIMARY KEY,
        tenant_id text NOT NULL,
        actor text NOT NULL,
        action text NOT NULL,
        object_type text NOT NULL,
        object_id text NOT NULL,
        before jsonb,
        after jsonb,
        request_id text,
        at timestamptz NOT NULL DEFAULT now())""",
    "CREATE INDEX ix_audit_log_tenant ON audit_log (tenant_id, seq)",
]

TABLES = (
    "audit_log",
    "ledger_postings",
    "receipts",
    "expenses",
    "deposit_entries",
    "allocations",
    "adjustments",
    "payment_reversals",
    "payments",
    "charges",
    "rent_steps",
    "leases",
    "renters",
    "units",
    "appraisals",
    "buildings",
    "late_fee_policies",
    "org_settings",
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TABLE {table}")
