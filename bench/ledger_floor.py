"""The ceiling of the ledger's HTTP stack on this machine: the same app, no database work.

`create_app` builds the ledger exactly as `ledger_service.main` does (the kit's middleware,
token verification, the access policy, the same request models), but the two posting routes
only parse, authorize and answer. What `bench/ledger.py` measures against it is the most any
posting through this stack could reach here: the distance left is the database's share.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Response

from fleetkit.app import create_fleet_app
from fleetkit.auth import CurrentPrincipal
from ledger_service.access import may_post
from ledger_service.config import get_settings
from ledger_service.transactions.schemas import (
    BatchCreate,
    BatchItemResult,
    BatchResult,
    TransactionCreate,
)

router = APIRouter(prefix="/transactions")


@router.post("", status_code=201)
async def parse_transaction(
    body: TransactionCreate, principal: CurrentPrincipal, response: Response
) -> dict[str, str]:
    """Parse and authorize one transaction; book nothing."""
    may_post(principal)
    return {"id": str(body.id)}


@router.post("/batch", response_model=BatchResult)
async def parse_batch(body: BatchCreate, principal: CurrentPrincipal) -> BatchResult:
    """Parse and authorize a batch; answer as if every item were created."""
    may_post(principal)
    results = [
        BatchItemResult(index=n, id=item.id, status="created")
        for n, item in enumerate(body.transactions)
    ]
    return BatchResult(results=results, created=len(results), existing=0, refused=0)


def create_app() -> FastAPI:
    """The ledger's app stack with the posting routes above and nothing else."""
    return create_fleet_app(get_settings(), title="Ledger HTTP floor", routers=[router])
