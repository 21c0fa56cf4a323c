"""Amounts on the wire and in the ledger: exact conversions, refusals, never rounding."""

import re
from decimal import Decimal, localcontext

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ledger_service.domain import amounts
from ledger_service.domain.amounts import (
    MAX_MINOR_UNITS,
    MAX_SCALE,
    Asset,
    parse_asset,
    to_decimal_string,
    to_minor_units,
)
from ledger_service.domain.refusals import Refusal

# The pattern `LineIn.amount` accepts: what a client may send back of what it was shown.
WIRE_AMOUNT = re.compile(r"^\d{1,20}(\.\d{1,18})?$")
SCALES = st.sampled_from([0, 2, 9, 18]) | st.integers(0, MAX_SCALE)
UNITS = st.integers(1, MAX_MINOR_UNITS - 1)


def refusal_kind(amount: str | Decimal, scale: int, **options: bool) -> str:
    with pytest.raises(Refusal) as refused:
        to_minor_units(amount, scale, **options)
    return refused.value.kind


@pytest.mark.parametrize(
    ("amount", "scale", "units"),
    [
        ("5", 0, 5),
        ("1250", 0, 1250),
        ("4611686018427387903", 0, MAX_MINOR_UNITS - 1),
        ("7.000", 0, 7),
        ("12.50", 2, 1250),
        ("12.5", 2, 1250),
        ("0.01", 2, 1),
        ("100", 2, 10000),
        ("12.500000", 2, 1250),
        ("46116860184273879.03", 2, MAX_MINOR_UNITS - 1),
        ("0.000000001", 9, 1),
        ("1.5", 9, 1_500_000_000),
        ("123.456789012", 9, 123_456_789_012),
        ("0.000000000000000001", 18, 1),
        ("1", 18, 10**18),
        ("4.611686018427387903", 18, MAX_MINOR_UNITS - 1),
        (" 3.25 ", 2, 325),
    ],
)
def test_amounts_convert_exactly_to_minor_units(amount, scale, units):
    assert to_minor_units(amount, scale) == units


def test_decimal_inputs_convert_like_strings():
    assert to_minor_units(Decimal("12.50"), 2) == 1250
    assert to_minor_units(Decimal("0.000000001"), 9) == 1


@pytest.mark.parametrize(
    ("amount", "scale"),
    [
        ("0.5", 0),
        ("1.1", 0),
        ("12.345", 2),
        ("0.001", 2),
        ("0.005", 2),
        ("0.0000000001", 9),
        ("1.0000000005", 9),
        ("0.0000000000000000001", 18),
        ("1.0000000000000000005", 18),
    ],
)
def test_more_decimals_than_the_scale_are_refused(amount, scale):
    assert refusal_kind(amount, scale) == "precision-exceeded"


@given(units=UNITS, scale=st.integers(0, MAX_SCALE), digit=st.integers(1, 9))
def test_one_more_nonzero_decimal_is_refused_never_rounded(units, scale, digit):
    exact = Decimal(units).scaleb(-scale)
    finer = exact + Decimal(digit).scaleb(-scale - 1)
    assert refusal_kind(format(finer, "f"), scale) == "precision-exceeded"


# Found by these tests (fixed in 7738ff7): Decimal.scaleb rounded to the default context's 28
# digits, so '10000000000.000000000000000001' at scale 2 was booked as 10**12 units.
@pytest.mark.parametrize(
    ("amount", "scale"),
    [
        ("10000000000.000000000000000001", 2),
        ("1000000000000.000000000000000001", 0),
        ("1.0000000000000000000000000001", 0),
    ],
)
def test_amounts_with_many_significant_digits_are_refused_not_rounded(amount, scale):
    assert refusal_kind(amount, scale) == "precision-exceeded"


