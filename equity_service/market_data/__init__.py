"""market_data."""
