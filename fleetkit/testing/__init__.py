"""Test support for every service: real Postgres, real Redis, real migrations."""
