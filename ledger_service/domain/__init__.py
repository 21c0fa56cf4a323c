"""Pure business rules of the ledger service: no I/O, no framework imports."""
