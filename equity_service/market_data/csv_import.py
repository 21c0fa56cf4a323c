"""Daily bars from CSV: parsing and checking every row before anything is written.

Format (UTF-8, a header line, comma separated, one bar per line):

    symbol,date,open,high,low,close,volume
    ACME,2025-01-31,101.25,103.00,100.50,102.75,1250000

`date` is ISO 8601 (`YYYY-MM-DD`); prices are decimals on the instrument's tick; volume is a
non-negative decimal. A row is refused when a field is missing or malformed, a price is off
tick or not positive, low/high do not bound open and close, or the symbol is unknown; the
import then writes nothing and reports every refused row with its line number.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from equity_service.domain.prices import on_tick

COLUMNS = ("symbol", "date", "open", "high", "low", "close", "volume")


@dataclass(frozen=True)
class BarRow:
    line: int
    symbol: str
    day: date
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal


def parse_bars(text: str, ticks: dict[str, Decimal]) -> tuple[list[BarRow], list[tuple[int, str]]]:
    """The rows and the errors (line, message); `ticks` maps known symbols to tick sizes."""
    # newline="": the csv module reads line ends itself (a lone CR is a line end, not an error).
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None or tuple(h.strip().lower() for h in header) != COLUMNS:
            return [], [(1, f"the header must be {','.join(COLUMNS)}")]
        rows, errors = [], []
        for fields in reader:
            if not fields:
                continue
            try:
                rows.append(_row(reader.line_num, fields, ticks))
            except ValueError as exc:
                errors.append((reader.line_num, str(exc)))
    except csv.Error as exc:  # text the csv module cannot split into fields at all
        return [], [(reader.line_num, f"the file is not valid CSV: {exc}")]
    return rows, errors


def _row(line: int, fields: list[str], ticks: dict[str, Decimal]) -> BarRow:
    if len(fields) != len(COLUMNS):
        raise ValueError(f"expected {len(COLUMNS)} fields, got {len(fields)}")
    symbol = fields[0].strip()
    if symbol not in ticks:
        raise ValueError(f"unknown symbol {symbol!r}")
    try:
        day = date.fromisoformat(fields[1].strip())
        o, h, lo, c, v = (Decimal(f.strip()) for f in fields[2:])
    except (ValueError, InvalidOperation) as exc:
        raise ValueError("a date or number is malformed") from exc
    if not all(x.is_finite() for x in (o, h, lo, c, v)):
        raise ValueError("numbers must be finite")
    if min(o, h, lo, c) <= 0 or v < 0:
        raise ValueError("prices must be positive and volume non-negative")
    if not all(on_tick(x, ticks[symbol]) for x in (o, h, lo, c)):
        raise ValueError(f"prices must be multiples of the tick {ticks[symbol]}")
    if not (lo <= min(o, c) and h >= max(o, c)):
        raise ValueError("low and high must bound open and close")
    return BarRow(line, symbol, day, o, h, lo, c, v)
