"""Issuance service.

Issuers and KYC, campaigns, investments, escrow, share-certificate NFTs.
"""
