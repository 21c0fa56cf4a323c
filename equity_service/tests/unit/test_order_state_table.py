"""The state machine as a table: every pair of statuses is either allowed or refused."""

from itertools import product

import pytest

from equity_service.domain.order_states import (
    TERMINAL,
    IllegalTransition,
    Status,
    after_fill,
    transition,
)

S = Status
ALLOWED = {
    (S.PENDING_NEW, S.NEW), (S.PENDING_NEW, S.REJECTED),
    (S.NEW, S.PARTIALLY_FILLED), (S.NEW, S.FILLED), (S.NEW, S.PENDING_CANCEL),
    (S.NEW, S.CANCELED), (S.NEW, S.EXPIRED),
    (S.PARTIALLY_FILLED, S.PARTIALLY_FILLED), (S.PARTIALLY_FILLED, S.FILLED),
    (S.PARTIALLY_FILLED, S.PENDING_CANCEL), (S.PARTIALLY_FILLED, S.CANCELED),
    (S.PARTIALLY_FILLED, S.EXPIRED),
    (S.PENDING_CANCEL, S.PARTIALLY_FILLED), (S.PENDING_CANCEL, S.FILLED),
    (S.PENDING_CANCEL, S.CANCELED),
}  # fmt: skip
PAIRS = list(product(Status, Status))


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_allowed_transition_is_taken(current, target):
    assert transition(current, target) == target


@pytest.mark.parametrize(("current", "target"), [p for p in PAIRS if p not in ALLOWED])
def test_any_other_transition_is_refused(current, target):
    with pytest.raises(IllegalTransition):
        transition(current, target)


@pytest.mark.parametrize(("current", "target"), list(product(sorted(TERMINAL), Status)))
def test_a_terminal_order_accepts_no_command(current, target):
    with pytest.raises(IllegalTransition, match="terminal"):
        transition(current, target)


def test_fill_of_the_remainder_makes_the_order_filled():
    assert after_fill(S.PARTIALLY_FILLED, 10, 10) == S.FILLED
    assert after_fill(S.NEW, 4, 10) == S.PARTIALLY_FILLED
