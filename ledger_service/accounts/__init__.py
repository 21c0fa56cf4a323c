"""Accounts: one asset each, a normal side, four running totals, limits, balances as of any time."""
