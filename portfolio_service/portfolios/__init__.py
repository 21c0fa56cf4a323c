"""Portfolios: a user's ledger accounts and property holdings, grouped, with a base currency."""
