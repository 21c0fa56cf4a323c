"""Pure business rules of the fixed_income service: no I/O, no framework imports."""
