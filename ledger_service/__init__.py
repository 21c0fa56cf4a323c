"""Ledger service.

Assets, accounts, transactions and entries, holds, balances as of any time, the audit chain.
"""
