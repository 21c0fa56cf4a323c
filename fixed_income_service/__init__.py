"""Fixed income service.

Bonds and their conventions, holiday calendars, yield curves, bond analytics, bond trades.
"""
