"""Issuers API: register, upload KYC documents, the compliance decision."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import APIRouter, Form, Request, UploadFile

from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep
from fleetkit.problems import ProblemError, not_found
from issuance_service.access import may_read, may_review_issuer, may_write
from issuance_service.issuers import repository
from issuance_service.issuers.documents import MAX_BYTES, check_document
from issuance_service.issuers.models import Issuer, IssuerDocument
from issuance_service.issuers.schemas import (
    DocumentPublic,
    IssuerCreate,
    IssuerPublic,
    KycDecision,
)

router = APIRouter(prefix="/issuers", tags=["issuers"])


def public(issuer: Issuer) -> IssuerPublic:
    return IssuerPublic.model_validate(issuer, from_attributes=True)


@router.post("", response_model=IssuerPublic, status_code=201)
async def register_issuer(
    body: IssuerCreate, principal: CurrentPrincipal, session: SessionDep, request: Request
) -> IssuerPublic:
    """Register a company that will raise money; its KYC starts `pending`."""
    tenant = may_write(principal, "issuer")
    await request.app.state.books.cash_account(tenant, body.cash_account_id)
    issuer = Issuer(
        id=uuid.uuid4(),
        tenant_id=tenant,
        name=body.name,
        owner_subject=principal.subject,
        cash_account_id=body.cash_account_id,
    )
    session.add(issuer)
    await session.flush()
    return public(issuer)


@router.get("/{issuer_id}", response_model=IssuerPublic)
async def get_issuer(
    issuer_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> IssuerPublic:
    tenant = may_read(principal, "issuer")
    issuer = await repository.get(session, tenant, issuer_id)
    if issuer is None:
        raise not_found("issuer")
    return public(issuer)


@router.post("/{issuer_id}/documents", response_model=DocumentPublic, status_code=201)
async def upload_document(
    issuer_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    file: UploadFile,
    doc_type: str = Form(),
) -> DocumentPublic:
    """Upload a KYC document (PDF, PNG or JPEG by content, at most 10 MiB)."""
    tenant = may_write(principal, "issuer")
    issuer = await repository.get(session, tenant, issuer_id)
    if issuer is None:
        raise not_found("issuer")
    content = await file.read(MAX_BYTES + 1)
    checked = check_document(doc_type, content)
    document = IssuerDocument(
        id=uuid.uuid4(),
        tenant_id=tenant,
        issuer_id=issuer.id,
        doc_type=doc_type,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        content=content,
        uploaded_by=principal.subject,
    )
    session.add(document)
    await session.flush()
    return DocumentPublic.model_validate(document, from_attributes=True)


@router.get("/{issuer_id}/documents", response_model=list[DocumentPublic])
async def list_documents(
    issuer_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> list[DocumentPublic]:
    tenant = may_read(principal, "issuer")
    if await repository.get(session, tenant, issuer_id) is None:
        raise not_found("issuer")
    rows = await repository.documents(session, tenant, issuer_id)
    return [DocumentPublic.model_validate(row, from_attributes=True) for row in rows]


@router.post("/{issuer_id}/kyc", response_model=IssuerPublic)
async def decide_kyc(
    issuer_id: uuid.UUID, body: KycDecision, principal: CurrentPrincipal, session: SessionDep
) -> IssuerPublic:
    """Compliance's KYC decision, with its reason; verifying needs at least one document."""
    tenant = may_read(principal, "issuer")
    issuer = await repository.get(session, tenant, issuer_id)
    if issuer is None:
        raise not_found("issuer")
    may_review_issuer(principal, issuer)
    if body.decision == "verified" and not await repository.documents(session, tenant, issuer_id):
        raise ProblemError(422, "documents-missing", "verify an issuer on its documents")
    issuer.kyc_status = body.decision
    issuer.kyc_reason = body.reason
    issuer.kyc_reviewed_by = principal.subject
    issuer.kyc_reviewed_at = datetime.now(UTC)
    await session.flush()
    return public(issuer)
