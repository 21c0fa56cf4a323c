"""Where a bond holding's money and face live in the ledger."""