@given(
    whole=st.integers(0, 10**20 - 1),
    fraction=st.text("0123456789", max_size=18),
    scale=SCALES,
)
def test_every_wire_amount_converts_exactly_or_is_refused(whole, fraction, scale):
    """What the API's amount pattern admits, checked against integer arithmetic alone."""
    text = f"{whole}.{fraction}" if fraction else str(whole)
    assert WIRE_AMOUNT.match(text)
    significant = fraction.rstrip("0")
    if len(significant) > scale:
        assert refusal_kind(text, scale) == "precision-exceeded"
        return
    units = whole * 10**scale + int(significant.ljust(scale, "0") or "0")
    if units == 0 or units >= MAX_MINOR_UNITS:
        assert refusal_kind(text, scale) == "invalid-amount"
    else:
        assert to_minor_units(text, scale) == units


@pytest.mark.parametrize(
    ("amount", "scale"),
    [("-1", 0), ("-0.01", 2), ("-12.50", 2), ("-0.000000001", 9), ("-1", 18)],
)
def test_negative_amounts_are_refused(amount, scale):
    assert refusal_kind(amount, scale) == "invalid-amount"


@pytest.mark.parametrize("amount", ["0", "0.00", "-0", "0.000000000000000000", "0E+5"])
@pytest.mark.parametrize("scale", [0, 2, 18])
def test_zero_is_refused_unless_allowed(amount, scale):
    assert refusal_kind(amount, scale) == "invalid-amount"
    assert to_minor_units(amount, scale, allow_zero=True) == 0


@pytest.mark.parametrize(
    "amount",
    [
        "NaN",
        "nan",
        "sNaN",
        "-NaN",
        "Infinity",
        "-Infinity",
        "inf",
        "",
        "   ",
        "abc",
        "1.2.3",
        "1,00",
        "12 34",
        "0x10",
        "$5",
        "5 USD",
        "--1",
        "1e",
        ".",
    ],
)
@pytest.mark.parametrize("scale", [0, 2, 9, 18])
def test_non_numbers_are_refused_as_invalid_amounts(amount, scale):
    assert refusal_kind(amount, scale) == "invalid-amount"


@pytest.mark.parametrize(
    ("amount", "scale"),
    [
        ("4611686018427387904", 0),
        ("46116860184273879.04", 2),
        ("4.611686018427387904", 18),
        ("99999999999999999999", 0),
        ("99999999999999999999.999999999999999999", 18),
    ],
)
def test_amounts_the_ledger_cannot_hold_are_refused(amount, scale):
    assert refusal_kind(amount, scale) == "invalid-amount"


# Found by these tests (fixed in 7738ff7): a huge exponent raised decimal.Overflow.
@pytest.mark.parametrize("amount", ["1e999999", "1E+999999999", "1e-999999999", "1e-50"])
def test_absurd_exponents_are_refused_as_invalid_amounts(amount):
    assert refusal_kind(amount, 2) == "invalid-amount"


@pytest.mark.parametrize(
    ("units", "scale", "text"),
    [
        (5, 0, "5"),
        (0, 0, "0"),
        (MAX_MINOR_UNITS - 1, 0, "4611686018427387903"),
        (1250, 2, "12.50"),
        (1, 2, "0.01"),
        (0, 2, "0.00"),
        (-1250, 2, "-12.50"),
        (123_456_789_012, 9, "123.456789012"),
        (1_500_000_000, 9, "1.500000000"),
        (10**18, 18, "1.000000000000000000"),
        (MAX_MINOR_UNITS - 1, 18, "4.611686018427387903"),
    ],
)
def test_minor_units_render_as_fixed_point_decimal_strings(units, scale, text):
    assert to_decimal_string(units, scale) == text


# Found by these tests (fixed in 7738ff7): str(Decimal) switched to exponent notation below
# 1e-6, so balances at scale >= 7 read '0E-9' or '1E-18'.
@pytest.mark.parametrize(
    ("units", "scale", "text"),
    [
        (0, 9, "0.000000000"),
        (1, 9, "0.000000001"),
        (0, 18, "0.000000000000000000"),
        (1, 18, "0.000000000000000001"),
        (10, 18, "0.000000000000000010"),
    ],
)
def test_small_amounts_at_high_scales_render_in_fixed_point(units, scale, text):
    assert to_decimal_string(units, scale) == text


@given(units=UNITS, scale=SCALES)
def test_rendering_then_parsing_gives_back_the_same_units(units, scale):
    assert to_minor_units(to_decimal_string(units, scale), scale) == units


