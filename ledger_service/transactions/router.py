"""Transactions API: create, batch, post / void / reverse a hold or transaction, read."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep
from fleetkit.pagination import Cursor, Limit, decode_cursor, encode_cursor
from fleetkit.problems import ProblemError, not_found
from ledger_service.access import may_post, may_read
from ledger_service.domain.amounts import to_decimal_string
from ledger_service.domain.engine import NewTransaction, Outcome
from ledger_service.domain.transactions import POST_HOLD, REVERSAL, VOID_HOLD
from ledger_service.transactions import queries, service
from ledger_service.transactions.commands import resolution_command
from ledger_service.transactions.schemas import (
    BatchCreate,
    BatchItemResult,
    BatchResult,
    HoldAction,
    LineOut,
    TransactionCreate,
    TransactionPage,
    TransactionPublic,
)
from ledger_service.transactions.sequencer import PostingSequencer

router = APIRouter(prefix="/transactions", tags=["transactions"])


def refusal_problem(outcome: Outcome) -> ProblemError:
    """The problem response for a refused item."""
    assert outcome.refusal is not None
    refusal = outcome.refusal
    return ProblemError(
        refusal.status,
        refusal.kind,
        refusal.detail,
        title="Transaction refused",
        transaction_id=str(outcome.id),
    )


async def _answer(
    session: AsyncSession,
    tenant: str,
    applied: service.Applied,
    response: Response,
    outcome: Outcome | None = None,
) -> TransactionPublic:
    answer = _answer_without_reading(applied, response, outcome)
    return answer if answer is not None else await _read_existing(session, tenant, applied, outcome)


def _answer_without_reading(
    applied: service.Applied, response: Response, outcome: Outcome | None
) -> TransactionPublic | None:
    """A refusal's problem, or a created transaction; None when it existed before."""
    if outcome is None:
        [outcome] = applied.outcomes
    if outcome.status == "refused":
        raise refusal_problem(outcome)
    if outcome.created is not None and applied.committed_at is not None:
        response.status_code = status.HTTP_201_CREATED
        return created_public(outcome.created, applied)
    response.status_code = status.HTTP_200_OK
    return None


async def _read_existing(
    session: AsyncSession, tenant: str, applied: service.Applied, outcome: Outcome | None
) -> TransactionPublic:
    [outcome] = applied.outcomes if outcome is None else [outcome]
    transaction = await queries.get_transaction(session, tenant, outcome.id)
    if transaction is None:  # an id another tenant used: never show it
        raise ProblemError(409, "transaction-id-reused", "this transaction id is taken")
    return transaction


def created_public(item: NewTransaction, applied: service.Applied) -> TransactionPublic:
    """The answer for a transaction just written, without reading it back."""
    command, committed_at = item.command, applied.committed_at
    assert committed_at is not None
    lines = []
    for line in item.lines:
        account = applied.accounts[line.account_id]
        lines.append(
            LineOut(
                account_id=line.account_id,
                side=line.side,
                amount=to_decimal_string(line.amount, account.scale),
                asset=f"{account.asset_code}/{account.scale}",
            )
        )
    return TransactionPublic(
        id=command.id,
        kind=command.kind,
        target_id=command.target_id,
        lines=lines,
        effective_at=command.effective_at or committed_at,
        committed_at=committed_at,
        expires_at=command.expires_at,
        metadata=dict(command.metadata),
    )


@router.post(
    "",
    response_model=TransactionPublic,
    status_code=201,
    responses={200: {"description": "the same id and body again: the original"}},
)
async def create_transaction(
    body: TransactionCreate, principal: CurrentPrincipal, response: Response, request: Request
) -> TransactionPublic:
    """Post a transaction, or place a hold (`mode: pending`). Idempotent by `id`.

    Concurrent requests are committed together in rounds (group commit); each is still
    decided on its own, in arrival order."""
    tenant = may_post(principal)
    sequencer: PostingSequencer = request.app.state.posting_sequencer
    posted = await sequencer.post(tenant, body)
    answer = _answer_without_reading(posted.applied, response, posted.outcome)
    if answer is not None:
        return answer
    # The same id again: the original, read back. Only this path needs a session of its
    # own, so the common one does not open (and commit) an empty one.
    async with request.app.state.sessionmaker() as session:
        return await _read_existing(session, tenant, posted.applied, posted.outcome)


