"""Transactions: posting, holds (two-phase), reversals, batches, deposits and withdrawals."""
