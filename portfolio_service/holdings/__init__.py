"""The holdings read model: ledger postings of every account, kept from the event bus."""
