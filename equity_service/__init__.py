"""Equity service.

Instruments, prices and bars, quotes, orders and fills on its paper venue, corporate actions.
"""
