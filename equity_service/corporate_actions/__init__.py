"""Corporate actions: splits and cash dividends."""
