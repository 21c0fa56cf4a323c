"""Tenants (organizations): members and invitations."""
