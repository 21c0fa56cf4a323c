"""Use cases of portfolios: create, read, change, delete; holdings checked against the ledger."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fleetkit.ids import new_id
from fleetkit.policy import Principal
from fleetkit.problems import ProblemError
from portfolio_service.portfolios import repository
from portfolio_service.portfolios.access import may_create, portfolio_for
from portfolio_service.portfolios.models import Holding, Portfolio
from portfolio_service.portfolios.schemas import (
    HoldingIn,
    HoldingPublic,
    PortfolioCreate,
    PortfolioPublic,
    PortfolioUpdate,
)
from portfolio_service.valuation.downstream import Fleet, ServiceSilent

INSTRUMENT_PAGE = 500
EQUITY_SCALE = "9"  # the equity service keeps shares to 9 decimals (docs/equity.md)


def public(portfolio: Portfolio, holdings: list[Holding]) -> PortfolioPublic:
    """The portfolio as answered."""
    return PortfolioPublic(
        id=portfolio.id, name=portfolio.name, base_currency=portfolio.base_currency,
        owner_subject=portfolio.owner_subject, created_at=portfolio.created_at,
        updated_at=portfolio.updated_at,
        holdings=[
            HoldingPublic(
                id=h.id, kind=h.kind, reference=h.reference,
                ledger_account_id=h.ledger_account_id, asset=h.asset, share=h.share,
            )
            for h in holdings
        ],
    )  # fmt: skip


def _invalid(index: int, detail: str) -> ProblemError:
    return ProblemError(422, "invalid-holding", f"holdings[{index}]: {detail}", holding=index)


async def equity_instrument(fleet: Fleet, acting: Principal, symbol: str) -> dict[str, Any] | None:
    """The equity instrument listed under `symbol`, read from the equity service's list."""
    cursor: str | None = None
    while True:
        params = {"limit": str(INSTRUMENT_PAGE), **({"cursor": cursor} if cursor else {})}
        page = await fleet.get("equity", "/v1/instruments", acting, params)
        assert page is not None
        for item in page["items"]:
            if item["symbol"] == symbol:
                return dict(item)
        cursor = page.get("next_cursor")
        if not cursor:
            return None


async def resolve_holding(
    fleet: Fleet, acting: Principal, tenant_id: uuid.UUID, portfolio_id: uuid.UUID,
    index: int, item: HoldingIn,
) -> Holding:  # fmt: skip
    """A holding row, its ledger account read with the caller's identity (so another tenant's
    account, or one the caller may not read, is refused)."""
    holding = Holding(
        id=new_id(), portfolio_id=portfolio_id, tenant_id=tenant_id, kind=item.kind,
        ledger_account_id=item.ledger_account_id, detail={},
    )  # fmt: skip
    if item.kind == "property":
        if item.ledger_account_id is not None or not item.reference:
            raise _invalid(index, "a property holding names its building, not a ledger account")
        holding.reference, holding.share = item.reference, item.share or Decimal(1)
        return holding
    if item.ledger_account_id is None:
        raise _invalid(index, f"a {item.kind} holding names its ledger account")
    if item.share is not None:
        raise _invalid(index, "share is for property holdings")
    try:
        account = await fleet.get(
            "ledger", f"/v1/accounts/{item.ledger_account_id}", acting, missing_ok=True
        )
    except ServiceSilent as exc:
        raise ProblemError(
            503, "downstream-unavailable", f"the ledger could not be asked: {exc.reason}",
            headers={"Retry-After": "5"},
        ) from exc  # fmt: skip
    if account is None:
        raise _invalid(index, "no such ledger account")
    asset = str(account["asset"])
    code, _, scale = asset.partition("/")
    holding.asset = asset
    if item.kind == "cash":
        # A currency has a 3-letter code and 0-4 minor digits; shares are `<SYMBOL>/9`.
        if len(code) != 3 or not code.isalpha() or scale not in ("0", "1", "2", "3", "4"):
            raise _invalid(index, f"asset {asset} is not a currency")
        holding.reference = asset
    elif item.kind == "equity":
        listed = code.replace("_", ".")  # the asset writes BRK.B as BRK_B/9 (docs/equity.md)
        symbol = item.reference or listed
        if scale != EQUITY_SCALE:
            raise _invalid(index, f"asset {asset} is not a share (<SYMBOL>/{EQUITY_SCALE})")
        if symbol != listed:
            raise _invalid(index, f"the account holds {asset}, not {symbol}")
        holding.reference = symbol
        instrument = await equity_instrument(fleet, acting, symbol)
        if instrument is not None:
            holding.detail = {"instrument_id": instrument["id"], "currency": instrument["currency"]}
    else:
        if not item.reference:
            raise _invalid(index, f"a {item.kind} holding names its {_REFERENCE[item.kind]}")
        holding.reference = item.reference
    # The holdings read model needs it to read a balance from debits and credits.
    holding.detail = {**holding.detail, "normal_side": account["normal_side"]}
    return holding


