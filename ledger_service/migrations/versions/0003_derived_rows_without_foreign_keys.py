"""Lines and entries without foreign keys.

Lines and entries are derived rows: the posting path writes them in the same statement as their
transaction, for accounts it holds locked, and nothing else writes them (the append-only
trigger refuses changes). Their foreign keys only re-checked what that statement guarantees,
at one index probe and one row lock per key per row: about a third of a batch's write time,
and far more while the planner still thought `transactions` empty (each check a sequential
scan). Nightly reconciliation and the invariant tests check the same integrity after the fact.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

FOREIGN_KEYS = (  # (table, constraint, column, referenced table)
    ("transaction_lines", "transaction_lines_transaction_id_fkey", "transaction_id",
     "transactions"),
    ("transaction_lines", "transaction_lines_account_id_fkey", "account_id", "accounts"),
    ("entries", "entries_transaction_id_fkey", "transaction_id", "transactions"),
    ("entries", "entries_account_id_fkey", "account_id", "accounts"),
)  # fmt: skip


def upgrade() -> None:
    for table, name, _column, _target in FOREIGN_KEYS:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")


def downgrade() -> None:
    for table, name, column, target in FOREIGN_KEYS:
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({column}) "
            f"REFERENCES {target} (id)"
        )
