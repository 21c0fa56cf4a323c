"""The audit chain's hashing rules: pure, so anyone with a copy of the tables can re-check them.

A link covers a run of transactions in order:

    hash = sha256_hex(previous_hash + "\\n" + text_1 + "\\n" + text_2 + ... + "\\n" + text_n)

encoded as UTF-8, where the first link's `previous_hash` is 64 zeros (`GENESIS`) and each
`text_i` is the canonical text of one transaction, one field per line:

    id                  UUID, lower case
    tenant_id           as a JSON string ("acme")
    kind                posted | pending | post_hold | void_hold | expire_hold | reversal
    target_id           UUID, or "-"
    effective_at        ISO 8601 UTC with microseconds: 2025-01-31T09:15:00.000000Z
    committed_at        same format
    expires_at          same format, or "-"
    metadata            JSON, keys sorted, no spaces, non-ASCII escaped, numbers as stored
    line_no:account_id:side:amount     one line per transaction line, by line_no (amount in
                                       minor units)

Text that comes from callers (tenant, metadata) is written as JSON so that a newline inside it
cannot pass for a field boundary.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class ChainedLine:
    line_no: int
    account_id: uuid.UUID
    side: str
    amount: int


@dataclass(frozen=True)
class ChainedTransaction:
    """A transaction as the chain sees it; `metadata` is the stored JSON text."""

    id: uuid.UUID
    tenant_id: str
    kind: str
    target_id: uuid.UUID | None
    effective_at: datetime
    committed_at: datetime
    expires_at: datetime | None
    metadata: str
    lines: tuple[ChainedLine, ...]


@dataclass(frozen=True)
class StoredLink:
    """A row of `audit_links`."""

    seq: int
    transaction_ids: tuple[uuid.UUID, ...]
    previous_hash: str
    hash: str


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces; decimals keep the digits they were stored with."""
    if isinstance(value, dict):
        items = sorted(value.items())
        return "{" + ",".join(f"{json.dumps(k)}:{canonical_json(v)}" for k, v in items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(canonical_json(v) for v in value) + "]"
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value)  # str, int, bool, None


def _instant(value: datetime | None) -> str:
    if value is None:
        return "-"
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_text(transaction: ChainedTransaction) -> str:
    """The transaction's fields and lines, one per line, in the documented order."""
    metadata = json.loads(transaction.metadata, parse_float=Decimal)
    fields = [
        str(transaction.id),
        json.dumps(transaction.tenant_id),
        transaction.kind,
        str(transaction.target_id) if transaction.target_id else "-",
        _instant(transaction.effective_at),
        _instant(transaction.committed_at),
        _instant(transaction.expires_at),
        canonical_json(metadata),
    ]
    lines = sorted(transaction.lines, key=lambda line: line.line_no)
    fields += [f"{x.line_no}:{x.account_id}:{x.side}:{x.amount}" for x in lines]
    return "\n".join(fields)


def link_hash(previous_hash: str, transactions: Sequence[ChainedTransaction]) -> str:
    """The hash of a link covering `transactions`, in order, after `previous_hash`."""
    message = "\n".join([previous_hash, *(canonical_text(t) for t in transactions)])
    return hashlib.sha256(message.encode("utf-8")).hexdigest()


def broken_link_reason(
    link: StoredLink,
    expected_previous: str,
    transactions: Sequence[ChainedTransaction | None],
) -> str | None:
    """Why `link` does not hold (None when it does); `transactions` are in the link's order,
    None where the stored transaction is gone. Reasons never name a transaction."""
    if link.previous_hash != expected_previous:
        return f"link {link.seq} does not continue the chain: its previous hash differs"
    missing = sum(1 for t in transactions if t is None)
    if missing:
        return f"link {link.seq} names {missing} transaction(s) that are no longer stored"
    present = [t for t in transactions if t is not None]
    if link_hash(link.previous_hash, present) != link.hash:
        return f"link {link.seq} does not match its stored transactions: its hash differs"
    return None
