"""Portfolio service (gateway).

The fleet's only public door: identity, tenants, portfolios and analytics; routes every public
call to the right service.
"""
