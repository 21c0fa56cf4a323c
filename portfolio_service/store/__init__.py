"""The marketplace view: what a user may buy, with the access policy applied."""
