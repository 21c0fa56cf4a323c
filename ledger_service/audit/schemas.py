"""Wire shapes of the audit chain's API."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ChainVerification(BaseModel):
    """The chain is global (every tenant's transactions); only counts and link numbers are shown."""

    verified: bool
    links: int = Field(description="links found intact, oldest first, before any broken one")
    transactions: int = Field(description="the caller's transactions those links cover")
    first_broken_link: int | None = Field(description="seq of the first link that fails")
    reason: str | None


class LinkResult(BaseModel):
    linked: int = Field(description="transactions appended to the chain by this call")
