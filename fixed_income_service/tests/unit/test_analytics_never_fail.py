"""Whatever the quotes and dates, a batch answers every item with finite figures or a
problem: nothing raises, nothing is NaN (the HTTP layer would have to answer 500)."""

from __future__ import annotations

import math
import random
from datetime import timedelta
from typing import Any

import pytest

from fixed_income_service.domain.analytics import MEASURES, Item, Quote, analyse
from fixed_income_service.domain.refusals import Refusal
from fixed_income_service.tests.random_bonds import random_terms

ODD_VALUES = (0.0, -0.0, 1e-300, -1e-300, 1e300, -1e300, math.nan, math.inf, -math.inf, -1.0,
              -1.999999999999, -12.0, -11.9999999999, 9.99, 10.0, 10.01, 1e4, 1e4 + 1, 50.0,
              0.05, 99.0, 150.0, 0.5, 1e-9)  # fmt: skip


def all_finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(all_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(all_finite(v) for v in value)
    return True


@pytest.mark.parametrize("convention", ["true", "street"])
def test_odd_quotes_and_dates_give_figures_or_problems(convention):
    rng = random.Random(17)
    items, settlement = [], None
    for index in range(300):
        terms = random_terms(rng, index)
        kind = rng.choice(("yield", "clean_price", "dirty_price"))
        items.append(Item(terms, Quote(kind, rng.choice(ODD_VALUES))))
    for offset in (-20_000, -3, 0, 4_000, 9_000, 40_000):
        settlement = items[0].terms.issue_date + timedelta(days=offset)
        answers = analyse(items, settlement, convention, MEASURES)
        assert len(answers) == len(items)
        for answer in answers:
            assert isinstance(answer, Refusal) or all_finite(answer), answer
