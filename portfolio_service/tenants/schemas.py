"""Wire shapes of members and invitations."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from fleetkit.policy import Role
from portfolio_service.identity.schemas import EMAIL_PATTERN


class InvitationCreate(BaseModel):
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    roles: list[Role] = Field(min_length=1)


class InvitationCreated(BaseModel):
    id: uuid.UUID
    tenant_id: uuid.UUID
    email: str
    roles: list[str]
    expires_at: datetime
    token: str = Field(description="shown once: the invitee registers or accepts with it")


class InvitationAccept(BaseModel):
    token: str = Field(min_length=1, max_length=200)


class MemberPublic(BaseModel):
    user_id: uuid.UUID
    email: str
    display_name: str
    roles: list[str]
