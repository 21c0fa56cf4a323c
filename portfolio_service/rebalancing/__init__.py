"""Target weights, drift bands, rebalance plans and their execution as equity orders."""
