"""Pure business rules of the realestate service: no I/O, no framework imports."""
