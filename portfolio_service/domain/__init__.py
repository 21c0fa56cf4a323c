"""Pure business rules of the portfolio service: no I/O, no framework imports."""
