"""Where an order's money and shares live in the ledger."""
