"""Wire shapes of members and invitations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

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


class MemberRolesUpdate(BaseModel):
    roles: list[Role] = Field(min_length=1, max_length=7)


class AuditEntryPublic(BaseModel):
    id: uuid.UUID
    at: datetime
    actor_user_id: uuid.UUID = Field(description="who made the change")
    action: str = Field(description="member_invited, member_joined, roles_changed, member_removed")
    member_user_id: uuid.UUID | None = Field(description="null for an invitation not yet taken")
    member_email: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(BaseModel):
    items: list[AuditEntryPublic]
    next_cursor: str | None
