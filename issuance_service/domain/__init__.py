"""Pure business rules of the issuance service: no I/O, no framework imports."""
