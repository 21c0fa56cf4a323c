"""Assets API: declare an asset, list them."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from fleetkit.auth import CurrentPrincipal
from fleetkit.db import SessionDep, driver_connection
from fleetkit.problems import ProblemError
from ledger_service.access import may_post, may_read
from ledger_service.domain.amounts import parse_asset
from ledger_service.domain.refusals import Refusal

router = APIRouter(prefix="/assets", tags=["assets"])


class AssetCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    asset: str = Field(examples=["USD/2", "JPY/0", "AAPL/9"], max_length=40)


class AssetPublic(BaseModel):
    code: str
    scale: int
    asset: str


@router.post("", response_model=AssetPublic, status_code=201)
async def create_asset(
    body: AssetCreate, principal: CurrentPrincipal, session: SessionDep
) -> AssetPublic:
    """Declare an asset with its scale; the same notation again is answered with it."""
    may_post(principal)
    try:
        asset = parse_asset(body.asset)
    except Refusal as refusal:
        raise ProblemError(422, refusal.kind, refusal.detail) from refusal
    conn = await driver_connection(session)
    await conn.execute(
        "INSERT INTO assets (code, scale) VALUES ($1, $2) ON CONFLICT (code) DO NOTHING",
        asset.code,
        asset.scale,
    )
    scale = await conn.fetchval("SELECT scale FROM assets WHERE code = $1", asset.code)
    if scale != asset.scale:
        raise ProblemError(409, "duplicate-asset", f"{asset.code} exists with scale {scale}")
    return AssetPublic(code=asset.code, scale=asset.scale, asset=asset.notation)


@router.get("", response_model=list[AssetPublic])
async def list_assets(principal: CurrentPrincipal, session: SessionDep) -> list[AssetPublic]:
    may_read(principal)
    conn = await driver_connection(session)
    rows = await conn.fetch("SELECT code, scale FROM assets ORDER BY code")
    return [
        AssetPublic(code=r["code"], scale=r["scale"], asset=f"{r['code']}/{r['scale']}")
        for r in rows
    ]
