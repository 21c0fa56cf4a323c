"""Coupons and redemptions paid to holders of record through the ledger, each exactly once."""
