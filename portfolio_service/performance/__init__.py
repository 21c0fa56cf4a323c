"""Performance and risk of a portfolio, from its daily valuation snapshots."""
