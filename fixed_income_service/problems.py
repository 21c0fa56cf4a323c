"""Domain refusals as RFC 9457 problems: for a whole request, or for one item of a batch."""

from __future__ import annotations

from typing import Any

from fixed_income_service.domain.refusals import Refusal
from fleetkit.problems import ProblemError, problem_document

TITLES = {
    "no-yield": "No yield gives this price",
    "unknown-bond": "Unknown bond",
    "duplicate-bond": "Bond already exists",
}


def problem(refusal: Refusal) -> ProblemError:
    """The problem a refusal answers with (its kind is the stable type)."""
    return ProblemError(
        refusal.status, refusal.kind, refusal.detail, title=TITLES.get(refusal.kind, "Refused")
    )


def item_problem(refusal: Refusal, **extensions: Any) -> dict[str, Any]:
    """The problem document of one batch item."""
    document = problem_document(None, problem(refusal))
    document.update(extensions)
    return document
