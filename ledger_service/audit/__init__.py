"""The tamper-evident audit chain over every transaction, and the ledger's self-checks."""