@given(units=st.integers(0, MAX_MINOR_UNITS - 1), scale=SCALES)
def test_rendered_amounts_have_exactly_scale_decimals(units, scale):
    text = to_decimal_string(units, scale)
    whole, _, fraction = text.partition(".")
    assert len(fraction) == scale
    assert int(whole + fraction) == units


@given(units=st.integers(0, MAX_MINOR_UNITS - 1), scale=SCALES)
@example(units=1, scale=18)
def test_rendered_amounts_match_the_wire_pattern(units, scale):
    assert WIRE_AMOUNT.match(to_decimal_string(units, scale))


@pytest.mark.parametrize(
    ("notation", "asset"),
    [
        ("USD/2", Asset("USD", 2)),
        ("JPY/0", Asset("JPY", 0)),
        ("AAPL/9", Asset("AAPL", 9)),
        ("ETH/18", Asset("ETH", 18)),
        ("BTC.X:1-A_B/8", Asset("BTC.X:1-A_B", 8)),
        (" USD/2 ", Asset("USD", 2)),
    ],
)
def test_asset_notation_parses_code_and_scale(notation, asset):
    parsed = parse_asset(notation)
    assert parsed == asset
    assert parsed.notation == f"{asset.code}/{asset.scale}"


@pytest.mark.parametrize(
    "notation",
    [
        "USD",
        "USD/",
        "/2",
        "usd/2",
        "USD/19",
        "USD/99",
        "USD/-1",
        "USD/2.0",
        "USD/2/3",
        "USD /2",
        "1USD/2",
        "_USD/2",
        "US D/2",
        "A" * 33 + "/2",
        "",
        "USD/100",
    ],
)
def test_malformed_asset_notations_are_refused(notation):
    with pytest.raises(Refusal) as refused:
        parse_asset(notation)
    assert refused.value.kind == "invalid-asset"


@given(code=st.from_regex(r"\A[A-Z][A-Z0-9_.:-]{0,31}\Z"), scale=st.integers(0, MAX_SCALE))
def test_asset_notation_round_trips(code, scale):
    asset = parse_asset(f"{code}/{scale}")
    assert (asset.code, asset.scale) == (code, scale)
    assert parse_asset(asset.notation) == asset


@given(units=st.integers(-(MAX_MINOR_UNITS - 1), MAX_MINOR_UNITS - 1), scale=SCALES)
def test_rendered_amount_is_exactly_the_units_scaled_down_signs_included(units, scale):
    # Available balances can be negative on unlimited accounts: "-0.05", never "0.-5".
    text = to_decimal_string(units, scale)

    assert Decimal(text) * 10**scale == units
    assert re.fullmatch(r"-?\d+" + (rf"\.\d{{{scale}}}" if scale else ""), text)


@given(
    whole=st.from_regex(r"[0-9]{1,20}", fullmatch=True),
    fraction=st.none() | st.from_regex(r"[0-9]{1,18}", fullmatch=True),
    scale=SCALES,
)
def test_wire_amounts_read_exactly_as_decimal_arithmetic_says(whole, fraction, scale):
    # The integer fast path against exact Decimal arithmetic, the oracle.
    text = whole if fraction is None else f"{whole}.{fraction}"
    with localcontext() as context:
        context.prec = 80  # 20 + 18 digits scaled by up to 10**18: never rounded
        exact = Decimal(text) * 10**scale

    if exact != exact.to_integral_value():
        assert refusal_kind(text, scale) == "precision-exceeded"
    elif exact == 0:
        assert refusal_kind(text, scale) == "invalid-amount"
        assert to_minor_units(text, scale, allow_zero=True) == 0
    elif exact >= MAX_MINOR_UNITS:
        assert refusal_kind(text, scale) == "invalid-amount"
    else:
        assert to_minor_units(text, scale) == int(exact)


@pytest.mark.parametrize("text", ["12.34\n", " 12.34", "\uff11\uff12.34", "12.", ".5", "1_000"])
def test_near_wire_shapes_take_the_exact_reading(text):
    # Whatever the wire pattern would not pass is not read by the fast path.
    assert not amounts.PLAIN_AMOUNT.fullmatch(text)