@router.post("/batch", response_model=BatchResult)
async def create_batch(
    body: BatchCreate, principal: CurrentPrincipal, session: SessionDep
) -> BatchResult:
    """Up to 8,190 transactions in order; a result per item. Linked groups and `atomic`
    make items succeed or fail together."""
    tenant = may_post(principal)
    applied = await service.create_transactions(
        session, tenant, body.transactions, atomic=body.atomic
    )
    outcomes = applied.outcomes
    results = [
        BatchItemResult(
            index=o.index,
            id=o.id,
            status=o.status,
            problem=None
            if o.refusal is None
            else {
                "type": f"urn:finfleet:problem:{o.refusal.kind}",
                "status": o.refusal.status,
                "detail": o.refusal.detail,
            },
        )
        for o in outcomes
    ]
    counts = {
        key: sum(1 for o in outcomes if o.status == key)
        for key in ("created", "existing", "refused")
    }
    return BatchResult(results=results, **counts)


async def _resolve(
    transaction_id: uuid.UUID,
    kind: str,
    body: HoldAction,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
) -> TransactionPublic:
    tenant = may_post(principal)
    command = resolution_command(transaction_id, kind, body.amount, body.metadata)
    applied = await service.apply_commands(session, tenant, [command])
    return await _answer(session, tenant, applied, response)


@router.post("/{transaction_id}/post", response_model=TransactionPublic, status_code=201)
async def post_hold(
    transaction_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    body: HoldAction | None = None,
) -> TransactionPublic:
    """Post a pending hold, in full or a smaller `amount` (once, never after expiry)."""
    return await _resolve(
        transaction_id, POST_HOLD, body or HoldAction(), principal, session, response
    )


@router.post("/{transaction_id}/void", response_model=TransactionPublic, status_code=201)
async def void_hold(
    transaction_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    body: HoldAction | None = None,
) -> TransactionPublic:
    """Release a pending hold without moving anything."""
    action = body or HoldAction()
    if action.amount is not None:
        raise ProblemError(422, "partial-not-supported", "a void releases the whole hold")
    return await _resolve(transaction_id, VOID_HOLD, action, principal, session, response)


@router.post("/{transaction_id}/reverse", response_model=TransactionPublic, status_code=201)
async def reverse_transaction(
    transaction_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    body: HoldAction | None = None,
) -> TransactionPublic:
    """Post the mirror of a posted transaction (or a smaller `amount` of it), linked to it."""
    return await _resolve(
        transaction_id, REVERSAL, body or HoldAction(), principal, session, response
    )


@router.get("/{transaction_id}", response_model=TransactionPublic)
async def get_transaction(
    transaction_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> TransactionPublic:
    tenant = may_read(principal)
    transaction = await queries.get_transaction(session, tenant, transaction_id)
    if transaction is None:
        raise not_found("transaction")
    return transaction


@router.get("", response_model=TransactionPage)
async def list_transactions(
    principal: CurrentPrincipal,
    session: SessionDep,
    account: uuid.UUID | None = None,
    start: datetime | None = Query(default=None, alias="from"),
    end: datetime | None = Query(default=None, alias="to"),
    cursor: Cursor = None,
    limit: Limit = 100,
) -> TransactionPage:
    """Transactions in commit order, optionally those touching `account`, within [from, to)."""
    tenant = may_read(principal)
    after = decode_cursor(cursor, 0)
    items, last = await queries.list_transactions(
        session, tenant, account_id=account, start=start, end=end, after_seq=after, limit=limit
    )
    return TransactionPage(items=items, next_cursor=None if last is None else encode_cursor(last))
