"""Property tests for the equity service's parsers of user input: the CSV of daily bars and
ISINs. Whatever the text, a parser answers with its typed result or its refusal, never with
another exception (which the API or the import command would have to turn into a crash)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from equity_service.domain.isin import is_valid_isin, isin_check_digit
from equity_service.market_data.csv_import import COLUMNS, parse_bars

TICKS = {"ACME": Decimal("0.01"), "BRK.A": Decimal("1")}
HEADER = ",".join(COLUMNS)
ISIN_BODY = st.from_regex(r"\A[A-Z]{2}[A-Z0-9]{9}\Z")


@st.composite
def bars(draw: st.DrawFn) -> tuple[str, date, Decimal, Decimal, Decimal, Decimal, Decimal]:
    """A valid bar of a known symbol: prices on its tick, low and high bounding the others."""
    symbol = draw(st.sampled_from(sorted(TICKS)))
    tick = TICKS[symbol]
    ticks = sorted(draw(st.lists(st.integers(1, 10**9), min_size=4, max_size=4)))
    low, open_, close, high = (n * tick for n in (ticks[0], ticks[1], ticks[2], ticks[3]))
    if draw(st.booleans()):
        open_, close = close, open_
    volume = Decimal(draw(st.integers(0, 10**12)))
    day = draw(st.dates(date(1900, 1, 1), date(2100, 12, 31)))
    return symbol, day, open_, high, low, close, volume


def render(rows: Sequence[Sequence[object]]) -> str:
    return "\n".join([HEADER, *(",".join(str(field) for field in row) for row in rows)]) + "\n"


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(bars(), max_size=8))
def test_valid_bars_written_as_csv_read_back_exactly(rows):
    parsed, errors = parse_bars(render(rows), TICKS)

    assert errors == []
    assert [(r.symbol, r.day, r.open, r.high, r.low, r.close, r.volume) for r in parsed] == rows
    assert [r.line for r in parsed] == list(range(2, len(rows) + 2))


# Any text but the characters that would split or join lines and fields (the whole-text test
# below covers those): so each generated row is exactly one line of the file.
FIELD = st.one_of(
    st.text(
        st.characters(blacklist_characters=',"\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029'),
        max_size=12,
    ),
    st.sampled_from(["NaN", "Infinity", "-1", "0", "1E+30", "1e-30", "1E+999999", "", " 1 "]),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(str),
)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(FIELD, min_size=0, max_size=9), max_size=6), st.sampled_from(sorted(TICKS))
)
@example([["", "2025-01-31", "1E+30", "1E+30", "1E+30", "1E+30", "1"]], "ACME")
@example([["", "2025-01-31", "1e-30", "1", "1e-30", "1", "1E+999999"]], "ACME")
def test_any_rows_are_parsed_or_refused_line_by_line_never_raised(rows, symbol):
    text = render([[symbol, *fields[1:]] if fields else fields for fields in rows])

    parsed, errors = parse_bars(text, TICKS)

    assert len(parsed) + len(errors) <= len(rows)
    assert all(2 <= line <= len(rows) + 1 for line, _ in errors)
    assert all(isinstance(message, str) and message for _, message in errors)


@given(st.text())
@example("symbol,date,open,high,low,close,volume\nACME,2025-01-31,1,1,1,1,1\r\n\rACME")
@example('symbol,date,open,high,low,close,volume\n"ACME')
def test_any_text_at_all_is_parsed_or_refused_never_raised(text):
    parsed, errors = parse_bars(text, TICKS)

    assert all(row.low <= min(row.open, row.close) <= row.high for row in parsed)
    assert all(isinstance(message, str) for _, message in errors)


@given(ISIN_BODY)
def test_an_isin_with_its_check_digit_is_valid(body):
    assert is_valid_isin(body + str(isin_check_digit(body)))


@given(ISIN_BODY, st.integers(1, 9))
def test_any_other_check_digit_is_refused(body, shift):
    wrong = (isin_check_digit(body) + shift) % 10

    assert not is_valid_isin(body + str(wrong))


@given(st.text(max_size=20))
@example("US0378331005\n")
def test_whatever_is_accepted_as_an_isin_has_exactly_its_shape(text):
    if is_valid_isin(text):
        assert len(text) == 12
        assert text.isascii()
        assert text.isalnum()
        assert text.isupper()
