"""Use cases of rebalancing: set targets, plan from a fresh valuation, execute as orders."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.ids import new_id
from fleetkit.policy import Principal, Resource, authorize
from fleetkit.problems import ProblemError, not_found
from portfolio_service.domain.rebalance import Bands, Position, plan
from portfolio_service.portfolios import repository
from portfolio_service.portfolios.access import portfolio_for
from portfolio_service.portfolios.models import RebalancePlan
from portfolio_service.rebalancing.schemas import (
    LegPublic,
    PlanCreate,
    PlanPublic,
    TargetsIn,
    TargetsPublic,
)
from portfolio_service.valuation.downstream import Fleet, ServiceSilent
from portfolio_service.valuation.service import value_portfolio

ASSET_CLASS_KEYS = {"cash", "equity", "fixed_income", "private_markets", "real_estate"}


def targets_public(stored: dict[str, dict[str, str]]) -> TargetsPublic:
    """Stored targets as answered, with the cash weight they leave."""
    weights = {k: Decimal(v) for k, v in stored["weights"].items()}
    return TargetsPublic(
        weights=weights,
        cash_weight=Decimal(1) - sum(weights.values(), Decimal(0)),
        bands={k: Decimal(v) for k, v in stored["bands"].items()},
    )


async def set_targets(
    session: AsyncSession, principal: Principal, portfolio_id: uuid.UUID, body: TargetsIn
) -> TargetsPublic:
    """Replace the portfolio's target weights and drift bands."""
    portfolio = await portfolio_for(session, principal, portfolio_id, "write")
    holdings = {str(h.id) for h in await repository.holdings_of(session, [portfolio.id])}
    unknown = sorted(set(body.weights) - holdings - ASSET_CLASS_KEYS)
    if unknown:
        raise ProblemError(422, "unknown-target", f"not a holding or asset class: {unknown}")
    if any(w < 0 for w in body.weights.values()) or sum(body.weights.values()) > 1:
        raise ProblemError(422, "invalid-weights", "weights are >= 0 and sum to at most 1")
    portfolio.targets = {
        "weights": {k: str(v) for k, v in body.weights.items()},
        "bands": {k: str(v) for k, v in body.bands.model_dump().items()},
    }
    return targets_public(portfolio.targets)


async def get_targets(
    session: AsyncSession, principal: Principal, portfolio_id: uuid.UUID
) -> TargetsPublic:
    """The portfolio's targets; 404 when none are set."""
    portfolio = await portfolio_for(session, principal, portfolio_id, "read")
    if portfolio.targets is None:
        raise not_found("targets")
    return targets_public(portfolio.targets)


def _public(record: RebalancePlan) -> PlanPublic:
    return PlanPublic(
        id=record.id, portfolio_id=record.portfolio_id, mode=record.mode,
        created_at=record.created_at, executed_at=record.executed_at,
        legs=[LegPublic(**leg) for leg in record.legs if "leg" in leg],
        fixed=[leg["fixed"] for leg in record.legs if "fixed" in leg], orders=record.orders,
    )  # fmt: skip


