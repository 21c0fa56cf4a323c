"""Certificates API, and the operators' view of chain intents (list, re-broadcast)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from sqlalchemy import select

from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep
from fleetkit.policy import Resource, authorize
from fleetkit.problems import ProblemError, conflict, not_found
from issuance_service.access import may_read, tenant_of
from issuance_service.chain.models import ChainIntent
from issuance_service.investments import repository as investments
from issuance_service.investors import repository as investors

router = APIRouter(tags=["certificates"])


class CertificatePublic(BaseModel):
    investment_id: uuid.UUID
    contract: str | None
    token_id: str
    holder: str | None
    tx_hash: str | None
    status: str
    confirmations: int
    block_number: int | None


class IntentPublic(BaseModel):
    id: uuid.UUID
    business_key: str
    kind: str
    status: str
    signer: str | None
    nonce: int | None
    tx_hash: str | None
    block_number: int | None
    confirmations: int
    broadcasts: int
    reorgs: int
    last_error: str | None
    created_at: datetime


@router.get("/investments/{investment_id}/certificate", response_model=CertificatePublic)
async def certificate(
    investment_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep, request: Request
) -> CertificatePublic:
    """The investment's certificate: contract, token id, transaction, status, confirmations."""
    tenant = tenant_of(principal)
    investment = await investments.get(session, tenant, investment_id)
    if investment is None:
        raise not_found("investment")
    investor = await investors.get(session, tenant, investment.investor_id)
    may_read(principal, "investment", None if investor is None else investor.subject)
    intent = await session.scalar(
        select(ChainIntent).where(
            ChainIntent.investment_id == investment.id, ChainIntent.kind == "mint"
        )
    )
    if intent is None:
        raise not_found("certificate")
    return CertificatePublic(
        investment_id=investment.id,
        contract=request.app.state.settings.chain_contract_address,
        token_id=str(investment.id.int),
        holder=intent.holder,
        tx_hash=intent.tx_hash,
        status=intent.status,
        confirmations=intent.confirmations,
        block_number=intent.block_number,
    )


@router.get("/chain/intents", response_model=list[IntentPublic])
async def list_intents(
    principal: CurrentPrincipal,
    session: SessionDep,
    status: Literal["new", "signed", "broadcast", "mined", "confirmed", "failed"] | None = None,
    limit: int = Query(100, ge=1, le=500),
) -> list[IntentPublic]:
    """The tenant's chain intents, oldest first (operators)."""
    tenant = tenant_of(principal)
    authorize(principal, "write", Resource("chain_intent", tenant))
    query = select(ChainIntent).where(ChainIntent.tenant_id == tenant)
    if status is not None:
        query = query.where(ChainIntent.status == status)
    rows = await session.scalars(query.order_by(ChainIntent.seq).limit(limit))
    return [IntentPublic.model_validate(row, from_attributes=True) for row in rows]


@router.post("/chain/intents/{intent_id}/rebroadcast", response_model=IntentPublic)
async def rebroadcast(
    intent_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep, request: Request
) -> IntentPublic:
    """Send an in-flight intent's stored signed bytes again (never a new transaction)."""
    tenant = tenant_of(principal)
    authorize(principal, "write", Resource("chain_intent", tenant))
    intent = await session.scalar(
        select(ChainIntent)
        .where(ChainIntent.tenant_id == tenant, ChainIntent.id == intent_id)
        .with_for_update()
    )
    if intent is None:
        raise not_found("chain intent")
    if intent.status not in ("signed", "broadcast") or intent.signed_tx is None:
        raise conflict("intent-not-in-flight", f"the intent is {intent.status}")
    node = request.app.state.chain
    if node is None:
        raise ProblemError(503, "chain-not-configured", "no chain node is configured")
    assert intent.tx_hash is not None
    await asyncio.to_thread(node.broadcast, intent.signed_tx, intent.tx_hash)
    intent.status, intent.broadcasts = "broadcast", intent.broadcasts + 1
    await session.flush()
    return IntentPublic.model_validate(intent, from_attributes=True)
