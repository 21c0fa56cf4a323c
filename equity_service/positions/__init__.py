"""Positions: ledger balances with their cost basis and P&L."""
