"""Wire shapes of sign-up, sign-in, tokens, the caller's profile and API keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from fleetkit.policy import Role

# One @, something on each side, a dot in the domain: the mail itself is the real check.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"

ApiScope = Literal["read", "write", "trade"]
"""What an API key may do: `read` GETs, `write` other calls, `trade` money-moving calls."""


class RegisterRequest(BaseModel):
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    password: str = Field(min_length=12, max_length=256)
    display_name: str = Field(min_length=1, max_length=200)
    tenant_name: str | None = Field(
        default=None, min_length=1, max_length=200, description="a new organization you own"
    )
    invitation_token: str | None = Field(
        default=None, max_length=200, description="join an organization you were invited to"
    )


class MembershipPublic(BaseModel):
    tenant_id: uuid.UUID
    tenant_name: str
    roles: list[str]


class UserPublic(BaseModel):
    id: uuid.UUID
    email: str
    display_name: str
    memberships: list[MembershipPublic]


class TokenGrant(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    tenant_id: uuid.UUID
    roles: list[str]


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=200)


class MePublic(BaseModel):
    user: UserPublic
    tenant_id: str | None
    roles: list[str]
    authenticated_by: Literal["access_token", "api_key"]


class ApiKeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    scopes: list[ApiScope] = Field(min_length=1)
    roles: list[Role] | None = Field(
        default=None, description="a subset of your roles in this tenant (default: all of them)"
    )


class ApiKeyPublic(BaseModel):
    id: uuid.UUID
    name: str
    prefix: str
    roles: list[str]
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="the secret, shown once; send it as `X-API-Key`")
