"""Real estate service.

Buildings, units, tenants, leases, charges, payments, deposits, expenses and reports.
"""
