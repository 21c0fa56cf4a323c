"""Checking an uploaded KYC document before it is stored.

Documents are stored in Postgres (bytea), never on a path built from the client's file name,
with their SHA-256. Only the types compliance reads are accepted, recognised by their first
bytes (the client's Content-Type is not trusted), up to `MAX_BYTES`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from fleetkit.problems import ProblemError

MAX_BYTES = 10 * 1024 * 1024
DOC_TYPES = frozenset(
    {"certificate_of_incorporation", "government_id", "proof_of_address", "financials", "form_c"}
)
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


@dataclass(frozen=True)
class CheckedDocument:
    content_type: str
    size: int
    sha256: str


def check_document(doc_type: str, content: bytes) -> CheckedDocument:
    """The document's sniffed type, size and digest; a 422 / 413 problem when refused."""
    if doc_type not in DOC_TYPES:
        raise ProblemError(
            422, "unknown-document-type", f"doc_type must be one of {sorted(DOC_TYPES)}"
        )
    if not content:
        raise ProblemError(422, "empty-document", "the document is empty")
    if len(content) > MAX_BYTES:
        raise ProblemError(413, "document-too-large", f"documents are at most {MAX_BYTES} bytes")
    for signature, content_type in SIGNATURES:
        if content.startswith(signature):
            return CheckedDocument(content_type, len(content), hashlib.sha256(content).hexdigest())
    raise ProblemError(
        415, "unsupported-document", "documents must be PDF, PNG or JPEG (checked by content)"
    )
