"""A business refusal: a stable kind (the problem type clients see) and its HTTP status.

Pure Python, so a service's `domain/` may raise it: each service subclasses it with its own
table of kinds (`statuses`); a kind missing from the table answers 422.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar


class Refusal(Exception):  # noqa: N818 - a refusal is a business outcome, not a bug
    """The service will not do this; `kind` is stable and names the reason."""

    statuses: ClassVar[Mapping[str, int]] = {}

    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind = kind
        self.detail = detail

    @property
    def status(self) -> int:
        """The HTTP status the refusal answers with."""
        return self.statuses.get(self.kind, 422)
