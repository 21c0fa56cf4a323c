"""Fee, proceeds, units and voting power of a successful campaign, worked by hand."""

from decimal import Decimal

import pytest

from issuance_service.domain.settlement import release_of, units_of, voting_power

D = Decimal


@pytest.mark.parametrize(
    ("raised", "bps", "fee", "proceeds"),
    [
        ("100000", 500, "5000.00", "95000.00"),  # 5% of 100,000
        ("12345.67", 700, "864.20", "11481.47"),  # 864.1969 → 864.20 (half-up)
        ("10.10", 50, "0.05", "10.05"),  # 0.0505 → 0.05
        ("10.30", 50, "0.05", "10.25"),  # 0.0515 → 0.05
        ("10.90", 50, "0.05", "10.85"),  # 0.0545 → 0.05
        ("11.00", 50, "0.06", "10.94"),  # 0.0550 → 0.06 (the half goes up)
        ("5000", 0, "0.00", "5000"),
    ],
)
def test_fee_and_proceeds_add_up_to_what_was_raised(raised, bps, fee, proceeds):
    release = release_of(D(raised), bps)
    assert (release.fee, release.proceeds) == (D(fee), D(proceeds))
    assert release.fee + release.proceeds == D(raised)


def test_units_are_amount_over_unit_price():
    assert units_of(D("2500"), D("25")) == 100
    with pytest.raises(ValueError, match="multiple"):
        units_of(D("2510"), D("25"))


@pytest.mark.parametrize(
    ("amount", "votes"), [("999.99", 0), ("1000", 1), ("1999.99", 1), ("25000", 25)]
)
def test_one_vote_per_full_thousand(amount, votes):
    assert voting_power(D(amount)) == votes
