"""Pure business rules of the equity service: no I/O, no framework imports."""
