"""Valuation: quantities from the ledger, prices from each service, stale when one is silent."""
