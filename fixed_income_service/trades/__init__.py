"""Bond trades settled in the ledger at the dirty price, delivery versus payment."""
