"""Which public path prefix reaches which service."""

from __future__ import annotations

PUBLIC_PREFIXES = {
    "equity": "equity",
    "bonds": "fixed_income",
    "ledger": "ledger",
    "realestate": "realestate",
    "issuance": "issuance",
}
"""`/api/v1/<prefix>/...` → service short name."""

FORWARDED_REQUEST_HEADERS = ("content-type", "accept", "idempotency-key", "if-match")
RETURNED_RESPONSE_HEADERS = (
    "content-type",
    "location",
    "retry-after",
    "etag",
    "idempotent-replayed",
)
