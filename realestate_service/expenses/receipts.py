"""Receipt files: only PDFs and pictures, at most 10 MB, content checked against its type.

The declared content type must be allowed AND the file's first bytes must be that format's
signature (a renamed executable is refused). Files are kept in Postgres next to the expense
(no path on disk built from a user's name); the original name is kept only as a label, cut to
its base name and printable characters. Downloads are `attachment` with `nosniff`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

MAX_BYTES = 10 * 1024 * 1024
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
}


class ReceiptRefusedError(ValueError):
    """The file is not a receipt this service keeps; `kind` is the problem type."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind


@dataclass(frozen=True)
class CheckedReceipt:
    name: str
    content_type: str
    size: int
    sha256: str


def safe_name(name: str | None) -> str:
    """A label for the file: its base name, printable ASCII, at most 100 characters."""
    base = (name or "receipt").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = re.sub(r"[^A-Za-z0-9._ -]", "_", base).strip(" .") or "receipt"
    return cleaned[:100]


def check_receipt(name: str | None, content_type: str | None, content: bytes) -> CheckedReceipt:
    """Accept the file or raise `ReceiptRefusedError`."""
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared not in SIGNATURES:
        raise ReceiptRefusedError(
            "unsupported-receipt-type", f"receipts are {', '.join(sorted(SIGNATURES))}"
        )
    if not content:
        raise ReceiptRefusedError("empty-receipt", "the file is empty")
    if len(content) > MAX_BYTES:
        raise ReceiptRefusedError("receipt-too-large", f"a receipt is at most {MAX_BYTES} bytes")
    if not content.startswith(SIGNATURES[declared]) or (
        declared == "image/webp" and content[8:12] != b"WEBP"
    ):
        raise ReceiptRefusedError(
            "receipt-content-mismatch", f"the file's content is not {declared}"
        )
    return CheckedReceipt(
        safe_name(name), declared, len(content), hashlib.sha256(content).hexdigest()
    )