async def create_plan(
    session: AsyncSession, fleet: Fleet, principal: Principal, portfolio_id: uuid.UUID,
    body: PlanCreate, deadline: float,
) -> PlanPublic:  # fmt: skip
    """A plan from today's valuation; stale or unpriced holdings are left fixed."""
    portfolio = await portfolio_for(session, principal, portfolio_id, "rebalance")
    if portfolio.targets is None:
        raise ProblemError(422, "targets-required", "set the portfolio's targets first")
    holdings = await repository.holdings_of(session, [portfolio.id])
    today = datetime.now(UTC).date()
    valuation = await value_portfolio(
        session, fleet, principal, portfolio, holdings, today, deadline
    )
    by_id = {h.id: h for h in holdings}
    cash = Decimal(0)
    cash_account = None
    positions, fixed = [], []
    for line in valuation.holdings:
        if not line.in_total or line.value is None:
            fixed.append(f"{line.holding_id} ({line.kind}: {line.note or 'not counted'})")
            continue
        if line.kind == "cash":
            cash += line.value
            cash_account = cash_account or by_id[line.holding_id].ledger_account_id
            continue
        tradable = line.kind == "equity" and not line.stale
        if not tradable:
            fixed.append(f"{line.holding_id} ({line.kind}{', stale' if line.stale else ''})")
        positions.append(Position(str(line.holding_id), line.asset_class, line.value,
                                  line.price, tradable))  # fmt: skip
    weights = {k: Decimal(v) for k, v in portfolio.targets["weights"].items()}
    bands = Bands(
        *(Decimal(portfolio.targets["bands"][k]) for k in ("absolute_points", "relative"))
    )
    legs = plan(positions, weights, cash, body.mode, min_trade=body.min_trade,
                fractional=body.fractional, bands=bands)  # fmt: skip
    stored = [
        {"leg": n, "holding_id": leg.key, "symbol": by_id[uuid.UUID(leg.key)].reference,
         "side": leg.side, "qty": str(leg.qty), "estimated_price": str(leg.price),
         "estimated_value": str(leg.value)}
        for n, leg in enumerate(legs, start=1)
    ] + [{"fixed": f} for f in fixed]  # fmt: skip
    record = RebalancePlan(
        id=new_id(), portfolio_id=portfolio.id, tenant_id=portfolio.tenant_id, mode=body.mode,
        cash_account_id=cash_account, legs=stored, created_by=principal.subject,
        created_at=datetime.now(UTC),
    )  # fmt: skip
    session.add(record)
    await session.flush()
    return _public(record)


async def _plan(
    session: AsyncSession, portfolio_id: uuid.UUID, plan_id: uuid.UUID
) -> RebalancePlan:
    query = select(RebalancePlan).where(
        RebalancePlan.id == plan_id, RebalancePlan.portfolio_id == portfolio_id
    )
    found = (await session.execute(query.with_for_update())).scalar_one_or_none()
    if found is None:
        raise not_found("rebalance plan")
    return found


async def read_plan(
    session: AsyncSession, principal: Principal, portfolio_id: uuid.UUID, plan_id: uuid.UUID
) -> PlanPublic:
    """A plan and, once executed, its orders."""
    portfolio = await portfolio_for(session, principal, portfolio_id, "read")
    return _public(await _plan(session, portfolio.id, plan_id))


async def execute_plan(
    session: AsyncSession, fleet: Fleet, principal: Principal, portfolio_id: uuid.UUID,
    plan_id: uuid.UUID,
) -> PlanPublic:  # fmt: skip
    """Place each leg as a market order with `client_order_id = <plan id>:<leg>`.

    The equity service answers the same client_order_id with the order it already has, so
    executing twice (or after a crash halfway) places nothing new.
    """
    portfolio = await portfolio_for(session, principal, portfolio_id, "rebalance")
    authorize(principal, "trade", Resource("account", str(portfolio.tenant_id),
                                           {"owner_subject": portfolio.owner_subject}))  # fmt: skip
    record = await _plan(session, portfolio.id, plan_id)
    legs = [leg for leg in record.legs if "leg" in leg]
    if legs and record.cash_account_id is None:
        raise ProblemError(422, "cash-account-required", "the portfolio holds no cash account")
    orders = []
    for leg in legs:
        client_order_id = f"{record.id}:{leg['leg']}"
        body = {"client_order_id": client_order_id, "account_id": str(record.cash_account_id),
                "symbol": leg["symbol"], "side": leg["side"], "type": "market",
                "qty": leg["qty"]}  # fmt: skip
        try:
            status, answer = await fleet.post(
                "equity", "/v1/orders", principal, body, key=client_order_id
            )
        except ServiceSilent as exc:
            raise ProblemError(
                503, "downstream-unavailable",
                f"equity did not answer at leg {leg['leg']}; execute again to continue",
                headers={"Retry-After": "5"},
            ) from exc  # fmt: skip
        orders.append({"leg": leg["leg"], "client_order_id": client_order_id,
                       "http_status": status, "order_id": answer.get("id"),
                       "status": answer.get("status"), "problem": answer.get("type")})  # fmt: skip
    record.orders = orders
    record.executed_at = record.executed_at or datetime.now(UTC)
    return _public(record)
