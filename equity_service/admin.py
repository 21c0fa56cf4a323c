"""Operator commands for reference data and corporate actions (not exposed over the API:
the policy lets every tenant read reference data and none change it).

    uv run --env-file .env python -m equity_service.admin demo-instruments
    uv run --env-file .env python -m equity_service.admin import-bars bars.csv
    uv run --env-file .env python -m equity_service.admin split ACME 3:1
    uv run --env-file .env python -m equity_service.admin dividend ACME 0.25 2025-01-31 \
        --pay-date 2025-02-14
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from equity_service.books.client import ledger_books
from equity_service.books.service import LedgerBooks
from equity_service.config import get_settings
from equity_service.corporate_actions.dividends import declare_dividend, pay_dividend
from equity_service.corporate_actions.service import apply_split
from equity_service.domain.splits import Ratio
from equity_service.instruments.schemas import InstrumentCreate
from equity_service.instruments.service import register_instrument
from equity_service.market_data.service import import_bars
from fleetkit.db import make_engine, make_sessionmaker
from fleetkit.problems import ProblemError

DEMO = [
    InstrumentCreate(symbol="AAPL", name="Apple Inc.", isin="US0378331005", currency="USD"),
    InstrumentCreate(symbol="MSFT", name="Microsoft Corp.", isin="US5949181045", currency="USD"),
    InstrumentCreate(
        symbol="BRK.A",
        name="Berkshire Hathaway A",
        isin="US0846701086",
        currency="USD",
        fractionable=False,
    ),
]
UseCase = Callable[[AsyncSession, LedgerBooks], Awaitable[Any]]


async def run(use_case: UseCase) -> Any:
    """Run one use case in one transaction against the configured database and ledger."""
    settings = get_settings()
    engine = make_engine(settings.database_url.get_secret_value(), pool_size=1)
    books = ledger_books(settings)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            return await use_case(session, books)
    finally:
        await books.client.aclose()
        await engine.dispose()


async def list_demo_instruments(session: AsyncSession, _: LedgerBooks) -> int:
    for listing in DEMO:
        await register_instrument(session, listing)
    return len(DEMO)


def command(args: argparse.Namespace) -> UseCase:
    """The use case a command line names."""
    action_id = uuid.UUID(args.id) if getattr(args, "id", None) else uuid.uuid4()
    if args.command == "demo-instruments":
        return list_demo_instruments
    if args.command == "import-bars":
        text = Path(args.file).read_text(encoding="utf-8")
        return lambda s, _: import_bars(s, text)
    if args.command == "split":
        to, _, frm = args.ratio.partition(":")
        ratio = Ratio(Decimal(to), Decimal(frm or "1"))
        return lambda s, b: apply_split(s, b, args.symbol, ratio, action_id)
    amount, record = Decimal(args.amount), date.fromisoformat(args.record_date)
    pay = date.fromisoformat(args.pay_date) if args.pay_date else record

    async def declare(session: AsyncSession, books: LedgerBooks) -> str:
        await declare_dividend(session, args.symbol, amount, record, pay, action_id)
        if pay <= datetime.now(UTC).date():
            await pay_dividend(session, books, action_id)
            return "paid"
        return f"declared, paid by the worker on {pay.isoformat()}"

    return declare


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m equity_service.admin")
    sub = top.add_subparsers(dest="command", required=True)
    sub.add_parser("demo-instruments", help="list AAPL, MSFT and BRK.A")
    sub.add_parser("import-bars", help="daily bars from CSV (docs/equity.md)").add_argument("file")
    split = sub.add_parser("split", help="apply a split, e.g. 3:1")
    dividend = sub.add_parser("dividend", help="pay a cash dividend per share")
    for action in (split, dividend):
        action.add_argument("symbol")
        action.add_argument("--id", help="the action's id: the same id is applied once")
    split.add_argument("ratio")
    dividend.add_argument("amount")
    dividend.add_argument("record_date")
    dividend.add_argument("--pay-date", help="default: the record date")
    return top


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    try:
        result = asyncio.run(run(command(args)))
    except ProblemError as problem:
        print(f"refused ({problem.kind}): {problem.detail}", file=sys.stderr)
        for error in problem.extensions.get("errors", []):
            print(f"  line {error['line']}: {error['message']}", file=sys.stderr)
        return 1
    print(result if isinstance(result, int | str) else "done")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