_REFERENCE = {"bond": "bond id", "certificate": "campaign id"}


async def create_portfolio(
    session: AsyncSession, fleet: Fleet, principal: Principal, body: PortfolioCreate
) -> PortfolioPublic:
    """A new portfolio owned by the caller."""
    tenant = may_create(principal)
    portfolio = Portfolio(
        id=new_id(), tenant_id=tenant, owner_subject=principal.subject, name=body.name,
        base_currency=body.base_currency,
    )  # fmt: skip
    session.add(portfolio)
    await session.flush()
    holdings = [
        await resolve_holding(fleet, principal, tenant, portfolio.id, i, item)
        for i, item in enumerate(body.holdings)
    ]
    _refuse_duplicates(holdings)
    await repository.replace_holdings(session, portfolio.id, holdings)
    await session.refresh(portfolio)
    return public(portfolio, await repository.holdings_of(session, [portfolio.id]))


def _refuse_duplicates(holdings: list[Holding]) -> None:
    seen: set[tuple[str, str, uuid.UUID | None]] = set()
    for index, h in enumerate(holdings):
        key = (h.kind, h.reference, h.ledger_account_id)
        if key in seen:
            raise _invalid(index, "the same position is listed twice")
        seen.add(key)


async def read_portfolio(
    session: AsyncSession, principal: Principal, portfolio_id: uuid.UUID
) -> PortfolioPublic:
    """The portfolio with its holdings."""
    portfolio = await portfolio_for(session, principal, portfolio_id, "read")
    return public(portfolio, await repository.holdings_of(session, [portfolio.id]))


async def update_portfolio(
    session: AsyncSession, fleet: Fleet, principal: Principal, portfolio_id: uuid.UUID,
    body: PortfolioUpdate, now: datetime,
) -> PortfolioPublic:  # fmt: skip
    """Rename, change the base currency, or replace the holdings."""
    portfolio = await portfolio_for(session, principal, portfolio_id, "write")
    if body.name is not None:
        portfolio.name = body.name
    if body.base_currency is not None:
        portfolio.base_currency = body.base_currency
    if body.holdings is not None:
        holdings = [
            await resolve_holding(fleet, principal, portfolio.tenant_id, portfolio.id, i, item)
            for i, item in enumerate(body.holdings)
        ]
        _refuse_duplicates(holdings)
        await repository.replace_holdings(session, portfolio.id, holdings)
    portfolio.updated_at = now
    await session.flush()
    return public(portfolio, await repository.holdings_of(session, [portfolio.id]))


async def delete_portfolio(
    session: AsyncSession, principal: Principal, portfolio_id: uuid.UUID, now: datetime
) -> None:
    """Archive the portfolio: it answers 404 from now on; its snapshots stay for audit."""
    portfolio = await portfolio_for(session, principal, portfolio_id, "write")
    portfolio.deleted_at = now
