"""A minimal service made of the kit alone, for testing fleetkit without any real service."""
