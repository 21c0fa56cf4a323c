"""Price marks and the valuation the gateway asks for (docs/fixed_income.md)."""
