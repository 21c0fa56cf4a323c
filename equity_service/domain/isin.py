"""ISIN (ISO 6166): two letters of country, nine alphanumerics, one Luhn check digit."""

from __future__ import annotations

import re

ISIN_SHAPE = re.compile(r"[A-Z]{2}[A-Z0-9]{9}[0-9]")


def isin_check_digit(body: str) -> int:
    """The check digit of the first eleven characters: letters become 10..35, then Luhn."""
    digits = "".join(str(int(char, 36)) for char in body)
    total = 0
    # Luhn from the right: every second digit, starting with the rightmost, is doubled.
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
        total += value // 10 + value % 10
    return (10 - total % 10) % 10


def is_valid_isin(isin: str) -> bool:
    """Whether `isin` has the ISIN shape and a correct check digit."""
    # fullmatch: `$` would also accept a trailing newline.
    return bool(ISIN_SHAPE.fullmatch(isin)) and isin_check_digit(isin[:11]) == int(isin[11])
