"""Group commit for single-transaction requests: concurrent posts share one database round.

Each request to `POST /v1/transactions` joins the queue of its process and waits. A round
takes every request queued so far (per tenant, in arrival order) and applies them as one
non-atomic batch: one lock statement, one write statement, one commit, each request still
refused or applied on its own merits, exactly as if it had come alone in that order. While
rounds are in flight new requests queue up, so the rounds grow with the load and a lone
request waits for nobody. This is TigerBeetle's batching, done for callers that send one
transfer at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fleetkit.events.outbox import EventContext, event_context
from fleetkit.row_security import acting_for
from ledger_service.domain.engine import Outcome
from ledger_service.transactions import service
from ledger_service.transactions.schemas import TransactionCreate

ROUND_SIZE = 1000  # requests in one round at most
ROUNDS_IN_FLIGHT = 2  # rounds one process runs at once


@dataclass
class Posted:
    """One request's outcome, and the round it was applied in."""

    outcome: Outcome
    applied: service.Applied


@dataclass
class _Waiting:
    tenant_id: str
    request: TransactionCreate
    context: EventContext
    answer: asyncio.Future[Posted]


class PostingSequencer:
    """The queue of one process; `post` returns when the request's round has committed."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]):
        self._sessionmaker = sessionmaker
        self._waiting: list[_Waiting] = []
        self._drainer: asyncio.Task[None] | None = None
        self._slots: asyncio.Semaphore | None = None
        self._rounds: set[asyncio.Task[None]] = set()

    async def post(self, tenant_id: str, request: TransactionCreate) -> Posted:
        """Apply one transaction request in the next round; raises what its round raised."""
        answer: asyncio.Future[Posted] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Waiting(tenant_id, request, event_context(), answer))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        return await answer

    async def _drain(self) -> None:
        # Runs while requests wait, then ends: no task outlives the traffic.
        slots = self._slots = self._slots or asyncio.Semaphore(ROUNDS_IN_FLIGHT)
        while self._waiting:
            await slots.acquire()
            taken, self._waiting = self._waiting[:ROUND_SIZE], self._waiting[ROUND_SIZE:]
            round_ = asyncio.create_task(self._run_round(taken))
            self._rounds.add(round_)  # a reference, so the task is not collected mid-round
            round_.add_done_callback(self._rounds.discard)
            round_.add_done_callback(lambda _: slots.release())

    async def _run_round(self, taken: list[_Waiting]) -> None:
        by_tenant: dict[str, list[_Waiting]] = {}
        for waiting in taken:
            by_tenant.setdefault(waiting.tenant_id, []).append(waiting)
        for tenant_id, group in by_tenant.items():
            try:
                await self._apply(tenant_id, group)
            except Exception as error:
                if len(group) == 1:
                    _fail(group[0], error)
                    continue
                # Something no refusal covers (a lost connection, a bug): each request is
                # tried alone, so one bad request fails only itself.
                for waiting in group:
                    try:
                        await self._apply(tenant_id, [waiting])
                    except Exception as alone:
                        _fail(waiting, alone)

    async def _apply(self, tenant_id: str, group: Sequence[_Waiting]) -> None:
        # A round serves many requests (and tenants) from one task: it acts for each group's
        # tenant explicitly rather than for whichever request happened to start the task.
        with acting_for(tenant_id):
            await self._apply_for_tenant(tenant_id, group)

    async def _apply_for_tenant(self, tenant_id: str, group: Sequence[_Waiting]) -> None:
        async with self._sessionmaker() as session:
            applied = await service.create_transactions(
                session,
                tenant_id,
                [waiting.request for waiting in group],
                contexts=[waiting.context for waiting in group],
            )
            await session.commit()
        for waiting, outcome in zip(group, applied.outcomes, strict=True):
            if not waiting.answer.done():  # the client may have gone: the posting stands
                waiting.answer.set_result(Posted(outcome, applied))


def _fail(waiting: _Waiting, error: Exception) -> None:
    # Raised again in the request's own task: its handlers answer it (503 for a lost
    # database, a logged 500 problem for anything else).
    if not waiting.answer.done():
        waiting.answer.set_exception(error)
