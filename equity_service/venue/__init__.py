"""venue."""
